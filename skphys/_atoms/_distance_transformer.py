"""PairDistanceTransformer: ``ase.Atoms`` objects in, interatomic distances out."""

import numpy as np
from ase.data import atomic_numbers, chemical_symbols
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils.validation import check_is_fitted

from ._distance_gradient import distance_gradient
from ._geometry import pair_distances, pair_names
from ._position_gradients import PositionGradients
from ._structures import check_structures


def formula(symbols):
    """Chemical formula with the species in order of atomic number, e.g. ``'CuAu2'``.

    Parameters
    ----------
    symbols : sequence of str
        One chemical symbol per atom, in any order.

    Returns
    -------
    formula : str
        Each species once, in order of atomic number, followed by its count when
        above 1.
    """
    species, counts = np.unique([atomic_numbers[s] for s in symbols], return_counts=True)
    return "".join(
        chemical_symbols[z] + (str(n) if n > 1 else "")
        for z, n in zip(species, counts, strict=True)
    )


def check_species(structures, symbols, in_order, seen):
    """Raise ValueError unless every structure holds the atoms ``symbols``.

    Parameters
    ----------
    structures : list of ase.Atoms
        Structures with the atom count of ``symbols``.
    symbols : sequence of str
        The expected chemical symbols, one per atom.
    in_order : bool
        Require the symbols in this atom order; else only the composition (the
        species and their counts, in any order).
    seen : str
        Where ``symbols`` come from, for the message (``'of the first sample'``).
    """
    expected = formula(symbols)
    for i, atoms in enumerate(structures):
        found = atoms.get_chemical_symbols()
        if formula(found) != expected:
            raise ValueError(
                f"every structure must have the composition {expected} (the one {seen}); "
                f"sample {i} is {formula(found)}. Structures of different compositions "
                "have different pair types, so their distances share no columns"
            )
        if in_order and found != list(symbols):
            raise ValueError(
                f"with sort=False every structure must list its atoms in the order "
                f"{' '.join(symbols)} (the one {seen}), as each column is the distance "
                f"of two given atoms; sample {i} has {' '.join(found)}. Reorder the atoms "
                "(e.g. atoms[order]) or use sort=True"
            )


def pair_types(symbols):
    """Pair type of each pair (i, j), i < j, as two atomic numbers, lower first.

    Parameters
    ----------
    symbols : sequence of str
        One chemical symbol per atom.

    Returns
    -------
    low, high : ndarray of int of shape (n_pairs,)
        Atomic numbers of the two atoms of each pair, in the order of
        :func:`pair_names`, the lower one in ``low``.
    """
    numbers = np.array([atomic_numbers[s] for s in symbols])
    i, j = np.triu_indices(len(numbers), k=1)
    return np.minimum(numbers[i], numbers[j]), np.maximum(numbers[i], numbers[j])


def pair_type_order(distances, symbols):
    """The order that groups distances by pair type, ascending within each group.

    Groups come in order of the atomic numbers of their two species (lower
    first, then higher), e.g. Cu-Cu, Cu-Au, Au-Au. With one species this is an
    ascending sort of all distances. Equal distances keep their atom order.

    Parameters
    ----------
    distances : ndarray of shape (n_pairs,)
        Interatomic distances in atom order (pair (i, j), i < j), Å.
    symbols : sequence of str
        One chemical symbol per atom.

    Returns
    -------
    order : ndarray of int of shape (n_pairs,)
        ``distances[order]`` is sorted; any quantity per pair (a derivative in
        the distances) is reordered the same way.
    """
    low, high = pair_types(symbols)
    return np.lexsort((distances, high, low))


class PairDistanceTransformer(TransformerMixin, BaseEstimator):
    """Interatomic distances of ``ase.Atoms`` structures, one row per structure.

    A pipeline can then go from ``Atoms`` objects straight to energies, e.g.
    ``make_pipeline(PairDistanceTransformer(), BuckinghamRegressor())`` fitted on
    the structures of ``make_dimer_dataset(return_atoms=True)``. Periodic
    structures use the minimum-image convention.

    Every structure must have the composition seen in fit (the same species with
    the same counts), so that a column means the same pair type in every row.

    Given :class:`PositionGradients` (the derivatives of the energies in the
    atomic positions) instead of a list of structures, ``transform`` returns the
    derivatives of the energies in the distance features: the ``y_grad`` of the
    step after it in a pipeline, in exactly its column order (see Notes). This
    needs 2 to 4 atoms per structure, isolated (not periodic), in geometries
    that are not degenerate (see :func:`distance_gradient`).

    Parameters
    ----------
    sort : bool, default=True
        Sort within pair types, so that permuting atoms leaves the features
        unchanged. The columns are grouped by pair type, the two species of a
        type ordered by atomic number and the types ordered by the atomic
        numbers of their species (lower first, then higher), e.g. Cu-Cu, Cu-Au,
        Au-Au; the distances are ascending within each group. A structure of
        one species gives one ascending row. ``False`` keeps atom order
        ``r12, r13, ..., r23, ...``, the input order of
        :class:`AseEnergyTransformer`; every structure must then list its
        species in the order seen in fit.

    Attributes
    ----------
    n_atoms_ : int
        Number of atoms of every structure seen in fit.
    n_pairs_ : int
        Number of output columns, ``n_atoms_ * (n_atoms_ - 1) / 2``.
    symbols_ : ndarray of str of shape (`n_atoms_`,)
        Chemical symbols of the first structure seen in fit, in atom order.
        With ``sort=False`` every structure must have them in this order.
    species_ : ndarray of str of shape (n_species,)
        Chemical species of the structures, in order of atomic number.
    species_counts_ : ndarray of int of shape (n_species,)
        Number of atoms of each species of `species_` in every structure.

    See Also
    --------
    AseEnergyTransformer : Interatomic distances to ASE energies.
    PositionGradients : Energy derivatives in the positions, as ``y_grad``.

    Notes
    -----
    scikit-learn's metadata routing hands ``y_grad`` to the step that requests
    it unchanged; ``Pipeline(..., transform_input=["y_grad"])`` (scikit-learn
    1.6 or later) passes it through the ``transform`` of the steps before that
    one, which turns :class:`PositionGradients` into derivatives in the
    distance features. To fit energies and forces of ``ase.Atoms`` together::

        import sklearn
        from sklearn.pipeline import Pipeline
        from skphys import TanhMLPRegressor
        from skphys.atoms import PairDistanceTransformer, PositionGradients
        from skphys.datasets import make_trimer_dataset

        sklearn.set_config(enable_metadata_routing=True)
        X, E, y_grad, atoms = make_trimer_dataset(
            n_samples=200, random_state=0, return_y_grad=True, return_atoms=True)
        pipe = Pipeline(
            [("d", PairDistanceTransformer()),
             ("net", TanhMLPRegressor().set_fit_request(y_grad=True))],
            transform_input=["y_grad"],
        )
        pipe.fit(atoms, E, y_grad=PositionGradients(atoms))

    ``cross_validate(pipe, atoms, E, params={"y_grad": PositionGradients(atoms)})``
    and ``GridSearchCV`` split the ``PositionGradients`` by fold like the
    structures. Keep this transformer the last one before the step consuming
    ``y_grad``: a later transformer would treat the derivatives as data (a
    ``StandardScaler`` would subtract the mean distance from them).

    With ``sort=True`` the columns of the derivatives follow the permutation
    that sorts each structure's distances. Where two distances of one pair type
    are equal, that sort has a kink and the derivative is one of its one-sided
    derivatives (equal ones for a structure symmetric under swapping the two).

    Examples
    --------
    >>> from ase import Atoms
    >>> from skphys.atoms import PairDistanceTransformer
    >>> trimer = Atoms("Cu3", positions=[[0, 0, 0], [3, 0, 0], [0, 4, 0]])
    >>> PairDistanceTransformer().fit_transform([trimer])
    array([[3., 4., 5.]])

    With several species the columns are grouped by pair type:

    >>> alloy = Atoms("AuCuAu", positions=[[0, 0, 0], [3, 0, 0], [0, 4, 0]])
    >>> transformer = PairDistanceTransformer().fit([alloy])
    >>> transformer.transform([alloy])
    array([[3., 5., 4.]])
    >>> transformer.get_feature_names_out()
    array(['Cu-Au_1', 'Cu-Au_2', 'Au-Au_1'], dtype=object)

    Derivatives of an energy in those columns, here from EMT forces:

    >>> from ase.calculators.emt import EMT
    >>> from skphys.atoms import PositionGradients
    >>> alloy.calc = EMT()
    >>> transformer.transform(PositionGradients([alloy])).round(3)  # eV/Å
    array([[2.865, 0.015, 0.595]])
    """

    _parameter_constraints = {"sort": ["boolean"]}

    def __init__(self, *, sort=True):
        self.sort = sort

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Record the atom count and the composition of the structures.

        Parameters
        ----------
        X : list or 1-D object ndarray of ase.Atoms
            Structures with one common number of atoms (at least 2) and one
            composition; with ``sort=False``, also one order of the species.
        y : None
            Ignored.

        Returns
        -------
        self : PairDistanceTransformer
            The fitted transformer.
        """
        if isinstance(X, PositionGradients):
            raise TypeError(
                "fit takes the structures (a list of ase.Atoms); PositionGradients are "
                "y_grad, which a Pipeline with transform_input=['y_grad'] passes to "
                "transform"
            )
        structures = check_structures(X)
        symbols = structures[0].get_chemical_symbols()
        check_species(structures, symbols, in_order=not self.sort, seen="of the first sample")
        self.n_atoms_ = len(symbols)
        self.n_pairs_ = self.n_atoms_ * (self.n_atoms_ - 1) // 2
        self.symbols_ = np.array(symbols)
        numbers, counts = np.unique([atomic_numbers[s] for s in symbols], return_counts=True)
        self.species_ = np.array([chemical_symbols[z] for z in numbers])
        self.species_counts_ = counts
        return self

    def transform(self, X):
        """Interatomic distances of each structure, or derivatives in them.

        Parameters
        ----------
        X : list or 1-D object ndarray of ase.Atoms, or PositionGradients
            Structures of ``n_atoms_`` atoms and the composition seen in fit (in
            the atom order seen in fit when ``sort=False``); or such structures
            with the derivatives of their energies in the positions, eV/Å.

        Returns
        -------
        features : ndarray of shape (n_samples, `n_pairs_`)
            For structures, their distances, Å: grouped by pair type and
            ascending within each group when ``sort=True`` (see ``sort``), else
            in atom order. For :class:`PositionGradients`, the derivatives of
            the energies in those distance features, eV/Å, in the same columns.
        """
        check_is_fitted(self)
        if isinstance(X, PositionGradients):
            return self._distance_gradients(X)
        structures = self._check_structures(X)
        rows = [pair_distances(atoms) for atoms in structures]
        return np.array([d[self._column_order(d, atoms)]
                         for d, atoms in zip(rows, structures, strict=True)])

    def _check_structures(self, X):
        structures = check_structures(X, self.n_atoms_)
        check_species(structures, self.symbols_.tolist(), in_order=not self.sort,
                      seen="seen in fit")  # fmt: skip
        return structures

    def _column_order(self, distances, atoms):
        """Which distance, in atom order, each output column holds."""
        if not self.sort:
            return np.arange(len(distances))
        return pair_type_order(distances, atoms.get_chemical_symbols())

    def _distance_gradients(self, y_grad):
        """dE/d(features) of each structure of a PositionGradients, eV/Å."""
        structures = self._check_structures(y_grad.structures)
        periodic = [i for i, atoms in enumerate(structures) if np.any(atoms.pbc)]
        if periodic:
            raise ValueError(
                f"structures {periodic[:5]} are periodic: derivatives in minimum-image "
                "distances are not supported; pass isolated structures (pbc=False)"
            )
        rows = []
        for i, (atoms, gradient) in enumerate(zip(structures, y_grad.gradients, strict=True)):
            try:
                row = distance_gradient(atoms.positions, gradient)
            except ValueError as exc:
                raise ValueError(f"sample {i} of the PositionGradients: {exc}") from None
            rows.append(row[self._column_order(pair_distances(atoms), atoms)])
        return np.array(rows)

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns.

        Parameters
        ----------
        input_features : None
            Ignored: ``Atoms`` input has no column names.

        Returns
        -------
        feature_names_out : ndarray of str of shape (`n_pairs_`,)
            With ``sort=True``: ``A-B_k``, the k-th shortest distance (from 1)
            between species A and B, A the one of lower atomic number (e.g.
            ``Cu-Au_1, Cu-Au_2, Au-Au_1`` for CuAu2); a structure of one species
            has one group, named ``distance_1, ..., distance_{n_pairs_}``. With
            ``sort=False``: ``r12, r13, ..., r23, ...`` in atom order.
        """
        check_is_fitted(self)
        if not self.sort:
            names = pair_names(self.n_atoms_)
        elif len(self.species_) == 1:
            names = [f"distance_{k + 1}" for k in range(self.n_pairs_)]
        else:
            # Rows (low, high) come out of np.unique sorted as in sort_by_pair_type.
            types, sizes = np.unique(np.column_stack(pair_types(self.symbols_)), axis=0,
                                     return_counts=True)  # fmt: skip
            names = [
                f"{chemical_symbols[low]}-{chemical_symbols[high]}_{k + 1}"
                for (low, high), size in zip(types, sizes, strict=True)
                for k in range(size)
            ]
        return np.asarray(names, dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Input is a list of ase.Atoms, not a 2-D array (as for text vectorizers):
        # scikit-learn's data checks do not apply; tests/test_pair_distance.py
        # runs the same properties on Atoms.
        tags.input_tags.two_d_array = False
        tags.requires_fit = True
        return tags
