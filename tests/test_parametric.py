"""Numerical tests of the fitting core, ParametricRegressor and the physical models."""

import pickle
import warnings

import autograd.numpy as anp
import numpy as np
import pytest
from ase.eos import EquationOfState
from ase.units import GPa
from autograd.test_util import check_grads
from scipy import stats
from sklearn.exceptions import ConvergenceWarning, NotFittedError

from skphys import BuckinghamRegressor, FitFailedError, MurnaghanRegressor, ParametricRegressor
from skphys._core import broadcast_jacobian, resolve_jacobian_method, reverse_jacobian
from skphys.functions import buckingham, murnaghan, murnaghan_pressure

# The least-squares optimum of the Murnaghan form on the bundled table (issue text;
# also found by ase.eos.EquationOfState(V, E, eos='murnaghan')).
MURNAGHAN_OPTIMUM = {"E0": -400.029466, "B0": 3.73589e-3, "BP": 4.0487, "V0": 212.7784}
MURNAGHAN_SSE = 5.1199e-6


def line(params, X):
    slope, intercept = params
    return slope * X[:, 0] + intercept


def tanh_model(params, X):
    """The blog's [1, 3, 1] tanh network as a 10-parameter function, per-sample ready."""
    x = X[:, 0]
    w1, b1, w2 = params[0:3], params[3:6], params[6:9]
    hidden = [anp.tanh(w1[i] * x + b1[i]) for i in range(3)]
    return w2[0] * hidden[0] + w2[1] * hidden[1] + w2[2] * hidden[2] + params[9]


# -- the Jacobian -----------------------------------------------------------------
@pytest.mark.parametrize("rows", [False, True])
def test_broadcast_jacobian_equals_autograd_and_finite_differences(rows):
    rng = np.random.default_rng(0)
    X = np.linspace(0, 1, 50).reshape(-1, 1)
    params = rng.normal(scale=0.5, size=10)
    if rows:
        model = MurnaghanRegressor()._model
        X = np.linspace(150, 300, 40).reshape(-1, 1)
        params = np.array([-400.0, 4e-3, 4.0, 212.0])
    else:
        model = tanh_model
    fast = broadcast_jacobian(model, params, X, rows=rows)
    exact = reverse_jacobian(model, params, X)
    np.testing.assert_allclose(fast, exact, rtol=1e-12, atol=1e-14)
    fd = np.column_stack(
        [
            (model(params + h * e, X) - model(params - h * e, X)) / (2 * h)
            for e, h in zip(np.eye(len(params)), 1e-6 * np.maximum(1, np.abs(params)), strict=True)
        ]
    )
    np.testing.assert_allclose(fast, fd, rtol=1e-5, atol=1e-7)


def test_broadcast_jacobian_multi_output():
    def two_outputs(params, X):
        a, b = params
        x = X[:, 0]
        return anp.stack([a * x + b, a * b * x**2], axis=-1)

    X = np.linspace(0, 2, 7).reshape(-1, 1)
    params = np.array([1.5, -0.5])
    np.testing.assert_allclose(
        broadcast_jacobian(two_outputs, params, X),
        reverse_jacobian(two_outputs, params, X),
        rtol=1e-13,
    )


@pytest.mark.parametrize("n_params", [2, 10])
def test_rows_and_broadcast_jacobians_are_the_same_numbers(n_params):
    """'auto' chooses between them by speed alone: they must agree bit for bit."""
    X = np.random.default_rng(2).normal(size=(25, 2))
    model, params = (line, np.array([0.3, -0.7])) if n_params == 2 else (tanh_model, np.ones(10))
    np.testing.assert_array_equal(
        broadcast_jacobian(model, params, X, rows=True),
        broadcast_jacobian(model, params, X, rows=False),
    )


def test_auto_jacobian_falls_back_for_models_that_couple_samples():
    def coupled(params, X):
        return params[0] * X[:, 0] + params[1] * anp.mean(params[0] * X[:, 0])

    def matrix(params, X):
        return anp.dot(X, params)

    X = np.random.default_rng(1).normal(size=(20, 2))
    params = np.array([0.3, -0.7])
    # either per-sample method, whichever is faster for the model
    assert resolve_jacobian_method(line, params, X) in ("rows", "broadcast")
    assert resolve_jacobian_method(tanh_model, np.ones(10), X) in ("rows", "broadcast")
    assert resolve_jacobian_method(coupled, params, X) == "reverse"
    assert resolve_jacobian_method(matrix, params, X) == "reverse"
    y = X @ np.array([2.0, -1.0])
    fit = ParametricRegressor(matrix, p0=[0.0, 0.0]).fit(X, y)
    assert fit.jacobian_method_ == "reverse"
    np.testing.assert_allclose(fit.params_, [2.0, -1.0], atol=1e-10)


@pytest.mark.parametrize(
    "func, args",
    [
        (murnaghan, (np.linspace(150.0, 300.0, 5), -400.0, 4e-3, 4.0, 212.0)),
        (murnaghan_pressure, (np.linspace(150.0, 300.0, 5), 4e-3, 4.0, 212.0)),
        (buckingham, (np.linspace(1.7, 3.0, 5), 80.0, 1.2, 26.0)),
    ],
    ids=["murnaghan", "murnaghan_pressure", "buckingham"],
)
def test_model_functions_have_correct_gradients(func, args):
    for argnum in range(len(args)):

        def partial(value, argnum=argnum):
            full = list(args)
            full[argnum] = value
            return func(*full)

        check_grads(partial, modes=["fwd", "rev"], order=2)(args[argnum])


def test_murnaghan_pressure_equals_the_closed_form(eos_data):
    X, y = eos_data
    eos = MurnaghanRegressor().fit(X, y)
    V = np.linspace(150.0, 300.0, 9)
    closed_form = eos.b0_ / eos.bp_ * ((eos.v0_ / V) ** eos.bp_ - 1.0)  # P = -dE/dV
    np.testing.assert_allclose(eos.pressure(V[:, None]), closed_form / GPa, rtol=1e-12)
    np.testing.assert_allclose(
        murnaghan_pressure(V, eos.b0_, eos.bp_, eos.v0_), closed_form, rtol=1e-14
    )


# -- Murnaghan ----------------------------------------------------------------------
def test_murnaghan_reaches_the_least_squares_optimum(eos_data):
    X, y = eos_data
    eos = MurnaghanRegressor().fit(X, y)
    # The default tol=1e-8 ends the fit once the SSE falls by less than tol: it
    # then lies within sqrt(tol * dof) standard errors of the optimum.
    reach = np.sqrt(1e-8 * eos.dof_) * eos.perr_
    for (name, value), slack in zip(MURNAGHAN_OPTIMUM.items(), reach, strict=True):
        # equal to every significant figure the reference gives: within half a unit
        # of its last digit, and the reach of tol
        digits = len(f"{abs(value):.10g}".split("e")[0].replace(".", "").lstrip("0"))
        half_unit = 0.5 * 10.0 ** (np.floor(np.log10(abs(value))) - digits + 1)
        assert abs(getattr(eos, f"{name.lower()}_") - value) <= half_unit + slack, name
    sse = np.sum((eos.predict(X) - y) ** 2)
    assert sse == pytest.approx(MURNAGHAN_SSE, rel=1e-4)
    # loss_ is computed relative to min(y), sse from predictions near -400 eV whose
    # rounding (ulp 6e-14 eV against residuals of 4e-4 eV) limits the agreement
    assert eos.loss_ * len(y) == pytest.approx(sse, rel=1e-9, abs=0)
    # the optimum: against a fit converged as far as it goes
    tight = MurnaghanRegressor(tol=1e-15, max_iter=10000).fit(X, y)
    deviation = np.abs(eos.params_ - tight.params_)
    assert np.all(deviation <= reach), deviation / eos.perr_
    # no worse than ASE's fit of the same form (up to tol in the SSE)
    ase_eos = EquationOfState(X[:, 0], y, eos="murnaghan")
    ase_eos.fit()
    ase_sse = np.sum((murnaghan(X[:, 0], *ase_eos.eos_parameters) - y) ** 2)
    assert sse <= ase_sse * (1 + 1e-8)
    # ASE stops curve_fit at its default tolerance, short of the optimum by an
    # excess SSE that (to second order) puts it within sqrt(excess / s^2) standard
    # errors of it; ours is within reach of the optimum (and its SSE within tol)
    excess = max(ase_sse - sse, 0.0)
    allowed = np.sqrt(excess / eos.residual_variance_) * eos.perr_ + 2 * reach
    deviation = np.abs(eos.params_ - ase_eos.eos_parameters)
    assert np.all(deviation <= allowed), deviation / eos.perr_


def test_murnaghan_named_attributes_and_units(eos_data):
    X, y = eos_data
    eos = MurnaghanRegressor().fit(X, y)
    np.testing.assert_array_equal(eos.params_, [eos.e0_, eos.b0_, eos.bp_, eos.v0_])
    assert eos.param_names_ == ("E0", "B0", "BP", "V0")
    assert eos.bulk_modulus_gpa_ == pytest.approx(eos.b0_ / GPa, rel=1e-15)
    assert eos.bulk_modulus_gpa_err_ == pytest.approx(eos.perr_[1] / GPa, rel=1e-15)
    # the pressure vanishes at V0 and is positive under compression
    assert eos.pressure([[eos.v0_]])[0] == pytest.approx(0.0, abs=1e-12)
    assert eos.pressure([[150.0]])[0] > 0 > eos.pressure([[300.0]])[0]


def test_murnaghan_initial_guess_needs_no_p0(eos_data):
    X, y = eos_data
    e0, b0, bp, v0 = MurnaghanRegressor.physical_model.guess(X[:, 0], y, np.ones(len(y)), None)
    assert bp == 4.0
    assert v0 == pytest.approx(212.8, rel=0.01)
    assert b0 > 0
    assert e0 == pytest.approx(-400.03, abs=1e-3)


@pytest.mark.parametrize("solver", ["lm", "trf", "lbfgs"])
def test_recovers_known_parameters_from_noisy_data(solver):
    rng = np.random.default_rng(42)
    truth = np.array([-250.0, 0.6, 4.5, 110.0])  # B0 = 96 GPa
    V = np.linspace(0.9, 1.1, 40) * truth[3]
    noise = 2e-4
    E = murnaghan(V, *truth) + rng.normal(scale=noise, size=V.size)
    eos = MurnaghanRegressor(solver=solver, max_iter=5000, tol=1e-12).fit(V[:, None], E)
    # every parameter within 4 standard errors of the truth, and errors honest
    assert np.all(np.abs(eos.params_ - truth) < 4 * eos.perr_)
    assert np.sqrt(eos.residual_variance_) == pytest.approx(noise, rel=0.3)


def test_murnaghan_parameter_coverage_is_honest():
    """95 % intervals contain the truth in about 95 % of repeated noisy data sets."""
    rng = np.random.default_rng(7)
    truth = np.array([-100.0, 0.5, 4.0, 50.0])
    V = np.linspace(0.92, 1.08, 15) * truth[3]
    hits = []
    for _ in range(200):
        E = murnaghan(V, *truth) + rng.normal(scale=1e-3, size=V.size)
        ci = MurnaghanRegressor().fit(V[:, None], E).confidence_intervals(0.05)
        hits.append((ci[:, 0] <= truth) & (truth <= ci[:, 1]))
    coverage = np.mean(hits, axis=0)
    # binomial 200 draws at p=0.95: 3 sigma ~ 0.046
    assert np.all(coverage > 0.90), coverage


# -- Buckingham -------------------------------------------------------------------
@pytest.fixture(scope="module")
def cu2_blog_data(dimer_energies):
    d = np.linspace(1.7, 3, 30)
    return d.reshape(-1, 1), dimer_energies("Cu", d)


def test_buckingham_reproduces_the_blog_nlinfit_result(cu2_blog_data):
    X, y = cu2_blog_data
    # the least-squares optimum has A < 0 and C < 0, and the model says so
    with pytest.warns(UserWarning, match=r"unphysical parameters \(A = -83.21"):
        fit = BuckinghamRegressor(p0=[-80, 1, 1]).fit(X, y)
    # The blog's numbers are the optimum rounded to the digits shown; the fit stops
    # within sqrt(tol * dof) standard errors of the optimum (tol=1e-8).
    reach = np.sqrt(1e-8 * fit.dof_) * fit.perr_
    deviation = np.abs(fit.params_ - [-83.2107, 1.18663, -266.153])
    assert np.all(deviation <= [5e-5, 5e-6, 5e-4] + reach), deviation
    intervals = [[-93.476, -72.945], [1.1416, 1.2317], [-280.93, -251.38]]
    deviation = np.abs(fit.confidence_intervals(0.05) - intervals)
    assert np.all(deviation <= np.array([[5e-4], [5e-5], [5e-3]]) + reach[:, None]), deviation
    assert (fit.a_, fit.b_, fit.c_) == tuple(fit.params_)


def test_buckingham_data_driven_guess_finds_the_same_optimum(cu2_blog_data):
    X, y = cu2_blog_data
    with pytest.warns(UserWarning, match="unphysical"):
        guided = BuckinghamRegressor(p0=[-80, 1, 1]).fit(X, y)
    with pytest.warns(UserWarning, match="unphysical"):
        auto = BuckinghamRegressor().fit(X, y)
    np.testing.assert_allclose(auto.params_, guided.params_, rtol=1e-4)
    assert auto.loss_ == pytest.approx(guided.loss_, rel=1e-8)


def test_buckingham_physical_signs_with_bounds(cu2_blog_data):
    X, y = cu2_blog_data
    fit = BuckinghamRegressor(bounds=(0, np.inf), solver="trf").fit(X, y)
    assert np.all(fit.params_ >= 0)
    with pytest.warns(UserWarning, match="unphysical"):
        free = BuckinghamRegressor().fit(X, y)
    assert fit.loss_ >= free.loss_  # a constrained optimum cannot beat the free one
    with pytest.raises(ValueError, match="solver='lm' does not support bounds"):
        BuckinghamRegressor(bounds=(0, np.inf)).fit(X, y)


def test_buckingham_recovers_synthetic_parameters():
    r = np.linspace(1.5, 4.0, 25).reshape(-1, 1)
    truth = [500.0, 3.0, 20.0]
    E = buckingham(r[:, 0], *truth)
    np.testing.assert_allclose(BuckinghamRegressor().fit(r, E).params_, truth, rtol=1e-7)


# -- uncertainties against closed forms ----------------------------------------------
@pytest.fixture(scope="module")
def line_fit():
    rng = np.random.default_rng(3)
    x = np.sort(rng.uniform(0, 10, 25))
    y = 1.7 * x - 3.0 + rng.normal(scale=0.8, size=x.size)
    return x, y, ParametricRegressor(line, p0=[1.0, 0.0]).fit(x[:, None], y)


def test_straight_line_standard_errors_equal_the_closed_form(line_fit):
    x, y, fit = line_fit
    n = x.size
    slope, intercept, *_ = stats.linregress(x, y)
    resid = y - (slope * x + intercept)
    s2 = resid @ resid / (n - 2)
    sxx = np.sum((x - x.mean()) ** 2)
    np.testing.assert_allclose(fit.params_, [slope, intercept], rtol=1e-9)
    np.testing.assert_allclose(
        fit.perr_, np.sqrt([s2 / sxx, s2 * (1 / n + x.mean() ** 2 / sxx)]), rtol=1e-6
    )
    assert fit.residual_variance_ == pytest.approx(s2, rel=1e-9)
    assert fit.dof_ == n - 2
    t = stats.t.ppf(0.975, n - 2)
    np.testing.assert_allclose(
        fit.confidence_intervals(0.05),
        np.column_stack([fit.params_ - t * fit.perr_, fit.params_ + t * fit.perr_]),
        rtol=1e-12,
    )


@pytest.mark.parametrize("kind", ["confidence", "prediction"])
def test_straight_line_bands_equal_the_closed_form(line_fit, kind):
    x, y, fit = line_fit
    n = x.size
    x_new = np.linspace(-5, 15, 11)
    pred = fit.params_[0] * x_new + fit.params_[1]
    s = np.sqrt(fit.residual_variance_)
    sxx = np.sum((x - x.mean()) ** 2)
    half_width = s * np.sqrt((kind == "prediction") + 1 / n + (x_new - x.mean()) ** 2 / sxx)
    t = stats.t.ppf(0.975, n - 2)
    band = fit.predict_interval(x_new[:, None], alpha=0.05, kind=kind)
    np.testing.assert_allclose(band[:, 0], pred - t * half_width, rtol=1e-6)
    np.testing.assert_allclose(band[:, 1], pred + t * half_width, rtol=1e-6)
    if kind == "confidence":
        _, std = fit.predict(x_new[:, None], return_std=True)
        np.testing.assert_allclose(
            std, s * np.sqrt(1 / n + (x_new - x.mean()) ** 2 / sxx), rtol=1e-6
        )


def test_weights_are_relative_and_match_weighted_least_squares():
    rng = np.random.default_rng(5)
    x = np.linspace(0, 1, 30)
    w = rng.uniform(0.5, 3, x.size)
    y = 2 * x + 1 + rng.normal(scale=0.1, size=x.size) / np.sqrt(w)
    fit = ParametricRegressor(line, p0=[0.0, 0.0]).fit(x[:, None], y, sample_weight=w)
    scaled = ParametricRegressor(line, p0=[0.0, 0.0]).fit(x[:, None], y, sample_weight=10 * w)
    np.testing.assert_allclose(fit.params_, scaled.params_, rtol=1e-10)
    np.testing.assert_allclose(fit.perr_, scaled.perr_, rtol=1e-10)
    # closed-form weighted least squares with weights normalised to mean one
    A = np.column_stack([x, np.ones_like(x)])
    wn = w / w.mean()
    normal = A.T @ (wn[:, None] * A)
    beta = np.linalg.solve(normal, A.T @ (wn * y))
    r = y - A @ beta
    pcov = np.linalg.inv(normal) * (wn @ r**2) / (x.size - 2)
    np.testing.assert_allclose(fit.params_, beta, rtol=1e-9)
    np.testing.assert_allclose(fit.pcov_, pcov, rtol=1e-6)


def test_sample_weight_equivalence(eos_data):
    """Integer weights equal repeated samples; zero weights equal removed samples."""
    X, y = eos_data
    rng = np.random.default_rng(0)
    w = rng.integers(0, 3, size=len(y)).astype(float)
    # converged tightly: the equivalence is of the objective, not of the stopping rule
    X_rep, y_rep = np.repeat(X, w.astype(int), axis=0), np.repeat(y, w.astype(int))
    eos = MurnaghanRegressor(tol=1e-14, max_iter=10000)
    weighted = eos.fit(X, y, sample_weight=w).params_
    repeated = eos.fit(X_rep, y_rep).params_
    # Both fits end at the rounding floor of the SSE (tol=1e-14 is below it), on
    # different roundings (weights vs repeated rows). The solver cannot tell apart
    # points whose SSE differ by less than its rounding, ~1e-12 relative here
    # (residuals of 4e-4 eV from terms of 0.3 eV): each fit lies within
    # sqrt(1e-12 * dof) = 5e-6 standard errors of the optimum. A wrong weighting
    # convention moves the parameters by 0.1 to 1 standard error.
    deviation = np.abs(weighted - repeated) / eos.perr_
    assert np.all(deviation <= 1e-5), deviation
    # and the data-driven starting point already agrees
    start_w = eos.physical_model.guess(X[:, 0], y, w, None)
    start_r = eos.physical_model.guess(X_rep[:, 0], y_rep, np.ones(y_rep.size), None)
    np.testing.assert_allclose(start_w, start_r, rtol=1e-9)


def test_sample_weight_equivalence_default_tolerance(eos_data):
    X, y = eos_data
    w = np.random.default_rng(0).integers(0, 3, size=len(y)).astype(float)
    X_rep, y_rep = np.repeat(X, w.astype(int), axis=0), np.repeat(y, w.astype(int))
    weighted = MurnaghanRegressor().fit(X, y, sample_weight=w)
    repeated = MurnaghanRegressor().fit(X_rep, y_rep)
    # Each fit stops once the SSE falls by less than tol=1e-8: within sqrt(tol * SSE)
    # of the optimum at the data, that is sqrt(tol * dof) standard errors in the
    # parameters, so the two fits differ by at most twice that.
    reach = 2 * np.sqrt(1e-8 * repeated.dof_)
    deviation = np.abs(weighted.params_ - repeated.params_) / repeated.perr_
    assert np.all(deviation <= reach), deviation
    s = np.sqrt(repeated.residual_variance_)
    np.testing.assert_allclose(weighted.predict(X), repeated.predict(X), rtol=0, atol=reach * s)


# -- solvers, convergence, attributes -------------------------------------------------
@pytest.mark.parametrize("solver", ["lm", "trf", "lbfgs", "adam"])
def test_every_solver_records_iterations_and_loss(eos_data, solver):
    X, y = eos_data
    seen = []
    kwargs = {"tol": 1e-12, "max_iter": 3000} if solver == "lbfgs" else {}
    if solver == "adam":
        kwargs = {"tol": 5e-7, "max_iter": 3000, "learning_rate": 1e-3}
    eos = MurnaghanRegressor(
        solver=solver, callback=lambda p, i, loss: seen.append((i, loss)), **kwargs
    ).fit(X, y)
    assert eos.n_iter_ >= 1
    assert len(eos.loss_curve_) == eos.n_iter_ + 1  # the start, then every iteration
    # the curve ends with loss_, or with the solver's own value within 1e-10 of it
    assert eos.loss_curve_[-1] == pytest.approx(eos.loss_, rel=1e-10, abs=0)
    # predictions near -400 eV round to 6e-14 eV against residuals of 4e-4 eV
    assert eos.loss_ == pytest.approx(np.mean((eos.predict(X) - y) ** 2), rel=1e-9, abs=0)
    assert [i for i, _ in seen] == list(range(1, len(seen) + 1))
    assert seen and eos.loss_ <= seen[0][1]
    if solver == "adam":
        assert eos.loss_ < 5e-7  # stopped because the objective fell below tol


@pytest.mark.parametrize("solver", ["lm", "trf", "lbfgs"])
def test_least_squares_solvers_agree_on_the_optimum(eos_data, solver):
    X, y = eos_data
    fit = MurnaghanRegressor(solver=solver, tol=1e-14, max_iter=5000).fit(X, y)
    reference = MurnaghanRegressor(tol=1e-14, max_iter=5000).fit(X, y)
    np.testing.assert_allclose(fit.params_, reference.params_, rtol=1e-5)


def test_adam_stops_short_of_the_optimum_and_says_so(eos_data):
    X, y = eos_data
    with pytest.warns(ConvergenceWarning, match="max_iter=50"):
        eos = MurnaghanRegressor(solver="adam", max_iter=50).fit(X, y)
    assert eos.n_iter_ == 50
    assert len(eos.loss_curve_) == 51
    assert np.all(np.isfinite(eos.params_))


@pytest.mark.parametrize("solver", ["lm", "trf", "lbfgs"])
def test_convergence_warning_names_max_iter(eos_data, solver):
    X, y = eos_data
    with pytest.warns(ConvergenceWarning, match="max_iter=2"), warnings.catch_warnings():
        # stopped after two steps, the parameters may still be far from physical
        warnings.filterwarnings("ignore", "MurnaghanRegressor: the (fit ends|data do not)")
        MurnaghanRegressor(solver=solver, max_iter=2, p0=[-399, 0.01, 3, 180], tol=1e-15).fit(X, y)


def test_verbose_prints_the_loss(eos_data, capsys):
    X, y = eos_data
    MurnaghanRegressor(verbose=1).fit(X, y)
    assert "Iteration 1, loss =" in capsys.readouterr().out


def test_summary_is_a_readable_table(eos_data):
    X, y = eos_data
    text = MurnaghanRegressor().fit(X, y).summary()
    for token in ("E0", "B0", "BP", "V0", "eV/Å^3", "Å^3", "95% interval", "SSE"):
        assert token in text


def test_eos_summary_shows_b0_in_gpa_and_others_do_not(eos_data):
    from ase.units import GPa

    from skphys import BuckinghamRegressor

    X, y = eos_data
    eos = MurnaghanRegressor().fit(X, y)
    lines = eos.summary().splitlines()
    names = [line.split()[0] for line in lines[3:8]]
    assert names == ["E0", "B0", "B0", "BP", "V0"]  # B0 [GPa] right after B0
    row = lines[5].split()
    assert row[:2] == ["B0", "[GPa]"] and row[-1] == "GPa"
    low, high = eos.confidence_intervals()[1] / GPa
    assert float(row[2]) == pytest.approx(eos.bulk_modulus_gpa_, rel=1e-6)  # 7 digits shown
    assert float(row[3]) == pytest.approx(eos.bulk_modulus_gpa_err_, rel=1e-3)
    assert f"[{low:.7g}, {high:.7g}]" in lines[5]
    r = np.linspace(1.8, 3.0, 12)[:, None]
    pair = BuckinghamRegressor().fit(r, 10 * np.exp(-3 * r[:, 0]) - 1 / r[:, 0] ** 6)
    assert "GPa" not in pair.summary()


def test_fitted_model_pickles_and_predicts_identically(eos_data):
    X, y = eos_data
    eos = MurnaghanRegressor().fit(X, y)
    clone = pickle.loads(pickle.dumps(eos))
    np.testing.assert_array_equal(clone.predict(X), eos.predict(X))
    np.testing.assert_array_equal(clone.predict(X, return_std=True)[1], eos.predict(X, True)[1])


def test_callable_p0_is_a_data_driven_guess():
    x = np.linspace(0, 1, 10)[:, None]
    y = 3 * x[:, 0] - 2
    fit = ParametricRegressor(line, p0=lambda X, y: [np.ptp(y), y.min()]).fit(x, y)
    np.testing.assert_allclose(fit.params_, [3, -2], atol=1e-10)
    assert fit.param_names_ == ("p0", "p1")


def test_prediction_std_grows_away_from_the_data(eos_data):
    X, y = eos_data
    eos = MurnaghanRegressor().fit(X, y)
    _, inside = eos.predict([[212.0]], return_std=True)
    _, outside = eos.predict([[400.0]], return_std=True)
    assert outside[0] > 5 * inside[0]


# -- bad input --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "X, y, match",
    [
        ([[200.0], [np.nan], [220.0], [230.0], [240.0]], [1, 2, 3, 4, 5], "NaN"),
        ([[200.0], [np.inf], [220.0], [230.0], [240.0]], [1, 2, 3, 4, 5], "infinity"),
        ([[200.0], [210.0], [220.0], [230.0], [240.0]], [1, 2, np.nan, 4, 5], "NaN"),
        ([[200.0, 1.0]] * 5, [1, 2, 3, 4, 5], "1 feature"),
        ([[200.0], [-210.0], [220.0], [230.0], [240.0]], [1, 2, 3, 4, 5], "positive volumes"),
        ([[200.0], [0.0], [220.0], [230.0], [240.0]], [1, 2, 3, 4, 5], "positive volumes"),
        ([[200.0], [210.0], [220.0]], [1, 2, 3], "n_samples=3"),
        ([[200.0], [210.0], [220.0], [230.0]], [1, 2, 3], "inconsistent numbers of samples"),
    ],
)
def test_bad_input_is_rejected_with_a_clear_error(X, y, match):
    with pytest.raises(ValueError, match=match):
        MurnaghanRegressor().fit(X, y)


def test_bad_input_at_predict_time(eos_data):
    X, y = eos_data
    eos = MurnaghanRegressor().fit(X, y)
    with pytest.raises(ValueError, match="positive volumes"):
        eos.predict([[-1.0]])
    with pytest.raises(ValueError, match="1 features"):
        eos.predict([[1.0, 2.0]])
    with pytest.raises(NotFittedError):
        MurnaghanRegressor().predict(X)
    with pytest.raises(ValueError, match="alpha"):
        eos.confidence_intervals(alpha=1.5)
    with pytest.raises(ValueError, match="kind"):
        eos.predict_interval(X, kind="credible")


def test_model_returning_the_wrong_shape_is_named():
    def wrong(params, X):
        return anp.stack([params[0] * X[:, 0], params[1] * X[:, 0]], axis=-1)

    X = np.linspace(1, 2, 6)[:, None]
    with pytest.raises(ValueError, match="returned an array of shape"):
        ParametricRegressor(wrong, p0=[1.0, 1.0], jacobian="reverse").fit(X, X[:, 0])


def test_p0_problems_are_named(eos_data):
    X, y = eos_data
    with pytest.raises(ValueError, match="p0 has 3 values"):
        MurnaghanRegressor(p0=[1, 2, 3]).fit(X, y)
    with pytest.raises(ValueError, match="finite"):
        MurnaghanRegressor(p0=[-400, np.nan, 4, 210]).fit(X, y)
    with pytest.raises(ValueError, match="outside bounds"):
        MurnaghanRegressor(p0=[-400, 4e-3, 4, 210], bounds=(0, np.inf), solver="trf").fit(X, y)
    with pytest.raises(ValueError, match="needs p0 or param_names"):
        ParametricRegressor(line).fit(X, y)
    # BP = 1 is a pole of the Murnaghan form: the model is not finite there
    with pytest.raises(ValueError, match="not finite at the initial parameters"):
        MurnaghanRegressor(p0=[-400, 4e-3, 1.0, 210]).fit(X, y)


def test_overflow_during_the_fit_never_returns_nan():
    """Trial steps into overflow are rejected; a start in overflow is a clear error."""

    def exploding(params, X):
        a, b = params
        return a * anp.exp(b * X[:, 0])

    X = np.linspace(0, 30, 40)[:, None]
    y = 2.0 * np.exp(0.1 * X[:, 0])
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no overflow noise leaks out
        for p0 in ([1.0, 1.0], [50.0, -3.0]):
            fit = ParametricRegressor(exploding, p0=p0).fit(X, y)
            np.testing.assert_allclose(fit.params_, [2.0, 0.1], rtol=1e-6)
        # exp(600): finite residuals whose squares overflow
        with pytest.raises(FitFailedError, match="non-finite parameters or objective"):
            ParametricRegressor(exploding, p0=[1.0, 20.0]).fit(X, y)
        with pytest.raises(ValueError, match="not finite at the initial parameters"):
            ParametricRegressor(exploding, p0=[1.0, 30.0]).fit(X, y)


def test_adam_divergence_is_reported_not_hidden(eos_data):
    X, y = eos_data
    with pytest.warns(ConvergenceWarning, match="diverged|max_iter"):
        eos = MurnaghanRegressor(solver="adam", learning_rate=1e3, max_iter=200).fit(X, y)
    assert np.all(np.isfinite(eos.params_))


def test_fit_failed_error_is_a_runtime_error():
    assert issubclass(FitFailedError, RuntimeError)


def test_zero_degrees_of_freedom_gives_infinite_uncertainty():
    x = np.array([[1.0], [2.0]])
    fit = ParametricRegressor(line, p0=[0.0, 0.0]).fit(x, [1.0, 3.0])
    np.testing.assert_allclose(fit.params_, [2.0, -1.0], atol=1e-12)
    assert np.all(np.isinf(fit.perr_))
    assert np.all(np.isinf(fit.predict(x, return_std=True)[1]))


def test_parametric_regressor_in_sklearn_tooling(line_fit):
    from sklearn.base import clone
    from sklearn.model_selection import GridSearchCV, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x, y, _ = line_fit
    X = x[:, None]
    reg = ParametricRegressor(line, p0=[1.0, 0.0], param_names=["slope", "intercept"])
    assert clone(reg).get_params()["param_names"] == ["slope", "intercept"]
    # a straight line by least squares is ordinary least squares: same CV scores
    from sklearn.linear_model import LinearRegression

    np.testing.assert_allclose(
        cross_val_score(reg, X, y, cv=5), cross_val_score(LinearRegression(), X, y, cv=5), rtol=1e-8
    )
    grid = GridSearchCV(reg, {"solver": ["lm", "trf", "lbfgs"]}, cv=3).fit(X, y)
    assert grid.best_params_["solver"] in ("lm", "trf", "lbfgs")
    pipe = make_pipeline(StandardScaler(), clone(reg)).fit(X, y)
    np.testing.assert_allclose(pipe.predict(X), reg.fit(X, y).predict(X), rtol=1e-8)
    restored = pickle.loads(pickle.dumps(grid.best_estimator_))
    np.testing.assert_array_equal(restored.predict(X), grid.best_estimator_.predict(X))


def test_prediction_std_is_honest_for_ill_conditioned_fits():
    """The blog's [1, 3, 1] tanh fit to x^(1/3): parameters known to ~5000, yet the
    fitted curve to ~1e-3 at the data. The standard deviation of the fitted mean at
    a training point (sqrt of its leverage times s^2) cannot exceed s, and both
    least-squares solvers agree on it."""
    X = np.linspace(0, 1, 50)[:, None]
    y = X[:, 0] ** (1 / 3)
    post = [-113.1799, 42.37717, 5.331212, 2.983416, 22.03610, 54.69238, 2.606230,
            -50.07564, -0.5088137, -2.378257]  # fmt: skip

    def units(params, X):
        b1, w10, w00, b00, w11, w01, b01, w12, w02, b02 = params
        x = X[:, 0]
        return (b1 + w10 * anp.tanh(w00 * x + b00) + w11 * anp.tanh(w01 * x + b01)
                + w12 * anp.tanh(w02 * x + b02))  # fmt: skip

    stds = []
    for solver in ("lm", "trf"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            fit = ParametricRegressor(units, p0=post, solver=solver).fit(X, y)
        s = np.sqrt(fit.residual_variance_)
        _, std = fit.predict(X, return_std=True)
        assert np.all(std <= s * (1 + 1e-6)) and np.all(std > 0)
        # the leverages sum to the number of parameters the data determine
        assert np.sum((std / s) ** 2) == pytest.approx(10, rel=1e-6)
        assert np.max(fit.perr_) > 100  # the parameters themselves are not determined
        stds.append(std)
    np.testing.assert_allclose(stds[0], stds[1], rtol=1e-3)
    np.testing.assert_allclose(fit.pcov_, fit.pcov_factor_ @ fit.pcov_factor_.T, rtol=1e-12)
