"""`ModelCheckpoint`: saves the model (or its weights) at the end of epochs."""
import os
import warnings

from kernelkit.callbacks import _monitoring
from kernelkit.callbacks.base import Callback


class ModelCheckpoint(Callback):
    """Save the model after every epoch.

    `filepath` can contain named formatting options, which are filled with the value of `epoch` and the
    keys in `logs` (passed in `on_epoch_end`). The epoch is counted from 1. For example, if `filepath` is
    `weights.{epoch:02d}-{val_loss:.2f}.hdf5`, the model checkpoints are saved with the epoch number and
    the validation loss in the filename (`weights.03-0.41.hdf5`). Old metric names work in the template
    too: `{val_acc:.2f}` finds the value logged as `val_accuracy`.

    Each save is atomic: the file is written under a temporary name beside `filepath` and renamed over it,
    so an interrupted save never damages the previous checkpoint.

    # Arguments
        filepath: string, path to save the model file.
        monitor: quantity to monitor.
        verbose: verbosity mode, 0 or 1.
        save_best_only: if `save_best_only=True`, the latest best model according to the quantity
            monitored will not be overwritten.
        save_weights_only: if True, then only the model's weights will be saved
            (`model.save_weights(filepath)`), else the full model is saved (`model.save(filepath)`).
        mode: one of {auto, min, max}. If `save_best_only=True`, the decision to overwrite the current
            save file is made based on either the maximization or the minimization of the monitored
            quantity. For `val_acc`, this should be `max`, for `val_loss` this should be `min`, etc. In
            `auto` mode, the direction is automatically inferred from the name of the monitored quantity.
        period: interval (number of epochs) between checkpoints.

    # Raises
        KeyError: at the end of an epoch, when `filepath` names a value that is not in the logs.

    An unknown `mode` gives a `RuntimeWarning` and falls back to 'auto'. With `save_best_only`, an epoch
    whose logs lack `monitor` gives a `RuntimeWarning` and saves nothing.
    """

    def __init__(self, filepath, monitor='val_loss', verbose=0, save_best_only=False,
                 save_weights_only=False, mode='auto', period=1):
        super(ModelCheckpoint, self).__init__()
        self.monitor = monitor
        self.verbose = verbose
        self.filepath = os.fspath(filepath)
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.period = period
        self.epochs_since_last_save = 0
        mode = _monitoring.check_mode(mode, 'ModelCheckpoint mode %s is unknown, fallback to auto mode.')
        self.mode = mode
        self.monitor_op, self.best = _monitoring.comparison(_monitoring.maximizes(mode, monitor))

    def _format_path(self, epoch, logs):
        values = _monitoring.as_logs(logs).copy()
        values['epoch'] = epoch + 1
        return self.filepath.format_map(values)

    def _save(self, filepath):
        if self.save_weights_only:
            self.model.save_weights(filepath, overwrite=True)
        else:
            self.model.save(filepath, overwrite=True)

    def on_epoch_end(self, epoch, logs=None):
        self.epochs_since_last_save += 1
        if self.epochs_since_last_save < self.period:
            return
        self.epochs_since_last_save = 0
        filepath = self._format_path(epoch, logs)
        if not self.save_best_only:
            if self.verbose > 0:
                print('\nEpoch %05d: saving model to %s' % (epoch + 1, filepath))
            self._save(filepath)
            return
        current = _monitoring.monitored_value(logs, self.monitor)
        if current is None:
            warnings.warn('Can save best model only with %s available, skipping.' % (self.monitor,),
                          RuntimeWarning)
            return
        if self.monitor_op(current, self.best):
            if self.verbose > 0:
                print('\nEpoch %05d: %s improved from %0.5f to %0.5f, saving model to %s'
                      % (epoch + 1, self.monitor, self.best, current, filepath))
            self.best = current
            self._save(filepath)
        elif self.verbose > 0:
            print('\nEpoch %05d: %s did not improve from %0.5f' % (epoch + 1, self.monitor, self.best))
