"""Backend functions and operators applied to symbolic tensors: `BackendOp` nodes.

`symbolic(name, fn)` wraps a backend function so that it also accepts `KerasTensor`s. Called on
concrete values only, the wrapper calls the function as it is. Called with symbolic tensors among its
arguments (at any depth of lists, tuples and dicts), it does one of three things:

- while an `Evaluation` runs (a model's forward pass and loss, `K.function`), it replaces each
  symbolic tensor by its value and computes at once;
- while a layer's output shapes are traced, it replaces them by placeholders;
- otherwise it records a `BackendOp` node: the function's registered name and its arguments, with the
  symbolic tensors as the node's inputs. The output shapes and dtypes are those TensorFlow infers, found
  by tracing the function once on placeholders; incompatible shapes fail here, naming the operation.

A `BackendOp` is stored in configs by name and arguments (see `templates.py`), never as bytecode.
"""
import operator

import numpy as np
import tensorflow as tf

from kernelkit.backend import config as backend_config
from . import evaluation, templates
from .graph import KerasTensor, Node, Operation, contains_keras_tensor

# name -> the plain (concrete) function; what a BackendOp config refers to.
_FUNCTIONS = {}

_OPERATORS = {
    'add': operator.add, 'sub': operator.sub, 'mul': operator.mul, 'truediv': operator.truediv,
    'floordiv': operator.floordiv, 'mod': operator.mod, 'pow': operator.pow, 'matmul': operator.matmul,
    'neg': operator.neg, 'abs': operator.abs, 'invert': operator.invert, 'and_': operator.and_,
    'or_': operator.or_, 'lt': operator.lt, 'le': operator.le, 'gt': operator.gt, 'ge': operator.ge,
    'getitem': operator.getitem,
}
_OPERATOR_SYMBOLS = {
    'add': '+', 'sub': '-', 'mul': '*', 'truediv': '/', 'floordiv': '//', 'mod': '%', 'pow': '**',
    'matmul': '@', 'neg': 'unary -', 'abs': 'abs', 'invert': '~', 'and_': '&', 'or_': '|', 'lt': '<',
    'le': '<=', 'gt': '>', 'ge': '>=', 'getitem': '[]',
}
for _name, _fn in _OPERATORS.items():
    _FUNCTIONS['operator.' + _name] = _fn


def register(name, fn):
    """Registers a concrete function under `name`, so recorded ops (and configs) can refer to it."""
    _FUNCTIONS[name] = fn


def registered(name):
    """The concrete function registered under `name`.

    # Raises
        ValueError: for an unknown name.
    """
    try:
        return _FUNCTIONS[name]
    except KeyError:
        raise ValueError('Unknown backend operation %r in a BackendOp config. Known operations are the '
                         'functions of `kernelkit.backend` and Python operators.' % (name,))


def symbolic(name, fn, defer=None):
    """Wraps a backend function so that it accepts symbolic tensors (see the module docstring).

    # Arguments
        name: the registered name (the function's name in `kernelkit.backend`).
        fn: the concrete function.
        defer: optional predicate on `(args, kwargs)`: when it holds, a call on concrete values is
            recorded too (for `K.update` and friends, which Keras 2 applied only when run).

    # Returns
        The wrapper, with `fn`'s name and docstring.
    """
    register(name, fn)

    def wrapper(*args, **kwargs):
        if not (contains_keras_tensor(args) or contains_keras_tensor(kwargs)):
            if defer is None or not defer():
                return fn(*args, **kwargs)
        return apply(name, fn, args, kwargs)

    wrapper.__name__ = getattr(fn, '__name__', name)
    wrapper.__qualname__ = wrapper.__name__
    wrapper.__doc__ = fn.__doc__
    wrapper.__module__ = getattr(fn, '__module__', __name__)
    wrapper.__wrapped__ = fn
    return wrapper


def apply(name, fn, args, kwargs, display=None):
    """Applies `fn` to arguments that may hold symbolic tensors: computes in an active context, else
    records a `BackendOp` and returns its symbolic output(s)."""
    context = evaluation.current()
    if context is not None:
        args, kwargs = templates.substitute((args, kwargs), context.resolve)
        return fn(*args, **kwargs)
    op = BackendOp(name, fn, display=display)
    return op._record(args, kwargs)


def apply_operator(name, *operands):
    """Python operator `name` (e.g. `'add'`) on operands of which at least one is symbolic."""
    return apply('operator.' + name, _OPERATORS[name], operands, {},
                 display='operator ' + _OPERATOR_SYMBOLS[name])


class BackendOp(Operation):
    """A recorded application of a backend function (or Python operator) to symbolic tensors.

    Nodes of a `BackendOp` are run by the same graph runner as layer nodes; a model built on them lists
    them in `summary()` and keeps them in its config.

    # Arguments
        function_name: the registered name of the function.
        fn: the concrete function (looked up by name when omitted).
        name: the op's unique name (default: the function name and a counter, e.g. `mean_1`).
        display: how `summary()` shows the op's type (default `K.<function_name>`).
        template: `(args, kwargs)` with the symbolic inputs replaced by slots (from `_record` or a config).
    """

    def __init__(self, function_name, fn=None, name=None, display=None, template=None):
        short = function_name.split('.')[-1].strip('_') or 'op'
        if not name:
            name = '%s_%d' % (short, backend_config.get_uid(short))
        super(BackendOp, self).__init__(name)
        self.function_name = function_name
        self.fn = fn if fn is not None else registered(function_name)
        if display is None and function_name.startswith('operator.'):
            display = 'operator ' + _OPERATOR_SYMBOLS.get(function_name[len('operator.'):], '?')
        self.display = display or ('K.' + function_name if '.' not in function_name else function_name)
        self.template = template
        self._structure = None
        self.trainable = False
        self.built = True

    # Layer-like read-only surface, for summaries and code that walks a graph's operations.
    weights = trainable_weights = non_trainable_weights = losses = updates = property(lambda self: [])

    def count_params(self):
        """A backend op owns no weights: always 0."""
        return 0

    @property
    def output(self):
        outputs = self._inbound_nodes[0].output_tensors
        return outputs[0] if len(outputs) == 1 else list(outputs)

    @property
    def output_shape(self):
        shapes = self._inbound_nodes[0].output_shapes
        return shapes[0] if len(shapes) == 1 else shapes

    def _record(self, args, kwargs):
        """Records the first node of this op on `args`/`kwargs` (holding symbolic tensors)."""
        inputs = []
        self.template = templates.make_template((args, kwargs), inputs)
        return self._record_node(inputs)

    def _replay(self, tensors):
        """Records another node of this op with the template's slots filled by `tensors`."""
        return self._record_node(list(tensors))

    def _record_node(self, inputs):
        outputs = self._trace(inputs)
        flat = tf.nest.flatten(outputs)
        symbolic_outputs = [KerasTensor(t.shape, t.dtype, name='%s/output_%d' % (self.name, i))
                            for i, t in enumerate(flat)]
        Node(self, inputs, symbolic_outputs)
        self._structure = outputs
        return tf.nest.pack_sequence_as(outputs, symbolic_outputs)

    def _call_concrete(self, values):
        args, kwargs = templates.fill(self.template, values)
        return self.fn(*args, **kwargs)

    def _trace(self, inputs):
        """Output structure of the function on placeholders shaped like `inputs` (shape inference)."""
        specs = [tf.TensorSpec(t.shape, t.dtype) for t in inputs]

        def traced(*placeholders):
            with evaluation.TraceScope():
                result = self._call_concrete(list(placeholders))
            return tf.nest.map_structure(_as_tensor, result)

        try:
            concrete = tf.function(traced, autograph=False).get_concrete_function(*specs)
        except NotImplementedError:
            # A TensorFlow operator that cannot combine its operands (`x + np.ones(4)` on a `(None, 3)`
            # tensor) hands them over to numpy, which cannot read a graph tensor: say what is wrong.
            shapes = ', '.join('%s %s' % (t.name, t._keras_shape) for t in inputs)
            arrays = [np.shape(v) for v in tf.nest.flatten(self.template)
                      if isinstance(v, np.ndarray)]
            raise ValueError('%s cannot be applied to symbolic inputs of shapes %s%s: incompatible '
                             'shapes or dtypes.' % (self.display, shapes, ''.join(
                                 ' and a numpy array of shape %s' % (s,) for s in arrays))) from None
        except (ValueError, TypeError, tf.errors.InvalidArgumentError) as error:
            if not inputs:  # a deferred update on concrete values
                raise type(error)('%s failed: %s' % (self.display, _first_line(error))) from None
            shapes = ', '.join('%s %s' % (t.name, t._keras_shape) for t in inputs)
            raise type(error)('%s cannot be applied to symbolic inputs of shapes %s: %s'
                              % (self.display, shapes, _first_line(error))) from None
        return concrete.structured_outputs

    def _run_node(self, node, inputs, masks, evaluation_):
        result = self._call_concrete(inputs)
        flat = [_as_tensor(t) for t in tf.nest.flatten(result)]
        return flat, [None] * len(flat)

    def get_config(self):
        """Returns the op as a JSON-friendly dictionary: the function's name and its arguments.

        # Raises
            ValueError: if an argument cannot be stored (a variable, a tensor, a Python function).
        """
        if self.function_name not in _FUNCTIONS or _FUNCTIONS[self.function_name] is not self.fn:
            raise ValueError('BackendOp %s applies a Python callable (%s), which cannot be stored in a '
                             'config.' % (self.name, self.display))
        return {'name': self.name, 'function': self.function_name,
                'arguments': templates.serialize(self.template, self.name)}

    @classmethod
    def from_config(cls, config):
        """Creates an op from `get_config`'s dictionary (its nodes are recorded by `_replay`).

        # Raises
            ValueError: for an unknown function or malformed arguments.
        """
        try:
            function_name = config['function']
            arguments = config['arguments']
        except (KeyError, TypeError):
            raise ValueError('Improperly formatted BackendOp config %r: it needs "function" and '
                             '"arguments".' % (config,))
        return cls(function_name, name=config.get('name'),
                   template=templates.deserialize(arguments, config.get('name')))


def _as_tensor(value):
    if isinstance(value, tf.Variable) or type(value).__name__ == '_UnreadVariable':
        return tf.convert_to_tensor(value)
    return value


def _first_line(error):
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def apply_callable(name, fn, args, kwargs=None):
    """Records (or, in an active context, computes) an op running a Python callable.

    For the engine's own symbolic steps (an optimizer update, say). Such ops run like any other but
    cannot be stored in a config.

    # Arguments
        name: a readable name for the op.
        fn: the callable, taking concrete values.
        args: its positional arguments, which may hold symbolic tensors.
        kwargs: its keyword arguments.

    # Returns
        The symbolic output(s), or the computed value(s) in an active context.
    """
    return apply(name, fn, tuple(args), dict(kwargs or {}), display=name)


class Placeholder(Operation):
    """The source op behind `K.placeholder`: a symbolic tensor whose value is always fed.

    # Arguments
        shape: full shape, batch dimension included.
        dtype: the dtype.
        sparse: whether sparse data is expected (fed as dense values here).
        name: the op's name.
    """

    is_source = True
    is_placeholder = True

    def __init__(self, shape, dtype, sparse=False, name=None):
        if not name:
            name = 'placeholder_%d' % backend_config.get_uid('placeholder')
        super(Placeholder, self).__init__(name)
        self.sparse = sparse
        tensor = KerasTensor(shape, dtype, name=name)
        Node(self, [], [tensor])
        self.tensor = tensor

    def _run_node(self, node, inputs, masks, evaluation_):
        raise evaluation.UnfedInputError('A value for placeholder %r must be fed.' % self.name)


def accepts_symbolic(fn):
    """Decorator: lets a function of the public modules above the backend (losses, metrics,
    activations) take symbolic tensors, as `K.*` functions do. It is registered as
    `<module>.<name>` (e.g. `losses.mean_squared_error`), the name its recorded ops are stored under.

    # Arguments
        fn: a function computing on tensors.

    # Returns
        The wrapped function (see `symbolic`).
    """
    module = fn.__module__.rsplit('.', 1)[-1]
    return symbolic('%s.%s' % (module, fn.__name__), fn)
