"""`Callback`, the base class of every callback, and `CallbackList`, which drives a list of them."""
import collections
import statistics
import time
import warnings

from kernelkit.engine.logs import Logs


class Callback(object):
    """Abstract base class used to build new callbacks.

    Override the hooks you need; every hook does nothing by default. The `logs` dictionary a hook receives
    is shared by all callbacks of the same call, so values written by one callback (for example the
    epoch averages written by `BaseLogger`) are seen by the callbacks after it.

    # Properties
        params: dict. Training parameters (`batch_size`, `epochs`, `steps`, `samples`, `verbose`,
            `do_validation`, `metrics`).
        model: the model being trained.
        validation_data: the validation arrays, set by `fit` (None until then).

    # Logs
        `on_epoch_end` receives the epoch's metric values (training averages, and `val_*` values when
        validating). `on_batch_begin` receives `batch` and `size`; `on_batch_end` also receives this
        batch's metric values. `on_train_batch_begin/end` call `on_batch_begin/end`, so overriding
        either name works.
    """

    # Class-level defaults keep subclasses working when their __init__ does not call super().__init__().
    model = None
    validation_data = None

    def __init__(self):
        self.validation_data = None
        self.model = None
        self.params = {}

    def set_params(self, params):
        """Stores the training parameters.

        # Arguments
            params: dict of training parameters.
        """
        self.params = params

    def set_model(self, model):
        """Stores the model being trained.

        # Arguments
            model: the model.
        """
        self.model = model

    # Keras 2 hooks.
    def on_epoch_begin(self, epoch, logs=None):
        """Called at the start of an epoch.

        # Arguments
            epoch: integer, index of the epoch (0-based).
            logs: dict, empty in `fit`.
        """

    def on_epoch_end(self, epoch, logs=None):
        """Called at the end of an epoch.

        # Arguments
            epoch: integer, index of the epoch (0-based).
            logs: dict of the epoch's metric values, `val_*` included when validating.
        """

    def on_batch_begin(self, batch, logs=None):
        """Called at the start of a training batch.

        # Arguments
            batch: integer, index of the batch within the epoch.
            logs: dict with the keys `batch` and `size`.
        """

    def on_batch_end(self, batch, logs=None):
        """Called at the end of a training batch.

        # Arguments
            batch: integer, index of the batch within the epoch.
            logs: dict with `batch`, `size` and this batch's metric values.
        """

    def on_train_begin(self, logs=None):
        """Called at the start of training.

        # Arguments
            logs: dict, empty in `fit`.
        """

    def on_train_end(self, logs=None):
        """Called at the end of training.

        # Arguments
            logs: dict, empty in `fit`.
        """

    # TensorFlow 2 hooks: the train batch hooks default to the Keras 2 ones, the others do nothing.
    def on_train_batch_begin(self, batch, logs=None):
        """Called at the start of a training batch; calls `on_batch_begin` unless overridden.

        # Arguments
            batch: integer, index of the batch within the epoch.
            logs: dict with the keys `batch` and `size`.
        """
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        """Called at the end of a training batch; calls `on_batch_end` unless overridden.

        # Arguments
            batch: integer, index of the batch within the epoch.
            logs: dict with `batch`, `size` and this batch's metric values.
        """
        self.on_batch_end(batch, logs)

    def on_test_begin(self, logs=None):
        """Called at the start of evaluation.

        # Arguments
            logs: dict.
        """

    def on_test_end(self, logs=None):
        """Called at the end of evaluation.

        # Arguments
            logs: dict.
        """

    def on_predict_begin(self, logs=None):
        """Called at the start of prediction.

        # Arguments
            logs: dict.
        """

    def on_predict_end(self, logs=None):
        """Called at the end of prediction.

        # Arguments
            logs: dict.
        """

    def on_test_batch_begin(self, batch, logs=None):
        """Called at the start of an evaluation batch.

        # Arguments
            batch: integer, index of the batch.
            logs: dict.
        """

    def on_test_batch_end(self, batch, logs=None):
        """Called at the end of an evaluation batch.

        # Arguments
            batch: integer, index of the batch.
            logs: dict.
        """

    def on_predict_batch_begin(self, batch, logs=None):
        """Called at the start of a prediction batch.

        # Arguments
            batch: integer, index of the batch.
            logs: dict.
        """

    def on_predict_batch_end(self, batch, logs=None):
        """Called at the end of a prediction batch.

        # Arguments
            batch: integer, index of the batch.
            logs: dict.
        """


class CallbackList(object):
    """Container that calls a list of callbacks, in order, with one shared logs dict per call.

    Every hook of `Callback` is forwarded to each callback; `logs=None` becomes an empty `Logs`. The
    training batch hooks are timed: when the median time spent in the callbacks over the last
    `queue_length` batches is above 0.95 times the batch's own time and above 0.1 s, a warning says
    which hook is slow.

    # Arguments
        callbacks: list of `Callback` instances, or None.
        queue_length: number of recent batches used for the slow-callback check.

    # Raises
        TypeError: if an element of `callbacks` is not a `Callback`.
        ValueError: if `queue_length` is not a positive integer.
    """

    def __init__(self, callbacks=None, queue_length=10):
        if isinstance(queue_length, bool) or not isinstance(queue_length, int) or queue_length < 1:
            raise ValueError('`queue_length` must be a positive integer, got %r.' % (queue_length,))
        self.callbacks = []
        self.queue_length = queue_length
        self.params = {}
        self.model = None
        for callback in callbacks or []:
            self.append(callback)
        self._reset_batch_timing()

    def append(self, callback):
        """Adds a callback at the end of the list.

        # Arguments
            callback: a `Callback` instance.

        # Raises
            TypeError: if `callback` is not a `Callback`.
        """
        if not isinstance(callback, Callback):
            raise TypeError('`callbacks` must contain instances of kernelkit.callbacks.Callback, '
                            'got %r (of type %s).' % (callback, type(callback).__name__))
        self.callbacks.append(callback)

    def set_params(self, params):
        """Gives the training parameters to every callback.

        # Arguments
            params: dict of training parameters.
        """
        self.params = params
        for callback in self.callbacks:
            callback.set_params(params)

    def set_model(self, model):
        """Gives the model to every callback.

        # Arguments
            model: the model being trained.
        """
        self.model = model
        for callback in self.callbacks:
            callback.set_model(model)

    def __iter__(self):
        return iter(self.callbacks)

    def __len__(self):
        return len(self.callbacks)

    def _call(self, hook, args, logs):
        """Calls `hook` on every callback with `args` then the logs (an empty `Logs` when None).

        The logs are passed positionally, as Keras 2 did, so hooks that name that argument
        differently still work.
        """
        if logs is None:
            logs = Logs()
        for callback in self.callbacks:
            getattr(callback, hook)(*args, logs)

    # --- slow-callback check -------------------------------------------------------------------------
    def _reset_batch_timing(self):
        self._batch_time = 0.  # how long the last batch itself took, between its begin and end hooks
        self._batch_start = None
        self._begin_durations = collections.deque(maxlen=self.queue_length)
        self._end_durations = collections.deque(maxlen=self.queue_length)

    def _warn_if_slow(self, durations, hook):
        # The median can only exceed 0.1 s if some duration does; max() of a few floats is nearly free.
        if self._batch_time > 0. and max(durations) > 0.1:
            median = statistics.median(durations)
            if median > 0.95 * self._batch_time and median > 0.1:
                warnings.warn('Method %s() is slow compared to the batch update (%f). Check your '
                              'callbacks.' % (hook, median), stacklevel=3)

    # --- Keras 2 hooks --------------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        """Calls `on_train_begin` of every callback.

        # Arguments
            logs: dict, or None for an empty one.
        """
        self._call('on_train_begin', (), logs)

    def on_train_end(self, logs=None):
        """Calls `on_train_end` of every callback.

        # Arguments
            logs: dict, or None for an empty one.
        """
        self._call('on_train_end', (), logs)

    def on_epoch_begin(self, epoch, logs=None):
        """Calls `on_epoch_begin` of every callback and restarts the batch timing.

        # Arguments
            epoch: integer, index of the epoch (0-based).
            logs: dict, or None for an empty one.
        """
        self._reset_batch_timing()
        self._call('on_epoch_begin', (epoch,), logs)

    def on_epoch_end(self, epoch, logs=None):
        """Calls `on_epoch_end` of every callback.

        # Arguments
            epoch: integer, index of the epoch (0-based).
            logs: dict of the epoch's values, or None for an empty one.
        """
        self._call('on_epoch_end', (epoch,), logs)

    def on_train_batch_begin(self, batch, logs=None):
        """Calls `on_train_batch_begin` (by default `on_batch_begin`) of every callback.

        # Arguments
            batch: integer, index of the batch within the epoch.
            logs: dict with `batch` and `size`, or None for an empty one.
        """
        started = time.perf_counter()
        self._call('on_train_batch_begin', (batch,), logs)
        self._batch_start = time.perf_counter()
        self._begin_durations.append(self._batch_start - started)
        self._warn_if_slow(self._begin_durations, 'on_batch_begin')

    def on_train_batch_end(self, batch, logs=None):
        """Calls `on_train_batch_end` (by default `on_batch_end`) of every callback.

        # Arguments
            batch: integer, index of the batch within the epoch.
            logs: dict with `batch`, `size` and the batch's metric values, or None for an empty one.
        """
        started = time.perf_counter()
        if self._batch_start is not None:
            self._batch_time = started - self._batch_start
        self._call('on_train_batch_end', (batch,), logs)
        self._end_durations.append(time.perf_counter() - started)
        self._warn_if_slow(self._end_durations, 'on_batch_end')

    # The Keras 2 names run exactly the same code, so a callback overriding either name is called.
    on_batch_begin = on_train_batch_begin
    on_batch_end = on_train_batch_end

    # --- TensorFlow 2 evaluation / prediction hooks --------------------------------------------------
    def on_test_begin(self, logs=None):
        """Calls `on_test_begin` of every callback.

        # Arguments
            logs: dict, or None for an empty one.
        """
        self._call('on_test_begin', (), logs)

    def on_test_end(self, logs=None):
        """Calls `on_test_end` of every callback.

        # Arguments
            logs: dict, or None for an empty one.
        """
        self._call('on_test_end', (), logs)

    def on_predict_begin(self, logs=None):
        """Calls `on_predict_begin` of every callback.

        # Arguments
            logs: dict, or None for an empty one.
        """
        self._call('on_predict_begin', (), logs)

    def on_predict_end(self, logs=None):
        """Calls `on_predict_end` of every callback.

        # Arguments
            logs: dict, or None for an empty one.
        """
        self._call('on_predict_end', (), logs)

    def on_test_batch_begin(self, batch, logs=None):
        """Calls `on_test_batch_begin` of every callback.

        # Arguments
            batch: integer, index of the batch.
            logs: dict, or None for an empty one.
        """
        self._call('on_test_batch_begin', (batch,), logs)

    def on_test_batch_end(self, batch, logs=None):
        """Calls `on_test_batch_end` of every callback.

        # Arguments
            batch: integer, index of the batch.
            logs: dict, or None for an empty one.
        """
        self._call('on_test_batch_end', (batch,), logs)

    def on_predict_batch_begin(self, batch, logs=None):
        """Calls `on_predict_batch_begin` of every callback.

        # Arguments
            batch: integer, index of the batch.
            logs: dict, or None for an empty one.
        """
        self._call('on_predict_batch_begin', (batch,), logs)

    def on_predict_batch_end(self, batch, logs=None):
        """Calls `on_predict_batch_end` of every callback.

        # Arguments
            batch: integer, index of the batch.
            logs: dict, or None for an empty one.
        """
        self._call('on_predict_batch_end', (batch,), logs)
