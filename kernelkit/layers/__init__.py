"""The Keras 2 layers (`kernelkit.layers`), one module per family, and the layer registry.

The registry (class name -> class) is the single place that turns a layer config back into a layer: model
configs, saved files, the notebook builder's palette and the Keras 1 loader all go through `deserialize`.
"""
from kernelkit.engine.base_layer import Layer
from kernelkit.engine.input_layer import Input, InputLayer
from kernelkit.engine.input_spec import InputSpec
from kernelkit.layers.core import (Activation, ActivityRegularization, Dense, Dropout, Flatten, Lambda, Masking,
                                   Permute, RepeatVector, Reshape)
from kernelkit.layers.convolutional import *  # noqa: F401,F403
from kernelkit.layers.convolutional_reshaping import *  # noqa: F401,F403
from kernelkit.layers.pooling import *  # noqa: F401,F403
from kernelkit.layers.embeddings import Embedding
from kernelkit.layers.merge import (Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract, add,
                                    average, concatenate, dot, maximum, minimum, multiply, subtract)
from kernelkit.layers.normalization import BatchNormalization
from kernelkit.layers.advanced_activations import ELU, PReLU, LeakyReLU, ReLU, Softmax, ThresholdedReLU
from kernelkit.layers.noise import AlphaDropout, GaussianDropout, GaussianNoise
from kernelkit.layers.spatial_dropout import SpatialDropout1D, SpatialDropout2D, SpatialDropout3D
from kernelkit.layers.wrappers import Bidirectional, TimeDistributed, Wrapper
from kernelkit.layers.local import LocallyConnected1D, LocallyConnected2D
from kernelkit.layers.recurrent_cells import *  # noqa: F401,F403
from kernelkit.layers.recurrent import *  # noqa: F401,F403
from kernelkit.layers.convolutional_recurrent import *  # noqa: F401,F403
from kernelkit.layers.cudnn_recurrent import CuDNNGRU, CuDNNLSTM
from kernelkit.utils.generic_utils import deserialize_keras_object, serialize_keras_object


def registry():
    """Returns the dictionary of every layer class kernelkit knows, by class name.

    # Returns
        A new dictionary `{class_name: class}` (models included, for nested models in configs).
    """
    from kernelkit.engine.sequential import Sequential
    from kernelkit.engine.training import Model
    classes = {name: value for name, value in globals().items()
               if isinstance(value, type) and issubclass(value, Layer)}
    classes.update({'Model': Model, 'Functional': Model, 'Sequential': Sequential})
    return classes


def serialize(layer):
    """Returns `{'class_name': ..., 'config': ...}` for a layer.

    # Arguments
        layer: a layer instance.

    # Returns
        A dictionary.
    """
    return serialize_keras_object(layer)


def deserialize(config, custom_objects=None):
    """Creates a layer (or model) from `{'class_name': ..., 'config': ...}`.

    # Arguments
        config: the dictionary.
        custom_objects: dictionary of custom classes by name.

    # Returns
        A layer instance.

    # Raises
        ValueError: for an unknown class name (suggesting `custom_objects`).
    """
    from kernelkit.engine.saving import check_config_depth
    from kernelkit.engine.saving.config_compat import normalize_layer_config
    check_config_depth(config, 'The layer config')
    if isinstance(config, dict) and 'class_name' in config and not isinstance(config['class_name'], str):
        raise ValueError('Improper config format for layer: its `class_name` must be a string, not %r.'
                         % (config['class_name'],))
    if isinstance(config, dict) and 'config' in config and not isinstance(config['config'], (dict, list)):
        raise ValueError('Improper config format for layer %r: its `config` must be a dictionary, not a %s.'
                         % (config.get('class_name'), type(config['config']).__name__))
    try:
        return deserialize_keras_object(normalize_layer_config(config), module_objects=registry(),
                                        custom_objects=custom_objects, printable_module_name='layer')
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError) as error:
        replacement = _naming_the_layer(error, config)
        if replacement is error:
            raise
        raise replacement from error


def _naming_the_layer(error, entry):
    """The error to raise when a layer config fails: kernelkit's ValueError/TypeError/KeyError gain the
    layer's name and class when the message lacks them; a Python error from deep inside a constructor
    (IndexError, AttributeError, OverflowError: a value of the wrong type or size) becomes a ValueError."""
    inner = entry.get('config') if isinstance(entry, dict) else None
    name = inner.get('name') if isinstance(inner, dict) else None
    class_name = entry.get('class_name') if isinstance(entry, dict) else None
    message = str(error.args[0]) if isinstance(error, KeyError) and error.args else str(error)
    label = ('Layer "%s" (%s)' % (name, class_name) if name else
             'A layer config with class_name %r' % (class_name,))
    if not isinstance(error, (ValueError, TypeError, KeyError)):
        return ValueError('%s could not be built from its config: %s: %s (check the values of its config).'
                          % (label, type(error).__name__, message))
    if (name and str(name) in message) or class_name is None:
        return error
    text = '%s: %s' % (label, message)
    try:
        return type(error)(text)
    except TypeError:  # an exception class with another signature
        return (ValueError if isinstance(error, ValueError) else TypeError if isinstance(error, TypeError)
                else KeyError)(text)

