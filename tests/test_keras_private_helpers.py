"""The small private helpers of Keras 2.2.4 that custom layers and graph-walking code import.

`keras.layers.pooling._Pooling2D` & co. (custom pooling layers), `keras.layers.recurrent._standardize_args` and
`_generate_dropout_mask` (custom RNNs), `keras.engine.base_layer._collect_previous_mask` & co.,
`keras.engine.network._make_node_key`/`_map_graph_network`, `training_generator.iter_sequence_infinite`.
"""
import itertools

import numpy as np
import pytest

import kernelkit as keras
from kernelkit import backend as K
from kernelkit import layers as L
from kernelkit.engine import base_layer, network, training_generator
from kernelkit.layers import convolutional_recurrent, pooling, recurrent
from kernelkit.utils import Sequence


class SoftPooling2D(pooling._Pooling2D):
    """A custom pooling layer in the Keras 2.2.4 style: it only defines `_pooling_function`."""

    def _pooling_function(self, inputs, pool_size, strides, padding, data_format):
        return K.pool2d(inputs, pool_size, strides, padding, data_format, pool_mode='avg') * 2.0


class SumPooling1D(pooling._Pooling1D):
    def _pooling_function(self, inputs, pool_size, strides, padding, data_format):
        return K.pool2d(inputs, pool_size, strides, padding, data_format, pool_mode='avg') * pool_size[0]


class L2GlobalPooling2D(pooling._GlobalPooling2D):
    def call(self, inputs):
        return K.sqrt(K.sum(K.square(inputs), axis=[1, 2]))


def test_custom_2d_pooling_through_pooling_function():
    x = np.arange(2 * 4 * 4 * 3, dtype='float32').reshape(2, 4, 4, 3)
    y = keras.models.Sequential([SoftPooling2D(pool_size=(2, 2), input_shape=(4, 4, 3))]).predict(x)
    expected = x.reshape(2, 2, 2, 2, 2, 3).mean(axis=(2, 4)) * 2.0
    np.testing.assert_allclose(y, expected, rtol=1e-6)
    config = SoftPooling2D(pool_size=3, strides=1, padding='same').get_config()
    assert (config['pool_size'], config['strides'], config['padding']) == ((3, 3), (1, 1), 'same')


def test_custom_1d_pooling_gets_4d_inputs_and_returns_3d():
    x = np.arange(2 * 6 * 2, dtype='float32').reshape(2, 6, 2)
    layer = SumPooling1D(pool_size=3)
    y = K.eval(layer(K.constant(x)))
    np.testing.assert_allclose(y, x.reshape(2, 2, 3, 2).sum(axis=2), rtol=1e-6)
    assert layer.compute_output_shape((None, 6, 2)) == (None, 2, 2)


def test_custom_global_pooling_and_missing_pooling_function():
    x = np.random.RandomState(0).rand(2, 3, 3, 4).astype('float32')
    y = K.eval(L2GlobalPooling2D()(K.constant(x)))
    np.testing.assert_allclose(y, np.sqrt((x ** 2).sum(axis=(1, 2))), rtol=1e-5)
    assert L2GlobalPooling2D().compute_output_shape((None, 3, 3, 4)) == (None, 4)
    with pytest.raises(NotImplementedError, match='_pooling_function'):
        pooling._Pooling3D()(K.constant(np.ones((1, 2, 2, 2, 1))))
    with pytest.raises(NotImplementedError, match='must define `call`'):
        pooling._GlobalPooling1D()(K.constant(np.ones((1, 2, 3))))


def test_standardize_args_splits_list_inputs():
    x, s1, s2, c = 'x', 's1', 's2', 'c'
    assert recurrent._standardize_args([x, s1, s2, c], None, None, 1) == (x, [s1, s2], [c])
    assert recurrent._standardize_args([x], None, None, None) == (x, None, None)
    assert recurrent._standardize_args(x, (s1,), c, None) == (x, [s1], [c])
    with pytest.raises(ValueError, match='initial_state'):
        recurrent._standardize_args([x, s1], [s2], None, None)
    assert convolutional_recurrent._standardize_args is recurrent._standardize_args


def test_generate_dropout_mask_by_phase():
    ones = K.ones((200, 50))
    train = K.eval(recurrent._generate_dropout_mask(ones, 0.5, training=True))
    assert set(np.unique(train)) <= {0.0, 2.0} and abs((train == 0).mean() - 0.5) < 0.05
    assert np.array_equal(K.eval(recurrent._generate_dropout_mask(ones, 0.5, training=False)), np.ones((200, 50)))
    masks = recurrent._generate_dropout_mask(ones, 0.3, training=True, count=3)
    assert len(masks) == 3 and not np.array_equal(K.eval(masks[0]), K.eval(masks[1]))
    assert convolutional_recurrent._generate_dropout_mask is recurrent._generate_dropout_mask


def test_rnn_dropout_still_trains_after_the_helper_refactor():
    model = keras.models.Sequential([L.LSTM(4, dropout=0.3, recurrent_dropout=0.3, input_shape=(5, 3)),
                                     L.Dense(1)])
    model.compile('sgd', 'mse')
    x = np.random.RandomState(0).rand(8, 5, 3).astype('float32')
    history = model.fit(x, np.zeros((8, 1)), epochs=2, verbose=0)
    assert np.isfinite(history.history['loss']).all()
    np.testing.assert_array_equal(model.predict(x), model.predict(x))  # no dropout at inference


def test_base_layer_collect_helpers():
    x = L.Input((3, 5))
    masked = L.Masking()(x)
    assert base_layer._collect_input_shape(x) == (None, 3, 5)
    assert base_layer._collect_input_shape([x, masked]) == [(None, 3, 5), (None, 3, 5)]
    assert base_layer._collect_previous_mask(x) is None
    mask = base_layer._collect_previous_mask([x, masked])[1]
    assert K.int_shape(mask) == (None, 3)
    assert base_layer._to_snake_case('Conv2DTranspose') == 'conv2d_transpose'
    assert base_layer._to_snake_case('_Private') == 'private__private'


def test_network_node_keys_and_graph_map():
    assert network._make_node_key('dense_1', 0) == 'dense_1_ib-0'
    a = L.Input((3,), name='in')
    shared = L.Dense(3, name='shared')
    y = L.Dense(1, name='head')(shared(shared(a)))
    nodes, nodes_by_depth, layers, layers_by_depth = network._map_graph_network([a], [y])
    assert nodes == {'in_ib-0', 'shared_ib-0', 'shared_ib-1', 'head_ib-0'}
    assert [l.name for l in layers] == ['in', 'shared', 'head']
    assert sorted(nodes_by_depth) == [0, 1, 2, 3]
    assert [l.name for l in layers_by_depth[0]] == ['head']
    assert [l.name for l in layers_by_depth[3]] == ['in']
    with pytest.raises(ValueError, match='Graph disconnected'):
        network._map_graph_network([L.Input((3,))], [y])


def test_iter_sequence_infinite_repeats_epochs():
    class Three(Sequence):
        def __len__(self):
            return 3

        def __getitem__(self, index):
            return index

    items = list(itertools.islice(training_generator.iter_sequence_infinite(Three()), 7))
    assert items == [0, 1, 2, 0, 1, 2, 0]


def test_backend_function_class_is_what_k_function_returns():
    keras.install_as_keras()
    import importlib
    tfb = importlib.import_module('keras.backend.tensorflow_backend')
    x = K.placeholder((None, 2))
    assert isinstance(K.function([x], [x * 2]), tfb.Function)
