"""Regression with a parametric model ``model(params, X)``: the generic estimator.

:class:`BaseParametricRegressor` is the machine every named-parameter model uses
(fit, uncertainties, intervals, summary); :class:`ParametricRegressor` exposes it
for any user function, as :func:`scipy.optimize.curve_fit` does.
"""

import functools
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from ._fitting import (
    SOLVERS,
    LeastSquaresProblem,
    parameter_covariance,
    prediction_std,
    solve,
    student_t_quantile,
)
from ._jacobian import JACOBIAN_METHODS, resolve_jacobian_method
from ._persistence import VersionedStateMixin

# A physical fit warns when one residual exceeds this many robust standard
# deviations (1.4826 x median absolute deviation) of all residuals, with at least
# this many samples, and larger than this fraction of the range of y.
_OUTLIER_SIGMAS = 10.0
_OUTLIER_MIN_SAMPLES = 10
_OUTLIER_RELATIVE_FLOOR = 1e-9


def _shifted_callback(callback, shift, params, iteration, loss):
    return callback(params + shift, iteration, loss)


def _check_alpha(alpha):
    if not isinstance(alpha, Real) or not 0 < alpha < 1:
        raise ValueError(f"alpha must be a probability in (0, 1), got {alpha!r}.")
    return float(alpha)


# Docstring sections shared by the physical models (energies in eV).
SOLVER_PARAMETERS_DOC = """    solver : {'lm', 'trf', 'lbfgs', 'adam'}, default='lm'
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
        Print the loss at every iteration when positive."""


def fit_attributes_doc(names, attribute_names, x_meaning):
    """The Attributes entries every physical model has, after its named ones.

    Parameters
    ----------
    names : sequence of str
        Parameter names, e.g. ``('E0', 'B0', 'BP', 'V0')``.
    attribute_names : sequence of str
        The matching fitted attributes, e.g. ``('e0_', 'b0_', 'bp_', 'v0_')``.
    x_meaning : str
        What the input column holds, e.g. 'volume'.

    Returns
    -------
    text : str
        Numpydoc entries, indented for a class docstring.
    """
    n = len(names)
    return f"""    params_ : ndarray of shape ({n},)
        ``[{", ".join(attribute_names)}]``.
    param_names_ : tuple of str
        ``{tuple(names)!r}``.
    pcov_ : ndarray of shape ({n}, {n})
        Covariance of ``params_``.
    pcov_factor_ : ndarray of shape ({n}, k)
        ``L`` with ``pcov_ = L @ L.T``; prediction uncertainties use it.
    perr_ : ndarray of shape ({n},)
        Standard errors of ``params_``.
    residual_variance_ : float
        Variance of one energy about the fit, eV^2.
    dof_ : int
        Degrees of freedom, samples minus {n}.
    n_iter_ : int
        Iterations the solver took.
    loss_ : float
        Final mean squared residual, eV^2.
    loss_curve_ : list of float
        Mean squared residual at the start and after every iteration, eV^2.
    jacobian_method_ : str
        The Jacobian method used.
    n_features_in_ : int
        Number of features seen in fit (1).
    feature_names_in_ : ndarray of shape (1,)
        Name of the {x_meaning} column, when X had string column names."""


class BaseParametricRegressor(VersionedStateMixin, RegressorMixin, BaseEstimator):
    """Shared machinery of the named-parameter regressors; not for direct use.

    Subclasses provide ``_model(params, X)``, ``_param_names()`` and, optionally,
    ``_initial_guess(X, y, sample_weight)``, ``_check_X(X)``, ``_param_units`` and
    ``_n_features`` (the number of columns X must have, or ``None``).
    """

    _parameter_constraints: dict = {
        "p0": ["array-like", callable, None],
        "bounds": [tuple, list, None],
        "solver": [StrOptions(set(SOLVERS))],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "callback": [callable, None],
        "verbose": ["verbose"],
    }

    _n_features = None
    _offset_index = None  # index of an additive constant of the model, if it has one
    _feature_meaning = "inputs"
    _param_units = None
    _jacobian = "rows"

    # -- hooks for subclasses ------------------------------------------------------
    def _param_names(self, n_params):
        """Names of the parameters; ``n_params`` is the length of a given p0 or None."""
        raise NotImplementedError

    def _check_X(self, X):
        """Reject inputs the model is not defined for (physical domain checks)."""

    def _initial_guess(self, X, y, sample_weight):
        raise ValueError(f"{type(self).__name__} needs p0: it has no data-driven initial guess.")

    def _set_named_attributes(self):
        """Set one fitted attribute per parameter (``e0_``, ``b0_``, ...)."""

    # -- validation ----------------------------------------------------------------
    def _validate_X(self, X):
        if self._n_features is not None and X.shape[1] != self._n_features:
            raise ValueError(
                f"{type(self).__name__} expects X with {self._n_features} feature(s) "
                f"({self._feature_meaning}), got {X.shape[1]}."
            )
        self._check_X(X)

    def _validated_bounds(self, n_params):
        if self.bounds is None:
            return None
        if len(self.bounds) != 2:
            raise ValueError(f"bounds must be (lower, upper), got {self.bounds!r}.")
        lower, upper = (
            np.broadcast_to(np.asarray(b, dtype=float), (n_params,)).copy() for b in self.bounds
        )
        if np.any(np.isnan(lower)) or np.any(np.isnan(upper)) or np.any(lower >= upper):
            raise ValueError(f"bounds need lower < upper for every parameter, got {self.bounds!r}.")
        return lower, upper

    def _given_p0(self, X, y):
        """The user's p0 as a flat float array (calling it if callable), or None."""
        if self.p0 is None:
            return None
        p0 = self.p0(X, y) if callable(self.p0) else self.p0
        return np.asarray(p0, dtype=float).ravel()

    def _starting_point(self, p0, X, y, sample_weight, names, bounds):
        n_params = len(names)
        if p0 is None:
            p0 = np.asarray(self._initial_guess(X, y, sample_weight), dtype=float)
            if bounds is not None:
                p0 = np.clip(p0, *bounds)
            return p0
        if p0.shape[0] != n_params:
            raise ValueError(
                f"p0 has {p0.shape[0]} values but the model has {n_params} parameters {names}."
            )
        if not np.all(np.isfinite(p0)):
            raise ValueError(f"p0 must be finite, got {p0.tolist()}.")
        if bounds is not None and (np.any(p0 < bounds[0]) or np.any(p0 > bounds[1])):
            raise ValueError(f"p0={p0.tolist()} lies outside bounds {self.bounds!r}.")
        return p0

    # -- fit -----------------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model parameters by (weighted) least squares.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs, in the units the model expects.
        y : array-like of shape (n_samples,)
            Targets, in the units the model returns.
        sample_weight : array-like of shape (n_samples,), default=None
            Relative weights of the samples (e.g. ``1 / sigma**2``); normalised to
            mean one, so only their ratios matter.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True)
        self._validate_X(X)
        sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)
        if np.count_nonzero(sample_weight) == 0:
            raise ValueError("sample_weight must have at least one positive value.")
        given_p0 = self._given_p0(X, y)
        names = tuple(self._param_names(None if given_p0 is None else given_p0.size))
        n_samples, n_params = np.count_nonzero(sample_weight), len(names)
        if n_samples < n_params:
            raise ValueError(
                f"Found n_samples={n_samples} (with non-zero weight) but the model has "
                f"{n_params} parameters: at least {n_params} samples are needed."
            )
        self._check_targets(y, sample_weight)
        bounds = self._validated_bounds(n_params)
        p0 = self._starting_point(given_p0, X, y, sample_weight, names, bounds)
        # Solve for the parameters relative to ``shift`` (an additive energy
        # offset, for models that have one): tolerances then do not depend on
        # where the energy zero lies.
        shift = self._parameter_shift(y, sample_weight, n_params)
        y_shift = shift.sum()
        if bounds is not None:
            bounds = (bounds[0] - shift, bounds[1] - shift)
        callback = self.callback
        if callback is not None and y_shift != 0:
            callback = functools.partial(_shifted_callback, self.callback, shift)
        model = self._model
        jacobian = resolve_jacobian_method(model, p0 - shift, X, self._jacobian_option())
        problem = LeastSquaresProblem(
            model, X, y - y_shift, sample_weight=sample_weight, jacobian=jacobian
        )
        options = {
            "solver": self.solver,
            "bounds": bounds,
            "max_iter": self.max_iter,
            "tol": self.tol,
            "learning_rate": self.learning_rate,
            "callback": callback,
            "verbose": self.verbose,
        }
        result = solve(problem, p0 - shift, **options)
        if self.p0 is None and not self._plausible(result.params + shift):
            # The data-driven start led to an unphysical optimum: try the model's
            # other starts and keep the lowest objective.
            for start in self._other_starts(p0):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    other = solve(problem, np.asarray(start, float) - shift, **options)
                if other.loss < result.loss:
                    result = other
        pcov, residual_variance, dof, factor = parameter_covariance(problem, result.params)
        self.param_names_ = names
        self.params_ = result.params + shift
        self.pcov_ = pcov
        self.pcov_factor_ = factor
        self.perr_ = np.sqrt(np.diag(pcov))
        self.residual_variance_ = residual_variance
        self.dof_ = int(dof)
        self.n_iter_ = result.n_iter
        self.loss_ = result.loss
        self.loss_curve_ = result.loss_curve
        self.jacobian_method_ = jacobian
        self._set_named_attributes()
        self._check_fit(X, y, sample_weight)
        return self

    def _check_targets(self, y, sample_weight):
        """Reject targets the model cannot be fitted to (hook; see subclasses)."""

    def _plausible(self, params):
        """Whether fitted parameters are physically plausible (hook; True here)."""
        return True

    def _other_starts(self, p0):
        """Further starting points, tried when the fit is not plausible (hook)."""
        return []

    def _parameter_shift(self, y, sample_weight, n_params):
        """Offsets subtracted from the parameters while solving.

        A model ``c + g(params', X)`` whose additive constant ``c`` sits at index
        ``_offset_index`` is solved relative to the lowest target: the fit sees
        ``y - min(y)`` and ``c - min(y)``, so tolerances do not depend on where the
        zero of y lies (DFT energies of -400 eV, 1e6 eV offsets). Zeros for models
        without an offset.
        """
        shift = np.zeros(n_params)
        if self._offset_index is not None:
            shift[self._offset_index] = np.min(y[sample_weight > 0])
        return shift

    def _check_fit(self, X, y, sample_weight):
        """Warn about what is doubtful in the fitted model (hook; see subclasses)."""

    def _jacobian_option(self):
        return self._jacobian

    # -- prediction and uncertainty ------------------------------------------------
    def _validated_X(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        self._validate_X(X)
        return X

    def predict(self, X, return_std=False):
        """Evaluate the fitted model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs, in the units the model expects.
        return_std : bool, default=False
            Also return the standard deviation of the fitted mean at each point
            (delta method: ``sqrt(diag(J pcov_ J^T))``, same units as ``y``). It
            reflects parameter uncertainty only, not the scatter of new observations
            (see :meth:`predict_interval` with ``kind='prediction'``).

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Model values, in the units of ``y``.
        y_std : ndarray of shape (n_samples,)
            Standard deviation of ``y_pred``; only when ``return_std=True``.
        """
        X = self._validated_X(X)
        with np.errstate(all="ignore"):
            y_pred = np.asarray(self._model(self.params_, X), dtype=float)
        if not return_std:
            return y_pred
        if not np.all(np.isfinite(self.pcov_)):
            return y_pred, np.full(y_pred.shape, np.inf)
        std = prediction_std(
            self._model, self.params_, self.pcov_factor_, X, self.jacobian_method_
        )
        return y_pred, std.reshape(y_pred.shape)

    def predict_interval(self, X, alpha=0.05, kind="confidence"):
        """Two-sided ``1 - alpha`` interval around the prediction at each point.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs, in the units the model expects.
        alpha : float, default=0.05
            One minus the coverage (0.05 gives 95 % intervals).
        kind : {'confidence', 'prediction'}, default='confidence'
            'confidence' bounds the fitted mean (parameter uncertainty only);
            'prediction' bounds a new observation of unit weight (adds the residual
            variance ``residual_variance_``). Both use the Student t distribution
            with ``dof_`` degrees of freedom.

        Returns
        -------
        interval : ndarray of shape (n_samples, 2)
            Lower and upper bounds, in the units of ``y``.
        """
        alpha = _check_alpha(alpha)
        if kind not in ("confidence", "prediction"):
            raise ValueError(f"kind must be 'confidence' or 'prediction', got {kind!r}.")
        y_pred, std = self.predict(X, return_std=True)
        if kind == "prediction":
            std = np.sqrt(std**2 + self.residual_variance_)
        half = student_t_quantile(alpha, self.dof_) * std
        return np.column_stack([y_pred - half, y_pred + half])

    def confidence_intervals(self, alpha=0.05):
        """Two-sided ``1 - alpha`` confidence intervals of the parameters.

        ``params_ -/+ t_{1-alpha/2, dof_} perr_``, as pycse's ``nlinfit`` reports.

        Parameters
        ----------
        alpha : float, default=0.05
            One minus the coverage.

        Returns
        -------
        intervals : ndarray of shape (n_params, 2)
            Lower and upper bound of each parameter, in its own units.
        """
        check_is_fitted(self)
        alpha = _check_alpha(alpha)
        half = student_t_quantile(alpha, self.dof_) * self.perr_
        return np.column_stack([self.params_ - half, self.params_ + half])

    def summary(self, alpha=0.05):
        """A table of the fitted parameters with standard errors and intervals.

        Parameters
        ----------
        alpha : float, default=0.05
            One minus the coverage of the intervals.

        Returns
        -------
        table : str
            One line per parameter: name, value, standard error, interval, unit;
            then the sum of squared residuals, degrees of freedom and iterations.
        """
        intervals = self.confidence_intervals(alpha)
        units = self._param_units or ("",) * len(self.params_)
        level = f"{100 * (1 - alpha):g}% interval"
        header = f"{'parameter':<10} {'value':>14} {'std error':>12} {level:>32}  unit"
        lines = [f"{type(self).__name__} fit", header, "-" * len(header)]
        for name, value, err, (low, high), unit in zip(
            self.param_names_, self.params_, self.perr_, intervals, units, strict=True
        ):
            lines.append(
                f"{name:<10} {value:>14.7g} {err:>12.4g} {f'[{low:.7g}, {high:.7g}]':>32}  {unit}"
            )
        sse = self.loss_ * (self.dof_ + len(self.params_))
        lines.append("-" * len(header))
        lines.append(
            f"SSE = {sse:.6g}, dof = {self.dof_}, iterations = {self.n_iter_}, "
            f"solver = {self.solver!r}"
        )
        return "\n".join(lines)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.single_output = True
        tags.target_tags.multi_output = False
        return tags


class ParametricRegressor(BaseParametricRegressor):
    """Least-squares fit of any autograd-numpy model ``model(params, X) -> y``.

    A scikit-learn estimator in the spirit of :func:`scipy.optimize.curve_fit`:
    the Jacobian comes from autograd, the parameters get standard errors and
    Student t intervals, and predictions get delta-method uncertainties.

    Parameters
    ----------
    model : callable
        ``model(params, X)`` written with ``autograd.numpy``: ``params`` is a 1-D
        array, ``X`` has shape (n_samples, n_features), the result shape
        (n_samples,). For the fast Jacobian the model should also accept
        ``params`` of shape (n_params, n_samples), column ``i`` for sample ``i``;
        ``a, b = params; x = X[:, 0]; return a * x + b`` does so unchanged.
    p0 : array-like of shape (n_params,) or callable, default=None
        Starting parameters, or a function ``p0(X, y)`` returning them from the
        data (a data-driven guess, like lmfit's ``Model.guess``). ``None`` starts
        from ones, which requires ``param_names``.
    param_names : sequence of str, default=None
        Names of the parameters, for :meth:`summary`; ``None`` gives p0, p1, ...
    bounds : tuple of (lower, upper), default=None
        Bounds on the parameters, scalars or arrays of shape (n_params,); used by
        the 'trf', 'lbfgs' and 'adam' solvers ('lm' rejects them).
    solver : {'lm', 'trf', 'lbfgs', 'adam'}, default='lm'
        'lm': Levenberg-Marquardt (MINPACK); 'trf': trust-region reflective, honours
        bounds; 'lbfgs': L-BFGS-B on the autograd gradient; 'adam': Adam steps of
        size ``learning_rate`` until the mean squared residual falls below ``tol``.
    max_iter : int, default=1000
        Residual evaluations ('lm', 'trf'), iterations ('lbfgs') or steps ('adam').
    tol : float, default=1e-8
        Relative tolerance ('lm', 'trf', 'lbfgs'); for 'adam', the mean squared
        residual (units of y squared) at which to stop.
    learning_rate : float, default=1e-3
        Adam's step size, in the units of the parameters.
    callback : callable, default=None
        ``callback(params, iteration, loss)`` after each iteration.
    jacobian : {'auto', 'rows', 'broadcast', 'reverse'}, default='auto'
        'broadcast': one reverse pass over per-sample parameter copies, passed as
        an array of shape (n_params, n_samples) (fast; needs the convention
        above); 'rows': the same with the copies passed as a tuple of rows (faster
        still, for models that only unpack ``params``); 'reverse':
        ``autograd.jacobian`` (any model, one pass per sample); 'auto': the first
        of 'rows', 'broadcast' that a forward-mode check at ``p0`` confirms exact
        for this model, else 'reverse'.
    verbose : int, default=0
        Print the loss at every iteration when positive.

    Attributes
    ----------
    params_ : ndarray of shape (n_params,)
        Fitted parameters, in the model's units.
    param_names_ : tuple of str
        Their names.
    pcov_ : ndarray of shape (n_params, n_params)
        Covariance of ``params_``: ``s^2 (J^T W J)^-1``.
    pcov_factor_ : ndarray of shape (n_params, k)
        ``L`` with ``pcov_ = L @ L.T``, from the singular value decomposition of
        the Jacobian; prediction uncertainties use it (accurate where ``pcov_`` is
        ill-conditioned).
    perr_ : ndarray of shape (n_params,)
        Standard errors ``sqrt(diag(pcov_))``.
    residual_variance_ : float
        ``s^2 = sum(w r^2) / dof_``, variance of an observation of unit weight
        (units of y squared).
    dof_ : int
        Degrees of freedom, samples with non-zero weight minus parameters.
    n_iter_ : int
        Iterations the solver took.
    loss_ : float
        Final (weighted) mean squared residual, units of y squared.
    loss_curve_ : list of float
        Mean squared residual at every iteration.
    jacobian_method_ : str
        The Jacobian method used ('rows', 'broadcast' or 'reverse').
    n_features_in_ : int
        Number of features seen in fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen in fit, when X had string column names.

    See Also
    --------
    MurnaghanRegressor, BuckinghamRegressor : physical models on the same machine.

    Examples
    --------
    >>> import numpy as np
    >>> from skphys import ParametricRegressor
    >>> def line(params, X):
    ...     slope, intercept = params
    ...     return slope * X[:, 0] + intercept
    >>> X = np.arange(5.0).reshape(-1, 1)
    >>> y = 2.0 * X[:, 0] + 1.0
    >>> reg = ParametricRegressor(line, p0=[1.0, 0.0], param_names=["slope", "b"]).fit(X, y)
    >>> reg.params_.round(6)
    array([2., 1.])
    """

    _parameter_constraints: dict = {
        **BaseParametricRegressor._parameter_constraints,
        "model": [callable],
        "param_names": ["array-like", None],
        "jacobian": [StrOptions(set(JACOBIAN_METHODS))],
    }

    def __init__(
        self,
        model,
        p0=None,
        *,
        param_names=None,
        bounds=None,
        solver="lm",
        max_iter=1000,
        tol=1e-8,
        learning_rate=1e-3,
        callback=None,
        jacobian="auto",
        verbose=0,
    ):
        self.model = model
        self.p0 = p0
        self.param_names = param_names
        self.bounds = bounds
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.learning_rate = learning_rate
        self.callback = callback
        self.jacobian = jacobian
        self.verbose = verbose

    def _model(self, params, X):
        return self.model(params, X)

    def _param_names(self, n_params):
        if self.param_names is not None:
            names = tuple(str(n) for n in self.param_names)
            if n_params is not None and len(names) != n_params:
                raise ValueError(
                    f"param_names has {len(names)} names but p0 has {n_params} values."
                )
            return names
        if n_params is None:
            raise ValueError("ParametricRegressor needs p0 or param_names to count parameters.")
        return tuple(f"p{i}" for i in range(n_params))

    def _initial_guess(self, X, y, sample_weight):
        return np.ones(len(self.param_names))  # only reached with p0=None

    def _jacobian_option(self):
        return self.jacobian


class BasePhysicalRegressor(BaseParametricRegressor):
    __doc__ = f"""Base of the regressors built on one function of :mod:`skphys.functions`.

    A subclass names its function, parameters and units, and gives a data-driven
    initial guess; everything else (solvers, uncertainties, summary) is shared.
    The single input column must be positive (a volume or a distance).

    Parameters
    ----------
    p0 : array-like of shape (n_params,), default=None
        Starting parameters, in the order and units of the subclass's parameter
        names; ``None`` takes them from the data (the subclass's initial guess).
    bounds : tuple of (lower, upper), default=None
        Bounds on the parameters, scalars or arrays of shape (n_params,), for the
        'trf', 'lbfgs' and 'adam' solvers.
{SOLVER_PARAMETERS_DOC}
    """

    _function = None
    _names = ()
    _n_features = 1

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
    ):
        self.p0 = p0
        self.bounds = bounds
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.learning_rate = learning_rate
        self.callback = callback
        self.verbose = verbose

    def _param_names(self, n_params=None):
        return self._names

    def _model(self, params, X):
        # ``params`` is an array of shape (n_params,) or a tuple of per-sample rows.
        return type(self)._function(X[:, 0], *params)

    def _check_X(self, X):
        if np.any(X <= 0):
            raise ValueError(
                f"{type(self).__name__} needs positive {self._feature_meaning}; "
                f"got a smallest value of {X.min():g}."
            )

    def _set_named_attributes(self):
        for name, value in zip(self._names, self.params_, strict=True):
            setattr(self, f"{name.lower()}_", float(value))

    def _check_targets(self, y, sample_weight):
        values = y[sample_weight > 0]
        if np.ptp(values) == 0:
            raise ValueError(
                f"{type(self).__name__}: all energies are equal ({values[0]:g} eV): "
                "there is no curve to fit a physical model to."
            )

    def _minimum_location(self):
        """Position of the fitted energy minimum (same units as X), or None."""
        return None

    def _check_fit(self, X, y, sample_weight):
        keep = sample_weight > 0
        x = X[keep, 0]
        minimum = self._minimum_location()
        if minimum is not None and not x.min() <= minimum <= x.max():
            warnings.warn(
                f"{type(self).__name__}: the fitted minimum at {minimum:.6g} "
                f"({self._feature_meaning}) lies outside the data [{x.min():.6g}, "
                f"{x.max():.6g}]: it is extrapolated. Add points on both sides of it.",
                UserWarning,
                stacklevel=4,  # _check_fit, fit, scikit-learn's fit wrapper, caller
            )
        self._warn_outlier(X[keep], y[keep])
        self._warn_undetermined()
        if not self._plausible(self.params_):
            values = ", ".join(
                f"{n} = {v:.4g}" for n, v in zip(self.param_names_, self.params_, strict=True)
            )
            warnings.warn(
                f"{type(self).__name__}: the fit ends at unphysical parameters ({values}); "
                "check the range and the scatter of the data.",
                UserWarning,
                stacklevel=4,
            )

    def _warn_undetermined(self):
        """Warn when the data leave a parameter undetermined (error above its value)."""
        # an additive offset (E0) may lie near zero: its error says nothing there
        loose = [
            f"{name} = {value:.4g} ± {error:.2g}"
            for index, (name, value, error) in enumerate(
                zip(self.param_names_, self.params_, self.perr_, strict=True)
            )
            if index != self._offset_index and np.isfinite(error) and error > abs(value)
        ]
        if loose:
            warnings.warn(
                f"{type(self).__name__}: the data do not determine {', '.join(loose)} "
                "(standard error above the value): the energy differences are too small "
                "for the scatter, or the range too narrow.",
                UserWarning,
                stacklevel=4,
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
            warnings.warn(
                f"{type(self).__name__}: the sample at {X[worst, 0]:.6g} "
                f"({self._feature_meaning}) lies {abs(residuals[worst]) / spread:.0f} robust "
                "standard deviations off the fitted curve; an outlier pulls a "
                "least-squares fit. Check that point.",
                UserWarning,
                stacklevel=5,
            )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True
        return tags
