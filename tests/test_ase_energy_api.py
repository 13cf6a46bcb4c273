"""scikit-learn API properties of AseEnergyTransformer, on dimer distances.

scikit-learn's common checks feed data of several columns, or with an exact 0,
which a transformer of interatomic distances rightly rejects (see
tests/test_common.py). Each test ``test_<check>`` here tests the property of the
check of that name on separations of a Cu2 dimer, in Å.
"""

import pickle

import joblib
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.utils.validation import check_is_fitted

from skphys.atoms import AseEnergyTransformer

X = np.linspace(1.8, 3.4, 12)[:, None]


@pytest.fixture
def energy():
    return AseEnergyTransformer("Cu2")


@pytest.fixture
def expected():
    return AseEnergyTransformer("Cu2").fit(X).transform(X)


def test_check_dict_unchanged(energy):
    energy.fit(X)
    before = pickle.dumps(energy.__dict__)
    energy.transform(X)
    assert pickle.dumps(energy.__dict__) == before


def test_check_dont_overwrite_parameters(energy):
    public_before = {k for k in vars(energy) if not k.startswith("_")}
    energy.fit(X)
    added = {k for k in vars(energy) if not k.startswith("_")} - public_before
    assert added and all(name.endswith("_") for name in added)


def test_check_dtype_object(energy, expected):
    assert_allclose(energy.fit(X.astype(object)).transform(X.astype(object)), expected)
    with pytest.raises((TypeError, ValueError), match="(?i)could not convert|string"):
        energy.fit(np.array([["a"], ["b"]], dtype=object))


@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.int32])
def test_check_estimators_dtypes(energy, dtype):
    X_cast = (X * 10).astype(dtype) / 10 if dtype == np.float32 else np.array([[2], [3]], dtype)
    out = energy.fit(X_cast).transform(X_cast)
    assert out.dtype == np.float64
    assert_allclose(out, AseEnergyTransformer().fit_transform(X_cast.astype(np.float64)))


def test_check_estimators_fit_returns_self(energy):
    assert energy.fit(X) is energy


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_check_estimators_nan_inf(energy, bad):
    X_bad = X.copy()
    X_bad[3, 0] = bad
    with pytest.raises(ValueError, match="(?i)nan|inf"):
        energy.fit(X_bad)
    energy.fit(X)
    with pytest.raises(ValueError, match="(?i)nan|inf"):
        energy.transform(X_bad)


def test_check_estimators_overwrite_params(energy):
    before = joblib.hash(energy.get_params())
    energy.fit(X).transform(X)
    assert joblib.hash(energy.get_params()) == before


def test_check_estimators_pickle(energy, expected, tmp_path):
    energy.fit(X)
    restored = pickle.loads(pickle.dumps(energy))
    assert_array_equal(restored.transform(X), expected)
    memmap = joblib.load(joblib.dump(X, tmp_path / "X.pkl")[0], mmap_mode="r")
    assert_array_equal(pickle.loads(pickle.dumps(energy)).transform(memmap), expected)


def test_check_f_contiguous_array_estimator(energy, expected):
    # A column is both C- and F-contiguous; a strided view and a trimer's three
    # columns in Fortran order are not C-contiguous.
    X_strided = np.hstack([X, X])[:, :1]
    assert not X_strided.flags.c_contiguous
    assert_array_equal(energy.fit(X_strided).transform(X_strided), expected)
    sides = np.array([[2.0, 2.1, 2.2], [2.3, 2.5, 2.7], [1.9, 2.9, 3.1]])
    trimer = AseEnergyTransformer("Cu3")
    assert_array_equal(trimer.fit_transform(np.asfortranarray(sides)),
                       trimer.fit_transform(sides))


def test_check_fit2d_1feature(energy, expected):
    # One feature is the dimer's natural input.
    assert_array_equal(energy.fit(X).transform(X), expected)


def test_check_fit2d_1sample(energy, expected):
    assert_array_equal(energy.fit(X[:1]).transform(X[:1]), expected[:1])


def test_check_fit2d_predict1d(energy):
    energy.fit(X)
    with pytest.raises(ValueError, match="Reshape your data"):
        energy.transform(X.ravel())


def test_check_fit_check_is_fitted(energy):
    with pytest.raises(NotFittedError):
        check_is_fitted(energy)
    with pytest.raises(NotFittedError):
        energy.transform(X)
    check_is_fitted(energy.fit(X))


def test_check_fit_idempotent(energy):
    first = energy.fit(X).transform(X)
    assert_array_equal(energy.fit(X).transform(X), first)


def test_check_fit_score_takes_y(energy, expected):
    assert_array_equal(energy.fit(X, np.zeros(len(X))).transform(X), expected)
    assert_array_equal(energy.fit_transform(X, np.zeros(len(X))), expected)


def test_check_methods_sample_order_invariance(energy, expected):
    order = np.random.default_rng(0).permutation(len(X))
    assert_array_equal(energy.fit(X).transform(X[order]), expected[order])


def test_check_methods_subset_invariance(energy, expected):
    energy.fit(X)
    batches = [energy.transform(part) for part in np.array_split(X, 4)]
    assert_array_equal(np.vstack(batches), expected)


def test_check_n_features_in(energy):
    assert not hasattr(energy, "n_features_in_")
    assert energy.fit(X).n_features_in_ == 1
    assert AseEnergyTransformer("Cu3").fit([[2.0, 2.1, 2.2]]).n_features_in_ == 3


def test_check_n_features_in_after_fitting(energy):
    energy.fit(X)
    with pytest.raises(ValueError, match="X has 2 features, but AseEnergyTransformer is "
                                         "expecting 1 features as input"):
        energy.transform(np.hstack([X, X]))


def test_check_pipeline_consistency(energy, expected):
    assert_array_equal(make_pipeline(energy).fit(X).transform(X), expected)


def test_check_readonly_memmap_input(energy, expected, tmp_path):
    memmap = joblib.load(joblib.dump(X, tmp_path / "X.pkl")[0], mmap_mode="r")
    assert not memmap.flags.writeable
    assert_array_equal(energy.fit(memmap).transform(memmap), expected)


@pytest.mark.parametrize("container", [list, pd.DataFrame, tuple])
def test_check_transformer_data_not_an_array(energy, expected, container):
    X_other = container(X.tolist()) if container is not pd.DataFrame else pd.DataFrame(X)
    assert_array_equal(energy.fit(X_other).transform(X_other), expected)


def test_check_transformer_general(energy, expected, tmp_path):
    assert_array_equal(clone(energy).fit_transform(X), expected)
    assert energy.fit(X).transform(X).shape == (len(X), 1)
    with pytest.raises(ValueError, match="features"):
        energy.transform(np.hstack([X, X, X]))
    memmap = joblib.load(joblib.dump(X, tmp_path / "X.pkl")[0], mmap_mode="r")
    assert_array_equal(clone(energy).fit_transform(memmap), expected)


def test_check_transformer_preserve_dtypes(energy):
    assert "float64" in energy.__sklearn_tags__().transformer_tags.preserves_dtype
    assert energy.fit_transform(X).dtype == np.float64
