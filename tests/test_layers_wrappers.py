"""TimeDistributed and Bidirectional against tf_keras (outputs, states, masks, training) and numpy; configs,
weight order and errors."""
import numpy as np
import pytest
import tensorflow as tf
import tf_keras

from kernelkit import layers, regularizers
from kernelkit.layers import LSTM, Bidirectional, Dense, Embedding, Input, SimpleRNN, TimeDistributed
from kernelkit.models import Model, Sequential
from kernelkit.utils.test_utils import layer_test


def _data(shape, seed=0):
    return np.random.RandomState(seed).standard_normal(shape).astype('float32')


def _as_list(x):
    return x if isinstance(x, list) else [x]


def _compare(model, oracle, data, atol=1e-5, eager=False):
    """Copies the weights of `model` into `oracle` and compares their outputs (and output shapes): from
    `predict`, or (faster) from eager calls."""
    assert [w.shape for w in model.get_weights()] == [tuple(w.shape) for w in oracle.get_weights()]
    oracle.set_weights(model.get_weights())
    if eager:
        tensors = [tf.constant(d) for d in _as_list(data)]
        ours = [o.numpy() for o in _as_list(model(tensors))]
        theirs = [o.numpy() for o in _as_list(oracle(tensors))]
    else:
        ours, theirs = _as_list(model.predict(data)), _as_list(oracle.predict(data, verbose=0))
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, atol=atol, rtol=0)
    assert model.output_shape == oracle.output_shape
    return ours


# ------------------------------------------------------------------------------------ TimeDistributed

@pytest.mark.parametrize('input_shape', [(2, 3, 4), (2, 3, 2, 4)])
def test_time_distributed_dense_matches_oracle(input_shape):
    out = layer_test(TimeDistributed, {'layer': Dense(3)}, input_shape=input_shape,
                     oracle=tf_keras.layers.TimeDistributed, oracle_kwargs={'layer': tf_keras.layers.Dense(3)})
    assert out.shape == input_shape[:-1] + (3,)


def test_time_distributed_conv2d_matches_oracle():
    layer_test(TimeDistributed, {'layer': layers.Conv2D(2, (2, 2), activation='relu')}, input_shape=(2, 3, 4, 4, 1),
               oracle=tf_keras.layers.TimeDistributed,
               oracle_kwargs={'layer': tf_keras.layers.Conv2D(2, (2, 2), activation='relu')})


def test_time_distributed_numpy_weights_and_config():
    layer = TimeDistributed(Dense(2, use_bias=False))
    x = _data((2, 3, 4))
    y = layer(x).numpy()
    kernel, = layer.get_weights()
    np.testing.assert_allclose(y, x @ kernel, rtol=1e-5, atol=1e-6)
    assert layer.weights[0] is layer.layer.kernel and layer.count_params() == 8
    config = layer.get_config()
    assert set(config) == {'name', 'trainable', 'layer'}
    assert config['layer']['class_name'] == 'Dense' and config['layer']['config']['units'] == 2
    again = layers.deserialize(layers.serialize(layer))
    assert isinstance(again.layer, Dense) and again.get_config()['layer'] == config['layer']
    assert layer.compute_output_shape((None, 5, 4)) == (None, 5, 2)


def test_time_distributed_training_regularizers_and_fit():
    dropout = TimeDistributed(layers.Dropout(0.5))
    x = np.ones((4, 3, 20), dtype='float32')
    np.testing.assert_array_equal(dropout(x).numpy(), x)
    assert np.any(dropout(x, training=True).numpy() == 0)
    regularized = TimeDistributed(Dense(2, activity_regularizer=regularizers.l1(0.1)))
    y = regularized(x[:2]).numpy()
    np.testing.assert_allclose([float(v) for v in regularized.losses], [0.1 * np.abs(y).sum()], rtol=1e-5)

    model = Sequential([TimeDistributed(Dense(2), input_shape=(3, 4))])
    oracle = tf_keras.Sequential([tf_keras.layers.TimeDistributed(tf_keras.layers.Dense(2), input_shape=(3, 4))])
    oracle.set_weights(model.get_weights())
    model.compile('sgd', 'mse')
    oracle.compile(tf_keras.optimizers.SGD(0.01), 'mse')
    data, target = _data((4, 3, 4)), _data((4, 3, 2), 1)
    np.testing.assert_allclose(model.train_on_batch(data, target), oracle.train_on_batch(data, target), rtol=1e-5)
    for a, b in zip(model.get_weights(), oracle.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_time_distributed_masks():
    ids = np.array([[1, 0, 3], [0, 2, 0]], dtype='int32')
    x = Input(shape=(3,), dtype='int32')
    y = TimeDistributed(Dense(2))(Embedding(5, 4, mask_zero=True)(x))
    assert y._keras_mask is not None and y._keras_mask.shape.as_list() == [None, 3]
    layer = TimeDistributed(Dense(2))
    embedded, mask = tf.constant(_data((2, 3, 4))), tf.constant(ids != 0)
    np.testing.assert_array_equal(layer.compute_mask(embedded, mask).numpy(), ids != 0)
    # an inner layer that makes its own mask (Embedding with mask_zero): reshaped per time step
    nested = np.array([[[1, 0], [0, 0], [2, 3]]], dtype='int32')
    inner = TimeDistributed(Embedding(5, 2, mask_zero=True))
    inner(nested)
    np.testing.assert_array_equal(inner.compute_mask(tf.constant(nested)).numpy(), nested != 0)
    # an inner layer returning no mask: the input mask reduced (any) to (batch, timesteps)
    masked4d = tf.constant(np.array([[[[True, False]], [[False, False]]]]))
    no_mask = TimeDistributed(layers.Lambda(lambda t: t))
    np.testing.assert_array_equal(no_mask.compute_mask(tf.zeros((1, 2, 1, 2)), masked4d).numpy(), [[True, False]])
    # an inner layer passing its mask on: the mask reshaped back per time step
    np.testing.assert_array_equal(TimeDistributed(Dense(2)).compute_mask(tf.zeros((1, 2, 1, 2)), masked4d).numpy(),
                                  masked4d.numpy())
    assert TimeDistributed(Dense(2)).compute_mask(embedded, None) is None


def test_time_distributed_passes_masks_to_inner_rnn_like_oracle():
    data = _data((2, 3, 4, 2))
    data[0, 1, 2:] = 0.
    data[1, 0, 1:] = 0.
    x = Input(shape=(3, 4, 2))
    out = TimeDistributed(LSTM(2, recurrent_activation='sigmoid'))(layers.Masking()(x))
    model = Model(x, out)
    assert out._keras_mask.shape.as_list() == [None, 3]
    ox = tf_keras.Input(shape=(3, 4, 2))
    oracle = tf_keras.Model(ox, tf_keras.layers.TimeDistributed(tf_keras.layers.LSTM(2))(
        tf_keras.layers.Masking()(ox)))
    _compare(model, oracle, data, eager=True)


def test_time_distributed_errors():
    with pytest.raises(TypeError, match='layer instance'):
        TimeDistributed('dense')
    with pytest.raises(ValueError, match=r'time_distributed_\d+.*rank >= 3.*\(None, 4\)'):
        TimeDistributed(Dense(2))(Input(shape=(4,)))
    layer = TimeDistributed(Dense(2))
    layer(Input(shape=(3, 4)))
    with pytest.raises(ValueError, match='time_distributed'):
        layer(Input(shape=(3, 5)))


# -------------------------------------------------------------------------------------- Bidirectional

def _bidirectional_pair(merge_mode, input_shape=(4, 3), **rnn_kwargs):
    x = Input(shape=input_shape)
    layer = Bidirectional(LSTM(2, recurrent_activation='sigmoid', **rnn_kwargs), merge_mode=merge_mode)
    model = Model(x, layer(x))
    ox = tf_keras.Input(shape=input_shape)
    oracle = tf_keras.Model(ox, tf_keras.layers.Bidirectional(tf_keras.layers.LSTM(2, **rnn_kwargs),
                                                              merge_mode=merge_mode)(ox))
    return model, oracle, layer


@pytest.mark.parametrize('merge_mode,return_sequences', [('concat', False), ('concat', True), ('sum', True),
                                                          ('mul', False), ('ave', True), (None, False),
                                                          (None, True)])
def test_bidirectional_merge_modes_match_oracle(merge_mode, return_sequences):
    data = _data((2, 4, 3))
    model, oracle, _ = _bidirectional_pair(merge_mode, return_sequences=return_sequences)
    out = _compare(model, oracle, data, eager=True)
    rebuilt = Model.from_config(model.get_config())
    rebuilt.set_weights(model.get_weights())
    for a, b in zip(_as_list(rebuilt(tf.constant(data))), out):
        np.testing.assert_allclose(a.numpy(), b, atol=1e-6)


def test_bidirectional_predict_matches_oracle():
    _compare(*_bidirectional_pair('concat', return_sequences=True)[:2], data=_data((3, 4, 3)))


def test_bidirectional_layer_test_with_simple_rnn():
    layer_test(Bidirectional, {'layer': SimpleRNN(2), 'merge_mode': 'sum'}, input_shape=(2, 3, 2),
               oracle=tf_keras.layers.Bidirectional,
               oracle_kwargs={'layer': tf_keras.layers.SimpleRNN(2), 'merge_mode': 'sum'})


def test_bidirectional_weight_order_config_and_weights_argument():
    layer = Bidirectional(LSTM(2), merge_mode='ave')
    layer.build((None, 4, 3))
    names = [w.name for w in layer.weights]
    assert names[:3] == ['forward_lstm_1/kernel:0', 'forward_lstm_1/recurrent_kernel:0', 'forward_lstm_1/bias:0']
    assert [n.split('/')[0] for n in names[3:]] == ['backward_lstm_1'] * 3
    assert layer.forward_layer.go_backwards is False and layer.backward_layer.go_backwards is True
    config = layer.get_config()
    assert set(config) == {'name', 'trainable', 'layer', 'merge_mode'} and config['merge_mode'] == 'ave'
    assert config['layer']['class_name'] == 'LSTM' and config['layer']['config']['go_backwards'] is False
    assert layers.deserialize(layers.serialize(layer)).get_config() == config

    values = [np.full(w.shape, i, dtype='float32') for i, w in enumerate(layer.weights)]
    preset = Bidirectional(LSTM(2), weights=values)
    preset(Input(shape=(4, 3)))
    for a, b in zip(preset.get_weights(), values):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(preset.backward_layer.get_weights()[0], values[3])
    frozen = Bidirectional(LSTM(2), trainable=False)
    assert not frozen.forward_layer.trainable and not frozen.backward_layer.trainable
    frozen.build((None, 4, 3))
    assert frozen.trainable_weights == [] and len(frozen.non_trainable_weights) == 6


@pytest.mark.parametrize('merge_mode', ['concat', None])
def test_bidirectional_return_state_matches_oracle(merge_mode):
    model, oracle, layer = _bidirectional_pair(merge_mode, return_sequences=True, return_state=True)
    outputs = _compare(model, oracle, _data((2, 4, 3)), eager=True)
    assert len(outputs) == (2 if merge_mode is None else 1) + 4  # output(s), forward h, c, backward h, c
    assert layer.compute_mask(None, None) == ([None] * 6 if merge_mode is None else [None] * 5)


def test_bidirectional_initial_state_matches_oracle():
    data, states = _data((2, 4, 3)), [_data((2, 2), seed) for seed in range(1, 5)]
    x, state_inputs = Input(shape=(4, 3)), [Input(shape=(2,)) for _ in range(4)]
    layer = Bidirectional(LSTM(2, recurrent_activation='sigmoid', return_sequences=True))
    model = Model([x] + state_inputs, layer(x, initial_state=state_inputs))
    ox, o_states = tf_keras.Input(shape=(4, 3)), [tf_keras.Input(shape=(2,)) for _ in range(4)]
    oracle = tf_keras.Model([ox] + o_states, tf_keras.layers.Bidirectional(tf_keras.layers.LSTM(
        2, return_sequences=True))(ox, initial_state=o_states))
    out = _compare(model, oracle, [data] + states, eager=True)[0]
    # the forward layer starts from the first half of the states, the backward layer from the second half
    forward = layer.forward_layer(tf.constant(data), initial_state=[tf.constant(s) for s in states[:2]]).numpy()
    np.testing.assert_allclose(out[..., :2], forward, atol=1e-5)
    eager = layer(tf.constant(data), initial_state=[tf.constant(s) for s in states]).numpy()
    np.testing.assert_allclose(eager, out, atol=1e-5)
    rebuilt = Model.from_config(model.get_config())
    rebuilt.set_weights(model.get_weights())
    np.testing.assert_allclose(rebuilt.predict([data] + states), out, atol=1e-6)


def test_bidirectional_with_masks_matches_oracle():
    ids = np.array([[1, 2, 0, 0], [3, 1, 2, 4]], dtype='int32')
    x = Input(shape=(4,), dtype='int32')
    y = Bidirectional(LSTM(2, recurrent_activation='sigmoid', return_sequences=True))(
        Embedding(5, 3, mask_zero=True)(x))
    assert y._keras_mask is not None
    model = Model(x, y)
    ox = tf_keras.Input(shape=(4,), dtype='int32')
    oracle = tf_keras.Model(ox, tf_keras.layers.Bidirectional(tf_keras.layers.LSTM(2, return_sequences=True))(
        tf_keras.layers.Embedding(5, 3, mask_zero=True)(ox)))
    oracle.set_weights(model.get_weights())
    ours, theirs = model(tf.constant(ids)).numpy(), oracle(tf.constant(ids)).numpy()
    # unmasked steps agree with tf_keras; at masked steps Keras 2 repeats the previous output of each direction
    # (the backward RNN starts on the trailing padding, so its output there is 0), where tf_keras outputs zeros.
    np.testing.assert_allclose(ours[1], theirs[1], atol=1e-5)
    np.testing.assert_allclose(ours[0, :2], theirs[0, :2], atol=1e-5)
    np.testing.assert_allclose(ours[0, 2:, :2], np.stack([ours[0, 1, :2]] * 2), atol=1e-7)
    np.testing.assert_array_equal(ours[0, 2:, 2:], np.zeros((2, 2)))
    np.testing.assert_array_equal(theirs[0, 2:], np.zeros((2, 4)))
    layer = model.layers[-1]
    mask = tf.constant(ids != 0)
    np.testing.assert_array_equal(layer.compute_mask(None, mask).numpy(), ids != 0)
    assert Bidirectional(LSTM(2)).compute_mask(None, mask) is None


def test_bidirectional_training_matches_oracle():
    model = Sequential([Bidirectional(SimpleRNN(2), input_shape=(3, 2)), Dense(1)])
    oracle = tf_keras.Sequential([tf_keras.layers.Bidirectional(tf_keras.layers.SimpleRNN(2), input_shape=(3, 2)),
                                  tf_keras.layers.Dense(1)])
    oracle.set_weights(model.get_weights())
    model.compile('sgd', 'mse')
    oracle.compile(tf_keras.optimizers.SGD(0.01), 'mse')
    data, target = _data((4, 3, 2)), _data((4, 1), 1)
    for _ in range(2):
        np.testing.assert_allclose(model.train_on_batch(data, target), oracle.train_on_batch(data, target),
                                   rtol=1e-5)
    for a, b in zip(model.get_weights(), oracle.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_bidirectional_stateful_reset_states():
    layer = Bidirectional(LSTM(2, stateful=True, return_sequences=False), batch_input_shape=(2, 3, 2))
    model = Sequential([layer])
    data = _data((2, 3, 2))
    first = model.predict(data, batch_size=2)
    assert not np.allclose(model.predict(data, batch_size=2), first)
    model.reset_states()
    np.testing.assert_allclose(model.predict(data, batch_size=2), first, atol=1e-6)


def test_bidirectional_errors():
    with pytest.raises(ValueError, match='merge mode'):
        Bidirectional(LSTM(2), merge_mode='max')
    with pytest.raises(ValueError, match='recurrent layer'):
        Bidirectional(Dense(2))
    with pytest.raises(TypeError, match='layer instance'):
        Bidirectional('lstm')
    x = Input(shape=(4, 3))
    with pytest.raises(ValueError, match='even number'):
        Bidirectional(LSTM(2))(x, initial_state=[Input(shape=(2,)) for _ in range(3)])
    with pytest.raises(ValueError, match=r'bidirectional_\d+.*ndim=3'):
        Bidirectional(LSTM(2))(Input(shape=(3,)))
    layer = Bidirectional(LSTM(2), weights=[np.zeros((3, 8))])
    with pytest.raises(ValueError, match='expecting 6 weights'):
        layer(x)
