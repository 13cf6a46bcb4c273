"""Energies and forces kept in an ASE database (SQLite), keyed on symbols, geometry, calculator.

A row holds the energy, and the forces when they were asked for. Rows are only
ever added: forces asked for a geometry cached without them come in a new row
with the same key, which supersedes the old one when read (rows are read in order
of their id), so files written before forces were cached keep working.
"""

import contextlib
import hashlib
import json
import os
import sqlite3
import uuid
from pathlib import Path
from types import MappingProxyType

import ase.db
import numpy as np
from ase.calculators.singlepoint import SinglePointCalculator

from ._geometry import atoms_from_distances

#: Distances enter the cache key rounded to this many decimals of an Å (1e-10 Å).
CACHE_DISTANCE_DECIMALS = 10

_KEY = "skphys_key"
_METADATA = "skphys_energy_cache"
_FORMAT = 1

# Energies and forces already read in this process, per file (path and the random
# id in its metadata): a pipeline refitted by GridSearchCV opens the same cache
# hundreds of times, and then reads only the rows added since (rows are never
# changed).
_READ = {}


def geometry_key(symbols, distances, identity):
    """The cache key of one geometry: a hash of symbols, rounded distances, calculator.

    Parameters
    ----------
    symbols : list of str
        One symbol per atom.
    distances : ndarray of shape (n_pairs,)
        Interatomic distances in atom order, Å; rounded to
        ``CACHE_DISTANCE_DECIMALS`` decimals.
    identity : str
        The calculator's name, class and parameters (canonical JSON).

    Returns
    -------
    key : str
        ``'k'`` and a SHA-256 hex digest (the prefix keeps ASE from reading a
        number into it).
    """
    rounded = [f"{d:.{CACHE_DISTANCE_DECIMALS}f}" for d in distances]
    text = json.dumps([symbols, rounded, identity])
    return "k" + hashlib.sha256(text.encode()).hexdigest()


def _sqlite_tables(path):
    """Tables of an existing SQLite file, opened read-only; ValueError if not SQLite."""
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    try:
        # closing(): a connection's own `with` ends a transaction, not the connection.
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as con:
            rows = con.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
    except sqlite3.DatabaseError as exc:
        raise ValueError(
            f"cache file {path!r} is not an ASE database (SQLite says: {exc}); "
            "it is left untouched: pass another path"
        ) from None
    return {name for (name,) in rows}


@contextlib.contextmanager
def _connected(db):
    """One connection for a block of calls on the ASE database ``db``, always closed.

    ASE's ``with db:`` commits (or rolls back) and closes its connection, but skips
    the close when the commit fails. Outside such a block, every call opens a
    connection of its own, which some ASE versions (3.29) never close and leave to
    the garbage collector, in worker processes as well.
    """
    try:
        with db:
            yield db
    finally:
        if db.connection is not None:  # the commit or rollback raised
            db.connection.close()
            db.connection = None


class EnergyCache:
    """An ASE database (SQLite) of total energies and forces, bound to one calculator.

    The file's metadata records the calculator; a file that is not an ASE
    database, an ASE database that skphys did not write, or a cache of another
    calculator raises ValueError and is never written to. Rows are written in
    batches, one transaction per batch. SQLite's own locking serialises writers,
    so ASE's lock file (which a killed run would leave behind) is not used.

    Parameters
    ----------
    path : str or os.PathLike
        The database file; created if missing.
    identity : str
        The calculator's name, class and parameters (canonical JSON).
    """

    def __init__(self, path, identity):
        self.path = os.path.abspath(os.fspath(path))
        self.identity = identity
        if not os.path.isdir(os.path.dirname(self.path)):
            raise FileNotFoundError(
                f"the folder of cache file {self.path!r} does not exist; make it first"
            )
        is_new = not os.path.exists(self.path) or os.path.getsize(self.path) == 0
        if not is_new and "systems" not in _sqlite_tables(self.path):
            raise ValueError(
                f"cache file {self.path!r} is an SQLite file but not an ASE database; "
                "it is left untouched: pass another path"
            )
        # Opens no connection: each method opens one and closes it (_connected).
        self._db = ase.db.connect(self.path, type="db", use_lock_file=False)
        with _connected(self._db):
            self.file_id = self._bind()

    def _bind(self):
        """Check or write the file's metadata; return the file's random id.

        Called inside ``_connected(self._db)``: reading, counting and writing the
        metadata share one connection.
        """
        wanted = {"format": _FORMAT, "decimals": CACHE_DISTANCE_DECIMALS,
                  "calculator": self.identity}
        # Counting first reads the metadata on this connection: ASE 3.23 reads it on
        # a connection of its own, never closed, if asked for it first.
        n_rows = self._db.count()
        metadata = self._db.metadata
        found = metadata.get(_METADATA)
        if found is None:
            if n_rows > 0:
                raise ValueError(
                    f"cache file {self.path!r} is an ASE database that skphys did not "
                    "write; it is left untouched: pass another path"
                )
            # A new id for every new file, so that a file deleted and made again is
            # not mistaken for the one read before.
            found = {**wanted, "file_id": uuid.uuid4().hex}
            self._db.metadata = {**metadata, _METADATA: found}
        file_id = found.get("file_id")
        found = {key: value for key, value in found.items() if key != "file_id"}
        if found != wanted:
            raise ValueError(
                f"cache file {self.path!r} holds energies of another calculator or "
                f"format: {found}; this run uses {wanted}. It is left untouched: pass "
                "another path"
            )
        return file_id

    def _memo(self):
        memo = _READ.get(self.path)
        if memo is None or memo["file_id"] != self.file_id:
            memo = _READ[self.path] = {"file_id": self.file_id, "last_id": 0,
                                       "energies": {}, "forces": {}}
        return memo

    def _remember(self, key, energy, forces):
        memo = self._memo()
        memo["energies"][key] = energy
        if forces is None:
            # A row without forces written after one with them (another process
            # asked for energies only) leaves the forces of the same geometry.
            return
        forces = np.array(forces, dtype=np.float64)
        forces.flags.writeable = False
        memo["forces"][key] = forces

    def lookup(self):
        """Every stored energy and every stored set of forces.

        Returns
        -------
        energies : mapping of str to float
            Total energy in eV by cache key (read-only view).
        forces : mapping of str to ndarray of shape (n_atoms, 3)
            Forces in eV/Å on the atoms of :func:`atoms_from_distances` by cache
            key, for the rows that hold them (read-only view of read-only arrays).
        """
        memo = self._memo()
        # One connection for the whole scan; ASE otherwise opens one per row.
        with _connected(self._db):
            rows = self._db.select([_KEY, ("id", ">", memo["last_id"])],
                                   columns=["id", "energy", "forces", "key_value_pairs"],
                                   include_data=False)
            for row in rows:
                self._remember(row.key_value_pairs[_KEY], row.energy, row.get("forces"))
                memo["last_id"] = max(memo["last_id"], row.id)
        return MappingProxyType(memo["energies"]), MappingProxyType(memo["forces"])

    def write(self, rows):
        """Store a batch of energies, and forces where known, in one transaction.

        Parameters
        ----------
        rows : list of (list of str, ndarray, str, float, ndarray or None)
            Symbols, distances (Å), key, total energy (eV) and forces on the atoms
            of :func:`atoms_from_distances` (eV/Å, or None) of each geometry.
        """
        if not rows:
            return
        with _connected(self._db):
            for symbols, distances, key, energy, forces in rows:
                atoms = atoms_from_distances(symbols, distances)
                results = {"energy": energy} if forces is None else {"energy": energy,
                                                                      "forces": forces}
                atoms.calc = SinglePointCalculator(atoms, **results)
                self._db.write(atoms, key_value_pairs={_KEY: key})
        for _, _, key, energy, forces in rows:
            self._remember(key, energy, forces)
