"""Pure physical model functions, written with ``autograd.numpy``.

Each function is named after its model, takes the independent variable first and
the parameters as separate arguments (the signature of :mod:`ase.eos`), and works
elementwise, so parameters may be scalars or arrays that broadcast against the
variable. Units: energies in eV, volumes in Å^3, distances in Å, bulk moduli in
eV/Å^3.
"""

import autograd.numpy as np

from ._closed_form import closed_form

# Each form is an autograd primitive whose partial derivatives (with respect to the
# variable and every parameter, in the order of the signature) are written out in
# the ``_*_partials`` function above it: a Jacobian then costs one call of each
# instead of a replay of every numpy operation of the formula.


def _murnaghan_partials(V, E0, B0, BP, V0):
    u = (V0 / V) ** BP
    m = BP - 1.0
    d_v = -B0 / BP * (u - 1.0)
    d_e0 = 1.0
    d_b0 = V / BP * (u / m + 1.0) - V0 / m
    d_bp = B0 * V * (u * np.log(V0 / V) / (BP * m) - u * (2.0 * BP - 1.0) / (BP * m) ** 2
                     - 1.0 / BP**2) + B0 * V0 / m**2  # fmt: skip
    d_v0 = B0 / m * (u * V / V0 - 1.0)
    return d_v, d_e0, d_b0, d_bp, d_v0


@closed_form(_murnaghan_partials)
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


def _buckingham_partials(r, A, B, C):
    decay = np.exp(-B * r)
    inv6 = r**-6
    return -A * B * decay + 6.0 * C * inv6 / r, decay, -A * r * decay, -inv6


@closed_form(_buckingham_partials)
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


def _birch_murnaghan_partials(V, E0, B0, BP, V0):
    strain = (V0 / V) ** (2.0 / 3.0) - 1.0
    shape = strain**2 * (2.0 + (BP - 4.0) * strain)
    d_shape = strain * (4.0 + 3.0 * (BP - 4.0) * strain)  # d shape / d strain
    d_strain = 2.0 / 3.0 * (strain + 1.0)  # V0 d strain / d V0 = -V d strain / d V
    d_v = -9.0 / 16.0 * B0 * V0 * d_shape * d_strain / V
    d_b0 = 9.0 / 16.0 * V0 * shape
    d_bp = 9.0 / 16.0 * B0 * V0 * strain**3
    d_v0 = 9.0 / 16.0 * B0 * (shape + d_shape * d_strain)
    return d_v, 1.0, d_b0, d_bp, d_v0


@closed_form(_birch_murnaghan_partials)
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


def _vinet_partials(V, E0, B0, BP, V0):
    x = (V / V0) ** (1.0 / 3.0) - 1.0
    m = BP - 1.0
    decay = np.exp(-1.5 * m * x)
    shape = 2.0 - (2.0 + 3.0 * m * x) * decay
    d_v = 3.0 * B0 * V0 * x * decay * (x + 1.0) / V
    d_b0 = 2.0 * V0 * shape / m**2
    d_bp = 2.0 * B0 * V0 * (4.5 * x**2 * decay / m - 2.0 * shape / m**3)
    d_v0 = 2.0 * B0 * shape / m**2 - 3.0 * B0 * x * decay * (x + 1.0)
    return d_v, 1.0, d_b0, d_bp, d_v0


@closed_form(_vinet_partials)
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


def _morse_partials(r, De, a, re):
    q = np.exp(-a * (r - re))
    slope = 2.0 * De * (1.0 - q) * q  # -dE/dq times q
    return a * slope, (1.0 - q) ** 2 - 1.0, (r - re) * slope, -a * slope


@closed_form(_morse_partials)
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


def _lennard_jones_partials(r, epsilon, sigma):
    s6 = (sigma / r) ** 6
    slope = 24.0 * epsilon * (2.0 * s6 - 1.0) * s6  # sigma dE/dsigma = -r dE/dr
    return -slope / r, 4.0 * (s6**2 - s6), slope / sigma


@closed_form(_lennard_jones_partials)
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


def _born_mayer_partials(r, A, rho):
    decay = np.exp(-r / rho)
    return -A * decay / rho, decay, A * decay * r / rho**2


@closed_form(_born_mayer_partials)
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
