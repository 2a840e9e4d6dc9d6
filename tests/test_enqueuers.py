"""`Sequence`, `OrderedEnqueuer` and `GeneratorEnqueuer` (Keras 2.2's `keras.utils.data_utils`): order kept
with several workers, `on_epoch_end` once per pass, thread and process workers, errors raised in the
reading thread with the worker's traceback, and no thread or process left behind, even after an error.

Anything that could hang runs in a helper thread joined with a timeout, so a bug fails the test instead
of blocking the suite."""
import multiprocessing
import os
import pickle
import random
import signal
import threading
import time
import traceback

import numpy as np
import pytest

from kernelkit.utils import enqueuers
from kernelkit.utils.enqueuers import GeneratorEnqueuer, OrderedEnqueuer, RemoteTraceback, Sequence
from worker_checks import assert_nothing_left, call_with_timeout



def _line_of(marker):
    with open(__file__) as handle:
        for number, line in enumerate(handle, 1):
            if marker in line and '_line_of' not in line:
                return number
    raise AssertionError(marker)


def _formatted(error):
    return ''.join(traceback.format_exception(type(error), error, error.__traceback__))


# Module-level classes, so that they can be pickled (spawned workers import them from here).

class RangeSequence(Sequence):
    """Batch i is `(array([[i + offset]]), worker pid)`; on_epoch_end counts and shifts the offset."""

    def __init__(self, length, delays=None):
        self.length = length
        self.delays = delays or {}
        self.offset = 0
        self.epochs_ended = 0
        self.lengths_when_ended = []

    def __len__(self):
        return self.length

    def __getitem__(self, index):
        time.sleep(self.delays.get(index, 0.))
        return np.array([[index + self.offset]]), os.getpid()

    def on_epoch_end(self):
        self.epochs_ended += 1
        self.offset += 100


class PlainSequence(Sequence):
    """Batch i is i * 10; no on_epoch_end of its own, so process workers live for the whole run."""

    def __len__(self):
        return 3

    def __getitem__(self, index):
        return index * 10


class RecordingSequence(Sequence):
    """Records, in the main process, every `__getitem__` and `on_epoch_end` call (thread workers)."""

    def __init__(self, length):
        self.length = length
        self.calls = []
        self.lock = threading.Lock()

    def __len__(self):
        return self.length

    def __getitem__(self, index):
        with self.lock:
            self.calls.append(('get', index))
        return index

    def on_epoch_end(self):
        with self.lock:
            self.calls.append(('end', None))


def _failing_batch(index):
    raise ZeroDivisionError('batch %d cannot be built' % index)  # FAILING-LINE


FAILING_LINE = _line_of('FAILING-LINE')


class FailingSequence(Sequence):
    def __init__(self, length=8, bad=3):
        self.length, self.bad = length, bad

    def __len__(self):
        return self.length

    def __getitem__(self, index):
        if index == self.bad:
            _failing_batch(index)
        return index


class UnpicklableError(Exception):
    def __init__(self, first, second):  # pickling calls __init__ with one argument: it fails
        super(UnpicklableError, self).__init__('%s and %s' % (first, second))


class UnpicklableErrorSequence(Sequence):
    def __len__(self):
        return 4

    def __getitem__(self, index):
        if index == 1:
            raise UnpicklableError('left', 'right')
        return index


class SuicideSequence(Sequence):
    """Batch 2 kills the worker process that builds it, as the out-of-memory killer would."""

    def __len__(self):
        return 6

    def __getitem__(self, index):
        if index == 2:
            os.kill(os.getpid(), signal.SIGKILL)
        return index


def _take(iterator, count):
    return [next(iterator) for _ in range(count)]


# --------------------------------------------------------------------------------------------------
# Sequence

def test_sequence_base_class_names_what_is_missing():
    class Incomplete(Sequence):
        pass

    sequence = Incomplete()  # as in Keras 2, the abstract methods fail when called
    with pytest.raises(NotImplementedError, match=r'Incomplete must implement `__len__'):
        len(sequence)
    with pytest.raises(NotImplementedError, match=r'Incomplete must implement `__getitem__'):
        sequence[0]
    assert Sequence.use_sequence_api is True
    assert Sequence.on_epoch_end(sequence) is None


def test_sequence_iterates_once_over_its_batches_and_pickles():
    sequence = RangeSequence(4)
    assert [int(batch[0][0, 0]) for batch in sequence] == [0, 1, 2, 3]
    copy = pickle.loads(pickle.dumps(sequence))
    assert type(copy) is RangeSequence and len(copy) == 4
    assert int(copy[2][0][0, 0]) == 2


def test_keras_import_paths():
    from kernelkit.utils import enqueuers as module
    for name in ('Sequence', 'SequenceEnqueuer', 'OrderedEnqueuer', 'GeneratorEnqueuer'):
        assert name in module.__all__
    assert issubclass(OrderedEnqueuer, enqueuers.SequenceEnqueuer)
    assert issubclass(GeneratorEnqueuer, enqueuers.SequenceEnqueuer)


# --------------------------------------------------------------------------------------------------
# OrderedEnqueuer

def test_threads_keep_the_order_and_end_each_pass_once():
    threads_before = set(threading.enumerate())
    # Early batches are the slowest, so with 3 threads later ones are ready first.
    sequence = RangeSequence(6, delays={0: 0.15, 1: 0.1, 2: 0.05})
    enqueuer = OrderedEnqueuer(sequence)
    enqueuer.start(workers=3, max_queue_size=4)
    assert enqueuer.is_running()
    batches, _ = call_with_timeout(lambda: _take(enqueuer.get(), 12))
    enqueuer.stop()
    assert not enqueuer.is_running()
    values = [int(batch[0][0, 0]) for batch in batches]
    assert values == [0, 1, 2, 3, 4, 5, 100, 101, 102, 103, 104, 105]
    assert {pid for _, pid in batches} == {os.getpid()}
    assert sequence.epochs_ended == 2
    assert_nothing_left(threads_before)


def test_on_epoch_end_runs_after_the_last_batch_of_the_pass_and_before_the_next():
    sequence = RecordingSequence(5)
    enqueuer = OrderedEnqueuer(sequence)
    enqueuer.start(workers=2, max_queue_size=10)
    batches, _ = call_with_timeout(lambda: _take(enqueuer.get(), 10))
    enqueuer.stop()
    assert batches == [0, 1, 2, 3, 4] * 2
    first_end = sequence.calls.index(('end', None))
    assert sorted(index for _, index in sequence.calls[:first_end]) == [0, 1, 2, 3, 4]
    assert sorted(index for _, index in sequence.calls[first_end + 1:first_end + 6]) == [0, 1, 2, 3, 4]


def test_processes_keep_the_order_and_see_on_epoch_end():
    threads_before = set(threading.enumerate())
    sequence = RangeSequence(5, delays={0: 0.1})
    enqueuer = OrderedEnqueuer(sequence, use_multiprocessing=True)
    enqueuer.start(workers=2, max_queue_size=3)
    batches, error = call_with_timeout(lambda: _take(enqueuer.get(), 10))
    enqueuer.stop()
    assert error is None
    values = [int(batch[0][0, 0]) for batch in batches]
    # on_epoch_end runs in this process; the workers are restarted with the updated sequence.
    assert values == [0, 1, 2, 3, 4, 100, 101, 102, 103, 104]
    pids = {pid for _, pid in batches}
    assert os.getpid() not in pids and len(pids) >= 2
    assert sequence.epochs_ended == 2
    assert_nothing_left(threads_before)


def test_shuffle_gives_a_new_permutation_every_pass_repeatable_with_random_seed():
    def orders():
        random.seed(7)
        enqueuer = OrderedEnqueuer(RecordingSequence(8), shuffle=True)
        enqueuer.start(workers=2)
        batches, _ = call_with_timeout(lambda: _take(enqueuer.get(), 24))
        enqueuer.stop()
        return [batches[i:i + 8] for i in (0, 8, 16)]

    first, again = orders(), orders()
    assert first == again
    for order in first:
        assert sorted(order) == list(range(8))
    assert len({tuple(order) for order in first}) > 1
    assert first[0] != list(range(8))


@pytest.mark.parametrize('use_multiprocessing', [False, True], ids=['threads', 'processes'])
def test_worker_error_is_raised_with_its_traceback_and_stops_everything(use_multiprocessing):
    threads_before = set(threading.enumerate())
    enqueuer = OrderedEnqueuer(FailingSequence(), use_multiprocessing=use_multiprocessing)
    enqueuer.start(workers=2, max_queue_size=4)
    seen = []

    def read():
        for batch in enqueuer.get():
            seen.append(batch)

    _, error = call_with_timeout(read)
    assert isinstance(error, ZeroDivisionError)
    assert str(error) == 'batch 3 cannot be built'
    assert seen == [0, 1, 2]
    text = _formatted(error)
    assert 'line %d, in _failing_batch' % FAILING_LINE in text
    assert 'in __getitem__' in text
    if use_multiprocessing:
        assert isinstance(error.__cause__, RemoteTraceback)
    assert not enqueuer.is_running()
    assert_nothing_left(threads_before)
    enqueuer.stop()  # stopping again is harmless


def test_unpicklable_worker_error_arrives_as_a_runtime_error_naming_it():
    threads_before = set(threading.enumerate())
    enqueuer = OrderedEnqueuer(UnpicklableErrorSequence(), use_multiprocessing=True)
    enqueuer.start(workers=1)
    _, error = call_with_timeout(lambda: _take(enqueuer.get(), 3))
    assert isinstance(error, RuntimeError)
    assert 'UnpicklableError: left and right' in str(error)
    assert 'raise UnpicklableError' in _formatted(error)
    assert_nothing_left(threads_before)


def test_killed_worker_process_is_reported_not_waited_for():
    threads_before = set(threading.enumerate())
    enqueuer = OrderedEnqueuer(SuicideSequence(), use_multiprocessing=True)
    enqueuer.start(workers=2, max_queue_size=2)
    _, error = call_with_timeout(lambda: _take(enqueuer.get(), 6))
    assert isinstance(error, RuntimeError)
    assert 'exited unexpectedly with exit code -%d' % signal.SIGKILL in str(error)
    assert 'batch 2' in str(error)
    assert_nothing_left(threads_before)


def test_spawned_worker_processes_get_a_pickled_sequence(monkeypatch):
    monkeypatch.setattr(enqueuers, '_START_METHOD', 'spawn')
    threads_before = set(threading.enumerate())
    enqueuer = OrderedEnqueuer(PlainSequence(), use_multiprocessing=True)
    enqueuer.start(workers=1)
    batches, error = call_with_timeout(lambda: _take(enqueuer.get(), 4), timeout=120)
    enqueuer.stop()
    assert error is None
    assert batches == [0, 10, 20, 0]
    assert_nothing_left(threads_before)


def test_spawn_with_an_unpicklable_sequence_says_so(monkeypatch):
    monkeypatch.setattr(enqueuers, '_START_METHOD', 'spawn')

    class Local(Sequence):  # a local class cannot be pickled
        def __len__(self):
            return 2

        def __getitem__(self, index):
            return index

    enqueuer = OrderedEnqueuer(Local(), use_multiprocessing=True)
    with pytest.raises(TypeError, match='pickling it, which failed'):
        enqueuer.start(workers=1)
    assert not enqueuer.is_running()
    assert multiprocessing.active_children() == []


def test_bad_arguments_and_misuse():
    with pytest.raises(TypeError, match='needs a `keras.utils.Sequence`'):
        OrderedEnqueuer(42)
    enqueuer = OrderedEnqueuer(RangeSequence(2))
    with pytest.raises(RuntimeError, match=r'call `start\(\)` before `get\(\)`'):
        next(enqueuer.get())
    with pytest.raises(ValueError, match='`workers` must be an integer >= 1'):
        enqueuer.start(workers=0)
    with pytest.raises(ValueError, match='has length 0'):
        OrderedEnqueuer(RangeSequence(0)).start()
    with pytest.raises(TypeError, match='needs a generator'):
        GeneratorEnqueuer(42)
    with pytest.raises(ValueError, match='`wait_time` must be a positive number'):
        GeneratorEnqueuer(iter([]), wait_time=0)


# --------------------------------------------------------------------------------------------------
# GeneratorEnqueuer

def _counting(count, delay=0.):
    for index in range(count):
        time.sleep(delay)
        yield index


def _failing_generator():
    yield 0
    yield 1
    raise KeyError('generator broke')  # GENERATOR-FAILING-LINE


GENERATOR_FAILING_LINE = _line_of('GENERATOR-FAILING-LINE')


def test_generator_threads_keep_the_order_and_end_with_the_generator():
    threads_before = set(threading.enumerate())
    enqueuer = GeneratorEnqueuer(_counting(30, delay=0.001))
    enqueuer.start(workers=3, max_queue_size=5)
    items, error = call_with_timeout(lambda: list(enqueuer.get()))
    assert error is None
    assert items == list(range(30))
    enqueuer.stop()
    assert_nothing_left(threads_before)


def test_generator_process_keeps_the_order_and_uses_the_seed():
    threads_before = set(threading.enumerate())

    def random_numbers():
        while True:
            yield np.random.randint(0, 10 ** 6), os.getpid()

    enqueuer = GeneratorEnqueuer(random_numbers(), use_multiprocessing=True, seed=5)
    enqueuer.start(workers=1, max_queue_size=3)
    items, error = call_with_timeout(lambda: _take(enqueuer.get(), 4))
    enqueuer.stop()
    assert error is None
    assert [value for value, _ in items] == list(np.random.RandomState(5).randint(0, 10 ** 6, size=4))
    assert {pid for _, pid in items} != {os.getpid()}
    assert_nothing_left(threads_before)

    finite = GeneratorEnqueuer(_counting(5), use_multiprocessing=True)
    finite.start(workers=1)
    items, error = call_with_timeout(lambda: list(finite.get()))
    finite.stop()
    assert items == [0, 1, 2, 3, 4] and error is None
    assert_nothing_left(threads_before)


@pytest.mark.parametrize('use_multiprocessing', [False, True], ids=['threads', 'processes'])
def test_generator_error_is_raised_with_its_traceback_and_stops_everything(use_multiprocessing):
    threads_before = set(threading.enumerate())
    enqueuer = GeneratorEnqueuer(_failing_generator(), use_multiprocessing=use_multiprocessing)
    enqueuer.start(workers=2 if not use_multiprocessing else 1)
    seen = []

    def read():
        for item in enqueuer.get():
            seen.append(item)

    _, error = call_with_timeout(read)
    assert isinstance(error, KeyError) and seen == [0, 1]
    assert 'line %d, in _failing_generator' % GENERATOR_FAILING_LINE in _formatted(error)
    assert not enqueuer.is_running()
    assert_nothing_left(threads_before)


def test_generator_processes_need_fork(monkeypatch):
    monkeypatch.setattr(enqueuers, '_START_METHOD', 'spawn')
    enqueuer = GeneratorEnqueuer(_counting(3), use_multiprocessing=True)
    with pytest.raises(ValueError, match='needs the "fork" start method'):
        enqueuer.start()
    assert multiprocessing.active_children() == []
