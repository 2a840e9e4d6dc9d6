"""How a compiled step runs on several replicas under a `tf.distribute` strategy.

A model compiled inside `strategy.scope()` keeps that strategy. With one replica (the default strategy,
`OneDeviceStrategy`) the step runs as it is. With several (`MirroredStrategy`,
`MultiWorkerMirroredStrategy`), each step follows tf_keras's semantics:

- the global batch, given as numpy arrays, is split into one piece per replica (`split_batch`; as
  `tf.data` rebatches, the first pieces take one sample more when the batch does not divide evenly, and
  in a multi-worker job each worker feeds only its own replicas' pieces);
- every replica computes the loss over its piece, and the gradients are averaged over all replicas
  (`mean_over_replicas`), which is the gradient of the global batch's loss when the pieces are equal;
  every replica then applies the same update, so the weights stay identical on all devices and workers;
- the logged loss and metrics are their mean over all samples of the global batch (as tf_keras's
  stateful metrics give them); predictions are gathered in batch order (on every worker).

Weights are created with aggregations that make this exact (see `Layer.add_weight`): trainable weights
take the first replica's value (all replicas hold the same one); other float state, such as
`BatchNormalization`'s moving statistics, takes the mean of the replicas' updates, as in tf_keras.
"""
import contextlib
import functools
import os
import shutil
import tempfile

import numpy as np
import tensorflow as tf


def strategy_of(model):
    """The strategy `model` was compiled under (the current one if it was not compiled).

    # Arguments
        model: a `Model`.

    # Returns
        A `tf.distribute.Strategy`.
    """
    return getattr(model, '_distribution_strategy', None) or tf.distribute.get_strategy()


def strategy_for_compile(model):
    """The strategy `compile` records: the current one inside a `strategy.scope()`; outside any scope,
    the one the model's weights were created in (as tf_keras keeps the strategy of model creation), or
    the default strategy.

    # Arguments
        model: a `Model`.

    # Returns
        A `tf.distribute.Strategy`.
    """
    if tf.distribute.has_strategy():
        return tf.distribute.get_strategy()
    for weight in model.weights:
        strategy = getattr(weight, '_distribute_strategy', None)
        if strategy is not None:
            return strategy
    return tf.distribute.get_strategy()


def optimizer_for(strategy, optimizer):
    """`optimizer`, or a fresh copy of it made in `strategy`'s scope when the strategy is replicated but
    the optimizer's variables (`iterations`, the hyper-parameters) were created outside it, as when a
    Keras 2 program compiles the model of `multi_gpu_model` with an optimizer made beforehand.

    # Arguments
        strategy: the model's strategy (its scope is entered by the caller).
        optimizer: an optimizer instance.

    # Returns
        An optimizer whose variables belong to `strategy`.

    # Raises
        ValueError: when that optimizer has already trained (its state cannot be moved into the strategy).
    """
    iterations = getattr(optimizer, 'iterations', None)
    if not is_replicated(strategy) or iterations is None or isinstance(iterations, tf.distribute.DistributedValues):
        return optimizer
    if int(iterations.numpy()) != 0:
        raise ValueError('The optimizer %s was created outside the scope of the %s this model is compiled in, '
                         'and has already trained for %d steps. Create the optimizer inside '
                         '`strategy.scope()`.' % (type(optimizer).__name__, type(strategy).__name__,
                                                   int(iterations.numpy())))
    return type(optimizer).from_config(optimizer.get_config())


def is_replicated(strategy):
    """Whether `strategy` runs a step on more than one replica.

    # Arguments
        strategy: a `tf.distribute.Strategy`.

    # Returns
        A bool.
    """
    return strategy.num_replicas_in_sync > 1


def scope(strategy):
    """`strategy.scope()`, or a no-op context when that strategy is already current (or is the default
    one), so that variables created while training a distributed model (optimizer slots, weights of a
    model built on its first batch) are distributed variables too.

    # Arguments
        strategy: a `tf.distribute.Strategy`.

    # Returns
        A context manager.
    """
    if strategy is tf.distribute.get_strategy():
        return contextlib.nullcontext()
    return strategy.scope()


def in_model_scope(method):
    """Decorates a `Model` method (`fit`, `predict`, ...) to run in the scope of the model's strategy,
    as tf_keras does, so a model built on its first batch gets distributed weights.

    # Arguments
        method: the method.

    # Returns
        The wrapped method.
    """
    @functools.wraps(method)
    def wrapper(model, *args, **kwargs):
        strategy = getattr(model, '_distribution_strategy', None)
        if strategy is None or strategy is tf.distribute.get_strategy():
            return method(model, *args, **kwargs)
        with strategy.scope():
            return method(model, *args, **kwargs)
    return wrapper


def variable_aggregation(trainable, dtype):
    """The `tf.VariableAggregation` of a layer weight (see the module docstring).

    # Arguments
        trainable: whether the optimizer updates the weight.
        dtype: its dtype.

    # Returns
        `ONLY_FIRST_REPLICA` for trainable and non-float weights, `MEAN` for other float weights.
    """
    if trainable or not tf.as_dtype(dtype).is_floating:
        return tf.VariableAggregation.ONLY_FIRST_REPLICA
    return tf.VariableAggregation.MEAN


def split_batch(strategy, array_lists):
    """Turns one global batch into per-replica values for `strategy.run`.

    # Arguments
        strategy: a replicated `tf.distribute.Strategy`.
        array_lists: a list of lists of numpy arrays (inputs, targets, sample weights), all of the same
            length along the first axis.

    # Returns
        The same nesting, with a distributed value in place of each array.
    """
    replicas = strategy.num_replicas_in_sync
    pieces = [[np.array_split(array, replicas) for array in arrays] for arrays in array_lists]  # once per batch

    def piece(context):
        index = context.replica_id_in_sync_group
        return [[tf.constant(split[index]) for split in splits] for splits in pieces]

    return strategy.experimental_distribute_values_from_function(piece)


def mean_over_replicas(grads):
    """Averages gradients over the replicas (inside the replicated step). `None` entries stay `None`.

    # Arguments
        grads: list of gradient tensors (or `None`), one per trained weight.

    # Returns
        The list of averaged gradients.
    """
    present = [i for i, grad in enumerate(grads) if grad is not None]
    if not present:
        return grads
    context = tf.distribute.get_replica_context()
    reduced = context.all_reduce(tf.distribute.ReduceOp.MEAN,
                                 [tf.convert_to_tensor(grads[i]) for i in present])
    grads = list(grads)
    for i, value in zip(present, reduced):
        grads[i] = value
    return grads


def gather_predictions(outputs):
    """Inside the replicated step: the outputs of every replica, concatenated in batch order (each
    replica then holds all of them; pieces may differ in length).

    # Arguments
        outputs: list of this replica's output tensors.

    # Returns
        The list of gathered tensors.
    """
    return tf.distribute.get_replica_context().all_gather(outputs, axis=0)


def weighted_by_piece(values, inputs):
    """Inside the replicated step: a replica's losses and metrics times the size of its piece, and that
    size, so that `combine` gives the mean over all samples of the global batch, as tf_keras logs it.

    # Arguments
        values: 1-D tensor of this replica's batch means.
        inputs: this replica's input tensors.

    # Returns
        One vector: `values * size`, then `size`.
    """
    size = tf.cast(tf.shape(inputs[0])[0], values.dtype)
    return tf.concat([values * size, [size]], axis=0)


def combine(strategy, kind, result):
    """The step's per-replica result as one value: the mean of the losses and metrics over the samples
    of the global batch (from `weighted_by_piece`), or (for 'predict', already gathered by
    `gather_predictions`) this worker's first copy.

    # Arguments
        strategy: the replicated strategy.
        kind: 'train', 'test' or 'predict'.
        result: what `strategy.run` returned.

    # Returns
        Tensors in the cross-replica context.
    """
    if kind == 'predict':
        return strategy.experimental_local_results(result)[0]
    totals = strategy.reduce(tf.distribute.ReduceOp.SUM, result, axis=None)
    return tf.math.divide_no_nan(totals[:-1], totals[-1])


def is_chief(strategy=None):
    """Whether this process writes the files of a (multi-worker) job: always, except on the workers of
    a `MultiWorkerMirroredStrategy` other than the chief (task `chief`, or `worker` 0 when the cluster
    has no chief).

    # Arguments
        strategy: a strategy (default: the current one).

    # Returns
        A bool.
    """
    strategy = strategy or tf.distribute.get_strategy()
    return bool(getattr(strategy.extended, 'should_checkpoint', True))


@contextlib.contextmanager
def chief_writes(filepath, strategy=None):
    """Where this process should write `filepath`: the path itself on the chief; on the other workers
    of a multi-worker job a file in a private temporary folder, removed afterwards, so that they run
    the same code without overwriting the chief's file.

    # Arguments
        filepath: the path the user asked for (an open h5py object passes through unchanged).
        strategy: the model's strategy (default: the current one).

    # Yields
        The path to write.
    """
    if not isinstance(filepath, (str, bytes, os.PathLike)) or is_chief(strategy):
        yield filepath
        return
    folder = tempfile.mkdtemp(prefix='kernelkit-worker-')
    try:
        yield os.path.join(folder, os.path.basename(os.fspath(filepath)))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
