"""ImageNet helpers of the application models (Keras 2.2.4's `keras.applications.imagenet_utils`):
`preprocess_input` in the three modes of the weight files and `decode_predictions`.
"""
import json
import sys

import numpy as np

from kernelkit import backend as K
from kernelkit.applications._common import cached_file, keras_modules_injection  # noqa: F401

CLASS_INDEX = None
CLASS_INDEX_PATH = 'https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json'
CLASS_INDEX_HASH = 'c2c37ea517e94d9795004a39431a14cb'

_CAFFE_MEAN = (103.939, 116.779, 123.68)  # BGR
_TORCH_MEAN = (0.485, 0.456, 0.406)
_TORCH_STD = (0.229, 0.224, 0.225)
_MODES = ('caffe', 'tf', 'torch')


def _numpy_input(x, data_format, mode):
    # As in Keras 2.2.4, a float array is processed (and so changed) in place; integers are cast first.
    if not issubclass(x.dtype.type, np.floating):
        x = x.astype(K.floatx(), copy=False)
    if mode == 'tf':
        x /= 127.5
        x -= 1.
        return x
    first = data_format == 'channels_first'
    if mode == 'torch':
        x /= 255.
        mean, std = _TORCH_MEAN, _TORCH_STD
    else:
        if first:
            x = x[::-1, ...] if x.ndim == 3 else x[:, ::-1, ...]
        else:
            x = x[..., ::-1]
        mean, std = _CAFFE_MEAN, None
    for channel in range(3):
        if first:
            index = (channel,) if x.ndim == 3 else (slice(None), channel)
        else:
            index = (Ellipsis, channel)
        x[index] -= mean[channel]
        if std is not None:
            x[index] /= std[channel]
    return x


def _symbolic_input(x, data_format, mode):
    if not K.dtype(x).startswith('float'):
        x = K.cast(x, K.floatx())
    if mode == 'tf':
        return x / 127.5 - 1.
    first = data_format == 'channels_first'
    if mode == 'torch':
        x = x / 255.
        mean, std = _TORCH_MEAN, _TORCH_STD
    else:
        if first:
            x = x[::-1, ...] if K.ndim(x) == 3 else x[:, ::-1, ...]
        else:
            x = x[..., ::-1]
        mean, std = _CAFFE_MEAN, None
    shape = (3, 1, 1) if first else (3,)
    x = x - K.constant(np.reshape(mean, shape), dtype=K.dtype(x))
    if std is not None:
        x = x / K.constant(np.reshape(std, shape), dtype=K.dtype(x))
    return x


def preprocess_input(x, data_format=None, mode='caffe', **kwargs):
    """Preprocesses a batch of images (or one image) the way a model's ImageNet weights expect.

    # Arguments
        x: a numpy array (3D or 4D) or a tensor (symbolic or concrete) of RGB images in [0, 255].
        data_format: `'channels_first'` or `'channels_last'` (default `K.image_data_format()`).
        mode: `'caffe'`: RGB -> BGR, then the ImageNet mean (BGR) subtracted per channel, no scaling;
            `'tf'`: scaled to [-1, 1]; `'torch'`: scaled to [0, 1], then normalised per channel with the
            ImageNet mean and standard deviation.
        **kwargs: the `backend`, `layers`, `models`, `utils` of the injection API (ignored).

    # Returns
        The preprocessed array or tensor. As in Keras 2.2.4, a float numpy array is modified in place:
        always use the returned value.

    # Raises
        ValueError: for an unknown `data_format` or `mode`.
    """
    if data_format is None:
        data_format = K.image_data_format()
    if data_format not in {'channels_first', 'channels_last'}:
        raise ValueError("Unknown data_format %r: expected 'channels_first' or 'channels_last'." % (data_format,))
    if mode not in _MODES:
        raise ValueError("Unknown mode %r of preprocess_input: expected 'caffe', 'tf' or 'torch'." % (mode,))
    if isinstance(x, np.ndarray):
        return _numpy_input(x, data_format, mode)
    return _symbolic_input(x, data_format, mode)


def _class_index():
    global CLASS_INDEX
    if CLASS_INDEX is None:
        path = cached_file('imagenet_class_index.json', CLASS_INDEX_PATH, CLASS_INDEX_HASH,
                           what='ImageNet class index file')
        try:
            with open(path) as handle:
                index = json.load(handle)
        except ValueError as error:
            raise ValueError('The ImageNet class index file %s is not valid JSON (%s); delete it so that it is '
                             'downloaded again, or copy a good one from %s.' % (path, error, CLASS_INDEX_PATH))
        CLASS_INDEX = index
    return CLASS_INDEX


def decode_predictions(preds, top=5, **kwargs):
    """Decodes the predictions of an ImageNet model into class names.

    The class index `imagenet_class_index.json` is read from the Keras cache folder `models`
    (`~/.keras/models`, or `$KERAS_HOME/models`), downloaded there the first time.

    # Arguments
        preds: numpy array of predictions, shape `(samples, 1000)`.
        top: how many of the best classes to return per sample.
        **kwargs: the `backend`, `layers`, `models`, `utils` of the injection API (ignored).

    # Returns
        A list (one entry per sample) of lists of `(class_name, class_description, score)` tuples, the best
        first.

    # Raises
        ValueError: if `preds` is not 2D with 1000 columns.
        kernelkit.utils.data_utils.DownloadError: when the class index is not cached and cannot be
            downloaded (the message names the file, the folder and the URL).
    """
    preds = np.asarray(preds)
    if preds.ndim != 2 or preds.shape[1] != 1000:
        raise ValueError('`decode_predictions` expects a batch of predictions (i.e. a 2D array of shape '
                         '(samples, 1000)). Found array with shape: ' + str(preds.shape))
    index = _class_index()
    results = []
    for pred in preds:
        best = pred.argsort()[-top:][::-1]
        result = [tuple(index[str(i)]) + (pred[i],) for i in best]
        result.sort(key=lambda entry: entry[2], reverse=True)
        results.append(result)
    return results


_MODE_WORDS = {
    'caffe': 'RGB -> BGR, then the ImageNet mean (BGR) subtracted per channel, without scaling',
    'tf': 'scaled to [-1, 1] (x / 127.5 - 1)',
    'torch': 'scaled to [0, 1], then normalised per channel with the ImageNet mean and standard deviation',
}


def mode_preprocessor(mode, model_name):
    """Returns the `preprocess_input(x, data_format=None)` of a model module, fixed to one mode.

    # Arguments
        mode: `'caffe'`, `'tf'` or `'torch'`.
        model_name: the model(s), for the docstring.

    # Returns
        A function `preprocess_input(x, data_format=None, **kwargs)`.

    # Raises
        ValueError: for an unknown mode.
    """
    if mode not in _MODES:
        raise ValueError("Unknown mode %r: expected 'caffe', 'tf' or 'torch'." % (mode,))

    def preprocess(x, data_format=None, **kwargs):
        return preprocess_input(x, data_format=data_format, mode=mode)

    preprocess.__name__ = preprocess.__qualname__ = 'preprocess_input'
    preprocess.__doc__ = (
        """Preprocesses images for %s: `imagenet_utils.preprocess_input` in `'%s'` mode (%s).

    # Arguments
        x: numpy array (3D or 4D) or tensor of RGB images in [0, 255].
        data_format: `'channels_first'` or `'channels_last'` (default `K.image_data_format()`).
        **kwargs: the `backend`, `layers`, `models`, `utils` of the injection API (ignored).

    # Returns
        The preprocessed images (a float numpy array is modified in place, as in Keras 2.2.4).

    # Raises
        ValueError: for an unknown `data_format`.
    """ % (model_name, mode, _MODE_WORDS[mode]))
    return preprocess


imagenet_utils = sys.modules[__name__]  # Keras 2.2.4 carried the `keras_applications` module by this name
