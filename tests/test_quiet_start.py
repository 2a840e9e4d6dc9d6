"""A quiet first cell: importing kernelkit and training prints nothing on stderr in a real Jupyter kernel
(no cuInit line, no absl preamble, no oneDNN or cudart notices), unless the user asks for them with
TF_CPP_MIN_LOG_LEVEL=0."""
from kernel_harness import Kernel

FIRST_CELL = '''
import numpy as np
import kernelkit as keras
model = keras.Sequential([keras.layers.Dense(4, activation='relu', input_shape=(3,)), keras.layers.Dense(1)])
model.compile('adam', 'mse')
model.fit(np.ones((8, 3)), np.ones((8, 1)), epochs=2, verbose=0)
print('trained', model.predict(np.ones((1, 3))).shape)
'''


def test_first_cell_prints_nothing_on_stderr():
    with Kernel() as kernel:
        result = kernel.run(FIRST_CELL)
    assert result.error is None, result.error
    assert 'trained (1, 1)' in result.stdout
    assert result.stderr == '', result.stderr


def test_the_usual_advice_level_2_is_quiet_too():
    with Kernel({'TF_CPP_MIN_LOG_LEVEL': '2'}) as kernel:
        result = kernel.run(FIRST_CELL)
    assert result.error is None and result.stderr == '', result.stderr


def test_a_log_level_the_user_set_wins():
    with Kernel({'TF_CPP_MIN_LOG_LEVEL': '0'}) as kernel:
        result = kernel.run(FIRST_CELL)
    assert result.error is None, result.error
    assert 'trained (1, 1)' in result.stdout
    assert 'oneDNN' in result.stderr or 'cuda' in result.stderr.lower(), result.stderr  # the check does see them


def test_device_settings_stay_changeable_after_import():
    with Kernel() as kernel:
        result = kernel.run('import kernelkit, tensorflow as tf\n'
                            'tf.config.threading.set_intra_op_parallelism_threads(2)\n'
                            'tf.config.set_visible_devices(tf.config.list_physical_devices("GPU"), "GPU")\n'
                            'print("threads", tf.config.threading.get_intra_op_parallelism_threads())\n')
    assert result.error is None, result.error
    assert 'threads 2' in result.stdout and result.stderr == ''
