"""ResNet50 (Keras 2.2.4's `keras.applications.resnet50`): He et al., "Deep Residual Learning for Image
Recognition" (2015).

The layer names and order are those of tf.keras (`conv2_block1_1_conv`, ...) and of its weight files
`resnet50_weights_tf_dim_ordering_tf_kernels(_notop).h5`; Keras 2.2.4's own graph named the same layers
`res2a_branch2a`, ... (its weight files load by order all the same: the topology is equal).
"""
import sys

from kernelkit import backend as K
from kernelkit import layers
from kernelkit.applications import _common
from kernelkit.applications._common import keras_modules_injection  # noqa: F401
from kernelkit.applications import imagenet_utils
from kernelkit.engine.training import Model

_HASHES = ('2cb95161c43110f7111970584f804107', '4d473c1dd8becc155b73f8504c6f6626')
_EPSILON = 1.001e-5


def _bottleneck(x, filters, stride, conv_shortcut, name):
    """One bottleneck residual block: 1x1, 3x3, 1x1 convolutions plus the (projected) shortcut."""
    axis = _common.channel_axis()
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=name + '_0_conv')(x)
        shortcut = layers.BatchNormalization(axis=axis, epsilon=_EPSILON, name=name + '_0_bn')(shortcut)
    else:
        shortcut = x
    x = layers.Conv2D(filters, 1, strides=stride, name=name + '_1_conv')(x)
    x = layers.BatchNormalization(axis=axis, epsilon=_EPSILON, name=name + '_1_bn')(x)
    x = layers.Activation('relu', name=name + '_1_relu')(x)
    x = layers.Conv2D(filters, 3, padding='same', name=name + '_2_conv')(x)
    x = layers.BatchNormalization(axis=axis, epsilon=_EPSILON, name=name + '_2_bn')(x)
    x = layers.Activation('relu', name=name + '_2_relu')(x)
    x = layers.Conv2D(4 * filters, 1, name=name + '_3_conv')(x)
    x = layers.BatchNormalization(axis=axis, epsilon=_EPSILON, name=name + '_3_bn')(x)
    x = layers.Add(name=name + '_add')([shortcut, x])
    return layers.Activation('relu', name=name + '_out')(x)


def _stage(x, filters, blocks, stride, name):
    x = _bottleneck(x, filters, stride, True, name + '_block1')
    for index in range(2, blocks + 1):
        x = _bottleneck(x, filters, 1, False, name + '_block%d' % index)
    return x


def ResNet50(include_top=True, weights='imagenet', input_tensor=None, input_shape=None, pooling=None,
             classes=1000, **kwargs):
    """Instantiates the ResNet50 architecture, optionally with weights pre-trained on ImageNet.

    # Arguments
        include_top: whether to include the fully-connected layer at the top of the network.
        weights: `None` (random initialization), `'imagenet'` (pre-training on ImageNet, from the Keras
            cache folder `models`), or the path to a weights file to load.
        input_tensor: optional Keras tensor (i.e. output of `layers.Input()`) to use as image input.
        input_shape: optional shape tuple, only to be specified if `include_top` is False (otherwise
            `(224, 224, 3)`); 3 channels, width and height no smaller than 32.
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
    input_shape = _common.obtain_input_shape(input_shape, default_size=224, min_size=32,
                                             data_format=K.image_data_format(), require_flatten=include_top,
                                             weights=weights)
    img_input = _common.image_input(input_tensor, input_shape)
    axis = _common.channel_axis()
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)), name='conv1_pad')(img_input)
    x = layers.Conv2D(64, 7, strides=2, name='conv1_conv')(x)
    x = layers.BatchNormalization(axis=axis, epsilon=_EPSILON, name='conv1_bn')(x)
    x = layers.Activation('relu', name='conv1_relu')(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name='pool1_pad')(x)
    x = layers.MaxPooling2D(3, strides=2, name='pool1_pool')(x)
    x = _stage(x, 64, 3, 1, 'conv2')
    x = _stage(x, 128, 4, 2, 'conv3')
    x = _stage(x, 256, 6, 2, 'conv4')
    x = _stage(x, 512, 3, 2, 'conv5')
    if include_top:
        x = layers.GlobalAveragePooling2D(name='avg_pool')(x)
        x = layers.Dense(classes, activation='softmax', name='predictions')(x)
    else:
        x = _common.pooling_head(x, pooling, 'avg_pool', 'max_pool')
    model = Model(_common.model_inputs(input_tensor, img_input), x, name='resnet50')
    fname = 'resnet50_weights_tf_dim_ordering_tf_kernels%s.h5' % ('' if include_top else '_notop')
    return _common.load_model_weights(model, weights, fname, _common.WEIGHTS_BASE + 'resnet/' + fname,
                                      _HASHES[0 if include_top else 1],
                                      what='ImageNet weights file of ResNet50')


preprocess_input = imagenet_utils.mode_preprocessor('caffe', 'ResNet50')
decode_predictions = imagenet_utils.decode_predictions


resnet50 = sys.modules[__name__]
