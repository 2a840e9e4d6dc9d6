"""Each core layer inside a small model trains exactly like tf_keras's: same weights after three steps."""
import numpy as np
import pytest
import tf_keras

import kernelkit as keras

RNG = np.random.RandomState(3)

# (name, layer arguments, input shape without batch); built with the same class name in both libraries
CORE = [
    ('Dense', dict(units=4, activation='tanh'), (5,)),
    ('Dense', dict(units=3, activation='relu', use_bias=False, kernel_regularizer=None), (2, 5)),
    ('Activation', dict(activation='sigmoid'), (5,)),
    ('Dropout', dict(rate=0.), (5,)),
    ('Flatten', dict(), (2, 3)),
    ('Reshape', dict(target_shape=(-1, 2)), (6,)),
    ('Permute', dict(dims=(2, 1)), (2, 3)),
    ('RepeatVector', dict(n=2), (5,)),
    ('ActivityRegularization', dict(l1=0., l2=0.), (5,)),
    ('Masking', dict(mask_value=0.), (3, 4)),
]


def _model(library, name, kwargs, shape):
    layers = library.layers
    inputs = layers.Input(shape=shape)
    x = layers.Dense(4, name='before')(inputs)
    x = getattr(layers, name)(**kwargs)(x)
    if len(x.shape) > 2:
        x = layers.Flatten()(x) if name != 'Masking' else layers.GlobalAveragePooling1D()(x)
    outputs = layers.Dense(2, name='after')(x)
    return library.models.Model(inputs, outputs)


@pytest.mark.parametrize('name,kwargs,shape', CORE, ids=['%s-%d' % (c[0], i) for i, c in enumerate(CORE)])
@pytest.mark.parametrize('optimizer', ['SGD', 'RMSprop', 'Adam'])
def test_core_layer_trains_like_tf_keras(name, kwargs, shape, optimizer):
    ours, theirs = _model(keras, name, kwargs, shape), _model(tf_keras, name, kwargs, shape)
    theirs.set_weights([w + RNG.standard_normal(w.shape).astype('float32') * 0.1 for w in theirs.get_weights()])
    ours.set_weights(theirs.get_weights())
    settings = dict(lr=0.05) if optimizer == 'SGD' else {}
    ours.compile(getattr(keras.optimizers, optimizer)(**settings), 'mse')
    oracle_settings = dict(learning_rate=0.05) if optimizer == 'SGD' else {}
    if optimizer != 'SGD':
        oracle_settings['epsilon'] = 1e-7
    theirs.compile(getattr(tf_keras.optimizers.legacy, optimizer)(**oracle_settings), 'mse')
    x = RNG.standard_normal((6,) + shape).astype('float32')
    y = RNG.standard_normal((6, 2)).astype('float32')
    np.testing.assert_allclose(ours.predict(x), theirs.predict(x, verbose=0), atol=1e-5)
    for step in range(3):
        ours_loss = ours.train_on_batch(x[step * 2:step * 2 + 2], y[step * 2:step * 2 + 2])
        their_loss = theirs.train_on_batch(x[step * 2:step * 2 + 2], y[step * 2:step * 2 + 2])
        np.testing.assert_allclose(ours_loss, their_loss, rtol=1e-5, atol=1e-5)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-4)
