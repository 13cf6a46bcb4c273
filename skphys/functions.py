"""Pure physical model functions, written with ``autograd.numpy``.

Each function is named after its model, takes the independent variable first and
the parameters as separate arguments (the signature of :mod:`ase.eos`), and works
elementwise, so parameters may be scalars or arrays that broadcast against the
variable. Units: energies in eV, volumes in Å^3, distances in Å, bulk moduli in
eV/Å^3.
"""

import math

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


def _poirier_tarantola_partials(V, E0, B0, BP, V0):
    xi = np.log(V0 / V)
    shape = xi**2 * (0.5 + (BP - 2.0) * xi / 6.0)
    d_shape = xi * (1.0 + 0.5 * (BP - 2.0) * xi)  # d shape / d xi
    d_v = -B0 * V0 * d_shape / V
    d_b0 = V0 * shape
    d_bp = B0 * V0 * xi**3 / 6.0
    d_v0 = B0 * (shape + d_shape)
    return d_v, 1.0, d_b0, d_bp, d_v0


@closed_form(_poirier_tarantola_partials)
def poirier_tarantola(V, E0, B0, BP, V0):
    """Poirier-Tarantola (logarithmic) equation of state, E(V).

    From J.-P. Poirier and A. Tarantola, Phys. Earth Planet. Inter. 109, 1 (1998),
    as in PRB 70, 224107 (2004) (and :func:`ase.eos.pouriertarantola`, ASE's
    spelling), with the Hencky strain ``xi = ln(V0 / V)``::

        E = E0 + B0 V0 xi^2 / 6 (3 + (BP - 2) xi)

    Parameters
    ----------
    V : array-like
        Volume, Å^3.
    E0 : float or array-like
        Energy at the minimum, eV.
    B0 : float or array-like
        Bulk modulus at ``V0``, eV/Å^3.
    BP : float or array-like
        Pressure derivative of the bulk modulus at ``V0``, dimensionless.
    V0 : float or array-like
        Equilibrium volume, Å^3.

    Returns
    -------
    E : array-like
        Energy, eV.
    """
    xi = np.log(V0 / V)
    return E0 + B0 * V0 * xi**2 / 6.0 * (3.0 + (BP - 2.0) * xi)


# Below this |t| the Anton-Schmidt shape (t e^t - e^t + 1) / t^2 and its derivative
# are summed as their Taylor series: the closed forms lose eps / t^2 to cancellation
# (1e-13 here) and are 0/0 at t = 0, yet the limits are finite (BP = 2 is a form
# like any other). Twelve terms leave a truncation error below 1e-22 there.
_ANTON_SCHMIDT_SERIES_BELOW = 0.1
_ANTON_SCHMIDT_SERIES = [(k + 1) / math.factorial(k + 2) for k in range(12)]


def _anton_schmidt_shape(t):
    """``g(t) = (t e^t - e^t + 1) / t^2`` and ``g'(t)``, finite and smooth at t = 0."""
    small = np.abs(t) < _ANTON_SCHMIDT_SERIES_BELOW
    safe = np.where(small, 1.0, t)  # keeps 0/0 out of both values and derivatives
    grow, grow_m1 = np.exp(safe), np.expm1(safe)
    g_closed = (safe * grow - grow_m1) / safe**2
    dg_closed = ((safe - 2.0) * safe * grow + 2.0 * grow_m1) / safe**3
    g_series, dg_series = 0.0, 0.0
    for k in range(len(_ANTON_SCHMIDT_SERIES) - 1, -1, -1):  # Horner
        g_series = g_series * t + _ANTON_SCHMIDT_SERIES[k]
        if k:
            dg_series = dg_series * t + k * _ANTON_SCHMIDT_SERIES[k]
    return np.where(small, g_series, g_closed), np.where(small, dg_series, dg_closed)


def _anton_schmidt_partials(V, E0, B0, BP, V0):
    m = 1.0 - 0.5 * BP  # n + 1 of Anton and Schmidt
    log_x = np.log(V / V0)
    g, dg = _anton_schmidt_shape(m * log_x)
    h = log_x**2 * g  # (E - E0) / (B0 V0)
    u_log_x = np.exp(m * log_x) * log_x  # x^(n + 1) ln x
    d_v = B0 * V0 * u_log_x / V
    d_b0 = V0 * h
    d_bp = -0.5 * B0 * V0 * log_x**3 * dg  # dm / dBP = -1/2
    d_v0 = B0 * (h - u_log_x)
    return d_v, 1.0, d_b0, d_bp, d_v0


@closed_form(_anton_schmidt_partials)
def anton_schmidt(V, E0, B0, BP, V0):
    """Anton-Schmidt equation of state, E(V), in the parameters of :mod:`ase.eos`.

    From H. Anton and P. C. Schmidt, Intermetallics 5, 449 (1997), whose pressure
    is ``P = -B0 (V / V0)^n ln(V / V0)`` with the parameters ``E_inf`` (energy at
    infinite volume) and ``n``. As :func:`ase.eos.anton_schmidt` (after
    A. Otero-de-la-Roza and V. Luaña, Comput. Phys. Commun. 182, 1708 (2011)),
    they are written with ``n = -BP / 2`` and
    ``E_inf = E0 + B0 V0 / (n + 1)^2``, so that with ``x = V / V0``::

        E = E0 + B0 V0 / (n + 1)^2 (x^(n + 1) ((n + 1) ln x - 1) + 1)

    (ASE's formula rearranged). ``E0``, ``B0``, ``BP`` and ``V0`` then have their
    usual meaning: the bulk modulus ``B(V) = B0 x^n (1 + n ln x)`` is ``B0`` at
    ``V0``, and ``dB/dP = -2 n = BP`` there. At ``BP = 2`` (``n = -1``), where
    ASE's formula is 0/0, this one takes its limit ``E0 + B0 V0 (ln x)^2 / 2``
    (``E_inf`` is then infinite); it is smooth in ``BP`` through that point.

    Parameters
    ----------
    V : array-like
        Volume, Å^3.
    E0 : float or array-like
        Energy at the minimum, eV.
    B0 : float or array-like
        Bulk modulus at ``V0``, eV/Å^3.
    BP : float or array-like
        Pressure derivative of the bulk modulus at ``V0``, dimensionless.
    V0 : float or array-like
        Equilibrium volume, Å^3.

    Returns
    -------
    E : array-like
        Energy, eV.
    """
    # (x^m (m ln x - 1) + 1) / m^2 = (ln x)^2 g(m ln x), m = n + 1: finite at m = 0
    log_x = np.log(V / V0)
    return E0 + B0 * V0 * log_x**2 * _anton_schmidt_shape((1.0 - 0.5 * BP) * log_x)[0]


def _taylor_partials(V, E0, B0, BP, V0):
    d = (V - V0) / V0  # relative deviation from V0
    c = (1.0 + BP) / 3.0
    d_v = B0 * d * (1.0 - 1.5 * c * d)
    d_b0 = V0 * d**2 * (0.5 - c * d / 2.0)
    d_bp = -B0 * V0 * d**3 / 6.0
    # V0 d(d)/dV0 = -(1 + d)
    d_v0 = B0 * d**2 * (0.5 - c * d / 2.0) - B0 * d * (1.0 - 1.5 * c * d) * (1.0 + d)
    return d_v, 1.0, d_b0, d_bp, d_v0


@closed_form(_taylor_partials)
def taylor(V, E0, B0, BP, V0):
    """Third-order Taylor expansion of E(V) about ``V0``, in (E0, B0, BP, V0).

    The cubic of :func:`ase.eos.taylor` (and of ASE's 'p3', a cubic polynomial in
    V, which is the same family of curves)::

        E = E0 + B0 / (2 V0) (V - V0)^2 - (1 + BP) B0 / (6 V0^2) (V - V0)^3

    ASE writes the cubic term ``alpha / 6 (V - V0)^3 / V0`` with a third
    derivative ``alpha = V0 E'''(V0)`` in eV/Å^6, which is not dB/dP. Here that
    term is written with the pressure derivative of the bulk modulus at ``V0``,
    ``BP = -1 - alpha V0 / B0`` (that is, ``alpha = -(1 + BP) B0 / V0``), so that
    ``B0`` and ``BP`` mean what they mean in the other forms: the same curve as
    ``ase.eos.taylor(V, E0, B0, -(1 + BP) * B0 / V0, V0)``.

    Parameters
    ----------
    V : array-like
        Volume, Å^3.
    E0 : float or array-like
        Energy at the minimum, eV.
    B0 : float or array-like
        Bulk modulus at ``V0``, eV/Å^3.
    BP : float or array-like
        Pressure derivative of the bulk modulus at ``V0``, dimensionless (not
        ASE's third parameter: see above).
    V0 : float or array-like
        Equilibrium volume, Å^3.

    Returns
    -------
    E : array-like
        Energy, eV.
    """
    d = (V - V0) / V0
    return E0 + B0 * V0 * d**2 * (0.5 - (1.0 + BP) * d / 6.0)


def _stabilized_jellium_partials(V, E0, B0, BP, V0):
    x = (V0 / V) ** (1.0 / 3.0)
    y = x - 1.0
    shape = y**2 * (1.0 + (BP - 3.0) * y)
    d_shape = y * (2.0 + 3.0 * (BP - 3.0) * y)  # d shape / d y
    d_v = -1.5 * B0 * V0 * d_shape * x / V  # dy/dV = -x / (3 V)
    d_b0 = 4.5 * V0 * shape
    d_bp = 4.5 * B0 * V0 * y**3
    d_v0 = 4.5 * B0 * shape + 1.5 * B0 * d_shape * x  # V0 dy/dV0 = x / 3
    return d_v, 1.0, d_b0, d_bp, d_v0


@closed_form(_stabilized_jellium_partials)
def stabilized_jellium(V, E0, B0, BP, V0):
    """Stabilized-jellium equation of state (SJEOS), E(V), in (E0, B0, BP, V0).

    From A. B. Alchagirov, J. P. Perdew, J. C. Boettger, R. C. Albers and
    C. Fiolhais, PRB 63, 224115 (2001) and PRB 67, 026103 (2003): a cubic
    polynomial in ``V^(-1/3)``, which :mod:`ase.eos` ('sj') fits by linear least
    squares in its four coefficients. The same cubic, expanded about its
    minimum in ``x = (V0 / V)^(1/3)``::

        E = E0 + 9 B0 V0 / 2 (x - 1)^2 (1 + (BP - 3) (x - 1))

    where ``B0 = V E''`` and ``BP = dB/dP`` at ``V0``. Every such cubic with a
    minimum is one of these curves, and each of these curves is such a cubic.

    Parameters
    ----------
    V : array-like
        Volume, Å^3.
    E0 : float or array-like
        Energy at the minimum, eV.
    B0 : float or array-like
        Bulk modulus at ``V0``, eV/Å^3.
    BP : float or array-like
        Pressure derivative of the bulk modulus at ``V0``, dimensionless.
    V0 : float or array-like
        Equilibrium volume, Å^3.

    Returns
    -------
    E : array-like
        Energy, eV.
    """
    y = (V0 / V) ** (1.0 / 3.0) - 1.0  # x - 1
    return E0 + 4.5 * B0 * V0 * y**2 * (1.0 + (BP - 3.0) * y)
