"""`Model`: a `Network` that can be compiled and trained (`compile`, `fit`, `evaluate`, `predict`, ...).

Data flows one way. `fit` checks and orders the user's arrays (`data_adapter`) and hands them, as a batch
source, to the one epoch loop (`training_loop.train_epochs`, shared with `fit_generator`), which gives
each batch to a compiled step (`training_steps`: a `tf.function` traced once per input signature with a
free batch dimension). The step returns one vector of scalars (loss first, then the metrics, in the
order of `metrics_names`), which becomes the batch `Logs` given to the callbacks. Only
`model.stop_training` flows back.

The step runs under the strategy the model was compiled in (the default one unless it was compiled
inside `strategy.scope()`; see `distribution`), so distributing it needs no rewrite of the loop.
"""
import numpy as np

from kernelkit.backend import config as backend_config
from kernelkit.backend.symbolic import Evaluation
from kernelkit.engine import compile_utils, data_adapter, distribution, hints, training_generator, training_loop
from kernelkit.engine.network import Network
from kernelkit.engine.training_steps import CompiledSteps
from kernelkit.utils.generic_utils import to_list, unpack_singleton


class Model(CompiledSteps, Network):
    """A functional model: `Model(inputs, outputs)`, trainable with `compile` and `fit`.

    # Arguments
        inputs: an input tensor (from `Input`) or a list of them.
        outputs: output tensor(s) computed from the inputs.
        name: the model name.

    # Example
    ```python
    x = Input(shape=(32,))
    y = Dense(10, activation='softmax')(x)
    model = Model(inputs=x, outputs=y)
    model.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])
    ```
    """

    def __init__(self, *args, **kwargs):
        super(Model, self).__init__(*args, **kwargs)
        self.optimizer = None
        self.stop_training = False
        self.history = None
        self._compile_args = None
        self._output_specs = None
        self._functions = {}
        self.metrics_tensors = []

    # ----------------------------------------------------------------------------------------------
    # compile

    def compile(self, optimizer, loss=None, metrics=None, loss_weights=None, sample_weight_mode=None,
                weighted_metrics=None, target_tensors=None, **kwargs):
        """Configures the model for training.

        # Arguments
            optimizer: an optimizer name (e.g. `'rmsprop'`) or instance.
            loss: a loss name or function; a list or dict (by output name) for several outputs.
            metrics: list of metrics (names such as `'accuracy'`, or functions), or a dict by output name.
            loss_weights: list or dict of factors weighting each output's loss in the total.
            sample_weight_mode: `None` or `'temporal'` (weights per time step), or a list/dict of them.
            weighted_metrics: metrics computed with `sample_weight` or `class_weight`.
            target_tensors: not supported on TensorFlow 2 (feed targets to `fit`).

        # Raises
            ValueError: for unknown losses, metrics or optimizers, or arguments that do not match the outputs.
            TypeError: for unknown keyword arguments.
        """
        from kernelkit import optimizers
        if kwargs:
            raise TypeError('Invalid keyword argument(s) in `compile`: %s. Accepted: optimizer, loss, metrics, '
                            'loss_weights, sample_weight_mode, weighted_metrics.' % sorted(kwargs))
        if target_tensors is not None:
            raise ValueError('`target_tensors` needs TensorFlow 1 graphs; on TensorFlow 2 pass the targets '
                             'as `y` to `fit` instead.')
        strategy = distribution.strategy_for_compile(self)
        with distribution.scope(strategy):
            resolved_optimizer = distribution.optimizer_for(strategy, optimizers.get(optimizer))
        self._compile_args = dict(loss=loss, loss_weights=loss_weights, metrics=metrics,
                                  weighted_metrics=weighted_metrics, sample_weight_mode=sample_weight_mode)
        if self._graph_ready():
            specs = compile_utils.prepare_outputs(self, **self._compile_args)
            self._check_has_loss(specs)  # before anything changes
        else:
            specs = None
            from kernelkit import losses
            for value in (loss.values() if isinstance(loss, dict) else to_list(loss)):
                if value is not None:
                    losses.get(value)
        self.optimizer = resolved_optimizer
        self.metrics_tensors = []
        self.loss, self.metrics, self.loss_weights = loss, metrics or [], loss_weights
        self.sample_weight_mode, self.weighted_metrics = sample_weight_mode, weighted_metrics
        self._distribution_strategy = strategy
        self._functions = {}
        self._output_specs = None
        if specs is not None:
            self._finish_compile(specs)

    def _finish_compile(self, specs=None):
        if specs is None:
            specs = compile_utils.prepare_outputs(self, **self._compile_args)
        self._check_has_loss(specs)
        hints.check_compile(self, specs)
        self._output_specs = specs
        self.metrics_names = compile_utils.metrics_names(specs)
        self._collected_trainable_weights = self.trainable_weights
        self._functions = {}

    def _check_has_loss(self, specs):
        if all(spec.loss_fn is None for spec in specs) and not self._has_added_losses():
            raise ValueError('The model cannot be compiled because it has no loss to optimize: give '
                             '`compile` a `loss`, or add one with `add_loss`.')

    def _has_added_losses(self):
        """Whether some loss besides the outputs' exists: `add_loss`, a layer's `call` adding one, or a
        weight or activity regularizer."""
        for layer in self._flatten_layers():
            if (layer._symbolic_losses or layer._added_losses or layer._weight_regularizers
                    or layer._adds_call_losses or getattr(layer, 'activity_regularizer', None)):
                return True
        return False

    @property
    def _is_compiled(self):
        return self.optimizer is not None

    # ----------------------------------------------------------------------------------------------
    # Keras 2's symbolic training tensors, for code that differentiates or logs the total loss:
    # `K.function(model._feed_inputs + model._feed_targets + model._feed_sample_weights,
    #             model.optimizer.get_gradients(model.total_loss, model.trainable_weights))`

    @property
    def _feed_inputs(self):
        return list(self.inputs)

    @property
    def _feed_targets(self):
        return self._symbolic_training_tensors()[0]

    @property
    def _feed_sample_weights(self):
        return self._symbolic_training_tensors()[1]

    targets = _feed_targets
    sample_weights = _feed_sample_weights

    @property
    def total_loss(self):
        """The compiled objective as a symbolic scalar of `_feed_inputs`, `_feed_targets` and
        `_feed_sample_weights` (computed as a training step computes it, without updating anything)."""
        return self._symbolic_training_tensors()[2]

    def _symbolic_training_tensors(self):
        self._check_compiled()
        if self._output_specs is None or not self._is_graph_network:
            raise AttributeError('Model %s has no symbolic training tensors until it is built and '
                                 'compiled.' % self.name)
        cached = getattr(self, '_symbolic_training', None)
        if cached is not None and cached[0] is self._output_specs:
            return cached[1]
        from kernelkit.backend.symbolic import apply_callable, evaluation, placeholder
        trained = [(spec, out) for spec, out in zip(self._output_specs, self.outputs)
                   if spec.loss_fn is not None]
        targets = [placeholder(ndim=out.shape.rank, dtype=out.dtype.name, name=spec.name + '_target')
                   for spec, out in trained]
        weights = [placeholder(ndim=2 if spec.temporal else 1, name=spec.name + '_sample_weights')
                   for spec, _ in trained]

        def objective(outputs, target_values, weight_values):
            run = evaluation.current()
            masks = [run.mask(o) if isinstance(run, Evaluation) else None for o in self.outputs]
            return self._losses_and_metrics(outputs, masks, target_values, weight_values)[0]

        loss = apply_callable('%s.total_loss' % self.name, objective,
                              (list(self.outputs), targets, weights))
        self._symbolic_training = (self._output_specs, (targets, weights, loss))
        return targets, weights, loss

    def _check_compiled(self):
        if not self._is_compiled:
            raise RuntimeError(hints.with_hint(
                'You must compile your model before training/testing. Use `model.compile(optimizer, loss)`.',
                hints.COMPILE_FIRST))

    def _graph_ready(self):
        """Whether the outputs are known: always for functional models; after the first call for a
        subclassed model; after `build` (or the first batch) for a Sequential without input shape."""
        if self._is_graph_network:
            return bool(self.outputs)
        return self.built and hasattr(self, 'output_names')

    def _ensure_ready(self, x):
        """Builds a model whose input shape was unknown from the first data it sees, and finishes a
        `compile` that had to wait for the outputs."""
        if not self._graph_ready():
            self._build_from_data(x)
        if self._is_compiled and self._output_specs is None:
            self._finish_compile()

    def _build_from_data(self, x):
        """Subclassed models: run one sample through `call` to learn the inputs and outputs."""
        arrays = [np.asarray(a) for a in (x.values() if isinstance(x, dict) else to_list(x))]
        outputs = self(unpack_singleton([a[:1] for a in arrays]))
        self.input_names = ['input_%d' % (i + 1) for i in range(len(arrays))]
        self.output_names = ['output_%d' % (i + 1) for i in range(len(to_list(outputs)))]

    # ----------------------------------------------------------------------------------------------
    # Checking data

    def _input_shapes(self, x):
        if self._is_graph_network:
            return [t._keras_shape for t in self.inputs], [t.dtype.as_numpy_dtype for t in self.inputs]
        count = len(x) if isinstance(x, (list, tuple)) else 1
        return [None] * count, [None] * count

    def _standardize_inputs(self, x):
        if x is None:
            raise ValueError('Model %s: `x` (the input data) is missing.' % self.name)
        shapes, dtypes = self._input_shapes(x)
        names = self.input_names if self._is_graph_network else ['input_%d' % i for i in range(len(shapes))]
        floats = [d if d is not None and np.dtype(d).kind == 'f' else None for d in dtypes]
        arrays = data_adapter.standardize_arrays(x, names, shapes, floats, 'input', check_batch_axis=False)
        # Like Keras 2.2's placeholders: integer data takes its integer `Input`'s dtype, and a subclassed
        # model (no `Input`) gets float data as floatx; so int32 and int64 data share one compiled step.
        if not self._is_graph_network:
            dtypes = [backend_config.floatx()] * len(arrays)
        return [data_adapter.cast_same_kind(a, d) for a, d in zip(arrays, dtypes)]

    def _standardize_user_data(self, x, y, sample_weight=None, class_weight=None):
        """Checks and orders `x`, `y` and the sample weights; returns three lists of arrays."""
        self._check_compiled()
        self._ensure_ready(x)
        inputs = self._standardize_inputs(x)
        specs = self._output_specs
        if y is None and all(spec.loss_fn is None for spec in specs):
            return inputs, [], []  # trained on the added losses only, as `fit(x, None)` in Keras 2
        if y is None:
            raise ValueError('Model %s: `y` (the target data) is missing.' % self.name)
        output_shapes = [tuple(o.shape.as_list()) for o in self.outputs] if self._is_graph_network else \
            [None] * len(specs)
        optional = [spec.name for spec in specs if spec.loss_fn is None]
        target_dtypes = [np.float32] * len(specs)
        for i, spec in enumerate(specs):
            if self._is_graph_network:
                target_dtypes[i] = self.outputs[i].dtype.as_numpy_dtype
        targets = data_adapter.standardize_arrays(y, [s.name for s in specs], [None] * len(specs),
                                                  target_dtypes, 'target', optional=optional)
        for i, (target, shape) in enumerate(zip(targets, output_shapes)):
            if target is not None and shape is not None and target.ndim == 1 and len(shape) == 2:
                targets[i] = target.reshape((-1, 1))
        if self._is_graph_network:
            data_adapter.check_loss_and_target(targets, specs, output_shapes)
        weights_in = self._spread(sample_weight, specs, 'sample_weight')
        class_in = class_weight if isinstance(class_weight, dict) and any(
            isinstance(v, dict) for v in class_weight.values()) else None
        weights = []
        for i, spec in enumerate(specs):
            if spec.loss_fn is None:
                continue
            cw = class_in.get(spec.name) if class_in is not None else class_weight
            weights.append(data_adapter.standardize_weights(targets[i], spec, weights_in[i], cw))
        targets = [t for t in targets if t is not None]
        data_adapter.check_array_lengths(inputs, targets, weights)
        return inputs, targets, weights

    @staticmethod
    def _spread(value, specs, what):
        if value is None:
            return [None] * len(specs)
        if isinstance(value, dict):
            return [value.get(spec.name) for spec in specs]
        if isinstance(value, (list, tuple)) and len(specs) > 1:
            if len(value) != len(specs):
                raise ValueError('%s should have one entry per output (%d), got %d.'
                                 % (what, len(specs), len(value)))
            return list(value)
        return [value] * len(specs)

    # ----------------------------------------------------------------------------------------------
    # Loops

    @distribution.in_model_scope
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose=1, callbacks=None,
            validation_split=0., validation_data=None, shuffle=True, class_weight=None, sample_weight=None,
            initial_epoch=0, steps_per_epoch=None, validation_steps=None, **kwargs):
        """Trains the model for a number of epochs.

        An interruption (Ctrl-C, i.e. `KeyboardInterrupt`, or an error raised by a callback or the data)
        leaves the weights and optimizer state of the last whole step, `model.history` holding the
        completed epochs, and no data worker running. Unlike Keras 2.2 and tf_keras, the callbacks'
        `on_train_end` still runs, with `logs['interrupted']` True (a `CSVLogger` file is complete and
        closed), before the exception is raised again; a next `fit` continues from that state. The
        Stop button of `LiveCurves` (`model.stop_training = True`) ends training after the current batch.

        # Arguments
            x: input data: a numpy array, a list of arrays (several inputs) or a dict by input name.
                It can also be a `keras.utils.Sequence`, a generator or a `tf.data.Dataset` yielding
                `(x, y)` or `(x, y, sample_weight)` batches: `fit` then trains as `fit_generator` does
                (`steps_per_epoch` defaults to `len(x)` for a Sequence, or to one pass over a dataset).
            y: target data, in the same forms, by output (not given with a Sequence/generator/dataset).
            batch_size: samples per gradient update (default 32; not given with a Sequence/generator/dataset).
            epochs: index of the last epoch to train (training runs from `initial_epoch` to `epochs`).
            verbose: 0 silent, 1 progress bar, 2 one line per epoch.
            callbacks: list of `Callback`s.
            validation_split: fraction of the data (taken from the end, before shuffling) to validate on.
            validation_data: `(x_val, y_val)` or `(x_val, y_val, sample_weight_val)`.
            shuffle: `True` shuffles samples each epoch, `'batch'` shuffles batch-sized chunks, `False` none.
            class_weight: dict mapping class indices to loss weights.
            sample_weight: array of weights per sample (or per time step, with `'temporal'` mode).
            initial_epoch: epoch to start at (to resume a run).
            steps_per_epoch: batches per epoch (default: one pass over the data).
            validation_steps: batches of validation data per evaluation (default: all of it).
            **kwargs: when `x` is a Sequence, a generator or a dataset, `max_queue_size`, `workers` and
                `use_multiprocessing` as in `fit_generator`. (Keras 1's `nb_epoch` is converted by
                `kernelkit.legacy`, with a warning.)

        # Returns
            A `History` object; its `history` attribute maps each metric name to its values per epoch.

        # Raises
            RuntimeError: if the model is not compiled.
            ValueError: for data that does not match the model (checked before any training).
            TypeError: for unknown keyword arguments.
            KeyboardInterrupt: raised again after the callbacks' `on_train_end` when training is interrupted.
        """
        if training_generator.data_kind(x) is not None:
            pipeline = self._pipeline_options('fit', kwargs, y=y, batch_size=batch_size,
                                              sample_weight=sample_weight)
            if validation_split:
                raise ValueError('`validation_split` is not supported when `x` is a %s: pass '
                                 '`validation_data` instead.' % self._source_name(x))
            return training_generator.fit_generator(
                self, x, steps_per_epoch=steps_per_epoch, epochs=epochs, verbose=verbose, callbacks=callbacks,
                validation_data=validation_data, validation_steps=validation_steps, class_weight=class_weight,
                shuffle=shuffle, initial_epoch=initial_epoch, **pipeline)
        if kwargs:
            raise TypeError('Unrecognized keyword arguments: ' + str(kwargs))
        data_adapter.check_positive_counts(batch_size=batch_size, steps_per_epoch=steps_per_epoch,
                                           validation_steps=validation_steps)
        if batch_size is None:
            batch_size = 32
        if not 0. <= validation_split < 1.:
            raise ValueError('validation_split must be in [0, 1), got %r.' % (validation_split,))
        inputs, targets, weights = self._standardize_user_data(x, y, sample_weight, class_weight)
        hints.check_input_scale(self, inputs)
        val_arrays = None
        if validation_data is not None:
            if not isinstance(validation_data, (list, tuple)) or len(validation_data) not in (2, 3):
                found = ('%d items' % len(validation_data) if isinstance(validation_data, (list, tuple))
                         else 'a %s' % type(validation_data).__name__)
                raise ValueError('When passing validation_data, it must be a tuple of 2 (x_val, y_val) or 3 '
                                 '(x_val, y_val, val_sample_weights) items, however it contains %s.' % found)
            val_x, val_y = validation_data[0], validation_data[1]
            val_w = validation_data[2] if len(validation_data) == 3 else None
            val_arrays = self._standardize_user_data(val_x, val_y, val_w)
        elif validation_split:
            split_at = int(len(inputs[0]) * (1. - validation_split))
            val_arrays = tuple(data_adapter.slice_arrays(group, start=split_at)
                               for group in (inputs, targets, weights))
            inputs, targets, weights = (data_adapter.slice_arrays(group, stop=split_at)
                                        for group in (inputs, targets, weights))
        from kernelkit.callbacks.loggers import History, training_callback_list
        history = History()
        callback_list = training_callback_list(callbacks, history, verbose,
                                               'steps' if steps_per_epoch else 'samples')

        train_function = self._function('train', inputs, targets, weights)
        samples = len(inputs[0])
        do_validation = val_arrays is not None
        if do_validation and verbose:
            print('Train on %d samples, validate on %d samples' % (samples, len(val_arrays[0][0])))
        self.history = history
        out_labels = list(self.metrics_names)
        callback_list.set_model(self)
        callback_list.set_params({
            'batch_size': batch_size, 'epochs': epochs, 'steps': steps_per_epoch, 'samples': samples,
            'verbose': verbose, 'do_validation': do_validation,
            'metrics': out_labels + (['val_' + n for n in out_labels] if do_validation else [])})
        if do_validation:
            for callback in callback_list:
                callback.validation_data = val_arrays[0] + val_arrays[1] + val_arrays[2]

        def validate(epoch_logs):
            val_values = self._test_loop(*val_arrays, batch_size=batch_size, steps=validation_steps)
            for name, value in zip(out_labels, val_values):
                epoch_logs['val_' + name] = value

        source = training_loop.ArrayBatches(train_function, inputs, targets, weights, batch_size, shuffle,
                                            steps_per_epoch)
        return training_loop.train_epochs(self, callback_list, source, epochs, initial_epoch,
                                          validate=validate if do_validation else None)

    def _initial_epoch_after_restore(self, initial_epoch):
        """The first epoch to train: `initial_epoch`, or later when a callback (`BackupAndRestore`)
        restored a backup in `on_train_begin` and set `_resume_at_epoch`."""
        resume_at = self.__dict__.pop('_resume_at_epoch', None)
        return initial_epoch if resume_at is None else max(initial_epoch, resume_at)

    # Names of the reading options that `fit`, `evaluate` and `predict` accept (as keyword arguments)
    # when `x` is a Sequence, a generator or a dataset.
    _PIPELINE_OPTIONS = ('max_queue_size', 'workers', 'use_multiprocessing')

    @staticmethod
    def _source_name(x):
        kind = training_generator.data_kind(x)
        return {'sequence': '`keras.utils.Sequence`', 'dataset': '`tf.data.Dataset`'}.get(kind, 'generator')

    _REPLACED_BY_THE_BATCHES = {'y': 'the targets', 'batch_size': 'its size', 'sample_weight': 'the sample weights'}

    def _pipeline_options(self, method, kwargs, **replaced):
        """Checks the arguments of `fit`/`evaluate`/`predict` when `x` is a data source.

        # Arguments
            method: the calling method's name, for error messages.
            kwargs: the method's extra keyword arguments.
            **replaced: the arguments a data source replaces (`y`, `batch_size`, `sample_weight`).

        # Returns
            The reading options (`max_queue_size`, `workers`, `use_multiprocessing`) found in `kwargs`.

        # Raises
            ValueError: if one of `replaced` is not None.
            TypeError: for unknown keyword arguments.
        """
        for name, value in replaced.items():
            if value is not None:
                raise ValueError('`%s` must not be given to `%s` when `x` is a Sequence, a generator or a '
                                 'tf.data.Dataset: each batch it yields holds %s. Got `%s` = %s.'
                                 % (name, method, self._REPLACED_BY_THE_BATCHES[name], name,
                                    repr(value) if np.isscalar(value) else 'a %s' % type(value).__name__))
        options = {name: kwargs.pop(name) for name in self._PIPELINE_OPTIONS if name in kwargs}
        if kwargs:
            raise TypeError('Unrecognized keyword arguments: ' + str(kwargs))
        return options

    @distribution.in_model_scope
    def fit_generator(self, generator, steps_per_epoch=None, epochs=1, verbose=1, callbacks=None,
                      validation_data=None, validation_steps=None, class_weight=None, max_queue_size=10,
                      workers=1, use_multiprocessing=False, shuffle=True, initial_epoch=0):
        """Trains the model on data generated batch-by-batch by a Python generator (or an instance of
        `Sequence`).

        The generator is run in parallel to the model, for efficiency. For instance, this allows you to do
        real-time data augmentation on images on CPU in parallel to training your model on GPU.

        The use of `keras.utils.Sequence` guarantees the ordering and guarantees the single use of every
        input per epoch when using `use_multiprocessing=True`.

        An interruption (Ctrl-C or an error) stops the worker threads or processes first, then runs the
        callbacks' `on_train_end` as `fit` does (see there), and raises the exception again.

        # Arguments
            generator: A generator or an instance of `Sequence` (`keras.utils.Sequence`) object in order to
                avoid duplicate data when using multiprocessing (a `tf.data.Dataset` works too). The output
                of the generator must be either
                - a tuple `(inputs, targets)`
                - a tuple `(inputs, targets, sample_weights)`.
                This tuple (a single output of the generator) makes a single batch. Therefore, all arrays
                in this tuple must have the same length (equal to the size of this batch). Different
                batches may have different sizes. The generator is expected to loop over its data
                indefinitely. An epoch finishes when `steps_per_epoch` batches have been seen by the model.
            steps_per_epoch: Integer. Total number of steps (batches of samples) to yield from `generator`
                before declaring one epoch finished and starting the next epoch. It should typically be
                equal to the number of samples of your dataset divided by the batch size. Optional for
                `Sequence`: if unspecified, will use the `len(generator)` as a number of steps.
            epochs: Integer. Number of epochs to train the model. Note that in conjunction with
                `initial_epoch`, `epochs` is to be understood as "final epoch".
            verbose: Integer. 0, 1, or 2. Verbosity mode. 0 = silent, 1 = progress bar, 2 = one line per
                epoch.
            callbacks: List of `keras.callbacks.Callback` instances to apply during training.
            validation_data: This can be either
                - a generator or a `Sequence` object for the validation data
                - tuple `(x_val, y_val)`
                - tuple `(x_val, y_val, val_sample_weights)`
                on which to evaluate the loss and any model metrics at the end of each epoch.
            validation_steps: Only relevant if `validation_data` is a generator. Total number of steps
                (batches of samples) to yield from `validation_data` generator before stopping at the end
                of every epoch. Optional for `Sequence`: if unspecified, will use `len(validation_data)`.
            class_weight: Optional dictionary mapping class indices (integers) to a weight (float) value,
                used for weighting the loss function (during training only).
            max_queue_size: Integer. Maximum size for the generator queue.
            workers: Integer. Maximum number of processes to spin up when using process-based threading.
                If 0, will execute the generator on the main thread.
            use_multiprocessing: Boolean. If `True`, use process-based threading. Note that because this
                implementation relies on multiprocessing, you should not pass non picklable arguments to
                the generator as they can't be passed easily to children processes.
            shuffle: Boolean. Whether to shuffle the order of the batches at the beginning of each epoch.
                Only used with instances of `Sequence` (`keras.utils.Sequence`).
            initial_epoch: Integer. Epoch at which to start training (useful for resuming a previous
                training run).

        # Returns
            A `History` object. Its `History.history` attribute is a record of training loss values and
            metrics values at successive epochs, as well as validation loss values and validation metrics
            values (if applicable).

        # Raises
            ValueError: In case the generator yields data in an invalid format, or `steps_per_epoch` is
                missing for a plain generator.

        # Example

        ```python
        def generate_arrays_from_file(path):
            while True:
                with open(path) as f:
                    for line in f:
                        # create numpy arrays of input data
                        # and labels, from each line in the file
                        x1, x2, y = process_line(line)
                        yield ({'input_1': x1, 'input_2': x2}, {'output': y})

        model.fit_generator(generate_arrays_from_file('/my_file.txt'),
                            steps_per_epoch=10000, epochs=10)
        ```
        """
        return training_generator.fit_generator(
            self, generator, steps_per_epoch=steps_per_epoch, epochs=epochs, verbose=verbose,
            callbacks=callbacks, validation_data=validation_data, validation_steps=validation_steps,
            class_weight=class_weight, max_queue_size=max_queue_size, workers=workers,
            use_multiprocessing=use_multiprocessing, shuffle=shuffle, initial_epoch=initial_epoch)

    @distribution.in_model_scope
    def evaluate_generator(self, generator, steps=None, max_queue_size=10, workers=1, use_multiprocessing=False,
                           verbose=0):
        """Evaluates the model on a data generator.

        The generator should return the same kind of data as accepted by `test_on_batch`.

        # Arguments
            generator: Generator yielding tuples (inputs, targets) or (inputs, targets, sample_weights) or
                an instance of Sequence (keras.utils.Sequence) object in order to avoid duplicate data
                when using multiprocessing (a `tf.data.Dataset` works too).
            steps: Total number of steps (batches of samples) to yield from `generator` before stopping.
                Optional for `Sequence`: if unspecified, will use the `len(generator)` as a number of steps.
            max_queue_size: maximum size for the generator queue
            workers: Integer. Maximum number of processes to spin up when using process based threading.
                If 0, will execute the generator on the main thread.
            use_multiprocessing: if True, use process based threading. Note that because this
                implementation relies on multiprocessing, you should not pass non picklable arguments to
                the generator as they can't be passed easily to children processes.
            verbose: verbosity mode, 0 or 1.

        # Returns
            Scalar test loss (if the model has a single output and no metrics) or list of scalars (if the
            model has multiple outputs and/or metrics). The attribute `model.metrics_names` will give you
            the display labels for the scalar outputs.

        # Raises
            ValueError: In case the generator yields data in an invalid format.
        """
        return training_generator.evaluate_generator(
            self, generator, steps=steps, max_queue_size=max_queue_size, workers=workers,
            use_multiprocessing=use_multiprocessing, verbose=verbose)

    @distribution.in_model_scope
    def predict_generator(self, generator, steps=None, max_queue_size=10, workers=1, use_multiprocessing=False,
                          verbose=0):
        """Generates predictions for the input samples from a data generator.

        The generator should return the same kind of data as accepted by `predict_on_batch`.

        # Arguments
            generator: Generator yielding batches of input samples or an instance of Sequence
                (keras.utils.Sequence) object in order to avoid duplicate data when using multiprocessing
                (a `tf.data.Dataset` works too). A tuple `(inputs, targets)` or `(inputs, targets,
                sample_weights)` is read as its `inputs`.
            steps: Total number of steps (batches of samples) to yield from `generator` before stopping.
                Optional for `Sequence`: if unspecified, will use the `len(generator)` as a number of steps.
            max_queue_size: Maximum size for the generator queue.
            workers: Integer. Maximum number of processes to spin up when using process based threading.
                If 0, will execute the generator on the main thread.
            use_multiprocessing: If `True`, use process based threading. Note that because this
                implementation relies on multiprocessing, you should not pass non picklable arguments to
                the generator as they can't be passed easily to children processes.
            verbose: verbosity mode, 0 or 1.

        # Returns
            Numpy array(s) of predictions.

        # Raises
            ValueError: In case the generator yields data in an invalid format.
        """
        return training_generator.predict_generator(
            self, generator, steps=steps, max_queue_size=max_queue_size, workers=workers,
            use_multiprocessing=use_multiprocessing, verbose=verbose)

    def _test_loop(self, inputs, targets, weights, batch_size, steps=None, verbose=0):
        function = self._function('test', inputs, targets, weights)
        samples = len(inputs[0])
        batches = data_adapter.make_batches(samples, batch_size)
        if steps is not None:
            batches = [batches[i % len(batches)] for i in range(steps)]
        progbar = self._progbar(len(batches) if steps else samples, verbose)
        totals, seen = None, 0
        for index, (start, end) in enumerate(batches):
            values = function(*(data_adapter.slice_arrays(g, start=start, stop=end)
                                for g in (inputs, targets, weights))).numpy().astype('float64')
            totals = values * (end - start) if totals is None else totals + values * (end - start)
            seen += end - start
            if progbar is not None:
                progbar.update(index + 1 if steps else end)
        return (totals / seen).tolist()

    @staticmethod
    def _progbar(target, verbose):
        if verbose != 1:
            return None
        from kernelkit.utils.progbar import Progbar
        return Progbar(target=target)

    @distribution.in_model_scope
    def evaluate(self, x=None, y=None, batch_size=None, verbose=1, sample_weight=None, steps=None, **kwargs):
        """Returns the loss and metric values of the model on data, computed batch by batch.

        # Arguments
            x: input data (array, list of arrays, or dict by input name), or a `keras.utils.Sequence`,
                a generator or a `tf.data.Dataset` yielding `(x, y)` or `(x, y, sample_weight)` batches
                (evaluated as by `evaluate_generator`).
            y: target data.
            batch_size: samples per batch (default 32).
            verbose: 0 or 1 (progress bar).
            sample_weight: optional weights per sample.
            steps: number of batches to evaluate (default: all the data).
            **kwargs: when `x` is a Sequence, a generator or a dataset, `max_queue_size`, `workers` and
                `use_multiprocessing` as in `evaluate_generator`.

        # Returns
            The scalar loss when the model has no metrics, else the list of values named by
            `model.metrics_names`.

        # Raises
            RuntimeError: if the model is not compiled.
            ValueError: for data that does not match the model.
        """
        if training_generator.data_kind(x) is not None:
            pipeline = self._pipeline_options('evaluate', kwargs, y=y, batch_size=batch_size,
                                              sample_weight=sample_weight)
            return training_generator.evaluate_generator(self, x, steps=steps, verbose=verbose, **pipeline)
        if kwargs:
            raise TypeError('Unrecognized keyword arguments: ' + str(kwargs))
        data_adapter.check_positive_counts(batch_size=batch_size, steps=steps)
        inputs, targets, weights = self._standardize_user_data(x, y, sample_weight)
        values = self._test_loop(inputs, targets, weights, batch_size or 32, steps=steps, verbose=verbose)
        return values[0] if len(values) == 1 else values

    @distribution.in_model_scope
    def predict(self, x, batch_size=None, verbose=0, steps=None, **kwargs):
        """Computes the model's outputs for the input samples, batch by batch.

        # Arguments
            x: input data (array, list of arrays, or dict by input name), or a `keras.utils.Sequence`,
                a generator or a `tf.data.Dataset` yielding batches of inputs (predicted as by
                `predict_generator`).
            batch_size: samples per batch (default 32).
            verbose: 0 or 1 (progress bar).
            steps: number of batches to run (default: all the data).
            **kwargs: when `x` is a Sequence, a generator or a dataset, `max_queue_size`, `workers` and
                `use_multiprocessing` as in `predict_generator`.

        # Returns
            A numpy array, or a list of arrays for a model with several outputs.

        # Raises
            ValueError: for data that does not match the model's inputs.
        """
        if training_generator.data_kind(x) is not None:
            pipeline = self._pipeline_options('predict', kwargs, batch_size=batch_size)
            return training_generator.predict_generator(self, x, steps=steps, verbose=verbose, **pipeline)
        if kwargs:
            raise TypeError('Unrecognized keyword arguments: ' + str(kwargs))
        data_adapter.check_positive_counts(batch_size=batch_size, steps=steps)
        self._ensure_ready(x)
        inputs = self._standardize_inputs(x)
        batch_size = batch_size or 32
        function = self._function('predict', inputs)
        samples = len(inputs[0])
        batches = data_adapter.make_batches(samples, batch_size)
        if steps is not None:
            batches = batches[:steps]
        progbar = self._progbar(len(batches) if steps else samples, verbose)
        results = []
        for index, (start, end) in enumerate(batches):
            outputs = function(data_adapter.slice_arrays(inputs, start=start, stop=end))
            results.append([o.numpy() for o in outputs])
            if progbar is not None:
                progbar.update(index + 1 if steps else end)
        if len(results) == 1:
            merged = results[0]
        else:
            merged = [np.concatenate(parts) for parts in zip(*results)]
        return unpack_singleton(merged)

    @distribution.in_model_scope
    def train_on_batch(self, x, y, sample_weight=None, class_weight=None):
        """Runs one gradient update on a single batch.

        # Arguments
            x: input data of the batch.
            y: target data of the batch.
            sample_weight: optional weights per sample.
            class_weight: optional dict of weights per class.

        # Returns
            The scalar loss, or the list of values named by `model.metrics_names`.
        """
        inputs, targets, weights = self._standardize_user_data(x, y, sample_weight, class_weight)
        values = self._function('train', inputs, targets, weights)(inputs, targets, weights).numpy().tolist()
        return values[0] if len(values) == 1 else values

    @distribution.in_model_scope
    def test_on_batch(self, x, y, sample_weight=None):
        """Evaluates the model on a single batch.

        # Arguments
            x: input data of the batch.
            y: target data of the batch.
            sample_weight: optional weights per sample.

        # Returns
            The scalar loss, or the list of values named by `model.metrics_names`.
        """
        inputs, targets, weights = self._standardize_user_data(x, y, sample_weight)
        values = self._function('test', inputs, targets, weights)(inputs, targets, weights).numpy().tolist()
        return values[0] if len(values) == 1 else values

    @distribution.in_model_scope
    def predict_on_batch(self, x):
        """Returns the predictions for a single batch of samples.

        # Arguments
            x: input data of the batch.

        # Returns
            A numpy array, or a list of them for several outputs.
        """
        self._ensure_ready(x)
        inputs = self._standardize_inputs(x)
        return unpack_singleton([o.numpy() for o in self._function('predict', inputs)(inputs)])
