"""`load_model` on files that name custom code they do not contain (issue 11, item 8): a missing loss,
metric or optimizer leaves the model uncompiled, a missing initializer/regularizer/constraint gives way
to the layer's default, one `MissingCustomObjectWarning` names them all, and the model predicts exactly
what the original did. Missing custom layers still raise."""
import os
import warnings

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

import kernelkit as keras  # noqa: E402
from kernelkit.engine.saving import MissingCustomObjectWarning  # noqa: E402

tf_keras = pytest.importorskip('tf_keras')

X = np.random.RandomState(0).rand(8, 4).astype('float32')
Y = np.random.RandomState(1).rand(8, 3).astype('float32')


def hubert_loss(y_true, y_pred):
    return tf.reduce_mean(tf.abs(y_true - y_pred), axis=-1)


def my_init(shape, dtype=None):
    return tf.ones(shape, dtype=dtype or 'float32') * 0.1


@pytest.fixture(scope='module')
def tf_keras_file(tmp_path_factory):
    """A tf_keras model with a custom loss, a lambda metric and a custom function initializer."""
    inputs = tf_keras.Input((4,))
    hidden = tf_keras.layers.Dense(5, activation='tanh', kernel_initializer=my_init, name='dense')(inputs)
    outputs = tf_keras.layers.Dense(3, name='out')(hidden)
    model = tf_keras.Model(inputs, outputs)
    model.compile('adam', loss=hubert_loss, metrics=[lambda y_true, y_pred: tf.reduce_mean(y_pred), 'mae'])
    model.fit(X, Y, epochs=2, verbose=0)
    path = str(tmp_path_factory.mktemp('tfk') / 'custom.h5')
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        model.save(path)
    return path, model.predict(X, verbose=0)


def load_recording(path, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        model = keras.models.load_model(path, **kwargs)
    return model, [w for w in caught if issubclass(w.category, MissingCustomObjectWarning)]


def test_the_warning_is_a_user_warning():
    assert issubclass(MissingCustomObjectWarning, UserWarning)
    assert keras.models.load_model.__module__ == 'kernelkit.engine.saving'


def test_a_tf_keras_file_with_missing_custom_objects_loads_for_inference(tf_keras_file):
    path, expected = tf_keras_file
    model, caught = load_recording(path)
    assert len(caught) == 1
    text = str(caught[0].message)
    assert "loss 'hubert_loss'" in text and "metric '<lambda>'" in text
    assert "initializer 'my_init' (layer 'dense', kernel_initializer)" in text
    assert "custom_objects={'my_init': ..., 'hubert_loss': ..., '<lambda>': ...}" in text
    assert 'not* compiled' in text and "layer's default" in text
    assert "'mae'" not in text
    assert model.optimizer is None
    np.testing.assert_allclose(model.predict(X), expected, rtol=1e-5, atol=1e-6)
    # the default of Dense replaced the missing initializer
    assert type(model.get_layer('dense').kernel_initializer).__name__ == 'VarianceScaling'


def test_given_custom_objects_still_compile_and_train(tf_keras_file):
    path, expected = tf_keras_file
    metric = lambda y_true, y_pred: tf.reduce_mean(y_pred)  # noqa: E731
    model, caught = load_recording(path, custom_objects={'hubert_loss': hubert_loss, '<lambda>': metric,
                                                         'my_init': my_init})
    assert caught == []
    assert model.optimizer is not None and model.loss is hubert_loss
    assert model.get_layer('dense').kernel_initializer is my_init
    np.testing.assert_allclose(model.predict(X), expected, rtol=1e-5, atol=1e-6)
    loss = model.evaluate(X, Y, verbose=0)[0]
    np.testing.assert_allclose(loss, np.mean(np.abs(Y - expected)), rtol=1e-4)
    model.fit(X, Y, epochs=1, verbose=0)


def test_only_the_pieces_still_missing_are_named(tf_keras_file):
    path, expected = tf_keras_file
    model, caught = load_recording(path, custom_objects={'hubert_loss': hubert_loss, 'my_init': my_init})
    assert len(caught) == 1
    text = str(caught[0].message)
    assert "metric '<lambda>'" in text and 'hubert_loss' not in text and 'my_init' not in text
    assert model.optimizer is None


def test_compile_false_needs_no_loss_or_metric(tf_keras_file):
    path, expected = tf_keras_file
    model, caught = load_recording(path, compile=False, custom_objects={'my_init': my_init})
    assert caught == []
    np.testing.assert_allclose(model.predict(X), expected, rtol=1e-5, atol=1e-6)


class ScaledInit(keras.initializers.Initializer):
    def __call__(self, shape, dtype=None):
        return tf.ones(shape, dtype=dtype or 'float32') * 0.3


class SmallL2(keras.regularizers.Regularizer):
    def __call__(self, x):
        return 0.01 * tf.reduce_sum(tf.square(x))


class Clip(keras.constraints.Constraint):
    def __call__(self, w):
        return tf.clip_by_value(w, -2., 2.)


def custom_mse(y_true, y_pred):
    return tf.reduce_mean(tf.square(y_true - y_pred), axis=-1)


def kernelkit_file(tmp_path):
    model = keras.models.Sequential([
        keras.layers.Dense(5, input_shape=(4,), kernel_initializer=ScaledInit(), kernel_regularizer=SmallL2(),
                           kernel_constraint=Clip(), bias_initializer=my_init, name='first'),
        keras.layers.Dense(3, name='second')])
    model.compile('sgd', custom_mse, metrics=[hubert_loss])
    model.fit(X, Y, epochs=2, verbose=0)
    path = str(tmp_path / 'kk.h5')
    model.save(path)
    return path, model.predict(X)


def test_a_kernelkit_file_with_missing_custom_classes_loads_with_layer_defaults(tmp_path):
    path, expected = kernelkit_file(tmp_path)
    model, caught = load_recording(path)
    assert len(caught) == 1
    text = str(caught[0].message)
    for piece in ("initializer 'ScaledInit' (layer 'first', kernel_initializer)",
                  "initializer 'my_init' (layer 'first', bias_initializer)",
                  "regularizer 'SmallL2' (layer 'first', kernel_regularizer)",
                  "constraint 'Clip' (layer 'first', kernel_constraint)",
                  "loss 'custom_mse'", "metric 'hubert_loss'"):
        assert piece in text, piece
    first = model.get_layer('first')
    assert first.kernel_regularizer is None and first.kernel_constraint is None
    assert type(first.bias_initializer).__name__ == 'Zeros'
    assert model.optimizer is None
    np.testing.assert_allclose(model.predict(X), expected, rtol=1e-6, atol=1e-7)


def test_a_kernelkit_file_loads_whole_with_its_custom_objects(tmp_path):
    path, expected = kernelkit_file(tmp_path)
    objects = {'ScaledInit': ScaledInit, 'SmallL2': SmallL2, 'Clip': Clip, 'my_init': my_init,
               'custom_mse': custom_mse, 'hubert_loss': hubert_loss}
    model, caught = load_recording(path, custom_objects=objects)
    assert caught == []
    assert isinstance(model.get_layer('first').kernel_regularizer, SmallL2)
    assert model.loss is custom_mse and model.optimizer is not None
    np.testing.assert_allclose(model.predict(X), expected, rtol=1e-6, atol=1e-7)


class Doubling(keras.layers.Layer):
    def call(self, inputs):
        return inputs * 2


def test_a_missing_custom_layer_still_raises(tmp_path):
    model = keras.models.Sequential([keras.layers.Dense(2, input_shape=(4,)), Doubling()])
    path = str(tmp_path / 'layer.h5')
    model.save(path)
    with pytest.raises(ValueError, match="Unknown layer: 'Doubling'"):
        keras.models.load_model(path)
    loaded = keras.models.load_model(path, custom_objects={'Doubling': Doubling})
    np.testing.assert_allclose(loaded.predict(X), model.predict(X), rtol=1e-6)


def my_activation(x):
    return x * 3


def test_a_missing_activation_still_raises_because_it_changes_predictions(tmp_path):
    model = keras.models.Sequential([keras.layers.Dense(2, input_shape=(4,), activation=my_activation)])
    path = str(tmp_path / 'act.h5')
    model.save(path)
    with pytest.raises(ValueError, match='my_activation'):
        keras.models.load_model(path)
