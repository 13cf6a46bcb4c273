"""
Murnaghan equation of state of a DFT energy-volume table
=========================================================

Fit the Murnaghan equation of state to the 28 energies of the bundled DFT table,
report the parameters with 95 % intervals and the bulk modulus in GPa, compare with
:class:`ase.eos.EquationOfState`, and show what plain Adam steps (the way the
original post fitted it) reach in the same problem.
"""

import time
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from ase.eos import EquationOfState  # noqa: E402
from ase.units import GPa  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402

from skphys import MurnaghanRegressor  # noqa: E402
from skphys.datasets import load_murnaghan_example  # noqa: E402

X, y = load_murnaghan_example(return_X_y=True)

# %%
# Levenberg-Marquardt from a data-driven start
# --------------------------------------------
start = time.perf_counter()
eos = MurnaghanRegressor().fit(X, y)
elapsed = time.perf_counter() - start
print(eos.summary())
print(f"B0 = {eos.bulk_modulus_gpa_:.4f} +- {eos.bulk_modulus_gpa_err_:.4f} GPa")
print(f"{eos.n_iter_} Jacobian evaluations, {elapsed * 1e3:.1f} ms")

# %%
# The same form fitted by ASE
# ---------------------------
ase_eos = EquationOfState(X[:, 0], y, eos="murnaghan")
v0, e0, b0 = ase_eos.fit()
for name, (v, e, b) in [("ase.eos", (v0, e0, b0)), ("skphys", (eos.v0_, eos.e0_, eos.b0_))]:
    print(f"{name:8s} V0 = {v:.4f} Å^3, E0 = {e:.6f} eV, B0 = {b / GPa:.4f} GPa")

# %%
# Adam, as in the original post
# -----------------------------
# The post started from [-400, 0.5, 2, 210] and took Adam steps of 1e-3 until the
# sum of squared errors fell below 2e-5 eV^2. Adam's steps have a fixed size in
# parameter units, which suits none of E0 (~400 eV), B0 (~4e-3 eV/Å^3) and V0 at
# once: from the post's start it crawls. From the data-driven start it meets the
# post's threshold within a few steps -- and stops there, short of the optimum.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    adam_post = MurnaghanRegressor(
        p0=[-400, 0.5, 2, 210], solver="adam", learning_rate=1e-3, max_iter=3000, tol=2e-5 / 28
    ).fit(X, y)
    adam = MurnaghanRegressor(solver="adam", learning_rate=1e-3, tol=2e-5 / 28).fit(X, y)
for name, est in [("Adam from the post's start", adam_post), ("Adam from our start", adam)]:
    print(f"{name}: SSE {est.loss_ * len(y):.4g} eV^2 after {est.n_iter_} steps")
print(f"Levenberg-Marquardt: SSE {eos.loss_ * len(y):.4g} eV^2 after {eos.n_iter_} iterations")

# %%
# The fit, its 95 % bands, and the loss curves
# --------------------------------------------
V = np.linspace(140, 330, 300)[:, None]
fit = eos.predict(V)
band = eos.predict_interval(V, kind="prediction")
fig, (ax, ax_loss) = plt.subplots(1, 2, figsize=(10, 4))
meV = 1000.0  # energies are drawn in meV above E0
ax.plot(X[:, 0], (y - eos.e0_) * meV, "ko", label="DFT")
ax.plot(V[:, 0], (fit - eos.e0_) * meV, "C0-", label="Murnaghan fit")
ax.fill_between(
    V[:, 0], (band[:, 0] - eos.e0_) * meV, (band[:, 1] - eos.e0_) * meV,
    color="C0", alpha=0.25, label="95% prediction band",
)  # fmt: skip
ax.axvline(eos.v0_, color="0.5", ls=":")
ax.set_xlabel("volume (Å$^3$)")
ax.set_ylabel("E - E0 (meV)")
ax.set_title(f"B0 = {eos.bulk_modulus_gpa_:.3f} ± {eos.bulk_modulus_gpa_err_:.3f} GPa")
ax.legend()
ax_loss.semilogy(np.arange(len(eos.loss_curve_)), eos.loss_curve_, "C0o-", label="LM")
ax_loss.semilogy(np.arange(len(adam.loss_curve_)), adam.loss_curve_, "C1-", label="Adam")
ax_loss.semilogy(
    np.arange(len(adam_post.loss_curve_)), adam_post.loss_curve_, "C3-", label="Adam, post's start"
)
ax_loss.axhline(eos.loss_, color="0.5", ls=":", label="optimum")
ax_loss.set_xscale("symlog", linthresh=1)
ax_loss.set_xlim(left=0)
ax_loss.set_xlabel("iteration")
ax_loss.set_ylabel("mean squared residual (eV$^2$)")
ax_loss.legend()
fig.tight_layout()
fig.savefig("plot_murnaghan.png", dpi=100)
