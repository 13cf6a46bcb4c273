"""Intervals calibrated on the data's own errors: for deterministic calculators.

:class:`CalibratedIntervalRegressor` wraps a skphys regressor (or a Pipeline
that ends in one). Its intervals are the regressor's standard deviations scaled
by factors learned from refits: leave-one-out (or cross-validated) errors inside
the data, and errors at the ends of the range, held out, where it extrapolates.
"""

import copy
import warnings
from numbers import Integral, Real

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, MetaEstimatorMixin, RegressorMixin, _fit_context, clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import LeaveOneOut, check_cv
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.validation import _check_method_params, _num_samples, check_is_fitted

from .._core._conformal import (
    conformal_quantile,
    difference_noise_variance,
    distance_outside,
    distance_to_data,
    neighbour_spacing,
    scaled_features,
)
from .._core._uncertainty import student_t_quantile
from .._core._warn import warn
from ..exceptions import ExtrapolationWarning, FitQualityWarning
from ._base import _final_step, check_alpha

REGIONS = ("inside", "extrapolated", "uncalibrated")


def _spread(estimator, X):
    """Prediction, its std, the residual variance and the final step's inputs."""
    final, transform = _final_step(estimator, "predict_interval")
    features = transform(X)
    with warnings.catch_warnings():
        # the calibration decides what extrapolation means here
        warnings.simplefilter("ignore", ExtrapolationWarning)
        y_pred, std = final.predict(features, return_std=True)
    if np.ndim(y_pred) > 1 and np.shape(y_pred)[1] > 1:
        raise ValueError(
            f"CalibratedIntervalRegressor calibrates one output; {type(final).__name__} "
            f"predicts {np.shape(y_pred)[1]}."
        )
    variance = float(np.ravel(final.residual_variance_)[0])
    features = np.asarray(features, dtype=float).reshape(np.shape(y_pred)[0], -1)
    return np.ravel(y_pred), np.ravel(std), variance, features


def _warm_copy(fitted):
    """A copy of a fitted estimator that refits from its own solution, when it can."""
    names = [name for name in fitted.get_params() if name.split("__")[-1] == "warm_start"]
    if not names:
        return clone(fitted)
    model = copy.deepcopy(fitted)
    return model.set_params(**dict.fromkeys(names, True))


def _refit_scores(estimator, X, y, fit_params, train, test):
    """Refit on ``train``; normalised errors ``|y - y_pred| / sigma`` on ``test``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = _warm_copy(estimator).fit(
            _safe_indexing(X, train), y[train], **_check_method_params(X, fit_params, train)
        )
        y_pred, std, variance, _ = _spread(model, _safe_indexing(X, test))
    with np.errstate(divide="ignore", invalid="ignore"):
        scores = np.abs(y[test] - y_pred) / np.sqrt(std**2 + variance)
    quality = [
        str(w.message)
        for w in caught
        if issubclass(w.category, (FitQualityWarning, ConvergenceWarning))
    ]
    return np.where(np.isnan(scores), np.inf, scores), quality


class CalibratedIntervalRegressor(MetaEstimatorMixin, RegressorMixin, BaseEstimator):
    """Intervals that carry the model's own error, for data without noise.

    Energies from EMT or DFT are deterministic: computed twice, the same number.
    Every residual of a fit is then model error, and the delta method's
    intervals (which assume independent noise) do not bound the calculator's
    value. This meta-estimator fits ``estimator`` and scales its standard
    deviation ``sigma(x)`` by factors learned from refits on the same data,
    without new calculations:

    - inside the data, the Student t quantile times the root mean square of the
      normalised leave-one-out errors ``|y_i - y_(-i)(x_i)| / sigma_(-i)(x_i)``
      (1 where the model is right and the noise is what ``sigma`` says);
    - outside the range of the training inputs, or in a gap of the data, the
      larger of that and the quantile of the normalised errors of refits with
      the outer ``extrapolation_fraction`` of each feature's range held out, one
      end at a time: the errors a fit makes when it extrapolates as far.

    The intervals are ``y_pred -/+ factor * sigma(x)``. Farther from the data
    than ``extrapolation_fraction`` of the range, nothing calibrated them: they
    are still returned, with an :class:`~skphys.exceptions.ExtrapolationWarning`.
    The cost is one fit, one per split of ``cv`` and two per feature.

    Parameters
    ----------
    estimator : estimator
        A skphys regressor, or a :class:`~sklearn.pipeline.Pipeline` that ends in
        one (its transformers' output is what the ranges refer to, e.g.
        interatomic distances, Å). Cloned, never fitted itself.
    cv : int, cross-validation generator or iterable, default=None
        Splits of the calibration refits: ``None`` is leave-one-out (one refit
        per sample, the sharpest on small data), an int ``k`` is k-fold (for
        large data), or anything :func:`~sklearn.model_selection.check_cv` takes.
    extrapolation_fraction : float, default=0.2
        Fraction of each feature's training range held out at each end to
        calibrate extrapolation; also how far beyond the data (and how deep into
        a gap) the intervals are calibrated, in units of that range.
    n_jobs : int, default=None
        Parallel refits through joblib; the result does not depend on it.

    Attributes
    ----------
    estimator_ : estimator
        ``estimator`` fitted on all the data; its predictions are the centres.
    calibration_scores_ : ndarray of shape (n_samples,)
        Normalised errors of each sample in the refit that did not see it.
    calibration_scale_ : float
        Their root mean square: how many times ``sigma`` the errors inside the
        data are.
    dof_ : float
        Degrees of freedom of the t quantile, those of ``estimator_``.
    extrapolation_scores_ : ndarray of shape (n_held_out,)
        Normalised errors of the held-out ends in the refits without them.
    extrapolation_distance_ : ndarray of shape (n_held_out,)
        How far outside the refit's own range each of them lay, in units of
        that feature's full training range.
    residual_variance_ : float
        ``estimator_``'s residual variance ``s^2``, units of y squared.
    noise_variance_ : float
        Variance of the noise in its residuals, from differences of nearest
        neighbours (a smooth model error cancels in them), units of y squared;
        near 0 for deterministic data.
    model_error_variance_ : float
        ``max(0, residual_variance_ - noise_variance_)``: the part of the
        residual variance that is the model's error, units of y squared.
    data_min_, data_max_ : ndarray of shape (n_final_features,)
        Range of the inputs of ``estimator_``'s final step.
    n_features_in_ : int
        Number of features of ``X`` (when ``X`` is an array).
    fit_warnings_ : list of str
        Fit-quality and convergence warnings of the ``cv`` refits (one summary
        warning is issued in ``fit``; the refits without an end are not
        included, they extrapolate by design).

    See Also
    --------
    skphys.predict_interval : intervals of any fitted skphys regressor.

    Notes
    -----
    What the two kinds mean when the data have no noise: the calculator's value
    at ``x`` is a fixed number and the fitted curve misses it by the model's
    error. 'prediction' intervals bound the value of a new calculation; without
    noise they answer "where is the calculator's value". 'confidence' intervals
    bound the noise-free value, the fitted mean plus what the model misses: they
    use ``sqrt(std^2 + model_error_variance_)`` in place of ``sigma``, so they
    are as wide as the prediction intervals when the data have no noise, and as
    narrow as the delta method's when the model is right and the data noisy.

    The leave-one-out factor assumes the errors at new points inside the data
    are like those at the training points (exchangeable). Outside the data they
    are not: the errors of extrapolation are calibrated by extrapolating.

    Examples
    --------
    >>> import numpy as np
    >>> from skphys import CalibratedIntervalRegressor, MorseRegressor
    >>> from skphys.datasets import make_dimer_dataset
    >>> X, y = make_dimer_dataset("Cu2", 20, r_min=2.0, r_max=4.0, random_state=0)
    >>> model = CalibratedIntervalRegressor(MorseRegressor()).fit(X, y)
    >>> interval = model.predict_interval([[2.5], [3.0]], kind="prediction")
    >>> bool(np.all(interval[:, 0] < interval[:, 1]))
    True
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict"])],
        "cv": ["cv_object"],
        "extrapolation_fraction": [Interval(Real, 0, 0.5, closed="neither")],
        "n_jobs": [Integral, None],
    }

    def __init__(self, estimator, *, cv=None, extrapolation_fraction=0.2, n_jobs=None):
        self.estimator = estimator
        self.cv = cv
        self.extrapolation_fraction = extrapolation_fraction
        self.n_jobs = n_jobs

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, **fit_params):
        """Fit the estimator and calibrate its intervals by refits.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or list of ase.Atoms
            What ``estimator`` takes.
        y : array-like of shape (n_samples,)
            Targets, units of y.
        **fit_params : dict
            Passed to every fit of ``estimator`` (e.g. ``sample_weight``,
            ``y_grad``), indexed by sample for the refits.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        y = np.asarray(y, dtype=float)
        if y.ndim != 1:
            raise ValueError(f"y must be one-dimensional; got shape {y.shape}.")
        n_samples = _num_samples(X)
        if n_samples != y.size:
            raise ValueError(f"X has {n_samples} samples but y has {y.size}.")
        if n_samples < 3:
            raise ValueError(f"Calibration needs at least 3 samples; got {n_samples}.")
        self.estimator_ = clone(self.estimator).fit(X, y, **fit_params)
        y_fit, _, variance, features = _spread(self.estimator_, X)
        if hasattr(self.estimator_, "n_features_in_"):
            self.n_features_in_ = self.estimator_.n_features_in_
        low, high = features.min(axis=0), features.max(axis=0)
        width = np.where(high > low, high - low, 1.0)
        self.data_min_, self.data_max_ = low, high
        self._unit_train = scaled_features(features, low, width)
        cv = LeaveOneOut() if self.cv is None else check_cv(self.cv)
        loo = [(train, test) for train, test in cv.split(np.zeros((n_samples, 1)), y)]
        ends, distances = self._end_splits(features, low, width)
        jobs = Parallel(n_jobs=self.n_jobs)(
            delayed(_refit_scores)(self.estimator_, X, y, fit_params, train, test)
            for train, test in loo + ends
        )
        scores = np.full(n_samples, np.nan)
        for (_, test), (part, _) in zip(loo, jobs[: len(loo)], strict=True):
            scores[test] = part
        self.calibration_scores_ = scores
        self.calibration_scale_ = float(np.sqrt(np.mean(scores**2)))
        self.dof_ = float(_final_step(self.estimator_, "predict_interval")[0].dof_)
        self.extrapolation_scores_ = np.concatenate(
            [part for part, _ in jobs[len(loo) :]] or [np.empty(0)]
        )
        self.extrapolation_distance_ = np.concatenate(distances or [np.empty(0)])
        # refits without an end extrapolate there by design: only the cv refits count
        self.fit_warnings_ = [message for _, quality in jobs[: len(loo)] for message in quality]
        if self.fit_warnings_:
            warn(
                f"{len(self.fit_warnings_)} warnings in the {len(loo)} calibration refits; "
                f"the first: {self.fit_warnings_[0]}",
                FitQualityWarning,
            )
        self.residual_variance_ = variance
        noise = difference_noise_variance(y - y_fit, self._unit_train)
        self.noise_variance_ = noise
        self.model_error_variance_ = max(0.0, variance - noise) if np.isfinite(noise) else 0.0
        return self

    def _end_splits(self, features, low, width):
        """(train, test) index pairs holding out each end of each feature's range."""
        cut = self.extrapolation_fraction * width
        splits, distances = [], []
        for j in range(features.shape[1]):
            column = features[:, j]
            for held in (column < low[j] + cut[j], column > low[j] + width[j] - cut[j]):
                train, test = np.flatnonzero(~held), np.flatnonzero(held)
                if test.size == 0 or train.size < max(3, column.size // 2):
                    continue
                kept = column[train]
                edge = np.where(column[test] < kept.min(), kept.min(), kept.max())
                splits.append((train, test))
                distances.append(np.abs(column[test] - edge) / width[j])
        return splits, distances

    def calibration_region(self, X):
        """Where each sample lies relative to the calibrated domain.

        Parameters
        ----------
        X : array-like or list of ase.Atoms
            What ``estimator`` takes.

        Returns
        -------
        region : ndarray of str of shape (n_samples,)
            'inside' (the leave-one-out factor applies), 'extrapolated' (outside
            the training range or in a gap, within ``extrapolation_fraction`` of
            the range: the extrapolation factor applies) or 'uncalibrated'
            (farther: no refit measured errors that far out).
        """
        check_is_fitted(self)
        _, transform = _final_step(self.estimator_, "predict_interval")
        features = np.asarray(transform(X), dtype=float).reshape(_num_samples(X), -1)
        return self._regions(features)

    def _regions(self, features):
        width = np.where(self.data_max_ > self.data_min_, self.data_max_ - self.data_min_, 1.0)
        unit = scaled_features(features, self.data_min_, width)
        outside = distance_outside(unit)
        to_data = distance_to_data(unit, self._unit_train)
        in_gap = to_data > np.max(neighbour_spacing(self._unit_train))
        region = np.full(unit.shape[0], "inside", dtype=object)
        region[(outside > 0) | in_gap] = "extrapolated"
        reach = self.extrapolation_fraction * (1.0 + 1e-9)
        region[(outside > reach) | (to_data > reach)] = "uncalibrated"
        return region.astype(str)

    def predict(self, X):
        """Predict with the estimator fitted on all the data.

        Parameters
        ----------
        X : array-like or list of ase.Atoms
            What ``estimator`` takes.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Units of y.
        """
        check_is_fitted(self)
        return np.ravel(self.estimator_.predict(X))

    def predict_interval(self, X, alpha=0.05, kind="confidence"):
        """Two-sided intervals that carry the model's error.

        Parameters
        ----------
        X : array-like or list of ase.Atoms
            What ``estimator`` takes.
        alpha : float, default=0.05
            One minus the coverage (0.05 gives 95 % intervals).
        kind : {'confidence', 'prediction'}, default='confidence'
            'prediction' bounds the value a new calculation (or observation)
            gives: on deterministic data, where the calculator's value is.
            'confidence' bounds the noise-free value (see the Notes of the
            class); the default, as for every skphys regressor.

        Returns
        -------
        interval : ndarray of shape (n_samples, 2)
            Lower and upper bounds, units of y.

        Warns
        -----
        ExtrapolationWarning
            When a sample lies outside the training range, saying how many lie
            beyond the reach the intervals were calibrated for.
        """
        check_is_fitted(self)
        alpha = check_alpha(alpha)
        if kind not in ("confidence", "prediction"):
            raise ValueError(f"kind must be 'confidence' or 'prediction', got {kind!r}.")
        y_pred, std, _, features = _spread(self.estimator_, X)
        spread = self.residual_variance_ if kind == "prediction" else self.model_error_variance_
        sigma = np.sqrt(std**2 + spread)
        region = self._regions(features)
        inside = student_t_quantile(alpha, max(self.dof_, 1.0)) * self.calibration_scale_
        outside, _ = conformal_quantile(self.extrapolation_scores_, alpha)
        factor = np.where(region == "inside", inside, np.fmax(inside, outside))
        self._warn_regions(region)
        half = factor * sigma
        return np.stack([y_pred - half, y_pred + half], axis=-1)

    def _warn_regions(self, region):
        away = np.count_nonzero(region != "inside")
        if not away:
            return
        beyond = np.count_nonzero(region == "uncalibrated")
        warn(
            f"{away} of {region.size} samples lie outside the training range or in a gap "
            f"of the data; their intervals carry the errors of refits that extrapolated "
            f"{self.extrapolation_fraction:g} of the range. {beyond} lie farther, where "
            "no refit measured the error: their intervals are not calibrated "
            "(calibration_region(X) marks them).",
            ExtrapolationWarning,
        )
