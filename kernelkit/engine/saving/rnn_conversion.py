"""Weights moving between `LSTM` and `CuDNNLSTM`, and between `GRU(reset_after=True)` and `CuDNNGRU`.

Keras 2.2.4 converted them on load (`_convert_rnn_weights`), so a model trained with the cuDNN layers on
a GPU could be loaded into the plain layers for a CPU, and back. The two layouts differ in three ways:

- each gate block of the input kernel is stored in the other memory order (cuDNN reads it column-major),
- each gate block of the recurrent kernel is transposed,
- cuDNN keeps an input bias and a recurrent bias: an LSTM sums them (splitting back halves the sum), a
  `GRU(reset_after=True)` keeps both as its `(2, 3 * units)` bias.

A `GRU(reset_after=False)` (the Keras 2.2 default) computes another function and cannot take cuDNN weights.
"""
import numpy as np


def _per_gate(kernel, function, gates):
    return np.hstack([function(block) for block in np.hsplit(kernel, gates)])


def _input_kernel(from_cudnn):
    order = 'F' if from_cudnn else 'C'
    return lambda block: block.T.reshape(block.shape, order=order)


def _kernels(weights, from_cudnn, gates):
    return (_per_gate(np.asarray(weights[0]), _input_kernel(from_cudnn), gates),
            _per_gate(np.asarray(weights[1]), np.transpose, gates))


def _convert_lstm(weights, target):
    units = weights[1].shape[0]
    bias_shape = np.shape(weights[2])
    if bias_shape == (8 * units,):
        source = 'CuDNNLSTM'
    elif bias_shape == (4 * units,):
        source = 'LSTM'
    else:
        raise ValueError('Invalid bias shape: %s (an LSTM with %d units has a bias of shape (%d,), a CuDNNLSTM '
                         'one of shape (%d,)).' % (bias_shape, units, 4 * units, 8 * units))
    if source == target:
        return weights
    from_cudnn = source == 'CuDNNLSTM'
    kernel, recurrent = _kernels(weights, from_cudnn, 4)
    bias = np.asarray(weights[2])
    bias = np.sum(np.split(bias, 2, axis=0), axis=0) if from_cudnn else np.tile(0.5 * bias, 2)
    return [kernel, recurrent, bias]


def _convert_gru(layer, weights, target_class):
    units = weights[1].shape[0]
    bias_shape = np.shape(weights[2])
    if bias_shape == (6 * units,):
        source = 'CuDNNGRU'
    elif bias_shape == (2, 3 * units):
        source = 'GRU(reset_after=True)'
    elif bias_shape == (3 * units,):
        source = 'GRU(reset_after=False)'
    else:
        raise ValueError('Invalid bias shape: %s (a GRU with %d units has a bias of shape (%d,) or (2, %d), a '
                         'CuDNNGRU one of shape (%d,)).' % (bias_shape, units, 3 * units, 3 * units, 6 * units))
    if target_class == 'CuDNNGRU':
        target = 'CuDNNGRU'
    else:
        reset_after = getattr(layer, 'reset_after', getattr(getattr(layer, 'cell', None), 'reset_after', False))
        target = 'GRU(reset_after=True)' if reset_after else 'GRU(reset_after=False)'
    if source == target:
        return weights
    if 'GRU(reset_after=False)' in (source, target):
        raise ValueError('%s is not compatible with %s (layer %s)' % (source, target, layer.name))
    from_cudnn = source == 'CuDNNGRU'
    kernel, recurrent = _kernels(weights, from_cudnn, 3)
    bias = np.asarray(weights[2]).reshape((2, -1) if from_cudnn else -1)
    return [kernel, recurrent, bias]


def _convert_rnn_weights(layer, weights):
    """Converts saved RNN weights between the plain and the cuDNN layout, for the layer that receives them
    (Keras 2.2.4's rule; only `LSTM`/`CuDNNLSTM` and `GRU`/`CuDNNGRU` layers with a bias are touched).

    The source layout is recognised by the shape of the saved bias.

    # Arguments
        layer: the target layer.
        weights: its saved arrays (kernel, recurrent kernel, bias).

    # Returns
        A list of numpy arrays in the target's layout.

    # Raises
        ValueError: for a bias of an unknown shape, or between `GRU(reset_after=False)` and the
            cuDNN-compatible GRU variants.
    """
    target_class = type(layer).__name__
    weights = list(weights)
    if len(weights) != 3:
        return weights
    if target_class in ('LSTM', 'CuDNNLSTM'):
        return _convert_lstm(weights, target_class)
    if target_class in ('GRU', 'CuDNNGRU'):
        return _convert_gru(layer, weights, target_class)
    return weights
