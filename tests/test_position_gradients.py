"""PositionGradients and PairDistanceTransformer: y_grad of ase.Atoms for pipelines.

The transform of a PositionGradients is checked against the gradients that
compute_energies makes for the same geometries, its columns against the order of
the distance features, and its way through scikit-learn: _safe_indexing,
Pipeline(transform_input=["y_grad"]) and cross_validate.
"""

import numpy as np
import pytest
import sklearn
from ase import Atoms
from ase.calculators.emt import EMT
from ase.calculators.singlepoint import SinglePointCalculator
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.model_selection import KFold, cross_validate
from sklearn.pipeline import Pipeline
from sklearn.utils import _safe_indexing

from skphys.atoms import (
    PairDistanceTransformer,
    PositionGradients,
    atoms_from_distances,
    compute_energies,
)

TRIANGLES = np.array([[2.3, 2.6, 2.9], [2.5, 2.4, 2.7], [2.2, 2.8, 3.0], [2.4, 2.6, 3.1],
                      [2.9, 2.5, 2.35], [2.7, 2.3, 2.45]])


def with_emt(atoms):
    atoms = atoms.copy()
    atoms.calc = EMT()
    return atoms


def emt_structures(symbols="Cu3", sides=TRIANGLES):
    """Trimers with an EMT calculator attached, moved and turned off the xy plane."""
    structures = []
    for k, row in enumerate(sides):
        atoms = atoms_from_distances(symbols, row)
        atoms.rotate(20 + 15 * k, (1, 2, 3))
        atoms.translate([1.0, -2.0, 0.5 * k])
        structures.append(with_emt(atoms))
    return structures


class RecordingRegressor(RegressorMixin, BaseEstimator):
    """Keeps the features and the y_grad its fit receives; predicts zeros."""

    def fit(self, X, y, y_grad=None):
        self.X_ = np.asarray(X)
        self.y_grad_ = y_grad
        return self

    def predict(self, X):
        return np.zeros(len(X))


def gradient_pipeline():
    return Pipeline(
        [("d", PairDistanceTransformer()),
         ("rec", RecordingRegressor().set_fit_request(y_grad=True))],
        transform_input=["y_grad"],
    )


@pytest.fixture
def routing():
    """Metadata routing on, as Pipeline(transform_input=...) requires."""
    with sklearn.config_context(enable_metadata_routing=True):
        yield


# -- the container ------------------------------------------------------------------
def test_forces_are_read_from_the_calculators():
    structures = emt_structures()
    y_grad = PositionGradients(structures)
    assert y_grad.shape == (6,) and len(y_grad) == 6
    assert_array_equal(y_grad.gradients[2], -structures[2].get_forces())


@pytest.mark.parametrize("indices", [np.array([4, 0, 2]), [1, 5], np.arange(6) % 2 == 0,
                                     slice(1, 4)])
def test_safe_indexing_returns_the_samples(indices):
    structures = emt_structures()
    y_grad = PositionGradients(structures)
    part = _safe_indexing(y_grad, indices)
    expected = np.arange(6)[indices]
    assert isinstance(part, PositionGradients)
    assert part.shape == (len(expected),)
    assert all(a is structures[i] for a, i in zip(part.structures, expected, strict=True))
    assert_array_equal(part.gradients, y_grad.gradients[expected])


def test_one_sample_is_a_structure_and_its_gradient():
    structures = emt_structures()
    atoms, gradient = PositionGradients(structures)[3]
    assert atoms is structures[3]
    assert_array_equal(gradient, -structures[3].get_forces())


def test_missing_forces_are_named():
    bare = atoms_from_distances("Cu3", TRIANGLES[0])
    with pytest.raises(ValueError, match="structure 0 has no calculator"):
        PositionGradients([bare])
    bare.calc = SinglePointCalculator(bare, energy=-1.0)
    with pytest.raises(ValueError, match="holds or computes no forces"):
        PositionGradients([bare])


def test_gradients_of_the_wrong_shape_are_named():
    with pytest.raises(ValueError, match=r"shape \(n_samples, n_atoms, 3\) = \(6, 3, 3\)"):
        PositionGradients(emt_structures(), np.zeros((6, 2, 3)))


# -- the transform ------------------------------------------------------------------
def test_atom_order_columns_are_compute_energies_gradients(rounding):
    # Two ways to dE/dr: EMT forces on the moved and turned structures through
    # the transformer, and compute_energies on the distances.
    structures = emt_structures()
    transformer = PairDistanceTransformer(sort=False).fit(structures)
    gradients = transformer.transform(PositionGradients(structures))
    _, expected, _ = compute_energies("Cu3", TRIANGLES, return_gradients=True)
    assert gradients.shape == (6, 3)
    for atoms, row, reference in zip(structures, gradients, expected, strict=True):
        assert np.linalg.norm(row - reference) <= rounding.forces(atoms, reference)


def test_sorted_columns_follow_the_distances_on_a_mixed_trimer():
    # AuCuAu with r12 (Au-Cu), r13 (Au-Au), r23 (Cu-Au) all different; sort=True
    # puts the Cu-Au distances first (ascending), then Au-Au. Each gradient column
    # must go where its distance goes.
    sides = np.array([[2.6, 2.8, 2.4], [2.4, 2.5, 2.9], [2.9, 2.3, 2.7]])
    structures = emt_structures("AuCuAu", sides)
    y_grad = PositionGradients(structures)
    by_atoms = PairDistanceTransformer(sort=False).fit(structures)
    by_type = PairDistanceTransformer(sort=True).fit(structures)
    distances, sorted_distances = by_atoms.transform(structures), by_type.transform(structures)
    gradients, sorted_gradients = by_atoms.transform(y_grad), by_type.transform(y_grad)
    assert list(by_type.get_feature_names_out()) == ["Cu-Au_1", "Cu-Au_2", "Au-Au_1"]
    for k in range(len(sides)):
        source = [int(np.flatnonzero(np.isclose(distances[k], d))[0])
                  for d in sorted_distances[k]]
        assert sorted(source) == [0, 1, 2]
        assert source[2] == 1  # Au-Au is r13
        assert_array_equal(sorted_gradients[k], gradients[k][source])
    assert not np.array_equal(sorted_gradients, gradients)  # the test can fail


def test_sorted_gradients_do_not_depend_on_the_atom_order(rounding):
    structures = emt_structures("AuCuAu", np.array([[2.6, 2.8, 2.4]]))
    swapped = [with_emt(structures[0][[2, 1, 0]])]  # the two Au exchanged
    transformer = PairDistanceTransformer().fit(structures)
    first = transformer.transform(PositionGradients(structures))[0]
    second = transformer.transform(PositionGradients(swapped))[0]
    assert np.linalg.norm(second - first) <= rounding.forces(structures[0], first)


def test_plain_structures_still_give_distances():
    structures = emt_structures()
    distances = PairDistanceTransformer().fit_transform(structures)
    assert_allclose(distances, np.sort(TRIANGLES, axis=1), rtol=0, atol=1e-12)


def test_periodic_structures_are_refused():
    structures = emt_structures()
    for atoms in structures:
        atoms.set_cell([12.0, 12.0, 12.0])
        atoms.pbc = True
    transformer = PairDistanceTransformer().fit(structures)
    with pytest.raises(ValueError, match="periodic: derivatives in minimum-image"):
        transformer.transform(PositionGradients(structures))


def test_five_atoms_are_refused_with_the_sample():
    rng = np.random.default_rng(0)
    structures = [with_emt(Atoms("Cu5", positions=rng.uniform(0, 5, size=(5, 3))))]
    transformer = PairDistanceTransformer().fit(structures)
    with pytest.raises(ValueError, match="sample 0 of the PositionGradients: .*redundant"):
        transformer.transform(PositionGradients(structures))


def test_fit_on_position_gradients_is_refused():
    with pytest.raises(TypeError, match="fit takes the structures"):
        PairDistanceTransformer().fit(PositionGradients(emt_structures()))


# -- through scikit-learn -----------------------------------------------------------
def test_pipeline_hands_the_converted_gradient_to_the_final_step(routing, rounding):
    structures = emt_structures()
    energies = np.arange(6.0)
    pipe = gradient_pipeline().fit(structures, energies, y_grad=PositionGradients(structures))
    received = pipe[-1].y_grad_
    assert isinstance(received, np.ndarray) and received.shape == pipe[-1].X_.shape == (6, 3)
    # One species: the features are the ascending distances, and the gradient
    # columns follow the same sort of each row.
    _, expected, _ = compute_energies("Cu3", TRIANGLES, return_gradients=True)
    order = np.argsort(TRIANGLES, axis=1)
    assert np.all(np.diff(pipe[-1].X_, axis=1) > 0)
    for atoms, row, reference, columns in zip(structures, received, expected, order,
                                              strict=True):
        assert np.linalg.norm(row - reference[columns]) <= rounding.forces(atoms, reference)


def test_cross_validation_splits_the_gradients_by_fold(routing):
    structures = emt_structures()
    y_grad = PositionGradients(structures)
    everything = PairDistanceTransformer().fit(structures).transform(y_grad)
    result = cross_validate(gradient_pipeline(), structures, np.arange(6.0),
                            params={"y_grad": y_grad}, cv=KFold(3), return_estimator=True,
                            return_indices=True)
    for estimator, train in zip(result["estimator"], result["indices"]["train"], strict=True):
        assert estimator[-1].y_grad_.shape == (4, 3)
        assert_array_equal(estimator[-1].y_grad_, everything[train])
