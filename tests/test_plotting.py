"""Tests of the displays: the artists hold the data, bands, spans and numbers they should."""

import re
import warnings

import matplotlib

matplotlib.use("Agg")
import autograd.numpy as anp  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from ase.units import GPa  # noqa: E402
from numpy.testing import assert_allclose  # noqa: E402
from scipy import stats  # noqa: E402
from sklearn.exceptions import ConvergenceWarning, NotFittedError  # noqa: E402
from sklearn.gaussian_process import GaussianProcessRegressor  # noqa: E402
from sklearn.linear_model import LinearRegression  # noqa: E402
from sklearn.metrics import mean_absolute_error, root_mean_squared_error  # noqa: E402
from sklearn.neural_network import MLPRegressor  # noqa: E402

from skphys import BuckinghamRegressor, MurnaghanRegressor  # noqa: E402
from skphys._plotting._curve import prediction_grid  # noqa: E402
from skphys.datasets import load_murnaghan_example  # noqa: E402
from skphys.plotting import EOSDisplay, FitDisplay, ParityDisplay, SensitivityDisplay  # noqa: E402
from skphys.sensitivity import estimator_sensitivity  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def eos_fit():
    X, y = load_murnaghan_example(return_X_y=True)
    return MurnaghanRegressor().fit(X, y), X, y


def x_extent(patch, ax):
    """(min, max) of a patch along x in data coordinates, whatever its transform."""
    display = patch.get_transform().transform(patch.get_path().vertices)
    x = ax.transData.inverted().transform(display)[:, 0]
    return x.min(), x.max()


def band_edges(display):
    """Lower and upper edges of the band polygon, interpolated on the display's grid."""
    vertices = display.band_.get_paths()[0].vertices
    return vertices[:, 1].min(), vertices[:, 1].max()


def legend_texts(ax):
    return [text.get_text() for text in ax.get_legend().get_texts()]


def numbers_in(text):
    return [float(v) for v in re.findall(r"[-+]?\d+\.?\d*(?:e[-+]?\d+)?", text)]


# -- FitDisplay -------------------------------------------------------------------------
def test_fit_display_draws_curve_beyond_the_data(eos_fit):
    eos, X, y = eos_fit
    display = FitDisplay.from_estimator(eos, X, y)
    x_line, y_line = display.line_.get_data()
    span = X.max() - X.min()
    assert_allclose([x_line.min(), x_line.max()], [X.min() - span / 4, X.max() + span / 4])
    assert_allclose(y_line, eos.predict(x_line[:, None]), rtol=1e-12)
    assert_allclose(display.scatter_.get_offsets(), np.column_stack([X[:, 0], y]))
    assert display.ax_.get_xlabel() == "volume (Å$^3$)"
    assert display.ax_.get_ylabel() == "energy (eV)"
    assert display.figure_ is display.ax_.figure


def test_fit_display_shades_outside_the_training_range(eos_fit):
    eos, X, y = eos_fit
    display = FitDisplay.from_estimator(eos, X, y)
    x_line = display.line_.get_xdata()
    left, right = (x_extent(patch, display.ax_) for patch in display.extrapolation_)
    assert_allclose(left, (x_line.min(), X.min()))
    assert_allclose(right, (X.max(), x_line.max()))
    assert "extrapolation" in legend_texts(display.ax_)


@pytest.mark.parametrize("kind", ["confidence", "prediction"])
def test_fit_display_band_is_t_times_the_standard_deviation(eos_fit, kind):
    eos, X, y = eos_fit
    display = FitDisplay.from_estimator(eos, X, y, kind=kind, alpha=0.1)
    x_line = display.line_.get_xdata()
    y_pred, std = eos.predict(x_line[:, None], return_std=True)
    if kind == "prediction":
        std = np.sqrt(std**2 + eos.residual_variance_)
    t = stats.t.ppf(0.95, X.shape[0] - 4)
    lower, upper = band_edges(display)
    assert_allclose(lower, np.min(y_pred - t * std), rtol=1e-12)
    assert_allclose(upper, np.max(y_pred + t * std), rtol=1e-12)
    assert f"90% {kind} band" in legend_texts(display.ax_)


def test_fit_display_band_from_return_std():
    X = np.linspace(0.0, 1.0, 8).reshape(-1, 1)
    y = np.sin(3 * X[:, 0])
    gp = GaussianProcessRegressor().fit(X, y)
    display = FitDisplay.from_estimator(gp, X, y, x_range=(-0.5, 1.5), n_points=50)
    x_line = display.line_.get_xdata()
    assert_allclose([x_line.min(), x_line.max(), x_line.size], [-0.5, 1.5, 50])
    y_pred, std = gp.predict(x_line[:, None], return_std=True)
    lower, upper = band_edges(display)
    assert_allclose(lower, np.min(y_pred - 1.959964 * std), rtol=1e-6)
    assert_allclose(upper, np.max(y_pred + 1.959964 * std), rtol=1e-6)
    assert "95% band (± 1.96 std)" in legend_texts(display.ax_)


def test_fit_display_without_band():
    X = np.linspace(0.0, 1.0, 8).reshape(-1, 1)
    y = 2 * X[:, 0]
    display = FitDisplay.from_estimator(LinearRegression().fit(X, y), X, y)
    assert display.band_ is None
    assert display.ax_.get_xlabel() == "x"
    eos_display = FitDisplay.from_estimator(LinearRegression().fit(X, y), X, y, kind=None)
    assert eos_display.band_ is None


class InfiniteIntervals(LinearRegression):
    def predict_interval(self, X, alpha=0.05, kind="confidence"):
        return np.full((len(X), 2), np.inf)


def test_non_finite_band_is_not_drawn():
    X = np.linspace(0.0, 1.0, 8).reshape(-1, 1)
    with pytest.warns(UserWarning, match="not finite"):
        display = FitDisplay.from_estimator(InfiniteIntervals().fit(X, X[:, 0]), X, X[:, 0])
    assert display.band_ is None


def test_fit_display_inside_the_data_has_no_extrapolation(eos_fit):
    eos, X, y = eos_fit
    display = FitDisplay.from_estimator(eos, X, y, x_range=(150.0, 300.0))
    assert display.extrapolation_ == []


def test_grid_stays_positive_for_positive_models():
    assert prediction_grid(np.array([1.0, 10.0]), positive_only=True)[0] == 0.5
    assert prediction_grid(np.array([1.0, 10.0]))[0] == pytest.approx(-1.25)


def test_fit_display_with_named_features_and_given_axes(eos_fit):
    _, X, y = eos_fit
    frame = pd.DataFrame({"volume": X[:, 0]})
    eos = MurnaghanRegressor().fit(frame, y)
    _, ax = plt.subplots()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no feature-name warnings from the grid
        display = FitDisplay.from_estimator(eos, frame, y, ax=ax, xlabel="V (Å$^3$)")
    assert display.ax_ is ax
    assert ax.get_xlabel() == "V (Å$^3$)"
    line = LinearRegression().fit(frame, y)
    assert FitDisplay.from_estimator(line, frame, y).ax_.get_xlabel() == "volume"


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"kind": "both"}, "kind"),
        ({"alpha": 1.5}, "alpha"),
        ({"x_range": (300.0, 100.0)}, "x_range"),
        ({"x_range": (100.0, np.inf)}, "x_range"),
        ({"n_points": 1}, "n_points"),
    ],
)
def test_fit_display_bad_options(eos_fit, kwargs, match):
    eos, X, y = eos_fit
    with pytest.raises(ValueError, match=match):
        FitDisplay.from_estimator(eos, X, y, **kwargs)


def test_fit_display_bad_inputs(eos_fit):
    eos, X, y = eos_fit
    with pytest.raises(ValueError, match="one input feature"):
        FitDisplay.from_estimator(eos, np.column_stack([X, X]), y)
    with pytest.raises(ValueError, match="samples"):
        FitDisplay.from_estimator(eos, X, y[:-1])
    with pytest.raises(NotFittedError):
        FitDisplay.from_estimator(MurnaghanRegressor(), X, y)


# -- ParityDisplay ----------------------------------------------------------------------
def test_parity_display_reports_rmse_and_mae(eos_fit):
    eos, X, y = eos_fit
    display = ParityDisplay.from_estimator(eos, X, y)
    y_pred = eos.predict(X)
    rmse, mae = root_mean_squared_error(y, y_pred), mean_absolute_error(y, y_pred)
    assert_allclose([display.rmse_, display.mae_], [rmse, mae], rtol=1e-12)
    label = display.scatter_.get_label()
    assert label in legend_texts(display.ax_)
    assert re.search(r"RMSE = .* eV", label) and re.search(r"MAE = .* eV", label)
    assert_allclose(numbers_in(label), [rmse, mae], rtol=5e-3)
    assert_allclose(display.scatter_.get_offsets(), np.column_stack([y, y_pred]))
    low, high = min(y.min(), y_pred.min()), max(y.max(), y_pred.max())
    assert_allclose(display.line_.get_xydata(), [[low, low], [high, high]])
    assert display.ax_.get_xlabel() == "reference (eV)"
    assert display.ax_.get_ylabel() == "predicted (eV)"


def test_parity_display_from_predictions():
    display = ParityDisplay.from_predictions([0.0, 1.0, 2.0, 3.0], [0.0, 1.0, 2.0, 5.0])
    assert_allclose([display.rmse_, display.mae_], [1.0, 0.5])
    assert legend_texts(display.ax_)[1] == "RMSE = 1\nMAE = 0.5"
    assert display.ax_.get_xlabel() == "reference"
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        ParityDisplay.from_predictions([0.0, 1.0], [0.0])
    with pytest.raises(ValueError, match="finite"):
        ParityDisplay.from_predictions([0.0, np.nan], [0.0, 1.0])


def test_parity_display_names_its_errors(eos_fit):
    # the caller knows whether the predictions are training or out-of-fold ones
    eos, X, y = eos_fit
    display = ParityDisplay.from_estimator(eos, X, y, error_label="training")
    rmse = root_mean_squared_error(y, eos.predict(X))
    label = display.scatter_.get_label()
    assert label.startswith("training RMSE = ") and "\ntraining MAE = " in label
    assert_allclose(numbers_in(label)[0], rmse, rtol=5e-3)
    shown = ParityDisplay.from_predictions([0.0, 1.0], [0.0, 3.0], error_label="test")
    assert legend_texts(shown.ax_)[1] == "test RMSE = 1.41\ntest MAE = 1"


# -- EOSDisplay -------------------------------------------------------------------------
def test_eos_display_title_and_v0(eos_fit):
    eos, X, y = eos_fit
    display = EOSDisplay.from_estimator(eos, X, y)
    title = display.title_.get_text()
    assert title == display.ax_.get_title()
    bulk = re.search(r"B0 = (\S+) ± (\S+) GPa", title)
    b0_gpa, err_gpa = eos.b0_ / GPa, eos.perr_[1] / GPa
    half_last_digit = 0.5 * 10.0 ** -len(bulk.group(1).split(".")[1])
    assert abs(float(bulk.group(1)) - b0_gpa) <= half_last_digit
    assert abs(float(bulk.group(2)) - err_gpa) <= half_last_digit
    assert float(re.search(r"V0 = (\S+) Å", title).group(1)) == pytest.approx(eos.v0_, abs=5e-3)
    assert float(re.search(r"E0 = (\S+) eV", title).group(1)) == pytest.approx(eos.e0_, abs=5e-6)
    assert_allclose(display.v0_line_.get_xdata(), [eos.v0_, eos.v0_])
    assert "V0" in legend_texts(display.ax_)
    assert len(display.extrapolation_) == 2 and display.band_ is not None


def test_eos_display_needs_an_equation_of_state(eos_fit):
    _, X, y = eos_fit
    with pytest.raises(NotFittedError):
        EOSDisplay.from_estimator(MurnaghanRegressor(), X, y)
    r = np.linspace(1.5, 4.0, 10).reshape(-1, 1)
    pair = BuckinghamRegressor().fit(r, 500 * np.exp(-3 * r[:, 0]) - 20 / r[:, 0] ** 6)
    with pytest.raises(TypeError, match="v0_"):
        EOSDisplay.from_estimator(pair, r, r[:, 0])
    fit = FitDisplay.from_estimator(pair, r, pair.predict(r))
    assert (fit.ax_.get_xlabel(), fit.ax_.get_ylabel()) == ("distance (Å)", "energy (eV)")


# -- SensitivityDisplay -----------------------------------------------------------------
def concentration(t, k1, k_1):
    return 1.0 / (k1 + k_1) * (k1 * anp.exp(-(k1 + k_1) * t) + k_1)


def test_sensitivity_display_reproduces_the_reaction_figure():
    t = np.linspace(0.0, 0.5)
    display = SensitivityDisplay.from_function(concentration, t, [3.0, 3.0], xlabel="t (s)")
    e = np.exp(-6.0 * t)  # dA/dk1 = (E (1 - 6t) - 1) / 12, dA/dk_1 = (1 - E (1 + 6t)) / 12
    expected = [np.abs(e * (1 - 6 * t) - 1) / 12, np.abs(1 - e * (1 + 6 * t)) / 12]
    assert len(display.lines_) == 2
    for line, values in zip(display.lines_, expected, strict=True):
        assert_allclose(line.get_xdata(), t)
        assert_allclose(line.get_ydata(), values, atol=1e-10)
    assert legend_texts(display.ax_) == ["$S_{k1}$", r"$S_{k\_1}$"]
    assert display.ax_.get_xlim() == (0.0, 0.5)
    assert "per unit of p" in display.ax_.get_ylabel()
    signed = SensitivityDisplay.from_function(concentration, t, [3.0, 3.0], magnitude=False)
    assert np.all(signed.lines_[0].get_ydata() <= 0)


def test_sensitivity_display_relative_and_names():
    t = np.linspace(0.1, 0.5, 5)
    display = SensitivityDisplay.from_function(
        concentration, t, [3.0, 3.0], argnums=2, relative=True, names=["k_-1"]
    )
    assert legend_texts(display.ax_) == [r"$S_{k\_-1}$"]
    assert "dimensionless" in display.ax_.get_ylabel()


def test_sensitivity_display_from_parametric_estimator(eos_fit):
    eos, X, y = eos_fit
    shuffled = np.random.default_rng(0).permutation(X)
    display = SensitivityDisplay.from_estimator(eos, shuffled)
    ordered = np.sort(X, axis=0)
    expected = np.abs(estimator_sensitivity(eos, ordered))
    for line, column in zip(display.lines_, expected.T, strict=True):
        assert_allclose(line.get_xdata(), ordered[:, 0])
        assert_allclose(line.get_ydata(), column, rtol=1e-12)
    assert legend_texts(display.ax_) == ["$S_{E0}$", "$S_{B0}$", "$S_{BP}$", "$S_{V0}$"]
    assert display.ax_.get_xlabel() == "volume (Å$^3$)"
    assert (
        display.ax_.get_ylabel().startswith("|") and "eV per unit of p" in display.ax_.get_ylabel()
    )
    _, ax = plt.subplots()
    signed = display.plot(ax, magnitude=False)
    assert not signed.ax_.get_ylabel().startswith("|")
    assert_allclose(signed.lines_[0].get_ydata(), expected[:, 0])  # dE/dE0 = +1


def test_sensitivity_display_from_network():
    X = np.linspace(-1.0, 1.0, 10).reshape(-1, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        net = MLPRegressor(hidden_layer_sizes=(4,), activation="tanh", max_iter=20, random_state=0)
        net.fit(X, X[:, 0] ** 2)
    display = SensitivityDisplay.from_estimator(net, X, layer_summary="l2")
    assert legend_texts(display.ax_) == ["layer 1", "layer 2"]
    assert_allclose(
        display.lines_[1].get_ydata(), estimator_sensitivity(net, X, layer_summary="l2")[:, 1]
    )
    assert display.ax_.get_ylabel().startswith("norm over a layer of |")
    rms = SensitivityDisplay.from_estimator(net, X, relative=True)
    assert rms.ax_.get_ylabel().startswith("RMS over a layer of |")
    assert rms.ax_.get_ylabel().endswith("(dimensionless)")
    with pytest.raises(ValueError, match="layer_summary"):
        SensitivityDisplay.from_estimator(net, X, layer_summary=None)
