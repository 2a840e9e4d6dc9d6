"""Interrupting `fit`, `fit_generator`, `evaluate(_generator)` and `predict(_generator)` (issue 15, item 4).

A `KeyboardInterrupt` (raised by a callback, by a `Sequence`, or delivered as a real SIGINT) or the
`LiveCurves` Stop button (`model.stop_training = True`) must leave:
- the weights and optimizer state of a whole step: equal to a run of exactly the completed steps with
  `train_on_batch` (the oracle: the same steps, one by one, from the same initial weights);
- `model.history` holding the completed epochs;
- `on_train_end` run: the `CSVLogger` file complete and closed, checkpoints loadable, a
  `BackupAndRestore` backup kept;
- no worker thread or process left (Python threads, `multiprocessing.active_children()`, psutil);
- a following `fit` that gives what an uninterrupted run of the same steps gives.

`test_random_sigint_in_subprocess` sends real SIGINTs at random moments to a child process running the
loops (the seed is printed on failure; `KERNELKIT_INTERRUPT_SEED` replays one).
"""
import csv
import json
import multiprocessing
import os
import queue
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import psutil
import pytest

import kernelkit as keras
from kernelkit.widgets import LiveCurves

BATCH, STEPS = 8, 6  # six batches of eight samples per epoch
RNG = np.random.RandomState(0)
X = RNG.randn(BATCH * STEPS, 4).astype('float32')
Y = (X @ RNG.randn(4, 1)).astype('float32')
MAIN_PID = os.getpid()


def _batch(index):
    index %= STEPS
    return X[index * BATCH:(index + 1) * BATCH], Y[index * BATCH:(index + 1) * BATCH]


class Batches(keras.utils.Sequence):
    """The six batches of (X, Y), in order. `signal_at`: batch index at which the batch builder sends
    SIGINT to the main process (from a worker thread or process), once per copy of the Sequence;
    `raise_at`: index at which `__getitem__` raises KeyboardInterrupt."""

    def __init__(self, length=STEPS, signal_at=None, raise_at=None):
        self.length, self.signal_at, self.raise_at = length, signal_at, raise_at

    def __len__(self):
        return self.length

    def __getitem__(self, index):
        if index == self.signal_at:
            self.signal_at = None
            os.kill(MAIN_PID, signal.SIGINT)
        if index == self.raise_at:
            raise KeyboardInterrupt
        return _batch(index)


def _generator():
    index = 0
    while True:
        yield _batch(index)
        index += 1


def _model():
    keras.backend.clear_session()
    model = keras.models.Sequential([keras.layers.Dense(6, activation='tanh', input_shape=(4,)),
                                     keras.layers.Dense(1)])
    model.compile(keras.optimizers.Adam(lr=0.01), 'mse')
    weights = np.random.RandomState(1)
    model.set_weights([weights.uniform(-0.5, 0.5, w.shape).astype('float32') for w in model.get_weights()])
    return model


def _reference(*runs):
    """The oracle: the batches of `runs` (steps per `fit` call, each starting at batch 0) trained one by
    one with `train_on_batch`; returns (weights, optimizer weights, losses)."""
    model = _model()
    losses = [model.train_on_batch(*_batch(i)) for steps in runs for i in range(steps)]
    return model.get_weights(), model.optimizer.get_weights(), losses


def _assert_same_state(model, *runs):
    weights, slots, _ = _reference(*runs)
    assert int(model.optimizer.iterations.numpy()) == sum(runs)
    for got, want in zip(model.get_weights() + model.optimizer.get_weights(), weights + slots):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def _workers():
    """What could be left running: Python threads, multiprocessing children, OS child processes."""
    return (set(threading.enumerate()), set(multiprocessing.active_children()),
            {p.pid for p in psutil.Process().children(recursive=True)})


def _assert_no_new_workers(baseline):
    threads, children, os_children = _workers()
    assert threads - baseline[0] == set(), 'worker threads left: %s' % (threads - baseline[0])
    assert children - baseline[1] == set(), 'worker processes left: %s' % (children - baseline[1])
    assert os_children - baseline[2] == set(), 'child processes left: %s' % (os_children - baseline[2])


class InterruptAt(keras.callbacks.Callback):
    """Raises KeyboardInterrupt (or calls `action`) at the end of batch `batch` of epoch `epoch`."""

    def __init__(self, epoch, batch, action=None):
        super(InterruptAt, self).__init__()
        self.at, self.action, self.epoch = (epoch, batch), action, None

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_batch_end(self, batch, logs=None):
        if (self.epoch, batch) == self.at:
            if self.action is None:
                raise KeyboardInterrupt
            self.action()


MODES = {
    'fit_arrays': lambda model, **kw: model.fit(X, Y, batch_size=BATCH, shuffle=False, verbose=0, **kw),
    'sequence_threads': lambda model, **kw: model.fit_generator(Batches(), workers=2, shuffle=False,
                                                                verbose=0, **kw),
    'sequence_processes': lambda model, **kw: model.fit_generator(Batches(), workers=2, use_multiprocessing=True,
                                                                  shuffle=False, verbose=0, **kw),
    'generator_threads': lambda model, **kw: model.fit_generator(_generator(), steps_per_epoch=STEPS, workers=2,
                                                                 verbose=0, **kw),
    'fit_sequence_main_thread': lambda model, **kw: model.fit(Batches(), workers=0, shuffle=False, verbose=0, **kw),
}


def _read_csv(path):
    with open(path, newline='') as f:
        text = f.read()
    assert text.endswith('\n'), 'CSVLogger file ends with an incomplete line: %r' % text[-40:]
    return list(csv.DictReader(text.splitlines()))


@pytest.mark.parametrize('mode', sorted(MODES))
def test_keyboard_interrupt_in_a_callback(mode, tmp_path):
    baseline = _workers()
    model = _model()
    logger = keras.callbacks.CSVLogger(str(tmp_path / 'log.csv'))
    checkpoint = keras.callbacks.ModelCheckpoint(str(tmp_path / 'ckpt.h5'))
    with pytest.raises(KeyboardInterrupt):
        MODES[mode](model, epochs=5, callbacks=[InterruptAt(1, 3), logger, checkpoint])
    completed = STEPS + 4  # epoch 0, then batches 0..3 of epoch 1
    _assert_same_state(model, completed)
    _assert_no_new_workers(baseline)

    _, _, losses = _reference(completed, STEPS)
    history = model.history
    assert isinstance(history, keras.callbacks.History)
    assert history.epoch == [0]
    np.testing.assert_allclose(history.history['loss'], [np.mean(losses[:STEPS])], rtol=1e-5)
    assert logger.csv_file.closed  # on_train_end ran
    rows = _read_csv(tmp_path / 'log.csv')
    assert [row['epoch'] for row in rows] == ['0']
    np.testing.assert_allclose(float(rows[0]['loss']), history.history['loss'][0], rtol=1e-6)
    saved = keras.models.load_model(str(tmp_path / 'ckpt.h5'))
    for got, want in zip(saved.get_weights(), _reference(STEPS)[0]):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)

    # The next fit goes on from the interrupted state, as an uninterrupted run of the same steps.
    again = MODES[mode](model, epochs=1)
    _assert_same_state(model, completed, STEPS)
    np.testing.assert_allclose(again.history['loss'], [np.mean(losses[completed:])], rtol=1e-5)
    assert model.history is again
    _assert_no_new_workers(baseline)


@pytest.mark.parametrize('mode', ['fit_arrays', 'sequence_processes'])
def test_stop_button(mode, tmp_path):
    baseline = _workers()
    model = _model()
    lines = []
    live = LiveCurves(mode='text', print_fn=lines.append)
    logger = keras.callbacks.CSVLogger(str(tmp_path / 'log.csv'))
    history = MODES[mode](model, epochs=5, callbacks=[live, InterruptAt(1, 3, live.request_stop), logger])
    _assert_same_state(model, STEPS + 4)
    _assert_no_new_workers(baseline)
    # As Keras 2.2 does for `stop_training`: the stopped epoch ends (and is recorded) after its last batch.
    assert history.epoch == [0, 1] and model.history is history
    assert lines[-1] == 'Training stopped at epoch 2, step 4.'  # LiveCurves.on_train_end ran
    assert logger.csv_file.closed and [row['epoch'] for row in _read_csv(tmp_path / 'log.csv')] == ['0', '1']
    MODES[mode](model, epochs=1)
    _assert_same_state(model, STEPS + 4, STEPS)


def test_backup_kept_when_interrupted(tmp_path):
    model = _model()
    backup = keras.callbacks.BackupAndRestore(str(tmp_path / 'backup'))
    with pytest.raises(KeyboardInterrupt):
        MODES['fit_arrays'](model, epochs=5, callbacks=[InterruptAt(2, 1), backup])
    assert os.path.exists(backup.backup_path)  # kept for the next run to resume from
    resumed = _model()
    history = MODES['fit_arrays'](resumed, epochs=3, callbacks=[backup])
    assert history.epoch == [2]
    _assert_same_state(resumed, 3 * STEPS)
    assert not os.path.exists(backup.backup_path)  # a run that ends normally deletes it


def test_failing_on_train_end_does_not_hide_the_interrupt():
    class BrokenEnd(keras.callbacks.Callback):
        def on_train_end(self, logs=None):
            self.logs = dict(logs)
            raise ValueError('broken on_train_end')

    model, broken = _model(), BrokenEnd()
    with pytest.warns(RuntimeWarning, match='broken on_train_end'):
        with pytest.raises(KeyboardInterrupt):
            MODES['sequence_threads'](model, epochs=2, callbacks=[InterruptAt(0, 2), broken])
    assert broken.logs == {'interrupted': True} and model.stop_training
    _assert_same_state(model, 3)


def test_error_in_a_worker_ends_training_cleanly(tmp_path):
    baseline = _workers()
    model = _model()
    logger = keras.callbacks.CSVLogger(str(tmp_path / 'log.csv'))
    with pytest.raises(KeyboardInterrupt):
        model.fit_generator(Batches(raise_at=4), epochs=3, workers=2, use_multiprocessing=True, shuffle=False,
                            max_queue_size=2, verbose=0, callbacks=[logger])
    assert logger.csv_file.closed and model.history.epoch == []
    _assert_same_state(model, 4)
    _assert_no_new_workers(baseline)


@pytest.mark.parametrize('processes', [False, True], ids=['threads', 'processes'])
@pytest.mark.parametrize('method', ['evaluate', 'predict'])
def test_real_sigint_during_evaluate_and_predict(method, processes):
    """A worker (thread or process) sends SIGINT to this process while it reads batch 4 of 40."""
    baseline = _workers()
    model = _model()
    weights = model.get_weights()
    run = getattr(model, method + '_generator')
    with pytest.raises(KeyboardInterrupt):
        run(Batches(length=40, signal_at=4), workers=2, use_multiprocessing=processes, max_queue_size=2)
    _assert_no_new_workers(baseline)
    for got, want in zip(model.get_weights(), weights):
        np.testing.assert_array_equal(got, want)
    # The next call works, and agrees with the same call on arrays.
    got = run(Batches(), workers=2, use_multiprocessing=processes)
    want = model.evaluate(X, Y, batch_size=BATCH, verbose=0) if method == 'evaluate' else model.predict(X)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    _assert_no_new_workers(baseline)


def test_interrupted_evaluate_and_predict_on_arrays(monkeypatch):
    """A KeyboardInterrupt in the middle of the batch loop (while the third batch is sliced)."""
    from kernelkit.engine import data_adapter
    model = _model()
    original, calls = data_adapter.slice_arrays, []

    def slicing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return original(*args, **kwargs)

    for run in (lambda: model.evaluate(X, Y, batch_size=BATCH, verbose=0),
                lambda: model.predict(X, batch_size=BATCH)):
        del calls[:]
        monkeypatch.setattr(data_adapter, 'slice_arrays', slicing)
        with pytest.raises(KeyboardInterrupt):
            run()
        monkeypatch.setattr(data_adapter, 'slice_arrays', original)
    fresh = _model()
    np.testing.assert_allclose(model.predict(X, batch_size=BATCH), fresh.predict(X, batch_size=BATCH), rtol=1e-6)
    np.testing.assert_allclose(model.evaluate(X, Y, verbose=0), fresh.evaluate(X, Y, verbose=0), rtol=1e-6)


# ------------------------------------------------------------------------------------------------------
# Real SIGINTs at random moments, in a child process

CHILD = textwrap.dedent(r'''
    import json, multiprocessing, os, sys, threading
    import numpy as np, psutil
    sys.path.insert(0, sys.argv[1])
    import test_interrupts as t
    import kernelkit as keras

    class Ready(keras.callbacks.Callback):
        def __init__(self, name):
            super(Ready, self).__init__()
            self.name = name
        def on_batch_end(self, batch, logs=None):
            if self.name:
                print('READY', self.name, flush=True)
                self.name = None

    LONG = 10 ** 6
    FITS = {
        'fit_arrays': lambda m, **kw: m.fit(t.X, t.Y, batch_size=t.BATCH, shuffle=False, verbose=0, **kw),
        'fit_sequence_threads': lambda m, **kw: m.fit_generator(t.Batches(), workers=2, shuffle=False, verbose=0,
                                                                **kw),
        'fit_sequence_processes': lambda m, **kw: m.fit_generator(t.Batches(), workers=2, use_multiprocessing=True,
                                                                  shuffle=False, verbose=0, **kw),
    }
    OTHERS = {
        'evaluate_arrays': lambda m: m.evaluate(np.repeat(t.X, 4000, 0), np.repeat(t.Y, 4000, 0), batch_size=1,
                                                verbose=0),
        'evaluate_sequence_processes': lambda m: m.evaluate_generator(t.Batches(length=20000), workers=2,
                                                                      use_multiprocessing=True),
        'predict_sequence_threads': lambda m: m.predict_generator(t.Batches(length=20000), workers=2),
    }
    baseline = t._workers()
    folder = sys.argv[2]
    for name in sys.argv[3:]:
        model = t._model()
        before = [w.copy() for w in model.get_weights()]
        result = {'name': name}
        path = os.path.join(folder, name + '.csv')
        logger = keras.callbacks.CSVLogger(path)
        checkpoint = os.path.join(folder, name + '.h5')
        try:
            if name in FITS:
                FITS[name](model, epochs=LONG, callbacks=[Ready(name), logger,
                                                          keras.callbacks.ModelCheckpoint(checkpoint)])
            else:
                print('READY', name, flush=True)
                OTHERS[name](model)
            result['interrupted'] = False
        except KeyboardInterrupt:
            result['interrupted'] = True
        try:
            t._assert_no_new_workers(baseline)
            result['workers_left'] = None
        except AssertionError as error:
            result['workers_left'] = str(error)
        if name in FITS:
            steps = int(model.optimizer.iterations.numpy())
            result['steps'] = steps
            try:
                t._assert_same_state(model, steps)
                result['state'] = 'ok'
            except AssertionError as error:
                result['state'] = str(error)[:500]
            history = model.history
            result['epochs'] = history.epoch
            result['loss_values'] = len(history.history.get('loss', []))
            result['csv_closed'] = logger.csv_file.closed
            with open(path, newline='') as f:
                text = f.read()
            result['csv_complete'] = text.endswith('\n')
            result['csv_rows'] = max(len(text.splitlines()) - 1, 0)
            if os.path.exists(checkpoint):
                keras.models.load_model(checkpoint)
            result['checkpoint_loads'] = True
            FITS[name](model, epochs=1)
            try:
                t._assert_same_state(model, steps, t.STEPS)
                result['continued'] = 'ok'
            except AssertionError as error:
                result['continued'] = str(error)[:500]
        else:
            result['weights_kept'] = all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
            value = model.evaluate_generator(t.Batches(), workers=2, use_multiprocessing=True)
            result['continued'] = 'ok' if np.isclose(value, model.evaluate(t.X, t.Y, batch_size=t.BATCH, verbose=0),
                                                     rtol=1e-5) else 'evaluate differs: %r' % value
        try:
            t._assert_no_new_workers(baseline)
        except AssertionError as error:
            result['workers_left'] = result['workers_left'] or str(error)
        print('RESULT', json.dumps(result), flush=True)
''')

SCENARIOS = ['fit_arrays', 'fit_sequence_threads', 'fit_sequence_processes', 'evaluate_arrays',
             'evaluate_sequence_processes', 'predict_sequence_threads']


def _lines(stream, out):
    for line in iter(stream.readline, ''):
        out.put(line)
    out.put(None)


def test_random_sigint_in_subprocess(tmp_path):
    seed = int(os.environ.get('KERNELKIT_INTERRUPT_SEED', time.time() * 1000)) % 2 ** 32
    rng = random.Random(seed)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL='2')
    child = subprocess.Popen([sys.executable, '-c', CHILD, os.path.dirname(__file__), str(tmp_path)] + SCENARIOS,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    lines, log, results, delays = queue.Queue(), [], {}, {}
    threading.Thread(target=_lines, args=(child.stdout, lines), daemon=True).start()
    deadline = time.monotonic() + 100
    try:
        while len(results) < len(SCENARIOS):
            line = lines.get(timeout=max(deadline - time.monotonic(), 0.1))
            assert line is not None, 'the child exited early (seed %d):\n%s' % (seed, ''.join(log[-40:]))
            log.append(line)
            if line.startswith('READY '):
                name = line.split()[1]
                delays[name] = rng.uniform(0., 0.5)
                time.sleep(delays[name])
                child.send_signal(signal.SIGINT)
            elif line.startswith('RESULT '):
                result = json.loads(line[len('RESULT '):])
                results[result['name']] = result
        assert child.wait(timeout=30) == 0, ''.join(log[-40:])
    except queue.Empty:
        pytest.fail('the child hung (seed %d):\n%s' % (seed, ''.join(log[-40:])))
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    for name, result in results.items():
        where = '%s (seed %d, SIGINT after %.3f s): %s' % (name, seed, delays[name], result)
        assert result['interrupted'], where
        assert result['workers_left'] is None, where
        assert result['continued'] == 'ok', where
        if name.startswith('fit'):
            assert result['state'] == 'ok', where
            epochs = result['epochs']
            # The completed epochs: all of them, or one fewer when the SIGINT came during an epoch's end.
            assert epochs == list(range(len(epochs))) and result['loss_values'] == len(epochs), where
            assert len(epochs) in (result['steps'] // STEPS, result['steps'] // STEPS - 1), where
            assert result['csv_closed'] and result['csv_complete'], where
            assert result['csv_rows'] in (len(epochs), len(epochs) + 1), where
            assert result['checkpoint_loads'], where
        else:
            assert result['weights_kept'], where


def test_deferred_interrupts():
    from kernelkit.utils.interrupts import deferred_interrupts
    reached = []
    with pytest.raises(KeyboardInterrupt):
        with deferred_interrupts():
            signal.raise_signal(signal.SIGINT)
            reached.append('after the first SIGINT')  # the block goes on; the interrupt comes at its end
    assert reached == ['after the first SIGINT']
    with pytest.raises(KeyboardInterrupt):
        with deferred_interrupts():
            signal.raise_signal(signal.SIGINT)
            signal.raise_signal(signal.SIGINT)  # a second Ctrl-C is not deferred
            reached.append('after the second SIGINT')
    assert reached == ['after the first SIGINT']
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    with deferred_interrupts():  # without a SIGINT: nothing happens
        pass


def test_a_ctrl_c_during_a_step_is_raised_when_the_step_returns():
    """A SIGINT that lands inside a compiled step (for instance while TensorFlow converts the numpy
    arguments, where numpy's C code would lose the KeyboardInterrupt and TensorFlow would report a
    TypeError) waits until the step has returned, then is raised as KeyboardInterrupt; other errors of
    the step are left alone."""
    from kernelkit.engine.training_steps import CompiledStep
    finished = []

    def interrupted_step(*args):
        signal.raise_signal(signal.SIGINT)
        finished.append(args)
        return 'result'

    def wrong_arguments(*args):
        raise TypeError('Binding inputs to tf.function failed: wrong shape')

    with pytest.raises(KeyboardInterrupt):
        CompiledStep(interrupted_step)(1, 2)
    assert finished == [(1, 2)]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    with pytest.raises(TypeError, match='wrong shape'):
        CompiledStep(wrong_arguments)(1, 2)
    model = _model()
    model.train_on_batch(X[:BATCH], Y[:BATCH])
    step = list(model._functions.values())[0]
    assert isinstance(step, CompiledStep) and step.experimental_get_tracing_count() == 1
