"""Fixtures shared by the whole test suite. Keep this file small: test helpers live beside their tests."""
import random
import sys

import numpy as np
import pytest

SEED = 1337


@pytest.fixture(autouse=True)
def fresh_session():
    """Every test starts from a cleared Keras session and seeded random generators.

    Clears kernelkit's session (layer-name counters, the learning phase, ...) once its backend provides
    `clear_session`, and tf_keras's when a test has imported the oracle. Seeds Python's, numpy's and
    (when already imported) TensorFlow's generators. TensorFlow is never imported from here, so a test
    that checks what gets imported still sees a clean process.
    """
    random.seed(SEED)
    np.random.seed(SEED)
    backend = sys.modules.get('kernelkit.backend')
    if backend is None and 'kernelkit' in sys.modules:
        try:
            import kernelkit.backend as backend
        except ImportError:  # the backend package is not there yet
            backend = None
    clear = getattr(backend, 'clear_session', None)
    if clear is not None:
        clear()
    oracle = sys.modules.get('tf_keras')
    if oracle is not None:
        oracle.backend.clear_session()
    tf = sys.modules.get('tensorflow')
    if tf is not None:
        tf.random.set_seed(SEED)
    yield
