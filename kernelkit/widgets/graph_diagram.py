"""The static diagram of a `ModelGraph`: `graph_svg(graph)`, one SVG box per layer and an arrow per edge.

The builder's `svg()` returns this picture; the boxes carry what `build()` found (output shapes, parameter
counts, and errors, in red). It is apart from the graph because it is drawing only: it reads a graph and
a `BuildResult` and changes neither.

No widget library is needed here.
"""


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
