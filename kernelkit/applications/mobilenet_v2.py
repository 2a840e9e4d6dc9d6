"""MobileNetV2 (Keras 2.2.4's `keras.applications.mobilenet_v2`): Sandler et al., "MobileNetV2: Inverted
Residuals and Linear Bottlenecks" (2018). Layer order and names as in Keras and tf.keras.
"""
import sys
import warnings

from kernelkit import backend as K
from kernelkit import layers
from kernelkit.applications import _common
from kernelkit.applications._common import keras_modules_injection  # noqa: F401
from kernelkit.applications import imagenet_utils
from kernelkit.engine.training import Model

BASE_WEIGHT_PATH = _common.WEIGHTS_BASE + 'mobilenet_v2/'
_SIZES = (96, 128, 160, 192, 224)
_ALPHAS = (0.35, 0.50, 0.75, 1.0, 1.3, 1.4)
# (filters, stride, expansion) of the 17 inverted residual blocks
_BLOCKS = ((16, 1, 1), (24, 2, 6), (24, 1, 6), (32, 2, 6), (32, 1, 6), (32, 1, 6), (64, 2, 6), (64, 1, 6),
           (64, 1, 6), (64, 1, 6), (96, 1, 6), (96, 1, 6), (96, 1, 6), (160, 2, 6), (160, 1, 6), (160, 1, 6),
           (320, 1, 6))


def _make_divisible(value, divisor, min_value=None):
    """Rounds `value` to a multiple of `divisor`, never below `min_value` nor 10% below `value`."""
    min_value = divisor if min_value is None else min_value
    rounded = max(min_value, int(value + divisor / 2) // divisor * divisor)
    if rounded < 0.9 * value:
        rounded += divisor
    return rounded


def correct_pad(inputs, kernel_size):
    """The zero padding `((top, bottom), (left, right))` before a strided 'valid' convolution that gives
    TensorFlow's 'same' output size.

    # Arguments
        inputs: the input tensor.
        kernel_size: an integer or a tuple of 2 integers.

    # Returns
        A tuple of two tuples.
    """
    first = 2 if K.image_data_format() == 'channels_first' else 1
    size = K.int_shape(inputs)[first:first + 2]
    if isinstance(kernel_size, int):
        kernel_size = (kernel_size, kernel_size)
    adjust = (1, 1) if size[0] is None else (1 - size[0] % 2, 1 - size[1] % 2)
    correct = (kernel_size[0] // 2, kernel_size[1] // 2)
    return ((correct[0] - adjust[0], correct[0]), (correct[1] - adjust[1], correct[1]))


def _bn(x, name):
    return layers.BatchNormalization(axis=_common.channel_axis(), epsilon=1e-3, momentum=0.999, name=name)(x)


def _inverted_res_block(inputs, expansion, stride, alpha, filters, block_id):
    """Expansion 1x1, depthwise 3x3, linear projection 1x1, and the residual addition when shapes allow."""
    in_channels = K.int_shape(inputs)[_common.channel_axis()]
    pointwise_filters = _make_divisible(int(filters * alpha), 8)
    x = inputs
    if block_id:
        prefix = 'block_%d_' % block_id
        x = layers.Conv2D(expansion * in_channels, kernel_size=1, padding='same', use_bias=False,
                          activation=None, name=prefix + 'expand')(x)
        x = _bn(x, prefix + 'expand_BN')
        x = layers.ReLU(6., name=prefix + 'expand_relu')(x)
    else:
        prefix = 'expanded_conv_'
    if stride == 2:
        x = layers.ZeroPadding2D(padding=correct_pad(x, 3), name=prefix + 'pad')(x)
    x = layers.DepthwiseConv2D(kernel_size=3, strides=stride, activation=None, use_bias=False,
                               padding='same' if stride == 1 else 'valid', name=prefix + 'depthwise')(x)
    x = _bn(x, prefix + 'depthwise_BN')
    x = layers.ReLU(6., name=prefix + 'depthwise_relu')(x)
    x = layers.Conv2D(pointwise_filters, kernel_size=1, padding='same', use_bias=False, activation=None,
                      name=prefix + 'project')(x)
    x = _bn(x, prefix + 'project_BN')
    if in_channels == pointwise_filters and stride == 1:
        return layers.Add(name=prefix + 'add')([inputs, x])
    return x


def _default_size(input_shape, input_tensor):
    if input_shape is None and input_tensor is not None and K.is_keras_tensor(input_tensor):
        shape = K.int_shape(input_tensor)
        input_shape = shape[1:]
    if input_shape is None:
        return 224
    rows, cols = (input_shape[1], input_shape[2]) if K.image_data_format() == 'channels_first' else \
        (input_shape[0], input_shape[1])
    return rows if rows == cols and rows in _SIZES else 224


def MobileNetV2(input_shape=None, alpha=1.0, include_top=True, weights='imagenet', input_tensor=None,
                pooling=None, classes=1000, **kwargs):
    """Instantiates the MobileNetV2 architecture, optionally with weights pre-trained on ImageNet.

    # Arguments
        input_shape: optional shape tuple, only to be specified if `include_top` is False (otherwise
            `(224, 224, 3)`, or a square size of 96/128/160/192); 3 channels, at least 32x32.
        alpha: width multiplier; ImageNet weights exist for 0.35, 0.50, 0.75, 1.0, 1.3 and 1.4.
        include_top: whether to include the fully-connected layer at the top of the network.
        weights: `None` (random initialization), `'imagenet'` (pre-training on ImageNet, from the Keras
            cache folder `models`), or the path to a weights file to load.
        input_tensor: optional Keras tensor (i.e. output of `layers.Input()`) to use as image input.
        pooling: `None`, `'avg'` or `'max'`, when `include_top` is False.
        classes: number of classes, only with `include_top=True` and no `weights`.
        **kwargs: the `backend`, `layers`, `models`, `utils` of the injection API (ignored).

    # Returns
        A Keras `Model` instance, named `mobilenetv2_<alpha>_<rows>`.

    # Raises
        ValueError: for invalid `weights`, input shape, or `alpha` with ImageNet weights.
        kernelkit.utils.data_utils.DownloadError: when the ImageNet weights file is missing offline.
    """
    _common.check_weights_argument(weights, include_top, classes)
    input_shape = _common.obtain_input_shape(input_shape, default_size=_default_size(input_shape, input_tensor),
                                             min_size=32, data_format=K.image_data_format(),
                                             require_flatten=include_top, weights=weights)
    first = K.image_data_format() == 'channels_first'
    rows, cols = (input_shape[1], input_shape[2]) if first else (input_shape[0], input_shape[1])
    if weights == 'imagenet':
        if alpha not in _ALPHAS:
            raise ValueError('If imagenet weights are being loaded, alpha can be one of `0.35`, `0.50`, `0.75`, '
                             '`1.0`, `1.3` or `1.4` only; received alpha=%r.' % (alpha,))
        if rows != cols or rows not in _SIZES:
            rows = 224
            warnings.warn('`input_shape` is undefined or non-square, or `rows` is not in [96, 128, 160, 192, '
                          '224]. Weights for input shape (224, 224) will be loaded as the default.',
                          stacklevel=2)
    img_input = _common.image_input(input_tensor, input_shape)
    x = layers.Conv2D(_make_divisible(32 * alpha, 8), kernel_size=3, strides=(2, 2), padding='same',
                      use_bias=False, name='Conv1')(img_input)
    x = _bn(x, 'bn_Conv1')
    x = layers.ReLU(6., name='Conv1_relu')(x)
    for block_id, (filters, stride, expansion) in enumerate(_BLOCKS):
        x = _inverted_res_block(x, filters=filters, alpha=alpha, stride=stride, expansion=expansion,
                                block_id=block_id)
    last_filters = _make_divisible(1280 * alpha, 8) if alpha > 1.0 else 1280
    x = layers.Conv2D(last_filters, kernel_size=1, use_bias=False, name='Conv_1')(x)
    x = _bn(x, 'Conv_1_bn')
    x = layers.ReLU(6., name='out_relu')(x)
    if include_top:
        x = layers.GlobalAveragePooling2D()(x)
        x = layers.Dense(classes, activation='softmax', use_bias=True, name='predictions')(x)
    else:
        x = _common.pooling_head(x, pooling)
    model = Model(_common.model_inputs(input_tensor, img_input), x, name='mobilenetv2_%0.2f_%s' % (alpha, rows))
    fname = 'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_%s_%s%s.h5' % (
        float(alpha), rows, '' if include_top else '_no_top')
    return _common.load_model_weights(model, weights, fname, BASE_WEIGHT_PATH + fname,
                                      what='ImageNet weights file of MobileNetV2')


preprocess_input = imagenet_utils.mode_preprocessor('tf', 'MobileNetV2')
decode_predictions = imagenet_utils.decode_predictions


mobilenet_v2 = sys.modules[__name__]
