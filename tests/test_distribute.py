"""`fit`, `evaluate`, `predict` and saving under `tf.distribute`, against one device and against tf_keras.

MirroredStrategy runs on two logical CPU devices in a subprocess (tests/distributed_scenarios.py);
MultiWorkerMirroredStrategy runs as two local worker processes (tests/multi_worker_job.py, started by the
launcher's `kernelkit.distribute.start_workers`) that train on different data, so only the gradients'
all-reduce keeps them equal. Tolerances: 1e-5 where the same
arithmetic runs in another order, looser only where said why.
"""
import json
import os
import subprocess
import sys
import time

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from distributed_models import data, make_model  # noqa: E402

from kernelkit import distribute  # noqa: E402

SAME = 1e-5


def _run(command, timeout, env=None):
    environment = dict(os.environ, TF_CPP_MIN_LOG_LEVEL='2', **(env or {}))
    completed = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=environment)
    assert completed.returncode == 0, completed.stderr[-4000:]


@pytest.fixture(scope='module')
def scenarios(tmp_path_factory):
    out = tmp_path_factory.mktemp('scenarios') / 'results.json'
    _run([sys.executable, os.path.join(HERE, 'distributed_scenarios.py'), str(out)], timeout=900)
    results = json.loads(out.read_text())
    return results


def result(scenarios, name):
    value = scenarios[name]
    assert 'error' not in value, value.get('error')
    return value


# ------------------------------------------------------------------------------------- MirroredStrategy
@pytest.mark.parametrize('name', ['momentum_even_batches', 'adam_even_batches', 'rmsprop_even_batches',
                                  'adagrad_even_batches'])
def test_mirrored_training_equals_one_device_and_tf_keras(scenarios, name):
    r = result(scenarios, name)
    assert r['vs_one_device'] < SAME
    np.testing.assert_allclose(r['loss'], r['one_device_loss'], rtol=SAME)
    assert r['vs_tf_keras'] < SAME
    np.testing.assert_allclose(r['loss'], r['tf_keras_loss'], rtol=SAME)
    np.testing.assert_allclose(r['acc'], r['tf_keras_acc'], rtol=SAME)
    np.testing.assert_allclose(r['evaluate'], r['tf_keras_evaluate'], rtol=SAME)
    assert r['predict_vs_tf_keras'] < SAME
    assert r['predict_shape'] == [256, 1]


def test_dropout_under_a_strategy(scenarios):
    r = result(scenarios, 'dropout')
    assert r['replicas_apart'] == 0.                    # the mirrored weights stay identical
    assert r['loss'][-1] < r['loss'][0]
    assert r['predict_vs_one_device'] < SAME
    np.testing.assert_allclose(r['evaluate'], r['one_device_evaluate'], rtol=SAME)


def test_batches_that_do_not_divide_are_split_as_tf_keras_splits_them(scenarios):
    r = result(scenarios, 'adam_uneven_batches')
    for case, samples in ((r, 257), (r['batch_33'], 200)):
        # Not the one-device weights (each replica averages its own piece, as in tf_keras) ...
        assert case['vs_one_device'] > 1e-3
        # ... but tf_keras's, with the same logs: the loss and metrics over all samples of each batch.
        assert case['vs_tf_keras'] < SAME
        np.testing.assert_allclose(case['loss'], case['tf_keras_loss'], rtol=SAME)
        np.testing.assert_allclose(case['acc'], case['tf_keras_acc'], rtol=SAME)
        np.testing.assert_allclose(case['evaluate'], case['tf_keras_evaluate'], rtol=SAME)
        assert case['predict_shape'] == [samples, 1]


def test_batch_normalization_statistics_behave_as_in_tf_keras(scenarios):
    r = result(scenarios, 'batch_normalization')
    # Each replica normalises with its own piece's statistics (no sync), so not the one-device result,
    assert r['vs_one_device'] > 1e-3
    # but tf_keras's: weights and moving statistics (the mean of the replicas' updates).
    assert r['vs_tf_keras'] < SAME
    np.testing.assert_allclose(r['loss'], r['tf_keras_loss'], rtol=SAME)
    # Inference divides by sqrt(moving variance + eps) with tiny variances after 24 steps: the 5e-7
    # weight differences grow to a few 1e-4 in the outputs (on one device the two agree to 1e-7).
    assert r['predict_vs_tf_keras'] < 1e-3
    assert result(scenarios, 'batch_normalization_one_device')['predict_vs_tf_keras'] < SAME
    np.testing.assert_allclose(r['evaluate'], r['tf_keras_evaluate'], rtol=1e-3)


def test_weights_slots_and_iterations_are_mirrored(scenarios):
    r = result(scenarios, 'distributed_state')
    assert r['weights'] == ['MirroredVariable']
    assert r['slots'] == ['MirroredVariable']
    assert r['iterations'] == ['MirroredVariable', 4]   # 64 samples / 16 per batch: one step each
    assert result(scenarios, 'deferred_build_in_scope')['weights'] == ['MirroredVariable']


def test_on_batch_methods_under_a_strategy(scenarios):
    r = result(scenarios, 'on_batch_methods')
    assert r['logs_difference'] < SAME
    assert r['weights_difference'] < SAME
    assert r['predict_on_batch_difference'] < SAME


def test_sequences_generators_and_datasets_under_a_strategy(scenarios):
    r = result(scenarios, 'pipelines')
    for name in ('sequence', 'generator', 'dataset', 'evaluate_generator', 'predict_generator'):
        assert r[name] < SAME, name


def test_one_device_and_default_strategies(scenarios):
    r = result(scenarios, 'one_device_and_default_strategies')
    assert r['one_device'] < SAME
    assert r['default'] < SAME


def test_process_workers_under_a_strategy(scenarios):
    assert result(scenarios, 'process_workers')['vs_one_device'] < SAME


def test_saving_under_a_strategy_and_loading_without_one(scenarios):
    r = result(scenarios, 'saving')
    assert r['loaded_without_strategy'] == 0.0
    assert r['weights_loaded_without_strategy'] == 0.0
    assert r['loaded_iterations'] == 4
    assert r['loaded_under_strategy'] == ['MirroredVariable']
    assert r['continued_training'] < SAME
    assert r['checkpoint_loads']


def test_multi_gpu_model_trains_under_mirrored_strategy(scenarios):
    r = result(scenarios, 'multi_gpu_model')
    assert r['weights'] == ['MirroredVariable']
    assert r['vs_one_device'] < SAME
    assert r['template_has_trained_weights'] < SAME     # the Keras 2 FAQ saves the template
    assert r['warning'].startswith('`multi_gpu_model` is deprecated')
    assert 'MirroredStrategy' in r['new_call'] and 'strategy.scope()' in r['new_call']
    assert r['errors']['3'] == (
        "To call `multi_gpu_model` with `gpus=3`, we expect the following devices to be available: "
        "['/cpu:0', '/cpu:0', '/cpu:1', '/cpu:2']. However this machine only has: ['/cpu:0', '/cpu:1']. "
        "Try reducing `gpus`.")
    assert r['errors']['1'].startswith('For multi-gpu usage to be effective, call `multi_gpu_model` with `gpus >= 2`')
    assert 'len(gpus) >= 2' in r['errors']['[0]']


def test_multi_gpu_model_without_the_devices_raises_keras_message():
    from kernelkit.utils import multi_gpu_utils
    model = make_model(__import__('kernelkit'))
    with pytest.raises(ValueError, match='we expect the following devices to be available: .*/gpu:0.*Try reducing'):
        multi_gpu_utils.multi_gpu_model(model, gpus=2)


# --------------------------------------------------------------------------- MultiWorkerMirroredStrategy
def _start_job(folder, epochs, backup_dir, die=None, die_mid_epoch=None, pipelines=False):
    """Starts the two workers with the launcher's `start_workers`; returns their processes."""
    settings = {'epochs': epochs, 'backup_dir': str(backup_dir), 'die': die, 'die_mid_epoch': die_mid_epoch,
                'checkpoint': str(folder / 'checkpoint.h5'), 'out_dir': str(folder), 'pipelines': pipelines}
    (folder / 'settings.json').write_text(json.dumps(settings))
    worker_tmp = folder / 'worker_tmp'
    worker_tmp.mkdir(exist_ok=True)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL='2', TMPDIR=str(worker_tmp))
    return distribute.start_workers([sys.executable, os.path.join(HERE, 'multi_worker_job.py'),
                                     str(folder / 'settings.json')], 2, env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _wait(processes, timeout=240):
    deadline = time.time() + timeout
    for process in processes:
        try:
            process.wait(max(1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            for other in processes:
                other.kill()
            pytest.fail('a worker did not finish in %d s' % timeout)
    return [process.returncode for process in processes]


def _worker_results(folder):
    return [json.loads((folder / ('worker%d.json' % i)).read_text()) for i in range(2)]


@pytest.fixture(scope='module')
def uninterrupted_job(tmp_path_factory):
    folder = tmp_path_factory.mktemp('job')
    processes = _start_job(folder, epochs=4, backup_dir=folder / 'backup', pipelines=True)
    codes = _wait(processes)
    assert codes == [0, 0], [p.stderr.read()[-3000:] for p in processes]
    return folder, _worker_results(folder)


def _global_batches(first_worker, second_worker):
    """The global batches of 32 that the workers' DATA-sharded pieces form: worker 0's first half of
    its batch and worker 1's second half of its own."""
    return np.concatenate([np.concatenate([first_worker[start:start + 16], second_worker[start + 16:start + 32]])
                           for start in range(0, 256, 32)])


def _one_device_weights(x, y):
    import kernelkit
    reference = make_model(kernelkit)
    reference.fit(x, y, batch_size=32, epochs=4, shuffle=False, verbose=0)
    return reference


def _assert_same_weights(ours, theirs, atol=SAME):
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, atol=atol)


def test_multi_worker_gradients_are_all_reduced(uninterrupted_job):
    folder, (first, second) = uninterrupted_job
    assert first['replicas'] == second['replicas'] == 2
    _assert_same_weights(first['weights'], second['weights'], atol=1e-6)
    # One device, fed each global batch as the two workers' pieces.
    (x0, y0), (x1, y1) = data(256, seed=0), data(256, seed=1)
    reference = _one_device_weights(_global_batches(x0, x1), _global_batches(y0, y1))
    _assert_same_weights(first['weights'], reference.get_weights())
    assert first['iterations'] == second['iterations'] == 32
    # Predictions on the data both workers hold are those of the trained weights on one device.
    shared_x, shared_y = data(64, seed=99)
    np.testing.assert_allclose(first['predict'], reference.predict(shared_x), atol=SAME)
    assert first['predict'] == second['predict']
    np.testing.assert_allclose(first['evaluate'], reference.evaluate(shared_x, (shared_x.sum(1) > 5).astype('float32'),
                                                                    batch_size=16, verbose=0), rtol=1e-4)


def test_multi_worker_datasets_are_sharded_by_tensorflow_policy_and_sequences_as_tf_keras(uninterrupted_job):
    _, (first, second) = uninterrupted_job
    for name in ('dataset', 'dataset_off', 'sequence'):
        _assert_same_weights(first['pipelines'][name], second['pipelines'][name], atol=1e-6)
    (x0, y0), (x1, y1) = data(256, seed=0), data(256, seed=1)
    # The default policy (DATA: no files to shard) and a Sequence: the numpy job's global batches.
    by_data = _one_device_weights(_global_batches(x0, x1), _global_batches(y0, y1)).get_weights()
    _assert_same_weights(first['pipelines']['dataset'], by_data)
    _assert_same_weights(first['pipelines']['sequence'], by_data)
    # Sharding OFF: each worker reads its whole dataset, rebatched into pieces of 16, so global batch k
    # is both workers' k-th 16 samples, and an epoch (8 steps, the dataset's length) ends halfway.
    def unsharded(first_worker, second_worker):
        return np.concatenate([np.concatenate([first_worker[start:start + 16], second_worker[start:start + 16]])
                               for start in range(0, 128, 16)])
    by_none = _one_device_weights(unsharded(x0, x1), unsharded(y0, y1)).get_weights()
    _assert_same_weights(first['pipelines']['dataset_off'], by_none)
    assert max(np.abs(np.array(a) - b).max() for a, b in zip(first['pipelines']['dataset_off'], by_data)) > 1e-2
    # Batches of 33 (pieces 17 and 16, then a batch of 1 that leaves worker 1 an empty piece): as numpy
    # arrays are split (checked against tf_keras under MirroredStrategy above).
    _assert_same_weights(first['pipelines']['dataset_uneven'], second['pipelines']['dataset_uneven'], atol=1e-6)
    _assert_same_weights(first['pipelines']['dataset_uneven'], first['pipelines']['arrays_uneven'])
    # Given the same data, both workers end with the weights of one process trained on it.
    same_x, same_y = data(256, seed=7)
    _assert_same_weights(first['pipelines']['same_data'], _one_device_weights(same_x, same_y).get_weights())
    _assert_same_weights(second['pipelines']['same_data'], first['pipelines']['same_data'], atol=1e-6)


def test_lost_workers_are_named_from_tensorflow_messages():
    from kernelkit.engine import distribution
    import tensorflow as tf
    message = ('Collective ops is aborted by: recvmsg:Connection reset by peer\nAdditional GRPC error information '
               'from remote target /job:worker/replica:0/task:1 while calling /tensorflow.WorkerService/RecvBuf')
    assert distribution.lost_task(message, ('worker', 0)) == 'worker 1'
    assert distribution.lost_task('Task /job:worker/replica:0/task:0 and /job:worker/replica:0/task:2 ...',
                                  ('worker', 0)) == 'worker 2'
    assert distribution.lost_task('Socket closed', ('worker', 0)) is None
    # Several other tasks and no remote target: which one was lost is unknown, so none is named.
    assert distribution.lost_task('Waiting for /job:worker/replica:0/task:1 and /job:worker/replica:0/task:2',
                                  ('worker', 0)) is None
    assert distribution.is_lost_peer_error(tf.errors.UnavailableError(None, None, 'Socket closed'))
    assert distribution.is_lost_peer_error(tf.errors.InternalError(None, None, 'coordination service: heartbeat'))
    assert not distribution.is_lost_peer_error(tf.errors.InternalError(None, None, 'Blas GEMM launch failed'))
    assert not distribution.is_lost_peer_error(ValueError('Collective'))


def test_a_worker_pieces_are_placed_in_a_global_batch_as_split_batch_takes_them():
    from kernelkit.engine.distribution import _global_batch_size
    assert _global_batch_size(2, [0], [16]) == 31           # pieces 16 and 15: the smallest that fits
    assert _global_batch_size(2, [1], [16]) == 32
    assert _global_batch_size(2, [1], [0]) == 1             # an empty last piece still makes a step
    assert _global_batch_size(4, [2, 3], [5, 4]) == 19      # pieces 5, 5, 5, 4
    with pytest.raises(ValueError, match='do not form one global batch'):
        _global_batch_size(2, [0, 1], [3, 5])


def test_only_the_chief_writes_files_and_the_others_clean_up(uninterrupted_job):
    folder, (first, _) = uninterrupted_job
    import kernelkit
    saved = kernelkit.models.load_model(str(folder / 'checkpoint.h5'))
    for ours, theirs in zip(first['weights'], saved.get_weights()):
        np.testing.assert_allclose(ours, theirs, atol=0)
    assert sorted(p.name for p in folder.iterdir()) == ['backup', 'checkpoint.h5', 'settings.json',
                                                         'worker0.json', 'worker1.json', 'worker_tmp']
    assert list((folder / 'worker_tmp').iterdir()) == []        # the worker's temporary copies are gone
    assert list((folder / 'backup').iterdir()) == []            # deleted when training ended normally


def test_a_worker_that_dies_mid_epoch_stops_the_other_and_a_restart_resumes(uninterrupted_job, tmp_path):
    _, reference = uninterrupted_job
    backup = tmp_path / 'backup'
    first_try = tmp_path / 'first'
    first_try.mkdir()
    # Worker 1 dies at the end of batch 3 of epoch 3 (index 2): the last completed epoch is epoch 2.
    processes = _start_job(first_try, epochs=4, backup_dir=backup, die_mid_epoch=[1, 2, 3])
    try:
        _, dead_message = processes[1].communicate(timeout=240)   # reading stderr, so no pipe fills up
        assert processes[1].returncode == 3, dead_message[-3000:]
        died = time.time()
        try:
            _, message = processes[0].communicate(timeout=60)      # a clear error, not a hang
        except subprocess.TimeoutExpired:
            pytest.fail('worker 0 still runs 60 s after worker 1 died')
        stopped_after, code = time.time() - died, processes[0].returncode
    finally:
        distribute.stop_workers(processes)
    assert code != 0
    assert stopped_after < 60
    assert 'WorkerStoppedError: Worker 1 of this multi-worker job stopped' in message, message[-3000:]
    assert 'BackupAndRestore' in message and 'resumes from the last completed epoch' in message
    from kernelkit.engine import saving
    with saving._h5py().File(str(backup / 'backup.h5'), 'r') as f:   # the chief kept its backup of epoch 2
        assert int(f.attrs['kernelkit_backup_epoch']) == 1
    second_try = tmp_path / 'second'
    second_try.mkdir()
    processes = _start_job(second_try, epochs=4, backup_dir=backup)
    assert _wait(processes) == [0, 0], [p.stderr.read()[-3000:] for p in processes]
    for resumed, uninterrupted in zip(_worker_results(second_try), reference):
        assert resumed['restored_epoch'] == 1
        assert resumed['epochs'] == [2, 3]
        assert resumed['iterations'] == 32                        # the optimizer state came back too
        for a, b in zip(resumed['weights'], uninterrupted['weights']):
            np.testing.assert_allclose(a, b, atol=SAME)


# --------------------------------------------------------------------------------- BackupAndRestore alone
def test_backup_and_restore_on_one_device(tmp_path):
    import kernelkit
    x, y = data(128)

    class Crash(kernelkit.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 2:
                raise KeyboardInterrupt

    uninterrupted = make_model(kernelkit)
    uninterrupted.fit(x, y, batch_size=32, epochs=5, shuffle=False, verbose=0)
    model = make_model(kernelkit)
    backup = kernelkit.callbacks.BackupAndRestore(str(tmp_path / 'backup'))
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, batch_size=32, epochs=5, shuffle=False, verbose=0, callbacks=[backup, Crash()])
    fresh = make_model(kernelkit)            # a new process would start from a new model
    history = fresh.fit(x, y, batch_size=32, epochs=5, shuffle=False, verbose=0, callbacks=[backup])
    assert backup.restored_epoch == 2
    assert history.epoch == [3, 4]
    assert int(fresh.optimizer.iterations.numpy()) == 20
    for a, b in zip(fresh.get_weights(), uninterrupted.get_weights()):
        np.testing.assert_allclose(a, b, atol=SAME)
    assert not (tmp_path / 'backup' / 'backup.h5').exists()


def test_backup_and_restore_arguments():
    import kernelkit
    with pytest.raises(ValueError, match='backup_dir'):
        kernelkit.callbacks.BackupAndRestore('')
    with pytest.raises(ValueError, match="save_freq` must be 'epoch'"):
        kernelkit.callbacks.BackupAndRestore('/tmp/x', save_freq=10)
    with pytest.raises(ValueError, match='save_before_preemption'):
        kernelkit.callbacks.BackupAndRestore('/tmp/x', save_before_preemption=True)
