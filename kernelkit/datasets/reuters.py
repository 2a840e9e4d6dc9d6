"""Reuters newswire topics classification: 11,228 newswires from Reuters, labelled over 46 topics, each
encoded as a list of word indices (words ranked by frequency in the dataset)."""
import json

import numpy as np

from kernelkit.datasets import _safe_files, _sequences
from kernelkit.preprocessing.sequence import _remove_long_seq  # also its Keras 2.2.4 path here
from kernelkit.utils.data_utils import get_file

_ORIGIN = 'https://storage.googleapis.com/tensorflow/tf-keras-datasets/reuters.npz'
_FILE_HASH = 'd6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916'
_WORD_INDEX_ORIGIN = 'https://storage.googleapis.com/tensorflow/tf-keras-datasets/reuters_word_index.json'
_WORD_INDEX_HASH = '4d44cc38712099c9e383dc6e5f11a921'


def load_data(path='reuters.npz', num_words=None, skip_top=0, maxlen=None, test_split=0.2, seed=113,
              start_char=1, oov_char=2, index_from=3, allow_pickle=False, **kwargs):
    """Loads the Reuters newswire classification dataset.

    The newswires are shuffled with `seed`; word indices are shifted by `index_from`, `start_char` is put
    in front, newswires of `maxlen` words or more are dropped, words outside `[skip_top, num_words)` become
    `oov_char` (or are removed when it is None), and the last `test_split` fraction is the test set.

    # Arguments
        path: where to cache the data (relative to `~/.keras/datasets`).
        num_words: max number of words to include. Words are ranked by how often they occur (in the
            training set) and only the most frequent words are kept.
        skip_top: skip the top N most frequently occurring words (which may not be informative).
        maxlen: truncate sequences after this length.
        test_split: fraction of the dataset to be used as test data.
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
        lists of word indices, `y` arrays the topic labels.

    # Raises
        ValueError: if the file's object arrays name any other Python object (without `allow_pickle`).
        ValueError: for a `test_split` outside `[0, 1)`.
        TypeError: for unknown keyword arguments.
        kernelkit.utils.data_utils.DownloadError: if the file is not cached and cannot be downloaded.
    """
    nb_words = _sequences.pop_legacy_kwargs(kwargs)
    if nb_words is not None:
        num_words = nb_words
    _sequences.check_split(test_split)
    path = get_file(path, origin=_ORIGIN, file_hash=_FILE_HASH)
    xs, labels = _safe_files.load_npz(path, ['x', 'y'], allow_pickle=allow_pickle)

    rng = np.random.RandomState(seed)
    indices = np.arange(len(xs))
    rng.shuffle(indices)
    xs, labels = xs[indices], labels[indices]

    xs = _sequences.shift_indices(xs, start_char, index_from)
    if maxlen:
        xs, labels = _remove_long_seq(maxlen, xs, labels)
    labels = np.asarray(labels)
    if not num_words:
        num_words = max(max(x) for x in xs if len(x)) if any(len(x) for x in xs) else 0
    xs = _sequences.limit_vocabulary(xs, num_words, skip_top, oov_char)

    idx = int(len(xs) * (1 - test_split))
    x_train, y_train = _sequences.as_object_array(xs[:idx]), np.array(labels[:idx])
    x_test, y_test = _sequences.as_object_array(xs[idx:]), np.array(labels[idx:])
    return (x_train, y_train), (x_test, y_test)


def get_word_index(path='reuters_word_index.json'):
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
