"""Model files that name code they do not contain: a custom loss, metric, optimizer, initializer,
regularizer or constraint that `load_model` was not given.

None of these changes what the loaded model predicts, so such a file still loads for inference:
- a missing loss, metric or optimizer leaves the model uncompiled (the stored weights are still loaded);
- a missing initializer, regularizer or constraint is replaced by the layer's own default (the stored
  weights overwrite any initial value anyway; regularizers and constraints only act during training).

One `MissingCustomObjectWarning` names every missing piece and shows the `custom_objects` argument that
loads the file whole. A missing custom *layer* (or activation, or Lambda function) changes the computation
itself, so it still raises.
"""
import copy
import warnings

# Layer-config keys by suffix -> (what the object is, the module that resolves it).
_CONFIG_KINDS = (('_initializer', 'initializer', 'kernelkit.initializers'),
                 ('_regularizer', 'regularizer', 'kernelkit.regularizers'),
                 ('_constraint', 'constraint', 'kernelkit.constraints'))
# Metric names that `compile` resolves itself (they depend on the loss and the output shape).
_COMPILE_METRIC_NAMES = ('acc', 'accuracy', 'ce', 'crossentropy')


class MissingCustomObjectWarning(UserWarning):
    """Warned by `load_model` when the file names custom objects that were not given; the model is loaded
    for inference (see `kernelkit.engine.saving.missing_objects`)."""


def is_function_reference(value):
    """Whether `value` is tf_keras's serialized plain function: `{'class_name': 'function', 'config': name}`.

    # Arguments
        value: any config value.

    # Returns
        `True` for that form (its `config` holds the function's name).
    """
    return (isinstance(value, dict) and value.get('class_name') == 'function'
            and isinstance(value.get('config'), str))


def _label(value):
    if is_function_reference(value):
        return value['config']
    if isinstance(value, dict):
        return str(value.get('class_name'))
    return str(value)


def _resolves(module_name, value, custom_objects):
    """`False` only when the object is unknown by name; any other failure is left to the real load."""
    import importlib
    from kernelkit.utils.generic_utils import CustomObjectScope
    if is_function_reference(value):
        value = value['config']
    if isinstance(value, str) and custom_objects and value in custom_objects:
        return True
    module = importlib.import_module(module_name)
    with CustomObjectScope(custom_objects or {}):
        try:
            getter = getattr(module, 'get', None) or module.deserialize
            getter(value)
        except ValueError as error:
            return not str(error).startswith('Unknown ')
        except Exception:  # a known object with a bad config: the real deserialization reports it
            return True
    return True


def _walk_config(node, custom_objects, missing, layer_name=None):
    if isinstance(node, list):
        for item in node:
            _walk_config(item, custom_objects, missing, layer_name)
        return
    if not isinstance(node, dict):
        return
    config = node.get('config') if 'class_name' in node else None
    if isinstance(config, dict):
        name = config.get('name', layer_name)
        for key in list(config):
            value = config[key]
            kind = next((k for k in _CONFIG_KINDS if key.endswith(k[0])), None)
            if kind is not None and value is not None:
                if not _resolves(kind[2], value, custom_objects):
                    missing.append((kind[1], _label(value), 'layer %r, %s' % (name, key)))
                    del config[key]  # the layer's constructor default replaces it
                continue
            _walk_config(value, custom_objects, missing, name)
        return
    for value in node.values():
        _walk_config(value, custom_objects, missing, layer_name)


def replace_missing_config_objects(model_config, custom_objects=None):
    """Finds the initializers, regularizers and constraints of a model config that cannot be resolved and
    removes them, so that each layer uses its default.

    # Arguments
        model_config: the `{'class_name', 'config'}` dictionary of the model (not modified).
        custom_objects: the objects given to `load_model`.

    # Returns
        `(config, missing)`: the config to build, and `[(kind, name, where)]` for each removed object.
    """
    config = copy.deepcopy(model_config)
    missing = []
    _walk_config(config, custom_objects, missing)
    return config, missing


def _training_names(value):
    """The loss or metric names of a training-config entry (lists, dicts by output, metric wrappers)."""
    if isinstance(value, dict) and value.get('class_name') == 'MeanMetricWrapper':
        return [value.get('config', {}).get('name')]
    if isinstance(value, dict) and 'class_name' in value:
        return [value]
    if isinstance(value, dict):
        return [n for v in value.values() for n in _training_names(v)]
    if isinstance(value, (list, tuple)):
        return [n for v in value for n in _training_names(v)]
    return [] if value is None else [value]


def missing_training_objects(training_config, custom_objects=None):
    """Lists the losses, metrics and optimizer of a training config that cannot be resolved.

    # Arguments
        training_config: the decoded `training_config` of a model file.
        custom_objects: the objects given to `load_model`.

    # Returns
        `[(kind, name, where)]`; empty when the model can be compiled as saved.
    """
    from kernelkit.engine.saving.config_compat import normalize_optimizer_config
    missing = []
    for name in _training_names(training_config.get('loss')):
        if not _resolves('kernelkit.losses', name, custom_objects):
            missing.append(('loss', _label(name), 'training configuration'))
    for key in ('metrics', 'weighted_metrics'):
        for name in _training_names(training_config.get(key)):
            if name in _COMPILE_METRIC_NAMES or (custom_objects and isinstance(name, str) and name in custom_objects):
                continue
            if _resolves('kernelkit.metrics', name, custom_objects) or \
                    _resolves('kernelkit.losses', name, custom_objects):
                continue
            missing.append(('metric', _label(name), 'training configuration'))
    optimizer = training_config.get('optimizer_config')
    if isinstance(optimizer, dict):
        try:
            optimizer = normalize_optimizer_config(optimizer)
        except ValueError:  # settings Keras 2 cannot reproduce: compile reports them
            optimizer = None
        if optimizer is not None and not _resolves('kernelkit.optimizers', optimizer, custom_objects):
            missing.append(('optimizer', _label(optimizer), 'training configuration'))
    return missing


def warn_missing(missing, source):
    """Warns once, naming every missing object and the `custom_objects` that would load the file whole.

    # Arguments
        missing: `[(kind, name, where)]` from the two functions above.
        source: the file (or object) being loaded, for the message.
    """
    if not missing:
        return
    pieces = ', '.join('%s %r (%s)' % (kind, name, where) if where != 'training configuration'
                       else '%s %r' % (kind, name) for kind, name, where in missing)
    consequences = []
    if any(kind in ('loss', 'metric', 'optimizer') for kind, _, _ in missing):
        consequences.append('it is *not* compiled (compile it yourself to train it)')
    if any(kind in ('initializer', 'regularizer', 'constraint') for kind, _, _ in missing):
        consequences.append("each missing initializer, regularizer or constraint is replaced by the layer's "
                            'default (the stored weights are loaded as saved)')
    names = []
    for _, name, _ in missing:
        if name not in names:
            names.append(name)
    example = '{%s}' % ', '.join('%r: ...' % name for name in names)
    warnings.warn('%s names custom objects that it does not contain and that were not given: %s. The model is '
                  'loaded for inference: %s. To load it whole, pass them: '
                  '`load_model(filepath, custom_objects=%s)`.'
                  % (source, pieces, '; '.join(consequences), example), MissingCustomObjectWarning, stacklevel=4)
