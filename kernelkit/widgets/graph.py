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

This module holds the description and its edits. What is derived from it lives beside it, each in its
own module: `graph_build.py` (the model), `graph_code.py` (the code), `graph_import.py` (`from_model`)
and `graph_diagram.py` (the SVG picture); the error type and the layer lookup are in `graph_common.py`.
`BuildResult`, `GraphError`, `graph_svg` and `layer_class` are importable from here as before.

No widget library is needed here.
"""
import copy

from kernelkit.widgets.graph_build import BuildResult, build_model, make_layer
from kernelkit.widgets.graph_code import model_code
from kernelkit.widgets.graph_common import GraphError, layer_class
from kernelkit.widgets.graph_diagram import graph_svg
from kernelkit.widgets.graph_import import graph_from_model
from kernelkit.widgets.params import OPTIMIZERS, Expr, initial_kwargs, is_merge_layer, layer_params

__all__ = ['BuildResult', 'GraphError', 'ModelGraph', 'graph_svg', 'layer_class']


_KINDS = ('auto', 'sequential', 'functional')


def _snake(name):
    from kernelkit.engine.base_layer import to_snake_case
    return to_snake_case(name)


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

        # Arguments
            node: one of this graph's node dicts.
            namespace: the names `Expr` arguments are evaluated in (default: `expression_namespace()`).
            extra: constructor arguments added to the node's own.

        # Returns
            The layer (not called yet).

        # Raises
            GraphError: with the node's name, if the arguments are refused.
        """
        return make_layer(node, namespace, extra)

    def build(self):
        """Derives the model from the description (see `graph_build.py`).

        # Returns
            A `BuildResult`: the model (or None), each layer's output shape and parameter count, and
            the errors by layer name. Building stops at the first layer that fails.
        """
        return build_model(self)

    # ------------------------------------------------------------------------------------------ code
    def code(self, package='kernelkit'):
        """Returns Keras 2 code that builds (and compiles, when set) the same model (see `graph_code.py`).

        A plain stack is written with `Sequential().add(...)`, anything else with the functional API.
        Layer names are written out, so running the code gives the same model config.

        # Arguments
            package: the name to import from (`'kernelkit'`, or `'keras'` for code meant for Keras 2).

        # Returns
            The source code (a string) defining `model`.
        """
        return model_code(self, package)

    # ------------------------------------------------------------------------------------ from_model
    @classmethod
    def from_model(cls, model):
        """Describes an existing `Sequential` or functional model as a graph (see `graph_import.py`).

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
        return graph_from_model(cls, model)


def _same_value(a, b):
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same_value(x, y) for x, y in zip(a, b))
    if type(a) is bool or type(b) is bool:
        return type(a) is type(b) and a == b
    try:
        return bool(a == b)
    except Exception:
        return False

