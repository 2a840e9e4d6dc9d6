"""Saving and loading models: HDF5 files (`hdf5_format`), configs as JSON/YAML, and the public functions
`save_model`, `load_model`, `model_from_config`, `model_from_json`, `model_from_yaml`.

Two promises hold for every function here:
- a save is atomic: the file is written beside its target under a temporary name and renamed over it,
  so a crash or a full disk never leaves a half-written file where a good one was;
- a load checks the whole file against the model before assigning anything, so a bad file raises an
  error naming the layer, the weight and both shapes, and the model keeps its previous weights.
"""
import contextlib
import json
import os
import tempfile
import warnings

import numpy as np

from kernelkit.engine.saving import hdf5_format


def _h5py():
    try:
        import h5py
    except ImportError:  # h5py is a runtime dependency; this guards broken installs only
        raise ImportError('Saving and loading HDF5 files requires h5py (`pip install h5py`).')
    return h5py


def _is_h5_object(filepath):
    h5py = _h5py()
    return isinstance(filepath, (h5py.File, h5py.Group))


@contextlib.contextmanager
def atomic_h5_file(filepath, overwrite=True):
    """Opens a temporary HDF5 file beside `filepath` and renames it into place when the block succeeds.

    # Arguments
        filepath: the final path.
        overwrite: if `False` and the file exists, raise instead of replacing it.

    # Yields
        An open, writable `h5py.File`.

    # Raises
        FileExistsError: when `overwrite` is `False` and the file exists.
    """
    h5py = _h5py()
    filepath = os.fspath(filepath)
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError('%s already exists; pass overwrite=True to replace it.' % filepath)
    directory = os.path.dirname(os.path.abspath(filepath))
    handle, temporary = tempfile.mkstemp(prefix='.%s.' % os.path.basename(filepath), suffix='.tmp',
                                         dir=directory)
    os.close(handle)
    try:
        with h5py.File(temporary, 'w') as f:
            yield f
        with open(temporary, 'rb') as written:
            os.fsync(written.fileno())
        os.replace(temporary, filepath)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


@contextlib.contextmanager
def _open_for_reading(filepath):
    if _is_h5_object(filepath):
        yield filepath
        return
    h5py = _h5py()
    filepath = os.fspath(filepath)
    if not os.path.exists(filepath):
        raise IOError('Unable to open file %s: no such file.' % filepath)
    try:
        handle = h5py.File(filepath, 'r')
    except OSError as error:
        raise ValueError('%s is not a readable HDF5 file (it may be truncated or corrupt): %s'
                         % (filepath, error))
    with handle:
        yield handle


def save_model(model, filepath, overwrite=True, include_optimizer=True):
    """Saves a model (architecture, weights, compile settings, optimizer state) to an HDF5 file.

    # Arguments
        model: the model.
        filepath: a path, or an open `h5py.File`/`h5py.Group`.
        overwrite: whether to replace an existing file.
        include_optimizer: whether to store the optimizer and its state.

    # Raises
        FileExistsError: when the file exists and `overwrite` is `False`.
    """
    if _is_h5_object(filepath):
        hdf5_format.write_model_file(filepath, model, include_optimizer)
        return
    with atomic_h5_file(filepath, overwrite) as f:
        hdf5_format.write_model_file(f, model, include_optimizer)


def save_weights(model, filepath, overwrite=True):
    """Saves the weights of all layers of a model to an HDF5 file (the Keras 2 weights-only layout).

    # Arguments
        model: the model.
        filepath: a path, or an open `h5py.File`/`h5py.Group`.
        overwrite: whether to replace an existing file.
    """
    if _is_h5_object(filepath):
        hdf5_format.save_weights_to_group(filepath, model.layers)
        return
    with atomic_h5_file(filepath, overwrite) as f:
        hdf5_format.save_weights_to_group(f, model.layers)


def _weights_group(f):
    if 'layer_names' not in f.attrs and 'layer_names0' not in f.attrs and 'model_weights' in f:
        return f['model_weights']
    return f


def _preprocess(layer, arrays, keras_version, backend):
    """Converts saved arrays to what `layer` expects (Keras 1 files, other RNN layouts)."""
    from kernelkit.engine.saving import weight_conversion
    return weight_conversion.preprocess_weights_for_loading(layer, arrays, keras_version, backend)


def _check_shapes(layer, arrays, index, saved_name, errors=None):
    problems = []
    for weight, array in zip(layer.weights, arrays):
        if tuple(weight.shape) != tuple(np.shape(array)):
            problems.append('Layer #%d (named "%s" in the current model, "%s" in the save file), weight %s has '
                            'shape %s, but the saved weight has shape %s.'
                            % (index, layer.name, saved_name, weight.name, tuple(weight.shape), np.shape(array)))
    return problems


def load_weights(model, filepath, by_name=False, skip_mismatch=False):
    """Loads weights from an HDF5 file (weights-only or whole-model) into a model, all or nothing.

    # Arguments
        model: the model.
        filepath: a path, or an open `h5py.File`/`h5py.Group`.
        by_name: match layers by name instead of by order (layers absent from the file keep their weights).
        skip_mismatch: with `by_name`, skip (with a warning per layer) layers whose weight count or shapes
            differ instead of raising.

    # Raises
        ValueError: on a layer count, weight count or shape mismatch (naming the layer, the weight and both
            shapes), or a damaged file. The model is unchanged when it is raised.
    """
    with _open_for_reading(filepath) as f:
        saved, version, backend = hdf5_format.read_saved_layers(_weights_group(f))
    assignments = []
    if by_name:
        by_layer_name = {}
        for layer in model.layers:
            by_layer_name.setdefault(layer.name, []).append(layer)
        for index, (name, arrays) in enumerate(saved):
            for layer in by_layer_name.get(name, []):
                arrays_for_layer = _preprocess(layer, arrays, version, backend)
                if len(arrays_for_layer) != len(layer.weights):
                    message = ('Layer #%d (named "%s") expects %d weight(s), but the saved weights have %d '
                               'element(s).' % (index, layer.name, len(layer.weights), len(arrays_for_layer)))
                    if skip_mismatch:
                        warnings.warn('Skipping loading of weights for layer %s due to mismatch in number of '
                                      'weights (%d vs %d).' % (layer.name, len(layer.weights), len(arrays_for_layer)))
                        continue
                    raise ValueError(message)
                problems = _check_shapes(layer, arrays_for_layer, index, name)
                if problems:
                    if skip_mismatch:
                        warnings.warn('Skipping loading of weights for layer %s due to mismatch in shape: %s'
                                      % (layer.name, problems[0]))
                        continue
                    raise ValueError(problems[0])
                assignments.extend(zip(layer.weights, arrays_for_layer))
    else:
        layers = [layer for layer in model.layers if layer.weights]
        saved = [(name, arrays) for name, arrays in saved if arrays]
        if len(layers) != len(saved):
            raise ValueError('You are trying to load a weight file containing %d layers into a model with %d '
                             'layers.' % (len(saved), len(layers)))
        for index, (layer, (name, arrays)) in enumerate(zip(layers, saved)):
            arrays = _preprocess(layer, arrays, version, backend)
            if len(arrays) != len(layer.weights):
                raise ValueError('Layer #%d (named "%s" in the current model) was found to correspond to layer %s '
                                 'in the save file. However the new layer %s expects %d weights, but the saved '
                                 'weights have %d elements.' % (index, layer.name, name, layer.name,
                                                                len(layer.weights), len(arrays)))
            problems = _check_shapes(layer, arrays, index, name)
            if problems:
                raise ValueError(problems[0])
            assignments.extend(zip(layer.weights, arrays))
    for weight, array in assignments:
        weight.assign(np.asarray(array, dtype=weight.dtype.as_numpy_dtype))


def _restore_optimizer(model, f):
    if 'optimizer_weights' not in f:
        return
    group = f['optimizer_weights']
    values = [np.asarray(group[name]) for name in hdf5_format.read_name_list(group, 'weight_names')]
    try:
        model._ensure_optimizer_built()
        model.optimizer.set_weights(values)
    except ValueError as error:
        warnings.warn('Error in loading the saved optimizer state (%s). As a result, your model is starting with '
                      'a freshly initialized optimizer.' % error)


def _compile_from_training_config(model, config, custom_objects):
    from kernelkit import optimizers
    from kernelkit.engine.saving.config_compat import normalize_optimizer_config
    from kernelkit.utils.generic_utils import CustomObjectScope

    def resolve(value):
        if isinstance(value, dict) and 'class_name' in value and value.get('class_name') == 'MeanMetricWrapper':
            return value['config'].get('name')
        if isinstance(value, dict):
            return {k: resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [resolve(v) for v in value]
        if isinstance(value, str) and custom_objects and value in custom_objects:
            return custom_objects[value]
        return value

    metrics = resolve(config.get('metrics'))
    if isinstance(metrics, list) and len(metrics) == 1 and isinstance(metrics[0], list):
        metrics = metrics[0]
    with CustomObjectScope(custom_objects or {}):
        optimizer = optimizers.deserialize(normalize_optimizer_config(config['optimizer_config']))
        model.compile(optimizer=optimizer, loss=resolve(config['loss']), metrics=metrics,
                      loss_weights=config.get('loss_weights'),
                      sample_weight_mode=config.get('sample_weight_mode'),
                      weighted_metrics=resolve(config.get('weighted_metrics')))


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Loads a model saved with `model.save` (by kernelkit or another Keras 2 implementation).

    # Arguments
        filepath: a path, or an open `h5py.File`/`h5py.Group`.
        custom_objects: dictionary of custom classes and functions by name.
        compile: whether to compile the model with the stored training configuration (and restore the
            optimizer state).
        safe_mode: `False` allows loading Python lambdas stored as bytecode (only for files you trust).

    # Returns
        The model.

    # Raises
        ValueError: if the file holds no model, is damaged, or does not match the architecture it declares.
    """
    with _open_for_reading(filepath) as f:
        model_config = hdf5_format.read_string_attribute(f, 'model_config')
        if model_config is None:
            raise ValueError('No model found in config of %s (is it a weights-only file? Build the model and use '
                             '`model.load_weights`).' % getattr(f, 'filename', filepath))
        model = model_from_config(json.loads(model_config), custom_objects=custom_objects, safe_mode=safe_mode)
        load_weights(model, f)
        training = hdf5_format.read_string_attribute(f, 'training_config')
        if compile:
            if training is None:
                warnings.warn('No training configuration found in save file: the model was *not* compiled. '
                              'Compile it manually.')
            else:
                _compile_from_training_config(model, json.loads(training), custom_objects)
                _restore_optimizer(model, f)
    return model


def model_from_config(config, custom_objects=None, safe_mode=True):
    """Creates a model (or layer) from `{'class_name': ..., 'config': ...}`.

    # Arguments
        config: the dictionary.
        custom_objects: dictionary of custom classes and functions by name.
        safe_mode: `False` allows Python lambdas stored as bytecode.

    # Returns
        A model (or layer) instance.

    # Raises
        TypeError: if `config` is a list (use `Sequential.from_config`).
    """
    from kernelkit.layers import core, deserialize
    if isinstance(config, list):
        raise TypeError('`model_from_config` expects a dictionary, not a list. Maybe you meant to use '
                        '`Sequential.from_config(config)`?')
    core._SAFE_MODE.append(safe_mode)
    try:
        return deserialize(config, custom_objects=custom_objects)
    finally:
        core._SAFE_MODE.pop()


def model_from_json(json_string, custom_objects=None, safe_mode=True):
    """Creates a model from the JSON string `model.to_json()` returned.

    # Arguments
        json_string: the JSON text.
        custom_objects: dictionary of custom classes and functions by name.
        safe_mode: `False` allows Python lambdas stored as bytecode.

    # Returns
        A model (not compiled; its weights are freshly initialized).
    """
    return model_from_config(json.loads(json_string), custom_objects=custom_objects, safe_mode=safe_mode)


def model_from_yaml(yaml_string, custom_objects=None, safe_mode=True):
    """Creates a model from the YAML string `model.to_yaml()` returned.

    # Arguments
        yaml_string: the YAML text.
        custom_objects: dictionary of custom classes and functions by name.
        safe_mode: `False` allows Python lambdas stored as bytecode.

    # Returns
        A model (not compiled).
    """
    import yaml
    return model_from_config(yaml.safe_load(yaml_string), custom_objects=custom_objects, safe_mode=safe_mode)


def model_to_dict(model):
    """The JSON-friendly description `to_json`/`to_yaml` write, with `keras_version` and `backend` keys.

    # Arguments
        model: the model.

    # Returns
        A dictionary.
    """
    config = {'class_name': model.__class__.__name__, 'config': model.get_config(),
              'keras_version': hdf5_format.KERAS_VERSION, 'backend': hdf5_format.BACKEND}
    return json.loads(json.dumps(config, default=hdf5_format.json_default))
