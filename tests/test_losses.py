"""Tests for kernelkit.losses: Keras 2.2 formulas (vs tf_keras or numpy), shapes, dtypes and lookup."""
import numpy as np
import pytest

import kernelkit  # noqa: F401  (imports TensorFlow without Keras first)
import tensorflow as tf
import tf_keras

from kernelkit import losses

EPS = 1e-7
SHAPES = [(6, 5), (2, 3, 5)]  # per-sample (2D) and sequence (3D) outputs


def _data(shape, kind, seed=0):
    rng = np.random.RandomState(seed)
    if kind == 'real':
        y_true = rng.normal(size=shape).astype('float32')
        y_true.reshape(-1)[1] = 0.  # exercises the epsilon clip of mean_absolute_percentage_error
        return y_true, rng.normal(size=shape).astype('float32')
    if kind == 'positive':
        return (rng.uniform(0., 3., size=shape).astype('float32'),
                rng.uniform(0.01, 3., size=shape).astype('float32'))
    if kind == 'probs':  # one-hot targets, unnormalised probabilities with exact 0 and 1 entries
        labels = rng.randint(0, shape[-1], size=shape[:-1])
        y_true = np.eye(shape[-1], dtype='float32')[labels]
        y_pred = rng.uniform(0., 1., size=shape).astype('float32')
        y_pred.reshape(-1, shape[-1])[0, :2] = [0., 1.]
        return y_true, y_pred
    if kind == 'binary':
        y_true = rng.randint(0, 2, size=shape).astype('float32')
        y_pred = rng.uniform(0., 1., size=shape).astype('float32')
        y_pred.reshape(-1)[:2] = [0., 1.]
        return y_true, y_pred
    if kind == 'signs':
        return (rng.choice([-1., 1.], size=shape).astype('float32'),
                rng.normal(size=shape).astype('float32'))
    raise AssertionError(kind)


# name -> (kind of data, tf_keras oracle function keeping the Keras 2.2 formula)
TF_KERAS_ORACLES = {
    'mean_squared_error': ('real', tf_keras.losses.mean_squared_error),
    'mean_absolute_error': ('real', tf_keras.losses.mean_absolute_error),
    'mean_absolute_percentage_error': ('real', tf_keras.losses.mean_absolute_percentage_error),
    'mean_squared_logarithmic_error': ('positive', tf_keras.losses.mean_squared_logarithmic_error),
    'squared_hinge': ('signs', tf_keras.losses.squared_hinge),
    'hinge': ('signs', tf_keras.losses.hinge),
    'categorical_hinge': ('real', tf_keras.losses.categorical_hinge),
    'logcosh': ('real', tf_keras.losses.log_cosh),
    'categorical_crossentropy': ('probs', tf_keras.losses.categorical_crossentropy),
    'kullback_leibler_divergence': ('probs', tf_keras.losses.kullback_leibler_divergence),
    'poisson': ('positive', tf_keras.losses.poisson),
    'cosine_proximity': ('real', tf_keras.losses.cosine_similarity),
}


@pytest.mark.parametrize('shape', SHAPES)
@pytest.mark.parametrize('name', sorted(TF_KERAS_ORACLES))
def test_loss_matches_tf_keras(name, shape):
    kind, oracle = TF_KERAS_ORACLES[name]
    y_true, y_pred = _data(shape, kind)
    ours = getattr(losses, name)(tf.constant(y_true), tf.constant(y_pred)).numpy()
    assert ours.shape == shape[:-1]
    np.testing.assert_allclose(ours, oracle(y_true, y_pred).numpy(), atol=1e-5, rtol=1e-5)


def _np_clip(x, low=EPS, high=np.inf):
    return np.clip(x.astype('float64'), low, high)


NUMPY_ORACLES = {
    'mean_squared_error': ('real', lambda y, p: np.mean((p - y) ** 2, -1)),
    'mean_absolute_error': ('real', lambda y, p: np.mean(np.abs(p - y), -1)),
    'mean_absolute_percentage_error': (
        'real', lambda y, p: 100. * np.mean(np.abs((y - p) / _np_clip(np.abs(y))), -1)),
    'mean_squared_logarithmic_error': (
        'positive', lambda y, p: np.mean((np.log(_np_clip(p) + 1) - np.log(_np_clip(y) + 1)) ** 2, -1)),
    'squared_hinge': ('signs', lambda y, p: np.mean(np.maximum(1. - y * p, 0.) ** 2, -1)),
    'hinge': ('signs', lambda y, p: np.mean(np.maximum(1. - y * p, 0.), -1)),
    # Keras 2.2 hinge does not convert 0/1 labels (tf_keras does): check it on 0/1 targets too.
    'hinge_binary_labels': ('binary', lambda y, p: np.mean(np.maximum(1. - y * p, 0.), -1)),
    'categorical_hinge': ('real', lambda y, p: np.maximum(
        0., np.max((1. - y) * p, -1) - np.sum(y * p, -1) + 1.)),
    'logcosh': ('real', lambda y, p: np.mean(np.log(np.cosh(p.astype('float64') - y)), -1)),
    'categorical_crossentropy': ('probs', lambda y, p: -np.sum(
        y * np.log(np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS)), -1)),
    'binary_crossentropy': ('binary', lambda y, p: np.mean(
        -(y * np.log(_np_clip(p, EPS, 1 - EPS)) + (1 - y) * np.log(1 - _np_clip(p, EPS, 1 - EPS))),
        -1)),
    'kullback_leibler_divergence': ('probs', lambda y, p: np.sum(
        _np_clip(y, EPS, 1) * np.log(_np_clip(y, EPS, 1) / _np_clip(p, EPS, 1)), -1)),
    'poisson': ('positive', lambda y, p: np.mean(p - y * np.log(p + EPS), -1)),
    'cosine_proximity': ('real', lambda y, p: -np.sum(
        y / np.linalg.norm(y, axis=-1, keepdims=True) * p / np.linalg.norm(p, axis=-1, keepdims=True),
        -1)),
}


@pytest.mark.parametrize('shape', SHAPES)
@pytest.mark.parametrize('name', sorted(NUMPY_ORACLES))
def test_loss_matches_numpy(name, shape):
    kind, oracle = NUMPY_ORACLES[name]
    y_true, y_pred = _data(shape, kind, seed=1)
    fn = getattr(losses, name.replace('_binary_labels', ''))
    ours = fn(tf.constant(y_true), tf.constant(y_pred)).numpy()
    assert ours.shape == shape[:-1]
    np.testing.assert_allclose(ours, oracle(y_true, y_pred), atol=1e-5, rtol=1e-5)


def _np_sparse_cce(labels, probs):
    clipped = _np_clip(probs, EPS, 1 - EPS)
    flat = clipped.reshape(-1, probs.shape[-1])
    picked = flat[np.arange(flat.shape[0]), labels.reshape(-1).astype(int)]
    return (-np.log(picked / flat.sum(-1))).reshape(probs.shape[:-1])


@pytest.mark.parametrize('label_shape, pred_shape', [
    ((6,), (6, 4)), ((6, 1), (6, 4)), ((2, 3), (2, 3, 4)), ((2, 3, 1), (2, 3, 4))])
@pytest.mark.parametrize('label_dtype', ['int32', 'int64', 'float32'])
def test_sparse_categorical_crossentropy(label_shape, pred_shape, label_dtype):
    rng = np.random.RandomState(2)
    labels = rng.randint(0, pred_shape[-1], size=label_shape).astype(label_dtype)
    probs = rng.uniform(0., 1., size=pred_shape).astype('float32')
    probs.reshape(-1)[:2] = [0., 1.]
    ours = losses.sparse_categorical_crossentropy(tf.constant(labels), tf.constant(probs)).numpy()
    assert ours.shape == pred_shape[:-1]
    np.testing.assert_allclose(ours, _np_sparse_cce(labels, probs), atol=1e-5, rtol=1e-5)
    if label_dtype != 'float32':
        oracle = tf_keras.losses.sparse_categorical_crossentropy(labels, probs).numpy()
        np.testing.assert_allclose(ours, oracle.reshape(ours.shape), atol=1e-5, rtol=1e-5)


def test_sparse_categorical_crossentropy_equals_categorical_on_normalised_probs():
    rng = np.random.RandomState(3)
    logits = rng.normal(size=(5, 4)).astype('float32')
    probs = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    labels = rng.randint(0, 4, size=(5, 1))
    sparse = losses.sparse_categorical_crossentropy(labels, tf.constant(probs)).numpy()
    dense = losses.categorical_crossentropy(np.eye(4)[labels[:, 0]], tf.constant(probs)).numpy()
    np.testing.assert_allclose(sparse, dense, atol=1e-5)


def test_sparse_categorical_crossentropy_inside_tf_function_with_unknown_batch():
    fn = tf.function(losses.sparse_categorical_crossentropy,
                     input_signature=[tf.TensorSpec([None, None, 1], tf.float32),
                                      tf.TensorSpec([None, None, 3], tf.float32)])
    labels = np.array([[[0.], [2.]]], 'float32')
    probs = np.array([[[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]]], 'float32')
    np.testing.assert_allclose(fn(labels, probs).numpy(), -np.log([[0.7, 0.8]]), rtol=1e-5)


def test_y_true_is_cast_to_y_pred_dtype():
    y_pred = tf.constant([[0.2, 0.7], [0.9, 0.4]])
    ints = np.array([[0, 1], [1, 0]], 'int32')
    doubles = ints.astype('float64')
    for name in ['mse', 'binary_crossentropy', 'categorical_crossentropy', 'hinge', 'poisson']:
        fn = losses.get(name)
        from_ints, from_doubles = fn(ints, y_pred), fn(doubles, y_pred)
        assert from_ints.dtype == tf.float32 and from_doubles.dtype == tf.float32
        np.testing.assert_allclose(from_ints.numpy(), from_doubles.numpy())
    result = losses.mse(np.ones((2, 3)), np.zeros((2, 3)))
    np.testing.assert_allclose(result.numpy(), [1., 1.])


def test_binary_crossentropy_clips_extreme_probabilities():
    value = losses.binary_crossentropy(tf.constant([[1., 0.]]), tf.constant([[0., 1.]])).numpy()
    high = np.float32(1) - np.float32(EPS)  # 1 - eps as float32 holds it
    expected = np.mean([-np.log(EPS), -np.log(1. - np.float64(high))])
    np.testing.assert_allclose(value, [expected], rtol=1e-4)
    assert np.isfinite(value).all()


def test_aliases_and_lookup():
    pairs = {'mse': 'mean_squared_error', 'MSE': 'mean_squared_error',
             'mae': 'mean_absolute_error', 'MAE': 'mean_absolute_error',
             'mape': 'mean_absolute_percentage_error', 'MAPE': 'mean_absolute_percentage_error',
             'msle': 'mean_squared_logarithmic_error', 'MSLE': 'mean_squared_logarithmic_error',
             'kld': 'kullback_leibler_divergence', 'KLD': 'kullback_leibler_divergence',
             'cosine': 'cosine_proximity'}
    for alias, name in pairs.items():
        fn = getattr(losses, name)
        assert getattr(losses, alias) is fn
        assert losses.get(alias) is fn and losses.deserialize(alias) is fn
        assert losses.serialize(getattr(losses, alias)) == name
        assert losses.get(name) is fn
    for name in ['squared_hinge', 'hinge', 'categorical_hinge', 'logcosh', 'categorical_crossentropy',
                 'sparse_categorical_crossentropy', 'binary_crossentropy', 'poisson']:
        assert losses.get(name) is getattr(losses, name)
        assert losses.serialize(losses.get(name)) == name
    assert losses.get(None) is None

    def my_loss(y_true, y_pred):
        return y_pred

    assert losses.get(my_loss) is my_loss
    assert losses.deserialize('my_loss', custom_objects={'my_loss': my_loss}) is my_loss
    with pytest.raises(ValueError, match="'mean_squared_eror'.*mean_squared_error"):
        losses.get('mean_squared_eror')
    with pytest.raises(ValueError, match='loss function identifier'):
        losses.get(3)
