"""``skphys eos FILE``: fit an equation of state to energy-volume data."""

import json

import numpy as np
from ase.units import GPa

from .._models._eos import BirchMurnaghanRegressor, MurnaghanRegressor, VinetRegressor
from ._errors import CommandError
from ._io import read_volumes_energies

# Equation-of-state forms the command offers, by name.
EOS_FORMS = {
    "murnaghan": MurnaghanRegressor,
    "birch-murnaghan": BirchMurnaghanRegressor,
    "vinet": VinetRegressor,
}


def add_eos_parser(sub):
    """Register the ``eos`` sub-command.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The sub-parsers of the ``skphys`` parser.
    """
    parser = sub.add_parser(
        "eos",
        help="fit an equation of state to volume (Å^3) and energy (eV) data",
        description=(
            "Fit an equation of state to a CSV or whitespace table of volume (Å^3) and "
            "energy (eV), or to an ASE trajectory/extxyz file whose frames carry "
            "energies. Prints E0, V0, B (GPa) and B' with intervals."
        ),
    )
    parser.add_argument("file", help="table (volume, energy) or ASE trajectory/extxyz file")
    parser.add_argument("--eos", choices=sorted(EOS_FORMS), default="murnaghan", help="form")
    parser.add_argument(
        "--alpha", type=float, default=0.05, help="1 - coverage of the intervals (0.05: 95%%)"
    )
    parser.add_argument("--plot", metavar="PNG", help="save a plot of the fit to this file")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(func=run_eos)


def fit_report(eos, alpha):
    """The fitted quantities with standard errors and intervals, in display units.

    Parameters
    ----------
    eos : MurnaghanRegressor
        A fitted equation of state.
    alpha : float
        One minus the coverage of the intervals.

    Returns
    -------
    report : dict
        ``{name: {"value", "stderr", "interval", "unit"}}`` for E0 (eV), V0 (Å^3),
        B (GPa) and BP (dimensionless).
    """
    intervals = eos.confidence_intervals(alpha)
    index = {name: i for i, name in enumerate(eos.param_names_)}
    scale = {"E0": 1.0, "V0": 1.0, "B0": 1.0 / GPa, "BP": 1.0}
    shown = {"E0": ("E0", "eV"), "V0": ("V0", "Å^3"), "B0": ("B", "GPa"), "BP": ("BP", "")}
    report = {}
    for name in ("E0", "V0", "B0", "BP"):
        i, factor = index[name], scale[name]
        label, unit = shown[name]
        report[label] = {
            "value": float(eos.params_[i] * factor),
            "stderr": float(eos.perr_[i] * factor),
            "interval": [float(v * factor) for v in intervals[i]],
            "unit": unit,
        }
    return report


def run_eos(args):
    """Run ``skphys eos``.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed arguments.

    Returns
    -------
    status : int
        0 on success.
    """
    if not 0 < args.alpha < 1:
        raise CommandError(f"--alpha must lie in (0, 1), got {args.alpha}")
    volumes, energies = read_volumes_energies(args.file)
    n_params = len(EOS_FORMS[args.eos].physical_model.names)
    if volumes.size <= n_params:
        raise CommandError(
            f"{args.file}: {volumes.size} points; an equation of state with {n_params} "
            f"parameters needs at least {n_params + 1}"
        )
    if np.any(volumes <= 0):
        raise CommandError(f"{args.file}: volumes must be positive (Å^3)")
    X = volumes.reshape(-1, 1)
    eos = EOS_FORMS[args.eos]().fit(X, energies)
    report = fit_report(eos, args.alpha)
    sse = float(np.sum((eos.predict(X) - energies) ** 2))
    if args.plot:
        _save_plot(eos, X, energies, args.plot)
    if args.json:
        print(
            json.dumps(
                {
                    "file": str(args.file),
                    "eos": args.eos,
                    "n_points": int(volumes.size),
                    "confidence": 1 - args.alpha,
                    "parameters": report,
                    "sse_eV2": sse,
                    "plot": args.plot,
                },
                indent=2,
            )
        )
        return 0
    level = f"{100 * (1 - args.alpha):g}%"
    print(f"{args.eos} equation of state fitted to {args.file} ({volumes.size} points)")
    for label, entry in report.items():
        low, high = entry["interval"]
        print(
            f"  {label:<3}= {entry['value']:<14.8g} ± {entry['stderr']:<10.3g} "
            f"{level} interval [{low:.8g}, {high:.8g}] {entry['unit']}"
        )
    print(f"  SSE = {sse:.4g} eV^2")
    if args.plot:
        print(f"  plot written to {args.plot}")
    return 0


def _save_plot(eos, X, y, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..plotting import EOSDisplay

    display = EOSDisplay.from_estimator(eos, X, y)
    display.figure_.savefig(path, dpi=100)
    plt.close(display.figure_)
