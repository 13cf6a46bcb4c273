"""make_dimer_dataset and make_trimer_dataset with return_y_grad: dE/dr labels."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from skphys._atoms._delayed_emt import DelayedEMT
from skphys.atoms import PairDistanceTransformer, PositionGradients, compute_energies
from skphys.datasets import make_dimer_dataset, make_trimer_dataset

GENERATORS = [(make_dimer_dataset, "Cu2"), (make_trimer_dataset, "Cu3")]


@pytest.mark.parametrize("make, symbols", GENERATORS)
def test_y_grad_is_the_calculator_gradient_in_the_columns_of_X(make, symbols):
    X, y, y_grad = make(n_samples=12, random_state=0, return_y_grad=True)
    assert y_grad.shape == X.shape
    _, expected, _ = compute_energies(symbols, X, return_gradients=True)
    assert_array_equal(y_grad, expected)


@pytest.mark.parametrize("make, symbols", GENERATORS)
def test_energies_do_not_depend_on_return_y_grad(make, symbols):
    X, y = make(n_samples=12, random_state=1, noise=0.01)
    X2, y2, _ = make(n_samples=12, random_state=1, noise=0.01, return_y_grad=True,
                     gradient_noise=0.1)
    assert_array_equal(X2, X)
    assert_array_equal(y2, y)


@pytest.mark.parametrize("make, symbols", GENERATORS)
def test_structures_carry_the_labels(make, symbols, rounding):
    X, y, y_grad, atoms = make(n_samples=8, random_state=2, return_y_grad=True,
                               return_atoms=True, noise=0.01, gradient_noise=0.05)
    assert_array_equal([a.get_potential_energy() for a in atoms], y)
    back = PairDistanceTransformer(sort=False).fit(atoms).transform(PositionGradients(atoms))
    # Forces made as -B^T y_grad and converted back: y_grad within the rounding
    # of the conversion (Notes of distance_gradient).
    for structure, row, label in zip(atoms, back, y_grad, strict=True):
        assert np.linalg.norm(row - label) <= rounding.forces(structure, label)


def test_structures_without_y_grad_carry_no_calculator():
    *_, atoms = make_trimer_dataset(n_samples=3, random_state=0, return_atoms=True)
    assert all(a.calc is None for a in atoms)


def test_gradient_noise_is_gaussian_with_the_stated_scale():
    _, _, clean = make_trimer_dataset(n_samples=150, random_state=0, return_y_grad=True)
    _, _, noisy = make_trimer_dataset(n_samples=150, random_state=0, return_y_grad=True,
                                      gradient_noise=0.05)
    # 450 draws: the sample standard deviation is within 15% of 0.05 beyond any
    # reasonable doubt (its relative error is about 1/sqrt(2 * 450) = 3%).
    assert np.std(noisy - clean) == pytest.approx(0.05, rel=0.15)
    assert abs(np.mean(noisy - clean)) < 0.01


def test_gradient_noise_needs_return_y_grad():
    with pytest.raises(ValueError, match="gradient_noise=0.1 is noise on y_grad"):
        make_dimer_dataset(n_samples=3, gradient_noise=0.1)


def test_second_generation_makes_no_calculator_call(tmp_path):
    log, cache = tmp_path / "calls.log", tmp_path / "cu3.db"
    calc = DelayedEMT(delay=0, log=log)
    first = make_trimer_dataset(n_samples=10, random_state=0, calculator=calc, cache=cache,
                                return_y_grad=True)
    assert log.read_text().count("done") == 11  # with the separated atoms
    second = make_trimer_dataset(n_samples=10, random_state=0, calculator=calc, cache=cache,
                                 return_y_grad=True)
    assert log.read_text().count("done") == 11
    for a, b in zip(first, second, strict=True):
        assert_array_equal(a, b)


def test_energy_only_cache_is_completed_with_forces(tmp_path):
    log, cache = tmp_path / "calls.log", tmp_path / "cu3.db"
    calc = DelayedEMT(delay=0, log=log)
    X, y = make_trimer_dataset(n_samples=10, random_state=0, calculator=calc, cache=cache)
    assert log.read_text().count("done") == 11
    X2, y2, y_grad = make_trimer_dataset(n_samples=10, random_state=0, calculator=calc,
                                         cache=cache, return_y_grad=True)
    # The ten geometries again, now with forces; the separated atoms' energy is read.
    assert log.read_text().count("done") == 21
    assert_array_equal(y2, y)
    assert y_grad.shape == (10, 3)
