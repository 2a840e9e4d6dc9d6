"""Every layer of the catalogue survives kernelkit -> file -> kernelkit, and models move both ways between
kernelkit and tf_keras through HDF5 files with the same predictions."""
import numpy as np
import pytest
import tf_keras

import kernelkit as keras
from kernelkit import layers as L
from kernelkit.models import Model, Sequential, load_model

RNG = np.random.RandomState(0)

# (name, factory of a fresh layer, input shape without batch, input kind)
CATALOGUE = [
    ('Dense', lambda: L.Dense(3, activation='tanh'), (4,), 'float'),
    ('Activation', lambda: L.Activation('relu'), (4,), 'float'),
    ('Dropout', lambda: L.Dropout(0.3), (4,), 'float'),
    ('Flatten', lambda: L.Flatten(), (2, 3), 'float'),
    ('Reshape', lambda: L.Reshape((3, 2)), (6,), 'float'),
    ('Permute', lambda: L.Permute((2, 1)), (2, 3), 'float'),
    ('RepeatVector', lambda: L.RepeatVector(2), (3,), 'float'),
    ('ActivityRegularization', lambda: L.ActivityRegularization(l1=0.01), (3,), 'float'),
    ('Masking', lambda: L.Masking(), (3, 2), 'float'),
    ('Conv1D', lambda: L.Conv1D(2, 2, padding='causal'), (5, 3), 'float'),
    ('Conv2D', lambda: L.Conv2D(2, (2, 2), strides=(2, 1)), (5, 5, 2), 'float'),
    ('Conv2D_cf', lambda: L.Conv2D(2, (2, 2), data_format='channels_first'), (2, 5, 5), 'float'),
    ('Conv3D', lambda: L.Conv3D(2, 2), (3, 3, 3, 1), 'float'),
    ('Conv2DTranspose', lambda: L.Conv2DTranspose(2, (2, 2), strides=(2, 2)), (3, 3, 2), 'float'),
    ('Conv3DTranspose', lambda: L.Conv3DTranspose(2, 2), (2, 2, 2, 1), 'float'),
    ('SeparableConv1D', lambda: L.SeparableConv1D(2, 2), (5, 3), 'float'),
    ('SeparableConv2D', lambda: L.SeparableConv2D(2, (2, 2), depth_multiplier=2), (4, 4, 2), 'float'),
    ('DepthwiseConv2D', lambda: L.DepthwiseConv2D((2, 2)), (4, 4, 2), 'float'),
    ('UpSampling1D', lambda: L.UpSampling1D(2), (3, 2), 'float'),
    ('UpSampling2D', lambda: L.UpSampling2D((2, 2)), (2, 2, 1), 'float'),
    ('UpSampling3D', lambda: L.UpSampling3D((1, 2, 2)), (2, 2, 2, 1), 'float'),
    ('ZeroPadding1D', lambda: L.ZeroPadding1D(1), (3, 2), 'float'),
    ('ZeroPadding2D', lambda: L.ZeroPadding2D(((1, 0), (0, 1))), (2, 2, 1), 'float'),
    ('ZeroPadding3D', lambda: L.ZeroPadding3D(1), (2, 2, 2, 1), 'float'),
    ('Cropping1D', lambda: L.Cropping1D((1, 0)), (4, 2), 'float'),
    ('Cropping2D', lambda: L.Cropping2D(((1, 0), (0, 1))), (3, 3, 1), 'float'),
    ('Cropping3D', lambda: L.Cropping3D(1), (3, 3, 3, 1), 'float'),
    ('MaxPooling1D', lambda: L.MaxPooling1D(2), (4, 2), 'float'),
    ('MaxPooling2D', lambda: L.MaxPooling2D((2, 2)), (4, 4, 1), 'float'),
    ('MaxPooling3D', lambda: L.MaxPooling3D(2), (2, 2, 2, 1), 'float'),
    ('AveragePooling1D', lambda: L.AveragePooling1D(2), (4, 2), 'float'),
    ('AveragePooling2D', lambda: L.AveragePooling2D((2, 2)), (4, 4, 1), 'float'),
    ('AveragePooling3D', lambda: L.AveragePooling3D(2), (2, 2, 2, 1), 'float'),
    ('GlobalMaxPooling1D', lambda: L.GlobalMaxPooling1D(), (4, 2), 'float'),
    ('GlobalAveragePooling1D', lambda: L.GlobalAveragePooling1D(), (4, 2), 'float'),
    ('GlobalMaxPooling2D', lambda: L.GlobalMaxPooling2D(), (3, 3, 2), 'float'),
    ('GlobalAveragePooling2D', lambda: L.GlobalAveragePooling2D(), (3, 3, 2), 'float'),
    ('GlobalMaxPooling3D', lambda: L.GlobalMaxPooling3D(), (2, 2, 2, 2), 'float'),
    ('GlobalAveragePooling3D', lambda: L.GlobalAveragePooling3D(), (2, 2, 2, 2), 'float'),
    ('SimpleRNN', lambda: L.SimpleRNN(3, return_sequences=True), (4, 2), 'float'),
    ('GRU', lambda: L.GRU(3), (4, 2), 'float'),
    ('GRU_reset_after', lambda: L.GRU(3, reset_after=True, recurrent_activation='sigmoid'), (4, 2), 'float'),
    ('LSTM', lambda: L.LSTM(3, go_backwards=True), (4, 2), 'float'),
    ('RNN_stacked', lambda: L.RNN(L.StackedRNNCells([L.LSTMCell(2), L.GRUCell(3)])), (4, 2), 'float'),
    ('ConvLSTM2D', lambda: L.ConvLSTM2D(2, (2, 2)), (2, 3, 3, 1), 'float'),
    ('Embedding', lambda: L.Embedding(10, 3, mask_zero=True), (4,), 'int'),
    ('BatchNormalization', lambda: L.BatchNormalization(), (3,), 'float'),
    ('LeakyReLU', lambda: L.LeakyReLU(0.2), (3,), 'float'),
    ('PReLU', lambda: L.PReLU(shared_axes=[1]), (2, 3), 'float'),
    ('ELU', lambda: L.ELU(), (3,), 'float'),
    ('ThresholdedReLU', lambda: L.ThresholdedReLU(0.5), (3,), 'float'),
    ('Softmax', lambda: L.Softmax(), (3,), 'float'),
    ('ReLU', lambda: L.ReLU(max_value=1.), (3,), 'float'),
    ('GaussianNoise', lambda: L.GaussianNoise(0.1), (3,), 'float'),
    ('GaussianDropout', lambda: L.GaussianDropout(0.1), (3,), 'float'),
    ('AlphaDropout', lambda: L.AlphaDropout(0.1), (3,), 'float'),
    ('SpatialDropout1D', lambda: L.SpatialDropout1D(0.2), (3, 2), 'float'),
    ('SpatialDropout2D', lambda: L.SpatialDropout2D(0.2), (2, 2, 2), 'float'),
    ('SpatialDropout3D', lambda: L.SpatialDropout3D(0.2), (2, 2, 2, 2), 'float'),
    ('TimeDistributed', lambda: L.TimeDistributed(L.Dense(2)), (3, 4), 'float'),
    ('Bidirectional', lambda: L.Bidirectional(L.LSTM(2, return_sequences=True), merge_mode='sum'), (3, 2),
     'float'),
    ('LocallyConnected1D', lambda: L.LocallyConnected1D(2, 2), (4, 3), 'float'),
    ('LocallyConnected2D', lambda: L.LocallyConnected2D(2, (2, 2)), (3, 3, 2), 'float'),
]


def _data(shape, kind, n=6):
    if kind == 'int':
        return RNG.randint(0, 10, (n,) + shape).astype('int32')
    return RNG.standard_normal((n,) + shape).astype('float32')


def _dtype(kind):
    return 'int32' if kind == 'int' else 'float32'


def _head_layers(rank, masked):
    """A trainable head so the whole model trains and has optimizer state, whatever the layer outputs (a
    masked sequence goes through a pooling layer that supports masks, as Flatten does not)."""
    if rank <= 2:
        return [L.Dense(2)]
    return [L.GlobalAveragePooling1D() if masked else L.Flatten(), L.Dense(2)]


def _head(x, masked=False):
    for layer in _head_layers(len(x.shape), masked):
        x = layer(x)
    return x


def _assert_same(loaded, model, x):
    np.testing.assert_allclose(loaded.predict(x), model.predict(x), atol=1e-6)
    assert loaded.get_config() == model.get_config()
    ours = model.optimizer.get_weights()
    assert len(loaded.optimizer.get_weights()) == len(ours)
    for a, b in zip(loaded.optimizer.get_weights(), ours):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize('name,factory,shape,kind', CATALOGUE, ids=[c[0] for c in CATALOGUE])
def test_every_layer_round_trips_in_sequential_functional_nested_and_shared_models(tmp_path, name, factory,
                                                                                   shape, kind):
    x = _data(shape, kind)
    y = RNG.standard_normal((len(x), 2)).astype('float32')

    masked = name in ('Masking', 'Embedding')
    sequential = Sequential([L.InputLayer(input_shape=shape, dtype=_dtype(kind)), factory()])
    for layer in _head_layers(len(sequential.output_shape), masked):
        sequential.add(layer)
    inputs = L.Input(shape=shape, dtype=_dtype(kind))
    functional = Model(inputs, _head(factory()(inputs), masked))
    inner_in = L.Input(shape=shape, dtype=_dtype(kind))
    inner = Model(inner_in, factory()(inner_in), name='inner_' + name.lower())
    outer_in = L.Input(shape=shape, dtype=_dtype(kind))
    nested = Model(outer_in, _head(inner(outer_in), masked))
    models = [sequential, functional, nested]
    if kind == 'float':
        shared = factory()
        a, b = L.Input(shape=shape), L.Input(shape=shape)
        merged = L.add([shared(a), shared(b)])
        models.append(Model([a, b], _head(merged, masked)))
    for index, model in enumerate(models):
        feed = [x, x] if len(model.inputs) == 2 else x
        model.compile('adam', 'mse')
        model.fit(feed, y, epochs=1, batch_size=3, verbose=0)
        path = str(tmp_path / ('m%d.h5' % index))
        model.save(path)
        _assert_same(load_model(path), model, feed)


def _copy_and_compare(ours_model, their_model, x, tmp_path):
    path = str(tmp_path / 'theirs.h5')
    their_model.save(path)
    loaded = load_model(path, compile=False)
    np.testing.assert_allclose(loaded.predict(x), their_model.predict(x, verbose=0), atol=1e-5)
    path = str(tmp_path / 'ours.h5')
    ours_model.save(path)
    loaded = tf_keras.models.load_model(path, compile=False)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), ours_model.predict(x), atol=1e-5)


def _stack(keras_module, kind):
    K = keras_module.layers
    if kind == 'conv':
        return [K.Conv2D(3, (2, 2), activation='relu', input_shape=(5, 5, 2)), K.MaxPooling2D((2, 2)),
                K.BatchNormalization(), K.Flatten(), K.Dense(2)]
    if kind == 'lstm':
        return [K.Embedding(12, 4, input_length=5), K.LSTM(3, return_sequences=True,
                                                            recurrent_activation='sigmoid'),
                K.TimeDistributed(K.Dense(2)), K.GRU(2, reset_after=True, recurrent_activation='sigmoid')]
    return [K.Bidirectional(K.GRU(3, return_sequences=True, reset_after=True, recurrent_activation='sigmoid'),
                            input_shape=(4, 2)),
            K.Bidirectional(K.LSTM(2, recurrent_activation='sigmoid'), merge_mode='ave'), K.Dense(1)]


@pytest.mark.parametrize('kind', ['conv', 'lstm', 'bidirectional'])
def test_sequential_models_move_both_ways_with_tf_keras(tmp_path, kind):
    ours = Sequential(_stack(keras, kind))
    theirs = tf_keras.Sequential(_stack(tf_keras, kind))
    x = RNG.randint(1, 12, (4, 5)) if kind == 'lstm' else \
        RNG.standard_normal((4,) + ((5, 5, 2) if kind == 'conv' else (4, 2))).astype('float32')
    theirs.set_weights([w + RNG.standard_normal(w.shape).astype(w.dtype) * 0.1 for w in theirs.get_weights()])
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(ours.predict(x), theirs.predict(x, verbose=0), atol=1e-5)
    _copy_and_compare(ours, theirs, x, tmp_path)


def test_functional_models_move_both_ways_with_tf_keras(tmp_path):
    def build(k):
        image = k.layers.Input(shape=(6, 6, 1), name='image')
        sequence = k.layers.Input(shape=(5,), name='words')
        a = k.layers.Flatten()(k.layers.Conv2D(2, (3, 3))(image))
        b = k.layers.LSTM(3, recurrent_activation='sigmoid')(k.layers.Embedding(10, 4)(sequence))
        joined = k.layers.concatenate([a, b])
        return k.models.Model([image, sequence], [k.layers.Dense(2, name='first')(joined),
                                           k.layers.Dense(1, name='second')(b)])

    ours, theirs = build(keras), build(tf_keras)
    ours.set_weights(theirs.get_weights())
    x = [RNG.standard_normal((3, 6, 6, 1)).astype('float32'), RNG.randint(0, 10, (3, 5))]
    path = str(tmp_path / 'theirs.h5')
    theirs.save(path)
    loaded = load_model(path, compile=False)
    for a, b in zip(loaded.predict(x), theirs.predict(x, verbose=0)):
        np.testing.assert_allclose(a, b, atol=1e-5)
    path = str(tmp_path / 'ours.h5')
    ours.save(path)
    loaded = tf_keras.models.load_model(path, compile=False)
    for a, b in zip(loaded.predict(x, verbose=0), ours.predict(x)):
        np.testing.assert_allclose(a, b, atol=1e-5)
