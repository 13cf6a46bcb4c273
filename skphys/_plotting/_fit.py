"""FitDisplay: data, fitted curve, uncertainty band and the extrapolation region."""

import numpy as np

from ._common import axes_or_new, style
from ._curve import fit_curve


class FitDisplay:
    """A fitted curve over its data, with its uncertainty band and extrapolation shaded.

    The region outside the training range is shaded: a fitted model is only
    supported by data inside it, and the curve drawn beyond shows how it
    extrapolates. Create it with :meth:`from_estimator`; all parameters are
    stored as attributes.

    Parameters
    ----------
    x : ndarray of shape (n_samples,)
        Inputs of the data, in the units of ``xlabel``.
    y : ndarray of shape (n_samples,)
        Targets of the data, in the units of ``ylabel``.
    x_grid : ndarray of shape (n_points,)
        Inputs at which the curve is drawn.
    y_grid : ndarray of shape (n_points,)
        Predictions on ``x_grid``.
    band : ndarray of shape (n_points, 2), default=None
        Lower and upper edges of an uncertainty band on ``x_grid``.
    band_label : str, default=None
        Legend text of the band.
    train_range : tuple of (float, float), default=None
        Range of the training inputs; ``None`` takes that of ``x``.
    xlabel, ylabel : str, default='x', 'y'
        Axis labels, with units.
    estimator_name : str, default=None
        Legend text of the curve.

    Attributes
    ----------
    scatter_ : matplotlib PathCollection
        The data.
    line_ : matplotlib Line2D
        The fitted curve on the whole grid.
    band_ : matplotlib PolyCollection or None
        The uncertainty band.
    extrapolation_ : list of matplotlib Patch
        Shaded spans of the grid outside ``train_range`` (none, one or two).
    ax_ : matplotlib Axes
        Axes of the plot.
    figure_ : matplotlib Figure
        Figure holding the axes.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skphys import MurnaghanRegressor
    >>> from skphys.datasets import load_murnaghan_example
    >>> from skphys.plotting import FitDisplay
    >>> X, y = load_murnaghan_example(return_X_y=True)
    >>> display = FitDisplay.from_estimator(MurnaghanRegressor().fit(X, y), X, y)
    >>> len(display.extrapolation_)
    2
    """

    def __init__(
        self,
        *,
        x,
        y,
        x_grid,
        y_grid,
        band=None,
        band_label=None,
        train_range=None,
        xlabel="x",
        ylabel="y",
        estimator_name=None,
    ):
        self.x = x
        self.y = y
        self.x_grid = x_grid
        self.y_grid = y_grid
        self.band = band
        self.band_label = band_label
        self.train_range = train_range
        self.xlabel = xlabel
        self.ylabel = ylabel
        self.estimator_name = estimator_name

    def plot(
        self, ax=None, *, scatter_kwargs=None, line_kwargs=None, band_kwargs=None, span_kwargs=None
    ):
        """Draw the display.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; ``None`` creates a figure.
        scatter_kwargs, line_kwargs, band_kwargs, span_kwargs : dict, default=None
            Keywords for ``ax.scatter`` (data), ``ax.plot`` (curve),
            ``ax.fill_between`` (band) and ``ax.axvspan`` (extrapolation).

        Returns
        -------
        display : FitDisplay
            The display itself, with the artists it drew.
        """
        ax = axes_or_new(ax, f"{type(self).__name__}.plot")
        low, high = self.train_range or (np.min(self.x), np.max(self.x))
        span_style = style({"color": "0.85", "zorder": 0}, span_kwargs)
        self.extrapolation_ = [
            ax.axvspan(start, stop, **span_style)
            for start, stop in ((self.x_grid.min(), low), (high, self.x_grid.max()))
            if start < stop
        ]
        if self.extrapolation_:
            self.extrapolation_[0].set_label("extrapolation")
        self.band_ = None
        if self.band is not None:
            band_style = style(
                {"color": "C0", "alpha": 0.25, "label": self.band_label}, band_kwargs
            )
            self.band_ = ax.fill_between(
                self.x_grid, self.band[:, 0], self.band[:, 1], **band_style
            )
        line_style = style({"color": "C0", "label": self.estimator_name or "fit"}, line_kwargs)
        (self.line_,) = ax.plot(self.x_grid, self.y_grid, **line_style)
        scatter_style = style({"color": "k", "s": 16, "zorder": 3, "label": "data"}, scatter_kwargs)
        self.scatter_ = ax.scatter(self.x, self.y, **scatter_style)
        ax.set(xlabel=self.xlabel, ylabel=self.ylabel, xlim=(self.x_grid.min(), self.x_grid.max()))
        ax.legend(handles=self._legend_handles())
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    def _legend_handles(self):
        """Data, curve, band and extrapolation, in that order."""
        band = [] if self.band_ is None else [self.band_]
        return [self.scatter_, self.line_, *band, *self.extrapolation_[:1]]

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y,
        *,
        x_range=None,
        n_points=200,
        kind="confidence",
        alpha=0.05,
        xlabel=None,
        ylabel=None,
        ax=None,
        scatter_kwargs=None,
        line_kwargs=None,
        band_kwargs=None,
        span_kwargs=None,
    ):
        """Plot a fitted one-feature regressor over its training data.

        Parameters
        ----------
        estimator : estimator instance
            Fitted regressor of one input feature.
        X : array-like of shape (n_samples, 1)
            Training inputs (the shaded extrapolation starts at their ends).
        y : array-like of shape (n_samples,)
            Training targets.
        x_range : tuple of (float, float), default=None
            (low, high) of the curve; ``None`` pads the training range by a quarter
            of its span on each side (staying positive for models of positive
            inputs).
        n_points : int, default=200
            Points of the curve.
        kind : {'confidence', 'prediction'} or None, default='confidence'
            Band from ``predict_interval`` when the estimator has it; otherwise
            ``± z std`` from ``predict(X, return_std=True)`` if it can; ``None`` draws
            no band.
        alpha : float, default=0.05
            One minus the coverage of the band.
        xlabel, ylabel : str, default=None
            Axis labels; ``None`` gives the units of skphys's physical models
            (e.g. 'volume (Å$^3$)', 'energy (eV)'), else the feature name and 'y'.
        ax : matplotlib Axes, default=None
            Axes to draw on; ``None`` creates a figure.
        scatter_kwargs, line_kwargs, band_kwargs, span_kwargs : dict, default=None
            Passed to :meth:`plot`.

        Returns
        -------
        display : FitDisplay
            The display, drawn.
        """
        curve = fit_curve(
            estimator,
            X,
            y,
            x_range=x_range,
            n_points=n_points,
            kind=kind,
            alpha=alpha,
            xlabel=xlabel,
            ylabel=ylabel,
        )
        display = cls(**curve)
        return display.plot(
            ax,
            scatter_kwargs=scatter_kwargs,
            line_kwargs=line_kwargs,
            band_kwargs=band_kwargs,
            span_kwargs=span_kwargs,
        )
