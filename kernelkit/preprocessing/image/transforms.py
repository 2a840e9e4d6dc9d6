"""Geometric and colour transforms of a single Numpy image (Keras 2.2's `keras.preprocessing.image` functions).

`apply_affine_transform` and the `random_*` functions that draw its parameters, the channel and brightness
shifts, and `flip_axis`. They work on one rank-3 array and know nothing of batches or generators, which is
why they are separate from the iterators and from `ImageDataGenerator` (which calls them).

Affine transformations are computed by `scipy.ndimage.affine_transform`, one channel at a time, with the
transformation expressed in (row, column) coordinates; SciPy is imported only when a transform needs it.

Differences from Keras 2.2.4, on purpose:
- affine transforms turn around the true image centre (`(size - 1) / 2`), not half a pixel beyond it;
- brightness shifts can keep the value range of the image (`scale=False`, what `ImageDataGenerator` uses;
  Keras 2.2.4 rescaled the result to 0-255).
"""
import numpy as np

from kernelkit.backend import config as _config
from kernelkit.preprocessing.image.conversions import array_to_img, img_to_array

_FILL_MODES = ('constant', 'nearest', 'reflect', 'wrap', 'mirror', 'grid-constant', 'grid-mirror', 'grid-wrap')


def _ndimage():
    try:
        from scipy import ndimage
    except ImportError:
        raise ImportError('Image transformations require SciPy: `pip install scipy`.')
    return ndimage



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
