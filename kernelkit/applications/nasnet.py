"""NASNetLarge and NASNetMobile (Keras 2.2.4's `keras.applications.nasnet`): Zoph et al., "Learning
Transferable Architectures for Scalable Image Recognition" (2017). NASNet-A cells; layer order and names as
in Keras and tf.keras. The models are channels_last only (as in Keras: with channels_first set, a warning is
given and the model is built channels_last).
"""
import sys
import warnings

from kernelkit import backend as K
from kernelkit import layers
from kernelkit.applications import _common
from kernelkit.applications._common import keras_modules_injection  # noqa: F401
from kernelkit.applications import imagenet_utils
from kernelkit.applications.mobilenet_v2 import correct_pad
from kernelkit.engine.training import Model

BASE_WEIGHTS_PATH = _common.WEIGHTS_BASE + 'nasnet/'
# default size -> (url name top, url name no top, cache file top, cache file no top, hashes)
_FILES = {
    224: ('NASNet-mobile.h5', 'NASNet-mobile-no-top.h5', 'nasnet_mobile.h5', 'nasnet_mobile_no_top.h5',
          ('020fb642bf7360b370c678b08e0adf61', '1ed92395b5b598bdda52abe5c0dbfd63')),
    331: ('NASNet-large.h5', 'NASNet-large-no-top.h5', 'nasnet_large.h5', 'nasnet_large_no_top.h5',
          ('11577c9a518f0070763c2b964a382f17', 'd81d89dc07e6e56530c4e77faddd61b5')),
}


def _bn(x, name=None):
    return layers.BatchNormalization(axis=-1, momentum=0.9997, epsilon=1e-3, name=name)(x)


def _conv(x, filters, name, strides=(1, 1)):
    return layers.Conv2D(filters, (1, 1), strides=strides, padding='same', use_bias=False, name=name,
                         kernel_initializer='he_normal')(x)


def _separable_conv_block(ip, filters, kernel_size=(3, 3), strides=(1, 1), block_id=None):
    """ReLU-separable conv-BN twice (the first one strided when `strides` is 2)."""
    x = layers.Activation('relu')(ip)
    if strides == (2, 2):
        x = layers.ZeroPadding2D(padding=correct_pad(x, kernel_size), name='separable_conv_1_pad_%s' % block_id)(x)
        conv_pad = 'valid'
    else:
        conv_pad = 'same'
    x = layers.SeparableConv2D(filters, kernel_size, strides=strides, name='separable_conv_1_%s' % block_id,
                               padding=conv_pad, use_bias=False, kernel_initializer='he_normal')(x)
    x = _bn(x, 'separable_conv_1_bn_%s' % block_id)
    x = layers.Activation('relu')(x)
    x = layers.SeparableConv2D(filters, kernel_size, name='separable_conv_2_%s' % block_id, padding='same',
                               use_bias=False, kernel_initializer='he_normal')(x)
    return _bn(x, 'separable_conv_2_bn_%s' % block_id)


def _adjust_block(p, ip, filters, block_id=None):
    """Brings the previous cell's output `p` to the spatial size and channels of `ip`."""
    if p is None:
        return ip
    p_shape, ip_shape = K.int_shape(p), K.int_shape(ip)
    if p_shape[-2] != ip_shape[-2]:
        p = layers.Activation('relu', name='adjust_relu_1_%s' % block_id)(p)
        p1 = layers.AveragePooling2D((1, 1), strides=(2, 2), padding='valid',
                                     name='adjust_avg_pool_1_%s' % block_id)(p)
        p1 = _conv(p1, filters // 2, 'adjust_conv_1_%s' % block_id)
        p2 = layers.ZeroPadding2D(padding=((0, 1), (0, 1)))(p)
        p2 = layers.Cropping2D(cropping=((1, 0), (1, 0)))(p2)
        p2 = layers.AveragePooling2D((1, 1), strides=(2, 2), padding='valid',
                                     name='adjust_avg_pool_2_%s' % block_id)(p2)
        p2 = _conv(p2, filters // 2, 'adjust_conv_2_%s' % block_id)
        p = layers.concatenate([p1, p2], axis=-1)
        return _bn(p, 'adjust_bn_%s' % block_id)
    if p_shape[-1] != filters:
        p = layers.Activation('relu')(p)
        p = _conv(p, filters, 'adjust_conv_projection_%s' % block_id)
        return _bn(p, 'adjust_bn_%s' % block_id)
    return p


def _avg3(x, name, strides=(1, 1), padding='same'):
    return layers.AveragePooling2D((3, 3), strides=strides, padding=padding, name=name)(x)


def _normal_a_cell(ip, p, filters, block_id=None):
    """A NASNet-A normal cell; returns `(output, ip)`."""
    p = _adjust_block(p, ip, filters, block_id)
    h = layers.Activation('relu')(ip)
    h = _bn(_conv(h, filters, 'normal_conv_1_%s' % block_id), 'normal_bn_1_%s' % block_id)
    x1 = layers.add([_separable_conv_block(h, filters, (5, 5), block_id='normal_left1_%s' % block_id),
                     _separable_conv_block(p, filters, block_id='normal_right1_%s' % block_id)],
                    name='normal_add_1_%s' % block_id)
    x2 = layers.add([_separable_conv_block(p, filters, (5, 5), block_id='normal_left2_%s' % block_id),
                     _separable_conv_block(p, filters, (3, 3), block_id='normal_right2_%s' % block_id)],
                    name='normal_add_2_%s' % block_id)
    x3 = layers.add([_avg3(h, 'normal_left3_%s' % block_id), p], name='normal_add_3_%s' % block_id)
    x4 = layers.add([_avg3(p, 'normal_left4_%s' % block_id), _avg3(p, 'normal_right4_%s' % block_id)],
                    name='normal_add_4_%s' % block_id)
    x5 = layers.add([_separable_conv_block(h, filters, block_id='normal_left5_%s' % block_id), h],
                    name='normal_add_5_%s' % block_id)
    x = layers.concatenate([p, x1, x2, x3, x4, x5], axis=-1, name='normal_concat_%s' % block_id)
    return x, ip


def _reduction_a_cell(ip, p, filters, block_id=None):
    """A NASNet-A reduction cell (halves the spatial size); returns `(output, ip)`."""
    p = _adjust_block(p, ip, filters, block_id)
    h = layers.Activation('relu')(ip)
    h = _bn(_conv(h, filters, 'reduction_conv_1_%s' % block_id), 'reduction_bn_1_%s' % block_id)
    h3 = layers.ZeroPadding2D(padding=correct_pad(h, 3), name='reduction_pad_1_%s' % block_id)(h)
    x1 = layers.add([
        _separable_conv_block(h, filters, (5, 5), strides=(2, 2), block_id='reduction_left1_%s' % block_id),
        _separable_conv_block(p, filters, (7, 7), strides=(2, 2), block_id='reduction_right1_%s' % block_id)],
        name='reduction_add_1_%s' % block_id)
    x2 = layers.add([
        layers.MaxPooling2D((3, 3), strides=(2, 2), padding='valid', name='reduction_left2_%s' % block_id)(h3),
        _separable_conv_block(p, filters, (7, 7), strides=(2, 2), block_id='reduction_right2_%s' % block_id)],
        name='reduction_add_2_%s' % block_id)
    x3 = layers.add([
        _avg3(h3, 'reduction_left3_%s' % block_id, strides=(2, 2), padding='valid'),
        _separable_conv_block(p, filters, (5, 5), strides=(2, 2), block_id='reduction_right3_%s' % block_id)],
        name='reduction_add3_%s' % block_id)
    x4 = layers.add([x2, _avg3(x1, 'reduction_left4_%s' % block_id)])
    x5 = layers.add([
        _separable_conv_block(x1, filters, (3, 3), block_id='reduction_left4_%s' % block_id),
        layers.MaxPooling2D((3, 3), strides=(2, 2), padding='valid', name='reduction_right5_%s' % block_id)(h3)],
        name='reduction_add4_%s' % block_id)
    x = layers.concatenate([x2, x3, x4, x5], axis=-1, name='reduction_concat_%s' % block_id)
    return x, ip


def NASNet(input_shape=None, penultimate_filters=4032, num_blocks=6, stem_block_filters=96, skip_reduction=True,
           filter_multiplier=2, include_top=True, weights=None, input_tensor=None, pooling=None, classes=1000,
           default_size=None, **kwargs):
    """Instantiates a NASNet-A model (the builder of `NASNetLarge` and `NASNetMobile`).

    # Arguments
        input_shape: optional shape tuple, only to be specified if `include_top` is False (otherwise
            `(default_size, default_size, 3)`); at least 32x32.
        penultimate_filters: number of filters in the penultimate layer (a multiple of
            `24 * filter_multiplier ** 2`); NASNet models are named `NASNet (N @ P)` with N blocks and P
            penultimate filters.
        num_blocks: number of repeated normal cells in each of the three stages.
        stem_block_filters: number of filters of the stem convolution.
        skip_reduction: whether to skip the reduction step at the tail end of the network.
        filter_multiplier: the filter growth factor between stages.
        include_top: whether to include the fully-connected layer at the top of the network.
        weights: `None` (random initialization), `'imagenet'` (pre-training on ImageNet, for the Large and
            Mobile configurations), or the path to a weights file to load.
        input_tensor: optional Keras tensor (i.e. output of `layers.Input()`) to use as image input.
        pooling: `None`, `'avg'` or `'max'`, when `include_top` is False.
        classes: number of classes, only with `include_top=True` and no `weights`.
        default_size: the default image size (331 when `None`).
        **kwargs: the `backend`, `layers`, `models`, `utils` of the injection API (ignored).

    # Returns
        A Keras `Model` instance, named `NASNet`.

    # Raises
        ValueError: for invalid `weights`, input shape or `penultimate_filters`, or ImageNet weights for a
            size other than 224 (Mobile) or 331 (Large).
        kernelkit.utils.data_utils.DownloadError: when the ImageNet weights file is missing offline.
    """
    _common.check_weights_argument(weights, include_top, classes)
    if isinstance(input_shape, tuple) and None in input_shape and weights == 'imagenet':
        raise ValueError('When specifying the input shape of a NASNet and loading `ImageNet` weights, the '
                         'input_shape argument must be static (no None entries); received input_shape=%s.'
                         % (input_shape,))
    if penultimate_filters % (24 * (filter_multiplier ** 2)) != 0:
        raise ValueError('For NASNet-A models, the `penultimate_filters` must be a multiple of 24 * '
                         '(`filter_multiplier` ** 2); received penultimate_filters=%d.' % penultimate_filters)
    default_size = 331 if default_size is None else default_size
    if weights == 'imagenet' and default_size not in _FILES:
        raise ValueError('ImageNet weights can only be loaded with NASNetLarge or NASNetMobile (default_size '
                         '331 or 224); received default_size=%r.' % (default_size,))
    old_data_format = None
    if K.image_data_format() != 'channels_last':
        warnings.warn('The NASNet family of models is only available for the input data format '
                      '"channels_last" (width, height, channels). However your settings specify the default '
                      'data format "channels_first" (channels, width, height). The model being returned right '
                      'now will expect inputs to follow the "channels_last" data format.', stacklevel=2)
        old_data_format = K.image_data_format()
        K.set_image_data_format('channels_last')
    try:
        input_shape = _common.obtain_input_shape(input_shape, default_size=default_size, min_size=32,
                                                 data_format=K.image_data_format(),
                                                 require_flatten=include_top, weights=weights)
        model = _build(input_shape, input_tensor, penultimate_filters, num_blocks, stem_block_filters,
                       skip_reduction, filter_multiplier, include_top, pooling, classes)
        fname = origin = file_hash = None
        if weights == 'imagenet':
            top_url, notop_url, top_file, notop_file, hashes = _FILES[default_size]
            fname = top_file if include_top else notop_file
            origin = BASE_WEIGHTS_PATH + (top_url if include_top else notop_url)
            file_hash = hashes[0 if include_top else 1]
        _common.load_model_weights(model, weights, fname, origin, file_hash,
                                   what='ImageNet weights file of NASNet')
    finally:
        if old_data_format:
            K.set_image_data_format(old_data_format)
    return model


def _build(input_shape, input_tensor, penultimate_filters, num_blocks, stem_block_filters, skip_reduction,
           filter_multiplier, include_top, pooling, classes):
    img_input = _common.image_input(input_tensor, input_shape)
    filters = penultimate_filters // 24
    x = layers.Conv2D(stem_block_filters, (3, 3), strides=(2, 2), padding='valid', use_bias=False,
                      name='stem_conv1', kernel_initializer='he_normal')(img_input)
    x = _bn(x, 'stem_bn1')
    p = None
    x, p = _reduction_a_cell(x, p, filters // (filter_multiplier ** 2), block_id='stem_1')
    x, p = _reduction_a_cell(x, p, filters // filter_multiplier, block_id='stem_2')
    for stage in range(3):
        width = filters * filter_multiplier ** stage
        if stage:
            x, p0 = _reduction_a_cell(x, p, width, block_id='reduce_%d' % (stage * num_blocks))
            p = p if skip_reduction else p0
        for i in range(num_blocks):
            block = i if stage == 0 else stage * num_blocks + i + 1
            x, p = _normal_a_cell(x, p, width, block_id='%d' % block)
    x = layers.Activation('relu')(x)
    if include_top:
        x = layers.GlobalAveragePooling2D()(x)
        x = layers.Dense(classes, activation='softmax', name='predictions')(x)
    else:
        x = _common.pooling_head(x, pooling)
    return Model(_common.model_inputs(input_tensor, img_input), x, name='NASNet')


def NASNetMobile(input_shape=None, include_top=True, weights='imagenet', input_tensor=None, pooling=None,
                 classes=1000, **kwargs):
    """Instantiates NASNet-A Mobile (4 @ 1056, 224x224), optionally with weights pre-trained on ImageNet.

    # Arguments
        input_shape, include_top, weights, input_tensor, pooling, classes: as in `NASNet` (the default
            input shape is `(224, 224, 3)`).
        **kwargs: ignored (injection API).

    # Returns
        A Keras `Model` instance.
    """
    return NASNet(input_shape, penultimate_filters=1056, num_blocks=4, stem_block_filters=32,
                  skip_reduction=False, filter_multiplier=2, include_top=include_top, weights=weights,
                  input_tensor=input_tensor, pooling=pooling, classes=classes, default_size=224)


def NASNetLarge(input_shape=None, include_top=True, weights='imagenet', input_tensor=None, pooling=None,
                classes=1000, **kwargs):
    """Instantiates NASNet-A Large (6 @ 4032, 331x331), optionally with weights pre-trained on ImageNet.

    # Arguments
        input_shape, include_top, weights, input_tensor, pooling, classes: as in `NASNet` (the default
            input shape is `(331, 331, 3)`).
        **kwargs: ignored (injection API).

    # Returns
        A Keras `Model` instance.
    """
    return NASNet(input_shape, penultimate_filters=4032, num_blocks=6, stem_block_filters=96,
                  skip_reduction=True, filter_multiplier=2, include_top=include_top, weights=weights,
                  input_tensor=input_tensor, pooling=pooling, classes=classes, default_size=331)


preprocess_input = imagenet_utils.mode_preprocessor('tf', 'NASNet')
decode_predictions = imagenet_utils.decode_predictions


nasnet = sys.modules[__name__]
