"""`Sequence` and the enqueuers that feed batches from Python code to `fit_generator` and friends.

A `Sequence` gives batch `i` on request (`__getitem__`) and knows how many it has (`__len__`), so
several workers can build batches in parallel while the batches still reach the model in order, each
exactly once per pass. A plain Python generator can only be asked for "the next" batch.

- `OrderedEnqueuer(sequence)` builds the batches of a `Sequence` in worker threads (default) or worker
  processes (`use_multiprocessing=True`), keeps up to `max_queue_size` of them in flight, and yields
  them in order (shuffled per pass with `shuffle=True`). After the last batch of each pass has been
  built it calls `sequence.on_epoch_end()`, in the thread that reads the batches.
- `GeneratorEnqueuer(generator)` reads a generator from worker threads (one call to `next` at a time,
  so the order is kept) or runs a copy of it in each worker process (forked).

Worker processes use the 'fork' start method where the platform has it, 'spawn' otherwise (then the
`Sequence` is pickled to each worker, so it must be picklable). An exception raised in a worker is
raised again by `get()` in the reading thread: from a thread with its original traceback, from a process
with the worker's formatted traceback attached as its `__cause__` (a `RemoteTraceback`). The enqueuer
then stops all its workers, so nothing is left running, and a worker process that dies (for example
killed by the out-of-memory killer) is reported instead of waited for.

This module imports only the standard library and numpy, so worker processes start quickly.
"""
import collections
import hashlib
import multiprocessing
import numbers
import os
import pickle
import queue
import random
import signal
import threading
import time
import traceback

import numpy as np

from kernelkit.utils.interrupts import deferred_interrupts

__all__ = ['Sequence', 'SequenceEnqueuer', 'OrderedEnqueuer', 'GeneratorEnqueuer', 'RemoteTraceback']

# The start method of worker processes: None means 'fork' where available, else 'spawn'. Tests may set it.
_START_METHOD = None
# How often a waiting worker checks that its parent process is still alive, and how often a reader
# waiting for a result checks that the worker computing it is still alive (seconds).
_POLL_INTERVAL = 0.05
_PARENT_CHECK_INTERVAL = 0.5
# How long `stop` lets worker processes exit by themselves before terminating them (seconds).
_GRACE_PERIOD = 1.0

_OK, _ERROR, _DONE = 'ok', 'error', 'done'


class Sequence(object):
    """Base object for fitting to a sequence of data, such as a dataset.

    Every `Sequence` must implement the `__getitem__` and the `__len__` methods. If you want to modify
    your dataset between epochs you may implement `on_epoch_end`. The method `__getitem__` should return
    a complete batch.

    # Notes

    `Sequence` are a safer way to do multiprocessing. This structure guarantees that the network will
    only train once on each sample per epoch which is not the case with generators. With
    `use_multiprocessing=True`, each worker process holds its own copy of the sequence (forked, or
    pickled where processes are spawned); `on_epoch_end` runs in the main process, and the workers are
    restarted after it so that they see its changes.

    # Examples

    ```python
    from skimage.io import imread
    from skimage.transform import resize
    import numpy as np

    # Here, `x_set` is list of path to the images
    # and `y_set` are the associated classes.

    class CIFAR10Sequence(Sequence):

        def __init__(self, x_set, y_set, batch_size):
            self.x, self.y = x_set, y_set
            self.batch_size = batch_size

        def __len__(self):
            return int(np.ceil(len(self.x) / float(self.batch_size)))

        def __getitem__(self, idx):
            batch_x = self.x[idx * self.batch_size:(idx + 1) * self.batch_size]
            batch_y = self.y[idx * self.batch_size:(idx + 1) * self.batch_size]

            return np.array([
                resize(imread(file_name), (200, 200))
                   for file_name in batch_x]), np.array(batch_y)
    ```
    """

    use_sequence_api = True

    def __getitem__(self, index):
        """Gets batch at position `index`.

        # Arguments
            index: position of the batch in the Sequence.

        # Returns
            A batch

        # Raises
            NotImplementedError: when the subclass does not implement it.
        """
        raise NotImplementedError('%s must implement `__getitem__(self, index)`, returning batch `index`.'
                                  % type(self).__name__)

    def __len__(self):
        """Number of batch in the Sequence.

        # Returns
            The number of batches in the Sequence.

        # Raises
            NotImplementedError: when the subclass does not implement it.
        """
        raise NotImplementedError('%s must implement `__len__(self)`, returning the number of batches.'
                                  % type(self).__name__)

    def on_epoch_end(self):
        """Method called at the end of every epoch.
        """
        pass

    def __iter__(self):
        """Create a generator that iterate over the Sequence."""
        for index in range(len(self)):
            yield self[index]


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

def _multiprocessing_context():
    """The `multiprocessing` context for worker processes: 'fork' where available, else 'spawn'."""
    method = _START_METHOD
    if method is None:
        method = 'fork' if 'fork' in multiprocessing.get_all_start_methods() else 'spawn'
    return multiprocessing.get_context(method)


def _check_workers(workers, allow_zero=False):
    lowest = 0 if allow_zero else 1
    if isinstance(workers, bool) or not isinstance(workers, numbers.Integral) or workers < lowest:
        raise ValueError('`workers` must be an integer >= %d, got %r.' % (lowest, workers))
    return int(workers)


def _check_queue_size(max_queue_size):
    if isinstance(max_queue_size, bool) or not isinstance(max_queue_size, numbers.Integral):
        raise ValueError('`max_queue_size` must be an integer, got %r.' % (max_queue_size,))
    return int(max_queue_size)


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

    def __init__(self, sequence, workers, name, seeds):
        context = _multiprocessing_context()
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


# ------------------------------------------------------------------------------------------------
# Enqueuers

class SequenceEnqueuer(object):
    """Base class to enqueue inputs.

    The task of an Enqueuer is to use parallelism to speed up preprocessing. This is done with processes
    or threads.

    # Examples

    ```python
    enqueuer = SequenceEnqueuer(...)
    enqueuer.start()
    datas = enqueuer.get()
    for data in datas:
        # Use the inputs; training, evaluating, predicting.
        # ... stop sometime.
    enqueuer.stop()
    ```

    The `enqueuer.get()` should be an infinite stream of datas.

    # Arguments
        sequence: the data source.
        use_multiprocessing: use worker processes if True, otherwise threads.
    """

    def __init__(self, sequence, use_multiprocessing=False):
        self.sequence = sequence
        self.use_multiprocessing = bool(use_multiprocessing)
        self.workers = 0

    def is_running(self):
        """Whether the workers were started and not stopped yet.

        # Returns
            A boolean.
        """
        raise NotImplementedError

    def start(self, workers=1, max_queue_size=10):
        """Starts the handler's workers.

        # Arguments
            workers: number of worker threads (or processes).
            max_queue_size: queue size (when full, workers could block on `put()`).
        """
        raise NotImplementedError

    def stop(self, timeout=None):
        """Stops running threads (or processes) and waits for them to exit, if necessary.

        Should be called by the same thread which called `start()`.

        # Arguments
            timeout: maximum time to wait on `thread.join()`.
        """
        raise NotImplementedError

    def get(self):
        """Creates a generator to extract data from the queue.

        # Returns
            Generator yielding tuples `(inputs, targets)` or `(inputs, targets, sample_weights)`.
        """
        raise NotImplementedError

    def __del__(self):
        # An enqueuer dropped without `stop()` (e.g. a notebook cell run again) releases its workers.
        try:
            if self.is_running():
                self.stop(timeout=0)
        except Exception:  # noqa: BLE001 - never raise from a finalizer
            pass

    def _check_started(self):
        if not self.is_running():
            raise RuntimeError('%s is not running: call `start()` before `get()` (and not after `stop()`).'
                               % type(self).__name__)


def _end_of_pass(sequence):
    on_epoch_end = getattr(sequence, 'on_epoch_end', None)
    if on_epoch_end is not None:
        on_epoch_end()


def _pass_order(sequence, shuffle, rng):
    length = len(sequence)
    if length <= 0:
        raise ValueError('The Sequence %r has length %d: it has no batches to give.' % (sequence, length))
    order = list(range(length))
    if shuffle:
        rng.shuffle(order)
    return order


def iterate_sequence(sequence, shuffle=False, rng=None):
    """Yields the batches of a `Sequence` forever, in the calling thread, pass after pass.

    Each pass visits every index once (in a new random order with `shuffle`); `on_epoch_end` is called
    as soon as the last batch of a pass has been built, as `OrderedEnqueuer` does.

    # Arguments
        sequence: a `Sequence`.
        shuffle: whether to shuffle the batch order of every pass.
        rng: a `random.Random` for the shuffling (default: one seeded from Python's `random`).

    # Yields
        The batches.
    """
    if shuffle and rng is None:
        rng = random.Random(random.getrandbits(64))
    while True:
        order = _pass_order(sequence, shuffle, rng)
        for position, index in enumerate(order):
            item = sequence[index]
            if position == len(order) - 1:
                _end_of_pass(sequence)
            yield item


class OrderedEnqueuer(SequenceEnqueuer):
    """Builds a Enqueuer from a Sequence.

    Used in `fit_generator`, `evaluate_generator`, `predict_generator`. The batches are built by
    `workers` threads (or processes with `use_multiprocessing=True`), up to `max_queue_size` ahead of
    the reader, and come out of `get()` in the Sequence's order (a new random order every pass with
    `shuffle=True`, drawn from a generator seeded from Python's `random` at `start()`). When the last
    batch of a pass has been built, `sequence.on_epoch_end()` is called in the reading thread, and the
    next pass starts.

    # Arguments
        sequence: A `keras.utils.data_utils.Sequence` object.
        use_multiprocessing: use multiprocessing if True, otherwise threading
        shuffle: whether to shuffle the data at the beginning of each epoch

    # Raises
        TypeError: if `sequence` has no `__len__` or `__getitem__`.
    """

    def __init__(self, sequence, use_multiprocessing=False, shuffle=False):
        if not (hasattr(sequence, '__len__') and hasattr(sequence, '__getitem__')):
            raise TypeError('OrderedEnqueuer needs a `keras.utils.Sequence` (an object with `__len__` and '
                            '`__getitem__`), got %s.' % type(sequence).__name__)
        super(OrderedEnqueuer, self).__init__(sequence, use_multiprocessing)
        self.shuffle = shuffle
        self._pool = None
        self._pending = collections.deque()
        self._order = collections.deque()
        self._depth = 1
        self._rng = None
        self._running = False
        self._passes = 0

    def is_running(self):
        return self._running

    def start(self, workers=1, max_queue_size=10):
        """Starts the workers, which begin building the first batches at once.

        # Arguments
            workers: number of worker threads (or processes), at least 1.
            max_queue_size: how many batches may be built ahead of the reader (a value <= 0 means a
                whole pass).

        # Raises
            ValueError: for a bad `workers` or `max_queue_size`, or a Sequence of length 0.
        """
        workers = _check_workers(workers)
        max_queue_size = _check_queue_size(max_queue_size)
        with deferred_interrupts():  # no worker left behind by a Ctrl-C in the middle
            if self._running:
                self.stop()
            self.workers = workers
            self._depth = max_queue_size
            self._rng = random.Random(random.getrandbits(64)) if self.shuffle else None
            self._pending.clear()
            self._passes = 0
            self._order = collections.deque(_pass_order(self.sequence, self.shuffle, self._rng))
            self._running = True
            try:
                self._pool = self._make_pool()
                self._fill()
            except BaseException:
                self.stop()
                raise

    def _make_pool(self):
        name = 'kernelkit-sequence-worker'
        if self.use_multiprocessing:
            seeds = _worker_seeds(self.workers, salt=('sequence', self._passes))
            return _ProcessWorkers(self.sequence, self.workers, name, seeds)
        return _ThreadWorkers(self.sequence.__getitem__, self.workers, name)

    def _workers_need_restart(self):
        """Worker processes hold copies of the sequence, made stale by an overridden `on_epoch_end`."""
        if not self.use_multiprocessing:
            return False
        method = getattr(type(self.sequence), 'on_epoch_end', None)
        return method is not None and method is not Sequence.on_epoch_end

    def _fill(self):
        depth = self._depth if self._depth > 0 else len(self._order) + len(self._pending)
        while self._order and len(self._pending) < max(depth, 1):
            self._pending.append(self._pool.submit(self._order.popleft()))

    def _next_pass(self):
        _end_of_pass(self.sequence)
        self._passes += 1
        with deferred_interrupts():
            if self._workers_need_restart():
                self._pool.close()
                self._pool = None
                self._pool = self._make_pool()
        self._order = collections.deque(_pass_order(self.sequence, self.shuffle, self._rng))

    def get(self):
        """Creates a generator to extract data from the queue.

        # Yields
            The batches of the Sequence, in order, pass after pass, i.e. tuples `(inputs, targets)` or
            `(inputs, targets, sample_weights)`.

        # Raises
            The error raised by the Sequence in a worker (which also stops the enqueuer).
        """
        self._check_started()
        try:
            while self._running:
                task = self._pending.popleft()
                value = task.result()
                task = None
                if not self._order and not self._pending:
                    self._next_pass()
                self._fill()
                yield value
                value = None
        except BaseException:
            self.stop()
            raise

    def stop(self, timeout=None):
        """Stops the workers: batches not yet started are dropped, running ones may finish (threads) or
        are terminated after a grace period (processes).

        # Arguments
            timeout: maximum time to wait for each worker.
        """
        with deferred_interrupts():
            self._running = False
            for task in self._pending:
                task.cancelled = True
            self._pending.clear()
            self._order.clear()
            pool, self._pool = self._pool, None
            if pool is not None:
                pool.close(timeout)


class GeneratorEnqueuer(SequenceEnqueuer):
    """Builds a queue out of a data generator.

    Used in `fit_generator`, `evaluate_generator`, `predict_generator`. With threads (the default), the
    workers take turns calling `next(generator)` (a generator cannot run in two threads at once) and
    queue the items in the order the generator gave them. With `use_multiprocessing=True`, each worker
    process runs its own copy of the generator, so with several workers the data is repeated and the
    order mixed; prefer a `Sequence` there. Processes need the 'fork' start method (generators cannot be
    pickled).

    The generator may be finite: `get()` ends when it is exhausted (in every worker process).

    # Arguments
        generator: a generator function which yields data.
        use_multiprocessing: use multiprocessing if True, otherwise threading.
        wait_time: time to sleep in-between checks of the workers (seconds).
        seed: initial seed for the worker processes, incremented by one for each worker (default: seeds
            derived from NumPy's global random state, one per worker).
        random_seed: the Keras 2.2.4 name of `seed`.
    """

    def __init__(self, generator, use_multiprocessing=False, wait_time=0.05, seed=None, random_seed=None):
        if not hasattr(generator, '__next__'):
            if not hasattr(generator, '__iter__'):
                raise TypeError('GeneratorEnqueuer needs a generator (or another iterator), got %s.'
                                % type(generator).__name__)
            generator = iter(generator)
        super(GeneratorEnqueuer, self).__init__(generator, use_multiprocessing)
        if wait_time is None:
            wait_time = 0.05
        if not isinstance(wait_time, numbers.Real) or wait_time <= 0:
            raise ValueError('`wait_time` must be a positive number of seconds, got %r.' % (wait_time,))
        self.wait_time = float(wait_time)
        self.seed = seed if seed is not None else random_seed
        self._threads = []
        self._processes = []
        self._queue = None
        self._stop_event = None
        self._lock = threading.Lock()
        self._exhausted = False
        self._running = False

    @property
    def generator(self):
        """The generator (or iterator) read by the workers."""
        return self.sequence

    def is_running(self):
        return self._running

    def start(self, workers=1, max_queue_size=10):
        """Starts the workers.

        # Arguments
            workers: number of worker threads (or processes), at least 1.
            max_queue_size: how many items may wait in the queue (a value <= 0 means no limit).

        # Raises
            ValueError: for bad arguments, or processes asked where 'fork' is not available.
        """
        workers = _check_workers(workers)
        max_queue_size = _check_queue_size(max_queue_size)
        with deferred_interrupts():  # no worker left behind by a Ctrl-C in the middle
            if self._running:
                self.stop()
            self.workers = workers
            self._exhausted = False
            self._running = True
            try:
                if self.use_multiprocessing:
                    self._start_processes(workers, max_queue_size)
                else:
                    self._queue = queue.Queue(max(max_queue_size, 0))
                    self._stop_event = threading.Event()
                    self._threads = [threading.Thread(target=self._thread_task, daemon=True,
                                                      name='kernelkit-generator-worker-%d' % number)
                                     for number in range(workers)]
                    for thread in self._threads:
                        thread.start()
            except BaseException:
                self.stop()
                raise

    def _start_processes(self, workers, max_queue_size):
        context = _multiprocessing_context()
        if context.get_start_method() != 'fork':
            raise ValueError('`use_multiprocessing=True` with a Python generator needs the "fork" start method, '
                             'which this platform does not have (generators cannot be pickled to a spawned '
                             'process). Use a `keras.utils.Sequence`, or `use_multiprocessing=False`.')
        self._queue = context.Queue(max_queue_size if max_queue_size > 0 else 0)
        self._stop_event = context.Event()
        seeds = _worker_seeds(workers, self.seed, salt='generator')
        for number in range(workers):
            process = context.Process(target=_generator_worker_main, name='kernelkit-generator-worker-%d' % number,
                                      args=(self.sequence, self._queue, self._stop_event, seeds[number],
                                            os.getpid(), self.wait_time), daemon=True)
            process.start()
            self._processes.append(process)

    def _thread_task(self):
        """Body of a worker thread: one `next` at a time, queued before the lock is released, so the
        items keep the generator's order."""
        while not self._stop_event.is_set():
            with self._lock:
                if self._stop_event.is_set() or self._exhausted:
                    return
                try:
                    message = (_OK, next(self.sequence))
                except StopIteration:
                    self._exhausted = True
                    message = (_DONE, None)
                except BaseException as error:  # noqa: BLE001 - raised again by get()
                    self._exhausted = True
                    message = (_ERROR, error)
                while not self._stop_event.is_set():
                    try:
                        self._queue.put(message, timeout=self.wait_time)
                        break
                    except queue.Full:
                        continue
                message = None
                if self._exhausted:
                    return

    def _workers_alive(self):
        return any(worker.is_alive() for worker in self._threads + self._processes)

    def _check_processes(self):
        """Raises when a worker process died without saying why (killed, crashed)."""
        for process in self._processes:
            if process.exitcode is not None and process.exitcode != 0:
                code = process.exitcode
                reason = ' (killed by signal %d; out of memory?)' % -code if code < 0 else ''
                raise RuntimeError('The worker process %s (pid %s) running the generator exited unexpectedly '
                                   'with exit code %s%s.' % (process.name, process.pid, code, reason))

    def get(self):
        """Creates a generator to extract data from the queue.

        # Yields
            The generator's items, i.e. tuples `(inputs, targets)` or `(inputs, targets, sample_weights)`;
            it ends when the generator is exhausted.

        # Raises
            The error raised by the generator in a worker (which also stops the enqueuer).
        """
        self._check_started()
        finished = 0
        try:
            while self._running:
                try:
                    kind, payload = self._queue.get(timeout=self.wait_time)
                except queue.Empty:
                    if self._workers_alive():
                        self._check_processes()
                        continue
                    self._check_processes()
                    try:  # the last words of workers that just exited
                        kind, payload = self._queue.get(timeout=self.wait_time)
                    except queue.Empty:
                        if self._processes:
                            raise RuntimeError('The worker processes running the generator exited without '
                                               'finishing their work.')
                        return
                if kind == _OK:
                    yield pickle.loads(payload) if self._processes else payload
                elif kind == _DONE:
                    finished += 1
                    if not self._processes or finished >= len(self._processes):
                        return
                else:
                    error = _unpack_error(payload) if self._processes else payload
                    payload = None
                    raise error
        except BaseException:
            self.stop()
            raise

    def stop(self, timeout=None):
        """Stops the workers: threads finish their current `next` call, processes are terminated.

        # Arguments
            timeout: maximum time to wait for each worker.
        """
        with deferred_interrupts():
            self._running = False
            if self._stop_event is not None:
                self._stop_event.set()
            for thread in self._threads:
                if thread is not threading.current_thread():
                    thread.join(timeout)
            self._threads = [thread for thread in self._threads if thread.is_alive()]
            for process in self._processes:
                if process.is_alive():
                    process.terminate()
            for process in self._processes:
                process.join(5.)
                if process.is_alive():  # pragma: no cover - ignores SIGTERM
                    process.kill()
                    process.join()
            if self._processes and self._queue is not None:
                self._queue.close()
                self._queue.join_thread()
            self._processes = []
