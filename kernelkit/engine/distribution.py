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

In a multi-worker job (`is_multi_worker`), a `tf.data.Dataset` is read as tf_keras reads it, through
`strategy.experimental_distribute_dataset`, so TensorFlow's auto-shard policy decides which worker reads
what (`worker_batches`); and TensorFlow's errors for a worker that died or froze become one
`WorkerStoppedError` that says which worker and how to resume (`lost_workers_reported`).
"""
import contextlib
import functools
import os
import re
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
    as tf_keras does, so a model built on its first batch gets distributed weights. In a multi-worker
    job, TensorFlow's error for a lost worker becomes a `WorkerStoppedError` (see `lost_workers_reported`).

    # Arguments
        method: the method.

    # Returns
        The wrapped method.
    """
    @functools.wraps(method)
    def wrapper(model, *args, **kwargs):
        strategy = getattr(model, '_distribution_strategy', None)
        if strategy is None:
            return method(model, *args, **kwargs)
        with scope(strategy), lost_workers_reported(strategy):
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


# ------------------------------------------------------------------------------------ multi-worker jobs
def is_multi_worker(strategy):
    """Whether `strategy`'s replicas span several worker processes (`MultiWorkerMirroredStrategy` with a
    cluster of more than one worker).

    # Arguments
        strategy: a `tf.distribute.Strategy`.

    # Returns
        A bool.
    """
    return is_replicated(strategy) and strategy.num_replicas_in_sync > len(strategy.extended.worker_devices)


class WorkerStoppedError(RuntimeError):
    """A worker of a multi-worker job stopped (its process died or its connection was lost), so the
    others cannot go on: every step all-reduces over all workers.

    # Arguments
        message: the explanation.
        task: the lost task as `'worker 1'` (its type and index), or None when TensorFlow did not say.
    """

    def __init__(self, message, task=None):
        super(WorkerStoppedError, self).__init__(message)
        self.task = task


# The TensorFlow errors a lost peer causes: a collective aborted by a reset connection (UnavailableError,
# within seconds when the process died), a collective or the coordination service timing out
# (DeadlineExceeded), or an aborted / cancelled collective; Internal and Cancelled errors only when their
# text speaks of peers, collectives or the coordination service.
_LOST_PEER_ERRORS = (tf.errors.UnavailableError, tf.errors.DeadlineExceededError, tf.errors.AbortedError)
_MAYBE_LOST_PEER_ERRORS = (tf.errors.InternalError, tf.errors.CancelledError)
_LOST_PEER_TEXT = re.compile(r'coordination|heartbeat|collective|peer|unavailable', re.IGNORECASE)
_REMOTE_TASK = re.compile(r'remote target /job:(\w+)/replica:\d+/task:(\d+)')
_ANY_TASK = re.compile(r'/job:(\w+)/replica:\d+/task:(\d+)')


def lost_task(message, own_task=None):
    """The task a TensorFlow error message says was lost, e.g. `'worker 1'`.

    # Arguments
        message: the error's text.
        own_task: this process's task as `(type, index)`, never the answer.

    # Returns
        `'TYPE INDEX'`: the remote target of a failed call, else the one other task the message names.
        None when it names none, or several (which of them was lost is then unknown).
    """
    def others(pattern):
        found = []
        for job, index in pattern.findall(message):
            task = '%s %s' % (job, index)
            if (own_task is None or (job, int(index)) != tuple(own_task)) and task not in found:
                found.append(task)
        return found

    remote = others(_REMOTE_TASK)
    if remote:
        return remote[0]
    named = others(_ANY_TASK)
    return named[0] if len(named) == 1 else None


def _own_task(strategy):
    resolver = getattr(strategy, 'cluster_resolver', None)
    if resolver is None or resolver.task_type is None:
        return None
    return resolver.task_type, int(resolver.task_id)


def is_lost_peer_error(error):
    """Whether `error`, raised by TensorFlow in a multi-worker job, means a peer was lost.

    # Arguments
        error: an exception.

    # Returns
        A bool.
    """
    if isinstance(error, _LOST_PEER_ERRORS):
        return True
    return isinstance(error, _MAYBE_LOST_PEER_ERRORS) and bool(_LOST_PEER_TEXT.search(str(error)))


@contextlib.contextmanager
def lost_workers_reported(strategy):
    """Turns TensorFlow's error for a lost worker of a multi-worker job into a `WorkerStoppedError` that
    says which worker stopped (when TensorFlow names it) and how to resume.

    Why no timeout of kernelkit's own: TensorFlow already bounds the wait. A worker whose process dies
    closes its connections, and the collective of the next step (or the one waiting now) fails with an
    UnavailableError (TF 2.21, two local workers: about 3 s after the death, tests/test_distribute.py).
    A worker that freezes without dying (SIGSTOP) stops sending heartbeats to TensorFlow's coordination
    service, which aborts the others' collectives ("tasks are unhealthy (stopped sending heartbeats)":
    about 10 s after the freeze, measured the same way). A per-collective timeout
    (`tf.distribute.experimental.CommunicationOptions(timeout_seconds=...)`) would add nothing to that and
    would also fire on a healthy job whose chief writes a long checkpoint while the others wait.

    # Arguments
        strategy: the model's strategy (other strategies pass errors through unchanged).

    # Raises
        WorkerStoppedError: in place of a lost-peer error (chained to it).
    """
    try:
        yield
    except Exception as error:  # noqa: BLE001 - re-raised unless it is a lost peer's
        if not (is_replicated(strategy) and is_multi_worker(strategy) and is_lost_peer_error(error)):
            raise
        task = lost_task(str(error), _own_task(strategy))
        raise WorkerStoppedError(
            '%s of this multi-worker job stopped (TensorFlow: %s), so this worker cannot go on: every step '
            'all-reduces over all workers. Restart the whole job; with a `keras.callbacks.BackupAndRestore` '
            'callback, `fit` resumes from the last completed epoch.'
            % ((task or 'A worker').capitalize(), type(error).__name__), task) from error


def _local_replica_ids(strategy):
    """The global replica ids (`replica_id_in_sync_group`) of this worker's replicas, in local order."""
    def replica_id():
        return tf.convert_to_tensor(tf.distribute.get_replica_context().replica_id_in_sync_group)

    ids = tf.function(lambda: strategy.run(replica_id), autograph=False)()  # eagerly, TF warns of its overhead
    return [int(value) for value in strategy.experimental_local_results(ids)]


def _global_batch_size(replicas, local_ids, local_sizes):
    """The smallest non-empty global batch size whose `np.array_split` pieces have `local_sizes` at
    `local_ids` (as `tf.data` rebatches a global batch, the first pieces one sample larger). Non-empty:
    a worker whose pieces of the last batch are empty still runs the step, as the others do."""
    for size in range(1, replicas * (max(local_sizes) + 1) + 1):
        quotient, remainder = divmod(size, replicas)
        if all(quotient + (index < remainder) == piece for index, piece in zip(local_ids, local_sizes)):
            return size
    raise ValueError('The pieces %s of replicas %s do not form one global batch of %d replicas.'
                     % (local_sizes, local_ids, replicas))


def worker_batches(strategy, dataset):
    """The batches of `dataset` in a multi-worker job, sharded across the workers by TensorFlow (its
    `auto_shard_policy`: AUTO shards by file when the dataset reads files, by element (DATA) otherwise)
    and split into per-replica pieces as tf_keras splits them (`strategy.experimental_distribute_dataset`).

    Each is given as a global batch for `split_batch`: this worker's pieces are where `split_batch` takes
    them, the other workers' places hold zeros (those workers feed their own pieces).

    # Arguments
        strategy: a multi-worker strategy.
        dataset: a batched `tf.data.Dataset` of `(x, y)` or `(x, y, sample_weight)`, or of `x`.

    # Yields
        The batches, with numpy arrays in place of tensors.
    """
    replicas = strategy.num_replicas_in_sync
    local_ids = _local_replica_ids(strategy)

    def as_global(value):
        pieces = [np.asarray(piece) for piece in strategy.experimental_local_results(value)]
        size = _global_batch_size(replicas, local_ids, [len(piece) for piece in pieces])
        sizes = [len(split) for split in np.array_split(np.empty(size), replicas)]
        parts = [np.zeros((count,) + pieces[0].shape[1:], pieces[0].dtype) for count in sizes]
        for index, piece in zip(local_ids, pieces):
            parts[index] = piece
        return np.concatenate(parts)

    for element in strategy.experimental_distribute_dataset(dataset):
        yield tf.nest.map_structure(as_global, element)
