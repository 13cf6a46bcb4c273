"""The solvers, behind one signature.

Each solver is ``solver(problem, x0, *, bounds, max_iter, tol, learning_rate,
record) -> Outcome`` in the solvers' coordinates of a
:class:`~skphys._core.LeastSquaresProblem`. ``record(x, loss)`` is called at the
start and after every iteration; it raises :class:`Stop` when ``max_iter``
iterations are done or the user's callback asks to stop, and the solver lets it
through. An iteration is one Jacobian for 'lm' and 'trf' (an accepted step), one
iteration of L-BFGS-B, one step of Adam: ``max_iter`` caps what ``n_iter_`` counts.
"""

from dataclasses import dataclass

import numpy as np
from scipy import optimize

from ._problem import HUGE_RESIDUAL

_EPS = np.finfo(float).eps

# L-BFGS-B counts as converged while one Gauss-Newton step would lower the sum of
# squares by at most this many times tol (relative): it stops on the objective
# scaled to its start, often orders of magnitude above the optimum, so allow it
# 100 tol, within 10 sqrt(tol dof) standard errors of the optimum ('lm' stops
# within about sqrt(tol dof)).
_LBFGS_STALL = 100.0

# 'lm' and 'trf' go on past their relative-reduction test while the Gauss-Newton
# step would move some parameter by more than this many times tol of its size.
# (10 tol: parameters within ~1e-7 of the optimum at the default tol, 6.5 digits or
# more on all 54 NIST StRD cases, at no cost where 'lm' ends closer than that.)
_STEP_FACTOR = 10.0


@dataclass
class Outcome:
    """How a solver ended.

    Attributes
    ----------
    x : ndarray of shape (n_params,)
        Final parameters, in the solvers' coordinates.
    converged : bool
        Whether the solver's own convergence test was met.
    status : str
        Why it stopped: 'converged', 'max_iter', 'callback', 'max_evaluations',
        'line_search', 'stalled' or 'diverged'.
    message : str
        The same, in words, with the test or the limit that stopped it.
    """

    x: np.ndarray
    converged: bool
    status: str
    message: str


class Stop(Exception):
    """Raised by the recorder through a solver to end the fit at ``x``."""

    def __init__(self, x, status, message):
        super().__init__(message)
        self.x = np.array(x)
        self.status = status
        self.message = message


def _least_squares(problem, x0, *, method, bounds, max_iter, tol, record):
    """'lm' (MINPACK's lmder) and 'trf' on the exact Jacobian.

    Their relative-reduction test (``ftol``) also ends a fit that converges only
    linearly (a large residual, a curved valley), parameters still 3-4 digits from
    the optimum (NIST's ENSO, MGH09, Thurber). Where the Gauss-Newton step from the
    end point would still move a parameter by more than :data:`_STEP_FACTOR` tol of
    its size, the solver goes on from there on its step test alone.
    """
    recorded = {}

    def jac(x):
        # Both ask for the Jacobian once per accepted iterate, right after the
        # residuals there: that is where an iteration ends (once: ``leastsq`` also
        # calls it at x0 to check its shape, and a continued run at its start).
        if "x" not in recorded or not np.array_equal(recorded["x"], x):
            recorded["x"] = x.copy()
            record(x, problem.loss_of_residuals(problem.residuals(x)))
        return problem.jacobian(x)

    # Rejected trial steps cost residuals but no Jacobian: leave room for many
    # of them per iteration, so that max_iter, not this, ends a slow fit.
    max_evaluations = 100 * (max_iter + 1) * (x0.shape[0] + 1)
    tol = max(tol, _EPS)  # tol=0 asks for machine precision
    run = _lmder if method == "lm" else _trf
    outcome = run(problem, x0, jac, bounds, tol, tol, max_evaluations)
    if outcome.converged:
        # The parameters as the model will see them (the offset added and taken
        # off again): the residuals and Jacobian the check computes there are the
        # ones the covariance asks for.
        outcome.x = problem.internal(problem.external(outcome.x))
        if _short_of_optimum(problem, outcome.x, bounds, tol):
            # ftol and gtol at rounding level: the step test ends it, after at
            # least one step (MINPACK tests the gradient before stepping)
            outcome = run(problem, outcome.x, jac, bounds, _EPS, tol, max_evaluations)
    return outcome


def _lmder(problem, x0, jac, bounds, ftol, xtol, max_evaluations):
    # ``ftol`` also sets gtol: both are the tests a continued run turns off
    # ``leastsq`` drives MINPACK's lmder directly; ``least_squares(method='lm')``
    # wraps the same code but evaluates an extra Jacobian at x0 first.
    x, _, _, message, ier = optimize.leastsq(
        problem.residuals, x0, Dfun=jac, full_output=True, ftol=ftol, xtol=xtol, gtol=ftol,
        maxfev=max_evaluations,
    )  # fmt: skip
    if ier in (1, 2, 3, 4):
        return Outcome(x, True, "converged", f"converged: {message}")
    if ier in (6, 7, 8):
        # MINPACK: the tolerance is below what rounding allows; the fit is as
        # good as floating point makes it.
        return Outcome(x, True, "converged", f"converged to machine precision: {message}")
    if ier == 5:
        return Outcome(x, False, "max_evaluations", f"MINPACK's cap of {max_evaluations} "
                       "residual evaluations was reached")  # fmt: skip
    return Outcome(x, False, "diverged", str(message))


def _trf(problem, x0, jac, bounds, ftol, xtol, max_evaluations):
    res = optimize.least_squares(
        problem.residuals, x0, jac=jac, method="trf", bounds=bounds, x_scale="jac", ftol=ftol,
        xtol=xtol, gtol=ftol, max_nfev=max_evaluations,
    )  # fmt: skip
    if res.status > 0:
        return Outcome(res.x, True, "converged", f"converged: {res.message}")
    if res.status == 0:
        message = f"the cap of {max_evaluations} residual evaluations was reached"
        return Outcome(res.x, False, "max_evaluations", message)
    return Outcome(res.x, False, "diverged", str(res.message))


def _short_of_optimum(problem, x, bounds, tol):
    """Whether the Gauss-Newton step from ``x`` moves a free parameter by more than
    :data:`_STEP_FACTOR` tol of its size (or of its standard error, if larger).

    The step is the least-squares solution of ``J dx = -r`` over the parameters not
    at a bound, singular directions dropped as for the covariance; near the
    optimum it is the distance to it (exactly so for a small residual). The
    Jacobian and residuals at the end point are the ones the covariance uses next.
    """
    res, jac = problem.residuals(x), problem.jacobian(x)
    params = problem.external(x)
    free = (x > bounds[0]) & (x < bounds[1])
    if not free.any() or not np.all(np.abs(res) < HUGE_RESIDUAL):
        return False
    u, s, vt = np.linalg.svd(jac[:, free], full_matrices=False)
    kept = s > s[0] * _EPS * max(jac.shape)
    if not kept.any():
        return False
    inverse = vt[kept].T / s[kept]  # (J^T J)^+ = inverse @ inverse.T
    step = -inverse @ (u[:, kept].T @ res)
    dof = max(res.shape[0] - int(np.count_nonzero(kept)), 1)
    std = np.sqrt(np.sum(inverse**2, axis=1) * float(res @ res) / dof)
    scale = np.maximum(np.abs(params[free]), std)
    return bool(np.any(np.abs(step) > _STEP_FACTOR * tol * scale))


def lm(problem, x0, *, bounds, max_iter, tol, learning_rate, record):
    """Levenberg-Marquardt (MINPACK), unbounded."""
    return _least_squares(problem, x0, method="lm", bounds=bounds, max_iter=max_iter, tol=tol,
                          record=record)  # fmt: skip


def trf(problem, x0, *, bounds, max_iter, tol, learning_rate, record):
    """Trust region reflective, with bounds."""
    return _least_squares(problem, x0, method="trf", bounds=bounds, max_iter=max_iter, tol=tol,
                          record=record)  # fmt: skip


def _initial_scale(problem, x0):
    """Objective at ``x0`` (1 if it is zero): divides the objective for the
    gradient-based solvers, so their tolerances and Adam's epsilon do not depend on
    the units of y."""
    value = problem.value_and_grad(x0)[0]
    return value if np.isfinite(value) and 0 < value < HUGE_RESIDUAL else 1.0


def lbfgs(problem, x0, *, bounds, max_iter, tol, learning_rate, record):
    """L-BFGS-B on the autograd gradient.

    Its stopping tests are absolute; the objective divided by its starting value
    makes ``tol`` relative, as it is for the other solvers.
    """
    scale = _initial_scale(problem, x0)

    def fun(x):
        value, grad = problem.value_and_grad(x)
        return value / scale, grad / scale

    def callback(intermediate_result):
        record(intermediate_result.x, intermediate_result.fun * scale)

    record(x0, problem.loss(x0))
    res = optimize.minimize(
        fun, x0, jac=True, method="L-BFGS-B", bounds=optimize.Bounds(*bounds),
        callback=callback,
        options={"maxiter": max_iter + 1, "maxfun": 20 * (max_iter + 1), "ftol": tol,
                 "gtol": tol},
    )  # fmt: skip
    x = res.x
    message = str(res.message)
    if res.status == 0:
        reduction = _gauss_newton_reduction(problem, x)
        if reduction > _LBFGS_STALL * max(tol, _EPS):
            # L-BFGS-B's relative-reduction test also ends a fit that merely crawls
            # (badly scaled parameters): one Gauss-Newton step from here would still
            # lower the sum of squares by more than the tolerance allows.
            return Outcome(x, False, "stalled", (
                f"L-BFGS-B stopped on its own test ({message}) short of the optimum: one "
                f"Gauss-Newton step would lower the sum of squares by {reduction:.2g} of "
                f"itself ({_LBFGS_STALL:g} tol = {_LBFGS_STALL * max(tol, _EPS):.2g} allowed)"
            ))  # fmt: skip
        return Outcome(x, True, "converged", f"converged: {message}")
    if res.status == 1:
        return Outcome(x, False, "max_evaluations", message)
    # status 2, 'ABNORMAL': the line search found no step that lowers the
    # objective, away from any point where the gradient vanishes.
    return Outcome(x, False, "line_search", f"the line search failed ({message})")


def _gauss_newton_reduction(problem, x):
    """Relative decrease of the sum of squares one Gauss-Newton step would bring.

    ``||J dx||^2 / ||r||^2`` with ``dx`` the least-squares step (penalty rows
    included). Where it is ``q``, the parameters lie about ``sqrt(q dof)`` standard
    errors from the optimum (to second order), whatever their scales.
    """
    res, jac = problem.residuals(x), problem.jacobian(x)
    total = float(res @ res)
    if total == 0.0:
        return 0.0
    step = np.linalg.lstsq(jac, res, rcond=None)[0]
    explained = jac @ step
    return float(explained @ explained) / total


def adam(problem, x0, *, bounds, max_iter, tol, learning_rate, record):
    """Adam steps of ``learning_rate`` until the loss falls below ``tol``."""
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    scale = _initial_scale(problem, x0)
    x = last_finite = x0.copy()
    first = np.zeros_like(x)
    second = np.zeros_like(x)
    for step in range(1, max_iter + 2):
        value, grad = problem.value_and_grad(x)
        if value >= HUGE_RESIDUAL:
            return Outcome(last_finite, False, "diverged", (
                f"adam diverged at step {step}: the objective is not finite; the last "
                "finite parameters are returned. Lower learning_rate."
            ))  # fmt: skip
        last_finite = x
        if value < tol:
            record(x, value)
            return Outcome(x, True, "converged", f"converged: objective {value:.3g} fell "
                           f"below tol={tol:g}")  # fmt: skip
        record(x, value)  # raises Stop after max_iter steps
        grad = grad / scale
        first = beta1 * first + (1 - beta1) * grad
        second = beta2 * second + (1 - beta2) * grad**2
        update = first / (1 - beta1**step) / (np.sqrt(second / (1 - beta2**step)) + eps)
        x = np.clip(x - learning_rate * update, bounds[0], bounds[1])
    raise AssertionError("unreachable: the recorder stops after max_iter steps")


SOLVERS = {"lm": lm, "trf": trf, "lbfgs": lbfgs, "adam": adam}
