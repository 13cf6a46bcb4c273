"""make_dimer_dataset and make_trimer_dataset: sampling, labels, determinism, errors."""

import ast
import inspect
import textwrap

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from numpydoc.docscrape import FunctionDoc
from sklearn.utils._param_validation import InvalidParameterError

from skphys.atoms import AseEnergyTransformer, PairDistanceTransformer
from skphys.datasets import make_dimer_dataset, make_trimer_dataset

GENERATORS = [make_dimer_dataset, make_trimer_dataset]


@pytest.mark.parametrize("make", GENERATORS)
def test_docstring_is_the_one_in_the_source(make):
    # Python 3.13 strips the indentation of docstrings when it compiles them: a
    # fragment spliced in at import no longer lines up, and help() and numpydoc
    # lose the Parameters section. A docstring written out reads the same on
    # every Python; this fails on every Python if one is changed at import.
    source = textwrap.dedent(inspect.getsource(inspect.unwrap(make)))
    assert inspect.getdoc(make) == ast.get_docstring(ast.parse(source).body[0])
    documented = [parameter.name for parameter in FunctionDoc(make)["Parameters"]]
    assert documented == list(inspect.signature(make).parameters)


@pytest.mark.parametrize("make", GENERATORS)
def test_deterministic_for_a_random_state(make):
    X, y = make(n_samples=20, random_state=3, noise=0.01)
    X2, y2 = make(n_samples=20, random_state=3, noise=0.01)
    assert_array_equal(X, X2)
    assert_array_equal(y, y2)
    assert not np.array_equal(make(n_samples=20, random_state=4)[0], X)


def test_dimer_separations_and_labels():
    X, y = make_dimer_dataset(n_samples=50, r_min=1.9, r_max=2.6, random_state=0)
    assert X.shape == (50, 1) and y.shape == (50,)
    assert X.min() >= 1.9 and X.max() <= 2.6
    assert_array_equal(y, AseEnergyTransformer("Cu2").fit_transform(X).ravel())
    assert np.ptp(X) > 0.5  # spread over the range


def test_trimer_geometries_are_sensible_triangles():
    X, y = make_trimer_dataset(n_samples=200, r_min=1.5, r_max=4.5, random_state=0)
    assert X.shape == (200, 3) and y.shape == (200,)
    assert X.min() >= 1.5 and X.max() <= 4.5
    assert np.all(X.sum(axis=1) > 2 * X.max(axis=1))
    assert_array_equal(y, AseEnergyTransformer("Cu3").fit_transform(X).ravel())


def test_trimer_default_is_bound_cu3():
    X, y = make_trimer_dataset(n_samples=50, random_state=0)
    assert np.all(y < 0)  # every atom within 3 Å of the others: bound
    assert y.min() < -5.5


def test_noise_is_gaussian_with_the_stated_scale():
    _, clean = make_dimer_dataset(n_samples=400, random_state=0)
    _, noisy = make_dimer_dataset(n_samples=400, random_state=0, noise=0.05)
    assert np.std(noisy - clean) == pytest.approx(0.05, rel=0.15)
    assert abs(np.mean(noisy - clean)) < 0.01


@pytest.mark.parametrize("make", GENERATORS)
def test_return_atoms_round_trips(make):
    X, y, atoms = make(n_samples=10, random_state=0, return_atoms=True)
    assert len(atoms) == 10
    distances = PairDistanceTransformer(sort=False).fit_transform(atoms)
    assert_allclose(distances, X, rtol=0, atol=1e-12)
    assert not any(a.pbc.any() for a in atoms)


def test_other_symbols_and_calculator():
    X, y = make_dimer_dataset("Au2", n_samples=5, random_state=0, calculator="emt")
    assert_array_equal(y, AseEnergyTransformer("Au2").fit_transform(X).ravel())


@pytest.mark.parametrize(
    "make, kwargs, match",
    [
        (make_dimer_dataset, {"symbols": "Cu3"}, "has 3 atoms; this generator needs 2"),
        (make_trimer_dataset, {"symbols": "Cu2"}, "has 2 atoms; this generator needs 3"),
        (make_dimer_dataset, {"r_min": 3.0, "r_max": 2.0}, "r_min must be below r_max"),
        (make_trimer_dataset, {"r_min": 2.0, "r_max": 2.0}, "r_min must be below r_max"),
    ],
)
def test_bad_requests_are_named(make, kwargs, match):
    with pytest.raises(ValueError, match=match):
        make(n_samples=5, **kwargs)


@pytest.mark.parametrize(
    "kwargs", [{"n_samples": 0}, {"r_min": -1.0}, {"noise": -0.1}, {"calculator": "dft"}]
)
def test_invalid_parameters(kwargs):
    with pytest.raises(InvalidParameterError):
        make_dimer_dataset(**kwargs)


def test_progress_and_cache(tmp_path, capsys):
    make_dimer_dataset(n_samples=10, random_state=0, cache=tmp_path / "c.db")
    assert capsys.readouterr().err == ""
    make_dimer_dataset(n_samples=10, random_state=0, cache=tmp_path / "c.db", progress=True)
    err = capsys.readouterr().err
    assert "calculator_calls=0" in err and "cache_hits=10" in err
