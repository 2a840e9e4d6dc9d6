"""Recurrent layers (SimpleRNN, GRU, LSTM, RNN with cells), checked against tf_keras (the oracle) and numpy.

tf_keras's defaults differ from Keras 2.2 (recurrent_activation, GRU reset_after, implementation), so every
oracle comparison passes explicit values to both sides; kernelkit's own defaults are checked separately.
Inputs are tiny: batch 2, 3-4 steps, 2-3 units.
"""
import warnings

import numpy as np
import pytest
import tensorflow as tf
import tf_keras

from kernelkit import backend as K
from kernelkit import layers
from kernelkit.engine.input_layer import Input
from kernelkit.engine.sequential import Sequential
from kernelkit.engine.training import Model
from kernelkit.utils.test_utils import layer_test

HS = 'hard_sigmoid'
RNG = np.random.RandomState(7)


def rand(*shape):
    return RNG.uniform(-1, 1, size=shape).astype('float32')


def oracle(name):
    return getattr(tf_keras.layers, name)


def flat(values):
    return [np.asarray(v) for v in tf.nest.flatten(values)]


def assert_all_close(ours, theirs, atol=1e-5):
    ours, theirs = flat(ours), flat(theirs)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, atol=atol, rtol=0)


def paired_call(ours, theirs, x, **call_kwargs):
    """Builds both layers on `x`, copies our weights into the oracle, returns both outputs."""
    their_kwargs = tf.nest.map_structure(
        lambda v: tf.constant(v) if isinstance(v, np.ndarray) else v, call_kwargs)
    ours(x, **call_kwargs)
    theirs(tf.constant(x), **their_kwargs)
    theirs.set_weights(ours.get_weights())
    return ours(x, **call_kwargs), theirs(tf.constant(x), **their_kwargs)


# ----------------------------------------------------------------------------------------------------
# layer_test against tf_keras: shapes, config round trip, functional + Sequential use, outputs and
# gradients (training and inference) with copied weights.

ORACLE_CASES = [
    ('SimpleRNN', dict(units=3), (2, 3, 4)),
    ('SimpleRNN', dict(units=2, return_sequences=True, go_backwards=True, activation='relu'), (2, 4, 3)),
    ('SimpleRNN', dict(units=2, unroll=True, use_bias=False, return_sequences=True), (2, 3, 2)),
    ('GRU', dict(units=3, recurrent_activation=HS, reset_after=False, implementation=1, return_sequences=True),
     (2, 3, 4)),
    ('GRU', dict(units=2, recurrent_activation=HS, reset_after=True, implementation=1, go_backwards=True),
     (2, 3, 4)),
    ('GRU', dict(units=2, recurrent_activation=HS, reset_after=False, implementation=2, unroll=True,
                 return_sequences=True), (2, 3, 3)),
    ('GRU', dict(units=2, recurrent_activation='sigmoid', reset_after=True, implementation=2,
                 bias_initializer='uniform'), (2, 4, 3)),
    ('LSTM', dict(units=3, recurrent_activation=HS, implementation=1, return_sequences=True), (2, 3, 4)),
    ('LSTM', dict(units=2, recurrent_activation=HS, implementation=2, go_backwards=True, unroll=True),
     (2, 3, 3)),
    ('LSTM', dict(units=2, recurrent_activation='sigmoid', implementation=1, unit_forget_bias=False,
                  bias_initializer='uniform'), (2, 3, 3)),
]


@pytest.mark.parametrize('name,kwargs,shape', ORACLE_CASES,
                         ids=[c[0] + str(i) for i, c in enumerate(ORACLE_CASES)])
def test_layer_against_tf_keras(name, kwargs, shape):
    layer_test(getattr(layers, name), kwargs, input_shape=shape, oracle=oracle(name), oracle_kwargs=kwargs)


# ----------------------------------------------------------------------------------------------------
# Keras 2.2 defaults, weights and configs.


def test_keras22_defaults_and_weight_layout():
    lstm, gru, rnn = layers.LSTM(3), layers.GRU(3), layers.SimpleRNN(3)
    for layer in (lstm, gru):
        config = layer.get_config()
        assert config['recurrent_activation'] == 'hard_sigmoid'
        assert config['implementation'] == 1
    assert gru.get_config()['reset_after'] is False
    assert lstm.get_config()['unit_forget_bias'] is True
    x = np.zeros((2, 3, 4), 'float32')
    for layer in (lstm, gru, rnn):
        layer(x)
    assert [w.name for w in lstm.weights] == ['lstm_1/kernel:0', 'lstm_1/recurrent_kernel:0', 'lstm_1/bias:0']
    assert [tuple(w.shape) for w in lstm.weights] == [(4, 12), (3, 12), (12,)]
    assert [tuple(w.shape) for w in gru.weights] == [(4, 9), (3, 9), (9,)]
    assert [tuple(w.shape) for w in rnn.weights] == [(4, 3), (3, 3), (3,)]
    gru_after = layers.GRU(3, reset_after=True)
    gru_after(x)
    assert tuple(gru_after.weights[2].shape) == (2, 9)
    # unit_forget_bias: the forget block (i, f, c, o order) starts at one, the rest at zero.
    np.testing.assert_array_equal(lstm.get_weights()[2], np.r_[np.zeros(3), np.ones(3), np.zeros(6)])


def test_config_keys_match_keras22():
    common = {'name', 'trainable', 'return_sequences', 'return_state', 'go_backwards', 'stateful', 'unroll',
              'units', 'activation', 'use_bias', 'kernel_initializer', 'recurrent_initializer',
              'bias_initializer', 'kernel_regularizer', 'recurrent_regularizer', 'bias_regularizer',
              'activity_regularizer', 'kernel_constraint', 'recurrent_constraint', 'bias_constraint', 'dropout',
              'recurrent_dropout'}
    assert set(layers.SimpleRNN(2).get_config()) == common
    assert set(layers.GRU(2).get_config()) == common | {'recurrent_activation', 'implementation', 'reset_after'}
    assert set(layers.LSTM(2).get_config()) == common | {'recurrent_activation', 'implementation',
                                                         'unit_forget_bias'}
    config = layers.RNN(layers.LSTMCell(2), return_sequences=True).get_config()
    assert config['cell']['class_name'] == 'LSTMCell'
    assert config['cell']['config']['units'] == 2
    rebuilt = layers.RNN.from_config(config)
    assert isinstance(rebuilt.cell, layers.LSTMCell) and rebuilt.return_sequences
    assert rebuilt.get_config()['cell']['config']['recurrent_activation'] == 'hard_sigmoid'


def test_legacy_implementation_arguments():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        layer = layers.SimpleRNN(2, implementation=2)
        layers.LSTM(2, implementation=0)
    messages = [str(w.message) for w in caught]
    assert any('`implementation` argument in `SimpleRNN` has been deprecated' in m for m in messages)
    assert any('`implementation=0` has been deprecated' in m for m in messages)
    assert 'implementation' not in layer.get_config()
    config = layers.GRU(2).get_config()
    config['implementation'] = 0
    assert layers.GRU.from_config(config).implementation == 1


def test_tf_keras_only_config_keys_are_accepted():
    config = layers.LSTM(2).get_config()
    config['time_major'] = False
    assert layers.LSTM.from_config(config).units == 2
    config['time_major'] = True
    with pytest.raises(ValueError, match='time_major'):
        layers.LSTM.from_config(config)


# ----------------------------------------------------------------------------------------------------
# Numpy reference of the Keras 2.2 equations (hard_sigmoid = clip(0.2 x + 0.5, 0, 1)).


def np_hard_sigmoid(x):
    return np.clip(0.2 * x + 0.5, 0., 1.)


def np_lstm(x, kernel, recurrent, bias):
    units = recurrent.shape[0]
    h = c = np.zeros((x.shape[0], units), 'float32')
    for t in range(x.shape[1]):
        z = x[:, t].dot(kernel) + h.dot(recurrent) + bias
        i, f, cand, o = (z[:, k * units:(k + 1) * units] for k in range(4))
        c = np_hard_sigmoid(f) * c + np_hard_sigmoid(i) * np.tanh(cand)
        h = np_hard_sigmoid(o) * np.tanh(c)
    return h


def np_gru(x, kernel, recurrent, bias, reset_after):
    units = recurrent.shape[0]
    input_bias, recurrent_bias = (bias[0], bias[1]) if reset_after else (bias, np.zeros_like(bias))
    h = np.zeros((x.shape[0], units), 'float32')
    for t in range(x.shape[1]):
        xs = x[:, t].dot(kernel) + input_bias
        x_z, x_r, x_h = (xs[:, k * units:(k + 1) * units] for k in range(3))
        if reset_after:
            hs = h.dot(recurrent) + recurrent_bias
            z, r = np_hard_sigmoid(x_z + hs[:, :units]), np_hard_sigmoid(x_r + hs[:, units:2 * units])
            candidate = np.tanh(x_h + r * hs[:, 2 * units:])
        else:
            z = np_hard_sigmoid(x_z + h.dot(recurrent[:, :units]))
            r = np_hard_sigmoid(x_r + h.dot(recurrent[:, units:2 * units]))
            candidate = np.tanh(x_h + (r * h).dot(recurrent[:, 2 * units:]))
        h = z * h + (1 - z) * candidate
    return h


@pytest.mark.parametrize('implementation', [1, 2])
def test_default_lstm_matches_numpy_keras22_step(implementation):
    x = rand(2, 3, 4) * 3
    layer = layers.LSTM(3, implementation=implementation, bias_initializer='uniform')
    out = layer(x).numpy()
    np.testing.assert_allclose(out, np_lstm(x, *layer.get_weights()), atol=1e-5)


@pytest.mark.parametrize('reset_after', [False, True])
def test_default_gru_matches_numpy_keras22_step(reset_after):
    x = rand(2, 3, 4) * 3
    for implementation in (1, 2):
        layer = layers.GRU(3, reset_after=reset_after, implementation=implementation, bias_initializer='uniform')
        out = layer(x).numpy()
        np.testing.assert_allclose(out, np_gru(x, *layer.get_weights(), reset_after=reset_after), atol=1e-5)


# ----------------------------------------------------------------------------------------------------
# Masking, initial states, return_state.

MASKED = np.array([[[1., 2.], [0., 0.], [3., -1.], [0., 0.]],
                   [[0., 0.], [2., 1.], [-1., 1.], [1., 1.]]], 'float32')


@pytest.mark.parametrize('name,kwargs', [
    ('SimpleRNN', {}),
    ('GRU', dict(recurrent_activation=HS, reset_after=False)),
    ('GRU', dict(recurrent_activation=HS, reset_after=True, go_backwards=True)),
    ('LSTM', dict(recurrent_activation=HS, unroll=True)),
])
def test_masking_layer_matches_tf_keras(name, kwargs):
    kwargs = dict(kwargs, units=2, return_sequences=True)
    ours = Sequential([layers.Masking(0., input_shape=(4, 2)), getattr(layers, name)(**kwargs)])
    theirs = tf_keras.Sequential([tf_keras.layers.Masking(0., input_shape=(4, 2)), oracle(name)(**kwargs)])
    theirs.set_weights(ours.get_weights())
    out = ours.predict(MASKED)
    np.testing.assert_allclose(out, theirs.predict(MASKED, verbose=0), atol=1e-5)
    # A masked step repeats the previous output (zeros before the first unmasked step).
    if not kwargs.get('go_backwards'):
        np.testing.assert_allclose(out[0, 1], out[0, 0])
        np.testing.assert_allclose(out[1, 0], 0.)


def test_mask_argument_and_output_mask():
    mask = np.array([[1, 1, 0], [1, 0, 0]], bool)
    x = rand(2, 3, 2)
    ours, theirs = paired_call(layers.LSTM(2, recurrent_activation=HS, return_sequences=True),
                               tf_keras.layers.LSTM(2, recurrent_activation=HS, return_sequences=True),
                               x, mask=tf.constant(mask))
    assert_all_close(ours, theirs)
    inp = Input((3, 2))
    y = layers.GRU(2, return_sequences=True)(layers.Masking()(inp))
    assert y._keras_mask is not None
    z = layers.GRU(2)(layers.Masking()(inp))
    assert z._keras_mask is None


def test_symbolic_initial_state_and_return_state():
    x, h, c = Input((3, 4)), Input((2,)), Input((2,))
    layer = layers.LSTM(2, recurrent_activation=HS, return_state=True, return_sequences=True)
    outputs = layer(x, initial_state=[h, c])
    assert [tuple(o.shape.as_list()) for o in outputs] == [(None, 3, 2), (None, 2), (None, 2)]
    model = Model([x, h, c], outputs)
    tx, th, tc = tf_keras.Input((3, 4)), tf_keras.Input((2,)), tf_keras.Input((2,))
    t_outputs = tf_keras.layers.LSTM(2, recurrent_activation=HS, return_state=True,
                                     return_sequences=True)(tx, initial_state=[th, tc])
    reference = tf_keras.Model([tx, th, tc], t_outputs)
    reference.set_weights(model.get_weights())
    data = [rand(2, 3, 4), rand(2, 2), rand(2, 2)]
    ours = model.predict(data)
    assert_all_close(ours, reference.predict(data, verbose=0))
    np.testing.assert_allclose(ours[0][:, -1], ours[1])  # output, then h, then c
    rebuilt = Model.from_config(model.get_config())
    rebuilt.set_weights(model.get_weights())
    assert_all_close(rebuilt.predict(data), ours)


def test_numpy_initial_state_in_eager_and_functional_calls():
    x, h0 = rand(2, 3, 4), rand(2, 3)
    ours, theirs = paired_call(layers.GRU(3, recurrent_activation=HS, reset_after=False, return_state=True),
                               tf_keras.layers.GRU(3, recurrent_activation=HS, reset_after=False,
                                                   return_state=True), x, initial_state=[h0])
    assert_all_close(ours, theirs)
    inp = Input(batch_shape=(2, 3, 4))
    layer = layers.SimpleRNN(3)
    model = Model(inp, layer(inp, initial_state=[K.constant(h0)]))
    np.testing.assert_allclose(model.predict(x), layer(x, initial_state=h0).numpy(), atol=1e-5)


# ----------------------------------------------------------------------------------------------------
# Stateful.


@pytest.mark.parametrize('name,kwargs', [('LSTM', dict(recurrent_activation=HS)),
                                         ('GRU', dict(recurrent_activation=HS, reset_after=False))])
def test_stateful_matches_tf_keras(name, kwargs):
    kwargs = dict(kwargs, units=2, stateful=True, batch_input_shape=(2, 3, 4))
    ours = Sequential([getattr(layers, name)(**kwargs)])
    theirs = tf_keras.Sequential([oracle(name)(**kwargs)])
    theirs.set_weights(ours.get_weights())
    assert len(ours.get_weights()) == 3  # the states are not weights
    first, second = rand(2, 3, 4), rand(2, 3, 4)
    out1, out2 = ours.predict(first, batch_size=2), ours.predict(second, batch_size=2)
    np.testing.assert_allclose(out1, theirs.predict(first, batch_size=2, verbose=0), atol=1e-5)
    np.testing.assert_allclose(out2, theirs.predict(second, batch_size=2, verbose=0), atol=1e-5)
    assert not np.allclose(out1, ours.predict(first, batch_size=2))  # the states carried over
    ours.reset_states()
    np.testing.assert_allclose(ours.predict(first, batch_size=2), out1, atol=1e-6)
    layer = ours.layers[0]
    values = [rand(2, 2) for _ in layer.states]
    layer.reset_states(values)
    theirs.layers[0].reset_states(values)
    np.testing.assert_allclose(K.get_value(layer.states[0]), values[0])
    np.testing.assert_allclose(ours.predict(second, batch_size=2),
                               theirs.predict(second, batch_size=2, verbose=0), atol=1e-5)


def test_stateful_errors_and_training():
    with pytest.raises(ValueError, match='batch_input_shape'):
        Sequential([layers.LSTM(2, stateful=True, input_shape=(3, 4))])
    with pytest.raises(AttributeError, match='stateful'):
        layers.LSTM(2).reset_states()
    model = Sequential([layers.SimpleRNN(2, stateful=True, batch_input_shape=(2, 3, 4)), layers.Dense(1)])
    layer = model.layers[0]
    with pytest.raises(ValueError, match='expects 1 states, but it received 2'):
        layer.reset_states([np.zeros((2, 2)), np.zeros((2, 2))])
    with pytest.raises(ValueError, match=r'expected shape=\(2, 2\), found shape=\(3, 2\)'):
        layer.reset_states(np.zeros((3, 2)))
    model.compile('sgd', 'mse')
    model.fit(rand(4, 3, 4), rand(4, 1), batch_size=2, epochs=1, shuffle=False, verbose=0)
    assert np.abs(K.get_value(layer.states[0])).sum() > 0
    model.reset_states()
    np.testing.assert_array_equal(K.get_value(layer.states[0]), 0.)


# ----------------------------------------------------------------------------------------------------
# Dropout.


def test_dropout_only_in_training_and_fixed_across_time():
    x = np.ones((2, 4, 3), 'float32')
    layer = layers.SimpleRNN(3, activation=None, use_bias=False, dropout=0.5, return_sequences=True,
                             kernel_initializer='identity', recurrent_initializer='zeros')
    plain = layers.SimpleRNN(3, activation=None, use_bias=False, return_sequences=True)
    plain(x)
    np.testing.assert_allclose(layer(x).numpy(), plain(x).numpy() * 0 + x)  # inference: no dropout
    draws = [layer(x, training=True).numpy() for _ in range(4)]
    for out in draws:
        assert set(np.unique(out)) <= {0., 2.}
        for t in range(1, 4):  # the same mask at every time step
            np.testing.assert_array_equal(out[:, t], out[:, 0])
    assert any(not np.array_equal(draws[0], d) for d in draws[1:])


@pytest.mark.parametrize('unroll', [False, True])
def test_recurrent_dropout_runs_in_fit_and_inference_is_deterministic(unroll):
    model = Sequential([layers.LSTM(2, dropout=0.3, recurrent_dropout=0.3, unroll=unroll, input_shape=(3, 2)),
                        layers.Dense(1)])
    model.compile('sgd', 'mse')
    history = model.fit(rand(4, 3, 2), rand(4, 1), batch_size=2, epochs=1, verbose=0)
    assert np.isfinite(history.history['loss'][0])
    x = rand(2, 3, 2)
    np.testing.assert_allclose(model.predict(x), model.predict(x))
    layer = model.layers[0]
    reference = layers.LSTM(2, unroll=unroll)
    reference(x)
    reference.set_weights(layer.get_weights())
    np.testing.assert_allclose(layer(x).numpy(), reference(x).numpy(), atol=1e-6)
    trained = [layer(x, training=True).numpy() for _ in range(3)]
    assert any(not np.allclose(trained[0], t) for t in trained[1:])


# ----------------------------------------------------------------------------------------------------
# RNN(cell): built-in cells, stacked cells, user cells, constants.


@pytest.mark.parametrize('name,kwargs', [
    ('SimpleRNNCell', {}),
    ('GRUCell', dict(recurrent_activation=HS, reset_after=False)),
    ('GRUCell', dict(recurrent_activation=HS, reset_after=True)),
    ('LSTMCell', dict(recurrent_activation=HS, implementation=2)),
])
def test_rnn_with_cell_matches_tf_keras(name, kwargs):
    x = rand(2, 3, 4)
    ours = layers.RNN(getattr(layers, name)(2, **kwargs), return_sequences=True, return_state=True)
    theirs = tf_keras.layers.RNN(oracle(name)(2, **kwargs), return_sequences=True, return_state=True)
    assert_all_close(*paired_call(ours, theirs, x))
    rebuilt = layers.RNN.from_config(ours.get_config())
    rebuilt(x)
    rebuilt.set_weights(ours.get_weights())
    assert_all_close(rebuilt(x), ours(x))


def test_stacked_cells_match_tf_keras_with_keras22_state_order():
    x = rand(2, 3, 4)
    gru_kwargs = dict(recurrent_activation=HS, reset_after=False)
    ours = layers.RNN([layers.LSTMCell(3, recurrent_activation=HS), layers.GRUCell(2, **gru_kwargs)],
                      return_state=True)
    assert isinstance(ours.cell, layers.StackedRNNCells)
    assert ours.cell.state_size == (2, 3, 3)  # reversed: [h_gru, h_lstm, c_lstm]
    theirs = tf_keras.layers.RNN(tf_keras.layers.StackedRNNCells(
        [tf_keras.layers.LSTMCell(3, recurrent_activation=HS), tf_keras.layers.GRUCell(2, **gru_kwargs)]),
        return_state=True)
    (out, *states), (t_out, *t_states) = paired_call(ours, theirs, x)
    assert len(ours.weights) == 6
    np.testing.assert_allclose(out, t_out, atol=1e-5)
    t_states = tf.nest.flatten(t_states)  # tf_keras: [h_lstm, c_lstm, h_gru]
    assert_all_close(states, [t_states[2], t_states[0], t_states[1]])
    rebuilt = layers.RNN.from_config(ours.get_config())
    assert [type(c).__name__ for c in rebuilt.cell.cells] == ['LSTMCell', 'GRUCell']


class MinimalRNNCell(layers.Layer):
    """The user cell from the Keras 2.2 `RNN` documentation."""

    def __init__(self, units, **kwargs):
        self.units = units
        self.state_size = units
        super(MinimalRNNCell, self).__init__(**kwargs)

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), initializer='uniform', name='kernel')
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units), initializer='uniform',
                                                name='recurrent_kernel')
        self.built = True

    def call(self, inputs, states):
        prev_output = states[0]
        output = K.dot(inputs, self.kernel) + K.dot(prev_output, self.recurrent_kernel)
        return output, [output]

    def get_config(self):
        config = super(MinimalRNNCell, self).get_config()
        config['units'] = self.units
        return config


class ConstantsCell(layers.Layer):
    """A user cell with two states (`state_size` a list) that also takes `constants`."""

    def __init__(self, units, **kwargs):
        super(ConstantsCell, self).__init__(**kwargs)
        self.units = units
        self.state_size = [units, units]

    def build(self, input_shape):
        step_shape, constant_shape = input_shape
        self.kernel = self.add_weight(name='kernel', shape=(step_shape[-1], self.units), initializer='uniform')
        self.constant_kernel = self.add_weight(name='constant_kernel', shape=(constant_shape[-1], self.units),
                                               initializer='uniform')
        self.built = True

    def call(self, inputs, states, constants):
        output = K.tanh(K.dot(inputs, self.kernel) + K.dot(constants[0], self.constant_kernel) + states[0])
        return output, [output, states[1] + output]

    def get_config(self):
        config = super(ConstantsCell, self).get_config()
        config['units'] = self.units
        return config


def test_user_cell_in_models_and_config():
    x = rand(2, 3, 4)
    inp = Input((3, 4))
    layer = layers.RNN(MinimalRNNCell(2), return_sequences=True)
    model = Model(inp, layer(inp))
    kernel, recurrent = layer.get_weights()
    h, expected = np.zeros((2, 2), 'float32'), []
    for t in range(3):
        h = x[:, t].dot(kernel) + h.dot(recurrent)
        expected.append(h)
    np.testing.assert_allclose(model.predict(x), np.stack(expected, 1), atol=1e-5)
    rebuilt = Model.from_config(model.get_config(), custom_objects={'MinimalRNNCell': MinimalRNNCell})
    rebuilt.set_weights(model.get_weights())
    np.testing.assert_allclose(rebuilt.predict(x), model.predict(x), atol=1e-6)
    model.compile('sgd', 'mse')
    model.fit(x, rand(2, 3, 2), verbose=0)


def np_constants_cell(x, c, kernel, constant_kernel):
    h = total = np.zeros((x.shape[0], kernel.shape[1]), 'float32')
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t].dot(kernel) + c.dot(constant_kernel) + h)
        total = total + h
    return h, total


def test_constants_and_list_state_size():
    x, c = rand(2, 3, 4), rand(2, 5)
    layer = layers.RNN(ConstantsCell(2), return_state=True)
    out, h, total = [t.numpy() for t in layer(x, constants=[c])]
    ref_h, ref_total = np_constants_cell(x, c, *layer.get_weights())
    np.testing.assert_allclose(out, ref_h, atol=1e-5)
    np.testing.assert_allclose(total, ref_total, atol=1e-5)
    inp, const = Input((3, 4)), Input((5,))
    sym_layer = layers.RNN(ConstantsCell(2))
    model = Model([inp, const], sym_layer(inp, constants=const))
    assert sym_layer.get_config()['num_constants'] == 1
    model.set_weights(layer.get_weights())
    np.testing.assert_allclose(model.predict([x, c]), ref_h, atol=1e-5)
    rebuilt = Model.from_config(model.get_config(), custom_objects={'ConstantsCell': ConstantsCell})
    rebuilt.set_weights(model.get_weights())
    np.testing.assert_allclose(rebuilt.predict([x, c]), ref_h, atol=1e-5)


# ----------------------------------------------------------------------------------------------------
# Errors.


def test_argument_errors_name_the_layer():
    with pytest.raises(ValueError, match='LSTM.*`units` must be a positive integer'):
        layers.LSTM(-1)
    with pytest.raises(ValueError, match='my_gru.*`units`'):
        layers.GRU(0, name='my_gru')
    with pytest.raises(ValueError, match='`call` method'):
        layers.RNN(object())
    with pytest.raises(ValueError, match='state_size'):
        layers.RNN(layers.Dense(2))
    with pytest.raises(ValueError, match='lstm_.*expected ndim=3'):
        layers.LSTM(2)(Input((4,)))
    with pytest.raises(ValueError, match='Cannot unroll'):
        layers.SimpleRNN(2, unroll=True)(Input((None, 3)))


def test_initial_state_errors():
    x = Input((3, 4))
    with pytest.raises(ValueError, match='has 2 states but was passed 1 initial states'):
        layers.LSTM(2)(x, initial_state=[Input((2,))])
    with pytest.raises(ValueError, match=r'initial state 0 has shape \(None, 3\).*\(None, 2\)'):
        layers.GRU(2)(x, initial_state=[Input((3,))])
    with pytest.raises(ValueError, match='mix of Keras tensors'):
        layers.LSTM(2)(x, initial_state=[Input((2,)), np.zeros((2, 2))])
    with pytest.raises(ValueError, match='has 1 states but was passed 2'):
        layers.SimpleRNN(2)(rand(2, 3, 4), initial_state=[np.zeros((2, 2))] * 2)
    with pytest.raises(ValueError, match='does not support constants'):
        layers.SimpleRNN(2)(x, constants=[Input((3,))])


def test_gru_dropout_masks_follow_keras22_per_implementation(monkeypatch):
    """Deterministic 'dropout' (call k zeroes unit k % units): implementation 1 uses one mask per gate,
    implementation 2 the first mask for all gates, and (Keras 2.2 quirk) mixes with the dropped state."""
    calls = []

    def fake_dropout(x, level, noise_shape=None, seed=None):
        keep = np.ones(x.shape[-1], 'float32')
        keep[len(calls) % x.shape[-1]] = 0.
        calls.append(level)
        return x * keep / (1. - level)

    monkeypatch.setattr(K, 'dropout', fake_dropout)
    x, h = rand(2, 3), rand(2, 3)
    for implementation in (1, 2):
        calls[:] = []
        cell = layers.GRUCell(3, dropout=0.5, recurrent_dropout=0.5, implementation=implementation,
                              bias_initializer='uniform')
        cell.build((2, 3))
        out, _ = cell.call(tf.constant(x), [tf.constant(h)], training=True)
        kernel, recurrent, bias = cell.get_weights()
        masks = [np.where(np.arange(3) == k % 3, 0., 2.).astype('float32') for k in range(6)]
        dp, rdp = masks[:3], masks[3:]
        if implementation == 2:
            dp, rdp = [dp[0]] * 3, [rdp[0]] * 3
        u = 3
        x_z, x_r, x_h = [(x * dp[k]).dot(kernel[:, k * u:(k + 1) * u]) + bias[k * u:(k + 1) * u] for k in range(3)]
        z = np_hard_sigmoid(x_z + (h * rdp[0]).dot(recurrent[:, :u]))
        r = np_hard_sigmoid(x_r + (h * rdp[1]).dot(recurrent[:, u:2 * u]))
        candidate = np.tanh(x_h + (r * h * rdp[2]).dot(recurrent[:, 2 * u:]))
        mixed = h * rdp[0] if implementation == 2 else h
        np.testing.assert_allclose(out.numpy(), z * mixed + (1 - z) * candidate, atol=1e-5)
        cell.reset_dropout_masks()
