"""Reading an existing model into a `ModelGraph`: `graph_from_model(graph_class, model)`, behind
`ModelGraph.from_model()`.

Each layer is described by the constructor arguments that differ from the defaults, when those arguments
give back the layer's config exactly; otherwise (a `Lambda` loaded from a file, a custom layer) the node
keeps the full config. Initializers, regularizers, constraints and nested layers in a config are written
back as expressions. This is the one graph module that reads configs; the others only read descriptions.

No widget library is needed here.
"""
from kernelkit.widgets.graph_code import constructor_arguments
from kernelkit.widgets.graph_common import GraphError, layer_class, registry
from kernelkit.widgets.params import Expr, evaluate, layer_params


def graph_from_model(graph_class, model):
    """Reads a `Sequential` or functional model into a new graph (the work of `ModelGraph.from_model`).

    # Arguments
        graph_class: the class to describe it with (`ModelGraph`, or a subclass).
        model: a kernelkit model.

    # Returns
        A `graph_class` instance: one node per layer, plus an input node for a `Sequential` model, and
        the compile settings when the model was compiled with names the builder knows.

    # Raises
        GraphError: for a subclassed model, a shared layer, a layer with several outputs, or a
            `Sequential` model that has no input shape yet.
    """
    from kernelkit.engine.sequential import Sequential
    if isinstance(model, Sequential):
        return _from_sequential(graph_class, model)
    if not getattr(model, '_is_graph_network', False):
        raise GraphError('Only Sequential and functional models can be loaded; a subclassed model has no '
                         'graph to edit.')
    return _from_functional(graph_class, model)


def _from_sequential(graph_class, model):
    config = model.get_config()
    layer_configs = config['layers']
    if not layer_configs:
        raise GraphError('The Sequential model has no layers.')
    first = dict(layer_configs[0]['config'])
    batch_shape = first.get('batch_input_shape') or config.get('build_input_shape')
    if batch_shape is None:
        raise GraphError('The Sequential model has no input shape yet: build it (or give its first layer an '
                         '`input_shape`) before loading it.')
    graph = graph_class(name=config['name'], kind='sequential')
    input_kwargs = {'shape': tuple(batch_shape[1:])}
    if batch_shape[0] is not None:
        input_kwargs['batch_size'] = batch_shape[0]
    dtype = first.get('dtype')
    from kernelkit.backend import config as backend_config
    if 'batch_input_shape' in first and dtype not in (None, backend_config.floatx()):
        input_kwargs['dtype'] = dtype
    taken = {layer['config']['name'] for layer in layer_configs}
    input_name = 'input_1'
    while input_name in taken:
        input_name += '_'
    graph.nodes.append({'name': input_name, 'class_name': 'InputLayer', 'kwargs': input_kwargs,
                        'inbound': None})
    for position, layer in enumerate(layer_configs):
        layer_config = dict(layer['config'])
        if position == 0:
            layer_config.pop('batch_input_shape', None)
            layer_config.pop('dtype', None)
        graph.nodes.append(_node_from_config(layer['class_name'], layer_config, None, model.layers[position]))
    if getattr(model, 'optimizer', None) is not None:
        graph.compile_settings = _compile_settings(model)
    return graph


def _from_functional(graph_class, model):
    config = model.get_config()
    graph = graph_class(name=config['name'], kind='functional')
    live_layers = {layer.name: layer for layer in model.layers}
    previous = None
    for layer in config['layers']:
        name = layer['name']
        if layer['class_name'] == 'InputLayer':
            layer_config = layer['config']
            batch_shape = layer_config['batch_input_shape']
            kwargs = {'shape': tuple(batch_shape[1:])}
            if batch_shape[0] is not None:
                kwargs['batch_size'] = batch_shape[0]
            from kernelkit.backend import config as backend_config
            if layer_config.get('dtype') not in (None, backend_config.floatx()):
                kwargs['dtype'] = layer_config['dtype']
            if layer_config.get('sparse'):
                kwargs['sparse'] = True
            graph.nodes.append({'name': name, 'class_name': 'InputLayer', 'kwargs': kwargs, 'inbound': None})
            previous = name
            continue
        if len(layer['inbound_nodes']) != 1:
            raise GraphError('Layer %r is called %d times (a shared layer); the builder describes each '
                             'layer once.' % (name, len(layer['inbound_nodes'])), node=name)
        inbound = []
        for entry in layer['inbound_nodes'][0]:
            source, node_index, tensor_index = entry[0], entry[1], entry[2]
            call_kwargs = entry[3] if len(entry) > 3 else {}
            if tensor_index != 0 or call_kwargs:
                raise GraphError('Layer %r uses a second output or call arguments of %r, which the builder '
                                 'cannot describe.' % (name, source), node=name)
            inbound.append(source)
        node = _node_from_config(layer['class_name'], layer['config'], None, live_layers.get(name))
        node['inbound'] = None if inbound == [previous] else inbound
        graph.nodes.append(node)
        previous = name
    inputs = [entry[0] for entry in config['input_layers']]
    if inputs != graph.input_names():  # put the inputs in the model's order, first
        input_nodes = {node['name']: node for node in graph.nodes if node['class_name'] == 'InputLayer'}
        others = [node for node in graph.nodes if node['class_name'] != 'InputLayer']
        for node in others:
            if node['inbound'] is None:
                position = graph.nodes.index(node)
                node['inbound'] = [graph.nodes[position - 1]['name']]
        graph.nodes = [input_nodes[name] for name in inputs] + others
    outputs = [entry[0] for entry in config['output_layers']]
    if outputs != graph.output_names():
        graph.outputs = outputs
    if getattr(model, 'optimizer', None) is not None:
        graph.compile_settings = _compile_settings(model)
    return graph


_OBJECT_MODULES = (('_initializer', 'initializers'), ('_regularizer', 'regularizers'),
                   ('_constraint', 'constraints'))


def _module_for(param):
    for suffix, module in _OBJECT_MODULES:
        if param.endswith(suffix):
            return module
    return None


def _object_expression(module_name, value):
    """Writes a serialized initializer/regularizer/constraint as a string alias or a constructor call."""
    import importlib
    module = importlib.import_module('kernelkit.' + module_name)
    class_name, config = value['class_name'], value.get('config') or {}
    if module_name == 'initializers':
        from kernelkit.widgets.params import INITIALIZERS
        for alias in INITIALIZERS:
            try:
                if module.serialize(module.get(alias)) == value:
                    return alias
            except Exception:
                continue
    if module_name == 'constraints' and not config:
        return Expr('constraints.%s()' % class_name)
    if not hasattr(module, class_name):
        raise GraphError('Unknown %s class %r.' % (module_name, class_name))
    arguments = ', '.join('%s=%r' % item for item in sorted(config.items()))
    return Expr('%s.%s(%s)' % (module_name, class_name, arguments))


def _value_from_config(param, value):
    if isinstance(value, dict) and 'class_name' in value and 'config' in value:
        if value['class_name'] in registry():
            node = _node_from_config(value['class_name'], dict(value['config']), None)
            if node.get('config') is not None:
                raise GraphError('Nested layer %r cannot be written as arguments.' % value['class_name'])
            cls = layer_class(value['class_name'])
            arguments = constructor_arguments(cls, node['kwargs'], None, node['name'])
            return Expr('%s(%s)' % (cls.__name__, arguments))
        module = _module_for(param)
        if module is None:
            raise GraphError('Cannot describe argument %r = %r.' % (param, value))
        return _object_expression(module, value)
    if isinstance(value, list) and value and all(isinstance(item, dict) and 'class_name' in item for item in value):
        parts = [_value_from_config(param, item) for item in value]
        return Expr('[%s]' % ', '.join(part.code if isinstance(part, Expr) else repr(part) for part in parts))
    if isinstance(value, list):
        return tuple(value)
    return value


# Lambda arguments that hold functions, and the config keys that describe them.
_FUNCTION_KEYS = {'function': ('function', 'function_type'), 'output_shape': ('output_shape', 'output_shape_type'),
                  'mask': ('mask',)}


def _function_overrides(layer):
    """`Expr`s for the functions of a live layer that the builder made from code (see `expression_source`)."""
    from kernelkit.widgets.params import expression_source
    overrides = {}
    if layer is None:
        return overrides
    for key in _FUNCTION_KEYS:
        value = getattr(layer, key, None) if key != 'output_shape' else getattr(layer, '_output_shape', None)
        source = expression_source(value) if callable(value) else None
        if source is not None:
            overrides[key] = Expr(source)
    return overrides


def _node_from_config(class_name, config, inbound, layer=None):
    """A node for a layer config: constructor arguments when they reproduce the config, else the config.

    `layer`, the live layer, lets functions the builder made from code be written as that code again.
    """
    cls = layer_class(class_name)
    name = config['name']
    try:
        overrides = _function_overrides(layer)
        kwargs = _kwargs_from_config(cls, config, overrides)
        probe = cls(name=name, **evaluate(dict(kwargs)))
        ignored = {key for argument in overrides for key in _FUNCTION_KEYS[argument]}
        probe_config = {key: value for key, value in probe.get_config().items() if key not in ignored}
        wanted = {key: value for key, value in config.items() if key not in ignored}
        if _normalized(probe_config) != _normalized(wanted):
            raise GraphError('arguments do not reproduce the config')
        return {'name': name, 'class_name': cls.__name__, 'kwargs': kwargs, 'inbound': inbound}
    except Exception:
        return {'name': name, 'class_name': class_name, 'kwargs': None, 'config': dict(config),
                'inbound': inbound}


def _kwargs_from_config(cls, config, overrides=None):
    overrides = overrides or {}
    specs = {spec.name: spec for spec in layer_params(cls)}
    ignored = {key for argument in overrides for key in _FUNCTION_KEYS.get(argument, (argument,))}
    base = {key: value for key, value in config.items()
            if key not in ignored and (key not in specs or specs[key].required)}
    base_kwargs = {key: value for key, value in overrides.items() if specs.get(key) is not None
                   and specs[key].required}
    for key, value in base.items():
        if key == 'name':
            continue
        if key in specs:
            base_kwargs[key] = _value_from_config(key, value)
        elif key == 'trainable':
            if value is False:
                base_kwargs['trainable'] = False
        elif key == 'dtype':
            from kernelkit.backend import config as backend_config
            if value not in (None, backend_config.floatx()):
                base_kwargs['dtype'] = value
        elif key == 'batch_input_shape':
            base_kwargs[key] = tuple(value)
        # Other keys (e.g. a Lambda's `function_type`) are not arguments; the caller checks that the
        # arguments found reproduce the whole config.
    probe = cls(name=config['name'], **evaluate(dict(base_kwargs)))
    probe_config = _normalized(probe.get_config())
    kwargs = dict(base_kwargs)
    for key, spec in specs.items():
        if spec.required:
            continue
        if key in overrides:
            kwargs[key] = overrides[key]
        elif key in config and key not in ignored and _normalized(config[key]) != probe_config.get(key):
            kwargs[key] = _value_from_config(key, config[key])
    return kwargs


def _normalized(value):
    if isinstance(value, (list, tuple)):
        return [_normalized(item) for item in value]
    if isinstance(value, dict):
        return {key: _normalized(item) for key, item in value.items()}
    return value


def _compile_settings(model):
    from kernelkit.widgets.params import OPTIMIZERS as names
    optimizer = model.optimizer
    by_class = {class_name: key for key, class_name in names.items()}
    key = by_class.get(type(optimizer).__name__)
    if key is None:
        return None
    loss = getattr(model, 'loss', None)
    if not isinstance(loss, str):
        return None
    lr = None
    try:
        default_lr = type(optimizer)().get_config().get('lr')
        current = optimizer.get_config().get('lr')
        if current is not None and default_lr is not None and abs(current - default_lr) > 1e-12:
            lr = float('%.7g' % current)
    except Exception:
        lr = None
    metrics = list(getattr(model, '_compile_metrics', None) or getattr(model, 'metrics', None) or [])
    metrics = [m for m in metrics if isinstance(m, str)]
    return {'optimizer': key, 'lr': lr, 'loss': loss, 'metrics': metrics}
