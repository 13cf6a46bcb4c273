"""MAPIE as a client of every skphys regressor.

Each public regressor is fitted on data that suit it (an equation of state on its
own E(V) curve, a pair potential on its own E(r), the network on a smooth 1-D
function, ParametricRegressor on its user model), plus 1 meV of Gaussian noise, and
handed to MAPIE's split conformal, CV+, jackknife+ and jackknife+-after-bootstrap
regressors. The intervals must be finite, contain the point prediction and, where
the model is the truth, be as wide as the noise says.

MAPIE from 1.3 checks that an estimator is fitted by predicting at
``np.zeros((1, n_features_in_))`` and turns any error into an exception
``UserWarning('Estimator does not appear fitted ... Error: ...')``. A volume or a
distance of 0 is outside the domain of every physical form, which rightly raises
ValueError there. Its split conformal runs on a prefitted estimator even with
``prefit=False``, so both modes probe: for the physical regressors the refusal
must carry skphys's reason. ``CrossConformalRegressor`` with one train /
calibration split is the same split conformal method without the probe (tested
equal below); it is how ``benchmarks/_mapie_intervals.py`` computes it.
"""

import inspect
import re

import autograd.numpy as anp
import numpy as np
import pytest
from scipy import stats
from sklearn.base import MetaEstimatorMixin, RegressorMixin
from sklearn.model_selection import LeaveOneOut, ShuffleSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

import skphys
from skphys.eos import FORMS
from skphys.functions import morse

mapie = pytest.importorskip("mapie", minversion="1.3", reason="needs the skphys[test] extra")
from mapie.regression import (  # noqa: E402
    CrossConformalRegressor,
    JackknifeAfterBootstrapRegressor,
    SplitConformalRegressor,
)
from mapie.subsample import Subsample  # noqa: E402

CONFIDENCE = 0.9
NOISE = 1e-3  # eV
N_SAMPLES = 60
# share of the samples that calibrate the split conformal interval
CALIBRATION_SHARE = 1 / 3
# ``1 - alpha/2`` quantile of the noise: the half-width of the interval an exact
# model earns, NOISE * z
Z = stats.norm.ppf(0.5 + CONFIDENCE / 2)
# whether this MAPIE checks a prefitted estimator by predicting at X = 0 (every
# release from 1.3.0; a release without the probe must run split conformal)
PROBES_AT_ZERO = hasattr(mapie.utils, "check_sklearn_user_model_is_fitted")
BOHR = 0.529177210903  # Å, CODATA 2018 (as ase.units.Bohr)


def decay(params, X):
    """A user model for ParametricRegressor: ``a exp(-b x) + c``, defined at x = 0."""
    a, b, c = params
    return a * anp.exp(-b * X[:, 0]) + c


def bohr_to_angstrom(X):
    """Distances in bohr to Å: the transformer of a Pipeline case."""
    return X * BOHR


class Case:
    """A regressor with data that suit it and whether its domain includes X = 0.

    ``curve(x)`` is the noise-free truth. ``widest`` bounds the half-width of the
    intervals in units of the noise's, ``NOISE * Z``: 2 where the regressor's
    model family contains the truth (the residuals are the noise alone, and the
    calibration residuals 20-60 draws of it), more for the network, which only
    approximates it.
    """

    def __init__(self, make, curve, x_range, zero_in_domain=False, widest=2.0):
        self.make = make
        self.curve = curve
        self.x_range = x_range
        self.zero_in_domain = zero_in_domain
        self.widest = widest

    def data(self, n_samples=N_SAMPLES, noise=NOISE, seed=0):
        rng = np.random.default_rng(seed)
        x = rng.uniform(*self.x_range, size=n_samples)
        return x[:, None], self.curve(x) + rng.normal(scale=noise, size=n_samples)

    def test_points(self, n=9):
        return np.linspace(*self.x_range, n)[:, None]


def physical_case(cls, params, x_range):
    return Case(cls, lambda x: cls.physical_model.function(x, *params), x_range)


# Volumes 13-20 Å^3/atom around the declared example (V0 = 16.5 Å^3, B0 = 136 GPa);
# distances 2-4.5 Å with the minimum of each well inside.
CASES = {cls.__name__: physical_case(cls, cls.physical_model.example[0], (13.0, 20.0))
         for cls in FORMS.values()}  # fmt: skip
CASES.update({
    "MorseRegressor": physical_case(skphys.MorseRegressor, (2.0, 1.4, 2.6), (2.0, 4.5)),
    "LennardJonesRegressor": physical_case(skphys.LennardJonesRegressor, (0.5, 2.0), (2.0, 4.5)),
    "BuckinghamRegressor": physical_case(
        skphys.BuckinghamRegressor, (500.0, 3.0, 20.0), (2.0, 4.5)
    ),
    "BornMayerRegressor": physical_case(skphys.BornMayerRegressor, (1000.0, 0.3), (2.0, 4.5)),
    "ParametricRegressor": Case(
        lambda: skphys.ParametricRegressor(decay, p0=[1.0, 1.0, 0.0]),
        lambda x: decay((0.5, 1.5, 0.1), x[:, None]), (0.0, 3.0), zero_in_domain=True,
    ),
    "TanhMLPRegressor": Case(
        lambda: skphys.TanhMLPRegressor((5,), random_state=0),
        np.sin, (-1.5, 1.5), zero_in_domain=True, widest=4.0,
    ),
    # distances in bohr, converted to Å by the first step
    "Pipeline(Morse)": Case(
        lambda: make_pipeline(FunctionTransformer(bohr_to_angstrom), skphys.MorseRegressor()),
        lambda x: morse(x * BOHR, 2.0, 1.4, 2.6), (2.0 / BOHR, 4.5 / BOHR),
    ),
})  # fmt: skip
ZERO_IN_DOMAIN = [name for name, case in CASES.items() if case.zero_in_domain]


def one_split(random_state=0):
    """One shuffled train / calibration split, the calibration a third of the data."""
    return ShuffleSplit(n_splits=1, test_size=CALIBRATION_SHARE, random_state=random_state)


def own_refusal(estimator):
    """The ValueError a fitted physical regressor raises at X = 0, as text."""
    with pytest.raises(ValueError) as info:
        estimator.predict(np.zeros((1, 1)))
    return str(info.value)


def check_intervals(case, y_pred, intervals, n_test):
    """Finite intervals of MAPIE's shape that contain the prediction.

    Their half-width must be that of the noise, ``NOISE * Z``, within a factor
    of 2 below and ``case.widest`` above: a fold fitted badly would widen them.
    """
    assert y_pred.shape == (n_test,)
    assert intervals.shape == (n_test, 2, 1)
    lower, upper = intervals[:, 0, 0], intervals[:, 1, 0]
    assert np.all(np.isfinite(intervals))
    assert np.all(lower <= y_pred) and np.all(y_pred <= upper)
    half_width = (upper - lower) / 2 / (NOISE * Z)
    assert np.all(half_width > 0.5), half_width
    assert np.all(half_width < case.widest), half_width


def public_regressors():
    """Every public regressor class of skphys, by walking ``skphys.__all__``.

    Meta-estimators (CalibratedIntervalRegressor) wrap these; their own intervals
    are the alternative to MAPIE's, compared in ``benchmarks/bench_coverage.py``.
    """
    for name in sorted(skphys.__all__):
        obj = getattr(skphys, name)
        if (
            inspect.isclass(obj)
            and issubclass(obj, RegressorMixin)
            and not issubclass(obj, MetaEstimatorMixin)
            and not name.startswith("Base")
        ):
            yield name


def test_every_public_regressor_has_a_case():
    assert set(public_regressors()) <= set(CASES)
    assert set(FORMS.values()) <= {case.make for case in CASES.values()}


def test_physical_refusal_names_the_domain():
    """The reason skphys gives at X = 0 says what is wrong, in the form's units."""
    case = CASES["MorseRegressor"]
    message = own_refusal(case.make().fit(*case.data()))
    assert re.fullmatch(r"MorseRegressor needs positive distances in Å; got .* 0\.", message)
    case = CASES["VinetRegressor"]
    message = own_refusal(case.make().fit(*case.data()))
    assert "VinetRegressor needs positive volumes in Å^3" in message


# -- split conformal ----------------------------------------------------------------
@pytest.mark.parametrize("prefit", [False, True])
@pytest.mark.parametrize("name", CASES)
def test_split_conformal(name, prefit):
    """``SplitConformalRegressor`` works, or refuses at X = 0 with skphys's reason.

    MAPIE (1.3 on) probes the prefitted estimator, or in a Pipeline its last step,
    at X = 0 in both modes (its split conformal always runs on a prefitted
    estimator); a physical regressor refuses, and MAPIE's message must carry why.
    """
    case = CASES[name]
    X, y = case.data()
    train, calibration = next(one_split().split(X))
    estimator = case.make()
    if prefit:
        estimator.fit(X[train], y[train])
    split = SplitConformalRegressor(estimator, confidence_level=CONFIDENCE, prefit=prefit)
    if not prefit:
        split.fit(X[train], y[train])
    if PROBES_AT_ZERO and not case.zero_in_domain:
        # what the regressor itself says at X = 0 (a Pipeline is probed at its last step)
        fitted = case.make().fit(X[train], y[train])
        reason = own_refusal(fitted[-1] if hasattr(fitted, "steps") else fitted)
        with pytest.raises(UserWarning, match=re.escape(reason)):
            split.conformalize(X[calibration], y[calibration])
        return
    split.conformalize(X[calibration], y[calibration])
    X_test = case.test_points()
    check_intervals(case, *split.predict_interval(X_test), len(X_test))


@pytest.mark.parametrize("name", ZERO_IN_DOMAIN + ["MorseRegressor"])
def test_one_split_is_split_conformal(name):
    """Cross-conformal with one split and method 'base' is MAPIE's split conformal.

    The same model (fitted on the training part), the same conformity scores, the
    same intervals; it fits and calibrates without probing at X = 0, so it serves
    the physical regressors. For Morse, compared with the split conformal
    interval worked out here from the calibration residuals.
    """
    case = CASES[name]
    X, y = case.data()
    X_test = case.test_points()
    cv = one_split()
    train, calibration = next(cv.split(X))
    cross = CrossConformalRegressor(
        case.make(), confidence_level=CONFIDENCE, method="base", cv=cv
    ).fit_conformalize(X, y)
    y_cross, intervals_cross = cross.predict_interval(X_test)
    check_intervals(case, y_cross, intervals_cross, len(X_test))
    fitted = case.make().fit(X[train], y[train])
    np.testing.assert_array_equal(y_cross, fitted.predict(X_test))
    if case.zero_in_domain:
        split = SplitConformalRegressor(case.make(), confidence_level=CONFIDENCE, prefit=False)
        split.fit(X[train], y[train]).conformalize(X[calibration], y[calibration])
        np.testing.assert_array_equal(intervals_cross, split.predict_interval(X_test)[1])
    # the ceil((n + 1) * confidence)-th smallest absolute calibration residual
    scores = np.sort(np.abs(y[calibration] - fitted.predict(X[calibration])))
    q = scores[int(np.ceil((len(scores) + 1) * CONFIDENCE)) - 1]
    np.testing.assert_allclose(intervals_cross[:, :, 0] - y_cross[:, None], [[-q, q]] * len(X_test))


# -- cross-validation and the jackknife ----------------------------------------------
@pytest.mark.parametrize(
    "cv", [5, pytest.param(LeaveOneOut(), marks=pytest.mark.slow)], ids=["cv+", "jackknife+"]
)
@pytest.mark.parametrize("name", CASES)
def test_cross_conformal_plus(name, cv):
    """CV+ (5 folds) and jackknife+ (leave one out) intervals."""
    case = CASES[name]
    X_test = case.test_points()
    cross = CrossConformalRegressor(
        case.make(), confidence_level=CONFIDENCE, method="plus", cv=cv, random_state=0
    ).fit_conformalize(*case.data())
    check_intervals(case, *cross.predict_interval(X_test), len(X_test))


@pytest.mark.parametrize("name", CASES)
def test_jackknife_after_bootstrap(name):
    """Jackknife+-after-bootstrap over 20 bootstrap fits."""
    case = CASES[name]
    X_test = case.test_points()
    # a seeded Subsample: MAPIE 1.3 and 1.4 do not pass random_state to the one
    # they build from resampling=20, and a point in every bootstrap sample then
    # now and then leaves an empty mean ("Mean of empty slice")
    jab = JackknifeAfterBootstrapRegressor(
        case.make(), confidence_level=CONFIDENCE,
        resampling=Subsample(n_resamplings=20, random_state=0), random_state=0,
    ).fit_conformalize(*case.data())  # fmt: skip
    check_intervals(case, *jab.predict_interval(X_test), len(X_test))


# -- coverage -------------------------------------------------------------------------
def test_split_conformal_coverage():
    """The 90 % split conformal interval covers 90 % of fresh Morse energies.

    Morse + 10 meV Gaussian noise; 1,000 points fit, 2,000 calibrate and 20,000
    fresh ones are tested. Given the calibration set, the coverage ``C`` is
    Beta(k, n + 1 - k) distributed with ``k = ceil((n + 1) 0.9)``, mean
    ``k / (n + 1)`` (Vovk 2012; Angelopoulos and Bates 2021, section 3.2); the
    measured share of m test points adds the binomial variance ``C (1 - C) / m``.
    The tolerance is 4 standard deviations of the sum, 0.028: an interval meant
    for 85 % or 95 % fails.
    """
    case = Case(skphys.MorseRegressor, lambda x: morse(x, 2.0, 1.4, 2.6), (2.0, 4.5))
    noise = 0.01
    X, y = case.data(n_samples=3000, noise=noise, seed=1)
    X_test, y_test = case.data(n_samples=20_000, noise=noise, seed=2)
    cv = ShuffleSplit(n_splits=1, test_size=2 / 3, random_state=0)
    split = CrossConformalRegressor(
        skphys.MorseRegressor(), confidence_level=CONFIDENCE, method="base", cv=cv
    ).fit_conformalize(X, y)
    _, intervals = split.predict_interval(X_test)
    covered = (intervals[:, 0, 0] <= y_test) & (y_test <= intervals[:, 1, 0])

    n, m = len(next(cv.split(X))[1]), len(y_test)
    k = np.ceil((n + 1) * CONFIDENCE)
    mean = k / (n + 1)
    var_given_calibration = stats.beta(k, n + 1 - k).var()
    var = var_given_calibration + (mean * (1 - mean) - var_given_calibration) / m
    assert abs(covered.mean() - mean) < 4 * np.sqrt(var), covered.mean()
