"""Layer and model helpers of Keras 2.2.4 (`keras.utils.layer_utils`): parameter counts, the summary table,
kernel conversion between backends and data formats, and the source inputs of a tensor.

The engine imports `kernelkit.utils`, so the engine modules used here are imported inside the functions.
"""
import numpy as np

from kernelkit import backend as K  # noqa: F401  (Keras 2.2.4's layer_utils carried `K`)
from kernelkit.utils.conv_utils import convert_kernel

# The layers whose kernel `convert_all_kernels_in_model` flips (Keras 2.2.4's list; separable and depthwise
# convolutions existed only on TensorFlow, so they never needed it).
_CONV_CLASSES = ('Conv1D', 'Conv2D', 'Conv3D', 'Conv2DTranspose')


def count_params(weights):
    """Counts the total number of scalars in a list of weights, each weight counted once.

    # Arguments
        weights: a list of variables or tensors (the same variable listed twice counts once).

    # Returns
        The total number of scalars, as an int.

    # Raises
        ValueError: if a weight has a shape that is not fully known.
    """
    unique = {id(w): w for w in weights}
    total = 0
    for weight in unique.values():
        shape = tuple(getattr(weight, 'shape', np.shape(weight)))
        if any(d is None for d in shape):
            raise ValueError('count_params: the weight %r has the shape %s, which is not fully known.'
                             % (getattr(weight, 'name', weight), shape))
        total += int(np.prod(shape, dtype=np.int64))
    return total


def print_summary(model, line_length=None, positions=None, print_fn=None):
    """Prints a summary of a model: its layers, their output shapes and parameter counts.

    # Arguments
        model: a Keras model instance (built).
        line_length: total length of the printed lines (e.g. set this to adapt the display to different
            terminal window sizes).
        positions: relative or absolute positions of the log elements in each line. If not provided,
            defaults to `[.33, .55, .67, 1.]` (graph models) or `[.45, .85, 1.]` (sequential-like ones).
        print_fn: print function to use (default `print`); it is called on each line of the summary.

    # Raises
        ValueError: if the model has not been built yet.
    """
    from kernelkit.engine.summary import print_summary as engine_print_summary
    return engine_print_summary(model, line_length=line_length, positions=positions, print_fn=print_fn)


def convert_all_kernels_in_model(model):
    """Converts all convolution kernels in a model from Theano to TensorFlow, or back.

    Flips every spatial axis of the kernels of the `Conv1D`, `Conv2D`, `Conv3D` and `Conv2DTranspose`
    layers of `model.layers` (in place). Calling it twice restores the kernels.

    # Arguments
        model: the Keras model (or anything with a `layers` list) to convert.
    """
    assignments = []
    for layer in model.layers:
        if layer.__class__.__name__ in _CONV_CLASSES and getattr(layer, 'kernel', None) is not None:
            assignments.append((layer.kernel, convert_kernel(K.get_value(layer.kernel))))
    if assignments:
        K.batch_set_value(assignments)


def convert_dense_weights_data_format(dense, previous_feature_map_shape, target_data_format='channels_first'):
    """Reorders the rows of a `Dense` kernel that follows a `Flatten`, when the data format changes.

    The rows of such a kernel follow the flattened order of the feature map before the `Flatten`; after
    switching the model between `'channels_last'` and `'channels_first'` they must be permuted for the
    model to compute the same thing.

    # Arguments
        dense: the target `Dense` layer (built, with a bias).
        previous_feature_map_shape: the shape of the feature map before `Flatten`, without the batch
            dimension and in the *target* data format, e.g. `(512, 7, 7)` for `'channels_first'`.
        target_data_format: `'channels_first'` (the kernel was trained channels-last) or
            `'channels_last'` (the kernel was trained channels-first).

    # Raises
        ValueError: for another `target_data_format`, a feature map that is not 3-D, or one whose size is not
            the number of rows of the kernel.
    """
    if target_data_format not in ('channels_first', 'channels_last'):
        raise ValueError('convert_dense_weights_data_format: `target_data_format` must be "channels_first" or '
                         '"channels_last"; received %r.' % (target_data_format,))
    shape = tuple(previous_feature_map_shape)
    if len(shape) != 3:
        raise ValueError('convert_dense_weights_data_format: `previous_feature_map_shape` must be 3-D '
                         '(without the batch dimension); received %r.' % (previous_feature_map_shape,))
    weights = dense.get_weights()
    kernel, rest = weights[0], weights[1:]
    units = kernel.shape[1]
    if int(np.prod(shape)) != kernel.shape[0]:
        raise ValueError('convert_dense_weights_data_format: a feature map of shape %s has %d values, but the '
                         'kernel of layer %r has %d rows.' % (shape, int(np.prod(shape)),
                                                              getattr(dense, 'name', dense), kernel.shape[0]))
    if target_data_format == 'channels_first':
        channels, rows, cols = shape
        source = kernel.reshape((rows, cols, channels, units)).transpose((2, 0, 1, 3))
    else:
        rows, cols, channels = shape
        source = kernel.reshape((channels, rows, cols, units)).transpose((1, 2, 0, 3))
    dense.set_weights([source.reshape(kernel.shape)] + rest)


def get_source_inputs(tensor, layer=None, node_index=None):
    """Returns the list of input tensors necessary to compute `tensor`.

    Output will always be a list of tensors (potentially with 1 element), the `Input` tensors the graph
    of `tensor` starts from, each once, in the order first reached.

    # Arguments
        tensor: the tensor to start from.
        layer: origin layer of the tensor (default: read from the tensor's history).
        node_index: origin node index of the tensor in `layer` (default: from the history).

    # Returns
        The list of source input tensors; `tensor` itself (not in a list) if it is not a Keras tensor, as
        in Keras 2.2.4.
    """
    history = getattr(tensor, '_keras_history', None)
    if history is None:
        return tensor
    if layer is None or node_index:
        layer, node_index, _ = history
    if not layer._inbound_nodes:
        return [tensor]
    node = layer._inbound_nodes[node_index]
    if not node.inbound_layers:
        # A source: Keras 2.2.4's input node listed its tensor as input, kernelkit's lists it as output.
        return list(node.input_tensors or node.output_tensors)
    found = []
    for x, inbound, index in zip(node.input_tensors, node.inbound_layers, node.node_indices):
        for source in get_source_inputs(x, inbound, index):
            if not any(source is known for known in found):
                found.append(source)
    return found
