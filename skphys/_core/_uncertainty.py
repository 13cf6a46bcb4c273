"""Uncertainty of fitted parameters and predictions: covariance, delta method, t."""

import numpy as np
from scipy import stats

from ._jacobian import model_jacobian


def parameter_covariance(problem, params, ridge=None):
    """Covariance of the fitted parameters from the Jacobian at the optimum.

    ``pcov = s^2 (J^T J + R)^+`` with ``s^2 = sum(w r^2) / (m - n_params)``, where
    ``J`` is the Jacobian of the weighted data residuals, ``R`` the optional ridge
    matrix and ``^+`` the pseudo-inverse (singular directions discarded as in
    :func:`scipy.optimize.curve_fit`). With a ridge, ``n_params`` is replaced by the
    effective number of parameters ``trace(J (J^T J + R)^+ J^T)``.

    Parameters
    ----------
    problem : LeastSquaresProblem
        The fitted problem.
    params : ndarray of shape (n_params,)
        Fitted parameters, in the model's units.
    ridge : ndarray of shape (n_params,), default=None
        Diagonal of ``R``.

    Returns
    -------
    pcov : ndarray of shape (n_params, n_params)
        Filled with ``inf`` when it cannot be estimated (no degree of freedom).
    residual_variance : float
        ``s^2``, the variance of one observation of unit weight.
    dof : int or float
        Degrees of freedom ``m - n_params`` (a float with a ridge).
    factor : ndarray of shape (n_params, k)
        ``L`` with ``pcov = L L^T``, straight from the decomposition of ``J``: what
        :func:`prediction_std` needs to stay accurate when ``pcov`` is
        ill-conditioned (``inf`` where ``pcov`` is).
    """
    n_params = params.shape[0]
    x = problem.internal(params)
    residuals = problem.data_residuals(x)
    # The Jacobian at the optimum itself: one from an earlier iterate can be far
    # off where the parameters are poorly determined.
    jac = problem.data_jacobian(x)
    factor = covariance_factor(jac, ridge)
    if ridge is None:
        dof = problem.n_effective - n_params
    else:
        # A ridge shrinks the parameters rather than leaving them free: they count
        # by the trace of the hat matrix J (J^T J + R)^+ J^T (the effective degrees
        # of freedom of ridge regression), which stays below m for any n_params.
        dof = problem.n_effective - float(np.sum((jac @ factor) ** 2))
    if dof <= 0:
        infinite = np.full((n_params, n_params), np.inf)
        return infinite, np.inf, dof, infinite
    residual_variance = float(residuals @ residuals) / dof
    factor = factor * np.sqrt(residual_variance)
    return factor @ factor.T, residual_variance, dof, factor


def covariance_factor(jac, ridge=None):
    """``L`` with ``(J^T J + diag(ridge))^+ = L L^T``.

    Without a ridge, ``L = V S^-1`` from the singular value decomposition of ``J``,
    singular directions dropped as :func:`scipy.optimize.curve_fit` does; with one,
    from the eigendecomposition of the (then well-conditioned) normal matrix. The
    columns of ``J`` are scaled to unit norm first: parameters of very different
    magnitudes (A ~ 1e5 eV and B ~ 4 1/Å in a Buckingham potential) otherwise make
    the smallest singular value look like rounding noise and lose its direction.

    Parameters
    ----------
    jac : ndarray of shape (m, n_params)
        Jacobian of the weighted residuals.
    ridge : ndarray of shape (n_params,), default=None
        Diagonal of the ridge matrix.

    Returns
    -------
    factor : ndarray of shape (n_params, k)
        ``k`` is the number of directions kept.
    """
    norms = np.linalg.norm(jac, axis=0)
    norms = np.where(norms > 0, norms, 1.0)
    scaled = jac / norms
    if ridge is None:
        _, sing, vt = np.linalg.svd(scaled, full_matrices=False)
        keep = sing > np.finfo(float).eps * max(jac.shape) * sing[0]
        factor = vt[keep].T / sing[keep]
    else:
        values, vectors = np.linalg.eigh(scaled.T @ scaled + np.diag(ridge / norms**2))
        keep = values > np.finfo(float).eps * max(jac.shape) * values[-1]
        factor = vectors[:, keep] / np.sqrt(values[keep])
    return factor / norms[:, None]


def inverse_normal_matrix(jac, ridge=None):
    """``(J^T J + diag(ridge))^+`` (see :func:`covariance_factor`).

    Parameters
    ----------
    jac : ndarray of shape (m, n_params)
        Jacobian of the weighted residuals.
    ridge : ndarray of shape (n_params,), default=None
        Diagonal of the ridge matrix.

    Returns
    -------
    inverse : ndarray of shape (n_params, n_params)
    """
    factor = covariance_factor(jac, ridge)
    return factor @ factor.T


def prediction_std(model, params, factor, X, jacobian_method):
    """Delta-method standard deviation of ``model(params, X)``.

    Parameters
    ----------
    model : callable
        ``model(params, X)``.
    params : ndarray of shape (n_params,)
        Fitted parameters.
    factor : ndarray of shape (n_params, k)
        ``L`` with ``pcov = L L^T`` (from :func:`parameter_covariance`).
    X : ndarray of shape (n_samples, n_features)
        Where to evaluate.
    jacobian_method : {'broadcast', 'rows', 'reverse', 'closed_form'}
        How to build the Jacobian.

    Returns
    -------
    std : ndarray of shape (n_samples * n_outputs,)
        ``sqrt(diag(J pcov J^T))``, computed as the row norms of ``J L``: with an
        ill-conditioned ``pcov`` the sum ``J pcov J^T`` cancels to noise or to
        negative variances, the norms cannot (at a training point ``J L`` is a row
        of ``U`` of the decomposition, whose norm is at most ``s``).
    """
    with np.errstate(all="ignore"):
        jac = model_jacobian(model, params, X, jacobian_method)
        return np.linalg.norm(jac @ factor, axis=1)


def student_t_quantile(alpha, dof):
    """Two-sided Student t quantile ``t_{1 - alpha/2, dof}`` (``inf`` without dof).

    ``dof`` may be an array (one per parameter or per point); the result then has
    its shape.
    """
    if np.ndim(dof) == 0:
        return np.inf if dof <= 0 else float(stats.t.ppf(1.0 - alpha / 2.0, dof))
    dof = np.asarray(dof, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(dof > 0, stats.t.ppf(1.0 - alpha / 2.0, np.maximum(dof, 1e-300)), np.inf)


def satterthwaite_dof(shares, dofs):
    """Degrees of freedom of a variance summed from independently estimated parts.

    Welch-Satterthwaite: a variance ``sum_b v_b``, where part ``b`` is estimated
    with ``dof_b`` degrees of freedom, is treated as having
    ``(sum_b v_b)^2 / sum_b (v_b^2 / dof_b)`` of them. A part with infinite
    ``dof_b`` (a prior) is known.

    Parameters
    ----------
    shares : ndarray of shape (n_parts, ...)
        Non-negative parts ``v_b`` of each variance.
    dofs : ndarray of shape (n_parts,)
        Degrees of freedom of each part's estimate.

    Returns
    -------
    dof : ndarray of shape shares.shape[1:]
        Between the smallest and the sum of the finite ``dofs`` wherever a part is
        positive.
    """
    shares = np.maximum(np.asarray(shares, dtype=float), 0.0)
    dofs = np.asarray(dofs, dtype=float).reshape((-1,) + (1,) * (shares.ndim - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        dof = np.sum(shares, axis=0) ** 2 / np.sum(shares**2 / dofs, axis=0)
    finite = dofs[np.isfinite(dofs)]
    return np.clip(dof, finite.min(), finite.sum())
