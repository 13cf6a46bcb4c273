"""The weight of a block of derivatives, estimated from the residuals of both blocks.

Values and their derivatives are measured in different units with different
scatter (2 meV on energies, 0.3 GPa on pressures; a DFT force converged less than
its energy). The least-squares weight that makes the fit efficient, and its
covariance right, is ``w = sigma_values^2 / sigma_grad^2``, and both variances are
unknown. They are estimated from the fit itself, as in iteratively reweighted
(feasible generalised) least squares:

1. fit with the starting weight;
2. estimate each block's residual variance ``s_b^2 = SSE_b / dof_b``, where the
   block's degrees of freedom ``dof_b = m_b - sum_{i in b} h_ii`` give it its share
   of the fitted parameters through the leverages ``h_ii`` of the weighted fit
   (the diagonal of ``J (J^T J + R)^+ J^T``; the shares add up to ``m - n_params``);
3. refit from where the last fit ended with ``w = s_values^2 / s_grad^2``, until
   the weight asked for lies within a tenth of the standard error of ``log w`` of
   the current one: ``log w`` is the difference of two log-variances, each with
   variance ``2 / dof_b``, so ``se(log w) = sqrt(2 / dof_values + 2 / dof_grad)``.
   Finer than that the data do not know the weight, and the efficiency of the
   fit is flat around its optimum (it loses to second order in ``log w``).

The plain iteration ``w <- s_values^2 / s_grad^2`` converges linearly, slowly when
the fit follows the weight closely; the steps are taken as secant steps on
``log w`` once two rounds show the rate, of one to five plain steps. The rule
itself, its constants and steps, lives in :mod:`._weight_rule`, shared with the
batches of :func:`skphys.eos.fit_many`.

At the fixed point the residual variance of the whole fit, in the units of the
values, is ``s_values^2``, and that of the derivatives is ``s_values^2 / w``: the
covariance and the intervals then account for both blocks. The weight stays
within a factor ``1e8`` of the start, so a block fitted exactly (a variance of
zero) is weighted heavily, not infinitely.
"""

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ._uncertainty import covariance_factor
from ._warn import warn
from ._weight_rule import (
    MAX_ROUNDS,
    balanced_weights,
    log_weight_stderr,
    next_weight,
    weight_settled,
)


def _leverage_dofs(problem, projected):
    """Each block's residuals minus its leverages, from ``J L`` (``L L^T = (J^T J + R)^+``)."""
    leverage = np.sum(projected**2, axis=1)
    return np.array(
        [
            block.n_effective - float(np.sum(leverage[rows]))
            for block, rows in zip(problem.blocks, problem.block_rows, strict=True)
        ]
    )


def block_variances(problem, params, ridge=None):
    """Residual variance and degrees of freedom of each block, at ``params``.

    Parameters
    ----------
    problem : LeastSquaresProblem
        The problem, with its current block weights.
    params : ndarray of shape (n_params,)
        Parameters, in the model's units.
    ridge : ndarray of shape (n_params,), default=None
        Diagonal of the ridge (the penalty), as for the covariance.

    Returns
    -------
    variances : ndarray of shape (n_blocks,)
        ``SSE_b / dof_b`` in the units of each block's targets, squared; NaN where
        ``dof_b < 1``.
    dofs : ndarray of shape (n_blocks,)
        The share of the degrees of freedom of each block.
    """
    x = problem.internal(params)
    jac = problem.data_jacobian(x)
    dofs = _leverage_dofs(problem, jac @ covariance_factor(jac, ridge))
    sse = np.asarray(problem.block_sums_of_squares(x))
    with np.errstate(divide="ignore", invalid="ignore"):
        variances = np.where(dofs >= 1, sse / dofs, np.nan)
    return variances, dofs


def block_covariances(problem, params, ridge=None):
    """Each block's share of the parameter covariance, with its degrees of freedom.

    The covariance ``s^2 A`` with ``A = (J^T J + R)^+`` is the sum of the blocks'
    shares ``s_b^2 A J_b^T J_b A`` (and the prior's ``s^2 A R A``), each block's
    scale estimated from its own residuals with ``dof_b`` degrees of freedom (at
    the settled weight the ``s_b^2`` are all ``s^2``). Intervals take their
    degrees of freedom from these shares (:func:`satterthwaite_dof`): a
    parameter that the derivatives determine has about as many as they do.

    Parameters
    ----------
    problem : LeastSquaresProblem
        The fitted problem.
    params : ndarray of shape (n_params,)
        Fitted parameters, in the model's units.
    ridge : ndarray of shape (n_params,), default=None
        Diagonal of the ridge (the penalty).

    Returns
    -------
    shares : ndarray of shape (n_blocks, n_params, n_params)
        In the units of the problem's weighted residuals, squared.
    variances : ndarray of shape (n_blocks,)
        Each block's weighted residual variance ``s_b^2``.
    dofs : ndarray of shape (n_blocks,)
        Each block's degrees of freedom.
    """
    x = problem.internal(params)
    jac = problem.data_jacobian(x)
    residuals = problem.data_residuals(x)
    factor = covariance_factor(jac, ridge)
    projected = jac @ factor
    dofs = _leverage_dofs(problem, projected)
    shares, variances = [], []
    for rows, dof in zip(problem.block_rows, dofs, strict=True):
        variance = float(residuals[rows] @ residuals[rows]) / dof if dof > 0 else np.inf
        shares.append(variance * (factor @ (projected[rows].T @ projected[rows]) @ factor.T))
        variances.append(variance)
    return np.array(shares), np.array(variances), dofs


def balanced_weight(problem, params, start, ridge=None):
    """The derivative weight ``s_values^2 / s_grad^2`` the residuals at ``params`` ask for.

    Parameters
    ----------
    problem : LeastSquaresProblem
        A problem with a block of derivatives.
    params : ndarray of shape (n_params,)
        Parameters, in the model's units.
    start : float
        The starting weight (see :func:`skphys._core._weight_rule.balanced_weights`).
    ridge : ndarray of shape (n_params,), default=None
        Diagonal of the ridge (the penalty).

    Returns
    -------
    weight : float or None
        ``None`` when a block has less than one degree of freedom: its variance
        cannot be estimated, and the weight stays as it is.
    log_stderr : float
        Standard error of ``log(weight)``, ``sqrt(2 / dof_values + 2 / dof_grad)``.
    """
    variances, dofs = block_variances(problem, params, ridge)
    weight = float(balanced_weights(variances[0], variances[1], start))
    log_stderr = float(log_weight_stderr(dofs[0], dofs[1]))
    return (None if np.isnan(weight) else weight), log_stderr


def solve_with_gradient_weight(problem, solve, starts, *, ridge=None, max_rounds=MAX_ROUNDS):
    """Fit, estimating the weight of the derivative block from the residuals.

    Parameters
    ----------
    problem : LeastSquaresProblem
        A problem with a block of derivatives, weighted with the starting weight.
    solve : callable
        ``solve(starts) -> FitResult``: one fit of the problem from the best of
        ``starts`` (the estimator's multi-start, solver and options).
    starts : iterable of ndarray of shape (n_params,)
        The starts of the first round; later rounds start where the last ended.
    ridge : ndarray of shape (n_params,), default=None
        Diagonal of the ridge (the penalty), for the leverages.
    max_rounds : int, default=MAX_ROUNDS
        Most fits.

    Returns
    -------
    result : FitResult
        The last round's fit, with ``n_iter`` and ``loss_curve`` over every round
        (the curve jumps where the weight changed).
    rounds : int
        Fits made.

    Warns
    -----
    sklearn.exceptions.ConvergenceWarning
        When the weight has not settled after ``max_rounds`` fits.
    """
    start = problem.gradient_weight
    result = solve(starts)
    curve = list(result.loss_curve)
    previous = None  # (log w, plain step) of the round before
    for rounds in range(1, max_rounds + 1):
        asked, log_stderr = balanced_weight(problem, result.params, start, ridge)
        current = problem.gradient_weight
        if asked is None or weight_settled(asked, current, log_stderr):
            break
        if rounds == max_rounds:
            warn(
                f"The weight of the derivatives did not settle in {max_rounds} fits (last "
                f"{current:.6g}, asked for {asked:.6g}); give gradient_weight explicitly.",
                ConvergenceWarning,
            )
            break
        weight, previous = next_weight(asked, current, previous, start)
        problem.set_gradient_weight(float(weight))
        result = solve([result.params])
        curve.extend(result.loss_curve[1:])
    result.loss_curve = curve
    result.n_iter = len(curve) - 1
    return result, rounds
