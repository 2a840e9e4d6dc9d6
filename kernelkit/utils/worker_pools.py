"""The worker pools of the enqueuers: worker threads or worker processes that build batches, and what the
worker processes run.

`_ThreadWorkers` and `_ProcessWorkers` take indices (`submit(index)`) and return `_Task`s whose `result()` is
`sequence[index]` or the worker's error; `_generator_worker_main` is the body of a `GeneratorEnqueuer` worker
process. Separate from the enqueuers because this is the code that crosses process boundaries (pipes,
pickling, signals, dead workers), while the enqueuers decide what to ask for and in which order. The
`multiprocessing` context is passed in by the enqueuers (whose `_START_METHOD` tests may set).

Imports only the standard library and numpy, so worker processes start quickly.
"""
import collections
import hashlib
import os
import pickle
import queue
import random
import signal
import threading
import time
import traceback

import numpy as np


# How often a waiting worker checks that its parent process is still alive, and how often a reader
# waiting for a result checks that the worker computing it is still alive (seconds).
_POLL_INTERVAL = 0.05
_PARENT_CHECK_INTERVAL = 0.5
# How long `stop` lets worker processes exit by themselves before terminating them (seconds).
_GRACE_PERIOD = 1.0

_OK, _ERROR, _DONE = 'ok', 'error', 'done'


class RemoteTraceback(Exception):
    """The formatted traceback of an exception raised in a worker process.

    It is attached as `__cause__` of the exception raised again in the main process, so the traceback
    printed there shows where the error happened in the worker (file, line and function).

    # Arguments
        text: the formatted traceback.
    """

    def __init__(self, text):
        super(RemoteTraceback, self).__init__(text)
        self.text = text

    def __str__(self):
        return '\n"""\n%s"""' % self.text


# ------------------------------------------------------------------------------------------------
# Helpers shared by the worker processes and the main process

def _worker_seeds(count, base=None, salt=0):
    """Seeds for `count` worker processes.

    With `base`, worker `i` gets `base + i`. Otherwise the seeds are derived from NumPy's global random
    state (without drawing from it, so the main process's random numbers are unchanged), so that runs
    seeded with `np.random.seed` are repeatable while every worker still gets its own random stream.
    """
    if base is not None:
        return [(int(base) + i) % 2 ** 32 for i in range(count)]
    state = np.random.get_state()
    digest = hashlib.sha256(np.asarray(state[1]).tobytes() + repr((state[2], salt)).encode()).digest()
    start = int.from_bytes(digest[:4], 'little')
    return [(start + 7919 * i) % 2 ** 32 for i in range(count)]


def _prepare_worker_process(seed):
    """Runs first in every worker process: Ctrl-C is the main process's business, and the random
    generators get the worker's own seed."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except (ValueError, OSError):  # pragma: no cover - not the main thread of the process
        pass
    if seed is not None:
        np.random.seed(seed)
        random.seed(seed)


def _pack_error(error):
    """Makes an exception raised in a worker process sendable: `(exception, formatted traceback)`.

    The exception itself is sent when it survives pickling; otherwise a `RuntimeError` naming its type
    and message stands in for it.
    """
    text = ''.join(traceback.format_exception(type(error), error, error.__traceback__))
    try:
        pickle.loads(pickle.dumps(error))
        portable = error
    except Exception:  # noqa: BLE001 - any failure to pickle means: send a stand-in
        portable = RuntimeError('%s.%s: %s (raised in a worker process; this exception could not be pickled '
                                'so it is shown as a RuntimeError)'
                                % (type(error).__module__, type(error).__qualname__, error))
    portable.__traceback__ = None
    return portable, text


def _unpack_error(packed):
    """The exception from a worker process, with the worker's traceback attached as its cause."""
    error, text = packed
    error.__cause__ = RemoteTraceback(text)
    return error


def _parent_is_gone(parent_pid):
    return os.getppid() != parent_pid


def _sequence_worker_main(conn, sequence, seed, parent_pid):
    """Body of an `OrderedEnqueuer` worker process: answers `sequence[index]` for each index received,
    in the order received, until it receives `None` or its parent is gone."""
    _prepare_worker_process(seed)
    while True:
        try:
            if not conn.poll(_PARENT_CHECK_INTERVAL):
                if _parent_is_gone(parent_pid):
                    return
                continue
            index = conn.recv()
        except (EOFError, OSError):
            return
        if index is None:
            return
        try:
            message = (_OK, sequence[index])
        except BaseException as error:  # noqa: BLE001 - every error goes back to the main process
            message = (_ERROR, _pack_error(error))
        try:
            conn.send(message)  # pickles everything before writing, so a failure leaves the pipe clean
        except (EOFError, OSError):
            return
        except Exception as error:  # noqa: BLE001 - the batch could not be pickled
            error = TypeError('Batch %r of the Sequence could not be sent back from the worker process, '
                              'because it cannot be pickled: %s' % (index, error))
            try:
                conn.send((_ERROR, _pack_error(error)))
            except (EOFError, OSError):
                return


def _generator_worker_main(generator, out_queue, stop_event, seed, parent_pid, wait_time):
    """Body of a `GeneratorEnqueuer` worker process: puts the items of its copy of `generator` into
    `out_queue` (pickled here, so that an unpicklable item becomes an error instead of vanishing),
    then `_DONE` or the error that ended it."""
    _prepare_worker_process(seed)
    while not stop_event.is_set():
        try:
            item = next(generator)
        except StopIteration:
            message = (_DONE, None)
        except BaseException as error:  # noqa: BLE001 - every error goes back to the main process
            message = (_ERROR, _pack_error(error))
        else:
            try:
                message = (_OK, pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL))
            except Exception as error:  # noqa: BLE001
                message = (_ERROR, _pack_error(TypeError(
                    'An item of the generator could not be sent back from the worker process, because it '
                    'cannot be pickled: %s' % (error,))))
        while True:
            try:
                out_queue.put(message, timeout=max(wait_time, _POLL_INTERVAL))
                break
            except queue.Full:
                if stop_event.is_set() or _parent_is_gone(parent_pid):
                    return
        if message[0] != _OK:
            return


# ------------------------------------------------------------------------------------------------
# Worker pools for `OrderedEnqueuer`: submit(index) returns a task whose result() is sequence[index]

class _Task(object):
    """One requested batch: `result()` waits for it and returns it, or raises the worker's error."""

    __slots__ = ('index', 'worker', 'finished', 'ok', 'value', 'cancelled', '_pool', '_event')

    def __init__(self, pool, index, worker=None, event=None):
        self._pool = pool
        self.index = index
        self.worker = worker
        self.finished = False
        self.cancelled = False
        self.ok = None
        self.value = None
        self._event = event

    def set(self, ok, value):
        self.ok, self.value, self.finished = ok, value, True
        if self._event is not None:
            self._event.set()

    def done(self):
        """Whether the result is there (never waits)."""
        if not self.finished:
            self._pool.collect(self, block=False)
        return self.finished

    def result(self):
        """Waits for the batch and returns it; raises the error of the worker that built it."""
        while not self.finished:
            self._pool.collect(self, block=True)
        if self.ok:
            return self.value
        raise self.value


class _ThreadWorkers(object):
    """`workers` threads computing `function(index)` for the submitted indices."""

    def __init__(self, function, workers, name):
        self._function = function
        self._tasks = queue.Queue()
        self._threads = []
        for number in range(workers):
            thread = threading.Thread(target=self._loop, name='%s-%d' % (name, number), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _loop(self):
        while True:
            task = self._tasks.get()
            if task is None:
                return
            if task.cancelled:
                continue
            try:
                value = self._function(task.index)
            except BaseException as error:  # noqa: BLE001 - raised again by task.result()
                task.set(False, error)
            else:
                task.set(True, value)
            task = value = None

    def submit(self, index):
        task = _Task(self, index, event=threading.Event())
        self._tasks.put(task)
        return task

    @staticmethod
    def collect(task, block):
        if block:
            task._event.wait(_POLL_INTERVAL)

    def close(self, timeout=None):
        """Cancels the tasks not started, lets the running ones finish, and joins the threads."""
        while True:
            try:
                task = self._tasks.get_nowait()
            except queue.Empty:
                break
            if task is not None:
                task.cancelled = True
        for _ in self._threads:
            self._tasks.put(None)
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(timeout)
        self._threads = [thread for thread in self._threads if thread.is_alive()]


class _ProcessWorkers(object):
    """`workers` processes, each holding a copy of `sequence`, answering `sequence[index]`.

    Indices go to the workers in turn, each through its own pipe, and each worker answers in the order
    it was asked, so the results are read back in order without any extra thread in this process.
    """

    def __init__(self, context, sequence, workers, name, seeds):
        self._processes, self._conns, self._outstanding = [], [], []
        self._turn = 0
        try:
            for number in range(workers):
                parent_end, child_end = context.Pipe()
                process = context.Process(target=_sequence_worker_main, name='%s-%d' % (name, number),
                                          args=(child_end, sequence, seeds[number], os.getpid()), daemon=True)
                try:
                    process.start()
                except Exception as error:
                    parent_end.close()
                    if context.get_start_method() == 'fork':
                        raise
                    raise TypeError('`use_multiprocessing=True` with the %r start method sends the Sequence to '
                                    'each worker process by pickling it, which failed: %s. Make the Sequence '
                                    'picklable (define its class at the top level of a module), or use '
                                    '`use_multiprocessing=False`.' % (context.get_start_method(), error)) from error
                finally:
                    child_end.close()
                self._processes.append(process)
                self._conns.append(parent_end)
                self._outstanding.append(collections.deque())
        except BaseException:
            self.close(graceful=False)
            raise

    def submit(self, index):
        worker = self._turn
        self._turn = (self._turn + 1) % len(self._processes)
        task = _Task(self, index, worker=worker)
        self._conns[worker].send(index)
        self._outstanding[worker].append(task)
        return task

    def collect(self, task, block):
        """Reads the next answer of the worker that computes `task` (waiting when `block`)."""
        worker = task.worker
        conn, process = self._conns[worker], self._processes[worker]
        try:
            ready = conn.poll(_POLL_INTERVAL if block else 0)
            message = conn.recv() if ready else None
        except (EOFError, OSError):
            ready, message = False, None
            process.join(_POLL_INTERVAL)
        if ready:
            pending = self._outstanding[worker].popleft()
            kind, payload = message
            if kind == _OK:
                pending.set(True, payload)
            else:
                pending.set(False, _unpack_error(payload))
            return
        if process.exitcode is not None:
            code = process.exitcode
            reason = ' (killed by signal %d; out of memory?)' % -code if code < 0 else ''
            raise RuntimeError('The worker process %s (pid %s) building the batches of the Sequence exited '
                               'unexpectedly with exit code %s%s while building batch %r.'
                               % (process.name, process.pid, code, reason, task.index))

    def close(self, timeout=None, graceful=True):
        """Asks the workers to exit. Idle workers get a grace period to do so; workers still building
        batches nobody will read, and those past the grace period, are terminated.

        # Arguments
            timeout: the longest grace period (default `_GRACE_PERIOD`).
            graceful: False terminates every worker at once.
        """
        for conn in self._conns:
            try:
                conn.send(None)
            except (OSError, ValueError):
                pass
        grace = _GRACE_PERIOD if timeout is None else min(timeout, _GRACE_PERIOD)
        deadline = time.monotonic() + grace
        for process, outstanding in zip(self._processes, self._outstanding):
            if graceful and not outstanding and process.pid is not None:
                process.join(max(0., deadline - time.monotonic()))
            if process.is_alive():
                process.terminate()
        for process in self._processes:
            if process.pid is None:
                continue
            process.join(5.)
            if process.is_alive():  # pragma: no cover - ignores SIGTERM
                process.kill()
                process.join()
        for conn in self._conns:
            conn.close()
        self._processes, self._conns, self._outstanding = [], [], []
