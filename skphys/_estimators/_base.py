"""The contract every skphys regressor keeps, and its use through a Pipeline.

Every regressor has, once fitted, ``residual_variance_`` and ``dof_``,
``predict(X, return_std=True)``, :meth:`~RegressorContractMixin.predict_interval`,
a fit status (``converged_``, ``fit_status_``, ``fit_message_``, ``n_iter_``,
``loss_``, ``loss_curve_``) and ``summary()``. :func:`predict_interval` and
:func:`predict_gradient` reach the same through a fitted
:class:`~sklearn.pipeline.Pipeline` that ends in a skphys regressor.
"""

from numbers import Real

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import (
    _check_sample_weight,
    check_array,
    check_consistent_length,
    check_is_fitted,
    validate_data,
)

from .._core import student_t_quantile


def check_alpha(alpha):
    """``alpha`` as a float in (0, 1), else ``ValueError``."""
    if isinstance(alpha, bool) or not isinstance(alpha, Real) or not 0 < alpha < 1:
        raise ValueError(f"alpha must be a probability in (0, 1), got {alpha!r}.")
    return float(alpha)


def checked_sample_weight(sample_weight, X):
    """Non-negative float weights with at least one positive, else ``ValueError``."""
    sample_weight = _check_sample_weight(
        sample_weight, X, dtype=np.float64, ensure_non_negative=True
    )
    if np.count_nonzero(sample_weight) == 0:
        raise ValueError("sample_weight must have at least one positive value.")
    return sample_weight


def validate_values_and_gradients(estimator, X, y, y_grad, multi_output=False):
    """X, y and the derivatives ``y_grad`` of y with respect to X, checked.

    Without ``y_grad`` this is ``validate_data(estimator, X, y)``. With it, NaN
    marks what was not observed: a value (in ``y``) or one derivative (in
    ``y_grad``); every sample must have a value or a derivative, and at least one
    value is needed (the derivatives leave the level of y open).

    Parameters
    ----------
    estimator : estimator
        The regressor being fitted (for ``n_features_in_`` and the messages).
    X : array-like of shape (n_samples, n_features)
        Inputs.
    y : array-like of shape (n_samples,)
        Values; NaN where only derivatives were observed.
    y_grad : array-like of shape (n_samples, n_features) or None
        ``d y / d X`` at each sample, units of y per unit of X; NaN where not
        observed. A 1-D array is accepted for one feature.
    multi_output : bool, default=False
        Whether y may have several columns (without ``y_grad`` only).

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
    y_grad : ndarray of shape (n_samples, n_features) or None
    """
    if y_grad is None:
        X, y = validate_data(
            estimator, X, y, dtype=np.float64, y_numeric=True, multi_output=multi_output
        )
        return X, y, None
    name = type(estimator).__name__
    X = validate_data(estimator, X, dtype=np.float64)
    if hasattr(y_grad, "structures"):
        raise TypeError(
            f"{name} got y_grad as derivatives with respect to atomic positions; a "
            "Pipeline converts them to its features only when asked: "
            "Pipeline(..., transform_input=['y_grad'])."
        )
    try:
        y_grad = np.asarray(y_grad, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"y_grad must be numeric, of shape (n_samples, n_features); got "
            f"{type(y_grad).__name__}."
        ) from None
    if y_grad.ndim == 1 and X.shape[1] == 1:
        y_grad = y_grad[:, None]
    y = check_array(
        y, ensure_2d=False, dtype=np.float64, ensure_all_finite="allow-nan", input_name="y"
    )
    if y.ndim != 1:
        raise ValueError(
            f"{name} fits derivatives for one output only; got y of shape {y.shape}."
        )
    check_consistent_length(X, y, y_grad)
    if y_grad.shape != X.shape:
        raise ValueError(
            f"y_grad must have the shape of X, {X.shape} (the derivative of y with respect "
            f"to each feature); got {y_grad.shape}."
        )
    if np.isinf(y_grad).any() or np.isinf(y).any():
        raise ValueError("y and y_grad must not hold inf; NaN marks what was not observed.")
    has_value = ~np.isnan(y)
    empty = ~has_value & np.isnan(y_grad).all(axis=1)
    if empty.any():
        raise ValueError(
            f"Sample {int(np.flatnonzero(empty)[0])} has neither a value nor a derivative "
            f"({np.count_nonzero(empty)} such samples): drop them."
        )
    if not has_value.any():
        raise ValueError(
            "At least one value of y is needed: derivatives leave the level of y open."
        )
    return X, y, y_grad


class RegressorContractMixin:
    """Intervals and fit status shared by every skphys regressor.

    The estimator provides ``predict(X, return_std=True)``, ``residual_variance_``
    and ``dof_``; :meth:`_set_fit_result` records what the fitting core returned.
    """

    def _set_fit_result(self, result, loss_factor=1.0):
        """Record a :class:`~skphys._core.FitResult` as fitted attributes."""
        self.n_iter_ = result.n_iter
        self.loss_ = result.loss * loss_factor
        self.loss_curve_ = [loss * loss_factor for loss in result.loss_curve]
        self.converged_ = result.converged
        self.fit_status_ = result.status
        self.fit_message_ = result.message

    def _status_line(self):
        return (
            f"status: {self.fit_status_} after {self.n_iter_} iterations "
            f"({self.fit_message_})"
        )

    def predict_interval(self, X, alpha=0.05, kind="confidence"):
        """Two-sided ``1 - alpha`` interval around the prediction at each point.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs, in the units the model expects.
        alpha : float, default=0.05
            One minus the coverage (0.05 gives 95 % intervals).
        kind : {'confidence', 'prediction'}, default='confidence'
            'confidence' bounds the fitted mean (parameter uncertainty only);
            'prediction' bounds a new observation of unit weight (adds the residual
            variance ``residual_variance_``). Both use the Student t distribution
            with ``dof_`` degrees of freedom; after a fit with derivatives, with
            the Welch-Satterthwaite degrees of freedom of each point's variance,
            shared between the values and the derivatives by what each
            contributes (each block estimates its own scatter).

        Returns
        -------
        interval : ndarray of shape (n_samples, 2) or (n_samples, n_outputs, 2)
            Lower and upper bounds, in the units of ``y``; the second shape for
            several outputs.
        """
        check_is_fitted(self)
        alpha = check_alpha(alpha)
        if kind not in ("confidence", "prediction"):
            raise ValueError(f"kind must be 'confidence' or 'prediction', got {kind!r}.")
        y_pred, std = self.predict(X, return_std=True)
        if kind == "prediction":
            std = np.sqrt(std**2 + self.residual_variance_)
        dof = self.dof_
        if getattr(self, "_interval_parts", None) is not None:
            # X was checked (and any extrapolation warned about) by predict above
            X = validate_data(self, X, dtype=np.float64, reset=False)
            dof = self._interval_dof(X, kind).reshape(std.shape)
        half = student_t_quantile(alpha, dof) * std
        return np.stack([y_pred - half, y_pred + half], axis=-1)


def _final_step(estimator, method):
    """(final estimator, function mapping X to its inputs) for an estimator or a pipeline."""
    if isinstance(estimator, Pipeline):
        check_is_fitted(estimator)
        head, final = estimator[:-1], estimator[-1]
        transform = head.transform if len(head.steps) else (lambda X: X)
    else:
        final, transform = estimator, (lambda X: X)
    if not hasattr(final, method):
        raise TypeError(
            f"{type(final).__name__} has no {method}(): give a skphys regressor, or a "
            "Pipeline that ends in one."
        )
    return final, transform


def predict_interval(estimator, X, alpha=0.05, kind="confidence"):
    """Intervals of a fitted skphys regressor, or of a Pipeline that ends in one.

    The pipeline's transformers map ``X`` to the inputs of its final step, whose
    ``predict_interval`` gives the interval (a transformer is taken as exact: its
    output carries no uncertainty of its own).

    Parameters
    ----------
    estimator : estimator or Pipeline
        A fitted skphys regressor, or a fitted Pipeline whose last step is one.
    X : array-like or list of ase.Atoms
        What the estimator (the pipeline's first step) takes.
    alpha : float, default=0.05
        One minus the coverage (0.05 gives 95 % intervals).
    kind : {'confidence', 'prediction'}, default='confidence'
        See :meth:`skphys.TanhMLPRegressor.predict_interval`.

    Returns
    -------
    interval : ndarray of shape (n_samples, 2) or (n_samples, n_outputs, 2)
        Lower and upper bounds, in the units of ``y``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import FunctionTransformer
    >>> from skphys import MorseRegressor, predict_interval
    >>> from skphys.functions import morse
    >>> r = np.linspace(1.8, 4.0, 30)
    >>> E = morse(r, 0.5, 1.5, 2.2) + np.random.default_rng(0).normal(0, 1e-3, r.size)
    >>> pipe = make_pipeline(FunctionTransformer(np.abs), MorseRegressor()).fit(r[:, None], E)
    >>> predict_interval(pipe, [[2.2]], kind="prediction").round(3)
    array([[-0.502, -0.498]])
    """
    final, transform = _final_step(estimator, "predict_interval")
    return final.predict_interval(transform(X), alpha=alpha, kind=kind)


def predict_gradient(estimator, X, return_std=False):
    """Derivatives of the predictions with respect to the final step's inputs.

    For a skphys regressor, its ``predict_gradient``; for a Pipeline that ends in
    one, the gradient with respect to the features its transformers produce (for
    ``make_pipeline(PairDistanceTransformer(), TanhMLPRegressor())``, ``dE/dr``
    for each interatomic distance, eV/Å).

    Parameters
    ----------
    estimator : estimator or Pipeline
        A fitted skphys regressor with ``predict_gradient``, or a fitted Pipeline
        whose last step is one.
    X : array-like or list of ase.Atoms
        What the estimator (the pipeline's first step) takes.
    return_std : bool, default=False
        Also return the standard deviation of each derivative (see the final
        step's ``predict_gradient``).

    Returns
    -------
    gradient : ndarray of shape (n_samples, n_features) or \
            (n_samples, n_outputs, n_features)
        ``d y / d x`` at each sample, units of y per unit of the final step's
        input features.
    gradient_std : ndarray of the shape of ``gradient``
        Its standard deviation; only when ``return_std=True``.
    """
    final, transform = _final_step(estimator, "predict_gradient")
    return final.predict_gradient(transform(X), return_std=return_std)
