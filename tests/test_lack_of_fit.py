"""The lack-of-fit test of the residuals: its statistics, its calibration, its warning.

The runs of signs are checked against a hand count and against enumeration of
every order; the Durbin-Watson p-value against a closed form and against the
simulated distribution of a linear fit's residuals. Then the estimators: a wrong
form fitted to deterministic EMT energies warns, the right form fitted to noisy
data warns at the nominal rate and no more, and fits the test cannot judge (too
few points, derivatives, rounding-level residuals) store the numbers untested.
"""

import itertools
import pickle
import warnings
from math import comb

import numpy as np
import pytest
from scipy import stats
from sklearn.base import clone

import skphys._core._lack_of_fit as lof_module
from skphys import (
    LennardJonesRegressor,
    MorseRegressor,
    ParametricRegressor,
    TanhMLPRegressor,
)
from skphys._core._lack_of_fit import (
    LEVEL,
    MIN_RESIDUALS,
    _column_basis,
    _imhof_below_zero,
    durbin_watson_pvalue,
    lack_of_fit,
    runs_cdf,
)
from skphys.datasets import make_dimer_dataset
from skphys.exceptions import FitQualityWarning, LackOfFitWarning
from skphys.functions import morse

MORSE = (3.86, 1.545, 2.18)  # De (eV), a (1/Å), re (Å): close to EMT's Cu2


def morse_with_noise(n, sigma, rng):
    """Distances uniform in [2, 4] Å and Morse energies plus Gaussian noise, eV."""
    r = rng.uniform(2.0, 4.0, n)
    return r[:, None], morse(r, *MORSE) + rng.normal(scale=sigma, size=n)


def fit_quietly(estimator, X, y, **fit_params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitQualityWarning)
        return estimator.fit(X, y, **fit_params)


# -- the statistics ------------------------------------------------------------------
def test_runs_of_signs_counted_along_the_input_by_hand():
    # along x the residuals read + + - - - + - 0 -: the zero counts in neither
    # sign, so the signs + + - - - + - - make 4 runs of 3 positives and 5 negatives
    residuals = np.array([1.0, 2.0, -1.0, -0.5, -2.0, 0.3, -1.0, 0.0, -0.2])
    x = np.arange(residuals.size, dtype=float)
    shuffle = np.random.default_rng(0).permutation(x.size)
    # a sample of zero weight is left out, whatever its sign
    x_all, r_all = np.append(x[shuffle], 2.5), np.append(residuals[shuffle], 5.0)
    weight = np.append(np.ones(x.size), 0.0)
    y = 10.0 + r_all
    result = lack_of_fit(x_all, y, y - r_all, weight)
    assert (result.n_positive, result.n_negative, result.n_runs) == (3, 5, 4)
    assert result.expected_runs == 1 + 2 * 3 * 5 / 8
    assert result.n_residuals == 9
    assert result.rms == pytest.approx(np.sqrt(np.mean(residuals**2)), rel=1e-14)
    assert result.relative_rms == pytest.approx(result.rms / np.std(y[:-1]), rel=1e-14)
    # Rice's noise estimate from successive differences along x
    rice = np.sum(np.diff(residuals) ** 2) / (2 * (residuals.size - 1))
    assert result.noise_ratio == pytest.approx(result.rms / np.sqrt(rice), rel=1e-14)
    assert np.isnan(result.pvalue) and result.untested_reason == "no Jacobian"
    assert not result.structured


@pytest.mark.parametrize("n_pos, n_neg", [(1, 1), (1, 6), (3, 4), (5, 5), (2, 8), (7, 3)])
def test_runs_pvalue_equals_the_count_over_every_order(n_pos, n_neg):
    n = n_pos + n_neg
    counts = {}
    for positives in itertools.combinations(range(n), n_pos):
        signs = -np.ones(n)
        signs[list(positives)] = 1.0
        runs = 1 + int(np.count_nonzero(signs[1:] != signs[:-1]))
        counts[runs] = counts.get(runs, 0) + 1
    for runs in range(2, n + 1):
        at_most = sum(c for r, c in counts.items() if r <= runs)
        assert runs_cdf(runs, n_pos, n_neg) == pytest.approx(at_most / comb(n, n_pos), rel=1e-12)


def test_runs_pvalue_of_many_signs_matches_the_normal_limit():
    # Wald-Wolfowitz: mean 1 + 2 n1 n2 / n, variance 2 n1 n2 (2 n1 n2 - n) / (n^2 (n - 1));
    # at n = 2000 the exact sum (in logarithms) is within the continuity-corrected
    # normal's error, O(1 / sqrt(n)) of the density
    n_pos = n_neg = 1000
    n = n_pos + n_neg
    mean = 1 + 2 * n_pos * n_neg / n
    sd = np.sqrt(2 * n_pos * n_neg * (2 * n_pos * n_neg - n) / (n**2 * (n - 1)))
    for runs in (940, 980, 1001):
        normal = stats.norm.cdf((runs + 0.5 - mean) / sd)
        assert runs_cdf(runs, n_pos, n_neg) == pytest.approx(normal, abs=0.01)


@pytest.mark.parametrize("c", [0.01, 0.5, 1.0, 3.0, 100.0])
def test_imhof_integral_of_two_squares_has_its_closed_form(c):
    # P(z1^2 < c z2^2) = P(|t_1| < sqrt(c)) for a Cauchy ratio: (2 / pi) arctan(sqrt(c))
    assert _imhof_below_zero(np.array([1.0, -c])) == pytest.approx(
        2 / np.pi * np.arctan(np.sqrt(c)), abs=1e-9
    )


@pytest.mark.parametrize("n", [12, 40])
def test_durbin_watson_pvalue_matches_the_simulated_residuals_of_a_linear_fit(n):
    rng = np.random.default_rng(n)
    x = np.sort(rng.uniform(0.0, 1.0, n))
    design = np.column_stack([np.ones(n), x, x**2])
    basis = _column_basis(design)
    projector = np.eye(n) - basis @ basis.T
    observed = projector @ (rng.normal(size=n) + 0.6 * np.sin(6 * x))  # some structure
    d_observed = np.sum(np.diff(observed) ** 2) / np.sum(observed**2)
    draws = 40_000
    e = rng.normal(size=(draws, n)) @ projector
    d = np.sum(np.diff(e, axis=1) ** 2, axis=1) / np.sum(e**2, axis=1)
    simulated = np.mean(d <= d_observed)
    p = durbin_watson_pvalue(observed, basis)
    assert 0.005 < p < 0.995  # the check has something to compare
    assert p == pytest.approx(simulated, abs=4.5 * np.sqrt(p * (1 - p) / draws))


def test_the_normal_approximation_for_many_residuals_is_close_to_the_exact(monkeypatch):
    rng = np.random.default_rng(3)
    n = 150
    x = np.sort(rng.uniform(0.0, 1.0, n))
    basis = _column_basis(np.column_stack([np.ones(n), np.exp(-x), x]))
    projector = np.eye(n) - basis @ basis.T
    for shift in (0.0, 0.25, 0.4):
        e = projector @ (rng.normal(size=n) + shift * np.sin(9 * x) * np.sqrt(n) / 4)
        normal = durbin_watson_pvalue(e, basis)
        monkeypatch.setattr(lof_module, "_EXACT_MAX", n)
        exact = durbin_watson_pvalue(e, basis)
        monkeypatch.undo()
        # Durbin and Watson (1971): at n = 150 the two differ by a few 0.001 at most
        assert normal == pytest.approx(exact, abs=5e-3)


# -- the estimators ------------------------------------------------------------------
@pytest.fixture(scope="module")
def cu2_emt():
    """40 EMT energies of Cu2 at distances in [2, 4] Å, zero at 10 Å (eV)."""
    return make_dimer_dataset("Cu2", 40, r_min=2.0, r_max=4.0, random_state=0)


def test_lennard_jones_on_emt_cu2_warns_with_the_rms_residual(cu2_emt):
    X, y = cu2_emt
    with pytest.warns(LackOfFitWarning) as record:
        lj = LennardJonesRegressor().fit(X, y)
    assert len(record) == 1 and issubclass(record[0].category, FitQualityWarning)
    rms = np.sqrt(np.mean((y - lj.predict(X)) ** 2))  # ~0.47 eV
    message = str(record[0].message)
    assert f"RMS residual {rms:.3g} eV" in message
    assert "understate the uncertainty" in message
    result = lj.lack_of_fit_
    assert result.structured and result.pvalue < 1e-6
    assert result.rms == pytest.approx(rms, rel=1e-12)
    assert f"{result.n_runs} runs of signs" in message
    # the summary says it too, next to the intervals it qualifies
    summary = lj.summary()
    assert "lack of fit: Durbin-Watson p < 1e-10, structured" in summary
    assert f"residuals: RMS {rms:.4g} eV" in summary


@pytest.mark.parametrize("cls", [MorseRegressor, LennardJonesRegressor])
def test_the_order_of_the_samples_does_not_matter(cls, cu2_emt):
    X, y = cu2_emt
    order = np.random.default_rng(1).permutation(y.size)
    first = fit_quietly(cls(), X, y).lack_of_fit_
    second = fit_quietly(cls(), X[order], y[order]).lack_of_fit_
    assert (first.n_runs, first.n_positive) == (second.n_runs, second.n_positive)
    assert second.pvalue == pytest.approx(first.pvalue, rel=1e-6, abs=1e-12)


def test_zero_weights_are_the_same_as_removed_samples(cu2_emt):
    X, y = cu2_emt
    weight = np.ones(y.size)
    weight[::5] = 0.0
    weighted = fit_quietly(MorseRegressor(), X, y, sample_weight=weight).lack_of_fit_
    removed = fit_quietly(MorseRegressor(), X[weight > 0], y[weight > 0]).lack_of_fit_
    assert weighted.n_residuals == removed.n_residuals == 32
    assert (weighted.n_runs, weighted.n_positive) == (removed.n_runs, removed.n_positive)
    assert weighted.pvalue == pytest.approx(removed.pvalue, rel=1e-6, abs=1e-12)
    assert weighted.rms == pytest.approx(removed.rms, rel=1e-8)


def test_morse_on_morse_with_noise_does_not_warn():
    X, y = morse_with_noise(30, 0.01, np.random.default_rng(2))
    with warnings.catch_warnings():
        warnings.simplefilter("error", FitQualityWarning)
        morse_fit = MorseRegressor().fit(X, y)
    result = morse_fit.lack_of_fit_
    assert result.pvalue > 0.05 and not result.structured
    assert 0.5 < result.noise_ratio < 1.5
    assert "consistent with independent noise" in morse_fit.summary()


@pytest.mark.parametrize("n", [MIN_RESIDUALS, 20])
def test_the_false_alarm_rate_of_a_right_form_is_the_nominal_one(n):
    # the right form plus Gaussian noise: the p-values are uniform, so over 300
    # draws the count below each level is binomial (bounds at 0.1 % per side)
    rng = np.random.default_rng(100 + n)
    draws = 300
    pvalues = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitQualityWarning)
        for _ in range(draws):
            X, y = morse_with_noise(n, 0.01, rng)
            pvalues.append(MorseRegressor().fit(X, y).lack_of_fit_.pvalue)
    pvalues = np.array(pvalues)
    for level in (LEVEL, 0.1, 0.5):
        low, high = stats.binom.interval(0.998, draws, level)
        assert low <= np.count_nonzero(pvalues < level) <= high, (level, np.sort(pvalues)[:10])


def test_a_wrong_form_fitted_to_noisy_data_warns():
    # Lennard-Jones cannot follow a Morse curve; the noise (0.1 eV) is a third of the
    # model error, and 40 points show it (the test's power there is ~1)
    X, y = morse_with_noise(40, 0.1, np.random.default_rng(5))
    with pytest.warns(LackOfFitWarning, match="structured along X"):
        LennardJonesRegressor().fit(X, y)


def test_too_few_points_are_described_but_not_tested(cu2_emt):
    X, y = cu2_emt
    few = np.argsort(X[:, 0])[:: 40 // (MIN_RESIDUALS - 1)][: MIN_RESIDUALS - 1]  # over [2, 4] Å
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitQualityWarning)
        warnings.simplefilter("error", LackOfFitWarning)
        lj = LennardJonesRegressor().fit(X[few], y[few])
    result = lj.lack_of_fit_
    assert np.isnan(result.pvalue) and not result.structured
    assert result.untested_reason == f"fewer than {MIN_RESIDUALS} residuals"
    assert result.n_residuals == MIN_RESIDUALS - 1 and result.rms > 0.1
    assert f"not tested (fewer than {MIN_RESIDUALS} residuals)" in lj.summary()


def test_a_fit_with_derivatives_is_not_tested():
    X, y, y_grad = make_dimer_dataset(
        "Cu2", 30, r_min=2.0, r_max=4.0, random_state=0, return_y_grad=True
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", LackOfFitWarning)
        morse_fit = fit_quietly(MorseRegressor(), X, y, y_grad=y_grad)
    result = morse_fit.lack_of_fit_
    assert np.isnan(result.pvalue) and result.untested_reason == "fitted with derivatives"
    assert result.n_residuals == 30 and result.n_runs >= 1


def test_residuals_at_rounding_level_are_not_tested():
    r = np.linspace(2.0, 4.0, 30)
    with warnings.catch_warnings():
        warnings.simplefilter("error", LackOfFitWarning)
        exact = MorseRegressor().fit(r[:, None], morse(r, *MORSE))
    result = exact.lack_of_fit_
    assert result.relative_rms < 1e-12
    assert result.untested_reason == "residuals at the level of rounding errors"


def test_several_features_are_ordered_along_the_fitted_values():
    def plane(params, X):
        a, b, c = params
        return a * X[:, 0] + b * X[:, 1] + c

    rng = np.random.default_rng(0)
    X = rng.uniform(0.0, 1.0, size=(40, 2))
    y = np.exp(X[:, 0] + X[:, 1])  # a plane misses the curvature along a + b
    with pytest.warns(LackOfFitWarning, match="structured along the fitted values") as record:
        est = ParametricRegressor(plane, p0=[1.0, 1.0, 0.0]).fit(X, y)
    # a generic model does not know the unit of y
    assert f"RMS residual {est.lack_of_fit_.rms:.3g} (units of y)" in str(record[0].message)
    y_pred = est.predict(X)
    by_hand = lack_of_fit(y_pred, y, y_pred, np.ones(40))
    assert est.lack_of_fit_.n_runs == by_hand.n_runs
    assert est.lack_of_fit_.n_positive == by_hand.n_positive


def test_pickle_and_clone_keep_working(cu2_emt):
    X, y = cu2_emt
    morse_fit = fit_quietly(MorseRegressor(), X, y)
    restored = pickle.loads(pickle.dumps(morse_fit))
    assert restored.lack_of_fit_ == morse_fit.lack_of_fit_
    assert restored.summary() == morse_fit.summary()
    fresh = clone(morse_fit)
    assert not hasattr(fresh, "lack_of_fit_")
    assert fit_quietly(fresh, X, y).lack_of_fit_ == morse_fit.lack_of_fit_


def test_the_flexible_network_does_not_warn(cu2_emt):
    # deterministic data, but the network is meant to follow them; its residuals
    # are not tested (see the user guide)
    X, y = cu2_emt
    with warnings.catch_warnings():
        warnings.simplefilter("error", LackOfFitWarning)
        net = TanhMLPRegressor((8,), random_state=0, max_iter=200).fit(X, y)
    assert not hasattr(net, "lack_of_fit_")


def test_constant_y_does_not_divide_by_zero():
    """A spread of y of zero gives a relative RMS of nan or inf, not an exception."""
    X = np.linspace(0.0, 1.0, 12)[:, None]
    y = np.full(12, 3.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ParametricRegressor(lambda p, X: p[0] + p[1] * X[:, 0], p0=[0.0, 1.0])
        model.fit(X, y)
    assert model.lack_of_fit_.rms == pytest.approx(0.0, abs=1e-6)
    assert not np.isfinite(model.lack_of_fit_.relative_rms) or model.lack_of_fit_.rms == 0


def test_imhof_matches_adaptive_quadrature():
    """The trapezoidal rule in log u against scipy's adaptive quadrature of the same
    integral (epsabs 1e-12): the rule converges exponentially, so the two agree to
    far below any level that matters (1e-9), on eigenvalues of mixed sign and scale."""
    from scipy import integrate

    def by_quad(lam):
        def integrand(u):
            return np.sin(0.5 * np.sum(np.arctan(lam * u))) * np.exp(
                -np.log(u) - 0.25 * np.sum(np.log1p((lam * u) ** 2))
            )

        integral, _ = integrate.quad(integrand, 0.0, np.inf, limit=500, epsabs=1e-12)
        return 0.5 - integral / np.pi

    rng = np.random.default_rng(3)
    for _ in range(60):
        m = int(rng.integers(2, 60))
        lam = rng.normal(size=m) * np.exp(rng.normal(size=m))
        if np.all(lam > 0) or np.all(lam < 0):
            continue
        assert lof_module._imhof_below_zero(lam) == pytest.approx(by_quad(lam), abs=1e-9)
