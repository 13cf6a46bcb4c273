"""The weight of each curve's derivatives, estimated from its residuals, for a batch.

The batched :func:`skphys._core.solve_with_gradient_weight`: every curve follows
the rule of :mod:`._weight_rule` on its own (its own weight, its own test of
whether the weight has settled, at most :data:`MAX_ROUNDS` fits), and each round
refits, together, only the curves whose weight moved, from where they ended.
"""

from dataclasses import replace

import numpy as np

from ._weight_rule import (
    MAX_ROUNDS,
    balanced_weights,
    block_variance,
    log_weight_stderr,
    next_weight,
    weight_settled,
)


def batch_solve_with_gradient_weight(fit, statistics, start, *, max_rounds=MAX_ROUNDS):
    """Fit every curve, re-weighting its derivatives until the weight settles.

    Parameters
    ----------
    fit : callable
        ``fit(rows, weights, params) -> BatchResult`` for the curves ``rows``
        (indices) with derivative weights ``weights``, from ``params`` (shape
        (len(rows), n_params)), or from the fit's own starts when ``params`` is
        ``None`` (the first round).
    statistics : callable
        ``statistics(rows, weights, params) -> (sse, dofs)``, each of shape
        (len(rows), 2): the values' and the derivatives' sums of squares and
        shares of the degrees of freedom
        (:func:`skphys._core._batch.batch_block_statistics`).
    start : ndarray of shape (n_curves,)
        Starting weights, units of x squared.
    max_rounds : int, default=MAX_ROUNDS
        Most fits per curve.

    Returns
    -------
    result : BatchResult
        The last fit of every curve, with ``n_iter`` summed over its rounds.
    weights : ndarray of shape (n_curves,)
        The weight of each curve's last fit.
    settled : ndarray of shape (n_curves,) of bool
        Whether the weight its residuals ask for is within the rule's tolerance of
        it (or cannot be estimated); False where ``max_rounds`` fits ended first.
    rounds : ndarray of shape (n_curves,) of int
        Fits made per curve.
    """
    start = np.asarray(start, dtype=float)
    weights = start.copy()
    every = np.arange(start.shape[0])
    result = _copy(fit(every, weights, None))
    rounds = np.ones(start.shape[0], dtype=int)
    settled = np.zeros(start.shape[0], dtype=bool)
    # (log w, plain step) of each curve's round before, for the secant steps
    last_log, last_step = np.full(start.shape[0], np.nan), np.full(start.shape[0], np.nan)
    # a curve whose fit failed has no residuals to weigh
    pending = every[result.status != "failed"]
    settled[result.status == "failed"] = True
    while pending.size:
        sse, dofs = statistics(pending, weights[pending], result.params[pending])
        variance = block_variance(sse, dofs)
        asked = balanced_weights(variance[:, 0], variance[:, 1], start[pending])
        stderr = log_weight_stderr(dofs[:, 0], dofs[:, 1])
        done = weight_settled(asked, weights[pending], stderr)
        settled[pending[done]] = True
        pending, asked = pending[~done], asked[~done]
        # as for one curve: at most max_rounds fits; the last one's weight stays
        pending, asked = pending[rounds[pending] < max_rounds], asked[rounds[pending] < max_rounds]
        if not pending.size:
            break
        previous = (last_log[pending], last_step[pending])
        weights[pending], (last_log[pending], last_step[pending]) = next_weight(
            asked, weights[pending], previous, start[pending]
        )
        again = fit(pending, weights[pending], result.params[pending])
        _merge(result, pending, again)
        rounds[pending] += 1
        failed = again.status == "failed"
        settled[pending[failed]] = True  # nothing more to weigh on these
        pending = pending[~failed]
    return result, weights, settled, rounds


def _copy(result):
    return replace(result, **{name: np.array(getattr(result, name)) for name in (
        "params", "covariance", "sse", "n_points", "n_iter", "converged", "status", "message")})


def _merge(result, rows, again):
    """Put a round's fit of ``rows`` into ``result``, adding its iterations."""
    for name in ("params", "covariance", "sse", "n_points", "converged"):
        getattr(result, name)[rows] = getattr(again, name)
    result.n_iter[rows] += again.n_iter
    # status and message are fixed-width strings: widen to take longer ones
    for name in ("status", "message"):
        merged = getattr(result, name).astype(object)
        merged[rows] = getattr(again, name)
        setattr(result, name, merged.astype(str))
