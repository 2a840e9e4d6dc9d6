"""The benchmark models: a registry of model builders, each with its synthetic data maker.

A builder takes the Keras module under test (`kernelkit`, `tf_keras` or Keras 3's `keras`, each used as
`keras`) and returns a compiled model, so one definition serves every framework. Builders are written the
Keras 2 way (`Dense(512, input_shape=(784,))`); where Keras 3 removed an argument, `first_layer_args` puts
an `Input` first instead, so the kernelkit and tf_keras paths stay what a Keras 2 user writes. A data
maker takes a sample count and a seed and returns `(x, y)` numpy arrays (`x` may be a list, one array per
model input), so no benchmark needs a network or a download.

Each model also declares its forward multiply-adds per sample, counted by hand from the layer shapes with
the helpers of `bench.roofline`; the roofline line of `make bench` turns them into FLOP per train step.

To add a model:

    @register('my_model', data=my_model_data, forward_macs=..., samples=6000, batch_size=128)
    def build_my_model(keras):
        ...
        return model            # compiled
"""
import collections

import numpy as np

from bench.roofline import conv2d_macs, dense_macs, lstm_macs

Benchmark = collections.namedtuple('Benchmark',
                                   'name build make_data samples batch_size forward_macs doc')

_REGISTRY = collections.OrderedDict()


def register(name, data, forward_macs, samples=6000, batch_size=128):
    """Decorator: registers a model builder under `name`.

    Arguments:
        name: the benchmark's name (`--models NAME`).
        data: the data maker, `(samples, seed) -> (x, y)`.
        forward_macs: multiply-adds of one sample's forward pass (Dense, Conv and LSTM layers).
        samples, batch_size: the default sizes.

    Returns:
        The decorator, which returns the builder unchanged.

    Raises:
        ValueError: when `name` is registered twice.
    """
    def decorator(build):
        if name in _REGISTRY:
            raise ValueError('Benchmark model %r is registered twice.' % name)
        doc = ' '.join((build.__doc__ or '').split())
        _REGISTRY[name] = Benchmark(name, build, data, samples, batch_size, forward_macs, doc)
        return build
    return decorator


def get(name):
    """Returns the `Benchmark` registered under `name`.

    Raises:
        KeyError: for an unknown name, listing the known ones.
    """
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError('Unknown benchmark model %r; known: %s' % (name, ', '.join(_REGISTRY))) from None


def names():
    """Names of all registered benchmark models, in registration order."""
    return list(_REGISTRY)


def one_hot(labels, num_classes):
    """Integer labels (any shape) -> float32 one-hot rows (plain numpy, so no framework utility is needed)."""
    return np.eye(num_classes, dtype='float32')[labels]


def is_keras3(keras):
    """Whether `keras` is Keras 3 (whose API drops some Keras 2 arguments)."""
    return str(getattr(keras, '__version__', '')).startswith('3.')


def first_layer_args(keras, model, shape, **keras2_kwargs):
    """The arguments that declare a Sequential model's input on its first layer.

    Keras 2 code declares the input on the first layer (`input_shape=`, `input_length=`), and kernelkit and
    tf_keras get exactly that. Keras 3 removed those arguments (or only warns and ignores them), so for it an
    `Input(shape)` is added to `model` first and no argument is returned.

    Arguments:
        keras: the framework module.
        model: the empty Sequential model.
        shape: the per-sample input shape (for Keras 3's `Input`).
        **keras2_kwargs: the Keras 2 arguments of the first layer.

    Returns:
        The keyword arguments to pass to the first layer.
    """
    if is_keras3(keras):
        model.add(keras.Input(shape=shape))
        return {}
    return keras2_kwargs


# ------------------------------------------------------------------------------------------ mnist_mlp

def mnist_mlp_data(samples, seed):
    """MNIST-shaped data: 784 floats in [0, 1) per sample, 10 one-hot classes."""
    rng = np.random.RandomState(seed)
    x = rng.rand(samples, 784).astype('float32')
    y = one_hot(rng.randint(0, 10, size=samples), 10)
    return x, y


@register('mnist_mlp', data=mnist_mlp_data, samples=6000, batch_size=128,
          forward_macs=dense_macs(784, 512) + dense_macs(512, 512) + dense_macs(512, 10))
def build_mnist_mlp(keras):
    """Keras's mnist_mlp example: 784 -> Dense 512 relu, Dropout 0.2, Dense 512 relu, Dropout 0.2,
    Dense 10 softmax; RMSprop, categorical crossentropy, accuracy."""
    model = keras.models.Sequential()
    model.add(keras.layers.Dense(512, activation='relu',
                                 **first_layer_args(keras, model, (784,), input_shape=(784,))))
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


@register('mnist_cnn', data=mnist_cnn_data, samples=1280, batch_size=128,
          forward_macs=(conv2d_macs((26, 26), 3, 1, 32) + conv2d_macs((24, 24), 3, 32, 64)
                        + dense_macs(12 * 12 * 64, 128) + dense_macs(128, 10)))
def build_mnist_cnn(keras):
    """Keras's mnist_cnn example: Conv2D 32 3x3 relu, Conv2D 64 3x3 relu, MaxPooling 2x2, Dropout 0.25,
    Flatten, Dense 128 relu, Dropout 0.5, Dense 10 softmax; Adadelta, categorical crossentropy, accuracy."""
    layers = keras.layers
    model = keras.models.Sequential()
    model.add(layers.Conv2D(32, kernel_size=(3, 3), activation='relu',
                            **first_layer_args(keras, model, (28, 28, 1), input_shape=(28, 28, 1))))
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


@register('imdb_lstm', data=imdb_lstm_data, samples=640, batch_size=32,
          forward_macs=lstm_macs(80, 128, 128) + dense_macs(128, 1))
def build_imdb_lstm(keras):
    """Keras's imdb_lstm example: Embedding 20000x128, LSTM 128 (dropout 0.2, recurrent_dropout 0.2),
    Dense 1 sigmoid; Adam, binary crossentropy, accuracy; sequences of 80 words."""
    layers = keras.layers
    model = keras.models.Sequential()
    model.add(layers.Embedding(20000, 128, **first_layer_args(keras, model, (80,), input_length=80)))
    model.add(layers.LSTM(128, dropout=0.2, recurrent_dropout=0.2))
    model.add(layers.Dense(1, activation='sigmoid'))
    model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
    return model


# ------------------------------------------------------------------------------------------ resnet_small

RESNET_SIZE, RESNET_CHANNELS, RESNET_CLASSES = 32, 16, 10


def resnet_small_data(samples, seed):
    """CIFAR-shaped images: 32x32x3 floats in [0, 1), 10 one-hot classes."""
    rng = np.random.RandomState(seed)
    x = rng.rand(samples, RESNET_SIZE, RESNET_SIZE, 3).astype('float32')
    y = one_hot(rng.randint(0, RESNET_CLASSES, size=samples), RESNET_CLASSES)
    return x, y


def _residual_block(layers, x, channels):
    """Conv2D-BN-ReLU-Conv2D-BN, added to the block's input, then ReLU (the basic ResNet block)."""
    y = layers.Conv2D(channels, (3, 3), padding='same')(x)
    y = layers.BatchNormalization()(y)
    y = layers.Activation('relu')(y)
    y = layers.Conv2D(channels, (3, 3), padding='same')(y)
    y = layers.BatchNormalization()(y)
    return layers.Activation('relu')(layers.Add()([x, y]))


_HALF = RESNET_SIZE // 2


@register('resnet_small', data=resnet_small_data, samples=1024, batch_size=64,
          forward_macs=(conv2d_macs((RESNET_SIZE, RESNET_SIZE), 3, 3, RESNET_CHANNELS)
                        + 2 * conv2d_macs((RESNET_SIZE, RESNET_SIZE), 3, RESNET_CHANNELS, RESNET_CHANNELS)
                        + 2 * conv2d_macs((_HALF, _HALF), 3, RESNET_CHANNELS, RESNET_CHANNELS)
                        + dense_macs(RESNET_CHANNELS, RESNET_CLASSES)))
def build_resnet_small(keras):
    """A small ResNet (functional API): 32x32x3 -> Conv2D 16 3x3 BN ReLU, residual block, MaxPooling 2x2,
    residual block (each Conv2D-BN-ReLU-Conv2D-BN + Add skip, ReLU), GlobalAveragePooling, Dense 10
    softmax; Adam, categorical crossentropy, accuracy."""
    layers = keras.layers
    inputs = layers.Input(shape=(RESNET_SIZE, RESNET_SIZE, 3))
    x = layers.Conv2D(RESNET_CHANNELS, (3, 3), padding='same')(inputs)
    x = layers.Activation('relu')(layers.BatchNormalization()(x))
    x = _residual_block(layers, x, RESNET_CHANNELS)
    x = layers.MaxPooling2D(pool_size=(2, 2))(x)
    x = _residual_block(layers, x, RESNET_CHANNELS)
    x = layers.GlobalAveragePooling2D()(x)
    outputs = layers.Dense(RESNET_CLASSES, activation='softmax')(x)
    model = keras.models.Model(inputs, outputs)
    model.compile(loss='categorical_crossentropy', optimizer='adam', metrics=['accuracy'])
    return model


# ------------------------------------------------------------------------------------------ seq2seq

SEQ_IN_STEPS, SEQ_OUT_STEPS, SEQ_TOKENS, SEQ_LATENT = 16, 16, 64, 128


def seq2seq_data(samples, seed):
    """Character-level translation pairs as in Keras's lstm_seq2seq example, synthetic: one-hot encoder
    tokens, one-hot decoder tokens (teacher forcing), and the decoder input shifted by one as the target."""
    rng = np.random.RandomState(seed)
    source = rng.randint(0, SEQ_TOKENS, size=(samples, SEQ_IN_STEPS))
    target = rng.randint(0, SEQ_TOKENS, size=(samples, SEQ_OUT_STEPS + 1))
    return ([one_hot(source, SEQ_TOKENS), one_hot(target[:, :-1], SEQ_TOKENS)],
            one_hot(target[:, 1:], SEQ_TOKENS))


@register('seq2seq', data=seq2seq_data, samples=1024, batch_size=64,
          forward_macs=(lstm_macs(SEQ_IN_STEPS, SEQ_TOKENS, SEQ_LATENT)
                        + lstm_macs(SEQ_OUT_STEPS, SEQ_TOKENS, SEQ_LATENT)
                        + SEQ_OUT_STEPS * dense_macs(SEQ_LATENT, SEQ_TOKENS)))
def build_seq2seq(keras):
    """Keras's lstm_seq2seq example, smaller (functional API, two inputs): LSTM 128 encoder over 16 one-hot
    tokens (64 classes) with return_state; LSTM 128 decoder over 16 tokens with the encoder's states as
    initial_state, return_sequences; TimeDistributed(Dense 64 softmax); RMSprop, categorical crossentropy,
    accuracy."""
    layers = keras.layers
    encoder_inputs = layers.Input(shape=(SEQ_IN_STEPS, SEQ_TOKENS))
    _, state_h, state_c = layers.LSTM(SEQ_LATENT, return_state=True)(encoder_inputs)
    decoder_inputs = layers.Input(shape=(SEQ_OUT_STEPS, SEQ_TOKENS))
    decoded = layers.LSTM(SEQ_LATENT, return_sequences=True)(decoder_inputs,
                                                             initial_state=[state_h, state_c])
    outputs = layers.TimeDistributed(layers.Dense(SEQ_TOKENS, activation='softmax'))(decoded)
    model = keras.models.Model([encoder_inputs, decoder_inputs], outputs)
    model.compile(loss='categorical_crossentropy', optimizer=keras.optimizers.RMSprop(),
                  metrics=['accuracy'])
    return model
