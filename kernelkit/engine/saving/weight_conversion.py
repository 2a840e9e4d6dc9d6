"""Adapting saved weight arrays to the layer that receives them.

Keras 2 files written by any Keras 2 implementation store a layer's weights in the layer's own order and
shapes, so they load as they are. Keras 1 files (recognised by a missing `keras_version`) need their
arrays converted; that knowledge lives in `kernelkit.legacy`, which this module asks when it is present.
"""


def preprocess_weights_for_loading(layer, arrays, keras_version, backend=None):
    """Returns the arrays converted for `layer`.

    # Arguments
        layer: the layer that will receive the weights.
        arrays: the saved numpy arrays, in file order.
        keras_version: the `keras_version` of the file (`'1'` for Keras 1 files).
        backend: the backend that wrote the file, if recorded.

    # Returns
        A list of numpy arrays.
    """
    if keras_version == '1':
        try:
            from kernelkit.legacy.weights import convert_keras1_weights
        except ImportError:
            return list(arrays)
        return convert_keras1_weights(layer, list(arrays), backend)
    return list(arrays)
