"""ACWF's code-to-code metrics Δ, ε, ν (skphys._eos_compare) and their standard errors.

The reference values are ACWF's own functions run on ACWF's own fits (see
tests/data/README.md); the standard errors are checked against a Monte Carlo of
the fitted parameters.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from autograd.test_util import check_grads

from skphys._eos_compare import _delta, _epsilon, _nu, compare, delta, epsilon, metric_stderr, nu
from skphys.datasets._acwf import READ_CSV_EXACT

DATA = Path(__file__).parent / "data"
CODE_A, CODE_B = "wien2k-dk_0.06", "fleur"
METRICS = {"delta": delta, "epsilon": epsilon, "nu": nu}

# Two curves 1 % apart in V0, 4 % in B0 and 7 % in B1, per atom: Å^3, eV/Å^3, 1.
FIT_A = np.array([20.0, 0.5, 4.5])
FIT_B = np.array([20.2, 0.52, 4.8])


def _sample_fits(code):
    """The bundled ACWF fits of one code, in fit_many's column names, indexed by curve."""
    fits = pd.read_csv(DATA / "acwf_bm_fits_sample.csv", **READ_CSV_EXACT)
    fits = fits[fits["code"] == code].set_index(["set", "crystal"])
    return fits.rename(columns={"V0_A3": "v0", "B0_eV_A3": "b0", "B1": "bp", "E0_eV": "e0"})


def _table(params, **extra):
    return pd.DataFrame({"v0": params[..., 0], "b0": params[..., 1], "bp": params[..., 2],
                         **extra})  # fmt: skip


def test_reproduces_acwf_reference_values():
    reference = pd.read_csv(DATA / "acwf_metrics_reference.csv", **READ_CSV_EXACT)
    reference = reference.set_index(["set", "crystal"])
    result = compare(_sample_fits(CODE_A), _sample_fits(CODE_B))
    assert result.attrs["delta_unit"] == "meV/atom"
    assert len(result) == len(reference) == 28
    result = result.loc[reference.index]
    # The reference is ACWF's closed forms in 50-digit arithmetic; ours is a sum of
    # squared energy differences, each rounded relative to the energies (~1e-16 of
    # up to 1e5 times larger numbers for the closest curves): 1e-9 relative is
    # rounding. Over all 960 shared curves the largest difference is 2e-11.
    for metric in ("delta", "epsilon", "nu"):
        np.testing.assert_allclose(result[metric], reference[metric], rtol=1e-9, atol=0)


def test_array_functions_match_the_table():
    fits_a, fits_b = _sample_fits(CODE_A), _sample_fits(CODE_B)
    result = compare(fits_a, fits_b)
    args = (fits_a["v0"] / fits_a["n_atoms"], fits_a["b0"], fits_a["bp"],
            fits_b["v0"] / fits_b["n_atoms"], fits_b["b0"], fits_b["bp"])  # fmt: skip
    for metric, function in METRICS.items():
        np.testing.assert_allclose(function(*args), result[metric], rtol=1e-14)


@pytest.mark.parametrize("metric", sorted(METRICS))
def test_zero_for_identical_fits(metric):
    assert METRICS[metric](*FIT_A, *FIT_A) == 0.0
    value, stderr = metric_stderr(metric, [FIT_A], [FIT_A], np.eye(3) * 1e-4, np.eye(3) * 1e-4)
    assert value[0] == 0.0 and np.isnan(stderr[0])  # no derivative at zero


@pytest.mark.parametrize("metric", ["delta", "nu"])
def test_delta_and_nu_are_symmetric(metric):
    forward, backward = METRICS[metric](*FIT_A, *FIT_B), METRICS[metric](*FIT_B, *FIT_A)
    assert forward > 0
    np.testing.assert_allclose(forward, backward, rtol=1e-13)


def test_epsilon_symmetry_depends_on_its_centre():
    own = epsilon(*FIT_A, *FIT_B, centre="own"), epsilon(*FIT_B, *FIT_A, centre="own")
    np.testing.assert_allclose(*own, rtol=1e-13)
    # ACWF centres both spreads on curve a: asymmetric, at second order in the
    # difference of the curves (here 1 %: a few 1e-4 relative)
    forward, backward = epsilon(*FIT_A, *FIT_B), epsilon(*FIT_B, *FIT_A)
    assert 1e-5 < abs(forward / backward - 1) < 3e-3


def test_per_atom_scaling():
    n_atoms = 4.0
    cell_a, cell_b = FIT_A * [n_atoms, 1, 1], FIT_B * [n_atoms, 1, 1]
    # ε and ν are ratios: the same per cell and per atom; Δ is an energy per volume unit
    for metric in ("epsilon", "nu"):
        np.testing.assert_allclose(METRICS[metric](*cell_a, *cell_b),
                                   METRICS[metric](*FIT_A, *FIT_B), rtol=1e-13)  # fmt: skip
    np.testing.assert_allclose(delta(*cell_a, *cell_b), n_atoms * delta(*FIT_A, *FIT_B), rtol=1e-13)
    per_cell = compare(_table(cell_a[None]), _table(cell_b[None]))
    per_atom = compare(_table(cell_a[None], n_atoms=[4]), _table(cell_b[None], n_atoms=[4]))
    assert per_cell.attrs["delta_unit"] == "meV/cell"
    np.testing.assert_allclose(per_cell["delta"], n_atoms * per_atom["delta"], rtol=1e-13)


def test_codes_with_different_cells_compare_per_atom():
    # code b used a cell twice as large: per atom, the fits are FIT_A and FIT_B
    fits_a = _table((FIT_A * [2, 1, 1])[None], n_atoms=[2])
    fits_b = _table((FIT_B * [4, 1, 1])[None], n_atoms=[4])
    result = compare(fits_a, fits_b)
    for metric, function in METRICS.items():
        np.testing.assert_allclose(result[metric], function(*FIT_A, *FIT_B), rtol=1e-13)


def test_nu_weights_and_closed_form():
    relative = 2 * (FIT_A - FIT_B) / (FIT_A + FIT_B)
    expected = 100 * np.sqrt(np.sum((relative * [1, 1 / 20, 1 / 400]) ** 2))
    np.testing.assert_allclose(nu(*FIT_A, *FIT_B), expected, rtol=1e-14)
    np.testing.assert_allclose(nu(*FIT_A, *FIT_B, weights=(1, 0, 0)), 100 * abs(relative[0]),
                               rtol=1e-14)  # fmt: skip


def test_gradients_against_finite_differences():
    for kernel in (_delta, _epsilon, _nu):
        check_grads(kernel, modes=["rev"], order=1)(*FIT_A, *FIT_B)


def _monte_carlo_stderr(metric, cov_a, cov_b, n_draws=20000, seed=0):
    rng = np.random.default_rng(seed)
    draws_a = rng.multivariate_normal(FIT_A, cov_a, size=n_draws)
    draws_b = rng.multivariate_normal(FIT_B, cov_b, size=n_draws)
    return np.std(METRICS[metric](*draws_a.T, *draws_b.T), ddof=1)


@pytest.mark.parametrize("metric", sorted(METRICS))
@pytest.mark.parametrize("correlated", [False, True])
def test_stderr_matches_monte_carlo(metric, correlated):
    stderr_a, stderr_b = np.array([0.002, 0.0004, 0.01]), np.array([0.004, 0.0006, 0.016])
    correlation = np.eye(3)
    if correlated:  # V0 and B0 anticorrelate, B0 and B1 too, as in real E(V) fits
        correlation = np.array([[1.0, -0.5, 0.3], [-0.5, 1.0, -0.8], [0.3, -0.8, 1.0]])
    cov_a = correlation * np.outer(stderr_a, stderr_a)
    cov_b = correlation * np.outer(stderr_b, stderr_b)
    value, stderr = metric_stderr(metric, [FIT_A], [FIT_B], cov_a, cov_b)
    assert value[0] > 10 * stderr[0]  # where the delta method's linearisation holds
    n_draws = 20000
    sampled = _monte_carlo_stderr(metric, cov_a, cov_b, n_draws)
    # the sample standard deviation of n draws has a relative standard error of
    # 1 / sqrt(2 (n - 1)) = 0.5 %; 5 of those, plus 1 % for the metric's curvature
    # at a noise-to-difference ratio of 1/10
    tolerance = 5 / np.sqrt(2 * (n_draws - 1)) + 0.01
    np.testing.assert_allclose(stderr[0], sampled, rtol=tolerance)


def test_table_stderr_uses_the_columns():
    stderr_a, stderr_b = [0.01, 0.002, 0.05], [0.02, 0.003, 0.08]
    columns = lambda s: {f"{p}_stderr": [v] for p, v in zip(("v0", "b0", "bp"), s, strict=True)}  # noqa: E731
    fits_a = _table(FIT_A[None], **columns(stderr_a), cov_v0_b0=[-0.5 * 0.01 * 0.002])
    fits_b = _table(FIT_B[None], **columns(stderr_b))
    result = compare(fits_a, fits_b)
    cov_a, cov_b = np.diag(np.square(stderr_a)), np.diag(np.square(stderr_b))
    cov_a[0, 1] = cov_a[1, 0] = -0.5 * 0.01 * 0.002
    for metric in METRICS:
        _, expected = metric_stderr(metric, [FIT_A], [FIT_B], cov_a, cov_b)
        np.testing.assert_allclose(result[f"{metric}_stderr"], expected, rtol=1e-14)
    # without standard errors, the metrics' standard errors are unknown, not zero
    assert compare(_table(FIT_A[None]), _table(FIT_B[None]))["nu_stderr"].isna().all()


def test_failed_fit_gives_nan():
    fits_b = _table(np.array([FIT_B, [np.nan] * 3]))
    result = compare(_table(np.array([FIT_A, FIT_A])), fits_b)
    assert result.iloc[0].notna()[["delta", "epsilon", "nu"]].all()
    assert result.iloc[1][["delta", "epsilon", "nu"]].isna().all()


def test_mismatched_curves():
    fits_a = _table(np.array([FIT_A, FIT_A]), curve=["Cu", "Al"]).set_index("curve")
    fits_b = _table(np.array([FIT_B, FIT_B]), curve=["Cu", "Si"]).set_index("curve")
    with pytest.raises(ValueError, match=r"1 only in fits_a \(e.g. \['Al'\]\).*missing='drop'"):
        compare(fits_a, fits_b)
    assert list(compare(fits_a, fits_b, missing="drop").index) == ["Cu"]
    with pytest.raises(ValueError, match="no curve in common"):
        compare(fits_a.loc[["Al"]], fits_b.loc[["Si"]], missing="drop")
    twice = pd.concat([fits_a, fits_a])
    with pytest.raises(ValueError, match="fits_a has 2 repeated curve name"):
        compare(twice, fits_b)


def test_on_names_the_curves():
    fits_a = _table(np.array([FIT_A, FIT_B]), element=["Cu", "Al"])
    fits_b = _table(np.array([FIT_B, FIT_A]), element=["Al", "Cu"])
    result = compare(fits_a, fits_b, on="element")
    assert list(result.index) == ["Cu", "Al"]
    np.testing.assert_allclose(result["nu"], nu(*FIT_A, *FIT_A) + nu(*FIT_B, *FIT_B), atol=0)
    with pytest.raises(ValueError, match=r"fits_a has no column\(s\) \['code'\] to name"):
        compare(fits_a, fits_b, on="code")


def test_missing_and_bad_columns():
    fits = _table(FIT_A[None])
    with pytest.raises(ValueError, match=r"fits_b has no column\(s\) \['bp'\]"):
        compare(fits, fits.drop(columns="bp"))
    with pytest.raises(ValueError, match="Only fits_a has an 'n_atoms' column"):
        compare(fits.assign(n_atoms=2), fits)
    with pytest.raises(ValueError, match="n_atoms must be positive"):
        compare(fits.assign(n_atoms=0), fits.assign(n_atoms=2))
    with pytest.raises(ValueError, match=r"fits_a\['v0'\] must be positive"):
        compare(fits.assign(v0=-1.0), fits)
    with pytest.raises(TypeError, match="pandas DataFrame"):
        compare(FIT_A, fits)
    with pytest.raises(ValueError, match="missing must be"):
        compare(fits, fits, missing="ignore")


def test_array_function_errors():
    message = r"v0_b must be positive \(Å\^3\); its smallest value is 0\."
    with pytest.raises(ValueError, match=message):
        delta(*FIT_A, 0.0, 0.5, 4.0)
    with pytest.raises(ValueError, match=r"b0_a must be positive \(eV/Å\^3\)"):
        nu(20.0, -0.5, 4.0, *FIT_B)
    with pytest.raises(ValueError, match="centre must be 'acwf' or 'own'"):
        epsilon(*FIT_A, *FIT_B, centre="b")
    with pytest.raises(ValueError, match=r"weights must be \(w_V0, w_B0, w_B1\)"):
        nu(*FIT_A, *FIT_B, weights=(1, 1))
    with pytest.raises(ValueError, match="metric must be one of"):
        metric_stderr("mu", [FIT_A], [FIT_B], np.eye(3), np.eye(3))
    with pytest.raises(ValueError, match=r"must be \(n_curves, 3\)"):
        metric_stderr("nu", [FIT_A, FIT_A], [FIT_B], np.eye(3), np.eye(3))
