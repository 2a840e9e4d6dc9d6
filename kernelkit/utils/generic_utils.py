"""Object (de)serialization by name, and the custom-object registry.

Every Keras 2 module that accepts "a string or an object" (activations, initializers, regularizers,
constraints, losses, metrics, optimizers, layers) resolves it through `deserialize_keras_object`, so the
rules (custom objects first, then the module's own table, then a clear error listing what is known) live
in one place.

It also carries the small helpers Keras 2.2.4 kept here: `has_arg`, `func_dump`/`func_load` (the bytecode
format `Lambda` layers are saved in), `to_list`, `unpack_singleton`, `object_list_uid`, `is_all_none`,
`slice_arrays` and `transpose_shape`.
"""
import binascii
import codecs
import difflib
import inspect
import marshal
import sys
import types

_GLOBAL_CUSTOM_OBJECTS = {}
_SCOPE_STACK = []
# Whether configs being deserialized may carry code (Lambda bytecode): `True` (refused) unless a loader was
# given `safe_mode=False`, or the config comes from a live object of this process (`clone_model`).
_SAFE_MODE = [True]


class _SafeModeScope:
    """Sets the safe mode that `Lambda.from_config` uses when it is not given one, inside a `with` block."""

    def __init__(self, safe_mode):
        self.safe_mode = bool(safe_mode)

    def __enter__(self):
        _SAFE_MODE.append(self.safe_mode)
        return self

    def __exit__(self, *exc_info):
        _SAFE_MODE.pop()


class CustomObjectScope:
    """Makes custom objects visible to deserialization inside a `with` block.

    # Arguments
        *args: dictionaries mapping names to classes or functions.

    # Example
    ```python
    with CustomObjectScope({'MyLayer': MyLayer}):
        model = load_model('model.h5')
    ```
    """

    def __init__(self, *args):
        self.custom_objects = {}
        for mapping in args:
            if not isinstance(mapping, dict):
                raise TypeError('CustomObjectScope expects dictionaries of name -> object, '
                                'received %r.' % (mapping,))
            self.custom_objects.update(mapping)

    def __enter__(self):
        _SCOPE_STACK.append(self.custom_objects)
        return self

    def __exit__(self, *exc_info):
        _SCOPE_STACK.remove(self.custom_objects)


def custom_object_scope(*args):
    """Returns a `CustomObjectScope` for the given dictionaries.

    # Arguments
        *args: dictionaries mapping names to classes or functions.

    # Returns
        A `CustomObjectScope` to use in a `with` statement.
    """
    return CustomObjectScope(*args)


def get_custom_objects():
    """Returns the global, mutable dictionary of custom objects.

    # Returns
        The dictionary; adding `{'name': obj}` to it makes `obj` known everywhere.
    """
    return _GLOBAL_CUSTOM_OBJECTS


def _lookup_custom(name, custom_objects):
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    for scope in reversed(_SCOPE_STACK):
        if name in scope:
            return scope[name]
    return _GLOBAL_CUSTOM_OBJECTS.get(name)


def serialize_keras_object(instance):
    """Turns an object into what a Keras 2 config stores for it.

    # Arguments
        instance: `None`, a function (stored by name) or an object with `get_config`.

    # Returns
        `None`, a name, or `{'class_name': ..., 'config': ...}`.

    # Raises
        ValueError: if the object cannot be serialized.
    """
    if instance is None:
        return None
    if hasattr(instance, 'get_config'):
        return {'class_name': instance.__class__.__name__, 'config': instance.get_config()}
    if hasattr(instance, '__name__'):
        return instance.__name__
    raise ValueError('Cannot serialize %r: it has neither `get_config` nor `__name__`.' % (instance,))


def unknown_object_error(kind, name, known):
    """Builds the error raised for an unknown name, listing the known ones.

    # Arguments
        kind: what was being looked up, e.g. `'loss function'`.
        name: the unknown name.
        known: the names that would have been accepted.

    # Returns
        A `ValueError` (not raised) whose message names the kind, the name and the choices.
    """
    known = sorted(set(known))
    close = difflib.get_close_matches(str(name), known, n=3)
    hint = (' Did you mean %s?' % ', '.join(repr(c) for c in close)) if close else ''
    return ValueError('Unknown %s: %r.%s Known names: %s. A custom %s can be passed through '
                      '`custom_objects`.' % (kind, name, hint, ', '.join(known), kind))


def deserialize_keras_object(identifier, module_objects=None, custom_objects=None,
                             printable_module_name='object'):
    """Turns a name or a config dictionary back into an object.

    # Arguments
        identifier: a name (string) or `{'class_name': ..., 'config': ...}`.
        module_objects: dictionary of the module's own objects by name.
        custom_objects: extra objects by name, searched first.
        printable_module_name: what to call the object in error messages.

    # Returns
        The function, or a new instance built with `from_config` (or the constructor).

    # Raises
        ValueError: for an unknown name or an ill-formed config.
    """
    module_objects = module_objects or {}
    if isinstance(identifier, dict):
        if 'class_name' not in identifier or 'config' not in identifier:
            raise ValueError('Improper config format for %s: %r (expected the keys `class_name` and '
                             '`config`).' % (printable_module_name, identifier))
        class_name = identifier['class_name']
        cls = _lookup_custom(class_name, custom_objects) or module_objects.get(class_name)
        if cls is None:
            raise unknown_object_error(printable_module_name, class_name, module_objects)
        config = identifier['config']
        if hasattr(cls, 'from_config'):
            import inspect
            params = inspect.signature(cls.from_config).parameters
            if 'custom_objects' in params:
                merged = dict(_GLOBAL_CUSTOM_OBJECTS)
                for scope in _SCOPE_STACK:
                    merged.update(scope)
                merged.update(custom_objects or {})
                return cls.from_config(config, custom_objects=merged)
            with CustomObjectScope(custom_objects or {}):
                return cls.from_config(config)
        return cls(**config)
    if isinstance(identifier, str):
        obj = _lookup_custom(identifier, custom_objects) or module_objects.get(identifier)
        if obj is None:
            raise unknown_object_error(printable_module_name, identifier, module_objects)
        return obj
    raise ValueError('Could not interpret %s identifier: %r' % (printable_module_name, identifier))


def to_list(x, allow_tuple=True):
    """Wraps `x` in a list unless it already is a list (or a tuple, by default).

    # Arguments
        x: anything.
        allow_tuple: whether a tuple is turned into a list of its items (kernelkit's default, which its
            engine relies on) or wrapped as a single item (`False`, Keras 2.2.4's default).

    # Returns
        A new list.
    """
    if isinstance(x, list) or (allow_tuple and isinstance(x, tuple)):
        return list(x)
    return [x]


def unpack_singleton(x):
    """Returns the only element of a one-element list, else the list itself.

    # Arguments
        x: a list.

    # Returns
        `x[0]` when `len(x) == 1`, else `x`.
    """
    if isinstance(x, (list, tuple)) and len(x) == 1:
        return x[0]
    return x


def has_arg(fn, name, accept_all=False):
    """Checks whether a callable accepts a given keyword argument (Keras 2.2.4's rule).

    # Arguments
        fn: the callable to inspect (function, method, class or object with `__call__`).
        name: the keyword argument's name.
        accept_all: whether a `**kwargs` parameter counts as accepting `name` (when `fn` has no
            parameter of that name).

    # Returns
        `True` if `name` is a parameter of `fn` that can be passed by keyword (positional-or-keyword or
        keyword-only), or, with `accept_all`, if `fn` takes `**kwargs`; `False` otherwise (also for a
        positional-only parameter or one that is `*args`).

    # Raises
        TypeError: if `fn` is not callable.
        ValueError: if Python cannot tell the signature of `fn` (some built-ins).
    """
    if not callable(fn):
        raise TypeError('has_arg expects a callable as `fn`; received %r.' % (fn,))
    parameters = inspect.signature(fn).parameters
    parameter = parameters.get(name)
    if parameter is None:
        return bool(accept_all) and any(p.kind == inspect.Parameter.VAR_KEYWORD for p in parameters.values())
    return parameter.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)


def func_dump(func):
    """Serializes a Python function to what Keras 2 configs store for a `Lambda`: its bytecode.

    # Arguments
        func: a Python function (a lambda or a `def`).

    # Returns
        A tuple `(code, defaults, closure)`: the marshalled code object, base64-encoded as an ASCII string
        (76-character lines, as Keras 2.2.4 wrote it), the tuple of default values (or `None`), and the
        tuple of the values of the closure cells (or `None`).

    # Raises
        TypeError: if `func` is not a Python function (e.g. a built-in or a class).
    """
    if not isinstance(func, types.FunctionType):
        raise TypeError('func_dump expects a Python function; received %r.' % (func,))
    code = codecs.encode(marshal.dumps(func.__code__), 'base64').decode('ascii')
    closure = tuple(cell.cell_contents for cell in func.__closure__) if func.__closure__ else None
    return code, func.__defaults__, closure


def _as_cell(value):
    """A closure cell holding `value` (a cell is passed through)."""
    if isinstance(value, types.CellType):
        return value
    return (lambda: value).__closure__[0]


def func_load(code, defaults=None, closure=None, globs=None):
    """Rebuilds a Python function from what `func_dump` returned.

    Loading bytecode runs code written by whoever made the file: only load files you trust.

    # Arguments
        code: the base64 string of `func_dump`, or the whole `(code, defaults, closure)` triple (a tuple
            or, as JSON gives it back, a list). Strings written by Keras before 2.1.2 (raw
            `raw_unicode_escape` text) are read too.
        defaults: the default values (a tuple or list), when `code` is only the string.
        closure: the values of the closure cells, when `code` is only the string.
        globs: the global namespace of the function (default: this module's).

    # Returns
        The function.

    # Raises
        ValueError: if `code` is not readable bytecode of this Python version, or the closure does not
            match the number of free variables of the code.
    """
    if isinstance(code, (tuple, list)):
        if len(code) != 3:
            raise ValueError('func_load expects the (code, defaults, closure) triple of func_dump; received a '
                             'sequence of %d items.' % len(code))
        code, defaults, closure = code
    if isinstance(defaults, list):
        defaults = tuple(defaults)
    if not isinstance(code, str):
        raise ValueError('func_load expects the base64 string of func_dump as `code`; received %r.' % (code,))
    try:
        raw = codecs.decode(code.encode('ascii'), 'base64')
    except (UnicodeEncodeError, binascii.Error, ValueError):
        raw = code.encode('raw_unicode_escape')  # Keras < 2.1.2 stored the marshal bytes as text
    try:
        loaded = marshal.loads(raw)
    except (ValueError, EOFError, TypeError):
        loaded = None
    if not isinstance(loaded, types.CodeType):
        raise ValueError('func_load could not read the stored function: it is not bytecode of this Python '
                         'version (%d.%d). Define the function again in code.' % sys.version_info[:2])
    cells = tuple(_as_cell(value) for value in closure) if closure is not None else None
    if len(cells or ()) != len(loaded.co_freevars):
        raise ValueError('func_load: the function %r needs %d closure values (%s); received %d.'
                         % (loaded.co_name, len(loaded.co_freevars), ', '.join(loaded.co_freevars),
                            len(cells or ())))
    return types.FunctionType(loaded, globs if globs is not None else globals(), name=loaded.co_name,
                              argdefs=defaults or None, closure=cells)


def object_list_uid(object_list):
    """A string identifying a list of objects by their ids (Keras 2's cache key for masks and shapes).

    # Arguments
        object_list: an object or a list of objects.

    # Returns
        The ids of the objects, as `'id1, id2, ...'`.
    """
    return ', '.join(str(abs(id(x))) for x in to_list(object_list, allow_tuple=False))


def is_all_none(iterable_or_element):
    """Whether every element of a list or tuple (or the single element given) is `None`.

    # Arguments
        iterable_or_element: a list, a tuple or a single element.

    # Returns
        `True` when nothing in it is anything but `None` (an empty list included).
    """
    return all(element is None for element in to_list(iterable_or_element, allow_tuple=True))


def slice_arrays(arrays, start=None, stop=None):
    """Slices an array or a list of arrays, by range or by index list.

    Entries that are `None` stay `None`. A list (or array) of indices as `start` takes those samples
    (as a list, which HDF5 datasets need); otherwise the rows `start:stop` are taken.

    # Arguments
        arrays: a single array, a list of arrays (entries may be `None`), or `None`.
        start: an int (first row), or a list/array of row indices.
        stop: an int (end row); only with an int `start`.

    # Returns
        The sliced array, or a list of them (`[None]` for `arrays=None`).

    # Raises
        ValueError: if both an index list and `stop` are given.
    """
    if arrays is None:
        return [None]
    by_index = hasattr(start, '__len__')
    if by_index and stop is not None:
        raise ValueError('slice_arrays: `stop` (%r) cannot be combined with a list of indices as `start`.'
                         % (stop,))
    if by_index and hasattr(start, 'shape'):
        start = start.tolist()

    def take(array):
        if array is None:
            return None
        return array[start] if by_index else array[start:stop]

    if isinstance(arrays, list):
        return [take(array) for array in arrays]
    return take(arrays)


def transpose_shape(shape, target_format, spatial_axes):
    """Converts a channels-last shape (or any tuple laid out like one) to a data format.

    # Arguments
        shape: a tuple or list, laid out channels-last: `(batch, spatial..., channels)`.
        target_format: `'channels_first'` or `'channels_last'`.
        spatial_axes: the positions of the spatial dimensions in `shape`, e.g. `(1, 2)`.

    # Returns
        The shape in `target_format` (a list if `shape` is a list); unchanged for `'channels_last'`.

    # Raises
        ValueError: for another `target_format`.

    # Example
    ```python
    transpose_shape((16, 128, 128, 32), 'channels_first', spatial_axes=(1, 2))  # (16, 32, 128, 128)
    ```
    """
    if target_format == 'channels_last':
        return shape
    if target_format != 'channels_first':
        raise ValueError('The `data_format` argument must be one of "channels_first", "channels_last". '
                         'Received: %r' % (target_format,))
    spatial_axes = list(spatial_axes)
    values = tuple(shape[:spatial_axes[0]]) + (shape[-1],) + tuple(shape[axis] for axis in spatial_axes)
    return list(values) if isinstance(shape, list) else values


def __getattr__(name):
    # Keras 2 exposed `keras.utils.generic_utils.Progbar`; it lives in `progbar.py`, and `to_snake_case` in
    # the engine, which imports this module: both are imported on demand.
    if name == 'Progbar':
        from kernelkit.utils.progbar import Progbar
        return Progbar
    if name == 'to_snake_case':
        from kernelkit.engine.base_layer import to_snake_case
        return to_snake_case
    raise AttributeError("module 'kernelkit.utils.generic_utils' has no attribute %r" % (name,))
