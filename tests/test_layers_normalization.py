"""BatchNormalization against tf_keras (outputs, gradients, moving statistics after `train_on_batch` and `fit`)
and numpy (the Keras 2 update rule, frozen layers, configs, errors)."""
import numpy as np
import pytest
import tf_keras

from kernelkit import layers, regularizers
from kernelkit.layers import BatchNormalization, Input
from kernelkit.models import Model, Sequential
from kernelkit.utils.test_utils import layer_test


def _data(shape, seed=0, scale=2., shift=1.):
    return (np.random.RandomState(seed).standard_normal(shape) * scale + shift).astype('float32')


@pytest.mark.parametrize('kwargs,input_shape', [
    ({}, (4, 3)),
    ({'momentum': 0.8, 'epsilon': 1e-2}, (3, 2, 4)),
    ({'axis': 1}, (3, 2, 4)),
    ({'axis': 1, 'beta_initializer': 'ones', 'gamma_initializer': 'zeros'}, (2, 3, 2, 2)),  # channels_first
    ({'axis': -1, 'center': False}, (2, 2, 2, 3)),
    ({'axis': 3, 'scale': False, 'moving_variance_initializer': 'zeros'}, (2, 2, 2, 3)),
    ({'axis': 1, 'center': False, 'scale': False}, (2, 2, 2, 2, 2)),
])
def test_batch_normalization_matches_oracle(kwargs, input_shape):
    layer_test(BatchNormalization, kwargs, input_shape=input_shape, oracle=tf_keras.layers.BatchNormalization,
               atol=1e-4, grad_atol=1e-3)


def test_weights_order_names_and_keras2_config():
    layer = BatchNormalization(axis=1)
    layer.build((None, 3, 4, 4))
    assert [w.name for w in layer.weights] == [
        'batch_normalization_1/gamma:0', 'batch_normalization_1/beta:0',
        'batch_normalization_1/moving_mean:0', 'batch_normalization_1/moving_variance:0']
    assert len(layer.trainable_weights) == 2 and len(layer.non_trainable_weights) == 2
    config = layer.get_config()
    assert config['axis'] == 1  # Keras 2 stored the integer (tf.keras stores [1])
    assert (config['momentum'], config['epsilon'], config['center'], config['scale']) == (0.99, 1e-3, True, True)
    assert set(config) == {'name', 'trainable', 'axis', 'momentum', 'epsilon', 'center', 'scale',
                           'beta_initializer', 'gamma_initializer', 'moving_mean_initializer',
                           'moving_variance_initializer', 'beta_regularizer', 'gamma_regularizer',
                           'beta_constraint', 'gamma_constraint'}
    assert BatchNormalization.from_config(config).get_config() == config
    # a tf.keras-style config (axis as a one-element list) loads
    assert BatchNormalization.from_config(dict(config, axis=[3])).get_config()['axis'] == 3
    no_scale = BatchNormalization(scale=False, center=False)
    no_scale.build((None, 2))
    assert [w.name.split('/')[-1] for w in no_scale.weights] == ['moving_mean:0', 'moving_variance:0']


def _twin_models(input_shape, axis, momentum=0.8):
    ours = Sequential([BatchNormalization(axis=axis, momentum=momentum, input_shape=input_shape)])
    oracle = tf_keras.Sequential([tf_keras.layers.BatchNormalization(axis=axis, momentum=momentum,
                                                                     input_shape=input_shape)])
    rng = np.random.RandomState(3)
    weights = [w + rng.uniform(0, 0.5, w.shape).astype('float32') for w in oracle.get_weights()]
    ours.set_weights(weights)
    oracle.set_weights(weights)
    ours.compile('sgd', 'mse')
    oracle.compile(tf_keras.optimizers.SGD(0.01), 'mse')
    return ours, oracle


@pytest.mark.parametrize('input_shape,axis', [((3,), -1), ((3, 2), 1), ((2, 2, 3), -1), ((3, 2, 2), 1),
                                              ((2, 2, 2, 2), 1), ((2, 2, 2, 3), -1)])
def test_moving_statistics_after_training_match_oracle(input_shape, axis):
    ours, oracle = _twin_models(input_shape, axis)
    x, y = _data((6,) + input_shape, 0), _data((6,) + input_shape, 1, scale=1., shift=0.)
    for _ in range(2):
        np.testing.assert_allclose(ours.train_on_batch(x, y), oracle.train_on_batch(x, y), rtol=1e-5)
    ours.fit(x, y, batch_size=3, epochs=2, shuffle=False, verbose=0)
    oracle.fit(x, y, batch_size=3, epochs=2, shuffle=False, verbose=0)
    for ours_w, oracle_w in zip(ours.get_weights(), oracle.get_weights()):
        np.testing.assert_allclose(ours_w, oracle_w, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(ours.predict(x), oracle.predict(x, verbose=0), atol=1e-4)
    np.testing.assert_allclose(ours.evaluate(x, y, verbose=0), oracle.evaluate(x, y, verbose=0), rtol=1e-5)


def test_update_rule_numpy_and_inference_unchanged():
    layer = BatchNormalization(momentum=0.9, epsilon=1e-3)
    x = _data((5, 3))
    inference = layer(x).numpy()  # inference: moving statistics (0, 1), nothing updated
    np.testing.assert_allclose(inference, x / np.sqrt(1 + 1e-3), rtol=1e-5)
    np.testing.assert_allclose(layer.get_weights()[2:], [np.zeros(3), np.ones(3)])
    training = layer(x, training=True).numpy()
    mean, var = x.mean(0), x.var(0)
    np.testing.assert_allclose(training, (x - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(layer.get_weights()[2], 0.1 * mean, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer.get_weights()[3], 0.9 + 0.1 * var, rtol=1e-5)
    # on 4D channels-first input the moving variance takes the Bessel-corrected batch variance (as tf.keras)
    layer4 = BatchNormalization(axis=1, momentum=0.5)
    x4 = _data((2, 3, 2, 2))
    layer4(x4, training=True)
    var4 = x4.var(axis=(0, 2, 3))
    np.testing.assert_allclose(layer4.get_weights()[3], 0.5 + 0.5 * var4 * 8 / 7, rtol=1e-5)
    # channels-last 4D input runs TensorFlow's fused kernel: the same outputs and updates (also without
    # gamma and beta)
    layer_last = BatchNormalization(momentum=0.5, center=False, scale=False)
    x_last = _data((2, 2, 2, 3))
    out = layer_last(x_last, training=True).numpy()
    mean_last, var_last = x_last.mean(axis=(0, 1, 2)), x_last.var(axis=(0, 1, 2))
    np.testing.assert_allclose(out, (x_last - mean_last) / np.sqrt(var_last + 1e-3), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(layer_last.get_weights()[0], 0.5 * mean_last, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer_last.get_weights()[1], 0.5 + 0.5 * var_last * 8 / 7, rtol=1e-5)


def test_frozen_layer_uses_batch_statistics_but_keeps_moving_ones_keras2():
    # Keras 2: a non-trainable BatchNormalization still normalizes with the batch statistics in training, but
    # its updates are dropped (tf.keras changed this to inference mode, so numpy is the reference here).
    bn = BatchNormalization(momentum=0.5, input_shape=(3,))
    model = Sequential([bn])
    bn.trainable = False
    model.compile('sgd', 'mse')
    x, y = _data((4, 3)), _data((4, 3), 1)
    before = model.get_weights()
    expected_loss = np.mean(np.square((x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3) - y))
    np.testing.assert_allclose(model.train_on_batch(x, y), expected_loss, rtol=1e-5)
    for a, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(a, b)
    assert model.trainable_weights == []


def test_regularizers_and_constraints():
    layer = BatchNormalization(gamma_regularizer=regularizers.l2(0.1), beta_regularizer='l1',
                               gamma_constraint='non_neg', beta_initializer='ones')
    layer.build((None, 2))
    np.testing.assert_allclose(sorted(float(v) for v in layer.losses), [0.01 * 2, 0.1 * 2], rtol=1e-6)
    config = layer.get_config()
    assert config['gamma_constraint']['class_name'] == 'NonNeg'
    assert BatchNormalization.from_config(config).get_config() == config


def test_in_models_and_masks_pass_through():
    x = Input(shape=(3, 2))
    masked = layers.Masking()(x)
    y = BatchNormalization()(masked)
    assert y._keras_mask is not None
    model = Model(x, y)
    assert model.output_shape == (None, 3, 2)


def test_errors_at_construction_and_build():
    with pytest.raises(ValueError, match='axis'):
        BatchNormalization(axis=[1, 2])
    with pytest.raises(ValueError, match='momentum'):
        BatchNormalization(momentum=1.5)
    with pytest.raises(ValueError, match='epsilon'):
        BatchNormalization(epsilon=0)
    with pytest.raises(ValueError, match=r'batch_normalization_\d+.*axis 3.*\(None, 2, 3\)'):
        BatchNormalization(axis=3)(Input(shape=(2, 3)))
    with pytest.raises(ValueError, match='defined dimension'):
        BatchNormalization(axis=1)(Input(shape=(None, 3)))
    layer = BatchNormalization()
    layer(Input(shape=(3,)))
    with pytest.raises(ValueError, match='axis -1'):
        layer(Input(shape=(4,)))


def test_frozen_container_keeps_moving_statistics():
    """Keras 2: a model with `trainable=False` drops the updates of the layers inside it."""
    from kernelkit.layers import BatchNormalization, Dense, Input
    from kernelkit.models import Model, Sequential
    inner = Sequential([BatchNormalization(input_shape=(3,))])
    inner.trainable = False
    x = Input(shape=(3,))
    model = Model(x, Dense(1)(inner(x)))
    model.compile('sgd', 'mse')
    before = [w.copy() for w in inner.layers[0].get_weights()]
    model.train_on_batch(np.random.rand(8, 3).astype('float32') * 5, np.zeros((8, 1)))
    for a, b in zip(before, inner.layers[0].get_weights()):
        np.testing.assert_array_equal(a, b)
    inner.trainable = True
    model.compile('sgd', 'mse')
    model.train_on_batch(np.random.rand(8, 3).astype('float32') * 5, np.zeros((8, 1)))
    assert not np.allclose(before[2], inner.layers[0].get_weights()[2])
