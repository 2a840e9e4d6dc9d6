"""Keras 1 calls at run time: every row of the Keras 2 conversion tables (layers, models,
optimizers, generator methods) and every error row.

Each conversion row is `(Keras 1 call, Keras 2 call, expected migration warnings)`: the Keras 1 call must build
the layer the Keras 2 call builds (same config), emit exactly the expected `KerasMigrationWarning` texts (Keras
2's "Update your `X` call to the Keras 2 API" wording) once, and the Keras 2 call must emit none.
"""
import sys
import warnings

import numpy as np
import pytest

import kernelkit as keras
from kernelkit import layers
from kernelkit.legacy import KerasMigrationWarning, install_model_interfaces, table
from kernelkit.models import Model

U = 'Update your `%s` call to the Keras 2 API: `%s`'

ROWS = [
    # examples whose texts were checked against Keras 2.2.4
    ('Dense(10, init="normal", W_regularizer=None, bias=False)',
     'Dense(10, kernel_initializer="normal", kernel_regularizer=None, use_bias=False)',
     [U % ('Dense', 'Dense(10, kernel_initializer="normal", kernel_regularizer=None, use_bias=False)')]),
    ('Dense(output_dim=64, input_dim=100, activation="relu")', 'Dense(64, input_dim=100, activation="relu")',
     [U % ('Dense', 'Dense(input_dim=100, activation="relu", units=64)')]),
    ('Dropout(p=0.5)', 'Dropout(0.5)', [U % ('Dropout', 'Dropout(rate=0.5)')]),
    ('LSTM(32, consume_less="gpu", dropout_W=0.2, dropout_U=0.2, forget_bias_init="one")',
     'LSTM(32, implementation=2, dropout=0.2, recurrent_dropout=0.2, unit_forget_bias=True)',
     [U % ('LSTM', 'LSTM(32, unit_forget_bias=True, dropout=0.2, recurrent_dropout=0.2, implementation=2)')]),
    ('GRU(output_dim=16, input_dim=8, input_length=5, inner_activation="hard_sigmoid", consume_less="cpu")',
     'GRU(16, input_shape=(5, 8), recurrent_activation="hard_sigmoid", implementation=0)',
     [table.RECURRENT_INPUT_DIM,
      U % ('GRU', 'GRU(input_shape=(5, 8), units=16, recurrent_activation="hard_sigmoid", implementation=0)')]),
    ('Convolution2D(32, 3, 3, border_mode="same", subsample=(2, 2), dim_ordering="th", init="he_normal")',
     'Conv2D(32, (3, 3), strides=(2, 2), padding="same", data_format="channels_first", '
     'kernel_initializer="he_normal")',
     [U % ('Conv2D', 'Conv2D(32, (3, 3), strides=(2, 2), padding="same", data_format="channels_first", '
                     'kernel_initializer="he_normal")')]),
    ('Convolution2D(nb_filter=32, nb_row=3, nb_col=3)', 'Conv2D(32, (3, 3))',
     [U % ('Conv2D', 'Conv2D(kernel_size=(3, 3), filters=32)')]),
    ('Convolution1D(nb_filter=64, filter_length=3, subsample_length=1, border_mode="valid", input_dim=100, '
     'input_length=20)', 'Conv1D(64, 3, strides=1, padding="valid", input_shape=(20, 100))',
     [U % ('Conv1D', 'Conv1D(input_shape=(20, 100), filters=64, kernel_size=3, strides=1, padding="valid")')]),
    ('Deconvolution2D(8, 3, 3, (None, 14, 14, 8), subsample=(2, 2))', 'Conv2DTranspose(8, (3, 3), strides=(2, 2))',
     [U % ('Conv2DTranspose', 'Conv2DTranspose(8, (3, 3), strides=(2, 2))')]),
    ('SeparableConvolution2D(16, 3, 3, init="glorot_uniform", depth_multiplier=1)',
     'SeparableConv2D(16, (3, 3), depth_multiplier=1, depthwise_initializer="glorot_uniform", '
     'pointwise_initializer="glorot_uniform")',
     [U % ('SeparableConv2D', 'SeparableConv2D(16, (3, 3), depth_multiplier=1, depthwise_initializer='
                              '"glorot_uniform", pointwise_initializer="glorot_uniform")')]),
    ('MaxPooling1D(pool_length=2, stride=None, border_mode="valid")', 'MaxPooling1D(2, None, "valid")',
     [U % ('MaxPooling1D', 'MaxPooling1D(pool_size=2, strides=None, padding="valid")')]),
    ('MaxPooling2D((2, 2), dim_ordering="default", border_mode="same")', 'MaxPooling2D((2, 2), padding="same")',
     [U % ('MaxPooling2D', 'MaxPooling2D((2, 2), padding="same", data_format=None)')]),
    ('BatchNormalization(mode=0, beta_init="zero", gamma_init="one")',
     'BatchNormalization(beta_initializer="zero", gamma_initializer="one")',
     [U % ('BatchNormalization', 'BatchNormalization(beta_initializer="zero", gamma_initializer="one")')]),
    ('Embedding(1000, 64, dropout=0.2, init="uniform", input_length=10)',
     'Embedding(1000, 64, embeddings_initializer="uniform", input_length=10)',
     [table.EMBEDDING_DROPOUT, U % ('Embedding', 'Embedding(1000, 64, input_length=10, '
                                                 'embeddings_initializer="uniform")')]),
    ('Cropping2D(((1, 1), (2, 2)), dim_ordering="th")', 'Cropping2D(((1, 1), (2, 2)), data_format="channels_first")',
     [U % ('Cropping2D', 'Cropping2D(((1, 1), (..., data_format="channels_first")')]),
    # the other rows of the table (texts built by Keras 2.2's formatting rules)
    ('SpatialDropout1D(p=0.3)', 'SpatialDropout1D(0.3)', [U % ('SpatialDropout1D', 'SpatialDropout1D(rate=0.3)')]),
    ('SpatialDropout2D(p=0.3, dim_ordering="tf")', 'SpatialDropout2D(0.3, data_format="channels_last")',
     [U % ('SpatialDropout2D', 'SpatialDropout2D(rate=0.3, data_format="channels_last")')]),
    ('SpatialDropout3D(p=0.3, dim_ordering="th")', 'SpatialDropout3D(0.3, data_format="channels_first")',
     [U % ('SpatialDropout3D', 'SpatialDropout3D(rate=0.3, data_format="channels_first")')]),
    ('SimpleRNN(8, init="he_normal", inner_init="orthogonal", W_regularizer=None, U_regularizer=None, '
     'b_regularizer=None)', 'SimpleRNN(8, kernel_initializer="he_normal", recurrent_initializer="orthogonal")',
     [U % ('SimpleRNN', 'SimpleRNN(8, kernel_initializer="he_normal", recurrent_initializer="orthogonal", '
                        'kernel_regularizer=None, bias_regularizer=None, recurrent_regularizer=None)')]),
    ('LSTM(8, forget_bias_init="zero")', 'LSTM(8)', [table.FORGET_BIAS_IGNORED]),
    ('LSTM(8, input_dim=3)', 'LSTM(8, input_shape=(None, 3))',
     [table.RECURRENT_INPUT_DIM, U % ('LSTM', 'LSTM(8, input_shape=(None, 3))')]),
    ('LocallyConnected1D(4, 3, subsample_length=1, border_mode="valid", input_dim=6, input_length=10)',
     'LocallyConnected1D(4, 3, strides=1, padding="valid", input_shape=(10, 6))',
     [U % ('LocallyConnected1D', 'LocallyConnected1D(4, 3, input_shape=(10, 6), strides=1, padding="valid")')]),
    ('LocallyConnected2D(4, 3, 3, dim_ordering="tf")', 'LocallyConnected2D(4, (3, 3), data_format="channels_last")',
     [U % ('LocallyConnected2D', 'LocallyConnected2D(4, (3, 3), data_format="channels_last")')]),
    ('Convolution2D(8, 3, nb_col=2)', 'Conv2D(8, (3, 2))', [U % ('Conv2D', 'Conv2D(8, (3, 2))')]),
    ('Convolution2D(8, nb_row=3, nb_col=2)', 'Conv2D(8, (3, 2))', [U % ('Conv2D', 'Conv2D(8, (3, 2))')]),
    ('Conv2DTranspose(8, 3, 3, output_shape=(None, 14, 14, 8))', 'Conv2DTranspose(8, (3, 3))',
     [U % ('Conv2DTranspose', 'Conv2DTranspose(8, (3, 3))')]),
    ('Convolution3D(4, 2, 3, 2, border_mode="same")', 'Conv3D(4, (2, 3, 2), padding="same")',
     [U % ('Conv3D', 'Conv3D(4, (2, 3, 2), padding="same")')]),
    ('Convolution3D(4, 2, 3, kernel_dim3=2)', 'Conv3D(4, (2, 3, 2))', [U % ('Conv3D', 'Conv3D(4, (2, 3, 2))')]),
    ('Convolution3D(4, 2, kernel_dim2=3, kernel_dim3=2)', 'Conv3D(4, (2, 3, 2))',
     [U % ('Conv3D', 'Conv3D(4, (2, 3, 2))')]),
    ('Convolution3D(nb_filter=4, kernel_dim1=2, kernel_dim2=3, kernel_dim3=2, dim_ordering="tf")',
     'Conv3D(4, (2, 3, 2), data_format="channels_last")',
     [U % ('Conv3D', 'Conv3D(kernel_size=(2, 3, 2), filters=4, data_format="channels_last")')]),
    ('ConvLSTM2D(nb_filter=4, nb_row=3, nb_col=3, border_mode="same", inner_activation="hard_sigmoid", '
     'forget_bias_init="one", dropout_W=0.1)',
     'ConvLSTM2D(4, (3, 3), padding="same", recurrent_activation="hard_sigmoid", unit_forget_bias=True, '
     'dropout=0.1)',
     [U % ('ConvLSTM2D', 'ConvLSTM2D(unit_forget_bias=True, kernel_size=(3, 3), filters=4, padding="same", '
                         'recurrent_activation="hard_sigmoid", dropout=0.1)')]),
    ('AveragePooling1D(pool_length=3, stride=1)', 'AveragePooling1D(3, 1)',
     [U % ('AveragePooling1D', 'AveragePooling1D(pool_size=3, strides=1)')]),
    ('AveragePooling2D(pool_size=(2, 2), border_mode="valid", dim_ordering="tf")',
     'AveragePooling2D((2, 2), padding="valid", data_format="channels_last")',
     [U % ('AveragePooling2D', 'AveragePooling2D(pool_size=(2, 2), padding="valid", data_format="channels_last")')]),
    ('MaxPooling3D(border_mode="same", dim_ordering="th")',
     'MaxPooling3D(padding="same", data_format="channels_first")',
     [U % ('MaxPooling3D', 'MaxPooling3D(padding="same", data_format="channels_first")')]),
    ('AveragePooling3D(dim_ordering="tf")', 'AveragePooling3D(data_format="channels_last")',
     [U % ('AveragePooling3D', 'AveragePooling3D(data_format="channels_last")')]),
    ('GlobalMaxPooling2D(dim_ordering="th")', 'GlobalMaxPooling2D(data_format="channels_first")',
     [U % ('GlobalMaxPooling2D', 'GlobalMaxPooling2D(data_format="channels_first")')]),
    ('GlobalAveragePooling2D(dim_ordering="tf")', 'GlobalAveragePooling2D(data_format="channels_last")',
     [U % ('GlobalAveragePooling2D', 'GlobalAveragePooling2D(data_format="channels_last")')]),
    ('GlobalMaxPooling3D(dim_ordering="default")', 'GlobalMaxPooling3D()',
     [U % ('GlobalMaxPooling3D', 'GlobalMaxPooling3D(data_format=None)')]),
    ('GlobalAveragePooling3D(dim_ordering="th")', 'GlobalAveragePooling3D(data_format="channels_first")',
     [U % ('GlobalAveragePooling3D', 'GlobalAveragePooling3D(data_format="channels_first")')]),
    ('UpSampling1D(length=3)', 'UpSampling1D(3)', [U % ('UpSampling1D', 'UpSampling1D(size=3)')]),
    ('UpSampling2D(size=(2, 3), dim_ordering="tf")', 'UpSampling2D((2, 3), data_format="channels_last")',
     [U % ('UpSampling2D', 'UpSampling2D(size=(2, 3), data_format="channels_last")')]),
    ('UpSampling3D(dim_ordering="th")', 'UpSampling3D(data_format="channels_first")',
     [U % ('UpSampling3D', 'UpSampling3D(data_format="channels_first")')]),
    ('ZeroPadding2D(padding={"top_pad": 1, "bottom_pad": 2, "left_pad": 3})', 'ZeroPadding2D(((1, 2), (3, 0)))',
     [table.PADDING_DICT_KEYWORD]),
    ('ZeroPadding2D({"right_pad": 4})', 'ZeroPadding2D(((0, 0), (0, 4)))', [table.PADDING_DICT_POSITIONAL]),
    ('ZeroPadding2D((1, 2), dim_ordering="tf")', 'ZeroPadding2D((1, 2), data_format="channels_last")',
     [U % ('ZeroPadding2D', 'ZeroPadding2D((1, 2), data_format="channels_last")')]),
    ('ZeroPadding3D(dim_ordering="th")', 'ZeroPadding3D(data_format="channels_first")',
     [U % ('ZeroPadding3D', 'ZeroPadding3D(data_format="channels_first")')]),
    ('Cropping3D(dim_ordering="tf")', 'Cropping3D(data_format="channels_last")',
     [U % ('Cropping3D', 'Cropping3D(data_format="channels_last")')]),
    ('GaussianNoise(sigma=0.1)', 'GaussianNoise(0.1)', [U % ('GaussianNoise', 'GaussianNoise(stddev=0.1)')]),
    ('GaussianDropout(p=0.2)', 'GaussianDropout(0.2)', [U % ('GaussianDropout', 'GaussianDropout(rate=0.2)')]),
    ('PReLU(init="zero")', 'PReLU("zero")', [U % ('PReLU', 'PReLU(alpha_initializer="zero")')]),
    ('InputLayer(batch_input_shape=(None, 3), input_dtype="float32", name="in")',
     'InputLayer(batch_input_shape=(None, 3), dtype="float32", name="in")',
     [U % ('InputLayer', 'InputLayer(batch_input_shape=(None, 3), name="in", dtype="float32")')]),
    ('Reshape((2, 3), input_dtype="float32", input_shape=(6,))', 'Reshape((2, 3), dtype="float32", input_shape=(6,))',
     []),
    ('AtrousConvolution2D(8, 3, 3, atrous_rate=(2, 2), border_mode="same")',
     'Conv2D(8, (3, 3), dilation_rate=(2, 2), padding="same")',
     [table.ATROUS % ('AtrousConvolution2D', 'Conv2D'),
      U % ('Conv2D', 'Conv2D(8, (3, 3), dilation_rate=(2, 2), padding="same")')]),
    ('AtrousConvolution1D(8, 3, atrous_rate=2)', 'Conv1D(8, 3, dilation_rate=2)',
     [table.ATROUS % ('AtrousConvolution1D', 'Conv1D')]),
]

KERAS2_CALLS = ['Dense(10, activation="relu")', 'Conv2D(32, 3)', 'Conv2D(32, (3, 3), strides=2, padding="same")',
                'LSTM(8, implementation=1, recurrent_activation="sigmoid")', 'Embedding(10, 4, input_length=3)',
                'BatchNormalization(axis=-1, momentum=0.9)', 'MaxPooling2D((2, 2), (1, 1), "same")',
                'Dropout(0.5, None, 3)', 'Convolution2D(8, (3, 3))', 'ZeroPadding2D(((1, 2), (3, 4)))']


def _namespace():
    return {name: getattr(layers, name) for name in dir(layers) if not name.startswith('_')}


def _build(code):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        layer = eval(code, _namespace())
    return layer, [w for w in caught if issubclass(w.category, KerasMigrationWarning)]


def _config(layer):
    config = layer.get_config()
    config.pop('name', None)
    if 'layer' in config:
        config['layer']['config'].pop('name', None)
    return config


@pytest.mark.parametrize('keras1,keras2,expected', ROWS, ids=[r[0][:60] for r in ROWS])
def test_conversion_row(keras1, keras2, expected):
    old_layer, caught = _build(keras1)
    new_layer, caught_new = _build(keras2)
    assert [str(w.message) for w in caught] == expected
    assert caught_new == [] or keras2.startswith(('Conv2D(8, (3, 3), dilation', 'Conv1D(8, 3, dilation'))
    assert type(old_layer) is type(new_layer)
    assert _config(old_layer) == _config(new_layer)


@pytest.mark.parametrize('code', KERAS2_CALLS)
def test_keras2_calls_do_not_warn(code):
    layer, caught = _build(code)
    assert caught == []
    assert type(layer).__name__ == code.split('(')[0].replace('Convolution2D', 'Conv2D')


ERRORS = [
    ('Dense(units=3, output_dim=3)', TypeError,
     'For the `units` argument, the layer received both the legacy keyword argument `output_dim` and the Keras 2 '
     'keyword argument `units`. Stick to the latter!'),
    ('LSTM(4, dropout=0.1, dropout_W=0.2)', TypeError,
     'For the `dropout` argument, the layer received both the legacy keyword argument `dropout_W` and the Keras 2 '
     'keyword argument `dropout`. Stick to the latter!'),
    ('BatchNormalization(mode=1)', TypeError, table.BATCHNORM_MODE),
    ('BatchNormalization(mode=2)', TypeError, table.BATCHNORM_MODE),
    ('BatchNormalization(0.001)', TypeError, table.BATCHNORM_POSITIONAL),
    ('Dense(10, "relu")', TypeError, "`Dense` can accept only 1 positional arguments ('units',), but you passed "
                                     "the following positional arguments: [10, 'relu']"),
    ('Conv2D(32, (3, 3), "same")', TypeError,
     "`Conv2D` can accept only 2 positional arguments ('filters', 'kernel_size'), but you passed the following "
     "positional arguments: [32, (3, 3), 'same']"),
    ('Conv2D(32, 3, 3, padding="same")', ValueError, table.KERNEL_AND_STRIDES),
    ('Conv2D(32, 3, 3, strides=2)', ValueError, table.KERNEL_AND_STRIDES),
    ('Convolution2D(32, 3, 3, data_format="channels_last")', ValueError, table.KERNEL_AND_STRIDES),
    ('Conv3D(4, 2, 2, padding="same")', ValueError, table.KERNEL_AND_STRIDES),
    ('Conv2D(32, 3, 3, 3)', TypeError, 'Layer can receive at most 3 positional arguments.'),
    ('Conv3D(4, 2, 2, 2, 2)', TypeError, 'Layer can receive at most 4 positional arguments.'),
    ('Dropout(0.5, None, 1, 2)', TypeError, "`Dropout` can accept only 3 positional arguments ('rate', "
                                            "'noise_shape', 'seed'), but you passed the following positional "
                                            "arguments: [0.5, None, 1, 2]"),
]


@pytest.mark.parametrize('code,error,message', ERRORS, ids=[e[0] for e in ERRORS])
def test_error_row(code, error, message):
    with pytest.raises(error) as raised:
        _build(code)
    assert str(raised.value) == message


def test_warning_is_attributed_to_the_users_line_with_structured_data():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        line = sys._getframe().f_lineno + 1
        layers.Dense(10, init='normal')
    (warning,) = caught
    assert warning.category is KerasMigrationWarning and issubclass(KerasMigrationWarning, UserWarning)
    assert warning.filename == __file__ and warning.lineno == line
    message = warning.message
    assert (message.filename, message.lineno) == (__file__, line)
    assert message.old_call == "layers.Dense(10, init='normal')"
    assert message.new_call == 'Dense(10, kernel_initializer="normal")'
    assert message.arguments == ((10,), {'kernel_initializer': 'normal'})
    assert message.as_dict()['new_call'] == message.new_call


def test_one_warning_per_converted_call_and_subclasses_named_as_themselves():
    class MyDense(layers.Dense):
        def __init__(self, units, **kwargs):
            super(MyDense, self).__init__(units, **kwargs)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        for _ in range(3):
            layer = MyDense(4, init='zero')
        conv = layers.Conv2DTranspose(2, 3, 3, border_mode='same')   # Conv2DTranspose calls Conv2D.__init__
    texts = [str(w.message) for w in caught]
    assert texts == [U % ('MyDense', 'MyDense(4, kernel_initializer="zero")')] * 3 + [
        U % ('Conv2DTranspose', 'Conv2DTranspose(2, (3, 3), padding="same")')]
    assert type(layer).__name__ == 'MyDense' and type(conv).__name__ == 'Conv2DTranspose'
    assert layers.Convolution2D is layers.Conv2D and layers.Conv2D.__init__.__wrapped__ is not None


def test_keras1_layers_serialize_as_keras2_and_reload_without_warnings():
    model = keras.models.Sequential()
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        model.add(layers.Convolution2D(2, 3, 3, input_shape=(5, 5, 1), border_mode='same', init='he_normal'))
    config = model.get_config()
    assert [l['class_name'] for l in config['layers']] == ['Conv2D']
    assert 'nb_filter' not in config['layers'][0]['config']
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        keras.models.Sequential.from_config(config)
    assert [w for w in caught if issubclass(w.category, KerasMigrationWarning)] == []


def test_model_input_output_keywords():
    x = layers.Input((3,))
    y = layers.Dense(2)(x)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        model = Model(input=x, output=y, name='m')
    (warning,) = caught
    assert str(warning.message).startswith('Update your `Model` call to the Keras 2 API: `Model(name="m", inputs=')
    assert model.inputs == [x] and model.outputs == [y] and model.name == 'm'
    with pytest.raises(TypeError, match='both the legacy keyword argument `input`'):
        Model(input=x, inputs=x, outputs=y)


def test_fit_nb_epoch():
    model = keras.models.Sequential([layers.Dense(1, input_shape=(2,))])
    model.compile('sgd', 'mse')
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        history = model.fit(np.zeros((4, 2)), np.zeros((4, 1)), nb_epoch=3, verbose=0)
    assert [str(w.message) for w in caught] == [table.NB_EPOCH]
    assert caught[0].category is KerasMigrationWarning and caught[0].filename == __file__
    assert len(history.history['loss']) == 3
    with pytest.raises(TypeError, match='both the legacy keyword argument `nb_epoch`'):
        model.fit(np.zeros((4, 2)), np.zeros((4, 1)), nb_epoch=1, epochs=1, verbose=0)


class _Batches(object):
    batch_size = 32

    def __str__(self):
        return 'G'


class _Stub(Model):
    """A model whose generator methods return what they receive (the engine's may be absent)."""

    def fit_generator(self, generator, steps_per_epoch=None, epochs=1, verbose=1, callbacks=None,
                      validation_data=None, validation_steps=None, class_weight=None, max_queue_size=10, workers=1,
                      use_multiprocessing=False, shuffle=True, initial_epoch=0):
        return dict(steps_per_epoch=steps_per_epoch, epochs=epochs, validation_steps=validation_steps,
                    max_queue_size=max_queue_size, workers=workers, use_multiprocessing=use_multiprocessing)

    def evaluate_generator(self, generator, steps=None, max_queue_size=10, workers=1, use_multiprocessing=False):
        return dict(steps=steps, workers=workers)

    def predict_generator(self, generator, steps=None, max_queue_size=10, workers=1, use_multiprocessing=False,
                          verbose=0):
        return dict(steps=steps, max_queue_size=max_queue_size)


def test_generator_methods_of_a_stub_model():
    assert install_model_interfaces(_Stub) == ['__init__', 'fit', 'fit_generator', 'evaluate_generator',
                                               'predict_generator']
    stub = _Stub()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        received = stub.fit_generator(_Batches(), samples_per_epoch=1000, nb_epoch=5, nb_val_samples=100,
                                      nb_worker=2, pickle_safe=True, max_q_size=5)
    assert [str(w.message) for w in caught] == [
        table.GENERATOR_SEMANTICS,
        U % ('fit_generator', 'fit_generator(G, steps_per_epoch=31, epochs=5, validation_steps=100, workers=2, '
                              'use_multiprocessing=True, max_queue_size=5)')]
    assert received == dict(steps_per_epoch=31, epochs=5, validation_steps=100, max_queue_size=5, workers=2,
                            use_multiprocessing=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        assert stub.fit_generator(iter([]), samples_per_epoch=10)['steps_per_epoch'] == 10   # no batch_size
        with pytest.raises(TypeError, match='multiple values'):   # Keras 2: renamed, not divided, then clashes
            stub.fit_generator(_Batches(), 7, samples_per_epoch=64)
        assert stub.evaluate_generator(_Batches(), val_samples=64) == dict(steps=64, workers=1)   # no division
        assert stub.predict_generator(_Batches(), val_samples=5, max_q_size=3) == dict(steps=5, max_queue_size=3)
        assert stub.fit_generator(_Batches(), steps_per_epoch=3)['steps_per_epoch'] == 3   # Keras 2: no warning
    assert len([w for w in caught if str(w.message) == table.GENERATOR_SEMANTICS]) == 3
    with pytest.raises(TypeError, match="`fit_generator` can accept only 3 positional arguments"):
        stub.fit_generator(_Batches(), 1, 2, 3)


@pytest.mark.skipif(not hasattr(Model, 'fit_generator'), reason='the engine has no fit_generator yet')
def test_engine_generator_methods_are_wrapped():
    for name in ('fit_generator', 'evaluate_generator', 'predict_generator'):
        assert getattr(Model, name).__kernelkit_legacy__.name == name


def test_merge_function_and_layer_every_mode():
    a, b = layers.Input((4,)), layers.Input((4,))
    x1, x2 = np.random.rand(3, 4).astype('float32'), np.random.rand(3, 4).astype('float32')
    expected = {'sum': x1 + x2, 'mul': x1 * x2, 'concat': np.concatenate([x1, x2], -1), 'ave': (x1 + x2) / 2,
                'max': np.maximum(x1, x2), 'dot': np.sum(x1 * x2, -1, keepdims=True),
                'cos': np.sum(x1 * x2, -1, keepdims=True) / np.linalg.norm(x1, axis=-1, keepdims=True)
                / np.linalg.norm(x2, axis=-1, keepdims=True)}
    for mode, value in expected.items():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            merged = layers.merge([a, b], mode=mode)
            layer = layers.Merge(mode=mode)
        assert [str(w.message) for w in caught] == [table.MERGE_FUNCTION, table.MERGE_LAYER]
        assert type(layer).__name__ == table.MERGE_MODES[mode].layer
        model = Model([a, b], [merged, layer([a, b])])
        for output in model.predict([x1, x2]):
            np.testing.assert_allclose(output, value, rtol=1e-5, atol=1e-6)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        layer = layers.Merge(mode=lambda xs: xs[0] - xs[1], output_shape=(4,))
        merged = layers.merge([a, b], mode='concat', concat_axis=1, name='joined')
    assert type(layer).__name__ == 'Lambda' and merged.shape[-1] == 8
    assert caught[1].message.new_call.startswith('concatenate([<KerasTen..., axis=1, name="joined")')
    np.testing.assert_allclose(Model([a, b], layer([a, b])).predict([x1, x2]), x1 - x2, rtol=1e-6)
    with pytest.raises(TypeError, match='functional API'):
        layers.Merge([layers.Dense(2), layers.Dense(2)], mode='concat')


def test_maxout_dense_and_highway():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        maxout = layers.MaxoutDense(3, nb_feature=2, input_dim=4)
        highway = layers.Highway(input_dim=4, activation='tanh', transform_bias=-2)
    assert [str(w.message) for w in caught] == [table.MAXOUT_DENSE, table.HIGHWAY, table.HIGHWAY_TRANSFORM_BIAS]
    x = np.random.rand(5, 4).astype('float32')
    for layer in (maxout, highway):
        model = keras.models.Sequential([layer])
        model.predict(x)
    W, b = maxout.get_weights()
    assert W.shape == (2, 4, 3) and b.shape == (2, 3)
    W, b = np.random.rand(2, 4, 3).astype('float32'), np.random.rand(2, 3).astype('float32')
    maxout.set_weights([W, b])
    np.testing.assert_allclose(keras.models.Sequential([maxout]).predict(x),
                               np.max(np.einsum('bi,fio->bfo', x, W) + b, axis=1), rtol=1e-5)
    W, W_carry, b, b_carry = highway.get_weights()
    assert W.shape == W_carry.shape == (4, 4) and not b.any() and (b_carry == 1).all()
    t = 1 / (1 + np.exp(-(x @ W_carry + b_carry)))
    np.testing.assert_allclose(keras.models.Sequential([highway]).predict(x), np.tanh(x @ W + b) * t + x * (1 - t),
                               rtol=1e-5, atol=1e-6)
    config = highway.get_config()
    assert config['activation'] == 'tanh' and config['input_dim'] == 4
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        assert type(layers.deserialize({'class_name': 'MaxoutDense', 'config': maxout.get_config()})).__name__ == \
            'MaxoutDense'


@pytest.mark.parametrize('name', sorted(table.REMOVED))
def test_removed_layers_raise_with_what_to_write_instead(name):
    with pytest.raises(ImportError) as raised:
        getattr(layers, name)
    assert str(raised.value) == table.REMOVED[name]
    with pytest.raises(ImportError, match='removed in Keras 2.0'):
        exec('from kernelkit.layers import %s' % name, {})
    with pytest.raises(AttributeError):
        layers.NoSuchLayer


@pytest.mark.parametrize('name', sorted(table.REMOVED_METRICS))
def test_removed_metrics_raise_with_what_to_write_instead(name):
    with pytest.raises(ImportError, match='removed in Keras 2.0'):
        getattr(keras.metrics, name)
    model = keras.models.Sequential([layers.Dense(2, input_shape=(3,))])
    with pytest.raises(ValueError) as raised:
        model.compile('sgd', 'mse', metrics=[name])
        model.fit(np.zeros((2, 3)), np.zeros((2, 2)), verbose=0)
    assert str(raised.value).startswith('Unknown metric function:%s. `%s` was removed' % (name, name))


def test_objectives_module_warns_and_is_losses():
    sys.modules.pop('kernelkit.objectives', None)
    with pytest.warns(KerasMigrationWarning, match='renamed `keras.losses`'):
        from kernelkit import objectives
    assert objectives.mean_squared_error is keras.losses.mean_squared_error
    assert objectives.get('mse') is keras.losses.mse


def test_image_dim_ordering():
    K = keras.backend
    previous = K.image_data_format()
    try:
        K.set_image_dim_ordering('th')
        assert K.image_data_format() == 'channels_first' and K.image_dim_ordering() == 'th'
        K.set_image_dim_ordering('tf')
        assert K.image_data_format() == 'channels_last' and K.image_dim_ordering() == 'tf'
        with pytest.raises(ValueError):
            K.set_image_dim_ordering('xy')
    finally:
        K.set_image_data_format(previous)


def test_keras1_custom_layer_get_output_shape_for_and_add_weight():
    import tensorflow as tf
    with pytest.warns(KerasMigrationWarning, match='get_output_shape_for'):
        class Doubler(layers.Layer):   # a Keras 1.2 custom layer
            def build(self, input_shape):
                self.W = self.add_weight((input_shape[-1], 2), initializer='one', name='W')
                self.built = True

            def call(self, x, mask=None):
                return tf.concat([tf.matmul(x, self.W), x], axis=-1)

            def get_output_shape_for(self, input_shape):
                return (input_shape[0], input_shape[1] + 2)

    layer = Doubler()
    assert layer.compute_output_shape((None, 3)) == (None, 5)
    model = keras.models.Sequential([layers.Dense(3, input_shape=(4,)), layer])
    assert model.output_shape == (None, 5)
    assert layer.W.shape == (3, 2) and 'W' in layer.W.name
    np.testing.assert_allclose(layer.get_weights()[0], np.ones((3, 2)))


def test_keras1_regularizer_names():
    R = keras.regularizers
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        activity, both, weight = R.activity_l2(0.1), R.l1l2(0.1, 0.2), R.WeightRegularizer(l2=0.3)
    assert [w.message.new_call for w in caught] == ['l2(0.1)', 'l1_l2(0.1, 0.2)', 'L1L2(l2=0.3)']
    assert str(caught[0].message) == table.FUNCTION_SHIM % ('activity_l2', 'l2', 'l2')
    assert (activity.l2, both.l1, both.l2, weight.l2) == pytest.approx((0.1, 0.1, 0.2, 0.3))
    assert isinstance(weight, R.L1L2)
