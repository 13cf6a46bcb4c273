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
   the weight changes by less than :data:`WEIGHT_RTOL`.

At the fixed point the residual variance of the whole fit, in the units of the
values, is ``s_values^2``, and that of the derivatives is ``s_values^2 / w``: the
covariance and the intervals then account for both blocks. The weight stays
within :data:`WEIGHT_RANGE` of the start, so a block fitted exactly (a variance of
zero) is weighted heavily, not infinitely.
"""

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ._uncertainty import covariance_factor
from ._warn import warn

# The weight has settled when a round changes it by less than this fraction.
WEIGHT_RTOL = 1e-3
# At most this many fits (rounds of reweighting).
MAX_ROUNDS = 30
# The weight stays within this factor of the starting weight, either way.
WEIGHT_RANGE = 1e8


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
    leverage = np.sum((jac @ covariance_factor(jac, ridge)) ** 2, axis=1)
    sse = np.asarray(problem.block_sums_of_squares(x))
    dofs = np.array(
        [
            block.n_effective - float(np.sum(leverage[rows]))
            for block, rows in zip(problem.blocks, problem.block_rows, strict=True)
        ]
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        variances = np.where(dofs >= 1, sse / dofs, np.nan)
    return variances, dofs


def balanced_weight(problem, params, start, ridge=None):
    """The derivative weight ``s_values^2 / s_grad^2`` the residuals at ``params`` ask for.

    Parameters
    ----------
    problem : LeastSquaresProblem
        A problem with a block of derivatives.
    params : ndarray of shape (n_params,)
        Parameters, in the model's units.
    start : float
        The starting weight; the result stays within :data:`WEIGHT_RANGE` of it.
    ridge : ndarray of shape (n_params,), default=None
        Diagonal of the ridge (the penalty).

    Returns
    -------
    weight : float or None
        ``None`` when a block has less than one degree of freedom: its variance
        cannot be estimated, and the weight stays as it is.
    """
    variances, _ = block_variances(problem, params, ridge)
    values, gradients = variances
    if not (np.isfinite(values) and np.isfinite(gradients)):
        return None
    if gradients == 0:
        return start * WEIGHT_RANGE if values > 0 else None
    return float(np.clip(values / gradients, start / WEIGHT_RANGE, start * WEIGHT_RANGE))


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
    for rounds in range(1, max_rounds + 1):
        weight = balanced_weight(problem, result.params, start, ridge)
        current = problem.gradient_weight
        if weight is None or abs(np.log(weight / current)) <= WEIGHT_RTOL:
            break
        if rounds == max_rounds:
            warn(
                f"The weight of the derivatives did not settle in {max_rounds} fits (last "
                f"{current:.6g}, asked for {weight:.6g}); give gradient_weight explicitly.",
                ConvergenceWarning,
            )
            break
        problem.set_gradient_weight(weight)
        result = solve([result.params])
        curve.extend(result.loss_curve[1:])
    result.loss_curve = curve
    result.n_iter = len(curve) - 1
    return result, rounds
