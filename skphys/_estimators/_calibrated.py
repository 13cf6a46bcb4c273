"""Intervals calibrated on the data's own errors: for deterministic calculators.

:class:`CalibratedIntervalRegressor` wraps a skphys regressor (or a Pipeline
that ends in one). Its intervals are the regressor's standard deviations scaled
by factors learned from refits: leave-one-out (or cross-validated) errors inside
the data, and errors at the ends of the range, held out, where it extrapolates.
"""

import itertools
import math
import warnings
from numbers import Integral, Real

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, MetaEstimatorMixin, RegressorMixin, _fit_context, clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import LeaveOneOut, check_cv
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.validation import (
    _check_method_params,
    _num_samples,
    check_array,
    check_is_fitted,
    column_or_1d,
    indexable,
)

from .._core._conformal import (
    conformal_quantile,
    distance_outside,
    distance_to_data,
    local_mean,
    neighbour_spacing,
    noise_terms,
    scaled_features,
)
from .._core._warn import warn
from ..exceptions import (
    ExtrapolatedMinimumWarning,
    ExtrapolationWarning,
    FitQualityWarning,
    LackOfFitWarning,
)
from ._base import _final_step, check_alpha

END_FRACTIONS = (1.0, 0.5)  # of extrapolation_fraction


def _spread(estimator, X, return_std=True):
    """Prediction, its std (None unless asked), the residual variance and the
    final step's inputs."""
    final, transform = _final_step(estimator, "predict_interval")
    features = transform(X)
    with warnings.catch_warnings():
        # the calibration decides what extrapolation means here
        warnings.simplefilter("ignore", ExtrapolationWarning)
        y_pred = final.predict(features, return_std=return_std)
    y_pred, std = y_pred if return_std else (y_pred, None)
    if np.ndim(y_pred) > 1 and np.shape(y_pred)[1] > 1:
        raise ValueError(
            f"CalibratedIntervalRegressor calibrates one output; {type(final).__name__} "
            f"predicts {np.shape(y_pred)[1]}."
        )
    variance = float(np.ravel(final.residual_variance_)[0])
    features = np.asarray(features, dtype=float).reshape(np.shape(y_pred)[0], -1)
    return np.ravel(y_pred), None if std is None else np.ravel(std), variance, features


def _neighbours(n_samples):
    """How many training samples the local averages reach."""
    return max(5, math.ceil(math.sqrt(n_samples)))


def _squared_residuals(y, y_fit, variance):
    """Squared residuals scaled so that their mean is the residual variance."""
    squared = (y - y_fit) ** 2
    mean = np.mean(squared)
    return squared * (variance / mean) if mean > 0 and np.isfinite(variance) else squared


def _refit_scores(estimator, X, y, fit_params, train, test, low, width):
    """Refit a clone on ``train``; normalised errors ``|y - y_pred| / sigma`` on ``test``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = clone(estimator).fit(
            _safe_indexing(X, train), y[train], **_check_method_params(X, fit_params, train)
        )
        y_fit, _, variance, seen = _spread(model, _safe_indexing(X, train), return_std=False)
        y_pred, std, _, features = _spread(model, _safe_indexing(X, test))
    local = local_mean(
        scaled_features(features, low, width),
        scaled_features(seen, low, width),
        _squared_residuals(y[train], y_fit, variance),
        _neighbours(train.size),
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        # two normalisations: with the delta method's std, and without it
        scale = np.column_stack([np.sqrt(std**2 + local), np.sqrt(local)])
        scores = np.abs(y[test] - y_pred)[:, None] / scale
    quality = [
        str(w.message)
        for w in caught
        # leaving out the sample by the minimum moves it outside, and a lack of fit
        # is the full fit's to report: neither says anything about the refit
        if issubclass(w.category, (FitQualityWarning, ConvergenceWarning))
        and not issubclass(w.category, (ExtrapolatedMinimumWarning, LackOfFitWarning))
    ]
    return np.where(np.isnan(scores), np.inf, scores), quality


class CalibratedIntervalRegressor(MetaEstimatorMixin, RegressorMixin, BaseEstimator):
    """Intervals that carry the model's own error, for data without noise.

    Energies from EMT or DFT are deterministic: computed twice, the same number.
    Every residual of a fit is then model error, and the delta method's
    intervals (which assume independent noise) do not bound the calculator's
    value. This meta-estimator fits ``estimator`` and builds intervals
    ``y_pred -/+ factor * sigma(x)`` from refits on the same data, without new
    calculations:

    - ``sigma(x)^2 = std(x)^2 + v(x)``: the delta method's variance of the fit
      plus the local mean square of its residuals (a Gaussian-kernel average
      over the nearest ``max(5, sqrt(n))`` training inputs, scaled so that its
      mean is the residual variance): wide where the model misfits or the data
      scatter, narrow where it does not. Inside the data, ``std`` is left out
      when the fit has fewer residual degrees of freedom than half its samples
      (``uses_std_``): a network that nearly interpolates its data has a std
      far above its errors there, and unrelated to them;
    - inside the data, the half-width is the ``1 - alpha`` quantile of the
      normalised leave-one-out errors ``|y_i - y_(-i)(x_i)| / sigma_(-i)(x_i)``
      times ``sigma(x)``;
    - outside the range of the training inputs, or in a gap of the data, it is
      the larger of that and ``sqrt(std^2 + v)`` times the ``1 - alpha``
      conformal quantile (the largest, with few) of the normalised errors of
      refits with an end of each feature's range held out (the outer
      ``extrapolation_fraction`` of it, and half of that): the errors a fit
      makes when it extrapolates as far, carried by the growth of ``std``.

    Farther from the data than ``extrapolation_fraction`` of the range, nothing
    calibrated the intervals: they are still returned, with an
    :class:`~skphys.exceptions.ExtrapolationWarning`, and
    :meth:`calibration_region` marks them. The cost is one fit, one per split of
    ``cv`` and four per feature. Every refit starts afresh, as the full fit did
    (one that started from the full fit's solution would remember what it left
    out): for a network, errors of its other minima count, so give it the starts
    it needs (``n_restarts``).

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
        Normalised errors of each sample in the refit that did not see it
        (normalised as ``uses_std_`` says).
    dof_ : float
        Degrees of freedom of ``estimator_``'s residual variance.
    uses_std_ : bool
        Whether ``sigma`` inside the data includes the delta method's std
        (``dof_ >= n_samples / 2``).
    extrapolation_scores_ : ndarray of shape (n_held_out,)
        Normalised errors of the held-out ends in the refits without them.
    extrapolation_distance_ : ndarray of shape (n_held_out,)
        How far outside the refit's own range each of them lay, in units of
        that feature's full training range.
    residual_variance_ : float
        ``estimator_``'s residual variance ``s^2``, units of y squared: the mean
        of ``v(x)`` over the training inputs.
    noise_variance_ : float
        Variance of the noise in its residuals, from differences of neighbours
        (a smooth model error cancels in them; see Notes), units of y squared;
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
    bound the noise-free value: the fitted mean plus what the model misses.
    They replace ``v(x)`` by the part of it the noise does not explain,
    ``max(0, v(x) - n(x) (1 + 2 r))``, where ``n(x)`` is the same local average
    of the noise estimates of Gasser, Sroka and Jennen-Steinmetz (1986; with
    several features, differences of nearest neighbours) and ``r`` the
    relative standard error of the difference: as wide as the prediction
    intervals when the data have no noise, as narrow as the delta method's when
    the model is right and the data noisy.

    The quantile inside the data assumes the errors at new points are like
    those at the training points (exchangeable). Outside the data they are not:
    the errors of extrapolation are calibrated by extrapolating, and only as far
    as the held-out ends reached. A form that fails faster than the held-out
    ends show (a potential's repulsive wall, steeper closer in) is not covered
    there; ``benchmarks/bench_coverage.py`` measures how often.

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
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        X, y = indexable(X, y)
        y = check_array(y, ensure_2d=False, dtype=np.float64, input_name="y")
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if y.ndim != 1:
            raise ValueError(f"y must be one-dimensional; got shape {y.shape}.")
        n_samples = _num_samples(X)
        if n_samples < 3:
            raise ValueError(
                f"Calibration needs at least 3 samples; got {n_samples} "
                f"sample{'s' * (n_samples != 1)}."
            )
        self.estimator_ = clone(self.estimator).fit(X, y, **fit_params)
        y_fit, _, variance, features = _spread(self.estimator_, X, return_std=False)
        if hasattr(self.estimator_, "n_features_in_"):
            self.n_features_in_ = self.estimator_.n_features_in_
        low, high = features.min(axis=0), features.max(axis=0)
        width = np.where(high > low, high - low, 1.0)
        self.data_min_, self.data_max_ = low, high
        self._unit_train = scaled_features(features, low, width)
        # beyond the widest spacing of the data, a point lies in a gap
        self._gap = float(np.max(neighbour_spacing(self._unit_train)))
        self.dof_ = float(_final_step(self.estimator_, "predict_interval")[0].dof_)
        cv = LeaveOneOut() if self.cv is None else check_cv(self.cv)
        loo = [(train, test) for train, test in cv.split(np.zeros((n_samples, 1)), y)]
        ends, distances = self._end_splits(features, low, width)
        jobs = Parallel(n_jobs=self.n_jobs)(
            # every refit starts afresh: one that started from the full fit's
            # solution would remember the samples it leaves out
            delayed(_refit_scores)(self.estimator, X, y, fit_params, train, test, low, width)
            for train, test in loo + ends
        )
        scores = np.full((n_samples, 2), np.nan)
        for (_, test), (part, _) in zip(loo, jobs[: len(loo)], strict=True):
            scores[test] = part
        ends_scores = np.concatenate([part for part, _ in jobs[len(loo) :]] or [np.empty((0, 2))])
        # the delta method's std means something where the residuals outnumber the
        # parameters; a network that nearly interpolates its data has a std far above
        # its errors inside the data, and unrelated to them. Beyond the data its
        # growth is what carries the distance: the ends keep it.
        self.uses_std_ = bool(self.dof_ >= n_samples / 2)
        column = 0 if self.uses_std_ else 1
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
        self._squared = _squared_residuals(y, y_fit, variance)
        self._noise_at, self._noise = noise_terms(y - y_fit, self._unit_train)
        noise = float(np.mean(self._noise)) if self._noise.size else math.nan
        # relative standard error of the difference of the two variance estimates:
        # the residual variance's sqrt(2 / dof), the differences' sqrt(4 / n)
        self._noise_rse = math.sqrt(2.0 / max(self.dof_, 1.0) + 4.0 / max(self._noise.size, 1))
        self.noise_variance_ = noise
        self.model_error_variance_ = max(0.0, variance - noise) if np.isfinite(noise) else 0.0
        self.calibration_scores_ = scores[:, column]
        self.extrapolation_scores_ = ends_scores[:, 0]
        return self

    def _local_variances(self, features):
        """(residual variance, noise variance) around each input, units of y squared."""
        unit = self._unit(features)
        k = _neighbours(self._unit_train.shape[0])
        residual = local_mean(unit, self._unit_train, self._squared, k)
        if not self._noise.size:
            return residual, np.zeros_like(residual)
        return residual, local_mean(unit, self._unit_train[self._noise_at], self._noise, k)

    def _end_splits(self, features, low, width):
        """(train, test) index pairs holding out each end of each feature's range.

        Each end is held out twice, to ``extrapolation_fraction`` of the range and
        to half of it: two samples of how a fit extrapolates, at two distances.
        """
        splits, distances = [], []
        for j, fraction in itertools.product(range(features.shape[1]), END_FRACTIONS):
            column = features[:, j]
            cut = fraction * self.extrapolation_fraction * width[j]
            for held in (column < low[j] + cut, column > low[j] + width[j] - cut):
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

    def _unit(self, features):
        """Final-step inputs in the unit box of the training inputs."""
        width = np.where(self.data_max_ > self.data_min_, self.data_max_ - self.data_min_, 1.0)
        return scaled_features(features, self.data_min_, width)

    def _regions(self, features):
        unit = self._unit(features)
        outside = distance_outside(unit)
        to_data = distance_to_data(unit, self._unit_train)
        in_gap = to_data > self._gap
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
        residual, noise = self._local_variances(features)
        if kind == "prediction":
            spread = residual
        else:
            # the model's error is what the residuals hold beyond the noise, where
            # they hold more than the noise's estimate can err by (2 of its se)
            spread = np.maximum(residual - noise * (1.0 + 2.0 * self._noise_rse), 0.0)
        region = self._regions(features)
        inside = float(np.quantile(self.calibration_scores_, 1 - alpha))
        outside, _ = conformal_quantile(self.extrapolation_scores_, alpha)
        half = inside * np.sqrt(std**2 * self.uses_std_ + spread)
        away = region != "inside"
        half[away] = np.fmax(half[away], outside * np.sqrt(std[away] ** 2 + spread[away]))
        self._warn_regions(region)
        return np.stack([y_pred - half, y_pred + half], axis=-1)

    def _warn_regions(self, region):
        away = np.count_nonzero(region != "inside")
        if not away:
            return
        beyond = np.count_nonzero(region == "uncalibrated")
        farther = (
            f" {beyond} lie farther, where no refit measured the error: their intervals "
            "are not calibrated (calibration_region(X) marks them)."
            if beyond
            else ""
        )
        warn(
            f"{away} of {region.size} samples lie outside the training range or in a gap "
            f"of the data; their intervals carry the errors of refits that extrapolated "
            f"up to {self.extrapolation_fraction:g} of the range.{farther}",
            ExtrapolationWarning,
        )
