"""Noise layers, active in training only: GaussianNoise, GaussianDropout, AlphaDropout.

(The spatial dropout layers are in `spatial_dropout.py`.)
"""
import numbers

import numpy as np
import tensorflow as tf

from kernelkit import backend as K
from kernelkit.engine.base_layer import Layer
from kernelkit.layers.core import _rate


class _TrainingNoise(Layer):
    """Base of the noise layers: identity at inference, `_noised(inputs)` in training; masks pass through."""

    def __init__(self, **kwargs):
        super(_TrainingNoise, self).__init__(**kwargs)
        self.supports_masking = True

    def _active(self):
        return True

    def _noised(self, inputs):
        raise NotImplementedError

    def call(self, inputs, training=None):
        if not self._active():
            return inputs
        return K.in_train_phase(lambda: self._noised(inputs), inputs, training=training)

    def compute_output_shape(self, input_shape):
        return input_shape


class GaussianNoise(_TrainingNoise):
    """Applies additive zero-centered Gaussian noise (training only).

    Useful to mitigate overfitting (a form of random data augmentation). Gaussian noise is a natural
    choice as corruption process for real-valued inputs. As a regularization layer, it is only active
    at training time.

    # Arguments
        stddev: float >= 0, standard deviation of the noise distribution.

    # Input shape
        Arbitrary.

    # Output shape
        Same shape as the input.

    # Raises
        ValueError: for a negative or non-numeric `stddev`.
    """

    def __init__(self, stddev, **kwargs):
        super(GaussianNoise, self).__init__(**kwargs)
        if isinstance(stddev, bool) or not isinstance(stddev, numbers.Real) or stddev < 0:
            raise ValueError('GaussianNoise %s: `stddev` must be a number >= 0, got %r.' % (self.name, stddev))
        self.stddev = stddev

    def _noised(self, inputs):
        return inputs + tf.random.normal(tf.shape(inputs), mean=0., stddev=self.stddev, dtype=inputs.dtype)

    def get_config(self):
        config = super(GaussianNoise, self).get_config()
        config['stddev'] = self.stddev
        return config


class GaussianDropout(_TrainingNoise):
    """Applies multiplicative 1-centered Gaussian noise, of standard deviation `sqrt(rate / (1 - rate))`
    (training only).

    # Arguments
        rate: float in [0, 1), the drop probability (as with `Dropout`).

    # Input shape
        Arbitrary.

    # Output shape
        Same shape as the input.

    # References
        [Dropout: A Simple Way to Prevent Neural Networks from Overfitting](
        http://www.cs.toronto.edu/~rsalakhu/papers/srivastava14a.pdf)

    # Raises
        ValueError: if `rate` is outside [0, 1].
    """

    def __init__(self, rate, **kwargs):
        super(GaussianDropout, self).__init__(**kwargs)
        self.rate = _rate(self.name, rate)

    def _active(self):
        return 0. < self.rate < 1.

    def _noised(self, inputs):
        stddev = np.sqrt(self.rate / (1. - self.rate))
        return inputs * tf.random.normal(tf.shape(inputs), mean=1., stddev=stddev, dtype=inputs.dtype)

    def get_config(self):
        config = super(GaussianDropout, self).get_config()
        config['rate'] = self.rate
        return config


class AlphaDropout(_TrainingNoise):
    """Applies Alpha Dropout to the input (training only).

    Alpha Dropout keeps the mean and variance of its inputs at their original values, to preserve the
    self-normalizing property even after this dropout: dropped units are set to the negative saturation
    value of SELU, and an affine transformation restores mean and variance. It fits Scaled Exponential
    Linear Units well.

    # Arguments
        rate: float in [0, 1), the drop probability (as with `Dropout`). The multiplicative noise has
            standard deviation `sqrt(rate / (1 - rate))`.
        noise_shape: shape of the random keep/drop mask (broadcast against the input); `None`: the
            input's shape.
        seed: a Python integer to use as random seed.

    # Input shape
        Arbitrary.

    # Output shape
        Same shape as the input.

    # References
        [Self-Normalizing Neural Networks](https://arxiv.org/abs/1706.02515)

    # Raises
        ValueError: if `rate` is outside [0, 1].
    """

    _ALPHA = 1.6732632423543772848170429916717
    _SCALE = 1.0507009873554804934193349852946

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super(AlphaDropout, self).__init__(**kwargs)
        self.rate = _rate(self.name, rate)
        self.noise_shape = noise_shape
        self.seed = seed

    def _active(self):
        return 0. < self.rate < 1.

    def _noised(self, inputs):
        rate = self.rate
        shape = tf.shape(inputs) if not self.noise_shape else [
            tf.shape(inputs)[i] if size is None else size for i, size in enumerate(self.noise_shape)]
        alpha_p = -self._ALPHA * self._SCALE
        kept = tf.cast(tf.greater_equal(tf.random.uniform(shape, seed=self.seed), rate), inputs.dtype)
        a = ((1 - rate) * (1 + rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * rate
        return a * (inputs * kept + alpha_p * (1 - kept)) + b

    def get_config(self):
        config = super(AlphaDropout, self).get_config()
        config.update({'rate': self.rate, 'noise_shape': self.noise_shape, 'seed': self.seed})
        return config
