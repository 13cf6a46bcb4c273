"""Bundled data sets and generators of physical data."""

from ._base import load_murnaghan_example
from ._generators import make_dimer_dataset, make_trimer_dataset

__all__ = ["load_murnaghan_example", "make_dimer_dataset", "make_trimer_dataset"]
