"""Helpers shared by the callbacks that watch a logged quantity (checkpoints, early stopping, LR plateaus)."""
import warnings

import numpy as np

from kernelkit.engine.logs import Logs


def as_logs(logs):
    """Returns `logs` as a `Logs` (so aliases such as `val_acc` -> `val_accuracy` resolve); None gives `{}`.

    A `Logs` is returned as is (writes into it reach the caller's dict); a plain dict is wrapped in a copy,
    used for reading only.
    """
    if logs is None:
        return Logs()
    if isinstance(logs, Logs):
        return logs
    return Logs(logs)


def monitored_value(logs, monitor):
    """Reads the value of `monitor` in `logs`, alias names included; None when it is not logged."""
    return as_logs(logs).get(monitor)


def check_mode(mode, message):
    """Returns `mode` if it is 'auto', 'min' or 'max'; otherwise warns `message % mode` and returns 'auto'."""
    if mode not in ('auto', 'min', 'max'):
        warnings.warn(message % (mode,), RuntimeWarning, stacklevel=3)
        return 'auto'
    return mode


def maximizes(mode, monitor):
    """Whether a monitored quantity improves by increasing, as ModelCheckpoint and EarlyStopping decide.

    'max' maximizes and 'min' minimizes; 'auto' maximizes when 'acc' occurs in the monitored name or the
    name starts with 'fmeasure', and minimizes otherwise.
    """
    if mode == 'max':
        return True
    if mode == 'min':
        return False
    monitor = str(monitor)
    return 'acc' in monitor or monitor.startswith('fmeasure')


def comparison(maximize):
    """Returns `(monitor_op, initial_best)`: `np.greater, -inf` to maximize, `np.less, +inf` to minimize."""
    if maximize:
        return np.greater, -np.inf
    return np.less, np.inf
