"""The Born-Mayer repulsion E(r) = A exp(-r / rho): declaration and regressor."""

import numpy as np

from .._estimators._physical import BasePhysicalRegressor, PhysicalModel, between
from ..functions import born_mayer


def born_mayer_guess(r, energies, sample_weight, bounds=None):
    """Starting (A, rho) from a weighted straight line through log E against r.

    Parameters
    ----------
    r : ndarray of shape (n_samples,)
        Distances, Å.
    energies : ndarray of shape (n_samples,)
        Energies, eV; only the positive ones enter the line.
    sample_weight : ndarray of shape (n_samples,)
        Relative weights.
    bounds : tuple of two ndarray, default=None
        Not used: the regressor clips the start to the bounds.

    Returns
    -------
    p0 : list of float
        ``[A (eV), rho (Å)]``.
    """
    keep = (energies > 0) & (sample_weight > 0)
    if np.unique(r[keep]).size >= 2:
        weights = np.sqrt(sample_weight[keep])
        slope, intercept = np.polyfit(r[keep], np.log(energies[keep]), 1, w=weights)
        if slope < 0:
            return [float(np.exp(intercept)), float(-1.0 / slope)]
    return [float(np.max(np.abs(energies))) * np.exp(np.min(r) / 0.3), 0.3]


def _random_case(u):
    """A wall of 0.01-10 eV over the drawn distances, A from 100 to 1e5 eV."""
    params = [between(u[0], 1e2, 1e5, log=True), between(u[1], 0.2, 0.5)]
    r_top = params[1] * np.log(params[0] / between(u[4], 1.0, 10.0))  # E = 1-10 eV here
    return params, r_top, params[1] * np.log(params[0] / between(u[5], 0.01, 0.1))


BORN_MAYER = PhysicalModel(
    function=born_mayer,
    units={"A": "eV", "rho": "Å"},
    x_name="distance",
    x_unit="Å",
    guess=born_mayer_guess,
    plausible=lambda params: bool(params[0] > 0 and params[1] > 0),
    example=((1000.0, 0.3), (1.5, 3.0)),
    random_case=_random_case,
)


class BornMayerRegressor(BasePhysicalRegressor):
    """Born-Mayer repulsion fitted to E(r) data.

    ``E(r) = A exp(-r / rho)``
    (see :func:`skphys.functions.born_mayer`). X holds interatomic distances
    (n_samples, 1) in Å, y the pair energies in eV.

    Parameters
    ----------
    p0 : array-like of shape (2,), default=None
        Starting ``[A (eV), rho (Å)]``. ``None`` takes them from the data: a
        weighted straight line through log E against r.
    bounds : tuple of (lower, upper), default=None
        Bounds on ``[A, rho]`` for the 'trf', 'lbfgs' and 'adam' solvers.
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
        Prefactor, eV.
    rho_ : float
        Decay length, Å.
    params_ : ndarray of shape (2,)
        ``[a_, rho_]``.
    param_names_ : tuple of str
        ``('A', 'rho')``.
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
        When the parameters are unphysical (not positive).

    Examples
    --------
    >>> import numpy as np
    >>> from skphys import BornMayerRegressor
    >>> from skphys.functions import born_mayer
    >>> r = np.linspace(1.5, 3.0, 20).reshape(-1, 1)
    >>> E = born_mayer(r[:, 0], 1000.0, 0.3)
    >>> BornMayerRegressor().fit(r, E).params_.round(6).tolist()
    [1000.0, 0.3]
    """

    physical_model = BORN_MAYER
