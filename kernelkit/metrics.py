"""Built-in metric functions (Keras 2.2).

A metric is a function `fn(y_true, y_pred)` returning one value per sample; the engine averages it over
the batch. Every loss of `kernelkit.losses` can also be used as a metric (the very same function
objects), and `resolve` turns the special strings `'accuracy'`/`'acc'` and `'crossentropy'`/`'ce'` into
the right variant for a model output.
"""
import tensorflow as tf

from kernelkit.backend.config import floatx as _floatx
from kernelkit.backend.symbolic.ops import accepts_symbolic
from kernelkit import losses
from kernelkit.losses import (  # noqa: F401  (every loss is also a metric)
    mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
    mean_squared_logarithmic_error, squared_hinge, hinge, categorical_hinge, logcosh,
    categorical_crossentropy, sparse_categorical_crossentropy, binary_crossentropy,
    kullback_leibler_divergence, poisson, cosine_proximity,
    mse, MSE, mae, MAE, mape, MAPE, msle, MSLE, kld, KLD, cosine)
from kernelkit.utils.generic_utils import deserialize_keras_object, serialize_keras_object


@accepts_symbolic
def binary_accuracy(y_true, y_pred):
    """Fraction of entries where `round(y_pred)` equals `y_true` (an implicit 0.5 threshold).

    # Arguments
        y_true: binary targets, same shape as `y_pred`.
        y_pred: predicted probabilities.

    # Returns
        A tensor with one value per sample (the mean over the last axis).
    """
    y_pred = tf.convert_to_tensor(y_pred)
    y_true = tf.cast(y_true, y_pred.dtype)
    matches = tf.cast(tf.equal(y_true, tf.round(y_pred)), _floatx())
    return tf.reduce_mean(matches, axis=-1)


@accepts_symbolic
def categorical_accuracy(y_true, y_pred):
    """Whether the index of the largest prediction equals the index of the largest target.

    # Arguments
        y_true: one-hot targets, same shape as `y_pred`.
        y_pred: predictions.

    # Returns
        A tensor of 0./1. with one value per sample.
    """
    return tf.cast(tf.equal(tf.argmax(y_true, axis=-1), tf.argmax(y_pred, axis=-1)), _floatx())


def _sparse_labels(y_true, y_pred):
    """Drops a trailing axis of size 1 from integer targets, so `(batch, 1)` compares as `(batch,)`."""
    y_true = tf.convert_to_tensor(y_true)
    if y_true.shape.rank is not None and y_true.shape.rank == y_pred.shape.rank:
        y_true = tf.squeeze(y_true, axis=-1)
    return y_true


@accepts_symbolic
def sparse_categorical_accuracy(y_true, y_pred):
    """Whether the index of the largest prediction equals the integer target.

    # Arguments
        y_true: class indices, shape `(batch,)` or `(batch, 1)` (`(batch, T)` / `(batch, T, 1)` for
            sequences), int or float.
        y_pred: predictions, shape `(..., num_classes)`.

    # Returns
        A tensor of 0./1. with one value per sample.
    """
    y_pred = tf.convert_to_tensor(y_pred)
    y_true = _sparse_labels(y_true, y_pred)
    predicted = tf.cast(tf.argmax(y_pred, axis=-1), _floatx())
    return tf.cast(tf.equal(tf.cast(y_true, _floatx()), predicted), _floatx())


def _in_top_k(y_pred, labels, k):
    """`tf.math.in_top_k` for predictions of rank >= 2, as 0./1. values shaped like `y_pred[..., 0]`."""
    num_classes = y_pred.shape[-1]
    flat_pred = tf.cast(tf.reshape(y_pred, [-1, num_classes]), tf.float32)
    hits = tf.math.in_top_k(tf.cast(tf.reshape(labels, [-1]), tf.int32), flat_pred, k)
    return tf.reshape(tf.cast(hits, _floatx()), tf.shape(y_pred)[:-1])


@accepts_symbolic
def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """Whether the target class (the argmax of `y_true`) is among the `k` largest predictions.

    # Arguments
        y_true: one-hot targets, same shape as `y_pred`.
        y_pred: predictions.
        k: how many of the top predictions count as a hit.

    # Returns
        A tensor of 0./1. with one value per sample.
    """
    y_pred = tf.convert_to_tensor(y_pred)
    return _in_top_k(y_pred, tf.argmax(y_true, axis=-1), k)


@accepts_symbolic
def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    """Whether the integer target is among the `k` largest predictions.

    # Arguments
        y_true: class indices, shape `(batch,)` or `(batch, 1)`, int or float.
        y_pred: predictions, shape `(batch, num_classes)`.
        k: how many of the top predictions count as a hit.

    # Returns
        A tensor of 0./1. with one value per sample.
    """
    y_pred = tf.convert_to_tensor(y_pred)
    return _in_top_k(y_pred, _sparse_labels(y_true, y_pred), k)


_METRICS = dict(losses._LOSSES)
_METRICS.update({fn.__name__: fn for fn in (
    binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
    top_k_categorical_accuracy, sparse_top_k_categorical_accuracy)})


def serialize(metric):
    """Returns what a config stores for a metric: the function's name.

    # Arguments
        metric: a metric function (or an object with `get_config`).

    # Returns
        The name, e.g. `'mean_squared_error'` for `mse`.
    """
    return serialize_keras_object(metric)


def deserialize(config, custom_objects=None):
    """Returns the metric function with the given name.

    # Arguments
        config: a metric name or alias, or a `{'class_name', 'config'}` dictionary.
        custom_objects: optional dictionary of extra metrics by name, searched first.

    # Returns
        The metric function.

    # Raises
        ValueError: for an unknown name (the message lists the known ones).
    """
    return deserialize_keras_object(config, module_objects=_METRICS, custom_objects=custom_objects,
                                    printable_module_name='metric function')


def get(identifier):
    """Resolves a metric identifier.

    Note that `'accuracy'`, `'acc'`, `'crossentropy'` and `'ce'` depend on the model output and loss;
    they are handled by `resolve`, not here.

    # Arguments
        identifier: a metric name, a config dictionary, or a callable.

    # Returns
        The metric function (callables are returned unchanged).

    # Raises
        ValueError: for an unknown name or an identifier of any other kind.
    """
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError('Could not interpret metric function identifier: %r (expected a name, a config '
                     'dictionary or a callable).' % (identifier,))


def resolve(identifier, loss_fn=None, output_shape=None):
    """Returns the metric function to use for one model output, as `Model.compile` does in Keras 2.2.

    The strings `'accuracy'`/`'acc'` (and `'crossentropy'`/`'ce'`) pick a variant:
    binary (`binary_accuracy` / `binary_crossentropy`) when `output_shape[-1] == 1` or `loss_fn` is
    `losses.binary_crossentropy`; else sparse (`sparse_categorical_accuracy` /
    `sparse_categorical_crossentropy`) when `loss_fn` is `losses.sparse_categorical_crossentropy`;
    else categorical. Loss functions are compared by identity, so a wrapped or custom loss falls
    through to the shape rule. In Keras 2.2 the metric is then logged as `'acc'` (or `'ce'`); any other
    metric is logged under its function's `__name__`. Every other identifier goes through `get`.

    # Arguments
        identifier: a metric name, config dictionary or callable.
        loss_fn: the resolved loss function of that output (or `None`).
        output_shape: the static shape of that output (tuple or `TensorShape`), or `None`.

    # Returns
        The metric function.

    # Raises
        ValueError: for an unknown metric name.
    """
    if isinstance(identifier, str) and identifier in ('accuracy', 'acc', 'crossentropy', 'ce'):
        is_accuracy = identifier in ('accuracy', 'acc')
        last_dim = None
        if output_shape is not None:
            dims = tf.TensorShape(output_shape)
            if dims.rank:
                last_dim = dims[-1]
        if last_dim == 1 or loss_fn is losses.binary_crossentropy:
            return binary_accuracy if is_accuracy else binary_crossentropy
        if loss_fn is losses.sparse_categorical_crossentropy:
            return sparse_categorical_accuracy if is_accuracy else sparse_categorical_crossentropy
        return categorical_accuracy if is_accuracy else categorical_crossentropy
    return get(identifier)
