"""Reading energy-volume data for the command line."""

from pathlib import Path

import numpy as np

from ._errors import CommandError

# Files ASE reads as structures with energies (anything else is read as a table).
ASE_SUFFIXES = {".traj", ".xyz", ".extxyz", ".db", ".json", ".cif", ".vasp", ".out"}


def read_table(path):
    """Two numeric columns from a CSV or whitespace-separated text file.

    Lines starting with ``#`` and one header line of column names are skipped.

    Parameters
    ----------
    path : str or pathlib.Path
        The file.

    Returns
    -------
    x : ndarray of shape (n,)
        First column.
    y : ndarray of shape (n,)
        Second column.
    """
    path = Path(path)
    if not path.is_file():
        raise CommandError(f"{path}: no such file")
    lines = [
        line.strip()
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not lines:
        raise CommandError(f"{path}: the file is empty")
    rows = [line.replace(",", " ").split() for line in lines]
    if not _numeric(rows[0]):
        rows = rows[1:]  # a header line
    if not rows:
        raise CommandError(f"{path}: a header but no data rows")
    for number, row in enumerate(rows, start=1):
        if len(row) < 2:
            raise CommandError(f"{path}: data row {number} has {len(row)} column(s), need 2")
        if not _numeric(row[:2]):
            raise CommandError(f"{path}: data row {number} is not numeric: {' '.join(row)!r}")
    data = np.array([[float(v) for v in row[:2]] for row in rows])
    if not np.all(np.isfinite(data)):
        raise CommandError(f"{path}: the table holds NaN or infinite values")
    return data[:, 0], data[:, 1]


def _numeric(values):
    try:
        [float(v) for v in values]
    except ValueError:
        return False
    return True


def read_volumes_energies(path):
    """Volumes (Å^3) and energies (eV) from a table or from structures ASE can read.

    Parameters
    ----------
    path : str or pathlib.Path
        A CSV/whitespace table (volume, energy), or a trajectory/extxyz file whose
        frames carry energies.

    Returns
    -------
    volumes : ndarray of shape (n,)
        Cell volumes, Å^3.
    energies : ndarray of shape (n,)
        Energies, eV.
    """
    path = Path(path)
    if path.suffix.lower() not in ASE_SUFFIXES:
        return read_table(path)
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
    return volumes, energies
