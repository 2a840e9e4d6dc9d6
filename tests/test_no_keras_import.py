"""kernelkit is its own Keras: using it must not load Keras 3 or tf_keras into the process.

TensorFlow 2.16+ imports Keras from its own `__init__`; `kernelkit._tensorflow` stops that. These tests
run in a fresh interpreter, because the test process itself may already hold tf_keras (the oracle).
"""
import json
import os
import subprocess
import sys
import textwrap

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

TRAIN_AND_LIST_MODULES = textwrap.dedent('''
    import json
    import sys

    import numpy as np

    import kernelkit as keras
    from kernelkit.layers import Dense
    from kernelkit.models import Sequential

    model = Sequential()
    model.add(Dense(8, activation='relu', input_shape=(4,)))
    model.add(Dense(3, activation='softmax'))
    model.compile(optimizer=keras.optimizers.RMSprop(), loss='categorical_crossentropy',
                  metrics=['accuracy'])
    x = np.random.rand(32, 4).astype('float32')
    y = np.eye(3, dtype='float32')[np.random.randint(0, 3, size=32)]
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    assert model.predict(x[:2]).shape == (2, 3)

    def is_keras(name):
        return name in ('keras', 'tf_keras') or name.startswith(('keras.', 'tf_keras.'))

    print('MODULES ' + json.dumps(sorted(
        [name, sys.modules[name] is None] for name in list(sys.modules) if is_keras(name))))
''')


def run_fresh(code):
    """Runs `code` in a fresh interpreter with kernelkit importable; returns its stdout."""
    env = dict(os.environ)
    env['TF_CPP_MIN_LOG_LEVEL'] = '2'
    env['PYTHONPATH'] = os.pathsep.join(p for p in (REPO_ROOT, env.get('PYTHONPATH')) if p)
    proc = subprocess.run([sys.executable, '-c', code], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, 'subprocess failed:\n%s\n%s' % (proc.stdout, proc.stderr[-4000:])
    return proc.stdout


def test_training_with_kernelkit_loads_no_keras_module():
    out = run_fresh(TRAIN_AND_LIST_MODULES)
    line = [l for l in out.splitlines() if l.startswith('MODULES ')][-1]
    found = json.loads(line[len('MODULES '):])
    loaded = [name for name, blocked in found if not blocked]
    leftover_blocks = [name for name, blocked in found if blocked]
    assert loaded == [], 'kernelkit pulled these Keras modules into the process: %s' % loaded
    assert leftover_blocks == [], (
        'sys.modules still holds import blocks for %s, so the user cannot import them'
        % leftover_blocks)


def test_tf_keras_stays_importable_after_kernelkit():
    # The block on Keras is only for TensorFlow's own import; a user may still pick tf_keras.
    run_fresh('import kernelkit\nimport tf_keras\nassert tf_keras.layers.Dense')


def test_import_is_quiet_unless_asked_and_leaves_devices_configurable():
    """TensorFlow's C++ start-up lines are silenced at import (unless TF_CPP_MIN_LOG_LEVEL is set), and
    devices are not started, so they can still be configured after `import kernelkit`."""
    import os
    import subprocess
    import sys
    code = ("import kernelkit, tensorflow as tf\n"
            "cpu = tf.config.list_physical_devices('CPU')[0]\n"
            "tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)\n"
            "print(len(tf.config.list_logical_devices('CPU')))\n")
    env = {k: v for k, v in os.environ.items() if k != 'TF_CPP_MIN_LOG_LEVEL'}
    quiet = subprocess.run([sys.executable, '-c', 'import kernelkit'], env=env, capture_output=True, text=True,
                           timeout=300)
    assert quiet.returncode == 0 and 'oneDNN' not in quiet.stderr and 'cuda' not in quiet.stderr, quiet.stderr
    configured = subprocess.run([sys.executable, '-c', code], env=env, capture_output=True, text=True, timeout=300)
    assert configured.returncode == 0 and configured.stdout.strip() == '2', configured.stderr[-2000:]
