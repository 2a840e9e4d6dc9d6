"""`kernelkit.install_as_keras()`: the Keras 1 and 2 module paths give kernelkit (checked in a fresh interpreter,
so the test process never gets a `keras` module)."""
import json
import os
import subprocess
import sys
import textwrap

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CHECKS = textwrap.dedent('''
    import json, warnings
    import kernelkit
    results = {}
    keras = kernelkit.install_as_keras()
    import keras as keras_again
    results['same_module'] = keras is keras_again
    results['version'] = keras.__version__
    from keras.models import Sequential, Model
    from keras.layers import Dense, merge, Convolution2D
    from keras.layers.convolutional import Convolution2D as C2D, MaxPooling2D, ZeroPadding2D, AtrousConvolution2D
    from keras.layers.core import Dense as CoreDense, Dropout, Activation, Flatten
    from keras.layers.recurrent import LSTM, GRU
    from keras.layers.embeddings import Embedding
    from keras.layers.normalization import BatchNormalization
    from keras.layers.advanced_activations import LeakyReLU
    from keras.layers.wrappers import TimeDistributed
    from keras.layers.merge import concatenate
    from keras.utils import np_utils
    from keras.utils.np_utils import to_categorical
    from keras.optimizers import SGD
    from keras.preprocessing.image import ImageDataGenerator
    from keras.preprocessing import sequence
    from keras.engine.topology import Layer, InputSpec
    from keras.callbacks import EarlyStopping
    from keras import backend as K
    import keras.backend as K2
    results['identity'] = [Sequential is kernelkit.models.Sequential, Model is kernelkit.models.Model,
                           Dense is kernelkit.layers.Dense is CoreDense,
                           C2D is Convolution2D is kernelkit.layers.Conv2D,
                           MaxPooling2D is kernelkit.layers.MaxPooling2D, LSTM is kernelkit.layers.LSTM,
                           SGD is kernelkit.optimizers.SGD, Layer is kernelkit.layers.Layer,
                           to_categorical is np_utils.to_categorical, callable(merge),
                           concatenate is kernelkit.layers.concatenate, K.floatx() == 'float32',
                           K2.image_dim_ordering() == 'tf']
    K2.set_image_dim_ordering('th')
    results['backend_state'] = kernelkit.backend.image_data_format()
    K2.set_image_dim_ordering('tf')
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        from keras import objectives
        from keras.objectives import categorical_crossentropy
    results['objectives'] = [objectives.mse is kernelkit.losses.mse,
                             categorical_crossentropy is kernelkit.losses.categorical_crossentropy,
                             [type(w.message).__name__ for w in caught]]
    try:
        from keras.layers import TimeDistributedDense
    except ImportError as error:
        results['removed'] = str(error)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        import keras.initializations
        weights = keras.initializations.get('glorot_uniform')((3, 2), name='W')
    results['initializations'] = [str(w.message) for w in caught]
    results['initialized'] = [list(kernelkit.backend.int_shape(weights)), weights.name.startswith('W')]
    try:
        import keras.no_such_module
    except ImportError as error:
        results['missing'] = type(error).__name__
    import keras.datasets.mnist
    results['datasets'] = keras.datasets.mnist.load_data is kernelkit.datasets.mnist.load_data
    results['kernelkit_untouched'] = kernelkit.layers.__name__ == 'kernelkit.layers' and \\
        kernelkit.layers.merge is merge
    print('RESULTS ' + json.dumps(results))
''')


def test_install_as_keras_module_paths():
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL='2',
               PYTHONPATH=os.pathsep.join(p for p in (REPO_ROOT, os.environ.get('PYTHONPATH')) if p))
    proc = subprocess.run([sys.executable, '-c', CHECKS], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                          timeout=300, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = [l for l in proc.stdout.splitlines() if l.startswith('RESULTS ')][-1]
    results = json.loads(line[len('RESULTS '):])
    assert results['same_module'] and results['version'] == '2.2.4'
    assert all(results['identity']), results['identity']
    assert results['backend_state'] == 'channels_first'
    assert results['objectives'] == [True, True, ['KerasMigrationWarning']]
    assert 'TimeDistributed(Dense(...))' in results['removed']
    assert results['initialized'] == [[3, 2], True]
    assert any('keras.initializers' in text for text in results['initializations'])
    assert any('K.variable(initializers.glorot_uniform()(shape))' in text for text in results['initializations'])
    assert results['missing'] == 'ModuleNotFoundError'
    assert results['datasets'] and results['kernelkit_untouched']
