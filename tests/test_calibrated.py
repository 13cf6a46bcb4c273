"""CalibratedIntervalRegressor: intervals scaled by the errors of refits.

The scores are checked against refits done by hand (the same fits, so they agree
to the solver's tolerance, relative to the residual scale), the factors against
their definition, the regions against a designed grid, and the coverage against
the binomial spread of a proportion where the data are noisy and exchangeable.
"""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import (
    check_get_params_invariance,
    check_parameters_default_constructible,
)

from skphys import (
    CalibratedIntervalRegressor,
    MorseRegressor,
    PairDistanceTransformer,
    TanhMLPRegressor,
    predict_interval,
)
from skphys._core._conformal import (
    conformal_quantile,
    difference_noise_variance,
    distance_outside,
    local_mean,
)
from skphys.atoms import AseEnergyTransformer
from skphys.datasets import make_dimer_dataset
from skphys.exceptions import ExtrapolationWarning
from skphys.functions import morse

TOL = 1e-8  # MorseRegressor's default tol


def _morse_data(n, noise, seed, low=1.8, high=4.0):
    rng = np.random.default_rng(seed)
    r = np.sort(rng.uniform(low, high, n))
    return r[:, None], morse(r, 0.5, 1.5, 2.2) + noise * rng.normal(size=n)


def _sigma(model, X):
    y_pred, std = model.predict(X, return_std=True)
    return y_pred, np.sqrt(std**2 + model.residual_variance_)


# -- the arrays ----------------------------------------------------------------------
def test_conformal_quantile_rank():
    scores = np.arange(1.0, 20.0)  # 19 scores: rank ceil(0.95 * 20) = 19
    assert conformal_quantile(scores, 0.05) == (19.0, 0.95)
    assert conformal_quantile(scores, 0.5) == (10.0, 0.5)  # ceil(0.5 * 20) = 10


def test_conformal_quantile_too_few_scores_vouches_for_less():
    quantile, level = conformal_quantile([3.0, 1.0, 2.0], 0.05)
    assert quantile == 3.0
    assert level == pytest.approx(0.75)
    assert np.isnan(conformal_quantile([], 0.05)[0])


def test_difference_noise_variance_cancels_smooth_error_and_keeps_noise():
    x = np.linspace(0.0, 1.0, 2000)[:, None]
    smooth = np.sin(3 * x[:, 0])
    # a smooth error: differences of neighbours are O(h), their squares O(h^2)
    assert difference_noise_variance(smooth, x) < 1e-5 * np.var(smooth)
    rng = np.random.default_rng(0)
    noise = 0.1 * rng.normal(size=x.shape[0])
    estimate = difference_noise_variance(smooth + noise, x)
    # each term (e_i - e_j)^2 / 2 has mean s^2 and sd sqrt(2) s^2; at most two
    # terms share a sample, so 5 standard errors of the mean with n/2 independent
    assert abs(estimate / 0.01 - 1) < 5 * np.sqrt(2 / (x.shape[0] / 2))


def test_distance_outside_unit_box():
    unit = np.array([[0.5, 0.5], [-0.1, 0.5], [0.5, 1.3], [1.2, -0.4]])
    np.testing.assert_allclose(distance_outside(unit), [0.0, 0.1, 0.3, 0.4])


# -- the estimator -----------------------------------------------------------------
def test_scikit_learn_conventions():
    check_parameters_default_constructible(
        "CalibratedIntervalRegressor", CalibratedIntervalRegressor(MorseRegressor())
    )
    check_get_params_invariance(
        "CalibratedIntervalRegressor", CalibratedIntervalRegressor(MorseRegressor())
    )
    model = CalibratedIntervalRegressor(MorseRegressor(), cv=5)
    assert clone(model).get_params()["cv"] == 5
    with pytest.raises(NotFittedError):
        model.predict_interval([[2.0]])


def test_bad_input_is_refused():
    X, y = _morse_data(12, 0.01, 0)
    model = CalibratedIntervalRegressor(MorseRegressor())
    with pytest.raises(ValueError, match="one-dimensional"):
        model.fit(X, np.column_stack([y, y]))
    with pytest.raises(ValueError, match=r"inconsistent numbers of samples: \[12, 11\]"):
        model.fit(X, y[:-1])
    with pytest.raises(ValueError, match="at least 3"):
        model.fit(X[:2], y[:2])
    with pytest.raises(ValueError, match="extrapolation_fraction"):
        CalibratedIntervalRegressor(MorseRegressor(), extrapolation_fraction=0.7).fit(X, y)
    model.fit(X, y)
    with pytest.raises(ValueError, match="alpha"):
        model.predict_interval(X, alpha=1.5)
    with pytest.raises(ValueError, match="kind"):
        model.predict_interval(X, kind="credible")


def _local_sigma(refit, X_train, y_train, X, low, width):
    """sigma(x) of a fit by hand: delta-method std and the local mean square residual."""
    y_pred, std = refit.predict(X, return_std=True)
    squared = (y_train - refit.predict(X_train)) ** 2
    squared *= refit.residual_variance_ / squared.mean()
    k = max(5, int(np.ceil(np.sqrt(len(y_train)))))
    local = local_mean((X - low) / width, (X_train - low) / width, squared, k)
    return y_pred, np.sqrt(std**2 + local)


def test_local_mean_by_hand():
    sites = np.array([[0.0], [0.1], [0.5], [1.0]])
    values = np.array([1.0, 2.0, 3.0, 4.0])
    # at 0.2 the second-nearest site (0.0) is 0.2 away: the bandwidth
    distance = np.array([0.2, 0.1, 0.3, 0.8])
    weight = np.exp(-0.5 * (distance / 0.2) ** 2)
    expected = weight @ values / weight.sum()
    assert local_mean(np.array([[0.2]]), sites, values, 2)[0] == pytest.approx(expected, rel=1e-14)


def test_scores_are_those_of_refits_by_hand():
    X, y = _morse_data(15, 0.005, 1)
    model = CalibratedIntervalRegressor(MorseRegressor()).fit(X, y)
    low, width = X.min(), X.max() - X.min()
    # leave sample 4 out, by hand
    keep = np.arange(15) != 4
    refit = MorseRegressor().fit(X[keep], y[keep])
    y_pred, sigma = _local_sigma(refit, X[keep], y[keep], X[4:5], low, width)
    expected = abs(y[4] - y_pred[0]) / sigma[0]
    # the same fit: agreement to the solver's tolerance relative to the score
    assert model.calibration_scores_[4] == pytest.approx(expected, rel=1e3 * np.sqrt(TOL))
    # the upper end held out, by hand
    held = X[:, 0] > X.max() - 0.2 * width
    refit = MorseRegressor().fit(X[~held], y[~held])
    y_pred, sigma = _local_sigma(refit, X[~held], y[~held], X[held], low, width)
    by_hand = np.abs(y[held] - y_pred) / sigma
    got = np.sort(model.extrapolation_scores_)
    for score in by_hand:
        assert np.min(np.abs(got - score)) <= 1e3 * np.sqrt(TOL) * score
    distances = (X[held, 0] - X[~held, 0].max()) / width
    for distance in distances:
        assert np.min(np.abs(model.extrapolation_distance_ - distance)) < 1e-12
    # each end held out to the fraction and to half of it
    assert (
        model.extrapolation_scores_.size
        == 2 * held.sum()
        + np.count_nonzero(X[:, 0] > X.max() - 0.1 * width)
        + np.count_nonzero(X[:, 0] < X.min() + 0.1 * width)
        + np.count_nonzero(X[:, 0] < X.min() + 0.2 * width)
        - held.sum()
    )


def test_half_width_is_factor_times_sigma():
    X, y = _morse_data(20, 0.01, 2)
    model = CalibratedIntervalRegressor(MorseRegressor()).fit(X, y)
    low, width = X.min(), X.max() - X.min()
    inside = np.array([[2.5], [3.1]])
    outside = np.array([[X.max() + 0.1]])
    inner = np.quantile(model.calibration_scores_, 0.9)
    outer, _ = conformal_quantile(model.extrapolation_scores_, 0.1)
    y_pred, sigma = _local_sigma(model.estimator_, X, y, inside, low, width)
    interval = model.predict_interval(inside, alpha=0.1, kind="prediction")
    np.testing.assert_allclose(interval[:, 1] - y_pred, inner * sigma, rtol=1e-10)
    np.testing.assert_allclose(y_pred - interval[:, 0], inner * sigma, rtol=1e-10)
    y_pred, sigma = _local_sigma(model.estimator_, X, y, outside, low, width)
    with pytest.warns(ExtrapolationWarning, match="1 of 1 samples"):
        interval = model.predict_interval(outside, alpha=0.1, kind="prediction")
    np.testing.assert_allclose(interval[0, 1] - y_pred[0], max(inner, outer) * sigma[0], rtol=1e-10)


def test_confidence_removes_the_noise():
    X, y = _morse_data(20, 0.01, 3)
    model = CalibratedIntervalRegressor(MorseRegressor()).fit(X, y)
    assert model.model_error_variance_ == max(0.0, model.residual_variance_ - model.noise_variance_)
    residual, noise = model._local_variances(X[:3])
    y_pred, std = model.estimator_.predict(X[:3], return_std=True)
    inner = np.quantile(model.calibration_scores_, 0.95)
    rse = np.sqrt(2 / model.dof_ + 4 / (X.shape[0] - 2))  # n - 2 pseudo-residuals
    spread = np.maximum(residual - noise * (1 + 2 * rse), 0.0)
    interval = model.predict_interval(X[:3], kind="confidence")
    np.testing.assert_allclose(
        interval[:, 1] - y_pred, inner * np.sqrt(std**2 + spread), rtol=1e-10
    )
    wider = model.predict_interval(X[:3], kind="prediction")
    assert np.all(wider[:, 1] - wider[:, 0] >= interval[:, 1] - interval[:, 0])


def test_regions_of_a_designed_grid():
    X = np.r_[np.linspace(0.0, 0.4, 9), np.linspace(0.6, 1.0, 9)][:, None]
    y = 2.0 * X[:, 0] + 0.01 * np.cos(40 * X[:, 0])

    from skphys import ParametricRegressor

    def line(params, X):
        return params[0] * X[:, 0] + params[1]

    model = CalibratedIntervalRegressor(ParametricRegressor(line, p0=[1.0, 0.0])).fit(X, y)
    grid = np.array([[0.2], [0.5], [-0.1], [1.15], [1.3], [-0.25]])
    np.testing.assert_array_equal(
        model.calibration_region(grid),
        ["inside", "extrapolated", "extrapolated", "extrapolated", "uncalibrated", "uncalibrated"],
    )


def test_deterministic_data_have_no_noise_and_intervals_cover_the_calculator():
    X, y = make_dimer_dataset("Cu2", 20, r_min=2.0, r_max=4.0, random_state=0)
    model = CalibratedIntervalRegressor(MorseRegressor()).fit(X, y)
    # EMT energies are smooth: the differences of neighbours leave little
    assert model.noise_variance_ < 0.1 * model.residual_variance_
    r = np.linspace(X.min(), X.max(), 101)[:, None]
    emt = AseEnergyTransformer("Cu2").fit_transform(r).ravel()
    interval = model.predict_interval(r, kind="prediction")
    # the target inside the data (the benchmark measures it over draws)
    assert np.mean((interval[:, 0] <= emt) & (emt <= interval[:, 1])) >= 0.9


@pytest.mark.slow
def test_coverage_of_noisy_exchangeable_data():
    hits = trials = 0
    rng = np.random.default_rng(7)
    for seed in range(40):
        X, y = _morse_data(20, 0.01, seed)
        model = CalibratedIntervalRegressor(MorseRegressor()).fit(X, y)
        r = rng.uniform(X.min(), X.max(), 5)
        new = morse(r, 0.5, 1.5, 2.2) + 0.01 * rng.normal(size=r.size)
        interval = model.predict_interval(r[:, None], alpha=0.1, kind="prediction")
        hits += np.count_nonzero((interval[:, 0] <= new) & (new <= interval[:, 1]))
        trials += r.size
    # at least 0.9 on average (the scale is about 1 here, and t covers 0.9);
    # points of one draw share its factor, so
    # the spread is that of 40 draws (binomial of the draws' coverage, sd <= 0.5/sqrt(40))
    assert hits / trials > 0.9 - 4 * 0.5 / np.sqrt(40)


def test_pipeline_on_atoms_and_n_jobs_agree():
    X, y, atoms = make_dimer_dataset(
        "Cu2", 12, r_min=2.0, r_max=4.0, random_state=1, return_atoms=True
    )
    pipe = make_pipeline(PairDistanceTransformer(), MorseRegressor())
    serial = CalibratedIntervalRegressor(pipe).fit(atoms, y)
    parallel = CalibratedIntervalRegressor(pipe, n_jobs=2).fit(atoms, y)
    np.testing.assert_allclose(
        serial.calibration_scores_, parallel.calibration_scores_, rtol=1e3 * np.sqrt(TOL)
    )
    np.testing.assert_allclose(serial.data_min_, [X.min()])
    on_features = CalibratedIntervalRegressor(MorseRegressor()).fit(X, y)
    np.testing.assert_allclose(
        serial.predict_interval(atoms[:3]),
        on_features.predict_interval(X[:3]),
        rtol=1e3 * np.sqrt(TOL),
    )
    # the module-level function reaches it too
    np.testing.assert_allclose(
        predict_interval(serial, atoms[:3]), serial.predict_interval(atoms[:3])
    )


def test_sample_weight_reaches_every_refit():
    X, y = _morse_data(14, 0.01, 4)
    y_bad = y.copy()
    y_bad[5] += 1.0
    weight = np.ones(14)
    weight[5] = 0.0
    weighted = CalibratedIntervalRegressor(MorseRegressor()).fit(X, y_bad, sample_weight=weight)
    dropped = CalibratedIntervalRegressor(MorseRegressor()).fit(np.delete(X, 5, 0), np.delete(y, 5))
    # refits that keep the zero-weight sample equal refits without it
    keep = np.arange(14) != 5
    np.testing.assert_allclose(
        np.delete(weighted.estimator_.params_, []), dropped.estimator_.params_,
        rtol=1e3 * np.sqrt(TOL),
    )  # fmt: skip
    assert np.all(np.isfinite(weighted.calibration_scores_[keep]))


def test_network_and_pickle():
    X, y = make_dimer_dataset("Cu2", 15, r_min=2.0, r_max=4.0, random_state=2)
    model = CalibratedIntervalRegressor(
        TanhMLPRegressor(hidden_layer_sizes=(4,), random_state=0), cv=5
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
    assert model.calibration_scores_.shape == (15,)
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(again.predict_interval(X), model.predict_interval(X))


def test_interpolating_network_leaves_its_std_out_inside():
    X, y = make_dimer_dataset("Cu2", 15, r_min=2.0, r_max=4.0, random_state=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = CalibratedIntervalRegressor(
            TanhMLPRegressor(hidden_layer_sizes=(10,), random_state=0), cv=5
        ).fit(X, y)
        assert model.dof_ < 7.5 and not model.uses_std_  # 31 parameters on 15 energies
        inside = np.array([[3.0]])
        outside = np.array([[X.max() + 0.2]])
        residual, _ = model._local_variances(np.r_[inside, outside])
        y_pred, std = model.estimator_.predict(np.r_[inside, outside], return_std=True)
        inner = np.quantile(model.calibration_scores_, 0.95)
        outer, _ = conformal_quantile(model.extrapolation_scores_, 0.05)
        interval = model.predict_interval(np.r_[inside, outside], kind="prediction")
    half = interval[:, 1] - y_pred
    assert half[0] == pytest.approx(inner * np.sqrt(residual[0]), rel=1e-10)
    expected = max(inner * np.sqrt(residual[1]), outer * np.sqrt(std[1] ** 2 + residual[1]))
    assert half[1] == pytest.approx(expected, rel=1e-10)
