"""Imports TensorFlow without letting it load Keras, and without its start-up chatter.

TensorFlow 2.16+ eagerly imports the installed Keras 3 (or tf_keras) from its own `__init__`, only to
register optimizers for SavedModel. kernelkit is its own Keras 2 implementation and must not drag a
second Keras into the process, so the first import of TensorFlow happens here with `keras` and
`tf_keras` marked as unimportable; TensorFlow already tolerates their absence. The marks are removed
straight afterwards, so a user can still import Keras 3 or tf_keras explicitly.

TensorFlow's C++ runtime also prints lines at import ("oneDNN custom operations are on", "Could not find
cuda drivers") straight to the process's stderr, before its own log level applies; in a notebook they fill
the first cell with a red box. Unless the user set `TF_CPP_MIN_LOG_LEVEL` themselves, kernelkit sets it to
2; unless it is 0, kernelkit silences stderr while TensorFlow imports and lists the physical devices (the step that prints
"failed call to cuInit" on machines with CUDA libraries and no GPU). Devices are not initialized here, so
GPU settings such as memory growth can still be changed after `import kernelkit`, and a GPU is used as
usual. Set `TF_CPP_MIN_LOG_LEVEL=0` to see everything.
"""
import contextlib
import os
import sys

_BLOCKED = ('keras', 'tf_keras')


@contextlib.contextmanager
def _quiet_stderr(enabled):
    """Points file descriptor 2 at /dev/null for the duration (Python exceptions still propagate)."""
    if not enabled:
        yield
        return
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no real stderr (some embedded interpreters)
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def import_tensorflow():
    """Imports and returns the `tensorflow` module without importing Keras.

    # Returns
        The `tensorflow` module.
    """
    if 'tensorflow' in sys.modules:
        return sys.modules['tensorflow']
    # Quiet unless the user asked for TensorFlow's messages: `TF_CPP_MIN_LOG_LEVEL=0` shows everything;
    # 1-3 (which TensorFlow itself does not apply to these early lines) mean hide them.
    quiet = os.environ.get('TF_CPP_MIN_LOG_LEVEL', '2').strip() != '0'
    os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
    marked = [name for name in _BLOCKED if name not in sys.modules]
    for name in marked:
        sys.modules[name] = None
    try:
        with _quiet_stderr(quiet):
            import tensorflow
            # Finding the devices is what prints "failed call to cuInit" on a machine with CUDA libraries
            # but no GPU; doing it here, quietly, keeps that line out of the first cell that trains. Only
            # physical devices are listed: nothing is initialized, and GPU settings stay changeable.
            tensorflow.config.list_physical_devices()
    finally:
        for name in marked:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]
    return tensorflow
