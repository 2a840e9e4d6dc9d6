"""fit_generator / evaluate_generator / predict_generator (Keras 2.2: their Keras 1 arguments and how they drive
callbacks), and
fit/evaluate/predict given a `Sequence`, a generator or a `tf.data.Dataset`.

The reference for every loop is the array API on the same batches in the same order: `fit(x, y,
batch_size=8, shuffle=False)` sees batches [0:8], [8:16], [16:20], exactly what the generators below
yield, so weights and History must come out the same."""
import json
import os
import re
import subprocess
import sys
import textwrap
import threading
import traceback

import numpy as np
import pytest
import tensorflow as tf

import kernelkit as keras
from kernelkit import callbacks as callbacks_module
from kernelkit.layers import Dense, Input, concatenate
from kernelkit.models import Model, Sequential
from kernelkit.utils.enqueuers import Sequence
from worker_checks import assert_nothing_left, call_with_timeout

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
N, BATCH, STEPS = 20, 8, 3


def _data(n=N, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.normal(size=(n, 3)).astype('float32')
    y = np.eye(2, dtype='float32')[rng.randint(0, 2, size=n)]
    return x, y


def _model(**compile_kwargs):
    model = Sequential([Dense(4, activation='tanh', input_shape=(3,)), Dense(2, activation='softmax')])
    compile_kwargs.setdefault('metrics', ['accuracy'])
    model.compile(optimizer=keras.optimizers.SGD(lr=0.5), loss='categorical_crossentropy', **compile_kwargs)
    return model


def _twins(**compile_kwargs):
    """Two compiled models with the same initial weights."""
    first, second = _model(**compile_kwargs), _model(**compile_kwargs)
    second.set_weights(first.get_weights())
    return first, second


def _batches(*arrays, batch=BATCH):
    return [tuple(a[i:i + batch] for a in arrays) for i in range(0, len(arrays[0]), batch)]


def _forever(batches):
    while True:
        for batch in batches:
            yield batch


class ArraySequence(Sequence):
    """Batches of `arrays`, in order; counts on_epoch_end."""

    def __init__(self, *arrays, batch=BATCH):
        self.arrays, self.batch = arrays, batch
        self.epochs_ended = 0

    def __len__(self):
        return int(np.ceil(len(self.arrays[0]) / float(self.batch)))

    def __getitem__(self, index):
        return tuple(a[index * self.batch:(index + 1) * self.batch] for a in self.arrays)

    def on_epoch_end(self):
        self.epochs_ended += 1


def _assert_same_training(reference, reference_history, model, history):
    for expected, actual in zip(reference.get_weights(), model.get_weights()):
        np.testing.assert_allclose(actual, expected, atol=1e-6, rtol=0)
    assert history.history == reference_history.history
    assert history.epoch == reference_history.epoch


class Recorder(callbacks_module.Callback):
    def __init__(self):
        super(Recorder, self).__init__()
        self.events, self.epoch_logs_ids = [], []

    def on_train_begin(self, logs=None):
        self.events.append(('train_begin', None))

    def on_epoch_begin(self, epoch, logs=None):
        self.events.append(('epoch_begin', epoch))

    def on_batch_begin(self, batch, logs=None):
        self.events.append(('batch_begin', batch, dict(logs)))

    def on_batch_end(self, batch, logs=None):
        self.events.append(('batch_end', batch, dict(logs)))

    def on_epoch_end(self, epoch, logs=None):
        self.events.append(('epoch_end', epoch, dict(logs)))
        self.epoch_logs_ids.append(id(logs))

    def on_train_end(self, logs=None):
        self.events.append(('train_end', None))


# --------------------------------------------------------------------------------------------------
# Same results as the array loops

def test_fit_generator_with_a_python_generator_equals_fit_and_reuses_the_compiled_step():
    x, y = _data()
    reference, model = _twins()
    reference_history = reference.fit(x, y, batch_size=BATCH, epochs=3, shuffle=False, verbose=0)
    history = model.fit_generator(_forever(_batches(x, y)), steps_per_epoch=STEPS, epochs=3, verbose=0)
    _assert_same_training(reference, reference_history, model, history)
    assert model.history is history
    # Batches of 8, 8 and 4 samples all ran through one compiled train step, traced once.
    assert [key[0] for key in model._functions] == ['train']
    assert list(model._functions.values())[0].experimental_get_tracing_count() == 1


def test_fit_generator_with_a_sequence_and_two_worker_processes_equals_fit():
    threads_before = set(threading.enumerate())
    x, y = _data()
    reference, model = _twins()
    reference_history = reference.fit(x, y, batch_size=BATCH, epochs=3, shuffle=False, verbose=0)
    sequence = ArraySequence(x, y)
    history, error = call_with_timeout(lambda: model.fit_generator(
        sequence, epochs=3, verbose=0, workers=2, use_multiprocessing=True, shuffle=False))
    assert error is None
    _assert_same_training(reference, reference_history, model, history)
    assert sequence.epochs_ended == 3  # once per pass, in this process
    assert list(model._functions.values())[0].experimental_get_tracing_count() == 1
    assert_nothing_left(threads_before)


@pytest.mark.parametrize('workers', [0, 3])
def test_fit_generator_with_a_sequence_in_the_main_thread_or_threads_equals_fit(workers):
    x, y = _data()
    reference, model = _twins()
    reference_history = reference.fit(x, y, batch_size=BATCH, epochs=2, shuffle=False, verbose=0)
    sequence = ArraySequence(x, y)
    history = model.fit_generator(sequence, epochs=2, verbose=0, workers=workers, shuffle=False)
    _assert_same_training(reference, reference_history, model, history)
    assert sequence.epochs_ended == 2


def test_shuffled_sequence_visits_every_batch_once_per_epoch():
    x, y = _data()
    seen = []

    class Spy(ArraySequence):
        def __getitem__(self, index):
            seen.append(index)
            return ArraySequence.__getitem__(self, index)

    model = _model()
    model.fit_generator(Spy(x, y), epochs=4, verbose=0, workers=0)  # shuffle=True by default
    passes = [seen[i:i + STEPS] for i in range(0, 4 * STEPS, STEPS)]
    assert all(sorted(order) == [0, 1, 2] for order in passes)
    assert len(seen) == 4 * STEPS


def test_evaluate_and_predict_generator_equal_evaluate_and_predict():
    x, y = _data()
    model = _model()
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
    expected = model.evaluate(x, y, batch_size=BATCH, verbose=0)
    assert model.evaluate_generator(_forever(_batches(x, y)), steps=STEPS) == expected
    assert model.evaluate_generator(ArraySequence(x, y), workers=2, use_multiprocessing=True) == expected
    assert model.evaluate_generator(ArraySequence(x, y), workers=0) == expected

    predictions = model.predict(x, batch_size=BATCH)
    # Generators for predict may yield x alone, or (x, y) tuples as for training.
    np.testing.assert_array_equal(model.predict_generator(_forever([b[0] for b in _batches(x)]), steps=STEPS),
                                  predictions)
    np.testing.assert_array_equal(model.predict_generator(ArraySequence(x, y)), predictions)
    np.testing.assert_array_equal(model.predict_generator(ArraySequence(x), use_multiprocessing=True),
                                  predictions)
    one = model.predict_generator(_forever(_batches(x)), steps=1)  # a 1-tuple (x,) works too
    np.testing.assert_array_equal(one, predictions[:BATCH])


def test_evaluate_generator_weights_each_batch_by_its_samples_and_sample_weights():
    x, y = _data()
    weights = np.linspace(0.5, 2., N).astype('float32')
    model = _model(weighted_metrics=['accuracy'])
    expected = model.evaluate(x, y, batch_size=BATCH, sample_weight=weights, verbose=0)
    actual = model.evaluate_generator(_forever(_batches(x, y, weights)), steps=STEPS)
    assert actual == expected


def test_fit_evaluate_predict_accept_a_sequence():
    x, y = _data()
    reference, model = _twins()
    reference_history = reference.fit(x, y, batch_size=BATCH, epochs=2, shuffle=False, verbose=0)
    history = model.fit(ArraySequence(x, y), epochs=2, shuffle=False, verbose=0)
    _assert_same_training(reference, reference_history, model, history)
    assert model.evaluate(ArraySequence(x, y), verbose=0) == reference.evaluate(x, y, batch_size=BATCH,
                                                                                verbose=0)
    np.testing.assert_array_equal(model.predict(ArraySequence(x), workers=2), reference.predict(x, batch_size=BATCH))
    # steps_per_epoch below len(sequence): the sequence is read on, across epochs.
    history = model.fit(ArraySequence(x, y), steps_per_epoch=2, epochs=2, shuffle=False, verbose=0,
                        workers=0)
    assert len(history.epoch) == 2


def test_fit_evaluate_predict_accept_a_tf_data_dataset():
    x, y = _data()
    reference, model = _twins()
    reference_history = reference.fit(x, y, batch_size=BATCH, epochs=3, shuffle=False, verbose=0)
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(BATCH)
    recorder = Recorder()
    history = model.fit(dataset, epochs=3, verbose=0, callbacks=[recorder])
    _assert_same_training(reference, reference_history, model, history)
    assert recorder.params['steps'] == STEPS
    assert model.evaluate(dataset, verbose=0) == reference.evaluate(x, y, batch_size=BATCH, verbose=0)
    np.testing.assert_array_equal(model.predict(dataset.map(lambda a, b: a)), reference.predict(x, batch_size=BATCH))
    # A dataset of unknown size is read until it is exhausted, every epoch.
    unknown = dataset.filter(lambda a, b: True)
    assert int(tf.data.experimental.cardinality(unknown)) == tf.data.experimental.UNKNOWN_CARDINALITY
    again, model2 = _twins()
    model2.set_weights(again.get_weights())
    again_history = again.fit(x, y, batch_size=BATCH, epochs=2, shuffle=False, verbose=0)
    history = model2.fit(unknown, epochs=2, verbose=0)
    _assert_same_training(again, again_history, model2, history)
    # fit_generator takes a dataset too, with a repeated one read on across epochs.
    history = model2.fit_generator(dataset.repeat(), steps_per_epoch=STEPS, epochs=2, verbose=0)
    assert len(history.epoch) == 2


def test_class_weight_in_fit_generator_equals_fit():
    x, y = _data()
    class_weight = {0: 1., 1: 3.}
    reference, model = _twins()
    reference_history = reference.fit(x, y, batch_size=BATCH, epochs=2, shuffle=False, verbose=0,
                                      class_weight=class_weight)
    history = model.fit_generator(_forever(_batches(x, y)), steps_per_epoch=STEPS, epochs=2, verbose=0,
                                  class_weight=class_weight)
    _assert_same_training(reference, reference_history, model, history)


def test_sample_weights_and_dict_inputs_from_a_generator_equal_fit():
    def build():
        a, b = Input(shape=(2,), name='a'), Input(shape=(1,), name='b')
        model = Model([a, b], Dense(2, activation='softmax', name='out')(concatenate([a, b])))
        model.compile('sgd', 'categorical_crossentropy')
        return model

    x, y = _data()
    weights = np.linspace(0.5, 2., N).astype('float32')
    inputs = {'a': x[:, :2], 'b': x[:, 2:]}
    reference, model = build(), build()
    model.set_weights(reference.get_weights())
    reference_history = reference.fit(inputs, y, sample_weight=weights, batch_size=BATCH, epochs=2,
                                      shuffle=False, verbose=0)
    batches = [({'a': xa, 'b': xb}, yy, ww) for xa, xb, yy, ww in _batches(x[:, :2], x[:, 2:], y, weights)]
    history = model.fit_generator(_forever(batches), steps_per_epoch=STEPS, epochs=2, verbose=0)
    _assert_same_training(reference, reference_history, model, history)


# --------------------------------------------------------------------------------------------------
# Validation and callbacks

@pytest.mark.parametrize('source', ['generator', 'sequence', 'arrays'])
def test_validation_equals_fit_validation(source):
    x, y = _data()
    x_val, y_val = _data(n=16, seed=1)
    reference, model = _twins()
    reference_history = reference.fit(x, y, batch_size=BATCH, epochs=2, shuffle=False, verbose=0,
                                      validation_data=(x_val, y_val))
    validation = {'generator': lambda: _forever(_batches(x_val, y_val)),
                  'sequence': lambda: ArraySequence(x_val, y_val),
                  'arrays': lambda: (x_val, y_val)}[source]()
    steps = 2 if source == 'generator' else None
    recorder = Recorder()
    history = model.fit_generator(_forever(_batches(x, y)), steps_per_epoch=STEPS, epochs=2, verbose=0,
                                  validation_data=validation, validation_steps=steps, callbacks=[recorder])
    _assert_same_training(reference, reference_history, model, history)
    assert 'val_loss' in history.history and 'val_accuracy' in history.history
    if source == 'sequence':
        assert validation.epochs_ended == 2
    if source == 'arrays':
        assert len(recorder.validation_data) == 3  # x, y, sample weights
        np.testing.assert_array_equal(recorder.validation_data[0], x_val)
    else:
        assert recorder.validation_data is None


def test_callbacks_are_driven_as_in_keras_2_fit_generator(capsys):
    x, y = _data()
    x_val, y_val = _data(n=8, seed=1)
    model = _model()
    recorder = Recorder()
    history = model.fit_generator(_forever(_batches(x, y)), steps_per_epoch=STEPS, epochs=2, verbose=1,
                                  validation_data=(x_val, y_val), callbacks=[recorder])
    assert recorder.params == {'epochs': 2, 'steps': STEPS, 'verbose': 1, 'do_validation': True,
                               'metrics': ['loss', 'accuracy', 'val_loss', 'val_accuracy']}
    kinds = [event[0] for event in recorder.events]
    assert kinds == (['train_begin'] + (['epoch_begin'] + ['batch_begin', 'batch_end'] * STEPS + ['epoch_end']) * 2
                     + ['train_end'])
    batch_ends = [event for event in recorder.events if event[0] == 'batch_end']
    assert [(event[1], event[2]['batch'], event[2]['size']) for event in batch_ends[:STEPS]] == [
        (0, 0, 8), (1, 1, 8), (2, 2, 4)]
    assert set(batch_ends[0][2]) == {'batch', 'size', 'loss', 'accuracy'}
    # One epoch logs object for the whole run (Keras 2.2's fit_generator), given to every callback.
    assert len(set(recorder.epoch_logs_ids)) == 1
    assert set(history.history) == {'loss', 'accuracy', 'val_loss', 'val_accuracy'}
    out = capsys.readouterr().out
    assert 'Epoch 1/2' in out and '3/3 [' in out and 'val_loss' in out
    # Keras 2.2 names read from the logs work too.
    assert history.history['acc'] == history.history['accuracy']


def test_early_stopping_model_checkpoint_and_reduce_lr_in_fit_generator(tmp_path):
    x, y = _data()
    x_val, y_val = _data(n=16, seed=1)
    model = _model()
    path = str(tmp_path / 'weights.{epoch:02d}-{val_loss:.2f}.h5')
    callbacks = [callbacks_module.ReduceLROnPlateau(monitor='loss', patience=0, min_delta=10., factor=0.5),
                 callbacks_module.ModelCheckpoint(path, save_weights_only=True),
                 callbacks_module.EarlyStopping(monitor='loss', min_delta=10., patience=2)]
    history = model.fit_generator(_forever(_batches(x, y)), steps_per_epoch=STEPS, epochs=10, verbose=0,
                                  validation_data=ArraySequence(x_val, y_val), callbacks=callbacks)
    # EarlyStopping: epoch 0 improves on +inf, epochs 1 and 2 do not by 10 -> stops after epoch 2.
    assert history.epoch == [0, 1, 2]
    assert callbacks[2].stopped_epoch == 2
    # ReduceLROnPlateau writes the rate of each epoch into the shared epoch logs, then halves it from
    # epoch 1 on (patience 0, no improvement by 10); History, after it, records the written values.
    np.testing.assert_allclose(history.history['lr'], [0.5, 0.5, 0.25], rtol=1e-6)
    np.testing.assert_allclose(float(keras.backend.get_value(model.optimizer.lr)), 0.125, rtol=1e-6)
    expected = sorted('weights.%02d-%.2f.h5' % (epoch + 1, loss)
                      for epoch, loss in zip(history.epoch, history.history['val_loss']))
    assert sorted(os.listdir(str(tmp_path))) == expected
    restored = _model()
    restored.load_weights(str(tmp_path / expected[-1]))
    for a, b in zip(restored.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


# --------------------------------------------------------------------------------------------------
# Errors

def _failing_generator(x, y):
    yield x[:BATCH], y[:BATCH]
    yield x[BATCH:], y[BATCH:]
    raise KeyError('the generator broke')  # GENERATOR-FAILING-LINE


def _line_of(marker):
    with open(__file__) as handle:
        for number, line in enumerate(handle, 1):
            if marker in line and '_line_of' not in line:
                return number
    raise AssertionError(marker)


@pytest.mark.parametrize('workers', [0, 1, 2])
def test_generator_that_raises_reaches_the_caller_with_its_traceback(workers):
    threads_before = set(threading.enumerate())
    x, y = _data()
    model = _model()
    recorder = Recorder()
    _, error = call_with_timeout(lambda: model.fit_generator(
        _failing_generator(x, y), steps_per_epoch=STEPS, epochs=2, verbose=0, workers=workers,
        callbacks=[recorder]))
    assert isinstance(error, KeyError)
    text = ''.join(traceback.format_exception(type(error), error, error.__traceback__))
    assert 'line %d, in _failing_generator' % _line_of('GENERATOR-FAILING-LINE') in text
    assert [event[0] for event in recorder.events].count('batch_end') == 2
    # Keras 2.2 skipped on_train_end on an error; kernelkit runs it (after stopping the workers), last.
    assert recorder.events[-1] == ('train_end', None)
    assert_nothing_left(threads_before)


FAILING_RUN = textwrap.dedent('''
    import json, multiprocessing, threading, traceback
    import numpy as np
    import kernelkit as keras
    from kernelkit.layers import Dense
    from kernelkit.models import Sequential
    from kernelkit.utils.enqueuers import Sequence

    class Broken(Sequence):
        def __len__(self):
            return 4

        def __getitem__(self, index):
            if index == 3:
                raise ValueError('batch 3 is broken')  # RAISE-HERE
            return np.ones((2, 3), 'float32'), np.ones((2, 1), 'float32')

    def gen():
        yield np.ones((2, 3), 'float32'), np.ones((2, 1), 'float32')
        raise ValueError('the generator is broken')  # RAISE-HERE-TOO

    model = Sequential([Dense(1, input_shape=(3,))])
    model.compile('sgd', 'mse')
    results = []
    for data, kwargs in [(Broken(), dict(workers=2, use_multiprocessing=True)),
                         (Broken(), dict(workers=2)),
                         (gen(), dict(steps_per_epoch=3, workers=2, use_multiprocessing=True))]:
        try:
            model.fit_generator(data, epochs=3, verbose=0, **kwargs)
            results.append({'raised': None})
        except ValueError as error:
            results.append({'raised': str(error),
                            'traceback': ''.join(traceback.format_exception(type(error), error,
                                                                            error.__traceback__)),
                            'threads': [t.name for t in threading.enumerate()],
                            'children': len(multiprocessing.active_children())})
    print('RESULTS ' + json.dumps(results))
''')


def test_errors_in_worker_processes_hang_nothing_and_leave_no_workers_in_a_fresh_process():
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL='2')
    env['PYTHONPATH'] = os.pathsep.join(p for p in (REPO_ROOT, env.get('PYTHONPATH')) if p)
    proc = subprocess.run([sys.executable, '-c', FAILING_RUN], cwd=REPO_ROOT, env=env, capture_output=True,
                          text=True, timeout=240, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr[-4000:]
    line = [l for l in proc.stdout.splitlines() if l.startswith('RESULTS ')][-1]
    results = json.loads(line[len('RESULTS '):])
    source = FAILING_RUN.splitlines()
    raise_line = next(i for i, l in enumerate(source, 1) if 'RAISE-HERE' in l and 'TOO' not in l)
    raise_line_too = next(i for i, l in enumerate(source, 1) if 'RAISE-HERE-TOO' in l)
    assert [r['raised'] for r in results] == ['batch 3 is broken'] * 2 + ['the generator is broken']
    assert 'line %d, in __getitem__' % raise_line in results[0]['traceback']
    assert 'line %d, in __getitem__' % raise_line in results[1]['traceback']
    assert 'line %d, in gen' % raise_line_too in results[2]['traceback']
    for result in results:
        assert result['threads'] == ['MainThread']
        assert result['children'] == 0


@pytest.mark.parametrize('source, workers, use_multiprocessing', [
    ('sequence', 2, False), ('sequence', 2, True), ('generator', 2, False), ('generator', 1, True)])
def test_a_batch_the_model_rejects_stops_every_worker(source, workers, use_multiprocessing):
    threads_before = set(threading.enumerate())
    x, y = _data()
    wide = np.ones((N, 5), 'float32')  # the model expects 3 features
    data = ArraySequence(wide, y) if source == 'sequence' else _forever(_batches(wide, y))
    _, error = call_with_timeout(lambda: _model().fit_generator(
        data, steps_per_epoch=STEPS, epochs=2, verbose=0, workers=workers,
        use_multiprocessing=use_multiprocessing, max_queue_size=2))
    assert isinstance(error, ValueError) and 'to have shape (3,)' in str(error)
    assert_nothing_left(threads_before)


def test_argument_errors_name_what_was_expected():
    x, y = _data()
    model = _model()
    with pytest.raises(ValueError, match=r'`steps_per_epoch=None` is only valid for a generator based on '
                                         r'the `keras.utils.Sequence`'):
        model.fit_generator(_forever(_batches(x, y)))
    with pytest.raises(ValueError, match=r'`validation_steps=None` is only valid'):
        model.fit_generator(ArraySequence(x, y), validation_data=_forever(_batches(x, y)))
    with pytest.raises(ValueError, match=r'`steps=None` is only valid'):
        model.evaluate_generator(_forever(_batches(x, y)))
    with pytest.raises(ValueError, match=r'`steps=None` is only valid'):
        model.predict_generator(_forever(_batches(x)))
    with pytest.raises(ValueError, match=re.escape('Output of generator should be a tuple `(x, y, sample_weight)` '
                                                   'or `(x, y)`. Found: ')):
        model.fit_generator(_forever([x[:4]]), steps_per_epoch=1, verbose=0)
    with pytest.raises(TypeError, match='expects a generator, a `keras.utils.Sequence` or a `tf.data.Dataset`'):
        model.fit_generator([x, y], steps_per_epoch=1)
    with pytest.raises(ValueError, match='`validation_data` should be a tuple'):
        model.fit_generator(ArraySequence(x, y), validation_data=(x,), verbose=0)
    with pytest.raises(ValueError, match='`workers` must be a non-negative integer'):
        model.fit_generator(ArraySequence(x, y), workers=-1)
    with pytest.raises(ValueError, match='`y` must not be given to `fit`'):
        model.fit(ArraySequence(x, y), y)
    with pytest.raises(ValueError, match='`batch_size` must not be given to `evaluate`'):
        model.evaluate(ArraySequence(x, y), batch_size=4)
    with pytest.raises(ValueError, match='`validation_split` is not supported'):
        model.fit(ArraySequence(x, y), validation_split=0.2)
    with pytest.raises(TypeError, match='Unrecognized keyword arguments'):
        model.fit(x, y, workers=2)
    with pytest.raises(TypeError, match='Unrecognized keyword arguments'):
        model.predict(ArraySequence(x), bogus=1)
    with pytest.raises(ValueError, match='repeats forever'):
        model.fit(tf.data.Dataset.from_tensor_slices((x, y)).batch(4).repeat())


def test_a_generator_that_runs_out_stops_training_with_a_warning():
    x, y = _data()
    model = _model()
    finite = iter(_batches(x, y) + _batches(x, y)[:1])  # one epoch and one batch
    with pytest.warns(UserWarning, match='ran out of data'):
        history = model.fit_generator(finite, steps_per_epoch=STEPS, epochs=5, verbose=0)
    assert history.epoch == [0, 1]
