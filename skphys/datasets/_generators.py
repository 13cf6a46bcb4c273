"""Generators of labelled geometries: dimer and trimer energies (and dE/dr) from ASE."""

from numbers import Integral, Real

import numpy as np
from ase.calculators.singlepoint import SinglePointCalculator
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, validate_params

from .._atoms._compute import compute_energies
from .._atoms._distance_gradient import distance_jacobian
from .._atoms._energy_transformer import AseEnergyTransformer
from .._atoms._geometry import atoms_from_distances, parse_symbols

_TRANSFORMER_PARAMS = ("symbols", "calculator", "cache", "n_jobs", "progress")
_COMMON_CONSTRAINTS = {
    **{name: AseEnergyTransformer._parameter_constraints[name] for name in _TRANSFORMER_PARAMS},
    "n_samples": [Interval(Integral, 1, None, closed="left")],
    "r_min": [Interval(Real, 0, None, closed="neither")],
    "r_max": [Interval(Real, 0, None, closed="neither")],
    "noise": [Interval(Real, 0, None, closed="left")],
    "gradient_noise": [Interval(Real, 0, None, closed="left")],
    "random_state": ["random_state"],
    "return_atoms": ["boolean"],
    "return_y_grad": ["boolean"],
}


def _check_request(symbols, n_atoms, r_min, r_max, gradient_noise, return_y_grad):
    found = len(parse_symbols(symbols))
    if found != n_atoms:
        raise ValueError(f"symbols={symbols!r} has {found} atoms; this generator needs {n_atoms}")
    if r_min >= r_max:
        raise ValueError(f"r_min must be below r_max (Å); got r_min={r_min}, r_max={r_max}")
    if gradient_noise > 0 and not return_y_grad:
        raise ValueError(
            f"gradient_noise={gradient_noise} is noise on y_grad, which is returned only "
            "with return_y_grad=True; pass both, or neither"
        )


def _labelled_structures(symbols, X, y, y_grad):
    """The clusters of X carrying energy y and the forces of y_grad (noise included)."""
    structures = []
    for row, energy, gradient in zip(X, y, y_grad, strict=True):
        atoms = atoms_from_distances(symbols, row)
        forces = -(distance_jacobian(atoms.positions).T @ gradient).reshape(-1, 3)
        atoms.calc = SinglePointCalculator(atoms, energy=energy, forces=forces)
        structures.append(atoms)
    return structures


def _label(symbols, X, *, calculator, noise, gradient_noise, rng, cache, n_jobs, progress,
           return_atoms, return_y_grad):
    """Energies of the geometries X (plus Gaussian noise), dE/dr and structures if asked."""
    energy = AseEnergyTransformer(symbols, calculator=calculator, cache=cache, n_jobs=n_jobs,
                                  progress=progress)
    energy.fit(X)
    if return_y_grad:
        # The energies come with the forces, in one calculation per geometry.
        total, y_grad, _ = compute_energies(symbols, X, calculator, cache=cache, n_jobs=n_jobs,
                                            progress=progress, return_gradients=True)
        y = total - energy.reference_energy_
    else:
        y = energy.transform(X).ravel()
    # Energy noise first, so that y is the same with and without y_grad.
    if noise > 0:
        y = y + rng.normal(scale=noise, size=len(y))
    out = [X, y]
    if return_y_grad:
        if gradient_noise > 0:
            y_grad = y_grad + rng.normal(scale=gradient_noise, size=y_grad.shape)
        out.append(y_grad)
    if return_atoms:
        out.append(_labelled_structures(symbols, X, y, y_grad) if return_y_grad
                   else [atoms_from_distances(symbols, row) for row in X])
    return tuple(out)


@validate_params(_COMMON_CONSTRAINTS, prefer_skip_nested_validation=True)
def make_dimer_dataset(symbols="Cu2", n_samples=300, *, r_min=1.7, r_max=3.0, calculator="emt",
                       noise=0.0, gradient_noise=0.0, random_state=None, cache=None, n_jobs=None,
                       progress=False, return_atoms=False, return_y_grad=False):
    """Energies of a dimer at random separations, from an ASE calculator.

    Separations are drawn uniformly in ``[r_min, r_max]``; energies are relative
    to the two atoms 10 Å apart (see :class:`skphys.atoms.AseEnergyTransformer`).

    Parameters
    ----------
    symbols : str, default='Cu2'
        Chemical formula of the dimer (two atoms).
    n_samples : int, default=300
        Number of geometries.
    r_min : float, default=1.7
        Shortest separation, Å.
    r_max : float, default=3.0
        Longest separation, Å.
    calculator : {'emt'} or ase Calculator or callable, default='emt'
        ASE's EMT, a calculator instance, or a zero-argument factory of one.
    noise : float, default=0.0
        Standard deviation of Gaussian noise added to the energies, eV.
    gradient_noise : float, default=0.0
        Standard deviation of Gaussian noise added to every entry of ``y_grad``,
        eV/Å; needs ``return_y_grad=True``. Drawn after the energy noise, so that
        ``y`` does not depend on it.
    random_state : int, RandomState instance or None, default=None
        Seeds the geometries and the noise; an int gives the same data every time.
    cache : str or os.PathLike, default=None
        ASE database (SQLite) of computed energies, and of forces when
        ``return_y_grad=True``, reused across runs.
    n_jobs : int, default=None
        Parallel calculator calls through joblib (or a dask cluster inside
        ``joblib.parallel_config(backend='dask')``); the data do not depend on it.
    progress : bool, default=False
        Show a tqdm bar counting calculator calls and cache hits.
    return_atoms : bool, default=False
        Also return the structures as ``ase.Atoms``.
    return_y_grad : bool, default=False
        Also return ``y_grad``, the derivatives of the energies in the distances,
        from the calculator's forces (which it must implement).

    Returns
    -------
    X : ndarray of shape (n_samples, 1)
        Separations r12, Å.
    y : ndarray of shape (n_samples,)
        Energies relative to the separated atoms, eV.
    y_grad : ndarray of shape (n_samples, 1)
        ``dE/dr12``, eV/Å; only when ``return_y_grad=True``.
    atoms : list of ase.Atoms
        The ``n_samples`` dimers (no cell); only when ``return_atoms=True``.
        With ``return_y_grad=True`` too, each carries its labels in a
        ``SinglePointCalculator``: the energy ``y`` and the forces that
        ``y_grad`` implies (noise included), so that
        ``skphys.atoms.PositionGradients(atoms)`` gives ``y_grad`` back through a
        :class:`~skphys.PairDistanceTransformer`.

    Examples
    --------
    >>> from skphys.datasets import make_dimer_dataset
    >>> X, y = make_dimer_dataset(n_samples=5, random_state=0)
    >>> X.shape, y.shape
    ((5, 1), (5,))

    With the derivatives of the energies in the separation, from EMT forces:

    >>> X, y, y_grad = make_dimer_dataset(n_samples=5, random_state=0, return_y_grad=True)
    >>> y_grad.shape
    (5, 1)
    """
    _check_request(symbols, 2, r_min, r_max, gradient_noise, return_y_grad)
    rng = check_random_state(random_state)
    X = rng.uniform(r_min, r_max, size=(n_samples, 1))
    return _label(symbols, X, calculator=calculator, noise=noise, gradient_noise=gradient_noise,
                  rng=rng, cache=cache, n_jobs=n_jobs, progress=progress,
                  return_atoms=return_atoms, return_y_grad=return_y_grad)


def sample_triangles(n_samples, r_min, r_max, rng):
    """Triangles with every side in ``[r_min, r_max]``, uniform over the allowed sides.

    Triples of sides are drawn uniformly in the cube ``[r_min, r_max]^3`` and kept
    when they obey the triangle inequality (at least half of them do, as the
    equilateral diagonal always lies inside).

    Parameters
    ----------
    n_samples : int
        Number of triangles.
    r_min, r_max : float
        Shortest and longest side, Å.
    rng : numpy.random.RandomState

    Returns
    -------
    sides : ndarray of shape (n_samples, 3)
        ``r12, r13, r23``, Å.
    """
    kept = np.empty((0, 3))
    while len(kept) < n_samples:
        sides = rng.uniform(r_min, r_max, size=(2 * n_samples, 3))
        ok = sides.sum(axis=1) > 2 * sides.max(axis=1)
        kept = np.vstack([kept, sides[ok]])
    return kept[:n_samples]


@validate_params(_COMMON_CONSTRAINTS, prefer_skip_nested_validation=True)
def make_trimer_dataset(symbols="Cu3", n_samples=300, *, r_min=1.7, r_max=3.0, calculator="emt",
                        noise=0.0, gradient_noise=0.0, random_state=None, cache=None, n_jobs=None,
                        progress=False, return_atoms=False, return_y_grad=False):
    """Energies of a trimer at random triangular geometries, from an ASE calculator.

    Every interatomic distance lies in ``[r_min, r_max]``: no two atoms closer
    than ``r_min`` and none detached beyond ``r_max``. The three distances are
    uniform over the triangles allowed (see :func:`sample_triangles`), collinear
    and equilateral ones included. Energies are relative to the three atoms 10 Å
    from each other (see :class:`skphys.atoms.AseEnergyTransformer`).

    Parameters
    ----------
    symbols : str, default='Cu3'
        Chemical formula of the trimer (three atoms).
    n_samples : int, default=300
        Number of geometries.
    r_min : float, default=1.7
        Shortest interatomic distance, Å.
    r_max : float, default=3.0
        Longest interatomic distance, Å.
    calculator : {'emt'} or ase Calculator or callable, default='emt'
        ASE's EMT, a calculator instance, or a zero-argument factory of one.
    noise : float, default=0.0
        Standard deviation of Gaussian noise added to the energies, eV.
    gradient_noise : float, default=0.0
        Standard deviation of Gaussian noise added to every entry of ``y_grad``,
        eV/Å; needs ``return_y_grad=True``. Drawn after the energy noise, so that
        ``y`` does not depend on it.
    random_state : int, RandomState instance or None, default=None
        Seeds the geometries and the noise; an int gives the same data every time.
    cache : str or os.PathLike, default=None
        ASE database (SQLite) of computed energies, and of forces when
        ``return_y_grad=True``, reused across runs.
    n_jobs : int, default=None
        Parallel calculator calls through joblib (or a dask cluster inside
        ``joblib.parallel_config(backend='dask')``); the data do not depend on it.
    progress : bool, default=False
        Show a tqdm bar counting calculator calls and cache hits.
    return_atoms : bool, default=False
        Also return the structures as ``ase.Atoms``.
    return_y_grad : bool, default=False
        Also return ``y_grad``, the derivatives of the energies in the distances,
        from the calculator's forces (which it must implement).

    Returns
    -------
    X : ndarray of shape (n_samples, 3)
        Distances r12, r13, r23, Å.
    y : ndarray of shape (n_samples,)
        Energies relative to the separated atoms, eV.
    y_grad : ndarray of shape (n_samples, 3)
        ``dE/dr12, dE/dr13, dE/dr23``, eV/Å, in the columns of X; only when
        ``return_y_grad=True``.
    atoms : list of ase.Atoms
        The ``n_samples`` trimers (no cell); only when ``return_atoms=True``.
        With ``return_y_grad=True`` too, each carries its labels in a
        ``SinglePointCalculator``: the energy ``y`` and the forces that
        ``y_grad`` implies (noise included), so that
        ``skphys.atoms.PositionGradients(atoms)`` gives ``y_grad`` back through a
        :class:`~skphys.PairDistanceTransformer` (with ``sort=False``, in the
        columns of X).

    Examples
    --------
    >>> from skphys.datasets import make_trimer_dataset
    >>> X, y = make_trimer_dataset(n_samples=5, random_state=0)
    >>> X.shape, y.shape
    ((5, 3), (5,))

    Derivatives in the three distances, and structures that carry the labels:

    >>> X, y, y_grad, atoms = make_trimer_dataset(n_samples=5, random_state=0,
    ...                                           return_y_grad=True, return_atoms=True)
    >>> y_grad.shape, atoms[0].get_forces().shape
    ((5, 3), (3, 3))
    """
    _check_request(symbols, 3, r_min, r_max, gradient_noise, return_y_grad)
    rng = check_random_state(random_state)
    X = sample_triangles(n_samples, r_min, r_max, rng)
    return _label(symbols, X, calculator=calculator, noise=noise, gradient_noise=gradient_noise,
                  rng=rng, cache=cache, n_jobs=n_jobs, progress=progress,
                  return_atoms=return_atoms, return_y_grad=return_y_grad)
