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


def birch_murnaghan(V, E0, B0, BP, V0):
    """Third-order Birch-Murnaghan equation of state, E(V).

    From F. Birch, Phys. Rev. 71, 809 (1947), as in PRB 70, 224107 (2004), Eq. 3
    (and :func:`ase.eos.birchmurnaghan`), with ``eta = (V0 / V)^(1/3)``::

        E = E0 + 9 B0 V0 / 16 (eta^2 - 1)^2 (6 + BP (eta^2 - 1) - 4 eta^2)

    Parameters
    ----------
    V : array-like
        Volume, Å^3.
    E0 : float or array-like
        Energy at the minimum, eV.
    B0 : float or array-like
        Bulk modulus at ``V0``, eV/Å^3.
    BP : float or array-like
        Pressure derivative of the bulk modulus, dimensionless.
    V0 : float or array-like
        Equilibrium volume, Å^3.

    Returns
    -------
    E : array-like
        Energy, eV.
    """
    strain = (V0 / V) ** (2.0 / 3.0) - 1.0  # eta^2 - 1
    return E0 + 9.0 / 16.0 * B0 * V0 * strain**2 * (6.0 + BP * strain - 4.0 * (strain + 1.0))


def vinet(V, E0, B0, BP, V0):
    """Vinet (universal) equation of state, E(V).

    From P. Vinet et al., J. Geophys. Res. 92, 9319 (1987), as in PRB 70, 224107
    (and :func:`ase.eos.vinet`), with ``eta = (V / V0)^(1/3)``::

        E = E0 + 2 B0 V0 / (BP - 1)^2
                 (2 - (5 + 3 BP (eta - 1) - 3 eta) exp(-3 (BP - 1) (eta - 1) / 2))

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
    x = (V / V0) ** (1.0 / 3.0) - 1.0  # eta - 1
    c = 1.5 * (BP - 1.0)
    return E0 + 2.0 * B0 * V0 / (BP - 1.0) ** 2 * (
        2.0 - (2.0 + 3.0 * (BP - 1.0) * x) * np.exp(-c * x)
    )


def morse(r, De, a, re):
    """Morse pair potential, E(r) = De ((1 - exp(-a (r - re)))^2 - 1).

    Zero for separated atoms, minimum ``-De`` at ``re``.

    Parameters
    ----------
    r : array-like
        Interatomic distance, Å.
    De : float or array-like
        Well depth (dissociation energy), eV.
    a : float or array-like
        Width parameter, 1/Å.
    re : float or array-like
        Equilibrium distance, Å.

    Returns
    -------
    E : array-like
        Pair energy, eV.
    """
    return De * ((1.0 - np.exp(-a * (r - re))) ** 2 - 1.0)


def lennard_jones(r, epsilon, sigma):
    """Lennard-Jones 12-6 pair potential, E(r) = 4 epsilon ((sigma/r)^12 - (sigma/r)^6).

    Parameters
    ----------
    r : array-like
        Interatomic distance, Å.
    epsilon : float or array-like
        Well depth, eV.
    sigma : float or array-like
        Distance at which the energy crosses zero, Å.

    Returns
    -------
    E : array-like
        Pair energy, eV.
    """
    s6 = (sigma / r) ** 6
    return 4.0 * epsilon * (s6**2 - s6)


def born_mayer(r, A, rho):
    """Born-Mayer repulsion, E(r).

    From M. Born and J. E. Mayer, Z. Phys. 75, 1 (1932)::

        E = A exp(-r / rho)

    Parameters
    ----------
    r : array-like
        Interatomic distance, Å.
    A : float or array-like
        Prefactor, eV.
    rho : float or array-like
        Decay length, Å.

    Returns
    -------
    E : array-like
        Energy, eV.
    """
    return A * np.exp(-r / rho)
