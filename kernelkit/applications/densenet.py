"""DenseNet121, DenseNet169 and DenseNet201 (Keras 2.2.4's `keras.applications.densenet`): Huang et al.,
"Densely Connected Convolutional Networks" (2017). Layer order and names as in Keras and tf.keras
(`conv1/conv`, `conv2_block1_0_bn`, ...).
"""
import sys

from kernelkit import backend as K
from kernelkit import layers
from kernelkit.applications import _common
from kernelkit.applications._common import keras_modules_injection  # noqa: F401
from kernelkit.applications import imagenet_utils
from kernelkit.engine.training import Model

BASE_WEIGHTS_PATH = _common.WEIGHTS_BASE + 'densenet/'
_EPSILON = 1.001e-5
# blocks -> (name, top hash, no-top hash)
_KNOWN = {
    (6, 12, 24, 16): ('densenet121', '9d60b8095a5708f2dcce2bca79d332c7', '30ee3e1110167f948a6b9946edeeb738'),
    (6, 12, 32, 32): ('densenet169', 'd699b8f76981ab1b30698df4c175e90b', 'b8c4d4c20dd625c148057b9ff1c1176b'),
    (6, 12, 48, 32): ('densenet201', '1ceb130c1ea1b78c3bf6114dbdfd8807', 'c13680b51ded0fb44dff2d8f86ac8bb1'),
}


def _bn(x, name):
    axis = 1 if K.image_data_format() == 'channels_first' else 3
    return layers.BatchNormalization(axis=axis, epsilon=_EPSILON, name=name)(x)


def conv_block(x, growth_rate, name):
    """A building block of a dense block: BN-ReLU-1x1 conv-BN-ReLU-3x3 conv, concatenated to its input.

    # Arguments
        x: input tensor.
        growth_rate: the number of channels the block adds.
        name: the block's name prefix.

    # Returns
        The output tensor.
    """
    axis = 1 if K.image_data_format() == 'channels_first' else 3
    y = layers.Activation('relu', name=name + '_0_relu')(_bn(x, name + '_0_bn'))
    y = layers.Conv2D(4 * growth_rate, 1, use_bias=False, name=name + '_1_conv')(y)
    y = layers.Activation('relu', name=name + '_1_relu')(_bn(y, name + '_1_bn'))
    y = layers.Conv2D(growth_rate, 3, padding='same', use_bias=False, name=name + '_2_conv')(y)
    return layers.Concatenate(axis=axis, name=name + '_concat')([x, y])


def dense_block(x, blocks, name):
    """A dense block: `blocks` building blocks of growth rate 32.

    # Arguments
        x: input tensor.
        blocks: the number of building blocks.
        name: the block's name prefix.

    # Returns
        The output tensor.
    """
    for index in range(blocks):
        x = conv_block(x, 32, name=name + '_block%d' % (index + 1))
    return x


def transition_block(x, reduction, name):
    """A transition block: BN-ReLU, a 1x1 convolution reducing the channels by `reduction`, 2x2 average pool.

    # Arguments
        x: input tensor.
        reduction: compression rate of the channels.
        name: the block's name prefix.

    # Returns
        The output tensor.
    """
    axis = 1 if K.image_data_format() == 'channels_first' else 3
    x = layers.Activation('relu', name=name + '_relu')(_bn(x, name + '_bn'))
    x = layers.Conv2D(int(K.int_shape(x)[axis] * reduction), 1, use_bias=False, name=name + '_conv')(x)
    return layers.AveragePooling2D(2, strides=2, name=name + '_pool')(x)


def DenseNet(blocks, include_top=True, weights='imagenet', input_tensor=None, input_shape=None, pooling=None,
             classes=1000, **kwargs):
    """Instantiates a DenseNet with the given numbers of building blocks in its four dense blocks.

    # Arguments
        blocks: four integers, e.g. `[6, 12, 24, 16]` for DenseNet121. ImageNet weights exist for 121, 169
            and 201.
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
        ValueError: for invalid `blocks`, `weights` or input shape, or ImageNet weights for other `blocks`.
        kernelkit.utils.data_utils.DownloadError: when the ImageNet weights file is missing offline.
    """
    blocks = tuple(int(count) for count in blocks)
    if len(blocks) != 4:
        raise ValueError('`blocks` must be four integers (the building blocks of each dense block); received '
                         'blocks=%r.' % (blocks,))
    _common.check_weights_argument(weights, include_top, classes)
    if weights == 'imagenet' and blocks not in _KNOWN:
        raise ValueError('ImageNet weights exist only for DenseNet121, 169 and 201 (blocks %s); received '
                         'blocks=%r.' % (sorted(_KNOWN), blocks))
    input_shape = _common.obtain_input_shape(input_shape, default_size=224, min_size=32,
                                             data_format=K.image_data_format(), require_flatten=include_top,
                                             weights=weights)
    img_input = _common.image_input(input_tensor, input_shape)
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)))(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=False, name='conv1/conv')(x)
    x = layers.Activation('relu', name='conv1/relu')(_bn(x, 'conv1/bn'))
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)))(x)
    x = layers.MaxPooling2D(3, strides=2, name='pool1')(x)
    for stage, count in enumerate(blocks, start=2):
        x = dense_block(x, count, name='conv%d' % stage)
        if stage < 5:
            x = transition_block(x, 0.5, name='pool%d' % stage)
    x = layers.Activation('relu', name='relu')(_bn(x, 'bn'))
    if include_top:
        x = layers.GlobalAveragePooling2D(name='avg_pool')(x)
        x = layers.Dense(classes, activation='softmax', name='predictions')(x)
    else:
        x = _common.pooling_head(x, pooling, 'avg_pool', 'max_pool')
    name, top_hash, notop_hash = _KNOWN.get(blocks, ('densenet', None, None))
    model = Model(_common.model_inputs(input_tensor, img_input), x, name=name)
    fname = '%s_weights_tf_dim_ordering_tf_kernels%s.h5' % (name, '' if include_top else '_notop')
    return _common.load_model_weights(model, weights, fname, BASE_WEIGHTS_PATH + fname,
                                      top_hash if include_top else notop_hash,
                                      what='ImageNet weights file of %s' % name.replace('densenet', 'DenseNet'))


def DenseNet121(include_top=True, weights='imagenet', input_tensor=None, input_shape=None, pooling=None,
                classes=1000, **kwargs):
    """Instantiates the DenseNet121 architecture (see `DenseNet`; blocks `[6, 12, 24, 16]`).

    # Arguments
        include_top, weights, input_tensor, input_shape, pooling, classes: as in `DenseNet`.
        **kwargs: ignored (injection API).

    # Returns
        A Keras `Model` instance.
    """
    return DenseNet([6, 12, 24, 16], include_top, weights, input_tensor, input_shape, pooling, classes)


def DenseNet169(include_top=True, weights='imagenet', input_tensor=None, input_shape=None, pooling=None,
                classes=1000, **kwargs):
    """Instantiates the DenseNet169 architecture (see `DenseNet`; blocks `[6, 12, 32, 32]`).

    # Arguments
        include_top, weights, input_tensor, input_shape, pooling, classes: as in `DenseNet`.
        **kwargs: ignored (injection API).

    # Returns
        A Keras `Model` instance.
    """
    return DenseNet([6, 12, 32, 32], include_top, weights, input_tensor, input_shape, pooling, classes)


def DenseNet201(include_top=True, weights='imagenet', input_tensor=None, input_shape=None, pooling=None,
                classes=1000, **kwargs):
    """Instantiates the DenseNet201 architecture (see `DenseNet`; blocks `[6, 12, 48, 32]`).

    # Arguments
        include_top, weights, input_tensor, input_shape, pooling, classes: as in `DenseNet`.
        **kwargs: ignored (injection API).

    # Returns
        A Keras `Model` instance.
    """
    return DenseNet([6, 12, 48, 32], include_top, weights, input_tensor, input_shape, pooling, classes)


preprocess_input = imagenet_utils.mode_preprocessor('torch', 'DenseNet')
decode_predictions = imagenet_utils.decode_predictions


densenet = sys.modules[__name__]
