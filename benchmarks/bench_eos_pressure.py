"""Energies and stresses together: what the ACWF curves' pressures add to B0, code by code.

Data: the ACWF verification curves (Bosoni et al., Nat. Rev. Phys. 6, 45 (2024);
MIT, ``aiidateam/acwf-verification-scripts``) in ``../shared/data/acwf``, whose
``pressure_eV_A3`` is -trace(stress)/3 where the code reported a stress (abinit,
CASTEP, Quantum ESPRESSO, SIESTA, VASP: 4,300 curves of 7 points). Without that
folder the study is skipped (the bundled 300-curve sample is too small to say
anything per code).

For every curve with pressures, Birch-Murnaghan is fitted by
``skphys.eos.fit_many`` on the energies alone and on energies and pressures
together (the pressures' weight estimated per curve from the residuals). Per
code:

- the ratio SE(B0, E+P) / SE(B0, E only): what the stresses add;
- the fraction of curves whose two B0 differ by more than twice their combined
  standard error, ``|dB0| > 2 sqrt(se1^2 + se2^2)``;
- the pressures' residual standard deviation in the E+P fit (GPa), and, against
  ``-dE/dV`` of the E-only fit, their mean offset (a constant offset is the
  signature of Pulay stress: a basis that does not follow the cell) and their
  scatter about it (an unconverged stress);
- indicative only: the SE ratio once each curve's offset (taken from the E-only
  fit, so one parameter is not paid for) is removed from its pressures.

Run: ``python benchmarks/bench_eos_pressure.py`` (a few seconds).
"""

import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from ase.units import GPa

from skphys.datasets._acwf import READ_CSV_EXACT
from skphys.eos import fit_many
from skphys.functions import birch_murnaghan

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "acwf"
CURVE = ["code", "set", "crystal"]
COLUMNS = {"volume": "volume_A3", "energy": "energy_eV"}
SHORT = {"abinit-PseudoDojo-0.5b1-PBE-SR-standard-psp8": "abinit",
         "quantum_espresso-SSSP-1.3-PBE-precision": "quantum_espresso"}  # fmt: skip


def load():
    """The curves that carry pressures, or ``None`` without the shared folder."""
    path = SHARED / "curves.csv.gz"
    if not path.exists():
        return None
    curves = pd.read_csv(path, **READ_CSV_EXACT)
    return curves[curves.groupby(CURVE).pressure_eV_A3.transform("count") > 0]


def _timed(func):
    begin = time.perf_counter()
    value = func()
    return time.perf_counter() - begin, value


def _offsets(curves, energy_only):
    """Each curve's pressures against ``-dE/dV`` of its E-only fit: their mean
    (eV/Å^3, per point) and their scatter about it (GPa, per curve)."""
    fitted = curves.join(energy_only[["e0", "b0", "bp", "v0"]], on=CURVE)
    dE_dV = birch_murnaghan.partials(*(fitted[c].to_numpy() for c in
                                       ("volume_A3", "e0", "b0", "bp", "v0")))[0]  # fmt: skip
    residual = fitted.pressure_eV_A3 + dE_dV
    grouped = residual.groupby([fitted[c] for c in CURVE])
    per_point = grouped.transform("mean")
    return per_point, grouped.mean() / GPa, grouped.std() / GPa


def run(curves):
    """Both fits and the offset study; one row per curve."""
    seconds_e, energy_only = _timed(lambda: fit_many(curves, group=CURVE, **COLUMNS))
    seconds_p, both = _timed(lambda: fit_many(curves, group=CURVE, pressure="pressure_eV_A3",
                                              **COLUMNS))  # fmt: skip
    per_point, offset, scatter = _offsets(curves, energy_only)
    corrected = fit_many(curves.assign(pressure_eV_A3=curves.pressure_eV_A3 - per_point),
                         group=CURVE, pressure="pressure_eV_A3", **COLUMNS)  # fmt: skip
    fitted = (energy_only.status == "converged") & (both.status == "converged")
    combined = np.sqrt(energy_only.b0_stderr**2 + both.b0_stderr**2)
    table = pd.DataFrame({
        "short": energy_only.index.get_level_values("code").map(lambda c: SHORT.get(c, c)),
        "fitted": fitted,
        "refused": both.message.str.startswith("the pressures are not"),
        "se_ratio": both.b0_stderr / energy_only.b0_stderr,
        "disagree": (both.b0 - energy_only.b0).abs() > 2 * combined,
        "s_pressure_gpa": both.s_pressure / GPa,
        "offset_gpa": offset.reindex(both.index),
        "scatter_gpa": scatter.reindex(both.index),
        "weight_a6": both.pressure_weight,
        "se_ratio_offset_removed": np.where(corrected.status == "converged",
                                            corrected.b0_stderr / energy_only.b0_stderr, np.nan),
    })  # fmt: skip
    return {"curves": table, "seconds": (seconds_e, seconds_p)}


def summary(table):
    """One row per code (and 'all'): medians, quartiles and fractions."""

    def per_code(rows):
        done = rows[rows.fitted]
        q1, median, q3 = done.se_ratio.quantile([0.25, 0.5, 0.75])
        return pd.Series({
            "curves": len(rows), "fitted": len(done), "refused": int(rows.refused.sum()),
            "se_ratio_q1": q1, "se_ratio_median": median, "se_ratio_q3": q3,
            "b0_disagree": done.disagree.mean(),
            "s_pressure_gpa": done.s_pressure_gpa.median(),
            "offset_gpa": done.offset_gpa.median(),
            "scatter_gpa": done.scatter_gpa.median(),
            "weight_a6": done.weight_a6.median(),
            "se_ratio_offset_removed": np.nanmedian(done.se_ratio_offset_removed),
        })  # fmt: skip

    codes = {code: per_code(rows) for code, rows in table.groupby("short")}
    codes["all"] = per_code(table)
    return pd.DataFrame(codes).T


def print_table(result):
    """The study as a fixed-width table on standard output."""
    frame = summary(result["curves"])
    seconds_e, seconds_p = result["seconds"]
    n = int(frame.loc["all", "curves"])
    refused = int(frame.loc["all", "refused"])
    print(f"Birch-Murnaghan, {n} ACWF curves with stresses: E only {seconds_e:.2f} s, "
          f"E+P {seconds_p:.2f} s (fit_many); {refused} refused as pressures in another sign "
          "or unit")  # fmt: skip
    header = (f"{'code':<17}{'fitted':>7}{'SE(B0) E+P/E: median [q1, q3]':>32}"
              f"{'dB0>2se':>9}{'s_P GPa':>9}{'offset':>9}{'scatter':>9}{'w A^6':>10}"
              f"{'SE, offset off':>16}")  # fmt: skip
    print(header)
    print("-" * len(header))
    for code, r in frame.iterrows():
        ratio = f"{r.se_ratio_median:.3f} [{r.se_ratio_q1:.3f}, {r.se_ratio_q3:.3f}]"
        print(f"{code:<17}{int(r.fitted):>7}{ratio:>32}{100 * r.b0_disagree:>8.1f}%"
              f"{r.s_pressure_gpa:>9.4f}{r.offset_gpa:>+9.4f}{r.scatter_gpa:>9.4f}"
              f"{r.weight_a6:>10.3g}{r.se_ratio_offset_removed:>16.3f}")  # fmt: skip
    print("offset, scatter: the pressures against -dE/dV of the E-only fit (GPa, medians); "
          "'SE, offset off': indicative, the offset taken from the E-only fit")  # fmt: skip
    return frame


def rows(result=None):
    """The study as rows of the benchmark report (see ``benchmarks/run.py``)."""
    if result is None:
        curves = load()
        if curves is None:
            return [{"workload": "skipped: ../shared/data/acwf not found", "ours": "-",
                     "anchor": "-", "ratio": "-", "target": "-", "met": None}]  # fmt: skip
        result = run(curves)
    frame = summary(result["curves"])
    seconds_e, seconds_p = result["seconds"]
    overall = frame.loc["all"]
    out = [{
        "workload": f"Birch-Murnaghan on E+P, {int(overall.curves)} ACWF curves with stresses: "
                    "SE(B0) E+P / E only, median [quartiles]",
        "ours": f"{overall.se_ratio_median:.3f} [{overall.se_ratio_q1:.3f}, "
                f"{overall.se_ratio_q3:.3f}]; {int(overall.refused)} curves refused",
        "anchor": "E only", "ratio": "-", "target": "(reported)", "met": None,
    }]  # fmt: skip
    for code, r in frame.drop(index="all").iterrows():
        out.append({
            "workload": f"{code}: B0 apart by > 2 combined SE; pressure residual std (E+P); "
                        "offset and scatter against the E-only -dE/dV",
            "ours": f"{100 * r.b0_disagree:.1f} %; {r.s_pressure_gpa:.4f} GPa; "
                    f"{r.offset_gpa:+.4f} / {r.scatter_gpa:.4f} GPa",
            "anchor": "E-only fit", "ratio": f"SE ratio {r.se_ratio_median:.3f}",
            "target": "(reported)", "met": None,
        })  # fmt: skip
    out.append({
        "workload": "fit_many E+P (weights re-estimated per curve) against E only, time",
        "ours": f"{seconds_p:.2f} s", "anchor": f"E only {seconds_e:.3f} s",
        "ratio": f"{seconds_p / seconds_e:.1f}x the time", "target": "(reported)", "met": None,
    })  # fmt: skip
    return out


def main():
    curves = load()
    if curves is None:
        print(f"skipped: {SHARED} not found (the study needs the ACWF curves with stresses)")
        return 0
    print(f"reading {SHARED / 'curves.csv.gz'}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        print_table(run(curves))
    return 0


if __name__ == "__main__":
    sys.exit(main())
