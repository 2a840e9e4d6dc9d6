"""Numpy helpers of Keras 2: `to_categorical` (one-hot labels) and `normalize` (Lp normalisation)."""
import numpy as np


def to_categorical(y, num_classes=None, dtype='float32'):
    """Converts a class vector (integers) to a binary class matrix (one-hot encoding).

    A trailing axis of size 1 is dropped first, so labels shaped `(n, 1)` give `(n, num_classes)`.

    # Arguments
        y: class vector (list or array) of integers from `0` to `num_classes - 1`. Integral floats
            such as `3.0` are accepted.
        num_classes: total number of classes. Defaults to `max(y) + 1`.
        dtype: the data type of the result, as a string (default `'float32'`).

    # Returns
        A binary matrix representation of the input, of shape `y.shape + (num_classes,)` (minus a
        trailing axis of size 1).

    # Raises
        ValueError: if `y` holds values that are not non-negative integers, or a label is not smaller
            than `num_classes`, or `num_classes` is not a positive integer.

    # Example
    ```python
    to_categorical([0, 2, 1], num_classes=3)
    # array([[1., 0., 0.], [0., 0., 1.], [0., 1., 0.]], dtype=float32)
    ```
    """
    raw = np.asarray(y)
    if raw.dtype == object or not (np.issubdtype(raw.dtype, np.number) or raw.dtype == bool):
        raise ValueError('`y` must hold integer class labels; received an array of dtype %s.' % raw.dtype)
    if raw.size and np.issubdtype(raw.dtype, np.floating):
        if not np.all(np.isfinite(raw)) or np.any(raw != np.round(raw)):
            raise ValueError('`y` must hold integer class labels; received non-integer values such as %r. '
                             'If `y` is already one-hot encoded, use it as is.'
                             % (raw[raw != np.round(raw)].ravel()[:3].tolist(),))
    labels = raw.astype('int64')
    input_shape = labels.shape
    if input_shape and input_shape[-1] == 1 and len(input_shape) > 1:
        input_shape = tuple(input_shape[:-1])
    labels = labels.ravel()
    if labels.size and labels.min() < 0:
        raise ValueError('`y` must hold non-negative class labels; found %d.' % labels.min())
    if num_classes is None or num_classes == 0:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    else:
        if int(num_classes) != num_classes or num_classes < 0:
            raise ValueError('`num_classes` must be a positive integer; received %r.' % (num_classes,))
        num_classes = int(num_classes)
        if labels.size and labels.max() >= num_classes:
            raise ValueError('`y` contains the label %d, but `num_classes=%d` allows labels 0 to %d only.'
                             % (labels.max(), num_classes, num_classes - 1))
    count = labels.shape[0]
    categorical = np.zeros((count, num_classes), dtype=dtype)
    categorical[np.arange(count), labels] = 1
    return np.reshape(categorical, input_shape + (num_classes,))


def normalize(x, axis=-1, order=2):
    """Normalizes a Numpy array along an axis to unit Lp norm.

    Slices whose norm is 0 are left unchanged.

    # Arguments
        x: Numpy array to normalize.
        axis: axis along which to normalize (default `-1`).
        order: normalization order, e.g. `2` for the L2 norm (default), `1` for L1.

    # Returns
        A normalized copy of the array.

    # Raises
        ValueError: if `axis` is out of range for `x`.
    """
    x = np.asarray(x)
    if x.ndim and not -x.ndim <= axis < x.ndim:
        raise ValueError('`axis`=%r is out of range for an array of rank %d.' % (axis, x.ndim))
    norms = np.atleast_1d(np.linalg.norm(x, order, axis))
    norms[norms == 0] = 1
    return x / np.expand_dims(norms, axis)
