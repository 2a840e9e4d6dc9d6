"""Convolution, UpSampling, ZeroPadding and Cropping layers, checked against tf_keras (the oracle)."""
import numpy as np
import pytest
import tensorflow as tf
import tf_keras

from kernelkit import layers
from kernelkit.engine.input_layer import Input
from kernelkit.utils.test_utils import layer_test

CF = 'channels_first'

# (class name, kwargs, input shape). Each runs `layer_test` against tf_keras's class of the same name:
# shapes, config round trip, functional/Sequential use, outputs and gradients with copied weights.
ORACLE_CASES = [
    ('Conv1D', dict(filters=2, kernel_size=3), (2, 5, 3)),
    ('Conv1D', dict(filters=2, kernel_size=2, strides=2, padding='same', activation='relu'), (2, 5, 3)),
    ('Conv1D', dict(filters=2, kernel_size=2, padding='causal', dilation_rate=2), (2, None, 3)),
    ('Conv1D', dict(filters=2, kernel_size=3, data_format=CF), (2, 3, 5)),
    ('Conv1D', dict(filters=2, kernel_size=2, padding='same', dilation_rate=2, data_format=CF, use_bias=False),
     (2, 3, 6)),
    ('Conv2D', dict(filters=2, kernel_size=3), (2, 5, 5, 3)),
    ('Conv2D', dict(filters=2, kernel_size=(2, 3), strides=2, padding='same', activation='tanh'), (2, 5, 5, 3)),
    ('Conv2D', dict(filters=2, kernel_size=2, dilation_rate=2, data_format=CF), (2, 3, 5, 5)),
    ('Conv2D', dict(filters=3, kernel_size=3, strides=(1, 2), padding='SAME', data_format=CF, use_bias=False),
     (2, 2, 5, 5)),
    ('Conv3D', dict(filters=2, kernel_size=2), (2, 3, 4, 4, 2)),
    ('Conv3D', dict(filters=2, kernel_size=(2, 3, 2), strides=2, padding='same', data_format=CF),
     (2, 2, 4, 4, 4)),
    ('Conv3D', dict(filters=2, kernel_size=2, dilation_rate=(2, 1, 2)), (2, 4, 3, 4, 2)),
    ('Conv2DTranspose', dict(filters=2, kernel_size=3), (2, 4, 4, 3)),
    ('Conv2DTranspose', dict(filters=2, kernel_size=3, strides=2, padding='same', output_padding=1),
     (2, None, None, 3)),
    ('Conv2DTranspose', dict(filters=2, kernel_size=(3, 2), strides=2, data_format=CF), (2, 3, 4, 4)),
    ('Conv2DTranspose', dict(filters=2, kernel_size=2, dilation_rate=2), (2, 4, 4, 3)),
    ('Conv2DTranspose', dict(filters=2, kernel_size=3, strides=(2, 3), output_padding=(1, 2), data_format=CF),
     (2, 3, 3, 4)),
    ('Conv3DTranspose', dict(filters=2, kernel_size=2, strides=2, padding='same'), (2, 3, 3, 3, 2)),
    ('Conv3DTranspose', dict(filters=2, kernel_size=3, strides=2, output_padding=1, data_format=CF),
     (2, 2, 2, 3, 2)),
    ('SeparableConv1D', dict(filters=2, kernel_size=3, depth_multiplier=2), (2, 5, 3)),
    ('SeparableConv1D', dict(filters=3, kernel_size=2, strides=2, padding='same', data_format=CF), (2, 2, 5)),
    ('SeparableConv1D', dict(filters=2, kernel_size=2, dilation_rate=2, use_bias=False), (2, 6, 3)),
    ('SeparableConv2D', dict(filters=2, kernel_size=3, depth_multiplier=2), (2, 5, 5, 3)),
    ('SeparableConv2D', dict(filters=3, kernel_size=(3, 2), strides=2, padding='same', data_format=CF),
     (2, 2, 5, 5)),
    ('SeparableConv2D', dict(filters=2, kernel_size=2, dilation_rate=2, activation='relu'), (2, 5, 5, 2)),
    ('DepthwiseConv2D', dict(kernel_size=3, depth_multiplier=2), (2, 5, 5, 3)),
    ('DepthwiseConv2D', dict(kernel_size=(2, 3), strides=2, padding='same', data_format=CF), (2, 3, 5, 5)),
    ('DepthwiseConv2D', dict(kernel_size=2, dilation_rate=2, use_bias=False), (2, 5, 5, 2)),
    ('UpSampling1D', dict(size=3), (2, 3, 2)),
    ('UpSampling2D', dict(size=(2, 3)), (2, 3, 2, 2)),
    ('UpSampling2D', dict(size=2, data_format=CF), (2, 2, 3, 2)),
    ('UpSampling3D', dict(size=2), (2, 2, 1, 2, 2)),
    ('UpSampling3D', dict(size=(1, 2, 3), data_format=CF), (2, 2, 2, 2, 1)),
    ('ZeroPadding1D', dict(padding=(1, 2)), (2, 3, 2)),
    ('ZeroPadding2D', dict(padding=((1, 0), (2, 1))), (2, 3, 3, 2)),
    ('ZeroPadding2D', dict(padding=1, data_format=CF), (2, 2, 3, 3)),
    ('ZeroPadding3D', dict(padding=(1, 2, 0)), (2, 2, 2, 2, 2)),
    ('ZeroPadding3D', dict(padding=((1, 0), (0, 1), (2, 0)), data_format=CF), (2, 2, 2, 2, 2)),
    ('Cropping1D', dict(cropping=(1, 2)), (2, 5, 2)),
    ('Cropping2D', dict(cropping=((1, 0), (2, 1))), (2, 4, 5, 2)),
    ('Cropping2D', dict(cropping=1, data_format=CF), (2, 2, 4, 4)),
    ('Cropping3D', dict(), (2, 3, 4, 3, 2)),
    ('Cropping3D', dict(cropping=((1, 0), (0, 1), (1, 1)), data_format=CF), (2, 2, 3, 3, 4)),
]


def _case_id(case):
    name, kwargs, _ = case
    return name + '-' + '-'.join('%s=%s' % (k, v) for k, v in sorted(kwargs.items()))


@pytest.mark.parametrize('name,kwargs,input_shape', ORACLE_CASES, ids=[_case_id(c) for c in ORACLE_CASES])
def test_matches_tf_keras(name, kwargs, input_shape):
    layer_test(getattr(layers, name), kwargs, input_shape=input_shape, oracle=getattr(tf_keras.layers, name))


@pytest.mark.parametrize('data_format', ['channels_last', CF])
def test_upsampling2d_bilinear_is_keras2_legacy_resize(data_format):
    # Keras 2.2 used TensorFlow's legacy bilinear resize (no half-pixel centers); tf_keras does not, so the
    # expectation is worked out by hand: along each axis a factor 2 gives [a, (a+b)/2, b, b].
    image = np.array([[1., 2.], [3., 5.]])
    weights = np.array([[1., 0.], [.5, .5], [0., 1.], [0., 1.]])
    expected = weights.dot(image).dot(weights.T)
    data = image[None, :, :, None]
    expected = expected[None, :, :, None]
    if data_format == CF:
        data, expected = data.transpose(0, 3, 1, 2), expected.transpose(0, 3, 1, 2)
    layer_test(layers.UpSampling2D, dict(size=2, data_format=data_format, interpolation='bilinear'),
               input_data=data, expected_output=expected)


def test_keras2_configs():
    def keys(layer):
        return set(layer.get_config()) - {'name', 'trainable'}
    conv = {'filters', 'kernel_size', 'strides', 'padding', 'data_format', 'dilation_rate', 'activation',
            'use_bias', 'kernel_initializer', 'bias_initializer', 'kernel_regularizer', 'bias_regularizer',
            'activity_regularizer', 'kernel_constraint', 'bias_constraint'}
    assert keys(layers.Conv1D(2, 3)) == conv
    assert keys(layers.Conv2D(2, 3)) == conv
    assert keys(layers.Conv2DTranspose(2, 3)) == conv | {'output_padding'}
    assert keys(layers.Conv3DTranspose(2, 3)) == (conv - {'dilation_rate'}) | {'output_padding'}
    kernel_free = conv - {'kernel_initializer', 'kernel_regularizer', 'kernel_constraint'}
    separable = {'depth_multiplier', 'depthwise_initializer', 'depthwise_regularizer', 'depthwise_constraint'}
    assert keys(layers.SeparableConv2D(2, 3)) == kernel_free | separable | {
        'pointwise_initializer', 'pointwise_regularizer', 'pointwise_constraint'}
    assert keys(layers.DepthwiseConv2D(3)) == (kernel_free - {'filters'}) | separable

    config = layers.Conv1D(4, 3, padding='Same').get_config()
    assert (config['kernel_size'], config['strides'], config['dilation_rate']) == ((3,), (1,), (1,))
    assert (config['padding'], config['data_format'], config['activation']) == ('same', 'channels_last', 'linear')
    assert layers.Conv2DTranspose(2, 3, strides=2, output_padding=1).get_config()['output_padding'] == (1, 1)
    assert layers.Conv2DTranspose(2, 3).get_config()['output_padding'] is None
    assert layers.UpSampling1D(3).get_config()['size'] == 3
    assert layers.UpSampling2D().get_config()['interpolation'] == 'nearest'
    assert layers.ZeroPadding1D(2).get_config()['padding'] == (2, 2)
    assert layers.ZeroPadding2D((1, 2)).get_config()['padding'] == ((1, 1), (2, 2))
    assert layers.Cropping3D(1).get_config()['cropping'] == ((1, 1), (1, 1), (1, 1))
    assert keys(layers.Cropping1D()) == {'cropping'} and keys(layers.UpSampling1D()) == {'size'}
    assert keys(layers.ZeroPadding1D()) == {'padding'}


def test_aliases_and_registry():
    assert layers.Convolution1D is layers.Conv1D and layers.Convolution3D is layers.Conv3D
    assert layers.SeparableConvolution1D is layers.SeparableConv1D
    assert layers.SeparableConvolution2D is layers.SeparableConv2D
    assert layers.Convolution2DTranspose is layers.Deconvolution2D is layers.Deconv2D is layers.Conv2DTranspose
    assert layers.Deconvolution3D is layers.Deconv3D is layers.Conv3DTranspose
    layer = layers.Convolution2D(4, 3, name='c')
    assert layer.__class__.__name__ == 'Conv2D'
    assert layers.serialize(layer)['class_name'] == 'Conv2D'
    rebuilt = layers.deserialize({'class_name': 'Convolution2D', 'config': layer.get_config()})
    assert isinstance(rebuilt, layers.Conv2D) and rebuilt.get_config() == layer.get_config()
    from kernelkit.layers.convolutional import MaxPooling2D, ZeroPadding2D  # Keras 2 namespace compatibility
    assert MaxPooling2D is layers.MaxPooling2D and ZeroPadding2D is layers.ZeroPadding2D


def test_weight_names_order_and_default_names():
    x = np.zeros((1, 4, 4, 2), 'float32')
    separable = layers.SeparableConv2D(3, 2, depth_multiplier=2)
    separable(x)
    assert [w.name.split('/')[-1].split(':')[0] for w in separable.weights] == [
        'depthwise_kernel', 'pointwise_kernel', 'bias']
    assert [tuple(w.shape) for w in separable.weights] == [(2, 2, 2, 2), (1, 1, 4, 3), (3,)]
    transpose = layers.Conv2DTranspose(5, 3)
    transpose(x)
    assert [tuple(w.shape) for w in transpose.weights] == [(3, 3, 5, 2), (5,)]
    assert transpose.name == 'conv2d_transpose_1' and separable.name == 'separable_conv2d_1'


def test_regularizers_of_separable_conv_match_tf_keras():
    kwargs = dict(filters=2, kernel_size=2, depthwise_regularizer='l2', pointwise_regularizer='l1',
                  bias_regularizer='l2', bias_initializer='ones')
    x = np.random.RandomState(0).standard_normal((2, 3, 3, 2)).astype('float32')
    ours = layers.SeparableConv2D(activity_regularizer='l1', **kwargs)
    theirs = tf_keras.layers.SeparableConv2D(**kwargs)
    theirs(x)
    outputs = ours(x).numpy()
    theirs.set_weights(ours.get_weights())
    weight_losses = sorted(float(v) for v in ours.losses)
    # Keras 2 adds the activity penalty as is (tf_keras divides it by the batch size): checked by hand.
    activity = 0.01 * np.abs(outputs).sum()
    expected = sorted([float(v) for v in theirs.losses] + [activity])
    np.testing.assert_allclose(weight_losses, expected, rtol=1e-5)
    constrained = layers.DepthwiseConv2D(2, depthwise_constraint='non_neg')
    assert constrained.get_config()['depthwise_constraint']['class_name'] == 'NonNeg'


# ----------------------------------------------------------------------------------------------------
# Bad input: constructor arguments.

@pytest.mark.parametrize('make,words', [
    (lambda: layers.Conv2D(0, 3), ['conv2d', '`filters`', 'positive']),
    (lambda: layers.Conv2D(-2, 3), ['`filters`']),
    (lambda: layers.Conv1D(2.5, 3), ['`filters`']),
    (lambda: layers.Conv2DTranspose(None, 3), ['`filters`']),
    (lambda: layers.Conv2D(2, (3, 3, 3)), ['`kernel_size`', 'tuple of 2']),
    (lambda: layers.Conv3D(2, 0), ['`kernel_size`', 'positive']),
    (lambda: layers.Conv2D(2, 3, strides=(1, 0)), ['`strides`']),
    (lambda: layers.Conv2D(2, 3, padding='full'), ['`padding`', "'valid'", "'same'", 'full']),
    (lambda: layers.Conv2D(2, 3, padding='causal'), ['`padding`']),
    (lambda: layers.SeparableConv1D(2, 3, padding='causal'), ['`padding`']),
    (lambda: layers.Conv2D(2, 3, strides=2, dilation_rate=2), ['`strides`', '`dilation_rate`']),
    (lambda: layers.SeparableConv2D(2, 3, strides=(1, 2), dilation_rate=(2, 1)), ['`dilation_rate`']),
    (lambda: layers.Conv2D(2, 3, data_format='channels_middle'), ['`data_format`', 'channels_middle']),
    (lambda: layers.Conv1D(2, 3, padding='causal', data_format=CF), ['Conv1D', 'causal', 'channels_last']),
    (lambda: layers.Conv2DTranspose(2, 3, strides=2, output_padding=2), ['`output_padding`', 'stride']),
    (lambda: layers.Conv3DTranspose(2, 3, output_padding=(0, 0)), ['`output_padding`', 'tuple of 3']),
    (lambda: layers.SeparableConv2D(2, 3, depth_multiplier=0), ['`depth_multiplier`']),
    (lambda: layers.DepthwiseConv2D(3, strides=(1, 1, 1)), ['DepthwiseConv2D', '`strides`']),
    (lambda: layers.UpSampling1D(0), ['UpSampling1D', '`size`']),
    (lambda: layers.UpSampling2D(interpolation='cubic'), ['`interpolation`', 'bilinear']),
    (lambda: layers.ZeroPadding2D(-1), ['ZeroPadding2D', '`padding`', 'non-negative']),
    (lambda: layers.ZeroPadding2D(((1, 2, 3), (1, 1))), ['`padding[0]`']),
    (lambda: layers.ZeroPadding3D((1, 1)), ['`padding`', '3']),
    (lambda: layers.Cropping1D((1, 2, 3)), ['Cropping1D', '`cropping`']),
    (lambda: layers.Cropping2D('a'), ['`cropping`']),
])
def test_invalid_arguments_raise_at_construction(make, words):
    with pytest.raises(ValueError) as info:
        make()
    for word in words:
        assert word in str(info.value), (word, str(info.value))


# ----------------------------------------------------------------------------------------------------
# Bad input: shapes, found when the layer is built.

@pytest.mark.parametrize('layer,shape,words', [
    (lambda: layers.Conv2D(2, 3, name='small'), (2, 2, 3),
     ["'small'", '(3, 3)', '(2, 2)', '(None, 2, 2, 3)', 'valid']),
    (lambda: layers.Conv1D(2, 3, dilation_rate=2), (4, 3), ['(5,) once dilated', '(None, 4, 3)']),
    (lambda: layers.Conv3D(2, 2, data_format=CF), (1, 3, 1, 3), ['(2, 2, 2)', '(3, 1, 3)']),
    (lambda: layers.SeparableConv2D(2, (1, 4)), (5, 3, 1), ['(1, 4)', '(5, 3)']),
    (lambda: layers.Conv2D(2, 3), (5, 3), ['ndim=4', 'ndim=3']),
    (lambda: layers.Conv2DTranspose(2, 3), (5, 5, 5, 3), ['ndim=4', 'ndim=5']),
    (lambda: layers.Conv2D(2, 3), (5, 5, None), ['channel', '(None, 5, 5, None)']),
    (lambda: layers.DepthwiseConv2D(3, data_format=CF), (None, 5, 5), ['channel', 'axis 1']),
    (lambda: layers.Cropping2D(((1, 1), (2, 3)), name='crop'), (4, 5, 1), ["'crop'", '(2, 3)', 'size 5']),
    (lambda: layers.Cropping1D(2), (4, 1), ['Cropping1D', 'size 4']),
    (lambda: layers.UpSampling3D(), (2, 2, 2), ['ndim=5']),
])
def test_bad_input_shapes_raise_when_built(layer, shape, words):
    layer = layer()
    with pytest.raises(ValueError) as info:
        layer(Input(shape))
    for word in words:
        assert word in str(info.value), (word, str(info.value))


def test_conv3d_transpose_has_no_dilation_rate():
    with pytest.raises(TypeError, match='Conv3DTranspose.*dilation_rate'):
        layers.Conv3DTranspose(2, 3, dilation_rate=2)


def test_wrong_channel_count_after_build():
    layer = layers.Conv2D(2, 3, name='c2')
    layer(Input((5, 5, 3)))
    with pytest.raises(ValueError, match='c2.*axis -1.*value 3'):
        layer(Input((5, 5, 4)))
    with pytest.raises(ValueError, match='kernel size'):
        layer(tf.zeros((1, 2, 2, 3)))  # a smaller input on a built layer is still caught by name


def test_data_format_defaults_follow_image_data_format():
    from kernelkit import backend as K
    previous = K.image_data_format()
    K.set_image_data_format('channels_first')
    try:
        assert layers.Conv2D(2, 3).data_format == CF and layers.Cropping3D().data_format == CF
        assert layers.SeparableConv1D(2, 3).data_format == CF  # Keras 2.2: None -> image_data_format()
        assert layers.Conv1D(2, 3).data_format == 'channels_last'  # Keras 2.2: fixed default
        assert layers.Cropping1D().data_format == 'channels_last'
    finally:
        K.set_image_data_format(previous)


def test_small_cnn_trains_and_survives_a_json_config_round_trip():
    import json
    from kernelkit.engine.training import Model
    x = Input((6, 6, 2))
    y = layers.Conv2D(3, 3, padding='same', activation='relu')(x)
    y = layers.Conv2DTranspose(2, 3, strides=2, output_padding=1)(y)
    y = layers.ZeroPadding2D(((1, 0), (0, 2)))(y)
    y = layers.Cropping2D(((1, 0), (0, 2)))(y)
    y = layers.DepthwiseConv2D(2, dilation_rate=2)(y)
    y = layers.SeparableConv2D(2, 2, strides=2)(y)
    y = layers.UpSampling2D()(y)
    model = Model(x, y)
    data = np.random.RandomState(0).random_sample((4, 6, 6, 2)).astype('float32')
    model.compile('sgd', 'mse')
    history = model.fit(data, np.zeros((4,) + model.output_shape[1:], 'float32'), epochs=1, batch_size=2,
                        verbose=0)
    assert np.isfinite(history.history['loss'][0])
    rebuilt = Model.from_config(json.loads(json.dumps(model.get_config())))
    rebuilt.set_weights(model.get_weights())
    np.testing.assert_allclose(rebuilt.predict(data), model.predict(data), atol=1e-6)
