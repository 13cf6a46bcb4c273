"""Equations of state by the thousand: many E(V) curves fitted together, and compared.

:func:`fit_many` fits one form to every curve of a long table (one row per point,
a column naming the curve) and returns one row per curve: the parameters named as
the estimators' attributes (``e0``, ``b0``, ``bp``, ``v0``), their standard errors,
the sum of squares and the fit status. The curves are solved together, not in a
loop: one padded batch, residuals and Jacobians of all curves from the form's
written-out derivatives, a batched Levenberg-Marquardt with a convergence test per
curve (:mod:`skphys._core._batch`), and for the third-order Birch-Murnaghan form,
which is exactly a cubic in V^(-2/3), a batched linear solve. The optimum of each
curve is the one the single-curve estimator reaches.

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

from ._core._batch import batch_covariance, batch_least_squares
from ._eos_average import average_forms
from ._eos_compare import compare, delta, epsilon, metric_stderr, nu
from ._models._eos import (
    BirchMurnaghanRegressor,
    MurnaghanRegressor,
    VinetRegressor,
    parabola_rows,
)
from ._models._eos_linear import birch_murnaghan_linear
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


def _pack(data, group, volume, energy):
    """The long table as padded (n_curves, n_max) arrays, curves in group order."""
    keys = _keys(group)
    v = data[volume].to_numpy(dtype=float)
    e = data[energy].to_numpy(dtype=float)
    bad = ~np.isfinite(v) | ~np.isfinite(e)
    if bad.any():
        where = data.loc[bad, keys].drop_duplicates().head(5).to_dict("records")
        raise ValueError(
            f"{int(bad.sum())} row(s) have a missing or non-finite {volume!r} or {energy!r} "
            f"(curves {where}); drop or fix them first."
        )
    if np.any(v <= 0):
        raise ValueError(
            f"Volumes must be positive; {volume!r} has a smallest value of {v.min():g}."
        )
    grouped = data.groupby(keys, sort=True)
    code = grouped.ngroup().to_numpy()
    position = grouped.cumcount().to_numpy()
    index = grouped.size().index
    n_curves, n_max = index.shape[0], int(position.max()) + 1 if len(position) else 0
    volumes = np.ones((n_curves, n_max))
    energies = np.zeros((n_curves, n_max))
    weight = np.zeros((n_curves, n_max))
    volumes[code, position] = v
    energies[code, position] = e
    weight[code, position] = 1.0
    # padding repeats a point of its curve, where the form is defined
    first = volumes[:, :1]
    volumes = np.where(weight > 0, volumes, first)
    return index, volumes, energies, weight


def _fit_arrays(form_model, name, volumes, energies, weight, tol, max_iter):
    """Fit every curve; returns params, covariance, sse, n_iter, status, message."""
    n_curves, n_params = volumes.shape[0], len(form_model.names)
    n_points = np.count_nonzero(weight, axis=1)
    params = np.full((n_curves, n_params), np.nan)
    covariance = np.full((n_curves, n_params, n_params), np.nan)
    sse = np.full(n_curves, np.nan)
    n_iter = np.zeros(n_curves, dtype=int)
    status = np.full(n_curves, "failed", dtype=object)
    message = np.full(n_curves, "", dtype=object)
    few = n_points < n_params
    message[few] = f"fewer points than the {n_params} parameters"
    todo = np.flatnonzero(~few)
    if name == "birch-murnaghan" and todo.size:
        linear = birch_murnaghan_linear(volumes[todo], energies[todo], weight[todo])
        # Where the cubic has a minimum, it is the least-squares optimum, plausible
        # or not (an implausible one is flagged below, as the estimator warns).
        # Where it has none, no Birch-Murnaghan curve is the optimum: an iterative
        # fit would only run its parameters off towards infinity.
        exact = np.all(np.isfinite(linear), axis=1)
        none = todo[~exact]
        message[none] = ("the least-squares cubic in V^(-2/3) has no minimum: the energies "
                         "have none in the range of the data")  # fmt: skip
        rows = todo[exact]
        params[rows] = linear[exact]
        sse[rows], covariance[rows] = batch_covariance(
            form_model.function, volumes[rows], energies[rows], weight[rows], params[rows]
        )
        n_iter[rows] = 0
        status[rows] = "converged"
        message[rows] = "exact: linear least squares of the cubic in V^(-2/3)"
        todo = todo[:0]
        _flag_unphysical(form_model, params, status, message, rows)
    if todo.size:
        e0, b0, v0 = parabola_rows(volumes[todo], energies[todo], weight[todo])
        first = np.column_stack([e0, b0, np.full(todo.size, 4.0), v0])
        others = np.array(form_model.other_starts(first.T), dtype=float)  # (start, param, curve)
        starts = [first, *np.transpose(others, (0, 2, 1))]
        best_sse = np.full(todo.size, np.inf)
        pending = np.ones(todo.size, dtype=bool)
        for start in starts:
            rows = np.flatnonzero(pending)
            if not rows.size:
                break
            at = todo[rows]
            result = batch_least_squares(
                form_model.function, volumes[at], energies[at], weight[at], start[rows],
                offset_index=form_model.offset_index, tol=tol, max_iter=max_iter,
            )  # fmt: skip
            lower = np.isfinite(result.sse) & (result.sse < best_sse[rows])
            take = at[lower]
            params[take] = result.params[lower]
            covariance[take] = result.covariance[lower]
            sse[take] = result.sse[lower]
            n_iter[take] = result.n_iter[lower]
            status[take] = result.status[lower]
            message[take] = result.message[lower]
            best_sse[rows[lower]] = result.sse[lower]
            # as the estimators do: no further start once one ends plausible
            plausible = np.asarray(form_model.plausible(result.params.T), dtype=bool)
            pending[rows[plausible & (result.status != "failed")]] = False
        _flag_unphysical(form_model, params, status, message, todo)
    failed = status == "failed"  # no parameters to report, only the reason
    params[failed], covariance[failed], sse[failed] = np.nan, np.nan, np.nan
    return params, covariance, sse, n_iter, status, message


def _flag_unphysical(form_model, params, status, message, rows):
    """Mark converged fits that fail the form's plausibility test."""
    implausible = ~np.asarray(form_model.plausible(params[rows].T), dtype=bool)
    flagged = rows[implausible & (status[rows] == "converged")]
    status[flagged] = "unphysical"
    message[flagged] = message[flagged] + (
        "; the optimum has unphysical parameters (B0 <= 0 or BP outside 0-20)"
    )


def _fit_frame(data, name, group, volume, energy, tol, max_iter, n_atoms=None):
    form_model = FORMS[name].physical_model
    index, volumes, energies, weight = _pack(data, group, volume, energy)
    params, covariance, sse, n_iter, status, message = _fit_arrays(
        form_model, name, volumes, energies, weight, tol, max_iter
    )
    stderr = np.sqrt(np.diagonal(covariance, axis1=1, axis2=2))
    names = [n.lower() for n in form_model.names]
    table = pd.DataFrame(
        {
            **{n: params[:, j] for j, n in enumerate(names)},
            **{f"{n}_stderr": stderr[:, j] for j, n in enumerate(names)},
            **{f"cov_{a}_{b}": covariance[:, names.index(a), names.index(b)]
               for a, b in _COVARIANCES},
            "sse": sse,
            "n_points": np.count_nonzero(weight, axis=1),
            "n_iter": n_iter,
            "status": status.astype(str),
            "message": message.astype(str),
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
             n_atoms=None, tol=1e-8, max_iter=200):  # fmt: skip
    """Fit an equation of state to every curve of a long table.

    Parameters
    ----------
    data : pandas.DataFrame or dask.dataframe.DataFrame
        One row per point: a volume (Å^3), an energy (eV) and the column(s) that
        name the curve.
    form : str, default='birch-murnaghan'
        The equation of state, one of :data:`FORMS` ('birch-murnaghan',
        'murnaghan', 'vinet', 'poirier-tarantola', 'anton-schmidt', 'taylor',
        'stabilized-jellium'; ase.eos's names are accepted too), as its estimator
        (:class:`~skphys.BirchMurnaghanRegressor`, ...) declares it.
    group : str or list of str
        Column(s) naming the curve.
    volume, energy : str, default='volume', 'energy'
        Columns of the volumes (Å^3) and energies (eV).
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
        covariances ``cov_v0_b0``, ``cov_v0_bp``, ``cov_b0_bp``, ``sse``
        (eV^2), ``n_points``, ``n_iter``, ``status`` ('converged', 'max_iter',
        'unphysical' or 'failed') and ``message``. A curve that cannot be fitted
        keeps NaN parameters and says why in ``status`` and ``message``. A dask
        input gives a dask result, computed lazily.

    Raises
    ------
    ValueError
        For an unknown form, missing columns, non-finite or non-positive volumes,
        or non-finite energies (naming the curves).

    Notes
    -----
    The third-order Birch-Murnaghan energy is exactly a cubic in V^(-2/3): its
    least-squares optimum is solved as a batched linear problem (``n_iter`` 0,
    message 'exact: ...'), falling back to the iterative fit where the cubic has
    no minimum. The other forms start, as their estimators do, from a parabola
    through the points, and retry from the declared other starts where the first
    optimum is unphysical.

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
    _check_columns(data, [*_keys(group), volume, energy, *([] if n_atoms is None else [n_atoms])])
    if is_dask:
        return _fit_dask(data, name, group, volume, energy, tol, max_iter, n_atoms)
    return _fit_frame(data, name, group, volume, energy, tol, max_iter, n_atoms)


def _fit_dask(data, name, group, volume, energy, tol, max_iter, n_atoms=None):
    """Whole curves into partitions, then each partition fitted as a table."""
    keys = _keys(group)
    extra = [] if n_atoms is None else [n_atoms]
    meta_index = data._meta.groupby(keys).size().index
    meta = _fit_frame(
        pd.DataFrame({**{k: data._meta[k] for k in [*keys, *extra]},
                      volume: pd.Series(dtype=float), energy: pd.Series(dtype=float)}),  # fmt: skip
        name, group, volume, energy, tol, max_iter, n_atoms,
    ).set_axis(meta_index, axis=0)
    if _curves_span_partitions(data, keys):
        data = data.shuffle(on=keys)
    return data.map_partitions(
        _fit_frame, name, group, volume, energy, tol, max_iter, n_atoms, meta=meta
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
