"""Errors that teach: each classic beginner mistake stops before any state changes, with Keras 2's own
wording followed by a `Hint:` that names the fix; three silent mistakes give a `TrainingHint` warning."""
import warnings

import numpy as np
import pytest

import kernelkit as keras
from kernelkit import layers as L
from kernelkit.engine.hints import TrainingHint
from kernelkit.models import Sequential
from kernelkit.utils import to_categorical

rng = np.random.RandomState(0)
X = rng.rand(20, 10).astype('float32')
Y_INT = rng.randint(0, 3, 20)
Y_ONE_HOT = to_categorical(Y_INT, 3)


def mlp(outputs=3, activation='softmax', loss='categorical_crossentropy', compile=True):
    model = Sequential([L.Dense(8, activation='relu', input_shape=(10,)), L.Dense(outputs, activation=activation)])
    if compile:
        model.compile('adam', loss)
    return model


def fails_unchanged(model, call, error=ValueError):
    """Runs `call(model)`, which must raise `error`; the weights and optimizer step count must not change."""
    weights = [w.copy() for w in model.get_weights()]
    iterations = int(keras.backend.get_value(model.optimizer.iterations)) if model.optimizer else None
    with pytest.raises(error) as raised:
        call(model)
    for before, after in zip(weights, model.get_weights()):
        np.testing.assert_array_equal(before, after)
    if iterations is not None:
        assert int(keras.backend.get_value(model.optimizer.iterations)) == iterations
    message = str(raised.value)
    keras_part, _, hint = message.partition('\nHint: ')
    return keras_part, hint


def test_1_fit_before_compile():
    keras_part, hint = fails_unchanged(mlp(compile=False), lambda m: m.fit(X, Y_ONE_HOT, verbose=0), RuntimeError)
    assert keras_part == 'You must compile your model before training/testing. Use `model.compile(optimizer, loss)`.'
    assert "model.compile(optimizer='adam', loss='categorical_crossentropy'" in hint


def test_2_wrong_feature_count_names_the_layer_and_both_sizes():
    model = mlp()
    keras_part, hint = fails_unchanged(model, lambda m: m.fit(rng.rand(20, 12), Y_ONE_HOT, verbose=0))
    first = model.layers[0].name
    assert keras_part == ('Error when checking input: expected %s_input to have shape (10,) but got array with '
                          'shape (12,)' % first)
    assert hint.startswith('layer `%s` was built for 10 features per sample, but each row of your data has 12.'
                           % first)
    assert '`input_shape=(12,)`' in hint


def test_3_integer_labels_with_categorical_crossentropy():
    keras_part, hint = fails_unchanged(mlp(), lambda m: m.fit(X, Y_INT, verbose=0))
    assert 'to_categorical(y_int)' in keras_part and '`sparse_categorical_crossentropy`' in keras_part


def test_4_one_hot_labels_with_sparse_categorical_crossentropy():
    keras_part, hint = fails_unchanged(mlp(loss='sparse_categorical_crossentropy'),
                                       lambda m: m.fit(X, Y_ONE_HOT, verbose=0))
    assert keras_part.startswith('Error when checking target: `sparse_categorical_crossentropy` expects integer')
    assert "one-hot encoded (3 columns" in hint and "loss='categorical_crossentropy'" in hint
    assert 'y.argmax(axis=1)' in hint


def test_5_images_without_a_channel_axis():
    with pytest.raises(ValueError) as raised:
        Sequential([L.Conv2D(4, 3, input_shape=(28, 28))])
    assert 'expected ndim=4, found ndim=3' in str(raised.value)
    assert '`input_shape=(28, 28, 1)`' in str(raised.value) and 'np.expand_dims(x, -1)' in str(raised.value)
    model = Sequential([L.Conv2D(4, 3, input_shape=(28, 28, 1)), L.Flatten(), L.Dense(3, activation='softmax')])
    model.compile('adam', 'categorical_crossentropy')
    keras_part, hint = fails_unchanged(model, lambda m: m.fit(rng.rand(5, 28, 28), Y_ONE_HOT[:5], verbose=0))
    assert keras_part.endswith('but got array with shape (5, 28, 28)')
    assert hint.startswith('images need a channel axis: 5 samples of (28, 28) should be shaped (5, 28, 28, 1).')


def test_6_x_and_y_of_different_lengths():
    keras_part, hint = fails_unchanged(mlp(), lambda m: m.fit(X, Y_ONE_HOT[:15], verbose=0))
    assert keras_part.endswith('Found 20 input samples and 15 target samples.')
    assert hint.startswith('`x` has 20 samples and `y` has 15')


def test_7_dense_after_conv_without_flatten():
    model = Sequential([L.Conv2D(4, 3, input_shape=(8, 8, 1)), L.Dense(3, activation='softmax')])
    model.compile('adam', 'categorical_crossentropy')
    keras_part, hint = fails_unchanged(model, lambda m: m.fit(rng.rand(5, 8, 8, 1), Y_ONE_HOT[:5], verbose=0))
    assert keras_part.endswith('to have shape (6, 6, 3) but got array with shape (3,)')
    assert 'Add `Flatten()`' in hint


def test_8_summary_of_an_unbuilt_sequential_names_input_shape():
    model = Sequential([L.Dense(3)])
    with pytest.raises(ValueError) as raised:
        model.summary()
    assert 'This model has not yet been built.' in str(raised.value)
    assert 'Give the first layer `input_shape`, e.g. `Dense(32, input_shape=(784,))`' in str(raised.value)


def test_9_class_count_mismatch_names_both_counts():
    model = mlp(outputs=4)
    keras_part, hint = fails_unchanged(model, lambda m: m.fit(X, Y_ONE_HOT, verbose=0))
    assert keras_part.endswith('to have shape (4,) but got array with shape (3,)')
    assert 'has 4 units, but the labels are one-hot with 3 classes' in hint and '`Dense(3, ...)`' in hint


def test_10_predict_one_sample_without_the_batch_axis():
    keras_part, hint = fails_unchanged(mlp(), lambda m: m.predict(X[0]))
    assert keras_part.endswith('to have shape (10,) but got array with shape (1,)')
    assert '`x[None]`' in hint and '`np.expand_dims(x, 0)`' in hint
    images = Sequential([L.Conv2D(2, 3, input_shape=(8, 8, 1)), L.Flatten(), L.Dense(1)])
    _, hint = fails_unchanged(images, lambda m: m.predict(rng.rand(8, 8, 1)))
    assert 'one sample without the batch axis' in hint


def test_11_string_labels():
    labels = np.array(['cat', 'dog', 'fish'] * 6 + ['cat', 'dog'])
    keras_part, hint = fails_unchanged(mlp(), lambda m: m.fit(X, labels, verbose=0))
    assert 'could not convert the strings' in keras_part
    assert "('cat', 'dog', 'fish', ...)" in hint and 'np.unique(y, return_inverse=True)' in hint
    assert 'to_categorical(y_int)' in hint


def _hints(function):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        function()
    return [str(w.message) for w in caught if issubclass(w.category, TrainingHint)]


def test_12_softmax_over_one_unit_warns():
    messages = _hints(lambda: mlp(outputs=1, loss='binary_crossentropy'))
    assert len(messages) == 1 and 'softmax over a single unit: its output is always 1.0' in messages[0]
    assert "activation='sigmoid'" in messages[0]
    assert _hints(lambda: mlp(outputs=1, activation='sigmoid', loss='binary_crossentropy')) == []


def test_13_binary_crossentropy_on_a_multi_class_softmax_warns():
    messages = _hints(lambda: mlp(loss='binary_crossentropy'))
    assert len(messages) == 1 and 'softmax over 3 classes' in messages[0]
    assert "loss='categorical_crossentropy'" in messages[0]
    assert _hints(lambda: mlp(outputs=2, loss='binary_crossentropy')) == []
    assert _hints(lambda: mlp(activation='sigmoid', loss='binary_crossentropy')) == []


def _image_model():
    model = Sequential([L.Flatten(input_shape=(8, 8, 1)), L.Dense(3, activation='softmax')])
    model.compile('sgd', 'categorical_crossentropy')
    return model


def test_14_raw_pixel_values_give_one_hint_per_model():
    pixels = rng.randint(0, 256, (20, 8, 8, 1)).astype('uint8')
    model = _image_model()
    messages = _hints(lambda: model.fit(pixels, Y_ONE_HOT, verbose=0))
    assert len(messages) == 1 and 'x = x / 255.0' in messages[0] and 'up to 255' in messages[0]
    assert _hints(lambda: model.fit(pixels, Y_ONE_HOT, verbose=0)) == []  # once per model
    assert len(_hints(lambda: _image_model().fit(pixels.astype('float32'), Y_ONE_HOT, verbose=0))) == 1


@pytest.mark.parametrize('data', [
    rng.rand(20, 8, 8, 1),                                   # scaled images
    rng.randn(20, 8, 8, 1) * 50,                             # standardized, large
    np.round(rng.rand(20, 8, 8, 1) * 10),                    # small integers
    rng.randint(0, 1000, (20, 8, 8, 1)).astype('float32'),   # counts beyond 255
    (rng.rand(20, 8, 8, 1) * 255).astype('float32'),         # 0-255 but not whole numbers
])
def test_14_the_scale_hint_never_fires_on_ordinary_data(data):
    assert _hints(lambda: _image_model().fit(data, Y_ONE_HOT, verbose=0)) == []
    assert _hints(lambda: mlp().fit(rng.randint(0, 200, (20, 10)).astype('float32'), Y_ONE_HOT, verbose=0)) == []
