"""Display objects of :mod:`skphys.plotting`, one per module."""
