"""Locally-connected layers: LocallyConnected1D and LocallyConnected2D (convolutions with unshared weights)."""
import numbers

from kernelkit import activations, constraints, initializers, regularizers
from kernelkit import backend as K
from kernelkit.engine.base_layer import Layer
from kernelkit.engine.input_spec import InputSpec
from kernelkit.layers.arguments import serialize_arguments
from kernelkit.layers.core import _positive_int


def _int_tuple(layer_name, argument, value, rank):
    """`value` (an int or a tuple of `rank` ints) as a tuple of `rank` positive ints."""
    values = (value,) * rank if isinstance(value, numbers.Integral) else value
    try:
        values = tuple(values)
    except TypeError:
        values = ()
    if len(values) != rank or not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) and v > 0
                                      for v in values):
        raise ValueError('%s: `%s` must be a positive integer or a tuple of %d positive integers, got %r.'
                         % (layer_name, argument, rank, value))
    return tuple(int(v) for v in values)


class _LocallyConnected(Layer):
    """Shared code of the locally-connected layers (`rank` spatial dimensions, padding 'valid')."""

    rank = None

    def __init__(self, filters, kernel_size, strides=1, padding='valid', data_format=None, activation=None,
                 use_bias=True, kernel_initializer='glorot_uniform', bias_initializer='zeros',
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, implementation=1, **kwargs):
        super(_LocallyConnected, self).__init__(**kwargs)
        cls_name = self.__class__.__name__
        self.filters = _positive_int(self.name, 'filters', filters)
        self.kernel_size = _int_tuple(self.name, 'kernel_size', kernel_size, self.rank)
        self.strides = _int_tuple(self.name, 'strides', strides, self.rank)
        self.padding = str(padding).lower()
        if self.padding != 'valid':
            raise ValueError('Invalid border mode for %s %s (only "valid" is supported): %r'
                             % (cls_name, self.name, padding))
        if implementation != 1:
            raise ValueError('%s %s: only `implementation=1` is supported (Keras 2.2), got %r.'
                             % (cls_name, self.name, implementation))
        self.data_format = K.normalize_data_format(data_format)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _split_shape(self, input_shape):
        """`(spatial dims, channels)` of an input shape, per `data_format`."""
        if self.data_format == 'channels_first':
            return tuple(input_shape[2:]), input_shape[1]
        return tuple(input_shape[1:-1]), input_shape[-1]

    def _output_dims(self, spatial):
        return tuple(None if size is None else (size - k) // s + 1
                     for size, k, s in zip(spatial, self.kernel_size, self.strides))

    def build(self, input_shape):
        spatial, channels = self._split_shape(input_shape)
        if channels is None or any(d is None for d in spatial):
            raise ValueError('%s %s: the spatial dimensions and the channels of the inputs must be fully '
                             'defined, but the layer received an input of shape %s.'
                             % (self.__class__.__name__, self.name, tuple(input_shape)))
        self.output_dims = self._output_dims(spatial)
        if any(d <= 0 for d in self.output_dims):
            raise ValueError('%s %s: the input of shape %s is smaller than the kernel %s.'
                             % (self.__class__.__name__, self.name, tuple(input_shape), self.kernel_size))
        positions = 1
        window = channels
        for d, k in zip(self.output_dims, self.kernel_size):
            positions *= d
            window *= k
        self.kernel_shape = (positions, window, self.filters)
        self.kernel = self.add_weight(name='kernel', shape=self.kernel_shape, initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight(name='bias', shape=self.output_dims + (self.filters,),
                                        initializer=self.bias_initializer, regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        else:
            self.bias = None
        channel_axis = 1 if self.data_format == 'channels_first' else -1
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={channel_axis: channels})
        self.built = True

    def _local_conv(self, inputs):
        raise NotImplementedError

    def call(self, inputs):
        output = self._local_conv(inputs)
        if self.use_bias:
            output = K.bias_add(output, self.bias, data_format=self.data_format)
        return self.activation(output)

    def compute_output_shape(self, input_shape):
        spatial, _ = self._split_shape(input_shape)
        dims = self._output_dims(spatial)
        if self.data_format == 'channels_first':
            return (input_shape[0], self.filters) + dims
        return (input_shape[0],) + dims + (self.filters,)

    def get_config(self):
        config = serialize_arguments(self, (
            'filters', 'kernel_size', 'strides', 'padding', 'data_format', 'activation', 'use_bias',
            'kernel_initializer', 'bias_initializer', 'kernel_regularizer', 'bias_regularizer',
            'activity_regularizer', 'kernel_constraint', 'bias_constraint'))
        base = super(_LocallyConnected, self).get_config()
        return dict(list(base.items()) + list(config.items()))


class LocallyConnected1D(_LocallyConnected):
    """Locally-connected layer for 1D inputs.

    Works like `Conv1D`, except that weights are unshared: a different set of filters is applied at each
    position of the input.

    # Example
    ```python
    # apply an unshared weight convolution 1d of length 3 to a sequence with 10 timesteps,
    # with 64 output filters
    model = Sequential()
    model.add(LocallyConnected1D(64, 3, input_shape=(10, 32)))
    # now model.output_shape == (None, 8, 64)
    ```

    # Arguments
        filters: integer, the number of output filters.
        kernel_size: integer or tuple of 1 integer, the length of the 1D window.
        strides: integer or tuple of 1 integer, the stride of the window.
        padding: only `'valid'` is supported.
        data_format: `'channels_last'` (inputs `(batch, steps, channels)`) or `'channels_first'`
            (inputs `(batch, channels, steps)`); default `K.image_data_format()`.
        activation: activation function (`None`: linear).
        use_bias: whether the layer uses a bias.
        kernel_initializer: initializer of the kernel.
        bias_initializer: initializer of the bias.
        kernel_regularizer: regularizer of the kernel.
        bias_regularizer: regularizer of the bias.
        activity_regularizer: regularizer of the output.
        kernel_constraint: constraint on the kernel.
        bias_constraint: constraint on the bias.
        implementation: only `1` (Keras 2.2's implementation) is supported.

    # Input shape
        3D tensor `(batch_size, steps, input_dim)` (channels_last).

    # Output shape
        3D tensor `(batch_size, new_steps, filters)`; `steps` may have changed due to striding.

    # Weights
        `kernel` of shape `(output_length, kernel_size * input_dim, filters)`, and `bias` of shape
        `(output_length, filters)`.

    # Raises
        ValueError: for invalid arguments, a padding other than 'valid', or (at build) an input whose
            length or channels are unknown.
    """

    rank = 1

    def _local_conv(self, inputs):
        return K.local_conv1d(inputs, self.kernel, self.kernel_size, self.strides, data_format=self.data_format)


class LocallyConnected2D(_LocallyConnected):
    """Locally-connected layer for 2D inputs.

    Works like `Conv2D`, except that weights are unshared: a different set of filters is applied at each
    patch of the input.

    # Example
    ```python
    # apply a 3x3 unshared weights convolution with 64 output filters on a 32x32 image
    # with `data_format="channels_last"`:
    model = Sequential()
    model.add(LocallyConnected2D(64, (3, 3), input_shape=(32, 32, 3)))
    # now model.output_shape == (None, 30, 30, 64)
    ```

    # Arguments
        filters: integer, the number of output filters.
        kernel_size: integer or tuple of 2 integers, the height and width of the 2D window.
        strides: integer or tuple of 2 integers, the strides along height and width.
        padding: only `'valid'` is supported.
        data_format: `'channels_last'` (inputs `(batch, rows, cols, channels)`) or `'channels_first'`
            (inputs `(batch, channels, rows, cols)`); default `K.image_data_format()`.
        activation: activation function (`None`: linear).
        use_bias: whether the layer uses a bias.
        kernel_initializer: initializer of the kernel.
        bias_initializer: initializer of the bias.
        kernel_regularizer: regularizer of the kernel.
        bias_regularizer: regularizer of the bias.
        activity_regularizer: regularizer of the output.
        kernel_constraint: constraint on the kernel.
        bias_constraint: constraint on the bias.
        implementation: only `1` (Keras 2.2's implementation) is supported.

    # Input shape
        4D tensor `(samples, rows, cols, channels)` (channels_last) or `(samples, channels, rows, cols)`.

    # Output shape
        4D tensor `(samples, new_rows, new_cols, filters)` (channels_last) or
        `(samples, filters, new_rows, new_cols)`.

    # Weights
        `kernel` of shape `(output_rows * output_cols, kernel_rows * kernel_cols * channels, filters)`,
        and `bias` of shape `(output_rows, output_cols, filters)` (in both data formats).

    # Raises
        ValueError: for invalid arguments, a padding other than 'valid', or (at build) an input whose
            spatial dimensions or channels are unknown.
    """

    rank = 2

    def _local_conv(self, inputs):
        return K.local_conv2d(inputs, self.kernel, self.kernel_size, self.strides, self.output_dims,
                              data_format=self.data_format)
