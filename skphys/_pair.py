"""Pair potentials E(r) as scikit-learn regressors."""

import numpy as np
from scipy.optimize import lsq_linear, minimize_scalar

from ._parametric import SOLVER_PARAMETERS_DOC, BasePhysicalRegressor, fit_attributes_doc
from .functions import buckingham, lennard_jones, morse


def buckingham_guess(r, energies, sample_weight, bounds=None):
    """Starting (A, B, C) for the Buckingham potential by variable projection.

    For a fixed decay rate B the model is linear in A and C; a grid of B values is
    scanned, (A, C) solved by weighted linear least squares (within ``bounds`` if
    given), the lowest minima of that profile refined by a 1-D bounded search, and
    the best triple returned.

    Parameters
    ----------
    r : ndarray of shape (n_samples,)
        Distances, Å.
    energies : ndarray of shape (n_samples,)
        Energies, eV.
    sample_weight : ndarray of shape (n_samples,)
        Relative weights.
    bounds : tuple of two ndarray of shape (3,), default=None
        Bounds on (A, B, C).

    Returns
    -------
    p0 : list of float
        ``[A (eV), B (1/Å), C (eV Å^6)]``.
    """
    sqrt_w = np.sqrt(sample_weight)
    lower, upper = (np.full(3, -np.inf), np.full(3, np.inf)) if bounds is None else bounds
    linear_bounds = (lower[[0, 2]], upper[[0, 2]])

    def profile(b):
        """Best (A, C) for the decay rate b, and the cost of that triple."""
        with np.errstate(all="ignore"):
            design = np.column_stack([np.exp(-b * r), -(r**-6.0)]) * sqrt_w[:, None]
        if not np.all(np.isfinite(design)):
            return np.inf, None
        sol = lsq_linear(design, sqrt_w * energies, bounds=linear_bounds)
        return sol.cost, [sol.x[0], b, sol.x[1]]

    # Decay lengths from a thirtieth of the smallest distance to twice the largest
    # (B r from 0.5 to 30: a well needs B r_min > 6; steep walls reach B r ~ 20).
    b_low = max(0.5 / max(r.max(), 1e-12), lower[1])
    b_high = min(30.0 / max(r.min(), 1e-12), upper[1])
    if not b_low < b_high:
        b_low, b_high = lower[1], lower[1] + 1.0
    # The profile is sharp in B (A ~ exp(B r)): a fine grid, evaluated at once.
    grid = np.geomspace if b_low > 0 else np.linspace
    b_grid = grid(b_low, b_high, 2000)
    costs = _unconstrained_profile(b_grid, r, energies, sqrt_w)
    if not np.any(np.isfinite(costs)):
        return [float(np.clip(1.0, lower[0], upper[0])), float(b_grid[0]), 0.0]
    # Refine the three lowest local minima of the grid between their neighbours (a
    # 1-D bounded search each, within the bounds on A and C) and keep the best.
    interior = np.r_[True, costs[1:] <= costs[:-1]] & np.r_[costs[:-1] <= costs[1:], True]
    candidates = np.flatnonzero(interior & np.isfinite(costs))
    best_cost, best = np.inf, None
    for i in candidates[np.argsort(costs[candidates])][:3]:
        if not np.isfinite(costs[i]):
            continue
        lo, hi = b_grid[max(i - 1, 0)], b_grid[min(i + 1, b_grid.size - 1)]
        found = minimize_scalar(lambda b: profile(b)[0], bounds=(lo, hi), method="bounded",
                                options={"xatol": 1e-10 * hi})  # fmt: skip
        for b in (found.x, b_grid[i]):
            cost, triple = profile(b)
            if cost < best_cost:
                best_cost, best = cost, triple
    return [float(v) for v in best]


def _unconstrained_profile(b_grid, r, energies, sqrt_w):
    """Least-squares cost of the best (A, C) for every decay rate of ``b_grid``.

    The 2x2 normal equations of ``E = A exp(-B r) - C r^-6`` are solved in closed
    form for all B at once, with both columns normalised.
    """
    with np.errstate(all="ignore"):
        u = np.exp(-np.outer(r, b_grid)) * sqrt_w[:, None]  # (n, n_b)
        v = -(r**-6.0) * sqrt_w
        y = energies * sqrt_w
        u_norm = np.linalg.norm(u, axis=0)
        u = u / u_norm
        v = v / np.linalg.norm(v)
        rho = v @ u  # correlation of the two columns, per B
        uy, vy = y @ u, y @ v
        det = 1.0 - rho**2
        explained = (uy**2 + vy**2 - 2 * rho * uy * vy) / det
        costs = 0.5 * (y @ y - explained)
    return np.where(np.isfinite(costs) & (det > 1e-12) & (u_norm > 0), costs, np.inf)


def morse_guess(r, energies, sample_weight):
    """Starting (De, a, re) for the Morse potential from the well in the data.

    ``re`` is the distance of the lowest energy, ``De`` its depth below zero (the
    separated atoms), and ``a`` follows from the curvature there,
    ``E''(re) = 2 De a^2``, taken from a weighted parabola through the lowest
    points.

    Parameters
    ----------
    r : ndarray of shape (n_samples,)
        Distances, Å.
    energies : ndarray of shape (n_samples,)
        Energies, eV (zero for separated atoms).
    sample_weight : ndarray of shape (n_samples,)
        Relative weights.

    Returns
    -------
    p0 : list of float
        ``[De (eV), a (1/Å), re (Å)]``.
    """
    keep = sample_weight > 0
    r, energies, sample_weight = r[keep], energies[keep], sample_weight[keep]
    lowest = int(np.argmin(energies))
    re = float(r[lowest])
    depth = float(-energies[lowest]) if energies[lowest] < 0 else float(np.ptp(energies)) or 1.0
    near = np.argsort(np.abs(r - re), kind="stable")[: max(3, r.size // 3)]
    curvature = 0.0
    if np.unique(r[near]).size >= 3:
        centre, scale = r[near].mean(), np.ptp(r[near])
        t = (r[near] - centre) / scale
        design = np.column_stack([t**2, t, np.ones_like(t)]) * np.sqrt(sample_weight[near])[:, None]
        coef, *_ = np.linalg.lstsq(design, energies[near] * np.sqrt(sample_weight[near]))
        curvature = 2 * coef[0] / scale**2
    a = np.sqrt(curvature / (2 * depth)) if curvature > 0 else 2.0 / re
    return [depth, float(a), re]


def lennard_jones_guess(r, energies, sample_weight):
    """Starting (epsilon, sigma) for Lennard-Jones by linear least squares.

    ``E = A r^-12 - B r^-6`` is linear in ``A = 4 epsilon sigma^12`` and
    ``B = 4 epsilon sigma^6``; solving for them gives ``sigma = (A / B)^(1/6)`` and
    ``epsilon = B^2 / (4 A)`` (exact for noise-free data). When A or B is not
    positive, the well in the data gives ``epsilon`` and ``sigma`` instead.

    Parameters
    ----------
    r : ndarray of shape (n_samples,)
        Distances, Å.
    energies : ndarray of shape (n_samples,)
        Energies, eV.
    sample_weight : ndarray of shape (n_samples,)
        Relative weights.

    Returns
    -------
    p0 : list of float
        ``[epsilon (eV), sigma (Å)]``.
    """
    sqrt_w = np.sqrt(sample_weight)
    scale = np.median(r)  # work in r / scale: r^-12 spans many decades otherwise
    x = r / scale
    design = np.column_stack([x**-12.0, -(x**-6.0)]) * sqrt_w[:, None]
    (a, b), *_ = np.linalg.lstsq(design, energies * sqrt_w)
    if a > 0 and b > 0:
        return [float(b**2 / (4 * a)), float(scale * (a / b) ** (1 / 6))]
    lowest = int(np.argmin(np.where(sample_weight > 0, energies, np.inf)))
    depth = -energies[lowest] if energies[lowest] < 0 else np.ptp(energies) or 1.0
    return [float(depth), float(r[lowest] / 2 ** (1 / 6))]


_PAIR_DOC = """{title}

    ``{formula}``
    (see :func:`skphys.functions.{function}`). X holds interatomic distances
    (n_samples, 1) in Å, y the pair energies in eV.

    Parameters
    ----------
    p0 : array-like of shape ({n},), default=None
        Starting ``[{params}]``. ``None`` takes them from the
        data: {guess}
    bounds : tuple of (lower, upper), default=None
        Bounds on ``[{names}]``{bounds_note}
{solver_parameters}

    Attributes
    ----------
{attributes}
{fit_attributes}

    Warns
    -----
    UserWarning
        When the fitted minimum (where the form has one) lies outside the data, one
        energy lies more than 10 robust standard deviations off the fitted curve,
        a parameter's standard error exceeds its value, or the parameters are
        unphysical (negative).

    Examples
    --------
    >>> import numpy as np
    >>> from skphys import {name}
    >>> from skphys.functions import {function}
    >>> r = np.linspace(1.5, 4.0, 20).reshape(-1, 1)
    >>> E = {function}(r[:, 0], {example_params})
    >>> {name}().fit(r, E).params_.round(6).tolist()
    [{example_params}]
    """


def _pair_doc(cls_name, function, title, formula, params, guess, example, bounds_note="."):
    """Docstring of a pair-potential regressor from its parameters.

    ``params`` is a list of ``(name, attribute description, unit)``.
    """
    names = [name for name, _, _ in params]
    attributes = "\n".join(
        f"    {name.lower()}_ : float\n        {text}, {unit}." for name, text, unit in params
    )
    return _PAIR_DOC.format(
        title=title,
        formula=formula,
        function=function.__name__,
        n=len(params),
        params=", ".join(f"{name} ({unit})" for name, _, unit in params),
        names=", ".join(names),
        guess=guess,
        bounds_note=bounds_note,
        attributes=attributes,
        solver_parameters=SOLVER_PARAMETERS_DOC,
        fit_attributes=fit_attributes_doc(
            names, [f"{name.lower()}_" for name in names], "distance"
        ),
        name=cls_name,
        example_params=example,
    )


class BuckinghamRegressor(BasePhysicalRegressor):
    __doc__ = _pair_doc(
        "BuckinghamRegressor",
        buckingham,
        "Buckingham pair potential fitted to E(r) data.",
        "E(r) = A exp(-B r) - C / r^6",
        [("A", "Repulsion prefactor", "eV"), ("B", "Repulsion decay rate", "1/Å"),
         ("C", "Dispersion coefficient", "eV Å^6")],
        "for each decay rate on a grid, A and C by linear least squares (variable "
        "projection), and the best triple.",
        "500.0, 3.0, 20.0",
        bounds_note=". To keep the physical signs (A, B, C >= 0) use "
        "``bounds=(0, np.inf)`` with ``solver='trf'``.",
    )  # fmt: skip
    _function = buckingham
    _names = ("A", "B", "C")
    _param_units = ("eV", "1/Å", "eV Å^6")
    _feature_meaning = "distances in Å"

    def _initial_guess(self, X, y, sample_weight):
        return buckingham_guess(X[:, 0], y, sample_weight, self._validated_bounds(3))

    def _plausible(self, params):
        return params[0] > 0 and params[1] > 0 and params[2] >= 0


class MorseRegressor(BasePhysicalRegressor):
    __doc__ = _pair_doc(
        "MorseRegressor",
        morse,
        "Morse pair potential fitted to E(r) data.",
        "E(r) = De ((1 - exp(-a (r - re)))^2 - 1)",
        [("De", "Well depth", "eV"), ("a", "Width parameter", "1/Å"),
         ("re", "Equilibrium distance", "Å")],
        "re and De from the lowest energy, a from the curvature there.",
        "0.5, 1.5, 2.2",
    )  # fmt: skip
    _function = morse
    _names = ("De", "a", "re")
    _param_units = ("eV", "1/Å", "Å")
    _feature_meaning = "distances in Å"

    def _initial_guess(self, X, y, sample_weight):
        return morse_guess(X[:, 0], y, sample_weight)

    def _minimum_location(self):
        return self.re_

    def _plausible(self, params):
        return bool(np.all(params > 0))


class LennardJonesRegressor(BasePhysicalRegressor):
    __doc__ = _pair_doc(
        "LennardJonesRegressor",
        lennard_jones,
        "Lennard-Jones 12-6 pair potential fitted to E(r) data.",
        "E(r) = 4 epsilon ((sigma / r)^12 - (sigma / r)^6)",
        [("epsilon", "Well depth", "eV"), ("sigma", "Distance of zero energy", "Å")],
        "linear least squares in 4 epsilon sigma^12 and 4 epsilon sigma^6.",
        "0.01, 2.5",
    )  # fmt: skip
    _function = lennard_jones
    _names = ("epsilon", "sigma")
    _param_units = ("eV", "Å")
    _feature_meaning = "distances in Å"

    def _initial_guess(self, X, y, sample_weight):
        return lennard_jones_guess(X[:, 0], y, sample_weight)

    def _minimum_location(self):
        return 2 ** (1 / 6) * self.sigma_

    def _plausible(self, params):
        return bool(np.all(params > 0))
