"""One worker of a two-worker `MultiWorkerMirroredStrategy` job on this machine (tests/test_distribute.py).

    python tests/multi_worker_job.py SETTINGS.json INDEX

SETTINGS holds the workers' ports, the number of epochs, the backup folder, the checkpoint path, the
worker that dies (`os._exit`) at the end of which epoch (or none) and the output folder. Each worker
trains the same model on its own data (a different seed per worker), so only the all-reduce of the
gradients keeps the two copies equal. The worker writes `worker<INDEX>.json` with its final weights,
its history and its optimizer's `iterations`, and predictions on a dataset that both workers share.
"""
import json
import os
import sys


def main(settings_path, index):
    with open(settings_path) as handle:
        settings = json.load(handle)
    os.environ['TF_CONFIG'] = json.dumps({
        'cluster': {'worker': ['localhost:%d' % port for port in settings['ports']]},
        'task': {'type': 'worker', 'index': index}})
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
            if settings['die'] is not None and settings['die'] == [index, epoch]:
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
    with open(os.path.join(settings['out_dir'], 'worker%d.json' % index), 'w') as handle:
        json.dump(result, handle)


if __name__ == '__main__':
    main(sys.argv[1], int(sys.argv[2]))
