"""Convolution layers (Keras 2.2): Conv1D/2D/3D, Conv2DTranspose/3DTranspose, SeparableConv1D/2D,
DepthwiseConv2D, and their Keras 2 aliases (`Convolution2D`, `Deconvolution2D`, ...).

The reshaping layers that Keras 2 kept in the same module (UpSampling, ZeroPadding, Cropping) live in
`convolutional_reshaping.py`; the shared machinery in `convolutional_base.py`.
"""
import tensorflow as tf

from kernelkit.layers.convolutional_base import (_Conv, _ConvTranspose, _DepthwiseConv, _SeparableConv,
                                                 describe)
# Keras 2 also exposed these from `keras.layers.convolutional` (`from keras.layers.convolutional import
# MaxPooling2D, ZeroPadding2D` is common in old notebooks); they are defined in their own modules.
from kernelkit.layers.convolutional_reshaping import (  # noqa: F401
    Cropping1D, Cropping2D, Cropping3D, UpSampling1D, UpSampling2D, UpSampling3D, ZeroPadding1D, ZeroPadding2D,
    ZeroPadding3D)
from kernelkit.layers.pooling import (  # noqa: F401
    AveragePooling1D, AveragePooling2D, AveragePooling3D, MaxPooling1D, MaxPooling2D, MaxPooling3D)


class Conv1D(_Conv):
    """1D convolution layer (e.g. temporal convolution).

    Convolves a kernel with the input over its single spatial (time) dimension, adds a bias when
    `use_bias`, then applies `activation`. Kernel shape: `(kernel_size, input_channels, filters)`.

    # Arguments
        filters: positive integer, the number of output channels.
        kernel_size: integer or tuple of 1 integer, the length of the convolution window.
        strides: integer or tuple of 1 integer, the stride. A stride != 1 cannot be combined with a
            `dilation_rate` != 1.
        padding: `'valid'` (no padding), `'same'` (output as long as the input divided by the stride) or
            `'causal'` (output[t] depends only on input[:t + 1]; left padding, for temporal models).
        data_format: `'channels_last'` (default, `(batch, steps, channels)`) or `'channels_first'`
            (`(batch, channels, steps)`). Causal padding needs `'channels_last'`.
        dilation_rate: integer or tuple of 1 integer, the dilation rate of the window.
        activation: activation function or name (default `None`: linear, `a(x) = x`).
        use_bias: boolean, whether the layer adds a bias vector.
        kernel_initializer: initializer of the `kernel` weights (default `'glorot_uniform'`).
        bias_initializer: initializer of the bias (default `'zeros'`).
        kernel_regularizer: regularizer applied to the kernel.
        bias_regularizer: regularizer applied to the bias.
        activity_regularizer: regularizer applied to the output of the layer.
        kernel_constraint: constraint applied to the kernel after each update.
        bias_constraint: constraint applied to the bias after each update.

    # Input shape
        3D tensor `(batch, steps, channels)` (or `(batch, channels, steps)` for channels_first).

    # Output shape
        3D tensor `(batch, new_steps, filters)` (or `(batch, filters, new_steps)`).

    # Raises
        ValueError: for a non-positive `filters`, `kernel_size`, `strides` or `dilation_rate`, an unknown
            `padding` or `data_format`, strides and dilation both != 1, causal padding with channels_first;
            when built, for an input of the wrong rank, an unknown channel size, or (with 'valid' padding)
            an input shorter than the dilated kernel.
    """

    _paddings = ('valid', 'same', 'causal')

    def __init__(self, filters, kernel_size, strides=1, padding='valid', data_format='channels_last',
                 dilation_rate=1, activation=None, use_bias=True, kernel_initializer='glorot_uniform',
                 bias_initializer='zeros', kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        super(Conv1D, self).__init__(
            1, filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
            dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint, **kwargs)
        if self.padding == 'causal' and self.data_format != 'channels_last':
            raise ValueError('%s: causal padding needs data_format="channels_last" (temporal data), got %r.'
                             % (describe(self), self.data_format))

    def _convolve(self, x):
        if self.padding != 'causal':
            return super(Conv1D, self)._convolve(x)
        left = self.dilation_rate[0] * (self.kernel_size[0] - 1)
        x = tf.pad(x, [[0, 0], [left, 0], [0, 0]])
        return tf.nn.convolution(x, self.kernel, strides=self.strides, padding='VALID',
                                 dilations=self.dilation_rate, data_format='NWC')


class Conv2D(_Conv):
    """2D convolution layer (e.g. spatial convolution over images).

    Convolves a kernel with the input over its two spatial dimensions, adds a bias when `use_bias`,
    then applies `activation`. Kernel shape: `(rows, cols, input_channels, filters)`. As a first layer,
    pass e.g. `input_shape=(128, 128, 3)` for 128x128 RGB pictures (channels_last).

    # Arguments
        filters: positive integer, the number of output channels.
        kernel_size: integer or tuple of 2 integers, the height and width of the convolution window.
        strides: integer or tuple of 2 integers, the strides along height and width. Strides != 1
            cannot be combined with a `dilation_rate` != 1.
        padding: `'valid'` or `'same'` (case-insensitive).
        data_format: `'channels_last'` (`(batch, rows, cols, channels)`) or `'channels_first'`
            (`(batch, channels, rows, cols)`); default `K.image_data_format()`.
        dilation_rate: integer or tuple of 2 integers, the dilation rate of the window.
        activation: activation function or name (default `None`: linear, `a(x) = x`).
        use_bias: boolean, whether the layer adds a bias vector.
        kernel_initializer: initializer of the `kernel` weights (default `'glorot_uniform'`).
        bias_initializer: initializer of the bias (default `'zeros'`).
        kernel_regularizer: regularizer applied to the kernel.
        bias_regularizer: regularizer applied to the bias.
        activity_regularizer: regularizer applied to the output of the layer.
        kernel_constraint: constraint applied to the kernel after each update.
        bias_constraint: constraint applied to the bias after each update.

    # Input shape
        4D tensor `(batch, rows, cols, channels)` (or `(batch, channels, rows, cols)`).

    # Output shape
        4D tensor `(batch, new_rows, new_cols, filters)` (or `(batch, filters, new_rows, new_cols)`).

    # Raises
        ValueError: for a non-positive `filters`, `kernel_size`, `strides` or `dilation_rate`, a tuple of
            the wrong length, an unknown `padding` or `data_format`, strides and dilation both != 1; when
            built, for an input of the wrong rank, an unknown channel size, or (with 'valid' padding) an
            input smaller than the dilated kernel.
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding='valid', data_format=None,
                 dilation_rate=(1, 1), activation=None, use_bias=True, kernel_initializer='glorot_uniform',
                 bias_initializer='zeros', kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        super(Conv2D, self).__init__(
            2, filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
            dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint, **kwargs)


class Conv3D(_Conv):
    """3D convolution layer (e.g. spatial convolution over volumes).

    Convolves a kernel with the input over its three spatial dimensions, adds a bias when `use_bias`,
    then applies `activation`. Kernel shape: `(dim1, dim2, dim3, input_channels, filters)`.

    # Arguments
        filters: positive integer, the number of output channels.
        kernel_size: integer or tuple of 3 integers, the depth, height and width of the window.
        strides: integer or tuple of 3 integers, the strides along each spatial dimension. Strides != 1
            cannot be combined with a `dilation_rate` != 1.
        padding: `'valid'` or `'same'` (case-insensitive).
        data_format: `'channels_last'` (`(batch, dim1, dim2, dim3, channels)`) or `'channels_first'`
            (`(batch, channels, dim1, dim2, dim3)`); default `K.image_data_format()`.
        dilation_rate: integer or tuple of 3 integers, the dilation rate of the window.
        activation: activation function or name (default `None`: linear, `a(x) = x`).
        use_bias: boolean, whether the layer adds a bias vector.
        kernel_initializer: initializer of the `kernel` weights (default `'glorot_uniform'`).
        bias_initializer: initializer of the bias (default `'zeros'`).
        kernel_regularizer: regularizer applied to the kernel.
        bias_regularizer: regularizer applied to the bias.
        activity_regularizer: regularizer applied to the output of the layer.
        kernel_constraint: constraint applied to the kernel after each update.
        bias_constraint: constraint applied to the bias after each update.

    # Input shape
        5D tensor `(batch, dim1, dim2, dim3, channels)` (or `(batch, channels, dim1, dim2, dim3)`).

    # Output shape
        5D tensor `(batch, new_dim1, new_dim2, new_dim3, filters)` (or channels first).

    # Raises
        ValueError: as `Conv2D`, for 3 spatial dimensions.
    """

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding='valid', data_format=None,
                 dilation_rate=(1, 1, 1), activation=None, use_bias=True, kernel_initializer='glorot_uniform',
                 bias_initializer='zeros', kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        super(Conv3D, self).__init__(
            3, filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
            dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint, **kwargs)


class Conv2DTranspose(_ConvTranspose):
    """Transposed 2D convolution layer (sometimes called deconvolution).

    Goes the opposite way of a `Conv2D` with the same arguments: from something shaped like that
    convolution's output to something shaped like its input (e.g. to upsample feature maps in a
    decoder). Kernel shape: `(rows, cols, filters, input_channels)`.

    # Arguments
        filters: positive integer, the number of output channels.
        kernel_size: integer or tuple of 2 integers, the height and width of the window.
        strides: integer or tuple of 2 integers, the upsampling strides along height and width.
            Strides != 1 cannot be combined with a `dilation_rate` != 1.
        padding: `'valid'` or `'same'` (case-insensitive).
        output_padding: `None` (default: the output size is inferred) or an integer or tuple of 2
            integers, the amount added to the output along height and width; each entry must be smaller
            than the stride along the same axis. With it,
            `new_rows = (rows - 1) * strides[0] + dilated_kernel[0] - 2 * pad + output_padding[0]`, where
            `pad` is `dilated_kernel // 2` for 'same' and 0 for 'valid'.
        data_format: `'channels_last'` or `'channels_first'` (default `K.image_data_format()`).
        dilation_rate: integer or tuple of 2 integers, the dilation rate of the window.
        activation: activation function or name (default `None`: linear, `a(x) = x`).
        use_bias: boolean, whether the layer adds a bias vector.
        kernel_initializer: initializer of the `kernel` weights (default `'glorot_uniform'`).
        bias_initializer: initializer of the bias (default `'zeros'`).
        kernel_regularizer: regularizer applied to the kernel.
        bias_regularizer: regularizer applied to the bias.
        activity_regularizer: regularizer applied to the output of the layer.
        kernel_constraint: constraint applied to the kernel after each update.
        bias_constraint: constraint applied to the bias after each update.

    # Input shape
        4D tensor `(batch, rows, cols, channels)` (or `(batch, channels, rows, cols)`).

    # Output shape
        4D tensor `(batch, new_rows, new_cols, filters)` (or channels first). Without
        `output_padding`, `new_rows = rows * stride` for 'same' and
        `rows * stride + max(dilated_kernel - stride, 0)` for 'valid'.

    # Raises
        ValueError: for the invalid arguments `Conv2D` rejects, or an `output_padding` entry not smaller
            than its stride; when built, for an input of the wrong rank or an unknown channel size.
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding='valid', output_padding=None,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 kernel_initializer='glorot_uniform', bias_initializer='zeros', kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, **kwargs):
        super(Conv2DTranspose, self).__init__(
            2, filters, kernel_size, strides=strides, padding=padding, output_padding=output_padding,
            data_format=data_format, dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint, **kwargs)


class Conv3DTranspose(_ConvTranspose):
    """Transposed 3D convolution layer (sometimes called deconvolution).

    The 3D counterpart of `Conv2DTranspose` (Keras 2.2 gives it no `dilation_rate`). Kernel shape:
    `(dim1, dim2, dim3, filters, input_channels)`.

    # Arguments
        filters: positive integer, the number of output channels.
        kernel_size: integer or tuple of 3 integers, the depth, height and width of the window.
        strides: integer or tuple of 3 integers, the upsampling strides.
        padding: `'valid'` or `'same'` (case-insensitive).
        output_padding: `None` (default: inferred) or an integer or tuple of 3 integers, each smaller
            than the stride along the same axis (see `Conv2DTranspose`).
        data_format: `'channels_last'` or `'channels_first'` (default `K.image_data_format()`).
        activation: activation function or name (default `None`: linear, `a(x) = x`).
        use_bias: boolean, whether the layer adds a bias vector.
        kernel_initializer: initializer of the `kernel` weights (default `'glorot_uniform'`).
        bias_initializer: initializer of the bias (default `'zeros'`).
        kernel_regularizer: regularizer applied to the kernel.
        bias_regularizer: regularizer applied to the bias.
        activity_regularizer: regularizer applied to the output of the layer.
        kernel_constraint: constraint applied to the kernel after each update.
        bias_constraint: constraint applied to the bias after each update.

    # Input shape
        5D tensor `(batch, dim1, dim2, dim3, channels)` (or `(batch, channels, dim1, dim2, dim3)`).

    # Output shape
        5D tensor `(batch, new_dim1, new_dim2, new_dim3, filters)` (or channels first).

    # Raises
        ValueError: as `Conv2DTranspose`, for 3 spatial dimensions.
        TypeError: for a `dilation_rate` argument.
    """

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding='valid', output_padding=None,
                 data_format=None, activation=None, use_bias=True, kernel_initializer='glorot_uniform',
                 bias_initializer='zeros', kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        if 'dilation_rate' in kwargs:  # Keras 2.2 silently ignored it; refuse rather than drop it from configs
            raise TypeError("Keyword argument not understood by `Conv3DTranspose`: 'dilation_rate' (Keras 2.2's "
                            "Conv3DTranspose has no dilation).")
        super(Conv3DTranspose, self).__init__(
            3, filters, kernel_size, strides=strides, padding=padding, output_padding=output_padding,
            data_format=data_format, activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint, **kwargs)

    def get_config(self):
        config = super(Conv3DTranspose, self).get_config()
        del config['dilation_rate']
        return config


class SeparableConv1D(_SeparableConv):
    """Depthwise separable 1D convolution.

    First a depthwise convolution (each input channel convolved on its own, producing
    `depth_multiplier` channels each), then a pointwise convolution (window 1) mixing those
    `input_channels * depth_multiplier` channels into `filters` outputs. Weights, in order:
    `depthwise_kernel` `(kernel_size, input_channels, depth_multiplier)`, `pointwise_kernel`
    `(1, input_channels * depth_multiplier, filters)`, `bias` `(filters,)`.

    # Arguments
        filters: positive integer, the number of output channels.
        kernel_size: integer or tuple of 1 integer, the length of the depthwise window.
        strides: integer or tuple of 1 integer. A stride != 1 cannot be combined with dilation != 1.
        padding: `'valid'` or `'same'` (case-insensitive).
        data_format: `'channels_last'` (`(batch, steps, channels)`) or `'channels_first'`; default
            `K.image_data_format()`.
        dilation_rate: integer or tuple of 1 integer, the dilation rate of the depthwise window.
        depth_multiplier: positive integer, depthwise output channels per input channel.
        activation: activation function or name (default `None`: linear).
        use_bias: boolean, whether the layer adds a bias vector.
        depthwise_initializer: initializer of the depthwise kernel (default `'glorot_uniform'`).
        pointwise_initializer: initializer of the pointwise kernel (default `'glorot_uniform'`).
        bias_initializer: initializer of the bias (default `'zeros'`).
        depthwise_regularizer: regularizer applied to the depthwise kernel.
        pointwise_regularizer: regularizer applied to the pointwise kernel.
        bias_regularizer: regularizer applied to the bias.
        activity_regularizer: regularizer applied to the output of the layer.
        depthwise_constraint: constraint applied to the depthwise kernel.
        pointwise_constraint: constraint applied to the pointwise kernel.
        bias_constraint: constraint applied to the bias.

    # Input shape
        3D tensor `(batch, steps, channels)` (or `(batch, channels, steps)`).

    # Output shape
        3D tensor `(batch, new_steps, filters)` (or `(batch, filters, new_steps)`).

    # Raises
        ValueError: for the invalid arguments `Conv1D` rejects (causal padding included) or a
            non-positive `depth_multiplier`; when built, as `Conv1D`.
    """

    def __init__(self, filters, kernel_size, strides=1, padding='valid', data_format=None, dilation_rate=1,
                 depth_multiplier=1, activation=None, use_bias=True, depthwise_initializer='glorot_uniform',
                 pointwise_initializer='glorot_uniform', bias_initializer='zeros', depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None, **kwargs):
        super(SeparableConv1D, self).__init__(
            1, filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
            dilation_rate=dilation_rate, depth_multiplier=depth_multiplier, activation=activation,
            use_bias=use_bias, depthwise_initializer=depthwise_initializer,
            pointwise_initializer=pointwise_initializer, bias_initializer=bias_initializer,
            depthwise_regularizer=depthwise_regularizer, pointwise_regularizer=pointwise_regularizer,
            bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
            depthwise_constraint=depthwise_constraint, pointwise_constraint=pointwise_constraint,
            bias_constraint=bias_constraint, **kwargs)


class SeparableConv2D(_SeparableConv):
    """Depthwise separable 2D convolution.

    First a depthwise convolution (each input channel convolved on its own, producing
    `depth_multiplier` channels each), then a pointwise 1x1 convolution mixing those
    `input_channels * depth_multiplier` channels into `filters` outputs. Weights, in order:
    `depthwise_kernel` `(rows, cols, input_channels, depth_multiplier)`, `pointwise_kernel`
    `(1, 1, input_channels * depth_multiplier, filters)`, `bias` `(filters,)`.

    # Arguments
        filters: positive integer, the number of output channels.
        kernel_size: integer or tuple of 2 integers, the height and width of the depthwise window.
        strides: integer or tuple of 2 integers. Strides != 1 cannot be combined with dilation != 1.
        padding: `'valid'` or `'same'` (case-insensitive).
        data_format: `'channels_last'` or `'channels_first'` (default `K.image_data_format()`).
        dilation_rate: integer or tuple of 2 integers, the dilation rate of the depthwise window.
        depth_multiplier: positive integer, depthwise output channels per input channel.
        activation: activation function or name (default `None`: linear).
        use_bias: boolean, whether the layer adds a bias vector.
        depthwise_initializer: initializer of the depthwise kernel (default `'glorot_uniform'`).
        pointwise_initializer: initializer of the pointwise kernel (default `'glorot_uniform'`).
        bias_initializer: initializer of the bias (default `'zeros'`).
        depthwise_regularizer: regularizer applied to the depthwise kernel.
        pointwise_regularizer: regularizer applied to the pointwise kernel.
        bias_regularizer: regularizer applied to the bias.
        activity_regularizer: regularizer applied to the output of the layer.
        depthwise_constraint: constraint applied to the depthwise kernel.
        pointwise_constraint: constraint applied to the pointwise kernel.
        bias_constraint: constraint applied to the bias.

    # Input shape
        4D tensor `(batch, rows, cols, channels)` (or `(batch, channels, rows, cols)`).

    # Output shape
        4D tensor `(batch, new_rows, new_cols, filters)` (or channels first).

    # Raises
        ValueError: for the invalid arguments `Conv2D` rejects or a non-positive `depth_multiplier`;
            when built, as `Conv2D`.
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding='valid', data_format=None,
                 dilation_rate=(1, 1), depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer='glorot_uniform', pointwise_initializer='glorot_uniform',
                 bias_initializer='zeros', depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super(SeparableConv2D, self).__init__(
            2, filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
            dilation_rate=dilation_rate, depth_multiplier=depth_multiplier, activation=activation,
            use_bias=use_bias, depthwise_initializer=depthwise_initializer,
            pointwise_initializer=pointwise_initializer, bias_initializer=bias_initializer,
            depthwise_regularizer=depthwise_regularizer, pointwise_regularizer=pointwise_regularizer,
            bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
            depthwise_constraint=depthwise_constraint, pointwise_constraint=pointwise_constraint,
            bias_constraint=bias_constraint, **kwargs)


class DepthwiseConv2D(_DepthwiseConv):
    """Depthwise 2D convolution: the first step of a separable convolution, on its own.

    Each input channel is convolved with its own `depth_multiplier` filters, giving
    `input_channels * depth_multiplier` output channels. Weights, in order: `depthwise_kernel`
    `(rows, cols, input_channels, depth_multiplier)` and `bias` `(input_channels * depth_multiplier,)`.

    # Arguments
        kernel_size: integer or tuple of 2 integers, the height and width of the window.
        strides: integer or tuple of 2 integers. Strides != 1 cannot be combined with dilation != 1.
        padding: `'valid'` or `'same'` (case-insensitive).
        depth_multiplier: positive integer, output channels per input channel.
        data_format: `'channels_last'` or `'channels_first'` (default `K.image_data_format()`).
        dilation_rate: integer or tuple of 2 integers, the dilation rate of the window (Keras 2.2
            accepted it through `**kwargs`; it is part of the saved config).
        activation: activation function or name (default `None`: linear).
        use_bias: boolean, whether the layer adds a bias vector.
        depthwise_initializer: initializer of the depthwise kernel (default `'glorot_uniform'`).
        bias_initializer: initializer of the bias (default `'zeros'`).
        depthwise_regularizer: regularizer applied to the depthwise kernel.
        bias_regularizer: regularizer applied to the bias.
        activity_regularizer: regularizer applied to the output of the layer.
        depthwise_constraint: constraint applied to the depthwise kernel.
        bias_constraint: constraint applied to the bias.

    # Input shape
        4D tensor `(batch, rows, cols, channels)` (or `(batch, channels, rows, cols)`).

    # Output shape
        4D tensor `(batch, new_rows, new_cols, channels * depth_multiplier)` (or channels first).

    # Raises
        ValueError: for the invalid arguments `Conv2D` rejects or a non-positive `depth_multiplier`;
            when built, as `Conv2D`.
    """

    def __init__(self, kernel_size, strides=(1, 1), padding='valid', depth_multiplier=1, data_format=None,
                 dilation_rate=(1, 1), activation=None, use_bias=True, depthwise_initializer='glorot_uniform',
                 bias_initializer='zeros', depthwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None, bias_constraint=None, **kwargs):
        super(DepthwiseConv2D, self).__init__(
            2, kernel_size, strides=strides, padding=padding, depth_multiplier=depth_multiplier,
            data_format=data_format, dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
            depthwise_initializer=depthwise_initializer, bias_initializer=bias_initializer,
            depthwise_regularizer=depthwise_regularizer, bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer, depthwise_constraint=depthwise_constraint,
            bias_constraint=bias_constraint, **kwargs)


# Keras 2.2 module-level aliases (the same classes: configs name the canonical class).
Convolution1D = Conv1D
Convolution2D = Conv2D
Convolution3D = Conv3D
SeparableConvolution1D = SeparableConv1D
SeparableConvolution2D = SeparableConv2D
Convolution2DTranspose = Conv2DTranspose
Deconvolution2D = Deconv2D = Conv2DTranspose
Deconvolution3D = Deconv3D = Conv3DTranspose

__all__ = ['Conv1D', 'Conv2D', 'Conv3D', 'Conv2DTranspose', 'Conv3DTranspose', 'SeparableConv1D',
           'SeparableConv2D', 'DepthwiseConv2D', 'Convolution1D', 'Convolution2D', 'Convolution3D',
           'SeparableConvolution1D', 'SeparableConvolution2D', 'Convolution2DTranspose', 'Deconvolution2D',
           'Deconv2D', 'Deconvolution3D', 'Deconv3D']
