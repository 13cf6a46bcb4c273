"""Which equation of state, and how sure: every form fitted, weighed and averaged.

On DFT data the forms fit within their own noise and still disagree: on an EMT
scan of copper Murnaghan, Birch-Murnaghan and Vinet give B0 of 131.6, 133.0 and
133.6 GPa, each with a 95 % interval that excludes the others. The interval of one
form covers its own parameter, not the choice of form. :func:`average_forms`
fits every form to every curve, weighs the forms by an information criterion
(Akaike's corrected for small samples, AICc, or Schwarz's BIC) and reports the
model-averaged parameters with the unconditional standard error of Burnham and
Anderson (Model Selection and Multimodel Inference, 2nd ed., 2002, eq. 4.9),
which adds each form's distance from the average to its own variance, so that
the interval spans the disagreement between forms.
"""

import numpy as np
import pandas as pd
from scipy import stats

CRITERIA = ("aicc", "bic")
_PARAMETERS = ("e0", "b0", "bp", "v0")


def _criterion(sse, n, k, criterion):
    """AICc or BIC of least-squares fits with Gaussian errors of unknown variance."""
    with np.errstate(divide="ignore", invalid="ignore"):
        fit = n * np.log(sse / n)
        if criterion == "bic":
            return fit + k * np.log(n)
        # the small-sample correction needs n > k + 1
        return np.where(n > k + 1, fit + 2 * k + 2 * k * (k + 1) / (n - k - 1), np.inf)


def average_forms(data, forms=None, *, group, volume="volume", energy="energy",
                  criterion="aicc", alpha=0.05, tol=1e-8, max_iter=200):  # fmt: skip
    """Fit every form to every curve, weigh the forms and average their parameters.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per point (see :func:`fit_many`).
    forms : list of str, default=None
        Forms to fit (names of :data:`FORMS`); ``None`` fits them all.
    group : str or list of str
        Column(s) naming the curve.
    volume, energy : str, default='volume', 'energy'
        Columns of the volumes (Å^3) and energies (eV).
    criterion : {'aicc', 'bic'}, default='aicc'
        Information criterion of the weights ``exp(-delta / 2)``, normalised over
        the forms that converged on the curve.
    alpha : float, default=0.05
        One minus the coverage of the averaged intervals.
    tol, max_iter : float, int
        Passed to :func:`fit_many`.

    Returns
    -------
    fits : pandas.DataFrame
        Indexed by curve and form: the columns of :func:`fit_many`, the criterion
        and the form's ``weight`` (0 where the fit did not converge).
    averaged : pandas.DataFrame
        Indexed by curve: for ``e0`` (eV), ``b0`` (eV/Å^3), ``bp``, ``v0`` (Å^3) the
        weighted average, its unconditional standard error ``*_stderr``, the
        ``1 - alpha`` interval ``*_low``, ``*_high`` (Student t with the curve's
        degrees of freedom), the spread between forms ``*_spread`` (largest minus
        smallest); then ``best_form``, ``best_weight`` and ``n_forms`` (forms that
        converged). A curve on which no form converged has NaN and ``n_forms`` 0.

    Raises
    ------
    ValueError
        For an unknown criterion or form, or the errors of :func:`fit_many`.
    """
    from .eos import FORMS, _keys, fit_many  # the forms and the batch fit

    if criterion not in CRITERIA:
        raise ValueError(f"criterion must be one of {CRITERIA}, got {criterion!r}.")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie in (0, 1), got {alpha!r}.")
    forms = list(FORMS) if forms is None else list(forms)
    if not forms:
        raise ValueError("forms must name at least one form.")
    tables = {
        form: fit_many(data, form, group=group, volume=volume, energy=energy, tol=tol,
                       max_iter=max_iter)  # fmt: skip
        for form in forms
    }
    n_keys = len(_keys(group))
    fits = pd.concat(tables, names=["form"]).reorder_levels([*range(1, 1 + n_keys), 0])
    fits = fits.sort_index()
    k = 4  # every form has E0, B0, BP, V0
    fits[criterion] = _criterion(fits.sse.to_numpy(), fits.n_points.to_numpy(), k, criterion)
    usable = (fits.status == "converged") & np.isfinite(fits[criterion])
    curve_levels = list(range(n_keys))
    best = fits[criterion].where(usable).groupby(level=curve_levels).transform("min")
    raw = np.exp(-0.5 * (fits[criterion] - best)).where(usable, 0.0)
    total = raw.groupby(level=curve_levels).transform("sum")
    fits["weight"] = (raw / total.where(total > 0)).fillna(0.0)
    return fits, _averaged(fits, curve_levels, alpha, k)


def _averaged(fits, curve_levels, alpha, k):
    grouped = fits.groupby(level=curve_levels)
    weight = fits.weight
    columns = {}
    for name in _PARAMETERS:
        value = fits[name].where(weight > 0, 0.0)
        mean = (weight * value).groupby(level=curve_levels).sum()
        distance = value - mean.reindex(fits.index.droplevel(-1)).to_numpy()
        spread = np.sqrt(fits[f"{name}_stderr"].where(weight > 0, 0.0) ** 2 + distance**2)
        stderr = (weight * spread).groupby(level=curve_levels).sum()
        columns[name] = mean
        columns[f"{name}_stderr"] = stderr
        converged = fits[name].where(weight > 0)
        columns[f"{name}_spread"] = (converged.groupby(level=curve_levels).max()
                                     - converged.groupby(level=curve_levels).min())  # fmt: skip
    averaged = pd.DataFrame(columns)
    n_forms = grouped.weight.apply(lambda w: int(np.count_nonzero(w > 0)))
    dof = grouped.n_points.max() - k
    quantile = stats.t.ppf(1 - alpha / 2, np.maximum(dof, 1))
    for name in _PARAMETERS:
        half = quantile * averaged[f"{name}_stderr"]
        averaged[f"{name}_low"] = averaged[name] - half
        averaged[f"{name}_high"] = averaged[name] + half
    top = fits.weight.groupby(level=curve_levels).idxmax()
    averaged["best_form"] = [index[-1] for index in top]
    averaged["best_weight"] = grouped.weight.max()
    averaged["n_forms"] = n_forms
    none = averaged.n_forms == 0
    averaged.loc[none, [c for c in averaged.columns if c not in ("n_forms", "best_form")]] = np.nan
    averaged.loc[none, "best_form"] = ""
    return averaged
