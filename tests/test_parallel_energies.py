"""Serial, joblib and dask.distributed generation give the same energies, in order."""

import numpy as np
import pytest
from ase.calculators.emt import EMT
from joblib import parallel_config
from numpy.testing import assert_array_equal

from skphys.atoms import AseEnergyTransformer, compute_energies
from skphys.datasets import make_trimer_dataset


@pytest.fixture(scope="module")
def serial():
    return make_trimer_dataset(n_samples=40, random_state=0)


@pytest.mark.slow
def test_joblib_processes_equal_serial(serial):
    X, y = make_trimer_dataset(n_samples=40, random_state=0, n_jobs=2)
    assert_array_equal(X, serial[0])
    assert_array_equal(y, serial[1])


def test_threads_with_one_calculator_instance_equal_serial(serial):
    # Each thread computes with a copy of the instance: no shared calculator state.
    X, y = serial
    with parallel_config(backend="threading"):
        out = AseEnergyTransformer("Cu3", calculator=EMT(), n_jobs=2).fit_transform(X)
    assert_array_equal(out.ravel(), y)


def test_n_jobs_none_follows_the_joblib_context(serial):
    X, y = serial
    with parallel_config(backend="threading", n_jobs=2):
        energies, stats = compute_energies("Cu3", X)
    assert stats == (40, 0)
    assert_array_equal(energies - AseEnergyTransformer("Cu3").fit([[2, 2, 2]]).reference_energy_,
                       y)


@pytest.mark.slow
def test_dask_local_cluster_equals_serial(serial, tmp_path):
    distributed = pytest.importorskip("distributed", reason="needs the skphys[dask] extra")
    cache = tmp_path / "cu3.db"
    # One worker process (tasks are pickled to it) with two threads; one process
    # keeps the start-up short.
    with (
        distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=True,
                                 dashboard_address=None, host="127.0.0.1") as cluster,
        distributed.Client(cluster),
        parallel_config(backend="dask"),
    ):
        X, y = make_trimer_dataset(n_samples=40, random_state=0, n_jobs=-1, cache=cache)
    assert_array_equal(X, serial[0])
    assert_array_equal(y, serial[1])
    # Every row the workers computed reached the cache.
    assert compute_energies("Cu3", X, cache=cache)[1] == (0, 40)
    assert np.all(np.isfinite(y))
