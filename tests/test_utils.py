"""`kernelkit.utils`: np_utils, get_file, HDF5Matrix, plot_model/model_to_dot and multi_gpu_model.

Oracles: numpy (and tf_keras's `to_categorical`/`normalize`, which keep Keras 2.2 behaviour). Downloads
use `file://` URLs, so nothing here touches the network.
"""
import hashlib
import os
import sys
import tarfile
import types
import zipfile
from xml.etree import ElementTree

import h5py
import numpy as np
import pytest

from kernelkit.utils import data_utils, io_utils, multi_gpu_utils, np_utils, vis_utils

tf_utils = pytest.importorskip('tf_keras.utils')


# ---------------------------------------------------------------------------------- np_utils

@pytest.mark.parametrize('labels', [[0, 2, 1, 2], [[1], [0], [3]], np.array([[0, 1], [2, 1]]),
                                    np.array([1., 0., 2.])])
def test_to_categorical_matches_numpy_and_the_oracle(labels):
    got = np_utils.to_categorical(labels)
    flat = np.asarray(labels, dtype=int)
    shape = flat.shape[:-1] if flat.ndim > 1 and flat.shape[-1] == 1 else flat.shape
    want = np.eye(flat.max() + 1, dtype='float32')[flat.reshape(shape)]
    np.testing.assert_array_equal(got, want)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, tf_utils.to_categorical(labels))
    np.testing.assert_array_equal(np_utils.to_categorical(labels, 5, dtype='int8'),
                                  tf_utils.to_categorical(labels, 5, dtype='int8'))


def test_to_categorical_errors_name_the_problem():
    with pytest.raises(ValueError, match='num_classes=2'):
        np_utils.to_categorical([0, 3], num_classes=2)
    with pytest.raises(ValueError, match='non-negative'):
        np_utils.to_categorical([0, -1])
    with pytest.raises(ValueError, match='integer class labels'):
        np_utils.to_categorical([0.5, 1])
    with pytest.raises(ValueError, match='integer class labels'):
        np_utils.to_categorical(['cat', 'dog'])


@pytest.mark.parametrize('axis,order', [(-1, 2), (0, 2), (1, 1), (-1, np.inf)])
def test_normalize_matches_numpy(axis, order):
    x = np.random.RandomState(0).randn(4, 3)
    x[1] = 0
    got = np_utils.normalize(x, axis=axis, order=order)
    norms = np.linalg.norm(x, order, axis, keepdims=True)
    want = x / np.where(norms == 0, 1, norms)
    np.testing.assert_allclose(got, want)
    np.testing.assert_allclose(got, tf_utils.normalize(x, axis=axis, order=order))
    with pytest.raises(ValueError, match='axis'):
        np_utils.normalize(x, axis=3)


# ---------------------------------------------------------------------------------- get_file

@pytest.fixture
def keras_home(tmp_path, monkeypatch):
    home = tmp_path / 'keras_home'
    monkeypatch.setenv('KERAS_HOME', str(home))

    def no_network(*args, **kwargs):
        raise AssertionError('get_file touched the network for a cached file')
    return home, no_network


def _sha256(path):
    return hashlib.sha256(open(path, 'rb').read()).hexdigest()


def test_get_file_cache_hit_is_offline(keras_home, monkeypatch):
    home, no_network = keras_home
    os.makedirs(home / 'datasets')
    cached = home / 'datasets' / 'data.bin'
    cached.write_bytes(b'cached bytes')
    monkeypatch.setattr(data_utils, '_download', no_network)
    assert data_utils.get_file('data.bin', origin='http://example.invalid/data.bin') == str(cached)
    assert data_utils.get_file('data.bin', 'http://example.invalid/x', file_hash=_sha256(cached)) == str(cached)
    md5 = hashlib.md5(b'cached bytes').hexdigest()
    assert data_utils.get_file('data.bin', 'http://example.invalid/x', md5_hash=md5) == str(cached)
    os.makedirs(home / 'models')
    (home / 'models' / 'w.h5').write_bytes(b'w')
    assert data_utils.get_file('w.h5', 'http://x.invalid', cache_subdir='models') == str(home / 'models' / 'w.h5')
    # an extracted folder is enough for untar=True, even without its archive
    os.makedirs(home / 'datasets' / 'unpacked')
    assert data_utils.get_file('unpacked', 'http://x.invalid/u.tar.gz', untar=True) == \
        str(home / 'datasets' / 'unpacked')


def test_get_file_missing_and_offline_names_file_and_folder(keras_home):
    home, _ = keras_home
    missing_url = 'file:///nonexistent-folder-for-kernelkit/mnist.npz'
    with pytest.raises(data_utils.DownloadError) as info:
        data_utils.get_file('mnist.npz', origin=missing_url)
    message = str(info.value)
    folder = os.path.join(str(home), 'datasets')
    assert "'mnist.npz'" in message
    assert 'folder %s' % folder in message
    assert os.path.join(folder, 'mnist.npz') in message
    assert missing_url in message
    assert isinstance(info.value, IOError)
    assert os.listdir(folder) == []  # no partial file left behind


def test_get_file_downloads_checks_hash_and_extracts(keras_home, tmp_path):
    home, _ = keras_home
    source = tmp_path / 'source'
    os.makedirs(source / 'inner')
    (source / 'inner' / 'a.txt').write_text('alpha')
    payload = tmp_path / 'payload.bin'
    payload.write_bytes(b'payload' * 100)
    got = data_utils.get_file('payload.bin', origin=payload.as_uri(), file_hash=_sha256(payload))
    assert open(got, 'rb').read() == b'payload' * 100
    # a stale cached copy is replaced
    with open(got, 'wb') as handle:
        handle.write(b'corrupt')
    data_utils.get_file('payload.bin', origin=payload.as_uri(), file_hash=_sha256(payload))
    assert open(got, 'rb').read() == b'payload' * 100
    # a download that does not match the hash is deleted
    with pytest.raises(data_utils.DownloadError, match='hash'):
        data_utils.get_file('other.bin', origin=payload.as_uri(), file_hash='0' * 64)
    assert not os.path.exists(os.path.join(str(home), 'datasets', 'other.bin'))

    archive = tmp_path / 'bundle.tar.gz'
    with tarfile.open(archive, 'w:gz') as tar:
        tar.add(source / 'inner', arcname='bundle')
    folder = data_utils.get_file('bundle', origin=archive.as_uri(), untar=True)
    assert open(os.path.join(folder, 'a.txt')).read() == 'alpha'
    zipped = tmp_path / 'z.zip'
    with zipfile.ZipFile(zipped, 'w') as handle:
        handle.writestr('zipped/b.txt', 'beta')
    path = data_utils.get_file('z.zip', origin=zipped.as_uri(), extract=True)
    assert open(os.path.join(os.path.dirname(path), 'zipped', 'b.txt')).read() == 'beta'


def test_get_file_argument_errors():
    with pytest.raises(ValueError, match='hash_algorithm'):
        data_utils.get_file('x', 'file:///x', file_hash='ab', hash_algorithm='sha1')
    with pytest.raises(ValueError, match='fname'):
        data_utils.get_file('', 'file:///x')


def test_validate_file(tmp_path):
    path = tmp_path / 'f'
    path.write_bytes(b'abc')
    assert data_utils.validate_file(str(path), hashlib.sha256(b'abc').hexdigest())
    assert data_utils.validate_file(str(path), hashlib.md5(b'abc').hexdigest())
    assert not data_utils.validate_file(str(path), hashlib.md5(b'abd').hexdigest(), algorithm='md5')


# ---------------------------------------------------------------------------------- HDF5Matrix

def test_hdf5_matrix_slicing_shape_and_normalizer(tmp_path):
    data = np.arange(60, dtype='float32').reshape(20, 3)
    path = str(tmp_path / 'data.h5')
    with h5py.File(path, 'w') as handle:
        handle.create_dataset('x', data=data)
    matrix = io_utils.HDF5Matrix(path, 'x', start=5, end=15)
    view = data[5:15]
    assert len(matrix) == 10 and matrix.shape == (10, 3) and matrix.ndim == 2
    assert matrix.dtype == np.float32 and matrix.size == 30
    np.testing.assert_array_equal(matrix[:], view)
    np.testing.assert_array_equal(matrix[2:7], view[2:7])
    np.testing.assert_array_equal(matrix[::3], view[::3])
    np.testing.assert_array_equal(matrix[4], view[4])
    np.testing.assert_array_equal(matrix[-1], view[-1])
    np.testing.assert_array_equal(matrix[[7, 1, 1, 3]], view[[7, 1, 1, 3]])
    np.testing.assert_array_equal(matrix[np.array([9, 0])], view[[9, 0]])
    np.testing.assert_array_equal(matrix[2:4, 1], view[2:4, 1])
    np.testing.assert_array_equal(np.asarray(matrix), view)
    with pytest.raises(IndexError):
        matrix[10]
    with pytest.raises(IndexError):
        matrix[[0, 10]]
    doubled = io_utils.HDF5Matrix(path, 'x', normalizer=lambda a: a * 2)
    np.testing.assert_array_equal(doubled[:3], data[:3] * 2)
    with pytest.raises(KeyError, match="'y'"):
        io_utils.HDF5Matrix(path, 'y')
    with pytest.raises(ValueError, match='start'):
        io_utils.HDF5Matrix(path, 'x', start=10, end=30)


# ---------------------------------------------------------------------------------- plot_model

def _functional_model():
    from kernelkit.layers import Concatenate, Dense, Input
    from kernelkit.models import Model
    a = Input(shape=(4,), name='left_in')
    b = Input(shape=(3,), name='right_in')
    merged = Concatenate(name='joined')([Dense(5, name='left_dense')(a), b])
    return Model([a, b], Dense(2, name='head')(merged))


def test_plot_model_svg_fallback_contains_every_layer(tmp_path, monkeypatch):
    monkeypatch.setattr(vis_utils, '_graphviz_available', lambda: False)
    model = _functional_model()
    target = str(tmp_path / 'model.svg')
    shown = vis_utils.plot_model(model, to_file=target, show_shapes=True)
    svg = open(target).read()
    assert ElementTree.fromstring(svg).tag.endswith('svg')  # well-formed SVG
    for layer in model.layers:
        assert '%s: %s' % (layer.name, layer.__class__.__name__) in svg
    assert 'output: (None, 8)' in svg and 'input: [(None, 5), (None, 3)]' in svg
    assert svg.count('class="edge"') == 4
    from IPython.display import SVG
    assert isinstance(shown, SVG) and 'joined' in shown.data
    dot = vis_utils.model_to_dot(model, show_layer_names=False, rankdir='LR')
    assert 'Concatenate' in dot.create_svg().decode() and 'joined' not in dot.to_string()
    with pytest.raises(ValueError, match=r'\.svg'):
        vis_utils.plot_model(model, to_file=str(tmp_path / 'model.png'))
    with pytest.raises(ValueError, match='rankdir'):
        vis_utils.plot_model(model, to_file=target, rankdir='diagonal')


def test_plot_model_sequential_includes_input_layer(tmp_path, monkeypatch):
    monkeypatch.setattr(vis_utils, '_graphviz_available', lambda: False)
    from kernelkit.layers import Dense
    from kernelkit.models import Sequential
    model = Sequential([Dense(3, input_shape=(2,), name='first'), Dense(1, name='second')])
    svg = vis_utils.model_to_dot(model).to_string()
    for name in ('first_input: InputLayer', 'first: Dense', 'second: Dense'):
        assert name in svg
    assert svg.count('class="edge"') == 2
    unbuilt = Sequential([Dense(3, name='lazy_a'), Dense(1, name='lazy_b')])
    assert 'lazy_b: Dense' in vis_utils.model_to_dot(unbuilt).to_string()


def _fake_pydot():
    """A stand-in for pydot that records the graph, to check what kernelkit asks Graphviz to draw."""
    module = types.ModuleType('pydot')

    class Dot(object):
        def __init__(self):
            self.settings, self.nodes, self.edges, self.written = {}, [], [], []

        def set(self, key, value):
            self.settings[key] = value

        def set_node_defaults(self, **kwargs):
            self.settings['node_defaults'] = kwargs

        def add_node(self, node):
            self.nodes.append(node)

        def add_edge(self, edge):
            self.edges.append(edge)

        def create(self, *args, **kwargs):
            return b''

        def write(self, path, format='raw'):
            self.written.append((path, format))
            open(path, 'wb').write(b'\x89PNG fake' if format == 'png' else b'<svg/>')

    module.Dot = Dot
    module.Node = lambda name, label: (name, label)
    module.Edge = lambda source, target: (source, target)
    return module


def test_model_to_dot_uses_pydot_with_keras_2_labels(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, 'pydot', _fake_pydot())
    model = _functional_model()
    dot = vis_utils.model_to_dot(model, show_shapes=True, rankdir='LR')
    assert dot.settings['rankdir'] == 'LR' and dot.settings['node_defaults'] == {'shape': 'record'}
    labels = dict(dot.nodes)
    head = labels[str(id(model.get_layer('head')))]
    assert head == 'head: Dense\n|{input:|output:}|{{(None, 8)}|{(None, 2)}}'
    ids = {str(id(layer)): layer.name for layer in model.layers}
    assert sorted((ids[a], ids[b]) for a, b in dot.edges) == [
        ('joined', 'head'), ('left_dense', 'joined'), ('left_in', 'left_dense'), ('right_in', 'joined')]
    shown = vis_utils.plot_model(model, to_file=str(tmp_path / 'm.png'))
    from IPython.display import Image
    assert isinstance(shown, Image)


# ---------------------------------------------------------------------------------- multi_gpu_model

def test_multi_gpu_model_checks_gpus_as_keras_2_did():
    # Training under MirroredStrategy: tests/test_distribute.py (logical CPU devices, in a subprocess).
    with pytest.raises(ValueError, match=r'we expect the following devices to be available: '
                                         r"\['/cpu:0', '/gpu:0', '/gpu:1'\]\. However this machine only has"):
        multi_gpu_utils.multi_gpu_model(object(), gpus=2)
    with pytest.raises(ValueError, match='gpus >= 2'):
        multi_gpu_utils.multi_gpu_model(object(), gpus=1)
