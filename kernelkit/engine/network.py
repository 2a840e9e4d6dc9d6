"""`Network`: a graph of layers, built from symbolic inputs and outputs (or from a subclass's `call`).

`Model` (in `training.py`) adds compile/fit on top; everything about the *graph* lives here: the order of
`model.layers`, running the graph on real tensors, nested and shared layers, `get_layer`, configs.
"""
import collections
import json
import warnings

import tensorflow as tf

from kernelkit.backend import config as backend_config
from kernelkit.backend.symbolic import BackendOp, Evaluation, KerasTensor, Node, evaluation
from kernelkit.engine import distribution
from kernelkit.engine.base_layer import Layer, _unique
from kernelkit.engine.input_layer import InputLayer
from kernelkit.engine.input_spec import InputSpec
from kernelkit.utils.generic_utils import to_list, unpack_singleton


class Network(Layer):
    """A layer made of other layers, connected as a directed acyclic graph.

    Built either from tensors, `Network(inputs, outputs)`, or by subclassing: define the layers in
    `__init__` and the computation in `call`.

    # Arguments
        inputs: a `KerasTensor` from `Input`, or a list of them.
        outputs: the tensor(s) computed from them.
        name: the model name (default `model_N`).

    # Raises
        ValueError: if an output cannot be reached from the inputs, or the graph has a cycle.
        TypeError: for inputs that are not `Input` tensors.
    """

    def __init__(self, inputs=None, outputs=None, name=None, **kwargs):
        if not name:  # Keras 2 names models by the lower-cased class name: `model_1`, `mymodel_1`
            prefix = self.__class__.__name__.lower()
            name = '%s_%d' % (prefix, backend_config.get_uid(prefix))
        super(Network, self).__init__(name=name, **kwargs)
        self._is_graph_network = False
        self._layers = []
        self._operations = []
        self.inputs, self.outputs = [], []
        if inputs is not None or outputs is not None:
            if inputs is None or outputs is None:
                raise ValueError('Model %s needs both `inputs` and `outputs` (or neither, when '
                                 'subclassing).' % self.name)
            self._init_graph_network(inputs, outputs)

    # ----------------------------------------------------------------------------------------------
    # Building the graph.

    def _init_graph_network(self, inputs, outputs):
        inputs, outputs = to_list(inputs), to_list(outputs)
        for x in inputs:
            if not isinstance(x, KerasTensor):
                raise TypeError('Input tensors to a Model must come from `kernelkit.layers.Input`. Received: '
                                '%r (missing previous layer metadata).' % (x,))
            layer, node_index, _ = x._keras_history
            if not isinstance(layer, InputLayer) or node_index != 0:
                raise ValueError('Input tensors to a Model must come from `Input`; %r is the output of layer '
                                 '%s.' % (x, layer.name))
        for x in outputs:
            if not isinstance(x, KerasTensor) or x._keras_history is None:
                raise TypeError('Output tensors to a Model must be symbolic tensors computed from its '
                                'inputs (by layers or backend functions). Found: %r' % (x,))
        self._is_graph_network = True
        self.inputs, self.outputs = inputs, outputs
        self._input_layers = [x._keras_history[0] for x in inputs]
        self._output_layers = [x._keras_history[0] for x in outputs]
        self._input_coordinates = [x._keras_history for x in inputs]
        self._output_coordinates = [x._keras_history for x in outputs]
        self.input_names = [layer.name for layer in self._input_layers]
        self.output_names = [layer.name for layer in self._output_layers]
        self._build_graph_order()
        self.input_spec = [InputSpec(shape=x._keras_shape) for x in inputs]
        self.built = True
        self._inbound_nodes, self._outbound_nodes = [], []
        Node(self, inputs, outputs, creation=True)

    def _build_graph_order(self):
        """Orders nodes and layers from the inputs to the outputs, as Keras 2 does.

        Layers are discovered depth-first from the outputs; a node's depth is its longest distance to an
        output. `model.layers` lists layers by decreasing depth, ties broken by discovery order, so the
        layer order (which weight files rely on) matches other Keras 2 implementations. Recorded backend
        ops take part in the order like layers; `self._operations` lists both, `model.layers` only the
        layers. The walk stops at the model's inputs, even where an input adopted an expression.
        """
        finished, in_progress = set(), set()
        layer_index, ordered_nodes = {}, []
        input_ids = set(id(x) for x in self.inputs)

        def visit(layer, node_index):
            node = layer._inbound_nodes[node_index]
            if id(node) in in_progress:
                raise ValueError('The layer "%s" is part of a cycle.' % layer.name)
            if id(node) in finished:
                return
            layer_index.setdefault(layer, len(layer_index))
            in_progress.add(id(node))
            is_model_input = any(id(t) in input_ids for t in node.output_tensors)
            for inbound_layer, inbound_node_index in zip(node.inbound_layers, node.node_indices):
                if not is_model_input:
                    visit(inbound_layer, inbound_node_index)
            in_progress.discard(id(node))
            finished.add(id(node))
            ordered_nodes.append(node)

        for x in self.outputs:
            layer, node_index, _ = x._keras_history
            visit(layer, node_index)

        node_depth, layer_depth = {}, {}
        for node in reversed(ordered_nodes):
            depth = max(node_depth.setdefault(node, 0), layer_depth.get(node.outbound_layer, 0))
            layer_depth[node.outbound_layer] = depth
            node_depth[node] = depth
            if any(id(t) in input_ids for t in node.output_tensors):
                continue
            for inbound_layer, inbound_node_index in zip(node.inbound_layers, node.node_indices):
                inbound_node = inbound_layer._inbound_nodes[inbound_node_index]
                node_depth[inbound_node] = max(depth + 1, node_depth.get(inbound_node, 0))

        by_depth = collections.defaultdict(list)
        for node, depth in node_depth.items():
            by_depth[depth].append(node)
        self._nodes_by_depth = dict(by_depth)
        self._nodes_in_order = [node for depth in sorted(by_depth, reverse=True) for node in by_depth[depth]]
        self._network_nodes = set(id(node) for node in self._nodes_in_order)

        layers_by_depth = collections.defaultdict(list)
        for layer, depth in layer_depth.items():
            layers_by_depth[depth].append(layer)
        self._operations = []
        for depth in sorted(layers_by_depth, reverse=True):
            self._operations.extend(sorted(layers_by_depth[depth], key=lambda l: layer_index[l]))
        self._layers = [op for op in self._operations if isinstance(op, Layer)]
        # What a run computes: every node but the model inputs' own (their values are fed).
        self._nodes_to_run = [node for node in self._nodes_in_order
                              if not any(id(t) in input_ids for t in node.output_tensors)]

        available = set(id(x) for x in self.inputs)
        accessed = []
        for node in self._nodes_in_order:
            # A model input's node, or a source (an `Input` that is not a model input), needs its own
            # tensor (fed); any other node its inputs.
            is_model_input = any(id(t) in input_ids for t in node.output_tensors)
            is_source = node.outbound_layer.is_source and not node.input_tensors
            needed = node.output_tensors if is_model_input or is_source else node.input_tensors
            for x in needed:
                if id(x) not in available:
                    raise ValueError('Graph disconnected: cannot obtain value for tensor %r at layer "%s". '
                                     'The following previous layers were accessed without issue: %s'
                                     % (x, node.outbound_layer.name, accessed))
            available.update(id(x) for x in node.output_tensors)
            accessed.append(node.outbound_layer.name)
        names = [layer.name for layer in self._operations]
        duplicates = sorted(set(n for n in names if names.count(n) > 1))
        if duplicates:
            raise ValueError('The name "%s" is used %d times in the model. All layer names should be unique.'
                             % (duplicates[0], names.count(duplicates[0])))

    # ----------------------------------------------------------------------------------------------
    # Layers.

    @property
    def layers(self):
        if self._is_graph_network:
            return list(self._layers)
        return list(self._tracked_layers)

    def _sublayers(self):
        return self.layers

    def get_layer(self, name=None, index=None):
        """Finds a layer by name or by its index in `model.layers`.

        # Arguments
            name: the layer name.
            index: the position in `model.layers` (used when given).

        # Returns
            The layer.

        # Raises
            ValueError: for an unknown name, an index out of range, or neither argument.
        """
        layers = self.layers
        if index is not None:
            if len(layers) <= index:
                raise ValueError('Was asked to retrieve layer at index %d but model only has %d layers.'
                                 % (index, len(layers)))
            return layers[index]
        if not name:
            raise ValueError('Provide either a layer name or layer index.')
        for layer in layers:
            if layer.name == name:
                return layer
        raise ValueError('No such layer: %s. The model\'s layers are: %s.'
                         % (name, ', '.join(l.name for l in layers)))

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        weights = []
        for layer in self.layers:
            weights += layer.trainable_weights
        return _unique(weights + self._trainable_weights)

    @property
    def non_trainable_weights(self):
        weights = []
        for layer in self.layers:
            weights += layer.non_trainable_weights
        if not self.trainable:
            trainable = []
            for layer in self.layers:
                trainable += layer.trainable_weights
            weights = trainable + weights
        return _unique(weights + self._non_trainable_weights)

    def get_weights(self):
        """Returns the weights of all layers, layer after layer, as numpy arrays.

        # Returns
            A list of numpy arrays.
        """
        weights = []
        for layer in self.layers:
            weights += layer.weights
        return [w.numpy() for w in _unique(weights)]

    def set_weights(self, weights):
        """Sets the weights of all layers from the list `get_weights()` returns.

        Counts and shapes are all checked first; a bad list changes nothing.

        # Arguments
            weights: a list of numpy arrays.

        # Raises
            ValueError: on a wrong number of arrays or a wrong shape (naming the layer and both shapes).
        """
        params = []
        owners = []
        for layer in self.layers:
            for w in layer.weights:
                if not any(w is p for p in params):
                    params.append(w)
                    owners.append(layer)
        if len(params) != len(weights):
            raise ValueError('Model %s expects %d weight arrays, but set_weights received %d.'
                             % (self.name, len(params), len(weights)))
        import numpy as np
        values = []
        for param, owner, value in zip(params, owners, weights):
            value = np.asarray(value)
            if tuple(param.shape) != value.shape:
                raise ValueError('Layer %s: weight %s has shape %s, but the provided array has shape %s.'
                                 % (owner.name, param.name, tuple(param.shape), value.shape))
            values.append(value)
        for param, value in zip(params, values):
            param.assign(value.astype(param.dtype.as_numpy_dtype))

    @property
    def state_updates(self):
        return []

    def reset_states(self):
        """Resets the states of every stateful layer of the model."""
        for layer in self.layers:
            if getattr(layer, 'stateful', False) and hasattr(layer, 'reset_states'):
                layer.reset_states()

    # ----------------------------------------------------------------------------------------------
    # Running.

    def call(self, inputs, training=None, mask=None):
        """Runs the graph on real tensors (graph networks); subclasses override it instead.

        # Arguments
            inputs: a tensor or a list of tensors, in the order of `model.inputs`.
            training: whether to run in training mode.
            mask: input mask(s), or `None`.

        # Returns
            The output tensor, or a list of them.
        """
        if not self._is_graph_network:
            raise NotImplementedError('Subclassed models must implement `call`.')
        outputs, _ = self._run_graph(inputs, training, mask)
        return unpack_singleton(outputs)

    def _invoke(self, inputs, mask, training, kwargs):
        if not self._is_graph_network:
            return super(Network, self)._invoke(inputs, mask, training, kwargs)
        with self._call_bookkeeping(freezes=not self.trainable):
            outputs, masks = self._run_graph(inputs, training, mask)
        masks = None if all(m is None for m in masks) else unpack_singleton(masks)
        return unpack_singleton(outputs), masks

    def _run_graph(self, inputs, training=None, mask=None):
        """Computes the outputs and output masks on real tensors, node by node in graph order.

        The run is an `Evaluation` of the graph (the one runner shared with `K.function` and losses).
        When the caller already opened one fed with exactly these inputs (a model's training step),
        the run joins it, so closures in the loss read the values of this very forward pass.

        # Returns
            `(outputs, masks)`, two lists in the order of `model.outputs`.
        """
        inputs = to_list(inputs)
        if len(inputs) != len(self.inputs):
            raise ValueError('Model %s expects %d input(s), but it received %d input tensors.'
                             % (self.name, len(self.inputs), len(inputs)))
        masks = to_list(mask) if mask is not None else [None] * len(inputs)
        run = evaluation.current()
        if not (isinstance(run, Evaluation) and run.feeds_exactly(self.inputs, inputs)):
            run = Evaluation(zip(self.inputs, inputs), training=training, masks=zip(self.inputs, masks))
        with run:
            run.run_nodes(self._nodes_to_run)
            return [run.value(x) for x in self.outputs], [run.mask(x) for x in self.outputs]

    def compute_output_shape(self, input_shape):
        if not self._is_graph_network:
            return super(Network, self).compute_output_shape(input_shape)
        shapes = to_list(input_shape) if isinstance(input_shape, list) else [input_shape]
        symbolic = [KerasTensor(s, x.dtype) for s, x in zip(shapes, self.inputs)]
        outputs, _ = self._trace(unpack_singleton(symbolic), None, None, {})
        return unpack_singleton([tuple(o.shape.as_list()) for o in to_list(outputs)])

    def _declared_output_shapes(self, input_shapes, count):
        """A graph network called on inputs shaped like its own declares the shapes its layers worked out
        when it was built (tracing alone can lose static sizes, e.g. after a reshape)."""
        if not self._is_graph_network or count != len(self.outputs) or len(input_shapes) != len(self.inputs):
            return None
        for given, own in zip(input_shapes, self.inputs):
            if given is None or not tf.TensorShape(given).is_compatible_with(own.shape):
                return None
        return [output.shape for output in self.outputs]

    def compute_mask(self, inputs, mask=None):
        if not self._is_graph_network:
            return None
        _, masks = self._run_graph(inputs, None, mask)
        return None if all(m is None for m in masks) else unpack_singleton(masks)

    # ----------------------------------------------------------------------------------------------
    # Description.

    def summary(self, line_length=None, positions=None, print_fn=None):
        """Prints a table of the layers, their output shapes and parameter counts.

        # Arguments
            line_length: total width of the table.
            positions: relative or absolute right edges of the columns.
            print_fn: function called with each line (default `print`).
        """
        from kernelkit.engine.summary import print_summary
        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn)

    def get_config(self):
        """Returns the graph as a Keras 2 model config (layers, their inbound nodes, inputs, outputs).

        # Returns
            A JSON-friendly dictionary.

        # Raises
            NotImplementedError: for subclassed models, whose graph is Python code.
        """
        if not self._is_graph_network:
            raise NotImplementedError('A subclassed model has no config: its graph is the code of `call`. '
                                      'Save its weights with `save_weights` instead.')
        kept_index = {}
        for layer in self._operations:
            kept = 1 if isinstance(layer, Network) else 0
            for original_index, node in enumerate(layer._inbound_nodes):
                if id(node) in self._network_nodes:
                    kept_index[(id(layer), original_index)] = kept
                    kept += 1
        layer_configs = []
        for layer in self._operations:
            inbound = []
            for original_index, node in enumerate(layer._inbound_nodes):
                if id(node) not in self._network_nodes or not node.inbound_layers:
                    continue
                kwargs = _serializable_kwargs(layer, node.call_kwargs)
                inbound.append([[inbound_layer.name, kept_index.get((id(inbound_layer), node_index), 0),
                                 tensor_index, kwargs]
                                for inbound_layer, node_index, tensor_index in
                                zip(node.inbound_layers, node.node_indices, node.tensor_indices)])
            # A recorded backend op is stored by its function's name and arguments; other Keras 2
            # implementations do not know the class and refuse the file with "Unknown layer: BackendOp".
            layer_configs.append({'name': layer.name, 'class_name': layer.__class__.__name__,
                                  'config': layer.get_config(), 'inbound_nodes': inbound})

        def coordinates(history):
            return [[layer.name, kept_index[(id(layer), node_index)], tensor_index]
                    for layer, node_index, tensor_index in history]

        return {'name': self.name, 'layers': layer_configs,
                'input_layers': coordinates(self._input_coordinates),
                'output_layers': coordinates(self._output_coordinates)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Rebuilds a functional model from its config.

        # Arguments
            config: the dictionary `get_config` returned (Keras 2.x and tf_keras variants accepted).
            custom_objects: dictionary of custom layer classes and functions by name.

        # Returns
            A new model of this class.

        # Raises
            ValueError: for a malformed config or an unknown layer class.
        """
        from kernelkit.layers import deserialize as deserialize_layer
        created = {}
        pending = collections.OrderedDict()

        def process_node(layer, node_data):
            tensors, kwargs = [], {}
            for entry in node_data:
                if len(entry) == 3:
                    name, node_index, tensor_index = entry
                elif len(entry) == 4:
                    name, node_index, tensor_index, kwargs = entry
                else:
                    raise ValueError('Improperly formatted model config: inbound node entry %r of layer %s.'
                                     % (entry, layer.name))
                inbound = created[name]
                if len(inbound._inbound_nodes) <= node_index:
                    return False
                tensors.append(inbound._inbound_nodes[node_index].output_tensors[tensor_index])
            if isinstance(layer, BackendOp):
                layer._replay(tensors)
            else:
                layer(unpack_singleton(tensors), **(kwargs or {}))
            return True

        for layer_data in config['layers']:
            if layer_data.get('class_name') == 'BackendOp':
                layer = BackendOp.from_config(layer_data.get('config') or {})
            else:
                layer = deserialize_layer(layer_data, custom_objects=custom_objects)
            created[layer_data.get('name', layer.name)] = layer
            nodes = [n for n in layer_data.get('inbound_nodes', []) if n]
            if nodes:
                pending[layer] = nodes
        while pending:
            progressed = False
            for layer in list(pending):
                nodes = pending[layer]
                while nodes and process_node(layer, nodes[0]):
                    nodes.pop(0)
                    progressed = True
                if not nodes:
                    del pending[layer]
            if not progressed:
                raise ValueError('Improperly formatted model config: the inbound nodes of %s cannot be '
                                 'resolved.' % ', '.join(l.name for l in pending))

        def tensors(entries):
            return [created[name]._inbound_nodes[node_index].output_tensors[tensor_index]
                    for name, node_index, tensor_index in entries]

        return cls(inputs=unpack_singleton(tensors(config['input_layers'])),
                   outputs=unpack_singleton(tensors(config['output_layers'])), name=config.get('name'))


    # ----------------------------------------------------------------------------------------------
    # Saving (the file formats live in `kernelkit.engine.saving`).

    def save(self, filepath, overwrite=True, include_optimizer=True):
        """Saves the model (architecture, weights, compile settings, optimizer state) to an HDF5 file.

        The file is written under a temporary name beside `filepath` and renamed into place. In a
        multi-worker job only the chief writes `filepath` (see `distribution.chief_writes`).

        # Arguments
            filepath: a path, or an open `h5py.File`/`h5py.Group`.
            overwrite: whether to replace an existing file.
            include_optimizer: whether to store the optimizer and its state.
        """
        from kernelkit.engine import saving
        with distribution.chief_writes(filepath, getattr(self, '_distribution_strategy', None)) as target:
            saving.save_model(self, target, overwrite=overwrite, include_optimizer=include_optimizer)

    def save_weights(self, filepath, overwrite=True):
        """Saves the weights of every layer to an HDF5 file (Keras 2 weights-only layout).

        In a multi-worker job only the chief writes `filepath` (see `distribution.chief_writes`).

        # Arguments
            filepath: a path, or an open `h5py.File`/`h5py.Group`.
            overwrite: whether to replace an existing file.
        """
        from kernelkit.engine import saving
        with distribution.chief_writes(filepath, getattr(self, '_distribution_strategy', None)) as target:
            saving.save_weights(self, target, overwrite=overwrite)

    def load_weights(self, filepath, by_name=False, skip_mismatch=False):
        """Loads weights saved by `save_weights` or `save` (by any Keras 2 implementation), all or nothing.

        # Arguments
            filepath: a path, or an open `h5py.File`/`h5py.Group`.
            by_name: match layers by name instead of by order.
            skip_mismatch: with `by_name`, skip layers whose weights do not fit, with a warning each.

        # Raises
            ValueError: on any mismatch, before any weight changes.
        """
        from kernelkit.engine import saving
        saving.load_weights(self, filepath, by_name=by_name, skip_mismatch=skip_mismatch)

    def to_json(self, **kwargs):
        """Returns the model's architecture as a JSON string (weights not included).

        # Arguments
            **kwargs: passed to `json.dumps` (e.g. `indent=2`).

        # Returns
            A JSON string, readable by `model_from_json`.
        """
        from kernelkit.engine import saving
        return json.dumps(saving.model_to_dict(self), **kwargs)

    def to_yaml(self, **kwargs):
        """Returns the model's architecture as a YAML string (weights not included).

        # Arguments
            **kwargs: passed to `yaml.dump`.

        # Returns
            A YAML string, readable by `model_from_yaml`.
        """
        import yaml
        from kernelkit.engine import saving
        return yaml.safe_dump(saving.model_to_dict(self), **kwargs)


def _serializable_kwargs(layer, kwargs):
    try:
        json.dumps(kwargs)
        return dict(kwargs)
    except TypeError:
        warnings.warn('Layer %s was passed non-serializable keyword arguments: %s. They will not be included '
                      'in the serialized model (and thus will be missing at deserialization time).'
                      % (layer.name, kwargs))
        return {}




# Keras 2.2.4's private helpers of `keras.engine.network`, which graph-walking code of that era imports.

def _make_node_key(layer_name, node_index):
    """The key Keras 2 gives a layer's node in a network: `'<layer name>_ib-<node index>'`.

    # Arguments
        layer_name: the layer's name.
        node_index: the index of the node in the layer's inbound nodes.

    # Returns
        The key string.
    """
    return layer_name + '_ib-' + str(node_index)


def _map_graph_network(inputs, outputs):
    """Maps the graph from `inputs` to `outputs` as a network would (Keras 2.2.4's helper).

    # Arguments
        inputs: list of input tensors.
        outputs: list of output tensors.

    # Returns
        `(network_nodes, nodes_by_depth, layers, layers_by_depth)`: the set of node keys (`_make_node_key`),
        `{depth: [nodes]}`, the layers from inputs to outputs, and `{depth: [layers]}` (depth 0: the outputs).

    # Raises
        ValueError: for a disconnected graph or duplicate layer names (the errors a model gives).
    """
    network = Network(to_list(inputs), to_list(outputs), name='_map_graph_network')
    nodes_by_depth = {depth: list(nodes) for depth, nodes in network._nodes_by_depth.items()}
    network_nodes = set(_make_node_key(node.outbound_layer.name, node.outbound_layer._inbound_nodes.index(node))
                        for nodes in nodes_by_depth.values() for node in nodes)
    layer_depth = {}
    for depth, nodes in nodes_by_depth.items():
        for node in nodes:
            layer = node.outbound_layer
            if isinstance(layer, Layer):
                layer_depth[layer] = max(depth, layer_depth.get(layer, 0))
    layers_by_depth = collections.defaultdict(list)
    for layer in network._layers:
        layers_by_depth[layer_depth[layer]].append(layer)
    return network_nodes, nodes_by_depth, list(network._layers), dict(layers_by_depth)
