"""Symbolic tensors, the operations that produce them, and the nodes that connect the two.

In Keras 2 every symbolic tensor was a backend tensor: `model.output`, `layer.output`, a
`K.placeholder` and anything computed from them with `K.*` functions or Python operators. Here a
`KerasTensor` plays that part. It carries a static shape, a dtype and its *history*: the call (`Node`)
of the `Operation` that produced it. An operation is either a layer (the engine's `Layer` derives from
`Operation`) or a recorded backend function (`BackendOp`, in `ops.py`). Walking the nodes backwards
from some tensors to others gives a graph that `evaluation.py` can run on real values.
"""
import tensorflow as tf


class Operation:
    """Something whose calls on symbolic tensors are recorded as `Node`s of a graph.

    Subclasses set `name` and implement `_run_node`, which computes one recorded call on real values.
    Sources (an `Input`'s layer, a placeholder) have nodes without inputs that need a fed value.

    # Attributes
        name: a unique, readable name.
        _inbound_nodes: the recorded calls of this operation, in call order.
        _outbound_nodes: the recorded calls of other operations that consume its outputs.
    """

    is_source = False
    is_placeholder = False
    is_layer = False  # Keras 2 calls only the outputs of layers "Keras tensors"

    def __init__(self, name):
        self.name = name
        self._inbound_nodes = []
        self._outbound_nodes = []

    def _run_node(self, node, inputs, masks, evaluation):
        """Computes a recorded call on real values.

        # Arguments
            node: the `Node` being computed (its `call_kwargs` are the call's arguments).
            inputs: the values of `node.input_tensors`, in order.
            masks: their masks (`None` entries when there is none).
            evaluation: the running `Evaluation` (for its `training` flag).

        # Returns
            `(outputs, masks)`: two lists aligned with `node.output_tensors`.
        """
        raise NotImplementedError


class Node:
    """One call of an operation on symbolic inputs: the edge set of the graph.

    Each node is stored in its operation's `_inbound_nodes` and in the `_outbound_nodes` of every
    operation that produced one of its inputs. The attribute names are Keras 2's (`outbound_layer`,
    `inbound_layers`), which outside code reads.

    # Arguments
        outbound_layer: the operation that was called.
        input_tensors: list of `KerasTensor` inputs (empty for a source's own node).
        output_tensors: list of `KerasTensor` outputs.
        call_kwargs: keyword arguments of the call (e.g. `{'training': True}`), kept for configs.
        creation: `True` for the node a model records for itself when it is built from its inputs and
            outputs (Keras 2's node 0 of a network): it links to no inbound operation and leaves the
            histories of its tensors alone.
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
    def operation(self):
        """The operation this node is a call of (Keras 2 called it `outbound_layer`)."""
        return self.outbound_layer

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


def _apply_operator(name, *operands):
    from kernelkit.backend.symbolic import ops  # ops.py builds on this module
    return ops.apply_operator(name, *operands)


class KerasTensor:
    """A symbolic tensor: a value that exists only when its graph is run.

    Every `K.*` function, every arithmetic and comparison operator and `[...]` slicing applies to it
    and gives a new `KerasTensor`, recorded in the graph. `K.function`, `K.eval`, a `Model` or a loss
    evaluates it. `==` and `!=` compare identity (as TensorFlow 1 tensors did in Keras 2); use
    `K.equal` for an element-wise comparison.

    # Arguments
        shape: the static shape, batch dimension included (`None` for unknown dimensions).
        dtype: a `tf.DType` or its name.
        name: a readable name, used in `repr` and error messages.

    # Attributes
        shape: a `tf.TensorShape`.
        dtype: a `tf.DType`.
        _keras_shape: the shape as a tuple, as Keras 2 stored it.
        _keras_history: `(operation, node_index, tensor_index)` of the call that produced this tensor.
        _keras_mask: a `KerasTensor` describing the mask this tensor carries, or `None`.
    """

    # numpy defers to our reflected operators (`array + x` records `x.__radd__(array)`).
    __array_ufunc__ = None
    __array_priority__ = 100

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
        if self.shape.rank and self.shape[0] is not None:
            return self.shape[0]
        raise TypeError('The length of symbolic tensor %s is unknown until its graph runs. Use '
                        '`K.int_shape(x)` for its static shape or `K.shape(x)[0]` for a symbolic '
                        'length.' % self.name)

    def __iter__(self):
        length = len(self)  # raises for an unknown first dimension
        return iter([self[i] for i in range(length)])

    def __bool__(self):
        raise TypeError('Symbolic tensor %s has no truth value until its graph runs. Use `K.switch` '
                        'or `K.greater(...)` to select values symbolically.' % self.name)

    def __array__(self, dtype=None, copy=None):
        raise TypeError('Symbolic tensor %s cannot become a numpy array: it has no value until its '
                        'graph runs. Evaluate it with `K.function([inputs], [x])`, `K.eval(x)` (when it '
                        'depends on no input), or build a `Model` and call `predict`.' % self.name)

    def __getattr__(self, attr):
        if attr.startswith('__'):
            raise AttributeError(attr)
        raise AttributeError(
            "'KerasTensor' object has no attribute %r. A KerasTensor is symbolic: transform it with "
            "`K.*` functions, operators or layers." % attr)

    def __hash__(self):
        return id(self)

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return self is not other

    def __add__(self, other):
        return _apply_operator('add', self, other)

    def __radd__(self, other):
        return _apply_operator('add', other, self)

    def __sub__(self, other):
        return _apply_operator('sub', self, other)

    def __rsub__(self, other):
        return _apply_operator('sub', other, self)

    def __mul__(self, other):
        return _apply_operator('mul', self, other)

    def __rmul__(self, other):
        return _apply_operator('mul', other, self)

    def __truediv__(self, other):
        return _apply_operator('truediv', self, other)

    def __rtruediv__(self, other):
        return _apply_operator('truediv', other, self)

    def __floordiv__(self, other):
        return _apply_operator('floordiv', self, other)

    def __rfloordiv__(self, other):
        return _apply_operator('floordiv', other, self)

    def __mod__(self, other):
        return _apply_operator('mod', self, other)

    def __rmod__(self, other):
        return _apply_operator('mod', other, self)

    def __pow__(self, other):
        return _apply_operator('pow', self, other)

    def __rpow__(self, other):
        return _apply_operator('pow', other, self)

    def __matmul__(self, other):
        return _apply_operator('matmul', self, other)

    def __rmatmul__(self, other):
        return _apply_operator('matmul', other, self)

    def __neg__(self):
        return _apply_operator('neg', self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _apply_operator('abs', self)

    def __invert__(self):
        return _apply_operator('invert', self)

    def __and__(self, other):
        return _apply_operator('and_', self, other)

    def __rand__(self, other):
        return _apply_operator('and_', other, self)

    def __or__(self, other):
        return _apply_operator('or_', self, other)

    def __ror__(self, other):
        return _apply_operator('or_', other, self)

    def __lt__(self, other):
        return _apply_operator('lt', self, other)

    def __le__(self, other):
        return _apply_operator('le', self, other)

    def __gt__(self, other):
        return _apply_operator('gt', self, other)

    def __ge__(self, other):
        return _apply_operator('ge', self, other)

    def __getitem__(self, key):
        return _apply_operator('getitem', self, key)


def is_symbolic(x):
    """Whether `x` is a `KerasTensor` (an input, a layer output, a placeholder or an expression).

    # Arguments
        x: anything.

    # Returns
        A boolean.
    """
    return isinstance(x, KerasTensor)


def is_keras_tensor(x):
    """Tells whether `x` is a Keras tensor: the output of a layer (or an `Input`), as in Keras 2.

    Expressions of backend functions and placeholders are symbolic tensors too, but, as in Keras 2, not
    Keras tensors until `Input(tensor=x)` adopts them; that is what `keras.applications` code tests.

    # Arguments
        x: a tensor.

    # Returns
        A boolean.

    # Raises
        ValueError: if `x` is not a tensor at all (a number, a numpy array), as Keras 2.2 did.
    """
    if isinstance(x, KerasTensor):
        return x._keras_history is not None and bool(getattr(x._keras_history[0], 'is_layer', False))
    if isinstance(x, (tf.Variable, tf.SparseTensor)) or tf.is_tensor(x):
        return False
    raise ValueError('Unexpectedly found an instance of type `%s`. Expected a symbolic tensor instance.'
                     % (type(x),))


def contains_keras_tensor(value):
    """Whether `value` is a `KerasTensor` or a list, tuple or dict holding one (at any depth)."""
    if isinstance(value, KerasTensor):
        return True
    if isinstance(value, (list, tuple)):
        return any(contains_keras_tensor(v) for v in value)
    if isinstance(value, dict):
        return any(contains_keras_tensor(v) for v in value.values())
    return False
