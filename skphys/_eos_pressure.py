"""Whether a curve's pressures and energies tell the same story, before they are fitted together.

Pressures come in several sign conventions (a stress tensor's trace is minus the
pressure) and units (GPa, kbar, eV/Å^3): a column in the wrong one fitted with the
energies gives a confident, wrong bulk modulus. To leading order over a window of a
few per cent around the minimum, both blocks give the bulk modulus ``B = -V dP/dV
= V d^2E/dV^2`` on their own, from the slope of a line through the pressures and
from the curvature of a parabola through the energies. Where both are clearly
determined (:data:`CLEAR_T`), they must agree in sign, and in size within
:data:`FACTOR_MAX`; otherwise the pressures are not the ``-dE/dV`` of these
energies, and the curve is not fitted.
"""

import numpy as np
from ase.units import GPa

# Standard errors a leading-order modulus must lie away from zero before its sign
# is trusted. The line and the parabola leave the curvature of P(V) and the cubic
# of E(V) in their residuals, which only inflates their errors: at 5 the check
# does not fire on noise (P(t_4 > 5) < 0.4 %, and it needs both blocks clear).
CLEAR_T = 5.0
# How a refused curve's message starts.
INCONSISTENT = "the pressures are not the -dE/dV of the energies"
# How far apart the two leading-order moduli may be. Unit mix-ups are factors of
# 10 (kbar, GPa), 160 (GPa, eV/Å^3) or 1602 (kbar, eV/Å^3); on the 4288 ACWF
# curves with stresses where both are clear, their ratio lies within 0.9-1.1 for
# 99.5 % and within 0.72-1.35 for all (a stress less converged than its energy).
FACTOR_MAX = 3.0


def _polynomial(volumes, values, weight, degree):
    """Weighted least-squares polynomial in scaled volumes, per curve.

    Returns the leading coefficient (per unit volume**degree), its standard error
    and the weighted mean volume; NaN where fewer than degree + 2 points.
    """
    present = weight > 0
    w = np.where(present, weight, 0.0)
    n = np.count_nonzero(present, axis=1)
    lead, stderr = np.full(n.shape, np.nan), np.full(n.shape, np.nan)
    # all-ignore: curves without the points give NaN, and a variance that rounds
    # below zero gives a NaN standard error (the modulus is then not clear)
    with np.errstate(all="ignore"):
        centre = np.sum(w * volumes, axis=1) / np.sum(w, axis=1)
        v_in = np.where(present, volumes, np.nan)
        span = np.nanmax(v_in, axis=1) - np.nanmin(v_in, axis=1)
        span = np.where(np.isfinite(span) & (span > 0), span, 1.0)
        s = np.where(present, (volumes - centre[:, None]) / span[:, None], 0.0)
        y = np.where(present, values, 0.0)
        design = np.stack([s**k for k in range(degree, -1, -1)], axis=-1)  # leading first
        normal = np.einsum("cn,cni,cnj->cij", w, design, design)
        usable = (n >= degree + 2) & (np.abs(np.linalg.det(normal)) > 0)
        if not usable.any():
            return lead, stderr, centre
        inverse = np.linalg.inv(normal[usable])
        coefficients = np.einsum("cij,cn,cnj,cn->ci", inverse, w[usable], design[usable],
                                 y[usable])  # fmt: skip
        fitted = np.einsum("cni,ci->cn", design[usable], coefficients)
        variance = np.sum(w[usable] * (y[usable] - fitted) ** 2, axis=1) / (n[usable] - degree - 1)
        lead[usable] = coefficients[:, 0] / span[usable] ** degree
        stderr[usable] = np.sqrt(inverse[:, 0, 0] * variance) / span[usable] ** degree
    return lead, stderr, centre


def leading_order_moduli(volumes, energies, weight, pressures, pressure_weight):
    """The bulk modulus of each curve from its energies and from its pressures alone.

    Parameters
    ----------
    volumes : ndarray of shape (n_curves, n_points)
        Volumes, Å^3, padded.
    energies : ndarray of shape (n_curves, n_points)
        Energies, eV; read where ``weight`` is positive.
    weight : ndarray of shape (n_curves, n_points)
        Weights of the energies, 0 where absent.
    pressures : ndarray of shape (n_curves, n_points)
        Pressures ``-dE/dV``, eV/Å^3; read where ``pressure_weight`` is positive.
    pressure_weight : ndarray of shape (n_curves, n_points)
        Weights of the pressures, 0 where absent.

    Returns
    -------
    from_energies, from_pressures : ndarray of shape (n_curves,)
        ``2 a V`` of a parabola ``a V^2 + ...`` through the energies and ``-m V``
        of a line ``m V + ...`` through the pressures, eV/Å^3, at the mean volume
        of each block; NaN where a block has too few points (4 energies, 3
        pressures).
    t_energies, t_pressures : ndarray of shape (n_curves,)
        Each divided by its standard error.
    """
    curvature, curvature_se, v_e = _polynomial(volumes, energies, weight, 2)
    slope, slope_se, v_p = _polynomial(volumes, pressures, pressure_weight, 1)
    with np.errstate(all="ignore"):
        return (2 * curvature * v_e, -slope * v_p, curvature / curvature_se, -slope / slope_se)


def inconsistent_pressures(volumes, energies, weight, pressures, pressure_weight):
    """Which curves' pressures cannot be the ``-dE/dV`` of their energies, and why.

    Parameters
    ----------
    volumes, energies, weight, pressures, pressure_weight : ndarray of shape (n_curves, n_points)
        As for :func:`leading_order_moduli`.

    Returns
    -------
    message : ndarray of shape (n_curves,) of object
        '' where the two blocks agree or cannot be told apart; else one sentence
        with both moduli in GPa and what to check.
    """
    b_e, b_p, t_e, t_p = leading_order_moduli(volumes, energies, weight, pressures,
                                              pressure_weight)  # fmt: skip
    clear = (np.abs(t_e) >= CLEAR_T) & (np.abs(t_p) >= CLEAR_T)
    with np.errstate(all="ignore"):
        ratio = b_p / b_e
    opposite = clear & (ratio < 0)
    apart = clear & (ratio > 0) & ((ratio > FACTOR_MAX) | (ratio < 1 / FACTOR_MAX))
    message = np.full(volumes.shape[0], "", dtype=object)
    for i in np.flatnonzero(opposite):
        trend = "increase" if b_p[i] < 0 else "decrease"
        message[i] = (
            f"{INCONSISTENT}: they {trend} with volume (a line through them gives B0 = "
            f"{b_p[i] / GPa:.4g} GPa) where the energies give B0 = {b_e[i] / GPa:.4g} GPa. "
            "The pressure must be -dE/dV, positive under compression: is it in the other "
            "sign convention (a stress)?"
        )
    for i in np.flatnonzero(apart):
        message[i] = (
            f"{INCONSISTENT}: a line through them gives B0 = {b_p[i] / GPa:.4g} GPa, "
            f"{ratio[i]:.3g} times the energies' {b_e[i] / GPa:.4g} GPa. Are they in "
            "another unit?"
        )
    return message
