"""One fit (:func:`solve`) and the best of several starts (:func:`solve_best`)."""

import warnings
from dataclasses import dataclass, field

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ..exceptions import FitFailedError
from ._problem import HUGE_RESIDUAL
from ._solvers import SOLVERS, Stop
from ._warn import warn


@dataclass
class FitResult:
    """What :func:`solve` returns.

    Attributes
    ----------
    params : ndarray of shape (n_params,)
        Final parameters, in the model's units.
    n_iter : int
        Iterations taken (see :mod:`skphys._core._solvers`).
    loss : float
        Final value of the objective (see :mod:`skphys._core._problem`).
    loss_curve : list of float
        Objective at the start and after every iteration: ``n_iter + 1`` values.
    converged : bool
        Whether the solver's convergence test was met (or the callback ended the
        fit).
    status : str
        'converged', 'callback', 'max_iter', 'max_evaluations', 'line_search',
        'stalled' or 'diverged'.
    message : str
        Why the fit stopped, in words.
    """

    params: np.ndarray
    n_iter: int
    loss: float
    loss_curve: list = field(default_factory=list)
    converged: bool = True
    status: str = "converged"
    message: str = ""


class _Recorder:
    """Keeps the loss curve, prints progress, calls the callback, enforces max_iter."""

    def __init__(self, problem, callback, verbose, max_iter):
        self.problem = problem
        self.callback = callback
        self.verbose = verbose
        self.max_iter = max_iter
        self.curve = []
        self.last_x = None

    def __call__(self, x, loss):
        self.curve.append(float(loss))
        self.last_x = np.array(x)
        # iterations done so far; the callback and the printout count the starting
        # point as 1, as they always have
        iteration = len(self.curve) - 1
        if self.verbose:
            print(f"Iteration {iteration + 1}, loss = {loss:.8g}")
        if self.callback is not None:
            try:
                self.callback(self.problem.external(np.array(x)), iteration + 1, float(loss))
            except StopIteration:
                # The callback ends the fit here, as scipy.optimize.minimize allows.
                raise Stop(x, "callback", f"the callback stopped the fit after {iteration} "
                           "iterations") from None  # fmt: skip
        if iteration >= self.max_iter:
            raise Stop(x, "max_iter", f"max_iter={self.max_iter} iterations were reached")


_ADVICE = {
    "max_iter": "Increase max_iter, or improve p0.",
    "max_evaluations": "Improve p0, or rescale the parameters.",
    "line_search": "Use solver='lm' or 'trf', or rescale the parameters.",
    "stalled": "Use solver='lm' or 'trf', or rescale the parameters.",
    "diverged": "Lower learning_rate, or use solver='lm'.",
}


def solve(
    problem, x0, *, solver="lm", bounds=None, max_iter=1000, tol=1e-8, learning_rate=1e-3,
    callback=None, verbose=0,
):  # fmt: skip
    """Minimise the problem's objective from ``x0`` with the chosen solver.

    Parameters
    ----------
    problem : LeastSquaresProblem
        What to minimise.
    x0 : ndarray of shape (n_params,)
        Starting parameters, in the model's units. The model must be finite there.
    solver : {'lm', 'trf', 'lbfgs', 'adam'}, default='lm'
        'lm' (Levenberg-Marquardt, MINPACK) and 'trf' (trust region reflective,
        honours ``bounds``) on the autograd Jacobian; 'lbfgs' is L-BFGS-B on the
        autograd gradient; 'adam' is Adam.
    bounds : tuple of two ndarray of shape (n_params,), default=None
        Lower and upper bounds, in the model's units. Not accepted by 'lm'.
    max_iter : int, default=1000
        Most iterations: Jacobians ('lm', 'trf'), iterations ('lbfgs'), steps
        ('adam').
    tol : float, default=1e-8
        'lm', 'trf': ``ftol = xtol = gtol`` (0 asks for machine precision);
        'lbfgs': ``ftol = gtol`` on the objective scaled to one at ``x0``; 'adam':
        stop once the objective falls below ``tol``.
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
        When the solver stops without meeting its convergence test; the message
        says what stopped it.

    Raises
    ------
    ValueError
        When the objective is not finite at ``x0``, or ``bounds`` are given to 'lm'.
    FitFailedError
        When the solver ends on non-finite parameters.
    """
    if solver not in SOLVERS:
        raise ValueError(f"solver must be one of {tuple(SOLVERS)}, got {solver!r}.")
    x0 = np.asarray(x0, dtype=float)
    n_params = x0.shape[0]
    if bounds is None:
        bounds = (np.full(n_params, -np.inf), np.full(n_params, np.inf))
    elif solver == "lm" and np.any(np.isfinite(np.concatenate(bounds))):
        raise ValueError("solver='lm' does not support bounds; use solver='trf' (or 'lbfgs').")
    start = problem.internal(x0)
    if not np.all(np.isfinite(problem.data_residuals(start))):
        raise ValueError(
            f"The model is not finite at the initial parameters {x0.tolist()}; "
            "give p0 where the model is defined for every sample."
        )
    internal_bounds = (problem.internal(bounds[0]), problem.internal(bounds[1]))
    recorder = _Recorder(problem, callback, verbose, max_iter)
    try:
        outcome = SOLVERS[solver](
            problem, start, bounds=internal_bounds, max_iter=max_iter, tol=tol,
            learning_rate=learning_rate, record=recorder,
        )  # fmt: skip
        x, converged, status, message = (
            outcome.x, outcome.converged, outcome.status, outcome.message
        )
    except Stop as stop:
        # the curve already ends with the loss at these parameters
        x, converged, status, message = stop.x, stop.status == "callback", stop.status, stop.message
    loss = problem.loss(x)
    if not np.all(np.isfinite(x)) or not np.isfinite(loss) or loss >= HUGE_RESIDUAL:
        raise FitFailedError(
            f"solver={solver!r} ended on non-finite parameters or objective ({message}). "
            "Give a better p0, bounds, or another solver."
        )
    # The curve holds the loss at x0, then after every iteration:
    # len(loss_curve) == n_iter + 1. 'lm' and 'trf' record where they evaluate a
    # Jacobian, one an iteration, and end after the last one: its loss is added.
    # The others record after each iteration and add the end only if it is new.
    curve = recorder.curve
    moved = recorder.last_x is None or not np.array_equal(x, recorder.last_x)
    if (solver in ("lm", "trf") and status not in ("callback", "max_iter")) or moved:
        curve.append(loss)
    if not converged:
        warn(
            f"solver={solver!r} stopped without converging: {message}. {_ADVICE[status]}",
            ConvergenceWarning,
        )
    return FitResult(
        params=problem.external(x), n_iter=len(curve) - 1, loss=loss, loss_curve=curve,
        converged=bool(converged), status=status, message=str(message),
    )  # fmt: skip



def solve_best(problem, starts, *, stop_when=None, **options):
    """Solve from every start and keep the lowest loss.

    Parameters
    ----------
    problem : LeastSquaresProblem
        What to minimise.
    starts : iterable of ndarray of shape (n_params,)
        Starting parameters, in the model's units; may be a lazy generator (random
        starts are then drawn only when needed).
    stop_when : callable, default=None
        ``stop_when(result) -> bool``: no further start is tried after a result for
        which it is true.
    **options : dict
        Passed to :func:`solve`.

    Returns
    -------
    best : FitResult
        The result of lowest loss among the starts tried.
    losses : list of float
        Final loss of every start tried, in order (``inf`` where it failed).

    Warns
    -----
    sklearn.exceptions.ConvergenceWarning
        Only the warnings of the kept start are issued: a start left behind has
        nothing to say about the result.

    Raises
    ------
    FitFailedError
        When every start ends on non-finite parameters.
    """
    best, best_warnings, losses, failures = None, [], [], []
    for x0 in starts:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                result = solve(problem, x0, **options)
            except FitFailedError as exc:
                failures.append(str(exc))
                losses.append(np.inf)
                continue
        losses.append(result.loss)
        if best is None or result.loss < best.loss:
            best, best_warnings = result, caught
        if stop_when is not None and stop_when(result):
            break
    if best is None:
        raise FitFailedError(f"Every one of the {len(losses)} start(s) failed: {failures[-1]}")
    for caught in best_warnings:
        warn(caught.message, caught.category)
    return best, losses
