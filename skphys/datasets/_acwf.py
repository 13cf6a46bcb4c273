"""A sample of the ACWF verification study's equation-of-state curves."""

from importlib import resources

import pandas as pd

from ._base import _read_descr

_CURVE = ["code", "set", "crystal"]
# read_csv's arguments that give every digit as written: before pandas 3 the
# default parser rounds the last digit of 4 values in 10 (3 reads exactly and
# deprecates the option)
_PANDAS_MAJOR = int(pd.__version__.split(".")[0])
READ_CSV_EXACT = {"float_precision": "round_trip"} if _PANDAS_MAJOR < 3 else {}


def load_acwf_sample(*, with_fits=False):
    """Load 300 DFT energy-volume curves of the ACWF verification study.

    Read more in :ref:`acwf_sample`.

    Parameters
    ----------
    with_fits : bool, default=False
        Also return ACWF's own third-order Birch-Murnaghan fit of each curve.

    Returns
    -------
    curves : pandas.DataFrame
        One row per point: ``code``, ``set``, ``crystal`` (together they name a
        curve), ``n_atoms``, ``volume_A3`` (Å^3 per cell), ``energy_eV`` (eV per
        cell) and ``pressure_eV_A3`` (eV/Å^3, NaN where the code reported no
        stress).
    fits : pandas.DataFrame
        Only with ``with_fits=True``: one row per curve with ``E0_eV``, ``V0_A3``,
        ``B0_eV_A3``, ``B1`` and ``residuals`` (eV^2), as ACWF fitted them.

    Examples
    --------
    >>> from skphys.datasets import load_acwf_sample
    >>> curves = load_acwf_sample()
    >>> curves.groupby(["code", "set", "crystal"]).ngroups
    300
    """
    data = resources.files("skphys.datasets") / "data"
    with resources.as_file(data / "acwf_curves_sample.csv.gz") as path:
        curves = pd.read_csv(path, **READ_CSV_EXACT)
    curves.attrs["DESCR"] = _read_descr("acwf_sample.rst")
    if not with_fits:
        return curves
    with resources.as_file(data / "acwf_bm_fits_sample.csv.gz") as path:
        fits = pd.read_csv(path, **READ_CSV_EXACT)
    return curves, fits
