"""Embedding layer: turns positive integer indices into dense vectors."""
import tensorflow as tf

from kernelkit import constraints, initializers, regularizers
from kernelkit.engine.base_layer import Layer
from kernelkit.layers.core import _positive_int


class Embedding(Layer):
    """Turns positive integers (indexes) into dense vectors of fixed size, e.g. `[[4], [20]]` ->
    `[[0.25, 0.1], [0.6, -0.2]]`. It can only be used as the first layer of a model, or after layers
    producing integer-valued tensors.

    # Example
    ```python
    model = Sequential()
    model.add(Embedding(1000, 64, input_length=10))
    # input: an integer matrix of shape (batch, 10), largest index at most 999.
    # model.output_shape == (None, 10, 64)
    ```

    # Arguments
        input_dim: positive integer, size of the vocabulary (largest index + 1).
        output_dim: positive integer, dimension of the dense embedding.
        embeddings_initializer: initializer of the `embeddings` matrix.
        embeddings_regularizer: regularizer of the `embeddings` matrix.
        activity_regularizer: regularizer of the output.
        embeddings_constraint: constraint applied to the `embeddings` matrix.
        mask_zero: whether the index 0 is a padding value that should be masked out (mask `inputs != 0`).
            Useful with recurrent layers taking variable-length input. When `True`, index 0 cannot be used
            in the vocabulary (so `input_dim` should be the vocabulary size + 1).
        input_length: length of the input sequences when it is constant (a tuple for inputs of rank > 2).
            Required to connect `Flatten` then `Dense` layers downstream.

    # Input shape
        2D tensor `(batch_size, sequence_length)` of indexes (integers; floats are cast to int32).

    # Output shape
        3D tensor `(batch_size, sequence_length, output_dim)`.

    # Raises
        ValueError: if `input_dim` or `output_dim` is not a positive integer, or the input shape does not
            match `input_length`.
    """

    def __init__(self, input_dim, output_dim, embeddings_initializer='uniform', embeddings_regularizer=None,
                 activity_regularizer=None, embeddings_constraint=None, mask_zero=False, input_length=None,
                 **kwargs):
        if 'input_shape' not in kwargs and 'batch_input_shape' not in kwargs:
            if input_length:
                kwargs['input_shape'] = tuple(input_length) if isinstance(input_length, (list, tuple)) \
                    else (input_length,)
            else:
                kwargs['input_shape'] = (None,)
        super(Embedding, self).__init__(**kwargs)
        self.input_dim = _positive_int(self.name, 'input_dim', input_dim)
        self.output_dim = _positive_int(self.name, 'output_dim', output_dim)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self.input_length = input_length

    def build(self, input_shape):
        self._check_input_length(input_shape)
        self.embeddings = self.add_weight(name='embeddings', shape=(self.input_dim, self.output_dim),
                                          initializer=self.embeddings_initializer,
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint)
        self.built = True

    def _check_input_length(self, input_shape):
        """Returns the sequence dimensions, filling unknown ones from `input_length`."""
        if self.input_length is None:
            return tuple(input_shape[1:])
        lengths = list(self.input_length) if isinstance(self.input_length, (list, tuple)) \
            else [self.input_length]
        if len(lengths) != len(input_shape) - 1:
            raise ValueError('Embedding %s: "input_length" is %s, but received input has shape %s.'
                             % (self.name, self.input_length, tuple(input_shape)))
        for index, (expected, actual) in enumerate(zip(lengths, input_shape[1:])):
            if expected is not None and actual is not None and expected != actual:
                raise ValueError('Embedding %s: "input_length" is %s, but received input has shape %s.'
                                 % (self.name, self.input_length, tuple(input_shape)))
            if expected is None:
                lengths[index] = actual
        return tuple(lengths)

    def call(self, inputs):
        if inputs.dtype not in (tf.int32, tf.int64):
            inputs = tf.cast(inputs, 'int32')
        return tf.gather(self.embeddings, inputs)

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return tf.not_equal(inputs, tf.zeros((), dtype=inputs.dtype))

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + self._check_input_length(input_shape) + (self.output_dim,)

    def get_config(self):
        config = {
            'input_dim': self.input_dim,
            'output_dim': self.output_dim,
            'embeddings_initializer': initializers.serialize(self.embeddings_initializer),
            'embeddings_regularizer': regularizers.serialize(self.embeddings_regularizer),
            'activity_regularizer': regularizers.serialize(self.activity_regularizer),
            'embeddings_constraint': constraints.serialize(self.embeddings_constraint),
            'mask_zero': self.mask_zero,
            'input_length': self.input_length,
        }
        base = super(Embedding, self).get_config()
        return dict(list(base.items()) + list(config.items()))
