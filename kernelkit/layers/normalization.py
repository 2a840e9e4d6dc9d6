"""Normalization layers: BatchNormalization."""
import numbers

import tensorflow as tf

from kernelkit import backend as K
from kernelkit import constraints, initializers, regularizers
from kernelkit.engine import base_layer
from kernelkit.engine.base_layer import Layer
from kernelkit.engine.input_spec import InputSpec


class BatchNormalization(Layer):
    """Batch normalization layer (Ioffe and Szegedy, 2015).

    Normalizes the activations of the previous layer at each batch: in training it uses the mean and
    variance of the current batch (over every axis but `axis`), keeping the mean close to 0 and the
    standard deviation close to 1, then scales by `gamma` and shifts by `beta`. At inference it uses the
    moving averages of the batch statistics collected during training, each updated as
    `moving = moving * momentum + batch_statistic * (1 - momentum)`. As in tf.keras, the batch variance
    that enters the moving variance has Bessel's correction (`n / (n - 1)`) for 4D and 5D inputs normalized
    along their first or last non-batch axis (where TensorFlow's fused kernel applies), and none otherwise;
    the normalization itself always uses the plain batch variance. A layer with `trainable=False` still normalizes with batch statistics in training (as
    in Keras 2) but no longer updates its moving statistics; neither does one inside a model with
    `trainable=False`.

    # Arguments
        axis: integer, the axis that should be normalized (typically the features axis); e.g. after a
            `Conv2D` layer with `data_format="channels_first"`, set `axis=1`.
        momentum: momentum of the moving mean and moving variance.
        epsilon: small float added to the variance to avoid dividing by zero.
        center: if `True`, add the offset `beta` to the normalized tensor.
        scale: if `True`, multiply by `gamma` (can be disabled when the next layer is linear, e.g.
            `relu`, since the scaling will be done by the next layer).
        beta_initializer: initializer of the beta weight.
        gamma_initializer: initializer of the gamma weight.
        moving_mean_initializer: initializer of the moving mean.
        moving_variance_initializer: initializer of the moving variance.
        beta_regularizer: optional regularizer of the beta weight.
        gamma_regularizer: optional regularizer of the gamma weight.
        beta_constraint: optional constraint on the beta weight.
        gamma_constraint: optional constraint on the gamma weight.

    # Input shape
        Arbitrary. Use the keyword argument `input_shape` when using this layer as the first layer of a
        model.

    # Output shape
        Same shape as input.

    # Weights
        `[gamma, beta, moving_mean, moving_variance]` (gamma and beta only when `scale` and `center`).

    # Raises
        ValueError: for an invalid `axis`, `momentum` or `epsilon`, or (at build) an axis that is out of
            range or whose size is unknown.
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer='zeros', gamma_initializer='ones', moving_mean_initializer='zeros',
                 moving_variance_initializer='ones', beta_regularizer=None, gamma_regularizer=None,
                 beta_constraint=None, gamma_constraint=None, **kwargs):
        super(BatchNormalization, self).__init__(**kwargs)
        self.supports_masking = True
        if isinstance(axis, (list, tuple)) and len(axis) == 1:
            axis = axis[0]  # tf.keras configs store the axis as a one-element list
        if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
            raise ValueError('BatchNormalization %s: `axis` must be a single integer (Keras 2 normalizes along '
                             'one axis), got %r.' % (self.name, axis))
        self.axis = int(axis)
        if not 0. <= float(momentum) <= 1.:
            raise ValueError('BatchNormalization %s: `momentum` must be in [0, 1], got %r.'
                             % (self.name, momentum))
        if not float(epsilon) > 0.:
            raise ValueError('BatchNormalization %s: `epsilon` must be positive, got %r.' % (self.name, epsilon))
        self.momentum = momentum
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)

    def build(self, input_shape):
        rank = len(input_shape)
        if not -rank <= self.axis < rank or self.axis % rank == 0:
            raise ValueError('BatchNormalization %s: axis %d is invalid for inputs of shape %s (it must be a '
                             'non-batch axis).' % (self.name, self.axis, tuple(input_shape)))
        dim = input_shape[self.axis]
        if dim is None:
            raise ValueError('BatchNormalization %s: axis %d of the input tensor should have a defined dimension '
                             'but the layer received an input with shape %s.'
                             % (self.name, self.axis, tuple(input_shape)))
        self.input_spec = InputSpec(ndim=rank, axes={self.axis: dim})
        shape = (dim,)
        self.gamma = self.add_weight(name='gamma', shape=shape, initializer=self.gamma_initializer,
                                     regularizer=self.gamma_regularizer,
                                     constraint=self.gamma_constraint) if self.scale else None
        self.beta = self.add_weight(name='beta', shape=shape, initializer=self.beta_initializer,
                                    regularizer=self.beta_regularizer,
                                    constraint=self.beta_constraint) if self.center else None
        self.moving_mean = self.add_weight(name='moving_mean', shape=shape,
                                           initializer=self.moving_mean_initializer, trainable=False)
        self.moving_variance = self.add_weight(name='moving_variance', shape=shape,
                                               initializer=self.moving_variance_initializer, trainable=False)
        self.built = True

    def call(self, inputs, training=None):
        rank = inputs.shape.rank
        axis = self.axis % rank
        reduction_axes = [i for i in range(rank) if i != axis]
        epsilon = self.epsilon
        fused = rank in (4, 5) and axis in (1, rank - 1)  # where TensorFlow's fused kernel applies
        if fused:
            epsilon = max(epsilon, 1.001e-5)  # the fused kernel's floor, as in Keras 2 and tf.keras

        def broadcast(value):
            if value is None or axis == rank - 1:
                return value
            shape = [1] * rank
            shape[axis] = -1
            return tf.reshape(value, shape)

        def normalize(mean, variance):
            return tf.nn.batch_normalization(inputs, broadcast(mean), broadcast(variance), broadcast(self.beta),
                                             broadcast(self.gamma), epsilon)

        def normalize_inference():
            return normalize(self.moving_mean, self.moving_variance)

        def normalize_training():
            if fused and axis == rank - 1 and inputs.dtype == tf.float32:
                # TensorFlow's fused kernel (forward and gradient), as Keras 2 and tf.keras use it: one pass
                # instead of a dozen element-wise ops. Its variance has Bessel's correction.
                ones = tf.ones(tf.shape(inputs)[-1:], inputs.dtype)
                outputs, mean, moving_variance = tf.compat.v1.nn.fused_batch_norm(
                    inputs, self.gamma if self.gamma is not None else ones,
                    self.beta if self.beta is not None else ones * 0., epsilon=epsilon,
                    data_format='NHWC' if rank == 4 else 'NDHWC', is_training=True)
            else:
                mean, variance = tf.nn.moments(inputs, reduction_axes)
                outputs, moving_variance = normalize(mean, variance), variance
                if fused:  # the fused kernel's variance has Bessel's correction (as tf.keras updates it)
                    count = tf.cast(tf.size(inputs) // tf.shape(inputs)[axis], variance.dtype)
                    moving_variance = variance * count / tf.maximum(count - 1., 1.)
            if self.trainable and base_layer.updates_enabled():
                self._update_moving(self.moving_mean, mean)
                self._update_moving(self.moving_variance, moving_variance)
            return outputs

        return K.in_train_phase(normalize_training, normalize_inference, training=training)

    def _update_moving(self, variable, value):
        momentum = tf.cast(self.momentum, variable.dtype)
        variable.assign(variable * momentum + tf.cast(value, variable.dtype) * (1. - momentum))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = {
            'axis': self.axis,
            'momentum': self.momentum,
            'epsilon': self.epsilon,
            'center': self.center,
            'scale': self.scale,
            'beta_initializer': initializers.serialize(self.beta_initializer),
            'gamma_initializer': initializers.serialize(self.gamma_initializer),
            'moving_mean_initializer': initializers.serialize(self.moving_mean_initializer),
            'moving_variance_initializer': initializers.serialize(self.moving_variance_initializer),
            'beta_regularizer': regularizers.serialize(self.beta_regularizer),
            'gamma_regularizer': regularizers.serialize(self.gamma_regularizer),
            'beta_constraint': constraints.serialize(self.beta_constraint),
            'gamma_constraint': constraints.serialize(self.gamma_constraint),
        }
        base = super(BatchNormalization, self).get_config()
        return dict(list(base.items()) + list(config.items()))
