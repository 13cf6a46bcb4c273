"""Fixtures shared by the test modules: EMT energies, data from declarations, rounding."""

from types import SimpleNamespace

import numpy as np
import pytest
from ase import Atoms
from ase.calculators.emt import EMT

from skphys._atoms._distance_gradient import _BOND_FORCE, distance_jacobian
from skphys._core._weight_rule import SETTLED, log_weight_stderr
from skphys.datasets import load_murnaghan_example


def emt_dimer_energies(symbol, distances):
    """EMT energies (eV) of the dimer ``symbol``2 at ``distances`` (Å), zero at 10 Å."""

    def energy(d):
        atoms = Atoms(f"{symbol}2", positions=[[0, 0, 0], [d, 0, 0]])
        atoms.calc = EMT()
        return atoms.get_potential_energy()

    return np.array([energy(d) for d in distances]) - energy(10.0)


def declared_example(cls, n_samples=30, noise=1e-3, seed=0):
    """(X, y) for a physical regressor from its declaration's example.

    ``n_samples`` points spread over the declared range of x, energies from the
    declared parameters plus Gaussian noise of ``noise`` eV.
    """
    params, (low, high) = cls.physical_model.example
    x = np.linspace(low, high, n_samples)
    rng = np.random.default_rng(seed)
    y = cls.physical_model.function(x, *params) + rng.normal(scale=noise, size=x.size)
    return x[:, None], y


def conversion_rounding(positions, *scales):
    """How far rounding may move dE/dr converted from a gradient in ``positions``, eV/Å.

    ``10 m n eps cond(B)`` times the sum of ``scales`` (eV/Å), B = dr/dx,
    m = 3 n_atoms, n = n_pairs: the bound of the Notes of
    :func:`skphys.atoms.distance_gradient`, with the sizes of what was rounded.
    """
    jacobian = distance_jacobian(positions)
    m, n = jacobian.T.shape
    return 10 * m * n * np.finfo(np.float64).eps * np.linalg.cond(jacobian) * sum(scales)


def force_conversion_rounding(atoms, gradient):
    """How far two correct conversions of the forces on ``atoms`` may differ, eV/Å.

    Twice :func:`conversion_rounding` with the sizes rounded: dE/dr, the forces,
    and the terms a calculator sums into each force component (at most a bond
    force each).
    """
    m = 3 * len(atoms)
    return 2 * conversion_rounding(atoms.positions, np.linalg.norm(gradient),
                                   np.linalg.norm(atoms.get_forces()),
                                   np.sqrt(m) * _BOND_FORCE)


@pytest.fixture(scope="session")
def rounding():
    """``conversion_rounding`` and ``force_conversion_rounding``, by attribute."""
    return SimpleNamespace(conversion=conversion_rounding, forces=force_conversion_rounding)


@pytest.fixture(scope="session")
def dimer_energies():
    """``dimer_energies(symbol, distances)``: EMT dimer energies, eV, zero at 10 Å."""
    return emt_dimer_energies


@pytest.fixture(scope="session")
def example_data():
    """``example_data(cls)``: (X, y) from a physical regressor's declaration."""
    return declared_example


@pytest.fixture(scope="module")
def eos_data():
    """The bundled energy-volume table (Å^3, eV)."""
    return load_murnaghan_example(return_X_y=True)


def weight_gap(n_values, n_gradients, n_params):
    """How far apart, in log w, two runs of the rule for the derivatives' weight may end.

    Each run stops where the weight its residuals ask for lies within ``SETTLED
    se(log w)`` of the weight it used; if the map from one weight to the next at
    least halves distances (what settling within the allowed rounds means), two
    runs end within ``2 SETTLED se / (1 - 1/2)`` of each other. ``se(log w) =
    sqrt(2 / dof_v + 2 / dof_g)``, and each block's share of the degrees of freedom
    is at least its count minus ``n_params`` (the leverages add up to
    ``n_params``): the bound uses those.

    Parameters
    ----------
    n_values, n_gradients : int or array-like
        Observed values and derivatives of each fit.
    n_params : int
        Fitted parameters.

    Returns
    -------
    gap : float or ndarray
        ``inf`` where a block may have no degree of freedom.
    """
    dof_v = np.asarray(n_values, dtype=float) - n_params
    dof_g = np.asarray(n_gradients, dtype=float) - n_params
    with np.errstate(divide="ignore", invalid="ignore"):
        stderr = np.where((dof_v > 0) & (dof_g > 0), log_weight_stderr(dof_v, dof_g), np.inf)
    return 4 * SETTLED * stderr
