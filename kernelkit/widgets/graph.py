"""`ModelGraph`: the plain description of a model that the builder edits, and everything derived from it.

A graph is a list of nodes, in order. Each node is a dict:

- `name`: the layer name (unique in the graph);
- `class_name`: a class of `kernelkit.layers.registry()` (`'InputLayer'` for an input);
- `kwargs`: the constructor arguments that differ from the defaults (values are literals or `Expr`);
  for an input: `shape`, and optionally `batch_size`, `dtype`, `sparse`;
- `inbound`: None for "the node just before me" (so a plain stack needs no wiring and follows
  insertions, removals and moves), or a list of node names (branches; merge layers take several);
- `config`: instead of `kwargs`, a full layer config, for layers loaded by `from_model` whose config
  cannot be written as constructor arguments (e.g. a `Lambda` loaded from a file).

The model, the per-layer output shapes and parameter counts, the diagram and the code are all derived
from this description by `build()` and `code()`; a live model is never patched. An edit that makes the
graph invalid is kept in the description (so it can be fixed), `build()` reports the error at the layer
that caused it, and the builder keeps showing the last valid model.

No widget library is needed here.
"""
import copy
import inspect
import keyword
import re

from kernelkit.widgets.params import (OPTIMIZERS, Expr, evaluate, expression_namespace, format_value,
                                      initial_kwargs, is_merge_layer, layer_params)

_KINDS = ('auto', 'sequential', 'functional')


class GraphError(ValueError):
    """An edit or a derivation that is not possible; `node` names the layer concerned (or None)."""

    def __init__(self, message, node=None):
        super(GraphError, self).__init__(message)
        self.node = node


def _registry():
    from kernelkit import layers
    return layers.registry()


def layer_class(class_name):
    """Returns the layer class of that name.

    # Raises
        GraphError: for a name that is not a kernelkit layer.
    """
    cls = _registry().get(class_name)
    if cls is None:
        raise GraphError('Unknown layer class %r.' % (class_name,))
    return cls


def _snake(name):
    from kernelkit.engine.base_layer import to_snake_case
    return to_snake_case(name)


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


class ModelGraph(object):
    """The plain description of a model: nodes (layer class, arguments, inbound edges) and compile settings.

    # Arguments
        name: the model name.
        nodes: list of node dicts (see the module documentation); default: none.
        outputs: list of output node names, or None for "every node nobody takes input from".
        kind: `'auto'` (a `Sequential` when the graph is a plain stack, a functional `Model` otherwise),
            `'sequential'` or `'functional'`.
        compile: dict with `optimizer`, `lr`, `loss`, `metrics`, or None for an uncompiled model.

    # Example
    ```python
    graph = ModelGraph()
    graph.add('InputLayer', shape=(784,))
    graph.add('Dense', units=64, activation='relu')
    graph.add('Dense', units=10, activation='softmax')
    model = graph.build().model
    print(graph.code())
    ```
    """

    def __init__(self, name='model', nodes=None, outputs=None, kind='auto', compile=None):
        if kind not in _KINDS:
            raise GraphError('`kind` must be one of %s; received %r.' % (_KINDS, kind))
        self.name = name
        self.nodes = [self._checked_node(node) for node in (nodes or [])]
        self.outputs = list(outputs) if outputs is not None else None
        self.kind = kind
        self.compile_settings = dict(compile) if compile else None

    # ------------------------------------------------------------------------------------- plumbing
    @staticmethod
    def _checked_node(node):
        node = dict(node)
        for key in ('name', 'class_name'):
            if key not in node:
                raise GraphError('A node needs a %r; received %r.' % (key, node))
        layer_class(node['class_name'])
        node.setdefault('kwargs', {} if 'config' not in node else None)
        node.setdefault('inbound', None)
        if node['inbound'] is not None:
            node['inbound'] = list(node['inbound'])
        return node

    def copy(self):
        """A deep copy of the description."""
        return copy.deepcopy(self)

    def to_dict(self):
        """The description as a JSON-friendly dict (`Expr` values become `{'__expr__': code}`)."""
        def plain(value):
            if isinstance(value, Expr):
                return value.to_json()
            if isinstance(value, (list, tuple)):
                return [plain(item) for item in value]
            if isinstance(value, dict):
                return {key: plain(item) for key, item in value.items()}
            return value
        return plain({'name': self.name, 'kind': self.kind, 'outputs': self.outputs,
                      'compile': self.compile_settings, 'nodes': self.nodes})

    @classmethod
    def from_dict(cls, data):
        """Rebuilds a graph from `to_dict()` output."""
        def rich(value):
            if isinstance(value, dict):
                if set(value) == {'__expr__'}:
                    return Expr(value['__expr__'])
                return {key: rich(item) for key, item in value.items()}
            if isinstance(value, list):
                return [rich(item) for item in value]
            return value
        data = rich(data)
        nodes = []
        for node in data.get('nodes', []):
            node = dict(node)
            if node.get('kwargs'):  # JSON turned the tuples (shapes, kernel sizes) into lists
                node['kwargs'] = {key: tuple(value) if isinstance(value, list) else value
                                  for key, value in node['kwargs'].items()}
            nodes.append(node)
        return cls(name=data.get('name', 'model'), nodes=nodes, outputs=data.get('outputs'),
                   kind=data.get('kind', 'auto'), compile=data.get('compile'))

    def names(self):
        """The node names, in order."""
        return [node['name'] for node in self.nodes]

    def index(self, name):
        """Position of the node called `name`.

        # Raises
            GraphError: if there is no such node.
        """
        for position, node in enumerate(self.nodes):
            if node['name'] == name:
                return position
        raise GraphError('There is no layer called %r.' % (name,))

    def node(self, name):
        """The node dict called `name` (the stored one: edit it through the methods)."""
        return self.nodes[self.index(name)]

    def unique_name(self, class_name):
        """A new node name for a layer of `class_name`: `dense_1`, `dense_2`, ..., `input_1` for inputs."""
        base = 'input' if class_name == 'InputLayer' else _snake(layer_class(class_name).__name__)
        taken = set(self.names())
        number = 1
        while '%s_%d' % (base, number) in taken:
            number += 1
        return '%s_%d' % (base, number)

    def inbound_of(self, name):
        """The names of the nodes `name` takes its input from (`inbound=None` resolved)."""
        position = self.index(name)
        node = self.nodes[position]
        if node['class_name'] == 'InputLayer':
            return []
        if node['inbound'] is not None:
            return list(node['inbound'])
        return [self.nodes[position - 1]['name']] if position > 0 else []

    def consumers_of(self, name):
        """The names of the nodes that take input from `name`."""
        return [node['name'] for node in self.nodes if name in self.inbound_of(node['name'])]

    def output_names(self):
        """The output node names: `outputs`, or every non-input node that feeds no other node."""
        if self.outputs is not None:
            return list(self.outputs)
        fed = set()
        for node in self.nodes:
            fed.update(self.inbound_of(node['name']))
        return [node['name'] for node in self.nodes
                if node['name'] not in fed and node['class_name'] != 'InputLayer']

    def input_names(self):
        return [node['name'] for node in self.nodes if node['class_name'] == 'InputLayer']

    # ---------------------------------------------------------------------------------------- edits
    def add(self, class_name, name=None, inbound=None, index=None, **kwargs):
        """Adds a layer (at the end, or before position `index`).

        # Arguments
            class_name: a layer class name from the registry (`'InputLayer'` for an input).
            name: the layer name (default: a new `<snake_case>_<n>`).
            inbound: None to take the previous layer's output, or a list of layer names.
            index: position to insert at (default: the end).
            **kwargs: constructor arguments; required arguments not given get palette defaults.

        # Returns
            The new layer's name.

        # Raises
            GraphError: for an unknown class or a name already used.
        """
        cls = layer_class(class_name)
        class_name = cls.__name__
        name = name or self.unique_name(class_name)
        if name in self.names():
            raise GraphError('There is already a layer called %r.' % (name,), node=name)
        arguments = initial_kwargs(cls)
        arguments.update(kwargs)
        node = {'name': name, 'class_name': class_name, 'kwargs': self._without_defaults(cls, arguments),
                'inbound': list(inbound) if inbound is not None else None}
        if index is None:
            self.nodes.append(node)
        else:
            self.nodes.insert(index, node)
        return name

    def insert(self, index, class_name, name=None, inbound=None, **kwargs):
        """Inserts a layer before position `index` (see `add`)."""
        return self.add(class_name, name=name, inbound=inbound, index=index, **kwargs)

    def remove(self, name):
        """Removes a layer. Layers that took input from it take input from its own inputs instead."""
        position = self.index(name)
        replacement = self.inbound_of(name)
        del self.nodes[position]
        for node in self.nodes:
            if node['inbound'] is not None and name in node['inbound']:
                rewired = []
                for inbound in node['inbound']:
                    for new in ([inbound] if inbound != name else replacement):
                        if new not in rewired:
                            rewired.append(new)
                node['inbound'] = rewired
        if self.outputs is not None:
            self.outputs = [output for output in self.outputs if output != name]

    def duplicate(self, name):
        """Inserts a copy of a layer right after it; the copy takes the original's output, and layers that
        took input from the original now take it from the copy.

        # Returns
            The copy's name.
        """
        position = self.index(name)
        original = self.nodes[position]
        if original['class_name'] == 'InputLayer':
            raise GraphError('An input cannot be duplicated; add another InputLayer instead.', node=name)
        new_name = self.unique_name(original['class_name'])
        for node in self.nodes:
            if node['inbound'] is not None and name in node['inbound']:
                node['inbound'] = [new_name if inbound == name else inbound for inbound in node['inbound']]
        copied = copy.deepcopy(original)
        copied['name'] = new_name
        copied['inbound'] = None
        if copied.get('config') is not None:
            copied['config']['name'] = new_name
        self.nodes.insert(position + 1, copied)
        if self.outputs is not None:
            self.outputs = [new_name if output == name else output for output in self.outputs]
        return new_name

    def move(self, name, index):
        """Moves a layer to position `index` (layers with `inbound=None` follow the new order)."""
        position = self.index(name)
        if not 0 <= index < len(self.nodes):
            raise GraphError('Position %d is outside the graph (0 to %d).' % (index, len(self.nodes) - 1),
                             node=name)
        node = self.nodes.pop(position)
        self.nodes.insert(index, node)

    def move_up(self, name):
        """Moves a layer one position earlier (no-op at the top)."""
        position = self.index(name)
        if position > 0:
            self.move(name, position - 1)

    def move_down(self, name):
        """Moves a layer one position later (no-op at the bottom)."""
        position = self.index(name)
        if position < len(self.nodes) - 1:
            self.move(name, position + 1)

    def set_inbound(self, name, inbound):
        """Sets where a layer takes its input from: None (the previous layer) or a list of names."""
        node = self.node(name)
        node['inbound'] = list(inbound) if inbound is not None else None

    def set_kwargs(self, name, **kwargs):
        """Changes constructor arguments of a layer; a value equal to the default removes the argument."""
        node = self.node(name)
        cls = layer_class(node['class_name'])
        if node.get('config') is not None:
            raise GraphError('Layer %r was loaded from a config that cannot be edited argument by argument.'
                             % name, node=name)
        arguments = dict(node['kwargs'])
        arguments.update(kwargs)
        node['kwargs'] = self._without_defaults(cls, arguments)

    def rename(self, name, new_name):
        """Renames a layer (edges and outputs follow)."""
        if new_name == name:
            return
        if new_name in self.names():
            raise GraphError('There is already a layer called %r.' % (new_name,), node=name)
        if not new_name or not isinstance(new_name, str):
            raise GraphError('A layer name must be a non-empty string.', node=name)
        self.node(name)['name'] = new_name
        for node in self.nodes:
            if node['inbound'] is not None:
                node['inbound'] = [new_name if inbound == name else inbound for inbound in node['inbound']]
            if node.get('config') is not None and node['name'] == new_name:
                node['config']['name'] = new_name
        if self.outputs is not None:
            self.outputs = [new_name if output == name else output for output in self.outputs]

    def set_outputs(self, outputs):
        """Sets the model outputs (a list of names), or None for the layers that feed nothing."""
        self.outputs = list(outputs) if outputs is not None else None

    def set_compile(self, optimizer='adam', lr=None, loss='categorical_crossentropy', metrics=None):
        """Chooses how `model` and `code()` compile the model.

        # Arguments
            optimizer: an optimizer name (`'sgd'`, `'rmsprop'`, `'adagrad'`, `'adadelta'`, `'adam'`,
                `'adamax'`, `'nadam'`), or None for an uncompiled model.
            lr: learning rate, or None for the optimizer's default.
            loss: a loss name.
            metrics: list of metric names.
        """
        if optimizer is None:
            self.compile_settings = None
            return
        if optimizer not in OPTIMIZERS:
            raise GraphError('Unknown optimizer %r; choose one of %s.' % (optimizer, sorted(OPTIMIZERS)))
        if lr is not None and not lr > 0:
            raise GraphError('The learning rate must be > 0; received %r.' % (lr,))
        self.compile_settings = {'optimizer': optimizer, 'lr': None if lr is None else float(lr), 'loss': loss,
                                 'metrics': list(metrics or [])}

    @staticmethod
    def _without_defaults(cls, arguments):
        defaults = {spec.name: spec.default for spec in layer_params(cls)}
        kept = {}
        for key, value in arguments.items():
            if key in defaults and _same_value(defaults[key], value):
                continue
            kept[key] = value
        return kept

    # ------------------------------------------------------------------------------------ derivation
    def is_stack(self):
        """Whether the graph is a plain stack: one input first, each layer fed by the one before it."""
        if len(self.nodes) < 2 or self.nodes[0]['class_name'] != 'InputLayer':
            return False
        for position in range(1, len(self.nodes)):
            node = self.nodes[position]
            if node['class_name'] == 'InputLayer' or is_merge_layer(layer_class(node['class_name'])):
                return False
            if self.inbound_of(node['name']) != [self.nodes[position - 1]['name']]:
                return False
        return self.output_names() == [self.nodes[-1]['name']]

    def uses_sequential(self):
        """Whether `build()` makes a `Sequential` (kind 'sequential', or 'auto' and a plain stack)."""
        return self.kind == 'sequential' or (self.kind == 'auto' and self.is_stack())

    def make_layer(self, node, namespace=None, extra=None):
        """Creates the layer of a (non-input) node.

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

    @staticmethod
    def _input_arguments(node):
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

    def build(self):
        """Derives the model from the description.

        # Returns
            A `BuildResult`: the model (or None), each layer's output shape and parameter count, and
            the errors by layer name. Building stops at the first layer that fails.
        """
        result = BuildResult()
        if not self.nodes:
            result.errors[None] = 'The graph is empty: add an InputLayer, then layers.'
            return result
        namespace = expression_namespace()
        try:
            if self.uses_sequential():
                self._build_sequential(result, namespace)
            else:
                self._build_functional(result, namespace)
        except GraphError as error:
            result.model = None
            result.errors[error.node] = str(error)
        if result.model is not None and self.compile_settings:
            try:
                self._compile(result.model)
            except Exception as error:
                result.errors[None] = 'compile: %s: %s' % (type(error).__name__, error)
                result.model = None
        return result

    def _build_sequential(self, result, namespace):
        from kernelkit.engine.sequential import Sequential
        first = self.nodes[0]
        if first['class_name'] != 'InputLayer':
            raise GraphError('A Sequential graph starts with an InputLayer giving the input shape.',
                             node=first['name'])
        shape, batch_size, dtype, _sparse = self._input_arguments(first)
        result.shapes[first['name']] = (batch_size,) + shape
        result.params[first['name']] = 0
        if len(self.nodes) < 2:
            raise GraphError('Add a layer after the input.', node=first['name'])
        model = Sequential(name=self.name)
        for position, node in enumerate(self.nodes[1:]):
            if node['class_name'] == 'InputLayer':
                raise GraphError('A Sequential model has a single input.', node=node['name'])
            extra = {}
            if position == 0:
                extra = ({'batch_input_shape': (batch_size,) + shape} if batch_size is not None
                         else {'input_shape': shape})
                if dtype is not None:
                    extra['dtype'] = dtype
            layer = self.make_layer(node, namespace, extra)
            try:
                model.add(layer)
                result.shapes[node['name']] = _shape(layer.output_shape)
                result.params[node['name']] = layer.count_params()
            except Exception as error:
                raise GraphError('%s: %s' % (type(error).__name__, error), node=node['name'])
        result.model = model

    def _build_functional(self, result, namespace):
        from kernelkit.engine.input_layer import Input
        from kernelkit.engine.training import Model
        tensors = {}
        names = self.names()
        for position, node in enumerate(self.nodes):
            name = node['name']
            if node['class_name'] == 'InputLayer':
                shape, batch_size, dtype, sparse = self._input_arguments(node)
                try:
                    tensor = Input(batch_shape=(batch_size,) + shape, name=name, dtype=dtype, sparse=sparse)
                except Exception as error:
                    raise GraphError('%s: %s' % (type(error).__name__, error), node=name)
                tensors[name] = tensor
                result.shapes[name] = (batch_size,) + shape
                result.params[name] = 0
                continue
            inbound = self.inbound_of(name)
            if not inbound:
                raise GraphError('This layer has no input: put an InputLayer before it or choose its inputs.',
                                 node=name)
            for source in inbound:
                if source not in names:
                    raise GraphError('Input %r does not exist.' % (source,), node=name)
                if names.index(source) >= position:
                    raise GraphError('Input %r comes after this layer; move it up or choose another input.'
                                     % (source,), node=name)
            layer = self.make_layer(node, namespace)
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
        inputs = [tensors[name] for name in self.input_names()]
        outputs = []
        for name in self.output_names():
            if name not in tensors:
                raise GraphError('Output %r does not exist.' % (name,), node=None)
            outputs.append(tensors[name])
        if not inputs:
            raise GraphError('The graph has no InputLayer.', node=self.nodes[0]['name'])
        if not outputs:
            raise GraphError('The graph has no output: add a layer after the input.', node=self.nodes[-1]['name'])
        try:
            result.model = Model(inputs=inputs if len(inputs) > 1 else inputs[0],
                                 outputs=outputs if len(outputs) > 1 else outputs[0], name=self.name)
        except Exception as error:
            raise GraphError('%s: %s' % (type(error).__name__, error), node=None)

    def _optimizer(self):
        from kernelkit import optimizers
        settings = self.compile_settings
        cls = getattr(optimizers, OPTIMIZERS[settings['optimizer']])
        return cls(lr=settings['lr']) if settings.get('lr') is not None else cls()

    def _compile(self, model):
        settings = self.compile_settings
        model.compile(optimizer=self._optimizer(), loss=settings['loss'], metrics=list(settings['metrics']))

    # ------------------------------------------------------------------------------------------ code
    def code(self, package='kernelkit'):
        """Returns Keras 2 code that builds (and compiles, when set) the same model.

        A plain stack is written with `Sequential().add(...)`, anything else with the functional API.
        Layer names are written out, so running the code gives the same model config.

        # Arguments
            package: the name to import from (`'kernelkit'`, or `'keras'` for code meant for Keras 2).

        # Returns
            The source code (a string) defining `model`.
        """
        imports_layers, imports_modules = set(), set()
        lines = []
        namespace_names = set(expression_namespace())
        modules = ('activations', 'backend', 'constraints', 'initializers', 'layers', 'losses', 'optimizers',
                   'regularizers')

        def note_names(value):
            for item in _iter_exprs(value):
                for identifier in _identifiers(item.code):
                    if identifier in modules:
                        imports_modules.add(identifier)
                    elif identifier == 'K':
                        imports_modules.add('K')
                    elif identifier in namespace_names and identifier not in ('keras', 'kernelkit'):
                        imports_layers.add(identifier)

        def call(node, extra=None):
            class_name = node['class_name']
            if node.get('config') is not None:
                config = dict(node['config'], name=node['name'])
                config.update(extra or {})
                if _takes_safe_mode(layer_class(class_name)):  # e.g. a Lambda stored as bytecode
                    imports_layers.add(class_name)
                    return '%s.from_config(%r, safe_mode=False)' % (class_name, config)
                imports_modules.add('layers')
                return 'layers.deserialize(%r)' % ({'class_name': class_name, 'config': config},)
            imports_layers.add(class_name)
            note_names(node['kwargs'])
            return '%s(%s)' % (class_name, _arguments(layer_class(class_name), node['kwargs'], extra,
                                                      node['name']))

        if self.uses_sequential():
            first = self.nodes[0]
            shape, batch_size, dtype, _sparse = self._input_arguments(first)
            lines.append('model = Sequential(name=%r)' % self.name)
            for position, node in enumerate(self.nodes[1:]):
                extra = {}
                if position == 0:
                    extra = ({'batch_input_shape': (batch_size,) + shape} if batch_size is not None
                             else {'input_shape': shape})
                    if dtype is not None:
                        extra['dtype'] = dtype
                lines.append('model.add(%s)' % call(node, extra))
            model_import = 'Sequential'
        else:
            variables = _variable_names(self.names())
            for node in self.nodes:
                name = node['name']
                if node['class_name'] == 'InputLayer':
                    imports_layers.add('Input')
                    shape, batch_size, dtype, sparse = self._input_arguments(node)
                    arguments = (['batch_shape=%r' % ((batch_size,) + shape,)] if batch_size is not None
                                 else ['shape=%r' % (shape,)])
                    if dtype is not None:
                        arguments.append('dtype=%r' % (dtype,))
                    if sparse:
                        arguments.append('sparse=True')
                    arguments.append('name=%r' % name)
                    lines.append('%s = Input(%s)' % (variables[name], ', '.join(arguments)))
                    continue
                inbound = [variables[source] for source in self.inbound_of(name)]
                cls = layer_class(node['class_name'])
                argument = ('[%s]' % ', '.join(inbound)) if is_merge_layer(cls) else ', '.join(inbound)
                lines.append('%s = %s(%s)' % (variables[name], call(node), argument))
            inputs = [variables[name] for name in self.input_names()]
            outputs = [variables[name] for name in self.output_names()]
            lines.append('model = Model(inputs=%s, outputs=%s, name=%r)'
                         % (_one_or_list(inputs), _one_or_list(outputs), self.name))
            model_import = 'Model'
        if self.compile_settings:
            settings = self.compile_settings
            if settings.get('lr') is not None:
                imports_modules.add('optimizers')
                optimizer = 'optimizers.%s(lr=%r)' % (OPTIMIZERS[settings['optimizer']], settings['lr'])
            else:
                optimizer = repr(settings['optimizer'])
            lines.append('model.compile(optimizer=%s, loss=%r, metrics=%r)'
                         % (optimizer, settings['loss'], list(settings['metrics'])))
        header = ['from %s.models import %s' % (package, model_import)]
        layer_imports = sorted(imports_layers - {'Input'})
        if 'Input' in imports_layers:
            layer_imports = ['Input'] + layer_imports
        if layer_imports:
            header.append(_wrapped_import('from %s.layers import ' % package, layer_imports))
        plain_modules = sorted(imports_modules - {'K'})
        if plain_modules:
            header.append('from %s import %s' % (package, ', '.join(plain_modules)))
        if 'K' in imports_modules:
            header.append('from %s import backend as K' % package)
        return '\n'.join(header) + '\n\n' + '\n'.join(lines) + '\n'

    # ------------------------------------------------------------------------------------ from_model
    @classmethod
    def from_model(cls, model):
        """Describes an existing `Sequential` or functional model as a graph.

        # Arguments
            model: a kernelkit model.

        # Returns
            A `ModelGraph` whose `build()` gives a model with the same config (layers are described
            by their non-default constructor arguments; `Lambda` layers and custom layers keep their
            full config).

        # Raises
            GraphError: for subclassed models, shared layers (one layer called several times) and layers
                with several outputs.
        """
        from kernelkit.engine.sequential import Sequential
        if isinstance(model, Sequential):
            return cls._from_sequential(model)
        if not getattr(model, '_is_graph_network', False):
            raise GraphError('Only Sequential and functional models can be loaded; a subclassed model has no '
                             'graph to edit.')
        return cls._from_functional(model)

    @classmethod
    def _from_sequential(cls, model):
        config = model.get_config()
        layer_configs = config['layers']
        if not layer_configs:
            raise GraphError('The Sequential model has no layers.')
        first = dict(layer_configs[0]['config'])
        batch_shape = first.get('batch_input_shape') or config.get('build_input_shape')
        if batch_shape is None:
            raise GraphError('The Sequential model has no input shape yet: build it (or give its first layer an '
                             '`input_shape`) before loading it.')
        graph = cls(name=config['name'], kind='sequential')
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

    @classmethod
    def _from_functional(cls, model):
        config = model.get_config()
        graph = cls(name=config['name'], kind='functional')
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


# ---------------------------------------------------------------------------------------------- helpers
def _same_value(a, b):
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same_value(x, y) for x, y in zip(a, b))
    if type(a) is bool or type(b) is bool:
        return type(a) is type(b) and a == b
    try:
        return bool(a == b)
    except Exception:
        return False


def _shape(shape):
    if isinstance(shape, list):
        return [tuple(s) for s in shape]
    return tuple(shape) if shape is not None else None


def _iter_exprs(value):
    if isinstance(value, Expr):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            for found in _iter_exprs(item):
                yield found
    elif isinstance(value, dict):
        for item in value.values():
            for found in _iter_exprs(item):
                yield found


def _identifiers(code):
    import ast
    try:
        tree = ast.parse(code, mode='eval')
    except SyntaxError:
        return set()
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def _arguments(cls, kwargs, extra, name):
    """Renders constructor arguments: required ones positionally, the others by keyword, then `name`."""
    positional, keywords, done = [], [], set()
    positional_ok = True
    for spec in layer_params(cls):
        if spec.name not in kwargs:
            positional_ok = positional_ok and not spec.required
            continue
        done.add(spec.name)
        value = kwargs[spec.name]
        text = format_value(value) if value is not None else 'None'
        if spec.required and positional_ok:
            positional.append(text)
        else:
            positional_ok = False
            keywords.append('%s=%s' % (spec.name, text))
    for key, value in kwargs.items():  # arguments outside the signature (base-layer keywords)
        if key not in done:
            keywords.append('%s=%s' % (key, format_value(value) if value is not None else 'None'))
    for key, value in (extra or {}).items():
        keywords.append('%s=%r' % (key, value))
    keywords.append('name=%r' % name)
    return ', '.join(positional + keywords)


def _variable_names(names):
    reserved = {'model', 'Model', 'Input', 'Sequential', 'layers', 'optimizers', 'K'}
    variables, used = {}, set()
    for name in names:
        variable = re.sub(r'\W', '_', name)
        if not variable or variable[0].isdigit():
            variable = '_' + variable
        if keyword.iskeyword(variable) or variable in reserved or variable[0].isupper():
            variable += '_'
        while variable in used:
            variable += '_'
        used.add(variable)
        variables[name] = variable
    return variables


def _one_or_list(items):
    return items[0] if len(items) == 1 else '[%s]' % ', '.join(items)


def _wrapped_import(prefix, names, width=110):
    line = prefix + ', '.join(names)
    if len(line) <= width:
        return line
    lines, current = [], prefix + '('
    for position, name in enumerate(names):
        piece = name + (', ' if position < len(names) - 1 else ')')
        if len(current) + len(piece) > width:
            lines.append(current.rstrip())
            current = ' ' * (len(prefix) + 1)
        current += piece
    lines.append(current)
    return '\n'.join(lines)


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
        if value['class_name'] in _registry():
            node = _node_from_config(value['class_name'], dict(value['config']), None)
            if node.get('config') is not None:
                raise GraphError('Nested layer %r cannot be written as arguments.' % value['class_name'])
            cls = layer_class(value['class_name'])
            return Expr('%s(%s)' % (cls.__name__, _arguments(cls, node['kwargs'], None, node['name'])))
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


def _takes_safe_mode(cls):
    try:
        return 'safe_mode' in inspect.signature(cls.from_config).parameters
    except (TypeError, ValueError):
        return False


def _layer_from_config(cls, config):
    """Recreates a layer from a config held by the graph (trusted: it came from a model in this process or
    from a description, which is code anyway)."""
    if _takes_safe_mode(cls):
        return cls.from_config(dict(config), safe_mode=False)
    from kernelkit import layers
    return layers.deserialize({'class_name': cls.__name__, 'config': dict(config)})


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


# ---------------------------------------------------------------------------------------------- diagram
def graph_svg(graph, result=None):
    """Draws the graph as SVG: one box per layer (name, class, output shape, parameters), arrows for the
    edges, and layers with an error filled in red with the start of the message.

    # Arguments
        graph: a `ModelGraph`.
        result: its `BuildResult` (default: `graph.build()`).

    # Returns
        The SVG text.
    """
    from kernelkit.utils.vis_utils import SVGGraph
    result = result if result is not None else graph.build()
    names = graph.names()
    boxes, edges = [], []
    for position, node in enumerate(graph.nodes):
        name = node['name']
        lines = ['%s: %s' % (name, node['class_name'])]
        if name in result.shapes:
            lines.append('output: %s' % (result.shapes[name],))
            lines.append('params: {:,}'.format(result.params.get(name, 0)))
        if name in result.errors:
            message = result.errors[name]
            lines.append('error: ' + (message[:60] + '...' if len(message) > 60 else message))
        boxes.append({'id': 'kk-node-%d' % position, 'lines': lines})
        for source in graph.inbound_of(name):
            if source in names:
                edges.append((names.index(source), position))
    if not boxes:
        return '<svg xmlns="http://www.w3.org/2000/svg" width="10pt" height="10pt"></svg>'
    svg = SVGGraph(boxes, edges, rankdir='TB').to_string()
    # Boxes are drawn in node order, each as a `<g class="node" ...>` group whose first rect is the box.
    pieces = svg.split('<g class="node"')
    for position, node in enumerate(graph.nodes):
        if node['name'] in result.errors and position + 1 < len(pieces):
            pieces[position + 1] = pieces[position + 1].replace('fill="white"', 'fill="#fdd" stroke-width="2"', 1)
    return '<g class="node"'.join(pieces)
