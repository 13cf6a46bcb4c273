"""PairDistanceTransformer: distances of ase.Atoms, pipelines from Atoms to energies.

Its input is a list of ``ase.Atoms``, so it carries scikit-learn's
``two_d_array=False`` tag (as text vectorizers do) and the common checks that feed
arrays skip it; the data-free checks run here, and the tests below cover the data
checks' properties on Atoms.
"""

import itertools
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
from skphys.atoms import pair_distances
from skphys.datasets import make_dimer_dataset, make_trimer_dataset


def right_triangle():
    return Atoms("Cu3", positions=[[0, 0, 0], [3, 0, 0], [0, 4, 0]])


def cu_au2():
    """CuAu2 (Cu is atom 0) whose Au-Au distance lies between its two Cu-Au."""
    return Atoms("CuAu2", positions=[[0, 0, 0], [2.6, 0, 0], [3.0, 2.8, 0.3]])


def cu2_au3(seed=0):
    """Cu2Au3 (Cu are atoms 0 and 1) at random positions in a 6 Å box."""
    positions = np.random.default_rng(seed).uniform(0, 6, size=(5, 3))
    return Atoms("Cu2Au3", positions=positions)


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


def test_one_species_gives_the_ascending_row_and_names_as_before():
    # One species is one pair type: the row is all distances in ascending order.
    _, _, dimers = make_dimer_dataset(n_samples=20, random_state=0, return_atoms=True)
    _, _, trimers = make_trimer_dataset(n_samples=20, random_state=0, return_atoms=True)
    for structures in (dimers, trimers):
        fitted = PairDistanceTransformer().fit(structures)
        expected = np.sort([pair_distances(atoms) for atoms in structures], axis=1)
        assert_array_equal(fitted.transform(structures), expected)
        n_pairs = expected.shape[1]
        assert_array_equal(fitted.get_feature_names_out(),
                           [f"distance_{k}" for k in range(1, n_pairs + 1)])


def test_columns_grouped_by_pair_type():
    # Cu (Z=29) before Au (Z=79): the Cu-Au pairs come first, then Au-Au.
    atoms = cu_au2()
    cu_au = sorted([atoms.get_distance(0, 1), atoms.get_distance(0, 2)])
    au_au = [atoms.get_distance(1, 2)]
    assert au_au[0] < cu_au[1]  # so that one ascending sort would mix the types
    fitted = PairDistanceTransformer().fit([atoms])
    assert_allclose(fitted.transform([atoms]), [cu_au + au_au], rtol=0, atol=1e-12)
    assert_array_equal(fitted.get_feature_names_out(), ["Cu-Au_1", "Cu-Au_2", "Au-Au_1"])
    assert_array_equal(fitted.species_, ["Cu", "Au"])
    assert_array_equal(fitted.species_counts_, [1, 2])
    assert_array_equal(fitted.symbols_, ["Cu", "Au", "Au"])


def test_three_pair_types_in_order_of_atomic_number():
    atoms = cu2_au3()
    cu, au = [0, 1], [2, 3, 4]
    expected = np.concatenate([
        [atoms.get_distance(0, 1)],
        sorted(atoms.get_distance(i, j) for i in cu for j in au),
        sorted(atoms.get_distance(i, j) for i, j in itertools.combinations(au, 2)),
    ])  # fmt: skip
    fitted = PairDistanceTransformer().fit([atoms])
    assert_allclose(fitted.transform([atoms])[0], expected, rtol=0, atol=1e-12)
    names = ["Cu-Cu_1"] + [f"Cu-Au_{k}" for k in range(1, 7)] + [f"Au-Au_{k}" for k in (1, 2, 3)]
    assert_array_equal(fitted.get_feature_names_out(), names)
    out = fitted.set_output(transform="pandas").transform([atoms])
    assert list(out.columns) == names


@pytest.mark.parametrize("make", [cu_au2, cu2_au3], ids=["CuAu2", "Cu2Au3"])
def test_permuting_atoms_leaves_the_sorted_row_unchanged(make):
    atoms = make()
    fitted = PairDistanceTransformer().fit([atoms])
    orders = list(itertools.permutations(range(len(atoms))))
    rows = fitted.transform([atoms[list(order)] for order in orders])
    assert_allclose(rows, np.tile(rows[0], (len(orders), 1)), rtol=0, atol=1e-12)
    # Fitted on a permuted structure: the same columns.
    refitted = PairDistanceTransformer().fit([atoms[list(orders[-1])]])
    assert_array_equal(refitted.get_feature_names_out(), fitted.get_feature_names_out())
    assert_allclose(refitted.transform([atoms]), rows[:1], rtol=0, atol=1e-12)


def test_atom_order_kept_with_several_species_when_not_sorted():
    atoms = cu_au2()
    fitted = PairDistanceTransformer(sort=False).fit([atoms])
    expected = [[atoms.get_distance(0, 1), atoms.get_distance(0, 2), atoms.get_distance(1, 2)]]
    assert_allclose(fitted.transform([atoms]), expected, rtol=0, atol=1e-12)
    assert_array_equal(fitted.get_feature_names_out(), ["r12", "r13", "r23"])
    # Swapping the two Au keeps the species sequence: accepted.
    assert fitted.transform([atoms[[0, 2, 1]]]).shape == (1, 3)


@pytest.mark.parametrize("sort", [True, False])
@pytest.mark.parametrize(
    "other, name",
    [
        (Atoms("Cu2Au", positions=[[0, 0, 0], [2.6, 0, 0], [0, 2.9, 0]]), "Cu2Au"),
        (right_triangle(), "Cu3"),
        (Atoms("Au3", positions=[[0, 0, 0], [2.6, 0, 0], [0, 2.9, 0]]), "Au3"),
        (Atoms("CuAgAu", positions=[[0, 0, 0], [2.6, 0, 0], [0, 2.9, 0]]), "CuAgAu"),
    ],
)
def test_other_composition_is_named(other, name, sort):
    fitted = PairDistanceTransformer(sort=sort).fit([cu_au2()])
    match = rf"composition CuAu2 \(the one seen in fit\); sample 1 is {name}\. "
    with pytest.raises(ValueError, match=match):
        fitted.transform([cu_au2(), other])
    with pytest.raises(ValueError, match=rf"composition {name} \(the one of the first sample"):
        PairDistanceTransformer(sort=sort).fit([other, cu_au2()])


def test_species_order_must_match_when_not_sorted():
    fitted = PairDistanceTransformer(sort=False).fit([cu_au2()])
    moved = cu_au2()[[1, 0, 2]]
    with pytest.raises(ValueError, match=r"order Cu Au Au \(the one seen in fit\).* "
                       "sample 0 has Au Cu Au. .*or use sort=True"):  # fmt: skip
        fitted.transform([moved])
    with pytest.raises(ValueError, match=r"order Cu Au Au \(the one of the first sample"):
        PairDistanceTransformer(sort=False).fit([cu_au2(), moved])
    # sort=True accepts the same structure.
    PairDistanceTransformer().fit([cu_au2(), moved]).transform([moved])


def test_fitted_attributes_and_unfitted_error():
    with pytest.raises(NotFittedError):
        PairDistanceTransformer().transform([right_triangle()])
    fitted = PairDistanceTransformer().fit([right_triangle()])
    assert (fitted.n_atoms_, fitted.n_pairs_) == (3, 3)
    assert_array_equal(fitted.symbols_, ["Cu", "Cu", "Cu"])
    assert_array_equal(fitted.species_, ["Cu"])
    assert_array_equal(fitted.species_counts_, [3])


def test_clone_and_pickle(dimers):
    _, _, atoms = dimers
    fitted = PairDistanceTransformer(sort=False).fit(atoms)
    assert clone(fitted).get_params() == {"sort": False}
    assert_array_equal(pickle.loads(pickle.dumps(fitted)).transform(atoms),
                       fitted.transform(atoms))
    alloy = PairDistanceTransformer().fit([cu2_au3()])
    restored = pickle.loads(pickle.dumps(alloy))
    assert_array_equal(restored.transform([cu2_au3(1)]), alloy.transform([cu2_au3(1)]))
    assert_array_equal(restored.get_feature_names_out(), alloy.get_feature_names_out())


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
    _, y, atoms = dimers
    pipe = make_pipeline(PairDistanceTransformer(), StandardScaler(), skphys.TanhMLPRegressor())
    search = GridSearchCV(pipe, {"pairdistancetransformer__sort": [True, False]}, cv=2)
    search.fit(atoms, y)
    assert search.score(atoms, y) > 0.9
