"""Every gallery example runs as a script and as a notebook, and saves its figure.

The examples save their figure under a file name relative to the working
directory: a notebook (sphinx-gallery's downloadable ``.ipynb``, or the code
pasted into Jupyter) has no ``__file__``, and sphinx-gallery runs the examples
without one too (in their own directory).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).parents[1] / "examples").glob("plot_*.py"))

# What a notebook kernel does with the code: run it in a fresh namespace named
# __main__ that has no __file__ (and no script directory on sys.path).
_AS_NOTEBOOK = """
import sys
source = open(sys.argv[1], encoding="utf-8").read()
namespace = {"__name__": "__main__"}
exec(compile(source, "<notebook>", "exec"), namespace)
"""


def _run(args, cwd):
    """Run Python with ``args`` in ``cwd`` on the Agg backend; assert it succeeds."""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    result = subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]


def _assert_figure_saved(png):
    assert png.is_file() and png.stat().st_size > 10_000, f"{png.name} was not written"


@pytest.mark.slow
@pytest.mark.parametrize("example", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_example_runs_and_saves_its_figure(example, tmp_path):
    # A copy in a temporary directory, also the working directory: the example
    # saves its PNG there and may write scratch files, none in the checkout.
    script = tmp_path / example.name
    shutil.copy(example, script)
    _run([str(script)], cwd=tmp_path)
    _assert_figure_saved(script.with_suffix(".png"))


@pytest.mark.slow
@pytest.mark.parametrize("example", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_example_runs_as_a_notebook_and_saves_its_figure(example, tmp_path):
    _run(["-c", _AS_NOTEBOOK, str(example)], cwd=tmp_path)
    _assert_figure_saved(tmp_path / example.with_suffix(".png").name)
