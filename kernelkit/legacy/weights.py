"""Keras 1 weight arrays -> Keras 2 layer weights, through `table.WEIGHTS` (spec section 4).

`convert_keras1_weights(layer, arrays, backend)` is called by the HDF5 loader
(`kernelkit.engine.saving.weight_conversion`) once per (model layer, saved layer) pair of a Keras 1 file. It
recurses into `Bidirectional` (first half forward, second half backward), `TimeDistributed` and nested models,
so every array is converted exactly once, by the rule of the layer that receives it:

- LSTM / ConvLSTM2D: 12 arrays (W, U, b per gate, gates i, c, f, o) -> kernel, recurrent kernel, bias with
  gates i, f, c, o. GRU: 9 arrays (gates z, r, h) -> 3. Keras 1 `consume_less='gpu'` files already hold 3.
- Conv1D: (length, 1, in, filters) (Keras 1.2) or (filters, in, length, 1) (Keras 1.1) -> (length, in, filters).
- Conv2D / Conv3D with `data_format='channels_first'` (Keras 1 'th' ordering): -> (rows, cols, in, out).
- Conv2DTranspose: input/output axes swapped.
- then, for 4-D conv kernels whose shape still differs from the layer's, Keras 2's (3, 2, 0, 1) transpose.

No kernel is flipped: Keras 1 files do not record their backend, so a Theano-trained convolution kernel
cannot be told from a TensorFlow one (Keras 2.2 flipped only when the file said `backend: theano`).
"""
import numpy as np

from kernelkit.engine.saving.weight_conversion import fix_conv_kernels
from kernelkit.legacy import table


def _rules(layer):
    rules = table.WEIGHTS.get(type(layer).__name__)
    if rules is None:
        from kernelkit.engine.network import Network
        if isinstance(layer, Network):
            rules = (table.Nested(),)
    return rules or ()


def _keras1_count(layer):
    """How many arrays Keras 1 stored for `layer` (per-gate arrays for LSTM/GRU/ConvLSTM2D)."""
    for rule in _rules(layer):
        if isinstance(rule, table.GateConcat):
            return len(rule.file_order) * rule.per_gate
        if isinstance(rule, table.Wrapped):
            return sum(_keras1_count(getattr(layer, part)) for part in rule.parts)
        if isinstance(rule, table.Nested):
            return sum(_keras1_count(sub) for sub in layer.layers)
    return len(layer.weights)


def _gate_concat(rule, layer, arrays):
    gates = len(rule.file_order)
    if len(arrays) != gates * rule.per_gate:
        return arrays
    kinds = []
    for kind in range(rule.per_gate):
        parts = [np.asarray(arrays[rule.file_order.index(g) * rule.per_gate + kind]) for g in rule.target_order]
        if rule.channels_first_axes and kind < 2 and getattr(layer, 'data_format', None) == 'channels_first':
            # Keras 1 'th' kernels are (out, in, rows, cols) per gate: transpose each gate, then concatenate.
            parts = [np.transpose(p, rule.channels_first_axes) for p in parts]
        kinds.append(np.concatenate(parts, axis=-1))
    return kinds


def _transpose(rule, layer, arrays):
    if arrays and getattr(layer, 'data_format', None) == rule.data_format:
        arrays = [np.transpose(arrays[0], rule.axes)] + list(arrays[1:])
    return arrays


def _conv1d_kernel(rule, layer, arrays):
    if not arrays or np.ndim(arrays[0]) != 4:
        return arrays
    kernel = np.asarray(arrays[0])
    length, filters = layer.kernel_size[0], layer.filters
    if kernel.shape[:2] != (length, 1) or kernel.shape[3] != filters:
        if kernel.shape[0] != filters or kernel.shape[2:] != (length, 1):
            raise ValueError('Cannot read the Keras 1 Conv1D kernel of shape %s for layer %s (kernel_size %d, '
                             'filters %d).' % (kernel.shape, layer.name, length, filters))
        kernel = np.transpose(kernel, rule.keras11_axes)
    return [kernel[:, 0, :, :]] + list(arrays[1:])


def _wrapped(rule, layer, arrays):
    parts = [getattr(layer, part) for part in rule.parts]
    if len(parts) == 1:
        return _convert(parts[0], arrays)
    half = len(arrays) // len(parts)
    converted = []
    for index, part in enumerate(parts):
        converted += _convert(part, arrays[index * half:(index + 1) * half])
    return converted


def _nested(rule, layer, arrays):
    sublayers = [sub for sub in layer.layers if sub.weights]
    keras1 = sum(_keras1_count(sub) for sub in sublayers)
    count = _keras1_count if keras1 == len(arrays) else (lambda sub: len(sub.weights))
    # Saved order: all trainable arrays of all sublayers, then all non-trainable ones.
    trainable, non_trainable, position = [], [], 0
    pieces = []
    for sub in sublayers:
        n = count(sub) - len(sub.non_trainable_weights)
        pieces.append(arrays[position:position + n])
        position += n
    for sub, piece in zip(sublayers, pieces):
        m = len(sub.non_trainable_weights)
        piece = list(piece) + list(arrays[position:position + m])
        position += m
        converted = _convert(sub, piece)
        k = len(sub.trainable_weights)
        trainable += converted[:k]
        non_trainable += converted[k:]
    if position != len(arrays):
        return list(arrays)
    return trainable + non_trainable


_APPLY = {
    table.GateConcat: _gate_concat,
    table.Transpose: _transpose,
    table.Conv1DKernel: _conv1d_kernel,
    table.Wrapped: _wrapped,
    table.Nested: _nested,
}


def _convert(layer, arrays):
    arrays = list(arrays)
    for rule in _rules(layer):
        arrays = _APPLY[type(rule)](rule, layer, arrays)
    return fix_conv_kernels(layer, arrays)  # Keras 2's own fix-ups; Keras 1 files record no backend


def convert_keras1_weights(layer, arrays, backend=None):
    """Converts the arrays a Keras 1 file stores for one layer into what the Keras 2 `layer` holds.

    # Arguments
        layer: the kernelkit layer that receives the weights (built).
        arrays: the saved numpy arrays, in file order.
        backend: the backend recorded in the file (always `None` for Keras 1 files; kernels are not flipped).

    # Returns
        A list of numpy arrays, in `layer.weights` order.
    """
    return _convert(layer, arrays)
