"""ConvLSTM2D, checked against tf_keras (explicit recurrent_activation on both sides). Tiny inputs."""
import numpy as np
import pytest
import tensorflow as tf
import tf_keras

from kernelkit import backend as K
from kernelkit import layers
from kernelkit.engine.input_layer import Input
from kernelkit.engine.sequential import Sequential
from kernelkit.utils.test_utils import layer_test

HS = 'hard_sigmoid'
CF = 'channels_first'
RNG = np.random.RandomState(11)


def rand(*shape):
    return RNG.uniform(-1, 1, size=shape).astype('float32')


CASES = [
    (dict(filters=2, kernel_size=3, return_sequences=True), (2, 3, 5, 5, 2)),
    (dict(filters=2, kernel_size=(3, 2), strides=2, padding='same', data_format=CF), (2, 2, 2, 5, 5)),
    (dict(filters=1, kernel_size=2, dilation_rate=2, padding='same', go_backwards=True, data_format=CF,
          return_sequences=True), (2, 3, 1, 5, 4)),
    (dict(filters=2, kernel_size=2, use_bias=False, unit_forget_bias=False, recurrent_activation='sigmoid'),
     (2, 2, 4, 4, 1)),
]


@pytest.mark.parametrize('kwargs,shape', CASES)
def test_convlstm2d_against_tf_keras(kwargs, shape):
    kwargs = dict({'recurrent_activation': HS}, **kwargs)
    layer_test(layers.ConvLSTM2D, kwargs, input_shape=shape, oracle=tf_keras.layers.ConvLSTM2D,
               oracle_kwargs=kwargs)


def test_weights_config_and_output_shapes():
    layer = layers.ConvLSTM2D(3, 2, return_state=True)
    out, h, c = layer(Input((4, 5, 6, 2)))
    assert tuple(out.shape.as_list()) == (None, 4, 5, 3) and tuple(h.shape.as_list()) == (None, 4, 5, 3)
    assert [w.name for w in layer.weights] == ['conv_lst_m2d_1/kernel:0', 'conv_lst_m2d_1/recurrent_kernel:0',
                                               'conv_lst_m2d_1/bias:0']
    assert [tuple(w.shape) for w in layer.weights] == [(2, 2, 2, 12), (2, 2, 3, 12), (12,)]
    config = layer.get_config()
    assert config['recurrent_activation'] == 'hard_sigmoid' and config['unit_forget_bias'] is True
    assert config['kernel_size'] == (2, 2) and config['data_format'] == 'channels_last'
    assert 'cell' not in config
    assert layers.ConvLSTM2D.from_config(config).get_config() == config
    seq = layers.ConvLSTM2D(2, 3, padding='same', data_format=CF, return_sequences=True)
    assert seq.compute_output_shape((None, 4, 1, 6, 7)) == (None, 4, 2, 6, 7)


def test_return_state_and_initial_state_match_tf_keras():
    x, h0, c0 = rand(2, 3, 4, 4, 1), rand(2, 3, 3, 2), rand(2, 3, 3, 2)
    kwargs = dict(filters=2, kernel_size=2, recurrent_activation=HS, return_state=True)
    ours, theirs = layers.ConvLSTM2D(**kwargs), tf_keras.layers.ConvLSTM2D(**kwargs)
    ours(x)
    theirs(tf.constant(x))
    theirs.set_weights(ours.get_weights())
    for ours_out, their_out in zip(ours(x, initial_state=[h0, c0]),
                                   theirs(tf.constant(x), initial_state=[tf.constant(h0), tf.constant(c0)])):
        np.testing.assert_allclose(ours_out.numpy(), their_out.numpy(), atol=1e-5)


def test_stateful_matches_tf_keras():
    kwargs = dict(filters=2, kernel_size=2, padding='same', recurrent_activation=HS, stateful=True,
                  batch_input_shape=(2, 2, 3, 3, 1))
    ours = Sequential([layers.ConvLSTM2D(**kwargs)])
    theirs = tf_keras.Sequential([tf_keras.layers.ConvLSTM2D(**kwargs)])
    theirs.set_weights(ours.get_weights())
    first, second = rand(2, 2, 3, 3, 1), rand(2, 2, 3, 3, 1)
    out1 = ours.predict(first, batch_size=2)
    np.testing.assert_allclose(out1, theirs.predict(first, batch_size=2, verbose=0), atol=1e-5)
    np.testing.assert_allclose(ours.predict(second, batch_size=2),
                               theirs.predict(second, batch_size=2, verbose=0), atol=1e-5)
    assert K.int_shape(ours.layers[0].states[0]) == (2, 3, 3, 2)
    ours.reset_states()
    np.testing.assert_allclose(ours.predict(first, batch_size=2), out1, atol=1e-6)


def test_dropout_only_in_training():
    x = rand(2, 2, 3, 3, 1)
    layer = layers.ConvLSTM2D(2, 2, dropout=0.5, recurrent_dropout=0.5)
    plain = layers.ConvLSTM2D(2, 2)
    plain(x)
    layer(x)
    plain.set_weights(layer.get_weights())
    np.testing.assert_allclose(layer(x).numpy(), plain(x).numpy(), atol=1e-6)
    draws = [layer(x, training=True).numpy() for _ in range(3)]
    assert any(not np.allclose(draws[0], d) for d in draws[1:])


def test_errors():
    with pytest.raises(ValueError, match="ConvLSTM2D layer 'conv_lst_m2d_1'.*`filters`"):
        layers.ConvLSTM2D(-2, 3)
    with pytest.raises(ValueError, match="ConvLSTM2D layer 'bad'.*`padding`"):
        layers.ConvLSTM2D(2, 3, padding='full', name='bad')
    with pytest.raises(ValueError, match='unroll'):
        layers.ConvLSTM2D(2, 3, unroll=True)
    with pytest.raises(ValueError, match='expected ndim=5'):
        layers.ConvLSTM2D(2, 3)(Input((3, 5, 5)))
    with pytest.raises(ValueError, match='batch_input_shape'):
        Sequential([layers.ConvLSTM2D(2, 3, stateful=True, input_shape=(2, 5, 5, 1))])
