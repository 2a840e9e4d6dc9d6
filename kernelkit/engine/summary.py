"""`model.summary()`: the Keras 2 table of layers, output shapes and parameter counts."""
import numpy as np

from kernelkit.engine import hints


def _is_sequential_like(model):
    """Whether a model prints the short table (no "Connected to" column), by Keras 2's rule.

    Sequential and subclassed models always do. A graph model does when every depth of its graph holds a
    single node with at most one inbound layer, and no layer is called twice in it.
    """
    from kernelkit.engine.sequential import Sequential
    if isinstance(model, Sequential) or not getattr(model, '_is_graph_network', False):
        return True
    for nodes in model._nodes_by_depth.values():
        if len(nodes) > 1 or (nodes and len(nodes[0].inbound_layers) > 1):
            return False
    for layer in model.layers:
        if sum(1 for node in layer._inbound_nodes if id(node) in model._network_nodes) > 1:
            return False
    return True


def _format_row(fields, positions):
    line = ''
    for index, field in enumerate(fields):
        if index > 0:
            line = line[:-1] + ' '
        line = (line + str(field))[:positions[index]]
        line += ' ' * (positions[index] - len(line))
    return line


def _output_shape(layer):
    try:
        return layer.output_shape
    except (AttributeError, ValueError):
        return 'multiple'


def _listed_operations(model):
    """The rows of the table: the layers, and in a graph model also its recorded backend ops (shown
    with their function, e.g. `mean_1 (K.mean)`), in graph order."""
    from kernelkit.engine.sequential import Sequential
    if isinstance(model, Sequential) or not getattr(model, '_is_graph_network', False):
        return model.layers
    return list(model._operations)


def _count(weights):
    return int(sum(np.prod(w.shape.as_list(), dtype=np.int64) for w in weights))


def print_summary(model, line_length=None, positions=None, print_fn=None):
    """Prints the summary table of a model.

    # Arguments
        model: a `Model` or `Sequential`.
        line_length: total width (65 for sequential-like models, 98 otherwise).
        positions: right edges of the columns, as fractions of the width or as absolute columns.
        print_fn: function called with each line (default `print`).

    # Raises
        ValueError: if the model has not been built yet.
    """
    print_fn = print_fn or print
    if not model.built:
        raise ValueError(hints.with_hint(
            'This model has not yet been built. Build the model first by calling `build()` or calling `fit()` '
            'with some data, or specify an `input_shape` argument in the first layer(s) for automatic build.',
            hints.UNBUILT_SUMMARY))
    sequential_like = _is_sequential_like(model)
    if sequential_like:
        line_length = line_length or 65
        positions = positions or [.45, .85, 1.]
        headers = ['Layer (type)', 'Output Shape', 'Param #']
    else:
        line_length = line_length or 98
        positions = positions or [.33, .55, .67, 1.]
        headers = ['Layer (type)', 'Output Shape', 'Param #', 'Connected to']
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]

    print_fn('_' * line_length)
    print_fn(_format_row(headers, positions))
    print_fn('=' * line_length)
    layers = _listed_operations(model)
    for index, layer in enumerate(layers):
        described = '%s (%s)' % (layer.name, getattr(layer, 'display', layer.__class__.__name__))
        params = layer.count_params() if layer.built else 0
        if sequential_like:
            print_fn(_format_row([described, _output_shape(layer), params], positions))
        else:
            connections = []
            for node in layer._inbound_nodes:
                if id(node) not in model._network_nodes:
                    continue
                connections += ['%s[%d][%d]' % (inbound.name, node_index, tensor_index)
                                for inbound, node_index, tensor_index in
                                zip(node.inbound_layers, node.node_indices, node.tensor_indices)]
            first = connections[0] if connections else ''
            print_fn(_format_row([described, _output_shape(layer), params, first], positions))
            for connection in connections[1:]:
                print_fn(_format_row(['', '', '', connection], positions))
        print_fn(('=' if index == len(layers) - 1 else '_') * line_length)

    if hasattr(model, '_check_trainable_consistency'):
        model._check_trainable_consistency()
    collected = getattr(model, '_collected_trainable_weights', None)  # what `compile` saw, as in Keras 2
    trainable = _count(collected if collected is not None else model.trainable_weights)
    non_trainable = _count(model.non_trainable_weights)
    print_fn('Total params: {:,}'.format(trainable + non_trainable))
    print_fn('Trainable params: {:,}'.format(trainable))
    print_fn('Non-trainable params: {:,}'.format(non_trainable))
    print_fn('_' * line_length)
