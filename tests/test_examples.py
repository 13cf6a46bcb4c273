"""Every gallery example runs as a notebook and saves its figure.

The examples save their figure under a file name relative to the working
directory: a notebook (sphinx-gallery's downloadable ``.ipynb``, or the code
pasted into Jupyter) has no ``__file__``, and sphinx-gallery runs the examples
without one too (in their own directory). Run as a notebook, an example has
neither ``__file__`` nor its directory on ``sys.path``, which is what running it
as a script adds (none uses multiprocessing, the other difference); so this run
stands for ``python examples/plot_*.py`` as well.
"""

import os
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
def test_example_runs_as_a_notebook_and_saves_its_figure(example, tmp_path):
    # worker processes would make the script run differ (see the module docstring)
    source = example.read_text(encoding="utf-8")
    assert "n_jobs" not in source and "multiprocessing" not in source
    _run(["-c", _AS_NOTEBOOK, str(example)], cwd=tmp_path)
    _assert_figure_saved(tmp_path / example.with_suffix(".png").name)
