"""Tests for kernelkit.backend configuration: floatx, epsilon, data format, keras.json, uids and
the learning phase."""
import json
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

from kernelkit import backend as K
from kernelkit.backend import config


@pytest.fixture(autouse=True)
def restore_config():
    saved = (K.floatx(), K.epsilon(), K.image_data_format(), config._GLOBAL_LEARNING_PHASE)
    yield
    K.set_floatx(saved[0])
    K.set_epsilon(saved[1])
    K.set_image_data_format(saved[2])
    config._GLOBAL_LEARNING_PHASE = saved[3]
    config._PHASE_STATE.stack = []


def test_defaults_match_keras2():
    import tf_keras
    assert K.floatx() == tf_keras.backend.floatx() == 'float32'
    assert K.epsilon() == tf_keras.backend.epsilon() == 1e-7
    assert K.image_data_format() == 'channels_last'
    assert K.backend() == 'tensorflow'


def test_set_floatx_and_errors():
    K.set_floatx('float64')
    assert K.floatx() == 'float64'
    assert K.variable([1, 2]).dtype.name == 'float64'
    with pytest.raises(ValueError, match="float16.*float32.*float64"):
        K.set_floatx('int32')


def test_set_epsilon():
    K.set_epsilon(1e-4)
    assert K.epsilon() == 1e-4
    with pytest.raises(ValueError, match='`e`'):
        K.set_epsilon('tiny')


def test_image_data_format_and_normalize():
    K.set_image_data_format('channels_first')
    assert K.image_data_format() == 'channels_first'
    assert K.normalize_data_format(None) == 'channels_first'
    assert K.normalize_data_format('Channels_Last') == 'channels_last'
    with pytest.raises(ValueError, match='channels_first'):
        K.set_image_data_format('NHWC')
    with pytest.raises(ValueError, match='data_format'):
        K.normalize_data_format('nchw')


def test_legacy_dim_ordering():
    K.set_image_dim_ordering('th')
    assert K.image_data_format() == 'channels_first'
    assert K.image_dim_ordering() == 'th'
    K.set_image_dim_ordering('tf')
    assert K.image_data_format() == 'channels_last'
    assert K.image_dim_ordering() == 'tf'
    with pytest.raises(ValueError, match='dim_ordering'):
        K.set_image_dim_ordering('default')


def _write_config(directory, content):
    path = directory / 'keras.json'
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def test_load_config_from_keras_home(tmp_path, monkeypatch):
    _write_config(tmp_path, {'floatx': 'float64', 'epsilon': 1e-5, 'backend': 'theano',
                             'image_data_format': 'channels_first'})
    monkeypatch.setenv('KERAS_HOME', str(tmp_path))
    assert K.config_path() == str(tmp_path / 'keras.json')
    loaded = K.load_config()
    assert loaded['backend'] == 'theano'
    assert K.floatx() == 'float64'
    assert K.epsilon() == 1e-5
    assert K.image_data_format() == 'channels_first'
    assert K.backend() == 'tensorflow'  # the backend entry is ignored


def test_load_config_default_location_is_home_dot_keras(tmp_path, monkeypatch):
    monkeypatch.delenv('KERAS_HOME', raising=False)
    monkeypatch.setenv('HOME', str(tmp_path))
    assert K.config_path() == os.path.join(str(tmp_path), '.keras', 'keras.json')
    (tmp_path / '.keras').mkdir()
    _write_config(tmp_path / '.keras', {'epsilon': 0.5})
    K.load_config()
    assert K.epsilon() == 0.5


def test_load_config_missing_file_changes_nothing_and_writes_nothing(tmp_path):
    assert K.load_config(str(tmp_path)) == {}
    assert K.floatx() == 'float32'
    assert list(tmp_path.iterdir()) == []


def test_load_config_malformed_file_warns_and_keeps_defaults(tmp_path):
    _write_config(tmp_path, '{"floatx": "float64",')
    with pytest.warns(UserWarning, match='keras.json'):
        assert K.load_config(str(tmp_path)) == {}
    assert K.floatx() == 'float32'


def test_load_config_bad_value_warns_and_keeps_the_others(tmp_path):
    _write_config(tmp_path, {'floatx': 'float8', 'epsilon': 1e-3})
    with pytest.warns(UserWarning, match='floatx'):
        K.load_config(str(tmp_path))
    assert K.floatx() == 'float32'
    assert K.epsilon() == 1e-3


def test_keras_json_is_read_at_import(tmp_path):
    _write_config(tmp_path, {'floatx': 'float16', 'image_data_format': 'channels_first'})
    env = dict(os.environ, KERAS_HOME=str(tmp_path))
    code = 'from kernelkit import backend as K; print(K.floatx(), K.image_data_format())'
    out = subprocess.run([sys.executable, '-c', code], env=env, capture_output=True, text=True,
                         cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ['float16', 'channels_first']


def test_get_uid_counts_per_prefix_from_one():
    K.reset_uids()
    assert K.get_uid('dense') == 1
    assert K.get_uid('dense') == 2
    assert K.get_uid('conv2d') == 1
    assert K.get_uid() == 1
    K.reset_uids()
    assert K.get_uid('dense') == 1


def test_clear_session_resets_uids_phase_and_runs_hooks():
    calls = []

    def hook():
        calls.append(K.get_uid('after_reset'))

    K.register_clear_session_hook(hook)
    K.register_clear_session_hook(hook)  # registering twice runs it once
    try:
        K.get_uid('dense')
        K.get_uid('dense')
        K.set_learning_phase(1)
        K.clear_session()
        assert K.get_uid('dense') == 1
        assert K.learning_phase() == 0
        assert calls == [1]
    finally:
        config._CLEAR_SESSION_HOOKS.remove(hook)
    with pytest.raises(TypeError, match='callable'):
        K.register_clear_session_hook(42)


def test_learning_phase_default_set_and_errors():
    assert K.learning_phase() == 0
    K.set_learning_phase(1)
    assert K.learning_phase() == 1
    K.set_learning_phase(0)
    assert K.learning_phase() == 0
    with pytest.raises(ValueError, match='0 or 1'):
        K.set_learning_phase(2)
    with pytest.raises(ValueError, match='0 or 1'):
        K.set_learning_phase(0.5)


def test_learning_phase_scope_nesting_and_restoring():
    K.set_learning_phase(0)
    with K.learning_phase_scope(1):
        assert K.learning_phase() == 1
        with K.learning_phase_scope(0):
            assert K.learning_phase() == 0
        assert K.learning_phase() == 1
    assert K.learning_phase() == 0
    with pytest.raises(KeyError):
        with K.learning_phase_scope(1):
            raise KeyError('boom')
    assert K.learning_phase() == 0
    with pytest.raises(ValueError, match='0 or 1'):
        with K.learning_phase_scope('train'):
            pass


def test_learning_phase_scope_is_thread_local():
    seen = []
    with K.learning_phase_scope(1):
        thread = threading.Thread(target=lambda: seen.append(K.learning_phase()))
        thread.start()
        thread.join()
        assert K.learning_phase() == 1
    assert seen == [0]


def test_in_train_phase_follows_the_scope():
    import numpy as np
    x, alt = np.ones(2), np.zeros(2)
    assert K.in_train_phase(x, alt) is alt
    with K.learning_phase_scope(1):
        assert K.in_train_phase(x, alt) is x
        assert K.in_test_phase(x, alt) is alt
        assert K.in_train_phase(lambda: 'called', alt) == 'called'


def test_tf1_sessions_are_accepted_with_a_migration_warning():
    from kernelkit.legacy.interfaces import KerasMigrationWarning
    import tensorflow as tf
    with pytest.warns(KerasMigrationWarning, match='TensorFlow 2 has no sessions'):
        session = K.get_session()
    variable = K.variable(np.array([1., 2.]))
    np.testing.assert_allclose(session.run(variable * 3), [3., 6.])
    placeholder = K.placeholder(shape=(None, 2))
    np.testing.assert_allclose(session.run(K.sum(placeholder, axis=1), {placeholder: np.ones((3, 2))}), [2., 2., 2.])
    config = tf.compat.v1.ConfigProto(gpu_options=tf.compat.v1.GPUOptions(allow_growth=True))
    with pytest.warns(KerasMigrationWarning, match='set_memory_growth'):
        K.set_session(tf.compat.v1.Session(config=config))
    assert K.manual_variable_initialization(True) is None
