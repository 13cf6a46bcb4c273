"""The contract every skphys regressor keeps, checked over ``skphys.__all__``.

Every public regressor (a ``RegressorMixin`` subclass not named ``Base*``) is found
by walking ``skphys.__all__`` and fitted on data it is defined for: a physical
form on data built from its own declaration (``physical_model.example``), so that
a new form joins these tests without any edit here. After the fit it must report
its residual variance and degrees of freedom, standard deviations, Student t
intervals, a fit status and a summary that names it.
"""

import inspect
import warnings

import autograd.numpy as anp
import numpy as np
import pytest
from ase.units import GPa
from scipy import stats
from sklearn.base import MetaEstimatorMixin, RegressorMixin
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

import skphys
from skphys.datasets import make_dimer_dataset
from skphys.exceptions import FitQualityWarning

EPS = np.finfo(float).eps
NOISE = 1e-3  # standard deviation of the noise added to the physical examples, eV
N_SAMPLES = 30


def exponential_decay(params, X):
    """``a exp(-b x) + c``; follows the per-sample convention of the core."""
    a, b, c = params
    return a * anp.exp(-b * X[:, 0]) + c


def public_regressors():
    """Every public regressor class of skphys, by walking ``skphys.__all__``.

    Meta-estimators (CalibratedIntervalRegressor) are not regressors of their own:
    tests/test_calibrated.py checks theirs.
    """
    return [
        getattr(skphys, name)
        for name in sorted(skphys.__all__)
        if inspect.isclass(getattr(skphys, name))
        and issubclass(getattr(skphys, name), RegressorMixin)
        and not issubclass(getattr(skphys, name), MetaEstimatorMixin)
        and not name.startswith("Base")
    ]


def physical_regressors():
    return [cls for cls in public_regressors() if issubclass(cls, skphys.BasePhysicalRegressor)]


def example_data(cls, noise=NOISE, seed=0):
    """Data from a physical form's declared example, plus Gaussian noise of ``noise``."""
    form = cls.physical_model
    params, (x_low, x_high) = form.example
    x = np.linspace(x_low, x_high, N_SAMPLES)
    rng = np.random.default_rng(seed)
    return x[:, None], form.function(x, *params) + rng.normal(scale=noise, size=x.size)


def fitted_case(cls):
    """(fitted estimator, X it was fitted on, noise sigma or None if y is not model + noise)."""
    if issubclass(cls, skphys.BasePhysicalRegressor):
        X, y = example_data(cls)
        # the declared example is a well-posed fit: no fit-quality warning may fire
        with warnings.catch_warnings():
            warnings.simplefilter("error", FitQualityWarning)
            return cls().fit(X, y), X, NOISE
    if cls is skphys.ParametricRegressor:
        x = np.linspace(0.0, 3.0, N_SAMPLES)
        rng = np.random.default_rng(0)
        y = exponential_decay([2.0, 1.5, 0.5], x[:, None]) + rng.normal(scale=NOISE, size=x.size)
        est = cls(exponential_decay, p0=[1.0, 1.0, 0.0], param_names=["a", "b", "c"])
        return est.fit(x[:, None], y), x[:, None], NOISE
    if cls is skphys.TanhMLPRegressor:
        x = np.linspace(0.0, 1.0, 40)
        y = np.sin(3 * x) + x**2
        return cls((5,), random_state=0).fit(x[:, None], y), x[:, None], None
    pytest.fail(f"add a way to fit {cls.__name__} to fitted_case in tests/test_contract.py")


@pytest.fixture(scope="module", params=public_regressors(), ids=lambda cls: cls.__name__)
def case(request):
    return fitted_case(request.param)


def test_every_regressor_is_found():
    names = {cls.__name__ for cls in public_regressors()}
    assert {"ParametricRegressor", "TanhMLPRegressor", "MurnaghanRegressor"} <= names
    assert {cls.__name__ for cls in physical_regressors()} >= {"BuckinghamRegressor"}
    assert not any(name.startswith("Base") for name in names)


def test_residual_variance_and_dof(case):
    est, _, noise = case
    assert np.isfinite(est.residual_variance_) and est.residual_variance_ >= 0
    assert est.dof_ > 0
    if noise is not None:
        # The model is the truth here: dof * s^2 / sigma^2 follows chi^2(dof). The
        # bounds fail with probability 2e-6 for a random seed (the seed is fixed).
        ratio = est.residual_variance_ / noise**2
        low, high = stats.chi2.ppf([1e-6, 1 - 1e-6], est.dof_) / est.dof_
        assert low < ratio < high


def test_predict_return_std(case):
    est, X, _ = case
    y_pred, std = est.predict(X, return_std=True)
    assert std.shape == y_pred.shape == (X.shape[0],)
    assert np.all(np.isfinite(std)) and np.all(std >= 0)
    np.testing.assert_array_equal(est.predict(X), y_pred)


@pytest.mark.parametrize("alpha", [0.05, 0.32])
def test_predict_interval_is_student_t(case, alpha):
    est, X, _ = case
    y_pred, std = est.predict(X, return_std=True)
    t = stats.t.ppf(1 - alpha / 2, est.dof_)
    expected_half = {
        "confidence": t * std,
        "prediction": t * np.sqrt(std**2 + est.residual_variance_),
    }
    intervals = {}
    for kind, half in expected_half.items():
        interval = est.predict_interval(X, alpha=alpha, kind=kind)
        assert interval.shape == (X.shape[0], 2)
        low, high = interval[:, 0], interval[:, 1]
        assert np.all(low <= y_pred) and np.all(y_pred <= high)
        # y -/+ half is rounded at the scale of y: the half-width read back from
        # the bounds carries that rounding, on top of a few ulps of its own
        atol = 4 * EPS * np.max(np.abs(y_pred))
        np.testing.assert_allclose((high - low) / 2, half, rtol=8 * EPS, atol=atol)
        np.testing.assert_allclose((high + low) / 2, y_pred, rtol=0, atol=atol)
        intervals[kind] = interval
    confidence, prediction = intervals["confidence"], intervals["prediction"]
    assert np.all(prediction[:, 0] <= confidence[:, 0])
    assert np.all(prediction[:, 1] >= confidence[:, 1])


@pytest.mark.parametrize("alpha", [0, 1, -0.1, 1.5, np.nan, True, "0.05"])
def test_predict_interval_rejects_bad_alpha(case, alpha):
    est, X, _ = case
    with pytest.raises(ValueError, match="alpha must be a probability"):
        est.predict_interval(X, alpha=alpha)


def test_predict_interval_rejects_bad_kind(case):
    est, X, _ = case
    with pytest.raises(ValueError, match="kind must be 'confidence' or 'prediction'"):
        est.predict_interval(X, kind="tolerance")


def test_fit_status(case):
    est, _, _ = case
    assert isinstance(est.converged_, bool)
    assert isinstance(est.fit_status_, str) and est.fit_status_
    assert isinstance(est.fit_message_, str) and est.fit_message_.strip()
    assert est.n_iter_ >= 1
    assert np.isfinite(est.loss_)
    assert len(est.loss_curve_) == est.n_iter_ + 1
    assert np.all(np.isfinite(est.loss_curve_))


def test_summary_mentions_the_fit_status(case):
    est, _, _ = case
    text = est.summary()
    assert isinstance(text, str)
    assert est.fit_status_ in text
    assert type(est).__name__ in text


def test_pcov_shape_matches_params(case):
    est, _, _ = case
    if not hasattr(est, "params_"):
        pytest.skip(f"{type(est).__name__} has no params_")
    n_params = est.params_.shape[0]
    assert est.pcov_.shape == (n_params, n_params)
    np.testing.assert_allclose(np.sqrt(np.diag(est.pcov_)), est.perr_, rtol=4 * EPS)


# -- the declarations -------------------------------------------------------------
@pytest.mark.parametrize("cls", physical_regressors(), ids=lambda cls: cls.__name__)
def test_physical_declaration_is_complete(cls):
    """A new physical form is tested by the tests above once it declares these."""
    form = cls.physical_model
    assert isinstance(form, skphys.PhysicalModel)
    params, (x_low, x_high) = form.example
    assert len(params) == len(form.names)
    assert 0 < x_low < x_high
    assert callable(form.random_case)
    u = np.random.default_rng(0).uniform(size=6)
    random_params, r_low, r_high = form.random_case(u)
    assert len(random_params) == len(form.names)
    assert 0 < r_low < r_high
    assert set(form.names) == set(form.units)
    assert form.names == tuple(inspect.signature(form.function).parameters)[1:]


# -- through a Pipeline -----------------------------------------------------------
@pytest.fixture(scope="module")
def log_volume_pipeline():
    """A Murnaghan fit on volumes given as their logarithm, undone by the pipeline."""
    X, y = example_data(skphys.MurnaghanRegressor)
    pipe = make_pipeline(FunctionTransformer(np.exp), skphys.MurnaghanRegressor())
    return pipe.fit(np.log(X), y), np.log(X)


@pytest.mark.parametrize("kind", ["confidence", "prediction"])
def test_predict_interval_of_a_pipeline_is_its_final_step(log_volume_pipeline, kind):
    pipe, log_X = log_volume_pipeline
    got = skphys.predict_interval(pipe, log_X, alpha=0.1, kind=kind)
    expected = pipe[-1].predict_interval(np.exp(log_X), alpha=0.1, kind=kind)
    np.testing.assert_allclose(got, expected, rtol=2 * EPS, atol=0)
    # on a bare estimator it is the estimator's own method
    direct = skphys.predict_interval(pipe[-1], np.exp(log_X), alpha=0.1, kind=kind)
    np.testing.assert_allclose(direct, expected, rtol=2 * EPS, atol=0)


def test_predict_gradient_of_a_pipeline_is_its_final_step():
    x = np.linspace(0.5, 2.0, 40)
    y = np.sin(3 * x)
    pipe = make_pipeline(
        FunctionTransformer(np.sqrt), skphys.TanhMLPRegressor((5,), random_state=0)
    ).fit(x[:, None] ** 2, y)
    X_query = np.linspace(0.6, 1.9, 7)[:, None] ** 2
    got = skphys.predict_gradient(pipe, X_query)
    expected = pipe[-1].predict_gradient(np.sqrt(X_query))
    assert got.shape == (7, 1)
    np.testing.assert_allclose(got, expected, rtol=2 * EPS, atol=0)


def test_pipeline_ending_without_the_method_raises_type_error():
    X = np.linspace(1.0, 2.0, 10)[:, None]
    y = 2 * X[:, 0]
    linear = make_pipeline(FunctionTransformer(), LinearRegression()).fit(X, y)
    with pytest.raises(TypeError, match="LinearRegression has no predict_interval"):
        skphys.predict_interval(linear, X)
    with pytest.raises(TypeError, match="LinearRegression has no predict_gradient"):
        skphys.predict_gradient(linear, X)


def test_predict_gradient_through_a_pipeline_of_a_physical_model_is_minus_pressure():
    X, y = example_data(skphys.MurnaghanRegressor)
    eos = make_pipeline(FunctionTransformer(), skphys.MurnaghanRegressor()).fit(X, y)
    gradient, std = skphys.predict_gradient(eos, X, return_std=True)
    # dE/dV in eV/Å^3 is minus the pressure, which the estimator reports in GPa
    assert gradient.shape == std.shape == X.shape
    np.testing.assert_allclose(gradient[:, 0], -eos[-1].pressure(X) * GPa, rtol=1e-12)
    assert np.all(std > 0)


def test_predict_gradient_through_pair_distances_of_cu2_dimers():
    X_r, y, atoms = make_dimer_dataset("Cu2", 60, random_state=0, return_atoms=True)
    pipe = make_pipeline(
        skphys.PairDistanceTransformer(), skphys.TanhMLPRegressor((5,), random_state=0)
    ).fit(atoms, y)
    distances = pipe[0].transform(atoms)
    # the transformer gives back the generator's separations (rounding of positions)
    np.testing.assert_allclose(distances, X_r, rtol=8 * EPS)
    got = skphys.predict_gradient(pipe, atoms)
    expected = pipe[-1].predict_gradient(distances)
    assert got.shape == (60, 1)
    np.testing.assert_allclose(got, expected, rtol=2 * EPS, atol=0)
