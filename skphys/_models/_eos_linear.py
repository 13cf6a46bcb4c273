"""The third-order Birch-Murnaghan fit as what it is: a cubic in V^(-2/3).

With ``t = V^(-2/3)`` the Birch-Murnaghan energy is exactly a cubic polynomial in
``t``, and the map between its four coefficients and (E0, B0, BP, V0) is one to
one wherever the cubic has a minimum. Its least-squares optimum is therefore a
linear solve, the same optimum the nonlinear fit converges to (ACWF fits it this
way). Many curves are solved as one stack of 4 x 4 normal equations, in centred,
scaled ``u = (t - centre) / span`` so that they stay well conditioned.

The derivative ``dE/dV = (c1 + 2 c2 u + 3 c3 u^2) du/dV`` (minus the pressure) is
linear in the same coefficients: energies and pressures fitted together, at a
fixed weight of the pressures, are one weighted linear least-squares solve too.
"""

import numpy as np

from .._core._batch import _scaled_pinv
from ._eos import distinct_counts


def birch_murnaghan_linear(volumes, energies, weight, *, y_grad=None, grad_weight=None,
                           gradient_weight=None):  # fmt: skip
    """Least-squares Birch-Murnaghan parameters of many curves by a linear solve.

    Parameters
    ----------
    volumes, energies : ndarray of shape (n_curves, n_points)
        Volumes (Å^3, positive) and energies (eV), padded.
    weight : ndarray of shape (n_curves, n_points)
        Non-negative weights of the energies, 0 on padding (and where an energy
        was not observed).
    y_grad : ndarray of shape (n_curves, n_points), default=None
        Observed ``dE/dV`` (eV/Å^3, minus the pressure); read where
        ``grad_weight`` is positive.
    grad_weight : ndarray of shape (n_curves, n_points), default=None
        Non-negative weights of the derivatives, 0 where not observed; needed
        with ``y_grad``.
    gradient_weight : ndarray of shape (n_curves,), default=None
        Weight of each curve's derivatives relative to its energies, Å^6; needed
        with ``y_grad``.

    Returns
    -------
    params : ndarray of shape (n_curves, 4)
        (E0 eV, B0 eV/Å^3, BP, V0 Å^3); NaN where the fitted cubic has no minimum
        (or the data do not determine a cubic: fewer than four distinct volumes,
        those of the energies and those of the derivatives counted apart), for
        which the caller falls back to the nonlinear fit.
    """
    present = weight > 0
    sloped = np.zeros_like(present) if y_grad is None else grad_weight > 0
    u, centre, span = _scaled_t(volumes, present | sloped)
    w = np.where(present, weight, 0.0)
    e_ref = np.nanmin(np.where(present, energies, np.nan), axis=1)
    e = np.where(present, energies - e_ref[:, None], 0.0)
    weighted = [w]  # w u^k, k = 0..6
    for _ in range(6):
        weighted.append(weighted[-1] * u)
    power = [np.sum(wk, axis=1) for wk in weighted]
    normal = np.stack([np.stack([power[i + j] for j in range(4)], -1) for i in range(4)], 1)
    rhs = np.stack([np.sum(weighted[k] * e, axis=1) for k in range(4)], -1)
    params = np.full((volumes.shape[0], 4), np.nan)
    distinct = distinct_counts(volumes, present)
    if y_grad is None:
        # a cubic needs four distinct volumes; with them, |u| <= 1 keeps the normal
        # equations well conditioned
        solvable = distinct >= 4
        if not solvable.any():
            return params
        coefficients = np.linalg.solve(normal[solvable], rhs[solvable][..., None])[..., 0]
    else:
        # the rows of the derivatives, (0, 1, 2u, 3u^2) du/dV, weighted by their
        # own weights times the curve's weight of the derivatives
        du_dv = -2.0 / 3.0 * volumes ** (-5.0 / 3.0) / span[:, None]
        rows = np.stack([np.zeros_like(u), du_dv, 2 * u * du_dv, 3 * u**2 * du_dv], axis=-1)
        g_w = np.where(sloped, grad_weight, 0.0) * np.asarray(gradient_weight, float)[:, None]
        g = np.where(sloped, y_grad, 0.0)
        normal = normal + np.einsum("cn,cni,cnj->cij", g_w, rows, rows)
        rhs = rhs + np.einsum("cn,cni,cn->ci", g_w, rows, g)
        # the energies fix the level; with one, any four conditions fix a cubic
        solvable = present.any(axis=1) & (distinct + distinct_counts(volumes, sloped) >= 4)
        if not solvable.any():
            return params
        # the two blocks may differ in scale by many orders: the inverse of the
        # normal matrix scaled to unit diagonal
        coefficients = np.einsum("cij,cj->ci", _scaled_pinv(normal[solvable]), rhs[solvable])
    params[solvable] = _cubic_minimum(coefficients, centre[solvable], span[solvable],
                                      e_ref[solvable])  # fmt: skip
    return params


def _scaled_t(volumes, present):
    """``u = (t - centre) / span`` of ``t = V^(-2/3)``: within [-1, 1] on the points."""
    t = np.where(present, volumes, 1.0) ** (-2.0 / 3.0)
    t_in = np.where(present, t, np.nan)
    centre = np.nanmean(t_in, axis=1)
    span = np.nanmax(t_in, axis=1) - np.nanmin(t_in, axis=1)
    span = np.where(span > 0, span, 1.0)
    u = np.where(present, (t - centre[:, None]) / span[:, None], 0.0)
    return u, centre, span


def _cubic_minimum(coefficients, centre, span, e_ref):
    """(E0, B0, BP, V0) of the cubics ``e_ref + c0 + c1 u + c2 u^2 + c3 u^3``.

    NaN rows where a cubic has no minimum.
    """
    c0, c1, c2, c3 = coefficients.T
    # the stationary point with E_uu > 0: a minimum in u is one in V (t(V) is monotone)
    with np.errstate(all="ignore"):
        root = np.sqrt(c2**2 - 3.0 * c1 * c3)
        # -c1 / (c2 + root) is the minimum's root of c1 + 2 c2 u + 3 c3 u^2, written
        # without cancellation (it is -c1 / (2 c2) when c3 -> 0)
        u0 = -c1 / (c2 + root)
        curvature = 2.0 * c2 + 6.0 * c3 * u0  # E_uu at u0
        t0 = centre + span * u0
        v0 = t0 ** (-1.5)
        e0 = e_ref + c0 + c1 * u0 + c2 * u0**2 + c3 * u0**3
        du_dv = -2.0 / 3.0 * v0 ** (-5.0 / 3.0) / span  # u'(V0)
        b0 = v0 * curvature * du_dv**2  # V0 E''(V0)
        bp = 4.0 - v0 * 6.0 * c3 * du_dv / curvature  # -1 - V0 E'''(V0) / E''(V0)
    ok = np.isfinite(root) & (curvature > 0) & np.isfinite(v0) & (t0 > 0)
    return np.where(ok[:, None], np.column_stack([e0, b0, bp, v0]), np.nan)
