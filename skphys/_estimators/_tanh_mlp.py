"""TanhMLPRegressor: small tanh networks fitted by the shared least-squares core.

The network is the pure function :func:`skphys._estimators._network.tanh_network`;
this module only standardises the data, draws starting weights, hands the problem
to the core's :func:`~skphys._core.solve_best` (Levenberg-Marquardt on the autograd
Jacobian by default) and converts the result back to the units of the data.
"""

from functools import partial
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from .._core import (
    SOLVERS,
    LeastSquaresProblem,
    model_jacobian,
    parameter_covariance,
    prediction_std,
    solve_best,
    solve_with_gradient_weight,
    warn,
)
from ..exceptions import ExtrapolationWarning, OverparameterizedWarning
from ._base import RegressorContractMixin, checked_sample_weight, validate_values_and_gradients
from ._gradients import GradientFitMixin, starting_gradient_weight
from ._network import (
    TanhNetwork,
    flatten,
    init_network,
    n_network_params,
    tanh_network,
    tanh_network_gradient,
    to_original_units,
    unflatten,
)
from ._persistence import VersionedStateMixin

# A point counts as inside the training domain up to this fraction of the range
# of each feature beyond its ends (round-off), on top of the domain margin.
_DOMAIN_RTOL = 1e-9


def _largest_gap(values):
    """Largest spacing between consecutive distinct values of each column.

    The network is trusted across gaps this wide between training points; a point
    that far beyond the last one is no further from the data (a test fold's edge
    point in cross-validation), and is not called an extrapolation.
    """
    gaps = []
    for column in values.T:
        distinct = np.unique(column)
        gaps.append(np.max(np.diff(distinct)) if distinct.size > 1 else 0.0)
    return np.asarray(gaps)


def _weighted_mean_and_scale(values, weight):
    """Weighted mean and standard deviation of each column; a zero spread gives 1."""
    mean = np.average(values, axis=0, weights=weight)
    scale = np.sqrt(np.average((values - mean) ** 2, axis=0, weights=weight))
    return mean, np.where(scale > 0, scale, 1.0)


class _StopRule:
    """Ends one start when the fit stalls or the training RMSE meets its target.

    The fit stalls when ``n_iter_no_change`` successive iterations each lower the
    standardised RMSE ``sqrt(loss)`` by less than ``tol``: an absolute rule on a
    scale set by the spread of y, which ends noisy fits (slow relative progress)
    and near-exact ones (fast relative progress on a vanishing loss) alike.
    """

    def __init__(self, tol, n_iter_no_change, rmse=None, target_rmse=None):
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.rmse = rmse
        self.target_rmse = target_rmse
        self.best = np.inf
        self.stalled = 0
        self.reached_target = False

    def __call__(self, params, iteration, loss):
        if self.target_rmse is not None and self.rmse(params, loss) <= self.target_rmse:
            self.reached_target = True
            raise StopIteration
        rmse = np.sqrt(loss)
        self.stalled = self.stalled + 1 if rmse > self.best - self.tol else 0
        self.best = min(self.best, rmse)
        if self.stalled >= self.n_iter_no_change:
            raise StopIteration


class TanhMLPRegressor(
    VersionedStateMixin, GradientFitMixin, RegressorContractMixin, RegressorMixin, BaseEstimator
):
    """Fully connected tanh network fitted by least squares (Levenberg-Marquardt).

    A multi-layer perceptron with ``tanh`` hidden units and a linear output layer,
    as :class:`sklearn.neural_network.MLPRegressor` with ``activation='tanh'``,
    but trained by the second-order least-squares solvers of skphys on the exact
    autograd Jacobian, with restarts from several random starting weights,
    prediction uncertainties, input gradients and a warning when predictions
    leave the training domain.

    Inputs and targets are standardised inside ``fit`` (weighted mean zero, unit
    variance per column), so data in physical units (distances in Å, energies
    near -400 eV) need no scaler; ``coefs_`` and ``intercepts_`` are converted
    back and act on the data in their own units.

    Parameters
    ----------
    hidden_layer_sizes : int or array-like of int, default=(10,)
        Number of tanh units in each hidden layer; ``()`` gives a linear model.
    solver : {'lm', 'trf', 'lbfgs', 'adam'}, default='lm'
        Solver of the shared fitting core: 'lm' (Levenberg-Marquardt, MINPACK)
        and 'trf' (trust region reflective) on the Jacobian of the residuals,
        'lbfgs' (L-BFGS-B) and 'adam' on the gradient of the loss.
    alpha : float, default=1e-6
        Strength of the L2 penalty on the weights and biases of the standardised
        network: the fit minimises ``sum_i w_i ||r_i||^2 + alpha ||p||^2`` over
        the standardised residuals ``r`` (dimensionless) and parameters ``p``,
        with the sample weights ``w`` as given (``MLPRegressor`` penalises the
        weights only). With ``alpha > 0`` the problem is well posed for any number
        of samples, fewer than parameters included; with ``alpha=0`` at least as
        many values of y as parameters are needed (else ``ValueError``). The
        penalty is also the ridge (prior) of the standard deviation of
        :meth:`predict`.
    max_iter : int, default=1000
        Most residual evaluations ('lm', 'trf'), iterations ('lbfgs') or steps
        ('adam') for each start.
    tol : float, default=1e-4
        A start ends when ``n_iter_no_change`` successive iterations each lower
        the training RMSE, in units of the standard deviation of y
        (``sqrt(loss_)``), by less than ``tol`` (the rule of ``MLPRegressor``,
        which applies it to its loss in units of y squared), or when the
        solver's own convergence test is met at a tight 1e-8. Adam takes small
        steps: give it a smaller ``tol``.
    n_iter_no_change : int, default=10
        Successive iterations without an improvement of ``tol`` that end a start.
    learning_rate : float, default=1e-3
        Adam's step size, in units of the standardised weights.
    init_scale : float or 'fan_in', default='fan_in'
        Standard deviation of the random starting weights and biases of the
        standardised network; 'fan_in' draws weights with standard deviation
        ``1 / sqrt(n_in)`` of each layer and biases with 1. The blog this
        estimator comes from used 0.1.
    n_restarts : int, default=1
        Extra starts from new random weights; the start with the lowest loss is
        kept (or the first to reach ``target_rmse``). A guard against the bad
        local minima a single random start sometimes ends in: one start missed
        the blog's targets (cube root MSE < 2e-5, Cu2 RMSE < 5 meV) for 2 and 1
        of 30 seeds, the best of two for none.
    target_rmse : float, default=None
        Stop as soon as the (weighted) training root mean squared error, in the
        units of y (all outputs pooled), falls to this value, and try no more
        starts. ``None`` fits every start to convergence.
    random_state : int, RandomState instance or None, default=None
        Seed of the starting weights; an int gives the same model at every fit.
    warm_start : bool, default=False
        Start from the weights of the previous fit (one start, same
        standardisation) instead of random ones.
    verbose : int, default=0
        Print the loss at every iteration when positive.
    gradient_weight : 'auto' or float, default='auto'
        Weight of a squared residual of ``y_grad`` relative to a squared residual
        of y, in units of X squared (Å^2 for distances): ``sigma_y^2 /
        sigma_grad^2``. Used only when ``fit`` is given ``y_grad``. 'auto'
        estimates the residual variance of each from the fit and refits from
        where the last fit ended until the weight they imply settles, starting
        from the mean variance of the features (equal weight once standardised).

    Attributes
    ----------
    coefs_ : list of ndarray of shape (n_in, n_out)
        Weights of each layer, acting on the data in their own units: the first
        layer takes X as given, the last returns y in its units.
    intercepts_ : list of ndarray of shape (n_out,)
        Biases of each layer, in the same units as ``coefs_``.
    n_iter_ : int
        Iterations of the kept start.
    loss_ : float
        Final loss of the kept start, dimensionless: the weighted mean over
        samples of the squared residuals of the standardised targets (averaged
        over outputs) plus ``alpha ||p||^2 / sum(w)``. Without penalty,
        ``loss_ * y_scale_**2`` is the mean squared error in units of y squared.
    loss_curve_ : list of float
        Loss of the kept start at its start and after every iteration.
    start_losses_ : ndarray of shape (n_starts,)
        Final loss of every start tried, in the order tried.
    pcov_ : ndarray of shape (n_params, n_params)
        Delta-method covariance of the flat parameters of the standardised
        network, with the penalty as a ridge.
    pcov_factor_ : ndarray of shape (n_params, k)
        ``L`` with ``pcov_ = L @ L.T``; used by ``predict(return_std=True)``.
    x_mean_, x_scale_ : ndarray of shape (n_features,)
        Weighted mean and standard deviation of each feature, units of X.
    y_mean_, y_scale_ : ndarray of shape (n_outputs,)
        Weighted mean and standard deviation of each target, units of y.
    data_min_, data_max_ : ndarray of shape (n_features,)
        Smallest and largest value of each feature among the training samples of
        non-zero weight (see :meth:`in_training_domain`).
    domain_margin_ : ndarray of shape (n_features,)
        Largest spacing between consecutive training values of each feature, units
        of X: the training domain reaches this far beyond ``data_min_`` and
        ``data_max_``, as far as the fit already bridges between its points.
    residual_variance_ : float or ndarray of shape (n_outputs,)
        ``s^2``, the weighted sum of squared residuals over ``dof_``, units of y
        squared (one per output for several outputs).
    gradient_weight_ : float or None
        The weight of the derivatives in the last fit, units of X squared;
        ``None`` when it had no ``y_grad``.
    gradient_variance_ : float or None
        Residual variance of a derivative, ``residual_variance_ /
        gradient_weight_``, units of y per unit of X, squared; ``None`` without
        ``y_grad``.
    dof_ : float
        Degrees of freedom of the residuals: values of y of non-zero weight minus
        the effective number of parameters (the trace of the hat matrix with the
        penalty as a ridge).
    converged_ : bool
        Whether the kept start ended on a convergence test (the solver's, the
        stall rule of ``tol``, or ``target_rmse``).
    fit_status_ : str
        Why the kept start stopped: 'converged' (the solver's test or the stall
        rule of ``tol``), 'target_rmse', 'max_iter', 'max_evaluations',
        'line_search', 'stalled' or 'diverged'.
    fit_message_ : str
        The same in words.
    n_outputs_ : int
        Number of targets.
    n_features_in_ : int
        Number of features seen in fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen in fit, when X had string column names.

    See Also
    --------
    sklearn.neural_network.MLPRegressor : the same network trained by Adam,
        SGD or L-BFGS on unscaled data.
    ParametricRegressor : any autograd model on the same fitting core.

    Notes
    -----
    The network does not extrapolate: outside the range of the training inputs
    its predictions follow from the saturation of the tanh units, not from the
    data. :meth:`predict` warns with :class:`~skphys.exceptions.ExtrapolationWarning`
    when asked there, and its standard deviation grows there.

    Examples
    --------
    >>> import numpy as np
    >>> from skphys import TanhMLPRegressor
    >>> X = np.linspace(0, 1, 50).reshape(-1, 1)
    >>> y = X[:, 0] ** (1 / 3)
    >>> net = TanhMLPRegressor(hidden_layer_sizes=(3,), random_state=0).fit(X, y)
    >>> bool(np.mean((net.predict(X) - y) ** 2) < 2e-5)
    True
    """

    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "solver": [StrOptions(set(SOLVERS))],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "init_scale": [Interval(Real, 0, None, closed="neither"), StrOptions({"fan_in"})],
        "n_restarts": [Interval(Integral, 0, None, closed="left")],
        "target_rmse": [Interval(Real, 0, None, closed="neither"), None],
        "random_state": ["random_state"],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
        "gradient_weight": [StrOptions({"auto"}), Interval(Real, 0, None, closed="neither")],
    }

    def __init__(
        self,
        hidden_layer_sizes=(10,),
        *,
        solver="lm",
        alpha=1e-6,
        max_iter=1000,
        tol=1e-4,
        n_iter_no_change=10,
        learning_rate=1e-3,
        init_scale="fan_in",
        n_restarts=1,
        target_rmse=None,
        random_state=None,
        warm_start=False,
        verbose=0,
        gradient_weight="auto",
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.solver = solver
        self.alpha = alpha
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.learning_rate = learning_rate
        self.init_scale = init_scale
        self.n_restarts = n_restarts
        self.target_rmse = target_rmse
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
        self.gradient_weight = gradient_weight

    # -- fit -----------------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, y_grad=None):
        """Fit the network to (X, y), and to y_grad if given, from random starts.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs, in their own units (e.g. distances, Å).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets, in their own units (e.g. energies, eV).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples (e.g. ``1 / sigma**2``); an integer
            weight counts as that many copies of the sample.
        y_grad : array-like of shape (n_samples, n_features), default=None
            Observed derivatives of y (one output) with respect to X, units of y per
            unit of X (``dE/dr``, eV/Å, the negative of the forces along the
            distances); NaN marks an entry not observed, and NaN in ``y`` a sample
            with derivatives only. Fitted with the values in one least-squares
            problem, weighted by ``gradient_weight``.

        Returns
        -------
        self : object
            The fitted estimator.

        Raises
        ------
        ValueError
            If X or y hold NaN or inf, are not numeric, have inconsistent shapes,
            or there are too few samples for the number of parameters.
        """
        X, y, y_grad = validate_values_and_gradients(self, X, y, y_grad, multi_output=True)
        sample_weight = checked_sample_weight(sample_weight, X)
        Y = y.reshape(y.shape[0], -1)
        layer_sizes = [X.shape[1], *self._hidden_sizes(), Y.shape[1]]
        has_value = ~np.isnan(Y[:, 0])
        value_weight = np.where(has_value, sample_weight, 0.0)
        n_values = np.count_nonzero(value_weight) * Y.shape[1]
        if y_grad is not None:
            n_values += np.count_nonzero(~np.isnan(y_grad[sample_weight > 0]))
        self._check_enough_samples(layer_sizes, n_values, np.count_nonzero(sample_weight))
        warm = self.warm_start and hasattr(self, "coefs_")
        if warm:
            self._check_warm_start(layer_sizes)
        else:
            self.x_mean_, self.x_scale_ = _weighted_mean_and_scale(X, sample_weight)
            self.y_mean_, self.y_scale_ = _weighted_mean_and_scale(
                np.where(has_value[:, None], Y, 0.0), value_weight
            )
        kept = sample_weight > 0
        self.data_min_, self.data_max_ = X[kept].min(axis=0), X[kept].max(axis=0)
        self.domain_margin_ = _largest_gap(X[kept])

        gradients = {}
        if y_grad is not None:
            # d(y/y_scale)/d(x/x_scale): the derivatives of the standardised problem,
            # weighted so that gradient_weight keeps the units of the data
            gradients = dict(
                y_grad=y_grad * self.x_scale_ / self.y_scale_[0],
                gradient_weight=starting_gradient_weight(X, sample_weight, self.gradient_weight),
                gradient_scale=1.0 / self.x_scale_**2,
            )
        problem = LeastSquaresProblem(
            TanhNetwork(layer_sizes),
            (X - self.x_mean_) / self.x_scale_,
            (Y - self.y_mean_) / self.y_scale_,
            sample_weight=sample_weight,
            jacobian="broadcast",
            # The core normalises the weights to mean one over the samples kept;
            # this keeps alpha relative to the weights as given.
            alpha=self.alpha * np.count_nonzero(sample_weight) / sample_weight.sum(),
            **gradients,
        )
        # The penalty is the prior of the Laplace approximation: it is the ridge.
        ridge = np.full(n_network_params(layer_sizes), problem.alpha)
        outcome = {}

        def solve(starts):
            result, losses, reached = self._fit_starts(problem, layer_sizes, warm, starts)
            outcome.setdefault("start_losses", losses)
            outcome["reached"] = reached
            return result

        if y_grad is not None and self.gradient_weight == "auto":
            result, _ = solve_with_gradient_weight(problem, solve, None, ridge=ridge)
        else:
            result = solve(None)
        start_losses, reached_target = outcome["start_losses"], outcome["reached"]

        std_params = result.params
        pcov, residual_variance, dof, factor = parameter_covariance(
            problem, std_params, ridge=ridge
        )
        layers = to_original_units(
            unflatten(std_params, layer_sizes),
            self.x_mean_,
            self.x_scale_,
            self.y_mean_,
            self.y_scale_,
        )
        self.coefs_ = [np.asarray(W) for W, _ in layers]
        self.intercepts_ = [np.asarray(b) for _, b in layers]
        self.pcov_ = pcov
        self.pcov_factor_ = factor
        self.n_outputs_ = Y.shape[1]
        self.dof_ = float(dof)
        # the residual variance of the standardised targets, in the units of each output
        variance = residual_variance * self.y_scale_**2
        self.residual_variance_ = float(variance[0]) if self.n_outputs_ == 1 else variance
        self._set_gradient_fit(problem, self.residual_variance_, std_params, ridge)
        self.start_losses_ = np.asarray(start_losses)
        self._set_fit_result(result)
        if reached_target:
            self.fit_status_, self.fit_message_ = "target_rmse", (
                f"the training RMSE reached target_rmse={self.target_rmse:g}"
            )
        elif result.status == "callback":  # the stall rule: the network's own test
            self.fit_status_, self.fit_message_ = "converged", (
                f"converged: {self.n_iter_no_change} successive iterations each lowered the "
                f"standardised training RMSE by less than tol={self.tol:g}"
            )
        self._warn_overparameterized(problem, layer_sizes)
        return self

    def _warn_overparameterized(self, problem, layer_sizes):
        n_params = n_network_params(layer_sizes)
        n_values = problem.n_effective
        if n_params > n_values and self.dof_ < 1:
            warn(
                f"The network has {n_params} parameters for {n_values} values of y, and "
                f"the penalty alpha={self.alpha:g} leaves {n_values - self.dof_:.3g} of "
                f"them effective: it interpolates the data, and its standard deviations "
                f"and intervals rest on dof_={self.dof_:.2g} degrees of freedom. Use fewer "
                "hidden units or a larger alpha.",
                OverparameterizedWarning,
            )

    def _hidden_sizes(self):
        sizes = self.hidden_layer_sizes
        sizes = [sizes] if isinstance(sizes, Integral) else list(sizes)
        if not all(isinstance(s, Integral) and not isinstance(s, bool) and s > 0 for s in sizes):
            raise ValueError(
                f"hidden_layer_sizes must hold positive integers, got {self.hidden_layer_sizes!r}."
            )
        return [int(s) for s in sizes]

    def _check_enough_samples(self, layer_sizes, n_values, n_samples):
        # With alpha > 0 the penalty makes the problem well posed for any number
        # of samples; without it every parameter needs a value of y (or of y_grad).
        n_params = n_network_params(layer_sizes)
        if self.alpha == 0 and n_values < n_params:
            raise ValueError(
                f"Found n_samples={n_samples} (with non-zero weight), {n_values} values "
                f"of y (and of y_grad) for a network of {n_params} parameters: with "
                f"alpha=0 at least {n_params} are needed. Use alpha > 0 or fewer hidden "
                "units."
            )

    def _check_warm_start(self, layer_sizes):
        previous = [self.coefs_[0].shape[0]] + [W.shape[1] for W in self.coefs_]
        if previous != layer_sizes:
            raise ValueError(
                f"warm_start=True needs the layer sizes of the previous fit {previous}, "
                f"got {layer_sizes}. Set warm_start=False to start afresh."
            )

    def _standardised_params(self):
        """Flat parameters of the fitted network in standardised units."""
        layers = list(zip(self.coefs_, self.intercepts_, strict=True))
        W, b = layers[0]
        layers[0] = (W * self.x_scale_[:, None], b + self.x_mean_ @ W)
        W, b = layers[-1]
        layers[-1] = (W / self.y_scale_, (b - self.y_mean_) / self.y_scale_)
        return np.asarray(flatten(layers))

    def _fit_starts(self, problem, layer_sizes, warm, given=None):
        """Fit from every start; keep the lowest loss (or stop at the first on target).

        ``given``: starts to use instead of random ones (a refit with new block
        weights from where the last fit ended).
        """
        rng = check_random_state(self.random_state)
        n_starts = 1 if warm or given is not None else 1 + self.n_restarts

        rules = []

        def starts():
            for _ in range(n_starts):
                rmse = partial(self._training_rmse, problem)
                rules.append(_StopRule(self.tol, self.n_iter_no_change, rmse, self.target_rmse))
                if given is not None:
                    yield given[0]
                elif warm:
                    yield self._standardised_params()
                else:
                    yield init_network(layer_sizes, rng, self.init_scale)

        def callback(params, iteration, loss):
            rules[-1](params, iteration, loss)

        best, losses = solve_best(
            problem, starts(), stop_when=lambda result: rules[-1].reached_target,
            solver=self.solver, max_iter=self.max_iter, learning_rate=self.learning_rate,
            callback=callback, verbose=self.verbose,
        )  # fmt: skip
        reached = any(rule.reached_target for rule in rules)
        if best.loss > best.loss_curve[0]:
            warn(
                f"solver={self.solver!r} diverged: the loss rose from "
                f"{best.loss_curve[0]:.4g} to {best.loss:.4g} within max_iter={self.max_iter}. "
                "Lower learning_rate or use solver='lm'.",
                ConvergenceWarning,
            )
        if self.target_rmse is not None and not reached:
            warn(
                f"None of the {len(losses)} start(s) reached target_rmse={self.target_rmse:g} "
                f"within max_iter={self.max_iter}; the best training RMSE is "
                f"{self._training_rmse(problem, best.params):.4g}. Increase max_iter, "
                "n_restarts or hidden_layer_sizes.",
                ConvergenceWarning,
            )
        return best, losses, reached

    def _training_rmse(self, problem, params, loss=None):
        """Weighted RMSE of the fit in the units of y, all outputs pooled."""
        if loss is not None and len(self.y_scale_) == 1 and len(problem.blocks) == 1:
            # One output: the core's loss minus the penalty is the data term, no
            # need to evaluate the network again at every iteration.
            mean_square = max(loss - problem.penalty(params), 0.0)
            return float(self.y_scale_[0] * np.sqrt(mean_square))
        values = problem.blocks[0]
        residuals = problem.data_residuals(params)[problem.block_rows[0]]
        residuals = residuals.reshape(-1, len(self.y_scale_))
        return float(np.sqrt(np.sum((residuals * self.y_scale_) ** 2) / values.n_effective))

    # -- prediction ----------------------------------------------------------------
    def _validated_X(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        outside = ~self._inside(X)
        if outside.any():
            span = np.maximum(self.data_max_ - self.data_min_, np.finfo(float).tiny)
            excess = np.maximum(self.data_min_ - X, X - self.data_max_) / span
            sample, feature = np.unravel_index(np.argmax(excess), excess.shape)
            warn(
                f"{np.count_nonzero(outside)} of {X.shape[0]} samples lie outside the "
                f"training domain; the farthest has feature {feature} = "
                f"{X[sample, feature]:.6g}, trained on [{self.data_min_[feature]:.6g}, "
                f"{self.data_max_[feature]:.6g}]. A tanh network does not extrapolate: "
                "predict(X, return_std=True) shows the uncertainty growing there and "
                "in_training_domain(X) marks the samples inside.",
                ExtrapolationWarning,
            )
        return X

    def _inside(self, X):
        margin = self.domain_margin_ + _DOMAIN_RTOL * np.maximum(
            self.data_max_ - self.data_min_, 1.0
        )
        low, high = self.data_min_ - margin, self.data_max_ + margin
        return np.all((X >= low) & (X <= high), axis=1)

    def _internal_jacobian(self, X):
        # in the standardised units the network was fitted in
        Xs = (X - self.x_mean_) / self.x_scale_
        network = TanhNetwork(self._layer_sizes())
        return model_jacobian(network, self._standardised_params(), Xs, "broadcast")

    def _flat_params(self):
        return np.asarray(flatten(list(zip(self.coefs_, self.intercepts_, strict=True))))

    def _layer_sizes(self):
        return [self.coefs_[0].shape[0]] + [W.shape[1] for W in self.coefs_]

    def _shape_output(self, values):
        return values.ravel() if self.n_outputs_ == 1 else values

    def summary(self):
        """The network, its fit and the status of the solver, as text.

        Returns
        -------
        text : str
            Layer sizes and number of parameters, the residual standard deviation
            per output (units of y) with its degrees of freedom, the starts tried
            and why the kept one stopped.
        """
        check_is_fitted(self)
        sizes = self._layer_sizes()
        n_params = n_network_params(sizes)
        lines = [
            f"{type(self).__name__} fit",
            f"layers: {sizes} ({n_params} parameters, alpha = {self.alpha:g})",
            f"residual standard deviation s = {np.sqrt(np.atleast_1d(self.residual_variance_))}"
            f" (units of y), dof = {self.dof_:.4g}",
            f"starts: {len(self.start_losses_)}, final losses {self.start_losses_}",
            f"solver = {self.solver!r}",
            *([self._gradient_line()] if self.gradient_weight_ is not None else []),
            self._status_line(),
        ]
        return "\n".join(lines)

    def in_training_domain(self, X):
        """Whether each sample lies within the range of the training inputs.

        The domain is the box ``data_min_ - domain_margin_ <= x <= data_max_ +
        domain_margin_`` (per feature, over the training samples of non-zero
        weight); outside it the network extrapolates and its predictions are not
        supported by data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs, in the units of the training X.

        Returns
        -------
        inside : ndarray of bool of shape (n_samples,)
            True where every feature lies within its training range.
        """
        check_is_fitted(self)
        return self._inside(validate_data(self, X, dtype=np.float64, reset=False))

    def predict(self, X, return_std=False):
        """Predict with the network, optionally with a standard deviation.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs, in the units of the training X.
        return_std : bool, default=False
            Also return the delta-method standard deviation of the prediction
            (parameter uncertainty; small where the data pin the network, large
            outside the training domain).

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predictions, in the units of y.
        y_std : ndarray of the shape of ``y_pred``
            Their standard deviation, units of y; only when ``return_std=True``.

        Warns
        -----
        ExtrapolationWarning
            When a sample lies outside the training domain.
        """
        X = self._validated_X(X)
        y_pred = np.asarray(tanh_network(self._flat_params(), X, self._layer_sizes()))
        if not return_std:
            return self._shape_output(y_pred)
        return self._shape_output(y_pred), self._shape_output(self._std(X))

    def _std(self, X):
        if not np.all(np.isfinite(self.pcov_)):
            return np.full((X.shape[0], self.n_outputs_), np.inf)
        sizes = self._layer_sizes()
        std_params = self._standardised_params()
        Xs = (X - self.x_mean_) / self.x_scale_
        std = prediction_std(TanhNetwork(sizes), std_params, self.pcov_factor_, Xs, "broadcast")
        return std.reshape(X.shape[0], -1) * self.y_scale_

    def predict_gradient(self, X, return_std=False):
        """Derivatives of the predictions with respect to the inputs.

        For a potential energy ``E(r)`` fitted on distances, ``dE/dr`` (eV/Å) and
        the force is its negative.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Inputs, in the units of the training X.
        return_std : bool, default=False
            Also return the delta-method standard deviation of each derivative
            (parameter uncertainty, as that of :meth:`predict`).

        Returns
        -------
        gradient : ndarray of shape (n_samples, n_features) or \
                (n_samples, n_outputs, n_features)
            ``d y / d x`` at each sample, units of y per unit of X; the second
            shape for several outputs.
        gradient_std : ndarray of the shape of ``gradient``
            Its standard deviation; only when ``return_std=True``.

        Warns
        -----
        ExtrapolationWarning
            When a sample lies outside the training domain.
        """
        X = self._validated_X(X)
        sizes = self._layer_sizes()
        # in the standardised units the network was fitted in, then back
        Xs = (X - self.x_mean_) / self.x_scale_
        params = self._standardised_params()
        units = self.y_scale_[None, :, None] / self.x_scale_[None, None, :]
        gradient = np.asarray(tanh_network_gradient(params, Xs, sizes)) * units
        shaped = (lambda a: a[:, 0, :]) if self.n_outputs_ == 1 else (lambda a: a)
        if not return_std:
            return shaped(gradient)
        if not np.all(np.isfinite(self.pcov_)):
            return shaped(gradient), shaped(np.full(gradient.shape, np.inf))
        std = prediction_std(
            TanhNetwork(sizes).all_gradients, params, self.pcov_factor_, Xs, "broadcast"
        )
        return shaped(gradient), shaped(std.reshape(gradient.shape) * units)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
