"""PositionGradients: structures with the derivative of their energy in the positions."""

import numbers

import numpy as np
from ase.calculators.calculator import PropertyNotImplementedError

from ._structures import check_structures


def _forces_gradient(atoms, index):
    """Minus the forces of one structure from its calculator or stored results, eV/Å."""
    if atoms.calc is None:
        raise ValueError(
            f"structure {index} has no calculator, so no forces: attach one (e.g. a "
            "SinglePointCalculator holding its forces) or pass gradients"
        )
    try:
        return -np.asarray(atoms.get_forces(), dtype=np.float64)
    except PropertyNotImplementedError:
        raise ValueError(
            f"the calculator of structure {index} ({atoms.calc.name}) holds or computes no "
            "forces: attach one that does, or pass gradients"
        ) from None


class PositionGradients:
    """Structures and the derivative of their energy in the atomic positions.

    The ``y_grad`` of a pipeline whose input is ``ase.Atoms``: given one,
    :class:`PairDistanceTransformer` returns the derivative of the energy in its
    distance features, which ``Pipeline(..., transform_input=["y_grad"])`` hands
    to the step consuming ``y_grad``. Indexing with an array of sample indices
    (what cross-validation does to sample-aligned metadata) returns a
    ``PositionGradients`` of those samples, so ``cross_validate`` and
    ``GridSearchCV`` split it by fold.

    Parameters
    ----------
    structures : list, tuple or 1-D object ndarray of ase.Atoms
        One structure per sample, all with the same number of atoms.
    gradients : array-like of shape (n_samples, n_atoms, 3), default=None
        ``dE/dx`` of each structure (minus its forces), eV/Å, atoms in the order
        of the structure. ``None`` reads ``-atoms.get_forces()`` from each
        structure's calculator: a ``SinglePointCalculator`` holding forces (as on
        the structures of ``make_trimer_dataset(return_atoms=True,
        return_y_grad=True)``), or a calculator that computes them.

    Attributes
    ----------
    structures : list of ase.Atoms
        The structures, in order.
    gradients : ndarray of shape (n_samples, n_atoms, 3)
        ``dE/dx`` of each structure, eV/Å (read-only).
    shape : tuple of int
        ``(n_samples,)``: one sample per structure, as scikit-learn counts them.

    See Also
    --------
    PairDistanceTransformer : Turns these into derivatives in its distance features.
    distance_gradient : The conversion for one structure.

    Examples
    --------
    >>> from ase import Atoms
    >>> from ase.calculators.singlepoint import SinglePointCalculator
    >>> from skphys.atoms import PositionGradients
    >>> dimer = Atoms("Cu2", positions=[[0, 0, 0], [2.5, 0, 0]])
    >>> dimer.calc = SinglePointCalculator(dimer, forces=[[1.1, 0, 0], [-1.1, 0, 0]])
    >>> y_grad = PositionGradients([dimer, dimer, dimer])
    >>> y_grad.shape, y_grad.gradients.shape
    ((3,), (3, 2, 3))
    >>> y_grad[[0, 2]]
    PositionGradients(2 structures of Cu2)
    """

    def __init__(self, structures, gradients=None):
        self.structures = check_structures(structures)
        n_samples, n_atoms = len(self.structures), len(self.structures[0])
        if gradients is None:
            gradients = [_forces_gradient(atoms, i) for i, atoms in enumerate(self.structures)]
        gradients = np.array(gradients, dtype=np.float64)
        if gradients.shape != (n_samples, n_atoms, 3):
            raise ValueError(
                f"gradients must have shape (n_samples, n_atoms, 3) = {(n_samples, n_atoms, 3)} "
                f"for these structures; got {gradients.shape}"
            )
        if not np.all(np.isfinite(gradients)):
            raise ValueError("gradients must be finite")
        gradients.flags.writeable = False
        self.gradients = gradients

    @property
    def shape(self):
        """One sample per structure, as scikit-learn's indexing and sample counts expect.

        Returns
        -------
        shape : tuple of int
            ``(n_samples,)``.
        """
        return (len(self.structures),)

    def __len__(self):
        return len(self.structures)

    def __iter__(self):
        return zip(self.structures, self.gradients, strict=True)

    def __getitem__(self, key):
        # scikit-learn's _safe_indexing asks for X[key, ...] (and X[key] in older
        # releases): the ellipsis adds nothing for a 1-D container.
        if isinstance(key, tuple) and len(key) == 2 and key[1] is Ellipsis:
            key = key[0]
        if isinstance(key, numbers.Integral):
            return self.structures[key], self.gradients[key]
        indices = np.arange(len(self))[key]
        if indices.ndim != 1:
            raise IndexError(f"PositionGradients takes 1-D sample indices; got {key!r}")
        return PositionGradients([self.structures[i] for i in indices], self.gradients[indices])

    def __repr__(self):
        formula = self.structures[0].get_chemical_formula()
        return f"PositionGradients({len(self)} structures of {formula})"
