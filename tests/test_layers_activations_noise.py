"""Advanced activations (LeakyReLU, PReLU, ELU, ThresholdedReLU, Softmax, ReLU), noise layers (GaussianNoise,
GaussianDropout, AlphaDropout) and spatial dropout: tf_keras as oracle at inference, numpy and statistics in
training."""
import numpy as np
import pytest
import tensorflow as tf
import tf_keras

from kernelkit import layers
from kernelkit.layers import Input
from kernelkit.models import Model, Sequential
from kernelkit.utils.test_utils import layer_test


def _data(shape, seed=0):
    return np.random.RandomState(seed).standard_normal(shape).astype('float32')


# ------------------------------------------------------------------------------- advanced activations

ACTIVATION_CASES = [
    ('LeakyReLU', {}, (2, 5)),
    ('LeakyReLU', {'alpha': 0.1}, (2, 3, 2)),
    ('ELU', {}, (2, 5)),
    ('ELU', {'alpha': 0.5}, (2, 3, 2)),
    ('ThresholdedReLU', {}, (2, 5)),
    ('ThresholdedReLU', {'theta': 0.5}, (2, 3, 2)),
    ('Softmax', {}, (2, 5)),
    ('Softmax', {'axis': 1}, (2, 3, 2)),
    ('ReLU', {}, (2, 5)),
    ('ReLU', {'max_value': 1.5}, (2, 5)),
    ('ReLU', {'negative_slope': 0.2, 'threshold': 0.5}, (2, 3, 2)),
    ('ReLU', {'max_value': 6., 'negative_slope': 0.1, 'threshold': 0.25}, (2, 5)),
    ('PReLU', {}, (2, 5)),
    ('PReLU', {'alpha_initializer': 'ones'}, (2, 3, 2)),
    ('PReLU', {'shared_axes': [1, 2], 'alpha_initializer': 'glorot_uniform'}, (2, 3, 3, 2)),
    ('PReLU', {'shared_axes': 1, 'alpha_initializer': 'glorot_uniform'}, (2, 3, 4)),
]


@pytest.mark.parametrize('name,kwargs,input_shape', ACTIVATION_CASES,
                         ids=['%s-%s' % (c[0], '-'.join(sorted(c[1]))) for c in ACTIVATION_CASES])
def test_activation_layers_match_oracle(name, kwargs, input_shape):
    layer_test(getattr(layers, name), kwargs, input_shape=input_shape, oracle=getattr(tf_keras.layers, name))


def test_activation_layers_numpy_and_configs():
    x = np.array([[-2., -0.5, 0., 0.5, 1., 2., 7.]], dtype='float32')
    np.testing.assert_allclose(layers.LeakyReLU()(x).numpy(), np.where(x > 0, x, 0.3 * x), rtol=1e-6)
    np.testing.assert_allclose(layers.ELU()(x).numpy(), np.where(x > 0, x, np.exp(x) - 1), rtol=1e-6)
    np.testing.assert_allclose(layers.ThresholdedReLU()(x).numpy(), np.where(x > 1, x, 0), rtol=1e-6)
    relu = layers.ReLU(max_value=6., negative_slope=0.1, threshold=0.5)
    # (as in Keras 2's backend, x == threshold gives 0)
    np.testing.assert_allclose(relu(x).numpy(), np.where(x >= 6, 6, np.where(x > 0.5, x, 0.1 * (x - 0.5))),
                               rtol=1e-6)
    np.testing.assert_allclose(layers.Softmax()(x).numpy(), np.exp(x) / np.exp(x).sum(), rtol=1e-5)
    assert layers.LeakyReLU().get_config()['alpha'] == 0.3
    assert layers.ELU().get_config()['alpha'] == 1.0
    assert layers.ThresholdedReLU().get_config()['theta'] == 1.0
    assert layers.Softmax().get_config()['axis'] == -1
    config = layers.ReLU().get_config()
    assert (config['max_value'], config['negative_slope'], config['threshold']) == (None, 0., 0.)
    prelu = layers.PReLU(shared_axes=2)
    assert prelu.get_config()['shared_axes'] == [2]
    assert prelu.get_config()['alpha_initializer']['class_name'] == 'Zeros'
    prelu.build((None, 3, 4))
    assert [w.name for w in prelu.weights] == ['p_re_lu_1/alpha:0'] and prelu.weights[0].shape == (3, 1)


def test_prelu_trains_and_masks_pass():
    model = Sequential([layers.PReLU(input_shape=(3,))])
    model.compile('sgd', 'mse')
    model.fit(_data((4, 3)), _data((4, 3), 1), epochs=1, verbose=0)
    assert np.any(model.get_weights()[0] != 0)
    x = Input(shape=(3, 2))
    y = layers.LeakyReLU()(layers.Masking()(x))
    assert y._keras_mask is not None


@pytest.mark.parametrize('make,words', [
    (lambda: layers.ReLU(max_value=-1.), 'max_value'),
    (lambda: layers.ReLU(negative_slope=-0.1), 'negative_slope'),
    (lambda: layers.ThresholdedReLU(theta=-1.), 'theta'),
    (lambda: layers.LeakyReLU(alpha='big'), 'alpha'),
    (lambda: layers.Softmax(axis=1.5), 'axis'),
    (lambda: layers.PReLU(shared_axes=[0]), 'shared_axes'),
])
def test_activation_argument_errors(make, words):
    with pytest.raises(ValueError, match=words):
        make()


def test_prelu_build_errors():
    with pytest.raises(ValueError, match=r'p_re_lu_\d+.*shared axis 3.*\(None, 2, 3\)'):
        layers.PReLU(shared_axes=[3])(Input(shape=(2, 3)))
    with pytest.raises(ValueError, match='must be known'):
        layers.PReLU()(Input(shape=(None, 3)))
    layers.PReLU(shared_axes=[1])(Input(shape=(None, 3)))  # a shared axis may be unknown


# ------------------------------------------------------------------------------------------- noise

NOISE_CASES = [('GaussianNoise', {'stddev': 0.5}), ('GaussianDropout', {'rate': 0.3}),
               ('AlphaDropout', {'rate': 0.2}), ('AlphaDropout', {'rate': 0.2, 'noise_shape': (None, 1, 4)})]


@pytest.mark.parametrize('name,kwargs', NOISE_CASES, ids=[c[0] + str(len(c[1])) for c in NOISE_CASES])
def test_noise_layers_are_identity_at_inference_like_oracle(name, kwargs):
    x = _data((2, 3, 4))
    out = layer_test(getattr(layers, name), kwargs, input_data=x, oracle=getattr(tf_keras.layers, name),
                     check_training=False)
    np.testing.assert_array_equal(out, x)
    config = getattr(layers, name)(**kwargs).get_config()
    for key, value in kwargs.items():
        assert config[key] == value


def test_gaussian_noise_statistics_in_training():
    x = np.full((100, 200), 3., dtype='float32')
    noise = layers.GaussianNoise(0.5)(x, training=True).numpy() - x
    assert abs(noise.mean()) < 0.02 and abs(noise.std() - 0.5) < 0.02
    model = Sequential([layers.GaussianNoise(0.5, input_shape=(200,))])
    np.testing.assert_array_equal(model.predict(x[:3]), x[:3])


def test_gaussian_dropout_statistics_in_training():
    x = np.full((100, 200), 2., dtype='float32')
    factor = layers.GaussianDropout(0.2)(x, training=True).numpy() / 2.
    assert abs(factor.mean() - 1.) < 0.01 and abs(factor.std() - np.sqrt(0.2 / 0.8)) < 0.01
    np.testing.assert_array_equal(layers.GaussianDropout(0.)(x, training=True).numpy(), x)


def test_alpha_dropout_statistics_and_values_in_training():
    rate = 0.2
    x = _data((100, 300))
    y = layers.AlphaDropout(rate)(x, training=True).numpy()
    alpha_p = -1.6732632423543772848170429916717 * 1.0507009873554804934193349852946
    a = ((1 - rate) * (1 + rate * alpha_p ** 2)) ** -0.5
    b = -a * alpha_p * rate
    dropped = np.isclose(y, a * alpha_p + b, atol=1e-6)
    assert abs(dropped.mean() - rate) < 0.01
    np.testing.assert_allclose(y[~dropped], a * x[~dropped] + b, rtol=1e-5, atol=1e-5)
    # mean and variance are kept for standardized inputs
    assert abs(y.mean()) < 0.02 and abs(y.std() - 1.) < 0.02
    # noise_shape: the same units dropped at every step
    y3 = layers.AlphaDropout(0.5, noise_shape=(None, 1, 40))(_data((10, 5, 40)), training=True).numpy()
    a, b = (0.5 * (1 + 0.5 * alpha_p ** 2)) ** -0.5, -(0.5 * (1 + 0.5 * alpha_p ** 2)) ** -0.5 * alpha_p * 0.5
    kept = ~np.isclose(y3, a * alpha_p + b, atol=1e-6)
    assert np.all(kept == kept[:, :1, :])


# ------------------------------------------------------------------------------------ spatial dropout

SPATIAL_CASES = [
    ('SpatialDropout1D', {'rate': 0.5}, (2, 3, 4)),
    ('SpatialDropout2D', {'rate': 0.5, 'data_format': 'channels_last'}, (2, 3, 3, 4)),
    ('SpatialDropout2D', {'rate': 0.5, 'data_format': 'channels_first'}, (2, 4, 3, 3)),
    ('SpatialDropout3D', {'rate': 0.5, 'data_format': 'channels_last'}, (2, 2, 2, 2, 4)),
    ('SpatialDropout3D', {'rate': 0.5, 'data_format': 'channels_first'}, (2, 4, 2, 2, 2)),
]


@pytest.mark.parametrize('name,kwargs,input_shape', SPATIAL_CASES,
                         ids=['%s-%s' % (c[0], c[1].get('data_format', '')) for c in SPATIAL_CASES])
def test_spatial_dropout_identity_at_inference_like_oracle(name, kwargs, input_shape):
    x = _data(input_shape) + 5.
    out = layer_test(getattr(layers, name), kwargs, input_data=x, oracle=getattr(tf_keras.layers, name),
                     check_training=False)
    np.testing.assert_array_equal(out, x)


@pytest.mark.parametrize('name,kwargs,input_shape', SPATIAL_CASES,
                         ids=['%s-%s' % (c[0], c[1].get('data_format', '')) for c in SPATIAL_CASES])
def test_spatial_dropout_drops_whole_channels_in_training(name, kwargs, input_shape):
    batch = 8
    shape = (batch,) + input_shape[1:]
    x = np.abs(_data(shape)) + 1.
    y = getattr(layers, name)(**kwargs)(x, training=True).numpy()
    channel_axis = 1 if kwargs.get('data_format') == 'channels_first' else len(shape) - 1
    y = np.moveaxis(y, channel_axis, 1).reshape(batch, shape[channel_axis], -1)
    xs = np.moveaxis(x, channel_axis, 1).reshape(batch, shape[channel_axis], -1)
    zero = np.all(y == 0, axis=-1)
    scaled = np.all(np.isclose(y, xs / (1 - kwargs['rate']), rtol=1e-5), axis=-1)
    assert np.all(zero | scaled)
    assert 0 < zero.mean() < 1  # with 32 channels at rate 0.5, some are dropped and some kept


def test_spatial_dropout_configs_and_errors():
    config = layers.SpatialDropout2D(0.3, data_format='channels_first').get_config()
    assert config['rate'] == 0.3 and config['data_format'] == 'channels_first'
    assert layers.SpatialDropout2D.from_config(config).get_config() == config
    assert 'data_format' not in layers.SpatialDropout1D(0.3).get_config()
    with pytest.raises(TypeError, match='data_format'):
        layers.SpatialDropout1D(0.3, data_format='channels_first')
    with pytest.raises(ValueError, match=r'spatial_dropout2d_\d+.*ndim=4'):
        layers.SpatialDropout2D(0.5)(Input(shape=(3, 4)))
    with pytest.raises(ValueError, match='rate'):
        layers.SpatialDropout1D(1.5)
    with pytest.raises(ValueError, match='data_format'):
        layers.SpatialDropout3D(0.5, data_format='channels_middle')
    with pytest.raises(ValueError, match='stddev'):
        layers.GaussianNoise(-1.)
    with pytest.raises(ValueError, match='rate'):
        layers.AlphaDropout(2.)


def test_noise_layers_in_a_trained_model():
    x = Input(shape=(4,))
    h = layers.GaussianNoise(0.1)(x)
    h = layers.GaussianDropout(0.1)(h)
    h = layers.AlphaDropout(0.1)(h)
    model = Model(x, h)
    model.compile('sgd', 'mse')
    data = _data((4, 4))
    model.fit(data, data, epochs=1, verbose=0)
    np.testing.assert_array_equal(model.predict(data), data)
    assert tf.is_tensor(model(tf.constant(data), training=True))
