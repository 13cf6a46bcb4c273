"""The rule that sets the weight of the derivatives, as a pure function of numbers.

:mod:`._block_weights` explains the rule: each block's variance is
``s_b^2 = SSE_b / dof_b`` (``dof_b`` its share of the degrees of freedom, from the
leverages), the weight is ``s_values^2 / s_grad^2`` within :data:`WEIGHT_RANGE`
of the start, and the iteration ends once a round changes the weight by less than
:data:`WEIGHT_RTOL`. Here the rule is written once on arrays, so that one curve
(the estimators) and thousands at once (:func:`skphys.eos.fit_many`) apply it
alike; the constants are those of :mod:`._block_weights`.
"""

import numpy as np

from ._block_weights import MAX_ROUNDS, WEIGHT_RANGE, WEIGHT_RTOL

__all__ = ["MAX_ROUNDS", "WEIGHT_RANGE", "WEIGHT_RTOL", "balanced_weights", "block_variance",
           "weight_settled"]  # fmt: skip


def block_variance(sse, dof):
    """Residual variance ``SSE_b / dof_b`` of a block; NaN where ``dof_b < 1``.

    Parameters
    ----------
    sse : array-like
        Sums of squared residuals of the block, in its own units squared.
    dof : array-like
        The block's share of the degrees of freedom.

    Returns
    -------
    variance : ndarray
        Same shape; NaN where the variance cannot be estimated.
    """
    sse, dof = np.asarray(sse, dtype=float), np.asarray(dof, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(dof >= 1, sse / dof, np.nan)


def balanced_weights(value_variance, gradient_variance, start):
    """The weight ``s_values^2 / s_grad^2`` that the residual variances ask for.

    Parameters
    ----------
    value_variance, gradient_variance : array-like
        Residual variances of the values and of the derivatives (NaN where not
        estimated), in their own units squared.
    start : array-like
        The starting weights (units of X squared); the result stays within
        :data:`WEIGHT_RANGE` of them.

    Returns
    -------
    weight : ndarray
        Broadcast shape of the inputs. NaN where a variance is not finite (the
        weight then stays as it is); ``start * WEIGHT_RANGE`` where the derivatives
        are fitted exactly and the values are not.
    """
    values = np.asarray(value_variance, dtype=float)
    gradients = np.asarray(gradient_variance, dtype=float)
    start = np.asarray(start, dtype=float)
    low, high = start / WEIGHT_RANGE, start * WEIGHT_RANGE
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.clip(values / gradients, low, high)
    exact = np.where(values > 0, high, np.nan)  # derivatives without residual
    weight = np.where(gradients == 0, exact, ratio)
    return np.where(np.isfinite(values) & np.isfinite(gradients), weight, np.nan)


def weight_settled(weight, current):
    """Whether the weight asked for is within :data:`WEIGHT_RTOL` of the current one.

    Parameters
    ----------
    weight : array-like
        :func:`balanced_weights` (NaN: no new weight, which counts as settled).
    current : array-like
        The weight of the last fit.

    Returns
    -------
    settled : ndarray of bool
    """
    weight, current = np.asarray(weight, dtype=float), np.asarray(current, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.isnan(weight) | (np.abs(np.log(weight / current)) <= WEIGHT_RTOL)
