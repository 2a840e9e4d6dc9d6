"""InceptionResNetV2 (Keras 2.2.4's `keras.applications.inception_resnet_v2`): Szegedy et al.,
"Inception-v4, Inception-ResNet and the Impact of Residual Connections on Learning" (2016).

Layer order and names as in tf.keras: the scaled residual additions are `CustomScaleLayer`s with automatic
names (Keras 2.2.4 used `Lambda` layers named `block35_1`, ...; neither has weights, so the weight files are
the same).
"""
import sys

from kernelkit import backend as K
from kernelkit import layers
from kernelkit.applications import _common
from kernelkit.applications._common import keras_modules_injection  # noqa: F401
from kernelkit.applications import imagenet_utils
from kernelkit.engine.base_layer import Layer
from kernelkit.engine.training import Model
from kernelkit.utils.generic_utils import get_custom_objects

BASE_WEIGHT_URL = _common.WEIGHTS_BASE + 'inception_resnet_v2/'
_HASHES = ('e693bd0210a403b3192acc6073ad2e96', 'd19885ff4a710c122648d3b5c3b684e4')


class CustomScaleLayer(Layer):
    """Adds a scaled residual to its input: `inputs[0] + inputs[1] * scale`.

    # Arguments
        scale: the scale of the residual (a float).
        **kwargs: the usual layer arguments (`name`, ...).

    # Input shape
        A list of two tensors of the same shape.

    # Output shape
        That shape.
    """

    def __init__(self, scale, **kwargs):
        super(CustomScaleLayer, self).__init__(**kwargs)
        self.scale = scale

    def call(self, inputs):
        return inputs[0] + inputs[1] * self.scale

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        config = super(CustomScaleLayer, self).get_config()
        config['scale'] = self.scale
        return config


get_custom_objects().setdefault('CustomScaleLayer', CustomScaleLayer)  # tf.keras saves it by this name


def conv2d_bn(x, filters, kernel_size, strides=1, padding='same', activation='relu', use_bias=False, name=None):
    """Convolution, batch normalization without scale (when there is no bias) and an activation.

    # Arguments
        x: input tensor.
        filters: number of filters.
        kernel_size: kernel size of the convolution.
        strides: strides of the convolution.
        padding: `'same'` or `'valid'`.
        activation: activation name, or `None`.
        use_bias: whether the convolution has a bias (then no batch normalization follows).
        name: base name (`name`, `name + '_bn'`, `name + '_ac'`), or `None` for automatic names.

    # Returns
        The output tensor.
    """
    x = layers.Conv2D(filters, kernel_size, strides=strides, padding=padding, use_bias=use_bias, name=name)(x)
    if not use_bias:
        axis = 1 if K.image_data_format() == 'channels_first' else 3
        x = layers.BatchNormalization(axis=axis, scale=False, name=None if name is None else name + '_bn')(x)
    if activation is not None:
        x = layers.Activation(activation, name=None if name is None else name + '_ac')(x)
    return x


def inception_resnet_block(x, scale, block_type, block_idx, activation='relu'):
    """An Inception-ResNet block: parallel branches, a 1x1 projection, and the scaled residual addition.

    # Arguments
        x: input tensor.
        scale: scale of the residual.
        block_type: `'block35'`, `'block17'` or `'block8'`.
        block_idx: index of the block (for the layer names).
        activation: activation after the addition, or `None`.

    # Returns
        The output tensor.

    # Raises
        ValueError: for an unknown `block_type`.
    """
    if block_type == 'block35':
        branches = [conv2d_bn(x, 32, 1),
                    conv2d_bn(conv2d_bn(x, 32, 1), 32, 3),
                    conv2d_bn(conv2d_bn(conv2d_bn(x, 32, 1), 48, 3), 64, 3)]
    elif block_type == 'block17':
        branches = [conv2d_bn(x, 192, 1),
                    conv2d_bn(conv2d_bn(conv2d_bn(x, 128, 1), 160, [1, 7]), 192, [7, 1])]
    elif block_type == 'block8':
        branches = [conv2d_bn(x, 192, 1),
                    conv2d_bn(conv2d_bn(conv2d_bn(x, 192, 1), 224, [1, 3]), 256, [3, 1])]
    else:
        raise ValueError('Unknown Inception-ResNet block type. Expects "block35", "block17" or "block8", but '
                         'got: %r' % (block_type,))
    name = '%s_%d' % (block_type, block_idx)
    axis = 1 if K.image_data_format() == 'channels_first' else 3
    mixed = layers.Concatenate(axis=axis, name=name + '_mixed')(branches)
    up = conv2d_bn(mixed, K.int_shape(x)[axis], 1, activation=None, use_bias=True, name=name + '_conv')
    x = CustomScaleLayer(scale)([x, up])
    if activation is not None:
        x = layers.Activation(activation, name=name + '_ac')(x)
    return x


def InceptionResNetV2(include_top=True, weights='imagenet', input_tensor=None, input_shape=None,
                      pooling=None, classes=1000, **kwargs):
    """Instantiates the Inception-ResNet v2 architecture, optionally with weights pre-trained on ImageNet.

    # Arguments
        include_top: whether to include the fully-connected layer at the top of the network.
        weights: `None` (random initialization), `'imagenet'` (pre-training on ImageNet, from the Keras
            cache folder `models`), or the path to a weights file to load.
        input_tensor: optional Keras tensor (i.e. output of `layers.Input()`) to use as image input.
        input_shape: optional shape tuple, only to be specified if `include_top` is False (otherwise
            `(299, 299, 3)`); 3 channels, width and height no smaller than 75.
        pooling: `None`, `'avg'` or `'max'`, when `include_top` is False.
        classes: number of classes, only with `include_top=True` and no `weights`.
        **kwargs: the `backend`, `layers`, `models`, `utils` of the injection API (ignored).

    # Returns
        A Keras `Model` instance.

    # Raises
        ValueError: for invalid `weights` or an invalid input shape.
        kernelkit.utils.data_utils.DownloadError: when the ImageNet weights file is missing offline.
    """
    _common.check_weights_argument(weights, include_top, classes)
    input_shape = _common.obtain_input_shape(input_shape, default_size=299, min_size=75,
                                             data_format=K.image_data_format(), require_flatten=include_top,
                                             weights=weights)
    img_input = _common.image_input(input_tensor, input_shape)
    axis = 1 if K.image_data_format() == 'channels_first' else 3
    x = conv2d_bn(img_input, 32, 3, strides=2, padding='valid')
    x = conv2d_bn(x, 32, 3, padding='valid')
    x = conv2d_bn(x, 64, 3)
    x = layers.MaxPooling2D(3, strides=2)(x)
    x = conv2d_bn(x, 80, 1, padding='valid')
    x = conv2d_bn(x, 192, 3, padding='valid')
    x = layers.MaxPooling2D(3, strides=2)(x)
    branches = [conv2d_bn(x, 96, 1),
                conv2d_bn(conv2d_bn(x, 48, 1), 64, 5),
                conv2d_bn(conv2d_bn(conv2d_bn(x, 64, 1), 96, 3), 96, 3),
                conv2d_bn(layers.AveragePooling2D(3, strides=1, padding='same')(x), 64, 1)]
    x = layers.Concatenate(axis=axis, name='mixed_5b')(branches)
    for block_idx in range(1, 11):
        x = inception_resnet_block(x, scale=0.17, block_type='block35', block_idx=block_idx)
    branches = [conv2d_bn(x, 384, 3, strides=2, padding='valid'),
                conv2d_bn(conv2d_bn(conv2d_bn(x, 256, 1), 256, 3), 384, 3, strides=2, padding='valid'),
                layers.MaxPooling2D(3, strides=2, padding='valid')(x)]
    x = layers.Concatenate(axis=axis, name='mixed_6a')(branches)
    for block_idx in range(1, 21):
        x = inception_resnet_block(x, scale=0.1, block_type='block17', block_idx=block_idx)
    branches = [conv2d_bn(conv2d_bn(x, 256, 1), 384, 3, strides=2, padding='valid'),
                conv2d_bn(conv2d_bn(x, 256, 1), 288, 3, strides=2, padding='valid'),
                conv2d_bn(conv2d_bn(conv2d_bn(x, 256, 1), 288, 3), 320, 3, strides=2, padding='valid'),
                layers.MaxPooling2D(3, strides=2, padding='valid')(x)]
    x = layers.Concatenate(axis=axis, name='mixed_7a')(branches)
    for block_idx in range(1, 10):
        x = inception_resnet_block(x, scale=0.2, block_type='block8', block_idx=block_idx)
    x = inception_resnet_block(x, scale=1., activation=None, block_type='block8', block_idx=10)
    x = conv2d_bn(x, 1536, 1, name='conv_7b')
    if include_top:
        x = layers.GlobalAveragePooling2D(name='avg_pool')(x)
        x = layers.Dense(classes, activation='softmax', name='predictions')(x)
    else:
        x = _common.pooling_head(x, pooling)
    model = Model(_common.model_inputs(input_tensor, img_input), x, name='inception_resnet_v2')
    fname = 'inception_resnet_v2_weights_tf_dim_ordering_tf_kernels%s.h5' % ('' if include_top else '_notop')
    return _common.load_model_weights(model, weights, fname, BASE_WEIGHT_URL + fname,
                                      _HASHES[0 if include_top else 1],
                                      what='ImageNet weights file of InceptionResNetV2')


preprocess_input = imagenet_utils.mode_preprocessor('tf', 'InceptionResNetV2')
decode_predictions = imagenet_utils.decode_predictions


inception_resnet_v2 = sys.modules[__name__]
