"""Bundled data sets and generators of physical data."""

from ._acwf import load_acwf_sample
from ._base import load_murnaghan_example
from ._generators import make_dimer_dataset, make_trimer_dataset

__all__ = [
    "load_acwf_sample",
    "load_murnaghan_example",
    "make_dimer_dataset",
    "make_trimer_dataset",
]
