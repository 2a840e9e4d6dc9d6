"""HDF5 files written by kernelkit carry Fletcher-32 checksums on their datasets: a flipped byte in a weight
is detected on load, with an error naming the weight, its layer and the file; other Keras 2 readers still
read the files, and files without checksums still load."""
import h5py
import numpy as np
import pytest

import kernelkit as keras
from kernelkit import layers as L

X = np.random.RandomState(0).rand(16, 6).astype('float32')
Y = np.random.RandomState(1).rand(16, 2).astype('float32')


def _model():
    model = keras.models.Sequential([L.Dense(5, activation='relu', input_shape=(6,), name='hidden'),
                                     L.BatchNormalization(name='norm'), L.Dense(2, name='out')])
    model.compile('adam', 'mse')
    model.fit(X, Y, epochs=1, verbose=0)
    return model


def _flip_byte(path, dataset_path):
    """Flips one byte in the middle of the stored data of a dataset (its first chunk)."""
    with h5py.File(path, 'r') as f:
        dataset = f[dataset_path]
        info = dataset.id.get_chunk_info(0)
        offset, size = info.byte_offset, info.size
    with open(path, 'r+b') as handle:
        handle.seek(offset + size // 2)
        byte = handle.read(1)
        handle.seek(offset + size // 2)
        handle.write(bytes([byte[0] ^ 0x5A]))


def test_every_weight_array_has_a_checksum(tmp_path):
    path = str(tmp_path / 'm.h5')
    _model().save(path)
    with h5py.File(path, 'r') as f:
        datasets = []
        f.visititems(lambda name, obj: datasets.append((name, obj)) if isinstance(obj, h5py.Dataset) else None)
        arrays = [(name, d) for name, d in datasets if d.shape != ()]
        assert len(arrays) >= 8 and any(name.startswith('optimizer_weights') for name, _ in arrays)
        assert all(d.fletcher32 for _, d in arrays), [name for name, d in arrays if not d.fletcher32]


def test_a_flipped_byte_in_a_weight_is_named_on_load(tmp_path):
    path = str(tmp_path / 'm.h5')
    _model().save(path)
    _flip_byte(path, 'model_weights/hidden/hidden/kernel:0')
    with pytest.raises(ValueError) as raised:
        keras.models.load_model(path)
    message = str(raised.value)
    assert 'The weight "hidden/kernel:0" of layer "hidden"' in message and path in message
    assert 'damaged' in message


def test_load_weights_of_a_damaged_file_leaves_the_model_unchanged(tmp_path):
    path = str(tmp_path / 'w.h5')
    source = _model()
    source.save_weights(path)
    _flip_byte(path, 'out/out/bias:0')
    target = _model()
    before = [w.copy() for w in target.get_weights()]
    for by_name in (False, True):
        with pytest.raises(ValueError, match=r'The weight "out/bias:0" of layer "out" in .*w\.h5 is damaged'):
            target.load_weights(path, by_name=by_name)
        for old, now in zip(before, target.get_weights()):
            np.testing.assert_array_equal(old, now)


def test_damaged_optimizer_state_is_named(tmp_path):
    path = str(tmp_path / 'm.h5')
    _model().save(path)
    with h5py.File(path, 'r') as f:
        names = [n.decode() if isinstance(n, bytes) else n for n in f['optimizer_weights'].attrs['weight_names']]
        target = next(n for n in names if f['optimizer_weights'][n].shape != ())
    _flip_byte(path, 'optimizer_weights/' + target)
    with pytest.raises(ValueError, match='of the optimizer in .* is damaged'):
        keras.models.load_model(path)


def test_tf_keras_reads_checksummed_files_and_its_files_load_here(tmp_path):
    tf_keras = pytest.importorskip('tf_keras')
    ours = _model()
    ours_path, theirs_path = str(tmp_path / 'ours.h5'), str(tmp_path / 'theirs.h5')
    ours.save(ours_path)
    read_by_them = tf_keras.models.load_model(ours_path, compile=False)
    np.testing.assert_allclose(read_by_them.predict(X, verbose=0), ours.predict(X), rtol=1e-5, atol=1e-6)

    theirs = tf_keras.models.Sequential([tf_keras.layers.Dense(3, input_shape=(6,), name='d')])
    theirs.save(theirs_path)
    with h5py.File(theirs_path, 'r') as f:
        assert not f['model_weights/d/d/kernel:0'].fletcher32  # a file without checksums ...
    loaded = keras.models.load_model(theirs_path, compile=False)  # ... still loads
    np.testing.assert_allclose(loaded.predict(X), theirs.predict(X, verbose=0), rtol=1e-5, atol=1e-6)
