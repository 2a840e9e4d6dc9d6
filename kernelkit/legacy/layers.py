"""Keras 1 layers that Keras 2 kept (deprecated) or that kernelkit maps onto Keras 2 layers.

- `MaxoutDense`, `Highway`: real layers with their Keras 1 arguments and weights, warning that they are deprecated
  (as in Keras 2.0-2.3).
- `Merge` (layer) and `merge` (function): every Keras 1 mode, built from the Keras 2 merge layers of
  `table.MERGE_MODES` (a callable mode becomes a `Lambda`), so models serialize as Keras 2. `Merge(layers=[left,
  right], ...)` of branch models (or of layers already called) merges their outputs at once, as Keras 2.0-2.1
  did, and can start a `Sequential` model whose inputs are the branches' inputs (left ones first).
- `Recurrent`, `ConvRecurrent2D`: the abstract bases of Keras 1-era recurrent layers (a subclass defines
  `build` and `step`, optionally `get_constants`, `get_initial_state`, `preprocess_input`), run by `K.rnn`.
- `AtrousConvolution1D/2D` (and `AtrousConv1D/2D`): factories returning `Conv1D`/`Conv2D` with `dilation_rate`.
- `removed_attribute`: the module `__getattr__` that makes removed names (`TimeDistributedDense`, `SReLU`, ...)
  raise an `ImportError` saying what to write instead.

Everything here is created from the table by `make_namespace_additions(namespace)`, where `namespace` is the
public `kernelkit.layers` namespace (so these helpers use the same, already wrapped, Keras 2 classes).
"""
import numpy as np
import tensorflow as tf

from kernelkit import activations, constraints, initializers, regularizers
from kernelkit import backend as K
from kernelkit.engine.base_layer import Layer
from kernelkit.engine.input_spec import InputSpec
from kernelkit.utils.generic_utils import to_list
from kernelkit.legacy import table
from kernelkit.utils.layer_utils import get_source_inputs
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
# Recurrent / ConvRecurrent2D: the abstract bases of Keras 1-era recurrent layers (Keras 2.2.4 legacy.layers).

class Recurrent(Layer):
    """Abstract base class of Keras 1-era recurrent layers (as kept in Keras 2.2.4's `keras.legacy.layers`).

    Not a usable layer by itself: a subclass sets `self.units` and `self.states` (a list with one entry per
    state, `[None]` for one state) and creates its weights in `build`, and defines `step(inputs, states)`,
    which returns `(output, new_states)` for one time step (`states` are the current states followed by the
    constants). `call` runs it over time with `K.rnn`. Optional hooks: `get_constants(inputs, training)`
    (tensors passed to every step after the states), `get_initial_state(inputs)` (default zeros of shape
    `(samples, units)` per state) and `preprocess_input(inputs, training)`.

    # Arguments
        return_sequences: return the whole output sequence instead of the last output.
        return_state: also return the last states (a list `[output] + states`).
        go_backwards: process the sequence backwards (the outputs come back reversed).
        stateful: keep the last states of each batch as the initial states of the next (needs a fixed batch
            size, e.g. `batch_input_shape`); `reset_states()` sets them back to zero.
        unroll: unroll the loop (needs a known number of time steps).
        implementation: kept for subclasses (Keras 2 used it to pick a computation mode).

    # Input shape
        3D tensor `(batch_size, timesteps, input_dim)`; optionally followed by the initial states, as a list
        `[inputs] + initial_states` (or `initial_state=` when calling the layer).

    # Output shape
        `(batch_size, units)`, or `(batch_size, timesteps, units)` with `return_sequences`; with
        `return_state`, a list with the states (`(batch_size, units)` each) after the output.
    """

    def __init__(self, return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 unroll=False, implementation=0, **kwargs):
        super(Recurrent, self).__init__(**kwargs)
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.unroll = unroll
        self.implementation = implementation
        self.supports_masking = True
        self.input_spec = [InputSpec(ndim=3)]
        self.state_spec = None
        self.dropout = 0
        self.recurrent_dropout = 0

    def _state_count(self):
        return len(getattr(self, 'states', None) or [None])

    def compute_output_shape(self, input_shape):
        if isinstance(input_shape, list):
            input_shape = input_shape[0]
        if self.return_sequences:
            output_shape = (input_shape[0], input_shape[1], self.units)
        else:
            output_shape = (input_shape[0], self.units)
        if self.return_state:
            return [output_shape] + [(input_shape[0], self.units) for _ in range(self._state_count())]
        return output_shape

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, list):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * self._state_count()
        return output_mask

    def step(self, inputs, states):
        """One time step: returns `(output, new_states)`. Subclasses must define it."""
        raise NotImplementedError('%s must define `step(inputs, states)` (Recurrent is an abstract base class).'
                                  % self.__class__.__name__)

    def get_constants(self, inputs, training=None):
        """Tensors given to every step after the states (default none)."""
        return []

    def get_initial_state(self, inputs):
        """Zero states of shape `(samples, units)`, one per entry of `self.states`."""
        zeros = K.sum(K.zeros_like(inputs), axis=(1, 2))        # (samples,)
        state = K.tile(K.expand_dims(zeros), [1, self.units])   # (samples, units)
        return [state for _ in range(self._state_count())]

    def preprocess_input(self, inputs, training=None):
        """Transforms the whole input sequence before the loop (default: unchanged)."""
        return inputs

    def __call__(self, inputs, initial_state=None, **kwargs):
        if initial_state is not None:
            inputs = [inputs] + to_list(initial_state)
        if isinstance(inputs, list) and len(inputs) > 1:
            saved, self.input_spec = self.input_spec, None   # the states have their own shapes
            try:
                return super(Recurrent, self).__call__(inputs, **kwargs)
            finally:
                self.input_spec = saved
        return super(Recurrent, self).__call__(inputs, **kwargs)

    def call(self, inputs, mask=None, training=None):
        if type(self).step is Recurrent.step:
            self.step(inputs, [])
        if isinstance(inputs, list):
            inputs, initial_state = inputs[0], list(inputs[1:])
        elif self.stateful:
            initial_state = list(self.states)
        else:
            initial_state = self.get_initial_state(inputs)
        if isinstance(mask, list):
            mask = mask[0]
        if len(initial_state) != self._state_count():
            raise ValueError('Layer %s expects %d states, but it received %d initial states.'
                             % (self.name, self._state_count(), len(initial_state)))
        timesteps = K.int_shape(inputs)[1]
        if self.unroll and timesteps is None:
            raise ValueError('Layer %s: `unroll=True` needs a known number of time steps; give the input a '
                             'fixed length (`input_shape=(timesteps, dim)`).' % self.name)
        constants = self.get_constants(inputs, training=None)
        preprocessed = self.preprocess_input(inputs, training=None)
        last_output, outputs, states = K.rnn(self.step, preprocessed, initial_state, go_backwards=self.go_backwards,
                                             mask=mask, constants=constants, unroll=self.unroll,
                                             input_length=timesteps)
        if self.stateful:
            for variable, value in zip(self.states, states):
                K.update(variable, value)
        output = outputs if self.return_sequences else last_output
        if self.return_state:
            return [output] + list(states)
        return output

    def reset_states(self, states=None):
        """Sets the states of a stateful layer to zeros (or to `states`, a list of arrays).

        # Raises
            AttributeError: if the layer is not stateful.
            ValueError: if the batch size is unknown, or `states` has the wrong length or shapes.
        """
        if not self.stateful:
            raise AttributeError('Layer must be stateful.')
        spec = to_list(self.input_spec)[0]
        batch_size = spec.shape[0] if spec is not None and spec.shape is not None else None
        if not batch_size:
            batch_size = (getattr(self, 'batch_input_shape', None) or (None,))[0]
        if not batch_size:
            raise ValueError('If a RNN is stateful, it needs to know its batch size. Specify the batch size of '
                             'your input tensors: pass `batch_input_shape` (or `batch_size`) to its first layer.')
        shape = (batch_size, self.units)
        if getattr(self, 'states', None) is None or self.states[0] is None:
            self.states = [K.zeros(shape) for _ in range(self._state_count())]
        values = [np.zeros(shape)] * len(self.states) if states is None else to_list(states)
        if len(values) != len(self.states):
            raise ValueError('Layer %s expects %d states, but it received %d state values.'
                             % (self.name, len(self.states), len(values)))
        for variable, value in zip(self.states, values):
            if tuple(np.shape(value)) != shape:
                raise ValueError('State of layer %s has the wrong shape: expected %s, found %s.'
                                 % (self.name, shape, np.shape(value)))
            K.set_value(variable, value)

    def get_config(self):
        config = {'return_sequences': self.return_sequences, 'return_state': self.return_state,
                  'go_backwards': self.go_backwards, 'stateful': self.stateful, 'unroll': self.unroll,
                  'implementation': self.implementation}
        base = super(Recurrent, self).get_config()
        return dict(list(base.items()) + list(config.items()))


class ConvRecurrent2D(Recurrent):
    """Abstract base class of Keras 1-era convolutional recurrent layers (Keras 2.2.4 `keras.legacy.layers`).

    A subclass defines `build`, `step` and `get_initial_state` (states of shape `(samples, rows, cols,
    filters)`), as for `Recurrent`; this class holds the convolution arguments and the output shapes.

    # Arguments
        filters: number of output filters.
        kernel_size: an int or a tuple of 2 ints.
        strides: an int or a tuple of 2 ints.
        padding: 'valid' or 'same'.
        data_format: 'channels_last' (inputs `(samples, time, rows, cols, channels)`) or 'channels_first'
            (`(samples, time, channels, rows, cols)`); default `K.image_data_format()`.
        dilation_rate: an int or a tuple of 2 ints.
        return_sequences, go_backwards, stateful: as for `Recurrent`.

    # Input shape
        5D tensor.

    # Output shape
        `(samples, [time,] rows, cols, filters)` (channels last) or `(samples, [time,] filters, rows, cols)`.
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding='valid', data_format=None,
                 dilation_rate=(1, 1), return_sequences=False, go_backwards=False, stateful=False, **kwargs):
        from kernelkit.layers import convolutional_base as conv
        super(ConvRecurrent2D, self).__init__(**kwargs)
        self.filters = filters
        self.kernel_size = conv.normalize_tuple(self, 'kernel_size', kernel_size, 2)
        self.strides = conv.normalize_tuple(self, 'strides', strides, 2)
        self.padding = conv.normalize_padding(self, padding)
        self.data_format = conv.normalize_data_format(self, data_format)
        self.dilation_rate = conv.normalize_tuple(self, 'dilation_rate', dilation_rate, 2)
        self.return_sequences = return_sequences
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.input_spec = [InputSpec(ndim=5)]
        self.state_spec = None

    def compute_output_shape(self, input_shape):
        from kernelkit.layers.convolutional_base import conv_output_length
        if isinstance(input_shape, list):
            input_shape = input_shape[0]
        first = self.data_format == 'channels_first'
        rows, cols = (input_shape[3], input_shape[4]) if first else (input_shape[2], input_shape[3])
        rows = conv_output_length(rows, self.kernel_size[0], self.padding, self.strides[0], self.dilation_rate[0])
        cols = conv_output_length(cols, self.kernel_size[1], self.padding, self.strides[1], self.dilation_rate[1])
        state_shape = (input_shape[0], self.filters, rows, cols) if first else (input_shape[0], rows, cols,
                                                                                self.filters)
        output_shape = (state_shape[:1] + (input_shape[1],) + state_shape[1:]) if self.return_sequences \
            else state_shape
        if self.return_state:
            return [output_shape] + [state_shape for _ in range(self._state_count())]
        return output_shape

    def get_config(self):
        config = {'filters': self.filters, 'kernel_size': self.kernel_size, 'strides': self.strides,
                  'padding': self.padding, 'data_format': self.data_format, 'dilation_rate': self.dilation_rate,
                  'return_sequences': self.return_sequences, 'go_backwards': self.go_backwards,
                  'stateful': self.stateful}
        base = super(ConvRecurrent2D, self).get_config()
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


def _merge_layer(namespace, mode, concat_axis, dot_axes, output_shape, output_mask, arguments, name):
    spec = merge_arguments(mode, concat_axis, dot_axes)
    extra = {'name': name} if name else {}
    if spec is None:
        kwargs = dict(output_shape=output_shape, arguments=arguments, **extra)
        if output_mask is not None:
            kwargs['mask'] = output_mask
        return namespace['Lambda'](mode, **kwargs), 'Lambda', [getattr(mode, '__name__', 'function')], kwargs
    layer_name, _, kwargs = spec
    kwargs = dict(kwargs, **extra)
    return namespace[layer_name](**kwargs), layer_name, [], kwargs


class MergeBranchError(ValueError, TypeError):
    """A `Merge` branch that has no output yet (a `ValueError`; also a `TypeError`, what kernelkit raised for
    every `Merge` of models before it ran them)."""


def _branch_outputs(layers, node_indices, tensor_indices):
    """The output tensors of Keras 1 `Merge` branches (models or layers already called)."""
    if not isinstance(layers, (list, tuple)) or len(layers) < 2:
        raise ValueError('`Merge(layers=...)` needs a list of at least 2 models or layers to merge; got %r.'
                         % (layers,))
    node_indices = list(node_indices or [0] * len(layers))
    tensor_indices = list(tensor_indices or [0] * len(layers))
    if len(node_indices) != len(layers) or len(tensor_indices) != len(layers):
        raise ValueError('`Merge`: `node_indices` and `tensor_indices` need one entry per merged layer (%d).'
                         % len(layers))
    outputs = []
    for layer, node_index, tensor_index in zip(layers, node_indices, tensor_indices):
        if not isinstance(layer, Layer):
            raise TypeError('`Merge(layers=...)` merges models or layers; found %r.' % (layer,))
        if len(layer._inbound_nodes) <= node_index:
            raise MergeBranchError('`Merge`: the branch %s has not been built or called yet (node %d): give its first '
                             'layer an `input_shape`, call it on an `Input`, or write the model with the functional '
                                   'API.' % (layer.name, node_index))
        outputs.append(layer._inbound_nodes[node_index].output_tensors[tensor_index])
    return outputs


def _branches_rewrite(layers, layer_name, function_name, kwargs, args):
    """The functional Keras 2 form of a `Merge` of branches, for the warning."""
    names = [layer.name for layer in layers]
    tensors = '[%s]' % ', '.join('%s.output' % n for n in names)
    if function_name is None:
        merged = '%s(%s)' % (format_signature(layer_name, args, kwargs), tensors)
    else:
        merged = format_signature(function_name, [], kwargs).replace('(', '(%s%s' % (
            tensors, ', ' if kwargs else ''), 1)
    return merged, table.MERGE_BRANCHES % (merged, ', '.join('%s.input' % n for n in names))


def _merge_from_config(namespace):
    def from_config(config, custom_objects=None):
        """Creates the layer of a Keras 1 / Keras 2.0-2.1 `Merge` config (`mode`, `mode_type`, `concat_axis`,
        `dot_axes`, `output_shape`, `output_shape_type`, `arguments`): the Keras 2 merge layer of its mode, or
        a `Lambda` for a function mode (`mode_type` 'function' or 'lambda')."""
        return namespace['deserialize']({'class_name': 'Merge', 'config': dict(config)},
                                        custom_objects=custom_objects)
    return from_config


def make_merge(namespace):
    """Returns the Keras 1 `Merge` layer factory and `merge` function, built on the Keras 2 merge layers of
    `namespace`."""

    def Merge(layers=None, mode='sum', concat_axis=-1, dot_axes=-1, output_shape=None, output_mask=None,
              arguments=None, node_indices=None, tensor_indices=None, name=None):
        """Keras 1 `Merge` layer (deprecated): the Keras 2 merge layer for `mode`.

        # Arguments
            layers: `None`, or the list of branch models (or layers already called) to merge at once, as Keras
                1 did: the layer is then called on their outputs and can start a `Sequential` model, whose
                inputs are the branches' inputs, in order. Such a model saves as its functional equivalent
                (a Keras 2 Sequential config cannot hold branches) and loads back as a `Sequential`.
            mode: 'sum', 'mul', 'concat', 'ave', 'max', 'dot', 'cos', or a function of the list of input
                tensors (which gives a `Lambda`).
            concat_axis: axis of 'concat'. dot_axes: axes of 'dot' and 'cos' (an int or a pair).
            output_shape: for a function mode: the output shape without the batch dimension, or a function of
                the list of input shapes.
            output_mask: for a function mode: the mask (a tensor or a function of inputs and masks).
            arguments: keyword arguments of a function mode.
            node_indices, tensor_indices: which node and output of each branch to merge (default 0).
            name: the layer name.

        # Returns
            The Keras 2 merge layer (`Add`, `Multiply`, `Concatenate`, `Average`, `Maximum`, `Dot`, or
            `Lambda`), already called on the branches when `layers` is given.

        # Raises
            ValueError: for an unknown mode, or branches that are not built.
            TypeError: for branches that are not layers.
        """
        branch_outputs = None
        if layers is not None:
            branch_outputs = _branch_outputs(layers, node_indices, tensor_indices)
        layer, layer_name, args, kwargs = _merge_layer(namespace, mode, concat_axis, dot_axes, output_shape,
                                                       output_mask, arguments, name)
        new_call = format_signature(layer_name, args, kwargs)
        if layers is None:
            emit(table.MERGE_LAYER, new_call=new_call, arguments=(tuple(args), kwargs))
            return layer
        spec = merge_arguments(mode, concat_axis, dot_axes)
        merged, rewrite = _branches_rewrite(layers, layer_name, spec[1] if spec else None, kwargs, args)
        emit(table.MERGE_LAYER + ' ' + rewrite, new_call=merged, arguments=(tuple(args), kwargs))
        layer(branch_outputs)
        sources = []
        for tensor in branch_outputs:
            sources += [x for x in get_source_inputs(tensor) if not any(x is known for known in sources)]
        layer._sequential_inputs = sources
        return layer

    Merge.from_config = _merge_from_config(namespace)

    def merge(inputs, mode='sum', concat_axis=-1, dot_axes=-1, output_shape=None, output_mask=None,
              arguments=None, name=None):
        """Keras 1 `merge` function (deprecated): merges a list of tensors with the Keras 2 merge layer for
        `mode`.

        # Arguments
            inputs: the list of tensors.
            mode, concat_axis, dot_axes, output_shape, output_mask, arguments, name: as for `Merge`.

        # Returns
            The merged tensor.

        # Raises
            ValueError: for an unknown mode.
        """
        layer, layer_name, args, kwargs = _merge_layer(namespace, mode, concat_axis, dot_axes, output_shape,
                                                       output_mask, arguments, name)
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
    additions['Recurrent'] = Recurrent
    additions['ConvRecurrent2D'] = ConvRecurrent2D
    additions['Merge'], additions['merge'] = make_merge(namespace)
    return additions


# Keras 2.0-2.2 `keras.legacy.layers` also held the layer factories (and, before 2.2, `Merge`/`merge`); they
# are made on the public layer namespace, so they are read from there on first use.
_FROM_LAYERS = tuple(entry.name for entry in table.FACTORIES) + ('Merge', 'merge')


def __getattr__(name):
    if name in _FROM_LAYERS:
        import kernelkit.layers
        return getattr(kernelkit.layers, name)
    raise AttributeError('module %r has no attribute %r' % (__name__, name))
