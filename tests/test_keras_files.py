"""Real files written by Keras 2.0-2.3 and tf.keras load in kernelkit and reproduce their stored predictions.

The files live in `../shared/keras-files/` (beside the repository, never inside it). Without that folder the
tests skip with the reason; with it, every Keras 2 model file that has stored inputs and predictions is
checked, and every optimizer file restores its optimizer state.
"""
import csv
import os

import h5py
import numpy as np
import pytest

import kernelkit as keras

ROOT = os.path.join(os.path.dirname(__file__), '..', '..', 'shared', 'keras-files')
DATA = os.path.join(ROOT, 'dl4j-test-resources')
pytestmark = pytest.mark.skipif(not os.path.isdir(DATA), reason='../shared/keras-files is not present')


def _manifest():
    if not os.path.isdir(DATA):
        return {}
    with open(os.path.join(ROOT, 'MANIFEST.tsv')) as f:
        return {row['path']: row for row in csv.DictReader(f, delimiter='\t')}


MANIFEST = _manifest()


def _keras2(row):
    version = row.get('keras_version', 'None')
    return version not in ('None', '1.2.2') and not version.startswith('1.')


def _example_pairs():
    """(model file, inputs-and-outputs file) pairs for Keras 2 full models."""
    pairs = []
    for path, row in sorted(MANIFEST.items()):
        if not path.endswith('_inputs_and_outputs.h5'):
            continue
        stem = path[:-len('_inputs_and_outputs.h5')]
        model_path = stem + '_model.h5'
        if model_path in MANIFEST and _keras2(MANIFEST[model_path]):
            pairs.append((model_path, path))
    return pairs


def _read_group(f, name):
    group = f[name]
    return {key: np.asarray(group[key]) for key in group}


@pytest.mark.parametrize('model_path,data_path', _example_pairs(), ids=lambda p: os.path.basename(p))
def test_keras2_model_reproduces_predictions(model_path, data_path):
    model = keras.models.load_model(os.path.join(DATA, model_path), compile=False)
    with h5py.File(os.path.join(DATA, data_path), 'r') as f:
        inputs = _read_group(f, 'inputs')
        has_predictions = 'predictions' in f
        predictions = _read_group(f, 'predictions' if has_predictions else 'outputs')
    x = [inputs[name] for name in model.input_names] if len(inputs) > 1 else list(inputs.values())[0]
    outputs = model.predict(x)
    outputs = outputs if isinstance(outputs, list) else [outputs]
    if not has_predictions:
        # A few files store only training targets ("outputs"), no reference predictions: the model must
        # load and produce outputs of the targets' shape.
        for ours, targets in zip(outputs, predictions.values()):
            assert ours.size == targets.size
        return
    expected = [predictions[name] for name in model.output_names] if len(predictions) > 1 else \
        list(predictions.values())
    for ours, theirs in zip(outputs, expected):
        np.testing.assert_allclose(ours, theirs.reshape(ours.shape), atol=1e-5, rtol=1e-5)


def _optimizer_files():
    return sorted(p for p in MANIFEST if p.startswith('optimizers/') and p.endswith('.h5'))


@pytest.mark.parametrize('path', _optimizer_files(), ids=os.path.basename)
def test_optimizer_files_restore_optimizer(path):
    """These Keras 2.0.9 files store the optimizer configuration (and no slot state, as they were saved before
    training): the loaded model is compiled with the same optimizer and hyper-parameters."""
    import json
    from kernelkit.engine.saving import hdf5_format
    full = os.path.join(DATA, path)
    with h5py.File(full, 'r') as f:
        stored = json.loads(hdf5_format.read_string_attribute(f, 'training_config'))['optimizer_config']
        slots = [np.asarray(f['optimizer_weights'][n]) for n in
                 hdf5_format.read_name_list(f['optimizer_weights'], 'weight_names')] \
            if 'optimizer_weights' in f else None
    model = keras.models.load_model(full)
    assert model.optimizer.__class__.__name__ == stored['class_name']
    config = model.optimizer.get_config()
    for key, value in stored['config'].items():
        np.testing.assert_allclose(config[key], value, rtol=1e-6, err_msg=key)
    if slots is not None:
        for ours, theirs in zip(model.optimizer.get_weights(), slots):
            np.testing.assert_allclose(ours, theirs)


def _theano_keras2_files():
    return sorted(p for p, row in MANIFEST.items()
                  if row.get('backend') == 'theano' and row.get('kind') == 'full_model' and _keras2(row))


@pytest.mark.parametrize('path', _theano_keras2_files(), ids=os.path.basename)
def test_theano_written_keras2_files_load_with_flipped_kernels(path):
    """Theano convolves where TensorFlow correlates: Keras 2 flips the spatial axes of conv kernels from
    Theano files on load; every other weight loads as stored."""
    from kernelkit.engine.saving import hdf5_format
    from kernelkit.engine.saving.weight_conversion import flip_kernel
    full = os.path.join(DATA, path)
    model = keras.models.load_model(full, compile=False)
    with h5py.File(full, 'r') as f:
        saved, _, backend = hdf5_format.read_saved_layers(f['model_weights'])
    assert backend == 'theano'
    saved = dict(saved)
    for layer in model.layers:
        if not layer.weights:
            continue
        stored = saved[layer.name]
        conv = type(layer).__name__ in ('Conv1D', 'Conv2D', 'Conv3D', 'Conv2DTranspose')
        for index, (ours, theirs) in enumerate(zip(layer.get_weights(), stored)):
            expected = flip_kernel(theirs) if conv and index == 0 else theirs
            np.testing.assert_array_equal(ours, expected)
    batch_shape = model.inputs[0].shape.as_list()
    x = np.random.RandomState(0).randint(0, 2, [2] + batch_shape[1:]).astype(model.inputs[0].dtype.name)
    assert np.all(np.isfinite(model.predict(x)))
