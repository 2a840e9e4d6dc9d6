"""Turning what users pass to `fit`/`evaluate`/`predict` into checked arrays and batches.

Every check runs before training starts, so bad input raises a clear error and leaves the model as it
was. Arrays are kept in numpy and sliced per batch; the compiled step receives tensors whose batch
dimension is free, so it is traced once per input signature.
"""
import numbers

import numpy as np

from kernelkit.engine import hints
from kernelkit.utils.generic_utils import to_list


def _describe(arrays):
    return ', '.join('array of shape %s' % (a.shape,) if hasattr(a, 'shape') else
                     '%s of length %d' % (type(a).__name__, len(a)) if hasattr(a, '__len__') else repr(a)
                     for a in arrays)


def standardize_arrays(data, names, shapes, dtypes, what, check_batch_axis=True, optional=()):
    """Orders and checks the arrays for the model's inputs or targets.

    # Arguments
        data: an array, a list of arrays, or a dict keyed by name.
        names: the expected names (model input or output layer names), in order.
        shapes: the expected shapes (batch dimension included; `None` for free dimensions).
        dtypes: the numpy dtypes to convert to (one per name; `None` keeps the data's own).
        what: `'input'` or `'target'`, for error messages.
        check_batch_axis: whether a fixed batch dimension must match.
        optional: names for which no data is expected (outputs without a loss).

    # Returns
        A list of numpy arrays, one per name (`None` for optional names).

    # Raises
        ValueError: for missing or extra arrays and wrong ranks or sizes, naming the layer and shapes.
    """
    wanted = [n for n in names if n not in optional]
    if isinstance(data, dict):
        missing = [n for n in wanted if n not in data]
        if missing:
            raise ValueError('No data provided for "%s". Need data for each key in: %s'
                             % (missing[0], wanted))
        extra = [k for k in data if k not in names]
        if extra:
            raise ValueError('Error when checking model %s: unknown key(s) %s in the data dictionary. Expected '
                             'keys: %s' % (what, extra, wanted))
        arrays = [data.get(n) if n not in optional else None for n in names]
    else:
        if isinstance(data, (list, tuple)) and len(wanted) == 1 and data and isinstance(data[0], numbers.Number):
            data = np.asarray(data)  # a plain list of numbers is one array, as in Keras 2.2
        given = to_list(data) if isinstance(data, (list, tuple)) else [data]
        if len(given) != len(wanted):
            raise ValueError('Error when checking model %s: the list of Numpy arrays that you are passing to '
                             'your model is not the size the model expected. Expected to see %d array(s), but '
                             'instead got the following list of %d arrays: [%s]'
                             % (what, len(wanted), len(given), _describe(given)))
        it = iter(given)
        arrays = [None if n in optional else next(it) for n in names]
    result = []
    for name, array, shape, dtype in zip(names, arrays, shapes, dtypes):
        if array is None:
            result.append(None)
            continue
        if hasattr(array, 'numpy') and not isinstance(array, np.ndarray):
            array = array.numpy()
        strings = hints.string_data_error(what, name, array) if dtype is not None else None
        if strings is not None:
            raise strings
        array = np.asarray(array, dtype=dtype) if dtype is not None else np.asarray(array)
        original_shape = array.shape
        if array.ndim == 1 and shape is not None and len(shape) == 2:
            array = array.reshape((-1, 1))
        if shape is not None:
            expected = tuple(shape[1:]) if not check_batch_axis else tuple(shape)
            actual = array.shape[1:] if not check_batch_axis else array.shape
            if len(array.shape) != len(shape):
                raise ValueError(hints.with_hint(
                    'Error when checking %s: expected %s to have %d dimensions (shape %s), but got array with '
                    'shape %s' % (what, name, len(shape), tuple(shape), array.shape),
                    hints.input_rank_hint(name, array.shape, shape)))
            for exp, act in zip(expected, actual):
                if exp is not None and exp != act:
                    raise ValueError(hints.with_hint(
                        'Error when checking %s: expected %s to have shape %s but got array with shape %s'
                        % (what, name, tuple(shape[1:]), array.shape[1:]),
                        hints.input_size_hint(name, original_shape, shape)))
        result.append(array)
    return result


def check_positive_counts(**counts):
    """Checks batch sizes and step counts before any work starts.

    # Arguments
        **counts: argument name -> value; each must be `None` or an integer >= 1.

    # Raises
        ValueError: naming the first argument that is not.
    """
    for name, value in counts.items():
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError('`%s` must be a positive integer, got %r.' % (name, value))


def cast_same_kind(array, dtype):
    """Casts an array to `dtype` when both are floats or both are integers; returns it unchanged otherwise.

    # Arguments
        array: a numpy array.
        dtype: the wanted dtype, or `None`.

    # Returns
        A numpy array.
    """
    def kind(d):
        return {'f': 'float', 'i': 'int', 'u': 'int'}.get(np.dtype(d).kind)

    if dtype is None or array.dtype == dtype or kind(array.dtype) is None or kind(array.dtype) != kind(dtype):
        return array
    return array.astype(dtype)


def check_array_lengths(inputs, targets, weights=None):
    """Checks that inputs, targets and sample weights all have the same number of samples.

    # Arguments
        inputs: list of arrays.
        targets: list of arrays (entries may be `None`).
        weights: list of arrays (entries may be `None`).

    # Raises
        ValueError: naming the sample counts that disagree.
    """
    def lengths(arrays):
        return set(len(a) for a in arrays if a is not None)

    x_lengths, y_lengths, w_lengths = lengths(inputs), lengths(targets), lengths(weights or [])
    if len(x_lengths) > 1:
        raise ValueError('All input arrays (x) should have the same number of samples. Got array shapes: %s'
                         % [a.shape for a in inputs])
    if len(y_lengths) > 1:
        raise ValueError('All target arrays (y) should have the same number of samples. Got array shapes: %s'
                         % [a.shape for a in targets if a is not None])
    if x_lengths and y_lengths and x_lengths != y_lengths:
        x_count, y_count = list(x_lengths)[0], list(y_lengths)[0]
        raise ValueError(hints.with_hint(
            'Input arrays should have the same number of samples as target arrays. Found %d input samples and '
            '%d target samples.' % (x_count, y_count), hints.LENGTHS % (x_count, y_count)))
    if y_lengths and w_lengths and not w_lengths <= y_lengths:
        raise ValueError('Sample weights should have the same number of samples as target arrays. Found %d '
                         'target samples and %s sample weights.' % (list(y_lengths)[0], sorted(w_lengths)))


def check_loss_and_target(targets, specs, output_shapes):
    """Catches the classic mistake of integer targets with `categorical_crossentropy`, and wrong shapes.

    # Arguments
        targets: list of target arrays (`None` for outputs without loss).
        specs: the compile `OutputSpec`s.
        output_shapes: the model output shapes.

    # Raises
        ValueError: with the fix to apply.
    """
    from kernelkit import losses
    for y, spec, shape in zip(targets, specs, output_shapes):
        if y is None or spec.loss_fn is None:
            continue
        if spec.loss_fn is losses.categorical_crossentropy and y.shape[-1] == 1 and shape[-1] not in (1,):
            raise ValueError('You are passing a target array of shape %s while using as loss '
                             '`categorical_crossentropy`. `categorical_crossentropy` expects targets to be '
                             'binary matrices (1s and 0s) of shape (samples, classes). If your targets are '
                             'integer classes, you can convert them to the expected format via:\n```\nfrom '
                             'kernelkit.utils import to_categorical\ny_binary = to_categorical(y_int)\n```\n\n'
                             'Alternatively, you can use the loss function `sparse_categorical_crossentropy` '
                             'instead, which does expect integer targets.' % (y.shape,))
        if spec.loss_fn is losses.sparse_categorical_crossentropy:
            if y.ndim == len(shape) and y.shape[-1] != 1:
                raise ValueError(hints.with_hint(
                    'Error when checking target: `sparse_categorical_crossentropy` expects integer class targets '
                    'of shape %s, but got array with shape %s.' % (tuple(shape[:-1]) + (1,), y.shape),
                    hints.sparse_target_hint(y)))
            continue
        for expected, actual in zip(shape[1:], y.shape[1:]):
            if expected is not None and expected != actual:
                raise ValueError(hints.with_hint(
                    'Error when checking target: expected %s to have shape %s but got array with shape %s'
                    % (spec.name, tuple(shape[1:]), y.shape[1:]), hints.target_shape_hint(spec.name, y, shape)))


def standardize_weights(y, spec, sample_weight=None, class_weight=None):
    """Builds one weight per sample (or per time step) from `sample_weight` or `class_weight`.

    # Arguments
        y: the target array of one output.
        spec: that output's `OutputSpec` (its `temporal` flag).
        sample_weight: `None` or an array `(samples,)` / `(samples, timesteps)`.
        class_weight: `None` or a dict mapping class index to weight.

    # Returns
        A float32 numpy array of weights.

    # Raises
        ValueError: for wrong shapes or classes missing from `class_weight`.
    """
    if sample_weight is not None:
        weights = np.asarray(sample_weight, dtype='float32')
        expected_ndim = 2 if spec.temporal else 1
        if weights.ndim != expected_ndim:
            hint = (' Did you mean to pass a 2D array? Use sample_weight_mode="temporal" in compile.'
                    if weights.ndim == 2 else '')
            raise ValueError('Found a sample_weight array with shape %s for output %s; expected %d dimensions.%s'
                             % (weights.shape, spec.name, expected_ndim, hint))
        if weights.shape[0] != y.shape[0] or (spec.temporal and weights.shape[1] != y.shape[1]):
            raise ValueError('Found a sample_weight array with shape %s for an input with shape %s. sample_weight '
                             'cannot be broadcast.' % (weights.shape, y.shape))
        return weights
    if isinstance(class_weight, dict):
        if spec.temporal:
            raise ValueError('class_weight not supported for 3+ dimensional targets.')
        if y.ndim > 1 and y.shape[1] > 1:
            classes = y.argmax(axis=1)
        else:
            classes = np.reshape(y, (y.shape[0],)).astype('int64')
        missing = sorted(set(classes.tolist()) - set(class_weight))
        if missing:
            raise ValueError('`class_weight` must contain all classes in the data. The classes %s exist in the '
                             'data but not in `class_weight`.' % missing)
        return np.asarray([class_weight[c] for c in classes.tolist()], dtype='float32')
    if class_weight is not None:
        raise ValueError('class_weight must be a dict mapping class indices to weights, got %r.' % (class_weight,))
    shape = y.shape[:2] if spec.temporal else y.shape[:1]
    return np.ones(shape, dtype='float32')


def make_batches(size, batch_size):
    """Splits `range(size)` into `(start, end)` pairs of at most `batch_size` items.

    # Arguments
        size: number of samples.
        batch_size: samples per batch.

    # Returns
        A list of `(start, end)` tuples.
    """
    return [(start, min(size, start + batch_size)) for start in range(0, size, batch_size)]


def batch_shuffle(index_array, batch_size):
    """Shuffles whole batches of indices (for `shuffle='batch'`, used with HDF5 data).

    # Arguments
        index_array: array of sample indices.
        batch_size: batch size.

    # Returns
        The indices, with batch-sized chunks in random order.
    """
    batch_count = len(index_array) // batch_size
    head = index_array[:batch_count * batch_size].reshape((batch_count, batch_size))
    np.random.shuffle(head)
    return np.append(head.flatten(), index_array[batch_count * batch_size:])


def slice_arrays(arrays, indices=None, start=None, stop=None):
    """Takes the same samples from every array.

    # Arguments
        arrays: list of arrays (entries may be `None`).
        indices: index array, or `None` to use `start:stop`.
        start: first sample.
        stop: end sample.

    # Returns
        A list of arrays (views when slicing contiguously).
    """
    if indices is not None:
        return [None if a is None else a[indices] for a in arrays]
    return [None if a is None else a[start:stop] for a in arrays]
