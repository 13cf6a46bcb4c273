"""``.ci/matrix.py``: the combinations it runs are the ones pyproject.toml claims."""

import importlib.util
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


@pytest.fixture(scope="module")
def matrix():
    spec = importlib.util.spec_from_file_location("matrix", ROOT / ".ci" / "matrix.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def project(matrix):
    return matrix.read_pyproject()


def test_every_direct_dependency_is_pinned_at_its_declared_floor(matrix, project):
    pins = dict(pin.split("==") for pin in matrix.floor_pins(project))
    declared = project["dependencies"] + project["optional-dependencies"]["test"]
    names = {re.match(r"[A-Za-z0-9._-]+", r).group(0).lower() for r in declared}
    assert set(pins) == names
    assert "numpy>=" + pins["numpy"] in project["dependencies"]
    assert "dask[dataframe,distributed]>=" + pins["dask"] in declared


def test_a_dependency_without_a_floor_is_refused(matrix, project):
    unbounded = dict(project, dependencies=[*project["dependencies"], "scipy"])
    with pytest.raises(SystemExit, match="'scipy' declares no floor"):
        matrix.floor_pins(unbounded)
    conflicting = dict(project, dependencies=[*project["dependencies"], "numpy>=2"])
    with pytest.raises(SystemExit, match="numpy has two floors"):
        matrix.floor_pins(conflicting)


def test_the_pythons_run_from_requires_python_to_the_newest_classifier(matrix, project):
    versions = matrix.supported_pythons(project)
    assert versions[0] == project["requires-python"].removeprefix(">=")
    minors = [int(v.split(".")[1]) for v in versions]
    assert minors == list(range(minors[0], minors[-1] + 1))
    named, aliases = matrix.combinations(versions)
    assert named["floors"] == (versions[0], True)
    assert named[aliases["newest"]] == (versions[-1], False)
    assert f"{sys.version_info[0]}.{sys.version_info[1]}" in versions


def test_a_python_is_found_on_the_path_and_a_broken_shim_is_not(matrix, tmp_path, monkeypatch):
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    (tmp_path / f"python{version}").symlink_to(sys.executable)
    # a pyenv shim of a version that is not active: on the PATH, but it fails
    shim = tmp_path / "python3.99"
    shim.write_text("#!/bin/sh\necho 'pyenv: python3.99: command not found' >&2\nexit 127\n")
    shim.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "no-pyenv"))
    assert matrix.find_python(version) == str(tmp_path / f"python{version}")
    assert matrix.find_python("3.99") is None


def test_each_combination_runs_the_readme_test_command(matrix):
    command = matrix.readme_test_command()
    assert command == 'python -m pip install ".[test]" && python -m pytest -n 2'
