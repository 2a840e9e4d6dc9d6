"""The channel between kernelkit in a Jupyter kernel and the `kernelkit-lab` JupyterLab extension.

A Jupyter comm with target name `kernelkit.lab`, opened by the kernel the first time something needs it
(a `fit`, a `ModelBuilder`), and only inside a Jupyter kernel: in a script or a terminal IPython nothing is
opened and nothing is imported. The kernel's first message is `{"type": "hello"}`; the extension answers
`{"type": "hello", "features": [...]}`, which sets `LabBridge.present`. A front end without the extension
closes the comm (JupyterLab does so for an unknown target), the bridge then stays silent.

Messages, kernel to front end:
- `{"type": "training", "phase": "begin"|"progress"|"end", "run", "epoch", "epochs", "step", "steps",
  "loss", "eta_s", "metrics": {...}, "stopping", "stopped"}`: `epoch` counts from 1, `step` is the number
  of batches done in that epoch; progress messages are throttled (at most 4 a second by default). (The
  key is `phase`, not `state`: nbclient takes any comm data with a `state` key for ipywidgets state.)
- `{"type": "insert_cell", "code": "...", "cell_id": ...}`: put `code` in a new code cell below the cell
  with that id (the builder's cell).

Front end to kernel:
- `{"type": "hello", "features": [...]}`: the extension is there.
- `{"type": "stop", "run": ...}`: stop the running `fit` after the current batch (`model.stop_training`).

While `fit` runs the kernel is busy; the front end's `stop` is read the way `LiveCurves` reads a click on
its Stop button: `KernelEventPump` handles the waiting comm messages between two batches (and kernels
with subshells, where JupyterLab 4.4+ sends comm messages, handle them on their own thread anyway).
"""
import os
import threading
import time

from kernelkit.callbacks.base import Callback
from kernelkit.widgets import _env

TARGET_NAME = 'kernelkit.lab'
ENV_VAR = 'KERNELKIT_LAB_STATUS'
DEFAULT_MIN_INTERVAL = 0.25
REOPEN_AFTER = 60.0  # seconds: a comm the front end closed is tried again after this (a reloaded page)
_SKIPPED_LOGS = ('batch', 'size')

_bridge = None
_bridge_kernel = None
_lock = threading.Lock()


def _create_comm(data):
    """Opens the kernel's end of the comm (the `comm` package, which ipykernel sets up)."""
    import comm
    return comm.create_comm(target_name=TARGET_NAME, data=data)


def _current_cell_id():
    """The notebook cell id of the running request (JupyterLab 4 sends it as `cellId`), or None."""
    return _env.current_cell_id()


class LabBridge(object):
    """The kernel's end of the `kernelkit.lab` comm.

    # Arguments
        comm_factory: function taking the opening data and returning a comm object (with `send`,
            `on_msg`, `on_close`); default: the kernel's comm. Tests pass a fake.
        pump_factory: function returning an object with `pump()` that handles waiting comm messages
            while the kernel is busy (default: `KernelEventPump` inside a kernel, nothing otherwise).

    # Properties
        present: whether the extension answered the handshake.
        closed: whether the front end closed the comm (no extension there) or opening it failed.
        features: what the extension said it handles (`'training'`, `'insert_cell'`).
        sent: number of messages sent.
    """

    def __init__(self, comm_factory=None, pump_factory=None):
        self.comm_factory = comm_factory or _create_comm
        self.pump_factory = pump_factory
        self.comm = None
        self.present = False
        self.closed = False
        self.features = []
        self.sent = 0
        self.closed_at = None
        self._stop_handlers = {}
        self._pump = None

    # --------------------------------------------------------------------------------------- channel
    def open(self):
        """Opens the comm (once). Never raises; a failure leaves the bridge `closed`.

        # Returns
            Whether the comm is open.
        """
        if self.comm is not None or self.closed:
            return not self.closed
        try:
            self.comm = self.comm_factory({'type': 'hello'})
            self.comm.on_msg(self._on_msg)
            self.comm.on_close(self._on_close)
        except Exception:
            self.comm = None
            self.closed = True
        return not self.closed

    @property
    def usable(self):
        """Whether messages can be sent (the comm is open and the front end did not close it)."""
        return self.comm is not None and not self.closed

    def send(self, message):
        """Sends `message` (a JSON-able dict) to the front end, if the comm is open.

        # Returns
            True when it was sent.
        """
        if not self.usable:
            return False
        try:
            self.comm.send(message)
        except Exception:
            self.closed = True
            return False
        self.sent += 1
        return True

    def pump(self):
        """Handles the comm messages waiting while the kernel is busy (a `stop`, the handshake).

        Only on the main thread: code running in a kernel subshell's thread gets its comm messages
        handled by the other threads anyway, and must not read the main shell's socket.
        """
        if threading.current_thread() is not threading.main_thread():
            return
        if self._pump is None:
            factory = self.pump_factory
            if factory is None:
                factory = _env.KernelEventPump if _env.in_jupyter_kernel() else (lambda: None)
            try:
                self._pump = factory() or False
            except Exception:
                self._pump = False
        if self._pump:
            try:
                self._pump.pump()
            except Exception:
                self._pump = False

    def wait_for_frontend(self, timeout=0.5, poll=0.02):
        """Waits (pumping messages) until the extension answered or closed the comm.

        # Arguments
            timeout: most seconds to wait.
            poll: seconds between two looks.

        # Returns
            `present`.
        """
        self.open()
        deadline = time.monotonic() + timeout
        while not self.present and self.usable and time.monotonic() < deadline:
            self.pump()
            if self.present or not self.usable:
                break
            time.sleep(poll)
        return self.present

    def _on_msg(self, msg):
        data = ((msg or {}).get('content') or {}).get('data') or {}
        kind = data.get('type') if isinstance(data, dict) else None
        if kind == 'hello':
            self.present = True
            self.features = list(data.get('features') or [])
        elif kind == 'stop':
            run = data.get('run')
            handlers = list(self._stop_handlers.items())
            for run_id, handler in handlers:
                if run is None or run == run_id:
                    handler()

    def _on_close(self, msg=None):
        self.closed = True
        self.present = False
        self.closed_at = time.monotonic()

    # -------------------------------------------------------------------------------------- services
    def add_stop_handler(self, run_id, handler):
        """Calls `handler()` when the front end asks training run `run_id` to stop."""
        self._stop_handlers[run_id] = handler

    def remove_stop_handler(self, run_id):
        """Forgets the stop handler of `run_id`."""
        self._stop_handlers.pop(run_id, None)

    def insert_cell(self, code, cell_id=None):
        """Asks the extension to put `code` in a new code cell below cell `cell_id`.

        # Arguments
            code: the cell's text.
            cell_id: id of the cell to insert below (None: the active cell).

        # Returns
            True when the extension is there and the request was sent.

        # Raises
            TypeError: if `code` is not a string.
        """
        if not isinstance(code, str):
            raise TypeError('insert_cell: `code` must be a string; received %r.' % (type(code).__name__,))
        if not self.present:
            return False
        return self.send({'type': 'insert_cell', 'code': code, 'cell_id': cell_id})


def get_bridge():
    """Returns the bridge of the running Jupyter kernel, opening its comm if needed; None elsewhere.

    Never imports IPython or ipykernel in a process that has not loaded them. A comm the front end
    closed (no extension, or a page loaded after the kernel opened it) is opened again after
    `REOPEN_AFTER` seconds, when the next `fit` or builder asks.
    """
    global _bridge, _bridge_kernel
    kernel = _env.get_kernel()
    if kernel is None:
        return None
    with _lock:
        stale = (_bridge is not None and _bridge.closed_at is not None
                 and time.monotonic() - _bridge.closed_at > REOPEN_AFTER and not _bridge._stop_handlers)
        if _bridge is None or _bridge_kernel is not kernel or stale:
            _bridge, _bridge_kernel = LabBridge(), kernel
    _bridge.open()
    return _bridge


def status_enabled():
    """Whether every `fit` in a Jupyter kernel reports to the status bar (`KERNELKIT_LAB_STATUS=0`: no)."""
    return os.environ.get(ENV_VAR, '1').strip().lower() not in ('0', 'false', 'no', 'off')


def _number(value):
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if value == value and value not in (float('inf'), float('-inf')) else None


class TrainingReporter(object):
    """Turns the callback events of one `fit` into the bridge's `training` messages.

    # Arguments
        bridge: the `LabBridge`.
        stop: function called (with no argument) when the front end asks to stop.
        min_interval: least seconds between two progress messages.
        clock: function returning seconds (tests pass a fake).
    """

    _runs = 0

    def __init__(self, bridge, stop, min_interval=DEFAULT_MIN_INTERVAL, clock=time.monotonic):
        if min_interval < 0:
            raise ValueError('`min_interval` must be >= 0; received %r.' % (min_interval,))
        self.bridge = bridge
        self.stop = stop
        self.min_interval = float(min_interval)
        self.clock = clock
        TrainingReporter._runs += 1
        self.run_id = '%d-%d' % (os.getpid(), TrainingReporter._runs)
        self.stopping = False
        self._last_sent = None

    def _on_stop(self):
        self.stopping = True
        self.stop()

    def begin(self, params):
        """Starts a run: `params` are the callback parameters of `fit`."""
        params = params or {}
        self.epochs = int(params.get('epochs') or 1)
        steps = params.get('steps')
        if not steps and params.get('samples'):
            batch_size = params.get('batch_size') or 32
            steps = -(-int(params['samples']) // int(batch_size))
        self.steps = int(steps) if steps else None
        self.epoch, self.step, self.done = 0, 0, 0
        self.first_epoch = None
        self.loss, self.metrics = None, {}
        self.start = self.clock()
        self.bridge.add_stop_handler(self.run_id, self._on_stop)
        self._send('begin')

    def epoch_begin(self, epoch):
        """Notes the start of epoch `epoch` (0-based, as callbacks get it)."""
        if self.first_epoch is None:
            self.first_epoch = epoch
        self.epoch, self.step = epoch, 0

    def batch_end(self, logs):
        """Counts one batch; sends progress when `min_interval` has passed since the last message."""
        self.step += 1
        self.done += 1
        logs = logs or {}
        loss = _number(logs.get('loss'))
        if loss is not None:
            self.loss = loss
        now = self.clock()
        if self._last_sent is None or now - self._last_sent >= self.min_interval:
            self._update_metrics(logs)
            self._send('progress', now)
            self.bridge.pump()

    def epoch_end(self, logs):
        """Adds the epoch's values (validation included) and sends them, throttled like batches."""
        self._update_metrics(logs or {})
        now = self.clock()
        if self._last_sent is None or now - self._last_sent >= self.min_interval:
            self._send('progress', now)
            self.bridge.pump()

    def end(self, stopped=False):
        """Ends the run (always sent)."""
        self.bridge.remove_stop_handler(self.run_id)
        self._send('end', stopped=bool(stopped or self.stopping))

    def _update_metrics(self, logs):
        for name, value in logs.items():
            value = _number(value)
            if name not in _SKIPPED_LOGS and value is not None:
                self.metrics[name] = value

    def eta(self, now):
        """Seconds left, from the mean time per batch so far (None before the first batch)."""
        if not self.done or not self.steps:
            return None
        total = self.steps * max(self.epochs - (self.first_epoch or 0), 1)
        return max(now - self.start, 0.) / self.done * max(total - self.done, 0)

    def _send(self, phase, now=None, stopped=None):
        now = self.clock() if now is None else now
        self._last_sent = now
        eta = self.eta(now)
        message = {'type': 'training', 'phase': phase, 'run': self.run_id, 'epoch': self.epoch + 1,
                   'epochs': self.epochs, 'step': self.step, 'steps': self.steps, 'loss': self.loss,
                   'eta_s': None if eta is None else round(eta, 1), 'metrics': dict(self.metrics),
                   'stopping': self.stopping}
        if phase == 'end':
            message['stopped'] = bool(stopped)
            message['eta_s'] = 0.
        self.bridge.send(message)


def training_reporter(stop, min_interval=None):
    """A `TrainingReporter` on the kernel's bridge, or None outside a Jupyter kernel (or when turned off).

    # Arguments
        stop: function called when the front end asks to stop.
        min_interval: least seconds between two progress messages (default `DEFAULT_MIN_INTERVAL`).
    """
    if not status_enabled():
        return None
    bridge = get_bridge()
    if bridge is None or not bridge.usable:
        return None
    return TrainingReporter(bridge, stop, DEFAULT_MIN_INTERVAL if min_interval is None else min_interval)


class LabStatus(Callback):
    """Callback feeding JupyterLab's status bar (epoch, step, loss, ETA, Stop) through the bridge.

    `fit` adds one by itself inside a Jupyter kernel when no `LiveCurves` does the job (`LiveCurves` feeds
    the status bar too). Outside a kernel it does nothing.

    # Arguments
        min_interval: least seconds between two progress messages.
        bridge: the `LabBridge` to use (default: the kernel's, when there is one).
        clock: function returning seconds (tests pass a fake).
    """

    feeds_lab_status = True

    def __init__(self, min_interval=DEFAULT_MIN_INTERVAL, bridge=None, clock=time.monotonic):
        super(LabStatus, self).__init__()
        self.min_interval = min_interval
        self.bridge = bridge
        self.clock = clock
        self.reporter = None
        self.stop_requested = False

    def request_stop(self):
        """Stops training after the current batch (what the status bar's Stop does)."""
        self.stop_requested = True
        if self.model is not None:
            self.model.stop_training = True

    def on_train_begin(self, logs=None):
        self.stop_requested = False
        bridge = self.bridge if self.bridge is not None else (get_bridge() if status_enabled() else None)
        if bridge is None or not bridge.usable:
            self.reporter = None
            return
        self.reporter = TrainingReporter(bridge, self.request_stop, self.min_interval, clock=self.clock)
        self.reporter.begin(self.params)

    def on_epoch_begin(self, epoch, logs=None):
        if self.reporter is not None:
            self.reporter.epoch_begin(epoch)

    def on_batch_end(self, batch, logs=None):
        if self.reporter is not None:
            self.reporter.batch_end(logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.reporter is not None:
            self.reporter.epoch_end(logs)

    def on_train_end(self, logs=None):
        if self.reporter is not None:
            self.reporter.end(stopped=self.stop_requested)
            self.reporter = None


def auto_status_callback(callbacks):
    """The `LabStatus` that `fit` adds, or None (outside a kernel, turned off, or already fed).

    # Arguments
        callbacks: the callbacks `fit` will run; one with `feeds_lab_status = True` means none is added.
    """
    if any(getattr(c, 'feeds_lab_status', False) for c in callbacks):
        return None
    if not status_enabled() or not _env.in_jupyter_kernel():
        return None
    return LabStatus()
