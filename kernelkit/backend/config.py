"""Backend configuration: float type, fuzz factor, image data format, uids and the learning phase.

The defaults can be changed for a whole installation through `keras.json`, read once at import from
`$KERAS_HOME/keras.json` (when `KERAS_HOME` is set) or `~/.keras/keras.json`. The file is never written.
"""
import collections
import contextlib
import json
import os
import threading
import warnings

_FLOATX_CHOICES = ('float16', 'float32', 'float64')
_DATA_FORMATS = ('channels_last', 'channels_first')

_FLOATX = 'float32'
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = 'channels_last'

_UIDS = collections.defaultdict(int)
_CLEAR_SESSION_HOOKS = []

# The learning phase: a global value (None = never set) and a thread-local stack of scopes.
_GLOBAL_LEARNING_PHASE = None
_PHASE_STATE = threading.local()


# ------------------------------------------------------------------------------ float and epsilon

def floatx():
    """Returns the default float type, as a string.

    # Returns
        One of `'float16'`, `'float32'`, `'float64'`.
    """
    return _FLOATX


def set_floatx(value):
    """Sets the default float type.

    # Arguments
        value: `'float16'`, `'float32'` or `'float64'`.

    # Raises
        ValueError: for any other value.
    """
    global _FLOATX
    if value not in _FLOATX_CHOICES:
        raise ValueError('Unknown floatx type: %r. `value` must be one of %s.'
                         % (value, ', '.join(repr(c) for c in _FLOATX_CHOICES)))
    _FLOATX = str(value)


def epsilon():
    """Returns the fuzz factor used in numeric expressions (default `1e-7`).

    # Returns
        A float.
    """
    return _EPSILON


def set_epsilon(e):
    """Sets the fuzz factor used in numeric expressions.

    # Arguments
        e: a float.

    # Raises
        ValueError: if `e` is not a number.
    """
    global _EPSILON
    try:
        _EPSILON = float(e)
    except (TypeError, ValueError):
        raise ValueError('`e` must be a number, received %r.' % (e,))


# ------------------------------------------------------------------------------ image data format

def image_data_format():
    """Returns the default image data format convention.

    # Returns
        `'channels_last'` or `'channels_first'`.
    """
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format):
    """Sets the default image data format convention.

    # Arguments
        data_format: `'channels_last'` or `'channels_first'`.

    # Raises
        ValueError: for any other value.
    """
    global _IMAGE_DATA_FORMAT
    if data_format not in _DATA_FORMATS:
        raise ValueError('Unknown data_format: %r. `data_format` must be one of %s.'
                         % (data_format, ', '.join(repr(c) for c in _DATA_FORMATS)))
    _IMAGE_DATA_FORMAT = str(data_format)


def normalize_data_format(value):
    """Checks a `data_format` argument, filling in the default for `None`.

    # Arguments
        value: `None`, `'channels_last'` or `'channels_first'` (any case).

    # Returns
        The lower-cased data format.

    # Raises
        ValueError: for any other value.
    """
    if value is None:
        return image_data_format()
    fmt = str(value).lower()
    if fmt not in _DATA_FORMATS:
        raise ValueError('The `data_format` argument must be one of "channels_first", '
                         '"channels_last". Received: %r' % (value,))
    return fmt


def image_dim_ordering():
    """Legacy Keras 1 accessor: the image data format as `'tf'` or `'th'`.

    # Returns
        `'tf'` for channels_last, `'th'` for channels_first.
    """
    return 'th' if _IMAGE_DATA_FORMAT == 'channels_first' else 'tf'


def set_image_dim_ordering(dim_ordering):
    """Legacy Keras 1 setter: `'tf'` means channels_last, `'th'` channels_first.

    # Arguments
        dim_ordering: `'tf'` or `'th'`.

    # Raises
        ValueError: for any other value.
    """
    if dim_ordering not in ('tf', 'th'):
        raise ValueError('Unknown dim_ordering: %r (expected "tf" or "th").' % (dim_ordering,))
    set_image_data_format('channels_first' if dim_ordering == 'th' else 'channels_last')


def backend():
    """Returns the name of the backend.

    # Returns
        The string `'tensorflow'`.
    """
    return 'tensorflow'


# ----------------------------------------------------------------------------------- keras.json

def config_path(keras_home=None):
    """Returns the path of the `keras.json` file that is read at import.

    # Arguments
        keras_home: the Keras directory; `None` means `$KERAS_HOME` or `~/.keras`.

    # Returns
        The path (the file need not exist).
    """
    if keras_home is None:
        keras_home = os.environ.get('KERAS_HOME')
    if not keras_home:
        keras_home = os.path.join(os.path.expanduser('~'), '.keras')
    return os.path.join(keras_home, 'keras.json')


def load_config(keras_home=None):
    """Reads `keras.json` and applies its `floatx`, `epsilon` and `image_data_format`.

    A missing file changes nothing. A malformed file, or one with invalid values, gives a warning and
    leaves the affected settings as they were. The `backend` entry is ignored.

    # Arguments
        keras_home: the directory holding `keras.json`; `None` means `$KERAS_HOME` or `~/.keras`.

    # Returns
        The dictionary read from the file (`{}` when there was none or it was unreadable).
    """
    path = config_path(keras_home)
    if not os.path.exists(path):
        return {}
    try:
        with open(path) as f:
            config = json.load(f)
        if not isinstance(config, dict):
            raise ValueError('the top level is not a JSON object')
    except (OSError, ValueError) as e:
        warnings.warn('Could not read the Keras config file %s (%s); using the defaults.' % (path, e))
        return {}
    setters = (('floatx', set_floatx), ('epsilon', set_epsilon),
               ('image_data_format', set_image_data_format))
    for key, setter in setters:
        if key in config:
            try:
                setter(config[key])
            except ValueError as e:
                warnings.warn('Ignoring `%s` in %s: %s' % (key, path, e))
    return config


# ------------------------------------------------------------------------------ uids and sessions

def get_uid(prefix=''):
    """Returns a new number for `prefix`: 1 on the first call, then 2, 3, ...

    Used to name layers `dense_1`, `dense_2`, ... as Keras 2 does.

    # Arguments
        prefix: the string to count for.

    # Returns
        An integer.
    """
    _UIDS[prefix] += 1
    return _UIDS[prefix]


def reset_uids():
    """Resets all the counters of `get_uid`."""
    _UIDS.clear()


def register_clear_session_hook(fn):
    """Registers a function that `clear_session()` will call (with no arguments).

    # Arguments
        fn: a callable; registering the same one twice has no extra effect.

    # Returns
        `fn`, so this can be used as a decorator.
    """
    if not callable(fn):
        raise TypeError('`fn` must be callable, received %r.' % (fn,))
    if fn not in _CLEAR_SESSION_HOOKS:
        _CLEAR_SESSION_HOOKS.append(fn)
    return fn


def clear_session():
    """Resets the backend state: layer-name counters, the learning phase and registered hooks.

    After this, new layers are numbered from 1 again (`dense_1`, ...).
    """
    global _GLOBAL_LEARNING_PHASE
    reset_uids()
    _GLOBAL_LEARNING_PHASE = None
    _PHASE_STATE.stack = []
    for fn in list(_CLEAR_SESSION_HOOKS):
        fn()


def manual_variable_initialization(value):
    """Does nothing: TensorFlow 2 variables are initialized when created.

    Kept so that Keras 2 code calling it keeps working.

    # Arguments
        value: a boolean (ignored).
    """
    del value


def get_session():
    """Not available: TensorFlow 2 has no sessions.

    # Raises
        RuntimeError: always.
    """
    raise RuntimeError('`get_session()` is a TensorFlow 1 feature: TensorFlow 2 runs eagerly and has '
                       'no sessions. Use `K.get_value(x)` / `K.eval(x)` to read values, '
                       '`K.set_value(x, v)` to assign them, and `tf.function` to build graphs.')


def set_session(session):
    """Not available: TensorFlow 2 has no sessions.

    # Arguments
        session: ignored.

    # Raises
        RuntimeError: always.
    """
    del session
    raise RuntimeError('`set_session()` is a TensorFlow 1 feature: TensorFlow 2 has no sessions. '
                       'Configure devices with `tf.config` (e.g. '
                       '`tf.config.experimental.set_memory_growth`) instead.')


# --------------------------------------------------------------------------------- learning phase

def _phase_stack():
    stack = getattr(_PHASE_STATE, 'stack', None)
    if stack is None:
        stack = _PHASE_STATE.stack = []
    return stack


def _check_phase(value):
    if value not in (0, 1) or isinstance(value, float):
        raise ValueError('Expected learning phase to be 0 or 1, received %r.' % (value,))
    return int(value)


def learning_phase():
    """Returns the current learning phase: 0 (test) or 1 (train).

    The innermost `learning_phase_scope` wins; then, while a graph runs (`K.function` fed a learning
    phase, a model's training or test step), that run's phase; then the value given to
    `set_learning_phase`; else 0. Outside a running graph the number itself is what Keras 2 code lists
    among the inputs of `K.function` as its learning-phase slot.

    # Returns
        The integer 0 or 1.
    """
    stack = _phase_stack()
    if stack:
        return stack[-1]
    from .symbolic import evaluation  # the running graph's phase (symbolic builds on this module)
    running = evaluation.current_training()
    if running is not None:
        return int(bool(running))
    if _GLOBAL_LEARNING_PHASE is not None:
        return _GLOBAL_LEARNING_PHASE
    return 0


def set_learning_phase(value):
    """Sets the learning phase to a fixed value.

    # Arguments
        value: 0 (test) or 1 (train).

    # Raises
        ValueError: for any other value.
    """
    global _GLOBAL_LEARNING_PHASE
    _GLOBAL_LEARNING_PHASE = _check_phase(value)


@contextlib.contextmanager
def learning_phase_scope(value):
    """Context manager inside which `learning_phase()` returns `value`.

    Scopes nest; each thread has its own stack.

    # Arguments
        value: 0 (test) or 1 (train).

    # Raises
        ValueError: for any other value.
    """
    stack = _phase_stack()
    stack.append(_check_phase(value))
    try:
        yield value
    finally:
        stack.pop()


load_config()
