"""
Delta learning: a cheap EMT energy as a feature for an expensive reference
==========================================================================

Expensive calculators (DFT, minutes per geometry) make training data the real
cost. Delta learning spends it better: a cheap physical model gets most of the
energy right, and a regressor only learns what the cheap model misses.

Here the geometries are Cu3 triangles (distances r12, r13, r23). The cheap model
is ASE's effective-medium theory (EMT, many-body, fitted to bulk copper), fed to
the pipeline by :class:`skphys.AseEnergyTransformer`. The *reference* stands in
for DFT so that the example runs in seconds: a pairwise Morse potential (ASE's
``MorsePotential``) fitted to the spectroscopic constants of the Cu2 molecule
(D_e ≈ 2.05 eV, r_e = 2.22 Å, ω_e = 266.5 cm⁻¹; Huber & Herzberg). The two
disagree by tenths of an eV to eVs: the equilateral Cu3 of EMT is bound by
6.48 eV at 2.31 Å, that of the Morse pairs by 6.15 eV at 2.22 Å, and EMT
repels more at short distances.

Two kernel ridge models, each tuned by cross-validation, learn the reference
from the same training sets:

* **direct**: from the three distances alone;
* **delta**: from the distances and the EMT energy, learning the difference
  E_reference - E_EMT (the EMT energy is added back to predict).

The EMT energies go to an SQLite cache, so the cross-validation refits (which
transform the same geometries again and again) compute each energy once.
"""

import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from ase import units  # noqa: E402
from ase.calculators.morse import MorsePotential  # noqa: E402
from ase.data import atomic_masses, atomic_numbers  # noqa: E402
from sklearn.kernel_ridge import KernelRidge  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import make_pipeline, make_union  # noqa: E402
from sklearn.preprocessing import FunctionTransformer, StandardScaler  # noqa: E402

from skphys import AseEnergyTransformer  # noqa: E402
from skphys.datasets import make_trimer_dataset  # noqa: E402

# %%
# The reference: Morse pairs from the Cu2 spectroscopic constants
# ---------------------------------------------------------------
# The Morse width follows from the harmonic frequency:
# k = μ ω² = 2 D_e a², with μ the reduced mass of Cu2.
D_E, R_E, OMEGA_E = 2.05, 2.2197, 266.46  # eV, Å, cm^-1
mu = atomic_masses[atomic_numbers["Cu"]] / 2  # amu
hbar = units._hbar * units.J * units.s  # eV in ASE's time unit
stiffness = mu * (OMEGA_E * units.invcm / hbar) ** 2  # eV / Å^2
width = np.sqrt(stiffness / (2 * D_E))  # 1 / Å
print(f"Morse: epsilon = {D_E} eV, r0 = {R_E} Å, a = {width:.3f} / Å, rho0 = {width * R_E:.3f}")


def reference_calculator():
    """The stand-in for DFT; a factory, so that each worker builds its own."""
    return MorsePotential(epsilon=D_E, r0=R_E, rho0=width * R_E)


X_all, y_all = make_trimer_dataset(n_samples=360, calculator=reference_calculator,
                                   random_state=0)
X_test, y_test = X_all[160:], y_all[160:]

# %%
# Two pipelines
# -------------
cache = Path(tempfile.mkdtemp()) / "emt.db"
emt = AseEnergyTransformer("Cu3", cache=cache)
grid = {"kernelridge__alpha": [1e-6, 1e-3], "kernelridge__gamma": [0.03, 0.1, 0.3, 1.0]}
direct = make_pipeline(StandardScaler(), KernelRidge(kernel="rbf"))
delta = make_pipeline(
    make_union(FunctionTransformer(feature_names_out="one-to-one"), emt),
    StandardScaler(),
    KernelRidge(kernel="rbf"),
)


def fit_both(n_train):
    """Both models tuned on the first ``n_train`` geometries; test errors in meV."""
    X, y = X_all[:n_train], y_all[:n_train]
    e_emt = emt.fit_transform(X).ravel()
    searches = {
        "direct": GridSearchCV(direct, grid, cv=3).fit(X, y),
        "delta": GridSearchCV(delta, grid, cv=3).fit(X, y - e_emt),
    }
    predictions = {
        "direct": searches["direct"].predict(X_test),
        "delta": searches["delta"].predict(X_test) + emt.transform(X_test).ravel(),
    }
    errors = {name: 1e3 * np.mean(np.abs(p - y_test)) for name, p in predictions.items()}
    return errors, predictions


sizes = [10, 20, 40, 80, 160]
results = {n: fit_both(n) for n in sizes}
e_emt_test = emt.transform(X_test).ravel()
emt_error = 1e3 * np.mean(np.abs(e_emt_test - y_test))
print(f"EMT alone, test mean absolute error: {emt_error:.0f} meV")
for n, (errors, _) in results.items():
    print(f"n_train = {n:3d}: direct {errors['direct']:7.1f} meV, delta {errors['delta']:7.1f} meV")

# %%
# Learning curves and predictions
# -------------------------------
fig, (ax_curve, ax_parity) = plt.subplots(1, 2, figsize=(10, 4))
for name, style in [("direct", "C0o-"), ("delta", "C1s-")]:
    ax_curve.loglog(sizes, [results[n][0][name] for n in sizes], style, label=name)
ax_curve.set_xlabel("training geometries")
ax_curve.set_ylabel("test mean absolute error (meV)")
ax_curve.set_title("Cu3: Morse reference learned from distances")
ax_curve.legend()
n_shown = 40
_, predictions = results[n_shown]
ax_parity.plot(y_test, e_emt_test, ".", color="0.6", label="EMT alone")
ax_parity.plot(y_test, predictions["direct"], "C0.", label="direct")
ax_parity.plot(y_test, predictions["delta"], "C1.", label="delta")
limits = [y_test.min(), y_test.max()]
ax_parity.plot(limits, limits, "k:")
ax_parity.set_xlabel("reference energy (eV)")
ax_parity.set_ylabel("predicted energy (eV)")
ax_parity.set_title(f"test set, {n_shown} training geometries")
ax_parity.legend()
fig.tight_layout()
fig.savefig("plot_delta_learning.png", dpi=100)
