"""AseEnergyTransformer: interatomic distances in, ASE energies relative to separated atoms out."""

import os
from numbers import Integral, Real

import numpy as np
from ase.calculators.calculator import BaseCalculator
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted, validate_data

from ._calculators import PickledCalculator, check_elements
from ._compute import compute_energies
from ._geometry import check_geometries


class AseEnergyTransformer(TransformerMixin, BaseEstimator):
    """Energies of a dimer or trimer from an ASE calculator, as a scikit-learn transformer.

    For two atoms X holds the separation r12; for three atoms the distances r12,
    r13 and r23 (atom order of ``symbols``). Each row becomes an isolated cluster
    (no cell), whose energy is returned relative to the separated atoms: the same
    atoms ``reference_distance`` apart from each other. The transformer is the
    labeller behind :func:`skphys.datasets.make_dimer_dataset` and a physics
    feature inside a :class:`~sklearn.pipeline.Pipeline` (delta learning).

    Parameters
    ----------
    symbols : str, default='Cu2'
        Chemical formula of the cluster, 2 or 3 atoms (``'Cu2'``, ``'CuAu'``,
        ``'Cu3'``); the order of the atoms fixes the order of the distances.
    calculator : {'emt'} or ase Calculator or callable, default='emt'
        ``'emt'`` is ASE's built-in effective-medium theory (Al, Cu, Ag, Au, Ni,
        Pd, Pt, and rough H, C, N, O), needing no external code. Also accepted: an
        ASE calculator instance (deep-copied before use, so that it is never
        changed), or a zero-argument factory returning one (called once per fit
        and transform, and once per call in parallel workers); pass a factory for
        a calculator holding a process or a socket, which cannot be copied.
    reference_distance : float, default=10.0
        Distance between every pair of atoms in the separated reference geometry,
        Å (an equilateral triangle for three atoms).
    cache : str or os.PathLike, default=None
        Path of an ASE database (SQLite, :mod:`ase.db`) keeping every computed
        total energy, keyed on the symbols, the distances rounded to
        ``skphys.atoms.CACHE_DISTANCE_DECIMALS`` decimals (1e-10 Å) and the
        calculator's name, class and parameters. A repeated run computes nothing;
        an interrupted run keeps its finished rows (written in batches, one
        transaction each, at least once a second). A file that is not an ASE
        database, or that caches another calculator, raises ValueError and is
        left untouched. ``None`` computes every time.
    n_jobs : int, default=None
        Calculator calls run in parallel through joblib; ``None`` means 1 unless
        in a ``joblib.parallel_config`` context, -1 means all processors. Inside
        ``joblib.parallel_config(backend='dask')`` the calls go to a
        dask.distributed cluster (extra ``skphys[dask]``). Results are identical to
        serial, in order.
    progress : bool, default=False
        Show a tqdm bar counting calculator calls and cache hits.

    Attributes
    ----------
    reference_energy_ : float
        Total energy of the separated atoms from the calculator, eV; subtracted
        from every energy.
    n_features_in_ : int
        Number of columns of X seen in fit: 1 (two atoms) or 3 (three atoms).
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names of X seen in fit, when X is a DataFrame with string names.

    See Also
    --------
    PairDistanceTransformer : ``ase.Atoms`` objects to interatomic distances.
    skphys.datasets.make_dimer_dataset : Dimer energies from this transformer.
    skphys.atoms.compute_energies : The function behind it, with call counts.

    Notes
    -----
    To use a cluster, start a ``dask.distributed.Client`` for it and transform
    inside ``with joblib.parallel_config(backend='dask'):``. Only the main process
    writes the cache, so no worker's rows are lost.

    Examples
    --------
    >>> from skphys.atoms import AseEnergyTransformer
    >>> energy = AseEnergyTransformer("Cu2").fit([[2.17]])
    >>> energy.transform([[2.17], [10.0]]).round(2)
    array([[-3.84],
           [ 0.  ]])
    """

    _parameter_constraints = {
        "symbols": [str],
        "calculator": [StrOptions({"emt"}), BaseCalculator, callable],
        "reference_distance": [Interval(Real, 0, None, closed="neither")],
        "cache": [str, os.PathLike, None],
        "n_jobs": [Integral, None],
        "progress": ["boolean"],
    }

    def __init__(self, symbols="Cu2", *, calculator="emt", reference_distance=10.0,
                 cache=None, n_jobs=None, progress=False):
        self.symbols = symbols
        self.calculator = calculator
        self.reference_distance = reference_distance
        self.cache = cache
        self.n_jobs = n_jobs
        self.progress = progress

    def _energies(self, X, progress):
        return compute_energies(self.symbols, X, self.calculator, cache=self.cache,
                                n_jobs=self.n_jobs, progress=progress)[0]

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the geometries and compute the energy of the separated atoms.

        Parameters
        ----------
        X : array-like of shape (n_samples, 1) or (n_samples, 3)
            Interatomic distances r12 (two atoms) or r12, r13, r23 (three atoms), Å.
        y : None
            Ignored.

        Returns
        -------
        self : AseEnergyTransformer
            The fitted transformer.
        """
        X = validate_data(self, X, dtype=np.float64)
        symbols = check_geometries(self.symbols, X, type(self).__name__)
        check_elements(self.calculator, symbols)
        reference = np.full((1, X.shape[1]), float(self.reference_distance))
        self.reference_energy_ = float(self._energies(reference, progress=False)[0])
        return self

    def transform(self, X):
        """Energies relative to the separated atoms.

        Parameters
        ----------
        X : array-like of shape (n_samples, 1) or (n_samples, 3)
            Interatomic distances r12 (two atoms) or r12, r13, r23 (three atoms), Å;
            positive, and for three atoms a triangle.

        Returns
        -------
        energies : ndarray of shape (n_samples, 1)
            Energy minus ``reference_energy_``, eV.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        check_geometries(self.symbols, X, type(self).__name__)
        return (self._energies(X, self.progress) - self.reference_energy_).reshape(-1, 1)

    def get_feature_names_out(self, input_features=None):
        """Name of the output column.

        Parameters
        ----------
        input_features : array-like of str, default=None
            Input column names, checked against those seen in fit.

        Returns
        -------
        feature_names_out : ndarray of str of shape (1,)
            ``['energy_eV']``.
        """
        check_is_fitted(self)
        _check_feature_names_in(self, input_features)
        return np.asarray(["energy_eV"], dtype=object)

    def __getstate__(self):
        # The calculator travels as cloudpickle bytes: factories that are lambdas and
        # used EMT instances pickle too, and one that cannot gets a clear TypeError
        # here rather than a failure deep inside pickle or joblib.
        state = dict(super().__getstate__())  # a copy: it may be self.__dict__
        if not isinstance(self.calculator, str):
            state["calculator"] = PickledCalculator(self.calculator,
                                                    f"pickling {type(self).__name__}")
        return state

    def __setstate__(self, state):
        if isinstance(state.get("calculator"), PickledCalculator):
            state = {**state, "calculator": state["calculator"].load()}
        super().__setstate__(state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True
        return tags
