"""`K.placeholder`, `K.function`, and evaluating symbolic expressions (`K.eval` on them).

`K.function(inputs, outputs, updates)` is Keras 2's way to run part of a graph: any symbolic tensors
as outputs (layer outputs, losses, `K.gradients`), fed from values for `inputs` (placeholders, model
inputs, any tensor, and optionally `K.learning_phase()`). It is compiled with `tf.function` once per
learning phase, with the inputs' static shapes as the signature (free batch dimension), so repeated
calls do not retrace. Inside, gradients are TensorFlow graph gradients, as in Keras 2.
"""
import functools

import numpy as np
import tensorflow as tf

from kernelkit.backend import config as backend_config
from . import evaluation, templates
from .graph import KerasTensor, is_symbolic
from .ops import Placeholder


def placeholder(shape=None, ndim=None, dtype=None, sparse=False, name=None):
    """Instantiates a placeholder: a symbolic tensor whose value is fed when a graph runs.

    # Arguments
        shape: full shape, batch dimension included (`None` entries are free).
        ndim: rank, when `shape` is not given (every dimension free).
        dtype: dtype name (default `floatx()`).
        sparse: whether the data will be sparse (it is fed as a dense array).
        name: optional name.

    # Returns
        A `KerasTensor`.

    # Raises
        ValueError: if neither `shape` nor `ndim` is given.
    """
    if shape is None:
        if ndim is None:
            raise ValueError('`placeholder` needs a `shape` or an `ndim`.')
        shape = (None,) * ndim
    return Placeholder(tuple(shape), dtype or backend_config.floatx(), sparse=sparse, name=name).tensor


def is_placeholder(x):
    """Tells whether `x` is a placeholder (from `K.placeholder` or `Input`).

    # Arguments
        x: anything.

    # Returns
        A boolean.
    """
    if not is_symbolic(x) or x._keras_history is None:
        return False
    operation, _, _ = x._keras_history
    return bool(getattr(operation, 'is_placeholder', False))


def _is_phase_slot(x):
    """`K.learning_phase()` outside a running graph is the number 0 or 1: that entry of `inputs` is the
    learning-phase slot."""
    return not is_symbolic(x) and isinstance(x, (int, np.integer, bool)) and x in (0, 1)


class Function:
    """A callable that computes `outputs` from values fed for `inputs`, then applies `updates`.

    # Arguments
        inputs: list of symbolic tensors to feed (placeholders, model inputs, any tensor), optionally
            with `K.learning_phase()` among them: the value fed there (0 or 1) selects test or training
            behaviour (Dropout, BatchNormalization).
        outputs: list of symbolic tensors (or variables) to compute.
        updates: list of `(variable, new_value)` pairs or of what `K.update`, `K.update_add`,
            `K.update_sub`, `K.moving_average_update` and `Optimizer.get_updates` return; applied after
            the outputs are computed, every call.
        name: a name for the compiled function.

    # Raises
        TypeError: if `inputs` or `outputs` is not a list or tuple.
        ValueError: if an output or update needs an input that is not among `inputs` (naming it).
    """

    def __init__(self, inputs, outputs, updates=None, name=None, **kwargs):
        if not isinstance(inputs, (list, tuple)):
            raise TypeError('`inputs` to a backend function should be a list or tuple, got %r.' % (inputs,))
        if isinstance(outputs, KerasTensor) or not isinstance(outputs, (list, tuple)):
            raise TypeError('`outputs` of a backend function should be a list or tuple, got %r.'
                            % (outputs,))
        if kwargs:
            raise ValueError('Invalid argument(s) to `K.function`: %s.' % ', '.join(sorted(kwargs)))
        self.inputs = list(inputs)
        self.outputs = list(outputs)
        self.updates = list(updates or [])
        self.name = name or 'k_function'
        self._phase_index = None
        self._fed = []
        for index, x in enumerate(self.inputs):
            if is_symbolic(x):
                self._fed.append((index, x))
            elif _is_phase_slot(x):
                self._phase_index = index
            else:
                raise TypeError('Input %d of `K.function` is %r: inputs must be symbolic tensors '
                                '(placeholders, model inputs, layer outputs) or `K.learning_phase()`.'
                                % (index, x))
        fed_ids = set(id(x) for _, x in self._fed)
        wanted = [t for t in self.outputs if is_symbolic(t)]
        wanted += [t for update in self.updates for t in _update_tensors(update)]
        evaluation.plan(wanted, lambda t: id(t) in fed_ids)  # a missing feed fails here, naming it
        self._compiled = {}

    def _signature(self):
        return [tf.TensorSpec(x.shape, x.dtype) for _, x in self._fed]

    def _run(self, phase, *values):
        feeds = [(x, v) for (_, x), v in zip(self._fed, values)]
        training = None if phase is None else bool(phase)
        with evaluation.Evaluation(feeds, training=training) as run:
            results = [_read(run, t) for t in self.outputs]
            pending = [prepare_update(run, update) for update in self.updates]
            with tf.control_dependencies([r for r in results if tf.is_tensor(r)]):
                for apply_update in pending:
                    apply_update()
        return results

    def __call__(self, inputs):
        if isinstance(inputs, dict):
            inputs = [inputs[x] for x in self.inputs]
        if not isinstance(inputs, (list, tuple)):
            raise TypeError('`inputs` should be a list or tuple, got %r.' % (type(inputs).__name__,))
        if len(inputs) != len(self.inputs):
            raise ValueError('This function expects %d input values (one per entry of its `inputs`), got %d.'
                             % (len(self.inputs), len(inputs)))
        phase = None
        if self._phase_index is not None:
            phase = int(np.asarray(inputs[self._phase_index]))
            if phase not in (0, 1):
                raise ValueError('The learning phase must be fed 0 or 1, got %r.' % (inputs[self._phase_index],))
        values = [_feed_value(x, inputs[index]) for index, x in self._fed]
        compiled = self._compiled.get(phase)
        if compiled is None:
            def run(*tensors):
                return self._run(phase, *tensors)
            run.__name__ = self.name
            # A partial is its own key in TensorFlow's retracing detector (one trace per function).
            compiled = tf.function(functools.partial(run), input_signature=self._signature(), autograph=False)
            self._compiled[phase] = compiled
        results = compiled(*values)
        return [_to_numpy(r) for r in results]


def _feed_value(x, value):
    """A fed value as a tensor of the placeholder's dtype, checked against its static shape."""
    if isinstance(value, (tf.Tensor, tf.Variable)):
        tensor = tf.cast(value, x.dtype) if value.dtype != x.dtype else tf.convert_to_tensor(value)
    else:
        array = np.asarray(value)
        if array.dtype == object:
            raise ValueError('The value fed for %s is not numeric: %r.' % (x.name, value))
        tensor = tf.convert_to_tensor(array.astype(x.dtype.as_numpy_dtype, copy=False))
    if not x.shape.is_compatible_with(tensor.shape):
        raise ValueError('The value fed for %s has shape %s, but the tensor has shape %s.'
                         % (x.name, tuple(tensor.shape.as_list()), x._keras_shape))
    return tensor


def _read(run, x):
    if is_symbolic(x):
        return run.value(x)
    if isinstance(x, tf.Variable):
        return x.read_value()
    return tf.convert_to_tensor(x)


def _update_tensors(update):
    if is_symbolic(update):
        return [update]
    if isinstance(update, (list, tuple)) and len(update) == 2:
        return [update[1]] if is_symbolic(update[1]) else []
    return []


_ASSIGNING_OPS = frozenset(['update', 'update_add', 'update_sub', 'moving_average_update'])


def _snapshot(value):
    """A variable's current value (read now, before any update is applied); anything else as it is."""
    return value.read_value() if isinstance(value, tf.Variable) else value


def prepare_update(run, update):
    """Computes what an update needs now, and returns a function that applies it.

    So every update reads the values from before any of them is applied, as in one step of Keras 2:
    `updates=[(a, b), (b, a)]` swaps `a` and `b`, and so does `[K.update(a, b), K.update(b, a)]`.

    # Arguments
        run: the active `Evaluation`.
        update: a `(variable, new_value)` pair or what a top-level `K.update` (and friends) or
            `Optimizer.get_updates` returned.

    # Returns
        A function of no arguments that applies the update.

    # Raises
        TypeError: for anything else.
    """
    if is_symbolic(update):
        operation, node_index, _ = update._keras_history
        node = operation._inbound_nodes[node_index]
        inputs = [run.value(inbound) for inbound in node.input_tensors]
        if getattr(operation, 'function_name', None) in _ASSIGNING_OPS:
            # `K.update(x, new_x)` and friends: the target stays the variable, a variable given as the
            # new value (or increment, or moving-average value) is read now.
            args, kwargs = templates.fill(operation.template, inputs)
            args = list(args[:1]) + [_snapshot(a) for a in args[1:]]
            kwargs = {key: _snapshot(value) for key, value in kwargs.items()}
            return lambda: operation.fn(*args, **kwargs)
        return lambda: run.value(update)
    if isinstance(update, (list, tuple)) and len(update) == 2 and isinstance(update[0], tf.Variable):
        variable, new_value = update
        value = run.value(new_value) if is_symbolic(new_value) else _snapshot(new_value)
        value = tf.cast(value, variable.dtype) if tf.is_tensor(value) else value
        return lambda: variable.assign(value)
    if isinstance(update, (tf.Tensor, tf.Operation, tf.Variable)):
        return lambda: None  # already applied where it was created (TensorFlow 2 runs eagerly)
    raise TypeError('An update of `K.function` must be a `(variable, new_value)` pair or what `K.update` '
                    'returns, got %r.' % (update,))


def _to_numpy(value):
    return value.numpy() if hasattr(value, 'numpy') else np.asarray(value)


def function(inputs, outputs, updates=None, **kwargs):
    """Instantiates a Keras function (see `Function`).

    # Arguments
        inputs: list of symbolic tensors to feed, optionally including `K.learning_phase()`.
        outputs: list of symbolic tensors to compute.
        updates: list of update pairs or update ops, applied after the outputs every call.
        **kwargs: `name`.

    # Returns
        A `Function`; call it with a list of numpy arrays to get a list of numpy arrays.

    # Raises
        TypeError: for inputs or outputs that are not lists.
        ValueError: if an output needs an input that is not fed.
    """
    return Function(inputs, outputs, updates=updates, **kwargs)


def evaluate(x):
    """The numpy value of a symbolic expression that needs no feed (of variables and constants).

    # Raises
        ValueError: naming the placeholder or input the expression needs.
    """
    try:
        return Function([], [x])([])[0]
    except evaluation.UnfedInputError as error:
        raise ValueError('Cannot evaluate %s without feeding its inputs: %s Use `K.function([...], [x])` '
                         'to feed them.' % (x.name, error)) from None


def should_defer_update():
    """Keras 2 applied `K.update(x, v)` only when the returned op ran. A call made eagerly at the top
    level (not inside a layer's `call` nor a running graph) is therefore recorded as a symbolic update,
    to be applied by `K.function(..., updates=[...])`; elsewhere it applies at once."""
    return (tf.executing_eagerly() and evaluation.current() is None
            and not evaluation.in_layer_call())
