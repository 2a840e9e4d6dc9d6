"""Weight initializers (Keras 2.2 API).

An initializer is called as `initializer(shape, dtype=None)` and returns a `tf.Tensor` of that
shape.
As in Keras 2.2, `glorot_uniform`, `he_normal` and friends are functions that return a configured
`VarianceScaling`, so a saved config stores `{"class_name": "VarianceScaling", ...}`. The TF2 class
names written by tf_keras (`GlorotUniform`, `HeNormal`, ...) are understood when loading.
"""
import numpy as np
import tensorflow as tf

from kernelkit.backend.config import floatx as _floatx
from kernelkit.utils.generic_utils import deserialize_keras_object
from kernelkit.utils.generic_utils import serialize_keras_object

# Standard deviation of a unit normal truncated to [-2, 2]:
# scipy.stats.truncnorm.std(a=-2, b=2, loc=0., scale=1.)
_TRUNCATED_STDDEV_FACTOR = .87962566103423978


def _as_dtype(dtype):
    return tf.as_dtype(_floatx() if dtype is None else dtype)


def _as_shape(shape):
    if isinstance(shape, tf.TensorShape):
        shape = shape.as_list()
    try:
        return tuple(int(d) for d in shape)
    except (TypeError, ValueError):
        raise ValueError('`shape` must be a tuple of integers, got %r.' % (shape,))


def _stateless_seed(seed):
    return tf.constant([int(seed), 0], dtype=tf.int64)


def _random_normal(shape, mean, stddev, dtype, seed):
    if seed is None:
        return tf.random.normal(shape, mean, stddev, dtype=dtype)
    return tf.random.stateless_normal(shape, _stateless_seed(seed), mean, stddev, dtype=dtype)


def _truncated_normal(shape, mean, stddev, dtype, seed):
    if seed is None:
        return tf.random.truncated_normal(shape, mean, stddev, dtype=dtype)
    return tf.random.stateless_truncated_normal(shape, _stateless_seed(seed), mean, stddev,
                                                dtype=dtype)


def _random_uniform(shape, minval, maxval, dtype, seed):
    if seed is None:
        return tf.random.uniform(shape, minval, maxval, dtype=dtype)
    return tf.random.stateless_uniform(shape, _stateless_seed(seed), minval, maxval, dtype=dtype)


class Initializer(object):
    """Initializer base class: all initializers inherit from this class.

    Subclasses implement `__call__(shape, dtype=None)` and, when they have arguments, `get_config`.
    """

    def __call__(self, shape, dtype=None):
        """Returns a tensor of the given shape and dtype (default: floatx).

        # Arguments
            shape: tuple of integers, the shape of the tensor.
            dtype: the dtype of the tensor; `None` means `floatx()`.

        # Returns
            A `tf.Tensor`.
        """
        raise NotImplementedError('%s must implement `__call__(shape, dtype=None)`.'
                                  % self.__class__.__name__)

    def get_config(self):
        """Returns the constructor arguments of this initializer as a dictionary.

        # Returns
            A JSON-serializable dictionary.
        """
        return {}

    @classmethod
    def from_config(cls, config):
        """Creates an initializer from its config (an unused `dtype` key is ignored).

        # Arguments
            config: dictionary returned by `get_config`.

        # Returns
            An initializer instance.
        """
        config = dict(config)
        config.pop('dtype', None)
        return cls(**config)

    def __repr__(self):
        args = ', '.join('%s=%r' % item for item in self.get_config().items())
        return '%s(%s)' % (self.__class__.__name__, args)


class Zeros(Initializer):
    """Initializer that generates tensors filled with 0."""

    def __call__(self, shape, dtype=None):
        return tf.zeros(_as_shape(shape), dtype=_as_dtype(dtype))


class Ones(Initializer):
    """Initializer that generates tensors filled with 1."""

    def __call__(self, shape, dtype=None):
        return tf.ones(_as_shape(shape), dtype=_as_dtype(dtype))


class Constant(Initializer):
    """Initializer that generates tensors filled with a constant value.

    # Arguments
        value: float; the value of the generated tensors.
    """

    def __init__(self, value=0):
        self.value = value

    def __call__(self, shape, dtype=None):
        return tf.constant(self.value, dtype=_as_dtype(dtype), shape=_as_shape(shape))

    def get_config(self):
        value = self.value
        if isinstance(value, (np.ndarray, np.generic)):
            value = value.tolist()
        return {'value': value}


class RandomNormal(Initializer):
    """Initializer that generates tensors with a normal distribution.

    # Arguments
        mean: a python scalar, the mean of the random values.
        stddev: a python scalar, the standard deviation of the random values.
        seed: a Python integer; the same seed gives the same values.
    """

    def __init__(self, mean=0., stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        self.seed = seed

    def __call__(self, shape, dtype=None):
        return _random_normal(_as_shape(shape), self.mean, self.stddev, _as_dtype(dtype), self.seed)

    def get_config(self):
        return {'mean': self.mean, 'stddev': self.stddev, 'seed': self.seed}


class RandomUniform(Initializer):
    """Initializer that generates tensors with a uniform distribution.

    # Arguments
        minval: a python scalar, the lower bound of the range of random values.
        maxval: a python scalar, the upper bound of the range of random values.
        seed: a Python integer; the same seed gives the same values.
    """

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval = minval
        self.maxval = maxval
        self.seed = seed

    def __call__(self, shape, dtype=None):
        return _random_uniform(_as_shape(shape), self.minval, self.maxval, _as_dtype(dtype),
                               self.seed)

    def get_config(self):
        return {'minval': self.minval, 'maxval': self.maxval, 'seed': self.seed}


class TruncatedNormal(Initializer):
    """Initializer that generates a truncated normal distribution.

    Values more than two standard deviations from the mean are discarded and redrawn.

    # Arguments
        mean: a python scalar, the mean of the random values.
        stddev: a python scalar, the standard deviation of the (untruncated) normal.
        seed: a Python integer; the same seed gives the same values.
    """

    def __init__(self, mean=0., stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        self.seed = seed

    def __call__(self, shape, dtype=None):
        return _truncated_normal(_as_shape(shape), self.mean, self.stddev, _as_dtype(dtype),
                                 self.seed)

    def get_config(self):
        return {'mean': self.mean, 'stddev': self.stddev, 'seed': self.seed}


def _compute_fans(shape):
    """Computes `(fan_in, fan_out)` for a weight shape, as Keras 2.2 does.

    2D `(in, out)`: the two dimensions. 3D/4D/5D: a convolution kernel in the channels_last layout
    `(..., in, out)`, with both fans multiplied by the receptive field size. Any other rank:
    `sqrt(prod(shape))` for both.

    # Arguments
        shape: tuple of integers.

    # Returns
        A tuple `(fan_in, fan_out)`.
    """
    if len(shape) == 2:
        return shape[0], shape[1]
    if len(shape) in (3, 4, 5):
        receptive_field_size = int(np.prod(shape[:-2]))
        return shape[-2] * receptive_field_size, shape[-1] * receptive_field_size
    fan = float(np.sqrt(np.prod(shape)))
    return fan, fan


class VarianceScaling(Initializer):
    """Initializer capable of adapting its scale to the shape of weights.

    With `distribution="normal"`, samples are drawn from a normal distribution truncated at two
    standard deviations, whose standard deviation after truncation is `sqrt(scale / n)`, where n is:
    the number of input units (`mode="fan_in"`), of output units (`"fan_out"`), or their average
    (`"fan_avg"`). With `distribution="uniform"`, samples are drawn from a uniform distribution
    within `[-limit, limit]`, with `limit = sqrt(3 * scale / n)`.

    # Arguments
        scale: positive float, the scaling factor.
        mode: one of `"fan_in"`, `"fan_out"`, `"fan_avg"`.
        distribution: one of `"normal"`, `"uniform"` (the tf_keras names `"truncated_normal"`,
            meaning `"normal"`, and `"untruncated_normal"` are accepted too).
        seed: a Python integer; the same seed gives the same values.

    # Raises
        ValueError: for a non-positive `scale` or an unknown `mode` or `distribution`.
    """

    def __init__(self, scale=1.0, mode='fan_in', distribution='normal', seed=None):
        if scale <= 0.:
            raise ValueError('`scale` must be a positive float, got %r.' % (scale,))
        mode = str(mode).lower()
        if mode not in ('fan_in', 'fan_out', 'fan_avg'):
            raise ValueError('Invalid `mode` argument %r: expected one of "fan_in", "fan_out", '
                             '"fan_avg".' % (mode,))
        distribution = str(distribution).lower()
        if distribution == 'truncated_normal':
            distribution = 'normal'
        if distribution not in ('normal', 'uniform', 'untruncated_normal'):
            raise ValueError('Invalid `distribution` argument %r: expected one of "normal", '
                             '"uniform".' % (distribution,))
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.seed = seed

    def __call__(self, shape, dtype=None):
        shape = _as_shape(shape)
        dtype = _as_dtype(dtype)
        fan_in, fan_out = _compute_fans(shape)
        if self.mode == 'fan_in':
            n = max(1., fan_in)
        elif self.mode == 'fan_out':
            n = max(1., fan_out)
        else:
            n = max(1., (fan_in + fan_out) / 2.)
        scale = self.scale / n
        if self.distribution == 'normal':
            stddev = np.sqrt(scale) / _TRUNCATED_STDDEV_FACTOR
            return _truncated_normal(shape, 0., stddev, dtype, self.seed)
        if self.distribution == 'untruncated_normal':
            return _random_normal(shape, 0., np.sqrt(scale), dtype, self.seed)
        limit = np.sqrt(3. * scale)
        return _random_uniform(shape, -limit, limit, dtype, self.seed)

    def get_config(self):
        return {'scale': self.scale, 'mode': self.mode, 'distribution': self.distribution,
                'seed': self.seed}


class Orthogonal(Initializer):
    """Initializer that generates a random orthogonal matrix.

    The shape is flattened to `(prod(shape[:-1]), shape[-1])`; the rows or the columns
    (whichever are fewer) of that matrix are orthonormal, then scaled by `gain`.

    # Arguments
        gain: multiplicative factor applied to the orthogonal matrix.
        seed: a Python integer; the same seed gives the same values.

    # References
        Saxe et al., http://arxiv.org/abs/1312.6120
    """

    def __init__(self, gain=1., seed=None):
        self.gain = gain
        self.seed = seed

    def __call__(self, shape, dtype=None):
        shape = _as_shape(shape)
        if len(shape) < 2:
            raise ValueError('The Orthogonal initializer needs a `shape` of rank >= 2, got %r.'
                             % (shape,))
        flat_shape = (int(np.prod(shape[:-1])), shape[-1])
        rng = np.random if self.seed is None else np.random.RandomState(self.seed)
        a = rng.normal(0.0, 1.0, flat_shape)
        u, _, v = np.linalg.svd(a, full_matrices=False)
        q = u if u.shape == flat_shape else v
        return tf.constant(self.gain * q.reshape(shape), dtype=_as_dtype(dtype))

    def get_config(self):
        return {'gain': self.gain, 'seed': self.seed}


class Identity(Initializer):
    """Initializer that generates the identity matrix (2D square shapes only).

    # Arguments
        gain: multiplicative factor applied to the identity matrix.
    """

    def __init__(self, gain=1.):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        shape = _as_shape(shape)
        if len(shape) != 2 or shape[0] != shape[1]:
            raise ValueError('Identity matrix initializer can only be used for 2D square '
                             'matrices; got `shape` %r.' % (shape,))
        return tf.constant(self.gain * np.identity(shape[0]), dtype=_as_dtype(dtype))

    def get_config(self):
        return {'gain': self.gain}


def lecun_uniform(seed=None):
    """LeCun uniform initializer.

    Draws from a uniform distribution in `[-limit, limit]` with `limit = sqrt(3 / fan_in)`.

    # Arguments
        seed: a Python integer, used to seed the random generator.

    # Returns
        A `VarianceScaling` initializer.
    """
    return VarianceScaling(scale=1., mode='fan_in', distribution='uniform', seed=seed)


def glorot_normal(seed=None):
    """Glorot (Xavier) normal initializer.

    Draws from a truncated normal distribution whose standard deviation (after truncation) is
    `sqrt(2 / (fan_in + fan_out))`.

    # Arguments
        seed: a Python integer, used to seed the random generator.

    # Returns
        A `VarianceScaling` initializer.
    """
    return VarianceScaling(scale=1., mode='fan_avg', distribution='normal', seed=seed)


def glorot_uniform(seed=None):
    """Glorot (Xavier) uniform initializer.

    Draws from a uniform distribution in `[-limit, limit]` with
    `limit = sqrt(6 / (fan_in + fan_out))`.

    # Arguments
        seed: a Python integer, used to seed the random generator.

    # Returns
        A `VarianceScaling` initializer.
    """
    return VarianceScaling(scale=1., mode='fan_avg', distribution='uniform', seed=seed)


def he_normal(seed=None):
    """He normal initializer.

    Draws from a truncated normal distribution whose standard deviation (after truncation) is
    `sqrt(2 / fan_in)`.

    # Arguments
        seed: a Python integer, used to seed the random generator.

    # Returns
        A `VarianceScaling` initializer.
    """
    return VarianceScaling(scale=2., mode='fan_in', distribution='normal', seed=seed)


def lecun_normal(seed=None):
    """LeCun normal initializer.

    Draws from a truncated normal distribution whose standard deviation (after truncation) is
    `sqrt(1 / fan_in)`.

    # Arguments
        seed: a Python integer, used to seed the random generator.

    # Returns
        A `VarianceScaling` initializer.
    """
    return VarianceScaling(scale=1., mode='fan_in', distribution='normal', seed=seed)


def he_uniform(seed=None):
    """He uniform initializer.

    Draws from a uniform distribution in `[-limit, limit]` with `limit = sqrt(6 / fan_in)`.

    # Arguments
        seed: a Python integer, used to seed the random generator.

    # Returns
        A `VarianceScaling` initializer.
    """
    return VarianceScaling(scale=2., mode='fan_in', distribution='uniform', seed=seed)


# Lower-case aliases, as in Keras 2.2.
zero = zeros = Zeros
one = ones = Ones
constant = Constant
uniform = random_uniform = RandomUniform
normal = random_normal = RandomNormal
truncated_normal = TruncatedNormal
identity = Identity
orthogonal = Orthogonal


def _tf_keras_class(function):
    """Wraps a glorot/he/lecun function so it accepts a tf_keras config such as `{"seed": null}`."""
    def build(seed=None, **unused):
        return function(seed=seed)
    build.__name__ = function.__name__
    return build


_MODULE_OBJECTS = {
    'Zeros': Zeros, 'Ones': Ones, 'Constant': Constant, 'RandomNormal': RandomNormal,
    'RandomUniform': RandomUniform, 'TruncatedNormal': TruncatedNormal,
    'VarianceScaling': VarianceScaling, 'Orthogonal': Orthogonal, 'Identity': Identity,
    'zero': zero, 'zeros': zeros, 'one': one, 'ones': ones, 'constant': constant,
    'uniform': uniform, 'random_uniform': random_uniform, 'normal': normal,
    'random_normal': random_normal, 'truncated_normal': truncated_normal,
    'identity': identity, 'orthogonal': orthogonal,
    'lecun_uniform': lecun_uniform, 'glorot_normal': glorot_normal,
    'glorot_uniform': glorot_uniform, 'he_normal': he_normal, 'lecun_normal': lecun_normal,
    'he_uniform': he_uniform,
    # Class names written by tf_keras / tf.keras.
    'GlorotUniform': _tf_keras_class(glorot_uniform),
    'GlorotNormal': _tf_keras_class(glorot_normal),
    'HeNormal': _tf_keras_class(he_normal), 'HeUniform': _tf_keras_class(he_uniform),
    'LecunNormal': _tf_keras_class(lecun_normal),
    'LecunUniform': _tf_keras_class(lecun_uniform),
}

_FACTORIES = [obj for obj in _MODULE_OBJECTS.values() if not isinstance(obj, type)]


def serialize(initializer):
    """Returns the Keras 2 config of an initializer.

    # Arguments
        initializer: an `Initializer` instance.

    # Returns
        `{'class_name': ..., 'config': ...}`.
    """
    return serialize_keras_object(initializer)


def deserialize(config, custom_objects=None):
    """Builds an initializer from a config dictionary or a name.

    # Arguments
        config: `{'class_name': ..., 'config': ...}` or a name such as `'glorot_uniform'`.
        custom_objects: optional dictionary of extra initializers by name.

    # Returns
        An initializer instance.

    # Raises
        ValueError: for an unknown name, listing the known ones.
    """
    if isinstance(config, str):
        obj = deserialize_keras_object(config, module_objects=_MODULE_OBJECTS,
                                       custom_objects=custom_objects,
                                       printable_module_name='initializer')
        # A class or one of our factories (glorot_uniform, ...) gives an instance; a custom
        # initializer function is returned as it is.
        if isinstance(obj, type) or obj in _FACTORIES:
            return obj()
        return obj
    return deserialize_keras_object(config, module_objects=_MODULE_OBJECTS,
                                    custom_objects=custom_objects,
                                    printable_module_name='initializer')


def get(identifier):
    """Resolves an initializer given by name, config or callable.

    # Arguments
        identifier: a name (`'glorot_uniform'`, `'zeros'`, `'Zeros'`, ...), a config dictionary,
            an initializer class (instantiated with its defaults) or any callable.

    # Returns
        An initializer (a callable `(shape, dtype=None)`).

    # Raises
        ValueError: for an unknown name or an identifier that cannot be interpreted.
    """
    if isinstance(identifier, (dict, str)):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError('Could not interpret initializer identifier: %r. Expected a name (e.g. '
                     '"glorot_uniform"), a config dictionary or a callable.' % (identifier,))
