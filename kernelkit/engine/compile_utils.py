"""What `compile` works out once: the loss, weight and metrics of each output, and their log names.

kernelkit logs a metric under the string the user gave (`'accuracy'` -> `accuracy`, `'acc'` -> `acc`,
as Keras 2.3+ does); `kernelkit.engine.logs.Logs` lets old code read either spelling.
"""
import warnings

import tensorflow as tf

from kernelkit import losses as losses_module
from kernelkit import metrics as metrics_module


class OutputSpec:
    """How one model output is trained and measured.

    # Arguments
        name: the output layer's name.
        loss_fn: the loss function, or `None` when this output takes no target.
        loss_weight: the factor of this output's loss in the total loss.
        metrics: list of `(log_name, function, weighted)` triples.
        temporal: whether sample weights are per time step (`sample_weight_mode='temporal'`).
    """

    def __init__(self, name, loss_fn, loss_weight, metrics, temporal):
        self.name = name
        self.loss_fn = loss_fn
        self.loss_weight = loss_weight
        self.metrics = metrics
        self.temporal = temporal


def _per_output(value, output_names, what, default=None):
    """Spreads a compile argument over the outputs: one value, a list, or a dict keyed by output name."""
    if isinstance(value, dict):
        unknown = [key for key in value if key not in output_names]
        if unknown:
            raise ValueError('Unknown entries in %s dictionary: %s. Only expected the following keys: %s'
                             % (what, unknown, output_names))
        return [value.get(name, default) for name in output_names], True
    if isinstance(value, (list, tuple)):
        if len(value) != len(output_names):
            raise ValueError('When passing a list as %s, it should have one entry per model output. The '
                             'model has %d outputs, but you passed %s=%s' % (what, len(output_names), what,
                                                                             list(value)))
        return list(value), False
    return [value] * len(output_names), False


def metric_log_name(identifier):
    """The key a metric is logged under: the user's string, or the function's name.

    # Arguments
        identifier: a string or a metric function.

    # Returns
        The name string.
    """
    if isinstance(identifier, str):
        return identifier
    return getattr(identifier, 'name', None) or getattr(identifier, '__name__', 'metric')


def prepare_outputs(model, loss, loss_weights=None, metrics=None, weighted_metrics=None,
                    sample_weight_mode=None):
    """Resolves the compile arguments into one `OutputSpec` per model output.

    # Arguments
        model: the model being compiled (its `output_names` and `outputs` are read).
        loss: a loss name/function, a list of them, or a dict keyed by output name.
        loss_weights: `None`, a list or a dict of floats.
        metrics: `None`, a list (for every output), a dict keyed by output name, or a list of lists.
        weighted_metrics: like `metrics`, but computed with sample weights.
        sample_weight_mode: `None`, `'temporal'`, or a list/dict of them.

    # Returns
        A list of `OutputSpec`.

    # Raises
        ValueError: for unknown names, or lists/dicts that do not match the outputs.
    """
    names = list(model.output_names)
    if loss is None:
        # Keras 2.2 reads `loss=None` as an empty dict: no output is trained on a target (the model's
        # added losses are its objective), with the same warning per output.
        loss = {}
    loss_values, loss_by_name = _per_output(loss, names, 'loss')
    if loss_by_name:
        for name, value in zip(names, loss_values):
            if value is None:
                warnings.warn('Output "%s" missing from loss dictionary. We assume this was done on purpose, '
                              'and we will not be expecting any data to be passed to "%s" during training.'
                              % (name, name))
    loss_fns = [losses_module.get(value) if value is not None else None for value in loss_values]
    if loss_weights is None:
        weights = [1.] * len(names)
    else:
        weights, _ = _per_output(loss_weights, names, 'loss_weights', default=1.)
    modes, _ = _per_output(sample_weight_mode, names, 'sample_weight_mode')
    for mode in modes:
        if mode not in (None, 'temporal'):
            raise ValueError('sample_weight_mode must be None or "temporal", got %r.' % (mode,))
    plain = _metrics_per_output(metrics, names, 'metrics')
    weighted = _metrics_per_output(weighted_metrics, names, 'weighted_metrics')
    multi = len(names) > 1
    specs = []
    for index, name in enumerate(names):
        shape = model.outputs[index].shape if model.outputs else None
        output_metrics = []
        # An output without a loss takes no target, so it has no metrics either (as in Keras 2.2).
        measured = ((plain[index], False), (weighted[index], True)) if loss_fns[index] is not None else ()
        for identifiers, is_weighted in measured:
            for identifier in identifiers:
                fn = metrics_module.resolve(identifier, loss_fns[index], shape)
                log_name = metric_log_name(identifier)
                if is_weighted:
                    log_name = 'weighted_' + log_name
                if multi:
                    log_name = '%s_%s' % (name, log_name)
                output_metrics.append((log_name, fn, is_weighted))
        specs.append(OutputSpec(name, loss_fns[index], float(weights[index]), output_metrics,
                                modes[index] == 'temporal'))
    return specs


def _metrics_per_output(metrics, names, what):
    if not metrics:
        return [[] for _ in names]
    if isinstance(metrics, dict):
        unknown = [key for key in metrics if key not in names]
        if unknown:
            raise ValueError('Unknown entries in %s dictionary: %s. Only expected the following keys: %s'
                             % (what, unknown, names))
        return [list(metrics.get(name, []) if isinstance(metrics.get(name, []), (list, tuple))
                     else [metrics[name]]) for name in names]
    if isinstance(metrics, (list, tuple)) and metrics and all(isinstance(m, (list, tuple)) for m in metrics):
        if len(metrics) != len(names):
            raise ValueError('When passing a list of lists as %s, it should have one entry per model '
                             'output. The model has %d outputs, but you passed %d.'
                             % (what, len(names), len(metrics)))
        return [list(m) for m in metrics]
    if not isinstance(metrics, (list, tuple)):
        raise TypeError('Type of `%s` argument not understood. Expected a list or dictionary, found: %r'
                        % (what, metrics))
    return [list(metrics) for _ in names]


def metrics_names(specs):
    """The names of the values `train_on_batch`/`evaluate` return, in order, made unique.

    `loss`; then `<output>_loss` per trained output when there are several outputs; then each output's
    metrics. A repeated name gets `_1`, `_2`, ... as in Keras 2.1.4+.

    # Arguments
        specs: the list of `OutputSpec`.

    # Returns
        A list of strings.
    """
    names = ['loss']
    if len(specs) > 1:
        names += ['%s_loss' % spec.name for spec in specs if spec.loss_fn is not None]
    for spec in specs:
        names += [log_name for log_name, _, _ in spec.metrics]
    unique, counts = [], {}
    for name in names:
        if name in counts:
            counts[name] += 1
            name = '%s_%d' % (name, counts[name])
        else:
            counts[name] = 0
        unique.append(name)
    return unique


def weighted_masked_mean(fn, y_true, y_pred, weights=None, mask=None):
    """Averages a per-sample loss or metric with an optional mask and sample weights (Keras 2 rules).

    Masked entries are zeroed and the rest rescaled by the fraction kept; weighted scores are divided
    by the fraction of non-zero weights, so weights of 0 and 1 select samples without changing scale.

    # Arguments
        fn: function `(y_true, y_pred) -> scores` with one score per sample (or per time step).
        y_true: target tensor.
        y_pred: prediction tensor.
        weights: `None` or a tensor of shape `(batch,)` or `(batch, timesteps)`.
        mask: `None` or a mask tensor broadcastable to the scores.

    # Returns
        A scalar tensor.
    """
    scores = fn(y_true, y_pred)
    if mask is not None:
        mask = tf.cast(mask, scores.dtype)
        scores = tf.math.divide_no_nan(scores * mask, tf.reduce_mean(mask))
    if weights is not None:
        weights = tf.cast(weights, scores.dtype)
        extra_axes = list(range(len(weights.shape), len(scores.shape)))
        if extra_axes:
            scores = tf.reduce_mean(scores, axis=extra_axes)
        nonzero = tf.reduce_mean(tf.cast(tf.not_equal(weights, 0), scores.dtype))
        scores = tf.math.divide_no_nan(scores * weights, nonzero)
    # Not reduce_mean: an empty batch (a replica's piece of a batch smaller than the number of
    # replicas, under tf.distribute) gives 0 and a zero gradient, as in tf_keras, instead of NaN.
    return tf.math.divide_no_nan(tf.reduce_sum(scores), tf.cast(tf.size(scores), scores.dtype))
