"""Energies (and forces) of many geometries: cache look-up, serial or joblib calls, batches."""

import time
from collections import namedtuple

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.utils import check_array
from tqdm.auto import tqdm

from ._cache import EnergyCache, geometry_key
from ._calculators import (
    calculator_identity,
    energy_and_forces,
    make_calculator,
    pickle_calculator,
    total_energy,
)
from ._distance_gradient import distance_gradient
from ._geometry import atoms_from_distances, check_geometries

# A batch goes to the cache when it holds this many rows or is this old: fast
# calculators share one transaction between many rows, slow ones (DFT) lose at most
# about a second of finished work to a hard kill.
_FLUSH_ROWS = 256
_FLUSH_SECONDS = 1.0

EnergyStats = namedtuple("EnergyStats", ["calculator_calls", "cache_hits"])
EnergyStats.__doc__ = """What one run of :func:`compute_energies` did, over distinct geometries.

A named tuple: the parameters are also its fields, read by name or position.

Parameters
----------
calculator_calls : int
    Geometries computed by the calculator.
cache_hits : int
    Geometries read from the cache.
"""


def _distinct_rows(distances):
    """Distinct rows in order of first appearance, and the map back to all rows."""
    _, first, inverse = np.unique(distances, axis=0, return_index=True, return_inverse=True)
    order = np.argsort(first)
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return distances[first[order]], rank[inverse.ravel()]


class _BatchWriter:
    """Collects computed rows and writes them to the cache in timed batches."""

    def __init__(self, cache, symbols, keys):
        self.cache, self.symbols, self.keys = cache, symbols, keys
        self.pending, self.since = [], time.monotonic()

    def add(self, distances, index, energy, forces):
        if self.cache is None:
            return
        self.pending.append((self.symbols, distances, self.keys[index], energy, forces))
        if len(self.pending) >= _FLUSH_ROWS or time.monotonic() - self.since >= _FLUSH_SECONDS:
            self.flush()

    def flush(self):
        if self.cache is not None:
            self.cache.write(self.pending)
        self.pending, self.since = [], time.monotonic()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        # Also on KeyboardInterrupt or a failing calculator: finished rows are kept.
        self.flush()


def _calculate(calc, symbols, distances, with_forces):
    """Energy (eV) and forces (eV/Å, or None) of one geometry."""
    if with_forces:
        return energy_and_forces(calc, symbols, distances)
    return total_energy(calc, symbols, distances), None


def _energy_task(calculator, symbols, distances, with_forces):
    """One calculator call in a joblib worker, with a calculator of its own."""
    return _calculate(make_calculator(calculator), symbols, distances, with_forces)


def _energies(calculator, calc, symbols, rows, n_jobs, with_forces):
    """(energy, forces) of ``rows`` in order, as a generator: serial, or joblib's backend."""
    if effective_n_jobs(n_jobs) == 1 or len(rows) < 2:
        return (_calculate(calc, symbols, row, with_forces) for row in rows)
    pickle_calculator(calculator, f"n_jobs={n_jobs}")  # a clear error before joblib's
    return Parallel(n_jobs=n_jobs, return_as="generator")(
        delayed(_energy_task)(calculator, symbols, row, with_forces) for row in rows
    )


def _distance_gradients(calc, symbols, distances, forces):
    """dE/dr (eV/Å) of each geometry from the forces on its atoms."""
    gradients = np.empty_like(distances)
    for k, (row, row_forces) in enumerate(zip(distances, forces, strict=True)):
        positions = atoms_from_distances(symbols, row).positions
        try:
            gradients[k] = distance_gradient(positions, -row_forces)
        except ValueError as exc:
            raise ValueError(
                f"the forces of {calc.name} on {''.join(symbols)} at distances "
                f"{row.tolist()} Å give no derivative in the distances: {exc}"
            ) from None
    return gradients


def compute_energies(symbols, distances, calculator="emt", *, cache=None, n_jobs=None,
                     progress=False, return_gradients=False):
    """Total energies of isolated clusters given by their interatomic distances.

    Every distinct geometry is computed once. With a cache, stored energies are
    read and new ones written in batches as they arrive (an interrupted run keeps
    its finished rows). With ``n_jobs``, calls run through joblib, so a
    ``joblib.parallel_config(backend='dask')`` block sends them to a dask cluster;
    the result does not depend on it.

    With ``return_gradients=True`` the calculator also computes the forces, from
    which follow the derivatives of the energy in the distances (see
    :func:`skphys.atoms.distance_gradient`); the forces go to the cache in the row of the
    energy. A geometry cached without forces (by an energies-only run, or by an
    older skphys) is computed again, and the new row supersedes the old one.

    Parameters
    ----------
    symbols : str
        Chemical formula of the cluster, e.g. ``'Cu2'`` or ``'Cu3'``.
    distances : array-like of shape (n_samples, n_pairs)
        Interatomic distances in atom order (``r12`` or ``r12, r13, r23``), Å;
        positive, and for three atoms a triangle.
    calculator : {'emt'} or ase Calculator or callable, default='emt'
        ASE's EMT, a calculator instance, or a zero-argument factory of one.
    cache : str or os.PathLike, default=None
        ASE database (SQLite) of energies; see :class:`AseEnergyTransformer`.
    n_jobs : int, default=None
        Parallel calculator calls through joblib; ``None`` means 1 unless in a
        ``joblib.parallel_config`` context, -1 means all processors.
    progress : bool, default=False
        Show a tqdm bar of calculator calls and cache hits.
    return_gradients : bool, default=False
        Also return the derivatives of the energies in the distances, from the
        calculator's forces (which it must implement).

    Returns
    -------
    energies : ndarray of shape (n_samples,)
        Total energies as the calculator defines them, eV.
    gradients : ndarray of shape (n_samples, n_pairs)
        ``dE/dr`` in the column order of ``distances``, eV/Å; only when
        ``return_gradients=True``.
    stats : EnergyStats
        Calculator calls and cache hits, over distinct geometries (a hit needs
        the forces too when ``return_gradients=True``).

    Examples
    --------
    >>> from skphys.atoms import compute_energies
    >>> energies, gradients, stats = compute_energies("Cu2", [[2.0], [2.5]],
    ...                                               return_gradients=True)
    >>> gradients.round(2)  # dE/dr, eV/Å: repulsive at 2.0 Å, attractive at 2.5 Å
    array([[-3.98],
           [ 2.74]])
    """
    distances = check_array(distances, dtype=np.float64)
    formula, symbols = symbols, check_geometries(symbols, distances, "compute_energies")
    unique, inverse = _distinct_rows(distances)
    energies = np.empty(len(unique))
    forces = np.empty((len(unique), len(symbols), 3)) if return_gradients else None
    todo = np.arange(len(unique))
    calc = make_calculator(calculator)
    store, keys = None, None
    if cache is not None:
        identity = calculator_identity(calc)
        store = EnergyCache(cache, identity)
        keys = [geometry_key(symbols, row, identity) for row in unique]
        known_energies, known_forces = store.lookup()
        needed = known_forces if return_gradients else known_energies
        found = np.array([key in needed for key in keys], dtype=bool)
        for i in np.flatnonzero(found):
            energies[i] = known_energies[keys[i]]
            if return_gradients:
                forces[i] = known_forces[keys[i]]
        todo = todo[~found]
    stats = EnergyStats(calculator_calls=len(todo), cache_hits=len(unique) - len(todo))
    with (
        tqdm(total=len(unique), disable=not progress, unit="geometry",
             desc=f"{formula} energies{' and forces' * return_gradients}") as bar,
        _BatchWriter(store, symbols, keys) as writer,
    ):
        bar.update(stats.cache_hits)
        if progress:
            bar.set_postfix(calculator_calls=0, cache_hits=stats.cache_hits)
        results = _energies(calculator, calc, symbols, unique[todo], n_jobs, return_gradients)
        for done, (i, (energy, row_forces)) in enumerate(zip(todo, results, strict=True),
                                                         start=1):
            energies[i] = energy
            if return_gradients:
                forces[i] = row_forces
            writer.add(unique[i], i, energy, row_forces)
            if progress:
                bar.set_postfix(calculator_calls=done, cache_hits=stats.cache_hits,
                                refresh=False)
                bar.update()
    if return_gradients:
        gradients = _distance_gradients(calc, symbols, unique, forces)
        return energies[inverse], gradients[inverse], stats
    return energies[inverse], stats
