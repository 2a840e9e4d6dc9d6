"""Spatial dropout: SpatialDropout1D, SpatialDropout2D, SpatialDropout3D (Keras 2 had them in `core`).

They drop whole feature maps (channels) instead of single elements: when adjacent pixels or time steps
are strongly correlated, element-wise dropout does not regularize, while dropping entire channels does.
"""
from kernelkit import backend as K
from kernelkit.engine.input_spec import InputSpec
from kernelkit.layers.core import Dropout


class _SpatialDropout(Dropout):
    """Base class: a `Dropout` whose mask has size 1 along every spatial axis.

    # Arguments
        rate: float in [0, 1], the fraction of channels to drop.
        data_format: `'channels_first'` or `'channels_last'` (default: `K.image_data_format()`).
    """

    _rank = None  # rank of the inputs, batch axis included

    def __init__(self, rate, data_format=None, **kwargs):
        super(_SpatialDropout, self).__init__(rate, **kwargs)
        self.data_format = K.normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self._rank)

    def _noise_shape(self, inputs):
        shape = K.shape(inputs)
        ones = [1] * (self._rank - 2)
        if self.data_format == 'channels_first':
            return [shape[0], shape[1]] + ones
        return [shape[0]] + ones + [shape[self._rank - 1]]

    def get_config(self):
        config = super(_SpatialDropout, self).get_config()
        config['data_format'] = self.data_format
        return config


class SpatialDropout1D(_SpatialDropout):
    """Spatial 1D version of Dropout: drops entire 1D feature maps (channels) instead of single elements.

    # Arguments
        rate: float between 0 and 1, the fraction of channels to drop.

    # Input shape
        3D tensor `(samples, timesteps, channels)`.

    # Output shape
        Same as the input.

    # References
        [Efficient Object Localization Using Convolutional Networks](https://arxiv.org/abs/1411.4280)
    """

    _rank = 3

    def __init__(self, rate, **kwargs):
        if 'data_format' in kwargs:
            raise TypeError('SpatialDropout1D does not take a `data_format` argument: its inputs are '
                            '(samples, timesteps, channels).')
        super(SpatialDropout1D, self).__init__(rate, data_format='channels_last', **kwargs)

    def get_config(self):
        config = super(SpatialDropout1D, self).get_config()
        del config['data_format']
        return config


class SpatialDropout2D(_SpatialDropout):
    """Spatial 2D version of Dropout: drops entire 2D feature maps (channels) instead of single elements.

    # Arguments
        rate: float between 0 and 1, the fraction of channels to drop.
        data_format: `'channels_first'` (inputs `(samples, channels, rows, cols)`) or `'channels_last'`
            (inputs `(samples, rows, cols, channels)`); default `K.image_data_format()`.

    # Input shape
        4D tensor.

    # Output shape
        Same as the input.

    # References
        [Efficient Object Localization Using Convolutional Networks](https://arxiv.org/abs/1411.4280)
    """

    _rank = 4


class SpatialDropout3D(_SpatialDropout):
    """Spatial 3D version of Dropout: drops entire 3D feature maps (channels) instead of single elements.

    # Arguments
        rate: float between 0 and 1, the fraction of channels to drop.
        data_format: `'channels_first'` (inputs `(samples, channels, dim1, dim2, dim3)`) or
            `'channels_last'` (inputs `(samples, dim1, dim2, dim3, channels)`); default
            `K.image_data_format()`.

    # Input shape
        5D tensor.

    # Output shape
        Same as the input.

    # References
        [Efficient Object Localization Using Convolutional Networks](https://arxiv.org/abs/1411.4280)
    """

    _rank = 5
