"""The data and the small model that the tf.distribute tests share (tests/distributed_scenarios.py,
tests/multi_worker_job.py and tests/test_distribute.py), for kernelkit or tf_keras alike."""
import numpy as np


def data(n, seed=0):
    """`n` samples of 10 features in [0, 1); the label says whether their sum exceeds 5.

    # Arguments
        n: number of samples.
        seed: the random seed.

    # Returns
        `(x, y)`, float32 arrays of shapes `(n, 10)` and `(n, 1)`.
    """
    rs = np.random.RandomState(seed)
    x = rs.rand(n, 10).astype('float32')
    return x, (x.sum(1, keepdims=True) > 5).astype('float32')


def set_start_weights(model):
    """Sets every kernel to the same seeded random values (biases and other weights keep theirs).

    # Arguments
        model: a built kernelkit or tf_keras model.
    """
    rs = np.random.RandomState(1)
    weights = model.get_weights()
    model.set_weights([rs.randn(*w.shape).astype('float32') * .3 if w.ndim == 2 else w for w in weights])


def make_model(lib, optimizer='adam', batch_norm=False, input_shape=(10,), dropout=None):
    """A compiled 10-16-1 classifier (optionally with BatchNormalization or Dropout) in `lib`.

    # Arguments
        lib: the `kernelkit` or `tf_keras` module.
        optimizer: `'adam'` (lr 0.01), `'sgd'` (lr 0.1, momentum 0.9), `'rmsprop'` (lr 0.01) or
            `'adagrad'` (lr 0.1).
        batch_norm: whether to put a BatchNormalization after the hidden layer.
        input_shape: the input shape, or None for a model built on its first batch.
        dropout: None, or the rate of a Dropout after the hidden layer.

    # Returns
        The model (with the starting weights of `set_start_weights` when it is built).
    """
    first = {'input_shape': input_shape} if input_shape else {}
    layers = [lib.layers.Dense(16, activation='relu', **first)]
    if batch_norm:
        layers.append(lib.layers.BatchNormalization())
    if dropout:
        layers.append(lib.layers.Dropout(dropout))
    layers.append(lib.layers.Dense(1, activation='sigmoid'))
    model = lib.models.Sequential(layers)
    if input_shape:
        set_start_weights(model)
    # tf_keras's RMSprop and Adagrad follow Keras 2.2's rules in tf_keras.optimizers.legacy, given Keras 2.2's
    # epsilon and accumulators that start at 0 (as tests/test_optimizers.py compares them).
    legacy = getattr(lib.optimizers, 'legacy', None)
    optimizers = {'sgd': lambda: lib.optimizers.SGD(0.1, momentum=0.9),
                  'adam': lambda: lib.optimizers.Adam(0.01),
                  'rmsprop': lambda: (legacy.RMSprop(learning_rate=0.01, epsilon=1e-7) if legacy
                                      else lib.optimizers.RMSprop(0.01)),
                  'adagrad': lambda: (legacy.Adagrad(learning_rate=0.1, initial_accumulator_value=0.,
                                                     epsilon=1e-7) if legacy else lib.optimizers.Adagrad(0.1))}
    model.compile(optimizers[optimizer](), 'binary_crossentropy', metrics=['acc'])
    return model
