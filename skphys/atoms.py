"""ASE energies and geometries as scikit-learn transformers, with an energy cache.

:class:`AseEnergyTransformer` turns interatomic distances of a dimer or trimer
into energies from an ASE calculator (EMT by default), optionally cached in an
ASE database and computed in parallel through joblib (or on a dask cluster).
:class:`PairDistanceTransformer` turns ``ase.Atoms`` structures into their
interatomic distances. :func:`compute_energies` is the function behind the
transformer, and reports calculator calls and cache hits.
"""

from ._atoms._cache import CACHE_DISTANCE_DECIMALS
from ._atoms._compute import EnergyStats, compute_energies
from ._atoms._distance_transformer import PairDistanceTransformer
from ._atoms._energy_transformer import AseEnergyTransformer
from ._atoms._geometry import atoms_from_distances, pair_distances, pair_names

__all__ = [
    "CACHE_DISTANCE_DECIMALS",
    "AseEnergyTransformer",
    "EnergyStats",
    "PairDistanceTransformer",
    "atoms_from_distances",
    "compute_energies",
    "pair_distances",
    "pair_names",
]
