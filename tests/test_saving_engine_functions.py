"""Keras 2.2.4's `keras.engine.saving` functions: they are the ones kernelkit's own save/load use, and the
files and states they write are read by `load_model`/`load_weights`, by tf_keras, and the reverse."""
import os
import pickle
import warnings

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')

import h5py  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import kernelkit as keras  # noqa: E402
from kernelkit.engine import saving  # noqa: E402
from kernelkit.engine.saving import hdf5_format, keras_functions, weight_conversion, weight_loading  # noqa: E402

tf_keras = pytest.importorskip('tf_keras')
from tf_keras.src.saving.legacy import hdf5_format as tf_hdf5  # noqa: E402

X = np.random.RandomState(0).rand(6, 5).astype('float32')


def kernelkit_model():
    inputs = keras.layers.Input((5,))
    hidden = keras.layers.Dense(4, activation='relu', name='hidden')(inputs)
    hidden = keras.layers.BatchNormalization(name='norm')(hidden)
    outputs = keras.layers.Dense(2, activation='softmax', name='out')(hidden)
    model = keras.models.Model(inputs, outputs)
    model.compile('adam', 'categorical_crossentropy', metrics=['accuracy'])
    model.fit(X, np.eye(2)[[0, 1, 0, 1, 0, 1]], epochs=2, verbose=0)
    return model


def tf_keras_model():
    inputs = tf_keras.Input((5,))
    hidden = tf_keras.layers.Dense(4, activation='relu', name='hidden')(inputs)
    hidden = tf_keras.layers.BatchNormalization(name='norm')(hidden)
    outputs = tf_keras.layers.Dense(2, activation='softmax', name='out')(hidden)
    return tf_keras.Model(inputs, outputs)


def randomize(model):
    rng = np.random.RandomState(1)
    model.set_weights([rng.uniform(0.1, 1, w.shape).astype('float32') for w in model.get_weights()])
    return model


def test_the_keras_2_2_4_names_are_kernelkits_own_functions():
    names = ('save_weights_to_hdf5_group load_weights_from_hdf5_group load_weights_from_hdf5_group_by_name '
             'preprocess_weights_for_loading save_attributes_to_hdf5_group load_attributes_from_hdf5_group '
             'pickle_model unpickle_model _serialize_model _deserialize_model _convert_rnn_weights '
             '_need_convert_kernel save_model load_model model_from_config model_from_json model_from_yaml').split()
    for name in names:
        assert callable(getattr(saving, name)), name
    assert saving.load_attributes_from_hdf5_group is hdf5_format.read_name_list
    assert saving.save_attributes_to_hdf5_group is hdf5_format.write_name_list
    assert saving.preprocess_weights_for_loading is weight_conversion.preprocess_weights_for_loading
    assert saving.load_weights_from_hdf5_group is weight_loading.load_weights_from_hdf5_group


def test_save_and_load_go_through_the_2_2_4_functions(tmp_path, monkeypatch):
    model = kernelkit_model()
    calls = []
    for module, name in ((keras_functions, '_serialize_model'), (keras_functions, '_deserialize_model'),
                         (weight_loading, 'load_weights_from_hdf5_group'),
                         (weight_loading, 'load_weights_from_hdf5_group_by_name'),
                         (weight_loading, 'preprocess_weights_for_loading')):
        original = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *a, _o=original, _n=name, **k: calls.append(_n) or _o(*a, **k))
    path = str(tmp_path / 'm.h5')
    model.save(path)
    keras.models.load_model(path)
    model.load_weights(path, by_name=True)
    assert calls[:3] == ['_serialize_model', '_deserialize_model', 'load_weights_from_hdf5_group']
    assert 'load_weights_from_hdf5_group_by_name' in calls and 'preprocess_weights_for_loading' in calls


def test_weights_written_with_save_weights_to_hdf5_group_load_everywhere(tmp_path):
    model = randomize(kernelkit_model())
    path = str(tmp_path / 'w.h5')
    with h5py.File(path, 'w') as f:
        saving.save_weights_to_hdf5_group(f, model.layers)
    expected = model.predict(X)
    fresh = kernelkit_model()
    fresh.load_weights(path)
    np.testing.assert_allclose(fresh.predict(X), expected, rtol=1e-5, atol=1e-6)
    oracle = tf_keras_model()
    with h5py.File(path, 'r') as f:
        tf_hdf5.load_weights_from_hdf5_group(f, oracle)
    np.testing.assert_allclose(oracle.predict(X, verbose=0), expected, rtol=1e-5, atol=1e-6)


def test_tf_keras_weight_groups_load_with_the_2_2_4_loaders(tmp_path):
    oracle = randomize(tf_keras_model())
    path = str(tmp_path / 'tfw.h5')
    with h5py.File(path, 'w') as f:
        tf_hdf5.save_weights_to_hdf5_group(f, oracle)
    expected = oracle.predict(X, verbose=0)
    model = kernelkit_model()
    with h5py.File(path, 'r') as f:
        saving.load_weights_from_hdf5_group(f, model.layers)
    np.testing.assert_allclose(model.predict(X), expected, rtol=1e-5, atol=1e-6)
    by_name = kernelkit_model()
    with h5py.File(path, 'r') as f:
        saving.load_weights_from_hdf5_group_by_name(f, list(reversed(by_name.layers)))
    np.testing.assert_allclose(by_name.predict(X), expected, rtol=1e-5, atol=1e-6)


def test_by_name_mismatch_raises_or_skips_and_order_mismatch_raises(tmp_path):
    model = randomize(kernelkit_model())
    path = str(tmp_path / 'w.h5')
    model.save_weights(path)
    inputs = keras.layers.Input((5,))
    other = keras.models.Model(inputs, keras.layers.Dense(3, name='hidden')(inputs))
    before = other.get_weights()
    with h5py.File(path, 'r') as f:
        with pytest.raises(ValueError, match='hidden'):
            saving.load_weights_from_hdf5_group_by_name(f, other.layers)
        with pytest.raises(ValueError, match='containing 3 layers into a model with 1 layers'):
            saving.load_weights_from_hdf5_group(f, other.layers)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            saving.load_weights_from_hdf5_group_by_name(f, other.layers, skip_mismatch=True)
    assert any('Skipping loading of weights for layer hidden' in str(w.message) for w in caught)
    for old, new in zip(before, other.get_weights()):
        np.testing.assert_array_equal(old, new)


def test_serialize_model_writes_files_tf_keras_and_load_model_read(tmp_path):
    model = randomize(kernelkit_model())
    path = str(tmp_path / 'm.h5')
    with h5py.File(path, 'w') as f:
        saving._serialize_model(model, f)
    expected = model.predict(X)
    np.testing.assert_allclose(keras.models.load_model(path).predict(X), expected, rtol=1e-5, atol=1e-6)
    oracle = tf_keras.models.load_model(path, compile=False)
    np.testing.assert_allclose(oracle.predict(X, verbose=0), expected, rtol=1e-5, atol=1e-6)


def test_deserialize_model_reads_a_tf_keras_model_file(tmp_path):
    oracle = randomize(tf_keras_model())
    oracle.compile('sgd', 'mse')
    path = str(tmp_path / 'tf.h5')
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        oracle.save(path)
    with h5py.File(path, 'r') as f:
        model = saving._deserialize_model(f)
    assert model.optimizer is not None
    np.testing.assert_allclose(model.predict(X), oracle.predict(X, verbose=0), rtol=1e-5, atol=1e-6)


def test_pickle_round_trip_predicts_the_same_and_keeps_the_optimizer():
    model = kernelkit_model()
    state = saving.pickle_model(model)
    assert state['keras_version'] == b'2.2.4' and state['backend'] == b'tensorflow'
    assert state['model_weights']['layer_names'] == [layer.name.encode('utf8') for layer in model.layers]
    assert isinstance(state['model_weights']['out'][model.layers[-1].weights[0].name], np.ndarray)
    restored = saving.unpickle_model(pickle.loads(pickle.dumps(state)))
    np.testing.assert_allclose(restored.predict(X), model.predict(X), rtol=1e-6, atol=1e-7)
    assert type(restored.optimizer).__name__ == 'Adam'
    for old, new in zip(model.optimizer.get_weights(), restored.optimizer.get_weights()):
        np.testing.assert_allclose(old, new)


def test_attributes_are_chunked_below_the_object_header_limit_as_2_2_4(tmp_path):
    names = [('layer_%05d_' % i + 'x' * 200) for i in range(700)]  # about 150 KB of names
    path = str(tmp_path / 'a.h5')
    with h5py.File(path, 'w') as f:
        saving.save_attributes_to_hdf5_group(f, 'layer_names', [n.encode('utf8') for n in names])
        saving.save_attributes_to_hdf5_group(f, 'small', ['a', 'b'])
    with h5py.File(path, 'r') as f:
        chunks = sorted(k for k in f.attrs if k.startswith('layer_names'))
        assert 'layer_names' not in f.attrs and chunks[0] == 'layer_names0' and len(chunks) == 3
        assert all(f.attrs[k].nbytes <= saving.HDF5_OBJECT_HEADER_LIMIT for k in chunks)
        assert saving.load_attributes_from_hdf5_group(f, 'layer_names') == names
        assert tf_hdf5.load_attributes_from_hdf5_group(f, 'layer_names') == names
        assert saving.load_attributes_from_hdf5_group(f, 'small') == ['a', 'b']
        assert saving.load_attributes_from_hdf5_group(f, 'absent') == []
    with h5py.File(path, 'w') as f:
        with pytest.raises(RuntimeError, match='larger than 64512 bytes'):
            saving.save_attributes_to_hdf5_group(f, 'huge', [b'y' * 70000])


def test_attributes_written_by_tf_keras_are_read(tmp_path):
    names = ['w%04d' % i + 'z' * 300 for i in range(400)]
    path = str(tmp_path / 'b.h5')
    with h5py.File(path, 'w') as f:
        tf_hdf5.save_attributes_to_hdf5_group(f, 'weight_names', [n.encode('utf8') for n in names])
    with h5py.File(path, 'r') as f:
        assert saving.load_attributes_from_hdf5_group(f, 'weight_names') == names


def test_need_convert_kernel_and_theano_kernels_are_flipped():
    assert saving._need_convert_kernel('theano') is True
    assert not any(saving._need_convert_kernel(b) for b in ('tensorflow', 'cntk', None, 'mxnet'))
    layer = keras.layers.Conv2D(2, (2, 3))
    layer.build((None, 5, 5, 1))
    kernel = np.arange(12, dtype='float32').reshape(2, 3, 1, 2)
    flipped = saving.preprocess_weights_for_loading(layer, [kernel, np.zeros(2)], '2.2.4', 'theano')[0]
    np.testing.assert_array_equal(flipped, kernel[::-1, ::-1])
    same = saving.preprocess_weights_for_loading(layer, [kernel, np.zeros(2)], '2.2.4', 'tensorflow')[0]
    np.testing.assert_array_equal(same, kernel)


def test_reshape_fits_a_kernel_of_the_same_size_only(tmp_path):
    layer = keras.layers.Conv2D(2, (2, 2))
    layer.build((None, 4, 4, 3))
    kernel = np.arange(24, dtype='float32').reshape(1, 24)
    out = saving.preprocess_weights_for_loading(layer, [kernel, np.zeros(2)], '2.2.4', 'tensorflow', reshape=True)
    np.testing.assert_array_equal(out[0], kernel.reshape(2, 2, 3, 2))
    with pytest.raises(ValueError, match='Weights must be of equal size to apply a reshape operation'):
        saving.preprocess_weights_for_loading(layer, [np.zeros((5, 5)), np.zeros(2)], reshape=True)


class _Named(object):
    """Stands for a target layer of the given class name (the rule reads only the name and reset_after)."""

    def __init__(self, class_name, reset_after=False):
        self.__class__ = type(class_name, (_Named,), {})
        self.reset_after = reset_after
        self.name = class_name.lower()


@pytest.mark.parametrize('source,target,reset_after', [
    ('lstm', 'CuDNNLSTM', False), ('cudnn_lstm', 'LSTM', False), ('lstm', 'LSTM', False),
    ('cudnn_gru', 'GRU', True), ('gru_reset_after', 'CuDNNGRU', False), ('gru', 'GRU', False)])
def test_convert_rnn_weights_matches_tf_keras(source, target, reset_after):
    rng = np.random.RandomState(2)
    units, input_dim = 3, 4
    gates = 4 if 'lstm' in source else 3
    bias = {'lstm': (4 * units,), 'cudnn_lstm': (8 * units,), 'cudnn_gru': (6 * units,),
            'gru_reset_after': (2, 3 * units), 'gru': (3 * units,)}[source]
    weights = [rng.rand(input_dim, gates * units), rng.rand(units, gates * units), rng.rand(*bias)]
    ours = saving._convert_rnn_weights(_Named(target, reset_after), [w.copy() for w in weights])
    theirs = tf_hdf5._convert_rnn_weights(_Named(target, reset_after), [w.copy() for w in weights])
    assert len(ours) == len(theirs) == 3
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b)


def test_convert_rnn_weights_refuses_the_default_gru_and_bad_biases():
    weights = [np.zeros((4, 9)), np.zeros((3, 9)), np.zeros(9)]
    with pytest.raises(ValueError, match='not compatible'):
        saving._convert_rnn_weights(_Named('CuDNNGRU'), weights)
    with pytest.raises(ValueError, match='Invalid bias shape'):
        saving._convert_rnn_weights(_Named('LSTM'), [np.zeros((4, 12)), np.zeros((3, 12)), np.zeros(5)])


def test_lstm_weights_survive_a_trip_through_the_cudnn_layout():
    layer = keras.layers.LSTM(3)
    layer.build((None, 2, 4))
    weights = [np.random.RandomState(3).rand(*w.shape) for w in layer.get_weights()]
    cudnn = saving._convert_rnn_weights(_Named('CuDNNLSTM'), weights)
    assert cudnn[2].shape == (24,)
    back = saving.preprocess_weights_for_loading(layer, cudnn, '2.2.4', 'tensorflow')
    for a, b in zip(back, weights):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_old_imports_from_keras_engine_saving_and_topology_resolve():
    import subprocess
    import sys
    script = ('import warnings; warnings.simplefilter("ignore")\n'
              'import kernelkit; kernelkit.install_as_keras()\n'
              'from kernelkit.engine import saving\n'
              'from keras.engine.saving import pickle_model, _serialize_model, load_attributes_from_hdf5_group\n'
              'from keras.engine.topology import (preprocess_weights_for_loading, save_weights_to_hdf5_group,\n'
              '    load_weights_from_hdf5_group, load_weights_from_hdf5_group_by_name)\n'
              'assert pickle_model is saving.pickle_model and _serialize_model is saving._serialize_model\n'
              'assert preprocess_weights_for_loading is saving.preprocess_weights_for_loading\n'
              'assert load_weights_from_hdf5_group_by_name is saving.load_weights_from_hdf5_group_by_name\n'
              'print("ok")\n')
    done = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL='3'))
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith('ok')
