"""Sequential: add/pop, the first layer's input shape arguments, deferred building, nesting, and configs
(the Keras 2.2.3+ dict form, the older list form, and tf_keras's form)."""
import json

import numpy as np
import pytest
import tf_keras

from kernelkit.layers import Dense, Dropout, Input, InputLayer, Lambda, Permute
from kernelkit.models import Model, Sequential


def _data(shape, seed=0):
    return np.random.RandomState(seed).standard_normal(shape).astype('float32')


def _affine(model, x):
    """What a stack of linear Dense layers computes, from its weights."""
    weights = model.get_weights()
    for kernel, bias in zip(weights[::2], weights[1::2]):
        x = x @ kernel + bias
    return x


# ---------------------------------------------------------------------------------------------- first layer

@pytest.mark.parametrize('kwargs', [{'input_shape': (3,)}, {'input_dim': 3}, {'batch_input_shape': (None, 3)}])
def test_first_layer_shape_arguments(kwargs):
    model = Sequential()
    model.add(Dense(4, **kwargs))
    assert model.built and model.input_shape == (None, 3) and model.output_shape == (None, 4)
    model.add(Dense(2))
    assert model.output_shape == (None, 2) and len(model.weights) == 4
    assert [l.name for l in model.layers] == ['dense_1', 'dense_2']
    assert model.input_names == ['dense_1_input'] and model.layers[0].input is model.inputs[0]
    data = _data((5, 3))
    np.testing.assert_allclose(model.predict(data), _affine(model, data), rtol=1e-5, atol=1e-5)


def test_fixed_batch_size_and_input_layer():
    model = Sequential([Dense(2, input_shape=(3,), batch_size=6)])
    assert model.input_shape == (6, 3)
    model = Sequential([InputLayer(input_shape=(3,), name='feed'), Dense(2)])
    assert [l.name for l in model.layers] == ['dense_2'] and model.input_names == ['feed']
    rebuilt = Sequential.from_config(model.get_config())
    assert rebuilt.built and rebuilt.input_shape == (None, 3)


def test_constructor_list_equals_add():
    listed = Sequential([Dense(3, input_shape=(2,)), Dropout(0.5), Dense(1)], name='stack')
    added = Sequential()
    for layer in [Dense(3, input_shape=(2,)), Dropout(0.5), Dense(1)]:
        added.add(layer)
    assert listed.name == 'stack' and added.name == 'sequential_1'
    assert [type(l) for l in listed.layers] == [type(l) for l in added.layers]
    assert [w.shape for w in listed.get_weights()] == [w.shape for w in added.get_weights()]


# ---------------------------------------------------------------------------------------------- add/pop

def test_pop():
    model = Sequential([Dense(3, input_shape=(2,)), Dense(4), Dense(5)])
    model.pop()
    assert [l.name for l in model.layers] == ['dense_1', 'dense_2'] and model.output_shape == (None, 4)
    assert len(model.weights) == 4
    data = _data((2, 2))
    np.testing.assert_allclose(model.predict(data), _affine(model, data), rtol=1e-5, atol=1e-5)
    model.add(Dense(1))
    assert model.output_shape == (None, 1)
    model.pop(), model.pop(), model.pop()
    assert model.layers == [] and not model.built and model.inputs == [] and model.outputs == []
    with pytest.raises(TypeError, match='There are no layers in the model'):
        model.pop()
    model.add(Dense(2, input_shape=(7,)))  # a new first layer sets a new input shape
    assert model.input_shape == (None, 7) and model.output_shape == (None, 2)


def test_add_errors_leave_the_model_unchanged():
    model = Sequential([Dense(2, input_shape=(3,), name='a')])
    with pytest.raises(TypeError, match='must be an instance of class Layer. Found: 3'):
        model.add(3)
    with pytest.raises(ValueError, match='Name "a" is already the name of a layer in this model'):
        model.add(Dense(2, name='a'))
    with pytest.raises(ValueError, match=r'layer permute_1 .*expected ndim=3, found ndim=2'):
        model.add(Permute((2, 1)))
    assert [l.name for l in model.layers] == ['a'] and model.output_shape == (None, 2)
    with pytest.raises(ValueError, match='single output tensor'):
        model.add(Lambda(lambda t: [t, t]))
    assert [l.name for l in model.layers] == ['a']


# ---------------------------------------------------------------------------------------------- deferred build

def test_deferred_until_build():
    model = Sequential([Dense(3), Dense(1)])
    assert not model.built and model.weights == [] and len(model.layers) == 2
    with pytest.raises(ValueError, match='not yet been built'):
        model.summary()
    model.build((None, 4))
    assert model.built and model.input_shape == (None, 4) and model.output_shape == (None, 1)
    assert model.inputs[0]._keras_history[0].name == 'sequential_1_input'
    assert model.get_config()['build_input_shape'] == (None, 4)
    with pytest.raises(ValueError, match='must provide an `input_shape`'):
        Sequential([Dense(1)]).build()


def test_deferred_until_first_call():
    symbolic = Sequential([Dense(3), Dense(1)])
    x = Input((4,))
    y = symbolic(x)
    assert symbolic.built and symbolic.input_shape == (None, 4) and y._keras_shape == (None, 1)
    data = _data((2, 4))
    np.testing.assert_allclose(Model(x, y).predict(data), _affine(symbolic, data), rtol=1e-5, atol=1e-5)

    eager = Sequential([Dense(3), Dense(1)])
    out = eager(data)
    assert eager.built and len(eager.weights) == 4
    np.testing.assert_allclose(out.numpy(), _affine(eager, data), rtol=1e-5, atol=1e-5)


def test_deferred_until_fit_or_predict():
    model = Sequential([Dense(3), Dense(1)])
    model.compile('sgd', 'mse')  # compiling before the shapes are known is allowed
    data = _data((8, 5))
    history = model.fit(data, _data((8, 1), seed=1), epochs=2, verbose=0)
    assert len(history.history['loss']) == 2 and model.input_shape == (None, 5)
    predicted = Sequential([Dense(2)])
    assert predicted.predict(data).shape == (8, 2) and predicted.input_shape == (None, 5)
    assert predicted.get_config()['build_input_shape'] == (None, 5)


# ---------------------------------------------------------------------------------------------- nesting

def test_sequential_in_functional_and_functional_in_sequential():
    inner = Sequential([Dense(3, input_shape=(2,)), Dense(2)])
    x = Input((2,))
    functional = Model(x, Dense(1)(inner(x)))
    data = _data((3, 2))
    np.testing.assert_allclose(functional.predict(data), _affine(functional, data), rtol=1e-5, atol=1e-5)
    outer = Sequential([functional, Dense(2)])
    assert outer.input_shape == (None, 2) and [l.name for l in outer.layers] == ['model_1', 'dense_4']
    np.testing.assert_allclose(outer.predict(data), _affine(outer, data), rtol=1e-5, atol=1e-5)
    deferred = Sequential([Sequential([Dense(2)]), Dense(1)])
    assert deferred.predict(data).shape == (3, 1)


# ---------------------------------------------------------------------------------------------- configs

def test_config_round_trip():
    model = Sequential([Dense(4, input_shape=(3,), activation='relu'), Dropout(0.2), Dense(2)])
    config = json.loads(json.dumps(model.get_config()))
    assert config['name'] == 'sequential_1' and 'build_input_shape' not in config
    assert [l['class_name'] for l in config['layers']] == ['Dense', 'Dropout', 'Dense']
    assert config['layers'][0]['config']['batch_input_shape'] == [None, 3]
    rebuilt = Sequential.from_config(config)
    rebuilt.set_weights(model.get_weights())
    data = _data((4, 3))
    np.testing.assert_array_equal(rebuilt.predict(data), model.predict(data))
    assert [l.name for l in rebuilt.layers] == [l.name for l in model.layers]


def test_old_list_config_and_build_input_shape():
    model = Sequential([Dense(2, input_shape=(3,)), Dense(1)])
    old_style = json.loads(json.dumps(model.get_config()['layers']))  # the Keras 2.0-2.2.2 list form
    rebuilt = Sequential.from_config(old_style)
    assert rebuilt.built and rebuilt.input_shape == (None, 3)
    deferred = Sequential([Dense(2), Dense(1)])
    deferred.build((None, 6))
    rebuilt = Sequential.from_config(json.loads(json.dumps(deferred.get_config())))
    assert rebuilt.built and rebuilt.input_shape == (None, 6)
    unbuilt = Sequential.from_config(Sequential([Dense(2)]).get_config())
    assert not unbuilt.built and len(unbuilt.layers) == 1


def test_tf_keras_sequential_config():
    oracle = tf_keras.Sequential([tf_keras.layers.Dense(2, input_shape=(3,)), tf_keras.layers.Dense(1)])
    config = json.loads(json.dumps(oracle.get_config()))
    assert config['layers'][0]['class_name'] == 'InputLayer'
    model = Sequential.from_config(config)
    assert model.built and model.input_shape == (None, 3) and len(model.layers) == 2
    model.set_weights(oracle.get_weights())
    data = _data((4, 3))
    np.testing.assert_allclose(model.predict(data), oracle.predict(data, verbose=0), rtol=1e-5, atol=1e-6)
