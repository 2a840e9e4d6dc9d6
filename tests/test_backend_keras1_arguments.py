"""Keras 1 backend arguments (`K.random_normal(std=)`, `K.conv2d(border_mode=, dim_ordering=)`, ...) converted at run
time from `kernelkit.legacy.table.FUNCTION_RENAMES`, the same calls rewritten by `kernelkit.legacy.migrate_source`,
and the Keras 1 module paths `keras.initializations` / `keras.layers.core` after `install_as_keras()`.

Each converted call must warn (`KerasMigrationWarning`, text `table.FUNCTION_ARGUMENTS` with the Keras 2 call) and
compute exactly what the Keras 2 call computes.
"""
import json
import os
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest
import tensorflow as tf

from kernelkit import backend as K
from kernelkit.legacy import migrate_source, table
from kernelkit.legacy.interfaces import KerasMigrationWarning

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RNG = np.random.RandomState(0)
IMAGES = RNG.rand(2, 5, 5, 3).astype('float32')          # channels_last
IMAGES_TH = np.transpose(IMAGES, (0, 3, 1, 2)).copy()     # channels_first
KERNEL = RNG.rand(3, 3, 3, 2).astype('float32')


def _call(function):
    """Runs `function()` and returns (result, the messages of the KerasMigrationWarnings it gave)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        result = function()
    return result, [str(w.message) for w in caught if issubclass(w.category, KerasMigrationWarning)]


def _expected_message(name, keras2_call):
    return table.FUNCTION_ARGUMENTS % (name, keras2_call)


def _same_seed(make):
    """Evaluates `make()` with the global TensorFlow seed reset first, so two calls draw the same numbers."""
    tf.random.set_seed(1234)
    return K.eval(make())


# ---- random functions ----

def test_random_normal_std_warns_and_equals_stddev():
    value, messages = _call(lambda: _same_seed(lambda: K.random_normal((50,), mean=1., std=0.5, seed=3)))
    assert messages == [_expected_message('random_normal', 'random_normal((50,), mean=1.0, stddev=0.5, seed=3)')]
    _, quiet = _call(lambda: _same_seed(lambda: K.random_normal((50,), mean=1., stddev=0.5, seed=3)))
    assert quiet == []
    np.testing.assert_array_equal(value, _same_seed(lambda: K.random_normal((50,), mean=1., stddev=0.5, seed=3)))


def test_random_normal_std_statistics():
    sample, _ = _call(lambda: K.eval(K.random_normal((20000,), mean=2., std=0.25)))
    assert abs(sample.mean() - 2.) < 0.01
    assert abs(sample.std() - 0.25) < 0.01


def test_truncated_normal_std_warns_and_equals_stddev():
    value, messages = _call(lambda: _same_seed(lambda: K.truncated_normal((40,), std=2., seed=1)))
    assert messages == [_expected_message('truncated_normal', 'truncated_normal((40,), stddev=2.0, seed=1)')]
    np.testing.assert_array_equal(value, _same_seed(lambda: K.truncated_normal((40,), stddev=2., seed=1)))
    assert np.abs(value).max() <= 4. + 1e-6  # truncated at two standard deviations


def test_random_uniform_low_high_warn_and_equal_minval_maxval():
    value, messages = _call(lambda: _same_seed(lambda: K.random_uniform((30,), low=-3, high=-1, seed=2)))
    assert messages == [_expected_message('random_uniform', 'random_uniform((30,), minval=-3, maxval=-1, seed=2)')]
    np.testing.assert_array_equal(value, _same_seed(lambda: K.random_uniform((30,), minval=-3, maxval=-1, seed=2)))
    sample, _ = _call(lambda: K.eval(K.random_uniform((20000,), low=-3, high=-1)))
    assert sample.min() >= -3 and sample.max() < -1
    assert abs(sample.mean() + 2.) < 0.02


def test_keras2_and_positional_calls_do_not_warn():
    _, messages = _call(lambda: K.random_normal((3,), 0., 1.))
    assert messages == []


def test_both_names_of_one_argument_raise():
    with pytest.raises(TypeError, match='`std`.*`stddev`'):
        K.random_normal((3,), std=1., stddev=2.)


# ---- convolutions and pooling ----

CONVERSIONS = {
    'conv2d_same_tf': (
        lambda: K.conv2d(K.constant(IMAGES), K.constant(KERNEL), border_mode='same', dim_ordering='tf',
                         image_shape=(2, 5, 5, 3), filter_shape=(3, 3, 3, 2)),
        lambda: K.conv2d(K.constant(IMAGES), K.constant(KERNEL), padding='same', data_format='channels_last'),
        'conv2d', 'conv2d(tensor, tensor, padding="same", data_format="channels_last")'),
    'conv2d_th_dilated': (
        lambda: K.conv2d(K.constant(IMAGES_TH), K.constant(KERNEL[:2, :2]), border_mode='valid', dim_ordering='th',
                         filter_dilation=(2, 2)),
        lambda: K.conv2d(K.constant(IMAGES_TH), K.constant(KERNEL[:2, :2]), padding='valid',
                         data_format='channels_first', dilation_rate=(2, 2)),
        'conv2d', 'conv2d(tensor, tensor, padding="valid", data_format="channels_first", dilation_rate=(2, 2))'),
    'conv2d_default_ordering': (
        lambda: K.conv2d(K.constant(IMAGES), K.constant(KERNEL), dim_ordering='default'),
        lambda: K.conv2d(K.constant(IMAGES), K.constant(KERNEL), data_format=None),
        'conv2d', 'conv2d(tensor, tensor, data_format=None)'),
    'conv1d_stride': (
        lambda: K.conv1d(K.constant(IMAGES[:, 0]), K.constant(KERNEL[0]), stride=2, border_mode='same',
                         image_shape=(2, 5, 3)),
        lambda: K.conv1d(K.constant(IMAGES[:, 0]), K.constant(KERNEL[0]), strides=2, padding='same'),
        'conv1d', 'conv1d(tensor, tensor, strides=2, padding="same")'),
    'deconv2d': (
        lambda: K.deconv2d(K.constant(IMAGES[..., :2]), K.constant(KERNEL), (2, 5, 5, 3), border_mode='same',
                           dim_ordering='tf', filter_shape=(3, 3, 3, 2)),
        lambda: K.conv2d_transpose(K.constant(IMAGES[..., :2]), K.constant(KERNEL), (2, 5, 5, 3), padding='same',
                                   data_format='channels_last'),
        'deconv2d', None),
    'pool2d_th': (
        lambda: K.pool2d(K.constant(IMAGES_TH), (2, 2), border_mode='same', dim_ordering='th', pool_mode='avg'),
        lambda: K.pool2d(K.constant(IMAGES_TH), (2, 2), padding='same', data_format='channels_first', pool_mode='avg'),
        'pool2d', 'pool2d(tensor, (2, 2), padding="same", data_format="channels_first", pool_mode="avg")'),
    'pool2d_max_th': (
        lambda: K.pool2d(K.constant(IMAGES_TH), (2, 2), dim_ordering='th'),
        lambda: K.pool2d(K.constant(IMAGES_TH), (2, 2), data_format='channels_first'),
        'pool2d', 'pool2d(tensor, (2, 2), data_format="channels_first")'),
    'resize_images_th': (
        lambda: K.resize_images(K.constant(IMAGES_TH), 2, 3, dim_ordering='th'),
        lambda: K.resize_images(K.constant(IMAGES_TH), 2, 3, data_format='channels_first'),
        'resize_images', 'resize_images(tensor, 2, 3, data_format="channels_first")'),
    'spatial_2d_padding_th': (
        lambda: K.spatial_2d_padding(K.constant(IMAGES_TH), ((1, 2), (0, 1)), dim_ordering='th'),
        lambda: K.spatial_2d_padding(K.constant(IMAGES_TH), ((1, 2), (0, 1)), data_format='channels_first'),
        'spatial_2d_padding', None),
}


@pytest.mark.parametrize('case', sorted(CONVERSIONS))
def test_keras1_arguments_warn_and_compute_the_keras2_call(case):
    keras1, keras2, name, keras2_text = CONVERSIONS[case]
    value, messages = _call(lambda: K.eval(keras1()))
    expected, quiet = _call(lambda: K.eval(keras2()))
    assert quiet == []
    assert len(messages) == 1
    prefix = 'Update your `%s` call to the Keras 2 API: `' % name
    assert messages[0].startswith(prefix)
    if keras2_text is not None:
        assert messages[0] == _expected_message(name, keras2_text)
    for hint in ('image_shape', 'filter_shape', 'border_mode', 'dim_ordering', 'filter_dilation', 'stride='):
        assert hint not in messages[0]
    assert value.shape == expected.shape
    np.testing.assert_allclose(value, expected, rtol=1e-6, atol=1e-6)
    assert np.abs(value).max() > 0


def test_deconv2d_message_names_conv2d_transpose():
    _, messages = _call(lambda: CONVERSIONS['deconv2d'][0]())
    assert messages[0].startswith('Update your `deconv2d` call to the Keras 2 API: `conv2d_transpose(tensor, tensor, ')
    assert messages[0].endswith('padding="same", data_format="channels_last")`')


def test_conv2d_keras1_ordering_matches_a_numpy_convolution():
    """`dim_ordering='th'` really means channels_first: compare with a direct numpy correlation."""
    value, _ = _call(lambda: K.eval(K.conv2d(K.constant(IMAGES_TH), K.constant(KERNEL), dim_ordering='th')))
    expected = np.zeros((2, 2, 3, 3), dtype='float64')
    for i in range(3):
        for j in range(3):
            patch = IMAGES_TH[:, :, i:i + 3, j:j + 3]  # (batch, in, 3, 3)
            expected[:, :, i, j] = np.einsum('bcij,ijco->bo', patch, KERNEL)
    np.testing.assert_allclose(value, expected, rtol=1e-5)


# ---- the migrator rewrites the same calls ----

KERAS1_SOURCE = '''from keras import backend as K
a = K.random_normal((2, 3), mean=0., std=0.5, seed=1)
b = K.random_uniform((2,), low=-1, high=1, seed=2)
c = K.conv2d(x, k, border_mode='same', dim_ordering='tf', image_shape=(2, 5, 5, 3))
d = K.deconv2d(y, k, (2, 5, 5, 3), border_mode='same')
e = K.pool2d(x, (2, 2), dim_ordering='th')
f = K.truncated_normal((4,), std=2., seed=3)
g = K.conv2d(x, k, filter_dilation=(2, 2), filter_shape=(3, 3, 3, 2))
'''

KERAS2_SOURCE = '''from keras import backend as K
a = K.random_normal((2, 3), mean=0., stddev=0.5, seed=1)
b = K.random_uniform((2,), minval=-1, maxval=1, seed=2)
c = K.conv2d(x, k, padding='same', data_format='channels_last')
d = K.conv2d_transpose(y, k, (2, 5, 5, 3), padding='same')
e = K.pool2d(x, (2, 2), data_format='channels_first')
f = K.truncated_normal((4,), stddev=2., seed=3)
g = K.conv2d(x, k, dilation_rate=(2, 2))
'''


def test_migrate_source_rewrites_the_backend_calls():
    new, notes = migrate_source(KERAS1_SOURCE)
    assert new.splitlines() == KERAS2_SOURCE.splitlines()
    text = '\n'.join(str(note) for note in notes)
    assert '`random_normal`: std -> stddev' in text
    assert '`random_uniform`: low -> minval; high -> maxval' in text
    assert 'image_shape dropped' in text
    assert '`deconv2d` -> `conv2d_transpose`' in text
    again, _ = migrate_source(new)
    assert again == new  # idempotent


def test_migrated_code_runs_without_warnings_and_equals_the_runtime_conversion():
    new, _ = migrate_source(KERAS1_SOURCE)
    body = new.replace('from keras import backend as K\n', '')

    def run(source):
        namespace = {'K': K, 'x': K.constant(IMAGES), 'y': K.constant(IMAGES[..., :2]), 'k': K.constant(KERNEL)}
        tf.random.set_seed(7)
        exec(compile(source, '<migrated>', 'exec'), namespace)
        return {name: K.eval(namespace[name]) for name in 'abcdefg'}

    migrated, messages = _call(lambda: run(body))
    assert messages == []
    original, old_messages = _call(lambda: run(KERAS1_SOURCE.replace('from keras import backend as K\n', '')))
    assert len(old_messages) == 7  # one per converted Keras 1 call
    for name in migrated:
        np.testing.assert_array_equal(migrated[name], original[name])


# ---- Keras 1 module paths after install_as_keras (a fresh interpreter: first imports warn) ----

MODULE_CHECKS = textwrap.dedent('''
    import json, warnings
    import kernelkit
    kernelkit.install_as_keras()
    from kernelkit.legacy.interfaces import KerasMigrationWarning
    out = {}
    def record(key, function):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            value = function()
        out[key] = [str(w.message) for w in caught if issubclass(w.category, KerasMigrationWarning)]
        return value
    def import_initializations():
        import keras.initializations
        return keras.initializations
    initializations = record('module', import_initializations)
    out['module_name'] = initializations.__name__
    variable = record('normal', lambda: initializations.normal((300, 200), scale=0.1, name='W'))
    out['normal_std'] = float(kernelkit.backend.eval(variable).std())
    out['normal_name'] = variable.name.startswith('W')
    from keras.layers.core import MaxoutDense, Highway, Dense, Lambda, K
    out['core_identity'] = [Dense is kernelkit.layers.Dense, Lambda is kernelkit.layers.Lambda,
                            K is kernelkit.backend]
    maxout = record('maxout', lambda: MaxoutDense(3, nb_feature=2, input_dim=4))
    highway = record('highway', lambda: Highway(input_dim=4))
    model = kernelkit.models.Sequential([maxout, highway])
    out['shapes'] = [list(model.output_shape), [list(w.shape) for w in maxout.get_weights()]]
    try:
        from keras.layers.core import TimeDistributedDense
    except ImportError as error:
        out['removed'] = str(error)
    print('RESULTS ' + json.dumps(out))
''')


def test_keras1_module_paths_resolve_with_a_warning():
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL='2',
               PYTHONPATH=os.pathsep.join(p for p in (REPO_ROOT, os.environ.get('PYTHONPATH')) if p))
    proc = subprocess.run([sys.executable, '-c', MODULE_CHECKS], cwd=REPO_ROOT, env=env, capture_output=True,
                          text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = [l for l in proc.stdout.splitlines() if l.startswith('RESULTS ')][-1]
    out = json.loads(line[len('RESULTS '):])
    assert out['module'] == [table.INITIALIZATIONS_MODULE]
    assert out['module_name'] == 'keras.initializations'
    assert out['normal'] == [table.INITIALIZATION_CALL % ('normal', 'initializers.RandomNormal(stddev=0.1)',
                                                          'initializers.RandomNormal(stddev=0.1)')]
    assert abs(out['normal_std'] - 0.1) < 0.005 and out['normal_name']
    assert all(out['core_identity']), out['core_identity']
    assert out['maxout'] == [table.MAXOUT_DENSE]
    assert out['highway'] == [table.HIGHWAY]
    assert out['shapes'][0] == [None, 3]
    assert out['shapes'][1][0] == [2, 4, 3]  # Keras 1 MaxoutDense kernel: (nb_feature, input_dim, output_dim)
    assert out['removed'].startswith(table.REMOVED['TimeDistributedDense'][:40])
