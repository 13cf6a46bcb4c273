"""skphys.eos.fit_many(..., pressure=): energies and pressures of many curves fitted together.

Each curve must reach what ``Regressor().fit(V, E, y_grad=-P)`` reaches: the same
weight of the pressures, the same optimum, the same standard errors. Both stop
the same way, so they differ by what their stopping rules allow:

- each ends where the weight its residuals ask for lies within a tenth of the
  standard error of log w of the weight it used; two runs end within
  :func:`conftest.weight_gap` of each other in log w;
- at a given weight, the batch ends where the Gauss-Newton step moves no
  parameter by more than 10 tol of its size or standard error; the estimator's
  'lm' ends on MINPACK's tests, its relative reduction of the sum of squares
  below tol at the least, which puts parameter j within ``se_j sqrt(dof tol)`` of
  the optimum (``SSE(p) - SSE(p*) = dp^T J^T J dp`` and ``se_j^2 = s^2 (J^T
  J)^-1_jj``): its step test on top, measured against the whole scaled parameter
  vector, can leave BP of a Vinet fit with pressures 4 x 10 tol short;
- a change of log w by d moves parameter j by at most ``se_j sqrt(dof) |d|`` (to
  first order: the derivative of the optimum is ``(J^T W J)^-1 J_P^T W_P r_P``,
  bounded by Cauchy-Schwarz), and ``log se_j`` and ``log s`` by at most ``|d| / 2``.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from ase.units import GPa
from conftest import weight_gap

from skphys.datasets import load_acwf_sample
from skphys.eos import FORMS, fit_many
from skphys.functions import birch_murnaghan

TOL = 1e-8  # the default tol of fit_many and of the estimators
CURVE = ["code", "set", "crystal"]
NAMES = ["e0", "b0", "bp", "v0"]
COLUMNS = {"volume": "volume_A3", "energy": "energy_eV", "pressure": "pressure_eV_A3"}


@pytest.fixture(scope="module")
def curves():
    return load_acwf_sample()


@pytest.fixture(scope="module")
def with_pressures(curves):
    return curves[curves.groupby(CURVE).pressure_eV_A3.transform("count") > 0]


def _single(form, curve):
    X = curve[["volume_A3"]].to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return FORMS[form]().fit(X, curve.energy_eV.to_numpy(),
                                 y_grad=-curve.pressure_eV_A3.to_numpy())  # fmt: skip


def _assert_same_fit(row, single):
    """The batch's row and the estimator within what their stopping rules allow."""
    log_w = abs(np.log(row.pressure_weight / single.gradient_weight_))
    assert log_w <= weight_gap(row.n_points, row.n_pressures, len(NAMES))
    se = single.perr_
    scale = np.maximum(np.abs(single.params_), se)
    allowed = (2 * 10 * TOL * scale + se * np.sqrt(single.dof_ * TOL)
               + se * np.sqrt(single.dof_) * log_w)  # fmt: skip
    assert np.all(np.abs(row[NAMES].to_numpy(float) - single.params_) <= allowed)
    rtol = 1e-5 + 0.5 * log_w  # 1e-5: parameters 1e-7 apart move s by far less
    np.testing.assert_allclose(row[[f"{n}_stderr" for n in NAMES]].to_numpy(float), se, rtol=rtol)
    np.testing.assert_allclose(row.s_energy, np.sqrt(single.residual_variance_), rtol=rtol)
    np.testing.assert_allclose(row.s_pressure, np.sqrt(single.gradient_variance_),
                               rtol=rtol + 0.5 * log_w)  # fmt: skip


@pytest.mark.parametrize(
    "form, every",
    # Birch-Murnaghan's exact solve against the nonlinear estimator on every
    # curve; the iterative forms on every fourth (the estimators take a while)
    [("birch-murnaghan", 1), ("vinet", 4), ("murnaghan", 4)],
)
def test_fit_many_with_pressures_matches_the_estimators(with_pressures, form, every):
    table = fit_many(with_pressures, form, group=CURVE, **COLUMNS)
    compared = 0
    for i, (key, curve) in enumerate(with_pressures.groupby(CURVE)):
        row = table.loc[key]
        if i % every or row.status != "converged":
            continue
        single = _single(form, curve)
        assert single.converged_, key
        _assert_same_fit(row, single)
        compared += 1
    assert compared >= 0.9 * len(table) / every


def test_birch_murnaghan_with_pressures_is_solved_exactly(with_pressures):
    table = fit_many(with_pressures, group=CURVE, **COLUMNS)
    fitted = table.status != "failed"
    assert table.message[fitted].str.startswith("exact").all()
    assert (table.n_iter == 0).all()
    # exact data: the optimum is the truth, whatever the weight (a linear solve's
    # rounding in the cubic's coefficients; with nothing but rounding in either
    # block, the weight need not settle)
    v = np.linspace(15.0, 18.0, 7)
    truth = (-3.7, 0.85, 4.5, 16.5)
    e = birch_murnaghan(v, *truth)
    dE_dV = birch_murnaghan.partials(v, *truth)[0]
    data = pd.DataFrame({"curve": "a", "volume": v, "energy": e, "pressure": -dE_dV})
    row = fit_many(data, group="curve", pressure="pressure").loc["a"]
    np.testing.assert_allclose(row[NAMES].to_numpy(float), truth, rtol=1e-9)


def test_missing_energies_and_pressures_per_point(with_pressures):
    """NaN marks what a point lacks, as in ``fit(V, E, y_grad=-P)``."""
    keys = list(with_pressures.groupby(CURVE).groups)[::12]
    picked = with_pressures.set_index(CURVE).loc[keys].reset_index()
    position = picked.groupby(CURVE).cumcount()
    picked.loc[position % 3 == 1, "pressure_eV_A3"] = np.nan  # energy only
    picked.loc[position == 2, "energy_eV"] = np.nan  # pressure only
    for form in ("birch-murnaghan", "vinet"):
        table = fit_many(picked, form, group=CURVE, **COLUMNS)
        assert (table.n_points == 6).all() and (table.n_pressures == 5).all()
        for key, curve in picked.groupby(CURVE):
            if table.loc[key].status == "converged":
                _assert_same_fit(table.loc[key], _single(form, curve))
    # a point with neither is refused, naming its curve
    picked.loc[0, "pressure_eV_A3"] = picked.loc[0, "energy_eV"] = np.nan
    with pytest.raises(ValueError, match="both 'energy_eV' and 'pressure_eV_A3'"):
        fit_many(picked, group=CURVE, **COLUMNS)


@pytest.mark.parametrize("form", ["birch-murnaghan", "vinet"])
def test_curves_without_pressures_are_fitted_as_before(curves, form):
    without = fit_many(curves, form, group=CURVE, volume="volume_A3", energy="energy_eV")
    table = fit_many(curves, form, group=CURVE, **COLUMNS)
    plain = table.n_pressures == 0
    assert 0 < plain.sum() < len(table)
    assert list(table.columns) == [*without.columns[:-3], "n_pressures", "pressure_weight",
                                   "s_energy", "s_pressure", *without.columns[-3:]]  # fmt: skip
    pd.testing.assert_frame_equal(table.loc[plain, without.columns], without.loc[plain])
    assert table.loc[plain, ["pressure_weight", "s_pressure"]].isna().all().all()
    done = plain & (table.status == "converged")
    s = np.sqrt(without.sse / (without.n_points - 4))[done]
    np.testing.assert_allclose(table.s_energy[done], s, rtol=1e-15)


def test_pressures_in_the_wrong_sign_or_unit_are_refused(with_pressures):
    table = fit_many(with_pressures, group=CURVE, **COLUMNS)
    assert not table.message.str.contains("not the -dE/dV").any()  # no false alarm
    for changed, words in (
        (with_pressures.assign(pressure_eV_A3=-with_pressures.pressure_eV_A3),
         "increase with volume"),
        (with_pressures.assign(pressure_eV_A3=with_pressures.pressure_eV_A3 / GPa),
         "another unit"),
    ):  # fmt: skip
        refused = fit_many(changed, group=CURVE, **COLUMNS)
        # a curve whose pressures say nothing clear (a noble gas: B0 ~ 0) is fitted
        clear = refused.message.str.contains(words)
        assert clear.mean() > 0.9
        assert (refused.status[clear] == "failed").all()
        assert refused.loc[clear, NAMES].isna().all().all()


def test_a_curve_with_pressures_and_no_energies_fails_alone():
    v = np.linspace(15.0, 18.0, 7)
    truth = (-3.7, 0.85, 4.5, 16.5)
    noise = np.random.default_rng(0).normal(size=(2, 7))
    e = birch_murnaghan(v, *truth) + 1e-4 * noise[0]  # eV
    p = -birch_murnaghan.partials(v, *truth)[0] + 1e-3 * noise[1]  # eV/Å^3
    data = pd.DataFrame({
        "curve": np.repeat(["ok", "level"], 7), "volume": np.tile(v, 2),
        "energy": np.r_[e, np.full(7, np.nan)], "pressure": np.tile(p, 2),
    })  # fmt: skip
    table = fit_many(data, group="curve", pressure="pressure")
    assert table.loc["ok", "status"] == "converged"
    assert table.loc["level", "status"] == "failed"
    assert "no energies" in table.loc["level", "message"]


@pytest.mark.slow
def test_dask_dataframe_with_pressures_gives_the_same_table(with_pressures):
    dd = pytest.importorskip("dask.dataframe")
    expected = fit_many(with_pressures, group=CURVE, **COLUMNS).sort_index()
    lazy = fit_many(dd.from_pandas(with_pressures, npartitions=3), group=CURVE, **COLUMNS)
    table = lazy.compute().sort_index()
    assert list(table.index) == list(expected.index)
    # the same labels; dask may have stored them as pyarrow strings
    table.index = expected.index
    assert list(table.columns) == list(expected.columns)
    assert (table.status == expected.status).all()
    # the same curves fitted in other batches: the same exact solve per curve, and
    # the same weights to the rule's tolerance
    done = expected.status == "converged"
    log_w = np.abs(np.log(table.pressure_weight / expected.pressure_weight))[done]
    assert np.all(log_w <= weight_gap(expected.n_points, expected.n_pressures, 4)[done])
    se = expected.loc[done, [f"{n}_stderr" for n in NAMES]].to_numpy(float)
    scale = np.maximum(np.abs(expected.loc[done, NAMES].to_numpy(float)), se)
    dof = (expected.n_points + expected.n_pressures - 4)[done].to_numpy()[:, None]
    # both are the exact solve: no sqrt(dof tol) term
    allowed = 2 * 10 * TOL * scale + se * np.sqrt(dof) * log_w.to_numpy()[:, None]
    difference = np.abs(table.loc[done, NAMES].to_numpy(float)
                        - expected.loc[done, NAMES].to_numpy(float))  # fmt: skip
    assert np.all(difference <= allowed)
