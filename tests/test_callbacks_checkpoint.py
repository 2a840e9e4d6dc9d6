"""ModelCheckpoint, against Keras 2.2.4 semantics: file names from templates (1-based epoch), which files exist
with save_best_only / period, their content, messages, modes and warnings, and that a save killed half-way
leaves the previous checkpoint intact."""
import os
import subprocess
import sys
import textwrap

import h5py
import numpy as np
import pytest

from kernelkit.callbacks import LambdaCallback, ModelCheckpoint
from kernelkit.layers import Dense
from kernelkit.models import Sequential, load_model
from kernelkit.optimizers import SGD

RNG = np.random.RandomState(0)
X = RNG.rand(16, 3).astype('float32')
Y = X.dot(np.array([[1.], [-2.], [0.5]], 'float32')) + 0.3
LABELS = (Y > Y.mean()).astype('float32')


def make_model(metrics=None):
    model = Sequential([Dense(4, input_shape=(3,), activation='tanh'), Dense(1)])
    model.compile(SGD(lr=0.1), 'mse', metrics=metrics)
    return model


def scripted(values, key='score'):
    """Logs `values[epoch]` under `key` at each epoch end (placed before the callback under test)."""
    return LambdaCallback(on_epoch_end=lambda epoch, logs: logs.__setitem__(key, values[epoch]))


def fit_recording(callbacks, epochs, model=None, **kwargs):
    """Fits with `callbacks`; returns the model, the history and the weights at the end of each epoch."""
    model = model or make_model()
    snapshots = []
    recorder = LambdaCallback(on_epoch_end=lambda epoch, logs: snapshots.append(model.get_weights()))
    history = model.fit(X, Y, batch_size=8, epochs=epochs, verbose=0, callbacks=[recorder] + callbacks, **kwargs)
    return model, history, snapshots


def assert_weights_equal(actual, expected):
    assert len(actual) == len(expected)
    for a, b in zip(actual, expected):
        np.testing.assert_array_equal(a, b)


def test_template_uses_one_based_epoch_and_logs(tmp_path):
    template = str(tmp_path / 'weights.{epoch:02d}-{val_loss:.2f}.h5')
    _, history, snapshots = fit_recording([ModelCheckpoint(template)], epochs=3, validation_split=0.25)
    expected = ['weights.%02d-%.2f.h5' % (e + 1, history.history['val_loss'][e]) for e in range(3)]
    assert sorted(os.listdir(tmp_path)) == sorted(expected)  # nothing else: no temporary file left behind
    for epoch, name in enumerate(expected):
        loaded = load_model(str(tmp_path / name))
        assert_weights_equal(loaded.get_weights(), snapshots[epoch])
        assert loaded.optimizer is not None  # the whole model: architecture, weights and optimizer


def test_same_path_is_overwritten_every_epoch(tmp_path, capsys):
    path = str(tmp_path / 'model.h5')
    _, _, snapshots = fit_recording([ModelCheckpoint(path, verbose=1)], epochs=2)
    assert os.listdir(tmp_path) == ['model.h5']
    assert_weights_equal(load_model(path).get_weights(), snapshots[-1])
    assert capsys.readouterr().out == ('\nEpoch 00001: saving model to %s\n\nEpoch 00002: saving model to %s\n'
                                       % (path, path))


def test_save_weights_only(tmp_path):
    path = str(tmp_path / 'w.{epoch}.h5')
    _, _, snapshots = fit_recording([ModelCheckpoint(path, save_weights_only=True)], epochs=2)
    assert sorted(os.listdir(tmp_path)) == ['w.1.h5', 'w.2.h5']
    for epoch in range(2):
        with h5py.File(str(tmp_path / ('w.%d.h5' % (epoch + 1))), 'r') as f:
            assert 'model_config' not in f.attrs and 'layer_names' in f.attrs
        fresh = make_model()
        fresh.load_weights(str(tmp_path / ('w.%d.h5' % (epoch + 1))))
        assert_weights_equal(fresh.get_weights(), snapshots[epoch])


def test_save_best_only_min_and_messages(tmp_path, capsys):
    template = str(tmp_path / 'best.{epoch:02d}.h5')
    checkpoint = ModelCheckpoint(template, monitor='score', save_best_only=True, verbose=1)
    _, _, snapshots = fit_recording([scripted([1.0, 0.8, 0.9, 0.7, 0.7]), checkpoint], epochs=5)
    assert sorted(os.listdir(tmp_path)) == ['best.01.h5', 'best.02.h5', 'best.04.h5']
    for epoch in (0, 1, 3):
        assert_weights_equal(load_model(template.format(epoch=epoch + 1)).get_weights(), snapshots[epoch])
    assert checkpoint.best == 0.7
    p = template.format
    assert capsys.readouterr().out == (
        '\nEpoch 00001: score improved from inf to 1.00000, saving model to %s\n' % p(epoch=1)
        + '\nEpoch 00002: score improved from 1.00000 to 0.80000, saving model to %s\n' % p(epoch=2)
        + '\nEpoch 00003: score did not improve from 0.80000\n'
        + '\nEpoch 00004: score improved from 0.80000 to 0.70000, saving model to %s\n' % p(epoch=4)
        + '\nEpoch 00005: score did not improve from 0.70000\n')  # equal is not an improvement


def test_save_best_only_keeps_the_best_model_in_one_file(tmp_path):
    path = str(tmp_path / 'best.h5')
    checkpoint = ModelCheckpoint(path, monitor='val_acc', save_best_only=True)
    model = make_model(metrics=['accuracy'])
    _, history, snapshots = fit_recording([scripted([0.5, 0.75, 0.6], key='val_accuracy'), checkpoint],
                                          epochs=3, model=model)
    assert checkpoint.monitor_op is np.greater  # auto mode: 'acc' in the name means max
    assert_weights_equal(load_model(path).get_weights(), snapshots[1])


@pytest.mark.parametrize('mode, saved', [('min', ['c1.h5', 'c3.h5']), ('max', ['c1.h5', 'c2.h5', 'c4.h5']),
                                         ('auto', ['c1.h5', 'c3.h5'])])
def test_modes(tmp_path, mode, saved):
    checkpoint = ModelCheckpoint(str(tmp_path / 'c{epoch}.h5'), monitor='score', save_best_only=True, mode=mode)
    fit_recording([scripted([0.5, 0.6, 0.4, 0.7]), checkpoint], epochs=4)
    assert sorted(os.listdir(tmp_path)) == saved


def test_unknown_mode_warns(tmp_path):
    with pytest.warns(RuntimeWarning, match='ModelCheckpoint mode bigger is unknown, fallback to auto mode.'):
        checkpoint = ModelCheckpoint(str(tmp_path / 'c.h5'), monitor='acc', mode='bigger')
    assert checkpoint.monitor_op is np.greater and checkpoint.best == -np.inf


@pytest.mark.parametrize('best_only, saved', [(False, ['p2.h5', 'p4.h5']), (True, ['p2.h5'])])
def test_period(tmp_path, best_only, saved):
    checkpoint = ModelCheckpoint(str(tmp_path / 'p{epoch}.h5'), monitor='score', period=2,
                                 save_best_only=best_only)
    # With save_best_only only the epochs at the period are compared: 2 (0.5, best so far) and 4 (0.8, worse);
    # the 0.1 of epoch 1 is never looked at.
    fit_recording([scripted([0.1, 0.5, 0.2, 0.8, 0.3]), checkpoint], epochs=5)
    assert sorted(os.listdir(tmp_path)) == saved


def test_period_counter_carries_over_between_fits(tmp_path):
    checkpoint = ModelCheckpoint(str(tmp_path / 'p{epoch}.h5'), period=2)
    model, _, _ = fit_recording([checkpoint], epochs=1)
    fit_recording([checkpoint], epochs=3, model=model, initial_epoch=1)
    assert sorted(os.listdir(tmp_path)) == ['p2.h5']


def test_missing_monitor_warns_and_skips(tmp_path):
    checkpoint = ModelCheckpoint(str(tmp_path / 'm.h5'), save_best_only=True)
    with pytest.warns(RuntimeWarning, match='Can save best model only with val_loss available, skipping.'):
        fit_recording([checkpoint], epochs=1)
    assert os.listdir(tmp_path) == []


def test_old_metric_names_in_template(tmp_path):
    model = make_model(metrics=['accuracy'])
    template = str(tmp_path / 'a-{epoch:03d}-{val_acc:.3f}-{acc:.1f}.h5')
    _, history, _ = fit_recording([ModelCheckpoint(template)], epochs=1, model=model,
                                  validation_data=(X, LABELS))
    assert os.listdir(tmp_path) == ['a-001-%.3f-%.1f.h5' % (history.history['val_accuracy'][0],
                                                            history.history['accuracy'][0])]


def test_missing_template_key_raises(tmp_path):
    with pytest.raises(KeyError, match='val_loss'):
        fit_recording([ModelCheckpoint(str(tmp_path / '{val_loss:.2f}.h5'))], epochs=1)


KILLED_DURING_SAVE = textwrap.dedent('''
    import os, signal, sys
    import numpy as np
    from kernelkit.callbacks import LambdaCallback, ModelCheckpoint
    from kernelkit.engine.saving import hdf5_format
    from kernelkit.layers import Dense
    from kernelkit.models import Sequential
    from kernelkit.optimizers import SGD

    path = sys.argv[1]
    x = np.random.RandomState(0).rand(16, 3).astype('float32')
    y = x.sum(axis=1, keepdims=True)
    model = Sequential([Dense(8, input_shape=(3,), activation='tanh'), Dense(1)])
    model.compile(SGD(lr=0.1), 'mse')
    writes = []
    original = hdf5_format.save_weights_to_group

    def dying(group, layers):
        writes.append(path)
        if len(writes) == 2:                      # the second checkpoint (end of epoch 2):
            original(group, layers[:1])           # half of the weights are written...
            group.file.flush()
            os.kill(os.getpid(), signal.SIGKILL)  # ...and the process dies
        original(group, layers)

    hdf5_format.save_weights_to_group = dying
    record = LambdaCallback(on_epoch_end=lambda epoch, logs: np.save('%s.epoch%d.npy' % (path, epoch),
                                                                     model.predict(x)))
    model.fit(x, y, epochs=3, batch_size=8, verbose=0, callbacks=[record, ModelCheckpoint(path)])
''')


def test_checkpoint_survives_a_kill_during_save(tmp_path):
    path = str(tmp_path / 'checkpoint.h5')
    result = subprocess.run([sys.executable, '-c', KILLED_DURING_SAVE, path], capture_output=True, timeout=300)
    assert result.returncode == -9, result.stderr.decode()[-2000:]
    first, second = np.load(path + '.epoch0.npy'), np.load(path + '.epoch1.npy')
    assert not np.allclose(first, second)  # the interrupted save held different weights
    assert not os.path.exists(path + '.epoch2.npy')  # the process really died in the second save
    x = np.random.RandomState(0).rand(16, 3).astype('float32')
    np.testing.assert_allclose(load_model(path).predict(x), first, atol=1e-6)
