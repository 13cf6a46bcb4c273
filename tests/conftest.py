"""Fixtures shared by the test modules: EMT energies and data from declarations."""

import numpy as np
import pytest
from ase import Atoms
from ase.calculators.emt import EMT

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
