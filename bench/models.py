"""The benchmark models: a registry of model builders, each with its synthetic data maker.

A builder takes the Keras module under test (`kernelkit` or `tf_keras`, each used as `keras`) and
returns a compiled model, so one definition serves both frameworks. A data maker takes a sample count
and a seed and returns `(x, y)` numpy arrays, so no benchmark needs a network or a download.

To add a model (issue 3 brings Keras's `mnist_cnn` and `imdb_lstm`), write its data maker, then:

    @register('my_model', data=my_model_data, samples=6000, batch_size=128)
    def build_my_model(keras):
        ...
        return model            # compiled
"""
import collections

import numpy as np

Benchmark = collections.namedtuple('Benchmark', 'name build make_data samples batch_size doc')

_REGISTRY = collections.OrderedDict()


def register(name, data, samples=6000, batch_size=128):
    """Decorator: registers a model builder under `name`, with its data maker and default sizes."""
    def decorator(build):
        if name in _REGISTRY:
            raise ValueError('Benchmark model %r is registered twice.' % name)
        doc = ' '.join((build.__doc__ or '').split())
        _REGISTRY[name] = Benchmark(name, build, data, samples, batch_size, doc)
        return build
    return decorator


def get(name):
    """Returns the `Benchmark` registered under `name`."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError('Unknown benchmark model %r; known: %s' % (name, ', '.join(_REGISTRY))) from None


def names():
    """Names of all registered benchmark models, in registration order."""
    return list(_REGISTRY)


def one_hot(labels, num_classes):
    """Integer labels -> float32 one-hot rows (plain numpy, so no framework utility is needed)."""
    return np.eye(num_classes, dtype='float32')[labels]


# ------------------------------------------------------------------------------------------ mnist_mlp

def mnist_mlp_data(samples, seed):
    """MNIST-shaped data: 784 floats in [0, 1) per sample, 10 one-hot classes."""
    rng = np.random.RandomState(seed)
    x = rng.rand(samples, 784).astype('float32')
    y = one_hot(rng.randint(0, 10, size=samples), 10)
    return x, y


@register('mnist_mlp', data=mnist_mlp_data, samples=6000, batch_size=128)
def build_mnist_mlp(keras):
    """Keras's mnist_mlp example: 784 -> Dense 512 relu, Dropout 0.2, Dense 512 relu, Dropout 0.2,
    Dense 10 softmax; RMSprop, categorical crossentropy, accuracy."""
    model = keras.models.Sequential()
    model.add(keras.layers.Dense(512, activation='relu', input_shape=(784,)))
    model.add(keras.layers.Dropout(0.2))
    model.add(keras.layers.Dense(512, activation='relu'))
    model.add(keras.layers.Dropout(0.2))
    model.add(keras.layers.Dense(10, activation='softmax'))
    model.compile(loss='categorical_crossentropy',
                  optimizer=keras.optimizers.RMSprop(),
                  metrics=['accuracy'])
    return model


# ------------------------------------------------------------------------------------------ mnist_cnn

def mnist_cnn_data(samples, seed):
    """MNIST-shaped images: 28x28x1 floats in [0, 1), 10 one-hot classes."""
    rng = np.random.RandomState(seed)
    x = rng.rand(samples, 28, 28, 1).astype('float32')
    y = one_hot(rng.randint(0, 10, size=samples), 10)
    return x, y


@register('mnist_cnn', data=mnist_cnn_data, samples=1280, batch_size=128)
def build_mnist_cnn(keras):
    """Keras's mnist_cnn example: Conv2D 32 3x3 relu, Conv2D 64 3x3 relu, MaxPooling 2x2, Dropout 0.25,
    Flatten, Dense 128 relu, Dropout 0.5, Dense 10 softmax; Adadelta, categorical crossentropy, accuracy."""
    layers = keras.layers
    model = keras.models.Sequential()
    model.add(layers.Conv2D(32, kernel_size=(3, 3), activation='relu', input_shape=(28, 28, 1)))
    model.add(layers.Conv2D(64, (3, 3), activation='relu'))
    model.add(layers.MaxPooling2D(pool_size=(2, 2)))
    model.add(layers.Dropout(0.25))
    model.add(layers.Flatten())
    model.add(layers.Dense(128, activation='relu'))
    model.add(layers.Dropout(0.5))
    model.add(layers.Dense(10, activation='softmax'))
    model.compile(loss='categorical_crossentropy', optimizer=keras.optimizers.Adadelta(),
                  metrics=['accuracy'])
    return model


# ------------------------------------------------------------------------------------------ imdb_lstm

def imdb_lstm_data(samples, seed):
    """IMDB-shaped sequences: 80 word indices in [1, 20000) per sample, binary labels."""
    rng = np.random.RandomState(seed)
    x = rng.randint(1, 20000, size=(samples, 80)).astype('int32')
    y = rng.randint(0, 2, size=(samples, 1)).astype('float32')
    return x, y


@register('imdb_lstm', data=imdb_lstm_data, samples=640, batch_size=32)
def build_imdb_lstm(keras):
    """Keras's imdb_lstm example: Embedding 20000x128, LSTM 128 (dropout 0.2, recurrent_dropout 0.2),
    Dense 1 sigmoid; Adam, binary crossentropy, accuracy; sequences of 80 words."""
    layers = keras.layers
    model = keras.models.Sequential()
    model.add(layers.Embedding(20000, 128, input_length=80))
    model.add(layers.LSTM(128, dropout=0.2, recurrent_dropout=0.2))
    model.add(layers.Dense(1, activation='sigmoid'))
    model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
    return model
