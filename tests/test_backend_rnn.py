"""Tests for kernelkit.backend control flow: rnn, switch, learning-phase helpers, gradients, loops
and CTC. A plain numpy loop is the oracle for `rnn`; tf_keras.backend for switch and CTC."""
import numpy as np
import pytest
import tensorflow as tf

from kernelkit import backend as K

RNG = np.random.RandomState(3)
W = RNG.uniform(-1, 1, (3, 4)).astype('float32')
U = RNG.uniform(-1, 1, (4, 4)).astype('float32')
C = RNG.uniform(-1, 1, (4,)).astype('float32')


def rand(*shape):
    return RNG.uniform(-1, 1, size=shape).astype('float32')


def close(a, b, tol=1e-5):
    np.testing.assert_allclose(K.eval(a) if not isinstance(a, np.ndarray) else a, b,
                               rtol=tol, atol=tol)


@pytest.fixture(scope='module')
def kb():
    import tf_keras
    return tf_keras.backend


def step(x, states):
    """Two states: h (the output) and a running sum; one constant added to the pre-activation."""
    h, total, const = states
    out = K.tanh(K.dot(x, W) + K.dot(h, U) + const)
    return out, [out, total + out]


def np_rnn(x, h0, mask=None, go_backwards=False):
    h, total = h0.copy(), np.zeros_like(h0)
    prev_out = np.zeros_like(h0)
    steps = range(x.shape[1])
    if go_backwards:
        steps = reversed(steps)
    outputs = []
    for t in steps:
        out = np.tanh(x[:, t].dot(W) + h.dot(U) + C)
        new_h, new_total = out, total + out
        if mask is not None:
            keep = mask[:, t][:, None].astype(bool)
            out = np.where(keep, out, prev_out)
            new_h = np.where(keep, new_h, h)
            new_total = np.where(keep, new_total, total)
        outputs.append(out)
        prev_out, h, total = out, new_h, new_total
    return outputs[-1], np.stack(outputs, 1), [h, total]


MASK = np.array([[1, 1, 0, 1, 0], [0, 1, 1, 1, 1], [1, 0, 0, 0, 0]], 'float32')


@pytest.mark.parametrize('unroll', [False, True])
@pytest.mark.parametrize('go_backwards', [False, True])
@pytest.mark.parametrize('masked', [False, True])
def test_rnn_matches_python_loop(unroll, go_backwards, masked):
    x, h0 = rand(3, 5, 3), rand(3, 4)
    mask = MASK if masked else None
    last, outputs, states = K.rnn(step, x, [h0, np.zeros_like(h0)], go_backwards=go_backwards,
                                  mask=mask, constants=[C], unroll=unroll)
    ref_last, ref_outputs, ref_states = np_rnn(x, h0, mask, go_backwards)
    assert K.int_shape(outputs) == (3, 5, 4)
    close(last, ref_last)
    close(outputs, ref_outputs)
    assert len(states) == 2
    for got, want in zip(states, ref_states):
        close(got, want)


def test_rnn_mask_with_trailing_axis_and_zero_first_output():
    x, h0 = rand(3, 5, 3), rand(3, 4)
    _, outputs, _ = K.rnn(step, x, [h0, h0 * 0], mask=MASK[:, :, None], constants=[C])
    close(outputs, np_rnn(x, h0, MASK)[1])
    assert np.all(K.eval(outputs)[1, 0] == 0)  # masked before any step: zeros


@pytest.mark.parametrize('unroll', [False, True])
def test_rnn_in_tf_function_and_gradients(unroll):
    x, h0 = rand(3, 5, 3), rand(3, 4)
    w = tf.Variable(W)

    def step_w(inp, states):
        out = tf.tanh(tf.matmul(inp, w) + tf.matmul(states[0], U))
        return out, [out]

    @tf.function
    def loss_and_grad(inputs, mask):
        with tf.GradientTape() as tape:
            last, outputs, _ = K.rnn(step_w, inputs, [tf.constant(h0)], mask=mask, unroll=unroll)
            loss = tf.reduce_sum(outputs) + tf.reduce_sum(last)
        return loss, tape.gradient(loss, w)

    loss, grad = loss_and_grad(tf.constant(x), tf.constant(MASK))
    # Reference: the same computation as an explicit Python loop on tensors.
    with tf.GradientTape() as tape:
        h, prev, outs = tf.constant(h0), tf.zeros((3, 4)), []
        for t in range(5):
            out = tf.tanh(tf.matmul(x[:, t], w) + tf.matmul(h, U))
            keep = MASK[:, t:t + 1] > 0
            out, h = tf.where(keep, out, prev), tf.where(keep, out, h)
            outs.append(out)
            prev = out
        ref_loss = tf.reduce_sum(tf.stack(outs)) + tf.reduce_sum(outs[-1])
    close(loss, K.eval(ref_loss))
    close(grad, K.eval(tape.gradient(ref_loss, w)), tol=1e-4)


def test_rnn_unknown_time_steps_in_graph():
    @tf.function(input_signature=[tf.TensorSpec([None, None, 3])])
    def run(inputs):
        h0 = tf.zeros((tf.shape(inputs)[0], 4))
        return K.rnn(step, inputs, [h0, h0], constants=[C])[1]
    x = rand(2, 6, 3)
    close(run(tf.constant(x)), np_rnn(x, np.zeros((2, 4), 'float32'))[1])

    @tf.function(input_signature=[tf.TensorSpec([2, None, 3])])
    def run_unrolled(inputs):
        return K.rnn(step, inputs, [tf.zeros((2, 4))] * 2, constants=[C], unroll=True)[1]
    with pytest.raises(ValueError, match='Unrolling requires a fixed number of timesteps'):
        run_unrolled(tf.constant(x))


def test_rnn_state_of_higher_rank_is_masked():
    x = rand(2, 3, 2, 2)

    def conv_like_step(inp, states):
        new = states[0] * 0.5 + inp
        return tf.reduce_sum(new, -1), [new]
    mask = np.array([[1, 0, 1], [1, 1, 0]], 'float32')
    last, outputs, states = K.rnn(conv_like_step, x, [np.zeros((2, 2, 2), 'float32')], mask=mask)
    s = np.zeros((2, 2, 2), 'float32')
    prev = np.zeros((2, 2), 'float32')
    for t in range(3):
        new = s * 0.5 + x[:, t]
        keep = mask[:, t].astype(bool)
        out = np.where(keep[:, None], new.sum(-1), prev)
        s = np.where(keep[:, None, None], new, s)
        prev = out
    close(last, prev)
    close(states[0], s)


def test_rnn_rejects_2d_input():
    with pytest.raises(ValueError, match='at least 3D'):
        K.rnn(step, rand(3, 4), [rand(3, 4)])


# ----------------------------------------------------------------------------------- switch


def test_switch_scalar_condition_and_callables():
    a, b = rand(2, 3), rand(2, 3)
    close(K.switch(True, a, b), a)
    close(K.switch(tf.constant(0), a, b), b)
    calls = []

    def then_fn():
        calls.append('then')
        return tf.constant(a)

    def else_fn():
        calls.append('else')
        return tf.constant(b)
    close(K.switch(tf.constant(False), then_fn, else_fn), b)
    assert calls == ['else']  # only the chosen branch is computed


@pytest.mark.parametrize('cond_shape', [(2, 3, 4), (2, 3), (2,)])
def test_switch_tensor_condition(kb, cond_shape):
    a, b = rand(2, 3, 4), rand(2, 3, 4)
    cond = rand(*cond_shape) > 0
    got = K.switch(cond, a, b)
    expanded = cond.reshape(cond_shape + (1,) * (3 - len(cond_shape)))
    close(got, np.where(expanded, a, b))
    if len(cond_shape) > 1:  # tf_keras broadcasts a 1D condition on the last axis; TF1 did not
        close(got, K.eval(kb.switch(tf.constant(cond), tf.constant(a), tf.constant(b))))


def test_switch_rank_error():
    with pytest.raises(ValueError, match='Rank of `condition`'):
        K.switch(rand(2, 3) > 0, rand(2), rand(2))


def test_in_train_phase_with_tensor_and_explicit_training():
    a, b = rand(2), rand(2)
    close(K.in_train_phase(a, b, training=True), a)
    close(K.in_train_phase(a, b, training=0), b)
    close(K.in_test_phase(a, b, training=1), b)

    @tf.function
    def f(training):
        return K.in_train_phase(lambda: tf.constant(a), lambda: tf.constant(b), training=training)
    close(f(tf.constant(True)), a)
    close(f(tf.constant(False)), b)
    with K.learning_phase_scope(1):
        close(K.in_train_phase(a, b), a)
        close(K.in_test_phase(a, b), b)


# ----------------------------------------------------------------------------------- gradients


def test_gradients_graph_only():
    v = tf.Variable([1., 2.])
    with pytest.raises(RuntimeError, match='GradientTape'):
        K.gradients(K.sum(v * v), [v])

    @tf.function
    def grads():
        return K.gradients(K.sum(v * v), [v])[0]
    close(grads(), [2., 4.])


def test_stop_gradient():
    v = tf.Variable([1., 2.])
    with tf.GradientTape() as tape:
        loss = K.sum(K.stop_gradient(v * 3) * v)
    close(tape.gradient(loss, v), [3., 6.])
    assert len(K.stop_gradient([v, v])) == 2


# ----------------------------------------------------------------------------------- loops


def test_map_fn_foldl_foldr():
    x = rand(4, 3)
    close(K.map_fn(lambda r: K.sum(r), x), x.sum(1))
    close(K.map_fn(lambda r: K.cast(K.argmax(r), 'int32'), x, dtype='int32'), x.argmax(1))
    close(K.foldl(lambda acc, r: acc * 2 + r, x), ((x[0] * 2 + x[1]) * 2 + x[2]) * 2 + x[3])
    close(K.foldr(lambda acc, r: acc * 2 + r, x, initializer=np.zeros(3, 'float32')),
          ((x[3] * 2 + x[2]) * 2 + x[1]) * 2 + x[0])


# ----------------------------------------------------------------------------------- CTC


def test_ctc_label_dense_to_sparse():
    labels = np.array([[1, 2, 3], [4, 5, 0]], 'int32')
    sparse = K.ctc_label_dense_to_sparse(labels, np.array([2, 3]))
    assert K.is_sparse(sparse)
    np.testing.assert_array_equal(K.eval(sparse.indices), [[0, 0], [0, 1], [1, 0], [1, 1],
                                                           [1, 2]])
    np.testing.assert_array_equal(K.eval(sparse.values), [1, 2, 4, 5, 0])
    np.testing.assert_array_equal(K.eval(sparse.dense_shape), [2, 3])


def _softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return (e / e.sum(-1, keepdims=True)).astype('float32')


def test_ctc_batch_cost(kb):
    y_pred = _softmax(rand(2, 6, 4) * 3)  # 3 labels + blank (index 3)
    y_true = np.array([[0, 1, 0], [2, 2, 0]], 'int32')
    input_length = np.array([[6], [5]], 'int32')
    label_length = np.array([[2], [2]], 'int32')
    got = K.ctc_batch_cost(y_true, y_pred, input_length, label_length)
    assert K.int_shape(got) == (2, 1)
    want = kb.ctc_batch_cost(tf.constant(y_true), tf.constant(y_pred), tf.constant(input_length),
                             tf.constant(label_length))
    close(got, K.eval(want), tol=1e-4)
    # A single-step sequence with a single label: loss = -log p(label).
    single = _softmax(rand(1, 1, 3))
    close(K.ctc_batch_cost(np.array([[1]]), single, np.array([[1]]), np.array([[1]])),
          -np.log(single[0, 0, 1] + 1e-7).reshape(1, 1), tol=1e-4)


def test_ctc_decode(kb):
    y_pred = _softmax(rand(2, 7, 4) * 4)
    lengths = np.array([7, 5], 'int32')
    decoded, log_prob = K.ctc_decode(y_pred, lengths, greedy=True)
    for i in range(2):  # greedy: best path, merge repeats, drop blanks (the last class)
        best = y_pred[i, :lengths[i]].argmax(-1)
        expected = [c for j, c in enumerate(best) if c != 3 and (j == 0 or c != best[j - 1])]
        row = K.eval(decoded[0])[i]
        np.testing.assert_array_equal(row[:len(expected)], expected)
        assert np.all(row[len(expected):] == -1)
    want = kb.ctc_decode(tf.constant(y_pred), tf.constant(lengths), greedy=True)
    close(log_prob, K.eval(want[1]), tol=1e-4)
    decoded, log_prob = K.ctc_decode(y_pred, lengths, greedy=False, beam_width=5, top_paths=2)
    want = kb.ctc_decode(tf.constant(y_pred), tf.constant(lengths), greedy=False, beam_width=5,
                         top_paths=2)
    assert len(decoded) == 2
    for got_path, want_path in zip(decoded, want[0]):
        # Keras 2.2 pads to the longest decoded path; tf_keras pads to the number of time steps.
        got_path, want_path = K.eval(got_path), K.eval(want_path)
        width = got_path.shape[1]
        np.testing.assert_array_equal(got_path, want_path[:, :width])
        assert np.all(want_path[:, width:] == -1)
    close(log_prob, K.eval(want[1]), tol=1e-4)
