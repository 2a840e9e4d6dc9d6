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
import contextlib
import signal
import threading

__all__ = ['deferred_interrupts']


@contextlib.contextmanager
def deferred_interrupts():
    """Context manager delaying the first SIGINT (Ctrl-C) received in the block to its end.

    # Returns
        A context manager. When the block ends, a SIGINT recorded inside it is handed to the SIGINT
        handler that was in place (by default, it raises `KeyboardInterrupt` there). A second SIGINT
        inside the block is handed over at once.

    # Raises
        KeyboardInterrupt: (with Python's default handler) at the end of the block if a SIGINT arrived
            in it, or inside the block at the second one.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)
    if not callable(previous):
        yield
        return
    state = {'pending': None, 'forced': False}

    def record(signum, frame):
        if state['pending'] is None:
            state['pending'] = (signum, frame)
            return
        state['forced'] = True
        previous(signum, frame)

    try:
        signal.signal(signal.SIGINT, record)
    except (ValueError, OSError):  # pragma: no cover - not allowed here (e.g. an embedded interpreter)
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if state['pending'] is not None and not state['forced']:
            previous(*state['pending'])
