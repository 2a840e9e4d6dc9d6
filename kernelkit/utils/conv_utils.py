"""Convolution helpers of Keras 2.2.4 (`keras.utils.conv_utils`): argument normalisation, the output and
input lengths of convolutions along one axis, and kernel flipping.

The length arithmetic here is the one kernelkit's convolution, pooling and transposed-convolution
layers use (`kernelkit.layers.convolutional_base` imports it). The layers check their own arguments with
stricter, layer-named errors; the functions here keep Keras 2.2.4's signatures for code that calls them
directly.
"""
import numbers

from kernelkit import backend as K  # noqa: F401  (Keras 2.2.4's conv_utils carried `K`)
from kernelkit.backend.config import normalize_data_format  # noqa: F401  (one implementation, in the backend)

_OUTPUT_PADDINGS = ('same', 'valid', 'full', 'causal')
_INPUT_PADDINGS = ('same', 'valid', 'full')


def _is_integral(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def normalize_tuple(value, n, name):
    """Turns an int or an iterable of ints into a tuple of `n` ints.

    # Arguments
        value: an int, or a tuple/list of `n` ints.
        n: the length of the tuple.
        name: the argument's name, used in error messages (e.g. `'strides'`).

    # Returns
        A tuple of `n` ints.

    # Raises
        ValueError: if `value` is neither an int nor an iterable of `n` ints.

    # Example
    ```python
    normalize_tuple(3, 2, 'kernel_size')       # (3, 3)
    normalize_tuple((1, 2), 2, 'strides')     # (1, 2)
    ```
    """
    if _is_integral(value):
        return (int(value),) * n
    expected = 'The `%s` argument must be a tuple of %d integers. Received: %r' % (name, n, value)
    try:
        items = tuple(value)
    except TypeError:
        raise ValueError(expected)
    if len(items) != n:
        raise ValueError(expected)
    for item in items:
        if not (_is_integral(item) or (isinstance(item, float) and item.is_integer())):
            raise ValueError('%s, including element %r of type %s.' % (expected, item, type(item).__name__))
    return tuple(int(item) for item in items)


def normalize_padding(value):
    """Lower-cases a `padding` argument and checks it.

    # Arguments
        value: `'valid'`, `'same'` or `'causal'` (any case).

    # Returns
        The lower-cased padding.

    # Raises
        ValueError: for any other value.
    """
    padding = value.lower() if isinstance(value, str) else value
    if padding not in ('valid', 'same', 'causal'):
        raise ValueError('The `padding` argument must be one of "valid", "same" (or "causal" for Conv1D). '
                         'Received: %r' % (value,))
    return padding


def convert_kernel(kernel):
    """Converts a convolution kernel between Theano (convolution) and TensorFlow (correlation).

    Every spatial axis is reversed; the last two axes (input and output channels) are kept.

    # Arguments
        kernel: a Numpy array of rank 3 to 5 (a Conv1D, Conv2D or Conv3D kernel).

    # Returns
        The flipped copy.

    # Raises
        ValueError: for a kernel of another rank.
    """
    from kernelkit.engine.saving.weight_conversion import flip_kernel
    return flip_kernel(kernel)


def dilated_size(kernel, dilation):
    """The extent of a dilated kernel along one axis: `kernel + (kernel - 1) * (dilation - 1)`.

    # Arguments
        kernel: the kernel size.
        dilation: the dilation rate.

    # Returns
        The effective kernel size.
    """
    return kernel + (kernel - 1) * (dilation - 1)


def _check_padding(padding, allowed, function):
    if padding not in allowed:
        raise ValueError('%s: `padding` must be one of %s; received %r.'
                         % (function, ', '.join(repr(p) for p in allowed), padding))


def conv_output_length(input_length, filter_size, padding, stride, dilation=1):
    """The output length of a convolution (or pooling) along one axis.

    # Arguments
        input_length: the input length (an int, a scalar tensor, or `None`).
        filter_size: the kernel size.
        padding: one of `'same'`, `'valid'`, `'full'`, `'causal'`.
        stride: the stride.
        dilation: the dilation rate.

    # Returns
        The output length (`None` for an unknown input length).

    # Raises
        ValueError: for an unknown `padding`.
    """
    if input_length is None:
        return None
    _check_padding(padding, _OUTPUT_PADDINGS, 'conv_output_length')
    size = dilated_size(filter_size, dilation)
    if padding == 'valid':
        input_length = input_length - size + 1
    elif padding == 'full':
        input_length = input_length + size - 1
    return (input_length + stride - 1) // stride


def conv_input_length(output_length, filter_size, padding, stride):
    """The input length of a convolution along one axis, given its output length.

    # Arguments
        output_length: the output length (an int or `None`).
        filter_size: the kernel size.
        padding: one of `'same'`, `'valid'`, `'full'`.
        stride: the stride.

    # Returns
        The input length (`None` for an unknown output length).

    # Raises
        ValueError: for an unknown `padding`.
    """
    if output_length is None:
        return None
    _check_padding(padding, _INPUT_PADDINGS, 'conv_input_length')
    pad = {'same': filter_size // 2, 'valid': 0, 'full': filter_size - 1}[padding]
    return (output_length - 1) * stride - 2 * pad + filter_size


def deconv_length(dim_size, stride_size, kernel_size, padding, output_padding, dilation=1):
    """The output length of a transposed convolution along one axis (Keras 2.2.4's signature).

    # Arguments
        dim_size: the input length (an int, a scalar tensor, or `None`).
        stride_size: the stride.
        kernel_size: the kernel size.
        padding: one of `'same'`, `'valid'`, `'full'`.
        output_padding: the amount of padding added to one side of the output, or `None` to infer the
            length (the largest input of the forward convolution that gives `dim_size`).
        dilation: the dilation rate.

    # Returns
        The output length (`None` for an unknown input length).

    # Raises
        ValueError: for an unknown `padding`.
    """
    _check_padding(padding, _INPUT_PADDINGS, 'deconv_length')
    if dim_size is None:
        return None
    kernel_size = dilated_size(kernel_size, dilation)
    if output_padding is None:
        if padding == 'valid':
            return dim_size * stride_size + max(kernel_size - stride_size, 0)
        if padding == 'full':
            return dim_size * stride_size - (stride_size + kernel_size - 2)
        return dim_size * stride_size
    pad = {'same': kernel_size // 2, 'valid': 0, 'full': kernel_size - 1}[padding]
    return (dim_size - 1) * stride_size + kernel_size - 2 * pad + output_padding
