"""Bundled data sets and generators of physical data."""

from ._base import load_murnaghan_example

__all__ = ["load_murnaghan_example"]
