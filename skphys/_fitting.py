"""The one fitting core: weighted least squares of ``model(params, X)`` on ``y``.

Every estimator in skphys reduces its fit to a :class:`LeastSquaresProblem` and
hands it to :func:`solve`; parameter uncertainties come from
:func:`parameter_covariance` and prediction uncertainties from
:func:`prediction_std`. Nothing model-specific lives here.

The objective minimised by every solver is::

    loss(params) = (sum_i w_i ||f(params, x_i) - y_i||^2 + alpha ||params[mask]||^2) / m

with ``m = y.size`` and weights ``w`` normalised to mean one over the samples, so the
loss is the (weighted) mean squared residual when ``alpha = 0``.
"""

import warnings
from dataclasses import dataclass, field

import autograd.numpy as anp
import numpy as np
from autograd import value_and_grad
from scipy import optimize, stats
from sklearn.exceptions import ConvergenceWarning

from ._jacobian import model_jacobian

SOLVERS = ("lm", "trf", "lbfgs", "adam")

# A residual that overflows or is undefined at a trial point is replaced by this
# finite value: the trial step then looks very bad, and the solver backs off
# instead of carrying NaN into the parameters.
_HUGE_RESIDUAL = 1e100


class FitFailedError(RuntimeError):
    """The solver ended on non-finite parameters or a non-finite objective."""


@dataclass
class FitResult:
    """What a solver returns.

    Attributes
    ----------
    params : ndarray of shape (n_params,)
        Final parameters, in the model's units.
    n_iter : int
        Iterations taken ('lm', 'trf': one Jacobian evaluation each).
    loss : float
        Final value of the objective (see the module docstring).
    loss_curve : list of float
        Objective at the start and after every iteration: ``n_iter + 1`` values.
    converged : bool
        Whether the solver's own stopping test was met.
    message : str
        The solver's account of why it stopped.
    """

    params: np.ndarray
    n_iter: int
    loss: float
    loss_curve: list = field(default_factory=list)
    converged: bool = True
    message: str = ""


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
        Relative weights (normalised to mean one). ``None`` weighs samples equally.
    jacobian : {'broadcast', 'rows', 'reverse'}, default='broadcast'
        How to build the Jacobian (see :func:`skphys._jacobian.model_jacobian`).
    alpha : float, default=0.0
        Strength of the L2 penalty on ``params[penalty_mask]``.
    penalty_mask : ndarray of bool of shape (n_params,), default=None
        Which parameters are penalised; ``None`` means all of them.
    """

    def __init__(
        self,
        model,
        X,
        y,
        *,
        sample_weight=None,
        jacobian="broadcast",
        alpha=0.0,
        penalty_mask=None,
    ):
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
        self.sqrt_weight = np.repeat(np.sqrt(weight), n_outputs)
        self.n_data = self.target.size
        self.n_effective = np.count_nonzero(weight) * n_outputs
        self.jacobian_method = jacobian
        self.alpha = float(alpha)
        self.penalty_mask = penalty_mask
        self.last_jacobian = None

    # -- residuals and their Jacobian (used by 'lm' and 'trf') ---------------------
    def _penalty_rows(self, n_params):
        mask = np.ones(n_params, bool) if self.penalty_mask is None else self.penalty_mask
        return np.sqrt(self.alpha) * np.eye(n_params)[mask]

    def data_residuals(self, params):
        """Weighted residuals ``sqrt(w) (f - y)`` of the data, shape (m,)."""
        with np.errstate(all="ignore"):
            pred = np.asarray(self.model(params, self.X), dtype=float)
            if pred.size != self.n_data:
                raise ValueError(
                    f"The model returned an array of shape {pred.shape} for X of shape "
                    f"{self.X.shape}; expected {self.y.shape}."
                )
            return self.sqrt_weight * (pred.ravel() - self.target)

    def residuals(self, params):
        """All residuals the solver sees: data rows, then penalty rows."""
        res = self.data_residuals(params)
        if self.alpha > 0:
            res = np.concatenate([res, self._penalty_rows(params.shape[0]) @ params])
        bad = ~np.isfinite(res)
        return np.where(bad, _HUGE_RESIDUAL, res) if bad.any() else res

    def data_jacobian(self, params):
        """Jacobian of :meth:`data_residuals`, shape (m, n_params).

        The last one computed is kept (see :attr:`last_jacobian`) and returned
        again for the same ``params``.
        """
        last = self.last_jacobian
        if last is not None and np.array_equal(last[0], params):
            return last[1]
        with np.errstate(all="ignore"):
            jac = model_jacobian(self.model, params, self.X, self.jacobian_method)
        jac = self.sqrt_weight[:, None] * jac
        self.last_jacobian = (np.array(params), jac)
        return jac

    def jacobian(self, params):
        """Jacobian of :meth:`residuals`, shape (m [+ n_penalised], n_params)."""
        jac = self.data_jacobian(params)
        if self.alpha > 0:
            jac = np.vstack([jac, self._penalty_rows(params.shape[0])])
        return np.where(np.isfinite(jac), jac, 0.0)

    # -- scalar objective and its gradient (used by 'lbfgs' and 'adam') ------------
    def _objective(self, params):
        pred = self.model(params, self.X)
        res = self.sqrt_weight * (anp.ravel(pred) - self.target)
        total = anp.sum(res**2)
        if self.alpha > 0:
            penalised = params if self.penalty_mask is None else params[self.penalty_mask]
            total = total + self.alpha * anp.sum(penalised**2)
        return total / self.n_data

    def loss(self, params):
        """Objective value at ``params`` (see the module docstring)."""
        res = self.residuals(params)
        with np.errstate(over="ignore"):
            return float(res @ res) / self.n_data

    def value_and_grad(self, params):
        """Objective and its autograd gradient; non-finite values become huge."""
        with np.errstate(all="ignore"):
            value, grad = value_and_grad(self._objective)(params)
        value = float(value)
        grad = np.asarray(grad, dtype=float)
        if not np.isfinite(value) or not np.all(np.isfinite(grad)):
            return _HUGE_RESIDUAL, np.zeros_like(params)
        return value, grad


class _Recorder:
    """Keeps the loss curve, prints progress and calls the user's callback."""

    def __init__(self, callback, verbose):
        self.callback = callback
        self.verbose = verbose
        self.curve = []

    def __call__(self, params, loss):
        self.curve.append(float(loss))
        iteration = len(self.curve)
        if self.verbose:
            print(f"Iteration {iteration}, loss = {loss:.8g}")
        if self.callback is not None:
            try:
                self.callback(np.array(params), iteration, float(loss))
            except StopIteration:
                # The callback ends the fit here, as scipy.optimize.minimize allows.
                raise _StopRequested(np.array(params)) from None


class _StopRequested(Exception):
    """Raised through the solver when the callback raises StopIteration."""

    def __init__(self, params):
        super().__init__()
        self.params = params


def _solve_least_squares(problem, x0, method, bounds, max_iter, tol, recorder):
    cache = {}

    def fun(x):
        cache["x"], cache["r"] = x.copy(), problem.residuals(x)
        return cache["r"]

    def jac(x):
        # MINPACK and 'trf' ask for the Jacobian once per accepted iterate, right
        # after the residuals there: that is the point to record the loss (once:
        # ``leastsq`` also calls it at x0 to check its shape).
        if "recorded" not in cache or not np.array_equal(cache["recorded"], x):
            cache["recorded"] = x.copy()
            if "x" in cache and np.array_equal(cache["x"], x):
                res = cache["r"]
            else:
                res = problem.residuals(x)
            with np.errstate(over="ignore"):
                recorder(x, float(res @ res) / problem.n_data)
        return problem.jacobian(x)

    if method == "lm":
        # ``leastsq`` drives MINPACK's lmder directly; ``least_squares(method='lm')``
        # wraps the same code but evaluates an extra Jacobian at x0 first.
        x, _, info, message, ier = optimize.leastsq(
            fun, x0, Dfun=jac, full_output=True, ftol=tol, xtol=tol, gtol=tol, maxfev=max_iter
        )
        return x, info["njev"], ier in (1, 2, 3, 4), message
    res = optimize.least_squares(
        fun,
        x0,
        jac=jac,
        method=method,
        bounds=bounds,
        x_scale="jac",
        ftol=tol,
        xtol=tol,
        gtol=tol,
        max_nfev=max_iter,
    )
    return res.x, res.njev, res.status > 0, res.message


def _solve_lbfgs(problem, x0, bounds, max_iter, tol, recorder):
    # L-BFGS-B's stopping tests are absolute; scaling the objective by its
    # starting value makes ``tol`` relative, as it is for the other solvers.
    scale = _initial_scale(problem, x0)

    def fun(x):
        value, grad = problem.value_and_grad(x)
        return value / scale, grad / scale

    def callback(intermediate_result):
        recorder(intermediate_result.x, intermediate_result.fun * scale)

    recorder(x0, problem.loss(x0))

    res = optimize.minimize(
        fun,
        x0,
        jac=True,
        method="L-BFGS-B",
        bounds=optimize.Bounds(*bounds),
        callback=callback,
        options={"maxiter": max_iter, "ftol": tol, "gtol": tol},
    )
    return res.x, res.nit, res.status != 1, str(res.message)


def _initial_scale(problem, x0):
    """Objective at ``x0`` (1 if it is zero): divides the objective for the
    gradient-based solvers, so their tolerances and Adam's epsilon do not depend on
    the units of y."""
    value = problem.value_and_grad(x0)[0]
    return value if np.isfinite(value) and 0 < value < _HUGE_RESIDUAL else 1.0


def _solve_adam(problem, x0, bounds, max_iter, tol, learning_rate, recorder):
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    scale = _initial_scale(problem, x0)
    x = last_finite = x0.copy()
    first = np.zeros_like(x)
    second = np.zeros_like(x)
    for iteration in range(1, max_iter + 1):
        value, grad = problem.value_and_grad(x)
        if value >= _HUGE_RESIDUAL:
            return last_finite, iteration - 1, False, (
                f"adam diverged at iteration {iteration}: the objective is not finite; "
                "the last finite parameters are returned. Lower learning_rate."
            )
        last_finite = x
        recorder(x, value)
        if value < tol:
            return x, iteration - 1, True, f"objective {value:.3g} fell below tol={tol:g}"
        grad = grad / scale
        first = beta1 * first + (1 - beta1) * grad
        second = beta2 * second + (1 - beta2) * grad**2
        step = first / (1 - beta1**iteration) / (np.sqrt(second / (1 - beta2**iteration)) + eps)
        x = np.clip(x - learning_rate * step, bounds[0], bounds[1])
    value = problem.value_and_grad(x)[0]
    converged = value < tol
    return x, max_iter, converged, f"objective {value:.3g} after max_iter={max_iter} steps"


def solve(
    problem,
    x0,
    *,
    solver="lm",
    bounds=None,
    max_iter=1000,
    tol=1e-8,
    learning_rate=1e-3,
    callback=None,
    verbose=0,
):
    """Minimise the problem's objective from ``x0`` with the chosen solver.

    Parameters
    ----------
    problem : LeastSquaresProblem
        What to minimise.
    x0 : ndarray of shape (n_params,)
        Starting parameters. The model must be finite there.
    solver : {'lm', 'trf', 'lbfgs', 'adam'}, default='lm'
        'lm' (Levenberg-Marquardt, MINPACK) and 'trf' (trust region reflective,
        honours ``bounds``) from :func:`scipy.optimize.least_squares` on the autograd
        Jacobian; 'lbfgs' is L-BFGS-B on the autograd gradient; 'adam' is Adam.
    bounds : tuple of two ndarray of shape (n_params,), default=None
        Lower and upper bounds. Not accepted by 'lm'.
    max_iter : int, default=1000
        Residual evaluations for 'lm' and 'trf' (scipy's ``max_nfev``), iterations
        for 'lbfgs', steps for 'adam'.
    tol : float, default=1e-8
        'lm', 'trf': ``ftol = xtol = gtol``; 'lbfgs': ``ftol = gtol`` on the objective
        scaled to one at ``x0``; 'adam': stop once the objective falls below ``tol``.
    learning_rate : float, default=1e-3
        Adam's step size.
    callback : callable, default=None
        ``callback(params, iteration, loss)`` after every iteration. Raising
        ``StopIteration`` in it ends the fit at those parameters (reported as
        converged), as :func:`scipy.optimize.minimize` allows.
    verbose : int, default=0
        Print the loss at every iteration when positive.

    Returns
    -------
    result : FitResult

    Warns
    -----
    sklearn.exceptions.ConvergenceWarning
        When the solver stops without meeting its convergence test.

    Raises
    ------
    ValueError
        When the objective is not finite at ``x0``, or ``bounds`` are given to 'lm'.
    FitFailedError
        When the solver ends on non-finite parameters.
    """
    x0 = np.asarray(x0, dtype=float)
    n_params = x0.shape[0]
    if bounds is None:
        bounds = (np.full(n_params, -np.inf), np.full(n_params, np.inf))
    elif solver == "lm" and np.any(np.isfinite(np.concatenate(bounds))):
        raise ValueError("solver='lm' does not support bounds; use solver='trf' (or 'lbfgs').")
    initial = problem.data_residuals(x0)
    if not np.all(np.isfinite(initial)):
        raise ValueError(
            f"The model is not finite at the initial parameters {x0.tolist()}; "
            "give p0 where the model is defined for every sample."
        )
    recorder = _Recorder(callback, verbose)
    stopped = False
    try:
        if solver in ("lm", "trf"):
            params, n_iter, converged, message = _solve_least_squares(
                problem, x0, solver, bounds, max_iter, tol, recorder
            )
        elif solver == "lbfgs":
            params, n_iter, converged, message = _solve_lbfgs(
                problem, x0, bounds, max_iter, tol, recorder
            )
        elif solver == "adam":
            params, n_iter, converged, message = _solve_adam(
                problem, x0, bounds, max_iter, tol, learning_rate, recorder
            )
        else:
            raise ValueError(f"solver must be one of {SOLVERS}, got {solver!r}.")
    except _StopRequested as stop:
        params, n_iter, converged = stop.params, len(recorder.curve) - 1, True
        message = f"the callback stopped the fit after {n_iter} iterations"
        stopped = True  # the curve already ends with the loss at these params

    loss = problem.loss(params)
    if not np.all(np.isfinite(params)) or not np.isfinite(loss) or loss >= _HUGE_RESIDUAL:
        raise FitFailedError(
            f"solver={solver!r} ended on non-finite parameters or objective ({message}). "
            "Give a better p0, bounds, or another solver."
        )
    # The curve holds the loss at x0, then after every iteration:
    # len(loss_curve) == n_iter + 1. 'lm' and 'trf' record at the start of each
    # iteration (one Jacobian each), so the loss after the last one is added;
    # 'lbfgs' and 'adam' record after each iteration, and add it unless recorded.
    last = recorder.curve[-1] if recorder.curve else np.nan
    if (solver in ("lm", "trf") and not stopped) or not np.isclose(last, loss, rtol=1e-10, atol=0):
        recorder.curve.append(loss)
    if not converged:
        warnings.warn(
            f"solver={solver!r} stopped without converging after max_iter={max_iter} "
            f"({message}). Increase max_iter, loosen tol or improve p0.",
            ConvergenceWarning,
            stacklevel=4,  # solve, the estimator's fit, scikit-learn's fit wrapper, caller
        )
    return FitResult(
        params=params,
        n_iter=int(n_iter),
        loss=loss,
        loss_curve=recorder.curve,
        converged=bool(converged),
        message=str(message),
    )


def parameter_covariance(problem, params, ridge=None):
    """Covariance of the fitted parameters from the Jacobian at the optimum.

    ``pcov = s^2 (J^T J + R)^+`` with ``s^2 = sum(w r^2) / (m - n_params)``, where
    ``J`` is the Jacobian of the weighted data residuals, ``R`` the optional ridge
    matrix and ``^+`` the pseudo-inverse (singular directions discarded as in
    :func:`scipy.optimize.curve_fit`). With a ridge, ``n_params`` is replaced by the
    effective number of parameters ``trace(J (J^T J + R)^+ J^T)``.

    Parameters
    ----------
    problem : LeastSquaresProblem
        The fitted problem.
    params : ndarray of shape (n_params,)
        Fitted parameters.
    ridge : ndarray of shape (n_params,), default=None
        Diagonal of ``R``.

    Returns
    -------
    pcov : ndarray of shape (n_params, n_params)
        Filled with ``inf`` when it cannot be estimated (no degree of freedom).
    residual_variance : float
        ``s^2``, the variance of one observation of unit weight.
    dof : int or float
        Degrees of freedom ``m - n_params`` (a float with a ridge).
    factor : ndarray of shape (n_params, k)
        ``L`` with ``pcov = L L^T``, straight from the decomposition of ``J``: what
        :func:`prediction_std` needs to stay accurate when ``pcov`` is
        ill-conditioned (``inf`` where ``pcov`` is).
    """
    n_params = params.shape[0]
    residuals = problem.data_residuals(params)
    # The Jacobian at the optimum itself: one from an earlier iterate can be far
    # off where the parameters are poorly determined.
    jac = problem.data_jacobian(params)
    factor = covariance_factor(jac, ridge)
    if ridge is None:
        dof = problem.n_effective - n_params
    else:
        # A ridge shrinks the parameters rather than leaving them free: they count
        # by the trace of the hat matrix J (J^T J + R)^+ J^T (the effective degrees
        # of freedom of ridge regression), which stays below m for any n_params.
        dof = problem.n_effective - float(np.sum((jac @ factor) ** 2))
    if dof <= 0:
        infinite = np.full((n_params, n_params), np.inf)
        return infinite, np.inf, dof, infinite
    residual_variance = float(residuals @ residuals) / dof
    factor = factor * np.sqrt(residual_variance)
    return factor @ factor.T, residual_variance, dof, factor


def covariance_factor(jac, ridge=None):
    """``L`` with ``(J^T J + diag(ridge))^+ = L L^T``.

    Without a ridge, ``L = V S^-1`` from the singular value decomposition of ``J``,
    singular directions dropped as :func:`scipy.optimize.curve_fit` does; with one,
    from the eigendecomposition of the (then well-conditioned) normal matrix. The
    columns of ``J`` are scaled to unit norm first: parameters of very different
    magnitudes (A ~ 1e5 eV and B ~ 4 1/Å in a Buckingham potential) otherwise make
    the smallest singular value look like rounding noise and lose its direction.

    Parameters
    ----------
    jac : ndarray of shape (m, n_params)
        Jacobian of the weighted residuals.
    ridge : ndarray of shape (n_params,), default=None
        Diagonal of the ridge matrix.

    Returns
    -------
    factor : ndarray of shape (n_params, k)
        ``k`` is the number of directions kept.
    """
    norms = np.linalg.norm(jac, axis=0)
    norms = np.where(norms > 0, norms, 1.0)
    scaled = jac / norms
    if ridge is None:
        _, sing, vt = np.linalg.svd(scaled, full_matrices=False)
        keep = sing > np.finfo(float).eps * max(jac.shape) * sing[0]
        factor = vt[keep].T / sing[keep]
    else:
        values, vectors = np.linalg.eigh(scaled.T @ scaled + np.diag(ridge / norms**2))
        keep = values > np.finfo(float).eps * max(jac.shape) * values[-1]
        factor = vectors[:, keep] / np.sqrt(values[keep])
    return factor / norms[:, None]


def inverse_normal_matrix(jac, ridge=None):
    """``(J^T J + diag(ridge))^+`` (see :func:`covariance_factor`).

    Parameters
    ----------
    jac : ndarray of shape (m, n_params)
        Jacobian of the weighted residuals.
    ridge : ndarray of shape (n_params,), default=None
        Diagonal of the ridge matrix.

    Returns
    -------
    inverse : ndarray of shape (n_params, n_params)
    """
    factor = covariance_factor(jac, ridge)
    return factor @ factor.T


def prediction_std(model, params, factor, X, jacobian_method):
    """Delta-method standard deviation of ``model(params, X)``.

    Parameters
    ----------
    model : callable
        ``model(params, X)``.
    params : ndarray of shape (n_params,)
        Fitted parameters.
    factor : ndarray of shape (n_params, k)
        ``L`` with ``pcov = L L^T`` (from :func:`parameter_covariance`).
    X : ndarray of shape (n_samples, n_features)
        Where to evaluate.
    jacobian_method : {'broadcast', 'rows', 'reverse'}
        How to build the Jacobian.

    Returns
    -------
    std : ndarray of shape (n_samples * n_outputs,)
        ``sqrt(diag(J pcov J^T))``, computed as the row norms of ``J L``: with an
        ill-conditioned ``pcov`` the sum ``J pcov J^T`` cancels to noise or to
        negative variances, the norms cannot (at a training point ``J L`` is a row
        of ``U`` of the decomposition, whose norm is at most ``s``).
    """
    with np.errstate(all="ignore"):
        jac = model_jacobian(model, params, X, jacobian_method)
        return np.linalg.norm(jac @ factor, axis=1)


def student_t_quantile(alpha, dof):
    """Two-sided Student t quantile ``t_{1 - alpha/2, dof}`` (``inf`` without dof)."""
    if dof <= 0:
        return np.inf
    return float(stats.t.ppf(1.0 - alpha / 2.0, dof))
