"""The ``skphys`` command line."""

import argparse
import sys

from . import __version__


def _demo(args):
    from ._eos import MurnaghanRegressor
    from .datasets import load_murnaghan_example

    X, y = load_murnaghan_example(return_X_y=True)
    eos = MurnaghanRegressor().fit(X, y)
    print("Murnaghan equation of state fitted to the bundled DFT table (28 points)\n")
    print(eos.summary())
    low, high = eos.confidence_intervals()[1] / eos.b0_ * eos.bulk_modulus_gpa_
    print(
        f"\nBulk modulus B0 = {eos.bulk_modulus_gpa_:.4f} GPa "
        f"(95% interval {low:.4f} to {high:.4f} GPa)"
    )
    return 0


def build_parser():
    """The argument parser of the ``skphys`` command.

    Returns
    -------
    parser : argparse.ArgumentParser
    """
    parser = argparse.ArgumentParser(
        prog="skphys",
        description="Physics-based regression for scikit-learn: fits and demos.",
    )
    parser.add_argument("--version", action="version", version=f"skphys {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run the main demonstration")
    demo.set_defaults(func=_demo)
    return parser


def main(argv=None):
    """Run the ``skphys`` command.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments; ``None`` reads ``sys.argv``.

    Returns
    -------
    status : int
        Exit status (0 on success, 2 on bad input).
    """
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
