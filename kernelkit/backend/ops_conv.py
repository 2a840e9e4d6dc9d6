"""Backend convolution and pooling, with Keras 2 kernel layouts and `data_format` handling.

Kernels are always stored channels-last: `(spatial..., in_channels, out_channels)`. For
`data_format='channels_first'` the input is transposed to channels-last, processed, and transposed
back (TensorFlow's CPU kernels only support channels-last).
"""
import tensorflow as tf

from .config import normalize_data_format
from .ops import _tensor_or_variable, int_shape, ndim
from .ops_math import batch_dot
from .ops_shape import _from_nhwc, _nhwc, concatenate, permute_dimensions, reshape, \
    temporal_padding


def _t(x):
    return _tensor_or_variable(x)


def _padding(padding):
    if padding == 'same':
        return 'SAME'
    if padding == 'valid':
        return 'VALID'
    raise ValueError('Invalid padding: %r. `padding` must be "valid" or "same".' % (padding,))


def _tuple(value, n, name):
    if isinstance(value, int):
        return (value,) * n
    value = tuple(int(v) for v in value)
    if len(value) != n:
        raise ValueError('`%s` must be an int or a tuple of %d ints, received %r.'
                         % (name, n, value))
    return value


def _check_rank(x, rank, fn_name):
    if ndim(x) != rank:
        raise ValueError('`%s` expects a %dD input, received a tensor of shape %s.'
                         % (fn_name, rank, int_shape(x)))


_CHANNELS_LAST = {1: 'NWC', 2: 'NHWC', 3: 'NDHWC'}


def _convolution(x, kernel, strides, padding, data_format, dilation_rate, rank, fn_name):
    data_format = normalize_data_format(data_format)
    x, kernel = _t(x), _t(kernel)
    _check_rank(x, rank + 2, fn_name)
    strides = _tuple(strides, rank, 'strides')
    dilation_rate = _tuple(dilation_rate, rank, 'dilation_rate')
    # An explicit channels-last format: TensorFlow's 3D gradients fail in eager mode without one.
    out = tf.nn.convolution(_nhwc(x, data_format, rank + 2), kernel, strides=strides,
                            padding=_padding(padding), dilations=dilation_rate,
                            data_format=_CHANNELS_LAST[rank])
    return _from_nhwc(out, data_format, rank + 2)


def conv1d(x, kernel, strides=1, padding='valid', data_format=None, dilation_rate=1):
    """1D convolution.

    # Arguments
        x: a 3D tensor.
        kernel: the kernel, shape `(width, in_channels, filters)`.
        strides: the stride (an int).
        padding: `'valid'`, `'same'` or `'causal'` (left padding, channels_last only).
        data_format: `'channels_last'` (`(batch, steps, channels)`) or `'channels_first'`.
        dilation_rate: the dilation rate (an int).

    # Returns
        A 3D tensor.

    # Raises
        ValueError: for an unknown padding or data format, or causal padding with channels_first.
    """
    data_format = normalize_data_format(data_format)
    if isinstance(strides, (list, tuple)):
        strides = strides[0]
    if isinstance(dilation_rate, (list, tuple)):
        dilation_rate = dilation_rate[0]
    if padding == 'causal':
        if data_format != 'channels_last':
            raise ValueError('When using causal padding in `conv1d`, `data_format` must be '
                             '"channels_last" (temporal data).')
        left_pad = dilation_rate * (int_shape(kernel)[0] - 1)
        x = temporal_padding(x, (left_pad, 0))
        padding = 'valid'
    return _convolution(x, kernel, strides, padding, data_format, dilation_rate, 1, 'conv1d')


def conv2d(x, kernel, strides=(1, 1), padding='valid', data_format=None, dilation_rate=(1, 1)):
    """2D convolution.

    # Arguments
        x: a 4D tensor.
        kernel: the kernel, shape `(rows, cols, in_channels, filters)`.
        strides: a tuple of 2 ints.
        padding: `'valid'` or `'same'`.
        data_format: `'channels_last'` or `'channels_first'` (default: `image_data_format()`).
        dilation_rate: a tuple of 2 ints.

    # Returns
        A 4D tensor.
    """
    return _convolution(x, kernel, strides, padding, data_format, dilation_rate, 2, 'conv2d')


def conv3d(x, kernel, strides=(1, 1, 1), padding='valid', data_format=None,
           dilation_rate=(1, 1, 1)):
    """3D convolution.

    # Arguments
        x: a 5D tensor.
        kernel: the kernel, shape `(depth, rows, cols, in_channels, filters)`.
        strides: a tuple of 3 ints.
        padding: `'valid'` or `'same'`.
        data_format: `'channels_last'` or `'channels_first'` (default: `image_data_format()`).
        dilation_rate: a tuple of 3 ints.

    # Returns
        A 5D tensor.
    """
    return _convolution(x, kernel, strides, padding, data_format, dilation_rate, 3, 'conv3d')


def _conv_transpose(x, kernel, output_shape, strides, padding, data_format, dilation_rate, rank,
                    fn_name):
    data_format = normalize_data_format(data_format)
    x, kernel = _t(x), _t(kernel)
    _check_rank(x, rank + 2, fn_name)
    strides = _tuple(strides, rank, 'strides')
    dilation_rate = _tuple(dilation_rate, rank, 'dilation_rate')
    order = [0] + list(range(2, rank + 2)) + [1]  # channels_first -> channels_last
    if tf.is_tensor(output_shape):
        output_shape = tf.cast(output_shape, tf.int32)
        if data_format == 'channels_first':
            output_shape = tf.gather(output_shape, order)
    else:
        dims = list(output_shape)
        if len(dims) != rank + 2:
            raise ValueError('`output_shape` must have %d entries, received %r.'
                             % (rank + 2, output_shape))
        if data_format == 'channels_first':
            dims = [dims[i] for i in order]
        if dims[0] is None:
            dims[0] = tf.shape(x)[0]
        output_shape = tf.stack([tf.cast(d, tf.int32) for d in dims])
    out = tf.nn.conv_transpose(_nhwc(x, data_format, rank + 2), kernel, output_shape,
                               strides=strides, padding=_padding(padding),
                               dilations=dilation_rate)
    return _from_nhwc(out, data_format, rank + 2)


def conv2d_transpose(x, kernel, output_shape, strides=(1, 1), padding='valid', data_format=None,
                     dilation_rate=(1, 1)):
    """2D transposed convolution (sometimes called deconvolution).

    # Arguments
        x: a 4D tensor.
        kernel: the kernel, shape `(rows, cols, filters, in_channels)`.
        output_shape: the output shape (a tuple of 4 ints, in `data_format` order; the batch
            entry may be None).
        strides: a tuple of 2 ints.
        padding: `'valid'` or `'same'`.
        data_format: `'channels_last'` or `'channels_first'` (default: `image_data_format()`).
        dilation_rate: a tuple of 2 ints.

    # Returns
        A 4D tensor.
    """
    return _conv_transpose(x, kernel, output_shape, strides, padding, data_format, dilation_rate,
                           2, 'conv2d_transpose')


def conv3d_transpose(x, kernel, output_shape, strides=(1, 1, 1), padding='valid',
                     data_format=None):
    """3D transposed convolution (sometimes called deconvolution).

    # Arguments
        x: a 5D tensor.
        kernel: the kernel, shape `(depth, rows, cols, filters, in_channels)`.
        output_shape: the output shape (a tuple of 5 ints, in `data_format` order; the batch
            entry may be None).
        strides: a tuple of 3 ints.
        padding: `'valid'` or `'same'`.
        data_format: `'channels_last'` or `'channels_first'` (default: `image_data_format()`).

    # Returns
        A 5D tensor.
    """
    return _conv_transpose(x, kernel, output_shape, strides, padding, data_format, 1, 3,
                           'conv3d_transpose')


def separable_conv2d(x, depthwise_kernel, pointwise_kernel, strides=(1, 1), padding='valid',
                     data_format=None, dilation_rate=(1, 1)):
    """2D separable convolution: a depthwise convolution followed by a 1x1 convolution.

    # Arguments
        x: a 4D tensor.
        depthwise_kernel: shape `(rows, cols, in_channels, depth_multiplier)`.
        pointwise_kernel: shape `(1, 1, in_channels * depth_multiplier, filters)`.
        strides: a tuple of 2 ints.
        padding: `'valid'` or `'same'`.
        data_format: `'channels_last'` or `'channels_first'` (default: `image_data_format()`).
        dilation_rate: a tuple of 2 ints.

    # Returns
        A 4D tensor.
    """
    data_format = normalize_data_format(data_format)
    x = _t(x)
    _check_rank(x, 4, 'separable_conv2d')
    strides = _tuple(strides, 2, 'strides')
    out = tf.nn.separable_conv2d(_nhwc(x, data_format, 4), _t(depthwise_kernel),
                                 _t(pointwise_kernel), strides=(1,) + strides + (1,),
                                 padding=_padding(padding),
                                 dilations=_tuple(dilation_rate, 2, 'dilation_rate'))
    return _from_nhwc(out, data_format, 4)


def separable_conv1d(x, depthwise_kernel, pointwise_kernel, strides=1, padding='valid',
                     data_format=None, dilation_rate=1):
    """1D separable convolution: a depthwise convolution followed by a pointwise one.

    # Arguments
        x: a 3D tensor.
        depthwise_kernel: shape `(width, in_channels, depth_multiplier)`.
        pointwise_kernel: shape `(1, in_channels * depth_multiplier, filters)`.
        strides: the stride (an int).
        padding: `'valid'` or `'same'`.
        data_format: `'channels_last'` or `'channels_first'` (default: `image_data_format()`).
        dilation_rate: the dilation rate (an int).

    # Returns
        A 3D tensor.
    """
    data_format = normalize_data_format(data_format)
    x = _t(x)
    _check_rank(x, 3, 'separable_conv1d')
    stride = _tuple(strides, 1, 'strides')[0]
    dilation = _tuple(dilation_rate, 1, 'dilation_rate')[0]
    x2 = tf.expand_dims(_nhwc(x, data_format, 3), 1)  # (batch, 1, steps, channels)
    out = tf.nn.separable_conv2d(x2, tf.expand_dims(_t(depthwise_kernel), 0),
                                 tf.expand_dims(_t(pointwise_kernel), 0),
                                 strides=(1, 1, stride, 1), padding=_padding(padding),
                                 dilations=(1, dilation))
    return _from_nhwc(tf.squeeze(out, [1]), data_format, 3)


def depthwise_conv2d(x, depthwise_kernel, strides=(1, 1), padding='valid', data_format=None,
                     dilation_rate=(1, 1)):
    """2D depthwise convolution: each input channel is convolved with its own filters.

    # Arguments
        x: a 4D tensor.
        depthwise_kernel: shape `(rows, cols, in_channels, depth_multiplier)`.
        strides: a tuple of 2 ints.
        padding: `'valid'` or `'same'`.
        data_format: `'channels_last'` or `'channels_first'` (default: `image_data_format()`).
        dilation_rate: a tuple of 2 ints.

    # Returns
        A 4D tensor.
    """
    data_format = normalize_data_format(data_format)
    x = _t(x)
    _check_rank(x, 4, 'depthwise_conv2d')
    strides = _tuple(strides, 2, 'strides')
    out = tf.nn.depthwise_conv2d(_nhwc(x, data_format, 4), _t(depthwise_kernel),
                                 strides=(1,) + strides + (1,), padding=_padding(padding),
                                 dilations=_tuple(dilation_rate, 2, 'dilation_rate'))
    return _from_nhwc(out, data_format, 4)


def _pool(x, pool_size, strides, padding, data_format, pool_mode, rank, fn_name):
    data_format = normalize_data_format(data_format)
    x = _t(x)
    _check_rank(x, rank + 2, fn_name)
    pool_size = _tuple(pool_size, rank, 'pool_size')
    strides = _tuple(strides, rank, 'strides')
    if pool_mode == 'max':
        fn = tf.nn.max_pool
    elif pool_mode == 'avg':
        fn = tf.nn.avg_pool
    else:
        raise ValueError('Invalid pooling mode: %r. `pool_mode` must be "max" or "avg".'
                         % (pool_mode,))
    out = fn(_nhwc(x, data_format, rank + 2), pool_size, strides, _padding(padding),
             data_format=_CHANNELS_LAST[rank])
    return _from_nhwc(out, data_format, rank + 2)


def pool2d(x, pool_size, strides=(1, 1), padding='valid', data_format=None, pool_mode='max'):
    """2D pooling.

    # Arguments
        x: a 4D tensor.
        pool_size: a tuple of 2 ints.
        strides: a tuple of 2 ints.
        padding: `'valid'` or `'same'` (averages ignore the padded positions).
        data_format: `'channels_last'` or `'channels_first'` (default: `image_data_format()`).
        pool_mode: `'max'` or `'avg'`.

    # Returns
        A 4D tensor.

    # Raises
        ValueError: for an unknown padding, data format or pooling mode.
    """
    return _pool(x, pool_size, strides, padding, data_format, pool_mode, 2, 'pool2d')


def pool3d(x, pool_size, strides=(1, 1, 1), padding='valid', data_format=None,
           pool_mode='max'):
    """3D pooling.

    # Arguments
        x: a 5D tensor.
        pool_size: a tuple of 3 ints.
        strides: a tuple of 3 ints.
        padding: `'valid'` or `'same'`.
        data_format: `'channels_last'` or `'channels_first'` (default: `image_data_format()`).
        pool_mode: `'max'` or `'avg'`.

    # Returns
        A 5D tensor.

    # Raises
        ValueError: for an unknown padding, data format or pooling mode.
    """
    return _pool(x, pool_size, strides, padding, data_format, pool_mode, 3, 'pool3d')


def bias_add(x, bias, data_format=None):
    """Adds a bias vector (or a per-position bias) to a tensor.

    # Arguments
        x: a tensor.
        bias: a 1D tensor with one entry per channel, or a tensor of shape
            `(spatial..., channels)` (rank `ndim(x) - 1`). For channels_first input such a bias is
            reshaped, as Keras 2 did, to `(channels, spatial...)` (its memory order is kept).
        data_format: `'channels_last'` or `'channels_first'` (default: `image_data_format()`).

    # Returns
        A tensor.

    # Raises
        ValueError: if the bias rank is neither 1 nor `ndim(x) - 1`.
    """
    data_format = normalize_data_format(data_format)
    x, bias = _t(x), _t(bias)
    bias_rank, rank = ndim(bias), ndim(x)
    if bias_rank != 1 and bias_rank != rank - 1:
        raise ValueError('Unexpected bias dimensions %d, expected 1 or %d dimensions.'
                         % (bias_rank, rank - 1))
    if data_format == 'channels_first' and rank >= 3:
        if bias_rank == 1:
            return x + tf.reshape(bias, [1, -1] + [1] * (rank - 2))
        # Keras 2 reshapes (not transposes) a `(spatial..., channels)` bias to channels-first.
        bias_shape = int_shape(bias)
        return x + tf.reshape(bias, (1, bias_shape[-1]) + tuple(bias_shape[:-1]))
    if bias_rank == 1:
        return tf.nn.bias_add(x, bias)
    return x + tf.expand_dims(bias, 0)


def _local_conv(inputs, kernel, kernel_size, strides, output_shape, data_format):
    """Shared implementation of `local_conv1d` and `local_conv2d` (unshared weights)."""
    data_format = normalize_data_format(data_format)
    inputs = _t(inputs)
    rank = len(output_shape)
    kernel_size = _tuple(kernel_size, rank, 'kernel_size')
    strides = _tuple(strides, rank, 'strides')
    feature_dim = int_shape(kernel)[1]
    filters = int_shape(kernel)[2]
    positions = [[]]
    for size in output_shape:
        positions = [p + [i] for p in positions for i in range(size)]
    patches = []
    for position in positions:
        window = [slice(i * s, i * s + k) for i, s, k in zip(position, strides, kernel_size)]
        if data_format == 'channels_first':
            index = (slice(None), slice(None)) + tuple(window)
        else:
            index = (slice(None),) + tuple(window) + (slice(None),)
        patches.append(reshape(inputs[index], (1, -1, feature_dim)))
    aggregate = concatenate(patches, axis=0)  # (positions, batch, feature_dim)
    output = batch_dot(aggregate, kernel)  # (positions, batch, filters)
    output = reshape(output, tuple(output_shape) + (-1, filters))
    if data_format == 'channels_first':
        return permute_dimensions(output, [rank, rank + 1] + list(range(rank)))
    return permute_dimensions(output, [rank] + list(range(rank)) + [rank + 1])


def local_conv1d(inputs, kernel, kernel_size, strides, data_format=None):
    """1D convolution with unshared weights (one kernel per output position).

    # Arguments
        inputs: a 3D tensor.
        kernel: shape `(output_length, kernel_size * input_dim, filters)`.
        kernel_size: a tuple of 1 int.
        strides: a tuple of 1 int.
        data_format: `'channels_last'` or `'channels_first'` (default: `image_data_format()`).

    # Returns
        A 3D tensor: `(batch, output_length, filters)` (channels_last).
    """
    output_length = int_shape(kernel)[0]
    return _local_conv(inputs, kernel, kernel_size, strides, (output_length,), data_format)


def local_conv2d(inputs, kernel, kernel_size, strides, output_shape, data_format=None):
    """2D convolution with unshared weights (one kernel per output position).

    # Arguments
        inputs: a 4D tensor.
        kernel: shape `(output_rows * output_cols, kernel_rows * kernel_cols * input_dim,
            filters)`.
        kernel_size: a tuple of 2 ints.
        strides: a tuple of 2 ints.
        output_shape: a tuple `(output_rows, output_cols)`.
        data_format: `'channels_last'` or `'channels_first'` (default: `image_data_format()`).

    # Returns
        A 4D tensor.
    """
    return _local_conv(inputs, kernel, kernel_size, strides, tuple(output_shape), data_format)


__all__ = ['conv1d', 'conv2d', 'conv3d', 'conv2d_transpose', 'conv3d_transpose',
           'separable_conv1d', 'separable_conv2d', 'depthwise_conv2d', 'pool2d', 'pool3d',
           'bias_add', 'local_conv1d', 'local_conv2d']
