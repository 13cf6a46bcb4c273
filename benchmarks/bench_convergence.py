"""How often the default fit recovers parameters drawn over physically wide ranges.

For each model, 1,000 problems from :func:`skphys._random_problems.draw_case` (EOS: B0
10-400 GPa, BP 3-7, V0 10-100 Å^3, E0 -1 to -1000 eV; 5 to 40 points spanning
3-10 % on each side of the minimum; noise 0 to 1 meV; pair potentials around
their wells). A fit counts as converged when its parameters are finite and within
six standard errors (at the known noise) of the truth, or the truth lies inside
the fit's likelihood-ratio region at the same level (see
:func:`skphys._random_problems.recovered`). The same problems go to
``ase.eos.EquationOfState`` (EOS forms) and to ``scipy.optimize.curve_fit``
without ``p0`` (it starts from ones).

Target (issue "Physics model family"): >= 99.5 % for every model.

Run: ``python benchmarks/bench_convergence.py [n_draws]``.
"""

import sys
import time
import warnings

import numpy as np
from ase.eos import EquationOfState
from scipy.optimize import curve_fit

from skphys import (
    AntonSchmidtRegressor,
    BirchMurnaghanRegressor,
    MurnaghanRegressor,
    PoirierTarantolaRegressor,
    VinetRegressor,
)
from skphys._random_problems import MODELS, N_UNIFORMS, draw_case, recovered

ASE_NAMES = {
    MurnaghanRegressor: "murnaghan",
    BirchMurnaghanRegressor: "birchmurnaghan",
    VinetRegressor: "vinet",
    PoirierTarantolaRegressor: "pouriertarantola",
    AntonSchmidtRegressor: "anton-schmidt",
}  # the forms ASE fits in the same parameters (its 'taylor' and 'sj' do not)


def _attempt(fit):
    """The parameters ``fit()`` returns, or None if it raises."""
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return np.asarray(fit(), dtype=float)
    except Exception:  # a failed fit of any kind counts as not converged
        return None


def _ase_fit(case):
    eos = EquationOfState(case.X[:, 0], case.y, eos=ASE_NAMES[case.model])
    eos.fit(warn=False)
    return eos.eos_parameters


def run(n_draws=1000, seed=0):
    """Count converged fits per model and method.

    Returns
    -------
    rows : list of dict
        One per model: counts for 'skphys', 'ase.eos' (or None), 'curve_fit', the
        number of draws and the time of our fits.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for model in MODELS:
        counts = {"skphys": 0, "ase.eos": 0 if model in ASE_NAMES else None, "curve_fit": 0}
        seconds = 0.0
        for _ in range(n_draws):
            case = draw_case(model, rng.random(N_UNIFORMS))
            start = time.perf_counter()
            ours = _attempt(lambda c=case: c.model().fit(c.X, c.y).params_)
            seconds += time.perf_counter() - start
            counts["skphys"] += ours is not None and recovered(ours, case)
            if model in ASE_NAMES:
                theirs = _attempt(lambda c=case: _ase_fit(c))
                counts["ase.eos"] += theirs is not None and recovered(theirs, case)
            function = case.model.physical_model.function
            plain = _attempt(
                lambda c=case, f=function: curve_fit(f, c.X[:, 0], c.y, maxfev=10000)[0]
            )
            counts["curve_fit"] += plain is not None and recovered(plain, case)
        rows.append({"model": model.__name__, "n": n_draws, "seconds": seconds, **counts})
    return rows


def report(rows):
    """Print the counts and whether the target is met."""
    print(f"{'model':<26}{'skphys':>10}{'ase.eos':>10}{'curve_fit':>11}  target >= 99.5 %")
    for r in rows:
        ase = "-" if r["ase.eos"] is None else f"{r['ase.eos']}"
        share = r["skphys"] / r["n"]
        print(
            f"{r['model']:<26}{r['skphys']:>10}{ase:>10}{r['curve_fit']:>11}  "
            f"{100 * share:.1f} % {'met' if share >= 0.995 else 'NOT MET'}"
            f"  ({1000 * r['seconds'] / r['n']:.1f} ms a fit)"
        )
    print(f"(out of {rows[0]['n']} draws per model; curve_fit without p0 starts from ones)")


def rows(results=None):
    """The counts as rows of the benchmark report (see ``benchmarks/run.py``)."""
    out = []
    for r in results or run():
        anchors = [f"curve_fit without p0 {r['curve_fit']}/{r['n']}"]
        if r["ase.eos"] is not None:
            anchors.insert(0, f"ase.eos {r['ase.eos']}/{r['n']}")
        out.append({
            "workload": f"{r['model']}: random problems recovered",
            "ours": f"{r['skphys']}/{r['n']}",
            "anchor": ", ".join(anchors),
            "ratio": f"{100 * r['skphys'] / r['n']:.1f} %",
            "target": ">= 99.5 %",
            "met": r["skphys"] / r["n"] >= 0.995,
        })  # fmt: skip
    return out


if __name__ == "__main__":
    report(run(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))
