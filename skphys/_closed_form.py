"""Closed-form functions as autograd primitives with their derivatives written out.

Autograd differentiates a formula by recording each of its numpy calls and
replaying them backwards: for a ten-operation equation of state that bookkeeping,
not the arithmetic, is most of the cost of a Jacobian. A function registered with
:func:`closed_form` is one node instead: its value is computed by the plain formula,
and its derivatives by a second function that returns every partial derivative at
once, sharing the subexpressions.

The partial derivatives are themselves written with ``autograd.numpy``, so a
registered function stays differentiable to any order (the pressure -dE/dV and its
Jacobian with respect to the parameters go through them), in reverse and forward
mode alike.
"""

import functools

import autograd.numpy as anp
import numpy as np
from autograd.extend import defjvp_argnums, defvjp_argnums, primitive
from autograd.numpy.numpy_vjps import unbroadcast


def partials_jacobian(function, x, params):
    """Derivatives of a closed form with respect to its parameters, stacked.

    Parameters
    ----------
    function : callable
        A function registered with :func:`closed_form`, ``function(x, *params)``.
    x : ndarray
        The variable, of any shape.
    params : sequence of n_params
        Parameters, each a scalar or an array broadcasting against ``x``.

    Returns
    -------
    jac : ndarray of shape x.shape + (n_params,)
        ``jac[..., j]`` is the derivative with respect to parameter ``j``.
    """
    partials = function.partials(x, *params)[1:]
    jac = np.empty((*np.shape(x), len(partials)))
    for j, derivative in enumerate(partials):
        jac[..., j] = derivative  # broadcasts a constant partial (1 for E0)
    return jac


def closed_form(partials):
    """Register a function as a primitive whose partial derivatives are ``partials``.

    Parameters
    ----------
    partials : callable
        ``partials(*args) -> tuple`` of the derivative of the function with respect
        to each of its positional arguments, in order; each broadcasts against the
        function's value (a scalar such as ``1.0`` is allowed).

    Returns
    -------
    decorator : callable
        Turns ``function(*args)`` into an autograd primitive with the same name,
        signature and docstring.
    """

    def register(function):
        # the name, module, docstring and signature (``__wrapped__``) of the
        # formula, for inspect.signature and the docs
        wrapped = functools.update_wrapper(primitive(function), function)
        # the partials themselves, for a Jacobian without tracing (the core's
        # 'closed_form' method)
        wrapped.partials = partials

        def vjp_maker(argnums, ans, args, kwargs):
            derivatives = partials(*args)
            metas = [anp.metadata(args[i]) for i in argnums]

            def vjp(g):
                return tuple(
                    unbroadcast(g * derivatives[i], meta)
                    for i, meta in zip(argnums, metas, strict=True)
                )

            return vjp

        def jvp(argnums, tangents, ans, args, kwargs):
            derivatives = partials(*args)
            total = 0.0
            for i, tangent in zip(argnums, tangents, strict=True):
                total = total + tangent * derivatives[i]
            # a tangent of a scalar argument times a scalar partial is scalar
            return total + anp.zeros_like(ans) if anp.shape(total) != anp.shape(ans) else total

        defvjp_argnums(wrapped, vjp_maker)
        defjvp_argnums(wrapped, jvp)
        return wrapped

    return register
