"""``skphys eos FILE --pressure``: the pressures fitted with the energies, and checked first.

A pressure column in the wrong sign convention or unit is refused before any
fit (:func:`skphys._eos_pressure.inconsistent_pressures`): the command then says
what the pressures and the energies each imply and exits with status 2, instead
of printing a confident bulk modulus from data that contradict each other.
"""

import numpy as np
from ase.units import GPa

from .._eos_pressure import INCONSISTENT, inconsistent_pressures
from ._errors import CommandError


def _read_as(source):
    return f"read in {source['unit']} from column {source['column']!r}"


def check_pressures(volumes, energies, pressures, source, label):
    """Refuse pressures that cannot be the ``-dE/dV`` of the energies.

    Parameters
    ----------
    volumes, energies, pressures : ndarray of shape (n,)
        The curve, in Å^3, eV (NaN where missing) and eV/Å^3 (NaN where missing).
    source : dict
        The pressure column and the unit it was read in, for the message.
    label : str
        The curve (file name), for the message.
    """
    has_e, has_p = ~np.isnan(energies), ~np.isnan(pressures)
    message = inconsistent_pressures(
        volumes[None], np.where(has_e, energies, 0.0)[None], has_e[None].astype(float),
        np.where(has_p, pressures, 0.0)[None], has_p[None].astype(float),
    )[0]  # fmt: skip
    if message:
        raise CommandError(f"{label}: {message} (pressures {_read_as(source)})")


def refuse_if_all_inconsistent(fits, source, label):
    """Fail when every curve with pressures was refused: the column, not a curve, is wrong.

    Parameters
    ----------
    fits : pandas.DataFrame
        :func:`skphys.eos.fit_many`'s table, with ``n_pressures``.
    source : dict
        The pressure column and its unit.
    label : str
        The file, for the message.
    """
    with_pressures = fits[fits.n_pressures > 0]
    refused = with_pressures.message.str.startswith(INCONSISTENT)
    if len(with_pressures) and refused.all():
        raise CommandError(
            f"{label}: on every curve with pressures ({len(refused)}), "
            f"{with_pressures.message.iloc[0]} (pressures {_read_as(source)})"
        )


def pressure_report(eos, pressures, source):
    """What the fit of the pressures gives, for the record.

    Parameters
    ----------
    eos : BaseEOSRegressor
        Fitted with ``y_grad = -pressures``.
    pressures : ndarray of shape (n,)
        The pressures fitted, eV/Å^3 (NaN where missing).
    source : dict
        Their column and unit.

    Returns
    -------
    report : dict
        ``column``, ``unit``, ``n_pressures``, ``weight_A6`` (the weight of a
        squared pressure residual against a squared energy residual, Å^6),
        ``s_energy_eV`` and ``s_pressure_GPa`` (residual standard deviations).
    """
    return {
        "column": source["column"],
        "unit": source["unit"],
        "n_pressures": int(np.count_nonzero(~np.isnan(pressures))),
        "weight_A6": float(eos.gradient_weight_),
        "s_energy_eV": float(np.sqrt(eos.residual_variance_)),
        "s_pressure_GPa": float(np.sqrt(eos.gradient_variance_) / GPa),
    }


def print_pressure_report(report):
    """Print :func:`pressure_report` as one line of text."""
    print(
        f"  pressures: {report['n_pressures']} from column {report['column']!r} in "
        f"{report['unit']}, fitted with the energies; weight {report['weight_A6']:.4g} Å^6 "
        f"(estimated); residual std: energies {report['s_energy_eV']:.3g} eV, pressures "
        f"{report['s_pressure_GPa']:.3g} GPa"
    )
