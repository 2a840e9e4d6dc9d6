"""LearningRateScheduler and ReduceLROnPlateau, against Keras 2.2.4 semantics: the rate set at each epoch,
`logs['lr']`, messages and warnings, and that the compiled training step really uses the new rate (with
full-batch SGD on a linear model, each epoch is one step `w <- w - lr * grad`, checked in numpy)."""
import numpy as np
import pytest

from kernelkit import backend as K
from kernelkit.callbacks import LambdaCallback, LearningRateScheduler, ReduceLROnPlateau
from kernelkit.layers import Dense
from kernelkit.models import Sequential
from kernelkit.optimizers import SGD

RNG = np.random.RandomState(0)
X = RNG.rand(16, 3).astype('float32')
Y = X.dot(np.array([[1.], [-2.], [0.5]], 'float32')) + 0.3


def make_model(lr=0.1, metrics=None):
    model = Sequential([Dense(1, input_shape=(3,))])
    model.compile(SGD(lr=lr), 'mse', metrics=metrics)
    return model


def scripted(values, key='score'):
    """Logs `values[epoch]` under `key` at each epoch end (placed before the callback under test)."""
    return LambdaCallback(on_epoch_end=lambda epoch, logs: logs.__setitem__(key, values[epoch]))


def fit(callbacks, epochs, model=None, **kwargs):
    """Full-batch fit (one SGD step per epoch); returns the model, the history and the weights before each
    epoch and after the last one."""
    model = model or make_model()
    weights = [model.get_weights()]
    recorder = LambdaCallback(on_epoch_end=lambda epoch, logs: weights.append(model.get_weights()))
    history = model.fit(X, Y, batch_size=16, epochs=epochs, verbose=0, shuffle=False,
                        callbacks=callbacks + [recorder], **kwargs)
    return model, history, weights


def sgd_step(weights, lr):
    """One SGD step on the mean squared error of the linear model, in float64."""
    kernel, bias = [w.astype('float64') for w in weights]
    residual = X.astype('float64').dot(kernel) + bias - Y
    grad_kernel = 2. * X.T.dot(residual) / len(X)
    grad_bias = 2. * residual.sum(axis=0) / len(X)
    return [kernel - lr * grad_kernel, bias - lr * grad_bias]


def assert_steps_used(weights, rates):
    """Checks that epoch e moved the weights by exactly one SGD step with rate rates[e]."""
    for epoch, lr in enumerate(rates):
        expected = sgd_step(weights[epoch], float(np.float32(lr)))
        for got, want in zip(weights[epoch + 1], expected):
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)


# --- LearningRateScheduler -----------------------------------------------------------------------------

def test_scheduler_with_epoch_and_lr():
    seen = []

    def schedule(epoch, lr):
        seen.append((epoch, lr))
        return 0.2 if epoch == 0 else lr * 0.5

    _, history, weights = fit([LearningRateScheduler(schedule)], epochs=3)
    assert [e for e, _ in seen] == [0, 1, 2]
    assert seen[0][1] == pytest.approx(0.1) and isinstance(seen[0][1], float)
    np.testing.assert_allclose(history.history['lr'], [0.2, 0.1, 0.05], rtol=1e-6)
    assert all(isinstance(v, np.float32) for v in history.history['lr'])
    assert_steps_used(weights, [0.2, 0.1, 0.05])


def test_scheduler_with_epoch_only_and_zero_rate():
    rates = [0.3, 0.0, 0.05]
    model, history, weights = fit([LearningRateScheduler(lambda epoch: rates[epoch])], epochs=3)
    assert_steps_used(weights, rates)
    assert_steps_used(weights[1:], [0.0])  # a rate of 0 leaves the weights unchanged
    for a, b in zip(weights[1], weights[2]):
        np.testing.assert_array_equal(a, b)
    assert float(model.optimizer.lr) == pytest.approx(0.05)


def test_scheduler_epoch_is_zero_based_and_follows_initial_epoch(capsys):
    seen = []
    scheduler = LearningRateScheduler(lambda epoch: seen.append(epoch) or 0.01 * (epoch + 1), verbose=1)
    fit([scheduler], epochs=4, initial_epoch=2)
    assert seen == [2, 3]
    assert capsys.readouterr().out == ('\nEpoch 00003: LearningRateScheduler setting learning rate to 0.03.\n'
                                       '\nEpoch 00004: LearningRateScheduler setting learning rate to 0.04.\n')


@pytest.mark.parametrize('value', [np.float32(0.02), np.float64(0.02), 0.02])
def test_scheduler_accepts_floats(value):
    model, _, _ = fit([LearningRateScheduler(lambda epoch, lr: value)], epochs=1)
    assert float(K.get_value(model.optimizer.lr)) == pytest.approx(0.02)


@pytest.mark.parametrize('value', [1, '0.1', None, np.array([0.1])])
def test_scheduler_rejects_non_floats(value):
    with pytest.raises(ValueError, match='The output of the "schedule" function should be float.'):
        fit([LearningRateScheduler(lambda epoch, lr: value)], epochs=1)


def test_scheduler_needs_an_lr_attribute():
    class Model(object):
        optimizer = object()

    scheduler = LearningRateScheduler(lambda epoch: 0.1)
    scheduler.set_model(Model())
    with pytest.raises(ValueError, match='Optimizer must have a "lr" attribute.'):
        scheduler.on_epoch_begin(0, {})


# --- ReduceLROnPlateau ---------------------------------------------------------------------------------

def test_plateau_reduces_after_patience_and_logs_lr():
    reducer = ReduceLROnPlateau(monitor='score', factor=0.5, patience=1)
    _, history, weights = fit([scripted([1.0, 1.0, 0.5, 0.6, 0.7, 0.8]), reducer], epochs=6)
    # logs['lr'] is the rate used during the epoch, read before the reduction decided at its end.
    expected = [0.1, 0.1, 0.05, 0.05, 0.025, 0.0125]
    np.testing.assert_allclose(history.history['lr'], expected, rtol=1e-6)
    assert_steps_used(weights, expected)


def test_plateau_patience_2_and_message(capsys):
    reducer = ReduceLROnPlateau(monitor='score', factor=0.5, patience=2, verbose=1)
    model, history, _ = fit([scripted([1.0, 1.1, 1.2, 1.3]), reducer], epochs=4)
    np.testing.assert_allclose(history.history['lr'], [0.1, 0.1, 0.1, 0.05], rtol=1e-6)
    new_lr = float(np.float32(0.1)) * 0.5
    assert capsys.readouterr().out == '\nEpoch 00003: ReduceLROnPlateau reducing learning rate to %s.\n' % new_lr
    assert float(model.optimizer.lr) == pytest.approx(0.05)


def test_plateau_cooldown():
    reducer = ReduceLROnPlateau(monitor='score', factor=0.5, patience=1, cooldown=2)
    _, history, _ = fit([scripted([1.0, 1.0, 1.1, 1.2, 1.3, 1.4, 1.5]), reducer], epochs=7)
    # Reductions at the ends of epochs 1, 3 and 5: after each, the cooldown swallows one epoch.
    np.testing.assert_allclose(history.history['lr'], [0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.0125], rtol=1e-6)


def test_plateau_min_lr(capsys):
    reducer = ReduceLROnPlateau(monitor='score', factor=0.1, patience=0, min_lr=0.005, verbose=1)
    _, history, _ = fit([scripted([1.0] * 5), reducer], epochs=5)
    np.testing.assert_allclose(history.history['lr'], [0.1, 0.1, 0.01, 0.005, 0.005], rtol=1e-6)
    # Once at min_lr, no more reductions (nor messages).
    out = capsys.readouterr().out
    assert out == ('\nEpoch 00002: ReduceLROnPlateau reducing learning rate to %s.\n' % (float(np.float32(0.1)) * 0.1)
                   + '\nEpoch 00003: ReduceLROnPlateau reducing learning rate to 0.005.\n')


@pytest.mark.parametrize('min_delta, reduced', [(1e-4, True), (0., False)])
def test_plateau_min_delta(min_delta, reduced):
    reducer = ReduceLROnPlateau(monitor='score', factor=0.5, patience=1, min_delta=min_delta)
    _, history, _ = fit([scripted([1.0, 0.99995, 0.9]), reducer], epochs=3)
    assert history.history['lr'][2] == pytest.approx(0.05 if reduced else 0.1)


def test_plateau_epsilon_is_the_old_name_of_min_delta():
    with pytest.warns(UserWarning, match='`epsilon` argument is deprecated and will be removed, use `min_delta` '
                                         'instead.'):
        reducer = ReduceLROnPlateau(epsilon=0.5)
    assert reducer.min_delta == 0.5


def test_plateau_factor_must_be_below_one():
    with pytest.raises(ValueError, match='ReduceLROnPlateau does not support a factor >= 1.0.'):
        ReduceLROnPlateau(factor=1.0)


@pytest.mark.parametrize('mode, monitor, values, reduced', [
    ('auto', 'val_acc', [0.5, 0.6], False), ('auto', 'score', [0.5, 0.6], True),
    ('max', 'score', [0.5, 0.6], False), ('min', 'val_acc', [0.5, 0.4], False),
    ('min', 'val_acc', [0.5, 0.6], True)])
def test_plateau_modes(mode, monitor, values, reduced):
    reducer = ReduceLROnPlateau(monitor=monitor, mode=mode, factor=0.5, patience=1)
    key = 'val_accuracy' if monitor == 'val_acc' else monitor  # old names find the new keys
    model, _, _ = fit([scripted(values, key=key), reducer], epochs=2)
    assert float(model.optimizer.lr) == pytest.approx(0.05 if reduced else 0.1)


def test_plateau_unknown_mode_warns():
    with pytest.warns(RuntimeWarning, match='Learning Rate Plateau Reducing mode up is unknown, fallback to auto '
                                            'mode.'):
        reducer = ReduceLROnPlateau(mode='up')
    assert reducer.mode == 'auto'


def test_plateau_missing_monitor_warns_but_logs_lr():
    reducer = ReduceLROnPlateau(patience=0)
    with pytest.warns(RuntimeWarning, match=r'Reduce LR on plateau conditioned on metric `val_loss` which is not '
                                            r'available\. Available metrics are: loss,lr'):
        model, history, _ = fit([reducer], epochs=2)
    assert float(model.optimizer.lr) == pytest.approx(0.1)
    assert len(history.history['lr']) == 2


def test_plateau_on_real_validation_loss_and_reset_between_fits():
    model = make_model(lr=1e-6)  # the validation loss moves by far less than min_delta=1e-4
    reducer = ReduceLROnPlateau(factor=0.5, patience=1)
    _, history, _ = fit([reducer], epochs=2, model=model, validation_split=0.25)
    assert abs(history.history['val_loss'][1] - history.history['val_loss'][0]) < 1e-4
    np.testing.assert_allclose(history.history['lr'], [1e-6, 1e-6], rtol=1e-6)
    assert float(model.optimizer.lr) == pytest.approx(5e-7)
    reducer.wait, reducer.cooldown_counter = 5, 3
    fit([reducer], epochs=1, model=model, validation_split=0.25)
    assert reducer.wait == 0 and reducer.cooldown_counter == 0  # reset at train begin
    assert float(model.optimizer.lr) == pytest.approx(5e-7)
