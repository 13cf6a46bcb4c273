"""The least-squares problem every skphys fit reduces to.

The objective minimised by every solver is::

    loss(params) = (sum_b sum_i w_bi ||f_b(params, x_bi) - y_bi||^2 + alpha ||params||^2) / m

over the residual blocks ``b`` of the problem (today one block, the values of
``model(params, X)`` against ``y``; a block of derivatives of the model with respect
to X joins it the same way). Within a block the weights ``w`` are normalised to mean
one over the samples of non-zero weight, and ``m`` counts the residuals of non-zero
weight: a sample of zero weight is the same as a sample removed, for the parameters,
the loss and the covariance alike. With ``alpha = 0`` the loss is the weighted mean
squared residual.

Conditioning is an option of the problem, not of the estimator: a model with an
additive constant (E0 of an equation of state) is solved relative to the lowest
target (``offset_index``), so the solvers' relative tolerances do not depend on
where the zero of y lies (DFT energies of -400 eV, 1e6 eV offsets).
"""

import autograd.numpy as anp
import numpy as np
from autograd import value_and_grad

from ._jacobian import model_jacobian

# A residual that overflows or is undefined at a trial point is replaced by this
# finite value: the trial step then looks very bad, and the solver backs off
# instead of carrying NaN into the parameters.
HUGE_RESIDUAL = 1e100


class ValueBlock:
    """Weighted residuals ``sqrt(w) (model(params, X) - y)`` of observed values.

    Parameters
    ----------
    model : callable
        ``model(params, X)`` written with ``autograd.numpy``, returning an array of
        the shape of ``y``.
    X : ndarray of shape (n_samples, n_features)
        Inputs, in the model's units.
    y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        Targets, in the model's units.
    sample_weight : ndarray of shape (n_samples,), default=None
        Non-negative relative weights, normalised here to mean one over the samples
        of non-zero weight. ``None`` weighs samples equally.
    jacobian : {'broadcast', 'rows', 'reverse'}, default='broadcast'
        How to build the Jacobian (see :func:`skphys._core.model_jacobian`).
    """

    def __init__(self, model, X, y, *, sample_weight=None, jacobian="broadcast"):
        self.model = model
        self.X = X
        self.y = np.asarray(y, dtype=float)
        self.target = self.y.ravel()
        n_samples = X.shape[0]
        n_outputs = 1 if self.y.ndim == 1 else self.y.shape[1]
        if sample_weight is None:
            weight = np.ones(n_samples)
        else:
            weight = np.asarray(sample_weight, dtype=float)
            weight = weight * (np.count_nonzero(weight) / weight.sum())
        self.weight = weight
        self.sqrt_weight = np.repeat(np.sqrt(weight), n_outputs)
        self.n_rows = self.target.size
        self.n_effective = np.count_nonzero(weight) * n_outputs
        self.jacobian_method = jacobian

    def predict(self, params):
        """``model(params, X)`` as a flat float array, checked against ``y``'s size."""
        with np.errstate(all="ignore"):
            pred = np.asarray(self.model(params, self.X), dtype=float)
        if pred.size != self.n_rows:
            raise ValueError(
                f"The model returned an array of shape {pred.shape} for X of shape "
                f"{self.X.shape}; expected {self.y.shape}."
            )
        return pred.ravel()

    def residuals(self, params):
        """Weighted residuals, shape (n_rows,)."""
        return self.sqrt_weight * (self.predict(params) - self.target)

    def jacobian(self, params):
        """Jacobian of :meth:`residuals`, shape (n_rows, n_params)."""
        with np.errstate(all="ignore"):
            jac = model_jacobian(self.model, params, self.X, self.jacobian_method)
        return self.sqrt_weight[:, None] * jac

    def sum_of_squares(self, params):
        """Autograd-differentiable ``sum(w r^2)`` (for the gradient solvers)."""
        res = self.sqrt_weight * (anp.ravel(self.model(params, self.X)) - self.target)
        return anp.sum(res**2)


class LeastSquaresProblem:
    """Weighted, optionally ridge-penalised least squares for ``model(params, X) ~ y``.

    Parameters
    ----------
    model : callable
        ``model(params, X)`` written with ``autograd.numpy``, returning an array of
        the shape of ``y``.
    X : ndarray of shape (n_samples, n_features)
        Inputs, in the model's units.
    y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        Targets, in the model's units.
    sample_weight : ndarray of shape (n_samples,), default=None
        Non-negative relative weights (normalised to mean one over the samples of
        non-zero weight). ``None`` weighs samples equally.
    jacobian : {'broadcast', 'rows', 'reverse'}, default='broadcast'
        How to build the Jacobian (see :func:`skphys._core.model_jacobian`).
    alpha : float, default=0.0
        Strength of the L2 penalty on all parameters.
    offset_index : int, default=None
        Index of an additive constant of the model (``model = c + g(other
        params)``). The solvers then work on ``params - shift`` and ``y - min(y)``
        with ``shift = min(y)`` at that index, so that relative tolerances do not
        depend on where the zero of y lies. Everything public here takes and
        returns parameters in the model's own units.

    Attributes
    ----------
    blocks : list of ValueBlock
        The residual blocks, stacked in this order.
    n_effective : int
        Residuals of non-zero weight over all blocks: the ``m`` of the loss.
    shift : ndarray of shape (n_params,) or None
        Offset between the model's parameters and the solvers' (set by
        :meth:`internal`).
    """

    def __init__(
        self, model, X, y, *, sample_weight=None, jacobian="broadcast", alpha=0.0, offset_index=None
    ):
        y = np.asarray(y, dtype=float)
        y_shift = 0.0
        if offset_index is not None:
            kept = np.ones(y.shape[0], bool) if sample_weight is None else sample_weight > 0
            y_shift = float(np.min(y[kept]))
        self.offset_index = offset_index
        self.y_shift = y_shift
        self.blocks = [
            ValueBlock(model, X, y - y_shift, sample_weight=sample_weight, jacobian=jacobian)
        ]
        self.n_effective = sum(block.n_effective for block in self.blocks)
        self.alpha = float(alpha)
        self._last_jacobian = None
        self._last_residuals = None

    # -- the solvers' coordinates --------------------------------------------------
    def shift(self, n_params):
        """What is subtracted from the model's parameters for the solvers."""
        shift = np.zeros(n_params)
        if self.offset_index is not None:
            shift[self.offset_index] = self.y_shift
        return shift

    def internal(self, params):
        """Model parameters -> the solvers' parameters."""
        params = np.asarray(params, dtype=float)
        return params - self.shift(params.shape[0])

    def external(self, x):
        """The solvers' parameters -> model parameters."""
        return x + self.shift(x.shape[0])

    # -- residuals and their Jacobian, in the solvers' coordinates -------------------
    def data_residuals(self, x):
        """Weighted residuals of every block, stacked, shape (m_rows,).

        The last ones are kept (read-only) and returned again for the same ``x``:
        the solvers' set-up, their first step, the final loss and the covariance
        all ask for the residuals at the same points.
        """
        last = self._last_residuals
        if last is not None and np.array_equal(last[0], x):
            return last[1]
        res = np.concatenate([block.residuals(x) for block in self.blocks])
        res.flags.writeable = False
        self._last_residuals = (np.array(x), res)
        return res

    def residuals(self, x):
        """All residuals the solver sees: the blocks, then the penalty rows.

        Non-finite values become :data:`HUGE_RESIDUAL`.
        """
        res = self.data_residuals(x)
        if self.alpha > 0:
            res = np.concatenate([res, np.sqrt(self.alpha) * x])
        bad = ~np.isfinite(res)
        return np.where(bad, HUGE_RESIDUAL, res) if bad.any() else res

    def data_jacobian(self, x):
        """Jacobian of :meth:`data_residuals`, shape (m_rows, n_params).

        The last one is kept and returned again for the same ``x``: the covariance
        at the optimum then costs no Jacobian when the solver ended there.
        """
        last = self._last_jacobian
        if last is not None and np.array_equal(last[0], x):
            return last[1]
        jac = np.vstack([block.jacobian(x) for block in self.blocks])
        self._last_jacobian = (np.array(x), jac)
        return jac

    def jacobian(self, x):
        """Jacobian of :meth:`residuals`; non-finite entries become 0."""
        jac = self.data_jacobian(x)
        if self.alpha > 0:
            jac = np.vstack([jac, np.sqrt(self.alpha) * np.eye(x.shape[0])])
        return np.where(np.isfinite(jac), jac, 0.0)

    def penalty(self, x):
        """The penalty's part of the objective at ``x``."""
        return self.alpha * float(x @ x) / self.n_effective

    def loss_of_residuals(self, res):
        """The objective from :meth:`residuals` already computed."""
        with np.errstate(over="ignore"):
            return float(res @ res) / self.n_effective

    def loss(self, x):
        """Objective value at the solvers' ``x`` (see the module docstring)."""
        return self.loss_of_residuals(self.residuals(x))

    # -- scalar objective and its gradient (for 'lbfgs' and 'adam') ------------------
    def _objective(self, x):
        total = sum(block.sum_of_squares(x) for block in self.blocks)
        if self.alpha > 0:
            total = total + self.alpha * anp.sum(x**2)
        return total / self.n_effective

    def value_and_grad(self, x):
        """Objective and its autograd gradient; non-finite values become huge."""
        with np.errstate(all="ignore"):
            value, grad = value_and_grad(self._objective)(x)
        value = float(value)
        grad = np.asarray(grad, dtype=float)
        if not np.isfinite(value) or not np.all(np.isfinite(grad)):
            return HUGE_RESIDUAL, np.zeros_like(x)
        return value, grad
