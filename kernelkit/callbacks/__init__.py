"""Callbacks: objects called at given stages of training (Keras 2.2 `keras.callbacks`).

One module per family of callbacks; this package re-exports their public classes:

- `base`: `Callback`, `CallbackList`.
- `loggers`: `BaseLogger`, `ProgbarLogger`, `History` (added by `fit` itself).
- `checkpoint`: `ModelCheckpoint`.
- `early_stopping`: `EarlyStopping`.
- `schedules`: `LearningRateScheduler`, `ReduceLROnPlateau`.
- `csv_logger`: `CSVLogger`.
- `tensorboard`: `TensorBoard`.
- `misc`: `LambdaCallback`, `TerminateOnNaN`, `RemoteMonitor`.
- `backup`: `BackupAndRestore` (tf_keras's; resumes an interrupted `fit`).
"""
from kernelkit.callbacks.backup import BackupAndRestore
from kernelkit.callbacks.base import Callback, CallbackList
from kernelkit.callbacks.loggers import BaseLogger, History, ProgbarLogger
from kernelkit.callbacks.checkpoint import ModelCheckpoint
from kernelkit.callbacks.csv_logger import CSVLogger
from kernelkit.callbacks.early_stopping import EarlyStopping
from kernelkit.callbacks.misc import LambdaCallback, RemoteMonitor, TerminateOnNaN
from kernelkit.callbacks.schedules import LearningRateScheduler, ReduceLROnPlateau
from kernelkit.callbacks.tensorboard import TensorBoard

__all__ = ['Callback', 'CallbackList', 'BaseLogger', 'History', 'ProgbarLogger']
__all__ += ['ModelCheckpoint', 'CSVLogger', 'EarlyStopping', 'LambdaCallback', 'RemoteMonitor', 'TerminateOnNaN',
            'LearningRateScheduler', 'ReduceLROnPlateau', 'TensorBoard', 'BackupAndRestore']
