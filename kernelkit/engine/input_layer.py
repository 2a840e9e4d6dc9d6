"""`Input` and `InputLayer`: where a functional graph starts."""
import tensorflow as tf

from kernelkit.backend import config as backend_config
from kernelkit.backend.symbolic import KerasTensor, Node, evaluation
from kernelkit.engine.base_layer import Layer


class InputLayer(Layer):
    """The layer behind `Input`: it has no weights and one node whose output is the model's input.

    With `input_tensor`, the input is that tensor, as in Keras 2: a symbolic expression (say
    `K.concatenate` of variables and a placeholder, the style-transfer pattern) is *adopted*, becoming
    this layer's output, and computes from what it was computed from when it is not fed; a concrete
    tensor or variable is the input's value.

    # Arguments
        input_shape: shape without the batch dimension.
        batch_size: optional fixed batch size.
        batch_input_shape: shape with the batch dimension (instead of the two above).
        dtype: dtype of the input (default `K.floatx()`, or the tensor's).
        input_tensor: an existing tensor to use as the input.
        sparse: whether the input is sparse (accepted for Keras 2 configs; dense tensors are fed).
        name: the layer name (default `input_N`).

    # Raises
        ValueError: if neither shape is given, or both are.
    """

    def __init__(self, input_shape=None, batch_size=None, batch_input_shape=None, dtype=None,
                 input_tensor=None, sparse=False, name=None):
        if not name:
            name = 'input_%d' % backend_config.get_uid('input')
        if input_tensor is not None and dtype is None:
            dtype = input_tensor.dtype.name
        super(InputLayer, self).__init__(name=name, dtype=dtype)
        self.trainable = False
        self.built = True
        self.sparse = sparse
        self._source_node = None  # the adopted expression's original node
        self._constant = None  # a concrete input tensor
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
        if isinstance(input_tensor, KerasTensor) and input_tensor._keras_history is not None:
            operation, node_index, tensor_index = input_tensor._keras_history
            self._source_node = operation._inbound_nodes[node_index]
            self._source_index = tensor_index
            Node(self, self._source_node.input_tensors, [input_tensor])
            return
        if input_tensor is not None:
            self._constant = tf.convert_to_tensor(input_tensor)
        tensor = KerasTensor(self.batch_input_shape, self.dtype, name=name)
        Node(self, [], [tensor])

    @property
    def is_source(self):
        """A plain input (or an adopted placeholder) must be fed; an adopted expression need not."""
        if self._source_node is not None:
            return self._source_node.outbound_layer.is_source
        return self._constant is None

    @property
    def is_placeholder(self):
        if self._source_node is not None:
            return self._source_node.outbound_layer.is_placeholder
        return self._constant is None

    def _run_node(self, node, inputs, masks, evaluation_):
        if self._source_node is not None:
            source = self._source_node
            outputs, output_masks = source.outbound_layer._run_node(source, inputs, masks, evaluation_)
            return [outputs[self._source_index]], [output_masks[self._source_index]]
        if self._constant is not None:
            return [self._constant], [None]
        raise evaluation.UnfedInputError('Input %r must be fed a value.' % self.name)

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
        tensor: an existing tensor to wrap: a placeholder, a symbolic expression (it becomes the input,
            as in Keras 2), or a concrete tensor or variable.

    # Returns
        A `KerasTensor`: `tensor` itself when it is symbolic.

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
