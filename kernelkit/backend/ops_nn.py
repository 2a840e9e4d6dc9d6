"""Backend neural-network functions: activations, crossentropies, dropout and random tensors."""
import tensorflow as tf

from .config import epsilon, floatx
from .ops import _seed, _tensor_or_variable, _to_tensor, ndim


def _t(x):
    return _tensor_or_variable(x)


# ----------------------------------------------------------------------------------- activations


def relu(x, alpha=0., max_value=None, threshold=0.):
    """Rectified linear unit.

    With the defaults it returns `max(x, 0)`. Otherwise: `max_value` for `x >= max_value`, `x` for
    `threshold < x < max_value`, and `alpha * (x - threshold)` below the threshold.

    # Arguments
        x: a tensor or variable.
        alpha: the slope of the negative part.
        max_value: the saturation value (`None`: no saturation).
        threshold: the threshold below which values are damped or set to zero.

    # Returns
        A tensor.
    """
    x = _t(x)
    if alpha != 0.:
        negative_part = tf.nn.relu(-x + threshold) if threshold != 0. else tf.nn.relu(-x)
    clip_max = max_value is not None
    if threshold != 0.:
        x = x * tf.cast(tf.greater(x, threshold), x.dtype)
    elif max_value == 6:
        x = tf.nn.relu6(x)
        clip_max = False
    else:
        x = tf.nn.relu(x)
    if clip_max:
        x = tf.clip_by_value(x, _to_tensor(0., x.dtype), _to_tensor(max_value, x.dtype))
    if alpha != 0.:
        x -= _to_tensor(alpha, x.dtype) * negative_part
    return x


def elu(x, alpha=1.):
    """Exponential linear unit: `x` for `x > 0`, else `alpha * (exp(x) - 1)`.

    # Arguments
        x: a tensor or variable.
        alpha: the scale of the negative part.

    # Returns
        A tensor.
    """
    x = _t(x)
    res = tf.nn.elu(x)
    if alpha == 1:
        return res
    return tf.where(x > 0, res, alpha * res)


def softmax(x, axis=-1):
    """Softmax of a tensor along an axis.

    # Arguments
        x: a tensor or variable.
        axis: the axis along which the values sum to 1.

    # Returns
        A tensor.
    """
    return tf.nn.softmax(_t(x), axis=axis)


def softplus(x):
    """Softplus `log(exp(x) + 1)`.

    # Arguments
        x: a tensor or variable.

    # Returns
        A tensor.
    """
    return tf.nn.softplus(_t(x))


def softsign(x):
    """Softsign `x / (abs(x) + 1)`.

    # Arguments
        x: a tensor or variable.

    # Returns
        A tensor.
    """
    return tf.nn.softsign(_t(x))


def sigmoid(x):
    """Element-wise sigmoid `1 / (1 + exp(-x))`.

    # Arguments
        x: a tensor or variable.

    # Returns
        A tensor.
    """
    return tf.nn.sigmoid(_t(x))


def hard_sigmoid(x):
    """Piecewise-linear approximation of the sigmoid: `clip(0.2 * x + 0.5, 0, 1)`.

    # Arguments
        x: a tensor or variable.

    # Returns
        A tensor.
    """
    x = _t(x)
    x = 0.2 * x + 0.5
    return tf.clip_by_value(x, _to_tensor(0., x.dtype), _to_tensor(1., x.dtype))


def tanh(x):
    """Element-wise hyperbolic tangent.

    # Arguments
        x: a tensor or variable.

    # Returns
        A tensor.
    """
    return tf.nn.tanh(_t(x))


def l2_normalize(x, axis=None):
    """Normalizes a tensor to unit L2 norm along an axis: `x / sqrt(max(sum(x**2), 1e-12))`.

    # Arguments
        x: a tensor or variable.
        axis: the axis (or axes) to normalize along; `None` means all.

    # Returns
        A tensor.
    """
    return tf.nn.l2_normalize(_t(x), axis=axis)


def in_top_k(predictions, targets, k):
    """Returns whether each target is among the top `k` predictions.

    # Arguments
        predictions: a float tensor of shape `(batch_size, classes)`.
        targets: a 1D int tensor of length `batch_size`.
        k: the number of top elements to consider.

    # Returns
        A 1D bool tensor of length `batch_size`.
    """
    predictions = tf.cast(_t(predictions), tf.float32)
    return tf.math.in_top_k(targets=tf.cast(targets, tf.int32), predictions=predictions, k=k)


def dropout(x, level, noise_shape=None, seed=None):
    """Sets entries of `x` to zero at random (probability `level`), scaling the rest by
    `1 / (1 - level)`.

    # Arguments
        x: a tensor.
        level: the fraction of entries to drop, in `[0, 1)`.
        noise_shape: the shape of the random keep/drop mask (broadcast against `x`).
        seed: an optional integer seed.

    # Returns
        A tensor.

    # Raises
        ValueError: if `level` is not in `[0, 1)`.
    """
    if not tf.is_tensor(level) and not 0. <= float(level) < 1.:
        raise ValueError('`level` must be in the interval [0, 1), received %r.' % (level,))
    return tf.nn.dropout(_t(x) * 1., rate=level, noise_shape=noise_shape, seed=_seed(seed))


# --------------------------------------------------------------------------------- crossentropies


def _check_axis(output, axis, fn_name):
    rank = ndim(output)
    if axis != -1 and not -rank <= axis < rank:
        raise ValueError('Unexpected channels axis %r in `%s`. Expected to be -1 or one of the '
                         'axes of `output`, which has %d dimensions.' % (axis, fn_name, rank))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Categorical crossentropy between an output tensor and a one-hot target tensor.

    Without `from_logits`, the output is normalized to sum to 1 along `axis` and clipped to
    `[epsilon, 1 - epsilon]` before taking the log.

    # Arguments
        target: a tensor of the same shape as `output`.
        output: probabilities (or logits when `from_logits` is True).
        from_logits: whether `output` holds logits.
        axis: the channels axis.

    # Returns
        A tensor with `axis` reduced.

    # Raises
        ValueError: if `axis` is not an axis of `output`.
    """
    output = _t(output)
    target = tf.cast(_t(target), output.dtype)
    _check_axis(output, axis, 'categorical_crossentropy')
    if from_logits:
        return tf.nn.softmax_cross_entropy_with_logits(labels=target, logits=output, axis=axis)
    output = output / tf.reduce_sum(output, axis, True)
    eps = _to_tensor(epsilon(), output.dtype)
    output = tf.clip_by_value(output, eps, 1. - eps)
    return -tf.reduce_sum(target * tf.math.log(output), axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Categorical crossentropy with integer targets.

    # Arguments
        target: an integer tensor (the class indices), with the shape of `output` minus `axis`
            (a trailing axis of length 1 is also accepted).
        output: probabilities (or logits when `from_logits` is True).
        from_logits: whether `output` holds logits.
        axis: the channels axis.

    # Returns
        A tensor with the shape of `output` minus `axis`.

    # Raises
        ValueError: if `axis` is not an axis of `output`.
    """
    output = _t(output)
    rank = ndim(output)
    _check_axis(output, axis, 'sparse_categorical_crossentropy')
    axis = axis % rank
    if axis != rank - 1:
        perm = [a for a in range(rank) if a != axis] + [axis]
        output = tf.transpose(output, perm)
    if not from_logits:
        eps = _to_tensor(epsilon(), output.dtype)
        output = tf.math.log(tf.clip_by_value(output, eps, 1. - eps))
    targets = tf.cast(tf.reshape(_t(target), [-1]), tf.int64)
    logits = tf.reshape(output, [-1, tf.shape(output)[-1]])
    res = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=targets, logits=logits)
    if rank >= 3:
        return tf.reshape(res, tf.shape(output)[:-1])
    return res


def binary_crossentropy(target, output, from_logits=False):
    """Binary crossentropy between an output tensor and a target tensor, element-wise.

    Without `from_logits`, the output is clipped to `[epsilon, 1 - epsilon]` and turned into
    logits.

    # Arguments
        target: a tensor of the same shape as `output`.
        output: probabilities (or logits when `from_logits` is True).
        from_logits: whether `output` holds logits.

    # Returns
        A tensor.
    """
    output = _t(output)
    target = tf.cast(_t(target), output.dtype)
    if not from_logits:
        eps = _to_tensor(epsilon(), output.dtype)
        output = tf.clip_by_value(output, eps, 1. - eps)
        output = tf.math.log(output / (1. - output))
    return tf.nn.sigmoid_cross_entropy_with_logits(labels=target, logits=output)


# ----------------------------------------------------------------------------------- random


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Returns a tensor with a normal distribution of values.

    # Arguments
        shape: a tuple of integers.
        mean: the mean.
        stddev: the standard deviation.
        dtype: the dtype; defaults to `floatx()`.
        seed: an integer seed (drawn from numpy's generator when None).

    # Returns
        A tensor.
    """
    return tf.random.normal(shape, mean=mean, stddev=stddev, dtype=dtype or floatx(),
                            seed=_seed(seed))


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Returns a tensor with a uniform distribution of values on `[minval, maxval)`.

    # Arguments
        shape: a tuple of integers.
        minval: the lower bound.
        maxval: the upper bound.
        dtype: the dtype; defaults to `floatx()`.
        seed: an integer seed (drawn from numpy's generator when None).

    # Returns
        A tensor.
    """
    return tf.random.uniform(shape, minval=minval, maxval=maxval, dtype=dtype or floatx(),
                             seed=_seed(seed))


def random_binomial(shape, p=0.0, dtype=None, seed=None):
    """Returns a tensor of 0s and 1s, each 1 with probability `p`.

    # Arguments
        shape: a tuple of integers.
        p: the probability of a 1.
        dtype: the dtype; defaults to `floatx()`.
        seed: an integer seed (drawn from numpy's generator when None).

    # Returns
        A tensor.
    """
    dtype = dtype or floatx()
    draws = tf.random.uniform(shape, dtype=dtype, seed=_seed(seed))
    return tf.where(draws <= p, tf.ones(shape, dtype), tf.zeros(shape, dtype))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Returns a tensor of normal values, redrawn when further than two stddevs from the mean.

    # Arguments
        shape: a tuple of integers.
        mean: the mean.
        stddev: the standard deviation before truncation.
        dtype: the dtype; defaults to `floatx()`.
        seed: an integer seed (drawn from numpy's generator when None).

    # Returns
        A tensor.
    """
    return tf.random.truncated_normal(shape, mean, stddev, dtype=dtype or floatx(),
                                      seed=_seed(seed))


__all__ = [n for n in dir() if not n.startswith('_') and n not in (
    'tf', 'epsilon', 'floatx', 'ndim')]
