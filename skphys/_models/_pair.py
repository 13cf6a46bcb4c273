"""Pair potentials E(r): their declarations and regressors.

Each form is its pure function of :mod:`skphys.functions`, a data-driven start and
a :class:`~skphys._estimators._physical.PhysicalModel`; its regressor is a class
that names the declaration. X holds interatomic distances (n_samples, 1) in Å, y
the pair energies in eV (zero for separated atoms).
"""

import numpy as np
from scipy.optimize import lsq_linear, minimize_scalar

from .._estimators._physical import BasePhysicalRegressor, PhysicalModel, between
from ..functions import buckingham, lennard_jones, morse


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


def morse_guess(r, energies, sample_weight, bounds=None):
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
    bounds : tuple of two ndarray, default=None
        Not used: the regressor clips the start to the bounds.

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
        target = energies[near] * np.sqrt(sample_weight[near])
        coef, *_ = np.linalg.lstsq(design, target, rcond=None)
        curvature = 2 * coef[0] / scale**2
    a = np.sqrt(curvature / (2 * depth)) if curvature > 0 else 2.0 / re
    return [depth, float(a), re]


def lennard_jones_guess(r, energies, sample_weight, bounds=None):
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
    bounds : tuple of two ndarray, default=None
        Not used: the regressor clips the start to the bounds.

    Returns
    -------
    p0 : list of float
        ``[epsilon (eV), sigma (Å)]``.
    """
    sqrt_w = np.sqrt(sample_weight)
    scale = np.median(r)  # work in r / scale: r^-12 spans many decades otherwise
    x = r / scale
    design = np.column_stack([x**-12.0, -(x**-6.0)]) * sqrt_w[:, None]
    (a, b), *_ = np.linalg.lstsq(design, energies * sqrt_w, rcond=None)
    if a > 0 and b > 0:
        return [float(b**2 / (4 * a)), float(scale * (a / b) ** (1 / 6))]
    lowest = int(np.argmin(np.where(sample_weight > 0, energies, np.inf)))
    depth = -energies[lowest] if energies[lowest] < 0 else np.ptp(energies) or 1.0
    return [float(depth), float(r[lowest] / 2 ** (1 / 6))]


def _buckingham_random_case(u):
    """A Buckingham well: depth D (eV) at r_m (Å) with B r_m = k > 7 (beyond the
    barrier top at 7 / B: a true minimum), and distances around the well."""
    depth = between(u[0], 0.05, 5.0, log=True)
    r_m = between(u[1], 2.0, 4.0)
    k = between(u[2], 8.0, 14.0)
    a = depth * np.exp(k) / (k / 6.0 - 1.0)  # E(r_m) = A exp(-k) (1 - k / 6) = -D
    c = a * k * r_m**6 * np.exp(-k) / 6.0  # dE/dr = 0 at r_m
    return [a, k / r_m, c], r_m * (0.85 + 0.1 * u[4]), r_m * (1.5 + 1.0 * u[5])


BUCKINGHAM = PhysicalModel(
    function=buckingham,
    units={"A": "eV", "B": "1/Å", "C": "eV Å^6"},
    x_name="distance",
    x_unit="Å",
    guess=buckingham_guess,
    plausible=lambda params: bool(params[0] > 0 and params[1] > 0 and params[2] >= 0),
    example=((500.0, 3.0, 20.0), (1.6, 4.0)),
    random_case=_buckingham_random_case,
)


def _morse_random_case(u):
    params = [
        between(u[0], 0.05, 5.0, log=True),  # De, eV
        between(u[1], 0.7, 3.0),  # a, 1/Å
        between(u[2], 1.0, 4.0),  # re, Å
    ]
    return params, params[2] * (0.8 + 0.1 * u[4]), params[2] * (1.5 + 1.0 * u[5])


MORSE = PhysicalModel(
    function=morse,
    units={"De": "eV", "a": "1/Å", "re": "Å"},
    x_name="distance",
    x_unit="Å",
    guess=morse_guess,
    plausible=lambda params: bool(np.all(np.asarray(params) > 0)),
    minimum=lambda params: params[2],
    example=((2.0, 1.4, 2.2), (1.6, 4.0)),
    random_case=_morse_random_case,
)


def _lennard_jones_random_case(u):
    params = [
        # epsilon, eV: from argon (0.01) up; shallower wells drown in 1 meV noise
        between(u[0], 0.01, 1.0, log=True),
        between(u[1], 2.0, 4.0),  # sigma, Å
    ]
    r_min = 2 ** (1 / 6) * params[1]
    return params, r_min * (0.88 + 0.08 * u[4]), r_min * (1.5 + 1.0 * u[5])


LENNARD_JONES = PhysicalModel(
    function=lennard_jones,
    units={"epsilon": "eV", "sigma": "Å"},
    x_name="distance",
    x_unit="Å",
    guess=lennard_jones_guess,
    plausible=lambda params: bool(np.all(np.asarray(params) > 0)),
    minimum=lambda params: 2 ** (1 / 6) * params[1],
    example=((0.5, 2.5), (2.3, 6.0)),
    random_case=_lennard_jones_random_case,
)


class BuckinghamRegressor(BasePhysicalRegressor):
    """Buckingham pair potential fitted to E(r) data.

    ``E(r) = A exp(-B r) - C / r^6``
    (see :func:`skphys.functions.buckingham`). X holds interatomic distances
    (n_samples, 1) in Å, y the pair energies in eV.

    Parameters
    ----------
    p0 : array-like of shape (3,), default=None
        Starting ``[A (eV), B (1/Å), C (eV Å^6)]``. ``None`` takes them from the
        data: for each decay rate on a grid, A and C by linear least squares
        (variable projection), and the best triple.
    bounds : tuple of (lower, upper), default=None
        Bounds on ``[A, B, C]``. To keep the physical signs (A, B, C >= 0) use
        ``bounds=(0, np.inf)`` with ``solver='trf'``.
    solver : {'lm', 'trf', 'lbfgs', 'adam'}, default='lm'
        Solver of the shared fitting core (see :class:`ParametricRegressor`).
    max_iter : int, default=1000
        Most iterations: Jacobians ('lm', 'trf'), iterations ('lbfgs') or steps
        ('adam').
    tol : float, default=1e-8
        Relative tolerance (0 asks for machine precision); for 'adam', the mean
        squared residual (eV^2) at which to stop.
    learning_rate : float, default=1e-3
        Adam's step size, in the units of the parameters.
    callback : callable, default=None
        ``callback(params, iteration, loss)`` after each iteration.
    verbose : int, default=0
        Print the loss at every iteration when positive.
    gradient_weight : 'auto' or float, default='auto'
        Weight of a squared residual of ``y_grad`` relative to a squared residual
        of y, in units of X squared (Å^2): ``sigma_y^2 / sigma_grad^2``. Used
        only when ``fit`` is given ``y_grad``. 'auto' estimates the residual
        variance of each from the fit and refits until the weight they imply
        settles, starting from the variance of X.

    Attributes
    ----------
    a_ : float
        Repulsion prefactor, eV.
    b_ : float
        Repulsion decay rate, 1/Å.
    c_ : float
        Dispersion coefficient, eV Å^6.
    params_ : ndarray of shape (3,)
        ``[a_, b_, c_]``.
    param_names_ : tuple of str
        ``('A', 'B', 'C')``.
    pcov_ : ndarray of shape (3, 3)
        Covariance of ``params_``.
    pcov_factor_ : ndarray of shape (3, k)
        ``L`` with ``pcov_ = L @ L.T``; prediction uncertainties use it.
    perr_ : ndarray of shape (3,)
        Standard errors of ``params_``.
    residual_variance_ : float
        Variance of one energy about the fit, eV^2.
    gradient_weight_ : float or None
        The weight of the derivatives in the last fit, units of X squared;
        ``None`` when it had no ``y_grad``.
    gradient_variance_ : float or None
        Residual variance of a derivative, ``residual_variance_ /
        gradient_weight_``, (eV/Å)^2; ``None`` without ``y_grad``.
    dof_ : int
        Degrees of freedom, samples minus 3.
    lack_of_fit_ : LackOfFit
        The test of the residuals for lack of fit (see
        :class:`~skphys.exceptions.LackOfFitWarning`): ``pvalue`` of the
        Durbin-Watson test along X, NaN when not tested (fewer than 8 energies,
        a fit with ``y_grad``, or residuals at the level of rounding errors),
        ``structured`` (``pvalue`` below 0.01), ``n_runs`` and ``expected_runs`` of
        the signs of the residuals, ``rms`` (eV) and ``relative_rms`` (over the
        standard deviation of the energies).
    n_iter_ : int
        Iterations the solver took.
    loss_ : float
        Final mean squared residual over the samples of non-zero weight, eV^2.
    loss_curve_ : list of float
        Mean squared residual at the start and after every iteration, eV^2.
    converged_ : bool
        Whether the solver's convergence test was met.
    fit_status_ : str
        Why the fit stopped: 'converged', 'callback', 'max_iter',
        'max_evaluations', 'line_search', 'stalled' or 'diverged'.
    fit_message_ : str
        The same in words, with the test or limit that stopped it.
    jacobian_method_ : str
        The Jacobian method used: 'closed_form' (the form's partial derivatives,
        written out) for the forms of :mod:`skphys.functions`.
    n_features_in_ : int
        Number of features seen in fit (1).
    feature_names_in_ : ndarray of shape (1,)
        Name of the distance column, when X had string column names.

    Warns
    -----
    ~skphys.exceptions.ExtrapolatedMinimumWarning
        When the fitted minimum (where the form has one) lies outside the data.
    ~skphys.exceptions.LackOfFitWarning
        When the residuals are structured along X (Durbin-Watson test at the
        1 % level): the intervals assume independent noise and understate the
        uncertainty.
    ~skphys.exceptions.OutlierWarning
        When one energy lies more than 10 robust standard deviations off the
        fitted curve.
    ~skphys.exceptions.UndeterminedParameterWarning
        When a parameter's standard error exceeds its value.
    ~skphys.exceptions.UnphysicalParametersWarning
        When the parameters are unphysical (negative).

    Examples
    --------
    >>> import numpy as np
    >>> from skphys import BuckinghamRegressor
    >>> from skphys.functions import buckingham
    >>> r = np.linspace(1.5, 4.0, 20).reshape(-1, 1)
    >>> E = buckingham(r[:, 0], 500.0, 3.0, 20.0)
    >>> BuckinghamRegressor().fit(r, E).params_.round(6).tolist()
    [500.0, 3.0, 20.0]
    """

    physical_model = BUCKINGHAM


class MorseRegressor(BasePhysicalRegressor):
    """Morse pair potential fitted to E(r) data.

    ``E(r) = De ((1 - exp(-a (r - re)))^2 - 1)``
    (see :func:`skphys.functions.morse`). X holds interatomic distances
    (n_samples, 1) in Å, y the pair energies in eV.

    Parameters
    ----------
    p0 : array-like of shape (3,), default=None
        Starting ``[De (eV), a (1/Å), re (Å)]``. ``None`` takes them from the
        data: re and De from the lowest energy, a from the curvature there.
    bounds : tuple of (lower, upper), default=None
        Bounds on ``[De, a, re]``.
    solver : {'lm', 'trf', 'lbfgs', 'adam'}, default='lm'
        Solver of the shared fitting core (see :class:`ParametricRegressor`).
    max_iter : int, default=1000
        Most iterations: Jacobians ('lm', 'trf'), iterations ('lbfgs') or steps
        ('adam').
    tol : float, default=1e-8
        Relative tolerance (0 asks for machine precision); for 'adam', the mean
        squared residual (eV^2) at which to stop.
    learning_rate : float, default=1e-3
        Adam's step size, in the units of the parameters.
    callback : callable, default=None
        ``callback(params, iteration, loss)`` after each iteration.
    verbose : int, default=0
        Print the loss at every iteration when positive.
    gradient_weight : 'auto' or float, default='auto'
        Weight of a squared residual of ``y_grad`` relative to a squared residual
        of y, in units of X squared (Å^2): ``sigma_y^2 / sigma_grad^2``. Used
        only when ``fit`` is given ``y_grad``. 'auto' estimates the residual
        variance of each from the fit and refits until the weight they imply
        settles, starting from the variance of X.

    Attributes
    ----------
    de_ : float
        Well depth, eV.
    a_ : float
        Width parameter, 1/Å.
    re_ : float
        Equilibrium distance, Å.
    params_ : ndarray of shape (3,)
        ``[de_, a_, re_]``.
    param_names_ : tuple of str
        ``('De', 'a', 're')``.
    pcov_ : ndarray of shape (3, 3)
        Covariance of ``params_``.
    pcov_factor_ : ndarray of shape (3, k)
        ``L`` with ``pcov_ = L @ L.T``; prediction uncertainties use it.
    perr_ : ndarray of shape (3,)
        Standard errors of ``params_``.
    residual_variance_ : float
        Variance of one energy about the fit, eV^2.
    gradient_weight_ : float or None
        The weight of the derivatives in the last fit, units of X squared;
        ``None`` when it had no ``y_grad``.
    gradient_variance_ : float or None
        Residual variance of a derivative, ``residual_variance_ /
        gradient_weight_``, (eV/Å)^2; ``None`` without ``y_grad``.
    dof_ : int
        Degrees of freedom, samples minus 3.
    lack_of_fit_ : LackOfFit
        The test of the residuals for lack of fit (see
        :class:`~skphys.exceptions.LackOfFitWarning`): ``pvalue`` of the
        Durbin-Watson test along X, NaN when not tested (fewer than 8 energies,
        a fit with ``y_grad``, or residuals at the level of rounding errors),
        ``structured`` (``pvalue`` below 0.01), ``n_runs`` and ``expected_runs`` of
        the signs of the residuals, ``rms`` (eV) and ``relative_rms`` (over the
        standard deviation of the energies).
    n_iter_ : int
        Iterations the solver took.
    loss_ : float
        Final mean squared residual over the samples of non-zero weight, eV^2.
    loss_curve_ : list of float
        Mean squared residual at the start and after every iteration, eV^2.
    converged_ : bool
        Whether the solver's convergence test was met.
    fit_status_ : str
        Why the fit stopped: 'converged', 'callback', 'max_iter',
        'max_evaluations', 'line_search', 'stalled' or 'diverged'.
    fit_message_ : str
        The same in words, with the test or limit that stopped it.
    jacobian_method_ : str
        The Jacobian method used: 'closed_form' (the form's partial derivatives,
        written out) for the forms of :mod:`skphys.functions`.
    n_features_in_ : int
        Number of features seen in fit (1).
    feature_names_in_ : ndarray of shape (1,)
        Name of the distance column, when X had string column names.

    Warns
    -----
    ~skphys.exceptions.ExtrapolatedMinimumWarning
        When the fitted minimum (where the form has one) lies outside the data.
    ~skphys.exceptions.LackOfFitWarning
        When the residuals are structured along X (Durbin-Watson test at the
        1 % level): the intervals assume independent noise and understate the
        uncertainty.
    ~skphys.exceptions.OutlierWarning
        When one energy lies more than 10 robust standard deviations off the
        fitted curve.
    ~skphys.exceptions.UndeterminedParameterWarning
        When a parameter's standard error exceeds its value.
    ~skphys.exceptions.UnphysicalParametersWarning
        When the parameters are unphysical (negative).

    Examples
    --------
    >>> import numpy as np
    >>> from skphys import MorseRegressor
    >>> from skphys.functions import morse
    >>> r = np.linspace(1.5, 4.0, 20).reshape(-1, 1)
    >>> E = morse(r[:, 0], 0.5, 1.5, 2.2)
    >>> MorseRegressor().fit(r, E).params_.round(6).tolist()
    [0.5, 1.5, 2.2]
    """

    physical_model = MORSE


class LennardJonesRegressor(BasePhysicalRegressor):
    """Lennard-Jones 12-6 pair potential fitted to E(r) data.

    ``E(r) = 4 epsilon ((sigma / r)^12 - (sigma / r)^6)``
    (see :func:`skphys.functions.lennard_jones`). X holds interatomic distances
    (n_samples, 1) in Å, y the pair energies in eV.

    Parameters
    ----------
    p0 : array-like of shape (2,), default=None
        Starting ``[epsilon (eV), sigma (Å)]``. ``None`` takes them from the
        data: linear least squares in 4 epsilon sigma^12 and 4 epsilon sigma^6.
    bounds : tuple of (lower, upper), default=None
        Bounds on ``[epsilon, sigma]``.
    solver : {'lm', 'trf', 'lbfgs', 'adam'}, default='lm'
        Solver of the shared fitting core (see :class:`ParametricRegressor`).
    max_iter : int, default=1000
        Most iterations: Jacobians ('lm', 'trf'), iterations ('lbfgs') or steps
        ('adam').
    tol : float, default=1e-8
        Relative tolerance (0 asks for machine precision); for 'adam', the mean
        squared residual (eV^2) at which to stop.
    learning_rate : float, default=1e-3
        Adam's step size, in the units of the parameters.
    callback : callable, default=None
        ``callback(params, iteration, loss)`` after each iteration.
    verbose : int, default=0
        Print the loss at every iteration when positive.
    gradient_weight : 'auto' or float, default='auto'
        Weight of a squared residual of ``y_grad`` relative to a squared residual
        of y, in units of X squared (Å^2): ``sigma_y^2 / sigma_grad^2``. Used
        only when ``fit`` is given ``y_grad``. 'auto' estimates the residual
        variance of each from the fit and refits until the weight they imply
        settles, starting from the variance of X.

    Attributes
    ----------
    epsilon_ : float
        Well depth, eV.
    sigma_ : float
        Distance of zero energy, Å.
    params_ : ndarray of shape (2,)
        ``[epsilon_, sigma_]``.
    param_names_ : tuple of str
        ``('epsilon', 'sigma')``.
    pcov_ : ndarray of shape (2, 2)
        Covariance of ``params_``.
    pcov_factor_ : ndarray of shape (2, k)
        ``L`` with ``pcov_ = L @ L.T``; prediction uncertainties use it.
    perr_ : ndarray of shape (2,)
        Standard errors of ``params_``.
    residual_variance_ : float
        Variance of one energy about the fit, eV^2.
    gradient_weight_ : float or None
        The weight of the derivatives in the last fit, units of X squared;
        ``None`` when it had no ``y_grad``.
    gradient_variance_ : float or None
        Residual variance of a derivative, ``residual_variance_ /
        gradient_weight_``, (eV/Å)^2; ``None`` without ``y_grad``.
    dof_ : int
        Degrees of freedom, samples minus 2.
    lack_of_fit_ : LackOfFit
        The test of the residuals for lack of fit (see
        :class:`~skphys.exceptions.LackOfFitWarning`): ``pvalue`` of the
        Durbin-Watson test along X, NaN when not tested (fewer than 8 energies,
        a fit with ``y_grad``, or residuals at the level of rounding errors),
        ``structured`` (``pvalue`` below 0.01), ``n_runs`` and ``expected_runs`` of
        the signs of the residuals, ``rms`` (eV) and ``relative_rms`` (over the
        standard deviation of the energies).
    n_iter_ : int
        Iterations the solver took.
    loss_ : float
        Final mean squared residual over the samples of non-zero weight, eV^2.
    loss_curve_ : list of float
        Mean squared residual at the start and after every iteration, eV^2.
    converged_ : bool
        Whether the solver's convergence test was met.
    fit_status_ : str
        Why the fit stopped: 'converged', 'callback', 'max_iter',
        'max_evaluations', 'line_search', 'stalled' or 'diverged'.
    fit_message_ : str
        The same in words, with the test or limit that stopped it.
    jacobian_method_ : str
        The Jacobian method used: 'closed_form' (the form's partial derivatives,
        written out) for the forms of :mod:`skphys.functions`.
    n_features_in_ : int
        Number of features seen in fit (1).
    feature_names_in_ : ndarray of shape (1,)
        Name of the distance column, when X had string column names.

    Warns
    -----
    ~skphys.exceptions.ExtrapolatedMinimumWarning
        When the fitted minimum (where the form has one) lies outside the data.
    ~skphys.exceptions.LackOfFitWarning
        When the residuals are structured along X (Durbin-Watson test at the
        1 % level): the intervals assume independent noise and understate the
        uncertainty.
    ~skphys.exceptions.OutlierWarning
        When one energy lies more than 10 robust standard deviations off the
        fitted curve.
    ~skphys.exceptions.UndeterminedParameterWarning
        When a parameter's standard error exceeds its value.
    ~skphys.exceptions.UnphysicalParametersWarning
        When the parameters are unphysical (negative).

    Examples
    --------
    >>> import numpy as np
    >>> from skphys import LennardJonesRegressor
    >>> from skphys.functions import lennard_jones
    >>> r = np.linspace(1.5, 4.0, 20).reshape(-1, 1)
    >>> E = lennard_jones(r[:, 0], 0.01, 2.5)
    >>> LennardJonesRegressor().fit(r, E).params_.round(6).tolist()
    [0.01, 2.5]
    """

    physical_model = LENNARD_JONES
