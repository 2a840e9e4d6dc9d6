"""Reading, writing and converting single images: Pillow images <-> Numpy arrays (`keras.preprocessing.image`).

`load_img`, `save_img`, `array_to_img`, `img_to_array` and `list_pictures` are the only parts of the
image utilities that touch files and Pillow; they are kept apart from the geometric transforms (SciPy) and
the batch iterators so that each can be read alone. Pillow is imported only when a function needs it.
`_data_format` (the checked `data_format` argument) lives here because every other image module uses it.
"""
import os
import re
import warnings

import numpy as np

from kernelkit.backend import config as _config

_COLOR_MODES = ('grayscale', 'rgb', 'rgba')


# ------------------------------------------------------------------------------------ lazy imports

def _pil():
    try:
        from PIL import Image
    except ImportError:
        raise ImportError('Loading, saving and converting images requires Pillow: `pip install Pillow`.')
    return Image


def _pil_interpolation(name):
    image = _pil()
    resampling = getattr(image, 'Resampling', image)
    methods = {'nearest': resampling.NEAREST, 'bilinear': resampling.BILINEAR, 'bicubic': resampling.BICUBIC,
               'hamming': resampling.HAMMING, 'box': resampling.BOX, 'lanczos': resampling.LANCZOS}
    if name not in methods:
        raise ValueError('Invalid interpolation method %r specified. Supported methods are %s.'
                         % (name, ', '.join(methods)))
    return methods[name]



def _data_format(data_format):
    if data_format is None:
        data_format = _config.image_data_format()
    if data_format not in ('channels_first', 'channels_last'):
        raise ValueError('`data_format` should be "channels_last" (channel after row and column) or '
                         '"channels_first" (channel before row and column). Received: %r' % (data_format,))
    return data_format


# ------------------------------------------------------------------------------- image conversions

def array_to_img(x, data_format=None, scale=True, dtype=None):
    """Converts a 3D Numpy array to a PIL Image instance.

    # Arguments
        x: input Numpy array, a single image of shape `(height, width, channels)` (or channels first)
            with 1 (grayscale), 3 (RGB) or 4 (RGBA) channels.
        data_format: image data format, either `'channels_first'` or `'channels_last'` (default: the
            Keras config's `image_data_format`).
        scale: whether to rescale image values to be within `[0, 255]`: the image is shifted up when it
            has negative values, then divided by its maximum and multiplied by 255.
        dtype: dtype used for the conversion (default: the Keras `floatx`).

    # Returns
        A PIL Image instance.

    # Raises
        ImportError: if Pillow is not available.
        ValueError: if `x` is not a rank-3 image with 1, 3 or 4 channels, or `data_format` is invalid.
    """
    image = _pil()
    x = np.asarray(x, dtype=dtype or _config.floatx())
    if x.ndim != 3:
        raise ValueError('Expected image array to have rank 3 (single image). Got array with shape: %s'
                         % (x.shape,))
    data_format = _data_format(data_format)
    if data_format == 'channels_first':
        x = x.transpose(1, 2, 0)
    if scale:
        x = x + max(-np.min(x), 0)
        x_max = np.max(x)
        if x_max != 0:
            x /= x_max
        x *= 255
    channels = x.shape[2]
    if channels == 4:
        return image.fromarray(x.astype('uint8'), 'RGBA')
    if channels == 3:
        return image.fromarray(x.astype('uint8'), 'RGB')
    if channels == 1:
        if np.max(x) > 255:  # 32-bit signed integer grayscale image
            return image.fromarray(x[:, :, 0].astype('int32'), 'I')
        return image.fromarray(x[:, :, 0].astype('uint8'), 'L')
    raise ValueError('Unsupported channel number: %d (expected 1, 3 or 4 channels on the %s axis).'
                     % (channels, 'first' if data_format == 'channels_first' else 'last'))


def img_to_array(img, data_format=None, dtype=None):
    """Converts a PIL Image instance to a Numpy array.

    # Arguments
        img: PIL Image instance.
        data_format: image data format, either `'channels_first'` or `'channels_last'`.
        dtype: dtype of the result (default: the Keras `floatx`).

    # Returns
        A 3D Numpy array.

    # Raises
        ValueError: if `img` is not an image or `data_format` is invalid.
    """
    data_format = _data_format(data_format)
    x = np.asarray(img, dtype=dtype or _config.floatx())
    if x.ndim == 3:
        if data_format == 'channels_first':
            x = x.transpose(2, 0, 1)
    elif x.ndim == 2:
        x = x.reshape((1,) + x.shape) if data_format == 'channels_first' else x.reshape(x.shape + (1,))
    else:
        raise ValueError('Unsupported image shape: %s (expected a PIL image).' % (x.shape,))
    return x


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    """Saves an image stored as a Numpy array to a path or file object.

    # Arguments
        path: path or file object.
        x: Numpy array, a single image.
        data_format: image data format, either `'channels_first'` or `'channels_last'`.
        file_format: optional file format override. If omitted, the format to use is determined from the
            filename extension. If a file object was used instead of a filename, this parameter should
            always be used.
        scale: whether to rescale image values to be within `[0, 255]`.
        **kwargs: additional keyword arguments passed to `PIL.Image.save()`.

    # Returns
        None; the image is written to `path`.

    # Raises
        ImportError: if Pillow is not available.
        ValueError: for an invalid image array.
    """
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == 'RGBA' and (file_format in ('jpg', 'jpeg') or
                               (isinstance(path, str) and path.lower().endswith(('.jpg', '.jpeg')))):
        warnings.warn('The JPG format does not support RGBA images, converting to RGB.')
        img = img.convert('RGB')
    img.save(path, format=file_format, **kwargs)


def load_img(path, grayscale=False, color_mode='rgb', target_size=None, interpolation='nearest'):
    """Loads an image into PIL format.

    # Arguments
        path: path to image file.
        grayscale: DEPRECATED, use `color_mode='grayscale'`.
        color_mode: one of `'grayscale'`, `'rgb'`, `'rgba'` (default `'rgb'`): the desired image format.
        target_size: either `None` (default to original size) or tuple of ints `(img_height, img_width)`.
        interpolation: interpolation method used to resample the image if the target size is different
            from that of the loaded image: `'nearest'` (default), `'bilinear'`, `'bicubic'`, `'lanczos'`,
            `'box'` or `'hamming'`.

    # Returns
        A PIL Image instance.

    # Raises
        ImportError: if Pillow is not available.
        ValueError: if `color_mode` or `interpolation` is not supported.
        IOError: if the file cannot be read as an image.
    """
    if grayscale:
        warnings.warn('grayscale is deprecated. Please use color_mode = "grayscale"')
        color_mode = 'grayscale'
    if color_mode not in _COLOR_MODES:
        raise ValueError('color_mode must be "grayscale", "rgb", or "rgba"; received %r.' % (color_mode,))
    image = _pil()
    with open(path, 'rb') as handle:
        img = image.open(handle)
        img.load()
    if color_mode == 'grayscale':
        if img.mode != 'L':
            img = img.convert('L')
    elif color_mode == 'rgba':
        if img.mode != 'RGBA':
            img = img.convert('RGBA')
    elif img.mode != 'RGB':
        img = img.convert('RGB')
    if target_size is not None:
        if len(target_size) != 2:
            raise ValueError('`target_size` must be a tuple (height, width); received %r.' % (target_size,))
        width_height = (int(target_size[1]), int(target_size[0]))
        if img.size != width_height:
            img = img.resize(width_height, _pil_interpolation(interpolation))
    return img


def list_pictures(directory, ext='jpg|jpeg|bmp|png|ppm'):
    """Lists the pictures in a directory tree.

    # Arguments
        directory: the folder to search.
        ext: `|`-separated file extensions (default `'jpg|jpeg|bmp|png|ppm'`).

    # Returns
        A list of paths.
    """
    pattern = re.compile(r'([\w]+\.(?:' + ext + '))')
    return [os.path.join(root, name) for root, _, files in os.walk(directory) for name in files
            if pattern.match(name.lower())]
