"""Drawing a model's layer graph: `model_to_dot` and `plot_model`.

With `pydot` and the Graphviz programs installed, the graph is laid out by Graphviz exactly as in
Keras 2 (record-shaped nodes `name: ClassName` with optional input/output shapes). Without them, a
built-in layered layout draws the same boxes and arrows as SVG, so `plot_model(model, 'model.svg')` works
in any notebook; PNG output needs Graphviz. In a notebook, `plot_model` returns an IPython display object,
so the drawing shows inline.
"""
import os
from xml.sax.saxutils import escape as _xml_escape

_RANKDIRS = ('TB', 'LR', 'BT', 'RL')


# ------------------------------------------------------------------------------------------ the graph

def _layer_label_parts(layer):
    name, class_name = layer.name, layer.__class__.__name__
    from kernelkit.layers.wrappers import Wrapper  # utils sits below the layers: imported on use
    if isinstance(layer, Wrapper):
        inner = layer.layer
        name = '%s(%s)' % (name, inner.name)
        class_name = '%s(%s)' % (class_name, inner.__class__.__name__)
    return name, class_name


def _shape_text(layer, attribute):
    from kernelkit.engine.input_layer import InputLayer
    if attribute == 'input_shape' and isinstance(layer, InputLayer):
        attribute = 'output_shape'  # an input layer's input is its output, as Keras 2 shows it
    try:
        return str(getattr(layer, attribute))
    except (AttributeError, ValueError, RuntimeError):
        return 'multiple'


def _model_graph(model):
    """Returns `(layers, edges)`: the layers to draw, in order, and `(from_index, to_index)` pairs."""
    if not hasattr(model, 'layers'):
        raise TypeError('`model` must be a Keras model (Sequential or functional); received %r.' % (model,))
    if getattr(model, '_is_graph_network', False):
        layers = list(getattr(model, '_layers', None) or model.layers)
        position = {id(layer): i for i, layer in enumerate(layers)}
        network_nodes = getattr(model, '_network_nodes', None)
        edges = []
        for index, layer in enumerate(layers):
            for node in layer._inbound_nodes:
                if network_nodes is not None and id(node) not in network_nodes:
                    continue
                for inbound in node.inbound_layers:
                    if id(inbound) in position and (position[id(inbound)], index) not in edges:
                        edges.append((position[id(inbound)], index))
        return layers, edges
    layers = list(model.layers)
    from kernelkit.engine.sequential import Sequential
    if isinstance(model, Sequential):  # not built yet: still a chain
        return layers, [(i, i + 1) for i in range(len(layers) - 1)]
    return layers, []


def _check_arguments(rankdir):
    if rankdir not in _RANKDIRS:
        raise ValueError("`rankdir` must be 'TB' (vertical) or 'LR' (horizontal); received %r." % (rankdir,))


def _check_pydot():
    """Checks that pydot and the Graphviz programs are installed, as Keras 2.2.4's `plot_model` did.

    # Raises
        ImportError: if pydot cannot be imported (naming pydot and Graphviz and how to install them).
        OSError: if pydot is installed but cannot run Graphviz (Keras 2.2.4's error for that case).
    """
    try:
        import pydot
    except ImportError:
        raise ImportError('Failed to import `pydot`. Please install `pydot` (`pip install pydot`) and the '
                          'Graphviz programs (https://www.graphviz.org/, e.g. `apt-get install graphviz`). '
                          'Without them kernelkit draws models as SVG only (`to_file="model.svg"`).')
    try:
        pydot.Dot.create(pydot.Dot())  # renders a blank graph: runs the Graphviz `dot` program
    except Exception as error:  # pydot raises OSError / FileNotFoundError / its own errors without Graphviz
        raise OSError('`pydot` failed to call GraphViz (%s). Please install GraphViz (https://www.graphviz.org/) '
                      'and ensure that its executables are in the $PATH.' % (error,))


def _graphviz_available():
    """Whether both pydot and the Graphviz programs can be used."""
    try:
        _check_pydot()
    except (ImportError, OSError):
        return False
    return True


def _pydot_graph(model, show_shapes, show_layer_names, rankdir):
    import pydot

    layers, edges = _model_graph(model)
    dot = pydot.Dot()
    dot.set('rankdir', rankdir)
    dot.set('concentrate', True)
    dot.set_node_defaults(shape='record')
    for layer in layers:
        name, class_name = _layer_label_parts(layer)
        label = '%s: %s' % (name, class_name) if show_layer_names else class_name
        if show_shapes:
            label = '%s\n|{input:|output:}|{{%s}|{%s}}' % (label, _shape_text(layer, 'input_shape'),
                                                          _shape_text(layer, 'output_shape'))
        dot.add_node(pydot.Node(str(id(layer)), label=label))
    for source, target in edges:
        dot.add_edge(pydot.Edge(str(id(layers[source])), str(id(layers[target]))))
    return dot


# ------------------------------------------------------------------------------ the built-in drawing

_FONT_SIZE = 13
_CHAR_WIDTH = 7.4
_LINE_HEIGHT = 18
_PAD_X, _PAD_Y = 12, 8
_GAP_RANK, _GAP_SIBLING = 46, 28


class SVGGraph(object):
    """A layer graph drawn without Graphviz: what `model_to_dot` returns when pydot or Graphviz is missing.

    It offers the parts of the `pydot.Dot` interface that Keras 2 code uses with `model_to_dot`
    (`create`, `create_svg`, `write`, `to_string`) and shows itself inline in notebooks.

    # Arguments
        boxes: list of dicts with the key `lines` (the text lines of each box).
        edges: list of `(from_index, to_index)` pairs into `boxes`.
        rankdir: `'TB'`, `'LR'`, `'BT'` or `'RL'`.
    """

    def __init__(self, boxes, edges, rankdir='TB'):
        self.boxes = boxes
        self.edges = edges
        self.rankdir = rankdir
        self._svg = None

    def _layout(self):
        count = len(self.boxes)
        rank = [0] * count
        incoming = {i: [] for i in range(count)}
        for source, target in self.edges:
            incoming[target].append(source)
        changed = True
        passes = 0
        while changed and passes <= count:  # longest path from the sources (edges follow layer order)
            changed, passes = False, passes + 1
            for target in range(count):
                for source in incoming[target]:
                    if rank[target] < rank[source] + 1:
                        rank[target], changed = rank[source] + 1, True
        outgoing = {i: [] for i in range(count)}
        for source, target in self.edges:
            outgoing[source].append(target)
        for index in range(count):  # sources sit just above their first consumer (short arrows)
            if not incoming[index] and outgoing[index]:
                rank[index] = max(rank[index], min(rank[t] for t in outgoing[index]) - 1)
        sizes = []
        for box in self.boxes:
            width = max(len(line) for line in box['lines']) * _CHAR_WIDTH + 2 * _PAD_X
            height = len(box['lines']) * _LINE_HEIGHT + 2 * _PAD_Y
            sizes.append((max(width, 60.0), float(height)))
        by_rank = {}
        for index in range(count):
            by_rank.setdefault(rank[index], []).append(index)
        vertical = self.rankdir in ('TB', 'BT')
        # Along a rank, boxes sit side by side; ranks follow each other along the main axis.
        rank_extent = {r: max((sizes[i][1] if vertical else sizes[i][0]) for i in members)
                       for r, members in by_rank.items()}
        rank_span = {r: sum((sizes[i][0] if vertical else sizes[i][1]) for i in members)
                     + _GAP_SIBLING * (len(members) - 1) for r, members in by_rank.items()}
        total_span = max(rank_span.values()) if rank_span else 0
        positions = [None] * count
        main = _GAP_RANK / 2.0
        for r in sorted(by_rank):
            cross = _GAP_SIBLING + (total_span - rank_span[r]) / 2.0
            for index in by_rank[r]:
                width, height = sizes[index]
                if vertical:
                    positions[index] = (cross, main + (rank_extent[r] - height) / 2.0)
                    cross += width + _GAP_SIBLING
                else:
                    positions[index] = (main + (rank_extent[r] - width) / 2.0, cross)
                    cross += height + _GAP_SIBLING
            main += rank_extent[r] + _GAP_RANK
        main_total = main - _GAP_RANK / 2.0
        cross_total = total_span + 2 * _GAP_SIBLING
        width, height = (cross_total, main_total) if vertical else (main_total, cross_total)
        if self.rankdir in ('BT', 'RL'):  # mirror along the main axis
            for index, (x, y) in enumerate(positions):
                w, h = sizes[index]
                positions[index] = (x, height - y - h) if vertical else (width - x - w, y)
        return positions, sizes, max(width, 1.0), max(height, 1.0)

    def create_svg(self):
        """Returns the drawing as SVG bytes (UTF-8)."""
        if self._svg is None:
            self._svg = self._render().encode('utf-8')
        return self._svg

    def create(self, prog=None, format='svg', **kwargs):
        """Returns the drawing in `format`; only `'svg'` is available without Graphviz.

        # Arguments
            prog: ignored (kept for pydot compatibility).
            format: `'svg'`.
            **kwargs: ignored.

        # Returns
            The SVG bytes.

        # Raises
            ValueError: for any other format.
        """
        if format != 'svg':
            raise ValueError(_format_error(format))
        return self.create_svg()

    def to_string(self):
        """Returns the SVG text."""
        return self.create_svg().decode('utf-8')

    def write(self, path, prog=None, format='svg', **kwargs):
        """Writes the drawing to `path`.

        # Arguments
            path: output file path.
            prog: ignored (kept for pydot compatibility).
            format: `'svg'` (`'raw'` is accepted as a synonym).
            **kwargs: ignored.

        # Returns
            `True`.

        # Raises
            ValueError: for formats other than SVG.
        """
        if format not in ('svg', 'raw'):
            raise ValueError(_format_error(format))
        with open(path, 'wb') as handle:
            handle.write(self.create_svg())
        return True

    def _repr_svg_(self):
        return self.to_string()

    def _render(self):
        positions, sizes, width, height = self._layout()
        vertical = self.rankdir in ('TB', 'BT')
        out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%dpt" height="%dpt" viewBox="0 0 %.1f %.1f">'
               % (round(width), round(height), width, height),
               '<defs><marker id="kk-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" '
               'markerHeight="8" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="black"/>'
               '</marker></defs>',
               '<g font-family="Helvetica, Arial, sans-serif" font-size="%d">' % _FONT_SIZE]
        for source, target in self.edges:
            (sx, sy), (sw, sh) = positions[source], sizes[source]
            (tx, ty), (tw, th) = positions[target], sizes[target]
            if vertical:
                down = ty >= sy
                x1, y1 = sx + sw / 2.0, (sy + sh) if down else sy
                x2, y2 = tx + tw / 2.0, ty if down else (ty + th)
            else:
                right = tx >= sx
                x1, y1 = (sx + sw) if right else sx, sy + sh / 2.0
                x2, y2 = tx if right else (tx + tw), ty + th / 2.0
            out.append('<line class="edge" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="black" '
                       'stroke-width="1" marker-end="url(#kk-arrow)"/>' % (x1, y1, x2, y2))
        for index, box in enumerate(self.boxes):
            (x, y), (w, h) = positions[index], sizes[index]
            out.append('<g class="node" id="node%d">' % index)
            out.append('<title>%s</title>' % _xml_escape(box['lines'][0]))
            out.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="white" stroke="black"/>'
                       % (x, y, w, h))
            for line_index, line in enumerate(box['lines']):
                baseline = y + _PAD_Y + _LINE_HEIGHT * line_index + _FONT_SIZE
                if line_index == 1:
                    out.append('<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="black"/>'
                               % (x, baseline - _FONT_SIZE - 2, x + w, baseline - _FONT_SIZE - 2))
                out.append('<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>'
                           % (x + w / 2.0, baseline, _xml_escape(line)))
            out.append('</g>')
        out.append('</g></svg>')
        return '\n'.join(out)


def _format_error(format):
    return ('Writing the model graph as %r needs pydot and Graphviz (`pip install pydot` and the Graphviz '
            'programs, e.g. `apt-get install graphviz`), which are not both available. Without them only SVG '
            'is supported: use a file name ending in ".svg", e.g. `plot_model(model, to_file="model.svg")`.'
            % (format,))


def _builtin_graph(model, show_shapes, show_layer_names, rankdir):
    layers, edges = _model_graph(model)
    boxes = []
    for layer in layers:
        name, class_name = _layer_label_parts(layer)
        lines = ['%s: %s' % (name, class_name) if show_layer_names else class_name]
        if show_shapes:
            lines.append('input: %s' % _shape_text(layer, 'input_shape'))
            lines.append('output: %s' % _shape_text(layer, 'output_shape'))
        boxes.append({'lines': lines})
    return SVGGraph(boxes, edges, rankdir=rankdir)


# ------------------------------------------------------------------------------------------ public API

def model_to_dot(model, show_shapes=False, show_layer_names=True, rankdir='TB'):
    """Converts a Keras model to dot format (or to a built-in SVG drawing without Graphviz).

    # Arguments
        model: a Keras model instance.
        show_shapes: whether to display shape information.
        show_layer_names: whether to display layer names.
        rankdir: `rankdir` argument passed to PyDot, a string specifying the format of the plot:
            `'TB'` creates a vertical plot; `'LR'` creates a horizontal plot.

    # Returns
        A `pydot.Dot` instance representing the Keras model when pydot and Graphviz are installed,
        otherwise an `SVGGraph` with the same boxes and arrows.

    # Raises
        ValueError: for an unknown `rankdir`.
        TypeError: if `model` is not a model.
    """
    _check_arguments(rankdir)
    if _graphviz_available():
        return _pydot_graph(model, show_shapes, show_layer_names, rankdir)
    return _builtin_graph(model, show_shapes, show_layer_names, rankdir)


def plot_model(model, to_file='model.png', show_shapes=False, show_layer_names=True, rankdir='TB'):
    """Converts a Keras model to an image file, and returns it for display in a notebook.

    Any format Graphviz writes (png, svg, pdf, ...) is available when pydot and Graphviz are installed.
    Without them the built-in drawing is used and only `.svg` files can be written.

    # Arguments
        model: a Keras model instance.
        to_file: file name of the plot image; its extension picks the format (default `'model.png'`).
        show_shapes: whether to display shape information.
        show_layer_names: whether to display layer names.
        rankdir: `'TB'` for a vertical plot, `'LR'` for a horizontal plot.

    # Returns
        When IPython is importable, an `IPython.display.SVG` (for SVG files) or `IPython.display.Image`
        object that shows the plot inline in a notebook; otherwise `None`.

    # Raises
        ValueError: for an unknown `rankdir`, or a format other than SVG when Graphviz is not available.
        TypeError: if `model` is not a model.
    """
    _check_arguments(rankdir)
    extension = os.path.splitext(str(to_file))[1][1:].lower() or 'png'
    dot = model_to_dot(model, show_shapes=show_shapes, show_layer_names=show_layer_names, rankdir=rankdir)
    if isinstance(dot, SVGGraph) and extension != 'svg':
        raise ValueError(_format_error(extension))
    dot.write(to_file, format=extension)
    try:
        from IPython import display
    except ImportError:
        return None
    if extension == 'svg':
        with open(to_file, 'rb') as handle:
            return display.SVG(handle.read())
    if extension in ('png', 'jpg', 'jpeg', 'gif'):
        return display.Image(filename=to_file)
    return None
