"""Symbolic tensors and the nodes that connect layers in the functional API.

A `KerasTensor` stands for a tensor that will exist when the model runs. It carries a static shape, a dtype
and its *history*: the layer call (node) that produced it. Calling a layer on KerasTensors records a `Node`
instead of computing anything, and a `Model(inputs, outputs)` is the graph found by walking these nodes
backwards from the outputs.
"""
import tensorflow as tf


class KerasTensor:
    """A symbolic tensor of the functional API.

    # Arguments
        shape: the static shape, batch dimension included (`None` for unknown dimensions).
        dtype: a `tf.DType` or its name.
        name: a readable name, used in `repr` and error messages.

    # Attributes
        shape: a `tf.TensorShape`.
        dtype: a `tf.DType`.
        _keras_shape: the shape as a tuple, as Keras 2 stored it.
        _keras_history: `(layer, node_index, tensor_index)` of the call that produced this tensor.
        _keras_mask: a `KerasTensor` describing the mask this tensor carries, or `None`.
    """

    def __init__(self, shape, dtype='float32', name=None):
        self.shape = tf.TensorShape(shape)
        self.dtype = tf.as_dtype(dtype)
        self.name = name
        self._keras_history = None
        self._keras_mask = None

    @property
    def _keras_shape(self):
        return tuple(self.shape.as_list()) if self.shape.rank is not None else None

    def get_shape(self):
        """Returns the static shape (`tf.TensorShape`), as on a TensorFlow tensor."""
        return self.shape

    @property
    def ndim(self):
        return self.shape.rank

    def __repr__(self):
        return '<KerasTensor %s shape=%s dtype=%s>' % (self.name, self._keras_shape, self.dtype.name)

    def __len__(self):
        raise TypeError('A KerasTensor is symbolic: its length (batch size) is unknown until the model '
                        'runs. Use `K.int_shape(x)` to read its static shape.')

    def __bool__(self):
        raise TypeError('A KerasTensor is symbolic and has no truth value. Use it as a layer input, or '
                        'compare real tensors inside a layer\'s `call`.')

    def __array__(self, dtype=None):
        raise TypeError('A KerasTensor is symbolic and cannot become a numpy array. Build a `Model` and '
                        'call `predict` to get values.')

    def __getattr__(self, attr):
        if attr.startswith('__'):
            raise AttributeError(attr)
        raise AttributeError(
            "'KerasTensor' object has no attribute %r. KerasTensors are symbolic placeholders of the "
            "functional API: to transform one, wrap the operation in a layer (e.g. `Lambda`)." % attr)

    def _operator_error(self, *args):
        raise TypeError('Arithmetic on KerasTensors is not supported: wrap the operation in a layer, '
                        'e.g. `Lambda(lambda t: t * 2)(x)`, or use the merge layers (`add`, `multiply`, ...).')

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _operator_error
    __truediv__ = __rtruediv__ = __matmul__ = __neg__ = __pow__ = __getitem__ = _operator_error

    def __hash__(self):
        return id(self)

    def __eq__(self, other):
        return self is other


def is_keras_tensor(x):
    """Tells whether `x` is a symbolic tensor of the functional API.

    # Arguments
        x: anything.

    # Returns
        `True` for a `KerasTensor`.
    """
    return isinstance(x, KerasTensor)


class Node:
    """One call of a layer on symbolic inputs: the edge set of the functional graph.

    Each node is stored in its layer's `_inbound_nodes` and in the `_outbound_nodes` of every layer that
    produced one of its inputs.

    # Arguments
        outbound_layer: the layer that was called.
        input_tensors: list of `KerasTensor` inputs (empty for an input layer's own node).
        output_tensors: list of `KerasTensor` outputs.
        call_kwargs: keyword arguments of the call (e.g. `{'training': True}`), kept for configs.
        creation: `True` for the node a `Model` records for itself when it is built from its inputs and
            outputs (Keras 2's node 0 of a network): it links to no inbound layer and leaves the histories of
            its tensors alone.
    """

    def __init__(self, outbound_layer, input_tensors, output_tensors, call_kwargs=None, creation=False):
        self.outbound_layer = outbound_layer
        self.input_tensors = list(input_tensors)
        self.output_tensors = list(output_tensors)
        self.call_kwargs = dict(call_kwargs or {})
        self.inbound_layers = []
        self.node_indices = []
        self.tensor_indices = []
        node_index = len(outbound_layer._inbound_nodes)
        outbound_layer._inbound_nodes.append(self)
        if creation:
            return
        for tensor in self.input_tensors:
            layer, node_index_in, tensor_index = tensor._keras_history
            self.inbound_layers.append(layer)
            self.node_indices.append(node_index_in)
            self.tensor_indices.append(tensor_index)
        for layer in self.inbound_layers:
            layer._outbound_nodes.append(self)
        for tensor_index, tensor in enumerate(self.output_tensors):
            tensor._keras_history = (outbound_layer, node_index, tensor_index)

    @property
    def input_shapes(self):
        return [t._keras_shape for t in self.input_tensors]

    @property
    def output_shapes(self):
        return [t._keras_shape for t in self.output_tensors]

    @property
    def input_masks(self):
        return [t._keras_mask for t in self.input_tensors]

    @property
    def output_masks(self):
        return [t._keras_mask for t in self.output_tensors]
