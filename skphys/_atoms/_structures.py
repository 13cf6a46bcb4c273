"""Lists of ``ase.Atoms`` checked as scikit-learn input: one structure per sample."""

import numpy as np
from ase import Atoms


def check_structures(X, n_atoms=None):
    """A list of ``ase.Atoms`` with one common atom count, or a clear error.

    Parameters
    ----------
    X : list, tuple, 1-D object ndarray or pandas Series of ase.Atoms
    n_atoms : int, default=None
        Required atom count (the one seen in fit).

    Returns
    -------
    structures : list of ase.Atoms
    """
    if isinstance(X, Atoms):
        raise TypeError(
            "X must hold one ase.Atoms per sample; got a single Atoms object: wrap it "
            "in a list"
        )
    if isinstance(X, np.ndarray) and (X.dtype != object or X.ndim != 1):
        raise TypeError(
            "X must be a list or 1-D object array of ase.Atoms; got an ndarray of dtype "
            f"{X.dtype} and shape {X.shape}"
        )
    if isinstance(X, (str, bytes)) or not hasattr(X, "__iter__"):
        raise TypeError(f"X must be a list of ase.Atoms; got {type(X).__name__}")
    structures = list(X)
    wrong = [i for i, atoms in enumerate(structures) if not isinstance(atoms, Atoms)]
    if wrong:
        raise TypeError(
            f"X must hold ase.Atoms; sample {wrong[0]} is "
            f"{type(structures[wrong[0]]).__name__}"
        )
    if not structures:
        raise ValueError("X holds no structures (0 samples); at least 1 is required")
    counts = np.array([len(atoms) for atoms in structures])
    expected = counts[0] if n_atoms is None else n_atoms
    if np.any(counts != expected):
        i = int(np.flatnonzero(counts != expected)[0])
        raise ValueError(
            f"every structure must have {expected} atoms (the count "
            f"{'of the first sample' if n_atoms is None else 'seen in fit'}); "
            f"sample {i} has {counts[i]}. Mixed atom counts have no common distances"
        )
    if expected < 2:
        raise ValueError(f"structures of {expected} atom have no interatomic distance")
    return structures
