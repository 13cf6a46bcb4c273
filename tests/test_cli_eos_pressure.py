"""``skphys eos FILE --pressure``: a pressure column read by name and unit, fitted, checked.

The command fits what ``BirchMurnaghanRegressor().fit(V, E, y_grad=-P)`` fits. A
unit converted there and back changes the data by rounding only (~1e-16), so two
runs follow the same path of weights; they stop within the rule of
tests/test_eos_pressure_batch.py: 20 tol of each parameter's size or standard
error, ``se sqrt(dof tol)`` for the estimator's 'lm', and ``se sqrt(dof) |d log w|``
for weights ``d`` apart (each within ``conftest.weight_gap`` of the other).
"""

import io
import json

import numpy as np
import pandas as pd
import pytest
from ase import units
from conftest import weight_gap

from skphys import BirchMurnaghanRegressor
from skphys.cli import main
from skphys.datasets import load_acwf_sample
from skphys.datasets._acwf import READ_CSV_EXACT
from skphys.eos import fit_many

TOL = 1e-8
CURVE = ["set", "crystal"]
PER_GPA = {"GPa": 1.0, "kbar": 10.0, "eV_A3": units.GPa}  # one GPa in each unit


@pytest.fixture(scope="module")
def vasp():
    curves = load_acwf_sample()
    return curves[(curves.code == "vasp") & curves.pressure_eV_A3.notna()].drop(columns="code")


@pytest.fixture(scope="module")
def curve(vasp):
    first = vasp.crystal.iloc[0]
    return vasp[vasp.crystal == first]


def _write(path, curve, pressure_name, per_gpa, sign=1.0, energies=None):
    frame = pd.DataFrame({
        "volume_A3": curve.volume_A3.to_numpy(),
        "energy_eV": curve.energy_eV.to_numpy() if energies is None else energies,
        pressure_name: sign * curve.pressure_eV_A3.to_numpy() / units.GPa * per_gpa,
    })  # fmt: skip
    frame.to_csv(path, index=False, float_format="%.17g")
    return str(path)


def _run_json(capsys, *args):
    status = main(["eos", *args, "--eos", "birch-murnaghan", "--json"])
    captured = capsys.readouterr()
    return status, (json.loads(captured.out) if captured.out else None), captured.err


def _assert_same_b(first, second, dof, n_energies, n_pressures):
    """Two fits of the same data within the rule of the module docstring."""
    b1, b2 = first["parameters"]["B"], second["parameters"]["B"]
    log_w = abs(np.log(first["pressure"]["weight_A6"] / second["pressure"]["weight_A6"]))
    assert log_w <= weight_gap(n_energies, n_pressures, 4)
    se = max(b1["stderr"], b2["stderr"])
    scale = max(abs(b1["value"]), se)
    allowed = 2 * 10 * TOL * scale + se * np.sqrt(dof * TOL) + se * np.sqrt(dof) * log_w
    assert abs(b1["value"] - b2["value"]) <= allowed


@pytest.mark.parametrize(
    "name, unit", [("P_GPa", "GPa"), ("pressure (kbar)", "kbar"), ("pressure_eV_A3", "eV_A3"),
                   ("P [kB]", "kbar"), ("press/GPa", "GPa")],
)  # fmt: skip
def test_a_pressure_column_in_any_unit_gives_the_estimators_fit(tmp_path, capsys, curve, name,
                                                                unit):  # fmt: skip
    path = _write(tmp_path / "ev.csv", curve, name, PER_GPA[unit])
    status, result, _ = _run_json(capsys, path, "--pressure")
    assert status == 0
    assert result["input"]["pressure"]["column"] == name
    X = curve[["volume_A3"]].to_numpy()
    eos = BirchMurnaghanRegressor().fit(X, curve.energy_eV, y_grad=-curve.pressure_eV_A3)
    reference = {
        "parameters": {"B": {"value": eos.bulk_modulus_gpa_, "stderr": eos.bulk_modulus_gpa_err_}},
        "pressure": {"weight_A6": eos.gradient_weight_},
    }  # fmt: skip
    _assert_same_b(result, reference, eos.dof_, len(curve), len(curve))
    report = result["pressure"]
    assert report["n_pressures"] == len(curve)
    rtol = 1e-5 + abs(np.log(report["weight_A6"] / eos.gradient_weight_))
    assert report["s_energy_eV"] == pytest.approx(np.sqrt(eos.residual_variance_), rel=rtol)
    assert report["s_pressure_GPa"] == pytest.approx(
        np.sqrt(eos.gradient_variance_) / units.GPa, rel=2 * rtol
    )


def test_the_same_pressures_in_gpa_and_ev_per_a3_give_the_same_b0(tmp_path, capsys, curve):
    _, in_gpa, _ = _run_json(capsys, _write(tmp_path / "gpa.csv", curve, "P_GPa", 1.0),
                             "--pressure")  # fmt: skip
    _, in_ev, _ = _run_json(
        capsys, _write(tmp_path / "ev.csv", curve, "pressure_eV/Å^3", units.GPa), "--pressure"
    )
    assert in_ev["input"]["pressure"]["unit"] == "eV/Å^3"
    _assert_same_b(in_gpa, in_ev, 2 * len(curve) - 4, len(curve), len(curve))
    # and not by accident: GPa read as eV/Å^3 is refused, not fitted
    path = _write(tmp_path / "wrong.csv", curve, "P_GPa", 1.0)
    status, result, err = _run_json(capsys, path, "--pressure", "--pressure-unit", "eV/A^3")
    assert status == 2 and result is None
    assert "another unit?" in err and "read in eV/Å^3 from column 'P_GPa'" in err


def test_the_text_report_says_what_was_fitted(tmp_path, capsys, curve):
    path = _write(tmp_path / "ev.csv", curve, "P_GPa", 1.0)
    assert main(["eos", path, "--pressure", "--eos", "birch-murnaghan"]) == 0
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if line.startswith("  pressures:"))
    assert f"{len(curve)} from column 'P_GPa' in GPa, fitted with the energies" in line
    assert "Å^6" in line and "residual std: energies" in line and "GPa" in line


def test_pressures_in_the_other_sign_convention_are_refused(tmp_path, capsys, curve):
    path = _write(tmp_path / "stress.csv", curve, "P_GPa", 1.0, sign=-1.0)
    status, result, err = _run_json(capsys, path, "--pressure")
    assert status == 2 and result is None  # no number at all
    assert err.startswith("skphys eos: error:") and len(err.strip().splitlines()) == 1
    assert "increase with volume" in err and "positive under compression" in err


def test_without_the_option_a_pressure_column_is_noted_not_fitted(tmp_path, capsys, curve):
    path = _write(tmp_path / "ev.csv", curve, "P_GPa", 1.0)
    status, result, _ = _run_json(capsys, path)
    assert status == 0 and "pressure" not in result
    assert any("'P_GPa' not fitted; --pressure" in note for note in result["notes"])
    eos = BirchMurnaghanRegressor().fit(curve[["volume_A3"]], curve.energy_eV)
    assert result["parameters"]["B"]["value"] == pytest.approx(eos.bulk_modulus_gpa_,
                                                               rel=10 * TOL)  # fmt: skip


def test_missing_cells_are_points_without_a_pressure_or_an_energy(tmp_path, capsys, curve):
    energies = curve.energy_eV.to_numpy().copy()
    energies[3] = np.nan  # a point with a pressure only
    path = tmp_path / "gaps.csv"
    text = _write(path, curve, "P_GPa", 1.0, energies=energies)
    lines = path.read_text().splitlines()
    lines[2] = lines[2].rsplit(",", 1)[0] + ","  # the second point without its pressure
    path.write_text("\n".join(lines) + "\n")
    assert lines[2].endswith(",") and ",," in lines[4]  # empty cells, as pandas writes NaN
    status, result, _ = _run_json(capsys, text, "--pressure")
    assert status == 0
    assert result["pressure"]["n_pressures"] == len(curve) - 1
    pressures = curve.pressure_eV_A3.to_numpy().copy()
    pressures[1] = np.nan
    X = curve[["volume_A3"]].to_numpy()
    eos = BirchMurnaghanRegressor().fit(X, energies, y_grad=-pressures)
    reference = {
        "parameters": {"B": {"value": eos.bulk_modulus_gpa_, "stderr": eos.bulk_modulus_gpa_err_}},
        "pressure": {"weight_A6": eos.gradient_weight_},
    }  # fmt: skip
    _assert_same_b(result, reference, eos.dof_, len(curve) - 1, len(curve) - 1)


@pytest.mark.parametrize(
    "names, args, message",
    [
        (["volume_A3", "energy_eV", "pressure"], [], "'pressure' states no unit"),
        (["volume_A3", "energy_eV", "P_bar"], [], "unknown pressure unit 'bar'"),
        (["volume_A3", "energy_eV", "stress"], [], "no pressure column"),
        (["volume_A3", "energy_eV"], ["--pressure-unit", "GPa"], "give --pressure too"),
    ],
    ids=["no-unit", "unknown-unit", "no-column", "unit-without-option"],
)
def test_pressure_columns_that_do_not_say_their_unit_are_refused(tmp_path, capsys, curve,
                                                                 names, args, message):  # fmt: skip
    columns = [curve.volume_A3, curve.energy_eV, curve.pressure_eV_A3 / units.GPa][: len(names)]
    path = tmp_path / "ev.csv"
    pd.DataFrame(dict(zip(names, columns, strict=True))).to_csv(path, index=False)
    option = [] if "--pressure-unit" in args else ["--pressure"]
    assert main(["eos", str(path), *option, *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and message in captured.err
    if names[-1] == "pressure":  # stated by the option, it is read
        assert main(["eos", str(path), "--pressure", "--pressure-unit", "GPa"]) == 0


def test_group_by_fits_the_pressures_of_every_curve(tmp_path, capsys, vasp):
    table = vasp.assign(P_kbar=vasp.pressure_eV_A3 / units.GPa * 10).drop(
        columns="pressure_eV_A3")  # fmt: skip
    path = tmp_path / "vasp.csv"
    table.to_csv(path, index=False, float_format="%.17g")
    status = main(["eos", str(path), "--group-by", "set,crystal", "--eos", "birch-murnaghan",
                   "--pressure"])  # fmt: skip
    out = capsys.readouterr().out
    assert "pressures from column 'P_kbar' in kbar fitted with the energies" in out
    printed = pd.read_csv(io.StringIO(out), comment="#", **READ_CSV_EXACT)
    printed = printed.set_index(CURVE)
    expected = fit_many(vasp, group=CURVE, volume="volume_A3", energy="energy_eV",
                        pressure="pressure_eV_A3", n_atoms="n_atoms")  # fmt: skip
    assert list(printed.index) == list(expected.index)
    done = expected.status == "converged"
    # the exact solve of data converted there and back: the same weights to the
    # rule's tolerance, the same parameters as they allow
    log_w = np.abs(np.log(printed.pressure_weight / expected.pressure_weight))[done]
    assert np.all(log_w <= weight_gap(expected.n_points, expected.n_pressures, 4)[done])
    se = expected.b0_stderr[done]
    dof = (expected.n_points + expected.n_pressures - 4)[done]
    allowed = 2 * 10 * TOL * np.maximum(expected.b0.abs()[done], se) + se * np.sqrt(dof) * log_w
    assert np.all(np.abs(printed.b0 - expected.b0)[done] <= allowed)
    assert status == (3 if (expected.status != "converged").any() else 0)
    # every curve's pressures in the other sign: the column is wrong, exit 2
    flipped = table.assign(P_kbar=-table.P_kbar)
    flipped.to_csv(path, index=False, float_format="%.17g")
    assert main(["eos", str(path), "--group-by", "set,crystal", "--pressure"]) == 2
    err = capsys.readouterr().err
    assert "on every curve with pressures" in err and "increase with volume" in err


def test_pressure_is_refused_where_it_cannot_apply(tmp_path, capsys, curve):
    path = _write(tmp_path / "ev.csv", curve, "P_GPa", 1.0)
    assert main(["eos", path, "--pressure", "--eos", "all"]) == 2
    assert "does not fit --pressure" in capsys.readouterr().err
