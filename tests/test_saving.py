"""Saving and loading: Keras 2 HDF5 layout, round trips, interoperability with tf_keras, safety."""
import json
import os
import subprocess
import sys
import textwrap

import h5py
import numpy as np
import pytest
import tf_keras

import kernelkit as keras
from kernelkit.engine.saving import hdf5_format
from kernelkit.layers import Dense, Dropout, Input, Lambda
from kernelkit.models import Model, Sequential, load_model, model_from_json, model_from_yaml

RNG = np.random.RandomState(0)
X = RNG.rand(16, 3).astype('float32')
Y = np.eye(2)[RNG.randint(0, 2, 16)].astype('float32')


def sequential_model():
    model = Sequential([Dense(4, input_shape=(3,), activation='relu'), Dense(2, activation='softmax')])
    model.compile('adam', 'categorical_crossentropy', metrics=['accuracy'])
    return model


def functional_model():
    inputs = Input(shape=(3,), name='features')
    shared = Dense(4, activation='tanh', name='shared')
    a = shared(inputs)
    b = shared(Dense(3, name='pre')(inputs))
    inner_in = Input(shape=(4,))
    inner = Model(inner_in, Dense(4, name='inner_dense')(inner_in), name='inner')
    merged = Lambda(lambda t: t[0] + t[1], name='plus')([inner(a), b])
    outputs = Dense(2, activation='softmax', name='out')(merged)
    model = Model(inputs, outputs)
    model.compile(keras.optimizers.SGD(lr=0.1, momentum=0.9), 'categorical_crossentropy')
    return model


def test_sequential_round_trip_keeps_predictions_config_and_optimizer(tmp_path):
    model = sequential_model()
    model.fit(X, Y, epochs=2, verbose=0)
    path = str(tmp_path / 'model.h5')
    model.save(path)
    loaded = load_model(path)
    np.testing.assert_allclose(loaded.predict(X), model.predict(X), atol=1e-6)
    assert loaded.get_config() == model.get_config()
    for ours, theirs in zip(loaded.optimizer.get_weights(), model.optimizer.get_weights()):
        np.testing.assert_array_equal(ours, theirs)
    # resuming: the next steps give the same weights as the model that never stopped
    for _ in range(3):
        model.train_on_batch(X, Y)
        loaded.train_on_batch(X, Y)
    for ours, theirs in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_allclose(ours, theirs, atol=1e-6)


@pytest.mark.parametrize('name', ['sgd', 'rmsprop', 'adagrad', 'adadelta', 'adam', 'adamax', 'nadam'])
def test_every_optimizer_resumes_exactly(tmp_path, name):
    model = Sequential([Dense(3, input_shape=(3,)), Dense(2)])
    model.compile(name, 'mse')
    model.fit(X, Y, epochs=1, batch_size=8, verbose=0, shuffle=False)
    path = str(tmp_path / 'opt.h5')
    model.save(path)
    loaded = load_model(path)
    for _ in range(2):
        model.train_on_batch(X, Y)
        loaded.train_on_batch(X, Y)
    for ours, theirs in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_allclose(ours, theirs, atol=1e-6)


def test_functional_shared_nested_lambda_round_trip(tmp_path):
    model = functional_model()
    model.fit(X, Y, epochs=1, verbose=0)
    path = str(tmp_path / 'functional.h5')
    model.save(path)
    with pytest.raises(ValueError, match='safe_mode=False'):
        load_model(path)
    loaded = load_model(path, safe_mode=False)
    np.testing.assert_allclose(loaded.predict(X), model.predict(X), atol=1e-6)
    assert [l.name for l in loaded.layers] == [l.name for l in model.layers]


def test_layout_matches_keras2(tmp_path):
    model = sequential_model()
    model.fit(X, Y, epochs=1, verbose=0)
    path = str(tmp_path / 'layout.h5')
    model.save(path)
    with h5py.File(path, 'r') as f:
        assert isinstance(f.attrs['keras_version'], bytes)  # fixed-length, as Keras 2 wrote it
        assert f.attrs['backend'] == b'tensorflow'
        config = json.loads(f.attrs['model_config'])
        assert config['class_name'] == 'Sequential'
        training = json.loads(f.attrs['training_config'])
        assert training['optimizer_config']['class_name'] == 'Adam'
        assert 'lr' in training['optimizer_config']['config']
        assert training['loss'] == 'categorical_crossentropy' and training['metrics'] == ['accuracy']
        weights = f['model_weights']
        assert hdf5_format.read_name_list(weights, 'layer_names') == ['dense_1', 'dense_2']
        assert hdf5_format.read_name_list(weights['dense_1'], 'weight_names') == [
            'dense_1/kernel:0', 'dense_1/bias:0']
        assert weights['dense_1']['dense_1/kernel:0'].shape == (3, 4)
        assert hdf5_format.read_name_list(f['optimizer_weights'], 'weight_names')


def test_kernelkit_file_loads_in_tf_keras_and_back(tmp_path):
    model = sequential_model()
    model.fit(X, Y, epochs=1, verbose=0)
    path = str(tmp_path / 'ours.h5')
    model.save(path)
    theirs = tf_keras.models.load_model(path)
    np.testing.assert_allclose(theirs.predict(X, verbose=0), model.predict(X), atol=1e-5)

    inputs = tf_keras.Input(shape=(3,))
    hidden = tf_keras.layers.Dense(5, activation='relu')(inputs)
    outputs = tf_keras.layers.Dense(2, activation='softmax')(hidden)
    reference = tf_keras.Model(inputs, outputs)
    reference.compile(tf_keras.optimizers.legacy.Adam(), 'categorical_crossentropy', metrics=['accuracy'])
    reference.fit(X, Y, epochs=1, verbose=0)
    their_path = str(tmp_path / 'theirs.h5')
    reference.save(their_path)
    with pytest.warns(UserWarning, match='optimizer'):
        ours = load_model(their_path)  # tf_keras optimizer state has another layout: fresh state, warned
    np.testing.assert_allclose(ours.predict(X), reference.predict(X, verbose=0), atol=1e-5)
    assert ours.optimizer.__class__.__name__ == 'Adam'

    weights_path = str(tmp_path / 'theirs_weights.h5')
    reference.save_weights(weights_path)
    clone = Model.from_config(ours.get_config())
    clone.load_weights(weights_path)
    np.testing.assert_allclose(clone.predict(X), reference.predict(X, verbose=0), atol=1e-5)


def _rewrite_strings(path, variable_length=True, chunk=False, drop_top_level=False):
    """Rewrites a file's string attributes in the forms other writers use."""
    with h5py.File(path, 'a') as f:
        groups = [f, f['model_weights']] + [f['model_weights'][n] for n in f['model_weights']]
        for group in groups:
            for key in list(group.attrs):
                value = group.attrs[key]
                if isinstance(value, bytes) and variable_length:
                    group.attrs[key] = value.decode('utf8')
                elif isinstance(value, np.ndarray) and value.dtype.kind == 'S':
                    names = [v.decode('utf8') for v in value]
                    if chunk and key == 'layer_names':
                        del group.attrs[key]
                        for i, part in enumerate(np.array_split(np.array(names, dtype=object), 2)):
                            group.attrs['layer_names%d' % i] = [str(p) for p in part]
                    elif variable_length:
                        group.attrs[key] = names if names else np.zeros((0,), 'float64')
        if not drop_top_level:
            group = f['model_weights'].create_group('top_level_model_weights')
            group.attrs['weight_names'] = np.zeros((0,), 'float64')


@pytest.mark.parametrize('variant', ['variable_length', 'chunked', 'top_level_group'])
def test_reader_accepts_other_writers_string_forms(tmp_path, variant):
    model = sequential_model()
    path = str(tmp_path / 'variant.h5')
    model.save(path)
    _rewrite_strings(path, variable_length=variant != 'top_level_group', chunk=variant == 'chunked',
                     drop_top_level=variant != 'top_level_group')
    loaded = load_model(path)
    np.testing.assert_allclose(loaded.predict(X), model.predict(X), atol=1e-6)


def test_model_and_functional_class_names_and_zero_based_names(tmp_path):
    model = functional_model()
    config = json.loads(model.to_json())
    text = json.dumps(config).replace('"class_name": "Model"', '"class_name": "Functional"')
    rebuilt = model_from_json(text, safe_mode=False)
    assert type(rebuilt) is Model
    inputs = Input(shape=(3,), name='input')
    zero_based = Model(inputs, Dense(2, name='dense')(Dense(3, name='dense_0')(inputs)))
    again = model_from_json(zero_based.to_json())
    assert [l.name for l in again.layers] == ['input', 'dense_0', 'dense']


def test_open_h5py_objects_are_accepted(tmp_path):
    model = sequential_model()
    path = str(tmp_path / 'handle.h5')
    with h5py.File(path, 'w') as f:
        model.save(f)
    with h5py.File(path, 'r') as f:
        loaded = load_model(f)
    np.testing.assert_allclose(loaded.predict(X), model.predict(X), atol=1e-6)
    with h5py.File(str(tmp_path / 'group.h5'), 'w') as f:
        model.save_weights(f.create_group('inner'))
    with h5py.File(str(tmp_path / 'group.h5'), 'r') as f:
        fresh = sequential_model()
        fresh.load_weights(f['inner'])
    np.testing.assert_allclose(fresh.predict(X), model.predict(X), atol=1e-6)


def test_json_and_yaml_configs():
    model = functional_model()
    text = model.to_json()
    assert json.loads(text)['keras_version'] and json.loads(text)['backend'] == 'tensorflow'
    for rebuilt in (model_from_json(text, safe_mode=False), model_from_yaml(model.to_yaml(), safe_mode=False)):
        rebuilt.set_weights(model.get_weights())
        np.testing.assert_allclose(rebuilt.predict(X), model.predict(X), atol=1e-6)
    sequential = sequential_model()
    assert Sequential.from_config(sequential.get_config()).get_config() == sequential.get_config()


def test_custom_objects_and_scope(tmp_path):
    class Scale(keras.layers.Layer):
        def call(self, inputs):
            return inputs * 2.

    def my_loss(y_true, y_pred):
        return keras.losses.mean_squared_error(y_true, y_pred)

    model = Sequential([Dense(2, input_shape=(3,)), Scale()])
    model.compile('sgd', my_loss)
    path = str(tmp_path / 'custom.h5')
    model.save(path)
    with pytest.raises(ValueError, match="Unknown layer: 'Scale'.*custom_objects"):
        load_model(path)
    loaded = load_model(path, custom_objects={'Scale': Scale, 'my_loss': my_loss})
    np.testing.assert_allclose(loaded.predict(X), model.predict(X), atol=1e-6)
    with keras.utils.generic_utils.custom_object_scope({'Scale': Scale, 'my_loss': my_loss}):
        np.testing.assert_allclose(load_model(path).predict(X), model.predict(X), atol=1e-6)


def test_weight_mismatches_raise_before_any_change(tmp_path):
    source = Sequential([Dense(4, input_shape=(3,)), Dense(2)])
    path = str(tmp_path / 'weights.h5')
    source.save_weights(path)
    target = Sequential([Dense(5, input_shape=(3,)), Dense(2)])
    before = target.get_weights()
    with pytest.raises(ValueError, match=r'dense.*shape \(3, 5\).*\(3, 4\)'):
        target.load_weights(path)
    for a, b in zip(before, target.get_weights()):
        np.testing.assert_array_equal(a, b)
    three = Sequential([Dense(4, input_shape=(3,)), Dense(2), Dense(2)])
    with pytest.raises(ValueError, match='containing 2 layers into a model with 3 layers'):
        three.load_weights(path)

    named = Sequential([Dense(4, input_shape=(6,), name=source.layers[0].name),
                        Dense(2, name=source.layers[1].name)])
    kept = named.layers[0].get_weights()
    with pytest.warns(UserWarning, match='Skipping loading of weights for layer %s' % named.layers[0].name):
        named.load_weights(path, by_name=True, skip_mismatch=True)
    np.testing.assert_array_equal(named.layers[0].get_weights()[0], kept[0])
    np.testing.assert_array_equal(named.layers[1].get_weights()[0], source.layers[1].get_weights()[0])


def test_damaged_files_raise_clear_errors(tmp_path):
    model = sequential_model()
    path = str(tmp_path / 'good.h5')
    model.save(path)
    truncated = str(tmp_path / 'truncated.h5')
    with open(path, 'rb') as f:
        data = f.read()
    with open(truncated, 'wb') as f:
        f.write(data[:len(data) // 2])
    with pytest.raises(ValueError, match='truncated or corrupt'):
        load_model(truncated)
    with h5py.File(path, 'a') as f:
        del f['model_weights']['dense_2']['dense_2']['bias:0']
    fresh = sequential_model()
    before = fresh.get_weights()
    with pytest.raises(ValueError, match='dense_2/bias:0.*missing'):
        fresh.load_weights(path)
    for a, b in zip(before, fresh.get_weights()):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(IOError, match='no such file'):
        load_model(str(tmp_path / 'absent.h5'))


def test_save_is_atomic_when_the_process_dies_mid_write(tmp_path):
    """A process killed in the middle of a save leaves the previous file intact."""
    path = str(tmp_path / 'model.h5')
    script = textwrap.dedent('''
        import os, signal, sys
        import numpy as np
        import kernelkit as keras
        from kernelkit.engine.saving import hdf5_format
        from kernelkit.layers import Dense
        model = keras.models.Sequential([Dense(64, input_shape=(32,)), Dense(8)])
        model.save(sys.argv[1])
        np.save(sys.argv[1] + '.expected.npy', model.predict(np.ones((2, 32), 'float32')))
        for layer in model.layers:
            layer.set_weights([w + 1 for w in layer.get_weights()])
        original = hdf5_format.save_weights_to_group
        def dying(group, layers):
            original(group, layers[:1])        # half of the weights are written...
            os.kill(os.getpid(), signal.SIGKILL)  # ...and the process dies
        hdf5_format.save_weights_to_group = dying
        model.save(sys.argv[1])
    ''')
    result = subprocess.run([sys.executable, '-c', script, path], capture_output=True, timeout=300)
    assert result.returncode == -9, result.stderr.decode()[-2000:]
    loaded = load_model(path)
    np.testing.assert_allclose(loaded.predict(np.ones((2, 32), 'float32')), np.load(path + '.expected.npy'),
                               atol=1e-6)


def test_overwrite_false_refuses(tmp_path):
    model = sequential_model()
    path = str(tmp_path / 'once.h5')
    model.save(path)
    with pytest.raises(FileExistsError):
        model.save(path, overwrite=False)


def test_load_model_without_training_config_warns(tmp_path):
    model = Sequential([Dense(2, input_shape=(3,)), Dropout(0.5)])
    path = str(tmp_path / 'plain.h5')
    model.save(path)
    with pytest.warns(UserWarning, match='No training configuration'):
        loaded = load_model(path)
    assert loaded.optimizer is None
    assert load_model(path, compile=False).optimizer is None
