"""`keras.objectives`, the Keras 1 name of `kernelkit.losses` (deprecated): the same functions.

Importing it warns once (`KerasMigrationWarning`); write `from kernelkit import losses` (or `keras.losses`).
"""
from kernelkit.legacy import table as _table
from kernelkit.legacy.interfaces import emit as _emit
from kernelkit.losses import *  # noqa: F401,F403
from kernelkit.losses import deserialize, get, serialize  # noqa: F401

_emit(_table.OBJECTIVES_MODULE)
