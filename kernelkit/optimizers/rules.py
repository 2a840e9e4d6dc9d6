"""The built-in update rules of Keras 2.2.4: SGD (momentum, Nesterov), RMSprop, Adagrad, Adadelta, Adam
(and AMSGrad), Adamax and Nadam, each as `Optimizer._update` for one weight."""
import numpy as np
import tensorflow as tf

from kernelkit.backend.config import epsilon as _epsilon
from kernelkit.optimizers.base import Optimizer, _check_number, _HyperParameter, _pop_lr


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
