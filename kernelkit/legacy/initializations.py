"""Keras 1's `keras.initializations`: functions that return an initialized variable.

Keras 1 custom layers wrote `self.init = initializations.get('glorot_uniform')` and then
`self.W = self.init((input_dim, output_dim), name='W')`; Keras 2 replaced the functions by initializer objects
(`keras.initializers`). This module keeps the Keras 1 functions running, computed as Keras 1 computed them
(including its fan-in/fan-out rule for `dim_ordering='th'` convolution kernels and its plain, not truncated,
normal draws), and every call warns with the Keras 2 call to write instead (`table.INITIALIZATIONS`).
"""
import numpy as np

from kernelkit import backend as K
from kernelkit.legacy import table
from kernelkit.legacy.interfaces import emit

__all__ = ['get'] + sorted(table.INITIALIZATIONS)


def get_fans(shape, dim_ordering='th'):
    """Keras 1's fan-in and fan-out of a weight shape.

    # Arguments
        shape: the weight shape.
        dim_ordering: `'th'` (kernels `(out, in, rows, cols)`) or `'tf'` (`(rows, cols, in, out)`).

    # Returns
        `(fan_in, fan_out)`.

    # Raises
        ValueError: for an unknown `dim_ordering`.
    """
    shape = tuple(shape)
    if len(shape) == 2:
        return shape[0], shape[1]
    if len(shape) in (4, 5):
        if dim_ordering == 'th':
            receptive_field = np.prod(shape[2:])
            return shape[1] * receptive_field, shape[0] * receptive_field
        if dim_ordering == 'tf':
            receptive_field = np.prod(shape[:-2])
            return shape[-2] * receptive_field, shape[-1] * receptive_field
        raise ValueError('Invalid dim_ordering: %r (expected "th" or "tf").' % (dim_ordering,))
    size = np.sqrt(np.prod(shape))
    return size, size


def _warn(name, scale):
    default, replacement = table.INITIALIZATIONS[name]
    new = replacement.format(scale=default if scale is None else scale)
    emit(table.INITIALIZATION_CALL % (name, new, new), new_call='K.variable(%s(shape))' % new)


def _uniform(shape, scale, name):
    return K.random_uniform_variable(shape, -scale, scale, name=name)


def _normal(shape, scale, name):
    return K.random_normal_variable(shape, 0.0, scale, name=name)


def uniform(shape, scale=0.05, name=None, dim_ordering='th'):
    """Uniform on `[-scale, scale]`. Keras 2: `initializers.RandomUniform(-scale, scale)`.

    # Arguments
        shape: the variable's shape. scale: the bound. name: the variable's name. dim_ordering: unused.

    # Returns
        A variable.
    """
    _warn('uniform', scale)
    return _uniform(shape, scale, name)


def normal(shape, scale=0.05, name=None, dim_ordering='th'):
    """Normal with mean 0 and standard deviation `scale`. Keras 2: `initializers.RandomNormal(stddev=scale)`.

    # Arguments
        shape: the variable's shape. scale: the standard deviation. name: the variable's name.
        dim_ordering: unused.

    # Returns
        A variable.
    """
    _warn('normal', scale)
    return _normal(shape, scale, name)


_FAN_DOC = """%s Keras 2: `initializers.%s()`.

    # Arguments
        shape: the variable's shape. name: the variable's name. dim_ordering: the kernel layout for the fans.

    # Returns
        A variable.
    """


def _fan_scaled(key, draw, scale_of_fans, summary):
    """A Keras 1 initialization whose scale comes from the fans: `draw(shape, scale_of_fans(fan_in, fan_out))`."""
    def initialization(shape, name=None, dim_ordering='th'):
        _warn(key, None)
        return draw(shape, scale_of_fans(*get_fans(shape, dim_ordering)), name)
    initialization.__name__ = initialization.__qualname__ = key
    initialization.__doc__ = _FAN_DOC % (summary, key)
    return initialization


lecun_uniform = _fan_scaled('lecun_uniform', _uniform, lambda fan_in, fan_out: np.sqrt(3. / fan_in),
                            'Uniform on `[-s, s]`, `s = sqrt(3 / fan_in)`.')
glorot_normal = _fan_scaled('glorot_normal', _normal, lambda fan_in, fan_out: np.sqrt(2. / (fan_in + fan_out)),
                            'Normal with `std = sqrt(2 / (fan_in + fan_out))` (not truncated, as in Keras 1).')
glorot_uniform = _fan_scaled('glorot_uniform', _uniform,
                             lambda fan_in, fan_out: np.sqrt(6. / (fan_in + fan_out)),
                             'Uniform on `[-s, s]`, `s = sqrt(6 / (fan_in + fan_out))`.')
he_normal = _fan_scaled('he_normal', _normal, lambda fan_in, fan_out: np.sqrt(2. / fan_in),
                        'Normal with `std = sqrt(2 / fan_in)` (not truncated, as in Keras 1).')
he_uniform = _fan_scaled('he_uniform', _uniform, lambda fan_in, fan_out: np.sqrt(6. / fan_in),
                         'Uniform on `[-s, s]`, `s = sqrt(6 / fan_in)`.')


def orthogonal(shape, scale=1.1, name=None, dim_ordering='th'):
    """An orthogonal matrix (from an SVD of a normal draw) times `scale`.
    Keras 2: `initializers.Orthogonal(gain=scale)`.

    # Arguments
        shape: the variable's shape (the trailing dimensions are flattened). scale: the gain.
        name: the variable's name. dim_ordering: unused.

    # Returns
        A variable.
    """
    _warn('orthogonal', scale)
    flat_shape = (shape[0], int(np.prod(shape[1:])))
    a = np.random.normal(0.0, 1.0, flat_shape)
    u, _, v = np.linalg.svd(a, full_matrices=False)
    q = u if u.shape == flat_shape else v
    return K.variable(scale * q.reshape(shape)[:shape[0], :shape[1]], name=name)


def identity(shape, scale=1, name=None, dim_ordering='th'):
    """`scale` times the identity matrix (2D square shapes only). Keras 2: `initializers.Identity(gain=scale)`.

    # Arguments
        shape: a square 2D shape. scale: the gain. name: the variable's name. dim_ordering: unused.

    # Returns
        A variable.

    # Raises
        ValueError: for a shape that is not 2D and square.
    """
    if len(shape) != 2 or shape[0] != shape[1]:
        raise ValueError('initializations.identity: identity matrix initialization can only be used for 2D '
                         'square matrices, got shape %s.' % (tuple(shape),))
    _warn('identity', scale)
    return K.variable(scale * np.identity(shape[0]), name=name)


def zero(shape, name=None, dim_ordering='th'):
    """Zeros. Keras 2: `initializers.Zeros()`.

    # Arguments
        shape: the variable's shape. name: the variable's name. dim_ordering: unused.

    # Returns
        A variable.
    """
    _warn('zero', None)
    return K.zeros(shape, name=name)


def one(shape, name=None, dim_ordering='th'):
    """Ones. Keras 2: `initializers.Ones()`.

    # Arguments
        shape: the variable's shape. name: the variable's name. dim_ordering: unused.

    # Returns
        A variable.
    """
    _warn('one', None)
    return K.ones(shape, name=name)


def get(identifier, **kwargs):
    """The Keras 1 initialization function of a name (a function is returned as it is).

    # Arguments
        identifier: a name such as `'glorot_uniform'`, or a callable.
        **kwargs: unused (Keras 1 accepted and ignored them for functions).

    # Returns
        The function.

    # Raises
        ValueError: for an unknown name (the message lists the known ones).
    """
    if callable(identifier):
        return identifier
    if isinstance(identifier, str) and identifier in table.INITIALIZATIONS:
        return globals()[identifier]
    raise ValueError('Invalid initialization: %r. Keras 1 knew %s.'
                     % (identifier, ', '.join(sorted(table.INITIALIZATIONS))))


emit(table.INITIALIZATIONS_MODULE)
