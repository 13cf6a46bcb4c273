"""ASE energies and geometries as scikit-learn transformers, with an energy cache.

:class:`AseEnergyTransformer` turns interatomic distances of a dimer or trimer
into energies from an ASE calculator (EMT by default), optionally cached in an
ASE database and computed in parallel through joblib (or on a dask cluster).
:class:`PairDistanceTransformer` turns ``ase.Atoms`` structures into their
interatomic distances, or, given :class:`PositionGradients` (derivatives of the
energies in the atomic positions), the derivatives of the energies in those
distances: the ``y_grad`` of a pipeline. :func:`compute_energies` is the function behind the
transformer, reports calculator calls and cache hits, and with
``return_gradients=True`` also returns the derivatives of the energies in the
distances, from the calculator's forces (cached in the rows of the energies).
:func:`distance_gradient` turns the gradient of an energy in the positions of one
structure (minus its forces) into that in its interatomic distances.

Parallel and distributed generation go through joblib: ``n_jobs=2`` uses two
local processes; on a cluster, install ``skphys[dask]``, connect a
``dask.distributed.Client`` and generate inside joblib's dask backend. Only the
main process writes the cache. The same code runs on a laptop with a
``LocalCluster`` (in a script, under ``if __name__ == "__main__":``)::

    from dask.distributed import Client, LocalCluster
    from joblib import parallel_config
    from skphys.datasets import make_trimer_dataset

    with LocalCluster(n_workers=2) as cluster, Client(cluster):  # or Client("host:8786")
        with parallel_config(backend="dask"):
            X, y = make_trimer_dataset(n_samples=300, n_jobs=-1, cache="cu3.db",
                                       progress=True)

A calculator that the workers must build themselves (a DFT code) is best given
as a zero-argument factory, e.g. ``functools.partial(GPAW, mode="lcao")``.
"""

from ._atoms._cache import CACHE_DISTANCE_DECIMALS
from ._atoms._compute import EnergyStats, compute_energies
from ._atoms._distance_gradient import distance_gradient
from ._atoms._distance_transformer import PairDistanceTransformer
from ._atoms._energy_transformer import AseEnergyTransformer
from ._atoms._geometry import atoms_from_distances, pair_distances, pair_names
from ._atoms._position_gradients import PositionGradients

__all__ = [
    "CACHE_DISTANCE_DECIMALS",
    "AseEnergyTransformer",
    "EnergyStats",
    "PairDistanceTransformer",
    "PositionGradients",
    "atoms_from_distances",
    "compute_energies",
    "distance_gradient",
    "pair_distances",
    "pair_names",
]
