"""
The Cu3 trimer: from ase.Atoms to energies, directly and by delta learning
==========================================================================

The Cu2 post ended on the trimer: three distances instead of one. Here the
geometries come as :class:`ase.Atoms` (``make_trimer_dataset(return_atoms=True)``),
their energies from ASE's effective-medium theory (EMT) relative to the three
atoms 10 Å apart, and one pipeline goes from structures to energies:
:class:`skphys.PairDistanceTransformer` (the three distances, sorted, so that
relabelling the atoms changes nothing) then :class:`skphys.TanhMLPRegressor`.

EMT is a many-body model: the energy of a trimer is not the sum of the energies
of its three pairs. That sum, from a pair potential learnt once on Cu2, is still
a cheap physical baseline. Delta learning fits a second network to what the
baseline misses -- the many-body part, which varies more gently than the energy
-- and adds the baseline back. Both models are trained on the same trimers, from
25 to 200 of them, and tested on 200 others.
"""

import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import FunctionTransformer  # noqa: E402

from skphys import (  # noqa: E402
    AseEnergyTransformer,
    ExtrapolationWarning,
    PairDistanceTransformer,
    TanhMLPRegressor,
)
from skphys.atoms import atoms_from_distances  # noqa: E402
from skphys.datasets import make_dimer_dataset, make_trimer_dataset  # noqa: E402
from skphys.plotting import ParityDisplay  # noqa: E402

_, energies, structures = make_trimer_dataset(n_samples=400, random_state=0, return_atoms=True)
train_pool, test = slice(0, 200), slice(200, 400)
print(f"{len(structures)} Cu3 structures, EMT energies from {energies.min():.2f} "
      f"to {energies.max():.2f} eV")  # fmt: skip

# %%
# The pair approximation
# ----------------------
# A network fitted to 300 Cu2 energies, on separations a little wider than the
# trimer's distances (1.7 to 3 Å, and the 1.6 to 3.1 Å drawn below) so that the
# baseline never extrapolates, gives the pair energy; the baseline of a trimer is
# the sum over its three pairs.
d, pair_energies = make_dimer_dataset(n_samples=300, r_min=1.5, r_max=3.2, random_state=0)
pair_potential = TanhMLPRegressor(hidden_layer_sizes=(10,), random_state=0).fit(d, pair_energies)


def sum_of_pairs(distances):
    """Sum of the Cu2 pair energies (eV) over the columns of ``distances`` (Å)."""
    pairs = pair_potential.predict(distances.reshape(-1, 1))
    return pairs.reshape(distances.shape).sum(axis=1)


pair_baseline = make_pipeline(PairDistanceTransformer(), FunctionTransformer(sum_of_pairs))
baseline = pair_baseline.fit_transform(structures)
many_body = energies - baseline
print(
    f"pair approximation alone: RMSE {1e3 * np.sqrt(np.mean(many_body[test] ** 2)):.0f} meV; "
    f"the many-body part spans {many_body.min():.2f} to {many_body.max():.2f} eV "
    f"(std {many_body.std():.2f} eV, the energy's {energies.std():.2f} eV)"
)

# %%
# Direct and delta learning, from 25 to 200 training trimers
# ----------------------------------------------------------
# The same pipeline twice: on the energies, and on the many-body part, to which
# the baseline is added back at prediction.


def network_pipeline():
    return make_pipeline(
        PairDistanceTransformer(), TanhMLPRegressor(hidden_layer_sizes=(10,), random_state=0)
    )


def predict_delta(model, atoms, return_std=False):
    """Energies (eV) of a delta model: the learnt many-body part plus the pair sum."""
    prediction = model.predict(atoms, return_std=return_std)
    if return_std:  # the baseline is taken as exact: the std is the network's
        return prediction[0] + pair_baseline.transform(atoms), prediction[1]
    return prediction + pair_baseline.transform(atoms)


def rmse_mev(predicted, reference):
    return 1e3 * np.sqrt(np.mean((predicted - reference) ** 2))


sizes = [25, 50, 100, 200]
models, errors = {}, {"direct": [], "delta": []}
for n_train in sizes:
    train = slice(0, n_train)
    direct = network_pipeline().fit(structures[train], energies[train])
    delta = network_pipeline().fit(structures[train], many_body[train])
    # A few test trimers lie outside the box of distances the smaller training
    # sets span; the error is what a user would get there, so we keep them.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExtrapolationWarning)
        errors["direct"].append(rmse_mev(direct.predict(structures[test]), energies[test]))
        errors["delta"].append(rmse_mev(predict_delta(delta, structures[test]), energies[test]))
    models[n_train] = {"direct": direct, "delta": delta}
    print(
        f"{n_train:3d} training trimers: test RMSE direct {errors['direct'][-1]:6.1f} meV, "
        f"delta {errors['delta'][-1]:6.1f} meV"
    )

# %%
# Along the equilateral triangle, with uncertainties
# --------------------------------------------------
# Equilateral Cu3 with sides from 1.6 to 3.1 Å, beyond the distances sampled at
# both ends, from the models trained on 50 trimers: EMT, both predictions and
# their 95 % bands (``predict(..., return_std=True)`` passes through the
# pipeline to the network). Where the trimer leaves the box of distances of the
# training set, the networks extrapolate: shaded. There the direct network's
# band widens to electronvolts; the delta model's stays narrow, the pair sum
# carrying the shape -- and at the long end misses EMT all the same: outside the
# data a band measures the fit, not the truth.
n_shown = 50
sides = np.linspace(1.6, 3.1, 61)
equilateral = [atoms_from_distances("Cu3", [r, r, r]) for r in sides]
emt_equilateral = AseEnergyTransformer("Cu3").fit_transform(np.repeat(sides[:, None], 3, 1))
shown = models[n_shown]
inside = shown["direct"][-1].in_training_domain(np.repeat(sides[:, None], 3, axis=1))
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ExtrapolationWarning)  # asked for on purpose
    curves = {
        "direct": shown["direct"].predict(equilateral, return_std=True),
        "delta": predict_delta(shown["delta"], equilateral, return_std=True),
    }
for name, (curve, std) in curves.items():
    print(
        f"{name:6s} ({n_shown} trimers), equilateral: |error| at most "
        f"{1e3 * np.abs(curve - emt_equilateral.ravel())[inside].max():.0f} meV and std at "
        f"most {1e3 * std[inside].max():.0f} meV inside the data, {1e3 * std[0]:.0f} meV "
        f"at 1.6 Å"
    )

# %%
# The figure
# ----------
fig, axes = plt.subplots(1, 3, figsize=(16, 4.6))
ax = axes[0]
ax.loglog(sizes, errors["direct"], "C0o-", label="direct: distances -> energy")
ax.loglog(sizes, errors["delta"], "C1s-", label="delta: pair sum + network")
ax.axhline(rmse_mev(baseline[test], energies[test]), color="0.4", ls=":",
           label="pair approximation alone")  # fmt: skip
ax.set(xlabel="training trimers", ylabel="test RMSE (meV)", xticks=sizes, ylim=(0.2, 1e4))
ax.set_xticklabels([str(n) for n in sizes])
ax.minorticks_off()
ax.set_title("Cu3, 200 test trimers")
ax.legend(loc="lower left")

ax = axes[1]
for start, stop in [(sides[0], sides[inside][0]), (sides[inside][-1], sides[-1])]:
    ax.axvspan(start, stop, color="0.85", zorder=0)
ax.axvspan(0, 0, color="0.85", label="extrapolation")
ax.plot(sides, emt_equilateral, "k.", label="EMT")
ax.plot(sides, pair_baseline.transform(equilateral), color="0.4", ls=":", label="sum of pairs")
for (name, (curve, std)), color in zip(curves.items(), ["C0", "C1"], strict=True):
    ax.plot(sides, curve, color=color, label=f"{name}, {n_shown} trimers")
    ax.fill_between(sides, curve - 1.96 * std, curve + 1.96 * std, color=color, alpha=0.25)
ax.set(xlim=(sides[0], sides[-1]), ylim=(-12, 4), xlabel="side of the equilateral Cu3 (Å)",
       ylabel="energy (eV)", title="equilateral Cu3 (bands: 95%)")  # fmt: skip
ax.legend(loc="upper right")

ax = axes[2]
direct, delta = shown["direct"], shown["delta"]
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ExtrapolationWarning)
    predictions = {
        "direct": direct.predict(structures[test]),
        "delta": predict_delta(delta, structures[test]),
    }
scatters = []
for (name, predicted), color in zip(predictions.items(), ["C0", "C1"], strict=True):
    parity = ParityDisplay.from_predictions(
        energies[test], predicted, unit="eV", ax=ax, scatter_kwargs={"color": color, "s": 10}
    )
    parity.scatter_.set_label(f"{name}: {parity.scatter_.get_label()}")
    scatters.append(parity.scatter_)
ax.legend(handles=[parity.line_, *scatters])  # the line y = x once
ax.set_title(f"200 test trimers, models of {n_shown} training trimers")
fig.tight_layout()
fig.savefig("plot_trimer.png", dpi=100)
