"""VGG16 (Keras 2.2.4's `keras.applications.vgg16`): Simonyan & Zisserman, "Very Deep Convolutional
Networks for Large-Scale Image Recognition" (2014). Layer names and weights order are those of the
standard Keras weight files (and of tf.keras).
"""
import sys

from kernelkit import backend as K
from kernelkit import layers
from kernelkit.applications import _common
from kernelkit.applications._common import keras_modules_injection  # noqa: F401
from kernelkit.applications import imagenet_utils
from kernelkit.engine.training import Model

VGG16_BLOCKS = (2, 2, 3, 3, 3)
_FILTERS = (64, 128, 256, 512, 512)
_HASHES = {
    'vgg16': ('64373286793e3c8b2b4e3219cbf3544b', '6d6bbae143d832006294945121d1f1fc'),
    'vgg19': ('cbe5617147190e668d6c5d5026f83318', '253f8cb515780f3b799900260a226db6'),
}


def build_vgg(name, blocks, include_top, weights, input_tensor, input_shape, pooling, classes):
    """Builds a VGG network (shared by `VGG16` and `VGG19`).

    # Arguments
        name: `'vgg16'` or `'vgg19'` (the model name and the weight files' prefix).
        blocks: the number of convolutions in each of the five blocks.
        include_top, weights, input_tensor, input_shape, pooling, classes: as in `VGG16`.

    # Returns
        A `Model`.

    # Raises
        ValueError: for invalid arguments or input shape.
    """
    _common.check_weights_argument(weights, include_top, classes)
    input_shape = _common.obtain_input_shape(input_shape, default_size=224, min_size=32,
                                             data_format=K.image_data_format(),
                                             require_flatten=include_top, weights=weights)
    img_input = _common.image_input(input_tensor, input_shape)
    x = img_input
    for block, (count, filters) in enumerate(zip(blocks, _FILTERS), start=1):
        for conv in range(1, count + 1):
            x = layers.Conv2D(filters, (3, 3), activation='relu', padding='same',
                              name='block%d_conv%d' % (block, conv))(x)
        x = layers.MaxPooling2D((2, 2), strides=(2, 2), name='block%d_pool' % block)(x)
    if include_top:
        x = layers.Flatten(name='flatten')(x)
        x = layers.Dense(4096, activation='relu', name='fc1')(x)
        x = layers.Dense(4096, activation='relu', name='fc2')(x)
        x = layers.Dense(classes, activation='softmax', name='predictions')(x)
    else:
        x = _common.pooling_head(x, pooling)
    model = Model(_common.model_inputs(input_tensor, img_input), x, name=name)
    suffix = '' if include_top else '_notop'
    fname = '%s_weights_tf_dim_ordering_tf_kernels%s.h5' % (name, suffix)
    return _common.load_model_weights(model, weights, fname, _common.WEIGHTS_BASE + name + '/' + fname,
                                      _HASHES[name][0 if include_top else 1],
                                      what='ImageNet weights file of %s' % name.upper())


def VGG16(include_top=True, weights='imagenet', input_tensor=None, input_shape=None, pooling=None,
          classes=1000, **kwargs):
    """Instantiates the VGG16 architecture, optionally with weights pre-trained on ImageNet.

    # Arguments
        include_top: whether to include the 3 fully-connected layers at the top of the network.
        weights: `None` (random initialization), `'imagenet'` (pre-training on ImageNet, from the Keras
            cache folder `models`), or the path to a weights file to load.
        input_tensor: optional Keras tensor (i.e. output of `layers.Input()`) to use as image input.
        input_shape: optional shape tuple, only to be specified if `include_top` is False (otherwise the
            input shape has to be `(224, 224, 3)` with channels_last or `(3, 224, 224)` with
            channels_first). It should have exactly 3 input channels, and width and height no smaller
            than 32.
        pooling: optional pooling mode when `include_top` is False: `None` (the 4D output of the last
            convolutional block), `'avg'` (global average pooling) or `'max'` (global max pooling).
        classes: number of classes, only with `include_top=True` and no `weights`.
        **kwargs: the `backend`, `layers`, `models`, `utils` of the injection API (ignored).

    # Returns
        A Keras `Model` instance.

    # Raises
        ValueError: for invalid `weights` or an invalid input shape.
        kernelkit.utils.data_utils.DownloadError: when the ImageNet weights file is missing offline.
    """
    return build_vgg('vgg16', VGG16_BLOCKS, include_top, weights, input_tensor, input_shape, pooling, classes)


preprocess_input = imagenet_utils.mode_preprocessor('caffe', 'VGG16 and VGG19')
decode_predictions = imagenet_utils.decode_predictions


vgg16 = sys.modules[__name__]
