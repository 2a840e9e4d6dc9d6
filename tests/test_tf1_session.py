"""TF1 session idioms on TensorFlow 2 (`kernelkit.legacy.tf1_session`): `set_session(tf.Session(config=...))`
applies the `ConfigProto` through `tf.config` and warns with the TensorFlow 2 code; `get_session().run(...)`
evaluates tensors, variables, lists/dicts and fed model outputs.

TensorFlow device and thread settings can be changed only before TensorFlow initializes, and not back, so the
calls that apply them run in a fresh interpreter. (`tests/test_backend_config.py` covers the basic
`get_session().run(variable)` and the `allow_growth` message.)
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

import kernelkit as keras
from kernelkit import backend as K
from kernelkit.legacy import tf1_session
from kernelkit.legacy.interfaces import KerasMigrationWarning

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PREFIX = ('`set_session(tf.Session(config=...))` is a TensorFlow 1 idiom: TensorFlow 2 has no sessions. '
          'kernelkit applied the session config through `tf.config`: ')


@pytest.fixture(autouse=True)
def restore_session():
    saved = tf1_session._SESSION[0]
    yield
    tf1_session._SESSION[0] = saved


def _messages(function):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        result = function()
    return result, [str(w.message) for w in caught if issubclass(w.category, KerasMigrationWarning)]


# ---- set_session in a fresh interpreter (TensorFlow not yet initialized) ----

FRESH = textwrap.dedent('''
    import json, warnings
    import tensorflow as tf
    import kernelkit
    kernelkit.install_as_keras()
    import keras.backend.tensorflow_backend as tfb
    from kernelkit.legacy import tf1_session
    from kernelkit.legacy.interfaces import KerasMigrationWarning
    out = {'same_function': [tfb.set_session is tf1_session.set_session, tfb.get_session is tf1_session.get_session,
                             kernelkit.backend.set_session is tf1_session.set_session]}
    configs = {
        'allow_growth': tf.compat.v1.ConfigProto(gpu_options=tf.compat.v1.GPUOptions(allow_growth=True)),
        'no_gpu': tf.compat.v1.ConfigProto(device_count={'GPU': 0}),
        'intra': tf.compat.v1.ConfigProto(intra_op_parallelism_threads=2),
        'inter': tf.compat.v1.ConfigProto(inter_op_parallelism_threads=3),
        'empty': tf.compat.v1.ConfigProto(),
    }
    for key, config in configs.items():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            tfb.set_session(tf.compat.v1.Session(config=config))
        out[key] = [str(w.message) for w in caught if issubclass(w.category, KerasMigrationWarning)]
    out['state'] = [tf.config.threading.get_intra_op_parallelism_threads(),
                    tf.config.threading.get_inter_op_parallelism_threads(),
                    len(tf.config.get_visible_devices('GPU'))]
    out['session_config'] = tfb.get_session().config.inter_op_parallelism_threads
    float(tf.reduce_sum(tf.ones(3)))  # TensorFlow is initialized from here on
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        tfb.set_session(tf.compat.v1.Session(config=tf.compat.v1.ConfigProto(intra_op_parallelism_threads=5)))
    out['late'] = [str(w.message) for w in caught if issubclass(w.category, KerasMigrationWarning)]
    out['late_state'] = tf.config.threading.get_intra_op_parallelism_threads()
    print('RESULTS ' + json.dumps(out))
''')


@pytest.fixture(scope='module')
def fresh():
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL='2',
               PYTHONPATH=os.pathsep.join(p for p in (REPO_ROOT, os.environ.get('PYTHONPATH')) if p))
    proc = subprocess.run([sys.executable, '-c', FRESH], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                          timeout=300, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = [l for l in proc.stdout.splitlines() if l.startswith('RESULTS ')][-1]
    return json.loads(line[len('RESULTS '):])


def test_keras_tensorflow_backend_path_gives_the_tf1_idioms(fresh):
    assert all(fresh['same_function']), fresh['same_function']


@pytest.mark.parametrize('key, applied, code', [
    ('allow_growth', 'memory growth on ', "for gpu in tf.config.list_physical_devices('GPU'): "
                                          "tf.config.experimental.set_memory_growth(gpu, True)"),
    ('no_gpu', '0 visible GPU(s)', "tf.config.set_visible_devices(tf.config.list_physical_devices('GPU')[:0], "
                                   "'GPU')"),
    ('intra', 'intra_op_parallelism_threads=2', 'tf.config.threading.set_intra_op_parallelism_threads(2)'),
    ('inter', 'inter_op_parallelism_threads=3', 'tf.config.threading.set_inter_op_parallelism_threads(3)'),
])
def test_set_session_config_warns_with_the_tf2_code(fresh, key, applied, code):
    assert len(fresh[key]) == 1
    message = fresh[key][0]
    assert message.startswith(PREFIX + applied)
    assert 'not applied' not in message
    assert message.endswith('On TensorFlow 2, write: `%s`' % code)


def test_set_session_really_applies_the_config(fresh):
    intra, inter, visible_gpus = fresh['state']
    assert (intra, inter, visible_gpus) == (2, 3, 0)
    assert fresh['session_config'] == 0  # the last session given was the empty config


def test_an_empty_config_says_to_remove_the_call(fresh):
    assert fresh['empty'] == [PREFIX + 'nothing to apply. On TensorFlow 2, write: `nothing (remove the call)`']


def test_set_session_after_initialization_says_it_was_not_applied(fresh):
    message, = fresh['late']
    assert 'intra_op_parallelism_threads=5 (not applied: ' in message
    assert 'call set_session before anything runs' in message
    assert message.endswith('`tf.config.threading.set_intra_op_parallelism_threads(5)`')
    assert fresh['late_state'] == 2  # unchanged


def test_in_process_late_config_changes_nothing():
    float(tf.reduce_sum(tf.ones(2)))  # make sure TensorFlow is initialized
    before = tf.config.threading.get_intra_op_parallelism_threads()
    config = tf.compat.v1.ConfigProto(intra_op_parallelism_threads=before + 7)
    _, messages = _messages(lambda: K.set_session(tf.compat.v1.Session(config=config)))
    assert len(messages) == 1 and '(not applied: ' in messages[0]
    assert tf.config.threading.get_intra_op_parallelism_threads() == before
    session, _ = _messages(K.get_session)
    assert session.config is config


# ---- get_session().run ----

def test_get_session_warns_with_the_tf2_way():
    session, messages = _messages(K.get_session)
    assert messages == [tf1_session.GET_SESSION]
    assert 'K.function(inputs, outputs)(values)' in messages[0]
    again, _ = _messages(K.get_session)
    assert again is session


def test_run_evaluates_tensors_lists_and_dicts():
    session, _ = _messages(K.get_session)
    variable = K.variable(np.array([[1., 2.], [3., 4.]]))
    tensor = K.dot(variable, K.constant(np.eye(2) * 2.))
    single = session.run(tensor)
    assert isinstance(single, np.ndarray)
    np.testing.assert_allclose(single, [[2., 4.], [6., 8.]])
    listed = session.run([variable, tensor, K.sum(variable)])
    assert isinstance(listed, list) and len(listed) == 3
    np.testing.assert_allclose(listed[0], [[1., 2.], [3., 4.]])
    np.testing.assert_allclose(listed[2], 10.)
    mapped = session.run({'v': variable, 'pair': (tensor, None)})
    np.testing.assert_allclose(mapped['v'], listed[0])
    assert mapped['pair'][1] is None
    np.testing.assert_allclose(mapped['pair'][0], single)


def test_run_of_the_tf1_initializer_is_harmless():
    session, _ = _messages(K.get_session)
    variable = K.variable(np.array([5., 6.]))
    assert session.run(tf.compat.v1.global_variables_initializer()) is None
    np.testing.assert_allclose(K.get_value(variable), [5., 6.])


def test_run_of_a_model_output_with_feed_dict_equals_predict():
    keras.backend.clear_session()
    model = keras.models.Sequential([keras.layers.Dense(4, input_dim=3, activation='relu'),
                                     keras.layers.Dense(2)])
    x = np.random.RandomState(0).rand(5, 3).astype('float32')
    session, _ = _messages(K.get_session)
    out = session.run(model.output, feed_dict={model.input: x})
    np.testing.assert_allclose(out, model.predict(x), rtol=1e-6)
    hidden, kernel = session.run([model.layers[0].output, model.layers[0].kernel], {model.input: x})
    np.testing.assert_allclose(hidden, np.maximum(x.dot(kernel) + model.layers[0].get_weights()[1], 0.),
                               rtol=1e-5, atol=1e-6)


def test_run_of_a_symbolic_tensor_without_its_feed_raises():
    model = keras.models.Sequential([keras.layers.Dense(2, input_dim=3)])
    session, _ = _messages(K.get_session)
    with pytest.raises(ValueError, match='needs a value for input'):
        session.run(model.output)


def test_session_context_manager_and_helpers():
    session, _ = _messages(K.get_session)
    with session.as_default() as same:
        assert same is session
    with session as same:
        assert same is session
    names = [device.name for device in session.list_devices()]
    assert any('CPU' in name for name in names)
    assert session.close() is None
