"""ParityDisplay: predicted against reference values, with RMSE and MAE."""

import numpy as np
from sklearn.utils.validation import check_consistent_length

from ._common import axes_or_new, output_unit, style


class ParityDisplay:
    """Predicted against reference values around the line y = x; RMSE and MAE in the legend.

    Create it with :meth:`from_estimator` or :meth:`from_predictions`; all
    parameters are stored as attributes.

    Parameters
    ----------
    y_true : ndarray of shape (n_samples,)
        Reference values, in ``unit``.
    y_pred : ndarray of shape (n_samples,)
        Predicted values, in ``unit``.
    unit : str, default=''
        Unit of both, for the axis labels and the legend (e.g. 'eV').
    error_label : str, default=None
        What the errors are, put before "RMSE" and "MAE" in the legend: e.g.
        'training' when ``y_pred`` comes from the model fitted to these very
        ``y_true``, '5-fold cross-validated' for out-of-fold predictions. The
        display cannot tell: ``None`` writes plain "RMSE" and "MAE".

    Attributes
    ----------
    rmse_ : float
        Root mean squared error, in ``unit``.
    mae_ : float
        Mean absolute error, in ``unit``.
    scatter_ : matplotlib PathCollection
        The points (reference, predicted); its legend text gives RMSE and MAE,
        each after ``error_label``.
    line_ : matplotlib Line2D
        The line y = x over the range of the values.
    ax_ : matplotlib Axes
        Axes of the plot.
    figure_ : matplotlib Figure
        Figure holding the axes.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skphys.plotting import ParityDisplay
    >>> display = ParityDisplay.from_predictions([0.0, 1.0, 2.0], [0.0, 1.5, 2.0], unit="eV")
    >>> display.scatter_.get_label()
    'RMSE = 0.289 eV\\nMAE = 0.167 eV'

    Out-of-fold predictions say so in the legend:

    >>> display = ParityDisplay.from_predictions(
    ...     [0.0, 1.0, 2.0], [0.0, 1.5, 2.0], unit="eV", error_label="cross-validated"
    ... )
    >>> display.scatter_.get_label()
    'cross-validated RMSE = 0.289 eV\\ncross-validated MAE = 0.167 eV'
    """

    def __init__(self, *, y_true, y_pred, unit="", error_label=None):
        self.y_true = y_true
        self.y_pred = y_pred
        self.unit = unit
        self.error_label = error_label

    def plot(self, ax=None, *, scatter_kwargs=None, line_kwargs=None):
        """Draw the display.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; ``None`` creates a figure.
        scatter_kwargs, line_kwargs : dict, default=None
            Keywords for ``ax.scatter`` (points) and ``ax.plot`` (the line y = x).

        Returns
        -------
        display : ParityDisplay
            The display itself, with the artists it drew.
        """
        ax = axes_or_new(ax, f"{type(self).__name__}.plot")
        errors = np.asarray(self.y_pred, dtype=float) - np.asarray(self.y_true, dtype=float)
        self.rmse_ = float(np.sqrt(np.mean(errors**2)))
        self.mae_ = float(np.mean(np.abs(errors)))
        suffix = f" {self.unit}" if self.unit else ""
        prefix = f"{self.error_label} " if self.error_label else ""
        label = f"{prefix}RMSE = {self.rmse_:.3g}{suffix}\n{prefix}MAE = {self.mae_:.3g}{suffix}"
        low = min(np.min(self.y_true), np.min(self.y_pred))
        high = max(np.max(self.y_true), np.max(self.y_pred))
        line_style = style(
            {"color": "k", "alpha": 0.7, "linestyle": "--", "label": "y = x"}, line_kwargs
        )
        (self.line_,) = ax.plot([low, high], [low, high], **line_style)
        scatter_style = style({"color": "C0", "alpha": 0.8, "label": label}, scatter_kwargs)
        self.scatter_ = ax.scatter(self.y_true, self.y_pred, **scatter_style)
        unit = f" ({self.unit})" if self.unit else ""
        ax.set(xlabel=f"reference{unit}", ylabel=f"predicted{unit}")
        ax.set_aspect("equal", adjustable="datalim")
        ax.legend()
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y,
        *,
        unit=None,
        error_label=None,
        ax=None,
        scatter_kwargs=None,
        line_kwargs=None,
    ):
        """Plot a fitted regressor's predictions on X against y.

        On the data the estimator was fitted to, the errors are training errors,
        which understate those on new data: say so with
        ``error_label='training'``, or plot out-of-fold predictions
        (:func:`sklearn.model_selection.cross_val_predict`) with
        :meth:`from_predictions`.

        Parameters
        ----------
        estimator : estimator instance
            Fitted regressor.
        X : array-like of shape (n_samples, n_features)
            Inputs.
        y : array-like of shape (n_samples,)
            Reference values.
        unit : str, default=None
            Unit of y; ``None`` gives that of skphys's physical models ('eV'), else
            none.
        error_label : str, default=None
            What the errors are, before "RMSE" and "MAE" in the legend (e.g.
            'training', 'test').
        ax : matplotlib Axes, default=None
            Axes to draw on; ``None`` creates a figure.
        scatter_kwargs, line_kwargs : dict, default=None
            Passed to :meth:`plot`.

        Returns
        -------
        display : ParityDisplay
            The display, drawn.
        """
        y_pred = estimator.predict(X)
        unit = output_unit(estimator) if unit is None else unit
        return cls.from_predictions(
            y, y_pred, unit=unit, error_label=error_label, ax=ax,
            scatter_kwargs=scatter_kwargs, line_kwargs=line_kwargs,
        )  # fmt: skip

    @classmethod
    def from_predictions(
        cls,
        y_true,
        y_pred,
        *,
        unit="",
        error_label=None,
        ax=None,
        scatter_kwargs=None,
        line_kwargs=None,
    ):
        """Plot predictions against reference values.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
            Reference values.
        y_pred : array-like of shape (n_samples,)
            Predicted values.
        unit : str, default=''
            Unit of both.
        error_label : str, default=None
            What the errors are, before "RMSE" and "MAE" in the legend (e.g.
            '5-fold cross-validated' for out-of-fold predictions).
        ax : matplotlib Axes, default=None
            Axes to draw on; ``None`` creates a figure.
        scatter_kwargs, line_kwargs : dict, default=None
            Passed to :meth:`plot`.

        Returns
        -------
        display : ParityDisplay
            The display, drawn.
        """
        check_consistent_length(y_true, y_pred)
        y_true = np.asarray(y_true, dtype=float).ravel()
        y_pred = np.asarray(y_pred, dtype=float).ravel()
        if y_true.size == 0 or not (np.all(np.isfinite(y_true)) and np.all(np.isfinite(y_pred))):
            raise ValueError("y_true and y_pred must be non-empty and finite.")
        display = cls(y_true=y_true, y_pred=y_pred, unit=unit, error_label=error_label)
        return display.plot(ax, scatter_kwargs=scatter_kwargs, line_kwargs=line_kwargs)
