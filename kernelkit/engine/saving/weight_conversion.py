"""Adapting saved weight arrays to the layer that receives them.

Files of any Keras 2 implementation store a layer's weights in the layer's own order and shapes. Two
things still need converting, as Keras 2 itself did on load:

- kernels written by the Theano backend, which convolves where TensorFlow correlates: every spatial axis
  of a convolution kernel is reversed (the file's `backend` attribute says 'theano');
- 4-D convolution kernels stored as `(out, in, rows, cols)`, transposed to `(rows, cols, in, out)`.

Both reach the layers inside `Bidirectional`, `TimeDistributed` and nested models. Keras 1 files
(recognised by a missing `keras_version`) need more; that knowledge lives in `kernelkit.legacy`, which
registers its converter here (`register_keras1_converter`) when `kernelkit` is imported: the engine
does not import the package above it.
"""
import numpy as np

_CONV_CLASSES = ('Conv1D', 'Conv2D', 'Conv3D', 'Conv2DTranspose', 'ConvLSTM2D')
_KERAS1_CONVERTER = []  # the function `kernelkit.legacy` registers, once


def register_keras1_converter(converter):
    """Sets the function that converts the weights of a Keras 1 file's layer (`kernelkit.legacy` calls this).

    # Arguments
        converter: a function `(layer, weights, original_backend) -> list of arrays`.
    """
    _KERAS1_CONVERTER[:] = [converter]


def preprocess_weights_for_loading(layer, weights, original_keras_version=None, original_backend=None,
                                   reshape=False):
    """Converts the saved arrays of one layer to what `layer` holds (Keras 2.2.4's function of that name).

    Every loader of kernelkit (`load_model`, `load_weights`, `load_weights_from_hdf5_group*`) calls it once
    per (model layer, saved layer) pair.

    # Arguments
        layer: the layer that will receive the weights.
        weights: the saved numpy arrays, in file order.
        original_keras_version: the `keras_version` of the file (`'1'` for Keras 1 files, which have none).
        original_backend: the backend that wrote the file, if recorded.
        reshape: reshape a convolution kernel to the layer's kernel shape when the sizes agree but the
            shapes do not.

    # Returns
        A list of numpy arrays.

    # Raises
        ValueError: for `reshape=True` with a kernel of another size, or RNN biases of an unknown shape.
    """
    if original_keras_version == '1':
        if not _KERAS1_CONVERTER:
            raise ValueError('Layer %s: the file was written by Keras 1, and no Keras 1 weight converter is '
                             'registered (import kernelkit, which installs kernelkit.legacy).' % layer.name)
        return _KERAS1_CONVERTER[0](layer, list(weights), original_backend)
    return _convert(layer, list(weights), original_backend, reshape)


def flip_kernel(kernel):
    """Reverses every spatial axis of a convolution kernel (all but the last two): convolution <-> correlation.

    # Arguments
        kernel: a 3-D to 5-D numpy array.

    # Returns
        The flipped copy.

    # Raises
        ValueError: for another rank.
    """
    kernel = np.asarray(kernel)
    if not 3 <= kernel.ndim <= 5:
        raise ValueError('Invalid kernel shape: %s (a convolution kernel has 3 to 5 dimensions).' % (kernel.shape,))
    return np.copy(kernel[tuple([slice(None, None, -1)] * (kernel.ndim - 2) + [slice(None), slice(None)])])


def _convert(layer, arrays, backend, reshape=False):
    from kernelkit.engine.network import Network
    kind = type(layer).__name__
    if kind == 'Bidirectional':
        half = len(arrays) // 2
        return (_convert(layer.forward_layer, arrays[:half], backend, reshape) +
                _convert(layer.backward_layer, arrays[half:], backend, reshape))
    if kind == 'TimeDistributed':
        return _convert(layer.layer, arrays, backend, reshape)
    if isinstance(layer, Network):
        return _convert_nested(layer, arrays, backend, reshape)
    from kernelkit.engine.saving.rnn_conversion import _convert_rnn_weights
    return _convert_rnn_weights(layer, fix_conv_kernels(layer, arrays, backend, reshape))


def _need_convert_kernel(original_backend):
    """Whether kernels written by `original_backend` must be flipped for this backend (Keras 2.2.4).

    Theano convolves, TensorFlow and CNTK correlate; kernels are flipped only between the two kinds.

    # Arguments
        original_backend: the backend recorded in the file, or `None`.

    # Returns
        `True` when the file's backend is known and computes the other operation than TensorFlow.
    """
    uses_correlation = {'tensorflow': True, 'theano': False, 'cntk': True}
    if original_backend not in uses_correlation:
        return False
    return uses_correlation[original_backend] != uses_correlation['tensorflow']


def fix_conv_kernels(layer, arrays, backend=None, reshape=False):
    """Keras 2's kernel fix-ups for the layer that receives them, after any version-specific conversion:
    Theano kernels are flipped, and 4-D kernels stored `(out, in, rows, cols)` are transposed to the
    layer's `(rows, cols, in, out)`.

    # Arguments
        layer: the receiving layer (only Conv1D/2D/3D, Conv2DTranspose and ConvLSTM2D are touched).
        arrays: its saved arrays, in `layer.weights` order.
        backend: the backend that wrote the file, if recorded.
        reshape: reshape the kernel to the layer's shape when only the shape differs (not the size).

    # Returns
        A list of numpy arrays.

    # Raises
        ValueError: with `reshape=True`, for a kernel whose size differs from the layer's.
    """
    arrays = list(arrays)
    if type(layer).__name__ not in _CONV_CLASSES or not arrays or not layer.weights:
        return arrays
    kernels = 2 if type(layer).__name__ == 'ConvLSTM2D' else 1
    for index in range(min(kernels, len(arrays), len(layer.weights))):
        expected = tuple(layer.weights[index].shape)
        kernel = np.asarray(arrays[index])
        if _need_convert_kernel(backend):
            kernel = flip_kernel(kernel)
        if reshape and kernel.shape != expected:
            if kernel.size != int(np.prod(expected)):
                raise ValueError("Weights must be of equal size to apply a reshape operation. Layer %s's weights "
                                 "have shape %s and size %d. The weights for loading have shape %s and size %d."
                                 % (layer.name, expected, int(np.prod(expected)), kernel.shape, kernel.size))
            kernel = np.reshape(kernel, expected)
        elif kernel.ndim == 4 and kernel.shape != expected and \
                np.transpose(kernel, (3, 2, 0, 1)).shape == expected:
            kernel = np.transpose(kernel, (3, 2, 0, 1))
        arrays[index] = kernel
    return arrays


def _convert_nested(model, arrays, backend, reshape=False):
    """A nested model's group holds all its trainable weights, then all its non-trainable ones."""
    trainable_total = len(model.trainable_weights)
    trainable, non_trainable = list(arrays[:trainable_total]), list(arrays[trainable_total:])
    converted_t, converted_nt = [], []
    for sublayer in model.layers:
        t, nt = len(sublayer.trainable_weights), len(sublayer.non_trainable_weights)
        if not t + nt:
            continue
        mine = trainable[:t] + non_trainable[:nt]
        trainable, non_trainable = trainable[t:], non_trainable[nt:]
        mine = _convert(sublayer, mine, backend, reshape)
        converted_t += mine[:t]
        converted_nt += mine[t:]
    return converted_t + trainable + converted_nt + non_trainable
