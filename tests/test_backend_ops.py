"""Tests for kernelkit.backend tensor functions: variables, math, shapes, activations, losses.

numpy is the oracle for the math; tf_keras.backend for Keras-specific formulas.
"""
import numpy as np
import pytest
import tensorflow as tf

from kernelkit import backend as K

RNG = np.random.RandomState(1337)


def rand(*shape):
    return RNG.uniform(-1, 1, size=shape).astype('float32')


def close(a, b, rtol=1e-5, atol=1e-5):
    np.testing.assert_allclose(K.eval(a) if not isinstance(a, np.ndarray) else a, b,
                               rtol=rtol, atol=atol)


@pytest.fixture(scope='module')
def kb():
    import tf_keras
    return tf_keras.backend


# ----------------------------------------------------------------------------------- variables


def test_variable_roundtrip_and_dtype():
    v = K.variable(np.array([[1, 2], [3, 4]]), name='example_var')
    assert isinstance(v, tf.Variable)
    assert K.dtype(v) == 'float32'
    np.testing.assert_array_equal(K.eval(v), [[1, 2], [3, 4]])
    K.set_value(v, np.ones((2, 2)))
    np.testing.assert_array_equal(K.get_value(v), np.ones((2, 2)))
    K.batch_set_value([(v, np.zeros((2, 2)))])
    assert K.batch_get_value([v])[0].sum() == 0
    assert K.dtype(K.variable(1, dtype='int32')) == 'int32'
    assert K.dtype(K.variable(tf.constant([1., 2.], tf.float64))) == 'float32'
    with pytest.raises(TypeError, match='variable'):
        K.set_value(tf.constant(1.), 2.)


def test_constraint_is_kept():
    v = K.variable(np.ones(2), constraint=lambda w: w * 0)
    assert v.constraint is not None


def test_constant_zeros_ones_eye():
    np.testing.assert_array_equal(K.eval(K.constant(3, shape=(2,))), [3., 3.])
    assert K.dtype(K.constant(1)) == 'float32'
    z, o, e = K.zeros((2, 3)), K.ones((2, 3), dtype='int32'), K.eye(3)
    assert all(isinstance(t, tf.Variable) for t in (z, o, e))  # Keras 2 returns variables
    np.testing.assert_array_equal(K.eval(z), np.zeros((2, 3)))
    assert K.dtype(o) == 'int32'
    np.testing.assert_array_equal(K.eval(e), np.eye(3))
    x = rand(2, 3)
    np.testing.assert_array_equal(K.eval(K.zeros_like(x)), np.zeros((2, 3)))
    np.testing.assert_array_equal(K.eval(K.ones_like(x, dtype='int32')), np.ones((2, 3)))
    np.testing.assert_array_equal(K.eval(K.identity(x)), x)


def test_random_variables_stats_and_seed():
    u = K.eval(K.random_uniform_variable((200, 50), -2, 3, seed=1))
    assert u.min() >= -2 and u.max() < 3 and abs(u.mean() - 0.5) < 0.1
    n = K.eval(K.random_normal_variable((200, 50), 1., 2., seed=1))
    assert abs(n.mean() - 1) < 0.1 and abs(n.std() - 2) < 0.1
    np.random.seed(3)
    a = K.eval(K.random_normal_variable((3,), 0., 1.))
    np.random.seed(3)
    b = K.eval(K.random_normal_variable((3,), 0., 1.))
    np.testing.assert_array_equal(a, b)  # seeds come from numpy, as in Keras 2


def test_shapes_and_dtypes():
    x = K.variable(rand(2, 3, 4))
    assert K.int_shape(x) == (2, 3, 4)
    assert K.int_shape(rand(5, 1)) == (5, 1)
    assert K.ndim(x) == 3
    np.testing.assert_array_equal(K.eval(K.shape(x)), [2, 3, 4])
    assert K.count_params(x) == 24
    assert K.get_variable_shape(x) == (2, 3, 4)

    class Symbolic:  # what the engine's symbolic tensors look like
        shape = (None, 7)
        dtype = 'float32'
    assert K.int_shape(Symbolic()) == (None, 7)
    assert K.ndim(Symbolic()) == 2
    assert K.dtype(Symbolic()) == 'float32'
    assert K.dtype(np.zeros(2)) == 'float64'

    @tf.function(input_signature=[tf.TensorSpec([None, 3])])
    def shapes(t):
        assert K.int_shape(t) == (None, 3)
        return K.shape(t)
    np.testing.assert_array_equal(shapes(tf.zeros((4, 3))), [4, 3])


def test_cast_and_floatx():
    assert K.dtype(K.cast(rand(2), 'float16')) == 'float16'
    arr = K.cast_to_floatx([1, 2])
    assert isinstance(arr, np.ndarray) and arr.dtype == np.float32


def test_is_tensor_sparse_and_dense():
    assert K.is_tensor(tf.constant(1.)) and K.is_tensor(K.variable(1.))
    assert not K.is_tensor(np.ones(2))
    sp = tf.SparseTensor([[0, 1]], [2.], [2, 2])
    assert K.is_sparse(sp) and not K.is_sparse(tf.ones(2))
    np.testing.assert_array_equal(K.eval(K.to_dense(sp)), [[0, 2], [0, 0]])


def test_is_tensor_of_functional_api_input():
    x = K.placeholder(shape=(None, 3))
    assert K.is_tensor(x)
    assert K.int_shape(x) == (None, 3) and K.ndim(x) == 2 and K.dtype(x) == 'float32'


def test_eval_of_symbolic_tensor_is_a_clear_error():
    @tf.function
    def f(t):
        K.eval(t)
        return t
    with pytest.raises(RuntimeError, match='symbolic'):
        f(tf.ones(2))


def test_updates():
    # As in Keras 2, a top-level update is an op: nothing changes until it runs.
    v = K.variable(np.ones(3))
    updates = [K.update(v, np.full(3, 5.)), K.update_add(v, np.ones(3)), K.update_sub(v, np.full(3, 2.))]
    np.testing.assert_array_equal(K.eval(v), [1, 1, 1])
    for update in updates:
        K.eval(update)
    np.testing.assert_array_equal(K.eval(v), [4, 4, 4])


def test_updates_apply_at_once_inside_a_graph():
    v = K.variable(np.ones(3))

    @tf.function
    def step():
        K.update_add(v, np.ones(3))
        return K.update_sub(v, np.full(3, 3.))
    step()
    np.testing.assert_array_equal(K.eval(v), [-1, -1, -1])


def test_moving_average_update_is_zero_debiased_like_keras22():
    v = K.variable(np.array([10., 10.]))
    K.eval(K.moving_average_update(v, np.array([2., 4.]), 0.9))
    close(v, [2., 4.])  # after one step the debiased average is the value itself
    K.eval(K.moving_average_update(v, np.array([4., 0.]), 0.9))
    biased = 0.9 * (0.1 * np.array([2., 4.])) + 0.1 * np.array([4., 0.])
    close(v, biased / (1 - 0.9 ** 2))

    @tf.function
    def step(value):
        return K.moving_average_update(v, value, 0.9)
    step(tf.constant([0., 0.]))
    close(v, 0.9 * biased / (1 - 0.9 ** 3))


def test_print_tensor_returns_value(capsys):
    out = K.print_tensor(tf.constant([1., 2.]), message='x =')
    np.testing.assert_array_equal(K.eval(out), [1., 2.])
    assert 'x =' in capsys.readouterr().out


# ----------------------------------------------------------------------------------- products


@pytest.mark.parametrize('xs,ys', [((2, 3), (3, 4)), ((2, 3, 4), (4, 5)), ((2, 3, 4), (5, 4, 6)),
                                   ((3, 4), (2, 4, 5))])
def test_dot_matches_numpy(xs, ys):
    x, y = rand(*xs), rand(*ys)
    close(K.dot(x, y), np.dot(x, y))
    close(K.dot(K.variable(x), K.variable(y)), np.dot(x, y))


def test_dot_sparse():
    dense = np.array([[0., 2.], [1., 0.]], 'float32')
    sp = tf.sparse.from_dense(dense)
    y = rand(2, 3)
    close(K.dot(sp, y), dense.dot(y))


def _np_batch_dot(x, y, ax, ay):
    out = np.stack([np.tensordot(x[i], y[i], axes=(ax - 1, ay - 1)) for i in range(len(x))])
    return out.reshape(len(x), 1) if out.ndim == 1 else out


@pytest.mark.parametrize('xs,ys,axes', [
    ((4, 3), (4, 3), None), ((4, 3), (4, 3), 1), ((4, 5, 3), (4, 3, 2), None),
    ((4, 5, 3), (4, 5, 2), (1, 1)), ((4, 5, 3), (4, 2, 3), (2, 2)), ((4, 3), (4, 3, 2), None),
    ((4, 5, 3), (4, 3), None), ((4, 2, 5, 3), (4, 3, 6), (3, 1)), ((4, 5, 3), (4, 2, 3), -1),
    ((2, 1, 20), (2, 30, 20), (2, 2))])
def test_batch_dot_matches_numpy_and_tf_keras(kb, xs, ys, axes):
    x, y = rand(*xs), rand(*ys)
    out = K.batch_dot(x, y, axes=axes)
    if axes is None:
        ref_axes = (len(xs) - 1, len(ys) - 1 if len(ys) == 2 else len(ys) - 2)
    elif isinstance(axes, int):
        ref_axes = (axes % len(xs), axes % len(ys))
    else:
        ref_axes = axes
    expected = _np_batch_dot(x, y, *ref_axes)
    close(out, expected)
    assert K.int_shape(out) == expected.shape
    close(out, kb.batch_dot(x, y, axes=axes))


def test_batch_dot_docs_example_and_errors():
    assert K.int_shape(K.batch_dot(K.ones((32, 20, 1)), K.ones((32, 30, 20)), axes=(1, 2))) == \
        (32, 1, 30)
    with pytest.raises(ValueError, match='batch axis'):
        K.batch_dot(rand(2, 3), rand(2, 3), axes=0)
    with pytest.raises(ValueError, match='3 != 4'):
        K.batch_dot(rand(2, 3), rand(2, 4), axes=1)


def test_transpose_gather():
    x = rand(3, 4)
    close(K.transpose(x), x.T)
    close(K.gather(x, [2, 0]), x[[2, 0]])


# ----------------------------------------------------------------------------------- reductions


@pytest.mark.parametrize('name,np_fn', [('max', np.max), ('min', np.min), ('sum', np.sum),
                                        ('prod', np.prod), ('mean', np.mean), ('var', np.var),
                                        ('std', np.std)])
@pytest.mark.parametrize('axis,keepdims', [(None, False), (1, False), (-1, True), ([0, 2], False)])
def test_reductions(name, np_fn, axis, keepdims):
    x = rand(2, 3, 4)
    np_axis = tuple(axis) if isinstance(axis, list) else axis
    close(getattr(K, name)(x, axis=axis, keepdims=keepdims), np_fn(x, axis=np_axis,
                                                                   keepdims=keepdims))


def test_bool_reductions_and_logsumexp():
    x = rand(3, 4)
    b = x > 0
    close(K.mean(tf.constant(b), axis=1), b.mean(axis=1))
    np.testing.assert_array_equal(K.eval(K.any(x > 0.5, axis=0)), (x > 0.5).any(axis=0))
    np.testing.assert_array_equal(K.eval(K.all(x, axis=1, keepdims=True)),
                                  x.astype(bool).all(axis=1, keepdims=True))
    close(K.logsumexp(x, axis=1), np.log(np.exp(x).sum(axis=1)))
    close(K.logsumexp(x), np.log(np.exp(x).sum()))


def test_cumulative_and_arg():
    x = rand(3, 4)
    close(K.cumsum(x), np.cumsum(x, axis=0))
    close(K.cumprod(x, axis=1), np.cumprod(x, axis=1))
    np.testing.assert_array_equal(K.eval(K.argmax(x)), x.argmax(-1))
    np.testing.assert_array_equal(K.eval(K.argmin(x, axis=0)), x.argmin(0))


# ----------------------------------------------------------------------------------- element-wise


@pytest.mark.parametrize('name,np_fn', [
    ('square', np.square), ('abs', np.abs), ('exp', np.exp), ('sign', np.sign), ('sin', np.sin),
    ('cos', np.cos), ('round', np.round), ('sqrt', lambda v: np.sqrt(np.maximum(v, 0))),
    ('log', lambda v: np.log(np.abs(v)))])
def test_unary(name, np_fn):
    x = rand(3, 4) * 3
    if name == 'log':
        x = np.abs(x)
    close(getattr(K, name)(x), np_fn(x))


def test_round_half_to_even_and_pow():
    close(K.round(np.array([0.5, 1.5, 2.5, -0.5], 'float32')), [0., 2., 2., -0.])
    x = np.abs(rand(3)) + 0.1
    close(K.pow(x, 3), x ** 3)
    close(K.pow(x, 0.5), np.sqrt(x))


def test_clip():
    x = rand(3, 4) * 3
    close(K.clip(x, -1, 1), np.clip(x, -1, 1))
    close(K.clip(x, 1, -1), np.full_like(x, 1.))  # max_value below min_value is raised to it
    close(K.clip(x, None, 0.5), np.minimum(x, 0.5))


@pytest.mark.parametrize('name,np_fn', [
    ('equal', np.equal), ('not_equal', np.not_equal), ('greater', np.greater),
    ('greater_equal', np.greater_equal), ('less', np.less), ('less_equal', np.less_equal),
    ('maximum', np.maximum), ('minimum', np.minimum)])
def test_binary(name, np_fn):
    x, y = np.round(rand(3, 4)), np.round(rand(3, 4))
    np.testing.assert_array_equal(K.eval(getattr(K, name)(x, y)), np_fn(x, y))


# ----------------------------------------------------------------------------------- batch norm


@pytest.mark.parametrize('shape,axes', [((6, 4), [0]), ((3, 5, 4), [0, 1]), ((3, 5, 4), [0, 2]),
                                        ((4, 3, 3, 2), [0, 1, 2]), ((4, 2, 3, 3), [0, 2, 3])])
def test_normalize_batch_in_training(kb, shape, axes):
    x = rand(*shape) * 3 + 1
    kept = [a for a in range(len(shape)) if a not in axes]
    n_feat = int(np.prod([shape[a] for a in kept]))
    gamma, beta = rand(n_feat) + 2, rand(n_feat)
    normed, mean, var = K.normalize_batch_in_training(x, gamma, beta, axes, epsilon=1e-3)
    if axes != [0, 2, 3]:  # tf_keras on CPU takes a non-fused path there; Keras 2.2 on GPU did not
        ref = kb.normalize_batch_in_training(tf.constant(x), tf.constant(gamma),
                                             tf.constant(beta), axes, epsilon=1e-3)
        for got, want in zip((normed, mean, var), ref):
            close(got, want, rtol=1e-4, atol=1e-4)
    np_mean = x.mean(axis=tuple(axes))
    close(mean, np_mean)
    np_var = x.var(axis=tuple(axes))
    if len(shape) == 4:  # the fused kernel returns the unbiased variance
        n = x.size // n_feat
        close(var, np_var * n / (n - 1), rtol=1e-4)
    else:
        close(var, np_var, rtol=1e-4)
    bshape = [1 if a in axes else shape[a] for a in range(len(shape))]
    expected = ((x - np_mean.reshape(bshape)) / np.sqrt(np_var.reshape(bshape) + 1e-3) *
                gamma.reshape(bshape) + beta.reshape(bshape))
    close(normed, expected, rtol=1e-4, atol=1e-4)


def test_normalize_batch_without_gamma_beta():
    x = rand(6, 3)
    normed, _, _ = K.normalize_batch_in_training(x, None, None, [0])
    close(normed, (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize('shape,axis', [((5, 3), -1), ((2, 3, 4, 4), 1), ((2, 4, 4, 3), -1),
                                        ((2, 3, 4), 1)])
def test_batch_normalization(kb, shape, axis):
    x = rand(*shape)
    c = shape[axis]
    mean, var, beta, gamma = rand(c), np.abs(rand(c)) + 0.5, rand(c), rand(c)
    got = K.batch_normalization(x, mean, var, beta, gamma, axis=axis, epsilon=1e-3)
    bshape = [1] * len(shape)
    bshape[axis] = c
    r = [t.reshape(bshape) for t in (mean, var, beta, gamma)]
    expected = (x - r[0]) / np.sqrt(r[1] + 1e-3) * r[3] + r[2]
    close(got, expected, rtol=1e-4, atol=1e-4)
    if len(shape) == 4 or axis == -1:
        ref = kb.batch_normalization(*[tf.constant(t) for t in (x, mean, var, beta, gamma)],
                                    axis=axis, epsilon=1e-3)
        close(got, ref,
              rtol=1e-4, atol=1e-4)


# ----------------------------------------------------------------------------------- shapes


def test_concatenate_reshape_permute():
    a, b = rand(2, 3), rand(2, 4)
    close(K.concatenate([a, b]), np.concatenate([a, b], -1))
    close(K.concatenate([a, a], axis=0), np.concatenate([a, a], 0))
    sp = K.concatenate([tf.sparse.from_dense(a), tf.sparse.from_dense(b)])
    assert K.is_sparse(sp)
    close(K.to_dense(sp), np.concatenate([a, b], -1))
    close(K.reshape(a, (3, 2)), a.reshape(3, 2))
    x = rand(2, 3, 4)
    close(K.permute_dimensions(x, (2, 0, 1)), x.transpose(2, 0, 1))


def test_repeat_tile_arange_flatten():
    x = rand(2, 3)
    close(K.repeat_elements(x, 2, axis=1), np.repeat(x, 2, axis=1))
    close(K.repeat(x, 3), np.repeat(x[:, None, :], 3, axis=1))
    with pytest.raises(ValueError, match='2D'):
        K.repeat(rand(2, 3, 4), 2)
    close(K.tile(x, [2, 1]), np.tile(x, (2, 1)))
    close(K.tile(rand(3), 2) if False else K.tile(x[0], 2), np.tile(x[0], 2))
    np.testing.assert_array_equal(K.eval(K.arange(5)), np.arange(5))
    np.testing.assert_array_equal(K.eval(K.arange(-3)), np.arange(0))
    np.testing.assert_array_equal(K.eval(K.arange(1, 8, 2)), np.arange(1, 8, 2))
    assert K.dtype(K.arange(3, dtype='float32')) == 'float32'
    y = rand(2, 3, 4)
    close(K.flatten(y), y.ravel())
    close(K.batch_flatten(y), y.reshape(2, 12))
    close(K.expand_dims(x, 1), x[:, None])
    close(K.squeeze(x[:, None], 1), x)
    close(K.stack([x, x], axis=1), np.stack([x, x], 1))
    close(K.reverse(y, [0, 2]), y[::-1, :, ::-1])
    close(K.reverse(y, 1), y[:, ::-1])
    close(K.slice(y, [0, 1, 1], [2, 2, -1]), y[:, 1:3, 1:])
    np.testing.assert_array_equal(K.eval(K.one_hot(np.array([[0, 2]]), 3)),
                                  [[[1, 0, 0], [0, 0, 1]]])


def test_paddings():
    x = rand(2, 3, 4)
    close(K.temporal_padding(x, (1, 2)), np.pad(x, ((0, 0), (1, 2), (0, 0))))
    y = rand(2, 3, 4, 5)
    close(K.spatial_2d_padding(y, ((1, 0), (2, 1)), 'channels_last'),
          np.pad(y, ((0, 0), (1, 0), (2, 1), (0, 0))))
    close(K.spatial_2d_padding(y, ((1, 0), (2, 1)), 'channels_first'),
          np.pad(y, ((0, 0), (0, 0), (1, 0), (2, 1))))
    z = rand(1, 2, 2, 2, 2)
    close(K.spatial_3d_padding(z, data_format='channels_last'),
          np.pad(z, ((0, 0), (1, 1), (1, 1), (1, 1), (0, 0))))
    close(K.spatial_3d_padding(z, ((0, 1), (1, 0), (2, 2)), 'channels_first'),
          np.pad(z, ((0, 0), (0, 0), (0, 1), (1, 0), (2, 2))))
    with pytest.raises(ValueError, match='padding'):
        K.spatial_2d_padding(y, (1, 1))


def _legacy_bilinear_rows(x, factor, axis):
    """TF1 `resize_bilinear` (no half-pixel centers, as in Keras 2.2) along one axis."""
    n = x.shape[axis]
    src = np.arange(n * factor) / factor
    lo = np.floor(src).astype(int)
    hi = np.minimum(lo + 1, n - 1)
    w = (src - lo).reshape([-1 if a == axis else 1 for a in range(x.ndim)])
    return np.take(x, lo, axis) * (1 - w) + np.take(x, hi, axis) * w


@pytest.mark.parametrize('interpolation', ['nearest', 'bilinear'])
@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
def test_resize_images(kb, interpolation, data_format):
    x = rand(2, 3, 4, 2)
    got = K.resize_images(x, 2, 3, data_format, interpolation=interpolation)
    axes = (1, 2) if data_format == 'channels_last' else (2, 3)
    if interpolation == 'nearest':
        close(got, np.repeat(np.repeat(x, 2, axis=axes[0]), 3, axis=axes[1]))
        close(got, kb.resize_images(tf.constant(x), 2, 3, data_format, interpolation='nearest'))
    else:
        expected = _legacy_bilinear_rows(_legacy_bilinear_rows(x, 2, axes[0]), 3, axes[1])
        close(got, expected)
    with pytest.raises(ValueError, match='interpolation'):
        K.resize_images(x, 2, 2, data_format, interpolation='cubic')


@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
def test_resize_volumes(data_format):
    x = rand(1, 2, 3, 2, 2)
    first = 1 if data_format == 'channels_last' else 2
    expected = np.repeat(np.repeat(np.repeat(x, 2, first), 1, first + 1), 3, first + 2)
    close(K.resize_volumes(x, 2, 1, 3, data_format), expected)


# ----------------------------------------------------------------------------------- activations


@pytest.mark.parametrize('kwargs', [{}, {'alpha': 0.1}, {'max_value': 6}, {'max_value': 0.5},
                                    {'threshold': 0.2}, {'alpha': 0.3, 'threshold': -0.2},
                                    {'alpha': 0.2, 'max_value': 0.7, 'threshold': 0.1}])
def test_relu(kb, kwargs):
    x = rand(4, 5) * 8
    alpha, max_value, threshold = (kwargs.get('alpha', 0.), kwargs.get('max_value'),
                                   kwargs.get('threshold', 0.))
    expected = np.where(x > threshold, x, alpha * (x - threshold))
    if max_value is not None:
        expected = np.minimum(expected, max_value)
    close(K.relu(x, **kwargs), expected)
    close(K.relu(x, **kwargs), kb.relu(x, **kwargs))


def test_activations():
    x = rand(3, 4) * 4
    close(K.elu(x), np.where(x > 0, x, np.exp(x) - 1))
    close(K.elu(x, 0.5), np.where(x > 0, x, 0.5 * (np.exp(x) - 1)))
    e = np.exp(x - x.max(-1, keepdims=True))
    close(K.softmax(x), e / e.sum(-1, keepdims=True))
    e0 = np.exp(x - x.max(0, keepdims=True))
    close(K.softmax(x, axis=0), e0 / e0.sum(0, keepdims=True))
    close(K.softplus(x), np.log1p(np.exp(x)))
    close(K.softsign(x), x / (1 + np.abs(x)))
    close(K.sigmoid(x), 1 / (1 + np.exp(-x)))
    close(K.hard_sigmoid(x), np.clip(0.2 * x + 0.5, 0, 1))
    close(K.tanh(x), np.tanh(x))
    close(K.l2_normalize(x, axis=1), x / np.sqrt((x ** 2).sum(1, keepdims=True)))


def test_in_top_k():
    preds = np.array([[0.1, 0.5, 0.4], [0.3, 0.3, 0.4]], 'float32')
    np.testing.assert_array_equal(K.eval(K.in_top_k(preds, np.array([2, 0]), 1)), [False, False])
    np.testing.assert_array_equal(K.eval(K.in_top_k(preds, np.array([2, 0]), 2)), [True, True])


def test_dropout():
    x = np.ones((200, 50), 'float32')
    out = K.eval(K.dropout(x, 0.25, seed=1))
    assert set(np.unique(out)) <= {0., np.float32(1 / 0.75)}
    assert abs((out == 0).mean() - 0.25) < 0.03
    out = K.eval(K.dropout(x, 0.5, noise_shape=(200, 1), seed=2))
    assert (out == out[:, :1]).all()  # the mask is shared along the broadcast axis
    with pytest.raises(ValueError, match='level'):
        K.dropout(x, 1.5)


# ----------------------------------------------------------------------------------- losses


def test_categorical_crossentropy(kb):
    target = np.eye(4, dtype='float32')[[0, 3, 1]]
    output = np.abs(rand(3, 4)) + 0.05
    p = np.clip(output / output.sum(-1, keepdims=True), 1e-7, 1 - 1e-7)
    close(K.categorical_crossentropy(target, output), -(target * np.log(p)).sum(-1))
    close(K.categorical_crossentropy(target, output),
          kb.categorical_crossentropy(target, output))
    logits = rand(3, 4)
    sm = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    close(K.categorical_crossentropy(target, logits, from_logits=True),
          -(target * np.log(sm)).sum(-1))
    close(K.categorical_crossentropy(target.T, output.T, axis=0),
          -(target * np.log(p)).sum(-1))
    with pytest.raises(ValueError, match='axis'):
        K.categorical_crossentropy(target, output, axis=3)


def test_sparse_categorical_crossentropy(kb):
    output = np.abs(rand(2, 3, 4)) + 0.05
    target = np.array([[0, 3, 1], [2, 2, 0]])
    p = np.clip(output, 1e-7, 1 - 1e-7)
    p = p / p.sum(-1, keepdims=True)
    expected = -np.log(np.take_along_axis(p, target[..., None], -1)[..., 0])
    got = K.sparse_categorical_crossentropy(target, output)
    assert K.int_shape(got) == (2, 3)
    close(got, expected)
    close(got, kb.sparse_categorical_crossentropy(target, output))
    close(K.sparse_categorical_crossentropy(target[:, :, None], output), expected)
    close(K.sparse_categorical_crossentropy(target, np.moveaxis(output, -1, 1), axis=1),
          expected)
    logits = rand(3, 4)
    close(K.sparse_categorical_crossentropy(np.array([1, 0, 3]), logits, from_logits=True),
          kb.sparse_categorical_crossentropy(np.array([1, 0, 3]), logits, from_logits=True))


def test_binary_crossentropy(kb):
    rng = np.random.RandomState(7)  # its own draws: the edge cases below must not depend on test order
    target = (rng.standard_normal((3, 4)) > 0).astype('float32')
    output = np.clip(np.abs(rng.standard_normal((3, 4))), 0, 1).astype('float32')
    output[0, 0], output[0, 1], target[0, 0], target[0, 1] = 0., 1., 1., 0.
    # the clip happens in float32, where 1 - 1e-7 rounds to 1 - 2**-23
    p = np.clip(output, np.float32(1e-7), np.float32(1) - np.float32(1e-7)).astype('float64')
    expected = -(target * np.log(p) + (1 - target) * np.log(1 - p))
    close(K.binary_crossentropy(target, output), expected, rtol=1e-4, atol=1e-4)
    # tf_keras adds epsilon inside the log instead of clipping, so it agrees only away from 0 and 1.
    inner = np.clip(output, 0.05, 0.95)
    close(K.binary_crossentropy(target, inner), kb.binary_crossentropy(target, inner))
    logits = rand(3, 4) * 3
    s = 1 / (1 + np.exp(-logits))
    close(K.binary_crossentropy(target, logits, from_logits=True),
          -(target * np.log(s) + (1 - target) * np.log(1 - s)))


# ----------------------------------------------------------------------------------- random


def test_random_tensors():
    n = K.eval(K.random_normal((300, 40), 1., 2., seed=3))
    assert abs(n.mean() - 1) < 0.1 and abs(n.std() - 2) < 0.1
    u = K.eval(K.random_uniform((300, 40), -1., 2., seed=3))
    assert u.min() >= -1 and u.max() < 2 and abs(u.mean() - 0.5) < 0.1
    b = K.eval(K.random_binomial((300, 40), p=0.3, seed=3))
    assert set(np.unique(b)) <= {0., 1.} and abs(b.mean() - 0.3) < 0.03
    t = K.eval(K.truncated_normal((300, 40), 0., 1., seed=3))
    assert np.abs(t).max() <= 2. and abs(t.std() - 0.88) < 0.05
    assert K.dtype(K.random_normal((2,), dtype='float64')) == 'float64'


def test_ops_with_unknown_batch_inside_tf_function():
    x3, y2 = rand(2, 3, 4), rand(4, 5)
    a, b = rand(2, 5, 3), rand(2, 3, 6)

    @tf.function(input_signature=[tf.TensorSpec([None, 3, 4]), tf.TensorSpec([None, 5, 3]),
                                  tf.TensorSpec([None, 3, 6])])
    def f(x, p, q):
        d = K.dot(x, y2)
        bd = K.batch_dot(p, q, axes=(2, 1))
        assert K.int_shape(d) == (None, 3, 5)
        assert K.int_shape(bd) == (None, 5, 6)
        assert K.int_shape(K.batch_flatten(x)) == (None, 12)
        return d, bd, K.batch_flatten(x), K.sparse_categorical_crossentropy(
            K.zeros_like(x[:, :, 0]), K.softmax(x))

    d, bd, flat, scce = f(x3, a, b)
    close(d, np.dot(x3, y2))
    close(bd, np.einsum('bij,bjk->bik', a, b))
    close(flat, x3.reshape(2, -1))
    sm = np.exp(x3) / np.exp(x3).sum(-1, keepdims=True)
    close(scce, -np.log(sm[..., 0]), rtol=1e-4, atol=1e-4)
