"""AseEnergyTransformer: energies against direct ASE calls, the Cu2 minimum, errors."""

import functools
import pickle
import threading

import numpy as np
import pandas as pd
import pytest
from ase import Atoms
from ase.calculators.calculator import Calculator, all_changes
from ase.calculators.emt import EMT
from ase.calculators.lj import LennardJones
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.pipeline import make_pipeline, make_union
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils._param_validation import InvalidParameterError

from skphys._atoms._delayed_emt import DelayedEMT
from skphys.atoms import AseEnergyTransformer, compute_energies


def direct_energy(symbols, positions, calc=None):
    """Potential energy straight from ASE, with a fresh EMT unless told otherwise."""
    atoms = Atoms(symbols, positions=positions)
    atoms.calc = EMT() if calc is None else calc
    return atoms.get_potential_energy()


def dimer_positions(r):
    return [[0.0, 0.0, 0.0], [r, 0.0, 0.0]]


def trimer_positions(r12, r13, r23):
    """A placement unlike the transformer's: atom 1 off the origin, triangle in xz."""
    cos_1 = (r12**2 + r13**2 - r23**2) / (2 * r12 * r13)
    origin = np.array([1.0, -2.0, 0.5])
    return [origin, origin + [0.0, 0.0, r12],
            origin + r13 * np.array([np.sqrt(1 - cos_1**2), 0.0, cos_1])]


class NaNCalculator(Calculator):
    implemented_properties = ["energy"]

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        super().calculate(atoms, properties, system_changes)
        self.results["energy"] = np.nan


class LockedEMT(EMT):
    """EMT holding a lock, as calculators holding a process or a socket do."""

    def __init__(self):
        super().__init__()
        self.lock = threading.Lock()


def emt_factory_holding_a_lock():
    lock = threading.Lock()
    return lambda: (lock, EMT())[1]


def test_dimer_energies_equal_direct_ase_calls():
    r = np.linspace(1.6, 6.0, 25)
    energies = AseEnergyTransformer("Cu2").fit_transform(r[:, None]).ravel()
    reference = direct_energy("Cu2", dimer_positions(10.0))
    expected = [direct_energy("Cu2", dimer_positions(x)) - reference for x in r]
    assert_allclose(energies, expected, rtol=0, atol=1e-12)


def test_trimer_energies_equal_direct_ase_calls():
    X = np.array([[2.3, 2.4, 2.5], [2.0, 3.0, 4.0], [2.2, 2.2, 2.2], [1.8, 2.9, 3.5]])
    energies = AseEnergyTransformer("Cu3").fit_transform(X).ravel()
    reference = direct_energy("Cu3", trimer_positions(10.0, 10.0, 10.0))
    expected = [direct_energy("Cu3", trimer_positions(*row)) - reference for row in X]
    assert_allclose(energies, expected, rtol=0, atol=1e-12)


def test_heteronuclear_trimer_keeps_atom_order():
    X = np.array([[2.3, 2.6, 2.9]])
    energy = AseEnergyTransformer("CuAuAg").fit_transform(X)[0, 0]
    reference = direct_energy("CuAuAg", trimer_positions(10.0, 10.0, 10.0))
    assert energy == pytest.approx(
        direct_energy("CuAuAg", trimer_positions(2.3, 2.6, 2.9)) - reference, abs=1e-12
    )
    swapped = AseEnergyTransformer("CuAuAg").fit_transform([[2.6, 2.3, 2.9]])[0, 0]
    assert abs(swapped - energy) > 1e-3


def test_cu2_emt_minimum():
    r = np.arange(2.0, 2.4, 1e-3)
    energies = AseEnergyTransformer("Cu2").fit_transform(r[:, None]).ravel()
    assert r[np.argmin(energies)] == pytest.approx(2.17, abs=0.01)
    assert energies.min() == pytest.approx(-3.84, abs=0.01)


def test_energy_is_zero_at_the_reference_distance():
    energy = AseEnergyTransformer("Cu2", reference_distance=8.0).fit([[2.0]])
    assert energy.reference_energy_ == pytest.approx(direct_energy("Cu2", dimer_positions(8.0)))
    assert energy.transform([[8.0]])[0, 0] == 0.0
    trimer = AseEnergyTransformer("Cu3").fit([[2.0, 2.0, 2.0]])
    assert trimer.transform([[10.0, 10.0, 10.0]])[0, 0] == 0.0


@pytest.mark.parametrize(
    "calculator",
    [EMT(), EMT, lambda: EMT(), functools.partial(EMT, asap_cutoff=False)],
    ids=["instance", "class", "lambda", "partial"],
)
def test_calculator_instance_or_factory_equals_emt(calculator):
    X = np.linspace(1.8, 3.2, 7)[:, None]
    expected = AseEnergyTransformer().fit_transform(X)
    assert_array_equal(AseEnergyTransformer(calculator=calculator).fit_transform(X), expected)


def test_other_ase_calculator():
    lj = dict(sigma=2.3, epsilon=0.4, rc=9.0)
    X = np.array([[2.4], [2.6], [3.0]])
    energies = AseEnergyTransformer("Ar2", calculator=LennardJones(**lj)).fit_transform(X)
    reference = direct_energy("Ar2", dimer_positions(10.0), LennardJones(**lj))
    expected = [direct_energy("Ar2", dimer_positions(r), LennardJones(**lj)) - reference
                for r in X.ravel()]
    assert_allclose(energies.ravel(), expected, rtol=0, atol=1e-12)


def test_distinct_geometries_computed_once(tmp_path):
    log = tmp_path / "calls.log"
    energy = AseEnergyTransformer(calculator=DelayedEMT(delay=0.0, log=log)).fit([[2.0]])
    assert log.read_text().count("done") == 1
    out = energy.transform([[2.0], [2.5], [2.0], [2.5], [3.0]])
    assert log.read_text().count("done") == 4
    assert out[0, 0] == out[2, 0] and out[1, 0] == out[3, 0]
    _, stats = compute_energies("Cu2", [[2.0], [2.0]])
    assert stats == (1, 0)


def test_calculator_instance_is_never_changed():
    calc = EMT()
    before = pickle.dumps(calc)
    AseEnergyTransformer(calculator=calc).fit_transform([[2.0], [2.5]])
    assert pickle.dumps(calc) == before


def test_set_output_pandas_and_feature_names():
    X = pd.DataFrame({"r12": [2.0, 2.5, 3.0]}, index=[7, 8, 9])
    energy = AseEnergyTransformer().set_output(transform="pandas").fit(X)
    out = energy.transform(X)
    assert list(out.columns) == ["energy_eV"]
    assert list(out.index) == [7, 8, 9]
    assert_array_equal(energy.feature_names_in_, ["r12"])
    assert_array_equal(energy.get_feature_names_out(), ["energy_eV"])
    with pytest.raises(ValueError, match="input_features"):
        energy.get_feature_names_out(["distance"])


def test_physics_feature_in_a_pipeline():
    # Delta learning: the cheap energy next to the geometry as features.
    features = make_union(FunctionTransformer(feature_names_out="one-to-one"),
                          AseEnergyTransformer())
    X = pd.DataFrame({"r12": [2.0, 2.5, 3.0]})
    out = make_pipeline(features).set_output(transform="pandas").fit_transform(X)
    assert list(out.columns) == ["functiontransformer__r12", "aseenergytransformer__energy_eV"]
    assert_array_equal(out.iloc[:, 1], AseEnergyTransformer().fit_transform(X).ravel())


def test_clone_and_pickle_round_trip(tmp_path):
    energy = AseEnergyTransformer("Cu3", calculator=EMT(), cache=tmp_path / "e.db").fit(
        [[2.0, 2.0, 2.0]]
    )
    assert clone(energy).get_params()["symbols"] == "Cu3"
    X = [[2.1, 2.2, 2.3]]
    assert_array_equal(pickle.loads(pickle.dumps(energy)).transform(X), energy.transform(X))


@pytest.mark.parametrize(
    "calculator", [lambda: EMT(), "used EMT"], ids=["lambda factory", "used EMT instance"]
)
def test_pickle_takes_what_cloudpickle_takes(calculator):
    if calculator == "used EMT":
        # EMT keeps a defaultdict of a lambda once used, which pickle alone refuses.
        calculator = EMT()
        direct_energy("Cu2", dimer_positions(2.0), calculator)
    energy = AseEnergyTransformer(calculator=calculator).fit([[2.0]])
    copy = pickle.loads(pickle.dumps(energy))
    assert_array_equal(copy.transform([[2.2]]), energy.transform([[2.2]]))


def test_unpicklable_calculator_gets_a_clear_error():
    energy = AseEnergyTransformer(calculator=emt_factory_holding_a_lock())
    with pytest.raises(TypeError, match="pickling AseEnergyTransformer needs to pickle the "
                                        "calculator .* which cannot be pickled"):
        pickle.dumps(energy)
    with pytest.raises(TypeError, match="n_jobs=2 needs to pickle the calculator"):
        energy.set_params(n_jobs=2).fit([[2.0]]).transform([[2.0], [2.5]])
    # Serial use needs no pickling.
    assert energy.set_params(n_jobs=1).fit_transform([[2.0], [2.5]]).shape == (2, 1)


def test_uncopyable_calculator_instance_asks_for_a_factory():
    with pytest.raises(TypeError, match="cannot be copied .* pass a zero-argument factory"):
        AseEnergyTransformer(calculator=LockedEMT()).fit([[2.0]])
    assert AseEnergyTransformer(calculator=LockedEMT).fit_transform([[2.0]]).shape == (1, 1)


def test_non_finite_energy_is_refused():
    with pytest.raises(ValueError, match="non-finite energy"):
        AseEnergyTransformer(calculator=NaNCalculator()).fit([[2.0]])


def test_factory_must_return_a_calculator():
    with pytest.raises(TypeError, match="factory must return an ASE calculator"):
        AseEnergyTransformer(calculator=lambda: "EMT").fit([[2.0]])


@pytest.mark.parametrize(
    "symbols, X, match",
    [
        ("Cu2", [[2.0, 2.1]], "X has 2 columns; Cu2 needs 1: the interatomic distance r12"),
        ("Cu3", [[2.0]], "needs 3: the interatomic distances r12, r13, r23"),
        ("Cu3", [[2.0, 2.0, 4.5]], r"triangle inequality .* rows \[0\]"),
        ("Cu2", [[2.0], [0.0]], r"Zero values .* rows \[1\]"),
        ("Cu2", [[-2.0]], "Negative values in data passed to AseEnergyTransformer"),
        ("Cu2", [[np.nan]], "NaN"),
        ("Cu2", [[np.inf]], "infinity"),
        ("Cu4", [[2.0] * 6], "has 4 atoms; AseEnergyTransformer takes 2"),
        ("Xx2", [[2.0]], "not a chemical formula"),
        ("Fe2", [[2.0]], r"calculator='emt' has no parameters for \['Fe'\]"),
    ],
)
def test_bad_input_is_named(symbols, X, match):
    with pytest.raises(ValueError, match=match):
        AseEnergyTransformer(symbols).fit(X)


def test_bad_transform_input_is_named():
    energy = AseEnergyTransformer("Cu3").fit([[2.0, 2.0, 2.0]])
    with pytest.raises(ValueError, match="triangle inequality"):
        energy.transform([[2.0, 2.0, 2.0], [1.0, 1.0, 2.5]])


def test_collinear_trimer_is_a_triangle():
    energies = AseEnergyTransformer("Cu3").fit_transform([[2.0, 4.0, 2.0], [2.5, 2.5, 5.0]])
    assert np.all(np.isfinite(energies))


@pytest.mark.parametrize(
    "params",
    [{"calculator": "dft"}, {"reference_distance": 0.0}, {"n_jobs": 1.5},
     {"cache": 3}, {"symbols": 2}, {"progress": "yes"}],
)
def test_invalid_parameters(params):
    with pytest.raises(InvalidParameterError):
        AseEnergyTransformer(**params).fit([[2.0]])


def test_progress_bar_counts_calls_and_hits(tmp_path, capsys):
    X = np.linspace(2.0, 3.0, 6)[:, None]
    AseEnergyTransformer(cache=tmp_path / "e.db").fit(X).transform(X[:3])
    capsys.readouterr()
    AseEnergyTransformer(cache=tmp_path / "e.db", progress=True).fit(X).transform(X)
    err = capsys.readouterr().err
    assert "Cu2 energies" in err and "6/6" in err
    assert "calculator_calls=3" in err and "cache_hits=3" in err


def test_silent_by_default(capsys):
    AseEnergyTransformer().fit_transform([[2.0], [2.5]])
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize(
    "symbols, distances, match",
    [
        ("Cu3", [[2.0, 2.0, 4.5]], "triangle inequality"),
        ("Cu2", [[2.0, 2.0]], "X has 2 columns; Cu2 needs 1"),
        ("Cu2", [[np.nan]], "NaN"),
        ("Cu2", [[0.0]], "Zero values in data passed to compute_energies"),
    ],
)
def test_compute_energies_checks_its_input(symbols, distances, match):
    with pytest.raises(ValueError, match=match):
        compute_energies(symbols, distances)
