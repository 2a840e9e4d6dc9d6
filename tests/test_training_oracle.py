"""Training against the oracle: the same tiny Dense models built in kernelkit and tf_keras (weights copied
across) must predict the same outputs, reach the same weights after three optimizer steps, and report the
same losses and metric values.

tf_keras reduces a loss as sum(score * w) / batch, which equals Keras 2.2's rule whenever no sample weight
is zero, so weighted cases here use non-zero weights (zeros are checked against numpy in test_training.py).
The optimizer oracle is `tf_keras.optimizers.legacy` (the Keras 2 update rules).
"""
import numpy as np
import pytest

import kernelkit as keras  # noqa: F401  (imports TensorFlow without Keras first)
import tf_keras

from kernelkit import optimizers

LEGACY = tf_keras.optimizers.legacy
EPS = 1e-7
OUTPUT_ATOL = 1e-5
WEIGHT_ATOL = 1e-4


def _mlp(lib, input_dim, units, activation, hidden=5):
    """A two-layer Dense Sequential model, built with `lib` (kernelkit or tf_keras)."""
    return lib.models.Sequential([
        lib.layers.Dense(hidden, activation='tanh', input_shape=(input_dim,)),
        lib.layers.Dense(units, activation=activation),
    ])


def _two_in_two_out(lib):
    """A functional model: inputs `a` (3) and `b` (2), outputs `p` (sigmoid, 1) and `q` (softmax, 3)."""
    a = lib.layers.Input(shape=(3,), name='a')
    b = lib.layers.Input(shape=(2,), name='b')
    shared = lib.layers.Dense(4, activation='tanh', name='shared')(a)
    merged = lib.layers.Dense(4, activation='relu', name='side')(b)
    both = lib.layers.Lambda(lambda t: t[0] + t[1], name='add')([shared, merged])
    p = lib.layers.Dense(1, activation='sigmoid', name='p')(both)
    q = lib.layers.Dense(3, activation='softmax', name='q')(shared)
    return lib.models.Model([a, b], [p, q])


def _twins(build):
    """Builds the same model in tf_keras and kernelkit and copies the tf_keras weights into kernelkit."""
    theirs = build(tf_keras)
    ours = build(keras)
    reference = theirs.get_weights()
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in reference]
    ours.set_weights(reference)
    return ours, theirs


def _assert_weights_close(ours, theirs, atol=WEIGHT_ATOL):
    for index, (a, b) in enumerate(zip(ours.get_weights(), theirs.get_weights())):
        np.testing.assert_allclose(a, b, atol=atol, rtol=0, err_msg='weight %d differs' % index)


def _rng(seed=0):
    return np.random.RandomState(seed)


# --------------------------------------------------------------------------------------------------
# Forward pass

def test_sequential_forward_matches_oracle():
    ours, theirs = _twins(lambda lib: _mlp(lib, 4, 3, 'softmax'))
    x = _rng().normal(size=(7, 4)).astype('float32')
    np.testing.assert_allclose(ours.predict(x, batch_size=3), theirs.predict(x, batch_size=3, verbose=0),
                               atol=OUTPUT_ATOL, rtol=0)
    np.testing.assert_allclose(ours.predict_on_batch(x), theirs.predict_on_batch(x), atol=OUTPUT_ATOL, rtol=0)


def test_functional_forward_matches_oracle():
    ours, theirs = _twins(_two_in_two_out)
    rng = _rng(1)
    xa, xb = rng.normal(size=(6, 3)).astype('float32'), rng.normal(size=(6, 2)).astype('float32')
    mine = ours.predict({'a': xa, 'b': xb}, batch_size=4)
    reference = theirs.predict([xa, xb], batch_size=4, verbose=0)
    assert len(mine) == 2
    for a, b in zip(mine, reference):
        np.testing.assert_allclose(a, b, atol=OUTPUT_ATOL, rtol=0)


# --------------------------------------------------------------------------------------------------
# Optimizers: three train_on_batch steps

OPTIMIZERS = {
    'sgd_momentum': (lambda: optimizers.SGD(lr=0.1, momentum=0.9),
                     lambda: LEGACY.SGD(learning_rate=0.1, momentum=0.9)),
    'sgd_nesterov_decay': (lambda: optimizers.SGD(lr=0.1, momentum=0.8, nesterov=True, decay=0.1),
                           lambda: LEGACY.SGD(learning_rate=0.1, momentum=0.8, nesterov=True, decay=0.1)),
    'rmsprop': (lambda: optimizers.RMSprop(lr=0.01),
                lambda: LEGACY.RMSprop(learning_rate=0.01, epsilon=EPS)),
    'adagrad': (lambda: optimizers.Adagrad(lr=0.1),
                lambda: LEGACY.Adagrad(learning_rate=0.1, initial_accumulator_value=0.0, epsilon=EPS)),
    'adadelta': (lambda: optimizers.Adadelta(),
                 lambda: LEGACY.Adadelta(learning_rate=1.0, rho=0.95, epsilon=EPS)),
    'adam_amsgrad': (lambda: optimizers.Adam(lr=0.01, amsgrad=True),
                     lambda: LEGACY.Adam(learning_rate=0.01, amsgrad=True, epsilon=EPS)),
    'adamax': (lambda: optimizers.Adamax(lr=0.02),
               lambda: LEGACY.Adamax(learning_rate=0.02, epsilon=EPS)),
    'nadam': (lambda: optimizers.Nadam(lr=0.02),
              lambda: LEGACY.Nadam(learning_rate=0.02, epsilon=EPS)),
}


@pytest.mark.parametrize('name', sorted(OPTIMIZERS))
def test_three_train_on_batch_steps_match_oracle(name):
    ours_opt, their_opt = OPTIMIZERS[name]
    ours, theirs = _twins(lambda lib: _mlp(lib, 4, 3, 'softmax'))
    ours.compile(ours_opt(), 'categorical_crossentropy', metrics=['accuracy'])
    theirs.compile(their_opt(), 'categorical_crossentropy', metrics=['accuracy'])
    rng = _rng(2)
    for step in range(3):
        x = rng.normal(size=(5, 4)).astype('float32')
        y = np.eye(3, dtype='float32')[rng.randint(0, 3, size=5)]
        mine, reference = ours.train_on_batch(x, y), theirs.train_on_batch(x, y)
        np.testing.assert_allclose(mine, reference, atol=OUTPUT_ATOL, rtol=0, err_msg='step %d' % step)
    assert int(ours.optimizer.iterations.numpy()) == 3
    _assert_weights_close(ours, theirs)


def test_fit_without_shuffle_matches_oracle_steps():
    """fit(shuffle=False) over 3 batches (the last one ragged) is 3 steps on the same batches."""
    ours, theirs = _twins(lambda lib: _mlp(lib, 4, 2, 'linear'))
    ours.compile(optimizers.Adam(lr=0.01), 'mse')
    theirs.compile(LEGACY.Adam(learning_rate=0.01, epsilon=EPS), 'mse')
    rng = _rng(3)
    x, y = rng.normal(size=(10, 4)).astype('float32'), rng.normal(size=(10, 2)).astype('float32')
    history = ours.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    reference = theirs.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    assert int(ours.optimizer.iterations.numpy()) == 3
    _assert_weights_close(ours, theirs)
    # Both report the sample-weighted mean of the three batch losses.
    np.testing.assert_allclose(history.history['loss'], reference.history['loss'], atol=1e-5, rtol=0)


def test_functional_model_steps_and_evaluate_match_oracle():
    ours, theirs = _twins(_two_in_two_out)
    compile_args = dict(loss=['binary_crossentropy', 'categorical_crossentropy'], loss_weights=[0.3, 1.5],
                        metrics=['accuracy'])
    ours.compile(optimizers.RMSprop(lr=0.01), **compile_args)
    theirs.compile(LEGACY.RMSprop(learning_rate=0.01, epsilon=EPS), **compile_args)
    assert ours.metrics_names == ['loss', 'p_loss', 'q_loss', 'p_accuracy', 'q_accuracy']
    rng = _rng(4)

    def data(n):
        return ([rng.normal(size=(n, 3)).astype('float32'), rng.normal(size=(n, 2)).astype('float32')],
                [rng.randint(0, 2, size=(n, 1)).astype('float32'),
                 np.eye(3, dtype='float32')[rng.randint(0, 3, size=n)]])

    for _ in range(3):
        x, y = data(6)
        np.testing.assert_allclose(ours.train_on_batch(x, y), theirs.train_on_batch(x, y), atol=OUTPUT_ATOL,
                                   rtol=0)
    assert ours.metrics_names == theirs.metrics_names
    _assert_weights_close(ours, theirs)
    x, y = data(9)
    weights = rng.uniform(0.5, 2., size=9).astype('float32')
    np.testing.assert_allclose(ours.evaluate(x, y, batch_size=4, verbose=0),
                               theirs.evaluate(x, y, batch_size=4, verbose=0), atol=OUTPUT_ATOL, rtol=0)
    np.testing.assert_allclose(ours.test_on_batch(x, y, sample_weight=[weights, weights]),
                               theirs.test_on_batch(x, y, sample_weight=[weights, weights]),
                               atol=OUTPUT_ATOL, rtol=0)


# --------------------------------------------------------------------------------------------------
# Losses: every Keras 2 loss, three SGD steps


def _one_hot(rng, n, classes):
    return np.eye(classes, dtype='float32')[rng.randint(0, classes, size=n)]


def _probabilities(rng, n, classes):
    p = rng.uniform(0.05, 1., size=(n, classes)).astype('float32')
    return p / p.sum(axis=1, keepdims=True)


# loss name -> (final activation, output units, target maker(rng, n), tf_keras's name for it)
LOSSES = {
    'mean_squared_error': ('linear', 3, lambda r, n: r.normal(size=(n, 3)), None),
    'mean_absolute_error': ('linear', 3, lambda r, n: r.normal(size=(n, 3)), None),
    'mean_absolute_percentage_error': ('linear', 3, lambda r, n: r.uniform(0.5, 2., size=(n, 3)), None),
    'mean_squared_logarithmic_error': ('softplus', 3, lambda r, n: r.uniform(0., 3., size=(n, 3)), None),
    'squared_hinge': ('tanh', 3, lambda r, n: r.choice([-1., 1.], size=(n, 3)), None),
    'hinge': ('tanh', 3, lambda r, n: r.choice([-1., 1.], size=(n, 3)), None),
    'categorical_hinge': ('linear', 3, lambda r, n: _one_hot(r, n, 3), None),
    'logcosh': ('linear', 3, lambda r, n: r.normal(size=(n, 3)), None),
    'categorical_crossentropy': ('softmax', 3, lambda r, n: _one_hot(r, n, 3), None),
    'sparse_categorical_crossentropy': ('softmax', 3, lambda r, n: r.randint(0, 3, size=(n, 1)), None),
    'binary_crossentropy': ('sigmoid', 3, lambda r, n: r.randint(0, 2, size=(n, 3)), None),
    'kullback_leibler_divergence': ('softmax', 3, lambda r, n: _probabilities(r, n, 3), None),
    'poisson': ('softplus', 3, lambda r, n: r.poisson(2., size=(n, 3)), None),
    'cosine_proximity': ('linear', 3, lambda r, n: r.normal(size=(n, 3)), 'cosine_similarity'),
}


@pytest.mark.parametrize('loss', sorted(LOSSES))
def test_each_loss_matches_oracle_over_three_steps(loss):
    activation, units, make_target, oracle_name = LOSSES[loss]
    ours, theirs = _twins(lambda lib: _mlp(lib, 4, units, activation))
    ours.compile(optimizers.SGD(lr=0.05, momentum=0.5), loss)
    theirs.compile(LEGACY.SGD(learning_rate=0.05, momentum=0.5), oracle_name or loss)
    rng = _rng(5)
    for step in range(3):
        x = rng.normal(size=(6, 4)).astype('float32')
        y = make_target(rng, 6).astype('float32')
        mine, reference = ours.train_on_batch(x, y), theirs.train_on_batch(x, y)
        np.testing.assert_allclose(mine, reference, atol=OUTPUT_ATOL, rtol=1e-5, err_msg='step %d' % step)
    _assert_weights_close(ours, theirs)


def test_loss_aliases_train_like_their_full_names():
    rng = _rng(6)
    x, y = rng.normal(size=(6, 4)).astype('float32'), rng.uniform(0.5, 2., size=(6, 3)).astype('float32')
    for alias, full in (('mse', 'mean_squared_error'), ('mae', 'mean_absolute_error'),
                        ('mape', 'mean_absolute_percentage_error'), ('msle', 'mean_squared_logarithmic_error'),
                        ('kld', 'kullback_leibler_divergence'), ('cosine', 'cosine_proximity')):
        short = _mlp(keras, 4, 3, 'softplus')
        long_ = _mlp(keras, 4, 3, 'softplus')
        long_.set_weights(short.get_weights())
        short.compile('sgd', alias)
        long_.compile('sgd', full)
        assert short.test_on_batch(x, y) == pytest.approx(long_.test_on_batch(x, y), abs=1e-6), alias


# --------------------------------------------------------------------------------------------------
# Metrics reported by evaluate


def _evaluate_both(units, activation, loss, metrics, y, oracle_metrics=None, sample_weight=None):
    ours, theirs = _twins(lambda lib: _mlp(lib, 4, units, activation))
    ours.compile('sgd', loss, metrics=metrics)
    theirs.compile(LEGACY.SGD(), loss, metrics=oracle_metrics or metrics)
    x = _rng(7).normal(size=(len(y), 4)).astype('float32')
    mine = ours.evaluate(x, y, batch_size=4, verbose=0, sample_weight=sample_weight)
    reference = theirs.evaluate(x, y, batch_size=4, verbose=0, sample_weight=sample_weight)
    assert ours.metrics_names == theirs.metrics_names
    np.testing.assert_allclose(mine, reference, atol=OUTPUT_ATOL, rtol=0)
    return dict(zip(ours.metrics_names, mine))


def test_accuracy_variants_match_oracle():
    rng = _rng(8)
    # Categorical (softmax + categorical_crossentropy); 'acc' is the same metric.
    values = _evaluate_both(4, 'softmax', 'categorical_crossentropy', ['accuracy', 'acc'], _one_hot(rng, 11, 4))
    assert values['accuracy'] == values['acc']
    # Sparse (sparse_categorical_crossentropy), and binary because the output has one unit (mse loss).
    _evaluate_both(4, 'softmax', 'sparse_categorical_crossentropy', ['accuracy'],
                   rng.randint(0, 4, size=(11, 1)).astype('float32'))
    _evaluate_both(1, 'sigmoid', 'mse', ['accuracy'], rng.randint(0, 2, size=(11, 1)).astype('float32'))


def test_accuracy_is_binary_with_binary_crossentropy_on_several_units():
    """Keras 2.2 picks binary_accuracy when the loss is binary_crossentropy, whatever the output width. tf_keras looks only at the width and would pick categorical, so numpy is the oracle."""
    rng = _rng(11)
    model = _mlp(keras, 4, 3, 'sigmoid')
    model.compile('sgd', 'binary_crossentropy', metrics=['acc'])
    x = rng.normal(size=(11, 4)).astype('float32')
    y = rng.randint(0, 2, size=(11, 3)).astype('float32')
    _, accuracy = model.evaluate(x, y, batch_size=4, verbose=0)
    expected = np.mean(np.equal(y, np.round(model.predict(x))))
    categorical = np.mean(np.argmax(y, -1) == np.argmax(model.predict(x), -1))
    assert accuracy == pytest.approx(expected, abs=1e-6)
    assert abs(expected - categorical) > 1e-3  # the data tells the two variants apart


def test_named_metrics_match_oracle():
    rng = _rng(9)
    values = _evaluate_both(
        8, 'softmax', 'categorical_crossentropy',
        ['categorical_accuracy', 'top_k_categorical_accuracy', 'mse', 'mae', 'msle', 'logcosh', 'poisson',
         'kullback_leibler_divergence', 'categorical_crossentropy', 'binary_accuracy'], _one_hot(rng, 13, 8))
    assert 0. < values['top_k_categorical_accuracy'] < 1.  # k=5 of 8 classes: a real test, not always 1
    _evaluate_both(8, 'softmax', 'sparse_categorical_crossentropy',
                   ['sparse_categorical_accuracy', 'sparse_top_k_categorical_accuracy'],
                   rng.randint(0, 8, size=(13, 1)).astype('float32'))
    # Labels of -1/1: tf_keras would turn 0/1 labels into -1/1 for the hinges, Keras 2.2 does not.
    _evaluate_both(3, 'tanh', 'mse', ['hinge', 'squared_hinge', 'mape', 'mean_absolute_error'],
                   rng.choice([-1., 1.], size=(13, 3)).astype('float32'))
    _evaluate_both(3, 'sigmoid', 'binary_crossentropy', ['binary_crossentropy', 'binary_accuracy'],
                   rng.randint(0, 2, size=(13, 3)).astype('float32'))


def test_custom_metric_function_and_weighted_metrics_match_oracle():
    def top2(y_true, y_pred):
        return keras.metrics.top_k_categorical_accuracy(y_true, y_pred, k=2)

    def oracle_top2(y_true, y_pred):
        return tf_keras.metrics.top_k_categorical_accuracy(y_true, y_pred, k=2)
    oracle_top2.__name__ = 'top2'
    rng = _rng(10)
    y = _one_hot(rng, 12, 5)
    values = _evaluate_both(5, 'softmax', 'categorical_crossentropy', [top2], y, oracle_metrics=[oracle_top2])
    assert set(values) == {'loss', 'top2'}
    # Weighted metrics: Keras 2.2 averages score * weight over the batch (tf_keras divides by the sum
    # of the weights instead), so numpy is the oracle here.
    model = _mlp(keras, 4, 5, 'softmax')
    weights = rng.uniform(0.2, 3., size=12).astype('float32')
    model.compile('sgd', 'categorical_crossentropy', metrics=['accuracy'], weighted_metrics=['accuracy', 'mse'])
    assert model.metrics_names == ['loss', 'accuracy', 'weighted_accuracy', 'weighted_mse']
    x = rng.normal(size=(12, 4)).astype('float32')
    loss, accuracy, weighted_accuracy, weighted_mse = model.test_on_batch(x, y, sample_weight=weights)
    p = model.predict(x)
    correct = (np.argmax(p, -1) == np.argmax(y, -1)).astype('float64')
    cross_entropy = -np.sum(y * np.log(np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS)), -1)
    assert loss == pytest.approx(np.mean(cross_entropy * weights), rel=1e-5)
    assert accuracy == pytest.approx(np.mean(correct), abs=1e-6)
    assert weighted_accuracy == pytest.approx(np.mean(correct * weights), rel=1e-5)
    assert weighted_mse == pytest.approx(np.mean(np.mean((p - y) ** 2, -1) * weights), rel=1e-5)
    assert abs(accuracy - weighted_accuracy) > 1e-3
