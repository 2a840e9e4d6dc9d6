"""Building the Keras model a `ModelGraph` describes: `build_model(graph)`, behind `ModelGraph.build()`.

The model is made from the description each time (a live model is never patched): a `Sequential` for a
plain stack, a functional `Model` otherwise. Building stops at the first layer that fails, and the
`BuildResult` names that layer, so the builder can colour it and keep showing the last valid model.
This is the only graph module that creates layers and models; the edits (`graph.py`) and the code writer
(`graph_code.py`) do not need the engine.

No widget library is needed here.
"""
from kernelkit.widgets.graph_common import GraphError, layer_class, takes_safe_mode
from kernelkit.widgets.params import OPTIMIZERS, evaluate, expression_namespace, is_merge_layer


class BuildResult(object):
    """What `ModelGraph.build()` derived.

    # Properties
        model: the model (None when the graph is invalid or has no layer besides its inputs).
        shapes: `{node name: output shape}` for the nodes that could be built.
        params: `{node name: number of parameters}`.
        errors: `{node name: message}`; a graph-wide error is under the key None.
        total_params: parameters of the model (0 without a model).
    """

    def __init__(self):
        self.model = None
        self.shapes = {}
        self.params = {}
        self.errors = {}

    @property
    def ok(self):
        return not self.errors and self.model is not None

    @property
    def total_params(self):
        return self.model.count_params() if self.model is not None else 0


def make_layer(node, namespace=None, extra=None):
    """Creates the layer of a (non-input) node.

    # Arguments
        node: a node dict of a `ModelGraph`.
        namespace: the names `Expr` arguments are evaluated in (default: `expression_namespace()`).
        extra: constructor arguments added to the node's own (e.g. the input shape of a first layer).

    # Returns
        The layer (not called yet).

    # Raises
        GraphError: with the node's name, if the arguments are refused.
    """
    cls = layer_class(node['class_name'])
    try:
        if node.get('config') is not None:
            config = dict(node['config'], name=node['name'])
            config.update(extra or {})
            return _layer_from_config(cls, config)
        arguments = evaluate(dict(node['kwargs']), namespace)
        arguments.update(extra or {})
        return cls(name=node['name'], **arguments)
    except GraphError:
        raise
    except Exception as error:
        raise GraphError('%s: %s' % (type(error).__name__, error), node=node['name'])


def input_arguments(node):
    """Reads an input node's arguments.

    # Arguments
        node: an `InputLayer` node dict.

    # Returns
        A tuple `(shape, batch_size, dtype, sparse)`; `shape` is a tuple without the batch axis.

    # Raises
        GraphError: for an input without a shape or with a shape that is not a tuple.
    """
    kwargs = node['kwargs'] or {}
    if kwargs.get('shape') is None:
        raise GraphError('An input needs a `shape`, e.g. (784,) or (28, 28, 1).', node=node['name'])
    shape = kwargs['shape']
    if isinstance(shape, int):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)):
        raise GraphError('The input `shape` must be a tuple such as (784,); received %r.' % (shape,),
                         node=node['name'])
    return tuple(shape), kwargs.get('batch_size'), kwargs.get('dtype'), kwargs.get('sparse', False)


def first_layer_arguments(shape, batch_size, dtype):
    """The arguments that give the first layer of a `Sequential` model the input's shape and dtype.

    # Arguments
        shape: the input shape, without the batch axis (a tuple).
        batch_size: a fixed batch size, or None.
        dtype: the input dtype, or None for the default.

    # Returns
        A dict: `input_shape` (or `batch_input_shape` for a fixed batch size), and `dtype` when given.
    """
    extra = ({'batch_input_shape': (batch_size,) + shape} if batch_size is not None
             else {'input_shape': shape})
    if dtype is not None:
        extra['dtype'] = dtype
    return extra


def build_model(graph):
    """Derives the model from a graph's description (what `ModelGraph.build()` returns).

    # Arguments
        graph: a `ModelGraph`.

    # Returns
        A `BuildResult`: the model (or None), each layer's output shape and parameter count, and
        the errors by layer name. Building stops at the first layer that fails.
    """
    result = BuildResult()
    if not graph.nodes:
        result.errors[None] = 'The graph is empty: add an InputLayer, then layers.'
        return result
    namespace = expression_namespace()
    try:
        if graph.uses_sequential():
            _build_sequential(graph, result, namespace)
        else:
            _build_functional(graph, result, namespace)
    except GraphError as error:
        result.model = None
        result.errors[error.node] = str(error)
    if result.model is not None and graph.compile_settings:
        try:
            _compile(graph, result.model)
        except Exception as error:
            result.errors[None] = 'compile: %s: %s' % (type(error).__name__, error)
            result.model = None
    return result


def _build_sequential(graph, result, namespace):
    from kernelkit.engine.sequential import Sequential
    first = graph.nodes[0]
    if first['class_name'] != 'InputLayer':
        raise GraphError('A Sequential graph starts with an InputLayer giving the input shape.',
                         node=first['name'])
    shape, batch_size, dtype, _sparse = input_arguments(first)
    result.shapes[first['name']] = (batch_size,) + shape
    result.params[first['name']] = 0
    if len(graph.nodes) < 2:
        raise GraphError('Add a layer after the input.', node=first['name'])
    model = Sequential(name=graph.name)
    for position, node in enumerate(graph.nodes[1:]):
        if node['class_name'] == 'InputLayer':
            raise GraphError('A Sequential model has a single input.', node=node['name'])
        extra = first_layer_arguments(shape, batch_size, dtype) if position == 0 else {}
        layer = make_layer(node, namespace, extra)
        try:
            model.add(layer)
            result.shapes[node['name']] = _shape(layer.output_shape)
            result.params[node['name']] = layer.count_params()
        except Exception as error:
            raise GraphError('%s: %s' % (type(error).__name__, error), node=node['name'])
    result.model = model


def _build_functional(graph, result, namespace):
    from kernelkit.engine.input_layer import Input
    from kernelkit.engine.training import Model
    tensors = {}
    names = graph.names()
    for position, node in enumerate(graph.nodes):
        name = node['name']
        if node['class_name'] == 'InputLayer':
            shape, batch_size, dtype, sparse = input_arguments(node)
            try:
                tensor = Input(batch_shape=(batch_size,) + shape, name=name, dtype=dtype, sparse=sparse)
            except Exception as error:
                raise GraphError('%s: %s' % (type(error).__name__, error), node=name)
            tensors[name] = tensor
            result.shapes[name] = (batch_size,) + shape
            result.params[name] = 0
            continue
        inbound = graph.inbound_of(name)
        if not inbound:
            raise GraphError('This layer has no input: put an InputLayer before it or choose its inputs.',
                             node=name)
        for source in inbound:
            if source not in names:
                raise GraphError('Input %r does not exist.' % (source,), node=name)
            if names.index(source) >= position:
                raise GraphError('Input %r comes after this layer; move it up or choose another input.'
                                 % (source,), node=name)
        layer = make_layer(node, namespace)
        cls = type(layer)
        arguments = [tensors[source] for source in inbound]
        if len(arguments) > 1 and not is_merge_layer(cls):
            raise GraphError('%s takes one input; merge several with Add, Concatenate, ... first.'
                             % node['class_name'], node=name)
        try:
            tensor = layer(arguments if is_merge_layer(cls) else arguments[0])
        except Exception as error:
            raise GraphError('%s: %s' % (type(error).__name__, error), node=name)
        if isinstance(tensor, (list, tuple)):
            raise GraphError('Layers with several outputs are not supported by the builder.', node=name)
        tensors[name] = tensor
        result.shapes[name] = _shape(layer.output_shape)
        result.params[name] = layer.count_params()
    inputs = [tensors[name] for name in graph.input_names()]
    outputs = []
    for name in graph.output_names():
        if name not in tensors:
            raise GraphError('Output %r does not exist.' % (name,), node=None)
        outputs.append(tensors[name])
    if not inputs:
        raise GraphError('The graph has no InputLayer.', node=graph.nodes[0]['name'])
    if not outputs:
        raise GraphError('The graph has no output: add a layer after the input.', node=graph.nodes[-1]['name'])
    try:
        result.model = Model(inputs=inputs if len(inputs) > 1 else inputs[0],
                             outputs=outputs if len(outputs) > 1 else outputs[0], name=graph.name)
    except Exception as error:
        raise GraphError('%s: %s' % (type(error).__name__, error), node=None)


def _optimizer(graph):
    from kernelkit import optimizers
    settings = graph.compile_settings
    cls = getattr(optimizers, OPTIMIZERS[settings['optimizer']])
    return cls(lr=settings['lr']) if settings.get('lr') is not None else cls()


def _compile(graph, model):
    settings = graph.compile_settings
    model.compile(optimizer=_optimizer(graph), loss=settings['loss'], metrics=list(settings['metrics']))


def _shape(shape):
    if isinstance(shape, list):
        return [tuple(s) for s in shape]
    return tuple(shape) if shape is not None else None


def _layer_from_config(cls, config):
    """Recreates a layer from a config held by the graph (trusted: it came from a model in this process or
    from a description, which is code anyway)."""
    if takes_safe_mode(cls):
        return cls.from_config(dict(config), safe_mode=False)
    from kernelkit import layers
    return layers.deserialize({'class_name': cls.__name__, 'config': dict(config)})
