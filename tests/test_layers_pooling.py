"""Pooling layers, checked against tf_keras (the oracle)."""
import numpy as np
import pytest
import tensorflow as tf
import tf_keras

from kernelkit import layers
from kernelkit.engine.input_layer import Input
from kernelkit.utils.test_utils import layer_test

CF = 'channels_first'

# (class name, kwargs, input shape): `layer_test` against tf_keras's class of the same name.
ORACLE_CASES = [
    ('MaxPooling1D', dict(), (2, 5, 3)),
    ('MaxPooling1D', dict(pool_size=3, strides=1, padding='same', data_format=CF), (2, 3, 5)),
    ('AveragePooling1D', dict(pool_size=3, strides=2), (2, 6, 2)),
    ('AveragePooling1D', dict(pool_size=2, padding='same', data_format=CF), (2, 2, 5)),
    ('MaxPooling2D', dict(), (2, 5, 5, 2)),
    ('MaxPooling2D', dict(pool_size=(3, 2), strides=(1, 2), padding='same', data_format=CF), (2, 2, 5, 5)),
    ('AveragePooling2D', dict(data_format=CF), (2, 2, 5, 4)),
    ('AveragePooling2D', dict(pool_size=3, strides=2, padding='SAME'), (2, 5, 5, 2)),
    ('MaxPooling3D', dict(), (2, 4, 3, 4, 2)),
    ('MaxPooling3D', dict(pool_size=(2, 3, 2), strides=1, padding='same', data_format=CF), (2, 2, 3, 3, 3)),
    ('AveragePooling3D', dict(data_format=CF), (2, 2, 4, 4, 3)),
    ('AveragePooling3D', dict(pool_size=3, strides=(2, 1, 2), padding='same'), (2, 3, 3, 4, 2)),
] + [(name, dict(data_format=data_format), shape)
     for name, shape in [('GlobalMaxPooling1D', (2, 4, 3)), ('GlobalAveragePooling1D', (2, 4, 3)),
                         ('GlobalMaxPooling2D', (2, 3, 4, 2)), ('GlobalAveragePooling2D', (2, 3, 4, 2)),
                         ('GlobalMaxPooling3D', (2, 2, 3, 2, 3)), ('GlobalAveragePooling3D', (2, 2, 3, 2, 3))]
     for data_format in ('channels_last', CF)]


def _channels_last_oracle(name, rank):
    """tf_keras's layer between two Permutes: TensorFlow has no CPU gradient for channels-first MaxPool2D, so
    the oracle computes channels-last (kernelkit transposes internally in the same way, for every layer)."""
    def make(data_format=None, **kwargs):
        return tf_keras.Sequential([
            tf_keras.layers.Permute(tuple(range(2, rank + 2)) + (1,)),
            getattr(tf_keras.layers, name)(data_format='channels_last', **kwargs),
            tf_keras.layers.Permute((rank + 1,) + tuple(range(1, rank + 1)))])
    return make


def _case_id(case):
    name, kwargs, _ = case
    return name + '-' + '-'.join('%s=%s' % (k, v) for k, v in sorted(kwargs.items()))


@pytest.mark.parametrize('name,kwargs,input_shape', ORACLE_CASES, ids=[_case_id(c) for c in ORACLE_CASES])
def test_matches_tf_keras(name, kwargs, input_shape):
    oracle = getattr(tf_keras.layers, name)
    if name == 'MaxPooling2D' and kwargs.get('data_format') == CF:
        oracle = _channels_last_oracle(name, 2)
    layer_test(getattr(layers, name), kwargs, input_shape=input_shape, oracle=oracle)


def test_known_values():
    x = np.arange(1., 6.).reshape((1, 5, 1))
    layer_test(layers.MaxPooling1D, dict(pool_size=2, strides=1), input_data=x,
               expected_output=[[[2.], [3.], [4.], [5.]]])
    layer_test(layers.AveragePooling1D, dict(pool_size=2, strides=1, padding='same'), input_data=x,
               expected_output=[[[1.5], [2.5], [3.5], [4.5], [5.]]])  # padded positions are not counted


@pytest.mark.parametrize('data_format', ['channels_last', CF])
def test_global_average_pooling1d_masking(data_format):
    data = np.random.RandomState(0).standard_normal((2, 4, 3)).astype('float32')
    mask = np.array([[True, True, False, True], [True, False, False, False]])
    if data_format == CF:
        data = data.transpose(0, 2, 1)
    ours = layers.GlobalAveragePooling1D(data_format=data_format)
    theirs = tf_keras.layers.GlobalAveragePooling1D(data_format=data_format)
    expected = theirs(tf.constant(data), mask=tf.constant(mask)).numpy()
    np.testing.assert_allclose(ours(data, mask=mask).numpy(), expected, atol=1e-6)
    assert ours.supports_masking and ours.compute_mask(data, mask) is None
    # In a model, a mask from Masking reaches the layer and stops there.
    x = Input((4, 3))
    y = layers.GlobalAveragePooling1D()(layers.Masking(0.)(x))
    assert y._keras_mask is None
    masked = np.array(data if data_format != CF else data.transpose(0, 2, 1))
    masked[~mask] = 0.
    from kernelkit.engine.training import Model
    np.testing.assert_allclose(Model(x, y).predict(masked),
                               [masked[i][mask[i]].mean(axis=0) for i in range(2)], atol=1e-6)


def test_keras2_configs_and_aliases():
    assert layers.MaxPooling1D().get_config()['pool_size'] == (2,)
    config = layers.AveragePooling2D(3).get_config()
    assert {k: config[k] for k in ('pool_size', 'strides', 'padding', 'data_format')} == {
        'pool_size': (3, 3), 'strides': (3, 3), 'padding': 'valid', 'data_format': 'channels_last'}
    assert layers.MaxPooling3D(strides=1).get_config()['strides'] == (1, 1, 1)
    assert set(layers.GlobalMaxPooling2D().get_config()) == {'name', 'trainable', 'data_format'}
    assert layers.GlobalAveragePooling1D().get_config()['data_format'] == 'channels_last'
    assert layers.MaxPooling2D().name == 'max_pooling2d_1'
    for alias, canonical in [('MaxPool1D', 'MaxPooling1D'), ('MaxPool2D', 'MaxPooling2D'),
                             ('MaxPool3D', 'MaxPooling3D'), ('AvgPool1D', 'AveragePooling1D'),
                             ('AvgPool2D', 'AveragePooling2D'), ('AvgPool3D', 'AveragePooling3D'),
                             ('GlobalMaxPool1D', 'GlobalMaxPooling1D'), ('GlobalMaxPool2D', 'GlobalMaxPooling2D'),
                             ('GlobalMaxPool3D', 'GlobalMaxPooling3D'),
                             ('GlobalAvgPool1D', 'GlobalAveragePooling1D'),
                             ('GlobalAvgPool2D', 'GlobalAveragePooling2D'),
                             ('GlobalAvgPool3D', 'GlobalAveragePooling3D')]:
        assert getattr(layers, alias) is getattr(layers, canonical)
    assert layers.serialize(layers.MaxPool2D())['class_name'] == 'MaxPooling2D'
    assert isinstance(layers.deserialize({'class_name': 'AvgPool2D', 'config': {}}), layers.AveragePooling2D)


@pytest.mark.parametrize('make,words', [
    (lambda: layers.MaxPooling2D(0), ['MaxPooling2D', '`pool_size`', 'positive']),
    (lambda: layers.MaxPooling2D((2, 2, 2)), ['`pool_size`', 'tuple of 2']),
    (lambda: layers.AveragePooling1D(strides=-1), ['AveragePooling1D', '`strides`']),
    (lambda: layers.AveragePooling3D(strides=(1, 2)), ['`strides`', 'tuple of 3']),
    (lambda: layers.MaxPooling1D(padding='causal'), ['`padding`', 'causal']),
    (lambda: layers.MaxPooling3D(data_format='th'), ['`data_format`', "'th'"]),
    (lambda: layers.GlobalAveragePooling2D(data_format='nhwc'), ['GlobalAveragePooling2D', '`data_format`']),
])
def test_invalid_arguments_raise_at_construction(make, words):
    with pytest.raises(ValueError) as info:
        make()
    for word in words:
        assert word in str(info.value), (word, str(info.value))


@pytest.mark.parametrize('layer,shape,words', [
    (lambda: layers.MaxPooling2D(3, name='pool'), (2, 5, 1), ["'pool'", '(3, 3)', '(2, 5)', '(None, 2, 5, 1)']),
    (lambda: layers.AveragePooling1D(4, data_format=CF), (2, 3), ['(4,)', '(3,)', '(None, 2, 3)']),
    (lambda: layers.MaxPooling3D(), (2, 2, 2), ['ndim=5', 'ndim=4']),
    (lambda: layers.GlobalMaxPooling1D(), (3, 2, 2), ['ndim=3', 'ndim=4']),
])
def test_bad_input_shapes_raise_when_built(layer, shape, words):
    with pytest.raises(ValueError) as info:
        layer()(Input(shape))
    for word in words:
        assert word in str(info.value), (word, str(info.value))


def test_same_padding_accepts_inputs_smaller_than_the_window():
    layer_test(layers.MaxPooling2D, dict(pool_size=3, padding='same'), input_shape=(2, 2, 2, 1),
               oracle=tf_keras.layers.MaxPooling2D)
