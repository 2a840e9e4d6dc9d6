"""Recurrent layers (Keras 2.2): the generic `RNN` layer and SimpleRNN, GRU and LSTM.

`RNN(cell)` runs a cell (see `recurrent_cells.py`) over the time axis with `K.rnn`. It handles everything
that is not the step itself: return_sequences/return_state, go_backwards, unroll, masking, stateful
states, initial states and constants (as call arguments, symbolic or not), and dropout masks that stay
fixed across the time steps of a sequence. SimpleRNN, GRU and LSTM are `RNN`s over their cell, with the
cell's arguments flattened into the layer (and into its config), as in Keras 2.2.
"""
import warnings

import numpy as np
import tensorflow as tf

from kernelkit import backend as K
from kernelkit import regularizers
from kernelkit.engine.base_layer import Layer, _is_shape_list
from kernelkit.engine.input_spec import InputSpec
from kernelkit.backend.symbolic import is_symbolic
from kernelkit.layers.core import _positive_int
from kernelkit.layers.recurrent_cells import _generate_dropout_mask  # noqa: F401 (Keras 2.2.4 path)
from kernelkit.layers.recurrent_cells import (GRUCell, LSTMCell, SimpleRNNCell, StackedRNNCells, _RecurrentCell,
                                              accepts_argument, state_sizes)
from kernelkit.utils.generic_utils import to_list

_STATEFUL_BATCH_HELP = (
    'If a RNN is stateful, it needs to know its batch size. Specify the batch size of your input tensors:\n'
    '- If using a Sequential model, specify the batch size by passing a `batch_input_shape` argument to '
    'your first layer.\n'
    '- If using the functional API, specify the batch size by passing a `batch_shape` argument to your '
    'Input layer.')

_UNROLL_HELP = (
    'Cannot unroll a RNN if the time dimension is undefined.\n'
    '- If using a Sequential model, specify the time dimension by passing an `input_shape` or '
    '`batch_input_shape` argument to your first layer. If your first layer is an Embedding, you can also '
    'use the `input_length` argument.\n'
    '- If using the functional API, specify the time dimension by passing a `shape` or `batch_shape` '
    'argument to your Input layer.')

# Keys that tf_keras writes into recurrent configs but Keras 2.2 does not know.
_FOREIGN_KEYS = ('time_major', 'zero_output_for_mask')


def _standardize_args(inputs, initial_state, constants, num_constants):
    """Splits an RNN's call arguments into `(inputs, initial_state, constants)` (Keras 2.2.4's helper).

    A list `inputs` is `[x] + initial_states + constants` (the last `num_constants` entries are constants);
    `initial_state` and `constants` must then be `None`.

    # Arguments
        inputs: a tensor, or the list described above.
        initial_state: `None`, a tensor, or a list of tensors.
        constants: `None`, a tensor, or a list of tensors.
        num_constants: how many trailing entries of a list `inputs` are constants (`None` or 0: none).

    # Returns
        `(inputs, initial_state, constants)`; the last two are lists or `None`.

    # Raises
        ValueError: if `inputs` is a list and `initial_state` or `constants` is given too.
    """
    if isinstance(inputs, list):
        if initial_state is not None or constants is not None:
            raise ValueError('An RNN given a list of inputs takes its initial states and constants from that '
                             'list; do not pass `initial_state` or `constants` as well.')
        if num_constants:
            constants = inputs[len(inputs) - num_constants:]
            inputs = inputs[:len(inputs) - num_constants]
        if len(inputs) > 1:
            initial_state = inputs[1:]
        inputs = inputs[0]

    def to_list_or_none(x):
        if x is None or isinstance(x, list):
            return x
        return list(x) if isinstance(x, tuple) else [x]
    return inputs, to_list_or_none(initial_state), to_list_or_none(constants)


def _dims(size):
    """A state/output size (an int or a shape) as a tuple of dimensions."""
    if isinstance(size, tf.TensorShape):
        return tuple(size.as_list())
    if isinstance(size, (list, tuple)):
        return tuple(size)
    return (size,)


def _static_shape(value):
    shape = getattr(value, 'shape', None)
    return tuple(tf.TensorShape(shape if shape is not None else np.shape(value)).as_list())


def _all_cells(cell):
    cells = [cell]
    for inner in getattr(cell, 'cells', None) or []:
        cells += _all_cells(inner)
    return cells


def _drop_foreign_keys(config, class_name):
    if config.pop('time_major', False):
        raise ValueError('%s: `time_major=True` (a tf.keras option) is not supported; Keras 2 recurrent '
                         'layers take inputs of shape (batch, timesteps, ...).' % class_name)
    for key in _FOREIGN_KEYS:
        config.pop(key, None)
    return config


class RNN(Layer):
    """Base class for recurrent layers: runs an RNN cell over the time axis of its input.

    # Arguments
        cell: an RNN cell instance, i.e. an object (usually a `Layer`) with
            - a `call(input_at_t, states_at_t)` method returning `(output_at_t, states_at_t_plus_1)`;
              it may also accept `training` and `constants` keyword arguments;
            - a `state_size` attribute: one integer (a single state) or a list/tuple of integers (one per
              state); the first entry must be the output size unless the cell has an `output_size`.
            A list of cells is wrapped in a `StackedRNNCells`.
        return_sequences: whether to return the output of every time step or only the last one.
        return_state: whether to return the last states as well (outputs list: output, then states).
        go_backwards: whether to process the sequence backwards (and return the reversed sequence).
        stateful: whether the last states of a batch are the initial states of the next batch (sample
            `i` of one batch continues sample `i` of the previous one). Needs a known batch size.
        unroll: whether to unroll the loop in Python (faster for short sequences, more memory); needs a
            known number of time steps.
        input_dim: (deprecated) the size of the features; use `input_shape`.
        input_length: (deprecated) the number of time steps; use `input_shape`.

    # Call arguments
        inputs: 3D tensor `(batch, timesteps, features)`.
        mask: boolean tensor `(batch, timesteps)`: a masked step keeps the previous output and states.
        training: whether dropout is active.
        initial_state: list of tensors, the initial states (symbolic or not).
        constants: list of tensors passed to the cell's `call` at every step (`constants=` argument).

    # Input shape
        3D tensor `(batch_size, timesteps, input_dim)`.

    # Output shape
        - with `return_state`: a list `[output] + states`, each state `(batch_size, units)`;
        - with `return_sequences`: `(batch_size, timesteps, units)`;
        - else `(batch_size, units)`.

    # Masking
        Supports masking (e.g. from `Embedding(mask_zero=True)` or `Masking`); the output mask is the
        input mask when `return_sequences`, else None.

    # Statefulness
        Use `stateful=True` with a fixed batch size (`batch_input_shape=(...)` on the first layer of a
        `Sequential`, or `Input(batch_shape=(...))`), `shuffle=False` in `fit`, and `reset_states()` to
        clear the states.

    # Raises
        ValueError: for a cell without `call` or `state_size`, an input that is not 3D, a stateful layer
            without a known batch size, initial states of the wrong count or shape, or unrolling without
            a known number of time steps.

    # Example
    ```python
    class MinimalRNNCell(Layer):
        def __init__(self, units, **kwargs):
            self.units = units
            self.state_size = units
            super(MinimalRNNCell, self).__init__(**kwargs)

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name='kernel')
            self.recurrent_kernel = self.add_weight(shape=(self.units, self.units), name='recurrent_kernel')
            self.built = True

        def call(self, inputs, states):
            output = K.dot(inputs, self.kernel) + K.dot(states[0], self.recurrent_kernel)
            return output, [output]

    y = RNN(MinimalRNNCell(32))(Input((None, 5)))
    ```
    """

    _input_rank = 3

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 unroll=False, **kwargs):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if not hasattr(cell, 'call'):
            raise ValueError('%s: `cell` should have a `call` method. The RNN was passed: %r'
                             % (self.__class__.__name__, cell))
        if not hasattr(cell, 'state_size'):
            raise ValueError('%s: the RNN cell should have an attribute `state_size` (tuple of integers, one '
                             'integer per RNN state). The RNN was passed: %r' % (self.__class__.__name__, cell))
        if 'input_shape' not in kwargs and ('input_dim' in kwargs or 'input_length' in kwargs):
            kwargs['input_shape'] = (kwargs.pop('input_length', None), kwargs.pop('input_dim', None))
        super(RNN, self).__init__(**kwargs)
        self.cell = cell
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.unroll = unroll
        self.supports_masking = True
        self.input_spec = [InputSpec(ndim=self._input_rank)]
        self.state_spec = None
        self.constants_spec = None
        self._states = None
        self._num_constants = None
        self._built_input_shape = None

    # ------------------------------------------------------------------------------------------ states

    @property
    def states(self):
        """The state variables of a stateful layer (a list of `None` before they exist)."""
        if self._states is None:
            return [None] * len(state_sizes(self.cell))
        return self._states

    @states.setter
    def states(self, states):
        self._states = states

    def _step_output_shape(self, input_shape):
        """The shape of one step's output `(batch, ...)` for a sequence of shape `input_shape`."""
        output_size = getattr(self.cell, 'output_size', None)
        if output_size is None:
            output_size = state_sizes(self.cell)[0]
        return (input_shape[0],) + _dims(output_size)

    def _state_shapes(self, input_shape):
        """The shapes `(batch, ...)` of the states for a sequence of shape `input_shape`."""
        return [(input_shape[0],) + _dims(size) for size in state_sizes(self.cell)]

    def get_initial_state(self, inputs):
        """Returns the default initial states: zeros, one tensor per state of the cell.

        # Arguments
            inputs: the input sequence tensor.

        # Returns
            A list of tensors.
        """
        batch = tf.shape(inputs)[0]
        states = []
        for shape in self._state_shapes(K.int_shape(inputs)):
            state = tf.zeros(tf.stack([batch] + [int(d) for d in shape[1:]]), dtype=inputs.dtype)
            state.set_shape((None,) + tuple(shape[1:]))
            states.append(state)
        return states

    def reset_states(self, states=None):
        """Resets the states of a stateful layer, to zeros or to the given values.

        # Arguments
            states: `None` (zeros), or a numpy array / list of numpy arrays, one per state, each of shape
                `(batch_size, ...)`.

        # Raises
            AttributeError: if the layer is not stateful.
            ValueError: if the layer is not built, its batch size is unknown, or the values do not match.
        """
        if not self.stateful:
            raise AttributeError('Layer %s must be stateful (`stateful=True`) to reset its states.' % self.name)
        if self._built_input_shape is None:
            raise ValueError('Layer %s is not built yet: call it on an input (or use it in a model) before '
                             '`reset_states`.' % self.name)
        shapes = self._state_shapes(self._built_input_shape)
        if shapes[0][0] is None:
            raise ValueError('Layer %s: %s' % (self.name, _STATEFUL_BATCH_HELP))
        if any(d is None for shape in shapes for d in shape):
            raise ValueError('Layer %s: stateful states need a fully known shape, got %s (give the input a '
                             'fully defined shape).' % (self.name, shapes))
        if self._states is None:
            with tf.init_scope():
                self._states = [tf.Variable(tf.zeros(shape, dtype=self.dtype), trainable=False,
                                            name='%s/state_%d' % (self.name, index))
                                for index, shape in enumerate(shapes)]
        if states is None:
            for variable, shape in zip(self._states, shapes):
                variable.assign(tf.zeros(shape, dtype=variable.dtype))
            return
        values = states if isinstance(states, (list, tuple)) else [states]
        if len(values) != len(self._states):
            raise ValueError('Layer %s expects %d states, but it received %d state values. Input received: %s'
                             % (self.name, len(self._states), len(values), states))
        arrays = []
        for index, (value, shape) in enumerate(zip(values, shapes)):
            value = np.asarray(K.eval(value) if tf.is_tensor(value) else value)
            if value.shape != tuple(shape):
                raise ValueError('State %d is incompatible with layer %s: expected shape=%s, found shape=%s'
                                 % (index, self.name, tuple(shape), value.shape))
            arrays.append(value)
        for variable, value in zip(self._states, arrays):
            variable.assign(value.astype(variable.dtype.as_numpy_dtype))

    # ------------------------------------------------------------------------------------------ building

    def _split_list_input(self, inputs):
        """`[x] + initial_states + constants` -> `(x, initial_states or None, constants or None)`."""
        return _standardize_args(list(inputs), None, None, self._num_constants)

    def build(self, input_shape):
        constants_shapes = None
        if _is_shape_list(input_shape):
            shapes = [tuple(s) for s in input_shape]
            if self._num_constants:
                constants_shapes = shapes[len(shapes) - self._num_constants:]
            input_shape = shapes[0]
        input_shape = tuple(input_shape)
        if len(input_shape) != self._input_rank:
            raise ValueError('Layer %s expects inputs of rank %d (batch, timesteps, ...), but got input shape '
                             '%s.' % (self.name, self._input_rank, input_shape))
        batch_size = input_shape[0] if self.stateful else None
        if self.stateful and batch_size is None:
            raise ValueError('Layer %s: %s' % (self.name, _STATEFUL_BATCH_HELP))
        spec = InputSpec(shape=(batch_size, None) + input_shape[2:])
        self.input_spec = [spec] + list(to_list(self.input_spec)[1:])
        self._built_input_shape = (batch_size,) + input_shape[1:]
        if isinstance(self.cell, Layer) and not self.cell.built:
            step_shape = (input_shape[0],) + input_shape[2:]
            self._build_cell([step_shape] + constants_shapes if constants_shapes else step_shape)
        self.state_spec = [InputSpec(shape=(None,) + shape[1:]) for shape in self._state_shapes(input_shape)]
        self.built = True
        if self.stateful:
            self.reset_states()

    def _build_cell(self, step_shape):
        """Builds the cell. A single cell's weights are named after this layer (`lstm_1/kernel`), as in
        Keras 2.2; the cells of a `StackedRNNCells` keep their own names (they must stay distinct)."""
        cell = self.cell
        rename = not isinstance(cell, StackedRNNCells)
        original_name = cell.name
        if rename:
            cell.name = self.name
        try:
            cell.build(step_shape)
        finally:
            cell.name = original_name
        cell.built = True

    def compute_output_shape(self, input_shape):
        if _is_shape_list(input_shape):
            input_shape = input_shape[0]
        input_shape = tuple(input_shape)
        step = self._step_output_shape(input_shape)
        output_shape = (step[0], input_shape[1]) + step[1:] if self.return_sequences else step
        if self.return_state:
            return [output_shape] + self._state_shapes(input_shape)
        return output_shape

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * len(state_sizes(self.cell))
        return output_mask

    # ------------------------------------------------------------------------------------------ calling

    def __call__(self, inputs, initial_state=None, constants=None, **kwargs):
        if isinstance(inputs, (list, tuple)):
            if initial_state is not None or constants is not None:
                raise ValueError('Layer %s: pass the initial states and constants either in the inputs list '
                                 'or as the `initial_state`/`constants` arguments, not both.' % self.name)
            if len(inputs) == 1:
                inputs = inputs[0]
            else:
                inputs, initial_state, constants = self._split_list_input(inputs)
        if initial_state is not None:
            initial_state = to_list(initial_state)
        if constants is not None:
            constants = to_list(constants)
            self._num_constants = len(constants)
        if initial_state is None and constants is None:
            return super(RNN, self).__call__(inputs, **kwargs)
        extras = (initial_state or []) + (constants or [])
        symbolic = [is_symbolic(t) for t in extras]
        if any(symbolic) and not (all(symbolic) and is_symbolic(inputs)):
            raise ValueError('Layer %s: the initial state or constants of an RNN layer cannot be specified with '
                             'a mix of Keras tensors and non-Keras tensors (a "Keras tensor" is a tensor that '
                             'was returned by a Keras layer, or by `Input`).' % self.name)
        if all(symbolic):
            self.input_spec = to_list(self.input_spec)[:1] + [None] * len(extras)
            try:
                return super(RNN, self).__call__([inputs] + extras, **kwargs)
            finally:
                self.input_spec = to_list(self.input_spec)[:1]
        if initial_state is not None:
            kwargs['initial_state'] = [self._as_tensor(s) for s in initial_state]
        if constants is not None:
            kwargs['constants'] = [self._as_tensor(c) for c in constants]
            if not self.built:  # the cell may need the constants' shapes to build
                self._build_once([_static_shape(inputs)] + [_static_shape(t) for t in extras])
        return super(RNN, self).__call__(inputs, **kwargs)

    def _as_tensor(self, value):
        if tf.is_tensor(value) or isinstance(value, tf.Variable):
            return value
        array = np.asarray(value)
        return tf.convert_to_tensor(array, dtype=self.dtype if array.dtype.kind == 'f' else None)

    def _check_initial_state(self, initial_state, inputs):
        states = [tf.convert_to_tensor(s) for s in to_list(initial_state)]
        expected = self._state_shapes(K.int_shape(inputs))
        if len(states) != len(expected):
            raise ValueError('Layer %s has %d states but was passed %d initial states (the cell\'s state_size '
                             'is %s).' % (self.name, len(expected), len(states), self.cell.state_size))
        for index, (state, shape) in enumerate(zip(states, expected)):
            actual = tuple(state.shape.as_list()) if state.shape.rank is not None else None
            compatible = actual is not None and len(actual) == len(shape) and all(
                a is None or e is None or a == e for a, e in zip(actual, shape))
            if not compatible:
                raise ValueError('Layer %s: initial state %d has shape %s, but the layer expects a state of '
                                 'shape %s (the cell\'s state_size is %s).'
                                 % (self.name, index, actual, tuple(shape), self.cell.state_size))
        return [tf.cast(s, inputs.dtype) if s.dtype != inputs.dtype else s for s in states]

    def _reset_dropout_masks(self):
        for cell in _all_cells(self.cell):
            if hasattr(cell, 'reset_dropout_masks'):
                cell.reset_dropout_masks()

    def _uses_dropout(self):
        return any(0. < getattr(cell, 'dropout', 0.) < 1. or 0. < getattr(cell, 'recurrent_dropout', 0.) < 1.
                   for cell in _all_cells(self.cell))

    def call(self, inputs, mask=None, training=None, initial_state=None, constants=None):
        if isinstance(inputs, (list, tuple)):
            inputs, list_state, list_constants = self._split_list_input(inputs)
            initial_state = list_state if list_state is not None else initial_state
            constants = list_constants if list_constants is not None else constants
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        timesteps = K.int_shape(inputs)[1]
        if self.unroll and timesteps is None:
            raise ValueError('Layer %s: %s' % (self.name, _UNROLL_HELP))
        if initial_state is not None:
            initial_state = self._check_initial_state(initial_state, inputs)
        elif self.stateful:
            initial_state = [tf.identity(state) for state in self.states]
        else:
            initial_state = self.get_initial_state(inputs)
        constants = list(constants or [])
        if constants and not accepts_argument(self.cell.call, 'constants'):
            raise ValueError('Layer %s: the RNN cell %r does not support constants (its `call` has no '
                             '`constants` argument).' % (self.name, self.cell))
        cell_kwargs = {'training': training} if accepts_argument(self.cell.call, 'training') else {}
        num_states = len(initial_state)

        def step(step_inputs, states):
            cell_states, cell_constants = list(states[:num_states]), list(states[num_states:])
            if cell_constants:
                output, new_states = self.cell.call(step_inputs, cell_states, constants=cell_constants,
                                                    **cell_kwargs)
            else:
                output, new_states = self.cell.call(step_inputs, cell_states, **cell_kwargs)
            return output, to_list(new_states)

        self._reset_dropout_masks()
        try:
            if not constants and _projects_inputs(self.cell):
                # The input side of every step in one product before the loop; the loop runs the rest.
                inputs = self.cell._project_inputs(inputs, training)

                def step(step_inputs, states):
                    output, new_states = self.cell._recurrent_side(step_inputs, list(states), training)
                    return output, to_list(new_states)
            if self._uses_dropout():
                step(inputs[:, 0], initial_state + constants)  # draws the masks once, outside the loop
            last_output, outputs, states = K.rnn(step, inputs, initial_state, constants=constants,
                                                 go_backwards=self.go_backwards, mask=mask, unroll=self.unroll,
                                                 input_length=timesteps)
        finally:
            self._reset_dropout_masks()
        if self.stateful:
            for variable, state in zip(self._states, states):
                variable.assign(state)
        output = outputs if self.return_sequences else last_output
        if self.return_state:
            return [output] + list(states)
        return output

    # ------------------------------------------------------------------------------------------ config

    def get_config(self):
        config = {'return_sequences': self.return_sequences, 'return_state': self.return_state,
                  'go_backwards': self.go_backwards, 'stateful': self.stateful, 'unroll': self.unroll}
        if self._num_constants is not None:
            config['num_constants'] = self._num_constants
        config['cell'] = {'class_name': self.cell.__class__.__name__, 'config': self.cell.get_config()}
        base = super(RNN, self).get_config()
        return dict(list(base.items()) + list(config.items()))

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from kernelkit.layers import deserialize
        config = _drop_foreign_keys(dict(config), cls.__name__)
        cell = deserialize(config.pop('cell'), custom_objects=custom_objects)
        num_constants = config.pop('num_constants', None)
        layer = cls(cell, **config)
        layer._num_constants = num_constants
        return layer


def _projects_inputs(cell):
    """Whether `cell` is a built-in cell (or a subclass keeping its `call`) whose step splits into an
    input side the `RNN` layer can compute for the whole sequence before its loop (`_input_side`)."""
    return isinstance(cell, (SimpleRNNCell, GRUCell, LSTMCell)) and type(cell).call is _RecurrentCell.call


def _cell_property(name):
    def getter(self):
        return getattr(self.cell, name)
    return property(getter, doc='The `%s` of the layer\'s cell.' % name)


class _CellLayer(RNN):
    """An `RNN` over a built-in cell whose arguments are the layer's own (SimpleRNN, GRU, LSTM)."""

    _cell_class = None

    def _make_cell(self, units, kwargs, **cell_arguments):
        _positive_int(kwargs.get('name') or self.__class__.__name__, 'units', units)
        if kwargs.get('dtype') is not None:
            cell_arguments['dtype'] = kwargs['dtype']
        return self._cell_class(units, **cell_arguments)

    def get_config(self):
        cell_config = self.cell._argument_config()
        config = {}
        for key in self.cell._config_keys:
            config[key] = cell_config[key]
            if key == 'bias_regularizer':
                config['activity_regularizer'] = regularizers.serialize(self.activity_regularizer)
        base = super(_CellLayer, self).get_config()
        del base['cell']
        return dict(list(base.items()) + list(config.items()))

    @classmethod
    def from_config(cls, config):
        config = _drop_foreign_keys(dict(config), cls.__name__)
        config.pop('cell', None)
        if config.get('implementation') == 0:
            config['implementation'] = 1
        return cls(**config)


_COMMON_PROPERTIES = ('units', 'activation', 'use_bias', 'kernel_initializer', 'recurrent_initializer',
                      'bias_initializer', 'kernel_regularizer', 'recurrent_regularizer', 'bias_regularizer',
                      'kernel_constraint', 'recurrent_constraint', 'bias_constraint', 'dropout',
                      'recurrent_dropout')


class SimpleRNN(_CellLayer):
    """Fully-connected RNN where the output is fed back as the next input.

    # Arguments
        units: positive integer, dimensionality of the output space.
        activation: activation function (default `'tanh'`; `None`: linear).
        use_bias: whether the layer uses a bias vector.
        kernel_initializer: initializer of the `kernel` weights (input transformation).
        recurrent_initializer: initializer of the `recurrent_kernel` weights (state transformation).
        bias_initializer: initializer of the bias.
        kernel_regularizer: regularizer of `kernel`.
        recurrent_regularizer: regularizer of `recurrent_kernel`.
        bias_regularizer: regularizer of the bias.
        activity_regularizer: regularizer of the layer's output.
        kernel_constraint: constraint on `kernel`.
        recurrent_constraint: constraint on `recurrent_kernel`.
        bias_constraint: constraint on the bias.
        dropout: float in [0, 1], fraction of the input units to drop (training only).
        recurrent_dropout: float in [0, 1], fraction of the recurrent state units to drop.
        return_sequences, return_state, go_backwards, stateful, unroll: see `RNN`.

    # Weights
        `kernel (input_dim, units)`, `recurrent_kernel (units, units)`, `bias (units,)`.

    # Raises
        ValueError: if `units` is not a positive integer (and see `RNN`).
    """

    _cell_class = SimpleRNNCell

    def __init__(self, units, activation='tanh', use_bias=True, kernel_initializer='glorot_uniform',
                 recurrent_initializer='orthogonal', bias_initializer='zeros', kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.,
                 recurrent_dropout=0., return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, **kwargs):
        if 'implementation' in kwargs:
            kwargs.pop('implementation')
            # stacklevel 3: past this __init__ and the public constructor wrapper, at the user's line
            warnings.warn('The `implementation` argument in `SimpleRNN` has been deprecated. Please remove it '
                          'from your layer call.', stacklevel=3)
        cell = self._make_cell(
            units, kwargs, activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout)
        super(SimpleRNN, self).__init__(cell, return_sequences=return_sequences, return_state=return_state,
                                        go_backwards=go_backwards, stateful=stateful, unroll=unroll, **kwargs)
        self.activity_regularizer = regularizers.get(activity_regularizer)


class GRU(_CellLayer):
    """Gated Recurrent Unit (Cho et al. 2014).

    Two variants: `reset_after=False` (the Keras 2.2 default) applies the reset gate to the previous state
    before the recurrent product; `reset_after=True` applies it after (the CuDNN-compatible variant, with
    separate input and recurrent biases).

    # Arguments
        units: positive integer, dimensionality of the output space.
        activation: activation function (default `'tanh'`).
        recurrent_activation: activation of the update/reset gates (default `'hard_sigmoid'`).
        use_bias: whether the layer uses a bias vector.
        kernel_initializer, recurrent_initializer, bias_initializer: weight initializers.
        kernel_regularizer, recurrent_regularizer, bias_regularizer: weight regularizers.
        activity_regularizer: regularizer of the layer's output.
        kernel_constraint, recurrent_constraint, bias_constraint: weight constraints.
        dropout: float in [0, 1], fraction of the input units to drop (training only).
        recurrent_dropout: float in [0, 1], fraction of the recurrent state units to drop.
        implementation: 1 or 2, two computation orders of the same function (default 1).
        return_sequences, return_state, go_backwards, stateful, unroll: see `RNN`.
        reset_after: see above (default False).

    # Weights
        `kernel (input_dim, 3*units)`, `recurrent_kernel (units, 3*units)` with gates z, r, h, and
        `bias (3*units,)`, or `(2, 3*units)` (input bias, recurrent bias) when `reset_after`.

    # Raises
        ValueError: if `units` is not a positive integer (and see `RNN`).
    """

    _cell_class = GRUCell

    def __init__(self, units, activation='tanh', recurrent_activation='hard_sigmoid', use_bias=True,
                 kernel_initializer='glorot_uniform', recurrent_initializer='orthogonal',
                 bias_initializer='zeros', kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0., recurrent_dropout=0.,
                 implementation=1, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, reset_after=False, **kwargs):
        if implementation == 0:
            warnings.warn('`implementation=0` has been deprecated, and now defaults to `implementation=1`.'
                          'Please update your layer call.', stacklevel=3)
        cell = self._make_cell(
            units, kwargs, activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, implementation=implementation, reset_after=reset_after)
        super(GRU, self).__init__(cell, return_sequences=return_sequences, return_state=return_state,
                                  go_backwards=go_backwards, stateful=stateful, unroll=unroll, **kwargs)
        self.activity_regularizer = regularizers.get(activity_regularizer)


class LSTM(_CellLayer):
    """Long Short-Term Memory layer (Hochreiter 1997).

    # Arguments
        units: positive integer, dimensionality of the output space.
        activation: activation of the cell candidate and output (default `'tanh'`).
        recurrent_activation: activation of the input/forget/output gates (default `'hard_sigmoid'`).
        use_bias: whether the layer uses a bias vector.
        kernel_initializer, recurrent_initializer, bias_initializer: weight initializers.
        unit_forget_bias: if True (default), the forget-gate bias starts at 1.
        kernel_regularizer, recurrent_regularizer, bias_regularizer: weight regularizers.
        activity_regularizer: regularizer of the layer's output.
        kernel_constraint, recurrent_constraint, bias_constraint: weight constraints.
        dropout: float in [0, 1], fraction of the input units to drop (training only).
        recurrent_dropout: float in [0, 1], fraction of the recurrent state units to drop.
        implementation: 1 or 2, two computation orders of the same function (default 1).
        return_sequences, return_state, go_backwards, stateful, unroll: see `RNN`.

    # Weights
        `kernel (input_dim, 4*units)`, `recurrent_kernel (units, 4*units)`, `bias (4*units,)`, gates in
        the order i, f, c, o. The states are `[h, c]`.

    # Raises
        ValueError: if `units` is not a positive integer (and see `RNN`).
    """

    _cell_class = LSTMCell

    def __init__(self, units, activation='tanh', recurrent_activation='hard_sigmoid', use_bias=True,
                 kernel_initializer='glorot_uniform', recurrent_initializer='orthogonal',
                 bias_initializer='zeros', unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.,
                 recurrent_dropout=0., implementation=1, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, **kwargs):
        if implementation == 0:
            warnings.warn('`implementation=0` has been deprecated, and now defaults to `implementation=1`.'
                          'Please update your layer call.', stacklevel=3)
        cell = self._make_cell(
            units, kwargs, activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, unit_forget_bias=unit_forget_bias,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout, recurrent_dropout=recurrent_dropout,
            implementation=implementation)
        super(LSTM, self).__init__(cell, return_sequences=return_sequences, return_state=return_state,
                                   go_backwards=go_backwards, stateful=stateful, unroll=unroll, **kwargs)
        self.activity_regularizer = regularizers.get(activity_regularizer)


for _layer, _extra in ((SimpleRNN, ()), (GRU, ('recurrent_activation', 'implementation', 'reset_after')),
                       (LSTM, ('recurrent_activation', 'unit_forget_bias', 'implementation'))):
    for _name in _COMMON_PROPERTIES + _extra:
        setattr(_layer, _name, _cell_property(_name))
del _layer, _extra, _name

__all__ = ['RNN', 'SimpleRNN', 'GRU', 'LSTM']
