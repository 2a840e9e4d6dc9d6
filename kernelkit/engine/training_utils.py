"""Keras 2.2.4's `keras.engine.training_utils`: the data checks of `fit`, with their 2.2.4 signatures.

Old custom training code and test suites call these helpers directly (Keras 2.0 and 2.1 kept them in
`keras.engine.training` with a leading underscore: `_standardize_input_data`, `_make_batches`, ...;
both spellings are served). Each one is a thin adapter over the function the engine itself uses
(`kernelkit.engine.data_adapter`, `kernelkit.engine.compile_utils`), so there is one implementation
of every check.
"""
import numpy as np

from kernelkit.engine import data_adapter
from kernelkit.engine.compile_utils import OutputSpec, weighted_masked_mean
from kernelkit.utils.generic_utils import to_list

make_batches = data_adapter.make_batches
batch_shuffle = data_adapter.batch_shuffle


def standardize_single_array(x):
    """Turns one input into a numpy array with at least two dimensions, as Keras 2.2.4 did.

    # Arguments
        x: an array, a tensor or `None`.

    # Returns
        `None`, or a numpy array (a 1D array becomes a column).
    """
    if x is None:
        return None
    if hasattr(x, 'numpy') and not isinstance(x, np.ndarray):
        x = x.numpy()
    x = np.asarray(x)
    return np.expand_dims(x, 1) if x.ndim == 1 else x


def standardize_input_data(data, names, shapes=None, check_batch_axis=True, exception_prefix=''):
    """Normalizes the inputs (or targets) of a model to a list of arrays, one per name, and checks them.

    # Arguments
        data: an array, a list of arrays or a dict keyed by name.
        names: the expected input (or output) names, in order.
        shapes: optional expected shapes (batch dimension included).
        check_batch_axis: whether a fixed batch dimension must match.
        exception_prefix: the word used in errors (`'input'`, `'target'`).

    # Returns
        A list of numpy arrays.

    # Raises
        ValueError: for missing, extra or wrongly shaped arrays, naming the layer.
    """
    if not names:
        if data is not None and hasattr(data, '__len__') and len(data):
            raise ValueError('Error when checking model %s: expected no data, but got: %s'
                             % (exception_prefix, data))
        return []
    if data is None:
        return [None for _ in names]
    shapes = list(shapes) if shapes is not None else [None] * len(names)
    return data_adapter.standardize_arrays(data, names, shapes, [None] * len(names), exception_prefix or 'input',
                                           check_batch_axis=check_batch_axis)


def standardize_sample_or_class_weights(x_weight, output_names, weight_type):
    """Maps `sample_weight` or `class_weight` (a value, a list or a dict) onto the outputs.

    # Arguments
        x_weight: `None`, one weight object, a list (one per output) or a dict keyed by output name.
        output_names: the model's output names.
        weight_type: `'sample_weight'` or `'class_weight'`, for error messages.

    # Returns
        A list with one entry (possibly `None`) per output.

    # Raises
        ValueError: for a list of the wrong length or an unsupported type.
    """
    if x_weight is None or (isinstance(x_weight, list) and not x_weight):
        return [None for _ in output_names]
    if len(output_names) == 1:
        if isinstance(x_weight, list) and len(x_weight) == 1:
            return x_weight
        if isinstance(x_weight, dict) and output_names[0] in x_weight:
            return [x_weight[output_names[0]]]
        return [x_weight]
    if isinstance(x_weight, list):
        if len(x_weight) != len(output_names):
            raise ValueError('Provided `%s` was a list of %d elements, but the model has %d outputs. You should '
                             'provide one `%s` array per model output.'
                             % (weight_type, len(x_weight), len(output_names), weight_type))
        return x_weight
    if isinstance(x_weight, dict):
        return [x_weight.get(name) for name in output_names]
    raise TypeError('The model has multiple outputs, so `%s` should be either a list or a dict. Provided `%s` '
                    'type not understood: %r' % (weight_type, weight_type, x_weight))


def standardize_class_weights(class_weight, output_names):
    """`standardize_sample_or_class_weights` for `class_weight` (see there)."""
    return standardize_sample_or_class_weights(class_weight, output_names, 'class_weight')


def standardize_sample_weights(sample_weight, output_names):
    """`standardize_sample_or_class_weights` for `sample_weight` (see there)."""
    return standardize_sample_or_class_weights(sample_weight, output_names, 'sample_weight')


def check_array_length_consistency(inputs, targets, weights=None):
    """Checks that inputs, targets and sample weights have the same number of samples.

    # Arguments
        inputs: list of arrays.
        targets: list of arrays.
        weights: list of arrays or `None`.

    # Raises
        ValueError: naming the sample counts that disagree.
    """
    data_adapter.check_array_lengths(inputs, targets, weights)


def check_loss_and_target_compatibility(targets, loss_fns, output_shapes):
    """Catches integer targets given to `categorical_crossentropy` and targets of the wrong shape.

    # Arguments
        targets: list of target arrays.
        loss_fns: list of loss functions, one per output.
        output_shapes: list of the model's output shapes.

    # Raises
        ValueError: with the fix to apply.
    """
    specs = [OutputSpec('output_%d' % (i + 1), fn, 1., [], False) for i, fn in enumerate(loss_fns)]
    data_adapter.check_loss_and_target(targets, specs, output_shapes)


def collect_metrics(metrics, output_names):
    """Maps the `metrics` argument of `compile` onto the outputs.

    # Arguments
        metrics: `None`, a list (the same metrics for every output) or a dict keyed by output name.
        output_names: the model's output names.

    # Returns
        A list with one list of metrics per output.

    # Raises
        TypeError: for anything else.
    """
    if not metrics:
        return [[] for _ in output_names]
    if isinstance(metrics, list):
        return [list(metrics) for _ in output_names]
    if isinstance(metrics, dict):
        return [to_list(metrics.get(name, [])) for name in output_names]
    raise TypeError('Type of `metrics` argument not understood. Expected a list or dictionary, found: %r'
                    % (metrics,))


def weighted_masked_objective(fn):
    """Adds support for masking and sample weighting to a loss function.

    # Arguments
        fn: a loss function `(y_true, y_pred) -> per-sample losses`.

    # Returns
        A function `(y_true, y_pred, weights, mask=None) -> scalar`, the weighted mean the engine uses.
    """
    if fn is None:
        return None

    def weighted(y_true, y_pred, weights, mask=None):
        return weighted_masked_mean(fn, y_true, y_pred, weights, mask)

    weighted.__name__ = getattr(fn, '__name__', 'weighted')
    return weighted


def standardize_weights(y, sample_weight=None, class_weight=None, sample_weight_mode=None):
    """One weight per sample (or per time step) from `sample_weight` or `class_weight`.

    # Arguments
        y: the target array of one output.
        sample_weight: `None` or an array.
        class_weight: `None` or a dict mapping class index to weight.
        sample_weight_mode: `None` or `'temporal'`.

    # Returns
        A float32 numpy array.

    # Raises
        ValueError: for wrong shapes, an unknown mode or classes missing from `class_weight`.
    """
    if sample_weight_mode not in (None, 'temporal'):
        raise ValueError('"sample_weight_mode" should be None or "temporal". Found: %r' % (sample_weight_mode,))
    spec = OutputSpec('output', None, 1., [], sample_weight_mode == 'temporal')
    return data_adapter.standardize_weights(np.asarray(y), spec, sample_weight, class_weight)


def check_num_samples(ins, batch_size=None, steps=None, steps_name='steps'):
    """The number of samples in `ins`, or `None` when `steps` counts batches instead.

    # Arguments
        ins: list of arrays.
        batch_size: the batch size (only checked for consistency).
        steps: the number of steps, or `None`.
        steps_name: the argument's name in errors.

    # Returns
        The sample count, or `None` when `steps` is given.

    # Raises
        ValueError: when neither samples nor steps can be determined, or `batch_size` comes with `steps`.
    """
    if steps is not None and batch_size is not None:
        raise ValueError('If %s is set, the `batch_size` must be None.' % steps_name)
    if steps is None and (not ins or ins[0] is None or not hasattr(ins[0], 'shape')):
        raise ValueError('If your data is in the form of symbolic tensors, you should specify the `%s` '
                         'argument (instead of the `batch_size` argument, because symbolic tensors are '
                         'expected to produce batches of input data).' % steps_name)
    if steps is not None:
        return None
    return int(ins[0].shape[0])


def iter_sequence_infinite(seq):
    """Iterates over a `Sequence` forever, epoch after epoch.

    # Arguments
        seq: a `kernelkit.utils.Sequence`.

    # Yields
        Its batches.
    """
    while True:
        for item in seq:
            yield item


# Keras 2.0-2.1 names (`keras.engine.training` kept them private).
_standardize_input_data = standardize_input_data
_standardize_sample_weights = standardize_sample_weights
_standardize_class_weights = standardize_class_weights
_standardize_sample_or_class_weights = standardize_sample_or_class_weights
_standardize_weights = standardize_weights
_check_array_lengths = check_array_length_consistency
_check_loss_and_target_compatibility = check_loss_and_target_compatibility
_collect_metrics = collect_metrics
_weighted_masked_objective = weighted_masked_objective
_make_batches = make_batches
_batch_shuffle = batch_shuffle
_slice_arrays = data_adapter.slice_arrays
_check_num_samples = check_num_samples
