"""Loading saved weights into layers, in order or by name: Keras 2.2.4's `load_weights_from_hdf5_group`
and `load_weights_from_hdf5_group_by_name`, which `model.load_weights` and `load_model` use.

Both check every layer and every shape before assigning anything, so a file that does not fit raises an
error naming the layer, the weight and both shapes, and leaves the layers as they were.
"""
import warnings

import numpy as np

from kernelkit.engine.saving import hdf5_format
from kernelkit.engine.saving.weight_conversion import preprocess_weights_for_loading


def _shape_problems(layer, arrays, index, saved_name):
    problems = []
    for weight, array in zip(layer.weights, arrays):
        if tuple(weight.shape) != tuple(np.shape(array)):
            problems.append('Layer #%d (named "%s" in the current model, "%s" in the save file), weight %s has '
                            'shape %s, but the saved weight has shape %s.'
                            % (index, layer.name, saved_name, weight.name, tuple(weight.shape), np.shape(array)))
    return problems


def _convert(layer, arrays, version, backend, reshape, saved_name):
    try:
        return preprocess_weights_for_loading(layer, arrays, version, backend, reshape=reshape)
    except (ValueError, IndexError, TypeError) as error:  # arrays of shapes the conversion cannot handle
        if layer.name in str(error):
            raise
        raise ValueError('The saved weights of layer "%s" (layer "%s" of the model) cannot be converted for it: %s'
                         % (saved_name, layer.name, error))


def _names(names):
    return ', '.join('"%s"' % name for name in names) or 'none'


def _assign(assignments):
    for weight, array in assignments:
        weight.assign(np.asarray(array, dtype=weight.dtype.as_numpy_dtype))


def load_weights_from_hdf5_group(f, layers, reshape=False):
    """Loads the weights stored in a group into `layers`, pairing the k-th saved layer that has weights
    with the k-th given layer that has weights (layer names are not compared).

    # Arguments
        f: an `h5py.Group` in the Keras 2 weights layout (a weights file's root, or `model_weights` of a
            model file), or any group-like object with the same layout.
        layers: the target layers (usually `model.layers`).
        reshape: reshape convolution kernels whose size matches but whose shape does not.

    # Raises
        ValueError: when the number of layers with weights, a layer's number of weights or a weight's
            shape differs (nothing is assigned then).
    """
    saved, version, backend = hdf5_format.read_saved_layers(f)
    layers = [layer for layer in layers if layer.weights]
    saved = [(name, arrays) for name, arrays in saved if arrays]
    if len(layers) != len(saved):
        raise ValueError('You are trying to load a weight file containing %d layers into a model with %d '
                         'layers. Layers with weights in the file: %s; in the model: %s.'
                         % (len(saved), len(layers), _names([name for name, _ in saved]),
                            _names([layer.name for layer in layers])))
    assignments = []
    for index, (layer, (name, arrays)) in enumerate(zip(layers, saved)):
        arrays = _convert(layer, arrays, version, backend, reshape, name)
        if len(arrays) != len(layer.weights):
            raise ValueError('Layer #%d (named "%s" in the current model) was found to correspond to layer %s '
                             'in the save file. However the new layer %s expects %d weights, but the saved '
                             'weights have %d elements.' % (index, layer.name, name, layer.name,
                                                            len(layer.weights), len(arrays)))
        problems = _shape_problems(layer, arrays, index, name)
        if problems:
            raise ValueError(problems[0])
        assignments.extend(zip(layer.weights, arrays))
    _assign(assignments)


def load_weights_from_hdf5_group_by_name(f, layers, skip_mismatch=False, reshape=False):
    """Loads the weights stored in a group into the given layers of the same name; saved layers without
    a namesake, and layers absent from the file, are left alone.

    # Arguments
        f: an `h5py.Group` in the Keras 2 weights layout, or any group-like object with the same layout.
        layers: the target layers.
        skip_mismatch: skip (with a warning per layer) layers whose number of weights or shapes differ,
            instead of raising.
        reshape: reshape convolution kernels whose size matches but whose shape does not.

    # Raises
        ValueError: on a mismatch, unless `skip_mismatch` (nothing is assigned then).
    """
    saved, version, backend = hdf5_format.read_saved_layers(f)
    by_layer_name = {}
    for layer in layers:
        by_layer_name.setdefault(layer.name, []).append(layer)
    assignments = []
    for index, (name, arrays) in enumerate(saved):
        for layer in by_layer_name.get(name, []):
            arrays_for_layer = _convert(layer, arrays, version, backend, reshape, name)
            if len(arrays_for_layer) != len(layer.weights):
                if skip_mismatch:
                    warnings.warn('Skipping loading of weights for layer %s due to mismatch in number of '
                                  'weights (%d vs %d).' % (layer.name, len(layer.weights), len(arrays_for_layer)))
                    continue
                raise ValueError('Layer #%d (named "%s") expects %d weight(s), but the saved weights have %d '
                                 'element(s).' % (index, layer.name, len(layer.weights), len(arrays_for_layer)))
            problems = _shape_problems(layer, arrays_for_layer, index, name)
            if problems:
                if skip_mismatch:
                    warnings.warn('Skipping loading of weights for layer %s due to mismatch in shape: %s'
                                  % (layer.name, problems[0]))
                    continue
                raise ValueError(problems[0])
            assignments.extend(zip(layer.weights, arrays_for_layer))
    _assign(assignments)
