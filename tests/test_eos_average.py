"""skphys.eos.average_forms: every form, weighed by an information criterion."""

import numpy as np
import pandas as pd
import pytest
from ase.build import bulk
from ase.calculators.emt import EMT
from scipy import stats

from skphys.datasets import load_acwf_sample
from skphys.eos import FORMS, average_forms, fit_many


@pytest.fixture(scope="module")
def emt_scans():
    """EMT lattice scans of Cu, Al and Pt, 11 points over +-3 % in lattice constant."""
    rows = []
    for symbol, a0 in (("Cu", 3.61), ("Al", 4.05), ("Pt", 3.92)):
        for s in np.linspace(0.97, 1.03, 11):
            atoms = bulk(symbol, "fcc", a=a0 * s)
            atoms.calc = EMT()
            rows.append({"curve": symbol, "volume": atoms.get_volume(),
                         "energy": atoms.get_potential_energy()})  # fmt: skip
    return pd.DataFrame(rows)


@pytest.mark.parametrize("criterion", ["aicc", "bic"])
def test_weights_and_the_unconditional_interval(emt_scans, criterion):
    fits, averaged = average_forms(emt_scans, group="curve", criterion=criterion)
    assert set(fits.index.get_level_values("form")) == set(FORMS)
    np.testing.assert_allclose(fits.weight.groupby(level=0).sum(), 1.0, rtol=1e-12)
    # the best form carries the largest weight and the lowest criterion
    for curve, row in averaged.iterrows():
        per_form = fits.loc[curve]
        assert row.best_form == per_form[criterion].idxmin() == per_form.weight.idxmax()
        assert row.n_forms == len(FORMS)
    t = stats.t.ppf(0.975, 11 - 4)
    for name in ("b0", "v0", "bp"):
        # each form's fit, as fit_many gives it
        for form in FORMS:
            single = fit_many(emt_scans, form, group="curve")
            np.testing.assert_array_equal(fits.xs(form, level="form")[name], single[name])
        # unconditional error >= every form's weighted own error, and the interval
        # covers every form of weight >= 1 / t (|p_f - mean| <= stderr / w_f)
        for curve, row in averaged.iterrows():
            per_form = fits.loc[curve]
            assert row[f"{name}_stderr"] >= (per_form.weight * per_form[f"{name}_stderr"]).sum()
            heavy = per_form[per_form.weight >= 1 / t]
            inside = (heavy[name] >= row[f"{name}_low"]) & (heavy[name] <= row[f"{name}_high"])
            assert inside.all()
            assert row[f"{name}_spread"] == per_form[name].max() - per_form[name].min()


def test_a_curve_no_form_fits_is_reported(emt_scans):
    flat = pd.DataFrame({"curve": "flat", "volume": np.linspace(10, 12, 3), "energy": 0.0})
    fits, averaged = average_forms(pd.concat([emt_scans, flat]), group="curve")
    assert averaged.loc["flat", "n_forms"] == 0
    assert np.isnan(averaged.loc["flat", "b0"])
    assert (fits.loc["flat"].weight == 0).all()
    assert averaged.loc["Cu", "n_forms"] == len(FORMS)


def test_on_real_curves_and_bad_options():
    curves = load_acwf_sample()
    sample = curves[curves.code == "gpaw"]
    fits, averaged = average_forms(sample, ["murnaghan", "vinet"], group=["set", "crystal"],
                                   volume="volume_A3", energy="energy_eV")  # fmt: skip
    assert len(averaged) == sample.groupby(["set", "crystal"]).ngroups
    assert set(averaged.best_form) <= {"murnaghan", "vinet", ""}
    with pytest.raises(ValueError, match="criterion"):
        average_forms(sample, group="crystal", volume="volume_A3", energy="energy_eV",
                      criterion="aic")  # fmt: skip
    with pytest.raises(ValueError, match="form must be one of"):
        average_forms(sample, ["spline"], group="crystal", volume="volume_A3",
                      energy="energy_eV")  # fmt: skip
