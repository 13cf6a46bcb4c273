"""scikit-learn's estimator checks over every estimator skphys exports."""

import inspect

import numpy as np
import pytest
from sklearn.base import BaseEstimator
from sklearn.utils.estimator_checks import parametrize_with_checks

import skphys


def _line(params, X):
    slope, intercept = params
    return slope * X[:, 0] + intercept


def _linear_all_features(params, X):
    return X @ params[:-1] + params[-1]


# Constructors for estimators that cannot be built without arguments.
_INSTANCES = {
    "ParametricRegressor": lambda: skphys.ParametricRegressor(_line, p0=[1.0, 0.0]),
}


def all_estimators():
    """Every public estimator class of skphys, found by walking ``skphys.__all__``."""
    for name in skphys.__all__:
        obj = getattr(skphys, name)
        if inspect.isclass(obj) and issubclass(obj, BaseEstimator):
            yield _INSTANCES.get(name, obj)()


def expected_failed_checks(estimator):
    return getattr(estimator, "_expected_failed_checks", lambda: {})()


@parametrize_with_checks(list(all_estimators()), expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible(estimator, check):
    check(estimator)
