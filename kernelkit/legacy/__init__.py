"""Keras 1 compatibility, all of it: one table (`table.py`) and the code that applies it.

- `table`: the Keras 1 -> Keras 2 table (argument renames, value maps, positional rules, class renames, removed
  pieces, module paths, weight layouts). Data only.
- `interfaces`: applies the table to calls and emits `KerasMigrationWarning`s (Keras 2's wording).
- `layers`: `MaxoutDense`, `Highway`, `Merge`/`merge`, the `AtrousConvolution*` factories, removed-name errors.
- `configs`: Keras 1 model configs through the table. `weights`: Keras 1 weight arrays through the table.
- `migrate`: the source rewriter (`kernelkit migrate`) and `python -m kernelkit run`.
- `aliases`: `install_as_keras()` (`import keras` resolves to kernelkit).

How the table reaches the public API (nothing else in kernelkit knows about Keras 1): `kernelkit/__init__.py`
calls `install()` once, which does the following.

1. `install_layer_interfaces(vars(kernelkit.layers))`: for each layer class listed in
   the table, the class's `__init__` is replaced by a converting wrapper (the class itself is the same object, so
   `type(layer).__name__` and configs stay Keras 2). The Keras 1 names (`Convolution2D`, `AtrousConvolution2D`,
   `Merge`, `merge`, `MaxoutDense`, `Highway`) are added, removed names raise with what to write instead,
   `deserialize` learns Keras 1 configs, `Layer.add_weight` takes the Keras 1 positional form, and a `Layer`
   subclass defining only `get_output_shape_for` gets it as `compute_output_shape`.
2. `install_model_interfaces()`: `Model.__init__` (`input=`/`output=`), `fit`
   (`nb_epoch=`) and, when the engine has them, `fit_generator`/`evaluate_generator`/`predict_generator` are
   wrapped the same way; the removed metrics (`fmeasure`, ...) raise with what to write instead, and the Keras 1
   regularizer names (`l1l2`, `activity_l2`, `WeightRegularizer`, ...) call their Keras 2 names with a warning,
   and `Optimizer.get_updates` takes Keras 1's `(params, constraints, loss)` order (silently, as in Keras 2).
3. `install_backend_idioms()`: the backend's Keras 1 arguments (`K.random_normal(std=)`, ...) and TF1's
   `set_session`/`get_session`; and the Keras 1 weight converter is registered with the engine's loaders.
4. `decorators` rebuilds Keras 2's own `keras.legacy.interfaces` decorators (`legacy_dense_support`, ...,
   `generate_legacy_interface`) from the same table, for custom layers written against them.

All of it is idempotent.
"""
import functools

from kernelkit.legacy import table
from kernelkit.legacy.interfaces import KerasMigrationWarning, convert_call, emit

__all__ = ['KerasMigrationWarning', 'install', 'install_layer_interfaces', 'install_model_interfaces',
           'install_optimizer_interfaces', 'install_as_keras',
           'migrate_source', 'convert_call', 'table']


def _wrap_deserialize(original):
    if getattr(original, '__kernelkit_legacy__', False):
        return original

    @functools.wraps(original)
    def deserialize(config, custom_objects=None):
        from kernelkit.legacy.configs import convert_config
        converted, changes = convert_config(config, custom_objects)
        if changes:
            emit(table.KERAS1_CONFIG % '; '.join(changes))
        return original(converted, custom_objects=custom_objects)
    deserialize.__kernelkit_legacy__ = True
    return deserialize


def _install_output_shape_alias(layer_class):
    """Subclasses of `layer_class` that define only the Keras 1 `get_output_shape_for` get it as
    `compute_output_shape` (with a warning at the class definition)."""
    if getattr(layer_class.__dict__.get('__init_subclass__'), '__kernelkit_legacy__', False):
        return
    previous = layer_class.__dict__.get('__init_subclass__')
    base_compute_output_shape = layer_class.compute_output_shape

    def compute_output_shape(self, input_shape):
        shape = self.get_output_shape_for(input_shape)
        return base_compute_output_shape(self, input_shape) if shape is None else shape

    def __init_subclass__(cls, **kwargs):
        if previous is not None:
            previous.__func__(cls, **kwargs)
        else:
            super(layer_class, cls).__init_subclass__(**kwargs)
        for old, new in table.METHOD_RENAMES.items():
            if old in cls.__dict__ and new not in cls.__dict__:
                compute_output_shape.__name__ = new
                setattr(cls, new, compute_output_shape)
                emit(table.GET_OUTPUT_SHAPE_FOR % cls.__name__)
    __init_subclass__.__kernelkit_legacy__ = True
    layer_class.__init_subclass__ = classmethod(__init_subclass__)


def install_layer_interfaces(namespace):
    """Applies the table to the public layer namespace (the globals of `kernelkit/layers/__init__.py`).

    # Arguments
        namespace: the namespace dictionary; it is modified in place.
    """
    from kernelkit.legacy import interfaces, layers
    for interface in table.LAYER_INTERFACES:
        cls = namespace.get(interface.name)
        if isinstance(cls, type):
            interfaces.wrap_constructor(cls, interface)
    for interface in table.LAYER_METHOD_INTERFACES:
        interfaces.wrap_method(namespace['Layer'], interface)
    _install_output_shape_alias(namespace['Layer'])
    for name, value in layers.make_namespace_additions(namespace).items():
        namespace[name] = value
    namespace['__getattr__'] = layers.removed_attribute(namespace.get('__name__'), table.REMOVED,
                                                        namespace.get('__getattr__'))
    namespace['deserialize'] = _wrap_deserialize(namespace['deserialize'])


def install_optimizer_interfaces(optimizer_class):
    """Wraps the optimizer methods listed in the table (`get_updates` with Keras 1's argument order).

    # Arguments
        optimizer_class: the base optimizer class (`kernelkit.optimizers.Optimizer`); modified in place.
    """
    from kernelkit.legacy import interfaces
    for interface in table.OPTIMIZER_METHOD_INTERFACES:
        interfaces.wrap_method(optimizer_class, interface)


def install_metric_interfaces(namespace):
    """Makes the metrics Keras 2 removed (`fmeasure`, `precision`, ...) raise with what to write instead, both
    as attributes of `kernelkit.metrics` and as names given to `compile(metrics=[...])`.

    # Arguments
        namespace: the globals of `kernelkit.metrics`; modified in place.
    """
    from kernelkit.legacy import layers
    original = namespace['deserialize']
    if not getattr(original, '__kernelkit_legacy__', False):
        @functools.wraps(original)
        def deserialize(config, custom_objects=None):
            if isinstance(config, str) and config in table.REMOVED_METRICS and config not in (custom_objects or {}):
                raise ValueError('Unknown metric function:%s. %s' % (config, table.REMOVED_METRICS[config]))
            return original(config, custom_objects=custom_objects)
        deserialize.__kernelkit_legacy__ = True
        namespace['deserialize'] = deserialize
    namespace['__getattr__'] = layers.removed_attribute(namespace.get('__name__'), table.REMOVED_METRICS,
                                                        namespace.get('__getattr__'))


def install_function_shims(namespace, module):
    """Adds the Keras 1 forms of `table.FUNCTION_RENAMES` for `module` to `namespace`.

    A plain rename (`l1l2`, `activity_l2`, `WeightRegularizer` in `keras.regularizers`) adds the old name,
    warning and calling its Keras 2 name. An entry with renamed or dropped keywords (the backend's
    `random_normal(std=)`, `conv2d(border_mode=, dim_ordering=)`, `deconv2d`, ...) wraps the Keras 2
    function so that a call with a Keras 1 keyword is converted, with a warning showing the Keras 2 call;
    calls without one go straight through.

    # Arguments
        namespace: the globals of the kernelkit module; modified in place.
        module: the Keras module path of the entries to install (`'keras.regularizers'`).
    """
    for entry in table.FUNCTION_RENAMES:
        if entry.module != module or entry.runtime or entry.new not in namespace:
            continue
        if entry.keywords or entry.dropped:
            if not getattr(namespace.get(entry.old), '__kernelkit_legacy__', False):
                namespace[entry.old] = _arguments_shim(entry, namespace[entry.new])
        elif entry.old != entry.new and entry.old not in namespace:
            namespace[entry.old] = _rename_shim(entry, namespace[entry.new])


def _rename_shim(entry, target):
    """`entry.old(...)`: warns `FUNCTION_SHIM` and calls `target`."""
    from kernelkit.legacy.interfaces import format_signature

    @functools.wraps(target)
    def function(*args, **kwargs):
        emit(table.FUNCTION_SHIM % (entry.old, entry.new, entry.new),
             new_call=format_signature(entry.new, args, kwargs), arguments=(args, dict(kwargs)))
        return target(*args, **kwargs)
    function.__name__ = function.__qualname__ = entry.old
    function.__kernelkit_legacy__ = True
    return function


def _arguments_shim(entry, target):
    """`entry.old(...)` accepting the Keras 1 keywords of `entry` (renamed, values mapped, or dropped)."""
    from kernelkit.legacy.interfaces import format_signature
    renamed = entry.old != entry.new

    @functools.wraps(target)
    def function(*args, **kwargs):
        if not renamed and not any(key in entry.keywords or key in entry.dropped for key in kwargs):
            return target(*args, **kwargs)
        converted = {}
        for key, value in kwargs.items():
            if key in entry.dropped:
                continue
            if key in entry.keywords:
                new_key = entry.keywords[key]
                if new_key in kwargs:
                    raise TypeError('`%s` got both the Keras 1 argument `%s` and its Keras 2 name `%s`; pass '
                                    'only `%s`.' % (entry.old, key, new_key, new_key))
                if isinstance(value, str) and value in entry.values:
                    value = entry.values[value]
                key = new_key
            converted[key] = value
        new_call = format_signature(entry.new, args, converted)
        emit(table.FUNCTION_ARGUMENTS % (entry.old, new_call), new_call=new_call, arguments=(args, converted))
        return target(*args, **converted)
    function.__name__ = function.__qualname__ = entry.old
    function.__kernelkit_legacy__ = True
    return function


def install_backend_idioms():
    """Makes the backend accept what Keras 1 and TensorFlow 1 scripts call on it.

    The Keras 1 argument names of `table.FUNCTION_RENAMES` (`K.random_normal(std=)`, ...), and the TF1
    session functions of `tf1_session` (`set_session(tf.Session(config=...))`, `get_session().run`).
    `kernelkit/__init__.py` calls this once.
    """
    from kernelkit import backend
    from kernelkit.legacy import tf1_session
    install_function_shims(vars(backend), 'keras.backend')
    tf1_session.install()


def install_model_interfaces(model_class=None):
    """Wraps the model constructor and methods listed in the table (those the class has), and the metrics.

    # Arguments
        model_class: the class to wrap (default `kernelkit.engine.training.Model`).

    # Returns
        The names of the wrapped methods and constructor.
    """
    from kernelkit.legacy import interfaces
    if model_class is None:
        from kernelkit.engine.training import Model as model_class
        from kernelkit import metrics, optimizers, regularizers
        install_metric_interfaces(vars(metrics))
        install_optimizer_interfaces(optimizers.Optimizer)
        install_function_shims(vars(regularizers), 'keras.regularizers')
    wrapped = []
    for interface in table.MODEL_INTERFACES:
        if interface.kind == 'class':
            interfaces.wrap_constructor(model_class, interface)
            wrapped.append('__init__')
        elif interfaces.wrap_method(model_class, interface):
            wrapped.append(interface.name)
    return wrapped


def install():
    """Switches Keras 1 compatibility on: the one call that applies the table to the public API.

    `kernelkit/__init__.py` calls it once, after importing the public modules: the layer constructors and
    methods (`install_layer_interfaces`), the model constructor and methods, the removed metrics, the
    Keras 1 regularizer names and `Optimizer.get_updates` (`install_model_interfaces`), the backend's Keras 1
    arguments and TF1 session idioms (`install_backend_idioms`), and the converter of Keras 1 weight files
    that the engine's loaders call. Calling it again changes nothing.
    """
    from kernelkit import layers
    from kernelkit.engine.saving import weight_conversion
    from kernelkit.legacy.weights import convert_keras1_weights
    install_layer_interfaces(vars(layers))
    install_model_interfaces()
    install_backend_idioms()
    weight_conversion.register_keras1_converter(convert_keras1_weights)


def install_as_keras():
    """Makes `import keras` (and every Keras 1 and 2 module path) resolve to kernelkit. See `aliases`."""
    from kernelkit.legacy.aliases import install_as_keras as install
    return install()


def migrate_source(code, filename='<string>'):
    """Rewrites Keras 1 source code as Keras 2 code (see `kernelkit.legacy.migrate`).

    # Arguments
        code: Python source.
        filename: the name used in the report.

    # Returns
        `(new_code, report)`: the rewritten source and a list of `migrate.Note` (line, column, level, message).
    """
    from kernelkit.legacy.migrate import migrate_source as migrate
    return migrate(code, filename)
