"""Where the code runs (a Jupyter kernel or not) and how to hear widget events while a cell is busy.

Nothing here imports IPython, ipywidgets or bokeh at module level: `kernelkit.widgets` must stay cheap to
import, and a process that never imported IPython is, by definition, not running in a notebook.

# The event pump
While `fit` runs, the kernel's main thread is busy, so the messages a browser sends (a click on a widget
button, a toggle) wait in the kernel's shell socket until the cell ends. `KernelEventPump.pump()` reads
that socket without blocking, handles the widget (comm) messages at once and hands every other message
(an `execute_request` for the next queued cell, a completion request, ...) back to the kernel's own event
loop, in arrival order, so it runs after the current cell exactly as if nothing had been read.
"""
import importlib.util
import sys

_COMM_MESSAGES = ('comm_open', 'comm_msg', 'comm_close')


def get_ipython_shell():
    """Returns the running IPython shell, or None (without importing IPython when it is not loaded)."""
    if 'IPython' not in sys.modules:
        return None
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - a broken IPython install
        return None
    return get_ipython()


def get_kernel():
    """Returns the running ipykernel `Kernel` object, or None outside a Jupyter kernel."""
    shell = get_ipython_shell()
    return getattr(shell, 'kernel', None) if shell is not None else None


def current_cell_id():
    """The notebook cell id of the request being run (JupyterLab 4 and Notebook 7 send it as `cellId` in
    the request's metadata), or None."""
    kernel = get_kernel()
    if kernel is None:
        return None
    try:
        return (kernel.get_parent('shell') or {}).get('metadata', {}).get('cellId')
    except Exception:  # an older ipykernel without get_parent: no cell id
        return None


def in_jupyter_kernel():
    """Whether the code runs inside a Jupyter kernel (notebook, JupyterLab, VS Code, Colab)."""
    return get_kernel() is not None


def modules_available(*names):
    """Whether every named module can be imported (checked without importing it)."""
    for name in names:
        if name in sys.modules:
            continue
        try:
            if importlib.util.find_spec(name) is None:
                return False
        except (ImportError, ValueError):
            return False
    return True


def live_widgets_available():
    """Whether the live-curve widget can be drawn: ipywidgets, bokeh and jupyter_bokeh installed."""
    return modules_available('ipywidgets', 'bokeh', 'jupyter_bokeh')


def _frame_bytes(frame):
    return frame.bytes if hasattr(frame, 'bytes') else bytes(frame)


def _run_to_end(awaitable):
    """Runs a coroutine that does not really wait on anything to its end, without an event loop."""
    if not hasattr(awaitable, 'send'):
        return awaitable
    try:
        while True:
            awaitable.send(None)
    except StopIteration as stop:
        return stop.value


class KernelEventPump(object):
    """Processes the widget messages that reached a busy kernel, from inside the running cell.

    # Arguments
        kernel: the ipykernel kernel (default: the running one).

    # Properties
        available: whether the kernel's shell socket could be found (pumping is a no-op otherwise).
        deferred: number of non-widget messages handed back to the kernel so far.

    # Notes
        Works with ipykernel 6 and 7 (with or without kernel subshells). Front ends that do not send widget
        messages while a cell runs (reported for VS Code) simply deliver nothing to pump.
    """

    def __init__(self, kernel=None):
        self.kernel = kernel if kernel is not None else get_kernel()
        self.deferred = 0
        self._stream = self._find_stream()

    @property
    def available(self):
        return self._stream is not None

    def _find_stream(self):
        kernel = self.kernel
        if kernel is None:
            return None
        thread = getattr(kernel, 'shell_channel_thread', None)
        try:
            if thread is not None:  # ipykernel 7 with subshells: the main shell reads an inproc pair
                return thread.manager.get_shell_channel_to_subshell_pair(None).to_stream
            return getattr(kernel, 'shell_stream', None)
        except Exception:  # an ipykernel whose internals we do not know
            return None

    def pump(self, max_messages=100):
        """Handles the pending widget messages; other messages are handed back to the kernel.

        # Arguments
            max_messages: most messages read in one call.

        # Returns
            The number of widget messages handled.
        """
        stream = self._stream
        if stream is None:
            return 0
        import zmq
        socket = stream.socket
        handled = 0
        for _ in range(max_messages):
            try:
                if not socket.poll(0, zmq.POLLIN):
                    break
                frames = socket.recv_multipart(zmq.NOBLOCK, copy=False)
            except zmq.ZMQError:
                break
            if self._handle_comm(frames):
                handled += 1
            else:
                self._hand_back(frames)
        return handled

    def _handle_comm(self, frames):
        kernel = self.kernel
        session = kernel.session
        try:
            idents, rest = session.feed_identities(frames, copy=False)
            # Peek at the header without checking the signature: a full `deserialize` records the
            # signature against replays, and the kernel would then reject a message handed back to it.
            header = session.unpack(_frame_bytes(rest[1]))
        except Exception:
            return False
        msg_type = header.get('msg_type') if isinstance(header, dict) else None
        handler = kernel.shell_handlers.get(msg_type) if msg_type in _COMM_MESSAGES else None
        if handler is None:
            return False
        try:
            message = session.deserialize(rest, content=True, copy=False)
        except Exception:
            kernel.log.error('Invalid widget message', exc_info=True)
            return True
        saved_parent = kernel.get_parent('shell')
        saved_ident = kernel._parent_ident['shell']
        kernel.set_parent(idents, message, channel='shell')
        # The busy/idle pair tells the front end this message is done; without it the browser holds back
        # every later widget change until the cell ends.
        kernel._publish_status('busy', 'shell', parent=message)
        try:
            _run_to_end(handler(self._stream, idents, message))
        except Exception:
            kernel.log.error('Exception in a widget message handler:', exc_info=True)
        finally:
            kernel._publish_status('idle', 'shell', parent=message)
            kernel.set_parent(saved_ident, saved_parent, channel='shell')
        return True

    def _hand_back(self, frames):
        """Queues `frames` for the kernel's own receive callback, run when the cell has finished."""
        stream = self._stream
        callback = getattr(stream, '_recv_callback', None)
        if callback is None:  # pragma: no cover - unknown pyzmq internals: the message is dropped
            self.kernel.log.warning('kernelkit could not hand a shell message back to the kernel.')
            return
        self.deferred += 1
        stream.io_loop.add_callback(callback, frames)
