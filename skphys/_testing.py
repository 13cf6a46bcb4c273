"""Random physical fitting problems over wide parameter ranges, for robustness checks.

Shared by the property-based tests (hypothesis draws the numbers) and the
convergence benchmark (numpy draws them): a case is built from a vector of
uniform numbers in [0, 1), so both explore exactly the same space.
"""

from dataclasses import dataclass

import numpy as np
from ase.units import GPa
from scipy.optimize import brentq
from scipy.stats import chi2, norm

from ._eos import BirchMurnaghanRegressor, MurnaghanRegressor, VinetRegressor
from ._fitting import LeastSquaresProblem, inverse_normal_matrix
from ._pair import BuckinghamRegressor, LennardJonesRegressor, MorseRegressor

# Numbers each case consumes: up to 4 parameters, span, centring, size, noise, seed.
N_UNIFORMS = 9
MODELS = (
    MurnaghanRegressor,
    BirchMurnaghanRegressor,
    VinetRegressor,
    MorseRegressor,
    LennardJonesRegressor,
    BuckinghamRegressor,
)


@dataclass
class Case:
    """One fitting problem with its known answer.

    Attributes
    ----------
    model : type
        The regressor class.
    truth : ndarray
        The parameters that generated the data, in the model's units.
    X : ndarray of shape (n, 1)
        Volumes (Å^3) or distances (Å).
    y : ndarray of shape (n,)
        Energies with noise, eV.
    noise : float
        Standard deviation of the noise, eV.
    """

    model: type
    truth: np.ndarray
    X: np.ndarray
    y: np.ndarray
    noise: float


def _between(u, low, high, log=False):
    if log:
        return float(np.exp(np.log(low) + u * (np.log(high) - np.log(low))))
    return float(low + u * (high - low))


def _truth(model, u):
    """True parameters over physically wide ranges, from uniforms ``u``."""
    if issubclass(model, (MurnaghanRegressor, BirchMurnaghanRegressor, VinetRegressor)):
        return np.array([
            -_between(u[0], 1.0, 1000.0, log=True),  # E0: -1 to -1000 eV
            _between(u[1], 10.0, 400.0, log=True) * GPa,  # B0: 10-400 GPa
            _between(u[2], 3.0, 7.0),  # BP
            _between(u[3], 10.0, 100.0, log=True),  # V0: 10-100 Å^3
        ])  # fmt: skip
    if model is MorseRegressor:
        return np.array([
            _between(u[0], 0.05, 5.0, log=True),  # De, eV
            _between(u[1], 0.7, 3.0),  # a, 1/Å
            _between(u[2], 1.0, 4.0),  # re, Å
        ])  # fmt: skip
    if model is LennardJonesRegressor:
        return np.array([
            # epsilon, eV: from argon (0.01) up; shallower wells drown in 1 meV noise
            _between(u[0], 0.01, 1.0, log=True),
            _between(u[1], 2.0, 4.0),  # sigma, Å
        ])  # fmt: skip
    if model is BuckinghamRegressor:
        # drawn as a well: depth D (eV) at r_m (Å) with B r_m = k > 7 (beyond the
        # barrier top at 7 / B: a true minimum)
        depth = _between(u[0], 0.05, 5.0, log=True)
        r_m = _between(u[1], 2.0, 4.0)
        k = _between(u[2], 8.0, 14.0)
        a = depth * np.exp(k) / (k / 6.0 - 1.0)  # E(r_m) = A exp(-k) (1 - k / 6) = -D
        c = a * k * r_m**6 * np.exp(-k) / 6.0  # dE/dr = 0 at r_m
        return np.array([a, k / r_m, c])
    raise TypeError(f"no random cases for {model.__name__}")


def _domain(model, truth, u_span, u_centre):
    """The range of x: around the minimum (or the well), not always centred."""
    if issubclass(model, (MurnaghanRegressor, BirchMurnaghanRegressor, VinetRegressor)):
        # -10 % .. +10 % around V0 at most, each side 3-10 %
        low = 1 - 0.03 - 0.07 * u_span
        high = 1 + 0.03 + 0.07 * u_centre
        return truth[3] * low, truth[3] * high
    if model is MorseRegressor:
        re = truth[2]
        return re * (0.8 + 0.1 * u_span), re * (1.5 + 1.0 * u_centre)
    if model is LennardJonesRegressor:
        rmin = 2 ** (1 / 6) * truth[1]
        return rmin * (0.88 + 0.08 * u_span), rmin * (1.5 + 1.0 * u_centre)
    # Buckingham: around its well at r_m = k / B, like Morse
    a, b, c = truth
    r_m = _buckingham_minimum(a, b, c)
    return r_m * (0.85 + 0.1 * u_span), r_m * (1.5 + 1.0 * u_centre)


def _buckingham_minimum(a, b, c):
    """Distance of the Buckingham well (Å): the root of A B exp(-B r) = 6 C / r^7.

    ``g(r) = log(A B / 6 C) - B r + 7 log r`` peaks at ``7 / B`` (positive when a
    well exists) and falls beyond it: the well is its root on that side.
    """

    def g(r):
        return np.log(a * b / (6 * c)) - b * r + 7 * np.log(r)

    return brentq(g, 7.0 / b, 100.0 / b, xtol=1e-14, rtol=1e-14)


def draw_case(model, u):
    """A random fitting problem for ``model`` from ``N_UNIFORMS`` uniforms in [0, 1).

    Parameters
    ----------
    model : type
        One of :data:`MODELS`.
    u : array-like of shape (N_UNIFORMS,)
        Uniform numbers; the same numbers always give the same case.

    Returns
    -------
    case : Case
    """
    u = np.asarray(u, dtype=float)
    truth = _truth(model, u[:4])
    low, high = _domain(model, truth, u[4], u[5])
    n = int(5 + round(35 * u[6]))  # 5 to 40 points
    noise = 1e-3 * u[7]  # 0 to 1 meV
    rng = np.random.default_rng(int(u[8] * 2**32))
    x = np.sort(rng.uniform(low, high, n))
    x[0], x[-1] = low, high  # the span is the one drawn
    clean = model._function(x, *truth)
    return Case(model, truth, x[:, None], clean + rng.normal(scale=noise, size=n), noise)


def parameter_tolerance(case, sigmas=6.0, rtol=1e-6):
    """How far a fit may land from the truth, given the noise (linearised).

    ``sigmas`` standard errors of the least-squares estimate at the known noise
    level (from the Jacobian at the true parameters), plus ``rtol`` of each value
    for the noise-free cases.

    Parameters
    ----------
    case : Case
        The problem.
    sigmas : float, default=6.0
        Number of standard errors allowed.
    rtol : float, default=1e-6
        Relative floor.

    Returns
    -------
    tolerance : ndarray of shape (n_params,)
        Allowed absolute deviation of each parameter.
    """
    problem = LeastSquaresProblem(case.model()._model, case.X, case.y, jacobian="rows")
    with np.errstate(all="ignore"):
        inverse = inverse_normal_matrix(problem.data_jacobian(case.truth))
    standard_errors = case.noise * np.sqrt(np.abs(np.diag(inverse)))
    return sigmas * standard_errors + rtol * np.abs(case.truth)


def recovered(params, case, sigmas=6.0, rtol=1e-6):
    """Whether fitted ``params`` recover the truth of ``case`` within the noise.

    True when the parameters are finite and either every one lies within
    :func:`parameter_tolerance` of the truth (the linearised error model), or the
    truth lies inside the likelihood-ratio confidence region of the fit at the same
    level: the fit is at least as good as the truth, and the truth's sum of
    squares exceeds it by no more than the chi-square quantile of ``sigmas``
    (``chi2_p(1 - P(|z| > sigmas))`` in units of the noise variance). The second
    test is what the first approximates; it stays valid where the model is far
    from linear in its parameters (the A-B correlation of a Buckingham wall).

    Parameters
    ----------
    params : array-like of shape (n_params,)
        Fitted parameters.
    case : Case
        The problem.
    sigmas : float, default=6.0
        Width of the region, in standard errors.
    rtol : float, default=1e-6
        Relative floor of the linearised tolerance.

    Returns
    -------
    ok : bool
    """
    params = np.asarray(params, dtype=float)
    if params.shape != case.truth.shape or not np.all(np.isfinite(params)):
        return False
    if np.all(np.abs(params - case.truth) <= parameter_tolerance(case, sigmas, rtol)):
        return True
    if case.noise == 0:
        return False
    with np.errstate(all="ignore"):
        sse_fit, sse_truth = (
            float(np.sum((case.model._function(case.X[:, 0], *p) - case.y) ** 2))
            for p in (params, case.truth)
        )
    excess = (sse_truth - sse_fit) / case.noise**2
    level = chi2.ppf(1.0 - 2.0 * norm.sf(sigmas), df=params.size)
    return bool(np.isfinite(excess) and -1e-9 * sse_truth <= excess * case.noise**2
                and excess <= level)  # fmt: skip
