"""What every `ModelGraph` module shares: the error type and how a node's class name becomes a layer class.

The graph (`graph.py`), the model building (`graph_build.py`), the code writer (`graph_code.py`) and the
reading of existing models (`graph_import.py`) all raise `GraphError` and look layer classes up by name.
Keeping these few lines apart lets each of those modules import them without importing one another.

No widget library is needed here.
"""
import inspect


class GraphError(ValueError):
    """An edit or a derivation that is not possible; `node` names the layer concerned (or None).

    # Arguments
        message: what went wrong.
        node: the name of the layer concerned, or None for a graph-wide error.
    """

    def __init__(self, message, node=None):
        super(GraphError, self).__init__(message)
        self.node = node


def registry():
    """The layer classes the builder knows: `{class name: class}` (`kernelkit.layers.registry()`)."""
    from kernelkit import layers
    return layers.registry()


def layer_class(class_name):
    """Returns the layer class of that name.

    # Arguments
        class_name: a class name of `kernelkit.layers.registry()` (`'InputLayer'` for an input).

    # Returns
        The layer class.

    # Raises
        GraphError: for a name that is not a kernelkit layer.
    """
    cls = registry().get(class_name)
    if cls is None:
        raise GraphError('Unknown layer class %r.' % (class_name,))
    return cls


def takes_safe_mode(cls):
    """Whether `cls.from_config` takes a `safe_mode` argument (as `Lambda` does, for configs holding bytecode).

    # Arguments
        cls: a layer class.

    # Returns
        A boolean.
    """
    try:
        return 'safe_mode' in inspect.signature(cls.from_config).parameters
    except (TypeError, ValueError):
        return False
