"""The ``skphys`` command line, in process and through the installed console script."""

import contextlib
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from ase.build import bulk
from ase.calculators.emt import EMT
from ase.io import write
from ase.units import GPa
from sklearn.model_selection import KFold, cross_val_predict, cross_val_score

from skphys import MorseRegressor, MurnaghanRegressor, TanhMLPRegressor
from skphys.atoms import AseEnergyTransformer
from skphys.cli import main
from skphys.datasets import load_murnaghan_example, make_dimer_dataset
from skphys.plotting import ParityDisplay

EXAMPLE = Path(__file__).parents[1] / "skphys" / "datasets" / "data" / "murnaghan_example.csv"


def console(*args):
    """Run the console script pip installed beside this interpreter."""
    script = Path(sys.executable).parent / "skphys"
    assert script.exists(), f"no console script at {script}: is skphys installed?"
    return subprocess.run(
        [str(script), *args], capture_output=True, text=True, timeout=300, check=False
    )


# -- skphys eos -----------------------------------------------------------------------
def test_eos_prints_the_fit_with_intervals(capsys):
    assert main(["eos", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    X, y = load_murnaghan_example(return_X_y=True)
    eos = MurnaghanRegressor().fit(X, y)
    assert f"{eos.v0_:.8g}" in out
    assert f"{eos.b0_ / GPa:.8g}" in out
    assert "95% interval" in out and "GPa" in out and "BP" in out


def test_eos_json_is_machine_readable(capsys):
    assert main(["eos", str(EXAMPLE), "--json", "--alpha", "0.1"]) == 0
    result = json.loads(capsys.readouterr().out)
    X, y = load_murnaghan_example(return_X_y=True)
    eos = MurnaghanRegressor().fit(X, y)
    params = result["parameters"]
    assert params["V0"]["value"] == pytest.approx(eos.v0_, rel=1e-12)
    assert params["B"]["value"] == pytest.approx(eos.bulk_modulus_gpa_, rel=1e-12)
    assert params["B"]["unit"] == "GPa"
    np.testing.assert_allclose(params["E0"]["interval"], eos.confidence_intervals(0.1)[0])
    assert result["n_points"] == 28 and result["confidence"] == pytest.approx(0.9)


@pytest.mark.parametrize(
    "form, cls",
    [("birch-murnaghan", "BirchMurnaghanRegressor"), ("vinet", "VinetRegressor")],
)
def test_eos_other_forms(capsys, form, cls):
    import skphys

    assert main(["eos", str(EXAMPLE), "--eos", form, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    X, y = load_murnaghan_example(return_X_y=True)
    eos = getattr(skphys, cls)().fit(X, y)
    assert result["eos"] == form
    assert result["parameters"]["V0"]["value"] == pytest.approx(eos.v0_, rel=1e-12)
    assert result["parameters"]["B"]["value"] == pytest.approx(eos.bulk_modulus_gpa_, rel=1e-12)


def test_eos_plot_is_written(tmp_path, capsys):
    png = tmp_path / "eos.png"
    assert main(["eos", str(EXAMPLE), "--plot", str(png)]) == 0
    assert f"plot written to {png}" in capsys.readouterr().out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000


def test_eos_reads_whitespace_tables_with_comments(tmp_path, capsys):
    X, y = load_murnaghan_example(return_X_y=True)
    path = tmp_path / "ev.dat"
    np.savetxt(path, np.column_stack([X[:, 0], y]), header="volume energy\ncomment")
    assert main(["eos", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["n_points"] == 28


def test_eos_reads_an_extxyz_lattice_scan(tmp_path, capsys):
    frames = []
    for a in np.linspace(3.5, 3.72, 9):  # Cu, around the EMT lattice constant
        atoms = bulk("Cu", "fcc", a=a)
        atoms.calc = EMT()
        atoms.get_potential_energy()
        frames.append(atoms)
    path = tmp_path / "scan.extxyz"
    write(path, frames)
    assert main(["eos", str(path), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    volumes = [f.get_volume() for f in frames]
    assert min(volumes) < result["parameters"]["V0"]["value"] < max(volumes)
    assert 100 < result["parameters"]["B"]["value"] < 200  # EMT Cu: ~134 GPa


@pytest.mark.parametrize(
    "content, message",
    [
        ("", "empty"),
        ("# only a comment\n", "empty"),
        ("volume,energy\n", "no data rows"),
        ("V,E\n1,2\n3,abc\n", "not numeric"),
        ("volume\n1\n2\n3\n", "no energy column"),
        ("V,E\n1,2\n3\n", "column"),
        ("1,2\n3,4\n", "no header"),
        ("V,E\n100,-1\n110,-1.1\n120,-1.05\n", "at least 5"),
        ("V,E\n-100,-1\n110,-1.1\n120,-1.05\n130,-1.0\n140,-0.9\n150,-0.8\n", "positive"),
        ("V,E\n100,nan\n110,-1.1\n120,-1.05\n130,-1.0\n140,-0.9\n", "NaN"),
    ],
    ids=["empty", "comment-only", "header-only", "non-numeric", "one-column", "short-row",
         "no-header", "too-few", "negative-volume", "nan"],
)  # fmt: skip
def test_eos_bad_files_give_one_line_and_status_2(tmp_path, capsys, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    assert main(["eos", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("skphys eos: error:") and message in err
    assert len(err.strip().splitlines()) == 1


def test_eos_missing_file_and_bad_alpha(capsys):
    assert main(["eos", "/nonexistent/ev.csv"]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["eos", str(EXAMPLE), "--alpha", "2"]) == 2
    assert "--alpha" in capsys.readouterr().err


# -- skphys dimer ---------------------------------------------------------------------
def test_dimer_writes_csv_of_emt_energies(tmp_path):
    out = tmp_path / "cu2.csv"
    assert main(["dimer", "Cu2", "--n", "12", "--out", str(out), "--no-progress"]) == 0
    table = np.loadtxt(out, delimiter=",", skiprows=1)
    assert table.shape == (12, 2)
    assert out.read_text().startswith("distance_A,energy_eV")
    assert np.all(np.diff(table[:, 0]) >= 0) and np.all((1.7 <= table[:, 0]) & (table[:, 0] <= 3))
    # every energy equals a direct EMT calculation relative to 10 Å
    from ase import Atoms

    def energy(d):
        atoms = Atoms("Cu2", positions=[[0, 0, 0], [d, 0, 0]])
        atoms.calc = EMT()
        return atoms.get_potential_energy()

    direct = [energy(d) - energy(10.0) for d in table[:, 0]]
    np.testing.assert_allclose(table[:, 1], direct, rtol=1e-8, atol=1e-9)


def test_dimer_cache_and_custom_calculator(tmp_path):
    cache = tmp_path / "cu2.db"
    args = ["dimer", "Cu2", "--n", "6", "--cache", str(cache), "--no-progress"]
    assert main([*args, "--out", str(tmp_path / "a.csv")]) == 0
    assert cache.exists()
    assert main([*args, "--out", str(tmp_path / "b.csv")]) == 0
    assert (tmp_path / "a.csv").read_text() == (tmp_path / "b.csv").read_text()
    lj = ["dimer", "Cu2", "--n", "4", "--calculator", "ase.calculators.lj:LennardJones"]
    assert main([*lj, "--out", str(tmp_path / "lj.csv"), "--no-progress"]) == 0


@pytest.mark.parametrize(
    "args, message",
    [
        (["--calculator", "vasp"], "unknown calculator"),
        (["--calculator", "nowhere.module:Calc"], "cannot import calculator"),
        (["--n", "0"], "--n"),
        (["--r-min", "3", "--r-max", "2"], "r_min"),
    ],
)
def test_dimer_bad_arguments_give_one_line_and_status_2(capsys, args, message):
    assert main(["dimer", "Cu2", "--no-progress", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("skphys dimer: error:") and message in err


def test_dimer_rejects_a_trimer(capsys):
    assert main(["dimer", "Cu3", "--n", "3", "--no-progress"]) == 2
    assert "2" in capsys.readouterr().err


# -- skphys demo ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    """One in-process ``skphys demo`` for the tests below (it takes seconds): its
    report, output folder, energy cache and the parity displays it drew."""
    parity = []
    plot = ParityDisplay.plot

    def recording_plot(self, *args, **kwargs):
        parity.append(self)
        return plot(self, *args, **kwargs)

    folder = tmp_path_factory.mktemp("demo")
    out, cache = folder / "plots", folder / "cu2.db"
    report = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(report):
        patch.setattr(ParityDisplay, "plot", recording_plot)
        status = main(["demo", "--out", str(out), "--cache", str(cache), "--no-progress"])
    assert status == 0
    return report.getvalue(), out, cache, parity


def demo_rows(report):
    """The cross-validation table: model -> (mean, std over folds, RMSE of all), meV."""
    rows = {}
    for line in report.splitlines():
        found = re.match(r"(Morse|tanh network \[1, 10, 1\]) +([\d.]+) ± ([\d.]+) +([\d.]+)$", line)
        if found:
            rows[found[1]] = tuple(float(v) for v in found.groups()[1:])
    return rows


@pytest.mark.slow
def test_demo_reports_models_and_writes_plots(demo_run):
    report, out, cache, _ = demo_run
    for token in ("5-fold cross-validated RMSE (meV)", "Morse", "tanh network",
                  "EMT is deterministic", "model error", "not noise",
                  "MurnaghanRegressor fit", "GPa", "95% interval"):  # fmt: skip
        assert token in report
    assert "Buckingham" not in report
    assert sorted(p.name for p in out.iterdir()) == [
        "cu2_morse.png",
        "cu2_tanh.png",
        "murnaghan_eos.png",
    ]
    assert cache.exists()  # the energies went to the ASE database


@pytest.mark.slow
def test_demo_errors_are_cross_validated(demo_run):
    # the RMSE on the parity plots and in the table, against scikit-learn's own
    # cross-validation of the same models on the same folds
    report, _, cache, parity = demo_run
    X, y = make_dimer_dataset("Cu2", 300, random_state=0, cache=cache)
    cv = KFold(5, shuffle=True, random_state=0)
    models = {
        "Morse": MorseRegressor(),
        "tanh network [1, 10, 1]": TanhMLPRegressor(hidden_layer_sizes=(10,), random_state=0),
    }
    rows = demo_rows(report)
    assert list(rows) == list(models) and len(parity) == len(models)
    for (name, model), display in zip(models.items(), parity, strict=True):
        y_cv = cross_val_predict(model, X, y, cv=cv)
        rmse = np.sqrt(np.mean((y_cv - y) ** 2))
        folds = -cross_val_score(model, X, y, cv=cv, scoring="neg_root_mean_squared_error")
        assert display.rmse_ == pytest.approx(rmse, rel=1e-9)
        label = display.scatter_.get_label()
        shown = re.search(r"^5-fold cross-validated RMSE = ([\d.e-]+) eV$", label, re.M)
        assert shown and float(shown[1]) == pytest.approx(rmse, rel=5e-3)  # 3 digits shown
        # printed to 0.01 meV
        expected = (1000 * folds.mean(), 1000 * folds.std(), 1000 * rmse)
        assert rows[name] == pytest.approx(expected, abs=0.006)
    # deterministic data: the network follows EMT far closer than the Morse form
    assert rows["tanh network [1, 10, 1]"][2] < 5 < rows["Morse"][2]


@pytest.mark.slow
def test_demo_morse_parameters_are_physical(demo_run):
    report, _, cache, _ = demo_run
    params = dict(re.findall(r"^  (De|a|re) += ([\d.]+) ", report, re.M))
    assert set(params) == {"De", "a", "re"}
    de, a, r_e = (float(params[k]) for k in ("De", "a", "re"))
    assert f"De = {params['De']} eV" in report and f"re = {params['re']} Å" in report
    assert "1/Å" in report
    # the EMT well: its depth and place among the data (300 separations, ~0.004 Å
    # apart); a Morse form misfit by ~15 meV RMS reaches them to ~1 % and 0.02 Å
    X, y = make_dimer_dataset("Cu2", 300, random_state=0, cache=cache)
    assert de == pytest.approx(-y.min(), rel=0.01)
    assert r_e == pytest.approx(X[np.argmin(y), 0], abs=0.02)
    # a from the curvature at the bottom, E''(re) = 2 De a^2, of a parabola through
    # the data within 0.1 Å of it (a Morse form curves a few % off EMT across that)
    near = np.abs(X[:, 0] - X[np.argmin(y), 0]) < 0.1
    curvature = 2 * np.polyfit(X[near, 0], y[near], 2)[0]
    assert a == pytest.approx(np.sqrt(curvature / (2 * -y.min())), rel=0.05)


@pytest.mark.slow
def test_demo_calibrated_intervals_against_emt(demo_run):
    """The table of calibrated intervals: EMT's own values, at distances no fit saw."""
    report = demo_run[0]
    rows = re.findall(
        r"^ +([\d.]+) +(-?[\d.]+) +\[(-?[\d.]+), (-?[\d.]+)\] +(-?[\d.]+)  (\w+), (.*)$",
        report,
        re.M,
    )
    assert [row[0] for row in rows] == ["2.00", "2.60", "3.20"]
    emt = AseEnergyTransformer("Cu2").fit_transform([[2.0], [2.6], [3.2]]).ravel()
    for (_, _, low, high, shown, _, verdict), value in zip(rows, emt, strict=True):
        assert float(shown) == pytest.approx(value, abs=6e-5)  # printed to 0.1 meV
        assert verdict == ("covered" if float(low) <= value <= float(high) else "NOT covered")
        assert verdict == "covered"  # 1-3 meV inside intervals 17-28 meV wide (more at 3.2)
    # the data stop at 3.0 Å: 3.2 Å is extrapolated, and said so
    assert [row[5] for row in rows] == ["inside", "inside", "extrapolated"]


@pytest.mark.slow
def test_console_script_demo(tmp_path):
    result = console("demo", "--out", str(tmp_path / "demo"))
    assert result.returncode == 0, result.stderr
    assert "plots written to" in result.stdout and "Traceback" not in result.stderr
    assert "%|" in result.stderr  # the tqdm bar of the energy calculations


# -- help, version, console script -------------------------------------------------------
def test_help_and_version(capsys):
    for args in (["--version"], ["--help"], ["eos", "--help"], ["dimer", "--help"],
                 ["demo", "--help"]):  # fmt: skip
        with pytest.raises(SystemExit) as exc:
            main(args)
        assert exc.value.code == 0
    assert "skphys" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:
        main([])
    assert exc.value.code == 2


def test_console_script_eos_and_errors(tmp_path):
    result = console("eos", str(EXAMPLE), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["parameters"]["V0"]["value"] == pytest.approx(212.778, 1e-5)
    bad = tmp_path / "bad.csv"
    bad.write_text("volume,energy\n1,x\n")
    result = console("eos", str(bad))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "not numeric" in result.stderr


def test_console_script_dimer_shows_progress(tmp_path):
    result = console("dimer", "Cu2", "--n", "5", "--out", str(tmp_path / "d.csv"))
    assert result.returncode == 0, result.stderr
    assert "5/5" in result.stderr  # the tqdm bar on standard error
