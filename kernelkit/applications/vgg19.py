"""VGG19 (Keras 2.2.4's `keras.applications.vgg19`): VGG16's design with four convolutions in each of the
last three blocks.
"""
import sys

from kernelkit.applications._common import keras_modules_injection  # noqa: F401
from kernelkit.applications.vgg16 import build_vgg, decode_predictions, preprocess_input  # noqa: F401

VGG19_BLOCKS = (2, 2, 4, 4, 4)


def VGG19(include_top=True, weights='imagenet', input_tensor=None, input_shape=None, pooling=None,
          classes=1000, **kwargs):
    """Instantiates the VGG19 architecture, optionally with weights pre-trained on ImageNet.

    # Arguments
        include_top: whether to include the 3 fully-connected layers at the top of the network.
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
    return build_vgg('vgg19', VGG19_BLOCKS, include_top, weights, input_tensor, input_shape, pooling, classes)


vgg19 = sys.modules[__name__]
