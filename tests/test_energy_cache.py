"""The ASE-database energy cache: hits and misses, batches, interruptions, foreign files."""

import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from contextlib import closing, contextmanager
from pathlib import Path

import ase.db
import numpy as np
import pytest
from ase import Atoms
from ase.calculators.calculator import Calculator, all_changes
from ase.calculators.emt import EMT
from ase.calculators.lj import LennardJones
from joblib import Parallel, delayed
from numpy.testing import assert_allclose, assert_array_equal

from skphys._atoms import _compute
from skphys._atoms._cache import EnergyCache
from skphys._atoms._delayed_emt import DelayedEMT
from skphys.atoms import CACHE_DISTANCE_DECIMALS, AseEnergyTransformer, compute_energies

R = np.linspace(1.8, 3.0, 30)[:, None]


def row_count(path):
    """Rows of an ASE database, read without opening it for writing (0 if not yet made)."""
    try:
        uri = Path(path).resolve().as_uri() + "?mode=ro"
        with closing(sqlite3.connect(uri, uri=True)) as con:
            return con.execute("SELECT COUNT(*) FROM systems").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


class FailsBeyond(Calculator):
    """EMT that raises for separations beyond ``r_fail``, like a crashing DFT run."""

    implemented_properties = ["energy"]

    def __init__(self, r_fail):
        super().__init__()
        self.r_fail = r_fail

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        super().calculate(atoms, properties, system_changes)
        if atoms.get_distance(0, 1) > self.r_fail:
            raise RuntimeError("SCF did not converge")
        self.results["energy"] = EMT().get_potential_energy(atoms)


def test_second_run_computes_nothing(tmp_path):
    cache = tmp_path / "cu2.db"
    first, stats = compute_energies("Cu2", R, cache=cache)
    assert stats == (30, 0)
    second, stats = compute_energies("Cu2", R, cache=cache)
    assert stats == (0, 30)
    assert_array_equal(second, first)
    assert_array_equal(first, compute_energies("Cu2", R)[0])


def test_only_new_geometries_are_computed(tmp_path):
    cache = tmp_path / "cu2.db"
    compute_energies("Cu2", R[:20], cache=cache)
    energies, stats = compute_energies("Cu2", R, cache=cache)
    assert stats == (10, 20)
    assert_array_equal(energies, compute_energies("Cu2", R)[0])
    assert row_count(cache) == 30


def test_transformer_reads_the_cache(tmp_path):
    log = tmp_path / "calls.log"
    energy = AseEnergyTransformer(calculator=DelayedEMT(delay=0, log=log), cache=tmp_path / "c.db")
    first = energy.fit_transform(R)
    assert log.read_text().count("done") == 31  # with the reference geometry
    assert_array_equal(energy.fit_transform(R), first)
    assert log.read_text().count("done") == 31


def test_one_file_holds_several_clusters(tmp_path):
    cache = tmp_path / "emt.db"
    compute_energies("Cu2", R, cache=cache)
    compute_energies("CuAu", R, cache=cache)
    _, stats = compute_energies("Cu3", [[2.0, 2.1, 2.2]], cache=cache)
    assert stats == (1, 0)
    assert compute_energies("CuAu", R, cache=cache)[1] == (0, 30)


def test_geometry_key_is_rounded(tmp_path):
    cache = tmp_path / "cu2.db"
    assert CACHE_DISTANCE_DECIMALS == 10
    compute_energies("Cu2", [[2.0]], cache=cache)
    assert compute_energies("Cu2", [[2.0 + 1e-12]], cache=cache)[1] == (0, 1)
    assert compute_energies("Cu2", [[2.0 + 1e-9]], cache=cache)[1] == (1, 0)


def test_rows_are_ordinary_ase_rows(tmp_path):
    cache = tmp_path / "cu3.db"
    X = np.array([[2.0, 2.1, 2.2], [2.3, 2.4, 2.6]])
    energies, _ = compute_energies("Cu3", X, cache=cache)
    with ase.db.connect(cache) as db:
        rows = list(db.select())
    assert [row.formula for row in rows] == ["Cu3", "Cu3"]
    assert_array_equal([row.energy for row in rows], energies)
    for row, sides in zip(rows, X, strict=True):
        atoms = row.toatoms()
        distances = [atoms.get_distance(0, 1), atoms.get_distance(0, 2), atoms.get_distance(1, 2)]
        assert_allclose(distances, sides, rtol=0, atol=1e-12)


def test_rows_are_written_in_batches(tmp_path, monkeypatch):
    batches = []
    write = EnergyCache.write
    monkeypatch.setattr(EnergyCache, "write",
                        lambda self, rows: (batches.append(len(rows)), write(self, rows)))
    X = np.linspace(1.8, 3.0, 300)[:, None]
    monkeypatch.setattr(_compute, "_FLUSH_SECONDS", 1e9)  # however loaded the machine
    compute_energies("Cu2", X, cache=tmp_path / "a.db")
    assert [b for b in batches if b] == [256, 44]
    batches.clear()
    monkeypatch.setattr(_compute, "_FLUSH_SECONDS", 0.0)  # a slow calculator
    compute_energies("Cu2", X[:5] + 0.01, cache=tmp_path / "a.db")
    assert [b for b in batches if b] == [1, 1, 1, 1, 1]


def test_rows_finished_before_a_failure_are_kept(tmp_path):
    cache = tmp_path / "cu2.db"
    with pytest.raises(RuntimeError, match="SCF"):
        compute_energies("Cu2", R, FailsBeyond(r_fail=2.5), cache=cache)
    finished = int(np.sum(R <= 2.5))
    assert row_count(cache) == finished


def _generation_script(cache, log, n_samples, delay):
    # Ctrl-C raises KeyboardInterrupt as in a terminal, also where the test runner's
    # worker blocks or ignores SIGINT: a child inherits both, and Python then keeps
    # an ignored SIGINT ignored (once seen in a full run: the child ran to its end)
    return textwrap.dedent(f"""
        import signal
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {{signal.SIGINT}})
        signal.signal(signal.SIGINT, signal.default_int_handler)
        import numpy as np
        from skphys._atoms._delayed_emt import DelayedEMT
        from skphys.atoms import compute_energies
        X = np.linspace(1.8, 3.0, {n_samples})[:, None]
        compute_energies("Cu2", X, DelayedEMT(delay={delay}, log={str(log)!r}),
                         cache={str(cache)!r})
    """)


def _start_and_interrupt(tmp_path, sig, n_samples=300, delay=0.1):
    """Start a generation in a subprocess, send ``sig`` once rows are stored."""
    cache, log = tmp_path / "cu2.db", tmp_path / "calls.log"
    proc = subprocess.Popen([sys.executable, "-c", _generation_script(cache, log, n_samples,
                                                                        delay)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    try:
        while row_count(cache) < 3:
            assert proc.poll() is None, proc.communicate()[1].decode()
            assert time.monotonic() < deadline, "no rows stored within 120 s"
            time.sleep(0.05)
        proc.send_signal(sig)
        proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode != 0, "the run finished before it was interrupted"
    return cache, log, X_of(n_samples)


def X_of(n_samples):
    return np.linspace(1.8, 3.0, n_samples)[:, None]


@pytest.mark.slow
def test_killed_run_keeps_stored_rows_and_next_run_computes_the_rest(tmp_path):
    cache, _, X = _start_and_interrupt(tmp_path, signal.SIGKILL)
    kept = row_count(cache)
    assert 3 <= kept < len(X)
    energies, stats = compute_energies("Cu2", X, DelayedEMT(delay=0), cache=cache)
    assert stats == (len(X) - kept, kept)
    assert_array_equal(energies, compute_energies("Cu2", X)[0])
    assert row_count(cache) == len(X)


@pytest.mark.slow
def test_interrupted_run_keeps_every_finished_row(tmp_path):
    cache, log, X = _start_and_interrupt(tmp_path, signal.SIGINT)
    logged = log.read_text().count("done")
    # The calculator logs "done" just before it returns: an interrupt that lands in
    # between ends that calculation without an energy, so the log may count one
    # more than finished. Every finished calculation is stored.
    stored = row_count(cache)
    assert logged - 1 <= stored <= logged < len(X)
    assert compute_energies("Cu2", X, DelayedEMT(delay=0), cache=cache)[1] == (
        len(X) - stored, stored)


@pytest.mark.slow
def test_parallel_workers_lose_no_rows(tmp_path):
    cache = tmp_path / "cu2.db"
    energies, stats = compute_energies("Cu2", R, cache=cache, n_jobs=2)
    assert stats == (30, 0)
    assert row_count(cache) == 30
    assert compute_energies("Cu2", R, cache=cache)[1] == (0, 30)


def _unchanged_after_refusal(path, calculator, match):
    before = path.read_bytes()
    with pytest.raises(ValueError, match=match):
        compute_energies("Cu2", R, calculator, cache=path)
    assert path.read_bytes() == before
    assert not Path(f"{path}.lock").exists()


def test_file_that_is_not_a_database_is_left_untouched(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("energies of Cu2, by hand\n" * 50)
    _unchanged_after_refusal(path, "emt", "is not an ASE database .* left untouched")


def test_sqlite_file_of_another_program_is_left_untouched(tmp_path):
    path = tmp_path / "other.db"
    with closing(sqlite3.connect(path)) as con, con:
        con.execute("CREATE TABLE measurements (r REAL, e REAL)")
    _unchanged_after_refusal(path, "emt", "an SQLite file but not an ASE database")


def test_ase_database_not_written_by_skphys_is_left_untouched(tmp_path):
    path = tmp_path / "structures.db"
    with ase.db.connect(path) as db:
        db.write(Atoms("Cu2", positions=[[0, 0, 0], [2.2, 0, 0]]))
    _unchanged_after_refusal(path, "emt", "ASE database that skphys did not write")


@pytest.mark.parametrize(
    "other",
    [LennardJones(sigma=2.3), EMT(asap_cutoff=True), DelayedEMT()],
    ids=["LennardJones", "EMT(asap_cutoff=True)", "EMT subclass"],
)
def test_cache_of_another_calculator_is_left_untouched(tmp_path, other):
    path = tmp_path / "emt.db"
    compute_energies("Cu2", R, cache=path)
    _unchanged_after_refusal(path, other, "holds energies of another calculator")


def test_empty_ase_database_is_adopted(tmp_path):
    path = tmp_path / "empty.db"
    with ase.db.connect(path) as db:
        db.count()  # creates the tables
    assert compute_energies("Cu2", R, cache=path)[1] == (30, 0)
    assert compute_energies("Cu2", R, cache=str(path))[1] == (0, 30)


def test_rows_written_elsewhere_are_read_incrementally(tmp_path):
    from skphys._atoms import _cache

    cache = tmp_path / "cu2.db"
    compute_energies("Cu2", R[:10], cache=cache)
    memo_before = _cache._READ.pop(str(cache))  # as if another process wrote what follows
    compute_energies("Cu2", R[10:20], cache=cache)
    _cache._READ[str(cache)] = memo_before
    assert compute_energies("Cu2", R[:20], cache=cache)[1] == (0, 20)


def test_deleted_cache_is_filled_again(tmp_path):
    cache = tmp_path / "cu2.db"
    compute_energies("Cu2", R, cache=cache)
    cache.unlink()
    assert compute_energies("Cu2", R, cache=cache)[1] == (30, 0)
    assert row_count(cache) == 30


def test_cache_in_a_missing_folder_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="folder of cache file .* does not exist"):
        compute_energies("Cu2", R, cache=tmp_path / "missing" / "c.db")


def test_calculator_parameters_must_be_json_for_the_cache(tmp_path):
    calc = LennardJones(sigma=2.3)
    calc.parameters["callback"] = object()
    with pytest.raises(TypeError, match="cannot be written as JSON .* run without a cache"):
        compute_energies("Cu2", R, calc, cache=tmp_path / "c.db")


class FailingCommit(sqlite3.Connection):
    """An SQLite connection whose commit fails, like one kept waiting for a lock."""

    def commit(self):
        raise sqlite3.OperationalError("database is locked")


@contextmanager
def tracked_connections(factory=sqlite3.Connection):
    """Every SQLite connection opened in the block, by skphys or by ASE, in a list."""
    opened = []
    connect = sqlite3.connect

    def tracking(*args, **kwargs):
        con = connect(*args, factory=factory, **kwargs)
        opened.append(con)  # also keeps it from the garbage collector, which would close it
        return con

    sqlite3.connect = tracking
    try:
        yield opened
    finally:
        sqlite3.connect = connect


def open_count(connections):
    """How many of ``connections`` are still open."""
    count = 0
    for con in connections:
        try:
            con.execute("SELECT 1")
        except sqlite3.ProgrammingError:  # Cannot operate on a closed database.
            continue
        count += 1
    return count


def test_cache_closes_every_connection_it_opens(tmp_path):
    cache = tmp_path / "cu2.db"
    with tracked_connections() as opened:
        compute_energies("Cu2", R[:10], cache=cache)  # a new file
        compute_energies("Cu2", R, cache=cache)  # reads, then writes the rest
        compute_energies("Cu2", R, cache=cache, return_gradients=True)
    assert len(opened) >= 6
    assert open_count(opened) == 0


@pytest.mark.parametrize("kind", ["calculator", "not SQLite", "other calculator", "commit"])
def test_cache_closes_its_connections_on_errors(tmp_path, kind):
    cache = tmp_path / "cu2.db"
    factory, calculator, error = sqlite3.Connection, "emt", ValueError
    if kind == "calculator":
        calculator, error = FailsBeyond(r_fail=2.5), RuntimeError
    elif kind == "not SQLite":
        cache.write_text("energies of Cu2, by hand\n" * 50)
    else:
        compute_energies("Cu2", R[:3], cache=cache)
        if kind == "other calculator":
            calculator = LennardJones(sigma=2.3)
        else:
            # Every call on the existing file only reads, until the commit that
            # ends ASE's block fails.
            factory, error = FailingCommit, sqlite3.OperationalError
    with tracked_connections(factory) as opened, pytest.raises(error):
        compute_energies("Cu2", R, calculator, cache=cache)
    assert opened
    assert open_count(opened) == 0


def _open_after_runs_in_this_process(cache):
    """Connections opened by two cached runs in the calling process, and those left open."""
    with tracked_connections() as opened:
        compute_energies("Cu2", R, cache=cache)
        compute_energies("Cu2", R, cache=cache)
    return len(opened), open_count(opened)


@pytest.mark.slow
def test_cache_closes_its_connections_in_worker_processes(tmp_path):
    # As in a GridSearchCV(n_jobs=2) over a pipeline with a cached transformer.
    results = Parallel(n_jobs=2)(
        delayed(_open_after_runs_in_this_process)(tmp_path / f"{k}.db") for k in range(2)
    )
    assert [opened > 0 for opened, _ in results] == [True, True]
    assert [still_open for _, still_open in results] == [0, 0]
