"""
A tanh network is a nonlinear model: the cube root by least squares
===================================================================

The post this example follows fitted y = x^(1/3), sampled at 50 points on [0, 1],
with a "very general looking" model of 10 parameters,

    y = b1 + w10 tanh(w00 x + b00) + w11 tanh(w01 x + b01) + w12 tanh(w02 x + b02),

first by nonlinear least squares with an autograd Jacobian, then as a neural
network with one hidden layer of three tanh units -- the same model. Here the
first is a :class:`skphys.ParametricRegressor` of an autograd function, the second
a :class:`skphys.TanhMLPRegressor` with ``hidden_layer_sizes=(3,)``. Both fit [0, 1]
closely; drawn on [0, 3], neither extrapolates, and their uncertainty bands show
where the data stop pinning them. x and y are dimensionless.
"""

import warnings

import matplotlib

matplotlib.use("Agg")
import autograd.numpy as anp  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402

from skphys import ExtrapolationWarning, ParametricRegressor, TanhMLPRegressor  # noqa: E402
from skphys.plotting import FitDisplay  # noqa: E402

x = np.linspace(0, 1)  # the post's 50 points
X, y = x.reshape(-1, 1), x ** (1 / 3)


# %%
# The 10-parameter model as an autograd function
# ----------------------------------------------
# Unpacking ``params`` and elementwise operations only: the model then also takes
# per-sample parameter copies of shape (10, n_samples), and skphys builds the
# Jacobian of all residuals in one reverse pass.
PARAM_NAMES = ["b1", "w10", "w00", "b00", "w11", "w01", "b01", "w12", "w02", "b02"]


def three_tanh_units(params, X):
    """b1 + sum over k of w1k tanh(w0k x + b0k), at every row of X (n_samples, 1)."""
    b1, w10, w00, b00, w11, w01, b01, w12, w02, b02 = params
    x = X[:, 0]
    return (
        b1
        + w10 * anp.tanh(w00 * x + b00)
        + w11 * anp.tanh(w01 * x + b01)
        + w12 * anp.tanh(w02 * x + b02)
    )


# %%
# Least squares from small random numbers
# ---------------------------------------
# As in the post: start from ``0.1 * randn(10)`` and use the trust-region
# reflective method (the default of the post's ``scipy.optimize.least_squares``).
# The solver stops on ``max_iter``, with a ConvergenceWarning, and not by
# accident: x^(1/3) has an infinite slope at 0, which one steep, saturated unit
# follows, and the two others then trade large output weights that nearly
# cancel. The sum of squares keeps falling, ever more slowly, along that valley
# towards infinite weights. The hidden weights settle (the post found 5.33, 54.7
# and -0.509, as here up to the order and sign of the units); the output weights
# and b1 do not, and their standard errors, thousands, say so.
p0 = 0.1 * np.random.default_rng(0).standard_normal(10)
least_squares = ParametricRegressor(three_tanh_units, p0=p0, param_names=PARAM_NAMES, solver="trf")
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    least_squares.fit(X, y)
print(least_squares.summary())
loss = least_squares.loss_curve_
half = len(loss) // 2
print(
    f"mean squared error {loss[half]:.4g} after {half} iterations, "
    f"{loss[-1]:.4g} after {len(loss) - 1}: a valley, not a minimum"
)
hidden = np.sort(np.abs(least_squares.params_[[2, 5, 8]]))
print(f"|hidden weights| {np.round(hidden, 3).tolist()} (the post: [0.509, 5.331, 54.692])")
# The parameters the post printed, in the order of PARAM_NAMES, lie in the same
# valley (the post printed a mean squared error of 0.0745 above them, which they
# do not give).
post_params = [-113.1799, 42.37717, 5.331212, 2.983416, 22.03610, 54.69238, 2.606230,
               -50.07564, -0.5088137, -2.378257]  # fmt: skip
post_mse = np.mean((three_tanh_units(np.array(post_params), X) - y) ** 2)
print(f"mean squared error of the post's parameters: {post_mse:.3g}")

# %%
# The same model as a network
# ---------------------------
# :class:`~skphys.TanhMLPRegressor` standardises x and y, restarts from random
# weights and puts a small L2 penalty (``alpha``) on the weights. The penalty
# picks one point of the valley and keeps its covariance finite, so its
# delta-method standard deviations need no singular directions dropped.
network = TanhMLPRegressor(hidden_layer_sizes=(3,), random_state=0).fit(X, y)
n_params = sum(W.size + b.size for W, b in zip(network.coefs_, network.intercepts_, strict=True))
print(f"network: {n_params} parameters, {network.n_iter_} Levenberg-Marquardt iterations")

# %%
# Errors on [0, 1] and uncertainties beyond it
# --------------------------------------------
# The standard deviations are those of the fitted curve (parameter uncertainty
# given the model). From the data to x = 3, two units of x past them, they grow
# forty- to a hundredfold -- and still do not reach the cube root, which no model
# of three tanh units fitted on [0, 1] has any reason to follow: the band is
# honest about the parameters, not about the choice of model.
x_grid = np.linspace(0, 3, 301)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always", ExtrapolationWarning)
    network.predict([[3.0]])
print(f"network.predict at x = 3 warns: {caught[0].category.__name__}")
stds = {}
for name, model in [("least squares", least_squares), ("TanhMLPRegressor", network)]:
    y_fit, std_data = model.predict(X, return_std=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExtrapolationWarning)  # asked for on purpose
        y_grid, stds[name] = model.predict(x_grid.reshape(-1, 1), return_std=True)
    print(
        f"{name:17s} MSE on [0, 1] {np.mean((y_fit - y) ** 2):.3g}; std at most "
        f"{std_data.max():.2g} at the data, {stds[name][-1]:.2g} at x = 3, where it "
        f"predicts {y_grid[-1]:.3f} (3^(1/3) = {3 ** (1 / 3):.3f})"
    )

# %%
# The figure
# ----------
# Both fits with their 95 % bands over the cube root, the extrapolation shaded,
# and their standard deviations on a log scale.
fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
labels = {"xlabel": "x (dimensionless)", "ylabel": "y (dimensionless)"}
for ax, model, name, color in [
    (axes[0], least_squares, "least squares, 10 parameters", "C0"),
    (axes[1], network, "TanhMLPRegressor((3,))", "C1"),
]:
    (truth,) = ax.plot(x_grid, x_grid ** (1 / 3), "b.", ms=3, label="$x^{1/3}$", zorder=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExtrapolationWarning)
        display = FitDisplay.from_estimator(
            model, X, y, x_range=(0, 3), n_points=301, ax=ax,
            line_kwargs={"color": color, "label": name}, band_kwargs={"color": color},
            scatter_kwargs={"s": 8, "label": "training data"}, **labels,
        )  # fmt: skip
    handles = [display.scatter_, truth, display.line_, display.band_, display.extrapolation_[0]]
    ax.legend(handles=handles, loc="lower right")
    ax.set_ylim(0, 1.6)
    ax.set_title(name)

ax = axes[2]
ax.axvspan(1, 3, color="0.85", zorder=0, label="extrapolation")
for (name, std), color in zip(stds.items(), ["C0", "C1"], strict=True):
    ax.semilogy(x_grid, std, color=color, label=name)
ax.set(xlim=(0, 3), xlabel=labels["xlabel"], ylabel="standard deviation of the fit (dimensionless)")
ax.set_title("uncertainty of the fitted curve")
ax.legend(loc="lower right")
fig.tight_layout()
fig.savefig("plot_cube_root.png", dpi=100)
