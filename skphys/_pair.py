"""Pair potentials E(r) as scikit-learn regressors."""

import numpy as np
from scipy.optimize import lsq_linear

from ._parametric import BasePhysicalRegressor
from .functions import buckingham


def buckingham_guess(r, energies, sample_weight, bounds=None):
    """Starting (A, B, C) for the Buckingham potential by variable projection.

    For a fixed decay rate B the model is linear in A and C; a grid of B values is
    scanned, (A, C) solved by weighted linear least squares (within ``bounds`` if
    given), and the best triple returned.

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
    # Decay lengths from a tenth of the smallest distance to the largest distance.
    b_grid = np.geomspace(1.0 / max(r.max(), 1e-12), 10.0 / max(r.min(), 1e-12), 60)
    b_grid = b_grid[(b_grid >= lower[1]) & (b_grid <= upper[1])]
    if b_grid.size == 0:
        b_grid = np.array([np.clip(1.0 / r.mean(), lower[1], upper[1])])
    best, best_cost = None, np.inf
    for b in b_grid:
        with np.errstate(all="ignore"):
            design = np.column_stack([np.exp(-b * r), -(r**-6.0)]) * sqrt_w[:, None]
        if not np.all(np.isfinite(design)):
            continue
        sol = lsq_linear(design, sqrt_w * energies, bounds=(lower[[0, 2]], upper[[0, 2]]))
        if sol.cost < best_cost:
            best, best_cost = [sol.x[0], b, sol.x[1]], sol.cost
    if best is None:
        return [float(np.clip(1.0, lower[0], upper[0])), float(b_grid[0]), 0.0]
    return [float(v) for v in best]


class BuckinghamRegressor(BasePhysicalRegressor):
    """Buckingham pair potential ``E(r) = A exp(-B r) - C / r^6`` fitted to E(r) data.

    Parameters
    ----------
    p0 : array-like of shape (3,), default=None
        Starting ``[A (eV), B (1/Å), C (eV Å^6)]``. ``None`` takes them from the
        data by variable projection (for each decay rate on a grid, A and C by
        linear least squares).
    bounds : tuple of (lower, upper), default=None
        Bounds on ``[A, B, C]``. To keep the physical signs (A, B, C >= 0) use
        ``bounds=(0, np.inf)`` with ``solver='trf'``.
    solver : {'lm', 'trf', 'lbfgs', 'adam'}, default='lm'
        Solver of the shared fitting core (see :class:`ParametricRegressor`).
    max_iter : int, default=1000
        Residual evaluations ('lm', 'trf'), iterations ('lbfgs') or steps ('adam').
    tol : float, default=1e-8
        Relative tolerance; for 'adam', the mean squared residual (eV^2) at which
        to stop.
    learning_rate : float, default=1e-3
        Adam's step size, in the units of the parameters.
    callback : callable, default=None
        ``callback(params, iteration, loss)`` after each iteration.
    verbose : int, default=0
        Print the loss at every iteration when positive.

    Attributes
    ----------
    a_ : float
        Repulsion prefactor A, eV.
    b_ : float
        Repulsion decay rate B, 1/Å.
    c_ : float
        Dispersion coefficient C, eV Å^6.
    params_ : ndarray of shape (3,)
        ``[a_, b_, c_]``.
    param_names_ : tuple of str
        ``('A', 'B', 'C')``.
    pcov_ : ndarray of shape (3, 3)
        Covariance of ``params_``.
    perr_ : ndarray of shape (3,)
        Standard errors of ``params_``.
    residual_variance_ : float
        Variance of one energy about the fit, eV^2.
    dof_ : int
        Degrees of freedom, samples minus 3.
    n_iter_ : int
        Iterations the solver took.
    loss_ : float
        Final mean squared residual, eV^2.
    loss_curve_ : list of float
        Mean squared residual at every iteration, eV^2.
    jacobian_method_ : str
        The Jacobian method used.
    n_features_in_ : int
        Number of features seen in fit (1).
    feature_names_in_ : ndarray of shape (1,)
        Name of the distance column, when X had string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from skphys import BuckinghamRegressor
    >>> r = np.linspace(1.5, 4.0, 20).reshape(-1, 1)
    >>> E = 500.0 * np.exp(-3.0 * r[:, 0]) - 20.0 / r[:, 0] ** 6
    >>> BuckinghamRegressor().fit(r, E).params_.round(6)
    array([500.,   3.,  20.])
    """

    _function = buckingham
    _names = ("A", "B", "C")
    _param_units = ("eV", "1/Å", "eV Å^6")
    _feature_meaning = "distances in Å"

    def _initial_guess(self, X, y, sample_weight):
        return buckingham_guess(X[:, 0], y, sample_weight, self._validated_bounds(3))
