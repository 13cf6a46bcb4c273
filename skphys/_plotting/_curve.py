"""What a fit display draws: the grid beyond the data, the curve and its band."""

import inspect
import warnings
from numbers import Integral, Real

import numpy as np
from scipy import stats
from sklearn.utils import get_tags
from sklearn.utils.validation import check_is_fitted

from ._common import as_estimator_input, default_axis_labels, single_feature

KINDS = ("confidence", "prediction", None)


def prediction_grid(x, x_range=None, n_points=200, positive_only=False):
    """Points on which to draw a curve: the data's range and a quarter span either side.

    Parameters
    ----------
    x : ndarray of shape (n_samples,)
        Training inputs.
    x_range : tuple of (float, float), default=None
        Explicit (low, high) of the grid; ``None`` pads the data's range by a
        quarter of its span on each side.
    n_points : int, default=200
        Number of grid points.
    positive_only : bool, default=False
        Keep the padded grid positive (models of volumes or distances): the low
        end stops at half the smallest input.

    Returns
    -------
    grid : ndarray of shape (n_points,)
        In the units of ``x``.
    """
    if x_range is not None:
        low, high = (float(v) for v in x_range)
        if not (np.isfinite(low) and np.isfinite(high) and low < high):
            raise ValueError(f"x_range must be finite (low, high) with low < high, got {x_range}.")
        return np.linspace(low, high, n_points)
    span = np.ptp(x) or max(abs(x[0]), 1.0)
    low, high = x.min() - 0.25 * span, x.max() + 0.25 * span
    if positive_only and low <= 0:
        low = 0.5 * x.min()
    return np.linspace(low, high, n_points)


def uncertainty_band(estimator, X, kind="confidence", alpha=0.05):
    """Lower and upper edges of the band around the predictions, and its legend label.

    ``predict_interval(X, alpha, kind)`` when the estimator has it; otherwise
    ``y ± z std`` from ``predict(X, return_std=True)`` with the normal quantile
    ``z`` (such estimators report no degrees of freedom), whichever ``kind``;
    otherwise, or with ``kind=None``, no band.

    Returns
    -------
    band : ndarray of shape (n_samples, 2) or None
        Lower and upper edges, in the units of y.
    label : str or None
        What the band is.
    """
    level = f"{100 * (1 - alpha):g}%"
    if kind is None:
        return None, None
    if hasattr(estimator, "predict_interval"):
        return estimator.predict_interval(X, alpha=alpha, kind=kind), f"{level} {kind} band"
    if "return_std" in inspect.signature(estimator.predict).parameters:
        y_pred, std = estimator.predict(X, return_std=True)
        z = stats.norm.ppf(1 - alpha / 2)
        band = np.column_stack([y_pred - z * std, y_pred + z * std])
        return band, f"{level} band (± {z:.2f} std)"
    return None, None


def fit_curve(
    estimator,
    X,
    y,
    *,
    x_range=None,
    n_points=200,
    kind="confidence",
    alpha=0.05,
    xlabel=None,
    ylabel=None,
):
    """Everything a :class:`FitDisplay` draws, computed from a fitted estimator.

    Parameters are those of :meth:`FitDisplay.from_estimator`.

    Returns
    -------
    curve : dict
        The keyword arguments of :class:`FitDisplay`.
    """
    check_is_fitted(estimator)
    if kind not in KINDS:
        raise ValueError(f"kind must be 'confidence', 'prediction' or None, got {kind!r}.")
    if not isinstance(alpha, Real) or not 0 < alpha < 1:
        raise ValueError(f"alpha must be a probability in (0, 1), got {alpha!r}.")
    if not isinstance(n_points, Integral) or n_points < 2:
        raise ValueError(f"n_points must be an integer of at least 2, got {n_points!r}.")
    x, y = single_feature(X, "FitDisplay"), np.asarray(y, dtype=float)
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"X has {x.shape[0]} samples but y has {y.shape[0]}.")
    positive_only = get_tags(estimator).input_tags.positive_only
    x_grid = prediction_grid(x, x_range, n_points, positive_only)
    grid_input = as_estimator_input(x_grid, estimator)
    y_grid = np.asarray(estimator.predict(grid_input), dtype=float).ravel()
    band, band_label = uncertainty_band(estimator, grid_input, kind, alpha)
    if band is not None and not np.all(np.isfinite(band)):
        warnings.warn(
            "The uncertainty band is not finite; it is not drawn.", UserWarning, stacklevel=3
        )
        band, band_label = None, None
    default_x, default_y = default_axis_labels(estimator)
    return {
        "x": x,
        "y": y,
        "x_grid": x_grid,
        "y_grid": y_grid,
        "band": band,
        "band_label": band_label,
        "train_range": (x.min(), x.max()),
        "xlabel": xlabel or default_x,
        "ylabel": ylabel or default_y,
        "estimator_name": type(estimator).__name__,
    }
