"""`kernelkit.preprocessing.sequence` and `.text` against tf_keras's (the oracle keeps Keras 2.2 behaviour)."""
import json
import random
import warnings

import numpy as np
import pytest

from kernelkit.preprocessing import sequence as kseq
from kernelkit.preprocessing import text as ktext

tf_seq = pytest.importorskip('tf_keras.preprocessing.sequence')
tf_text = pytest.importorskip('tf_keras.preprocessing.text')

SEQUENCES = [[1, 2, 3], [4, 5], [], [6, 7, 8, 9, 10], [11]]
TEXTS = ['The cat sat on the mat.', 'The dog ate my homework!', 'Dogs and cats: friends?',
         "It's the cat's mat, isn't it?", '']


# ---------------------------------------------------------------------------------- pad_sequences

@pytest.mark.parametrize('padding', ['pre', 'post'])
@pytest.mark.parametrize('truncating', ['pre', 'post'])
@pytest.mark.parametrize('maxlen', [None, 3, 7])
def test_pad_sequences_matches_the_oracle(padding, truncating, maxlen):
    got = kseq.pad_sequences(SEQUENCES, maxlen=maxlen, padding=padding, truncating=truncating, value=-1)
    want = tf_seq.pad_sequences(SEQUENCES, maxlen=maxlen, padding=padding, truncating=truncating, value=-1)
    assert got.dtype == want.dtype == np.int32
    np.testing.assert_array_equal(got, want)


def test_pad_sequences_dtypes_and_timestep_shapes():
    floats = [[0.5, 1.5], [2.5]]
    np.testing.assert_array_equal(kseq.pad_sequences(floats, dtype='float32', value=0.25),
                                  tf_seq.pad_sequences(floats, dtype='float32', value=0.25))
    vectors = [np.ones((2, 3)), np.ones((4, 3)) * 2]
    got = kseq.pad_sequences(vectors, maxlen=3, dtype='float32')
    np.testing.assert_array_equal(got, tf_seq.pad_sequences(vectors, maxlen=3, dtype='float32'))
    assert got.shape == (2, 3, 3)
    words = [['a', 'b'], ['c']]
    np.testing.assert_array_equal(kseq.pad_sequences(words, dtype=object, value='_'),
                                  np.array([['a', 'b'], ['_', 'c']], dtype=object))
    assert kseq.pad_sequences([]).shape == (0, 0)
    assert kseq.pad_sequences(SEQUENCES, maxlen=0).shape == (5, 0)  # Keras 2 crashed on maxlen=0


def test_pad_sequences_errors_name_the_problem():
    with pytest.raises(ValueError, match='Padding type "middle"'):
        kseq.pad_sequences(SEQUENCES, padding='middle')
    with pytest.raises(ValueError, match='Truncating type "both"'):
        kseq.pad_sequences(SEQUENCES, truncating='both')
    with pytest.raises(ValueError, match='non-iterable'):
        kseq.pad_sequences([[1], 2])
    with pytest.raises(ValueError, match='position 1'):
        kseq.pad_sequences([np.ones((2, 3)), np.ones((2, 4))], dtype='float32')
    with pytest.raises(ValueError, match='dtype=object'):
        kseq.pad_sequences([['a']], value='x')


# ---------------------------------------------------------------------------------- skipgrams etc.

def test_make_sampling_table_matches_the_oracle():
    np.testing.assert_allclose(kseq.make_sampling_table(50), tf_seq.make_sampling_table(50))
    np.testing.assert_allclose(kseq.make_sampling_table(10, sampling_factor=1e-3),
                               tf_seq.make_sampling_table(10, sampling_factor=1e-3))


@pytest.mark.parametrize('options', [dict(), dict(categorical=True, negative_samples=0.5, window_size=2),
                                     dict(shuffle=False), dict(sampling_table='table')])
def test_skipgrams_with_seed_match_the_oracle(options):
    options = dict(options)
    if options.get('sampling_table') == 'table':
        options['sampling_table'] = tf_seq.make_sampling_table(12, sampling_factor=0.05)
    sentence = [1, 2, 0, 3, 4, 5, 1, 7, 11]
    random.seed(4)
    got = kseq.skipgrams(sentence, 12, seed=17, **options)
    random.seed(4)
    want = tf_seq.skipgrams(sentence, 12, seed=17, **options)
    assert got == want
    couples, labels = got
    assert len(couples) == len(labels) > 0


def test_timeseries_generator_matches_the_oracle():
    data = np.arange(50).reshape(25, 2)
    targets = np.arange(25) * 10
    for options in (dict(length=5, batch_size=4), dict(length=4, sampling_rate=2, stride=3, batch_size=3),
                    dict(length=3, start_index=2, end_index=20, reverse=True, batch_size=5)):
        ours = kseq.TimeseriesGenerator(data, targets, **options)
        oracle = tf_seq.TimeseriesGenerator(data, targets, **options)
        assert len(ours) == len(oracle)
        for index in range(len(oracle)):
            for got, want in zip(ours[index], oracle[index]):
                np.testing.assert_array_equal(got, want)
    shuffled = kseq.TimeseriesGenerator(data, targets, length=5, shuffle=True, batch_size=4)
    np.random.seed(0)
    x, y = shuffled[0]
    np.random.seed(0)
    x2, y2 = tf_seq.TimeseriesGenerator(data, targets, length=5, shuffle=True, batch_size=4)[0]
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, y2)
    with pytest.raises(ValueError, match='same length'):
        kseq.TimeseriesGenerator(data, targets[:3], length=2)
    with pytest.raises(ValueError, match='end_index'):
        kseq.TimeseriesGenerator(data, targets, length=30)
    with pytest.raises(IndexError):
        kseq.TimeseriesGenerator(data, targets, length=5, batch_size=4)[99]


# ---------------------------------------------------------------------------------- text

def test_text_to_word_sequence_one_hot_and_hashing_match_the_oracle():
    for sample in TEXTS:
        assert ktext.text_to_word_sequence(sample) == tf_text.text_to_word_sequence(sample)
        assert ktext.text_to_word_sequence(sample, lower=False, split=',', filters='!') == \
            tf_text.text_to_word_sequence(sample, lower=False, split=',', filters='!')
        assert ktext.one_hot(sample, 7) == tf_text.one_hot(sample, 7)
        assert ktext.hashing_trick(sample, 11, hash_function='md5') == \
            tf_text.hashing_trick(sample, 11, hash_function='md5')
    with pytest.raises(TypeError, match='string'):
        ktext.text_to_word_sequence(['not', 'a', 'string'])
    with pytest.raises(ValueError, match='`n`'):
        ktext.one_hot('a b', 1)


@pytest.mark.parametrize('options', [dict(), dict(num_words=5), dict(oov_token='<OOV>', num_words=6),
                                     dict(char_level=True), dict(lower=False, filters='')])
def test_tokenizer_matches_the_oracle(options):
    ours, oracle = ktext.Tokenizer(**options), tf_text.Tokenizer(**options)
    ours.fit_on_texts(TEXTS)
    oracle.fit_on_texts(TEXTS)
    assert ours.word_index == oracle.word_index
    assert ours.index_word == oracle.index_word
    assert list(ours.word_counts.items()) == list(oracle.word_counts.items())
    assert dict(ours.word_docs) == dict(oracle.word_docs)
    assert dict(ours.index_docs) == dict(oracle.index_docs)
    assert ours.document_count == oracle.document_count == len(TEXTS)
    probe = ['the cat ate a zebra', 'mat mat dog'] + TEXTS
    sequences = ours.texts_to_sequences(probe)
    assert sequences == oracle.texts_to_sequences(probe)
    assert list(ours.texts_to_sequences_generator(probe)) == sequences
    assert ours.sequences_to_texts(sequences) == oracle.sequences_to_texts(sequences)
    for mode in ('binary', 'count', 'tfidf', 'freq'):
        np.testing.assert_allclose(ours.texts_to_matrix(probe, mode=mode), oracle.texts_to_matrix(probe, mode=mode))


def test_tokenizer_on_token_lists_and_sequences():
    tokens = [['Hello', 'world'], ['hello', 'there', 'world']]
    ours, oracle = ktext.Tokenizer(), tf_text.Tokenizer()
    ours.fit_on_texts(tokens)
    oracle.fit_on_texts(tokens)
    assert ours.word_index == oracle.word_index
    ours, oracle = ktext.Tokenizer(num_words=8), tf_text.Tokenizer(num_words=8)
    ours.fit_on_sequences([[1, 2, 2], [3, 7]])
    oracle.fit_on_sequences([[1, 2, 2], [3, 7]])
    np.testing.assert_allclose(ours.sequences_to_matrix([[1, 2, 2, 9], [7]], mode='tfidf'),
                               oracle.sequences_to_matrix([[1, 2, 2, 9], [7]], mode='tfidf'))


def test_tokenizer_json_round_trip_and_oracle_interchange():
    ours = ktext.Tokenizer(num_words=6, oov_token='?')
    ours.fit_on_texts(TEXTS)
    restored = ktext.tokenizer_from_json(ours.to_json())
    assert restored.word_index == ours.word_index and restored.index_word == ours.index_word
    assert restored.texts_to_sequences(TEXTS) == ours.texts_to_sequences(TEXTS)
    np.testing.assert_allclose(restored.texts_to_matrix(TEXTS, 'tfidf'), ours.texts_to_matrix(TEXTS, 'tfidf'))
    restored.fit_on_texts(['more text'])  # keeps learning after a restore
    assert restored.document_count == len(TEXTS) + 1
    # the JSON is Keras's format: tf_keras reads ours and we read tf_keras's
    assert json.loads(ours.to_json())['class_name'] == 'Tokenizer'
    assert tf_text.tokenizer_from_json(ours.to_json()).word_index == ours.word_index
    oracle = tf_text.Tokenizer(oov_token='?')
    oracle.fit_on_texts(TEXTS)
    assert ktext.tokenizer_from_json(oracle.to_json()).texts_to_sequences(TEXTS) == oracle.texts_to_sequences(TEXTS)


def test_tokenizer_errors_are_clear():
    tokenizer = ktext.Tokenizer()
    with pytest.raises(ValueError, match='num_words'):
        tokenizer.texts_to_matrix(['a'])
    tokenizer.fit_on_texts(['a b'])
    with pytest.raises(ValueError, match='Unknown vectorization mode'):
        tokenizer.texts_to_matrix(['a'], mode='onehot')
    with pytest.raises(TypeError, match='single string'):
        tokenizer.fit_on_texts('a b c')
    with pytest.raises(TypeError, match='Unrecognized keyword'):
        ktext.Tokenizer(vocabulary=3)
    with pytest.raises(ValueError, match='tfidf'):
        ktext.Tokenizer(num_words=3).sequences_to_matrix([[1]], mode='tfidf')
    with pytest.raises(ValueError, match='to_json'):
        ktext.tokenizer_from_json('{"config": {}}')
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        assert ktext.Tokenizer(nb_words=4).num_words == 4
    assert 'renamed `num_words`' in str(caught[0].message)
