"""Embedding and the merge layers (Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot) against
tf_keras (oracle) and numpy: outputs, shapes, masks, configs, broadcasting of different ranks, errors."""
import numpy as np
import pytest
import tensorflow as tf
import tf_keras

from kernelkit import layers
from kernelkit.layers import Embedding, Input
from kernelkit.models import Model, Sequential
from kernelkit.utils.test_utils import layer_test


def _data(shape, seed=0):
    return np.random.RandomState(seed).standard_normal(shape).astype('float32')


def _ids(shape, seed=0, high=6):
    return np.random.RandomState(seed).randint(0, high, size=shape).astype('int32')


# ------------------------------------------------------------------------------------------ Embedding

@pytest.mark.parametrize('kwargs,input_shape', [
    ({'input_dim': 10, 'output_dim': 3}, (2, 4)),
    ({'input_dim': 10, 'output_dim': 2, 'input_length': 4}, (2, 4)),
    ({'input_dim': 10, 'output_dim': 3, 'mask_zero': True}, (2, 3)),
    ({'input_dim': 10, 'output_dim': 2, 'input_length': (2, 3)}, (2, 2, 3)),
])
def test_embedding_matches_oracle(kwargs, input_shape):
    out = layer_test(Embedding, kwargs, input_shape=input_shape, input_dtype='int32',
                     oracle=tf_keras.layers.Embedding, check_training=False)
    assert out.shape == input_shape + (kwargs['output_dim'],)


def test_embedding_numpy_mask_and_keras2_defaults():
    layer = Embedding(6, 2, mask_zero=True)
    ids = np.array([[1, 0, 5], [0, 0, 2]], dtype='int32')
    y = layer(ids)
    table = layer.get_weights()[0]
    np.testing.assert_allclose(y.numpy(), table[ids])
    np.testing.assert_array_equal(layer.compute_mask(tf.constant(ids)).numpy(), ids != 0)
    oracle = tf_keras.layers.Embedding(6, 2, mask_zero=True)
    np.testing.assert_array_equal(layer.compute_mask(tf.constant(ids)).numpy(),
                                  oracle.compute_mask(tf.constant(ids)).numpy())
    # Keras 2: 'uniform' initializer in [-0.05, 0.05], an implicit input shape (None,), float ids cast.
    assert np.all(np.abs(table) <= 0.05)
    config = layer.get_config()
    assert config['embeddings_initializer']['class_name'] == 'RandomUniform'
    assert config['batch_input_shape'] == (None, None) and config['input_length'] is None
    assert sorted(k for k in config if k not in ('name', 'trainable', 'batch_input_shape', 'dtype')) == sorted(
        ['input_dim', 'output_dim', 'embeddings_initializer', 'embeddings_regularizer', 'activity_regularizer',
         'embeddings_constraint', 'mask_zero', 'input_length'])
    np.testing.assert_allclose(layer(ids.astype('float32')).numpy(), table[ids])
    assert [w.name for w in layer.weights] == ['embedding_1/embeddings:0']


def test_embedding_first_layer_of_sequential_and_mask_in_graph():
    model = Sequential([Embedding(5, 2, input_length=3, mask_zero=True)])
    assert model.output_shape == (None, 3, 2)
    ids = np.array([[0, 1, 2], [3, 0, 4]])
    np.testing.assert_allclose(model.predict(ids), model.get_weights()[0][ids], rtol=1e-6)
    assert model.layers[0].output._keras_mask is not None
    x = Input(shape=(None,), dtype='int32')
    y = Embedding(5, 2)(x)
    assert y._keras_mask is None and tuple(y.shape.as_list()) == (None, None, 2)


def test_embedding_errors():
    with pytest.raises(ValueError, match='input_dim'):
        Embedding(0, 3)
    with pytest.raises(ValueError, match='output_dim'):
        Embedding(5, 'three')
    with pytest.raises(ValueError, match='input_length'):
        Embedding(5, 3, input_length=4)(Input(batch_shape=(None, 5)))


# ------------------------------------------------------------------------------------- merge layers

ELEMENTWISE = [('Add', 'add', np.add), ('Multiply', 'multiply', np.multiply),
               ('Maximum', 'maximum', np.maximum), ('Minimum', 'minimum', np.minimum),
               ('Average', 'average', lambda a, b: (a + b) / 2), ('Subtract', 'subtract', np.subtract)]


def _compare_two_input_layer(ours, theirs, shapes, seed=0, atol=1e-5):
    """Builds both layers in functional models on inputs of `shapes` and compares outputs with tf_keras."""
    data = [_data((2,) + s, seed + i) for i, s in enumerate(shapes)]
    inputs = [Input(shape=s) for s in shapes]
    model = Model(inputs, ours(inputs))
    oracle_inputs = [tf_keras.Input(shape=s) for s in shapes]
    oracle = tf_keras.Model(oracle_inputs, theirs(oracle_inputs))
    expected = oracle.predict(data, verbose=0)
    actual = model.predict(data)
    assert model.output_shape == oracle.output_shape
    np.testing.assert_allclose(actual, expected, atol=atol, rtol=0)
    rebuilt = Model.from_config(model.get_config())
    np.testing.assert_allclose(rebuilt.predict(data), expected, atol=atol, rtol=0)
    return actual


@pytest.mark.parametrize('name,function,numpy_op', ELEMENTWISE, ids=[e[0] for e in ELEMENTWISE])
def test_elementwise_merges_match_oracle_and_numpy(name, function, numpy_op):
    ours, theirs = getattr(layers, name), getattr(tf_keras.layers, name)
    out = _compare_two_input_layer(lambda xs: ours()(xs), lambda xs: theirs()(xs), [(3, 4), (3, 4)])
    np.testing.assert_allclose(out, numpy_op(_data((2, 3, 4), 0), _data((2, 3, 4), 1)), rtol=1e-5, atol=1e-6)
    # the functional form, and (except Subtract) three inputs
    _compare_two_input_layer(lambda xs: getattr(layers, function)(xs, name='merged'),
                             lambda xs: getattr(tf_keras.layers, function)(xs), [(4,), (4,)])
    if name != 'Subtract':
        _compare_two_input_layer(lambda xs: ours()(xs), lambda xs: theirs()(xs), [(3,), (3,), (3,)])


@pytest.mark.parametrize('name', ['Add', 'Multiply', 'Maximum', 'Average'])
def test_broadcasting_of_different_ranks_as_keras2(name):
    # Keras 2 inserts the missing axes right after the batch axis: (b, 3) with (b, 2, 3) -> (b, 2, 3).
    ours, theirs = getattr(layers, name), getattr(tf_keras.layers, name)
    _compare_two_input_layer(lambda xs: ours()(xs), lambda xs: theirs()(xs), [(3,), (2, 3)])
    _compare_two_input_layer(lambda xs: ours()(xs), lambda xs: theirs()(xs), [(2, 1), (2, 3)])
    a, b = Input(shape=(3,)), Input(shape=(2, 3))
    assert ours()([a, b]).shape.as_list() == [None, 2, 3]
    assert ours().compute_output_shape([(None, 3), (None, 2, 3)]) == (None, 2, 3)
    assert ours().compute_output_shape([(5, 1, 4), (None, 2, 1)]) == (5, 2, 4)


@pytest.mark.parametrize('axis,shapes', [(-1, [(3, 2), (3, 4)]), (1, [(2, 3), (4, 3)]), (2, [(3, 2), (3, 1)])])
def test_concatenate_matches_oracle(axis, shapes):
    out = _compare_two_input_layer(lambda xs: layers.Concatenate(axis=axis)(xs),
                                   lambda xs: tf_keras.layers.Concatenate(axis=axis)(xs), shapes)
    np.testing.assert_allclose(out, np.concatenate([_data((2,) + shapes[0], 0), _data((2,) + shapes[1], 1)],
                                                   axis=axis), rtol=1e-6)
    _compare_two_input_layer(lambda xs: layers.concatenate(xs, axis=axis),
                             lambda xs: tf_keras.layers.concatenate(xs, axis=axis), shapes)
    assert layers.Concatenate(axis=axis).get_config()['axis'] == axis


@pytest.mark.parametrize('axes,normalize,shapes', [
    (1, False, [(4,), (4,)]),
    (-1, True, [(4,), (4,)]),
    ((2, 2), False, [(3, 4), (2, 4)]),
    ((1, 2), False, [(3, 4), (2, 3)]),
    (1, True, [(3, 2), (3, 4)]),
])
def test_dot_matches_oracle(axes, normalize, shapes):
    _compare_two_input_layer(lambda xs: layers.Dot(axes=axes, normalize=normalize)(xs),
                             lambda xs: tf_keras.layers.Dot(axes=axes, normalize=normalize)(xs), shapes)
    _compare_two_input_layer(lambda xs: layers.dot(xs, axes=axes, normalize=normalize),
                             lambda xs: tf_keras.layers.dot(xs, axes=axes, normalize=normalize), shapes)


def test_dot_numpy_cosine_and_config():
    a, b = _data((3, 4), 0), _data((3, 4), 1)
    layer = layers.Dot(axes=1, normalize=True)
    out = layer([tf.constant(a), tf.constant(b)]).numpy()
    expected = (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
    np.testing.assert_allclose(out, expected[:, None], rtol=1e-5)
    assert layer.compute_output_shape([(None, 4), (None, 4)]) == (None, 1)
    config = layer.get_config()
    assert config['axes'] == 1 and config['normalize'] is True
    assert layers.Dot.from_config(config).get_config() == config


def _masked_pair(merge, shapes=((3, 2), (3, 2))):
    ids = [Input(shape=(3,), dtype='int32') for _ in range(2)]
    embedded = [Embedding(6, s[-1], mask_zero=True)(i) for i, s in zip(ids, shapes)]
    return ids, merge(embedded)


@pytest.mark.parametrize('name', ['Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum'])
def test_elementwise_masks_are_anded_like_oracle(name):
    ids = [np.array([[1, 0, 3], [0, 2, 2]]), np.array([[1, 1, 0], [0, 4, 2]])]
    masks = [tf.constant(i != 0) for i in ids]
    inputs = [tf.constant(_data((2, 3, 2), k)) for k in range(2)]
    ours = getattr(layers, name)().compute_mask(inputs, masks).numpy()
    theirs = getattr(tf_keras.layers, name)().compute_mask(inputs, masks).numpy()
    np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_array_equal(ours, (ids[0] != 0) & (ids[1] != 0))
    assert getattr(layers, name)().compute_mask(inputs, [None, None]) is None
    np.testing.assert_array_equal(getattr(layers, name)().compute_mask(inputs, [masks[0], None]).numpy(),
                                  ids[0] != 0)
    _, merged = _masked_pair(getattr(layers, name)())
    assert merged._keras_mask is not None and merged._keras_mask.shape.as_list() == [None, 3]


def test_concatenate_merges_masks_like_oracle():
    ids = [np.array([[1, 0, 3], [0, 2, 2]]), np.array([[1, 1, 0], [0, 4, 2]])]
    masks = [tf.constant(i != 0) for i in ids]
    inputs = [tf.constant(_data((2, 3, 2), 0)), tf.constant(_data((2, 3, 4), 1))]
    for given in (masks, [masks[0], None], [None, masks[1]]):
        ours = layers.Concatenate().compute_mask(inputs, given).numpy()
        theirs = tf_keras.layers.Concatenate().compute_mask(inputs, given).numpy()
        np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_array_equal(layers.Concatenate().compute_mask(inputs, masks).numpy(),
                                  (ids[0] != 0) & (ids[1] != 0))
    assert layers.Concatenate().compute_mask(inputs, [None, None]) is None
    # along the time axis, the masks are concatenated
    same = [tf.constant(_data((2, 3, 2), 0)), tf.constant(_data((2, 3, 2), 1))]
    np.testing.assert_array_equal(layers.Concatenate(axis=1).compute_mask(same, masks).numpy(),
                                  np.concatenate([ids[0] != 0, ids[1] != 0], axis=1))
    ids_in, merged = _masked_pair(layers.Concatenate(), ((3, 2), (3, 4)))
    model = Model(ids_in, merged)
    assert merged._keras_mask.shape.as_list() == [None, 3] and model.output_shape == (None, 3, 6)
    assert layers.Dot(axes=2).compute_mask(same, masks) is None


def test_merge_config_round_trip_and_registry():
    for name in ('Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum', 'Concatenate'):
        layer = getattr(layers, name)(name='m_' + name.lower())
        config = layers.serialize(layer)
        again = layers.deserialize(config)
        assert type(again) is type(layer) and again.get_config() == layer.get_config()
    assert layers.Add().get_config().keys() == {'name', 'trainable'}


def test_merge_errors_name_layer_and_shapes():
    a, b, c = Input(shape=(3,)), Input(shape=(4,)), Input(shape=(3,))
    with pytest.raises(ValueError, match=r'add_\d+.*\(None, 3\), \(None, 4\)'):
        layers.Add()([a, b])
    with pytest.raises(ValueError, match='at least 2 inputs'):
        layers.Add()([a])
    with pytest.raises(ValueError, match='at least 2 inputs'):
        layers.Multiply()(a)
    with pytest.raises(ValueError, match='exactly 2 inputs'):
        layers.Subtract()([a, c, c])
    x, y = Input(shape=(2, 3)), Input(shape=(4, 5))
    with pytest.raises(ValueError, match=r'concatenate_\d+.*\(None, 2, 3\), \(None, 4, 5\)'):
        layers.Concatenate()([x, y])
    with pytest.raises(ValueError, match=r'dot_\d+.*3 != 4.*\(None, 3\), \(None, 4\)'):
        layers.Dot(axes=1)([a, b])
    with pytest.raises(ValueError, match='2 inputs'):
        layers.Dot(axes=1)([a, c, c])
    with pytest.raises(TypeError, match='axes'):
        layers.Dot(axes='last')
    with pytest.raises(ValueError, match='two elements'):
        layers.Dot(axes=(1, 2, 3))
    with pytest.raises(ValueError, match='batch'):
        layers.Dot(axes=0)([a, c])
    with pytest.raises(ValueError, match='axis'):
        layers.Concatenate(axis='last')
    with pytest.raises(ValueError, match='different batch sizes'):
        layers.Add()([Input(batch_shape=(2, 3)), Input(batch_shape=(5, 3))])
