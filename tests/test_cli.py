"""The ``skphys`` command line, in process and through the installed console script."""

import subprocess
import sys
from pathlib import Path

import pytest

from skphys.cli import main


def test_demo_prints_the_murnaghan_fit(capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    for token in ("MurnaghanRegressor fit", "E0", "V0", "GPa", "95% interval"):
        assert token in out
    assert "212.778" in out  # V0 of the bundled table, Å^3


def test_help_and_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert "skphys" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:
        main([])
    assert exc.value.code == 2


def test_console_script_runs_the_demo():
    # the script pip installed beside this interpreter (the environment under test)
    script = Path(sys.executable).parent / "skphys"
    assert script.exists(), f"no console script at {script}: is skphys installed?"
    result = subprocess.run(
        [str(script), "demo"], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "Bulk modulus B0" in result.stdout
