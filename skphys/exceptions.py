"""Every error and warning class skphys raises or issues.

Fit-quality warnings share the base :class:`FitQualityWarning`, so that one filter
silences or raises all of them, and each kind has its class, so that a filter can
name one without a regular expression on its text.
"""

__all__ = [
    "ExtrapolatedMinimumWarning",
    "ExtrapolationWarning",
    "FitFailedError",
    "FitQualityWarning",
    "IncompatibleVersionError",
    "LackOfFitWarning",
    "OutlierWarning",
    "OverparameterizedWarning",
    "UndeterminedParameterWarning",
    "UnphysicalParametersWarning",
]


class FitFailedError(RuntimeError):
    """The solver ended on non-finite parameters or a non-finite objective."""


class IncompatibleVersionError(ValueError):
    """A pickled model comes from a skphys release whose state may differ."""


class ExtrapolationWarning(UserWarning):
    """A prediction was asked for outside the domain the model was trained on.

    Flexible models such as :class:`~skphys.TanhMLPRegressor` interpolate their
    training data but do not extrapolate it: outside the range of the training
    inputs their predictions are not supported by any data.
    """


class FitQualityWarning(UserWarning):
    """Base class of the warnings about a doubtful fit (the fit itself succeeded)."""


class UnphysicalParametersWarning(FitQualityWarning):
    """The fitted parameters fail the model's physical plausibility test.

    For example a negative bulk modulus, or the negative prefactors of a
    Buckingham potential fitted without bounds.
    """


class UndeterminedParameterWarning(FitQualityWarning):
    """A fitted parameter's standard error exceeds its value: the data leave it open."""


class OutlierWarning(FitQualityWarning):
    """One sample lies far (10 robust standard deviations) off the fitted curve."""


class LackOfFitWarning(FitQualityWarning):
    """The residuals are structured along the input: the form misses the data.

    Neighbouring residuals resemble each other more than independent noise
    allows (the Durbin-Watson test at the 1 % level; see the user guide's
    section on lack of fit). Deterministic data (EMT or DFT energies, which do
    not scatter) fitted with a form that cannot follow them give this: every
    residual is model error. The fit itself succeeded, but its parameter
    standard errors, confidence intervals and prediction bands assume
    independent noise and understate the uncertainty. Use calibrated intervals
    (:class:`~skphys.CalibratedIntervalRegressor`), a more flexible form (or a flexible correction
    to this one), or read the fitted parameters as effective ones, which
    describe these data in this form and not a property of the system.
    """


class ExtrapolatedMinimumWarning(FitQualityWarning):
    """The minimum of the fitted curve lies outside the range of the data."""


class OverparameterizedWarning(FitQualityWarning):
    """The model has far more parameters than data, and no penalty holds them."""
