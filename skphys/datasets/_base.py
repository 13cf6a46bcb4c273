"""Loaders of the data sets shipped with skphys."""

from importlib import resources

import numpy as np
from sklearn.utils import Bunch


def _read_csv(name):
    with resources.files(__package__).joinpath("data", name).open("r", encoding="utf-8") as f:
        header = f.readline().strip().split(",")
        values = np.loadtxt(f, delimiter=",", ndmin=2)
    return header, values


def _read_descr(name):
    return resources.files(__package__).joinpath("descr", name).read_text(encoding="utf-8")


def load_murnaghan_example(*, return_X_y=False):
    """Load the 28-point energy-volume table of a solid (DFT).

    Read more in :ref:`murnaghan_example`.

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        With ``data`` (ndarray of shape (28, 1), volumes in Å^3), ``target``
        (ndarray of shape (28,), energies in eV), ``feature_names``
        (``['volume_A3']``), ``target_names`` (``['energy_eV']``) and ``DESCR``.
    (data, target) : tuple of ndarray
        When ``return_X_y=True``.

    Examples
    --------
    >>> from skphys.datasets import load_murnaghan_example
    >>> X, y = load_murnaghan_example(return_X_y=True)
    >>> X.shape, y.shape
    ((28, 1), (28,))
    """
    header, values = _read_csv("murnaghan_example.csv")
    data, target = values[:, :1], values[:, 1]
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        feature_names=header[:1],
        target_names=header[1:],
        DESCR=_read_descr("murnaghan_example.rst"),
    )
