"""Recurrent cells (Keras 2.2): SimpleRNNCell, GRUCell, LSTMCell and StackedRNNCells.

A cell computes ONE time step: `output, new_states = cell.call(inputs, states)`, where `states` is a list
with one tensor per entry of `cell.state_size`. The `RNN` layer (in `recurrent.py`) runs a cell over the
time axis. Weights are stored as Keras 2.2 stores them: all gates concatenated along the last axis of
`kernel` (input_dim, gates*units), `recurrent_kernel` (units, gates*units) and `bias`.
"""
import inspect

import tensorflow as tf

from kernelkit import activations, constraints, initializers, regularizers
from kernelkit import backend as K
from kernelkit.engine.base_layer import Layer
from kernelkit.layers.arguments import serialize_arguments
from kernelkit.layers.core import _positive_int


def accepts_argument(function, name):
    """Tells whether `function` takes a keyword argument `name` (explicitly or through `**kwargs`).

    # Arguments
        function: a function or bound method.
        name: the argument name, e.g. `'training'` or `'constants'`.

    # Returns
        A boolean.
    """
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False
    return name in parameters


def state_sizes(cell):
    """The list of a cell's state sizes (`state_size` may be one integer or a list of them).

    # Arguments
        cell: an RNN cell.

    # Returns
        A list (one entry per state).
    """
    size = cell.state_size
    if isinstance(size, (list, tuple)):
        return list(size)
    return [size]


def _generate_dropout_mask(ones, rate, training=None, count=1):
    """Dropout masks for recurrent layers (Keras 2.2.4's helper, which custom cells import).

    # Arguments
        ones: a tensor of ones with the mask's shape.
        rate: the fraction of units to drop.
        training: the learning phase (default: `K.learning_phase()`).
        count: how many independent masks to draw.

    # Returns
        One mask (`count=1`) or a list of `count` masks: `K.dropout(ones, rate)` while training, `ones` else.
    """
    masks = [K.in_train_phase(lambda: K.dropout(ones, rate), ones, training=training) for _ in range(count)]
    return masks if count > 1 else masks[0]


def _clip_rate(value):
    return min(1., max(0., float(value)))


class _RecurrentCell(Layer):
    """Shared arguments, weight creation, configuration and dropout masks of the built-in cells.

    Dropout masks are drawn once per sequence (the first step that needs them) and reused at every time
    step, as in Keras 2; the `RNN` layer clears them after each sequence with `reset_dropout_masks()`.
    """

    _size_argument = 'units'  # the name of the first argument, in error messages

    def __init__(self, units, activation='tanh', recurrent_activation=None, use_bias=True,
                 kernel_initializer='glorot_uniform', recurrent_initializer='orthogonal',
                 bias_initializer='zeros', kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0., recurrent_dropout=0., **kwargs):
        super(_RecurrentCell, self).__init__(**kwargs)
        self.units = _positive_int(self.name, self._size_argument, units)
        self.activation = activations.get(activation)
        if recurrent_activation is not None:
            self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = _clip_rate(dropout)
        self.recurrent_dropout = _clip_rate(recurrent_dropout)
        self._loop_invariants = {}  # the dropout masks and what is computed from them, per sequence

    # --------------------------------------------------------------------------------- weights

    def _add_cell_weights(self, kernel_shape, recurrent_shape, bias_shape, bias_initializer=None):
        self.kernel = self.add_weight(name='kernel', shape=kernel_shape, initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(name='recurrent_kernel', shape=recurrent_shape,
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        if self.use_bias:
            self.bias = self.add_weight(name='bias', shape=bias_shape,
                                        initializer=bias_initializer or self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        else:
            self.bias = None

    def _input_dim(self, input_shape):
        if isinstance(input_shape, list):  # [step input shape] + constants shapes
            input_shape = input_shape[0]
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError('%s %s: the last dimension of the inputs must be known, got input shape %s.'
                             % (self.__class__.__name__, self.name, tuple(input_shape)))
        return int(input_dim)

    # --------------------------------------------------------------------------------- dropout

    def _masks(self, key, rate, like, training, count):
        """Returns `count` dropout masks shaped like `like` (drawn once per sequence), or None."""
        if not 0. < rate < 1.:
            return None

        def draw():
            masks = _generate_dropout_mask(tf.ones_like(like), rate, training=training, count=count)
            return masks if count > 1 else [masks]
        return self._loop_invariant(key, draw)

    def _input_masks(self, inputs, training, count=1):
        return self._masks('dropout_masks', self.dropout, inputs, training, count)

    def _recurrent_masks(self, state, training, count=1):
        return self._masks('recurrent_dropout_masks', self.recurrent_dropout, state, training, count)

    def reset_dropout_masks(self):
        """Forgets the dropout masks (and what was computed from them), so the next sequence draws new
        ones."""
        self._loop_invariants = {}

    def _loop_invariant(self, key, compute):
        """`compute()`, once per sequence: the dropout masks, and the per-gate kernels and stacked
        masks of `_gate_products`, are kept from the first step until `reset_dropout_masks`.

        The `RNN` layer runs its first step outside its loop (`K.rnn`), so what is kept is computed
        there once and the loop reads it, rather than recomputing it at every step: TensorFlow does not
        move loop-invariant work out of a `tf.while_loop` itself."""
        if key not in self._loop_invariants:
            self._loop_invariants[key] = compute()
        return self._loop_invariants[key]

    def _gate_products(self, x, kernel, count, masks, implementation, invariant=None):
        """`x . kernel` with each gate's dropout mask, the `count` gates side by side as in `kernel`.

        Implementation 1 multiplies gate by gate (a different dropout mask for each gate), in one batched
        product; implementation 2, and any product without masks, is one product (with the first mask).
        With `invariant` given (a product inside the loop), the per-gate kernels and the stacked masks
        are computed once per sequence (`_loop_invariant`): in imdb_lstm's loop, their transposes took
        a fifth of the train step.

        # Arguments
            x: one step `(samples, dim)` or a sequence `(samples, time, dim)`.
            kernel: `(dim, count * units)`.
            count: the number of gates.
            masks: None or `count` dropout masks `(samples, dim)`.
            implementation: 1 or 2.
            invariant: for one step's product inside the loop, the key under which its per-gate kernels
                and stacked masks are kept (one key per product of a step); None to compute them in place
                (the input side, computed once for the whole sequence anyway).

        # Returns
            A tensor `(samples, [time,] count * units)`.
        """
        if masks and K.ndim(x) == 3:
            masks = [tf.expand_dims(mask, 1) for mask in masks]  # the same mask at every time step
        if masks and implementation == 1:
            size = int(kernel.shape[-1]) // count

            def per_gate():
                slices = tf.transpose(tf.reshape(kernel, (-1, count, size)), (1, 0, 2))
                return slices, tf.stack(masks)

            slices, stacked_masks = self._loop_invariant(invariant, per_gate) if invariant else per_gate()
            if K.ndim(x) == 3:
                slices = tf.expand_dims(slices, 1)
            # (samples, dim) broadcast against (count, samples, dim): x times each gate's mask.
            return tf.concat(tf.unstack(tf.matmul(x * stacked_masks, slices)), axis=-1)
        return K.dot(x * masks[0] if masks else x, kernel)

    def _input_side(self, inputs, training, count, bias):
        """The input side of the `count` gates, `inputs . kernel + bias` with the input dropout masks.

        It depends on the inputs alone, so the `RNN` layer computes it for all the time steps of a
        sequence at once, in one large product before its loop, and the loop runs only the recurrent
        side (`_recurrent_side`). Its gradient is one product too, instead of one per step summed by the
        loop. `call` (one step) is the two halves one after the other, so both ways compute the same thing.

        # Arguments
            inputs: one step `(samples, input_dim)` or a sequence `(samples, time, input_dim)`.
            training: the learning phase for the dropout masks.
            count: the number of gates.
            bias: the input bias `(count * units,)`, or None.

        # Returns
            `(samples, [time,] count * units)`.
        """
        masks = self._input_masks(inputs[:, 0] if K.ndim(inputs) == 3 else inputs, training, count)
        implementation = 1 if getattr(self, 'implementation', 1) == 1 else 2
        projected = self._gate_products(inputs, self._step_weights()[0], count, masks, implementation)
        return K.bias_add(projected, bias) if bias is not None else projected

    def _step_weights(self):
        """`(kernel, recurrent_kernel, bias)` in the layout this cell computes with."""
        return self.kernel, self.recurrent_kernel, self.bias

    def call(self, inputs, states, training=None):
        return self._recurrent_side(self._project_inputs(inputs, training), states, training)

    # --------------------------------------------------------------------------------- config

    _config_keys = ('units', 'activation', 'use_bias', 'kernel_initializer', 'recurrent_initializer',
                    'bias_initializer', 'kernel_regularizer', 'recurrent_regularizer', 'bias_regularizer',
                    'kernel_constraint', 'recurrent_constraint', 'bias_constraint', 'dropout',
                    'recurrent_dropout')

    def _argument_config(self):
        """The cell's own arguments (no name/trainable), in Keras 2.2 order."""
        return serialize_arguments(self, self._config_keys)

    def get_config(self):
        base = super(_RecurrentCell, self).get_config()
        return dict(list(base.items()) + list(self._argument_config().items()))


class SimpleRNNCell(_RecurrentCell):
    """Cell class for SimpleRNN: `output = activation(x . kernel + h . recurrent_kernel + bias)`.

    # Arguments
        units: positive integer, dimensionality of the output space.
        activation: activation function (default `'tanh'`; `None`: linear).
        use_bias: whether the cell uses a bias vector.
        kernel_initializer: initializer of `kernel` (the input transformation).
        recurrent_initializer: initializer of `recurrent_kernel` (the state transformation).
        bias_initializer: initializer of the bias.
        kernel_regularizer: regularizer of `kernel`.
        recurrent_regularizer: regularizer of `recurrent_kernel`.
        bias_regularizer: regularizer of the bias.
        kernel_constraint: constraint on `kernel`.
        recurrent_constraint: constraint on `recurrent_kernel`.
        bias_constraint: constraint on the bias.
        dropout: float in [0, 1], fraction of the input units to drop (training only).
        recurrent_dropout: float in [0, 1], fraction of the recurrent state units to drop.

    # Raises
        ValueError: if `units` is not a positive integer.
    """

    def __init__(self, units, activation='tanh', use_bias=True, kernel_initializer='glorot_uniform',
                 recurrent_initializer='orthogonal', bias_initializer='zeros', kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0., recurrent_dropout=0., **kwargs):
        super(SimpleRNNCell, self).__init__(
            units, activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, **kwargs)
        self.state_size = self.units
        self.output_size = self.units

    def build(self, input_shape):
        input_dim = self._input_dim(input_shape)
        self._add_cell_weights((input_dim, self.units), (self.units, self.units), (self.units,))
        self.built = True

    def _project_inputs(self, inputs, training):
        """`inputs . kernel + bias` (see `_RecurrentCell._input_side`)."""
        return self._input_side(inputs, training, 1, self.bias)

    def _recurrent_side(self, projected, states, training):
        """One step from its projected input `(samples, units)`."""
        h = projected
        previous = states[0]
        recurrent_masks = self._recurrent_masks(previous, training)
        if recurrent_masks:
            previous = previous * recurrent_masks[0]
        output = h + K.dot(previous, self.recurrent_kernel)
        if self.activation is not None:
            output = self.activation(output)
        return output, [output]


class GRUCell(_RecurrentCell):
    """Cell class for the GRU layer (gates z, r, h, in that order in the weights).

    With `reset_after=False` (the Keras 2.2 default), the reset gate multiplies the previous state
    before the recurrent product; with `reset_after=True` (the CuDNN-compatible variant) it multiplies
    the product, and the bias holds separate input and recurrent biases, shape `(2, 3 * units)`.

    # Arguments
        units: positive integer, dimensionality of the output space.
        activation: activation function (default `'tanh'`).
        recurrent_activation: activation of the update and reset gates (default `'hard_sigmoid'`).
        use_bias: whether the cell uses a bias vector.
        kernel_initializer: initializer of `kernel`, shape `(input_dim, 3 * units)`.
        recurrent_initializer: initializer of `recurrent_kernel`, shape `(units, 3 * units)`.
        bias_initializer: initializer of the bias.
        kernel_regularizer: regularizer of `kernel`.
        recurrent_regularizer: regularizer of `recurrent_kernel`.
        bias_regularizer: regularizer of the bias.
        kernel_constraint: constraint on `kernel`.
        recurrent_constraint: constraint on `recurrent_kernel`.
        bias_constraint: constraint on the bias.
        dropout: float in [0, 1], fraction of the input units to drop (training only).
        recurrent_dropout: float in [0, 1], fraction of the recurrent state units to drop.
        implementation: 1 (one product per gate) or 2 (fewer, larger products); same result.
        reset_after: whether the reset gate is applied after the recurrent product.

    # Raises
        ValueError: if `units` is not a positive integer.
    """

    _config_keys = ('units', 'activation', 'recurrent_activation', 'use_bias', 'kernel_initializer',
                    'recurrent_initializer', 'bias_initializer', 'kernel_regularizer', 'recurrent_regularizer',
                    'bias_regularizer', 'kernel_constraint', 'recurrent_constraint', 'bias_constraint',
                    'dropout', 'recurrent_dropout', 'implementation', 'reset_after')

    def __init__(self, units, activation='tanh', recurrent_activation='hard_sigmoid', use_bias=True,
                 kernel_initializer='glorot_uniform', recurrent_initializer='orthogonal',
                 bias_initializer='zeros', kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0., recurrent_dropout=0., implementation=1, reset_after=False,
                 **kwargs):
        super(GRUCell, self).__init__(
            units, activation=activation, recurrent_activation=recurrent_activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout, recurrent_dropout=recurrent_dropout, **kwargs)
        self.implementation = implementation
        self.reset_after = reset_after
        self.state_size = self.units
        self.output_size = self.units

    def build(self, input_shape):
        input_dim = self._input_dim(input_shape)
        units = self.units
        bias_shape = (2, 3 * units) if self.reset_after else (3 * units,)
        self._add_cell_weights((input_dim, 3 * units), (units, 3 * units), bias_shape)
        self.built = True

    def _biases(self):
        """`(input_bias, recurrent_bias)`: with `reset_after` the bias holds both (rows 0 and 1)."""
        bias = self._step_weights()[2]
        if bias is None:
            return None, None
        if self.reset_after:
            return bias[0], bias[1]
        return bias, None

    def _project_inputs(self, inputs, training):
        """The input side of the z, r and h gates (see `_RecurrentCell._input_side`)."""
        return self._input_side(inputs, training, 3, self._biases()[0])

    def _recurrent_side(self, projected, states, training):
        """One step from the projected inputs of its three gates, `(samples, 3 * units)`."""
        h_tm1 = states[0]
        units = self.units
        _, recurrent_kernel, _ = self._step_weights()
        recurrent_bias = self._biases()[1]
        implementation = 1 if self.implementation == 1 else 2  # Keras 2.2: anything but 1 is mode 2
        recurrent_masks = self._recurrent_masks(h_tm1, training, 3)
        x_zr, x_h = tf.split(projected, [2 * units, units], axis=-1)
        if self.reset_after:
            recurrent = self._gate_products(h_tm1, recurrent_kernel, 3, recurrent_masks, implementation,
                                             invariant='recurrent')
            if recurrent_bias is not None:
                recurrent = K.bias_add(recurrent, recurrent_bias)
            rec_zr, rec_h = tf.split(recurrent, [2 * units, units], axis=-1)
        else:
            rec_zr = self._gate_products(h_tm1, recurrent_kernel[:, :2 * units], 2,
                                         recurrent_masks[:2] if recurrent_masks else None, implementation,
                                         invariant='recurrent_zr')
        z, r = tf.split(self.recurrent_activation(x_zr + rec_zr), 2, axis=-1)  # both gates in one op
        if self.reset_after:
            recurrent_h = r * rec_h
        else:
            h_for_candidate = h_tm1
            if recurrent_masks:
                h_for_candidate = h_tm1 * recurrent_masks[2 if implementation == 1 else 0]
            recurrent_h = K.dot(r * h_for_candidate, recurrent_kernel[:, 2 * units:])
        candidate = self.activation(x_h + recurrent_h)
        if implementation == 2 and recurrent_masks:
            # Keras 2.2 quirk, kept for fidelity: implementation 2 mixes the update gate with the
            # dropped-out previous state (implementation 1 uses the intact one).
            h_tm1 = h_tm1 * recurrent_masks[0]
        h = z * h_tm1 + (1. - z) * candidate
        return h, [h]


class LSTMCell(_RecurrentCell):
    """Cell class for the LSTM layer (gates i, f, c, o, in that order in the weights).

    # Arguments
        units: positive integer, dimensionality of the output space.
        activation: activation of the cell candidate and the output (default `'tanh'`).
        recurrent_activation: activation of the input, forget and output gates (default `'hard_sigmoid'`).
        use_bias: whether the cell uses a bias vector.
        kernel_initializer: initializer of `kernel`, shape `(input_dim, 4 * units)`.
        recurrent_initializer: initializer of `recurrent_kernel`, shape `(units, 4 * units)`.
        bias_initializer: initializer of the bias, shape `(4 * units,)`.
        unit_forget_bias: if True, the forget-gate part of the bias starts at 1 (and `bias_initializer`
            is used for the rest), as recommended by Jozefowicz et al.
        kernel_regularizer: regularizer of `kernel`.
        recurrent_regularizer: regularizer of `recurrent_kernel`.
        bias_regularizer: regularizer of the bias.
        kernel_constraint: constraint on `kernel`.
        recurrent_constraint: constraint on `recurrent_kernel`.
        bias_constraint: constraint on the bias.
        dropout: float in [0, 1], fraction of the input units to drop (training only).
        recurrent_dropout: float in [0, 1], fraction of the recurrent state units to drop.
        implementation: 1 (one product per gate) or 2 (fewer, larger products); same result.

    # Raises
        ValueError: if `units` is not a positive integer.
    """

    _config_keys = ('units', 'activation', 'recurrent_activation', 'use_bias', 'kernel_initializer',
                    'recurrent_initializer', 'bias_initializer', 'unit_forget_bias', 'kernel_regularizer',
                    'recurrent_regularizer', 'bias_regularizer', 'kernel_constraint', 'recurrent_constraint',
                    'bias_constraint', 'dropout', 'recurrent_dropout', 'implementation')

    def __init__(self, units, activation='tanh', recurrent_activation='hard_sigmoid', use_bias=True,
                 kernel_initializer='glorot_uniform', recurrent_initializer='orthogonal',
                 bias_initializer='zeros', unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0., recurrent_dropout=0.,
                 implementation=1, **kwargs):
        super(LSTMCell, self).__init__(
            units, activation=activation, recurrent_activation=recurrent_activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout, recurrent_dropout=recurrent_dropout, **kwargs)
        self.unit_forget_bias = unit_forget_bias
        self.implementation = implementation
        self.state_size = (self.units, self.units)
        self.output_size = self.units

    def build(self, input_shape):
        input_dim = self._input_dim(input_shape)
        units = self.units
        self._add_cell_weights((input_dim, 4 * units), (units, 4 * units), (4 * units,),
                               bias_initializer=unit_forget_bias_initializer(self))
        self.built = True

    def _project_inputs(self, inputs, training):
        """The input side of the i, f, c and o gates (see `_RecurrentCell._input_side`)."""
        return self._input_side(inputs, training, 4, self._step_weights()[2])

    def _recurrent_side(self, projected, states, training):
        """One step from the projected inputs of its four gates, `(samples, 4 * units)`."""
        h_tm1, c_tm1 = states[0], states[1]
        recurrent_kernel = self._step_weights()[1]
        implementation = 1 if self.implementation == 1 else 2
        recurrent_masks = self._recurrent_masks(h_tm1, training, 4)
        gates = projected + self._gate_products(h_tm1, recurrent_kernel, 4, recurrent_masks, implementation,
                                                invariant='recurrent')
        return lstm_step(gates, c_tm1, self.activation, self.recurrent_activation)


def lstm_step(gates, c_tm1, activation, recurrent_activation):
    """The LSTM update from the four gate pre-activations (i, f, c, o).

    The gate activation runs once over all four blocks (the candidate's block is not used) rather than
    three times: fewer, larger ops in the loop, the same numbers.

    # Arguments
        gates: the pre-activations of the input, forget, candidate and output gates, side by side on the
            last axis.
        c_tm1: the previous cell state.
        activation: the candidate/output activation.
        recurrent_activation: the gate activation.

    # Returns
        `(h, [h, c])`.
    """
    i, f, _, o = tf.split(recurrent_activation(gates), 4, axis=-1)
    c = f * c_tm1 + i * activation(tf.split(gates, 4, axis=-1)[2])
    h = o * activation(c)
    return h, [h, c]


def unit_forget_bias_initializer(cell):
    """The bias initializer of an LSTM-like cell: `bias_initializer`, with the forget-gate block set to
    ones when `cell.unit_forget_bias` (the bias has 4 equal blocks i, f, c, o).

    # Arguments
        cell: a cell with `bias_initializer` and `unit_forget_bias`.

    # Returns
        An initializer.
    """
    if not cell.unit_forget_bias:
        return cell.bias_initializer
    base = cell.bias_initializer

    def initializer(shape, dtype=None):
        size = int(shape[0]) // 4
        return tf.concat([base((size,), dtype=dtype), tf.ones((size,), dtype=dtype or K.floatx()),
                          base((size * 2,), dtype=dtype)], axis=0)
    return initializer


class StackedRNNCells(Layer):
    """Wraps a list of RNN cells so that they behave as a single cell (a deep RNN in one `RNN` layer).

    Each cell's output is the next cell's input. The states are one flat list, in REVERSE order of the
    stack (Keras 2.2 convention, so `state_size[0]` is the last cell's output size): for two LSTM cells,
    `[h2, c2, h1, c1]`.

    # Arguments
        cells: list of RNN cell instances.

    # Raises
        ValueError: if a cell has no `call` method or no `state_size` attribute.

    # Example
    ```python
    cells = [LSTMCell(32), LSTMCell(64)]
    x = Input((None, 5))
    y = RNN(StackedRNNCells(cells))(x)
    ```
    """

    def __init__(self, cells, **kwargs):
        for cell in cells:
            if not hasattr(cell, 'call'):
                raise ValueError('StackedRNNCells: all cells must have a `call` method, received cell %r.'
                                 % (cell,))
            if not hasattr(cell, 'state_size'):
                raise ValueError('StackedRNNCells: all cells must have a `state_size` attribute (one integer '
                                 'per state), received cell %r.' % (cell,))
        super(StackedRNNCells, self).__init__(**kwargs)
        self.cells = list(cells)

    @property
    def state_size(self):
        sizes = []
        for cell in self.cells[::-1]:
            sizes += state_sizes(cell)
        return tuple(sizes)

    @property
    def output_size(self):
        last = self.cells[-1]
        return getattr(last, 'output_size', state_sizes(last)[0])

    def _split_states(self, states):
        """The flat (reversed) state list as one list per cell, in stack order."""
        states = list(states)
        nested = []
        for cell in self.cells[::-1]:
            count = len(state_sizes(cell))
            nested.append(states[:count])
            states = states[count:]
        return nested[::-1]

    def call(self, inputs, states, constants=None, training=None):
        new_nested = []
        for cell, cell_states in zip(self.cells, self._split_states(states)):
            kwargs = {}
            if accepts_argument(cell.call, 'training'):
                kwargs['training'] = training
            if constants is not None and accepts_argument(cell.call, 'constants'):
                kwargs['constants'] = constants
            inputs, cell_states = cell.call(inputs, cell_states, **kwargs)
            new_nested.append(list(cell_states) if isinstance(cell_states, (list, tuple)) else [cell_states])
        flat = []
        for cell_states in new_nested[::-1]:
            flat += cell_states
        return inputs, flat

    def build(self, input_shape):
        constants_shape = None
        if isinstance(input_shape, list):
            input_shape, constants_shape = input_shape[0], input_shape[1:]
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                if constants_shape is not None and accepts_argument(cell.call, 'constants'):
                    cell.build([input_shape] + constants_shape)
                else:
                    cell.build(input_shape)
                cell.built = True
            output_dim = getattr(cell, 'output_size', state_sizes(cell)[0])
            input_shape = (input_shape[0],) + tuple(output_dim if isinstance(output_dim, (list, tuple))
                                                    else (output_dim,))
        self.built = True

    def reset_dropout_masks(self):
        """Forgets the dropout masks of every cell."""
        for cell in self.cells:
            if hasattr(cell, 'reset_dropout_masks'):
                cell.reset_dropout_masks()

    def get_config(self):
        cells = [{'class_name': cell.__class__.__name__, 'config': cell.get_config()} for cell in self.cells]
        config = super(StackedRNNCells, self).get_config()
        config['cells'] = cells
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from kernelkit.layers import deserialize
        config = dict(config)
        cells = [deserialize(cell, custom_objects=custom_objects) for cell in config.pop('cells')]
        return cls(cells, **config)


__all__ = ['SimpleRNNCell', 'GRUCell', 'LSTMCell', 'StackedRNNCells']
