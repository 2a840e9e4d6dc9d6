"""Models over symbolic expressions, and losses, metrics and updates that close over model tensors.

The oracle is plain numpy over the model's weights (or the same model computed without the closure).
"""
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

import kernelkit as keras
from kernelkit import backend as K
from kernelkit.layers import Dense, Input, Lambda
from kernelkit.models import Model, load_model, model_from_json


def _mlp(seed=0):
    x = Input((4,), name='x')
    h = Dense(3, name='h', kernel_initializer=keras.initializers.glorot_uniform(seed=seed))(x)
    return x, h


def _dense_numpy(layer, x):
    kernel, bias = layer.get_weights()
    return x @ kernel + bias


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


DATA = np.random.RandomState(0).rand(6, 4).astype('float32')


def _expression_model():
    x, h = _mlp()
    centred = K.softmax(h * 2. - K.mean(h, axis=-1, keepdims=True))
    head = h[:, :2] + 1
    return Model(x, [centred, head])


def _expression_numpy(model, data):
    h = _dense_numpy(model.get_layer('h'), data)
    return _softmax(h * 2. - h.mean(axis=-1, keepdims=True)), h[:, :2] + 1


def test_model_over_expressions_predicts_and_lists_its_ops():
    model = _expression_model()
    assert [layer.name for layer in model.layers] == ['x', 'h']  # ops are not layers
    expected = _expression_numpy(model, DATA)
    for got, want in zip(model.predict(DATA), expected):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    eager = model(tf.constant(DATA))  # the same graph run eagerly
    np.testing.assert_allclose(eager[1].numpy(), expected[1], rtol=1e-5)
    lines = []
    model.summary(print_fn=lines.append)
    text = '\n'.join(lines)
    for row in ('mean_', '(K.mean)', '(K.softmax)', '(operator *)', '(operator -)', '(operator [])',
                '(operator +)'):
        assert row in text
    assert 'Total params: 15' in text


def test_model_over_expressions_config_json_and_hdf5_round_trip(tmp_path):
    model = _expression_model()
    config = json.loads(model.to_json())['config']
    ops = [entry for entry in config['layers'] if entry['class_name'] == 'BackendOp']
    assert sorted(entry['config']['function'] for entry in ops) == sorted(
        ['operator.mul', 'mean', 'operator.sub', 'softmax', 'operator.getitem', 'operator.add'])
    mean_op, = [entry for entry in ops if entry['config']['function'] == 'mean']
    assert mean_op['config']['arguments'] == {'__tuple__': [{'__tuple__': [{'__tensor__': 0}]},
                                                             {'__dict__': {'axis': -1, 'keepdims': True}}]}
    rebuilt = model_from_json(model.to_json())
    rebuilt.set_weights(model.get_weights())
    for got, want in zip(rebuilt.predict(DATA), model.predict(DATA)):
        np.testing.assert_array_equal(got, want)
    model.compile('sgd', ['categorical_crossentropy', 'mse'])
    model.fit(DATA, [np.eye(3)[[0, 1, 2, 0, 1, 2]], np.ones((6, 2))], epochs=2, verbose=0)
    path = str(tmp_path / 'expressions.h5')
    model.save(path)
    loaded = load_model(path)
    for got, want in zip(loaded.predict(DATA), model.predict(DATA)):
        np.testing.assert_array_equal(got, want)
    assert loaded.optimizer.get_config() == model.optimizer.get_config()


def test_an_op_closing_over_a_variable_cannot_be_stored():
    x, h = _mlp()
    scale = K.variable(np.ones(3))
    model = Model(x, h * scale)
    np.testing.assert_allclose(model.predict(DATA), _dense_numpy(model.get_layer('h'), DATA), rtol=1e-6)
    with pytest.raises(ValueError, match=r'Backend op mul_\d+ has an argument of type \w*Variable'):
        model.get_config()


def test_tf_keras_refuses_a_file_with_backend_ops_clearly(tmp_path):
    path = str(tmp_path / 'ops.h5')
    _expression_model().save(path)
    script = ('import sys, tf_keras\n'
              'try:\n'
              '    tf_keras.models.load_model(sys.argv[1])\n'
              'except Exception as error:\n'
              '    print(type(error).__name__, error)\n')
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL='3')
    out = subprocess.run([sys.executable, '-c', script, path], capture_output=True, text=True, env=env,
                         timeout=300).stdout
    assert 'BackendOp' in out


def test_input_adopts_an_expression_of_variables_and_a_placeholder():
    fixed = np.arange(8, dtype='float32').reshape(2, 4)
    free = K.placeholder((1, 4), name='free')
    stacked = K.concatenate([K.variable(fixed), free], axis=0)
    assert not K.is_keras_tensor(stacked)
    image = Input(tensor=stacked)
    assert image is stacked and K.is_keras_tensor(stacked) and K.int_shape(image) == (3, 4)
    layer = Dense(2, name='on_stack')
    out = layer(image)
    model = Model(image, out)
    assert [l.name for l in model.layers][-1] == 'on_stack'
    fed = np.ones((1, 4), 'float32')
    got, = K.function([free], [out])([fed])
    np.testing.assert_allclose(got, _dense_numpy(layer, np.concatenate([fixed, fed])), rtol=1e-5)
    with pytest.raises(ValueError, match="placeholder 'free'"):
        K.function([], [out])


def test_a_closure_loss_reads_the_same_forward_pass():
    calls = []

    def noted(t):
        calls.append(1)
        return t * 1.

    x, h = _mlp()
    code = Lambda(noted, name='code')(h)
    out = Dense(2, name='out')(code)
    model = Model(x, out)
    penalty = 0.1

    def loss(y_true, y_pred):
        return K.mean(K.square(y_true - y_pred), axis=-1) + penalty * K.mean(K.square(code), axis=-1)

    model.compile('sgd', loss)
    y = np.zeros((6, 2), 'float32')
    before = len(calls)
    got = model.train_on_batch(DATA, y)
    assert len(calls) - before == 1  # one trace of the step: the closure did not compute `code` again
    # The same loss from numpy on the weights before the step equals the reported one.
    reference = Model(x, [out, code])
    reference.set_weights(model.get_weights())
    model2_weights = model.get_weights()
    assert np.isfinite(got)
    pred, codes = reference.predict(DATA)
    expected = np.mean(np.mean((y - pred) ** 2, axis=-1) + penalty * np.mean(codes ** 2, axis=-1))
    value = model.test_on_batch(DATA, y)
    np.testing.assert_allclose(value, expected, rtol=1e-5)
    np.testing.assert_allclose(model.evaluate(DATA, y, verbose=0), expected, rtol=1e-5)
    assert [w.shape for w in model2_weights] == [w.shape for w in model.get_weights()]


def test_a_closure_over_another_graph_names_the_missing_input():
    x, h = _mlp()
    other = Input((4,), name='elsewhere')
    stray = Dense(2)(other)
    model = Model(x, Dense(2)(h))
    model.compile('sgd', lambda yt, yp: K.mean(K.square(yt - yp)) + K.mean(stray))
    weights = model.get_weights()
    with pytest.raises(ValueError, match="input 'elsewhere'"):
        model.fit(DATA, np.zeros((6, 2)), verbose=0)
    for before, after in zip(weights, model.get_weights()):
        np.testing.assert_array_equal(before, after)


def test_compile_without_a_loss_needs_an_added_loss():
    x, h = _mlp()
    model = Model(x, h)
    with pytest.raises(ValueError, match='no loss to optimize'):
        model.compile('sgd', loss=None)
    assert model.optimizer is None
    model.add_loss(K.mean(K.square(h)))
    with pytest.warns(UserWarning, match='missing from loss dictionary'):
        model.compile('sgd', loss=None)
    first = model.fit(DATA, None, epochs=1, verbose=0).history['loss'][0]
    last = model.fit(DATA, None, epochs=5, verbose=0).history['loss'][-1]
    assert last < first
    np.testing.assert_allclose(model.evaluate(DATA, None, verbose=0),
                               np.mean(_dense_numpy(model.get_layer('h'), DATA) ** 2), rtol=1e-5)


def test_metrics_tensors_are_logged_under_appended_names():
    x, h = _mlp()
    out = Dense(1)(h)
    model = Model(x, out)
    model.compile('sgd', 'mse')
    model.metrics_tensors.append(K.mean(K.abs(h), axis=-1))
    model.metrics_names.append('h_size')
    history = model.fit(DATA, np.zeros((6, 1)), batch_size=6, epochs=1, verbose=0)
    assert sorted(history.history) == ['h_size', 'loss']
    loss, h_size = model.evaluate(DATA, np.zeros((6, 1)), verbose=0)
    np.testing.assert_allclose(h_size, np.mean(np.abs(_dense_numpy(model.get_layer('h'), DATA))), rtol=1e-5)


def test_symbolic_updates_run_every_training_step():
    x, h = _mlp()
    model = Model(x, Dense(1)(h))
    seen = K.variable(0.)
    running = K.variable(np.zeros(3))
    model.add_update([K.update_add(seen, 1.), (running, K.mean(h, axis=0))])
    assert len(model.updates) == 2 and K.eval(seen) == 0  # recorded, not applied
    model.compile('sgd', 'mse')
    model.train_on_batch(DATA[:3], np.zeros((3, 1)))
    after_first = model.get_layer('h')
    hidden = _dense_numpy(after_first, DATA[3:])
    model.train_on_batch(DATA[3:], np.zeros((3, 1)))
    assert K.eval(seen) == 2
    # The update reads `h` from the step's own forward pass, before that step's weight update.
    np.testing.assert_allclose(K.eval(running), hidden.mean(axis=0), rtol=1e-5)


def test_layers_called_on_model_tensors_inside_a_loss_compute_on_their_values():
    x, h = _mlp()
    probe = Dense(1, name='probe')
    model = Model(x, Dense(2)(h))
    model.compile('sgd', lambda yt, yp: K.mean(K.square(yt - yp)) + 0. * K.mean(probe(h)))
    assert np.isfinite(model.train_on_batch(DATA, np.zeros((6, 2))))
    assert probe.built and len(probe.get_weights()) == 2


def test_losses_metrics_and_activations_apply_to_model_tensors():
    x, h = _mlp()
    probs = keras.activations.softmax(h)
    target = K.placeholder(ndim=2, name='target')
    loss = K.mean(keras.losses.categorical_crossentropy(target, probs))
    accuracy = K.mean(keras.metrics.categorical_accuracy(target, probs))
    onehot = np.eye(3, dtype='float32')[[0, 1, 2, 0, 1, 2]]
    got_loss, got_acc = K.function([x, target], [loss, accuracy])([DATA, onehot])
    p = _softmax(_dense_numpy(Model(x, h).get_layer('h'), DATA))
    np.testing.assert_allclose(got_loss, -np.mean(np.log(np.sum(onehot * p, axis=-1))), rtol=1e-5)
    np.testing.assert_allclose(got_acc, np.mean(p.argmax(-1) == onehot.argmax(-1)), rtol=1e-6)
    # stored by name, so a model over them round-trips
    model = Model(x, keras.activations.relu(h))
    entry = [e for e in json.loads(model.to_json())['config']['layers'] if e['class_name'] == 'BackendOp']
    assert entry[0]['config']['function'] == 'activations.relu'
    rebuilt = model_from_json(model.to_json())
    rebuilt.set_weights(model.get_weights())
    np.testing.assert_array_equal(rebuilt.predict(DATA), model.predict(DATA))


def test_total_loss_and_its_gradients_through_k_function():
    x, h = _mlp()
    out = Dense(3, activation='softmax', kernel_regularizer='l2', name='probs')(h)
    model = Model(x, out)
    model.compile('sgd', 'categorical_crossentropy', metrics=['acc'])
    onehot = np.eye(3, dtype='float32')[[0, 1, 2, 0, 1, 2]]
    feeds = model._feed_inputs + model._feed_targets + model._feed_sample_weights
    assert [t.name for t in feeds[1:]] == ['probs_target', 'probs_sample_weights']
    grads = model.optimizer.get_gradients(model.total_loss, model.trainable_weights)
    values = K.function(feeds, [model.total_loss] + grads)([DATA, onehot, np.ones(6)])
    np.testing.assert_allclose(values[0], model.evaluate(DATA, onehot, verbose=0)[0], rtol=1e-5)
    with tf.GradientTape() as tape:
        probs = model(tf.constant(DATA))
        loss = tf.reduce_mean(keras.losses.categorical_crossentropy(tf.constant(onehot), probs))
        loss += tf.add_n(model.losses)
    for got, want in zip(values[1:], tape.gradient(loss, model.trainable_weights)):
        np.testing.assert_allclose(got, want.numpy(), rtol=1e-4, atol=1e-6)
