"""Docstrings of the public API: numpydoc rules, fitted attributes, defaults, examples.

The public API is found by walking the package, so a new name is checked without
anyone remembering to add it: ``__all__`` of :mod:`skphys` and of every submodule
not starting with ``_`` (the public functions of a submodule without ``__all__``),
and for each class the methods that skphys defines. Methods inherited from
scikit-learn (``get_params``, ``score``, ``set_output``, ``fit_transform``,
``set_*_request``, ...) are scikit-learn's and left out.

* ``test_numpydoc`` runs :func:`numpydoc.validate.validate` on every public class,
  function and method; the rules left out are in ``EXCLUDED_RULES`` with reasons.
* numpydoc does not check fitted attributes: ``test_fitted_attributes_documented``
  fits every estimator and draws every display, and compares the attributes
  ending in ``_`` with the Attributes section.
* ``test_documented_defaults`` compares every ``default=...`` with the signature.
* ``test_examples_run`` runs every docstring with an Examples section as a doctest,
  in a temporary working directory; ``test_user_guide_examples_run`` runs the
  ``>>>`` examples of the user guide (``docs/user_guide/*.rst``).
"""

import ast
import doctest
import importlib
import inspect
import pkgutil
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from numpydoc.docscrape import NumpyDocString, get_doc_object
from numpydoc.validate import validate

import skphys

# numpydoc rules not enforced, and why. Everything else is, in particular every
# rule on Parameters (PR01 undocumented, PR02 unknown, PR03 order, PR04 no type,
# PR07 no description, ...), Returns (RT01 missing, RT03 no description), Yields,
# the summary line (SS01-SS04, SS06) and the layout (GL01-GL10).
EXCLUDED_RULES = {
    "ES01": "An extended summary is not required: many functions say all in one line.",
    "SA01": "A See Also section is not required.",
    "EX01": (
        "Examples are not required on every function and method; the estimators "
        "and main functions have them, and every Examples section runs "
        "(test_examples_run)."
    ),
    "RT02": (
        "Returns entries are named as in scikit-learn (``self : object``, "
        "``y_pred : ndarray of shape ...``), which RT02 rejects for a single value."
    ),
    "SS05": (
        "Summaries of functions that return a value are noun phrases ('Energies "
        "of ...', 'Derivatives of ...'); SS05 flags any first word ending in 's' "
        "as a verb in the third person, nouns included."
    ),
    "SA03": (
        "See Also descriptions may start in lower case, continuing the reference "
        "as a phrase; capitalisation is cosmetic."
    ),
}

# Attributes documented but set only in some fits.
CONDITIONAL_ATTRIBUTES = {
    "feature_names_in_": "only when X has string column names (a DataFrame)",
}

ROOT = Path(__file__).resolve().parents[1]


# -- the public API -----------------------------------------------------------------
def public_modules():
    """``skphys`` and its submodules not starting with ``_``."""
    submodules = sorted(
        f"skphys.{info.name}"
        for info in pkgutil.iter_modules(skphys.__path__)
        if not info.name.startswith("_")
    )
    return ["skphys", *submodules]


def public_names(module):
    """``__all__`` of a module, else the functions it defines; no dunder names."""
    names = getattr(module, "__all__", None)
    if names is None:
        names = [
            name
            for name, obj in vars(module).items()
            if inspect.isfunction(obj) and obj.__module__ == module.__name__
        ]
    return [name for name in names if not name.startswith("_")]


def _is_ours(obj):
    return getattr(obj, "__module__", "").split(".")[0] == "skphys"


def own_methods(cls):
    """``(name, function)`` of the public methods and properties skphys defines.

    Each is looked up in the class that defines it (a skphys base class included);
    classmethods, staticmethods and properties give their underlying function.
    """
    for name in sorted(dir(cls)):
        if name.startswith("_"):
            continue
        owner = next(klass for klass in cls.__mro__ if name in vars(klass))
        member = vars(owner)[name]
        if isinstance(member, (classmethod, staticmethod)):
            member = member.__func__
        elif isinstance(member, property):
            member = member.fget
        if inspect.isfunction(member) and _is_ours(owner):
            yield name, member


def public_objects():
    """``(qualified name, object)`` of every public class, function and method, once each."""
    found, seen = [], set()

    def add(name, obj):
        if id(obj) not in seen:
            seen.add(id(obj))
            found.append((name, obj))

    for module_name in public_modules():
        module = importlib.import_module(module_name)
        for name in public_names(module):
            obj = getattr(module, name)
            if inspect.isclass(obj) or inspect.isfunction(obj):
                add(f"{module_name}.{name}", obj)
            if inspect.isclass(obj):
                for method_name, method in own_methods(obj):
                    add(f"{module_name}.{name}.{method_name}", method)
    return found


PUBLIC_OBJECTS = public_objects()
PUBLIC_IDS = [name for name, _ in PUBLIC_OBJECTS]
PUBLIC_CLASSES = [(name, obj) for name, obj in PUBLIC_OBJECTS if inspect.isclass(obj)]


def test_public_api_is_found():
    """The walk finds the API (a walk that finds nothing would check nothing)."""
    names = set(PUBLIC_IDS)
    assert {
        "skphys.MurnaghanRegressor",
        "skphys.functions.murnaghan",
        "skphys.datasets.make_dimer_dataset",
        "skphys.plotting.FitDisplay.from_estimator",
        "skphys.cli.main",
    } <= names
    # a method defined on a skphys base class is checked once, under its first user
    methods = {name.rsplit(".", 1)[1] for name in names}
    assert {"fit", "predict", "predict_interval", "confidence_intervals", "pressure"} <= methods
    assert not methods & {"get_params", "set_params", "score", "set_output", "fit_transform"}


# -- numpydoc -----------------------------------------------------------------------
@pytest.mark.parametrize("name, obj", PUBLIC_OBJECTS, ids=PUBLIC_IDS)
def test_numpydoc(name, obj):
    # A doc object of the function itself: numpydoc skips the Returns checks of a
    # classmethod it loads by name (a bound method is not a function to it).
    errors = validate(get_doc_object(obj))["errors"]
    errors = [f"{code}: {message}" for code, message in errors if code not in EXCLUDED_RULES]
    assert not errors, f"{name}:\n" + "\n".join(errors)


# -- documented defaults ------------------------------------------------------------
_DEFAULT = re.compile(r"default\s*=\s*(.+)$")


def _documented_defaults(obj):
    """``{parameter: documented default}`` for entries ending in ``default=...``."""
    doc = NumpyDocString(inspect.getdoc(obj) or "")
    defaults = {}
    for entry in doc["Parameters"]:
        match = _DEFAULT.search(entry.type)
        if match is None:
            continue
        names = [n.strip() for n in entry.name.split(",")]
        try:
            value = ast.literal_eval(match.group(1).strip())
        except (ValueError, SyntaxError):
            continue  # not a literal (e.g. ``np.inf``): nothing to compare
        values = value if len(names) > 1 and isinstance(value, tuple) else (value,) * len(names)
        defaults.update(zip(names, values, strict=True))
    return defaults


def _same_default(actual, documented):
    """Equal values, and a bool only for a bool (``True == 1`` in Python)."""
    try:
        equal = bool(actual == documented)
    except ValueError:  # an array default
        return False
    return equal and isinstance(actual, bool) == isinstance(documented, bool)


@pytest.mark.parametrize("name, obj", PUBLIC_OBJECTS, ids=PUBLIC_IDS)
def test_documented_defaults(name, obj):
    try:
        parameters = inspect.signature(obj).parameters
    except (TypeError, ValueError):  # no signature to compare with
        return
    wrong = []
    for param, documented in _documented_defaults(obj).items():
        if param not in parameters:
            continue  # PR02 of test_numpydoc reports it
        actual = parameters[param].default
        if actual is inspect.Parameter.empty:
            wrong.append(f"{param}: documented default={documented!r}, but it has none")
        elif not _same_default(actual, documented):
            wrong.append(f"{param}: documented default={documented!r}, signature {actual!r}")
    assert not wrong, f"{name}:\n" + "\n".join(wrong)


# -- fitted attributes --------------------------------------------------------------
def _line(params, X):
    slope, intercept = params
    return slope * X[:, 0] + intercept


def _fitted_examples():
    """A fitted (or drawn) instance of every public estimator and display, by name."""
    from ase import Atoms

    from skphys import functions
    from skphys.datasets import load_murnaghan_example
    from skphys.plotting import EOSDisplay, FitDisplay, ParityDisplay, SensitivityDisplay

    volumes, energies = load_murnaghan_example(return_X_y=True)
    r = np.linspace(1.5, 4.0, 20).reshape(-1, 1)  # Å
    x = np.linspace(0.0, 1.0, 30).reshape(-1, 1)
    eos = skphys.MurnaghanRegressor().fit(volumes, energies)
    return {
        "ParametricRegressor": lambda: skphys.ParametricRegressor(_line, p0=[1.0, 0.0]).fit(
            x, 2.0 * x[:, 0] + 1.0 + 0.01 * np.sin(9 * x[:, 0])
        ),
        "MurnaghanRegressor": lambda: eos,
        "CalibratedIntervalRegressor": lambda: skphys.CalibratedIntervalRegressor(
            skphys.MurnaghanRegressor(), cv=5
        ).fit(volumes, energies),
        "BirchMurnaghanRegressor": lambda: skphys.BirchMurnaghanRegressor().fit(
            volumes, energies
        ),
        "VinetRegressor": lambda: skphys.VinetRegressor().fit(volumes, energies),
        "PoirierTarantolaRegressor": lambda: skphys.PoirierTarantolaRegressor().fit(
            volumes, energies
        ),
        "AntonSchmidtRegressor": lambda: skphys.AntonSchmidtRegressor().fit(volumes, energies),
        "TaylorRegressor": lambda: skphys.TaylorRegressor().fit(volumes, energies),
        "StabilizedJelliumRegressor": lambda: skphys.StabilizedJelliumRegressor().fit(
            volumes, energies
        ),
        "BuckinghamRegressor": lambda: skphys.BuckinghamRegressor().fit(
            r, functions.buckingham(r[:, 0], 500.0, 3.0, 20.0)
        ),
        "MorseRegressor": lambda: skphys.MorseRegressor().fit(
            r, functions.morse(r[:, 0], 0.5, 1.5, 2.2)
        ),
        "LennardJonesRegressor": lambda: skphys.LennardJonesRegressor().fit(
            r, functions.lennard_jones(r[:, 0], 0.01, 2.5)
        ),
        "TanhMLPRegressor": lambda: skphys.TanhMLPRegressor(
            hidden_layer_sizes=(3,), n_restarts=0, max_iter=30, random_state=0
        ).fit(x, np.sin(3 * x[:, 0])),
        "AseEnergyTransformer": lambda: skphys.AseEnergyTransformer("Cu2").fit([[2.2]]),
        "PairDistanceTransformer": lambda: skphys.PairDistanceTransformer().fit(
            [Atoms("Cu3", positions=[[0, 0, 0], [2.2, 0, 0], [0, 2.4, 0]])]
        ),
        "FitDisplay": lambda: FitDisplay.from_estimator(eos, volumes, energies),
        "EOSDisplay": lambda: EOSDisplay.from_estimator(eos, volumes, energies),
        "ParityDisplay": lambda: ParityDisplay.from_estimator(eos, volumes, energies),
        "SensitivityDisplay": lambda: SensitivityDisplay.from_estimator(eos, volumes),
    }


def _needs_fitted_example(cls):
    from sklearn.base import BaseEstimator

    if cls.__name__.startswith("Base"):  # abstract: their subclasses are checked
        return False
    return issubclass(cls, BaseEstimator) or cls.__name__.endswith("Display")


FITTED_CLASSES = [(name, cls) for name, cls in PUBLIC_CLASSES if _needs_fitted_example(cls)]


def _documented_attributes(cls):
    doc = NumpyDocString(inspect.getdoc(cls) or "")
    return {n.strip() for entry in doc["Attributes"] for n in entry.name.split(",")}


@pytest.fixture(scope="module")
def fitted_examples():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield _fitted_examples()
    plt.close("all")


@pytest.mark.parametrize("name, cls", FITTED_CLASSES, ids=[n for n, _ in FITTED_CLASSES])
def test_fitted_attributes_documented(name, cls, fitted_examples, example_data):
    if issubclass(cls, skphys.BasePhysicalRegressor) and cls.__name__ not in fitted_examples:
        # a physical form is fitted on its declared example
        fitted_examples[cls.__name__] = lambda: cls().fit(*example_data(cls))
    if cls.__name__ not in fitted_examples:
        pytest.fail(f"add a fitted {cls.__name__} to _fitted_examples() in {__file__}")
    with warnings.catch_warnings():
        # ConvergenceWarning of deliberately short fits: the attributes are the point
        warnings.simplefilter("ignore", UserWarning)
        instance = fitted_examples[cls.__name__]()
    assert type(instance) is cls
    fitted = {a for a in vars(instance) if a.endswith("_") and not a.startswith("_")}
    documented = _documented_attributes(cls)
    undocumented = sorted(fitted - documented)
    absent = sorted(documented - fitted - set(CONDITIONAL_ATTRIBUTES))
    assert not undocumented, f"{name}: attributes set but not documented: {undocumented}"
    assert not absent, f"{name}: attributes documented but not set: {absent}"


# -- examples -----------------------------------------------------------------------
_OPTIONS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _has_examples(obj):
    return bool(NumpyDocString(inspect.getdoc(obj) or "")["Examples"])


WITH_EXAMPLES = [(name, obj) for name, obj in PUBLIC_OBJECTS if _has_examples(obj)]


def _run_doctest(test):
    runner = doctest.DocTestRunner(optionflags=_OPTIONS)
    runner.run(test)
    return runner.summarize(verbose=False)


@pytest.mark.parametrize("name, obj", WITH_EXAMPLES, ids=[n for n, _ in WITH_EXAMPLES])
def test_examples_run(name, obj, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # whatever an example writes lands here
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    docstring = inspect.getdoc(obj)
    test = doctest.DocTestParser().get_doctest(docstring, {}, name, None, 0)
    assert test.examples, f"{name}: its Examples section holds no >>> example"
    try:
        result = _run_doctest(test)
    finally:
        plt.close("all")
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} examples failed"


USER_GUIDE = sorted((ROOT / "docs" / "user_guide").glob("*.rst"))


@pytest.mark.parametrize("page", USER_GUIDE, ids=[p.name for p in USER_GUIDE])
def test_user_guide_examples_run(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = page.read_text(encoding="utf-8")
    test = doctest.DocTestParser().get_doctest(text, {}, page.name, str(page), 0)
    result = _run_doctest(test)
    assert result.failed == 0, f"{page.name}: {result.failed} of {result.attempted} failed"


def test_examples_are_found():
    """Some docstrings and user guide pages hold examples (else nothing would run)."""
    assert {"skphys.ParametricRegressor", "skphys.MurnaghanRegressor"} <= {
        name for name, _ in WITH_EXAMPLES
    }
    assert len(USER_GUIDE) >= 5
