"""`model.summary()`: the exact Keras 2.2 text, written out by hand."""
import pytest
import tensorflow as tf

from kernelkit.layers import Dense, Dropout, Input, Lambda
from kernelkit.models import Model, Sequential

SEQ_RULE = '_' * 65
SEQ_DOUBLE = '=' * 65
SEQ_HEADER = 'Layer (type)                 Output Shape              Param #   '
GRAPH_RULE = '_' * 98
GRAPH_DOUBLE = '=' * 98
GRAPH_HEADER = ('Layer (type)                    Output Shape         Param #     Connected to'
                '                     ')


def concat(tensors):
    return tf.concat(tensors, axis=-1)


def difference(tensors):
    return tensors[0] - tensors[1]


def _lines(model, **kwargs):
    lines = []
    model.summary(print_fn=lines.append, **kwargs)
    return lines


def test_mnist_mlp():
    model = Sequential()
    model.add(Dense(512, activation='relu', input_shape=(784,)))
    model.add(Dropout(0.2))
    model.add(Dense(512, activation='relu'))
    model.add(Dropout(0.2))
    model.add(Dense(10, activation='softmax'))
    assert _lines(model) == [
        SEQ_RULE,
        SEQ_HEADER,
        SEQ_DOUBLE,
        'dense_1 (Dense)              (None, 512)               401920    ',
        SEQ_RULE,
        'dropout_1 (Dropout)          (None, 512)               0         ',
        SEQ_RULE,
        'dense_2 (Dense)              (None, 512)               262656    ',
        SEQ_RULE,
        'dropout_2 (Dropout)          (None, 512)               0         ',
        SEQ_RULE,
        'dense_3 (Dense)              (None, 10)                5130      ',
        SEQ_DOUBLE,
        'Total params: 669,706',
        'Trainable params: 669,706',
        'Non-trainable params: 0',
        SEQ_RULE,
    ]


def test_two_input_functional_model_connected_to():
    a = Input(shape=(3,))
    b = Input(shape=(2,))
    merged = Lambda(concat)([Dense(4)(a), b])
    model = Model([a, b], Dense(1)(merged))
    assert _lines(model) == [
        GRAPH_RULE,
        GRAPH_HEADER,
        GRAPH_DOUBLE,
        'input_1 (InputLayer)            (None, 3)            0                                            ',
        GRAPH_RULE,
        'dense_1 (Dense)                 (None, 4)            16          input_1[0][0]                    ',
        GRAPH_RULE,
        'input_2 (InputLayer)            (None, 2)            0                                            ',
        GRAPH_RULE,
        'lambda_1 (Lambda)               (None, 6)            0           dense_1[0][0]                    ',
        '                                                                 input_2[0][0]                    ',
        GRAPH_RULE,
        'dense_2 (Dense)                 (None, 1)            7           lambda_1[0][0]                   ',
        GRAPH_DOUBLE,
        'Total params: 23',
        'Trainable params: 23',
        'Non-trainable params: 0',
        GRAPH_RULE,
    ]


def test_shared_layer_and_nested_model():
    left, right = Input(shape=(3,), name='left'), Input(shape=(3,), name='right')
    tower_in = Input(shape=(3,))
    tower = Model(tower_in, Dense(2)(tower_in), name='tower')
    distance = Lambda(difference, name='distance')([tower(left), tower(right)])
    model = Model([left, right], distance)
    assert _lines(model)[3:12] == [
        'left (InputLayer)               (None, 3)            0                                            ',
        GRAPH_RULE,
        'right (InputLayer)              (None, 3)            0                                            ',
        GRAPH_RULE,
        'tower (Model)                   (None, 2)            8           left[0][0]                       ',
        '                                                                 right[0][0]                      ',
        GRAPH_RULE,
        'distance (Lambda)               (None, 2)            0           tower[1][0]                      ',
        '                                                                 tower[2][0]                      ',
    ]


def test_branching_chain_is_not_sequential_like():
    # Every layer has one input, but two nodes share a depth: Keras 2 prints the "Connected to" table.
    x = Input(shape=(3,))
    trunk = Dense(3)(x)
    model = Model(x, [Dense(1)(trunk), Dense(2)(trunk)])
    lines = _lines(model)
    assert lines[1] == GRAPH_HEADER and len(lines[0]) == 98
    chain = Input(shape=(3,))
    assert _lines(Model(chain, Dense(1)(Dense(2)(chain))))[1] == SEQ_HEADER


def test_frozen_layer_counts():
    frozen = Dense(3, input_shape=(2,), trainable=False)
    model = Sequential([frozen, Dense(1)])
    model.compile('sgd', 'mse')
    assert _lines(model)[-5:] == [
        SEQ_DOUBLE,
        'Total params: 13',
        'Trainable params: 4',
        'Non-trainable params: 9',
        SEQ_RULE,
    ]
    # Keras 2 counts the trainable weights `compile` collected (and the current non-trainable ones), so an
    # unfrozen layer counts nowhere until the model is compiled again.
    frozen.trainable = True
    with pytest.warns(UserWarning, match='Discrepancy between trainable weights'):
        lines = _lines(model)
    assert lines[-4:-1] == ['Total params: 4', 'Trainable params: 4', 'Non-trainable params: 0']
    model.compile('sgd', 'mse')
    assert _lines(model)[-4:-1] == ['Total params: 13', 'Trainable params: 13', 'Non-trainable params: 0']


def test_thousands_separator_and_multiple_output_shapes():
    shared = Dense(1000)
    x = Input(shape=(4, 2))
    shared(Input(shape=(2,)))
    model = Model(x, shared(x))
    assert _lines(model)[5:9] == [
        'dense_1 (Dense)              multiple                  3000      ',
        SEQ_DOUBLE,
        'Total params: 3,000',
        'Trainable params: 3,000',
    ]


def test_line_length_positions_and_print_fn():
    model = Sequential([Dense(2, input_shape=(3,), name='a_rather_long_layer_name')])
    lines = _lines(model, line_length=40, positions=[20, 32, 40])
    assert lines[:5] == [
        '_' * 40,
        'Layer (type)        Output Shap Param # ',  # Keras 2 overwrites a field's last character
        '=' * 40,
        'a_rather_long_layer (None, 2)   8       ',
        '=' * 40,
    ]
    assert len(_lines(model, line_length=80)[1]) == 80
    printed = []
    model.summary(print_fn=lambda line: printed.append(line.upper()))
    assert printed[1] == SEQ_HEADER.upper()
    assert model.summary(print_fn=lambda line: None) is None
    assert len(printed) == 9
