"""Advanced activation layers: LeakyReLU, PReLU, ELU, ThresholdedReLU, Softmax, ReLU."""
import numbers

import tensorflow as tf

from kernelkit import backend as K
from kernelkit import constraints, initializers, regularizers
from kernelkit.engine.base_layer import Layer
from kernelkit.engine.input_spec import InputSpec


def _number(layer, argument, value, minimum=None, allow_none=False):
    """Checks a numeric constructor argument, naming the layer in the error."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError('%s: `%s` must be a number, got %r.' % (layer.name, argument, value))
    if minimum is not None and value < minimum:
        raise ValueError('%s: `%s` cannot be smaller than %s, got %r.' % (layer.name, argument, minimum, value))
    return value


class _ElementwiseActivation(Layer):
    """Base of the parameter-free activation layers: same output shape as input, masks pass through."""

    def __init__(self, **kwargs):
        super(_ElementwiseActivation, self).__init__(**kwargs)
        self.supports_masking = True

    def compute_output_shape(self, input_shape):
        return input_shape


class LeakyReLU(_ElementwiseActivation):
    """Leaky version of a Rectified Linear Unit: `f(x) = alpha * x` for `x < 0`, `f(x) = x` for `x >= 0`.

    # Arguments
        alpha: float >= 0, the negative slope coefficient.

    # Input shape
        Arbitrary. Use the keyword argument `input_shape` when using this layer as the first layer of a
        model.

    # Output shape
        Same shape as the input.
    """

    def __init__(self, alpha=0.3, **kwargs):
        super(LeakyReLU, self).__init__(**kwargs)
        self.alpha = _number(self, 'alpha', alpha)

    def call(self, inputs):
        return K.relu(inputs, alpha=self.alpha)

    def get_config(self):
        config = super(LeakyReLU, self).get_config()
        config['alpha'] = self.alpha
        return config


class ELU(_ElementwiseActivation):
    """Exponential Linear Unit: `f(x) = alpha * (exp(x) - 1.)` for `x < 0`, `f(x) = x` for `x >= 0`.

    # Arguments
        alpha: scale of the negative part.

    # Input shape
        Arbitrary.

    # Output shape
        Same shape as the input.
    """

    def __init__(self, alpha=1.0, **kwargs):
        super(ELU, self).__init__(**kwargs)
        self.alpha = _number(self, 'alpha', alpha)

    def call(self, inputs):
        return K.elu(inputs, self.alpha)

    def get_config(self):
        config = super(ELU, self).get_config()
        config['alpha'] = self.alpha
        return config


class ThresholdedReLU(_ElementwiseActivation):
    """Thresholded Rectified Linear Unit: `f(x) = x` for `x > theta`, `f(x) = 0` otherwise.

    # Arguments
        theta: float >= 0, the threshold location of activation.

    # Input shape
        Arbitrary.

    # Output shape
        Same shape as the input.
    """

    def __init__(self, theta=1.0, **kwargs):
        super(ThresholdedReLU, self).__init__(**kwargs)
        self.theta = _number(self, 'theta', theta, minimum=0)

    def call(self, inputs):
        return inputs * tf.cast(tf.greater(inputs, tf.cast(self.theta, inputs.dtype)), inputs.dtype)

    def get_config(self):
        config = super(ThresholdedReLU, self).get_config()
        config['theta'] = self.theta
        return config


class Softmax(_ElementwiseActivation):
    """Softmax activation function along an axis.

    # Arguments
        axis: integer, the axis along which the softmax normalization is applied.

    # Input shape
        Arbitrary.

    # Output shape
        Same shape as the input.
    """

    def __init__(self, axis=-1, **kwargs):
        super(Softmax, self).__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
            raise ValueError('%s: `axis` must be an integer, got %r.' % (self.name, axis))
        self.axis = int(axis)

    def call(self, inputs):
        return K.softmax(inputs, axis=self.axis)

    def get_config(self):
        config = super(Softmax, self).get_config()
        config['axis'] = self.axis
        return config


class ReLU(_ElementwiseActivation):
    """Rectified Linear Unit activation function.

    With default values it returns element-wise `max(x, 0)`. Otherwise:
    `f(x) = max_value` for `x >= max_value`, `f(x) = x` for `threshold <= x < max_value`,
    `f(x) = negative_slope * (x - threshold)` otherwise.

    # Arguments
        max_value: float >= 0, the maximum activation value (`None`: unbounded).
        negative_slope: float >= 0, the negative slope coefficient.
        threshold: float, the threshold value for thresholded activation.

    # Input shape
        Arbitrary.

    # Output shape
        Same shape as the input.

    # Raises
        ValueError: for a negative `max_value` or `negative_slope`.
    """

    def __init__(self, max_value=None, negative_slope=0., threshold=0., **kwargs):
        super(ReLU, self).__init__(**kwargs)
        if max_value is not None and _number(self, 'max_value', max_value) < 0.:
            raise ValueError('max_value of ReLU layer %s cannot be negative value: %r' % (self.name, max_value))
        if _number(self, 'negative_slope', negative_slope) < 0.:
            raise ValueError('negative_slope of ReLU layer %s cannot be negative value: %r'
                             % (self.name, negative_slope))
        self.max_value = max_value
        self.negative_slope = negative_slope
        self.threshold = _number(self, 'threshold', threshold)

    def call(self, inputs):
        return K.relu(inputs, alpha=self.negative_slope, max_value=self.max_value, threshold=self.threshold)

    def get_config(self):
        config = super(ReLU, self).get_config()
        config.update({'max_value': self.max_value, 'negative_slope': self.negative_slope,
                       'threshold': self.threshold})
        return config


class PReLU(Layer):
    """Parametric Rectified Linear Unit: `f(x) = alpha * x` for `x < 0`, `f(x) = x` for `x >= 0`, where
    `alpha` is a learned array with the same shape as `x` (without the batch axis).

    # Arguments
        alpha_initializer: initializer of the weights.
        alpha_regularizer: regularizer of the weights.
        alpha_constraint: constraint on the weights.
        shared_axes: the axes along which to share learnable parameters (1-based, the batch axis is 0).
            For example, if the incoming feature maps come from a 2D convolution with output shape
            `(batch, height, width, channels)` and you wish to share parameters across space so that each
            filter only has one set of parameters, set `shared_axes=[1, 2]`.

    # Input shape
        Arbitrary, with known dimensions (except the batch dimension).

    # Output shape
        Same shape as the input.

    # Raises
        ValueError: for a shared axis outside the input, or (at build) unknown non-shared dimensions.
    """

    def __init__(self, alpha_initializer='zeros', alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs):
        super(PReLU, self).__init__(**kwargs)
        self.supports_masking = True
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif not isinstance(shared_axes, (list, tuple)):
            self.shared_axes = [shared_axes]
        else:
            self.shared_axes = list(shared_axes)
        for axis in self.shared_axes or []:
            if isinstance(axis, bool) or not isinstance(axis, numbers.Integral) or axis < 1:
                raise ValueError('PReLU %s: `shared_axes` must hold positive integers (the batch axis 0 cannot be '
                                 'shared), got %r.' % (self.name, shared_axes))

    def build(self, input_shape):
        rank = len(input_shape)
        param_shape = list(input_shape[1:])
        for axis in self.shared_axes or []:
            if axis >= rank:
                raise ValueError('PReLU %s: shared axis %d is out of range for inputs of shape %s.'
                                 % (self.name, axis, tuple(input_shape)))
            param_shape[axis - 1] = 1
        if any(d is None for d in param_shape):
            raise ValueError('PReLU %s: the dimensions of the inputs (except the batch axis and the shared axes) '
                             'must be known, got input shape %s.' % (self.name, tuple(input_shape)))
        self.alpha = self.add_weight(name='alpha', shape=param_shape, initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer, constraint=self.alpha_constraint)
        axes = {i: input_shape[i] for i in range(1, rank) if i not in (self.shared_axes or [])}
        self.input_spec = InputSpec(ndim=rank, axes=axes)
        self.built = True

    def call(self, inputs):
        return tf.nn.relu(inputs) - self.alpha * tf.nn.relu(-inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = {
            'alpha_initializer': initializers.serialize(self.alpha_initializer),
            'alpha_regularizer': regularizers.serialize(self.alpha_regularizer),
            'alpha_constraint': constraints.serialize(self.alpha_constraint),
            'shared_axes': self.shared_axes,
        }
        base = super(PReLU, self).get_config()
        return dict(list(base.items()) + list(config.items()))
