"""`clone_model`: the same architecture with new layers and freshly initialized weights (Keras 2.2.4).

A clone is rebuilt layer by layer from each layer's config, then called on the clone's own tensors in the
original's graph order, so shared layers stay shared and every call keeps its keyword arguments. Weights are
*not* copied (Keras 2 behaviour): call `clone.set_weights(model.get_weights())` for that. Recorded backend
ops (`K.*` applied to model tensors) hold no weights; they are replayed on the new tensors.
"""
from kernelkit.backend.symbolic import BackendOp, KerasTensor
from kernelkit.engine.base_layer import Layer
from kernelkit.engine.input_layer import Input, InputLayer
from kernelkit.engine.sequential import Sequential
from kernelkit.engine.training import Model
from kernelkit.utils.generic_utils import _SafeModeScope, to_list, unpack_singleton

__all__ = ['clone_model']


def _clone_layer(layer):
    # The config comes from a live layer of this process, not from a file: a Lambda's own bytecode may load.
    with _SafeModeScope(False):
        return layer.__class__.from_config(layer.get_config())


def _wrap_input(x, input_layer):
    """A given input tensor as the clone's input: layer outputs as they are, others wrapped by `Input`."""
    if isinstance(x, KerasTensor) and isinstance(x._keras_history[0], Layer):
        return x
    return Input(tensor=x, name='input_wrapper_for_' + input_layer.name)


def _clone_functional_model(model, input_tensors=None):
    """Clones a functional `Model` (Keras 2.2.4's private helper of `clone_model`).

    # Arguments
        model: a functional `Model` (not a `Sequential`).
        input_tensors: optional list of tensors to build the clone on (one per model input); by default the
            clone gets new `Input`s like the original's.

    # Returns
        A new `Model` with new layers and freshly initialized weights.

    # Raises
        ValueError: if `model` is not a functional model, or for the wrong number of `input_tensors`.
    """
    if not isinstance(model, Model):
        raise ValueError('Expected `model` argument to be a `Model` instance, got %r.' % (model,))
    if isinstance(model, Sequential):
        raise ValueError('Expected `model` argument to be a functional `Model` instance, got a `Sequential` '
                         'instance instead: %r.' % (model,))
    if not getattr(model, '_is_graph_network', False):
        raise ValueError('clone_model: %s is a subclassed model; its graph is Python code and cannot be '
                         'cloned from configs. Create a new instance of its class instead.' % model.name)
    if input_tensors is None:
        new_inputs = [_clone_layer(layer)._inbound_nodes[0].output_tensors[0] for layer in model._input_layers]
    else:
        input_tensors = to_list(input_tensors)
        if len(input_tensors) != len(model.inputs):
            raise ValueError('clone_model: the model has %d input(s) but `input_tensors` has %d tensor(s).'
                             % (len(model.inputs), len(input_tensors)))
        new_inputs = [_wrap_input(x, layer) for x, layer in zip(input_tensors, model._input_layers)]
    new_tensor = {id(old): new for old, new in zip(model.inputs, new_inputs)}
    new_layer = {}
    for node in model._nodes_to_run:
        operation = node.outbound_layer
        inputs = [new_tensor[id(x)] for x in node.input_tensors]
        if isinstance(operation, BackendOp):
            outputs = operation._replay(inputs)
        else:
            if id(operation) not in new_layer:
                new_layer[id(operation)] = _clone_layer(operation)
            kwargs = {k: v for k, v in node.call_kwargs.items() if k != 'mask'}
            outputs = new_layer[id(operation)](unpack_singleton(inputs), **kwargs)
        for old, new in zip(node.output_tensors, to_list(outputs)):
            new_tensor[id(old)] = new
    return Model(new_inputs, [new_tensor[id(x)] for x in model.outputs], name=model.name)


def _clone_sequential_model(model, input_tensors=None):
    """Clones a `Sequential` model (Keras 2.2.4's private helper of `clone_model`).

    # Arguments
        model: a `Sequential` model.
        input_tensors: optional list holding one tensor to build the clone on: an `Input`, or any tensor
            (wrapped in an `Input`).

    # Returns
        A new `Sequential` model with new layers and freshly initialized weights.

    # Raises
        ValueError: if `model` is not a `Sequential`, if more than one input tensor is given, or if the tensor
            comes from a layer other than an `InputLayer`.
    """
    if not isinstance(model, Sequential):
        raise ValueError('Expected `model` argument to be a `Sequential` model instance, but got: %r.' % (model,))
    layers = [_clone_layer(layer) for layer in model.layers]
    if input_tensors is None:
        return Sequential(layers=layers, name=model.name)
    input_tensors = to_list(input_tensors)
    if len(input_tensors) != 1:
        raise ValueError('To clone a `Sequential` model, we expect at most one tensor as part of '
                         '`input_tensors` (got %d).' % len(input_tensors))
    x = input_tensors[0]
    origin = x._keras_history[0] if isinstance(x, KerasTensor) else None
    if isinstance(origin, Layer):  # the output of a layer: only an `InputLayer`'s will do
        if not isinstance(origin, InputLayer):
            raise ValueError('Cannot clone a `Sequential` model on top of a tensor that comes from a layer '
                             'other than an `InputLayer` (here `%s`). Use the functional API instead.'
                             % origin.name)
    else:  # a placeholder, an expression or a concrete tensor
        x = Input(tensor=x, name='input_wrapper_for_' + model.name)
    return Sequential(layers=[x._keras_history[0]] + layers, name=model.name)


def clone_model(model, input_tensors=None):
    """Clones a model: the same architecture, new layers, freshly initialized weights.

    The weights are not copied (as in Keras 2); use `clone.set_weights(model.get_weights())`. Custom layers
    are rebuilt through their class's `from_config`.

    # Arguments
        model: a `Sequential` or functional `Model`.
        input_tensors: optional list of tensors to build the clone on (one per model input; a `Sequential`
            takes one); by default the clone gets new inputs like the original's.

    # Returns
        The clone (a `Sequential` for a `Sequential`, else a `Model`).

    # Raises
        ValueError: for a subclassed model or unusable `input_tensors`.
    """
    if isinstance(model, Sequential):
        return _clone_sequential_model(model, input_tensors=input_tensors)
    return _clone_functional_model(model, input_tensors=input_tensors)
