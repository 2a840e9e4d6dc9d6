"""Shared steps of the IMDB and Reuters loaders: argument checks and the Keras 2 word-index rules."""
import warnings

import numpy as np


def pop_legacy_kwargs(kwargs):
    """Handles the Keras 1 `nb_words` keyword and rejects unknown ones.

    # Arguments
        kwargs: the extra keyword arguments given to `load_data`.

    # Returns
        The `nb_words` value, or `None`.

    # Raises
        TypeError: for unknown keyword arguments.
    """
    nb_words = None
    if 'nb_words' in kwargs:
        warnings.warn('The `nb_words` argument in `load_data` has been renamed `num_words`.')
        nb_words = kwargs.pop('nb_words')
    if kwargs:
        raise TypeError('Unrecognized keyword arguments: ' + str(kwargs))
    return nb_words


def shift_indices(sequences, start_char, index_from):
    """Adds `index_from` to every word index and prepends `start_char` (when not None)."""
    if start_char is not None:
        return [[start_char] + [w + index_from for w in x] for x in sequences]
    if index_from:
        return [[w + index_from for w in x] for x in sequences]
    return [list(x) for x in sequences]


def limit_vocabulary(sequences, num_words, skip_top, oov_char):
    """Replaces (or drops, when `oov_char` is None) words outside `[skip_top, num_words)`."""
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in x] for x in sequences]
    return [[w for w in x if skip_top <= w < num_words] for x in sequences]


def as_object_array(sequences):
    """A 1-D object array of lists (the Keras 2 return type), even when all lists have the same length."""
    out = np.empty(len(sequences), dtype=object)
    for i, sequence in enumerate(sequences):
        out[i] = sequence
    return out


def check_split(test_split):
    if not 0 <= test_split < 1:
        raise ValueError('`test_split` must be in [0, 1); received %r.' % (test_split,))
