"""Gradients in Cartesian positions turned into gradients in the interatomic distances.

A function E(r) of the distances r (pairs (i, j), i < j, in atom order) of N atoms
at positions x has the Cartesian gradient

    dE/dx = B^T dE/dr,    B = dr/dx of shape (n_pairs, 3N),

where the row of pair (i, j) holds u = (x_i - x_j) / r_ij in the three columns of
atom i and -u in those of atom j. Given dE/dx (minus the forces), dE/dr is the
least-squares solution of this system. It is unique when B has full row rank,
i.e. when the distances are independent internal coordinates: that needs
n_pairs <= 3N - 6 (3N - 5 for the one distance of a dimer), so at most 4 atoms,
and a geometry that is not degenerate (a trimer not collinear, four atoms not
coplanar). From 5 atoms on there are more distances than internal coordinates,
and many dE/dr give the same forces.

A Cartesian gradient outside the range of B^T (a net force or a torque) is the
gradient of no function of the distances, and is refused beyond what rounding
explains; the Notes of :func:`distance_gradient` derive that tolerance.
"""

import numpy as np

# The small constant the rounding bounds leave unnamed: the tolerance is
# _ROUNDING_FACTOR * m * n * eps * (cond(B) ||dE/dx|| + sqrt(m) * _BOND_FORCE)
# (Notes of distance_gradient).
_ROUNDING_FACTOR = 10.0

# Largest term a calculator sums into a force component near an equilibrium, eV/Å:
# bonds of 1-10 eV weaken over a few tenths of an Å or more (ASE's EMT for Cu sums
# terms of about 1 eV/Å). Rounding in the forces is relative to it.
_BOND_FORCE = 10.0


def distance_jacobian(positions):
    """Derivatives of the interatomic distances in the Cartesian positions.

    Parameters
    ----------
    positions : array-like of shape (n_atoms, 3)
        Cartesian positions, Å; no periodic images.

    Returns
    -------
    jacobian : ndarray of shape (n_pairs, 3 * n_atoms)
        ``dr_ij / dx``, dimensionless; rows in the order of
        :func:`~skphys.atoms.pair_names` (pair (i, j), i < j), columns
        ``x1, y1, z1, x2, ...``.
    """
    x = np.asarray(positions, dtype=np.float64)
    i, j = np.triu_indices(len(x), k=1)
    diff = x[i] - x[j]
    with np.errstate(invalid="ignore", divide="ignore"):  # coincident atoms: NaN, checked
        unit = diff / np.linalg.norm(diff, axis=1, keepdims=True)
    jacobian = np.zeros((len(i), len(x), 3))
    rows = np.arange(len(i))
    jacobian[rows, i] = unit
    jacobian[rows, j] = -unit
    return jacobian.reshape(len(i), -1)


def _check_atom_count(n_atoms):
    """ValueError unless the distances of ``n_atoms`` atoms are independent coordinates."""
    n_pairs = n_atoms * (n_atoms - 1) // 2
    internal = 1 if n_atoms == 2 else 3 * n_atoms - 6
    if n_atoms < 2 or n_pairs > internal:
        raise ValueError(
            f"{n_atoms} atoms have {n_pairs} interatomic distances and {max(internal, 0)} "
            "internal coordinates: the derivative of the energy in the distances (dE/dr) "
            "is unique only when the distances are independent coordinates, for 2 to 4 "
            "atoms; from 5 atoms on the distances are redundant"
        )


def distance_gradient(positions, position_gradient):
    """Derivative of a function of the interatomic distances in those distances.

    Solves ``dE/dx = B^T dE/dr`` by least squares, where ``B = dr/dx`` holds in
    the row of pair (i, j) the unit vector ``u = (x_i - x_j) / r_ij`` in the
    columns of atom i and ``-u`` in those of atom j. The result is exact, up to
    rounding, when the distances are independent internal coordinates: 2 to 4
    atoms in a geometry that is not degenerate (a trimer not collinear, four atoms
    not coplanar). From 5 atoms on the distances are redundant and many dE/dr give
    the same forces.

    Parameters
    ----------
    positions : array-like of shape (n_atoms, 3)
        Cartesian positions of an isolated structure (no periodic images), Å;
        2 to 4 atoms.
    position_gradient : array-like of shape (n_atoms, 3)
        Derivative of the energy in the positions (minus the forces), eV/Å.

    Returns
    -------
    gradient : ndarray of shape (n_pairs,)
        ``dE/dr_ij``, eV/Å, in the order of :func:`~skphys.atoms.pair_names`
        (``r12, r13, ..., r23, ...``).

    Raises
    ------
    ValueError
        For 5 atoms or more (redundant distances), for a degenerate geometry, and
        for a gradient that is not the gradient of a function of the distances
        (a net force or torque beyond rounding; see Notes).

    Notes
    -----
    The residual ``dE/dx - B^T dE/dr`` of a gradient of a function of the
    distances is rounding alone. With m = 3 n_atoms, n = n_pairs, eps the machine
    epsilon and cond(B) = s_max / s_min the ratio of the extreme singular values
    of B:

    * the SVD solver is backward stable: its dE/dr solves exactly a system whose
      matrix is within about m n eps ||B|| of B (Higham, *Accuracy and Stability
      of Numerical Algorithms*, 2nd ed., Thm. 20.3), leaving a residual below
      m n eps ||B|| ||dE/dr|| <= m n eps cond(B) ||dE/dx||;
    * the rounding of B (a few operations per entry) is smaller;
    * the calculator rounds each force component relative to the terms it sums.
      Away from an equilibrium these are of the size of the forces; near one they
      cancel, but each stays below a bond force F_bond = 10 eV/Å (bonds of 1 to
      10 eV weakening over a few tenths of an Å or more; ASE's EMT for Cu sums
      terms of about 1 eV/Å). That error, below n_atoms eps (||dE/dx|| +
      sqrt(m) F_bond), passes to the residual unamplified.

    The tolerance is therefore ``10 m n eps (cond(B) ||dE/dx|| + sqrt(m) F_bond)``
    (n_atoms <= m n), the factor 10 standing for the small constants the bounds
    leave unnamed. A
    geometry with cond(B) above ``1 / (10 m n eps)`` is degenerate to working
    precision: its dE/dr would be rounding alone.

    Forces that break the invariance under translations and rotations by more
    than that (grid-based DFT codes: the egg-box effect) are refused as well.

    Examples
    --------
    >>> from ase import Atoms
    >>> from ase.calculators.emt import EMT
    >>> from skphys.atoms import distance_gradient
    >>> trimer = Atoms("Cu3", positions=[[0, 0, 0], [2.5, 0, 0], [1.25, 2.165, 0]])
    >>> trimer.calc = EMT()
    >>> distance_gradient(trimer.positions, -trimer.get_forces()).round(3)
    array([1.171, 1.171, 1.171])
    """
    x = np.asarray(positions, dtype=np.float64)
    g = np.asarray(position_gradient, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != 3 or g.shape != x.shape:
        raise ValueError(
            "positions and their gradient must both have shape (n_atoms, 3); got "
            f"{x.shape} and {g.shape}"
        )
    _check_atom_count(len(x))
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(g))):
        raise ValueError("positions and their gradient must be finite")
    jacobian = distance_jacobian(x)
    if not np.all(np.isfinite(jacobian)):
        raise ValueError("two atoms share a position: their distance has no derivative there")
    # B^T = U diag(s) V^T; the least-squares solution is V diag(1/s) U^T g.
    u, s, vt = np.linalg.svd(jacobian.T, full_matrices=False)
    m, n = jacobian.T.shape
    rounding = _ROUNDING_FACTOR * m * n * np.finfo(np.float64).eps
    if s[-1] <= rounding * s[0]:
        raise ValueError(
            f"the geometry is degenerate (collinear or coplanar): its {n} distances are "
            f"not independent there (dr/dx has condition number {s[0] / s[-1]:.3g}), so "
            "the forces do not determine dE/dr"
        )
    flat = g.ravel()
    gradient = vt.T @ ((u.T @ flat) / s)
    residual = np.linalg.norm(flat - jacobian.T @ gradient)
    tolerance = rounding * (s[0] / s[-1] * np.linalg.norm(flat) + np.sqrt(m) * _BOND_FORCE)
    if residual > tolerance:
        raise ValueError(
            "the Cartesian gradient is not the gradient of a function of the interatomic "
            f"distances: {residual:.3g} eV/Å of its {np.linalg.norm(flat):.3g} eV/Å is a "
            f"net force or torque, beyond the {tolerance:.3g} eV/Å rounding allows"
        )
    return gradient
