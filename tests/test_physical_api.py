"""scikit-learn API properties of the physical models, on physical data.

scikit-learn's common checks cannot run on models of one positive column (see
tests/test_common.py); each test ``test_<check>`` here tests the property of the
check of that name on data the model is defined for. The physical models are found
automatically: a new one fails ``test_every_physical_model_has_data`` until it
gets a data set below.
"""

import inspect
import pickle
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import DataConversionWarning, NotFittedError
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils.validation import check_is_fitted

import skphys
from skphys.datasets import load_murnaghan_example
from skphys.functions import birch_murnaghan, buckingham, lennard_jones, morse, vinet


def _murnaghan_data():
    return load_murnaghan_example(return_X_y=True)


def _noisy(function, x, *params):
    rng = np.random.default_rng(0)
    return x[:, None], function(x, *params) + rng.normal(scale=1e-3, size=x.size)


PHYSICAL_DATA = {
    "MurnaghanRegressor": _murnaghan_data,
    "BirchMurnaghanRegressor": lambda: _noisy(
        birch_murnaghan, np.linspace(14, 19, 30), -3.7, 0.85, 5.0, 16.5
    ),
    "VinetRegressor": lambda: _noisy(vinet, np.linspace(14, 19, 30), -3.7, 0.85, 5.0, 16.5),
    "BuckinghamRegressor": lambda: _noisy(buckingham, np.linspace(1.6, 4.0, 40), 500, 3, 20),
    "MorseRegressor": lambda: _noisy(morse, np.linspace(1.6, 4.0, 40), 2.0, 1.4, 2.2),
    "LennardJonesRegressor": lambda: _noisy(lennard_jones, np.linspace(2.3, 6, 40), 0.5, 2.5),
}

PHYSICAL_MODELS = [
    getattr(skphys, name)
    for name in sorted(skphys.__all__)
    if inspect.isclass(getattr(skphys, name))
    and issubclass(getattr(skphys, name), skphys.BasePhysicalRegressor)
    and not name.startswith("Base")
]


@pytest.fixture(params=PHYSICAL_MODELS, ids=lambda cls: cls.__name__)
def case(request, example_data):
    # a form without a data set of its own here is fitted on its declared example
    cls = request.param
    data = PHYSICAL_DATA.get(cls.__name__, lambda: example_data(cls, n_samples=40))
    X, y = data()
    return cls(), X, y


def test_every_physical_model_has_data():
    assert PHYSICAL_MODELS
    for cls in PHYSICAL_MODELS:
        assert cls.__name__ in PHYSICAL_DATA or cls.physical_model.example is not None


def test_check_all_zero_sample_weights_error(case):
    est, X, y = case
    with pytest.raises(ValueError, match="(?i)sample.weights? must"):
        est.fit(X, y, sample_weight=np.zeros(len(y)))


def test_check_dict_unchanged(case):
    est, X, y = case
    est.fit(X, y)
    before = pickle.dumps(est.__dict__)
    est.predict(X)
    est.predict(X, return_std=True)
    est.predict_interval(X)
    assert pickle.dumps(est.__dict__) == before


def test_check_dont_overwrite_parameters(case):
    est, X, y = case
    params = est.get_params()
    before = set(vars(est))
    est.fit(X, y)
    added_public = {k for k in set(vars(est)) - before if not k.startswith("_")}
    assert added_public and all(k.endswith("_") for k in added_public)
    assert est.get_params() == params


def test_check_estimators_overwrite_params(case):
    est, X, y = case
    est.set_params(p0=None, max_iter=500)
    params = joblib.hash(est.get_params())
    est.fit(X, y)
    assert joblib.hash(est.get_params()) == params


def test_check_dtype_object(case):
    est, X, y = case
    reference = clone(est).fit(X, y).predict(X)
    np.testing.assert_allclose(est.fit(X.astype(object), y).predict(X.astype(object)), reference)
    with pytest.raises(ValueError, match="could not convert|Unable to convert"):
        clone(est).fit(np.full(X.shape, "volume", dtype=object), y)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_check_estimators_dtypes(case, dtype):
    est, X, y = case
    X_cast = np.round(X * 1000).astype(dtype)  # in thousandths of Å or Å^3: positive
    pred = est.fit(X_cast, y).predict(X_cast)
    assert pred.dtype == np.float64 and np.all(np.isfinite(pred))


def test_check_estimators_fit_returns_self(case):
    est, X, y = case
    assert est.fit(X, y) is est


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_check_estimators_nan_inf(case, bad):
    est, X, y = case
    X_bad = X.copy()
    X_bad[3, 0] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        clone(est).fit(X_bad, y)
    with pytest.raises(ValueError, match="NaN|infinity"):
        est.fit(X, y).predict(X_bad)


@pytest.mark.parametrize("readonly_memmap", [False, True])
def test_check_estimators_pickle(case, readonly_memmap, tmp_path):
    est, X, y = case
    if readonly_memmap:
        X, y = _readonly_memmaps(tmp_path, X, y)
    est.fit(X, y)
    expected = est.predict(X, return_std=True)
    restored = pickle.loads(pickle.dumps(est))
    for got, want in zip(restored.predict(X, return_std=True), expected, strict=True):
        np.testing.assert_array_equal(got, want)
    assert restored.summary() == est.summary()


def _readonly_memmaps(tmp_path, X, y):
    path = tmp_path / "data.joblib"
    joblib.dump((X, y), path)
    X_mm, y_mm = joblib.load(path, mmap_mode="r")
    assert not X_mm.flags.writeable
    return X_mm, y_mm


def test_check_readonly_memmap_input(case, tmp_path):
    est, X, y = case
    expected = clone(est).fit(X, y).predict(X)
    X_mm, y_mm = _readonly_memmaps(tmp_path, X, y)
    np.testing.assert_array_equal(est.fit(X_mm, y_mm).predict(X_mm), expected)


def test_check_f_contiguous_array_estimator(case):
    est, X, y = case
    X_f = np.asfortranarray(np.column_stack([X[:, 0], X[:, 0]]))[:, :1]
    assert not X_f.flags.c_contiguous or X_f.flags.f_contiguous
    np.testing.assert_array_equal(est.fit(X_f, y).predict(X_f), clone(est).fit(X, y).predict(X))


def test_check_fit2d_1feature(case):
    est, X, y = case
    assert X.shape[1] == 1
    est.fit(X, y)
    assert est.n_features_in_ == 1


def test_check_fit2d_1sample(case):
    est, X, y = case
    with pytest.raises(ValueError, match="n_samples=1"):
        est.fit(X[:1], y[:1])


def test_check_fit2d_predict1d(case):
    est, X, y = case
    est.fit(X, y)
    with pytest.raises(ValueError, match="Expected 2D array"):
        est.predict(X[:, 0])


def test_check_fit_check_is_fitted(case):
    est, X, y = case
    with pytest.raises(NotFittedError):
        check_is_fitted(est)
    with pytest.raises(NotFittedError):
        est.predict(X)
    check_is_fitted(est.fit(X, y))


def test_check_fit_idempotent(case):
    est, X, y = case
    first = est.fit(X, y).predict(X, return_std=True)
    second = est.fit(X, y).predict(X, return_std=True)
    for a, b in zip(first, second, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_check_fit_score_takes_y(case):
    est, X, y = case
    assert list(inspect.signature(est.fit).parameters)[:2] == ["X", "y"]
    assert list(inspect.signature(est.score).parameters)[:2] == ["X", "y"]
    assert est.fit(X, y).score(X, y) > 0.99


def test_check_methods_sample_order_invariance(case):
    est, X, y = case
    est.fit(X, y)
    order = np.random.default_rng(1).permutation(len(y))
    full = est.predict(X, return_std=True)
    permuted = est.predict(X[order], return_std=True)
    for a, b in zip(full, permuted, strict=True):
        np.testing.assert_allclose(a[order], b, rtol=1e-12)


def test_check_methods_subset_invariance(case):
    est, X, y = case
    est.fit(X, y)
    full_pred, full_std = est.predict(X, return_std=True)
    for batch in np.array_split(np.arange(len(y)), 4):
        pred, std = est.predict(X[batch], return_std=True)
        np.testing.assert_allclose(pred, full_pred[batch], rtol=1e-12)
        np.testing.assert_allclose(std, full_std[batch], rtol=1e-10)


def test_check_n_features_in(case):
    est, X, y = case
    assert not hasattr(est, "n_features_in_")
    assert est.fit(X, y).n_features_in_ == 1


def test_check_n_features_in_after_fitting(case):
    est, X, y = case
    est.fit(X, y)
    with pytest.raises(ValueError, match="1 feature"):
        est.predict(np.column_stack([X, X]))
    with pytest.raises(ValueError, match="1 feature"):
        est.score(np.column_stack([X, X]), y)


def test_check_non_transformer_estimators_n_iter(case):
    est, X, y = case
    assert est.fit(X, y).n_iter_ >= 1


def test_check_pipeline_consistency(case):
    est, X, y = case
    pipe = make_pipeline(FunctionTransformer(), clone(est)).fit(X, y)
    np.testing.assert_allclose(pipe.predict(X), est.fit(X, y).predict(X), rtol=1e-12)
    assert pipe.score(X, y) == pytest.approx(est.score(X, y), rel=1e-12)


def test_check_positive_only_tag_during_fit(case):
    est, X, y = case
    assert est.__sklearn_tags__().input_tags.positive_only
    X_bad = X.copy()
    X_bad[0, 0] = -X_bad[0, 0]
    with pytest.raises(ValueError, match="positive"):
        est.fit(X_bad, y)


@pytest.mark.parametrize("container", ["list", "pandas"])
def test_check_regressor_data_not_an_array(case, container):
    est, X, y = case
    expected = clone(est).fit(X, y).predict(X)
    if container == "list":
        X_c, y_c = X.tolist(), y.tolist()
    else:
        X_c, y_c = pd.DataFrame(X, columns=["x"]), pd.Series(y)
    np.testing.assert_allclose(est.fit(X_c, y_c).predict(X_c), expected, rtol=1e-12)


def test_pandas_feature_names_are_kept_and_checked(case):
    est, X, y = case
    est.fit(pd.DataFrame(X, columns=["x"]), y)
    np.testing.assert_array_equal(est.feature_names_in_, ["x"])
    with pytest.raises(ValueError, match="feature names should match"):
        est.predict(pd.DataFrame(X, columns=["other"]))
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        est.predict(X)


def test_check_regressors_int(case):
    est, X, y = case
    y_int = np.round(y * 1000).astype(np.int64)  # meV
    as_int = clone(est).fit(X, y_int).predict(X)
    as_float = clone(est).fit(X, y_int.astype(float)).predict(X)
    np.testing.assert_allclose(as_int, as_float, rtol=1e-12)


def test_check_regressors_no_decision_function(case):
    est, X, y = case
    est.fit(X, y)
    for method in ("decision_function", "predict_proba", "predict_log_proba"):
        assert not hasattr(est, method)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("readonly_memmap", [False, True])
def test_check_regressors_train(case, dtype, readonly_memmap, tmp_path):
    est, X, y = case
    X = X.astype(dtype)
    if readonly_memmap:
        X, y = _readonly_memmaps(tmp_path, X, y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        clone(est).fit(X, y[:-1])
    pred = est.fit(X, y).predict(X)
    assert pred.shape == y.shape
    assert est.score(X, y) > 0.999


def test_check_sample_weight_equivalence_on_dense_data(case):
    est, X, y = case
    est.set_params(tol=1e-14, max_iter=10000)
    rng = np.random.default_rng(2)
    w = rng.integers(0, 3, size=len(y))
    weighted = clone(est).fit(X, y, sample_weight=w)
    repeated = clone(est).fit(np.repeat(X, w, axis=0), np.repeat(y, w))
    # Both fits end at the rounding floor of the SSE (tol=1e-14 is below it), on
    # different roundings. The solver cannot tell apart points whose SSE differ by
    # less than its rounding (~1e-12 relative): at the data they lie within
    # sqrt(1e-12 * dof) = 5e-6 residual standard deviations s of the optimum. A
    # wrong weighting convention moves the predictions by ~0.1 s.
    s = np.sqrt(repeated.residual_variance_)
    np.testing.assert_allclose(weighted.predict(X), repeated.predict(X), rtol=0, atol=1e-5 * s)


@pytest.mark.parametrize("container", [list, pd.Series, np.asarray])
def test_check_sample_weights_list(case, container):
    est, X, y = case
    w = np.linspace(0.5, 2.0, len(y))
    expected = clone(est).fit(X, y, sample_weight=w).predict(X)
    np.testing.assert_allclose(
        est.fit(X, y, sample_weight=container(list(w))).predict(X), expected, rtol=1e-12
    )


def test_check_sample_weights_not_an_array(case):
    est, X, y = case
    est.fit(pd.DataFrame(X), pd.Series(y), sample_weight=pd.Series(np.ones(len(y))))
    assert np.all(np.isfinite(est.params_))


def test_check_sample_weights_pandas_series(case):
    est, X, y = case
    unweighted = clone(est).fit(X, y)
    weighted = est.fit(pd.DataFrame(X), y, sample_weight=pd.Series(np.full(len(y), 3.0)))
    # Weights of 3 normalise to 1 up to rounding: each fit stops within sqrt(tol * SSE)
    # of the optimum at the data (tol=1e-8), so they agree to twice that.
    atol = 2 * np.sqrt(1e-8 * unweighted.dof_ * unweighted.residual_variance_)
    np.testing.assert_allclose(weighted.predict(X), unweighted.predict(X), rtol=0, atol=atol)


def test_check_sample_weights_not_overwritten(case):
    est, X, y = case
    w = np.linspace(0.5, 2.0, len(y))
    w_copy = w.copy()
    est.fit(X, y, sample_weight=w)
    np.testing.assert_array_equal(w, w_copy)


@pytest.mark.parametrize("shape_change", ["short", "2d"])
def test_check_sample_weights_shape(case, shape_change):
    est, X, y = case
    w = np.ones(len(y) - 1) if shape_change == "short" else np.ones((len(y), 2))
    with pytest.raises(ValueError, match="(?i)sample.weight"):
        est.fit(X, y, sample_weight=w)


def test_check_supervised_y_2d(case):
    est, X, y = case
    expected = clone(est).fit(X, y).predict(X)
    with pytest.warns(DataConversionWarning, match="column-vector y"):
        est.fit(X, y[:, None])
    np.testing.assert_allclose(est.predict(X), expected, rtol=1e-12)


# -- scikit-learn tooling ------------------------------------------------------------
# a training fold may miss the minimum of E(r): the model rightly says so
@pytest.mark.filterwarnings("ignore:.*the fitted minimum.*extrapolated:UserWarning")
def test_clone_cross_val_score_and_grid_search_over_solver(case):
    est, X, y = case
    scores = cross_val_score(clone(est), X, y, cv=KFold(4, shuffle=True, random_state=0))
    assert np.all(scores > 0.95)  # a fold may hold the lone point at 325 Å^3
    grid = GridSearchCV(clone(est), {"solver": ["lm", "trf"]}, cv=3).fit(X, y)
    assert grid.best_params_["solver"] in ("lm", "trf")
    assert grid.best_estimator_.score(X, y) > 0.99
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        joblib.load(_dump(grid.best_estimator_))


def _dump(obj):
    import io

    buffer = io.BytesIO()
    joblib.dump(obj, buffer)
    buffer.seek(0)
    return buffer
