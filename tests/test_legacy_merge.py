"""Keras 1 Sequential branches (`Merge` of models), every legacy merge mode, the migrator's rewrite of branches,
and the Keras 1-era `Recurrent` / `ConvRecurrent2D` bases."""
import importlib
import os
import warnings

import numpy as np
import pytest

import kernelkit
from kernelkit import backend as K
from kernelkit.layers import Dense, Input, Merge, merge
from kernelkit.legacy import KerasMigrationWarning, table
from kernelkit.legacy.layers import ConvRecurrent2D, Recurrent
from kernelkit.legacy.migrate import migrate_source
from kernelkit.models import Model, Sequential, load_model

RNG = np.random.RandomState(0)
A = RNG.rand(16, 3).astype('float32')
B = RNG.rand(16, 2).astype('float32')
Y = RNG.rand(16, 1).astype('float32')


def _branches(width=4):
    left = Sequential([Dense(width, input_shape=(3,))])
    right = Sequential([Dense(width, input_shape=(2,))])
    return left, right


def _quiet(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', KerasMigrationWarning)
        return function(*args, **kwargs)


def _branch_model(mode='concat', form='add', **kwargs):
    left, right = _branches()
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', KerasMigrationWarning)
        if form == 'add':
            model = Sequential()
            model.add(Merge([left, right], mode=mode, **kwargs))
            model.add(Dense(1))
        else:
            model = Sequential([Merge([left, right], mode=mode, **kwargs), Dense(1)])
    return model, left, right


@pytest.mark.parametrize('form', ['add', 'list'])
def test_branches_train_like_the_functional_rewrite(form):
    model, left, right = _branch_model('concat', form)
    assert [x.shape.as_list() for x in model.inputs] == [[None, 3], [None, 2]]
    functional_left, functional_right = _branches()
    merged = kernelkit.layers.concatenate([functional_left.output, functional_right.output])
    functional = Model([functional_left.input, functional_right.input], Dense(1)(merged))
    functional.set_weights(model.get_weights())
    histories = []
    for m in (model, functional):
        m.compile('sgd', 'mse')
        histories.append(m.fit([A, B], Y, batch_size=4, epochs=3, shuffle=False, verbose=0).history['loss'])
    np.testing.assert_allclose(histories[0], histories[1], rtol=1e-6)
    for w1, w2 in zip(model.get_weights(), functional.get_weights()):
        np.testing.assert_allclose(w1, w2, rtol=1e-6, atol=1e-7)
    # the branches are the same layers: they trained too
    np.testing.assert_allclose(left.get_weights()[0], model.get_weights()[0])
    np.testing.assert_allclose(model.predict([A, B]), functional.predict([A, B]), rtol=1e-5, atol=1e-6)


def test_functional_and_called_layer_branches():
    x1, x2 = Input((3,)), Input((2,))
    branch = Model(x1, Dense(4)(x1))
    called = Dense(4)
    called(x2)
    model = _quiet(lambda: Sequential([Merge([branch, called], mode='sum'), Dense(2)]))
    expected = A.dot(branch.get_weights()[0]) + branch.get_weights()[1] + B.dot(called.get_weights()[0])
    expected = (expected + called.get_weights()[1]).dot(model.layers[-1].get_weights()[0])
    np.testing.assert_allclose(model.predict([A, B]), expected + model.layers[-1].get_weights()[1], rtol=1e-5)


def test_file_round_trip(tmp_path):
    model, _, _ = _branch_model('sum')
    model.compile('adam', 'mse')
    model.fit([A, B], Y, epochs=1, verbose=0)
    expected = model.predict([A, B])
    path = str(tmp_path / 'branches.h5')
    model.save(path)
    loaded = load_model(path)
    assert isinstance(loaded, Sequential)
    np.testing.assert_allclose(loaded.predict([A, B]), expected, rtol=1e-6)
    loaded.fit([A, B], Y, epochs=1, verbose=0)   # the optimizer state came back too
    weights = str(tmp_path / 'branches_weights.h5')
    model.save_weights(weights)
    rebuilt = Sequential.from_config(model.get_config())
    assert [l.__class__.__name__ for l in rebuilt.layers] == ['Dense', 'Dense', 'Add', 'Dense']
    assert not np.allclose(rebuilt.predict([A, B]), expected)
    rebuilt.load_weights(weights)
    np.testing.assert_allclose(rebuilt.predict([A, B]), expected, rtol=1e-6)
    rebuilt.add(Dense(3))
    assert rebuilt.output_shape == (None, 3)
    rebuilt.pop()
    np.testing.assert_allclose(rebuilt.predict([A, B]), expected, rtol=1e-6)
    from_json = kernelkit.models.model_from_json(model.to_json())
    assert isinstance(from_json, Sequential) and len(from_json.inputs) == 2


def test_summary_lists_the_branches():
    model, left, right = _branch_model('concat')
    lines = []
    model.summary(print_fn=lines.append)
    text = '\n'.join(lines)
    for layer in left.layers + right.layers + model.layers:
        assert layer.name in text
    assert 'Concatenate' in text and 'Total params: {:,}'.format(model.count_params()) in text


def _numpy_mode(mode, x, y):
    if mode == 'sum':
        return x + y
    if mode == 'mul':
        return x * y
    if mode == 'ave':
        return (x + y) / 2
    if mode == 'max':
        return np.maximum(x, y)
    if mode == 'concat':
        return np.concatenate([x, y], axis=-1)
    if mode == 'dot':
        return np.sum(x * y, axis=-1, keepdims=True)
    if mode == 'cos':
        return np.sum(x * y, axis=-1, keepdims=True) / (np.linalg.norm(x, axis=-1, keepdims=True) *
                                                        np.linalg.norm(y, axis=-1, keepdims=True))


@pytest.mark.parametrize('mode', ['sum', 'mul', 'ave', 'max', 'concat', 'dot', 'cos'])
def test_every_mode_against_numpy(mode):
    left, right = _branches()
    layer = _quiet(Merge, [left, right], mode=mode)
    model = _quiet(Sequential, [layer])
    x, y = left.predict(A), right.predict(B)
    np.testing.assert_allclose(model.predict([A, B]), _numpy_mode(mode, x, y), rtol=1e-5, atol=1e-6)
    # the function, on tensors
    a, b = Input((4,)), Input((4,))
    out = _quiet(merge, [a, b], mode=mode)
    np.testing.assert_allclose(Model([a, b], out).predict([x, y]), _numpy_mode(mode, x, y), rtol=1e-5, atol=1e-6)


def test_concat_axis_and_dot_axes():
    a, b = Input((2, 3)), Input((2, 3))
    x, y = RNG.rand(5, 2, 3).astype('float32'), RNG.rand(5, 2, 3).astype('float32')
    out = _quiet(merge, [a, b], mode='concat', concat_axis=1)
    np.testing.assert_allclose(Model([a, b], out).predict([x, y]), np.concatenate([x, y], axis=1))
    out = _quiet(merge, [a, b], mode='dot', dot_axes=1)
    np.testing.assert_allclose(Model([a, b], out).predict([x, y]), np.einsum('bij,bik->bjk', x, y), rtol=1e-5)
    out = _quiet(merge, [a, b], mode='dot', dot_axes=[2, 2])
    np.testing.assert_allclose(Model([a, b], out).predict([x, y]), np.einsum('bij,bkj->bik', x, y), rtol=1e-5)


def test_callable_mode_with_output_shape_function_tuple_and_config():
    left, right = _branches()
    x, y = left.predict(A), right.predict(B)
    difference = _quiet(lambda: Sequential([Merge([left, right], mode=lambda t: t[0] - t[1], output_shape=(4,))]))
    np.testing.assert_allclose(difference.predict([A, B]), x - y, rtol=1e-5, atol=1e-6)
    a, b = Input((4,)), Input((4,))
    out = _quiet(merge, [a, b], mode=lambda t, scale: K.concatenate([t[0], t[1] * scale]),
                 output_shape=lambda shapes: (shapes[0][0], shapes[0][1] + shapes[1][1]), arguments={'scale': 2.})
    assert K.int_shape(out) == (None, 8)
    np.testing.assert_allclose(Model([a, b], out).predict([x, y]), np.concatenate([x, 2 * y], -1), rtol=1e-5)
    # a Keras 2.0-2.1 `Merge` config: `mode_type` says how `mode` is stored
    def triple_minus(t):
        return t[0] * 3 - t[1]
    config = {'name': 'merge_function', 'mode': 'triple_minus', 'mode_type': 'function',
              'concat_axis': -1, 'dot_axes': -1, 'output_shape': [4], 'output_shape_type': 'raw',
              'output_mask': None, 'output_mask_type': 'raw', 'arguments': {}}
    layer = _quiet(Merge.from_config, config, custom_objects={'triple_minus': triple_minus})
    assert layer.__class__.__name__ == 'Lambda' and layer.name == 'merge_function'
    np.testing.assert_allclose(Model([a, b], layer([a, b])).predict([x, y]), 3 * x - y, rtol=1e-5)
    raw = _quiet(Merge.from_config, dict(config, mode='concat', mode_type='raw', concat_axis=1, name='joined'))
    assert raw.__class__.__name__ == 'Concatenate' and raw.axis == 1


def test_warning_shows_the_functional_rewrite():
    left, right = _branches()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        Merge([left, right], mode='concat', concat_axis=1)
    messages = [w.message for w in caught if isinstance(w.message, KerasMigrationWarning)]
    assert len(messages) == 1
    text, rewrite = str(messages[0]), 'concatenate([%s.output, %s.output], axis=1)' % (left.name, right.name)
    assert text.startswith(table.MERGE_LAYER)
    assert '`merged = %s`' % rewrite in text
    assert 'Model([%s.input, %s.input], x)' % (left.name, right.name) in text
    assert messages[0].new_call == rewrite and messages[0].filename == __file__


def test_errors():
    with pytest.raises(ValueError, match='has not been built or called yet'):
        _quiet(Merge, [Dense(2), Dense(2)], mode='concat')
    with pytest.raises(ValueError, match='at least 2'):
        _quiet(Merge, [_branches()[0]])
    with pytest.raises(ValueError, match='Invalid merge mode'):
        _quiet(Merge, list(_branches()), mode='prod')
    model = Sequential([Dense(2, input_shape=(3,))])
    with pytest.raises(ValueError, match='only be the first layer'):
        model.add(_quiet(Merge, list(_branches()), mode='sum'))


MIGRATE_SOURCE = '''
from kernelkit.models import Sequential
from kernelkit.layers import Dense, Merge

left = Sequential()
left.add(Dense(4, input_dim=3, init='uniform'))
right = Sequential([Dense(4, input_dim=2)])
model = Sequential()
model.add(Merge([left, right], mode='concat', concat_axis=-1))
hidden = 5
model.add(Dense(hidden, activation='relu'))
model.add(Dense(1))  # the output
model.compile('sgd', 'mse')

def listed():
    return Sequential([Merge([left, right], mode='cos', dot_axes=1), Dense(1)], name='cosine')
cosine = listed()
'''


def test_migrator_rewrites_branches_to_the_functional_api():
    new_code, notes = migrate_source(MIGRATE_SOURCE)
    assert 'Merge' not in new_code and 'add(' not in new_code.split('def listed')[0].split('right =')[1]
    assert 'model_output = concatenate([left.output, right.output])' in new_code
    assert 'model = Model([left.input, right.input], model_output)' in new_code
    assert "model_output = dot([left.output, right.output], axes=1, normalize=True)" in new_code
    assert "return Model([left.input, right.input], model_output, name='cosine')" in new_code
    assert 'from kernelkit.models import Model, Sequential' in new_code
    assert 'model_output = Dense(1)(model_output)  # the output' in new_code
    assert [n.level for n in notes].count('INFO') >= 3 and not [n for n in notes if n.level == 'ERROR']
    assert migrate_source(new_code)[0] == new_code   # idempotent
    old_namespace, new_namespace = {}, {}
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', KerasMigrationWarning)
        exec(compile(MIGRATE_SOURCE, '<keras1>', 'exec'), old_namespace)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        exec(compile(new_code, '<keras2>', 'exec'), new_namespace)
    assert [str(w.message) for w in caught if issubclass(w.category, KerasMigrationWarning)] == []
    for name in ('model', 'cosine'):
        old, new = old_namespace[name], new_namespace[name]
        assert isinstance(new, Model) and not isinstance(new, Sequential)
        assert [l.__class__.__name__ for l in old.layers] == [l.__class__.__name__ for l in new.layers
                                                             if l.__class__.__name__ != 'InputLayer']
        new.set_weights(old.get_weights())
        np.testing.assert_allclose(new.predict([A, B]), old.predict([A, B]), rtol=1e-5, atol=1e-6)


def test_migrator_leaves_unreadable_branches_reported():
    source = ('from kernelkit.models import Sequential\nfrom kernelkit.layers import Merge\n'
              'model = Sequential()\nmodel.add(Merge([left, right], mode=my_mode))\n')
    new_code, notes = migrate_source(source)
    assert 'Merge([left, right], mode=my_mode)' in new_code
    assert any(n.level == 'ERROR' and 'functional API' in n.message for n in notes)


class MinimalRNN(Recurrent):
    """The Keras 1 way: `build` makes the weights and `states`, `step` computes one time step."""

    def __init__(self, units, **kwargs):
        self.units = units
        super(MinimalRNN, self).__init__(**kwargs)

    def build(self, input_shape):
        input_shape = input_shape[0] if isinstance(input_shape, list) else input_shape
        self.states = [None]
        self.kernel = self.add_weight(name='kernel', shape=(input_shape[-1], self.units), initializer='uniform')
        self.recurrent_kernel = self.add_weight(name='recurrent_kernel', shape=(self.units, self.units),
                                                initializer='uniform')
        self.built = True

    def get_constants(self, inputs, training=None):
        return [K.constant(0.5)]

    def step(self, inputs, states):
        previous, scale = states
        output = K.tanh(K.dot(inputs, self.kernel) + scale * K.dot(previous, self.recurrent_kernel))
        return output, [output]


def _numpy_rnn(x, kernel, recurrent, backwards=False, state=None):
    state = np.zeros((x.shape[0], kernel.shape[1])) if state is None else state
    outputs = []
    steps = range(x.shape[1])[::-1] if backwards else range(x.shape[1])
    for t in steps:
        state = np.tanh(x[:, t].dot(kernel) + 0.5 * state.dot(recurrent))
        outputs.append(state)
    return np.stack(outputs, 1), state


def test_recurrent_subclass_runs_through_k_rnn():
    x = RNG.rand(4, 5, 3).astype('float32')
    inputs = Input((5, 3))
    layer = MinimalRNN(6, return_sequences=True, return_state=True, go_backwards=True)
    sequences, state = layer(inputs)
    assert K.int_shape(sequences) == (None, 5, 6) and K.int_shape(state) == (None, 6)
    got_sequences, got_state = Model(inputs, [sequences, state]).predict(x)
    kernel, recurrent = layer.get_weights()
    want_sequences, want_state = _numpy_rnn(x, kernel, recurrent, backwards=True)
    np.testing.assert_allclose(got_sequences, want_sequences, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got_state, want_state, rtol=1e-5, atol=1e-6)
    model = Sequential([MinimalRNN(6, input_shape=(5, 3)), Dense(1)])
    model.compile('sgd', 'mse')
    model.fit(x, np.ones((4, 1)), epochs=1, verbose=0)
    assert model.layers[0].get_config()['go_backwards'] is False
    initial = Input((6,))
    last = MinimalRNN(6)(inputs, initial_state=[initial])
    start = RNG.rand(4, 6).astype('float32')
    rnn = Model([inputs, initial], last)
    kernel, recurrent = rnn.layers[-1].get_weights()
    np.testing.assert_allclose(rnn.predict([x, start]), _numpy_rnn(x, kernel, recurrent, state=start)[1],
                               rtol=1e-5, atol=1e-6)
    with pytest.raises(NotImplementedError, match='must define `step'):
        Recurrent()(inputs)


def test_conv_recurrent_2d_base_and_module_paths():
    layer = ConvRecurrent2D(8, 3, padding='same', return_sequences=True)
    assert layer.compute_output_shape((None, 4, 10, 12, 3)) == (None, 4, 10, 12, 8)
    layer = ConvRecurrent2D(8, (3, 5), data_format='channels_first')
    assert layer.compute_output_shape((None, 4, 3, 10, 12)) == (None, 8, 8, 8)
    assert layer.get_config()['kernel_size'] == (3, 5)
    kernelkit.install_as_keras()
    for path, name, expected in [('keras.layers', 'Recurrent', Recurrent),
                                 ('keras.layers', 'ConvRecurrent2D', ConvRecurrent2D),
                                 ('keras.layers.recurrent', 'Recurrent', Recurrent),
                                 ('keras.layers.convolutional_recurrent', 'ConvRecurrent2D', ConvRecurrent2D),
                                 ('keras.legacy.layers', 'Recurrent', Recurrent),
                                 ('keras.legacy.layers', 'ConvRecurrent2D', ConvRecurrent2D),
                                 ('keras.legacy.layers', 'MaxoutDense', kernelkit.layers.MaxoutDense),
                                 ('keras.legacy.layers', 'AtrousConvolution2D', kernelkit.layers.AtrousConvolution2D),
                                 ('keras.legacy.layers', 'AtrousConvolution1D', kernelkit.layers.AtrousConvolution1D)]:
        assert getattr(importlib.import_module(path), name) is expected, (path, name)
    assert kernelkit.layers.Recurrent is Recurrent and kernelkit.layers.ConvRecurrent2D is ConvRecurrent2D
