"""Tests for kernelkit.metrics: Keras 2.2 metric functions, lookup and the accuracy/ce resolution."""
import numpy as np
import pytest

import kernelkit  # noqa: F401  (imports TensorFlow without Keras first)
import tensorflow as tf
import tf_keras

from kernelkit import losses, metrics


def _onehot_data(shape, seed=0):
    rng = np.random.RandomState(seed)
    labels = rng.randint(0, shape[-1], size=shape[:-1])
    y_pred = rng.uniform(size=shape).astype('float32')
    return labels, np.eye(shape[-1], dtype='float32')[labels], y_pred


@pytest.mark.parametrize('shape', [(8, 1), (8, 3), (2, 4, 3)])
def test_binary_accuracy(shape):
    rng = np.random.RandomState(0)
    y_true = rng.randint(0, 2, size=shape).astype('float32')
    y_pred = rng.uniform(size=shape).astype('float32')
    y_pred.reshape(-1)[:3] = [0.5, 0.49, 0.51]
    ours = metrics.binary_accuracy(y_true, tf.constant(y_pred)).numpy()
    expected = np.mean(y_true == np.round(y_pred), axis=-1)
    assert ours.shape == shape[:-1] and ours.dtype == np.float32
    np.testing.assert_allclose(ours, expected)
    np.testing.assert_allclose(ours, tf_keras.metrics.binary_accuracy(y_true, y_pred).numpy())
    as_ints = metrics.binary_accuracy(y_true.astype('int32'), tf.constant(y_pred)).numpy()
    np.testing.assert_allclose(as_ints, expected)


@pytest.mark.parametrize('shape', [(10, 4), (2, 5, 4)])
def test_categorical_accuracy(shape):
    labels, y_true, y_pred = _onehot_data(shape)
    ours = metrics.categorical_accuracy(y_true, y_pred).numpy()
    expected = (labels == y_pred.argmax(-1)).astype('float32')
    assert 0 < expected.mean() < 1
    np.testing.assert_allclose(ours, expected)
    np.testing.assert_allclose(ours, tf_keras.metrics.categorical_accuracy(y_true, y_pred).numpy())


@pytest.mark.parametrize('label_shape, pred_shape', [
    ((12,), (12, 3)), ((12, 1), (12, 3)), ((2, 6), (2, 6, 3)), ((2, 6, 1), (2, 6, 3))])
@pytest.mark.parametrize('dtype', ['int32', 'float32'])
def test_sparse_categorical_accuracy(label_shape, pred_shape, dtype):
    rng = np.random.RandomState(1)
    labels = rng.randint(0, pred_shape[-1], size=label_shape)
    y_pred = rng.uniform(size=pred_shape).astype('float32')
    ours = metrics.sparse_categorical_accuracy(labels.astype(dtype), y_pred).numpy()
    expected = (labels.reshape(pred_shape[:-1]) == y_pred.argmax(-1)).astype('float32')
    assert ours.shape == pred_shape[:-1] and 0 < expected.mean() < 1
    np.testing.assert_allclose(ours, expected)
    oracle = tf_keras.metrics.sparse_categorical_accuracy(labels.astype(dtype), y_pred).numpy()
    np.testing.assert_allclose(ours, oracle.reshape(ours.shape))


def _np_in_top_k(labels, y_pred, k):
    flat = y_pred.reshape(-1, y_pred.shape[-1])
    target = flat[np.arange(flat.shape[0]), labels.reshape(-1)]
    better = (flat > target[:, None]).sum(-1)
    return (better < k).astype('float32').reshape(y_pred.shape[:-1])


@pytest.mark.parametrize('k', [1, 2, 5])
def test_top_k_categorical_accuracy(k):
    labels, y_true, y_pred = _onehot_data((20, 7), seed=2)
    ours = metrics.top_k_categorical_accuracy(y_true, y_pred, k=k).numpy()
    assert ours.shape == (20,)
    np.testing.assert_allclose(ours, _np_in_top_k(labels, y_pred, k))
    np.testing.assert_allclose(
        ours, tf_keras.metrics.top_k_categorical_accuracy(y_true, y_pred, k=k).numpy())
    default = metrics.top_k_categorical_accuracy(y_true, y_pred).numpy()
    np.testing.assert_allclose(default, _np_in_top_k(labels, y_pred, 5))
    seq_labels, seq_true, seq_pred = _onehot_data((2, 3, 7), seed=3)
    np.testing.assert_allclose(metrics.top_k_categorical_accuracy(seq_true, seq_pred, k=k).numpy(),
                               _np_in_top_k(seq_labels, seq_pred, k))


@pytest.mark.parametrize('label_shape', [(20,), (20, 1)])
@pytest.mark.parametrize('k', [1, 3])
def test_sparse_top_k_categorical_accuracy(label_shape, k):
    labels, _, y_pred = _onehot_data((20, 7), seed=4)
    y_true = labels.reshape(label_shape).astype('float32')
    ours = metrics.sparse_top_k_categorical_accuracy(y_true, y_pred, k=k).numpy()
    assert ours.shape == (20,)
    np.testing.assert_allclose(ours, _np_in_top_k(labels, y_pred, k))
    oracle = tf_keras.metrics.sparse_top_k_categorical_accuracy(y_true, y_pred, k=k).numpy()
    np.testing.assert_allclose(ours, oracle.reshape(ours.shape))


def test_losses_are_metrics_by_name_and_alias():
    names = ['mean_squared_error', 'mean_absolute_error', 'mean_absolute_percentage_error',
             'mean_squared_logarithmic_error', 'hinge', 'logcosh', 'squared_hinge',
             'categorical_crossentropy', 'sparse_categorical_crossentropy', 'binary_crossentropy',
             'kullback_leibler_divergence', 'poisson', 'cosine_proximity']
    for name in names:
        assert getattr(metrics, name) is getattr(losses, name)
        assert metrics.get(name) is getattr(losses, name)
    for alias in ['mse', 'MSE', 'mae', 'MAE', 'mape', 'MAPE', 'msle', 'MSLE', 'cosine']:
        assert metrics.get(alias) is getattr(losses, alias)
        assert getattr(metrics, alias) is getattr(losses, alias)
    assert metrics.mse is losses.mean_squared_error
    assert metrics.serialize(metrics.get('mse')) == 'mean_squared_error'
    for name in ['binary_accuracy', 'categorical_accuracy', 'sparse_categorical_accuracy',
                 'top_k_categorical_accuracy', 'sparse_top_k_categorical_accuracy']:
        assert metrics.get(name) is getattr(metrics, name)
        assert metrics.deserialize(metrics.serialize(getattr(metrics, name))) is getattr(metrics, name)

    def my_metric(y_true, y_pred):
        return y_pred

    assert metrics.get(my_metric) is my_metric
    with pytest.raises(ValueError, match="'categorical_acuracy'.*categorical_accuracy"):
        metrics.get('categorical_acuracy')
    with pytest.raises(ValueError, match='metric function identifier'):
        metrics.get(None)


@pytest.mark.parametrize('identifier', ['accuracy', 'acc'])
def test_resolve_accuracy(identifier):
    r = metrics.resolve
    assert r(identifier, losses.binary_crossentropy, (None, 10)) is metrics.binary_accuracy
    assert r(identifier, losses.categorical_crossentropy, (None, 1)) is metrics.binary_accuracy
    assert r(identifier, losses.mse, tf.TensorShape([None, 5, 1])) is metrics.binary_accuracy
    assert (r(identifier, losses.sparse_categorical_crossentropy, (None, 10))
            is metrics.sparse_categorical_accuracy)
    assert (r(identifier, losses.get('sparse_categorical_crossentropy'), (None, None, 4))
            is metrics.sparse_categorical_accuracy)
    assert (r(identifier, losses.sparse_categorical_crossentropy, (None, 1))
            is metrics.binary_accuracy)
    assert r(identifier, losses.categorical_crossentropy, (None, 10)) is metrics.categorical_accuracy
    assert r(identifier, None, None) is metrics.categorical_accuracy
    assert r(identifier, lambda y, p: losses.binary_crossentropy(y, p), (None, 3)) \
        is metrics.categorical_accuracy  # wrapped losses do not match (identity test)
    assert r(identifier, losses.mse, (None, None)) is metrics.categorical_accuracy


@pytest.mark.parametrize('identifier', ['crossentropy', 'ce'])
def test_resolve_crossentropy(identifier):
    r = metrics.resolve
    assert r(identifier, None, (None, 1)) is losses.binary_crossentropy
    assert r(identifier, losses.binary_crossentropy, (None, 4)) is losses.binary_crossentropy
    assert (r(identifier, losses.sparse_categorical_crossentropy, (None, 4))
            is losses.sparse_categorical_crossentropy)
    assert r(identifier, losses.mse, (None, 4)) is losses.categorical_crossentropy


def test_resolve_other_identifiers_go_through_get():
    assert metrics.resolve('mse', losses.binary_crossentropy, (None, 1)) is losses.mean_squared_error
    assert metrics.resolve('top_k_categorical_accuracy') is metrics.top_k_categorical_accuracy
    fn = metrics.categorical_accuracy
    assert metrics.resolve(fn, losses.binary_crossentropy, (None, 1)) is fn
    with pytest.raises(ValueError, match='Unknown metric'):
        metrics.resolve('accuracyy')
