"""Layer wrappers: `Wrapper` (base), `TimeDistributed` and `Bidirectional`."""
import inspect

import tensorflow as tf

from kernelkit.engine.base_layer import Layer
from kernelkit.engine.input_spec import InputSpec, assert_input_compatibility
from kernelkit.utils.generic_utils import CustomObjectScope, to_list


def _accepts(layer, argument):
    """Whether the `call` of `layer` takes the keyword `argument`."""
    try:
        return argument in inspect.signature(layer.call).parameters
    except (TypeError, ValueError):
        return False


def _dims(x, start):
    """The dimensions of `x` from axis `start` on: static sizes where known, dynamic ones otherwise."""
    static = x.shape.as_list()
    dynamic = tf.shape(x)
    return [d if d is not None else dynamic[i] for i, d in enumerate(static)][start:]


def _build_inner(layer, input_shape):
    if not layer.built:
        layer._build_once(input_shape)


class Wrapper(Layer):
    """Abstract base class of layer wrappers: a layer that augments another layer's behaviour.

    Its weights, losses and trainability are those of the wrapped layer. Do not use this class directly:
    use `TimeDistributed` or `Bidirectional`.

    # Arguments
        layer: the layer to wrap.

    # Raises
        TypeError: if `layer` is not a layer instance.
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise TypeError('%s expects a layer instance to wrap (e.g. `%s(Dense(10))`), got %r.'
                            % (self.__class__.__name__, self.__class__.__name__, layer))
        super(Wrapper, self).__init__(**kwargs)
        self.layer = layer

    def get_config(self):
        config = {'layer': {'class_name': self.layer.__class__.__name__, 'config': self.layer.get_config()}}
        base = super(Wrapper, self).get_config()
        return dict(list(base.items()) + list(config.items()))

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Recreates the wrapper and its wrapped layer from `get_config()`.

        # Arguments
            config: the dictionary `get_config` returned.
            custom_objects: dictionary of custom classes by name (for the wrapped layer).

        # Returns
            A wrapper instance.
        """
        from kernelkit.layers import deserialize as deserialize_layer
        config = dict(config)
        layer = deserialize_layer(config.pop('layer'), custom_objects=custom_objects)
        with CustomObjectScope(custom_objects or {}):
            return cls(layer, **config)


class TimeDistributed(Wrapper):
    """Applies a layer to every temporal slice of an input.

    The input should be at least 3D; the dimension of index one is considered the temporal dimension.
    Consider a batch of 32 samples, each a sequence of 10 vectors of 16 dimensions: the batch input
    shape is `(32, 10, 16)`, and `TimeDistributed(Dense(8))` outputs `(32, 10, 8)`, the same `Dense`
    (same weights) being applied to each of the 10 time steps.

    `TimeDistributed` works with arbitrary layers, e.g. `TimeDistributed(Conv2D(64, (3, 3)))` on
    inputs of shape `(batch, 10, 299, 299, 3)`.

    # Masks
        An input mask of shape `(batch, timesteps, ...)` is passed, reshaped per time step, to a wrapped
        layer whose `call` accepts `mask`. The output mask is the wrapped layer's mask reshaped back to
        `(batch, timesteps, ...)`, or, when the wrapped layer returns none, the input mask reduced
        (`any`) to `(batch, timesteps)`.

    # Arguments
        layer: a layer instance.

    # Raises
        TypeError: if `layer` is not a layer instance.
        ValueError: (at build) for inputs of rank lower than 3.
    """

    def __init__(self, layer, **kwargs):
        super(TimeDistributed, self).__init__(layer, **kwargs)
        self.supports_masking = True

    def build(self, input_shape):
        if not isinstance(input_shape, (tuple, list)) or len(input_shape) < 3 or \
                any(isinstance(s, (tuple, list)) for s in input_shape):
            raise ValueError('TimeDistributed %s expects a single input of rank >= 3 (batch, timesteps, ...), '
                             'got input shape %s.' % (self.name, input_shape))
        input_shape = tuple(input_shape)
        self.input_spec = InputSpec(shape=(None,) + input_shape[1:])
        _build_inner(self.layer, (input_shape[0],) + input_shape[2:])
        self.built = True

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        child_output_shape = tuple(self.layer.compute_output_shape((input_shape[0],) + input_shape[2:]))
        return (child_output_shape[0], input_shape[1]) + child_output_shape[1:]

    @staticmethod
    def _fold(x):
        """`(batch, timesteps, ...)` -> `(batch * timesteps, ...)`."""
        return tf.reshape(x, [-1] + _dims(x, 2))

    @staticmethod
    def _unfold(y, inputs):
        """`(batch * timesteps, ...)` -> `(batch, timesteps, ...)`, timesteps taken from `inputs`."""
        return tf.reshape(y, [-1, _dims(inputs, 1)[0]] + _dims(y, 1))

    def call(self, inputs, training=None, mask=None):
        kwargs = {}
        if training is not None:
            kwargs['training'] = training
        if mask is not None and _accepts(self.layer, 'mask'):
            kwargs['mask'] = self._fold(mask)
        outputs = self.layer(self._fold(inputs), **kwargs)
        return self._unfold(outputs, inputs)

    def compute_mask(self, inputs, mask=None):
        inner_mask = self._fold(mask) if mask is not None else None
        output_mask = self.layer.compute_mask(self._fold(inputs), inner_mask)
        if output_mask is None:
            if mask is None:
                return None
            output_mask = mask
            for _ in range(2, mask.shape.rank):
                output_mask = tf.reduce_any(output_mask, axis=-1)
            return output_mask
        return self._unfold(output_mask, inputs)


class Bidirectional(Wrapper):
    """Bidirectional wrapper for RNNs: runs a copy of the layer forwards and another backwards over the
    sequence, and merges their outputs.

    # Arguments
        layer: a recurrent layer instance (`LSTM`, `GRU`, `SimpleRNN`, `RNN`, ...).
        merge_mode: how the outputs of the forward and backward RNNs are combined: one of `'sum'`,
            `'mul'`, `'concat'`, `'ave'`, `None` (a list of the two outputs).
        weights: initial weights to load in the Bidirectional model: the forward layer's weights, then the
            backward layer's.

    # Calling
        `layer(inputs, initial_state=states)` takes the initial states of the forward RNN followed by
        those of the backward RNN. With `return_state=True` in the wrapped layer, the output is
        `[output] + forward_states + backward_states` (or `[forward_output, backward_output] + ...` when
        `merge_mode=None`).

    # Weights
        The forward layer's weights, then the backward layer's.

    # Examples
    ```python
    model = Sequential()
    model.add(Bidirectional(LSTM(10, return_sequences=True), input_shape=(5, 10)))
    model.add(Bidirectional(LSTM(10)))
    model.add(Dense(5))
    model.add(Activation('softmax'))
    model.compile(loss='categorical_crossentropy', optimizer='rmsprop')
    ```

    # Raises
        ValueError: for an invalid `merge_mode`, a layer that is not recurrent (no `go_backwards` in its
            config), or an odd number of initial states.
    """

    _MERGE_MODES = ('sum', 'mul', 'ave', 'concat', None)

    def __init__(self, layer, merge_mode='concat', weights=None, **kwargs):
        if merge_mode not in self._MERGE_MODES:
            raise ValueError('Invalid merge mode %r for Bidirectional. Merge mode should be one of {"sum", "mul", '
                             '"ave", "concat", None}.' % (merge_mode,))
        super(Bidirectional, self).__init__(layer, weights=weights, **kwargs)
        config = layer.get_config()
        if 'go_backwards' not in config:
            raise ValueError('Bidirectional %s wraps a recurrent layer (one with a `go_backwards` argument, e.g. '
                             'LSTM, GRU, SimpleRNN); got %s.' % (self.name, layer.__class__.__name__))
        self.forward_layer = layer.__class__.from_config(dict(config, name='forward_' + layer.name))
        self.backward_layer = layer.__class__.from_config(
            dict(config, name='backward_' + layer.name, go_backwards=not config['go_backwards']))
        self.merge_mode = merge_mode
        self.stateful = getattr(layer, 'stateful', False)
        self.return_sequences = getattr(layer, 'return_sequences', False)
        self.return_state = getattr(layer, 'return_state', False)
        self.supports_masking = True
        self.trainable = self._trainable  # propagate to the forward and backward layers

    def _sublayers(self):
        return [self.forward_layer, self.backward_layer]

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)
        for layer in (self.__dict__.get('forward_layer'), self.__dict__.get('backward_layer')):
            if layer is not None:
                layer.trainable = value

    def get_weights(self):
        """Returns the forward layer's weights, then the backward layer's (numpy arrays).

        # Returns
            A list of numpy arrays.
        """
        return self.forward_layer.get_weights() + self.backward_layer.get_weights()

    def set_weights(self, weights):
        """Sets the weights: the first half goes to the forward layer, the second to the backward layer.

        # Arguments
            weights: a list of numpy arrays, in the order of `get_weights()`.

        # Raises
            ValueError: if the number of arrays or a shape does not match.
        """
        expected = len(self.forward_layer.weights) + len(self.backward_layer.weights)
        if len(weights) != expected:
            raise ValueError('You called `set_weights(weights)` on layer "%s" with a weight list of length %d, '
                             'but the layer was expecting %d weights (forward then backward).'
                             % (self.name, len(weights), expected))
        half = len(self.forward_layer.weights)
        self.forward_layer.set_weights(weights[:half])
        self.backward_layer.set_weights(weights[half:])

    def reset_states(self):
        """Resets the states of the forward and backward layers (stateful RNNs)."""
        self.forward_layer.reset_states()
        self.backward_layer.reset_states()

    def __call__(self, inputs, initial_state=None, constants=None, **kwargs):
        if constants is not None:
            raise ValueError('Bidirectional %s: `constants` are not supported.' % self.name)
        if initial_state is not None:
            if isinstance(inputs, (list, tuple)):
                raise ValueError('Bidirectional %s: pass the initial states either in `initial_state` or after '
                                 'the input in a list, not both.' % self.name)
            inputs = [inputs] + to_list(initial_state)
        if isinstance(inputs, (list, tuple)) and len(inputs) > 1 and (len(inputs) - 1) % 2:
            raise ValueError('Bidirectional %s: when passing `initial_state` to a Bidirectional RNN, the state '
                             'should be a list containing the states of the underlying RNNs (forward states '
                             'then backward states, an even number). Found %d state(s).'
                             % (self.name, len(inputs) - 1))
        return super(Bidirectional, self).__call__(inputs, **kwargs)

    @staticmethod
    def _sequence_shape(input_shape):
        if isinstance(input_shape, list) and input_shape and isinstance(input_shape[0], (tuple, list)):
            return tuple(input_shape[0])
        return tuple(input_shape)

    def build(self, input_shape):
        shape = self._sequence_shape(input_shape)
        specs = to_list(self.forward_layer.input_spec) if self.forward_layer.input_spec else None
        if specs:
            assert_input_compatibility(self, specs[:1], [shape])
        _build_inner(self.forward_layer, shape)
        _build_inner(self.backward_layer, shape)
        self.built = True

    def _num_states(self):
        size = getattr(getattr(self.forward_layer, 'cell', None), 'state_size', None)
        if size is not None:
            return len(size) if isinstance(size, (list, tuple)) else 1
        return len(getattr(self.forward_layer, 'states', None) or [])

    def compute_output_shape(self, input_shape):
        output_shape = self.forward_layer.compute_output_shape(self._sequence_shape(input_shape))
        state_shapes = []
        if self.return_state:
            state_shapes = [tuple(s) for s in output_shape[1:]]
            output_shape = output_shape[0]
        output_shape = tuple(output_shape)
        if self.merge_mode == 'concat':
            output_shape = output_shape[:-1] + (None if output_shape[-1] is None else output_shape[-1] * 2,)
        outputs = [output_shape, output_shape] if self.merge_mode is None else [output_shape]
        if self.return_state:
            return outputs + state_shapes + list(state_shapes)
        return outputs if self.merge_mode is None else output_shape

    def call(self, inputs, mask=None, training=None):
        if isinstance(inputs, (list, tuple)):
            inputs, states = inputs[0], list(inputs[1:])
        else:
            states = []
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        kwargs = {}
        if training is not None:
            kwargs['training'] = training
        if mask is not None:
            kwargs['mask'] = mask
        if states:
            half = len(states) // 2
            y = self.forward_layer(inputs, initial_state=states[:half], **kwargs)
            y_rev = self.backward_layer(inputs, initial_state=states[half:], **kwargs)
        else:
            y = self.forward_layer(inputs, **kwargs)
            y_rev = self.backward_layer(inputs, **kwargs)
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = tf.reverse(y_rev, [1])
        if self.merge_mode == 'concat':
            output = tf.concat([y, y_rev], axis=-1)
        elif self.merge_mode == 'sum':
            output = y + y_rev
        elif self.merge_mode == 'ave':
            output = (y + y_rev) / 2
        elif self.merge_mode == 'mul':
            output = y * y_rev
        else:
            output = [y, y_rev]
        if self.return_state:
            return (output if self.merge_mode is None else [output]) + states
        return output

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        if self.return_sequences:
            output_mask = [mask, mask] if self.merge_mode is None else mask
        else:
            output_mask = [None, None] if self.merge_mode is None else None
        if self.return_state:
            return to_list(output_mask) + [None] * (2 * self._num_states())
        return output_mask

    def get_config(self):
        config = super(Bidirectional, self).get_config()
        config['merge_mode'] = self.merge_mode
        return config
