"""Weight constraints (Keras 2.2 API).

A constraint is called on a weight tensor after each optimizer update and returns the projected
weights. Norms are computed along `axis`: for a Dense kernel `(input_dim, output_dim)` the default
`axis=0` constrains each output unit's incoming weight vector.
"""
import tensorflow as tf

from kernelkit.backend.config import epsilon as _epsilon
from kernelkit.utils.generic_utils import deserialize_keras_object
from kernelkit.utils.generic_utils import serialize_keras_object


def _scalar(value, dtype):
    """Returns `value` as a scalar tensor of `dtype`, without a detour through float32."""
    if isinstance(value, (tf.Tensor, tf.Variable)):
        return tf.cast(value, dtype)
    return tf.constant(value, dtype=dtype)


def _norms(w, axis):
    return tf.sqrt(tf.reduce_sum(tf.square(w), axis=axis, keepdims=True))


class Constraint(object):
    """Constraint base class: a callable that projects a weight tensor (identity here)."""

    def __call__(self, w):
        """Returns the constrained weights.

        # Arguments
            w: a weight tensor.

        # Returns
            A tensor of the same shape.
        """
        return w

    def get_config(self):
        """Returns the constructor arguments as a dictionary.

        # Returns
            A JSON-serializable dictionary.
        """
        return {}

    @classmethod
    def from_config(cls, config):
        """Creates a constraint from its config.

        # Arguments
            config: dictionary returned by `get_config`.

        # Returns
            A constraint instance.
        """
        return cls(**config)

    def __repr__(self):
        args = ', '.join('%s=%r' % item for item in self.get_config().items())
        return '%s(%s)' % (self.__class__.__name__, args)


class MaxNorm(Constraint):
    """Constrains the norm of the weight vectors along `axis` to be at most `max_value`.

    # Arguments
        max_value: the maximum norm for the incoming weights.
        axis: integer or list of integers, the axis (axes) along which to compute norms.
    """

    def __init__(self, max_value=2, axis=0):
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w):
        w = tf.convert_to_tensor(w)
        norms = _norms(w, self.axis)
        desired = tf.clip_by_value(norms, _scalar(0., w.dtype), _scalar(self.max_value, w.dtype))
        return w * (desired / (_scalar(_epsilon(), w.dtype) + norms))

    def get_config(self):
        return {'max_value': self.max_value, 'axis': self.axis}


class NonNeg(Constraint):
    """Constrains the weights to be non-negative (negative entries become 0)."""

    def __call__(self, w):
        w = tf.convert_to_tensor(w)
        return w * tf.cast(w >= 0., w.dtype)


class UnitNorm(Constraint):
    """Constrains the weight vectors along `axis` to have unit norm.

    # Arguments
        axis: integer or list of integers, the axis (axes) along which to compute norms.
    """

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        w = tf.convert_to_tensor(w)
        return w / (_scalar(_epsilon(), w.dtype) + _norms(w, self.axis))

    def get_config(self):
        return {'axis': self.axis}


class MinMaxNorm(Constraint):
    """Constrains the norm of the weight vectors along `axis` to lie in `[min_value, max_value]`.

    The new norm is `rate * clip(norm, min_value, max_value) + (1 - rate) * norm`.

    # Arguments
        min_value: the minimum norm for the incoming weights.
        max_value: the maximum norm for the incoming weights.
        rate: rate for enforcing the constraint; 1.0 enforces it strictly, lower values move
            the weights gradually towards the allowed interval.
        axis: integer or list of integers, the axis (axes) along which to compute norms.
    """

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w):
        w = tf.convert_to_tensor(w)
        norms = _norms(w, self.axis)
        clipped = tf.clip_by_value(norms, _scalar(self.min_value, w.dtype),
                                   _scalar(self.max_value, w.dtype))
        rate = _scalar(self.rate, w.dtype)
        desired = rate * clipped + (1 - rate) * norms
        return w * (desired / (_scalar(_epsilon(), w.dtype) + norms))

    def get_config(self):
        return {'min_value': self.min_value, 'max_value': self.max_value, 'rate': self.rate,
                'axis': self.axis}


# Aliases, as in Keras 2.2 (snake case, plus the Keras 1 names).
max_norm = MaxNorm
non_neg = NonNeg
unit_norm = UnitNorm
min_max_norm = MinMaxNorm
maxnorm = max_norm
nonneg = non_neg
unitnorm = unit_norm

_MODULE_OBJECTS = {
    'Constraint': Constraint, 'MaxNorm': MaxNorm, 'NonNeg': NonNeg, 'UnitNorm': UnitNorm,
    'MinMaxNorm': MinMaxNorm, 'max_norm': max_norm, 'non_neg': non_neg,
    'unit_norm': unit_norm, 'min_max_norm': min_max_norm, 'maxnorm': maxnorm,
    'nonneg': nonneg, 'unitnorm': unitnorm,
}


def serialize(constraint):
    """Returns the Keras 2 config of a constraint.

    # Arguments
        constraint: a `Constraint` instance (or `None`).

    # Returns
        `{'class_name': ..., 'config': ...}`, or `None`.
    """
    return serialize_keras_object(constraint)


def deserialize(config, custom_objects=None):
    """Builds a constraint from a config dictionary or a name.

    # Arguments
        config: `{'class_name': ..., 'config': ...}` or a name such as `'max_norm'`.
        custom_objects: optional dictionary of extra constraints by name.

    # Returns
        A constraint.

    # Raises
        ValueError: for an unknown name, listing the known ones.
    """
    if isinstance(config, str):
        obj = deserialize_keras_object(config, module_objects=_MODULE_OBJECTS,
                                       custom_objects=custom_objects,
                                       printable_module_name='constraint')
        return obj() if isinstance(obj, type) else obj
    return deserialize_keras_object(config, module_objects=_MODULE_OBJECTS,
                                    custom_objects=custom_objects,
                                    printable_module_name='constraint')


def get(identifier):
    """Resolves a constraint given by name, config, callable or `None`.

    # Arguments
        identifier: `None`, a name (`'max_norm'`, `'non_neg'`, ...), a config dictionary or a
            callable.

    # Returns
        A constraint, or `None`.

    # Raises
        ValueError: for an unknown name or an identifier that cannot be interpreted.
    """
    if identifier is None:
        return None
    if isinstance(identifier, (dict, str)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError('Could not interpret constraint identifier: %r. Expected None, a name '
                     '(e.g. "max_norm"), a config dictionary or a callable.' % (identifier,))
