"""`CuDNNLSTM` and `CuDNNGRU` (Keras 2.2.4's `keras.layers.cudnn_recurrent`), on any device.

Keras 2.2.4 ran these two layers only on a GPU, through NVIDIA's cuDNN kernels. kernelkit computes the
same function with ordinary TensorFlow ops, so a model written or saved with them runs everywhere
(TensorFlow picks its own fast kernels). What makes them differ from `LSTM` and `GRU` is fixed by cuDNN:

- the activations are `tanh` and `sigmoid` (not `hard_sigmoid`), the GRU applies its reset gate after
  the recurrent product (`reset_after=True`), and there is no dropout, masking or unrolling;
- the weights keep cuDNN's layout, so Keras 2.2.4 files load unchanged: the bias holds an input bias
  and a recurrent bias (`(8 * units,)` for the LSTM, `(6 * units,)` for the GRU), and each gate's block
  of `kernel` is stored as cuDNN reads it. The cell turns them into the `LSTM`/`GRU` layout at each call
  (the inverse of Keras 2.2.4's `_convert_rnn_weights` rule, see `kernelkit.engine.saving`).
"""
import tensorflow as tf

from kernelkit import initializers, regularizers
from kernelkit.layers.recurrent import RNN
from kernelkit.layers.recurrent_cells import GRUCell, LSTMCell


def _blocks_from_cudnn(kernel, recurrent_kernel, gates):
    """The `LSTM`/`GRU` layout of cuDNN-layout kernels: per gate block, the input kernel is read in
    cuDNN's order (`reshape(block, (units, input_dim)).T`) and the recurrent kernel is transposed."""
    input_dim, units = int(kernel.shape[0]), int(recurrent_kernel.shape[0])
    kernels = [tf.transpose(tf.reshape(block, (units, input_dim)))
               for block in tf.split(kernel, gates, axis=1)]
    recurrents = [tf.transpose(block) for block in tf.split(recurrent_kernel, gates, axis=1)]
    return tf.concat(kernels, axis=1), tf.concat(recurrents, axis=1)


class _CuDNNLSTMCell(LSTMCell):
    """One step of `CuDNNLSTM`: an `LSTMCell` over cuDNN-layout weights."""

    def build(self, input_shape):
        input_dim = self._input_dim(input_shape)
        units = self.units
        base = self.bias_initializer

        def bias_initializer(shape, dtype=None):
            # Keras 2.2.4: the forget block of the recurrent half (block 5 of 8) starts at 1.
            parts = [base((5 * units,), dtype=dtype), tf.ones((units,), dtype=dtype or 'float32'),
                     base((2 * units,), dtype=dtype)]
            return tf.concat(parts, axis=0) if self.unit_forget_bias else base(shape, dtype=dtype)

        self._add_cell_weights((input_dim, 4 * units), (units, 4 * units), (8 * units,),
                               bias_initializer=bias_initializer)
        self.built = True

    def _step_weights(self):
        kernel, recurrent_kernel = _blocks_from_cudnn(self.kernel, self.recurrent_kernel, 4)
        units = self.units
        return kernel, recurrent_kernel, self.bias[:4 * units] + self.bias[4 * units:]


class _CuDNNGRUCell(GRUCell):
    """One step of `CuDNNGRU`: a `GRUCell(reset_after=True)` over cuDNN-layout weights."""

    def build(self, input_shape):
        input_dim = self._input_dim(input_shape)
        units = self.units
        self._add_cell_weights((input_dim, 3 * units), (units, 3 * units), (6 * units,))
        self.built = True

    def _step_weights(self):
        kernel, recurrent_kernel = _blocks_from_cudnn(self.kernel, self.recurrent_kernel, 3)
        return kernel, recurrent_kernel, tf.reshape(self.bias, (2, 3 * self.units))


_CONFIG_KEYS = ('units', 'kernel_initializer', 'recurrent_initializer', 'bias_initializer',
                'kernel_regularizer', 'recurrent_regularizer', 'bias_regularizer', 'activity_regularizer',
                'kernel_constraint', 'recurrent_constraint', 'bias_constraint')


class _CuDNNRNN(RNN):
    """Shared constructor checks and configuration of the two cuDNN layers."""

    def _check_arguments(self, kwargs):
        for name in ('dropout', 'recurrent_dropout', 'unroll', 'implementation', 'activation',
                     'recurrent_activation', 'use_bias'):
            if name in kwargs:
                raise TypeError('%s does not accept `%s`: cuDNN fixes it (use `%s` for that argument).'
                                % (self.__class__.__name__, name, self.__class__.__name__[5:]))

    def get_config(self):
        """Returns the Keras 2.2.4 configuration (units, initializers, regularizers, constraints and the
        `RNN` flags)."""
        base = super(_CuDNNRNN, self).get_config()
        del base['cell']
        for key in ('unroll',):
            base.pop(key, None)
        cell = self.cell._argument_config()
        config = {key: cell[key] for key in _CONFIG_KEYS if key in cell}
        config['activity_regularizer'] = regularizers.serialize(self.activity_regularizer)
        if isinstance(self.cell, _CuDNNLSTMCell):
            config['unit_forget_bias'] = self.cell.unit_forget_bias
        base.update(config)
        return base

    @classmethod
    def from_config(cls, config):
        """Creates the layer from its configuration (`get_config`)."""
        config = dict(config)
        config.pop('cell', None)
        return cls(**config)

    @property
    def units(self):
        return self.cell.units


class CuDNNLSTM(_CuDNNRNN):
    """The LSTM of NVIDIA's cuDNN (Keras 2.2.4), computed on any device.

    # Arguments
        units: positive integer, dimensionality of the output space.
        kernel_initializer, recurrent_initializer, bias_initializer: weight initializers.
        unit_forget_bias: if True (default), the recurrent forget-gate bias starts at 1.
        kernel_regularizer, recurrent_regularizer, bias_regularizer: weight regularizers.
        activity_regularizer: regularizer of the output.
        kernel_constraint, recurrent_constraint, bias_constraint: weight constraints.
        return_sequences, return_state, go_backwards, stateful: see `RNN`.

    # Weights
        `kernel (input_dim, 4*units)`, `recurrent_kernel (units, 4*units)` and `bias (8*units,)` in
        cuDNN's layout (see the module docstring). The states are `[h, c]`.

    # Raises
        TypeError: for arguments that cuDNN fixes (`dropout`, `activation`, ...).
    """

    def __init__(self, units, kernel_initializer='glorot_uniform', recurrent_initializer='orthogonal',
                 bias_initializer='zeros', unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 return_sequences=False, return_state=False, go_backwards=False, stateful=False, **kwargs):
        self._check_arguments(kwargs)
        cell = _CuDNNLSTMCell(units, activation='tanh', recurrent_activation='sigmoid',
                              kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
                              bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
                              kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                              bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                              recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
                              implementation=2)
        super(CuDNNLSTM, self).__init__(cell, return_sequences=return_sequences, return_state=return_state,
                                        go_backwards=go_backwards, stateful=stateful, **kwargs)
        self.activity_regularizer = regularizers.get(activity_regularizer)


class CuDNNGRU(_CuDNNRNN):
    """The GRU of NVIDIA's cuDNN (Keras 2.2.4), computed on any device.

    # Arguments
        units: positive integer, dimensionality of the output space.
        kernel_initializer, recurrent_initializer, bias_initializer: weight initializers.
        kernel_regularizer, recurrent_regularizer, bias_regularizer: weight regularizers.
        activity_regularizer: regularizer of the output.
        kernel_constraint, recurrent_constraint, bias_constraint: weight constraints.
        return_sequences, return_state, go_backwards, stateful: see `RNN`.

    # Weights
        `kernel (input_dim, 3*units)`, `recurrent_kernel (units, 3*units)` and `bias (6*units,)` in
        cuDNN's layout (see the module docstring).

    # Raises
        TypeError: for arguments that cuDNN fixes (`dropout`, `activation`, ...).
    """

    def __init__(self, units, kernel_initializer='glorot_uniform', recurrent_initializer='orthogonal',
                 bias_initializer='zeros', kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, **kwargs):
        self._check_arguments(kwargs)
        cell = _CuDNNGRUCell(units, activation='tanh', recurrent_activation='sigmoid', reset_after=True,
                             kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
                             bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                             recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
                             kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
                             bias_constraint=bias_constraint, implementation=2)
        super(CuDNNGRU, self).__init__(cell, return_sequences=return_sequences, return_state=return_state,
                                       go_backwards=go_backwards, stateful=stateful, **kwargs)
        self.activity_regularizer = regularizers.get(activity_regularizer)


__all__ = ['CuDNNLSTM', 'CuDNNGRU']
del initializers
