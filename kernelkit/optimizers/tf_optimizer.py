"""`TFOptimizer` (a TensorFlow optimizer wrapped for `compile`) and Keras 2.2.4's `clip_norm` helper."""
import tensorflow as tf

from kernelkit.optimizers.base import Optimizer


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
