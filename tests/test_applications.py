"""kernelkit.applications against tf_keras.applications (the oracle) and numpy formulas.

Every architecture is built with `weights=None` in both libraries and compared layer by layer (names,
output shapes), by parameter counts and by the shapes of `get_weights()` in order; weight files written
by one library load into the other with the same predictions; the ImageNet weights and the class index
come from the Keras cache folder, with clear errors offline. No test touches the network: the download
function of `kernelkit.utils.data_utils` is replaced by one that fails.
"""
import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

import kernelkit as keras
from kernelkit import backend as K
from kernelkit.utils import data_utils

import kernelkit.applications as kapps
from kernelkit.applications import imagenet_utils

tf_keras = pytest.importorskip('tf_keras')

MANIFEST = os.path.join(os.path.dirname(__file__), '..', '..', 'shared', 'reference', 'keras-2.2.4-api.txt')


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    def no_network(origin, fpath):
        raise OSError('network disabled in the tests')
    monkeypatch.setattr(data_utils, '_download', no_network)


@pytest.fixture
def keras_home(tmp_path, monkeypatch):
    monkeypatch.setenv('KERAS_HOME', str(tmp_path))
    return tmp_path


def _snake(name):
    name = re.sub('(.)([A-Z][a-z]+)', r'\1_\2', name)
    return re.sub('([a-z])([A-Z])', r'\1_\2', name).lower()


def _same_name(ours, theirs, theirs_class):
    """Equal names; for automatic names, tf_keras counts from `conv2d`, Keras 2 (and kernelkit) from `conv2d_1`."""
    if ours == theirs:
        return True
    base = _snake(theirs_class)
    match = re.fullmatch(re.escape(base) + r'(?:_(\d+))?', theirs)
    return bool(match) and ours == '%s_%d' % (base, int(match.group(1) or 0) + 1)


def _shape(layer):
    shape = layer.output_shape
    if isinstance(shape, list) and len(shape) == 1:
        shape = shape[0]
    return tuple(shape)


def _param_counts(model, backend):
    def total(weights):
        return sum(int(np.prod(backend.int_shape(w))) for w in weights)
    return total(model.trainable_weights), total(model.non_trainable_weights)


def _build_both(name, **kwargs):
    K.clear_session()
    tf_keras.backend.clear_session()
    ours = getattr(kapps, name)(weights=None, **kwargs)
    theirs = getattr(tf_keras.applications, name)(weights=None, **kwargs)
    return ours, theirs


ARCHITECTURES = [
    ('VGG16', dict(include_top=True, input_shape=(32, 32, 3), classes=10)),
    ('VGG19', dict(include_top=False, input_shape=(32, 32, 3))),
    ('ResNet50', dict()),
    ('ResNet50', dict(include_top=False, pooling='max', input_shape=(64, 64, 3))),
    ('InceptionV3', dict(include_top=False, input_shape=(75, 75, 3), pooling='avg')),
    ('InceptionResNetV2', dict(include_top=False, input_shape=(75, 75, 3))),
    ('Xception', dict(include_top=False, input_shape=(71, 71, 3))),
    ('MobileNet', dict()),
    ('MobileNet', dict(include_top=False, alpha=0.5, depth_multiplier=2, input_shape=(32, 48, 3))),
    ('MobileNetV2', dict()),
    ('MobileNetV2', dict(include_top=False, alpha=0.35, input_shape=(64, 64, 3))),
    ('DenseNet121', dict()),
    ('DenseNet169', dict(include_top=False, input_shape=(32, 32, 3))),
    ('DenseNet201', dict(include_top=False, input_shape=(32, 32, 3), pooling='max')),
    ('NASNetMobile', dict()),
    ('NASNetLarge', dict(include_top=False, input_shape=(32, 32, 3))),
]


@pytest.mark.parametrize('name,kwargs', ARCHITECTURES, ids=['%s-%d' % (n, i) for i, (n, _) in
                                                            enumerate(ARCHITECTURES)])
def test_architecture_matches_tf_keras(name, kwargs):
    ours, theirs = _build_both(name, **kwargs)
    assert ours.name == theirs.name
    assert len(ours.layers) == len(theirs.layers)
    for mine, other in zip(ours.layers, theirs.layers):
        assert _same_name(mine.name, other.name, type(other).__name__), (mine.name, other.name)
        assert _shape(mine) == _shape(other), (mine.name, _shape(mine), _shape(other))
    assert _param_counts(ours, K) == _param_counts(theirs, tf_keras.backend)
    assert ours.count_params() == theirs.count_params()
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in theirs.get_weights()]


def _randomize_batchnorm(model, seed):
    """Non-trivial batch normalization statistics and scales (the rest keeps its random initialization)."""
    rng = np.random.RandomState(seed)
    values = []
    names = [variable.name for layer in model.layers for variable in layer.weights]  # get_weights() order
    for name, value in zip(names, model.get_weights()):
        if 'moving_variance' in name or 'gamma' in name:
            value = rng.uniform(0.5, 1.5, value.shape)
        elif 'moving_mean' in name or 'beta' in name:
            value = rng.normal(0, 0.1, value.shape)
        values.append(value.astype('float32'))
    model.set_weights(values)


ROUND_TRIPS = [
    ('MobileNet', (64, 64, 3)),
    ('ResNet50', (32, 32, 3)),
    ('DenseNet121', (32, 32, 3)),
]


@pytest.mark.parametrize('name,input_shape', ROUND_TRIPS, ids=[n for n, _ in ROUND_TRIPS])
def test_weight_files_move_both_ways(name, input_shape, tmp_path):
    ours, theirs = _build_both(name, include_top=False, pooling='avg', input_shape=input_shape)
    images = np.random.RandomState(1).uniform(-1, 1, (2,) + input_shape).astype('float32')

    _randomize_batchnorm(theirs, seed=2)
    theirs.save_weights(str(tmp_path / 'tf_keras.h5'))
    ours.load_weights(str(tmp_path / 'tf_keras.h5'))
    expected = theirs.predict(images)
    diff = np.abs(ours.predict(images) - expected).max()
    print('\n%s tf_keras -> kernelkit: max |diff| %.3g (outputs up to %.3g)' % (name, diff, np.abs(expected).max()))
    assert diff <= 1e-4 * max(1., np.abs(expected).max()), diff

    _randomize_batchnorm(ours, seed=3)
    ours.save_weights(str(tmp_path / 'kernelkit.h5'))
    theirs.load_weights(str(tmp_path / 'kernelkit.h5'))
    expected = ours.predict(images)
    diff = np.abs(theirs.predict(images) - expected).max()
    print('%s kernelkit -> tf_keras: max |diff| %.3g (outputs up to %.3g)' % (name, diff, np.abs(expected).max()))
    assert diff <= 1e-4 * max(1., np.abs(expected).max()), diff


def test_imagenet_weights_offline_error_names_file_folder_and_fix(keras_home):
    K.clear_session()
    with pytest.raises(data_utils.DownloadError) as info:
        kapps.MobileNet(weights='imagenet', include_top=False, input_shape=(128, 128, 3))
    message = str(info.value)
    folder = os.path.join(str(keras_home), 'models')
    assert 'mobilenet_1_0_128_tf_no_top.h5' in message
    assert folder in message
    assert 'download https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/' \
           'mobilenet_1_0_128_tf_no_top.h5' in message
    assert 'copy it to ' + os.path.join(folder, 'mobilenet_1_0_128_tf_no_top.h5') in message


def test_imagenet_weights_come_from_the_cache_folder(keras_home):
    K.clear_session()
    source = kapps.MobileNet(weights=None, include_top=False, input_shape=(128, 128, 3), pooling='avg')
    _randomize_batchnorm(source, seed=4)
    os.makedirs(str(keras_home / 'models'))
    source.save_weights(str(keras_home / 'models' / 'mobilenet_1_0_128_tf_no_top.h5'))
    loaded = kapps.MobileNet(weights='imagenet', include_top=False, input_shape=(128, 128, 3), pooling='avg')
    images = np.random.RandomState(5).uniform(-1, 1, (2, 128, 128, 3)).astype('float32')
    np.testing.assert_allclose(loaded.predict(images), source.predict(images), atol=1e-5)
    for mine, other in zip(loaded.get_weights(), source.get_weights()):
        np.testing.assert_array_equal(mine, other)


def test_weights_path_loads_that_file(tmp_path):
    K.clear_session()
    source = kapps.MobileNetV2(weights=None, alpha=0.35, include_top=False, input_shape=(32, 32, 3))
    _randomize_batchnorm(source, seed=6)
    path = str(tmp_path / 'mobilenet_v2.h5')
    source.save_weights(path)
    loaded = kapps.MobileNetV2(weights=path, alpha=0.35, include_top=False, input_shape=(32, 32, 3))
    for mine, other in zip(loaded.get_weights(), source.get_weights()):
        np.testing.assert_array_equal(mine, other)


@pytest.mark.parametrize('call,words', [
    (lambda: kapps.VGG16(weights='imagenet', input_shape=(64, 64, 3)), 'should be (224, 224, 3)'),
    (lambda: kapps.VGG16(weights=None, include_top=False, input_shape=(16, 64, 3)), 'at least 32x32'),
    (lambda: kapps.InceptionV3(weights=None, include_top=False, input_shape=(74, 74, 3)), 'at least 75x75'),
    (lambda: kapps.Xception(weights=None, include_top=False, input_shape=(64, 64)), 'three integers'),
    (lambda: kapps.ResNet50(weights='imagenet', include_top=False, input_shape=(64, 64, 1)), '3 channels'),
    (lambda: kapps.ResNet50(weights='imagenet', classes=10), 'classes` should be 1000'),
    (lambda: kapps.ResNet50(weights='no/such/file.h5'), 'path to the weights file'),
    (lambda: kapps.VGG19(weights=None, include_top=True, input_shape=(None, None, 3)), 'static `input_shape`'),
    (lambda: kapps.MobileNet(weights='imagenet', alpha=0.6), 'alpha can be one of'),
    (lambda: kapps.MobileNet(weights='imagenet', depth_multiplier=2), 'depth multiplier must be 1'),
    (lambda: kapps.MobileNetV2(weights='imagenet', alpha=0.6), 'alpha can be one of'),
    (lambda: kapps.nasnet.NASNet(penultimate_filters=100, weights=None), 'multiple of 24'),
    (lambda: kapps.densenet.DenseNet([1, 2, 3], weights=None), 'four integers'),
    (lambda: kapps.VGG16(weights=None, include_top=False, input_shape=(32, 32, 3), pooling='sum'), 'pooling'),
])
def test_invalid_arguments_raise_clear_errors(call, words):
    with pytest.raises(ValueError) as info:
        call()
    assert words in str(info.value)


def test_default_shapes_without_the_top():
    K.clear_session()
    model = kapps.VGG16(weights=None, include_top=False)
    assert model.input_shape == (None, None, None, 3)
    assert model.output_shape == (None, None, None, 512)


def test_input_tensor_gives_a_model_on_its_source_inputs():
    K.clear_session()
    image = keras.Input((64, 64, 3))
    scaled = keras.layers.Lambda(lambda t: t * 2.)(image)
    model = kapps.ResNet50(weights=None, include_top=False, input_tensor=scaled, pooling='avg')
    assert model.inputs[0] is image
    assert model.output_shape == (None, 2048)
    plain = kapps.MobileNet(weights=None, include_top=False, input_tensor=image, pooling='avg')
    assert plain.inputs[0] is image
    data = np.random.RandomState(7).uniform(-1, 1, (1, 64, 64, 3)).astype('float32')
    assert plain.predict(data).shape == (1, 1024)


def _numpy_reference(x, data_format, mode):
    x = x.astype('float64')
    channels = (x.ndim - 3) if data_format == 'channels_first' else -1
    shape = [1] * x.ndim
    shape[channels] = 3
    if mode == 'tf':
        return x / 127.5 - 1.
    if mode == 'torch':
        return (x / 255. - np.reshape([0.485, 0.456, 0.406], shape)) / np.reshape([0.229, 0.224, 0.225], shape)
    bgr = np.flip(x, axis=channels)
    return bgr - np.reshape([103.939, 116.779, 123.68], shape)


@pytest.mark.parametrize('mode', ['caffe', 'tf', 'torch'])
@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
@pytest.mark.parametrize('ndim', [3, 4])
def test_preprocess_input_numpy_and_tensors(mode, data_format, ndim):
    rng = np.random.RandomState(8)
    spatial = (4, 5)
    shape = ((3,) + spatial) if data_format == 'channels_first' else (spatial + (3,))
    if ndim == 4:
        shape = (2,) + shape
    images = rng.uniform(0, 255, shape).astype('float32')
    expected = _numpy_reference(images, data_format, mode)

    result = imagenet_utils.preprocess_input(images.copy(), data_format=data_format, mode=mode)
    np.testing.assert_allclose(result, expected, rtol=1e-5, atol=1e-4)
    assert result.dtype == np.float32

    concrete = K.eval(imagenet_utils.preprocess_input(K.constant(images), data_format=data_format, mode=mode))
    np.testing.assert_allclose(concrete, expected, rtol=1e-5, atol=1e-4)

    if ndim == 4:
        placeholder = keras.Input(shape[1:])
        symbolic = imagenet_utils.preprocess_input(placeholder, data_format=data_format, mode=mode)
        assert K.int_shape(symbolic) == (None,) + shape[1:]
        np.testing.assert_allclose(K.function([placeholder], [symbolic])([images])[0], expected, rtol=1e-5,
                                   atol=1e-4)


def test_preprocess_input_integers_default_format_and_module_modes():
    images = np.arange(2 * 2 * 2 * 3).reshape(2, 2, 2, 3).astype('uint8') * 10
    expected = _numpy_reference(images, K.image_data_format(), 'caffe')
    np.testing.assert_allclose(imagenet_utils.preprocess_input(images), expected, rtol=1e-5, atol=1e-4)
    modes = {'vgg16': 'caffe', 'vgg19': 'caffe', 'resnet50': 'caffe', 'inception_v3': 'tf', 'xception': 'tf',
             'inception_resnet_v2': 'tf', 'mobilenet': 'tf', 'mobilenet_v2': 'tf', 'mobilenetv2': 'tf',
             'nasnet': 'tf', 'densenet': 'torch'}
    for module, mode in modes.items():
        result = getattr(kapps, module).preprocess_input(images.astype('float32'))
        np.testing.assert_allclose(result, _numpy_reference(images, 'channels_last', mode), rtol=1e-5,
                                   atol=1e-4, err_msg=module)
    with pytest.raises(ValueError, match='data_format'):
        imagenet_utils.preprocess_input(images, data_format='channels_middle')
    with pytest.raises(ValueError, match='mode'):
        imagenet_utils.preprocess_input(images, mode='keras')


def test_decode_predictions_offline_error_then_cached_index(keras_home, monkeypatch):
    monkeypatch.setattr(imagenet_utils, 'CLASS_INDEX', None)
    preds = np.random.RandomState(9).uniform(0, 1, (2, 1000)).astype('float32')
    with pytest.raises(data_utils.DownloadError) as info:
        imagenet_utils.decode_predictions(preds)
    folder = os.path.join(str(keras_home), 'models')
    assert 'imagenet_class_index.json' in str(info.value)
    assert folder in str(info.value)
    assert 'copy it to ' + os.path.join(folder, 'imagenet_class_index.json') in str(info.value)

    index = {str(i): ['n%08d' % i, 'class_%d' % i] for i in range(1000)}
    with open(os.path.join(folder, 'imagenet_class_index.json'), 'w') as handle:
        json.dump(index, handle)
    decoded = kapps.resnet50.decode_predictions(preds, top=3)
    assert len(decoded) == 2
    for row, pred in zip(decoded, preds):
        best = np.argsort(pred)[::-1][:3]
        assert [entry[:2] for entry in row] == [('n%08d' % i, 'class_%d' % i) for i in best]
        np.testing.assert_allclose([entry[2] for entry in row], pred[best])
    with pytest.raises(ValueError, match=r'\(samples, 1000\)'):
        imagenet_utils.decode_predictions(preds[:, :10])


def test_manifest_names_exist():
    if not os.path.exists(MANIFEST):
        pytest.skip('the Keras 2.2.4 manifest is not here')
    import importlib
    checked = 0
    with open(MANIFEST) as handle:
        for line in handle:
            path, _, names = line.strip().partition(': ')
            if not path.startswith('keras.applications'):
                continue
            module = importlib.import_module('kernel' + 'kit' + path[len('keras'):])
            for name in names.split():
                if name.startswith('*'):
                    continue
                assert hasattr(module, name), (path, name)
                checked += 1
    assert checked > 60
    assert kapps.mobilenetv2.MobileNetV2 is kapps.mobilenet_v2.MobileNetV2
    assert kapps.layers is keras.layers and kapps.backend is keras.backend
    assert kapps.models is keras.models and kapps.utils is keras.utils


def test_keras_modules_injection_accepts_and_ignores_the_modules():
    @kapps.keras_modules_injection
    def build(size, **kwargs):
        return size, kwargs

    assert build(3, backend=K, layers=keras.layers, models=keras.models, utils=keras.utils, extra=1) == \
        (3, {'extra': 1})
    K.clear_session()
    model = kapps.VGG19(weights=None, include_top=False, input_shape=(32, 32, 3), backend=K,
                        layers=keras.layers)
    assert model.name == 'vgg19'


def test_import_kernelkit_keeps_applications_lazy():
    code = ('import sys, kernelkit; assert "kernelkit.applications" not in sys.modules; '
            'print(kernelkit.applications.ResNet50.__name__)')
    done = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL='3'))
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == 'ResNet50'
