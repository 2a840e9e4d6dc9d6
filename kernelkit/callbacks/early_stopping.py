"""`EarlyStopping`: stops training when a monitored quantity has stopped improving."""
import warnings

from kernelkit.callbacks import _monitoring
from kernelkit.callbacks.base import Callback


class EarlyStopping(Callback):
    """Stop training when a monitored quantity has stopped improving.

    At the end of each epoch, the monitored value improves when it beats the best value so far by more
    than `min_delta`. Each epoch without improvement increments a counter (reset on improvement); when
    the counter reaches `patience`, training stops. So with `patience=0` training stops after the first
    epoch that does not improve, and with `patience=2` after two such epochs in a row (Keras 2.1+
    semantics; Keras 2.0 stopped one epoch later).

    # Arguments
        monitor: quantity to be monitored.
        min_delta: minimum change in the monitored quantity to qualify as an improvement, i.e. an
            absolute change of less than min_delta, will count as no improvement.
        patience: number of epochs with no improvement after which training will be stopped.
        verbose: verbosity mode.
        mode: one of {auto, min, max}. In `min` mode, training will stop when the quantity monitored has
            stopped decreasing; in `max` mode it will stop when the quantity monitored has stopped
            increasing; in `auto` mode, the direction is automatically inferred from the name of the
            monitored quantity ('acc' in the name means `max`).
        baseline: baseline value for the monitored quantity to reach. Training will stop if the model
            doesn't show improvement over the baseline.
        restore_best_weights: whether to restore model weights from the epoch with the best value of the
            monitored quantity. If False, the model weights obtained at the last step of training are
            used.

    # Raises
        Nothing: an unknown `mode` gives a `RuntimeWarning` and falls back to 'auto', and an epoch whose
        logs lack `monitor` gives a `RuntimeWarning` and is ignored.
    """

    def __init__(self, monitor='val_loss', min_delta=0, patience=0, verbose=0, mode='auto', baseline=None,
                 restore_best_weights=False):
        super(EarlyStopping, self).__init__()
        self.monitor = monitor
        self.baseline = baseline
        self.patience = patience
        self.verbose = verbose
        self.wait = 0
        self.stopped_epoch = 0
        self.restore_best_weights = restore_best_weights
        self.best_weights = None
        mode = _monitoring.check_mode(mode, 'EarlyStopping mode %s is unknown, fallback to auto mode.')
        self.mode = mode
        maximize = self._maximize = _monitoring.maximizes(mode, monitor)
        self.monitor_op, self.best = _monitoring.comparison(maximize)
        # Improvement means monitor_op(current - min_delta, best): the delta is positive when maximizing and
        # negative when minimizing, so it always asks for a change of at least |min_delta|.
        self.min_delta = abs(min_delta) if maximize else -abs(min_delta)

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best_weights = None
        if self.baseline is not None:
            self.best = self.baseline
        else:
            self.best = _monitoring.comparison(self._maximize)[1]

    def get_monitor_value(self, logs):
        """Returns the monitored value from `logs` (alias names included), warning when it is missing.

        # Arguments
            logs: the epoch logs.

        # Returns
            The value, or None when the logs do not hold it.
        """
        logs = _monitoring.as_logs(logs)
        value = logs.get(self.monitor)
        if value is None:
            warnings.warn('Early stopping conditioned on metric `%s` which is not available. Available '
                          'metrics are: %s' % (self.monitor, ','.join(list(logs.keys()))), RuntimeWarning)
        return value

    def on_epoch_end(self, epoch, logs=None):
        current = self.get_monitor_value(logs)
        if current is None:
            return
        if self.monitor_op(current - self.min_delta, self.best):
            self.best = current
            self.wait = 0
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            self.model.stop_training = True
            if self.restore_best_weights and self.best_weights is not None:
                if self.verbose > 0:
                    print('Restoring model weights from the end of the best epoch')
                self.model.set_weights(self.best_weights)

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print('Epoch %05d: early stopping' % (self.stopped_epoch + 1))
