"""Code-to-code comparison of equation-of-state fits: the ACWF metrics Δ, ε and ν.

The ACWF verification study (S. Bosoni et al., "How to verify the precision of
density-functional-theory implementations via reproducible and universal
workflows", Nat. Rev. Phys. 6, 45 (2024)) compares the third-order
Birch-Murnaghan fits of one material by two codes, a and b, with three numbers.
Its reference implementation is ``acwf_paper_plots/quantities_for_comparison.py``
of the repository ``aiidateam/acwf-verification-scripts`` (functions ``delta``,
``epsilon`` and ``nu``); the definitions below are ported from there, written anew:

- Δ, meV per atom (or per cell, as the volumes are)::

      Δ = 1000 sqrt( ∫ (E_a(V) - E_b(V))^2 dV / (V_max - V_min) )

- ε, dimensionless::

      ε = sqrt( ∫ (E_a - E_b)^2 dV / sqrt( ∫ (E_a - <E_a>)^2 dV ∫ (E_b - <E_a>)^2 dV ) )

- ν, dimensionless::

      ν = 100 sqrt( Σ_X ( w_X 2 (X_a - X_b) / (X_a + X_b) )^2 ),  X in (V0, B0, B1),
      w_V0 = 1, w_B0 = 1/20, w_B1 = 1/400

Both integrals run over V0_mean (1 ± 0.06), ``V0_mean = (V0_a + V0_b) / 2``; both
curves have their minimum energy set to zero (E0 plays no part: the absolute
energies of two codes are not comparable), and <E> is a mean over that window.
The ε of the reference centres *both* variances on the mean of curve a (its line
``Eavg2 = intEdV(v0w, ...)``), which makes ε slightly asymmetric (to second order
in the difference of the curves); ``centre="own"`` centres each curve on its own
mean instead, as the paper's formula is written.

The integrals are a fixed Gauss-Legendre rule in V, not the reference's closed
forms: the integrand is analytic on the window, whose nearest singularity (V = 0)
lies 1/0.06 half-widths away, so 16 nodes are exact to rounding; a sum of
squares loses none of the digits that the closed forms' differences of large
antiderivatives do; and autograd differentiates it, which the standard errors
need (:func:`metric_stderr`).

Standard errors follow from the fits' covariances by the delta method: the
metric's gradient with respect to the six parameters (by autograd, through the
quadrature) projects each fit's covariance, ``var = g_a' C_a g_a + g_b' C_b g_b``.
The two codes' fits are independent; within a fit V0, B0 and B1 are independent
unless a covariance is given. The linearisation holds where the metric is much
larger than its standard error; where the two fits agree within their noise the
metric's distribution is skewed away from zero (a norm of a noisy difference), and
at a metric of exactly zero the derivative does not exist (the standard error is NaN).
"""

import functools

import autograd.numpy as anp
import numpy as np
import pandas as pd
from autograd import grad

from .functions import birch_murnaghan

WINDOW = 0.06
"""Half-width of the integration window of Δ and ε, relative to the mean V0 (ACWF)."""

NU_WEIGHTS = (1.0, 1.0 / 20.0, 1.0 / 400.0)
"""ACWF's weights (w_V0, w_B0, w_B1) of the relative differences in ν."""

NU_PREFACTOR = 100.0
"""ACWF's factor in front of ν."""

# Gauss-Legendre rule on [-1, 1]; with a half-width 0.06 of the centre the error
# of an n-node rule falls as (1 / 0.06 + sqrt(1 / 0.06^2 - 1))^(-2 n) ~ 33^(-2 n).
_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(16)

PARAMETERS = ("v0", "b0", "bp")
"""The fitted parameters the metrics take, in the order of the arguments."""


def _window(v0_a, v0_b):
    """Quadrature volumes (..., 16) in Å^3, their weights (Å^3) and the window width."""
    centre = 0.5 * (v0_a + v0_b)
    half = WINDOW * centre
    volumes = anp.expand_dims(centre, -1) + anp.expand_dims(half, -1) * _NODES
    weights = anp.expand_dims(half, -1) * _WEIGHTS
    return volumes, weights, 2.0 * half


def _energy(volumes, v0, b0, bp):
    """Birch-Murnaghan energy (eV) at ``volumes`` with its minimum at zero."""
    return birch_murnaghan(volumes, 0.0, anp.expand_dims(b0, -1), anp.expand_dims(bp, -1),
                           anp.expand_dims(v0, -1))  # fmt: skip


def _delta(v0_a, b0_a, bp_a, v0_b, b0_b, bp_b):
    volumes, weights, width = _window(v0_a, v0_b)
    difference = _energy(volumes, v0_a, b0_a, bp_a) - _energy(volumes, v0_b, b0_b, bp_b)
    return 1000.0 * anp.sqrt(anp.sum(weights * difference**2, axis=-1) / width)


def _epsilon(v0_a, b0_a, bp_a, v0_b, b0_b, bp_b, centre="acwf"):
    volumes, weights, width = _window(v0_a, v0_b)
    energy_a = _energy(volumes, v0_a, b0_a, bp_a)
    energy_b = _energy(volumes, v0_b, b0_b, bp_b)
    mean_a = anp.sum(weights * energy_a, axis=-1, keepdims=True) / anp.expand_dims(width, -1)
    mean_b = mean_a
    if centre == "own":
        mean_b = anp.sum(weights * energy_b, axis=-1, keepdims=True) / anp.expand_dims(width, -1)
    spread_a = anp.sum(weights * (energy_a - mean_a) ** 2, axis=-1)
    spread_b = anp.sum(weights * (energy_b - mean_b) ** 2, axis=-1)
    squared = anp.sum(weights * (energy_a - energy_b) ** 2, axis=-1)
    return anp.sqrt(squared / anp.sqrt(spread_a * spread_b))


def _relative_difference(a, b):
    return 2.0 * (a - b) / (a + b)


def _nu(v0_a, b0_a, bp_a, v0_b, b0_b, bp_b, weights=NU_WEIGHTS):
    w_v0, w_b0, w_bp = weights
    squares = ((w_v0 * _relative_difference(v0_a, v0_b)) ** 2
               + (w_b0 * _relative_difference(b0_a, b0_b)) ** 2
               + (w_bp * _relative_difference(bp_a, bp_b)) ** 2)  # fmt: skip
    return NU_PREFACTOR * anp.sqrt(squares)


def _checked(v0_a, b0_a, bp_a, v0_b, b0_b, bp_b):
    """The six inputs as float arrays of one broadcast shape, volumes and moduli positive."""
    arrays = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in
                                   (v0_a, b0_a, bp_a, v0_b, b0_b, bp_b)))  # fmt: skip
    for name, values in zip(("v0_a", "b0_a", None, "v0_b", "b0_b", None), arrays, strict=True):
        # NaN (a failed fit) passes and gives NaN; a non-positive value is an error
        if name is not None and np.any(values <= 0):
            unit = "Å^3" if name.startswith("v0") else "eV/Å^3"
            raise ValueError(f"{name} must be positive ({unit}); its smallest value is "
                             f"{np.nanmin(values):g}.")  # fmt: skip
    return arrays


def delta(v0_a, b0_a, bp_a, v0_b, b0_b, bp_b):
    """ACWF's Δ: root-mean-square energy difference of two Birch-Murnaghan curves.

    ``Δ = 1000 sqrt(∫ (E_a - E_b)^2 dV / (V_max - V_min))`` over the volumes
    ``(V0_a + V0_b) / 2 (1 ± 0.06)``, each curve with its minimum at zero energy
    (function ``delta`` of ``acwf_paper_plots/quantities_for_comparison.py``,
    aiidateam/acwf-verification-scripts; Bosoni et al., Nat. Rev. Phys. 6, 45 (2024)).

    Parameters
    ----------
    v0_a, b0_a, bp_a : float or array-like
        Fit of code a: equilibrium volume (Å^3, per atom for Δ per atom), bulk
        modulus (eV/Å^3) and its pressure derivative (dimensionless); one value
        per curve, arrays broadcast against each other.
    v0_b, b0_b, bp_b : float or array-like
        The same for code b.

    Returns
    -------
    delta : ndarray
        Δ, meV per atom if the volumes are per atom (meV per cell if per cell:
        Δ scales with the number of atoms the volume is for).

    Raises
    ------
    ValueError
        If a volume or bulk modulus is not positive.
    """
    return _delta(*_checked(v0_a, b0_a, bp_a, v0_b, b0_b, bp_b))


def epsilon(v0_a, b0_a, bp_a, v0_b, b0_b, bp_b, *, centre="acwf"):
    """ACWF's ε: energy difference of two Birch-Murnaghan curves relative to their spread.

    ``ε = sqrt(∫ (E_a - E_b)^2 dV / sqrt(∫ (E_a - <E_a>)^2 dV ∫ (E_b - <E>)^2 dV))``
    over the volumes ``(V0_a + V0_b) / 2 (1 ± 0.06)``, each curve with its
    minimum at zero energy (function ``epsilon`` of
    ``acwf_paper_plots/quantities_for_comparison.py``, aiidateam/acwf-verification-scripts;
    Bosoni et al., Nat. Rev. Phys. 6, 45 (2024)).

    Parameters
    ----------
    v0_a, b0_a, bp_a : float or array-like
        Fit of code a: equilibrium volume (Å^3, per atom or per cell: ε does not
        depend on which), bulk modulus (eV/Å^3) and its pressure derivative
        (dimensionless); one value per curve, arrays broadcast against each other.
    v0_b, b0_b, bp_b : float or array-like
        The same for code b.
    centre : {"acwf", "own"}, default="acwf"
        The mean <E> of the spread of curve b. ``"acwf"``: the mean of curve a,
        as the reference code computes it and as the published values are (then
        swapping a and b changes ε, at second order in the difference of the
        curves). ``"own"``: the mean of curve b itself, as the paper writes the
        formula; ε is then symmetric in a and b.

    Returns
    -------
    epsilon : ndarray
        Epsilon (ε), dimensionless (ACWF calls ε < 0.06 excellent and ε < 0.2 good agreement).

    Raises
    ------
    ValueError
        If a volume or bulk modulus is not positive, or ``centre`` is unknown.
    """
    if centre not in ("acwf", "own"):
        raise ValueError(f"centre must be 'acwf' or 'own', got {centre!r}.")
    return _epsilon(*_checked(v0_a, b0_a, bp_a, v0_b, b0_b, bp_b), centre=centre)


def nu(v0_a, b0_a, bp_a, v0_b, b0_b, bp_b, *, weights=NU_WEIGHTS):
    """ACWF's ν: weighted relative differences of the fitted parameters.

    ``ν = 100 sqrt(Σ_X (w_X 2 (X_a - X_b) / (X_a + X_b))^2)`` over X = V0, B0, B1
    (function ``nu`` of ``acwf_paper_plots/quantities_for_comparison.py``,
    aiidateam/acwf-verification-scripts, with the weights of
    ``acwf_paper_plots/plots/common/generate_periodic_tables.py``; Bosoni et al.,
    Nat. Rev. Phys. 6, 45 (2024)).

    Parameters
    ----------
    v0_a, b0_a, bp_a : float or array-like
        Fit of code a: equilibrium volume (Å^3, per atom or per cell: ν does not
        depend on which), bulk modulus (eV/Å^3, or any unit: ν uses ratios) and
        its pressure derivative (dimensionless); one value per curve.
    v0_b, b0_b, bp_b : float or array-like
        The same for code b.
    weights : tuple of 3 floats, default=(1, 1/20, 1/400)
        (w_V0, w_B0, w_B1), ACWF's weights: a 1 % difference in V0 counts as much
        as 20 % in B0 and 400 % in B1.

    Returns
    -------
    nu : ndarray
        Nu (ν), dimensionless (ACWF calls ν < 0.1 excellent and ν < 0.33 good agreement).

    Raises
    ------
    ValueError
        If a volume or bulk modulus is not positive, or ``weights`` is not three numbers.
    """
    weights = tuple(float(w) for w in np.ravel(weights))
    if len(weights) != 3:
        raise ValueError(f"weights must be (w_V0, w_B0, w_B1), got {len(weights)} number(s).")
    return _nu(*_checked(v0_a, b0_a, bp_a, v0_b, b0_b, bp_b), weights=weights)


_KERNELS = {"delta": _delta, "epsilon": _epsilon, "nu": _nu}
"""The metrics by name, as pure functions of (v0_a, b0_a, bp_a, v0_b, b0_b, bp_b)."""


def metric_stderr(metric, params_a, params_b, cov_a, cov_b, **options):
    """Delta-method standard error of a metric from the covariances of the two fits.

    ``var = g_a' C_a g_a + g_b' C_b g_b``, with ``g`` the metric's gradient (by
    autograd) with respect to each fit's (V0, B0, B1): the two fits are taken as
    independent of each other, and each fit's parameters correlate as its
    covariance says.

    Parameters
    ----------
    metric : {"delta", "epsilon", "nu"}
        The metric.
    params_a, params_b : array-like of shape (n_curves, 3)
        (V0 in Å^3, B0 in eV/Å^3, B1) of each curve for code a and code b.
    cov_a, cov_b : array-like of shape (n_curves, 3, 3)
        Covariance of each curve's (V0, B0, B1), in the units of the squared
        parameters; NaN where a variance is unknown (the standard error is then NaN).
    **options
        ``centre`` for ε, ``weights`` for ν.

    Returns
    -------
    value : ndarray of shape (n_curves,)
        The metric (meV for Δ, dimensionless for ε and ν).
    stderr : ndarray of shape (n_curves,)
        Its standard error, in the metric's unit; NaN where the metric is zero
        (no derivative there) or a variance is unknown.

    Raises
    ------
    ValueError
        If ``metric`` is unknown or the shapes do not match.
    """
    if metric not in _KERNELS:
        raise ValueError(f"metric must be one of {sorted(_KERNELS)}, got {metric!r}.")
    params_a, params_b = (np.atleast_2d(np.asarray(p, dtype=float)) for p in (params_a, params_b))
    cov_a, cov_b = (np.asarray(c, dtype=float).reshape(-1, 3, 3) for c in (cov_a, cov_b))
    n = params_a.shape[0]
    if params_a.shape != (n, 3) or params_b.shape != (n, 3) or cov_a.shape[0] != n \
            or cov_b.shape[0] != n:  # fmt: skip
        raise ValueError(
            f"params_a and params_b must be (n_curves, 3) and cov_a, cov_b (n_curves, 3, 3); "
            f"got {params_a.shape}, {params_b.shape}, {cov_a.shape}, {cov_b.shape}."
        )
    kernel = functools.partial(_KERNELS[metric], **options)
    args = (*params_a.T, *params_b.T)
    value = kernel(*_checked(*args))

    def summed(stacked):
        # curves are independent: the gradient of the sum is each curve's gradient
        return anp.sum(kernel(*(stacked[i] for i in range(6))))

    with np.errstate(divide="ignore", invalid="ignore"):
        gradient = grad(summed)(np.array(args))  # (6, n_curves)
        variance = (np.einsum("in,nij,jn->n", gradient[:3], cov_a, gradient[:3])
                    + np.einsum("in,nij,jn->n", gradient[3:], cov_b, gradient[3:]))  # fmt: skip
        stderr = np.sqrt(variance)
    stderr[value == 0] = np.nan
    return value, stderr


_COVARIANCES = {("v0", "b0"): "cov_v0_b0", ("v0", "bp"): "cov_v0_bp", ("b0", "bp"): "cov_b0_bp"}
"""Optional columns of a fits table with the covariance of two parameters of a fit."""


def _indexed(fits, name, on):
    """``fits`` indexed by curve, with the parameter columns checked."""
    if not isinstance(fits, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame of fits, got {type(fits).__name__}.")
    if on is not None:
        keys = [on] if isinstance(on, str) else list(on)
        absent = [key for key in keys if key not in fits.columns]
        if absent:
            raise ValueError(f"{name} has no column(s) {absent} to name the curves (on={on!r}).")
        fits = fits.set_index(keys)
    missing = [column for column in PARAMETERS if column not in fits.columns]
    if missing:
        raise ValueError(f"{name} has no column(s) {missing}; a fits table needs "
                         f"{list(PARAMETERS)} (as skphys.eos.fit_many returns); "
                         f"it has {list(fits.columns)}.")  # fmt: skip
    duplicated = fits.index[fits.index.duplicated()]
    if len(duplicated):
        raise ValueError(f"{name} has {len(duplicated)} repeated curve name(s), e.g. "
                         f"{list(duplicated[:3])}; each curve must be one row.")  # fmt: skip
    for column in ("v0", "b0"):
        bad = fits.index[fits[column].to_numpy(dtype=float) <= 0]
        if len(bad):
            raise ValueError(f"{name}[{column!r}] must be positive; it is not for curve(s) "
                             f"{list(bad[:3])}.")  # fmt: skip
    return fits


def _shared_curves(fits_a, fits_b, missing):
    only_a = fits_a.index.difference(fits_b.index)
    only_b = fits_b.index.difference(fits_a.index)
    if missing == "raise" and (len(only_a) or len(only_b)):
        raise ValueError(
            f"The two tables name different curves: {len(only_a)} only in fits_a "
            f"(e.g. {list(only_a[:3])}), {len(only_b)} only in fits_b (e.g. {list(only_b[:3])}). "
            f"Pass missing='drop' to compare the curves they share."
        )
    shared = fits_a.index[fits_a.index.isin(fits_b.index)]
    if not len(shared):
        raise ValueError("fits_a and fits_b have no curve in common: check their index or `on`.")
    return shared


def _per_atom(fits_a, fits_b):
    """Atoms each row's volume is for (ones for per-cell volumes), and the Δ unit."""
    has = ["n_atoms" in fits.columns for fits in (fits_a, fits_b)]
    if has[0] != has[1]:
        raise ValueError(
            f"Only {'fits_a' if has[0] else 'fits_b'} has an 'n_atoms' column: give it in both "
            f"tables (per-atom metrics) or in neither (per-cell volumes of the same cells)."
        )
    if not has[0]:
        return np.ones(len(fits_a)), np.ones(len(fits_b)), "meV/cell"
    counts = [fits["n_atoms"].to_numpy(dtype=float) for fits in (fits_a, fits_b)]
    if any(np.any(~(c > 0)) for c in counts):
        raise ValueError("n_atoms must be positive in both tables.")
    return *counts, "meV/atom"


def _parameters_and_covariance(fits, n_atoms):
    """(n, 3) parameters and (n, 3, 3) covariances, volumes per atom (or per cell)."""
    params = fits[list(PARAMETERS)].to_numpy(dtype=float, copy=True)
    cov = np.zeros((len(fits), 3, 3))
    for i, column in enumerate(PARAMETERS):
        stderr = f"{column}_stderr"
        cov[:, i, i] = fits[stderr].to_numpy(dtype=float) ** 2 if stderr in fits else np.nan
    for (first, second), column in _COVARIANCES.items():
        if column in fits:
            i, j = PARAMETERS.index(first), PARAMETERS.index(second)
            cov[:, i, j] = cov[:, j, i] = fits[column].to_numpy(dtype=float)
    params[:, 0] /= n_atoms
    scale = np.ones_like(params)
    scale[:, 0] = 1.0 / n_atoms
    return params, cov * scale[:, :, None] * scale[:, None, :]


def compare(fits_a, fits_b, *, on=None, missing="raise", centre="acwf", nu_weights=NU_WEIGHTS):
    """ACWF's Δ, ε and ν, with standard errors, for every curve of two tables of fits.

    Parameters
    ----------
    fits_a, fits_b : pandas.DataFrame
        One row per curve, as :func:`skphys.eos.fit_many` returns: ``v0`` (Å^3),
        ``b0`` (eV/Å^3), ``bp`` (dimensionless). Optional columns: their standard
        errors ``v0_stderr``, ``b0_stderr``, ``bp_stderr`` (without one, the
        metrics' standard errors are NaN); covariances ``cov_v0_b0``,
        ``cov_v0_bp``, ``cov_b0_bp`` (taken as zero when absent); ``n_atoms``,
        the atoms the volume is for (in both tables or neither), which makes Δ
        per atom. ``e0`` is not used: the metrics compare curves with their
        minima at zero energy.
    on : str or list of str, optional
        Columns naming the curves; by default, the index.
    missing : {"raise", "drop"}, default="raise"
        What to do when the tables do not name the same curves: raise, or compare
        the curves they share.
    centre : {"acwf", "own"}, default="acwf"
        The mean of the spread of curve b in ε; see :func:`epsilon`.
    nu_weights : tuple of 3 floats, default=(1, 1/20, 1/400)
        (w_V0, w_B0, w_B1) of ν; see :func:`nu`.

    Returns
    -------
    comparison : pandas.DataFrame
        Indexed by curve (in the order of ``fits_a``), with columns ``delta``
        (meV/atom with ``n_atoms``, meV/cell without; ``attrs["delta_unit"]``
        says which), ``delta_stderr``, ``epsilon``, ``epsilon_stderr``, ``nu``
        and ``nu_stderr``. A standard error much smaller than its metric marks a
        real difference between the codes; one as large as the metric, a
        difference that the fits' noise can explain. A failed fit (NaN
        parameters) gives NaN metrics.

    Raises
    ------
    ValueError
        For a missing column, a repeated curve, curves in one table only (with
        ``missing="raise"``), ``n_atoms`` in one table only, or a non-positive
        volume, bulk modulus or number of atoms.

    Examples
    --------
    >>> import pandas as pd
    >>> from skphys.eos import compare
    >>> code_a = pd.DataFrame({"v0": [16.48, 11.97], "b0": [0.883, 0.5],
    ...                        "bp": [5.0, 4.6], "v0_stderr": [0.002, 0.001],
    ...                        "b0_stderr": [0.001, 0.0005], "bp_stderr": [0.05, 0.03],
    ...                        "n_atoms": [1, 1]}, index=["Al-X/FCC", "Cu-X/FCC"])
    >>> code_b = code_a.assign(v0=[16.50, 11.971], b0=[0.875, 0.5003])
    >>> table = compare(code_a, code_b)
    >>> table[["nu", "nu_stderr"]].round(3)
                 nu  nu_stderr
    Al-X/FCC  0.130      0.016
    Cu-X/FCC  0.009      0.011

    Al differs beyond the fits' noise; Cu's difference is within it.

    >>> table.attrs["delta_unit"]
    'meV/atom'
    """
    if missing not in ("raise", "drop"):
        raise ValueError(f"missing must be 'raise' or 'drop', got {missing!r}.")
    if centre not in ("acwf", "own"):
        raise ValueError(f"centre must be 'acwf' or 'own', got {centre!r}.")
    fits_a, fits_b = _indexed(fits_a, "fits_a", on), _indexed(fits_b, "fits_b", on)
    shared = _shared_curves(fits_a, fits_b, missing)
    fits_a, fits_b = fits_a.loc[shared], fits_b.loc[shared]
    atoms_a, atoms_b, delta_unit = _per_atom(fits_a, fits_b)
    params_a, cov_a = _parameters_and_covariance(fits_a, atoms_a)
    params_b, cov_b = _parameters_and_covariance(fits_b, atoms_b)
    options = {"delta": {}, "epsilon": {"centre": centre},
               "nu": {"weights": tuple(float(w) for w in nu_weights)}}  # fmt: skip
    columns = {}
    for metric, extra in options.items():
        value, stderr = metric_stderr(metric, params_a, params_b, cov_a, cov_b, **extra)
        columns[metric], columns[f"{metric}_stderr"] = value, stderr
    comparison = pd.DataFrame(columns, index=shared)
    comparison.attrs["delta_unit"] = delta_unit
    return comparison
