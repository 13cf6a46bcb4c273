"""``skphys eos FILE --group-by COLUMNS`` and ``--eos all``: many curves, many forms.

The table is read as for one curve (columns by name, converted to eV and Å^3), the
group columns name the curves, and :func:`skphys.eos.fit_many` fits them all; with
``--eos all``, :func:`skphys.eos.average_forms` fits every form, weighs them by
AICc and averages their parameters. The tables go to standard output as CSV (or
JSON records).
"""

import json
import sys

import pandas as pd
from ase.units import GPa

from ..eos import average_forms, fit_many
from ._eos_pressure import refuse_if_all_inconsistent
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
    if args.group_by:
        groups = _group_columns(data, args.group_by, args.file)
    else:  # one curve: the file
        groups = {"file": [str(args.file)] * data.volumes.shape[0]}
    table = pd.DataFrame({**groups, "volume": data.volumes, "energy": data.energies})
    if args.eos == "all":
        return _print_all_forms(args, data, table, list(groups))
    n_atoms = None
    if data.n_atoms is not None:
        atoms = data.n_atoms
        table["n_atoms"] = atoms.astype(int) if (atoms == atoms.round()).all() else atoms
        n_atoms = "n_atoms"
    pressure, fitted = None, ""
    if data.pressures is not None:
        table["pressure"], pressure = data.pressures, "pressure"
        source = data.source["pressure"]
        fitted = (
            f"; pressures from column {source['column']!r} in {source['unit']} fitted with the "
            "energies: pressure_weight Å^6, s_energy eV, s_pressure eV/Å^3"
        )
    try:
        fits = fit_many(table, args.eos, group=list(groups), n_atoms=n_atoms, pressure=pressure)
    except ValueError as exc:
        raise CommandError(f"{args.file}: {exc}") from None
    if pressure is not None:
        refuse_if_all_inconsistent(fits, data.source["pressure"], args.file)
    if args.json:
        print(json.dumps(_records(fits), indent=2, default=_plain))
    else:
        print(f"# {args.eos} fits of {args.file}: e0 eV, b0 eV/Å^3, bp, v0 Å^3{fitted}"
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


def _print_all_forms(args, data, table, keys):
    try:
        fits, averaged = average_forms(table, group=keys, alpha=args.alpha)
    except ValueError as exc:
        raise CommandError(f"{args.file}: {exc}") from None
    level = f"{100 * (1 - args.alpha):g}%"
    if args.json:
        print(json.dumps({
            "fits": _records(fits), "averaged": _records(averaged),
            "confidence": 1 - args.alpha, "criterion": "aicc", "notes": data.notes,
        }, indent=2, default=_plain))  # fmt: skip
    else:
        print(f"# every form fitted to {args.file}: e0 eV, b0 eV/Å^3, bp, v0 Å^3; weights "
              "by AICc" + "".join(f"; {note}" for note in data.notes))  # fmt: skip
        columns = ["e0", "b0", "bp", "v0", "b0_stderr", "sse", "aicc", "weight", "status"]
        print(fits[columns].to_csv(), end="")
        b0 = averaged[["b0", "b0_stderr", "b0_low", "b0_high", "b0_spread"]] / GPa
        print(f"# model-averaged B0 in GPa ({level} interval, unconditional error), best form")
        print(pd.concat([b0.add_suffix("_gpa"), averaged[["best_form", "best_weight"]]],
                        axis=1).to_csv(), end="")  # fmt: skip
    sys.stdout.flush()
    bad = averaged.n_forms < len(fits.index.get_level_values("form").unique())
    if bad.any():
        print(f"skphys eos: on {int(bad.sum())} curve(s) some form did not converge "
              f"(exit status {UNPHYSICAL_FIT_STATUS})", file=sys.stderr)  # fmt: skip
        return UNPHYSICAL_FIT_STATUS
    return 0


def _records(frame):
    """A table as a list of dicts, every number at full precision."""
    return frame.reset_index().to_dict(orient="records")


def _plain(value):
    """numpy scalars for :func:`json.dumps`."""
    return value.item()
