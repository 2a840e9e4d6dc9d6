"""Keras 1 model configs (JSON, or the `model_config` of a Keras 1 HDF5 file) through the table.

`convert_config(entry)` returns the Keras 2 form of a `{'class_name', 'config'}` entry (a model or a layer) and
the list of changes it made. It applies, to every layer entry of the tree:

- the Keras 1 class names (`Convolution2D` -> `Conv2D`, `AtrousConvolution2D` -> `Conv2D` with
  `dilation_rate`, `Merge` -> the Keras 2 merge layer of its mode, `TimeDistributedDense` ->
  `TimeDistributed(Dense)`),
- the same `table.Interface` entries as the run-time constructors (`convert_call`), so a config key is renamed
  exactly as the keyword argument would be,
- Keras 1 regularizer/constraint dicts (`{'name': 'L1L2Regularizer', ...}`),
- and drops the `input_dim`/`input_length` keys Keras 1 stored on every layer (they only restated the shape).

A Keras 2 config passes through unchanged (no Keras 2 key has a Keras 1 name). Removed layers (`SReLU`, ...)
raise `ValueError('Unknown layer: ...')` with what to write instead.
"""
import copy

from kernelkit.legacy import table
from kernelkit.legacy.interfaces import convert_call

_LAYER_INTERFACES = {interface.name: interface for interface in table.LAYER_INTERFACES}
_FACTORIES = {entry.name: entry for entry in table.FACTORIES}
_MODEL_CLASSES = ('Sequential', 'Model', 'Functional', 'Container', 'Network')


def _convert_object(value, changes):
    """A Keras 1 `{'name': ...}` regularizer/constraint dict -> `{'class_name', 'config'}`."""
    if isinstance(value, dict) and 'name' in value and 'class_name' not in value:
        entry = table.CONFIG_OBJECTS.get(value['name'])
        if entry is None:
            raise ValueError('Unknown Keras 1 object in config: %r (Keras 2 has no equivalent).' % (value,))
        config = {new: value[old] for new, old in entry.keys.items() if old in value}
        changes.append('%s -> %s' % (value['name'], entry.class_name))
        return {'class_name': entry.class_name, 'config': config}
    return value


def _merge_entry(config, changes):
    from kernelkit.legacy.layers import merge_arguments
    mode = config.get('mode', 'sum')
    if config.get('layers'):  # a Keras 1 Sequential model made of branches
        spec = merge_arguments(mode) if isinstance(mode, str) and mode in table.MERGE_MODES else None
        raise ValueError(table.MERGE_SEQUENTIAL % (spec[1] if spec else 'Lambda(...)'))
    base = {k: config[k] for k in ('name', 'trainable') if k in config}
    if config.get('mode_type', 'raw') != 'raw' or not isinstance(mode, str):
        changes.append('Merge(mode=<function>) -> Lambda')
        lambda_config = dict(base, function=mode, function_type=config.get('mode_type', 'function'),
                             output_shape=config.get('output_shape'),
                             output_shape_type=config.get('output_shape_type', 'raw'),
                             arguments=config.get('arguments') or {})
        return 'Lambda', lambda_config
    layer_name, _, kwargs = merge_arguments(mode, config.get('concat_axis', -1), config.get('dot_axes', -1))
    changes.append('Merge(mode=%r) -> %s' % (mode, layer_name))
    return layer_name, dict(base, **kwargs)


def _drop_shape_keys(class_name, config, keep_shape):
    """Removes the Keras 1 `input_dim`/`input_length` keys of `class_name`; on the first layer of a Sequential
    model without `batch_input_shape` they become its `batch_input_shape`."""
    keys = table.SHAPE_ONLY_KEYS.get(class_name, ())
    values = {key: config.pop(key) for key in keys if key in config}
    if keep_shape and 'batch_input_shape' not in config and values.get('input_dim') is not None:
        if len(keys) == 1:
            config['batch_input_shape'] = (None, values['input_dim'])
        else:
            config['batch_input_shape'] = (None, values.get('input_length'), values['input_dim'])


def _convert_layer(entry, changes, custom_objects, keep_shape=False):
    class_name = entry.get('class_name')
    if class_name in (custom_objects or {}):
        return entry
    if class_name in _MODEL_CLASSES:
        return _convert_model(entry, changes, custom_objects)
    if class_name in table.REMOVED and class_name != 'TimeDistributedDense':
        raise ValueError('Unknown layer: %s. %s' % (class_name, table.REMOVED[class_name]))
    if not isinstance(entry.get('config') or {}, dict):
        return entry  # not a layer config: layers.deserialize says so
    config = dict(entry.get('config') or {})
    if not str(config.get('input_dtype', 'float')).startswith('float'):
        # Keras 1 gave Embedding inputs `input_dtype='int32'`; kernelkit layers create their weights in their
        # dtype, so an integer dtype is left out (integer inputs are cast where a layer needs them).
        changes.append('input_dtype=%r removed' % config.pop('input_dtype'))
    new_entry = dict(entry)
    _drop_shape_keys(class_name, config, keep_shape)
    for key in table.CONFIG_IGNORED_KEYS.get(class_name, ()):
        config.pop(key, None)
    if class_name in table.CLASS_RENAMES:  # Keras 2 aliases: a rename, but not a Keras 1 change to report
        class_name = table.CLASS_RENAMES[class_name]
    if class_name in _FACTORIES:
        factory = _FACTORIES[class_name]
        config[factory.new] = config.pop(factory.old, factory.default)
        changes.append('%s -> %s' % (class_name, factory.target))
        class_name = factory.target
    if class_name == 'Merge':
        class_name, config = _merge_entry(config, changes)
    if class_name == 'TimeDistributedDense':
        wrapper, inner = table.TIME_DISTRIBUTED_DENSE
        base_keys = ('name', 'trainable', 'batch_input_shape', 'input_dtype', 'dtype')
        outer = {k: config.pop(k) for k in base_keys if k in config}
        inner_entry = _convert_layer({'class_name': inner, 'config': config}, changes, custom_objects)
        changes.append('TimeDistributedDense -> TimeDistributed(Dense)')
        outer['layer'] = inner_entry
        outer = _convert_layer({'class_name': wrapper, 'config': outer}, changes, custom_objects)['config']
        new_entry.update(class_name=wrapper, config=outer)
        return new_entry
    for key, value in list(config.items()):
        if key.endswith(('_regularizer', '_constraint')):
            config[key] = _convert_object(value, changes)
    if isinstance(config.get('layer'), dict):
        config['layer'] = _convert_layer(config['layer'], changes, custom_objects)
    interface = _LAYER_INTERFACES.get(class_name, _LAYER_INTERFACES['Layer'])
    for rule in interface.preprocess:  # a dropped argument at its neutral value changes nothing: no notice
        if isinstance(rule, table.Drop) and rule.notice and not config.get(rule.old, True):
            config.pop(rule.old)
    conversion = convert_call(interface, class_name, (), config)
    changes.extend(('%s -> %s' % (old, new)) if new else ('%s removed' % old) for old, new in conversion.changes)
    changes.extend(conversion.notices)
    new_entry.update(class_name=class_name, config=conversion.kwargs)
    return new_entry


def _convert_model(entry, changes, custom_objects):
    class_name = entry.get('class_name')
    config = entry.get('config')
    new_entry = dict(entry)
    if class_name in ('Container', 'Network'):
        changes.append('%s -> Model' % class_name)
        new_entry['class_name'] = 'Model'
    if isinstance(config, list):  # Sequential, Keras 1 and 2.0-2.2.2
        new_entry['config'] = [_convert_layer(layer, changes, custom_objects, keep_shape=(i == 0))
                               for i, layer in enumerate(config)]
    elif isinstance(config, dict) and isinstance(config.get('layers'), list):
        config = dict(config)
        sequential = class_name == 'Sequential'
        config['layers'] = [_convert_layer(layer, changes, custom_objects, keep_shape=(sequential and i == 0))
                            for i, layer in enumerate(config['layers'])]
        new_entry['config'] = config
    return new_entry


def convert_config(entry, custom_objects=None):
    """Converts a Keras 1 model or layer config entry to Keras 2.

    # Arguments
        entry: `{'class_name': ..., 'config': ...}` (a model or a layer; other values pass through).
        custom_objects: user classes by name (their entries are left as they are).

    # Returns
        `(new_entry, changes)`: the Keras 2 entry (a new object; the input is not modified) and a list of
        human-readable changes (empty for a Keras 2 config).

    # Raises
        ValueError: for removed layers or Keras 1 objects without Keras 2 equivalent.
        TypeError: for the Keras 1 arguments Keras 2 refuses (`BatchNormalization(mode=2)`).
    """
    from kernelkit.engine.saving import check_config_depth
    check_config_depth(entry)
    if not isinstance(entry, dict) or not isinstance(entry.get('class_name'), str):
        return entry, []  # not a layer config: layers.deserialize says so
    changes = []
    new_entry = _convert_layer(copy.deepcopy(entry), changes, custom_objects)
    unique = list(dict.fromkeys(changes))
    return new_entry, unique
