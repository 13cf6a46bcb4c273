"""skphys: physics-based and small neural-network regression for scikit-learn."""

from ._eos import MurnaghanRegressor
from ._fitting import FitFailedError
from ._pair import BuckinghamRegressor
from ._parametric import BasePhysicalRegressor, ParametricRegressor
from .atoms import AseEnergyTransformer, PairDistanceTransformer

__version__ = "0.1.0"

__all__ = [
    "AseEnergyTransformer",
    "BasePhysicalRegressor",
    "BuckinghamRegressor",
    "FitFailedError",
    "MurnaghanRegressor",
    "PairDistanceTransformer",
    "ParametricRegressor",
    "__version__",
]
