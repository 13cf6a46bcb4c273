"""skphys: physics-based and small neural-network regression for scikit-learn."""

from ._eos import MurnaghanRegressor
from ._fitting import FitFailedError
from ._pair import BuckinghamRegressor
from ._parametric import BasePhysicalRegressor, ParametricRegressor

__version__ = "0.1.0"

__all__ = [
    "BasePhysicalRegressor",
    "BuckinghamRegressor",
    "FitFailedError",
    "MurnaghanRegressor",
    "ParametricRegressor",
    "__version__",
]
