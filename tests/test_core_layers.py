"""The core layers (Dense, Activation, Dropout, Flatten, Reshape, Permute, RepeatVector, Lambda,
ActivityRegularization, Masking) against tf_keras (oracle, through `layer_test`) and numpy."""
import numpy as np
import pytest
import tensorflow as tf
import tf_keras

from kernelkit import backend as K
from kernelkit import regularizers
from kernelkit.layers import (Activation, ActivityRegularization, Dense, Dropout, Flatten, Input, Lambda,
                              Masking, Permute, RepeatVector, Reshape)
from kernelkit.models import Model, Sequential
from kernelkit.utils.test_utils import layer_test

ACTIVATIONS = ['softmax', 'elu', 'selu', 'softplus', 'softsign', 'relu', 'tanh', 'sigmoid',
               'hard_sigmoid', 'exponential', 'linear']


def _data(shape, seed=0):
    return np.random.RandomState(seed).standard_normal(shape).astype('float32')


# ---------------------------------------------------------------------------------------------- Dense

@pytest.mark.parametrize('kwargs,input_shape', [
    ({'units': 3}, (2, 4)),
    ({'units': 3, 'use_bias': False}, (2, 4)),
    ({'units': 2, 'activation': 'tanh'}, (2, 5)),
    ({'units': 3, 'activation': 'softmax', 'bias_initializer': 'ones'}, (2, 3, 4)),
])
def test_dense_matches_oracle(kwargs, input_shape):
    out = layer_test(Dense, kwargs, input_shape=input_shape, oracle=tf_keras.layers.Dense)
    assert out.shape == input_shape[:-1] + (kwargs['units'],)


def test_dense_weights_and_3d_input_numpy():
    layer = Dense(3, use_bias=False)
    x = _data((2, 4, 5))
    y = layer(x).numpy()
    assert [w.name for w in layer.weights] == ['dense_1/kernel:0']
    np.testing.assert_allclose(y, x @ layer.get_weights()[0], rtol=1e-5, atol=1e-6)
    assert layer.count_params() == 15


def test_dense_regularizers_match_oracle_and_numpy():
    kwargs = {'units': 3, 'kernel_regularizer': regularizers.l2(0.1), 'bias_regularizer': 'l1',
              'activity_regularizer': regularizers.l1_l2(0.01, 0.02)}
    oracle_kwargs = {'units': 3, 'kernel_regularizer': tf_keras.regularizers.l2(0.1), 'bias_regularizer': 'l1',
                     'activity_regularizer': tf_keras.regularizers.l1_l2(0.01, 0.02)}
    layer_test(Dense, kwargs, input_shape=(2, 4), oracle=tf_keras.layers.Dense, oracle_kwargs=oracle_kwargs)

    layer = Dense(**dict(kwargs, bias_initializer='ones'))
    x = _data((3, 4))
    y = layer(x).numpy()
    kernel, bias = layer.get_weights()
    expected = [0.1 * np.square(kernel).sum(), 0.01 * np.abs(bias).sum(),
                0.01 * np.abs(y).sum() + 0.02 * np.square(y).sum()]
    np.testing.assert_allclose([float(v) for v in layer.losses], expected, rtol=1e-5)
    config = layer.get_config()
    assert config['kernel_regularizer'] == {'class_name': 'L1L2', 'config': {'l1': 0.0, 'l2': 0.1}}
    assert config['activity_regularizer'] == {'class_name': 'L1L2', 'config': {'l1': 0.01, 'l2': 0.02}}


@pytest.mark.parametrize('units', [-3, 0, 2.5, '4', None, True])
def test_dense_invalid_units(units):
    with pytest.raises(ValueError, match=r'Dense.*`units` must be a positive integer, got'):
        Dense(units)
    # The failed constructor did not consume a name.
    assert Dense(1).name == 'dense_1'


def test_dense_invalid_activation_and_input():
    with pytest.raises(ValueError, match='Unknown activation function.*nope'):
        Dense(2, activation='nope')
    with pytest.raises(ValueError, match=r'Input 0 of layer dense_1 .*min_ndim=2, found ndim=1'):
        Dense(2)(Input(batch_shape=(4,)))
    with pytest.raises(ValueError, match=r'dense_2: the last dimension of the inputs must be known'):
        Dense(2)(Input((None,)))


# ---------------------------------------------------------------------------------------------- Activation

@pytest.mark.parametrize('name', ACTIVATIONS)
def test_activation_every_name(name):
    layer_test(Activation, {'activation': name}, input_shape=(2, 3, 4), oracle=tf_keras.layers.Activation)
    assert Activation(name).get_config()['activation'] == name


def test_activation_function_and_bad_name():
    out = layer_test(Activation, {'activation': K.relu}, input_data=_data((3, 4)),
                     oracle=tf_keras.layers.Activation, oracle_kwargs={'activation': 'relu'})
    np.testing.assert_allclose(out, np.maximum(_data((3, 4)), 0), atol=1e-7)
    with pytest.raises(ValueError, match="Unknown activation function.*'swishy'"):
        Activation('swishy')


# ---------------------------------------------------------------------------------------------- Dropout

@pytest.mark.parametrize('kwargs', [{'rate': 0.5}, {'rate': 0.2, 'noise_shape': (None, 1, 3)}, {'rate': 0.}])
def test_dropout_inference_is_identity(kwargs):
    x = _data((2, 4, 3))
    out = layer_test(Dropout, kwargs, input_data=x, expected_output=x, oracle=tf_keras.layers.Dropout,
                     check_training=False)
    np.testing.assert_array_equal(out, x)


def test_dropout_training_statistics_and_scaling():
    rate = 0.3
    x = np.ones((50, 40), 'float32')
    y = Dropout(rate)(x, training=True).numpy()
    kept = y != 0
    assert abs(1. - kept.mean() - rate) < 0.05
    np.testing.assert_allclose(y[kept], 1. / (1. - rate), rtol=1e-6)
    # Without `training`, the learning phase decides (test phase by default).
    np.testing.assert_array_equal(Dropout(rate)(x).numpy(), x)
    with K.learning_phase_scope(1):
        assert (Dropout(rate)(x).numpy() == 0).any()


def test_dropout_noise_shape_shares_the_mask():
    x = np.ones((20, 5, 8), 'float32')
    y = Dropout(0.5, noise_shape=(None, 1, 8))(x, training=True).numpy()
    for t in range(1, 5):
        np.testing.assert_array_equal(y[:, t], y[:, 0])
    assert set(np.unique(y)) == {0., 2.}


def test_dropout_in_model_predict_and_fit():
    x = Input((10,))
    model = Model(x, Dropout(0.5)(x))
    data = np.ones((4, 10), 'float32')
    np.testing.assert_array_equal(model.predict(data), data)
    model.compile('sgd', 'mse')
    # Training runs with dropout active: the loss of identity-with-dropout against the input is positive.
    assert model.train_on_batch(data, data) > 0.1
    assert model.test_on_batch(data, data) == 0.


@pytest.mark.parametrize('rate', [-0.1, 1.5, 'half', None])
def test_dropout_invalid_rate(rate):
    with pytest.raises(ValueError, match=r'Dropout: `rate` must be a float in \[0, 1\], got'):
        Dropout(rate)
    with pytest.raises(ValueError, match=r'Dropout "d": `noise_shape` must be a tuple'):
        Dropout(0.5, noise_shape=3, name='d')
    assert Dropout(0.1).name == 'dropout_1'


# ---------------------------------------------------------------------------------------------- Flatten

@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
def test_flatten_matches_oracle(data_format):
    x = _data((2, 3, 4, 5))
    out = layer_test(Flatten, {'data_format': data_format}, input_data=x, oracle=tf_keras.layers.Flatten)
    moved = x if data_format == 'channels_last' else np.transpose(x, (0, 2, 3, 1))
    np.testing.assert_array_equal(out, moved.reshape(2, -1))


def test_flatten_default_format_and_unknown_shape():
    assert Flatten().get_config()['data_format'] == 'channels_last'
    layer_test(Flatten, {}, input_shape=(2, 3, 4), oracle=tf_keras.layers.Flatten)
    with pytest.raises(ValueError, match='not fully defined'):
        Flatten().compute_output_shape((None, None, 3))
    with pytest.raises(ValueError, match='data_format'):
        Flatten(data_format='channels_middle')


# ---------------------------------------------------------------------------------------------- Reshape

@pytest.mark.parametrize('target_shape', [(6,), (3, 2), (-1, 2), (2, -1, 1)])
def test_reshape_matches_oracle(target_shape):
    x = _data((2, 2, 3))
    out = layer_test(Reshape, {'target_shape': target_shape}, input_data=x, oracle=tf_keras.layers.Reshape)
    np.testing.assert_array_equal(out, x.reshape((2,) + target_shape))


def test_reshape_shapes():
    assert Reshape((-1, 2)).compute_output_shape((None, 2, 3)) == (None, 3, 2)
    assert Reshape((-1, 2)).compute_output_shape((None, None, 3)) == (None, None, 2)
    assert Reshape((-1, 2))(Input((4, 3)))._keras_shape == (None, 6, 2)


@pytest.mark.parametrize('target_shape', [(5,), (-1, 4)])
def test_reshape_invalid_size_errors_at_build(target_shape):
    layer = Reshape(target_shape)
    with pytest.raises(ValueError, match=r'reshape_1: total size of new array must be unchanged '
                                         r'\(input shape \(2, 3\)'):
        layer(Input((2, 3)))
    assert not layer.built and not layer._inbound_nodes


@pytest.mark.parametrize('target_shape', [(-1, -1), (0, 3), (-2,), 'ab', 3])
def test_reshape_invalid_target(target_shape):
    with pytest.raises(ValueError, match='Reshape: `target_shape` must'):
        Reshape(target_shape)


# ---------------------------------------------------------------------------------------------- Permute

@pytest.mark.parametrize('dims,shape', [((2, 1), (2, 3, 4)), ((3, 1, 2), (2, 3, 4, 5))])
def test_permute_matches_oracle(dims, shape):
    x = _data(shape)
    out = layer_test(Permute, {'dims': dims}, input_data=x, oracle=tf_keras.layers.Permute)
    np.testing.assert_array_equal(out, np.transpose(x, (0,) + dims))


@pytest.mark.parametrize('dims', [(1, 3), (0, 1), (1, 1), (2,), ('a', 'b'), 5])
def test_permute_invalid_dims(dims):
    with pytest.raises(ValueError, match='Permute: `dims` must be'):
        Permute(dims)


def test_permute_wrong_rank():
    with pytest.raises(ValueError, match=r'layer permute_1 .*expected ndim=3, found ndim=2'):
        Permute((2, 1))(Input((3,)))


# ---------------------------------------------------------------------------------------------- RepeatVector

def test_repeat_vector_matches_oracle():
    x = _data((2, 3))
    out = layer_test(RepeatVector, {'n': 4}, input_data=x, oracle=tf_keras.layers.RepeatVector)
    assert out.shape == (2, 4, 3)
    np.testing.assert_array_equal(out, np.repeat(x[:, None], 4, axis=1))


def test_repeat_vector_errors():
    for n in (0, -2, 1.5):
        with pytest.raises(ValueError, match='RepeatVector: `n` must be a positive integer'):
            RepeatVector(n)
    with pytest.raises(ValueError, match=r'repeat_vector_1 .*expected ndim=2, found ndim=3'):
        RepeatVector(2)(Input((3, 4)))


# ---------------------------------------------------------------------------------------------- Lambda

def square_plus(x, offset=0.):
    return x * x + offset


def flatten_dynamic(x):
    """Reshapes with a dynamic shape, so tracing cannot tell the size of the last axis."""
    return tf.reshape(x, tf.stack([tf.shape(x)[0], -1]))


def concat_pair(inputs):
    return tf.concat(inputs, axis=-1)


def concat_shape(shapes):
    return tuple(shapes[0][:-1]) + (sum(s[-1] for s in shapes),)


def test_lambda_matches_oracle_with_arguments():
    x = _data((2, 3))
    out = layer_test(Lambda, {'function': square_plus, 'arguments': {'offset': 1.5}}, input_data=x,
                     oracle=tf_keras.layers.Lambda, custom_objects={'square_plus': square_plus})
    np.testing.assert_allclose(out, x * x + 1.5, rtol=1e-6)
    config = Lambda(square_plus, arguments={'offset': 2.}).get_config()
    assert (config['function'], config['function_type'], config['arguments']) == ('square_plus', 'function',
                                                                                    {'offset': 2.})


def test_lambda_output_shape_tuple_is_trusted():
    x = Input((2, 3))
    traced = Lambda(flatten_dynamic)(x)
    assert traced._keras_shape == (None, None)
    declared = Lambda(flatten_dynamic, output_shape=(6,))(x)
    assert declared._keras_shape == (None, 6)
    y = Dense(2)(declared)  # Dense needs the declared size to build
    model = Model(x, y)
    data = _data((3, 2, 3))
    np.testing.assert_allclose(model.predict(data), data.reshape(3, 6) @ model.get_weights()[0], rtol=1e-5,
                               atol=1e-6)


def test_lambda_output_shape_function_and_several_inputs():
    a, b = Input((2,)), Input((2,))
    layer = Lambda(concat_pair, output_shape=concat_shape)
    y = layer([a, b])
    assert y._keras_shape == (None, 4)
    assert layer.compute_output_shape([(None, 2), (None, 3)]) == (None, 5)
    model = Model([a, b], y)
    xa, xb = _data((3, 2)), _data((3, 2), seed=1)
    np.testing.assert_allclose(model.predict([xa, xb]), np.concatenate([xa, xb], -1))
    custom = {'concat_pair': concat_pair, 'concat_shape': concat_shape}
    rebuilt = Model.from_config(model.get_config(), custom_objects=custom)
    np.testing.assert_allclose(rebuilt.predict([xa, xb]), np.concatenate([xa, xb], -1))
    config = rebuilt.layers[-1].get_config()
    assert (config['output_shape'], config['output_shape_type']) == ('concat_shape', 'function')


def test_lambda_lambda_function_round_trip():
    layer = Lambda(lambda t, k=3.: t * k, output_shape=lambda s: s)
    config = layer.get_config()
    assert config['function_type'] == 'lambda' and config['output_shape_type'] == 'lambda'
    with pytest.raises(ValueError, match='lambda_1 stores a Python lambda'):
        Lambda.from_config(config)
    rebuilt = Lambda.from_config(config, safe_mode=False)
    np.testing.assert_allclose(rebuilt(np.ones((1, 2), 'float32')).numpy(), [[3., 3.]])


def test_lambda_errors():
    with pytest.raises(ValueError, match='Lambda: `function` must be callable'):
        Lambda(3)
    with pytest.raises(ValueError, match="Unknown function 'not_here'"):
        Lambda.from_config({'name': 'l', 'function': 'not_here', 'function_type': 'function'})


# ---------------------------------------------------------------------------------------------- ActivityRegularization

def test_activity_regularization_loss_value():
    x = _data((3, 4))
    out = layer_test(ActivityRegularization, {'l1': 0.1, 'l2': 0.2}, input_data=x, expected_output=x,
                     oracle=tf_keras.layers.ActivityRegularization)
    np.testing.assert_array_equal(out, x)
    layer = ActivityRegularization(l1=0.1, l2=0.2)
    layer(x)
    # Keras 2 sums the penalty over the whole batch (tf_keras divides it by the batch size).
    expected = 0.1 * np.abs(x).sum() + 0.2 * np.square(x).sum()
    assert len(layer.losses) == 1
    np.testing.assert_allclose(float(layer.losses[0]), expected, rtol=1e-5)


def test_activity_regularization_joins_the_training_loss():
    x = Input((4,))
    model = Model(x, ActivityRegularization(l1=0.5)(x))
    model.compile('sgd', 'mse')
    data = _data((3, 4))
    # The mse is 0 (the output is the input), so the loss is the penalty alone.
    np.testing.assert_allclose(model.evaluate(data, data, verbose=0), 0.5 * np.abs(data).sum(), rtol=1e-5)


# ---------------------------------------------------------------------------------------------- Masking

def _padded(mask_value=0.):
    x = _data((3, 4, 2))
    x[0, 2:] = mask_value
    x[2, 0] = mask_value
    x[1, 1, 0] = mask_value  # only one feature: this step stays
    return x


@pytest.mark.parametrize('mask_value', [0., 1.5])
def test_masking_matches_oracle(mask_value):
    x = _padded(mask_value)
    out = layer_test(Masking, {'mask_value': mask_value}, input_data=x, oracle=tf_keras.layers.Masking)
    keep = np.any(x != mask_value, axis=-1)
    np.testing.assert_array_equal(out, x * keep[..., None])
    mask = Masking(mask_value).compute_mask(tf.constant(x))
    oracle = tf_keras.layers.Masking(mask_value).compute_mask(tf.constant(x))
    np.testing.assert_array_equal(mask.numpy(), oracle.numpy())
    np.testing.assert_array_equal(mask.numpy(), keep)


def test_masking_produces_mask_for_the_next_layer():
    x = _padded()
    inputs = Input((4, 2))
    masked = Masking()(inputs)
    assert masked._keras_mask is not None and masked._keras_mask._keras_shape == (None, 4)
    eager = Masking()(tf.constant(x))
    np.testing.assert_array_equal(eager._keras_mask.numpy(), np.any(x != 0, axis=-1))
