"""EOSDisplay: an equation of state E(V) with V0 marked and B0 in GPa in the title."""

from sklearn.utils.validation import check_is_fitted

from ._common import style, value_with_error
from ._curve import fit_curve
from ._fit import FitDisplay

_EOS_ATTRIBUTES = ("v0_", "e0_", "bulk_modulus_gpa_", "bulk_modulus_gpa_err_")


class EOSDisplay(FitDisplay):
    """Energy-volume data, the fitted equation of state, V0, E0 and B0 ± its error.

    A :class:`FitDisplay` (band, shaded extrapolation) with the equilibrium volume
    marked by a vertical line and the title ``V0 = ... Å^3, E0 = ... eV,
    B0 = ... ± ... GPa``. Create it with :meth:`from_estimator`.

    Parameters
    ----------
    v0 : float
        Equilibrium volume, Å^3.
    e0 : float
        Energy at the minimum, eV.
    bulk_modulus_gpa : float
        Bulk modulus B0, GPa.
    bulk_modulus_gpa_err : float
        Standard error of ``bulk_modulus_gpa``, GPa.
    **kwargs
        The parameters of :class:`FitDisplay`.

    Attributes
    ----------
    v0_line_ : matplotlib Line2D
        Vertical line at ``v0``.
    title_ : matplotlib Text
        The title with V0, E0 and B0.
    scatter_, line_, band_, extrapolation_, ax_, figure_
        As in :class:`FitDisplay`.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skphys import MurnaghanRegressor
    >>> from skphys.datasets import load_murnaghan_example
    >>> from skphys.plotting import EOSDisplay
    >>> X, y = load_murnaghan_example(return_X_y=True)
    >>> display = EOSDisplay.from_estimator(MurnaghanRegressor().fit(X, y), X, y)
    >>> display.title_.get_text()
    'V0 = 212.78 Å$^3$, E0 = -400.02947 eV\\nB0 = 0.5986 ± 0.0034 GPa'
    """

    def __init__(self, *, v0, e0, bulk_modulus_gpa, bulk_modulus_gpa_err, **kwargs):
        super().__init__(**kwargs)
        self.v0 = v0
        self.e0 = e0
        self.bulk_modulus_gpa = bulk_modulus_gpa
        self.bulk_modulus_gpa_err = bulk_modulus_gpa_err

    def plot(self, ax=None, *, v0_line_kwargs=None, **kwargs):
        """Draw the display.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; ``None`` creates a figure.
        v0_line_kwargs : dict, default=None
            Keywords for ``ax.axvline`` at V0.
        **kwargs
            Keywords of :meth:`FitDisplay.plot`.

        Returns
        -------
        display : EOSDisplay
            The display itself, with the artists it drew.
        """
        super().plot(ax, **kwargs)
        line_style = style({"color": "0.4", "linestyle": ":", "label": "V0"}, v0_line_kwargs)
        self.v0_line_ = self.ax_.axvline(self.v0, **line_style)
        bulk = value_with_error(self.bulk_modulus_gpa, self.bulk_modulus_gpa_err)
        self.title_ = self.ax_.set_title(
            f"V0 = {self.v0:.2f} Å$^3$, E0 = {self.e0:.5f} eV\nB0 = {bulk} GPa"
        )
        self.ax_.legend(handles=[*self._legend_handles(), self.v0_line_])
        return self

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
        ax=None,
        scatter_kwargs=None,
        line_kwargs=None,
        band_kwargs=None,
        span_kwargs=None,
        v0_line_kwargs=None,
    ):
        """Plot a fitted equation of state over its energy-volume data.

        Parameters
        ----------
        estimator : estimator instance
            Fitted equation of state with ``v0_`` (Å^3), ``e0_`` (eV),
            ``bulk_modulus_gpa_`` and ``bulk_modulus_gpa_err_`` (GPa), such as
            :class:`~skphys.MurnaghanRegressor`.
        X : array-like of shape (n_samples, 1)
            Volumes, Å^3.
        y : array-like of shape (n_samples,)
            Energies, eV.
        x_range : tuple of (float, float), default=None
            (low, high) volumes of the curve, Å^3; ``None`` pads the data's range
            by a quarter of its span on each side.
        n_points : int, default=200
            Points of the curve.
        kind : {'confidence', 'prediction'} or None, default='confidence'
            Band of :meth:`~skphys.MurnaghanRegressor.predict_interval`, or none.
        alpha : float, default=0.05
            One minus the coverage of the band.
        ax : matplotlib Axes, default=None
            Axes to draw on; ``None`` creates a figure.
        scatter_kwargs, line_kwargs, band_kwargs, span_kwargs, v0_line_kwargs : \
dict, default=None
            Passed to :meth:`plot`.

        Returns
        -------
        display : EOSDisplay
            The display, drawn.
        """
        check_is_fitted(estimator)
        missing = [name for name in _EOS_ATTRIBUTES if not hasattr(estimator, name)]
        if missing:
            raise TypeError(
                f"{cls.__name__} needs a fitted equation of state with {', '.join(missing)}; "
                f"got {type(estimator).__name__}."
            )
        curve = fit_curve(
            estimator,
            X,
            y,
            x_range=x_range,
            n_points=n_points,
            kind=kind,
            alpha=alpha,
            xlabel="volume (Å$^3$)",
            ylabel="energy (eV)",
        )
        display = cls(
            v0=estimator.v0_,
            e0=estimator.e0_,
            bulk_modulus_gpa=estimator.bulk_modulus_gpa_,
            bulk_modulus_gpa_err=estimator.bulk_modulus_gpa_err_,
            **curve,
        )
        return display.plot(
            ax,
            scatter_kwargs=scatter_kwargs,
            line_kwargs=line_kwargs,
            band_kwargs=band_kwargs,
            span_kwargs=span_kwargs,
            v0_line_kwargs=v0_line_kwargs,
        )
