"""Benchmarks of the ASE energy transformer against a bare ASE loop, measured in one run.

(a) 300 Cu2 EMT energies on linspace(1.7, 3.0, 300) Å, relative to 10 Å:
    ``AseEnergyTransformer().fit_transform`` vs a bare ASE loop (one EMT
    instance, one ``Atoms`` per distance), median of interleaved rounds.
(b) The same with the SQLite cache: a first run (computes and writes 301 rows)
    and a second run (reads them, computes nothing); and the cost per row of
    writing in one transaction per batch vs one per row.
(c) 300 energies from a calculator costing ~10 ms a call (EMT plus a sleep):
    serial vs ``n_jobs=2`` (joblib's loky processes, already started), speed-up.

Targets (issue 4): (a) at most 1.3x the bare loop; (b) the second run computes
nothing; a batch costs well under one transaction per row.

Run: ``python benchmarks/bench_ase.py``.
"""

import tempfile
import time
from pathlib import Path

import numpy as np
from ase import Atoms
from ase.calculators.emt import EMT

from skphys._atoms._cache import EnergyCache, geometry_key
from skphys._atoms._delayed_emt import DelayedEMT
from skphys.atoms import AseEnergyTransformer, compute_energies

R = np.linspace(1.7, 3.0, 300)


def bare_ase_loop():
    """Cu2 EMT energies (eV) relative to 10 Å, the way one writes it with ASE alone."""
    calc = EMT()

    def energy(r):
        atoms = Atoms("Cu2", positions=[[0, 0, 0], [r, 0, 0]])
        atoms.calc = calc
        return atoms.get_potential_energy()

    reference = energy(10.0)
    return np.array([energy(r) - reference for r in R])


def ours():
    return AseEnergyTransformer("Cu2").fit_transform(R[:, None]).ravel()


def timed(func):
    start = time.perf_counter()
    out = func()
    return time.perf_counter() - start, out


def interleaved_medians(funcs, rounds=9):
    """Median time (s) of each function, run alternately so that load hits all alike."""
    times = {name: [] for name in funcs}
    for _ in range(rounds):
        for name, func in funcs.items():
            times[name].append(timed(func)[0])
    return {name: float(np.median(t)) for name, t in times.items()}


def bench_serial():
    assert np.allclose(ours(), bare_ase_loop(), rtol=0, atol=1e-12)
    t = interleaved_medians({"bare": bare_ase_loop, "ours": ours})
    print("(a) 300 Cu2 EMT energies, serial, no cache")
    print(f"    bare ASE loop            {t['bare'] * 1e3:8.1f} ms")
    print(f"    AseEnergyTransformer     {t['ours'] * 1e3:8.1f} ms   "
          f"ratio {t['ours'] / t['bare']:.2f}x (target <= 1.3x)")
    return t


def bench_cache(bare, folder):
    firsts, seconds = [], []
    for k in range(3):
        cache = folder / f"cu2_{k}.db"

        def run(cache=cache):
            return AseEnergyTransformer("Cu2", cache=cache).fit_transform(R[:, None]).ravel()

        first, e1 = timed(run)
        second, e2 = timed(run)
        assert np.array_equal(e1, e2)
        firsts.append(first)
        seconds.append(second)
    _, stats = compute_energies("Cu2", R[:, None], cache=folder / "cu2_0.db")
    print("(b) the same with the SQLite cache (ase.db), median of 3 fresh files")
    print(f"    first run (301 computed + written) {np.median(firsts) * 1e3:8.1f} ms   "
          f"{np.median(firsts) / bare:.2f}x the bare loop")
    print(f"    second run (all read)              {np.median(seconds) * 1e3:8.1f} ms   "
          f"{np.median(seconds) / bare:.2f}x the bare loop; {stats.calculator_calls} "
          f"calculator calls, {stats.cache_hits} cache hits")
    per_row_batch, per_row_single = write_cost_per_row(folder)
    print(f"    write, one transaction per batch   {per_row_batch * 1e3:8.2f} ms a row")
    print(f"    write, one transaction per row     {per_row_single * 1e3:8.2f} ms a row")
    return np.median(firsts), np.median(seconds), stats


def write_cost_per_row(folder, n_rows=100):
    identity = '{"benchmark": true}'
    # energies only (no forces), as an energy-only request writes them
    rows = [(["Cu", "Cu"], np.array([r]), geometry_key(["Cu", "Cu"], [r], identity), -float(r),
             None) for r in np.linspace(1.7, 3.0, n_rows)]  # fmt: skip
    batch = EnergyCache(folder / "batch.db", identity)
    t_batch, _ = timed(lambda: batch.write(rows))
    single = EnergyCache(folder / "single.db", identity)
    t_single, _ = timed(lambda: [single.write([row]) for row in rows])
    return t_batch / n_rows, t_single / n_rows


def bench_parallel():
    X = R[:, None]
    slow = DelayedEMT(delay=0.01)
    compute_energies("Cu2", X[:4], slow, n_jobs=2)  # start the worker processes
    serial, e_serial = timed(lambda: compute_energies("Cu2", X, slow)[0])
    parallel, e_parallel = timed(lambda: compute_energies("Cu2", X, slow, n_jobs=2)[0])
    assert np.array_equal(e_serial, e_parallel)
    print("(c) 300 energies at ~10 ms a call (EMT + 10 ms sleep)")
    print(f"    serial                   {serial:8.2f} s")
    print(f"    n_jobs=2 (loky)          {parallel:8.2f} s   speed-up {serial / parallel:.2f}x")
    return serial, parallel


def main():
    """Run every measurement, print it, and return the rows of the benchmark report."""
    serial = bench_serial()
    bare = serial["bare"]
    with tempfile.TemporaryDirectory() as folder:
        first, second, stats = bench_cache(bare, Path(folder))
    slow_serial, slow_parallel = bench_parallel()
    return [
        {"workload": "300 Cu2 EMT energies, serial", "ours": f"{serial['ours'] * 1e3:.0f} ms",
         "anchor": f"bare ASE loop {bare * 1e3:.0f} ms",
         "ratio": f"{serial['ours'] / bare:.2f}x the time", "target": "<= 1.3x",
         "met": serial["ours"] / bare <= 1.3},
        {"workload": "300 energies, SQLite cache, second run",
         "ours": f"{second * 1e3:.0f} ms ({stats.cache_hits} hits, "
                 f"{stats.calculator_calls} calls)",
         "anchor": f"first run {first * 1e3:.0f} ms; bare loop {bare * 1e3:.0f} ms",
         "ratio": f"{second / bare:.2f}x the bare loop", "target": "computes nothing",
         "met": stats.calculator_calls == 0},
        {"workload": "300 energies at ~10 ms a call, n_jobs=2",
         "ours": f"{slow_parallel:.2f} s", "anchor": f"serial {slow_serial:.2f} s",
         "ratio": f"{slow_serial / slow_parallel:.2f}x speed-up", "target": "(reported)",
         "met": None},
    ]  # fmt: skip


def rows():
    """The rows of the benchmark report (see ``benchmarks/run.py``)."""
    return main()


if __name__ == "__main__":
    main()
