"""`deferred_interrupts()`: a Ctrl-C that arrives while workers start or stop waits until they are done.

Starting or stopping the worker threads and processes of the enqueuers takes a few steps (create a pool,
fork, register, join, close pipes). A `KeyboardInterrupt` raised between two of those steps would leave a
worker running that nothing refers to any more. Inside `deferred_interrupts()` the first SIGINT is only
recorded, and raised (by the handler that was in place) as soon as the block ends; a second SIGINT is
raised at once, so a stop that hangs (a worker stuck in the user's code) can still be broken out of.

Python runs signal handlers in the main thread only, so outside the main thread, and where SIGINT is not
handled by Python code (ignored, or the operating system's default), the block runs unchanged.

This module imports only the standard library, like `kernelkit.utils.enqueuers`.
"""
import signal
import threading

__all__ = ['deferred_interrupts']


class deferred_interrupts(object):
    """Context manager delaying the first SIGINT (Ctrl-C) received in the block to its end.

    A class rather than a generator-based context manager because the training loop enters one around
    every compiled step (a few microseconds each time).

    # Returns
        A context manager. When the block ends, a SIGINT recorded inside it is handed to the SIGINT
        handler that was in place (by default, it raises `KeyboardInterrupt` there). A second SIGINT
        inside the block is handed over at once.

    # Raises
        KeyboardInterrupt: (with Python's default handler) at the end of the block if a SIGINT arrived
            in it, or inside the block at the second one.
    """

    __slots__ = ('previous', 'pending', 'forced')

    def __init__(self):
        self.previous = self.pending = None
        self.forced = False

    def _record(self, signum, frame):
        if self.pending is None:
            self.pending = (signum, frame)
            return
        self.forced = True
        self.previous(signum, frame)

    def __enter__(self):
        if threading.current_thread() is not threading.main_thread():
            return self
        previous = signal.getsignal(signal.SIGINT)
        if not callable(previous):
            return self
        try:
            signal.signal(signal.SIGINT, self._record)
        except (ValueError, OSError):  # pragma: no cover - not allowed here (e.g. an embedded interpreter)
            return self
        self.previous = previous
        return self

    def __exit__(self, *exc_info):
        previous = self.previous
        if previous is None:
            return False
        self.previous = None
        signal.signal(signal.SIGINT, previous)
        if self.pending is not None and not self.forced:
            pending, self.pending = self.pending, None
            previous(*pending)
        return False
