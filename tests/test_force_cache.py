"""Forces in the energy cache: dE/dr from cached rows, and files that hold energies only."""

import ase.db
import numpy as np
import pytest
from ase.calculators.calculator import Calculator, all_changes
from ase.calculators.emt import EMT
from joblib import parallel_config
from numpy.testing import assert_array_equal

from skphys._atoms._delayed_emt import DelayedEMT
from skphys.atoms import atoms_from_distances, compute_energies

TRIANGLES = np.array([[2.3, 2.6, 2.9], [2.5, 2.5, 2.5], [2.2, 2.8, 3.0], [2.4, 2.4, 3.1]])


def counting_emt(tmp_path):
    """EMT that appends a line to a log per calculation, and the log."""
    log = tmp_path / "calls.log"
    return DelayedEMT(delay=0, log=log), log


def calls(log):
    return log.read_text().count("done") if log.exists() else 0


class EnergyOnly(Calculator):
    """EMT energies from a calculator that implements no forces."""

    implemented_properties = ["energy"]

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        super().calculate(atoms, properties, system_changes)
        self.results["energy"] = EMT().get_potential_energy(atoms)


def test_second_run_makes_no_calculator_call(tmp_path):
    cache = tmp_path / "cu3.db"
    calc, log = counting_emt(tmp_path)
    energies, gradients, stats = compute_energies("Cu3", TRIANGLES, calc, cache=cache,
                                                  return_gradients=True)
    assert stats == (4, 0) and calls(log) == 4
    again = compute_energies("Cu3", TRIANGLES, calc, cache=cache, return_gradients=True)
    assert again[2] == (0, 4) and calls(log) == 4
    assert_array_equal(again[0], energies)
    assert_array_equal(again[1], gradients)
    uncached = compute_energies("Cu3", TRIANGLES, return_gradients=True)
    assert_array_equal(uncached[0], energies)
    assert_array_equal(uncached[1], gradients)


def test_forces_are_stored_in_the_row_of_the_energy(tmp_path):
    cache = tmp_path / "cu3.db"
    energies, _, _ = compute_energies("Cu3", TRIANGLES[:2], cache=cache, return_gradients=True)
    with ase.db.connect(cache) as db:
        rows = list(db.select())
    assert len(rows) == 2
    for row, sides, energy in zip(rows, TRIANGLES[:2], energies, strict=True):
        atoms = atoms_from_distances("Cu3", sides)
        atoms.calc = EMT()
        assert row.energy == energy
        assert_array_equal(row.forces, atoms.get_forces())


def test_energy_only_rows_serve_energies_and_get_forces_when_asked(tmp_path):
    # Rows without forces, as every cache written before forces were cached.
    cache = tmp_path / "cu3.db"
    calc, log = counting_emt(tmp_path)
    energies, _ = compute_energies("Cu3", TRIANGLES, calc, cache=cache)
    with ase.db.connect(cache) as db:
        assert all(row.get("forces") is None for row in db.select())
    assert compute_energies("Cu3", TRIANGLES, calc, cache=cache)[1] == (0, 4)
    assert calls(log) == 4

    # Forces asked for: computed once, in new rows that supersede the old ones.
    again, gradients, stats = compute_energies("Cu3", TRIANGLES, calc, cache=cache,
                                               return_gradients=True)
    assert stats == (4, 0) and calls(log) == 8
    assert_array_equal(again, energies)
    with ase.db.connect(cache) as db:
        assert db.count() == 8
    assert compute_energies("Cu3", TRIANGLES, calc, cache=cache,
                            return_gradients=True)[2] == (0, 4)
    assert compute_energies("Cu3", TRIANGLES, calc, cache=cache)[1] == (0, 4)
    assert calls(log) == 8


def test_only_geometries_without_forces_are_computed(tmp_path):
    cache = tmp_path / "cu3.db"
    compute_energies("Cu3", TRIANGLES[:2], cache=cache, return_gradients=True)
    compute_energies("Cu3", TRIANGLES[2:3], cache=cache)  # energy only
    _, gradients, stats = compute_energies("Cu3", TRIANGLES, cache=cache, return_gradients=True)
    assert stats == (2, 2)
    assert_array_equal(gradients, compute_energies("Cu3", TRIANGLES, return_gradients=True)[1])


def test_a_calculator_without_forces_is_named(tmp_path):
    with pytest.raises(ValueError, match="does not compute forces"):
        compute_energies("Cu2", [[2.2]], EnergyOnly(), return_gradients=True)
    # Energies alone still work.
    assert compute_energies("Cu2", [[2.2]], EnergyOnly())[1] == (1, 0)


def test_threads_give_the_serial_gradients(tmp_path):
    serial = compute_energies("Cu3", TRIANGLES, return_gradients=True)
    with parallel_config(backend="threading"):
        threaded = compute_energies("Cu3", TRIANGLES, EMT(), n_jobs=2, return_gradients=True,
                                    cache=tmp_path / "c.db")
    assert threaded[2] == (4, 0)
    assert_array_equal(threaded[0], serial[0])
    assert_array_equal(threaded[1], serial[1])
    assert compute_energies("Cu3", TRIANGLES, cache=tmp_path / "c.db",
                            return_gradients=True)[2] == (0, 4)


@pytest.mark.slow
def test_processes_give_the_serial_gradients(tmp_path):
    serial = compute_energies("Cu3", TRIANGLES, return_gradients=True)
    parallel = compute_energies("Cu3", TRIANGLES, n_jobs=2, return_gradients=True,
                                cache=tmp_path / "c.db")
    assert_array_equal(parallel[0], serial[0])
    assert_array_equal(parallel[1], serial[1])
    assert compute_energies("Cu3", TRIANGLES, cache=tmp_path / "c.db",
                            return_gradients=True)[2] == (0, 4)


def test_repeated_geometries_are_computed_once():
    X = np.vstack([TRIANGLES, TRIANGLES[::-1]])
    energies, gradients, stats = compute_energies("Cu3", X, return_gradients=True)
    assert stats == (4, 0)
    assert_array_equal(gradients[4:], gradients[3::-1])
    assert gradients.shape == (8, 3)
