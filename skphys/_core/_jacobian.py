"""Jacobians of model outputs with respect to their parameters, from autograd.

A model is a function ``model(params, X) -> y`` written with ``autograd.numpy``.
``autograd.jacobian`` builds the Jacobian of such a model with one reverse pass per
output value, which makes it slow: most of the time goes into rebuilding the same
computation graph ``n_samples`` times.

For models that treat samples independently (every physical model here, and a
neural network evaluated point by point) there is a much faster route. Give every
sample its own copy of the parameters -- an array of shape ``(n_params, n_samples)``
whose column ``i`` is used for sample ``i`` only -- and differentiate the *sum* of
the outputs. Because output ``i`` depends on column ``i`` alone, the gradient of the
sum with respect to column ``i`` is row ``i`` of the Jacobian. One forward and one
reverse pass give the whole Jacobian.

The convention that makes this work: a model must accept ``params`` of shape
``(n_params,)`` and of shape ``(n_params, n_samples)``. Models written as
``a, b, c = params; return a * np.exp(-b * x) ...`` with ``x = X[:, 0]`` satisfy it
without any change, because unpacking the first axis yields scalars in one case and
per-sample rows in the other.
"""

import time
import weakref

import numpy as np
from autograd import elementwise_grad, make_jvp, make_vjp
from autograd import jacobian as _autograd_jacobian

JACOBIAN_METHODS = ("auto", "broadcast", "rows", "reverse")

# What 'auto' chose for a model, by number of features: the check depends on the
# model's code, not on its data, so a model refitted (cross-validation, a grid
# search, thousands of curves) is checked once.
_RESOLVED = weakref.WeakKeyDictionary()


def broadcast_jacobian(model, params, X, rows=False):
    """Jacobian of ``model(params, X)`` by one reverse pass over per-sample parameters.

    Parameters
    ----------
    model : callable
        ``model(params, X)`` accepting ``params`` of shape ``(n_params,)`` and
        ``(n_params, n_samples)``; output ``i`` must depend on sample ``i`` and on
        column ``i`` of the parameters only.
    params : ndarray of shape (n_params,)
        Point at which to differentiate.
    X : ndarray of shape (n_samples, n_features)
        Inputs.
    rows : bool, default=False
        Pass the per-sample parameters as a tuple of ``n_params`` rows instead of
        one array. Models that only unpack their parameters (``a, b = params``)
        accept both; the tuple spares autograd one indexing node per parameter,
        which is ~40 % of the cost of a small physical model.

    Returns
    -------
    jac : ndarray of shape (n_samples * n_outputs, n_params)
        Row ``i * n_outputs + j`` is the gradient of output ``j`` of sample ``i``,
        the order of ``model(params, X).ravel()``.
    """
    n_samples = X.shape[0]
    per_sample = np.repeat(np.asarray(params, dtype=float)[:, None], n_samples, axis=1)
    if rows:
        per_sample = tuple(per_sample)
    vjp, out = make_vjp(lambda p: model(p, X))(per_sample)
    out = np.asarray(out)
    if out.ndim == 1:
        return _as_jacobian_rows(vjp(np.ones(n_samples)))
    n_outputs = out.shape[1]
    jac = np.empty((n_samples, n_outputs, len(params)))
    for j in range(n_outputs):
        seed = np.zeros_like(out)
        seed[:, j] = 1.0
        jac[:, j, :] = _as_jacobian_rows(vjp(seed))
    return jac.reshape(n_samples * n_outputs, -1)


def _as_jacobian_rows(per_sample_grad):
    """(n_params, n_samples) gradient, array or tuple of rows -> (n_samples, n_params)."""
    if isinstance(per_sample_grad, (tuple, list)):
        return np.column_stack(per_sample_grad)
    return np.asarray(per_sample_grad).T


def reverse_jacobian(model, params, X):
    """Jacobian of ``model(params, X)`` by ``autograd.jacobian`` (one pass per output).

    Works for any autograd-differentiable model, including ones that couple samples.

    Parameters
    ----------
    model : callable
        ``model(params, X)``.
    params : ndarray of shape (n_params,)
        Point at which to differentiate.
    X : ndarray of shape (n_samples, n_features)
        Inputs.

    Returns
    -------
    jac : ndarray of shape (n_samples * n_outputs, n_params)
        Same layout as :func:`broadcast_jacobian`.
    """
    params = np.asarray(params, dtype=float)
    jac = _autograd_jacobian(lambda p: model(p, X))(params)
    return np.asarray(jac).reshape(-1, params.shape[0])


class _AutogradInputGradient:
    """``d model(params, X) / dX`` row by row, by one reverse pass over X.

    Valid for a model of one output whose output ``i`` depends on sample ``i``
    only: the gradient of the sum of the outputs is then, row by row, the
    derivative of each output with respect to its own sample. It is itself a
    model ``(params, X) -> (n_samples, n_features)`` written in autograd, so the
    Jacobian of a block of derivatives comes from the same per-sample machinery.
    """

    def __init__(self, model):
        self.model = model

    def __call__(self, params, X):
        return elementwise_grad(lambda inputs: self.model(params, inputs))(X)


class _CoupledInputGradient:
    """``d model_i / d X_i`` from the full Jacobian with respect to X (any model)."""

    def __init__(self, model):
        self.model = model

    def __call__(self, params, X):
        full = _autograd_jacobian(lambda inputs: self.model(params, inputs))(X)
        index = np.arange(X.shape[0])
        return full[index, index]


def input_gradient(model, coupled=False):
    """The derivative of ``model(params, X)`` with respect to X, as a model.

    A model that writes its derivative out (a form of :mod:`skphys.functions`, the
    tanh network) provides it as ``model.input_gradient(params, X)``; any other
    model is differentiated by autograd.

    Parameters
    ----------
    model : callable
        ``model(params, X) -> (n_samples,)``.
    coupled : bool, default=False
        Whether outputs may depend on other samples than their own (a model
        checked as 'reverse'): the derivative of each output with respect to its
        own sample is then read from the full Jacobian, n_samples times the cost.

    Returns
    -------
    gradient : callable
        ``gradient(params, X) -> (n_samples, n_features)``, autograd-differentiable
        in ``params`` and following the per-sample convention when ``model`` does.
    """
    own = getattr(model, "input_gradient", None)
    if own is not None:
        return own
    return _CoupledInputGradient(model) if coupled else _AutogradInputGradient(model)


def model_jacobian(model, params, X, method):
    """Jacobian of the model outputs with the resolved ``method``.

    Parameters
    ----------
    model : callable
        ``model(params, X)``.
    params : ndarray of shape (n_params,)
        Point at which to differentiate.
    X : ndarray of shape (n_samples, n_features)
        Inputs.
    method : {'broadcast', 'rows', 'reverse', 'closed_form'}
        Resolved method (see :func:`resolve_jacobian_method`): 'broadcast' and
        'rows' call :func:`broadcast_jacobian` with the per-sample parameters as an
        array or as a tuple of rows, 'reverse' calls :func:`reverse_jacobian`;
        'closed_form' calls the model's own ``model.jacobian(params, X)``, for a
        model whose derivatives are written out (a form of
        :mod:`skphys.functions`).

    Returns
    -------
    jac : ndarray of shape (n_samples * n_outputs, n_params)
    """
    if method == "reverse":
        return reverse_jacobian(model, params, X)
    if method == "closed_form":
        return np.asarray(model.jacobian(params, X), dtype=float)
    return broadcast_jacobian(model, params, X, rows=method == "rows")


def resolve_jacobian_method(model, params, X, method="auto", rng=None):
    """Pick the Jacobian method for ``model``, checking that a broadcast one is exact.

    With ``method='auto'``, 'rows' and 'broadcast' are tried, each compared along
    a random direction with a forward-mode directional derivative (one extra
    forward pass), and the faster of those that pass is kept: they give the same
    numbers, and which is faster depends on the model (the number of parameters,
    of operations). A model that rejects per-sample parameters, returns another
    shape with them, or couples samples falls back to 'reverse'. The choice is
    made once per model and number of features (from data with two samples or
    more) and remembered for as long as the model exists.

    Parameters
    ----------
    model : callable
        ``model(params, X)``.
    params : ndarray of shape (n_params,)
        Point at which to check.
    X : ndarray of shape (n_samples, n_features)
        Inputs.
    method : {'auto', 'broadcast', 'rows', 'reverse'}, default='auto'
        Requested method; anything but 'auto' is returned unchanged.
    rng : numpy.random.Generator, default=None
        Source of the random direction.

    Returns
    -------
    method : {'broadcast', 'rows', 'reverse'}
    """
    if method != "auto":
        return method
    try:
        known = _RESOLVED.setdefault(model, {})
    except TypeError:  # a model that cannot be weakly referenced is checked every time
        known = {}
    if X.shape[1] not in known:
        resolved = _check_jacobian_method(model, params, X, rng)
        if X.shape[0] < 2:
            return resolved  # one sample cannot show coupling between samples
        known[X.shape[1]] = resolved
    return known[X.shape[1]]


def _check_jacobian_method(model, params, X, rng):
    params = np.asarray(params, dtype=float)
    rng = np.random.default_rng(0) if rng is None else rng
    direction = rng.standard_normal(params.shape[0])
    try:
        with np.errstate(all="ignore"):
            _, jvp = make_jvp(lambda p: model(p, X))(params)(direction)
    except Exception:  # no forward mode for this model: nothing to check against
        return "reverse"
    exact = np.asarray(jvp, dtype=float).ravel()
    seconds = {}
    for candidate in ("rows", "broadcast"):
        rows = candidate == "rows"
        try:
            with np.errstate(all="ignore"):
                begin = time.perf_counter()
                jac = broadcast_jacobian(model, params, X, rows=rows)
                elapsed = time.perf_counter() - begin
        except Exception:  # the model does not follow this per-sample convention
            continue
        if jac.shape[0] != exact.shape[0]:
            continue
        with np.errstate(all="ignore"):
            approx = jac @ direction
            scale = np.max(np.abs(jac), initial=0.0) * np.sum(np.abs(direction)) + 1e-300
            exact_enough = np.max(np.abs(approx - exact)) <= 1e-9 * scale
        if np.all(np.isfinite(approx)) and exact_enough:
            # the second call is the one to time: the first pays for set-up
            for _ in range(2):
                begin = time.perf_counter()
                with np.errstate(all="ignore"):
                    broadcast_jacobian(model, params, X, rows=rows)
                elapsed = min(elapsed, time.perf_counter() - begin)
            seconds[candidate] = elapsed
    if not seconds:
        return "reverse"
    # Both give the same numbers, bit for bit (the same operations per sample,
    # differently bookkept): keep the faster for this model.
    return min(seconds, key=seconds.get)
