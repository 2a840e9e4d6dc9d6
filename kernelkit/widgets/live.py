"""`LiveCurves`: training curves that update in place while `fit` runs, with a Stop button.

In a Jupyter kernel (with ipywidgets, bokeh and jupyter_bokeh installed) the callback shows one panel per
metric (training and validation together), a progress bar with elapsed time and ETA, the latest values,
a Stop button, a log-scale toggle and a "smooth batches" toggle. New points are streamed into the existing
plots; nothing is cleared or redrawn, so other output of the cell stays. Earlier runs of the same cell or
model are drawn faintly underneath (with a toggle), so a re-run compares itself with the last ones. When
training ends the widget stays interactive while the kernel lives, and a static PNG of the final curves
joins it in the same display bundle: a saved notebook and nbval show the picture without a kernel.

Anywhere else (a script, a terminal, a notebook without the widget packages) it prints one line per epoch.

`fit(verbose=1)` in a notebook uses `LiveCurves` instead of the text progress bar when the engine asks
`default_progress_callback`; turn that off with `set_live_default(False)` or the environment variable
`KERNELKIT_LIVE_CURVES=0`.
"""
import base64
import math
import os
import time

from kernelkit.callbacks.base import Callback
from kernelkit.widgets import _env, lab_bridge
from kernelkit.widgets import _runs
from kernelkit.widgets._curvedata import CurveStore, smooth

ENV_VAR = 'KERNELKIT_LIVE_CURVES'
_live_default = None  # None: follow the environment variable


def set_live_default(enabled):
    """Chooses whether `fit(verbose=1)` shows live curves in notebooks (it does by default).

    # Arguments
        enabled: True or False; None goes back to the environment variable `KERNELKIT_LIVE_CURVES`
            (unset, or anything but `0`, `false`, `no`, `off`, means on).

    # Example
    ```python
    import kernelkit.widgets
    kernelkit.widgets.set_live_default(False)   # text progress bar again
    ```
    """
    global _live_default
    if enabled is not None and not isinstance(enabled, bool):
        raise TypeError('`enabled` must be True, False or None; received %r.' % (enabled,))
    _live_default = enabled


def live_default_enabled():
    """Whether `fit(verbose=1)` should show live curves when running in a notebook (the setting only)."""
    if _live_default is not None:
        return _live_default
    return os.environ.get(ENV_VAR, '1').strip().lower() not in ('0', 'false', 'no', 'off')


def default_progress_callback(verbose, params=None):
    """The progress display `fit` should use instead of `ProgbarLogger`, or None to keep the text bar.

    Returns a `LiveCurves` when `verbose == 1`, the code runs in a Jupyter kernel, the widget packages
    are installed and the setting (`set_live_default`, `KERNELKIT_LIVE_CURVES`) is on. It never imports
    IPython or a widget library when not in a notebook.

    # Arguments
        verbose: the `verbose` argument of `fit`.
        params: the training parameters `fit` will give the callbacks (unused for now; for future
            choices such as `count_mode`).

    # Returns
        A `LiveCurves` instance, or None.
    """
    if verbose != 1 or not live_default_enabled():
        return None
    if not _env.in_jupyter_kernel() or not _env.live_widgets_available():
        return None
    return LiveCurves()


def _format_duration(seconds):
    if seconds is None or seconds != seconds or seconds == float('inf'):
        return '?'
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return '%d:%02d:%02d' % (hours, minutes, seconds) if hours else '%d:%02d' % (minutes, seconds)


# Indirections for displaying, so tests can record what a notebook would receive.
def _display(obj):
    from IPython.display import display
    return display(obj, display_id=True)


def _update_display(handle, bundle):
    handle.update(bundle, raw=True)


class LiveCurves(Callback):
    """Callback that draws live training curves in a notebook, with a Stop button.

    One panel per metric shows the training curve (per-batch points, averaged over each update interval,
    and one point per epoch) and the validation curve. Above the panels: a progress bar with epoch,
    step, elapsed time and ETA, a Stop button and a log-scale toggle; below: the latest values.

    While training runs, the callback handles the widget messages that reach the kernel (every
    `update_interval` seconds), so a click on Stop is seen mid-epoch: it sets `model.stop_training`,
    `fit` stops after the current batch, and the curves hold the same epochs as the returned `History`.
    (Front ends that hold widget messages back until the cell ends, reported for VS Code, cannot stop
    training this way; interrupt the kernel there.)

    Outside a notebook it prints one line per epoch.

    # Arguments
        metrics: names of the training metrics to draw (default: every metric `fit` logs; validation
            values join their training metric's panel).
        mode: `'auto'` (widget in a Jupyter kernel when the widget packages are installed, text
            otherwise), `'widget'` or `'text'`.
        update_interval: seconds between two updates of the display (and checks for a click on Stop).
        max_batch_points: most per-batch points kept per metric; older points are thinned beyond it.
        log_scale: initial state of the log-scale toggle.
        final_image: whether a static PNG of the curves joins the widget's display at the end (what a saved
            notebook and nbval show; the widget itself stays interactive while the kernel lives).
        panel_size: `(width, height)` of one panel in pixels.
        print_fn: function printing one text line (text mode; default `print`).
        smoothing: the moving-average factor in [0, 1) of the "smooth batches" toggle.
        compare_runs: whether earlier runs of the same notebook cell or model are drawn faintly under this
            one (with a toggle to hide them; the last 5 are shown).

    # Properties
        store: the `CurveStore` holding every point drawn (`store.data('loss', 'val')`).
        view: the `LiveView` (widget mode, after training started), with `stop_button`, `log_toggle`
            and the bokeh `sources`.
        stopped_at: `(epoch, steps done in it)` when Stop was clicked, else None.
        final_png: the PNG bytes of the final curves (widget mode, after training), else None.

    # Example
    ```python
    model.fit(x, y, epochs=20, validation_split=0.2, verbose=0, callbacks=[LiveCurves()])
    ```
    """

    # Tells `fit` that this callback shows progress itself, so no text progress bar is needed.
    replaces_progress_bar = True
    # Tells `fit` that this callback also feeds JupyterLab's status bar (`kernelkit.widgets.lab_bridge`).
    feeds_lab_status = True

    def __init__(self, metrics=None, mode='auto', update_interval=0.25, max_batch_points=1000,
                 log_scale=False, final_image=True, panel_size=(330, 240), print_fn=None, smoothing=0.8,
                 compare_runs=True):
        super(LiveCurves, self).__init__()
        if mode not in ('auto', 'widget', 'text'):
            raise ValueError("`mode` must be 'auto', 'widget' or 'text'; received %r." % (mode,))
        if update_interval < 0:
            raise ValueError('`update_interval` must be >= 0; received %r.' % (update_interval,))
        self.requested_metrics = None if metrics is None else list(metrics)
        self.mode = mode
        self.update_interval = float(update_interval)
        self.max_batch_points = int(max_batch_points)
        self.initial_log_scale = bool(log_scale)
        self.final_image = bool(final_image)
        self.panel_size = tuple(panel_size)
        self.print_fn = print_fn or (lambda line: print(line, flush=True))
        smooth([0.], smoothing)  # checks the factor now, not at the first click
        self.smoothing = float(smoothing)
        self.compare_runs = bool(compare_runs)
        self.smoothed = False
        self.earlier_runs = []
        self.store = None
        self.view = None
        self.stopped_at = None
        self.final_png = None
        self.active_mode = None
        self.stop_requested = False
        self._handle = None
        self._pump = None
        self._epoch, self._seen, self._last_batch = 0, 0, {}
        self._lab = None
        self._cell_id = None

    # ----------------------------------------------------------------------------------------- setup
    def _resolve_mode(self):
        if self.mode != 'auto':
            return self.mode
        if _env.in_jupyter_kernel() and _env.live_widgets_available():
            return 'widget'
        return 'text'

    def _panel_metrics(self):
        logged = list(self.params.get('metrics') or ['loss'])
        train = [name for name in logged if not name.startswith('val_')]
        train += [name[4:] for name in logged if name.startswith('val_') and name[4:] not in train]
        if self.requested_metrics is None:
            return train
        missing = [name for name in self.requested_metrics if name not in train]
        if missing:
            raise ValueError('LiveCurves: %s not logged by this model; logged metrics: %s.' % (missing, train))
        return list(self.requested_metrics)

    def _steps_per_epoch(self):
        params = self.params
        if params.get('steps'):
            return int(params['steps'])
        samples, batch_size = params.get('samples'), params.get('batch_size') or 32
        return int(math.ceil(samples / float(batch_size))) if samples else None

    @property
    def stop_button(self):
        """The Stop button (widget mode, once training started), else None."""
        return self.view.stop_button if self.view is not None else None

    def on_train_begin(self, logs=None):
        self.store = CurveStore(self._panel_metrics(), max_batch_points=self.max_batch_points)
        self.stopped_at = None
        self.final_png = None
        self.stop_requested = False
        self.steps = self._steps_per_epoch()
        self.epochs = int(self.params.get('epochs') or 1)
        self._first_epoch = None
        self._epoch = 0
        self._seen = 0
        self._last_batch = {}
        self._epochs_started = 0
        self._done_steps = 0
        self._train_start = time.time()
        self._last_update = 0.
        self._best_val = {}
        self.active_mode = self._resolve_mode()
        if self.active_mode == 'widget':
            from kernelkit.widgets._live_view import LiveView
            if self.view is not None:
                self.view.close()
            self._cell_id = _env.current_cell_id()
            self.earlier_runs = _runs.earlier(self._cell_id, self.model) if self.compare_runs else []
            self.smoothed = False
            self.view = LiveView(self.store.metrics, on_stop=self.request_stop,
                                 log_scale=self.initial_log_scale,
                                 width=self.panel_size[0], height=self.panel_size[1],
                                 earlier_runs=self.earlier_runs, on_smooth=self.set_smoothing)
            self._handle = _display(self.view.widget)
            self._pump = _env.KernelEventPump() if _env.in_jupyter_kernel() else None
            self._refresh_status()
        self._lab = lab_bridge.training_reporter(self.request_stop)  # the status bar; None outside Jupyter
        if self._lab is not None:
            self._lab.begin(self.params)

    # ------------------------------------------------------------------------------------- smoothing
    def _batch_data(self, name):
        data = self.store.data(name, 'batch')
        if self.smoothed:
            data['y'] = smooth(data['y'], self.smoothing)
        return data

    def set_smoothing(self, enabled):
        """Draws the per-batch curves smoothed (an exponential moving average, factor `smoothing`) or raw;
        what the "smooth batches" toggle does. The stored points stay raw."""
        self.smoothed = bool(enabled)
        if self.view is not None and self.store is not None:
            for name in self.store.metrics:
                self.view.replace(name, 'batch', self._batch_data(name))

    # ------------------------------------------------------------------------------------------ stop
    def request_stop(self):
        """Stops training after the current batch (what the Stop button does)."""
        if self.stop_requested:
            return
        self.stop_requested = True
        self.stopped_at = (self._epoch, self._seen)
        if self.model is not None:
            self.model.stop_training = True
        if self.view is not None:
            self.view.stop_button.disabled = True
            self.view.stop_button.description = 'Stopping'

    # ---------------------------------------------------------------------------------------- epochs
    def on_epoch_begin(self, epoch, logs=None):
        if self._first_epoch is None:
            self._first_epoch = epoch
        self._epoch = epoch
        self._epochs_started += 1
        self._seen = 0
        self._epoch_start = time.time()
        self._pending = {}
        self._pending_count = 0
        self._last_batch = {}
        if self._lab is not None:
            self._lab.epoch_begin(epoch)

    def _x_now(self):
        if self.steps:
            return self._epoch + self._seen / float(self.steps)
        return float(self._epoch + 1)

    def on_batch_end(self, batch, logs=None):
        logs = logs or {}
        self._seen += 1
        self._done_steps += 1
        for name in self.store.metrics:
            value = logs.get(name)
            if value is not None:
                self._pending[name] = self._pending.get(name, 0.) + float(value)
        self._pending_count += 1
        if self._lab is not None:
            self._lab.batch_end(logs)
        if self.active_mode != 'widget':
            return
        now = time.time()
        if now - self._last_update >= self.update_interval:
            self._last_update = now
            self._flush_batches()
            self._refresh_status()
            if self._pump is not None:
                self._pump.pump()

    def _flush_batches(self):
        """Turns the batches seen since the last update into one point per metric (their mean)."""
        if not self._pending_count:
            return
        x = self._x_now()
        for name, total in self._pending.items():
            mean = total / self._pending_count
            self._last_batch[name] = mean
            change = self.store.add_batch_point(name, x, mean)
            if self.view is not None:
                if change == 'thinned' or (change == 'appended' and self.smoothed):
                    self.view.replace(name, 'batch', self._batch_data(name))
                elif change == 'appended':
                    series = self.store.series[name]['batch']
                    self.view.stream(name, 'batch', [series.x[-1]], [series.y[-1]])
        self._pending = {}
        self._pending_count = 0

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self._lab is not None:
            self._lab.epoch_end(logs)
        self._flush_batches()
        x = self._x_now()
        for name in self.store.metrics:
            for key, validation in ((name, False), ('val_' + name, True)):
                value = logs.get(key)
                if value is None:
                    continue
                self.store.add_epoch_point(name, x, float(value), validation=validation)
                if self.view is not None:
                    self.view.stream(name, 'val' if validation else 'epoch', [x], [float(value)])
                if validation:
                    best = self._best_val.get(name)
                    better = max if ('acc' in name and 'loss' not in name) else min
                    self._best_val[name] = float(value) if best is None else better(best, float(value))
        if self.active_mode == 'widget':
            self._refresh_status()
        else:
            self.print_fn(self._epoch_line(epoch, logs))

    def _epoch_line(self, epoch, logs):
        parts = ['Epoch %d/%d' % (epoch + 1, self.epochs), '%.1fs' % (time.time() - self._epoch_start)]
        if self.stop_requested:
            parts.append('stopped at step %d/%s' % (self._seen, self.steps or '?'))
        for name in self.store.metrics:
            for key in (name, 'val_' + name):
                value = logs.get(key)
                if value is not None:
                    parts.append('%s: %.4f' % (key, float(value)))
        return ' - '.join(parts)

    # ---------------------------------------------------------------------------------------- status
    def _status_text(self):
        elapsed = time.time() - self._train_start
        total_steps = (self.steps or 0) * max(self.epochs - (self._first_epoch or 0), 1)
        eta = None
        if self._done_steps and total_steps:
            eta = elapsed / self._done_steps * max(total_steps - self._done_steps, 0)
        parts = ['epoch %d/%d' % (self._epoch + 1, self.epochs),
                 'step %d/%s' % (self._seen, self.steps or '?'),
                 '%s elapsed' % _format_duration(elapsed), 'ETA %s' % _format_duration(eta)]
        return ' \u00b7 '.join(parts), total_steps

    def latest_values(self):
        """Returns `[(metric, last batch mean, last epoch train, last epoch val, best val)]`."""
        rows = []
        for name in self.store.metrics:
            rows.append((name, self._last_batch.get(name),
                         self.store.latest(name, 'epoch'), self.store.latest(name, 'val'),
                         self._best_val.get(name)))
        return rows

    def _refresh_status(self):
        if self.view is None:
            return
        text, total = self._status_text()
        self.view.set_progress(self._done_steps, total or 1, text)
        self.view.set_values(self.latest_values())

    # ------------------------------------------------------------------------------------------- end
    def on_train_end(self, logs=None):
        if self._lab is not None:
            self._lab.end(stopped=self.stop_requested)
            self._lab = None
        if self.active_mode != 'widget':
            if self.stop_requested:
                self.print_fn('Training stopped at epoch %d, step %d.' % (self.stopped_at[0] + 1,
                                                                           self.stopped_at[1]))
            return
        self._refresh_status()
        if self.compare_runs:
            _runs.remember(_runs.next_number(), self.store, self._cell_id, self.model)
        text, _ = self._status_text()
        summary = ('stopped: ' if self.stop_requested else 'done: ') + text
        self.view.finish(summary)
        if self._pump is not None:
            self._pump.pump()
        if not self.final_image:
            return
        from kernelkit.widgets.history_plot import plot_curve_store
        plot = plot_curve_store(self.store, log_scale=self.view.log_scale)
        self.final_png = plot.png()
        # One bundle: the live widget (still interactive while the kernel lives) and, for a saved notebook,
        # nbval or a front end without widgets, the picture and a text summary.
        bundle = dict(self.view.widget_bundle())
        bundle.update({'image/png': base64.b64encode(self.final_png).decode('ascii'),
                       'text/plain': self._text_summary(summary)})
        if self._handle is not None:
            _update_display(self._handle, bundle)

    def _text_summary(self, summary):
        lines = ['Training curves (%s)' % summary]
        for name, _batch, train, val, best in self.latest_values():
            parts = ['%s:' % name]
            if train is not None:
                parts.append('train %.4f' % train)
            if val is not None:
                parts.append('val %.4f (best %.4f)' % (val, best))
            lines.append('  ' + ' '.join(parts))
        return '\n'.join(lines)

