"""Built-in optimizers (Keras 2.2 update rules) for TensorFlow 2.

An optimizer keeps its hyper-parameters (`lr`, `decay`, ...) in `tf.Variable`s created by the
constructor, so `opt.lr = 0.01` changes the rate of a compiled `tf.function` training step without
retracing it. Per-weight state ("slots") is created by `build(params)`, eagerly and before training;
`apply_gradients(grads, params)` then only reads and assigns variables, which makes it safe inside
`tf.function` (and distribution strategies).

The package: `base` (the `Optimizer` class), `rules` (the built-in update rules), `tf_optimizer`
(`TFOptimizer`, `clip_norm`); this module re-exports them and resolves names (`get`, `deserialize`).
The update rules, the order of `weights` (for saving) and `get_config` follow Keras 2.2.4.
"""
import tensorflow as tf

from kernelkit.optimizers.base import Optimizer, _check_number, _HyperParameter, _pop_lr  # noqa: F401
from kernelkit.optimizers.rules import SGD, Adadelta, Adagrad, Adam, Adamax, Nadam, RMSprop
from kernelkit.optimizers.tf_optimizer import TFOptimizer, clip_norm  # noqa: F401
from kernelkit.utils.generic_utils import deserialize_keras_object, serialize_keras_object

# Keras 2.2 lowercase aliases.
sgd = SGD
rmsprop = RMSprop
adagrad = Adagrad
adadelta = Adadelta
adam = Adam
adamax = Adamax
nadam = Nadam

_OPTIMIZERS = {'sgd': SGD, 'rmsprop': RMSprop, 'adagrad': Adagrad, 'adadelta': Adadelta,
               'adam': Adam, 'adamax': Adamax, 'nadam': Nadam}


def serialize(optimizer):
    """Returns `{'class_name': ..., 'config': ...}` for an optimizer.

    # Arguments
        optimizer: an `Optimizer` instance.

    # Returns
        A dictionary.
    """
    return serialize_keras_object(optimizer)


def deserialize(config, custom_objects=None):
    """Creates an optimizer from `{'class_name': ..., 'config': ...}` (built-in names in any case).

    # Arguments
        config: the dictionary (it is not modified).
        custom_objects: optional dictionary of custom optimizer classes by name.

    # Returns
        A new optimizer.

    # Raises
        ValueError: for an unknown class name (listing the known ones) or an ill-formed config.
    """
    if isinstance(config, dict) and isinstance(config.get('class_name'), str):
        config = dict(config)
        if config['class_name'].lower() in _OPTIMIZERS:
            config['class_name'] = config['class_name'].lower()
    return deserialize_keras_object(config, module_objects=_OPTIMIZERS, custom_objects=custom_objects,
                                    printable_module_name='optimizer')


def get(identifier):
    """Resolves an optimizer identifier.

    # Arguments
        identifier: an `Optimizer` (returned unchanged), a TensorFlow `tf.compat.v1.train.Optimizer`
            (wrapped in `TFOptimizer`), a name such as `'adam'` (any case; default arguments), or a
            `{'class_name': ..., 'config': ...}` dictionary.

    # Returns
        An `Optimizer` instance.

    # Raises
        ValueError: for an unknown name or an identifier of any other kind.
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, tf.compat.v1.train.Optimizer):
        return TFOptimizer(identifier)
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return deserialize({'class_name': identifier, 'config': {}})
    raise ValueError('Could not interpret optimizer identifier: %r (expected an Optimizer instance, '
                     'a name such as %s, or a config dictionary).'
                     % (identifier, ', '.join(repr(n) for n in sorted(_OPTIMIZERS))))
