"""The batched least-squares core: each curve fails, stops or converges on its own."""

import autograd.numpy as anp
import numpy as np

from skphys._closed_form import closed_form
from skphys._core._batch import batch_least_squares


def _line_partials(x, a, b):
    # the slope's derivative overflows once the slope passes 10: a form whose
    # values stay finite where its derivatives do not
    return a, anp.where(a > 10, anp.inf, x), 1.0


@closed_form(_line_partials)
def line(x, a, b):
    """``a x + b``."""
    return a * x + b


def _batch(n_points=6):
    x = np.tile(np.linspace(0.0, 1.0, n_points), (3, 1))
    y = np.vstack([2.0 * x[0] + 1.0, 3.0 * x[1] - 1.0, -x[2] + 0.5])
    return x, y, np.ones_like(x)


def test_each_curve_converges_to_its_own_line():
    x, y, w = _batch()
    result = batch_least_squares(line, x, y, w, np.zeros((3, 2)))
    assert result.converged.all() and set(result.status) == {"converged"}
    # exact data: the least-squares line is the truth, to the rule's 10 tol
    np.testing.assert_allclose(result.params, [[2.0, 1.0], [3.0, -1.0], [-1.0, 0.5]],
                               rtol=0, atol=10 * 1e-8 * 3)  # fmt: skip
    assert np.all(result.n_points == 6)


def test_a_curve_whose_derivatives_overflow_fails_alone():
    x, y, w = _batch()
    start = np.array([[0.0, 0.0], [20.0, 0.0], [0.0, 0.0]])
    result = batch_least_squares(line, x, y, w, start)
    assert list(result.status) == ["converged", "failed", "converged"]
    assert "not finite" in result.message[1]
    np.testing.assert_allclose(result.params[[0, 2]], [[2.0, 1.0], [-1.0, 0.5]], atol=1e-6)


def test_max_iter_and_no_degree_of_freedom():
    x, y, w = _batch(n_points=2)  # two points, two parameters: dof 0
    result = batch_least_squares(line, x, y, w, np.zeros((3, 2)), max_iter=1)
    # one Jacobian is the start's: the test cannot pass before a step is taken
    assert set(result.status) == {"max_iter"} and not result.converged.any()
    assert np.all(np.isinf(result.covariance))
