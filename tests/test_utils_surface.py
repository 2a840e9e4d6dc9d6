"""The `keras.utils.*` helpers of Keras 2.2.4: conv_utils, layer_utils, generic_utils, io_utils (H5Dict),
np_utils, test_utils, data_utils' pool helpers, multi_gpu_utils' device helpers, vis_utils._check_pydot,
and the datasets' `_remove_long_seq`. tf_keras's copies of the same functions and numpy are the oracles
where they exist."""
import multiprocessing
import pickle
import sys
import types

import h5py
import numpy as np
import pytest

import kernelkit
from kernelkit import backend as K
from kernelkit import layers
from kernelkit.models import Model, Sequential
from kernelkit.utils import (conv_utils, data_utils, generic_utils, io_utils, layer_utils, multi_gpu_utils,
                             np_utils, test_utils, vis_utils)

tf_keras = pytest.importorskip('tf_keras')
from tf_keras.src.utils import conv_utils as tf_conv_utils  # noqa: E402
from tf_keras.src.utils import generic_utils as tf_generic_utils  # noqa: E402
from tf_keras.src.utils import layer_utils as tf_layer_utils  # noqa: E402
from tf_keras.src.utils import np_utils as tf_np_utils  # noqa: E402

MANIFEST_UTILS = ('CustomObjectScope GeneratorEnqueuer HDF5Matrix OrderedEnqueuer Progbar Sequence conv_utils '
                  'convert_all_kernels_in_model custom_object_scope data_utils deserialize_keras_object '
                  'generic_utils get_custom_objects get_file get_source_inputs h5dict io_utils multi_gpu_model '
                  'normalize np_utils plot_model print_summary serialize_keras_object to_categorical').split()


def test_kernelkit_utils_exports_the_keras_2_2_4_names():
    missing = [name for name in MANIFEST_UTILS if not hasattr(kernelkit.utils, name)]
    assert missing == []
    assert kernelkit.utils.print_summary is layer_utils.print_summary
    assert kernelkit.utils.h5dict is io_utils.H5Dict


# ------------------------------------------------------------------------------------------ conv_utils

LENGTHS = [None, 1, 5, 7, 16]


@pytest.mark.parametrize('padding', ['same', 'valid', 'full', 'causal'])
def test_conv_output_length_matches_the_oracle(padding):
    for length in LENGTHS:
        for kernel in (1, 2, 3, 5):
            for stride in (1, 2, 3):
                for dilation in (1, 2):
                    ours = conv_utils.conv_output_length(length, kernel, padding, stride, dilation)
                    theirs = tf_conv_utils.conv_output_length(length, kernel, padding, stride, dilation)
                    assert ours == theirs, (length, kernel, padding, stride, dilation)


@pytest.mark.parametrize('padding', ['same', 'valid', 'full'])
def test_conv_input_length_and_deconv_length_match_the_oracle(padding):
    for length in LENGTHS:
        for kernel in (1, 2, 3, 5):
            for stride in (1, 2, 3):
                assert conv_utils.conv_input_length(length, kernel, padding, stride) == \
                    tf_conv_utils.conv_input_length(length, kernel, padding, stride)
                for output_padding in (None, 0, 1):
                    for dilation in (1, 2):
                        ours = conv_utils.deconv_length(length, stride, kernel, padding, output_padding, dilation)
                        theirs = tf_conv_utils.deconv_output_length(length, kernel, padding, output_padding,
                                                                   stride, dilation)
                        assert ours == theirs, (length, kernel, padding, stride, output_padding, dilation)


def test_conv_length_functions_reject_unknown_padding():
    with pytest.raises(ValueError, match='padding'):
        conv_utils.conv_output_length(5, 3, 'reflect', 1)
    with pytest.raises(ValueError, match='padding'):
        conv_utils.conv_input_length(5, 3, 'causal', 1)
    with pytest.raises(ValueError, match='padding'):
        conv_utils.deconv_length(5, 1, 3, 'causal', None)


def test_layers_use_the_conv_utils_arithmetic():
    from kernelkit.layers import convolutional_base
    assert convolutional_base.conv_output_length is conv_utils.conv_output_length
    layer = layers.Conv2DTranspose(2, 3, strides=2, padding='same', output_padding=1)
    assert layer.compute_output_shape((None, 5, 5, 1)) == (None, 10, 10, 2)
    assert layers.Conv1D(2, 3, padding='causal', dilation_rate=2).compute_output_shape((None, 9, 1)) == \
        (None, 9, 2)


def test_normalize_tuple_padding_and_data_format():
    assert conv_utils.normalize_tuple(3, 2, 'kernel_size') == (3, 3)
    assert conv_utils.normalize_tuple([1, 2, 3], 3, 'strides') == (1, 2, 3)
    assert conv_utils.normalize_tuple((4,), 1, 'pool_size') == tf_conv_utils.normalize_tuple((4,), 1, 'pool_size')
    with pytest.raises(ValueError, match='`strides` argument must be a tuple of 2 integers'):
        conv_utils.normalize_tuple((1, 2, 3), 2, 'strides')
    with pytest.raises(ValueError, match='kernel_size'):
        conv_utils.normalize_tuple('ab', 2, 'kernel_size')
    with pytest.raises(ValueError, match='kernel_size'):
        conv_utils.normalize_tuple(None, 2, 'kernel_size')
    assert conv_utils.normalize_padding('SAME') == 'same'
    assert conv_utils.normalize_padding('causal') == tf_conv_utils.normalize_padding('causal')
    with pytest.raises(ValueError, match='padding'):
        conv_utils.normalize_padding('full')
    assert conv_utils.normalize_data_format(None) == K.image_data_format()
    assert conv_utils.normalize_data_format('Channels_First') == 'channels_first'
    with pytest.raises(ValueError, match='data_format'):
        conv_utils.normalize_data_format('nhwc')


@pytest.mark.parametrize('shape', [(3, 2, 4), (3, 2, 2, 4), (2, 3, 2, 2, 4)])
def test_convert_kernel_flips_spatial_axes_only(shape):
    kernel = np.random.standard_normal(shape)
    spatial = tuple(range(len(shape) - 2))
    np.testing.assert_array_equal(conv_utils.convert_kernel(kernel), np.flip(kernel, axis=spatial))
    np.testing.assert_array_equal(conv_utils.convert_kernel(conv_utils.convert_kernel(kernel)), kernel)
    with pytest.raises(ValueError, match='kernel'):
        conv_utils.convert_kernel(np.zeros((2, 2)))


# ------------------------------------------------------------------------------------------ layer_utils

def _small_cnn(data_format='channels_last'):
    shape = (6, 6, 2) if data_format == 'channels_last' else (2, 6, 6)
    inputs = layers.Input(shape=shape)
    x = layers.Conv2D(3, 3, data_format=data_format, name='conv')(inputs)
    x = layers.Flatten(name='flat')(x)
    return Model(inputs, layers.Dense(4, name='dense')(x))


def test_count_params_counts_each_weight_once():
    model = _small_cnn()
    weights = model.weights
    assert layer_utils.count_params(weights) == model.count_params() == (3 * 3 * 2 * 3 + 3) + (48 * 4 + 4)
    assert layer_utils.count_params(weights + weights[:2]) == model.count_params()
    oracle = tf_keras.layers.Dense(5)
    oracle.build((None, 7))
    assert layer_utils.count_params(oracle.weights) == tf_layer_utils.count_params(oracle.weights) == 40


def test_print_summary_is_the_model_summary():
    model = _small_cnn()
    ours, theirs = [], []
    layer_utils.print_summary(model, line_length=80, print_fn=ours.append)
    model.summary(line_length=80, print_fn=theirs.append)
    assert ours == theirs
    assert any('conv (Conv2D)' in line for line in ours) and ours[-2] == 'Non-trainable params: 0'


def test_convert_all_kernels_in_model_flips_conv_kernels_only():
    model = _small_cnn()
    before = [w.copy() for w in model.get_weights()]
    layer_utils.convert_all_kernels_in_model(model)
    after = model.get_weights()
    np.testing.assert_array_equal(after[0], before[0][::-1, ::-1])
    for index in (1, 2, 3):  # conv bias, dense kernel and bias are untouched
        np.testing.assert_array_equal(after[index], before[index])
    layer_utils.convert_all_kernels_in_model(model)
    np.testing.assert_array_equal(model.get_weights()[0], before[0])


@pytest.mark.parametrize('target', ['channels_first', 'channels_last'])
def test_convert_dense_weights_data_format_matches_the_oracle(target):
    feature_map = (3, 4, 5)
    ours = layers.Dense(2)
    ours.build((None, 60))
    theirs = tf_keras.layers.Dense(2)
    theirs.build((None, 60))
    theirs.set_weights(ours.get_weights())
    layer_utils.convert_dense_weights_data_format(ours, feature_map, target)
    tf_layer_utils.convert_dense_weights_data_format(theirs, feature_map, target)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match='target_data_format'):
        layer_utils.convert_dense_weights_data_format(ours, feature_map, 'nchw')
    with pytest.raises(ValueError, match='rows'):
        layer_utils.convert_dense_weights_data_format(ours, (2, 2, 2), target)


def test_convert_dense_weights_makes_a_channels_first_model_compute_the_same():
    last = _small_cnn('channels_last')
    first = _small_cnn('channels_first')
    first.set_weights(last.get_weights())
    layer_utils.convert_dense_weights_data_format(first.get_layer('dense'), (3, 4, 4), 'channels_first')
    x = np.random.standard_normal((2, 6, 6, 2)).astype('float32')
    np.testing.assert_allclose(first.predict(np.transpose(x, (0, 3, 1, 2))), last.predict(x), atol=1e-5)


def test_get_source_inputs_walks_back_to_the_inputs():
    a, b = layers.Input(shape=(3,), name='a'), layers.Input(shape=(3,), name='b')
    hidden = layers.Dense(3)(a)
    merged = layers.add([hidden, b, layers.Dense(3)(a)])
    sources = layer_utils.get_source_inputs(merged)
    assert len(sources) == 2 and sources[0] is a and sources[1] is b
    assert layer_utils.get_source_inputs(a) == [a]
    inner = Model(a, hidden)
    c = layers.Input(shape=(3,), name='c')
    assert layer_utils.get_source_inputs(inner(c))[0] is c
    plain = np.zeros(3)
    assert layer_utils.get_source_inputs(plain) is plain


# ------------------------------------------------------------------------------------------ generic_utils

def _positional(a, b=1):
    return a, b


def _keyword_only(a, *, b=2):
    return a, b


def _var_kwargs(a, **kwargs):
    return a, kwargs


def _positional_only(a, /, b):
    return a, b


def _var_args(*b):
    return b


class _Caller(object):
    def __call__(self, x, training=None):
        return x


@pytest.mark.parametrize('fn', [_positional, _keyword_only, _var_kwargs, _var_args, _Caller(), _Caller().__call__])
@pytest.mark.parametrize('name', ['a', 'b', 'training', 'units'])
@pytest.mark.parametrize('accept_all', [False, True])
def test_has_arg_matches_the_oracle(fn, name, accept_all):
    assert generic_utils.has_arg(fn, name, accept_all) == tf_generic_utils.has_arg(fn, name, accept_all)


def test_has_arg_semantics_and_errors():
    assert generic_utils.has_arg(_keyword_only, 'b')
    # Keras 2.2.4 reads `inspect.signature`: a positional-only parameter cannot be passed by keyword
    # (tf_keras, which reads `getfullargspec`, says True here).
    assert not generic_utils.has_arg(_positional_only, 'a') and generic_utils.has_arg(_positional_only, 'b')
    assert not generic_utils.has_arg(_var_kwargs, 'anything')
    assert generic_utils.has_arg(_var_kwargs, 'anything', accept_all=True)
    assert not generic_utils.has_arg(_var_kwargs, 'kwargs', accept_all=True)  # `**kwargs` itself is no keyword
    assert generic_utils.has_arg(layers.Dense.__init__, 'units')  # through the legacy-interface decorator
    assert generic_utils.has_arg(layers.Dense, 'units') and not generic_utils.has_arg(layers.Dense, 'nope')
    with pytest.raises(TypeError, match='callable'):
        generic_utils.has_arg(3, 'x')


def _make_closure(scale, offset):
    def scaled(x, power=2, shift=offset):
        return scale * x ** power + shift
    return scaled


def test_func_dump_and_func_load_round_trip_closures_and_defaults():
    function = _make_closure(3., 0.5)
    dumped = generic_utils.func_dump(function)
    code, defaults, closure = dumped
    assert isinstance(code, str) and '\n' in code  # base64 in 76-character lines, as Keras 2.2.4 wrote it
    assert defaults == (2, 0.5) and closure == (3.,)
    loaded = generic_utils.func_load(dumped)
    assert loaded(2.) == function(2.) == 12.5 and loaded(2., power=1) == function(2., power=1)
    # The JSON form (lists) and the three separate arguments load too, with custom globals.
    again = generic_utils.func_load(code, list(defaults), list(closure), globs={'__builtins__': __builtins__})
    assert again(1.) == 3.5
    lam = lambda x, y=4: x + y  # noqa: E731
    assert generic_utils.func_load(generic_utils.func_dump(lam))(1) == 5


def test_func_dump_format_is_readable_by_the_oracle_and_back():
    function = _make_closure(2., 1.)
    assert tf_generic_utils.func_load(generic_utils.func_dump(function))(3.) == 19.
    assert generic_utils.func_load(tf_generic_utils.func_dump(function))(3.) == 19.
    assert generic_utils.func_dump(function)[0] == tf_generic_utils.func_dump(function)[0]


def test_func_load_errors():
    with pytest.raises(ValueError, match='bytecode of this Python'):
        generic_utils.func_load('bm90IGJ5dGVjb2Rl\n')  # base64 of b'not bytecode'
    code, defaults, _ = generic_utils.func_dump(_make_closure(1., 2.))
    with pytest.raises(ValueError, match='closure'):
        generic_utils.func_load(code, defaults, None)
    with pytest.raises(TypeError, match='Python function'):
        generic_utils.func_dump(len)


def test_lambda_layer_config_uses_func_dump():
    layer = layers.Lambda(lambda x: x * 2.)
    config = layer.get_config()
    assert config['function_type'] == 'lambda'
    assert tuple(config['function']) == generic_utils.func_dump(layer.function)
    restored = layers.Lambda.from_config(config, safe_mode=False)
    np.testing.assert_allclose(K.eval(restored(K.constant([1.5]))), [3.])
    with pytest.raises(ValueError, match='safe_mode'):
        layers.Lambda.from_config(layer.get_config(), safe_mode=True)


def test_small_helpers():
    a, b = object(), object()
    assert generic_utils.object_list_uid([a, b]) == '%d, %d' % (abs(id(a)), abs(id(b)))
    assert generic_utils.object_list_uid(a) == str(abs(id(a)))
    assert generic_utils.is_all_none([None, None]) and generic_utils.is_all_none(None)
    assert generic_utils.is_all_none((None,)) and not generic_utils.is_all_none([None, 0])
    assert generic_utils.to_list((1, 2)) == [1, 2] and generic_utils.to_list((1, 2), allow_tuple=False) == [(1, 2)]
    assert generic_utils.to_list(3) == [3] and generic_utils.unpack_singleton([7]) == 7
    assert generic_utils.unpack_singleton([1, 2]) == [1, 2]
    assert generic_utils.to_snake_case('Conv2DTranspose') == tf_generic_utils.to_snake_case('Conv2DTranspose')
    assert generic_utils.Progbar is kernelkit.utils.Progbar


def test_slice_arrays_by_range_and_by_index():
    x, y = np.arange(10), np.arange(20).reshape((10, 2))
    sliced = generic_utils.slice_arrays([x, None, y], 2, 5)
    np.testing.assert_array_equal(sliced[0], x[2:5])
    assert sliced[1] is None
    np.testing.assert_array_equal(sliced[2], y[2:5])
    picked = generic_utils.slice_arrays([x, y], np.array([7, 1]))
    np.testing.assert_array_equal(picked[1], y[[7, 1]])
    np.testing.assert_array_equal(generic_utils.slice_arrays(x, [0, 3]), tf_generic_utils.slice_arrays(x, [0, 3]))
    np.testing.assert_array_equal(generic_utils.slice_arrays(x, 4), x[4:])
    assert generic_utils.slice_arrays(None) == [None]
    with pytest.raises(ValueError, match='stop'):
        generic_utils.slice_arrays([x], [1, 2], 5)


def test_transpose_shape():
    assert generic_utils.transpose_shape((16, 128, 128, 32), 'channels_first', (1, 2)) == (16, 32, 128, 128)
    assert generic_utils.transpose_shape([5, 7, 3], 'channels_first', [1]) == [5, 3, 7]
    assert generic_utils.transpose_shape(((1, 2), (3, 4), 0), 'channels_first', (0, 1)) == (0, (1, 2), (3, 4))
    shape = (2, 3, 4)
    assert generic_utils.transpose_shape(shape, 'channels_last', (1,)) is shape
    with pytest.raises(ValueError, match='data_format'):
        generic_utils.transpose_shape(shape, 'nchw', (1,))


# ------------------------------------------------------------------------------------------ io_utils: H5Dict

def _fill(store):
    store['name'] = 'model'
    store['version'] = b'2.2.4'
    store['count'] = 3
    store['kernel'] = np.arange(6, dtype='float32').reshape((2, 3))
    store['scalar'] = np.float32(1.5)
    store['layer_names'] = [b'dense_1', b'dense_2']
    store['weights']['dense_1']['kernel:0'] = np.ones((2, 2))


def _check(store):
    assert store['name'] == 'model' and store['version'] == b'2.2.4' and store['count'] == 3
    np.testing.assert_array_equal(store['kernel'], np.arange(6).reshape((2, 3)))
    assert float(store['scalar']) == 1.5
    assert list(store['layer_names']) == [b'dense_1', b'dense_2']
    nested = store['weights']['dense_1']
    assert isinstance(nested, io_utils.H5Dict)
    np.testing.assert_array_equal(nested['kernel:0'], np.ones((2, 2)))
    assert 'name' in store and 'kernel' in store and 'weights' in store and 'absent' not in store
    assert store.get('absent', 42) == 42 and 'absent' not in store  # get creates nothing


def test_h5dict_on_a_file(tmp_path):
    path = str(tmp_path / 'store.h5')
    with io_utils.h5dict(path, mode='w') as store:
        _fill(store)
        assert sorted(store.iter()) == ['kernel', 'scalar', 'weights']  # groups and datasets
        with pytest.raises(KeyError, match='Group with name "weights" exists'):
            store['weights'] = 'x'
    with h5py.File(path, 'r') as raw:  # the layout Keras 2.2.4 wrote
        assert raw.attrs['version'] == b'2.2.4' and isinstance(raw['kernel'], h5py.Dataset)
        assert list(raw.attrs['layer_names']) == [b'dense_1', b'dense_2']
        assert isinstance(raw['weights/dense_1'], h5py.Group)
    store = io_utils.H5Dict(path, mode='r')
    _check(store)
    with pytest.raises(ValueError, match='read only'):
        store['other'] = 1
    with pytest.raises(ValueError, match='read only'):
        store['missing_group']
    store.close()
    assert not store.data.id.valid


def test_h5dict_on_an_open_group_leaves_it_open(tmp_path):
    with h5py.File(str(tmp_path / 'g.h5'), 'w') as handle:
        store = io_utils.H5Dict(handle.create_group('inner'))
        _fill(store)
        store.close()
        assert handle.id.valid
        _check(io_utils.H5Dict(handle['inner'], mode='r'))


def test_h5dict_long_string_lists_are_chunked(tmp_path):
    names = [('layer_%05d_' % i + 'x' * 60).encode() for i in range(2000)]  # > 64 KB in all
    path = str(tmp_path / 'long.h5')
    with io_utils.H5Dict(path, mode='w') as store:
        store['layer_names'] = names
    with h5py.File(path, 'r') as raw:
        assert 'layer_names' not in raw.attrs and 'layer_names0' in raw.attrs and 'layer_names1' in raw.attrs
    with io_utils.H5Dict(path, mode='r') as store:
        assert store['layer_names'] == [n.decode() for n in names]


def test_h5dict_on_a_dict_uses_the_keras_2_2_4_layout():
    data = {'stale': 1}
    store = io_utils.H5Dict(data, mode='w')
    _fill(store)
    assert 'stale' not in data and data['_is_group'] is True
    assert data['_kernel_pickled'] is True and isinstance(data['kernel'], bytes)
    np.testing.assert_array_equal(pickle.loads(data['kernel']), np.arange(6).reshape((2, 3)))
    assert data['weights']['_is_group'] and data['weights']['dense_1']['_is_group']
    assert data['name'] == 'model'
    reread = io_utils.H5Dict(pickle.loads(pickle.dumps(data)), mode='r')
    _check(reread)
    assert reread[b'name'] == 'model'
    with pytest.raises(ValueError, match='read only'):
        reread['new'] = 0
    store.update({'extra': 'value'}, more=2)
    assert data['extra'] == 'value' and data['more'] == 2
    assert io_utils.H5Dict({'plain': {'a': 1}})['plain'] == {'a': 1}  # a dict without the flag is data
    with pytest.raises(TypeError, match='Group, a path'):
        io_utils.H5Dict(3)


# ------------------------------------------------------------------------------------------ np_utils

@pytest.mark.parametrize('axis,order', [(-1, 2), (0, 2), (1, 1), (-1, np.inf)])
def test_normalize_matches_the_oracle_and_keeps_zero_rows(axis, order):
    x = np.random.standard_normal((4, 5))
    x[2] = 0.
    x[:, 3] = 0.
    ours = np_utils.normalize(x, axis=axis, order=order)
    np.testing.assert_allclose(ours, tf_np_utils.normalize(x, axis=axis, order=order))
    norms = np.linalg.norm(ours, order, axis)
    zero = np.linalg.norm(x, order, axis) == 0
    np.testing.assert_allclose(norms[~zero], 1.)
    assert np.all(norms[zero] == 0)


# ------------------------------------------------------------------------------------------ test_utils

def test_get_test_data_classification_shapes_and_balance():
    np.random.seed(0)
    (x_train, y_train), (x_test, y_test) = test_utils.get_test_data(
        num_train=900, num_test=300, input_shape=(4, 3), output_shape=(9,), classification=True, num_classes=3)
    assert x_train.shape == (900, 4, 3) and x_test.shape == (300, 4, 3) and x_train.dtype == np.float32
    assert y_train.shape == (900,) and y_test.shape == (300,)
    labels = np.concatenate([y_train, y_test])
    assert set(labels) == {0, 1, 2}
    assert np.all(np.abs(np.bincount(labels) - 400) < 80)
    x = np.concatenate([x_train, x_test])
    for label in range(3):  # inputs are drawn around their label, with scale 0.7
        values = x[labels == label]
        assert abs(values.mean() - label) < 0.05 and abs(values.std() - 0.7) < 0.05


def test_get_test_data_regression_and_default_arguments():
    (x_train, y_train), (x_test, y_test) = test_utils.get_test_data(num_train=50, num_test=10, input_shape=(3,),
                                                                    output_shape=(2, 2), classification=False)
    assert x_train.shape == (50, 3) and y_train.shape == (50, 2, 2) and y_test.shape == (10, 2, 2)
    assert y_train.dtype == np.float32
    (x_train, y_train), (x_test, _) = test_utils.get_test_data()
    assert x_train.shape == (1000, 10) and x_test.shape == (500, 10) and y_train.max() <= 1


def test_layer_test_passes_on_dense_and_conv2d():
    out = test_utils.layer_test(layers.Dense, {'units': 3}, input_shape=(2, 4))
    assert out.shape == (2, 3)
    out = test_utils.layer_test(layers.Conv2D, {'filters': 2, 'kernel_size': 3, 'padding': 'same'},
                                input_shape=(2, 5, 5, 1), fixed_batch_size=True)
    assert out.shape == (2, 5, 5, 2)
    x = np.random.standard_normal((3, 4)).astype('float32')
    test_utils.layer_test(layers.Activation, {'activation': 'relu'}, input_data=x,
                          expected_output=np.maximum(x, 0), expected_output_dtype='float32')


class _WrongShape(layers.Dense):
    def compute_output_shape(self, input_shape):
        return input_shape[:-1] + (self.units + 1,)


class _LostConfig(layers.Dense):
    def __init__(self, units=3, scale=1., **kwargs):
        super(_LostConfig, self).__init__(units, **kwargs)
        self.scale = scale

    def call(self, inputs):
        return super(_LostConfig, self).call(inputs) * self.scale


def test_layer_test_fails_on_broken_layers():
    with pytest.raises(AssertionError, match='compute_output_shape'):
        test_utils.layer_test(_WrongShape, {'units': 2}, input_shape=(2, 3))
    with pytest.raises(AssertionError):  # `scale` is not in the config: the rebuilt model differs
        test_utils.layer_test(_LostConfig, {'units': 2, 'scale': 3.}, input_shape=(2, 3))
    with pytest.raises(AssertionError, match='expected_output'):
        test_utils.layer_test(layers.Activation, {'activation': 'relu'}, input_data=-np.ones((2, 2)),
                              expected_output=np.ones((2, 2)))
    with pytest.raises(AssertionError, match='dtype'):
        test_utils.layer_test(layers.Dense, {'units': 2}, input_shape=(2, 3), expected_output_dtype='float64')
    with pytest.raises(ValueError, match='input_shape'):
        test_utils.layer_test(layers.Dense, {'units': 2})


def test_keras_test_clears_the_session_after_the_test():
    names = []

    @test_utils.keras_test
    def body():
        names.append(layers.Dense(1).name)

    body()
    body()
    assert names == ['dense_1', 'dense_1']
    assert body.__name__ == 'body'


# ------------------------------------------------------------------------------------------ data_utils

class _Squares(data_utils.Sequence):
    def __len__(self):
        return 5

    def __getitem__(self, index):
        return index * index


def _count_up():
    value = 0
    while True:
        yield value
        value += 1


def test_pool_helpers_in_this_process():
    data_utils.init_pool({'uid': _Squares()})
    assert data_utils.get_index('uid', 3) == 9
    with pytest.raises(KeyError, match='other'):
        data_utils.get_index('other', 0)
    np.random.seed(0)
    before = np.random.get_state()[1].copy()
    data_utils.init_pool_generator({'g': _count_up()}, random_seed=None)
    np.testing.assert_array_equal(np.random.get_state()[1], before)
    assert [data_utils.next_sample('g') for _ in range(3)] == [0, 1, 2]
    data_utils.init_pool_generator({'g': _count_up()}, random_seed=5)
    ident = multiprocessing.current_process().ident
    expected = np.random.RandomState((5 + ident) % 2 ** 32).randint(1000)
    assert np.random.randint(1000) == expected
    assert data_utils._SEQUENCE_COUNTER is None and isinstance(data_utils._SHARED_SEQUENCES, dict)


@pytest.mark.skipif('fork' not in multiprocessing.get_all_start_methods(), reason='needs the fork start method')
def test_pool_helpers_in_a_multiprocessing_pool():
    with multiprocessing.get_context('fork').Pool(1, initializer=data_utils.init_pool,
                                                  initargs=({'s': _Squares()},)) as pool:
        assert [pool.apply_async(data_utils.get_index, ('s', i)).get(timeout=30) for i in range(5)] == \
            [0, 1, 4, 9, 16]


# ------------------------------------------------------------------------------------------ multi_gpu, vis, datasets

def test_device_helpers():
    assert multi_gpu_utils._normalize_device_name('/job:localhost/replica:0/task:0/device:GPU:1') == '/gpu:1'
    assert multi_gpu_utils._normalize_device_name('/device:CPU:0') == '/cpu:0'
    with pytest.raises(ValueError, match='device name'):
        multi_gpu_utils._normalize_device_name('cpu')
    devices = multi_gpu_utils._get_available_devices()
    assert '/cpu:0' in [multi_gpu_utils._normalize_device_name(d) for d in devices]


def test_check_pydot_names_what_is_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, 'pydot', None)
    with pytest.raises(ImportError, match='pydot.*Graphviz'):
        vis_utils._check_pydot()
    assert not vis_utils._graphviz_available()

    def no_dot(self, *args, **kwargs):
        raise FileNotFoundError('"dot" not found in path.')

    fake = types.ModuleType('pydot')
    fake.Dot = type('Dot', (), {'create': no_dot})
    monkeypatch.setitem(sys.modules, 'pydot', fake)
    with pytest.raises(OSError, match='GraphViz'):
        vis_utils._check_pydot()
    fake.Dot.create = lambda self, *args, **kwargs: b''
    vis_utils._check_pydot()
    assert vis_utils._graphviz_available()


def test_datasets_remove_long_seq():
    from kernelkit.datasets import imdb, reuters
    from kernelkit.preprocessing import sequence
    seqs, labels = [[1, 2], [1, 2, 3], [4], [5, 6, 7, 8]], [0, 1, 0, 1]
    assert imdb._remove_long_seq(3, seqs, labels) == ([[1, 2], [4]], [0, 0])
    assert reuters._remove_long_seq is imdb._remove_long_seq is sequence._remove_long_seq


def test_multi_gpu_utils_clone_model_is_the_models_one(monkeypatch):
    from kernelkit import models
    sentinel = object()
    monkeypatch.setattr(models, 'clone_model', sentinel, raising=False)
    assert multi_gpu_utils.clone_model is sentinel
    monkeypatch.delattr(models, 'clone_model')
    with pytest.raises(AttributeError, match='clone_model'):
        multi_gpu_utils.clone_model
