"""Layer configs written by other Keras 2 implementations, made readable by kernelkit's layers.

tf_keras and later tf.keras versions add keys that Keras 2.2 layers never had. Each is accepted here only
with the value that means "the Keras 2.2 behaviour"; any other value is an error that says what the file
asks for, instead of a layer silently computing something else.
"""
from kernelkit.engine.saving.missing_objects import is_function_reference

# key -> the values that mean "same as Keras 2.2" (None: any value is harmless and is dropped)
_NEUTRAL_KEYS = {
    'groups': (1,),
    'time_major': (False,),
    'ragged': (False,),
    'optional': (False,),
    'keepdims': (False,),
    'zero_output_for_mask': None,
    'module': None,
    'registered_name': None,
    'build_config': None,
    'compile_config': None,
}


def normalize_layer_config(entry):
    """Returns a copy of `{'class_name', 'config'}` with tf_keras-only keys removed and the dtype policy
    reduced to its dtype name; tf_keras's `{'class_name': 'function', 'config': name}` values become the
    function's name.

    # Arguments
        entry: a layer entry of a model config.

    # Returns
        The normalized entry (the input is not modified).

    # Raises
        ValueError: when a tf_keras-only key asks for behaviour Keras 2.2 layers do not have.
    """
    if not isinstance(entry, dict) or not isinstance(entry.get('config'), dict):
        return entry
    config = dict(entry['config'])
    for key, neutral in _NEUTRAL_KEYS.items():
        if key == 'module' and entry.get('class_name') == 'Lambda':
            continue  # a Lambda's `module` says where its function was defined (read by Lambda.from_config)
        if key in config:
            value = config.pop(key)
            if neutral is not None and value not in neutral:
                raise ValueError('Layer %s of class %s uses %s=%r, which kernelkit (Keras 2.2 API) does not '
                                 'support.' % (config.get('name'), entry.get('class_name'), key, value))
    for key, value in config.items():
        if is_function_reference(value):  # tf_keras's form of a plain function (e.g. an initializer)
            config[key] = value['config']
    dtype = config.get('dtype')
    if isinstance(dtype, dict):
        policy = dtype.get('config', {}).get('name', 'float32')
        config['dtype'] = 'float32' if policy.startswith('mixed_') else policy
    normalized = dict(entry)
    normalized['config'] = config
    return normalized


# Optimizer config keys of tf_keras (legacy and new optimizers) -> their "nothing special" values.
_OPTIMIZER_NEUTRAL_KEYS = {
    'name': None,
    'is_legacy_optimizer': None,
    'jit_compile': None,
    'ema_momentum': None,
    'ema_overwrite_frequency': None,
    'use_ema': (False,),
    'weight_decay': (None, 0, 0.),
    'clipnorm': (None,),
    'clipvalue': (None,),
    'global_clipnorm': (None,),
}


def normalize_optimizer_config(entry):
    """Returns a copy of an optimizer config that kernelkit's Keras 2 optimizers accept.

    tf_keras writes `Custom>Adam`, a `name`, EMA and weight-decay settings, and `global_clipnorm`
    (Keras 2.2's `clipnorm` is already a global norm, so it maps there). A zero `decay` given to Nadam,
    which has none in Keras 2.2, is dropped.

    # Arguments
        entry: `{'class_name': ..., 'config': {...}}`.

    # Returns
        The normalized entry.

    # Raises
        ValueError: for settings that Keras 2.2 optimizers cannot reproduce (EMA, weight decay, schedules).
    """
    if not isinstance(entry, dict) or not isinstance(entry.get('config'), dict):
        return entry
    class_name = entry.get('class_name', '')
    if class_name.startswith('Custom>'):
        class_name = class_name[len('Custom>'):]
    config = dict(entry['config'])
    global_clipnorm = config.get('global_clipnorm')
    for key, neutral in _OPTIMIZER_NEUTRAL_KEYS.items():
        if key in config:
            value = config.pop(key)
            if neutral is not None and value not in neutral and key not in ('clipnorm', 'clipvalue',
                                                                              'global_clipnorm'):
                raise ValueError('The saved %s optimizer uses %s=%r, which Keras 2 optimizers do not have.'
                                 % (class_name, key, value))
            if key in ('clipnorm', 'clipvalue') and value is not None:
                config[key] = value
    if global_clipnorm is not None:
        config['clipnorm'] = global_clipnorm
    if isinstance(config.get('learning_rate'), dict):
        raise ValueError('The saved %s optimizer uses a learning-rate schedule, which Keras 2 optimizers do not '
                         'have; use a LearningRateScheduler callback instead.' % class_name)
    if class_name == 'Nadam' and not config.get('decay'):
        config.pop('decay', None)
    return {'class_name': class_name, 'config': config}
