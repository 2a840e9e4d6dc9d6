"""The symbolic corner of the backend on TensorFlow 2: `placeholder`, `function`, `is_keras_tensor`.

Keras 2 built TF1 graphs with placeholders and ran them with `K.function`. Here a placeholder is an
`Input` tensor of the functional API, and `K.function` runs the part of a layer graph between given
inputs and outputs, which is what Keras 2 code used it for (reading intermediate activations).
"""
import numpy as np
import tensorflow as tf

from kernelkit.engine import keras_tensor


def is_keras_tensor(x):
    """Tells whether `x` is a symbolic tensor of the functional API (from `Input` or a layer).

    # Arguments
        x: anything.

    # Returns
        A boolean.
    """
    return keras_tensor.is_keras_tensor(x)


def placeholder(shape=None, ndim=None, dtype=None, sparse=False, name=None):
    """Creates a symbolic input tensor (an `Input`), the TF2 stand-in for a TF1 placeholder.

    # Arguments
        shape: full shape, batch dimension included (`None` entries are free).
        ndim: rank, when `shape` is not given (every dimension free).
        dtype: dtype name (default `floatx()`).
        sparse: whether the data will be sparse.
        name: optional name.

    # Returns
        A `KerasTensor`.

    # Raises
        ValueError: if neither `shape` nor `ndim` is given.
    """
    from kernelkit.engine.input_layer import Input
    if shape is None:
        if ndim is None:
            raise ValueError('placeholder needs a `shape` or an `ndim`.')
        shape = (None,) * ndim
    return Input(batch_shape=tuple(shape), dtype=dtype, sparse=sparse, name=name)


def is_placeholder(x):
    """Tells whether `x` was made by `placeholder` or `Input`.

    # Arguments
        x: anything.

    # Returns
        A boolean.
    """
    from kernelkit.engine.input_layer import InputLayer
    history = getattr(x, '_keras_history', None)
    return is_keras_tensor(x) and history is not None and isinstance(history[0], InputLayer)


class Function:
    """A callable that computes symbolic `outputs` from values fed for symbolic `inputs`.

    An entry of `inputs` that is not a symbolic tensor (such as `K.learning_phase()`) is the learning-phase
    slot: the value fed there (0 or 1) selects test or training behaviour.

    # Arguments
        inputs: list of symbolic inputs (from `Input`/`placeholder`), optionally `K.learning_phase()`.
        outputs: list of symbolic tensors computed from them.
        updates: accepted for Keras 2 code; TF2 applies updates inside layers.
        name: ignored.

    # Raises
        ValueError: if an output cannot be computed from the inputs.
    """

    def __init__(self, inputs, outputs, updates=None, name=None, **kwargs):
        from kernelkit.engine.network import Network
        self.inputs = list(inputs)
        self.outputs = list(outputs)
        self._phase_index = [i for i, x in enumerate(self.inputs) if not is_keras_tensor(x)]
        symbolic_inputs = [x for x in self.inputs if is_keras_tensor(x)]
        self._graph = Network(symbolic_inputs, self.outputs, name='k_function')

    def __call__(self, values):
        values = list(values)
        if len(values) != len(self.inputs):
            raise ValueError('This function expects %d input values, got %d.' % (len(self.inputs), len(values)))
        training = bool(values[self._phase_index[0]]) if self._phase_index else None
        tensors = [tf.convert_to_tensor(np.asarray(v), dtype=x.dtype)
                   for v, x in zip(values, self.inputs) if is_keras_tensor(x)]
        outputs, _ = self._graph._run_graph(tensors, training=training)
        return [o.numpy() for o in outputs]


def function(inputs, outputs, updates=None, **kwargs):
    """Makes a callable that evaluates `outputs` from values for `inputs` (see `Function`).

    # Arguments
        inputs: list of symbolic inputs, optionally including `K.learning_phase()`.
        outputs: list of symbolic tensors.
        updates: accepted for Keras 2 code.
        **kwargs: accepted for Keras 2 code (`name`).

    # Returns
        A `Function`; call it with a list of numpy arrays to get a list of numpy arrays.
    """
    return Function(inputs, outputs, updates=updates, **kwargs)
