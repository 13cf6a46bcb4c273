"""Reading the tables and structure files the command line fits.

:func:`read_table` returns a table's header and cells as text; which column is
which is decided by name in :mod:`skphys.cli._columns`.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._errors import CommandError

# Files ASE reads as structures with energies (anything else is read as a table).
ASE_SUFFIXES = {".traj", ".xyz", ".extxyz", ".db", ".json", ".cif", ".vasp", ".out"}


@dataclass(frozen=True)
class Table:
    """The header and the cells of a text table.

    Attributes
    ----------
    path : pathlib.Path
        The file.
    names : list of str or None
        The column names, ``None`` when the file has no header.
    rows : list of list of str
        The data rows, each with as many cells as the first.
    """

    path: Path
    names: list | None
    rows: list

    def column(self, index, label, *, missing=False):
        """Column ``index`` as finite floats, else a :class:`CommandError`.

        Parameters
        ----------
        index : int
            Position of the column.
        label : str
            How to name the column in a message.
        missing : bool, default=False
            Whether a cell may be empty or NaN (read as NaN): a point without a
            pressure, or a pressure without an energy.

        Returns
        -------
        values : ndarray of shape (n_rows,)
        """
        values = []
        for number, row in enumerate(self.rows, start=1):
            try:
                values.append(np.nan if missing and not row[index] else float(row[index]))
            except ValueError:
                raise CommandError(
                    f"{self.path}: data row {number} is not numeric in column {label}: "
                    f"{' '.join(row)!r}"
                ) from None
        values = np.array(values)
        if missing and not np.isinf(values).any():
            return values
        if not np.all(np.isfinite(values)):
            raise CommandError(f"{self.path}: column {label} holds NaN or infinite values")
        return values


def read_table(path):
    """The header and cells of a CSV or whitespace-separated text file.

    The header is the first line that is not a comment (``#``) when it is not all
    numbers; failing that, the last comment line before the data with as many
    names as the data has columns (``np.savetxt(..., header='volume energy')``
    writes such a line). Data cells are separated by commas and/or white space
    (a comma-separated row with an empty cell, ``15.2,,0.01``, keeps it empty, in
    its place); header names by commas, tabs or, failing both, white space (a
    bracketed unit such as ``volume (A^3)`` stays with its name).

    Parameters
    ----------
    path : str or pathlib.Path
        The file.

    Returns
    -------
    table : Table
        Its header (``None`` when it has none) and data rows.
    """
    path = Path(path)
    if not path.is_file():
        raise CommandError(f"{path}: no such file")
    lines = [
        line.strip()
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
        if line.strip()
    ]
    comments = []
    while lines and lines[0].startswith("#"):
        comments.append(lines.pop(0).lstrip("#").strip())
    lines = [line for line in lines if not line.startswith("#")]
    if not lines:
        raise CommandError(f"{path}: the file is empty")
    names = None
    if not _numeric(_cells(lines[0])):
        names, lines = split_names(lines[0]), lines[1:]
    if not lines:
        raise CommandError(f"{path}: a header but no data rows")
    rows = [_cells(line) for line in lines]
    width = len(names) if names is not None else len(rows[0])
    for number, row in enumerate(rows, start=1):
        if len(row) != width and len(_comma_cells(lines[number - 1])) == width:
            # a CSV row with empty cells ('a,,b'): each empty cell kept in its place
            rows[number - 1] = row = _comma_cells(lines[number - 1])
        if len(row) != width:
            raise CommandError(
                f"{path}: data row {number} has {len(row)} column(s), "
                f"{'the header names' if names is not None else 'the first row has'} {width}"
            )
    if names is None:
        fitting = [split_names(c) for c in comments if c and len(split_names(c)) == width]
        names = fitting[-1] if fitting else None
    return Table(path, names, rows)


def split_names(line):
    """Column names of a header line.

    Parameters
    ----------
    line : str
        The line, without a leading ``#``.

    Returns
    -------
    names : list of str
    """
    for separator in (",", "\t", ";"):
        if separator in line:
            return [name.strip().strip("\"'") for name in line.split(separator)]
    names = []
    for token in line.split():
        # 'volume (A^3)': the bracketed unit belongs to the name before it
        if names and token[0] in "([":
            names[-1] = f"{names[-1]} {token}"
        else:
            names.append(token.strip("\"'"))
    return names


def _cells(line):
    return line.replace(",", " ").replace(";", " ").split()


def _comma_cells(line):
    """The cells of a comma-separated line, empty ones as ''."""
    return [cell.strip() for cell in line.split(",")] if "," in line else []


def _numeric(values):
    try:
        [float(v) for v in values]
    except ValueError:
        return False
    return True


def read_structures(path):
    """Volumes (Å^3), energies (eV) and atom counts of the frames ASE reads.

    Parameters
    ----------
    path : str or pathlib.Path
        A trajectory, extxyz or other file ASE reads, whose frames carry energies.

    Returns
    -------
    volumes : ndarray of shape (n,)
        Cell volumes, Å^3.
    energies : ndarray of shape (n,)
        Energies, eV.
    n_atoms : ndarray of shape (n,)
        Atoms in each frame.
    """
    path = Path(path)
    if not path.is_file():
        raise CommandError(f"{path}: no such file")
    import ase.io

    try:
        frames = ase.io.read(path, index=":")
    except Exception as exc:  # ASE raises many types for unreadable files
        raise CommandError(f"{path}: ASE cannot read it ({type(exc).__name__}: {exc})") from exc
    if not frames:
        raise CommandError(f"{path}: no structures in the file")
    try:
        energies = np.array([atoms.get_potential_energy() for atoms in frames])
    except Exception as exc:
        raise CommandError(f"{path}: the structures carry no energies") from exc
    volumes = np.array([atoms.get_volume() for atoms in frames])
    n_atoms = np.array([len(atoms) for atoms in frames], dtype=float)
    return volumes, energies, n_atoms


def is_structure_file(path):
    """Whether ``path`` is read by ASE (by its suffix) rather than as a table."""
    return Path(path).suffix.lower() in ASE_SUFFIXES
