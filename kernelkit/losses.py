"""Built-in loss functions (Keras 2.2).

Every loss is a plain function `fn(y_true, y_pred)` that returns one value per sample: the result has
the shape of `y_pred` without its last axis. `y_true` is cast to the dtype of `y_pred` (integer class
indices for `sparse_categorical_crossentropy`). The probability losses follow the Keras 2.2 rules:
predictions are probabilities, clipped to `[epsilon, 1 - epsilon]` before the logarithm.
"""
import tensorflow as tf

from kernelkit.backend.config import epsilon as _epsilon
from kernelkit.backend.symbolic.ops import accepts_symbolic
from kernelkit.utils.generic_utils import deserialize_keras_object, serialize_keras_object


def _prepare(y_true, y_pred):
    """Converts `y_pred` to a tensor and casts `y_true` to its dtype."""
    y_pred = tf.convert_to_tensor(y_pred)
    y_true = tf.cast(y_true, y_pred.dtype)
    return y_true, y_pred


@accepts_symbolic
def mean_squared_error(y_true, y_pred):
    """Mean squared error: `mean(square(y_pred - y_true), axis=-1)`.

    # Arguments
        y_true: targets, same shape as `y_pred`.
        y_pred: predictions.

    # Returns
        A tensor with one value per sample (the last axis is reduced).
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    return tf.reduce_mean(tf.square(y_pred - y_true), axis=-1)


@accepts_symbolic
def mean_absolute_error(y_true, y_pred):
    """Mean absolute error: `mean(abs(y_pred - y_true), axis=-1)`.

    # Arguments
        y_true: targets, same shape as `y_pred`.
        y_pred: predictions.

    # Returns
        A tensor with one value per sample.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    return tf.reduce_mean(tf.abs(y_pred - y_true), axis=-1)


@accepts_symbolic
def mean_absolute_percentage_error(y_true, y_pred):
    """Mean absolute percentage error.

    `100 * mean(abs((y_true - y_pred) / clip(abs(y_true), eps, inf)), axis=-1)`.

    # Arguments
        y_true: targets, same shape as `y_pred`.
        y_pred: predictions.

    # Returns
        A tensor with one value per sample.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    denominator = tf.maximum(tf.abs(y_true), tf.cast(_epsilon(), y_pred.dtype))
    return 100. * tf.reduce_mean(tf.abs((y_true - y_pred) / denominator), axis=-1)


@accepts_symbolic
def mean_squared_logarithmic_error(y_true, y_pred):
    """Mean squared logarithmic error.

    `mean(square(log(clip(y_pred, eps) + 1) - log(clip(y_true, eps) + 1)), axis=-1)`.

    # Arguments
        y_true: targets, same shape as `y_pred`.
        y_pred: predictions.

    # Returns
        A tensor with one value per sample.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    eps = tf.cast(_epsilon(), y_pred.dtype)
    first_log = tf.math.log(tf.maximum(y_pred, eps) + 1.)
    second_log = tf.math.log(tf.maximum(y_true, eps) + 1.)
    return tf.reduce_mean(tf.square(first_log - second_log), axis=-1)


@accepts_symbolic
def squared_hinge(y_true, y_pred):
    """Squared hinge loss: `mean(square(max(1 - y_true * y_pred, 0)), axis=-1)`; targets are -1 or 1.

    # Arguments
        y_true: targets (-1 or 1), same shape as `y_pred`.
        y_pred: predictions.

    # Returns
        A tensor with one value per sample.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    return tf.reduce_mean(tf.square(tf.maximum(1. - y_true * y_pred, 0.)), axis=-1)


@accepts_symbolic
def hinge(y_true, y_pred):
    """Hinge loss: `mean(max(1 - y_true * y_pred, 0), axis=-1)`; targets are -1 or 1.

    # Arguments
        y_true: targets (-1 or 1), same shape as `y_pred`.
        y_pred: predictions.

    # Returns
        A tensor with one value per sample.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    return tf.reduce_mean(tf.maximum(1. - y_true * y_pred, 0.), axis=-1)


@accepts_symbolic
def categorical_hinge(y_true, y_pred):
    """Categorical hinge loss: `max(0, max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1)`.

    # Arguments
        y_true: one-hot targets, same shape as `y_pred`.
        y_pred: predictions.

    # Returns
        A tensor with one value per sample.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    positive = tf.reduce_sum(y_true * y_pred, axis=-1)
    negative = tf.reduce_max((1. - y_true) * y_pred, axis=-1)
    return tf.maximum(negative - positive + 1., 0.)


@accepts_symbolic
def logcosh(y_true, y_pred):
    """Mean logarithm of the hyperbolic cosine of the error, computed stably.

    `log(cosh(x))` is evaluated as `x + softplus(-2x) - log(2)` with `x = y_pred - y_true`.

    # Arguments
        y_true: targets, same shape as `y_pred`.
        y_pred: predictions.

    # Returns
        A tensor with one value per sample.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    x = y_pred - y_true
    log_cosh = x + tf.nn.softplus(-2. * x) - tf.cast(tf.math.log(2.), y_pred.dtype)
    return tf.reduce_mean(log_cosh, axis=-1)


@accepts_symbolic
def categorical_crossentropy(y_true, y_pred):
    """Categorical crossentropy between one-hot (or soft) targets and predicted probabilities.

    The predictions are divided by their sum along the last axis, clipped to `[eps, 1 - eps]`, and the
    result is `-sum(y_true * log(y_pred), axis=-1)`.

    # Arguments
        y_true: targets, same shape as `y_pred`.
        y_pred: predicted probabilities (e.g. a softmax output).

    # Returns
        A tensor with one value per sample.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    eps = tf.cast(_epsilon(), y_pred.dtype)
    probs = y_pred / tf.reduce_sum(y_pred, axis=-1, keepdims=True)
    probs = tf.clip_by_value(probs, eps, 1. - eps)
    return -tf.reduce_sum(y_true * tf.math.log(probs), axis=-1)


@accepts_symbolic
def sparse_categorical_crossentropy(y_true, y_pred):
    """Categorical crossentropy with integer class indices as targets.

    `y_true` holds class indices (int or float) of shape `(batch,)`, `(batch, 1)`, or for sequence
    outputs `(batch, T)` / `(batch, T, 1)`. The predictions are clipped to `[eps, 1 - eps]` and their
    logarithm goes through a softmax crossentropy (which also normalises them).

    # Arguments
        y_true: class indices.
        y_pred: predicted probabilities, shape `(..., num_classes)`.

    # Returns
        A tensor with one value per sample (shape of `y_pred` without its last axis).

    # Raises
        ValueError: if the last dimension of `y_pred` is unknown.
    """
    y_pred = tf.convert_to_tensor(y_pred)
    num_classes = y_pred.shape[-1]
    if num_classes is None:
        raise ValueError('sparse_categorical_crossentropy needs `y_pred` with a known last dimension '
                         '(the number of classes); got shape %s.' % (y_pred.shape,))
    eps = tf.cast(_epsilon(), y_pred.dtype)
    logits = tf.math.log(tf.clip_by_value(y_pred, eps, 1. - eps))
    labels = tf.cast(tf.reshape(y_true, [-1]), tf.int64)
    losses = tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=labels, logits=tf.reshape(logits, [-1, num_classes]))
    return tf.reshape(losses, tf.shape(y_pred)[:-1])


@accepts_symbolic
def binary_crossentropy(y_true, y_pred):
    """Binary crossentropy between targets and predicted probabilities, averaged over the last axis.

    The predictions are clipped to `[eps, 1 - eps]`, turned back into logits `log(p / (1 - p))`, and
    scored with a numerically stable sigmoid crossentropy.

    # Arguments
        y_true: targets in [0, 1], same shape as `y_pred`.
        y_pred: predicted probabilities (e.g. a sigmoid output).

    # Returns
        A tensor with one value per sample.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    eps = tf.cast(_epsilon(), y_pred.dtype)
    probs = tf.clip_by_value(y_pred, eps, 1. - eps)
    logits = tf.math.log(probs / (1. - probs))
    return tf.reduce_mean(
        tf.nn.sigmoid_cross_entropy_with_logits(labels=y_true, logits=logits), axis=-1)


@accepts_symbolic
def kullback_leibler_divergence(y_true, y_pred):
    """Kullback-Leibler divergence: `sum(y_true * log(y_true / y_pred), axis=-1)`.

    Both inputs are first clipped to `[eps, 1]`.

    # Arguments
        y_true: target distribution, same shape as `y_pred`.
        y_pred: predicted distribution.

    # Returns
        A tensor with one value per sample.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    eps = tf.cast(_epsilon(), y_pred.dtype)
    y_true = tf.clip_by_value(y_true, eps, 1.)
    y_pred = tf.clip_by_value(y_pred, eps, 1.)
    return tf.reduce_sum(y_true * tf.math.log(y_true / y_pred), axis=-1)


@accepts_symbolic
def poisson(y_true, y_pred):
    """Poisson loss: `mean(y_pred - y_true * log(y_pred + eps), axis=-1)`.

    # Arguments
        y_true: targets (counts), same shape as `y_pred`.
        y_pred: predicted rates.

    # Returns
        A tensor with one value per sample.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    eps = tf.cast(_epsilon(), y_pred.dtype)
    return tf.reduce_mean(y_pred - y_true * tf.math.log(y_pred + eps), axis=-1)


@accepts_symbolic
def cosine_proximity(y_true, y_pred):
    """Negative cosine similarity: `-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis=-1)`.

    # Arguments
        y_true: targets, same shape as `y_pred`.
        y_pred: predictions.

    # Returns
        A tensor with one value per sample (-1 means the vectors point the same way).
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    y_true = tf.math.l2_normalize(y_true, axis=-1)
    y_pred = tf.math.l2_normalize(y_pred, axis=-1)
    return -tf.reduce_sum(y_true * y_pred, axis=-1)


# Aliases (Keras 2.2).
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence
cosine = cosine_proximity

_LOSSES = {fn.__name__: fn for fn in (
    mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
    mean_squared_logarithmic_error, squared_hinge, hinge, categorical_hinge, logcosh,
    categorical_crossentropy, sparse_categorical_crossentropy, binary_crossentropy,
    kullback_leibler_divergence, poisson, cosine_proximity)}
_LOSSES.update(mse=mse, MSE=MSE, mae=mae, MAE=MAE, mape=mape, MAPE=MAPE, msle=msle, MSLE=MSLE,
               kld=kld, KLD=KLD, cosine=cosine)


def serialize(loss):
    """Returns what a config stores for a loss: the function's name (or a class config).

    # Arguments
        loss: a loss function (or an object with `get_config`).

    # Returns
        The name, e.g. `'mean_squared_error'` for `mse`.
    """
    return serialize_keras_object(loss)


def deserialize(name, custom_objects=None):
    """Returns the loss function with the given name.

    # Arguments
        name: a loss name or alias (e.g. `'mse'`), or a `{'class_name', 'config'}` dictionary.
        custom_objects: optional dictionary of extra losses by name, searched first.

    # Returns
        The loss function.

    # Raises
        ValueError: for an unknown name (the message lists the known ones).
    """
    return deserialize_keras_object(name, module_objects=_LOSSES, custom_objects=custom_objects,
                                    printable_module_name='loss function')


def get(identifier):
    """Resolves a loss identifier.

    # Arguments
        identifier: `None`, a loss name, a config dictionary, or a callable.

    # Returns
        The loss function (`None` for `None`; callables are returned unchanged).

    # Raises
        ValueError: for an unknown name or an identifier of any other kind.
    """
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError('Could not interpret loss function identifier: %r (expected a name, a config '
                     'dictionary or a callable).' % (identifier,))
