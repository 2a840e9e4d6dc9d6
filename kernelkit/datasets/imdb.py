"""IMDB movie reviews sentiment classification: 25,000 training and 25,000 test reviews, each encoded as a
list of word indices (words ranked by frequency in the dataset)."""
import json

import numpy as np

from kernelkit.datasets import _safe_files, _sequences
from kernelkit.preprocessing.sequence import _remove_long_seq  # also its Keras 2.2.4 path here
from kernelkit.utils.data_utils import get_file

_ORIGIN = 'https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb.npz'
_FILE_HASH = '69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f'
_WORD_INDEX_ORIGIN = 'https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb_word_index.json'
_WORD_INDEX_HASH = 'bfafd718b763782e994055a2d397834f'


def load_data(path='imdb.npz', num_words=None, skip_top=0, maxlen=None, seed=113, start_char=1, oov_char=2,
              index_from=3, allow_pickle=False, **kwargs):
    """Loads the IMDB dataset.

    Reviews are shuffled (training and test separately) with `seed`; then every word index is shifted by
    `index_from`, `start_char` is put in front of each review, reviews of `maxlen` words or more are
    dropped, and words outside the `[skip_top, num_words)` index range become `oov_char` (or are removed
    when `oov_char` is None).

    # Arguments
        path: where to cache the data (relative to `~/.keras/datasets`).
        num_words: max number of words to include. Words are ranked by how often they occur (in the
            training set) and only the most frequent words are kept.
        skip_top: skip the top N most frequently occurring words (which may not be informative).
        maxlen: sequences longer than this are filtered out.
        seed: random seed for sample shuffling.
        start_char: the start of a sequence is marked with this character. Set to 1 because 0 is usually
            the padding character.
        oov_char: words that were cut out because of the `num_words` or `skip_top` limit are replaced
            with this character.
        index_from: index actual words with this index and higher.
        allow_pickle: `True` to let numpy unpickle the file's object arrays with no restriction (only for
            a file you trust). By default they are read by an unpickler that builds lists of numbers only.
        **kwargs: only the Keras 1 `nb_words` (renamed `num_words`) is accepted.

    # Returns
        Tuple of Numpy arrays: `(x_train, y_train), (x_test, y_test)`; `x` arrays are 1-D object arrays of
        lists of word indices, `y` arrays the labels (0 negative, 1 positive).

    # Raises
        ValueError: if the file's object arrays name any other Python object (without `allow_pickle`).
        ValueError: if `maxlen` is so low that no sequence is kept.
        TypeError: for unknown keyword arguments.
        kernelkit.utils.data_utils.DownloadError: if the file is not cached and cannot be downloaded.

    Note that the "out of vocabulary" character is only used for words that were present in the
    training set but are not included because they're not making the `num_words` cut here. Words that
    were not seen in the training set but are in the test set have simply been skipped.
    """
    nb_words = _sequences.pop_legacy_kwargs(kwargs)
    if nb_words is not None:
        num_words = nb_words
    path = get_file(path, origin=_ORIGIN, file_hash=_FILE_HASH)
    x_train, labels_train, x_test, labels_test = _safe_files.load_npz(
        path, ['x_train', 'y_train', 'x_test', 'y_test'], allow_pickle=allow_pickle)

    rng = np.random.RandomState(seed)  # the same draws as Keras 2's np.random.seed(seed) + shuffle
    indices = np.arange(len(x_train))
    rng.shuffle(indices)
    x_train, labels_train = x_train[indices], labels_train[indices]
    indices = np.arange(len(x_test))
    rng.shuffle(indices)
    x_test, labels_test = x_test[indices], labels_test[indices]

    x_train = _sequences.shift_indices(x_train, start_char, index_from)
    x_test = _sequences.shift_indices(x_test, start_char, index_from)
    if maxlen:
        x_train, labels_train = _remove_long_seq(maxlen, x_train, labels_train)
        x_test, labels_test = _remove_long_seq(maxlen, x_test, labels_test)
        if not x_train or not x_test:
            raise ValueError('After filtering for sequences shorter than maxlen=%s, no sequence was kept. '
                             'Increase maxlen.' % (maxlen,))
    xs = x_train + x_test
    labels = np.concatenate([np.asarray(labels_train), np.asarray(labels_test)])
    if not num_words:
        num_words = max(max(x) for x in xs if len(x)) if any(len(x) for x in xs) else 0
    xs = _sequences.limit_vocabulary(xs, num_words, skip_top, oov_char)

    idx = len(x_train)
    x_train, y_train = _sequences.as_object_array(xs[:idx]), labels[:idx]
    x_test, y_test = _sequences.as_object_array(xs[idx:]), labels[idx:]
    return (x_train, y_train), (x_test, y_test)


def get_word_index(path='imdb_word_index.json'):
    """Retrieves the dictionary mapping words to word indices.

    The indices are those of the raw data: add `index_from` (3 by default) to match `load_data`.

    # Arguments
        path: where to cache the data (relative to `~/.keras/datasets`).

    # Returns
        The word index dictionary.

    # Raises
        kernelkit.utils.data_utils.DownloadError: if the file is not cached and cannot be downloaded.
    """
    path = get_file(path, origin=_WORD_INDEX_ORIGIN, file_hash=_WORD_INDEX_HASH)
    with open(path) as f:
        return json.load(f)
