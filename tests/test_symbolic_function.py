"""`K.function`, `K.gradients` and `Optimizer.get_updates`: Keras 2's symbolic custom-loop API.

Oracles:
- tf_keras run in TensorFlow 1 graph mode (`disable_eager_execution`), where `K.function` and
  `K.gradients` are the real Keras 2 graph API; one subprocess computes every oracle value;
- `tf.GradientTape` over the eager kernelkit model;
- numpy formulas, and `train_on_batch` for the optimizer update loops.
"""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import tensorflow as tf

import kernelkit as keras
from kernelkit import backend as K
from kernelkit.backend.symbolic import is_symbolic

# The same architectures in kernelkit and in tf_keras (this source is run in the oracle process too).
BUILDERS = textwrap.dedent('''
    def build_mlp(keras):
        return keras.models.Sequential([
            keras.layers.Dense(16, activation='relu', input_shape=(8,), name='d1'),
            keras.layers.Dropout(0.5, name='drop1'),
            keras.layers.Dense(12, activation='tanh', name='d2'),
            keras.layers.Dense(6, activation='relu', name='d3'),
            keras.layers.Dropout(0.3, name='drop2'),
            keras.layers.Dense(3, activation='softmax', name='out'),
        ])


    def build_cnn(keras):
        inp = keras.layers.Input((7, 7, 2), name='image')
        h = keras.layers.Conv2D(4, 3, activation='relu', name='conv1')(inp)
        h = keras.layers.BatchNormalization(momentum=0.9, name='bn')(h)
        h = keras.layers.Conv2D(3, 3, activation='relu', name='last_conv')(h)
        h = keras.layers.Flatten(name='flat')(h)
        out = keras.layers.Dense(3, activation='softmax', name='probs')(h)
        return keras.models.Model(inp, out)
''')
_namespace = {}
exec(BUILDERS, _namespace)
build_mlp, build_cnn = _namespace['build_mlp'], _namespace['build_cnn']

# tf_keras in TF1 graph mode: the Keras 2 recipes (FAQ intermediate output, saliency, Grad-CAM, loss
# gradients, BatchNormalization updates through `K.function(..., updates=model.updates)`).
ORACLE = BUILDERS + textwrap.dedent('''
    import sys
    import numpy as np
    import tensorflow as tf
    tf.compat.v1.disable_eager_execution()
    import tf_keras as keras
    K = keras.backend

    data = dict(np.load(sys.argv[1]))
    res = {}

    mlp = build_mlp(keras)
    mlp.set_weights([data['mlp_w%d' % i] for i in range(len(mlp.get_weights()))])
    x, y = data['mlp_x'], data['mlp_y']
    # The FAQ recipe, verbatim.
    get_3rd_layer_output = K.function([mlp.layers[0].input, K.learning_phase()], [mlp.layers[3].output])
    res['mlp_hidden'], = get_3rd_layer_output([x, 0])
    target = K.placeholder((None, 3))
    loss = K.mean(keras.losses.categorical_crossentropy(target, mlp.output))
    weight_grads = K.gradients(loss, mlp.trainable_weights)
    saliency = K.gradients(K.sum(mlp.output[:, 1]), mlp.input)[0]
    hidden_grad = K.gradients(loss, mlp.layers[2].output)[0]
    values = K.function([mlp.input, target, K.learning_phase()],
                        [mlp.output, loss, saliency, hidden_grad] + weight_grads)([x, y, 0])
    res['mlp_out'], res['mlp_loss'], res['mlp_saliency'], res['mlp_hidden_grad'] = values[:4]
    for i, g in enumerate(values[4:]):
        res['mlp_wgrad%d' % i] = g

    cnn = build_cnn(keras)
    cnn.set_weights([data['cnn_w%d' % i] for i in range(len(cnn.get_weights()))])
    x, y = data['cnn_x'], data['cnn_y']
    conv = cnn.get_layer('last_conv').output
    score = cnn.output[:, 0]
    conv_grad = K.gradients(score, conv)[0]
    pooled = K.mean(conv_grad, axis=(0, 1, 2))
    heatmap = K.relu(K.sum(conv * pooled, axis=-1))
    target = K.placeholder((None, 3))
    loss = K.mean(keras.losses.categorical_crossentropy(target, cnn.output))
    weight_grads = K.gradients(loss, cnn.trainable_weights)
    saliency = K.gradients(score, cnn.input)[0]
    names = ['cnn_out', 'cnn_conv', 'cnn_conv_grad', 'cnn_heatmap', 'cnn_loss', 'cnn_saliency']
    values = K.function([cnn.input, target, K.learning_phase()],
                        [cnn.output, conv, conv_grad, heatmap, loss, saliency] + weight_grads)([x, y, 0])
    res.update(zip(names, values))
    for i, g in enumerate(values[len(names):]):
        res['cnn_wgrad%d' % i] = g
    train = K.function([cnn.input, K.learning_phase()], [cnn.output], updates=cnn.updates)
    res['cnn_out_phase1'], = train([x, 1])
    bn = cnn.get_layer('bn')
    res['cnn_moving_mean'], res['cnn_moving_var'] = K.batch_get_value([bn.moving_mean, bn.moving_variance])
    np.savez(sys.argv[2], **res)
''')


def _oracle_inputs():
    rng = np.random.RandomState(0)
    data = {}
    mlp_shapes = [(8, 16), (16,), (16, 12), (12,), (12, 6), (6,), (6, 3), (3,)]
    for i, shape in enumerate(mlp_shapes):
        data['mlp_w%d' % i] = rng.normal(0, 0.5, shape).astype('float32')
    data['mlp_x'] = rng.normal(size=(5, 8)).astype('float32')
    data['mlp_y'] = np.eye(3, dtype='float32')[rng.randint(0, 3, 5)]
    # conv1 kernel, bias; bn gamma, beta, moving mean, moving variance; last_conv kernel, bias; dense.
    cnn_shapes = [(3, 3, 2, 4), (4,), (4,), (4,), (4,), (4,), (3, 3, 4, 3), (3,), (27, 3), (3,)]
    for i, shape in enumerate(cnn_shapes):
        data['cnn_w%d' % i] = rng.normal(0, 0.25, shape).astype('float32')
    data['cnn_w2'] = (1. + data['cnn_w2']).astype('float32')
    data['cnn_w5'] = (np.abs(data['cnn_w5']) + 0.5).astype('float32')
    data['cnn_x'] = rng.normal(size=(3, 7, 7, 2)).astype('float32')
    data['cnn_y'] = np.eye(3, dtype='float32')[[0, 2, 1]]
    return data


@pytest.fixture(scope='module')
def oracle(tmp_path_factory):
    """Inputs, weights and the tf_keras TF1-graph-mode results, from one subprocess."""
    folder = tmp_path_factory.mktemp('symbolic_oracle')
    data = _oracle_inputs()
    np.savez(str(folder / 'in.npz'), **data)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL='2', CUDA_VISIBLE_DEVICES='')
    done = subprocess.run([sys.executable, '-c', ORACLE, str(folder / 'in.npz'), str(folder / 'out.npz')],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    results = dict(np.load(str(folder / 'out.npz')))
    data.update(results)
    return data


def _mlp(oracle):
    model = build_mlp(keras)
    model.set_weights([oracle['mlp_w%d' % i] for i in range(8)])
    return model


def _cnn(oracle):
    model = build_cnn(keras)
    model.set_weights([oracle['cnn_w%d' % i] for i in range(10)])
    return model


def _close(got, want, atol=1e-5):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, (got.shape, want.shape)
    np.testing.assert_allclose(got, want, atol=atol, rtol=1e-5)
    return float(np.max(np.abs(got - want))) if got.size else 0.


# ---------------------------------------------------------------- 1. tf_keras in TF1 graph mode

def test_oracle_is_not_degenerate(oracle):
    # The oracle values exercise something: probabilities far above the loss's clipping epsilon
    # (1e-7), non-zero gradients and heatmap.
    assert 0.05 < oracle['mlp_out'].min() and 1e-5 < oracle['cnn_out'].min()
    assert np.abs(oracle['mlp_saliency']).max() > 1e-3
    assert np.abs(oracle['cnn_conv_grad']).max() > 1e-3
    assert oracle['cnn_heatmap'].max() > 1e-3
    assert np.abs(oracle['cnn_out_phase1'] - oracle['cnn_out']).max() > 1e-3  # batch stats differ


def test_faq_intermediate_layer_output_matches_tf1_oracle(oracle):
    model = _mlp(oracle)
    get_3rd_layer_output = K.function([model.layers[0].input, K.learning_phase()],
                                      [model.layers[3].output])
    hidden, = get_3rd_layer_output([oracle['mlp_x'], 0])
    _close(hidden, oracle['mlp_hidden'])
    out, = K.function([model.input], [model.output])([oracle['mlp_x']])
    _close(out, oracle['mlp_out'])
    _close(model.predict(oracle['mlp_x']), oracle['mlp_out'])


def test_mlp_gradients_match_tf1_oracle(oracle):
    model = _mlp(oracle)
    target = K.placeholder((None, 3))
    loss = K.mean(keras.losses.categorical_crossentropy(target, model.output))
    weight_grads = K.gradients(loss, model.trainable_weights)
    saliency = K.gradients(K.sum(model.output[:, 1]), model.input)[0]
    hidden_grad = K.gradients(loss, model.layers[2].output)[0]
    values = K.function([model.input, target, K.learning_phase()],
                        [loss, saliency, hidden_grad] + weight_grads)([oracle['mlp_x'], oracle['mlp_y'], 0])
    _close(values[0], oracle['mlp_loss'])
    _close(values[1], oracle['mlp_saliency'])
    _close(values[2], oracle['mlp_hidden_grad'])
    for i, grad in enumerate(values[3:]):
        _close(grad, oracle['mlp_wgrad%d' % i])


def test_cnn_saliency_gradcam_and_weight_gradients_match_tf1_oracle(oracle):
    model = _cnn(oracle)
    conv = model.get_layer('last_conv').output
    score = model.output[:, 0]
    conv_grad = K.gradients(score, conv)[0]
    pooled = K.mean(conv_grad, axis=(0, 1, 2))
    heatmap = K.relu(K.sum(conv * pooled, axis=-1))
    target = K.placeholder((None, 3))
    loss = K.mean(keras.losses.categorical_crossentropy(target, model.output))
    weight_grads = K.gradients(loss, model.trainable_weights)
    saliency = K.gradients(score, model.input)[0]
    names = ['cnn_out', 'cnn_conv', 'cnn_conv_grad', 'cnn_heatmap', 'cnn_loss', 'cnn_saliency']
    values = K.function([model.input, target, K.learning_phase()],
                        [model.output, conv, conv_grad, heatmap, loss, saliency] + weight_grads)(
                            [oracle['cnn_x'], oracle['cnn_y'], 0])
    for name, value in zip(names, values):
        _close(value, oracle[name])
    assert len(values) - len(names) == 8  # conv1, bn gamma and beta, last_conv, dense
    for i, grad in enumerate(values[len(names):]):
        _close(grad, oracle['cnn_wgrad%d' % i])


def test_batchnorm_training_phase_and_updates_match_tf1_oracle(oracle):
    model = _cnn(oracle)
    train = K.function([model.input, K.learning_phase()], [model.output], updates=model.updates)
    out, = train([oracle['cnn_x'], 1])
    _close(out, oracle['cnn_out_phase1'])
    bn = model.get_layer('bn')
    _close(K.get_value(bn.moving_mean), oracle['cnn_moving_mean'])
    _close(K.get_value(bn.moving_variance), oracle['cnn_moving_var'])
    # Phase 0 afterwards uses the new moving statistics and changes nothing.
    before = [K.get_value(bn.moving_mean), K.get_value(bn.moving_variance)]
    test_out, = train([oracle['cnn_x'], 0])
    np.testing.assert_array_equal(K.get_value(bn.moving_mean), before[0])
    np.testing.assert_array_equal(K.get_value(bn.moving_variance), before[1])
    _close(test_out, model.predict(oracle['cnn_x']))


# ---------------------------------------------------------------- 2. tf.GradientTape over the eager model

def test_mlp_gradients_match_gradient_tape(oracle):
    model = _mlp(oracle)
    x, y = tf.constant(oracle['mlp_x']), tf.constant(oracle['mlp_y'])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        h = x
        for layer in model.layers[:3]:
            h = layer(h)
        tape.watch(h)
        out = h
        for layer in model.layers[3:]:
            out = layer(out)
        loss = tf.reduce_mean(keras.losses.categorical_crossentropy(y, out))
        score = tf.reduce_sum(out[:, 1])
    want = [loss, tape.gradient(score, x), tape.gradient(loss, h)] + tape.gradient(loss, model.trainable_weights)
    _close(out, model.predict(oracle['mlp_x']))

    target = K.placeholder((None, 3))
    sym_loss = K.mean(keras.losses.categorical_crossentropy(target, model.output))
    got = K.function([model.input, target], [sym_loss,
                                             K.gradients(K.sum(model.output[:, 1]), model.input)[0],
                                             K.gradients(sym_loss, model.layers[2].output)[0]]
                     + K.gradients(sym_loss, model.trainable_weights))([oracle['mlp_x'], oracle['mlp_y']])
    assert len(got) == len(want) == 11
    for g, w in zip(got, want):
        _close(g, w.numpy())


def test_cnn_gradients_match_gradient_tape_over_split_models(oracle):
    model = _cnn(oracle)
    conv_layer = model.get_layer('last_conv')
    head = keras.models.Model(model.input, conv_layer.output)
    x = tf.constant(oracle['cnn_x'])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        conv = head(x)
        tape.watch(conv)
        out = model.get_layer('probs')(model.get_layer('flat')(conv))
        score = out[:, 0]
        loss = tf.reduce_mean(keras.losses.categorical_crossentropy(tf.constant(oracle['cnn_y']), out))
    want = [out, conv, tape.gradient(score, conv), tape.gradient(score, x)]
    want += tape.gradient(loss, model.trainable_weights)

    sym_score = model.output[:, 0]
    target = K.placeholder((None, 3))
    sym_loss = K.mean(keras.losses.categorical_crossentropy(target, model.output))
    got = K.function([model.input, target],
                     [model.output, conv_layer.output, K.gradients(sym_score, conv_layer.output)[0],
                      K.gradients(sym_score, model.input)[0]]
                     + K.gradients(sym_loss, model.trainable_weights))([oracle['cnn_x'], oracle['cnn_y']])
    assert len(got) == len(want) == 12
    for g, w in zip(got, want):
        _close(g, w.numpy())
    # The tape agrees with the TF1 oracle too (so the two oracles are consistent).
    _close(want[2].numpy(), oracle['cnn_conv_grad'])


# ---------------------------------------------------------------- 3. learning phase, updates, tracing, errors

def _tracing_counts(f):
    return {phase: compiled.experimental_get_tracing_count() for phase, compiled in f._compiled.items()}


def test_dropout_is_active_only_in_phase_1():
    inp = keras.layers.Input((200,))
    out = keras.layers.Dropout(0.5)(inp)
    f = K.function([inp, K.learning_phase()], [out])
    x = np.random.RandomState(1).uniform(1., 2., (4, 200)).astype('float32')
    test_out, = f([x, 0])
    np.testing.assert_array_equal(test_out, x)
    train_out, = f([x, 1])
    dropped = train_out == 0
    assert 0.3 < dropped.mean() < 0.7
    np.testing.assert_allclose(train_out[~dropped], x[~dropped] * 2., rtol=1e-6)
    again, = f([x, 1])
    assert (again != train_out).any()  # a fresh mask every call
    np.testing.assert_array_equal(f([x, 0])[0], x)
    assert _tracing_counts(f) == {0: 1, 1: 1}


def test_batchnorm_phase_1_uses_batch_statistics_and_updates_moving_ones():
    inp = keras.layers.Input((3,))
    bn = keras.layers.BatchNormalization(momentum=0.8, epsilon=1e-3)
    out = bn(inp)
    f = K.function([inp, K.learning_phase()], [out])
    x = np.random.RandomState(2).normal(2., 3., (6, 3)).astype('float32')

    test_out, = f([x, 0])  # moving statistics 0 and 1: x / sqrt(1 + eps)
    _close(test_out, x / np.sqrt(1. + 1e-3))
    np.testing.assert_array_equal(K.get_value(bn.moving_mean), np.zeros(3))
    np.testing.assert_array_equal(K.get_value(bn.moving_variance), np.ones(3))

    train_out, = f([x, 1])
    mean, var = x.mean(0), x.var(0)
    _close(train_out, (x - mean) / np.sqrt(var + 1e-3), atol=1e-4)
    _close(K.get_value(bn.moving_mean), 0.2 * mean)
    # On 2D input the moving variance moves towards the batch variance, as in tf_keras (the TF1
    # oracle above checks the 4D case, where TensorFlow's fused kernel applies Bessel's correction).
    _close(K.get_value(bn.moving_variance), 0.8 + 0.2 * var, atol=1e-4)

    moved = [K.get_value(bn.moving_mean), K.get_value(bn.moving_variance)]
    test_out, = f([x, 0])
    _close(test_out, (x - moved[0]) / np.sqrt(moved[1] + 1e-3))
    np.testing.assert_array_equal(K.get_value(bn.moving_mean), moved[0])
    np.testing.assert_array_equal(K.get_value(bn.moving_variance), moved[1])


def test_updates_pairs_and_deferred_update_add_apply_once_per_call_after_outputs():
    v = K.variable(0.)
    counter = K.variable(10.)
    ph = K.placeholder((None, 3))
    increment = K.update_add(counter, 1.)  # top level: deferred, symbolic, as in Keras 2
    assert is_symbolic(increment) and not K.is_keras_tensor(increment)  # an op's output, not a layer's
    assert K.get_value(counter) == 10.
    f = K.function([ph], [K.sum(ph) + v, v, counter],
                   updates=[(v, v + K.sum(ph)), increment])
    assert K.get_value(v) == 0. and K.get_value(counter) == 10.
    x = np.ones((2, 3), 'float32')
    total, seen_v, seen_counter = f([x])
    assert (total, seen_v, seen_counter) == (6., 0., 10.)  # outputs read the values before the updates
    assert K.get_value(v) == 6. and K.get_value(counter) == 11.
    total, seen_v, seen_counter = f([2 * x])
    assert (total, seen_v, seen_counter) == (18., 6., 11.)
    assert K.get_value(v) == 18. and K.get_value(counter) == 12.


def test_all_update_values_are_computed_before_any_is_applied():
    a, b = K.variable(1.), K.variable(2.)
    swap = K.function([], [], updates=[(a, b), (b, a)])
    swap([])
    assert (K.get_value(a), K.get_value(b)) == (2., 1.)
    c = K.variable(5.)
    both = K.function([], [], updates=[K.update(c, c * 2.), K.update_sub(c, 1.)])
    both([])
    # Keras 2 (a TF1 session) gives no order between two updates of one variable; kernelkit computes
    # every new value first (c * 2 reads 5), then applies the updates in the order given: 10, then 9.
    assert K.get_value(c) == 9.


def test_traced_once_per_signature_across_batch_sizes():
    ph = K.placeholder((None, 3))
    f = K.function([ph, K.learning_phase()], [K.sum(ph, axis=1)])
    for batch in (1, 2, 5, 7):
        out, = f([np.ones((batch, 3)), 0])
        np.testing.assert_array_equal(out, np.full(batch, 3.))
    assert _tracing_counts(f) == {0: 1}
    f([np.ones((3, 3)), 1])
    f([np.ones((4, 3)), 1])
    assert _tracing_counts(f) == {0: 1, 1: 1}
    plain = K.function([ph], [ph * 2.])
    for batch in (2, 3):
        plain([np.ones((batch, 3))])
    assert _tracing_counts(plain) == {None: 1}


def test_missing_feed_is_reported_at_creation_naming_the_placeholder():
    fed = K.placeholder((None, 3), name='fed_values')
    forgotten = K.placeholder((None, 3), name='forgotten_values')
    with pytest.raises(ValueError, match='forgotten_values'):
        K.function([fed], [fed + forgotten])
    v = K.variable(0.)
    with pytest.raises(ValueError, match='forgotten_values'):
        K.function([fed], [fed * 2.], updates=[(v, K.sum(forgotten))])
    inp = keras.layers.Input((3,), name='model_input')
    out = keras.layers.Dense(2)(inp)
    with pytest.raises(ValueError, match='model_input'):
        K.function([], [out])


def test_wrong_number_of_values_and_wrong_shapes_are_clear_errors():
    ph = K.placeholder((None, 3), name='three_columns')
    other = K.placeholder((2, 2), name='two_by_two')
    f = K.function([ph, other, K.learning_phase()], [K.sum(ph) + K.sum(other)])
    assert f([np.ones((4, 3)), np.ones((2, 2)), 0]) == [16.]
    with pytest.raises(ValueError, match='expects 3 input values.*got 2'):
        f([np.ones((4, 3)), np.ones((2, 2))])
    with pytest.raises(ValueError, match=r'three_columns.*\(4, 5\)'):
        f([np.ones((4, 5)), np.ones((2, 2)), 0])
    with pytest.raises(ValueError, match=r'two_by_two.*\(3, 2\)'):
        f([np.ones((4, 3)), np.ones((3, 2)), 0])
    with pytest.raises(ValueError, match='three_columns'):
        f([np.ones((4,)), np.ones((2, 2)), 0])
    with pytest.raises(ValueError, match='learning phase'):
        f([np.ones((4, 3)), np.ones((2, 2)), 2])
    with pytest.raises(TypeError):
        K.function(ph, [ph])
    with pytest.raises(TypeError):
        K.function([ph], ph)


# ---------------------------------------------------------------- 4. K.gradients

def test_gradients_with_respect_to_placeholders_match_numpy():
    a = K.placeholder((None, 4))
    b = K.placeholder((None, 4))
    loss = K.sum(K.square(a) * b) + 3. * K.sum(b)
    ga, gb = K.gradients(loss, [a, b])
    xa = np.random.RandomState(3).normal(size=(2, 4)).astype('float32')
    xb = np.random.RandomState(4).normal(size=(2, 4)).astype('float32')
    got_a, got_b = K.function([a, b], [ga, gb])([xa, xb])
    _close(got_a, 2. * xa * xb)
    _close(got_b, xa ** 2 + 3.)


def test_gradients_of_a_variable_feeding_input_tensor_style_transfer_pattern():
    rng = np.random.RandomState(5)
    image = rng.normal(size=(1, 4)).astype('float32')
    variable = K.variable(image)
    reference = K.placeholder((1, 4), name='reference')
    inp = keras.layers.Input(tensor=K.concatenate([variable, reference], axis=0))
    dense = keras.layers.Dense(3)
    out = dense(inp)
    model = keras.models.Model(inp, out)
    kernel = rng.normal(size=(4, 3)).astype('float32')
    bias = rng.normal(size=(3,)).astype('float32')
    dense.set_weights([kernel, bias])
    loss = K.sum(K.square(out[0] - out[1]))
    g_var, g_ref, g_kernel = K.gradients(loss, [variable, reference, dense.kernel])
    ref = rng.normal(size=(1, 4)).astype('float32')
    f = K.function([reference], [loss, g_var, g_ref, g_kernel])
    got = f([ref])
    diff = (image @ kernel + bias) - (ref @ kernel + bias)  # (1, 3)
    _close(got[0], np.sum(diff ** 2))
    _close(got[1], 2. * diff @ kernel.T)
    _close(got[2], -2. * diff @ kernel.T)
    _close(got[3], 2. * (image - ref).T @ diff)
    # Gradient ascent on the variable, as style-transfer loops do with K.function + updates.
    step = K.function([reference], [loss], updates=[(variable, variable - 0.01 * g_var)])
    before, = step([ref])
    _close(K.get_value(variable), image - 0.01 * got[1])
    after, = step([ref])
    assert after < before
    assert model.inputs[0] is inp


def test_stop_gradient_blocks_and_unconnected_gives_zeros():
    ph = K.placeholder((None, 3))
    other = K.placeholder((None, 3))
    x = np.arange(6, dtype='float32').reshape(2, 3)
    half_blocked, = K.gradients(K.sum(K.stop_gradient(ph) * ph), [ph])
    blocked, = K.gradients(K.sum(K.stop_gradient(ph * 2.)), [ph])
    unconnected, = K.gradients(K.sum(ph), [other])
    got = K.function([ph, other], [half_blocked, blocked, unconnected])([x, x])
    _close(got[0], x)
    np.testing.assert_array_equal(got[1], np.zeros_like(x))
    np.testing.assert_array_equal(got[2], np.zeros_like(x))


def test_gradients_with_respect_to_a_frozen_layer_and_a_non_trainable_input():
    inp = keras.layers.Input((4,))
    frozen = keras.layers.Dense(3, trainable=False, kernel_initializer='ones')
    h = frozen(inp)
    out = keras.layers.Dense(1, kernel_initializer='ones', use_bias=False)(h)
    g_kernel, g_h = K.gradients(K.sum(out), [frozen.kernel, h])
    x = np.random.RandomState(6).normal(size=(5, 4)).astype('float32')
    got_kernel, got_h = K.function([inp], [g_kernel, g_h])([x])
    _close(got_kernel, np.tile(x.sum(0)[:, None], (1, 3)))
    np.testing.assert_array_equal(got_h, np.ones((5, 3)))


# ---------------------------------------------------------------- 5. get_updates custom loops

OPTIMIZERS = [
    ('SGD', dict(lr=0.1)),
    ('SGD', dict(lr=0.05, momentum=0.9, nesterov=True, decay=0.01)),
    ('RMSprop', dict(lr=0.01)),
    ('Adagrad', dict(lr=0.05, decay=0.001)),
    ('Adadelta', dict(lr=1.0)),
    ('Adam', dict(lr=0.01)),
    ('Adam', dict(lr=0.01, amsgrad=True, clipnorm=0.5)),
    ('Adamax', dict(lr=0.02, clipvalue=0.1)),
    ('Nadam', dict(lr=0.01)),
]


def _regression_model(seed):
    rng = np.random.RandomState(seed)
    model = keras.models.Sequential([keras.layers.Dense(5, activation='tanh', input_shape=(4,)),
                                     keras.layers.Dense(2)])
    model.set_weights([rng.normal(0, 0.5, w.shape).astype('float32') for w in model.get_weights()])
    return model


@pytest.mark.parametrize('name, config', OPTIMIZERS,
                         ids=['%s-%s' % (n, '-'.join(sorted(c))) for n, c in OPTIMIZERS])
def test_get_updates_loop_equals_train_on_batch(name, config):
    rng = np.random.RandomState(7)
    batches = [(rng.normal(size=(6, 4)).astype('float32'), rng.normal(size=(6, 2)).astype('float32'))
               for _ in range(4)]
    reference = _regression_model(8)
    reference.compile(getattr(keras.optimizers, name)(**config), 'mse')
    want_losses = [float(reference.train_on_batch(x, y)) for x, y in batches]

    model = _regression_model(8)
    optimizer = getattr(keras.optimizers, name)(**config)
    target = K.placeholder((None, 2), name='target')
    loss = K.mean(keras.losses.mean_squared_error(target, model.output))
    updates = optimizer.get_updates(loss, model.trainable_weights)
    train = K.function([model.input, target], [loss], updates=updates)
    got_losses = [float(train([x, y])[0]) for x, y in batches]

    np.testing.assert_allclose(got_losses, want_losses, rtol=1e-5, atol=1e-6)
    assert got_losses[-1] < got_losses[0]
    for got, want in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    assert K.get_value(optimizer.iterations) == K.get_value(reference.optimizer.iterations) == 4
    for got, want in zip(optimizer.get_weights(), reference.optimizer.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_get_updates_keyword_form_and_gan_style_alternating_functions():
    # Keyword form, and two K.functions sharing one model (a GAN's discriminator and generator
    # steps update disjoint weights).
    model = _regression_model(9)
    first, second = model.layers
    target = K.placeholder((None, 2))
    loss = K.mean(K.square(model.output - target))
    step_first = K.function([model.input, target], [loss],
                            updates=keras.optimizers.SGD(lr=0.1).get_updates(
                                loss=loss, params=first.trainable_weights))
    step_second = K.function([model.input, target], [loss],
                             updates=keras.optimizers.Adam(lr=0.01).get_updates(
                                 params=second.trainable_weights, loss=loss))
    x = np.random.RandomState(10).normal(size=(8, 4)).astype('float32')
    y = np.random.RandomState(11).normal(size=(8, 2)).astype('float32')
    second_before = second.get_weights()
    first_before = first.get_weights()
    step_first([x, y])
    assert all((a == b).all() for a, b in zip(second.get_weights(), second_before))
    assert any((a != b).any() for a, b in zip(first.get_weights(), first_before))
    first_after = first.get_weights()
    step_second([x, y])
    assert all((a == b).all() for a, b in zip(first.get_weights(), first_after))
    losses = [float(step_first([x, y])[0]) for _ in range(5)]
    assert losses[-1] < losses[0]


def test_get_gradients_clips_as_the_update_does():
    v = K.variable(np.array([3., 4.], 'float32'))
    scale = K.placeholder((2,))
    loss = K.sum(v * scale)  # fed (3, 4): gradient (3, 4), norm 5
    clipped_norm, = keras.optimizers.SGD(clipnorm=1.).get_gradients(loss, [v])
    clipped_value, = keras.optimizers.SGD(clipvalue=3.5).get_gradients(loss, [v])
    plain, = keras.optimizers.SGD().get_gradients(loss, [v])
    got = K.function([scale], [clipped_norm, clipped_value, plain])([np.array([3., 4.], 'float32')])
    _close(got[0], [0.6, 0.8])
    _close(got[1], [3., 3.5])
    _close(got[2], [3., 4.])


def test_a_variable_on_the_left_of_an_operator_is_recorded_itself_not_its_value():
    # `tf.Variable.__mul__` would read the variable first: the gradient would be zero and the update
    # below would keep subtracting from the first value.
    v = K.variable(np.array([3., 4.], 'float32'))
    scale = K.placeholder((2,), name='scale')
    product = v * scale
    grad, = K.gradients(K.sum(product), [v])
    f = K.function([scale], [product, grad, v < scale], updates=[(v, v - 0.5 * scale)])
    fed = np.array([1., 2.], 'float32')
    out, got_grad, less = f([fed])
    _close(out, [3., 8.])
    _close(got_grad, fed)
    assert less.tolist() == [False, False]
    _close(K.get_value(v), [2.5, 3.])
    out, _, _ = f([fed])
    _close(out, [2.5, 6.])
    _close(K.get_value(v), [2., 2.])
    kernel = keras.layers.Dense(2, use_bias=False, kernel_initializer='ones')
    inp = keras.layers.Input((2,))
    kernel(inp)
    mask = K.placeholder((2, 2), name='mask')
    weighted = kernel.kernel * mask  # a layer's weight on the left
    mask_grad, = K.gradients(K.sum(weighted), [kernel.kernel])
    got, = K.function([mask], [mask_grad])([np.full((2, 2), 3., 'float32')])
    _close(got, np.full((2, 2), 3.))
