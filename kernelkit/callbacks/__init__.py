"""Callbacks: objects called at given stages of training (Keras 2.2 `keras.callbacks`).

One module per family of callbacks; this package re-exports their public classes:

- `base`: `Callback`, `CallbackList`.
- `loggers`: `BaseLogger`, `ProgbarLogger`, `History` (added by `fit` itself).
"""
from kernelkit.callbacks.base import Callback, CallbackList
from kernelkit.callbacks.loggers import BaseLogger, History, ProgbarLogger

__all__ = ['Callback', 'CallbackList', 'BaseLogger', 'History', 'ProgbarLogger']
