"""Shared machinery of the convolution, pooling and spatial reshaping layers.

Argument checks (`normalize_tuple`, `normalize_padding`, ...), output-length arithmetic, data-format
helpers, and the private base classes every convolution layer is made of: `_Conv` (plain and dilated
convolutions), `_ConvTranspose`, `_SeparableConv` and `_DepthwiseConv`. The public layers in
`convolutional.py` only choose a rank and defaults.

Kernels are stored channels-last whatever the data format, as in Keras 2:
`kernel_size + (input_channels, filters)` for convolutions, `kernel_size + (filters, input_channels)`
for transposed ones. TensorFlow's CPU kernels want channels-last data, so channels-first inputs are
transposed to channels-last, processed, and transposed back.
"""
import numpy as np
import tensorflow as tf

from kernelkit import activations, constraints, initializers, regularizers
from kernelkit import backend as K
from kernelkit.engine.base_layer import Layer
from kernelkit.engine.input_spec import InputSpec
from kernelkit.layers.arguments import serialize_arguments
# The length arithmetic is Keras 2.2.4's `keras.utils.conv_utils` (one implementation, kept there).
from kernelkit.utils.conv_utils import conv_output_length, deconv_length, dilated_size  # noqa: F401

# ------------------------------------------------------------------------------------------------
# Argument checks.


def describe(layer):
    """`"Conv2D layer 'conv2d_1'"`: how error messages name a layer."""
    return "%s layer '%s'" % (layer.__class__.__name__, layer.name)


def _is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def positive_int(layer, name, value):
    """Returns `value` as an int, or raises a ValueError naming the layer and the argument."""
    if not _is_int(value) or value <= 0:
        raise ValueError('%s: `%s` must be a positive integer, got %r.' % (describe(layer), name, value))
    return int(value)


def normalize_tuple(layer, name, value, n, minimum=1):
    """Turns an int or an iterable of `n` ints (each `>= minimum`) into a tuple of `n` ints.

    # Arguments
        layer: the layer being configured (named in errors).
        name: the argument's name.
        value: an int, or a tuple/list of `n` ints.
        n: the length of the tuple.
        minimum: the smallest allowed entry (1 for sizes and strides, 0 for paddings).

    # Returns
        A tuple of `n` ints.

    # Raises
        ValueError: if `value` has the wrong length, type or range.
    """
    what = 'an integer or a tuple of %d integers' % n if n > 1 else 'an integer or a tuple of 1 integer'
    bound = 'positive' if minimum == 1 else 'non-negative'
    if _is_int(value):
        items = (int(value),) * n
    else:
        try:
            items = tuple(value)
        except TypeError:
            items = None
        if items is None or len(items) != n or not all(_is_int(v) for v in items):
            raise ValueError('%s: `%s` must be %s, got %r.' % (describe(layer), name, what, value))
        items = tuple(int(v) for v in items)
    if any(v < minimum for v in items):
        raise ValueError('%s: every entry of `%s` must be %s, got %r.'
                         % (describe(layer), name, bound, value))
    return items


def normalize_pairs(layer, name, value, n):
    """Turns `int`, `n` ints or `n` pairs of ints into `n` `(before, after)` pairs (non-negative).

    Used by `ZeroPadding*` (`padding`) and `Cropping*` (`cropping`).

    # Raises
        ValueError: for any other form, naming the layer and the argument.
    """
    if _is_int(value):
        pairs = ((int(value),) * 2,) * n
    else:
        try:
            items = list(value)
        except TypeError:
            items = None
        if items is None or len(items) != n:
            raise ValueError('%s: `%s` must be an integer, a tuple of %d integers, or a tuple of %d '
                             '(before, after) pairs of integers, got %r.'
                             % (describe(layer), name, n, n, value))
        pairs = tuple(normalize_tuple(layer, '%s[%d]' % (name, i), item, 2, minimum=0)
                      for i, item in enumerate(items))
    if any(v < 0 for pair in pairs for v in pair):
        raise ValueError('%s: every entry of `%s` must be non-negative, got %r.'
                         % (describe(layer), name, value))
    return pairs


def normalize_padding(layer, value, allowed=('valid', 'same')):
    """Lower-cases `padding` and checks it is one of `allowed`."""
    padding = value.lower() if isinstance(value, str) else value
    if padding not in allowed:
        raise ValueError('%s: `padding` must be one of %s, got %r.'
                         % (describe(layer), ', '.join(repr(a) for a in allowed), value))
    return padding


def normalize_data_format(layer, value):
    """`None` -> `K.image_data_format()`; otherwise checks `'channels_last'`/`'channels_first'`."""
    try:
        return K.normalize_data_format(value)
    except ValueError:
        raise ValueError('%s: `data_format` must be "channels_last" or "channels_first", got %r.'
                         % (describe(layer), value))


def check_strides_and_dilation(layer, strides, dilation_rate):
    """Strides > 1 and dilation rates > 1 cannot be combined (Keras 2 and TensorFlow)."""
    if any(s != 1 for s in strides) and any(d != 1 for d in dilation_rate):
        raise ValueError('%s: specifying any `strides` value != 1 is incompatible with specifying any '
                         '`dilation_rate` value != 1; got strides=%s and dilation_rate=%s.'
                         % (describe(layer), strides, dilation_rate))


# ------------------------------------------------------------------------------------------------
# Shape arithmetic and data formats.


def deconv_output_length(length, kernel, padding, stride, output_padding=None, dilation=1):
    """Output length of a transposed convolution along one axis (works on ints and scalar tensors)."""
    return deconv_length(length, stride, kernel, padding, output_padding, dilation)


def spatial_axes(rank, data_format):
    """The axes of the spatial dimensions of a `(rank + 2)`D tensor."""
    start = 2 if data_format == 'channels_first' else 1
    return list(range(start, start + rank))


def channel_axis(data_format):
    return 1 if data_format == 'channels_first' else -1


def make_shape(batch, spatial, channels, data_format):
    """Assembles a full shape tuple from its parts, in `data_format` order."""
    if data_format == 'channels_first':
        return (batch, channels) + tuple(spatial)
    return (batch,) + tuple(spatial) + (channels,)


def tf_data_format(rank):
    """TensorFlow's name of the channels-last layout for `rank` spatial dimensions ('NWC', 'NHWC', 'NDHWC').

    Always passed explicitly: some TensorFlow gradients (Conv3D's in eager mode) fail when it is left out.
    """
    return {1: 'NWC', 2: 'NHWC', 3: 'NDHWC'}[rank]


def to_channels_last(x, data_format):
    if data_format != 'channels_first':
        return x
    rank = x.shape.rank
    return tf.transpose(x, [0] + list(range(2, rank)) + [1])


def from_channels_last(x, data_format):
    if data_format != 'channels_first':
        return x
    rank = x.shape.rank
    return tf.transpose(x, [0, rank - 1] + list(range(1, rank - 1)))


def check_window_fits(layer, input_shape, window, dilation, padding, what):
    """Raises a clear ValueError when a 'valid' window (kernel or pool) is larger than the input.

    # Arguments
        layer: the layer (named in the message).
        input_shape: the full input shape (batch included); unknown sizes are skipped.
        window: the kernel or pool size per spatial axis.
        dilation: the dilation rate per spatial axis.
        padding: the layer's padding; only `'valid'` can fail.
        what: `'kernel'` or `'pool'`, for the message.
    """
    if padding != 'valid' or input_shape is None:
        return
    spatial = [input_shape[a] for a in spatial_axes(layer.rank, layer.data_format)]
    needed = tuple(dilated_size(w, d) for w, d in zip(window, dilation))
    if any(s is not None and s < n for s, n in zip(spatial, needed)):
        dilated = '' if needed == tuple(window) else ' (%s once dilated)' % (needed,)
        raise ValueError('%s: the %s size %s%s is larger than the spatial dimensions %s of the input of '
                         'shape %s, which is not possible with padding=\'valid\'. Use a larger input, a '
                         'smaller %s size, or padding=\'same\'.'
                         % (describe(layer), what, tuple(window), dilated, tuple(spatial),
                            tuple(input_shape), what))


def known_shape(tensor):
    return tuple(tensor.shape.as_list()) if tensor.shape.rank is not None else None


# ------------------------------------------------------------------------------------------------
# Convolution base classes.


class _Conv(Layer):
    """Abstract nD convolution layer: `activation(conv(inputs, kernel) + bias)`.

    # Arguments
        rank: the number of spatial dimensions (1, 2 or 3).
        filters: positive integer, the number of output channels.
        kernel_size: int or tuple of `rank` ints, the size of the convolution window.
        strides: int or tuple of `rank` ints. Strides != 1 cannot be combined with dilation != 1.
        padding: `'valid'` or `'same'` (case-insensitive); `Conv1D` also takes `'causal'`.
        data_format: `'channels_last'` or `'channels_first'` (default: `K.image_data_format()`).
        dilation_rate: int or tuple of `rank` ints, the dilation of the window.
        activation: activation function or name (`None`: linear).
        use_bias: whether to add a bias vector.
        kernel_initializer, bias_initializer: initializers of the kernel and the bias.
        kernel_regularizer, bias_regularizer, activity_regularizer: regularizers.
        kernel_constraint, bias_constraint: constraints applied after each update.

    # Input shape
        `(batch,) + spatial + (channels,)` (channels_last) or `(batch, channels) + spatial`.

    # Output shape
        The same layout with `filters` channels and new spatial sizes.

    # Raises
        ValueError: for invalid arguments (at construction), or an input without a known channel
            size or smaller than the kernel with 'valid' padding (when the layer is built).
    """

    _paddings = ('valid', 'same')
    _has_filters = True  # False for depthwise convolutions, whose output channels follow the input's
    _kernel_config = ('kernel',)  # which of kernel_/depthwise_/pointwise_ arguments the config holds

    def __init__(self, rank, filters, kernel_size, strides=1, padding='valid', data_format=None,
                 dilation_rate=1, activation=None, use_bias=True, kernel_initializer='glorot_uniform',
                 bias_initializer='zeros', kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        super(_Conv, self).__init__(**kwargs)
        self.rank = rank
        self.filters = positive_int(self, 'filters', filters) if self._has_filters else None
        self.kernel_size = normalize_tuple(self, 'kernel_size', kernel_size, rank)
        self.strides = normalize_tuple(self, 'strides', strides, rank)
        self.padding = normalize_padding(self, padding, self._paddings)
        self.data_format = normalize_data_format(self, data_format)
        self.dilation_rate = normalize_tuple(self, 'dilation_rate', dilation_rate, rank)
        check_strides_and_dilation(self, self.strides, self.dilation_rate)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(ndim=rank + 2)

    # -- pieces the variants override -----------------------------------------------------------

    def _create_kernels(self, input_dim):
        self.kernel = self.add_weight(name='kernel', shape=self.kernel_size + (input_dim, self.filters),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)

    def _output_channels(self, input_dim):
        return self.filters

    def _output_length(self, length, axis):
        return conv_output_length(length, self.kernel_size[axis], self.padding, self.strides[axis],
                                  self.dilation_rate[axis])

    def _check_input(self, input_shape):
        check_window_fits(self, input_shape, self.kernel_size, self.dilation_rate, self.padding, 'kernel')

    def _convolve(self, x):
        """Convolves a channels-last tensor `x` with the kernel(s)."""
        return tf.nn.convolution(x, self.kernel, strides=self.strides, padding=self.padding.upper(),
                                 dilations=self.dilation_rate, data_format=tf_data_format(self.rank))

    # -- the layer contract ---------------------------------------------------------------------

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) != self.rank + 2:
            raise ValueError('%s expects inputs of rank %d, got input shape %s.'
                             % (describe(self), self.rank + 2, input_shape))
        axis = channel_axis(self.data_format)
        input_dim = input_shape[axis]
        if input_dim is None:
            raise ValueError('%s: the channel dimension (axis %d) of the inputs must be known, got input '
                             'shape %s.' % (describe(self), axis, input_shape))
        self._check_input(input_shape)
        self._create_kernels(int(input_dim))
        if self.use_bias:
            self.bias = self.add_weight(name='bias', shape=(self._output_channels(int(input_dim)),),
                                        initializer=self.bias_initializer, regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        else:
            self.bias = None
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={axis: int(input_dim)})
        self.built = True

    def call(self, inputs):
        self._check_input(known_shape(inputs))
        outputs = self._convolve(to_channels_last(inputs, self.data_format))
        if self.use_bias:
            outputs = tf.nn.bias_add(outputs, self.bias)
        outputs = from_channels_last(outputs, self.data_format)
        if self.activation is not None:
            outputs = self.activation(outputs)
        return outputs

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        spatial = [input_shape[a] for a in spatial_axes(self.rank, self.data_format)]
        new_spatial = [self._output_length(length, i) for i, length in enumerate(spatial)]
        channels = self._output_channels(input_shape[channel_axis(self.data_format)])
        return make_shape(input_shape[0], new_spatial, channels, self.data_format)

    def get_config(self):
        keys = ['filters', 'kernel_size', 'strides', 'padding', 'data_format', 'dilation_rate', 'activation',
                'use_bias']
        for kind in ('initializer', 'regularizer', 'constraint'):
            keys += ['%s_%s' % (prefix, kind) for prefix in self._kernel_config] + ['bias_' + kind]
            if kind == 'regularizer':
                keys.append('activity_regularizer')
        config = serialize_arguments(self, keys)
        base = super(_Conv, self).get_config()
        return dict(list(base.items()) + list(config.items()))


class _ConvTranspose(_Conv):
    """Abstract nD transposed convolution (the gradient of a convolution with respect to its input).

    Takes the `_Conv` arguments plus `output_padding` (`None`, or an int or tuple of `rank` ints, each
    smaller than the stride along its axis: the extra size added to one side of the output). The kernel
    has shape `kernel_size + (filters, input_channels)`.

    # Raises
        ValueError: if an `output_padding` entry is not smaller than the stride along its axis.
    """

    def __init__(self, rank, filters, kernel_size, output_padding=None, **kwargs):
        super(_ConvTranspose, self).__init__(rank, filters, kernel_size, **kwargs)
        if output_padding is not None:
            output_padding = normalize_tuple(self, 'output_padding', output_padding, rank, minimum=0)
            if any(p >= s for p, s in zip(output_padding, self.strides)):
                raise ValueError('%s: every entry of `output_padding` must be smaller than the stride along '
                                 'the same axis; got output_padding=%s and strides=%s.'
                                 % (describe(self), output_padding, self.strides))
        self.output_padding = output_padding

    def _create_kernels(self, input_dim):
        self.kernel = self.add_weight(name='kernel', shape=self.kernel_size + (self.filters, input_dim),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)

    def _output_length(self, length, axis):
        out_pad = None if self.output_padding is None else self.output_padding[axis]
        return deconv_output_length(length, self.kernel_size[axis], self.padding, self.strides[axis],
                                    out_pad, self.dilation_rate[axis])

    def _check_input(self, input_shape):
        """Any input size works for a transposed convolution."""

    def _convolve(self, x):
        static = x.shape.as_list()
        dynamic = tf.shape(x)
        spatial = [self._output_length(static[i + 1] if static[i + 1] is not None else dynamic[i + 1], i)
                   for i in range(self.rank)]
        output_shape = tf.stack([dynamic[0]] + [tf.cast(s, tf.int32) for s in spatial] + [self.filters])
        outputs = tf.nn.conv_transpose(x, self.kernel, output_shape, strides=self.strides,
                                       padding=self.padding.upper(), dilations=self.dilation_rate,
                                       data_format=tf_data_format(self.rank))
        outputs.set_shape([static[0]] + [s if isinstance(s, int) else None for s in spatial] + [self.filters])
        return outputs

    def get_config(self):
        config = super(_ConvTranspose, self).get_config()
        config['output_padding'] = self.output_padding
        return config


class _SeparableConv(_Conv):
    """Abstract depthwise-separable convolution (1D and 2D).

    A depthwise convolution (each input channel convolved on its own with `depth_multiplier` filters)
    followed by a pointwise (1x1) convolution mixing the `input_channels * depth_multiplier` results into
    `filters` outputs. Weights, in this order: `depthwise_kernel` `kernel_size + (input_channels,
    depth_multiplier)`, `pointwise_kernel` `(1,) * rank + (input_channels * depth_multiplier, filters)`,
    `bias` `(filters,)`.

    # Arguments
        (those of `_Conv`, with `depthwise_*` and `pointwise_*` instead of `kernel_*`), and
        depth_multiplier: positive integer, depthwise outputs per input channel.
    """

    _kernel_config = ('depthwise', 'pointwise')

    def __init__(self, rank, filters, kernel_size, depth_multiplier=1, depthwise_initializer='glorot_uniform',
                 pointwise_initializer='glorot_uniform', depthwise_regularizer=None,
                 pointwise_regularizer=None, depthwise_constraint=None, pointwise_constraint=None, **kwargs):
        super(_SeparableConv, self).__init__(rank, filters, kernel_size, **kwargs)
        self.depth_multiplier = positive_int(self, 'depth_multiplier', depth_multiplier)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.pointwise_constraint = constraints.get(pointwise_constraint)

    def _create_kernels(self, input_dim):
        self.depthwise_kernel = self.add_weight(
            name='depthwise_kernel', shape=self.kernel_size + (input_dim, self.depth_multiplier),
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint)
        self.pointwise_kernel = self.add_weight(
            name='pointwise_kernel',
            shape=(1,) * self.rank + (input_dim * self.depth_multiplier, self.filters),
            initializer=self.pointwise_initializer, regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint)

    def _convolve(self, x):
        depthwise, pointwise = self.depthwise_kernel, self.pointwise_kernel
        strides, dilation = self.strides, self.dilation_rate
        if self.rank == 1:  # as a 2D convolution over a height-1 image
            x = tf.expand_dims(x, 1)
            depthwise, pointwise = tf.expand_dims(depthwise, 0), tf.expand_dims(pointwise, 0)
            strides, dilation = strides * 2, (1,) + dilation
        outputs = tf.nn.separable_conv2d(x, depthwise, pointwise, strides=(1,) + strides + (1,),
                                         padding=self.padding.upper(), dilations=dilation,
                                         data_format='NHWC')
        return tf.squeeze(outputs, [1]) if self.rank == 1 else outputs

    def get_config(self):
        config = super(_SeparableConv, self).get_config()
        config['depth_multiplier'] = self.depth_multiplier
        return config


class _DepthwiseConv(_Conv):
    """Abstract depthwise convolution: each input channel convolved with its own `depth_multiplier`
    filters, giving `input_channels * depth_multiplier` outputs.

    Weights, in this order: `depthwise_kernel` `kernel_size + (input_channels, depth_multiplier)` and
    `bias` `(input_channels * depth_multiplier,)`.
    """

    _has_filters = False
    _kernel_config = ('depthwise',)

    def __init__(self, rank, kernel_size, depth_multiplier=1, depthwise_initializer='glorot_uniform',
                 depthwise_regularizer=None, depthwise_constraint=None, **kwargs):
        super(_DepthwiseConv, self).__init__(rank, None, kernel_size, **kwargs)
        self.depth_multiplier = positive_int(self, 'depth_multiplier', depth_multiplier)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)

    def _create_kernels(self, input_dim):
        self.depthwise_kernel = self.add_weight(
            name='depthwise_kernel', shape=self.kernel_size + (input_dim, self.depth_multiplier),
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint)

    def _output_channels(self, input_dim):
        return None if input_dim is None else input_dim * self.depth_multiplier

    def _convolve(self, x):
        return tf.nn.depthwise_conv2d(x, self.depthwise_kernel, strides=(1,) + self.strides + (1,),
                                      padding=self.padding.upper(), dilations=self.dilation_rate,
                                      data_format='NHWC')

    def get_config(self):
        config = super(_DepthwiseConv, self).get_config()
        del config['filters']
        config['depth_multiplier'] = self.depth_multiplier
        return config
