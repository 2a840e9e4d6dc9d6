"""The Keras 2 HDF5 layout: where everything lives in a `.h5` file, and nothing else.

```
/  @keras_version @backend @model_config @training_config
   model_weights/  @layer_names @backend @keras_version
       <layer name>/  @weight_names  <weight name> datasets (in `layer.weights` order)
   optimizer_weights/  @weight_names  datasets (in `optimizer.weights` order)
```
A weights-only file has the `model_weights` layout at its root. Strings are written as fixed-length bytes
(readable by Keras 2.0-2.3 and tf_keras alike) and read leniently (bytes, str, chunked lists, the empty
float arrays other writers use for "no weights").
"""
import json
import warnings

import numpy as np

HDF5_OBJECT_HEADER_LIMIT = 64512
KERAS_VERSION = '2.2.4'
BACKEND = 'tensorflow'


def decode(value):
    """Turns an attribute value (bytes, numpy bytes, str) into `str`."""
    if isinstance(value, (bytes, np.bytes_)):
        return value.decode('utf8')
    return str(value)


def write_string_attribute(group, name, value):
    """Writes a string attribute as fixed-length bytes, as Keras 2 wrote it with h5py 2."""
    group.attrs[name] = np.bytes_(value.encode('utf8'))


def read_string_attribute(group, name, default=None):
    """Reads a string attribute, whatever string type stored it; `default` when absent."""
    if name not in group.attrs:
        return default
    try:
        return decode(group.attrs[name])
    except UnicodeError as error:
        raise ValueError('The attribute "%s" of %s is not valid utf-8 text (%s): the file is damaged.'
                         % (name, getattr(group, 'name', None) or 'the group', error))


def save_attributes_to_hdf5_group(group, name, data):
    """Writes a list of names as an `S` array attribute, split into `name0`, `name1`, ... when too large
    for one HDF5 object header (Keras 2.2.4's function of that name; every kernelkit writer uses it).

    # Arguments
        group: an `h5py.Group` (or anything with an `attrs` mapping).
        name: the attribute name.
        data: the names, as `str` or utf-8 `bytes`.

    # Raises
        RuntimeError: if a single name is larger than the header limit (64512 bytes).
    """
    encoded = [v if isinstance(v, (bytes, np.bytes_)) else str(v).encode('utf8') for v in data]
    too_long = [v for v in encoded if len(v) > HDF5_OBJECT_HEADER_LIMIT]
    if too_long:
        raise RuntimeError('The following attributes cannot be saved to HDF5 file because they are larger than '
                           '%d bytes: %s' % (HDF5_OBJECT_HEADER_LIMIT, ', '.join(decode(v) for v in too_long)))
    array = np.array(encoded, dtype='S') if encoded else np.array([], dtype='S1')
    chunks = 1
    parts = [array]
    while any(part.nbytes > HDF5_OBJECT_HEADER_LIMIT for part in parts):
        chunks += 1
        parts = np.array_split(array, chunks)
    if chunks == 1:
        group.attrs[name] = array
        return
    for index, part in enumerate(parts):
        group.attrs['%s%d' % (name, index)] = part


def load_attributes_from_hdf5_group(group, name):
    """Reads a list of names written whole or in chunks (Keras 2.2.4's function of that name).

    # Arguments
        group: an `h5py.Group` (or anything with an `attrs` mapping).
        name: the attribute name.

    # Returns
        A list of `str`; `[]` when absent or stored as the empty float array other writers use.
    """
    if name in group.attrs:
        raw = [group.attrs[name]]
    else:
        raw, index = [], 0
        while '%s%d' % (name, index) in group.attrs:
            raw.append(group.attrs['%s%d' % (name, index)])
            index += 1
    names = []
    where = getattr(group, 'name', None) or 'the group'
    for part in raw:
        part = np.atleast_1d(part)
        if part.dtype.kind == 'f' and part.size == 0:
            continue
        if part.dtype.kind not in 'SUO' or part.ndim != 1:
            raise ValueError('The attribute "%s" of %s should be a list of names (strings), but it holds %s '
                             'values of shape %s.' % (name, where, part.dtype, part.shape))
        try:
            part = [decode(v) if isinstance(v, (bytes, np.bytes_, str)) else _not_a_name(name, where, v)
                    for v in part]
            for value in part:
                value.encode('utf8')  # h5py leaves undecodable bytes as surrogates
            names.extend(part)
        except UnicodeError as error:
            raise ValueError('The attribute "%s" of %s holds a name that is not valid utf-8 (%s).'
                             % (name, where, error))
    return names


def _not_a_name(name, where, value):
    raise ValueError('The attribute "%s" of %s should be a list of names (strings), but it holds %r.'
                     % (name, where, value))


# The names the rest of kernelkit has used for these two functions.
write_name_list = save_attributes_to_hdf5_group
read_name_list = load_attributes_from_hdf5_group


def write_dataset(group, name, value):
    """Writes one array as a dataset, with a Fletcher-32 checksum where HDF5 allows one (arrays with at
    least one element and one axis; HDF5 cannot chunk scalars). Every HDF5 reader (Keras 2, tf_keras, h5py)
    checks and strips the checksum transparently.

    # Arguments
        group: the `h5py.Group`. name: the dataset name. value: a numpy array.
    """
    value = np.asarray(value)
    checksum = value.ndim > 0 and value.size > 0
    dataset = group.create_dataset(name, value.shape, dtype=value.dtype, fletcher32=checksum)
    dataset[()] = value


def read_dataset(group, name, owner):
    """Reads one dataset as a numpy array; a damaged one (a failed checksum) raises a clear error.

    # Arguments
        group: the `h5py.Group`. name: the dataset name. owner: what it belongs to, for messages
            (`'layer "dense_1"'`).

    # Returns
        The numpy array.

    # Raises
        ValueError: when HDF5 cannot read it (a Fletcher-32 checksum mismatch, a broken chunk), naming the
            weight, its owner and the file.
    """
    try:
        dataset = group[name]
        if not hasattr(dataset, 'dtype'):
            raise ValueError('The weight "%s" of %s in %s is a group, not a dataset (the file is damaged).'
                             % (name, owner, getattr(group.file, 'filename', 'the file')))
        value = np.asarray(dataset)
    except (OSError, RuntimeError) as error:
        raise ValueError('The weight "%s" of %s in %s is damaged: %s (the file changed after it was written; '
                         'use a good copy).' % (name, owner, getattr(group, 'file', group).filename
                                                if hasattr(group, 'file') else 'the file', error))
    if value.dtype.kind not in 'fiub':
        raise ValueError('The weight "%s" of %s holds %s values; a weight holds numbers.' % (name, owner, value.dtype))
    return value


def _unique_weight_names(layer):
    names, seen = [], {}
    for index, weight in enumerate(layer.weights):
        name = weight.name or 'param_%d' % index
        if name in seen:
            seen[name] += 1
            name = '%s_%d' % (name, seen[name])
        else:
            seen[name] = 0
        names.append(name)
    return names


def save_weights_to_group(group, layers):
    """Writes the weights of `layers` into an HDF5 group, one subgroup per layer (what Keras 2.2.4 calls
    `save_weights_to_hdf5_group`; duplicate weight names inside a layer get `_1`, `_2`, ...).

    # Arguments
        group: an `h5py.Group` (a file root for weights-only files).
        layers: the model's layers, in `model.layers` order.
    """
    write_name_list(group, 'layer_names', [layer.name for layer in layers])
    write_string_attribute(group, 'backend', BACKEND)
    write_string_attribute(group, 'keras_version', KERAS_VERSION)
    for layer in layers:
        layer_group = group.create_group(layer.name)
        names = _unique_weight_names(layer)
        write_name_list(layer_group, 'weight_names', names)
        for name, weight in zip(names, layer.weights):
            write_dataset(layer_group, name, weight.numpy())


def read_saved_layers(group):
    """Reads every saved layer of a weights group: `[(layer_name, [arrays])]` in file order, plus the
    Keras version and backend that wrote them.

    # Returns
        `(layers, keras_version, backend)`; `keras_version` is `'1'` for Keras 1 files (no attribute).

    # Raises
        ValueError: for a damaged file, naming the missing group or dataset.
    """
    version = read_string_attribute(group, 'keras_version', '1')
    backend = read_string_attribute(group, 'backend')
    if 'layer_names' not in group.attrs and 'layer_names0' not in group.attrs:
        raise ValueError('The weights file has no "layer_names" attribute (in %s): it is not a Keras weights '
                         'file, or it is damaged.' % (getattr(group, 'name', None) or 'its root'))
    saved = []
    for name in read_name_list(group, 'layer_names'):
        if name not in group or not hasattr(group[name], 'attrs') or hasattr(group[name], 'dtype'):
            raise ValueError('The weights file is damaged: layer "%s" is listed but has no group.' % name)
        layer_group = group[name]
        if 'weight_names' not in layer_group.attrs and 'weight_names0' not in layer_group.attrs and \
                len(layer_group.keys()):
            raise ValueError('The weights file is damaged: the group of layer "%s" has no "weight_names" '
                             'attribute.' % name)
        arrays = []
        for weight_name in read_name_list(layer_group, 'weight_names'):
            if weight_name not in layer_group:
                raise ValueError('The weights file is damaged: weight "%s" of layer "%s" is listed but missing.'
                                 % (weight_name, name))
            arrays.append(read_dataset(layer_group, weight_name, 'layer "%s"' % name))
        saved.append((name, arrays))
    return saved, version, backend


def write_model_file(root, model, include_optimizer=True):
    """Writes a whole model (config, weights, training config, optimizer state) into an HDF5 root.

    # Arguments
        root: an open `h5py.File` or `h5py.Group`.
        model: the model.
        include_optimizer: whether to store the compile settings and optimizer state.
    """
    write_string_attribute(root, 'keras_version', KERAS_VERSION)
    write_string_attribute(root, 'backend', BACKEND)
    config = {'class_name': model.__class__.__name__, 'config': model.get_config()}
    write_string_attribute(root, 'model_config', json.dumps(config, default=json_default))
    save_weights_to_group(root.create_group('model_weights'), model.layers)
    optimizer = getattr(model, 'optimizer', None)
    if include_optimizer and optimizer is not None and not getattr(optimizer, 'saved_with_model', True):
        warnings.warn(optimizer.not_saved_message)  # a wrapped TensorFlow optimizer (TFOptimizer)
    elif include_optimizer and optimizer is not None:
        write_string_attribute(root, 'training_config', json.dumps(training_config(model), default=json_default))
        weights = optimizer.weights
        if weights:
            group = root.create_group('optimizer_weights')
            names = ['%s_%d' % (w.name, i) if w.name in [v.name for v in weights[:i]] else w.name
                     for i, w in enumerate(weights)]
            write_name_list(group, 'weight_names', names)
            for name, weight in zip(names, weights):
                write_dataset(group, name, weight.numpy())


def training_config(model):
    """The compile settings as Keras 2.2.4 stores them (functions replaced by their names).

    # Returns
        A JSON-friendly dictionary.
    """
    from kernelkit import optimizers

    def names(value):
        if isinstance(value, dict):
            return {k: names(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [names(v) for v in value]
        if callable(value):
            return getattr(value, '__name__', str(value))
        return value

    return {'optimizer_config': optimizers.serialize(model.optimizer), 'loss': names(model.loss),
            'metrics': names(model.metrics), 'weighted_metrics': names(model.weighted_metrics),
            'sample_weight_mode': model.sample_weight_mode, 'loss_weights': model.loss_weights}


def json_default(value):
    """Makes numpy values, configurable objects and functions JSON-friendly (Keras 2's fallback)."""
    if hasattr(value, 'get_config'):
        return {'class_name': value.__class__.__name__, 'config': value.get_config()}
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if callable(value):
        return value.__name__
    if type(value).__name__ == 'TensorShape':
        return value.as_list()
    if type(value).__name__ == 'DType':
        return value.name
    raise TypeError('Not JSON serializable: %r' % (value,))
