"""MAPIE's conformal prediction intervals for any scikit-learn regressor, in one call.

For the benchmarks that set MAPIE's intervals beside skphys's own
(``predict_interval(kind='prediction')``). MAPIE (>= 1.3) must be installed; it is
in the ``test`` extra. With ``n`` training samples, ``m`` test points and
``alpha = 1 - confidence_level``, the methods are:

``'split'``
    Split conformal: fit on a random two thirds of the training set, take the
    ``ceil((n_cal + 1)(1 - alpha))``-th smallest absolute residual ``q`` on the
    other third (``n_cal`` samples), and return ``prediction -/+ q``. Coverage at
    least ``1 - alpha`` over draws of the data, given exchangeable samples. Cost:
    two fits on ``2n/3`` samples (MAPIE fits the same split twice) and one
    prediction per test point. Intervals have the same width everywhere; MAPIE
    refuses fewer than ``1 / alpha`` calibration samples (20 at 95 %), as it does
    fewer training samples for the other methods.
``'cv+'``
    CV+ (Barber et al. 2021): 5 shuffled folds; for a test point the bounds are
    quantiles of ``f_-k(x) -/+ |residual|`` over the held-out samples, with
    ``f_-k`` the model that did not see the sample's fold. Coverage at least
    ``1 - 2 alpha`` less a term of order ``1 / n`` (about ``1 - alpha`` in
    practice). Cost: 6 fits (the 5 folds and all the data), 6 predictions per
    test point, and an ``m x n`` array pairing them with the training residuals.
``'jackknife+'``
    Jackknife+: CV+ with leave-one-out. Uses every sample for fitting and for
    calibration; coverage at least ``1 - 2 alpha``. Cost: ``n + 1`` fits,
    ``n + 1`` predictions per test point and the ``m x n`` array.
``'jackknife+-after-bootstrap'``
    Jackknife+-after-bootstrap (Kim et al. 2020): 30 bootstrap fits; a sample's
    residual comes from the mean of the fits whose bootstrap left it out, and a
    test point's bounds from the same aggregates. Coverage at least
    ``1 - 2 alpha`` (proved for a random number of bootstraps, close to it for a
    fixed one). Cost: 31 fits (the bootstraps and all the data), 31 predictions
    per test point and the ``m x n`` array of their aggregates.

Why the split is not ``SplitConformalRegressor(prefit=False)``: MAPIE from 1.3
runs its split conformal on a prefitted estimator even with ``prefit=False``, and
checks it by predicting at ``X = 0``, where skphys's equations of state and pair
potentials are undefined and rightly raise (MAPIE turns that into
``UserWarning('Estimator does not appear fitted ...')``). Cross-conformal with one
shuffled train / calibration split and method 'base' is the same method (the
model fitted on the training part, the same scores and quantile) without the
probe; ``tests/test_mapie.py::test_one_split_is_split_conformal`` checks that the
two give equal intervals.
"""

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import LeaveOneOut, ShuffleSplit

METHODS = ("split", "cv+", "jackknife+", "jackknife+-after-bootstrap")
CALIBRATION_SHARE = 1 / 3
N_FOLDS = 5
N_BOOTSTRAPS = 30


def mapie_intervals(
    estimator, X_train, y_train, X_test, method, confidence_level=0.95, random_state=0
):
    """MAPIE's conformal prediction interval of ``estimator`` at each test point.

    Parameters
    ----------
    estimator : regressor
        Unfitted scikit-learn regressor (a skphys regressor, or a Pipeline); it is
        cloned, never fitted in place.
    X_train : array-like of shape (n_samples, n_features)
        Training inputs (volumes in Å^3, distances in Å, ...).
    y_train : array-like of shape (n_samples,)
        Training targets.
    X_test : array-like of shape (n_test, n_features)
        Where to give intervals.
    method : {'split', 'cv+', 'jackknife+', 'jackknife+-after-bootstrap'}
        The conformal method (see the module docstring for what each does and
        costs).
    confidence_level : float, default=0.95
        Intended coverage of a new observation, in (0, 1).
    random_state : int, default=0
        Seed of the split, the folds or the bootstrap samples.

    Returns
    -------
    intervals : ndarray of shape (n_test, 2)
        Lower and upper bounds, in the units of y.
    """
    from mapie.regression import CrossConformalRegressor, JackknifeAfterBootstrapRegressor
    from mapie.subsample import Subsample

    estimator = clone(estimator)
    if method == "split":
        # one train / calibration split: split conformal without MAPIE's probe at X = 0
        cv = ShuffleSplit(n_splits=1, test_size=CALIBRATION_SHARE, random_state=random_state)
        conformal = CrossConformalRegressor(
            estimator, confidence_level=confidence_level, method="base", cv=cv
        )
    elif method in ("cv+", "jackknife+"):
        # an integer cv is a shuffled KFold: contiguous folds of sorted volumes or
        # distances would make every fold model extrapolate
        cv = N_FOLDS if method == "cv+" else LeaveOneOut()
        conformal = CrossConformalRegressor(
            estimator, confidence_level=confidence_level, method="plus", cv=cv,
            random_state=random_state,
        )  # fmt: skip
    elif method == "jackknife+-after-bootstrap":
        conformal = JackknifeAfterBootstrapRegressor(
            estimator, confidence_level=confidence_level, method="plus",
            # seeded here: MAPIE 1.3 and 1.4 drop random_state for resampling=int
            resampling=Subsample(n_resamplings=N_BOOTSTRAPS, random_state=random_state),
            random_state=random_state,
        )  # fmt: skip
    else:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}.")
    conformal.fit_conformalize(X_train, y_train)
    _, bounds = conformal.predict_interval(X_test)
    return np.column_stack([bounds[:, 0, 0], bounds[:, 1, 0]])
