"""Equations of state E(V) as scikit-learn regressors."""

import numpy as np
from ase.units import GPa
from autograd import elementwise_grad

from ._parametric import SOLVER_PARAMETERS_DOC, BasePhysicalRegressor, fit_attributes_doc
from .functions import birch_murnaghan, murnaghan, vinet


def parabola_guess(volumes, energies, sample_weight):
    """Starting (E0, B0, V0) from a parabola through the data, as :mod:`ase.eos` does.

    The parabola is fitted to the points nearest (in volume) to the lowest energy
    that carry half of the total weight, where E(V) is closest to quadratic; with
    fewer than ten points it is fitted to all of them.

    Parameters
    ----------
    volumes : ndarray of shape (n_samples,)
        Volumes, Å^3.
    energies : ndarray of shape (n_samples,)
        Energies, eV.
    sample_weight : ndarray of shape (n_samples,)
        Relative weights.

    Returns
    -------
    e0 : float
        Energy at the minimum, eV.
    b0 : float
        Bulk modulus ``V0 E''(V0)``, eV/Å^3 (positive).
    v0 : float
        Volume at the minimum, Å^3.
    """
    positive = sample_weight > 0
    volumes, energies, sample_weight = (a[positive] for a in (volumes, energies, sample_weight))
    if volumes.shape[0] >= 10:
        # The points nearest the lowest energy that carry half the total weight
        # (weights, not counts, so that repeating a sample equals doubling its weight).
        lowest = volumes[np.argmin(energies)]
        order = np.argsort(np.abs(volumes - lowest), kind="stable")
        cumulative = np.cumsum(sample_weight[order])
        near = order[: np.searchsorted(cumulative, 0.5 * cumulative[-1]) + 1]
        if np.unique(volumes[near]).size >= 3:
            volumes, energies, sample_weight = volumes[near], energies[near], sample_weight[near]
    span = np.ptp(volumes)
    a = b = 0.0
    if span > 0 and volumes.shape[0] >= 3:
        # Weighted least-squares parabola in centred, scaled volumes (well conditioned).
        centre, scale = volumes.mean(), span
        t = (volumes - centre) / scale
        design = np.column_stack([t**2, t, np.ones_like(t)]) * np.sqrt(sample_weight)[:, None]
        (a_t, b_t, c_t), *_ = np.linalg.lstsq(design, energies * np.sqrt(sample_weight))
        # back to E = a V^2 + b V + c
        a = a_t / scale**2
        b = b_t / scale - 2 * a * centre
        c = c_t - b_t * centre / scale + a_t * centre**2 / scale**2
    if a > 0:
        v0 = -b / (2 * a)
        if abs(v0 - np.median(volumes)) <= 2 * span:
            return float(c - b**2 / (4 * a)), float(2 * a * v0), float(v0)
    # No usable minimum in the parabola: start at the lowest point with a stiffness
    # of the order the data shows.
    lowest = int(np.argmin(energies))
    v0 = float(volumes[lowest])
    curvature = abs(a) if a != 0 else np.ptp(energies) / max(span, v0 * 0.01) ** 2 + 1e-12
    return float(energies[lowest]), float(2 * curvature * v0), v0


_EOS_DOC = """{title}

    ``{formula}``
    (see :func:`skphys.functions.{function}`).

    Parameters
    ----------
    p0 : array-like of shape (4,), default=None
        Starting ``[E0 (eV), B0 (eV/Å^3), BP, V0 (Å^3)]``. ``None`` takes them from a
        parabola through the data (as :mod:`ase.eos` does) with ``BP = 4``.
    bounds : tuple of (lower, upper), default=None
        Bounds on ``[E0, B0, BP, V0]`` for the 'trf', 'lbfgs' and 'adam' solvers.
{solver_parameters}

    Attributes
    ----------
    e0_ : float
        Energy at the minimum, eV.
    b0_ : float
        Bulk modulus at ``V0``, eV/Å^3.
    bp_ : float
        Pressure derivative of the bulk modulus, dimensionless.
    v0_ : float
        Equilibrium volume, Å^3.
    bulk_modulus_gpa_ : float
        ``b0_`` in GPa.
    bulk_modulus_gpa_err_ : float
        Standard error of ``bulk_modulus_gpa_``, GPa.
{fit_attributes}

    Warns
    -----
    UserWarning
        When the fitted ``V0`` lies outside the volumes of the data (the minimum
        is extrapolated, as :mod:`ase.eos` warns), one energy lies more than 10
        robust standard deviations off the fitted curve (an outlier), a
        parameter's standard error exceeds its value, or the fit ends at
        unphysical values (B0 <= 0, BP outside 0-20) even after restarts.

    Examples
    --------
    >>> from skphys import {name}
    >>> from skphys.datasets import load_murnaghan_example
    >>> X, y = load_murnaghan_example(return_X_y=True)
    >>> eos = {name}().fit(X, y)
    >>> round(eos.v0_, 1), round(eos.bulk_modulus_gpa_, 2)
    {example}
    """


class BaseEOSRegressor(BasePhysicalRegressor):
    __doc__ = f"""Shared machinery of the equations of state E(V); not for direct use.

    A form is its function of :mod:`skphys.functions` with the signature
    ``f(V, E0, B0, BP, V0)``; everything else (data-driven start, bulk modulus in
    GPa, pressure by automatic differentiation, warnings) is here.

    Parameters
    ----------
    p0 : array-like of shape (4,), default=None
        Starting ``[E0 (eV), B0 (eV/Å^3), BP, V0 (Å^3)]``; ``None`` takes them
        from a parabola through the data, with ``BP = 4``.
    bounds : tuple of (lower, upper), default=None
        Bounds on ``[E0, B0, BP, V0]`` for the 'trf', 'lbfgs' and 'adam' solvers.
{SOLVER_PARAMETERS_DOC}
    """

    _names = ("E0", "B0", "BP", "V0")
    _offset_index = 0  # E0
    _param_units = ("eV", "eV/Å^3", "", "Å^3")
    _feature_meaning = "volumes in Å^3"

    def _initial_guess(self, X, y, sample_weight):
        e0, b0, v0 = parabola_guess(X[:, 0], y, sample_weight)
        return [e0, b0, 4.0, v0]

    def _set_named_attributes(self):
        super()._set_named_attributes()
        self.bulk_modulus_gpa_ = self.b0_ / GPa
        self.bulk_modulus_gpa_err_ = float(self.perr_[1] / GPa)

    def _minimum_location(self):
        return self.v0_

    def _plausible(self, params):
        # a positive bulk modulus with a positive pressure derivative below 20
        # (real solids: 3-7; EMT aluminium: 0.3-0.8)
        return params[1] > 0 and 0 < params[2] < 20

    def _other_starts(self, p0):
        # BP is the parameter the data determine least: start from other values
        return [[p0[0], p0[1], bp, p0[3]] for bp in (2.0, 3.0, 5.0, 7.0)]

    def pressure(self, X):
        """Pressure ``P = -dE/dV`` of the fitted equation of state.

        Computed by automatic differentiation of the fitted E(V).

        Parameters
        ----------
        X : array-like of shape (n_samples, 1)
            Volumes, Å^3.

        Returns
        -------
        pressure : ndarray of shape (n_samples,)
            Pressure, GPa.
        """
        X = self._validated_X(X)
        dE_dV = elementwise_grad(type(self)._function)(X[:, 0], *self.params_)
        return -np.asarray(dE_dV) / GPa


def _eos_doc(name, function, title, formula, example):
    return _EOS_DOC.format(
        title=title,
        formula=formula,
        function=function.__name__,
        name=name,
        example=example,
        solver_parameters=SOLVER_PARAMETERS_DOC,
        fit_attributes=fit_attributes_doc(
            BaseEOSRegressor._names, ("e0_", "b0_", "bp_", "v0_"), "volume"
        ),
    )


class MurnaghanRegressor(BaseEOSRegressor):
    __doc__ = _eos_doc(
        "MurnaghanRegressor",
        murnaghan,
        "Murnaghan equation of state fitted to energy-volume data.",
        "E(V) = E0 + B0 V / BP ((V0 / V)^BP / (BP - 1) + 1) - V0 B0 / (BP - 1)",
        "(212.8, 0.6)",
    )
    _function = murnaghan


class BirchMurnaghanRegressor(BaseEOSRegressor):
    __doc__ = _eos_doc(
        "BirchMurnaghanRegressor",
        birch_murnaghan,
        "Third-order Birch-Murnaghan equation of state fitted to energy-volume data.",
        "E(V) = E0 + 9 B0 V0 / 16 (eta^2 - 1)^2 (6 + BP (eta^2 - 1) - 4 eta^2), "
        "eta = (V0 / V)^(1/3)",
        "(212.0, 0.63)",
    )
    _function = birch_murnaghan


class VinetRegressor(BaseEOSRegressor):
    __doc__ = _eos_doc(
        "VinetRegressor",
        vinet,
        "Vinet equation of state fitted to energy-volume data.",
        "E(V) = E0 + 2 B0 V0 / (BP - 1)^2 (2 - (5 + 3 BP (eta - 1) - 3 eta) "
        "exp(-3 (BP - 1) (eta - 1) / 2)), eta = (V / V0)^(1/3)",
        "(211.7, 0.65)",
    )
    _function = vinet
