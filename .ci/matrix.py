#!/usr/bin/env python3
"""Run the test suite on every Python and at every dependency floor skphys claims.

Each combination is a fresh virtual environment in which the README's test command
runs exactly as written (``python -m pip install ".[test]" && python -m pytest -n 2``):

* ``latest-3.X``: on each Python of the project's classifiers, with what pip resolves;
* ``floors``: on the oldest of them, with every direct dependency (the package's and
  its test extra's) pinned to the floor its ``>=`` declares in ``pyproject.toml``. The
  pins reach pip as a constraints file through ``PIP_CONSTRAINT``.

The Pythons are looked up as ``python3.X`` on the PATH, then in pyenv's versions. A
supported Python that cannot be found fails the run (``--skip-missing`` skips it).

Usage::

    python .ci/matrix.py                      # every combination
    python .ci/matrix.py --only newest oldest  # latest on the newest Python, floors
    python .ci/matrix.py --only latest-3.12 -- -k eos   # extra arguments go to pytest
    python .ci/matrix.py --only newest --interpreter    # the Python it would use

Reads ``pyproject.toml`` with ``tomllib`` (Python >= 3.11, or ``tomli`` installed).
"""

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# the packages whose versions the summary reports
REPORTED = ["numpy", "scipy", "scikit-learn", "ase", "autograd", "pandas", "matplotlib"]
_FLOOR = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*>=\s*([0-9][^,;\s]*)\s*$")


def read_pyproject():
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        try:
            import tomli as tomllib
        except ModuleNotFoundError:
            sys.exit("matrix.py reads pyproject.toml: run it with Python >= 3.11, "
                     "or install tomli")  # fmt: skip
    with open(ROOT / "pyproject.toml", "rb") as file:
        return tomllib.load(file)["project"]


def supported_pythons(project):
    """The 'Programming Language :: Python :: 3.X' classifiers, oldest first."""
    versions = [
        c.rsplit("::", 1)[1].strip()
        for c in project.get("classifiers", [])
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    ]
    if not versions:
        sys.exit("pyproject.toml lists no 'Programming Language :: Python :: 3.X' classifier")
    versions.sort(key=lambda v: tuple(map(int, v.split("."))))
    floor = re.fullmatch(r">=\s*(3\.\d+)", project["requires-python"].strip())
    if floor is None or floor.group(1) != versions[0]:
        sys.exit(f"requires-python {project['requires-python']!r} does not start at the "
                 f"oldest classifier, Python {versions[0]}")  # fmt: skip
    return versions


def floor_pins(project):
    """'name==floor' for every direct dependency of the package and of its test extra."""
    pins = {}
    for requirement in project["dependencies"] + project["optional-dependencies"]["test"]:
        match = _FLOOR.match(requirement)
        if match is None:
            sys.exit(f"{requirement!r} declares no floor of the form 'name>=version'")
        name, version = match.group(1).lower().replace("_", "-"), match.group(3)
        if pins.setdefault(name, version) != version:
            sys.exit(f"{name} has two floors: {pins[name]} and {version}")
    return [f"{name}=={version}" for name, version in pins.items()]


def find_python(version):
    """An interpreter that runs as Python `version`, or None."""
    candidates = [shutil.which(f"python{version}")]
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates += sorted(pyenv_root.glob(f"versions/{version}.*/bin/python{version}"),
                         reverse=True)  # fmt: skip
    for candidate in filter(None, candidates):
        try:
            found = subprocess.run(
                [str(candidate), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                capture_output=True, text=True, timeout=60, check=False,
            )  # fmt: skip
        except OSError:
            continue
        if found.returncode == 0 and found.stdout.strip() == version:
            return str(candidate)  # (a pyenv shim of an inactive version fails here)
    return None


def readme_test_command():
    """The second fenced shell line of README.md's set-up section, as .ci/run reads it."""
    lines, fenced = [], False
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        if re.fullmatch(r"```(bash|sh)", line):
            fenced = True
        elif line == "```":
            fenced = False
        elif fenced:
            lines.append(line)
    return lines[1]


def combinations(versions):
    named = {f"latest-{v}": (v, False) for v in versions}
    named["floors"] = (versions[0], True)
    aliases = {"newest": f"latest-{versions[-1]}", "oldest": "floors"}
    return named, aliases


def installed_versions(python):
    script = ("import importlib.metadata as m, json, sys; "
              "print(json.dumps({n: m.version(n) for n in sys.argv[1:]}))")  # fmt: skip
    out = subprocess.run([python, "-c", script, *REPORTED], capture_output=True, text=True,
                         check=True)  # fmt: skip
    return json.loads(out.stdout)


def run_combination(name, python, floors, pins, test_command, pytest_args, workdir):
    """Create the venv, run the test command; return (status, versions, summary, seconds)."""
    print(f"\n=== {name}: {python}" + (" with every direct dependency at its floor" if floors
                                         else " with what pip resolves"), flush=True)  # fmt: skip
    start = time.monotonic()
    venv = workdir / name
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    bin_dir = venv / "bin"
    env = dict(os.environ, VIRTUAL_ENV=str(venv), PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    env.pop("PYTHONPATH", None)  # the venv's packages only
    if floors:
        constraints = workdir / "floors.txt"
        constraints.write_text("\n".join(pins) + "\n")
        print("constraints: " + ", ".join(pins), flush=True)
        env["PIP_CONSTRAINT"] = str(constraints)
    subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet", "--upgrade",
                    "pip"], env=env, check=True)  # fmt: skip
    command = test_command + "".join(" " + shlex.quote(a) for a in pytest_args)
    print(f"+ {command}", flush=True)
    lines = []
    with subprocess.Popen(["bash", "-c", command], cwd=ROOT, env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT) as process:  # fmt: skip
        for line in process.stdout:
            print(line, end="", flush=True)
            lines.append(line.rstrip())
    try:
        versions = installed_versions(str(bin_dir / "python"))
    except subprocess.CalledProcessError:
        versions = {}
    counts = [line.strip("= ") for line in lines if re.search(r"\d+ (passed|failed|error)", line)]
    summary = counts[-1] if counts else (lines[-1] if lines else "")
    return process.returncode, versions, summary, time.monotonic() - start


def main(argv=None):
    project = read_pyproject()
    versions = supported_pythons(project)
    named, aliases = combinations(versions)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", metavar="NAME",
                        help=f"combinations to run: {', '.join(named)}, or newest "
                             f"(= {aliases['newest']}) and oldest (= floors)")  # fmt: skip
    parser.add_argument("--skip-missing", action="store_true",
                        help="skip a supported Python that is not installed, instead of failing")
    parser.add_argument("--list", action="store_true", help="print the combinations and exit")
    parser.add_argument("--interpreter", action="store_true",
                        help="print the Python of each combination and exit (1 if one is missing)")
    parser.add_argument("pytest_args", nargs="*", help="after --: more arguments for pytest")
    args = parser.parse_args(argv)

    chosen = list(named)
    if args.only:
        chosen = [aliases.get(n, n) for n in args.only]
        unknown = [n for n in chosen if n not in named]
        if unknown:
            parser.error(f"no combination {', '.join(unknown)}; there are {', '.join(named)}")
    pins = floor_pins(project)
    if args.list:
        for name in chosen:
            version, floors = named[name]
            print(f"{name}: Python {version}, " + ("pins " + ", ".join(pins) if floors
                                                   else "what pip resolves"))  # fmt: skip
        return 0

    if args.interpreter:
        found = [find_python(named[name][0]) for name in chosen]
        for python in found:
            print(python or "missing")
        return 0 if all(found) else 1

    test_command = readme_test_command()
    results = []
    with tempfile.TemporaryDirectory(prefix="skphys-matrix-") as tmp:
        for name in chosen:
            version, floors = named[name]
            python = find_python(version)
            if python is None:
                results.append((name, version, "missing", {}, f"no Python {version} found", 0.0))
                continue
            status, found, summary, seconds = run_combination(
                name, python, floors, pins, test_command, args.pytest_args, Path(tmp))
            results.append((name, version, "ok" if status == 0 else f"FAILED ({status})",
                            found, summary, seconds))  # fmt: skip

    print("\n| combination | Python | " + " | ".join(REPORTED) + " | result | minutes |")
    print("|---" * (len(REPORTED) + 4) + "|")
    for name, version, state, found, summary, seconds in results:
        cells = [found.get(p, "-") for p in REPORTED]
        print(f"| {name} | {version} | " + " | ".join(cells)
              + f" | {state}: {summary} | {seconds / 60:.1f} |")  # fmt: skip
    failed = [r for r in results if r[2] not in ("ok", "missing")]
    missing = [r for r in results if r[2] == "missing"]
    if missing and not args.skip_missing:
        print(f"missing: {', '.join(r[0] for r in missing)} (--skip-missing skips them)")
    return 1 if failed or (missing and not args.skip_missing) else 0


if __name__ == "__main__":
    sys.exit(main())
