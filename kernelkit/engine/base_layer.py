"""`Layer`: the Keras 2 custom-layer contract on TensorFlow 2.

A layer owns weights (`tf.Variable`s made by `add_weight` in `build`) and a `call` that computes outputs
from inputs. `__call__` is where the two worlds meet:

- on symbolic `KerasTensor`s it builds the layer, works out the output shapes by tracing `call` once in a
  scratch graph, and records a `Node` (this is how the functional API is assembled);
- on real tensors (eager, or inside the model's compiled `tf.function`) it simply runs `call`.

Either way, masks, the `training` flag and activity regularization are handled by one method, `_invoke`.
"""
import contextlib
import functools
import inspect
import re
import threading

import numpy as np
import tensorflow as tf

from kernelkit.backend import config as backend_config
from kernelkit.engine import distribution
from kernelkit.engine.input_spec import InputSpec, assert_input_compatibility
from kernelkit.engine.layer_nodes import NodeAccessors
from kernelkit.backend.symbolic import KerasTensor, Node, Operation, evaluation
from kernelkit.backend.symbolic.templates import substitute
from kernelkit.utils.generic_utils import to_list, unpack_singleton

_BASE_KWARGS = ('input_shape', 'batch_input_shape', 'batch_size', 'dtype', 'name', 'trainable', 'weights')


def to_snake_case(name):
    """Turns a class name into the prefix of its default layer names (`Conv2D` -> `conv2d`).

    # Arguments
        name: a class name.

    # Returns
        The snake-case string.
    """
    spaced = re.sub('(.)([A-Z][a-z0-9]+)', r'\1_\2', name)
    snake = re.sub('([a-z])([A-Z])', r'\1_\2', spaced).lower()
    return snake if not snake.startswith('_') else 'private' + snake


class _CallContext(threading.local):
    """Per-thread state of nested layer calls: how deep we are (the outermost call resets per-call losses)
    and how many frozen containers (`trainable=False` models) enclose the current call."""
    depth = 0
    frozen = 0


_CALL_CONTEXT = _CallContext()


def updates_enabled():
    """Tells a layer whether it may update its state (e.g. moving statistics) during this call.

    In Keras 2 a model with `trainable=False` drops the updates of every layer inside it, so freezing a
    pretrained base also freezes its BatchNormalization statistics.

    # Returns
        `False` inside a call of a frozen model, else `True`.
    """
    return _CALL_CONTEXT.frozen == 0


class Layer(NodeAccessors, Operation):
    """Base class of all layers.

    Subclasses implement `build(input_shape)` (create weights with `add_weight`), `call(inputs, **kwargs)`
    (may accept `training` and `mask`), and, where the output shape or mask differ from the input's,
    `compute_output_shape(input_shape)` and `compute_mask(inputs, mask)`.

    # Arguments
        input_shape: shape tuple without the batch dimension, for the first layer of a model.
        batch_input_shape: shape tuple with the batch dimension.
        batch_size: batch size to pair with `input_shape`.
        dtype: dtype of the weights and of the inputs created from `input_shape` (default: `K.floatx()`).
        name: a unique name; by default the snake-case class name and a counter, e.g. `dense_1`.
        trainable: whether the weights are updated by training.
        weights: initial weight values, set once the layer is built.

    # Raises
        TypeError: for a keyword argument the layer does not understand.
    """

    is_layer = True

    def __init__(self, **kwargs):
        for key in kwargs:
            if key not in _BASE_KWARGS:
                raise TypeError('Keyword argument not understood by `%s`: %r. Accepted arguments are the '
                                'layer\'s own and %s.' % (self.__class__.__name__, key,
                                                           ', '.join(_BASE_KWARGS)))
        self.input_spec = None
        self.supports_masking = False
        self.stateful = False
        self.activity_regularizer = getattr(self, 'activity_regularizer', None)
        self._trainable_weights = []
        self._non_trainable_weights = []
        self._weight_regularizers = []
        self._added_losses = []
        self._symbolic_losses = []
        self._symbolic_updates = []
        self._call_losses = []
        self._adds_call_losses = False
        self._tracked_layers = []
        self._built = False
        self._trainable = kwargs.get('trainable', True)
        name = kwargs.get('name')
        if not name:
            prefix = to_snake_case(self.__class__.__name__)
            name = '%s_%d' % (prefix, backend_config.get_uid(prefix))
        Operation.__init__(self, name)
        self.dtype = tf.as_dtype(kwargs.get('dtype') or backend_config.floatx()).name
        if 'batch_input_shape' in kwargs or 'input_shape' in kwargs:
            if kwargs.get('batch_input_shape') is not None:
                batch_input_shape = tuple(kwargs['batch_input_shape'])
            else:
                batch_input_shape = (kwargs.get('batch_size'),) + tuple(to_list(kwargs['input_shape']))
            if not all(d is None or (isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d >= 0)
                       for d in batch_input_shape):
                raise ValueError('Layer %s: `%s` must hold non-negative integers or None, got %r.'
                                 % (name, 'input_shape' if kwargs.get('batch_input_shape') is None
                                    else 'batch_input_shape', batch_input_shape))
            self.batch_input_shape = batch_input_shape
        self._initial_weights = kwargs.get('weights')

    # ----------------------------------------------------------------------------------------------
    # Attribute tracking: layers held as attributes contribute their weights and losses.

    def __setattr__(self, name, value):
        if not name.startswith('_') and '_tracked_layers' in self.__dict__:
            candidates = value if isinstance(value, (list, tuple)) else [value]
            for candidate in candidates:
                if isinstance(candidate, Layer) and candidate is not self and not any(
                        candidate is t for t in self._tracked_layers):
                    self._tracked_layers.append(candidate)
        object.__setattr__(self, name, value)

    def _sublayers(self):
        """The layers this layer is made of (held as attributes; a `Model` adds its graph's layers)."""
        return list(self._tracked_layers)

    def _flatten_layers(self):
        """This layer and every layer nested in it, each once."""
        seen, order, stack = set(), [], [self]
        while stack:
            layer = stack.pop()
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            order.append(layer)
            stack.extend(reversed(layer._sublayers()))
        return order

    # ----------------------------------------------------------------------------------------------
    # Building and weights.

    @property
    def built(self):
        return self._built

    @built.setter
    def built(self, value):
        self._built = bool(value)

    def build(self, input_shape):
        """Creates the layer's weights. Subclasses override it and call `add_weight`.

        # Arguments
            input_shape: a shape tuple (batch dimension included), or a list of them for several inputs.
        """
        self.built = True

    def add_weight(self, name=None, shape=None, dtype=None, initializer=None, regularizer=None,
                   trainable=True, constraint=None):
        """Creates a weight variable of this layer.

        # Arguments
            name: the weight's name inside the layer, e.g. `'kernel'`.
            shape: the weight's shape (a tuple of non-negative integers).
            dtype: the weight's dtype (default: the layer's dtype when it is a float type, else
                `K.floatx()`: an `Embedding(..., dtype='int32')` takes integer inputs but float weights).
            initializer: an initializer object or name (default `'glorot_uniform'`).
            regularizer: a regularizer object or name, whose penalty joins `layer.losses`.
            trainable: whether training updates this weight.
            constraint: a constraint object or name, applied after every optimizer update.

        # Returns
            The new `tf.Variable`.

        # Raises
            ValueError: if the shape has unknown or negative dimensions.
        """
        from kernelkit import constraints, initializers, regularizers
        try:
            shape = tuple(int(d) for d in shape)
        except (TypeError, ValueError):
            raise ValueError('Layer %s: the shape of weight %r must be fully known, got %s.'
                             % (self.name, name, shape))
        if any(d < 0 for d in shape):
            raise ValueError('Layer %s: the shape of weight %r has a negative dimension: %s.'
                             % (self.name, name, shape))
        if dtype is None:
            dtype = self.dtype if tf.as_dtype(self.dtype).is_floating else backend_config.floatx()
        dtype = tf.as_dtype(dtype)
        initializer = initializers.get(initializer if initializer is not None else 'glorot_uniform')
        regularizer = regularizers.get(regularizer)
        constraint = constraints.get(constraint)
        with tf.init_scope():
            try:
                value = initializer(shape, dtype=dtype)
            except (tf.errors.ResourceExhaustedError, tf.errors.InvalidArgumentError, MemoryError) as error:
                raise ValueError('Layer %s: its weight %r of shape %s cannot be created (%s); check the sizes in '
                                 'its config.' % (self.name, name, tuple(shape), str(error).split('\n')[0][:200]))
            variable = tf.Variable(value, name='%s/%s' % (self.name, name),
                                   dtype=dtype, trainable=trainable, constraint=constraint,
                                   aggregation=distribution.variable_aggregation(trainable, dtype))
        if regularizer is not None:
            self._weight_regularizers.append(lambda: regularizer(variable))
        (self._trainable_weights if trainable else self._non_trainable_weights).append(variable)
        return variable

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        weights = list(self._trainable_weights)
        for layer in self._sublayers():
            weights += layer.trainable_weights
        return _unique(weights)

    @trainable_weights.setter
    def trainable_weights(self, weights):
        self._trainable_weights = list(weights)

    @property
    def non_trainable_weights(self):
        if not self.trainable:
            weights = self._trainable_weights + self._non_trainable_weights
            for layer in self._sublayers():
                weights += layer.weights
            return _unique(weights)
        weights = list(self._non_trainable_weights)
        for layer in self._sublayers():
            weights += layer.non_trainable_weights
        return _unique(weights)

    @non_trainable_weights.setter
    def non_trainable_weights(self, weights):
        self._non_trainable_weights = list(weights)

    @property
    def weights(self):
        return self.trainable_weights + self.non_trainable_weights

    def get_weights(self):
        """Returns the current weight values as a list of numpy arrays (the order of `weights`).

        # Returns
            A list of numpy arrays.
        """
        return [w.numpy() for w in self.weights]

    def set_weights(self, weights):
        """Sets the weight values from numpy arrays, in the order of `get_weights()`.

        Every count and shape is checked before anything is assigned, so a bad list changes nothing.

        # Arguments
            weights: a list of numpy arrays.

        # Raises
            ValueError: if the number of arrays or a shape does not match.
        """
        params = self.weights
        if len(params) != len(weights):
            raise ValueError('You called `set_weights(weights)` on layer "%s" with a weight list of length '
                             '%d, but the layer was expecting %d weights. Provided weights: %s...'
                             % (self.name, len(weights), len(params), str(weights)[:50]))
        values = []
        for param, value in zip(params, weights):
            value = np.asarray(value)
            if tuple(param.shape) != value.shape:
                raise ValueError('Layer %s: weight %s has shape %s, not compatible with the provided '
                                 'weight shape %s.' % (self.name, param.name, tuple(param.shape),
                                                       value.shape))
            values.append(value)
        for param, value in zip(params, values):
            param.assign(value.astype(param.dtype.as_numpy_dtype))

    def count_params(self):
        """Counts the scalars in the layer's weights.

        # Returns
            An integer.

        # Raises
            ValueError: if the layer is not built yet.
        """
        if not self.built:
            raise ValueError('You tried to call `count_params` on %s, but the layer isn\'t built. You can '
                             'build it manually via: `%s.build(batch_input_shape)`.' % (self.name, self.name))
        return int(sum(np.prod(w.shape.as_list(), dtype=np.int64) for w in self.weights))

    # ----------------------------------------------------------------------------------------------
    # Losses and updates.

    def add_loss(self, losses, inputs=None):
        """Adds loss tensors (e.g. activity penalties) that training adds to the total loss.

        Inside `call`, pass tensors: they belong to that call. Outside, pass symbolic expressions of
        the model's tensors (computed from the same forward pass at every training step, as in Keras 2),
        zero-argument callables (computed afresh at every step) or constants.

        # Arguments
            losses: a loss tensor, symbolic expression, callable or number, or a list of them.
            inputs: ignored (Keras 2 used it to tie losses to inputs).
        """
        for loss in to_list(losses):
            if loss is None:
                continue
            if isinstance(loss, KerasTensor) and _CALL_CONTEXT.depth == 0:
                self._symbolic_losses.append(loss)
            elif callable(loss):
                self._added_losses.append(loss)
            elif _CALL_CONTEXT.depth > 0:
                self._call_losses.append(loss)
            else:
                constant = tf.convert_to_tensor(loss, dtype=backend_config.floatx())
                self._added_losses.append(lambda c=constant: c)

    @property
    def losses(self):
        losses = [regularize() for regularize in self._weight_regularizers]
        losses += [loss() for loss in self._added_losses]
        losses += _evaluated(self._symbolic_losses)
        losses += self._call_losses
        for layer in self._sublayers():
            losses += layer.losses
        return losses

    def add_update(self, updates, inputs=None):
        """Adds state updates that every training step applies (after computing the loss).

        Inside `call`, updates such as `K.update` run where they are called, so there is nothing to
        add. Outside, pass what a top-level `K.update`, `K.update_add` or `K.moving_average_update`
        returns, or `(variable, new_value)` pairs, where `new_value` may be a symbolic expression of the
        model's tensors.

        # Arguments
            updates: an update or a list of them.
            inputs: ignored (Keras 2 used it to tie updates to inputs).
        """
        if _CALL_CONTEXT.depth > 0:
            return
        if isinstance(updates, tuple) and len(updates) == 2 and isinstance(updates[0], tf.Variable):
            updates = [updates]
        for update in to_list(updates):
            if isinstance(update, KerasTensor) or (isinstance(update, (list, tuple)) and len(update) == 2
                                                   and isinstance(update[0], tf.Variable)):
                self._symbolic_updates.append(update)

    @property
    def updates(self):
        updates = list(self._symbolic_updates)
        for layer in self._sublayers():
            updates += layer.updates
        return updates

    def get_updates_for(self, inputs):
        """Keras 2's per-input updates; TensorFlow 2 applies updates where they happen, so there are none.

        # Arguments
            inputs: input tensor(s), or `None`.

        # Returns
            An empty list.
        """
        return []

    def get_losses_for(self, inputs):
        """Keras 2's losses tied to `inputs`: with `None`, the unconditional ones (weight penalties and
        losses added as callables); otherwise those recorded by the latest call.

        # Arguments
            inputs: input tensor(s), or `None`.

        # Returns
            A list of scalar tensors.
        """
        if inputs is None:
            losses = [regularize() for regularize in self._weight_regularizers]
            losses += [loss() for loss in self._added_losses]
            for layer in self._sublayers():
                losses += layer.get_losses_for(None)
            return losses
        losses = list(self._call_losses)
        for layer in self._sublayers():
            losses += layer.get_losses_for(inputs)
        return losses

    # ----------------------------------------------------------------------------------------------
    # Calling.

    def call(self, inputs, **kwargs):
        """The layer's computation. The base layer returns its inputs unchanged.

        # Arguments
            inputs: a tensor or a list of tensors.
            **kwargs: `training`, `mask` and layer-specific arguments, when the signature names them.

        # Returns
            A tensor or a list of tensors.
        """
        return inputs

    def compute_mask(self, inputs, mask=None):
        """Computes the output mask from the inputs and the input mask.

        # Arguments
            inputs: a tensor or a list of tensors.
            mask: a mask tensor, a list of them, or `None`.

        # Returns
            The output mask, or `None`.

        # Raises
            TypeError: if a mask arrives at a layer that does not support masking.
        """
        if not self.supports_masking:
            if any(m is not None for m in to_list(mask)):
                raise TypeError('Layer %s does not support masking, but was passed an input_mask: %s'
                                % (self.name, mask))
            return None
        return mask

    def compute_output_shape(self, input_shape):
        """Computes the output shape for an input shape, by tracing `call` when a layer does not say.

        # Arguments
            input_shape: a shape tuple, or a list of them.

        # Returns
            The output shape tuple, or a list of them.
        """
        shapes = input_shape if _is_shape_list(input_shape) else [input_shape]
        symbolic = [KerasTensor(s, self.dtype) for s in shapes]
        if not self.built:
            self._build_once(unpack_singleton([tuple(s) for s in shapes]))
        outputs, _ = self._trace(unpack_singleton(symbolic) if len(symbolic) == 1 else symbolic,
                                 None, None, {})
        shapes_out = [tuple(o.shape.as_list()) for o in tf.nest.flatten(outputs)]
        return unpack_singleton(shapes_out) if not isinstance(outputs, (list, tuple)) else shapes_out

    def __call__(self, inputs, **kwargs):
        """Calls the layer: records a graph node on `KerasTensor`s, computes on real tensors.

        # Arguments
            inputs: a tensor, a `KerasTensor`, a numpy array, or a list of them.
            **kwargs: `training`, `mask` and arguments of the layer's `call`.

        # Returns
            The output tensor(s), of the same kind as the inputs.

        # Raises
            ValueError: if the inputs do not match the layer's `input_spec`.
        """
        flat = tf.nest.flatten(inputs)
        symbolic = [isinstance(x, KerasTensor) for x in flat]
        if any(symbolic) and evaluation.current() is not None:
            # Called inside a running graph (a loss, a layer's call) on tensors of the model: compute
            # on their values.
            context = evaluation.current()
            return self._call_tensors(substitute(inputs, context.resolve), kwargs)
        if any(symbolic):
            if not all(symbolic):
                raise ValueError('Layer %s was called with a mix of symbolic inputs (from `Input`) and '
                                 'other values: %s. All inputs of a layer in a functional model must come '
                                 'from `Input` or other layers.' % (self.name, inputs))
            return self._call_symbolic(inputs, kwargs)
        return self._call_tensors(inputs, kwargs)

    def _call_tensors(self, inputs, kwargs):
        inputs = tf.nest.map_structure(self._to_tensor, inputs)
        mask = kwargs.pop('mask', None)
        if mask is None:
            masks = [getattr(x, '_keras_mask', None) for x in to_list(inputs)]
            mask = None if all(m is None for m in masks) else unpack_singleton(masks)
        training = kwargs.pop('training', None)
        shapes = [tuple(x.shape.as_list()) if x.shape.rank is not None else None for x in to_list(inputs)]
        assert_input_compatibility(self, to_list(self.input_spec) if self.input_spec else None, shapes)
        if not self.built:
            self._build_once(unpack_singleton(shapes))
            assert_input_compatibility(self, to_list(self.input_spec) if self.input_spec else None, shapes)
        outputs, output_mask = self._invoke(inputs, mask, training, kwargs)
        if output_mask is not None:
            for tensor, m in zip(to_list(outputs), to_list(output_mask)):
                try:
                    tensor._keras_mask = m
                except AttributeError:
                    pass
        return outputs

    def _to_tensor(self, value):
        if isinstance(value, (tf.Tensor, tf.Variable, tf.SparseTensor, tf.RaggedTensor)):
            return value
        array = np.asarray(value)
        if array.dtype.kind == 'f':
            return tf.convert_to_tensor(array, dtype=self.dtype)
        return tf.convert_to_tensor(array)

    def _build_once(self, input_shape):
        self.build(input_shape)
        self.built = True
        if self._initial_weights is not None:
            weights, self._initial_weights = self._initial_weights, None
            self.set_weights(weights)

    def _invoke(self, inputs, mask, training, kwargs):
        """Runs `call` with the arguments its signature accepts; returns `(outputs, output_mask)`."""
        arguments = dict(kwargs)
        accepts = _call_signature(type(self))
        if mask is not None and accepts.mask:
            arguments['mask'] = mask
        if training is not None and accepts.training:
            arguments['training'] = training
        with self._call_bookkeeping():
            with evaluation.layer_call_scope():
                if training is None:
                    outputs = self.call(inputs, **arguments)
                else:
                    with backend_config.learning_phase_scope(1 if training else 0):
                        outputs = self.call(inputs, **arguments)
            if self.activity_regularizer is not None:
                for output in to_list(outputs):
                    self._call_losses.append(self.activity_regularizer(output))
            output_mask = self.compute_mask(inputs, mask)
        return outputs, output_mask

    @contextlib.contextmanager
    def _call_bookkeeping(self, freezes=False):
        """Around one call of this layer (or model): the outermost call resets the per-call losses of
        every layer inside; a call with `freezes` (a model with `trainable=False`) turns off the
        updates of the layers inside it (see `updates_enabled`)."""
        if _CALL_CONTEXT.depth == 0:
            for layer in self._flatten_layers():
                layer._call_losses = []
        frozen = 1 if freezes else 0
        _CALL_CONTEXT.depth += 1
        _CALL_CONTEXT.frozen += frozen
        try:
            yield
        finally:
            _CALL_CONTEXT.depth -= 1
            _CALL_CONTEXT.frozen -= frozen

    def _run_node(self, node, inputs, masks, evaluation_):
        """Computes one recorded call of this layer on real values (for the graph runner)."""
        xs = unpack_singleton(list(inputs))
        mask = None if all(m is None for m in masks) else unpack_singleton(list(masks))
        kwargs = dict(node.call_kwargs)
        training = kwargs.pop('training', evaluation_.training)
        outputs, output_mask = self._invoke(xs, mask, training, kwargs)
        outputs = to_list(outputs)
        output_masks = to_list(output_mask) if output_mask is not None else [None] * len(outputs)
        return outputs, output_masks

    def _call_symbolic(self, inputs, kwargs):
        input_list = to_list(inputs)
        mask = kwargs.pop('mask', None)
        masks = [x._keras_mask for x in input_list]
        training = kwargs.pop('training', None)
        shapes = [x._keras_shape for x in input_list]
        specs = to_list(self.input_spec) if self.input_spec else None
        assert_input_compatibility(self, specs, shapes)
        if not self.built:
            self._build_once(unpack_singleton(shapes))
            specs = to_list(self.input_spec) if self.input_spec else None
            assert_input_compatibility(self, specs, shapes)
        if mask is None and any(m is not None for m in masks):
            mask = unpack_singleton(masks)
        outputs, output_masks = self._trace(inputs, mask, training, kwargs)
        flat_outputs = tf.nest.flatten(outputs)
        flat_masks = [None] * len(flat_outputs) if output_masks is None else to_list(output_masks)
        declared = self._declared_output_shapes(shapes, len(flat_outputs))
        symbolic_outputs = []
        for index, (out, out_mask) in enumerate(zip(flat_outputs, flat_masks)):
            shape = out.shape
            if declared is not None and shape.is_compatible_with(declared[index]):
                shape = shape.merge_with(declared[index])
            tensor = KerasTensor(shape, out.dtype, name='%s/output_%d' % (self.name, index))
            if out_mask is not None:
                tensor._keras_mask = KerasTensor(out_mask.shape, out_mask.dtype,
                                                 name='%s/mask_%d' % (self.name, index))
            symbolic_outputs.append(tensor)
        call_kwargs = dict(kwargs)
        if training is not None:
            call_kwargs['training'] = training
        Node(self, input_list, symbolic_outputs, call_kwargs)
        if isinstance(outputs, (list, tuple)):
            return list(symbolic_outputs)
        return symbolic_outputs[0]

    def _declared_output_shapes(self, input_shapes, count):
        """The output shapes a layer's own `compute_output_shape` declares, when it has one.

        Tracing gives the shapes TensorFlow can prove; a layer (a `Lambda` with `output_shape`, say) may
        know more, and Keras 2 trusted what it declared. Returns `None` when the layer does not declare.
        """
        if type(self).compute_output_shape is Layer.compute_output_shape:
            return None
        try:
            declared = self.compute_output_shape(unpack_singleton(list(input_shapes)))
        except Exception:  # a layer that cannot say for these shapes: the traced shapes stand
            return None
        declared = declared if _is_shape_list(declared) else [declared]
        if len(declared) != count:
            return None
        try:
            return [tf.TensorShape(s) for s in declared]
        except (TypeError, ValueError):
            return None

    def _trace(self, inputs, mask, training, kwargs):
        """Works out outputs and masks of `call` on symbolic inputs by tracing it in a scratch graph.

        Nothing computed here survives: the graph is thrown away, and per-call losses recorded while
        tracing are restored to what they were.
        """
        flat_inputs = tf.nest.flatten(inputs)
        flat_masks = tf.nest.flatten(mask) if mask is not None else []
        mask_present = [m is not None for m in flat_masks]
        specs = [tf.TensorSpec(x.shape, x.dtype) for x in flat_inputs]
        specs += [tf.TensorSpec(m.shape, m.dtype) for m in flat_masks if m is not None]
        saved_losses = [(layer, layer._call_losses) for layer in self._flatten_layers()]

        def traced(*tensors):
            xs = tf.nest.pack_sequence_as(inputs, list(tensors[:len(flat_inputs)]))
            ms = None
            if mask is not None:
                rest = iter(tensors[len(flat_inputs):])
                ms = tf.nest.pack_sequence_as(mask, [next(rest) if present else None
                                                     for present in mask_present])
            with evaluation.TraceScope():
                outputs, output_mask = self._invoke(xs, ms, training, kwargs)
            return outputs, output_mask

        try:
            concrete = tf.function(functools.partial(traced), autograph=False).get_concrete_function(*specs)
        finally:
            for layer, losses in saved_losses:
                if len(layer._call_losses) > len(losses):
                    layer._adds_call_losses = True  # so `compile(loss=None)` knows there is a loss
                layer._call_losses = losses
        outputs, output_mask = concrete.structured_outputs
        return outputs, output_mask

    # ----------------------------------------------------------------------------------------------
    # Configuration.

    def get_config(self):
        """Returns the layer's constructor arguments as a JSON-friendly dictionary.

        # Returns
            A dictionary with `name`, `trainable` and, when the layer was given an input shape,
            `batch_input_shape` and `dtype`; subclasses add their own arguments.
        """
        config = {'name': self.name, 'trainable': self.trainable}
        if hasattr(self, 'batch_input_shape'):
            config['batch_input_shape'] = self.batch_input_shape
            config['dtype'] = self.dtype
        return config

    @classmethod
    def from_config(cls, config):
        """Creates a layer from the dictionary `get_config` returned.

        # Arguments
            config: the dictionary.

        # Returns
            A new layer.
        """
        return cls(**config)

    def __repr__(self):
        return '<%s name=%s, built=%s>' % (self.__class__.__name__, self.name, self.built)


class _Accepts:
    __slots__ = ('mask', 'training')

    def __init__(self, mask, training):
        self.mask = mask
        self.training = training


_SIGNATURES = {}


def _call_signature(cls):
    """Which of `mask` and `training` a layer class's `call` accepts (cached per class)."""
    accepts = _SIGNATURES.get(cls)
    if accepts is None:
        parameters = inspect.signature(cls.call).parameters
        var_kw = any(p.kind == p.VAR_KEYWORD for p in parameters.values())
        accepts = _Accepts('mask' in parameters, 'training' in parameters or
                           (var_kw and cls.call is not Layer.call and _forwards_training(cls)))
        _SIGNATURES[cls] = accepts
    return accepts


def _forwards_training(cls):
    """A `call(self, inputs, **kwargs)` is given `training` only when the class is a container."""
    from kernelkit.engine.network import Network
    return issubclass(cls, Network)


def _evaluated(tensors):
    """Symbolic losses: their values while a graph runs (a training step), else the tensors."""
    if not tensors or evaluation.current() is None:
        return list(tensors)
    return [evaluation.current().resolve(t) for t in tensors]


def _unique(variables):
    seen, result = set(), []
    for v in variables:
        if id(v) not in seen:
            seen.add(id(v))
            result.append(v)
    return result


def _is_shape_list(shape):
    return isinstance(shape, list) and bool(shape) and all(
        isinstance(s, (tuple, list, tf.TensorShape)) or s is None for s in shape)


# Keras 2.2.4's private helpers of `keras.engine.base_layer`, which custom layers of that era import.
_to_snake_case = to_snake_case


def _collect_previous_mask(input_tensors):
    """The masks the given layer outputs carry (Keras 2.2.4's helper).

    # Arguments
        input_tensors: a tensor or a list of tensors.

    # Returns
        A mask (or `None`) per tensor: one value for one tensor, else a list.
    """
    masks = [getattr(x, '_keras_mask', None) for x in to_list(input_tensors)]
    return unpack_singleton(masks)


def _collect_input_shape(input_tensors):
    """The static shapes of the given tensors (Keras 2.2.4's helper).

    # Arguments
        input_tensors: a tensor or a list of tensors.

    # Returns
        A shape tuple (or `None` where unknown) per tensor: one value for one tensor, else a list.
    """
    shapes = []
    for x in to_list(input_tensors):
        shape = getattr(x, 'shape', None)
        shapes.append(None if shape is None or shape.rank is None else tuple(shape.as_list()))
    return unpack_singleton(shapes)


__all__ = ['Layer', 'InputSpec', 'to_snake_case']
