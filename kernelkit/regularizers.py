"""Weight regularizers (Keras 2.2 API).

A regularizer is called on a weight tensor and returns a scalar penalty that is added to the loss.
Keras 2.2 has a single class, `L1L2`; `l1`, `l2` and `l1_l2` are functions that return one.
"""
import tensorflow as tf

from kernelkit.backend.config import floatx as _floatx
from kernelkit.utils.generic_utils import deserialize_keras_object
from kernelkit.utils.generic_utils import serialize_keras_object


class Regularizer(object):
    """Regularizer base class: a callable from a weight tensor to a scalar penalty."""

    def __call__(self, x):
        """Returns the penalty for the weight tensor `x` (0 for the base class).

        # Arguments
            x: a weight tensor.

        # Returns
            A scalar tensor.
        """
        return tf.constant(0., dtype=_floatx())

    def get_config(self):
        """Returns the constructor arguments as a dictionary.

        # Returns
            A JSON-serializable dictionary.
        """
        return {}

    @classmethod
    def from_config(cls, config):
        """Creates a regularizer from its config.

        # Arguments
            config: dictionary returned by `get_config`.

        # Returns
            A regularizer instance.
        """
        return cls(**config)


class L1L2(Regularizer):
    """Regularizer for L1 and L2 penalties: `sum(l1 * |x|) + sum(l2 * x^2)`.

    # Arguments
        l1: float, the L1 regularization factor.
        l2: float, the L2 regularization factor.

    # Raises
        ValueError: if a factor is not a number.
    """

    def __init__(self, l1=0., l2=0.):
        for name, value in (('l1', l1), ('l2', l2)):
            try:
                float(value)
            except (TypeError, ValueError):
                raise ValueError('`%s` must be a float, got %r.' % (name, value))
        self.l1 = float(l1)
        self.l2 = float(l2)

    def __call__(self, x):
        x = tf.convert_to_tensor(x)
        dtype = x.dtype if x.dtype.is_floating else tf.as_dtype(_floatx())
        x = tf.cast(x, dtype)
        penalty = tf.constant(0., dtype=dtype)
        if self.l1:
            penalty += tf.reduce_sum(tf.constant(self.l1, dtype=dtype) * tf.abs(x))
        if self.l2:
            penalty += tf.reduce_sum(tf.constant(self.l2, dtype=dtype) * tf.square(x))
        return penalty

    def get_config(self):
        return {'l1': float(self.l1), 'l2': float(self.l2)}

    def __repr__(self):
        return 'L1L2(l1=%r, l2=%r)' % (self.l1, self.l2)


def l1(l=0.01):
    """L1 weight regularizer.

    # Arguments
        l: float, the L1 regularization factor.

    # Returns
        An `L1L2` regularizer with `l1=l`.
    """
    return L1L2(l1=l)


def l2(l=0.01):
    """L2 weight regularizer.

    # Arguments
        l: float, the L2 regularization factor.

    # Returns
        An `L1L2` regularizer with `l2=l`.
    """
    return L1L2(l2=l)


def l1_l2(l1=0.01, l2=0.01):
    """L1 plus L2 weight regularizer.

    # Arguments
        l1: float, the L1 regularization factor.
        l2: float, the L2 regularization factor.

    # Returns
        An `L1L2` regularizer.
    """
    return L1L2(l1=l1, l2=l2)


def _tf_keras_l1(l1=0.01, l=None, **unused):
    return L1L2(l1=l1 if l is None else l)


def _tf_keras_l2(l2=0.01, l=None, **unused):
    return L1L2(l2=l2 if l is None else l)


_MODULE_OBJECTS = {
    'Regularizer': Regularizer, 'L1L2': L1L2, 'l1': l1, 'l2': l2, 'l1_l2': l1_l2,
    # Class names written by tf_keras / tf.keras.
    'L1': _tf_keras_l1, 'L2': _tf_keras_l2,
}
_FACTORIES = (l1, l2, l1_l2, _tf_keras_l1, _tf_keras_l2)


def serialize(regularizer):
    """Returns the Keras 2 config of a regularizer.

    # Arguments
        regularizer: a `Regularizer` instance (or `None`).

    # Returns
        `{'class_name': 'L1L2', 'config': {'l1': ..., 'l2': ...}}`, or `None`.
    """
    return serialize_keras_object(regularizer)


def deserialize(config, custom_objects=None):
    """Builds a regularizer from a config dictionary or a name.

    # Arguments
        config: `{'class_name': ..., 'config': ...}` or a name such as `'l2'`.
        custom_objects: optional dictionary of extra regularizers by name.

    # Returns
        A regularizer.

    # Raises
        ValueError: for an unknown name, listing the known ones.
    """
    if isinstance(config, str):
        obj = deserialize_keras_object(config, module_objects=_MODULE_OBJECTS,
                                       custom_objects=custom_objects,
                                       printable_module_name='regularizer')
        if isinstance(obj, type) or obj in _FACTORIES:
            return obj()
        return obj
    return deserialize_keras_object(config, module_objects=_MODULE_OBJECTS,
                                    custom_objects=custom_objects,
                                    printable_module_name='regularizer')


def get(identifier):
    """Resolves a regularizer given by name, config, callable or `None`.

    # Arguments
        identifier: `None`, a name (`'l1'`, `'l2'`, `'l1_l2'`), a config dictionary or a callable.

    # Returns
        A regularizer, or `None`.

    # Raises
        ValueError: for an unknown name or an identifier that cannot be interpreted.
    """
    if identifier is None:
        return None
    if isinstance(identifier, (dict, str)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError('Could not interpret regularizer identifier: %r. Expected None, a name '
                     '(e.g. "l2"), a config dictionary or a callable.' % (identifier,))
