"""Lambda layers written by tf_keras (`function_type`, `module`, `output_shape_type`,
`output_shape_module`, `arguments`, bytecode as `[code, defaults, closure]` or a string, or a function
name) load into kernelkit, and predict what tf_keras predicts."""
import json
import os
import warnings

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')

import h5py  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

import kernelkit as keras  # noqa: E402

tf_keras = pytest.importorskip('tf_keras')

X = np.random.RandomState(0).rand(5, 4).astype('float32')
_OFFSET = 0.25  # a name only this module has: the functions below need their module's globals


def shifted_square(x, power=2):
    return tf.pow(x, power) + _OFFSET


def same_shape(input_shape):
    return input_shape


def scale(x, factor):
    return x * factor


def tf_keras_model():
    inputs = tf_keras.Input((4,))
    hidden = tf_keras.layers.Dense(3, name='dense')(inputs)
    hidden = tf_keras.layers.Lambda(lambda x: x * 2.0 + _OFFSET, output_shape=(3,), name='plain_lambda')(hidden)
    hidden = tf_keras.layers.Lambda(shifted_square, output_shape=same_shape, name='named_function')(hidden)
    outputs = tf_keras.layers.Lambda(scale, arguments={'factor': 1.5}, name='with_arguments')(hidden)
    return tf_keras.Model(inputs, outputs)


@pytest.fixture(scope='module')
def saved(tmp_path_factory):
    model = tf_keras_model()
    path = str(tmp_path_factory.mktemp('lam') / 'lambda.h5')
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        model.save(path)
    return path, model.predict(X, verbose=0)


def layer_configs(path):
    with h5py.File(path, 'r') as f:
        config = json.loads(f.attrs['model_config'])
    return {layer['config']['name']: layer['config'] for layer in config['config']['layers']}


def test_the_file_has_the_tf_keras_lambda_keys(saved):
    configs = layer_configs(saved[0])
    named = configs['named_function']
    assert named['function_type'] == 'lambda' and isinstance(named['function'], list)
    assert named['module'] == __name__ and named['output_shape_module'] == __name__
    assert named['output_shape_type'] == 'lambda'
    assert configs['plain_lambda']['output_shape_type'] == 'raw'
    assert configs['with_arguments']['arguments'] == {'factor': 1.5}


def test_tf_keras_lambdas_load_and_predict_the_same(saved):
    path, expected = saved
    model = keras.models.load_model(path, safe_mode=False)
    np.testing.assert_allclose(model.predict(X), expected, rtol=1e-5, atol=1e-6)
    assert model.get_layer('plain_lambda').compute_output_shape((None, 3)) == (None, 3)
    assert model.get_layer('named_function').compute_output_shape((None, 3)) == (None, 3)
    assert model.get_layer('with_arguments').arguments == {'factor': 1.5}


def test_bytecode_is_refused_in_safe_mode(saved):
    with pytest.raises(ValueError, match='safe_mode=False'):
        keras.models.load_model(saved[0])


def edited_file(path, tmp_path, edit):
    with h5py.File(path, 'r') as f:
        config = json.loads(f.attrs['model_config'])
    for layer in config['config']['layers']:
        edit(layer['config'])
    target = str(tmp_path / 'edited.h5')
    with h5py.File(path, 'r') as source, h5py.File(target, 'w') as f:
        for key in source.attrs:
            f.attrs[key] = source.attrs[key]
        f.attrs['model_config'] = json.dumps(config).encode('utf8')
        source.copy(source['model_weights'], f, 'model_weights')
    return target


def test_a_function_given_by_name_is_found_in_its_module(saved, tmp_path):
    path, expected = saved

    def by_name(config):
        if config['name'] == 'named_function':
            config.update(function='shifted_square', function_type='function',
                          output_shape='same_shape', output_shape_type='function')
        if config['name'] == 'with_arguments':
            config.update(function='scale', function_type='function', module=__name__)
    target = edited_file(path, tmp_path, by_name)
    model = keras.models.load_model(target, safe_mode=False)
    assert model.get_layer('named_function').function is shifted_square
    np.testing.assert_allclose(model.predict(X), expected, rtol=1e-5, atol=1e-6)


def test_bytecode_stored_as_a_plain_string_loads(saved, tmp_path):
    path, expected = saved

    def as_string(config):
        if config['name'] == 'plain_lambda':
            config['function'] = config['function'][0]
    model = keras.models.load_model(edited_file(path, tmp_path, as_string), safe_mode=False)
    np.testing.assert_allclose(model.predict(X), expected, rtol=1e-5, atol=1e-6)


def test_ndarray_arguments_are_restored(saved, tmp_path):
    path, expected = saved

    def as_array(config):
        if config['name'] == 'with_arguments':
            config['arguments'] = {'factor': {'type': 'ndarray', 'value': [1.5, 1.5, 1.5]}}
    model = keras.models.load_model(edited_file(path, tmp_path, as_array), safe_mode=False)
    assert isinstance(model.get_layer('with_arguments').arguments['factor'], np.ndarray)
    np.testing.assert_allclose(model.predict(X), expected, rtol=1e-5, atol=1e-6)


def test_an_unknown_function_name_still_raises(saved, tmp_path):
    def unknown(config):
        if config['name'] == 'with_arguments':
            config.update(function='no_such_function', function_type='function')
    with pytest.raises(ValueError, match='no_such_function'):
        keras.models.load_model(edited_file(saved[0], tmp_path, unknown), safe_mode=False)


def test_a_tf_keras_lambda_with_a_mask_function_loads(tmp_path):
    inputs = tf_keras.Input((3, 2))
    outputs = tf_keras.layers.Lambda(lambda x: x + 1.0, mask=lambda inputs, mask: None, name='masked')(inputs)
    model = tf_keras.Model(inputs, outputs)
    path = str(tmp_path / 'mask.h5')
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        model.save(path)
    assert layer_configs(path)['masked']['mask_type'] == 'lambda'
    loaded = keras.models.load_model(path, safe_mode=False)
    assert callable(loaded.get_layer('masked').mask)
    x = np.ones((2, 3, 2), dtype='float32')
    np.testing.assert_allclose(loaded.predict(x), model.predict(x, verbose=0))
