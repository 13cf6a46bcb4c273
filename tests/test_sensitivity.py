"""Tests of skphys.sensitivity against hand-derived derivatives and finite differences."""

import copy
import warnings

import autograd.numpy as anp
import numpy as np
import pytest
from autograd.extend import defvjp, primitive
from numpy.testing import assert_allclose
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LinearRegression
from sklearn.neural_network import MLPRegressor

import skphys
from skphys import BuckinghamRegressor, MurnaghanRegressor, ParametricRegressor
from skphys.datasets import load_murnaghan_example
from skphys.sensitivity import (
    argument_names,
    estimator_sensitivity,
    local_sensitivity,
    summarise_layers,
)

A0 = 1.0
T = np.linspace(0.0, 0.5, 50)


def concentration(t, k1, k_1):
    """[A](t) for A <-> B, the example of the sensitivity-analysis post."""
    return A0 / (k1 + k_1) * (k1 * anp.exp(-(k1 + k_1) * t) + k_1)


def reaction_derivatives(t, k1, k_1):
    """dA/dk1 and dA/dk_1 by hand.

    With s = k1 + k_1 and E = exp(-s t), A = A0 (k1 E + k_1) / s and dE/dk = -t E
    for both rate constants, so by the quotient rule
    dA/dk1  = A0 [(E - k1 t E) s - (k1 E + k_1)] / s^2,
    dA/dk_1 = A0 [(1 - k1 t E) s - (k1 E + k_1)] / s^2.
    """
    s = k1 + k_1
    e = np.exp(-s * t)
    numerator = k1 * e + k_1
    d_k1 = A0 * ((e - k1 * t * e) * s - numerator) / s**2
    d_k_1 = A0 * ((1.0 - k1 * t * e) * s - numerator) / s**2
    return np.column_stack([d_k1, d_k_1])


# -- functions --------------------------------------------------------------------------
@pytest.mark.parametrize("k1, k_1", [(3.0, 3.0), (2.0, 5.0), (0.5, 8.0)])
def test_reaction_matches_hand_derivatives(k1, k_1):
    sensitivity = local_sensitivity(concentration, T, [k1, k_1], argnums=(1, 2))
    assert sensitivity.shape == (T.size, 2)
    assert_allclose(sensitivity, reaction_derivatives(T, k1, k_1), rtol=0, atol=1e-10)


def test_reaction_relative_is_p_over_y_times_derivative():
    k = np.array([2.0, 5.0])
    relative = local_sensitivity(concentration, T, k, relative=True)
    expected = reaction_derivatives(T, *k) * k / concentration(T, *k)[:, None]
    assert_allclose(relative, expected, rtol=0, atol=1e-10)
    # A(0) = A0 whatever the rates: no sensitivity at t = 0
    assert_allclose(relative[0], 0.0, atol=1e-15)


def test_argnums_select_and_order_columns():
    both = local_sensitivity(concentration, T, [3.0, 3.0])  # default: every parameter
    assert_allclose(local_sensitivity(concentration, T, [3.0, 3.0], argnums=(2, 1)), both[:, ::-1])
    single = local_sensitivity(concentration, T, [3.0, 3.0], argnums=2)
    assert single.shape == (T.size, 1)
    assert_allclose(single[:, 0], both[:, 1])


def test_relative_is_nan_where_the_output_is_zero():
    relative = local_sensitivity(lambda x, a: a * x, [0.0, 1.0, 2.0], [3.0], relative=True)
    assert np.isnan(relative[0, 0])
    assert_allclose(relative[1:, 0], 1.0)


def test_outputs_independent_of_a_parameter_have_zero_sensitivity():
    sensitivity = local_sensitivity(lambda x, a, b: a * x, T, [2.0, 7.0])
    assert_allclose(sensitivity[:, 0], T)
    assert_allclose(sensitivity[:, 1], 0.0)


@primitive
def _cube(x):
    return x**3


defvjp(_cube, lambda ans, x: lambda g: g * 3 * x**2)  # reverse mode only


def test_reverse_mode_fallback_without_forward_rules():
    sensitivity = local_sensitivity(lambda x, a: _cube(a * x), T, [1.5])
    assert_allclose(sensitivity[:, 0], 3 * 1.5**2 * T**3, rtol=1e-12)


def test_argument_names_follow_the_signature():
    assert argument_names(concentration, None, 2) == ["k1", "k_1"]
    assert argument_names(concentration, 2, 2) == ["k_1"]
    assert argument_names(lambda *args: 0, [1], 1) == ["p1"]


@pytest.mark.parametrize("argnums", [0, 3, (1, 3), (), "k1", (1.0,), True, (1, 1)])
def test_bad_argnums_raise(argnums):
    with pytest.raises(ValueError, match="argnums"):
        local_sensitivity(concentration, T, [3.0, 3.0], argnums=argnums)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_x_raises(bad):
    with pytest.raises(ValueError, match="x must be finite"):
        local_sensitivity(concentration, np.r_[T, bad], [3.0, 3.0])


@pytest.mark.parametrize(
    "x, params, match",
    [
        ([], [3.0, 3.0], "x is empty"),
        ("abc", [3.0, 3.0], "x must be an array of numbers"),
        (T, [3.0, np.nan], "params must be finite"),
        (T, [[3.0, 3.0]], "non-empty sequence of scalars"),
        (T, [], "non-empty sequence of scalars"),
        (T, ["fast", 3.0], "params must be a sequence of numbers"),
    ],
)
def test_bad_points_or_params_raise(x, params, match):
    with pytest.raises(ValueError, match=match):
        local_sensitivity(concentration, x, params)


def test_non_finite_output_raises():
    with pytest.raises(ValueError, match="non-finite"):
        local_sensitivity(lambda x, a: anp.log(a * x), [0.0, 1.0], [1.0])


# -- estimators -------------------------------------------------------------------------
def central_differences(predict_at, values, rel_step=1e-6):
    """d predict_at(values) / d values by central differences, one column per value."""
    values = np.asarray(values, dtype=float)
    columns = []
    for j in range(values.size):
        step = rel_step * max(abs(values[j]), 1.0)
        up, down = values.copy(), values.copy()
        up[j] += step
        down[j] -= step
        columns.append((predict_at(up) - predict_at(down)) / (2 * step))
    return np.column_stack(columns)


def params_difference(estimator, X):
    """Finite differences of ``estimator.predict(X)`` in ``params_``."""

    def predict_at(params):
        shifted = copy.deepcopy(estimator)
        shifted.params_ = params
        return shifted.predict(X)

    return central_differences(predict_at, estimator.params_)


def decay(params, X):
    a, b, c = params
    return a * anp.exp(-b * X[:, 0]) + c


@pytest.fixture(scope="module")
def eos():
    X, y = load_murnaghan_example(return_X_y=True)
    return MurnaghanRegressor().fit(X, y), X


@pytest.fixture(scope="module")
def buckingham():
    r = np.linspace(1.5, 4.0, 20).reshape(-1, 1)
    energies = 500.0 * np.exp(-3.0 * r[:, 0]) - 20.0 / r[:, 0] ** 6
    energies = energies + np.random.default_rng(0).normal(scale=1e-3, size=r.shape[0])
    return BuckinghamRegressor().fit(r, energies), r


def test_murnaghan_against_finite_differences(eos):
    est, X = eos
    sensitivity = estimator_sensitivity(est, X)
    assert sensitivity.shape == (X.shape[0], 4)
    assert_allclose(sensitivity[:, 0], 1.0, rtol=1e-12)  # dE/dE0 = 1 exactly
    assert_allclose(sensitivity, params_difference(est, X), rtol=1e-5, atol=1e-7)


def test_buckingham_against_closed_form_and_finite_differences(buckingham):
    est, r = buckingham
    sensitivity = estimator_sensitivity(est, r)
    x = r[:, 0]
    assert_allclose(sensitivity[:, 0], np.exp(-est.b_ * x), rtol=1e-12)  # dE/dA
    assert_allclose(sensitivity[:, 1], -est.a_ * x * np.exp(-est.b_ * x), rtol=1e-12)  # dE/dB
    assert_allclose(sensitivity[:, 2], -(x**-6.0), rtol=1e-12)  # dE/dC
    assert_allclose(sensitivity, params_difference(est, r), rtol=1e-5, atol=1e-9)


@pytest.mark.parametrize("jacobian", ["auto", "reverse"])
def test_parametric_regressor_against_finite_differences(jacobian):
    X = np.linspace(0.0, 3.0, 15).reshape(-1, 1)
    y = 2.0 * np.exp(-1.3 * X[:, 0]) + 0.5 + 0.01 * np.sin(7 * X[:, 0])
    est = ParametricRegressor(decay, p0=[1.0, 1.0, 0.0], jacobian=jacobian).fit(X, y)
    sensitivity = estimator_sensitivity(est, X)
    assert_allclose(sensitivity, params_difference(est, X), rtol=1e-6, atol=1e-9)
    relative = estimator_sensitivity(est, X, relative=True)
    assert_allclose(relative, sensitivity * est.params_ / est.predict(X)[:, None], rtol=1e-12)


def test_estimator_checks_its_input(eos):
    est, X = eos
    with pytest.raises(ValueError, match="positive"):
        estimator_sensitivity(est, -X)
    with pytest.raises(ValueError, match="NaN|infinity"):
        estimator_sensitivity(est, np.r_[X, [[np.nan]]])
    with pytest.raises(NotFittedError):
        estimator_sensitivity(MurnaghanRegressor(), X)
    with pytest.raises(TypeError, match="LinearRegression"):
        estimator_sensitivity(LinearRegression().fit(X, X[:, 0]), X)
    with pytest.raises(ValueError, match="layer_summary"):
        estimator_sensitivity(est, X, layer_summary="max")


# -- networks ---------------------------------------------------------------------------
NET_X = np.linspace(-1.0, 1.0, 12).reshape(-1, 1)
NET_Y = np.sin(2.5 * NET_X[:, 0])


def fit_mlp(**kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        params = {"hidden_layer_sizes": (4, 3), "activation": "tanh", "max_iter": 50}
        return MLPRegressor(**{**params, **kwargs}, random_state=0).fit(NET_X, NET_Y)


def flat_weights(net):
    """Weights and biases of a network, layer by layer, in one vector."""
    pairs = zip(net.coefs_, net.intercepts_, strict=True)
    return np.concatenate([np.r_[W.ravel(), b] for W, b in pairs])


def weights_difference(net, X):
    """Finite differences of ``net.predict(X)`` in every weight and bias, flat order."""
    shapes = [(W.shape, b.shape) for W, b in zip(net.coefs_, net.intercepts_, strict=True)]
    flat = flat_weights(net)

    def predict_at(values):
        shifted, start = copy.deepcopy(net), 0
        for k, (w_shape, b_shape) in enumerate(shapes):
            stop = start + int(np.prod(w_shape))
            shifted.coefs_[k] = values[start:stop].reshape(w_shape)
            shifted.intercepts_[k] = values[stop : stop + b_shape[0]]
            start = stop + b_shape[0]
        return shifted.predict(X)

    return central_differences(predict_at, flat)


def test_mlp_weights_against_finite_differences():
    net = fit_mlp()
    per_weight = estimator_sensitivity(net, NET_X, layer_summary=None)
    assert per_weight.shape == (12, (1 * 4 + 4) + (4 * 3 + 3) + (3 * 1 + 1))
    assert_allclose(per_weight, weights_difference(net, NET_X), rtol=1e-6, atol=1e-9)


def test_mlp_layer_summaries():
    net = fit_mlp()
    per_weight = estimator_sensitivity(net, NET_X, layer_summary=None)
    blocks = [per_weight[:, :8], per_weight[:, 8:23], per_weight[:, 23:]]
    rms = estimator_sensitivity(net, NET_X)
    l2 = estimator_sensitivity(net, NET_X, layer_summary="l2")
    for k, block in enumerate(blocks):
        assert_allclose(rms[:, k], np.sqrt(np.mean(block**2, axis=1)), rtol=1e-12)
        assert_allclose(l2[:, k], np.linalg.norm(block, axis=1), rtol=1e-12)
    assert_allclose(summarise_layers(per_weight, [1, 4, 3, 1], "l2"), l2)
    # the output layer's bias moves every prediction one for one
    assert_allclose(per_weight[:, -1], 1.0, rtol=1e-12)


def test_mlp_relative_per_weight():
    net = fit_mlp()
    absolute = estimator_sensitivity(net, NET_X, layer_summary=None)
    relative = estimator_sensitivity(net, NET_X, relative=True, layer_summary=None)
    flat = flat_weights(net)
    assert_allclose(relative, absolute * flat / net.predict(NET_X)[:, None], rtol=1e-12)


def test_unsupported_networks_raise():
    with pytest.raises(ValueError, match="tanh"):
        estimator_sensitivity(fit_mlp(activation="relu"), NET_X)
    two_outputs = MLPRegressor(hidden_layer_sizes=(3,), activation="tanh", max_iter=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        two_outputs.fit(NET_X, np.column_stack([NET_Y, NET_Y]))
    with pytest.raises(ValueError, match="single-output"):
        estimator_sensitivity(two_outputs, NET_X)


class ShiftedMLP(MLPRegressor):
    """A network whose predictions are not its coefs_ alone."""

    def predict(self, X):
        return super().predict(X) + 1.0


def test_network_with_hidden_scaling_raises():
    net = ShiftedMLP(hidden_layer_sizes=(3,), activation="tanh", max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        net.fit(NET_X, NET_Y)
    with pytest.raises(ValueError, match="not the tanh network"):
        estimator_sensitivity(net, NET_X)


def test_tanh_mlp_regressor_against_finite_differences():
    net = skphys.TanhMLPRegressor().fit(NET_X, NET_Y)
    per_weight = estimator_sensitivity(net, NET_X, layer_summary=None)
    assert_allclose(per_weight, weights_difference(net, NET_X), rtol=1e-5, atol=1e-8)
