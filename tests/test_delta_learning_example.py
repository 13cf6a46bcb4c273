"""The delta-learning example runs, and the EMT feature makes the regression better."""

import runpy
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).parents[1] / "examples" / "plot_delta_learning.py"


@pytest.mark.slow
def test_delta_learning_example(capsys, tmp_path, monkeypatch):
    # the example saves its figure in the working directory, as a script would
    monkeypatch.chdir(tmp_path)
    namespace = runpy.run_path(str(EXAMPLE), run_name="__main__")
    results = namespace["results"]
    for n, (errors, _) in results.items():
        assert errors["delta"] < errors["direct"], n
    assert results[160][0]["delta"] < 5.0  # meV
    assert "EMT alone" in capsys.readouterr().out
    assert (tmp_path / "plot_delta_learning.png").stat().st_size > 0
