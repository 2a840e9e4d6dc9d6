"""Keras 2's symbolic semantics on TensorFlow 2.

- `graph.py`: `KerasTensor` (with every Python operator), `Operation` and `Node`;
- `ops.py`: backend functions applied to symbolic tensors, recorded as `BackendOp` nodes;
- `evaluation.py`: the graph runner (`Evaluation`), used by models, `K.function` and losses that
  close over model tensors;
- `function.py`: `K.placeholder`, `K.function` and evaluating expressions;
- `templates.py`: how a recorded op's arguments are kept and stored in configs.

`backend_namespace` makes the public backend: every tensor function, wrapped to accept symbolic
tensors.
"""
from .evaluation import Evaluation, TraceScope, UnfedInputError, layer_call_scope  # noqa: F401
from .function import (Function, evaluate, function, is_placeholder, placeholder,  # noqa: F401
                       prepare_update, should_defer_update)
from .graph import (KerasTensor, Node, Operation, contains_keras_tensor, is_keras_tensor,  # noqa: F401
                    is_symbolic)
from .ops import BackendOp, Placeholder, apply_callable, symbolic  # noqa: F401

# Functions that describe or create their argument rather than compute on it: they take a symbolic
# tensor as it is (its static shape and dtype) or never take one.
_DESCRIPTIVE = frozenset([
    'is_sparse', 'is_tensor', 'dtype', 'int_shape', 'ndim', 'get_variable_shape', 'count_params',
    'variable', 'set_value', 'batch_set_value', 'name_scope', 'zeros', 'ones', 'eye',
    'random_uniform_variable', 'random_normal_variable',
])
# Updates that Keras 2 applied only when run: recorded when called at the top level.
_DEFERRED_UPDATES = frozenset(['update', 'update_add', 'update_sub', 'moving_average_update'])
# Reading values: a symbolic argument is evaluated (it must need no feed).
_READERS = frozenset(['eval', 'get_value'])


def _reader(fn):
    def read(x):
        return evaluate(x) if is_symbolic(x) else fn(x)
    read.__name__ = fn.__name__
    read.__doc__ = fn.__doc__
    return read


def _batch_reader(fn):
    def read_all(ops):
        return [evaluate(x) if is_symbolic(x) else fn([x])[0] for x in ops]
    read_all.__name__ = fn.__name__
    read_all.__doc__ = fn.__doc__
    return read_all


def backend_namespace(modules):
    """The public functions of the backend `modules`, each accepting symbolic tensors.

    # Arguments
        modules: the backend's tensor-function modules (each with `__all__`).

    # Returns
        A dict from name to function.
    """
    namespace = {}
    for module in modules:
        for name in module.__all__:
            fn = getattr(module, name)
            if name in _DESCRIPTIVE or not callable(fn) or isinstance(fn, type):
                namespace[name] = fn
            elif name in _READERS:
                namespace[name] = _reader(fn)
            elif name == 'batch_get_value':
                namespace[name] = _batch_reader(fn)
            elif name in _DEFERRED_UPDATES:
                namespace[name] = symbolic(name, fn, defer=should_defer_update)
            else:
                namespace[name] = symbolic(name, fn)
    namespace.update(placeholder=placeholder, function=function, is_keras_tensor=is_keras_tensor,
                     is_placeholder=is_placeholder)
    return namespace
