"""EarlyStopping, against Keras 2.2.4 semantics: when training stops (patience, baseline, min_delta, modes),
messages, warnings, and restore_best_weights. Models are tiny Dense models trained by `fit`; where a test needs
an exact sequence of monitored values, a callback placed before EarlyStopping logs a scripted `score`."""
import numpy as np
import pytest

from kernelkit.callbacks import EarlyStopping, LambdaCallback
from kernelkit.layers import Dense
from kernelkit.models import Sequential
from kernelkit.optimizers import SGD

RNG = np.random.RandomState(0)
X = RNG.rand(16, 3).astype('float32')
Y = X.dot(np.array([[1.], [-2.], [0.5]], 'float32')) + 0.3
LABELS = (Y > Y.mean()).astype('float32')


def make_model(lr=0.1, metrics=None):
    model = Sequential([Dense(1, input_shape=(3,))])
    model.compile(SGD(lr=lr), 'mse', metrics=metrics)
    return model


def scripted(values, key='score'):
    """Logs `values[epoch]` under `key` at each epoch end (placed before the callback under test)."""
    return LambdaCallback(on_epoch_end=lambda epoch, logs: logs.__setitem__(key, values[epoch]))


def fit(callbacks, epochs=10, model=None, **kwargs):
    model = model or make_model()
    history = model.fit(X, Y, batch_size=16, epochs=epochs, verbose=0, shuffle=False, callbacks=callbacks,
                        **kwargs)
    return model, history


SCORES = [1.0, 0.8, 0.9, 0.85, 0.7, 0.75, 0.76, 0.77, 0.78, 0.79]


@pytest.mark.parametrize('patience, last_epoch', [(0, 2), (1, 2), (2, 3), (3, 7)])
def test_stops_when_wait_reaches_patience(patience, last_epoch):
    # Keras 2.2.4: wait is incremented first, then `wait >= patience` stops; so patience 0 and 1 both stop
    # at the first epoch that does not improve.
    stopper = EarlyStopping(monitor='score', patience=patience)
    _, history = fit([scripted(SCORES), stopper])
    assert history.epoch == list(range(last_epoch + 1))
    assert stopper.stopped_epoch == last_epoch
    assert stopper.best == min(SCORES[:last_epoch + 1])


def test_never_stops_while_improving_real_loss():
    stopper = EarlyStopping(monitor='loss', patience=0)
    _, history = fit([stopper], epochs=4)
    assert len(history.epoch) == 4
    assert all(b < a for a, b in zip(history.history['loss'], history.history['loss'][1:]))
    assert stopper.stopped_epoch == 0 and stopper.wait == 0


def test_stops_on_a_flat_real_loss():
    # lr=0: the loss repeats exactly, which is not an improvement (strict comparison).
    stopper = EarlyStopping(monitor='loss', patience=0)
    _, history = fit([stopper], epochs=5, model=make_model(lr=0.))
    assert history.epoch == [0, 1]
    assert history.history['loss'][0] == history.history['loss'][1]


def test_val_loss_is_the_default_monitor():
    stopper = EarlyStopping(patience=1)
    _, history = fit([stopper], epochs=5, model=make_model(lr=0.), validation_split=0.25)
    assert history.epoch == [0, 1]
    assert stopper.monitor == 'val_loss'


def test_baseline_never_reached_and_message(capsys):
    stopper = EarlyStopping(monitor='score', patience=2, baseline=0.5, verbose=1)
    _, history = fit([scripted(SCORES), stopper])
    assert history.epoch == [0, 1]
    assert stopper.best == 0.5
    assert capsys.readouterr().out.endswith('Epoch 00002: early stopping\n')


def test_baseline_beaten_then_plateau():
    stopper = EarlyStopping(monitor='score', patience=2, baseline=0.85)
    _, history = fit([scripted(SCORES), stopper])
    # e0 1.0 (wait 1), e1 0.8 beats 0.85 (wait 0), e2 0.9 (wait 1), e3 0.85 (wait 2): stop.
    assert history.epoch == [0, 1, 2, 3]


def test_no_message_when_stopped_at_epoch_0(capsys):
    # Keras 2.2.4 only prints when stopped_epoch > 0.
    stopper = EarlyStopping(monitor='score', patience=0, baseline=0.5, verbose=1)
    _, history = fit([scripted(SCORES), stopper])
    assert history.epoch == [0]
    assert stopper.stopped_epoch == 0
    assert 'early stopping' not in capsys.readouterr().out


@pytest.mark.parametrize('min_delta, epochs_run', [(0.04, 2), (0.06, 1), (-0.06, 1)])
def test_min_delta_when_minimizing(min_delta, epochs_run):
    # 1.0 -> 0.95 improves by 0.05: an improvement for min_delta 0.04, not for 0.06 (its sign is ignored).
    stopper = EarlyStopping(monitor='score', patience=0, min_delta=min_delta)
    _, history = fit([scripted([1.0, 0.95, 0.95]), stopper], epochs=3)
    assert len(history.epoch) == epochs_run + 1
    assert stopper.min_delta == -abs(min_delta)


def test_min_delta_when_maximizing_accuracy():
    stopper = EarlyStopping(monitor='val_acc', patience=0, min_delta=0.02)
    assert stopper.monitor_op is np.greater and stopper.min_delta == 0.02
    # 0.5 -> 0.55 improves (0.53 > 0.5), 0.55 -> 0.56 does not (0.54 > 0.55 is false).
    _, history = fit([scripted([0.5, 0.55, 0.56, 0.9], key='val_accuracy'), stopper], epochs=4)
    assert history.epoch == [0, 1, 2]


@pytest.mark.parametrize('mode, monitor, op', [
    ('auto', 'loss', np.less), ('auto', 'val_loss', np.less), ('auto', 'acc', np.greater),
    ('auto', 'val_acc', np.greater), ('auto', 'val_accuracy', np.greater), ('auto', 'fmeasure', np.greater),
    ('min', 'acc', np.less), ('max', 'loss', np.greater)])
def test_modes(mode, monitor, op):
    stopper = EarlyStopping(monitor=monitor, mode=mode)
    assert stopper.monitor_op is op
    stopper.on_train_begin()
    assert stopper.best == (np.inf if op is np.less else -np.inf)


def test_max_mode_on_a_decreasing_loss_stops_at_once():
    stopper = EarlyStopping(monitor='loss', mode='max', patience=0)
    _, history = fit([stopper], epochs=5)
    assert history.epoch == [0, 1]


def test_unknown_mode_warns_and_falls_back_to_auto():
    with pytest.warns(RuntimeWarning, match='EarlyStopping mode sideways is unknown, fallback to auto mode.'):
        stopper = EarlyStopping(monitor='val_acc', mode='sideways')
    assert stopper.mode == 'auto' and stopper.monitor_op is np.greater


def test_missing_monitor_warns_and_training_goes_on():
    stopper = EarlyStopping(monitor='val_loss', patience=0)
    with pytest.warns(RuntimeWarning, match=r'Early stopping conditioned on metric `val_loss` which is not '
                                            r'available\. Available metrics are: loss'):
        _, history = fit([stopper], epochs=3, model=make_model(lr=0.))
    assert len(history.epoch) == 3


def test_old_metric_names_are_found():
    model = make_model(metrics=['accuracy'])
    stopper = EarlyStopping(monitor='val_acc', patience=5)
    _, history = fit([stopper], epochs=2, model=model, validation_data=(X, LABELS))
    assert 'val_accuracy' in history.history and stopper.best == max(history.history['val_accuracy'])


@pytest.mark.parametrize('restore', [True, False])
def test_restore_best_weights(restore, capsys):
    snapshots = []
    recorder = LambdaCallback(on_epoch_end=lambda epoch, logs: snapshots.append(model.get_weights()))
    stopper = EarlyStopping(monitor='score', patience=3, restore_best_weights=restore, verbose=1)
    model = make_model()
    _, history = fit([recorder, scripted([1.0, 0.5, 0.7, 0.8, 0.9, 0.95]), stopper], epochs=6, model=model)
    assert history.epoch == [0, 1, 2, 3, 4]
    expected = snapshots[1] if restore else snapshots[4]
    assert not np.array_equal(snapshots[1][0], snapshots[4][0])
    for got, want in zip(model.get_weights(), expected):
        np.testing.assert_array_equal(got, want)
    out = capsys.readouterr().out
    assert ('Restoring model weights from the end of the best epoch\n' in out) == restore
    assert out.endswith('Epoch 00005: early stopping\n')


def test_restore_without_any_improvement_keeps_the_last_weights():
    # Keras 2.2.4 would call set_weights(None) here; the weights of the last epoch are kept instead.
    stopper = EarlyStopping(monitor='score', patience=1, baseline=0.1, restore_best_weights=True)
    model, history = fit([scripted(SCORES), stopper], epochs=3)
    assert history.epoch == [0]


def test_state_is_reset_at_train_begin():
    stopper = EarlyStopping(monitor='score', patience=0)
    model, history = fit([scripted(SCORES), stopper])
    assert history.epoch == [0, 1, 2] and stopper.wait == 1
    _, history = fit([scripted(SCORES), stopper], model=model)
    assert history.epoch == [0, 1, 2] and stopper.best == 0.8
