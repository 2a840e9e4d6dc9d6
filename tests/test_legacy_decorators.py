"""Keras 2's `keras.legacy.interfaces` decorators and preprocessors, rebuilt from kernelkit's Keras 1 table.

Custom layers of the Keras 2.0-2.2 era decorate their `__init__` with `legacy_dense_support` & co.; the same
Keras 1 call must be converted, and warned about, exactly as the built-in layer's call.
"""
import warnings

import numpy as np
import pytest

import kernelkit as keras
from kernelkit import backend as K
from kernelkit.layers import Conv2D, Dense, Layer
from kernelkit.legacy import KerasMigrationWarning, decorators as interfaces
from kernelkit.legacy import table


def _record(function):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        result = function()
    return result, [str(w.message) for w in caught if issubclass(w.category, KerasMigrationWarning)]


class MyDense(Dense):
    @interfaces.legacy_dense_support
    def __init__(self, units, scale=1.0, **kwargs):
        self.scale = scale
        super(MyDense, self).__init__(units, **kwargs)


class MyConv(Conv2D):
    @interfaces.legacy_conv2d_support
    def __init__(self, filters, kernel_size, **kwargs):
        super(MyConv, self).__init__(filters, kernel_size, **kwargs)


def test_decorated_subclass_converts_like_the_builtin_and_warns_once():
    layer, messages = _record(lambda: MyDense(output_dim=3, init='zeros', scale=2.0))
    assert (layer.units, layer.scale, type(layer.kernel_initializer).__name__) == (3, 2.0, 'Zeros')
    # Keras 2 lists the keywords in the order of the converted call: untouched ones first, renamed after.
    assert messages == ['Update your `MyDense` call to the Keras 2 API: '
                        '`MyDense(scale=2.0, units=3, kernel_initializer="zeros")`']
    _, builtin = _record(lambda: Dense(output_dim=3, init='zeros'))
    assert builtin == ['Update your `Dense` call to the Keras 2 API: `Dense(units=3, kernel_initializer="zeros")`']


def test_decorated_conv_takes_keras_1_positional_kernel():
    layer, messages = _record(lambda: MyConv(8, 3, 3, border_mode='same', subsample=(2, 2)))
    assert (layer.filters, layer.kernel_size, layer.padding, layer.strides) == (8, (3, 3), 'same', (2, 2))
    assert messages == ['Update your `MyConv` call to the Keras 2 API: '
                        '`MyConv(8, (3, 3), strides=(2, 2), padding="same")`']
    y = keras.models.Sequential([MyConv(4, (3, 3), input_shape=(6, 6, 1))]).predict(np.ones((1, 6, 6, 1)))
    assert y.shape == (1, 4, 4, 4)


def test_keras_2_calls_pass_silently():
    layer, messages = _record(lambda: MyDense(4, kernel_initializer='ones'))
    assert layer.units == 4 and messages == []


def test_every_decorator_and_preprocessor_of_the_manifest_exists():
    names = ['legacy_%s_support' % n for n in (
        'dense', 'dropout', 'embedding', 'pooling1d', 'pooling2d', 'pooling3d', 'global_pooling', 'conv1d',
        'conv2d', 'conv3d', 'deconv2d', 'separable_conv2d', 'convlstm2d', 'recurrent', 'batchnorm',
        'gaussiannoise', 'gaussiandropout', 'prelu', 'lambda', 'input', 'model_constructor',
        'generator_methods', 'get_updates', 'add_weight', 'spatialdropout1d', 'spatialdropoutNd',
        'upsampling1d', 'upsampling2d', 'upsampling3d', 'zeropadding2d', 'zeropadding3d', 'cropping2d',
        'cropping3d')]
    for name in names:
        assert callable(getattr(interfaces, name)), name
        assert getattr(interfaces, name).__doc__
    for name in ('conv1d', 'conv2d', 'conv3d', 'deconv2d', 'separable_conv2d', 'convlstm2d', 'recurrent',
                 'batchnorm', 'zeropadding2d', 'generator_methods'):
        assert callable(getattr(interfaces, name + '_args_preprocessor'))
    assert callable(interfaces.embedding_kwargs_preprocessor)
    assert callable(interfaces.add_weight_args_preprocessing)
    assert callable(interfaces.get_updates_arg_preprocessing)


def test_generate_legacy_interface_renames_values_and_positional_check():
    class Scaled(Layer):
        @interfaces.generate_legacy_interface(allowed_positional_args=['factor'],
                                              conversions=[('scale', 'factor'), ('kind', 'mode')],
                                              value_conversions={'mode': {'th': 'channels_first'}})
        def __init__(self, factor, mode='channels_last', **kwargs):
            self.factor, self.mode = factor, mode
            super(Scaled, self).__init__(**kwargs)

    layer, messages = _record(lambda: Scaled(scale=3, kind='th'))
    # Values are mapped before renames, as in Keras 2: `kind='th'` is renamed but not mapped.
    assert (layer.factor, layer.mode) == (3, 'th')
    layer, messages = _record(lambda: Scaled(scale=3, mode='th'))
    assert (layer.factor, layer.mode) == (3, 'channels_first')
    assert messages == ['Update your `Scaled` call to the Keras 2 API: `Scaled(mode="channels_first", factor=3)`']
    with pytest.raises(TypeError, match=r"`Scaled` can accept only 1 positional arguments \('factor',\)"):
        Scaled(1, 2)
    with pytest.raises(TypeError, match='received both the legacy keyword argument `scale` and the Keras 2 '
                                        'keyword argument `factor`'):
        Scaled(scale=1, factor=2)


def test_generate_legacy_method_interface_names_the_method_and_runs_a_preprocessor():
    seen = []

    def preprocessor(args, kwargs):
        seen.append(args[0])
        if 'n' in kwargs:
            kwargs['count'] = kwargs.pop('n')
            return args, kwargs, [('n', 'count')]
        return args, kwargs, []

    class Thing(object):
        @interfaces.generate_legacy_method_interface(conversions=[('old', 'new')], preprocessor=preprocessor)
        def run(self, count=0, new=None):
            return count, new

    thing = Thing()
    result, messages = _record(lambda: thing.run(n=2, old='x'))
    assert result == (2, 'x') and seen == [thing]
    assert messages == ['Update your `run` call to the Keras 2 API: `run(count=2, new="x")`']
    with pytest.raises(ValueError, match='object_type'):
        interfaces.generate_legacy_interface(object_type='function')


def test_raise_duplicate_arg_error_text():
    with pytest.raises(TypeError) as error:
        interfaces.raise_duplicate_arg_error('output_dim', 'units')
    assert str(error.value) == ('For the `units` argument, the layer received both the legacy keyword argument '
                                '`output_dim` and the Keras 2 keyword argument `units`. Stick to the latter!')


def test_preprocessors_keep_self_and_report_conversions():
    marker = object()
    args, kwargs, converted = interfaces.conv2d_args_preprocessor([marker, 8, 3, 3], {'border_mode': 'same'})
    assert list(args) == [marker, 8, (3, 3)] and kwargs == {'border_mode': 'same'} and converted
    with pytest.raises(TypeError, match='at most 3 positional arguments'):
        interfaces.conv2d_args_preprocessor([marker, 8, 3, 3, 1], {})
    args, kwargs, _ = interfaces.add_weight_args_preprocessing([marker, (2, 3), 'kernel'], {})
    assert list(args) == [marker] and kwargs == {'shape': (2, 3), 'name': 'kernel'}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        args, kwargs, _ = interfaces.embedding_kwargs_preprocessor([marker, 10, 4], {'dropout': 0.2})
    assert 'dropout' not in kwargs and [str(w.message) for w in caught] == [table.EMBEDDING_DROPOUT]
    with pytest.raises(TypeError, match=r'BatchNormalization` layer does not accept positional'):
        interfaces.batchnorm_args_preprocessor([marker, 1], {})


def test_get_updates_takes_the_keras_1_order_silently():
    args, kwargs, converted = interfaces.get_updates_arg_preprocessing([None, ['p'], [], 'loss'], {})
    assert list(args) == [None] and kwargs == {'loss': 'loss', 'params': ['p']} and converted == []
    args, kwargs, _ = interfaces.get_updates_arg_preprocessing([None, ['p'], {}], {'loss': 'l'})
    assert kwargs == {'loss': 'l', 'params': ['p']}
    with pytest.raises(TypeError, match='`get_update` call received more arguments than expected.'):
        interfaces.get_updates_arg_preprocessing([None, 1, 2, 3, 4], {})

    def losses(order):
        keras.backend.clear_session()
        model = keras.models.Sequential([Dense(1, input_dim=2, kernel_initializer='ones')])
        loss = K.mean(K.square(model.output - 1.0))
        optimizer = keras.optimizers.SGD(0.1)
        if order == 'keras1':
            updates, messages = _record(lambda: optimizer.get_updates(model.trainable_weights, [], loss))
            assert messages == []
        else:
            updates = optimizer.get_updates(loss=loss, params=model.trainable_weights)
        step = K.function([model.input], [loss], updates=updates)
        x = np.array([[1., 2.], [0.5, -1.]], 'float32')
        return [float(step([x])[0]) for _ in range(3)]

    old, new = losses('keras1'), losses('keras2')
    assert old == new and old[2] < old[0]


def test_keras_alias_and_module_level_reexport_are_the_decorators():
    keras.install_as_keras()
    import importlib
    legacy = importlib.import_module('keras.legacy')
    assert legacy.interfaces.legacy_dense_support is interfaces.legacy_dense_support
    core = importlib.import_module('keras.layers.core')
    assert core.interfaces.legacy_dense_support is interfaces.legacy_dense_support
