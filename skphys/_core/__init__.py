"""The one fitting core of skphys.

Layers, bottom up: :mod:`._jacobian` (exact Jacobians from autograd),
:mod:`._problem` (the least-squares problem: residual blocks of values and of
their derivatives, weights, penalty, conditioning), :mod:`._block_weights` (the
weight of the derivatives, estimated from the residuals; its rule on arrays in
:mod:`._weight_rule`, for one curve and for a batch), :mod:`._solvers` (the
solvers behind one signature), :mod:`._solve` (one fit, the best of several
starts), :mod:`._uncertainty` (covariance, delta method, Student t). Estimators
build a problem, call :func:`solve` or :func:`solve_best` and read the result;
they never reach into a solver.
"""

from ._block_weights import block_variances, solve_with_gradient_weight
from ._jacobian import (
    JACOBIAN_METHODS,
    broadcast_jacobian,
    input_gradient,
    model_jacobian,
    resolve_jacobian_method,
    reverse_jacobian,
)
from ._problem import LeastSquaresProblem, ValueBlock
from ._solve import FitResult, solve, solve_best
from ._solvers import SOLVERS
from ._uncertainty import (
    covariance_factor,
    inverse_normal_matrix,
    parameter_covariance,
    prediction_std,
    student_t_quantile,
)
from ._warn import warn

__all__ = [
    "JACOBIAN_METHODS",
    "SOLVERS",
    "FitResult",
    "LeastSquaresProblem",
    "ValueBlock",
    "block_variances",
    "broadcast_jacobian",
    "covariance_factor",
    "input_gradient",
    "inverse_normal_matrix",
    "model_jacobian",
    "parameter_covariance",
    "prediction_std",
    "resolve_jacobian_method",
    "reverse_jacobian",
    "solve",
    "solve_best",
    "solve_with_gradient_weight",
    "student_t_quantile",
    "warn",
]
