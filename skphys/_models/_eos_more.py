"""More equations of state E(V): the remaining forms of :mod:`ase.eos`.

Each is declared with :func:`~skphys._models._eos.eos_model`, as the forms of
``_eos.py``, and is a class that names its declaration. ASE's 'birch' is
algebraically the third-order Birch-Murnaghan form and its 'p3' (a cubic in V)
the same family of curves as 'taylor', so neither has a class of its own:
:class:`~skphys.BirchMurnaghanRegressor` and :class:`TaylorRegressor` fit them.
"""

from ..functions import anton_schmidt, poirier_tarantola, stabilized_jellium, taylor
from ._eos import BaseEOSRegressor, eos_model


class PoirierTarantolaRegressor(BaseEOSRegressor):
    """Poirier-Tarantola (logarithmic) equation of state fitted to energy-volume data.

    ``E(V) = E0 + B0 V0 xi^2 / 6 (3 + (BP - 2) xi)`` with the Hencky strain
    ``xi = ln(V0 / V)`` (see :func:`skphys.functions.poirier_tarantola`); the form
    ASE calls 'pouriertarantola', with the same parameters.

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
        Pressure derivative of the bulk modulus at ``V0``, dB/dP, dimensionless.
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
    >>> from skphys import PoirierTarantolaRegressor
    >>> from skphys.datasets import load_murnaghan_example
    >>> X, y = load_murnaghan_example(return_X_y=True)
    >>> eos = PoirierTarantolaRegressor().fit(X, y)
    >>> round(eos.v0_, 1), round(eos.bulk_modulus_gpa_, 2)
    (211.4, 0.67)
    """

    physical_model = eos_model(poirier_tarantola)


class AntonSchmidtRegressor(BaseEOSRegressor):
    """Anton-Schmidt equation of state fitted to energy-volume data.

    ``E(V) = E0 + B0 V0 / (n + 1)^2 (x^(n + 1) ((n + 1) ln x - 1) + 1)`` with
    ``x = V / V0`` and ``n = -BP / 2`` (see :func:`skphys.functions.anton_schmidt`);
    ASE's 'anton-schmidt', with the same parameters. Anton and Schmidt's own
    parameters are ``n = -BP / 2`` and the energy at infinite volume
    ``E_inf = E0 + B0 V0 / (n + 1)^2``; ``BP = 2`` (``n = -1``) is excluded.

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
        Pressure derivative of the bulk modulus at ``V0``, dB/dP, dimensionless.
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
    >>> from skphys import AntonSchmidtRegressor
    >>> from skphys.datasets import load_murnaghan_example
    >>> X, y = load_murnaghan_example(return_X_y=True)
    >>> eos = AntonSchmidtRegressor().fit(X, y)
    >>> round(eos.v0_, 1), round(eos.bulk_modulus_gpa_, 2)
    (212.0, 0.64)
    """

    physical_model = eos_model(anton_schmidt)


class TaylorRegressor(BaseEOSRegressor):
    """Third-order Taylor expansion of E(V) about V0 fitted to energy-volume data.

    ``E(V) = E0 + B0 / (2 V0) (V - V0)^2 - (1 + BP) B0 / (6 V0^2) (V - V0)^3``
    (see :func:`skphys.functions.taylor`): the cubic of ASE's 'taylor' and 'p3'.
    ASE's 'taylor' fits the cubic coefficient ``alpha = V0 E'''(V0)`` (eV/Å^6) in
    place of ``BP``; here ``BP`` is dB/dP at ``V0``, as in the other forms, and
    ``alpha = -(1 + BP) B0 / V0``.

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
        Pressure derivative of the bulk modulus at ``V0``, dB/dP, dimensionless.
        (ASE's 'taylor' reports ``alpha = -(1 + bp_) b0_ / v0_`` instead.)
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
    >>> from skphys import TaylorRegressor
    >>> from skphys.datasets import load_murnaghan_example
    >>> X, y = load_murnaghan_example(return_X_y=True)
    >>> eos = TaylorRegressor().fit(X, y)
    >>> round(eos.v0_, 1), round(eos.bulk_modulus_gpa_, 2)
    (210.7, 0.9)
    """

    physical_model = eos_model(taylor)


class StabilizedJelliumRegressor(BaseEOSRegressor):
    """Stabilized-jellium equation of state (SJEOS) fitted to energy-volume data.

    ``E(V) = E0 + 9 B0 V0 / 2 (x - 1)^2 (1 + (BP - 3) (x - 1))`` with
    ``x = (V0 / V)^(1/3)`` (see :func:`skphys.functions.stabilized_jellium`): the
    cubic polynomial in ``V^(-1/3)`` that ASE's 'sj' fits by linear least squares,
    written with its minimum, bulk modulus and dB/dP at ``V0`` as parameters.

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
        Pressure derivative of the bulk modulus at ``V0``, dB/dP, dimensionless.
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
    >>> from skphys import StabilizedJelliumRegressor
    >>> from skphys.datasets import load_murnaghan_example
    >>> X, y = load_murnaghan_example(return_X_y=True)
    >>> eos = StabilizedJelliumRegressor().fit(X, y)
    >>> round(eos.v0_, 1), round(eos.bulk_modulus_gpa_, 2)
    (211.9, 0.64)
    """

    physical_model = eos_model(stabilized_jellium)
