"""Built-in optimizers (Keras 2.2 update rules) for TensorFlow 2.

An optimizer keeps its hyper-parameters (`lr`, `decay`, ...) in `tf.Variable`s created by the
constructor, so `opt.lr = 0.01` changes the rate of a compiled `tf.function` training step without
retracing it. Per-weight state ("slots") is created by `build(params)`, eagerly and before training;
`apply_gradients(grads, params)` then only reads and assigns variables, which makes it safe inside
`tf.function` (and distribution strategies).

The update rules, the order of `weights` (for saving) and `get_config` follow Keras 2.2.4.
"""
import numpy as np
import tensorflow as tf

from kernelkit.backend.config import epsilon as _epsilon
from kernelkit.utils.generic_utils import deserialize_keras_object, serialize_keras_object


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
        for grad, param in zip(grads, params):
            hyper = {key: tf.cast(value, param.dtype) for key, value in shared.items()}
            new_value = self._update(grad, param, self._slots[param.ref()], hyper)
            constraint = getattr(param, 'constraint', None)
            if constraint is not None:
                new_value = constraint(new_value)
            param.assign(new_value)
        return self.iterations.assign_add(1)

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


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum, Nesterov momentum and learning rate decay.

    # Arguments
        lr: float >= 0. Learning rate (default 0.01). `learning_rate` is an alias.
        momentum: float >= 0. Accelerates SGD in the relevant direction and dampens oscillations.
        decay: float >= 0. Learning rate decay over each update.
        nesterov: boolean. Whether to apply Nesterov momentum.
        **kwargs: `clipnorm`, `clipvalue` (see `Optimizer`).
    """

    _slot_names = ('moments',)
    momentum = _HyperParameter('momentum')
    decay = _HyperParameter('decay')

    def __init__(self, lr=None, momentum=0., decay=0., nesterov=False, **kwargs):
        lr = _pop_lr(lr, kwargs, 0.01)
        super(SGD, self).__init__(**kwargs)
        self._add_hyper('lr', lr)
        self._add_hyper('momentum', momentum)
        self._add_hyper('decay', decay)
        self.initial_decay = float(decay)
        self.nesterov = bool(nesterov)

    def _prepare(self, step):
        shared = super(SGD, self)._prepare(step)
        shared['momentum'] = tf.identity(self.momentum)
        return shared

    def _update(self, grad, param, slots, hyper):
        moment = slots['moments']
        velocity = hyper['momentum'] * moment - hyper['lr'] * grad
        moment.assign(velocity)
        if self.nesterov:
            return param + hyper['momentum'] * velocity - hyper['lr'] * grad
        return param + velocity

    def get_config(self):
        """Returns `{lr, momentum, decay, nesterov}` (plus clipping arguments when set)."""
        return self._config({'lr': self._value('lr'), 'momentum': self._value('momentum'),
                             'decay': self._value('decay'), 'nesterov': self.nesterov})


class RMSprop(Optimizer):
    """RMSProp optimizer: divides the gradient by a running root mean square of recent gradients.

    # Arguments
        lr: float >= 0. Learning rate (default 0.001). `learning_rate` is an alias.
        rho: float >= 0. Decay factor of the running average of squared gradients.
        epsilon: float >= 0. Fuzz factor; `None` means `K.epsilon()`.
        decay: float >= 0. Learning rate decay over each update.
        **kwargs: `clipnorm`, `clipvalue` (see `Optimizer`).
    """

    _slot_names = ('accumulators',)
    _saves_iterations = False
    rho = _HyperParameter('rho')
    decay = _HyperParameter('decay')

    def __init__(self, lr=None, rho=0.9, epsilon=None, decay=0., **kwargs):
        lr = _pop_lr(lr, kwargs, 0.001)
        super(RMSprop, self).__init__(**kwargs)
        self._add_hyper('lr', lr)
        self._add_hyper('rho', rho)
        self._add_hyper('decay', decay)
        self.epsilon = _epsilon() if epsilon is None else _check_number('epsilon', epsilon)
        self.initial_decay = float(decay)

    def _prepare(self, step):
        shared = super(RMSprop, self)._prepare(step)
        shared['rho'] = tf.identity(self.rho)
        return shared

    def _update(self, grad, param, slots, hyper):
        accumulator = slots['accumulators']
        new_accumulator = hyper['rho'] * accumulator + (1. - hyper['rho']) * tf.square(grad)
        accumulator.assign(new_accumulator)
        return param - hyper['lr'] * grad / (tf.sqrt(new_accumulator) + self.epsilon)

    def get_config(self):
        """Returns `{lr, rho, decay, epsilon}` (plus clipping arguments when set)."""
        return self._config({'lr': self._value('lr'), 'rho': self._value('rho'),
                             'decay': self._value('decay'), 'epsilon': self.epsilon})


class Adagrad(Optimizer):
    """Adagrad optimizer: per-parameter rates scaled by the accumulated squared gradients.

    # Arguments
        lr: float >= 0. Initial learning rate (default 0.01). `learning_rate` is an alias.
        epsilon: float >= 0. Fuzz factor; `None` means `K.epsilon()`.
        decay: float >= 0. Learning rate decay over each update.
        **kwargs: `clipnorm`, `clipvalue` (see `Optimizer`).
    """

    _slot_names = ('accumulators',)
    _saves_iterations = False
    decay = _HyperParameter('decay')

    def __init__(self, lr=None, epsilon=None, decay=0., **kwargs):
        lr = _pop_lr(lr, kwargs, 0.01)
        super(Adagrad, self).__init__(**kwargs)
        self._add_hyper('lr', lr)
        self._add_hyper('decay', decay)
        self.epsilon = _epsilon() if epsilon is None else _check_number('epsilon', epsilon)
        self.initial_decay = float(decay)

    def _update(self, grad, param, slots, hyper):
        accumulator = slots['accumulators']
        new_accumulator = accumulator + tf.square(grad)
        accumulator.assign(new_accumulator)
        return param - hyper['lr'] * grad / (tf.sqrt(new_accumulator) + self.epsilon)

    def get_config(self):
        """Returns `{lr, decay, epsilon}` (plus clipping arguments when set)."""
        return self._config({'lr': self._value('lr'), 'decay': self._value('decay'),
                             'epsilon': self.epsilon})


class Adadelta(Optimizer):
    """Adadelta optimizer: adapts the step size from running averages of gradients and updates.

    # Arguments
        lr: float >= 0. Learning rate (default 1.0, as in the paper). `learning_rate` is an alias.
        rho: float >= 0. Decay factor of the running averages (a plain float, as in Keras 2.2).
        epsilon: float >= 0. Fuzz factor; `None` means `K.epsilon()`.
        decay: float >= 0. Learning rate decay over each update.
        **kwargs: `clipnorm`, `clipvalue` (see `Optimizer`).
    """

    _slot_names = ('accumulators', 'delta_accumulators')
    _saves_iterations = False
    decay = _HyperParameter('decay')

    def __init__(self, lr=None, rho=0.95, epsilon=None, decay=0., **kwargs):
        lr = _pop_lr(lr, kwargs, 1.0)
        super(Adadelta, self).__init__(**kwargs)
        self._add_hyper('lr', lr)
        self._add_hyper('decay', decay)
        self.rho = _check_number('rho', rho)
        self.epsilon = _epsilon() if epsilon is None else _check_number('epsilon', epsilon)
        self.initial_decay = float(decay)

    def _update(self, grad, param, slots, hyper):
        accumulator, delta_accumulator = slots['accumulators'], slots['delta_accumulators']
        rho, eps = self.rho, self.epsilon
        new_accumulator = rho * accumulator + (1. - rho) * tf.square(grad)
        accumulator.assign(new_accumulator)
        step = grad * tf.sqrt(delta_accumulator + eps) / tf.sqrt(new_accumulator + eps)
        delta_accumulator.assign(rho * delta_accumulator + (1. - rho) * tf.square(step))
        return param - hyper['lr'] * step

    def get_config(self):
        """Returns `{lr, rho, decay, epsilon}` (plus clipping arguments when set)."""
        return self._config({'lr': self._value('lr'), 'rho': self.rho,
                             'decay': self._value('decay'), 'epsilon': self.epsilon})


class Adam(Optimizer):
    """Adam optimizer (Kingma & Ba, 2014), with the optional AMSGrad variant.

    # Arguments
        lr: float >= 0. Learning rate (default 0.001). `learning_rate` is an alias.
        beta_1: float, 0 < beta < 1. Decay of the first-moment estimate.
        beta_2: float, 0 < beta < 1. Decay of the second-moment estimate.
        epsilon: float >= 0. Fuzz factor; `None` means `K.epsilon()`.
        decay: float >= 0. Learning rate decay over each update.
        amsgrad: boolean. Whether to use AMSGrad (the running maximum of the second moment).
        **kwargs: `clipnorm`, `clipvalue` (see `Optimizer`).
    """

    _slot_names = ('ms', 'vs', 'vhats')
    beta_1 = _HyperParameter('beta_1')
    beta_2 = _HyperParameter('beta_2')
    decay = _HyperParameter('decay')

    def __init__(self, lr=None, beta_1=0.9, beta_2=0.999, epsilon=None, decay=0., amsgrad=False,
                 **kwargs):
        lr = _pop_lr(lr, kwargs, 0.001)
        super(Adam, self).__init__(**kwargs)
        self._add_hyper('lr', lr)
        self._add_hyper('beta_1', beta_1)
        self._add_hyper('beta_2', beta_2)
        self._add_hyper('decay', decay)
        self.epsilon = _epsilon() if epsilon is None else _check_number('epsilon', epsilon)
        self.initial_decay = float(decay)
        self.amsgrad = bool(amsgrad)

    def _create_slots(self, param, index):
        slots = super(Adam, self)._create_slots(param, index)
        if not self.amsgrad:  # Keras 2.2 keeps a (1,)-shaped placeholder so the weight count is fixed.
            slots['vhats'] = self._make_variable('vhats_%d' % index, tf.zeros((1,)), tf.float32)
        return slots

    def _prepare(self, step):
        shared = super(Adam, self)._prepare(step)
        t = tf.cast(step, tf.float32) + 1.
        beta_1, beta_2 = tf.identity(self.beta_1), tf.identity(self.beta_2)
        shared['lr'] = shared['lr'] * tf.sqrt(1. - tf.pow(beta_2, t)) / (1. - tf.pow(beta_1, t))
        shared['beta_1'], shared['beta_2'] = beta_1, beta_2
        return shared

    def _update(self, grad, param, slots, hyper):
        m, v = slots['ms'], slots['vs']
        beta_1, beta_2 = hyper['beta_1'], hyper['beta_2']
        m_t = beta_1 * m + (1. - beta_1) * grad
        v_t = beta_2 * v + (1. - beta_2) * tf.square(grad)
        m.assign(m_t)
        v.assign(v_t)
        if self.amsgrad:
            vhat_t = tf.maximum(slots['vhats'], v_t)
            slots['vhats'].assign(vhat_t)
            v_t = vhat_t
        return param - hyper['lr'] * m_t / (tf.sqrt(v_t) + self.epsilon)

    def get_config(self):
        """Returns `{lr, beta_1, beta_2, decay, epsilon, amsgrad}` (plus clipping when set)."""
        return self._config({'lr': self._value('lr'), 'beta_1': self._value('beta_1'),
                             'beta_2': self._value('beta_2'), 'decay': self._value('decay'),
                             'epsilon': self.epsilon, 'amsgrad': self.amsgrad})


class Adamax(Optimizer):
    """Adamax optimizer: the Adam variant based on the infinity norm (section 7 of the Adam paper).

    # Arguments
        lr: float >= 0. Learning rate (default 0.002). `learning_rate` is an alias.
        beta_1: float, 0 < beta < 1. Decay of the first-moment estimate.
        beta_2: float, 0 < beta < 1. Decay of the infinity-norm estimate.
        epsilon: float >= 0. Fuzz factor; `None` means `K.epsilon()`.
        decay: float >= 0. Learning rate decay over each update.
        **kwargs: `clipnorm`, `clipvalue` (see `Optimizer`).
    """

    _slot_names = ('ms', 'us')
    beta_1 = _HyperParameter('beta_1')
    beta_2 = _HyperParameter('beta_2')
    decay = _HyperParameter('decay')

    def __init__(self, lr=None, beta_1=0.9, beta_2=0.999, epsilon=None, decay=0., **kwargs):
        lr = _pop_lr(lr, kwargs, 0.002)
        super(Adamax, self).__init__(**kwargs)
        self._add_hyper('lr', lr)
        self._add_hyper('beta_1', beta_1)
        self._add_hyper('beta_2', beta_2)
        self._add_hyper('decay', decay)
        self.epsilon = _epsilon() if epsilon is None else _check_number('epsilon', epsilon)
        self.initial_decay = float(decay)

    def _prepare(self, step):
        shared = super(Adamax, self)._prepare(step)
        t = tf.cast(step, tf.float32) + 1.
        beta_1 = tf.identity(self.beta_1)
        shared['lr'] = shared['lr'] / (1. - tf.pow(beta_1, t))
        shared['beta_1'], shared['beta_2'] = beta_1, tf.identity(self.beta_2)
        return shared

    def _update(self, grad, param, slots, hyper):
        m, u = slots['ms'], slots['us']
        m_t = hyper['beta_1'] * m + (1. - hyper['beta_1']) * grad
        u_t = tf.maximum(hyper['beta_2'] * u, tf.abs(grad))
        m.assign(m_t)
        u.assign(u_t)
        return param - hyper['lr'] * m_t / (u_t + self.epsilon)

    def get_config(self):
        """Returns `{lr, beta_1, beta_2, decay, epsilon}` (plus clipping arguments when set)."""
        return self._config({'lr': self._value('lr'), 'beta_1': self._value('beta_1'),
                             'beta_2': self._value('beta_2'), 'decay': self._value('decay'),
                             'epsilon': self.epsilon})


class Nadam(Optimizer):
    """Nesterov Adam optimizer (Dozat, 2015), with the Keras 2.2 momentum schedule.

    Like Keras 2.2, it has no `decay` argument; `schedule_decay` shapes the momentum schedule.

    # Arguments
        lr: float >= 0. Learning rate (default 0.002). `learning_rate` is an alias.
        beta_1: float, 0 < beta < 1. Decay of the first-moment estimate.
        beta_2: float, 0 < beta < 1. Decay of the second-moment estimate.
        epsilon: float >= 0. Fuzz factor; `None` means `K.epsilon()`.
        schedule_decay: float >= 0. Decay of the momentum schedule (default 0.004).
        **kwargs: `clipnorm`, `clipvalue` (see `Optimizer`).
    """

    _slot_names = ('ms', 'vs')
    beta_1 = _HyperParameter('beta_1')
    beta_2 = _HyperParameter('beta_2')

    def __init__(self, lr=None, beta_1=0.9, beta_2=0.999, epsilon=None, schedule_decay=0.004,
                 **kwargs):
        lr = _pop_lr(lr, kwargs, 0.002)
        super(Nadam, self).__init__(**kwargs)
        self.m_schedule = self._make_variable('m_schedule', 1.)
        self._add_hyper('lr', lr)
        self._add_hyper('beta_1', beta_1)
        self._add_hyper('beta_2', beta_2)
        self.epsilon = _epsilon() if epsilon is None else _check_number('epsilon', epsilon)
        self.schedule_decay = _check_number('schedule_decay', schedule_decay)

    def _prepare(self, step):
        shared = super(Nadam, self)._prepare(step)
        t = tf.cast(step, tf.float32) + 1.
        beta_1, beta_2 = tf.identity(self.beta_1), tf.identity(self.beta_2)
        cache_t = beta_1 * (1. - 0.5 * tf.pow(0.96, t * self.schedule_decay))
        cache_t_1 = beta_1 * (1. - 0.5 * tf.pow(0.96, (t + 1.) * self.schedule_decay))
        schedule_new = tf.identity(self.m_schedule) * cache_t
        self.m_schedule.assign(schedule_new)
        shared.update(beta_1=beta_1, beta_2=beta_2, cache_t=cache_t, cache_t_1=cache_t_1,
                      schedule_new=schedule_new, schedule_next=schedule_new * cache_t_1,
                      v_correction=1. - tf.pow(beta_2, t))
        return shared

    def _update(self, grad, param, slots, hyper):
        m, v = slots['ms'], slots['vs']
        beta_1, beta_2 = hyper['beta_1'], hyper['beta_2']
        g_prime = grad / (1. - hyper['schedule_new'])
        m_t = beta_1 * m + (1. - beta_1) * grad
        m_t_prime = m_t / (1. - hyper['schedule_next'])
        v_t = beta_2 * v + (1. - beta_2) * tf.square(grad)
        v_t_prime = v_t / hyper['v_correction']
        m.assign(m_t)
        v.assign(v_t)
        m_t_bar = (1. - hyper['cache_t']) * g_prime + hyper['cache_t_1'] * m_t_prime
        return param - hyper['lr'] * m_t_bar / (tf.sqrt(v_t_prime) + self.epsilon)

    def set_weights(self, weights):
        """Sets the optimizer state, then recomputes the momentum schedule from `iterations`.

        The schedule is not among `weights` (Keras 2.2 files do not store it), but it is a function of the
        step count alone, so a restored optimizer continues exactly where the saved one stopped.

        # Arguments
            weights: list of arrays, one per entry of `weights`.

        # Raises
            ValueError: if the count or any shape does not match.
        """
        super(Nadam, self).set_weights(weights)
        beta_1 = np.float32(self._value('beta_1'))
        decay = np.float32(self.schedule_decay)
        schedule = np.float32(1.)
        for t in range(1, int(self.iterations.numpy()) + 1):
            cache = beta_1 * (np.float32(1.) - np.float32(0.5) * np.power(np.float32(0.96), np.float32(t) * decay))
            schedule = np.float32(schedule * cache)
        self.m_schedule.assign(schedule)

    def get_config(self):
        """Returns `{lr, beta_1, beta_2, epsilon, schedule_decay}` (plus clipping when set)."""
        return self._config({'lr': self._value('lr'), 'beta_1': self._value('beta_1'),
                             'beta_2': self._value('beta_2'), 'epsilon': self.epsilon,
                             'schedule_decay': self.schedule_decay})


# Keras 2.2 lowercase aliases.
def clip_norm(g, c, n):
    """Rescales gradient `g` by `c / n` when the norm `n` is at least `c` (Keras 2.2.4's helper).

    # Arguments
        g: a gradient (tensor or `tf.IndexedSlices`).
        c: the clipping norm; `c <= 0` returns `g` unchanged.
        n: the norm to compare with `c` (a scalar tensor, e.g. the global norm of all gradients).

    # Returns
        The gradient, of the same kind as `g`.
    """
    if c <= 0:
        return g
    scale = tf.where(n >= c, c / tf.maximum(tf.cast(n, tf.float32), 1e-30), 1.)
    if isinstance(g, tf.IndexedSlices):
        return tf.IndexedSlices(g.values * tf.cast(scale, g.values.dtype), g.indices, g.dense_shape)
    return g * tf.cast(scale, g.dtype)


class TFOptimizer(Optimizer):
    """Wraps a TensorFlow optimizer (`tf.compat.v1.train.*Optimizer`) for use in a Keras model.

    `compile(optimizer=tf.compat.v1.train.AdamOptimizer(1e-3))` wraps it automatically, as in Keras
    2.2.4. TensorFlow owns the update rule and the state, so, as in Keras 2.2.4, the state is neither
    listed in `weights` nor saved with the model (`save` warns and stores no optimizer), and the wrapper
    has no config.

    # Arguments
        optimizer: an object with TensorFlow's `apply_gradients(grads_and_vars)` method.

    # Raises
        TypeError: if `optimizer` has no `apply_gradients` method.
    """

    saved_with_model = False
    not_saved_message = ('TensorFlow optimizers do not make it possible to access optimizer attributes or '
                         'optimizer state after instantiation, so the optimizer is not saved with the model: '
                         'compile the model again after loading it. Prefer a Keras optimizer (e.g. '
                         '`kernelkit.optimizers.Adam()`).')

    def __init__(self, optimizer):
        if not callable(getattr(optimizer, 'apply_gradients', None)):
            raise TypeError('TFOptimizer expects a TensorFlow optimizer with an `apply_gradients` method '
                            '(e.g. `tf.compat.v1.train.AdamOptimizer()`); received %r.' % (optimizer,))
        super(TFOptimizer, self).__init__()
        self.optimizer = optimizer

    def build(self, params):
        """Records `params`; TensorFlow creates its own slots on the first `apply_gradients`.

        # Arguments
            params: list of `tf.Variable`s that will be trained.
        """
        self._params = list(params)
        self._built = True

    def apply_gradients(self, grads, params=None):
        """Applies one step of the wrapped optimizer and increments `iterations`.

        # Arguments
            grads: list of gradients, or `(gradient, variable)` pairs when `params` is omitted.
            params: list of `tf.Variable`s aligned with `grads`.

        # Returns
            The result of incrementing `iterations`.

        # Raises
            ValueError: if every gradient is `None`.
        """
        pairs = [tuple(pair) for pair in grads] if params is None else list(zip(grads, params))
        pairs = [(g, p) for g, p in pairs if g is not None]
        if not pairs:
            raise ValueError('No gradients provided for any variable: every gradient is None. Check '
                             'that the loss depends on the trainable weights.')
        with tf.control_dependencies([self.optimizer.apply_gradients(pairs)]):
            return self.iterations.assign_add(1)

    @property
    def weights(self):
        """TensorFlow optimizers do not expose their state: always raises.

        # Raises
            NotImplementedError: always (as in Keras 2.2.4).
        """
        raise NotImplementedError(self.not_saved_message)

    def get_config(self):
        """TensorFlow optimizers have no Keras config: always raises.

        # Raises
            NotImplementedError: always (as in Keras 2.2.4).
        """
        raise NotImplementedError('TFOptimizer has no config: ' + self.not_saved_message)

    @classmethod
    def from_config(cls, config):
        """TFOptimizer cannot be created from a config: always raises.

        # Raises
            NotImplementedError: always (as in Keras 2.2.4).
        """
        raise NotImplementedError('TFOptimizer cannot be created from a config: wrap a TensorFlow optimizer '
                                  'with `TFOptimizer(tf.compat.v1.train.AdamOptimizer())`.')


sgd = SGD
rmsprop = RMSprop
adagrad = Adagrad
adadelta = Adadelta
adam = Adam
adamax = Adamax
nadam = Nadam

_OPTIMIZERS = {'sgd': SGD, 'rmsprop': RMSprop, 'adagrad': Adagrad, 'adadelta': Adadelta,
               'adam': Adam, 'adamax': Adamax, 'nadam': Nadam}


def serialize(optimizer):
    """Returns `{'class_name': ..., 'config': ...}` for an optimizer.

    # Arguments
        optimizer: an `Optimizer` instance.

    # Returns
        A dictionary.
    """
    return serialize_keras_object(optimizer)


def deserialize(config, custom_objects=None):
    """Creates an optimizer from `{'class_name': ..., 'config': ...}` (built-in names in any case).

    # Arguments
        config: the dictionary (it is not modified).
        custom_objects: optional dictionary of custom optimizer classes by name.

    # Returns
        A new optimizer.

    # Raises
        ValueError: for an unknown class name (listing the known ones) or an ill-formed config.
    """
    if isinstance(config, dict) and isinstance(config.get('class_name'), str):
        config = dict(config)
        if config['class_name'].lower() in _OPTIMIZERS:
            config['class_name'] = config['class_name'].lower()
    return deserialize_keras_object(config, module_objects=_OPTIMIZERS, custom_objects=custom_objects,
                                    printable_module_name='optimizer')


def get(identifier):
    """Resolves an optimizer identifier.

    # Arguments
        identifier: an `Optimizer` (returned unchanged), a TensorFlow `tf.compat.v1.train.Optimizer`
            (wrapped in `TFOptimizer`), a name such as `'adam'` (any case; default arguments), or a
            `{'class_name': ..., 'config': ...}` dictionary.

    # Returns
        An `Optimizer` instance.

    # Raises
        ValueError: for an unknown name or an identifier of any other kind.
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, tf.compat.v1.train.Optimizer):
        return TFOptimizer(identifier)
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return deserialize({'class_name': identifier, 'config': {}})
    raise ValueError('Could not interpret optimizer identifier: %r (expected an Optimizer instance, '
                     'a name such as %s, or a config dictionary).'
                     % (identifier, ', '.join(repr(n) for n in sorted(_OPTIMIZERS))))
