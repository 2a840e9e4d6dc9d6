"""Pooling layers (Keras 2.2): MaxPooling1D/2D/3D, AveragePooling1D/2D/3D, GlobalMaxPooling1D/2D/3D,
GlobalAveragePooling1D/2D/3D, and their aliases (`MaxPool2D`, `GlobalAvgPool2D`, ...).

Windowed pooling shares `_Pooling`, global pooling `_GlobalPooling`; the public classes only choose a rank,
a reduction and the Keras 2 defaults.
"""
import tensorflow as tf

from kernelkit.engine.base_layer import Layer
from kernelkit.engine.input_spec import InputSpec
from kernelkit.layers.convolutional_base import (check_window_fits, conv_output_length, from_channels_last,
                                                 known_shape, make_shape, normalize_data_format,
                                                 normalize_padding, normalize_tuple, spatial_axes,
                                                 channel_axis, tf_data_format, to_channels_last)


class _Pooling(Layer):
    """Abstract windowed pooling over the spatial axes of a `(rank + 2)`D tensor.

    # Arguments
        rank: the number of spatial dimensions.
        mode: `'max'` or `'avg'`.
        pool_size: int or tuple of `rank` ints, the window size.
        strides: int, tuple of `rank` ints, or `None` (the default: `pool_size`).
        padding: `'valid'` or `'same'` (case-insensitive). With 'same', averages ignore the padding.
        data_format: `'channels_last'` or `'channels_first'`.

    # Raises
        ValueError: for invalid arguments; when built, for a window larger than the input with 'valid'
            padding.
    """

    def __init__(self, rank, mode, pool_size, strides=None, padding='valid', data_format=None, **kwargs):
        super(_Pooling, self).__init__(**kwargs)
        self.rank = rank
        self._mode = mode
        self.pool_size = normalize_tuple(self, 'pool_size', pool_size, rank)
        self.strides = normalize_tuple(self, 'strides', pool_size if strides is None else strides, rank)
        self.padding = normalize_padding(self, padding)
        self.data_format = normalize_data_format(self, data_format)
        self.input_spec = InputSpec(ndim=rank + 2)

    def _check_input(self, input_shape):
        check_window_fits(self, input_shape, self.pool_size, (1,) * self.rank, self.padding, 'pool')

    def build(self, input_shape):
        self._check_input(tuple(input_shape))
        self.built = True

    def call(self, inputs):
        self._check_input(known_shape(inputs))
        pool = tf.nn.max_pool if self._mode == 'max' else tf.nn.avg_pool
        outputs = pool(to_channels_last(inputs, self.data_format), ksize=self.pool_size, strides=self.strides,
                       padding=self.padding.upper(), data_format=tf_data_format(self.rank))
        return from_channels_last(outputs, self.data_format)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        spatial = [conv_output_length(input_shape[axis], self.pool_size[i], self.padding, self.strides[i])
                   for i, axis in enumerate(spatial_axes(self.rank, self.data_format))]
        channels = input_shape[channel_axis(self.data_format)]
        return make_shape(input_shape[0], spatial, channels, self.data_format)

    def get_config(self):
        config = super(_Pooling, self).get_config()
        config.update({'pool_size': self.pool_size, 'padding': self.padding, 'strides': self.strides,
                       'data_format': self.data_format})
        return config


class MaxPooling1D(_Pooling):
    """Max pooling for temporal data: the maximum over windows of `pool_size` steps.

    # Arguments
        pool_size: positive integer, the window length.
        strides: positive integer, or `None` (default: `pool_size`).
        padding: `'valid'` or `'same'` (case-insensitive).
        data_format: `'channels_last'` (default, `(batch, steps, features)`) or `'channels_first'`
            (`(batch, features, steps)`).

    # Input shape
        3D tensor `(batch, steps, features)` (or `(batch, features, steps)`).

    # Output shape
        3D tensor `(batch, downsampled_steps, features)` (or channels first).

    # Raises
        ValueError: for a non-positive `pool_size` or `strides`, an unknown `padding` or `data_format`;
            when built, for an input of the wrong rank or (with 'valid' padding) shorter than the window.
    """

    def __init__(self, pool_size=2, strides=None, padding='valid', data_format='channels_last', **kwargs):
        super(MaxPooling1D, self).__init__(1, 'max', pool_size, strides, padding, data_format, **kwargs)


class AveragePooling1D(_Pooling):
    """Average pooling for temporal data: the mean over windows of `pool_size` steps.

    # Arguments
        pool_size: positive integer, the window length.
        strides: positive integer, or `None` (default: `pool_size`).
        padding: `'valid'` or `'same'` (case-insensitive; padded positions are not counted).
        data_format: `'channels_last'` (default, `(batch, steps, features)`) or `'channels_first'`
            (`(batch, features, steps)`).

    # Input shape
        3D tensor `(batch, steps, features)` (or `(batch, features, steps)`).

    # Output shape
        3D tensor `(batch, downsampled_steps, features)` (or channels first).

    # Raises
        ValueError: for a non-positive `pool_size` or `strides`, an unknown `padding` or `data_format`;
            when built, for an input of the wrong rank or (with 'valid' padding) shorter than the window.
    """

    def __init__(self, pool_size=2, strides=None, padding='valid', data_format='channels_last', **kwargs):
        super(AveragePooling1D, self).__init__(1, 'avg', pool_size, strides, padding, data_format, **kwargs)


class MaxPooling2D(_Pooling):
    """Max pooling for spatial data: the maximum over `pool_size` windows of rows and columns.

    # Arguments
        pool_size: positive integer or tuple of 2 positive integers `(rows, cols)`, the window size;
            `(2, 2)` halves both spatial dimensions.
        strides: positive integer, tuple of 2, or `None` (default: `pool_size`).
        padding: `'valid'` or `'same'` (case-insensitive).
        data_format: `'channels_last'` (`(batch, rows, cols, channels)`) or `'channels_first'`
            (`(batch, channels, rows, cols)`); default `K.image_data_format()`.

    # Input shape
        4D tensor `(batch, rows, cols, channels)` (or `(batch, channels, rows, cols)`).

    # Output shape
        4D tensor `(batch, pooled_rows, pooled_cols, channels)` (or channels first).

    # Raises
        ValueError: for a non-positive `pool_size` or `strides`, a tuple of the wrong length, an unknown
            `padding` or `data_format`; when built, for an input of the wrong rank or (with 'valid'
            padding) smaller than the window.
    """

    def __init__(self, pool_size=(2, 2), strides=None, padding='valid', data_format=None, **kwargs):
        super(MaxPooling2D, self).__init__(2, 'max', pool_size, strides, padding, data_format, **kwargs)


class AveragePooling2D(_Pooling):
    """Average pooling for spatial data: the mean over `pool_size` windows of rows and columns.

    # Arguments
        pool_size: positive integer or tuple of 2 positive integers `(rows, cols)`, the window size.
        strides: positive integer, tuple of 2, or `None` (default: `pool_size`).
        padding: `'valid'` or `'same'` (case-insensitive; padded positions are not counted).
        data_format: `'channels_last'` (`(batch, rows, cols, channels)`) or `'channels_first'`
            (`(batch, channels, rows, cols)`); default `K.image_data_format()`.

    # Input shape
        4D tensor `(batch, rows, cols, channels)` (or `(batch, channels, rows, cols)`).

    # Output shape
        4D tensor `(batch, pooled_rows, pooled_cols, channels)` (or channels first).

    # Raises
        ValueError: for a non-positive `pool_size` or `strides`, a tuple of the wrong length, an unknown
            `padding` or `data_format`; when built, for an input of the wrong rank or (with 'valid'
            padding) smaller than the window.
    """

    def __init__(self, pool_size=(2, 2), strides=None, padding='valid', data_format=None, **kwargs):
        super(AveragePooling2D, self).__init__(2, 'avg', pool_size, strides, padding, data_format, **kwargs)


class MaxPooling3D(_Pooling):
    """Max pooling for 3D data (spatial or spatio-temporal): the maximum over `pool_size` windows.

    # Arguments
        pool_size: positive integer or tuple of 3 positive integers, the window size; `(2, 2, 2)` halves
            every spatial dimension.
        strides: positive integer, tuple of 3, or `None` (default: `pool_size`).
        padding: `'valid'` or `'same'` (case-insensitive).
        data_format: `'channels_last'` (`(batch, dim1, dim2, dim3, channels)`) or `'channels_first'`
            (`(batch, channels, dim1, dim2, dim3)`); default `K.image_data_format()`.

    # Input shape
        5D tensor `(batch, dim1, dim2, dim3, channels)` (or channels first).

    # Output shape
        5D tensor `(batch, pooled_dim1, pooled_dim2, pooled_dim3, channels)` (or channels first).

    # Raises
        ValueError: for a non-positive `pool_size` or `strides`, a tuple of the wrong length, an unknown
            `padding` or `data_format`; when built, for an input of the wrong rank or (with 'valid'
            padding) smaller than the window.
    """

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding='valid', data_format=None, **kwargs):
        super(MaxPooling3D, self).__init__(3, 'max', pool_size, strides, padding, data_format, **kwargs)


class AveragePooling3D(_Pooling):
    """Average pooling for 3D data (spatial or spatio-temporal): the mean over `pool_size` windows.

    # Arguments
        pool_size: positive integer or tuple of 3 positive integers, the window size.
        strides: positive integer, tuple of 3, or `None` (default: `pool_size`).
        padding: `'valid'` or `'same'` (case-insensitive; padded positions are not counted).
        data_format: `'channels_last'` (`(batch, dim1, dim2, dim3, channels)`) or `'channels_first'`
            (`(batch, channels, dim1, dim2, dim3)`); default `K.image_data_format()`.

    # Input shape
        5D tensor `(batch, dim1, dim2, dim3, channels)` (or channels first).

    # Output shape
        5D tensor `(batch, pooled_dim1, pooled_dim2, pooled_dim3, channels)` (or channels first).

    # Raises
        ValueError: for a non-positive `pool_size` or `strides`, a tuple of the wrong length, an unknown
            `padding` or `data_format`; when built, for an input of the wrong rank or (with 'valid'
            padding) smaller than the window.
    """

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding='valid', data_format=None, **kwargs):
        super(AveragePooling3D, self).__init__(3, 'avg', pool_size, strides, padding, data_format, **kwargs)


# ------------------------------------------------------------------------------------------------
# Global pooling


class _GlobalPooling(Layer):
    """Abstract global pooling: reduces every spatial axis, giving `(batch, channels)`.

    # Arguments
        rank: the number of spatial dimensions.
        mode: `'max'` or `'avg'`.
        data_format: `'channels_last'` or `'channels_first'`.
        keepdims: keep the reduced spatial axes with length 1 (as tf.keras; the configs of
            `keras.applications` models read by tf_keras carry it). Only written to the config when `True`.
    """

    def __init__(self, rank, mode, data_format=None, keepdims=False, **kwargs):
        super(_GlobalPooling, self).__init__(**kwargs)
        self.rank = rank
        self._mode = mode
        self.data_format = normalize_data_format(self, data_format)
        self.keepdims = bool(keepdims)
        self.input_spec = InputSpec(ndim=rank + 2)

    def call(self, inputs):
        axes = spatial_axes(self.rank, self.data_format)
        if self._mode == 'max':
            return tf.reduce_max(inputs, axis=axes, keepdims=self.keepdims)
        return tf.reduce_mean(inputs, axis=axes, keepdims=self.keepdims)

    def compute_output_shape(self, input_shape):
        if self.keepdims:
            axes = spatial_axes(self.rank, self.data_format)
            return tuple(1 if i in axes else dim for i, dim in enumerate(input_shape))
        return (input_shape[0], input_shape[channel_axis(self.data_format)])

    def get_config(self):
        config = super(_GlobalPooling, self).get_config()
        config['data_format'] = self.data_format
        if self.keepdims:
            config['keepdims'] = True
        return config


class GlobalMaxPooling1D(_GlobalPooling):
    """Global max pooling for temporal data: the maximum over all steps, per feature.

    # Arguments
        data_format: `'channels_last'` (default, `(batch, steps, features)`) or `'channels_first'`
            (`(batch, features, steps)`).

    # Input shape
        3D tensor `(batch, steps, features)` (or `(batch, features, steps)`).

    # Output shape
        2D tensor `(batch, features)`.

    # Raises
        ValueError: for an unknown `data_format`; when called, for an input that is not 3D.
    """

    def __init__(self, data_format='channels_last', **kwargs):
        super(GlobalMaxPooling1D, self).__init__(1, 'max', data_format, **kwargs)


class GlobalAveragePooling1D(_GlobalPooling):
    """Global average pooling for temporal data: the mean over all steps, per feature.

    Supports masking: with an input mask `(batch, steps)`, only the unmasked steps are averaged (the
    output carries no mask).

    # Arguments
        data_format: `'channels_last'` (default, `(batch, steps, features)`) or `'channels_first'`
            (`(batch, features, steps)`).

    # Input shape
        3D tensor `(batch, steps, features)` (or `(batch, features, steps)`).

    # Output shape
        2D tensor `(batch, features)`.

    # Raises
        ValueError: for an unknown `data_format`; when called, for an input that is not 3D.
    """

    def __init__(self, data_format='channels_last', **kwargs):
        super(GlobalAveragePooling1D, self).__init__(1, 'avg', data_format, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return super(GlobalAveragePooling1D, self).call(inputs)
        steps_axis = 1 if self.data_format == 'channels_last' else 2
        weights = tf.expand_dims(tf.cast(mask, inputs.dtype), 2 if steps_axis == 1 else 1)
        return tf.reduce_sum(inputs * weights, axis=steps_axis) / tf.reduce_sum(weights, axis=steps_axis)

    def compute_mask(self, inputs, mask=None):
        return None


class GlobalMaxPooling2D(_GlobalPooling):
    """Global max pooling for spatial data: the maximum over all rows and columns, per channel.

    # Arguments
        data_format: `'channels_last'` (`(batch, rows, cols, channels)`) or `'channels_first'`
            (`(batch, channels, rows, cols)`); default `K.image_data_format()`.

    # Input shape
        4D tensor `(batch, rows, cols, channels)` (or `(batch, channels, rows, cols)`).

    # Output shape
        2D tensor `(batch, channels)`.

    # Raises
        ValueError: for an unknown `data_format`; when called, for an input that is not 4D.
    """

    def __init__(self, data_format=None, **kwargs):
        super(GlobalMaxPooling2D, self).__init__(2, 'max', data_format, **kwargs)


class GlobalAveragePooling2D(_GlobalPooling):
    """Global average pooling for spatial data: the mean over all rows and columns, per channel.

    # Arguments
        data_format: `'channels_last'` (`(batch, rows, cols, channels)`) or `'channels_first'`
            (`(batch, channels, rows, cols)`); default `K.image_data_format()`.

    # Input shape
        4D tensor `(batch, rows, cols, channels)` (or `(batch, channels, rows, cols)`).

    # Output shape
        2D tensor `(batch, channels)`.

    # Raises
        ValueError: for an unknown `data_format`; when called, for an input that is not 4D.
    """

    def __init__(self, data_format=None, **kwargs):
        super(GlobalAveragePooling2D, self).__init__(2, 'avg', data_format, **kwargs)


class GlobalMaxPooling3D(_GlobalPooling):
    """Global max pooling for 3D data: the maximum over the three spatial axes, per channel.

    # Arguments
        data_format: `'channels_last'` (`(batch, dim1, dim2, dim3, channels)`) or `'channels_first'`
            (`(batch, channels, dim1, dim2, dim3)`); default `K.image_data_format()`.

    # Input shape
        5D tensor `(batch, dim1, dim2, dim3, channels)` (or channels first).

    # Output shape
        2D tensor `(batch, channels)`.

    # Raises
        ValueError: for an unknown `data_format`; when called, for an input that is not 5D.
    """

    def __init__(self, data_format=None, **kwargs):
        super(GlobalMaxPooling3D, self).__init__(3, 'max', data_format, **kwargs)


class GlobalAveragePooling3D(_GlobalPooling):
    """Global average pooling for 3D data: the mean over the three spatial axes, per channel.

    # Arguments
        data_format: `'channels_last'` (`(batch, dim1, dim2, dim3, channels)`) or `'channels_first'`
            (`(batch, channels, dim1, dim2, dim3)`); default `K.image_data_format()`.

    # Input shape
        5D tensor `(batch, dim1, dim2, dim3, channels)` (or channels first).

    # Output shape
        2D tensor `(batch, channels)`.

    # Raises
        ValueError: for an unknown `data_format`; when called, for an input that is not 5D.
    """

    def __init__(self, data_format=None, **kwargs):
        super(GlobalAveragePooling3D, self).__init__(3, 'avg', data_format, **kwargs)


# Keras 2.2 aliases (the same classes).
MaxPool1D = MaxPooling1D
MaxPool2D = MaxPooling2D
MaxPool3D = MaxPooling3D
AvgPool1D = AveragePooling1D
AvgPool2D = AveragePooling2D
AvgPool3D = AveragePooling3D
GlobalMaxPool1D = GlobalMaxPooling1D
GlobalMaxPool2D = GlobalMaxPooling2D
GlobalMaxPool3D = GlobalMaxPooling3D
GlobalAvgPool1D = GlobalAveragePooling1D
GlobalAvgPool2D = GlobalAveragePooling2D
GlobalAvgPool3D = GlobalAveragePooling3D

# ------------------------------------------------------------------------------------------------------------
# Keras 2.2.4's abstract bases, which custom pooling layers of that era subclass. The built-in layers above do
# not derive from them (`isinstance(MaxPooling2D(), _Pooling2D)` is False here, True in Keras 2.2.4).

class _KerasPoolingBase(_Pooling):
    """A pooling layer whose window operation is the subclass's `_pooling_function` (Keras 2.2.4's API)."""

    def __init__(self, rank, pool_size, strides=None, padding='valid', data_format=None, **kwargs):
        super(_KerasPoolingBase, self).__init__(rank, None, pool_size, strides, padding, data_format, **kwargs)

    def _pooling_function(self, inputs, pool_size, strides, padding, data_format):
        """The pooling operation (to define in a subclass).

        # Arguments
            inputs: the input tensor (1D layers: with a dummy spatial axis of length 1 added).
            pool_size, strides: tuples of ints; padding: `'valid'` or `'same'`; data_format: the layer's.

        # Returns
            The pooled tensor.

        # Raises
            NotImplementedError: here; subclasses define it.
        """
        raise NotImplementedError('%s (a custom pooling layer) must define `_pooling_function(inputs, pool_size, '
                                  'strides, padding, data_format)`.' % self.__class__.__name__)

    def call(self, inputs):
        self._check_input(known_shape(inputs))
        if self.rank > 1:
            return self._pooling_function(inputs, self.pool_size, self.strides, self.padding, self.data_format)
        dummy_axis = 2 if self.data_format == 'channels_last' else 3
        outputs = self._pooling_function(tf.expand_dims(inputs, dummy_axis), self.pool_size + (1,),
                                         self.strides + (1,), self.padding, self.data_format)
        return tf.squeeze(outputs, dummy_axis)


class _Pooling1D(_KerasPoolingBase):
    """Keras 2.2.4's base for 1D pooling layers: define `_pooling_function` (it receives 4D inputs).

    # Arguments
        pool_size, strides, padding, data_format: as in `MaxPooling1D`.
    """

    def __init__(self, pool_size=2, strides=None, padding='valid', data_format='channels_last', **kwargs):
        super(_Pooling1D, self).__init__(1, pool_size, strides, padding, data_format, **kwargs)


class _Pooling2D(_KerasPoolingBase):
    """Keras 2.2.4's base for 2D pooling layers: define `_pooling_function`.

    # Arguments
        pool_size, strides, padding, data_format: as in `MaxPooling2D`.
    """

    def __init__(self, pool_size=(2, 2), strides=None, padding='valid', data_format=None, **kwargs):
        super(_Pooling2D, self).__init__(2, pool_size, strides, padding, data_format, **kwargs)


class _Pooling3D(_KerasPoolingBase):
    """Keras 2.2.4's base for 3D pooling layers: define `_pooling_function`.

    # Arguments
        pool_size, strides, padding, data_format: as in `MaxPooling3D`.
    """

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding='valid', data_format=None, **kwargs):
        super(_Pooling3D, self).__init__(3, pool_size, strides, padding, data_format, **kwargs)


class _KerasGlobalPoolingBase(_GlobalPooling):
    """A global pooling layer whose `call` the subclass defines (Keras 2.2.4's API)."""

    def call(self, inputs):
        raise NotImplementedError('%s (a custom global pooling layer) must define `call`.'
                                  % self.__class__.__name__)


class _GlobalPooling1D(_KerasGlobalPoolingBase):
    """Keras 2.2.4's base for global 1D pooling layers: define `call`.

    # Arguments
        data_format: `'channels_last'` or `'channels_first'`.
    """

    def __init__(self, data_format='channels_last', **kwargs):
        super(_GlobalPooling1D, self).__init__(1, None, data_format, **kwargs)


class _GlobalPooling2D(_KerasGlobalPoolingBase):
    """Keras 2.2.4's base for global 2D pooling layers: define `call`.

    # Arguments
        data_format: `'channels_last'` or `'channels_first'` (default `K.image_data_format()`).
    """

    def __init__(self, data_format=None, **kwargs):
        super(_GlobalPooling2D, self).__init__(2, None, data_format, **kwargs)


class _GlobalPooling3D(_KerasGlobalPoolingBase):
    """Keras 2.2.4's base for global 3D pooling layers: define `call`.

    # Arguments
        data_format: `'channels_last'` or `'channels_first'` (default `K.image_data_format()`).
    """

    def __init__(self, data_format=None, **kwargs):
        super(_GlobalPooling3D, self).__init__(3, None, data_format, **kwargs)


__all__ = ['MaxPooling1D', 'MaxPooling2D', 'MaxPooling3D', 'AveragePooling1D', 'AveragePooling2D',
           'AveragePooling3D', 'GlobalMaxPooling1D', 'GlobalMaxPooling2D', 'GlobalMaxPooling3D',
           'GlobalAveragePooling1D', 'GlobalAveragePooling2D', 'GlobalAveragePooling3D', 'MaxPool1D',
           'MaxPool2D', 'MaxPool3D', 'AvgPool1D', 'AvgPool2D', 'AvgPool3D', 'GlobalMaxPool1D',
           'GlobalMaxPool2D', 'GlobalMaxPool3D', 'GlobalAvgPool1D', 'GlobalAvgPool2D', 'GlobalAvgPool3D']
