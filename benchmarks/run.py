"""Run every benchmark in one process and write ``benchmarks/RESULTS.md``.

Each benchmark module measures skphys and its anchor in the same run and returns
rows: the workload, our time and quality, the anchor's, the ratio and the target.
The machine is shared and noisy: ratios measured together are what to compare,
not the absolute times.

Run: ``python benchmarks/run.py`` (about 15 minutes on 2 cores).
"""

import datetime
import platform
import sys
import warnings
from pathlib import Path

import bench_ase
import bench_convergence
import bench_core
import bench_coverage
import bench_eos
import bench_eos_pressure
import bench_gradients
import bench_mlp
import bench_nist

SECTIONS = [
    ("Fitting core (issue: foundation)", bench_core),
    ("TanhMLPRegressor against MLPRegressor (issue: tanh networks)", bench_mlp),
    ("ASE energies (issue: ASE transformer)", bench_ase),
    ("Convergence over 1,000 random problems per model (issue: model family)",
     bench_convergence),
    ("Equations of state at scale, ACWF curves (issue: EOS at scale)", bench_eos),
    ("Energies and stresses together, ACWF curves (issue: derivatives)", bench_eos_pressure),
    ("NIST StRD nonlinear regression, 54 cases (issue: certified accuracy)", bench_nist),
    ("Values with their derivatives: forces and pressures (issue: derivatives)",
     bench_gradients),
    ("Coverage of intervals on deterministic and noisy data (issue: intervals)",
     bench_coverage),
]  # fmt: skip


def markdown(sections):
    """The report: one table, a row per workload."""
    import numpy
    import scipy
    import sklearn

    import skphys

    lines = [
        "# Benchmark results",
        "",
        f"Measured by `python benchmarks/run.py` on {datetime.date.today()}, "
        f"{platform.machine()}, Python {platform.python_version()}, numpy "
        f"{numpy.__version__}, scipy {scipy.__version__}, scikit-learn "
        f"{sklearn.__version__}, skphys {skphys.__version__}. Each row compares skphys "
        "with its anchor measured in the same run.",
        "",
        "| workload | skphys | anchor | ratio | target | met |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for title, rows in sections:
        lines.append(f"| **{title}** | | | | | |")
        for r in rows:
            met = {True: "yes", False: "**no**", None: "-"}[r["met"]]
            lines.append(
                f"| {r['workload']} | {r['ours']} | {r['anchor']} | {r['ratio']} | "
                f"{r['target']} | {met} |"
            )
    return "\n".join(lines) + "\n"


def main():
    measured = []
    for title, module in SECTIONS:
        print(f"== {title}", flush=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            measured.append((title, module.rows()))
    path = Path(__file__).with_name("RESULTS.md")
    path.write_text(markdown(measured), encoding="utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
