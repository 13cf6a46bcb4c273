"""PairDistanceTransformer: distances of ase.Atoms, pipelines from Atoms to energies.

Its input is a list of ``ase.Atoms``, so it carries scikit-learn's
``two_d_array=False`` tag (as text vectorizers do) and the common checks that feed
arrays skip it; the data-free checks run here, and the tests below cover the data
checks' properties on Atoms.
"""

import pickle

import numpy as np
import pandas as pd
import pytest
from ase import Atoms
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.kernel_ridge import KernelRidge
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import estimator_checks

import skphys
from skphys import AseEnergyTransformer, BuckinghamRegressor, PairDistanceTransformer
from skphys.datasets import make_dimer_dataset, make_trimer_dataset


def right_triangle():
    return Atoms("Cu3", positions=[[0, 0, 0], [3, 0, 0], [0, 4, 0]])


@pytest.fixture(scope="module")
def dimers():
    return make_dimer_dataset(n_samples=80, random_state=0, return_atoms=True)


@pytest.mark.parametrize(
    "check",
    [
        "check_estimator_cloneable",
        "check_estimator_repr",
        "check_estimator_tags_renamed",
        "check_valid_tag_types",
        "check_no_attributes_set_in_init",
        "check_do_not_raise_errors_in_init_or_set_params",
        "check_mixin_order",
        "check_parameters_default_constructible",
        "check_get_params_invariance",
        "check_set_params",
    ],
)
def test_data_free_sklearn_checks(check):
    getattr(estimator_checks, check)("PairDistanceTransformer", PairDistanceTransformer())


def test_tagged_as_not_taking_arrays():
    assert not PairDistanceTransformer().__sklearn_tags__().input_tags.two_d_array


def test_distances_of_a_right_triangle():
    out = PairDistanceTransformer().fit_transform([right_triangle()])
    assert_allclose(out, [[3.0, 4.0, 5.0]], rtol=0, atol=1e-14)
    in_order = PairDistanceTransformer(sort=False).fit_transform([right_triangle()])
    assert_allclose(in_order, [[3.0, 4.0, 5.0]], rtol=0, atol=1e-14)
    swapped = right_triangle()[[2, 1, 0]]
    assert_allclose(PairDistanceTransformer(sort=False).fit_transform([swapped]), [[5, 4, 3]])
    assert_allclose(PairDistanceTransformer().fit_transform([swapped]), [[3, 4, 5]])


def test_trimer_distances_round_trip():
    X, _, atoms = make_trimer_dataset(n_samples=50, random_state=1, return_atoms=True)
    assert_allclose(PairDistanceTransformer(sort=False).fit_transform(atoms), X,
                    rtol=0, atol=1e-12)
    assert_allclose(PairDistanceTransformer().fit_transform(atoms), np.sort(X, axis=1),
                    rtol=0, atol=1e-12)


def test_periodic_structure_uses_minimum_image():
    atoms = Atoms("Cu2", positions=[[0.5, 0, 0], [9.5, 0, 0]], cell=[10, 10, 10], pbc=True)
    assert PairDistanceTransformer().fit_transform([atoms])[0, 0] == pytest.approx(1.0)


@pytest.mark.parametrize("container", ["list", "tuple", "object array", "series"])
def test_containers_of_atoms(container, dimers):
    _, _, atoms = dimers
    X = {"list": list, "tuple": tuple, "series": pd.Series}.get(container)
    if X is None:
        X = np.empty(len(atoms), dtype=object)
        X[:] = atoms
    else:
        X = X(atoms)
    expected = PairDistanceTransformer().fit_transform(atoms)
    assert_array_equal(PairDistanceTransformer().fit_transform(X), expected)


def test_feature_names_and_pandas_output():
    sorted_names = PairDistanceTransformer().fit([right_triangle()]).get_feature_names_out()
    assert_array_equal(sorted_names, ["distance_1", "distance_2", "distance_3"])
    ordered = PairDistanceTransformer(sort=False).set_output(transform="pandas")
    out = ordered.fit_transform([right_triangle(), right_triangle()])
    assert list(out.columns) == ["r12", "r13", "r23"]
    assert out.shape == (2, 3)


def test_fitted_attributes_and_unfitted_error():
    with pytest.raises(NotFittedError):
        PairDistanceTransformer().transform([right_triangle()])
    fitted = PairDistanceTransformer().fit([right_triangle()])
    assert (fitted.n_atoms_, fitted.n_pairs_) == (3, 3)


def test_clone_and_pickle(dimers):
    _, _, atoms = dimers
    fitted = PairDistanceTransformer(sort=False).fit(atoms)
    assert clone(fitted).get_params() == {"sort": False}
    assert_array_equal(pickle.loads(pickle.dumps(fitted)).transform(atoms),
                       fitted.transform(atoms))


def test_transform_is_per_sample(dimers):
    _, _, atoms = dimers
    fitted = PairDistanceTransformer().fit(atoms)
    whole = fitted.transform(atoms)
    order = np.random.default_rng(0).permutation(len(atoms))
    assert_array_equal(fitted.transform([atoms[i] for i in order]), whole[order])
    assert_array_equal(np.vstack([fitted.transform(atoms[:30]), fitted.transform(atoms[30:])]),
                       whole)


@pytest.mark.parametrize(
    "X, error, match",
    [
        (right_triangle(), TypeError, "got a single Atoms object: wrap it in a list"),
        (np.ones((3, 2)), TypeError, "list or 1-D object array of ase.Atoms"),
        ([right_triangle(), "Cu3"], TypeError, "sample 1 is str"),
        ("Cu3", TypeError, "list of ase.Atoms; got str"),
        (3, TypeError, "list of ase.Atoms; got int"),
        ([], ValueError, "no structures"),
        ([Atoms("Cu")], ValueError, "no interatomic distance"),
        ([right_triangle(), Atoms("Cu2", positions=[[0, 0, 0], [2, 0, 0]])], ValueError,
         "every structure must have 3 atoms .* sample 1 has 2. Mixed atom counts"),
    ],
)
def test_bad_input_is_named(X, error, match):
    with pytest.raises(error, match=match):
        PairDistanceTransformer().fit(X)


def test_transform_needs_the_atom_count_seen_in_fit(dimers):
    _, _, atoms = dimers
    fitted = PairDistanceTransformer().fit(atoms)
    with pytest.raises(ValueError, match="every structure must have 2 atoms .* seen in fit"):
        fitted.transform([right_triangle()])


def test_atoms_to_energies_pipeline_tuned_by_grid_search(dimers):
    X, y, atoms = dimers
    atoms_train, atoms_test, y_train, y_test = train_test_split(atoms, y, random_state=0)
    pipe = make_pipeline(PairDistanceTransformer(), KernelRidge(kernel="rbf"))
    search = GridSearchCV(pipe, {"kernelridge__alpha": [1e-6, 1e-3],
                                 "kernelridge__gamma": [0.3, 3.0]}, cv=3)
    search.fit(atoms_train, y_train)
    assert search.best_params_["kernelridge__alpha"] == 1e-6
    assert search.score(atoms_test, y_test) > 0.999


def test_atoms_to_pair_potential(dimers):
    # E(r) of a dimer is a pair potential: Buckingham on the distance.
    X, y, atoms = dimers
    pipe = make_pipeline(PairDistanceTransformer(), BuckinghamRegressor()).fit(atoms, y)
    assert pipe.score(atoms, y) > 0.98
    direct = BuckinghamRegressor().fit(X, y)
    # Distances from the atoms round differently from X: each fit stops within
    # sqrt(tol * SSE) of the optimum at the data (tol=1e-8), so they agree to twice that.
    atol = 2 * np.sqrt(1e-8 * direct.dof_ * direct.residual_variance_)
    assert_allclose(pipe.predict(atoms), direct.predict(X), rtol=0, atol=atol)


def test_atoms_to_distances_to_emt_energies(dimers):
    X, y, atoms = dimers
    pipe = make_pipeline(PairDistanceTransformer(), AseEnergyTransformer("Cu2"))
    assert_allclose(pipe.fit_transform(atoms).ravel(), y, rtol=0, atol=1e-12)


def test_atoms_to_energies_with_tanh_mlp(dimers):
    if not hasattr(skphys, "TanhMLPRegressor"):
        pytest.skip("skphys.TanhMLPRegressor is not in this build yet")
    _, y, atoms = dimers
    pipe = make_pipeline(PairDistanceTransformer(), StandardScaler(), skphys.TanhMLPRegressor())
    search = GridSearchCV(pipe, {"pairdistancetransformer__sort": [True, False]}, cv=2)
    search.fit(atoms, y)
    assert search.score(atoms, y) > 0.9
