"""skphys: physics-based and small neural-network regression for scikit-learn."""

from ._eos import BaseEOSRegressor, BirchMurnaghanRegressor, MurnaghanRegressor, VinetRegressor
from ._fitting import FitFailedError
from ._pair import BuckinghamRegressor, LennardJonesRegressor, MorseRegressor
from ._parametric import BasePhysicalRegressor, ParametricRegressor
from ._persistence import IncompatibleVersionError
from ._tanh_mlp import TanhMLPRegressor
from ._version import __version__
from .atoms import AseEnergyTransformer, PairDistanceTransformer
from .exceptions import ExtrapolationWarning

__all__ = [
    "AseEnergyTransformer",
    "BaseEOSRegressor",
    "BasePhysicalRegressor",
    "BirchMurnaghanRegressor",
    "BuckinghamRegressor",
    "ExtrapolationWarning",
    "FitFailedError",
    "IncompatibleVersionError",
    "LennardJonesRegressor",
    "MorseRegressor",
    "MurnaghanRegressor",
    "PairDistanceTransformer",
    "ParametricRegressor",
    "TanhMLPRegressor",
    "VinetRegressor",
    "__version__",
]
