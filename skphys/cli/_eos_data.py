"""An energy-volume file as arrays in eV and Å^3 (and eV/Å^3), with what was read and assumed.

:func:`read_eos_data` is the one place that decides which column is which and in
what unit; the ``eos`` command (and a later per-group fit) only sees
:class:`EOSData`.
"""

from dataclasses import dataclass, field

import numpy as np

from ._columns import find_column
from ._errors import CommandError
from ._io import is_structure_file, read_structures, read_table, split_names
from ._units import lookup_unit, supported, unit_from_option

# units of the arrays of EOSData
ENERGY_UNIT, VOLUME_UNIT, PRESSURE_UNIT = "eV", "Å^3", "eV/Å^3"


@dataclass
class EOSData:
    """Volumes and energies (and pressures) of one file, converted to Å^3 and eV.

    Attributes
    ----------
    volumes : ndarray of shape (n,)
        Volumes, Å^3.
    energies : ndarray of shape (n,)
        Energies, eV; NaN where a row has only a pressure.
    n_atoms : ndarray of shape (n,) or None
        Atoms per cell of each row, when the file or ``--n-atoms`` says.
    source : dict
        For each of 'volume', 'energy' (and 'pressure'): the column read
        (``None`` for a structure file) and the unit it was read in.
    notes : list of str
        What was assumed or overridden, one sentence each.
    names : list of str or None
        The header (or ``--columns``), for columns a later option may use.
    rows : list of list of str
        The table's cells as text (empty for a structure file).
    pressures : ndarray of shape (n,) or None
        Pressures ``-dE/dV``, eV/Å^3 (NaN where a row has none), when asked for.
    """

    volumes: np.ndarray
    energies: np.ndarray
    n_atoms: np.ndarray | None
    source: dict
    notes: list = field(default_factory=list)
    names: list | None = None
    rows: list = field(default_factory=list)
    pressures: np.ndarray | None = None


def read_eos_data(path, *, columns=None, volume_unit=None, energy_unit=None, n_atoms=None,
                  pressure=False, pressure_unit=None):  # fmt: skip
    """Read volumes and energies by column name and convert them to Å^3 and eV.

    Parameters
    ----------
    path : str or pathlib.Path
        A CSV/whitespace table with a header, or a structure file ASE reads.
    columns : str, default=None
        Comma-separated names of the table's columns in order (``'volume,energy'``);
        they replace the file's header, and are required when it has none.
    volume_unit, energy_unit : str, default=None
        Units that replace those the header states (see :mod:`skphys.cli._units`).
    n_atoms : int, default=None
        Atoms per cell, for every row.
    pressure : bool, default=False
        Read the pressure column too (converted to eV/Å^3); its unit must be
        stated, in its name or by ``pressure_unit``. Without it, a pressure column
        is only noted.
    pressure_unit : str, default=None
        Unit of the pressures, replacing the one the header states.

    Returns
    -------
    data : EOSData
        The converted arrays and what was assumed.
    """
    options = {
        "volume": None if volume_unit is None
        else unit_from_option("volume", volume_unit, "--volume-unit"),
        "energy": None if energy_unit is None
        else unit_from_option("energy", energy_unit, "--energy-unit"),
        "pressure": None if pressure_unit is None
        else unit_from_option("pressure", pressure_unit, "--pressure-unit"),
    }  # fmt: skip
    if n_atoms is not None and n_atoms < 1:
        raise CommandError(f"--n-atoms must be a positive number of atoms, got {n_atoms}")
    if pressure_unit is not None and not pressure:
        raise CommandError("--pressure-unit is the unit of the pressures --pressure fits; "
                           "give --pressure too")  # fmt: skip
    if is_structure_file(path):
        if pressure:
            raise CommandError(f"{path}: --pressure reads a pressure column of a table; a "
                               "structure file has none")  # fmt: skip
        data = _structure_data(path, columns, options)
    else:
        data = _table_data(path, columns, options, pressure)
    data.n_atoms = _checked_n_atoms(path, data.n_atoms, n_atoms, data.volumes.shape)
    return data


def _structure_data(path, columns, options):
    if columns is not None or any(options.values()):
        raise CommandError(
            f"{path}: a structure file has its volumes in Å^3 and energies in eV; "
            "--columns, --volume-unit and --energy-unit apply to tables only"
        )
    volumes, energies, counts = read_structures(path)
    source = {
        "volume": {"column": None, "unit": VOLUME_UNIT},
        "energy": {"column": None, "unit": ENERGY_UNIT},
    }
    return EOSData(volumes, energies, counts, source)


def _table_data(path, columns, options, pressure=False):
    table = read_table(path)
    names = table.names
    if columns is not None:
        names = split_names(columns)
        width = len(table.rows[0])
        if len(names) != width:
            raise CommandError(f"--columns names {len(names)} column(s) but {path} has {width}")
    if names is None:
        raise CommandError(
            f"{path}: no header line naming the columns; add one (e.g. "
            "'volume_A3,energy_eV') or give their order with --columns volume,energy"
        )
    data = EOSData(None, None, None, {}, names=names, rows=table.rows)
    for quantity in ("volume", "energy"):
        column = find_column(names, quantity, unit_given=options[quantity] is not None)
        if column is None:
            raise CommandError(
                f"{path}: no {quantity} column among {names}; name the columns "
                "volume and energy (with units, e.g. volume_A3,energy_eV), or give "
                "--columns"
            )
        unit, factor = _column_unit(quantity, column, options[quantity], data.notes)
        # with pressures, a point may have a pressure and no energy
        missing = pressure and quantity == "energy"
        values = table.column(column.index, repr(column.name), missing=missing) * factor
        data.source[quantity] = {"column": column.name, "unit": unit}
        if quantity == "volume":
            data.volumes = values
        else:
            data.energies = values
    if pressure:
        _read_pressures(path, table, names, options["pressure"], data)
    else:
        _note_pressure_column(names, data.notes)
    counts = find_column(names, "n_atoms")
    if counts is not None:
        data.n_atoms = table.column(counts.index, repr(counts.name))
    return data


def _read_pressures(path, table, names, option_unit, data):
    """The pressure column, in eV/Å^3, into ``data``; every row needs an energy or
    a pressure."""
    column = find_column(names, "pressure", unit_given=option_unit is not None)
    if column is None:
        raise CommandError(
            f"{path}: --pressure, but no pressure column among {names}; name it pressure or "
            "P with its unit (pressure_GPa, 'P (kbar)', pressure_eV_A3), or give --columns"
        )
    if not column.unit_text and option_unit is None:
        raise CommandError(
            f"column {column.name!r} states no unit, and pressures come in several "
            f"({supported('pressure')}): state it in the name (e.g. pressure_GPa) or with "
            "--pressure-unit"
        )
    unit, factor = _column_unit("pressure", column, option_unit, data.notes)
    data.pressures = table.column(column.index, repr(column.name), missing=True) * factor
    data.source["pressure"] = {"column": column.name, "unit": unit}
    empty = np.isnan(data.energies) & np.isnan(data.pressures)
    if empty.any():
        raise CommandError(
            f"{path}: data row {int(np.flatnonzero(empty)[0]) + 1} has neither an energy nor a "
            "pressure"
        )


def _note_pressure_column(names, notes):
    """Say that a pressure column is there and not fitted (a table may carry one for
    other reasons: what was fitted must not change silently with the columns)."""
    try:
        column = find_column(names, "pressure")
    except CommandError:  # several, or of an unknown unit: nothing to fit anyway
        return
    if column is not None:
        notes.append(f"column {column.name!r} not fitted; --pressure fits the pressures with "
                     "the energies")  # fmt: skip


def _column_unit(quantity, column, option_unit, notes):
    """The unit (display name, factor) of a column, noting what was assumed."""
    stated = lookup_unit(quantity, column.unit_text) if column.unit_text else None
    if option_unit is not None:
        if column.unit_text and (stated is None or stated[0] != option_unit[0]):
            notes.append(
                f"column {column.name!r} read in {option_unit[0]} as --{quantity}-unit "
                "says, not in the unit its name states"
            )
        return option_unit
    if stated is not None:
        return stated
    default = VOLUME_UNIT if quantity == "volume" else ENERGY_UNIT  # never a pressure's
    notes.append(
        f"column {column.name!r} states no unit: assumed {default} "
        f"(state it in the name, e.g. {quantity}_{'A3' if quantity == 'volume' else 'eV'}, "
        f"or with --{quantity}-unit; known: {supported(quantity)})"
    )
    return default, 1.0


def _checked_n_atoms(path, from_file, from_option, shape):
    """Atoms per cell of each row (whole positive numbers), or ``None``."""
    if from_file is None:
        return None if from_option is None else np.full(shape, float(from_option))
    if np.any(from_file < 1) or np.any(from_file != np.round(from_file)):
        raise CommandError(f"{path}: n_atoms must be positive whole numbers")
    if from_option is not None and np.any(from_file != from_option):
        raise CommandError(
            f"--n-atoms {from_option} disagrees with the file's n_atoms "
            f"({', '.join(f'{n:g}' for n in np.unique(from_file))})"
        )
    return from_file


def curve_n_atoms(n_atoms, label):
    """The one number of atoms of a curve's cells, or ``None`` when unknown.

    Parameters
    ----------
    n_atoms : ndarray of shape (n,) or None
        Atoms per cell of each row.
    label : str
        The curve (file name), for the message.

    Returns
    -------
    n_atoms : int or None
    """
    if n_atoms is None:
        return None
    if n_atoms.size and np.ptp(n_atoms) != 0:
        raise CommandError(
            f"{label}: the number of atoms changes within the curve "
            f"({n_atoms.min():g} to {n_atoms.max():g}); an equation of state is "
            "fitted to one kind of cell at a time"
        )
    return int(n_atoms[0])
