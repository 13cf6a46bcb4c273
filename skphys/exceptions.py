"""Warnings and errors specific to skphys."""

__all__ = ["ExtrapolationWarning"]


class ExtrapolationWarning(UserWarning):
    """A prediction was asked for outside the domain the model was trained on.

    Flexible models such as :class:`~skphys.TanhMLPRegressor` interpolate their
    training data but do not extrapolate it: outside the range of the training
    inputs their predictions are not supported by any data.
    """
