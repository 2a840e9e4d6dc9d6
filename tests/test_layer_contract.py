"""The Keras 2 custom-layer contract: build/call/compute_output_shape/compute_mask, add_weight, weights and
trainability, losses, configs, get/set_weights, input_spec, names, and the node accessors."""
import warnings

import numpy as np
import pytest
import tensorflow as tf

import kernelkit as keras
from kernelkit import backend as K
from kernelkit.engine.input_spec import InputSpec
from kernelkit.layers import Dense, Dropout, Input, Layer, Masking
from kernelkit.models import Model, Sequential


class MyLayer(Layer):
    """The custom layer of the Keras 2 guide ("Writing your own Keras layers"), word for word in spirit."""

    def __init__(self, output_dim, **kwargs):
        self.output_dim = output_dim
        super(MyLayer, self).__init__(**kwargs)

    def build(self, input_shape):
        self.kernel = self.add_weight(name='kernel', shape=(input_shape[1], self.output_dim),
                                      initializer='uniform', trainable=True)
        super(MyLayer, self).build(input_shape)

    def call(self, x):
        return K.dot(x, self.kernel)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.output_dim)

    def get_config(self):
        config = {'output_dim': self.output_dim}
        base_config = super(MyLayer, self).get_config()
        return dict(list(base_config.items()) + list(config.items()))


class Probe(Layer):
    """Records the `training` flag and mask it is called with; one weight of every kind `add_weight` makes."""

    def __init__(self, **kwargs):
        super(Probe, self).__init__(**kwargs)
        self.supports_masking = True
        self.calls = []

    def build(self, input_shape):
        self.scale = self.add_weight(name='scale', shape=(input_shape[-1],), dtype='float64', initializer='ones',
                                     regularizer=keras.regularizers.l2(0.5), trainable=True,
                                     constraint=keras.constraints.non_neg())
        self.count = self.add_weight(name='count', shape=(2,), initializer='zeros', trainable=False)
        super(Probe, self).build(input_shape)

    def call(self, inputs, training=None, mask=None):
        self.calls.append((training, None if mask is None else tuple(mask.shape.as_list())))
        return inputs * tf.cast(self.scale, inputs.dtype)


def _data(shape, seed=0):
    return np.random.RandomState(seed).standard_normal(shape).astype('float32')


# ---------------------------------------------------------------------------------------------- guide layer

def test_guide_layer_in_sequential_trains():
    model = Sequential([MyLayer(4, input_shape=(3,)), Dense(1)])
    assert model.layers[0].output_shape == (None, 4)
    assert [w.name for w in model.layers[0].weights] == ['my_layer_1/kernel:0']
    model.compile(optimizer='sgd', loss='mse')
    x, y = _data((16, 3)), _data((16, 1), seed=1)
    before = model.layers[0].get_weights()[0]
    losses = model.fit(x, y, epochs=4, batch_size=16, verbose=0).history['loss']
    assert losses[-1] < losses[0]
    assert np.abs(model.layers[0].get_weights()[0] - before).max() > 1e-4
    np.testing.assert_allclose(model.predict(x), (x @ model.get_weights()[0]) @ model.get_weights()[1]
                               + model.get_weights()[2], rtol=1e-4, atol=1e-5)


def test_guide_layer_in_functional_model_and_config():
    x = Input((3,))
    layer = MyLayer(2)
    y = layer(x)
    assert y._keras_shape == (None, 2) and layer.input_shape == (None, 3)
    model = Model(x, y)
    data = _data((4, 3))
    np.testing.assert_allclose(model.predict(data), data @ layer.get_weights()[0], rtol=1e-5)
    config = layer.get_config()
    assert config == {'name': 'my_layer_1', 'trainable': True, 'output_dim': 2}
    assert MyLayer.from_config(config).get_config() == config
    rebuilt = Model.from_config(model.get_config(), custom_objects={'MyLayer': MyLayer})
    rebuilt.set_weights(model.get_weights())
    np.testing.assert_array_equal(rebuilt.predict(data), model.predict(data))
    with pytest.raises(ValueError, match='MyLayer'):
        Model.from_config(model.get_config())


# ---------------------------------------------------------------------------------------------- build, call, shapes, masks

def test_add_weight_arguments():
    probe = Probe()
    probe.build((None, 3))
    assert probe.built
    assert [(w.name, w.dtype.name) for w in probe.weights] == [('probe_1/scale:0', 'float64'),
                                                              ('probe_1/count:0', 'float32')]
    assert probe.trainable_weights == [probe.scale] and probe.non_trainable_weights == [probe.count]
    np.testing.assert_array_equal(probe.get_weights()[0], np.ones(3))
    assert [float(v) for v in probe.losses] == [1.5]  # 0.5 * sum(ones(3) ** 2)
    assert probe.count_params() == 5
    with pytest.raises(ValueError, match="probe_1: the shape of weight 'bad' has a negative dimension"):
        probe.add_weight(name='bad', shape=(2, -1))
    with pytest.raises(ValueError, match="probe_1: the shape of weight 'bad' must be fully known"):
        probe.add_weight(name='bad', shape=(None, 2))


def test_call_gets_training_and_mask():
    probe = Probe()
    x = Input((4, 2))
    y = probe(Masking()(x))
    assert probe.calls == [(None, (None, 4))]
    assert y._keras_mask is not None  # supports_masking passes the mask on
    model = Model(x, y)
    model.compile('sgd', 'mse')
    data = _data((2, 4, 2))
    del probe.calls[:]
    model.fit(data, data, verbose=0)
    model.predict(data)
    assert probe.calls == [(True, (None, 4)), (False, (None, 4))]
    probe(tf.constant(data), training=True)
    assert probe.calls[-1] == (True, None)


def test_constraint_applied_after_update():
    x = Input((3,))
    probe = Probe()
    model = Model(x, probe(x))
    model.compile(keras.optimizers.SGD(lr=10.), 'mse')
    data = np.ones((4, 3), 'float32')
    model.train_on_batch(data, -10 * data)  # drives `scale` far below zero
    np.testing.assert_array_equal(probe.get_weights()[0], np.zeros(3))


class Halve(Layer):
    """Declares its output shape and its output mask (every other step)."""

    def __init__(self, **kwargs):
        super(Halve, self).__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs):
        return inputs[:, ::2]

    def compute_output_shape(self, input_shape):
        return (input_shape[0], None if input_shape[1] is None else (input_shape[1] + 1) // 2) + \
            tuple(input_shape[2:])

    def compute_mask(self, inputs, mask=None):
        return None if mask is None else mask[:, ::2]


def test_compute_output_shape_and_compute_mask():
    x = Input((5, 2))
    layer = Halve()
    y = layer(Masking()(x))
    assert y._keras_shape == (None, 3, 2) and layer.output_shape == (None, 3, 2)
    assert layer.compute_output_shape((None, 7, 2)) == (None, 4, 2)
    assert y._keras_mask._keras_shape == (None, 3)
    data = np.ones((1, 5, 2), 'float32')
    data[0, 2] = 0
    out = Halve()(Masking()(tf.constant(data)))
    np.testing.assert_array_equal(out._keras_mask.numpy(), [[True, False, True]])


def test_mask_refused_by_layer_without_masking_support():
    with pytest.raises(TypeError, match='Layer my_layer_1 does not support masking'):
        MyLayer(2)(Masking()(Input((3,))))


# ---------------------------------------------------------------------------------------------- trainable

def test_trainable_attribute_and_weight_lists():
    dense = Dense(2, trainable=False)
    dense.build((None, 3))
    assert dense.trainable_weights == [] and dense.non_trainable_weights == [dense.kernel, dense.bias]
    assert dense.get_config()['trainable'] is False
    dense.trainable = True
    assert dense.trainable_weights == [dense.kernel, dense.bias] and dense.non_trainable_weights == []
    assert dense.weights == [dense.kernel, dense.bias]


def test_freezing_takes_effect_at_next_compile():
    first, second = Dense(4, input_shape=(3,)), Dense(1)
    model = Sequential([first, second])
    model.compile('sgd', 'mse')
    x, y = _data((8, 3)), _data((8, 1), seed=1)
    first.trainable = False
    before = first.get_weights()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert any('Discrepancy between trainable weights' in str(w.message) for w in caught)
    # Still trained: compile collected the weights while the layer was trainable.
    assert all(np.abs(a - b).max() > 1e-6 for a, b in zip(first.get_weights(), before))

    model.compile('sgd', 'mse')
    before, before_second = first.get_weights(), second.get_weights()
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    for a, b in zip(first.get_weights(), before):
        np.testing.assert_array_equal(a, b)
    assert np.abs(second.get_weights()[0] - before_second[0]).max() > 1e-6
    assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 2


def test_frozen_nested_model():
    inner_in = Input((3,))
    inner = Model(inner_in, Dense(2)(inner_in))
    x = Input((3,))
    outer = Model(x, Dense(1)(inner(x)))
    inner.trainable = False
    assert len(outer.trainable_weights) == 2 and len(outer.non_trainable_weights) == 2
    outer.compile('sgd', 'mse')
    before = inner.get_weights()
    outer.fit(_data((4, 3)), _data((4, 1)), verbose=0)
    for a, b in zip(inner.get_weights(), before):
        np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------------------------------------- losses

class AddsLoss(Layer):
    def call(self, inputs):
        self.add_loss(0.25 * tf.reduce_sum(tf.abs(inputs)))
        return inputs


def test_losses_weight_and_activity_values():
    x = Input((3,))
    dense = Dense(2, kernel_regularizer=keras.regularizers.l2(0.1),
                  activity_regularizer=keras.regularizers.l1(0.2))
    model = Model(x, AddsLoss()(dense(x)))
    data, target = _data((4, 3)), _data((4, 2), seed=1)
    kernel, bias = dense.get_weights()
    out = data @ kernel + bias
    # Before any call on data only the weight penalty exists.
    np.testing.assert_allclose([float(v) for v in model.losses], [0.1 * np.square(kernel).sum()], rtol=1e-5)
    model(tf.constant(data))
    expected = [0.1 * np.square(kernel).sum(), 0.2 * np.abs(out).sum(), 0.25 * np.abs(out).sum()]
    np.testing.assert_allclose(sorted(float(v) for v in model.losses), sorted(expected), rtol=1e-5)
    model.compile('sgd', 'mse')
    mse = np.mean(np.square(out - target))
    np.testing.assert_allclose(model.evaluate(data, target, verbose=0), mse + sum(expected), rtol=1e-5)


# ---------------------------------------------------------------------------------------------- weights

def test_get_set_weights_and_count_params():
    dense = Dense(2)
    with pytest.raises(ValueError, match=r'count_params` on dense_1, but the layer isn\'t built'):
        dense.count_params()
    dense.build((None, 3))
    assert dense.count_params() == 8
    kernel, bias = np.arange(6.).reshape(3, 2), np.array([1., -1.])
    dense.set_weights([kernel, bias])
    np.testing.assert_array_equal(dense.get_weights()[0], kernel)
    np.testing.assert_array_equal(dense(np.ones((1, 3), 'float32')).numpy(), [[7., 8.]])


def test_set_weights_errors_change_nothing():
    dense = Dense(2)
    dense.build((None, 3))
    before = dense.get_weights()
    with pytest.raises(ValueError, match=r'layer "dense_1" with a weight list of length 1, but the layer was '
                                         r'expecting 2 weights'):
        dense.set_weights([np.zeros((3, 2))])
    with pytest.raises(ValueError, match=r'Layer dense_1: weight dense_1/bias:0 has shape \(2,\), not compatible '
                                         r'with the provided weight shape \(3,\)'):
        dense.set_weights([np.zeros((3, 2)), np.zeros(3)])
    for a, b in zip(dense.get_weights(), before):
        np.testing.assert_array_equal(a, b)

    x = Input((3,))
    model = Model(x, Dense(1)(dense(x)))
    before = model.get_weights()
    with pytest.raises(ValueError, match='expects 4 weight arrays, but set_weights received 3'):
        model.set_weights(before[:3])
    bad = [np.zeros_like(w) for w in before[:3]] + [np.zeros(2)]
    with pytest.raises(ValueError, match=r'Layer dense_2: weight dense_2/bias:0 has shape \(1,\), but the '
                                         r'provided array has shape \(2,\)'):
        model.set_weights(bad)
    for a, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(a, b)


def test_initial_weights_argument():
    kernel, bias = np.ones((3, 2)), np.array([0.5, -0.5])
    dense = Dense(2, weights=[kernel, bias])
    np.testing.assert_allclose(dense(np.ones((1, 3), 'float32')).numpy(), [[3.5, 2.5]])
    with pytest.raises(ValueError, match='on layer "dense_2" with a weight list of length 1, but the layer was '
                                         'expecting 2 weights'):
        Dense(2, weights=[kernel])(np.ones((1, 3), 'float32'))


# ---------------------------------------------------------------------------------------------- input_spec, kwargs

class NeedsRank3(Layer):
    def __init__(self, **kwargs):
        super(NeedsRank3, self).__init__(**kwargs)
        self.input_spec = InputSpec(ndim=3, axes={-1: 4})


def test_input_spec_errors_name_layer_and_shapes():
    with pytest.raises(ValueError, match=r'Input 0 of layer needs_rank3_1 is incompatible with the layer: '
                                         r'expected ndim=3, found ndim=2 \(full shape received: \(None, 4\)\)'):
        NeedsRank3()(Input((4,)))
    with pytest.raises(ValueError, match=r'layer needs_rank3_2 .*axis -1 of the input shape to have value 4, '
                                         r'but got shape \(1, 2, 5\)'):
        NeedsRank3()(np.ones((1, 2, 5), 'float32'))
    with pytest.raises(ValueError, match='Layer needs_rank3_3 expects 1 input'):
        NeedsRank3()([Input((2, 4)), Input((2, 4))])
    dense = Dense(2)
    dense(Input((3,)))
    with pytest.raises(ValueError, match=r'layer dense_1 .*axis -1 of the input shape to have value 3, but got '
                                         r'shape \(None, 5\)'):
        dense(Input((5,)))
    assert len(dense._inbound_nodes) == 1


def test_unknown_keyword_argument():
    with pytest.raises(TypeError, match="Keyword argument not understood by `Dense`: 'foo'"):
        Dense(2, foo=1)
    with pytest.raises(TypeError, match="`MyLayer`: 'input_dims'"):
        MyLayer(2, input_dims=3)
    with pytest.raises(TypeError, match="`Model`: 'outputz'"):
        Model(Input((2,)), outputz=None)


def test_dtype_and_input_shape_arguments():
    dense = Dense(2, dtype='float64', input_shape=(3,))
    assert dense.batch_input_shape == (None, 3)
    assert dense(np.ones((1, 3))).dtype == tf.float64
    config = dense.get_config()
    assert (config['batch_input_shape'], config['dtype']) == ((None, 3), 'float64')
    assert Dense(2, input_shape=(3,), batch_size=5).batch_input_shape == (5, 3)
    assert Dense(2, input_dim=7).batch_input_shape == (None, 7)


# ---------------------------------------------------------------------------------------------- names

def test_names_are_numbered_keras2_style():
    assert [Dense(1).name, Dense(1).name, Dropout(0.1).name, MyLayer(1).name] == [
        'dense_1', 'dense_2', 'dropout_1', 'my_layer_1']
    x = Input((2,))
    assert x._keras_history[0].name == 'input_1'
    assert Model(x, Dense(1)(x)).name == 'model_1'
    assert Sequential().name == 'sequential_1'

    class MyModel(Model):
        pass

    assert MyModel(x, Dense(1)(x)).name == 'mymodel_1'
    assert Dense(1, name='custom').name == 'custom'
    K.clear_session()
    assert [Dense(1).name, Input((2,))._keras_history[0].name, Sequential().name] == [
        'dense_1', 'input_1', 'sequential_1']


# ---------------------------------------------------------------------------------------------- nodes

def test_input_output_and_shapes():
    x = Input((3,))
    dense = Dense(2)
    with pytest.raises(AttributeError, match='has never been called'):
        dense.output
    y = dense(x)
    assert dense.input is x and dense.output is y
    assert dense.input_shape == (None, 3) and dense.output_shape == (None, 2)
    assert dense.get_input_shape_at(0) == (None, 3) and dense.get_output_shape_at(0) == (None, 2)
    assert y._keras_history == (dense, 0, 0)
    assert K.int_shape(y) == (None, 2) and y.shape.as_list() == [None, 2]


def test_shared_layer_node_accessors():
    a, b = Input((3,)), Input((3,))
    shared = Dense(2)
    ya, yb = shared(a), shared(b)
    assert shared.get_input_at(0) is a and shared.get_input_at(1) is b
    assert shared.get_output_at(0) is ya and shared.get_output_at(1) is yb
    assert shared.output_shape == (None, 2)  # the same for both calls
    with pytest.raises(AttributeError, match='Layer dense_1 has multiple inbound nodes.*get_input_at'):
        shared.input
    with pytest.raises(AttributeError, match='get_output_at'):
        shared.output
    with pytest.raises(ValueError, match='Asked to get output at node 2, but the layer "dense_1" has only 2'):
        shared.get_output_at(2)
    flexible = Dense(2)
    flexible(a)
    flexible(Input((4, 3)))
    assert flexible.get_output_shape_at(0) == (None, 2) and flexible.get_output_shape_at(1) == (None, 4, 2)
    with pytest.raises(AttributeError, match='"output shape" is ill-defined'):
        flexible.output_shape


def test_trainable_discrepancy_warns_on_every_fit_and_in_summary():
    """Keras 2: after `trainable` changes without a new compile, every fit and summary() warn."""
    import warnings
    from kernelkit.layers import Dense
    from kernelkit.models import Sequential
    model = Sequential([Dense(2, input_shape=(3,)), Dense(1)])
    model.compile('sgd', 'mse')
    x, y = np.ones((4, 3), 'float32'), np.ones((4, 1), 'float32')
    model.fit(x, y, verbose=0)
    model.layers[0].trainable = False
    for action in (lambda: model.fit(x, y, verbose=0), lambda: model.fit(x, y, verbose=0),
                   lambda: model.summary(print_fn=lambda line: None)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            action()
        assert any('Discrepancy between trainable weights' in str(w.message) for w in caught)


def test_get_losses_for_and_get_updates_for():
    from kernelkit import regularizers
    from kernelkit.layers import Dense
    layer = Dense(2, kernel_regularizer=regularizers.l2(0.1), activity_regularizer=regularizers.l1(0.5))
    x = np.ones((3, 4), 'float32')
    layer(x)
    unconditional = layer.get_losses_for(None)
    assert len(unconditional) == 1
    np.testing.assert_allclose(float(unconditional[0]), 0.1 * np.sum(layer.get_weights()[0] ** 2), rtol=1e-5)
    activity = layer.get_losses_for(x)
    np.testing.assert_allclose(float(activity[0]), 0.5 * np.abs(layer(x).numpy()).sum(), rtol=1e-5)
    assert layer.get_updates_for(None) == [] and layer.updates == []
