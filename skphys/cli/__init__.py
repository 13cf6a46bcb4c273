"""The ``skphys`` command line: ``skphys eos``, ``skphys dimer`` and ``skphys demo``.

Every sub-command checks that it can write its outputs before it computes anything,
and reports bad input (missing, empty or non-numeric files, columns it cannot name,
too few points, an unknown calculator, an output it cannot write) as one line on
standard error and exit status 2, never as a traceback. ``skphys eos`` exits with
status 3 when its fit ends at unphysical parameters or does not converge, after
printing the numbers and the warnings.
"""

import argparse
import sys

from .. import __version__
from ._demo import add_demo_parser
from ._dimer import add_dimer_parser
from ._eos import add_eos_parser
from ._errors import CommandError


def build_parser():
    """The argument parser of the ``skphys`` command.

    Returns
    -------
    parser : argparse.ArgumentParser
        With one sub-parser per sub-command.
    """
    parser = argparse.ArgumentParser(
        prog="skphys",
        description="Physics-based regression for scikit-learn: fits, data and demos.",
    )
    parser.add_argument("--version", action="version", version=f"skphys {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_eos_parser(sub)
    add_dimer_parser(sub)
    add_demo_parser(sub)
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
        0 on success, 2 on bad input or an output that cannot be written (argparse
        exits with 2 on bad arguments too), 3 when ``skphys eos`` fits unphysical
        parameters or does not converge.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (CommandError, ValueError, TypeError, OSError) as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"skphys {args.command}: error: {message}", file=sys.stderr)
        return 2


__all__ = ["build_parser", "main"]
