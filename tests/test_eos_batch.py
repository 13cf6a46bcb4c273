"""skphys.eos.fit_many: many curves solved together, each at its single-curve optimum.

Tested on the bundled sample of real DFT curves of the ACWF verification study.
Agreement is judged by the convergence rule both paths end on: each stops where
the Gauss-Newton step moves no parameter by more than 10 tol of its size or
standard error, so two fits of one curve lie within 20 tol of that scale of each
other, unless the curve is at the rounding floor of its energies (all-electron
codes: up to 1.3e6 eV per cell), where both sums of squares agree to rounding.
"""

import warnings

import numpy as np
import pandas as pd
import pytest

from skphys.datasets import load_acwf_sample
from skphys.eos import FORMS, compare, fit_many
from skphys.functions import birch_murnaghan

EPS = np.finfo(float).eps
TOL = 1e-8  # the default tol of fit_many and of the estimators
CURVE = ["code", "set", "crystal"]
NAMES = ["e0", "b0", "bp", "v0"]
ESTIMATORS = FORMS  # every form, by name, with the estimator that declares it


@pytest.fixture(scope="module")
def curves():
    return load_acwf_sample()


@pytest.fixture(scope="module")
def fits(curves):
    return {
        form: fit_many(curves, form, group=CURVE, volume="volume_A3", energy="energy_eV")
        for form in ESTIMATORS
    }


def _sse_rounding(energies, sse):
    """How far rounding moves a sum of squares of residuals ``f(V) - E``: each
    residual carries an error of a few ulps of |E| (|E| up to 1e6 eV)."""
    scale = 4 * EPS * np.max(np.abs(energies))
    n = energies.size
    return 2 * np.sqrt(n * sse) * scale + n * scale**2


def _agree(ours, single_params, single_perr, single_sse, energies):
    """Parameters within 20 tol of max(|p|, se), or the same SSE to rounding."""
    params = ours[NAMES].to_numpy(float)
    scale = np.maximum(np.abs(single_params), single_perr)
    if np.all(np.abs(params - single_params) <= 2 * 10 * TOL * scale):
        return True
    return abs(ours.sse - single_sse) <= _sse_rounding(energies, single_sse)


def test_fit_many_matches_the_single_curve_estimators(curves, fits):
    """Every form, every converged curve: the optimum of the estimator."""
    compared = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for form, estimator in ESTIMATORS.items():
            table = fits[form]
            for key, curve in curves.groupby(CURVE):
                row = table.loc[key]
                if row.status != "converged":
                    continue
                X = curve[["volume_A3"]].to_numpy()
                y = curve["energy_eV"].to_numpy()
                single = estimator().fit(X, y)
                sse = float(np.sum((single.predict(X) - y) ** 2))
                assert _agree(row, single.params_, single.perr_, sse, y), (form, key)
                # standard errors at (nearly) the same optimum: s is sqrt(SSE / dof),
                # so they differ by half the SSE's relative rounding, plus a term of
                # the order of the parameters' distance (<= 2e-7 relative); a wrong
                # dof or s^2 would move them by 1/3 or more
                rtol = 1e-5 + 0.5 * _sse_rounding(y, sse) / sse
                np.testing.assert_allclose(
                    row[[f"{n}_stderr" for n in NAMES]].to_numpy(float), single.perr_,
                    rtol=rtol,
                )  # fmt: skip
                compared += 1
    assert compared >= 0.9 * len(ESTIMATORS) * 300


def test_birch_murnaghan_matches_acwf_own_fits(fits):
    """ACWF fits the cubic in V^(-2/3) too: the same optimum, to 1e-6, or the same
    SSE to rounding where the energies cannot resolve more."""
    curves, reference = load_acwf_sample(with_fits=True)
    table = fits["birch-murnaghan"].join(reference.set_index(CURVE), how="inner")
    assert len(table) == len(reference)
    groups = curves.groupby(CURVE)
    relative = np.maximum.reduce([
        np.abs(table.v0 / table.V0_A3 - 1), np.abs(table.b0 / table.B0_eV_A3 - 1),
        np.abs(table.bp / table.B1 - 1),
    ])  # fmt: skip
    for key in table.index[~(relative <= 1e-6)]:
        curve = groups.get_group(key)
        V, E = curve["volume_A3"].to_numpy(), curve["energy_eV"].to_numpy()
        row = table.loc[key]
        theirs = np.sum((birch_murnaghan(V, row.E0_eV, row.B0_eV_A3, row.B1, row.V0_A3) - E) ** 2)
        assert row.sse <= theirs + _sse_rounding(E, theirs), key
    # the exact linear solve is used wherever the cubic has a minimum
    table = fits["birch-murnaghan"]
    exact = table.message.str.startswith("exact")
    assert (exact | (table.status == "failed")).all()


def test_every_curve_gets_a_row_and_a_reason(curves, fits):
    """No curve is lost; a fit that is not a plain convergence says why."""
    n_curves = curves.groupby(CURVE).ngroups
    for table in fits.values():
        assert len(table) == n_curves
        assert list(table.columns[:8]) == [*NAMES, *(f"{n}_stderr" for n in NAMES)]
        assert set(table.status) <= {"converged", "unphysical", "max_iter", "failed"}
        assert (table.message.str.len() > 0).all()
        converged = table[table.status == "converged"]
        assert np.all(np.isfinite(converged[NAMES].to_numpy(float)))
        assert np.all(np.isfinite(converged[[f"{n}_stderr" for n in NAMES]].to_numpy(float)))
        assert (table.n_points == 7).all()
        failed = table[table.status == "failed"]
        assert failed[NAMES].isna().all().all()


def test_curves_of_other_lengths_and_single_group_column():
    v = np.linspace(15.0, 18.0, 9)
    params = {
        "a": (-3.7, 0.85, 4.5, 16.5),
        "b": (-3.6, 0.80, 5.0, 16.4),
        "c": (-3.5, 0.9, 4.0, 16.6),
    }
    rows = []
    for name, p in params.items():
        keep = slice(None) if name != "c" else slice(0, 6)  # ragged: 6 points
        for vi, ei in zip(v[keep], birch_murnaghan(v[keep], *p), strict=True):
            rows.append({"curve": name, "volume": vi, "energy": ei})
    data = pd.DataFrame(rows).sample(frac=1.0, random_state=0)  # points in any order
    for form in FORMS:
        table = fit_many(data, form, group="curve")
        assert list(table.index) == ["a", "b", "c"]
        assert list(table.n_points) == [9, 9, 6]
    table = fit_many(data, group="curve")
    for name, p in params.items():
        # exact data: the optimum is the truth, to the linear solve's rounding
        np.testing.assert_allclose(table.loc[name, NAMES].to_numpy(float), p, rtol=1e-9)


def test_bad_input_is_refused_with_the_reason(curves):
    with pytest.raises(ValueError, match="form must be one of"):
        fit_many(curves, "parabola", group=CURVE, volume="volume_A3", energy="energy_eV")
    with pytest.raises(ValueError, match="no column"):
        fit_many(curves, group=CURVE)  # default 'volume', 'energy' are not there
    broken = curves.copy()
    broken.loc[3, "energy_eV"] = np.nan
    with pytest.raises(ValueError, match="non-finite"):
        fit_many(broken, group=CURVE, volume="volume_A3", energy="energy_eV")
    broken = curves.copy()
    broken.loc[5, "volume_A3"] = -1.0
    with pytest.raises(ValueError, match="positive"):
        fit_many(broken, group=CURVE, volume="volume_A3", energy="energy_eV")
    with pytest.raises(TypeError, match="DataFrame"):
        fit_many(curves.to_numpy(), group=CURVE)


def test_too_few_points_is_a_failed_row_not_an_error():
    v = np.linspace(15.0, 18.0, 7)
    data = pd.DataFrame({
        "curve": ["ok"] * 7 + ["short"] * 3,
        "volume": np.concatenate([v, v[:3]]),
        "energy": np.concatenate([birch_murnaghan(v, -3.7, 0.85, 4.5, 16.5),
                                  birch_murnaghan(v[:3], -3.7, 0.85, 4.5, 16.5)]),
    })  # fmt: skip
    for form in FORMS:
        table = fit_many(data, form, group="curve")
        assert table.loc["ok", "status"] == "converged"
        assert table.loc["short", "status"] == "failed"
        assert "fewer points" in table.loc["short", "message"]
        assert np.isnan(table.loc["short", "v0"])


@pytest.mark.slow
def test_dask_dataframe_on_a_local_cluster_gives_the_same_table(curves, fits):
    dd = pytest.importorskip("dask.dataframe")
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster):  # fmt: skip
        # rows split anywhere (curves shuffled into whole partitions), and
        # partitions of whole curves (fitted where they lie)
        split = dd.from_pandas(curves, npartitions=4)
        by_code = dd.concat([dd.from_pandas(part, npartitions=1)
                             for _, part in curves.groupby("code")])  # fmt: skip
        for data, form in ((split, "birch-murnaghan"), (split, "murnaghan"),
                           (by_code, "murnaghan")):  # fmt: skip
            lazy = fit_many(data, form, group=CURVE, volume="volume_A3", energy="energy_eV")
            table = lazy.compute().sort_index()
            expected = fits[form].sort_index()
            assert list(table.index) == list(expected.index)
            # the same labels; dask may have stored them as pyarrow strings
            table.index = expected.index
            assert list(table.columns) == list(expected.columns)
            assert (table.status == expected.status).all()
            done = expected.status == "converged"
            scale = np.maximum(
                np.abs(expected.loc[done, NAMES].to_numpy(float)),
                expected.loc[done, [f"{n}_stderr" for n in NAMES]].to_numpy(float),
            )
            difference = np.abs(table.loc[done, NAMES].to_numpy(float)
                                - expected.loc[done, NAMES].to_numpy(float))  # fmt: skip
            # the same curves, possibly summed in another order: within the rule
            assert np.all(difference <= 2 * 10 * TOL * scale + 0.0)


def test_two_codes_fitted_and_compared(curves):
    """fit_many's table is what compare reads: per-atom metrics with standard errors
    from each fit's covariance (correlations of V0, B0, BP included)."""
    keys = ["set", "crystal"]
    tables = [
        fit_many(curves[curves.code == code], group=keys, volume="volume_A3",
                 energy="energy_eV", n_atoms="n_atoms")  # fmt: skip
        for code in ("vasp", "castep")
    ]
    for table in tables:
        assert {"n_atoms", "cov_v0_b0", "cov_v0_bp", "cov_b0_bp"} <= set(table.columns)
        done = table.status == "converged"
        # a covariance is bounded by the product of the standard errors
        bound = table.loc[done, "v0_stderr"] * table.loc[done, "b0_stderr"]
        assert (table.loc[done, "cov_v0_b0"].abs() <= bound * (1 + 1e-12)).all()
    comparison = compare(*tables, missing="drop")
    shared = tables[0].index.intersection(tables[1].index)
    assert len(comparison) == len(shared) > 0
    assert np.all(np.isfinite(comparison[["delta", "epsilon", "nu"]].to_numpy(float)))
    assert np.all(comparison[["delta_stderr", "epsilon_stderr", "nu_stderr"]] > 0)
    with pytest.raises(ValueError, match="no column"):
        fit_many(curves, group=CURVE, volume="volume_A3", energy="energy_eV", n_atoms="atoms")
