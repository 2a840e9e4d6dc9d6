"""The functional API: Input/InputLayer, KerasTensors, multi-input/output models, shared layers, nested
models, `model.layers` order (against tf_keras), `get_layer`, graph errors, masks, and config round trips."""
import json

import numpy as np
import pytest
import tensorflow as tf
import tf_keras

from kernelkit import backend as K
from kernelkit import layers as KL
from kernelkit.layers import Dense, Input, InputLayer, Lambda, Layer, Masking
from kernelkit.models import Model, Sequential


def _data(shape, seed=0):
    return np.random.RandomState(seed).standard_normal(shape).astype('float32')


def concat(tensors):
    return tf.concat(tensors, axis=-1)


def difference(tensors):
    return tensors[0] - tensors[1]




def _round_trip(model, inputs):
    custom = {'concat': concat, 'difference': difference, 'MaskedMean': MaskedMean}
    """Rebuilds `model` from its (JSON) config, copies the weights and checks the predictions agree."""
    config = json.loads(json.dumps(model.get_config()))
    rebuilt = Model.from_config(config, custom_objects=custom)
    assert [l.name for l in rebuilt.layers] == [l.name for l in model.layers]
    assert [type(l) for l in rebuilt.layers] == [type(l) for l in model.layers]
    rebuilt.set_weights(model.get_weights())
    ours, theirs = model.predict(inputs), rebuilt.predict(inputs)
    for a, b in zip(ours if isinstance(ours, list) else [ours], theirs if isinstance(theirs, list) else [theirs]):
        np.testing.assert_array_equal(a, b)
    return rebuilt


# ---------------------------------------------------------------------------------------------- Input

def test_input_and_keras_tensor():
    x = Input(shape=(3, 4), name='pixels')
    assert isinstance(x, KL.Layer) is False and K.is_keras_tensor(x)
    assert x.shape.as_list() == [None, 3, 4] and x._keras_shape == (None, 3, 4) and K.int_shape(x) == (None, 3, 4)
    assert x.dtype == tf.float32 and K.ndim(x) == 3
    layer = x._keras_history[0]
    assert isinstance(layer, InputLayer) and layer.name == 'pixels' and layer.batch_input_shape == (None, 3, 4)
    assert layer.get_config() == {'batch_input_shape': (None, 3, 4), 'dtype': 'float32', 'sparse': False,
                                  'name': 'pixels'}
    assert Input(batch_shape=(8, 2), dtype='int32')._keras_shape == (8, 2)
    assert Input(batch_shape=(8, 2), dtype='int32').dtype == tf.int32
    with pytest.raises(ValueError, match='either a `shape` or a `batch_shape`'):
        Input()
    # Keras 2's symbolic semantics: operators record new symbolic tensors.
    doubled = x * 2 + 1
    assert K.int_shape(doubled) == (None, 3, 4) and not K.is_keras_tensor(doubled)
    with pytest.raises(TypeError, match='[Ss]ymbolic'):
        np.asarray(x)


def test_input_layer_directly():
    layer = InputLayer(input_shape=(5,), name='feed')
    tensor = layer._inbound_nodes[0].output_tensors[0]
    model = Model(tensor, Dense(2)(tensor))
    assert model.input_names == ['feed'] and model.layers[0] is layer
    with pytest.raises(ValueError, match='needs an `input_shape` or a `batch_input_shape`'):
        InputLayer()
    with pytest.raises(ValueError, match='not both'):
        InputLayer(input_shape=(2,), batch_input_shape=(None, 2))


# ---------------------------------------------------------------------------------------------- models

def test_multi_input_multi_output():
    a, b = Input((3,), name='a'), Input((2,), name='b')
    merged = Lambda(concat)([Dense(4)(a), b])
    out1, out2 = Dense(1, name='out1')(merged), Dense(3, name='out2')(merged)
    model = Model(inputs=[a, b], outputs=[out1, out2])
    assert model.inputs == [a, b] and model.outputs == [out1, out2]
    assert model.input_names == ['a', 'b'] and model.output_names == ['out1', 'out2']
    assert model.input_shape == [(None, 3), (None, 2)] and model.output_shape == [(None, 1), (None, 3)]
    xa, xb = _data((5, 3)), _data((5, 2), seed=1)
    p1, p2 = model.predict([xa, xb])
    w = model.get_weights()  # dense_1 kernel, bias, out1 kernel, bias, out2 kernel, bias
    hidden = np.concatenate([xa @ w[0] + w[1], xb], -1)
    np.testing.assert_allclose(p1, hidden @ w[2] + w[3], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(p2, hidden @ w[4] + w[5], rtol=1e-5, atol=1e-5)
    _round_trip(model, [xa, xb])


def test_shared_layer_on_two_inputs():
    a, b = Input((3,)), Input((3,))
    shared = Dense(2)
    model = Model([a, b], Lambda(difference)([shared(a), shared(b)]))
    assert len(model.weights) == 2 and len(shared._inbound_nodes) == 2
    xa, xb = _data((4, 3)), _data((4, 3), seed=1)
    np.testing.assert_allclose(model.predict([xa, xb]), (xa - xb) @ shared.get_weights()[0], rtol=1e-4, atol=1e-5)
    config = model.get_config()
    shared_config = [l for l in config['layers'] if l['name'] == shared.name][0]
    assert shared_config['inbound_nodes'] == [[['input_1', 0, 0, {}]], [['input_2', 0, 0, {}]]]
    lambda_config = [l for l in config['layers'] if l['class_name'] == 'Lambda'][0]
    assert lambda_config['inbound_nodes'] == [[[shared.name, 0, 0, {}], [shared.name, 1, 0, {}]]]
    rebuilt = _round_trip(model, [xa, xb])
    assert len(rebuilt.get_layer(shared.name)._inbound_nodes) == 2


def _tower(name):
    x = Input((3,))
    return Model(x, Dense(2, activation='tanh')(x), name=name)


def test_nested_models_twice():
    inner = _tower('inner')
    mid_in = Input((3,))
    mid = Model(mid_in, Dense(1)(inner(mid_in)), name='mid')
    x = Input((3,))
    outer = Model(x, mid(x))
    assert [l.name for l in outer.layers] == ['input_3', 'mid']
    assert [w.name for w in outer.weights] == ['dense_1/kernel:0', 'dense_1/bias:0', 'dense_2/kernel:0',
                                               'dense_2/bias:0']
    data = _data((4, 3))
    w = outer.get_weights()
    np.testing.assert_allclose(outer.predict(data), np.tanh(data @ w[0] + w[1]) @ w[2] + w[3], rtol=1e-5,
                               atol=1e-5)
    rebuilt = _round_trip(outer, data)
    assert isinstance(rebuilt.get_layer('mid').get_layer('inner'), Model)


def test_nested_shared_model_config_and_training():
    tower = _tower('tower')
    a, b = Input((3,)), Input((3,))
    out = Dense(1)(Lambda(difference)([tower(a), tower(b)]))
    model = Model([a, b], out)
    config = model.get_config()
    tower_config = [l for l in config['layers'] if l['name'] == 'tower'][0]
    # A model's own first node is its creation: the calls are nodes 1 and 2, as in Keras 2.
    assert tower_config['inbound_nodes'] == [[['input_2', 0, 0, {}]], [['input_3', 0, 0, {}]]]
    lambda_config = [l for l in config['layers'] if l['class_name'] == 'Lambda'][0]
    assert lambda_config['inbound_nodes'] == [[['tower', 1, 0, {}], ['tower', 2, 0, {}]]]
    xa, xb = _data((6, 3)), _data((6, 3), seed=1)
    _round_trip(model, [xa, xb])
    model.compile('sgd', 'mse')
    before = tower.get_weights()[0]
    model.fit([xa, xb], _data((6, 1), seed=2), verbose=0)
    assert np.abs(tower.get_weights()[0] - before).max() > 1e-6


def test_calling_a_model_on_new_tensors():
    tower = _tower('tower')
    x = Input((3,))
    y = tower(x)
    assert y._keras_shape == (None, 2) and y._keras_history[:2] == (tower, 1)
    data = _data((2, 3))
    np.testing.assert_allclose(Model(x, y).predict(data), tower.predict(data), rtol=1e-6)
    np.testing.assert_allclose(tower(tf.constant(data)).numpy(), tower.predict(data), rtol=1e-6)
    np.testing.assert_allclose(tower(data).numpy(), tower.predict(data), rtol=1e-6)
    # A multi-output model called on new tensors gives one tensor per output.
    a = Input((3,))
    two = Model(a, [Dense(1)(a), Dense(2)(a)])
    outs = two(Input((3,)))
    assert [o._keras_shape for o in outs] == [(None, 1), (None, 2)]


# ---------------------------------------------------------------------------------------------- layer order

def _graphs(L, M):
    """The same graphs, built with a module of layers `L` and a model class `M`."""
    graphs = {}
    x = L.Input((4,))
    branches = [L.Dense(2)(x), L.Dense(3)(x), L.Dense(2)(L.Dense(2)(x))]
    graphs['branches'] = M(x, L.Lambda(concat)(branches))
    i1, i2 = L.Input((3,)), L.Input((3,))
    graphs['uneven_inputs'] = M([i1, i2], L.Lambda(concat)([i2, L.Dense(2)(L.Dense(3)(i1))]))
    x = L.Input((3,))
    shared = L.Dense(3)
    graphs['shared_at_two_depths'] = M(x, L.Activation('relu')(shared(L.Dense(3)(shared(x)))))
    x = L.Input((3,))
    trunk = L.Dense(3)(x)
    graphs['two_heads'] = M(x, [L.Dense(1)(trunk), L.Dense(2)(L.Dense(2)(trunk))])
    inner_in = L.Input((3,))
    inner = M(inner_in, L.Dense(2)(inner_in))
    x1, x2 = L.Input((3,)), L.Input((3,))
    graphs['nested_shared'] = M([x1, x2], L.Dense(1)(L.Lambda(difference)([inner(x1), inner(x2)])))
    i1, i2 = L.Input((3,)), L.Input((3,))
    graphs['inputs_listed_backwards'] = M([i2, i1], L.Lambda(concat)([L.Dense(2)(i1), i2]))
    return graphs


def test_layer_order_matches_tf_keras():
    ours, theirs = _graphs(KL, Model), _graphs(tf_keras.layers, tf_keras.Model)
    for key in ours:
        described = [(type(l).__name__, l.count_params()) for l in ours[key].layers]
        expected = [('Model' if type(l).__name__ == 'Functional' else type(l).__name__, l.count_params())
                    for l in theirs[key].layers]
        assert described == expected, key


# ---------------------------------------------------------------------------------------------- get_layer, errors

def test_get_layer():
    x = Input((3,), name='x')
    model = Model(x, Dense(1, name='head')(Dense(2, name='body')(x)))
    assert model.get_layer('body') is model.layers[1]
    assert model.get_layer(index=2).name == 'head'
    assert model.get_layer(name='body', index=0).name == 'x'  # the index wins, as in Keras 2
    with pytest.raises(ValueError, match='No such layer: nope'):
        model.get_layer('nope')
    with pytest.raises(ValueError, match='retrieve layer at index 3 but model only has 3 layers'):
        model.get_layer(index=3)
    with pytest.raises(ValueError, match='Provide either a layer name or layer index'):
        model.get_layer()


def test_graph_disconnected():
    x, other = Input((3,)), Input((3,), name='other')
    hidden = Dense(2, name='hidden')(x)
    joined = Lambda(concat, name='joined')([hidden, Dense(2)(other)])
    with pytest.raises(ValueError, match=r"Graph disconnected: cannot obtain value for tensor .*other.* at "
                                         r"layer \"other\". The following previous layers were accessed "
                                         r"without issue: \[\]"):
        Model(x, joined)
    with pytest.raises(ValueError, match=r"Graph disconnected: .* at layer \"other\". The following previous "
                                         r"layers were accessed without issue: \['input_1', 'hidden', 'dense_2'\]"):
        Model(x, Lambda(concat)([Dense(1)(hidden), other]))
    with pytest.raises(TypeError, match='must come from `kernelkit.layers.Input`'):
        Model(tf.constant([1.]), hidden)
    with pytest.raises(ValueError, match='must come from `Input`'):
        Model(hidden, Dense(1)(hidden))


def test_duplicate_layer_names():
    x = Input((3,))
    y = Dense(2, name='same')(Dense(2, name='same')(x))
    with pytest.raises(ValueError, match='The name "same" is used 2 times in the model. All layer names should '
                                         'be unique.'):
        Model(x, y)


# ---------------------------------------------------------------------------------------------- masks

class MaskedMean(Layer):
    """Averages over time the steps its mask keeps."""

    def __init__(self, **kwargs):
        super(MaskedMean, self).__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        weights = tf.ones_like(inputs[..., 0]) if mask is None else tf.cast(mask, inputs.dtype)
        return tf.reduce_sum(inputs * weights[..., None], 1) / tf.reduce_sum(weights, 1, keepdims=True)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[2])

    def compute_mask(self, inputs, mask=None):
        return None


def _padded():
    data = _data((3, 4, 2))
    data[0, 3:] = 0.
    data[1, 1:] = 0.
    return data


def _masked_mean(data):
    keep = np.any(data != 0, axis=-1).astype('float32')
    return (data * keep[..., None]).sum(1) / keep.sum(1, keepdims=True)


def test_mask_flows_through_layers():
    x = Input((4, 2))
    hidden = Dense(2, kernel_initializer='identity', bias_initializer='ones')(Masking()(x))
    assert hidden._keras_mask._keras_shape == (None, 4)
    model = Model(x, MaskedMean()(hidden))
    data = _padded()
    expected = _masked_mean(data) + 1.  # the bias is added to every step, the padded ones are skipped
    np.testing.assert_allclose(model.predict(data), expected, rtol=1e-5)
    _round_trip(model, data)


def test_mask_flows_out_of_a_nested_model():
    inner_in = Input((4, 2))
    inner = Model(inner_in, Masking()(inner_in))
    x = Input((4, 2))
    masked = inner(x)
    assert masked._keras_mask is not None
    model = Model(x, MaskedMean()(masked))
    np.testing.assert_allclose(model.predict(_padded()), _masked_mean(_padded()), rtol=1e-5)


# ---------------------------------------------------------------------------------------------- Sequential mixes

def test_sequential_and_functional_nest_both_ways():
    stack = Sequential([Dense(3, input_shape=(2,), activation='relu'), Dense(2)])
    x = Input((2,))
    model = Model(x, Dense(1)(stack(x)))
    data = _data((3, 2))
    w = model.get_weights()
    np.testing.assert_allclose(model.predict(data), (np.maximum(data @ w[0] + w[1], 0) @ w[2] + w[3]) @ w[4]
                               + w[5], rtol=1e-5, atol=1e-5)
    rebuilt = _round_trip(model, data)
    assert isinstance(rebuilt.layers[1], Sequential)
    outer = Sequential([model, Dense(2)])
    assert outer.output_shape == (None, 2) and len(outer.weights) == 8
    np.testing.assert_allclose(outer.predict(data), model.predict(data) @ outer.get_weights()[6]
                               + outer.get_weights()[7], rtol=1e-5, atol=1e-5)


def test_shared_model_with_flatten_keeps_static_shapes_on_new_inputs():
    """The Keras guide's shared vision model: calling a model that flattens on new inputs keeps the
    static feature size, so a Dense layer can follow."""
    import kernelkit as keras
    from kernelkit.layers import Conv2D, Dense, Flatten, Input, MaxPooling2D, TimeDistributed
    from kernelkit.models import Model
    digit = Input(shape=(9, 9, 1))
    vision = Model(digit, Flatten()(MaxPooling2D((2, 2))(Conv2D(4, (3, 3))(digit))))
    a, b = Input(shape=(9, 9, 1)), Input(shape=(9, 9, 1))
    merged = keras.layers.concatenate([vision(a), vision(b)])
    assert keras.backend.int_shape(merged) == (None, 72)
    model = Model([a, b], Dense(1, activation='sigmoid')(merged))
    x = np.random.rand(2, 9, 9, 1).astype('float32')
    np.testing.assert_allclose(model.predict([x, x]).shape, (2, 1))
    video = Input(shape=(3, 9, 9, 1))
    assert keras.backend.int_shape(TimeDistributed(vision)(video)) == (None, 3, 36)
