"""Regression with a parametric model ``model(params, X)``: the generic estimator.

:class:`BaseParametricRegressor` is the machine every named-parameter model uses:
it validates the data, builds the fitting core's problem, solves it (from several
starts where the model asks for them) and keeps the parameters, their covariance
and the fit status. A subclass says three things: the model (``_model``), the
inputs it is defined for (``_check_X``) and how to fit it (``_fit_spec``, data).
:class:`ParametricRegressor` exposes the machine for any user function, as
:func:`scipy.optimize.curve_fit` does.
"""

from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from .._core import (
    JACOBIAN_METHODS,
    SOLVERS,
    LeastSquaresProblem,
    parameter_covariance,
    prediction_std,
    resolve_jacobian_method,
    solve_best,
    solve_with_gradient_weight,
    student_t_quantile,
    warn,
)
from .._core._lack_of_fit import format_pvalue, lack_of_fit
from ..exceptions import LackOfFitWarning
from ._base import (
    RegressorContractMixin,
    check_alpha,
    checked_sample_weight,
    validate_values_and_gradients,
)
from ._gradients import GradientFitMixin, starting_gradient_weight
from ._persistence import VersionedStateMixin


@dataclass
class FitSpec:
    """How to fit a parametric model to one data set.

    Attributes
    ----------
    names : tuple of str
        Parameter names.
    starts : list of ndarray of shape (n_params,)
        Starting parameters, tried in order.
    acceptable : callable, default=None
        ``acceptable(params) -> bool``: once a start ends on acceptable
        parameters, no further start is tried. ``None`` accepts the first.
    offset_index : int, default=None
        Index of an additive constant of the model (conditioning; see
        :class:`skphys._core.LeastSquaresProblem`).
    jacobian : str, default='rows'
        Jacobian method, or 'auto' to choose one.
    """

    names: tuple
    starts: list
    acceptable: object = None
    offset_index: int = None
    jacobian: str = "rows"


def _check_enough_samples(observed, n_params):
    """``observed``: sample weights, or the number of observations of non-zero weight."""
    n_samples = observed if np.ndim(observed) == 0 else np.count_nonzero(observed)
    if n_samples < n_params:
        raise ValueError(
            f"Found n_samples={n_samples} (with non-zero weight) but the model has "
            f"{n_params} parameters: at least {n_params} samples are needed."
        )


def summary_row(name, value, err, interval, unit):
    """One parameter's line of :meth:`BaseParametricRegressor.summary`.

    Parameters
    ----------
    name : str
        The parameter's name (at most 10 characters stay aligned).
    value, err : float
        Its value and standard error.
    interval : tuple of float
        Lower and upper bound.
    unit : str
        The unit of all three.

    Returns
    -------
    line : str
    """
    low, high = interval
    return f"{name:<10} {value:>14.7g} {err:>12.4g} {f'[{low:.7g}, {high:.7g}]':>32}  {unit}"


class BaseParametricRegressor(
    VersionedStateMixin, GradientFitMixin, RegressorContractMixin, RegressorMixin, BaseEstimator
):
    """Shared machinery of the named-parameter regressors; not for direct use.

    Subclasses provide ``_model(params, X)``, ``_check_X(X)`` (reject inputs the
    model is not defined for) and ``_fit_spec(X, y, sample_weight)`` (names,
    starts and options, as a :class:`FitSpec`).
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
        "gradient_weight": [StrOptions({"auto"}), Interval(Real, 0, None, closed="neither")],
    }

    def _check_X(self, X):
        """Reject inputs the model is not defined for."""

    # -- validation ----------------------------------------------------------------
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

    def _checked_p0(self, p0, names, bounds):
        if p0.shape[0] != len(names):
            raise ValueError(
                f"p0 has {p0.shape[0]} values but the model has {len(names)} parameters {names}."
            )
        if not np.all(np.isfinite(p0)):
            raise ValueError(f"p0 must be finite, got {p0.tolist()}.")
        if bounds is not None and (np.any(p0 < bounds[0]) or np.any(p0 > bounds[1])):
            raise ValueError(f"p0={p0.tolist()} lies outside bounds {self.bounds!r}.")
        return p0

    def _validate_fit_data(self, X, y, sample_weight, y_grad=None):
        X, y, y_grad = validate_values_and_gradients(self, X, y, y_grad)
        self._check_X(X)
        sample_weight = checked_sample_weight(sample_weight, X)
        return X, y, sample_weight, y_grad

    # -- fit -----------------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, y_grad=None):
        """Fit the model parameters by (weighted) least squares.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs, in the units the model expects.
        y : array-like of shape (n_samples,)
            Targets, in the units the model returns; with ``y_grad``, NaN marks a
            sample whose value was not observed.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative relative weights of the samples (e.g. ``1 / sigma**2``);
            normalised to mean one over the samples of non-zero weight, so only
            their ratios matter, and a zero weight is the same as a removed sample.
        y_grad : array-like of shape (n_samples, n_features), default=None
            Observed derivatives of y with respect to X, units of y per unit of X;
            NaN marks an entry not observed. They are fitted with the values in one
            least-squares problem, weighted by ``gradient_weight``.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._fit(X, y, sample_weight, y_grad)
        return self

    def _fit(self, X, y, sample_weight, y_grad=None):
        """Validate, solve and set the fitted attributes; returns the validated data."""
        X, y, sample_weight, y_grad = self._validate_fit_data(X, y, sample_weight, y_grad)
        # the start and the checks of the subclass see the observed values only
        has_value = ~np.isnan(y)
        value_weight = np.where(has_value, sample_weight, 0.0)
        spec = self._fit_spec(X, np.where(has_value, y, 0.0), value_weight)
        n_params = len(spec.names)
        n_observed = np.count_nonzero(value_weight) + (
            0 if y_grad is None else np.count_nonzero(~np.isnan(y_grad[sample_weight > 0]))
        )
        _check_enough_samples(n_observed, n_params)
        model = self._model
        jacobian = resolve_jacobian_method(model, spec.starts[0], X, spec.jacobian)
        self._check_gradient_jacobian(y_grad, jacobian)
        start_weight = starting_gradient_weight(X, sample_weight, self.gradient_weight)
        problem = LeastSquaresProblem(
            model, X, y, sample_weight=sample_weight, jacobian=jacobian,
            offset_index=spec.offset_index, y_grad=y_grad, gradient_weight=start_weight,
        )  # fmt: skip
        accept = spec.acceptable

        def solve(starts):
            result, _ = solve_best(
                problem, starts,
                stop_when=None if accept is None else (lambda result: accept(result.params)),
                solver=self.solver, bounds=self._validated_bounds(n_params),
                max_iter=self.max_iter, tol=self.tol, learning_rate=self.learning_rate,
                callback=self.callback, verbose=self.verbose,
            )  # fmt: skip
            return result

        if y_grad is not None and self.gradient_weight == "auto":
            result, _ = solve_with_gradient_weight(problem, solve, spec.starts)
        else:
            result = solve(spec.starts)
        pcov, residual_variance, dof, factor = parameter_covariance(problem, result.params)
        self.param_names_ = spec.names
        self.params_ = result.params
        self.pcov_ = pcov
        self.pcov_factor_ = factor
        self.perr_ = np.sqrt(np.diag(pcov))
        self.residual_variance_ = residual_variance
        self.dof_ = int(dof)
        self.jacobian_method_ = jacobian
        self._set_gradient_fit(problem, residual_variance, result.params)
        self._set_fit_result(result)
        self.lack_of_fit_ = self._diagnose_lack_of_fit(problem, X, y, sample_weight, y_grad)
        if self.lack_of_fit_.structured:
            warn(self._lack_of_fit_message(X.shape[1]), LackOfFitWarning)
        return X, y, sample_weight

    # -- lack of fit -----------------------------------------------------------------
    def _diagnose_lack_of_fit(self, problem, X, y, sample_weight, y_grad):
        """Whether the residuals of the values, ordered along the input, look like noise."""
        with np.errstate(all="ignore"):
            y_pred = np.asarray(self._model(self.params_, X), dtype=float).ravel()
        # along X for one feature; for several, the fitted values order the samples
        order_by = X[:, 0] if X.shape[1] == 1 else y_pred
        if y_grad is not None:
            # the values share the fit with the derivatives: the test's null
            # distribution (the residuals of the values alone) does not hold
            return lack_of_fit(order_by, y, y_pred, sample_weight,
                               untested_reason="fitted with derivatives")  # fmt: skip
        values = problem.block_rows[0]
        jacobian = problem.data_jacobian(problem.internal(self.params_))[values]
        return lack_of_fit(order_by, y, y_pred, sample_weight, jacobian)

    def _y_unit(self):
        """Unit of y, for messages ('' where unknown)."""
        return ""

    def _lack_of_fit_message(self, n_features):
        lof, unit = self.lack_of_fit_, self._y_unit()
        along = "X" if n_features == 1 else "the fitted values"
        return (
            f"{type(self).__name__}: the residuals are structured along {along}: "
            f"{lof.n_runs} runs of signs where {lof.expected_runs:.3g} are expected, "
            f"Durbin-Watson {format_pvalue(lof.pvalue)}; RMS residual {lof.rms:.3g} "
            f"{unit or '(units of y)'}, {100 * lof.relative_rms:.3g}% of the spread of y. "
            "They are model error, not independent noise: the parameter standard "
            "errors and intervals assume independent noise and understate the "
            "uncertainty. For predictions, CalibratedIntervalRegressor(...) gives "
            "intervals that carry this error; otherwise use a more flexible form, or "
            "read the parameters as effective ones."
        )

    # -- prediction and uncertainty ------------------------------------------------
    def _validated_X(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        self._check_X(X)
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

    def confidence_intervals(self, alpha=0.05):
        """Two-sided ``1 - alpha`` confidence intervals of the parameters.

        ``params_ -/+ t_{1-alpha/2, dof_} perr_``, as pycse's ``nlinfit`` reports.
        After a fit with derivatives, each parameter's t has the
        Welch-Satterthwaite degrees of freedom of its variance, shared between
        the values and the derivatives by what each contributes.

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
        alpha = check_alpha(alpha)
        half = student_t_quantile(alpha, self._parameter_dof()) * self.perr_
        return np.column_stack([self.params_ - half, self.params_ + half])

    def _param_units(self):
        """Unit of each parameter, for :meth:`summary` ('' where unknown)."""
        return ("",) * len(self.params_)

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
            then the sum of squared residuals, degrees of freedom, the test of the
            residuals for lack of fit (``lack_of_fit_``), and why and after how
            many iterations the solver stopped.
        """
        intervals = self.confidence_intervals(alpha)
        level = f"{100 * (1 - alpha):g}% interval"
        header = f"{'parameter':<10} {'value':>14} {'std error':>12} {level:>32}  unit"
        lines = [f"{type(self).__name__} fit", header, "-" * len(header)]
        for name, value, err, interval, unit in zip(
            self.param_names_, self.params_, self.perr_, intervals, self._param_units(),
            strict=True,
        ):  # fmt: skip
            lines.append(summary_row(name, value, err, interval, unit))
        # loss_ is the weighted mean square over the samples of non-zero weight
        sse = self.loss_ * (self.dof_ + len(self.params_))
        lines.append("-" * len(header))
        lines.append(f"SSE = {sse:.6g}, dof = {self.dof_}, solver = {self.solver!r}")
        if self.gradient_weight_ is not None:
            lines.append(self._gradient_line())
        lines.append(self.lack_of_fit_.describe(self._y_unit()))
        lines.append(self._status_line())
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
        Most iterations: Jacobians ('lm', 'trf'; one per accepted step),
        iterations ('lbfgs') or steps ('adam'); ``n_iter_`` counts the same.
    tol : float, default=1e-8
        Relative tolerance ('lm', 'trf': on the sum of squares, the step and the
        gradient; 'lbfgs': on the objective scaled to one at the start); 0 asks
        for machine precision. For 'adam', the mean squared residual (units of y
        squared) at which to stop.
    learning_rate : float, default=1e-3
        Adam's step size, in the units of the parameters.
    callback : callable, default=None
        ``callback(params, iteration, loss)`` after each iteration.
    jacobian : {'auto', 'rows', 'broadcast', 'reverse'}, default='auto'
        'broadcast': one reverse pass over per-sample parameter copies, passed as
        an array of shape (n_params, n_samples) (fast; needs the convention
        above); 'rows': the same with the copies passed as a tuple of rows (faster
        still, for models that only unpack ``params``); 'reverse':
        ``autograd.jacobian`` (any model, one pass per sample); 'auto': the
        faster of 'rows' and 'broadcast' among those a forward-mode check at
        ``p0`` confirms exact for this model (checked once per model function),
        else 'reverse'.
    verbose : int, default=0
        Print the loss at every iteration when positive.
    gradient_weight : 'auto' or float, default='auto'
        Weight of a squared residual of ``y_grad`` relative to a squared residual
        of y, in units of X squared (e.g. Å^2): ``sigma_y^2 / sigma_grad^2``. Used
        only when ``fit`` is given ``y_grad``. 'auto' estimates the residual
        variance of each from the fit and refits until the weight they imply
        settles, starting from the variance of X.

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
    gradient_weight_ : float or None
        The weight of the derivatives in the last fit, units of X squared;
        ``None`` when it had no ``y_grad``.
    gradient_variance_ : float or None
        Residual variance of a derivative, ``residual_variance_ /
        gradient_weight_``, units of y per unit of X, squared; ``None`` without ``y_grad``.
    dof_ : int
        Degrees of freedom, samples with non-zero weight minus parameters.
    lack_of_fit_ : LackOfFit
        The test of the residuals for lack of fit (see
        :class:`~skphys.exceptions.LackOfFitWarning`): ``pvalue`` of the
        Durbin-Watson test along X (one feature) or along the fitted values
        (several), NaN when not tested (fewer than 8 samples of non-zero weight,
        a fit with ``y_grad``, or residuals at the level of rounding errors),
        ``structured`` (``pvalue`` below 0.01), ``n_runs`` and ``expected_runs`` of
        the signs of the residuals, ``rms`` (units of y) and ``relative_rms`` (over
        the weighted standard deviation of y).
    n_iter_ : int
        Iterations the solver took.
    loss_ : float
        Final (weighted) mean squared residual over the samples of non-zero
        weight, units of y squared.
    loss_curve_ : list of float
        Mean squared residual at the start and after every iteration.
    converged_ : bool
        Whether the solver's convergence test was met.
    fit_status_ : str
        Why the fit stopped: 'converged', 'callback', 'max_iter',
        'max_evaluations', 'line_search', 'stalled' or 'diverged'.
    fit_message_ : str
        The same in words, with the test or limit that stopped it.
    jacobian_method_ : str
        The Jacobian method used ('rows', 'broadcast' or 'reverse').
    n_features_in_ : int
        Number of features seen in fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen in fit, when X had string column names.

    Warns
    -----
    ~skphys.exceptions.LackOfFitWarning
        When the residuals are structured along the input (Durbin-Watson test at
        the 1 % level): the intervals assume independent noise and understate
        the uncertainty.

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
        gradient_weight="auto",
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
        self.gradient_weight = gradient_weight

    @property
    def _model(self):
        # the user's function itself: the core remembers its Jacobian method by it
        return self.model

    def _fit_spec(self, X, y, sample_weight):
        p0 = self._given_p0(X, y)
        if self.param_names is not None:
            names = tuple(str(n) for n in self.param_names)
            if p0 is not None and len(names) != p0.size:
                raise ValueError(f"param_names has {len(names)} names but p0 has {p0.size} values.")
        elif p0 is None:
            raise ValueError("ParametricRegressor needs p0 or param_names to count parameters.")
        else:
            names = tuple(f"p{i}" for i in range(p0.size))
        bounds = self._validated_bounds(len(names))
        if p0 is None:
            p0 = np.ones(len(names)) if bounds is None else np.clip(np.ones(len(names)), *bounds)
        return FitSpec(
            names=names, starts=[self._checked_p0(p0, names, bounds)], jacobian=self.jacobian
        )
