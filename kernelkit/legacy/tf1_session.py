"""TensorFlow 1 session idioms that 2017-2019 Keras scripts carry, accepted on TensorFlow 2.

Scripts of that time configured TensorFlow through a session::

    config = tf.ConfigProto(gpu_options=tf.GPUOptions(allow_growth=True))
    keras.backend.tensorflow_backend.set_session(tf.Session(config=config))

and read values with `K.get_session().run(...)`. TensorFlow 2 has no sessions. Here `set_session`
applies what the session's `ConfigProto` asked for through `tf.config` (memory growth, visible devices,
thread pools, placement logging), and `get_session` returns a small object whose `run` evaluates
what TF1 code fetched. Each call shows a `KerasMigrationWarning` with the TensorFlow 2 code to write.
`install()` makes these the backend's `set_session`/`get_session`; `kernelkit/__init__.py` calls it.
"""
import tensorflow as tf

from kernelkit.legacy.interfaces import emit

SET_SESSION = ('`set_session(tf.Session(config=...))` is a TensorFlow 1 idiom: TensorFlow 2 has no sessions. '
               'kernelkit applied the session config through `tf.config`: %s. On TensorFlow 2, write: %s')
GET_SESSION = ('`get_session()` is a TensorFlow 1 idiom: TensorFlow 2 has no sessions. kernelkit returns an '
               'object whose `run(fetches, feed_dict)` evaluates them. On TensorFlow 2, write `K.eval(x)` / '
               '`K.get_value(x)` for values, `K.function(inputs, outputs)(values)` for fed tensors, and '
               '`K.set_value` or `tf.Variable.assign` instead of running assign ops.')
MEMORY_GROWTH = ("for gpu in tf.config.list_physical_devices('GPU'): "
                 "tf.config.experimental.set_memory_growth(gpu, True)")


def _apply(description, code, function, *args):
    """Runs one `tf.config` call; TensorFlow refuses some once devices are initialized."""
    try:
        function(*args)
        return description, code
    except (RuntimeError, ValueError) as error:
        return '%s (not applied: %s; call set_session before anything runs)' % (description, error), code


def apply_config(config):
    """Applies a TF1 `ConfigProto` through TensorFlow 2's `tf.config`.

    # Arguments
        config: a `tf.compat.v1.ConfigProto` (or `None`).

    # Returns
        A list of `(what was applied, the TensorFlow 2 code for it)` pairs.
    """
    if config is None:
        return []
    done = []
    gpus = tf.config.list_physical_devices('GPU')
    counts = dict(config.device_count)
    if 'GPU' in counts:
        visible = gpus[:counts['GPU']]
        done.append(_apply('%d visible GPU(s)' % len(visible),
                           "tf.config.set_visible_devices(tf.config.list_physical_devices('GPU')[:%d], 'GPU')"
                           % counts['GPU'], tf.config.set_visible_devices, visible, 'GPU'))
        gpus = visible
    if config.gpu_options.allow_growth:
        def grow():
            for gpu in gpus:
                tf.config.experimental.set_memory_growth(gpu, True)
        done.append(_apply('memory growth on %d GPU(s)' % len(gpus), MEMORY_GROWTH, grow))
    if config.gpu_options.per_process_gpu_memory_fraction:
        done.append(('per_process_gpu_memory_fraction=%g not applied (TensorFlow 2 takes a limit in MB)'
                     % config.gpu_options.per_process_gpu_memory_fraction,
                     'tf.config.set_logical_device_configuration(gpu, '
                     '[tf.config.LogicalDeviceConfiguration(memory_limit=MEGABYTES)])'))
    if config.intra_op_parallelism_threads:
        done.append(_apply('intra_op_parallelism_threads=%d' % config.intra_op_parallelism_threads,
                           'tf.config.threading.set_intra_op_parallelism_threads(%d)'
                           % config.intra_op_parallelism_threads,
                           tf.config.threading.set_intra_op_parallelism_threads,
                           config.intra_op_parallelism_threads))
    if config.inter_op_parallelism_threads:
        done.append(_apply('inter_op_parallelism_threads=%d' % config.inter_op_parallelism_threads,
                           'tf.config.threading.set_inter_op_parallelism_threads(%d)'
                           % config.inter_op_parallelism_threads,
                           tf.config.threading.set_inter_op_parallelism_threads,
                           config.inter_op_parallelism_threads))
    if config.log_device_placement:
        done.append(_apply('log_device_placement', 'tf.debugging.set_log_device_placement(True)',
                           tf.debugging.set_log_device_placement, True))
    if config.allow_soft_placement:
        done.append(_apply('allow_soft_placement', 'tf.config.set_soft_device_placement(True)',
                           tf.config.set_soft_device_placement, True))
    return done


class Session(object):
    """What `get_session()` returns: the parts of a TF1 session that Keras scripts used.

    # Arguments
        config: the `ConfigProto` given to `set_session`, if any.
    """

    def __init__(self, config=None):
        self.config = config
        self.graph = None

    def run(self, fetches, feed_dict=None):
        """Evaluates `fetches` (a tensor, variable, symbolic tensor, or a list/tuple/dict of them).

        # Arguments
            fetches: what to evaluate; `None` entries and TF1 initializer ops give `None`.
            feed_dict: `{placeholder or model input: value}` for symbolic fetches.

        # Returns
            numpy values with the structure of `fetches`.

        # Raises
            ValueError: when a symbolic fetch needs a value that `feed_dict` does not give.
        """
        from kernelkit import backend as K
        from kernelkit.backend.symbolic import is_symbolic
        feed_dict = dict(feed_dict or {})
        flat = tf.nest.flatten(fetches)
        symbolic = [f for f in flat if is_symbolic(f)]
        values = {}
        if symbolic:
            keys = list(feed_dict)
            computed = K.function(keys, symbolic)([feed_dict[k] for k in keys])
            values = {id(f): v for f, v in zip(symbolic, computed)}

        def value(fetch):
            if fetch is None or isinstance(fetch, tf.Operation):
                return None
            if id(fetch) in values:
                return values[id(fetch)]
            return K.get_value(fetch) if isinstance(fetch, tf.Variable) else K.eval(fetch)

        return tf.nest.pack_sequence_as(fetches, [value(f) for f in flat])

    def as_default(self):
        """A context manager that does nothing (there is no default session on TensorFlow 2)."""
        import contextlib
        return contextlib.nullcontext(self)

    def list_devices(self):
        """The logical devices TensorFlow 2 sees (`tf.config.list_logical_devices()`)."""
        return tf.config.list_logical_devices()

    def close(self):
        """Does nothing: there is nothing to release."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


_SESSION = [None]


def set_session(session):
    """Accepts a TF1 session, as Keras 2.2.4's `set_session` did, and applies its config on TensorFlow 2.

    # Arguments
        session: a `tf.compat.v1.Session` (its `ConfigProto` is applied), or a `Session` from `get_session`.

    # Returns
        None. A `KerasMigrationWarning` lists what was applied and the TensorFlow 2 code.
    """
    config = getattr(session, '_config', None) or getattr(session, 'config', None)
    done = apply_config(config)
    _SESSION[0] = Session(config)
    applied = '; '.join(what for what, _ in done) or 'nothing to apply'
    code = '; '.join(code for _, code in done) or 'nothing (remove the call)'
    emit(SET_SESSION % (applied, '`%s`' % code))


def get_session():
    """Returns a session-like object whose `run` evaluates fetches (see `Session`).

    # Returns
        A `Session`. A `KerasMigrationWarning` shows the TensorFlow 2 way.
    """
    emit(GET_SESSION)
    if _SESSION[0] is None:
        _SESSION[0] = Session()
    return _SESSION[0]


def _get_available_gpus():
    """The names of the visible GPUs (`'/device:GPU:0'`, ...), as Keras 2.2.4's private helper."""
    return [device.name for device in tf.config.list_logical_devices('GPU')]


def install():
    """Makes `set_session` and `get_session` of `kernelkit.backend` the TF1-idiom versions above."""
    from kernelkit import backend
    backend.set_session = set_session
    backend.get_session = get_session
