"""FitDisplay: data, fitted curve, uncertainty band and the extrapolation region."""

import inspect
import warnings
from numbers import Integral, Real

import numpy as np
from scipy import stats
from sklearn.utils import get_tags
from sklearn.utils.validation import check_is_fitted

from ._common import (
    as_estimator_input,
    axes_or_new,
    default_axis_labels,
    single_feature,
    style,
)

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


class FitDisplay:
    """A fitted curve over its data, with its uncertainty band and extrapolation shaded.

    The region outside the training range is shaded: a fitted model is only
    supported by data inside it, and the curve drawn beyond shows how it
    extrapolates. Create it with :meth:`from_estimator`; all parameters are
    stored as attributes.

    Parameters
    ----------
    x : ndarray of shape (n_samples,)
        Inputs of the data, in the units of ``xlabel``.
    y : ndarray of shape (n_samples,)
        Targets of the data, in the units of ``ylabel``.
    x_grid : ndarray of shape (n_points,)
        Inputs at which the curve is drawn.
    y_grid : ndarray of shape (n_points,)
        Predictions on ``x_grid``.
    band : ndarray of shape (n_points, 2), default=None
        Lower and upper edges of an uncertainty band on ``x_grid``.
    band_label : str, default=None
        Legend text of the band.
    train_range : tuple of (float, float), default=None
        Range of the training inputs; ``None`` takes that of ``x``.
    xlabel, ylabel : str, default='x', 'y'
        Axis labels, with units.
    estimator_name : str, default=None
        Legend text of the curve.

    Attributes
    ----------
    scatter_ : matplotlib PathCollection
        The data.
    line_ : matplotlib Line2D
        The fitted curve on the whole grid.
    band_ : matplotlib PolyCollection or None
        The uncertainty band.
    extrapolation_ : list of matplotlib Patch
        Shaded spans of the grid outside ``train_range`` (none, one or two).
    ax_ : matplotlib Axes
        Axes of the plot.
    figure_ : matplotlib Figure
        Figure holding the axes.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skphys import MurnaghanRegressor
    >>> from skphys.datasets import load_murnaghan_example
    >>> from skphys.plotting import FitDisplay
    >>> X, y = load_murnaghan_example(return_X_y=True)
    >>> display = FitDisplay.from_estimator(MurnaghanRegressor().fit(X, y), X, y)
    >>> len(display.extrapolation_)
    2
    """

    def __init__(
        self,
        *,
        x,
        y,
        x_grid,
        y_grid,
        band=None,
        band_label=None,
        train_range=None,
        xlabel="x",
        ylabel="y",
        estimator_name=None,
    ):
        self.x = x
        self.y = y
        self.x_grid = x_grid
        self.y_grid = y_grid
        self.band = band
        self.band_label = band_label
        self.train_range = train_range
        self.xlabel = xlabel
        self.ylabel = ylabel
        self.estimator_name = estimator_name

    def plot(
        self, ax=None, *, scatter_kwargs=None, line_kwargs=None, band_kwargs=None, span_kwargs=None
    ):
        """Draw the display.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; ``None`` creates a figure.
        scatter_kwargs, line_kwargs, band_kwargs, span_kwargs : dict, default=None
            Keywords for ``ax.scatter`` (data), ``ax.plot`` (curve),
            ``ax.fill_between`` (band) and ``ax.axvspan`` (extrapolation).

        Returns
        -------
        display : FitDisplay
        """
        ax = axes_or_new(ax, f"{type(self).__name__}.plot")
        low, high = self.train_range or (np.min(self.x), np.max(self.x))
        span_style = style({"color": "0.85", "zorder": 0}, span_kwargs)
        self.extrapolation_ = [
            ax.axvspan(start, stop, **span_style)
            for start, stop in ((self.x_grid.min(), low), (high, self.x_grid.max()))
            if start < stop
        ]
        if self.extrapolation_:
            self.extrapolation_[0].set_label("extrapolation")
        self.band_ = None
        if self.band is not None:
            band_style = style(
                {"color": "C0", "alpha": 0.25, "label": self.band_label}, band_kwargs
            )
            self.band_ = ax.fill_between(
                self.x_grid, self.band[:, 0], self.band[:, 1], **band_style
            )
        line_style = style({"color": "C0", "label": self.estimator_name or "fit"}, line_kwargs)
        (self.line_,) = ax.plot(self.x_grid, self.y_grid, **line_style)
        scatter_style = style({"color": "k", "s": 16, "zorder": 3, "label": "data"}, scatter_kwargs)
        self.scatter_ = ax.scatter(self.x, self.y, **scatter_style)
        ax.set(xlabel=self.xlabel, ylabel=self.ylabel, xlim=(self.x_grid.min(), self.x_grid.max()))
        ax.legend(handles=self._legend_handles())
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    def _legend_handles(self):
        """Data, curve, band and extrapolation, in that order."""
        band = [] if self.band_ is None else [self.band_]
        return [self.scatter_, self.line_, *band, *self.extrapolation_[:1]]

    @classmethod
    def from_estimator(
        cls,
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
        ax=None,
        scatter_kwargs=None,
        line_kwargs=None,
        band_kwargs=None,
        span_kwargs=None,
    ):
        """Plot a fitted one-feature regressor over its training data.

        Parameters
        ----------
        estimator : estimator instance
            Fitted regressor of one input feature.
        X : array-like of shape (n_samples, 1)
            Training inputs (the shaded extrapolation starts at their ends).
        y : array-like of shape (n_samples,)
            Training targets.
        x_range : tuple of (float, float), default=None
            (low, high) of the curve; ``None`` pads the training range by a quarter
            of its span on each side (staying positive for models of positive
            inputs).
        n_points : int, default=200
            Points of the curve.
        kind : {'confidence', 'prediction'} or None, default='confidence'
            Band from ``predict_interval`` when the estimator has it; otherwise
            ``± z std`` from ``predict(X, return_std=True)`` if it can; ``None`` draws
            no band.
        alpha : float, default=0.05
            One minus the coverage of the band.
        xlabel, ylabel : str, default=None
            Axis labels; ``None`` gives the units of skphys's physical models
            (e.g. 'volume (Å$^3$)', 'energy (eV)'), else the feature name and 'y'.
        ax : matplotlib Axes, default=None
            Axes to draw on; ``None`` creates a figure.
        scatter_kwargs, line_kwargs, band_kwargs, span_kwargs : dict, default=None
            Passed to :meth:`plot`.

        Returns
        -------
        display : FitDisplay
        """
        curve = fit_curve(
            estimator,
            X,
            y,
            x_range=x_range,
            n_points=n_points,
            kind=kind,
            alpha=alpha,
            xlabel=xlabel,
            ylabel=ylabel,
        )
        display = cls(**curve)
        return display.plot(
            ax,
            scatter_kwargs=scatter_kwargs,
            line_kwargs=line_kwargs,
            band_kwargs=band_kwargs,
            span_kwargs=span_kwargs,
        )
