"""Utilities for preprocessing sequence data: `pad_sequences`, `skipgrams`, `make_sampling_table` and
`TimeseriesGenerator` (Keras 2.2 behaviour)."""
import numbers
import random

import numpy as np

from kernelkit.utils.data_utils import Sequence as _SequenceBase


def pad_sequences(sequences, maxlen=None, dtype='int32', padding='pre', truncating='pre', value=0.):
    """Pads sequences to the same length.

    Turns a list of `num_samples` sequences (lists of integers, or of equally shaped arrays) into a Numpy
    array of shape `(num_samples, maxlen)` (plus the shape of each timestep). Sequences shorter than
    `maxlen` are padded with `value`; longer ones are truncated, both either at the beginning (`'pre'`,
    the default) or at the end (`'post'`).

    # Arguments
        sequences: list of lists (or arrays), each element a sequence.
        maxlen: int, maximum length of all sequences (default: the longest sequence).
        dtype: type of the output sequences (default `'int32'`). Use `object` for strings.
        padding: string, `'pre'` or `'post'`: pad either before or after each sequence.
        truncating: string, `'pre'` or `'post'`: remove values from sequences larger than `maxlen`,
            either at the beginning or at the end of the sequences.
        value: float or string, padding value.

    # Returns
        x: Numpy array with shape `(len(sequences), maxlen)` (+ the timestep shape).

    # Raises
        ValueError: in case of invalid values for `truncating` or `padding`, if `sequences` is not a list
            of sequences, or if the timesteps of the sequences have different shapes.
    """
    if not hasattr(sequences, '__len__'):
        raise ValueError('`sequences` must be iterable (a list of sequences); received %r.' % (sequences,))
    if padding not in ('pre', 'post'):
        raise ValueError('Padding type "%s" not understood: `padding` must be "pre" or "post".' % (padding,))
    if truncating not in ('pre', 'post'):
        raise ValueError('Truncating type "%s" not understood: `truncating` must be "pre" or "post".'
                         % (truncating,))
    if maxlen is not None and (not isinstance(maxlen, numbers.Integral) or maxlen < 0):
        raise ValueError('`maxlen` must be None or a non-negative integer; received %r.' % (maxlen,))
    lengths = []
    for position, sequence in enumerate(sequences):
        if not hasattr(sequence, '__len__'):
            raise ValueError('`sequences` must be a list of iterables. Found non-iterable %r at position %d.'
                             % (sequence, position))
        lengths.append(len(sequence))
    num_samples = len(sequences)
    if maxlen is None:
        maxlen = int(max(lengths)) if lengths else 0

    sample_shape = ()
    for sequence in sequences:
        if len(sequence) > 0:
            sample_shape = np.asarray(sequence).shape[1:]
            break

    is_text = np.issubdtype(dtype, np.str_) or np.issubdtype(dtype, np.bytes_)
    if isinstance(value, str) and dtype != object and not is_text:
        raise ValueError('`dtype` %s is not compatible with the string padding `value` %r. Use '
                         '`dtype=object` to pad sequences of strings.' % (dtype, value))

    out = np.full((num_samples, maxlen) + sample_shape, value, dtype=dtype)
    if maxlen == 0:
        return out
    for position, sequence in enumerate(sequences):
        if not len(sequence):
            continue
        kept = sequence[-maxlen:] if truncating == 'pre' else sequence[:maxlen]
        kept = np.asarray(kept, dtype=dtype)
        if kept.shape[1:] != sample_shape:
            raise ValueError('Shape of sample %s of sequence at position %s is different from expected shape '
                             '%s.' % (kept.shape[1:], position, sample_shape))
        if padding == 'post':
            out[position, :len(kept)] = kept
        else:
            out[position, -len(kept):] = kept
    return out


def make_sampling_table(size, sampling_factor=1e-5):
    """Generates a word rank-based probabilistic sampling table.

    Used for generating the `sampling_table` argument of `skipgrams`. `sampling_table[i]` is the
    probability of sampling the i-th most common word in a dataset (more common words should be sampled
    less frequently, for balance). Word frequencies are assumed to follow Zipf's law (s=1), giving
    `frequency(rank) ~ 1/(rank * (log(rank) + gamma) + 1/2 - 1/(12*rank))` with gamma the Euler-Mascheroni
    constant, and the word2vec sampling probability `min(1, sqrt(frequency / sampling_factor) / ...)`.

    # Arguments
        size: int, number of possible words to sample.
        sampling_factor: the sampling factor in the word2vec formula.

    # Returns
        A 1D Numpy array of length `size` where the i-th entry is the probability that a word of rank i
        should be sampled.

    # Raises
        ValueError: if `size` is not a non-negative integer.
    """
    if not isinstance(size, numbers.Integral) or size < 0:
        raise ValueError('`size` must be a non-negative integer; received %r.' % (size,))
    gamma = 0.577
    rank = np.arange(size)
    if size:
        rank[0] = 1
    inverse_frequency = rank * (np.log(rank) + gamma) + 0.5 - 1. / (12. * rank)
    scaled = sampling_factor * inverse_frequency
    return np.minimum(1., scaled / np.sqrt(scaled))


def skipgrams(sequence, vocabulary_size, window_size=4, negative_samples=1., shuffle=True,
              categorical=False, sampling_table=None, seed=None):
    """Generates skipgram word pairs.

    Turns a sequence of word indices into couples `(word, word in the same window)` labelled 1 (positive
    samples) and `(word, random word from the vocabulary)` labelled 0 (negative samples). Index 0 is a
    non-word and is skipped. Negative words and shuffling use Python's `random` module; with `seed` the
    final shuffle is reproducible.

    # Arguments
        sequence: a word sequence (sentence), encoded as a list of word indices (integers). With a
            `sampling_table`, word indices are expected to match the rank of the words in a reference
            dataset (e.g. 10 encodes the 10-th most frequent token).
        vocabulary_size: int, maximum possible word index + 1.
        window_size: int, size of sampling windows (technically half-window). The window of a word
            `w_i` is `[i - window_size, i + window_size + 1]`.
        negative_samples: float >= 0. 0 for no negative samples, 1 for as many as positive samples.
        shuffle: whether to shuffle the word couples before returning them.
        categorical: if False, labels are integers (e.g. `[0, 1, 1 .. ]`); if True, they are categorical,
            e.g. `[[1,0],[0,1],[0,1] .. ]`.
        sampling_table: 1D array of size `vocabulary_size` where the entry i encodes the probability to
            sample a word of rank i.
        seed: random seed for the shuffle.

    # Returns
        couples, labels: `couples` are int pairs and `labels` are either 0 or 1 (or their one-hot form).

    # Raises
        ValueError: if `window_size` or `negative_samples` is negative, or `vocabulary_size` < 2 while
            negative samples are asked for.
    """
    if window_size < 0:
        raise ValueError('`window_size` must be >= 0; received %r.' % (window_size,))
    if negative_samples < 0:
        raise ValueError('`negative_samples` must be >= 0; received %r.' % (negative_samples,))
    couples, labels = [], []
    positive, negative = ([0, 1], [1, 0]) if categorical else (1, 0)
    for i, word in enumerate(sequence):
        if not word:
            continue
        if sampling_table is not None and sampling_table[word] < random.random():
            continue
        for j in range(max(0, i - window_size), min(len(sequence), i + window_size + 1)):
            if j == i or not sequence[j]:
                continue
            couples.append([word, sequence[j]])
            labels.append(positive)

    if negative_samples > 0:
        count = int(len(labels) * negative_samples)
        if count and int(vocabulary_size) < 2:
            raise ValueError('`vocabulary_size` must be at least 2 to draw negative samples; received %r.'
                             % (vocabulary_size,))
        words = [couple[0] for couple in couples]
        random.shuffle(words)
        couples += [[words[k % len(words)], random.randint(1, int(vocabulary_size - 1))] for k in range(count)]
        labels += [negative] * count

    if shuffle:
        if seed is None:
            seed = random.randint(0, int(10e6))
        random.seed(seed)
        random.shuffle(couples)
        random.seed(seed)
        random.shuffle(labels)
    return couples, labels


def _remove_long_seq(maxlen, seq, label):
    """Keeps the sequences (and their labels) shorter than `maxlen`.

    # Arguments
        maxlen: int, the strict upper bound of the lengths kept.
        seq: list of sequences.
        label: list of labels.

    # Returns
        The kept sequences and labels, as lists.
    """
    kept_seq, kept_label = [], []
    for x, y in zip(seq, label):
        if len(x) < maxlen:
            kept_seq.append(x)
            kept_label.append(y)
    return kept_seq, kept_label


class TimeseriesGenerator(_SequenceBase):
    """Utility class for generating batches of temporal data.

    Takes a sequence of data points gathered at equal intervals, with time series parameters such as
    stride and length of history, and produces batches for training/validation. It is a Keras `Sequence`
    (it has `__len__` and `__getitem__`) and can be given to `fit_generator`.

    # Arguments
        data: indexable generator (such as list or Numpy array) containing consecutive data points
            (timesteps). Axis 0 is expected to be the time dimension.
        targets: targets corresponding to timesteps in `data`. It should have the same length as `data`.
        length: length of the output sequences (in number of timesteps).
        sampling_rate: period between successive individual timesteps within sequences. For rate `r`,
            timesteps `data[i]`, `data[i-r]`, ... `data[i - length]` are used to create a sample sequence.
        stride: period between successive output sequences. For stride `s`, consecutive output samples
            are centered around `data[i]`, `data[i+s]`, `data[i+2*s]`, etc.
        start_index: data points earlier than `start_index` are not used in the output sequences. This is
            useful to reserve part of the data for test or validation.
        end_index: data points later than `end_index` are not used in the output sequences.
        shuffle: whether to shuffle output samples, or instead draw them in chronological order.
        reverse: if True, timesteps in each output sample are in reverse chronological order.
        batch_size: number of timeseries samples in each batch (except maybe the last one).

    # Returns
        A `Sequence` instance.

    # Raises
        ValueError: if `data` and `targets` differ in length, if an argument is not a positive integer,
            or if `start_index + length > end_index`.

    # Examples
    ```python
    data = np.array([[i] for i in range(50)])
    targets = np.array([[i] for i in range(50)])
    data_gen = TimeseriesGenerator(data, targets, length=10, sampling_rate=2, batch_size=2)
    assert len(data_gen) == 20
    x, y = data_gen[0]
    assert np.array_equal(x, np.array([[[0], [2], [4], [6], [8]], [[1], [3], [5], [7], [9]]]))
    assert np.array_equal(y, np.array([[10], [11]]))
    ```
    """

    def __init__(self, data, targets, length, sampling_rate=1, stride=1, start_index=0, end_index=None,
                 shuffle=False, reverse=False, batch_size=128):
        if len(data) != len(targets):
            raise ValueError('Data and targets have to be of same length. Data length is %d while target '
                             'length is %d.' % (len(data), len(targets)))
        for name, number in (('length', length), ('sampling_rate', sampling_rate), ('stride', stride),
                             ('batch_size', batch_size)):
            if not isinstance(number, numbers.Integral) or number < 1:
                raise ValueError('`%s` must be a positive integer; received %r.' % (name, number))
        self.data = data
        self.targets = targets
        self.length = length
        self.sampling_rate = sampling_rate
        self.stride = stride
        self.start_index = start_index + length
        if end_index is None:
            end_index = len(data) - 1
        self.end_index = end_index
        self.shuffle = shuffle
        self.reverse = reverse
        self.batch_size = batch_size
        if self.start_index > self.end_index:
            raise ValueError('`start_index+length=%i > end_index=%i` is disallowed, as no part of the sequence '
                             'would be left to be used as current step.' % (self.start_index, self.end_index))

    def __len__(self):
        span = self.batch_size * self.stride
        return (self.end_index - self.start_index + span) // span

    def __getitem__(self, index):
        if not -len(self) <= index < len(self):
            raise IndexError('Batch index %d is out of range for a TimeseriesGenerator of %d batches.'
                             % (index, len(self)))
        if index < 0:
            index += len(self)
        if self.shuffle:
            rows = np.random.randint(self.start_index, self.end_index + 1, size=self.batch_size)
        else:
            first = self.start_index + self.batch_size * self.stride * index
            rows = np.arange(first, min(first + self.batch_size * self.stride, self.end_index + 1), self.stride)
        samples = np.array([self.data[row - self.length:row:self.sampling_rate] for row in rows])
        targets = np.array([self.targets[row] for row in rows])
        if self.reverse:
            return samples[:, ::-1, ...], targets
        return samples, targets

    def __iter__(self):
        for index in range(len(self)):
            yield self[index]

    def on_epoch_end(self):
        """Called by the training loop at the end of every epoch; nothing to do here."""
