"""The equations of state of ase.eos beyond Murnaghan, Birch-Murnaghan and Vinet.

Each form is held against ASE's own function (the same numbers at the same
parameters, or at ASE's equivalent ones), against its meaning (``B0`` and ``BP``
are the bulk modulus and dB/dP at ``V0``, by automatic differentiation), and its
regressor against ``ase.eos.EquationOfState`` on EMT lattice scans.
"""

import warnings

import ase.eos
import numpy as np
import pytest
from ase.build import bulk
from ase.calculators.emt import EMT
from ase.eos import EquationOfState
from autograd import grad
from autograd.test_util import check_grads

from skphys import (
    AntonSchmidtRegressor,
    BirchMurnaghanRegressor,
    PoirierTarantolaRegressor,
    StabilizedJelliumRegressor,
    TaylorRegressor,
)
from skphys._random_problems import N_UNIFORMS, draw_case, recovered
from skphys.exceptions import LackOfFitWarning
from skphys.functions import (
    anton_schmidt,
    birch_murnaghan,
    murnaghan,
    poirier_tarantola,
    stabilized_jellium,
    taylor,
    vinet,
)

EPS = np.finfo(float).eps


def _ase_anton_schmidt_by_ours(V, E0, B0, BP, V0):
    """ASE 3.23's antonschmidt(V, Einf, B, n, V0) at our parameters: the form ASE
    writes in (E0, B0, BP, V0) since, with n = -BP/2, Einf = E0 + B0 V0/(n + 1)^2."""
    n = -BP / 2
    return ase.eos.antonschmidt(V, E0 + B0 * V0 / (n + 1) ** 2, B0, n, V0)


ASE_ANTON_SCHMIDT = getattr(ase.eos, "anton_schmidt", _ase_anton_schmidt_by_ours)
NEW_FORMS = [poirier_tarantola, anton_schmidt, taylor, stabilized_jellium]
NEW_REGRESSORS = [
    PoirierTarantolaRegressor,
    AntonSchmidtRegressor,
    TaylorRegressor,
    StabilizedJelliumRegressor,
]
# (E0 eV, B0 eV/Å^3, BP, V0 Å^3): EMT-like aluminium, a stiff small cell, a soft large one
PARAMETER_SETS = [(-0.01, 0.25, 0.6, 16.5), (-3.7, 0.85, 5.0, 16.5), (-250.0, 0.1, 6.5, 80.0)]


def _volumes(V0, strain=0.1, n=21):
    return np.linspace(1 - strain, 1 + strain, n) * V0


def _rounding(E0, B0, BP, V0):
    # The terms of a form are of the order B0 V0 (and E0): they cancel to the
    # energy differences, so two correct codes agree to a few eps of those.
    return 64 * EPS * (abs(E0) + B0 * V0 * (1 + abs(BP)))


# -- the functions are ASE's ----------------------------------------------------------
@pytest.mark.parametrize("params", PARAMETER_SETS)
@pytest.mark.parametrize(
    "ours, theirs",
    [
        (poirier_tarantola, ase.eos.pouriertarantola),
        (anton_schmidt, ASE_ANTON_SCHMIDT),
        (birch_murnaghan, ase.eos.birch),  # ASE's 'birch' is Birch-Murnaghan, rearranged
        (birch_murnaghan, ase.eos.birchmurnaghan),
        (murnaghan, ase.eos.murnaghan),
        (vinet, ase.eos.vinet),
    ],
    ids=["pouriertarantola", "anton-schmidt", "birch", "birchmurnaghan", "murnaghan", "vinet"],
)
def test_form_equals_ase_at_the_same_parameters(ours, theirs, params):
    V = _volumes(params[3])
    expected = theirs(V, *params)
    np.testing.assert_allclose(ours(V, *params), expected, rtol=0, atol=_rounding(*params))


@pytest.mark.parametrize("params", PARAMETER_SETS)
def test_taylor_is_ase_taylor_with_alpha_from_bp(params):
    E0, B0, BP, V0 = params
    V = _volumes(V0)
    alpha = -(1 + BP) * B0 / V0  # ASE's third parameter, V0 E'''(V0), eV/Å^6
    np.testing.assert_allclose(
        taylor(V, *params), ase.eos.taylor(V, E0, B0, alpha, V0), rtol=0, atol=_rounding(*params)
    )


@pytest.mark.parametrize("params", PARAMETER_SETS)
@pytest.mark.parametrize(
    "form, variable", [(stabilized_jellium, lambda V: V ** (-1 / 3)), (taylor, lambda V: V)],
    ids=["sj: cubic in V^(-1/3)", "p3: cubic in V"],
)  # fmt: skip
def test_polynomial_forms_are_cubics_in_their_variable(form, variable, params):
    """ASE's 'sj' and 'p3' fit cubics in V^(-1/3) and V: ours are such cubics (a
    cubic fits them to rounding) with their minimum at V0, E0."""
    V = _volumes(params[3])
    E = form(V, *params)
    t = variable(V)
    _, residuals, *_ = np.polyfit(t, E, 3, full=True)
    assert np.sqrt(residuals[0] / V.size) <= _rounding(*params)


@pytest.mark.parametrize("params", PARAMETER_SETS)
@pytest.mark.parametrize("form", NEW_FORMS, ids=lambda f: f.__name__)
def test_parameters_mean_the_minimum_bulk_modulus_and_its_pressure_derivative(form, params):
    """At V0: dE/dV = 0, E = E0, B = -V dP/dV = B0 and dB/dP = BP."""
    E0, B0, BP, V0 = params

    def pressure(V):
        return -grad(form)(V, *params)

    def bulk_modulus(V):
        return -V * grad(pressure)(V)

    assert form(V0, *params) == pytest.approx(E0, abs=_rounding(*params))
    assert pressure(V0) == pytest.approx(0.0, abs=_rounding(*params) / V0)
    assert bulk_modulus(V0) == pytest.approx(B0, rel=1e-12)
    assert grad(bulk_modulus)(V0) / grad(pressure)(V0) == pytest.approx(BP, rel=1e-10)


def test_anton_schmidt_is_anton_and_schmidts_pressure():
    """P = -B0 (V/V0)^n ln(V/V0) with n = -BP/2 (Anton and Schmidt, 1997), and the
    energy at infinite volume E0 + B0 V0 / (n + 1)^2, for n < -1."""
    E0, B0, BP, V0 = -3.7, 0.85, 5.0, 16.5
    n = -BP / 2
    V = _volumes(V0)
    pressure = -np.array([grad(anton_schmidt)(v, E0, B0, BP, V0) for v in V])
    np.testing.assert_allclose(pressure, -B0 * (V / V0) ** n * np.log(V / V0), rtol=1e-12,
                               atol=1e-15)  # fmt: skip
    assert anton_schmidt(1e12 * V0, E0, B0, BP, V0) == pytest.approx(
        E0 + B0 * V0 / (n + 1) ** 2, rel=1e-9
    )


def test_anton_schmidt_is_smooth_through_bp_2():
    """ASE's formula is 0/0 at BP = 2 (n = -1) and loses digits around it; ours is
    its limit there, E0 + B0 V0 (ln x)^2 / 2, and differentiable to second order."""
    E0, B0, V0 = -3.7, 0.85, 16.5
    V = _volumes(V0)
    log_x = np.log(V / V0)
    limit = E0 + B0 * V0 * log_x**2 / 2
    tolerance = _rounding(E0, B0, 2.0, V0)
    np.testing.assert_allclose(anton_schmidt(V, E0, B0, 2.0, V0), limit, rtol=0, atol=tolerance)
    for step in (1e-9, -1e-6, 1e-3):
        # dE/dBP = -B0 V0 (ln x)^3 / 6 at BP = 2 (the series of the shape)
        linear = limit - step * B0 * V0 * log_x**3 / 6
        quadratic = B0 * V0 * step**2 * np.max(log_x**4)  # bounds the next term
        np.testing.assert_allclose(
            anton_schmidt(V, E0, B0, 2.0 + step, V0), linear, rtol=0, atol=tolerance + quadratic
        )
    args = [V, E0, B0, 2.0, V0]
    for index in range(5):

        def along(value, index=index):
            return anton_schmidt(*args[:index], value, *args[index + 1 :])

        check_grads(along, modes=["fwd", "rev"], order=2)(args[index])


# -- fits agree with ase.eos on EMT lattice scans --------------------------------------
def volume_scan(symbol, n_points, strain=0.06):
    """EMT energies (eV) of an fcc metal at volumes (Å^3) within +-``strain`` of ASE's
    lattice constant's volume."""
    atoms = bulk(symbol, "fcc")
    cell = atoms.get_cell()
    volumes, energies = [], []
    for scale in np.linspace(1 - strain, 1 + strain, n_points):
        scaled = atoms.copy()
        scaled.set_cell(cell * scale ** (1 / 3), scale_atoms=True)
        scaled.calc = EMT()
        volumes.append(scaled.get_volume())
        energies.append(scaled.get_potential_energy())
    return np.array(volumes), np.array(energies)


def _sse(function, V, E, params):
    return float(np.sum((function(V, *params) - E) ** 2))


def _ase_direct(name, function):
    """ASE's fit of a form whose parameters are ours: (E0, B0, BP, V0), SSE."""

    def fit(V, E):
        eos = EquationOfState(V, E, eos=name)
        eos.fit(warn=False)
        params = np.asarray(eos.eos_parameters)
        return params, _sse(function, V, E, params)

    return fit


def _ase_anton_schmidt(V, E):
    if hasattr(ase.eos, "anton_schmidt"):
        return _ase_direct("anton-schmidt", anton_schmidt)(V, E)
    pytest.skip("ASE 3.23 fits Anton-Schmidt as (Einf, B, n, V0), and its fit stops at "
                "maxfev = 1000 on these scans: nothing to compare with")  # fmt: skip


def _ase_taylor(V, E):
    eos = EquationOfState(V, E, eos="taylor")
    eos.fit(warn=False)
    E0, beta, alpha, V0 = eos.eos_parameters
    sse = float(np.sum((ase.eos.taylor(V, *eos.eos_parameters) - E) ** 2))
    return np.array([E0, beta, -1 - alpha * V0 / beta, V0]), sse


def _ase_p3(V, E):
    eos = EquationOfState(V, E, eos="p3")
    V0, E0, B0 = eos.fit(warn=False)
    c3 = eos.eos_parameters[3]  # E''' = 6 c3
    sse = float(np.sum((ase.eos.p3(V, *eos.eos_parameters) - E) ** 2))
    return np.array([E0, B0, -1 - 6 * c3 * V0**2 / B0, V0]), sse


def _ase_sj(V, E):
    eos = EquationOfState(V, E, eos="sj")
    V0, E0, B0 = eos.fit(warn=False)
    t0 = V0 ** (-1 / 3)
    second, third = np.polyder(eos.fit0, 2)(t0), np.polyder(eos.fit0, 3)(t0)
    # x = t / t0: E_xx = t0^2 E_tt, E_xxx = t0^3 E_ttt and BP = 3 + E_xxx / (3 E_xx)
    sse = float(np.sum((eos.fit0(V ** (-1 / 3)) - E) ** 2))
    return np.array([E0, B0, 3 + t0 * third / (3 * second), V0]), sse


ASE_FITS = [
    (PoirierTarantolaRegressor, _ase_direct("pouriertarantola", poirier_tarantola)),
    (AntonSchmidtRegressor, _ase_anton_schmidt),
    (TaylorRegressor, _ase_taylor),
    (TaylorRegressor, _ase_p3),
    (StabilizedJelliumRegressor, _ase_sj),
    (BirchMurnaghanRegressor, _ase_direct("birch", birch_murnaghan)),
]
ASE_IDS = ["pouriertarantola", "anton-schmidt", "taylor", "p3", "sj", "birch"]


@pytest.fixture(scope="module")
def scans():
    return {(s, n): volume_scan(s, n) for s in ("Al", "Cu", "Pt") for n in (7, 11, 15)}


@pytest.mark.parametrize("n_points", [7, 11, 15])
@pytest.mark.parametrize("symbol", ["Al", "Cu", "Pt"])
@pytest.mark.parametrize("cls, ase_fit", ASE_FITS, ids=ASE_IDS)
def test_fit_agrees_with_ase_eos_on_emt_volume_scans(cls, ase_fit, symbol, n_points, scans):
    V, E = scans[symbol, n_points]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ours = cls().fit(V[:, None], E)
    # No doubt is raised on clean data but the lack of fit: EMT energies do not
    # scatter, so what a form misses is smooth in V. 7 points are too few to test,
    # 15 show it for every form and metal (p <= 3e-3); 11 lie on both sides of 1 %.
    lack_of_fit = ours.lack_of_fit_
    warned = [w.category for w in caught]
    assert warned == ([LackOfFitWarning] if lack_of_fit.structured else []), warned
    assert np.isnan(lack_of_fit.pvalue) == (n_points == 7)
    assert lack_of_fit.structured or n_points != 15
    sse_ours = _sse(cls.physical_model.function, V, E, ours.params_)
    theirs, sse_ase = ase_fit(V, E)
    # ASE's optimum is not tighter than ours. Its linear fits ('sj', 'p3') are
    # exact; ours stops where the Gauss-Newton step moves each parameter by at most
    # delta_i = 10 tol max(|p_i|, se_i), which raises the SSE by at most
    # d^T J^T J d <= (sum_i delta_i ||J_i||)^2, with J^T J = s^2 pcov^-1; plus the
    # rounding of the SSE (a few ulps of |E| per residual).
    delta = 10 * 1e-8 * np.maximum(np.abs(ours.params_), ours.perr_)
    column_norms = np.sqrt(ours.residual_variance_ * np.diag(np.linalg.inv(ours.pcov_)))
    rounding = 4 * np.finfo(float).eps * np.max(np.abs(E)) * np.sqrt(E.size * sse_ours)
    assert sse_ours <= sse_ase + (delta @ column_norms) ** 2 + rounding
    # To second order, a fit whose SSE exceeds the least by `excess` lies within
    # sqrt(excess / s^2) standard errors of the optimum in every parameter
    # (s^2 = residual variance); ours lies within sqrt(tol * dof) <= 3e-4 of it.
    excess = max(sse_ase - sse_ours, 0.0)
    allowed = (np.sqrt(excess / ours.residual_variance_) + 1e-3) * ours.perr_
    deviation = np.abs(ours.params_ - theirs)
    assert np.all(deviation <= allowed), deviation / ours.perr_
    assert 30 < ours.bulk_modulus_gpa_ < 350  # EMT metals


# -- the default fit recovers random problems ------------------------------------------
@pytest.mark.parametrize("cls", NEW_REGRESSORS, ids=lambda c: c.__name__)
def test_default_fit_recovers_200_random_problems(cls):
    """At least 99.5 % of 200 random problems (the range of
    benchmarks/bench_convergence.py, which runs 1,000)."""
    rng = np.random.default_rng(12)
    failures = []
    for _ in range(200):
        case = draw_case(cls, rng.random(N_UNIFORMS))
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")  # corners of the range warn, rightly
            params = cls().fit(case.X, case.y).params_
        if not recovered(params, case):
            failures.append((case.truth, params))
    assert len(failures) <= 1, failures
