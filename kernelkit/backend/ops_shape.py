"""Backend shape manipulation: concatenate, reshape, resize, repeat, pad, stack, slice, ..."""
import numpy as np
import tensorflow as tf

from .config import normalize_data_format
from .ops import _tensor_or_variable, int_shape, is_sparse, ndim, to_dense


def _t(x):
    return _tensor_or_variable(x)


def concatenate(tensors, axis=-1):
    """Concatenates a list of tensors along an axis.

    # Arguments
        tensors: a list of tensors (all sparse, or dense).
        axis: the concatenation axis.

    # Returns
        A tensor.
    """
    tensors = [_t(x) for x in tensors]
    if not tensors:
        raise ValueError('`tensors` must be a non-empty list of tensors.')
    if axis < 0:
        rank = ndim(tensors[0])
        axis = axis % rank if rank else 0
    if all(is_sparse(x) for x in tensors):
        return tf.sparse.concat(axis, tensors)
    return tf.concat([to_dense(x) for x in tensors], axis)


def reshape(x, shape):
    """Reshapes a tensor.

    # Arguments
        x: a tensor or variable.
        shape: the target shape (a tuple; one entry may be -1).

    # Returns
        A tensor.
    """
    return tf.reshape(_t(x), shape)


def permute_dimensions(x, pattern):
    """Permutes the axes of a tensor.

    # Arguments
        x: a tensor or variable.
        pattern: a tuple of axis indices, e.g. `(0, 2, 1)`.

    # Returns
        A tensor.
    """
    return tf.transpose(_t(x), perm=pattern)


def _nhwc(x, data_format, rank):
    """Returns `x` in channels_last layout (transposing channels_first input)."""
    if data_format == 'channels_first':
        return tf.transpose(x, [0] + list(range(2, rank)) + [1])
    return x


def _from_nhwc(x, data_format, rank):
    if data_format == 'channels_first':
        return tf.transpose(x, [0, rank - 1] + list(range(1, rank - 1)))
    return x


def resize_images(x, height_factor, width_factor, data_format, interpolation='nearest'):
    """Resizes the images in a 4D tensor by integer factors.

    Uses TensorFlow's legacy resizing (no half-pixel centers), as Keras 2.2 did.

    # Arguments
        x: a 4D tensor.
        height_factor: a positive integer.
        width_factor: a positive integer.
        data_format: `'channels_first'` or `'channels_last'`.
        interpolation: `'nearest'` or `'bilinear'`.

    # Returns
        A tensor.

    # Raises
        ValueError: for an unknown `data_format` or `interpolation`.
    """
    data_format = normalize_data_format(data_format)
    if interpolation not in ('nearest', 'bilinear'):
        raise ValueError('`interpolation` should be "nearest" or "bilinear", received %r.'
                         % (interpolation,))
    x = _t(x)
    static = int_shape(x)
    images = _nhwc(x, data_format, 4)
    size = tf.shape(images)[1:3] * tf.constant([int(height_factor), int(width_factor)])
    if interpolation == 'nearest':
        out = tf.raw_ops.ResizeNearestNeighbor(images=images, size=size, align_corners=False,
                                               half_pixel_centers=False)
    else:
        out = tf.raw_ops.ResizeBilinear(images=images, size=size, align_corners=False,
                                        half_pixel_centers=False)
        out = tf.cast(out, images.dtype)
    out = _from_nhwc(out, data_format, 4)
    new_static = list(static)
    h_axis, w_axis = (2, 3) if data_format == 'channels_first' else (1, 2)
    if static[h_axis] is not None:
        new_static[h_axis] = static[h_axis] * int(height_factor)
    if static[w_axis] is not None:
        new_static[w_axis] = static[w_axis] * int(width_factor)
    out.set_shape(new_static)
    return out


def resize_volumes(x, depth_factor, height_factor, width_factor, data_format):
    """Resizes the volumes in a 5D tensor by repeating elements.

    # Arguments
        x: a 5D tensor.
        depth_factor: a positive integer.
        height_factor: a positive integer.
        width_factor: a positive integer.
        data_format: `'channels_first'` or `'channels_last'`.

    # Returns
        A tensor.
    """
    data_format = normalize_data_format(data_format)
    first = 2 if data_format == 'channels_first' else 1
    out = repeat_elements(x, depth_factor, axis=first)
    out = repeat_elements(out, height_factor, axis=first + 1)
    return repeat_elements(out, width_factor, axis=first + 2)


def repeat_elements(x, rep, axis):
    """Repeats each element of a tensor `rep` times along an axis, like `np.repeat`.

    # Arguments
        x: a tensor or variable.
        rep: a positive integer.
        axis: the axis.

    # Returns
        A tensor.
    """
    return tf.repeat(_t(x), int(rep), axis=axis)


def repeat(x, n):
    """Repeats a 2D tensor: `(samples, dim)` becomes `(samples, n, dim)`.

    # Arguments
        x: a 2D tensor.
        n: the number of repetitions.

    # Returns
        A 3D tensor.

    # Raises
        ValueError: if `x` is not 2D.
    """
    x = _t(x)
    if ndim(x) != 2:
        raise ValueError('`repeat` expects a 2D tensor, received a tensor of shape %s.'
                         % (int_shape(x),))
    return tf.tile(tf.expand_dims(x, 1), [1, n, 1])


def arange(start, stop=None, step=1, dtype='int32'):
    """Creates a 1D tensor holding a sequence of integers, like `np.arange`.

    With one argument it is the stop value (and a negative one gives an empty tensor).

    # Arguments
        start: the start value (or the stop value when `stop` is None).
        stop: the stop value (excluded).
        step: the difference between two successive values.
        dtype: the dtype of the result.

    # Returns
        A tensor.
    """
    if stop is None and not tf.is_tensor(start) and start < 0:
        start = 0
    result = tf.range(start, limit=stop, delta=step)
    if dtype != 'int32':
        result = tf.cast(result, dtype)
    return result


def tile(x, n):
    """Tiles a tensor `n` times (per axis), like `np.tile`.

    # Arguments
        x: a tensor or variable.
        n: an integer or a list of integers (one per axis).

    # Returns
        A tensor.
    """
    if isinstance(n, int):
        n = [n]
    return tf.tile(_t(x), n)


def flatten(x):
    """Flattens a tensor to 1D.

    # Arguments
        x: a tensor or variable.

    # Returns
        A 1D tensor.
    """
    return tf.reshape(_t(x), [-1])


def batch_flatten(x):
    """Flattens each sample of a tensor: shape `(batch, ...)` becomes `(batch, prod(...))`.

    # Arguments
        x: a tensor or variable.

    # Returns
        A 2D tensor.
    """
    x = _t(x)
    static = int_shape(x)
    out = tf.reshape(x, tf.stack([-1, tf.reduce_prod(tf.shape(x)[1:])]))
    if static is not None and None not in static[1:]:
        out.set_shape((static[0], int(np.prod(static[1:]))))
    return out


def expand_dims(x, axis=-1):
    """Adds an axis of length 1 at index `axis`.

    # Arguments
        x: a tensor or variable.
        axis: where to add the axis.

    # Returns
        A tensor.
    """
    return tf.expand_dims(_t(x), axis)


def squeeze(x, axis):
    """Removes an axis of length 1 at index `axis`.

    # Arguments
        x: a tensor or variable.
        axis: the axis to drop.

    # Returns
        A tensor.
    """
    return tf.squeeze(_t(x), [axis])


def _check_padding(padding, n, name):
    try:
        pairs = [tuple(int(v) for v in p) for p in padding]
    except TypeError:
        pairs = None
    if pairs is None or len(pairs) != n or any(len(p) != 2 for p in pairs):
        raise ValueError('`padding` must be %s, received %r.' % (name, padding))
    return pairs


def temporal_padding(x, padding=(1, 1)):
    """Pads the middle (time) axis of a 3D tensor with zeros.

    # Arguments
        x: a 3D tensor.
        padding: a tuple `(left, right)`.

    # Returns
        A 3D tensor.
    """
    left, right = _check_padding([padding], 1, 'a tuple of 2 integers')[0]
    return tf.pad(_t(x), [[0, 0], [left, right], [0, 0]])


def _spatial_padding(x, padding, data_format, n):
    data_format = normalize_data_format(data_format)
    pairs = _check_padding(padding, n, 'a tuple of %d tuples of 2 integers' % n)
    if data_format == 'channels_first':
        pattern = [[0, 0], [0, 0]] + [list(p) for p in pairs]
    else:
        pattern = [[0, 0]] + [list(p) for p in pairs] + [[0, 0]]
    return tf.pad(_t(x), pattern)


def spatial_2d_padding(x, padding=((1, 1), (1, 1)), data_format=None):
    """Pads the 2nd and 3rd spatial axes of a 4D tensor with zeros.

    # Arguments
        x: a 4D tensor.
        padding: `((top, bottom), (left, right))`.
        data_format: `'channels_last'` or `'channels_first'` (default: `image_data_format()`).

    # Returns
        A 4D tensor.
    """
    return _spatial_padding(x, padding, data_format, 2)


def spatial_3d_padding(x, padding=((1, 1), (1, 1), (1, 1)), data_format=None):
    """Pads the three spatial axes of a 5D tensor with zeros.

    # Arguments
        x: a 5D tensor.
        padding: three `(before, after)` pairs, for depth, height and width.
        data_format: `'channels_last'` or `'channels_first'` (default: `image_data_format()`).

    # Returns
        A 5D tensor.
    """
    return _spatial_padding(x, padding, data_format, 3)


def stack(x, axis=0):
    """Stacks a list of rank `R` tensors into one rank `R + 1` tensor.

    # Arguments
        x: a list of tensors; numbers among them take the dtype of the first tensor
            (`K.stack([K.shape(x)[0], -1])`, `K.stack([K.mean(x), 0])`).
        axis: the axis along which to stack.

    # Returns
        A tensor.
    """
    def is_number(v):
        return isinstance(v, (bool, int, float, np.bool_, np.number))

    tensors = [_t(t) for t in x if not is_number(t)]
    if not tensors:
        return tf.stack([_t(t) for t in x], axis=axis)
    dtype = tensors[0].dtype.base_dtype
    return tf.stack([tf.convert_to_tensor(t, dtype) if is_number(t) else _t(t) for t in x],
                    axis=axis)


def one_hot(indices, num_classes):
    """One-hot encodes an integer tensor: shape `(d1, ..., dn)` becomes `(d1, ..., dn, classes)`.

    # Arguments
        indices: an integer tensor.
        num_classes: the number of classes.

    # Returns
        A float tensor.
    """
    return tf.one_hot(indices, depth=num_classes, axis=-1)


def reverse(x, axes):
    """Reverses a tensor along the given axes.

    # Arguments
        x: a tensor.
        axes: an integer or a list of integers.

    # Returns
        A tensor.
    """
    if isinstance(axes, int):
        axes = [axes]
    return tf.reverse(_t(x), axes)


def slice(x, start, size):
    """Extracts a slice from a tensor.

    # Arguments
        x: a tensor.
        start: a list or tensor of start indices, one per axis.
        size: a list or tensor of slice lengths, one per axis (-1: to the end).

    # Returns
        A tensor.
    """
    return tf.slice(_t(x), start, size)


__all__ = [n for n in dir() if not n.startswith('_') and n not in (
    'np', 'tf', 'normalize_data_format', 'int_shape', 'is_sparse', 'ndim', 'to_dense')]
