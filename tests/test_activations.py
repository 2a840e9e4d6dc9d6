"""kernelkit.activations against tf_keras.activations (oracle) and numpy."""
import json

import numpy as np
import pytest
import tensorflow as tf
import tf_keras

from kernelkit import activations

NAMES = ['softmax', 'elu', 'selu', 'softplus', 'softsign', 'relu', 'tanh', 'sigmoid',
         'hard_sigmoid', 'exponential', 'linear']


def _data(shape, seed=0):
    return np.random.RandomState(seed).uniform(-4., 4., size=shape).astype('float32')


@pytest.mark.parametrize('name', NAMES)
@pytest.mark.parametrize('shape', [(6, 7), (3, 4, 5)])
def test_matches_tf_keras(name, shape):
    x = _data(shape)
    ours = getattr(activations, name)(tf.constant(x))
    oracle = getattr(tf_keras.activations, name)(tf.constant(x))
    assert isinstance(ours, tf.Tensor)
    np.testing.assert_allclose(ours.numpy(), oracle.numpy(), rtol=1e-6, atol=1e-6)


def test_numpy_formulas():
    x = _data((5, 8), seed=1)
    np.testing.assert_allclose(activations.hard_sigmoid(x).numpy(), np.clip(0.2 * x + 0.5, 0, 1),
                               atol=1e-6)
    alpha, scale = 1.6732632423543772, 1.0507009873554805
    np.testing.assert_allclose(activations.selu(x).numpy(),
                               scale * np.where(x > 0, x, alpha * (np.exp(x) - 1)),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(activations.elu(x, alpha=0.3).numpy(),
                               np.where(x > 0, x, 0.3 * (np.exp(x) - 1)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(activations.softsign(x).numpy(), x / (1 + np.abs(x)), atol=1e-6)
    np.testing.assert_allclose(activations.softplus(x).numpy(), np.log1p(np.exp(x)), atol=1e-5)
    assert activations.linear(x) is x


@pytest.mark.parametrize('kwargs', [
    dict(alpha=0.1), dict(max_value=6.), dict(max_value=2.5), dict(threshold=1.),
    dict(alpha=0.2, max_value=3., threshold=0.5), dict(alpha=0.3, threshold=-1.)])
def test_relu_options_match_tf_keras(kwargs):
    x = _data((10, 10), seed=2)
    np.testing.assert_allclose(activations.relu(x, **kwargs).numpy(),
                               tf_keras.activations.relu(tf.constant(x), **kwargs).numpy(),
                               atol=1e-6)


def test_relu_piecewise_formula():
    x = np.array([[-3., -1., 0.2, 0.7, 2., 5.]], dtype='float32')
    out = activations.relu(x, alpha=0.5, max_value=3., threshold=0.5).numpy()
    expected = np.where(x >= 3., 3., np.where(x >= 0.5, x, 0.5 * (x - 0.5)))
    np.testing.assert_allclose(out, expected, atol=1e-6)


@pytest.mark.parametrize('axis', [0, 1, -1])
def test_softmax_3d_axis(axis):
    x = _data((3, 4, 5), seed=3) * 10
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    expected = e / e.sum(axis=axis, keepdims=True)
    out = activations.softmax(tf.constant(x), axis=axis).numpy()
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out, tf_keras.activations.softmax(tf.constant(x), axis=axis).numpy(),
                               atol=1e-6)


def test_softmax_large_logits_are_stable():
    x = np.array([[[1000., 1001.], [-1000., 0.]]], dtype='float32')
    out = activations.softmax(x).numpy()
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(out.sum(axis=-1), 1., atol=1e-6)


def test_softmax_1d_raises():
    with pytest.raises(ValueError, match='Cannot apply softmax to a tensor that is 1D'):
        activations.softmax(tf.constant([1., 2., 3.]))


def test_float64_is_kept():
    x = _data((4, 4)).astype('float64')
    for name in NAMES:
        out = getattr(activations, name)(tf.constant(x))
        assert out.dtype == tf.float64, name
    assert activations.relu(x, alpha=0.1, max_value=2., threshold=0.1).dtype == tf.float64


def test_get():
    assert activations.get(None) is activations.linear
    for name in NAMES:
        assert activations.get(name) is getattr(activations, name)

    def custom(x):
        return x * 2
    assert activations.get(custom) is custom
    assert activations.get(tf.nn.relu) is tf.nn.relu
    assert activations.get({'class_name': 'function', 'config': 'tanh'}) is activations.tanh
    assert activations.get({'class_name': 'sigmoid', 'config': {}}) is activations.sigmoid


def test_get_bad_identifiers():
    with pytest.raises(ValueError) as info:
        activations.get('relux')
    message = str(info.value)
    assert 'relux' in message and 'activation' in message
    for name in NAMES:
        assert name in message
    with pytest.raises(ValueError, match='activation'):
        activations.get(42)


def test_serialize_round_trip():
    assert activations.serialize(activations.linear) == 'linear'
    for name in NAMES:
        fn = getattr(activations, name)
        stored = json.loads(json.dumps(activations.serialize(fn)))
        assert stored == name
        assert activations.deserialize(stored) is fn
    assert activations.serialize(activations.get(None)) == 'linear'


def test_deserialize_custom_objects():
    def swishy(x):
        return x * tf.sigmoid(x)
    assert activations.deserialize('swishy', custom_objects={'swishy': swishy}) is swishy
    assert activations.serialize(swishy) == 'swishy'
    with pytest.raises(ValueError, match='swishy'):
        activations.deserialize('swishy')
