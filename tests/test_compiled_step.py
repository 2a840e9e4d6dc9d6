"""`CompiledStep`'s fast call (numpy converted by `tf.constant`, tensors handed to the concrete
function's flat call) gives the same weights, logs and predictions as calling the concrete function
with its structured signature, the general path it replaces."""
import numpy as np
import pytest

import kernelkit as keras
from kernelkit.callbacks import Callback
from kernelkit.engine import training_steps
from kernelkit.layers import Concatenate, Dense, Embedding, Flatten, Input
from kernelkit.models import Model


def _two_input_two_output_model():
    numbers = Input((4,), name='numbers')
    words = Input((3,), dtype='int32', name='words')
    embedded = Flatten()(Embedding(10, 2)(words))
    hidden = Dense(6, activation='relu')(Concatenate()([numbers, embedded]))
    label = Dense(3, activation='softmax', name='label')(hidden)
    score = Dense(1, name='score')(hidden)
    model = Model([numbers, words], [label, score])
    model.compile('rmsprop', ['categorical_crossentropy', 'mse'], metrics=['accuracy'])
    return model


def _data(n=40, seed=0):
    rng = np.random.RandomState(seed)
    x = [rng.normal(size=(n, 4)).astype('float32'), rng.randint(0, 10, size=(n, 3)).astype('int32')]
    y = [np.eye(3, dtype='float32')[rng.randint(0, 3, size=n)], rng.normal(size=(n, 1)).astype('float32')]
    weights = [rng.uniform(0.5, 2., size=n).astype('float32'), np.ones(n, 'float32')]
    return x, y, weights


class _BatchLogs(Callback):
    def __init__(self):
        super(_BatchLogs, self).__init__()
        self.seen = []

    def on_batch_end(self, batch, logs=None):
        self.seen.append(dict(logs))


def _train(structured, monkeypatch):
    """Trains a fresh model (same initial weights every time) and returns its weights, batch logs,
    evaluate result, predictions and compiled steps."""
    with monkeypatch.context() as patch:
        if structured:
            original = training_steps.CompiledStep.__init__

            def general_path_only(self, function):
                original(self, function)
                self._flat_call = None

            patch.setattr(training_steps.CompiledStep, '__init__', general_path_only)
        keras.backend.clear_session()
        model = _two_input_two_output_model()
        rng = np.random.RandomState(7)
        model.set_weights([rng.normal(size=w.shape).astype('float32') * 0.3 for w in model.get_weights()])
        x, y, weights = _data()
        logs = _BatchLogs()
        model.fit(x, y, batch_size=8, epochs=2, shuffle=False, sample_weight=weights, callbacks=[logs], verbose=0)
        evaluated = model.evaluate(x, y, batch_size=16, verbose=0)
        predicted = model.predict(x, batch_size=16)
        return model.get_weights(), logs.seen, evaluated, predicted, list(model._functions.values())


def test_the_flat_call_matches_the_structured_call(monkeypatch):
    fast = _train(False, monkeypatch)
    general = _train(True, monkeypatch)
    assert all(step._flat_call is not None for step in fast[4]), 'the fast path was not taken'
    assert all(step._flat_call is None for step in general[4])
    for fast_weight, general_weight in zip(fast[0], general[0]):
        np.testing.assert_array_equal(fast_weight, general_weight)
    assert fast[1] == general[1] and len(fast[1]) == 10
    assert fast[2] == general[2]
    for fast_output, general_output in zip(fast[3], general[3]):
        np.testing.assert_array_equal(fast_output, general_output)


def test_a_batch_of_another_dtype_gets_a_step_of_its_own():
    """Steps are looked up by the arrays' dtypes, so the flat call (which does not check dtypes) is
    always handed tensors of the dtypes its step was traced for: float words get a second step rather
    than being bound to the int32 one."""
    model = _two_input_two_output_model()
    x, y, _ = _data(8)
    int_losses = model.train_on_batch(x, y)
    float_losses = model.train_on_batch([x[0], x[1].astype('float32')], y)
    signatures = [tuple(spec.dtype.name for spec in step.function.input_signature[0])
                  for step in model._functions.values()]
    assert signatures == [('float32', 'int32'), ('float32', 'float32')]
    assert np.all(np.isfinite(int_losses)) and np.all(np.isfinite(float_losses))


def test_a_plain_function_is_called_as_it_is():
    calls = []
    step = training_steps.CompiledStep(lambda *lists: calls.append(lists) or 'done')
    assert step([1], [2]) == 'done' and calls == [([1], [2])]
    with pytest.raises(AttributeError):
        step.no_such_attribute
