"""`keras.models.clone_model`: same architecture, new layers, fresh weights (oracle: tf_keras's clone_model)."""
import numpy as np
import pytest

import kernelkit as keras
from kernelkit import backend as K
from kernelkit import layers as L
from kernelkit.models import _clone_functional_model, _clone_sequential_model, clone_model


def _functional(lib):
    a, b = lib.layers.Input((4,), name='left'), lib.layers.Input((4,), name='right')
    shared = lib.layers.Dense(3, activation='tanh', name='shared')
    h = lib.layers.concatenate([shared(a), shared(b)], name='joined')
    h = lib.layers.Dropout(0.5, name='drop')(h)
    out = lib.layers.Dense(2, activation='softmax', name='out')(h)
    return lib.models.Model([a, b], out, name='two_towers')


def _inputs():
    rng = np.random.RandomState(0)
    return [rng.rand(6, 4).astype('float32'), rng.rand(6, 4).astype('float32')]


def test_functional_clone_matches_tf_keras_clone_and_keeps_sharing():
    tf_keras = pytest.importorskip('tf_keras')
    ours, theirs = clone_model(_functional(keras)), tf_keras.models.clone_model(_functional(tf_keras))
    assert [l.name for l in ours.layers] == [l.name for l in theirs.layers]
    assert [type(l).__name__ for l in ours.layers] == [type(l).__name__ for l in theirs.layers]
    assert ours.count_params() == theirs.count_params() == 3 * 5 + 7 * 2
    assert ours.name == 'two_towers'
    shared = ours.get_layer('shared')
    assert len(shared._inbound_nodes) == 2  # still applied to both inputs


def test_clone_has_new_weights_and_predicts_the_same_once_they_are_copied():
    model = _functional(keras)
    clone = clone_model(model)
    assert not any(v is w for v in model.weights for w in clone.weights)
    clone.set_weights(model.get_weights())
    np.testing.assert_array_equal(model.predict(_inputs()), clone.predict(_inputs()))
    clone.compile('sgd', 'categorical_crossentropy')
    before = model.get_weights()
    clone.fit(_inputs(), np.eye(2)[[0, 1, 0, 1, 0, 1]], epochs=2, verbose=0)
    for old, now in zip(before, model.get_weights()):
        np.testing.assert_array_equal(old, now)  # training the clone leaves the original alone


def test_recorded_backend_ops_are_replayed():
    x = L.Input((3,))
    h = L.Dense(2, name='d')(x)
    y = K.tanh(h) * 2.0 + K.mean(h, axis=-1, keepdims=True)
    model = keras.models.Model(x, y)
    clone = clone_model(model)
    clone.set_weights(model.get_weights())
    data = np.random.RandomState(1).randn(5, 3).astype('float32')
    np.testing.assert_allclose(clone.predict(data), model.predict(data), rtol=0, atol=1e-6)


def test_functional_clone_on_given_tensors():
    model = _functional(keras)
    a, b = L.Input((4,)), L.Input((4,))
    clone = clone_model(model, input_tensors=[a, b])
    assert clone.inputs == [a, b]
    with pytest.raises(ValueError, match='has 2 input'):
        clone_model(model, input_tensors=[a])


def test_sequential_clone_matches_tf_keras():
    tf_keras = pytest.importorskip('tf_keras')

    def build(lib):
        return lib.models.Sequential([lib.layers.Conv2D(4, 3, input_shape=(8, 8, 1), name='c'),
                                      lib.layers.Flatten(name='f'), lib.layers.Dense(3, name='d')], name='s')
    ours, theirs = clone_model(build(keras)), tf_keras.models.clone_model(build(tf_keras))
    assert type(ours).__name__ == 'Sequential' and ours.name == 's'
    assert [l.name for l in ours.layers] == [l.name for l in theirs.layers] == ['c', 'f', 'd']
    assert ours.count_params() == theirs.count_params()
    assert ours.output_shape == theirs.output_shape == (None, 3)


def test_sequential_clone_on_an_input_or_a_placeholder():
    model = keras.models.Sequential([L.Dense(4, input_shape=(3,)), L.Dense(1)])
    on_input = clone_model(model, input_tensors=[L.Input((3,))])
    assert on_input.count_params() == model.count_params() and on_input.input_shape == (None, 3)
    on_placeholder = clone_model(model, input_tensors=K.placeholder((None, 3)))
    assert on_placeholder.output_shape == (None, 1)
    with pytest.raises(ValueError, match='at most one tensor'):
        clone_model(model, input_tensors=[L.Input((3,)), L.Input((3,))])
    with pytest.raises(ValueError, match='other than an `InputLayer`'):
        clone_model(model, input_tensors=[L.Dense(3)(L.Input((3,)))])


def test_private_helpers_check_their_model_kind():
    sequential = keras.models.Sequential([L.Dense(1, input_shape=(2,))])
    with pytest.raises(ValueError, match='functional `Model` instance, got a `Sequential`'):
        _clone_functional_model(sequential)
    with pytest.raises(ValueError, match='to be a `Sequential` model instance'):
        _clone_sequential_model(_functional(keras))
    with pytest.raises(ValueError, match='to be a `Model` instance'):
        _clone_functional_model(L.Dense(2))


def test_multi_gpu_utils_serves_the_same_function():
    from kernelkit.utils import multi_gpu_utils
    assert multi_gpu_utils.clone_model is clone_model
