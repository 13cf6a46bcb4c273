"""skphys: physics-based and small neural-network regression for scikit-learn."""

from ._estimators._base import predict_gradient, predict_interval
from ._estimators._calibrated import CalibratedIntervalRegressor
from ._estimators._parametric import ParametricRegressor
from ._estimators._physical import BasePhysicalRegressor, PhysicalModel
from ._estimators._tanh_mlp import TanhMLPRegressor
from ._models._born_mayer import BornMayerRegressor
from ._models._eos import (
    BaseEOSRegressor,
    BirchMurnaghanRegressor,
    MurnaghanRegressor,
    VinetRegressor,
    eos_model,
)
from ._models._eos_more import (
    AntonSchmidtRegressor,
    PoirierTarantolaRegressor,
    StabilizedJelliumRegressor,
    TaylorRegressor,
)
from ._models._pair import BuckinghamRegressor, LennardJonesRegressor, MorseRegressor
from ._version import __version__
from .atoms import AseEnergyTransformer, PairDistanceTransformer
from .exceptions import ExtrapolationWarning, FitFailedError, IncompatibleVersionError

__all__ = [
    "AntonSchmidtRegressor",
    "AseEnergyTransformer",
    "BaseEOSRegressor",
    "BasePhysicalRegressor",
    "BirchMurnaghanRegressor",
    "BornMayerRegressor",
    "BuckinghamRegressor",
    "CalibratedIntervalRegressor",
    "ExtrapolationWarning",
    "FitFailedError",
    "IncompatibleVersionError",
    "LennardJonesRegressor",
    "MorseRegressor",
    "MurnaghanRegressor",
    "PairDistanceTransformer",
    "ParametricRegressor",
    "PhysicalModel",
    "PoirierTarantolaRegressor",
    "StabilizedJelliumRegressor",
    "TanhMLPRegressor",
    "TaylorRegressor",
    "VinetRegressor",
    "__version__",
    "eos_model",
    "predict_gradient",
    "predict_interval",
]
