"""Helpers shared by the displays: axes, styles, units of the known models, inputs."""

import numpy as np
from sklearn.utils._optional_dependencies import check_matplotlib_support
from sklearn.utils._plotting import _validate_style_kwargs

from .._estimators._physical import BasePhysicalRegressor


def axes_or_new(ax, caller):
    """``ax``, or the axes of a new figure when ``ax`` is None."""
    check_matplotlib_support(caller)
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
    return ax


def style(defaults, user):
    """``defaults`` updated by the user's matplotlib keywords (aliases resolved)."""
    return _validate_style_kwargs(defaults, user or {})


def default_axis_labels(estimator):
    """(x label, y label) with units for skphys's physical models, else generic ones.

    The physical models declare what x and y are and their units (e.g. volume in
    Å^3, which gives "volume (Å$^3$)"). Other estimators get their feature name (or
    "x") and "y".
    """
    if isinstance(estimator, BasePhysicalRegressor):
        form = estimator.physical_model
        unit = form.x_unit.replace("^3", "$^3$")
        return f"{form.x_name} ({unit})", "energy (eV)"
    names = getattr(estimator, "feature_names_in_", None)
    return (str(names[0]) if names is not None else "x"), "y"


def output_unit(estimator):
    """Unit of the estimator's predictions: eV for the physical models, else ''."""
    return "eV" if isinstance(estimator, BasePhysicalRegressor) else ""


def single_feature(X, caller):
    """The one column of X as a 1-D float array (a 1-D X is taken as that column)."""
    values = np.asarray(X, dtype=float)
    if values.ndim == 2 and values.shape[1] == 1:
        values = values[:, 0]
    if values.ndim != 1:
        raise ValueError(f"{caller} plots against one input feature; got X of shape {np.shape(X)}.")
    return values


def as_estimator_input(values, estimator):
    """A column of values shaped as the estimator was fitted (named if it had names)."""
    names = getattr(estimator, "feature_names_in_", None)
    if names is None:
        return values.reshape(-1, 1)
    import pandas as pd  # only reached when the estimator was fitted on a DataFrame

    return pd.DataFrame({names[0]: values})


def value_with_error(value, error):
    """``'v ± e'`` with the error to two significant digits and v to the same place."""
    if not np.isfinite(error) or error <= 0:
        return f"{value:.4g} ± {error:.2g}"
    decimals = max(0, 1 - int(np.floor(np.log10(error))))
    return f"{value:.{decimals}f} ± {error:.{decimals}f}"
