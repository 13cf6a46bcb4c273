"""Tests of TanhMLPRegressor, its network functions and the core features it uses."""

import pickle
import warnings
from functools import partial

import autograd.numpy as anp
import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from skphys import ExtrapolationWarning, FitFailedError, TanhMLPRegressor
from skphys._core import (
    SOLVERS,
    LeastSquaresProblem,
    broadcast_jacobian,
    parameter_covariance,
    reverse_jacobian,
    solve,
)
from skphys._estimators._network import (
    flatten,
    init_network,
    n_network_params,
    tanh_network,
    to_original_units,
    unflatten,
)

# The blog's data: y = x^(1/3) on np.linspace(0, 1) (50 points), fitted by a
# [1, 3, 1] network until the mean squared error fell below 2e-5.
CUBE_X = np.linspace(0, 1, 50).reshape(-1, 1)
CUBE_Y = CUBE_X[:, 0] ** (1 / 3)
CUBE_MSE = 2e-5


@pytest.fixture(scope="module")
def cu2(dimer_energies):
    distances = np.linspace(1.7, 3.0, 300)
    return distances.reshape(-1, 1), dimer_energies("Cu", distances)


def rmse(a, b):
    return float(np.sqrt(np.mean((np.asarray(a) - np.asarray(b)) ** 2)))


# -- the network functions ----------------------------------------------------------
@pytest.mark.parametrize("layer_sizes", [[1, 3, 1], [3, 5, 4, 2], [2, 1]])
def test_network_follows_the_per_sample_convention(layer_sizes):
    rng = np.random.RandomState(0)
    params = init_network(layer_sizes, rng)
    X = rng.normal(size=(7, layer_sizes[0]))
    model = partial(tanh_network, layer_sizes=layer_sizes)
    assert params.shape == (n_network_params(layer_sizes),)
    assert_allclose(
        broadcast_jacobian(model, params, X), reverse_jacobian(model, params, X), rtol=1e-12
    )


def test_network_is_the_textbook_forward_pass():
    rng = np.random.RandomState(1)
    layer_sizes = [2, 4, 3, 2]
    params = init_network(layer_sizes, rng, scale=0.7)
    X = rng.normal(size=(6, 2))
    hidden = X
    layers = unflatten(params, layer_sizes)
    for W, b in layers[:-1]:
        hidden = np.tanh(hidden @ W + b)
    expected = hidden @ layers[-1][0] + layers[-1][1]
    assert_allclose(tanh_network(params, X, layer_sizes), expected, rtol=1e-12)
    assert_allclose(flatten(layers), params)


def test_original_units_network_equals_standardised_one():
    rng = np.random.RandomState(2)
    layer_sizes = [2, 5, 2]
    params = init_network(layer_sizes, rng)
    X = rng.normal(loc=[2.0, -400.0], scale=[0.3, 20.0], size=(9, 2))
    x_mean, x_scale = np.array([2.0, -400.0]), np.array([0.3, 20.0])
    y_mean, y_scale = np.array([-400.0, 1.0]), np.array([0.01, 5.0])
    standardised = tanh_network(params, (X - x_mean) / x_scale, layer_sizes)
    layers = to_original_units(unflatten(params, layer_sizes), x_mean, x_scale, y_mean, y_scale)
    assert_allclose(
        tanh_network(flatten(layers), X, layer_sizes),
        standardised * y_scale + y_mean,
        rtol=1e-12,
    )


# -- the two core features the network needs -------------------------------------------
def _exponential(params, X):
    a, b = params
    return a * anp.exp(-b * X[:, 0])  # autograd's numpy, as every model function


@pytest.mark.parametrize("solver", SOLVERS)
def test_core_callback_may_stop_the_fit(solver):
    X = np.linspace(0, 3, 30).reshape(-1, 1)
    problem = LeastSquaresProblem(_exponential, X, 2.0 * np.exp(-0.7 * X[:, 0]))
    seen = []

    def stop_at_third(params, iteration, loss):
        seen.append(params)
        if iteration == 3:
            raise StopIteration

    result = solve(problem, np.array([1.0, 1.0]), solver=solver, callback=stop_at_third)
    assert result.converged
    assert result.n_iter == 2 and len(result.loss_curve) == 3
    assert_allclose(result.params, seen[-1])


def test_core_ridge_covariance_uses_effective_degrees_of_freedom():
    rng = np.random.RandomState(0)
    X = rng.rand(20, 3)
    y = X @ [1.0, 2.0, 3.0] + rng.normal(0, 0.1, 20)

    def linear(params, X):
        return params[0] * X[:, 0] + params[1] * X[:, 1] + params[2] * X[:, 2]

    problem = LeastSquaresProblem(linear, X, y, jacobian="reverse")
    params = np.linalg.lstsq(X, y, rcond=None)[0]
    ridge = 0.5
    pcov, variance, dof, _ = parameter_covariance(problem, params, ridge=np.full(3, ridge))
    inverse = np.linalg.inv(X.T @ X + ridge * np.eye(3))
    hat_trace = np.trace(X @ inverse @ X.T)
    assert dof == pytest.approx(20 - hat_trace)
    assert variance == pytest.approx(np.sum((y - X @ params) ** 2) / (20 - hat_trace))
    assert_allclose(pcov, variance * inverse)


# -- the blog's two problems ---------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("seed", range(10))
def test_cube_root_reaches_the_blog_threshold(seed):
    net = TanhMLPRegressor(hidden_layer_sizes=(3,), random_state=seed).fit(CUBE_X, CUBE_Y)
    assert np.mean((net.predict(CUBE_X) - CUBE_Y) ** 2) < CUBE_MSE


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(10))
def test_cu2_emt_curve_within_5_mev(cu2, seed):
    X, y = cu2
    net = TanhMLPRegressor(hidden_layer_sizes=(10,), random_state=seed).fit(X, y)
    assert rmse(net.predict(X), y) < 0.005


def test_target_rmse_stops_at_the_threshold():
    target = np.sqrt(CUBE_MSE)
    net = TanhMLPRegressor((3,), target_rmse=target, random_state=0).fit(CUBE_X, CUBE_Y)
    full = TanhMLPRegressor((3,), random_state=0, n_restarts=0).fit(CUBE_X, CUBE_Y)
    assert rmse(net.predict(CUBE_X), CUBE_Y) <= target
    assert net.n_iter_ < full.n_iter_
    assert len(net.start_losses_) == 1  # the first start reached it: no restart


def test_unreachable_target_warns():
    net = TanhMLPRegressor((2,), target_rmse=1e-9, n_restarts=1, max_iter=30, random_state=0)
    with pytest.warns(ConvergenceWarning) as record:
        net.fit(CUBE_X, CUBE_Y)
    messages = [str(w.message) for w in record]
    assert any("None of the 2 start(s) reached target_rmse=1e-09" in m for m in messages)
    assert any("max_iter=30" in m for m in messages)  # the kept start's own warning
    assert len(net.start_losses_) == 2


def test_physical_units_need_no_scaler(cu2):
    # Energies near -400 eV fit as well as energies near 0; coefs_ act on Å and eV.
    X, y = cu2
    X, y = X[::3], y[::3]
    near_zero = TanhMLPRegressor((10,), random_state=0).fit(X, y)
    shifted = TanhMLPRegressor((10,), random_state=0).fit(X, y - 400.0)
    assert rmse(shifted.predict(X), y - 400.0) < 0.005
    assert_allclose(shifted.predict(X), near_zero.predict(X) - 400.0, atol=1e-6)
    hidden = np.tanh(X @ shifted.coefs_[0] + shifted.intercepts_[0])
    manual = hidden @ shifted.coefs_[1] + shifted.intercepts_[1]
    assert_allclose(manual[:, 0], shifted.predict(X), rtol=1e-12)


# -- attributes, determinism, persistence ----------------------------------------------
def test_fitted_attributes_are_plain_arrays_like_mlpregressor():
    net = TanhMLPRegressor((4, 3), n_restarts=1, random_state=0).fit(CUBE_X, CUBE_Y)
    assert [W.shape for W in net.coefs_] == [(1, 4), (4, 3), (3, 1)]
    assert [b.shape for b in net.intercepts_] == [(4,), (3,), (1,)]
    assert all(type(a) is np.ndarray for a in net.coefs_ + net.intercepts_)
    assert net.n_features_in_ == 1 and net.n_outputs_ == 1
    assert net.n_iter_ >= 1 and len(net.loss_curve_) == net.n_iter_ + 1
    assert net.loss_ == pytest.approx(net.loss_curve_[-1])
    assert net.loss_ == pytest.approx(net.start_losses_.min())
    assert net.start_losses_.shape == (2,)
    # Without penalty the loss is the mean squared error over the variance of y.
    plain = TanhMLPRegressor((3,), alpha=0.0, random_state=0).fit(CUBE_X, CUBE_Y)
    mse = np.mean((plain.predict(CUBE_X) - CUBE_Y) ** 2)
    assert plain.loss_ * plain.y_scale_[0] ** 2 == pytest.approx(mse, rel=1e-6)


def test_same_random_state_same_model_and_pickle():
    first = TanhMLPRegressor((5,), random_state=3).fit(CUBE_X, CUBE_Y)
    second = TanhMLPRegressor((5,), random_state=3).fit(CUBE_X, CUBE_Y)
    pairs = zip(first.coefs_ + first.intercepts_, second.coefs_ + second.intercepts_, strict=True)
    for a, b in pairs:
        assert_allclose(a, b, rtol=0, atol=0)
    other = TanhMLPRegressor((5,), random_state=4).fit(CUBE_X, CUBE_Y)
    assert not np.allclose(first.coefs_[0], other.coefs_[0])
    loaded = pickle.loads(pickle.dumps(first))
    grid = np.linspace(0, 1, 7).reshape(-1, 1)
    assert_allclose(loaded.predict(grid, return_std=True), first.predict(grid, return_std=True))


def test_warm_start_continues_from_the_previous_fit():
    net = TanhMLPRegressor((3,), max_iter=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        net.fit(CUBE_X, CUBE_Y)
    first_loss = net.loss_
    net.set_params(warm_start=True, max_iter=1000)
    net.fit(CUBE_X, CUBE_Y)
    assert net.loss_curve_[0] == pytest.approx(first_loss, rel=1e-6)
    assert net.loss_ < first_loss
    assert len(net.start_losses_) == 1
    net.set_params(hidden_layer_sizes=(4,))
    with pytest.raises(ValueError, match="warm_start"):
        net.fit(CUBE_X, CUBE_Y)


# -- what the estimator offers beyond MLPRegressor -------------------------------------
def test_std_small_inside_large_outside_the_training_range():
    net = TanhMLPRegressor((3,), random_state=0).fit(CUBE_X, CUBE_Y)
    inside = np.linspace(0, 1, 101).reshape(-1, 1)
    _, std_inside = net.predict(inside, return_std=True)
    with pytest.warns(ExtrapolationWarning):
        _, std_at_3 = net.predict([[3.0]], return_std=True)
    assert np.all(std_inside > 0)
    assert std_at_3[0] >= 5 * np.median(std_inside)


@pytest.mark.slow
def test_std_is_calibrated_on_noisy_data():
    # Noise of 0.01 on the cube root: the truth lies within 1.96 std of the fit at
    # about 95 % of the points inside the training range (measured 90 %).
    grid = np.linspace(0, 1, 101).reshape(-1, 1)
    covered = []
    for seed in range(5):
        y = CUBE_Y + np.random.RandomState(100 + seed).normal(0, 0.01, CUBE_Y.shape)
        net = TanhMLPRegressor((3,), random_state=seed).fit(CUBE_X, y)
        prediction, std = net.predict(grid, return_std=True)
        covered.append(np.mean(np.abs(prediction - grid[:, 0] ** (1 / 3)) < 1.96 * std))
    assert 0.8 <= np.mean(covered) <= 1.0


def test_extrapolation_is_flagged():
    net = TanhMLPRegressor((3,), random_state=0).fit(CUBE_X, CUBE_Y)
    X = np.array([[0.0], [0.5], [1.0], [1.2], [-0.1]])
    assert net.in_training_domain(X).tolist() == [True, True, True, False, False]
    with pytest.warns(ExtrapolationWarning, match="2 of 5 samples.*feature 0 = 1.2"):
        net.predict(X)
    with pytest.warns(ExtrapolationWarning):
        net.predict_gradient(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        net.predict(X[:3])
    assert issubclass(ExtrapolationWarning, UserWarning)


def test_training_domain_ignores_zero_weight_samples():
    weight = np.where(CUBE_X[:, 0] > 0.8, 0.0, 1.0)
    net = TanhMLPRegressor((3,), random_state=0).fit(CUBE_X, CUBE_Y, sample_weight=weight)
    assert net.data_max_[0] == pytest.approx(CUBE_X[weight > 0, 0].max())
    assert not net.in_training_domain([[0.9]])[0]


def test_gradient_matches_finite_differences(cu2, dimer_energies):
    X, y = cu2
    net = TanhMLPRegressor((10,), random_state=0).fit(X[::5], y[::5])
    r = np.linspace(1.8, 2.9, 12).reshape(-1, 1)
    step = 1e-6
    numeric = (net.predict(r + step) - net.predict(r - step)) / (2 * step)
    gradient = net.predict_gradient(r)
    assert gradient.shape == (12, 1)
    assert_allclose(gradient[:, 0], numeric, rtol=1e-6, atol=1e-6)
    # dE/dr of the fit is the EMT force: zero near the minimum, repulsive inside.
    exact = (dimer_energies("Cu", r[:, 0] + 1e-5) - dimer_energies("Cu", r[:, 0] - 1e-5)) / 2e-5
    assert_allclose(gradient[:, 0], exact, atol=0.05)


def test_gradient_of_several_features_and_outputs():
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(60, 2))
    Y = np.column_stack([np.sin(X[:, 0]) * X[:, 1], 100.0 * np.cos(X[:, 1])])
    net = TanhMLPRegressor((6,), n_restarts=0, random_state=0).fit(X, Y)
    points = rng.uniform(-0.5, 0.5, size=(5, 2))
    gradient = net.predict_gradient(points)
    assert gradient.shape == (5, 2, 2)
    step = 1e-6
    for k in range(2):
        shift = np.eye(2)[k] * step
        numeric = (net.predict(points + shift) - net.predict(points - shift)) / (2 * step)
        assert_allclose(gradient[:, :, k], numeric, rtol=1e-5, atol=1e-6)


def test_multi_output_with_different_units():
    X = np.linspace(0, 1, 40).reshape(-1, 1)
    Y = np.column_stack([np.sin(3 * X[:, 0]), 1e4 * X[:, 0] ** 2 - 400.0])
    net = TanhMLPRegressor((5,), random_state=0).fit(X, Y)
    prediction, std = net.predict(X, return_std=True)
    assert prediction.shape == std.shape == (40, 2)
    assert rmse(prediction[:, 0], Y[:, 0]) < 1e-3
    assert rmse(prediction[:, 1], Y[:, 1]) < 1e-3 * 1e4
    assert_allclose(net.y_scale_, Y.std(axis=0))


@pytest.mark.parametrize(
    "solver", [s if s != "adam" else pytest.param(s, marks=pytest.mark.slow) for s in SOLVERS]
)
def test_every_solver_fits_a_smooth_curve(solver):
    X = np.linspace(-1, 1, 30).reshape(-1, 1)
    y = np.sin(2 * X[:, 0])
    # Adam's steps are small: a start must not end on its slow progress (tol).
    options = {"learning_rate": 0.02, "max_iter": 5000, "tol": 1e-6} if solver == "adam" else {}
    net = TanhMLPRegressor((4,), solver=solver, n_restarts=0, random_state=0, **options)
    net.fit(X, y)
    assert rmse(net.predict(X), y) < 0.02


def test_any_number_of_hidden_layers():
    X = np.linspace(-1, 1, 30).reshape(-1, 1)
    linear = TanhMLPRegressor(hidden_layer_sizes=(), random_state=0).fit(X, 3 * X[:, 0] + 1)
    assert_allclose(linear.coefs_[0], [[3.0]], rtol=1e-5)
    deep = TanhMLPRegressor((4, 4, 4), n_restarts=0, random_state=0).fit(X, np.sin(2 * X[:, 0]))
    assert len(deep.coefs_) == 4
    assert rmse(deep.predict(X), np.sin(2 * X[:, 0])) < 0.01


def test_integer_weights_equal_repeated_samples():
    rng = np.random.RandomState(0)
    X = rng.uniform(0, 1, size=(25, 1))
    y = np.sin(4 * X[:, 0])
    weight = rng.randint(0, 3, size=25)
    weighted = TanhMLPRegressor((4,), random_state=0).fit(X, y, sample_weight=weight)
    repeated = TanhMLPRegressor((4,), random_state=0).fit(
        np.repeat(X, weight, axis=0), np.repeat(y, weight)
    )
    grid = np.linspace(X[weight > 0].min(), X[weight > 0].max(), 9).reshape(-1, 1)
    assert_allclose(weighted.predict(grid), repeated.predict(grid), rtol=1e-6, atol=1e-8)
    assert weighted.loss_ == pytest.approx(repeated.loss_, rel=1e-6)


# -- scikit-learn tools ------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore::skphys.ExtrapolationWarning")  # test folds at the ends
def test_grid_search_pipeline_and_cross_val_score():
    X = np.linspace(0.1, 1, 40).reshape(-1, 1)
    y = X[:, 0] ** (1 / 3)
    pipeline = make_pipeline(
        FunctionTransformer(np.log), TanhMLPRegressor(n_restarts=0, random_state=0)
    )
    search = GridSearchCV(
        pipeline,
        {
            "tanhmlpregressor__hidden_layer_sizes": [(2,), (4,)],
            "tanhmlpregressor__alpha": [1e-6, 1e-2],
        },
        cv=KFold(3, shuffle=True, random_state=0),
        scoring="neg_root_mean_squared_error",
    ).fit(X, y)
    assert search.best_params_["tanhmlpregressor__alpha"] == 1e-6
    assert -search.best_score_ < 0.01
    scores = cross_val_score(
        TanhMLPRegressor((3,), random_state=0), X, y, cv=KFold(4, shuffle=True, random_state=1)
    )
    assert np.all(scores > 0.99)


# -- bad input ---------------------------------------------------------------------------
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_input_is_rejected(bad):
    X, y = CUBE_X.copy(), CUBE_Y.copy()
    X[3, 0] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        TanhMLPRegressor().fit(X, CUBE_Y)
    y[3] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        TanhMLPRegressor().fit(CUBE_X, y)
    net = TanhMLPRegressor((3,), random_state=0).fit(CUBE_X, CUBE_Y)
    with pytest.raises(ValueError, match="NaN|infinity"):
        net.predict(X)


def test_wrong_shapes_and_dtypes_are_rejected():
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        TanhMLPRegressor().fit(CUBE_X, CUBE_Y[:-1])
    with pytest.raises(ValueError, match="Expected 2D array"):
        TanhMLPRegressor().fit(CUBE_X[:, 0], CUBE_Y)
    with pytest.raises(ValueError, match="could not convert"):
        TanhMLPRegressor().fit(np.array([["a"], ["b"], ["c"]]), [1.0, 2.0, 3.0])
    net = TanhMLPRegressor((3,), random_state=0).fit(CUBE_X, CUBE_Y)
    with pytest.raises(ValueError, match="features"):
        net.predict(np.ones((3, 2)))
    with pytest.raises(NotFittedError):
        TanhMLPRegressor().predict(CUBE_X)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"hidden_layer_sizes": (3, 0)}, "positive integers"),
        ({"hidden_layer_sizes": ("a",)}, "positive integers"),
        ({"alpha": -1.0}, "alpha"),
        ({"solver": "sgd"}, "solver"),
        ({"init_scale": 0.0}, "init_scale"),
        ({"target_rmse": 0.0}, "target_rmse"),
    ],
)
def test_bad_parameters_are_rejected(params, match):
    with pytest.raises(ValueError, match=match):
        TanhMLPRegressor(**params).fit(CUBE_X, CUBE_Y)


def test_fewer_samples_than_parameters():
    # 8 samples, 31 parameters: ill-posed without a penalty, well posed with one.
    X, y = CUBE_X[::7], CUBE_Y[::7]
    with pytest.raises(ValueError, match="n_samples=8.*31 parameters.*alpha"):
        TanhMLPRegressor((10,), alpha=0.0).fit(X, y)
    net = TanhMLPRegressor((10,), alpha=1e-3, random_state=0).fit(X, y)
    prediction, std = net.predict(X, return_std=True)
    assert rmse(prediction, y) < 0.05
    assert np.all(np.isfinite(std))


def test_divergence_is_never_silent():
    # Adam with an absurd step: a warning or an error, never NaN weights.
    net = TanhMLPRegressor((5,), solver="adam", learning_rate=1e6, max_iter=50, random_state=0)
    try:
        with pytest.warns(ConvergenceWarning):
            net.fit(CUBE_X, CUBE_Y)
    except FitFailedError:
        return
    assert all(np.all(np.isfinite(W)) for W in net.coefs_ + net.intercepts_)


def test_verbose_prints_the_loss(capsys):
    TanhMLPRegressor((2,), n_restarts=0, verbose=1, random_state=0).fit(CUBE_X, CUBE_Y)
    assert "Iteration 1, loss =" in capsys.readouterr().out
