"""Xception (Keras 2.2.4's `keras.applications.xception`): Chollet, "Xception: Deep Learning with
Depthwise Separable Convolutions" (2017). Layer order and names as in Keras and tf.keras (the residual
projections and additions carry automatic names).
"""
import sys

from kernelkit import backend as K
from kernelkit import layers
from kernelkit.applications import _common
from kernelkit.applications._common import keras_modules_injection  # noqa: F401
from kernelkit.applications import imagenet_utils
from kernelkit.engine.training import Model

_HASHES = ('0a58e3b7378bc2990ea3b43d5981f1f6', 'b0042744bf5b25fce3cb969f33bebb97')


def _sepconv_bn(x, filters, name):
    x = layers.SeparableConv2D(filters, (3, 3), padding='same', use_bias=False, name=name)(x)
    return layers.BatchNormalization(axis=_common.channel_axis(), name=name + '_bn')(x)


def _projection(x, filters):
    residual = layers.Conv2D(filters, (1, 1), strides=(2, 2), padding='same', use_bias=False)(x)
    return layers.BatchNormalization(axis=_common.channel_axis())(residual)


def _entry_block(x, filters, block, first_activation=True):
    """An entry-flow block: two separable convolutions, strided max pooling, plus a 1x1 projection."""
    residual = _projection(x, filters[1])
    prefix = 'block%d' % block
    if first_activation:
        x = layers.Activation('relu', name=prefix + '_sepconv1_act')(x)
    x = _sepconv_bn(x, filters[0], prefix + '_sepconv1')
    x = layers.Activation('relu', name=prefix + '_sepconv2_act')(x)
    x = _sepconv_bn(x, filters[1], prefix + '_sepconv2')
    x = layers.MaxPooling2D((3, 3), strides=(2, 2), padding='same', name=prefix + '_pool')(x)
    return layers.add([x, residual])


def Xception(include_top=True, weights='imagenet', input_tensor=None, input_shape=None, pooling=None,
             classes=1000, **kwargs):
    """Instantiates the Xception architecture, optionally with weights pre-trained on ImageNet.

    # Arguments
        include_top: whether to include the fully-connected layer at the top of the network.
        weights: `None` (random initialization), `'imagenet'` (pre-training on ImageNet, from the Keras
            cache folder `models`), or the path to a weights file to load.
        input_tensor: optional Keras tensor (i.e. output of `layers.Input()`) to use as image input.
        input_shape: optional shape tuple, only to be specified if `include_top` is False (otherwise
            `(299, 299, 3)`); 3 channels, width and height no smaller than 71.
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
    input_shape = _common.obtain_input_shape(input_shape, default_size=299, min_size=71,
                                             data_format=K.image_data_format(), require_flatten=include_top,
                                             weights=weights)
    img_input = _common.image_input(input_tensor, input_shape)
    axis = _common.channel_axis()
    x = layers.Conv2D(32, (3, 3), strides=(2, 2), use_bias=False, name='block1_conv1')(img_input)
    x = layers.BatchNormalization(axis=axis, name='block1_conv1_bn')(x)
    x = layers.Activation('relu', name='block1_conv1_act')(x)
    x = layers.Conv2D(64, (3, 3), use_bias=False, name='block1_conv2')(x)
    x = layers.BatchNormalization(axis=axis, name='block1_conv2_bn')(x)
    x = layers.Activation('relu', name='block1_conv2_act')(x)
    x = _entry_block(x, (128, 128), 2, first_activation=False)
    x = _entry_block(x, (256, 256), 3)
    x = _entry_block(x, (728, 728), 4)
    for block in range(5, 13):
        residual = x
        prefix = 'block%d' % block
        for conv in (1, 2, 3):
            x = layers.Activation('relu', name='%s_sepconv%d_act' % (prefix, conv))(x)
            x = _sepconv_bn(x, 728, '%s_sepconv%d' % (prefix, conv))
        x = layers.add([x, residual])
    x = _entry_block(x, (728, 1024), 13)
    for conv, filters in ((1, 1536), (2, 2048)):
        x = _sepconv_bn(x, filters, 'block14_sepconv%d' % conv)
        x = layers.Activation('relu', name='block14_sepconv%d_act' % conv)(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name='avg_pool')(x)
        x = layers.Dense(classes, activation='softmax', name='predictions')(x)
    else:
        x = _common.pooling_head(x, pooling)
    model = Model(_common.model_inputs(input_tensor, img_input), x, name='xception')
    fname = 'xception_weights_tf_dim_ordering_tf_kernels%s.h5' % ('' if include_top else '_notop')
    return _common.load_model_weights(model, weights, fname, _common.WEIGHTS_BASE + 'xception/' + fname,
                                      _HASHES[0 if include_top else 1],
                                      what='ImageNet weights file of Xception')


preprocess_input = imagenet_utils.mode_preprocessor('tf', 'Xception')
decode_predictions = imagenet_utils.decode_predictions


xception = sys.modules[__name__]
