"""What every `kernelkit.applications` model shares: argument checks, the input tensor, the optional
pooling head, the source inputs of an `input_tensor`, and the ImageNet weight files of the Keras cache.

The weight files are the standard Keras ones (the names tf.keras uses); they live in `~/.keras/models`
(`$KERAS_HOME/models` when `KERAS_HOME` is set). A file already there is used as it is, whatever its hash,
so a file copied by hand onto an offline machine works; a missing one is downloaded (and its hash checked)
or, offline, reported with the URL and the full path to copy it to.
"""
import functools
import os
import warnings

from kernelkit import backend as K
from kernelkit import layers
from kernelkit.engine.input_layer import Input
from kernelkit.utils import data_utils
from kernelkit.utils.layer_utils import get_source_inputs

WEIGHTS_BASE = 'https://storage.googleapis.com/tensorflow/keras-applications/'
_INJECTED_MODULES = ('backend', 'layers', 'models', 'utils')


def keras_modules_injection(base_fun):
    """Decorator of Keras 2.2.4's `keras.applications`: lets a model function take `backend=`, `layers=`,
    `models=` and `utils=` keyword arguments (the `keras_applications` injection API).

    kernelkit's models are written in kernelkit's own modules, so these arguments are accepted and ignored.

    # Arguments
        base_fun: the function to wrap.

    # Returns
        The wrapped function.
    """
    @functools.wraps(base_fun)
    def wrapper(*args, **kwargs):
        for name in _INJECTED_MODULES:
            kwargs.pop(name, None)
        return base_fun(*args, **kwargs)
    return wrapper


def check_weights_argument(weights, include_top, classes):
    """Checks the `weights` and `classes` arguments shared by every model, as Keras 2.2.4 did.

    # Arguments
        weights: `None`, `'imagenet'` or the path to a weights file.
        include_top: whether the classifier is included.
        classes: the number of classes.

    # Raises
        ValueError: for any other `weights`, or `classes != 1000` with ImageNet weights and the top.
    """
    if not (weights in {'imagenet', None} or (isinstance(weights, str) and os.path.exists(weights))):
        raise ValueError('The `weights` argument should be either `None` (random initialization), `imagenet` '
                         '(pre-training on ImageNet), or the path to the weights file to be loaded; received '
                         'weights=%r (no such file).' % (weights,))
    if weights == 'imagenet' and include_top and classes != 1000:
        raise ValueError('If using `weights` as `"imagenet"` with `include_top` as true, `classes` should be '
                         '1000; received classes=%r.' % (classes,))


def obtain_input_shape(input_shape, default_size, min_size, data_format, require_flatten, weights=None):
    """Computes and validates a model's input shape (Keras 2.2.4's `_obtain_input_shape`).

    # Arguments
        input_shape: the shape given by the user (without the batch axis), or `None`.
        default_size: the default (and ImageNet) rows and columns.
        min_size: the smallest rows and columns the model accepts.
        data_format: `'channels_first'` or `'channels_last'`.
        require_flatten: whether the model has its classifier (a static input shape is then required).
        weights: `None`, `'imagenet'` or a path.

    # Returns
        The input shape, a tuple of three entries.

    # Raises
        ValueError: for a shape that is not three entries, too small, with other than 3 channels for
            ImageNet weights, not the default with the top and ImageNet weights, or not static with the top.
    """
    first = data_format == 'channels_first'
    if weights != 'imagenet' and input_shape and len(input_shape) == 3:
        channels = input_shape[0] if first else input_shape[-1]
        if channels not in {1, 3}:
            warnings.warn('This model usually expects 1 or 3 input channels. However, it was passed an '
                          'input_shape with %s input channels.' % (channels,), stacklevel=3)
        default_shape = (channels, default_size, default_size) if first else (default_size, default_size,
                                                                             channels)
    else:
        default_shape = (3, default_size, default_size) if first else (default_size, default_size, 3)
    if weights == 'imagenet' and require_flatten:
        if input_shape is not None and tuple(input_shape) != default_shape:
            raise ValueError('When setting `include_top=True` and loading `imagenet` weights, `input_shape` '
                             'should be %s; received input_shape=%s.' % (default_shape, tuple(input_shape)))
        return default_shape
    if input_shape:
        input_shape = tuple(input_shape)
        if len(input_shape) != 3:
            raise ValueError('`input_shape` must be a tuple of three integers; received input_shape=%s.'
                             % (input_shape,))
        channels, spatial = (input_shape[0], input_shape[1:]) if first else (input_shape[-1], input_shape[:2])
        if channels != 3 and weights == 'imagenet':
            raise ValueError('The input must have 3 channels with `imagenet` weights; received input_shape=%s.'
                             % (input_shape,))
        if any(size is not None and size < min_size for size in spatial):
            raise ValueError('Input size must be at least %dx%d; received input_shape=%s.'
                             % (min_size, min_size, input_shape))
    elif require_flatten:
        input_shape = default_shape
    else:
        input_shape = (3, None, None) if first else (None, None, 3)
    if require_flatten and None in input_shape:
        raise ValueError('If `include_top` is True, you should specify a static `input_shape`; received '
                         'input_shape=%s.' % (input_shape,))
    return input_shape


def image_input(input_tensor, input_shape):
    """Returns the model's input: a new `Input`, the given Keras tensor, or an `Input` adopting a tensor.

    # Arguments
        input_tensor: `None`, a Keras tensor (e.g. an `Input`) or another tensor.
        input_shape: the checked input shape.

    # Returns
        A Keras tensor.
    """
    if input_tensor is None:
        return Input(shape=input_shape)
    if not K.is_keras_tensor(input_tensor):
        return Input(tensor=input_tensor, shape=input_shape)
    return input_tensor


def model_inputs(input_tensor, img_input):
    """The inputs to build the `Model` from: the source inputs of `input_tensor` when one was given."""
    return get_source_inputs(input_tensor) if input_tensor is not None else img_input


def pooling_head(x, pooling, avg_name=None, max_name=None):
    """Applies the `pooling` of a model without its top (`None`, `'avg'` or `'max'`).

    # Arguments
        x: the last feature map.
        pooling: `None`, `'avg'` or `'max'`.
        avg_name, max_name: layer names (`None` for automatic names).

    # Returns
        The output tensor.

    # Raises
        ValueError: for another `pooling`.
    """
    if pooling is None:
        return x
    if pooling == 'avg':
        return layers.GlobalAveragePooling2D(name=avg_name)(x)
    if pooling == 'max':
        return layers.GlobalMaxPooling2D(name=max_name)(x)
    raise ValueError("`pooling` must be None, 'avg' or 'max'; received pooling=%r." % (pooling,))


def channel_axis():
    """The channel axis of image tensors for the current `K.image_data_format()` (1 or -1)."""
    return 1 if K.image_data_format() == 'channels_first' else -1


def models_folder():
    """The folder of cached model files: `$KERAS_HOME/models`, else `~/.keras/models`."""
    return os.path.join(data_utils._cache_base(None), 'models')


def cached_file(fname, origin, file_hash=None, what='file'):
    """Returns the path of `fname` in the Keras cache folder `models`, downloading it when absent.

    A file already in the cache is used as is (no hash check), so a file copied there by hand works.

    # Arguments
        fname: the file name in the cache.
        origin: its URL.
        file_hash: the expected hash of a downloaded file (md5 or sha256), or `None`.
        what: words for error messages, e.g. `'ImageNet weights for ResNet50'`.

    # Returns
        The file's path.

    # Raises
        data_utils.DownloadError: (an `IOError`) when the file is not cached and cannot be downloaded; the
            message names the file, the folder and the URL to download it from by hand.
    """
    folder = models_folder()
    path = os.path.join(folder, fname)
    if os.path.exists(path):
        return path
    try:
        return data_utils.get_file(fname, origin, cache_subdir='models', file_hash=file_hash)
    except data_utils.DownloadError as error:
        raise data_utils.DownloadError(
            'The %s (%r) is not in the Keras cache folder %s and could not be downloaded (%s). To use it '
            'offline, download %s on a machine that is online and copy it to %s.'
            % (what, fname, folder, str(error).splitlines()[-1] if str(error) else error, origin, path)) from error


def load_model_weights(model, weights, fname=None, origin=None, file_hash=None, what='ImageNet weights'):
    """Loads `weights` into a freshly built model: the ImageNet file of the cache, or a weights file.

    # Arguments
        model: the model.
        weights: `None`, `'imagenet'` or a path.
        fname, origin, file_hash: the ImageNet weights file name, its URL and hash.
        what: words for error messages.

    # Returns
        The model.

    # Raises
        data_utils.DownloadError: when the ImageNet file is missing and cannot be downloaded.
    """
    if weights == 'imagenet':
        model.load_weights(cached_file(fname, origin, file_hash, what))
    elif weights is not None:
        model.load_weights(weights)
    return model
