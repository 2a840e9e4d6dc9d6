"""The recurrent layers' fast path: the input side of every step computed in one product before the loop.

`RNN` splits a built-in cell's step into its input side (`inputs . kernel + bias`, which depends on the
inputs alone) and its recurrent side, and computes the input side for the whole sequence at once. The
oracle is the plain path, one full `cell.call` per step, which a subclass overriding `call` gets: the
outputs, the final states and the gradients must agree, for every cell, implementation, dropout and mask.
"""
import numpy as np
import pytest
import tensorflow as tf

import kernelkit as keras
from kernelkit.layers import recurrent, recurrent_cells

RNG = np.random.RandomState(3)
X = RNG.randn(6, 7, 5).astype('float32')
MASKED_X = X.copy()
MASKED_X[0, 4:] = 0.
MASKED_X[3, :2] = 0.


def _plain(cell_class):
    """A subclass with its own `call`: `RNN` runs it one full step at a time."""
    class Plain(cell_class):
        def call(self, inputs, states, training=None):
            return super(Plain, self).call(inputs, states, training=training)
    Plain.__name__ = 'Plain' + cell_class.__name__
    return Plain


@pytest.fixture
def fixed_dropout_masks(monkeypatch):
    """Dropout masks that depend only on the order in which the layer asks for them (`restart()` goes
    back to the first), so that two models asking in the same order get the same masks."""
    drawn = [0]

    def masks(ones, rate, training=None, count=1):
        result = []
        for _ in range(count):
            drawn[0] += 1
            keep = tf.random.stateless_uniform(tf.shape(ones), seed=[drawn[0], 7]) > rate
            result.append(tf.cast(keep, ones.dtype) / (1. - rate))
        return result if count > 1 else result[0]
    monkeypatch.setattr(recurrent_cells, '_generate_dropout_mask', masks)

    def restart():
        drawn[0] = 0
    return restart


CASES = [
    ('LSTMCell', {}),
    ('LSTMCell', {'implementation': 2}),
    ('LSTMCell', {'dropout': 0.3, 'recurrent_dropout': 0.2}),
    ('LSTMCell', {'dropout': 0.3, 'recurrent_dropout': 0.2, 'implementation': 2}),
    ('LSTMCell', {'use_bias': False, 'unit_forget_bias': False}),
    ('GRUCell', {}),
    ('GRUCell', {'reset_after': True, 'recurrent_activation': 'sigmoid'}),
    ('GRUCell', {'dropout': 0.3, 'recurrent_dropout': 0.2}),
    ('GRUCell', {'dropout': 0.3, 'recurrent_dropout': 0.2, 'implementation': 2, 'reset_after': True}),
    ('SimpleRNNCell', {}),
    ('SimpleRNNCell', {'dropout': 0.3, 'recurrent_dropout': 0.2}),
]


def _run(cell, x, training, masking, go_backwards):
    layer_input = keras.layers.Input((7, 5))
    hidden = keras.layers.Masking()(layer_input) if masking else layer_input
    outputs = keras.layers.RNN(cell, return_sequences=True, return_state=True, go_backwards=go_backwards)(hidden)
    model = keras.models.Model(layer_input, outputs)
    return model


@pytest.mark.parametrize('masking,go_backwards', [(False, False), (True, True)])
@pytest.mark.parametrize('name,kwargs', CASES)
def test_the_fast_path_computes_what_the_plain_path_computes(name, kwargs, masking, go_backwards,
                                                             fixed_dropout_masks):
    fast_class = getattr(keras.layers, name)
    fast, plain = fast_class(4, **kwargs), _plain(fast_class)(4, **kwargs)
    assert recurrent._projects_inputs(fast) and not recurrent._projects_inputs(plain)
    x = MASKED_X if masking else X
    fast_model = _run(fast, x, True, masking, go_backwards)
    plain_model = _run(plain, x, True, masking, go_backwards)
    plain_model.set_weights(fast_model.get_weights())
    training = bool(kwargs.get('dropout'))
    results = []
    for model in (fast_model, plain_model):
        fixed_dropout_masks()
        with tf.GradientTape() as tape:
            outputs = model(tf.constant(x), training=training)
            loss = tf.add_n([tf.reduce_sum(tf.square(o)) for o in outputs])
        gradients = tape.gradient(loss, model.trainable_weights)
        results.append([o.numpy() for o in outputs] + [g.numpy() for g in gradients])
    assert len(results[0]) == len(results[1])
    for ours, oracle in zip(*results):
        np.testing.assert_allclose(ours, oracle, rtol=1e-5, atol=1e-6)


def test_the_layers_train_to_the_same_weights_on_both_paths():
    """LSTM layers trained by `fit` (dropout on): the same weights after two epochs on both paths."""
    x, y = X, (X.sum(axis=(1, 2)) > 0).astype('float32')
    weights = []
    for cell_class in (keras.layers.LSTMCell, _plain(keras.layers.LSTMCell)):
        tf.random.set_seed(1)
        np.random.seed(1)
        model = keras.models.Sequential([keras.layers.RNN(cell_class(4), input_shape=(7, 5)),
                                         keras.layers.Dense(1, activation='sigmoid', kernel_initializer='ones')])
        model.layers[0].set_weights([np.full(w.shape, 0.1, 'float32') * (i + 1)
                                     for i, w in enumerate(model.layers[0].get_weights())])
        model.compile('adam', 'binary_crossentropy')
        model.fit(x, y, batch_size=3, epochs=2, shuffle=False, verbose=0)
        weights.append(model.get_weights())
    for ours, oracle in zip(*weights):
        np.testing.assert_allclose(ours, oracle, rtol=1e-5, atol=1e-6)


def test_custom_cells_and_constants_keep_the_plain_path():
    class Custom(keras.layers.LSTMCell):
        def call(self, inputs, states, training=None):
            return super(Custom, self).call(inputs, states, training=training)

    class Derived(keras.layers.LSTMCell):  # keeps `call`: the fast path applies
        pass

    assert not recurrent._projects_inputs(Custom(2))
    assert recurrent._projects_inputs(Derived(2))
    assert not recurrent._projects_inputs(keras.layers.StackedRNNCells([keras.layers.LSTMCell(2)]))
