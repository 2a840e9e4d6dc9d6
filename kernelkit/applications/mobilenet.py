"""MobileNet (Keras 2.2.4's `keras.applications.mobilenet`): Howard et al., "MobileNets: Efficient
Convolutional Neural Networks for Mobile Vision Applications" (2017).

The classifier is tf.keras's (global average pooling keeping the spatial axes, dropout, a 1x1
convolution `conv_preds`, `reshape_2`, `predictions`); the weight files are the same.
"""
import sys
import warnings

from kernelkit import backend as K
from kernelkit import layers
from kernelkit.applications import _common
from kernelkit.applications._common import keras_modules_injection  # noqa: F401
from kernelkit.applications import imagenet_utils
from kernelkit.engine.training import Model

BASE_WEIGHT_PATH = _common.WEIGHTS_BASE + 'mobilenet/'
_SIZES = (128, 160, 192, 224)
_ALPHA_TEXT = {1.0: '1_0', 0.75: '7_5', 0.50: '5_0', 0.25: '2_5'}
# (filters, strides) of the 13 depthwise blocks
_BLOCKS = ((64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1), (512, 1),
           (512, 1), (512, 1), (1024, 2), (1024, 1))


def _conv_block(inputs, filters, alpha, kernel=(3, 3), strides=(1, 1)):
    """The first convolution (no bias), batch normalization and ReLU6."""
    x = layers.Conv2D(int(filters * alpha), kernel, padding='same', use_bias=False, strides=strides,
                      name='conv1')(inputs)
    x = layers.BatchNormalization(axis=_common.channel_axis(), name='conv1_bn')(x)
    return layers.ReLU(6., name='conv1_relu')(x)


def _depthwise_conv_block(inputs, pointwise_filters, alpha, depth_multiplier=1, strides=(1, 1), block_id=1):
    """A depthwise 3x3 convolution and a pointwise 1x1 convolution, each with batch normalization, ReLU6."""
    axis = _common.channel_axis()
    x = inputs
    if strides != (1, 1):
        x = layers.ZeroPadding2D(((0, 1), (0, 1)), name='conv_pad_%d' % block_id)(x)
    x = layers.DepthwiseConv2D((3, 3), padding='same' if strides == (1, 1) else 'valid',
                               depth_multiplier=depth_multiplier, strides=strides, use_bias=False,
                               name='conv_dw_%d' % block_id)(x)
    x = layers.BatchNormalization(axis=axis, name='conv_dw_%d_bn' % block_id)(x)
    x = layers.ReLU(6., name='conv_dw_%d_relu' % block_id)(x)
    x = layers.Conv2D(int(pointwise_filters * alpha), (1, 1), padding='same', use_bias=False, strides=(1, 1),
                      name='conv_pw_%d' % block_id)(x)
    x = layers.BatchNormalization(axis=axis, name='conv_pw_%d_bn' % block_id)(x)
    return layers.ReLU(6., name='conv_pw_%d_relu' % block_id)(x)


def _rows_cols(input_shape):
    if K.image_data_format() == 'channels_first':
        return input_shape[1], input_shape[2]
    return input_shape[0], input_shape[1]


def MobileNet(input_shape=None, alpha=1.0, depth_multiplier=1, dropout=1e-3, include_top=True,
              weights='imagenet', input_tensor=None, pooling=None, classes=1000, **kwargs):
    """Instantiates the MobileNet architecture, optionally with weights pre-trained on ImageNet.

    # Arguments
        input_shape: optional shape tuple, only to be specified if `include_top` is False (otherwise
            `(224, 224, 3)`, or 128/160/192 square sizes); 3 channels, width and height no smaller than 32.
        alpha: width multiplier: < 1 shrinks, > 1 widens the number of filters of every layer. ImageNet
            weights exist for 0.25, 0.50, 0.75 and 1.0.
        depth_multiplier: depth multiplier of the depthwise convolutions (1 for ImageNet weights).
        dropout: dropout rate before the classifier.
        include_top: whether to include the classifier at the top of the network.
        weights: `None` (random initialization), `'imagenet'` (pre-training on ImageNet, from the Keras
            cache folder `models`), or the path to a weights file to load.
        input_tensor: optional Keras tensor (i.e. output of `layers.Input()`) to use as image input.
        pooling: `None`, `'avg'` or `'max'`, when `include_top` is False.
        classes: number of classes, only with `include_top=True` and no `weights`.
        **kwargs: the `backend`, `layers`, `models`, `utils` of the injection API (ignored).

    # Returns
        A Keras `Model` instance, named `mobilenet_<alpha>_<rows>`.

    # Raises
        ValueError: for invalid `weights`, input shape, or `alpha`/`depth_multiplier` with ImageNet weights.
        kernelkit.utils.data_utils.DownloadError: when the ImageNet weights file is missing offline.
    """
    _common.check_weights_argument(weights, include_top, classes)
    default_size = 224
    if input_shape is not None:
        rows, cols = _rows_cols(input_shape)
        if rows == cols and rows in _SIZES:
            default_size = rows
    input_shape = _common.obtain_input_shape(input_shape, default_size=default_size, min_size=32,
                                             data_format=K.image_data_format(), require_flatten=include_top,
                                             weights=weights)
    rows, cols = _rows_cols(input_shape)
    if weights == 'imagenet':
        if depth_multiplier != 1:
            raise ValueError('If imagenet weights are being loaded, depth multiplier must be 1; received '
                             'depth_multiplier=%r.' % (depth_multiplier,))
        if alpha not in _ALPHA_TEXT:
            raise ValueError('If imagenet weights are being loaded, alpha can be one of `0.25`, `0.50`, '
                             '`0.75` or `1.0` only; received alpha=%r.' % (alpha,))
        if rows != cols or rows not in _SIZES:
            rows = 224
            warnings.warn('`input_shape` is undefined or non-square, or `rows` is not in [128, 160, 192, '
                          '224]. Weights for input shape (224, 224) will be loaded as the default.',
                          stacklevel=2)
    img_input = _common.image_input(input_tensor, input_shape)
    x = _conv_block(img_input, 32, alpha, strides=(2, 2))
    for block_id, (filters, stride) in enumerate(_BLOCKS, start=1):
        x = _depthwise_conv_block(x, filters, alpha, depth_multiplier, strides=(stride, stride),
                                  block_id=block_id)
    if include_top:
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Dropout(dropout, name='dropout')(x)
        x = layers.Conv2D(classes, (1, 1), padding='same', name='conv_preds')(x)
        x = layers.Reshape((classes,), name='reshape_2')(x)
        x = layers.Activation('softmax', name='predictions')(x)
    else:
        x = _common.pooling_head(x, pooling)
    model = Model(_common.model_inputs(input_tensor, img_input), x, name='mobilenet_%0.2f_%s' % (alpha, rows))
    fname = None
    if weights == 'imagenet':
        fname = 'mobilenet_%s_%d_tf%s.h5' % (_ALPHA_TEXT[alpha], rows, '' if include_top else '_no_top')
    return _common.load_model_weights(model, weights, fname, BASE_WEIGHT_PATH + str(fname),
                                      what='ImageNet weights file of MobileNet')


preprocess_input = imagenet_utils.mode_preprocessor('tf', 'MobileNet')
decode_predictions = imagenet_utils.decode_predictions


mobilenet = sys.modules[__name__]
