"""Object (de)serialization by name, and the custom-object registry.

Every Keras 2 module that accepts "a string or an object" (activations, initializers, regularizers,
constraints, losses, metrics, optimizers, layers) resolves it through `deserialize_keras_object`, so the
rules (custom objects first, then the module's own table, then a clear error listing what is known) live
in one place.
"""
import difflib

_GLOBAL_CUSTOM_OBJECTS = {}
_SCOPE_STACK = []


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


def to_list(x):
    """Wraps `x` in a list unless it already is a list or tuple.

    # Arguments
        x: anything.

    # Returns
        A list.
    """
    if isinstance(x, (list, tuple)):
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


def __getattr__(name):
    # Keras 2 exposed `keras.utils.generic_utils.Progbar`; it lives in `progbar.py` (imported on demand to
    # keep this module free of imports).
    if name == 'Progbar':
        from kernelkit.utils.progbar import Progbar
        return Progbar
    raise AttributeError(name)
