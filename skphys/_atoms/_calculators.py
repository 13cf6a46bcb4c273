"""ASE calculators given as ``'emt'``, an instance or a factory: build, identify, check."""

import copy
import json
import pickle

import numpy as np
from ase.calculators.calculator import BaseCalculator, PropertyNotImplementedError
from ase.calculators.emt import EMT
from ase.calculators.emt import parameters as EMT_TABLE
from ase.io.jsonio import default as ase_json_default

try:  # joblib >= 1.6 depends on cloudpickle; older releases vendor it
    import cloudpickle
except ImportError:  # pragma: no cover
    from joblib.externals import cloudpickle

from ._geometry import atoms_from_distances

_BUILTIN = {"emt": EMT}


def make_calculator(calculator):
    """A private ASE calculator from ``'emt'``, an instance or a zero-argument factory.

    An instance is deep-copied, so that the one the user passed (an estimator
    parameter) is never changed by a calculation, and each worker or thread has
    its own.

    Parameters
    ----------
    calculator : {'emt'} or ase Calculator or callable
        What the user passed.

    Returns
    -------
    calc : ase.calculators.calculator.BaseCalculator
    """
    if isinstance(calculator, str):
        return _BUILTIN[calculator]()
    if isinstance(calculator, BaseCalculator):
        try:
            return copy.deepcopy(calculator)
        except Exception as exc:
            raise TypeError(
                f"the calculator {calculator!r} cannot be copied ({exc}); pass a "
                "zero-argument factory that builds it instead"
            ) from exc
    calc = calculator()
    if not isinstance(calc, BaseCalculator):
        raise TypeError(
            "the calculator factory must return an ASE calculator; "
            f"{calculator!r} returned {type(calc).__name__}"
        )
    return calc


def check_elements(calculator, symbols):
    """Raise ValueError early if the built-in EMT has no parameters for an element.

    Parameters
    ----------
    calculator : {'emt'} or ase Calculator or callable
    symbols : list of str
    """
    if isinstance(calculator, str):
        missing = sorted(set(symbols) - set(EMT_TABLE))
        if missing:
            raise ValueError(
                f"calculator='emt' has no parameters for {missing}; it knows "
                f"{sorted(EMT_TABLE)}. Pass another ASE calculator."
            )


def calculator_identity(calc):
    """Name, class and parameters of a calculator: what its energies depend on.

    Parameters
    ----------
    calc : ase.calculators.calculator.BaseCalculator

    Returns
    -------
    identity : str
        Canonical JSON (sorted keys), the same in every process and session. For
        EMT it includes ASE's element table, which lives in the module rather than
        in the calculator's parameters.
    """
    cls = type(calc)
    parameters = dict(getattr(calc, "parameters", None) or {})
    if isinstance(calc, EMT):
        parameters["emt_table"] = EMT_TABLE
    identity = {"name": calc.name, "class": f"{cls.__module__}.{cls.__qualname__}"}
    try:
        return json.dumps({**identity, "parameters": parameters}, sort_keys=True,
                          default=ase_json_default)
    except TypeError as exc:
        raise TypeError(
            f"the cache keys energies on the calculator's parameters, but a parameter of "
            f"{cls.__name__} cannot be written as JSON ({exc}); run without a cache"
        ) from None


def pickle_calculator(calculator, purpose):
    """The calculator pickled with cloudpickle, or a TypeError naming it.

    cloudpickle (what joblib's loky and dask backends use) also takes lambdas and
    used EMT instances, which hold a lambda that the standard pickle refuses.

    Parameters
    ----------
    calculator : {'emt'} or ase Calculator or callable
    purpose : str
        What needed the pickle, for the message.

    Returns
    -------
    data : bytes
    """
    try:
        return cloudpickle.dumps(calculator)
    except (pickle.PicklingError, TypeError, AttributeError) as exc:
        raise TypeError(
            f"{purpose} needs to pickle the calculator {calculator!r}, which cannot be "
            f"pickled ({exc}). Pass a zero-argument factory that builds it instead "
            "(for example functools.partial(TheCalculator, **parameters)), or n_jobs=1."
        ) from None


class PickledCalculator:
    """A calculator carried through the standard pickle as cloudpickle bytes.

    Parameters
    ----------
    calculator : ase Calculator or callable
    purpose : str
        What needed the pickle, for the message if it fails.
    """

    def __init__(self, calculator, purpose):
        self.data = pickle_calculator(calculator, purpose)

    def load(self):
        """The calculator back.

        Returns
        -------
        calculator : ase Calculator or callable
        """
        return cloudpickle.loads(self.data)


def _finite(value, what, calc, symbols, distances):
    """``value`` unchanged, or ValueError if any of it is not finite."""
    if not np.all(np.isfinite(value)):
        raise ValueError(
            f"{calc.name} returned non-finite {what} ({value}) for {''.join(symbols)} "
            f"at distances {np.asarray(distances).tolist()} Å"
        )
    return value


def total_energy(calc, symbols, distances):
    """Potential energy of the cluster with these distances, eV; refuses non-finite values.

    Parameters
    ----------
    calc : ase.calculators.calculator.BaseCalculator
    symbols : list of str
        One symbol per atom.
    distances : ndarray of shape (n_pairs,)
        Interatomic distances in atom order, Å.

    Returns
    -------
    energy : float
        Total energy as the calculator defines it, eV.
    """
    atoms = atoms_from_distances(symbols, distances)
    atoms.calc = calc
    return _finite(float(atoms.get_potential_energy()), "energy", calc, symbols, distances)


def energy_and_forces(calc, symbols, distances):
    """Potential energy and forces of the cluster with these distances, in one calculation.

    Parameters
    ----------
    calc : ase.calculators.calculator.BaseCalculator
        A calculator that implements forces.
    symbols : list of str
        One symbol per atom.
    distances : ndarray of shape (n_pairs,)
        Interatomic distances in atom order, Å.

    Returns
    -------
    energy : float
        Total energy as the calculator defines it, eV.
    forces : ndarray of shape (n_atoms, 3)
        Forces on the atoms of :func:`atoms_from_distances` (``symbols``,
        ``distances``), eV/Å.
    """
    atoms = atoms_from_distances(symbols, distances)
    atoms.calc = calc
    try:
        # Forces first: a calculator asked for them computes the energy with them.
        forces = np.array(atoms.get_forces(), dtype=np.float64)
    except PropertyNotImplementedError:
        raise ValueError(
            f"{calc.name} does not compute forces, which the derivative of the energy "
            "in the distances (y_grad) is made from; use a calculator that does"
        ) from None
    energy = float(atoms.get_potential_energy())
    return (_finite(energy, "energy", calc, symbols, distances),
            _finite(forces, "forces", calc, symbols, distances))
