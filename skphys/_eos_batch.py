"""The padded arrays of many E(V) curves fitted, with or without their pressures.

What :func:`skphys.eos.fit_many` computes once it has packed its table: every
curve's parameters, covariance, status and message, each curve reaching the
optimum its single-curve estimator reaches. Birch-Murnaghan is solved exactly (a
linear least-squares problem in the coefficients of a cubic in V^(-2/3)), the
other forms by the batched Levenberg-Marquardt of :mod:`skphys._core._batch`,
from the estimators' starts.

A curve with pressures is fitted on its energies and pressures together, as
``BirchMurnaghanRegressor().fit(V, E, y_grad=-P)`` fits it: the pressures are a
second block of residuals (``dE/dV`` against ``-P``), weighted by ``w =
s_E^2 / s_P^2`` (Å^6), estimated from each curve's residuals by the rule of
:mod:`skphys._core._weight_rule` and refitted until it settles
(:func:`skphys._core._batch_weights.batch_solve_with_gradient_weight`). A curve
whose pressures cannot be the ``-dE/dV`` of its energies (another sign
convention, another unit: :mod:`skphys._eos_pressure`) is not fitted.
"""

from dataclasses import dataclass

import numpy as np

from ._core._batch import (
    BatchResult,
    batch_block_statistics,
    batch_covariance,
    batch_least_squares,
)
from ._core._batch_weights import batch_solve_with_gradient_weight
from ._eos_pressure import inconsistent_pressures
from ._models._eos import parabola_rows
from ._models._eos_linear import birch_murnaghan_linear

_EXACT = "exact: linear least squares of the cubic in V^(-2/3)"
_NO_MINIMUM = ("the least-squares cubic in V^(-2/3) has no minimum: the energies have none "
               "in the range of the data")  # fmt: skip


@dataclass
class CurveFits:
    """What :func:`fit_arrays` returns, one row per curve.

    Attributes
    ----------
    params : ndarray of shape (n_curves, n_params)
        Fitted parameters (E0 eV, B0 eV/Å^3, BP, V0 Å^3); NaN where failed.
    covariance : ndarray of shape (n_curves, n_params, n_params)
        Their covariance.
    sse : ndarray of shape (n_curves,)
        Sum of squared energy residuals, eV^2.
    n_iter : ndarray of shape (n_curves,) of int
        Jacobians evaluated (0 for an exact solve), over every round of weights.
    status, message : ndarray of shape (n_curves,) of object
        'converged', 'max_iter', 'unphysical' or 'failed', and why.
    pressure_weight : ndarray of shape (n_curves,)
        Weight of the pressures, Å^6; NaN for a curve without pressures.
    s_energy : ndarray of shape (n_curves,)
        Residual standard deviation of an energy, eV (the estimators'
        ``sqrt(residual_variance_)``).
    s_pressure : ndarray of shape (n_curves,)
        Residual standard deviation of a pressure, ``s_energy / sqrt(w)``, eV/Å^3;
        NaN without pressures.
    """

    params: np.ndarray
    covariance: np.ndarray
    sse: np.ndarray
    n_iter: np.ndarray
    status: np.ndarray
    message: np.ndarray
    pressure_weight: np.ndarray
    s_energy: np.ndarray
    s_pressure: np.ndarray

    @classmethod
    def empty(cls, n_curves, n_params):
        """Every curve failed, with NaN everywhere, until filled."""
        nan = np.full(n_curves, np.nan)
        return cls(
            params=np.full((n_curves, n_params), np.nan),
            covariance=np.full((n_curves, n_params, n_params), np.nan), sse=nan.copy(),
            n_iter=np.zeros(n_curves, dtype=int), status=np.full(n_curves, "failed", object),
            message=np.full(n_curves, "", object), pressure_weight=nan.copy(),
            s_energy=nan.copy(), s_pressure=nan.copy(),
        )  # fmt: skip

    def put(self, rows, result):
        """Take a :class:`BatchResult` of the curves ``rows``."""
        self.params[rows] = result.params
        self.covariance[rows] = result.covariance
        self.sse[rows] = result.sse
        self.n_iter[rows] = result.n_iter
        self.status[rows] = result.status
        self.message[rows] = result.message


def _linear(form_model, volumes, energies, weight, gradients):
    """Birch-Murnaghan solved exactly; a :class:`BatchResult`.

    Where the cubic has a minimum, it is the least-squares optimum, plausible or
    not (an implausible one is flagged later, as the estimator warns). Where it has
    none, no Birch-Murnaghan curve is the optimum: an iterative fit would only run
    its parameters off towards infinity.
    """
    n_curves = volumes.shape[0]
    params = birch_murnaghan_linear(volumes, energies, weight, **gradients)
    exact = np.all(np.isfinite(params), axis=1)
    covariance = np.full((n_curves, 4, 4), np.nan)
    sse = np.full(n_curves, np.nan)
    if exact.any():
        sse[exact], covariance[exact] = batch_covariance(
            form_model.function, volumes[exact], energies[exact], weight[exact], params[exact],
            **{key: value[exact] for key, value in gradients.items()},
        )  # fmt: skip
    n_points = np.count_nonzero(weight > 0, axis=1)
    if gradients:
        n_points = n_points + np.count_nonzero(gradients["grad_weight"] > 0, axis=1)
    return BatchResult(
        params=params, covariance=covariance, sse=sse, n_points=n_points,
        n_iter=np.zeros(n_curves, dtype=int), converged=exact,
        status=np.where(exact, "converged", "failed"), message=np.where(exact, _EXACT, _NO_MINIMUM),
    )  # fmt: skip


def _multi_start(form_model, volumes, energies, weight, tol, max_iter, gradients):
    """The iterative fit from the estimators' starts; a :class:`BatchResult`.

    A parabola through the energies gives the first start, the form declares the
    others; as the estimators do, a curve tries no further start once one ends
    plausible, and keeps the lowest sum of squares of those it tried.
    """
    n_curves = volumes.shape[0]
    e0, b0, v0 = parabola_rows(volumes, energies, weight)
    first = np.column_stack([e0, b0, np.full(n_curves, 4.0), v0])
    others = np.array(form_model.other_starts(first.T), dtype=float)  # (start, param, curve)
    starts = [first, *np.transpose(others, (0, 2, 1))]
    best = None
    pending = np.ones(n_curves, dtype=bool)
    for start in starts:
        rows = np.flatnonzero(pending)
        if not rows.size:
            break
        result = batch_least_squares(
            form_model.function, volumes[rows], energies[rows], weight[rows], start[rows],
            offset_index=form_model.offset_index, tol=tol, max_iter=max_iter,
            **{key: value[rows] for key, value in gradients.items()},
        )  # fmt: skip
        if best is None:
            best = result
        else:
            lower = np.isfinite(result.sse) & ~(best.sse[rows] <= result.sse)
            for name in ("params", "covariance", "sse", "n_points", "n_iter", "converged",
                         "status", "message"):  # fmt: skip
                kept = getattr(best, name).astype(object if name in ("status", "message")
                                                  else getattr(best, name).dtype)  # fmt: skip
                kept[rows[lower]] = getattr(result, name)[lower]
                setattr(best, name, kept)
        # no further start once one ends plausible
        plausible = np.asarray(form_model.plausible(result.params.T), dtype=bool)
        pending[rows[plausible & (result.status != "failed")]] = False
    return best


def _flag_unphysical(form_model, fits, rows):
    """Mark converged fits that fail the form's plausibility test."""
    implausible = ~np.asarray(form_model.plausible(fits.params[rows].T), dtype=bool)
    flagged = rows[implausible & (fits.status[rows] == "converged")]
    fits.status[flagged] = "unphysical"
    fits.message[flagged] = fits.message[flagged] + (
        "; the optimum has unphysical parameters (B0 <= 0 or BP outside 0-20)"
    )


def _starting_weight(volumes, present):
    """The variance of each curve's volumes, Å^6 (1 where they are all equal): the
    start of the estimators' ``gradient_weight='auto'``."""
    n = np.count_nonzero(present, axis=1)
    mean = np.sum(np.where(present, volumes, 0.0), axis=1) / n
    variance = np.sum(np.where(present, (volumes - mean[:, None]) ** 2, 0.0), axis=1) / n
    return np.where(variance > 0, variance, 1.0)


def _with_pressures(form_model, name, volumes, energies, weight, y_grad, grad_weight, tol,
                    max_iter):  # fmt: skip
    """Energies and pressures fitted together, each curve re-weighted until its
    weight settles; the result, the weights and whether each settled."""
    function = form_model.function

    def fit(rows, weights, params):
        gradients = {"y_grad": y_grad[rows], "grad_weight": grad_weight[rows],
                     "gradient_weight": weights}  # fmt: skip
        data = (volumes[rows], energies[rows], weight[rows])
        if name == "birch-murnaghan":
            return _linear(form_model, *data, gradients)
        if params is None:
            return _multi_start(form_model, *data, tol, max_iter, gradients)
        # later rounds start where the last ended, as the estimators' do
        return batch_least_squares(
            function, *data, params, offset_index=form_model.offset_index, tol=tol,
            max_iter=max_iter, **gradients,
        )  # fmt: skip

    def statistics(rows, weights, params):
        return batch_block_statistics(
            function, volumes[rows], energies[rows], weight[rows], params, y_grad=y_grad[rows],
            grad_weight=grad_weight[rows], gradient_weight=weights,
        )  # fmt: skip

    start = _starting_weight(volumes, (weight > 0) | (grad_weight > 0))
    return batch_solve_with_gradient_weight(fit, statistics, start)


def fit_arrays(form_model, name, volumes, energies, weight, tol, max_iter, pressures=None,
               pressure_weight=None):  # fmt: skip
    """Fit one form to every curve of a padded batch.

    Parameters
    ----------
    form_model : PhysicalModel
        The form's declaration.
    name : str
        Its name in :data:`skphys.eos.FORMS`.
    volumes, energies, weight : ndarray of shape (n_curves, n_points)
        Volumes (Å^3, padding repeats a point of the curve), energies (eV) and
        their weights (0 on padding and where an energy is missing).
    tol, max_iter : float, int
        As for :func:`skphys.eos.fit_many`.
    pressures, pressure_weight : ndarray of shape (n_curves, n_points), default=None
        Pressures ``-dE/dV`` (eV/Å^3) and their weights (0 where missing).

    Returns
    -------
    fits : CurveFits
    """
    n_curves, n_params = volumes.shape[0], len(form_model.names)
    fits = CurveFits.empty(n_curves, n_params)
    n_energies = np.count_nonzero(weight > 0, axis=1)
    n_pressures = (np.zeros(n_curves, int) if pressures is None
                   else np.count_nonzero(pressure_weight > 0, axis=1))  # fmt: skip
    few = n_energies + n_pressures < n_params
    fits.message[few] = f"fewer points than the {n_params} parameters"
    level = ~few & (n_energies == 0)
    fits.message[level] = "no energies: pressures leave E0 open"
    todo = ~few & ~level
    plain = np.flatnonzero(todo & (n_pressures == 0))
    if plain.size:
        data = (volumes[plain], energies[plain], weight[plain])
        if name == "birch-murnaghan":
            fits.put(plain, _linear(form_model, *data, {}))
        else:
            fits.put(plain, _multi_start(form_model, *data, tol, max_iter, {}))
        dof = n_energies[plain] - n_params
        with np.errstate(invalid="ignore", divide="ignore"):
            fits.s_energy[plain] = np.sqrt(np.where(dof > 0, fits.sse[plain] / dof, np.inf))
    both = np.flatnonzero(todo & (n_pressures > 0))
    if both.size:
        _fit_pressures(fits, form_model, name, both, volumes, energies, weight, pressures,
                       pressure_weight, tol, max_iter)  # fmt: skip
    _flag_unphysical(form_model, fits, np.flatnonzero(todo))
    failed = fits.status == "failed"  # no parameters to report, only the reason
    fits.params[failed], fits.covariance[failed], fits.sse[failed] = np.nan, np.nan, np.nan
    fits.s_energy[failed] = fits.s_pressure[failed] = np.nan
    return fits


def _fit_pressures(fits, form_model, name, rows, volumes, energies, weight, pressures,
                   pressure_weight, tol, max_iter):  # fmt: skip
    """Fit the curves ``rows``, which have pressures, into ``fits``."""
    n_params = len(form_model.names)
    at = (volumes[rows], energies[rows], weight[rows], pressures[rows], pressure_weight[rows])
    refused = inconsistent_pressures(*at)
    fits.message[rows[refused != ""]] = refused[refused != ""]
    rows = rows[refused == ""]
    if not rows.size:
        return
    y_grad = -np.where(pressure_weight[rows] > 0, pressures[rows], 0.0)  # dE/dV
    result, weights, settled, _ = _with_pressures(
        form_model, name, volumes[rows], energies[rows], weight[rows], y_grad,
        pressure_weight[rows], tol, max_iter,
    )  # fmt: skip
    fits.put(rows, result)
    fits.pressure_weight[rows] = weights
    # sse: the energies' own sum of squares, as for a curve without pressures
    sse, _ = batch_block_statistics(
        form_model.function, volumes[rows], energies[rows], weight[rows], result.params,
        y_grad=y_grad, grad_weight=pressure_weight[rows], gradient_weight=weights,
    )  # fmt: skip
    fits.sse[rows] = sse[:, 0]
    dof = result.n_points - n_params
    with np.errstate(invalid="ignore", divide="ignore"):
        variance = np.where(dof > 0, result.sse / dof, np.inf)  # the estimators' s^2
    fits.s_energy[rows] = np.sqrt(variance)
    fits.s_pressure[rows] = np.sqrt(variance / weights)
    unsettled = rows[~settled & (fits.status[rows] != "failed")]
    fits.status[unsettled] = "max_iter"
    fits.message[unsettled] = fits.message[unsettled] + (
        "; the weight of the pressures did not settle (give them explicitly to the estimator)"
    )
