"""Physical forms declared once, and the regressor that reads the declaration.

A :class:`PhysicalModel` holds everything skphys knows about one form: its pure
function (the parameter names are read from its signature, as lmfit does), the
units, what X means, a data-driven start, a plausibility test, further starts, where
its minimum lies, its additive offset, an example and a generator of random test
problems. :class:`BasePhysicalRegressor` fits any declared form; a new form is a
function, a start, a declaration and a class of a few lines that names it.
"""

import inspect
from dataclasses import dataclass
from functools import cached_property

import autograd.numpy as anp
import numpy as np
from autograd import elementwise_grad
from sklearn.base import _fit_context

from .._closed_form import partials_jacobian
from .._core import warn
from ..exceptions import (
    ExtrapolatedMinimumWarning,
    OutlierWarning,
    UndeterminedParameterWarning,
    UnphysicalParametersWarning,
)
from ._parametric import BaseParametricRegressor, FitSpec, _check_enough_samples

# A physical fit warns when one residual exceeds this many robust standard
# deviations (1.4826 x median absolute deviation) of all residuals, with at least
# this many samples, and larger than this fraction of the range of y.
_OUTLIER_SIGMAS = 10.0
_OUTLIER_MIN_SAMPLES = 10
_OUTLIER_RELATIVE_FLOOR = 1e-9


def between(u, low, high, log=False):
    """The number at fraction ``u`` of [low, high], on a log scale if ``log``.

    For the ``random_case`` of a declaration: maps a uniform number in [0, 1) to a
    parameter range.

    Parameters
    ----------
    u : float
        Uniform number in [0, 1).
    low, high : float
        Ends of the range (positive if ``log``).
    log : bool, default=False
        Uniform in the logarithm.

    Returns
    -------
    value : float
    """
    if log:
        return float(np.exp(np.log(low) + u * (np.log(high) - np.log(low))))
    return float(low + u * (high - low))


@dataclass(frozen=True)
class PhysicalModel:
    """Declaration of a physical form ``y = function(x, *params)``.

    Parameters
    ----------
    function : callable
        ``function(x, p1, p2, ...)`` written with ``autograd.numpy``, elementwise
        in ``x`` and broadcasting in the parameters (as :mod:`skphys.functions`).
        The names of its parameters after ``x`` are the parameter names.
    units : dict of str to str
        Unit of each parameter, by name ('' for dimensionless).
    x_name : str
        What x is, e.g. 'volume' or 'distance'; x must be positive.
    x_unit : str
        Unit of x, e.g. 'Å^3' or 'Å'.
    guess : callable
        ``guess(x, y, sample_weight, bounds) -> p0``: starting parameters from the
        data (``bounds`` is ``None`` or ``(lower, upper)`` arrays).
    plausible : callable, default=None
        ``plausible(params) -> bool``, the physical plausibility test; a fit that
        fails it tries ``other_starts`` and warns with
        :class:`~skphys.exceptions.UnphysicalParametersWarning`. ``None`` accepts
        every parameter set.
    other_starts : callable, default=None
        ``other_starts(p0) -> list``: further starts tried when the fit from the
        data-driven start is not plausible.
    minimum : callable, default=None
        ``minimum(params) -> float``: x of the energy minimum, for the warning when
        it lies outside the data; ``None`` for forms without one.
    offset : str, default=None
        Name of an additive constant (E0), solved relative to the lowest y.
    derived : callable, default=None
        ``derived(params, perr) -> dict``: further fitted attributes (names ending
        in ``_``) computed from the parameters and their standard errors.
    example : tuple, default=None
        ``(params, (x_low, x_high))``: a typical parameter set and range of x, for
        tests and documentation.
    random_case : callable, default=None
        ``random_case(u) -> (params, x_low, x_high)`` from six uniform numbers in
        [0, 1): random test problems over physically wide ranges.

    Notes
    -----
    y is an energy in eV for every form.
    """

    function: object
    units: dict
    x_name: str
    x_unit: str
    guess: object
    plausible: object = None
    other_starts: object = None
    minimum: object = None
    offset: str = None
    derived: object = None
    example: tuple = None
    random_case: object = None

    def __post_init__(self):
        missing = set(self.names) ^ set(self.units)
        if missing:
            raise ValueError(
                f"units must name exactly the parameters {self.names} of "
                f"{self.function.__name__}; mismatched: {sorted(missing)}."
            )

    @cached_property
    def names(self):
        """Parameter names, from the function's signature (after x).

        Returns
        -------
        names : tuple of str
            In the order of the function's arguments.
        """
        return tuple(inspect.signature(self.function).parameters)[1:]

    @cached_property
    def offset_index(self):
        """Index of the additive constant in :attr:`names`.

        Returns
        -------
        index : int or None
            ``None`` for forms without one.
        """
        return None if self.offset is None else self.names.index(self.offset)

    @property
    def attribute_names(self):
        """The fitted attribute of each parameter: ``E0`` -> ``e0_``.

        Returns
        -------
        attributes : tuple of str
            In the order of :attr:`names`.
        """
        return tuple(f"{name.lower()}_" for name in self.names)

    def is_plausible(self, params):
        """The declared plausibility test (True without one).

        Parameters
        ----------
        params : ndarray of shape (n_params,)
            Parameters, in the declared order and units.

        Returns
        -------
        plausible : bool
            Whether the parameters pass the test.
        """
        return True if self.plausible is None else bool(self.plausible(params))

    def __call__(self, x, params):
        """The form at ``x`` for ``params``.

        Parameters
        ----------
        x : ndarray
            Volumes or distances.
        params : sequence
            Parameters in the declared order (scalars, or per-sample rows).

        Returns
        -------
        y : ndarray
            Energies, eV.
        """
        return self.function(x, *params)

    @property
    def has_closed_form(self):
        """Whether the function carries its partial derivatives.

        True for a function registered with ``skphys._closed_form.closed_form`` (every
        form of :mod:`skphys.functions`): :meth:`jacobian` then needs no tracing.

        Returns
        -------
        closed : bool
            True when :meth:`jacobian` is available.
        """
        return hasattr(self.function, "partials")

    def derivative(self, x, params):
        """Derivative of the form with respect to x: dE/dV or dE/dr.

        From the written-out partial derivative when the function has one, else
        by autograd; differentiable again in the parameters either way.

        Parameters
        ----------
        x : ndarray of shape (n_samples,)
            Volumes or distances.
        params : sequence
            Parameters in the declared order (scalars, or per-sample rows).

        Returns
        -------
        dy_dx : ndarray of shape (n_samples,)
            In eV per unit of x: eV/Å^3, the negative of the pressure, for an
            equation of state; eV/Å for a pair potential.
        """
        if self.has_closed_form:
            return self.function.partials(x, *params)[0] + 0.0 * x
        return elementwise_grad(self.function)(x, *params)

    def jacobian(self, x, params):
        """Derivatives of the form with respect to its parameters, from its partials.

        Parameters
        ----------
        x : ndarray of shape (n_samples,)
            Volumes or distances.
        params : sequence
            Parameters in the declared order (scalars, or per-sample rows).

        Returns
        -------
        jac : ndarray of shape (n_samples, n_params)
            Column ``j`` is the derivative with respect to parameter ``j``, in eV per
            unit of that parameter.
        """
        return partials_jacobian(self.function, x, params)


@dataclass(frozen=True)
class _FormOfFirstColumn:
    """A declared form as a model ``model(params, X)`` of X's first column.

    ``params`` is an array of shape (n_params,) or a tuple of per-sample rows; the
    method ``jacobian(params, X)`` is what the core's 'closed_form' Jacobian calls.
    """

    form: PhysicalModel

    def __call__(self, params, X):
        return self.form(X[:, 0], params)

    def jacobian(self, params, X):
        return self.form.jacobian(X[:, 0], params)

    def input_gradient(self, params, X):
        # dE/dx from the form's written-out derivative (autograd-differentiable in
        # the parameters), as a column: the derivative block's model
        return anp.reshape(self.form.derivative(X[:, 0], params), (-1, 1))


class BasePhysicalRegressor(BaseParametricRegressor):
    """Base of the regressors of one declared physical form; not for direct use.

    A subclass sets ``physical_model`` to a :class:`PhysicalModel`; everything
    else (data-driven start, solvers, uncertainties, warnings, summary) follows
    from the declaration. X holds one positive column (a volume, a distance).

    Parameters
    ----------
    p0 : array-like of shape (n_params,), default=None
        Starting parameters, in the order and units of the declared parameter
        names; ``None`` takes them from the data (the declared guess).
    bounds : tuple of (lower, upper), default=None
        Bounds on the parameters, scalars or arrays of shape (n_params,), for the
        'trf', 'lbfgs' and 'adam' solvers.
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
        of y, in units of X squared (e.g. Å^2): ``sigma_y^2 / sigma_grad^2``. Used
        only when ``fit`` is given ``y_grad``. 'auto' estimates the residual
        variance of each from the fit and refits until the weight they imply
        settles, starting from the variance of X.
    """

    physical_model = None

    def __init__(
        self,
        p0=None,
        *,
        bounds=None,
        solver="lm",
        max_iter=1000,
        tol=1e-8,
        learning_rate=1e-3,
        callback=None,
        verbose=0,
        gradient_weight="auto",
    ):
        self.p0 = p0
        self.bounds = bounds
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.learning_rate = learning_rate
        self.callback = callback
        self.verbose = verbose
        self.gradient_weight = gradient_weight

    @property
    def _model(self):
        # the declared form as the fitting core's ``model(params, X)``
        return _FormOfFirstColumn(self.physical_model)

    def _param_units(self):
        return tuple(self.physical_model.units[name] for name in self.physical_model.names)

    def _y_unit(self):
        return "eV"  # every declared form returns an energy

    def _quantity(self):
        form = self.physical_model
        return f"{form.x_name}s in {form.x_unit}"

    def _check_X(self, X):
        if X.shape[1] != 1:
            raise ValueError(
                f"{type(self).__name__} expects X with 1 feature(s) ({self._quantity()}), "
                f"got {X.shape[1]}."
            )
        if np.any(X <= 0):
            raise ValueError(
                f"{type(self).__name__} needs positive {self._quantity()}; "
                f"got a smallest value of {X.min():g}."
            )

    def _fit_spec(self, X, y, sample_weight):
        form = self.physical_model
        names = form.names
        bounds = self._validated_bounds(len(names))
        p0 = self._given_p0(X, y)
        if p0 is not None:
            starts = [self._checked_p0(p0, names, bounds)]
        else:
            # the start from the data reads the energies (sample_weight is zero
            # where only a derivative was observed): with fewer, give p0
            _check_enough_samples(sample_weight, len(names))
            values = y[sample_weight > 0]
            if np.ptp(values) == 0:
                raise ValueError(
                    f"{type(self).__name__}: all energies are equal ({values[0]:g} eV): "
                    "there is no curve to fit a physical model to."
                )
            p0 = np.asarray(form.guess(X[:, 0], y, sample_weight, bounds), dtype=float)
            if bounds is not None:
                p0 = np.clip(p0, *bounds)
            # when the data-driven start ends at unphysical parameters, the form's
            # other starts are tried and the lowest objective kept
            others = [] if form.other_starts is None else form.other_starts(p0)
            starts = [p0, *(np.asarray(start, float) for start in others)]
        return FitSpec(
            names=names, starts=starts, acceptable=form.is_plausible,
            offset_index=form.offset_index,
            jacobian="closed_form" if form.has_closed_form else "rows",
        )  # fmt: skip

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, y_grad=None):
        """Fit the parameters of the form by (weighted) least squares.

        Parameters
        ----------
        X : array-like of shape (n_samples, 1)
            Volumes (Å^3) or distances (Å), positive.
        y : array-like of shape (n_samples,)
            Energies, eV; with ``y_grad``, NaN marks a sample whose energy was not
            observed.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative relative weights of the samples (e.g. ``1 / sigma**2``);
            normalised to mean one over the samples of non-zero weight, so only
            their ratios matter, and a zero weight is the same as a removed sample.
        y_grad : array-like of shape (n_samples, 1), default=None
            Observed derivatives ``dE/dV`` (eV/Å^3, the negative of the pressure)
            or ``dE/dr`` (eV/Å, the negative of the force along r); NaN where not
            observed. Fitted with the energies, weighted by ``gradient_weight``.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        X, y, sample_weight = self._fit(X, y, sample_weight, y_grad)
        form = self.physical_model
        for attribute, value in zip(form.attribute_names, self.params_, strict=True):
            setattr(self, attribute, float(value))
        derived = {} if form.derived is None else form.derived(self.params_, self.perr_)
        for attribute, value in derived.items():
            setattr(self, attribute, float(value))
        keep = (sample_weight > 0) & ~np.isnan(y)
        self._warn_fit_quality(X[keep], y[keep])
        return self

    def _warn_fit_quality(self, X, y):
        """Warn about what is doubtful in the fitted model."""
        form, name = self.physical_model, type(self).__name__
        x = X[:, 0]
        minimum = None if form.minimum is None else form.minimum(self.params_)
        if minimum is not None and not x.min() <= minimum <= x.max():
            warn(
                f"{name}: the fitted minimum at {minimum:.6g} ({self._quantity()}) lies "
                f"outside the data [{x.min():.6g}, {x.max():.6g}]: it is extrapolated. "
                "Add points on both sides of it.",
                ExtrapolatedMinimumWarning,
            )
        self._warn_outlier(X, y)
        # an additive offset (E0) may lie near zero: its error says nothing there
        loose = [
            f"{n} = {value:.4g} ± {error:.2g}"
            for index, (n, value, error) in enumerate(
                zip(self.param_names_, self.params_, self.perr_, strict=True)
            )
            if index != form.offset_index and np.isfinite(error) and error > abs(value)
        ]
        if loose:
            warn(
                f"{name}: the data do not determine {', '.join(loose)} (standard error "
                "above the value): the energy differences are too small for the "
                "scatter, or the range too narrow.",
                UndeterminedParameterWarning,
            )
        if not form.is_plausible(self.params_):
            values = ", ".join(
                f"{n} = {v:.4g}" for n, v in zip(self.param_names_, self.params_, strict=True)
            )
            warn(
                f"{name}: the fit ends at unphysical parameters ({values}); check the "
                "range and the scatter of the data.",
                UnphysicalParametersWarning,
            )

    def _warn_outlier(self, X, y):
        """Warn when one residual lies far outside the spread of the others."""
        if y.shape[0] < _OUTLIER_MIN_SAMPLES:
            return
        with np.errstate(all="ignore"):
            residuals = y - np.asarray(self._model(self.params_, X))
        spread = 1.4826 * np.median(np.abs(residuals - np.median(residuals)))  # robust sigma
        worst = int(np.argmax(np.abs(residuals)))
        # residuals at the level of rounding errors are no evidence of anything
        floor = _OUTLIER_RELATIVE_FLOOR * np.ptp(y)
        if abs(residuals[worst]) > max(_OUTLIER_SIGMAS * spread, floor):
            warn(
                f"{type(self).__name__}: the sample at {X[worst, 0]:.6g} "
                f"({self._quantity()}) lies {abs(residuals[worst]) / spread:.0f} robust "
                "standard deviations off the fitted curve; an outlier pulls a "
                "least-squares fit. Check that point.",
                OutlierWarning,
            )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True
        return tags
