"""Backend control flow: `rnn`, `switch`, the learning-phase helpers, gradients, loops and CTC."""
import numpy as np
import tensorflow as tf

from .config import epsilon, learning_phase
from .ops import _tensor_or_variable, int_shape, ndim


def _t(x):
    return _tensor_or_variable(x)


# ----------------------------------------------------------------------------------- rnn


def _expand_mask(mask_t, target):
    """Reshapes a `(batch, 1)` bool mask so it broadcasts against `target`."""
    extra = ndim(target) - ndim(mask_t)
    if extra > 0:
        mask_t = tf.reshape(mask_t, tf.concat([tf.shape(mask_t), [1] * extra], 0))
    return mask_t


def _keep_where_masked(mask_t, new, old):
    return tf.where(_expand_mask(mask_t, new), new, old)


def rnn(step_function, inputs, initial_states, go_backwards=False, mask=None, constants=None,
        unroll=False, input_length=None):
    """Iterates over the time dimension of a tensor.

    # Arguments
        step_function: called as `step_function(input_t, states + constants)` for each time
            step, where `input_t` has shape `(samples, ...)` (no time axis) and `states` is a list
            of tensors. It returns `(output_t, new_states)`.
        inputs: a tensor of shape `(samples, time, ...)`, at least 3D.
        initial_states: a list of tensors of shape `(samples, ...)`: the initial states.
        go_backwards: whether to iterate over the time steps in reverse order (the outputs are
            then in reverse order too).
        mask: a tensor of shape `(samples, time)` (or `(samples, time, 1)`), zero where a step
            must be skipped: there the previous output (zeros before the first step) and the
            previous states are kept.
        constants: a list of constant tensors passed to each step after the states.
        unroll: whether to unroll the loop in Python (needs a known number of time steps)
            instead of using a `tf.while_loop`.
        input_length: the number of time steps, if known (an upper bound for the loop).

    # Returns
        A tuple `(last_output, outputs, new_states)`: `last_output` has shape `(samples, ...)`,
        `outputs` shape `(samples, time, ...)` and `new_states` is the list of final states.

    # Raises
        ValueError: if `inputs` has fewer than 3 dimensions, or `unroll` is True while the number
            of time steps is unknown.
    """
    inputs = _t(inputs)
    rank = ndim(inputs)
    if rank is None or rank < 3:
        raise ValueError('`inputs` of `rnn` should be at least 3D (samples, time, ...), received '
                         'a tensor of shape %s.' % (int_shape(inputs),))
    axes = [1, 0] + list(range(2, rank))
    inputs = tf.transpose(inputs, axes)  # time-major
    if mask is not None:
        mask = tf.cast(_t(mask), tf.bool)
        if ndim(mask) == 2:
            mask = tf.expand_dims(mask, -1)
        mask = tf.transpose(mask, [1, 0] + list(range(2, ndim(mask))))
    constants = list(constants or [])
    states = list(initial_states)

    if unroll:
        if int_shape(inputs)[0] is None:
            raise ValueError('Unrolling requires a fixed number of timesteps: the time axis of '
                             '`inputs` must have a known length.')
        input_list = tf.unstack(inputs)
        mask_list = tf.unstack(mask) if mask is not None else [None] * len(input_list)
        if go_backwards:
            input_list.reverse()
            mask_list.reverse()
        outputs_list = []
        for input_t, mask_t in zip(input_list, mask_list):
            output, new_states = step_function(input_t, states + constants)
            new_states = list(new_states)
            if mask_t is not None:
                prev = outputs_list[-1] if outputs_list else tf.zeros_like(output)
                output = _keep_where_masked(mask_t, output, prev)
                new_states = [_keep_where_masked(mask_t, new, old)
                              for new, old in zip(new_states, states)]
            outputs_list.append(output)
            states = new_states
        outputs = tf.stack(outputs_list)
        last_output = outputs_list[-1]
    else:
        if go_backwards:
            inputs = tf.reverse(inputs, [0])
            if mask is not None:
                mask = tf.reverse(mask, [0])
        time_steps = tf.shape(inputs)[0]
        # One call outside the loop gives the output's dtype and shape. Without a mask nothing uses its
        # value, so TensorFlow prunes it from the graph; with a mask it is the zeros kept before the
        # first unmasked step.
        first_output, _ = step_function(inputs[0], states + constants)
        input_ta = tf.TensorArray(inputs.dtype, size=time_steps).unstack(inputs)
        mask_ta = (tf.TensorArray(tf.bool, size=time_steps).unstack(mask)
                   if mask is not None else None)
        output_ta = tf.TensorArray(first_output.dtype, size=time_steps,
                                   element_shape=first_output.shape)
        carried = 1 if mask_ta is not None else 0  # the previous output, for masked steps only

        def body(time, output_ta_t, *loop_vars):
            prev_output, loop_states = loop_vars[:carried], loop_vars[carried:]
            output, new_states = step_function(input_ta.read(time),
                                               list(loop_states) + constants)
            new_states = list(new_states)
            if mask_ta is not None:
                mask_t = mask_ta.read(time)
                output = _keep_where_masked(mask_t, output, prev_output[0])
                new_states = [_keep_where_masked(mask_t, new, old)
                              for new, old in zip(new_states, loop_states)]
            for old, new in zip(loop_states, new_states):
                new.set_shape(old.shape)
            output_ta_t = output_ta_t.write(time, output)
            return (time + 1, output_ta_t) + (output,) * carried + tuple(new_states)

        initial_output = (tf.zeros_like(first_output),) * carried
        final = tf.while_loop(
            cond=lambda time, *_: time < time_steps, body=body,
            loop_vars=(tf.constant(0), output_ta) + initial_output + tuple(states),
            parallel_iterations=32, maximum_iterations=input_length)
        outputs = final[1].stack()
        # The loop's length is dynamic: keep the static number of time steps, when known.
        outputs.set_shape(tf.TensorShape([inputs.shape[0]]).concatenate(first_output.shape))
        last_output = final[2] if carried else outputs[-1]
        states = list(final[2 + carried:])
    outputs = tf.transpose(outputs, [1, 0] + list(range(2, ndim(outputs))))
    return last_output, outputs, states


# ----------------------------------------------------------------------------------- conditionals


def switch(condition, then_expression, else_expression):
    """Switches between two operations depending on a condition.

    A scalar condition selects one whole expression (the expressions may be callables, and only
    the chosen one is then computed). A tensor condition selects element-wise; when its rank is
    lower than the expressions' rank it applies along the leading axes.

    # Arguments
        condition: a scalar or a tensor (cast to bool).
        then_expression: a tensor, or a callable returning one; a number takes the dtype of the
            other expression (and broadcasts against it).
        else_expression: a tensor, or a callable returning one (or a number, likewise).

    # Returns
        The selected tensor.

    # Raises
        ValueError: if `condition` has a higher rank than the expressions.
    """
    condition = tf.cast(_t(condition), tf.bool)
    cond_ndim = ndim(condition)
    if not cond_ndim:
        if not (callable(then_expression) or callable(else_expression)):
            then_expression, else_expression = _same_dtype(then_expression, else_expression,
                                                           broadcast=True)
        then_fn = then_expression if callable(then_expression) else (lambda: then_expression)
        else_fn = else_expression if callable(else_expression) else (lambda: else_expression)
        return tf.cond(condition, then_fn, else_fn)
    if callable(then_expression):
        then_expression = then_expression()
    if callable(else_expression):
        else_expression = else_expression()
    then_expression, else_expression = _same_dtype(then_expression, else_expression)
    then_expression, else_expression = _t(then_expression), _t(else_expression)
    # A number on one side broadcasts: the other expression gives the rank.
    target = then_expression if ndim(then_expression) >= ndim(else_expression) else else_expression
    expr_ndim = ndim(target)
    if cond_ndim > expr_ndim:
        raise ValueError('Rank of `condition` should be less than or equal to rank of '
                         '`then_expression` and `else_expression`. ndim(condition)=%d, '
                         'ndim(then_expression)=%d' % (cond_ndim, expr_ndim))
    condition = _expand_mask(condition, target)
    return tf.where(condition, then_expression, else_expression)


def _is_number(x):
    return isinstance(x, (bool, int, float, np.bool_, np.number))


def _same_dtype(a, b, broadcast=False):
    """A number facing a tensor takes the tensor's dtype (`K.switch(c, x, 0)` on a float `x`), as
    TensorFlow converts the number in `x + 0`; with `broadcast`, also the tensor's shape (so both
    branches of a `tf.cond` have one shape)."""
    def like(number, tensor):
        tensor = _t(tensor)
        value = tf.convert_to_tensor(number, tensor.dtype.base_dtype)
        return tf.fill(tf.shape(tensor), value) if broadcast else value

    if _is_number(a) and not _is_number(b):
        return like(a, b), b
    if _is_number(b) and not _is_number(a):
        return a, like(b, a)
    return a, b


def _fixed_phase(training):
    """0 or 1 for a Python or numpy value; None for a tensor (decided at run time)."""
    if tf.is_tensor(training) or isinstance(training, tf.Variable):
        return None
    return int(bool(training))


def in_train_phase(x, alt, training=None):
    """Selects `x` in the training phase and `alt` otherwise.

    # Arguments
        x: what to return in the training phase (a tensor, or a callable returning one).
        alt: what to return otherwise (a tensor, or a callable returning one).
        training: `None` (use `learning_phase()`), a Python bool/int, or a scalar tensor.

    # Returns
        `x` or `alt` (called if callable), or a tensor selecting between them when `training`
        is a tensor.
    """
    if training is None:
        training = learning_phase()
    phase = _fixed_phase(training)
    if phase is None:
        return switch(training, x, alt)
    chosen = x if phase == 1 else alt
    return chosen() if callable(chosen) else chosen


def in_test_phase(x, alt, training=None):
    """Selects `x` in the test phase and `alt` otherwise.

    # Arguments
        x: what to return in the test phase (a tensor, or a callable returning one).
        alt: what to return otherwise (a tensor, or a callable returning one).
        training: `None` (use `learning_phase()`), a Python bool/int, or a scalar tensor.

    # Returns
        `x` or `alt` (called if callable), or a tensor selecting between them.
    """
    return in_train_phase(alt, x, training=training)


# ----------------------------------------------------------------------------------- gradients


def gradients(loss, variables):
    """Returns the gradients of `loss` with respect to `variables`.

    On symbolic tensors (a model's loss, `model.output`, ...) this records symbolic gradients, which
    `K.function` evaluates: with respect to weights, model inputs, placeholders or intermediate layer
    outputs. A variable or tensor that `loss` does not depend on gets a zero gradient.

    # Arguments
        loss: a scalar tensor to minimize.
        variables: a variable or tensor, or a list of them.

    # Returns
        A list of gradient tensors, one per entry of `variables`.

    # Raises
        RuntimeError: on concrete (eager) tensors, where TensorFlow 2 needs a `tf.GradientTape`.
    """
    if tf.executing_eagerly():
        raise RuntimeError('`K.gradients` needs symbolic tensors (e.g. `model.output`, then evaluate '
                           'the gradients with `K.function`) or a graph (a `tf.function`). On eager '
                           'tensors, record the computation with a `tf.GradientTape` and call '
                           '`tape.gradient(loss, variables)` instead.')
    variables = list(variables) if isinstance(variables, (list, tuple)) else [variables]
    return tf.gradients(loss, variables, unconnected_gradients=tf.UnconnectedGradients.ZERO)


def stop_gradient(variables):
    """Returns the tensor(s) with gradients blocked: they are treated as constants.

    # Arguments
        variables: a tensor or a list of tensors.

    # Returns
        A tensor or a list of tensors.
    """
    if isinstance(variables, (list, tuple)):
        return [tf.stop_gradient(v) for v in variables]
    return tf.stop_gradient(variables)


# ----------------------------------------------------------------------------------- loops


def map_fn(fn, elems, name=None, dtype=None):
    """Maps `fn` over the elements of `elems` (along the first axis) and stacks the results.

    # Arguments
        fn: a callable taking one element.
        elems: a tensor.
        name: an optional name.
        dtype: the output dtype, when it differs from the input's.

    # Returns
        A tensor.
    """
    return tf.map_fn(fn, elems, name=name, fn_output_signature=dtype)


def foldl(fn, elems, initializer=None, name=None):
    """Reduces `elems` with `fn` from left to right.

    # Arguments
        fn: a callable `fn(acc, x)`.
        elems: a tensor, iterated along its first axis.
        initializer: the first value of `acc` (`elems[0]` when None).
        name: an optional name.

    # Returns
        A tensor like `initializer`.
    """
    return tf.foldl(fn, elems, initializer=initializer, name=name)


def foldr(fn, elems, initializer=None, name=None):
    """Reduces `elems` with `fn` from right to left.

    # Arguments
        fn: a callable `fn(acc, x)`.
        elems: a tensor, iterated along its first axis.
        initializer: the first value of `acc` (`elems[-1]` when None).
        name: an optional name.

    # Returns
        A tensor like `initializer`.
    """
    return tf.foldr(fn, elems, initializer=initializer, name=name)


# ----------------------------------------------------------------------------------- CTC


def ctc_label_dense_to_sparse(labels, label_lengths):
    """Converts dense CTC labels to a sparse tensor, keeping `label_lengths[i]` labels of row `i`.

    # Arguments
        labels: an int tensor of shape `(samples, max_label_length)`.
        label_lengths: an int tensor of shape `(samples,)`.

    # Returns
        A `tf.SparseTensor` with the labels' dtype.
    """
    labels = _t(labels)
    lengths = tf.reshape(tf.cast(label_lengths, tf.int32), [-1])
    keep = tf.sequence_mask(lengths, maxlen=tf.shape(labels)[1])
    indices = tf.where(keep)
    values = tf.gather_nd(labels, indices)
    return tf.SparseTensor(indices, values, tf.cast(tf.shape(labels), tf.int64))


def ctc_batch_cost(y_true, y_pred, input_length, label_length):
    """Runs the CTC loss on each batch element.

    # Arguments
        y_true: `(samples, max_string_length)`: the ground-truth labels.
        y_pred: `(samples, time_steps, num_categories)`: softmax probabilities; the last
            category is the blank.
        input_length: `(samples, 1)`: the sequence length of each `y_pred` row.
        label_length: `(samples, 1)`: the length of each `y_true` row.

    # Returns
        A tensor of shape `(samples, 1)` with the CTC loss of each element.
    """
    label_length = tf.cast(tf.squeeze(label_length, axis=-1), tf.int32)
    input_length = tf.cast(tf.squeeze(input_length, axis=-1), tf.int32)
    sparse_labels = tf.cast(ctc_label_dense_to_sparse(y_true, label_length), tf.int32)
    y_pred = tf.math.log(tf.transpose(_t(y_pred), perm=[1, 0, 2]) + epsilon())
    loss = tf.compat.v1.nn.ctc_loss(labels=sparse_labels, inputs=y_pred,
                                    sequence_length=input_length)
    return tf.expand_dims(loss, 1)


def ctc_decode(y_pred, input_length, greedy=True, beam_width=100, top_paths=1):
    """Decodes the output of a softmax, with greedy or beam search.

    # Arguments
        y_pred: `(samples, time_steps, num_categories)`: softmax probabilities.
        input_length: `(samples,)`: the sequence length of each `y_pred` row.
        greedy: whether to use greedy (best path) decoding.
        beam_width: the beam width, when not greedy.
        top_paths: how many paths to return, when not greedy.

    # Returns
        A tuple `(decoded, log_prob)`: a list of `top_paths` dense int64 tensors of labels padded
        with -1, and a tensor of shape `(samples, top_paths)` with each path's log-probability.
    """
    y_pred = tf.math.log(tf.transpose(_t(y_pred), perm=[1, 0, 2]) + epsilon())
    input_length = tf.cast(input_length, tf.int32)
    if greedy:
        decoded, log_prob = tf.nn.ctc_greedy_decoder(inputs=y_pred, sequence_length=input_length)
    else:
        decoded, log_prob = tf.compat.v1.nn.ctc_beam_search_decoder(
            inputs=y_pred, sequence_length=input_length, beam_width=beam_width,
            top_paths=top_paths)
    dense = [tf.sparse.to_dense(st, default_value=-1) for st in decoded]
    return dense, log_prob


__all__ = ['rnn', 'switch', 'in_train_phase', 'in_test_phase', 'gradients', 'stop_gradient',
           'map_fn', 'foldl', 'foldr', 'ctc_label_dense_to_sparse', 'ctc_batch_cost',
           'ctc_decode']
