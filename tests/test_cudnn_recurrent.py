"""Tests for `kernelkit.layers.CuDNNLSTM` / `CuDNNGRU` (Keras 2.2.4's `keras.layers.cudnn_recurrent`).

They run on the CPU too. The oracle is tf_keras: random weights in the cuDNN layout are converted with
tf_keras' own `_convert_rnn_weights` into a tf_keras `LSTM(recurrent_activation='sigmoid')` /
`GRU(recurrent_activation='sigmoid', reset_after=True)`, which must compute the same function.
"""
import warnings

import numpy as np
import pytest

import kernelkit as keras

tf_keras = pytest.importorskip('tf_keras')
from tf_keras.src.saving.legacy import hdf5_format  # noqa: E402

TIMESTEPS, FEATURES, UNITS = 5, 4, 6

CASES = {
    'lstm': (keras.layers.CuDNNLSTM, lambda **kw: tf_keras.layers.LSTM(recurrent_activation='sigmoid', **kw), 4),
    'gru': (keras.layers.CuDNNGRU,
            lambda **kw: tf_keras.layers.GRU(recurrent_activation='sigmoid', reset_after=True, **kw), 3),
}


@pytest.fixture
def data():
    return np.random.RandomState(0).normal(size=(3, TIMESTEPS, FEATURES)).astype('float32')


def _random_weights(layer, seed=1):
    rng = np.random.RandomState(seed)
    weights = [rng.normal(0, 0.4, w.shape).astype('float32') for w in layer.get_weights()]
    layer.set_weights(weights)
    return weights


def _oracle(kind, weights, **kwargs):
    """A tf_keras Sequential holding the tf_keras twin of the cuDNN layer, weights converted."""
    model = tf_keras.models.Sequential([CASES[kind][1](units=UNITS, input_shape=(TIMESTEPS, FEATURES),
                                                      **kwargs)])
    model.set_weights(hdf5_format._convert_rnn_weights(model.layers[0], weights))
    return model


@pytest.mark.parametrize('kind', sorted(CASES))
@pytest.mark.parametrize('options', [dict(return_sequences=True), dict(return_sequences=False),
                                     dict(return_sequences=True, go_backwards=True)],
                         ids=['sequences', 'last', 'backwards'])
def test_predictions_equal_the_tf_keras_twin(kind, options, data):
    ours = keras.models.Sequential([CASES[kind][0](UNITS, input_shape=(TIMESTEPS, FEATURES), **options)])
    weights = _random_weights(ours.layers[0])
    expected = _oracle(kind, weights, **options).predict(data, verbose=0)
    got = ours.predict(data)
    assert got.shape == expected.shape
    assert np.abs(got - expected).max() < 1e-5
    # the output really depends on the weights (a zero output would match a zero oracle)
    assert np.abs(got).max() > 1e-2


@pytest.mark.parametrize('kind', sorted(CASES))
def test_weight_shapes_are_keras_224s(kind):
    layer_class, _, gates = CASES[kind]
    model = keras.models.Sequential([layer_class(UNITS, input_shape=(TIMESTEPS, FEATURES))])
    shapes = [w.shape for w in model.get_weights()]
    assert shapes == [(FEATURES, gates * UNITS), (UNITS, gates * UNITS), (2 * gates * UNITS,)]
    names = [w.name.split('/')[-1].split(':')[0] for w in model.layers[0].weights]
    assert names == ['kernel', 'recurrent_kernel', 'bias']


def test_lstm_unit_forget_bias_sets_the_recurrent_forget_block_to_one():
    model = keras.models.Sequential([keras.layers.CuDNNLSTM(UNITS, input_shape=(TIMESTEPS, FEATURES))])
    bias = model.get_weights()[2]
    expected = np.zeros(8 * UNITS, dtype='float32')
    expected[5 * UNITS:6 * UNITS] = 1.
    np.testing.assert_array_equal(bias, expected)
    plain = keras.models.Sequential([keras.layers.CuDNNLSTM(UNITS, unit_forget_bias=False,
                                                            input_shape=(TIMESTEPS, FEATURES))])
    np.testing.assert_array_equal(plain.get_weights()[2], np.zeros(8 * UNITS))


@pytest.mark.parametrize('kind', sorted(CASES))
def test_return_state_equals_the_tf_keras_twin(kind, data):
    layer_class, twin, gates = CASES[kind]
    inputs = keras.layers.Input((TIMESTEPS, FEATURES))
    outputs = layer_class(UNITS, return_state=True)(inputs)
    n_states = 2 if kind == 'lstm' else 1
    assert isinstance(outputs, list) and len(outputs) == 1 + n_states
    ours = keras.models.Model(inputs, outputs)
    weights = _random_weights(ours.layers[1])
    tf_inputs = tf_keras.layers.Input((TIMESTEPS, FEATURES))
    tf_layer = twin(units=UNITS, return_state=True)
    oracle = tf_keras.models.Model(tf_inputs, tf_layer(tf_inputs))
    tf_layer.set_weights(hdf5_format._convert_rnn_weights(tf_layer, weights))
    got, expected = ours.predict(data), oracle.predict(data, verbose=0)
    assert len(got) == len(expected) == 1 + n_states
    for a, b in zip(got, expected):
        assert a.shape == b.shape == (3, UNITS)
        assert np.abs(a - b).max() < 1e-5
    # without return_sequences, the output is the last hidden state
    np.testing.assert_allclose(got[0], got[1], atol=1e-6)


@pytest.mark.parametrize('kind', sorted(CASES))
def test_get_config_round_trip(kind):
    layer_class = CASES[kind][0]
    layer = layer_class(UNITS, return_sequences=True, go_backwards=True, kernel_regularizer='l2',
                        bias_initializer='ones', name='rnn_%s' % kind)
    config = layer.get_config()
    assert config['units'] == UNITS and config['return_sequences'] is True
    assert config['go_backwards'] is True and config['stateful'] is False
    assert config['bias_initializer'] == {'class_name': 'Ones', 'config': {}}
    assert config['kernel_regularizer']['class_name'] == 'L1L2'
    # cuDNN fixes these: they are not part of the config
    for absent in ('activation', 'recurrent_activation', 'dropout', 'recurrent_dropout', 'unroll',
                   'implementation', 'use_bias', 'reset_after'):
        assert absent not in config
    assert ('unit_forget_bias' in config) == (kind == 'lstm')
    clone = layer_class.from_config(config)
    assert type(clone) is layer_class
    assert clone.get_config() == config
    restored = keras.layers.deserialize({'class_name': layer_class.__name__, 'config': config})
    assert type(restored) is layer_class and restored.get_config() == config


@pytest.mark.parametrize('kind', sorted(CASES))
@pytest.mark.parametrize('argument', ['dropout', 'recurrent_activation', 'unroll'])
def test_arguments_fixed_by_cudnn_are_refused(kind, argument):
    value = {'dropout': 0.5, 'recurrent_activation': 'hard_sigmoid', 'unroll': True}[argument]
    with pytest.raises(TypeError, match=argument):
        CASES[kind][0](UNITS, **{argument: value})


@pytest.mark.parametrize('kind', sorted(CASES))
def test_save_and_load_model_in_h5(kind, data, tmp_path):
    layer_class = CASES[kind][0]
    model = keras.models.Sequential([layer_class(UNITS, return_sequences=True, input_shape=(TIMESTEPS, FEATURES)),
                                     keras.layers.Dense(2)])
    _random_weights(model.layers[0])
    model.compile('adam', 'mse')
    model.fit(data, np.ones((3, TIMESTEPS, 2), 'float32'), epochs=1, verbose=0)
    path = str(tmp_path / ('%s.h5' % kind))
    model.save(path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        loaded = keras.models.load_model(path)
    # a clean file loads without a kernelkit warning (weights converted, config not understood, ...)
    assert not [w for w in caught if issubclass(w.category, UserWarning)], [str(w.message) for w in caught]
    assert type(loaded.layers[0]) is layer_class
    assert loaded.layers[0].get_config() == model.layers[0].get_config()
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(loaded.predict(data), model.predict(data), atol=1e-6)
    # the compiled optimizer came back too
    assert loaded.optimizer.__class__ is model.optimizer.__class__


@pytest.mark.parametrize('kind', sorted(CASES))
def test_stateful_keeps_the_state_between_batches(kind, data):
    layer_class = CASES[kind][0]
    model = keras.models.Sequential([layer_class(UNITS, stateful=True, batch_input_shape=(3, TIMESTEPS, FEATURES))])
    weights = _random_weights(model.layers[0])
    first, second = model.predict(data, batch_size=3), model.predict(data, batch_size=3)
    assert np.abs(first - second).max() > 1e-4  # the second call starts from the first's state
    model.reset_states()
    np.testing.assert_allclose(model.predict(data, batch_size=3), first, atol=1e-6)
    # the oracle: the whole sequence twice in a row is the same as one stateful pass after the other
    doubled = np.concatenate([data, data], axis=1)
    twin = tf_keras.models.Sequential([CASES[kind][1](units=UNITS, input_shape=(2 * TIMESTEPS, FEATURES))])
    twin.set_weights(hdf5_format._convert_rnn_weights(twin.layers[0], weights))
    assert np.abs(twin.predict(doubled, verbose=0) - second).max() < 1e-5
