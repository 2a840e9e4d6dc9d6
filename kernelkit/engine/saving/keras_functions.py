"""Keras 2.2.4's model (de)serialization over an "h5dict": `_serialize_model`, `_deserialize_model`,
`pickle_model` and `unpickle_model`.

Keras 2.2.4 wrote models through `H5Dict`, which puts the same layout into an HDF5 file or group or into
a plain nested `dict` (for pickling). Here the HDF5 writer and reader of kernelkit (`hdf5_format`,
`weight_loading`) are the only implementation: a plain dict is wrapped in `DictGroup`, which offers the
part of the `h5py.Group` interface they use and stores the 2.2.4 dict layout:

```
{'keras_version': b'2.2.4', 'backend': b'tensorflow', 'model_config': b'{...}', 'training_config': b'{...}',
 'model_weights': {'layer_names': [b'dense_1', ...], 'backend': ..., 'keras_version': ...,
                   'dense_1': {'weight_names': [b'dense_1/kernel:0', ...], 'dense_1/kernel:0': ndarray}},
 'optimizer_weights': {'weight_names': [...], '<name>': ndarray}}
```
(bytes and lists of bytes are attributes, nested dicts are groups, numpy arrays are datasets).
"""
import json

import numpy as np

from kernelkit.engine.saving import hdf5_format


class _DictAttrs(object):
    """The `attrs` of a `DictGroup`: the entries of its dict that are neither groups nor datasets."""

    def __init__(self, data):
        self._data = data

    @staticmethod
    def _is_attribute(value):
        return not isinstance(value, (dict, np.ndarray)) or \
            (isinstance(value, np.ndarray) and value.dtype.kind in 'SUO')

    def __contains__(self, name):
        return name in self._data and self._is_attribute(self._data[name])

    def __getitem__(self, name):
        if name not in self:
            raise KeyError('No attribute %r in this group.' % (name,))
        return self._data[name]

    def __setitem__(self, name, value):
        if isinstance(value, np.ndarray) and value.dtype.kind in 'SU':
            value = [v.encode('utf8') if isinstance(v, str) else bytes(v) for v in value.tolist()]
        elif isinstance(value, np.bytes_):
            value = bytes(value)
        self._data[name] = value

    def __iter__(self):
        return iter([k for k in self._data if k in self])

    def keys(self):
        """The attribute names."""
        return list(iter(self))


class DictGroup(object):
    """A nested `dict` seen as an HDF5 group, in Keras 2.2.4's `H5Dict` dict layout.

    # Arguments
        data: the dictionary to read from and write into (modified in place).

    # Raises
        TypeError: if `data` is not a dictionary.
    """

    def __init__(self, data):
        if not isinstance(data, dict):
            raise TypeError('DictGroup wraps a dict; received %s.' % type(data).__name__)
        self.data = data
        self.attrs = _DictAttrs(data)

    def __contains__(self, name):
        return name in self.data and isinstance(self.data[name], (dict, np.ndarray)) and name not in self.attrs

    def __getitem__(self, name):
        if name not in self:
            raise KeyError('No group or dataset %r in this group.' % (name,))
        value = self.data[name]
        return DictGroup(value) if isinstance(value, dict) else value

    def create_group(self, name):
        """Creates (or returns the existing) subgroup `name`."""
        return DictGroup(self.data.setdefault(name, {}))

    def create_dataset(self, name, shape, dtype, fletcher32=False):
        """Creates a dataset `name` (a numpy array, filled with `dataset[()] = value`); `fletcher32` (a
        checksum, in HDF5 files) means nothing in memory and is ignored."""
        self.data[name] = np.empty(shape, dtype=dtype)
        return self.data[name]

    def keys(self):
        """The names of the subgroups and datasets."""
        return [k for k in self.data if k in self]


def _as_group(h5dict):
    """The group-like object behind an h5dict: an `h5py.Group`, a `dict`, or an `H5Dict` wrapping either."""
    if isinstance(h5dict, dict):
        return DictGroup(h5dict)
    if isinstance(h5dict, DictGroup) or (hasattr(h5dict, 'attrs') and hasattr(h5dict, 'create_group')):
        return h5dict
    data = getattr(h5dict, 'data', None)
    if data is not None and data is not h5dict:
        return _as_group(data)
    raise TypeError('Expected an h5dict (an `H5Dict`, an `h5py.File`/`h5py.Group` or a `dict`); received %s.'
                    % type(h5dict).__name__)


def _serialize_model(model, h5dict, include_optimizer=True):
    """Writes a whole model (config, weights, training config, optimizer state) into an h5dict: what
    `save_model` writes into an HDF5 file, and `pickle_model` into a dict.

    # Arguments
        model: the model.
        h5dict: an `H5Dict`, an open `h5py.File`/`h5py.Group`, or a `dict`.
        include_optimizer: whether to store the compile settings and optimizer state.

    # Raises
        TypeError: if `h5dict` is none of these.
    """
    hdf5_format.write_model_file(_as_group(h5dict), model, include_optimizer)


def _deserialize_model(h5dict, custom_objects=None, compile=True, safe_mode=True):
    """Rebuilds a model written by `_serialize_model` (or any Keras 2 implementation's `model.save`):
    `load_model` and `unpickle_model` use it.

    Custom losses, metrics, initializers, regularizers and constraints that the file names but that are
    not given do not stop the load (see `missing_objects`): the model is built for inference and one
    `MissingCustomObjectWarning` names them.

    # Arguments
        h5dict: an `H5Dict`, an open `h5py.File`/`h5py.Group`, or a `dict`.
        custom_objects: dictionary of custom classes and functions by name.
        compile: whether to compile the model with the stored training configuration (and restore the
            optimizer state).
        safe_mode: `False` allows loading Python lambdas stored as bytecode.

    # Returns
        The model (compiled when the file has a training configuration, `compile` is true and every
        loss, metric and the optimizer could be resolved).

    # Raises
        ValueError: if the h5dict holds no model, is damaged, or does not match the architecture it declares.
    """
    import warnings
    from kernelkit.engine import saving
    from kernelkit.engine.saving import missing_objects, weight_loading
    root = _as_group(h5dict)
    source = getattr(root, 'filename', None) or 'The saved model'
    model_config = hdf5_format.read_string_attribute(root, 'model_config')
    if model_config is None:
        raise ValueError('No model found in config of %s (is it a weights-only file? Build the model and use '
                         '`model.load_weights`).' % source)
    try:
        model_config = json.loads(model_config)
    except (ValueError, RecursionError) as error:
        raise ValueError('The "model_config" attribute of %s is not valid JSON (%s): the file is damaged.'
                         % (source, error))
    saving.check_config_depth(model_config, 'The model config of %s' % source)
    config, missing = missing_objects.replace_missing_config_objects(model_config, custom_objects)
    model = saving.model_from_config(config, custom_objects=custom_objects, safe_mode=safe_mode)
    weights = root['model_weights'] if 'model_weights' in root else root
    weight_loading.load_weights_from_hdf5_group(weights, model.layers)
    if compile:
        training = hdf5_format.read_string_attribute(root, 'training_config')
        if training is None:
            warnings.warn('No training configuration found in save file: the model was *not* compiled. '
                          'Compile it manually.')
        else:
            try:
                training = json.loads(training)
            except (ValueError, RecursionError) as error:
                raise ValueError('The "training_config" attribute of %s is not valid JSON (%s): the file is '
                                 'damaged.' % (source, error))
            missing_training = missing_objects.missing_training_objects(training, custom_objects)
            missing += missing_training
            if not missing_training:
                saving._compile_from_training_config(model, training, custom_objects)
                saving._restore_optimizer(model, root)
    missing_objects.warn_missing(missing, source)
    return model


def pickle_model(model):
    """The state `pickle` stores for a model: its `_serialize_model` output in a plain dict.

    # Arguments
        model: the model.

    # Returns
        A nested dictionary of bytes, lists of bytes and numpy arrays (picklable).
    """
    state = {}
    _serialize_model(model, state)
    return state


def unpickle_model(state, safe_mode=None):
    """Rebuilds a model from `pickle_model`'s state (compiled when the state has a training configuration).

    # Arguments
        state: the dictionary `pickle_model` returned (or an `H5Dict` over it, or over an HDF5 file).
        safe_mode: whether Lambda bytecode in the state is refused. By default it loads from a plain
            `dict` or an `H5Dict` over one (it came from `pickle`, and a pickle can already run any code
            when it is loaded) and is refused from anything else (an `H5Dict` over a file: pass
            `safe_mode=False` if you trust it).

    # Returns
        The model.

    # Raises
        ValueError: for Lambda bytecode in safe mode, or a state that holds no model.
    """
    if safe_mode is None:
        safe_mode = not isinstance(_as_group(state), DictGroup)  # a dict, or an H5Dict over a dict
    return _deserialize_model(state, safe_mode=safe_mode)
