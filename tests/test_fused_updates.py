"""The optimizers' fused updates: inside a compiled step, the built-in update rules run as one
XLA-compiled function (`kernelkit.optimizers.base.FUSED_UPDATES`). The oracle is the same training with
the rules run op by op: the weights, the slots and the losses must agree."""
import numpy as np
import pytest

import kernelkit as keras
from kernelkit.optimizers import base

RNG = np.random.RandomState(5)
X = RNG.randn(96, 6).astype('float32')
Y = (X[:, :3].sum(axis=1, keepdims=True) > 0).astype('float32')

OPTIMIZERS = [
    ('SGD', {'lr': 0.05, 'momentum': 0.9, 'nesterov': True, 'decay': 1e-3}),
    ('RMSprop', {}),
    ('Adagrad', {}),
    ('Adadelta', {}),
    ('Adam', {'amsgrad': True}),
    ('Adam', {'clipnorm': 0.5}),
    ('Adamax', {}),
    ('Nadam', {}),
]


@pytest.fixture(autouse=True)
def fuse_small_models(monkeypatch):
    monkeypatch.setattr(base, 'FUSED_UPDATES_MIN_SIZE', 0)  # these models are small


def _train(name, kwargs, fused, monkeypatch):
    monkeypatch.setattr(base, 'FUSED_UPDATES', fused)
    model = keras.models.Sequential([
        keras.layers.Dense(5, activation='tanh', input_shape=(6,), kernel_initializer='ones',
                           kernel_constraint=keras.constraints.max_norm(1.5)),
        keras.layers.Dense(1, activation='sigmoid', kernel_initializer='ones')])
    optimizer = getattr(keras.optimizers, name)(**kwargs)
    model.compile(optimizer, 'binary_crossentropy')
    history = model.fit(X, Y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    assert (optimizer._fused_assign_updates is not None) == fused  # the fused path really ran
    return history.history['loss'], model.get_weights(), optimizer.get_weights()


@pytest.mark.parametrize('name,kwargs', OPTIMIZERS)
def test_fused_updates_give_the_op_by_op_results(name, kwargs, monkeypatch):
    fused = _train(name, kwargs, True, monkeypatch)
    plain = _train(name, kwargs, False, monkeypatch)
    np.testing.assert_allclose(fused[0], plain[0], rtol=1e-6)
    for ours, oracle in zip(fused[1] + fused[2], plain[1] + plain[2]):
        np.testing.assert_allclose(ours, oracle, rtol=1e-5, atol=1e-7)


def test_only_built_in_rules_and_constraints_are_fused(monkeypatch):
    import tensorflow as tf
    monkeypatch.setattr(base, 'FUSED_UPDATES', True)

    class MyRule(keras.optimizers.SGD):
        def _update(self, grad, param, slots, hyper):
            return param - hyper['lr'] * tf.sign(grad)

    weight = tf.Variable(tf.ones((2,)))
    results = {}

    def check(optimizer):
        tf.function(lambda: results.update(fused=optimizer._fuses_updates([weight])))()
    check(keras.optimizers.SGD())
    assert results['fused'] is True
    check(MyRule())
    assert results['fused'] is False
    weight = tf.Variable(tf.ones((2,)), constraint=lambda w: tf.clip_by_value(w, 0., 1.))
    check(keras.optimizers.SGD())
    assert results['fused'] is False
    assert keras.optimizers.SGD()._fuses_updates([weight]) is False  # eagerly: op by op
    weight = tf.Variable(tf.ones((2,)))
    monkeypatch.setattr(base, 'FUSED_UPDATES_MIN_SIZE', 3)
    check(keras.optimizers.SGD())
    assert results['fused'] is False  # two elements: not worth compiling
