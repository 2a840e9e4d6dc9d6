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

The pieces live in three modules: `Sequence` and `iterate_sequence` in `kernelkit.utils.sequences`, the
worker threads and processes in `kernelkit.utils.worker_pools`, the enqueuers here (which re-exports the
other two's public names, the Keras 2.2.4 `keras.utils.data_utils` surface). All three import only the
standard library and numpy, so worker processes start quickly.
"""
import collections
import multiprocessing
import numbers
import os
import pickle
import queue
import random
import threading

from kernelkit.utils.interrupts import deferred_interrupts
from kernelkit.utils.sequences import Sequence, _end_of_pass, _pass_order, iterate_sequence  # noqa: F401
from kernelkit.utils.worker_pools import (_DONE, _ERROR, _OK, RemoteTraceback, _generator_worker_main,
                                          _ProcessWorkers, _ThreadWorkers, _unpack_error, _worker_seeds)

__all__ = ['Sequence', 'SequenceEnqueuer', 'OrderedEnqueuer', 'GeneratorEnqueuer', 'RemoteTraceback']

# The start method of worker processes: None means 'fork' where available, else 'spawn'. Tests may set it.
_START_METHOD = None


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
            return _ProcessWorkers(_multiprocessing_context(), self.sequence, self.workers, name, seeds)
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
