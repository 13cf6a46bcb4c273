"""
Local sensitivity of a reversible reaction to its rate constants
================================================================

For the reaction A <-> B with forward and backward rate constants k1 and k_1, the
concentration of A is

    [A](t) = [A]0 / (k1 + k_1) (k1 exp(-(k1 + k_1) t) + k_1).

Its local sensitivities d[A]/dk1 and d[A]/dk_1, evaluated at every time, say when
a measurement of [A] tells us most about each rate constant. autograd gives them
without deriving anything by hand (:func:`skphys.sensitivity.local_sensitivity`
takes one forward-mode pass per parameter); the figure reproduces the one of the
sensitivity-analysis post ([A]0 = 1 mol/L, k1 = k_1 = 3 1/s, t in [0, 0.5] s).

The same derivatives of a *fitted* model follow from
:func:`skphys.sensitivity.estimator_sensitivity`: we fit both rate constants to
noisy measurements and end, as every post does, with the fit over the data and
the region beyond the measurements shaded -- the model there is an
extrapolation.
"""

import matplotlib

matplotlib.use("Agg")
import autograd.numpy as anp  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from skphys import ParametricRegressor  # noqa: E402
from skphys.plotting import FitDisplay, SensitivityDisplay  # noqa: E402
from skphys.sensitivity import local_sensitivity  # noqa: E402

A0 = 1.0  # mol/L
K1 = K_1 = 3.0  # 1/s


def concentration(t, k1, k_1):
    """[A] (mol/L) at times t (s) for rate constants k1, k_1 (1/s)."""
    return A0 / (k1 + k_1) * (k1 * anp.exp(-(k1 + k_1) * t) + k_1)


t = np.linspace(0.0, 0.5, 50)

# %%
# Sensitivities by automatic differentiation
# ------------------------------------------
# ``argnums`` counts the arguments as autograd does: t is 0, k1 is 1, k_1 is 2.
sensitivity = local_sensitivity(concentration, t, [K1, K_1], argnums=(1, 2))

# By hand, with s = k1 + k_1 and E = exp(-s t), at k1 = k_1 = 3 1/s:
# d[A]/dk1 = (E (1 - 6t) - 1) / 12 and d[A]/dk_1 = (1 - E (1 + 6t)) / 12 (mol s/L).
e = np.exp(-6.0 * t)
by_hand = np.column_stack([(e * (1 - 6 * t) - 1) / 12, (1 - e * (1 + 6 * t)) / 12])
print(f"largest difference from the hand derivatives: {np.abs(sensitivity - by_hand).max():.1e}")
relative = local_sensitivity(concentration, t, [K1, K_1], relative=True)
print(f"at t = 0.5 s, (k/[A]) d[A]/dk: k1 {relative[-1, 0]:.3f}, k_1 {relative[-1, 1]:.3f}")

# %%
# Fitting both rate constants, and the sensitivities of the fit
# -------------------------------------------------------------
# Twenty measurements of [A] over the same half second, with 0.01 mol/L of noise.
rng = np.random.default_rng(0)
t_data = np.linspace(0.0, 0.5, 20)
A_data = concentration(t_data, K1, K_1) + rng.normal(scale=0.01, size=t_data.size)
X = t_data.reshape(-1, 1)


def reaction_model(params, X):
    k1, k_1 = params
    return concentration(X[:, 0], k1, k_1)


fit = ParametricRegressor(reaction_model, p0=[1.0, 1.0], param_names=["k1", "k_1"])
fit.fit(X, A_data)
print(fit.summary())

# %%
# The figure
# ----------
fig, axes = plt.subplots(2, 2, figsize=(10, 8))
ax = axes[0, 0]
ax.plot(t, concentration(t, K1, K_1))
ax.set(xlim=(0, 0.5), ylim=(0, 1), xlabel="t (s)", ylabel="[A] (mol/L)")
ax.set_title("[A](t), k1 = k_1 = 3 1/s")

absolute_label = r"$|\partial [A]/\partial k|$ (mol s L$^{-1}$)"
post = SensitivityDisplay.from_function(
    concentration, t, [K1, K_1], xlabel="t (s)", ylabel=absolute_label, ax=axes[0, 1]
)
post.ax_.set_ylim(0, 0.1)
post.ax_.set_title("local sensitivities (the post's figure)")

fitted = SensitivityDisplay.from_estimator(
    fit, X, relative=True, xlabel="t (s)", magnitude=False, ax=axes[1, 0]
)
fitted.ax_.axhline(0.0, color="0.5", lw=0.5)
fitted.ax_.set_title("relative sensitivities of the fitted model")

FitDisplay.from_estimator(
    fit, X, A_data, x_range=(0.0, 1.0), kind="prediction", xlabel="t (s)",
    ylabel="[A] (mol/L)", ax=axes[1, 1],
)  # fmt: skip
axes[1, 1].set_title(
    f"fit: k1 = {fit.params_[0]:.2f} ± {fit.perr_[0]:.2f}, "
    f"k_1 = {fit.params_[1]:.2f} ± {fit.perr_[1]:.2f} 1/s"
)
fig.tight_layout()
fig.savefig("plot_sensitivity.png", dpi=100)
