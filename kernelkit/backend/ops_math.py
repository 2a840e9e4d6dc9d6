"""Backend math: products, reductions, element-wise functions, comparisons, batch normalization.

Several names here (`max`, `min`, `sum`, `abs`, `round`, `pow`, `any`, `all`) shadow Python builtins,
as they do in Keras 2; inside this module the builtins are reached through `builtins`.
"""
import builtins

import numpy as np
import tensorflow as tf

from .config import floatx
from .ops import _normalize_axis, _tensor_or_variable, _to_tensor, int_shape, is_sparse, ndim


def _t(x):
    """Converts numpy arrays and numbers to tensors, leaving tensors and variables alone."""
    return _tensor_or_variable(x)


def _static_or_dynamic_shape(x):
    """The shape of `x` as a list mixing known ints and scalar tensors for unknown dims."""
    static = int_shape(x)
    dynamic = tf.unstack(tf.shape(x))
    return [s if s is not None else d for s, d in zip(static, dynamic)]


# ----------------------------------------------------------------------------------- products


def dot(x, y):
    """Multiplies two tensors (Keras 2 semantics, like `numpy.dot`).

    For inputs of rank > 2 this is a tensor product over the last axis of `x` and the
    second-to-last axis of `y`: shapes `(2, 3, 4)` and `(5, 4, 6)` give `(2, 3, 5, 6)`.

    # Arguments
        x: a tensor, variable or array (may be sparse when 2D).
        y: a tensor, variable or array.

    # Returns
        A tensor.
    """
    x, y = _t(x), _t(y)
    if ndim(x) is not None and (ndim(x) > 2 or ndim(y) > 2):
        x_shape = _static_or_dynamic_shape(x)
        y_shape = _static_or_dynamic_shape(y)
        perm = list(range(ndim(y)))
        perm = [perm.pop(-2)] + perm  # bring y's contraction axis to the front
        xt = tf.reshape(x, [-1, x_shape[-1]])
        yt = tf.reshape(tf.transpose(y, perm), [y_shape[-2], -1])
        return tf.reshape(tf.matmul(xt, yt), x_shape[:-1] + y_shape[:-2] + y_shape[-1:])
    if is_sparse(x):
        return tf.sparse.sparse_dense_matmul(x, y)
    return tf.matmul(x, y)


def batch_dot(x, y, axes=None):
    """Batchwise dot product: for each sample `i`, contracts `x[i]` and `y[i]` over `axes`.

    The result has the batch axis, then the remaining axes of `x`, then those of `y`. When both
    inputs are 2D the result has shape `(batch, 1)`.

    # Arguments
        x: a tensor with `ndim >= 2`.
        y: a tensor with `ndim >= 2`.
        axes: an int or a tuple `(axis_x, axis_y)`: the axes to contract. Defaults to the last
            axis of `x` and the second-to-last of `y` (the last, when `y` is 2D).

    # Returns
        A tensor.

    # Raises
        ValueError: if an axis is the batch axis, is out of range, or the sizes differ.

    # Example
    ```python
    >>> K.int_shape(K.batch_dot(K.ones((32, 20, 1)), K.ones((32, 30, 20)), axes=(1, 2)))
    (32, 1, 30)
    ```
    """
    x, y = _t(x), _t(y)
    x_ndim, y_ndim = ndim(x), ndim(y)
    if x_ndim < 2 or y_ndim < 2:
        raise ValueError('`batch_dot` needs inputs with at least 2 dimensions; got ndim(x)=%d, '
                         'ndim(y)=%d.' % (x_ndim, y_ndim))
    if isinstance(axes, int):
        axes = (axes, axes)
    if axes is None:
        axes = (x_ndim - 1, y_ndim - 1 if y_ndim == 2 else y_ndim - 2)
    if len(axes) != 2 or builtins.any(isinstance(a, (list, tuple)) for a in axes):
        raise ValueError('`axes` must be an int or a pair of ints (multiple target dimensions '
                         'are not supported), received %r.' % (axes,))
    ax, ay = axes
    ax = ax % x_ndim if -x_ndim <= ax < x_ndim else ax  # negative axes count from the end
    ay = ay % y_ndim if -y_ndim <= ay < y_ndim else ay
    if not (0 < ax < x_ndim and 0 < ay < y_ndim):
        raise ValueError('`axes` %r are invalid for inputs of ndim %d and %d: they must not be the '
                         'batch axis 0 and must lie within each input.' % (axes, x_ndim, y_ndim))
    xs, ys = int_shape(x), int_shape(y)
    if xs[ax] is not None and ys[ay] is not None and xs[ax] != ys[ay]:
        raise ValueError('Cannot do batch_dot on inputs with shapes %s and %s with axes=%r: '
                         '%d != %d.' % (xs, ys, axes, xs[ax], ys[ay]))
    # Move x's contracted axis last and y's right after the batch axis, then flatten the rest.
    x_perm = [0] + [i for i in range(1, x_ndim) if i != ax] + [ax]
    y_perm = [0, ay] + [i for i in range(1, y_ndim) if i != ay]
    xt, yt = tf.transpose(x, x_perm), tf.transpose(y, y_perm)
    x_dims = _static_or_dynamic_shape(xt)
    y_dims = _static_or_dynamic_shape(yt)
    x_rest, y_rest = x_dims[1:-1], y_dims[2:]
    x3 = tf.reshape(xt, tf.stack([x_dims[0], -1, x_dims[-1]]))
    y3 = tf.reshape(yt, tf.stack([y_dims[0], y_dims[1], -1]))
    out = tf.reshape(tf.matmul(x3, y3), tf.stack([x_dims[0]] + x_rest + y_rest))
    if ndim(out) == 1:
        out = tf.expand_dims(out, 1)
    static = (xs[0],) + tuple(xs[i] for i in x_perm[1:-1]) + tuple(ys[i] for i in y_perm[2:])
    if len(static) == 1:
        static = static + (1,)
    out.set_shape(static)
    return out


def transpose(x):
    """Reverses the axes of a tensor (a matrix transpose for 2D input).

    # Arguments
        x: a tensor or variable.

    # Returns
        A tensor.
    """
    return tf.transpose(_t(x))


def gather(reference, indices):
    """Retrieves the elements `indices` along the first axis of `reference`.

    # Arguments
        reference: a tensor.
        indices: an integer tensor of indices.

    # Returns
        A tensor of shape `shape(indices) + shape(reference)[1:]`.
    """
    return tf.gather(_t(reference), indices)


# ----------------------------------------------------------------------------------- reductions


def _reduction_doc(what):
    return ('%s of a tensor along an axis.\n\n    # Arguments\n        x: a tensor or variable.\n'
            '        axis: an integer, a list of integers, or `None` (all axes).\n'
            '        keepdims: whether to keep the reduced axes with length 1.\n\n'
            '    # Returns\n        A tensor.\n    ' % what)


def max(x, axis=None, keepdims=False):
    return tf.reduce_max(_t(x), axis, keepdims)


def min(x, axis=None, keepdims=False):
    return tf.reduce_min(_t(x), axis, keepdims)


def sum(x, axis=None, keepdims=False):
    return tf.reduce_sum(_t(x), axis, keepdims)


def prod(x, axis=None, keepdims=False):
    return tf.reduce_prod(_t(x), axis, keepdims)


def mean(x, axis=None, keepdims=False):
    x = _t(x)
    if x.dtype.base_dtype == tf.bool:
        x = tf.cast(x, floatx())
    return tf.reduce_mean(x, axis, keepdims)


def var(x, axis=None, keepdims=False):
    x = _t(x)
    if x.dtype.base_dtype == tf.bool:
        x = tf.cast(x, floatx())
    m = tf.reduce_mean(x, axis, True)
    return tf.reduce_mean(tf.square(x - m), axis, keepdims)


def std(x, axis=None, keepdims=False):
    return tf.sqrt(var(x, axis=axis, keepdims=keepdims))


def any(x, axis=None, keepdims=False):
    return tf.reduce_any(tf.cast(_t(x), tf.bool), axis, keepdims)


def all(x, axis=None, keepdims=False):
    return tf.reduce_all(tf.cast(_t(x), tf.bool), axis, keepdims)


def logsumexp(x, axis=None, keepdims=False):
    return tf.reduce_logsumexp(_t(x), axis, keepdims)


max.__doc__ = _reduction_doc('Maximum value')
min.__doc__ = _reduction_doc('Minimum value')
sum.__doc__ = _reduction_doc('Sum of the values')
prod.__doc__ = _reduction_doc('Product of the values')
mean.__doc__ = _reduction_doc('Mean (booleans are cast to floatx first)')
var.__doc__ = _reduction_doc('Population variance (booleans are cast to floatx first)')
std.__doc__ = _reduction_doc('Population standard deviation')
any.__doc__ = _reduction_doc('Logical OR (the input is cast to bool)')
all.__doc__ = _reduction_doc('Logical AND (the input is cast to bool)')
logsumexp.__doc__ = _reduction_doc('`log(sum(exp(x)))`, computed stably,')


def cumsum(x, axis=0):
    """Cumulative sum of the values along an axis.

    # Arguments
        x: a tensor or variable.
        axis: the axis.

    # Returns
        A tensor.
    """
    return tf.cumsum(_t(x), axis=axis)


def cumprod(x, axis=0):
    """Cumulative product of the values along an axis.

    # Arguments
        x: a tensor or variable.
        axis: the axis.

    # Returns
        A tensor.
    """
    return tf.math.cumprod(_t(x), axis=axis)


def argmax(x, axis=-1):
    """Index of the maximum value along an axis.

    # Arguments
        x: a tensor or variable.
        axis: the axis.

    # Returns
        An int64 tensor.
    """
    return tf.argmax(_t(x), axis)


def argmin(x, axis=-1):
    """Index of the minimum value along an axis.

    # Arguments
        x: a tensor or variable.
        axis: the axis.

    # Returns
        An int64 tensor.
    """
    return tf.argmin(_t(x), axis)


# ----------------------------------------------------------------------------------- element-wise


def _unary(tf_fn, what):
    def fn(x):
        return tf_fn(_t(x))
    fn.__doc__ = ('Element-wise %s.\n\n    # Arguments\n        x: a tensor or variable.\n\n'
                  '    # Returns\n        A tensor.\n    ' % what)
    return fn


square = _unary(tf.square, 'square')
abs = _unary(tf.abs, 'absolute value')
exp = _unary(tf.exp, 'exponential')
log = _unary(tf.math.log, 'natural logarithm')
round = _unary(tf.round, 'rounding to the closest integer (ties to even)')
sign = _unary(tf.sign, 'sign')
sin = _unary(tf.sin, 'sine')
cos = _unary(tf.cos, 'cosine')
for _name in ('square', 'abs', 'exp', 'log', 'round', 'sign', 'sin', 'cos'):
    globals()[_name].__name__ = _name


def sqrt(x):
    """Element-wise square root; negative inputs are first clipped to 0 (as in Keras 2).

    # Arguments
        x: a tensor or variable.

    # Returns
        A tensor.
    """
    x = _t(x)
    zero = tf.zeros((), x.dtype.base_dtype)
    inf = tf.constant(np.inf, x.dtype.base_dtype)
    return tf.sqrt(tf.clip_by_value(x, zero, inf))


def pow(x, a):
    """Element-wise exponentiation `x ** a`.

    # Arguments
        x: a tensor or variable.
        a: a number (or tensor) exponent.

    # Returns
        A tensor.
    """
    x = _t(x)
    return tf.pow(x, _to_tensor(a, x.dtype.base_dtype))


def clip(x, min_value, max_value):
    """Element-wise clipping to `[min_value, max_value]`.

    # Arguments
        x: a tensor or variable.
        min_value: the lower bound (`None`: no lower bound).
        max_value: the upper bound (`None`: no upper bound). If smaller than `min_value` it is
            raised to `min_value`.

    # Returns
        A tensor.
    """
    x = _t(x)
    dt = x.dtype.base_dtype
    if min_value is None or max_value is None:  # one bound (no infinity: integer tensors too)
        if min_value is not None:
            return tf.maximum(x, _to_tensor(min_value, dt))
        if max_value is not None:
            return tf.minimum(x, _to_tensor(max_value, dt))
        return tf.identity(x)
    if _is_number(max_value) and _is_number(min_value):
        max_value = builtins.max(max_value, min_value)
    return tf.clip_by_value(x, _to_tensor(min_value, dt), _to_tensor(max_value, dt))


def _is_number(x):
    """Whether `x` is a Python or numpy scalar number (not an array, not a tensor)."""
    return isinstance(x, (bool, int, float, np.bool_, np.number))


def _operand(x):
    """A Python number stays a number, so TensorFlow gives it the other operand's dtype
    (`K.maximum(x, 0)` on a float `x`); a numpy scalar becomes the Python number it holds; arrays
    become tensors."""
    if isinstance(x, (np.bool_, np.number)):
        return x.item()
    return x if _is_number(x) else _t(x)


def _operands(x, y):
    """Both operands of a binary function, a number taking the other operand's dtype (as TensorFlow
    does for `tensor + 0`) whichever side it is on: `K.maximum(0, x)` works on a float `x` in a graph
    too, and `K.maximum(x, 0.5)` on an integer `x` fails as `x + 0.5` does."""
    x, y = _operand(x), _operand(y)
    if _is_number(x) and not _is_number(y):
        x = tf.convert_to_tensor(x, y.dtype.base_dtype)
    elif _is_number(y) and not _is_number(x):
        y = tf.convert_to_tensor(y, x.dtype.base_dtype)
    return x, y


def _binary(tf_fn, what):
    def fn(x, y):
        return tf_fn(*_operands(x, y))
    fn.__doc__ = ('Element-wise %s.\n\n    # Arguments\n        x: a tensor, variable or number.\n'
                  '        y: a tensor, variable or number (a number takes the dtype of the other\n'
                  '            operand, as in `x + 1`).\n\n    # Returns\n        A tensor.\n    '
                  % what)
    return fn


equal = _binary(tf.equal, 'equality (a bool tensor)')
not_equal = _binary(tf.not_equal, 'inequality (a bool tensor)')
greater = _binary(tf.greater, '`x > y` (a bool tensor)')
greater_equal = _binary(tf.greater_equal, '`x >= y` (a bool tensor)')
less = _binary(tf.less, '`x < y` (a bool tensor)')
less_equal = _binary(tf.less_equal, '`x <= y` (a bool tensor)')
maximum = _binary(tf.maximum, 'maximum of two tensors')
minimum = _binary(tf.minimum, 'minimum of two tensors')
for _name in ('equal', 'not_equal', 'greater', 'greater_equal', 'less', 'less_equal', 'maximum',
              'minimum'):
    globals()[_name].__name__ = _name


# ----------------------------------------------------------------------------------- batch norm


def _broadcast_to_axes(t, x_rank, kept_axes, x):
    """Reshapes a per-feature tensor so it broadcasts against `x` along `kept_axes`."""
    if t is None:
        return None
    target = [tf.shape(x)[a] if a in kept_axes else 1 for a in range(x_rank)]
    return tf.reshape(t, tf.stack(target))


def normalize_batch_in_training(x, gamma, beta, reduction_axes, epsilon=1e-3):
    """Computes the batch mean and variance, and normalizes the batch with them.

    As in Keras 2.2 on TensorFlow, 4D inputs reduced over `[0, 1, 2]` or `[0, 2, 3]` take the
    fused-kernel path: the returned variance is the unbiased (Bessel-corrected) one, and `epsilon`
    is raised to at least `1.001e-5`. Other inputs return the biased variance. (Keras 2.2 on a
    CPU fell back to the biased variance for `[0, 2, 3]`; here both data formats agree.)

    # Arguments
        x: the input tensor.
        gamma: the scale (per feature), or `None`.
        beta: the offset (per feature), or `None`.
        reduction_axes: the axes over which to compute the statistics.
        epsilon: the fuzz factor added to the variance.

    # Returns
        A tuple `(normalized_tensor, mean, variance)`; the mean and variance have the reduced
        axes removed.
    """
    x = _t(x)
    rank = ndim(x)
    reduction_axes = sorted(_normalize_axis(list(reduction_axes), rank))
    mean_, variance = tf.nn.moments(x, reduction_axes, keepdims=False)
    kept = [a for a in range(rank) if a not in reduction_axes]
    fused = rank == 4 and reduction_axes in ([0, 1, 2], [0, 2, 3])
    if fused:
        epsilon = builtins.max(epsilon, 1.001e-5)
    if kept == [rank - 1]:
        normed = tf.nn.batch_normalization(x, mean_, variance, beta, gamma, epsilon)
    else:
        normed = tf.nn.batch_normalization(
            x, _broadcast_to_axes(mean_, rank, kept, x),
            _broadcast_to_axes(variance, rank, kept, x),
            _broadcast_to_axes(beta, rank, kept, x), _broadcast_to_axes(gamma, rank, kept, x),
            epsilon)
    if fused:
        n = tf.cast(tf.reduce_prod(tf.gather(tf.shape(x), reduction_axes)), variance.dtype)
        variance = variance * n / tf.maximum(n - 1., 1.)
    return normed, mean_, variance


def batch_normalization(x, mean, var, beta, gamma, axis=-1, epsilon=1e-3):
    """Normalizes `x` with the given statistics: `(x - mean) / sqrt(var + epsilon) * gamma + beta`.

    # Arguments
        x: the input tensor.
        mean: the mean, either broadcastable to `x` or a 1D tensor of features along `axis` (a
            number takes the dtype of `x`, as do `var`, `beta` and `gamma`).
        var: the variance, same shape as `mean`.
        beta: the offset, or `None`.
        gamma: the scale, or `None`.
        axis: the feature axis (used when the statistics are 1D).
        epsilon: the fuzz factor.

    # Returns
        A tensor.
    """
    x = _t(x)
    rank = ndim(x)
    axis = _normalize_axis(axis, rank)
    if rank == 4 and axis in (1, 3):
        epsilon = builtins.max(epsilon, 1.001e-5)  # Keras 2.2 used the fused kernel here

    def prep(t):
        if t is None:
            return None
        t = _to_tensor(t, x.dtype.base_dtype) if _is_number(t) else _t(t)
        if ndim(t) == 1 and rank > 1 and axis != rank - 1:
            return _broadcast_to_axes(t, rank, [axis], x)
        return t
    return tf.nn.batch_normalization(x, prep(mean), prep(var), prep(beta), prep(gamma), epsilon)


__all__ = [n for n in dir() if not n.startswith('_') and n not in (
    'builtins', 'np', 'tf', 'floatx', 'int_shape', 'is_sparse', 'ndim')]
