"""`NodeAccessors`: what a layer knows about its calls in a graph (Keras 2's node API).

Each call of a layer on symbolic tensors records a node (`layer._inbound_nodes`) holding the input and
output tensors, shapes and masks of that call. `get_input_at(i)`, `get_output_shape_at(i)`, ... read the
call `i`; `layer.input`, `layer.output_shape`, ... read the only call, and say which method to use when a
shared layer has several. `Layer` inherits these from here, so `base_layer.py` keeps to weights and calls.
"""
from kernelkit.utils.generic_utils import unpack_singleton


class NodeAccessors(object):
    """The node attributes of a layer (mixed into `Layer`); needs `self.name` and `self._inbound_nodes`."""


    def _node_attribute(self, node_index, attribute, description):
        if not self._inbound_nodes:
            raise AttributeError('The layer "%s" has never been called and thus has no defined %s.'
                                 % (self.name, description))
        if node_index >= len(self._inbound_nodes):
            raise ValueError('Asked to get %s at node %d, but the layer "%s" has only %d inbound nodes.'
                             % (description, node_index, self.name, len(self._inbound_nodes)))
        return unpack_singleton(getattr(self._inbound_nodes[node_index], attribute))

    def _single_node_attribute(self, attribute, description, method):
        if len(self._inbound_nodes) > 1:
            values = [getattr(node, attribute) for node in self._inbound_nodes]
            if attribute.endswith('shapes') and all(v == values[0] for v in values):
                return unpack_singleton(values[0])
            raise AttributeError('Layer %s has multiple inbound nodes, hence the notion of "%s" is '
                                 'ill-defined for the layer. Use `%s(node_index)` instead.'
                                 % (self.name, description, method))
        return self._node_attribute(0, attribute, description)

    def get_input_at(self, node_index):
        """Returns the input tensor(s) of the call number `node_index` of this layer.

        # Arguments
            node_index: index of the call (node), 0 for the first call.

        # Returns
            A `KerasTensor` or a list of them.
        """
        return self._node_attribute(node_index, 'input_tensors', 'input')

    def get_output_at(self, node_index):
        """Returns the output tensor(s) of the call number `node_index` of this layer.

        # Arguments
            node_index: index of the call (node).

        # Returns
            A `KerasTensor` or a list of them.
        """
        return self._node_attribute(node_index, 'output_tensors', 'output')

    def get_input_shape_at(self, node_index):
        """Returns the input shape(s) of the call number `node_index`.

        # Arguments
            node_index: index of the call (node).

        # Returns
            A shape tuple or a list of them.
        """
        return self._node_attribute(node_index, 'input_shapes', 'input shape')

    def get_output_shape_at(self, node_index):
        """Returns the output shape(s) of the call number `node_index`.

        # Arguments
            node_index: index of the call (node).

        # Returns
            A shape tuple or a list of them.
        """
        return self._node_attribute(node_index, 'output_shapes', 'output shape')

    def get_input_mask_at(self, node_index):
        """Returns the input mask(s) of the call number `node_index`.

        # Arguments
            node_index: index of the call (node).

        # Returns
            A mask description (`KerasTensor`), a list of them, or `None`.
        """
        return self._node_attribute(node_index, 'input_masks', 'input mask')

    def get_output_mask_at(self, node_index):
        """Returns the output mask(s) of the call number `node_index`.

        # Arguments
            node_index: index of the call (node).

        # Returns
            A mask description (`KerasTensor`), a list of them, or `None`.
        """
        return self._node_attribute(node_index, 'output_masks', 'output mask')

    @property
    def input(self):
        return self._single_node_attribute('input_tensors', 'layer input', 'get_input_at')

    @property
    def output(self):
        return self._single_node_attribute('output_tensors', 'layer output', 'get_output_at')

    @property
    def input_shape(self):
        return self._single_node_attribute('input_shapes', 'input shape', 'get_input_shape_at')

    @property
    def output_shape(self):
        return self._single_node_attribute('output_shapes', 'output shape', 'get_output_shape_at')

    @property
    def input_mask(self):
        return self._single_node_attribute('input_masks', 'input mask', 'get_input_mask_at')

    @property
    def output_mask(self):
        return self._single_node_attribute('output_masks', 'output mask', 'get_output_mask_at')
