"""The ``skphys`` command line: ``skphys eos``, ``skphys dimer`` and ``skphys demo``.

Every sub-command reports bad input (missing, empty or non-numeric files, too few
points, an unknown calculator) as one line on standard error and exit status 2,
never as a traceback.
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
        0 on success, 2 on bad input (argparse exits with 2 on bad arguments too).
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
