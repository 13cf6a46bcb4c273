"""``skphys eos FILE --group-by COLUMNS``: a long table, every curve fitted."""

import io
import json

import numpy as np
import pandas as pd
import pytest

from skphys.cli import main
from skphys.datasets import load_acwf_sample
from skphys.datasets._acwf import READ_CSV_EXACT
from skphys.eos import fit_many

CURVE = ["set", "crystal"]


@pytest.fixture(scope="module")
def vasp():
    curves = load_acwf_sample()
    return curves[curves.code == "vasp"].drop(columns=["code", "pressure_eV_A3"])


def test_group_by_prints_the_table_fit_many_gives(vasp, tmp_path, capsys):
    path = tmp_path / "vasp.csv"
    vasp.to_csv(path, index=False)
    status = main(["eos", str(path), "--group-by", "set,crystal", "--eos", "birch-murnaghan"])
    out = capsys.readouterr()
    printed = pd.read_csv(io.StringIO(out.out), comment="#", **READ_CSV_EXACT)
    printed = printed.set_index(CURVE)
    expected = fit_many(vasp, group=CURVE, volume="volume_A3", energy="energy_eV",
                        n_atoms="n_atoms")  # fmt: skip
    assert list(printed.index) == list(expected.index)
    # the CSV carries every digit: the same numbers
    names = ["e0", "b0", "bp", "v0"]
    np.testing.assert_array_equal(printed[names], expected[names])
    assert (printed.n_atoms == expected.n_atoms).all()
    # a curve that ended unphysical makes the exit status 3, with the table printed
    assert status == (3 if (expected.status != "converged").any() else 0)


def test_group_by_json_and_units(vasp, tmp_path, capsys):
    from ase.units import Rydberg

    converted = vasp.assign(energy_eV=vasp.energy_eV / Rydberg).rename(
        columns={"energy_eV": "energy_Ry"})  # fmt: skip
    path = tmp_path / "ry.csv"
    converted.to_csv(path, index=False)
    main(["eos", str(path), "--group-by", "set,crystal", "--json", "--eos", "vinet"])
    records = json.loads(capsys.readouterr().out)
    expected = fit_many(vasp, "vinet", group=CURVE, volume="volume_A3", energy="energy_eV")
    assert len(records) == len(expected)
    b0 = np.array([r["b0"] for r in records])
    done = (expected.status == "converged").to_numpy()
    # the same curves in another unit: the same optimum, within the fits' tol rule
    scale = np.maximum(expected.b0.abs(), expected.b0_stderr).to_numpy()
    assert np.all(np.abs(b0 - expected.b0.to_numpy())[done] <= 2 * 10 * 1e-8 * scale[done] + 1e-12)


def test_group_by_refuses_what_it_cannot_do(vasp, tmp_path, capsys):
    path = tmp_path / "vasp.csv"
    vasp.to_csv(path, index=False)
    assert main(["eos", str(path), "--group-by", "material"]) == 2
    assert "no column" in capsys.readouterr().err
    assert main(["eos", str(path), "--group-by", "crystal", "--plot",
                 str(tmp_path / "p.png")]) == 2  # fmt: skip
    assert "--group-by" in capsys.readouterr().err


def test_eos_all_weighs_every_form(tmp_path, capsys):
    from ase.build import bulk
    from ase.calculators.emt import EMT

    rows = []
    for s in np.linspace(0.97, 1.03, 11):
        atoms = bulk("Cu", "fcc", a=3.61 * s)
        atoms.calc = EMT()
        rows.append({"volume_A3": atoms.get_volume(), "energy_eV": atoms.get_potential_energy()})
    path = tmp_path / "cu.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    assert main(["eos", str(path), "--eos", "all", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    forms = {record["form"] for record in report["fits"]}
    from skphys.eos import FORMS

    assert forms == set(FORMS)
    assert sum(record["weight"] for record in report["fits"]) == pytest.approx(1.0, rel=1e-12)
    (averaged,) = report["averaged"]
    assert averaged["b0_low"] < averaged["b0"] < averaged["b0_high"]
    assert averaged["n_forms"] == len(FORMS)
    assert main(["eos", str(path), "--eos", "all"]) == 0
    text = capsys.readouterr().out
    assert "model-averaged B0 in GPa" in text and "best_form" in text
