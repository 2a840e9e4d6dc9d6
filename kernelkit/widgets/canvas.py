"""The graph canvas of `ModelBuilder`: layers as nodes, edges with their tensor shapes, wiring by dragging.

The canvas is an anywidget (`static/canvas.js`, plain ES module, SVG): it works in JupyterLab 4, Notebook 7
and VS Code with no separate install. Everything it shows is computed here, in Python, from the same
`ModelGraph` the forms edit:

- `layout(names, edges)`: the automatic top-down layout (a pure function): layers by longest path from
  the inputs, order within a layer by barycenter (fewer crossings), then x/y positions.
- `canvas_model(graph, result, selected)`: the plain dict the widget syncs as its `graph` trait (nodes
  with label, error and position; edges with the shape of the tensor they carry).
- `connect_nodes(graph, source, target)` / `disconnect_nodes(graph, source, target)`: the two wiring
  edits (`ModelBuilder.connect` / `ModelBuilder.disconnect` apply them through the builder).
- `make_canvas(builder)`: the widget. Its JS sends commands (`connect`, `disconnect`, `select`,
  `remove`), which `handle_command` runs through the builder's methods; the builder sends the new
  picture back after every edit, whether it came from the canvas or from the forms.

anywidget is imported only when a canvas is made, never by `import kernelkit`.
"""
import os

from kernelkit.widgets.graph import GraphError, layer_class
from kernelkit.widgets.params import is_merge_layer

NODE_WIDTH = 210
NODE_HEIGHT = 54
GAP_X = 40
GAP_Y = 62
MARGIN = 20
LABEL_LIMIT = 28
ERROR_LIMIT = 32

_STATIC = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'static')
# Constructor arguments worth showing on a node, in this order (at most three of them).
_LABEL_KEYS = ('units', 'filters', 'kernel_size', 'strides', 'pool_size', 'size', 'rate', 'target_shape',
               'dims', 'n', 'axis', 'activation', 'shape', 'input_dim', 'output_dim', 'cropping', 'padding')


# ---------------------------------------------------------------------------------------------- layout
def _layers_by_longest_path(names, predecessors):
    """Layer of every node: 0 for nodes nobody feeds, else 1 + the largest layer of its inputs. Edges
    closing a cycle (an invalid graph the user is still editing) are ignored, so every node gets a layer."""
    position = {name: index for index, name in enumerate(names)}
    pending = {name: set(predecessors[name]) for name in names}
    layer = {}
    remaining = list(names)
    while remaining:
        ready = [name for name in remaining if not pending[name]]
        if not ready:  # a cycle: break it at the earliest node left
            ready = [min(remaining, key=position.get)]
        for name in ready:
            placed = [layer[source] for source in predecessors[name] if source in layer]
            layer[name] = 1 + max(placed) if placed else 0
            remaining.remove(name)
        for name in remaining:
            pending[name] -= set(ready)
    return layer


def _order_by_barycenter(names, predecessors, successors, layer, sweeps=4):
    """Orders the nodes of each layer by the mean place of their neighbours in the layers above (down
    sweeps) and below (up sweeps); ties keep the graph order. Returns `{layer: [names]}`."""
    rows = {}
    for name in names:
        rows.setdefault(layer[name], []).append(name)
    depth = max(rows) if rows else -1

    def place():
        return {name: (index - (len(row) - 1) / 2.) for row in rows.values() for index, name in enumerate(row)}

    for sweep in range(sweeps):
        downward = sweep % 2 == 0
        levels = range(1, depth + 1) if downward else range(depth - 1, -1, -1)
        for level in levels:
            where = place()
            row = rows[level]
            current = {name: index for index, name in enumerate(row)}

            def key(name):
                neighbours = predecessors[name] if downward else successors[name]
                neighbours = [other for other in neighbours if other in where and layer[other] != level]
                if not neighbours:
                    return (where[name], current[name])
                return (sum(where[other] for other in neighbours) / float(len(neighbours)), current[name])
            rows[level] = sorted(row, key=key)
    return rows


def layout(names, edges, node_width=NODE_WIDTH, node_height=NODE_HEIGHT, gap_x=GAP_X, gap_y=GAP_Y,
           margin=MARGIN):
    """The automatic top-down layout of a graph.

    # Arguments
        names: the node names, in graph order (ties in the ordering keep this order).
        edges: `(source, target)` pairs; pairs naming an unknown node are ignored.
        node_width, node_height: size of a node box, in pixels.
        gap_x, gap_y: space between boxes of a layer, and between layers.
        margin: space around the drawing.

    # Returns
        A dict: `positions` (`{name: {'x', 'y', 'layer', 'order'}}`, x/y the top-left corner of the box),
        `width` and `height` of the drawing.

    # Raises
        ValueError: if `names` holds a name twice.
    """
    names = list(names)
    if len(set(names)) != len(names):
        raise ValueError('layout: `names` must be unique; received %r.' % (names,))
    known = set(names)
    predecessors = {name: [] for name in names}
    successors = {name: [] for name in names}
    for source, target in edges:
        if source in known and target in known and source != target and source not in predecessors[target]:
            predecessors[target].append(source)
            successors[source].append(target)
    layer = _layers_by_longest_path(names, predecessors)
    rows = _order_by_barycenter(names, predecessors, successors, layer)
    widest = max([len(row) for row in rows.values()] or [0])
    full = widest * node_width + max(widest - 1, 0) * gap_x
    positions = {}
    for level, row in rows.items():
        span = len(row) * node_width + (len(row) - 1) * gap_x
        left = margin + (full - span) / 2.
        for order, name in enumerate(row):
            positions[name] = {'x': left + order * (node_width + gap_x), 'y': margin + level * (node_height + gap_y),
                               'layer': level, 'order': order}
    levels = (max(rows) + 1) if rows else 0
    height = levels * node_height + max(levels - 1, 0) * gap_y
    return {'positions': positions, 'width': full + 2 * margin, 'height': height + 2 * margin}


# ------------------------------------------------------------------------------------------ the model
def _short(text, limit):
    return text if len(text) <= limit else text[:limit - 1] + '\u2026'


def _value_text(value):
    if isinstance(value, str):
        return value
    if isinstance(value, tuple) and len(set(value)) == 1 and len(value) > 1 and isinstance(value[0], int):
        return '%s' % (value,)
    return repr(value) if not callable(value) else getattr(value, '__name__', type(value).__name__)


def node_label(node):
    """A short label for a node: its class and up to three telling arguments, e.g. `Dense(64, relu)`.

    # Arguments
        node: a node dict of a `ModelGraph`.

    # Returns
        The label (at most `LABEL_LIMIT` characters).
    """
    kwargs = node.get('kwargs') or {}
    shown = [_value_text(kwargs[key]) for key in _LABEL_KEYS if key in kwargs and kwargs[key] is not None][:3]
    label = node['class_name'] + ('(%s)' % ', '.join(shown) if shown else '')
    return _short(label, LABEL_LIMIT)


def shape_text(shape):
    """The text of a tensor shape on an edge: `(None, 64)`, or `?` when it is not known."""
    if shape is None:
        return '?'
    return '(%s)' % ', '.join('None' if dim is None else str(dim) for dim in shape)


def canvas_model(graph, result, selected=None):
    """The picture of a graph, as the plain dict the canvas widget syncs.

    # Arguments
        graph: a `ModelGraph`.
        result: its `BuildResult` (shapes and errors).
        selected: the selected node name, or None.

    # Returns
        `{'nodes': [...], 'edges': [...], 'width', 'height', 'node_width', 'node_height', 'message'}`.
        A node has `name`, `class_name`, `label`, `error` (text or None), `short_error`, `selected`,
        `shape` (its output shape text), `params`, `is_input`, `is_output`, `x`, `y`, `layer`, `order`.
        An edge has `source`, `target`, `shape` (the source's output shape text) and `index` (its place
        among the target's inputs). `message` is a graph-wide error (None when there is none).
    """
    names = graph.names()
    edges = []
    for name in names:
        inbound = graph.inbound_of(name)
        for index, source in enumerate(inbound):
            if source in names:
                edges.append({'source': source, 'target': name, 'index': index, 'count': len(inbound),
                              'shape': shape_text(result.shapes.get(source))})
    placed = layout(names, [(edge['source'], edge['target']) for edge in edges])
    outputs = set(graph.output_names())
    nodes = []
    for node in graph.nodes:
        name = node['name']
        error = result.errors.get(name)
        position = placed['positions'][name]
        nodes.append({'name': name, 'class_name': node['class_name'], 'label': node_label(node),
                      'error': error, 'short_error': _short(error, ERROR_LIMIT) if error else None,
                      'selected': name == selected, 'shape': shape_text(result.shapes.get(name)),
                      'params': result.params.get(name), 'is_input': node['class_name'] == 'InputLayer',
                      'is_output': name in outputs, 'x': position['x'], 'y': position['y'],
                      'layer': position['layer'], 'order': position['order']})
    return {'nodes': nodes, 'edges': edges, 'width': placed['width'], 'height': placed['height'],
            'node_width': NODE_WIDTH, 'node_height': NODE_HEIGHT, 'message': result.errors.get(None)}


# ------------------------------------------------------------------------------------------- wiring
def _descendants(graph, name):
    seen, stack = set(), [name]
    while stack:
        for consumer in graph.consumers_of(stack.pop()):
            if consumer not in seen:
                seen.add(consumer)
                stack.append(consumer)
    return seen


def _sort_topologically(graph):
    """Puts every layer after its inputs, keeping the order otherwise; pins `inbound=None` edges first so
    that moving layers does not rewire them."""
    for node in graph.nodes:
        if node['class_name'] != 'InputLayer' and node['inbound'] is None:
            node['inbound'] = graph.inbound_of(node['name'])
    order = {node['name']: index for index, node in enumerate(graph.nodes)}
    by_name = {node['name']: node for node in graph.nodes}
    done, result = set(), []
    remaining = list(graph.nodes)
    while remaining:
        for node in remaining:
            if all(source in done or source not in order for source in node['inbound'] or ()):
                break
        else:
            node = min(remaining, key=lambda item: order[item['name']])
        remaining.remove(node)
        done.add(node['name'])
        result.append(by_name[node['name']])
    graph.nodes[:] = result


def connect_nodes(graph, source, target):
    """Feeds the output of `source` into `target` (what a drag between two canvas nodes does).

    A merge layer (`Add`, `Concatenate`, ...) gains `source` as one more input. Any other layer takes one
    input, so `source` replaces the input it had: dropping a wire on a `Dense` rewires that `Dense`, as
    in other graph editors, instead of leaving it with two inputs and an error. `source` may already feed
    other layers (a branch). If `source` comes after `target`, layers are reordered so that every layer
    comes after its inputs.

    # Arguments
        graph: a `ModelGraph` (changed in place).
        source: name of the layer whose output is used.
        target: name of the layer that takes it as an input.

    # Returns
        The names of the inputs `target` no longer takes (empty for a merge layer or a layer that had
        no input).

    # Raises
        GraphError: for an unknown name, an input as the target, a layer connected to itself, an edge
            that is already there or one that would close a cycle.
    """
    graph.index(source)
    graph.index(target)
    if source == target:
        raise GraphError('A layer cannot take its own output as input (%r).' % (source,), node=target)
    if graph.node(target)['class_name'] == 'InputLayer':
        raise GraphError('%r is an InputLayer: it takes no input.' % (target,), node=target)
    inbound = graph.inbound_of(target)
    if source in inbound:
        raise GraphError('%r already takes input from %r.' % (target, source), node=target)
    if source in _descendants(graph, target):
        raise GraphError('Connecting %r to %r would make a cycle (%r already feeds %r).'
                         % (source, target, target, source), node=target)
    if is_merge_layer(layer_class(graph.node(target)['class_name'])):
        replaced, new_inbound = [], inbound + [source]
    else:
        replaced, new_inbound = inbound, [source]
    graph.set_inbound(target, new_inbound)
    if graph.index(source) > graph.index(target):
        _sort_topologically(graph)
    return replaced


def disconnect_nodes(graph, source, target):
    """Removes `source` from the inputs of `target` (a layer left with no input shows an error until it
    is connected again).

    # Arguments
        graph: a `ModelGraph` (changed in place).
        source: name of the input to remove.
        target: name of the layer.

    # Raises
        GraphError: for an unknown name, or when `target` does not take input from `source`.
    """
    graph.index(source)
    inbound = graph.inbound_of(target)
    if source not in inbound:
        raise GraphError('%r does not take input from %r.' % (target, source), node=target)
    graph.set_inbound(target, [name for name in inbound if name != source])


# ------------------------------------------------------------------------------------------- widget
def _read_static(name):
    with open(os.path.join(_STATIC, name)) as handle:
        return handle.read()


_CANVAS_CLASS = None


def canvas_class():
    """The canvas widget class (an `anywidget.AnyWidget`), made on first use.

    # Returns
        The class `GraphCanvas`.

    # Raises
        ImportError: when anywidget is not installed (`pip install kernelkit[lab]` installs it).
    """
    global _CANVAS_CLASS
    if _CANVAS_CLASS is not None:
        return _CANVAS_CLASS
    try:
        import anywidget
        import traitlets
    except ImportError as error:
        raise ImportError('The builder canvas needs anywidget (pip install anywidget, or kernelkit[lab]): %s'
                          % error)

    class GraphCanvas(anywidget.AnyWidget):
        """The graph canvas: an SVG picture of `graph` (see `canvas_model`), edited by dragging.

        # Traits
            graph: the picture (synced to the browser).
            status: the outcome of the last command ('' when it worked).

        # Commands (messages from the browser, or `handle_command` from Python)
            `{'type': 'connect', 'source', 'target'}`, `{'type': 'disconnect', 'source', 'target'}`,
            `{'type': 'select', 'name'}`, `{'type': 'remove', 'name'}`.
        """
        _esm = traitlets.Unicode(_read_static('canvas.js')).tag(sync=True)
        _css = traitlets.Unicode(_read_static('canvas.css')).tag(sync=True)
        graph = traitlets.Dict({}).tag(sync=True)
        status = traitlets.Unicode('').tag(sync=True)

        def __init__(self, builder=None, **kwargs):
            super(GraphCanvas, self).__init__(**kwargs)
            self.builder = builder
            self.on_msg(lambda _widget, content, _buffers: self.handle_command(content))

        def handle_command(self, content):
            """Runs one command from the browser through the builder.

            # Arguments
                content: the message dict (`type` and its arguments).

            # Returns
                True when the edit was made; False when it was refused (the reason is in `status`).
            """
            builder = self.builder
            kind = content.get('type') if isinstance(content, dict) else None
            actions = {
                'connect': lambda: builder.connect(content['source'], content['target']),
                'disconnect': lambda: builder.disconnect(content['source'], content['target']),
                'select': lambda: builder.select(content['name']),
                'remove': lambda: builder.remove(content['name']),
            }
            if builder is None or kind not in actions:
                self.status = 'Unknown canvas command %r (expected one of %s).' % (kind, sorted(actions))
                return False
            try:
                actions[kind]()
            except KeyError as error:
                self.status = 'The %r command needs %s.' % (kind, error)
                return False
            except GraphError as error:
                self.status = 'Not done: %s' % error
                return False
            self.status = ''
            return True

    _CANVAS_CLASS = GraphCanvas
    return GraphCanvas


def make_canvas(builder):
    """A canvas widget for a `ModelBuilder` (its commands go through the builder's methods).

    # Arguments
        builder: the `ModelBuilder`.

    # Returns
        The `GraphCanvas` widget.

    # Raises
        ImportError: when anywidget is not installed.
    """
    canvas = canvas_class()(builder=builder)
    canvas.layout.width = '100%'
    return canvas
