"""Small clusters built from their interatomic distances, and distances read back."""

import numpy as np
from ase import Atoms

# A triangle is accepted up to this relative slack (collinear trimers are physical).
_TRIANGLE_RTOL = 1e-9


def parse_symbols(symbols):
    """Chemical symbols of a cluster, in atom order.

    Parameters
    ----------
    symbols : str
        Chemical formula such as ``'Cu2'``, ``'CuAu'`` or ``'Cu3'``.

    Returns
    -------
    symbols : list of str
        One symbol per atom, e.g. ``['Cu', 'Cu']``.
    """
    try:
        return Atoms(symbols).get_chemical_symbols()
    except (KeyError, ValueError) as exc:
        raise ValueError(f"symbols={symbols!r} is not a chemical formula ({exc})") from None


def pair_names(n_atoms):
    """Names of the interatomic distances in atom order: ``r12, r13, ..., r23, ...``.

    Parameters
    ----------
    n_atoms : int
        Number of atoms.

    Returns
    -------
    names : list of str
        ``n_atoms * (n_atoms - 1) / 2`` names, pair (i, j) with i < j, counting from 1.
    """
    sep = "" if n_atoms < 10 else "_"
    return [f"r{i + 1}{sep}{j + 1}" for i, j in zip(*np.triu_indices(n_atoms, k=1), strict=True)]


def check_positive(distances, who):
    """Raise ValueError unless every interatomic distance is positive.

    Parameters
    ----------
    distances : ndarray of shape (n_samples, n_pairs)
        Interatomic distances, Å.
    who : str
        Name of the estimator, for the message.
    """
    bad = np.flatnonzero(~np.all(distances > 0, axis=1))
    if bad.size:
        # scikit-learn's wording for negative input, which its checks look for.
        what = "Negative values" if np.any(distances < 0) else "Zero values"
        raise ValueError(
            f"{what} in data passed to {who}: interatomic distances must be positive (Å); "
            f"rows {bad[:5].tolist()} hold {distances[bad[0]].tolist()}"
        )


def check_triangles(distances):
    """Raise ValueError unless every row (r12, r13, r23) is a triangle.

    Degenerate (collinear) triangles are accepted.

    Parameters
    ----------
    distances : ndarray of shape (n_samples, 3)
        Distances r12, r13, r23 of each trimer, Å.
    """
    longest = distances.max(axis=1)
    slack = distances.sum(axis=1) - 2 * longest
    bad = np.flatnonzero(slack < -_TRIANGLE_RTOL * longest)
    if bad.size:
        r12, r13, r23 = distances[bad[0]]
        raise ValueError(
            "distances (r12, r13, r23) violate the triangle inequality (the longest "
            f"exceeds the sum of the other two) in rows {bad[:5].tolist()}, e.g. row "
            f"{bad[0]}: ({r12}, {r13}, {r23}) Å"
        )


def check_geometries(formula, distances, who):
    """Raise ValueError unless ``distances`` are geometries of the dimer or trimer.

    Parameters
    ----------
    formula : str
        Chemical formula of the cluster, 2 or 3 atoms.
    distances : ndarray of shape (n_samples, n_pairs)
        Interatomic distances in atom order (``r12`` or ``r12, r13, r23``), Å,
        finite.
    who : str
        Name of the estimator or function, for the messages.

    Returns
    -------
    symbols : list of str
        One symbol per atom.
    """
    check_positive(distances, who)
    symbols = parse_symbols(formula)
    if len(symbols) not in (2, 3):
        raise ValueError(
            f"symbols={formula!r} has {len(symbols)} atoms; {who} takes 2 (a dimer) or 3 "
            "(a trimer)"
        )
    names = pair_names(len(symbols))
    if distances.shape[1] != len(names):
        raise ValueError(
            f"X has {distances.shape[1]} columns; {formula} needs {len(names)}: the "
            f"interatomic distance{'s' * (len(names) > 1)} {', '.join(names)} in Å"
        )
    if len(symbols) == 3:
        check_triangles(distances)
    return symbols


def atoms_from_distances(symbols, distances):
    """An isolated cluster (no cell, no periodicity) with the given distances.

    Atom 1 sits at the origin, atom 2 on the x axis and atom 3 in the xy plane.

    Parameters
    ----------
    symbols : str or list of str
        Chemical formula or one symbol per atom (2 or 3 atoms).
    distances : array-like of shape (n_pairs,)
        ``[r12]`` or ``[r12, r13, r23]``, Å, positive and a triangle.

    Returns
    -------
    atoms : ase.Atoms
        The cluster, with no cell and no periodic boundary conditions.
    """
    r = np.asarray(distances, dtype=float)
    if len(r) == 1:
        positions = [[0.0, 0.0, 0.0], [r[0], 0.0, 0.0]]
    else:
        r12, r13, r23 = r
        x = (r12**2 + r13**2 - r23**2) / (2.0 * r12)
        # max(): rounding can push a collinear triangle a hair below zero.
        y = np.sqrt(max(r13**2 - x**2, 0.0))
        positions = [[0.0, 0.0, 0.0], [r12, 0.0, 0.0], [x, y, 0.0]]
    return Atoms(symbols, positions=positions)


def pair_distances(atoms):
    """Interatomic distances of one structure in atom order (pair (i, j), i < j).

    Periodic structures use the minimum-image convention.

    Parameters
    ----------
    atoms : ase.Atoms
        One structure, periodic or not.

    Returns
    -------
    distances : ndarray of shape (n_pairs,)
        Å, in the order of :func:`pair_names`.
    """
    matrix = atoms.get_all_distances(mic=bool(np.any(atoms.pbc)))
    return matrix[np.triu_indices(len(atoms), k=1)]
