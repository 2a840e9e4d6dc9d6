"""The one epoch loop of `fit` and `fit_generator`.

`train_epochs` runs epochs of batches through the model's compiled train step and drives the callbacks.
Where the batches come from is a *batch source*:

- `ArrayBatches`: numpy arrays, sliced (and shuffled) every epoch, as `fit` feeds them;
- `training_generator.FeedBatches`: a `Sequence`, a generator or a `tf.data.Dataset`, read through its
  workers, as `fit_generator` (and `fit(x=generator)`) feed them.

A source yields `(step, inputs, targets, weights, size)` for each batch of an epoch, where `step` is the
compiled function for those arrays and `size` what the batch counts for in the epoch's averages. It is a
context manager (the workers run while it is entered), and `end_epoch` says whether the epoch happened.

Keras 2.2's two loops differed in two ways, kept here as the parameters of `train_epochs`:

- `fit` starts every epoch with new epoch logs; `fit_generator` creates them once, so a value written by
  a callback (such as `lr` by `ReduceLROnPlateau`) carries over (`fresh_epoch_logs`);
- `fit` validates at the end of an epoch unless a callback stopped training; `fit_generator` with
  `steps_per_epoch` validates right after the last step, even when a callback asked to stop during it
  (`validate_after_last_step`).

An exception (Ctrl-C included) stops the source's workers, then runs `on_train_end` with
`logs['interrupted']` True (Keras 2.2 skipped it; see `end_interrupted_training`), then reaches the caller.
"""
import warnings

import numpy as np

from kernelkit.engine import data_adapter
from kernelkit.engine.logs import Logs


class ArrayBatches(object):
    """The batches of in-memory arrays for `fit`.

    # Arguments
        step: the compiled train function for these arrays.
        inputs, targets, weights: lists of numpy arrays of the same length.
        batch_size: samples per batch.
        shuffle: `True`, `'batch'` (shuffle batch-sized chunks) or `False`.
        steps_per_epoch: batches per epoch (cycling over the data), or None for one pass. As in Keras 2.2,
            a step then counts as one sample in the epoch's averages.
    """

    def __init__(self, step, inputs, targets, weights, batch_size, shuffle, steps_per_epoch):
        self.step = step
        self.arrays = inputs + targets + weights
        self.counts = len(inputs), len(targets)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.steps_per_epoch = steps_per_epoch
        self.samples = len(inputs[0])
        self.index_array = np.arange(self.samples)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def epoch(self):
        """Yields `(step, inputs, targets, weights, size)` for each batch of one epoch."""
        if self.shuffle == 'batch':
            self.index_array = data_adapter.batch_shuffle(self.index_array, self.batch_size)
        elif self.shuffle:
            np.random.shuffle(self.index_array)
        batches = data_adapter.make_batches(self.samples, self.batch_size)
        if self.steps_per_epoch is not None:
            batches = [batches[i % len(batches)] for i in range(self.steps_per_epoch)]
        n_in, n_out = self.counts
        for start, end in batches:
            if self.shuffle:
                batch = data_adapter.slice_arrays(self.arrays, indices=self.index_array[start:end])
            else:
                batch = data_adapter.slice_arrays(self.arrays, start=start, stop=end)
            size = 1 if self.steps_per_epoch is not None else end - start
            yield self.step, batch[:n_in], batch[n_in:n_in + n_out], batch[n_in + n_out:], size

    def end_epoch(self, model, epoch, steps_done):
        """Arrays never run out: every epoch is reported."""
        return True


def train_epochs(model, callback_list, source, epochs, initial_epoch=0, validate=None, fresh_epoch_logs=True,
                 validate_after_last_step=None, callback_model=None):
    """Trains `model` for the epochs `initial_epoch` to `epochs` on the batches of `source`.

    # Arguments
        model: the compiled model.
        callback_list: its `CallbackList` (model and params already set).
        source: a batch source (see the module docstring).
        epochs, initial_epoch: as in `fit`. A callback restoring a backup in `on_train_begin` may move
            `initial_epoch` later (`Model._initial_epoch_after_restore`).
        validate: None, or a function filling an epoch's `Logs` with the `val_` values.
        fresh_epoch_logs: new epoch logs every epoch (`fit`), or one object for all epochs (`fit_generator`).
        validate_after_last_step: None to validate at the end of an epoch unless training was stopped, or
            the number of steps after which to validate within the epoch (`fit_generator` with
            `steps_per_epoch`).
        callback_model: the model whose `stop_training` the callbacks set (default `model`).

    # Returns
        The model's `History`.
    """
    callback_model = callback_model or model
    out_labels = list(model.metrics_names)
    callback_list.on_train_begin()
    callback_model.stop_training = False
    initial_epoch = model._initial_epoch_after_restore(initial_epoch)
    epoch_logs = Logs()
    try:
        with source:
            for epoch in range(initial_epoch, epochs):
                callback_list.on_epoch_begin(epoch)
                if fresh_epoch_logs:
                    epoch_logs = Logs()
                steps_done = 0
                for step, inputs, targets, weights, size in source.epoch():
                    batch_logs = Logs(batch=steps_done, size=size)
                    callback_list.on_batch_begin(steps_done, batch_logs)
                    values = step(inputs, targets, weights).numpy()
                    for name, value in zip(out_labels, values.tolist()):
                        batch_logs[name] = value
                    callback_list.on_batch_end(steps_done, batch_logs)
                    steps_done += 1
                    if validate is not None and validate_after_last_step == steps_done:
                        validate(epoch_logs)
                    if callback_model.stop_training:
                        break
                if validate is not None and validate_after_last_step is None and not callback_model.stop_training:
                    validate(epoch_logs)
                if not source.end_epoch(callback_model, epoch, steps_done):
                    break
                callback_list.on_epoch_end(epoch, epoch_logs)
                if callback_model.stop_training:
                    break
    except BaseException:  # KeyboardInterrupt too: the workers are stopped (by `with`), then the callbacks end
        end_interrupted_training(callback_model, callback_list)
        raise
    callback_list.on_train_end()
    return model.history


def end_interrupted_training(model, callback_list):
    """Ends training that an exception (a `KeyboardInterrupt`, an error in a callback or in the data)
    cut short: runs every callback's `on_train_end`, so files are completed and closed.

    Keras 2.2 (and tf_keras) skip `on_train_end` then; kernelkit runs it with `logs['interrupted']`
    True and `model.stop_training` True, so a callback can tell (`BackupAndRestore` keeps its backup).
    An error raised by a callback there is turned into a warning: the exception that stopped training
    is the one the caller sees.

    # Arguments
        model: the model being trained (the callbacks' model).
        callback_list: the `CallbackList` whose `on_train_begin` ran.
    """
    model.stop_training = True
    try:
        callback_list.on_train_end(Logs(interrupted=True))
    except Exception as error:  # noqa: BLE001 - the interruption is what the caller must see
        warnings.warn('A callback failed in `on_train_end` after training was interrupted: %s: %s'
                      % (type(error).__name__, error), RuntimeWarning)
