"""Built-in activation functions (Keras 2.2 API).

Activations are plain functions of a tensor. In a saved config an activation is stored as its name,
for example `"relu"`, and `get`/`deserialize` turn the name back into the function.
"""
import tensorflow as tf

from kernelkit.backend.symbolic.ops import accepts_symbolic
from kernelkit.utils.generic_utils import deserialize_keras_object

# Constants of the scaled exponential linear unit (Klambauer et al., 2017).
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _scalar(value, dtype):
    """Returns `value` as a scalar tensor of `dtype`, without a detour through float32."""
    if isinstance(value, (tf.Tensor, tf.Variable)):
        return tf.cast(value, dtype)
    return tf.constant(value, dtype=dtype)


@accepts_symbolic
def softmax(x, axis=-1):
    """Softmax activation function.

    # Arguments
        x: input tensor (at least 2D).
        axis: integer, the axis along which the softmax normalization is applied.

    # Returns
        Tensor, output of the softmax transformation.

    # Raises
        ValueError: if `x` is 1D (or a scalar).
    """
    x = tf.convert_to_tensor(x)
    ndim = x.shape.rank
    if ndim == 2:
        return tf.nn.softmax(x, axis=axis)
    if ndim is not None and ndim > 2:
        e = tf.exp(x - tf.reduce_max(x, axis=axis, keepdims=True))
        return e / tf.reduce_sum(e, axis=axis, keepdims=True)
    raise ValueError('Cannot apply softmax to a tensor that is 1D. '
                     'Received input: %s' % (x,))


@accepts_symbolic
def elu(x, alpha=1.0):
    """Exponential linear unit.

    # Arguments
        x: input tensor.
        alpha: a scalar, the slope of the negative section.

    # Returns
        `x` if `x > 0`, else `alpha * (exp(x) - 1)`.
    """
    x = tf.convert_to_tensor(x)
    res = tf.nn.elu(x)
    if alpha == 1:
        return res
    return tf.where(x > 0, res, _scalar(alpha, x.dtype) * res)


@accepts_symbolic
def selu(x):
    """Scaled exponential linear unit (SELU).

    SELU is `scale * elu(x, alpha)` with the fixed constants of Klambauer et al. (2017),
    alpha = 1.6732632... and scale = 1.0507009...

    # Arguments
        x: input tensor.

    # Returns
        The scaled exponential unit activation of `x`.
    """
    x = tf.convert_to_tensor(x)
    return _scalar(_SELU_SCALE, x.dtype) * elu(x, _SELU_ALPHA)


@accepts_symbolic
def softplus(x):
    """Softplus activation function.

    # Arguments
        x: input tensor.

    # Returns
        `log(exp(x) + 1)`.
    """
    return tf.nn.softplus(x)


@accepts_symbolic
def softsign(x):
    """Softsign activation function.

    # Arguments
        x: input tensor.

    # Returns
        `x / (abs(x) + 1)`.
    """
    return tf.nn.softsign(x)


@accepts_symbolic
def relu(x, alpha=0., max_value=None, threshold=0.):
    """Rectified linear unit.

    With default values it returns `max(x, 0)`. Otherwise:
    `f(x) = max_value` for `x >= max_value`,
    `f(x) = x` for `threshold <= x < max_value`,
    `f(x) = alpha * (x - threshold)` otherwise.

    # Arguments
        x: input tensor.
        alpha: float, slope of the negative part.
        max_value: float or `None`, the saturation threshold.
        threshold: float, the threshold below which values are damped.

    # Returns
        A tensor.
    """
    x = tf.convert_to_tensor(x)
    if alpha != 0.:
        negative_part = tf.nn.relu(_scalar(threshold, x.dtype) - x)
    if threshold != 0.:
        y = x * tf.cast(x > _scalar(threshold, x.dtype), x.dtype)
    else:
        y = tf.nn.relu(x)
    if max_value is not None:
        y = tf.clip_by_value(y, _scalar(0., x.dtype), _scalar(max_value, x.dtype))
    if alpha != 0.:
        y = y - _scalar(alpha, x.dtype) * negative_part
    return y


@accepts_symbolic
def tanh(x):
    """Hyperbolic tangent activation function.

    # Arguments
        x: input tensor.

    # Returns
        `tanh(x)`.
    """
    return tf.tanh(x)


@accepts_symbolic
def sigmoid(x):
    """Sigmoid activation function.

    # Arguments
        x: input tensor.

    # Returns
        `1 / (1 + exp(-x))`.
    """
    return tf.sigmoid(x)


@accepts_symbolic
def hard_sigmoid(x):
    """Hard sigmoid: a fast, piecewise linear approximation of the sigmoid.

    # Arguments
        x: input tensor.

    # Returns
        `0` if `x < -2.5`, `1` if `x > 2.5`, else `0.2 * x + 0.5`.
    """
    x = tf.convert_to_tensor(x)
    y = x * _scalar(0.2, x.dtype) + _scalar(0.5, x.dtype)
    return tf.clip_by_value(y, _scalar(0., x.dtype), _scalar(1., x.dtype))


@accepts_symbolic
def exponential(x):
    """Exponential (base e) activation function.

    # Arguments
        x: input tensor.

    # Returns
        `exp(x)`.
    """
    return tf.exp(x)


@accepts_symbolic
def linear(x):
    """Linear (identity) activation function.

    # Arguments
        x: input tensor.

    # Returns
        `x`, unchanged.
    """
    return x


_ACTIVATIONS = {fn.__name__: fn for fn in (
    softmax, elu, selu, softplus, softsign, relu, tanh, sigmoid, hard_sigmoid, exponential, linear)}


def serialize(activation):
    """Returns what a Keras 2 config stores for an activation: its name.

    # Arguments
        activation: an activation function (or an object with `get_config`).

    # Returns
        The function's name, e.g. `'relu'`; for an object with `get_config`,
        `{'class_name': ..., 'config': ...}`.

    # Raises
        ValueError: if `activation` has neither a name nor a config.
    """
    if hasattr(activation, 'get_config'):
        return {'class_name': activation.__class__.__name__, 'config': activation.get_config()}
    if hasattr(activation, '__name__'):
        return activation.__name__
    raise ValueError('Cannot serialize activation %r: expected a function with a `__name__`.'
                     % (activation,))


def deserialize(name, custom_objects=None):
    """Returns the activation function for a name (or a config dictionary).

    # Arguments
        name: the function's name, e.g. `'relu'`, or a config dictionary.
        custom_objects: optional dictionary of extra activations by name.

    # Returns
        The activation function.

    # Raises
        ValueError: for an unknown name, listing the known ones.
    """
    if isinstance(name, dict):
        class_name = name.get('class_name')
        config = name.get('config')
        # Newer serializers write functions as {'class_name': 'function', 'config': 'relu'}.
        if class_name == 'function' and isinstance(config, str):
            return deserialize(config, custom_objects)
        if class_name in _ACTIVATIONS and not config:
            return deserialize(class_name, custom_objects)
    return deserialize_keras_object(name, module_objects=_ACTIVATIONS,
                                    custom_objects=custom_objects,
                                    printable_module_name='activation function')


def get(identifier):
    """Resolves an activation given by name, config, function or `None`.

    # Arguments
        identifier: `None` (means `linear`), a name such as `'relu'`, a config dictionary,
            or a callable.

    # Returns
        The activation function.

    # Raises
        ValueError: if the identifier is an unknown name or cannot be interpreted.
    """
    if identifier is None:
        return linear
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError('Could not interpret activation function identifier: %r. Expected None, '
                     'a name (one of %s), a config dictionary or a callable.'
                     % (identifier, ', '.join(sorted(_ACTIVATIONS))))
