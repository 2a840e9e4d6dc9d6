"""Tests for `kernelkit.optimizers.TFOptimizer` (a wrapped `tf.compat.v1.train.Optimizer`) and for
gradient clipping (`clipnorm` / `clipvalue`) checked against numpy.

Keras 2.2.4 behaviour: `compile(tf_v1_optimizer)` wraps it in `TFOptimizer`; `save` warns and stores no
optimizer (the loaded model is not compiled); `get_config` / `weights` raise; `optimizers.get` wraps.
"""
import warnings

import numpy as np
import pytest
import tensorflow as tf

import kernelkit as keras
from kernelkit import optimizers


@pytest.fixture
def data():
    x = np.random.RandomState(0).randn(64, 5).astype('float32')
    return x, x.sum(1, keepdims=True)


def _model():
    keras.backend.clear_session()
    return keras.models.Sequential([keras.layers.Dense(3, input_dim=5, kernel_initializer='ones'),
                                    keras.layers.Dense(1, kernel_initializer='ones')])


def _train(optimizer, data, epochs=3):
    model = _model()
    model.compile(optimizer, 'mse')
    history = model.fit(data[0], data[1], batch_size=16, epochs=epochs, verbose=0, shuffle=False)
    return model, history.history['loss']


def _max_weight_diff(a, b):
    return max(np.abs(u - v).max() for u, v in zip(a.get_weights(), b.get_weights()))


def test_compile_wraps_a_tf1_optimizer():
    model = _model()
    tf_opt = tf.compat.v1.train.MomentumOptimizer(0.01, 0.9)
    model.compile(tf_opt, 'mse')
    assert isinstance(model.optimizer, optimizers.TFOptimizer)
    assert model.optimizer.optimizer is tf_opt


def test_momentum_training_equals_keras_sgd_with_momentum(data):
    wrapped, wrapped_loss = _train(tf.compat.v1.train.MomentumOptimizer(0.01, 0.9), data)
    keras_sgd, keras_loss = _train(optimizers.SGD(lr=0.01, momentum=0.9), data)
    assert _max_weight_diff(wrapped, keras_sgd) < 1e-6
    np.testing.assert_allclose(wrapped_loss, keras_loss, rtol=1e-5)
    # the weights really moved (a no-op optimizer would match nothing here)
    assert np.abs(wrapped.get_weights()[0] - 1.).max() > 1e-3
    # 64 samples / batch 16 = 4 steps per epoch
    assert int(keras.backend.get_value(wrapped.optimizer.iterations)) == 12


def test_gradient_descent_equals_keras_sgd(data):
    wrapped, _ = _train(tf.compat.v1.train.GradientDescentOptimizer(0.02), data, epochs=2)
    keras_sgd, _ = _train(optimizers.SGD(lr=0.02), data, epochs=2)
    assert _max_weight_diff(wrapped, keras_sgd) < 1e-6


def test_train_on_batch_and_evaluate_work(data):
    model = _model()
    model.compile(tf.compat.v1.train.GradientDescentOptimizer(0.01), 'mse')
    before = model.evaluate(data[0], data[1], verbose=0)
    loss = model.train_on_batch(data[0], data[1])
    np.testing.assert_allclose(loss, before, rtol=1e-5)  # the loss is computed before the update
    assert model.evaluate(data[0], data[1], verbose=0) < before
    assert int(keras.backend.get_value(model.optimizer.iterations)) == 1


def test_save_warns_and_the_file_loads_without_optimizer(data, tmp_path):
    model, _ = _train(tf.compat.v1.train.MomentumOptimizer(0.01, 0.9), data, epochs=1)
    path = str(tmp_path / 'tfopt.h5')
    with pytest.warns(UserWarning, match='TensorFlow optimizers do not make it possible to access optimizer'):
        model.save(path)
    with pytest.warns(UserWarning, match='No training configuration found'):
        loaded = keras.models.load_model(path)
    assert loaded.optimizer is None
    np.testing.assert_allclose(loaded.predict(data[0]), model.predict(data[0]), atol=1e-6)
    loaded.compile('sgd', 'mse')  # recompiling after loading works, as the warning says
    loaded.train_on_batch(data[0], data[1])


def test_save_without_optimizer_does_not_warn(data, tmp_path):
    model, _ = _train(tf.compat.v1.train.GradientDescentOptimizer(0.01), data, epochs=1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        model.save(str(tmp_path / 'plain.h5'), include_optimizer=False)
    assert not [w for w in caught if 'TensorFlow optimizers' in str(w.message)]


def test_get_config_weights_and_from_config_raise_clearly():
    wrapper = optimizers.TFOptimizer(tf.compat.v1.train.AdamOptimizer())
    with pytest.raises(NotImplementedError, match='TFOptimizer has no config'):
        wrapper.get_config()
    with pytest.raises(NotImplementedError, match='optimizer state'):
        wrapper.weights
    with pytest.raises(NotImplementedError, match='TFOptimizer cannot be created from a config'):
        optimizers.TFOptimizer.from_config({})


def test_wrapping_something_else_raises():
    with pytest.raises(TypeError, match='apply_gradients'):
        optimizers.TFOptimizer('adam')


def test_optimizers_get_wraps_a_tf1_optimizer():
    tf_opt = tf.compat.v1.train.RMSPropOptimizer(0.01)
    wrapper = optimizers.get(tf_opt)
    assert isinstance(wrapper, optimizers.TFOptimizer) and wrapper.optimizer is tf_opt
    assert optimizers.get(wrapper) is wrapper


# ---- clipnorm / clipvalue against numpy ----

def _np_clip_norm(g, c, n):
    """Keras 2.2.4: g * c / max(n, c) when c > 0 (n >= c rescales; otherwise unchanged)."""
    return g if c <= 0 else g * c / max(n, c)


@pytest.mark.parametrize('c, n', [(1.0, 5.0), (10.0, 5.0), (5.0, 5.0), (0.0, 5.0)])
def test_clip_norm_helper_matches_the_keras_224_formula(c, n):
    g = np.array([3., -4., 1.], dtype='float32')
    got = keras.backend.eval(optimizers.clip_norm(tf.constant(g), c, tf.constant(n)))
    np.testing.assert_allclose(got, _np_clip_norm(g, c, n), rtol=1e-6)


def test_clip_norm_helper_keeps_indexed_slices():
    slices = tf.IndexedSlices(tf.constant([[3., 4.]]), tf.constant([1]), tf.constant([3, 2]))
    got = optimizers.clip_norm(slices, 1.0, tf.constant(5.0))
    assert isinstance(got, tf.IndexedSlices)
    np.testing.assert_allclose(got.values.numpy(), [[0.6, 0.8]], rtol=1e-6)


def _np_sgd_steps(x, y, w, b, lr, steps, clipnorm=0., clipvalue=0.):
    """Full-batch SGD on Dense(1) with mse, clipping as Keras 2.2.4 does (global norm, then value)."""
    for _ in range(steps):
        err = x.dot(w) + b - y
        gw = 2. * x.T.dot(err) / err.size
        gb = 2. * err.sum(0) / err.size
        grads = [gw, gb]
        if clipnorm > 0:
            norm = np.sqrt(sum((g ** 2).sum() for g in grads))
            grads = [_np_clip_norm(g, clipnorm, norm) for g in grads]
        if clipvalue > 0:
            grads = [np.clip(g, -clipvalue, clipvalue) for g in grads]
        w, b = w - lr * grads[0], b - lr * grads[1]
    return w, b


@pytest.mark.parametrize('clip', [dict(clipnorm=0.5), dict(clipvalue=0.05), dict(clipnorm=0.5, clipvalue=0.05),
                                  dict(clipnorm=1e3)], ids=['norm', 'value', 'both', 'norm_inactive'])
def test_sgd_clipping_in_training_matches_numpy(clip, data):
    x, y = data[0].astype('float64'), (data[1] * 3.).astype('float64')
    keras.backend.clear_session()
    model = keras.models.Sequential([keras.layers.Dense(1, input_dim=5, kernel_initializer='zeros')])
    model.compile(optimizers.SGD(lr=0.1, **clip), 'mse')
    model.fit(data[0], y.astype('float32'), batch_size=64, epochs=4, verbose=0, shuffle=False)
    w, b = _np_sgd_steps(x, y, np.zeros((5, 1)), np.zeros(1), 0.1, 4, **clip)
    got_w, got_b = model.get_weights()
    np.testing.assert_allclose(got_w, w, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(got_b, b, rtol=1e-4, atol=1e-6)
    # unclipped SGD ends elsewhere, except when the clip never triggers
    free_w, _ = _np_sgd_steps(x, y, np.zeros((5, 1)), np.zeros(1), 0.1, 4)
    assert (np.abs(free_w - w).max() < 1e-9) == (clip == dict(clipnorm=1e3))
