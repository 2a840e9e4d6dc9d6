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
import stat
import warnings


from kernelkit.engine.saving import hdf5_format
from kernelkit.utils import atomic_files


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

    The temporary file is named `.<name>.kk<pid>@<host>.<random>.tmp`; it is synced to disk before the rename
    and the directory after it. A process killed while writing (`kill -9`) leaves its temporary file behind:
    the next save to the same path removes those whose process is gone. An existing file's permissions are
    kept; a new file gets the usual ones (0666 less the umask).

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
    basename = os.path.basename(filepath)
    atomic_files.remove_stale_temporaries(directory, basename)
    temporary = atomic_files.create_temporary(directory, basename)
    try:
        with h5py.File(temporary, 'w') as f:
            yield f
        with open(temporary, 'rb') as written:
            os.fsync(written.fileno())
        try:
            os.chmod(temporary, stat.S_IMODE(os.stat(filepath).st_mode))
        except OSError:
            pass  # no previous file (or its mode cannot be copied): keep the new file's
        os.replace(temporary, filepath)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise
    atomic_files.fsync_directory(directory)


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


_CLEAR_ERRORS = (ValueError, TypeError, KeyError, OSError)
# The deepest nesting a config may have: real models nest a few dozen levels; deeper input is refused
# before Python's recursion limit (or a parser that slows down quadratically) is reached.
MAX_CONFIG_DEPTH = 200


def _with_filename(error, filepath):
    """The error to raise for a failed load from `filepath`: kernelkit's own errors (ValueError, TypeError,
    KeyError, OSError) keep their type and gain the file name; HDF5's low-level errors (h5py raises
    RuntimeError for a damaged file's internal structures) become a ValueError saying the file is damaged."""
    name = getattr(filepath, 'filename', None) if _is_h5_object(filepath) else os.fspath(filepath)
    message = str(error.args[0]) if isinstance(error, KeyError) and error.args else str(error)
    if not name or name in message:
        return error
    if isinstance(error, _CLEAR_ERRORS):
        text = '%s (in %s)' % (message.rstrip(), name)
        for kind in (type(error), ValueError if isinstance(error, ValueError) else None):
            try:
                if kind is not None:
                    return kind(text)
            except TypeError:  # an exception class with another signature
                continue
        return (OSError if isinstance(error, OSError) else TypeError if isinstance(error, TypeError)
                else KeyError)(text)
    return ValueError('%s is damaged: HDF5 could not read its internal structures (%s: %s). Use a good copy.'
                      % (name, type(error).__name__, message))


@contextlib.contextmanager
def _naming_the_file(filepath):
    try:
        yield
    except _CLEAR_ERRORS + (RuntimeError,) as error:
        if isinstance(error, RuntimeError) and type(error) is not RuntimeError:
            raise  # RecursionError, NotImplementedError: not HDF5's
        replacement = _with_filename(error, filepath)
        if replacement is error:
            raise
        raise replacement from error


def check_config_depth(config, what='The model config'):
    """Raises a ValueError when `config` (nested dicts and lists) nests deeper than `MAX_CONFIG_DEPTH`.

    # Arguments
        config: the decoded config. what: how to call it in the message.

    # Raises
        ValueError: naming the key path where the limit is passed.
    """
    stack = [(config, 1, ())]
    while stack:
        value, depth, path = stack.pop()
        if depth > MAX_CONFIG_DEPTH:
            raise ValueError('%s nests more than %d levels deep (at key %s); it cannot be a Keras model config.'
                             % (what, MAX_CONFIG_DEPTH, '/'.join(str(p) for p in path[:8]) + '/...'))
        if isinstance(value, dict):
            stack.extend((v, depth + 1, path + (k,)) for k, v in value.items())
        elif isinstance(value, (list, tuple)):
            stack.extend((v, depth + 1, path + (i,)) for i, v in enumerate(value))


def _check_text_depth(text, what):
    """Raises a ValueError, with the line and column, where a JSON/YAML flow text nests its brackets deeper
    than `MAX_CONFIG_DEPTH` (quoted strings are skipped)."""
    depth, quote, line, column = 0, None, 1, 0
    for char in text:
        column += 1
        if char == '\n':
            line, column = line + 1, 0
        if quote:
            if char == quote:
                quote = None
        elif char in '"\'':
            quote = char
        elif char in '[{':
            depth += 1
            if depth > MAX_CONFIG_DEPTH:
                raise ValueError('The %s text nests more than %d levels deep (at line %d, column %d); it cannot be '
                                 'a Keras model config.' % (what, MAX_CONFIG_DEPTH, line, column))
        elif char in ']}':
            depth -= 1


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
    from kernelkit.engine.saving.keras_functions import _serialize_model
    if _is_h5_object(filepath):
        _serialize_model(model, filepath, include_optimizer)
        return
    with atomic_h5_file(filepath, overwrite) as f:
        _serialize_model(model, f, include_optimizer)


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


def load_weights(model, filepath, by_name=False, skip_mismatch=False, reshape=False):
    """Loads weights from an HDF5 file (weights-only or whole-model) into a model, all or nothing.

    # Arguments
        model: the model.
        filepath: a path, or an open `h5py.File`/`h5py.Group`.
        by_name: match layers by name instead of by order (layers absent from the file keep their weights).
        skip_mismatch: with `by_name`, skip (with a warning per layer) layers whose weight count or shapes
            differ instead of raising.
        reshape: reshape convolution kernels whose size matches but whose shape does not.

    # Raises
        ValueError: on a layer count, weight count or shape mismatch (naming the layer, the weight and both
            shapes), or a damaged file. The model is unchanged when it is raised.
    """
    from kernelkit.engine.saving import weight_loading
    with _naming_the_file(filepath), _open_for_reading(filepath) as f:
        if by_name:
            weight_loading.load_weights_from_hdf5_group_by_name(_weights_group(f), model.layers,
                                                                skip_mismatch=skip_mismatch, reshape=reshape)
        else:
            weight_loading.load_weights_from_hdf5_group(_weights_group(f), model.layers, reshape=reshape)


def _restore_optimizer(model, f):
    if 'optimizer_weights' not in f:
        return
    group = f['optimizer_weights']
    values = [hdf5_format.read_dataset(group, name, 'the optimizer')
              for name in hdf5_format.read_name_list(group, 'weight_names')]
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

    A file that names custom losses, metrics, initializers, regularizers or constraints that are not given
    still loads for inference (uncompiled when a loss, metric or the optimizer is missing; layer defaults
    replace the others), with a `MissingCustomObjectWarning` naming them. Missing custom layers raise.

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
    from kernelkit.engine.saving.keras_functions import _deserialize_model
    with _naming_the_file(filepath), _open_for_reading(filepath) as f:
        return _deserialize_model(f, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)


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
    if not isinstance(config, dict):
        raise TypeError('`model_from_config` expects a dictionary with the keys `class_name` and `config`, not '
                        'a %s.' % type(config).__name__)
    check_config_depth(config)
    core._SAFE_MODE.append(safe_mode)
    try:
        return deserialize(config, custom_objects=custom_objects)
    except RecursionError:
        raise ValueError('The model config nests too deeply to be built (Python\'s recursion limit was reached).')
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
    if not isinstance(json_string, (str, bytes, bytearray)):
        raise TypeError('`model_from_json` expects the JSON text (a string), not a %s.' % type(json_string).__name__)
    _check_text_depth(json_string if isinstance(json_string, str) else json_string.decode('utf8', 'replace'),
                      'JSON')
    try:
        config = json.loads(json_string)
    except ValueError as error:  # json.JSONDecodeError (line and column) or bad utf-8
        raise ValueError('`model_from_json` could not parse the JSON text: %s.' % error)
    return model_from_config(config, custom_objects=custom_objects, safe_mode=safe_mode)


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
    if not isinstance(yaml_string, (str, bytes)):
        raise TypeError('`model_from_yaml` expects the YAML text (a string), not a %s.' % type(yaml_string).__name__)
    text = yaml_string if isinstance(yaml_string, str) else yaml_string.decode('utf8', 'replace')
    _check_text_depth(text, 'YAML')
    try:
        config = yaml.safe_load(yaml_string)  # safe loading only: no Python tags, no code
    except yaml.YAMLError as error:
        raise ValueError('`model_from_yaml` could not parse the YAML text (only plain YAML is read; Python tags '
                         'are refused): %s' % error)
    except RecursionError:
        raise ValueError('The YAML text nests too deeply to be a Keras model config.')
    return model_from_config(config, custom_objects=custom_objects, safe_mode=safe_mode)


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


# Keras 2.2.4's `keras.engine.saving` (and `keras.engine.topology`) functions: the ones kernelkit's own
# save and load use, under their Keras 2.2.4 names.
from kernelkit.engine.saving.hdf5_format import (HDF5_OBJECT_HEADER_LIMIT, load_attributes_from_hdf5_group,  # noqa: E402
                                                 save_attributes_to_hdf5_group)
from kernelkit.engine.saving.keras_functions import (_deserialize_model, _serialize_model, pickle_model,  # noqa: E402
                                                     unpickle_model)
from kernelkit.engine.saving.missing_objects import MissingCustomObjectWarning  # noqa: E402
from kernelkit.engine.saving.rnn_conversion import _convert_rnn_weights  # noqa: E402
from kernelkit.engine.saving.weight_conversion import (_need_convert_kernel,  # noqa: E402
                                                       preprocess_weights_for_loading)
from kernelkit.engine.saving.weight_loading import (load_weights_from_hdf5_group,  # noqa: E402
                                                    load_weights_from_hdf5_group_by_name)


def save_weights_to_hdf5_group(f, layers):
    """Writes the weights of `layers` into an HDF5 group (Keras 2.2.4's name for what `save_weights` uses).

    # Arguments
        f: an open `h5py.File` or `h5py.Group` (or a `DictGroup`).
        layers: the layers, e.g. `model.layers`.
    """
    hdf5_format.save_weights_to_group(f, layers)


def __getattr__(name):
    # `h5dict` and `conv_utils` are the modules Keras 2.2.4's saving module imported; they live in
    # kernelkit.utils, above the engine, so they are looked up only when asked for.
    if name in ('h5dict', 'H5Dict'):
        from kernelkit.utils import io_utils
        return getattr(io_utils, name)
    if name == 'conv_utils':
        import importlib
        return importlib.import_module('kernelkit.utils.conv_utils')
    raise AttributeError('module %r has no attribute %r' % (__name__, name))
