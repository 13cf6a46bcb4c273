"""Fitting values with their derivatives: the core's block, its weight, the estimators.

Finite differences check the Jacobians of the block of derivatives at a step
``h = eps^(1/3)`` relative to each parameter: the central difference is then off
by ``O(h^2)`` (truncation) plus ``O(eps / h)`` (rounding), each about ``4e-11``
relative to the scale of a column, so ``1e-7`` of the largest entry leaves a
margin of a thousand and still catches a wrong term, which is of the size of the
column.
"""

import warnings

import autograd.numpy as anp
import numpy as np
import pytest
import sklearn
from ase.units import GPa
from autograd import elementwise_grad
from sklearn.model_selection import GridSearchCV, KFold, cross_validate
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer

import skphys
from skphys._core import LeastSquaresProblem, block_variances
from skphys._core._block_weights import balanced_weight
from skphys._core._weight_rule import SETTLED, log_weight_stderr, next_weight, weight_settled
from skphys._estimators._network import TanhNetwork, init_network
from skphys.atoms import PositionGradients
from skphys.datasets import make_trimer_dataset
from skphys.functions import birch_murnaghan, morse

EPS = np.finfo(float).eps
FD_RTOL = 1e-7


def _finite_difference_jacobian(residuals, x):
    h = EPS ** (1 / 3) * np.maximum(np.abs(x), 1.0)
    columns = []
    for j in range(x.size):
        step = np.zeros_like(x)
        step[j] = h[j]
        columns.append((residuals(x + step) - residuals(x - step)) / (2 * h[j]))
    return np.column_stack(columns)


def _assert_jacobian_of_problem(problem, x):
    exact = problem.data_jacobian(x)
    approx = _finite_difference_jacobian(problem.data_residuals, x)
    scale = np.max(np.abs(exact))
    np.testing.assert_allclose(exact, approx, rtol=0, atol=FD_RTOL * scale)


def _line_model(params, X):
    a, b, c = params
    return a * X[:, 0] ** 2 + b * X[:, 0] * X[:, 1] + c * anp.sin(X[:, 1])


MORSE_TRUE = (0.5, 1.5, 2.2)


def _morse_data(n=20, noise_e=0.0, noise_g=0.0, seed=0):
    r = np.linspace(1.8, 4.0, n)
    rng = np.random.default_rng(seed)
    E = morse(r, *MORSE_TRUE) + rng.normal(0, noise_e, n) if noise_e else morse(r, *MORSE_TRUE)
    G = elementwise_grad(morse)(r, *MORSE_TRUE)
    if noise_g:
        G = G + rng.normal(0, noise_g, n)
    return r[:, None], E, G[:, None]


# -- the core: the block of derivatives and its Jacobian -------------------------------
def test_jacobian_of_derivative_block_of_an_autograd_model():
    rng = np.random.default_rng(0)
    X = rng.uniform(0.5, 2.0, (12, 2))
    problem = LeastSquaresProblem(
        _line_model, X, rng.normal(size=12), y_grad=rng.normal(size=(12, 2)), jacobian="rows",
        gradient_weight=0.7,
    )  # fmt: skip
    _assert_jacobian_of_problem(problem, np.array([0.3, -1.2, 0.8]))


@pytest.mark.parametrize("cls", [skphys.MorseRegressor, skphys.BirchMurnaghanRegressor,
                                 skphys.VinetRegressor, skphys.BuckinghamRegressor])  # fmt: skip
def test_jacobian_of_derivative_block_of_a_closed_form(cls, example_data):
    X, y = example_data(cls)
    params, _ = cls.physical_model.example
    reg = cls()
    problem = LeastSquaresProblem(
        reg._model, X, y, y_grad=np.zeros_like(X), jacobian="closed_form", gradient_weight=3.0
    )
    assert problem.blocks[1].jacobian_method == "rows"
    _assert_jacobian_of_problem(problem, np.asarray(params, float) * 1.01)


@pytest.mark.parametrize("sizes", [[3, 6, 1], [2, 4, 3, 1], [1, 5, 1]])
def test_jacobian_of_derivative_block_of_the_network(sizes):
    rng = np.random.RandomState(0)
    X = rng.standard_normal((9, sizes[0]))
    params = init_network(sizes, rng)
    problem = LeastSquaresProblem(
        TanhNetwork(sizes), X, rng.standard_normal(9), y_grad=rng.standard_normal(X.shape),
        gradient_scale=1.0 / rng.uniform(0.5, 2.0, sizes[0]) ** 2,
    )  # fmt: skip
    # one hidden layer has it written out; deeper ones go through autograd
    expected = "closed_form" if len(sizes) == 3 else "broadcast"
    assert problem.blocks[1].jacobian_method == expected
    _assert_jacobian_of_problem(problem, params)


def test_loss_is_the_weighted_mean_over_observed_entries():
    X, E, G = _morse_data(12, noise_e=1e-3, noise_g=1e-2)
    E[[1, 5]] = np.nan  # derivatives only at two samples
    G[[0, 7, 8]] = np.nan  # values only at three
    weight = 0.05
    reg = skphys.MorseRegressor(gradient_weight=weight).fit(X, E, y_grad=G)
    r_values = (reg.predict(X) - E)[~np.isnan(E)]
    r_grads = (reg.predict_gradient(X) - G)[~np.isnan(G)]
    m = r_values.size + r_grads.size
    expected = (np.sum(r_values**2) + weight * np.sum(r_grads**2)) / m
    assert reg.gradient_weight_ == weight
    assert reg.dof_ == m - 3
    np.testing.assert_allclose(reg.loss_, expected, rtol=1e-10)


def test_zero_sample_weight_equals_a_removed_sample():
    X, E, G = _morse_data(15, noise_e=1e-3, noise_g=1e-2)
    weight = np.ones(15)
    weight[[2, 9]] = 0
    kept = weight > 0
    a = skphys.MorseRegressor().fit(X, E, sample_weight=weight, y_grad=G)
    b = skphys.MorseRegressor().fit(X[kept], E[kept], y_grad=G[kept])
    # the same problem: the same iterates, up to rounding in the sums
    np.testing.assert_allclose(a.params_, b.params_, rtol=1e-9)
    np.testing.assert_allclose(a.gradient_weight_, b.gradient_weight_, rtol=1e-6)
    assert a.dof_ == b.dof_


# -- the weight of the derivatives -----------------------------------------------------
def test_auto_weight_ends_where_the_residuals_put_it():
    X, E, G = _morse_data(30, noise_e=2e-3, noise_g=5e-3, seed=1)
    reg = skphys.MorseRegressor().fit(X, E, y_grad=G)
    problem = LeastSquaresProblem(
        reg._model, X, E, y_grad=G, jacobian="closed_form", gradient_weight=reg.gradient_weight_
    )
    asked, log_stderr = balanced_weight(problem, reg.params_, reg.gradient_weight_)
    assert abs(np.log(asked / reg.gradient_weight_)) <= SETTLED * log_stderr
    variances, dofs = block_variances(problem, reg.params_)
    # the shares of the degrees of freedom add up to m - n_params
    np.testing.assert_allclose(dofs.sum(), reg.dof_, rtol=1e-9)
    # the overall residual variance is the values', that of derivatives s^2 / w
    expected = reg.residual_variance_ / reg.gradient_weight_
    np.testing.assert_allclose(reg.gradient_variance_, expected, rtol=1e-12)
    assert "derivatives fitted" in reg.summary()


def test_auto_weight_estimates_the_ratio_of_the_noise_variances():
    sigma_e, sigma_g = 1e-3, 2e-2
    X, E, G = _morse_data(400, noise_e=sigma_e, noise_g=sigma_g, seed=3)
    reg = skphys.MorseRegressor().fit(X, E, y_grad=G)
    # log(w) is known to sqrt(2/dof_E + 2/dof_G) ~ 0.1: allow five of those
    log_stderr = np.sqrt(2 / 397 + 2 / 400)
    assert abs(np.log(reg.gradient_weight_ / (sigma_e / sigma_g) ** 2)) < 5 * log_stderr
    assert abs(np.log(reg.residual_variance_ / sigma_e**2)) < 5 * np.sqrt(2 / 397)
    assert abs(np.log(reg.gradient_variance_ / sigma_g**2)) < 5 * np.sqrt(2 / 400)


def test_pressures_narrow_the_bulk_modulus():
    # one draw of 7 points says little: the median over 30 draws (the benchmark
    # measures 0.2-0.3 where the issue asks for 0.5 at most)
    true = (-3.0, 140 * GPa, 4.5, 16.0)
    V = np.linspace(0.94, 1.06, 7) * true[3]
    rng = np.random.default_rng(0)
    ratios, covered = [], 0
    for _ in range(30):
        E = birch_murnaghan(V, *true) + rng.normal(0, 2e-3, V.size)
        dE_dV = elementwise_grad(birch_murnaghan)(V, *true) + rng.normal(0, 0.3 * GPa, V.size)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # BP is poorly determined by 7 energies
            alone = skphys.BirchMurnaghanRegressor().fit(V[:, None], E)
            both = skphys.BirchMurnaghanRegressor().fit(V[:, None], E, y_grad=dE_dV)
        ratios.append(both.perr_[1] / alone.perr_[1])
        low, high = both.confidence_intervals()[1]
        covered += low < true[1] < high
    assert np.median(ratios) < 0.5
    # 95 % intervals cover at least 24 of 30 draws with probability 0.9994 (0.99
    # even at a true coverage of 0.92)
    assert covered >= 24


def test_energies_at_some_volumes_pressures_at_others():
    true = (-3.0, 140 * GPa, 4.5, 16.0)
    V = np.linspace(0.9, 1.1, 12) * true[3]
    E = birch_murnaghan(V, *true)
    dE_dV = elementwise_grad(birch_murnaghan)(V, *true)
    E[::2] = np.nan
    dE_dV[1::2] = np.nan
    reg = skphys.BirchMurnaghanRegressor(gradient_weight=1.0, tol=1e-12).fit(
        V[:, None], E, y_grad=dE_dV[:, None]
    )
    # exact data: the fit recovers the parameters to the reach of tol
    np.testing.assert_allclose(reg.params_, true, rtol=1e-6)


def test_explicit_weight_is_used_and_changes_the_fit():
    X, E, G = _morse_data(20, noise_e=1e-3, noise_g=1e-1, seed=4)
    low = skphys.MorseRegressor(gradient_weight=1e-6).fit(X, E, y_grad=G)
    high = skphys.MorseRegressor(gradient_weight=1e2).fit(X, E, y_grad=G)
    alone = skphys.MorseRegressor().fit(X, E)
    assert low.gradient_weight_ == 1e-6 and high.gradient_weight_ == 1e2
    # a negligible weight leaves the fit to the values
    assert np.all(np.abs(low.params_ - alone.params_) <= 3 * alone.perr_)
    assert np.any(np.abs(high.params_ - alone.params_) > 0.1 * alone.perr_)


def test_no_derivatives_leaves_no_weight():
    X, E, _ = _morse_data(10, noise_e=1e-3)
    reg = skphys.MorseRegressor().fit(X, E)
    assert reg.gradient_weight_ is None and reg.gradient_variance_ is None
    assert "derivatives" not in reg.summary()


# -- predict_gradient -----------------------------------------------------------------
def _delta_method_std(gradient_of, params, pcov):
    jac = _finite_difference_jacobian(gradient_of, params)
    return np.sqrt(np.einsum("ij,jk,ik->i", jac, pcov, jac))


def test_predict_gradient_std_of_a_physical_form():
    X, E, G = _morse_data(20, noise_e=1e-3, noise_g=1e-2, seed=5)
    reg = skphys.MorseRegressor().fit(X, E, y_grad=G)
    grad, std = reg.predict_gradient(X, return_std=True)
    np.testing.assert_allclose(grad[:, 0], elementwise_grad(morse)(X[:, 0], *reg.params_))
    expected = _delta_method_std(
        lambda p: elementwise_grad(morse)(X[:, 0], *p), reg.params_, reg.pcov_
    )
    np.testing.assert_allclose(std[:, 0], expected, rtol=1e-5)


def test_predict_gradient_with_the_reverse_jacobian():
    def quadratic(params, X):
        a, b = params
        return a * X[:, 0] ** 2 + b * X[:, 0]

    X = np.linspace(0, 1, 8)[:, None]
    y = 2 * X[:, 0] ** 2 + 0.3 * X[:, 0] + np.random.default_rng(0).normal(0, 1e-3, 8)
    reg = skphys.ParametricRegressor(quadratic, p0=[1.0, 0.0], jacobian="reverse").fit(X, y)
    a, b = reg.params_
    grad, std = reg.predict_gradient(X, return_std=True)
    np.testing.assert_allclose(grad[:, 0], 2 * a * X[:, 0] + b, rtol=1e-12)
    expected = _delta_method_std(lambda p: 2 * p[0] * X[:, 0] + p[1], reg.params_, reg.pcov_)
    np.testing.assert_allclose(std[:, 0], expected, rtol=1e-6)
    with pytest.raises(ValueError, match="samples are independent"):
        skphys.ParametricRegressor(quadratic, p0=[1.0, 0.0], jacobian="reverse").fit(
            X, y, y_grad=np.zeros_like(X)
        )


def test_network_predict_gradient_and_its_std():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (40, 2)) * [1.0, 3.0] + [0.0, 5.0]
    y = np.sin(2 * X[:, 0]) + 0.1 * X[:, 1] ** 2
    G = np.column_stack([2 * np.cos(2 * X[:, 0]), 0.2 * X[:, 1]])
    net = skphys.TanhMLPRegressor((6,), random_state=0).fit(X, y, y_grad=G)
    grad, std = net.predict_gradient(X[:5], return_std=True)
    h = 1e-6 * np.array([1.0, 3.0])
    numeric = np.column_stack(
        [(net.predict(X[:5] + h * e) - net.predict(X[:5] - h * e)) / (2 * h[i])
         for i, e in enumerate(np.eye(2))]
    )  # fmt: skip
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8 * np.abs(grad).max())
    assert std.shape == grad.shape and np.all(std > 0)


def test_network_learns_derivatives_it_is_given():
    rng = np.random.default_rng(1)
    X = rng.uniform(-1, 1, (25, 2))
    X_test = rng.uniform(-0.9, 0.9, (300, 2))

    def truth(X):
        y = np.sin(2 * X[:, 0]) * np.cos(X[:, 1])
        G = np.column_stack(
            [2 * np.cos(2 * X[:, 0]) * np.cos(X[:, 1]), -np.sin(2 * X[:, 0]) * np.sin(X[:, 1])]
        )
        return y, G

    y, G = truth(X)
    y_test, G_test = truth(X_test)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 41 parameters for 25 values interpolate
        alone = skphys.TanhMLPRegressor((10,), random_state=0).fit(X, y)
    both = skphys.TanhMLPRegressor((10,), random_state=0).fit(X, y, y_grad=G)
    rmse = lambda a, b: np.sqrt(np.mean((a - b) ** 2))  # noqa: E731
    # typically 10-50 times lower; a factor 3 is what the issue asks of real data
    assert rmse(both.predict_gradient(X_test), G_test) < rmse(
        alone.predict_gradient(X_test), G_test
    ) / 3
    assert rmse(both.predict(X_test), y_test) < rmse(alone.predict(X_test), y_test)
    assert both.gradient_weight_ > 0 and "derivatives fitted" in both.summary()


# -- metadata routing ------------------------------------------------------------------
def test_y_grad_is_routed_through_pipeline_cross_validate_and_grid_search():
    X, E, G = _morse_data(24, noise_e=1e-3, noise_g=1e-2, seed=6)
    with sklearn.config_context(enable_metadata_routing=True):
        reg = skphys.MorseRegressor().set_fit_request(y_grad=True)
        pipe = make_pipeline(FunctionTransformer(), reg)
        folds = KFold(3, shuffle=True, random_state=0)
        scores = cross_validate(
            pipe, X, E, cv=folds, params={"y_grad": G}, return_estimator=True
        )
        for fitted, (train, _) in zip(scores["estimator"], folds.split(X), strict=True):
            direct = skphys.MorseRegressor().fit(X[train], E[train], y_grad=G[train])
            np.testing.assert_allclose(fitted[-1].params_, direct.params_, rtol=1e-12)
            assert fitted[-1].gradient_weight_ is not None
        search = GridSearchCV(
            skphys.MorseRegressor().set_fit_request(y_grad=True),
            {"gradient_weight": ["auto", 1e-3]}, cv=folds,
        ).fit(X, E, y_grad=G)  # fmt: skip
        assert search.best_estimator_.gradient_weight_ is not None


# -- bad input -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "change, error, match",
    [
        (lambda E, G: (E, G[:-1]), ValueError, "inconsistent numbers of samples"),
        (lambda E, G: (E, np.hstack([G, G])), ValueError, "shape of X"),
        (lambda E, G: (E, np.where(np.arange(len(G))[:, None] == 2, np.inf, G)), ValueError,
         "inf"),
        (lambda E, G: (np.where(np.arange(len(E)) == 3, np.nan, E),
                       np.where(np.arange(len(G))[:, None] == 3, np.nan, G)), ValueError,
         "neither a value nor a derivative"),
        (lambda E, G: (np.full_like(E, np.nan), G), ValueError, "At least one value"),
        (lambda E, G: (E, np.array([["a"]] * len(G))), TypeError, "numeric"),
    ],
)  # fmt: skip
def test_bad_derivatives_are_named(change, error, match):
    X, E, G = _morse_data(10)
    E, G = change(E, G)
    with pytest.raises(error, match=match):
        skphys.MorseRegressor().fit(X, E, y_grad=G)


def test_missing_values_need_derivatives():
    X, E, _ = _morse_data(10)
    E[2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        skphys.MorseRegressor().fit(X, E)


def test_position_gradients_without_transform_input_are_named():
    class Positions:
        structures = []

    X, E, _ = _morse_data(10)
    with pytest.raises(TypeError, match="transform_input"):
        skphys.MorseRegressor().fit(X, E, y_grad=Positions())


def test_network_derivatives_need_one_output():
    X = np.random.default_rng(0).uniform(size=(20, 2))
    with pytest.raises(ValueError, match="one output"):
        skphys.TanhMLPRegressor((3,)).fit(X, np.column_stack([X[:, 0], X[:, 1]]), y_grad=X)


def test_network_on_atoms_and_forces_through_pair_distances():
    X, y, G, atoms = make_trimer_dataset(
        n_samples=30, random_state=0, return_y_grad=True, return_atoms=True
    )
    order = np.argsort(X, axis=1)  # the transformer sorts the three distances
    with sklearn.config_context(enable_metadata_routing=True):
        pipe = Pipeline(
            [("distances", skphys.PairDistanceTransformer()),
             ("net", skphys.TanhMLPRegressor((6,), random_state=0).set_fit_request(y_grad=True))],
            transform_input=["y_grad"],
        )  # fmt: skip
        pipe.fit(atoms, y, y_grad=PositionGradients(atoms))
        folds = KFold(3)
        scores = cross_validate(
            pipe, atoms, y, cv=folds, params={"y_grad": PositionGradients(atoms)},
            return_estimator=True,
        )  # fmt: skip
    direct = skphys.TanhMLPRegressor((6,), random_state=0).fit(
        np.take_along_axis(X, order, 1), y, y_grad=np.take_along_axis(G, order, 1)
    )
    # the same problem up to the rounding of the conversion from Cartesian forces
    # (about 1e-13 eV/Å): the fits agree to what the network's stall rule resolves,
    # tol=1e-4 of the standardised RMSE (allow ten of those, in units of y)
    tol = direct.tol
    np.testing.assert_allclose(
        pipe.predict(atoms), direct.predict(np.take_along_axis(X, order, 1)),
        rtol=0, atol=10 * tol * np.std(y),
    )  # fmt: skip
    for fitted in scores["estimator"]:
        assert fitted[-1].gradient_weight_ is not None


def test_few_energies_with_pressures_need_p0():
    true = (-3.0, 140 * GPa, 4.5, 16.0)
    V = np.linspace(0.9, 1.1, 9) * true[3]
    E = birch_murnaghan(V, *true)
    dE_dV = elementwise_grad(birch_murnaghan)(V, *true)
    E[2:] = np.nan  # two energies, nine pressures
    with pytest.raises(ValueError, match="at least 4 samples"):
        skphys.BirchMurnaghanRegressor().fit(V[:, None], E, y_grad=dE_dV)
    p0 = np.array(true) * [1.01, 0.9, 1.1, 1.02]
    reg = skphys.BirchMurnaghanRegressor(p0=p0, tol=1e-12, gradient_weight=1.0)
    reg.fit(V[:, None], E, y_grad=dE_dV)
    np.testing.assert_allclose(reg.params_, true, rtol=1e-6)


def test_secant_steps_reach_the_fixed_point_of_a_linear_map():
    # the weight asked for, as a function of the weight used: log f(u) = a + c u,
    # with the fixed point u* = a / (1 - c); the plain iteration closes a fraction
    # 1 - c of the distance a round, the secant step all of it
    a, c = 1.0, 0.7
    asked = lambda u: np.exp(a + c * u)  # noqa: E731
    target = a / (1 - c)
    start = 1.0
    weight, memory = next_weight(asked(0.0), start, None, start)
    assert np.log(weight) == pytest.approx(a)  # the first step is plain
    weight, memory = next_weight(asked(np.log(weight)), weight, memory, start)
    assert np.log(weight) == pytest.approx(target, rel=1e-12)
    # an increasing rate (c > 1 diverges) is not stretched: plain steps only
    weight, _ = next_weight(2.0, 1.0, (np.log(0.5), np.log(1.5)), start)
    assert weight == pytest.approx(2.0)


def test_weight_settles_within_a_tenth_of_its_standard_error():
    stderr = log_weight_stderr(8.0, 8.0)  # sqrt(1/2)
    assert weight_settled(np.exp(0.9 * SETTLED * stderr), 1.0, stderr)
    assert not weight_settled(np.exp(1.1 * SETTLED * stderr), 1.0, stderr)
    assert weight_settled(np.nan, 1.0, stderr)  # no estimate: the weight stays


@pytest.mark.parametrize("factor, match", [(-1.0, "other sign convention"),
                                           (1 / GPa, "another unit")])  # fmt: skip
def test_pressures_that_contradict_the_energies_are_refused(factor, match):
    true = (-3.0, 140 * GPa, 4.5, 16.0)
    V = np.linspace(0.94, 1.06, 9) * true[3]
    E = birch_murnaghan(V, *true)
    dE_dV = elementwise_grad(birch_murnaghan)(V, *true)
    with pytest.raises(ValueError, match=match):
        skphys.BirchMurnaghanRegressor().fit(V[:, None], E, y_grad=factor * dE_dV)
