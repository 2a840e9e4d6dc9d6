"""`TensorBoard`: writes event files that TensorBoard displays (scalars, histograms, images, the graph).

Only TensorFlow itself is used (`tf.summary.create_file_writer`, `tf.summary.write`, `tf.summary.graph`);
the `tensorboard` package is not needed to write the files. Each summary carries the `SummaryMetadata`
TensorBoard's plugins expect:

- scalars: a float32 scalar tensor, plugin 'scalars';
- histograms: a float64 tensor of shape `(buckets, 3)` holding (left edge, right edge, count), plugin
  'histograms';
- images: a string tensor `[width, height, png, ...]`, plugin 'images';
- the graph: a `GraphDef` stored in the event's `graph_def` field.
"""
import os
import warnings

import numpy as np
import tensorflow as tf
from tensorflow.core.framework import summary_pb2

from kernelkit import backend as K
from kernelkit.callbacks.base import Callback

_BUCKET_COUNT = 30  # TensorBoard's default number of histogram buckets
_MAX_IMAGES = 3  # images written per weight, as Keras 2's image summaries did


def _metadata(plugin_name, data_class):
    return summary_pb2.SummaryMetadata(
        plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name=plugin_name), data_class=data_class)


_SCALAR_METADATA = _metadata('scalars', summary_pb2.DATA_CLASS_SCALAR)
_HISTOGRAM_METADATA = _metadata('histograms', summary_pb2.DATA_CLASS_TENSOR)
_IMAGE_METADATA = _metadata('images', summary_pb2.DATA_CLASS_BLOB_SEQUENCE)


def histogram_buckets(values, bucket_count=_BUCKET_COUNT):
    """Returns the histogram of `values` in TensorBoard's layout: rows of (left edge, right edge, count).

    The range from the smallest to the largest finite value is cut into `bucket_count` equal buckets
    (the last one includes its right edge). A single distinct value gives one bucket `[v - 0.5, v + 0.5]`;
    no finite value gives an empty `(0, 3)` array.

    # Arguments
        values: array-like of numbers.
        bucket_count: number of buckets.

    # Returns
        A float64 numpy array of shape `(buckets, 3)`.
    """
    data = np.asarray(values, dtype=np.float64).ravel()
    data = data[np.isfinite(data)]
    if data.size == 0:
        return np.zeros((0, 3), dtype=np.float64)
    low, high = data.min(), data.max()
    if low == high:
        return np.array([[low - 0.5, high + 0.5, float(data.size)]], dtype=np.float64)
    counts, edges = np.histogram(data, bins=bucket_count, range=(low, high))
    return np.stack([edges[:-1], edges[1:], counts.astype(np.float64)], axis=1)


def weight_images(array):
    """Lays out a weight as images the way Keras 2 did, or returns None for shapes it did not handle.

    After squeezing axes of size 1: a matrix becomes one image, transposed so it is wider than tall; a
    3-D kernel (channels last) becomes one image per channel; a vector becomes a one-pixel-wide column.

    # Arguments
        array: the weight's value.

    # Returns
        A float array of shape `(images, height, width)`, or None.
    """
    image = np.squeeze(np.asarray(array, dtype=np.float64))
    if image.ndim == 2:
        if image.shape[0] > image.shape[1]:
            image = image.T
        return image[np.newaxis]
    if image.ndim == 3:
        return np.transpose(image, (2, 0, 1))
    if image.ndim == 1:
        return image.reshape((1, image.shape[0], 1))
    return None


def _to_uint8(image):
    """Scales one image's floats to 0-255 like TensorFlow's image summaries: non-negative data so that the
    largest value is 255; otherwise 0 maps to 128 and the largest magnitude to 1 or 255."""
    image = np.where(np.isfinite(image), image, 0.)
    low, high = image.min(), image.max()
    if low >= 0:
        scaled = image * (255. / high) if high > 0 else np.zeros_like(image)
    else:
        scaled = image * (127. / max(-low, high)) + 128.
    return np.clip(np.round(scaled), 0, 255).astype(np.uint8)


class TensorBoard(Callback):
    """TensorBoard basic visualizations.

    [TensorBoard](https://www.tensorflow.org/guide/summaries_and_tensorboard) is a visualization tool
    provided with TensorFlow. This callback writes a log for TensorBoard, which allows you to visualize
    dynamic graphs of your training and test metrics, as well as activation histograms for the different
    layers in your model.

    If you have installed TensorFlow with pip, you should be able to launch TensorBoard from the command
    line: `tensorboard --logdir=/full_path_to_your_logs`. The `tensorboard` package is only needed to
    view the files, not to write them.

    At the end of every epoch, each logged value except `batch` and `size` is written as a scalar whose
    tag is its key (`loss`, `val_loss`, `acc`, `lr`, ...) and whose step is the epoch (counted from 0),
    or the number of samples seen when `update_freq` is not 'epoch'.

    # Arguments
        log_dir: the path of the directory where to save the log files to be parsed by TensorBoard.
        histogram_freq: frequency (in epochs) at which to write histograms of the layers' weights
            (tags such as `dense_1/kernel_0`, at epochs 0, N, 2N, ...). If set to 0, histograms won't be
            written. Unlike Keras 2.2, no `validation_data` is needed for the weight histograms.
        batch_size: size of batch of inputs to feed to the network for gradients computation
            (`write_grads`).
        write_graph: whether to visualize the graph in TensorBoard (the graph of the model's prediction
            function, written once at the start of training).
        write_grads: whether to visualize gradient histograms in TensorBoard (tags such as
            `dense_1/kernel_0_grad`): gradients of the loss on the validation data, averaged over it.
            `histogram_freq` must be greater than 0, and `fit` must be given validation data.
        write_images: whether to write model weights to visualize as image in TensorBoard (when
            histograms are written; matrices, 3-D kernels and biases).
        embeddings_freq: accepted for compatibility; kernelkit does not write embeddings (a warning
            says so when this is not 0).
        embeddings_layer_names: accepted for compatibility (embeddings are not written).
        embeddings_metadata: accepted for compatibility (embeddings are not written).
        embeddings_data: accepted for compatibility (embeddings are not written).
        update_freq: `'batch'` or `'epoch'` or integer. When using `'batch'`, writes the losses and
            metrics to TensorBoard after each batch. The same applies for `'epoch'`. If using an integer,
            let's say `10000`, the callback will write the metrics and losses to TensorBoard every 10000
            samples. Note that writing too frequently to TensorBoard can slow down your training.

    # Raises
        ValueError: if `update_freq` is not 'batch', 'epoch' or a positive integer, or
            `histogram_freq` is negative.
    """

    def __init__(self, log_dir='./logs', histogram_freq=0, batch_size=32, write_graph=True, write_grads=False,
                 write_images=False, embeddings_freq=0, embeddings_layer_names=None, embeddings_metadata=None,
                 embeddings_data=None, update_freq='epoch'):
        super(TensorBoard, self).__init__()
        self.log_dir = os.fspath(log_dir)
        if histogram_freq < 0:
            raise ValueError('`histogram_freq` must be >= 0, got %r.' % (histogram_freq,))
        self.histogram_freq = histogram_freq
        self.batch_size = batch_size
        self.write_graph = write_graph
        self.write_grads = write_grads
        self.write_images = write_images
        self.embeddings_freq = embeddings_freq
        self.embeddings_layer_names = embeddings_layer_names
        self.embeddings_metadata = embeddings_metadata
        self.embeddings_data = embeddings_data
        if embeddings_freq:
            warnings.warn('TensorBoard: kernelkit does not write embeddings; `embeddings_freq=%r` and the other '
                          '`embeddings_*` arguments are ignored.' % (embeddings_freq,), stacklevel=2)
        if update_freq == 'batch':
            self.update_freq = 1  # every batch
        elif update_freq == 'epoch' or (isinstance(update_freq, (int, np.integer))
                                        and not isinstance(update_freq, bool) and update_freq > 0):
            self.update_freq = update_freq
        else:
            raise ValueError("`update_freq` must be 'batch', 'epoch' or a positive number of samples, got %r."
                             % (update_freq,))
        self.samples_seen = 0
        self.samples_seen_at_last_write = 0
        self.writer = None
        self._warned_grads = False

    # --- writer ---------------------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        self._ensure_writer()
        if self.write_graph:
            self._write_graph()

    def on_train_end(self, logs=None):
        if self.writer is not None:
            self.writer.close()
            self.writer = None

    def _ensure_writer(self):
        if self.writer is None:
            self.writer = tf.summary.create_file_writer(self.log_dir)

    def _write(self, tag, tensor, step, metadata):
        self._ensure_writer()
        with self.writer.as_default():
            tf.summary.write(tag, tensor, step=int(step), metadata=metadata)

    # --- graph ----------------------------------------------------------------------------------------
    def _predict_graph(self):
        """Returns the `GraphDef` of the model's prediction function (learning phase 0), or None."""
        model = self.model
        inputs = getattr(model, 'inputs', None)
        if not inputs:
            warnings.warn('TensorBoard: the model graph is not written: the inputs of model %s are not known '
                          '(subclassed models have no symbolic inputs).' % (getattr(model, 'name', model),))
            return None
        specs = [tf.TensorSpec(tensor.shape, tensor.dtype) for tensor in inputs]

        def predict(*tensors):
            return model(list(tensors) if len(tensors) > 1 else tensors[0], training=False)

        return tf.function(predict, autograph=False).get_concrete_function(*specs).graph.as_graph_def()

    def _write_graph(self):
        try:
            graph_def = self._predict_graph()
        except Exception as error:  # the graph is a visual aid: never fail training for it
            warnings.warn('TensorBoard: the model graph could not be traced and is not written: %s: %s'
                          % (type(error).__name__, error))
            return
        if graph_def is not None:
            with self.writer.as_default():
                tf.summary.graph(graph_def)
            self.writer.flush()

    # --- histograms and images ------------------------------------------------------------------------
    def _validation_gradients(self):
        """Gradients of the total loss on `validation_data` (learning phase 0), averaged over its samples
        in batches of `batch_size`; a dict from trainable weight (by id) to a numpy array, or None."""
        data = self.validation_data
        model = self.model
        if not data:
            return None
        n_inputs = len(model.inputs) if getattr(model, 'inputs', None) else len(model.input_names)
        n_targets = (len(data) - n_inputs) // 2
        inputs, targets = data[:n_inputs], data[n_inputs:n_inputs + n_targets]
        weights = data[n_inputs + n_targets:n_inputs + 2 * n_targets]
        trainable = model.trainable_weights
        totals = [np.zeros(w.shape, dtype=np.float64) for w in trainable]
        samples = len(inputs[0])
        step = max(int(self.batch_size or samples), 1)
        for start in range(0, samples, step):
            part = slice(start, min(start + step, samples))
            with tf.GradientTape() as tape:
                # The engine's own forward pass and loss (with masks, sample weights and regularizers).
                outputs, masks = model._forward([tf.convert_to_tensor(a[part]) for a in inputs], training=False)
                loss = model._losses_and_metrics(outputs, masks, [tf.convert_to_tensor(a[part]) for a in targets],
                                                 [None if w is None else tf.convert_to_tensor(w[part])
                                                  for w in weights])[0]
            grads = tape.gradient(loss, trainable)
            size = part.stop - part.start
            for total, grad in zip(totals, grads):
                if grad is not None:
                    total += tf.convert_to_tensor(grad).numpy() * size
        return {id(w): total / samples for w, total in zip(trainable, totals)}

    def _write_histograms(self, epoch):
        grads = None
        if self.write_grads:
            grads = self._validation_gradients()
            if grads is None and not self._warned_grads:
                self._warned_grads = True
                warnings.warn('TensorBoard: `write_grads` needs validation data (pass `validation_data` or '
                              '`validation_split` to `fit`); gradient histograms are not written.')
        for layer in self.model.layers:
            trainable_ids = {id(w) for w in layer.trainable_weights}
            for weight in layer.weights:
                tag = weight.name.replace(':', '_')
                value = K.get_value(weight)
                self._write(tag, histogram_buckets(value), epoch, _HISTOGRAM_METADATA)
                if grads is not None and id(weight) in trainable_ids and id(weight) in grads:
                    self._write(tag + '_grad', histogram_buckets(grads[id(weight)]), epoch, _HISTOGRAM_METADATA)
                if self.write_images:
                    self._write_image(tag, value, epoch)

    def _write_image(self, tag, value, epoch):
        images = weight_images(value)
        if images is None:
            return
        images = images[:_MAX_IMAGES]
        height, width = images.shape[1], images.shape[2]
        encoded = [tf.io.encode_png(_to_uint8(image)[:, :, np.newaxis]) for image in images]
        tensor = tf.stack([tf.constant(str(width)), tf.constant(str(height))] + encoded)
        self._write(tag, tensor, epoch, _IMAGE_METADATA)

    # --- scalars --------------------------------------------------------------------------------------
    def _write_logs(self, logs, step):
        for name, value in (logs or {}).items():
            if name in ('batch', 'size'):
                continue
            value = np.asarray(value)
            if value.size != 1 or value.dtype.kind not in 'biuf':
                continue  # only numbers are scalars
            self._write(name, tf.constant(float(value.reshape(())), dtype=tf.float32), step, _SCALAR_METADATA)
        if self.writer is not None:
            self.writer.flush()

    def on_batch_end(self, batch, logs=None):
        if self.update_freq == 'epoch':
            return
        logs = logs or {}
        self.samples_seen += logs.get('size', 1)
        if self.samples_seen - self.samples_seen_at_last_write >= self.update_freq:
            self._write_logs(logs, self.samples_seen)
            self.samples_seen_at_last_write = self.samples_seen

    def on_epoch_end(self, epoch, logs=None):
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._write_histograms(epoch)
        step = epoch if self.update_freq == 'epoch' else self.samples_seen
        self._write_logs(logs, step)
