"""`Input` and `InputLayer`: where a functional graph starts."""
from kernelkit.backend import config as backend_config
from kernelkit.engine.base_layer import Layer
from kernelkit.engine.keras_tensor import KerasTensor, Node


class InputLayer(Layer):
    """The layer behind `Input`: it has no weights and one node whose output is the model's input.

    # Arguments
        input_shape: shape without the batch dimension.
        batch_size: optional fixed batch size.
        batch_input_shape: shape with the batch dimension (instead of the two above).
        dtype: dtype of the input (default `K.floatx()`).
        sparse: whether the input is sparse (accepted for Keras 2 configs; dense tensors are fed).
        name: the layer name (default `input_N`).

    # Raises
        ValueError: if neither shape is given, or both are.
    """

    def __init__(self, input_shape=None, batch_size=None, batch_input_shape=None, dtype=None,
                 input_tensor=None, sparse=False, name=None):
        if not name:
            name = 'input_%d' % backend_config.get_uid('input')
        super(InputLayer, self).__init__(name=name, dtype=dtype)
        self.trainable = False
        self.built = True
        self.sparse = sparse
        if input_tensor is not None:
            batch_input_shape = tuple(input_tensor.shape.as_list())
        elif batch_input_shape is None:
            if input_shape is None:
                raise ValueError('InputLayer %s needs an `input_shape` or a `batch_input_shape`.' % name)
            batch_input_shape = (batch_size,) + tuple(input_shape)
        elif input_shape is not None:
            raise ValueError('InputLayer %s: give either `input_shape` or `batch_input_shape`, not both.'
                             % name)
        self.batch_input_shape = tuple(batch_input_shape)
        tensor = KerasTensor(self.batch_input_shape, self.dtype, name=name)
        Node(self, [], [tensor])

    def get_config(self):
        return {'batch_input_shape': self.batch_input_shape, 'dtype': self.dtype,
                'sparse': self.sparse, 'name': self.name}


def Input(shape=None, batch_shape=None, name=None, dtype=None, sparse=False, tensor=None):
    """Creates a symbolic input tensor, the start of a functional model.

    # Arguments
        shape: shape tuple without the batch dimension, e.g. `(784,)`; `None` entries are free.
        batch_shape: shape tuple with the batch dimension, e.g. `(32, 784)`.
        name: optional name of the input layer.
        dtype: the dtype of the data to expect (default `K.floatx()`).
        sparse: whether the data is sparse.
        tensor: an existing tensor whose shape to take.

    # Returns
        A `KerasTensor`.

    # Raises
        ValueError: if no shape is given.
    """
    if shape is None and batch_shape is None and tensor is None:
        raise ValueError('Please provide to Input either a `shape` or a `batch_shape` argument. Note that '
                         '`shape` does not include the batch dimension.')
    if shape is not None and batch_shape is None:
        batch_shape = (None,) + tuple(shape)
    layer = InputLayer(batch_input_shape=batch_shape, name=name, dtype=dtype, sparse=sparse,
                       input_tensor=tensor)
    return layer._inbound_nodes[0].output_tensors[0]

