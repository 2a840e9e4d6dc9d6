"""`Sequential`: a linear stack of layers, built as a functional graph as layers are added.

When the first layer knows its input shape (`input_shape`, `input_dim`, `batch_input_shape`, or an
`InputLayer`), every `add` extends the graph at once and shapes are checked immediately. Otherwise the
model waits: it builds itself on `build(input_shape)`, on its first call, or on the first data of
`fit`/`predict`.

A first layer that was already called on `Input` tensors and carries `_sequential_inputs` (the list of
those `Input` tensors; `kernelkit.legacy` sets it on a Keras 1 `Merge` of branch models, as Keras 2.0-2.1
did for its legacy `Merge`) starts the graph from that call: the model's inputs are `_sequential_inputs`
and `model.layers` lists every layer of the graph but the inputs (the branches first). Keras 2 Sequential
configs cannot describe branches, so such a model's config is the functional one (`input_layers`,
`inbound_nodes`); `from_config` rebuilds a Sequential from it.
"""
import numpy as np

from kernelkit.engine.base_layer import Layer
from kernelkit.engine.input_layer import Input, InputLayer
from kernelkit.engine.network import Network
from kernelkit.engine.training import Model
from kernelkit.utils.generic_utils import to_list


class Sequential(Model):
    """A linear stack of layers.

    # Arguments
        layers: list of layers to add, in order.
        name: the model name (default `sequential_N`).

    # Example
    ```python
    model = Sequential()
    model.add(Dense(32, input_dim=500))
    model.add(Dense(10, activation='softmax'))
    ```
    """

    def __init__(self, layers=None, name=None):
        super(Sequential, self).__init__(name=name)
        self._stack = []
        self._stack_outputs = []
        self._build_input_shape = None
        self._input_layer = None
        for layer in layers or []:
            self.add(layer)

    @property
    def layers(self):
        if self._branched():
            return [layer for layer in self._layers if not isinstance(layer, InputLayer)]
        return list(self._stack)

    def _branched(self):
        return bool(self._stack) and getattr(self._stack[0], '_sequential_inputs', None) is not None

    def add(self, layer):
        """Adds a layer on top of the stack.

        # Arguments
            layer: a layer instance (or a model).

        # Raises
            TypeError: if `layer` is not a layer.
            ValueError: if the layer's output is not a single tensor, or its name is already used.
        """
        if not isinstance(layer, Layer):
            raise TypeError('The added layer must be an instance of class Layer. Found: %r' % (layer,))
        if any(layer.name == existing.name for existing in self._stack):
            raise ValueError('All layers added to a Sequential model should have unique names. Name "%s" is '
                             'already the name of a layer in this model. Update the `name` argument to pass a '
                             'unique name.' % layer.name)
        if getattr(layer, '_sequential_inputs', None) is not None:
            return self._add_started(layer)
        if not self._stack and not self.outputs:
            if isinstance(layer, InputLayer):
                self._start_graph(layer._inbound_nodes[0].output_tensors[0])
                # Not one of `layers` (as in Keras 2), but the config lists it first (as tf.keras does),
                # so its shape and dtype survive a round trip.
                self._input_layer = layer
                return
            batch_shape = getattr(layer, 'batch_input_shape', None)
            if batch_shape is None and isinstance(layer, Network) and layer._is_graph_network:
                batch_shape = layer.inputs[0]._keras_shape
            if batch_shape is not None:
                x = Input(batch_shape=batch_shape, dtype=layer.dtype, name=layer.name + '_input')
                self._start_graph(x)
        self._stack.append(layer)
        if self.outputs:
            try:
                self._append_to_graph(layer)
            except Exception:
                self._stack.pop()
                raise

    def _add_started(self, layer):
        """Adds a first layer already called on `layer._sequential_inputs` (see the module docstring)."""
        if self._stack or self.outputs:
            raise ValueError('Layer %s was already called on its inputs (a Keras 1 `Merge` of models): it can '
                             'only be the first layer of a Sequential model.' % layer.name)
        output = layer._inbound_nodes[-1].output_tensors
        if len(output) != 1:
            raise ValueError('All layers in a Sequential model should have a single output tensor. For '
                             'multi-output layers, use the functional API.')
        self._stack.append(layer)
        self.inputs, self._stack_outputs = list(layer._sequential_inputs), [output[0]]
        self._init_graph_network(self.inputs, [output[0]])

    def _start_graph(self, input_tensor):
        self.inputs, self.outputs = [input_tensor], [input_tensor]
        self._stack_outputs = []

    def _append_to_graph(self, layer):
        output = layer(self.outputs[0])
        if isinstance(output, list):
            raise ValueError('All layers in a Sequential model should have a single output tensor. For '
                             'multi-output layers, use the functional API.')
        self._stack_outputs.append(output)
        self._init_graph_network(self.inputs, [output])

    def pop(self):
        """Removes the last layer of the stack.

        # Raises
            TypeError: if there are no layers.
        """
        if not self._stack:
            raise TypeError('There are no layers in the model.')
        self._stack.pop()
        if not self._stack:  # an empty model starts afresh, as in Keras 2
            self.inputs, self.outputs, self._stack_outputs = [], [], []
            self._is_graph_network, self.built, self._build_input_shape = False, False, None
            self._input_layer = None
        elif self._stack_outputs:
            self._stack_outputs.pop()
            self._init_graph_network(self.inputs, [self._stack_outputs[-1]])

    def build(self, input_shape=None):
        """Builds the graph for inputs of `input_shape` (batch dimension included).

        # Arguments
            input_shape: a shape tuple such as `(None, 784)`.

        # Raises
            ValueError: if no shape is known.
        """
        if self._is_graph_network and self.outputs and self._stack_outputs:
            return
        if input_shape is None:
            raise ValueError('You must provide an `input_shape` argument to build a Sequential model whose '
                             'first layer does not know its input shape.')
        if not self._stack:
            raise TypeError('Sequential model %s has no layers to build.' % self.name)
        input_shape = tuple(to_list(input_shape)) if not isinstance(input_shape, tuple) else input_shape
        self._start_graph(Input(batch_shape=input_shape, dtype=self._stack[0].dtype, name=self.name + '_input'))
        for layer in self._stack:
            self._append_to_graph(layer)
        self._build_input_shape = input_shape

    def _build_from_data(self, x):
        array = np.asarray(x[0] if isinstance(x, (list, tuple)) else x)
        self.build((None,) + array.shape[1:])

    def _graph_ready(self):
        return self._is_graph_network and bool(self._stack_outputs)

    def get_config(self):
        """Returns the Keras 2.2.3+ Sequential config: the name and the list of layer configs.

        # Returns
            `{'name': ..., 'layers': [{'class_name': ..., 'config': ...}, ...]}` (led by the `InputLayer`
            when the model was given one), plus `build_input_shape` when the model was built from a shape.
        """
        if self._branched():
            return super(Sequential, self).get_config()
        listed = ([self._input_layer] if self._input_layer is not None else []) + self._stack
        config = {'name': self.name,
                  'layers': [{'class_name': layer.__class__.__name__, 'config': layer.get_config()}
                             for layer in listed]}
        if self._build_input_shape is not None:
            config['build_input_shape'] = self._build_input_shape
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Creates a Sequential model from its config (the list form of Keras 2.0-2.2.2 too).

        # Arguments
            config: the dictionary (or list) `get_config` produced.
            custom_objects: dictionary of custom classes and functions by name.

        # Returns
            A new `Sequential` model.
        """
        from kernelkit.layers import deserialize as deserialize_layer
        if isinstance(config, dict) and 'input_layers' in config:  # a Sequential with branches
            return cls._from_graph(Model.from_config(config, custom_objects=custom_objects))
        if isinstance(config, list):
            name, layer_configs, build_shape = None, config, None
        else:
            name, layer_configs = config.get('name'), config['layers']
            build_shape = config.get('build_input_shape')
        model = cls(name=name)
        for layer_config in layer_configs:
            model.add(deserialize_layer(layer_config, custom_objects=custom_objects))
        if not model.outputs and build_shape is not None:
            model.build(tuple(build_shape))
        return model

    @classmethod
    def _from_graph(cls, graph):
        """A Sequential with branches from its functional equivalent `graph` (a single-output `Model`): the
        stack is the chain of layers that ends at the output and starts at the first layer with several
        inbound tensors."""
        if len(graph.outputs) != 1:
            raise ValueError('A Sequential model has a single output; this config has %d.' % len(graph.outputs))
        chain, tensor = [], graph.outputs[0]
        while True:
            layer, node_index, _ = tensor._keras_history
            node = layer._inbound_nodes[node_index]
            if isinstance(layer, InputLayer) or not node.input_tensors:
                raise ValueError('This functional config is not a Sequential model with branches: no layer '
                                 'merges several inputs before the output.')
            chain.insert(0, (layer, tensor))
            if len(node.input_tensors) > 1:
                break
            tensor = node.input_tensors[0]
        model = cls(name=graph.name)
        chain[0][0]._sequential_inputs = list(graph.inputs)
        model._stack = [layer for layer, _ in chain]
        model._stack_outputs = [output for _, output in chain]
        model.inputs = list(graph.inputs)
        model._init_graph_network(model.inputs, [model._stack_outputs[-1]])
        return model
