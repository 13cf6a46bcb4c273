"""What the named-parameter regressors share for derivatives: weight, record, predict.

Fitting derivatives (``fit(X, y, y_grad=...)``) is a block of the one least-squares
problem (:mod:`skphys._core._problem`), weighted as :mod:`skphys._core._block_weights`
estimates; this module holds the estimator side: the starting weight, the fitted
attributes, and ``predict_gradient`` with its standard deviation.
"""

import numpy as np

from .._core import input_gradient, model_jacobian, prediction_std
from .._core._block_weights import block_covariances
from .._core._uncertainty import satterthwaite_dof


def starting_gradient_weight(X, sample_weight, gradient_weight):
    """The weight of the derivatives to start from, units of X squared.

    ``'auto'`` starts from the (weighted) variance of X, averaged over the features:
    the weight that makes a derivative residual count as much as a value residual
    once X is standardised, whatever the units of X.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Inputs.
    sample_weight : ndarray of shape (n_samples,)
        Weights of the samples.
    gradient_weight : 'auto' or float
        The estimator's parameter.

    Returns
    -------
    weight : float
        Positive.
    """
    if gradient_weight != "auto":
        return float(gradient_weight)
    mean = np.average(X, axis=0, weights=sample_weight)
    variance = float(np.mean(np.average((X - mean) ** 2, axis=0, weights=sample_weight)))
    return variance if variance > 0 else 1.0


def gradient_model(model, jacobian_method):
    """The model's derivative with respect to X, and the Jacobian method that suits it.

    Parameters
    ----------
    model : callable
        ``model(params, X)``.
    jacobian_method : str
        The method resolved for the model.

    Returns
    -------
    gradient : callable
        ``gradient(params, X) -> (n_samples, n_features)``.
    method : str
        'rows' for a closed form (its derivative is differentiated by autograd),
        else the model's own.
    """
    method = "rows" if jacobian_method == "closed_form" else jacobian_method
    return input_gradient(model, coupled=jacobian_method == "reverse"), method


class GradientFitMixin:
    """Derivatives for a regressor with ``_model``, ``params_`` and ``pcov_factor_``."""

    def _check_gradient_jacobian(self, y_grad, jacobian):
        if y_grad is not None and jacobian == "reverse":
            raise ValueError(
                f"{type(self).__name__}: fitting y_grad needs a model whose samples are "
                "independent and that accepts per-sample parameters (jacobian 'rows' or "
                "'broadcast'); this one needed jacobian='reverse'."
            )

    def _set_gradient_fit(self, problem, residual_variance, params, ridge=None):
        """Record the weight of the derivatives, their variance and the blocks' shares.

        The shares of the covariance (in the problem's own units) give intervals
        their degrees of freedom: the values and the derivatives each estimate
        their own scatter, with their own degrees of freedom.
        """
        weight = problem.gradient_weight
        self.gradient_weight_ = None if weight is None else float(weight)
        self.gradient_variance_ = None if weight is None else float(residual_variance / weight)
        self._interval_parts = (
            None if weight is None else block_covariances(problem, params, ridge)
        )

    def _parameter_dof(self):
        """Degrees of freedom of each parameter's interval (Welch-Satterthwaite)."""
        parts = getattr(self, "_interval_parts", None)
        if parts is None:
            return self.dof_
        shares, _, dofs = parts
        return satterthwaite_dof(np.diagonal(shares, axis1=1, axis2=2), dofs)

    def _internal_jacobian(self, X):
        """Jacobian of the model at validated X in the units of the fitted problem."""
        return model_jacobian(self._model, self.params_, X, self.jacobian_method_)

    def _interval_dof(self, X, kind):
        """Degrees of freedom of the interval at each of the validated points X.

        With derivatives fitted, from the blocks' shares of the prediction's
        variance (and, for 'prediction', the values' own scatter); else ``dof_``.
        """
        parts = getattr(self, "_interval_parts", None)
        if parts is None:
            return self.dof_
        shares, variances, dofs = parts
        with np.errstate(all="ignore"):
            jac = self._internal_jacobian(X)
        parts_of_variance = np.einsum("ij,bjk,ik->bi", jac, shares, jac)
        if kind == "prediction":
            noise = np.full((1, X.shape[0]), variances[0])
            parts_of_variance, dofs = np.vstack([parts_of_variance, noise]), np.r_[dofs, dofs[0]]
        return satterthwaite_dof(parts_of_variance, dofs)

    def _gradient_line(self):
        """The summary's line on the derivatives ('' without them)."""
        if self.gradient_weight_ is None:
            return ""
        return (
            f"derivatives fitted: weight = {self.gradient_weight_:.4g} (units of X squared), "
            f"residual std of values {np.sqrt(self.residual_variance_):.4g}, "
            f"of derivatives {np.sqrt(self.gradient_variance_):.4g}"
        )

    def predict_gradient(self, X, return_std=False):
        """Derivatives of the fitted model with respect to X.

        For a potential ``E(r)``, ``dE/dr`` (eV/Å; the force along r is its
        negative); for an equation of state ``E(V)``, ``dE/dV`` (eV/Å^3), the
        negative of the pressure.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs, in the units the model expects.
        return_std : bool, default=False
            Also return the delta-method standard deviation of each derivative
            (parameter uncertainty only), in the same units.

        Returns
        -------
        gradient : ndarray of shape (n_samples, n_features)
            ``d y / d x`` at each sample, units of y per unit of X.
        gradient_std : ndarray of shape (n_samples, n_features)
            Its standard deviation; only when ``return_std=True``.
        """
        X = self._validated_X(X)
        model, method = gradient_model(self._model, self.jacobian_method_)
        with np.errstate(all="ignore"):
            gradient = np.asarray(model(self.params_, X), dtype=float).reshape(X.shape)
        if not return_std:
            return gradient
        if not np.all(np.isfinite(self.pcov_)):
            return gradient, np.full(X.shape, np.inf)
        std = prediction_std(model, self.params_, self.pcov_factor_, X, method)
        return gradient, std.reshape(X.shape)
