"""Pure physical model functions, written with ``autograd.numpy``.

Each function is named after its model, takes the independent variable first and
the parameters as separate arguments (the signature of :mod:`ase.eos`), and works
elementwise, so parameters may be scalars or arrays that broadcast against the
variable. Units: energies in eV, volumes in Å^3, distances in Å, bulk moduli in
eV/Å^3.
"""

import autograd.numpy as np


def murnaghan(V, E0, B0, BP, V0):
    """Murnaghan equation of state, E(V).

    From F. D. Murnaghan, PNAS 30, 244 (1944), in the form of PRB 28, 5480 (1983)::

        E = E0 + B0 V / BP ((V0 / V)^BP / (BP - 1) + 1) - V0 B0 / (BP - 1)

    Parameters
    ----------
    V : array-like
        Volume, Å^3.
    E0 : float or array-like
        Energy at the minimum, eV.
    B0 : float or array-like
        Bulk modulus at ``V0``, eV/Å^3.
    BP : float or array-like
        Pressure derivative of the bulk modulus, dimensionless (not 1).
    V0 : float or array-like
        Equilibrium volume, Å^3.

    Returns
    -------
    E : array-like
        Energy, eV.
    """
    # Algebraically the formula above, arranged to need fewer autograd nodes
    # (the Jacobian's cost is proportional to their number).
    bp_minus_1 = BP - 1.0
    return E0 + B0 / bp_minus_1 * (V * ((V0 / V) ** BP + bp_minus_1) / BP - V0)


def murnaghan_pressure(V, B0, BP, V0):
    """Pressure of the Murnaghan equation of state, P = -dE/dV.

    Parameters
    ----------
    V : array-like
        Volume, Å^3.
    B0 : float or array-like
        Bulk modulus at ``V0``, eV/Å^3.
    BP : float or array-like
        Pressure derivative of the bulk modulus, dimensionless.
    V0 : float or array-like
        Equilibrium volume, Å^3.

    Returns
    -------
    P : array-like
        Pressure, eV/Å^3.
    """
    return B0 / BP * ((V0 / V) ** BP - 1.0)


def buckingham(r, A, B, C):
    """Buckingham pair potential, E(r) = A exp(-B r) - C / r^6.

    Parameters
    ----------
    r : array-like
        Interatomic distance, Å.
    A : float or array-like
        Repulsion prefactor, eV.
    B : float or array-like
        Repulsion decay rate, 1/Å.
    C : float or array-like
        Dispersion coefficient, eV Å^6.

    Returns
    -------
    E : array-like
        Pair energy, eV.
    """
    return A * np.exp(-B * r) - C / r**6
