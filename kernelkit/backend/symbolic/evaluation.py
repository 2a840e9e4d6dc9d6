"""Running a symbolic graph on real values: the one graph runner of kernelkit.

An `Evaluation` maps symbolic tensors to real values. It starts from *feeds* (values given for some
tensors, e.g. a model's inputs) and computes any other tensor on demand by running, in order, the
nodes between the feeds and that tensor. Every value is computed once per evaluation and remembered,
so a loss that closes over `z_mean` reads the very tensor the forward pass computed.

Evaluations form a per-thread stack. While one is active, a backend function or operator applied to a
`KerasTensor` computes on the tensor's value instead of recording a new node; that is how a loss,
a metric or a layer's `call` may use any tensor of the model.

A `TraceScope` is the other kind of context: while a layer's output shapes are worked out (by
tracing its `call` in a scratch graph), a closed-over `KerasTensor` stands for a placeholder of its
static shape.
"""
import threading

import tensorflow as tf

from .graph import KerasTensor


class UnfedInputError(ValueError):
    """A symbolic tensor needs the value of a source (input or placeholder) that was not fed."""


class _State(threading.local):
    def __init__(self):
        self.contexts = []
        self.layer_calls = 0


_STATE = _State()


def current():
    """The innermost active `Evaluation` or `TraceScope` of this thread, or `None`."""
    return _STATE.contexts[-1] if _STATE.contexts else None


def current_training():
    """The `training` flag of the innermost active evaluation (`None` when there is none or unset)."""
    context = current()
    return context.training if isinstance(context, Evaluation) else None


class layer_call_scope:
    """Marks a layer's `call` in progress (the engine enters it), so that `K.update` inside a layer
    applies at once even when running eagerly, while a top-level `K.update` is deferred as in Keras 2."""

    def __enter__(self):
        _STATE.layer_calls += 1

    def __exit__(self, *exc):
        _STATE.layer_calls -= 1


def in_layer_call():
    """Whether a layer's `call` is running on this thread."""
    return _STATE.layer_calls > 0


class _Context:
    def __enter__(self):
        _STATE.contexts.append(self)
        return self

    def __exit__(self, *exc):
        contexts = _STATE.contexts
        for index in range(len(contexts) - 1, -1, -1):  # the innermost entry: a context may be re-entered
            if contexts[index] is self:
                del contexts[index]
                break


class TraceScope(_Context):
    """While active, a `KerasTensor` that a traced function closes over becomes a placeholder.

    Used when a layer's `call` (or a backend function) is traced in a scratch graph only to learn the
    shapes of its outputs; the placeholders are never run.
    """

    def __init__(self):
        self._placeholders = {}

    def resolve(self, tensor):
        placeholder = self._placeholders.get(id(tensor))
        if placeholder is None:
            placeholder = tf.raw_ops.Placeholder(dtype=tensor.dtype, shape=tensor.shape)
            self._placeholders[id(tensor)] = (placeholder, tensor)
            return placeholder
        return placeholder[0]


class Evaluation(_Context):
    """Values of symbolic tensors for one run of a graph (see the module docstring).

    # Arguments
        feeds: list of `(KerasTensor, value)` pairs.
        training: the learning phase of this run (`True`/`False`, 1/0), or `None` for the default.
        masks: optional list of `(KerasTensor, mask value)` pairs.
    """

    def __init__(self, feeds=(), training=None, masks=()):
        self.training = training
        self._values = {}
        self._masks = {}
        self._tensors = []  # keeps the keys' tensors alive, so their ids stay unique
        for tensor, value in feeds:
            self.set(tensor, value)
        for tensor, mask in masks:
            if mask is not None:
                self._masks[id(tensor)] = mask

    def set(self, tensor, value, mask=None):
        """Records the value (and mask) of a symbolic tensor."""
        self._values[id(tensor)] = value
        self._tensors.append(tensor)
        if mask is not None:
            self._masks[id(tensor)] = mask

    def knows(self, tensor):
        return id(tensor) in self._values

    def feeds_exactly(self, tensors, values):
        """Whether this evaluation was fed exactly these values for these tensors (same objects)."""
        return all(self._values.get(id(t)) is v for t, v in zip(tensors, values))

    def mask(self, tensor):
        return self._masks.get(id(tensor))

    def value(self, tensor):
        """The value of a symbolic tensor, computing what is missing.

        # Raises
            UnfedInputError: if the tensor depends on an input or placeholder that was not fed.
        """
        found = self._values.get(id(tensor))
        if found is not None:
            return found
        self.run_nodes(plan([tensor], self.knows))
        return self._values[id(tensor)]

    def resolve(self, tensor):
        """Like `value`, but an unreachable tensor is looked up in the enclosing contexts (a nested
        model's run is inside its caller's), and failing that the first error is raised."""
        contexts = _STATE.contexts
        start = max([i for i, c in enumerate(contexts) if c is self] or [len(contexts) - 1])
        first_error = None
        for context in reversed(contexts[:start + 1]):
            if isinstance(context, TraceScope):
                return context.resolve(tensor)
            try:
                return context.value(tensor)
            except UnfedInputError as error:
                first_error = first_error or error
        raise first_error

    def run_nodes(self, nodes):
        """Computes the given nodes in order (each one's inputs must be known by then)."""
        for node in nodes:
            inputs = [self._values[id(t)] for t in node.input_tensors]
            masks = [self._masks.get(id(t)) for t in node.input_tensors]
            outputs, output_masks = node.outbound_layer._run_node(node, inputs, masks, self)
            for tensor, value, mask in zip(node.output_tensors, outputs, output_masks):
                self.set(tensor, value, mask)


def plan(tensors, known):
    """The nodes to run, in order, to compute `tensors` from the tensors for which `known` is true.

    # Arguments
        tensors: the `KerasTensor`s wanted.
        known: a predicate telling whether a tensor's value is already available.

    # Returns
        A list of nodes, each after the nodes producing its inputs.

    # Raises
        UnfedInputError: naming the first input or placeholder needed but not available.
        ValueError: for a tensor that no operation produced.
    """
    order, done, on_path = [], set(), set()
    for tensor in tensors:
        if known(tensor):
            continue
        stack = [(_producer(tensor), False)]
        while stack:
            node, expanded = stack.pop()
            if id(node) in done:
                continue
            if expanded:
                on_path.discard(id(node))
                done.add(id(node))
                order.append(node)
                continue
            if id(node) in on_path:
                raise ValueError('The graph has a cycle at %s.' % node.outbound_layer.name)
            operation = node.outbound_layer
            if operation.is_source and not node.input_tensors:
                wanted = [t for t in node.output_tensors if not known(t)]
                raise UnfedInputError(
                    'This computation needs a value for %s %r (%s), which was not given: feed it '
                    '(list it among the inputs of `K.function`, or pass it to the model), or use '
                    'tensors of one connected graph.' % (_source_kind(operation), operation.name,
                                                         wanted[0] if wanted else ''))
            on_path.add(id(node))
            stack.append((node, True))
            for inbound in node.input_tensors:
                if not known(inbound):
                    producer = _producer(inbound)
                    if id(producer) not in done:
                        stack.append((producer, False))
    return order


def _producer(tensor):
    if not isinstance(tensor, KerasTensor) or tensor._keras_history is None:
        raise ValueError('%r is not the output of a layer or backend operation, so it cannot be '
                         'computed.' % (tensor,))
    operation, node_index, _ = tensor._keras_history
    return operation._inbound_nodes[node_index]


def _source_kind(operation):
    return 'placeholder' if type(operation).__name__ == 'Placeholder' else 'input'


def resolve(tensor):
    """The value of `tensor` in the innermost active context.

    # Raises
        TypeError: when no evaluation or trace is active (the tensor has no value now).
        UnfedInputError: when the active evaluations cannot compute it.
    """
    context = current()
    if context is None:
        raise TypeError('Symbolic tensor %s has no value outside a running graph. Apply `K.*` '
                        'functions or operators to it (they record new symbolic tensors), or evaluate '
                        'it with `K.function`.' % (tensor.name,))
    return context.resolve(tensor)


def _convert_keras_tensor(value, dtype=None, name=None, as_ref=False):
    """TensorFlow's conversion of a `KerasTensor`: its value while a graph runs, else a `TypeError`
    (which lets Python fall back to the tensor's reflected operators: `tf_tensor + x`)."""
    tensor = resolve(value)
    if dtype is not None and tensor.dtype != tf.as_dtype(dtype):
        return tf.cast(tensor, dtype)
    return tensor


tf.register_tensor_conversion_function(KerasTensor, _convert_keras_tensor)


# A `tf.Variable`'s operators read the variable's value first and hand it to the tensor operator, so
# `variable * symbolic` would record a snapshot of the variable: gradients with respect to it would be
# zero and a later step would see the old value. With a symbolic operand they step aside instead, and
# Python calls the `KerasTensor`'s reflected operator with the variable itself, as Keras 2 recorded it.
_VARIABLE_OPERATORS = ('__add__', '__sub__', '__mul__', '__truediv__', '__floordiv__', '__mod__',
                       '__pow__', '__matmul__', '__lt__', '__le__', '__gt__', '__ge__', '__and__',
                       '__or__', '__xor__', '__radd__', '__rsub__', '__rmul__', '__rtruediv__',
                       '__rfloordiv__', '__rmod__', '__rpow__', '__rmatmul__', '__rand__', '__ror__',
                       '__rxor__')


def _defer_to_symbolic(operator):
    def variable_operator(self, other):
        if isinstance(other, KerasTensor):
            return NotImplemented
        return operator(self, other)
    variable_operator.__name__ = operator.__name__
    variable_operator.__doc__ = operator.__doc__
    return variable_operator


def _let_variables_defer_to_symbolic_tensors():
    from tensorflow.python.ops import resource_variable_ops
    variable_class = resource_variable_ops.BaseResourceVariable
    for name in _VARIABLE_OPERATORS:
        operator = getattr(variable_class, name, None)
        if operator is not None and not hasattr(operator, '_defers_to_symbolic'):
            patched = _defer_to_symbolic(operator)
            patched._defers_to_symbolic = True
            setattr(variable_class, name, patched)


_let_variables_defer_to_symbolic_tensors()
