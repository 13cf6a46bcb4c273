"""Arrays of calibrated intervals: conformal quantiles, noise, distance from data.

The pieces :class:`skphys.CalibratedIntervalRegressor` is built from, on plain
arrays: the split-conformal quantile of normalised scores, a difference-based
estimate of the noise in residuals (smooth model error cancels in the
differences of neighbours, noise does not), and where new inputs lie relative
to the training inputs.
"""

import math

import numpy as np
from scipy.spatial import cKDTree


def conformal_quantile(scores, alpha):
    """The ``1 - alpha`` conformal quantile of calibration scores.

    The ``ceil((1 - alpha) (m + 1))``-th smallest of the ``m`` scores: an
    interval scaled by it covers a new exchangeable point with probability at
    least ``1 - alpha``. With too few scores that rank exceeds ``m``; the largest
    score is returned then, which vouches only for ``m / (m + 1)``.

    Parameters
    ----------
    scores : ndarray of shape (m,)
        Non-negative scores (NaN ignored).
    alpha : float
        One minus the coverage.

    Returns
    -------
    quantile : float
        ``nan`` without any score.
    level : float
        The coverage the quantile vouches for: ``1 - alpha``, or ``m / (m + 1)``
        when there are too few scores.
    """
    scores = np.sort(np.asarray(scores, dtype=float)[~np.isnan(scores)])
    m = scores.size
    if m == 0:
        return math.nan, 0.0
    rank = math.ceil((1.0 - alpha) * (m + 1) - 1e-9)
    if rank > m:
        return float(scores[-1]), m / (m + 1.0)
    return float(scores[rank - 1]), 1.0 - alpha


def scaled_features(features, low, width):
    """Features mapped to the unit box of the training data."""
    return (np.asarray(features, dtype=float) - low) / width


def neighbour_spacing(unit_features):
    """Distance (max norm, unit box) from each training input to its nearest other one."""
    if unit_features.shape[0] < 2:
        return np.full(unit_features.shape[0], np.inf)
    distance, _ = cKDTree(unit_features).query(unit_features, k=2, p=np.inf)
    return distance[:, 1]


def noise_terms(residuals, unit_features):
    """Local estimates of the noise variance in residuals, from neighbours.

    With one feature, the pseudo-residuals of Gasser, Sroka and Jennen-Steinmetz
    (1986): each residual against the straight line through its two neighbours
    in ``x``, ``e_i = a_i r_(i-1) + b_i r_(i+1) - r_i``, squared and scaled to
    the noise variance, ``e_i^2 / (a_i^2 + b_i^2 + 1)``. A model error that is
    locally linear cancels in them (what a too-simple physics form leaves on
    deterministic data); independent noise does not. With several features, the
    first differences of nearest neighbours in the unit box,
    ``(r_i - r_j(i))^2 / 2`` (Rice's), which cancel a locally constant error.

    Parameters
    ----------
    residuals : ndarray of shape (n_samples,)
        Residuals of the fit, units of y.
    unit_features : ndarray of shape (n_samples, n_features)
        Training inputs in the unit box.

    Returns
    -------
    index : ndarray of int of shape (n_terms,)
        The sample each estimate belongs to.
    terms : ndarray of shape (n_terms,)
        Each an unbiased estimate of the noise variance there, units of y
        squared; empty with fewer than three samples.
    """
    if residuals.size < 3:
        return np.empty(0, dtype=int), np.empty(0)
    if unit_features.shape[1] == 1:
        order = np.argsort(unit_features[:, 0], kind="stable")
        x, r = unit_features[order, 0], residuals[order]
        span = x[2:] - x[:-2]
        distinct = span > 0
        a = np.where(distinct, (x[2:] - x[1:-1]) / np.where(distinct, span, 1.0), 0.5)
        b = 1.0 - a
        pseudo = a * r[:-2] + b * r[2:] - r[1:-1]
        return order[1:-1], pseudo**2 / (a**2 + b**2 + 1.0)
    _, neighbour = cKDTree(unit_features).query(unit_features, k=2, p=np.inf)
    differences = residuals - residuals[neighbour[:, 1]]
    return np.arange(residuals.size), differences**2 / 2.0


def difference_noise_variance(residuals, unit_features):
    """Variance of the noise in residuals: the mean of :func:`noise_terms`.

    Parameters
    ----------
    residuals : ndarray of shape (n_samples,)
        Residuals of the fit, units of y.
    unit_features : ndarray of shape (n_samples, n_features)
        Training inputs in the unit box.

    Returns
    -------
    variance : float
        Units of y squared; ``nan`` with fewer than three samples.
    """
    _, terms = noise_terms(residuals, unit_features)
    return float(np.mean(terms)) if terms.size else math.nan


def local_mean(unit_points, unit_sites, values, n_neighbors):
    """Gaussian-kernel average of ``values`` at the sites around each point.

    The bandwidth at each point is its distance (max norm, unit box) to its
    ``n_neighbors``-th nearest site: the average follows the data where they
    are dense and widens to all of them far away.

    Parameters
    ----------
    unit_points : ndarray of shape (n_points, n_features)
        Where to average.
    unit_sites : ndarray of shape (n_sites, n_features)
        Where the values are.
    values : ndarray of shape (n_sites,)
        What to average.
    n_neighbors : int
        How many sites the bandwidth reaches.

    Returns
    -------
    mean : ndarray of shape (n_points,)
    """
    k = int(min(max(n_neighbors, 1), unit_sites.shape[0]))
    reach, _ = cKDTree(unit_sites).query(unit_points, k=[k], p=np.inf)
    bandwidth = np.maximum(reach[:, 0], 1e-12)
    distance = np.max(np.abs(unit_points[:, None, :] - unit_sites[None, :, :]), axis=2)
    weight = np.exp(-0.5 * (distance / bandwidth[:, None]) ** 2)
    return weight @ values / weight.sum(axis=1)


def distance_outside(unit_features):
    """How far each input lies outside the unit box (max over features, >= 0)."""
    below = np.maximum(-unit_features, 0.0)
    above = np.maximum(unit_features - 1.0, 0.0)
    return np.max(np.maximum(below, above), axis=1)


def distance_to_data(unit_features, unit_training):
    """Distance (max norm, unit box) from each input to its nearest training input."""
    distance, _ = cKDTree(unit_training).query(unit_features, k=1, p=np.inf)
    return distance
