"""Convolutional recurrent layers (Keras 2.2): ConvLSTM2D, its cell ConvLSTM2DCell, and ConvRNN2D.

A ConvLSTM is an LSTM whose input and recurrent transformations are 2D convolutions: the states are
feature maps, not vectors. Inputs are 5D: `(batch, time, rows, cols, channels)` (or channels first).
"""
import tensorflow as tf

from kernelkit import backend as K
from kernelkit import regularizers
from kernelkit.backend import config as backend_config
from kernelkit.engine.base_layer import to_snake_case
from kernelkit.layers import convolutional_base
from kernelkit.layers.recurrent import RNN, _CellLayer, _cell_property
from kernelkit.layers.recurrent import _generate_dropout_mask, _standardize_args  # noqa: F401 (Keras 2.2.4 path)
from kernelkit.layers.recurrent_cells import _RecurrentCell, lstm_step, unit_forget_bias_initializer


def _conv_arguments(layer, filters, kernel_size, strides, padding, data_format, dilation_rate):
    """Checks and normalizes the convolution arguments; errors name `layer`."""
    filters = convolutional_base.positive_int(layer, 'filters', filters)
    kernel_size = convolutional_base.normalize_tuple(layer, 'kernel_size', kernel_size, 2)
    strides = convolutional_base.normalize_tuple(layer, 'strides', strides, 2)
    padding = convolutional_base.normalize_padding(layer, padding)
    data_format = convolutional_base.normalize_data_format(layer, data_format)
    dilation_rate = convolutional_base.normalize_tuple(layer, 'dilation_rate', dilation_rate, 2)
    convolutional_base.check_strides_and_dilation(layer, strides, dilation_rate)
    return filters, kernel_size, strides, padding, data_format, dilation_rate


class ConvLSTM2DCell(_RecurrentCell):
    """Cell class for ConvLSTM2D: an LSTM step whose products are 2D convolutions.

    The input convolution uses the cell's `strides`, `padding` and `dilation_rate`; the recurrent
    convolution uses strides 1 and 'same' padding, so the states keep the output's spatial size.

    # Arguments
        filters: positive integer, the number of output filters (channels of the states).
        kernel_size: an integer or a tuple of 2 integers, the convolution window.
        strides: an integer or a tuple of 2 integers.
        padding: `'valid'` or `'same'`.
        data_format: `'channels_last'` or `'channels_first'` (default: `K.image_data_format()`).
        dilation_rate: an integer or a tuple of 2 integers.
        activation: activation of the cell candidate and output (default `'tanh'`).
        recurrent_activation: activation of the gates (default `'hard_sigmoid'`).
        use_bias: whether the cell uses a bias vector.
        kernel_initializer, recurrent_initializer, bias_initializer: weight initializers.
        unit_forget_bias: if True, the forget-gate bias starts at 1.
        kernel_regularizer, recurrent_regularizer, bias_regularizer: weight regularizers.
        kernel_constraint, recurrent_constraint, bias_constraint: weight constraints.
        dropout: float in [0, 1], fraction of the input units to drop (training only).
        recurrent_dropout: float in [0, 1], fraction of the recurrent state units to drop.

    # Weights
        `kernel (rows, cols, input_channels, 4*filters)`, `recurrent_kernel (rows, cols, filters,
        4*filters)`, `bias (4*filters,)`, gates in the order i, f, c, o.

    # Raises
        ValueError: for invalid convolution arguments.
    """

    _size_argument = 'filters'
    _config_keys = ('filters', 'kernel_size', 'strides', 'padding', 'data_format', 'dilation_rate',
                    'activation', 'recurrent_activation', 'use_bias', 'kernel_initializer',
                    'recurrent_initializer', 'bias_initializer', 'unit_forget_bias', 'kernel_regularizer',
                    'recurrent_regularizer', 'bias_regularizer', 'kernel_constraint', 'recurrent_constraint',
                    'bias_constraint', 'dropout', 'recurrent_dropout')

    def __init__(self, filters, kernel_size, strides=(1, 1), padding='valid', data_format=None,
                 dilation_rate=(1, 1), activation='tanh', recurrent_activation='hard_sigmoid', use_bias=True,
                 kernel_initializer='glorot_uniform', recurrent_initializer='orthogonal',
                 bias_initializer='zeros', unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0., recurrent_dropout=0., **kwargs):
        super(ConvLSTM2DCell, self).__init__(
            filters, activation=activation, recurrent_activation=recurrent_activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout, recurrent_dropout=recurrent_dropout, **kwargs)
        (self.filters, self.kernel_size, self.strides, self.padding, self.data_format,
         self.dilation_rate) = _conv_arguments(self, filters, kernel_size, strides, padding, data_format,
                                               dilation_rate)
        self.unit_forget_bias = unit_forget_bias
        self.state_size = (self.filters, self.filters)

    def build(self, input_shape):
        if isinstance(input_shape, list):
            input_shape = input_shape[0]
        input_dim = input_shape[convolutional_base.channel_axis(self.data_format)]
        if input_dim is None:
            raise ValueError('%s: the channel dimension of the inputs should be defined, got input shape %s.'
                             % (convolutional_base.describe(self), tuple(input_shape)))
        filters = self.filters
        self._add_cell_weights(self.kernel_size + (int(input_dim), 4 * filters),
                               self.kernel_size + (filters, 4 * filters), (4 * filters,),
                               bias_initializer=unit_forget_bias_initializer(self))
        self.built = True

    def input_conv(self, x, kernel, bias=None, padding='valid'):
        """The input convolution (cell strides and dilation), plus `bias` when given."""
        out = K.conv2d(x, kernel, strides=self.strides, padding=padding, data_format=self.data_format,
                       dilation_rate=self.dilation_rate)
        if bias is not None:
            out = K.bias_add(out, bias, data_format=self.data_format)
        return out

    def recurrent_conv(self, x, kernel):
        """The recurrent convolution: strides 1, 'same' padding."""
        return K.conv2d(x, kernel, strides=(1, 1), padding='same', data_format=self.data_format)

    def call(self, inputs, states, training=None):
        h_tm1, c_tm1 = states[0], states[1]
        masks = self._input_masks(inputs, training, 4)
        recurrent_masks = self._recurrent_masks(h_tm1, training, 4)
        kernels = tf.split(self.kernel, 4, axis=-1)
        recurrent_kernels = tf.split(self.recurrent_kernel, 4, axis=-1)
        biases = tf.split(self.bias, 4) if self.bias is not None else [None] * 4
        gates = []
        for k in range(4):
            x = inputs * masks[k] if masks else inputs
            h = h_tm1 * recurrent_masks[k] if recurrent_masks else h_tm1
            gates.append(self.input_conv(x, kernels[k], biases[k], padding=self.padding) +
                         self.recurrent_conv(h, recurrent_kernels[k]))
        return lstm_step(tf.concat(gates, axis=-1), c_tm1, self.activation, self.recurrent_activation)


class ConvRNN2D(RNN):
    """Base class for convolutional-recurrent layers: an `RNN` over 5D inputs with a convolutional cell.

    # Arguments
        cell: a convolutional RNN cell (with `filters`, `kernel_size`, `strides`, `padding`,
            `data_format`, `dilation_rate` and `input_conv`), e.g. `ConvLSTM2DCell`.
        return_sequences, return_state, go_backwards, stateful: see `RNN`.
        unroll: must be False (unrolling is not possible with convolutional RNNs).

    # Input shape
        5D tensor `(batch, time, rows, cols, channels)` (channels_last) or
        `(batch, time, channels, rows, cols)` (channels_first).

    # Output shape
        `(batch, [time,] new_rows, new_cols, filters)` (or channels first); with `return_state`, a list
        of the output and the states, each `(batch, new_rows, new_cols, filters)`.

    # Raises
        ValueError: if `unroll` is True.
        TypeError: if `cell` is a list (stacking convolutional cells is not supported).
    """

    _input_rank = 5

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 unroll=False, **kwargs):
        if unroll:
            raise ValueError('%s: unrolling isn\'t possible with convolutional RNNs.' % self.__class__.__name__)
        if isinstance(cell, (list, tuple)):
            raise TypeError('%s: it is not possible at the moment to stack convolutional cells.'
                            % self.__class__.__name__)
        super(ConvRNN2D, self).__init__(cell, return_sequences=return_sequences, return_state=return_state,
                                        go_backwards=go_backwards, stateful=stateful, unroll=unroll, **kwargs)

    def _step_output_shape(self, input_shape):
        cell = self.cell
        if cell.data_format == 'channels_first':
            rows, cols = input_shape[3], input_shape[4]
        else:
            rows, cols = input_shape[2], input_shape[3]
        spatial = [convolutional_base.conv_output_length(size, cell.kernel_size[i], cell.padding, cell.strides[i],
                                                 cell.dilation_rate[i])
                   for i, size in enumerate((rows, cols))]
        return convolutional_base.make_shape(input_shape[0], spatial, cell.filters, cell.data_format)

    def _state_shapes(self, input_shape):
        return [self._step_output_shape(input_shape)] * len(self.cell.state_size)

    def get_initial_state(self, inputs):
        """Zero states with the shape of the cell's output: a convolution of a zero frame."""
        cell = self.cell
        frame = tf.zeros_like(inputs[:, 0])
        channels = K.int_shape(frame)[convolutional_base.channel_axis(cell.data_format)]
        kernel = tf.zeros(cell.kernel_size + (channels, cell.filters), dtype=inputs.dtype)
        state = cell.input_conv(frame, kernel, padding=cell.padding)
        return [state for _ in cell.state_size]


class ConvLSTM2D(_CellLayer, ConvRNN2D):
    """Convolutional LSTM: an LSTM whose input and recurrent transformations are convolutions.

    # Arguments
        filters: positive integer, the number of output filters.
        kernel_size: an integer or a tuple of 2 integers, the convolution window.
        strides: an integer or a tuple of 2 integers (input convolution).
        padding: `'valid'` or `'same'` (input convolution; the recurrent one is always 'same').
        data_format: `'channels_last'` (inputs `(batch, time, rows, cols, channels)`) or
            `'channels_first'` (`(batch, time, channels, rows, cols)`); default `K.image_data_format()`.
        dilation_rate: an integer or a tuple of 2 integers.
        activation: activation of the cell candidate and output (default `'tanh'`).
        recurrent_activation: activation of the gates (default `'hard_sigmoid'`).
        use_bias: whether the layer uses a bias vector.
        kernel_initializer, recurrent_initializer, bias_initializer: weight initializers.
        unit_forget_bias: if True (default), the forget-gate bias starts at 1.
        kernel_regularizer, recurrent_regularizer, bias_regularizer: weight regularizers.
        activity_regularizer: regularizer of the layer's output.
        kernel_constraint, recurrent_constraint, bias_constraint: weight constraints.
        return_sequences: whether to return the whole output sequence or only the last output.
        go_backwards: whether to process the sequence backwards.
        stateful: whether states carry over between batches (needs a fixed batch size).
        dropout: float in [0, 1], fraction of the input units to drop (training only).
        recurrent_dropout: float in [0, 1], fraction of the recurrent state units to drop.
        return_state: (keyword) whether to return the last states as well.

    # Input shape
        5D tensor, see `data_format`.

    # Output shape
        `(batch, time, new_rows, new_cols, filters)` with `return_sequences`, else
        `(batch, new_rows, new_cols, filters)` (channels first: filters before rows and cols).

    # Raises
        ValueError: for invalid convolution arguments, or unrolling.
    """

    _cell_class = ConvLSTM2DCell

    def __init__(self, filters, kernel_size, strides=(1, 1), padding='valid', data_format=None,
                 dilation_rate=(1, 1), activation='tanh', recurrent_activation='hard_sigmoid', use_bias=True,
                 kernel_initializer='glorot_uniform', recurrent_initializer='orthogonal',
                 bias_initializer='zeros', unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 return_sequences=False, go_backwards=False, stateful=False, dropout=0., recurrent_dropout=0.,
                 **kwargs):
        if not kwargs.get('name'):
            prefix = to_snake_case(self.__class__.__name__)
            kwargs['name'] = '%s_%d' % (prefix, backend_config.get_uid(prefix))
        stand_in = type(self.__class__.__name__, (), {'name': kwargs['name']})()
        conv_arguments = _conv_arguments(stand_in, filters, kernel_size, strides, padding, data_format,
                                         dilation_rate)
        cell_kwargs = {'dtype': kwargs['dtype']} if kwargs.get('dtype') is not None else {}
        cell = ConvLSTM2DCell(*conv_arguments, activation=activation,
                              recurrent_activation=recurrent_activation, use_bias=use_bias,
                              kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
                              bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
                              kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                              bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                              recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
                              dropout=dropout, recurrent_dropout=recurrent_dropout, **cell_kwargs)
        super(ConvLSTM2D, self).__init__(cell, return_sequences=return_sequences, go_backwards=go_backwards,
                                         stateful=stateful, **kwargs)
        self.activity_regularizer = regularizers.get(activity_regularizer)


for _name in ConvLSTM2DCell._config_keys:
    setattr(ConvLSTM2D, _name, _cell_property(_name))
del _name

__all__ = ['ConvRNN2D', 'ConvLSTM2D', 'ConvLSTM2DCell']
