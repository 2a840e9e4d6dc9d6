"""`kernelkit.datasets`: the loaders read Keras 2's cache files, built here as tiny fakes in a temporary
`KERAS_HOME`. Oracles: tf_keras's loaders on the same files (their `get_file` pointed at the fake) and a
numpy re-implementation of the IMDB/Reuters word-index rules. Nothing here touches the network."""
import gzip
import hashlib
import importlib
import os
import pickle
import tarfile

import numpy as np
import pytest

from kernelkit import datasets
from kernelkit.utils import data_utils

pytest.importorskip('tf_keras')


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """The `datasets` folder of a fresh KERAS_HOME; any download attempt fails fast (file:// URL)."""
    monkeypatch.setenv('KERAS_HOME', str(tmp_path / 'home'))
    folder = tmp_path / 'home' / 'datasets'
    os.makedirs(folder)
    for module in (datasets.mnist, datasets.imdb, datasets.reuters, datasets.boston_housing,
                   datasets.cifar10, datasets.cifar100):
        monkeypatch.setattr(module, '_ORIGIN', 'file:///kernelkit-offline/' + module.__name__)
    monkeypatch.setattr(datasets.fashion_mnist, '_BASE', 'file:///kernelkit-offline/')
    return folder


def _trust(monkeypatch, module, path):
    """Makes `module` expect the hash of the fake file at `path` (the real file's hash would not match)."""
    monkeypatch.setattr(module, '_FILE_HASH', hashlib.sha256(open(path, 'rb').read()).hexdigest())


def _oracle(monkeypatch, name, path):
    module = importlib.import_module('tf_keras.src.datasets.' + name)
    monkeypatch.setattr(module, 'get_file', lambda *args, **kwargs: str(path))
    return module


def _ragged(rng, count, low, high, vocabulary):
    out = np.empty(count, dtype=object)
    for i in range(count):
        out[i] = list(rng.randint(1, vocabulary, size=rng.randint(low, high)))
    return out


def _assert_same(got, want):
    for part_got, part_want in zip(got, want):
        for a, b in zip(part_got, part_want):
            assert a.shape == b.shape
            if a.dtype == object:
                assert [list(v) for v in a] == [list(v) for v in b]
            else:
                assert a.dtype == b.dtype
                np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------------------------- images

def test_mnist_reads_the_cached_npz_and_checks_its_hash(cache, monkeypatch):
    rng = np.random.RandomState(0)
    arrays = dict(x_train=rng.randint(0, 256, (3, 28, 28)).astype('uint8'), y_train=np.array([1, 2, 3], 'uint8'),
                  x_test=rng.randint(0, 256, (2, 28, 28)).astype('uint8'), y_test=np.array([4, 5], 'uint8'))
    path = cache / 'mnist.npz'
    np.savez(path, **arrays)
    with pytest.raises(data_utils.DownloadError, match='hash'):  # a file that is not the real mnist.npz
        datasets.mnist.load_data()
    _trust(monkeypatch, datasets.mnist, path)
    (x_train, y_train), (x_test, y_test) = datasets.mnist.load_data()
    np.testing.assert_array_equal(x_train, arrays['x_train'])
    np.testing.assert_array_equal(y_test, arrays['y_test'])
    assert x_train.dtype == np.uint8 and x_test.shape == (2, 28, 28)
    _assert_same(datasets.mnist.load_data(), _oracle(monkeypatch, 'mnist', path).load_data())


def test_missing_dataset_error_says_where_to_put_the_file(cache):
    with pytest.raises(data_utils.DownloadError) as info:
        datasets.mnist.load_data()
    assert "'mnist.npz'" in str(info.value) and str(cache) in str(info.value)


def test_fashion_mnist_reads_the_four_gzip_files(cache, monkeypatch):
    folder = cache / 'fashion-mnist'
    os.makedirs(folder)
    rng = np.random.RandomState(1)
    content = {}
    for prefix, count in (('train', 4), ('t10k', 2)):
        labels = rng.randint(0, 10, count).astype('uint8')
        images = rng.randint(0, 256, (count, 28, 28)).astype('uint8')
        with gzip.open(folder / ('%s-labels-idx1-ubyte.gz' % prefix), 'wb') as handle:
            handle.write(b'\x00\x00\x08\x01' + count.to_bytes(4, 'big') + labels.tobytes())
        with gzip.open(folder / ('%s-images-idx3-ubyte.gz' % prefix), 'wb') as handle:
            handle.write(b'\x00\x00\x08\x03' + count.to_bytes(4, 'big') + b'\x00\x00\x00\x1c' * 2 + images.tobytes())
        content[prefix] = images, labels
    (x_train, y_train), (x_test, y_test) = datasets.fashion_mnist.load_data()
    np.testing.assert_array_equal(x_train, content['train'][0])
    np.testing.assert_array_equal(y_train, content['train'][1])
    np.testing.assert_array_equal(x_test, content['t10k'][0])
    assert x_test.shape == (2, 28, 28) and y_test.dtype == np.uint8
    oracle = importlib.import_module('tf_keras.src.datasets.fashion_mnist')
    monkeypatch.setattr(oracle, 'get_file', lambda fname, **kwargs: str(folder / fname))
    _assert_same(datasets.fashion_mnist.load_data(), oracle.load_data())


def _cifar_pickle(path, count, rng, label_keys):
    record = {b'data': rng.randint(0, 256, (count, 3072)).astype('uint8')}
    for key, classes in label_keys:
        record[key] = list(rng.randint(0, classes, count))
    with open(path, 'wb') as handle:
        pickle.dump(record, handle)
    return record


def test_cifar10_reads_the_extracted_batches_or_the_tarball(cache, monkeypatch):
    rng = np.random.RandomState(2)
    staging = cache.parent / 'staging' / 'cifar-10-batches-py'
    os.makedirs(staging)
    batches = [_cifar_pickle(staging / ('data_batch_%d' % i), 2, rng, [(b'labels', 10)]) for i in range(1, 6)]
    test = _cifar_pickle(staging / 'test_batch', 3, rng, [(b'labels', 10)])
    archive = cache / 'cifar-10-batches-py.tar.gz'
    with tarfile.open(archive, 'w:gz') as tar:
        tar.add(staging, arcname='cifar-10-batches-py')
    _trust(monkeypatch, datasets.cifar10, archive)
    (x_train, y_train), (x_test, y_test) = datasets.cifar10.load_data()  # extracts the archive
    want_train = np.concatenate([b[b'data'] for b in batches]).reshape(10, 3, 32, 32).transpose(0, 2, 3, 1)
    np.testing.assert_array_equal(x_train, want_train)
    np.testing.assert_array_equal(y_train[:, 0], np.concatenate([b[b'labels'] for b in batches]))
    np.testing.assert_array_equal(x_test, test[b'data'].reshape(3, 3, 32, 32).transpose(0, 2, 3, 1))
    assert x_train.dtype == np.uint8 and y_train.shape == (10, 1) and y_test.shape == (3, 1)
    assert os.path.isdir(cache / 'cifar-10-batches-py')
    os.remove(archive)  # the extracted folder alone is enough, offline
    (x_again, _), _ = datasets.cifar10.load_data()
    np.testing.assert_array_equal(x_again, x_train)


@pytest.mark.parametrize('label_mode', ['fine', 'coarse'])
def test_cifar100_label_modes(cache, label_mode):
    rng = np.random.RandomState(3)
    folder = cache / 'cifar-100-python'
    os.makedirs(folder)
    keys = [(b'fine_labels', 100), (b'coarse_labels', 20)]
    train = _cifar_pickle(folder / 'train', 4, rng, keys)
    test = _cifar_pickle(folder / 'test', 2, rng, keys)
    (x_train, y_train), (x_test, y_test) = datasets.cifar100.load_data(label_mode=label_mode)
    key = (label_mode + '_labels').encode()
    np.testing.assert_array_equal(y_train[:, 0], train[key])
    np.testing.assert_array_equal(y_test[:, 0], test[key])
    assert x_train.shape == (4, 32, 32, 3) and x_test.shape == (2, 32, 32, 3)
    with pytest.raises(ValueError, match='label_mode'):
        datasets.cifar100.load_data(label_mode='medium')


# ---------------------------------------------------------------------------------- sequences

def _numpy_word_rules(sequences, labels, num_words, skip_top, maxlen, start_char, oov_char, index_from):
    """A plain re-implementation of Keras 2's index shifting, filtering and vocabulary rules."""
    out_x, out_y = [], []
    for sequence, label in zip(sequences, labels):
        words = ([start_char] if start_char is not None else []) + [w + index_from for w in sequence]
        if maxlen and len(words) >= maxlen:
            continue
        out_x.append(words)
        out_y.append(label)
    return out_x, out_y


def _limit(sequences, num_words, skip_top, oov_char):
    if oov_char is None:
        return [[w for w in x if skip_top <= w < num_words] for x in sequences]
    return [[w if skip_top <= w < num_words else oov_char for w in x] for x in sequences]


IMDB_OPTIONS = [dict(), dict(num_words=12, skip_top=2), dict(maxlen=7, oov_char=None),
                dict(start_char=None, index_from=0, num_words=10), dict(seed=7, index_from=5, start_char=2)]


@pytest.mark.parametrize('options', IMDB_OPTIONS)
def test_imdb_index_rules_match_numpy_and_the_oracle(cache, monkeypatch, options):
    rng = np.random.RandomState(4)
    arrays = dict(x_train=_ragged(rng, 8, 2, 9, 20), y_train=rng.randint(0, 2, 8),
                  x_test=_ragged(rng, 6, 2, 9, 20), y_test=rng.randint(0, 2, 6))
    path = cache / 'imdb.npz'
    np.savez(path, **arrays)
    _trust(monkeypatch, datasets.imdb, path)
    got = datasets.imdb.load_data(**options)

    settings = dict(num_words=None, skip_top=0, maxlen=None, seed=113, start_char=1, oov_char=2, index_from=3)
    settings.update(options)
    rng = np.random.RandomState(settings['seed'])
    parts = []
    for x_key, y_key in (('x_train', 'y_train'), ('x_test', 'y_test')):
        order = np.arange(len(arrays[x_key]))
        rng.shuffle(order)
        parts.append(_numpy_word_rules(arrays[x_key][order], arrays[y_key][order], **{
            k: settings[k] for k in ('num_words', 'skip_top', 'maxlen', 'start_char', 'oov_char', 'index_from')}))
    num_words = settings['num_words'] or max(max(x) for part in parts for x in part[0])
    for (x, y), (got_x, got_y) in zip(parts, got):
        assert [list(v) for v in got_x] == _limit(x, num_words, settings['skip_top'], settings['oov_char'])
        np.testing.assert_array_equal(got_y, y)
        assert got_x.dtype == object and got_x.ndim == 1
    if options.get('start_char', 1) is None and not options.get('index_from', 3):
        return  # tf_keras crashes here (it adds the train and test numpy arrays); numpy is the oracle
    _assert_same(got, _oracle(monkeypatch, 'imdb', path).load_data(**options))


def test_imdb_word_index_and_legacy_keywords(cache, monkeypatch):
    path = cache / 'imdb_word_index.json'
    path.write_text('{"the": 1, "and": 2}')
    monkeypatch.setattr(datasets.imdb, '_WORD_INDEX_HASH', hashlib.md5(path.read_bytes()).hexdigest())
    assert datasets.imdb.get_word_index() == {'the': 1, 'and': 2}
    rng = np.random.RandomState(5)
    np.savez(cache / 'imdb.npz', x_train=_ragged(rng, 4, 2, 5, 9), y_train=np.zeros(4), x_test=_ragged(rng, 3, 2, 5, 9),
             y_test=np.ones(3))
    _trust(monkeypatch, datasets.imdb, cache / 'imdb.npz')
    with pytest.warns(UserWarning, match='renamed `num_words`'):
        (x_train, _), _ = datasets.imdb.load_data(nb_words=6)
    assert max(max(x) for x in x_train) <= 5
    with pytest.raises(TypeError, match='Unrecognized keyword'):
        datasets.imdb.load_data(vocabulary=3)
    with pytest.raises(ValueError, match='maxlen'):
        datasets.imdb.load_data(maxlen=1)


@pytest.mark.parametrize('options', [dict(), dict(num_words=15, skip_top=1, test_split=0.3),
                                     dict(maxlen=8, seed=1), dict(oov_char=None, num_words=9)])
def test_reuters_matches_the_oracle(cache, monkeypatch, options):
    rng = np.random.RandomState(6)
    path = cache / 'reuters.npz'
    np.savez(path, x=_ragged(rng, 12, 2, 10, 25), y=rng.randint(0, 46, 12))
    _trust(monkeypatch, datasets.reuters, path)
    got = datasets.reuters.load_data(**options)
    _assert_same(got, _oracle(monkeypatch, 'reuters', path).load_data(**options))
    split = options.get('test_split', 0.2)
    assert len(got[0][0]) == int((len(got[0][0]) + len(got[1][0])) * (1 - split))


def test_boston_housing_matches_the_oracle(cache, monkeypatch):
    rng = np.random.RandomState(7)
    path = cache / 'boston_housing.npz'
    np.savez(path, x=rng.rand(20, 13), y=rng.rand(20) * 50)
    _trust(monkeypatch, datasets.boston_housing, path)
    for options in (dict(), dict(test_split=0.25, seed=3)):
        got = datasets.boston_housing.load_data(**options)
        _assert_same(got, _oracle(monkeypatch, 'boston_housing', path).load_data(**options))
    assert got[0][0].shape == (15, 13)
    with pytest.raises(ValueError, match='test_split'):
        datasets.boston_housing.load_data(test_split=1.0)


# ---------------------------------------------------------------------------------- offline built-ins

@pytest.mark.parametrize('name,features,x_dtype', [('digits', (8, 8), np.uint8), ('iris', (4,), np.float64),
                                                   ('breast_cancer', (30,), np.float64),
                                                   ('diabetes', (10,), np.float64)])
def test_builtin_offline_datasets(name, features, x_dtype):
    sklearn_datasets = pytest.importorskip('sklearn.datasets')
    bunch = getattr(sklearn_datasets, 'load_' + name)()
    source_x = bunch.images if name == 'digits' else bunch.data
    (x_train, y_train), (x_test, y_test) = getattr(datasets, name).load_data()
    total = len(source_x)
    assert len(x_train) == int(total * 0.8) and len(x_train) + len(x_test) == total
    assert x_train.shape[1:] == features and x_train.dtype == x_dtype
    order = np.arange(total)
    np.random.RandomState(113).shuffle(order)
    np.testing.assert_array_equal(x_train, source_x[order][:len(x_train)].astype(x_dtype))
    np.testing.assert_array_equal(y_test, bunch.target[order][len(x_train):])
    (x_small, _), (x_big, _) = getattr(datasets, name).load_data(test_split=0.5, seed=1)
    assert abs(len(x_small) - len(x_big)) <= 1
    if name == 'digits':
        assert x_train.max() == 16 and y_train.dtype == np.uint8
