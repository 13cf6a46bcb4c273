"""Plots of fits, parities, equations of state and sensitivities, as Display objects.

Each display follows scikit-learn's convention: ``XxxDisplay.from_estimator(...)``
(or ``from_predictions`` / ``from_function``) computes and draws; ``plot(ax=...)``
draws again; the matplotlib artists are kept as attributes (``line_``,
``scatter_``, ``band_``, ``ax_``, ``figure_``, ...). Axis labels carry units.
"""

from ._plotting._eos import EOSDisplay
from ._plotting._fit import FitDisplay
from ._plotting._parity import ParityDisplay
from ._plotting._sensitivity import SensitivityDisplay

__all__ = ["EOSDisplay", "FitDisplay", "ParityDisplay", "SensitivityDisplay"]
