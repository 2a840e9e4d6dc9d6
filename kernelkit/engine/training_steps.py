"""`CompiledSteps`: the train, test and predict steps of a `Model`, compiled with `tf.function`.

A step takes one batch (lists of input, target and sample-weight arrays) and returns one vector of
scalars: the total loss first, then the per-output losses and the metrics, in the order of
`metrics_names`. `Model._function(kind, ...)` compiles a step once per input signature (the batch
dimension is free, so batches of one dtype never retrace) and, under a strategy with several replicas,
runs it on each replica (`kernelkit.engine.distribution`). `Model` inherits these from here, so that
`training.py` keeps to `compile` and the loops.
"""
import functools
import warnings

import tensorflow as tf

from kernelkit.backend.symbolic import Evaluation, prepare_update
from kernelkit.engine import compile_utils, distribution
from kernelkit.utils.generic_utils import to_list, unpack_singleton
from kernelkit.utils.interrupts import deferred_interrupts


class CompiledStep(object):
    """A compiled step as the loops call it: the `tf.function` itself (its attributes, such as
    `experimental_get_tracing_count`, pass through), called with Ctrl-C deferred to the end of the call.

    Why: a SIGINT can arrive while TensorFlow converts the numpy arguments. Python then runs the
    handler inside numpy's C code, which loses the `KeyboardInterrupt` and TensorFlow reports a
    `TypeError` ("Binding inputs to tf.function failed ... returned a result with an exception set")
    instead. Deferring costs no responsiveness: Python cannot run a signal handler while TensorFlow
    executes the step anyway.

    A function with an input signature is called through its one concrete function: that skips
    matching the arguments against the traced signatures, which took a sizeable part of a small
    step's time (`evaluate` on mnist_mlp ran 15-20% faster). The numpy arrays are converted here, one
    `tf.constant` each, and the tensors handed to the concrete function's flat call: letting the
    concrete function bind and convert them itself took about 0.4 ms of mnist_mlp's 4.8 ms train step
    (measured against this path in one process). The flat call is TensorFlow's internal entry point
    (`ConcreteFunction._call_flat`, present in every TensorFlow the project supports); where a
    TensorFlow lacks it, the concrete function is called with the converted tensors instead.

    # Arguments
        function: the compiled function (a `tf.function`, or a plain function that calls one).
    """

    def __init__(self, function):
        self.function = function
        self._concrete = None
        if getattr(function, 'input_signature', None) is not None:
            self._concrete = function.get_concrete_function()
        self._flat_call = getattr(self._concrete, '_call_flat', None)

    def __call__(self, *array_lists):
        """Runs the step on lists of arrays (inputs, then targets and sample weights for train and test).

        # Arguments
            *array_lists: lists of numpy arrays (or tensors) in the order of the function's signature.

        # Returns
            What the step returns: a vector of scalars (train, test) or the list of outputs (predict).
        """
        with deferred_interrupts():
            if self._concrete is None:
                return self.function(*array_lists)
            tensor_lists = [[tf.constant(array) for array in arrays] for arrays in array_lists]
            if self._flat_call is None:
                return self._concrete(*tensor_lists)
            flat = [tensor for tensors in tensor_lists for tensor in tensors]
            return self._flat_call(flat, self._concrete.captured_inputs)

    def __getattr__(self, name):
        return getattr(self.function, name)


class CompiledSteps(object):
    """The compiled steps of a model (mixed into `Model`, which provides the graph and the compile state)."""


    def _forward(self, inputs, training):
        outputs, masks = self._invoke(unpack_singleton(list(inputs)), None, training, {})
        outputs = to_list(outputs)
        masks = to_list(masks) if masks is not None else [None] * len(outputs)
        return outputs, masks

    def _losses_and_metrics(self, outputs, masks, targets, weights):
        """Returns the list of scalars named by `metrics_names`: total loss, per-output losses, metrics."""
        specs = self._output_specs
        total, output_losses, metric_values = 0., [], []
        trained_index = 0
        for spec, y_pred, mask in zip(specs, outputs, masks):
            if spec.loss_fn is None:
                continue
            y_true, w = targets[trained_index], weights[trained_index]
            trained_index += 1
            loss = compile_utils.weighted_masked_mean(spec.loss_fn, y_true, y_pred, w, mask)
            output_losses.append(loss)
            total += spec.loss_weight * loss
            for _, fn, weighted in spec.metrics:
                value = compile_utils.weighted_masked_mean(fn, y_true, y_pred, w if weighted else None, mask)
                metric_values.append(tf.cast(value, tf.float32))
        regularization = self.losses
        if regularization:
            total += tf.add_n([tf.reduce_sum(tf.cast(r, tf.float32)) for r in regularization])
        values = [tf.cast(total, tf.float32)]
        if len(specs) > 1:
            values += [tf.cast(l, tf.float32) for l in output_losses]
        # Tensors appended to `model.metrics_tensors` (with names appended to `metrics_names`), as
        # Keras 2.2 GAN and VAE code did: their batch means, from the same forward pass.
        logged = [tf.reduce_mean(tf.cast(t, tf.float32)) for t in self.metrics_tensors]
        return values + metric_values + logged

    def _evaluation(self, inputs, training):
        """The graph run of one step: the forward pass joins it, and the loss, metrics and added losses
        evaluate the model tensors they close over from it."""
        return Evaluation(zip(self.inputs, inputs) if self._is_graph_network else (), training=training)

    def _train_step(self, inputs, targets, weights):
        params = self._collected_trainable_weights
        with tf.GradientTape() as tape:
            with self._evaluation(inputs, True) as run:
                outputs, masks = self._forward(inputs, training=True)
                values = self._losses_and_metrics(outputs, masks, targets, weights)
        with run:
            updates = [prepare_update(run, update) for update in self.updates]
        if params:
            grads = tape.gradient(values[0], params)
            if distribution.is_replicated(tf.distribute.get_strategy()):
                grads = distribution.mean_over_replicas(grads)
            self.optimizer.apply_gradients(grads, params)
        for apply_update in updates:
            apply_update()
        return tf.stack(values)

    def _test_step(self, inputs, targets, weights):
        with self._evaluation(inputs, False):
            outputs, masks = self._forward(inputs, training=False)
            return tf.stack(self._losses_and_metrics(outputs, masks, targets, weights))

    def _predict_step(self, inputs):
        with self._evaluation(inputs, False):
            outputs, _ = self._forward(inputs, training=False)
        return outputs

    def _function(self, kind, *array_lists):
        """The compiled step of `kind` ('train', 'test' or 'predict') for arrays of these dtypes and shapes.

        It is called with the same lists of numpy arrays. Under a strategy with several replicas the
        global batch is split over them first (see `kernelkit.engine.distribution`)."""
        key = (kind,) + tuple((a.dtype.str, a.shape[1:]) for arrays in array_lists for a in arrays)
        key += (len(self.metrics_tensors),)
        if kind == 'train':
            self._check_trainable_consistency()  # on every fit/train_on_batch, as Keras 2 did
        function = self._functions.get(key)
        if function is None:
            strategy = distribution.strategy_of(self)
            if kind == 'train':
                with distribution.scope(strategy):  # the slots are mirrored like the weights
                    self.optimizer.build(self._collected_trainable_weights)
            function = CompiledStep(self._replicated_function(kind, strategy) if distribution.is_replicated(strategy)
                                    else self._single_function(kind, array_lists))
            self._functions[key] = function
        return function

    def _single_function(self, kind, array_lists):
        step = {'train': self._train_step, 'test': self._test_step, 'predict': self._predict_step}[kind]
        signature = [[tf.TensorSpec((None,) + a.shape[1:], tf.as_dtype(a.dtype)) for a in arrays]
                     for arrays in array_lists]
        # autograph=False: the engine and Keras 2 layers are written as graph code (no Python `if` on
        # tensors), and converting every function they call costs seconds on the first `fit`.
        # A partial is its own key in TensorFlow's "frequent retracing" detector, which otherwise
        # counts the traces of every model's step together and warns about a notebook building
        # several models.
        return tf.function(functools.partial(step), input_signature=signature, autograph=False)

    def _replicated_function(self, kind, strategy):
        def step(inputs, *rest):
            if kind == 'predict':
                return distribution.gather_predictions(self._predict_step(inputs))
            values = (self._train_step if kind == 'train' else self._test_step)(inputs, *rest)
            return distribution.weighted_by_piece(values, inputs)

        def replicated(*per_replica):
            return distribution.combine(strategy, kind, strategy.run(step, args=per_replica))

        # No input signature: the arguments are distributed values; reduce_retracing gives the pieces
        # a free batch dimension after the first trace. (The partial: see `_single_function`.)
        compiled = tf.function(functools.partial(replicated), autograph=False, reduce_retracing=True)

        def run(*array_lists):
            with distribution.scope(strategy):
                return compiled(*distribution.split_batch(strategy, array_lists))

        return run

    def _ensure_optimizer_built(self):
        """Creates the optimizer's state for the trained weights (e.g. before restoring it from a file)."""
        self._check_compiled()
        if self._output_specs is None:
            self._finish_compile()
        with distribution.scope(distribution.strategy_of(self)):
            self.optimizer.build(self._collected_trainable_weights)

    def _check_trainable_consistency(self):
        """Warns when `trainable` changed since `compile` (the change takes effect at the next compile)."""
        collected = getattr(self, '_collected_trainable_weights', None)
        if collected is not None and len(collected) != len(self.trainable_weights):
            warnings.warn('Discrepancy between trainable weights and collected trainable weights, did you set '
                          '`model.trainable` without calling `model.compile` after ?')
