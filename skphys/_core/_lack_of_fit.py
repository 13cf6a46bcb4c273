"""Lack of fit: do the residuals of a fit look like independent noise?

The parameter covariance and every interval of the fitting core assume that the
residuals are independent noise. The data of this field are often deterministic
(an EMT or DFT energy computed twice is the same number): every residual of a
physical form is then model error, a smooth function of the input, and the
intervals do not hold. :func:`lack_of_fit` orders the residuals along the input
(along X for one feature, along the fitted values for several) and asks whether
neighbours resemble each other more than independent noise allows.

The test is Durbin and Watson's: ``d = sum((e[i+1] - e[i])^2) / sum(e^2)`` on the
weighted residuals ``e = sqrt(w) (y - y_pred)``, about 2 for independent noise
and near 0 for smooth model error (which cancels in the differences, as in the
difference-based noise estimates of Rice and of Gasser et al.; hence
:attr:`LackOfFit.noise_ratio`). Under independent normal noise the residuals are
``e = M z`` with ``M`` the projection off the columns of the weighted Jacobian
``sqrt(w) J`` (exact for a linear model, to first order otherwise), so
``P(d <= d_obs) = P(z^T M (A - d_obs I) M z <= 0)`` for the difference matrix
``A``: a quadratic form in normal variables, whose distribution Imhof's (1961)
integral gives exactly from the eigenvalues. For more than :data:`_EXACT_MAX`
residuals a normal distribution with the exact mean and variance of ``d`` takes
its place (Durbin and Watson, 1971), at a cost linear in n.

The Wald-Wolfowitz runs of the signs of the residuals are reported with their
exact one-sided p-value (too few runs), but the warning follows ``d``: on the
residuals of Lennard-Jones, Morse and Buckingham fits to EMT energies of Cu2,
and of wrong forms fitted to noisy curves, ``d`` detected the structure more
often at the same level, while flagging the right form plus noise at the
nominal rate (the runs test cannot see a few large residuals of one sign among
many of the other, and has almost no power below 20 residuals). See the user
guide's section on lack of fit.

References
----------
J. Durbin and G. S. Watson, Testing for serial correlation in least squares
regression, Biometrika 37, 409 (1950); 58, 1 (1971).
J. P. Imhof, Computing the distribution of quadratic forms in normal variables,
Biometrika 48, 419 (1961).
J. Rice, Bandwidth choice for nonparametric regression, Ann. Stat. 12, 1215 (1984).
"""

from dataclasses import dataclass

import numpy as np
from scipy import special, stats

# The residuals are structured when the p-value of d falls below this level.
LEVEL = 0.01
# Fewer residuals than this are not tested: the test has next to no power there.
MIN_RESIDUALS = 8
# Residuals within this fraction of the spread of y are rounding errors (a fit
# to exact values): their pattern is no evidence about the model.
RELATIVE_FLOOR = 1e-9
# Imhof's integral up to this many residuals (an eigenvalue problem of that
# size); beyond, the normal distribution with d's exact moments, which is then
# within a few 0.001 of it at the level above.
_EXACT_MAX = 100


@dataclass(frozen=True)
class LackOfFit:
    """Whether the residuals of a fit, ordered along the input, look like noise.

    Attributes
    ----------
    n_residuals : int
        Residuals tested: the samples of non-zero weight with an observed value.
    n_positive, n_negative : int
        Residuals ``y - y_pred`` above and below zero (exact zeros count in
        neither).
    n_runs : int
        Runs of equal signs along the input (0 without residuals).
    expected_runs : float
        Their expectation when the signs are in random order,
        ``1 + 2 n_positive n_negative / (n_positive + n_negative)``.
    runs_pvalue : float
        Exact probability of ``n_runs`` or fewer runs when the signs are in
        random order (Wald-Wolfowitz, one-sided); 1.0 with one sign only.
    noise_ratio : float
        RMS of the weighted residuals over the noise their successive
        differences imply (``sum(diff(e)^2) / (2 (n - 1))``): about 1 for
        independent noise (a little less, for the fitted parameters), large for
        smooth model error. NaN with fewer than two residuals.
    pvalue : float
        Probability under independent normal noise of a Durbin-Watson statistic
        as low as the one observed; NaN when not tested (``untested_reason``).
    rms : float
        Weighted RMS residual ``sqrt(sum(w r^2) / sum(w))``, units of y.
    relative_rms : float
        ``rms`` over the weighted standard deviation of y (the spread of y).
    untested_reason : str
        Why ``pvalue`` is NaN; '' when the test was made.
    """

    n_residuals: int
    n_positive: int
    n_negative: int
    n_runs: int
    expected_runs: float
    runs_pvalue: float
    noise_ratio: float
    pvalue: float
    rms: float
    relative_rms: float
    untested_reason: str = ""

    @property
    def structured(self):
        """Whether the residuals are structured at the level :data:`LEVEL`.

        Returns
        -------
        structured : bool
            False when not tested.
        """
        return bool(self.pvalue < LEVEL)

    def describe(self, y_unit=""):
        """Two lines for a fit summary: the residuals, then the test.

        Parameters
        ----------
        y_unit : str, default=''
            Unit of y ('' for unknown).

        Returns
        -------
        lines : str
            Two lines, joined by a newline.
        """
        unit = f" {y_unit}" if y_unit else ""
        residuals = (
            f"residuals: RMS {self.rms:.4g}{unit} = {100 * self.relative_rms:.3g}% of the "
            f"spread of y, {self.n_runs} runs of signs ({self.expected_runs:.3g} expected)"
        )
        if self.untested_reason:
            test = f"not tested ({self.untested_reason})"
        elif self.structured:
            test = (
                f"Durbin-Watson {format_pvalue(self.pvalue)}, structured: the intervals "
                "assume independent noise"
            )
        else:
            test = f"Durbin-Watson {format_pvalue(self.pvalue)}, consistent with independent noise"
        return f"{residuals}\nlack of fit: {test}"


def format_pvalue(pvalue):
    """``'p = 0.0021'``, or ``'p < 1e-10'`` below what the integral resolves."""
    return "p < 1e-10" if pvalue < 1e-10 else f"p = {pvalue:.2g}"


def lack_of_fit(order_by, y, y_pred, weight, weighted_jacobian=None, untested_reason=""):
    """Test whether the residuals ``y - y_pred`` ordered along ``order_by`` are noise.

    Parameters
    ----------
    order_by : ndarray of shape (n_samples,)
        Where each sample lies along the input: X for one feature, the fitted
        values for several. Ties keep the order of the samples.
    y, y_pred : ndarray of shape (n_samples,)
        Observed and fitted values; NaN in ``y`` marks a value not observed.
    weight : ndarray of shape (n_samples,)
        Non-negative sample weights; samples of zero weight are left out. At
        least one sample must have a positive weight and an observed value.
    weighted_jacobian : ndarray of shape (n_samples, n_params), default=None
        ``sqrt(w) d y_pred / d params`` at the fitted parameters, with ``w`` the
        weights normalised to mean one over the samples of non-zero weight (the
        core's value block). ``None`` leaves the p-value untested.
    untested_reason : str, default=''
        Why not to test (kept in the result), e.g. 'fitted with derivatives'.

    Returns
    -------
    result : LackOfFit
    """
    weight = np.asarray(weight, dtype=float)
    keep = (weight > 0) & ~np.isnan(y)
    order = np.argsort(np.asarray(order_by)[keep], kind="stable")
    y_kept, residuals = y[keep][order], (y - y_pred)[keep][order]
    w = weight[keep][order]
    w = w * (w.size / w.sum())  # mean one, as in the fitting core
    n = residuals.size
    runs = _runs(np.sign(residuals))
    e = np.sqrt(w) * residuals
    # numpy scalars: a constant y (spread 0) gives inf or nan, not ZeroDivisionError
    rms = np.sqrt(np.mean(e**2))
    spread = np.sqrt(np.average((y_kept - np.average(y_kept, weights=w)) ** 2, weights=w))
    with np.errstate(divide="ignore", invalid="ignore"):
        relative_rms = float(rms / spread)
        rms, spread = float(rms), float(spread)
        # Rice's estimate of the noise from differences of neighbours, in which
        # smooth model error cancels
        noise_ratio = rms / np.sqrt(np.sum(np.diff(e) ** 2) / (2 * (n - 1))) if n > 1 else np.nan
    jacobian = None
    if weighted_jacobian is not None:
        jacobian = np.asarray(weighted_jacobian, dtype=float)[keep][order]
    if not untested_reason:
        untested_reason = _reason_not_to_test(n, rms, spread, e, jacobian)
    pvalue = np.nan
    if not untested_reason:
        basis = _column_basis(jacobian)
        if n - basis.shape[1] < 2:
            untested_reason = "fewer than 2 residuals more than parameters"
        else:
            pvalue = durbin_watson_pvalue(e, basis)
    return LackOfFit(
        n_residuals=int(n), n_positive=runs[0], n_negative=runs[1], n_runs=runs[2],
        expected_runs=runs[3], runs_pvalue=runs[4], noise_ratio=float(noise_ratio),
        pvalue=float(pvalue), rms=rms, relative_rms=float(relative_rms),
        untested_reason=untested_reason,
    )  # fmt: skip


def _reason_not_to_test(n, rms, spread, e, jacobian):
    if jacobian is None:
        return "no Jacobian"
    if n < MIN_RESIDUALS:
        return f"fewer than {MIN_RESIDUALS} residuals"
    if not (np.all(np.isfinite(e)) and np.all(np.isfinite(jacobian))):
        return "non-finite residuals or Jacobian"
    if not rms > RELATIVE_FLOOR * spread:
        return "residuals at the level of rounding errors"
    return ""


def _runs(signs):
    """(n_positive, n_negative, n_runs, expected_runs, p of n_runs or fewer)."""
    signs = signs[signs != 0]
    n_pos, n_neg = int(np.sum(signs > 0)), int(np.sum(signs < 0))
    n_runs = int(signs.size > 0) + int(np.count_nonzero(signs[1:] != signs[:-1]))
    if n_pos == 0 or n_neg == 0:
        return n_pos, n_neg, n_runs, float(n_runs), 1.0
    expected = 1.0 + 2.0 * n_pos * n_neg / (n_pos + n_neg)
    return n_pos, n_neg, n_runs, expected, runs_cdf(n_runs, n_pos, n_neg)


def runs_cdf(n_runs, n_pos, n_neg):
    """Exact probability of ``n_runs`` or fewer runs in a random order of the signs.

    Wald and Wolfowitz (1940): of the ``C(n_pos + n_neg, n_pos)`` orders, ``2
    C(n_pos - 1, k - 1) C(n_neg - 1, k - 1)`` have ``2k`` runs and ``C(n_pos - 1,
    k - 1) C(n_neg - 1, k) + C(n_pos - 1, k) C(n_neg - 1, k - 1)`` have ``2k + 1``;
    summed in logarithms, so that any n is exact.

    Parameters
    ----------
    n_runs : int
        Observed runs.
    n_pos, n_neg : int
        Positive and negative signs, both at least one.

    Returns
    -------
    p : float
    """

    def log_comb(n, k):
        return special.gammaln(n + 1) - special.gammaln(k + 1) - special.gammaln(n - k + 1)

    k = np.arange(1, n_runs // 2 + 1)
    even = np.log(2.0) + log_comb(n_pos - 1, k - 1) + log_comb(n_neg - 1, k - 1)
    k = np.arange(1, (n_runs - 1) // 2 + 1)
    odd = np.logaddexp(
        log_comb(n_pos - 1, k - 1) + log_comb(n_neg - 1, k),
        log_comb(n_pos - 1, k) + log_comb(n_neg - 1, k - 1),
    )
    with np.errstate(invalid="ignore"):  # C(n, k) with k > n is -inf: no such orders
        terms = np.concatenate([even, odd])
        total = special.logsumexp(terms[np.isfinite(terms)]) if terms.size else -np.inf
    return float(min(1.0, np.exp(total - log_comb(n_pos + n_neg, n_pos))))


def _column_basis(jacobian):
    """Orthonormal basis of the column space of the weighted Jacobian."""
    u, s, _ = np.linalg.svd(jacobian, full_matrices=False)
    if s.size == 0 or s[0] == 0:
        return u[:, :0]
    # singular directions dropped as numpy's lstsq does
    return u[:, s > s[0] * max(jacobian.shape) * np.finfo(float).eps]


def _difference_matrix_times(q):
    """``A q`` for the matrix of ``sum(diff(e)^2) = e^T A e``, without forming A."""
    aq = 2.0 * q
    aq[0] -= q[0]
    aq[-1] -= q[-1]
    aq[:-1] -= q[1:]
    aq[1:] -= q[:-1]
    return aq


_LOG_STEP = 0.2  # step of the trapezoidal rule in log u (Imhof's integral)


def durbin_watson_pvalue(e, basis):
    """``P(d <= d_obs)`` for residuals ``e = M z`` of independent normal noise ``z``.

    Parameters
    ----------
    e : ndarray of shape (n,)
        Weighted residuals in their order along the input.
    basis : ndarray of shape (n, k)
        Orthonormal basis of the weighted Jacobian's columns; ``M = I - basis
        basis^T``.

    Returns
    -------
    p : float
        Exact (Imhof) for at most :data:`_EXACT_MAX` residuals, else from the
        normal distribution with the exact mean and variance of ``d``.
    """
    n, k = basis.shape
    d = float(np.sum(np.diff(e) ** 2) / np.sum(e**2))
    if n <= _EXACT_MAX:
        # the residual space: the columns of a complete QR after the first k
        complement = np.linalg.qr(basis, mode="complete")[0][:, k:]
        form = complement.T @ (_difference_matrix_times(complement) - d * complement)
        return _imhof_below_zero(np.linalg.eigvalsh(form))
    # traces of MA and (MA)^2 with M = I - Q Q^T, from A Q and Q^T A Q (n k^2)
    aq = _difference_matrix_times(basis)
    qaq = basis.T @ aq
    trace_a, trace_aa = 2.0 * n - 2.0, 6.0 * n - 8.0  # A is tridiagonal (1, 2, ..., 2, 1)
    trace_ma = trace_a - np.trace(qaq)
    trace_mama = trace_aa - 2.0 * np.sum(aq * aq) + np.sum(qaq * qaq)
    m = n - k
    mean = trace_ma / m
    variance = 2.0 * (trace_mama - trace_ma**2 / m) / (m * (m + 2))
    return float(stats.norm.cdf((d - mean) / np.sqrt(variance)))


def _imhof_below_zero(eigenvalues):
    """``P(sum(eigenvalues * z^2) < 0)`` for independent standard normal z (Imhof).

    Imhof's integral ``1/2 - (1/pi) int_0^inf sin(theta(u)) / (u rho(u)) du`` in
    ``s = log u``, where the integrand ``sin(theta) / rho`` is analytic and decays
    exponentially at both ends: the trapezoidal rule with step ``_LOG_STEP``
    converges exponentially (within 1e-10 of adaptive quadrature, in a tenth of
    its time), over ``u`` from ``e^-30`` below the smallest scale ``1/max|lam|``
    to ``e^40`` above the largest.
    """
    lam = eigenvalues[np.abs(eigenvalues) > 1e-12 * np.max(np.abs(eigenvalues))]
    if np.all(lam > 0):
        return 0.0
    if np.all(lam < 0):
        return 1.0
    size = np.abs(lam)
    s = np.arange(-np.log(size.max()) - 30.0, -np.log(size.min()) + 40.0, _LOG_STEP)
    lu = lam[None, :] * np.exp(s)[:, None]
    # rho in logarithms: it overflows for large u; 1 / rho underflows to 0 there
    theta = 0.5 * np.sum(np.arctan(lu), axis=1)
    log_rho = 0.25 * np.sum(np.log1p(lu**2), axis=1)
    with np.errstate(under="ignore"):
        integral = _LOG_STEP * np.sum(np.sin(theta) * np.exp(-log_rho))
    return float(np.clip(0.5 - integral / np.pi, 0.0, 1.0))
