"""Local sensitivities: derivatives of a model's output with respect to its parameters.

The local sensitivity of an output ``y`` to a parameter ``p`` at a point ``x`` is
``S = dy/dp`` evaluated at ``x``, in units of y per unit of p. The relative (or
normalised) sensitivity ``(p / y) dy/dp`` is dimensionless: the percentage change of
``y`` per percent change of ``p``, comparable between parameters of different units.

Both are evaluated at every point, column by column, as in the sensitivity-analysis
post that used ``autograd.jacobian`` rather than ``grad`` (which would sum the
derivatives over the points).
"""

import inspect
import warnings
from functools import partial
from numbers import Integral

import numpy as np
from autograd import jacobian, make_jvp
from sklearn.utils.validation import check_is_fitted, validate_data

from ._core import model_jacobian
from ._estimators._network import flatten, layer_shapes, tanh_network
from ._estimators._parametric import BaseParametricRegressor

__all__ = ["estimator_sensitivity", "local_sensitivity"]

LAYER_SUMMARIES = ("rms", "l2", None)


# -- sensitivities of a function f(x, *params) -----------------------------------
def local_sensitivity(func, x, params, *, argnums=None, relative=False):
    """Derivatives of ``func(x, *params)`` with respect to chosen parameters, at every x.

    Parameters
    ----------
    func : callable
        ``func(x, p1, p2, ...)`` written with ``autograd.numpy``, returning an array
        (one value per point of ``x`` for an elementwise function).
    x : array-like
        Points at which to evaluate, in the units ``func`` expects (e.g. time, s).
        Must be finite.
    params : sequence of float
        Values of the parameters ``p1, p2, ...``, each in its own unit.
    argnums : int or sequence of int, default=None
        Which parameters to differentiate with respect to, counted as autograd
        counts positional arguments: ``x`` is 0, ``p1`` is 1, ... (the post's
        ``jacobian(A, 1)`` is ``argnums=1``). ``None`` takes all parameters.
    relative : bool, default=False
        Return the relative sensitivity ``(p / y) dy/dp`` (dimensionless) instead of
        ``dy/dp`` (units of y per unit of p). It is ``nan`` where ``y`` is zero.

    Returns
    -------
    sensitivity : ndarray of shape (n_outputs, n_selected)
        Column ``j`` is the derivative with respect to parameter ``argnums[j]``; row
        ``i`` belongs to output ``func(x, *params).ravel()[i]``.

    Raises
    ------
    ValueError
        If ``x`` or ``params`` are not finite, a parameter is not a scalar,
        ``argnums`` does not name parameters, or ``func`` returns non-finite values.

    Notes
    -----
    Each column comes from one forward-mode pass (``autograd.make_jvp``), so the
    cost is one evaluation per parameter whatever the number of points; functions
    using a primitive without a forward-mode rule fall back to
    ``autograd.jacobian``.

    Examples
    --------
    The reaction A <-> B of the sensitivity-analysis post:

    >>> import autograd.numpy as anp
    >>> from skphys.sensitivity import local_sensitivity
    >>> def A(t, k1, k_1):
    ...     return 1.0 / (k1 + k_1) * (k1 * anp.exp(-(k1 + k_1) * t) + k_1)
    >>> t = anp.linspace(0, 0.5, 3)
    >>> local_sensitivity(A, t, [3.0, 3.0], argnums=(1, 2)).round(4)
    array([[ 0.    ,  0.    ],
           [-0.0926,  0.0368],
           [-0.0916,  0.0667]])
    """
    x = _check_points(x)
    params = _check_params(params)
    argnums = _check_argnums(argnums, len(params))
    args = (x, *params)
    with np.errstate(all="ignore"):
        y = np.asarray(func(*args), dtype=float)
    if not np.all(np.isfinite(y)):
        raise ValueError("func returned non-finite values at these x and params.")
    columns = [np.broadcast_to(_derivative(func, args, i), y.shape).ravel() for i in argnums]
    sensitivity = np.column_stack(columns)
    if relative:
        return _relative(sensitivity, np.array([params[i - 1] for i in argnums]), y.ravel())
    return sensitivity


def argument_names(func, argnums, n_params):
    """Names of the parameters ``argnums`` (as in :func:`local_sensitivity`) of ``func``.

    Taken from the signature of ``func``; ``p1``, ``p2``, ... where it has none.
    """
    argnums = _check_argnums(argnums, n_params)
    try:
        names = [
            p.name
            for p in inspect.signature(func).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
    except (TypeError, ValueError):  # builtins and some callables have no signature
        names = []
    return [names[i] if i < len(names) else f"p{i}" for i in argnums]


def _check_points(x):
    try:
        x = np.atleast_1d(np.asarray(x, dtype=float))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"x must be an array of numbers, got {type(x).__name__}.") from exc
    if x.size == 0:
        raise ValueError("x is empty: give at least one point.")
    if not np.all(np.isfinite(x)):
        n_bad = np.count_nonzero(~np.isfinite(x))
        raise ValueError(f"x must be finite; it holds {n_bad} nan or inf value(s).")
    return x


def _check_params(params):
    try:
        values = np.asarray(params, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"params must be a sequence of numbers, got {params!r}.") from exc
    if values.ndim != 1 or values.size == 0:
        raise ValueError(
            f"params must be a non-empty sequence of scalars, one per argument after x; "
            f"got an array of shape {values.shape}."
        )
    if not np.all(np.isfinite(values)):
        raise ValueError(f"params must be finite, got {values.tolist()}.")
    return [float(v) for v in values]


def _check_argnums(argnums, n_params):
    if argnums is None:
        return list(range(1, n_params + 1))
    selected = [argnums] if isinstance(argnums, Integral) else list(argnums)
    valid = all(isinstance(i, Integral) and not isinstance(i, bool) for i in selected)
    if not selected or not valid or not all(1 <= i <= n_params for i in selected):
        raise ValueError(
            f"argnums count the positional arguments of func with x as 0, so the "
            f"{n_params} parameter(s) are 1 to {n_params}; got {argnums!r}."
        )
    if len(set(selected)) != len(selected):
        raise ValueError(f"argnums must not repeat a parameter, got {argnums!r}.")
    return [int(i) for i in selected]


def _derivative(func, args, argnum):
    """d func(*args) / d args[argnum] for a scalar argument, at every output."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        # An output that does not depend on the parameter has zero sensitivity: an
        # answer, not a problem worth autograd's warning.
        warnings.filterwarnings("ignore", "Output seems independent of input", UserWarning)
        try:
            _, tangent = make_jvp(func, argnum)(*args)(1.0)
        except NotImplementedError:  # a primitive without a forward-mode rule
            tangent = jacobian(func, argnum)(*args)
    return np.asarray(tangent, dtype=float)


def _relative(sensitivity, params, y):
    """``(p_j / y_i) dy_i/dp_j``; ``nan`` where ``y_i`` is zero (undefined there)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = sensitivity * (params[None, :] / y[:, None])
    relative[y == 0, :] = np.nan
    return relative


# -- sensitivities of a fitted estimator --------------------------------------------
def estimator_sensitivity(estimator, X, *, relative=False, layer_summary="rms"):
    """Derivatives of a fitted estimator's predictions with respect to its parameters.

    Parameters
    ----------
    estimator : estimator instance
        A fitted :class:`~skphys.ParametricRegressor` or physical regressor
        (derivatives with respect to ``params_``), or a fitted single-output tanh
        network with ``coefs_`` and ``intercepts_`` (``skphys.TanhMLPRegressor``, or
        :class:`sklearn.neural_network.MLPRegressor` with ``activation='tanh'``).
    X : array-like of shape (n_samples, n_features)
        Inputs, in the units the estimator expects.
    relative : bool, default=False
        Return ``(p / y) dy/dp`` (dimensionless; ``nan`` where the prediction is
        zero) instead of ``dy/dp`` (units of y per unit of p).
    layer_summary : {'rms', 'l2'} or None, default='rms'
        For networks only: summarise the sensitivities to the weights and biases
        of each layer by their root mean square or their Euclidean norm; ``None``
        returns one column per weight (the order of ``coefs_[0].ravel()``,
        ``intercepts_[0]``, ``coefs_[1].ravel()``, ...).

    Returns
    -------
    sensitivity : ndarray of shape (n_samples, n_columns)
        For parametric estimators, column ``j`` is the derivative with respect to
        ``params_[j]`` (named ``param_names_[j]``). For networks, column ``k`` is
        layer ``k`` counted from the input (or one column per weight).

    Raises
    ------
    TypeError
        If the estimator is neither kind.
    ValueError
        If a network does not predict as a plain tanh network of its ``coefs_``
        and ``intercepts_``, or has several outputs.
    """
    if layer_summary not in LAYER_SUMMARIES:
        raise ValueError(f"layer_summary must be 'rms', 'l2' or None, got {layer_summary!r}.")
    check_is_fitted(estimator)
    y = np.asarray(estimator.predict(X), dtype=float)  # validates X as predict does
    X = validate_data(estimator, X, dtype=np.float64, reset=False)
    # Networks first: one built on the parametric core is still summarised per layer.
    if is_network(estimator):
        model, params, layer_sizes = _network_model(estimator, X, y)
        jac = model_jacobian(model, params, X, "broadcast")
        if relative:
            jac = _relative(jac, params, y)
        return jac if layer_summary is None else summarise_layers(jac, layer_sizes, layer_summary)
    if isinstance(estimator, BaseParametricRegressor):
        params = estimator.params_
        with np.errstate(all="ignore"):
            jac = model_jacobian(estimator._model, params, X, estimator.jacobian_method_)
        return _relative(jac, params, y) if relative else jac
    raise TypeError(
        "estimator_sensitivity needs a parametric skphys regressor (params_) or a tanh "
        f"network (coefs_, intercepts_); got {type(estimator).__name__}."
    )


def is_network(estimator):
    """Whether :func:`estimator_sensitivity` treats ``estimator`` as a network (per layer)."""
    return hasattr(estimator, "coefs_") and hasattr(estimator, "intercepts_")


def _network_model(estimator, X, y):
    """``model(params, X)``, flat parameters and layer sizes of a fitted tanh network."""
    activation = getattr(estimator, "activation", "tanh")
    if activation != "tanh":
        raise ValueError(f"Only tanh networks are supported, got activation={activation!r}.")
    coefs = [np.asarray(W, dtype=float) for W in estimator.coefs_]
    if coefs[-1].shape[1] != 1:
        raise ValueError(f"Only single-output networks are supported, got {coefs[-1].shape[1]}.")
    layer_sizes = [coefs[0].shape[0]] + [W.shape[1] for W in coefs]
    params = np.asarray(flatten(list(zip(coefs, estimator.intercepts_, strict=True))))
    model = partial(tanh_network, layer_sizes=layer_sizes)
    # The derivatives are only those of the predictions if the network is all there
    # is to them (no hidden scaling of X or y inside the estimator).
    if not np.allclose(model(params, X).ravel(), y, rtol=1e-9, atol=1e-12 * np.ptp(y)):
        raise ValueError(
            f"{type(estimator).__name__}.predict is not the tanh network of its coefs_ and "
            "intercepts_ (scaling inside the estimator?): cannot differentiate it."
        )
    return model, params, layer_sizes


def summarise_layers(sensitivity, layer_sizes, how="rms"):
    """Per-layer root mean square or norm of per-weight sensitivities.

    Parameters
    ----------
    sensitivity : ndarray of shape (n_samples, n_weights)
        One column per weight and bias, in the flat order of :mod:`skphys._network`
        (layer by layer, weights then biases).
    layer_sizes : sequence of int
        ``[n_features, *hidden_layer_sizes, n_outputs]``.
    how : {'rms', 'l2'}, default='rms'
        Root mean square or Euclidean norm over each layer's weights and biases.

    Returns
    -------
    summary : ndarray of shape (n_samples, n_layers)
        In the units of ``sensitivity``.
    """
    stops = np.cumsum([n_in * n_out + n_out for n_in, n_out in layer_shapes(layer_sizes)])
    blocks = np.split(sensitivity, stops[:-1], axis=1)
    reduce = np.mean if how == "rms" else np.sum
    return np.column_stack([np.sqrt(reduce(block**2, axis=1)) for block in blocks])
