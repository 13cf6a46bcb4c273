"""PairDistanceTransformer: ``ase.Atoms`` objects in, interatomic distances out."""

import numpy as np
from ase import Atoms
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils.validation import check_is_fitted

from ._geometry import pair_distances, pair_names


def check_structures(X, n_atoms=None):
    """A list of ``ase.Atoms`` with one common atom count, or a clear error.

    Parameters
    ----------
    X : list, tuple, 1-D object ndarray or pandas Series of ase.Atoms
    n_atoms : int, default=None
        Required atom count (the one seen in fit).

    Returns
    -------
    structures : list of ase.Atoms
    """
    if isinstance(X, Atoms):
        raise TypeError(
            "X must hold one ase.Atoms per sample; got a single Atoms object: wrap it "
            "in a list"
        )
    if isinstance(X, np.ndarray) and (X.dtype != object or X.ndim != 1):
        raise TypeError(
            "X must be a list or 1-D object array of ase.Atoms; got an ndarray of dtype "
            f"{X.dtype} and shape {X.shape}"
        )
    if isinstance(X, (str, bytes)) or not hasattr(X, "__iter__"):
        raise TypeError(f"X must be a list of ase.Atoms; got {type(X).__name__}")
    structures = list(X)
    wrong = [i for i, atoms in enumerate(structures) if not isinstance(atoms, Atoms)]
    if wrong:
        raise TypeError(
            f"X must hold ase.Atoms; sample {wrong[0]} is "
            f"{type(structures[wrong[0]]).__name__}"
        )
    if not structures:
        raise ValueError("X holds no structures (0 samples); at least 1 is required")
    counts = np.array([len(atoms) for atoms in structures])
    expected = counts[0] if n_atoms is None else n_atoms
    if np.any(counts != expected):
        i = int(np.flatnonzero(counts != expected)[0])
        raise ValueError(
            f"every structure must have {expected} atoms (the count "
            f"{'of the first sample' if n_atoms is None else 'seen in fit'}); "
            f"sample {i} has {counts[i]}. Mixed atom counts have no common distances"
        )
    if expected < 2:
        raise ValueError(f"structures of {expected} atom have no interatomic distance")
    return structures


class PairDistanceTransformer(TransformerMixin, BaseEstimator):
    """Interatomic distances of ``ase.Atoms`` structures, one row per structure.

    A pipeline can then go from ``Atoms`` objects straight to energies, e.g.
    ``make_pipeline(PairDistanceTransformer(), BuckinghamRegressor())`` fitted on
    the structures of ``make_dimer_dataset(return_atoms=True)``. Periodic
    structures use the minimum-image convention.

    Parameters
    ----------
    sort : bool, default=True
        Sort each row in ascending order, so that permuting like atoms leaves the
        features unchanged. ``False`` keeps atom order ``r12, r13, ..., r23, ...``,
        the input order of :class:`AseEnergyTransformer`.

    Attributes
    ----------
    n_atoms_ : int
        Number of atoms of every structure seen in fit.
    n_pairs_ : int
        Number of output columns, ``n_atoms_ * (n_atoms_ - 1) / 2``.

    See Also
    --------
    AseEnergyTransformer : Interatomic distances to ASE energies.

    Examples
    --------
    >>> from ase import Atoms
    >>> from skphys.atoms import PairDistanceTransformer
    >>> trimer = Atoms("Cu3", positions=[[0, 0, 0], [3, 0, 0], [0, 4, 0]])
    >>> PairDistanceTransformer().fit_transform([trimer])
    array([[3., 4., 5.]])
    """

    _parameter_constraints = {"sort": ["boolean"]}

    def __init__(self, *, sort=True):
        self.sort = sort

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Record the atom count of the structures.

        Parameters
        ----------
        X : list or 1-D object ndarray of ase.Atoms
            Structures with one common number of atoms (at least 2).
        y : None
            Ignored.

        Returns
        -------
        self : PairDistanceTransformer
            The fitted transformer.
        """
        self.n_atoms_ = len(check_structures(X)[0])
        self.n_pairs_ = self.n_atoms_ * (self.n_atoms_ - 1) // 2
        return self

    def transform(self, X):
        """Interatomic distances of each structure.

        Parameters
        ----------
        X : list or 1-D object ndarray of ase.Atoms
            Structures of ``n_atoms_`` atoms.

        Returns
        -------
        distances : ndarray of shape (n_samples, `n_pairs_`)
            Å; ascending in each row when ``sort=True``, else in atom order.
        """
        check_is_fitted(self)
        distances = np.array([pair_distances(a) for a in check_structures(X, self.n_atoms_)])
        return np.sort(distances, axis=1) if self.sort else distances

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns.

        Parameters
        ----------
        input_features : None
            Ignored: ``Atoms`` input has no column names.

        Returns
        -------
        feature_names_out : ndarray of str of shape (`n_pairs_`,)
            ``distance_1, ..., distance_{n_pairs_}`` (ascending) when ``sort=True``,
            else ``r12, r13, ..., r23, ...``.
        """
        check_is_fitted(self)
        if self.sort:
            names = [f"distance_{k + 1}" for k in range(self.n_pairs_)]
        else:
            names = pair_names(self.n_atoms_)
        return np.asarray(names, dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Input is a list of ase.Atoms, not a 2-D array (as for text vectorizers):
        # scikit-learn's data checks do not apply; tests/test_pair_distance.py
        # runs the same properties on Atoms.
        tags.input_tags.two_d_array = False
        tags.requires_fit = True
        return tags
