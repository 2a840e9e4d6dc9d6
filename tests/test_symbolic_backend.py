"""Every backend function on symbolic tensors, Python operators and slicing on them, Python scalars in
backend functions, shape/dtype inference and errors, and `K.eval` on expressions.

Oracle: the same backend function called on concrete tensors (eager TensorFlow), and numpy.
The table `CASES` has one entry per public backend function that computes on tensors; a test checks
that it covers every such name, so a new backend function without an entry fails.
"""
import numpy as np
import pytest
import tensorflow as tf

import kernelkit as keras
from kernelkit import backend as K
from kernelkit.backend import ops, ops_conv, ops_math, ops_nn, ops_rnn, ops_shape
from kernelkit.backend.symbolic import KerasTensor
from kernelkit.backend.symbolic import _DESCRIPTIVE, _READERS

B = 5  # the batch size of every fed value; no other dimension in this file is 5
RNG = np.random.RandomState(1234)


def uniform(*shape, low=-1., high=1.):
    return RNG.uniform(low, high, shape).astype('float32')


def positive(*shape):
    return uniform(*shape, low=0.1, high=2.)


def probs(*shape):
    p = positive(*shape)
    return p / p.sum(-1, keepdims=True)


def ints(high, *shape, dtype='int32'):
    return RNG.randint(0, high, shape).astype(dtype)


# Names that do not compute on tensors: they describe or create them, read values, or work on numpy.
_NOT_COMPUTING = set(_DESCRIPTIVE) | set(_READERS) | {
    'batch_get_value',       # reader (tested with expressions below)
    'constant',              # creates a tensor from a value
    'cast_to_floatx',        # numpy in, numpy out
    'resource_variable_ops',  # a module, re-exported by accident of `dir()`
}
_MODULES = (ops, ops_math, ops_shape, ops_nn, ops_conv, ops_rnn)


def computing_names():
    names = set()
    for module in _MODULES:
        for name in module.__all__:
            fn = getattr(module, name)
            if callable(fn) and not isinstance(fn, type) and name not in _NOT_COMPUTING:
                names.add(name)
    return names


class Case:
    """One backend function applied to symbolic inputs.

    # Arguments
        name: the backend function (`K.<name>`).
        call: `call(fn, *tensors)` applies `fn` (the K function) to one tensor per entry of `inputs`
            (placeholders, then concrete tensors); it may add variables, numpy arrays and numbers.
        inputs: the numpy values fed for the placeholders.
        fixed: indices of inputs whose placeholder has the full static shape (default: batch free).
        loose: the symbolic shape need only be compatible with the concrete one (the function loses
            static dimensions, e.g. a shape computed at run time).
        check: for random functions: `check(values, inputs)` instead of comparing values.
        expected: numpy expected values `expected(*inputs)` (for functions with no eager form).
        tag: distinguishes several entries of one function.
        static: the expected static shapes of the outputs (default: the concrete shapes with the
            batch axis free).
    """

    def __init__(self, name, call, inputs, fixed=(), loose=False, check=None, expected=None, tag='',
                 static=None):
        self.name, self.call, self.inputs, self.static = name, call, list(inputs), static
        self.fixed, self.loose, self.check, self.expected = set(fixed), loose, check, expected
        self.id = name + ('-' + tag if tag else '')

    def placeholder_shape(self, index):
        shape = self.inputs[index].shape
        if index in self.fixed or not shape:
            return shape
        return (None,) + shape[1:]


# Shared values: variables, numpy arrays and numbers mixed with the symbolic arguments.
W34 = K.variable(uniform(3, 4), name='w34')
W_IN = uniform(3, 2)             # a numpy kernel
W_REC = K.variable(uniform(2, 2), name='w_rec')
X = uniform(B, 3)
X2 = uniform(B, 3)
X3 = uniform(B, 4, 3)
X4 = uniform(B, 6, 6, 2)
X5 = uniform(B, 4, 4, 4, 2)
GAMMA = K.variable(positive(3), name='gamma')
LOW = K.variable(-0.5, name='low')
BETA = uniform(3)


def _dropout_check(values, inputs):
    (y,), (x,) = values, inputs
    kept = y != 0
    np.testing.assert_allclose(y[kept], 2 * x[kept], rtol=1e-5)
    assert 0 < kept.mean() < 1


def _binary_check(values, inputs):
    assert set(np.unique(values[0])) <= {0., 1.}


def _uniform_check(values, inputs):
    assert ((values[0] >= 2.) & (values[0] < 3.)).all()


def _normal_check(values, inputs):
    assert np.isfinite(values[0]).all() and values[0].std() > 0


def _truncated_check(values, inputs):
    assert (np.abs(values[0] - 1.) <= 2 * 0.5 + 1e-6).all()


def _step(x_t, states):
    h = K.tanh(K.dot(x_t, W_IN) + K.dot(states[0], W_REC))
    return h, [h]


def _mask():
    m = np.ones((B, 4), 'float32')
    m[1, 2:] = 0
    m[3, 0] = 0
    return m


def _ctc_inputs():
    y_pred = probs(B, 6, 4)
    labels = ints(3, B, 2)
    input_length = np.full((B, 1), 6, 'int32')
    label_length = np.full((B, 1), 2, 'int32')
    label_length[0] = 1
    return [labels, y_pred, input_length, label_length]


def _cases():
    c = Case
    return [
        # ----------------------------------------------------------------------- ops.py
        c('cast', lambda f, x: f(x, 'int32'), [X * 4]),
        c('cast', lambda f, x: f(x, 'float16'), [X], tag='float16'),
        c('identity', lambda f, x: f(x), [X]),
        c('ones_like', lambda f, x: f(x), [X]),
        c('zeros_like', lambda f, x: f(x, dtype='int32'), [X]),
        c('print_tensor', lambda f, x: f(x, 'value of x:'), [X]),
        c('shape', lambda f, x: f(x), [X3], loose=True),
        c('to_dense', lambda f, x: f(x), [X]),
        # update, update_add, update_sub, moving_average_update: see UPDATE_TESTS
        # ----------------------------------------------------------------------- ops_math.py
        c('abs', lambda f, x: f(x), [X]),
        c('all', lambda f, x: f(x, axis=1), [X > 0]),
        c('any', lambda f, x: f(x, axis=-1, keepdims=True), [X > 0]),
        c('argmax', lambda f, x: f(x), [X]),
        c('argmin', lambda f, x: f(x, axis=0), [X]),
        c('batch_dot', lambda f, x, y: f(x, y, axes=(2, 2)), [X3, uniform(B, 2, 3)]),
        c('batch_dot', lambda f, x, y: f(x, y), [X, X2], tag='2d'),
        c('batch_normalization', lambda f, x, m, v: f(x, m, v, BETA, GAMMA, epsilon=1e-3),
          [X, uniform(3), positive(3)], fixed=(1, 2)),
        c('batch_normalization', lambda f, x: f(x, 0, 2, 1, 3), [X], tag='numbers'),
        c('clip', lambda f, x: f(x, -0.5, 0.5), [X]),
        c('clip', lambda f, x: f(x, LOW, np.float64(0.5)), [X], tag='variable_and_numpy_bounds'),
        c('clip', lambda f, x: f(x, 0, 1), [X], tag='int_bounds'),
        c('cos', lambda f, x: f(x), [X]),
        c('cumprod', lambda f, x: f(x, axis=1), [X]),
        c('cumsum', lambda f, x: f(x, axis=-1), [X]),
        c('dot', lambda f, x: f(x, W34), [X]),
        c('dot', lambda f, x, y: f(x, y), [X3, uniform(2, 3, 4)], fixed=(1,), tag='3d'),
        c('equal', lambda f, x, y: f(x, y), [np.round(X), np.round(X2)]),
        c('exp', lambda f, x: f(x), [X]),
        c('gather', lambda f, r, i: f(r, i), [uniform(4, 3), ints(4, B)], fixed=(0,)),
        c('greater', lambda f, x, y: f(x, y), [X, X2]),
        c('greater_equal', lambda f, x: f(x, np.zeros(3, 'float32')), [np.round(X)]),
        c('less', lambda f, x: f(x, 0.25), [X]),
        c('less_equal', lambda f, x, y: f(x, y), [X, X2]),
        c('log', lambda f, x: f(x), [positive(B, 3)]),
        c('logsumexp', lambda f, x: f(x, axis=1), [X]),
        c('max', lambda f, x: f(x, axis=-1), [X]),
        c('maximum', lambda f, x, y: f(x, y), [X, X2]),
        c('maximum', lambda f, x: f(0, x), [X], tag='int_on_the_left'),
        c('maximum', lambda f, x: f(x * W34[0, :3], np.int64(0)), [X], tag='numpy_int_scalar'),
        c('mean', lambda f, x: f(x, axis=(1, 2)), [X3]),
        c('mean', lambda f, x: f(x, axis=1), [X > 0], tag='bool'),
        c('min', lambda f, x: f(x), [X]),
        c('minimum', lambda f, x: f(x, W34[0, :3]), [X]),
        c('normalize_batch_in_training', lambda f, x: f(x, GAMMA, BETA, [0]), [X]),
        c('normalize_batch_in_training', lambda f, x: f(x, None, None, [0, 1, 2]), [X4], tag='4d'),
        c('not_equal', lambda f, x, y: f(x, y), [np.round(X), np.round(X2)]),
        c('pow', lambda f, x: f(x, 3), [X]),
        c('prod', lambda f, x: f(x, axis=1, keepdims=True), [X]),
        c('round', lambda f, x: f(x), [X * 3]),
        c('sign', lambda f, x: f(x), [X]),
        c('sin', lambda f, x: f(x), [X]),
        c('sqrt', lambda f, x: f(x), [X]),
        c('square', lambda f, x: f(x), [X]),
        c('std', lambda f, x: f(x, axis=0), [X]),
        c('sum', lambda f, x: f(x, axis=[1, 2]), [X3]),
        c('transpose', lambda f, x: f(x), [X]),
        c('var', lambda f, x: f(x, axis=-1, keepdims=True), [X]),
        # ----------------------------------------------------------------------- ops_shape.py
        c('arange', lambda f, x: f(K.shape(x)[0]), [X], loose=True),
        c('arange', lambda f, x: f(1, K.shape(x)[1] * 3, 2, dtype='float32'), [X3], loose=True,
          tag='start_stop'),
        c('batch_flatten', lambda f, x: f(x), [X4]),
        c('concatenate', lambda f, x, y: f([x, y, np.ones((B, 1), 'float32')], axis=-1), [X, X2],
          static=[(B, 7)]),  # the numpy part fixes the batch axis
        c('concatenate', lambda f, x, y: f([x, y], axis=0), [X, X2], tag='axis0', static=[(None, 3)]),
        # symbolic, an expression with a variable, a numpy array and a Python number in one call
        c('concatenate', lambda f, x: f([x, K.ones_like(x) * LOW, np.full((B, 2), 0.5, 'float32'),
                                         x[:, :1] + 1], axis=1), [X], tag='mixed', static=[(B, 9)]),
        c('expand_dims', lambda f, x: f(x, 1), [X]),
        c('flatten', lambda f, x: f(x), [X], loose=True),
        c('one_hot', lambda f, i: f(i, 4), [ints(4, B, 3)]),
        c('permute_dimensions', lambda f, x: f(x, (0, 2, 1)), [X3]),
        c('repeat', lambda f, x: f(x, 3), [X]),
        c('repeat_elements', lambda f, x: f(x, 2, axis=1), [X3]),
        c('reshape', lambda f, x: f(x, (-1, 2, 6)), [X3], loose=True),
        c('reshape', lambda f, x: f(x, K.stack([K.shape(x)[0], -1])), [X3], loose=True,
          tag='symbolic_shape'),
        c('resize_images', lambda f, x: f(x, 2, 3, 'channels_last'), [X4]),
        c('resize_images', lambda f, x: f(x, 2, 2, 'channels_first', interpolation='bilinear'),
          [X4], tag='bilinear'),
        c('resize_volumes', lambda f, x: f(x, 2, 1, 2, 'channels_last'), [X5]),
        c('reverse', lambda f, x: f(x, 1), [X3]),
        c('slice', lambda f, x: f(x, (0, 1), (-1, 2)), [X], loose=True),
        c('spatial_2d_padding', lambda f, x: f(x, ((1, 0), (2, 1))), [X4]),
        c('spatial_3d_padding', lambda f, x: f(x, ((1, 1), (0, 2), (2, 2)),
                                               data_format='channels_first'), [X5]),
        c('squeeze', lambda f, x: f(x, 1), [uniform(B, 1, 3)]),
        c('stack', lambda f, x, y: f([x, y, W34[0, :3] * np.ones((B, 1), 'float32')], axis=1),
          [X, X2], static=[(B, 3, 3)]),
        c('stack', lambda f, x: f([K.mean(x), 0, np.float32(2)]), [X], tag='numbers'),
        c('temporal_padding', lambda f, x: f(x, (2, 1)), [X3]),
        c('tile', lambda f, x: f(x, (1, 2)), [X]),
        # ----------------------------------------------------------------------- ops_nn.py
        c('binary_crossentropy', lambda f, t, o: f(t, o), [ints(2, B, 3, dtype='float32'),
                                                           positive(B, 3) / 2.1]),
        c('binary_crossentropy', lambda f, t, o: f(t, o, from_logits=True), [X2 > 0, X],
          tag='logits'),
        c('categorical_crossentropy', lambda f, t, o: f(t, o), [probs(B, 3), probs(B, 3)]),
        c('categorical_crossentropy', lambda f, t, o: f(t, o, from_logits=True, axis=1),
          [probs(B, 4, 3), X3], tag='logits'),
        c('dropout', lambda f, x: f(x, 0.5), [positive(B, 40)], check=_dropout_check),
        c('elu', lambda f, x: f(x, 0.5), [X]),
        c('hard_sigmoid', lambda f, x: f(x * 4), [X]),
        c('in_top_k', lambda f, p, t: f(p, t, 2), [probs(B, 4), ints(4, B)]),
        c('l2_normalize', lambda f, x: f(x, axis=-1), [X]),
        c('random_binomial', lambda f, x: f(K.shape(x), p=0.5), [X], loose=True,
          check=_binary_check),
        c('random_normal', lambda f, x: f(K.shape(x), 1., 2.), [X], loose=True,
          check=_normal_check),
        c('random_uniform', lambda f, x: f(K.shape(x), 2., 3.), [X], loose=True,
          check=_uniform_check),
        c('relu', lambda f, x: f(x), [X]),
        c('relu', lambda f, x: f(x * 4, alpha=0.1, max_value=2., threshold=0.5), [X],
          tag='options'),
        c('sigmoid', lambda f, x: f(x), [X]),
        c('softmax', lambda f, x: f(x, axis=1), [X3]),
        c('softplus', lambda f, x: f(x), [X]),
        c('softsign', lambda f, x: f(x), [X]),
        c('sparse_categorical_crossentropy', lambda f, t, o: f(t, o), [ints(3, B), probs(B, 3)]),
        c('sparse_categorical_crossentropy', lambda f, t, o: f(t, o, from_logits=True),
          [ints(3, B, 4, 1), X3], tag='3d'),
        c('tanh', lambda f, x: f(x), [X]),
        c('truncated_normal', lambda f, x: f(K.shape(x), 1., 0.5), [X], loose=True,
          check=_truncated_check),
        # ----------------------------------------------------------------------- ops_conv.py
        c('conv1d', lambda f, x, k: f(x, k, padding='causal', dilation_rate=2),
          [X3, uniform(2, 3, 2)], fixed=(1,)),
        c('conv2d', lambda f, x, k=K.variable(uniform(3, 3, 2, 4)): f(x, k, strides=(2, 1),
                                                                   padding='same'), [X4]),
        c('conv2d', lambda f, x, k=uniform(3, 1, 6, 4): f(x, k, data_format='channels_first'),
          [X4], tag='channels_first'),
        c('conv3d', lambda f, x, k=uniform(2, 2, 2, 2, 3): f(x, k), [X5]),
        c('conv2d_transpose', lambda f, x, k: f(x, k, (None, 12, 12, 3), strides=(2, 2),
                                                padding='same'),
          [X4, uniform(3, 3, 3, 2)], fixed=(1,), loose=True),
        c('conv3d_transpose', lambda f, x, k=uniform(2, 2, 2, 3, 2): f(x, k, (B, 8, 8, 8, 3),
                                                                     strides=(2, 2, 2), padding='same'),
          [X5], static=[(B, 8, 8, 8, 3)]),
        c('separable_conv1d', lambda f, x, d=uniform(2, 3, 2), p=uniform(1, 6, 4): f(x, d, p), [X3]),
        c('separable_conv2d', lambda f, x, d=uniform(3, 3, 2, 2), p=uniform(1, 1, 4, 3):
          f(x, d, p, padding='same'), [X4]),
        c('depthwise_conv2d', lambda f, x, k=uniform(3, 3, 2, 3): f(x, k), [X4]),
        c('pool2d', lambda f, x: f(x, (2, 2), strides=(2, 2), pool_mode='avg'), [X4]),
        c('pool3d', lambda f, x: f(x, (2, 2, 2), strides=(2, 2, 2)), [X5]),
        c('bias_add', lambda f, x, b: f(x, b), [X4, uniform(2)], fixed=(1,)),
        c('bias_add', lambda f, x, b=uniform(6): f(x, b, data_format='channels_first'), [X4],
          tag='channels_first'),
        c('local_conv1d', lambda f, x, k=uniform(2, 9, 2): f(x, k, (3,), (1,)), [X3]),
        c('local_conv2d', lambda f, x, k=uniform(4, 8, 3): f(x, k, (2, 2), (4, 4), (2, 2)), [X4]),
        # ----------------------------------------------------------------------- ops_rnn.py
        c('rnn', lambda f, x, h0: f(_step, x, [h0]), [X3, uniform(B, 2)]),
        c('rnn', lambda f, x, h0, m: f(_step, x, [h0], mask=m, go_backwards=True, unroll=True),
          [X3, uniform(B, 2), _mask()], tag='masked_unrolled'),
        c('switch', lambda f, x, y: f(K.greater(x, 0.), x, y), [X, X2]),
        c('switch', lambda f, x, y: f(K.mean(x) > 0, lambda: x * 2, lambda: y), [X, X2],
          tag='scalar_condition_callables'),
        c('switch', lambda f, x, y: f(K.greater(x[:, 0], 0.), y, 0.), [X, X2],
          tag='low_rank_condition'),
        c('switch', lambda f, x: f(K.greater(x, 0.), x, 0), [X], tag='int_else'),
        c('switch', lambda f, x: f(K.greater(x[:, 0], 0.), 1, x), [X], tag='int_then_low_rank'),
        c('switch', lambda f, x: f(K.mean(x) > 0, x, 0), [X], tag='scalar_condition_int_else'),
        c('in_train_phase', lambda f, x, t: f(x, 0, training=t), [X, np.array(0, 'int32')],
          tag='int_alt'),
        c('in_train_phase', lambda f, x, t: f(lambda: x * 2, x, training=t),
          [X, np.array(1, 'int32')]),
        c('in_test_phase', lambda f, x, t: f(x * 2, -x, training=t), [X, np.array(1, 'int32')]),
        c('gradients', lambda f, x: f(K.sum(K.square(x) * W34[0, :3]), [x]), [X],
          expected=lambda x: [2 * x * K.get_value(W34)[0, :3]]),
        c('stop_gradient', lambda f, x, y: f([x, y * 2]), [X, X2]),
        c('map_fn', lambda f, x: f(lambda row: K.sum(row * W_IN[:, 0]), x), [X], loose=True),
        c('foldl', lambda f, x: f(lambda acc, row: acc + row * 2, x, K.zeros_like(x[0])), [X]),
        c('foldr', lambda f, x: f(lambda acc, row: acc * 0.5 + row, x), [X]),
        c('ctc_label_dense_to_sparse',
          lambda f, y, n: K.to_dense(f(y, n)), [ints(3, B, 2) + 1, np.array([1, 2, 2, 0, 1] * 1)],
          loose=True),
        c('ctc_batch_cost', lambda f, y, p, i, n: f(y, p, i, n), _ctc_inputs()),
        c('ctc_decode', lambda f, p, n: f(p, n), [probs(B, 6, 4), np.full((B,), 6, 'int32')],
          loose=True),
        c('ctc_decode', lambda f, p, n: f(p, n, greedy=False, beam_width=4, top_paths=2),
          [probs(B, 6, 4), np.full((B,), 6, 'int32')], loose=True, tag='beam'),
    ]


CASES = _cases()


def update_cases():
    """The deferred updates: recorded at the top level, applied by `K.function(..., updates=...)`."""
    return {
        'update': lambda f, v, x: f(v, x[0] * 2),
        'update_add': lambda f, v, x: f(v, K.max(x, axis=0)),
        'update_sub': lambda f, v, x: f(v, K.sum(x, axis=0)),
        'moving_average_update': lambda f, v, x: f(v, K.mean(x, axis=0), 0.9),
    }


def test_table_covers_every_computing_backend_function():
    covered = set(case.name for case in CASES) | set(update_cases())
    missing = computing_names() - covered
    assert not missing, 'backend functions without an entry in CASES: %s' % sorted(missing)
    unknown = covered - computing_names()
    assert not unknown, unknown
    # Each of them is public and wrapped to accept symbolic tensors.
    for name in computing_names():
        assert getattr(K, name).__wrapped__ is not None, name
    assert len(computing_names()) >= 110


def _assert_same_values(got, want, what):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, '%s: shape %s != %s' % (what, got.shape, want.shape)
    if want.dtype.kind in 'fc':
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6, err_msg=what)
    else:
        np.testing.assert_array_equal(got, want, err_msg=what)


def _symbolic_shape(concrete_shape):
    """The static shape expected when the batch axis (length B) was free."""
    return tuple(None if d == B else d for d in concrete_shape)


@pytest.mark.parametrize('case', CASES, ids=[case.id for case in CASES])
def test_backend_function_on_symbolic_inputs(case):
    fn = getattr(K, case.name)
    placeholders = [K.placeholder(case.placeholder_shape(i), dtype=a.dtype.name)
                    for i, a in enumerate(case.inputs)]
    symbolic = case.call(fn, *placeholders)
    flat = tf.nest.flatten(symbolic)
    assert flat and all(isinstance(t, KerasTensor) for t in flat), symbolic
    for t in flat:
        assert not K.is_keras_tensor(t) and K.is_tensor(t)
        assert K.ndim(t) == len(K.int_shape(t))

    if case.expected is not None:
        want = case.expected(*case.inputs)
    else:
        concrete = case.call(fn, *[tf.constant(a) for a in case.inputs])
        tf.nest.assert_same_structure(symbolic, concrete)
        want = [K.get_value(t) for t in tf.nest.flatten(concrete)]
        for i, (s, t) in enumerate(zip(flat, tf.nest.flatten(concrete))):
            what = '%s output %d' % (case.id, i)
            assert K.dtype(s) == K.dtype(t), '%s: dtype %s != %s' % (what, K.dtype(s), K.dtype(t))
            assert s.shape.is_compatible_with(t.shape), '%s: %s vs %s' % (what, s.shape, t.shape)
            if not case.loose:
                static = case.static[i] if case.static else _symbolic_shape(K.int_shape(t))
                assert K.int_shape(s) == static, \
                    '%s: static shape %s, expected %s' % (what, K.int_shape(s), static)

    got = K.function(placeholders, flat)(case.inputs)
    assert len(got) == len(flat)
    for i, (g, s) in enumerate(zip(got, flat)):
        assert K.dtype(s) == g.dtype.name, '%s output %d' % (case.id, i)
        assert s.shape.is_compatible_with(g.shape), '%s output %d: %s vs %s' % (
            case.id, i, s.shape, g.shape)
    if case.check is not None:
        case.check(got, case.inputs)
    else:
        for i, (g, w) in enumerate(zip(got, want)):
            _assert_same_values(g, w, '%s output %d' % (case.id, i))


@pytest.mark.parametrize('name', sorted(update_cases()))
def test_deferred_updates_on_symbolic_values(name):
    build = update_cases()[name]
    fn = getattr(K, name)
    start = uniform(3)
    x = K.placeholder((None, 3))
    variable = K.variable(start)
    update = build(fn, variable, x)
    assert isinstance(update, KerasTensor)
    np.testing.assert_array_equal(K.get_value(variable), start)  # recorded, not applied
    f = K.function([x], [], updates=[update])
    reference = K.variable(start)
    for _ in range(2):
        value = uniform(B, 3)
        f([value])
        build(fn.__wrapped__, reference, tf.constant(value))  # the plain function applies at once
        np.testing.assert_allclose(K.get_value(variable), K.get_value(reference), rtol=1e-5)
    assert not np.allclose(K.get_value(variable), start)


def test_gradients_need_symbolic_tensors():
    with pytest.raises(RuntimeError, match='GradientTape'):
        K.gradients(K.sum(tf.ones(2)), [tf.ones(2)])


def test_in_train_phase_follows_the_learning_phase_fed_to_the_function():
    x = K.placeholder((None, 3))
    y = K.in_train_phase(lambda: x * 2, x)
    f = K.function([x, K.learning_phase()], [y, K.in_test_phase(x + 1, x)])
    np.testing.assert_allclose(f([X, 1])[0], 2 * X)
    np.testing.assert_allclose(f([X, 1])[1], X)
    np.testing.assert_allclose(f([X, 0])[0], X)
    np.testing.assert_allclose(f([X, 0])[1], X + 1)


def test_update_with_a_python_number_is_deferred_until_run():
    v = K.variable(1.)
    update = K.update_add(v, 1)
    assert K.get_value(v) == 1.
    f = K.function([], [], updates=[update])
    f([])
    f([])
    assert K.get_value(v) == 3.


# ----------------------------------------------------------------------------------- Python scalars
# Each entry: a label, the function, its numpy reference and which tensors it applies to: 'any'
# dtype, 'float' only (TensorFlow's kernel refuses integers), or 'float number': it holds a float
# number, which TensorFlow refuses to combine with an integer tensor (as in `tf.constant(1) + 1.5`).
SCALAR_CASES = [
    ('maximum(x, 0)', lambda x: K.maximum(x, 0), lambda a: np.maximum(a, 0), 'any'),
    ('maximum(0, x)', lambda x: K.maximum(0, x), lambda a: np.maximum(0, a), 'any'),
    ('minimum(x, 1)', lambda x: K.minimum(x, 1), lambda a: np.minimum(a, 1), 'any'),
    ('minimum(1, x)', lambda x: K.minimum(1, x), lambda a: np.minimum(1, a), 'any'),
    ('maximum(x, np.int64(0))', lambda x: K.maximum(x, np.int64(0)), lambda a: np.maximum(a, 0),
     'any'),
    ('maximum(x, 0.5)', lambda x: K.maximum(x, 0.5), lambda a: np.maximum(a, 0.5), 'float number'),
    ('clip(x, 0, 1)', lambda x: K.clip(x, 0, 1), lambda a: np.clip(a, 0, 1), 'any'),
    ('clip(x, -1, None)', lambda x: K.clip(x, -1, None), lambda a: np.maximum(a, -1), 'any'),
    ('clip(x, None, 2)', lambda x: K.clip(x, None, 2), lambda a: np.minimum(a, 2), 'any'),
    ('clip(x, np.int32(0), 1.5)', lambda x: K.clip(x, np.int32(0), 1.5),
     lambda a: np.clip(a, 0, 1.5), 'float number'),
    ('pow(x, 2)', lambda x: K.pow(x, 2), lambda a: a ** 2, 'any'),
    ('pow(x, np.int64(3))', lambda x: K.pow(x, np.int64(3)), lambda a: a ** 3, 'any'),
    ('pow(x, 0.5)', lambda x: K.pow(K.abs(x), 0.5), lambda a: np.abs(a) ** 0.5, 'float number'),
    ('greater(x, 0)', lambda x: K.greater(x, 0), lambda a: a > 0, 'any'),
    ('greater_equal(x, 1)', lambda x: K.greater_equal(x, 1), lambda a: a >= 1, 'any'),
    ('less(1, x)', lambda x: K.less(1, x), lambda a: 1 < a, 'any'),
    ('less_equal(x, np.int32(0))', lambda x: K.less_equal(x, np.int32(0)), lambda a: a <= 0, 'any'),
    ('equal(x, 1)', lambda x: K.equal(x, 1), lambda a: a == 1, 'any'),
    ('not_equal(2, x)', lambda x: K.not_equal(2, x), lambda a: a != 2, 'any'),
    ('equal(x, 0.5)', lambda x: K.equal(x, 0.5), lambda a: a == 0.5, 'float number'),
    ('switch(x > 0, x, 0)', lambda x: K.switch(K.greater(x, 0), x, 0),
     lambda a: np.where(a > 0, a, 0), 'any'),
    ('switch(x > 0, 1, x)', lambda x: K.switch(K.greater(x, 0), 1, x),
     lambda a: np.where(a > 0, 1, a), 'any'),
    ('switch(mean(x) > 0, x, 0)', lambda x: K.switch(K.greater(K.sum(x), 0), x, 0),
     lambda a: a if a.sum() > 0 else np.zeros_like(a), 'any'),
    ('stack([max(x), 0])', lambda x: K.stack([K.max(x), 0]), lambda a: np.stack([a.max(), 0]),
     'any'),
    ('batch_normalization(x, 1, 4, 0, 2)',
     lambda x: K.batch_normalization(x, 1, 4, 0, 2, epsilon=0.), lambda a: (a - 1) / 2. * 2,
     'float'),
    ('relu(x, 0.5, 6)', lambda x: K.relu(x, 0.5, 6), lambda a: np.where(a > 0, np.minimum(a, 6), 0.5 * a),
     'float'),
    ('elu(x, 2)', lambda x: K.elu(x, 2), lambda a: np.where(a > 0, a, 2 * (np.exp(a) - 1)),
     'float'),
    ('x + 1', lambda x: x + 1, lambda a: a + 1, 'any'),
    ('2 * x', lambda x: 2 * x, lambda a: 2 * a, 'any'),
    ('x - 0.5', lambda x: x - 0.5, lambda a: a - 0.5, 'float number'),
]
FLOAT_VALUES = np.array([[-2., -1., 0., 0.5, 1., 2., 3.], [7., -0.5, 1., 1., 2., 0., 6.5]])
SCALAR_PARAMS = [(case, dtype) for case in SCALAR_CASES for dtype in ('float32', 'float64', 'int32')
                 if dtype != 'int32' or case[3] != 'float']


@pytest.mark.parametrize('case,dtype', SCALAR_PARAMS,
                         ids=['%s-%s' % (case[0], dtype) for case, dtype in SCALAR_PARAMS])
def test_python_scalars_take_the_tensor_dtype(case, dtype):
    """As in TensorFlow, a number takes the other operand's dtype, on either side, concrete or
    symbolic; the result (or, for comparisons, the compared values) keeps the tensor's dtype."""
    label, fn, reference, kind = case
    value = FLOAT_VALUES.astype(dtype)
    if dtype == 'int32' and kind == 'float number':
        with pytest.raises(TypeError):
            fn(tf.constant(value))
        with pytest.raises(TypeError) as info:
            fn(K.placeholder((None, 7), dtype=dtype))
        assert 'cannot be applied to symbolic inputs' in str(info.value)
        return
    want = reference(value)
    want_dtype = 'bool' if want.dtype == bool else dtype
    concrete = fn(tf.constant(value))
    assert K.dtype(concrete) == want_dtype
    np.testing.assert_allclose(K.get_value(concrete), want, rtol=1e-6)
    x = K.placeholder((None, 7), dtype=dtype)
    symbolic = fn(x)
    assert isinstance(symbolic, KerasTensor)
    assert K.dtype(symbolic) == want_dtype
    assert K.int_shape(symbolic) == ((None, 7) if want.ndim == 2 else want.shape)
    got = K.function([x], [symbolic])([value])[0]
    assert got.dtype.name == want_dtype
    np.testing.assert_allclose(got, want, rtol=1e-6)


# ----------------------------------------------------------------------------------- operators
OPERATOR_CASES = [
    ('x + y', lambda x, y: x + y), ('x - y', lambda x, y: x - y), ('x * y', lambda x, y: x * y),
    ('x / y', lambda x, y: x / y), ('x // y', lambda x, y: x // y), ('x % y', lambda x, y: x % y),
    ('abs(x) ** y', lambda x, y: abs(x) ** y), ('x @ W', lambda x, y: x @ W_IN),
    ('x @ (y[:1] + 1)[0, :, None]', lambda x, y: x @ (y[:1] + 1)[0, :, None]),
    ('-x', lambda x, y: -x), ('abs(x)', lambda x, y: abs(x)),
    ('x < y', lambda x, y: x < y), ('x <= 0', lambda x, y: x <= 0), ('x > 0.25', lambda x, y: x > 0.25),
    ('x >= y', lambda x, y: x >= y),
    ('2 - x', lambda x, y: 2 - x), ('1 / y', lambda x, y: 1. / y), ('3 * x', lambda x, y: 3 * x),
    ('2 ** x', lambda x, y: 2. ** x), ('1 + x', lambda x, y: 1 + x), ('7 // y', lambda x, y: 7. // y),
    ('5.5 % y', lambda x, y: 5.5 % y),
    ('np.ones(3) * x', lambda x, y: np.ones(3, 'float32') * x),
    ('np.arange(3) - x', lambda x, y: np.arange(3).astype('float32') - x),
    ('np + x (float64 array)', lambda x, y: np.ones(3) + x),
    ('np.ones((2, 4)) @ x', lambda x, y: np.ones((2, 4), 'float32') @ x[:4]),
    ('np < x', lambda x, y: np.zeros(3, 'float32') < x),
    ('(x > 0) & (y > 0)', lambda x, y: (x > 0) & (y > 0)),
    ('(x > 0) | (y < 0.5)', lambda x, y: (x > 0) | (y < 0.5)),
    ('~(x > 0)', lambda x, y: ~(x > 0)),
    ('x[:, 1]', lambda x, y: x[:, 1]), ('x[..., ::2]', lambda x, y: x[..., ::2]),
    ('x[:, None]', lambda x, y: x[:, None]), ('x[1:3]', lambda x, y: x[1:3]),
    ('x[::-1, -1]', lambda x, y: x[::-1, -1]), ('x[0]', lambda x, y: x[0]),
    ('x[None, ..., 0]', lambda x, y: x[None, ..., 0]),
    ('(x * y)[:, 1:] + y[:, :2]', lambda x, y: (x * y)[:, 1:] + y[:, :2]),
]
Y_POSITIVE = positive(B, 3)


@pytest.mark.parametrize('label,fn', OPERATOR_CASES, ids=[c[0] for c in OPERATOR_CASES])
def test_operators_and_slicing(label, fn):
    x, y = K.placeholder((None, 3)), K.placeholder((None, 3))
    symbolic = fn(x, y)
    assert isinstance(symbolic, KerasTensor) and not K.is_keras_tensor(symbolic)
    concrete = fn(tf.constant(X), tf.constant(Y_POSITIVE))  # TensorFlow's dtype and shape
    want = fn(X, Y_POSITIVE)  # numpy's values
    assert K.dtype(symbolic) == K.dtype(concrete)
    assert K.int_shape(symbolic) == _symbolic_shape(K.int_shape(concrete)) or label in (
        'x[1:3]', 'x[0]', 'np.ones((2, 4)) @ x'), (K.int_shape(symbolic), K.int_shape(concrete))
    got = K.function([x, y], [symbolic])([X, Y_POSITIVE])[0]
    assert got.dtype.name == K.dtype(concrete)
    np.testing.assert_allclose(got, np.asarray(want).astype(got.dtype), rtol=1e-5, atol=1e-6)


def test_static_shapes_of_slices():
    x = K.placeholder((None, 3))
    assert K.int_shape(x[1:3]) == (None, 3)  # TensorFlow does not bound a slice of a free axis
    assert K.int_shape(x[0]) == (3,)
    assert K.int_shape(x[:, 1]) == (None,)
    assert K.int_shape(x[..., ::2]) == (None, 2)
    assert K.int_shape(x[:, None]) == (None, 1, 3)
    fixed = K.placeholder((4, 3))
    assert K.int_shape(fixed[1:3]) == (2, 3)


def test_symbolic_shape_indexing():
    x = K.placeholder((None, 4, 3))
    batch = K.shape(x)[0]
    assert isinstance(batch, KerasTensor)
    assert K.int_shape(batch) == () and K.dtype(batch) == 'int32'
    assert K.int_shape(K.shape(x)) == (3,)
    total = K.shape(x)[0] * K.shape(x)[1]
    got = K.function([x], [batch, K.shape(x), total, K.shape(x)[1:]])([X3])
    assert got[0] == B and got[2] == B * 4
    np.testing.assert_array_equal(got[1], [B, 4, 3])
    np.testing.assert_array_equal(got[3], [4, 3])


def test_len_and_iteration_need_a_known_first_dimension():
    x = K.placeholder((None, 3))
    with pytest.raises(TypeError, match='unknown'):
        len(x)
    with pytest.raises(TypeError, match='unknown'):
        iter(x)
    with pytest.raises(TypeError, match='truth value'):
        bool(x > 0)
    with pytest.raises(TypeError, match='numpy'):
        np.asarray(x)
    assert +x is x
    fixed = K.placeholder((2, 3))
    assert len(fixed) == 2
    rows = list(fixed)
    assert len(rows) == 2 and all(K.int_shape(r) == (3,) for r in rows)
    values = uniform(2, 3)
    got = K.function([fixed], rows)([values])
    np.testing.assert_allclose(got[0], values[0])
    np.testing.assert_allclose(got[1], values[1])


def test_equality_operator_is_identity_and_k_equal_is_element_wise():
    x, y = K.placeholder((None, 3)), K.placeholder((None, 3))
    assert (x == x) is True and (x == y) is False
    assert (x != y) is True and (x != x) is False
    assert (x == 1) is False and (x != 1) is True
    assert len({x, y, x}) == 2  # hashable by identity: usable as dict keys, as in Keras 2
    assert x in [y, x] and x not in [y]
    e = K.equal(x, y)
    assert isinstance(e, KerasTensor) and K.dtype(e) == 'bool'
    a, b = np.round(X), np.round(X2)
    got = K.function([x, y], [e, K.not_equal(x, y)])([a, b])
    np.testing.assert_array_equal(got[0], a == b)
    np.testing.assert_array_equal(got[1], a != b)


# ----------------------------------------------------------------------------------- inference
def test_results_support_shape_and_dtype_queries():
    inp = keras.layers.Input((4,))
    dense = keras.layers.Dense(2)(inp)
    e = K.mean(K.square(dense - 1.), axis=-1)
    assert K.int_shape(e) == (None,) and K.ndim(e) == 1 and K.dtype(e) == 'float32'
    assert K.int_shape(K.shape(e)) == (1,) and K.dtype(K.shape(e)) == 'int32'
    assert K.is_tensor(e) and K.is_tensor(dense)
    assert K.is_keras_tensor(inp) and K.is_keras_tensor(dense)
    assert not K.is_keras_tensor(e) and not K.is_keras_tensor(dense * 2)
    assert not K.is_keras_tensor(dense[:, 0]) and not K.is_keras_tensor(K.placeholder((2,)))
    assert not K.is_keras_tensor(K.variable(1.)) and not K.is_keras_tensor(tf.ones(2))
    with pytest.raises(ValueError, match='Expected a symbolic tensor'):
        K.is_keras_tensor(np.ones(2))
    with pytest.raises(ValueError):
        K.is_keras_tensor(1.)
    c = K.cast(K.argmax(dense), 'float16')
    assert K.dtype(K.argmax(dense)) == 'int64' and K.dtype(c) == 'float16'
    assert K.int_shape(c) == (None,)
    b = K.greater(dense, 0.)
    assert K.dtype(b) == 'bool' and K.int_shape(b) == (None, 2)
    f = K.function([inp], [e, dense[:, 0], dense * 2, K.shape(e)])
    values = uniform(B, 4)
    out = f([values])
    reference = out[2] / 2
    np.testing.assert_allclose(out[0], np.mean((reference - 1) ** 2, -1), rtol=1e-5)
    np.testing.assert_allclose(out[1], reference[:, 0], rtol=1e-6)
    np.testing.assert_array_equal(out[3], [B])


@pytest.mark.parametrize('label,build,op', [
    ('add', lambda a, b: a + b, 'operator +'),
    ('sub reflected', lambda a, b: b - a, 'operator -'),
    ('mul', lambda a, b: a * b, 'operator *'),
    ('maximum', lambda a, b: K.maximum(a, b), 'K.maximum'),
    ('equal', lambda a, b: K.equal(a, b), 'K.equal'),
    ('concatenate axis 0', lambda a, b: K.concatenate([a, b], axis=0), 'K.concatenate'),
    ('batch_dot', lambda a, b: K.batch_dot(a, b, axes=1), 'batch_dot'),
    ('stack', lambda a, b: K.stack([a, b]), 'K.stack'),
    ('switch', lambda a, b: K.switch(K.greater(a, 0.), a, b), 'K.switch'),
    ('categorical_crossentropy', lambda a, b: K.categorical_crossentropy(a, b),
     'K.categorical_crossentropy'),
])
def test_incompatible_shapes_fail_when_written(label, build, op):
    a = K.placeholder((None, 3), name='left_%s' % label.replace(' ', '_'))
    b = K.placeholder((None, 4), name='right_%s' % label.replace(' ', '_'))
    with pytest.raises(ValueError) as info:
        build(a, b)
    message = str(info.value)
    assert op in message, message
    if label != 'batch_dot':  # checked by the function itself, which names the shapes
        assert a.name in message and b.name in message, message
    assert '(None, 3)' in message and '(None, 4)' in message, message


def test_shape_errors_name_the_op_and_the_shapes_with_non_symbolic_arguments():
    x = K.placeholder((None, 3), name='features')
    with pytest.raises(ValueError) as info:
        K.dot(x, K.variable(np.ones((4, 2))))
    assert 'K.dot' in str(info.value) and 'features (None, 3)' in str(info.value)
    with pytest.raises(ValueError) as info:
        K.reshape(x, (2, 2, 2))
    assert 'K.reshape' in str(info.value) and 'features (None, 3)' in str(info.value)
    with pytest.raises(ValueError) as info:
        x + np.ones(4, 'float32')
    assert 'operator +' in str(info.value) and 'features (None, 3)' in str(info.value)
    with pytest.raises(ValueError) as info:
        x[:, :, 0]
    assert 'operator []' in str(info.value)


# ----------------------------------------------------------------------------------- reading values
def test_eval_and_get_value_on_expressions_of_variables_and_constants():
    v = K.variable([1., 2.])
    e = v * 3 + K.constant(1.)
    assert isinstance(v * 3, (tf.Tensor, KerasTensor))
    np.testing.assert_allclose(K.eval(e), [4., 7.])
    np.testing.assert_allclose(K.get_value(e), [4., 7.])
    none_fed = K.sum(K.variable([[1., 2.]]) * 2)
    np.testing.assert_allclose(K.eval(none_fed), 6.)
    assert K.eval(K.maximum(K.variable(-1.), 0)) == 0.
    values = K.batch_get_value([v, e, K.mean(v), K.constant([3, 4], 'int32')])
    np.testing.assert_allclose(values[0], [1., 2.])
    np.testing.assert_allclose(values[1], [4., 7.])
    np.testing.assert_allclose(values[2], 1.5)
    np.testing.assert_array_equal(values[3], [3, 4])


def test_eval_and_get_value_of_symbolic_expressions():
    v = K.variable(np.arange(6.).reshape(2, 3))
    inp = keras.layers.Input(tensor=K.constant(np.ones((2, 3))))
    e = K.sum(inp * v, axis=1)
    assert isinstance(e, KerasTensor)
    np.testing.assert_allclose(K.eval(e), [3., 12.])
    np.testing.assert_allclose(K.get_value(e[1]), 12.)
    np.testing.assert_allclose(K.batch_get_value([e, v])[0], [3., 12.])


@pytest.mark.parametrize('reader', ['eval', 'get_value', 'batch_get_value'])
def test_reading_an_expression_that_needs_a_placeholder_names_it(reader):
    x = K.placeholder((None, 3), name='needed_%s' % reader)
    e = K.mean(x * 2 + K.variable(1.))
    with pytest.raises(ValueError, match="needed_%s" % reader):
        if reader == 'batch_get_value':
            K.batch_get_value([K.variable(1.), e])
        else:
            getattr(K, reader)(e)
