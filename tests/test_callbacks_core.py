"""Tests for Callback, CallbackList, BaseLogger, ProgbarLogger and History, driven like `fit` drives them."""
import warnings

import pytest

from kernelkit.callbacks import (BaseLogger, Callback, CallbackList, History, ProgbarLogger)
from kernelkit.callbacks import base as base_module
from kernelkit.engine.logs import Logs
from kernelkit.utils import progbar as progbar_module


class FakeModel(object):
    stop_training = False


class Recorder(Callback):
    """Records every hook it receives, with a copy of the logs it was given."""

    def __init__(self, name, events):
        super(Recorder, self).__init__()
        self.name, self.events = name, events

    def _record(self, hook, *args):
        *args, logs = args
        self.events.append((self.name, hook) + tuple(args) + (dict(logs),))
        self.events_logs = logs

    def on_train_begin(self, logs=None): self._record('train_begin', logs)
    def on_train_end(self, logs=None): self._record('train_end', logs)
    def on_epoch_begin(self, epoch, logs=None): self._record('epoch_begin', epoch, logs)
    def on_epoch_end(self, epoch, logs=None): self._record('epoch_end', epoch, logs)
    def on_batch_begin(self, batch, logs=None): self._record('batch_begin', batch, logs)
    def on_batch_end(self, batch, logs=None): self._record('batch_end', batch, logs)
    def on_test_begin(self, logs=None): self._record('test_begin', logs)
    def on_test_end(self, logs=None): self._record('test_end', logs)
    def on_predict_begin(self, logs=None): self._record('predict_begin', logs)
    def on_predict_end(self, logs=None): self._record('predict_end', logs)
    def on_test_batch_begin(self, batch, logs=None): self._record('test_batch_begin', batch, logs)
    def on_test_batch_end(self, batch, logs=None): self._record('test_batch_end', batch, logs)
    def on_predict_batch_begin(self, batch, logs=None): self._record('predict_batch_begin', batch, logs)
    def on_predict_batch_end(self, batch, logs=None): self._record('predict_batch_end', batch, logs)


def run_fit(callbacks, batches, epochs=1, val_logs=None, metrics=('loss', 'acc'), verbose=1,
            model=None):
    """Drives `callbacks` the way the engine's fit does. `batches` is a list of (size, {name: value})."""
    model = model or FakeModel()
    samples = sum(size for size, _ in batches)
    params = {'batch_size': batches[0][0], 'epochs': epochs, 'steps': None, 'samples': samples,
              'verbose': verbose, 'do_validation': bool(val_logs),
              'metrics': list(metrics) + (['val_' + m for m in metrics] if val_logs else [])}
    callback_list = CallbackList(callbacks)
    callback_list.set_model(model)
    callback_list.set_params(params)
    callback_list.on_train_begin()
    model.stop_training = False
    for epoch in range(epochs):
        callback_list.on_epoch_begin(epoch)
        epoch_logs = Logs()
        for index, (size, values) in enumerate(batches):
            batch_logs = Logs(batch=index, size=size)
            callback_list.on_batch_begin(index, batch_logs)
            batch_logs.update(values)
            callback_list.on_batch_end(index, batch_logs)
            if model.stop_training:
                break
        else:
            epoch_logs.update(val_logs or {})
        callback_list.on_epoch_end(epoch, epoch_logs)
        if model.stop_training:
            break
    callback_list.on_train_end()
    return callback_list


def test_hooks_are_forwarded_in_list_order_with_one_shared_logs_object():
    events = []
    first, second = Recorder('a', events), Recorder('b', events)
    run_fit([first, second], [(2, {'loss': 1.0})], val_logs={'val_loss': 2.0}, metrics=['loss'])
    assert [event[:3] for event in events] == [
        ('a', 'train_begin', {}), ('b', 'train_begin', {}),
        ('a', 'epoch_begin', 0), ('b', 'epoch_begin', 0),
        ('a', 'batch_begin', 0), ('b', 'batch_begin', 0),
        ('a', 'batch_end', 0), ('b', 'batch_end', 0),
        ('a', 'epoch_end', 0), ('b', 'epoch_end', 0),
        ('a', 'train_end', {}), ('b', 'train_end', {})]
    assert events[6][3] == {'batch': 0, 'size': 2, 'loss': 1.0}
    assert events[8][3] == {'val_loss': 2.0}


def test_none_logs_become_one_shared_empty_logs_and_extra_hooks_are_forwarded():
    events = []
    first, second = Recorder('a', events), Recorder('b', events)
    callback_list = CallbackList([first])
    callback_list.append(second)
    assert list(callback_list) == [first, second] and len(callback_list) == 2
    calls = [('on_test_begin', ()), ('on_test_batch_begin', (3,)), ('on_test_batch_end', (3,)),
             ('on_test_end', ()), ('on_predict_begin', ()), ('on_predict_batch_begin', (4,)),
             ('on_predict_batch_end', (4,)), ('on_predict_end', ()), ('on_train_batch_begin', (5,)),
             ('on_train_batch_end', (5,))]
    for hook, args in calls:
        getattr(callback_list, hook)(*args)
        assert type(first.events_logs) is Logs and first.events_logs is second.events_logs
    names = [hook[3:].replace('train_batch', 'batch') for hook, _ in calls]
    assert [event[1] for event in events] == [name for name in names for _ in 'ab']
    assert events[2] == ('a', 'test_batch_begin', 3, {})


def test_train_batch_hooks_and_keras_2_batch_hooks_reach_either_override():
    seen = []

    class NewStyle(Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(('new', batch, logs['loss']))

    class OldStyle(Callback):
        def on_batch_end(self, batch, logs=None):
            seen.append(('old', batch, logs['loss']))

    callback_list = CallbackList([NewStyle(), OldStyle()])
    callback_list.on_batch_end(0, {'loss': 1.0})
    callback_list.on_train_batch_end(1, {'loss': 2.0})
    assert seen == [('new', 0, 1.0), ('old', 0, 1.0), ('new', 1, 2.0), ('old', 1, 2.0)]


def test_callback_defaults_set_model_set_params_and_stop_training():
    class NoSuper(Callback):
        def __init__(self):  # user code often forgets super().__init__()
            self.count = 0

        def on_batch_end(self, batch, logs=None):
            self.count += 1
            if self.count == 2:
                self.model.stop_training = True

    plain = Callback()
    assert plain.model is None and plain.validation_data is None and plain.params == {}
    assert plain.on_epoch_end(0) is None and plain.on_train_batch_begin(0) is None
    stopper = NoSuper()
    assert stopper.model is None and stopper.validation_data is None
    model = FakeModel()
    history = History()
    run_fit([stopper, history], [(1, {'loss': 1.0})] * 5, epochs=3, model=model, metrics=['loss'])
    assert stopper.model is model and model.stop_training is True
    assert stopper.params['samples'] == 5 and stopper.count == 2
    assert history.epoch == [0]  # the epoch still ends, then training stops


def test_callback_list_rejects_bad_input():
    with pytest.raises(TypeError, match='Callback'):
        CallbackList([object()])
    with pytest.raises(TypeError, match='Callback'):
        CallbackList().append(lambda logs: None)
    with pytest.raises(ValueError, match='queue_length'):
        CallbackList(queue_length=0)


def test_base_logger_writes_size_weighted_averages_in_place_before_later_callbacks():
    logger, history = BaseLogger(stateful_metrics=['auc']), History()
    batches = [(32, {'loss': 1.0, 'acc': 0.5, 'auc': 0.1, 'extra': 9.0}),
               (32, {'loss': 0.5, 'acc': 0.75, 'auc': 0.2, 'extra': 9.0}),
               (36, {'loss': 0.25, 'acc': 1.0, 'auc': 0.3, 'extra': 9.0})]
    run_fit([logger, history], batches, epochs=2, val_logs={'val_loss': 0.9, 'val_acc': 0.4},
            metrics=['loss', 'acc', 'auc'], verbose=0)
    loss = (32 * 1.0 + 32 * 0.5 + 36 * 0.25) / 100
    acc = (32 * 0.5 + 32 * 0.75 + 36 * 1.0) / 100
    # Per-epoch totals are reset, so the second epoch has the same averages; 'extra' is not in metrics.
    assert dict(history.history) == {'val_loss': [0.9, 0.9], 'val_acc': [0.4, 0.4],
                                     'loss': [pytest.approx(loss)] * 2, 'acc': [pytest.approx(acc)] * 2,
                                     'auc': [0.3, 0.3]}
    assert logger.seen == 100


def test_history_records_every_epoch_key_and_resolves_aliases():
    history = History()
    history.set_params({'metrics': ['loss', 'accuracy']})
    history.on_train_begin()
    history.on_epoch_end(0, Logs(loss=1.0, val_accuracy=0.5, lr=0.01))
    history.on_epoch_end(1, Logs(loss=0.5, val_accuracy=0.75, lr=0.01))
    assert history.epoch == [0, 1]
    assert type(history.history) is Logs
    assert dict(history.history) == {'loss': [1.0, 0.5], 'val_accuracy': [0.5, 0.75], 'lr': [0.01, 0.01]}
    assert history.history['val_acc'] == [0.5, 0.75]
    history.on_train_begin()  # a new fit starts a new record
    assert history.epoch == [] and dict(history.history) == {}


@pytest.fixture
def frozen_progbar_clock(monkeypatch):
    class Clock(object):
        now = 100.0

        def time(self):
            return self.now

    clock = Clock()
    monkeypatch.setattr(progbar_module, 'time', clock)
    monkeypatch.setattr(progbar_module, '_dynamic_display_supported', lambda: False)
    return clock


TWO_BATCHES = [(60, {'loss': 0.8, 'acc': 0.5, 'not_a_metric': 3.0}),
               (40, {'loss': 0.4, 'acc': 1.0, 'not_a_metric': 3.0})]


def test_progbar_logger_verbose_2_prints_epoch_lines_with_only_listed_metrics(frozen_progbar_clock, capsys):
    run_fit([BaseLogger(), ProgbarLogger(), History()], TWO_BATCHES, epochs=2,
            val_logs={'val_loss': 0.7, 'val_acc': 0.0001, 'lr': 0.01}, verbose=2)
    line = ' - 0s - loss: 0.6400 - acc: 0.7000 - val_loss: 0.7000 - val_acc: 1.0000e-04\n'
    assert capsys.readouterr().out == 'Epoch 1/2\n' + line + 'Epoch 2/2\n' + line


def test_progbar_logger_verbose_1_prints_a_live_bar(frozen_progbar_clock, capsys):
    class Tick(Callback):
        def on_batch_begin(self, batch, logs=None):
            frozen_progbar_clock.now += 0.5

    run_fit([BaseLogger(), Tick(), ProgbarLogger(), History()], TWO_BATCHES,
            val_logs={'val_loss': 0.7, 'val_acc': 0.25}, verbose=1)
    assert capsys.readouterr().out == (
        'Epoch 1/1\n'
        '\n 60/100 [=================>............] - ETA: 0s - loss: 0.8000 - acc: 0.5000'
        '\n100/100 [==============================] - 1s 10ms/step - loss: 0.6400 - acc: 0.7000'
        ' - val_loss: 0.7000 - val_acc: 0.2500\n')


def test_progbar_logger_steps_mode_counts_batches(frozen_progbar_clock, capsys):
    callback_list = CallbackList([ProgbarLogger(count_mode='steps')])
    callback_list.set_params({'epochs': 1, 'steps': 2, 'samples': None, 'verbose': 2,
                              'metrics': ['loss']})
    callback_list.on_train_begin()
    callback_list.on_epoch_begin(0)
    for index, loss in enumerate([1.0, 3.0]):
        callback_list.on_batch_begin(index, Logs(batch=index, size=1))
        callback_list.on_batch_end(index, Logs(batch=index, size=1, loss=loss))
    callback_list.on_epoch_end(0, Logs(loss=2.0))
    assert capsys.readouterr().out == 'Epoch 1/1\n - 0s - loss: 2.0000\n'


def test_progbar_logger_rejects_unknown_count_mode():
    with pytest.raises(ValueError, match='count_mode'):
        ProgbarLogger(count_mode='batches')
    with pytest.raises(TypeError, match='stateful_metrics'):
        BaseLogger(stateful_metrics='auc')


class FakeTime(object):
    def __init__(self):
        self.now = 0.0

    def perf_counter(self):
        return self.now


def drive_timed_batches(monkeypatch, begin_cost, end_cost, batch_cost, count=12):
    clock = FakeTime()
    monkeypatch.setattr(base_module, 'time', clock)

    class Slow(Callback):
        def on_batch_begin(self, batch, logs=None):
            clock.now += begin_cost

        def on_batch_end(self, batch, logs=None):
            clock.now += end_cost

    callback_list = CallbackList([Slow()])
    callback_list.on_epoch_begin(0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        for index in range(count):
            callback_list.on_batch_begin(index)
            clock.now += batch_cost
            callback_list.on_batch_end(index)
    return [str(warning.message) for warning in caught]


def test_slow_batch_end_callback_warns(monkeypatch):
    messages = drive_timed_batches(monkeypatch, begin_cost=0.0, end_cost=0.5, batch_cost=0.2)
    assert messages
    assert all(m == 'Method on_batch_end() is slow compared to the batch update (0.500000). '
                    'Check your callbacks.' for m in messages)


def test_slow_batch_begin_callback_warns(monkeypatch):
    messages = drive_timed_batches(monkeypatch, begin_cost=0.3, end_cost=0.0, batch_cost=0.2)
    assert messages and all(m.startswith('Method on_batch_begin() is slow') for m in messages)


@pytest.mark.parametrize('costs', [(0.0, 0.05, 0.01), (0.0, 0.5, 1.0)],
                         ids=['under_0.1s', 'faster_than_batch'])
def test_fast_callbacks_do_not_warn(monkeypatch, costs):
    assert drive_timed_batches(monkeypatch, *costs) == []
