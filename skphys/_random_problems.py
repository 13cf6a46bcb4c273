"""Random physical fitting problems over wide parameter ranges, for robustness checks.

Shared by the property-based tests (hypothesis draws the numbers) and the
convergence benchmark (numpy draws them): a case is built from a vector of
uniform numbers in [0, 1), so both explore exactly the same space. The parameter
ranges and the range of x come from each form's declaration (its
``random_case``): a new physical regressor is checked without an edit here.
"""

import inspect
from dataclasses import dataclass

import numpy as np
from scipy.stats import chi2, norm

import skphys

from ._core import LeastSquaresProblem, inverse_normal_matrix
from ._estimators._physical import BasePhysicalRegressor

# Numbers each case consumes: up to 4 parameters, span, centring, size, noise, seed.
N_UNIFORMS = 9


def _physical_regressors():
    """Every public physical regressor whose declaration draws random cases."""
    for name in sorted(skphys.__all__):
        obj = getattr(skphys, name)
        if (
            inspect.isclass(obj)
            and issubclass(obj, BasePhysicalRegressor)
            and obj.physical_model is not None
            and obj.physical_model.random_case is not None
        ):
            yield obj


MODELS = tuple(_physical_regressors())


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
    truth, low, high = model.physical_model.random_case(u[:6])
    truth = np.asarray(truth, dtype=float)
    n = int(5 + round(35 * u[6]))  # 5 to 40 points
    noise = 1e-3 * u[7]  # 0 to 1 meV
    rng = np.random.default_rng(int(u[8] * 2**32))
    x = np.sort(rng.uniform(low, high, n))
    x[0], x[-1] = low, high  # the span is the one drawn
    clean = model.physical_model.function(x, *truth)
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
            float(np.sum((case.model.physical_model.function(case.X[:, 0], *p) - case.y) ** 2))
            for p in (params, case.truth)
        )
    excess = (sse_truth - sse_fit) / case.noise**2
    level = chi2.ppf(1.0 - 2.0 * norm.sf(sigmas), df=params.size)
    return bool(np.isfinite(excess) and -1e-9 * sse_truth <= excess * case.noise**2
                and excess <= level)  # fmt: skip
