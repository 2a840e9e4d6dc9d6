"""LocallyConnected1D and LocallyConnected2D against tf_keras (implementation 1, both data formats) and numpy;
Keras 2 weight shapes, configs and errors."""
import numpy as np
import pytest
import tf_keras

from kernelkit import regularizers
from kernelkit.layers import Input, LocallyConnected1D, LocallyConnected2D
from kernelkit.models import Sequential
from kernelkit.utils.test_utils import layer_test


def _data(shape, seed=0):
    return np.random.RandomState(seed).standard_normal(shape).astype('float32')


CASES_1D = [
    ({'filters': 2, 'kernel_size': 3}, (2, 5, 3)),
    ({'filters': 3, 'kernel_size': 2, 'strides': 2, 'activation': 'relu', 'use_bias': False}, (2, 6, 2)),
    ({'filters': 2, 'kernel_size': (2,), 'data_format': 'channels_first', 'bias_initializer': 'ones'}, (2, 3, 5)),
]
CASES_2D = [
    ({'filters': 2, 'kernel_size': (2, 2)}, (2, 3, 4, 2)),
    ({'filters': 2, 'kernel_size': 2, 'strides': (1, 2), 'activation': 'tanh'}, (2, 4, 5, 1)),
    ({'filters': 3, 'kernel_size': (2, 1), 'data_format': 'channels_first', 'bias_initializer': 'glorot_uniform'},
     (2, 2, 3, 4)),
    ({'filters': 2, 'kernel_size': 2, 'strides': 2, 'data_format': 'channels_first', 'use_bias': False},
     (2, 3, 4, 4)),
]


@pytest.mark.parametrize('kwargs,input_shape', CASES_1D, ids=['default', 'strided', 'channels_first'])
def test_locally_connected_1d_matches_oracle(kwargs, input_shape):
    layer_test(LocallyConnected1D, kwargs, input_shape=input_shape, oracle=tf_keras.layers.LocallyConnected1D,
               atol=1e-5)


@pytest.mark.parametrize('kwargs,input_shape', CASES_2D,
                         ids=['default', 'strided', 'channels_first', 'channels_first_strided'])
def test_locally_connected_2d_matches_oracle(kwargs, input_shape):
    layer_test(LocallyConnected2D, kwargs, input_shape=input_shape, oracle=tf_keras.layers.LocallyConnected2D,
               atol=1e-5)


def test_locally_connected_1d_numpy_and_keras2_weight_shapes():
    layer = LocallyConnected1D(2, 3, strides=2, use_bias=True, bias_initializer='glorot_uniform')
    x = _data((2, 7, 4))
    y = layer(x).numpy()
    kernel, bias = layer.get_weights()
    assert kernel.shape == (3, 3 * 4, 2) and bias.shape == (3, 2)  # (output_length, kernel_size * input_dim, ...)
    expected = np.stack([x[:, 2 * i:2 * i + 3, :].reshape(2, -1) @ kernel[i] for i in range(3)], axis=1) + bias
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)
    assert [w.name for w in layer.weights] == ['locally_connected1d_1/kernel:0', 'locally_connected1d_1/bias:0']


def test_locally_connected_2d_numpy_and_keras2_weight_shapes():
    layer = LocallyConnected2D(2, (2, 3), data_format='channels_last', bias_initializer='glorot_uniform')
    x = _data((2, 3, 4, 2))
    y = layer(x).numpy()
    kernel, bias = layer.get_weights()
    assert kernel.shape == (2 * 2, 2 * 3 * 2, 2) and bias.shape == (2, 2, 2)
    expected = np.zeros((2, 2, 2, 2), dtype='float32')
    for i in range(2):
        for j in range(2):
            patch = x[:, i:i + 2, j:j + 3, :].reshape(2, -1)
            expected[:, i, j] = patch @ kernel[i * 2 + j] + bias[i, j]
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)
    first = LocallyConnected2D(2, 2, data_format='channels_first')
    first.build((None, 3, 4, 5))
    assert [tuple(w.shape) for w in first.weights] == [(3 * 4, 2 * 2 * 3, 2), (3, 4, 2)]


def test_configs_and_training():
    layer = LocallyConnected2D(4, 3, strides=(1, 2), data_format='channels_last',
                               kernel_regularizer=regularizers.l2(0.01))
    config = layer.get_config()
    assert config['kernel_size'] == (3, 3) and config['strides'] == (1, 2) and config['padding'] == 'valid'
    assert config['data_format'] == 'channels_last' and 'implementation' not in config
    assert LocallyConnected2D.from_config(config).get_config() == config
    assert LocallyConnected1D.from_config(dict(LocallyConnected1D(2, 3).get_config(), implementation=1))
    model = Sequential([LocallyConnected1D(2, 2, input_shape=(4, 3), kernel_regularizer='l2')])
    assert model.output_shape == (None, 3, 2)
    model.compile('sgd', 'mse')
    before = model.get_weights()[0].copy()
    model.fit(_data((4, 4, 3)), _data((4, 3, 2), 1), epochs=1, verbose=0)
    assert not np.allclose(model.get_weights()[0], before)
    assert len(model.losses) == 1


@pytest.mark.parametrize('make,words', [
    (lambda: LocallyConnected1D(2, 3, padding='same'), 'only "valid"'),
    (lambda: LocallyConnected2D(2, 3, implementation=2), 'implementation'),
    (lambda: LocallyConnected2D(0, 3), 'filters'),
    (lambda: LocallyConnected2D(2, (3, 3, 3)), 'kernel_size'),
    (lambda: LocallyConnected1D(2, 3, strides=0), 'strides'),
    (lambda: LocallyConnected2D(2, 3, data_format='channels_middle'), 'data_format'),
])
def test_invalid_arguments_raise_at_construction(make, words):
    with pytest.raises(ValueError, match=words):
        make()


def test_bad_input_shapes_raise_at_build():
    with pytest.raises(ValueError, match=r'locally_connected1d_\d+.*fully defined.*\(None, None, 3\)'):
        LocallyConnected1D(2, 2)(Input(shape=(None, 3)))
    with pytest.raises(ValueError, match=r'locally_connected2d_\d+.*smaller than the kernel'):
        LocallyConnected2D(2, 3)(Input(shape=(2, 5, 1)))
    with pytest.raises(ValueError, match='ndim=4'):
        LocallyConnected2D(2, 3)(Input(shape=(5, 1)))
    layer = LocallyConnected1D(2, 2)
    layer(Input(shape=(4, 3)))
    with pytest.raises(ValueError, match='axis -1'):
        layer(Input(shape=(4, 5)))
