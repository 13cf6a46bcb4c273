"""Equations of state by the thousand: many E(V) curves fitted together, and compared.

:func:`fit_many` fits one form to every curve of a long table (one row per point,
a column naming the curve) and returns one row per curve: the parameters named as
the estimators' attributes (``e0``, ``b0``, ``bp``, ``v0``), their standard errors,
the sum of squares and the fit status. The curves are solved together, not in a
loop: one padded batch, residuals and Jacobians of all curves from the form's
written-out derivatives, a batched Levenberg-Marquardt with a convergence test per
curve (:mod:`skphys._core._batch`), and for the third-order Birch-Murnaghan form,
which is exactly a cubic in V^(-2/3), a batched linear solve. The optimum of each
curve is the one the single-curve estimator reaches. A column of pressures makes
each curve a fit of energies and pressures together, the pressures weighted per
curve as the estimators weight ``y_grad`` (:mod:`skphys._eos_batch`).

A dask DataFrame is fitted partition by partition, on whatever cluster dask runs
on, and gives the same table; its curves are shuffled into whole partitions first
only if some curve has points in two partitions.

:func:`average_forms` fits every form to every curve and weighs them (AICc or
BIC), with model-averaged parameters whose intervals span the disagreement
between forms. :func:`compare` compares two tables of fits as the ACWF verification study does
(its Δ, ε and ν metrics, :func:`delta`, :func:`epsilon`, :func:`nu`), each with a
standard error propagated from the fits' covariances (:func:`metric_stderr`), so
that a real disagreement between two codes can be told from fit noise.
"""

import numpy as np
import pandas as pd

from ._eos_average import average_forms
from ._eos_batch import fit_arrays
from ._eos_compare import compare, delta, epsilon, metric_stderr, nu
from ._models._eos import BirchMurnaghanRegressor, MurnaghanRegressor, VinetRegressor
from ._models._eos_more import (
    AntonSchmidtRegressor,
    PoirierTarantolaRegressor,
    StabilizedJelliumRegressor,
    TaylorRegressor,
)

FORMS = {
    "birch-murnaghan": BirchMurnaghanRegressor,
    "murnaghan": MurnaghanRegressor,
    "vinet": VinetRegressor,
    "poirier-tarantola": PoirierTarantolaRegressor,
    "anton-schmidt": AntonSchmidtRegressor,
    "taylor": TaylorRegressor,
    "stabilized-jellium": StabilizedJelliumRegressor,
}
"""The forms :func:`fit_many` knows, by name, with the estimator that declares each."""

# ase.eos's names, and spellings without the hyphen
_ALIASES = {"birchmurnaghan": "birch-murnaghan", "birch_murnaghan": "birch-murnaghan",
            "bm": "birch-murnaghan", "birch": "birch-murnaghan",
            "pouriertarantola": "poirier-tarantola", "poiriertarantola": "poirier-tarantola",
            "antonschmidt": "anton-schmidt", "sj": "stabilized-jellium",
            "p3": "taylor"}  # fmt: skip
# the covariances code-to-code comparison (:func:`compare`) propagates
_COVARIANCES = (("v0", "b0"), ("v0", "bp"), ("b0", "bp"))

__all__ = [
    "FORMS",
    "average_forms",
    "compare",
    "delta",
    "epsilon",
    "fit_many",
    "metric_stderr",
    "nu",
]


def _form(form):
    name = str(form).lower()
    name = _ALIASES.get(name, name)
    if name not in FORMS:
        raise ValueError(f"form must be one of {sorted(FORMS)}, got {form!r}.")
    return name, FORMS[name].physical_model


def _keys(group):
    """The group column(s) as a list."""
    return [group] if isinstance(group, str) else list(group)


def _check_columns(data, names):
    missing = [c for c in names if c not in data.columns]
    if missing:
        raise ValueError(f"data has no column(s) {missing}; it has {list(data.columns)}.")


def _pack(data, group, volume, energy, pressure=None):
    """The long table as padded (n_curves, n_max) arrays, curves in group order.

    Returns the group index, then volumes, energies and their weights, then
    pressures and their weights (``None`` without a pressure column). A missing
    energy (NaN) is allowed where the row has a pressure.
    """
    keys = _keys(group)
    v = data[volume].to_numpy(dtype=float)
    e = data[energy].to_numpy(dtype=float)
    p = None if pressure is None else data[pressure].to_numpy(dtype=float)
    has_e = np.isfinite(e)
    has_p = np.zeros_like(has_e) if p is None else np.isfinite(p)
    bad = ~np.isfinite(v) | np.isinf(e) | ~(has_e | has_p)
    if p is not None:
        bad |= np.isinf(p)
    if bad.any():
        where = data.loc[bad, keys].drop_duplicates().head(5).to_dict("records")
        columns = f"{volume!r} or {energy!r}" if p is None else (
            f"{volume!r}, or both {energy!r} and {pressure!r},")
        raise ValueError(
            f"{int(bad.sum())} row(s) have a missing or non-finite {columns} "
            f"(curves {where}); drop or fix them first."
        )  # fmt: skip
    if np.any(v <= 0):
        raise ValueError(
            f"Volumes must be positive; {volume!r} has a smallest value of {v.min():g}."
        )
    grouped = data.groupby(keys, sort=True)
    code = grouped.ngroup().to_numpy()
    position = grouped.cumcount().to_numpy()
    index = grouped.size().index
    n_curves, n_max = index.shape[0], int(position.max()) + 1 if len(position) else 0

    def padded(values, fill):
        array = np.full((n_curves, n_max), fill, dtype=float)
        array[code, position] = values
        return array

    volumes = padded(v, 1.0)
    # padding repeats a point of its curve, where the form is defined
    volumes = np.where(padded(np.ones_like(v), 0.0) > 0, volumes, volumes[:, :1])
    energies, weight = padded(np.where(has_e, e, 0.0), 0.0), padded(has_e, 0.0)
    if p is None:
        return index, volumes, energies, weight, None, None
    return (index, volumes, energies, weight, padded(np.where(has_p, p, 0.0), 0.0),
            padded(has_p, 0.0))  # fmt: skip


def _fit_frame(data, name, group, volume, energy, tol, max_iter, n_atoms=None, pressure=None):
    form_model = FORMS[name].physical_model
    index, volumes, energies, weight, pressures, pressure_weight = _pack(
        data, group, volume, energy, pressure
    )
    fits = fit_arrays(form_model, name, volumes, energies, weight, tol, max_iter, pressures,
                      pressure_weight)  # fmt: skip
    covariance = fits.covariance
    stderr = np.sqrt(np.diagonal(covariance, axis1=1, axis2=2))
    names = [n.lower() for n in form_model.names]
    with_pressures = {} if pressure is None else {
        "n_pressures": np.count_nonzero(pressure_weight, axis=1),
        "pressure_weight": fits.pressure_weight,
        "s_energy": fits.s_energy,
        "s_pressure": fits.s_pressure,
    }  # fmt: skip
    table = pd.DataFrame(
        {
            **{n: fits.params[:, j] for j, n in enumerate(names)},
            **{f"{n}_stderr": stderr[:, j] for j, n in enumerate(names)},
            **{f"cov_{a}_{b}": covariance[:, names.index(a), names.index(b)]
               for a, b in _COVARIANCES},
            "sse": fits.sse,
            "n_points": np.count_nonzero(weight, axis=1),
            **with_pressures,
            "n_iter": fits.n_iter,
            "status": fits.status.astype(str),
            "message": fits.message.astype(str),
        },
        index=index,
    )
    if n_atoms is not None:
        atoms = data.groupby(_keys(group), sort=True)[n_atoms]
        if (atoms.nunique() > 1).any():
            raise ValueError(f"{n_atoms!r} must be constant within each curve.")
        table.insert(0, "n_atoms", atoms.first().to_numpy())
    return table


def fit_many(data, form="birch-murnaghan", *, group, volume="volume", energy="energy",
             pressure=None, n_atoms=None, tol=1e-8, max_iter=200):  # fmt: skip
    """Fit an equation of state to every curve of a long table.

    Parameters
    ----------
    data : pandas.DataFrame or dask.dataframe.DataFrame
        One row per point: a volume (Å^3), an energy (eV), optionally a pressure
        (eV/Å^3) and the column(s) that name the curve.
    form : str, default='birch-murnaghan'
        The equation of state, one of :data:`FORMS` ('birch-murnaghan',
        'murnaghan', 'vinet', 'poirier-tarantola', 'anton-schmidt', 'taylor',
        'stabilized-jellium'; ase.eos's names are accepted too), as its estimator
        (:class:`~skphys.BirchMurnaghanRegressor`, ...) declares it.
    group : str or list of str
        Column(s) naming the curve.
    volume, energy : str, default='volume', 'energy'
        Columns of the volumes (Å^3) and energies (eV).
    pressure : str, default=None
        Column of the pressures ``P = -dE/dV`` (eV/Å^3, positive under
        compression; GPa times :data:`ase.units.GPa`), NaN where a point has none.
        A curve with pressures is fitted on its energies and pressures together,
        as ``Regressor().fit(V, E, y_grad=-P)`` fits it (see Notes); a point may
        then have a pressure and no energy (NaN). Curves without any pressure are
        fitted as without the column.
    n_atoms : str, default=None
        Column of the number of atoms of each curve's cell, carried into the
        result (what :func:`compare` needs for per-atom metrics).
    tol : float, default=1e-8
        Relative tolerance: a curve has converged when the Gauss-Newton step moves
        no parameter by more than 10 tol of its size or standard error (the rule
        the single-curve 'lm' solver ends on).
    max_iter : int, default=200
        Most iterations per curve.

    Returns
    -------
    fits : pandas.DataFrame or dask.dataframe.DataFrame
        Indexed by the group column(s), one row per curve: ``e0`` (eV), ``b0``
        (eV/Å^3), ``bp``, ``v0`` (Å^3), their standard errors ``*_stderr``, the
        covariances ``cov_v0_b0``, ``cov_v0_bp``, ``cov_b0_bp``, ``sse`` (the
        energies' sum of squared residuals, eV^2), ``n_points`` (energies),
        ``n_iter``, ``status`` ('converged', 'max_iter', 'unphysical' or
        'failed') and ``message``. With ``pressure``, also ``n_pressures``,
        ``pressure_weight`` (the fitted weight of the pressures, Å^6; NaN for a
        curve without), ``s_energy`` (residual standard deviation of an energy,
        eV: the estimators' ``sqrt(residual_variance_)``) and ``s_pressure`` (of a
        pressure, eV/Å^3: ``sqrt(gradient_variance_)``). A curve that cannot be
        fitted keeps NaN parameters and says why in ``status`` and ``message``. A
        dask input gives a dask result, computed lazily.

    Raises
    ------
    ValueError
        For an unknown form, missing columns, non-finite or non-positive volumes,
        or non-finite energies (naming the curves); with pressures, for a row with
        neither an energy nor a pressure.

    Notes
    -----
    The third-order Birch-Murnaghan energy is exactly a cubic in V^(-2/3): its
    least-squares optimum is solved as a batched linear problem (``n_iter`` 0,
    message 'exact: ...'), falling back to the iterative fit where the cubic has
    no minimum. The other forms start, as their estimators do, from a parabola
    through the points, and retry from the declared other starts where the first
    optimum is unphysical.

    With pressures, each curve's pressures form a second block of residuals,
    ``dE/dV + P``, weighted by ``w`` (Å^6) against the energies. ``w`` is
    estimated per curve as the estimators estimate ``gradient_weight='auto'``:
    ``w = s_E^2 / s_P^2``, each block's residual variance over its share of the
    degrees of freedom, refitted from the last optimum until ``w`` settles
    (status 'max_iter' if it does not). Birch-Murnaghan stays exact: at a fixed
    ``w``, energies and pressures are one linear least-squares problem in the
    cubic's coefficients. Before fitting, the pressures are checked against the
    energies to leading order (a line through P(V) and a parabola through E(V)
    each give B0): a curve whose two disagree in sign (pressures in the other sign
    convention) or by more than a factor of 3 (another unit) is 'failed', and its
    message says which.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from skphys.eos import fit_many
    >>> from skphys.functions import birch_murnaghan
    >>> v = np.linspace(15.0, 18.0, 7)
    >>> data = pd.DataFrame({
    ...     "curve": np.repeat(["a", "b"], 7),
    ...     "volume": np.tile(v, 2),
    ...     "energy": np.concatenate([birch_murnaghan(v, -3.7, 0.85, 4.5, 16.5),
    ...                               birch_murnaghan(v, -3.6, 0.80, 5.0, 16.4)]),
    ... })
    >>> fit_many(data, group="curve")[["v0", "b0", "bp"]].round(6)
             v0    b0   bp
    curve
    a      16.5  0.85  4.5
    b      16.4  0.80  5.0
    """
    name, form_model = _form(form)
    is_dask = hasattr(data, "map_partitions") and hasattr(data, "npartitions")
    if not is_dask and not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas or dask DataFrame, got {type(data).__name__}.")
    optional = [column for column in (pressure, n_atoms) if column is not None]
    _check_columns(data, [*_keys(group), volume, energy, *optional])
    if is_dask:
        return _fit_dask(data, name, group, volume, energy, tol, max_iter, n_atoms, pressure)
    return _fit_frame(data, name, group, volume, energy, tol, max_iter, n_atoms, pressure)


def _fit_dask(data, name, group, volume, energy, tol, max_iter, n_atoms=None, pressure=None):
    """Whole curves into partitions, then each partition fitted as a table."""
    keys = _keys(group)
    extra = [] if n_atoms is None else [n_atoms]
    numbers = [volume, energy, *([] if pressure is None else [pressure])]
    meta_index = data._meta.groupby(keys).size().index
    meta = _fit_frame(
        pd.DataFrame({**{k: data._meta[k] for k in [*keys, *extra]},
                      **{c: pd.Series(dtype=float) for c in numbers}}),  # fmt: skip
        name, group, volume, energy, tol, max_iter, n_atoms, pressure,
    ).set_axis(meta_index, axis=0)
    if _curves_span_partitions(data, keys):
        data = data.shuffle(on=keys)
    return data.map_partitions(
        _fit_frame, name, group, volume, energy, tol, max_iter, n_atoms, pressure, meta=meta
    )


def _tag_partition(frame, partition_info=None):
    return frame.drop_duplicates().assign(_partition=partition_info["number"])


def _curves_span_partitions(data, keys):
    """Whether some curve has points in two partitions (a pass over the keys only):
    data already split by curve (a file per code, a partition per material) are
    fitted where they lie, without a shuffle."""
    owners = data[keys].map_partitions(
        _tag_partition, meta={**data[keys]._meta.dtypes.to_dict(), "_partition": int}
    ).compute()
    return bool(owners.duplicated(subset=keys).any())
