"""Spatial reshaping layers of Keras 2.2's convolutional module: UpSampling1D/2D/3D, ZeroPadding1D/2D/3D
and Cropping1D/2D/3D. They have no weights; each family shares one base class over the 1D/2D/3D variants.
"""
import tensorflow as tf

from kernelkit import backend as K
from kernelkit.engine.base_layer import Layer
from kernelkit.engine.input_spec import InputSpec
from kernelkit.layers.convolutional_base import (describe, known_shape, normalize_data_format,
                                                 normalize_pairs, normalize_tuple, spatial_axes)


class _SpatialReshape(Layer):
    """Abstract layer that changes the size of each spatial axis of a `(rank + 2)`D tensor.

    Subclasses define `_new_length(length, index)` and `call`. 1D variants are always channels_last and
    leave `data_format` out of their config, as in Keras 2.

    # Raises
        ValueError: for an unknown `data_format`.
    """

    def __init__(self, rank, data_format=None, **kwargs):
        super(_SpatialReshape, self).__init__(**kwargs)
        self.rank = rank
        self.data_format = 'channels_last' if rank == 1 else normalize_data_format(self, data_format)
        self.input_spec = InputSpec(ndim=rank + 2)

    def _axes(self):
        return spatial_axes(self.rank, self.data_format)

    def _new_length(self, length, index):
        raise NotImplementedError

    def _pairs(self, name, value):
        """Normalizes a padding/cropping argument into one `(before, after)` pair per spatial axis."""
        if self.rank == 1:
            return (normalize_tuple(self, name, value, 2, minimum=0),)
        return normalize_pairs(self, name, value, self.rank)

    def _check_input(self, input_shape):
        """Hook for a layer to reject inputs; called when built and on every call."""

    def build(self, input_shape):
        self._check_input(tuple(input_shape))
        self.built = True

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for index, axis in enumerate(self._axes()):
            if shape[axis] is not None:
                shape[axis] = self._new_length(shape[axis], index)
        return tuple(shape)

    def get_config(self):
        config = super(_SpatialReshape, self).get_config()
        if self.rank > 1:
            config['data_format'] = self.data_format
        return config


# ------------------------------------------------------------------------------------------------
# UpSampling


class _UpSampling(_SpatialReshape):
    """Abstract upsampling layer: repeats each entry `size[i]` times along spatial axis `i`."""

    def __init__(self, rank, size, data_format=None, **kwargs):
        super(_UpSampling, self).__init__(rank, data_format, **kwargs)
        self.size = normalize_tuple(self, 'size', size, rank)

    def _new_length(self, length, index):
        return length * self.size[index]

    def call(self, inputs):
        outputs = inputs
        for factor, axis in zip(self.size, self._axes()):
            if factor != 1:
                outputs = tf.repeat(outputs, factor, axis=axis)
        return outputs

    def get_config(self):
        config = super(_UpSampling, self).get_config()
        config['size'] = self.size
        return config


class UpSampling1D(_UpSampling):
    """Upsampling layer for 1D inputs: repeats each time step `size` times along the time axis.

    # Arguments
        size: positive integer, the upsampling factor.

    # Input shape
        3D tensor `(batch, steps, features)`.

    # Output shape
        3D tensor `(batch, steps * size, features)`.

    # Raises
        ValueError: if `size` is not a positive integer.
    """

    def __init__(self, size=2, **kwargs):
        super(UpSampling1D, self).__init__(1, size, **kwargs)

    def get_config(self):
        config = super(UpSampling1D, self).get_config()
        config['size'] = self.size[0]
        return config


class UpSampling2D(_UpSampling):
    """Upsampling layer for 2D inputs: repeats rows `size[0]` times and columns `size[1]` times.

    # Arguments
        size: positive integer or tuple of 2 positive integers, the factors for rows and columns.
        data_format: `'channels_last'` (`(batch, rows, cols, channels)`) or `'channels_first'`
            (`(batch, channels, rows, cols)`); default `K.image_data_format()`.
        interpolation: `'nearest'` (repeat, the default) or `'bilinear'` (TensorFlow's legacy bilinear
            resize, without half-pixel centers, as Keras 2.2 used).

    # Input shape
        4D tensor `(batch, rows, cols, channels)` (or `(batch, channels, rows, cols)`).

    # Output shape
        4D tensor `(batch, rows * size[0], cols * size[1], channels)` (or channels first).

    # Raises
        ValueError: for an invalid `size`, `data_format` or `interpolation`.
    """

    def __init__(self, size=(2, 2), data_format=None, interpolation='nearest', **kwargs):
        super(UpSampling2D, self).__init__(2, size, data_format, **kwargs)
        if interpolation not in ('nearest', 'bilinear'):
            raise ValueError('%s: `interpolation` must be "nearest" or "bilinear", got %r.'
                             % (describe(self), interpolation))
        self.interpolation = interpolation

    def call(self, inputs):
        if self.interpolation == 'nearest':
            return super(UpSampling2D, self).call(inputs)
        return K.resize_images(inputs, self.size[0], self.size[1], self.data_format,
                               interpolation=self.interpolation)

    def get_config(self):
        config = super(UpSampling2D, self).get_config()
        config['interpolation'] = self.interpolation
        return config


class UpSampling3D(_UpSampling):
    """Upsampling layer for 3D inputs: repeats the entries along the three spatial axes by `size`.

    # Arguments
        size: positive integer or tuple of 3 positive integers, the factors for dim1, dim2 and dim3.
        data_format: `'channels_last'` (`(batch, dim1, dim2, dim3, channels)`) or `'channels_first'`
            (`(batch, channels, dim1, dim2, dim3)`); default `K.image_data_format()`.

    # Input shape
        5D tensor `(batch, dim1, dim2, dim3, channels)` (or channels first).

    # Output shape
        5D tensor `(batch, dim1 * size[0], dim2 * size[1], dim3 * size[2], channels)` (or channels first).

    # Raises
        ValueError: for an invalid `size` or `data_format`.
    """

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super(UpSampling3D, self).__init__(3, size, data_format, **kwargs)


# ------------------------------------------------------------------------------------------------
# ZeroPadding


class _ZeroPadding(_SpatialReshape):
    """Abstract zero-padding layer: adds `padding[i] = (before, after)` zeros along spatial axis `i`."""

    def __init__(self, rank, padding, data_format=None, **kwargs):
        super(_ZeroPadding, self).__init__(rank, data_format, **kwargs)
        self.padding = self._pairs('padding', padding)

    def _new_length(self, length, index):
        return length + sum(self.padding[index])

    def call(self, inputs):
        pattern = [[0, 0] for _ in range(self.rank + 2)]
        for pair, axis in zip(self.padding, self._axes()):
            pattern[axis] = list(pair)
        return tf.pad(inputs, pattern)

    def get_config(self):
        config = super(_ZeroPadding, self).get_config()
        config['padding'] = self.padding[0] if self.rank == 1 else self.padding
        return config


class ZeroPadding1D(_ZeroPadding):
    """Zero-padding layer for 1D inputs (e.g. temporal sequences).

    # Arguments
        padding: non-negative integer (as many zeros at the start as at the end of the time axis), or
            tuple of 2 integers `(left_pad, right_pad)`.

    # Input shape
        3D tensor `(batch, steps, features)`.

    # Output shape
        3D tensor `(batch, left_pad + steps + right_pad, features)`.

    # Raises
        ValueError: if `padding` is not of one of these forms or has negative entries.
    """

    def __init__(self, padding=1, **kwargs):
        super(ZeroPadding1D, self).__init__(1, padding, **kwargs)


class ZeroPadding2D(_ZeroPadding):
    """Zero-padding layer for 2D inputs (e.g. pictures): adds rows and columns of zeros around them.

    # Arguments
        padding: non-negative integer (the same padding on all four sides), tuple of 2 integers
            `(symmetric_height_pad, symmetric_width_pad)`, or tuple of 2 tuples of 2 integers
            `((top_pad, bottom_pad), (left_pad, right_pad))`.
        data_format: `'channels_last'` (`(batch, rows, cols, channels)`) or `'channels_first'`
            (`(batch, channels, rows, cols)`); default `K.image_data_format()`.

    # Input shape
        4D tensor `(batch, rows, cols, channels)` (or `(batch, channels, rows, cols)`).

    # Output shape
        4D tensor `(batch, padded_rows, padded_cols, channels)` (or channels first).

    # Raises
        ValueError: if `padding` is not of one of these forms or has negative entries, or for an unknown
            `data_format`.
    """

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super(ZeroPadding2D, self).__init__(2, padding, data_format, **kwargs)


class ZeroPadding3D(_ZeroPadding):
    """Zero-padding layer for 3D inputs (spatial or spatio-temporal volumes).

    # Arguments
        padding: non-negative integer (the same padding everywhere), tuple of 3 integers (symmetric
            padding per spatial axis), or tuple of 3 tuples of 2 integers
            `((left_dim1_pad, right_dim1_pad), (left_dim2_pad, right_dim2_pad), (left_dim3_pad,
            right_dim3_pad))`.
        data_format: `'channels_last'` (`(batch, dim1, dim2, dim3, channels)`) or `'channels_first'`
            (`(batch, channels, dim1, dim2, dim3)`); default `K.image_data_format()`.

    # Input shape
        5D tensor `(batch, dim1, dim2, dim3, channels)` (or channels first).

    # Output shape
        5D tensor `(batch, padded_dim1, padded_dim2, padded_dim3, channels)` (or channels first).

    # Raises
        ValueError: if `padding` is not of one of these forms or has negative entries, or for an unknown
            `data_format`.
    """

    def __init__(self, padding=(1, 1, 1), data_format=None, **kwargs):
        super(ZeroPadding3D, self).__init__(3, padding, data_format, **kwargs)


# ------------------------------------------------------------------------------------------------
# Cropping


class _Cropping(_SpatialReshape):
    """Abstract cropping layer: removes `cropping[i] = (before, after)` entries along spatial axis `i`."""

    def __init__(self, rank, cropping, data_format=None, **kwargs):
        super(_Cropping, self).__init__(rank, data_format, **kwargs)
        self.cropping = self._pairs('cropping', cropping)

    def _new_length(self, length, index):
        return length - sum(self.cropping[index])

    def _check_input(self, input_shape):
        if input_shape is None:
            return
        for index, axis in enumerate(self._axes()):
            length = input_shape[axis]
            if length is not None and self._new_length(length, index) <= 0:
                raise ValueError('%s: cropping %s from axis %d, of size %d, of the input of shape %s leaves '
                                 'nothing; the cropping must be smaller than the input.'
                                 % (describe(self), self.cropping[index], axis, length, tuple(input_shape)))

    def call(self, inputs):
        self._check_input(known_shape(inputs))
        index = [slice(None)] * (self.rank + 2)
        for (before, after), axis in zip(self.cropping, self._axes()):
            index[axis] = slice(before, -after if after else None)
        return inputs[tuple(index)]

    def get_config(self):
        config = super(_Cropping, self).get_config()
        config['cropping'] = self.cropping[0] if self.rank == 1 else self.cropping
        return config


class Cropping1D(_Cropping):
    """Cropping layer for 1D inputs (e.g. temporal sequences): trims the time axis (axis 1).

    # Arguments
        cropping: non-negative integer (as many steps trimmed at the start as at the end), or tuple of
            2 integers `(start_crop, end_crop)`.

    # Input shape
        3D tensor `(batch, steps, features)`.

    # Output shape
        3D tensor `(batch, steps - start_crop - end_crop, features)`.

    # Raises
        ValueError: if `cropping` is not of one of these forms or has negative entries; when built, if
            it would remove the whole time axis.
    """

    def __init__(self, cropping=(1, 1), **kwargs):
        super(Cropping1D, self).__init__(1, cropping, **kwargs)


class Cropping2D(_Cropping):
    """Cropping layer for 2D inputs (e.g. pictures): trims rows and columns at the borders.

    # Arguments
        cropping: non-negative integer (the same on all four sides), tuple of 2 integers
            `(symmetric_height_crop, symmetric_width_crop)`, or tuple of 2 tuples of 2 integers
            `((top_crop, bottom_crop), (left_crop, right_crop))`.
        data_format: `'channels_last'` (`(batch, rows, cols, channels)`) or `'channels_first'`
            (`(batch, channels, rows, cols)`); default `K.image_data_format()`.

    # Input shape
        4D tensor `(batch, rows, cols, channels)` (or `(batch, channels, rows, cols)`).

    # Output shape
        4D tensor `(batch, cropped_rows, cropped_cols, channels)` (or channels first).

    # Raises
        ValueError: if `cropping` is not of one of these forms or has negative entries, or for an unknown
            `data_format`; when built, if it would remove a whole spatial axis.
    """

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super(Cropping2D, self).__init__(2, cropping, data_format, **kwargs)


class Cropping3D(_Cropping):
    """Cropping layer for 3D inputs (spatial or spatio-temporal volumes).

    # Arguments
        cropping: non-negative integer (the same everywhere), tuple of 3 integers (symmetric cropping per
            spatial axis), or tuple of 3 tuples of 2 integers
            `((left_dim1_crop, right_dim1_crop), (left_dim2_crop, right_dim2_crop), (left_dim3_crop,
            right_dim3_crop))`.
        data_format: `'channels_last'` (`(batch, dim1, dim2, dim3, channels)`) or `'channels_first'`
            (`(batch, channels, dim1, dim2, dim3)`); default `K.image_data_format()`.

    # Input shape
        5D tensor `(batch, dim1, dim2, dim3, channels)` (or channels first).

    # Output shape
        5D tensor `(batch, cropped_dim1, cropped_dim2, cropped_dim3, channels)` (or channels first).

    # Raises
        ValueError: if `cropping` is not of one of these forms or has negative entries, or for an unknown
            `data_format`; when built, if it would remove a whole spatial axis.
    """

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super(Cropping3D, self).__init__(3, cropping, data_format, **kwargs)


__all__ = ['UpSampling1D', 'UpSampling2D', 'UpSampling3D', 'ZeroPadding1D', 'ZeroPadding2D', 'ZeroPadding3D',
           'Cropping1D', 'Cropping2D', 'Cropping3D']
