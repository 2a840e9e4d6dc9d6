"""Imports TensorFlow without letting it load Keras.

TensorFlow 2.16+ eagerly imports the installed Keras 3 (or tf_keras) from its own `__init__`, only to
register optimizers for SavedModel. kernelkit is its own Keras 2 implementation and must not drag a
second Keras into the process, so the first import of TensorFlow happens here with `keras` and
`tf_keras` marked as unimportable; TensorFlow already tolerates their absence. The marks are removed
straight afterwards, so a user can still import Keras 3 or tf_keras explicitly.
"""
import os
import sys

_BLOCKED = ('keras', 'tf_keras')


def import_tensorflow():
    """Imports and returns the `tensorflow` module without importing Keras.

    # Returns
        The `tensorflow` module.
    """
    if 'tensorflow' in sys.modules:
        return sys.modules['tensorflow']
    os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
    marked = [name for name in _BLOCKED if name not in sys.modules]
    for name in marked:
        sys.modules[name] = None
    try:
        import tensorflow
    finally:
        for name in marked:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]
    return tensorflow
