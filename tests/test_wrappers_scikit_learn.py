"""`kernelkit.wrappers.scikit_learn` (Keras 2.2.4's `keras.wrappers.scikit_learn`) with current scikit-learn.

There is no oracle library (tf_keras dropped its wrappers), so the tests check the wrappers against the wrapped
model itself (`predict`, `evaluate`), numpy and scikit-learn: accuracy well above chance on separable data,
probabilities that sum to one, `score` equal to `evaluate`'s accuracy, and `clone`, `cross_val_score`,
`GridSearchCV` and `Pipeline` running without errors or warnings from scikit-learn.
"""
import warnings

import numpy as np
import pytest

sklearn = pytest.importorskip('sklearn')
from sklearn.base import clone, is_classifier, is_regressor  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.model_selection import GridSearchCV, cross_val_score  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.validation import check_is_fitted  # noqa: E402

from kernelkit import optimizers  # noqa: E402
from kernelkit.engine.sequential import Sequential  # noqa: E402
from kernelkit.layers import Dense  # noqa: E402
from kernelkit.utils.np_utils import to_categorical  # noqa: E402
from kernelkit.wrappers.scikit_learn import BaseWrapper, KerasClassifier, KerasRegressor  # noqa: E402

FIT = dict(epochs=30, batch_size=16, verbose=0)


def blobs(n_classes, n=96, features=4, seed=0, spread=0.4):
    """Gaussian blobs around well separated centres; labels 0..n_classes-1 in a shuffled order."""
    rng = np.random.RandomState(seed)
    centres = rng.uniform(-3, 3, size=(n_classes, features))
    centres[:, 0] = 4.0 * np.arange(n_classes)  # never two close centres
    labels = np.arange(n) % n_classes
    rng.shuffle(labels)
    x = centres[labels] + spread * rng.randn(n, features)
    return x.astype('float32'), labels


def build_binary(hidden=8, lr=0.05):
    model = Sequential([Dense(hidden, activation='relu', input_shape=(4,)), Dense(1, activation='sigmoid')])
    model.compile(optimizers.Adam(lr=lr), 'binary_crossentropy', metrics=['accuracy'])
    return model


def build_softmax(hidden=8, n_classes=3, loss='categorical_crossentropy', metrics=('acc',)):
    model = Sequential([Dense(hidden, activation='relu', input_shape=(4,)),
                        Dense(n_classes, activation='softmax')])
    model.compile(optimizers.Adam(lr=0.05), loss, metrics=list(metrics))
    return model


def build_regressor(metrics=()):
    model = Sequential([Dense(1, input_shape=(4,))])
    model.compile(optimizers.Adam(lr=0.1), 'mse', metrics=list(metrics))
    return model


class Builder(object):
    """A build function as an object with `__call__`; records its calls."""

    def __init__(self):
        self.calls = []

    def __call__(self, hidden=3):
        self.calls.append(hidden)
        return build_binary(hidden=hidden)


class OwnCallClassifier(KerasClassifier):
    """`build_fn=None`: the wrapper's own `__call__` builds the model."""

    def __call__(self, hidden=5):
        return build_binary(hidden=hidden)


def first_units(wrapper):
    return wrapper.model.layers[0].get_config()['units']


@pytest.fixture(scope='module')
def binary_data():
    x, y = blobs(2)
    return x, np.array(['neg', 'pos'])[y]


# --- build_fn forms and sk_params routing ------------------------------------------------------------------

def test_build_fn_function_routes_sk_params_to_build_fn_and_fit(binary_data, capsys):
    x, y = binary_data
    clf = KerasClassifier(build_binary, hidden=6, **FIT)
    history = clf.fit(x, y)
    assert first_units(clf) == 6
    assert len(history.epoch) == 30 and history.params['batch_size'] == 16
    assert capsys.readouterr().out == ''  # verbose=0 reached fit
    assert np.mean(clf.predict(x) == y) > 0.9


def test_build_fn_object_with_call(binary_data):
    x, y = binary_data
    builder = Builder()
    clf = KerasClassifier(builder, hidden=7, epochs=2, verbose=0)
    clf.fit(x, y)
    assert builder.calls == [7] and first_units(clf) == 7
    with pytest.raises(ValueError, match='lr is not a legal parameter'):
        KerasClassifier(builder, lr=0.1)  # build_binary takes `lr`, Builder.__call__ does not


def test_build_fn_none_uses_own_call_method(binary_data):
    x, y = binary_data
    clf = OwnCallClassifier(epochs=1, verbose=0)
    clf.fit(x, y)
    assert first_units(clf) == 5
    clf.set_params(hidden=9).fit(x, y)
    assert first_units(clf) == 9


def test_fit_kwargs_take_precedence_and_filter_sk_params(binary_data):
    x, y = binary_data
    clf = KerasClassifier(build_binary, hidden=4, lr=0.01, **FIT)
    assert len(clf.fit(x, y, epochs=2).epoch) == 2
    assert clf.filter_sk_params(Sequential.predict) == {'batch_size': 16, 'verbose': 0}
    assert clf.filter_sk_params(build_binary) == {'hidden': 4, 'lr': 0.01}
    assert clf.filter_sk_params(Sequential.evaluate, {'verbose': 1}) == {'batch_size': 16, 'verbose': 1}


def test_unknown_sk_param_is_a_clear_error():
    with pytest.raises(ValueError, match='not_a_param is not a legal parameter'):
        KerasClassifier(build_binary, not_a_param=1)
    clf = KerasRegressor(build_regressor, epochs=1)
    with pytest.raises(ValueError, match='hiden is not a legal parameter'):
        clf.set_params(hiden=4)
    assert clf.get_params() == {'build_fn': build_regressor, 'epochs': 1}
    with pytest.raises(TypeError, match='build_fn'):
        KerasClassifier(42).fit(np.zeros((2, 4)), [0, 1])


def test_build_fn_must_return_a_compiled_model(binary_data):
    x, y = binary_data
    clf = KerasClassifier(lambda: Sequential([Dense(1, input_shape=(4,))]), verbose=0)
    with pytest.raises(ValueError, match='compiled model'):
        clf.fit(x, y)


def test_nb_epoch_is_given_to_fit_as_epochs(binary_data):
    x, y = binary_data
    clf = KerasClassifier(build_binary, nb_epoch=3, verbose=0)
    with pytest.warns(UserWarning, match='nb_epoch'):
        history = clf.fit(x, y)
    assert len(history.epoch) == 3


# --- classifier ---------------------------------------------------------------------------------------------

def test_binary_sigmoid_with_string_labels(binary_data):
    x, y = binary_data
    clf = KerasClassifier(build_binary, **FIT)
    clf.fit(x, y)
    assert list(clf.classes_) == ['neg', 'pos'] and clf.n_classes_ == 2
    proba = clf.predict_proba(x)
    p_pos = clf.model.predict(x)[:, 0]
    assert proba.shape == (len(x), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(proba[:, 1], p_pos, rtol=1e-6)
    predicted = clf.predict(x)
    assert predicted.shape == (len(x),)
    np.testing.assert_array_equal(predicted, np.where(p_pos > 0.5, 'pos', 'neg'))
    accuracy = np.mean(predicted == y)
    assert accuracy > 0.9
    expected = clf.model.evaluate(x, (y == 'pos').astype('float32'), verbose=0)[1]
    assert clf.score(x, y) == pytest.approx(expected)
    assert clf.score(x, y) == pytest.approx(accuracy, abs=1e-6)


def test_multiclass_softmax_with_integer_labels():
    x, idx = blobs(3)
    y = np.array([3, 5, 7])[idx]
    clf = KerasClassifier(build_softmax, **FIT)
    clf.fit(x, y)
    np.testing.assert_array_equal(clf.classes_, [3, 5, 7])
    assert clf.n_classes_ == 3
    proba = clf.predict_proba(x)
    assert proba.shape == (len(x), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(clf.predict(x), clf.classes_[proba.argmax(axis=1)])
    assert np.mean(clf.predict(x) == y) > 0.9
    expected = clf.model.evaluate(x, to_categorical(idx, 3), verbose=0)[1]
    assert clf.score(x, y) == pytest.approx(expected)
    # a test split without the last class still scores (labels one-hot encoded with n_classes_ columns)
    keep = y != 7
    assert clf.score(x[keep], y[keep]) == pytest.approx(np.mean(clf.predict(x[keep]) == y[keep]), abs=1e-6)


def test_one_hot_targets_and_sparse_loss():
    x, idx = blobs(3)
    onehot = to_categorical(idx, 3)
    clf = KerasClassifier(build_softmax, **FIT)
    clf.fit(x, onehot)
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    assert np.mean(clf.predict(x) == idx) > 0.9
    assert clf.score(x, onehot) == pytest.approx(clf.score(x, idx))
    sparse = KerasClassifier(build_softmax, loss='sparse_categorical_crossentropy', metrics=['accuracy'], **FIT)
    sparse.fit(x, onehot)  # one-hot targets become class indices for the sparse loss
    assert sparse.score(x, idx) == pytest.approx(np.mean(sparse.predict(x) == idx), abs=1e-6)


def test_score_without_accuracy_metric_raises(binary_data):
    x, y = binary_data
    clf = KerasClassifier(build_softmax, n_classes=2, metrics=(), epochs=1, verbose=0)
    clf.fit(x, y)
    with pytest.raises(ValueError, match='not configured to compute accuracy'):
        clf.score(x, y)


def test_invalid_label_shape_and_not_fitted(binary_data):
    x, _ = binary_data
    clf = KerasClassifier(build_binary, verbose=0)
    with pytest.raises(NotFittedError, match='not fitted'):
        clf.predict(x)
    with pytest.raises(ValueError, match='Invalid shape for y'):
        clf.fit(x, np.zeros((len(x), 2, 2)))


# --- regressor ----------------------------------------------------------------------------------------------

def regression_data(n=64, seed=1):
    rng = np.random.RandomState(seed)
    x = rng.randn(n, 4).astype('float32')
    y = (x @ np.array([1.5, -2.0, 0.5, 1.0]) + 0.3).astype('float32')
    return x, y


def test_regressor_predict_and_score():
    x, y = regression_data()
    reg = KerasRegressor(build_regressor, epochs=60, batch_size=16, verbose=0)
    with pytest.raises(NotFittedError):
        check_is_fitted(reg)  # what a Pipeline asks of its last step
    reg.fit(x, y)
    check_is_fitted(reg)
    predicted = reg.predict(x)
    assert predicted.shape == (len(x),)
    np.testing.assert_allclose(predicted, reg.model.predict(x)[:, 0], rtol=1e-6)
    assert np.corrcoef(predicted, y)[0, 1] > 0.95
    mse = np.mean((predicted - y) ** 2)
    assert reg.score(x, y) == pytest.approx(-mse, rel=1e-4)
    assert reg.score(x, y) == pytest.approx(-reg.model.evaluate(x, y, verbose=0))
    with_metrics = KerasRegressor(build_regressor, metrics=['mae'], epochs=1, verbose=0)
    with_metrics.fit(x, y)
    loss, _ = with_metrics.model.evaluate(x, y, verbose=0)
    assert with_metrics.score(x, y) == pytest.approx(-loss)


# --- scikit-learn API ---------------------------------------------------------------------------------------

def test_get_params_set_params():
    clf = KerasClassifier(build_softmax, hidden=4, metrics=['acc'], epochs=2)
    params = clf.get_params()
    assert params == {'build_fn': build_softmax, 'hidden': 4, 'metrics': ['acc'], 'epochs': 2}
    assert clf.get_params(deep=True) == clf.get_params(deep=False) == params
    params['hidden'] = 100  # a copy
    assert clf.get_params()['hidden'] == 4
    assert clf.set_params(hidden=6, batch_size=8) is clf
    assert clf.sk_params == {'hidden': 6, 'metrics': ['acc'], 'epochs': 2, 'batch_size': 8}
    clf.set_params(build_fn=build_binary, lr=0.01)  # `lr` is legal for the new build function
    assert clf.build_fn is build_binary
    assert is_classifier(clf) and not is_regressor(clf)
    assert is_regressor(KerasRegressor(build_regressor)) and not is_classifier(KerasRegressor(build_regressor))
    assert isinstance(clf, BaseWrapper)


def test_clone(binary_data):
    x, y = binary_data
    clf = KerasClassifier(build_softmax, hidden=4, n_classes=2, metrics=['acc'], epochs=2, verbose=0)
    clf.fit(x, y)
    copy = clone(clf)
    assert type(copy) is KerasClassifier and copy is not clf
    assert copy.get_params() == clf.get_params()
    assert copy.sk_params['metrics'] is not clf.sk_params['metrics']
    assert not hasattr(copy, 'model') and not hasattr(copy, 'classes_')
    own = clone(OwnCallClassifier(hidden=3))
    assert own.build_fn is None and own.sk_params == {'hidden': 3}


def test_cross_val_score(binary_data):
    x, y = binary_data
    with warnings.catch_warnings():
        warnings.simplefilter('error', FutureWarning)
        warnings.simplefilter('error', sklearn.exceptions.DataConversionWarning)
        scores = cross_val_score(KerasClassifier(build_binary, **FIT), x, y, cv=2, error_score='raise')
        assert scores.shape == (2,) and np.all(scores > 0.8)
        rx, ry = regression_data()
        reg_scores = cross_val_score(KerasRegressor(build_regressor, epochs=40, batch_size=16, verbose=0),
                                     rx, ry, cv=2, error_score='raise')
    assert reg_scores.shape == (2,) and np.all(reg_scores < 0)
    assert np.all(reg_scores > -np.var(ry))  # better than predicting the mean


def test_grid_search_cv():
    x, idx = blobs(3)
    y = np.array(['a', 'b', 'c'])[idx]
    grid = GridSearchCV(KerasClassifier(build_softmax, batch_size=16, verbose=0),
                        {'hidden': [2, 8], 'epochs': [1, 30]}, cv=2, error_score='raise')
    with warnings.catch_warnings():
        warnings.simplefilter('error', FutureWarning)
        grid.fit(x, y)
    results = grid.cv_results_
    assert len(results['params']) == 4
    assert grid.best_score_ == pytest.approx(np.max(results['mean_test_score']))
    assert grid.best_params_['epochs'] == 30  # one epoch of 6 batches does not learn three blobs
    best = grid.best_estimator_
    assert first_units(best) == grid.best_params_['hidden']
    assert np.mean(grid.predict(x) == y) > 0.9
    assert grid.predict_proba(x).shape == (len(x), 3)


def test_pipeline_with_standard_scaler(binary_data):
    x, y = binary_data
    x_far = x * 500.0 + 2000.0  # unscaled, the network sees huge inputs
    pipe = Pipeline([('scale', StandardScaler()), ('clf', KerasClassifier(build_binary, **FIT))])
    with warnings.catch_warnings():
        warnings.simplefilter('error', FutureWarning)
        pipe.fit(x_far, y)
        accuracy = pipe.score(x_far, y)
        proba = pipe.predict_proba(x_far)
    assert accuracy > 0.9
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(pipe.classes_, ['neg', 'pos'])
    scaled = StandardScaler().fit_transform(x_far)
    np.testing.assert_allclose(proba[:, 1], pipe.named_steps['clf'].model.predict(scaled)[:, 0], rtol=1e-4)
    params = pipe.get_params()
    assert params['clf__epochs'] == 30 and params['clf__build_fn'] is build_binary
    pipe.set_params(clf__epochs=2, clf__hidden=3)
    assert pipe.named_steps['clf'].sk_params['hidden'] == 3
    with pytest.raises(ValueError, match='hiden is not a legal parameter'):
        pipe.set_params(clf__hiden=3)
