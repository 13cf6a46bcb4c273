"""The closed forms of skphys.functions: written-out derivatives that autograd trusts.

Every form is an autograd primitive whose partial derivatives are written by hand;
these tests hold each of them against autograd's own numerical checks, in both
modes and to second order, and the fitting core's 'closed_form' Jacobian against
the traced one.
"""

import inspect
import weakref

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import elementwise_grad
from autograd.test_util import check_grads

from skphys import functions
from skphys._core import model_jacobian, resolve_jacobian_method
from skphys._core._jacobian import _RESOLVED
from skphys._random_problems import MODELS

EPS = np.finfo(float).eps
FORMS = [cls.physical_model for cls in MODELS]
FORM_IDS = [cls.__name__ for cls in MODELS]


def _example(form, n_samples=9):
    params, (low, high) = form.example
    return np.linspace(low, high, n_samples), [float(p) for p in params]


@pytest.mark.parametrize("form", FORMS, ids=FORM_IDS)
def test_partials_pass_autograd_check_grads(form):
    """Forward and reverse mode, to second order, with respect to x and every
    parameter, scalar or per sample (as the per-sample Jacobian passes them)."""
    x, params = _example(form)
    args = [x, *params]
    for index in range(len(args)):

        def along(value, index=index):
            return form.function(*args[:index], value, *args[index + 1 :])

        check_grads(along, modes=["fwd", "rev"], order=2)(args[index])
        if index:
            check_grads(along, modes=["fwd", "rev"], order=2)(np.full(x.shape, args[index]))


@pytest.mark.parametrize("form", FORMS, ids=FORM_IDS)
def test_closed_form_jacobian_equals_the_traced_one(form):
    """The core's 'closed_form' Jacobian is the per-sample autograd Jacobian of the
    formula written with plain autograd.numpy (the primitive's raw function)."""
    x, params = _example(form)
    X = x[:, None]
    raw = form.function.__wrapped__

    def traced(p, X):
        return raw(X[:, 0], *p)

    class Declared:
        def __call__(self, p, X):
            return form.function(X[:, 0], *p)

        def jacobian(self, p, X):
            return form.jacobian(X[:, 0], p)

    closed = model_jacobian(Declared(), np.array(params), X, "closed_form")
    exact = model_jacobian(traced, np.array(params), X, "rows")
    assert closed.shape == (x.size, len(params))
    # the same derivatives evaluated in different orders agree to rounding. In
    # energy units (a derivative times its parameter: the change of E for a
    # relative change of the parameter) that is a few ulps of the largest such
    # change: the terms of a partial may cancel to far less than it (dE/dBP
    # vanishes at V0), and rounding follows the terms, not their sum
    in_energy = np.abs(np.array(params))
    scale = np.max(np.abs(exact) * in_energy)
    assert np.all(np.abs(closed - exact) * in_energy <= 16 * EPS * scale)


def test_closed_forms_keep_their_signature_and_docstring():
    """Parameter names are read from the signature; the docs read the docstring."""
    for form in FORMS:
        function = form.function
        assert form.has_closed_form
        assert tuple(inspect.signature(function).parameters)[1:] == form.names
        assert function.__module__ == "skphys.functions"
        assert function.__doc__ and function.__name__ in dir(functions)


def test_pressure_of_the_closed_form_is_minus_dE_dV():
    """The derivative with respect to V (what pressure uses) is the written-out one,
    checked against the Murnaghan pressure formula."""
    V = np.linspace(14.0, 19.0, 7)
    E0, B0, BP, V0 = -3.7, 0.85, 5.0, 16.5
    dE_dV = elementwise_grad(functions.murnaghan)(V, E0, B0, BP, V0)
    expected = -functions.murnaghan_pressure(V, B0, BP, V0)
    np.testing.assert_allclose(dE_dV, expected, rtol=1e3 * EPS, atol=1e3 * EPS * B0)


def test_jacobian_method_is_checked_once_per_model():
    """'auto' remembers what it chose for a model and its number of features, and
    forgets it with the model."""

    def line(params, X):
        a, b = params
        return a * X[:, 0] + b

    X = np.linspace(0, 1, 5)[:, None]
    chosen = resolve_jacobian_method(line, np.ones(2), X)
    assert chosen in ("rows", "broadcast")
    assert _RESOLVED[line] == {1: chosen}
    # a model that couples samples is not confused with it
    def coupled(params, X):
        a, b = params
        return a * X[:, 0] + b * anp.mean(a * X[:, 0])

    assert resolve_jacobian_method(coupled, np.ones(2), X) == "reverse"
    assert _RESOLVED[line] == {1: chosen} and _RESOLVED[coupled] == {1: "reverse"}
    # a single sample cannot show coupling: nothing is remembered from it
    def other(params, X):
        a, b = params
        return a * X[:, 0] + b * anp.mean(a * X[:, 0])

    resolve_jacobian_method(other, np.ones(2), X[:1])
    assert other not in _RESOLVED or _RESOLVED[other] == {}
    reference = weakref.ref(line)
    del line
    assert reference() is None
