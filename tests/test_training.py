"""compile / fit / evaluate / predict / *_on_batch and how fit drives callbacks (Keras 2.2: callback order,
log names, loss and metric rules), checked against numpy computations of Keras 2.2's rules."""
import io
import re
import contextlib

import numpy as np
import pytest

import kernelkit as keras
from kernelkit import backend as K
from kernelkit import callbacks as callbacks_module
from kernelkit import optimizers, regularizers
from kernelkit.callbacks import Callback
from kernelkit.layers import Dense, Input, Masking
from kernelkit.models import Model, Sequential

EPS = 1e-7


def _classifier(input_dim=3, classes=2, **dense_kwargs):
    return Sequential([Dense(classes, input_shape=(input_dim,), activation='softmax', **dense_kwargs)])


def _classification_data(n=10, input_dim=3, classes=2, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.normal(size=(n, input_dim)).astype('float32')
    y = np.eye(classes, dtype='float32')[rng.randint(0, classes, size=n)]
    return x, y


def _cross_entropy(y, p):
    """Keras 2.2 categorical_crossentropy per sample."""
    p = np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS)
    return -np.sum(y * np.log(p), -1)


def _weighted_mean(scores, weights):
    """Keras 2.2 `weighted_masked_objective` without mask: mean(score * w) / mean(w != 0)."""
    return np.mean(scores * weights) / np.mean(weights != 0)


class Recorder(Callback):
    """Records every hook with a copy of the logs it received."""

    def __init__(self):
        super(Recorder, self).__init__()
        self.events = []

    def _record(self, hook, index, logs):
        self.events.append((hook, index, dict(logs)))

    def on_train_begin(self, logs=None):
        self._record('train_begin', None, logs)

    def on_train_end(self, logs=None):
        self._record('train_end', None, logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._record('epoch_begin', epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._record('epoch_end', epoch, logs)

    def on_batch_begin(self, batch, logs=None):
        self._record('batch_begin', batch, logs)

    def on_batch_end(self, batch, logs=None):
        self._record('batch_end', batch, logs)

    def logs_of(self, hook):
        return [logs for name, _, logs in self.events if name == hook]


# --------------------------------------------------------------------------------------------------
# Seeing which samples each batch holds: target 2**i for sample i, a frozen model, and a metric that
# averages the target. mean * size is the sum of 2**i over the batch, whose bits are the sample indices.

def index_bits(y_true, y_pred):
    return y_true[:, 0]


def _index_model():
    model = Sequential([Dense(1, input_shape=(1,), kernel_initializer='zeros')])
    model.compile(optimizers.SGD(lr=0.), 'mae', metrics=[index_bits])
    return model


def _index_data(n):
    return np.arange(n, dtype='float32')[:, None], (2. ** np.arange(n, dtype='float32'))[:, None]


def _batches(recorder):
    """The sample indices of each batch of each epoch: a list (epochs) of lists (batches) of lists."""
    epochs = []
    for hook, _, logs in recorder.events:
        if hook == 'epoch_begin':
            epochs.append([])
        elif hook == 'batch_end':
            total = int(round(logs['index_bits'] * logs['size']))
            epochs[-1].append([i for i in range(total.bit_length()) if total >> i & 1])
    return epochs


def test_shuffle_false_feeds_contiguous_batches():
    model, recorder = _index_model(), Recorder()
    x, y = _index_data(8)
    model.fit(x, y, batch_size=3, epochs=2, shuffle=False, verbose=0, callbacks=[recorder])
    assert _batches(recorder) == [[[0, 1, 2], [3, 4, 5], [6, 7]]] * 2


def test_shuffle_true_draws_a_new_permutation_each_epoch():
    model, recorder = _index_model(), Recorder()
    x, y = _index_data(8)
    model.fit(x, y, batch_size=3, epochs=3, shuffle=True, verbose=0, callbacks=[recorder])
    epochs = _batches(recorder)
    for batches in epochs:
        assert [len(b) for b in batches] == [3, 3, 2]
        assert sorted(sum(batches, [])) == list(range(8))
    orders = [tuple(sum(batches, [])) for batches in epochs]
    assert len(set(orders)) == 3  # a new order each epoch


def test_shuffle_batch_moves_whole_batches_and_keeps_the_tail_last():
    model, recorder = _index_model(), Recorder()
    x, y = _index_data(11)
    model.fit(x, y, batch_size=3, epochs=4, shuffle='batch', verbose=0, callbacks=[recorder])
    chunks = [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    seen_orders = set()
    for batches in _batches(recorder):
        assert sorted(batches[:3]) == chunks
        assert batches[3] == [9, 10]
        seen_orders.add(tuple(map(tuple, batches)))
    assert len(seen_orders) > 1


def test_validation_split_takes_the_tail_before_shuffling():
    model, recorder = _index_model(), Recorder()
    x, y = _index_data(10)
    history = model.fit(x, y, batch_size=4, epochs=2, validation_split=0.2, shuffle=True, verbose=0,
                        callbacks=[recorder])
    for batches in _batches(recorder):
        assert sorted(sum(batches, [])) == list(range(8))
    val_x, val_y, val_w = recorder.validation_data
    np.testing.assert_array_equal(val_x, x[8:])
    np.testing.assert_array_equal(val_y, y[8:])
    np.testing.assert_array_equal(val_w, np.ones(2))
    # The frozen model predicts 0, so the validation MAE is the mean of 2**8 and 2**9.
    assert history.history['val_loss'] == [384., 384.]
    assert history.history['val_index_bits'] == [384., 384.]


# --------------------------------------------------------------------------------------------------
# compile


def _two_output_model():
    a = Input(shape=(3,), name='a')
    b = Input(shape=(2,), name='b')
    hidden = Dense(4, activation='tanh', name='hidden')(a)
    p = Dense(1, activation='sigmoid', name='p')(hidden)
    q = Dense(3, activation='softmax', name='q')(Dense(3, name='side')(b))
    return Model([a, b], [p, q])


def _two_output_data(n=6, seed=1):
    rng = np.random.RandomState(seed)
    x = {'a': rng.normal(size=(n, 3)).astype('float32'), 'b': rng.normal(size=(n, 2)).astype('float32')}
    y = {'p': rng.randint(0, 2, size=(n, 1)).astype('float32'),
         'q': np.eye(3, dtype='float32')[rng.randint(0, 3, size=n)]}
    return x, y


def test_loss_and_loss_weights_as_list_or_dict_give_the_weighted_total():
    x, y = _two_output_data()
    first = _two_output_model()
    second = _two_output_model()
    second.set_weights(first.get_weights())
    first.compile('sgd', ['binary_crossentropy', 'categorical_crossentropy'], loss_weights=[0.3, 1.5])
    second.compile('sgd', {'q': 'categorical_crossentropy', 'p': 'binary_crossentropy'},
                   loss_weights={'q': 1.5, 'p': 0.3})
    assert first.metrics_names == second.metrics_names == ['loss', 'p_loss', 'q_loss']
    values = first.test_on_batch([x['a'], x['b']], [y['p'], y['q']])
    assert second.test_on_batch(x, y) == pytest.approx(values, abs=1e-6)
    total, p_loss, q_loss = values
    assert total == pytest.approx(0.3 * p_loss + 1.5 * q_loss, abs=1e-6)
    p, q = first.predict(x)
    assert q_loss == pytest.approx(np.mean(_cross_entropy(y['q'], q)), abs=1e-5)
    p = np.clip(p, EPS, 1 - EPS)
    expected_p = np.mean(-(y['p'] * np.log(p) + (1 - y['p']) * np.log(1 - p)))
    assert p_loss == pytest.approx(expected_p, abs=1e-5)


def test_metrics_per_output_as_dict_or_list_of_lists():
    model = _two_output_model()
    model.compile('sgd', 'mse', metrics={'p': ['accuracy'], 'q': ['mse', 'acc']})
    assert model.metrics_names == ['loss', 'p_loss', 'q_loss', 'p_accuracy', 'q_mse', 'q_acc']
    model.compile('sgd', 'mse', metrics=[['mae'], ['accuracy']])
    assert model.metrics_names == ['loss', 'p_loss', 'q_loss', 'p_mae', 'q_accuracy']
    model.compile('sgd', 'mse', metrics=['accuracy'], weighted_metrics={'q': ['mse']})
    assert model.metrics_names == ['loss', 'p_loss', 'q_loss', 'p_accuracy', 'q_accuracy', 'q_weighted_mse']


def test_metric_names_follow_the_users_strings_and_deduplicate():
    model = _classifier()
    model.compile('sgd', 'categorical_crossentropy', metrics=['accuracy', 'mse', 'acc', 'acc'])
    assert model.metrics_names == ['loss', 'accuracy', 'mse', 'acc', 'acc_1']
    x, y = _classification_data()
    values = model.evaluate(x, y, verbose=0)
    assert values[1] == values[3] == values[4]


def test_output_without_loss_takes_no_target():
    model = _two_output_model()
    with pytest.warns(UserWarning, match='Output "p" missing from loss dictionary'):
        model.compile('sgd', {'q': 'categorical_crossentropy'}, metrics=['accuracy'])
    assert model.metrics_names == ['loss', 'q_loss', 'q_accuracy']
    x, y = _two_output_data()
    history = model.fit(x, {'q': y['q']}, epochs=1, verbose=0)
    assert sorted(history.history) == ['loss', 'q_accuracy', 'q_loss']
    assert history.history['loss'] == history.history['q_loss']


def test_regularization_losses_are_added_to_the_total():
    model = _classifier(kernel_regularizer=regularizers.l2(0.1))
    model.compile(optimizers.SGD(lr=0.), 'categorical_crossentropy')
    x, y = _classification_data()
    kernel = model.layers[0].get_weights()[0]
    expected = np.mean(_cross_entropy(y, model.predict(x))) + 0.1 * np.sum(kernel ** 2)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(expected, abs=1e-5)
    assert model.fit(x, y, batch_size=10, verbose=0).history['loss'][0] == pytest.approx(expected, abs=1e-5)


def test_compile_can_wait_for_a_sequential_input_shape():
    model = Sequential([Dense(4, activation='relu'), Dense(2, activation='softmax')])
    model.compile('sgd', 'categorical_crossentropy', metrics=['acc'])
    x, y = _classification_data()
    history = model.fit(x, y, epochs=2, verbose=0)
    assert model.metrics_names == ['loss', 'acc']
    assert len(history.history['acc']) == 2
    assert model.predict(x).shape == (10, 2)


# --------------------------------------------------------------------------------------------------
# Sample weights, class weights, masks (Keras 2.2's weighted_masked_objective, in numpy)


def test_sample_weight_with_zeros_follows_keras2_normalisation():
    model = _classifier()
    model.compile(optimizers.SGD(lr=0.), 'categorical_crossentropy', metrics=['accuracy'],
                  weighted_metrics=['accuracy'])
    x, y = _classification_data(8)
    weights = np.array([0., 2., 1., 0., 3., 0.5, 1., 0.], dtype='float32')
    p = model.predict(x)
    correct = (p.argmax(-1) == y.argmax(-1)).astype('float64')
    loss, accuracy, weighted_accuracy = model.test_on_batch(x, y, sample_weight=weights)
    assert loss == pytest.approx(_weighted_mean(_cross_entropy(y, p), weights), rel=1e-5)
    assert accuracy == pytest.approx(correct.mean(), abs=1e-6)
    assert weighted_accuracy == pytest.approx(_weighted_mean(correct, weights), rel=1e-5)
    history = model.fit(x, y, batch_size=8, sample_weight=weights, verbose=0)
    assert history.history['loss'][0] == pytest.approx(loss, rel=1e-6)


def test_class_weight_weights_each_sample_by_its_class():
    model = _classifier(classes=3)
    model.compile(optimizers.SGD(lr=0.), 'categorical_crossentropy')
    x, y = _classification_data(9, classes=3)
    class_weight = {0: 0.5, 1: 2., 2: 0.}
    expected = _weighted_mean(_cross_entropy(y, model.predict(x)),
                              np.array([class_weight[c] for c in y.argmax(-1)]))
    assert model.train_on_batch(x, y, class_weight=class_weight) == pytest.approx(expected, rel=1e-5)
    history = model.fit(x, y, batch_size=9, class_weight=class_weight, verbose=0)
    assert history.history['loss'][0] == pytest.approx(expected, rel=1e-5)
    # Sparse integer targets: the class is the target itself. sample_weight wins over class_weight.
    model.compile(optimizers.SGD(lr=0.), 'sparse_categorical_crossentropy')
    labels = y.argmax(-1)[:, None]
    assert model.train_on_batch(x, labels, class_weight=class_weight) == pytest.approx(expected, rel=1e-5)
    plain = np.mean(_cross_entropy(y, model.predict(x)))
    assert model.train_on_batch(x, labels, class_weight=class_weight,
                                sample_weight=np.ones(9)) == pytest.approx(plain, rel=1e-5)


def _masked_sequence_model(**compile_kwargs):
    inputs = Input(shape=(4, 3))
    outputs = Dense(2)(Masking(0.)(inputs))
    model = Model(inputs, outputs)
    model.compile(optimizers.SGD(lr=0.), 'mse', metrics=['mae'], **compile_kwargs)
    return model


def _sequence_data():
    rng = np.random.RandomState(3)
    x = rng.normal(size=(5, 4, 3)).astype('float32')
    x[0, 2:] = 0.
    x[3, 0] = 0.
    x[4, 1] = 0.
    y = rng.normal(size=(5, 4, 2)).astype('float32')
    mask = np.any(x != 0, axis=-1).astype('float64')
    return x, y, mask


def test_masked_loss_and_metrics_ignore_masked_timesteps():
    model = _masked_sequence_model()
    x, y, mask = _sequence_data()
    p = model.predict(x)
    loss, mae = model.test_on_batch(x, y)
    assert loss == pytest.approx(np.mean(np.mean((p - y) ** 2, -1) * mask) / mask.mean(), rel=1e-5)
    assert mae == pytest.approx(np.mean(np.mean(np.abs(p - y), -1) * mask) / mask.mean(), rel=1e-5)
    # Changing the targets of masked steps changes nothing.
    y2 = y.copy()
    y2[0, 2:] += 100.
    assert model.test_on_batch(x, y2) == pytest.approx([loss, mae], rel=1e-6)


def test_temporal_sample_weights_with_a_mask():
    model = _masked_sequence_model(sample_weight_mode='temporal')
    x, y, mask = _sequence_data()
    weights = np.random.RandomState(4).uniform(0.5, 2., size=(5, 4)).astype('float32')
    weights[1, 3] = weights[2] = 0.
    p = model.predict(x)
    scores = np.mean((p - y) ** 2, -1) * mask / mask.mean()
    expected = _weighted_mean(scores, weights)
    loss, mae = model.evaluate(x, y, sample_weight=weights, batch_size=5, verbose=0)
    assert loss == pytest.approx(expected, rel=1e-5)
    assert mae == pytest.approx(np.mean(np.mean(np.abs(p - y), -1) * mask) / mask.mean(), rel=1e-5)
    history = model.fit(x, y, sample_weight=weights, batch_size=5, verbose=0)
    assert history.history['loss'][0] == pytest.approx(expected, rel=1e-5)


# --------------------------------------------------------------------------------------------------
# fit arguments


def test_fit_returns_history_with_user_metric_names_and_aliases():
    model = _classifier()
    model.compile('sgd', 'categorical_crossentropy', metrics=['accuracy', 'mse'])
    x, y = _classification_data()
    history = model.fit(x, y, batch_size=4, epochs=3, validation_data=(x[:4], y[:4]), verbose=0)
    assert history is model.history
    assert isinstance(history, callbacks_module.History)
    assert history.epoch == [0, 1, 2]
    assert sorted(history.history) == ['accuracy', 'loss', 'mse', 'val_accuracy', 'val_loss', 'val_mse']
    assert history.history['acc'] == history.history['accuracy']
    assert history.history['val_acc'] == history.history['val_accuracy']
    assert history.history['mean_squared_error'] == history.history['mse']
    assert all(len(values) == 3 for values in history.history.values())


def test_validation_data_with_sample_weights():
    model = _classifier()
    model.compile(optimizers.SGD(lr=0.), 'categorical_crossentropy')
    x, y = _classification_data(8)
    val_w = np.array([0., 1., 3., 1., 0., 2., 1., 1.], dtype='float32')
    plain = model.fit(x, y, validation_data=(x, y), batch_size=3, verbose=0).history['val_loss'][0]
    weighted = model.fit(x, y, validation_data=(x, y, val_w), batch_size=8, verbose=0).history['val_loss'][0]
    scores = _cross_entropy(y, model.predict(x))
    assert plain == pytest.approx(scores.mean(), rel=1e-5)
    assert weighted == pytest.approx(_weighted_mean(scores, val_w), rel=1e-5)


def test_initial_epoch_resumes_the_count():
    model = _classifier()
    model.compile('sgd', 'categorical_crossentropy')
    x, y = _classification_data()
    recorder = Recorder()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        history = model.fit(x, y, epochs=4, initial_epoch=2, verbose=2, callbacks=[recorder])
    assert history.epoch == [2, 3]
    assert [index for hook, index, _ in recorder.events if hook == 'epoch_begin'] == [2, 3]
    assert 'Epoch 3/4' in out.getvalue() and 'Epoch 4/4' in out.getvalue()
    assert 'Epoch 1/4' not in out.getvalue()


def test_steps_per_epoch_and_validation_steps():
    model = _classifier()
    model.compile('sgd', 'categorical_crossentropy')
    x, y = _classification_data(10)
    recorder = Recorder()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        history = model.fit(x, y, batch_size=4, epochs=2, steps_per_epoch=5, verbose=2, callbacks=[recorder],
                            validation_data=(x, y), validation_steps=1)
    assert out.getvalue().startswith('Train on 10 samples, validate on 10 samples\nEpoch 1/2\n')
    assert int(model.optimizer.iterations.numpy()) == 10
    assert recorder.params['steps'] == 5
    assert [logs['size'] for logs in recorder.logs_of('batch_begin')] == [1] * 10
    losses = [logs['loss'] for logs in recorder.logs_of('batch_end')]
    assert history.history['loss'] == pytest.approx([np.mean(losses[:5]), np.mean(losses[5:])], rel=1e-6)
    # validation_steps=1 evaluates the first batch of the validation data only.
    assert history.history['val_loss'][-1] == pytest.approx(model.evaluate(x[:4], y[:4], verbose=0), rel=1e-5)


def test_list_and_dict_inputs_train_identically():
    x, y = _two_output_data(n=8)
    first, second = _two_output_model(), _two_output_model()
    second.set_weights(first.get_weights())
    for model in (first, second):
        model.compile(optimizers.Adam(lr=0.01), ['binary_crossentropy', 'categorical_crossentropy'],
                      metrics=['accuracy'])
    by_list = first.fit([x['a'], x['b']], [y['p'], y['q']], batch_size=3, epochs=2, shuffle=False, verbose=0)
    by_dict = second.fit(x, y, batch_size=3, epochs=2, shuffle=False, verbose=0)
    assert sorted(by_list.history) == sorted(by_dict.history)
    for name, values in by_list.history.items():
        assert values == pytest.approx(by_dict.history[name], abs=1e-6), name
    for a, b in zip(first.get_weights(), second.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-6)
    assert sorted(by_dict.history) == ['loss', 'p_accuracy', 'p_loss', 'q_accuracy', 'q_loss']


def test_single_output_targets_as_a_list_or_flat_vector():
    model = Sequential([Dense(1, input_shape=(3,))])
    model.compile(optimizers.SGD(lr=0.), 'mse')
    x = np.random.RandomState(5).normal(size=(6, 3)).astype('float32')
    y = np.arange(6, dtype='float32')
    expected = np.mean((model.predict(x)[:, 0] - y) ** 2)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(expected, rel=1e-5)
    assert model.evaluate([x], [y[:, None]], verbose=0) == pytest.approx(expected, rel=1e-5)
    assert model.evaluate({model.input_names[0]: x}, y, verbose=0) == pytest.approx(expected, rel=1e-5)
    assert model.evaluate(x, y.tolist(), verbose=0) == pytest.approx(expected, rel=1e-5)  # a list of numbers


# --------------------------------------------------------------------------------------------------
# evaluate, predict and the *_on_batch methods


def test_evaluate_averages_batches_by_size_and_honours_steps():
    model = _classifier()
    model.compile('sgd', 'categorical_crossentropy', metrics=['accuracy'])
    x, y = _classification_data(10)
    whole = model.test_on_batch(x, y)
    assert model.evaluate(x, y, batch_size=3, verbose=0) == pytest.approx(whole, rel=1e-5)
    assert model.evaluate(x, y, batch_size=4, steps=1, verbose=0) == pytest.approx(
        model.test_on_batch(x[:4], y[:4]), rel=1e-6)
    model.compile('sgd', 'categorical_crossentropy')
    loss = model.evaluate(x, y, verbose=0)
    assert isinstance(loss, float) and loss == pytest.approx(whole[0], rel=1e-5)


def test_predict_batches_steps_and_several_outputs():
    model = _classifier()
    x, _ = _classification_data(10)
    kernel, bias = model.get_weights()
    logits = x @ kernel + bias
    expected = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    np.testing.assert_allclose(model.predict(x, batch_size=3), expected, atol=1e-6)
    np.testing.assert_allclose(model.predict(x, batch_size=4, steps=2), expected[:8], atol=1e-6)
    np.testing.assert_allclose(model.predict_on_batch(x), expected, atol=1e-6)
    two = _two_output_model()
    inputs, _ = _two_output_data(n=7)
    outputs = two.predict(inputs, batch_size=2)
    assert isinstance(outputs, list) and [o.shape for o in outputs] == [(7, 1), (7, 3)]
    on_batch = two.predict_on_batch([inputs['a'], inputs['b']])
    for a, b in zip(outputs, on_batch):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_predict_and_evaluate_verbose_output():
    model = _classifier()
    model.compile('sgd', 'categorical_crossentropy')
    x, y = _classification_data(10)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        model.predict(x, batch_size=4, verbose=0)
        model.evaluate(x, y, batch_size=4, verbose=0)
    assert out.getvalue() == ''
    with contextlib.redirect_stdout(out):
        model.predict(x, batch_size=4, verbose=1)
    assert '10/10 [==============================]' in out.getvalue()


def test_train_on_batch_returns_the_values_before_the_update():
    model = _classifier()
    model.compile(optimizers.SGD(lr=0.5), 'categorical_crossentropy', metrics=['accuracy'])
    x, y = _classification_data()
    before = model.test_on_batch(x, y)
    weights = model.get_weights()
    assert model.train_on_batch(x, y) == pytest.approx(before, rel=1e-6)
    assert int(model.optimizer.iterations.numpy()) == 1
    assert not np.allclose(model.get_weights()[0], weights[0])
    assert model.test_on_batch(x, y)[0] < before[0]


# --------------------------------------------------------------------------------------------------
# Callbacks: the order and the logs fit gives them


def test_fit_assembles_callbacks_in_keras2_order(monkeypatch):
    seen = []

    class SpyList(callbacks_module.CallbackList):
        def __init__(self, callbacks=None, **kwargs):
            seen.append(list(callbacks))
            super(SpyList, self).__init__(callbacks, **kwargs)

    monkeypatch.setattr(callbacks_module.base, 'CallbackList', SpyList)
    model = _classifier()
    model.compile('sgd', 'categorical_crossentropy')
    x, y = _classification_data()
    first, second = Recorder(), Recorder()
    with contextlib.redirect_stdout(io.StringIO()):
        model.fit(x, y, verbose=1, callbacks=[first, second])
    model.fit(x, y, verbose=0, callbacks=[first])
    with_progbar, silent = seen
    assert [type(c) for c in with_progbar] == [callbacks_module.BaseLogger, callbacks_module.ProgbarLogger,
                                               Recorder, Recorder, callbacks_module.History]
    assert with_progbar[2] is first and with_progbar[3] is second
    assert [type(c) for c in silent] == [callbacks_module.BaseLogger, Recorder, callbacks_module.History]
    assert silent[-1] is model.history


def test_callbacks_receive_params_model_and_validation_data():
    model = _classifier()
    model.compile('sgd', 'categorical_crossentropy', metrics=['accuracy'])
    x, y = _classification_data(10)
    recorder = Recorder()
    model.fit(x, y, batch_size=3, epochs=2, validation_split=0.2, verbose=0, callbacks=[recorder])
    assert recorder.model is model
    assert recorder.params == {'batch_size': 3, 'epochs': 2, 'steps': None, 'samples': 8, 'verbose': 0,
                               'do_validation': True,
                               'metrics': ['loss', 'accuracy', 'val_loss', 'val_accuracy']}
    assert len(recorder.validation_data) == 3
    np.testing.assert_array_equal(recorder.validation_data[0], x[8:])
    other = Recorder()
    model.fit(x, y, verbose=0, callbacks=[other])
    assert other.params['metrics'] == ['loss', 'accuracy'] and other.params['do_validation'] is False
    assert other.params['batch_size'] == 32 and other.params['samples'] == 10
    assert other.validation_data is None


def test_hook_sequence_and_logs():
    model = _classifier()
    model.compile('sgd', 'categorical_crossentropy', metrics=['accuracy'])
    x, y = _classification_data(10)
    recorder = Recorder()
    model.fit(x, y, batch_size=3, epochs=2, validation_split=0.2, verbose=0, callbacks=[recorder])
    expected = [('train_begin', None)]
    for epoch in range(2):
        expected.append(('epoch_begin', epoch))
        for batch in range(3):
            expected += [('batch_begin', batch), ('batch_end', batch)]
        expected.append(('epoch_end', epoch))
    expected.append(('train_end', None))
    assert [(hook, index) for hook, index, _ in recorder.events] == expected
    assert recorder.logs_of('train_begin') == recorder.logs_of('train_end') == [{}]
    assert recorder.logs_of('epoch_begin') == [{}, {}]
    assert recorder.logs_of('batch_begin')[:3] == [{'batch': 0, 'size': 3}, {'batch': 1, 'size': 3},
                                                   {'batch': 2, 'size': 2}]
    batch_ends = recorder.logs_of('batch_end')
    assert all(sorted(logs) == ['accuracy', 'batch', 'loss', 'size'] for logs in batch_ends)
    epoch_ends = recorder.logs_of('epoch_end')
    assert all(sorted(logs) == ['accuracy', 'loss', 'val_accuracy', 'val_loss'] for logs in epoch_ends)
    # BaseLogger: the epoch value is the size-weighted mean of the batch values.
    for epoch, logs in enumerate(epoch_ends):
        batches = batch_ends[3 * epoch:3 * epoch + 3]
        for name in ('loss', 'accuracy'):
            expected_value = sum(b[name] * b['size'] for b in batches) / 8.
            assert logs[name] == pytest.approx(expected_value, rel=1e-6)
    assert model.history.history['loss'] == [logs['loss'] for logs in epoch_ends]


def test_user_callbacks_see_baselogger_values_before_history_records_them():
    model = _classifier()
    model.compile('sgd', 'categorical_crossentropy', metrics=['accuracy'])
    x, y = _classification_data()
    seen = []

    class Peek(Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append((sorted(logs), list(self.model.history.epoch), logs['acc']))

    model.fit(x, y, epochs=2, verbose=0, callbacks=[Peek()])
    assert [s[0] for s in seen] == [['accuracy', 'loss']] * 2
    assert [s[1] for s in seen] == [[], [0]]
    assert [s[2] for s in seen] == model.history.history['accuracy']


def _stopper(when):
    class Stopper(Recorder):
        def on_batch_end(self, batch, logs=None):
            super(Stopper, self).on_batch_end(batch, logs)
            if when == 'batch' and batch == 1:
                self.model.stop_training = True

        def on_epoch_end(self, epoch, logs=None):
            super(Stopper, self).on_epoch_end(epoch, logs)
            if when == 'epoch':
                self.model.stop_training = True
    return Stopper()


def test_stop_training_mid_epoch_skips_validation_but_ends_the_epoch():
    model = _classifier()
    model.compile('sgd', 'categorical_crossentropy', metrics=['accuracy'])
    x, y = _classification_data(10)
    stopper = _stopper('batch')
    history = model.fit(x, y, batch_size=3, epochs=3, validation_data=(x, y), verbose=0, callbacks=[stopper])
    hooks = [(hook, index) for hook, index, _ in stopper.events]
    assert hooks == [('train_begin', None), ('epoch_begin', 0), ('batch_begin', 0), ('batch_end', 0),
                     ('batch_begin', 1), ('batch_end', 1), ('epoch_end', 0), ('train_end', None)]
    assert sorted(stopper.logs_of('epoch_end')[0]) == ['accuracy', 'loss']
    assert history.epoch == [0]
    assert int(model.optimizer.iterations.numpy()) == 2
    # fit resets the flag, so the next fit trains again.
    model.fit(x, y, batch_size=3, epochs=1, verbose=0)
    assert int(model.optimizer.iterations.numpy()) == 6


def test_stop_training_at_epoch_end_keeps_that_epochs_validation():
    model = _classifier()
    model.compile('sgd', 'categorical_crossentropy')
    x, y = _classification_data(10)
    history = model.fit(x, y, batch_size=5, epochs=3, validation_data=(x, y), verbose=0,
                        callbacks=[_stopper('epoch')])
    assert history.epoch == [0]
    assert sorted(history.history) == ['loss', 'val_loss']


def test_verbose_2_prints_one_line_per_epoch():
    model = _classifier()
    model.compile('sgd', 'categorical_crossentropy', metrics=['accuracy'])
    x, y = _classification_data(10)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        model.fit(x, y, batch_size=4, epochs=2, validation_split=0.2, verbose=2)
    value = r'\d+\.\d{4}(e[-+]\d+)?'
    line = r' - \d+s - loss: {v} - accuracy: {v} - val_loss: {v} - val_accuracy: {v}'.format(v=value)
    pattern = r'Train on 8 samples, validate on 2 samples\nEpoch 1/2\n{l}\nEpoch 2/2\n{l}\n$'.format(l=line)
    assert re.match(pattern, out.getvalue()), out.getvalue()


def test_verbose_1_shows_a_progress_bar_and_verbose_0_nothing():
    model = _classifier()
    model.compile('sgd', 'categorical_crossentropy', metrics=['accuracy'])
    x, y = _classification_data(10)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        model.fit(x, y, batch_size=4, epochs=1, validation_data=(x[:3], y[:3]), verbose=1)
    text = out.getvalue()
    assert text.startswith('Train on 10 samples, validate on 3 samples\nEpoch 1/1\n')
    final = [line for line in text.splitlines() if line.startswith('10/10 [')]
    assert final, text
    assert re.search(r'10/10 \[=+\] - \d+s \d+\w*s/step - loss: \d\.\d{4} - accuracy: \d\.\d{4} - '
                     r'val_loss: \d\.\d{4} - val_accuracy: \d\.\d{4}', final[-1]), final[-1]
    silent = io.StringIO()
    with contextlib.redirect_stdout(silent):
        model.fit(x, y, batch_size=4, epochs=1, validation_data=(x[:3], y[:3]), verbose=0)
    assert silent.getvalue() == ''


# --------------------------------------------------------------------------------------------------
# No retracing


def _tracing_counts(model, kind):
    return [function.experimental_get_tracing_count() for key, function in model._functions.items()
            if key[0] == kind]


def test_fit_and_validation_trace_each_step_once():
    model = _classifier()
    model.compile('adam', 'categorical_crossentropy', metrics=['accuracy'])
    x, y = _classification_data(10)
    model.fit(x, y, batch_size=4, epochs=3, validation_split=0.3, verbose=0)  # batches 4, 3; val 3
    model.fit(x, y, batch_size=3, epochs=1, verbose=0)  # a new batch size
    model.train_on_batch(x[:5], y[:5])
    assert _tracing_counts(model, 'train') == [1]
    assert _tracing_counts(model, 'test') == [1]
    model.evaluate(x, y, batch_size=6, verbose=0)
    model.test_on_batch(x[:1], y[:1])
    assert _tracing_counts(model, 'test') == [1]


def test_predict_traces_once_for_any_batch_size():
    model = _classifier()
    x, _ = _classification_data(10)
    model.predict(x, batch_size=4)
    model.predict(x[:7], batch_size=3)
    model.predict(x, batch_size=32)
    model.predict_on_batch(x[:2])
    assert _tracing_counts(model, 'predict') == [1]


def test_integer_inputs_take_the_input_dtype_and_share_one_step():
    inputs = Input(shape=(3,), dtype='int32')
    outputs = Dense(1)(keras.layers.Lambda(lambda t: K.cast(t, 'float32'))(inputs))
    model = Model(inputs, outputs)
    model.compile('sgd', 'mse')
    x = np.arange(12).reshape((4, 3))
    model.fit(x.astype('int64'), np.ones((4, 1)), verbose=0)
    model.train_on_batch(x.astype('int32'), np.ones((4, 1)))
    model.predict(x.astype('int64'))
    model.predict(x.astype('int32'), batch_size=3)
    assert _tracing_counts(model, 'train') == [1]
    assert _tracing_counts(model, 'predict') == [1]
    assert all(key[1][0] == np.dtype('int32').str for key in model._functions)


# --------------------------------------------------------------------------------------------------
# Subclassed models


class TwoLayers(Model):
    """A subclassed model: layers made in __init__, used in call."""

    def __init__(self):
        super(TwoLayers, self).__init__()
        self.hidden = Dense(4, activation='relu')
        self.out = Dense(2, activation='softmax')

    def call(self, inputs):
        return self.out(self.hidden(inputs))


def test_subclassed_model_compiles_fits_and_predicts():
    model = TwoLayers()
    model.compile(optimizers.SGD(lr=0.1), 'categorical_crossentropy', metrics=['accuracy'])
    x, y = _classification_data(12, seed=6)
    x = x.astype('float64')  # fed as floatx, as Keras 2.2 did
    history = model.fit(x, y, batch_size=4, epochs=3, validation_split=0.25, verbose=0)
    assert sorted(history.history) == ['accuracy', 'loss', 'val_accuracy', 'val_loss']
    assert history.history['loss'][-1] < history.history['loss'][0]
    assert int(model.optimizer.iterations.numpy()) == 9
    w1, b1, w2, b2 = model.get_weights()
    logits = np.maximum(x @ w1 + b1, 0.) @ w2 + b2
    expected = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    np.testing.assert_allclose(model.predict(x, batch_size=5), expected, atol=1e-5)
    loss, accuracy = model.evaluate(x, y, verbose=0)
    assert loss == pytest.approx(np.mean(_cross_entropy(y, expected)), rel=1e-4)
    assert accuracy == pytest.approx(np.mean(expected.argmax(-1) == y.argmax(-1)), abs=1e-6)
    assert model.predict(x).dtype == np.dtype(K.floatx())
