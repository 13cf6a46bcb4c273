"""``skphys dimer SYMBOLS``: energies of a dimer from an ASE calculator, to CSV."""

import importlib

import numpy as np

from ..datasets import make_dimer_dataset
from ._errors import CommandError
from ._outputs import check_output_file


def add_dimer_parser(sub):
    """Register the ``dimer`` sub-command.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The sub-parsers of the ``skphys`` parser.
    """
    parser = sub.add_parser(
        "dimer",
        help="compute dimer energies with an ASE calculator and write them as CSV",
        description=(
            "Energies (eV, relative to the atoms 10 Å apart) of a dimer at random "
            "separations (Å), computed with an ASE calculator and written as CSV."
        ),
    )
    parser.add_argument("symbols", help="the dimer, e.g. Cu2 or CuAu")
    parser.add_argument("--n", type=int, default=300, help="number of separations (300)")
    parser.add_argument("--r-min", type=float, default=1.7, help="shortest separation, Å (1.7)")
    parser.add_argument("--r-max", type=float, default=3.0, help="longest separation, Å (3.0)")
    parser.add_argument(
        "--calculator",
        default="emt",
        help="'emt' (ASE's built-in EMT) or module:Class of an ASE calculator",
    )
    parser.add_argument("--cache", metavar="DB", help="ASE database (SQLite) of computed energies")
    parser.add_argument("--out", default="-", help="CSV file to write ('-': standard output)")
    parser.add_argument("--jobs", type=int, default=None, help="parallel calculator calls")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the separations")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    parser.set_defaults(func=run_dimer)


def resolve_calculator(spec):
    """``'emt'`` or an ASE calculator class named as ``module:Class``.

    Parameters
    ----------
    spec : str
        What the user typed.

    Returns
    -------
    calculator : str or type
        ``'emt'`` or a zero-argument factory (the class).
    """
    if spec == "emt":
        return spec
    if ":" not in spec:
        raise CommandError(f"unknown calculator {spec!r}: use 'emt' or module:Class")
    module_name, _, name = spec.partition(":")
    try:
        return getattr(importlib.import_module(module_name), name)
    except (ImportError, AttributeError) as exc:
        raise CommandError(f"cannot import calculator {spec!r}: {exc}") from exc


def run_dimer(args):
    """Run ``skphys dimer``.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed arguments.

    Returns
    -------
    status : int
        0 on success; 2 on bad input or an output that cannot be written (found
        before any energy is computed).
    """
    if args.n < 1:
        raise CommandError(f"--n must be a positive number of points, got {args.n}")
    # before any energy is computed: a bad path would waste them all
    check_output_file(args.out, "--out")
    check_output_file(args.cache, "--cache")
    X, y = make_dimer_dataset(
        args.symbols,
        args.n,
        r_min=args.r_min,
        r_max=args.r_max,
        calculator=resolve_calculator(args.calculator),
        random_state=args.seed,
        cache=args.cache,
        n_jobs=args.jobs,
        progress=not args.no_progress,
    )
    order = np.argsort(X[:, 0], kind="stable")
    table = np.column_stack([X[order, 0], y[order]])
    header = "distance_A,energy_eV"
    if args.out == "-":
        import sys

        np.savetxt(sys.stdout, table, delimiter=",", header=header, comments="", fmt="%.10g")
    else:
        np.savetxt(args.out, table, delimiter=",", header=header, comments="", fmt="%.10g")
    return 0
