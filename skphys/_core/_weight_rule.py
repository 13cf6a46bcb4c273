"""The rule that sets the weight of the derivatives, as pure functions of numbers.

:mod:`._block_weights` explains the rule: each block's variance is
``s_b^2 = SSE_b / dof_b`` (``dof_b`` its share of the degrees of freedom, from the
leverages), the weight asked for is ``s_values^2 / s_grad^2`` within
:data:`WEIGHT_RANGE` of the start, the weight has settled once the weight asked
for lies within :data:`SETTLED` standard errors of ``log w`` of the current one,
and the steps on ``log w`` are secant steps of at most :data:`MAX_STRETCH` plain
ones. It is written once, on arrays, so that one curve (the estimators) and
thousands at once (:func:`skphys.eos.fit_many`) apply it alike.
"""

import numpy as np

# The weight has settled when the weight asked for lies within this fraction of
# the standard error of log(w) of the current one.
SETTLED = 0.1
# At most this many fits (rounds of reweighting).
MAX_ROUNDS = 30
# The weight stays within this factor of the starting weight, either way.
WEIGHT_RANGE = 1e8
# A secant step is at most this many times the plain fixed-point step.
MAX_STRETCH = 5.0


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


def log_weight_stderr(value_dof, gradient_dof):
    """Standard error of ``log(s_values^2 / s_grad^2)``: ``sqrt(2 / dof_v + 2 / dof_g)``.

    Parameters
    ----------
    value_dof, gradient_dof : array-like
        The blocks' shares of the degrees of freedom.

    Returns
    -------
    stderr : ndarray
        Each log-variance has variance ``2 / dof`` (chi-square).
    """
    value_dof, gradient_dof = np.asarray(value_dof, float), np.asarray(gradient_dof, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sqrt(2.0 / value_dof + 2.0 / gradient_dof)


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


def weight_settled(asked, current, log_stderr):
    """Whether the weight asked for lies within :data:`SETTLED` standard errors.

    Parameters
    ----------
    asked : array-like
        :func:`balanced_weights` (NaN: no new weight, which counts as settled).
    current : array-like
        The weight of the last fit.
    log_stderr : array-like
        :func:`log_weight_stderr`.

    Returns
    -------
    settled : ndarray of bool
    """
    asked, current = np.asarray(asked, dtype=float), np.asarray(current, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        step = np.abs(np.log(asked / current))
        return np.isnan(asked) | (step <= SETTLED * np.asarray(log_stderr, dtype=float))


def next_weight(asked, current, previous, start):
    """The weight of the next fit: a secant step on ``log w`` towards the fixed point.

    The plain step goes to the weight asked for; it shrinks by ``1 + slope`` a
    round, ``slope`` the rate measured from the previous round: the secant step
    goes ``1 / -slope`` plain steps, between 1 and :data:`MAX_STRETCH`.

    Parameters
    ----------
    asked : array-like
        :func:`balanced_weights` at the last fit (finite).
    current : array-like
        The weight of the last fit.
    previous : tuple of two array-like or None
        ``(log w, plain step)`` of the round before (NaN or ``None`` where there
        was none).
    start : array-like
        The starting weights; the result stays within :data:`WEIGHT_RANGE`.

    Returns
    -------
    weight : ndarray
        The next weight.
    memory : tuple of two ndarray
        ``(log w, plain step)`` of this round, the ``previous`` of the next.
    """
    log_current = np.log(np.asarray(current, dtype=float))
    step = np.log(np.asarray(asked, dtype=float)) - log_current
    stretch = np.ones_like(step)
    if previous is not None:
        last_log, last_step = (np.asarray(a, dtype=float) for a in previous)
        with np.errstate(divide="ignore", invalid="ignore"):
            slope = (step - last_step) / (log_current - last_log)
            usable = np.isfinite(slope) & (slope > -1.0) & (slope < 0.0)
            stretch = np.where(usable, np.minimum(-1.0 / slope, MAX_STRETCH), 1.0)
    start = np.asarray(start, dtype=float)
    weight = np.clip(np.exp(log_current + stretch * step), start / WEIGHT_RANGE,
                     start * WEIGHT_RANGE)  # fmt: skip
    return weight, (log_current, step)
