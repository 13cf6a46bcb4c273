"""Equations of state E(V): their declarations and regressors.

The forms share one declaration (:func:`eos_model`): the data-driven start
(a parabola, as :mod:`ase.eos`), the plausibility test, the further starts over BP,
the minimum at V0, the offset E0 and the bulk modulus in GPa. A form is its pure
function of :mod:`skphys.functions` with the signature ``f(V, E0, B0, BP, V0)``.
"""

import numpy as np
from ase.units import GPa
from autograd import elementwise_grad

from .._eos_pressure import inconsistent_pressures
from .._estimators._parametric import summary_row
from .._estimators._physical import BasePhysicalRegressor, PhysicalModel, between
from ..functions import birch_murnaghan, murnaghan, vinet


def parabola_guess(volumes, energies, sample_weight):
    """Starting (E0, B0, V0) from a parabola through the data, as :mod:`ase.eos` does.

    The parabola is fitted to the points nearest (in volume) to the lowest energy
    that carry half of the total weight, where E(V) is closest to quadratic; with
    fewer than ten points it is fitted to all of them.

    Parameters
    ----------
    volumes : ndarray of shape (n_samples,)
        Volumes, Å^3.
    energies : ndarray of shape (n_samples,)
        Energies, eV.
    sample_weight : ndarray of shape (n_samples,)
        Relative weights.

    Returns
    -------
    e0 : float
        Energy at the minimum, eV.
    b0 : float
        Bulk modulus ``V0 E''(V0)``, eV/Å^3 (positive).
    v0 : float
        Volume at the minimum, Å^3.
    """
    positive = sample_weight > 0
    volumes, energies, sample_weight = (a[positive] for a in (volumes, energies, sample_weight))
    if volumes.shape[0] >= 10:
        # The points nearest the lowest energy that carry half the total weight
        # (weights, not counts, so that repeating a sample equals doubling its weight).
        lowest = volumes[np.argmin(energies)]
        order = np.argsort(np.abs(volumes - lowest), kind="stable")
        cumulative = np.cumsum(sample_weight[order])
        near = order[: np.searchsorted(cumulative, 0.5 * cumulative[-1]) + 1]
        if distinct_counts(volumes[near][None])[0] >= 3:
            volumes, energies, sample_weight = volumes[near], energies[near], sample_weight[near]
    e0, b0, v0 = parabola_rows(volumes[None], energies[None], sample_weight[None])
    return float(e0[0]), float(b0[0]), float(v0[0])


def parabola_rows(volumes, energies, sample_weight):
    """:func:`parabola_guess` on all the points of many curves at once.

    Parameters
    ----------
    volumes, energies : ndarray of shape (n_curves, n_points)
        Volumes (Å^3) and energies (eV), padded.
    sample_weight : ndarray of shape (n_curves, n_points)
        Relative weights, 0 on padding.

    Returns
    -------
    e0, b0, v0 : ndarray of shape (n_curves,)
        Energy at the minimum (eV), bulk modulus (eV/Å^3, positive), volume at the
        minimum (Å^3).
    """
    present = sample_weight > 0
    w = np.where(present, sample_weight, 0.0)
    v_in = np.where(present, volumes, np.nan)
    e_in = np.where(present, energies, np.nan)
    v_min, v_max = np.nanmin(v_in, axis=1), np.nanmax(v_in, axis=1)
    span = v_max - v_min
    distinct = distinct_counts(volumes, present)
    fits = (span > 0) & (distinct >= 3)
    a = np.zeros(volumes.shape[0])
    b = np.zeros(volumes.shape[0])
    c = np.zeros(volumes.shape[0])
    if fits.any():
        # Weighted least-squares parabola in centred, scaled volumes: |t| <= 1, so
        # the 3 x 3 normal equations are well conditioned (and a start needs no
        # more than a few digits).
        centre = np.nanmean(v_in[fits], axis=1)
        scale = span[fits]
        t = np.where(present[fits], (volumes[fits] - centre[:, None]) / scale[:, None], 0.0)
        wf, ef = w[fits], np.where(present[fits], energies[fits], 0.0)
        power = [np.sum(wf * t**k, axis=1) for k in range(5)]
        normal = np.stack([
            np.stack([power[4], power[3], power[2]], axis=-1),
            np.stack([power[3], power[2], power[1]], axis=-1),
            np.stack([power[2], power[1], power[0]], axis=-1),
        ], axis=1)  # fmt: skip
        rhs = np.stack([np.sum(wf * t**k * ef, axis=1) for k in (2, 1, 0)], axis=-1)
        a_t, b_t, c_t = np.linalg.solve(normal, rhs[..., None])[..., 0].T
        # back to E = a V^2 + b V + c
        a[fits] = a_t / scale**2
        b[fits] = b_t / scale - 2 * a[fits] * centre
        c[fits] = c_t - b_t * centre / scale + a_t * centre**2 / scale**2
    with np.errstate(divide="ignore", invalid="ignore"):
        v0 = -b / (2 * a)
        usable = (a > 0) & (np.abs(v0 - np.nanmedian(v_in, axis=1)) <= 2 * span)
        e0 = c - b**2 / (4 * a)
    # No usable minimum in the parabola: start at the lowest point with a stiffness
    # of the order the data shows.
    lowest = np.nanargmin(np.where(present, energies, np.inf), axis=1)
    rows = np.arange(volumes.shape[0])
    v_low, e_low = volumes[rows, lowest], energies[rows, lowest]
    e_span = np.nanmax(e_in, axis=1) - np.nanmin(e_in, axis=1)
    curvature = np.where(
        a != 0, np.abs(a), e_span / np.maximum(span, v_low * 0.01) ** 2 + 1e-12
    )
    return (
        np.where(usable, e0, e_low),
        np.where(usable, 2 * a * v0, 2 * curvature * v_low),
        np.where(usable, v0, v_low),
    )


def distinct_counts(values, present=None):
    """How many different values each row of ``values`` holds.

    Parameters
    ----------
    values : ndarray of shape (n_rows, n)
        Values, padded.
    present : ndarray of shape (n_rows, n) of bool, default=None
        Which entries count (``None``: all).

    Returns
    -------
    counts : ndarray of shape (n_rows,) of int
    """
    if present is not None:
        values = np.where(present, values, np.nan)  # NaN sorts last
    steps = np.diff(np.sort(values, axis=1), axis=1)
    return np.count_nonzero(np.isfinite(steps) & (steps > 0), axis=1) + 1


def _eos_guess(volumes, energies, sample_weight, bounds):
    e0, b0, v0 = parabola_guess(volumes, energies, sample_weight)
    return [e0, b0, 4.0, v0]


def _eos_plausible(params):
    # a positive bulk modulus with a positive pressure derivative below 20
    # (real solids: 3-7; EMT aluminium: 0.3-0.8); elementwise, so that
    # ``params`` may hold a row per parameter for many curves
    b0, bp = np.asarray(params[1]), np.asarray(params[2])
    return (b0 > 0) & (bp > 0) & (bp < 20)


def _eos_other_starts(p0):
    # BP is the parameter the data determine least: start from other values
    # (``p0`` may hold a row per parameter for many curves)
    return [[p0[0], p0[1], np.full_like(np.asarray(p0[2], float), bp), p0[3]]
            for bp in (2.0, 3.0, 5.0, 7.0)]  # fmt: skip


def _eos_derived(params, perr):
    return {"bulk_modulus_gpa_": params[1] / GPa, "bulk_modulus_gpa_err_": perr[1] / GPa}


def _eos_random_case(u):
    """Parameters over physically wide ranges and -10 % .. +10 % around V0 at most."""
    params = [
        -between(u[0], 1.0, 1000.0, log=True),  # E0: -1 to -1000 eV
        between(u[1], 10.0, 400.0, log=True) * GPa,  # B0: 10-400 GPa
        between(u[2], 3.0, 7.0),  # BP
        between(u[3], 10.0, 100.0, log=True),  # V0: 10-100 Å^3
    ]
    # each side 3-10 %, not always centred
    return params, params[3] * (1 - 0.03 - 0.07 * u[4]), params[3] * (1 + 0.03 + 0.07 * u[5])


def eos_model(function):
    """The declaration of an equation of state ``function(V, E0, B0, BP, V0)``.

    Parameters
    ----------
    function : callable
        The form, in eV for V in Å^3 and B0 in eV/Å^3.

    Returns
    -------
    model : PhysicalModel
        Its declaration, with the start, tests and attributes every equation of
        state shares.
    """
    return PhysicalModel(
        function=function,
        units={"E0": "eV", "B0": "eV/Å^3", "BP": "", "V0": "Å^3"},
        x_name="volume",
        x_unit="Å^3",
        guess=_eos_guess,
        plausible=_eos_plausible,
        other_starts=_eos_other_starts,
        minimum=lambda params: params[3],
        offset="E0",
        derived=_eos_derived,
        example=((-3.7, 0.85, 5.0, 16.5), (14.0, 19.0)),
        random_case=_eos_random_case,
    )


class BaseEOSRegressor(BasePhysicalRegressor):
    """Shared machinery of the equations of state E(V); not for direct use.

    A subclass sets ``physical_model = eos_model(f)`` for a form
    ``f(V, E0, B0, BP, V0)``; the declaration brings the data-driven start, the
    bulk modulus in GPa and the warnings, and this class the pressure by automatic
    differentiation.

    Parameters
    ----------
    p0 : array-like of shape (4,), default=None
        Starting ``[E0 (eV), B0 (eV/Å^3), BP, V0 (Å^3)]``; ``None`` takes them
        from a parabola through the data, with ``BP = 4``.
    bounds : tuple of (lower, upper), default=None
        Bounds on ``[E0, B0, BP, V0]`` for the 'trf', 'lbfgs' and 'adam' solvers.
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
        of y, in units of X squared (Å^6 for volumes in Å^3): ``sigma_y^2 / sigma_grad^2``. Used
        only when ``fit`` is given ``y_grad``. 'auto' estimates the residual
        variance of each from the fit and refits until the weight they imply
        settles, starting from the variance of X.
    """

    def _validate_fit_data(self, X, y, sample_weight, y_grad=None):
        X, y, sample_weight, y_grad = super()._validate_fit_data(X, y, sample_weight, y_grad)
        if y_grad is not None:
            # a pressure in the other sign convention or unit would be fitted into a
            # confident, wrong B0: refuse what the energies contradict
            observed = (sample_weight > 0)[None]
            message = inconsistent_pressures(
                X[:, 0][None], np.nan_to_num(y)[None], np.where(np.isnan(y), 0.0, observed),
                -np.nan_to_num(y_grad[:, 0])[None],
                np.where(np.isnan(y_grad[:, 0]), 0.0, observed),
            )[0]  # fmt: skip
            if message:
                raise ValueError(
                    f"{type(self).__name__}: y_grad must be dE/dV = -P (eV/Å^3); {message}"
                )
        return X, y, sample_weight, y_grad

    def summary(self, alpha=0.05):
        """A table of the fitted parameters, with B0 in GPa as well as eV/Å^3.

        Parameters
        ----------
        alpha : float, default=0.05
            One minus the coverage of the intervals.

        Returns
        -------
        table : str
            The table of :meth:`ParametricRegressor.summary`, with a line
            ``B0 [GPa]`` after the line of ``B0`` (eV/Å^3).
        """
        lines = super().summary(alpha).split("\n")
        i = self.param_names_.index("B0")
        interval = self.confidence_intervals(alpha)[i] / GPa
        row = summary_row("B0 [GPa]", self.params_[i] / GPa, self.perr_[i] / GPa, interval, "GPa")
        # the table's lines: title, header, rule, then one per parameter
        lines.insert(3 + i + 1, row)
        return "\n".join(lines)

    def pressure(self, X):
        """Pressure ``P = -dE/dV`` of the fitted equation of state.

        Computed by automatic differentiation of the fitted E(V).

        Parameters
        ----------
        X : array-like of shape (n_samples, 1)
            Volumes, Å^3.

        Returns
        -------
        pressure : ndarray of shape (n_samples,)
            Pressure, GPa.
        """
        X = self._validated_X(X)
        dE_dV = elementwise_grad(self.physical_model.function)(X[:, 0], *self.params_)
        return -np.asarray(dE_dV) / GPa


class MurnaghanRegressor(BaseEOSRegressor):
    """Murnaghan equation of state fitted to energy-volume data.

    ``E(V) = E0 + B0 V / BP ((V0 / V)^BP / (BP - 1) + 1) - V0 B0 / (BP - 1)``
    (see :func:`skphys.functions.murnaghan`).

    Parameters
    ----------
    p0 : array-like of shape (4,), default=None
        Starting ``[E0 (eV), B0 (eV/Å^3), BP, V0 (Å^3)]``. ``None`` takes them from a
        parabola through the data (as :mod:`ase.eos` does) with ``BP = 4``.
    bounds : tuple of (lower, upper), default=None
        Bounds on ``[E0, B0, BP, V0]`` for the 'trf', 'lbfgs' and 'adam' solvers.
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
        of y, in units of X squared (Å^6 for volumes in Å^3): ``sigma_y^2 / sigma_grad^2``. Used
        only when ``fit`` is given ``y_grad``. 'auto' estimates the residual
        variance of each from the fit and refits until the weight they imply
        settles, starting from the variance of X.

    Attributes
    ----------
    e0_ : float
        Energy at the minimum, eV.
    b0_ : float
        Bulk modulus at ``V0``, eV/Å^3.
    bp_ : float
        Pressure derivative of the bulk modulus, dimensionless.
    v0_ : float
        Equilibrium volume, Å^3.
    bulk_modulus_gpa_ : float
        ``b0_`` in GPa.
    bulk_modulus_gpa_err_ : float
        Standard error of ``bulk_modulus_gpa_``, GPa.
    params_ : ndarray of shape (4,)
        ``[e0_, b0_, bp_, v0_]``.
    param_names_ : tuple of str
        ``('E0', 'B0', 'BP', 'V0')``.
    pcov_ : ndarray of shape (4, 4)
        Covariance of ``params_``.
    pcov_factor_ : ndarray of shape (4, k)
        ``L`` with ``pcov_ = L @ L.T``; prediction uncertainties use it.
    perr_ : ndarray of shape (4,)
        Standard errors of ``params_``.
    residual_variance_ : float
        Variance of one energy about the fit, eV^2.
    gradient_weight_ : float or None
        The weight of the derivatives in the last fit, units of X squared;
        ``None`` when it had no ``y_grad``.
    gradient_variance_ : float or None
        Residual variance of a derivative, ``residual_variance_ /
        gradient_weight_``, (eV/Å^3)^2; ``None`` without ``y_grad``.
    dof_ : int
        Degrees of freedom, samples minus 4.
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
        Name of the volume column, when X had string column names.

    Warns
    -----
    ~skphys.exceptions.ExtrapolatedMinimumWarning
        When the fitted ``V0`` lies outside the volumes of the data (the minimum
        is extrapolated, as :mod:`ase.eos` warns).
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
        When the fit ends at unphysical values (B0 <= 0, BP outside 0-20) even
        after restarts.

    Examples
    --------
    >>> from skphys import MurnaghanRegressor
    >>> from skphys.datasets import load_murnaghan_example
    >>> X, y = load_murnaghan_example(return_X_y=True)
    >>> eos = MurnaghanRegressor().fit(X, y)
    >>> round(eos.v0_, 1), round(eos.bulk_modulus_gpa_, 2)
    (212.8, 0.6)
    """

    physical_model = eos_model(murnaghan)


class BirchMurnaghanRegressor(BaseEOSRegressor):
    """Third-order Birch-Murnaghan equation of state fitted to energy-volume data.

    ``E(V) = E0 + 9 B0 V0 / 16 (eta^2 - 1)^2 (6 + BP (eta^2 - 1) - 4 eta^2)``
    with ``eta = (V0 / V)^(1/3)``
    (see :func:`skphys.functions.birch_murnaghan`); ASE's 'birchmurnaghan' and
    'birch' (the same polynomial in ``eta^2 - 1``, written out).

    Parameters
    ----------
    p0 : array-like of shape (4,), default=None
        Starting ``[E0 (eV), B0 (eV/Å^3), BP, V0 (Å^3)]``. ``None`` takes them from a
        parabola through the data (as :mod:`ase.eos` does) with ``BP = 4``.
    bounds : tuple of (lower, upper), default=None
        Bounds on ``[E0, B0, BP, V0]`` for the 'trf', 'lbfgs' and 'adam' solvers.
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
        of y, in units of X squared (Å^6 for volumes in Å^3): ``sigma_y^2 / sigma_grad^2``. Used
        only when ``fit`` is given ``y_grad``. 'auto' estimates the residual
        variance of each from the fit and refits until the weight they imply
        settles, starting from the variance of X.

    Attributes
    ----------
    e0_ : float
        Energy at the minimum, eV.
    b0_ : float
        Bulk modulus at ``V0``, eV/Å^3.
    bp_ : float
        Pressure derivative of the bulk modulus, dimensionless.
    v0_ : float
        Equilibrium volume, Å^3.
    bulk_modulus_gpa_ : float
        ``b0_`` in GPa.
    bulk_modulus_gpa_err_ : float
        Standard error of ``bulk_modulus_gpa_``, GPa.
    params_ : ndarray of shape (4,)
        ``[e0_, b0_, bp_, v0_]``.
    param_names_ : tuple of str
        ``('E0', 'B0', 'BP', 'V0')``.
    pcov_ : ndarray of shape (4, 4)
        Covariance of ``params_``.
    pcov_factor_ : ndarray of shape (4, k)
        ``L`` with ``pcov_ = L @ L.T``; prediction uncertainties use it.
    perr_ : ndarray of shape (4,)
        Standard errors of ``params_``.
    residual_variance_ : float
        Variance of one energy about the fit, eV^2.
    gradient_weight_ : float or None
        The weight of the derivatives in the last fit, units of X squared;
        ``None`` when it had no ``y_grad``.
    gradient_variance_ : float or None
        Residual variance of a derivative, ``residual_variance_ /
        gradient_weight_``, (eV/Å^3)^2; ``None`` without ``y_grad``.
    dof_ : int
        Degrees of freedom, samples minus 4.
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
        Name of the volume column, when X had string column names.

    Warns
    -----
    ~skphys.exceptions.ExtrapolatedMinimumWarning
        When the fitted ``V0`` lies outside the volumes of the data (the minimum
        is extrapolated, as :mod:`ase.eos` warns).
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
        When the fit ends at unphysical values (B0 <= 0, BP outside 0-20) even
        after restarts.

    Examples
    --------
    >>> from skphys import BirchMurnaghanRegressor
    >>> from skphys.datasets import load_murnaghan_example
    >>> X, y = load_murnaghan_example(return_X_y=True)
    >>> eos = BirchMurnaghanRegressor().fit(X, y)
    >>> round(eos.v0_, 1), round(eos.bulk_modulus_gpa_, 2)
    (212.0, 0.63)
    """

    physical_model = eos_model(birch_murnaghan)


class VinetRegressor(BaseEOSRegressor):
    """Vinet equation of state fitted to energy-volume data.

    ``E(V) = E0 + 2 B0 V0 / (BP - 1)^2 (2 - (5 + 3 BP (eta - 1) - 3 eta)
    exp(-3 (BP - 1) (eta - 1) / 2))`` with ``eta = (V / V0)^(1/3)``
    (see :func:`skphys.functions.vinet`).

    Parameters
    ----------
    p0 : array-like of shape (4,), default=None
        Starting ``[E0 (eV), B0 (eV/Å^3), BP, V0 (Å^3)]``. ``None`` takes them from a
        parabola through the data (as :mod:`ase.eos` does) with ``BP = 4``.
    bounds : tuple of (lower, upper), default=None
        Bounds on ``[E0, B0, BP, V0]`` for the 'trf', 'lbfgs' and 'adam' solvers.
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
        of y, in units of X squared (Å^6 for volumes in Å^3): ``sigma_y^2 / sigma_grad^2``. Used
        only when ``fit`` is given ``y_grad``. 'auto' estimates the residual
        variance of each from the fit and refits until the weight they imply
        settles, starting from the variance of X.

    Attributes
    ----------
    e0_ : float
        Energy at the minimum, eV.
    b0_ : float
        Bulk modulus at ``V0``, eV/Å^3.
    bp_ : float
        Pressure derivative of the bulk modulus, dimensionless.
    v0_ : float
        Equilibrium volume, Å^3.
    bulk_modulus_gpa_ : float
        ``b0_`` in GPa.
    bulk_modulus_gpa_err_ : float
        Standard error of ``bulk_modulus_gpa_``, GPa.
    params_ : ndarray of shape (4,)
        ``[e0_, b0_, bp_, v0_]``.
    param_names_ : tuple of str
        ``('E0', 'B0', 'BP', 'V0')``.
    pcov_ : ndarray of shape (4, 4)
        Covariance of ``params_``.
    pcov_factor_ : ndarray of shape (4, k)
        ``L`` with ``pcov_ = L @ L.T``; prediction uncertainties use it.
    perr_ : ndarray of shape (4,)
        Standard errors of ``params_``.
    residual_variance_ : float
        Variance of one energy about the fit, eV^2.
    gradient_weight_ : float or None
        The weight of the derivatives in the last fit, units of X squared;
        ``None`` when it had no ``y_grad``.
    gradient_variance_ : float or None
        Residual variance of a derivative, ``residual_variance_ /
        gradient_weight_``, (eV/Å^3)^2; ``None`` without ``y_grad``.
    dof_ : int
        Degrees of freedom, samples minus 4.
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
        Name of the volume column, when X had string column names.

    Warns
    -----
    ~skphys.exceptions.ExtrapolatedMinimumWarning
        When the fitted ``V0`` lies outside the volumes of the data (the minimum
        is extrapolated, as :mod:`ase.eos` warns).
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
        When the fit ends at unphysical values (B0 <= 0, BP outside 0-20) even
        after restarts.

    Examples
    --------
    >>> from skphys import VinetRegressor
    >>> from skphys.datasets import load_murnaghan_example
    >>> X, y = load_murnaghan_example(return_X_y=True)
    >>> eos = VinetRegressor().fit(X, y)
    >>> round(eos.v0_, 1), round(eos.bulk_modulus_gpa_, 2)
    (211.7, 0.65)
    """

    physical_model = eos_model(vinet)
