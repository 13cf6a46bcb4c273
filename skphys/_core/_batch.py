"""Many small least-squares fits of one closed form, solved together.

A batch is ``C`` curves of up to ``n`` points each, held as padded arrays of shape
(C, n) whose absent points carry zero weight. Every curve has its own parameters,
damping, convergence test and covariance; the arithmetic of all active curves is
done at once: residuals and Jacobians from the form's written-out partial
derivatives (:mod:`skphys._closed_form`), and the 4 x 4 (or p x p) normal
equations solved as one stacked :func:`numpy.linalg.solve`.

The iteration is Levenberg-Marquardt with Marquardt's diagonal scaling. A curve
has converged where the Gauss-Newton step from its current parameters moves no
parameter by more than ``10 tol`` of its size (or of its standard error, if
larger): the rule the single-curve 'lm' ends on (:mod:`._solvers`), so both reach
the same optimum to that precision. A curve on which no step lowers the sum of
squares any more, however damped, is at the rounding floor and has converged too.

Observed derivatives of y with respect to x (``y_grad``: dE/dV, minus the
pressure) form a second block of every curve, as in the single-curve problem
(:mod:`._problem`): the residuals of the form's derivative, written out as the
first of its partials, weighted by the curve's ``gradient_weight``. The residuals
of each curve are then its values followed by its derivatives, and everything
above (the step, the test, the covariance) works on that stack.
"""

from dataclasses import dataclass

import numpy as np
from autograd import make_vjp

from .._closed_form import partials_jacobian
from ._solvers import _EPS, _STEP_FACTOR  # the single-curve rule, shared

_MAX_DAMPING = 1e16


@dataclass
class BatchResult:
    """What :func:`batch_least_squares` returns, one row per curve.

    Attributes
    ----------
    params : ndarray of shape (n_curves, n_params)
        Fitted parameters, in the form's units.
    covariance : ndarray of shape (n_curves, n_params, n_params)
        ``s^2 (J^T W J)^+`` at the optimum (``inf`` without degrees of freedom).
    sse : ndarray of shape (n_curves,)
        Weighted sum of squared residuals at the optimum (with derivatives, the
        values' plus ``gradient_weight`` times the derivatives').
    n_points : ndarray of shape (n_curves,)
        Observations of non-zero weight: values, plus derivatives if any.
    n_iter : ndarray of shape (n_curves,)
        Jacobians evaluated before the curve converged or stopped.
    converged : ndarray of shape (n_curves,) of bool
        Whether the convergence test was met.
    status : ndarray of shape (n_curves,) of str
        'converged', 'max_iter' or 'failed' (the form not finite at the start, or
        its derivatives not finite where the fit arrived).
    message : ndarray of shape (n_curves,) of str
        The same in words.
    """

    params: np.ndarray
    covariance: np.ndarray
    sse: np.ndarray
    n_points: np.ndarray
    n_iter: np.ndarray
    converged: np.ndarray
    status: np.ndarray
    message: np.ndarray

    @property
    def stderr(self):
        """Standard errors ``sqrt(diag(covariance))``, shape (n_curves, n_params)."""
        return np.sqrt(np.diagonal(self.covariance, axis1=1, axis2=2))


def _values(function, x, params):
    with np.errstate(all="ignore"):
        return function(x, *(params[:, j, None] for j in range(params.shape[1])))


def _jacobian(function, x, params):
    """Stacked Jacobian of the form, shape (C, n, n_params), from its partials."""
    with np.errstate(all="ignore"):
        return partials_jacobian(function, x, [params[:, j, None] for j in range(params.shape[1])])


def _derivative(x, *params, function):
    # the form's derivative with respect to x, the first of its written-out
    # partials (``+ 0 x``: a constant partial broadcast to the points)
    return function.partials(x, *params)[0] + 0.0 * x


def _derivatives(function, x, params):
    """d function / dx at every point, shape (C, n)."""
    with np.errstate(all="ignore"):
        return _derivative(x, *(params[:, j, None] for j in range(params.shape[1])),
                           function=function)  # fmt: skip


def _derivative_jacobian(function, x, params):
    """Jacobian of :func:`_derivatives`, shape (C, n, n_params).

    The partials are written with ``autograd.numpy``: one reverse pass over
    parameters given to every point separately (each derivative depends on its own
    point's copy only) gives every row at once, as
    :func:`skphys._core.broadcast_jacobian` does for one curve.
    """
    per_point = tuple(np.broadcast_to(params[:, j, None], x.shape) for j in range(params.shape[1]))
    with np.errstate(all="ignore"):
        vjp, _ = make_vjp(lambda p: _derivative(x, *p, function=function))(per_point)
        return np.stack(vjp(np.ones(x.shape)), axis=-1)


class _Residuals:
    """The model of a batch's residuals: the form's values, then its derivatives
    when they were observed, side by side along the points."""

    def __init__(self, function, with_derivatives):
        self.function = function
        self.with_derivatives = with_derivatives

    def values(self, x, params):
        values = _values(self.function, x, params)
        if not self.with_derivatives:
            return values
        return np.concatenate([values, _derivatives(self.function, x, params)], axis=1)

    def jacobian(self, x, params):
        jac = _jacobian(self.function, x, params)
        if not self.with_derivatives:
            return jac
        return np.concatenate([jac, _derivative_jacobian(self.function, x, params)], axis=1)


def _stacked(y, weight, y_grad, grad_weight, gradient_weight):
    """Targets and weights of the values, then of the derivatives, per curve (a
    value not observed, NaN, becomes 0 of weight 0)."""
    y = np.where(weight > 0, y, 0.0)
    if y_grad is None:
        return y, weight
    observed = grad_weight > 0
    targets = np.concatenate([y, np.where(observed, y_grad, 0.0)], axis=1)
    block = np.where(observed, grad_weight * np.asarray(gradient_weight, float)[:, None], 0.0)
    return targets, np.concatenate([weight, block], axis=1)


def _normal_equations(model, x, y, sqrt_w, params):
    """Residuals, their sum of squares, J^T J and J^T r of every curve."""
    res = sqrt_w * (model.values(x, params) - y)
    jac = sqrt_w[..., None] * model.jacobian(x, params)
    sse = np.einsum("cn,cn->c", res, res)
    normal = np.einsum("cnp,cnq->cpq", jac, jac)
    gradient = np.einsum("cnp,cn->cp", jac, res)
    return sse, normal, gradient


def _scaled_pinv(normal):
    """Pseudo-inverse of each symmetric ``normal`` matrix, columns scaled to unit
    diagonal first (parameters of very different magnitudes), singular directions
    dropped as :func:`scipy.optimize.curve_fit` does. Well-conditioned matrices
    (nearly all) are inverted directly; the rest through their eigenvalues."""
    n = normal.shape[1]
    inverse = np.full_like(normal, np.nan)  # NaN for a curve whose derivatives are not
    finite = np.all(np.isfinite(normal), axis=(1, 2))
    if not finite.any():
        return inverse
    diag = np.sqrt(np.maximum(np.diagonal(normal[finite], axis1=1, axis2=2), 0.0))
    diag = np.where(diag > 0, diag, 1.0)
    scaled = normal[finite] / diag[:, :, None] / diag[:, None, :]
    inner = np.full_like(scaled, np.nan)
    with np.errstate(all="ignore"):
        try:
            inner = np.linalg.inv(scaled)
        except np.linalg.LinAlgError:
            pass
        # a unit-diagonal matrix has eigenvalues <= n: an inverse entry beyond
        # 1 / (eps n) means a singular value below the pseudo-inverse's cut-off
        bad = ~np.all(np.isfinite(inner), axis=(1, 2)) | (
            np.max(np.abs(inner), axis=(1, 2)) > 1.0 / (_EPS * n)
        )
        if bad.any():
            inner[bad] = np.linalg.pinv(scaled[bad], rcond=_EPS * n, hermitian=True)
    inverse[finite] = inner / diag[:, :, None] / diag[:, None, :]
    return inverse


def batch_covariance(function, x, y, weight, params, *, y_grad=None, grad_weight=None,
                     gradient_weight=None):  # fmt: skip
    """Sum of squares and covariance ``s^2 (J^T W J)^+`` of every curve at ``params``.

    Parameters
    ----------
    function : callable
        A closed form (with ``function.partials``).
    x, y, weight : ndarray of shape (n_curves, n_points)
        Padded inputs, targets and weights (0 on padding).
    params : ndarray of shape (n_curves, n_params)
        Parameters, in the form's units.
    y_grad, grad_weight, gradient_weight : ndarray, default=None
        The derivatives, if observed (see :func:`batch_least_squares`).

    Returns
    -------
    sse : ndarray of shape (n_curves,)
        Weighted sum of squares of both blocks.
    covariance : ndarray of shape (n_curves, n_params, n_params)
        ``inf`` for curves without a degree of freedom.
    """
    model = _Residuals(function, y_grad is not None)
    targets, weights = _stacked(y, weight, y_grad, grad_weight, gradient_weight)
    n_points = np.count_nonzero(weights > 0, axis=1)
    n_params = params.shape[1]
    sse, normal, _ = _normal_equations(model, x, targets, np.sqrt(weights), params)
    covariance = _scaled_pinv(normal) * (sse / np.maximum(n_points - n_params, 1))[:, None, None]
    covariance[n_points <= n_params] = np.inf  # no degree of freedom: no estimate
    return sse, covariance


def batch_block_statistics(function, x, y, weight, params, *, y_grad, grad_weight,
                           gradient_weight):  # fmt: skip
    """Each block's sum of squares and share of the degrees of freedom, per curve.

    The batched :func:`skphys._core.block_variances`: ``dof_b = m_b - sum h_ii``
    over the block's residuals, ``h`` the leverages (the diagonal of
    ``J (J^T J)^+ J^T`` of the weighted fit).

    Parameters
    ----------
    function : callable
        A closed form (with ``function.partials``).
    x, y, weight : ndarray of shape (n_curves, n_points)
        Padded inputs, targets and weights (0 on padding).
    params : ndarray of shape (n_curves, n_params)
        Parameters, in the form's units.
    y_grad, grad_weight, gradient_weight : ndarray
        The derivatives (see :func:`batch_least_squares`).

    Returns
    -------
    sse : ndarray of shape (n_curves, 2)
        Sums of squared residuals of the values and of the derivatives, each with
        its point weights and without the block weight: in the units of y and of
        dy/dx, squared.
    dofs : ndarray of shape (n_curves, 2)
        The two shares of the degrees of freedom.
    """
    model = _Residuals(function, True)
    targets, weights = _stacked(y, weight, y_grad, grad_weight, gradient_weight)
    sqrt_w = np.sqrt(weights)
    jac = sqrt_w[..., None] * model.jacobian(x, params)
    leverage = np.einsum("cnp,cpq,cnq->cn", jac, _scaled_pinv(np.einsum("cnp,cnq->cpq", jac, jac)),
                         jac)  # fmt: skip
    n = x.shape[1]
    blocks = (slice(0, n), slice(n, 2 * n))
    own = np.concatenate([weight, grad_weight], axis=1)  # without the block weight
    squares = np.where(weights > 0, own * (model.values(x, params) - targets) ** 2, 0.0)
    sse = np.stack([squares[:, b].sum(axis=1) for b in blocks], axis=1)
    counts = np.stack([np.count_nonzero(weights[:, b] > 0, axis=1) for b in blocks], axis=1)
    used = np.stack([np.where(weights[:, b] > 0, leverage[:, b], 0.0).sum(axis=1)
                     for b in blocks], axis=1)  # fmt: skip
    return sse, counts - used


def batch_least_squares(function, x, y, weight, p0, *, offset_index=None, tol=1e-8,
                        max_iter=200, y_grad=None, grad_weight=None,
                        gradient_weight=None):  # fmt: skip
    """Fit ``y ~ function(x, *params)`` on every curve of a batch at once.

    Parameters
    ----------
    function : callable
        A closed form of :mod:`skphys.functions` (with ``function.partials``),
        ``function(x, p1, p2, ...)``.
    x, y : ndarray of shape (n_curves, n_points)
        Inputs and targets, padded; padding must hold finite values where the form
        is defined (repeat a point of the curve).
    weight : ndarray of shape (n_curves, n_points)
        Non-negative weights, 0 on padding.
    p0 : ndarray of shape (n_curves, n_params)
        Starting parameters.
    offset_index : int, default=None
        Index of an additive constant (E0): solved relative to each curve's lowest
        weighted target, as the single-curve problem does.
    tol : float, default=1e-8
        Relative tolerance of the convergence test (see the module docstring).
    max_iter : int, default=200
        Most Jacobians per curve.
    y_grad : ndarray of shape (n_curves, n_points), default=None
        Observed derivatives of y with respect to x (dE/dV, eV/Å^3, for an
        equation of state); read only where ``grad_weight`` is positive.
    grad_weight : ndarray of shape (n_curves, n_points), default=None
        Non-negative weights of the derivatives, 0 where not observed and on
        padding; needed with ``y_grad``.
    gradient_weight : ndarray of shape (n_curves,), default=None
        Weight of each curve's block of derivatives relative to its values, units
        of x squared; needed with ``y_grad``.

    Returns
    -------
    result : BatchResult
    """
    x, y, weight = (np.asarray(a, dtype=float) for a in (x, y, weight))
    params = np.array(p0, dtype=float)
    n_curves, n_params = params.shape
    valid = weight > 0
    shift = np.zeros(n_curves)
    if offset_index is not None:
        shift = np.min(np.where(valid, y, np.inf), axis=1)
        shift = np.where(np.isfinite(shift), shift, 0.0)
        params[:, offset_index] -= shift
    model = _Residuals(function, y_grad is not None)
    targets, weights = _stacked(y - shift[:, None], weight, y_grad, grad_weight, gradient_weight)
    n_points = np.count_nonzero(weights > 0, axis=1)
    sqrt_w = np.sqrt(weights)
    offset = np.zeros(n_params)
    tol = max(tol, _EPS)

    damping = np.full(n_curves, 1e-3)
    n_iter = np.zeros(n_curves, dtype=int)
    converged = np.zeros(n_curves, dtype=bool)
    status = np.full(n_curves, "max_iter", dtype=object)
    message = np.full(n_curves, f"max_iter={max_iter} iterations were reached", dtype=object)
    sse, _, _ = _normal_equations(model, x, targets, sqrt_w, params)
    failed = ~np.isfinite(sse)
    status[failed] = "failed"
    message[failed] = "the form is not finite at the start"
    active = np.flatnonzero(~failed)
    dof = np.maximum(n_points - n_params, 1)
    while active.size:
        xa, ya, wa, pa = x[active], targets[active], sqrt_w[active], params[active]
        sse_a, normal, gradient = _normal_equations(model, xa, ya, wa, pa)
        finite = np.all(np.isfinite(normal), axis=(1, 2)) & np.all(np.isfinite(gradient), axis=1)
        if not finite.all():
            # derivatives that overflow where the values do not: nothing to step on
            lost = active[~finite]
            status[lost] = "failed"
            message[lost] = "the derivatives are not finite at the parameters reached"
            active, sse_a, normal, gradient = (
                a[finite] for a in (active, sse_a, normal, gradient)
            )
            if not active.size:
                break
            xa, ya, wa, pa = x[active], targets[active], sqrt_w[active], params[active]
        n_iter[active] += 1
        # the test: the Gauss-Newton step against each parameter's size or error
        inverse = _scaled_pinv(normal)
        step = -np.einsum("cpq,cq->cp", inverse, gradient)
        external = pa + np.where(np.arange(n_params) == offset_index, shift[active, None], 0)
        variance = np.abs(np.diagonal(inverse, axis1=1, axis2=2))
        std = np.sqrt(variance * (sse_a / dof[active])[:, None])
        scale = np.maximum(np.abs(external), std)
        done = np.all(np.abs(step) <= _STEP_FACTOR * tol * scale, axis=1)
        converged[active[done]] = True
        status[active[done]] = "converged"
        message[active[done]] = "converged: the Gauss-Newton step is below tol"
        # Levenberg-Marquardt steps for the others, damped until one lowers the SSE
        todo = ~done & (n_iter[active] < max_iter)  # the others keep 'max_iter'
        keep = active[todo]
        if not keep.size:
            break
        normal, gradient, sse_k = normal[todo], gradient[todo], sse_a[todo]
        diag = np.maximum(np.diagonal(normal, axis1=1, axis2=2), _EPS * np.max(
            np.diagonal(normal, axis1=1, axis2=2), axis=1, keepdims=True) + 1e-300)  # fmt: skip
        pending = np.ones(keep.size, dtype=bool)
        while pending.any():
            rows = np.flatnonzero(pending)
            lam = damping[keep[rows]]
            system = normal[rows] + lam[:, None, None] * (diag[rows][:, :, None] * np.eye(n_params))
            with np.errstate(all="ignore"):
                try:
                    delta = np.linalg.solve(system, -gradient[rows][..., None])[..., 0]
                except np.linalg.LinAlgError:  # a singular system: least squares
                    delta = -np.einsum("cpq,cq->cp", np.linalg.pinv(system), gradient[rows])
            trial = params[keep[rows]] + delta
            res = wa[todo][rows] * (model.values(x[keep[rows]], trial) - targets[keep[rows]])
            trial_sse = np.einsum("cn,cn->c", res, res)
            better = np.isfinite(trial_sse) & (trial_sse < sse_k[rows])
            params[keep[rows[better]]] = trial[better]
            damping[keep[rows[better]]] = np.maximum(lam[better] * 0.3, 1e-12)
            worse = rows[~better]
            damping[keep[worse]] *= 10.0
            floor = damping[keep[worse]] > _MAX_DAMPING
            # no step lowers the sum of squares: the rounding floor
            at_floor = keep[worse[floor]]
            converged[at_floor] = True
            status[at_floor] = "converged"
            message[at_floor] = "converged to machine precision: no step lowers the SSE"
            pending[rows[better]] = False
            pending[worse[floor]] = False
        active = keep[~converged[keep]]
    if offset_index is not None:
        offset[offset_index] = 1.0
    params = params + shift[:, None] * offset
    sse, covariance = batch_covariance(
        function, x, y, weight, params, y_grad=y_grad, grad_weight=grad_weight,
        gradient_weight=gradient_weight,
    )  # fmt: skip
    return BatchResult(
        params=params, covariance=covariance, sse=sse, n_points=n_points, n_iter=n_iter,
        converged=converged, status=status.astype(str), message=message.astype(str),
    )  # fmt: skip
