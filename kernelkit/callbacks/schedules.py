"""Callbacks that change the learning rate: `LearningRateScheduler` and `ReduceLROnPlateau`.

Both set the optimizer's `lr` variable, which the compiled training step reads at every batch, so the
new rate is used from the next batch on. Both also log the rate under `lr` at the end of each epoch
(so it appears in `History`, `CSVLogger` files and TensorBoard).
"""
import warnings

import numpy as np

from kernelkit import backend as K
from kernelkit.callbacks import _monitoring
from kernelkit.callbacks.base import Callback


def _current_lr(model):
    return K.get_value(model.optimizer.lr)


def _log_lr(model, logs):
    if logs is not None:
        logs['lr'] = _current_lr(model)


class LearningRateScheduler(Callback):
    """Learning rate scheduler.

    At the beginning of every epoch, calls `schedule(epoch, lr)` with the epoch index (counted from 0)
    and the current learning rate, and sets the optimizer's learning rate to the result. A schedule
    taking only the epoch, `schedule(epoch)`, works too.

    # Arguments
        schedule: a function that takes an epoch index as input (integer, indexed from 0) and the current
            learning rate, and returns a new learning rate as output (float).
        verbose: int. 0: quiet, 1: update messages.

    # Raises
        ValueError: at the start of an epoch, if the optimizer has no `lr` attribute or if `schedule`
            does not return a float (a Python float, `np.float32` or `np.float64`).

    # Example
    ```python
    def schedule(epoch, lr):
        return lr * 0.5 if epoch >= 10 else lr
    model.fit(x, y, callbacks=[LearningRateScheduler(schedule, verbose=1)])
    ```
    """

    def __init__(self, schedule, verbose=0):
        super(LearningRateScheduler, self).__init__()
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        if not hasattr(self.model.optimizer, 'lr'):
            raise ValueError('Optimizer must have a "lr" attribute.')
        lr = float(_current_lr(self.model))
        try:  # new API: schedule(epoch, lr)
            lr = self.schedule(epoch, lr)
        except TypeError:  # old API: schedule(epoch)
            lr = self.schedule(epoch)
        if not isinstance(lr, (float, np.float32, np.float64)):
            raise ValueError('The output of the "schedule" function should be float.')
        K.set_value(self.model.optimizer.lr, lr)
        if self.verbose > 0:
            print('\nEpoch %05d: LearningRateScheduler setting learning rate to %s.' % (epoch + 1, lr))

    def on_epoch_end(self, epoch, logs=None):
        _log_lr(self.model, logs)


class ReduceLROnPlateau(Callback):
    """Reduce learning rate when a metric has stopped improving.

    Models often benefit from reducing the learning rate by a factor of 2-10 once learning stagnates.
    This callback monitors a quantity and if no improvement is seen for a 'patience' number of epochs,
    the learning rate is reduced. The learning rate is logged under `lr` at the end of every epoch (the
    rate used during that epoch, before any reduction decided at its end).

    # Example
    ```python
    reduce_lr = ReduceLROnPlateau(monitor='val_loss', factor=0.2, patience=5, min_lr=0.001)
    model.fit(X_train, Y_train, callbacks=[reduce_lr])
    ```

    # Arguments
        monitor: quantity to be monitored.
        factor: factor by which the learning rate will be reduced. new_lr = lr * factor
        patience: number of epochs with no improvement after which learning rate will be reduced.
        verbose: int. 0: quiet, 1: update messages.
        mode: one of {auto, min, max}. In `min` mode, lr will be reduced when the quantity monitored has
            stopped decreasing; in `max` mode it will be reduced when the quantity monitored has stopped
            increasing; in `auto` mode, the direction is automatically inferred from the name of the
            monitored quantity ('acc' in the name means `max`).
        min_delta: threshold for measuring the new optimum, to only focus on significant changes.
        cooldown: number of epochs to wait before resuming normal operation after lr has been reduced.
        min_lr: lower bound on the learning rate.
        **kwargs: `epsilon`, the Keras 2.0 name of `min_delta` (deprecated, with a warning).

    # Raises
        ValueError: if `factor >= 1.0`.

    Unknown keyword arguments are ignored with a warning.
    """

    def __init__(self, monitor='val_loss', factor=0.1, patience=10, verbose=0, mode='auto', min_delta=1e-4,
                 cooldown=0, min_lr=0, **kwargs):
        super(ReduceLROnPlateau, self).__init__()
        self.monitor = monitor
        if factor >= 1.0:
            raise ValueError('ReduceLROnPlateau does not support a factor >= 1.0.')
        if 'epsilon' in kwargs:
            min_delta = kwargs.pop('epsilon')
            warnings.warn('`epsilon` argument is deprecated and will be removed, use `min_delta` instead.',
                          stacklevel=2)
        if kwargs:  # Keras 2.2 ignored them silently; a warning keeps old code running and shows typos
            warnings.warn('ReduceLROnPlateau ignores unknown keyword argument(s): %s' % ', '.join(sorted(kwargs)),
                          stacklevel=2)
        self.factor = factor
        self.min_lr = min_lr
        self.min_delta = min_delta
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.cooldown_counter = 0  # cooldown counter
        self.wait = 0
        self.best = 0
        self.mode = mode
        self.monitor_op = None
        self._reset()

    def _reset(self):
        """Resets the wait and cooldown counters and the best value."""
        self.mode = _monitoring.check_mode(
            self.mode, 'Learning Rate Plateau Reducing mode %s is unknown, fallback to auto mode.')
        if self.mode == 'min' or (self.mode == 'auto' and 'acc' not in str(self.monitor)):
            self.monitor_op = lambda a, b: np.less(a, b - self.min_delta)
            self.best = np.inf
        else:
            self.monitor_op = lambda a, b: np.greater(a, b + self.min_delta)
            self.best = -np.inf
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs=None):
        self._reset()

    def in_cooldown(self):
        """Whether the callback is in its cooldown period after a reduction."""
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            logs = _monitoring.as_logs(logs)
        _log_lr(self.model, logs)
        current = _monitoring.monitored_value(logs, self.monitor)
        if current is None:
            warnings.warn('Reduce LR on plateau conditioned on metric `%s` which is not available. Available '
                          'metrics are: %s' % (self.monitor, ','.join(list(logs.keys()))), RuntimeWarning)
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self.monitor_op(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                old_lr = _current_lr(self.model)
                # Compared at the variable's precision: a rate already lowered to `min_lr` is stored as
                # float32(min_lr), which may be slightly above the Python float and must not count as
                # "above the floor" (that would repeat the reduction message forever).
                if old_lr > np.asarray(self.min_lr, dtype=np.asarray(old_lr).dtype):
                    old_lr = float(old_lr)
                    new_lr = max(old_lr * self.factor, self.min_lr)
                    K.set_value(self.model.optimizer.lr, new_lr)
                    if self.verbose > 0:
                        print('\nEpoch %05d: ReduceLROnPlateau reducing learning rate to %s.'
                              % (epoch + 1, new_lr))
                    self.cooldown_counter = self.cooldown
                    self.wait = 0
