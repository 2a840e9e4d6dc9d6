"""Core layers: Dense, Activation, Dropout, Flatten, Reshape, Permute, RepeatVector, Lambda,
ActivityRegularization, Masking."""
import inspect
import sys
import types

import numpy as np
import tensorflow as tf

from kernelkit import activations, constraints, initializers, regularizers
from kernelkit import backend as K
from kernelkit.engine.base_layer import Layer
from kernelkit.engine.input_spec import InputSpec
from kernelkit.layers.arguments import serialize_arguments
from kernelkit.utils.generic_utils import _SAFE_MODE, func_dump, func_load


def _label(cls, kwargs):
    """How error messages name a layer that is still being constructed: `Dense` or `Dense "my_dense"`."""
    name = kwargs.get('name')
    return '%s "%s"' % (cls.__name__, name) if name else cls.__name__


def _positive_int(label, argument, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError('%s: `%s` must be a positive integer, got %r.' % (label, argument, value))
    return int(value)


def _rate(label, value):
    try:
        rate = float(value)
    except (TypeError, ValueError):
        rate = None
    if isinstance(value, bool) or rate is None or not 0. <= rate <= 1.:
        raise ValueError('%s: `rate` must be a float in [0, 1], got %r.' % (label, value))
    return rate


def _int_tuple(label, argument, value, expected):
    try:
        values = tuple(value)
    except TypeError:
        values = None
    if values is None or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                                 for v in values):
        raise ValueError('%s: `%s` must be a tuple of integers (%s), got %r.'
                         % (label, argument, expected, value))
    return tuple(int(v) for v in values)


class Dense(Layer):
    """A densely-connected layer: `output = activation(dot(input, kernel) + bias)`.

    On inputs of rank greater than 2, the kernel is applied along the last axis.

    # Arguments
        units: positive integer, the dimensionality of the output.
        activation: activation function or name (`None`: linear).
        use_bias: whether to add a bias vector.
        kernel_initializer: initializer of the kernel weights.
        bias_initializer: initializer of the bias.
        kernel_regularizer: regularizer of the kernel.
        bias_regularizer: regularizer of the bias.
        activity_regularizer: regularizer of the output.
        kernel_constraint: constraint applied to the kernel after each update.
        bias_constraint: constraint applied to the bias after each update.
        input_dim: shorthand for `input_shape=(input_dim,)` on a first layer.

    # Input shape
        nD tensor `(batch_size, ..., input_dim)`.

    # Output shape
        nD tensor `(batch_size, ..., units)`.

    # Raises
        ValueError: if `units` is not a positive integer.
    """

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer='glorot_uniform',
                 bias_initializer='zeros', kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        if 'input_shape' not in kwargs and 'input_dim' in kwargs:
            kwargs['input_shape'] = (kwargs.pop('input_dim'),)
        units = _positive_int(_label(type(self), kwargs), 'units', units)
        activation = activations.get(activation)
        super(Dense, self).__init__(**kwargs)
        self.units = units
        self.activation = activation
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError('Dense layer %s: the last dimension of the inputs must be known, got input shape '
                             '%s.' % (self.name, input_shape))
        self.kernel = self.add_weight(name='kernel', shape=(input_dim, self.units),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight(name='bias', shape=(self.units,), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        else:
            self.bias = None
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})
        self.built = True

    def call(self, inputs):
        if inputs.shape.rank == 2:
            output = tf.matmul(inputs, self.kernel)
        else:
            output = tf.tensordot(inputs, self.kernel, [[inputs.shape.rank - 1], [0]])
        if self.use_bias:
            output = tf.nn.bias_add(output, self.bias)
        return self.activation(output)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        config = serialize_arguments(self, (
            'units', 'activation', 'use_bias', 'kernel_initializer', 'bias_initializer', 'kernel_regularizer',
            'bias_regularizer', 'activity_regularizer', 'kernel_constraint', 'bias_constraint'))
        base = super(Dense, self).get_config()
        return dict(list(base.items()) + list(config.items()))


class Activation(Layer):
    """Applies an activation function to its input.

    # Arguments
        activation: name of an activation function (see `kernelkit.activations`) or a function.
    """

    def __init__(self, activation, **kwargs):
        activation = activations.get(activation)
        super(Activation, self).__init__(**kwargs)
        self.supports_masking = True
        self.activation = activation

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super(Activation, self).get_config()
        config['activation'] = activations.serialize(self.activation)
        return config


class Dropout(Layer):
    """Sets a fraction `rate` of input units to 0 at each update during training, scaling the rest.

    # Arguments
        rate: float between 0 and 1, the fraction of inputs to drop.
        noise_shape: shape of the binary mask to multiply with the input (`None` entries take the input's
            size), e.g. `(batch_size, 1, features)` to drop the same features at every time step.
        seed: random seed.

    # Raises
        ValueError: if `rate` is outside [0, 1] or `noise_shape` is not a tuple.
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        label = _label(type(self), kwargs)
        rate = _rate(label, rate)
        if noise_shape is not None:
            try:
                noise_shape = tuple(noise_shape)
            except TypeError:
                raise ValueError('%s: `noise_shape` must be a tuple (batch dimension included, `None` for '
                                 'the input\'s size), got %r.' % (label, noise_shape))
        super(Dropout, self).__init__(**kwargs)
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed
        self.supports_masking = True

    def _noise_shape(self, inputs):
        if self.noise_shape is None:
            return None
        dynamic = tf.shape(inputs)
        return [dynamic[i] if size is None else size for i, size in enumerate(self.noise_shape)]

    def call(self, inputs, training=None):
        if not 0. < self.rate < 1.:
            return inputs

        def dropped():
            return tf.nn.dropout(inputs, rate=self.rate, noise_shape=self._noise_shape(inputs), seed=self.seed)

        return K.in_train_phase(dropped, inputs, training=training)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super(Dropout, self).get_config()
        config.update({'rate': self.rate, 'noise_shape': self.noise_shape, 'seed': self.seed})
        return config


class Flatten(Layer):
    """Flattens the input, keeping the batch dimension: `(batch, d1, d2, ...)` -> `(batch, d1*d2*...)`.

    # Arguments
        data_format: `'channels_last'` or `'channels_first'`; for channels-first inputs the channels are
            moved last first, so weights transfer between the two formats.
    """

    def __init__(self, data_format=None, **kwargs):
        super(Flatten, self).__init__(**kwargs)
        self.input_spec = InputSpec(min_ndim=3)
        self.data_format = K.normalize_data_format(data_format)

    def call(self, inputs):
        if self.data_format == 'channels_first' and inputs.shape.rank > 2:
            order = [0] + list(range(2, inputs.shape.rank)) + [1]
            inputs = tf.transpose(inputs, order)
        static = inputs.shape.as_list()[1:]
        size = int(np.prod(static)) if all(d is not None for d in static) else -1
        return tf.reshape(inputs, (-1, size) if size > 0 else (tf.shape(inputs)[0], -1))

    def compute_output_shape(self, input_shape):
        if any(d is None for d in input_shape[1:]):
            raise ValueError('The shape of the input to "Flatten" is not fully defined (got %s). Make sure to '
                             'pass a complete "input_shape" or "batch_input_shape" argument to the first layer '
                             'in your model.' % (tuple(input_shape[1:]),))
        return (input_shape[0], int(np.prod(input_shape[1:])))

    def get_config(self):
        config = super(Flatten, self).get_config()
        config['data_format'] = self.data_format
        return config


class Reshape(Layer):
    """Reshapes each sample to `target_shape` (one entry may be -1, inferred from the input size).

    # Arguments
        target_shape: tuple of integers, without the batch dimension.

    # Raises
        ValueError: if `target_shape` is not a tuple of positive integers with at most one -1; when the
            layer is built or called, if the input size cannot take the target shape.
    """

    def __init__(self, target_shape, **kwargs):
        label = _label(type(self), kwargs)
        target_shape = _int_tuple(label, 'target_shape', target_shape, 'positive sizes, or -1 once')
        if any(d == 0 or d < -1 for d in target_shape) or target_shape.count(-1) > 1:
            raise ValueError('%s: `target_shape` must hold positive sizes and at most one unknown dimension '
                             '(-1), got %s.' % (label, target_shape))
        super(Reshape, self).__init__(**kwargs)
        self.target_shape = target_shape

    def _fix_unknown(self, input_shape):
        known = int(np.prod([d for d in input_shape if d != -1]))
        target = list(self.target_shape)
        total = int(np.prod([d for d in target if d != -1]))
        if -1 in target:
            if total == 0 or known % total:
                raise ValueError('Reshape %s: total size of new array must be unchanged (input shape %s, target '
                                 'shape %s).' % (self.name, tuple(input_shape), self.target_shape))
            target[target.index(-1)] = known // total
        elif known != total:
            raise ValueError('Reshape %s: total size of new array must be unchanged (input shape %s, target '
                             'shape %s).' % (self.name, tuple(input_shape), self.target_shape))
        return tuple(target)

    def build(self, input_shape):
        if all(d is not None for d in input_shape[1:]):
            self._fix_unknown(input_shape[1:])
        self.built = True

    def compute_output_shape(self, input_shape):
        if any(d is None for d in input_shape[1:]):
            return (input_shape[0],) + tuple(None if d == -1 else d for d in self.target_shape)
        return (input_shape[0],) + self._fix_unknown(input_shape[1:])

    def call(self, inputs):
        static = inputs.shape.as_list()[1:]
        if all(d is not None for d in static):
            self._fix_unknown(static)
        return tf.reshape(inputs, (tf.shape(inputs)[0],) + self.target_shape)

    def get_config(self):
        config = super(Reshape, self).get_config()
        config['target_shape'] = self.target_shape
        return config


class Permute(Layer):
    """Permutes the dimensions of each sample.

    # Arguments
        dims: tuple of integers, a permutation of `1..rank` (1-based; the batch axis is not included),
            e.g. `(2, 1)` swaps the two axes of a sequence.

    # Raises
        ValueError: if `dims` is not a permutation of `1..len(dims)`.
    """

    def __init__(self, dims, **kwargs):
        label = _label(type(self), kwargs)
        dims = _int_tuple(label, 'dims', dims, 'a permutation of 1..rank')
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError('%s: `dims` must be a permutation of 1..%d (the batch axis is not '
                             'included), got %s.' % (label, len(dims), dims))
        super(Permute, self).__init__(**kwargs)
        self.dims = dims
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def call(self, inputs):
        return tf.transpose(inputs, (0,) + self.dims)

    def get_config(self):
        config = super(Permute, self).get_config()
        config['dims'] = self.dims
        return config


class RepeatVector(Layer):
    """Repeats a 2D input `n` times: `(batch, features)` -> `(batch, n, features)`.

    # Arguments
        n: positive integer, the number of repetitions.

    # Raises
        ValueError: if `n` is not a positive integer.
    """

    def __init__(self, n, **kwargs):
        n = _positive_int(_label(type(self), kwargs), 'n', n)
        super(RepeatVector, self).__init__(**kwargs)
        self.n = n
        self.input_spec = InputSpec(ndim=2)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def call(self, inputs):
        return tf.tile(tf.expand_dims(inputs, 1), (1, self.n, 1))

    def get_config(self):
        config = super(RepeatVector, self).get_config()
        config['n'] = self.n
        return config


def _dump_function(function):
    """Stores a function's bytecode (Keras 2's format: base64 marshal, defaults, closure)."""
    return func_dump(function)


def _load_function(stored, globs, layer_name, safe_mode):
    if safe_mode:
        raise ValueError('Layer %s stores a Python lambda as bytecode. Loading it would execute code from the '
                         'file, so it is refused by default. If you trust the file, pass `safe_mode=False` '
                         '(e.g. `load_model(path, safe_mode=False)`), or give the function by name through '
                         '`custom_objects`.' % layer_name)
    code, defaults, closure = stored if isinstance(stored, (list, tuple)) else (stored, None, None)
    try:
        return func_load(code, defaults, closure, globs=globs)
    except ValueError:
        raise ValueError('Layer %s stores its function as bytecode of another Python version, which this Python '
                         'cannot read. Recreate the model in code (or load only its weights with '
                         '`load_weights`), defining the Lambda function again.' % layer_name)


class Lambda(Layer):
    """Wraps an arbitrary expression as a layer: `Lambda(lambda x: x ** 2)`.

    # Arguments
        function: the function to apply; takes the input tensor (or list) as first argument.
        output_shape: the output shape (without batch dimension), or a function from input shape to output
            shape; when omitted it is found by tracing the function.
        mask: a mask to return, or a function `(inputs, mask) -> mask`.
        arguments: dictionary of extra keyword arguments for `function`.

    # Raises
        ValueError: if `function` is not callable.
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        if not callable(function):
            raise ValueError('%s: `function` must be callable, got %r.' % (_label(type(self), kwargs), function))
        super(Lambda, self).__init__(**kwargs)
        self.function = function
        self.arguments = arguments if arguments else {}
        if mask is not None:
            self.supports_masking = True
        self.mask = mask
        self._output_shape = output_shape

    def call(self, inputs, mask=None):
        arguments = dict(self.arguments)
        try:
            if 'mask' in inspect.signature(self.function).parameters:
                arguments['mask'] = mask
        except (TypeError, ValueError):
            pass
        return self.function(inputs, **arguments)

    def compute_mask(self, inputs, mask=None):
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            return super(Lambda, self).compute_output_shape(input_shape)
        if callable(self._output_shape):
            shape = self._output_shape(input_shape)
            return shape if isinstance(shape, list) else tuple(shape)
        batch = input_shape[0][0] if isinstance(input_shape, list) else input_shape[0]
        return (batch,) + tuple(self._output_shape)

    def get_config(self):
        config = super(Lambda, self).get_config()

        def describe(value):
            if isinstance(value, types.LambdaType) and value.__name__ == '<lambda>':
                return _dump_function(value), 'lambda'
            if callable(value):
                return value.__name__, 'function'
            return value, 'raw'

        function, function_type = describe(self.function)
        output_shape, output_shape_type = describe(self._output_shape)
        config.update({'function': function, 'function_type': function_type, 'output_shape': output_shape,
                       'output_shape_type': output_shape_type, 'arguments': self.arguments})
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None, safe_mode=None):
        """Recreates the layer; Python bytecode is only loaded with `safe_mode=False`.

        A function stored by name (`function_type: 'function'`) is looked up in the registered custom
        objects (`custom_objects`, `CustomObjectScope`, `get_custom_objects()`), then among kernelkit's
        activations and tensor functions of the backend (`relu`, `abs`, `square`...). Only with
        `safe_mode=False` is it also looked up in the module the file names (tf_keras's `module` key).

        # Arguments
            config: the layer config.
            custom_objects: dictionary of functions by name.
            safe_mode: `False` to allow loading lambdas stored as bytecode, and functions named by their
                module (default: the value set by `load_model`/`model_from_json`, else `True`).

        # Returns
            A `Lambda` layer.

        # Raises
            ValueError: for a stored lambda in safe mode, or an unknown (or unregistered) function name.
        """
        from kernelkit.utils.generic_utils import get_custom_objects, _SCOPE_STACK
        config = dict(config)
        if safe_mode is None:
            safe_mode = _SAFE_MODE[-1]
        registered = dict(get_custom_objects())
        for scope in _SCOPE_STACK:
            registered.update(scope)
        registered.update(custom_objects or {})
        # tf_keras records the module that defined the function; when it is imported, its names are
        # visible to the function (as they were where it was written). Only used with safe_mode=False.
        modules = [config.pop(key, None) for key in ('module', 'output_shape_module', 'mask_module')]
        module_names = {}
        for module in modules:
            if isinstance(module, str) and module in sys.modules:
                module_names.update(vars(sys.modules[module]))
        layer_name = config.get('name')

        def restore(value, kind, module):
            if kind == 'lambda':
                if safe_mode:
                    return _load_function(value, None, layer_name, True)  # raises
                globs = dict(globals())  # Keras 2: a stored lambda sees `K`, `np`... of this module
                globs.update(module_names)
                globs.update(registered)
                return _load_function(value, globs, layer_name, False)
            if kind == 'function':
                return _function_by_name(value, registered, module_names, module, safe_mode, layer_name)
            return tuple(value) if isinstance(value, list) else value

        config['function'] = restore(config['function'], config.pop('function_type', 'function'), modules[0])
        config['output_shape'] = restore(config.get('output_shape'), config.pop('output_shape_type', 'raw'),
                                         modules[1])
        if 'mask_type' in config:  # tf_keras stores a mask function like the others
            config['mask'] = restore(config.get('mask'), config.pop('mask_type'), modules[2])
        arguments = config.get('arguments') or {}
        config['arguments'] = {key: np.array(value['value']) if isinstance(value, dict) and
                               value.get('type') == 'ndarray' else value for key, value in arguments.items()}
        return cls(**config)


# Backend functions a Lambda config may name without registering them: tensor in, tensor out, no state
# changed (no `set_value`, `update`, `clear_session`, `function`, `eval`, `print_tensor`...).
_BACKEND_FUNCTION_NAMES = (
    'abs', 'all', 'any', 'argmax', 'argmin', 'batch_dot', 'batch_flatten', 'bias_add', 'binary_crossentropy',
    'cast', 'categorical_crossentropy', 'clip', 'concatenate', 'cos', 'cumprod', 'cumsum', 'dot', 'elu',
    'equal', 'exp', 'expand_dims', 'flatten', 'greater', 'greater_equal', 'hard_sigmoid', 'identity',
    'l2_normalize', 'less', 'less_equal', 'log', 'logsumexp', 'max', 'maximum', 'mean', 'min', 'minimum',
    'not_equal', 'one_hot', 'ones_like', 'permute_dimensions', 'pow', 'prod', 'relu', 'repeat',
    'repeat_elements', 'reshape', 'resize_images', 'resize_volumes', 'reverse', 'round', 'sigmoid', 'sign',
    'sin', 'softmax', 'softplus', 'softsign', 'sparse_categorical_crossentropy', 'spatial_2d_padding',
    'spatial_3d_padding', 'sqrt', 'square', 'squeeze', 'stack', 'std', 'stop_gradient', 'sum', 'tanh',
    'temporal_padding', 'tile', 'transpose', 'var', 'zeros_like')


def _kernelkit_function(name):
    """kernelkit's own activation or backend tensor function called `name`, or `None`."""
    found = activations._ACTIVATIONS.get(name)
    if found is None and name in _BACKEND_FUNCTION_NAMES:
        found = getattr(K, name, None)
    return found


def _function_by_name(name, registered, module_names, module, safe_mode, layer_name):
    """Resolves a Lambda's function stored by name; nothing else in the process is reachable by name
    unless the user registered it (or, with `safe_mode=False`, the file's module defines it)."""
    if not isinstance(name, str):
        raise ValueError('Lambda layer %s stores its function by name, but the name is %r, not a string.'
                         % (layer_name, name))
    if name in registered:
        return registered[name]
    if not safe_mode and name in module_names:
        return module_names[name]
    found = _kernelkit_function(name)
    if found is not None:
        return found
    if isinstance(module, str) and name in module_names:
        raise ValueError('Lambda layer %s names the function %r of module %r, which is not a registered custom '
                         'object; a function named by a file is only looked up in its module with '
                         '`safe_mode=False` (e.g. `load_model(path, safe_mode=False)`, for files you trust). '
                         'Or pass it: `custom_objects={%r: %s}`.' % (layer_name, name, module, name, name))
    raise ValueError('Unknown function %r in Lambda layer %s: pass it through `custom_objects` (or register it '
                     'with `CustomObjectScope` or `get_custom_objects()`).' % (name, layer_name))




class ActivityRegularization(Layer):
    """Passes its input through and adds `l1 * sum(|x|) + l2 * sum(x^2)` to the model's loss.

    # Arguments
        l1: L1 regularization factor.
        l2: L2 regularization factor.
    """

    def __init__(self, l1=0., l2=0., **kwargs):
        super(ActivityRegularization, self).__init__(**kwargs)
        self.supports_masking = True
        self.l1 = l1
        self.l2 = l2
        self.activity_regularizer = regularizers.L1L2(l1=l1, l2=l2)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super(ActivityRegularization, self).get_config()
        config.update({'l1': self.l1, 'l2': self.l2})
        return config


class Masking(Layer):
    """Masks time steps whose features all equal `mask_value`; downstream layers that support masking skip
    them.

    # Arguments
        mask_value: the value that marks a padded time step.
    """

    def __init__(self, mask_value=0., **kwargs):
        super(Masking, self).__init__(**kwargs)
        self.supports_masking = True
        self.mask_value = mask_value

    def compute_mask(self, inputs, mask=None):
        return tf.reduce_any(tf.not_equal(inputs, self.mask_value), axis=-1)

    def call(self, inputs):
        keep = tf.reduce_any(tf.not_equal(inputs, self.mask_value), axis=-1, keepdims=True)
        return inputs * tf.cast(keep, inputs.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super(Masking, self).get_config()
        config['mask_value'] = self.mask_value
        return config
