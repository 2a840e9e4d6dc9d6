"""kernelkit: the Keras 2 API on TensorFlow 2, built for notebooks.

`import kernelkit as keras` gives the modules a Keras 2 user expects: `layers`, `models`, `optimizers`,
`losses`, `metrics`, `callbacks`, `backend`, `activations`, `initializers`, `regularizers`, `constraints`,
`utils`. Notebook widgets live in `kernelkit.widgets` and are only imported when asked for.
"""
from kernelkit._tensorflow import import_tensorflow as _import_tensorflow

_import_tensorflow()

from kernelkit import backend  # noqa: E402
from kernelkit import activations, constraints, initializers, regularizers  # noqa: E402
from kernelkit import losses, metrics, optimizers  # noqa: E402
from kernelkit import layers, models  # noqa: E402
from kernelkit import callbacks  # noqa: E402
from kernelkit import utils  # noqa: E402
from kernelkit import preprocessing  # noqa: E402
from kernelkit import datasets  # noqa: E402
from kernelkit.engine.input_layer import Input  # noqa: E402
from kernelkit.engine.sequential import Sequential  # noqa: E402
from kernelkit.engine.training import Model  # noqa: E402
from kernelkit.legacy.aliases import install_as_keras  # noqa: E402,F401
from kernelkit import legacy as _legacy  # noqa: E402

_legacy.install()  # Keras 1 compatibility, all of it: see kernelkit/legacy/__init__.py
from kernelkit.widgets import load_ipython_extension, unload_ipython_extension  # noqa: E402,F401
from kernelkit.widgets import install_default_cards as _install_default_cards  # noqa: E402

_install_default_cards()  # in a Jupyter kernel only: Keras 1 migration warnings as cards below the cell

__version__ = '0.1.0'


def __getattr__(name):
    """`kernelkit.applications` and `kernelkit.wrappers` are imported on first use (as `keras.applications` and
    `keras.wrappers` were there after `import keras`)."""
    if name in ('applications', 'wrappers'):
        import importlib
        return importlib.import_module('kernelkit.' + name)
    raise AttributeError("module 'kernelkit' has no attribute %r" % (name,))
