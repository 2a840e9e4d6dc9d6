"""TensorBoard, against Keras 2.2.4 semantics: event files written with TensorFlow core only, read back with
`tf.compat.v1.train.summary_iterator` (tags, steps, values, plugin names), for scalars per epoch or per
batch/samples, weight and gradient histograms, weight images and the model graph."""
import glob
import os

import numpy as np
import pytest
import tensorflow as tf

from kernelkit.callbacks import LambdaCallback, LearningRateScheduler, TensorBoard
from kernelkit.callbacks.tensorboard import histogram_buckets
from kernelkit.layers import Add, Dense, Input
from kernelkit.models import Model, Sequential
from kernelkit.optimizers import SGD

RNG = np.random.RandomState(0)
X = RNG.rand(16, 3).astype('float32')
Y = X.dot(np.array([[1.], [-2.], [0.5]], 'float32')) + 0.3


def make_model(hidden=True, metrics=None):
    layers = [Dense(4, input_shape=(3,), activation='tanh'), Dense(1)] if hidden else [Dense(1, input_shape=(3,))]
    model = Sequential(layers)
    model.compile(SGD(lr=0.1), 'mse', metrics=metrics)
    return model


def read_events(log_dir):
    """Returns `{plugin: {tag: [(step, value), ...]}}` and the list of graph_defs found in `log_dir`."""
    summaries, graphs = {}, []
    for path in sorted(glob.glob(os.path.join(str(log_dir), 'events.out.tfevents.*'))):
        for event in tf.compat.v1.train.summary_iterator(path):
            if event.graph_def:
                graph = tf.compat.v1.GraphDef()
                graph.ParseFromString(event.graph_def)
                graphs.append(graph)
            for value in event.summary.value:
                plugin = value.metadata.plugin_data.plugin_name
                summaries.setdefault(plugin, {}).setdefault(value.tag, []).append(
                    (event.step, tf.make_ndarray(value.tensor)))
    return summaries, graphs


def steps_and_values(entries):
    return [step for step, _ in entries], [float(value) for _, value in entries]


def test_epoch_scalars_graph_and_close(tmp_path):
    board = TensorBoard(log_dir=str(tmp_path))
    model = make_model(metrics=['mae'])
    schedule = LearningRateScheduler(lambda epoch: 0.1 / (epoch + 1))
    history = model.fit(X, Y, batch_size=8, epochs=3, verbose=0, validation_split=0.25,
                        callbacks=[schedule, board])
    assert board.writer is None  # closed at train end
    assert len(glob.glob(str(tmp_path / 'events.out.tfevents.*'))) == 1
    summaries, graphs = read_events(tmp_path)
    assert set(summaries) == {'scalars'}
    scalars = summaries['scalars']
    assert set(scalars) == {'loss', 'val_loss', 'mae', 'val_mae', 'lr'}  # never 'batch' or 'size'
    for tag, entries in scalars.items():
        steps, values = steps_and_values(entries)
        assert steps == [0, 1, 2]
        np.testing.assert_array_equal(values, np.float32(history.history[tag]))
        assert all(value.dtype == np.float32 and value.shape == () for _, value in entries)
    (graph,) = graphs
    ops = [node.op for node in graph.node]
    assert ops.count('MatMul') == 2 and 'Tanh' in ops and 'Placeholder' in ops


def test_no_graph_when_write_graph_is_false(tmp_path):
    make_model().fit(X, Y, epochs=1, verbose=0, callbacks=[TensorBoard(log_dir=str(tmp_path), write_graph=False)])
    summaries, graphs = read_events(tmp_path)
    assert graphs == [] and list(summaries['scalars']) == ['loss']


def test_graph_of_a_two_input_model(tmp_path, recwarn):
    a, b = Input(shape=(3,)), Input(shape=(2,))
    model = Model([a, b], Dense(1)(Add()([Dense(2)(a), Dense(2)(b)])))
    model.compile('sgd', 'mse')
    model.fit([X, X[:, :2]], Y, epochs=1, verbose=0, callbacks=[TensorBoard(log_dir=str(tmp_path))])
    assert not [w for w in recwarn if 'TensorBoard' in str(w.message)]
    _, (graph,) = read_events(tmp_path)
    ops = [node.op for node in graph.node]
    assert ops.count('MatMul') == 3 and ('AddV2' in ops or 'Add' in ops)


def test_update_freq_batch(tmp_path):
    batch_losses = []
    record = LambdaCallback(on_batch_end=lambda batch, logs: batch_losses.append(logs['loss']))
    board = TensorBoard(log_dir=str(tmp_path), update_freq='batch', write_graph=False)
    history = make_model().fit(X, Y, batch_size=8, epochs=2, verbose=0, callbacks=[record, board])
    steps, values = steps_and_values(read_events(tmp_path)[0]['scalars']['loss'])
    # Batches write at the samples seen (8, 16, 24, 32); epoch ends write at the samples seen too.
    assert steps == [8, 16, 16, 24, 32, 32]
    loss = history.history['loss']
    np.testing.assert_array_equal(values, np.float32([batch_losses[0], batch_losses[1], loss[0], batch_losses[2],
                                                      batch_losses[3], loss[1]]))
    assert board.samples_seen == 32


def test_update_freq_samples(tmp_path):
    board = TensorBoard(log_dir=str(tmp_path), update_freq=16, write_graph=False)
    make_model().fit(X, Y, batch_size=4, epochs=2, verbose=0, callbacks=[board])
    steps, _ = steps_and_values(read_events(tmp_path)[0]['scalars']['loss'])
    assert steps == [16, 16, 32, 32]  # every 16 samples (4 batches), plus each epoch end


def test_weight_histograms_without_validation_data(tmp_path):
    snapshots = []
    model = make_model()
    record = LambdaCallback(on_epoch_end=lambda epoch, logs: snapshots.append(model.get_weights()))
    board = TensorBoard(log_dir=str(tmp_path), histogram_freq=2, write_graph=False)
    model.fit(X, Y, batch_size=8, epochs=3, verbose=0, callbacks=[record, board])
    histograms = read_events(tmp_path)[0]['histograms']
    tags = ['dense_1/kernel_0', 'dense_1/bias_0', 'dense_2/kernel_0', 'dense_2/bias_0']
    assert sorted(histograms) == sorted(tags)
    for index, tag in enumerate(tags):
        entries = histograms[tag]
        assert [step for step, _ in entries] == [0, 2]  # epochs 0, 2, ... (0-based), as Keras 2
        for step, buckets in entries:
            weight = snapshots[step][index]
            assert buckets.dtype == np.float64 and buckets.shape[1] == 3
            assert buckets[:, 2].sum() == weight.size
            np.testing.assert_array_equal(buckets, histogram_buckets(weight))
            if weight.size > 1:
                assert buckets.shape[0] == 30
                assert buckets[0, 0] == weight.min() and buckets[-1, 1] == pytest.approx(weight.max())


def test_histogram_buckets():
    np.testing.assert_array_equal(histogram_buckets([2., 2.]), [[1.5, 2.5, 2.]])
    assert histogram_buckets([]).shape == (0, 3)
    buckets = histogram_buckets([0., 1., 3., np.nan], bucket_count=3)
    np.testing.assert_allclose(buckets, [[0., 1., 1.], [1., 2., 1.], [2., 3., 1.]])


def test_gradient_histograms_on_validation_data(tmp_path):
    model = make_model(hidden=False)
    snapshots = []
    record = LambdaCallback(on_epoch_end=lambda epoch, logs: snapshots.append(model.get_weights()))
    board = TensorBoard(log_dir=str(tmp_path), histogram_freq=1, write_grads=True, batch_size=3,
                        write_graph=False)
    x_val, y_val = X[:10], Y[:10] * 2.
    model.fit(X, Y, batch_size=8, epochs=2, verbose=0, validation_data=(x_val, y_val), callbacks=[record, board])
    histograms = read_events(tmp_path)[0]['histograms']
    assert sorted(histograms) == ['dense_1/bias_0', 'dense_1/bias_0_grad', 'dense_1/kernel_0',
                                  'dense_1/kernel_0_grad']
    for epoch in range(2):
        kernel, bias = [w.astype('float64') for w in snapshots[epoch]]
        residual = x_val.dot(kernel) + bias - y_val
        grad_kernel = 2. * x_val.T.dot(residual) / len(x_val)  # the mean over all validation samples
        grad_bias = 2. * residual.sum() / len(x_val)
        step, buckets = histograms['dense_1/kernel_0_grad'][epoch]
        assert step == epoch and buckets[:, 2].sum() == 3
        np.testing.assert_allclose([buckets[0, 0], buckets[-1, 1]], [grad_kernel.min(), grad_kernel.max()],
                                   rtol=1e-5)
        _, buckets = histograms['dense_1/bias_0_grad'][epoch]
        np.testing.assert_allclose(buckets, [[grad_bias - 0.5, grad_bias + 0.5, 1.]], rtol=1e-5)


def test_write_grads_without_validation_data_warns(tmp_path):
    board = TensorBoard(log_dir=str(tmp_path), histogram_freq=1, write_grads=True, write_graph=False)
    with pytest.warns(UserWarning, match='`write_grads` needs validation data'):
        make_model().fit(X, Y, epochs=2, verbose=0, callbacks=[board])
    assert not [tag for tag in read_events(tmp_path)[0]['histograms'] if tag.endswith('_grad')]


def test_write_images(tmp_path):
    model = make_model()
    board = TensorBoard(log_dir=str(tmp_path), histogram_freq=1, write_images=True, write_graph=False)
    model.fit(X, Y, epochs=1, verbose=0, callbacks=[board])
    images = read_events(tmp_path)[0]['images']
    # (width, height), after squeezing axes of size 1 as Keras 2 did: a matrix is laid out wider than tall;
    # a vector (a bias, or the (4, 1) kernel) is a one-pixel-wide column; a single number is not drawn.
    expected = {'dense_1/kernel_0': (4, 3), 'dense_1/bias_0': (1, 4), 'dense_2/kernel_0': (1, 4)}
    assert sorted(images) == sorted(expected)
    for tag, (width, height) in expected.items():
        ((step, tensor),) = images[tag]
        assert step == 0 and len(tensor) == 3
        assert (int(tensor[0]), int(tensor[1])) == (width, height)
        pixels = tf.io.decode_png(tensor[2]).numpy()
        assert pixels.shape == (height, width, 1)
    # Scaled like TensorFlow's image summaries: with negative values, 0 is 128 and the largest magnitude 1 or 255.
    kernel = model.layers[0].get_weights()[0].astype('float64')  # (3, 4): already wider than tall
    assert kernel.min() < 0 < kernel.max()
    want = np.round(kernel * 127. / np.abs(kernel).max() + 128.)
    got = tf.io.decode_png(images['dense_1/kernel_0'][0][1][2]).numpy()[:, :, 0]
    np.testing.assert_array_equal(got, want)


def test_embeddings_are_not_written_and_say_so():
    with pytest.warns(UserWarning, match='does not write embeddings'):
        board = TensorBoard(embeddings_freq=1, embeddings_layer_names=['dense_1'])
    assert board.embeddings_freq == 1 and board.embeddings_layer_names == ['dense_1']


@pytest.mark.parametrize('update_freq', ['sometimes', 0, -5, True])
def test_bad_update_freq(update_freq):
    with pytest.raises(ValueError, match='update_freq'):
        TensorBoard(update_freq=update_freq)


def test_signature_defaults():
    board = TensorBoard()
    assert (board.log_dir, board.histogram_freq, board.batch_size, board.write_graph, board.write_grads,
            board.write_images, board.embeddings_freq, board.update_freq) == (
        './logs', 0, 32, True, False, False, 0, 'epoch')
