"""Applies the Keras 1 table to calls: the run-time interpreter of `kernelkit.legacy.table`.

`convert_call(interface, name, args, kwargs)` is the whole conversion, as a pure function: it returns the Keras 2
arguments, whether anything was converted, and the warnings to show, or raises the Keras 2 errors. The Keras 1
config loader (`configs.py`) calls it on config dictionaries; `wrap_constructor` and `wrap_method` call it on
every call of a class or method listed in the table.

The wrapping mechanism (what `install_layer_interfaces`/`install_model_interfaces` in `kernelkit.legacy` use):
a listed class keeps its identity; only its `__init__` is replaced by a function that converts the arguments,
warns, and calls the original `__init__` (`functools.wraps` keeps its signature and docstring, and the original
stays reachable as `__wrapped__`). Nested calls for the same object (a subclass's `super().__init__`) pass
through unconverted, so each user call is converted and warned about exactly once.
"""
import functools
import linecache
import numbers
import os
import sys
import threading
import warnings

from kernelkit.legacy import table


class KerasMigrationWarning(UserWarning):
    """A Keras 1 argument, class or function was converted to its Keras 2 form (a `UserWarning`).

    `str(warning)` is Keras 2's exact text. The structured fields let a notebook show the change:

    # Attributes
        message: the warning text.
        old_call: the call as written (its source text when available), or `None`.
        new_call: the Keras 2 call kernelkit made instead (e.g. `Dense(10, kernel_initializer="normal")`), or
            `None` for notices that are not about one call.
        filename, lineno: where in the user's code the call happened.
        arguments: `(args, kwargs)` of the Keras 2 call kernelkit made (the values behind `new_call`), or `None`.
    """

    def __init__(self, message, old_call=None, new_call=None, filename=None, lineno=None, arguments=None):
        super(KerasMigrationWarning, self).__init__(message)
        self.message = message
        self.old_call = old_call
        self.new_call = new_call
        self.filename = filename
        self.lineno = lineno
        self.arguments = arguments

    def __reduce__(self):
        return (KerasMigrationWarning, (self.message, self.old_call, self.new_call, self.filename, self.lineno))

    def as_dict(self):
        """Returns the text fields as a dictionary (for display in a notebook or a log)."""
        return {'message': self.message, 'old_call': self.old_call, 'new_call': self.new_call,
                'filename': self.filename, 'lineno': self.lineno}


# ------------------------------------------------------------------------------------------------------------
# Formatting: how Keras 2 wrote the calls in its "Update your `X` call to the Keras 2 API" warnings.

def format_value(value):
    """How Keras 2 writes an argument value in "Update your ..." messages: strings in double quotes, numpy
    arrays as `array`, anything else as `str(value)` cut to 10 characters plus `...`. Tensors (which
    Keras 2 printed as a cut `Tensor("...`) are written `tensor`."""
    if isinstance(value, str):
        return '"' + value + '"'
    if type(value).__name__ == 'ndarray':
        return 'array'
    if hasattr(value, 'shape') and hasattr(value, 'dtype') and not isinstance(value, (numbers.Number, str)):
        return 'tensor'  # a tf.Tensor, Variable or symbolic tensor (its str() is long and says nothing here)
    text = str(value)
    return text[:10] + '...' if len(text) > 10 else text


def format_signature(name, args, kwargs, hidden=()):
    """`name(arg, ..., key=value, ...)` with Keras 2's value formatting."""
    parts = [format_value(a) for a in args]
    parts += ['%s=%s' % (k, format_value(v)) for k, v in kwargs.items() if k not in hidden]
    return '%s(%s)' % (name, ', '.join(parts))


# ------------------------------------------------------------------------------------------------------------
# The conversion itself.

class Conversion(object):
    """The result of `convert_call`.

    # Attributes
        args, kwargs: the Keras 2 arguments.
        converted: whether anything counted as a conversion (which means an "Update your" warning).
        notices: texts of the other warnings, in the order Keras 2 showed them.
        changes: `(old, new)` names of what changed, for reports.
        message: the "Update your" text, or `None`.
        new_call: the Keras 2 call as shown in `message`, or `None`.
    """

    def __init__(self, args, kwargs):
        self.args, self.kwargs = list(args), dict(kwargs)
        self.converted = False
        self.notices = []
        self.changes = []
        self.message = None
        self.new_call = None

    def count(self, old, new):
        self.converted = True
        self.changes.append((old, new))


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _apply_kernel_size(rule, c):
    names, args, kwargs = rule.names, c.args, c.kwargs
    most = len(names) + 1
    if len(args) > most:
        raise TypeError(table.AT_MOST_POSITIONAL % most)
    if (len(args) == 3 and _is_int(args[1]) and _is_int(args[2])
            and any(k in kwargs for k in ('padding', 'strides', 'data_format'))):
        raise ValueError(table.KERNEL_AND_STRIDES)
    given = len(args) - 1
    if given >= 1 and all(_is_int(a) for a in args[1:]) and all(n in kwargs for n in names[given:]):
        kernel = tuple(args[1:]) + tuple(kwargs.pop(n) for n in names[given:])
        c.args = [args[0], kernel]
        c.count('/'.join(names), 'kernel_size')
    elif given <= 0 and all(n in kwargs for n in names):
        kernel = tuple(kwargs.pop(n) for n in names)
        if given == 0:
            c.args = [args[0], kernel]
        else:
            kwargs['kernel_size'] = kernel
        c.count('/'.join(names), 'kernel_size')


def _apply_drop(rule, c):
    if (rule.position is not None and len(c.args) == rule.position + 1
            and isinstance(c.args[rule.position], tuple)):
        c.args = c.args[:rule.position]
        if rule.counts:
            c.count(rule.old, None)
    if rule.old in c.kwargs:
        c.kwargs.pop(rule.old)
        if rule.counts:
            c.count(rule.old, None)
        if rule.notice:
            c.notices.append(rule.notice)


def _apply_split(rule, c):
    if rule.old in c.kwargs:
        value = c.kwargs.pop(rule.old)
        for new in rule.new:
            c.kwargs[new] = value
        c.count(rule.old, '/'.join(rule.new))


def _apply_replace(rule, c):
    if rule.old in c.kwargs:
        value = c.kwargs.pop(rule.old)
        if isinstance(value, str) and value == rule.value:
            c.kwargs[rule.new] = rule.new_value
            c.count(rule.old, rule.new)
        else:
            c.notices.append(rule.otherwise_notice)


def _apply_input_shape(rule, c):
    if 'input_dim' in c.kwargs:
        length = c.kwargs.pop('input_length', None)
        c.kwargs['input_shape'] = (length, c.kwargs.pop('input_dim'))
        c.count('input_dim', 'input_shape')
        if rule.notice:
            c.notices.append(rule.notice)


def _padding_from_dict(keys, value):
    if isinstance(value, dict) and set(value) <= set(keys):
        top, bottom, left, right = (value.get(k, 0) for k in keys)
        return ((top, bottom), (left, right))
    return None


def _apply_padding_dict(rule, c):
    if 'padding' in c.kwargs:
        padding = _padding_from_dict(rule.keys, c.kwargs['padding'])
        if padding is not None:
            c.kwargs['padding'] = padding
            c.notices.append(rule.notice_keyword)
    elif len(c.args) == 1:
        padding = _padding_from_dict(rule.keys, c.args[0])
        if padding is not None:
            c.args = [padding]
            c.notices.append(rule.notice_positional)


def _apply_no_positional(rule, c):
    if c.args:
        raise TypeError(rule.error)


def _apply_reject(rule, c):
    if rule.old in c.kwargs:
        value = c.kwargs.pop(rule.old)
        if value != rule.allowed:
            raise TypeError(rule.error)
        c.count(rule.old, None)


def _apply_steps_from_samples(rule, c):
    if len(c.args) < 2 and rule.old in c.kwargs:
        samples = c.kwargs.pop(rule.old)
        generator = c.args[0] if c.args else c.kwargs.get(rule.generator)
        batch_size = getattr(generator, 'batch_size', None)
        c.kwargs[rule.new] = samples // batch_size if batch_size else samples
        c.count(rule.old, rule.new)


def _apply_notice_if_any(rule, c):
    if any(name in c.kwargs for name in rule.names):
        c.notices.append(rule.notice)


def _apply_shape_and_name_first(rule, c):
    if c.args and isinstance(c.args[0], (tuple, list)):
        c.kwargs['shape'] = c.args.pop(0)
        if c.args and isinstance(c.args[0], str):
            c.kwargs['name'] = c.args.pop(0)


def _apply_old_updates_order(rule, c):
    args = c.args
    if len(args) > 3:
        raise TypeError(rule.error)
    if len(args) == 3:
        c.args = []
        c.kwargs['loss'], c.kwargs['params'] = args[2], args[0]
    elif len(args) == 2 and isinstance(args[0], (list, tuple)) and 'loss' in c.kwargs:
        c.args = []
        c.kwargs['params'] = args[0]
    c.kwargs.pop('constraints', None)


_PREPROCESSORS = {
    table.KernelSize: _apply_kernel_size,
    table.Drop: _apply_drop,
    table.Split: _apply_split,
    table.Replace: _apply_replace,
    table.InputShape: _apply_input_shape,
    table.PaddingDict: _apply_padding_dict,
    table.NoPositional: _apply_no_positional,
    table.Reject: _apply_reject,
    table.StepsFromSamples: _apply_steps_from_samples,
    table.NoticeIfAny: _apply_notice_if_any,
    table.ShapeAndNameFirst: _apply_shape_and_name_first,
    table.OldUpdatesOrder: _apply_old_updates_order,
}


def apply_preprocessors(interface, conversion):
    """Applies the interface's `preprocess` rules (the Keras 2 "args preprocessors") to a `Conversion`.

    # Arguments
        interface: a `table.Interface`.
        conversion: the `Conversion` to update in place.

    # Raises
        TypeError, ValueError: the Keras 2 errors of those rules.
    """
    for rule in interface.preprocess:
        _PREPROCESSORS[type(rule)](rule, conversion)


def convert_call(interface, name, args, kwargs, changes=()):
    """Converts one call's arguments from Keras 1 to Keras 2, in Keras 2.2's order: the entry's
    preprocessors, the check on positional arguments, value conversions, then keyword renames (each
    counted, so that the "Update your ... call" warning is shown when anything changed).

    # Arguments
        interface: a `table.Interface`.
        name: the name used in messages (the class name of the object, or the method name).
        args: positional arguments (without `self`).
        kwargs: keyword arguments.
        changes: `(old, new)` conversions already made on these arguments by a preprocessor outside the
            table (a user's `generate_legacy_interface(preprocessor=...)`); they count as conversions.

    # Returns
        A `Conversion`.

    # Raises
        TypeError, ValueError: the Keras 2 errors (too many positional arguments, both an old and a new name,
            `BatchNormalization(mode=1)`, ...).
    """
    c = Conversion(args, kwargs)
    for old, new in changes:
        c.count(old, new)
    apply_preprocessors(interface, c)
    allowed = interface.positional
    if allowed is not None and len(c.args) > len(allowed):
        raise TypeError(table.TOO_MANY_POSITIONAL % (name, len(allowed), tuple(allowed), list(c.args)))
    for rule in interface.values:
        if rule.old in c.kwargs:
            try:
                if c.kwargs[rule.old] in rule.mapping:
                    c.kwargs[rule.old] = rule.mapping[c.kwargs[rule.old]]
            except TypeError:  # an unhashable value is never in the map
                pass
    for rule in interface.renames:
        if rule.old in c.kwargs:
            if rule.new in c.kwargs:
                raise TypeError(table.BOTH_NAMES % (rule.new, rule.old, rule.new))
            c.kwargs[rule.new] = c.kwargs.pop(rule.old)
            if rule.counts:
                c.count(rule.old, rule.new)
            else:
                c.changes.append((rule.old, rule.new))
            if rule.notice:
                c.notices.append(rule.notice)
    if c.converted and interface.warn:
        c.new_call = format_signature(name, c.args, c.kwargs)
        c.message = table.UPDATE_MESSAGE % (name, '`' + c.new_call + '`')
    return c


# ------------------------------------------------------------------------------------------------------------
# Warnings attributed to the user's code.

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def _is_internal(filename):
    return filename.startswith(_PACKAGE_DIR) or filename.startswith('<frozen ')


def user_frame():
    """The innermost frame outside kernelkit (and outside the import machinery)."""
    frame = sys._getframe(1)
    outermost = frame
    while frame is not None:
        if not _is_internal(frame.f_code.co_filename):
            return frame
        outermost = frame
        frame = frame.f_back
    return outermost


def _call_source(frame):
    """The source text of the call the frame is executing, when Python knows its position."""
    try:
        positions = list(frame.f_code.co_positions())[frame.f_lasti // 2]
        start, end, col, end_col = positions
        if None in positions:
            return None
        lines = linecache.getlines(frame.f_code.co_filename, frame.f_globals)[start - 1:end]
        if not lines:
            return None
        if len(lines) == 1:
            return lines[0][col:end_col]
        text = [lines[0][col:]] + lines[1:-1] + [lines[-1][:end_col]]
        return ''.join(text)
    except Exception:  # source positions are a convenience only
        return None


def emit(message, old_call=None, new_call=None, frame=None, arguments=None):
    """Warns `message` as a `KerasMigrationWarning` attributed to the user's line.

    # Arguments
        message: the text.
        old_call: the call as written; by default the source text of the call at the user's line.
        new_call: the Keras 2 form of the call, if any.
        frame: the frame to attribute the warning to (default: the innermost frame outside kernelkit).
        arguments: `(args, kwargs)` of the Keras 2 call, if any.
    """
    frame = frame or user_frame()
    filename, lineno = frame.f_code.co_filename, frame.f_lineno
    if old_call is None and new_call is not None:
        old_call = _call_source(frame)
    warning = KerasMigrationWarning(message, old_call=old_call, new_call=new_call, filename=filename, lineno=lineno,
                                    arguments=arguments)
    module_globals = frame.f_globals
    registry = module_globals.setdefault('__warningregistry__', {})
    # `module` must be a string: CPython's C `warn_explicit` silently drops a warning given `module=None`.
    module = module_globals.get('__name__') or (filename[:-3] if filename.endswith('.py') else filename)
    warnings.warn_explicit(warning, KerasMigrationWarning, filename, lineno, module=module or '<unknown>',
                           registry=registry)


def emit_conversion(conversion, name, args, kwargs):
    """Shows the notices and the "Update your" warning of a conversion, in Keras 2's order."""
    if not conversion.notices and conversion.message is None:
        return
    frame = user_frame()
    for notice in conversion.notices:
        emit(notice, frame=frame, old_call=_call_source(frame))
    if conversion.message is not None:
        old_call = _call_source(frame) or format_signature(name, args, kwargs)
        emit(conversion.message, old_call=old_call, new_call=conversion.new_call, frame=frame,
             arguments=(tuple(conversion.args), dict(conversion.kwargs)))


# ------------------------------------------------------------------------------------------------------------
# Wrapping constructors and methods.

class _Converting(threading.local):
    def __init__(self):
        self.objects = set()


_CONVERTING = _Converting()


def _wrapped_call(interface, function, name_of, preprocessor=None):
    """`function` (a method) converting its arguments by `interface`; `preprocessor(self, args, kwargs)`, if
    given, runs first and returns `(args, kwargs, changes)`."""
    @functools.wraps(function)
    def wrapper(self, *args, **kwargs):
        key = id(self)
        if key in _CONVERTING.objects:  # a nested call for the same object (super().__init__, ...)
            return function(self, *args, **kwargs)
        _CONVERTING.objects.add(key)
        try:
            name = name_of(self)
            changes = ()
            if preprocessor is not None:
                args, kwargs, changes = preprocessor(self, args, kwargs)
            conversion = convert_call(interface, name, args, kwargs, changes)
            emit_conversion(conversion, name, args, kwargs)
            return function(self, *conversion.args, **conversion.kwargs)
        finally:
            _CONVERTING.objects.discard(key)
    wrapper.__kernelkit_legacy__ = interface
    return wrapper


def is_wrapped(function):
    """Whether `function` is already a legacy wrapper."""
    return getattr(function, '__kernelkit_legacy__', None) is not None


def wrap_constructor(cls, interface):
    """Gives `cls` a converting `__init__` (the class object itself is unchanged). Idempotent.

    # Arguments
        cls: the class.
        interface: its `table.Interface`.
    """
    original = cls.__init__
    if is_wrapped(cls.__dict__.get('__init__')):
        return
    cls.__init__ = _wrapped_call(interface, original, lambda self: type(self).__name__)


def wrap_function(function, interface, preprocessor=None):
    """A converting version of the method `function` (what the Keras 2 `legacy_*_support` decorators return).

    # Arguments
        function: a constructor or method, taking `self` first.
        interface: its `table.Interface`; `kind='class'` names the call after the object's class in warnings,
            `kind='method'` after the function.
        preprocessor: optional `preprocessor(self, args, kwargs) -> (args, kwargs, changes)` run first.

    # Returns
        The wrapped function (`function` itself if it is already wrapped).
    """
    if is_wrapped(function):
        return function
    if interface.kind == 'class':
        return _wrapped_call(interface, function, lambda self: type(self).__name__, preprocessor)
    return _wrapped_call(interface, function, lambda self: function.__name__, preprocessor)


def wrap_method(cls, interface):
    """Gives `cls` a converting version of the method `interface.name`, if `cls` has that method. Idempotent.

    # Arguments
        cls: the class.
        interface: the method's `table.Interface`.

    # Returns
        Whether the method exists (and is now wrapped).
    """
    original = getattr(cls, interface.name, None)
    if original is None:
        return False
    if not is_wrapped(original):
        setattr(cls, interface.name, _wrapped_call(interface, original, lambda self: interface.name))
    return True
