"""How layer configs store constructor arguments: one rule, shared by every layer with weights."""
from kernelkit import activations, constraints, initializers, regularizers

_SERIALIZERS = (('activation', activations.serialize), ('initializer', initializers.serialize),
                ('regularizer', regularizers.serialize), ('constraint', constraints.serialize))


def serialize_arguments(layer, keys):
    """Reads the attributes named by `keys` off a layer, as a Keras 2 config stores them.

    Activations become their names; initializers, regularizers and constraints become
    `{'class_name': ..., 'config': ...}` dictionaries (or `None`); anything else is kept as it is.

    # Arguments
        layer: the layer whose attributes to read.
        keys: attribute names, in the order the config should list them.

    # Returns
        A dictionary `{key: serialized value}`.
    """
    config = {}
    for key in keys:
        value = getattr(layer, key)
        for suffix, serialize in _SERIALIZERS:
            if key.endswith(suffix):
                value = serialize(value)
                break
        config[key] = value
    return config
