"""Backend functions for variables, constants, shapes, dtypes and reading/writing values.

Functions accept TensorFlow tensors, `tf.Variable`s and numpy arrays. Shape and dtype queries also
accept any object with a `shape` (and `dtype`) attribute, such as symbolic tensors.
"""
import numpy as np
import tensorflow as tf
from tensorflow.python.ops import resource_variable_ops  # to subclass TensorFlow's variable

from .config import floatx

# ----------------------------------------------------------------------------------- helpers


def _to_tensor(x, dtype=None):
    """Converts `x` to a tensor (casting tensors whose dtype differs from `dtype`)."""
    if dtype is not None:
        dtype = tf.as_dtype(dtype)
    if isinstance(x, tf.SparseTensor):
        return x
    if tf.is_tensor(x) or isinstance(x, tf.Variable):
        if dtype is not None and x.dtype.base_dtype != dtype:
            return tf.cast(x, dtype)
        return tf.convert_to_tensor(x) if isinstance(x, tf.Variable) else x
    if dtype is None and isinstance(x, float):
        dtype = tf.as_dtype(floatx())
    return tf.convert_to_tensor(x, dtype=dtype)


def _tensor_or_variable(x):
    """Returns `x` itself for tensors and variables, else `x` converted to a tensor."""
    if tf.is_tensor(x) or isinstance(x, (tf.Variable, tf.SparseTensor)):
        return x
    return _to_tensor(x)


def _normalize_axis(axis, rank):
    """Turns a negative axis (or list of axes) into a non-negative one."""
    if isinstance(axis, (list, tuple)):
        return [_normalize_axis(a, rank) for a in axis]
    if axis is not None and axis < 0 and rank is not None:
        return axis % rank
    return axis


# ----------------------------------------------------------------------------------- type queries


def is_sparse(tensor):
    """Returns whether a tensor is a sparse tensor.

    # Arguments
        tensor: a tensor instance.

    # Returns
        A boolean.
    """
    return isinstance(tensor, tf.SparseTensor)


def to_dense(tensor):
    """Converts a sparse tensor into a dense tensor (other tensors are returned unchanged).

    # Arguments
        tensor: a tensor instance (potentially sparse).

    # Returns
        A dense tensor.
    """
    if is_sparse(tensor):
        return tf.sparse.to_dense(tensor)
    return tensor


def is_tensor(x):
    """Returns whether `x` is a tensor: a TensorFlow tensor or variable, or a symbolic tensor of
    the functional API (as in Keras 2, where those were TensorFlow tensors too).

    # Arguments
        x: any object.

    # Returns
        A boolean (False for numpy arrays and Python numbers).
    """
    if isinstance(x, (tf.Variable, tf.SparseTensor)) or tf.is_tensor(x):
        return True
    from .symbolic.graph import is_symbolic  # symbolic builds on this module
    return is_symbolic(x)


def dtype(x):
    """Returns the dtype of a tensor or variable, as a string.

    # Arguments
        x: a tensor, variable, numpy array or any object with a `dtype` attribute.

    # Returns
        A string such as `'float32'`.
    """
    d = x.dtype
    if isinstance(d, str):
        return d
    if isinstance(d, tf.DType):
        return d.base_dtype.name
    return np.dtype(d).name


def int_shape(x):
    """Returns the shape of a tensor or variable as a tuple of ints or `None` entries.

    # Arguments
        x: a tensor, variable, numpy array or any object with a `shape` attribute.

    # Returns
        A tuple (with `None` for unknown dimensions), or `None` when even the rank is unknown.

    # Example
    ```python
    >>> K.int_shape(K.zeros((2, 3)))
    (2, 3)
    ```
    """
    if hasattr(x, '_keras_shape'):
        return x._keras_shape
    shape = getattr(x, 'shape', None)
    if shape is None:
        if isinstance(x, (int, float, bool, np.number)):
            return ()
        raise TypeError('`int_shape` expects a tensor, a variable or an array, received %r.' % (x,))
    if isinstance(shape, tf.TensorShape):
        if shape.rank is None:
            return None
        return tuple(shape.as_list())
    return tuple(None if d is None else int(d) for d in shape)


def ndim(x):
    """Returns the number of axes of a tensor, as an integer.

    # Arguments
        x: a tensor, variable or array.

    # Returns
        An integer, or `None` when the rank is unknown.
    """
    shape = int_shape(x)
    return None if shape is None else len(shape)


def get_variable_shape(x):
    """Returns the shape of a variable, as a tuple of integers.

    # Arguments
        x: a variable.

    # Returns
        A tuple of integers.
    """
    return int_shape(x)


def shape(x):
    """Returns the symbolic shape of a tensor: a 1D int32 tensor.

    # Arguments
        x: a tensor or variable.

    # Returns
        A tensor.
    """
    return tf.shape(_tensor_or_variable(x))


def count_params(x):
    """Returns the number of scalars in a tensor or variable.

    # Arguments
        x: a tensor or variable with a fully known shape.

    # Returns
        An integer.
    """
    return int(np.prod(int_shape(x)))


# ----------------------------------------------------------------------------------- creation


def variable(value, dtype=None, name=None, constraint=None):
    """Creates a variable holding `value`.

    # Arguments
        value: a numpy array (or anything convertible to one, or a tensor) with the initial value.
        dtype: the variable's dtype; defaults to `floatx()`.
        name: an optional name.
        constraint: an optional projection function applied after an optimizer update.

    # Returns
        A `tf.Variable` (works with `get_value`, `set_value`, `eval`).

    # Example
    ```python
    >>> v = K.variable(np.array([[1, 2], [3, 4]]), name='example_var')
    >>> K.eval(v)
    array([[1., 2.], [3., 4.]], dtype=float32)
    ```
    """
    dtype = tf.as_dtype(dtype or floatx()).name
    if hasattr(value, 'tocoo'):  # a scipy sparse matrix: Keras 2 returned a SparseTensor
        coo = value.tocoo()
        indices = np.stack([coo.row, coo.col], axis=1).astype('int64')
        return tf.SparseTensor(indices, coo.data.astype(dtype), coo.shape)
    value = _to_tensor(value, dtype) if is_tensor(value) else np.asarray(value, dtype=dtype)
    if tf.distribute.has_strategy():  # the strategy's own (mirrored) variable
        return tf.Variable(value, dtype=tf.as_dtype(dtype), name=name, constraint=constraint)
    return _BackendVariable(value, dtype=tf.as_dtype(dtype), name=name, constraint=constraint)


class _BackendVariable(resource_variable_ops.ResourceVariable):
    """The `tf.Variable` of `K.variable`, where `x += y` rebinds `x` to `x + y` as it did in Keras 2 on
    TensorFlow 1 (Keras 2.2's style-transfer code starts `loss = K.variable(0.)` and adds terms to it);
    a plain `tf.Variable` refuses `+=`. Use `K.update_add` to change the variable itself."""

    def __iadd__(self, other):
        return self + other

    def __isub__(self, other):
        return self - other


def constant(value, dtype=None, shape=None, name=None):
    """Creates a constant tensor.

    # Arguments
        value: a constant value (or list).
        dtype: the dtype; defaults to `floatx()`.
        shape: optional shape of the result (a scalar `value` is broadcast to it).
        name: an optional name.

    # Returns
        A constant tensor.
    """
    if dtype is None:
        dtype = floatx()
    return tf.constant(value, dtype=dtype, shape=shape, name=name)


def _shape_tuple(shape, argument='shape'):
    if isinstance(shape, int):
        return (shape,)
    try:
        return tuple(int(d) for d in shape)
    except (TypeError, ValueError):
        raise ValueError('`%s` must be a tuple of integers, received %r.' % (argument, shape))


def zeros(shape, dtype=None, name=None):
    """Creates a variable filled with zeros.

    # Arguments
        shape: a tuple of integers.
        dtype: the dtype; defaults to `floatx()`.
        name: an optional name.

    # Returns
        A variable.
    """
    dtype = tf.as_dtype(dtype or floatx()).name
    return variable(np.zeros(_shape_tuple(shape), dtype=dtype), dtype, name)


def ones(shape, dtype=None, name=None):
    """Creates a variable filled with ones.

    # Arguments
        shape: a tuple of integers.
        dtype: the dtype; defaults to `floatx()`.
        name: an optional name.

    # Returns
        A variable.
    """
    dtype = tf.as_dtype(dtype or floatx()).name
    return variable(np.ones(_shape_tuple(shape), dtype=dtype), dtype, name)


def eye(size, dtype=None, name=None):
    """Creates a variable holding an identity matrix.

    # Arguments
        size: the number of rows (and columns).
        dtype: the dtype; defaults to `floatx()`.
        name: an optional name.

    # Returns
        A variable of shape `(size, size)`.
    """
    dtype = tf.as_dtype(dtype or floatx()).name
    return variable(np.eye(int(size), dtype=dtype), dtype, name)


def zeros_like(x, dtype=None, name=None):
    """Creates a tensor of zeros with the shape of `x`.

    # Arguments
        x: a tensor, variable or array.
        dtype: the dtype; defaults to the dtype of `x`.
        name: an optional name.

    # Returns
        A tensor.
    """
    return tf.zeros_like(_tensor_or_variable(x), dtype=dtype, name=name)


def ones_like(x, dtype=None, name=None):
    """Creates a tensor of ones with the shape of `x`.

    # Arguments
        x: a tensor, variable or array.
        dtype: the dtype; defaults to the dtype of `x`.
        name: an optional name.

    # Returns
        A tensor.
    """
    return tf.ones_like(_tensor_or_variable(x), dtype=dtype, name=name)


def identity(x, name=None):
    """Returns a tensor with the same content as `x`.

    # Arguments
        x: a tensor or variable.
        name: an optional name.

    # Returns
        A tensor.
    """
    return tf.identity(_tensor_or_variable(x), name=name)


def _seed(seed):
    """Keras 2 draws a seed from numpy when none is given, so `np.random.seed` controls TF ops.

    Random *variables* use stateless ops, so the same seed always gives the same initial value.
    Random *tensors* (`random_normal`, `dropout`, ...) use stateful ops so that a compiled
    function draws new values at each call, as a Keras 2 graph did at each run.
    """
    return np.random.randint(10e6) if seed is None else seed


def random_uniform_variable(shape, low, high, dtype=None, name=None, seed=None):
    """Creates a variable with values drawn from a uniform distribution on `[low, high)`.

    # Arguments
        shape: a tuple of integers.
        low: the lower bound.
        high: the upper bound.
        dtype: the dtype; defaults to `floatx()`.
        name: an optional name.
        seed: an optional integer seed.

    # Returns
        A variable.
    """
    dtype = dtype or floatx()
    value = tf.random.stateless_uniform(_shape_tuple(shape), (_seed(seed), 0), low, high,
                                        dtype=dtype)
    return variable(value, dtype, name)


def random_normal_variable(shape, mean, scale, dtype=None, name=None, seed=None):
    """Creates a variable with values drawn from a normal distribution.

    # Arguments
        shape: a tuple of integers.
        mean: the mean of the distribution.
        scale: its standard deviation.
        dtype: the dtype; defaults to `floatx()`.
        name: an optional name.
        seed: an optional integer seed.

    # Returns
        A variable.
    """
    dtype = dtype or floatx()
    value = tf.random.stateless_normal(_shape_tuple(shape), (_seed(seed), 0), mean, scale,
                                       dtype=dtype)
    return variable(value, dtype, name)


def cast(x, dtype):
    """Casts a tensor to a different dtype.

    # Arguments
        x: a tensor, variable or array.
        dtype: a string such as `'float16'`, `'float32'`, `'int32'`.

    # Returns
        A tensor of dtype `dtype`.
    """
    return tf.cast(_tensor_or_variable(x), dtype)


def cast_to_floatx(x):
    """Casts a numpy array to the default float type.

    # Arguments
        x: a numpy array (or anything convertible to one).

    # Returns
        A numpy array of dtype `floatx()`.
    """
    return np.asarray(x, dtype=floatx())


# ----------------------------------------------------------------------------------- values


def _numpy_value(x, what):
    if isinstance(x, np.ndarray) or np.isscalar(x):
        return np.asarray(x)
    x = to_dense(x)
    if isinstance(x, tf.Variable) or (tf.is_tensor(x) and hasattr(x, 'numpy')):
        try:
            return x.numpy()
        except (AttributeError, NotImplementedError, ValueError):
            pass
    raise RuntimeError('%s needs a concrete value, but received a symbolic tensor %r (inside '
                       '`tf.function` or a graph). Evaluate it outside the graph, or return it from '
                       'the function.' % (what, x))


def eval(x):
    """Evaluates the value of a tensor or variable.

    # Arguments
        x: a tensor, variable or array.

    # Returns
        A numpy array.

    # Raises
        RuntimeError: for a symbolic (graph) tensor, which has no value.
    """
    return _numpy_value(x, '`eval`')


def get_value(x):
    """Returns the value of a variable (or tensor) as a numpy array.

    # Arguments
        x: a variable, tensor or array.

    # Returns
        A numpy array.
    """
    return _numpy_value(x, '`get_value`')


def batch_get_value(ops):
    """Returns the values of several variables.

    # Arguments
        ops: a list of variables or tensors.

    # Returns
        A list of numpy arrays.
    """
    return [get_value(x) for x in ops]


def set_value(x, value):
    """Sets the value of a variable from a numpy array.

    # Arguments
        x: a variable.
        value: a numpy array (or scalar) with the shape of `x`.

    # Raises
        TypeError: if `x` is not a variable.
    """
    if not isinstance(x, tf.Variable):
        raise TypeError('`set_value` expects a variable (created with `K.variable`), received %r.'
                        % (x,))
    x.assign(np.asarray(value, dtype=dtype(x)))


def batch_set_value(tuples):
    """Sets the values of several variables at once.

    # Arguments
        tuples: a list of `(variable, numpy value)` pairs.
    """
    for x, value in tuples:
        set_value(x, value)


def update(x, new_x):
    """Assigns `new_x` to the variable `x`.

    # Arguments
        x: a variable.
        new_x: a tensor of the same shape.

    # Returns
        The updated variable.
    """
    return x.assign(new_x)


def update_add(x, increment):
    """Adds `increment` to the variable `x`.

    # Arguments
        x: a variable.
        increment: a tensor of the same shape.

    # Returns
        The updated variable.
    """
    return x.assign_add(increment)


def update_sub(x, decrement):
    """Subtracts `decrement` from the variable `x`.

    # Arguments
        x: a variable.
        decrement: a tensor of the same shape.

    # Returns
        The updated variable.
    """
    return x.assign_sub(decrement)


def _debias_state(x):
    """The hidden `(biased, step)` variables that Keras 2.2 kept for each moving average."""
    state = getattr(x, '_kk_moving_average_state', None)
    if state is None:
        with tf.init_scope():
            biased = tf.Variable(tf.zeros(x.shape, x.dtype), trainable=False)
            step = tf.Variable(tf.zeros((), x.dtype), trainable=False)
        state = (biased, step)
        x._kk_moving_average_state = state
    return state


def moving_average_update(x, value, momentum):
    """Updates the variable `x` with a (zero-debiased) exponential moving average of `value`.

    As in Keras 2.2 (TensorFlow's `assign_moving_average(..., zero_debias=True)`), a hidden biased
    average `b` (starting at 0) and a step counter `t` are kept per variable:
    `b = momentum * b + (1 - momentum) * value`, `x = b / (1 - momentum ** t)`. So after the first
    update `x` equals `value`, whatever its previous content.

    # Arguments
        x: a variable.
        value: a tensor of the same shape.
        momentum: the moving average momentum (a float close to 1).

    # Returns
        The updated variable.
    """
    biased, step = _debias_state(x)
    value = _to_tensor(value, x.dtype)
    momentum = tf.cast(momentum, x.dtype)
    new_biased = biased.assign(biased * momentum + value * (1. - momentum))
    new_step = step.assign_add(tf.ones((), x.dtype))
    return x.assign(new_biased / (1. - tf.pow(momentum, new_step)))


def print_tensor(x, message=''):
    """Prints `message` and the value of `x` when it is evaluated, and returns `x`.

    In eager mode the value is printed at once (with Python's `print`, so it shows in notebooks);
    inside `tf.function` it is printed each time the graph runs.

    # Arguments
        x: a tensor.
        message: a message to print before the value.

    # Returns
        A tensor with the value of `x`.
    """
    x = _tensor_or_variable(x)
    if tf.executing_eagerly():
        print(message, get_value(x))
        return tf.identity(x)
    import sys
    with tf.control_dependencies([tf.print(message, x, output_stream=sys.stdout)]):
        return tf.identity(x)


def name_scope(name):
    """Returns a context manager that prefixes the names of the ops created inside it.

    # Arguments
        name: the scope name.

    # Returns
        A context manager (`tf.name_scope`).
    """
    return tf.name_scope(name)


__all__ = [name for name in dir() if not name.startswith('_')
           and name not in ('np', 'tf', 'floatx', 'resource_variable_ops')]
