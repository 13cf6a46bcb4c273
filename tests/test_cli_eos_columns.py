"""``skphys eos`` reads columns by name and unit, reports per atom, and says what it doubts.

Also: every command checks its outputs before computing, and ``python -m skphys``.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from ase import units
from ase.build import bulk
from ase.calculators.emt import EMT
from ase.io import write

import skphys.cli._demo
import skphys.cli._dimer
import skphys.cli._eos
from skphys import MurnaghanRegressor
from skphys.cli import main
from skphys.datasets import load_murnaghan_example

EXAMPLE = str(Path(skphys.cli.__file__).parents[1] / "datasets" / "data" / "murnaghan_example.csv")
V, E = load_murnaghan_example(return_X_y=True)
V = V[:, 0]
REFERENCE = MurnaghanRegressor().fit(V[:, None], E)
# The command fits the same problem as REFERENCE, from data that differ by the
# rounding of a unit conversion there and back (~1e-16): both stop within the
# solver's relative tolerance of the optimum, hence this margin.
RTOL = 10 * MurnaghanRegressor().tol
FACTORS = {  # what one unit is in eV or Å^3
    "eV": 1.0, "Ry": units.Ry, "Ha": units.Hartree, "kJ/mol": units.kJ / units.mol,
    "A3": 1.0, "bohr3": units.Bohr**3,
}  # fmt: skip


def write_table(path, names, columns, delimiter=","):
    """A table of ``columns`` under the header ``names`` (``None``: no header)."""
    header = "" if names is None else delimiter.join(names) + "\n"
    rows = "\n".join(delimiter.join(f"{v:.17g}" for v in row) for row in zip(*columns, strict=True))
    path.write_text(header + rows + "\n", encoding="utf-8")
    return str(path)


def run_json(capsys, *args):
    status = main(["eos", *args, "--json"])
    captured = capsys.readouterr()
    return status, json.loads(captured.out), captured.err


def assert_reference_fit(result):
    params = result["parameters"]
    assert params["V0"]["value"] == pytest.approx(REFERENCE.v0_, rel=RTOL)
    assert params["B"]["value"] == pytest.approx(REFERENCE.bulk_modulus_gpa_, rel=RTOL)
    assert params["E0"]["value"] == pytest.approx(REFERENCE.e0_, rel=RTOL)


# -- column names and units -----------------------------------------------------------
@pytest.mark.parametrize(
    "volume_name, volume_unit, energy_name, energy_unit",
    [
        ("volume_A3", "A3", "energy_eV", "eV"),
        ("V", "A3", "E", "eV"),
        ("vol", "A3", "energy", "eV"),
        ("volume_Å3", "A3", "E (eV)", "eV"),
        ("volume (A^3)", "A3", "energy [eV]", "eV"),
        ("Volume_Ang3", "A3", "Energy_Hartree", "Ha"),
        ("volume_bohr3", "bohr3", "energy_Ry", "Ry"),
        ("V/bohr^3", "bohr3", "E/Ha", "Ha"),
        ("volume (bohr^3)", "bohr3", "energy (Ry)", "Ry"),
        ("volume_A3", "A3", "energy_kJ/mol", "kJ/mol"),
        ("cell_volume [Å³]", "A3", "total_energy (Ry)", "Ry"),
    ],
)
def test_header_spellings_and_units_give_the_same_fit(
    tmp_path, capsys, volume_name, volume_unit, energy_name, energy_unit
):
    volumes, energies = V / FACTORS[volume_unit], E / FACTORS[energy_unit]
    path = write_table(tmp_path / "ev.csv", [volume_name, energy_name], [volumes, energies])
    status, result, _ = run_json(capsys, path)
    assert status == 0
    assert_reference_fit(result)
    assert result["input"]["volume"]["column"] == volume_name
    assert result["input"]["energy"]["column"] == energy_name


def test_a_curve_in_ry_and_bohr3_gives_the_b0_in_gpa_of_ev_and_a3(tmp_path, capsys):
    ev = write_table(tmp_path / "ev.csv", ["volume_A3", "energy_eV"], [V, E])
    ry = write_table(
        tmp_path / "ry.csv", ["volume_bohr3", "energy_Ry"],
        [V / units.Bohr**3, E / units.Ry],
    )  # fmt: skip
    _, in_ev, _ = run_json(capsys, ev)
    _, in_ry, _ = run_json(capsys, ry)
    assert in_ry["input"]["energy"]["unit"] == "Ry"
    assert in_ry["input"]["volume"]["unit"] == "bohr^3"
    b_ev, b_ry = in_ev["parameters"]["B"]["value"], in_ry["parameters"]["B"]["value"]
    assert b_ry == pytest.approx(b_ev, rel=RTOL)
    # and not by accident: the same numbers read as eV and Å^3 give another B0
    _, as_ev, _ = run_json(capsys, ry, "--volume-unit", "A3", "--energy-unit", "eV")
    assert abs(as_ev["parameters"]["B"]["value"] / b_ev - 1) > 0.5


def test_columns_are_found_by_name_not_order(tmp_path, capsys):
    # once read as volume = energies: "B = -38280 GPa" with exit status 0
    path = write_table(tmp_path / "ev.csv", ["energy_eV", "volume_A3"], [E, V])
    status, result, _ = run_json(capsys, path)
    assert status == 0
    assert_reference_fit(result)


def test_other_columns_are_ignored(tmp_path, capsys):
    path = write_table(
        tmp_path / "ev.csv", ["step", "energy_eV", "pressure_GPa", "V_A3"],
        [np.arange(V.size), E, np.zeros_like(E), V],
    )  # fmt: skip
    status, result, _ = run_json(capsys, path)
    assert status == 0
    assert_reference_fit(result)


def test_whitespace_table_with_bracketed_units(tmp_path, capsys):
    path = write_table(
        tmp_path / "ev.dat", ["volume (bohr^3)", "energy (Ry)"],
        [V / units.Bohr**3, E / units.Ry], delimiter="  ",
    )  # fmt: skip
    status, result, _ = run_json(capsys, path)
    assert status == 0
    assert_reference_fit(result)


def test_commented_header_as_numpy_writes_it(tmp_path, capsys):
    path = tmp_path / "ev.dat"
    np.savetxt(path, np.column_stack([E, V]), header="energy volume\nfrom a scan")
    status, result, _ = run_json(capsys, str(path))
    assert status == 0
    assert_reference_fit(result)


def test_unstated_units_are_assumed_and_said(tmp_path, capsys):
    path = write_table(tmp_path / "ev.csv", ["volume", "energy"], [V, E])
    status, result, _ = run_json(capsys, path)
    assert status == 0
    assert_reference_fit(result)
    notes = " ".join(result["notes"])
    assert "'volume' states no unit: assumed Å^3" in notes
    assert "'energy' states no unit: assumed eV" in notes
    assert main(["eos", path]) == 0
    out = capsys.readouterr().out
    assert "note: column 'energy' states no unit: assumed eV" in out


def test_stated_units_give_no_note(tmp_path, capsys):
    path = write_table(tmp_path / "ev.csv", ["volume_A3", "energy_eV"], [V, E])
    assert run_json(capsys, path)[1]["notes"] == []


def test_unit_options_override_the_header(tmp_path, capsys):
    path = write_table(
        tmp_path / "ev.csv", ["volume", "energy_eV"], [V / units.Bohr**3, E / units.Ha]
    )
    status, result, _ = run_json(capsys, path, "--volume-unit", "bohr^3", "--energy-unit", "Ha")
    assert status == 0
    assert_reference_fit(result)
    assert result["input"]["energy"]["unit"] == "Ha"
    assert any("'energy_eV' read in Ha as --energy-unit says" in n for n in result["notes"])
    assert not any("assumed" in note for note in result["notes"])


def test_columns_option_names_a_headerless_file(tmp_path, capsys):
    path = write_table(tmp_path / "ev.csv", None, [V / units.Bohr**3, E / units.Ry])
    status, result, _ = run_json(capsys, path, "--columns", "volume_bohr3,energy_Ry")
    assert status == 0
    assert_reference_fit(result)
    swapped = write_table(tmp_path / "ve.csv", None, [E, V])
    status, result, _ = run_json(capsys, swapped, "--columns", "energy,volume")
    assert status == 0
    assert_reference_fit(result)


@pytest.mark.parametrize(
    "names, args, message",
    [
        (["distance_A", "energy_eV"], [], "no volume column among ['distance_A', 'energy_eV']"),
        (["x", "y"], [], "no volume column"),
        (["volume_A3", "force"], [], "no energy column"),
        (None, [], "no header line naming the columns"),
        (["volume_A3", "volume_bohr3"], [], "2 volume columns"),
        (["volume_nm3", "energy_eV"], [], "unknown volume unit 'nm3'"),
        (["volume_A3", "energy_per_atom"], [], "unknown energy unit 'per_atom'"),
        (["volume_A3", "energy_eV"], ["--energy-unit", "cal"], "--energy-unit 'cal'"),
        (["volume_A3", "energy_eV"], ["--columns", "volume"], "--columns names 1 column"),
        (None, ["--columns", "r,energy"], "no volume column"),
    ],
    ids=["distance", "unnamed", "no-energy", "no-header", "two-volumes", "unknown-unit",
         "per-atom-energy", "bad-option-unit", "columns-count", "columns-no-volume"],
)  # fmt: skip
def test_tables_that_do_not_say_which_column_is_which_are_refused(
    tmp_path, capsys, names, args, message
):
    path = write_table(tmp_path / "ev.csv", names, [V, E])
    assert main(["eos", path, *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # no number at all
    assert captured.err.startswith("skphys eos: error:") and message in captured.err
    assert len(captured.err.strip().splitlines()) == 1


def test_unit_options_of_a_structure_file_are_refused(tmp_path, capsys):
    path = tmp_path / "scan.extxyz"
    write(path, _cu_scan())
    assert main(["eos", str(path), "--energy-unit", "Ry"]) == 2
    assert "structure file" in capsys.readouterr().err


# -- per atom ----------------------------------------------------------------------------
def test_an_n_atoms_column_gives_per_atom_values(tmp_path, capsys):
    path = write_table(
        tmp_path / "ev.csv", ["volume_A3", "energy_eV", "n_atoms"], [V, E, np.full(V.size, 4)]
    )
    status, result, _ = run_json(capsys, path)
    assert status == 0
    per_atom, params = result["per_atom"], result["parameters"]
    assert per_atom["n_atoms"] == 4
    assert per_atom["V0"]["value"] == pytest.approx(params["V0"]["value"] / 4, rel=1e-15)
    assert per_atom["E0"]["value"] == pytest.approx(params["E0"]["value"] / 4, rel=1e-15)
    assert per_atom["E0"]["stderr"] == pytest.approx(params["E0"]["stderr"] / 4, rel=1e-15)
    assert (per_atom["V0"]["unit"], per_atom["E0"]["unit"]) == ("Å^3/atom", "eV/atom")
    assert "B" not in per_atom  # intensive
    assert main(["eos", path]) == 0
    out = capsys.readouterr().out
    assert "per atom (4 atoms per cell)" in out and "Å^3/atom" in out


def test_n_atoms_option(tmp_path, capsys):
    path = write_table(tmp_path / "ev.csv", ["volume_A3", "energy_eV"], [V, E])
    status, result, _ = run_json(capsys, path, "--n-atoms", "2")
    assert status == 0
    assert result["per_atom"]["V0"]["value"] == pytest.approx(REFERENCE.v0_ / 2, rel=RTOL)
    assert "per_atom" not in run_json(capsys, path)[1]


@pytest.mark.parametrize(
    "counts, args, message",
    [
        (np.r_[np.full(14, 2), np.full(14, 4)], [], "changes within the curve"),
        (np.full(28, 2), ["--n-atoms", "3"], "disagrees"),
        (np.full(28, 1.5), [], "whole numbers"),
        (None, ["--n-atoms", "0"], "--n-atoms must be a positive"),
    ],
)
def test_inconsistent_atom_counts_are_refused(tmp_path, capsys, counts, args, message):
    names, columns = ["volume_A3", "energy_eV"], [V, E]
    if counts is not None:
        names, columns = [*names, "natoms"], [*columns, counts]
    path = write_table(tmp_path / "ev.csv", names, columns)
    assert main(["eos", path, *args]) == 2
    assert message in capsys.readouterr().err


def _cu_scan():
    frames = []
    for a in np.linspace(3.5, 3.72, 9):  # Cu, around the EMT lattice constant
        atoms = bulk("Cu", "fcc", a=a, cubic=True)  # 4 atoms
        atoms.calc = EMT()
        atoms.get_potential_energy()
        frames.append(atoms)
    return frames


def test_a_structure_file_reports_per_atom(tmp_path, capsys):
    path = tmp_path / "scan.extxyz"
    frames = _cu_scan()
    write(path, frames)
    status, result, _ = run_json(capsys, str(path))
    assert status == 0
    assert result["per_atom"]["n_atoms"] == 4
    volumes = [f.get_volume() / 4 for f in frames]
    assert min(volumes) < result["per_atom"]["V0"]["value"] < max(volumes)


# -- warnings and exit status -------------------------------------------------------------
def _steep_curve(tmp_path):
    # a curve that falls ever faster: no solid's; the fit ends at BP < 0
    volumes = np.linspace(10, 20, 8)
    return write_table(tmp_path / "steep.csv", ["V_A3", "E_eV"], [volumes, -np.exp(volumes / 2)])


def test_unphysical_fit_prints_numbers_and_notes_and_exits_3(tmp_path, capsys):
    path = _steep_curve(tmp_path)
    status, result, err = run_json(capsys, path)
    assert status == 3
    assert result["status"] == "unphysical"
    categories = [w["category"] for w in result["warnings"]]
    assert "UnphysicalParametersWarning" in categories
    assert all(set(w) == {"category", "message"} for w in result["warnings"])
    assert "exit status 3" in err
    assert main(["eos", path]) == 3
    captured = capsys.readouterr()
    assert "BP =" in captured.out
    notes = [line for line in captured.out.splitlines() if "warning:" in line]
    assert any(line.startswith("  warning: UnphysicalParametersWarning: ") for line in notes)
    # one clean line each: no file, line number or source line of a Python warning
    for text in (captured.out, captured.err):
        assert ".py:" not in text and "warn(" not in text and "Traceback" not in text


def test_unconverged_fit_exits_3(tmp_path, capsys, monkeypatch):
    path = write_table(tmp_path / "ev.csv", ["volume_A3", "energy_eV"], [V, E])
    monkeypatch.setattr(
        skphys.cli._eos, "make_estimator", lambda form: MurnaghanRegressor(max_iter=1)
    )
    status, result, _ = run_json(capsys, path)
    assert status == 3
    assert result["converged"] is False
    assert "ConvergenceWarning" in [w["category"] for w in result["warnings"]]


def test_doubtful_but_physical_fit_warns_and_exits_0(tmp_path, capsys):
    # the compressed branch of a solid (V0 = 20 Å^3, B0 = 80 GPa, B' = 4.5) with a
    # 0.5 meV wiggle: a well-determined fit whose minimum lies beyond the data
    e0, b0, bp, v0 = -3.0, 0.5, 4.5, 20.0  # eV, eV/Å^3, 1, Å^3
    volumes = np.linspace(14, 18.5, 8)
    energies = (e0 + b0 * volumes / bp * ((v0 / volumes) ** bp / (bp - 1) + 1)
                - v0 * b0 / (bp - 1) + 5e-4 * np.sin(3 * volumes))  # fmt: skip
    path = write_table(tmp_path / "ev.csv", ["V_A3", "E_eV"], [volumes, energies])
    status, result, _ = run_json(capsys, path)
    assert status == 0 and result["status"] == "ok"
    assert "ExtrapolatedMinimumWarning" in [w["category"] for w in result["warnings"]]
    assert result["parameters"]["V0"]["value"] > volumes.max()


def test_a_good_fit_warns_only_of_its_structured_residuals(capsys):
    # the bundled DFT table does not scatter: the Murnaghan form's residuals are
    # model error, smooth in V (Durbin-Watson p = 8e-5), which leaves the status ok
    status, result, _ = run_json(capsys, EXAMPLE)
    assert status == 0 and result["status"] == "ok"
    assert [w["category"] for w in result["warnings"]] == ["LackOfFitWarning"]
    lack_of_fit = result["lack_of_fit"]
    assert lack_of_fit["structured"] and lack_of_fit["pvalue"] < 1e-3
    assert lack_of_fit["rms_eV"] == pytest.approx(np.sqrt(result["sse_eV2"] / 28), rel=1e-9)


def test_the_text_output_puts_a_caveat_under_the_intervals(capsys):
    assert main(["eos", str(EXAMPLE)]) == 0
    lines = capsys.readouterr().out.splitlines()
    caveat = next(i for i, line in enumerate(lines) if line.startswith("  caveat:"))
    assert lines[caveat - 1].startswith("  SSE =")
    assert "structured residuals" in lines[caveat]
    assert "understate the uncertainty" in lines[caveat + 1]


def test_the_bundled_table_read_in_ry_and_bohr3_is_an_ordinary_solid(capsys):
    # what the data set's description says to a user puzzled by B0 = 0.6 GPa
    descr = load_murnaghan_example().DESCR
    assert "0.6 GPa" in descr and "V0 = 31.5 Å^3 and B0 = 55 GPa" in descr
    status, result, _ = run_json(capsys, EXAMPLE, "--columns", "volume_bohr3,energy_Ry")
    assert status == 0
    assert round(result["parameters"]["V0"]["value"], 1) == 31.5
    assert round(result["parameters"]["B"]["value"]) == 55
    assert round(REFERENCE.bulk_modulus_gpa_, 1) == 0.6


# -- outputs are checked before anything is computed ------------------------------------
def _forbid(monkeypatch, module, name):
    calls = []

    def forbidden(*args, **kwargs):
        calls.append(args)
        raise AssertionError(f"{name} called although an output cannot be written")

    monkeypatch.setattr(module, name, forbidden)
    return calls


@pytest.mark.parametrize("where", ["missing/fit.png", "."])
def test_eos_plot_path_is_checked_before_fitting(tmp_path, capsys, monkeypatch, where):
    path = write_table(tmp_path / "ev.csv", ["volume_A3", "energy_eV"], [V, E])
    calls = _forbid(monkeypatch, skphys.cli._eos, "fit_curve")
    assert main(["eos", path, "--plot", str(tmp_path / where)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("skphys eos: error: --plot")
    assert ("does not exist" if "missing" in where else "is a folder") in err
    assert calls == []


def test_eos_plot_format_is_checked_before_fitting(tmp_path, capsys, monkeypatch):
    path = write_table(tmp_path / "ev.csv", ["volume_A3", "energy_eV"], [V, E])
    calls = _forbid(monkeypatch, skphys.cli._eos, "fit_curve")
    assert main(["eos", path, "--plot", str(tmp_path / "fit.xyz")]) == 2
    assert "matplotlib writes no 'xyz' files" in capsys.readouterr().err
    assert calls == []


def test_a_failed_fit_exits_3_with_one_line(tmp_path, capsys, monkeypatch):
    from skphys.exceptions import FitFailedError

    class Failing(MurnaghanRegressor):
        def fit(self, X, y):
            raise FitFailedError("solver='lm' ended on non-finite parameters")

    path = write_table(tmp_path / "ev.csv", ["volume_A3", "energy_eV"], [V, E])
    monkeypatch.setattr(skphys.cli._eos, "make_estimator", lambda form: Failing())
    assert main(["eos", path]) == 3
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == (
        "skphys eos: the fit failed: solver='lm' ended on non-finite parameters"
    )


def test_eos_plot_failure_comes_after_the_results(tmp_path, capsys, monkeypatch):
    path = write_table(tmp_path / "ev.csv", ["volume_A3", "energy_eV"], [V, E])

    def failing(*args):
        raise OSError("disk full")

    monkeypatch.setattr(skphys.cli._eos, "_save_plot", failing)
    assert main(["eos", path, "--plot", str(tmp_path / "fit.png")]) == 2
    captured = capsys.readouterr()
    assert f"{REFERENCE.v0_:.8g}" in captured.out
    assert "--plot" in captured.err and "disk full" in captured.err


@pytest.mark.parametrize(
    "option, where, message",
    [
        ("--out", "missing/cu2.csv", "does not exist"),
        ("--out", ".", "is a folder"),
        ("--cache", "missing/cu2.db", "does not exist"),
    ],
)
def test_dimer_outputs_are_checked_before_any_energy(
    tmp_path, capsys, monkeypatch, option, where, message
):
    calls = _forbid(monkeypatch, skphys.cli._dimer, "make_dimer_dataset")
    args = ["dimer", "Cu2", "--n", "3", "--no-progress", option, str(tmp_path / where)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"skphys dimer: error: {option}") and message in err
    assert calls == []


@pytest.mark.parametrize(
    "option, make, message",
    [("--out", "file", "is a file"), ("--cache", "missing/cu2.db", "does not exist")],
)
def test_demo_outputs_are_checked_before_any_energy(
    tmp_path, capsys, monkeypatch, option, make, message
):
    target = tmp_path / make
    if make == "file":
        target.write_text("")
    calls = _forbid(monkeypatch, skphys.cli._demo, "make_dimer_dataset")
    args = ["demo", "--no-progress", "--out", str(tmp_path / "demo"), option, str(target)]
    assert main(args) == 2
    assert message in capsys.readouterr().err
    assert calls == []


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may write anywhere"
)
def test_a_read_only_folder_is_refused(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o500)
    calls = _forbid(monkeypatch, skphys.cli._dimer, "make_dimer_dataset")
    try:
        assert main(["dimer", "Cu2", "--out", str(folder / "a.csv")]) == 2
    finally:
        folder.chmod(0o700)
    assert "not writable" in capsys.readouterr().err and calls == []


# -- python -m skphys ---------------------------------------------------------------------
def test_python_dash_m_skphys(tmp_path):
    # the skphys this test imports, not another installed one
    root = str(Path(skphys.cli.__file__).parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(
        [sys.executable, "-m", "skphys", "--help"],
        capture_output=True, text=True, timeout=120, check=False, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "usage: skphys" in result.stdout and "eos" in result.stdout
    path = write_table(tmp_path / "ev.csv", ["volume_A3", "distance"], [V, E])
    result = subprocess.run(
        [sys.executable, "-m", "skphys", "eos", path],
        capture_output=True, text=True, timeout=120, check=False, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2
    assert "no energy column" in result.stderr and "Traceback" not in result.stderr
