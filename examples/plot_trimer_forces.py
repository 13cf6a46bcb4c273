"""
The Cu3 trimer from energies and forces, at the same cost
=========================================================

Every call of a calculator that gives the energy of a structure gives its forces
too: nine numbers for a trimer on top of the one energy. Fitting a network to
energies alone throws them away. Here 40 Cu3 structures are labelled once by
ASE's EMT, and the same pipeline -- :class:`skphys.PairDistanceTransformer` then
:class:`skphys.TanhMLPRegressor` -- is fitted on the energies alone and on the
energies with the forces. Both see the same 40 calculator calls.

The forces are Cartesian, ``-dE/dx`` on each atom; the network's inputs are the
three distances. :class:`skphys.atoms.PositionGradients` carries them with their
structures, and the pipeline hands them to the distance transformer
(``transform_input=['y_grad']``), which turns them into ``dE/dr`` for each of its
features: for a trimer the three distances determine the energy, so the
conversion is exact. The regressor asks for them with
``set_fit_request(y_grad=True)`` (scikit-learn's metadata routing).
"""

import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402

from skphys import PairDistanceTransformer, TanhMLPRegressor  # noqa: E402
from skphys.atoms import PositionGradients  # noqa: E402
from skphys.datasets import make_trimer_dataset  # noqa: E402

sklearn.set_config(enable_metadata_routing=True)

_, energies, _, structures = make_trimer_dataset(
    n_samples=40, random_state=0, return_y_grad=True, return_atoms=True
)
_, test_energies, _, test_structures = make_trimer_dataset(
    n_samples=400, random_state=1, return_y_grad=True, return_atoms=True
)
print(f"{len(structures)} training and {len(test_structures)} test structures; "
      "each carries its EMT energy and forces")  # fmt: skip


def pipeline():
    network = TanhMLPRegressor(hidden_layer_sizes=(10,), random_state=0)
    network.set_fit_request(y_grad=True)
    return Pipeline(
        [("distances", PairDistanceTransformer()), ("network", network)],
        transform_input=["y_grad"],
    )


# %%
# Energies alone, and energies with forces
# ----------------------------------------
# The network has 51 parameters: 40 energies alone cannot pin them, and it says
# so (an OverparameterizedWarning). The forces add 120 numbers (three ``dE/dr``
# per structure); their weight against the energies is estimated from the fit.
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    energy_only = pipeline().fit(structures, energies)
with_forces = pipeline().fit(structures, energies, y_grad=PositionGradients(structures))
print(with_forces[-1].summary())

# %%
# Errors on unseen structures
# ---------------------------
# The forces of the test structures, converted the same way, are the reference
# for the predicted ``dE/dr``.
test_gradients = with_forces[0].transform(PositionGradients(test_structures))
distances = with_forces[0].transform(test_structures)
results = {}
for name, fitted in (("energies", energy_only), ("energies + forces", with_forces)):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        predicted = fitted.predict(test_structures)
        gradients = fitted[-1].predict_gradient(distances)
    results[name] = (predicted, gradients)
    print(f"{name:>18}: energy RMSE {1e3 * np.sqrt(np.mean((predicted - test_energies) ** 2)):6.1f}"
          f" meV, dE/dr RMSE {1e3 * np.sqrt(np.mean((gradients - test_gradients) ** 2)):7.1f}"
          " meV/Å")  # fmt: skip

# %%
# Parity of energies and of derivatives
# -------------------------------------
fig, axes = plt.subplots(1, 2, figsize=(9, 4))
for name, (predicted, gradients) in results.items():
    axes[0].plot(test_energies, predicted, ".", ms=3, label=name)
    axes[1].plot(test_gradients.ravel(), gradients.ravel(), ".", ms=2, label=name)
for ax, quantity in zip(axes, ("energy (eV)", "dE/dr (eV/Å)"), strict=True):
    low, high = ax.get_xlim()
    ax.plot([low, high], [low, high], "k-", lw=0.8)
    ax.set_xlabel(f"EMT {quantity}")
    ax.set_ylabel(f"network {quantity}")
    ax.legend()
axes[0].set_title("40 structures: energies")
axes[1].set_title("and their derivatives")
fig.tight_layout()
fig.savefig("plot_trimer_forces.png")
