"""Every gallery example runs as a script and saves its figure."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).parents[1] / "examples").glob("plot_*.py"))


@pytest.mark.slow
@pytest.mark.parametrize("example", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_example_runs_and_saves_its_figure(example, tmp_path):
    # A copy in a temporary directory: the example saves its PNG next to itself
    # and may write scratch files to the working directory, none in the checkout.
    script = tmp_path / example.name
    shutil.copy(example, script)
    env = {**os.environ, "MPLBACKEND": "Agg"}
    result = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True,
        text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    png = script.with_suffix(".png")
    assert png.is_file() and png.stat().st_size > 10_000, f"{png.name} was not written"
