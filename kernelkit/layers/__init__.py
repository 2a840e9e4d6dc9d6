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
    from kernelkit.engine.saving.config_compat import normalize_layer_config
    return deserialize_keras_object(normalize_layer_config(config), module_objects=registry(),
                                    custom_objects=custom_objects, printable_module_name='layer')


__import__('kernelkit.legacy').legacy.install_layer_interfaces(globals())  # Keras 1 compatibility
