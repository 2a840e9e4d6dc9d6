"""One worker of a two-worker `MultiWorkerMirroredStrategy` job on this machine (tests/test_distribute.py).

    python -m kernelkit.distribute --workers 2 tests/multi_worker_job.py SETTINGS.json

The worker's place in the job comes from `TF_CONFIG` (set by the launcher, `kernelkit.distribute`).
SETTINGS holds the number of epochs, the backup folder, the checkpoint path, the worker that dies
(`os._exit(3)`) at the end of which epoch (`die`: [index, epoch]) or in the middle of one (`die_mid_epoch`:
[index, epoch, batch], at the end of that batch), or none, the output folder, and `pipelines`: whether
to train three more models on a dataset and a Sequence (see `pipelines`). Each worker
trains the same model on its own data (a different seed per worker), so only the all-reduce of the
gradients keeps the two copies equal. The worker writes `worker<INDEX>.json` with its final weights,
its history and its optimizer's `iterations`, and predictions on a dataset that both workers share.
"""
import json
import os
import sys


def main(settings_path):
    with open(settings_path) as handle:
        settings = json.load(handle)
    index = json.loads(os.environ['TF_CONFIG'])['task']['index']
    os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
    import numpy as np
    import tensorflow as tf
    strategy = tf.distribute.MultiWorkerMirroredStrategy()  # before any other TensorFlow work
    import kernelkit as keras
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from distributed_models import data, make_model

    x, y = data(256, seed=index)
    with strategy.scope():
        model = make_model(keras)

    class DieAfter(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if settings.get('die') == [index, epoch]:
                os._exit(3)

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch

        def on_batch_end(self, batch, logs=None):
            if settings.get('die_mid_epoch') == [index, self.epoch, batch]:
                os._exit(3)

    callbacks = [keras.callbacks.BackupAndRestore(settings['backup_dir']), DieAfter(),
                 keras.callbacks.ModelCheckpoint(settings['checkpoint'])]
    history = model.fit(x, y, batch_size=32, epochs=settings['epochs'], shuffle=False, verbose=0,
                        callbacks=callbacks)
    shared_x, _ = data(64, seed=99)
    result = {'weights': [w.tolist() for w in model.get_weights()],
              'epochs': history.epoch, 'loss': history.history['loss'],
              'iterations': int(model.optimizer.iterations.numpy()),
              'restored_epoch': callbacks[0].restored_epoch,
              'replicas': strategy.num_replicas_in_sync,
              'predict': model.predict(shared_x, batch_size=16).tolist(),
              'evaluate': model.evaluate(shared_x, (shared_x.sum(1) > 5).astype('float32'), batch_size=16,
                                         verbose=0)}
    if settings.get('pipelines'):
        result['pipelines'] = pipelines(keras, strategy, x, y)
    with open(os.path.join(settings['out_dir'], 'worker%d.json' % index), 'w') as handle:
        json.dump(result, handle)


def pipelines(keras, strategy, x, y):
    """Fresh models trained for 4 epochs on this worker's data as a `tf.data.Dataset` (sharded by
    TensorFlow's default policy, and with sharding OFF), as a `Sequence`, and as a dataset and arrays
    whose batches do not divide over the replicas, and arrays that both workers hold alike; their final
    weights."""
    import tensorflow as tf
    from distributed_models import make_model

    class Batches(keras.utils.Sequence):
        def __len__(self):
            return 8

        def __getitem__(self, index):
            return x[index * 32:(index + 1) * 32], y[index * 32:(index + 1) * 32]

    unsharded = tf.data.Options()
    unsharded.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.OFF
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(32)
    inputs = {'dataset': dataset, 'dataset_off': dataset.with_options(unsharded), 'sequence': Batches()}
    # 232 samples in batches of 33: pieces of 17 and 16, and a last batch of 1 that leaves worker 1 empty.
    inputs['dataset_uneven'] = tf.data.Dataset.from_tensor_slices((x[:232], y[:232])).batch(33)
    from distributed_models import data as shared_data
    weights = {}
    arrays = [('arrays_uneven', (x[:232], y[:232])), ('same_data', shared_data(256, seed=7))]
    for name, data in list(inputs.items()) + arrays:
        with strategy.scope():
            model = make_model(keras)
        if isinstance(data, tuple):
            model.fit(data[0], data[1], batch_size=32 if name == 'same_data' else 33, epochs=4, shuffle=False,
                      verbose=0)
        else:
            model.fit(data, epochs=4, shuffle=False, verbose=0)
        weights[name] = [w.tolist() for w in model.get_weights()]
    return weights


if __name__ == '__main__':
    main(sys.argv[1])
