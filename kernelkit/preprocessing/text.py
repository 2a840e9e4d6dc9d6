"""Utilities for text input preprocessing: `Tokenizer`, `text_to_word_sequence`, `one_hot`,
`hashing_trick` and `tokenizer_from_json` (Keras 2.2 behaviour; the JSON format is Keras's own)."""
import collections
import hashlib
import json
import warnings

import numpy as np

_DEFAULT_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
_MODES = ('binary', 'count', 'tfidf', 'freq')


def _check_text(text, name='text'):
    if not isinstance(text, str):
        raise TypeError('`%s` must be a string; received %r of type %s.' % (name, text, type(text).__name__))


def text_to_word_sequence(text, filters=_DEFAULT_FILTERS, lower=True, split=' '):
    """Converts a text to a sequence of words (or tokens).

    # Arguments
        text: input text (string).
        filters: list (or concatenation) of characters to filter out, such as punctuation. Default:
            ``!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\\t\\n``, includes basic punctuation, tabs, and newlines.
        lower: boolean, whether to convert the input to lowercase.
        split: string, separator for word splitting.

    # Returns
        A list of words (or tokens).

    # Raises
        TypeError: if `text` is not a string.
    """
    _check_text(text)
    if lower:
        text = text.lower()
    text = text.translate(str.maketrans({character: split for character in filters}))
    return [word for word in text.split(split) if word]


def one_hot(text, n, filters=_DEFAULT_FILTERS, lower=True, split=' '):
    """One-hot encodes a text into a list of word indexes of size `n`.

    This is a wrapper of `hashing_trick` using Python's `hash` as the hashing function; unicity of word
    to index mapping is not guaranteed (and `hash` changes between Python processes unless
    `PYTHONHASHSEED` is set).

    # Arguments
        text: input text (string).
        n: int, size of vocabulary.
        filters: list (or concatenation) of characters to filter out, such as punctuation.
        lower: boolean, whether to set the text to lowercase.
        split: string, separator for word splitting.

    # Returns
        List of integers in `[1, n]`. Each integer encodes a word (unicity non-guaranteed).

    # Raises
        TypeError: if `text` is not a string.
        ValueError: if `n` is smaller than 2.
    """
    return hashing_trick(text, n, hash_function=hash, filters=filters, lower=lower, split=split)


def hashing_trick(text, n, hash_function=None, filters=_DEFAULT_FILTERS, lower=True, split=' '):
    """Converts a text to a sequence of indexes in a fixed-size hashing space.

    # Arguments
        text: input text (string).
        n: dimension of the hashing space.
        hash_function: defaults to Python's `hash` function; can be `'md5'` or any function that takes a
            string and returns an int. `hash` is not stable across Python runs, `'md5'` is.
        filters: list (or concatenation) of characters to filter out, such as punctuation.
        lower: boolean, whether to set the text to lowercase.
        split: string, separator for word splitting.

    # Returns
        A list of integer word indices (unicity non-guaranteed), each in `[1, n - 1]`. `0` is reserved.

    # Raises
        TypeError: if `text` is not a string.
        ValueError: if `n` is smaller than 2, or `hash_function` is neither callable nor `'md5'`.
    """
    if n is None or int(n) != n or n < 2:
        raise ValueError('`n` (the size of the hashing space) must be an integer >= 2; received %r.' % (n,))
    if hash_function is None:
        hash_function = hash
    elif hash_function == 'md5':
        def hash_function(word):
            return int(hashlib.md5(word.encode()).hexdigest(), 16)
    elif not callable(hash_function):
        raise ValueError("`hash_function` must be None, 'md5' or a function; received %r." % (hash_function,))
    words = text_to_word_sequence(text, filters=filters, lower=lower, split=split)
    return [(hash_function(word) % (n - 1) + 1) for word in words]


class Tokenizer(object):
    """Text tokenization utility class.

    Vectorizes a text corpus by turning each text into either a sequence of integers (each integer being
    the index of a token in a dictionary) or into a vector where the coefficient for each token can be
    binary, based on word count, based on tf-idf... By default all punctuation is removed, turning texts
    into space-separated sequences of words (words may include the `'` character), which are then split
    into lists of tokens and indexed or vectorized. `0` is a reserved index never assigned to a word.

    # Arguments
        num_words: the maximum number of words to keep, based on word frequency. Only the most common
            `num_words - 1` words are kept.
        filters: a string where each element is a character that is filtered from the texts. The default
            is all punctuation, plus tabs and line breaks, minus the `'` character.
        lower: boolean, whether to convert the texts to lowercase.
        split: string, separator for word splitting.
        char_level: if True, every character is treated as a token.
        oov_token: if given, it is added to `word_index` (at index 1) and used to replace
            out-of-vocabulary words during `texts_to_sequences` calls.
        document_count: number of documents already seen (used when restoring a tokenizer).
        analyzer: optional function that splits a text into tokens, used instead of
            `text_to_word_sequence`.

    # Attributes
        word_counts: ordered dictionary of words and their number of occurrences during fitting.
        word_docs: dictionary of words and the number of documents each appeared in during fitting.
        word_index: dictionary of words and their uniquely assigned integers (most frequent first).
        index_word: the inverse of `word_index`.
        index_docs: dictionary of word indices and the number of documents each appeared in.
        document_count: number of documents (texts or sequences) the tokenizer was fit on.

    # Raises
        TypeError: for unknown keyword arguments.
    """

    def __init__(self, num_words=None, filters=_DEFAULT_FILTERS, lower=True, split=' ', char_level=False,
                 oov_token=None, document_count=0, analyzer=None, **kwargs):
        if 'nb_words' in kwargs:
            warnings.warn('The `nb_words` argument in `Tokenizer` has been renamed `num_words`.')
            num_words = kwargs.pop('nb_words')
        if kwargs:
            raise TypeError('Unrecognized keyword arguments: ' + str(kwargs))
        if num_words is not None and (int(num_words) != num_words or num_words < 0):
            raise ValueError('`num_words` must be None or a non-negative integer; received %r.' % (num_words,))
        self.word_counts = collections.OrderedDict()
        self.word_docs = collections.defaultdict(int)
        self.filters = filters
        self.split = split
        self.lower = lower
        self.num_words = num_words
        self.document_count = document_count
        self.char_level = char_level
        self.oov_token = oov_token
        self.index_docs = collections.defaultdict(int)
        self.word_index = {}
        self.index_word = {}
        self.analyzer = analyzer

    def _tokens(self, text):
        if self.char_level or isinstance(text, list):
            if self.lower:
                text = [token.lower() for token in text] if isinstance(text, list) else text.lower()
            return text
        if not isinstance(text, str):
            raise TypeError('Texts must be strings (or lists of tokens); received %r of type %s.'
                            % (text, type(text).__name__))
        if self.analyzer is not None:
            return self.analyzer(text)
        return text_to_word_sequence(text, filters=self.filters, lower=self.lower, split=self.split)

    def fit_on_texts(self, texts):
        """Updates the internal vocabulary based on a list of texts.

        Required before using `texts_to_sequences` or `texts_to_matrix`. An entry that is a list is taken
        as a list of tokens.

        # Arguments
            texts: can be a list of strings, a generator of strings (for memory-efficiency), or a list of
                lists of strings.

        # Returns
            None; the vocabulary attributes (`word_index`, `word_counts`, ...) are updated.

        # Raises
            TypeError: if `texts` is a single string, or holds something other than strings/lists.
        """
        if isinstance(texts, str):
            raise TypeError('`texts` must be a list of texts, not a single string; wrap it: [text].')
        for text in texts:
            self.document_count += 1
            tokens = self._tokens(text)
            for token in tokens:
                self.word_counts[token] = self.word_counts.get(token, 0) + 1
            for token in set(tokens):
                self.word_docs[token] += 1

        ranked = sorted(self.word_counts.items(), key=lambda item: item[1], reverse=True)  # stable sort
        vocabulary = [] if self.oov_token is None else [self.oov_token]
        vocabulary.extend(word for word, _ in ranked)
        self.word_index = dict(zip(vocabulary, range(1, len(vocabulary) + 1)))
        self.index_word = {index: word for word, index in self.word_index.items()}
        for word, count in list(self.word_docs.items()):
            self.index_docs[self.word_index[word]] = count

    def fit_on_sequences(self, sequences):
        """Updates the internal vocabulary based on a list of sequences.

        Required before using `sequences_to_matrix` (if `fit_on_texts` was never called).

        # Arguments
            sequences: a list of sequences. A "sequence" is a list of integer word indices.

        # Returns
            None; `document_count` and `index_docs` are updated.
        """
        self.document_count += len(sequences)
        for sequence in sequences:
            for index in set(sequence):
                self.index_docs[index] += 1

    def texts_to_sequences(self, texts):
        """Transforms each text in `texts` to a sequence of integers.

        Only the top `num_words - 1` most frequent words are taken into account; only words known by the
        tokenizer are taken into account (others become `oov_token`'s index when it is set).

        # Arguments
            texts: a list of texts (strings), or of lists of tokens.

        # Returns
            A list of sequences.

        # Raises
            TypeError: if `texts` is a single string.
        """
        return list(self.texts_to_sequences_generator(texts))

    def texts_to_sequences_generator(self, texts):
        """Transforms each text in `texts` to a sequence of integers, one at a time.

        Each item in `texts` can also be a list, in which case it is taken as a list of tokens.

        # Arguments
            texts: a list of texts (strings).

        # Yields
            Individual sequences.

        # Raises
            TypeError: if `texts` is a single string.
        """
        if isinstance(texts, str):
            raise TypeError('`texts` must be a list of texts, not a single string; wrap it: [text].')
        num_words = self.num_words
        oov_index = self.word_index.get(self.oov_token)
        for text in texts:
            sequence = []
            for token in self._tokens(text):
                index = self.word_index.get(token)
                if index is not None:
                    if num_words and index >= num_words:
                        if oov_index is not None:
                            sequence.append(oov_index)
                    else:
                        sequence.append(index)
                elif self.oov_token is not None:
                    sequence.append(oov_index)
            yield sequence

    def sequences_to_texts(self, sequences):
        """Transforms each sequence into a text (words joined by spaces).

        Only the top `num_words - 1` most frequent words are taken into account; unknown indices are
        dropped, or become `oov_token` when it is set.

        # Arguments
            sequences: a list of sequences (lists of integers).

        # Returns
            A list of texts (strings).
        """
        return list(self.sequences_to_texts_generator(sequences))

    def sequences_to_texts_generator(self, sequences):
        """Transforms each sequence in `sequences` to a text, one at a time.

        # Arguments
            sequences: a list of sequences.

        # Yields
            Individual texts.
        """
        num_words = self.num_words
        oov_index = self.word_index.get(self.oov_token)
        for sequence in sequences:
            words = []
            for number in sequence:
                word = self.index_word.get(number)
                if word is not None:
                    if num_words and number >= num_words:
                        if oov_index is not None:
                            words.append(self.index_word[oov_index])
                    else:
                        words.append(word)
                elif self.oov_token is not None:
                    words.append(self.index_word[oov_index])
            yield ' '.join(words)

    def texts_to_matrix(self, texts, mode='binary'):
        """Converts a list of texts to a Numpy matrix.

        # Arguments
            texts: list of strings.
            mode: one of `'binary'`, `'count'`, `'tfidf'`, `'freq'`.

        # Returns
            A Numpy matrix of shape `(len(texts), num_words)`.

        # Raises
            ValueError: in case of invalid `mode`, or if the tokenizer has not been fit.
        """
        self._check_mode(mode)
        return self.sequences_to_matrix(self.texts_to_sequences(texts), mode=mode)

    @staticmethod
    def _check_mode(mode):
        if mode not in _MODES:
            raise ValueError('Unknown vectorization mode: %r. `mode` must be one of %s.'
                             % (mode, ', '.join(repr(m) for m in _MODES)))

    def sequences_to_matrix(self, sequences, mode='binary'):
        """Converts a list of sequences into a Numpy matrix.

        # Arguments
            sequences: list of sequences (a sequence is a list of integer word indices).
            mode: one of `'binary'`, `'count'`, `'tfidf'`, `'freq'`.

        # Returns
            A Numpy matrix of shape `(len(sequences), num_words)` (`num_words` defaults to
            `len(word_index) + 1`).

        # Raises
            ValueError: in case of invalid `mode`, or if the tokenizer has not been fit and `num_words`
                is not set.
        """
        self._check_mode(mode)
        if not self.num_words:
            if self.word_index:
                num_words = len(self.word_index) + 1
            else:
                raise ValueError('Specify a dimension (`num_words` argument), or fit on some text data first.')
        else:
            num_words = self.num_words
        if mode == 'tfidf' and not self.document_count:
            raise ValueError('Fit the Tokenizer on some data before using tfidf mode.')

        matrix = np.zeros((len(sequences), num_words))
        for row, sequence in enumerate(sequences):
            if not len(sequence):
                continue
            counts = collections.defaultdict(int)
            for index in sequence:
                if index >= num_words:
                    continue
                counts[index] += 1
            for index, count in list(counts.items()):
                if mode == 'count':
                    matrix[row][index] = count
                elif mode == 'freq':
                    matrix[row][index] = count / len(sequence)
                elif mode == 'binary':
                    matrix[row][index] = 1
                else:  # tfidf, as Keras 2: (1 + log tf) * log(1 + N / (1 + df))
                    term_frequency = 1 + np.log(count)
                    inverse_document_frequency = np.log(
                        1 + self.document_count / (1 + self.index_docs.get(index, 0)))
                    matrix[row][index] = term_frequency * inverse_document_frequency
        return matrix

    def get_config(self):
        """Returns the tokenizer configuration as a Python dictionary.

        The word count dictionaries are serialized to JSON strings, as Keras does, so the configuration can
        be read by other projects.

        # Returns
            A Python dictionary with the tokenizer configuration.
        """
        return {
            'num_words': self.num_words,
            'filters': self.filters,
            'lower': self.lower,
            'split': self.split,
            'char_level': self.char_level,
            'oov_token': self.oov_token,
            'document_count': self.document_count,
            'word_counts': json.dumps(self.word_counts),
            'word_docs': json.dumps(self.word_docs),
            'index_docs': json.dumps(self.index_docs),
            'index_word': json.dumps(self.index_word),
            'word_index': json.dumps(self.word_index),
        }

    def to_json(self, **kwargs):
        """Returns a JSON string containing the tokenizer configuration.

        To load a tokenizer from a JSON string, use `tokenizer_from_json(json_string)`.

        # Arguments
            **kwargs: additional keyword arguments passed to `json.dumps()`.

        # Returns
            A JSON string containing the tokenizer configuration.
        """
        return json.dumps({'class_name': self.__class__.__name__, 'config': self.get_config()}, **kwargs)


def tokenizer_from_json(json_string):
    """Parses a JSON tokenizer configuration file and returns a tokenizer instance.

    # Arguments
        json_string: JSON string encoding a tokenizer configuration (from `Tokenizer.to_json()`).

    # Returns
        A Keras `Tokenizer` instance.

    # Raises
        ValueError: if the string is not a tokenizer configuration.
    """
    try:
        tokenizer_config = json.loads(json_string)
        config = dict(tokenizer_config['config'])
        word_counts = json.loads(config.pop('word_counts'))
        word_docs = json.loads(config.pop('word_docs'))
        index_docs = json.loads(config.pop('index_docs'))
        index_word = json.loads(config.pop('index_word'))
        word_index = json.loads(config.pop('word_index'))
    except (TypeError, ValueError, KeyError) as error:
        raise ValueError('`json_string` is not a tokenizer configuration made by `Tokenizer.to_json()` '
                         '(%s: %s).' % (type(error).__name__, error))
    tokenizer = Tokenizer(**config)
    tokenizer.word_counts = collections.OrderedDict(word_counts)
    tokenizer.word_docs = collections.defaultdict(int, word_docs)
    tokenizer.index_docs = collections.defaultdict(int, {int(k): v for k, v in index_docs.items()})
    tokenizer.word_index = word_index
    tokenizer.index_word = {int(k): v for k, v in index_word.items()}
    return tokenizer
