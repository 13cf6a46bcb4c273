"""The least-squares problem every skphys fit reduces to.

The objective minimised by every solver is::

    loss(params) = (sum_b sum_i w_bi ||f_b(params, x_bi) - y_bi||^2 + alpha ||params||^2) / m

over the residual blocks ``b`` of the problem: the values of ``model(params, X)``
against ``y``, and, when derivatives were observed, the model's derivatives with
respect to X against ``y_grad`` (``f_b`` the model's input gradient). The weights
``w`` are the sample weights, normalised to mean one over the samples of non-zero
weight, times the block's weight (one for the values; ``gradient_weight`` for the
derivatives, in units of X squared); an entry not observed (NaN) has weight zero.
``m`` counts the residuals of non-zero weight: a sample of zero weight is the same
as a sample removed, for the parameters, the loss and the covariance alike. With
``alpha = 0`` and values only, the loss is the weighted mean squared residual.

Conditioning is an option of the problem, not of the estimator: a model with an
additive constant (E0 of an equation of state) is solved relative to the lowest
target (``offset_index``), so the solvers' relative tolerances do not depend on
where the zero of y lies (DFT energies of -400 eV, 1e6 eV offsets).
"""

import autograd.numpy as anp
import numpy as np
from autograd import value_and_grad

from ._jacobian import input_gradient, model_jacobian

# A residual that overflows or is undefined at a trial point is replaced by this
# finite value: the trial step then looks very bad, and the solver backs off
# instead of carrying NaN into the parameters.
HUGE_RESIDUAL = 1e100


class ValueBlock:
    """Weighted residuals ``sqrt(w) (model(params, X) - y)`` of one kind of observation.

    The same block holds observed values (``model`` the model itself) and observed
    derivatives of the values with respect to X (``model`` the model's input
    gradient, :func:`skphys._core.input_gradient`).

    Parameters
    ----------
    model : callable
        ``model(params, X)`` written with ``autograd.numpy``, returning an array of
        the shape of ``y``.
    X : ndarray of shape (n_samples, n_features)
        Inputs, in the model's units.
    y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        Targets, in the model's units; entries outside ``mask`` are ignored (NaN
        may mark them).
    sample_weight : ndarray of shape (n_samples,), default=None
        Non-negative weights of the samples, used as given (the problem normalises
        them). ``None`` weighs samples equally.
    mask : ndarray of bool of the shape of ``y``, default=None
        Entries observed; ``None`` takes every entry.
    column_scale : ndarray of shape (n_outputs,), default=None
        Fixed factor on the weight of each column (a change of units); ``None``
        is one.
    weight : float, default=1.0
        Weight of the whole block relative to the others (see :meth:`set_weight`).
    jacobian : {'broadcast', 'rows', 'reverse', 'closed_form'}, default='broadcast'
        How to build the Jacobian (see :func:`skphys._core.model_jacobian`).
    """

    def __init__(
        self, model, X, y, *, sample_weight=None, mask=None, column_scale=None, weight=1.0,
        jacobian="broadcast",
    ):  # fmt: skip
        self.model = model
        self.X = X
        self.y = np.asarray(y, dtype=float)
        columns = self.y.reshape(self.y.shape[0], -1)
        n_samples, n_outputs = columns.shape
        sample_weight = np.ones(n_samples) if sample_weight is None else sample_weight
        observed = np.ones(columns.shape, bool) if mask is None else mask.reshape(columns.shape)
        scale = np.ones(n_outputs) if column_scale is None else np.asarray(column_scale, float)
        # the fixed part of each entry's weight, and the unit each residual is measured in
        self.unit_weight = (np.asarray(sample_weight, float)[:, None] * observed).ravel()
        self.column_scale = np.broadcast_to(scale, columns.shape).ravel()
        self.target = np.where(observed, columns, 0.0).ravel()
        self.n_rows = self.target.size
        self.n_effective = int(np.count_nonzero(self.unit_weight))
        self.jacobian_method = jacobian
        self.set_weight(weight)

    def set_weight(self, weight):
        """Weigh the whole block by ``weight`` (positive) relative to the others."""
        self.weight = float(weight)
        self.sqrt_weight = np.sqrt(self.unit_weight * self.column_scale * self.weight)

    def sum_of_squares_own(self, residuals):
        """Sum of squares of this block's weighted residuals without the block weight.

        Parameters
        ----------
        residuals : ndarray of shape (n_rows,)
            This block's part of :meth:`LeastSquaresProblem.data_residuals`.

        Returns
        -------
        sse : float
            ``sum(w r^2)`` with the sample weights only: in the units of the block's
            targets, squared.
        """
        scale = self.column_scale * self.weight
        with np.errstate(divide="ignore", invalid="ignore"):
            return float(np.sum(np.where(self.unit_weight > 0, residuals**2 / scale, 0.0)))

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
        """Weighted residuals, shape (n_rows,); zero where an entry is not observed."""
        res = self.sqrt_weight * (self.predict(params) - self.target)
        if self.n_effective == self.n_rows:
            return res
        # an unobserved entry contributes nothing, even where the model is not finite
        return np.where(self.sqrt_weight > 0, res, 0.0)

    def jacobian(self, params):
        """Jacobian of :meth:`residuals`, shape (n_rows, n_params)."""
        with np.errstate(all="ignore"):
            jac = self.sqrt_weight[:, None] * model_jacobian(
                self.model, params, self.X, self.jacobian_method
            )
        if self.n_effective == self.n_rows:
            return jac
        return np.where(self.sqrt_weight[:, None] > 0, jac, 0.0)

    def sum_of_squares(self, params):
        """Autograd-differentiable ``sum(w r^2)`` (for the gradient solvers)."""
        pred = anp.ravel(self.model(params, self.X))
        if self.n_effective < self.n_rows:
            pred = anp.where(self.sqrt_weight > 0, pred, 0.0)
        return anp.sum((self.sqrt_weight * (pred - self.target)) ** 2)


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
        Targets, in the model's units. With ``y_grad``, NaN marks a sample whose
        value was not observed.
    sample_weight : ndarray of shape (n_samples,), default=None
        Non-negative relative weights (normalised to mean one over the samples of
        non-zero weight). ``None`` weighs samples equally. A sample's weight
        applies to its value and to its derivatives alike.
    jacobian : {'broadcast', 'rows', 'reverse', 'closed_form'}, default='broadcast'
        How to build the Jacobian (see :func:`skphys._core.model_jacobian`).
    alpha : float, default=0.0
        Strength of the L2 penalty on all parameters.
    offset_index : int, default=None
        Index of an additive constant of the model (``model = c + g(other
        params)``). The solvers then work on ``params - shift`` and ``y - min(y)``
        with ``shift = min(y)`` at that index, so that relative tolerances do not
        depend on where the zero of y lies. Everything public here takes and
        returns parameters in the model's own units.
    y_grad : ndarray of shape (n_samples, n_features), default=None
        Observed derivatives of y (one output) with respect to X; NaN marks an
        entry not observed. They form a second block, the residuals of the
        model's input gradient (:func:`skphys._core.input_gradient`).
    gradient_weight : float, default=1.0
        Weight of a squared derivative residual relative to a squared value
        residual, in units of X squared (``sigma_y^2 / sigma_grad^2``); see
        :meth:`set_gradient_weight`.
    gradient_scale : ndarray of shape (n_features,), default=None
        Fixed factor on the weight of each derivative column: ``1 / x_scale**2``
        when X and y are standardised, so that ``gradient_weight`` keeps the units
        of the data. ``None`` is one.

    Attributes
    ----------
    blocks : list of ValueBlock
        The residual blocks, stacked in this order: values, then derivatives.
    block_rows : list of slice
        The rows of each block in the stacked residuals.
    n_effective : int
        Residuals of non-zero weight over all blocks: the ``m`` of the loss.
    """

    def __init__(
        self, model, X, y, *, sample_weight=None, jacobian="broadcast", alpha=0.0,
        offset_index=None, y_grad=None, gradient_weight=1.0, gradient_scale=None,
    ):  # fmt: skip
        y = np.asarray(y, dtype=float)
        n_samples = y.shape[0]
        kept = np.ones(n_samples, bool) if sample_weight is None else sample_weight > 0
        if sample_weight is None:
            weight = np.ones(n_samples)
        else:
            weight = np.asarray(sample_weight, dtype=float)
            weight = weight * (np.count_nonzero(weight) / weight.sum())
        observed = ~np.isnan(y)
        y_shift = 0.0
        if offset_index is not None:
            y_shift = float(np.min(y[kept & observed.reshape(n_samples, -1).all(axis=1)]))
        self.offset_index = offset_index
        self.y_shift = y_shift
        self.blocks = [
            ValueBlock(
                model, X, y - y_shift, sample_weight=weight,
                mask=None if observed.all() else observed, jacobian=jacobian,
            )
        ]  # fmt: skip
        if y_grad is not None:
            y_grad = np.asarray(y_grad, dtype=float)
            gradient = input_gradient(model)
            if hasattr(gradient, "jacobian"):  # written out, as the model's may be
                gradient_jacobian = "closed_form"
            else:  # autograd on the derivative, per sample as for the model
                gradient_jacobian = "rows" if jacobian == "closed_form" else jacobian
            self.blocks.append(
                ValueBlock(
                    gradient, X, y_grad, sample_weight=weight, mask=~np.isnan(y_grad),
                    column_scale=gradient_scale, weight=gradient_weight,
                    jacobian=gradient_jacobian,
                )
            )  # fmt: skip
        stops = np.cumsum([0] + [block.n_rows for block in self.blocks])
        self.block_rows = [slice(a, b) for a, b in zip(stops[:-1], stops[1:], strict=True)]
        self.n_effective = sum(block.n_effective for block in self.blocks)
        self.alpha = float(alpha)
        self._last_jacobian = None
        self._last_residuals = None

    @property
    def gradient_weight(self):
        """Weight of the derivative block (``None`` without one)."""
        return self.blocks[1].weight if len(self.blocks) > 1 else None

    def set_gradient_weight(self, weight):
        """Weigh the derivative residuals by ``weight`` (units of X squared) from now on.

        Parameters
        ----------
        weight : float
            Positive weight of a squared derivative residual relative to a squared
            value residual.
        """
        self.blocks[1].set_weight(weight)
        self._last_jacobian = None
        self._last_residuals = None

    def block_sums_of_squares(self, x):
        """Sum of squared residuals of each block in its own units, at the solvers' ``x``.

        Parameters
        ----------
        x : ndarray of shape (n_params,)
            Parameters, in the solvers' coordinates.

        Returns
        -------
        sse : list of float
            One per block: with the sample weights, without the block weight.
        """
        res = self.data_residuals(x)
        return [
            block.sum_of_squares_own(res[rows])
            for block, rows in zip(self.blocks, self.block_rows, strict=True)
        ]

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
