"""Bad calls to compile / fit / evaluate / predict raise a clear error before anything changes: the weights,
the optimizer state and iteration count, `model.history` and the compile settings are left as they were."""
import re
import warnings

import numpy as np
import pytest

import kernelkit as keras  # noqa: F401  (imports TensorFlow without Keras first)
from kernelkit import callbacks as callbacks_module
from kernelkit import optimizers
from kernelkit.layers import Dense, Input
from kernelkit.models import Model, Sequential


def _data(n=10, classes=2, seed=0):
    rng = np.random.RandomState(seed)
    return (rng.normal(size=(n, 3)).astype('float32'),
            np.eye(classes, dtype='float32')[rng.randint(0, classes, size=n)])


def _trained_model():
    """A compiled model that has trained one epoch, so it has optimizer state and a History."""
    model = Sequential([Dense(2, input_shape=(3,), activation='softmax')])
    model.compile(optimizers.Adam(lr=0.1), 'categorical_crossentropy', metrics=['accuracy'])
    x, y = _data()
    model.fit(x, y, batch_size=5, epochs=1, verbose=0)
    return model


def _snapshot(model):
    return {
        'weights': model.get_weights(),
        'optimizer': model.optimizer.get_weights() if model.optimizer is not None else None,
        'optimizer_object': model.optimizer,
        'history': model.history,
        'history_values': dict(model.history.history) if model.history is not None else None,
        'metrics_names': list(getattr(model, 'metrics_names', [])),
    }


def _assert_unchanged(model, before):
    after = _snapshot(model)
    assert len(after['weights']) == len(before['weights'])
    for a, b in zip(after['weights'], before['weights']):
        np.testing.assert_array_equal(a, b)
    if before['optimizer'] is not None:
        assert len(after['optimizer']) == len(before['optimizer'])
        for a, b in zip(after['optimizer'], before['optimizer']):
            np.testing.assert_array_equal(a, b)
    assert after['optimizer_object'] is before['optimizer_object']
    assert after['history'] is before['history']
    assert after['history_values'] == before['history_values']
    assert after['metrics_names'] == before['metrics_names']


def _raises_and_keeps_state(model, call, error, pattern):
    before = _snapshot(model)
    with pytest.raises(error, match=pattern):
        call()
    _assert_unchanged(model, before)


# --------------------------------------------------------------------------------------------------
# Not compiled


def test_uncompiled_model_refuses_to_train_or_evaluate():
    model = Sequential([Dense(2, input_shape=(3,))])
    x, y = _data()
    for call in (lambda: model.fit(x, y, verbose=0), lambda: model.evaluate(x, y, verbose=0),
                 lambda: model.train_on_batch(x, y), lambda: model.test_on_batch(x, y)):
        _raises_and_keeps_state(model, call, RuntimeError, r'must compile your model.*model\.compile')
    assert model.predict(x).shape == (10, 2)  # predicting needs no compile


def test_uncompiled_subclassed_model_is_left_unbuilt():
    class Small(Model):
        def __init__(self):
            super(Small, self).__init__()
            self.dense = Dense(2)

        def call(self, inputs):
            return self.dense(inputs)

    model = Small()
    x, y = _data()
    with pytest.raises(RuntimeError, match='must compile'):
        model.fit(x, y, verbose=0)
    assert model.get_weights() == []


# --------------------------------------------------------------------------------------------------
# Bad data for fit


def _input_name(model):
    return re.escape(model.input_names[0])


FIT_CASES = {
    'length_mismatch': (lambda m, x, y: dict(x=x, y=y[:9]), ValueError,
                        lambda m: 'same number of samples.*10 input samples and 9 target samples'),
    'input_size': (lambda m, x, y: dict(x=x[:, :2], y=y), ValueError,
                   lambda m: r'expected %s to have shape \(3,\) but got array with shape \(2,\)' % _input_name(m)),
    'input_rank': (lambda m, x, y: dict(x=x[:, :, None], y=y), ValueError,
                   lambda m: r'expected %s to have 2 dimensions \(shape \(None, 3\)\), but got array with '
                             r'shape \(10, 3, 1\)' % _input_name(m)),
    'target_shape': (lambda m, x, y: dict(x=x, y=np.ones((10, 3))), ValueError,
                     lambda m: r'checking target: expected %s to have shape \(2,\) but got array with shape '
                               r'\(3,\)' % re.escape(m.output_names[0])),
    'integer_targets_with_categorical_crossentropy': (
        lambda m, x, y: dict(x=x, y=y.argmax(-1)), ValueError,
        lambda m: r'(?s)`categorical_crossentropy` expects targets to be binary matrices.*to_categorical'
                  r'.*sparse_categorical_crossentropy'),
    'unknown_keyword': (lambda m, x, y: dict(x=x, y=y, epoch=3), TypeError,
                        lambda m: r"Unrecognized keyword arguments: \{'epoch': 3\}"),
    'too_many_arrays': (lambda m, x, y: dict(x=[x, x], y=y), ValueError,
                        lambda m: r'Expected to see 1 array\(s\), but instead got .* 2 arrays'),
    'unknown_dict_key': (lambda m, x, y: dict(x={'nope': x}, y=y), ValueError,
                         lambda m: r'No data provided for "%s"' % _input_name(m)),
    'validation_data_not_a_tuple': (lambda m, x, y: dict(x=x, y=y, validation_data=x), ValueError,
                                    lambda m: r'validation_data.*2 \(x_val, y_val\) or 3.*a ndarray'),
    'validation_data_of_4': (lambda m, x, y: dict(x=x, y=y, validation_data=(x, y, None, None)), ValueError,
                             lambda m: r'validation_data.*contains 4 items'),
    'validation_data_bad_shape': (lambda m, x, y: dict(x=x, y=y, validation_data=(x[:, :2], y)), ValueError,
                                  lambda m: r'expected %s to have shape \(3,\)' % _input_name(m)),
    'validation_split_out_of_range': (lambda m, x, y: dict(x=x, y=y, validation_split=1.5), ValueError,
                                      lambda m: r'validation_split must be in \[0, 1\)'),
    'sample_weight_length': (lambda m, x, y: dict(x=x, y=y, sample_weight=np.ones(9)), ValueError,
                             lambda m: r'sample_weight array with shape \(9,\)'),
    'temporal_weights_without_temporal_mode': (lambda m, x, y: dict(x=x, y=y, sample_weight=np.ones((10, 2))),
                                               ValueError, lambda m: r'sample_weight_mode="temporal"'),
    'class_weight_missing_a_class': (lambda m, x, y: dict(x=x, y=y, class_weight={0: 1.}), ValueError,
                                     lambda m: r'`class_weight` must contain all classes.*\[1\]'),
    'zero_batch_size': (lambda m, x, y: dict(x=x, y=y, batch_size=0), ValueError,
                        lambda m: r'`batch_size` must be a positive integer, got 0'),
    'float_steps_per_epoch': (lambda m, x, y: dict(x=x, y=y, steps_per_epoch=2.5), ValueError,
                              lambda m: r'`steps_per_epoch` must be a positive integer, got 2.5'),
    'callback_not_a_callback': (lambda m, x, y: dict(x=x, y=y, callbacks=[print]), TypeError,
                                lambda m: r'instances of kernelkit.callbacks.Callback'),
}


@pytest.mark.parametrize('case', sorted(FIT_CASES))
def test_bad_fit_call_raises_before_any_change(case):
    make_kwargs, error, pattern = FIT_CASES[case]
    model = _trained_model()
    x, y = _data()
    kwargs = make_kwargs(model, x, y)
    _raises_and_keeps_state(model, lambda: model.fit(verbose=0, **kwargs), error, pattern(model))


def test_bad_data_for_the_other_methods_keeps_state():
    model = _trained_model()
    x, y = _data()
    shape = r'expected %s to have shape \(3,\) but got array with shape \(4,\)' % _input_name(model)
    wide = np.ones((10, 4), dtype='float32')
    for call in (lambda: model.evaluate(wide, y, verbose=0), lambda: model.train_on_batch(wide, y),
                 lambda: model.test_on_batch(wide, y), lambda: model.predict(wide),
                 lambda: model.predict_on_batch(wide)):
        _raises_and_keeps_state(model, call, ValueError, shape)
    _raises_and_keeps_state(model, lambda: model.train_on_batch(x, y, class_weight={1: 2.}), ValueError,
                            r'classes \[0\] exist in the data')
    _raises_and_keeps_state(model, lambda: model.evaluate(x, y[:3], verbose=0), ValueError,
                            'same number of samples')
    _raises_and_keeps_state(model, lambda: model.evaluate(x, y, steps=0, verbose=0), ValueError,
                            '`steps` must be a positive integer')
    _raises_and_keeps_state(model, lambda: model.predict(x, batch_size=-1), ValueError,
                            '`batch_size` must be a positive integer')


def test_multi_output_target_errors_name_the_output():
    a = Input(shape=(3,), name='a')
    p = Dense(1, name='p')(a)
    q = Dense(2, name='q')(a)
    model = Model(a, [p, q])
    model.compile('sgd', 'mse')
    x, y = _data()
    model.fit(x, [y[:, :1], y], verbose=0)
    _raises_and_keeps_state(model, lambda: model.fit(x, {'p': y[:, :1]}, verbose=0), ValueError,
                            r'No data provided for "q"')
    _raises_and_keeps_state(model, lambda: model.fit(x, {'p': y[:, :1], 'q': y, 'r': y}, verbose=0),
                            ValueError, r"unknown key\(s\) \['r'\]")
    _raises_and_keeps_state(model, lambda: model.fit(x, [y[:, :1], y[:, :1]], verbose=0), ValueError,
                            r'expected q to have shape \(2,\) but got array with shape \(1,\)')
    _raises_and_keeps_state(model, lambda: model.fit(x, [y[:, :1], y], sample_weight=[np.ones(10)], verbose=0),
                            ValueError, 'sample_weight should have one entry per output')


# --------------------------------------------------------------------------------------------------
# compile


COMPILE_CASES = {
    'unknown_loss': (dict(optimizer='sgd', loss='categorical_crosentropy'), ValueError,
                     r'(?s)Unknown loss function.*categorical_crosentropy.*categorical_crossentropy'),
    'unknown_optimizer': (dict(optimizer='adamw', loss='mse'), ValueError,
                          r'(?s)Unknown optimizer.*adamw.*adam.*rmsprop.*sgd'),
    'unknown_metric': (dict(optimizer='sgd', loss='mse', metrics=['acuracy']), ValueError,
                       r'(?s)Unknown metric function.*acuracy.*categorical_accuracy'),
    'loss_list_too_long': (dict(optimizer='sgd', loss=['mse', 'mse']), ValueError,
                           r'one entry per model output.*1 outputs'),
    'loss_dict_unknown_output': (dict(optimizer='sgd', loss={'nope': 'mse'}), ValueError,
                                 r"Unknown entries in loss dictionary: \['nope'\]"),
    'metrics_dict_unknown_output': (dict(optimizer='sgd', loss='mse', metrics={'nope': ['mae']}), ValueError,
                                    r"Unknown entries in metrics dictionary: \['nope'\]"),
    'bad_sample_weight_mode': (dict(optimizer='sgd', loss='mse', sample_weight_mode='element'), ValueError,
                               r'sample_weight_mode must be None or "temporal"'),
    'unknown_keyword': (dict(optimizer='sgd', loss='mse', metric=['mae']), TypeError,
                        r"Invalid keyword argument\(s\) in `compile`: \['metric'\]"),
    'no_loss': (dict(optimizer='sgd'), ValueError, r'no loss to optimize'),
}


@pytest.mark.parametrize('case', sorted(COMPILE_CASES))
def test_bad_compile_keeps_the_previous_compile(case):
    kwargs, error, pattern = COMPILE_CASES[case]
    model = _trained_model()
    _raises_and_keeps_state(model, lambda: model.compile(**kwargs), error, pattern)
    x, y = _data()
    history = model.fit(x, y, batch_size=5, epochs=1, verbose=0)  # still trains with the old settings
    assert sorted(history.history) == ['accuracy', 'loss']
    assert int(model.optimizer.iterations.numpy()) == 4


def test_keras1_nb_epoch_is_accepted_with_a_warning():
    model = _trained_model()
    x, y = _data()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        history = model.fit(x, y, nb_epoch=2, verbose=0)
    assert any('The `nb_epoch` argument in `fit` has been renamed `epochs`.' in str(w.message) for w in caught)
    assert history.epoch == [0, 1]


def test_failed_fit_leaves_the_previous_history_in_place():
    model = _trained_model()
    first = model.history
    assert isinstance(first, callbacks_module.History) and first.epoch == [0]
    x, y = _data()
    with pytest.raises(TypeError):
        model.fit(x, y, verbose=0, callbacks=[object()])
    assert model.history is first and first.epoch == [0]
