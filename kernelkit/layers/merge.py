"""Merge layers: combine a list of tensors into one (Add, Subtract, Multiply, Average, Maximum, Minimum,
Concatenate, Dot), and their functional forms (`add`, `concatenate`, ...)."""
import functools

import tensorflow as tf

from kernelkit import backend as K
from kernelkit.engine.base_layer import Layer


def _describe(shapes):
    return ', '.join(str(tuple(s)) if s is not None else 'None' for s in shapes)


class _Merge(Layer):
    """Base class of the element-wise merge layers.

    Inputs of different ranks are broadcast as in Keras 2: the lower-rank inputs get new axes right
    after the batch axis, so their trailing dimensions line up (e.g. `(batch, 3)` with `(batch, 4, 3)`).
    Dimensions of size 1 broadcast. The output mask is the logical AND of the input masks.

    # Arguments
        **kwargs: standard layer keyword arguments.
    """

    _min_inputs = 2

    def __init__(self, **kwargs):
        super(_Merge, self).__init__(**kwargs)
        self.supports_masking = True
        self._reshape_required = False

    def _merge_function(self, inputs):
        raise NotImplementedError

    def _check_input_list(self, input_shape):
        if not isinstance(input_shape, list) or not input_shape or not all(
                s is None or isinstance(s, (tuple, list, tf.TensorShape)) for s in input_shape):
            raise ValueError('A merge layer (%s: %s) should be called on a list of at least %d inputs, got a '
                             'single input of shape %s.' % (self.__class__.__name__, self.name, self._min_inputs,
                                                           input_shape))
        if len(input_shape) < self._min_inputs:
            raise ValueError('A merge layer (%s: %s) should be called on a list of at least %d inputs. Got %d '
                             'input(s) of shape(s): %s.' % (self.__class__.__name__, self.name, self._min_inputs,
                                                           len(input_shape), _describe(input_shape)))

    def _elementwise_shape(self, shape1, shape2, all_shapes):
        """The broadcast of two shapes (without the batch axis), aligned on their trailing dimensions."""
        if shape1 is None or shape2 is None:
            return None
        if len(shape1) < len(shape2):
            shape1, shape2 = shape2, shape1
        if not shape2:
            return tuple(shape1)
        output = list(shape1[:len(shape1) - len(shape2)])
        for i, j in zip(shape1[len(shape1) - len(shape2):], shape2):
            if i is None or j is None:
                output.append(None)
            elif i == 1:
                output.append(j)
            elif j == 1 or i == j:
                output.append(i)
            else:
                raise ValueError('%s layer %s: operands could not be broadcast together; got inputs of shapes: '
                                 '%s.' % (self.__class__.__name__, self.name, _describe(all_shapes)))
        return tuple(output)

    def _output_shape(self, input_shape):
        self._check_input_list(input_shape)
        output = None if input_shape[0] is None else tuple(input_shape[0][1:])
        for shape in input_shape[1:]:
            output = self._elementwise_shape(output, None if shape is None else tuple(shape[1:]), input_shape)
        batch_sizes = set(s[0] for s in input_shape if s is not None) - {None}
        if len(batch_sizes) > 1:
            raise ValueError('%s layer %s: can not merge tensors with different batch sizes. Got tensors with '
                             'shapes: %s.' % (self.__class__.__name__, self.name, _describe(input_shape)))
        if output is None:
            return None
        return (batch_sizes.pop() if batch_sizes else None,) + output

    def build(self, input_shape):
        self._output_shape(input_shape)
        ranks = set(len(s) for s in input_shape if s is not None)
        self._reshape_required = None in input_shape or len(ranks) > 1
        self.built = True

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError('A merge layer (%s: %s) should be called on a list of inputs.'
                             % (self.__class__.__name__, self.name))
        inputs = list(inputs)
        if self._reshape_required:
            max_rank = max(x.shape.rank for x in inputs)
            expanded = []
            for x in inputs:
                for _ in range(max_rank - x.shape.rank):
                    x = tf.expand_dims(x, 1)
                expanded.append(x)
            inputs = expanded
        return self._merge_function(inputs)

    def compute_output_shape(self, input_shape):
        return self._output_shape(input_shape)

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        if not isinstance(mask, (list, tuple)):
            raise ValueError('%s layer %s: `mask` should be a list.' % (self.__class__.__name__, self.name))
        if not isinstance(inputs, (list, tuple)):
            raise ValueError('%s layer %s: `inputs` should be a list.' % (self.__class__.__name__, self.name))
        if len(mask) != len(inputs):
            raise ValueError('%s layer %s: the lists `inputs` and `mask` should have the same length.'
                             % (self.__class__.__name__, self.name))
        masks = [tf.cast(m, 'bool') for m in mask if m is not None]
        if not masks:
            return None
        return functools.reduce(tf.logical_and, masks)


class Add(_Merge):
    """Adds a list of inputs, all of the same shape (or broadcastable, see `_Merge`), element-wise.

    # Example
    ```python
    x1 = Dense(8)(Input(shape=(16,)))
    x2 = Dense(8)(Input(shape=(32,)))
    added = Add()([x1, x2])  # equivalent to added = add([x1, x2])
    ```
    """

    def _merge_function(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = output + x
        return output


class Subtract(_Merge):
    """Subtracts two inputs: `inputs[0] - inputs[1]`, both of the same shape.

    # Example
    ```python
    subtracted = Subtract()([x1, x2])  # equivalent to subtract([x1, x2])
    ```

    # Raises
        ValueError: if called on anything but exactly two inputs.
    """

    def build(self, input_shape):
        self._check_input_list(input_shape)
        if len(input_shape) != 2:
            raise ValueError('A `Subtract` layer (%s) should be called on exactly 2 inputs; got %d inputs of '
                             'shapes: %s.' % (self.name, len(input_shape), _describe(input_shape)))
        super(Subtract, self).build(input_shape)

    def _merge_function(self, inputs):
        if len(inputs) != 2:
            raise ValueError('A `Subtract` layer (%s) should be called on exactly 2 inputs, got %d.'
                             % (self.name, len(inputs)))
        return inputs[0] - inputs[1]


class Multiply(_Merge):
    """Multiplies a list of inputs, all of the same shape, element-wise."""

    def _merge_function(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = output * x
        return output


class Average(_Merge):
    """Averages a list of inputs, all of the same shape, element-wise."""

    def _merge_function(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = output + x
        return output / len(inputs)


class Maximum(_Merge):
    """Computes the element-wise maximum of a list of inputs, all of the same shape."""

    def _merge_function(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = tf.maximum(output, x)
        return output


class Minimum(_Merge):
    """Computes the element-wise minimum of a list of inputs, all of the same shape."""

    def _merge_function(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = tf.minimum(output, x)
        return output


class Concatenate(_Merge):
    """Concatenates a list of inputs along an axis. All inputs have the same shape except along that axis.

    The output mask concatenates the input masks (an unmasked input counts as all `True`).

    # Arguments
        axis: the concatenation axis.
        **kwargs: standard layer keyword arguments.

    # Raises
        ValueError: if the shapes differ elsewhere than along `axis`.
    """

    def __init__(self, axis=-1, **kwargs):
        super(Concatenate, self).__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise ValueError('Concatenate %s: `axis` must be an integer, got %r.' % (self.name, axis))
        self.axis = axis

    def _output_shape(self, input_shape):
        self._check_input_list(input_shape)
        if any(s is None for s in input_shape):
            return None
        ranks = set(len(s) for s in input_shape)
        if len(ranks) > 1:
            raise ValueError('A `Concatenate` layer (%s) requires inputs with matching shapes except for the '
                             'concat axis. Got inputs shapes: %s.' % (self.name, _describe(input_shape)))
        rank = ranks.pop()
        if not -rank <= self.axis < rank:
            raise ValueError('Concatenate %s: axis %d is out of range for inputs of rank %d (shapes: %s).'
                             % (self.name, self.axis, rank, _describe(input_shape)))
        axis = self.axis % rank
        output = list(input_shape[0])
        for shape in input_shape[1:]:
            for index, (a, b) in enumerate(zip(output, shape)):
                if index == axis:
                    output[index] = None if a is None or b is None else a + b
                elif a is not None and b is not None and a != b:
                    raise ValueError('A `Concatenate` layer (%s) requires inputs with matching shapes except '
                                     'for the concat axis. Got inputs shapes: %s.'
                                     % (self.name, _describe(input_shape)))
                elif a is None:
                    output[index] = b
        return tuple(output)

    def build(self, input_shape):
        self._output_shape(input_shape)
        self.built = True

    def call(self, inputs):
        return tf.concat(list(inputs), axis=self.axis)

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        if not isinstance(mask, (list, tuple)) or not isinstance(inputs, (list, tuple)) or \
                len(mask) != len(inputs):
            raise ValueError('Concatenate %s: `mask` and `inputs` should be lists of the same length.'
                             % self.name)
        if all(m is None for m in mask):
            return None
        masks = []
        for x, m in zip(inputs, mask):
            if m is None:
                masks.append(tf.ones_like(x, dtype='bool'))
            elif m.shape.rank < x.shape.rank:
                masks.append(tf.expand_dims(tf.cast(m, 'bool'), -1))
            else:
                masks.append(tf.cast(m, 'bool'))
        masks = [tf.broadcast_to(m, tf.shape(x)) for x, m in zip(inputs, masks)]
        return tf.reduce_all(tf.concat(masks, axis=self.axis), axis=-1)

    def get_config(self):
        config = super(Concatenate, self).get_config()
        config['axis'] = self.axis
        return config


class Dot(_Merge):
    """Computes the dot product between samples of two tensors.

    For two tensors `a` and `b` of shapes `(batch, n)`, the output has shape `(batch, 1)`, entry `i`
    being `dot(a[i], b[i])`.

    # Arguments
        axes: integer or pair of integers, the axis (or the axis of each input) along which to take the
            dot product.
        normalize: whether to L2-normalize the samples along the dot product axis first; the output is
            then the cosine proximity.
        **kwargs: standard layer keyword arguments.

    # Raises
        TypeError: if `axes` is neither an int nor a list/tuple.
        ValueError: for a malformed `axes`, or inputs whose sizes along the axes differ.
    """

    def __init__(self, axes, normalize=False, **kwargs):
        super(Dot, self).__init__(**kwargs)
        if not isinstance(axes, int) or isinstance(axes, bool):
            if not isinstance(axes, (list, tuple)):
                raise TypeError('Dot %s: invalid type for `axes` - should be a list or an int, got %r.'
                                % (self.name, axes))
            if len(axes) != 2:
                raise ValueError('Dot %s: invalid format for `axes` - should contain two elements, got %r.'
                                 % (self.name, axes))
            if not all(isinstance(a, int) and not isinstance(a, bool) for a in axes):
                raise ValueError('Dot %s: invalid format for `axes` - list elements should be "int", got %r.'
                                 % (self.name, axes))
        self.axes = axes
        self.normalize = normalize

    def _axes(self, ranks):
        if isinstance(self.axes, int):
            axes = [self.axes] * 2
        else:
            axes = list(self.axes)
        return [a % rank if a < 0 else a for a, rank in zip(axes, ranks)]

    def _output_shape(self, input_shape):
        self._check_input_list(input_shape)
        if len(input_shape) != 2:
            raise ValueError('A `Dot` layer (%s) should be called on a list of 2 inputs; got %d inputs of '
                             'shapes: %s.' % (self.name, len(input_shape), _describe(input_shape)))
        shape1, shape2 = input_shape
        if shape1 is None or shape2 is None:
            return None
        shape1, shape2 = list(shape1), list(shape2)
        axes = self._axes([len(shape1), len(shape2)])
        if not (0 < axes[0] < len(shape1) and 0 < axes[1] < len(shape2)):
            raise ValueError('Dot %s: `axes` %r are invalid for inputs of shapes %s: they must not be the batch '
                             'axis and must lie within each input.' % (self.name, self.axes,
                                                                      _describe(input_shape)))
        if shape1[axes[0]] is not None and shape2[axes[1]] is not None and shape1[axes[0]] != shape2[axes[1]]:
            raise ValueError('Dot %s: dimension incompatibility %s != %s. Layer shapes: %s.'
                             % (self.name, shape1[axes[0]], shape2[axes[1]], _describe(input_shape)))
        shape1.pop(axes[0])
        shape2.pop(axes[1])
        shape2.pop(0)
        output = shape1 + shape2
        if len(output) == 1:
            output.append(1)
        return tuple(output)

    def build(self, input_shape):
        self._output_shape(input_shape)
        self.built = True

    def call(self, inputs):
        x1, x2 = inputs
        axes = self._axes([x1.shape.rank, x2.shape.rank])
        if self.normalize:
            x1 = tf.nn.l2_normalize(x1, axis=axes[0])
            x2 = tf.nn.l2_normalize(x2, axis=axes[1])
        return K.batch_dot(x1, x2, axes)

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self):
        config = super(Dot, self).get_config()
        config.update({'axes': self.axes, 'normalize': self.normalize})
        return config


def add(inputs, **kwargs):
    """Functional interface to the `Add` layer.

    # Arguments
        inputs: a list of input tensors (at least 2).
        **kwargs: standard layer keyword arguments.

    # Returns
        A tensor, the sum of the inputs.
    """
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    """Functional interface to the `Subtract` layer.

    # Arguments
        inputs: a list of exactly 2 input tensors.
        **kwargs: standard layer keyword arguments.

    # Returns
        A tensor, the difference of the inputs.
    """
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """Functional interface to the `Multiply` layer.

    # Arguments
        inputs: a list of input tensors (at least 2).
        **kwargs: standard layer keyword arguments.

    # Returns
        A tensor, the element-wise product of the inputs.
    """
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """Functional interface to the `Average` layer.

    # Arguments
        inputs: a list of input tensors (at least 2).
        **kwargs: standard layer keyword arguments.

    # Returns
        A tensor, the average of the inputs.
    """
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    """Functional interface to the `Maximum` layer.

    # Arguments
        inputs: a list of input tensors (at least 2).
        **kwargs: standard layer keyword arguments.

    # Returns
        A tensor, the element-wise maximum of the inputs.
    """
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """Functional interface to the `Minimum` layer.

    # Arguments
        inputs: a list of input tensors (at least 2).
        **kwargs: standard layer keyword arguments.

    # Returns
        A tensor, the element-wise minimum of the inputs.
    """
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    """Functional interface to the `Concatenate` layer.

    # Arguments
        inputs: a list of input tensors (at least 2).
        axis: the concatenation axis.
        **kwargs: standard layer keyword arguments.

    # Returns
        A tensor, the concatenation of the inputs along `axis`.
    """
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes, normalize=False, **kwargs):
    """Functional interface to the `Dot` layer.

    # Arguments
        inputs: a list of 2 input tensors.
        axes: integer or pair of integers, the axes along which to take the dot product.
        normalize: whether to L2-normalize the samples along the dot product axis first.
        **kwargs: standard layer keyword arguments.

    # Returns
        A tensor, the dot product of the samples of the inputs.
    """
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
