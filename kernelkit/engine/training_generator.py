"""The loops of `fit_generator`, `evaluate_generator` and `predict_generator` (Keras 2.2).

They read batches from a `keras.utils.Sequence`, a Python generator (or any iterator) or a
`tf.data.Dataset`. Sequences and generators are read through an `OrderedEnqueuer` /
`GeneratorEnqueuer` when `workers > 0` (threads, or processes with `use_multiprocessing=True`), in the
calling thread when `workers=0`. Every batch is checked and ordered with `model._standardize_user_data`
and given to the model's compiled step for its input signature (`model._function`), the same step `fit`
uses, so batches of the usual dtypes never trigger a new trace.

`fit(x=...)`, `evaluate(x=...)` and `predict(x=...)` use these loops too when `x` is one of these data
sources, with `steps` defaulting to `len(sequence)` or to one pass over a dataset.

How `fit_generator` drives the callbacks (Keras 2.2): the callbacks are `BaseLogger`, `ProgbarLogger`
(counting steps, only when `verbose`), the user's, then `History`; `params` holds `epochs`, `steps`,
`verbose`, `do_validation` and `metrics` (always with the `val_` names). The epochs themselves run in
the one epoch loop of `training_loop` (shared with `fit`), fed by `FeedBatches`: one `Logs` object for
all epochs, and validation right after the last step of an epoch.
"""
import inspect
import os
import sys
import warnings

import numpy as np
import tensorflow as tf

from kernelkit.engine import distribution, training_loop
from kernelkit.engine.training_utils import iter_sequence_infinite  # noqa: F401 (its Keras 2.2.4 path)
from kernelkit.utils.enqueuers import GeneratorEnqueuer, OrderedEnqueuer, Sequence, iterate_sequence
from kernelkit.utils.generic_utils import to_list, unpack_singleton
from kernelkit.utils.interrupts import deferred_interrupts

# `wait_time` of the generator enqueuers started by the loops, as in Keras 2.2.
_WAIT_TIME = 0.01


def data_kind(data):
    """Tells which kind of data source `data` is.

    # Arguments
        data: anything passed as `x` or as a generator.

    # Returns
        `'sequence'` for a `keras.utils.Sequence`, `'dataset'` for a `tf.data.Dataset`, `'generator'` for
        a Python generator or another iterator, None for anything else (arrays, lists, dicts).
    """
    if isinstance(data, Sequence):
        return 'sequence'
    if isinstance(data, tf.data.Dataset):
        return 'dataset'
    if isinstance(data, (np.ndarray, list, tuple, dict, str, bytes)) or tf.is_tensor(data):
        return None
    if inspect.isgenerator(data) or hasattr(data, '__next__'):
        return 'generator'
    return None


def _check_count(name, value, allow_zero=False):
    if value is None:
        return None
    lowest = 0 if allow_zero else 1
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < lowest:
        raise ValueError('`%s` must be %s integer, got %r.'
                         % (name, 'a non-negative' if allow_zero else 'a positive', value))
    return int(value)


class _Feed(object):
    """The batches of one loop, read from a `Sequence`, a generator or a `tf.data.Dataset`.

    `steps` is the number of batches per epoch; None (datasets of unknown size only) means "until the
    dataset is exhausted". `next_batch()` raises `StopIteration` when the data ran out.

    # Arguments
        data: the data source.
        steps: the batches per epoch asked by the user, or None.
        steps_name: the name of that argument, for error messages.
        workers, use_multiprocessing, max_queue_size: how to read a Sequence or a generator.
        shuffle: whether to shuffle the batch order of a Sequence.
        method: the name of the calling method, for error messages.
    """

    def __init__(self, data, steps, steps_name, workers, use_multiprocessing, max_queue_size, shuffle, method):
        self.kind = data_kind(data)
        if self.kind is None:
            raise TypeError('`%s` expects a generator, a `keras.utils.Sequence` or a `tf.data.Dataset`, got %s.'
                            % (method, _describe(data)))
        self.data = data
        self.workers = workers
        self.use_multiprocessing = use_multiprocessing
        self.max_queue_size = max_queue_size
        self.shuffle = shuffle
        self._enqueuer = None
        self._iterator = None
        self._recreate = False
        if self.kind == 'sequence':
            if steps is None:
                steps = len(data)
                if steps <= 0:
                    raise ValueError('`%s`: the Sequence has length %d, so there are no batches to use.'
                                     % (method, steps))
        elif self.kind == 'generator':
            if steps is None:
                raise ValueError('`%s=None` is only valid for a generator based on the `keras.utils.Sequence` '
                                 'class. Please specify `%s` or use the `keras.utils.Sequence` class.'
                                 % (steps_name, steps_name))
        else:
            size = int(tf.data.experimental.cardinality(data).numpy())
            if size == tf.data.experimental.INFINITE_CARDINALITY and steps is None:
                raise ValueError('The dataset given to `%s` repeats forever: please specify `%s`.'
                                 % (method, steps_name))
            if size == 0:
                raise ValueError('The dataset given to `%s` is empty: it has no batches.' % (method,))
            # As tf.keras: a new pass over the dataset every epoch unless `steps` reads part of it.
            self._recreate = steps is None or steps == size
            if steps is None and size > 0:
                steps = size
        self.steps = steps

    def start(self):
        """Starts the workers (Sequences and generators) or the dataset iterator."""
        if self.kind == 'sequence':
            if self.workers > 0:
                self._enqueuer = OrderedEnqueuer(self.data, use_multiprocessing=self.use_multiprocessing,
                                                 shuffle=self.shuffle)
                self._enqueuer.start(workers=self.workers, max_queue_size=self.max_queue_size)
                self._iterator = self._enqueuer.get()
            else:
                self._iterator = iterate_sequence(self.data, shuffle=self.shuffle)
        elif self.kind == 'generator':
            if self.workers > 0:
                self._enqueuer = GeneratorEnqueuer(self.data, use_multiprocessing=self.use_multiprocessing,
                                                   wait_time=_WAIT_TIME)
                self._enqueuer.start(workers=self.workers, max_queue_size=self.max_queue_size)
                self._iterator = self._enqueuer.get()
            else:
                self._iterator = self.data
        elif not self._recreate:
            self._iterator = self._dataset_iterator()

    def begin_epoch(self):
        """Starts a new pass over a dataset read whole every epoch."""
        if self._recreate:
            self._iterator = self._dataset_iterator()

    def _dataset_iterator(self):
        """An iterator over the dataset; in a multi-worker job (the strategy of the model's scope, which
        the loops run in) over this worker's shard, as tf_keras reads it (`distribution.worker_batches`).
        A Sequence or a generator is not sharded: each worker feeds its own pieces of every batch it
        yields, which is what tf_keras's DATA policy gives for them."""
        strategy = tf.distribute.get_strategy()
        if distribution.is_multi_worker(strategy):
            return distribution.worker_batches(strategy, self.data)
        return iter(self.data)

    def next_batch(self):
        """The next batch; raises `StopIteration` when the data ran out."""
        return next(self._iterator)

    def stop(self):
        """Stops the workers; leaves no thread or process behind (a Ctrl-C waits until they are gone)."""
        with deferred_interrupts():
            enqueuer, self._enqueuer = self._enqueuer, None
            self._iterator = None
            if enqueuer is not None:
                enqueuer.stop()


def _describe(data):
    if hasattr(data, 'shape'):
        return '%s of shape %s' % (type(data).__name__, tuple(data.shape))
    return 'a %s' % type(data).__name__


def _unpack_training_batch(output):
    """`(x, y)` or `(x, y, sample_weight)` from what a generator yielded."""
    if isinstance(output, (tuple, list)) and len(output) in (2, 3):
        x, y = output[0], output[1]
        return x, y, output[2] if len(output) == 3 else None
    raise ValueError('Output of generator should be a tuple `(x, y, sample_weight)` or `(x, y)`. Found: '
                     + str(output))


def _unpack_inputs(output):
    """`x` from what a generator yielded for `predict_generator`: `x`, `(x,)`, `(x, y)` or `(x, y, w)`."""
    if isinstance(output, tuple):
        if len(output) in (1, 2, 3):
            return output[0]
        raise ValueError('Output of generator should be a tuple `(x, y, sample_weight)` or `(x, y)`. Found: '
                         + str(output))
    return output


def _batch_size(inputs):
    size = len(inputs[0]) if inputs else 1
    if size == 0:
        raise ValueError('Received an empty batch. Batches should contain at least one item.')
    return size


_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _user_stacklevel():
    """The `stacklevel` of the caller's first frame outside kernelkit (the user's `fit_generator` line)."""
    frame, level = sys._getframe(2), 2
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame, level = frame.f_back, level + 1
    return level


def _ran_out(method, steps, steps_done, what):
    warnings.warn('Your input ran out of data: `%s` got %d of the %d %s it asked for. Make sure that your '
                  'generator or dataset can yield at least that many batches (`steps_per_epoch * epochs` '
                  'for training).' % (method, steps_done, steps, what), stacklevel=_user_stacklevel())


def _progbar(target, verbose):
    if verbose != 1:
        return None
    from kernelkit.utils.progbar import Progbar
    return Progbar(target=target)


def _start_feed(feed, stack):
    with deferred_interrupts():  # on the stack of feeds to stop before anything can interrupt it
        stack.append(feed)
        feed.start()
    return feed


def _stop_feeds(feeds):
    """Stops every feed, even when stopping one of them fails; re-raises the first failure."""
    first = None
    while feeds:
        try:
            feeds.pop().stop()
        except BaseException as error:  # noqa: BLE001
            first = first or error
    if first is not None:
        raise first


def _test_feed(model, feed, steps, method, verbose=0):
    """Evaluates `steps` batches of `feed` (all of them when None); returns the averaged values.

    The values of each batch are weighted by its number of samples, as `evaluate` does.
    """
    progbar = _progbar(steps, verbose)
    totals, seen, steps_done = None, 0, 0
    feed.begin_epoch()
    while steps is None or steps_done < steps:
        try:
            output = feed.next_batch()
        except StopIteration:
            if steps is not None:
                _ran_out(method, steps, steps_done, 'steps')
            break
        x, y, sample_weight = _unpack_training_batch(output)
        inputs, targets, weights = model._standardize_user_data(x, y, sample_weight)
        size = _batch_size(inputs)
        values = model._function('test', inputs, targets, weights)(inputs, targets, weights)
        values = values.numpy().astype('float64')
        totals = values * size if totals is None else totals + values * size
        seen += size
        steps_done += 1
        if progbar is not None:
            progbar.update(steps_done)
    if totals is None:
        raise ValueError('`%s` got no batches to evaluate: the generator or dataset yielded nothing.' % method)
    return (totals / seen).tolist()


def _check_common(workers, max_queue_size):
    _check_count('workers', workers, allow_zero=True)
    if isinstance(max_queue_size, bool) or not isinstance(max_queue_size, (int, np.integer)):
        raise ValueError('`max_queue_size` must be an integer, got %r.' % (max_queue_size,))


def fit_generator(model, generator, steps_per_epoch=None, epochs=1, verbose=1, callbacks=None,
                  validation_data=None, validation_steps=None, class_weight=None, max_queue_size=10, workers=1,
                  use_multiprocessing=False, shuffle=True, initial_epoch=0):
    """Trains `model` on data generated batch-by-batch (the loop of `Model.fit_generator`).

    # Arguments
        model: a compiled `Model`.
        (the others): as `Model.fit_generator`.

    # Returns
        The `History` object.
    """
    from kernelkit import callbacks as callbacks_module
    model._check_compiled()
    steps_per_epoch = _check_count('steps_per_epoch', steps_per_epoch)
    validation_steps = _check_count('validation_steps', validation_steps)
    _check_common(workers, max_queue_size)
    epochs = _check_count('epochs', epochs, allow_zero=True)
    initial_epoch = _check_count('initial_epoch', initial_epoch, allow_zero=True)

    kind = data_kind(generator)
    if kind == 'generator' and use_multiprocessing and workers > 1:
        warnings.warn(UserWarning('Using a generator with `use_multiprocessing=True` and multiple workers may '
                                  'duplicate your data. Please consider using the`keras.utils.Sequence class.'))
    train_feed = _Feed(generator, steps_per_epoch, 'steps_per_epoch', workers, use_multiprocessing,
                       max_queue_size, shuffle, 'fit_generator')
    steps_per_epoch = train_feed.steps

    # Validation data: a data source read through its own feed, or arrays checked once, here.
    do_validation = validation_data is not None
    val_feed, val_arrays = None, None
    if do_validation:
        if data_kind(validation_data) is not None:
            if data_kind(validation_data) == 'generator' and validation_steps is None:
                raise ValueError('`validation_steps=None` is only valid for a generator based on the '
                                 '`keras.utils.Sequence` class. Please specify `validation_steps` or use the '
                                 '`keras.utils.Sequence` class.')
            val_feed = _Feed(validation_data, validation_steps, 'validation_steps', workers, use_multiprocessing,
                             max_queue_size, False, 'fit_generator')
            validation_steps = val_feed.steps
        else:
            if not isinstance(validation_data, (list, tuple)) or len(validation_data) not in (2, 3):
                raise ValueError('`validation_data` should be a tuple `(val_x, val_y, val_sample_weight)` or '
                                 '`(val_x, val_y)`. Found: ' + str(validation_data))
            val_x, val_y = validation_data[0], validation_data[1]
            val_w = validation_data[2] if len(validation_data) == 3 else None
            val_arrays = model._standardize_user_data(val_x, val_y, val_w)

    out_labels = list(getattr(model, 'metrics_names', None) or ['loss'])
    callback_metrics = out_labels + ['val_' + name for name in out_labels]
    history = callbacks_module.History()
    callback_list = callbacks_module.loggers.training_callback_list(callbacks, history, verbose, 'steps')
    model.history = history
    callback_model = getattr(model, 'callback_model', None) or model
    callback_list.set_model(callback_model)
    callback_list.set_params({'epochs': epochs, 'steps': steps_per_epoch, 'verbose': verbose,
                              'do_validation': do_validation, 'metrics': callback_metrics})
    if val_arrays is not None:
        for callback in callback_list:
            callback.validation_data = val_arrays[0] + val_arrays[1] + val_arrays[2]
    source = FeedBatches(model, train_feed, val_feed, class_weight, epochs, initial_epoch)

    def validate(epoch_logs):
        if val_feed is not None:
            values = _test_feed(model, val_feed, validation_steps, 'fit_generator')
        else:
            values = model._test_loop(*val_arrays, batch_size=source.largest_batch, steps=validation_steps)
        for name, value in zip(out_labels, to_list(values)):
            epoch_logs['val_' + name] = value

    return training_loop.train_epochs(model, callback_list, source, epochs, initial_epoch,
                                      validate=validate if do_validation else None, fresh_epoch_logs=False,
                                      validate_after_last_step=steps_per_epoch, callback_model=callback_model)


class FeedBatches(object):
    """The batch source of `fit_generator` for `training_loop.train_epochs`: the batches of a `_Feed`
    (with its workers running while the source is entered), each checked and ordered by the model.

    # Arguments
        model: the model.
        train_feed: the `_Feed` of the training data.
        val_feed: the `_Feed` of the validation data, or None (started and stopped with the training one).
        class_weight: as in `fit_generator`.
        epochs, initial_epoch: for the count in the "ran out of data" warning.
    """

    def __init__(self, model, train_feed, val_feed, class_weight, epochs, initial_epoch):
        self.model = model
        self.train_feed, self.val_feed = train_feed, val_feed
        self.class_weight = class_weight
        self.epochs, self.initial_epoch = epochs, initial_epoch
        self.largest_batch = 1  # the batch size of validation arrays, as in Keras 2.2
        self.ran_out = False
        self._feeds = []

    def __enter__(self):
        if self.val_feed is not None:
            _start_feed(self.val_feed, self._feeds)
        _start_feed(self.train_feed, self._feeds)
        return self

    def __exit__(self, *exc):
        _stop_feeds(self._feeds)
        return False

    def epoch(self):
        """Yields `(step, inputs, targets, weights, size)` for each batch of one epoch."""
        self.train_feed.begin_epoch()
        steps, steps_done = self.train_feed.steps, 0
        self.ran_out = False
        while steps is None or steps_done < steps:
            try:
                output = self.train_feed.next_batch()
            except StopIteration:
                self.ran_out = steps is not None
                return
            x, y, sample_weight = _unpack_training_batch(output)
            output = None
            inputs, targets, weights = self.model._standardize_user_data(x, y, sample_weight, self.class_weight)
            size = _batch_size(inputs)
            self.largest_batch = max(self.largest_batch, size)
            steps_done += 1
            yield self.model._function('train', inputs, targets, weights), inputs, targets, weights, size

    def end_epoch(self, model, epoch, steps_done):
        """After the batches of an epoch: when the data ran out, warns and stops training. Returns whether
        the epoch is reported (not when it trained nothing)."""
        if not self.ran_out:
            return True
        steps = self.train_feed.steps
        _ran_out('fit_generator', steps * (self.epochs - self.initial_epoch),
                 steps * (epoch - self.initial_epoch) + steps_done, 'batches')
        model.stop_training = True
        return steps_done != 0


def evaluate_generator(model, generator, steps=None, max_queue_size=10, workers=1, use_multiprocessing=False,
                       verbose=0):
    """Evaluates `model` on a data generator (the loop of `Model.evaluate_generator`).

    # Arguments
        model: a compiled `Model`.
        (the others): as `Model.evaluate_generator`.

    # Returns
        The scalar loss, or the list of values named by `model.metrics_names`.
    """
    model._check_compiled()
    steps = _check_count('steps', steps)
    _check_common(workers, max_queue_size)
    feed = _Feed(generator, steps, 'steps', workers, use_multiprocessing, max_queue_size, False,
                 'evaluate_generator')
    feeds = []
    try:
        _start_feed(feed, feeds)
        values = _test_feed(model, feed, feed.steps, 'evaluate_generator', verbose=verbose)
    finally:
        _stop_feeds(feeds)
    return values[0] if len(values) == 1 else values


def predict_generator(model, generator, steps=None, max_queue_size=10, workers=1, use_multiprocessing=False,
                      verbose=0):
    """Generates predictions for the batches of a data generator (the loop of `Model.predict_generator`).

    # Arguments
        model: a `Model`.
        (the others): as `Model.predict_generator`.

    # Returns
        A numpy array of predictions, or a list of them for a model with several outputs.
    """
    steps = _check_count('steps', steps)
    _check_common(workers, max_queue_size)
    feed = _Feed(generator, steps, 'steps', workers, use_multiprocessing, max_queue_size, False,
                 'predict_generator')
    steps = feed.steps
    progbar = _progbar(steps, verbose)
    all_outs = []
    steps_done = 0
    feeds = []
    try:
        _start_feed(feed, feeds)
        feed.begin_epoch()
        while steps is None or steps_done < steps:
            try:
                output = feed.next_batch()
            except StopIteration:
                if steps is not None:
                    _ran_out('predict_generator', steps, steps_done, 'steps')
                break
            x = _unpack_inputs(output)
            output = None
            model._ensure_ready(x)
            inputs = model._standardize_inputs(x)
            _batch_size(inputs)
            outs = model._function('predict', inputs)(inputs)
            outs = [o.numpy() for o in to_list(outs)]
            if not all_outs:
                all_outs = [[] for _ in outs]
            for i, out in enumerate(outs):
                all_outs[i].append(out)
            steps_done += 1
            if progbar is not None:
                progbar.update(steps_done)
    finally:
        _stop_feeds(feeds)
    if not all_outs:
        raise ValueError('`predict_generator` got no batches to predict: the generator or dataset yielded nothing.')
    if steps_done == 1:
        return unpack_singleton([parts[0] for parts in all_outs])
    return unpack_singleton([np.concatenate(parts) for parts in all_outs])
