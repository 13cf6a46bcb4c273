"""SensitivityDisplay: local sensitivities of a model along its input."""

import numpy as np

from ..sensitivity import (
    argument_names,
    estimator_sensitivity,
    is_network,
    local_sensitivity,
)
from ._common import axes_or_new, default_axis_labels, output_unit, single_feature, style


def sensitivity_label(name):
    """Legend text ``S_name`` in mathtext (underscores kept as characters)."""
    return "$S_{" + name.replace("_", r"\_") + "}$"


def sensitivity_axis_label(relative, magnitude, unit="", layer_summary=None):
    """Y-axis label of a sensitivity plot, with its unit.

    ``layer_summary`` ('rms' or 'l2') labels per-layer summaries of network weights.
    """
    wrt = "w" if layer_summary else "p"
    if relative:
        text, unit_text = rf"(${wrt}/y$) $\partial y/\partial {wrt}$", "dimensionless"
    else:
        text = rf"$\partial y/\partial {wrt}$"
        unit_text = f"{unit or 'units of y'} per unit of {wrt}"
    if magnitude:
        text = f"|{text}|"
    if layer_summary:
        text = f"{'RMS' if layer_summary == 'rms' else 'norm'} over a layer of {text}"
    return f"{text} ({unit_text})"


class SensitivityDisplay:
    """Local sensitivities ``dy/dp`` (or ``(p/y) dy/dp``) of a model along its input.

    One curve per parameter (or per network layer). With ``magnitude=True`` the
    absolute values are drawn, as in the sensitivity-analysis post's figure.
    Create it with :meth:`from_function` or :meth:`from_estimator`; all
    parameters are stored as attributes.

    Parameters
    ----------
    x : ndarray of shape (n_points,)
        Input values, in the units of ``xlabel``.
    sensitivity : ndarray of shape (n_points, n_curves)
        Sensitivities at ``x``: units of y per unit of the parameter, or
        dimensionless when relative.
    labels : list of str
        Legend text of each curve.
    xlabel : str, default='x'
        X-axis label, with units.
    ylabel : str, default=None
        Y-axis label; ``None`` describes the sensitivity and its unit.
    relative : bool, default=False
        Whether ``sensitivity`` is relative.
    unit : str, default=''
        Unit of y, for the default ``ylabel`` of absolute sensitivities.
    layer_summary : {'rms', 'l2'} or None, default=None
        The columns summarise network layers this way (for the default ``ylabel``).

    Attributes
    ----------
    lines_ : list of matplotlib Line2D
        One curve per column of ``sensitivity``.
    ax_ : matplotlib Axes
        Axes of the plot.
    figure_ : matplotlib Figure
        Figure holding the axes.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import autograd.numpy as anp
    >>> from skphys.plotting import SensitivityDisplay
    >>> def A(t, k1, k_1):
    ...     return 1.0 / (k1 + k_1) * (k1 * anp.exp(-(k1 + k_1) * t) + k_1)
    >>> t = anp.linspace(0, 0.5)
    >>> display = SensitivityDisplay.from_function(A, t, [3.0, 3.0], xlabel="t (s)")
    >>> [text.get_text() for text in display.ax_.get_legend().get_texts()]
    ['$S_{k1}$', '$S_{k\\\\_1}$']
    """

    def __init__(
        self,
        *,
        x,
        sensitivity,
        labels,
        xlabel="x",
        ylabel=None,
        relative=False,
        unit="",
        layer_summary=None,
    ):
        self.x = x
        self.sensitivity = sensitivity
        self.labels = labels
        self.xlabel = xlabel
        self.ylabel = ylabel
        self.relative = relative
        self.unit = unit
        self.layer_summary = layer_summary

    def plot(self, ax=None, *, magnitude=True, line_kwargs=None):
        """Draw the display.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; ``None`` creates a figure.
        magnitude : bool, default=True
            Draw absolute values (the post's figure) rather than signed ones.
        line_kwargs : dict, default=None
            Keywords for every ``ax.plot`` call.

        Returns
        -------
        display : SensitivityDisplay
            The display itself, with the artists it drew.
        """
        ax = axes_or_new(ax, f"{type(self).__name__}.plot")
        values = np.abs(self.sensitivity) if magnitude else self.sensitivity
        self.lines_ = [
            ax.plot(self.x, column, **style({"label": label}, line_kwargs))[0]
            for column, label in zip(values.T, self.labels, strict=True)
        ]
        ylabel = self.ylabel or sensitivity_axis_label(
            self.relative, magnitude, self.unit, self.layer_summary
        )
        ax.set(xlabel=self.xlabel, ylabel=ylabel, xlim=(np.min(self.x), np.max(self.x)))
        ax.legend()
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_function(
        cls,
        func,
        x,
        params,
        *,
        argnums=None,
        relative=False,
        names=None,
        xlabel="x",
        ylabel=None,
        magnitude=True,
        ax=None,
        line_kwargs=None,
    ):
        """Plot the sensitivities of ``func(x, *params)`` along ``x``.

        Parameters
        ----------
        func : callable
            ``func(x, p1, p2, ...)`` written with ``autograd.numpy``, as in
            :func:`skphys.sensitivity.local_sensitivity`.
        x : array-like of shape (n_points,)
            Points at which to evaluate, in the units ``func`` expects; 1-D.
        params : sequence of float
            Values of the parameters ``p1, p2, ...``.
        argnums : int or sequence of int, default=None
            Parameters to differentiate with respect to, ``x`` counting as 0;
            ``None`` takes all.
        relative : bool, default=False
            Draw ``(p / y) dy/dp`` (dimensionless) instead of ``dy/dp``.
        names : list of str, default=None
            Parameter names for the legend; ``None`` takes those of ``func``'s
            signature.
        xlabel : str, default='x'
            X-axis label, with units.
        ylabel : str, default=None
            Y-axis label; ``None`` describes the sensitivity and its unit.
        magnitude : bool, default=True
            Draw absolute values.
        ax : matplotlib Axes, default=None
            Axes to draw on; ``None`` creates a figure.
        line_kwargs : dict, default=None
            Passed to :meth:`plot`.

        Returns
        -------
        display : SensitivityDisplay
            The display, drawn.
        """
        x = single_feature(x, f"{cls.__name__}.from_function")
        sensitivity = local_sensitivity(func, x, params, argnums=argnums, relative=relative)
        if names is None:
            names = argument_names(func, argnums, len(params))
        display = cls(
            x=x,
            sensitivity=sensitivity,
            labels=[sensitivity_label(n) for n in names],
            xlabel=xlabel,
            ylabel=ylabel,
            relative=relative,
        )
        return display.plot(ax, magnitude=magnitude, line_kwargs=line_kwargs)

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        *,
        relative=False,
        layer_summary="rms",
        xlabel=None,
        ylabel=None,
        magnitude=True,
        ax=None,
        line_kwargs=None,
    ):
        """Plot a fitted one-feature estimator's sensitivities to its parameters along X.

        Parameters
        ----------
        estimator : estimator instance
            As in :func:`skphys.sensitivity.estimator_sensitivity`: a fitted
            parametric skphys regressor (one curve per ``params_``) or tanh
            network (one curve per layer).
        X : array-like of shape (n_samples, 1)
            Inputs at which to evaluate (sorted for drawing).
        relative : bool, default=False
            Draw ``(p/y) dy/dp`` (dimensionless) instead of ``dy/dp``.
        layer_summary : {'rms', 'l2'}, default='rms'
            Summary over each network layer's weights.
        xlabel, ylabel : str, default=None
            Axis labels; ``None`` gives units for skphys's physical models.
        magnitude : bool, default=True
            Draw absolute values.
        ax : matplotlib Axes, default=None
            Axes to draw on; ``None`` creates a figure.
        line_kwargs : dict, default=None
            Passed to :meth:`plot`.

        Returns
        -------
        display : SensitivityDisplay
            The display, drawn.
        """
        if layer_summary is None:
            raise ValueError("layer_summary must be 'rms' or 'l2' for a plot.")
        x = single_feature(X, f"{cls.__name__}.from_estimator")
        order = np.argsort(x, kind="stable")
        X = X.iloc[order] if hasattr(X, "iloc") else np.asarray(X)[order]
        sensitivity = estimator_sensitivity(
            estimator, X, relative=relative, layer_summary=layer_summary
        )
        layers = is_network(estimator)
        if layers:
            labels = [f"layer {k + 1}" for k in range(sensitivity.shape[1])]
        else:
            labels = [sensitivity_label(name) for name in estimator.param_names_]
        display = cls(
            x=x[order],
            sensitivity=sensitivity,
            labels=labels,
            xlabel=xlabel or default_axis_labels(estimator)[0],
            ylabel=ylabel,
            relative=relative,
            unit=output_unit(estimator),
            layer_summary=layer_summary if layers else None,
        )
        return display.plot(ax, magnitude=magnitude, line_kwargs=line_kwargs)
