"""The callbacks `fit` adds by itself: `BaseLogger`, `ProgbarLogger` and `History`."""
import sys

from kernelkit.callbacks.base import Callback
from kernelkit.engine.logs import Logs
from kernelkit.utils.progbar import Progbar


def _check_stateful_metrics(stateful_metrics):
    """Returns `stateful_metrics` as a set, rejecting a bare string."""
    if isinstance(stateful_metrics, str):
        raise TypeError('`stateful_metrics` must be an iterable of metric names, not a string '
                        '(got %r); wrap it in a list.' % (stateful_metrics,))
    return set(stateful_metrics or ())


class BaseLogger(Callback):
    """Callback that accumulates epoch averages of metrics.

    This callback is automatically applied to every Keras model, first. At the end of each epoch it
    writes, into the shared epoch logs, the average over the epoch's samples of every metric listed in
    `params['metrics']` (each batch's value weighted by its `size`), so the callbacks after it see them.

    # Arguments
        stateful_metrics: iterable of names of metrics that must *not* be averaged over an epoch; the
            last batch's value is used instead.
    """

    def __init__(self, stateful_metrics=None):
        super(BaseLogger, self).__init__()
        self.stateful_metrics = _check_stateful_metrics(stateful_metrics)
        self.seen = 0
        self.totals = {}

    def on_epoch_begin(self, epoch, logs=None):
        self.seen = 0
        self.totals = {}

    def on_batch_end(self, batch, logs=None):
        logs = logs or {}
        batch_size = logs.get('size', 0)
        self.seen += batch_size
        totals = self.totals
        for name, value in logs.items():
            if name in self.stateful_metrics:
                totals[name] = value
            elif name in totals:
                totals[name] += value * batch_size
            else:
                totals[name] = value * batch_size

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        for name in self.params.get('metrics', ()):
            if name not in self.totals:
                continue
            if name in self.stateful_metrics:
                logs[name] = self.totals[name]
            elif self.seen:
                logs[name] = self.totals[name] / self.seen


class ProgbarLogger(Callback):
    """Callback that prints metrics to stdout.

    It prints `Epoch e/E` at the start of each epoch, then a live progress bar (verbose 1) or one line
    per epoch (verbose 2), showing only the metrics listed in `params['metrics']`.

    # Arguments
        count_mode: one of `'steps'` or `'samples'`: whether the progress bar counts samples seen or
            steps (batches) seen.
        stateful_metrics: iterable of names of metrics that must *not* be averaged over an epoch; they
            are shown as given.

    # Raises
        ValueError: in case of invalid `count_mode`.
    """

    def __init__(self, count_mode='samples', stateful_metrics=None):
        super(ProgbarLogger, self).__init__()
        if count_mode == 'samples':
            self.use_steps = False
        elif count_mode == 'steps':
            self.use_steps = True
        else:
            raise ValueError("Unknown `count_mode`: %s. Expected 'samples' or 'steps'." % (count_mode,))
        self.stateful_metrics = _check_stateful_metrics(stateful_metrics)
        self.verbose = 1
        self.epochs = 1
        self.target = None
        self.progbar = None
        self.seen = 0
        self.log_values = []

    def on_train_begin(self, logs=None):
        self.verbose = self.params['verbose']
        self.epochs = self.params['epochs']

    def on_epoch_begin(self, epoch, logs=None):
        if self.verbose:
            print('Epoch %d/%d' % (epoch + 1, self.epochs))
            self.target = self.params['steps'] if self.use_steps else self.params['samples']
            self.progbar = Progbar(target=self.target, verbose=self.verbose,
                                   stateful_metrics=self.stateful_metrics)
        self.seen = 0

    def _collect(self, logs):
        """Adds `(name, value)` for each metric of `params['metrics']` stored under that exact name."""
        stored = logs.keys()  # a keys view tests membership exactly, without alias look-ups
        for name in self.params['metrics']:
            if name in stored:
                self.log_values.append((name, logs[name]))

    def on_batch_begin(self, batch, logs=None):
        if self.target is None or self.seen < self.target:
            self.log_values = []

    def on_batch_end(self, batch, logs=None):
        logs = logs or {}
        self.seen += 1 if self.use_steps else logs.get('size', 0)
        self._collect(logs)
        # The last batch is drawn by on_epoch_end, together with the epoch's values.
        if self.verbose and (self.target is None or self.seen < self.target):
            self.progbar.update(self.seen, self.log_values)

    def on_epoch_end(self, epoch, logs=None):
        self._collect(logs or {})
        if self.verbose:
            self.progbar.update(self.seen, self.log_values)
            if self.target is None and self.verbose == 1:
                sys.stdout.write('\n')  # a bar of unknown length never reaches its end by itself


class History(Callback):
    """Callback that records events into a `History` object.

    This callback is automatically applied to every Keras model, last. The `History` object is returned
    by the `fit` method of models.

    # Properties
        epoch: list of the indices (0-based) of the epochs run.
        history: `Logs` mapping each logged key to the list of its values, one per epoch. Reading a key
            also finds its aliases, so `history.history['acc']` works after `metrics=['accuracy']`.
    """

    def __init__(self):
        super(History, self).__init__()
        self.epoch = []
        self.history = Logs()

    def on_train_begin(self, logs=None):
        self.epoch = []
        self.history = Logs()

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(value)

    def plot(self, **kwargs):
        """Draws the recorded metrics, one panel per metric with training and validation together.

        # Arguments
            **kwargs: passed to `kernelkit.widgets.history_plot.plot_history` (needs matplotlib).

        # Returns
            A figure object that notebooks display inline.
        """
        from kernelkit.widgets.history_plot import plot_history
        return plot_history(self, **kwargs)


def training_callback_list(callbacks, history, verbose, count_mode):
    """The callbacks every training loop runs, in Keras 2's order: `BaseLogger`, the progress display
    (when `verbose`), the user's callbacks, then `history`.

    Inside a Jupyter kernel with `verbose=1` the progress display is the notebook's live curves
    (`kernelkit.widgets`, imported only there; `kernelkit.widgets.set_live_default(False)` or
    `KERNELKIT_LIVE_CURVES=0` keeps the text bar). A user callback with `replaces_progress_bar = True`
    (such as `LiveCurves` itself) takes the place of the display.

    # Arguments
        callbacks: the user's callbacks, or `None`.
        history: the `History` the loop will return.
        verbose: the loop's `verbose` argument.
        count_mode: `'samples'` or `'steps'`, what the text bar counts.

    # Returns
        A `CallbackList`.

    # Raises
        TypeError: if a user callback is not a `Callback`.
    """
    from kernelkit.callbacks.base import CallbackList
    callbacks = list(callbacks or [])
    displays = []
    if verbose and not any(getattr(c, 'replaces_progress_bar', False) for c in callbacks):
        live = None
        if verbose == 1 and 'ipykernel' in sys.modules:
            from kernelkit.widgets import default_progress_callback
            live = default_progress_callback(verbose)
        displays.append(live or ProgbarLogger(count_mode=count_mode))
    if 'ipykernel' in sys.modules:  # JupyterLab's status bar (kernelkit-lab), unless LiveCurves feeds it
        from kernelkit.widgets.lab_bridge import auto_status_callback
        status = auto_status_callback(displays + callbacks)
        if status is not None:
            displays.append(status)
    return CallbackList([BaseLogger()] + displays + callbacks + [history])
