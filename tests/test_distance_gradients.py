"""Derivatives of the energy in the interatomic distances, from Cartesian forces.

References independent of the conversion: the analytic pair derivative of a
Lennard-Jones potential (whose forces ASE computes in its own code) and central
finite differences of EMT energies in the distances.
"""

import numpy as np
import pytest
from ase import Atoms
from ase.calculators.emt import EMT
from ase.calculators.lj import LennardJones

from skphys._atoms._distance_gradient import distance_jacobian
from skphys.atoms import atoms_from_distances, compute_energies, distance_gradient, pair_distances

EPS = np.finfo(np.float64).eps
SIGMA, EPSILON = 2.3, 0.4  # Å, eV


def lennard_jones_derivative(r):
    """dphi/dr of phi(r) = 4 epsilon ((sigma/r)^12 - (sigma/r)^6), eV/Å, and its terms.

    Near the minimum the two terms cancel: rounding in any code that sums them is
    relative to the terms, not to their sum.
    """
    attraction = 24 * EPSILON / r * (SIGMA / r) ** 6
    repulsion = 48 * EPSILON / r * (SIGMA / r) ** 12
    return attraction - repulsion, attraction + repulsion


def random_structure(n_atoms, seed):
    """Atoms 2 to 3.5 Å apart around a random origin, in a random orientation."""
    rng = np.random.default_rng(seed)
    while True:
        positions = rng.uniform(-2, 2, size=(n_atoms, 3)) + rng.uniform(-20, 20, size=3)
        r = pair_distances(Atoms(f"Cu{n_atoms}", positions=positions))
        if r.min() > 2.0 and r.max() < 3.5:
            return Atoms(f"Cu{n_atoms}", positions=positions)


def lennard_jones(atoms):
    atoms = atoms.copy()
    atoms.calc = LennardJones(sigma=SIGMA, epsilon=EPSILON, rc=10.0)  # every pair inside rc
    return atoms


@pytest.mark.parametrize("n_atoms", [2, 3, 4])
@pytest.mark.parametrize("seed", range(5))
def test_pair_potential_gives_its_pair_derivative(n_atoms, seed, rounding):
    # A pair potential has dE/dr_ij = phi'(r_ij) exactly. The solve and the
    # calculator's rounding (relative to the terms it sums) move it by at most
    # the bound of the Notes of distance_gradient.
    atoms = lennard_jones(random_structure(n_atoms, seed))
    gradient = distance_gradient(atoms.positions, -atoms.get_forces())
    expected, terms = lennard_jones_derivative(pair_distances(atoms))
    assert np.linalg.norm(gradient - expected) <= rounding.conversion(
        atoms.positions, np.linalg.norm(expected), np.linalg.norm(terms))


@pytest.mark.parametrize("n_atoms", [2, 3])
def test_emt_forces_are_reproduced_at_rounding_level(n_atoms, rounding):
    # Cu2 and Cu3: B^T dE/dr gives the forces back, with the residual of a
    # backward-stable solve and of the rounding in EMT's forces (Notes of
    # distance_gradient).
    atoms = random_structure(n_atoms, seed=7)
    atoms.calc = EMT()
    position_gradient = -atoms.get_forces()
    gradient = distance_gradient(atoms.positions, position_gradient)
    residual = distance_jacobian(atoms.positions).T @ gradient - position_gradient.ravel()
    assert np.linalg.norm(residual) <= rounding.forces(atoms, gradient)
    assert np.linalg.norm(residual) < 1e-9 * np.linalg.norm(position_gradient)  # can fail


def test_result_does_not_depend_on_the_frame(rounding):
    atoms = random_structure(3, seed=3)
    atoms.calc = EMT()
    gradient = distance_gradient(atoms.positions, -atoms.get_forces())
    moved = atoms.copy()
    moved.rotate(37, (1, 2, 3), center="COM")
    moved.translate([5.0, -3.0, 1.0])
    moved.calc = EMT()
    moved_gradient = distance_gradient(moved.positions, -moved.get_forces())
    assert np.linalg.norm(moved_gradient - gradient) <= rounding.forces(atoms, gradient)


def central_difference(symbols, distances, h):
    """(E(r + h e_k) - E(r - h e_k)) / 2h for each distance k, from EMT energies."""
    steps = h * np.eye(len(distances))
    energies, _ = compute_energies(symbols, np.vstack([distances + steps, distances - steps]))
    return (energies[: len(distances)] - energies[len(distances):]) / (2 * h)


@pytest.mark.parametrize(
    "symbols, distances",
    [("Cu2", [1.9]), ("Cu2", [2.4]), ("Cu3", [2.3, 2.6, 2.9]), ("AuCuAu", [2.5, 2.7, 3.1])],
)
def test_gradients_match_finite_differences_of_the_energy(symbols, distances):
    # D(h) = dE/dr + h^2 E'''/6 + O(h^4), so D(2h) - D(h) is three times the
    # truncation error of D(h) to leading order; the O(h^4) rest is ~1e-16 of
    # E^(5) here. Rounding: each energy errs by about 100 eps (n_atoms x 10 eV),
    # EMT summing per atom a few terms below 10 eV (cohesive energies of Cu and
    # Au: 3.5 and 3.8 eV), which D(h) divides by h. The conversion's own error
    # (~1e-13 eV/Å) is negligible beside either.
    distances = np.array(distances)
    _, gradients, _ = compute_energies(symbols, [distances], return_gradients=True)
    h = 1e-4  # Å
    fine, coarse = central_difference(symbols, distances, h), central_difference(
        symbols, distances, 2 * h)
    energy_rounding = 100 * EPS * len(atoms_from_distances(symbols, distances)) * 10.0
    tolerance = np.abs(coarse - fine) + 2 * energy_rounding / h
    assert np.all(np.abs(gradients[0] - fine) <= tolerance)
    assert np.all(tolerance < 1e-5 * np.abs(gradients[0]).max())  # the test can fail


def test_five_atoms_have_redundant_distances():
    atoms = random_structure(5, seed=0)
    atoms.calc = EMT()
    with pytest.raises(ValueError, match="5 atoms have 10 interatomic distances and 9 .*"
                                         "redundant"):
        distance_gradient(atoms.positions, -atoms.get_forces())


def test_net_force_is_refused():
    atoms = lennard_jones(random_structure(3, seed=1))
    position_gradient = -atoms.get_forces() + [1e-6, 0.0, 0.0]  # on every atom
    with pytest.raises(ValueError, match="not the gradient of a function of the interatomic"):
        distance_gradient(atoms.positions, position_gradient)


def test_torque_is_refused():
    atoms = lennard_jones(random_structure(3, seed=2))
    centred = atoms.positions - atoms.positions.mean(axis=0)
    torque = 1e-6 * np.cross([0.0, 0.0, 1.0], centred)  # a rotation's displacement field
    with pytest.raises(ValueError, match="net force or torque"):
        distance_gradient(atoms.positions, -atoms.get_forces() + torque)


def test_collinear_trimer_is_degenerate():
    positions = [[0, 0, 0], [2.0, 0, 0], [4.5, 0, 0]]
    with pytest.raises(ValueError, match="degenerate .* not independent"):
        distance_gradient(positions, np.zeros((3, 3)))


@pytest.mark.parametrize(
    "positions, gradient, match",
    [
        (np.zeros((2, 3)), np.zeros((3, 3)), "both have shape"),
        ([[0, 0, 0], [0, 0, 0]], np.zeros((2, 3)), "share a position"),
        ([[0, 0, 0], [2, 0, 0]], [[np.nan, 0, 0], [0, 0, 0]], "finite"),
    ],
)
def test_bad_input_is_named(positions, gradient, match):
    with pytest.raises(ValueError, match=match):
        distance_gradient(positions, gradient)
