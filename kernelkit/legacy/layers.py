"""Keras 1 layers that Keras 2 kept (deprecated) or that kernelkit maps onto Keras 2 layers.

- `MaxoutDense`, `Highway`: real layers with their Keras 1 arguments and weights, warning that they are deprecated
  (as in Keras 2.0-2.3).
- `Merge` (layer) and `merge` (function): every Keras 1 mode, built from the Keras 2 merge layers of
  `table.MERGE_MODES` (a callable mode becomes a `Lambda`), so models serialize as Keras 2.
- `AtrousConvolution1D/2D` (and `AtrousConv1D/2D`): factories returning `Conv1D`/`Conv2D` with `dilation_rate`.
- `removed_attribute`: the module `__getattr__` that makes removed names (`TimeDistributedDense`, `SReLU`, ...)
  raise an `ImportError` saying what to write instead.

Everything here is created from the table by `make_namespace_additions(namespace)`, where `namespace` is the
public `kernelkit.layers` namespace (so these helpers use the same, already wrapped, Keras 2 classes).
"""
import tensorflow as tf

from kernelkit import activations, constraints, initializers, regularizers
from kernelkit.engine.base_layer import Layer
from kernelkit.engine.input_spec import InputSpec
from kernelkit.legacy import table
from kernelkit.legacy.interfaces import emit, format_signature


class KerasRemovedError(ImportError):
    """A Keras 1 name that Keras 2 removed; the message says what to write instead."""


def removed_attribute(module_name, removed, previous=None):
    """Returns a module `__getattr__` that raises `KerasRemovedError` for the names of `removed`.

    # Arguments
        module_name: the module's name (for the usual AttributeError of other names).
        removed: `{name: message}`.
        previous: the module's former `__getattr__`, if any, consulted for other names.
    """
    def __getattr__(name):
        if name in removed:
            raise KerasRemovedError(removed[name])
        if previous is not None:
            return previous(name)
        raise AttributeError('module %r has no attribute %r' % (module_name, name))
    return __getattr__


class MaxoutDense(Layer):
    """A dense maxout layer (Keras 1; deprecated): the maximum over `nb_feature` linear projections.

    # Arguments
        output_dim: size of the output.
        nb_feature: number of linear projections to take the maximum of.
        init: initializer of `W`.
        weights: initial weights `[W, b]`.
        W_regularizer, b_regularizer, activity_regularizer: regularizers.
        W_constraint, b_constraint: constraints.
        bias: whether to add the bias `b`.
        input_dim: shorthand for `input_shape=(input_dim,)`.

    # Weights
        `W` of shape `(nb_feature, input_dim, output_dim)` and `b` of shape `(nb_feature, output_dim)`.
    """

    def __init__(self, output_dim, nb_feature=4, init='glorot_uniform', weights=None, W_regularizer=None,
                 b_regularizer=None, activity_regularizer=None, W_constraint=None, b_constraint=None, bias=True,
                 input_dim=None, **kwargs):
        emit(table.MAXOUT_DENSE)
        self.output_dim = output_dim
        self.nb_feature = nb_feature
        self.init = initializers.get(init)
        self.W_regularizer = regularizers.get(W_regularizer)
        self.b_regularizer = regularizers.get(b_regularizer)
        self.W_constraint = constraints.get(W_constraint)
        self.b_constraint = constraints.get(b_constraint)
        self.bias = bias
        self.input_dim = input_dim
        if input_dim and 'input_shape' not in kwargs and 'batch_input_shape' not in kwargs:
            kwargs['input_shape'] = (input_dim,)
        super(MaxoutDense, self).__init__(weights=weights, **kwargs)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.input_spec = InputSpec(ndim=2)

    def build(self, input_shape):
        input_dim = input_shape[1]
        self.input_spec = InputSpec(ndim=2, axes={-1: input_dim})
        self.W = self.add_weight(name='W', shape=(self.nb_feature, input_dim, self.output_dim),
                                 initializer=self.init, regularizer=self.W_regularizer, constraint=self.W_constraint)
        if self.bias:
            self.b = self.add_weight(name='b', shape=(self.nb_feature, self.output_dim), initializer='zeros',
                                     regularizer=self.b_regularizer, constraint=self.b_constraint)
        else:
            self.b = None
        self.built = True

    def call(self, inputs):
        output = tf.einsum('bi,fio->bfo', inputs, self.W)
        if self.bias:
            output = output + self.b
        return tf.reduce_max(output, axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.output_dim)

    def get_config(self):
        config = {'output_dim': self.output_dim, 'init': initializers.serialize(self.init),
                  'nb_feature': self.nb_feature, 'W_regularizer': regularizers.serialize(self.W_regularizer),
                  'b_regularizer': regularizers.serialize(self.b_regularizer),
                  'activity_regularizer': regularizers.serialize(self.activity_regularizer),
                  'W_constraint': constraints.serialize(self.W_constraint),
                  'b_constraint': constraints.serialize(self.b_constraint), 'bias': self.bias,
                  'input_dim': self.input_dim}
        base = super(MaxoutDense, self).get_config()
        return dict(list(base.items()) + list(config.items()))


class Highway(Layer):
    """A densely connected highway layer (Keras 1; deprecated):
    `t = sigmoid(x W_carry + b_carry)`, `y = activation(x W + b) * t + x * (1 - t)`.

    # Arguments
        init: initializer of `W` and `W_carry`.
        activation: activation of the transform (default linear).
        weights: initial weights `[W, W_carry, b, b_carry]`.
        W_regularizer, b_regularizer, activity_regularizer: regularizers.
        W_constraint, b_constraint: constraints.
        bias: whether to use `b` and `b_carry`.
        input_dim: shorthand for `input_shape=(input_dim,)`.

    # Weights
        `W` and `W_carry` of shape `(d, d)`, `b` (initialized to zeros) and `b_carry` (initialized to ones) of
        shape `(d,)`.
    """

    def __init__(self, init='glorot_uniform', activation=None, weights=None, W_regularizer=None, b_regularizer=None,
                 activity_regularizer=None, W_constraint=None, b_constraint=None, bias=True, input_dim=None,
                 **kwargs):
        emit(table.HIGHWAY)
        if 'transform_bias' in kwargs:
            kwargs.pop('transform_bias')
            emit(table.HIGHWAY_TRANSFORM_BIAS)
        self.init = initializers.get(init)
        self.activation = activations.get(activation)
        self.W_regularizer = regularizers.get(W_regularizer)
        self.b_regularizer = regularizers.get(b_regularizer)
        self.W_constraint = constraints.get(W_constraint)
        self.b_constraint = constraints.get(b_constraint)
        self.bias = bias
        self.input_dim = input_dim
        if input_dim and 'input_shape' not in kwargs and 'batch_input_shape' not in kwargs:
            kwargs['input_shape'] = (input_dim,)
        super(Highway, self).__init__(weights=weights, **kwargs)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.input_spec = InputSpec(ndim=2)

    def build(self, input_shape):
        d = input_shape[1]
        self.input_spec = InputSpec(ndim=2, axes={-1: d})
        self.W = self.add_weight(name='W', shape=(d, d), initializer=self.init, regularizer=self.W_regularizer,
                                 constraint=self.W_constraint)
        self.W_carry = self.add_weight(name='W_carry', shape=(d, d), initializer=self.init)
        if self.bias:
            self.b = self.add_weight(name='b', shape=(d,), initializer='zeros', regularizer=self.b_regularizer,
                                     constraint=self.b_constraint)
            self.b_carry = self.add_weight(name='b_carry', shape=(d,), initializer='ones')
        else:
            self.b = self.b_carry = None
        self.built = True

    def call(self, inputs):
        carry = tf.matmul(inputs, self.W_carry)
        if self.bias:
            carry = carry + self.b_carry
        transform_weight = tf.sigmoid(carry)
        y = tf.matmul(inputs, self.W)
        if self.bias:
            y = y + self.b
        return self.activation(y) * transform_weight + (1. - transform_weight) * inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = {'init': initializers.serialize(self.init), 'activation': activations.serialize(self.activation),
                  'W_regularizer': regularizers.serialize(self.W_regularizer),
                  'b_regularizer': regularizers.serialize(self.b_regularizer),
                  'activity_regularizer': regularizers.serialize(self.activity_regularizer),
                  'W_constraint': constraints.serialize(self.W_constraint),
                  'b_constraint': constraints.serialize(self.b_constraint), 'bias': self.bias,
                  'input_dim': self.input_dim}
        base = super(Highway, self).get_config()
        return dict(list(base.items()) + list(config.items()))


# ------------------------------------------------------------------------------------------------------------
# Merge / merge.

def merge_arguments(mode, concat_axis=-1, dot_axes=-1):
    """The Keras 2 layer name, function name and arguments for a Keras 1 merge mode.

    # Returns
        `(layer_name, function_name, kwargs)`, or `None` for a callable mode.

    # Raises
        ValueError: for an unknown mode name.
    """
    if callable(mode):
        return None
    if mode not in table.MERGE_MODES:
        raise ValueError('Invalid merge mode: %r. Keras 1 modes are %s (or a callable).'
                         % (mode, ', '.join(sorted(table.MERGE_MODES))))
    entry = table.MERGE_MODES[mode]
    keras1 = {'concat_axis': concat_axis, 'dot_axes': dot_axes}
    kwargs = {new: keras1[old] for new, old in entry.arguments.items()
              if new not in entry.defaults or keras1[old] != entry.defaults[new]}
    kwargs.update(entry.fixed)
    return entry.layer, entry.function, kwargs


def _merge_layer(namespace, mode, concat_axis, dot_axes, output_shape, arguments, name):
    spec = merge_arguments(mode, concat_axis, dot_axes)
    extra = {'name': name} if name else {}
    if spec is None:
        layer_name = 'Lambda'
        kwargs = dict(output_shape=output_shape, arguments=arguments, **extra)
        return namespace['Lambda'](mode, **kwargs), layer_name, [getattr(mode, '__name__', 'function')], kwargs
    layer_name, _, kwargs = spec
    kwargs = dict(kwargs, **extra)
    return namespace[layer_name](**kwargs), layer_name, [], kwargs


def make_merge(namespace):
    """Returns the Keras 1 `Merge` layer factory and `merge` function, built on the Keras 2 merge layers of
    `namespace`."""

    def Merge(layers=None, mode='sum', concat_axis=-1, dot_axes=-1, output_shape=None, output_mask=None,
              arguments=None, node_indices=None, tensor_indices=None, name=None):
        """Keras 1 `Merge` layer (deprecated): returns the Keras 2 merge layer for `mode` ('sum', 'mul',
        'concat', 'ave', 'max', 'dot', 'cos', or a callable, which gives a `Lambda`)."""
        if layers is not None:
            spec = merge_arguments(mode, concat_axis, dot_axes)
            raise TypeError(table.MERGE_SEQUENTIAL % (spec[1] if spec else 'Lambda(...)'))
        layer, layer_name, args, kwargs = _merge_layer(namespace, mode, concat_axis, dot_axes, output_shape,
                                                       arguments, name)
        emit(table.MERGE_LAYER, new_call=format_signature(layer_name, args, kwargs), arguments=(tuple(args), kwargs))
        return layer

    def merge(inputs, mode='sum', concat_axis=-1, dot_axes=-1, output_shape=None, output_mask=None,
              arguments=None, name=None):
        """Keras 1 `merge` function (deprecated): merges a list of tensors with the Keras 2 merge layer for
        `mode` ('sum', 'mul', 'concat', 'ave', 'max', 'dot', 'cos', or a callable, which gives a `Lambda`)."""
        layer, layer_name, args, kwargs = _merge_layer(namespace, mode, concat_axis, dot_axes, output_shape,
                                                       arguments, name)
        spec = merge_arguments(mode, concat_axis, dot_axes)
        if spec is None:
            new_call, arguments = format_signature('Lambda', args, kwargs) + '(inputs)', None
        else:
            new_call, arguments = format_signature(spec[1], [inputs], kwargs), ((inputs,), kwargs)
        emit(table.MERGE_FUNCTION, new_call=new_call, arguments=arguments)
        return layer(inputs)

    return Merge, merge


def make_factory(entry, namespace):
    """Returns the Keras 1 factory of `entry` (a `table.Factory`), e.g. `AtrousConvolution2D`."""
    def factory(*args, **kwargs):
        if entry.old in kwargs:
            kwargs[entry.new] = kwargs.pop(entry.old)
        else:
            kwargs.setdefault(entry.new, entry.default)
        emit(entry.notice, new_call=format_signature(entry.target, args, kwargs), arguments=(args, dict(kwargs)))
        return namespace[entry.target](*args, **kwargs)
    factory.__name__ = factory.__qualname__ = entry.name
    factory.__doc__ = ('Keras 1 `%s` (deprecated): `%s` with `%s` renamed `%s`.'
                       % (entry.name, entry.target, entry.old, entry.new))
    return factory


def make_namespace_additions(namespace):
    """The Keras 1 names to add to the `kernelkit.layers` namespace: `{name: object}`."""
    additions = {}
    for old, new in table.CLASS_RENAMES.items():
        if new in namespace and old not in namespace:
            additions[old] = namespace[new]
    for entry in table.FACTORIES:
        additions[entry.name] = make_factory(entry, namespace)
    additions['MaxoutDense'] = MaxoutDense
    additions['Highway'] = Highway
    additions['Merge'], additions['merge'] = make_merge(namespace)
    return additions
