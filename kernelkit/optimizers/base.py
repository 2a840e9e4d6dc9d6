"""The optimizer base class: hyper-parameters in variables, per-weight slots, clipping, saving.

An optimizer keeps its hyper-parameters (`lr`, `decay`, ...) in `tf.Variable`s created by the
constructor, so `opt.lr = 0.01` changes the rate of a compiled `tf.function` training step without
retracing it. Per-weight state ("slots") is created by `build(params)`, eagerly and before training;
`apply_gradients(grads, params)` then only reads and assigns variables, which makes it safe inside
`tf.function` (and distribution strategies). The update rules themselves are in `rules.py`.
"""
import os

import numpy as np
import tensorflow as tf

# The element-wise update rules read and write every weight and slot several times when TensorFlow runs
# them op by op; compiled by XLA into one pass per weight they take about half the time (on CPU, the
# optimizer update of mnist_mlp went from 2.1 to 0.8 ms; see the README's Performance section). The
# compilation costs about 0.1 s once per compiled step, which only pays off for weights with many
# elements: smaller models (under FUSED_UPDATES_MIN_SIZE elements in all) keep the op-by-op update.
# Set `KERNELKIT_FUSED_UPDATES=0` (or this flag to False) to run them op by op. Same numbers either way.
FUSED_UPDATES = os.environ.get('KERNELKIT_FUSED_UPDATES', '1') != '0'
FUSED_UPDATES_MIN_SIZE = 100000


def _check_number(name, value):
    """Returns `value` as a float, raising a clear error unless it is a non-negative number."""
    if isinstance(value, (str, bytes, bool)) or value is None:
        raise TypeError('Optimizer argument `%s` must be a number, received %r.' % (name, value))
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise TypeError('Optimizer argument `%s` must be a number, received %r.' % (name, value))
    if not number >= 0:
        raise ValueError('Optimizer argument `%s` must be >= 0, received %r.' % (name, value))
    return number


def _pop_lr(lr, kwargs, default):
    """Merges `lr` with its alias `learning_rate` (taken out of `kwargs`); returns the rate to use."""
    if 'learning_rate' in kwargs:
        learning_rate = kwargs.pop('learning_rate')
        if lr is not None:
            raise TypeError('Pass the learning rate as `lr` or as `learning_rate`, not both '
                            '(received lr=%r, learning_rate=%r).' % (lr, learning_rate))
        lr = learning_rate
    return default if lr is None else lr


class _HyperParameter(object):
    """Class attribute giving access to a hyper-parameter variable.

    Reading returns the `tf.Variable`; assigning (`opt.lr = 0.01`) assigns into that variable, so
    compiled training steps see the new value.
    """

    def __init__(self, name):
        self.name = name

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        try:
            return obj.__dict__['_hyper'][self.name]
        except KeyError:
            raise AttributeError('%s has no hyper-parameter `%s`.'
                                 % (type(obj).__name__, self.name))

    def __set__(self, obj, value):
        hyper = obj.__dict__.setdefault('_hyper', {})
        if self.name not in hyper:  # first assignment (e.g. in a custom subclass's __init__)
            if isinstance(value, tf.Variable):
                hyper[self.name] = value
            else:
                obj._add_hyper(self.name, value)
            return
        variable = hyper[self.name]
        if not isinstance(value, (tf.Tensor, tf.Variable)):
            value = _check_number(self.name, value)
        variable.assign(tf.cast(value, variable.dtype))


class Optimizer(object):
    """Abstract optimizer base class.

    Subclasses declare `_slot_names` (per-weight state, in the order they appear in `weights`) and
    implement `_prepare` (values shared by all weights for one step) and `_update` (the rule for one
    weight).

    # Arguments
        clipnorm: float >= 0. Gradients are rescaled so that their *global* L2 norm (over all
            gradients) is at most this value.
        clipvalue: float >= 0. Each gradient element is clipped to `[-clipvalue, clipvalue]`.

    # Raises
        TypeError: for any other keyword argument.
    """

    _slot_names = ()
    _saves_iterations = True
    lr = _HyperParameter('lr')
    learning_rate = _HyperParameter('lr')

    def __init__(self, **kwargs):
        allowed = ('clipnorm', 'clipvalue')
        for key in kwargs:
            if key not in allowed:
                raise TypeError('Unexpected keyword argument passed to optimizer %s: %r. Allowed '
                                'keyword arguments: %s.' % (self.__class__.__name__, key,
                                                            ', '.join(allowed + ('learning_rate',))))
        for key, value in kwargs.items():
            setattr(self, key, _check_number(key, value))
        self.updates = []
        self.__dict__.setdefault('_hyper', {})
        self._slots = {}
        self._params = []
        self._built = False
        self._fused_assign_updates = None
        self.iterations = self._make_variable('iterations', 0, tf.int64)

    def _make_variable(self, name, value, dtype=tf.float32):
        """Creates one optimizer-owned, non-trainable variable."""
        with tf.name_scope(self.__class__.__name__):
            return tf.Variable(value, dtype=dtype, name=name, trainable=False,
                               aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA)

    def _add_hyper(self, name, value):
        """Creates the float32 variable holding hyper-parameter `name` (after validating `value`)."""
        self._hyper[name] = self._make_variable(name, _check_number(name, value))

    def _create_slots(self, param, index):
        """Returns `{slot_name: variable}` for one weight; by default zeros shaped like the weight."""
        return {name: self._make_variable('%s_%d' % (name, index), tf.zeros(param.shape, param.dtype),
                                          param.dtype)
                for name in self._slot_names}

    def build(self, params):
        """Creates the per-weight state (slots) for `params`. Call it eagerly, before training.

        Calling it again with weights it already knows does nothing; new weights get new slots.

        # Arguments
            params: list of `tf.Variable`s that will be trained.

        # Raises
            TypeError: if an element of `params` is not a `tf.Variable`.
            RuntimeError: if new slots would have to be created inside a `tf.function`.
        """
        params = list(params)
        for i, param in enumerate(params):
            if not isinstance(param, tf.Variable):
                raise TypeError('Optimizer.build expects a list of tf.Variable; element %d is %r.'
                                % (i, param))
        new = [p for p in params if p.ref() not in self._slots]
        if new and not tf.executing_eagerly():
            raise RuntimeError('%s.build() was called inside a tf.function for new weights (%s). Call '
                               '`optimizer.build(params)` eagerly before the training step.'
                               % (self.__class__.__name__, ', '.join(p.name for p in new)))
        for param in new:
            if param.ref() not in self._slots:
                self._slots[param.ref()] = self._create_slots(param, len(self._params))
                self._params.append(param)
        self._built = True

    def _transform_gradients(self, grads):
        """Applies `clipnorm` (global norm) and then `clipvalue`, as Keras 2.2 does."""
        clipnorm = getattr(self, 'clipnorm', 0)
        if clipnorm > 0:
            norm = tf.sqrt(tf.add_n([tf.reduce_sum(tf.square(tf.cast(g, tf.float32))) for g in grads]))
            scale = tf.where(norm >= clipnorm, clipnorm / tf.maximum(norm, 1e-30), 1.)
            grads = [g * tf.cast(scale, g.dtype) for g in grads]
        clipvalue = getattr(self, 'clipvalue', 0)
        if clipvalue > 0:
            grads = [tf.clip_by_value(g, -clipvalue, clipvalue) for g in grads]
        return grads

    def _decayed_lr(self, step):
        """Returns `lr / (1 + decay * iterations)` (plain `lr` for optimizers without `decay`)."""
        lr = tf.identity(self.lr)
        if 'decay' in self._hyper:
            lr = lr * (1. / (1. + self._hyper['decay'] * tf.cast(step, tf.float32)))
        return lr

    def _prepare(self, step):
        """Returns a dictionary of float32 tensors shared by every weight's update in this step.

        # Arguments
            step: int64 tensor, the value of `iterations` before this step.
        """
        return {'lr': self._decayed_lr(step)}

    def _update(self, grad, param, slots, hyper):
        """Assigns the new slot values of one weight and returns its new value (abstract)."""
        raise NotImplementedError

    def apply_gradients(self, grads, params=None):
        """Applies one update step. Works eagerly and inside `tf.function`.

        Gradients are clipped (`clipnorm`, then `clipvalue`), the learning rate is decayed, the update
        rule is applied, each weight's `constraint` (if any) is applied to its new value, and
        `iterations` is incremented.

        # Arguments
            grads: list of gradients (tensors, `tf.IndexedSlices` or `None` to skip a weight); or,
                when `params` is omitted, an iterable of `(gradient, variable)` pairs.
            params: list of `tf.Variable`s, aligned with `grads`.

        # Returns
            The result of incrementing `iterations`.

        # Raises
            ValueError: if the lists differ in length or every gradient is `None`.
            RuntimeError: inside a `tf.function`, for a weight that `build` has not seen.
        """
        if params is None:
            pairs = [tuple(pair) for pair in grads]
        else:
            grads, params = list(grads), list(params)
            if len(grads) != len(params):
                raise ValueError('apply_gradients got %d gradients for %d params; they must be '
                                 'aligned.' % (len(grads), len(params)))
            pairs = list(zip(grads, params))
        pairs = [(g, p) for g, p in pairs if g is not None]
        if not pairs:
            raise ValueError('No gradients provided for any variable: every gradient is None. Check '
                             'that the loss depends on the trainable weights.')
        params = [p for _, p in pairs]
        unbuilt = [p for p in params if p.ref() not in self._slots]
        if unbuilt:
            if not tf.executing_eagerly():
                raise RuntimeError('The optimizer has no state for %s. Call `optimizer.build(params)` '
                                   'eagerly before running apply_gradients inside a tf.function.'
                                   % ', '.join(p.name for p in unbuilt))
            self.build(params)
        grads = [tf.convert_to_tensor(g) for g, _ in pairs]
        grads = self._transform_gradients([tf.cast(g, p.dtype) for g, p in zip(grads, params)])
        shared = self._prepare(tf.identity(self.iterations))
        if self._fuses_updates(params):
            if self._fused_assign_updates is None:
                self._fused_assign_updates = tf.function(self._assign_updates, jit_compile=True,
                                                         autograph=False)
            self._fused_assign_updates(grads, params, shared)
        else:
            self._assign_updates(grads, params, shared)
        return self.iterations.assign_add(1)

    def _assign_updates(self, grads, params, shared):
        """Runs the update rule of each weight, applies its constraint and assigns the new value."""
        for grad, param in zip(grads, params):
            hyper = {key: tf.cast(value, param.dtype) for key, value in shared.items()}
            new_value = self._update(grad, param, self._slots[param.ref()], hyper)
            constraint = getattr(param, 'constraint', None)
            if constraint is not None:
                new_value = constraint(new_value)
            param.assign(new_value)

    def _fuses_updates(self, params):
        """Whether this step's updates run as one XLA-compiled function (`FUSED_UPDATES`): inside a
        compiled step, outside distribution strategies, for weights of `FUSED_UPDATES_MIN_SIZE` elements
        or more, and for the built-in rules and constraints only (a user's own rule or constraint may
        use what XLA cannot compile)."""
        return (FUSED_UPDATES and not tf.executing_eagerly() and not tf.distribute.has_strategy()
                and sum(p.shape.num_elements() or 0 for p in params) >= FUSED_UPDATES_MIN_SIZE
                and type(self)._update.__module__ == 'kernelkit.optimizers.rules'
                and all(getattr(p, 'constraint', None) is None
                        or type(p.constraint).__module__ == 'kernelkit.constraints' for p in params))

    def get_updates(self, loss, params):
        """Returns the update that applies one step of this optimizer, for `K.function(updates=...)`.

        The Keras 2 custom-training-loop API: `loss` is a symbolic scalar (e.g. built from
        `model.output` and a target placeholder), and the returned update computes its gradients with
        respect to `params` and applies exactly the step `apply_gradients` (and so `train_on_batch`)
        applies, incrementing `iterations`, each time the function runs.

        # Arguments
            loss: the scalar loss tensor to minimize.
            params: the list of variables to train.

        # Returns
            A list of updates (also kept in `self.updates`).
        """
        from kernelkit import backend as K
        from kernelkit.backend.symbolic import apply_callable
        params = list(params)
        self.build(params)  # slots are variables: create them now, not inside the traced function
        grads = K.gradients(loss, params)
        step = apply_callable('%s.apply_gradients' % self.__class__.__name__, self.apply_gradients,
                              (grads, params))
        self.updates = [step]
        return self.updates

    def get_gradients(self, loss, params):
        """Returns the gradients of `loss` with respect to `params`, clipped by `clipnorm` and
        `clipvalue` as the update would clip them.

        # Arguments
            loss: the scalar loss tensor.
            params: the list of variables.

        # Returns
            A list of gradient tensors (symbolic when `loss` is).
        """
        from kernelkit import backend as K
        from kernelkit.backend.symbolic import apply_callable
        grads = K.gradients(loss, list(params))
        if getattr(self, 'clipnorm', 0) > 0 or getattr(self, 'clipvalue', 0) > 0:
            grads = apply_callable('%s.clip_gradients' % self.__class__.__name__,
                                   self._transform_gradients, (grads,))
        return grads

    @property
    def weights(self):
        """The optimizer state in Keras 2.2 order (empty until `build`), as saved in HDF5 files."""
        if not self._built:
            return []
        head = [self.iterations] if self._saves_iterations else []
        return head + [self._slots[p.ref()][name] for name in self._slot_names for p in self._params]

    def get_weights(self):
        """Returns the current optimizer state as a list of numpy arrays.

        # Returns
            One array per entry of `weights`, in the same order.
        """
        return [w.numpy() for w in self.weights]

    def set_weights(self, weights):
        """Sets the optimizer state from numpy arrays (e.g. from `get_weights`).

        Everything is validated before anything is assigned.

        # Arguments
            weights: list of arrays, one per entry of `weights`, same shapes.

        # Raises
            ValueError: if the count or any shape does not match.
        """
        params = self.weights
        weights = list(weights)
        if len(weights) != len(params):
            hint = '' if self._built else ' (the optimizer is not built yet: call build(params) first)'
            raise ValueError('Length of the specified weight list (%d) does not match the number of '
                             'weights of the optimizer (%d)%s.' % (len(weights), len(params), hint))
        for i, (variable, value) in enumerate(zip(params, weights)):
            if tuple(variable.shape) != np.shape(value):
                raise ValueError('Optimizer weight %d (%s) has shape %s, which is not compatible with '
                                 'the provided weight shape %s.' % (i, variable.name,
                                                                    tuple(variable.shape),
                                                                    np.shape(value)))
        for variable, value in zip(params, weights):
            variable.assign(np.asarray(value, dtype=variable.dtype.as_numpy_dtype))

    def get_config(self):
        """Returns the constructor arguments as a dictionary of python values.

        # Returns
            A dictionary; `clipnorm` / `clipvalue` appear only when they were given.
        """
        config = {}
        for key in ('clipnorm', 'clipvalue'):
            if hasattr(self, key):
                config[key] = getattr(self, key)
        return config

    def _config(self, own):
        """Merges the base config (clipping) with a subclass's own entries, in Keras's order."""
        config = Optimizer.get_config(self)
        config.update(own)
        return config

    def _value(self, name):
        """Returns a hyper-parameter's current value as a python float."""
        return float(self._hyper[name].numpy())

    @classmethod
    def from_config(cls, config):
        """Creates an optimizer from the output of `get_config`.

        # Arguments
            config: a dictionary of constructor arguments.

        # Returns
            A new optimizer.
        """
        return cls(**config)
