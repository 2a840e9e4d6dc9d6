"""InceptionV3 (Keras 2.2.4's `keras.applications.inception_v3`): Szegedy et al., "Rethinking the
Inception Architecture for Computer Vision" (2015). Layer order and names as in Keras and tf.keras
(most layers carry automatic names; the blocks are named `mixed0` ... `mixed10`).
"""
import sys

from kernelkit import backend as K
from kernelkit import layers
from kernelkit.applications import _common
from kernelkit.applications._common import keras_modules_injection  # noqa: F401
from kernelkit.applications import imagenet_utils
from kernelkit.engine.training import Model

_HASHES = ('9a0d58056eeedaa3f26cb7ebd46da564', 'bcbd6486424b2319ff4ef7d526e38f63')


def conv2d_bn(x, filters, num_row, num_col, padding='same', strides=(1, 1), name=None):
    """Convolution without bias, batch normalization without scale, then ReLU.

    # Arguments
        x: input tensor.
        filters: number of filters.
        num_row, num_col: kernel size.
        padding: `'same'` or `'valid'`.
        strides: strides of the convolution.
        name: base name (`name + '_conv'`, `name + '_bn'`, `name`), or `None` for automatic names.

    # Returns
        The output tensor.
    """
    conv_name, bn_name = (None, None) if name is None else (name + '_conv', name + '_bn')
    x = layers.Conv2D(filters, (num_row, num_col), strides=strides, padding=padding, use_bias=False,
                      name=conv_name)(x)
    x = layers.BatchNormalization(axis=_common.channel_axis(), scale=False, name=bn_name)(x)
    return layers.Activation('relu', name=name)(x)


def _pool_same(x):
    return layers.AveragePooling2D((3, 3), strides=(1, 1), padding='same')(x)


def _block_35(x, pool_filters, name):
    b1 = conv2d_bn(x, 64, 1, 1)
    b5 = conv2d_bn(conv2d_bn(x, 48, 1, 1), 64, 5, 5)
    b3 = conv2d_bn(conv2d_bn(conv2d_bn(x, 64, 1, 1), 96, 3, 3), 96, 3, 3)
    bp = conv2d_bn(_pool_same(x), pool_filters, 1, 1)
    return layers.concatenate([b1, b5, b3, bp], axis=_common.channel_axis(), name=name)


def _block_17(x, width, name):
    b1 = conv2d_bn(x, 192, 1, 1)
    b7 = conv2d_bn(x, width, 1, 1)
    b7 = conv2d_bn(b7, width, 1, 7)
    b7 = conv2d_bn(b7, 192, 7, 1)
    bd = conv2d_bn(x, width, 1, 1)
    for filters, rows, cols in ((width, 7, 1), (width, 1, 7), (width, 7, 1), (192, 1, 7)):
        bd = conv2d_bn(bd, filters, rows, cols)
    bp = conv2d_bn(_pool_same(x), 192, 1, 1)
    return layers.concatenate([b1, b7, bd, bp], axis=_common.channel_axis(), name=name)


def _block_8(x, index):
    axis = _common.channel_axis()
    b1 = conv2d_bn(x, 320, 1, 1)
    b3 = conv2d_bn(x, 384, 1, 1)
    b3 = layers.concatenate([conv2d_bn(b3, 384, 1, 3), conv2d_bn(b3, 384, 3, 1)], axis=axis,
                            name='mixed9_%d' % index)
    bd = conv2d_bn(conv2d_bn(x, 448, 1, 1), 384, 3, 3)
    bd = layers.concatenate([conv2d_bn(bd, 384, 1, 3), conv2d_bn(bd, 384, 3, 1)], axis=axis)
    bp = conv2d_bn(_pool_same(x), 192, 1, 1)
    return layers.concatenate([b1, b3, bd, bp], axis=axis, name='mixed%d' % (9 + index))


def InceptionV3(include_top=True, weights='imagenet', input_tensor=None, input_shape=None, pooling=None,
                classes=1000, **kwargs):
    """Instantiates the Inception v3 architecture, optionally with weights pre-trained on ImageNet.

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
    axis = _common.channel_axis()
    x = conv2d_bn(img_input, 32, 3, 3, strides=(2, 2), padding='valid')
    x = conv2d_bn(x, 32, 3, 3, padding='valid')
    x = conv2d_bn(x, 64, 3, 3)
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = conv2d_bn(x, 80, 1, 1, padding='valid')
    x = conv2d_bn(x, 192, 3, 3, padding='valid')
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = _block_35(x, 32, 'mixed0')
    x = _block_35(x, 64, 'mixed1')
    x = _block_35(x, 64, 'mixed2')
    b3 = conv2d_bn(x, 384, 3, 3, strides=(2, 2), padding='valid')
    bd = conv2d_bn(conv2d_bn(x, 64, 1, 1), 96, 3, 3)
    bd = conv2d_bn(bd, 96, 3, 3, strides=(2, 2), padding='valid')
    bp = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = layers.concatenate([b3, bd, bp], axis=axis, name='mixed3')
    x = _block_17(x, 128, 'mixed4')
    x = _block_17(x, 160, 'mixed5')
    x = _block_17(x, 160, 'mixed6')
    x = _block_17(x, 192, 'mixed7')
    b3 = conv2d_bn(conv2d_bn(x, 192, 1, 1), 320, 3, 3, strides=(2, 2), padding='valid')
    b7 = conv2d_bn(x, 192, 1, 1)
    b7 = conv2d_bn(b7, 192, 1, 7)
    b7 = conv2d_bn(b7, 192, 7, 1)
    b7 = conv2d_bn(b7, 192, 3, 3, strides=(2, 2), padding='valid')
    bp = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = layers.concatenate([b3, b7, bp], axis=axis, name='mixed8')
    x = _block_8(x, 0)
    x = _block_8(x, 1)
    if include_top:
        x = layers.GlobalAveragePooling2D(name='avg_pool')(x)
        x = layers.Dense(classes, activation='softmax', name='predictions')(x)
    else:
        x = _common.pooling_head(x, pooling)
    model = Model(_common.model_inputs(input_tensor, img_input), x, name='inception_v3')
    fname = 'inception_v3_weights_tf_dim_ordering_tf_kernels%s.h5' % ('' if include_top else '_notop')
    return _common.load_model_weights(model, weights, fname, _common.WEIGHTS_BASE + 'inception_v3/' + fname,
                                      _HASHES[0 if include_top else 1],
                                      what='ImageNet weights file of InceptionV3')


preprocess_input = imagenet_utils.mode_preprocessor('tf', 'InceptionV3')
decode_predictions = imagenet_utils.decode_predictions


inception_v3 = sys.modules[__name__]
