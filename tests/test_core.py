"""The fitting core seen through the estimators: weights, stopping, warnings.

What every estimator inherits from :mod:`skphys._core`: a zero weight removes a
sample, ``max_iter`` caps the iterations it reports, the fit status says why the
solver stopped, and the warnings name the user's line, in a Pipeline too.
"""

import re
import warnings
from pathlib import Path
from unittest import mock

import autograd.numpy as anp
import numpy as np
import pytest
from ase.units import GPa
from scipy import optimize
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

import skphys
from skphys import exceptions

EPS = np.finfo(float).eps
SOLVER_TOL = 1e-8  # the default tol of the named-parameter regressors
MISRA1A = Path(__file__).parent / "data" / "nist_strd" / "Misra1a.dat"  # NIST StRD, bundled
SOLVERS = ["lm", "trf", "lbfgs", "adam"]


def line(params, X):
    slope, intercept = params
    return slope * X[:, 0] + intercept


def misra1a(params, X):
    """NIST StRD Misra1a: ``b1 (1 - exp(-b2 x))``."""
    b1, b2 = params
    return b1 * (1 - anp.exp(-b2 * X[:, 0]))


@pytest.fixture(scope="module")
def poor_p0(eos_data):
    """A start the data suggest only roughly (E0 at the lowest energy, V0 at the mean
    volume, B0 = 0.3 GPa, half the fitted one): several iterations from the optimum."""
    X, y = eos_data
    return [float(y.min()), 0.3 * GPa, 4.0, float(X.mean())]


@pytest.fixture(scope="module")
def cu2_blog_data(dimer_energies):
    """The blog's Buckingham fit: its least-squares optimum has A < 0 and C < 0."""
    r = np.linspace(1.8, 4.0, 20)
    return r[:, None], dimer_energies("Cu", r)


@pytest.fixture(scope="module")
def noisy_curve():
    """15 noisy samples: a network with many parameters and no penalty interpolates them."""
    x = np.linspace(0, 1, 15)
    y = np.sin(3 * x) + np.random.default_rng(0).normal(scale=0.1, size=x.size)
    return x[:, None], y


def _sse_from_summary(text):
    return float(re.search(r"SSE = ([-+0-9.eE]+),", text).group(1))


def _categories(caught, category):
    return [w for w in caught if issubclass(w.category, category)]


# -- 1. a zero weight is a removed sample -------------------------------------------
def test_zero_weight_rows_equal_dropped_rows(eos_data):
    X, y = eos_data
    weight = np.ones(len(y))
    weight[1::2] = 0.0
    weighted = skphys.MurnaghanRegressor().fit(X, y, sample_weight=weight)
    dropped = skphys.MurnaghanRegressor().fit(X[::2], y[::2])
    assert weighted.dof_ == dropped.dof_ == len(y[::2]) - 4
    # Both fits stop within the solver's relative tolerance of the same optimum:
    # their losses agree to tol, and a loss difference of tol * SSE moves the
    # parameters by sqrt(dof * tol) ~ 3e-4 standard errors at most.
    assert weighted.loss_ == pytest.approx(dropped.loss_, rel=2 * SOLVER_TOL)
    bound = np.sqrt(weighted.dof_ * 2 * SOLVER_TOL)
    assert np.all(np.abs(weighted.params_ - dropped.params_) <= bound * dropped.perr_)
    # the Jacobian at parameters that close differs by as little
    np.testing.assert_allclose(weighted.perr_, dropped.perr_, rtol=bound)
    # the summary prints the SSE to 6 significant digits
    assert _sse_from_summary(weighted.summary()) == pytest.approx(
        _sse_from_summary(dropped.summary()), rel=1e-5
    )
    assert _sse_from_summary(dropped.summary()) == pytest.approx(
        dropped.loss_ * len(y[::2]), rel=1e-5
    )


# -- 2. invalid weights -----------------------------------------------------------
def _weight_cases():
    x = np.linspace(1.6, 4.0, 20)
    X_pair, y_pair = x[:, None], skphys.MorseRegressor.physical_model.function(x, 2.0, 1.4, 2.2)
    X_line = np.linspace(0, 1, 20)[:, None]
    y_line = line([2.0, 1.0], X_line)
    return {
        "MorseRegressor": (lambda: skphys.MorseRegressor(), X_pair, y_pair),
        "ParametricRegressor": (
            lambda: skphys.ParametricRegressor(line, p0=[1.0, 0.0]),
            X_line,
            y_line,
        ),
        "TanhMLPRegressor": (lambda: skphys.TanhMLPRegressor((2,), random_state=0), X_line, y_line),
    }


@pytest.mark.parametrize("name", sorted(_weight_cases()))
def test_negative_sample_weight_raises(name):
    make, X, y = _weight_cases()[name]
    weight = np.ones(len(y))
    weight[3] = -1.0
    with pytest.raises(ValueError, match="sample_weight"):
        make().fit(X, y, sample_weight=weight)


@pytest.mark.parametrize("name", sorted(_weight_cases()))
def test_all_zero_sample_weight_raises(name):
    make, X, y = _weight_cases()[name]
    with pytest.raises(ValueError, match="(?i)sample.weights? must"):
        make().fit(X, y, sample_weight=np.zeros(len(y)))


# -- 3. max_iter and the fit status ----------------------------------------------------
@pytest.mark.parametrize("solver", SOLVERS)
def test_max_iter_stops_the_fit_and_says_so(eos_data, poor_p0, solver):
    X, y = eos_data
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est = skphys.MurnaghanRegressor(p0=poor_p0, solver=solver, max_iter=2).fit(X, y)
    assert est.n_iter_ == 2
    assert len(est.loss_curve_) == 3
    assert est.fit_status_ == "max_iter"
    assert est.converged_ is False
    assert "max_iter=2" in est.fit_message_
    convergence = _categories(caught, ConvergenceWarning)
    assert len(convergence) == 1
    assert "max_iter=2" in str(convergence[0].message)
    assert f"solver={solver!r}" in str(convergence[0].message)


@pytest.mark.parametrize("solver", ["lm", "trf", "lbfgs"])
def test_converged_fit_reports_converged(eos_data, poor_p0, solver):
    X, y = eos_data
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est = skphys.MurnaghanRegressor(p0=poor_p0, solver=solver, max_iter=200).fit(X, y)
    assert est.converged_ is True
    assert est.fit_status_ == "converged"
    assert 1 <= est.n_iter_ <= 200
    assert est.fit_message_.startswith("converged")


def test_adam_converges_when_the_loss_falls_below_tol():
    X = np.linspace(0, 1, 10)[:, None]
    y = line([2.0, 1.0], X)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est = skphys.ParametricRegressor(
            line, p0=[0.0, 0.0], solver="adam", tol=1e-10, learning_rate=0.1, max_iter=2000
        ).fit(X, y)
    assert est.converged_ is True
    assert est.fit_status_ == "converged"
    assert est.n_iter_ <= 2000
    assert est.loss_ < 1e-10


@pytest.mark.parametrize("solver", ["lm", "trf"])
def test_tol_zero_asks_for_machine_precision(eos_data, solver):
    X, y = eos_data
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        exact = skphys.MurnaghanRegressor(solver=solver, tol=0).fit(X, y)
        default = skphys.MurnaghanRegressor(solver=solver).fit(X, y)
    assert exact.converged_ is True
    assert exact.fit_status_ == "converged"
    assert exact.n_iter_ >= default.n_iter_
    # Rounding bound on the loss: every residual is evaluated with an error of a
    # few eps times the largest term of the model (E - min(E), and B0 V0 / (BP - 1)
    # inside the Murnaghan form); the mean square then moves by 2 mean|r| that much.
    e0, b0, bp, v0 = default.params_
    term = max(np.ptp(y), b0 * v0 / (bp - 1))
    rounding = 2 * np.sqrt(default.loss_) * 16 * EPS * term
    assert exact.loss_ <= default.loss_ + rounding


# -- 4. warnings point at the user's line -------------------------------------------
def test_every_fit_quality_warning_has_its_class():
    for name in (
        "UnphysicalParametersWarning",
        "ExtrapolatedMinimumWarning",
        "OutlierWarning",
        "UndeterminedParameterWarning",
        "OverparameterizedWarning",
    ):
        category = getattr(exceptions, name)
        assert issubclass(category, exceptions.FitQualityWarning)
        assert issubclass(category, UserWarning)
        assert name in exceptions.__all__
    assert not issubclass(exceptions.ExtrapolationWarning, exceptions.FitQualityWarning)
    assert issubclass(exceptions.ExtrapolationWarning, UserWarning)


def test_convergence_warning_points_at_the_callers_line(eos_data, poor_p0):
    X, y = eos_data
    est = skphys.MurnaghanRegressor(p0=poor_p0, max_iter=2)
    pipe = make_pipeline(FunctionTransformer(), skphys.MurnaghanRegressor(p0=poor_p0, max_iter=2))
    for fit in (lambda: est.fit(X, y), lambda: pipe.fit(X, y)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fit()
        convergence = _categories(caught, ConvergenceWarning)
        assert convergence
        assert {w.filename for w in convergence} == {__file__}


def test_fit_quality_warning_points_at_the_callers_line(cu2_blog_data):
    X, y = cu2_blog_data
    direct = skphys.BuckinghamRegressor(p0=[-80, 1, 1])
    pipe = make_pipeline(FunctionTransformer(), skphys.BuckinghamRegressor(p0=[-80, 1, 1]))
    for est, fit in ((direct, lambda: direct.fit(X, y)), (pipe[-1], lambda: pipe.fit(X, y))):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fit()
        assert est.params_[0] < 0 and est.params_[2] < 0  # A < 0, C < 0
        unphysical = _categories(caught, exceptions.UnphysicalParametersWarning)
        assert len(unphysical) == 1
        assert unphysical[0].filename == __file__
        assert "unphysical parameters (A = -" in str(unphysical[0].message)
        assert {w.filename for w in _categories(caught, exceptions.FitQualityWarning)} == {__file__}


def test_extrapolated_minimum_warning_has_its_class():
    # a Morse curve sampled on its repulsive side only: the minimum (2.2 Å) is beyond
    r = np.linspace(1.6, 2.0, 12)
    E = skphys.MorseRegressor.physical_model.function(r, 2.0, 1.4, 2.2)
    with pytest.warns(exceptions.ExtrapolatedMinimumWarning, match="extrapolated") as record:
        skphys.MorseRegressor().fit(r[:, None], E)
    assert all(w.filename == __file__ for w in record)


# -- 5. overparameterised networks ----------------------------------------------------
def test_overparameterized_network_warns(noisy_curve):
    X, y = noisy_curve
    with pytest.warns(exceptions.OverparameterizedWarning, match="151 parameters") as record:
        net = skphys.TanhMLPRegressor((50,), alpha=1e-6, random_state=0).fit(X, y)
    assert net.dof_ < 1
    assert all(
        w.filename == __file__
        for w in record
        if issubclass(w.category, exceptions.OverparameterizedWarning)
    )


@pytest.mark.parametrize(
    "params", [{"hidden_layer_sizes": (50,), "alpha": 1.0}, {"hidden_layer_sizes": (2,)}]
)
def test_penalised_or_small_network_does_not_warn(noisy_curve, params):
    X, y = noisy_curve
    with warnings.catch_warnings():
        warnings.simplefilter("error", exceptions.OverparameterizedWarning)
        net = skphys.TanhMLPRegressor(random_state=0, **params).fit(X, y)
    assert net.dof_ >= 1


# -- 6. the training domain of a network ------------------------------------------------
def test_extrapolation_warning_beyond_the_largest_spacing():
    x = np.linspace(0, 1, 21)
    spacing = 0.05
    net = skphys.TanhMLPRegressor((5,), random_state=0).fit(x[:, None], np.sin(3 * x))
    np.testing.assert_array_equal(net.domain_margin_, [np.max(np.diff(x))])
    np.testing.assert_allclose(net.domain_margin_, [spacing], rtol=8 * EPS)
    near = np.array([[1 + 0.5 * spacing], [-0.5 * spacing]])
    far = np.array([[1 + 3 * spacing], [-3 * spacing]])
    with warnings.catch_warnings():
        warnings.simplefilter("error", skphys.ExtrapolationWarning)
        net.predict(near)
    assert net.in_training_domain(near).tolist() == [True, True]
    for point in far:
        with pytest.warns(skphys.ExtrapolationWarning, match="outside the training domain"):
            net.predict(point[None, :])
    assert net.in_training_domain(far).tolist() == [False, False]
    mixed = np.vstack([near, far])
    assert net.in_training_domain(mixed).tolist() == [True, True, False, False]
    with pytest.warns(skphys.ExtrapolationWarning, match="2 of 4 samples") as record:
        net.predict(mixed)
    assert all(w.filename == __file__ for w in record)


# -- 7. L-BFGS-B's abnormal line search ----------------------------------------------
@pytest.fixture(scope="module")
def misra1a_data():
    data = np.loadtxt(MISRA1A, skiprows=60)
    return data[:, 1:2], data[:, 0]


@pytest.mark.parametrize("start", [[500.0, 1e-4], [250.0, 5e-4]], ids=["start1", "start2"])
def test_lbfgs_at_machine_precision_says_how_it_ended(misra1a_data, start):
    """With tol=0 L-BFGS-B iterates until rounding ends its progress.

    Whether rounding then defeats its line search (scipy's ABNORMAL) or its own
    tests stop it depends on the CPU's last digits; either way it stands at NIST's
    optimum, and the status must say which it was: a failed line search is not
    convergence. (The mapping of scipy's status 2 itself is tested below.)
    """
    X, y = misra1a_data
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        est = skphys.ParametricRegressor(misra1a, p0=start, solver="lbfgs", tol=0).fit(X, y)
    convergence = [w for w in record if issubclass(w.category, ConvergenceWarning)]
    if est.fit_status_ == "line_search":
        assert est.converged_ is False
        assert "ABNORMAL" in est.fit_message_
        assert len(convergence) == 1 and "line search failed" in str(convergence[0].message)
        assert convergence[0].filename == __file__
    else:
        assert est.fit_status_ == "converged" and est.converged_ is True
        assert not convergence
    # it stopped where rounding, not the problem, ends progress: at NIST's optimum
    certified, certified_err = np.array([238.94212918, 5.5015643181e-4]), [2.707, 7.2669e-6]
    assert np.all(np.abs(est.params_ - certified) <= 1e-3 * np.asarray(certified_err))


@pytest.mark.parametrize("start", [[500.0, 1e-4], [250.0, 5e-4]], ids=["start1", "start2"])
def test_lbfgs_stalled_far_from_the_optimum_is_not_converged(misra1a_data, start):
    """At the default tol, L-BFGS-B's relative-reduction test ends the badly scaled
    Misra1a fit after a few iterations with b1 still near its start: the fit must
    say it stalled, not that it converged."""
    X, y = misra1a_data
    with pytest.warns(ConvergenceWarning, match="short of the optimum") as record:
        est = skphys.ParametricRegressor(misra1a, p0=start, solver="lbfgs").fit(X, y)
    assert est.fit_status_ == "stalled"
    assert est.converged_ is False
    assert all(w.filename == __file__ for w in record)
    # the same problem by Levenberg-Marquardt converges to NIST's values
    lm = skphys.ParametricRegressor(misra1a, p0=start).fit(X, y)
    assert lm.converged_ and lm.fit_status_ == "converged"
    certified_err = np.array([2.707, 7.2669e-6])
    stall = np.abs(est.params_ - lm.params_) / certified_err
    assert np.max(stall) > 1.0, stall  # the stall is real: standard errors away


def test_lbfgs_status_two_maps_to_line_search():
    """scipy's status 2 itself, independent of where rounding stops a real fit."""
    X = np.linspace(0, 1, 10)[:, None]
    y = line([2.0, 1.0], X)

    def abnormal(fun, x0, **kwargs):
        return optimize.OptimizeResult(
            x=np.asarray(x0) + 0.5, fun=fun(x0)[0], status=2, success=False,
            message="ABNORMAL: ", nit=1,
        )  # fmt: skip

    with mock.patch.object(optimize, "minimize", abnormal):
        with pytest.warns(ConvergenceWarning, match="line search failed"):
            est = skphys.ParametricRegressor(line, p0=[0.0, 0.0], solver="lbfgs").fit(X, y)
    assert est.fit_status_ == "line_search"
    assert est.converged_ is False
    np.testing.assert_array_equal(est.params_, [0.5, 0.5])
    assert len(est.loss_curve_) == est.n_iter_ + 1
