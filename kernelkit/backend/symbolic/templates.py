"""Argument templates of recorded ops: the call's arguments with each symbolic tensor replaced by a
numbered slot, and their JSON form for configs.

JSON form: lists stay lists; tuples, dicts, slices, `...`, numpy arrays and dtypes become small tagged
dicts (`{"__tuple__": [...]}`, `{"__slice__": [start, stop, step]}`, ...); a slot is
`{"__tensor__": i}`, the op node's i-th input. Anything else (a variable, a Python function) cannot be
stored, and saying so names the op.
"""
import numpy as np
import tensorflow as tf

from .graph import KerasTensor


class Slot:
    """The place of the `index`-th symbolic input in a template."""

    __slots__ = ('index',)

    def __init__(self, index):
        self.index = index

    def __repr__(self):
        return 'Slot(%d)' % self.index


def _map(value, leaf):
    if isinstance(value, list):
        return [_map(v, leaf) for v in value]
    if isinstance(value, tuple) and not hasattr(value, '_fields'):
        return tuple(_map(v, leaf) for v in value)
    if isinstance(value, dict):
        return {k: _map(v, leaf) for k, v in value.items()}
    return leaf(value)


def make_template(value, inputs):
    """Replaces each `KerasTensor` in `value` by a `Slot`, appending the tensor to `inputs` (a tensor
    used twice gets one slot)."""
    def leaf(v):
        if isinstance(v, KerasTensor):
            for index, known in enumerate(inputs):
                if known is v:
                    return Slot(index)
            inputs.append(v)
            return Slot(len(inputs) - 1)
        return v
    return _map(value, leaf)


def fill(template, values):
    """The template with each slot replaced by `values[slot.index]`."""
    return _map(template, lambda v: values[v.index] if isinstance(v, Slot) else v)


def substitute(value, resolve):
    """`value` with each `KerasTensor` replaced by `resolve(tensor)`."""
    return _map(value, lambda v: resolve(v) if isinstance(v, KerasTensor) else v)


def serialize(template, op_name):
    """The JSON form of a template (see the module docstring).

    # Raises
        ValueError: for an argument that cannot be stored, naming the op.
    """
    def encode(v):
        if isinstance(v, Slot):
            return {'__tensor__': v.index}
        if v is None or isinstance(v, (bool, int, float, str)):
            return v
        if isinstance(v, list):
            return [encode(x) for x in v]
        if isinstance(v, tuple):
            return {'__tuple__': [encode(x) for x in v]}
        if isinstance(v, dict):
            if not all(isinstance(k, str) for k in v):
                raise ValueError('Backend op %s: a dict argument with non-string keys cannot be stored.'
                                 % op_name)
            return {'__dict__': {k: encode(x) for k, x in v.items()}}
        if isinstance(v, slice):
            return {'__slice__': [encode(v.start), encode(v.stop), encode(v.step)]}
        if v is Ellipsis:
            return {'__ellipsis__': True}
        if isinstance(v, tf.DType):
            return {'__dtype__': v.name}
        if isinstance(v, (np.ndarray, np.generic)):
            return {'__array__': np.asarray(v).tolist(), 'dtype': np.asarray(v).dtype.name}
        raise ValueError('Backend op %s has an argument of type %s (%r), which cannot be stored in a '
                         'config: only numbers, strings, lists, tuples, dicts, slices, numpy arrays and '
                         'symbolic tensors can.' % (op_name, type(v).__name__, v))
    return encode(template)


def deserialize(data, op_name):
    """A template from its JSON form.

    # Raises
        ValueError: for malformed data, naming the op.
    """
    def decode(v):
        if isinstance(v, list):
            return [decode(x) for x in v]
        if not isinstance(v, dict):
            return v
        try:
            if '__tensor__' in v:
                return Slot(int(v['__tensor__']))
            if '__tuple__' in v:
                return tuple(decode(x) for x in v['__tuple__'])
            if '__dict__' in v:
                return {k: decode(x) for k, x in v['__dict__'].items()}
            if '__slice__' in v:
                return slice(*[decode(x) for x in v['__slice__']])
            if '__ellipsis__' in v:
                return Ellipsis
            if '__dtype__' in v:
                return tf.as_dtype(v['__dtype__'])
            if '__array__' in v:
                return np.asarray(v['__array__'], dtype=v['dtype'])
        except (TypeError, ValueError, KeyError, AttributeError) as error:
            raise ValueError('Backend op %s: malformed argument %r in its config (%s).'
                             % (op_name, v, error))
        raise ValueError('Backend op %s: unknown argument encoding %r in its config.' % (op_name, v))
    result = decode(data)
    if not (isinstance(result, (list, tuple)) and len(result) == 2 and isinstance(result[1], dict)):
        raise ValueError('Backend op %s: its config arguments must be [positional, keyword], got %r.'
                         % (op_name, data))
    return tuple(result[0]), result[1]
