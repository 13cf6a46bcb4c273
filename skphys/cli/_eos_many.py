"""``skphys eos FILE --group-by COLUMNS``: every curve of a long table, fitted together.

The table is read as for one curve (columns by name, converted to eV and Å^3), the
group columns name the curves, and :func:`skphys.eos.fit_many` fits them all; the
table of fits goes to standard output as CSV (or JSON records).
"""

import sys

import pandas as pd

from ..eos import fit_many
from ._errors import CommandError
from ._io import split_names
from ._notes import UNPHYSICAL_FIT_STATUS


def _group_columns(data, group_by, label):
    names = data.names or []
    keys = split_names(group_by)
    missing = [key for key in keys if key not in names]
    if missing:
        raise CommandError(f"{label}: no column {missing} to group by among {names}")
    if not data.rows:
        raise CommandError(f"{label}: --group-by needs a table with named columns")
    return {key: [row[names.index(key)] for row in data.rows] for key in keys}


def run_eos_many(args, data):
    """Fit every curve of the table and print the table of fits.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed arguments of ``skphys eos`` (``group_by`` set).
    data : EOSData
        The file, read and converted.

    Returns
    -------
    status : int
        0 when every curve converged; 3 when some did not or ended at unphysical
        parameters (the table is printed all the same, with the reason per curve).
    """
    groups = _group_columns(data, args.group_by, args.file)
    table = pd.DataFrame({**groups, "volume": data.volumes, "energy": data.energies})
    n_atoms = None
    if data.n_atoms is not None:
        atoms = data.n_atoms
        table["n_atoms"] = atoms.astype(int) if (atoms == atoms.round()).all() else atoms
        n_atoms = "n_atoms"
    try:
        fits = fit_many(table, args.eos, group=list(groups), n_atoms=n_atoms)
    except ValueError as exc:
        raise CommandError(f"{args.file}: {exc}") from None
    if args.json:
        print(fits.reset_index().to_json(orient="records", indent=2))
    else:
        print(f"# {args.eos} fits of {args.file}: e0 eV, b0 eV/Å^3, bp, v0 Å^3"
              + "".join(f"; {note}" for note in data.notes))  # fmt: skip
        print(fits.to_csv(), end="")
    sys.stdout.flush()
    bad = fits.status != "converged"
    if bad.any():
        print(
            f"skphys eos: {int(bad.sum())} of {len(fits)} curves did not converge or ended at "
            f"unphysical parameters (see their status and message; exit status "
            f"{UNPHYSICAL_FIT_STATUS})",
            file=sys.stderr,
        )
        return UNPHYSICAL_FIT_STATUS
    return 0
