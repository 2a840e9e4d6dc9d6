"""Utilities for real-time data augmentation on image data (Keras 2.2's `keras.preprocessing.image`).

`ImageDataGenerator` draws random transformations with NumPy's global random generator in the same
order as Keras 2.2, so a given seed gives the same parameters. Affine transformations are computed by
`scipy.ndimage.affine_transform`, one channel at a time, with the transformation expressed in
(row, column) coordinates: `height_shift_range` moves images vertically and `width_shift_range`
horizontally, as documented. Images are read and written with Pillow. SciPy and Pillow are imported only
when a function needs them.

Differences from Keras 2.2.4, on purpose:
- affine transforms turn around the true image centre (`(size - 1) / 2`), not half a pixel beyond it;
- brightness shifts keep the value range of the image (Keras 2.2.4 rescaled the result to 0-255).
"""
import numbers
import os
import re
import threading
import warnings

import numpy as np

from kernelkit.backend import config as _config

try:  # kernelkit's Keras `Sequence` base class, when the data utilities provide it
    from kernelkit.utils.data_utils import Sequence as _SequenceBase
except ImportError:
    _SequenceBase = object

_FILL_MODES = ('constant', 'nearest', 'reflect', 'wrap', 'mirror', 'grid-constant', 'grid-mirror', 'grid-wrap')
_WHITE_LIST_FORMATS = ('png', 'jpg', 'jpeg', 'bmp', 'ppm', 'tif', 'tiff')
_COLOR_MODES = ('grayscale', 'rgb', 'rgba')
_CLASS_MODES = ('categorical', 'binary', 'sparse', 'input', None)


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


def _ndimage():
    try:
        from scipy import ndimage
    except ImportError:
        raise ImportError('Image transformations require SciPy: `pip install scipy`.')
    return ndimage


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


# --------------------------------------------------------------------------------- transformations

def flip_axis(x, axis):
    """Flips an array along an axis.

    # Arguments
        x: Numpy array.
        axis: the axis to reverse.

    # Returns
        The flipped array (a view).
    """
    return np.flip(np.asarray(x), axis)


def transform_matrix_offset_center(matrix, x, y):
    """Moves the origin of an affine transform (3x3 matrix) to the centre of an image.

    # Arguments
        matrix: 3x3 affine matrix in (row, column) coordinates.
        x: number of rows of the image.
        y: number of columns of the image.

    # Returns
        The 3x3 matrix that applies `matrix` around the image centre.
    """
    o_x = float(x) / 2 - 0.5
    o_y = float(y) / 2 - 0.5
    to_center = np.array([[1, 0, o_x], [0, 1, o_y], [0, 0, 1]])
    from_center = np.array([[1, 0, -o_x], [0, 1, -o_y], [0, 0, 1]])
    return np.dot(np.dot(to_center, matrix), from_center)


def apply_affine_transform(x, theta=0, tx=0, ty=0, shear=0, zx=1, zy=1, row_axis=0, col_axis=1,
                           channel_axis=2, fill_mode='nearest', cval=0., order=1):
    """Applies an affine transformation specified by the parameters given.

    The transformation maps each output pixel to the input position it reads from, in (row, column)
    coordinates around the image centre: `tx` moves rows (vertical shift), `ty` moves columns
    (horizontal shift), `zx`/`zy` zoom rows/columns (values above 1 zoom out).

    # Arguments
        x: 3D numpy array, a single image with one or more channels.
        theta: rotation angle in degrees.
        tx: shift along the rows (height), in pixels.
        ty: shift along the columns (width), in pixels.
        shear: shear angle in degrees.
        zx: zoom along the rows.
        zy: zoom along the columns.
        row_axis: index of the axis for rows in the input image.
        col_axis: index of the axis for columns in the input image.
        channel_axis: index of the axis for channels in the input image.
        fill_mode: points outside the boundaries of the input are filled according to the given mode
            (one of `{'constant', 'nearest', 'reflect', 'wrap'}`).
        cval: value used for points outside the boundaries of the input if `mode='constant'`.
        order: int, order of the spline interpolation (default 1, linear).

    # Returns
        The transformed version of the input.

    # Raises
        ImportError: if SciPy is not available.
        ValueError: if `x` is not rank 3, the axes are not a permutation of 0, 1, 2, or `fill_mode` is
            unknown.
    """
    x = np.asarray(x)
    if x.ndim != 3:
        raise ValueError('Input arrays must be multi-channel 2D images (rank 3); received shape %s.'
                         % (x.shape,))
    if sorted([row_axis, col_axis, channel_axis]) != [0, 1, 2]:
        raise ValueError('`row_axis`, `col_axis` and `channel_axis` must be 0, 1 and 2 in some order; '
                         'received %r, %r, %r.' % (row_axis, col_axis, channel_axis))
    if fill_mode not in _FILL_MODES:
        raise ValueError('`fill_mode` must be one of %s; received %r.' % (', '.join(_FILL_MODES), fill_mode))
    matrix = None

    def compose(current, step):
        return step if current is None else np.dot(current, step)

    if theta != 0:
        angle = np.deg2rad(theta)
        matrix = compose(matrix, np.array([[np.cos(angle), -np.sin(angle), 0],
                                           [np.sin(angle), np.cos(angle), 0],
                                           [0, 0, 1]]))
    if tx != 0 or ty != 0:
        matrix = compose(matrix, np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]]))
    if shear != 0:
        angle = np.deg2rad(shear)
        matrix = compose(matrix, np.array([[1, -np.sin(angle), 0], [0, np.cos(angle), 0], [0, 0, 1]]))
    if zx != 1 or zy != 1:
        matrix = compose(matrix, np.array([[zx, 0, 0], [0, zy, 0], [0, 0, 1]]))
    if matrix is None:
        return x

    ndimage = _ndimage()
    matrix = transform_matrix_offset_center(matrix, x.shape[row_axis], x.shape[col_axis])
    channels_first = np.moveaxis(x, channel_axis, 0)
    if row_axis > col_axis:  # each channel image is (columns, rows): express the matrix in that order
        matrix = matrix[[1, 0, 2]][:, [1, 0, 2]]
    linear, offset = matrix[:2, :2], matrix[:2, 2]
    channel_images = [ndimage.affine_transform(channel, linear, offset, order=order, mode=fill_mode, cval=cval)
                      for channel in channels_first]
    return np.moveaxis(np.stack(channel_images, axis=0), 0, channel_axis)


def random_rotation(x, rg, row_axis=1, col_axis=2, channel_axis=0, fill_mode='nearest', cval=0.):
    """Performs a random rotation of a Numpy image tensor.

    # Arguments
        x: input tensor. Must be 3D.
        rg: rotation range, in degrees.
        row_axis: index of axis for rows in the input tensor.
        col_axis: index of axis for columns in the input tensor.
        channel_axis: index of axis for channels in the input tensor.
        fill_mode: points outside the boundaries of the input are filled according to the given mode
            (one of `{'constant', 'nearest', 'reflect', 'wrap'}`).
        cval: value used for points outside the boundaries of the input if `mode='constant'`.

    # Returns
        Rotated Numpy image tensor.

    # Raises
        ValueError: if `x` is not a rank-3 image or the axes are not a permutation of 0, 1, 2.
        ImportError: if SciPy is not available.
    """
    theta = np.random.uniform(-rg, rg)
    return apply_affine_transform(x, theta=theta, row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode, cval=cval)


def random_shift(x, wrg, hrg, row_axis=1, col_axis=2, channel_axis=0, fill_mode='nearest', cval=0.):
    """Performs a random spatial shift of a Numpy image tensor.

    # Arguments
        x: input tensor. Must be 3D.
        wrg: width shift range, as a float fraction of the width.
        hrg: height shift range, as a float fraction of the height.
        row_axis: index of axis for rows in the input tensor.
        col_axis: index of axis for columns in the input tensor.
        channel_axis: index of axis for channels in the input tensor.
        fill_mode: points outside the boundaries of the input are filled according to the given mode.
        cval: value used for points outside the boundaries of the input if `mode='constant'`.

    # Returns
        Shifted Numpy image tensor.

    # Raises
        ValueError: if `x` is not a rank-3 image or the axes are not a permutation of 0, 1, 2.
        ImportError: if SciPy is not available.
    """
    h, w = x.shape[row_axis], x.shape[col_axis]
    tx = np.random.uniform(-hrg, hrg) * h
    ty = np.random.uniform(-wrg, wrg) * w
    return apply_affine_transform(x, tx=tx, ty=ty, row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode, cval=cval)


def random_shear(x, intensity, row_axis=1, col_axis=2, channel_axis=0, fill_mode='nearest', cval=0.):
    """Performs a random spatial shear of a Numpy image tensor.

    # Arguments
        x: input tensor. Must be 3D.
        intensity: transformation intensity in degrees.
        row_axis: index of axis for rows in the input tensor.
        col_axis: index of axis for columns in the input tensor.
        channel_axis: index of axis for channels in the input tensor.
        fill_mode: points outside the boundaries of the input are filled according to the given mode.
        cval: value used for points outside the boundaries of the input if `mode='constant'`.

    # Returns
        Sheared Numpy image tensor.

    # Raises
        ValueError: if `x` is not a rank-3 image or the axes are not a permutation of 0, 1, 2.
        ImportError: if SciPy is not available.
    """
    shear = np.random.uniform(-intensity, intensity)
    return apply_affine_transform(x, shear=shear, row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode, cval=cval)


def random_zoom(x, zoom_range, row_axis=1, col_axis=2, channel_axis=0, fill_mode='nearest', cval=0.):
    """Performs a random spatial zoom of a Numpy image tensor.

    # Arguments
        x: input tensor. Must be 3D.
        zoom_range: tuple of floats; zoom range for width and height.
        row_axis: index of axis for rows in the input tensor.
        col_axis: index of axis for columns in the input tensor.
        channel_axis: index of axis for channels in the input tensor.
        fill_mode: points outside the boundaries of the input are filled according to the given mode.
        cval: value used for points outside the boundaries of the input if `mode='constant'`.

    # Returns
        Zoomed Numpy image tensor.

    # Raises
        ValueError: if `zoom_range` isn't a tuple of two floats.
    """
    if len(zoom_range) != 2:
        raise ValueError('`zoom_range` should be a tuple or list of two floats. Received: %r' % (zoom_range,))
    if zoom_range[0] == 1 and zoom_range[1] == 1:
        zx, zy = 1, 1
    else:
        zx, zy = np.random.uniform(zoom_range[0], zoom_range[1], 2)
    return apply_affine_transform(x, zx=zx, zy=zy, row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode, cval=cval)


def apply_channel_shift(x, intensity, channel_axis=0):
    """Performs a channel shift: adds `intensity` to every channel, clipped to the image's value range.

    # Arguments
        x: input tensor. Must be 3D.
        intensity: transformation intensity.
        channel_axis: index of axis for channels in the input tensor.

    # Returns
        Numpy image tensor.

    # Raises
        ValueError: if `channel_axis` is out of range for `x`.
    """
    x = np.asarray(x)
    low, high = np.min(x), np.max(x)
    channels = [np.clip(channel + intensity, low, high) for channel in np.moveaxis(x, channel_axis, 0)]
    return np.moveaxis(np.stack(channels, axis=0), 0, channel_axis)


def random_channel_shift(x, intensity_range, channel_axis=0):
    """Performs a random channel shift.

    # Arguments
        x: input tensor. Must be 3D.
        intensity_range: transformation intensity.
        channel_axis: index of axis for channels in the input tensor.

    # Returns
        Numpy image tensor.
    """
    intensity = np.random.uniform(-intensity_range, intensity_range)
    return apply_channel_shift(x, intensity, channel_axis=channel_axis)


def _enhance_brightness(x, brightness):
    from PIL import ImageEnhance
    return img_to_array(ImageEnhance.Brightness(x).enhance(brightness), data_format='channels_last')


def apply_brightness_shift(x, brightness, scale=True):
    """Performs a brightness shift (through Pillow's `ImageEnhance.Brightness`).

    # Arguments
        x: input tensor, a channels-last image. Must be 3D.
        brightness: float, the new brightness value (1 keeps the image as is).
        scale: if True (Keras 2.2 behaviour), the result is on the 0-255 scale that `array_to_img` makes;
            if False, the image keeps its own value range.

    # Returns
        Numpy image tensor.

    # Raises
        ImportError: if Pillow is not available.
    """
    x = np.asarray(x, dtype=_config.floatx())
    if scale:
        return _enhance_brightness(array_to_img(x, data_format='channels_last', scale=True), brightness)
    low, high = np.min(x), np.max(x)
    out_of_range = low < 0 or high > 255
    if out_of_range:  # map to 0-255 for Pillow, then back to the image's range
        x = x - low
        if np.max(x) != 0:
            x /= np.max(x)
        x *= 255
    result = _enhance_brightness(array_to_img(x, data_format='channels_last', scale=False), brightness)
    if out_of_range:
        result = result / 255 * (high - low) + low
    return result


def random_brightness(x, brightness_range):
    """Performs a random brightness shift.

    # Arguments
        x: input tensor. Must be 3D.
        brightness_range: tuple of floats; brightness range.

    # Returns
        Numpy image tensor.

    # Raises
        ValueError: if `brightness_range` isn't a tuple of two floats.
    """
    if len(brightness_range) != 2:
        raise ValueError('`brightness_range should be tuple or list of two floats. Received: %r'
                         % (brightness_range,))
    brightness = np.random.uniform(brightness_range[0], brightness_range[1])
    return apply_brightness_shift(x, brightness)


# --------------------------------------------------------------------------------------- iterators

class _BatchIterator(_SequenceBase):
    """Base class for image data iterators: a Keras `Sequence` that is also a Python iterator.

    Indexing (`iterator[i]`) gives batch `i` of the current epoch order; `next(iterator)` walks through
    the batches forever, reshuffling at the start of every pass. With a `seed`, NumPy's global generator
    is reseeded with `seed + number_of_batches_seen` before every batch, as in Keras 2.2, so shuffling
    and augmentation are reproducible.

    Subclasses implement `_get_batches_of_transformed_samples(index_array)`.

    # Arguments
        n: integer, total number of samples in the dataset to loop over.
        batch_size: integer, size of a batch.
        shuffle: boolean, whether to shuffle the data between epochs.
        seed: random seeding for data shuffling and transformations.

    # Raises
        ValueError: if `batch_size` is not a positive integer.
    """

    def __init__(self, n, batch_size, shuffle, seed):
        if not isinstance(batch_size, numbers.Integral) or batch_size < 1:
            raise ValueError('`batch_size` must be a positive integer; received %r.' % (batch_size,))
        self.n = int(n)
        self.batch_size = int(batch_size)
        self.seed = seed
        self.shuffle = shuffle
        self.batch_index = 0
        self.total_batches_seen = 0
        self.lock = threading.Lock()
        self.index_array = None
        self.index_generator = self._flow_index()

    def _set_index_array(self):
        self.index_array = np.arange(self.n)
        if self.shuffle:
            self.index_array = np.random.permutation(self.n)

    def __getitem__(self, idx):
        length = len(self)
        if not isinstance(idx, numbers.Integral):
            raise TypeError('Batch index must be an integer; received %r.' % (idx,))
        if idx < 0:
            idx += length
        if not 0 <= idx < length:
            raise ValueError('Asked to retrieve element {idx}, but the Sequence has length {length}'
                             .format(idx=idx, length=length))
        if self.seed is not None:
            np.random.seed(self.seed + self.total_batches_seen)
        self.total_batches_seen += 1
        if self.index_array is None:
            self._set_index_array()
        index_array = self.index_array[self.batch_size * idx:self.batch_size * (idx + 1)]
        return self._get_batches_of_transformed_samples(index_array)

    def __len__(self):
        return (self.n + self.batch_size - 1) // self.batch_size

    def on_epoch_end(self):
        """Reshuffles the sample order (when `shuffle=True`); called at the end of every epoch.

        The new order is drawn from NumPy's global generator (not reseeded), as in Keras 2.
        """
        self._set_index_array()

    def reset(self):
        """Restarts the iteration at the first batch of a new pass."""
        self.batch_index = 0

    def _flow_index(self):
        self.reset()
        while True:
            if self.seed is not None:
                np.random.seed(self.seed + self.total_batches_seen)
            if self.batch_index == 0:
                self._set_index_array()
            current_index = (self.batch_index * self.batch_size) % self.n if self.n else 0
            if self.n > current_index + self.batch_size:
                self.batch_index += 1
            else:
                self.batch_index = 0
            self.total_batches_seen += 1
            yield self.index_array[current_index:current_index + self.batch_size]

    def __iter__(self):
        return self

    def __next__(self):
        return self.next()

    def next(self):
        """Returns the next batch.

        # Returns
            The next batch, as `_get_batches_of_transformed_samples` builds it.
        """
        with self.lock:  # only the index bookkeeping is locked; transformations may run in parallel
            index_array = next(self.index_generator)
        return self._get_batches_of_transformed_samples(index_array)

    def _get_batches_of_transformed_samples(self, index_array):
        """Gets a batch of transformed samples.

        # Arguments
            index_array: array of sample indices to include in the batch.

        # Returns
            A batch of transformed samples.
        """
        raise NotImplementedError


Iterator = _BatchIterator  # the Keras 2 name


def _save_batch(batch_x, index_array, data_format, save_to_dir, save_prefix, save_format, hash_high):
    for i, j in enumerate(index_array):
        img = array_to_img(batch_x[i], data_format, scale=True)
        fname = '{prefix}_{index}_{hash}.{format}'.format(prefix=save_prefix, index=j,
                                                          hash=np.random.randint(hash_high), format=save_format)
        img.save(os.path.join(save_to_dir, fname))


class NumpyArrayIterator(_BatchIterator):
    """Iterator yielding data from a Numpy array.

    # Arguments
        x: Numpy array of input data, or a tuple `(images, misc)` where `misc` is another array or a list
            of arrays passed through to the output without any modifications.
        y: Numpy array of targets data.
        image_data_generator: instance of `ImageDataGenerator` to use for random transformations and
            normalization.
        batch_size: integer, size of a batch.
        shuffle: boolean, whether to shuffle the data between epochs.
        sample_weight: Numpy array of sample weights.
        seed: random seed for data shuffling.
        data_format: string, one of `channels_first`, `channels_last`.
        save_to_dir: optional directory where to save the pictures being yielded, in a viewable format.
            This is useful for visualizing the random transformations being applied, for debugging.
        save_prefix: string prefix to use for saving sample images (if `save_to_dir` is set).
        save_format: format to use for saving sample images (if `save_to_dir` is set).
        subset: subset of data (`'training'` or `'validation'`) if `validation_split` is set in
            `ImageDataGenerator`.
        dtype: dtype of the image batches (default: the Keras `floatx`).

    # Raises
        ValueError: if the arrays differ in length, `x` is not rank 4, or `subset` is invalid.
    """

    def __init__(self, x, y, image_data_generator, batch_size=32, shuffle=False, sample_weight=None,
                 seed=None, data_format=None, save_to_dir=None, save_prefix='', save_format='png',
                 subset=None, dtype=None):
        self.dtype = dtype or _config.floatx()
        if isinstance(x, (tuple, list)):
            if len(x) != 2:
                raise ValueError('When `x` is a tuple or list it must be `(images, misc)`, with `misc` an array or '
                                 'a list of arrays passed through unchanged; received a sequence of %d items. To '
                                 'pass a list of images, stack them first: `np.array(images)`.' % len(x))
            misc = x[1]
            x_misc = [np.asarray(item) for item in misc] if isinstance(misc, list) else [np.asarray(misc)]
            x = x[0]
            for item in x_misc:
                if len(x) != len(item):
                    raise ValueError('All of the arrays in `x` should have the same length. Found a pair with: '
                                     'len(x[0]) = %s, len(x[?]) = %s' % (len(x), len(item)))
        else:
            x_misc = []
        if y is not None and len(x) != len(y):
            raise ValueError('`x` (images tensor) and `y` (labels) should have the same length. Found: '
                             'x.shape = %s, y.shape = %s' % (np.asarray(x).shape, np.asarray(y).shape))
        if sample_weight is not None and len(x) != len(sample_weight):
            raise ValueError('`x` (images tensor) and `sample_weight` should have the same length. Found: '
                             'x.shape = %s, sample_weight.shape = %s'
                             % (np.asarray(x).shape, np.asarray(sample_weight).shape))
        if subset is not None:
            if subset not in ('training', 'validation'):
                raise ValueError('Invalid subset name: %r; expected "training" or "validation".' % (subset,))
            split_idx = int(len(x) * image_data_generator._validation_split)
            part = slice(None, split_idx) if subset == 'validation' else slice(split_idx, None)
            x = x[part]
            x_misc = [np.asarray(item[part]) for item in x_misc]
            if y is not None:
                y = y[part]
            if sample_weight is not None:
                sample_weight = sample_weight[part]
        data_format = _data_format(data_format)
        self.x = np.asarray(x, dtype=self.dtype)
        self.x_misc = x_misc
        if self.x.ndim != 4:
            raise ValueError('Input data in `NumpyArrayIterator` should have rank 4. You passed an array with '
                             'shape %s' % (self.x.shape,))
        channels_axis = 3 if data_format == 'channels_last' else 1
        if self.x.shape[channels_axis] not in (1, 3, 4):
            warnings.warn('NumpyArrayIterator is set to use the data format convention "%s" (channels on axis '
                          '%d), i.e. expected either 1, 3, or 4 channels on axis %d. However, it was passed an '
                          'array with shape %s (%d channels).'
                          % (data_format, channels_axis, channels_axis, self.x.shape,
                             self.x.shape[channels_axis]))
        self.y = np.asarray(y) if y is not None else None
        self.sample_weight = np.asarray(sample_weight) if sample_weight is not None else None
        self.image_data_generator = image_data_generator
        self.data_format = data_format
        self.save_to_dir = save_to_dir
        self.save_prefix = save_prefix
        self.save_format = save_format
        super(NumpyArrayIterator, self).__init__(self.x.shape[0], batch_size, shuffle, seed)

    def _get_batches_of_transformed_samples(self, index_array):
        generator = self.image_data_generator
        batch_x = np.zeros((len(index_array),) + self.x.shape[1:], dtype=self.dtype)
        for i, j in enumerate(index_array):
            x = self.x[j]
            params = generator.get_random_transform(x.shape)
            x = generator.apply_transform(x.astype(self.dtype), params)
            batch_x[i] = generator.standardize(x)
        if self.save_to_dir:
            _save_batch(batch_x, index_array, self.data_format, self.save_to_dir, self.save_prefix,
                        self.save_format, 10 ** 4)
        misc = [item[index_array] for item in self.x_misc]
        output = (batch_x if not misc else [batch_x] + misc,)
        if self.y is None:
            return output[0]
        output += (self.y[index_array],)
        if self.sample_weight is not None:
            output += (self.sample_weight[index_array],)
        return output


def _iter_valid_files(directory, white_list_formats, follow_links):
    """Yields `(root, filename)` for the image files under `directory`, in sorted order."""
    for root, _, files in sorted(os.walk(directory, followlinks=follow_links), key=lambda entry: entry[0]):
        for fname in sorted(files):
            if fname.lower().endswith('.tiff'):
                warnings.warn('Using \'.tiff\' files with multiple bands will cause distortion. '
                              'Please verify your output.')
            if fname.lower().endswith(tuple('.' + extension for extension in white_list_formats)):
                yield root, fname


def _list_valid_filenames_in_directory(directory, white_list_formats, split, class_indices, follow_links):
    """Lists the image files of one class folder, as `(class_indices, paths relative to the parent)`."""
    dirname = os.path.basename(directory)
    valid_files = list(_iter_valid_files(directory, white_list_formats, follow_links))
    if split:
        num_files = len(valid_files)
        valid_files = valid_files[int(split[0] * num_files):int(split[1] * num_files)]
    classes, filenames = [], []
    for root, fname in valid_files:
        classes.append(class_indices[dirname])
        filenames.append(os.path.join(dirname, os.path.relpath(os.path.join(root, fname), directory)))
    return classes, filenames


class DirectoryIterator(_BatchIterator):
    """Iterator capable of reading images from a directory on disk.

    # Arguments
        directory: path to the directory to read images from. Each subdirectory in this directory is
            considered to contain images from one class, or alternatively you could specify class
            subdirectories via the `classes` argument.
        image_data_generator: instance of `ImageDataGenerator` to use for random transformations and
            normalization.
        target_size: tuple of integers, dimensions to resize input images to.
        color_mode: one of `'rgb'`, `'rgba'`, `'grayscale'`. Color mode to read images.
        classes: optional list of strings, names of subdirectories containing images from each class
            (e.g. `['dogs', 'cats']`). It is computed automatically if not set.
        class_mode: mode for yielding the targets: `'binary'` (binary targets, for two classes),
            `'categorical'` (one-hot targets), `'sparse'` (integer targets), `'input'` (targets are images
            identical to input images, mainly used to work with autoencoders), `None` (no targets).
        batch_size: integer, size of a batch.
        shuffle: boolean, whether to shuffle the data between epochs.
        seed: random seed for data shuffling.
        data_format: string, one of `channels_first`, `channels_last`.
        save_to_dir: optional directory where to save the pictures being yielded, in a viewable format.
        save_prefix: string prefix to use for saving sample images (if `save_to_dir` is set).
        save_format: format to use for saving sample images (if `save_to_dir` is set).
        follow_links: whether to follow symlinks inside class subdirectories.
        subset: subset of data (`'training'` or `'validation'`) if `validation_split` is set in
            `ImageDataGenerator`.
        interpolation: interpolation method used to resample the image if the target size is different
            from that of the loaded image (`'nearest'`, `'bilinear'`, `'bicubic'`, `'lanczos'`, `'box'`,
            `'hamming'`).
        dtype: dtype of the image batches (default: the Keras `floatx`).

    # Raises
        ValueError: for an invalid `color_mode`, `class_mode`, `subset` or `interpolation`, or a missing
            class folder.
        IOError: if `directory` does not exist.
    """

    def __init__(self, directory, image_data_generator, target_size=(256, 256), color_mode='rgb',
                 classes=None, class_mode='categorical', batch_size=32, shuffle=True, seed=None,
                 data_format=None, save_to_dir=None, save_prefix='', save_format='png', follow_links=False,
                 subset=None, interpolation='nearest', dtype=None):
        data_format = _data_format(data_format)
        if not os.path.isdir(directory):
            raise IOError('`directory` %r does not exist or is not a folder. It should hold one subfolder of '
                          'images per class.' % (directory,))
        self.directory = directory
        self.image_data_generator = image_data_generator
        self.target_size = tuple(int(v) for v in target_size)
        if len(self.target_size) != 2:
            raise ValueError('`target_size` must be a tuple (height, width); received %r.' % (target_size,))
        if color_mode not in _COLOR_MODES:
            raise ValueError('Invalid color mode: %r; expected "rgb", "rgba", or "grayscale".' % (color_mode,))
        if color_mode == 'rgba' and save_format in ('jpeg', 'jpg'):
            warnings.warn('The JPG format does not support RGBA images, converting to RGB.')
            color_mode = 'rgb'
        self.color_mode = color_mode
        self.data_format = data_format
        self.dtype = dtype or _config.floatx()
        channels = {'rgba': 4, 'rgb': 3, 'grayscale': 1}[color_mode]
        self.image_shape = (self.target_size + (channels,) if data_format == 'channels_last'
                            else (channels,) + self.target_size)
        if class_mode not in _CLASS_MODES:
            raise ValueError('Invalid class_mode: %r; expected one of "categorical", "binary", "sparse", '
                             '"input" or None.' % (class_mode,))
        self.class_mode = class_mode
        self.save_to_dir = save_to_dir
        self.save_prefix = save_prefix
        self.save_format = save_format
        _pil_interpolation(interpolation)  # fails early for an unknown method
        self.interpolation = interpolation

        if subset is not None:
            validation_split = image_data_generator._validation_split
            if subset == 'validation':
                split = (0, validation_split)
            elif subset == 'training':
                split = (validation_split, 1)
            else:
                raise ValueError('Invalid subset name: %r; expected "training" or "validation".' % (subset,))
        else:
            split = None
        self.subset = subset

        if not classes:
            classes = [name for name in sorted(os.listdir(directory))
                       if os.path.isdir(os.path.join(directory, name))]
        else:
            missing = [name for name in classes if not os.path.isdir(os.path.join(directory, name))]
            if missing:
                raise ValueError('`classes` names folders that are not in %s: %s.' % (directory, missing))
        self.num_classes = len(classes)
        self.class_indices = dict(zip(classes, range(len(classes))))

        labels, self.filenames = [], []
        for subdir in classes:
            found_classes, found_files = _list_valid_filenames_in_directory(
                os.path.join(directory, subdir), _WHITE_LIST_FORMATS, split, self.class_indices, follow_links)
            labels += found_classes
            self.filenames += found_files
        self.samples = len(self.filenames)
        self.classes = np.array(labels, dtype='int32')
        print('Found %d images belonging to %d classes.' % (self.samples, self.num_classes))
        super(DirectoryIterator, self).__init__(self.samples, batch_size, shuffle, seed)

    @property
    def filepaths(self):
        """The absolute-or-relative paths of the images, as found (`directory` joined to `filenames`)."""
        return [os.path.join(self.directory, fname) for fname in self.filenames]

    @property
    def labels(self):
        """The class index of every image, in `filenames` order."""
        return self.classes

    def _get_batches_of_transformed_samples(self, index_array):
        generator = self.image_data_generator
        batch_x = np.zeros((len(index_array),) + self.image_shape, dtype=self.dtype)
        for i, j in enumerate(index_array):
            img = load_img(os.path.join(self.directory, self.filenames[j]), color_mode=self.color_mode,
                           target_size=self.target_size, interpolation=self.interpolation)
            x = img_to_array(img, data_format=self.data_format, dtype=self.dtype)
            if hasattr(img, 'close'):
                img.close()
            params = generator.get_random_transform(x.shape)
            x = generator.apply_transform(x, params)
            batch_x[i] = generator.standardize(x)
        if self.save_to_dir:
            _save_batch(batch_x, index_array, self.data_format, self.save_to_dir, self.save_prefix,
                        self.save_format, 10 ** 7)
        if self.class_mode == 'input':
            batch_y = batch_x.copy()
        elif self.class_mode == 'sparse':
            batch_y = self.classes[index_array]
        elif self.class_mode == 'binary':
            batch_y = self.classes[index_array].astype(self.dtype)
        elif self.class_mode == 'categorical':
            batch_y = np.zeros((len(batch_x), self.num_classes), dtype=self.dtype)
            batch_y[np.arange(len(batch_x)), self.classes[index_array]] = 1.
        else:
            return batch_x
        return batch_x, batch_y


# ---------------------------------------------------------------------------- ImageDataGenerator

def _check_range(name, value):
    if isinstance(value, (numbers.Number, np.number)):
        if value < 0:
            raise ValueError('`%s` must be >= 0; received %r.' % (name, value))
        return
    try:
        values = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        values = None
    if values is None or values.ndim != 1 or values.size == 0:
        raise ValueError('`%s` must be a float, an int or a 1-D list of numbers; received %r.' % (name, value))


def _draw_shift(shift_range, size):
    if isinstance(shift_range, (numbers.Integral, np.integer)) and not isinstance(shift_range, bool) or \
            isinstance(shift_range, (list, tuple, np.ndarray)):
        shift = np.random.choice(shift_range)  # integer pixels (an int n gives -(n-1)..n-1) or a given list
        shift *= np.random.choice([-1, 1])
    else:
        shift = np.random.uniform(-shift_range, shift_range)
    if np.max(shift_range) < 1:  # fractions of the image size
        shift *= size
    return shift


class ImageDataGenerator(object):
    """Generate batches of tensor image data with real-time data augmentation.

    The data will be looped over (in batches).

    # Arguments
        featurewise_center: boolean. Set input mean to 0 over the dataset, feature-wise.
        samplewise_center: boolean. Set each sample mean to 0.
        featurewise_std_normalization: boolean. Divide inputs by std of the dataset, feature-wise.
        samplewise_std_normalization: boolean. Divide each input by its std.
        zca_whitening: boolean. Apply ZCA whitening.
        zca_epsilon: epsilon for ZCA whitening. Default is 1e-6.
        rotation_range: int. Degree range for random rotations.
        width_shift_range: float, 1-D array-like or int
            - float: fraction of total width, if < 1, or pixels if >= 1.
            - 1-D array-like: random elements from the array.
            - int: integer number of pixels from interval `(-width_shift_range, +width_shift_range)`.
            With `width_shift_range=2` possible values are integers `[-1, 0, +1]`, same as with
            `width_shift_range=[-1, 0, +1]`, while with `width_shift_range=1.0` possible values are floats
            in the interval `[-1.0, +1.0)`.
        height_shift_range: float, 1-D array-like or int, as `width_shift_range` for the height.
        brightness_range: tuple or list of two floats. Range for picking a brightness shift value from.
        shear_range: float. Shear intensity (shear angle in counter-clockwise direction in degrees).
        zoom_range: float or `[lower, upper]`. Range for random zoom. If a float,
            `[lower, upper] = [1 - zoom_range, 1 + zoom_range]`.
        channel_shift_range: float. Range for random channel shifts.
        fill_mode: one of `{"constant", "nearest", "reflect" or "wrap"}`. Default is `'nearest'`. Points
            outside the boundaries of the input are filled according to the given mode:
            - `'constant'`: kkkkkkkk|abcd|kkkkkkkk (cval=k)
            - `'nearest'`:  aaaaaaaa|abcd|dddddddd
            - `'reflect'`:  abcddcba|abcd|dcbaabcd
            - `'wrap'`:  abcdabcd|abcd|abcdabcd
        cval: float or int. Value used for points outside the boundaries when `fill_mode = "constant"`.
        horizontal_flip: boolean. Randomly flip inputs horizontally.
        vertical_flip: boolean. Randomly flip inputs vertically.
        rescale: rescaling factor. Defaults to None. If None or 0, no rescaling is applied, otherwise the
            data is multiplied by the value provided (after applying all other transformations).
        preprocessing_function: function applied on each input. The function runs after the image is
            resized and augmented. It takes one argument, one image (Numpy tensor with rank 3), and
            should output a Numpy tensor with the same shape.
        data_format: image data format, either `"channels_first"` or `"channels_last"`. It defaults to
            the `image_data_format` value found in your Keras config file at `~/.keras/keras.json`.
        validation_split: float. Fraction of images reserved for validation (strictly between 0 and 1).
        dtype: dtype to use for the generated arrays (default: the Keras `floatx`).
        interpolation_order: int, order of the spline interpolation of affine transforms (default 1).

    # Raises
        ValueError: for an invalid argument value.

    # Example
    ```python
    (x_train, y_train), (x_test, y_test) = cifar10.load_data()
    y_train = np_utils.to_categorical(y_train, num_classes)
    datagen = ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True,
                                 rotation_range=20, width_shift_range=0.2, height_shift_range=0.2,
                                 horizontal_flip=True)
    datagen.fit(x_train)
    model.fit_generator(datagen.flow(x_train, y_train, batch_size=32),
                        steps_per_epoch=len(x_train) / 32, epochs=epochs)
    ```
    """

    def __init__(self, featurewise_center=False, samplewise_center=False, featurewise_std_normalization=False,
                 samplewise_std_normalization=False, zca_whitening=False, zca_epsilon=1e-6, rotation_range=0,
                 width_shift_range=0., height_shift_range=0., brightness_range=None, shear_range=0.,
                 zoom_range=0., channel_shift_range=0., fill_mode='nearest', cval=0., horizontal_flip=False,
                 vertical_flip=False, rescale=None, preprocessing_function=None, data_format=None,
                 validation_split=0.0, dtype=None, interpolation_order=1):
        data_format = _data_format(data_format)
        self.featurewise_center = featurewise_center
        self.samplewise_center = samplewise_center
        self.featurewise_std_normalization = featurewise_std_normalization
        self.samplewise_std_normalization = samplewise_std_normalization
        self.zca_whitening = zca_whitening
        self.zca_epsilon = zca_epsilon
        self.rotation_range = rotation_range
        self.width_shift_range = width_shift_range
        self.height_shift_range = height_shift_range
        self.shear_range = shear_range
        self.channel_shift_range = channel_shift_range
        self.fill_mode = fill_mode
        self.cval = cval
        self.horizontal_flip = horizontal_flip
        self.vertical_flip = vertical_flip
        self.rescale = rescale
        self.preprocessing_function = preprocessing_function
        self.dtype = dtype or _config.floatx()
        self.interpolation_order = interpolation_order

        for name in ('rotation_range', 'shear_range', 'channel_shift_range'):
            if not isinstance(getattr(self, name), (numbers.Number, np.number)) or getattr(self, name) < 0:
                raise ValueError('`%s` must be a number >= 0; received %r.' % (name, getattr(self, name)))
        _check_range('width_shift_range', width_shift_range)
        _check_range('height_shift_range', height_shift_range)
        if fill_mode not in _FILL_MODES:
            raise ValueError('`fill_mode` must be one of "constant", "nearest", "reflect" or "wrap"; received %r.'
                             % (fill_mode,))
        if preprocessing_function is not None and not callable(preprocessing_function):
            raise ValueError('`preprocessing_function` must be a function; received %r.' % (preprocessing_function,))

        self.data_format = data_format
        if data_format == 'channels_first':
            self.channel_axis, self.row_axis, self.col_axis = 1, 2, 3
        else:
            self.channel_axis, self.row_axis, self.col_axis = 3, 1, 2
        if validation_split and not 0 < validation_split < 1:
            raise ValueError('`validation_split` must be strictly between 0 and 1. Received: %s' % validation_split)
        self._validation_split = validation_split

        self.mean = None
        self.std = None
        self.principal_components = None

        if isinstance(zoom_range, (numbers.Number, np.number)):
            self.zoom_range = [1 - zoom_range, 1 + zoom_range]
        elif (isinstance(zoom_range, (list, tuple, np.ndarray)) and len(zoom_range) == 2 and
              all(isinstance(v, (numbers.Number, np.number)) for v in zoom_range)):
            self.zoom_range = [zoom_range[0], zoom_range[1]]
        else:
            raise ValueError('`zoom_range` should be a float or a tuple or list of two floats. Received: %r'
                             % (zoom_range,))
        if zca_whitening:
            if not featurewise_center:
                self.featurewise_center = True
                warnings.warn('This ImageDataGenerator specifies `zca_whitening`, which overrides setting of '
                              '`featurewise_center`.')
            if featurewise_std_normalization:
                self.featurewise_std_normalization = False
                warnings.warn('This ImageDataGenerator specifies `zca_whitening` which overrides setting of '
                              '`featurewise_std_normalization`.')
        if featurewise_std_normalization and not featurewise_center:
            self.featurewise_center = True
            warnings.warn('This ImageDataGenerator specifies `featurewise_std_normalization`, which overrides '
                          'setting of `featurewise_center`.')
        if samplewise_std_normalization and not samplewise_center:
            self.samplewise_center = True
            warnings.warn('This ImageDataGenerator specifies `samplewise_std_normalization`, which overrides '
                          'setting of `samplewise_center`.')
        if brightness_range is not None:
            if (not isinstance(brightness_range, (tuple, list, np.ndarray)) or len(brightness_range) != 2):
                raise ValueError('`brightness_range should be tuple or list of two floats. Received: %r'
                                 % (brightness_range,))
        self.brightness_range = brightness_range

    @property
    def zca_whitening_matrix(self):
        """The ZCA whitening matrix computed by `fit` (the same array as `principal_components`)."""
        return self.principal_components

    def flow(self, x, y=None, batch_size=32, shuffle=True, sample_weight=None, seed=None, save_to_dir=None,
             save_prefix='', save_format='png', subset=None):
        """Takes data & label arrays, generates batches of augmented data.

        # Arguments
            x: input data. Numpy array of rank 4 or a tuple. If tuple, the first element should contain
                the images and the second element another numpy array or a list of numpy arrays that gets
                passed to the output without any modifications. Can be used to feed the model
                miscellaneous data along with the images. In case of grayscale data, the channels axis of
                the image array should have value 1, in case of RGB data 3, and RGBA data 4.
            y: labels.
            batch_size: int (default: 32).
            shuffle: boolean (default: True).
            sample_weight: sample weights.
            seed: int (default: None).
            save_to_dir: None or str (default: None). This allows you to optionally specify a directory
                to which to save the augmented pictures being generated (useful for visualizing what you
                are doing).
            save_prefix: str (default: `''`). Prefix to use for filenames of saved pictures (only relevant
                if `save_to_dir` is set).
            save_format: one of "png", "jpeg" (only relevant if `save_to_dir` is set). Default: "png".
            subset: subset of data (`"training"` or `"validation"`) if `validation_split` is set in
                `ImageDataGenerator`.

        # Returns
            An `Iterator` yielding tuples of `(x, y)` where `x` is a numpy array of image data (in the
            case of a single image input) or a list of numpy arrays (in the case with additional inputs)
            and `y` is a numpy array of corresponding labels. If `sample_weight` is not None, the yielded
            tuples are of the form `(x, y, sample_weight)`. If `y` is None, only the numpy array `x` is
            returned.

        # Raises
            ValueError: if the arrays are inconsistent or not images.
        """
        return NumpyArrayIterator(x, y, self, batch_size=batch_size, shuffle=shuffle, sample_weight=sample_weight,
                                  seed=seed, data_format=self.data_format, save_to_dir=save_to_dir,
                                  save_prefix=save_prefix, save_format=save_format, subset=subset,
                                  dtype=self.dtype)

    def flow_from_directory(self, directory, target_size=(256, 256), color_mode='rgb', classes=None,
                            class_mode='categorical', batch_size=32, shuffle=True, seed=None, save_to_dir=None,
                            save_prefix='', save_format='png', follow_links=False, subset=None,
                            interpolation='nearest'):
        """Takes the path to a directory & generates batches of augmented data.

        # Arguments
            directory: path to the target directory. It should contain one subdirectory per class. Any
                PNG, JPG, BMP, PPM or TIF images inside each of the subdirectories directory tree will be
                included in the generator.
            target_size: tuple of integers `(height, width)`, default: `(256, 256)`. The dimensions to
                which all images found will be resized.
            color_mode: one of "grayscale", "rgb", "rgba". Default: "rgb". Whether the images will be
                converted to have 1, 3, or 4 channels.
            classes: optional list of class subdirectories (e.g. `['dogs', 'cats']`). Default: None. If
                not provided, the list of classes will be automatically inferred from the subdirectory
                names/structure under `directory` (in alphanumeric order). The dictionary containing the
                mapping from class names to class indices can be obtained via the attribute
                `class_indices`.
            class_mode: one of "categorical", "binary", "sparse", "input", or None. Default:
                "categorical". Determines the type of label arrays that are returned: "categorical" gives
                2D one-hot encoded labels, "binary" 1D binary labels, "sparse" 1D integer labels, "input"
                images identical to input images (mainly used to work with autoencoders), None no labels
                (the generator will only yield batches of image data, which is useful to use with
                `model.predict_generator()`). Please note that in case of class_mode None, the data still
                needs to reside in a subdirectory of `directory` for it to work correctly.
            batch_size: size of the batches of data (default: 32).
            shuffle: whether to shuffle the data (default: True).
            seed: optional random seed for shuffling and transformations.
            save_to_dir: None or str (default: None). Optional directory to which to save the augmented
                pictures being generated.
            save_prefix: str. Prefix to use for filenames of saved pictures.
            save_format: one of "png", "jpeg". Default: "png".
            follow_links: whether to follow symlinks inside class subdirectories (default: False).
            subset: subset of data (`"training"` or `"validation"`) if `validation_split` is set in
                `ImageDataGenerator`.
            interpolation: interpolation method used to resample the image if the target size is
                different from that of the loaded image. Supported methods are `"nearest"`, `"bilinear"`,
                `"bicubic"`, `"lanczos"`, `"box"` and `"hamming"`. By default, `"nearest"` is used.

        # Returns
            A `DirectoryIterator` yielding tuples of `(x, y)` where `x` is a numpy array containing a
            batch of images with shape `(batch_size, *target_size, channels)` and `y` is a numpy array of
            corresponding labels.

        # Raises
            ValueError: for invalid arguments.
            IOError: if `directory` does not exist.
        """
        return DirectoryIterator(directory, self, target_size=target_size, color_mode=color_mode,
                                 classes=classes, class_mode=class_mode, data_format=self.data_format,
                                 batch_size=batch_size, shuffle=shuffle, seed=seed, save_to_dir=save_to_dir,
                                 save_prefix=save_prefix, save_format=save_format, follow_links=follow_links,
                                 subset=subset, interpolation=interpolation, dtype=self.dtype)

    def standardize(self, x):
        """Applies the normalization configuration to a batch of inputs.

        `x` is changed in place when possible (as in Keras 2); pass a copy to keep the original.

        # Arguments
            x: batch of inputs (or a single image) to be normalized.

        # Returns
            The inputs, normalized.
        """
        if self.preprocessing_function:
            x = self.preprocessing_function(x)
        if self.rescale:
            x *= self.rescale
        if self.samplewise_center:
            x -= np.mean(x, keepdims=True)
        if self.samplewise_std_normalization:
            x /= (np.std(x, keepdims=True) + _config.epsilon())

        if self.featurewise_center:
            if self.mean is not None:
                x -= self.mean
            else:
                warnings.warn('This ImageDataGenerator specifies `featurewise_center`, but it hasn\'t been fit '
                              'on any training data. Fit it first by calling `.fit(numpy_data)`.')
        if self.featurewise_std_normalization:
            if self.std is not None:
                x /= (self.std + _config.epsilon())
            else:
                warnings.warn('This ImageDataGenerator specifies `featurewise_std_normalization`, but it '
                              'hasn\'t been fit on any training data. Fit it first by calling '
                              '`.fit(numpy_data)`.')
        if self.zca_whitening:
            if self.principal_components is not None:
                flat = np.reshape(x, (-1, int(np.prod(x.shape[-3:]))))
                x = np.reshape(np.dot(flat, self.principal_components), x.shape)
            else:
                warnings.warn('This ImageDataGenerator specifies `zca_whitening`, but it hasn\'t been fit on any '
                              'training data. Fit it first by calling `.fit(numpy_data)`.')
        return x

    def get_random_transform(self, img_shape, seed=None):
        """Generates random parameters for a transformation.

        # Arguments
            img_shape: tuple of integers, the shape of the image that is transformed.
            seed: random seed (reseeds NumPy's global generator).

        # Returns
            A dictionary containing randomly chosen parameters describing the transformation: `theta`,
            `tx`, `ty`, `shear`, `zx`, `zy`, `flip_horizontal`, `flip_vertical`,
            `channel_shift_intensity`, `brightness`.
        """
        img_row_axis = self.row_axis - 1
        img_col_axis = self.col_axis - 1
        if seed is not None:
            np.random.seed(seed)

        theta = np.random.uniform(-self.rotation_range, self.rotation_range) if self.rotation_range else 0
        tx = _draw_shift(self.height_shift_range, img_shape[img_row_axis]) if self.height_shift_range else 0
        ty = _draw_shift(self.width_shift_range, img_shape[img_col_axis]) if self.width_shift_range else 0
        shear = np.random.uniform(-self.shear_range, self.shear_range) if self.shear_range else 0
        if self.zoom_range[0] == 1 and self.zoom_range[1] == 1:
            zx, zy = 1, 1
        else:
            zx, zy = np.random.uniform(self.zoom_range[0], self.zoom_range[1], 2)
        flip_horizontal = (np.random.random() < 0.5) * self.horizontal_flip
        flip_vertical = (np.random.random() < 0.5) * self.vertical_flip
        channel_shift_intensity = None
        if self.channel_shift_range != 0:
            channel_shift_intensity = np.random.uniform(-self.channel_shift_range, self.channel_shift_range)
        brightness = None
        if self.brightness_range is not None:
            brightness = np.random.uniform(self.brightness_range[0], self.brightness_range[1])
        return {'theta': theta, 'tx': tx, 'ty': ty, 'shear': shear, 'zx': zx, 'zy': zy,
                'flip_horizontal': flip_horizontal, 'flip_vertical': flip_vertical,
                'channel_shift_intensity': channel_shift_intensity, 'brightness': brightness}

    def apply_transform(self, x, transform_parameters):
        """Applies a transformation to an image according to given parameters.

        # Arguments
            x: 3D tensor, single image.
            transform_parameters: dictionary with string - parameter pairs describing the transformation.
                Currently, the following parameters from the dictionary are used:
                - `'theta'`: float. Rotation angle in degrees.
                - `'tx'`: float. Shift in the vertical (rows) direction, in pixels.
                - `'ty'`: float. Shift in the horizontal (columns) direction, in pixels.
                - `'shear'`: float. Shear angle in degrees.
                - `'zx'`: float. Zoom in the vertical direction.
                - `'zy'`: float. Zoom in the horizontal direction.
                - `'flip_horizontal'`: boolean. Horizontal flip.
                - `'flip_vertical'`: boolean. Vertical flip.
                - `'channel_shift_intensity'`: float. Channel shift intensity.
                - `'brightness'`: float. Brightness shift intensity.

        # Returns
            A transformed version of the input (same shape).

        # Raises
            ValueError: if `x` is not a single (rank 3) image.
        """
        x = np.asarray(x)
        if x.ndim != 3:
            raise ValueError('`apply_transform` works on a single image of rank 3; received shape %s.'
                             % (x.shape,))
        img_row_axis = self.row_axis - 1
        img_col_axis = self.col_axis - 1
        img_channel_axis = self.channel_axis - 1
        params = transform_parameters
        x = apply_affine_transform(x, params.get('theta', 0), params.get('tx', 0), params.get('ty', 0),
                                   params.get('shear', 0), params.get('zx', 1), params.get('zy', 1),
                                   row_axis=img_row_axis, col_axis=img_col_axis, channel_axis=img_channel_axis,
                                   fill_mode=self.fill_mode, cval=self.cval, order=self.interpolation_order)
        if params.get('channel_shift_intensity') is not None:
            x = apply_channel_shift(x, params['channel_shift_intensity'], img_channel_axis)
        if params.get('flip_horizontal', False):
            x = flip_axis(x, img_col_axis)
        if params.get('flip_vertical', False):
            x = flip_axis(x, img_row_axis)
        if params.get('brightness') is not None:
            if self.data_format == 'channels_first':
                x = np.moveaxis(apply_brightness_shift(np.moveaxis(x, 0, 2), params['brightness'], scale=False),
                                2, 0)
            else:
                x = apply_brightness_shift(x, params['brightness'], scale=False)
        return x

    def random_transform(self, x, seed=None):
        """Applies a random transformation to an image.

        # Arguments
            x: 3D tensor, single image.
            seed: random seed.

        # Returns
            A randomly transformed version of the input (same shape).
        """
        return self.apply_transform(x, self.get_random_transform(np.shape(x), seed))

    def fit(self, x, augment=False, rounds=1, seed=None):
        """Fits the data generator to some sample data.

        This computes the internal data stats related to the data-dependent transformations, based on an
        array of sample data. Only required if `featurewise_center` or `featurewise_std_normalization` or
        `zca_whitening` are set to True.

        `rescale` is applied to `x` first, so the statistics are those of the images that `standardize`
        centres and scales (it rescales before it normalizes). Keras 2.2.4 computed them on the unscaled
        data; this follows the fix of keras-preprocessing 1.1 (kept by tf.keras).

        # Arguments
            x: sample data. Should have rank 4. In case of grayscale data, the channels axis should have
                value 1, in case of RGB data, it should have value 3, and in case of RGBA data, it should
                have value 4.
            augment: boolean (default: False). Whether to fit on randomly augmented samples.
            rounds: int (default: 1). If using data augmentation (`augment=True`), this is how many
                augmentation passes over the data to use.
            seed: int (default: None). Random seed.

        # Returns
            None; the statistics are stored in `mean`, `std` and `principal_components`.

        # Raises
            ValueError: if `x` is not rank 4 or `rounds` is not a positive integer.
        """
        x = np.asarray(x, dtype=self.dtype)
        if x.ndim != 4:
            raise ValueError('Input to `.fit()` should have rank 4. Got array with shape: ' + str(x.shape))
        if not isinstance(rounds, numbers.Integral) or rounds < 1:
            raise ValueError('`rounds` must be a positive integer; received %r.' % (rounds,))
        if x.shape[self.channel_axis] not in (1, 3, 4):
            warnings.warn('Expected input to be images (as Numpy array) following the data format convention '
                          '"%s" (channels on axis %d), i.e. expected either 1, 3 or 4 channels on axis %d. '
                          'However, it was passed an array with shape %s (%d channels).'
                          % (self.data_format, self.channel_axis, self.channel_axis, x.shape,
                             x.shape[self.channel_axis]))
        if seed is not None:
            np.random.seed(seed)

        x = np.copy(x)
        if self.rescale:
            x *= self.rescale  # keras-preprocessing 1.1's fix: statistics of the rescaled images `standardize` sees
        if augment:
            augmented = np.zeros((rounds * x.shape[0],) + x.shape[1:], dtype=self.dtype)
            for r in range(rounds):
                for i in range(x.shape[0]):
                    augmented[i + r * x.shape[0]] = self.random_transform(x[i])
            x = augmented

        broadcast_shape = [1, 1, 1]
        broadcast_shape[self.channel_axis - 1] = x.shape[self.channel_axis]
        if self.featurewise_center:
            self.mean = np.reshape(np.mean(x, axis=(0, self.row_axis, self.col_axis)), broadcast_shape)
            x -= self.mean
        if self.featurewise_std_normalization:
            self.std = np.reshape(np.std(x, axis=(0, self.row_axis, self.col_axis)), broadcast_shape)
            x /= (self.std + _config.epsilon())
        if self.zca_whitening:
            flat = np.reshape(x, (x.shape[0], -1))
            sigma = np.dot(flat.T, flat) / flat.shape[0]
            u, s, _ = np.linalg.svd(sigma)
            s_inv = 1. / np.sqrt(s[np.newaxis] + self.zca_epsilon)
            self.principal_components = (u * s_inv).dot(u.T)
