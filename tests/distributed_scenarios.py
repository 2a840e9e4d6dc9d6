"""Training scenarios under `tf.distribute`, run in a subprocess by tests/test_distribute.py.

TensorFlow splits the CPU into logical devices only before it starts, which a pytest process has long
done, hence the subprocess: `python tests/distributed_scenarios.py OUT.json` makes two logical CPU
devices, runs every scenario below with kernelkit (on one device and under `MirroredStrategy`) and with
tf_keras (the oracle, under the same strategy), and writes what it measured as JSON. Everything is
small: a few hundred samples, three epochs.

One strategy object serves the whole run: TensorFlow's collectives cannot tell apart two
`MirroredStrategy` instances on the same devices in one process (tf_keras fails the same way), and
`multi_gpu_model` keeps one per device list, which this one is.
"""
import json
import os
import sys
import tempfile

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

_CPU = tf.config.list_physical_devices('CPU')[0]
tf.config.set_logical_device_configuration(_CPU, [tf.config.LogicalDeviceConfiguration()] * 2)

import kernelkit  # noqa: E402
import tf_keras  # noqa: E402
from kernelkit.utils import multi_gpu_utils  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from distributed_models import data, make_model  # noqa: E402

multi_gpu_utils.REPLICA_DEVICE_TYPE = 'cpu'  # multi_gpu_model on the two logical CPU devices
STRATEGY = multi_gpu_utils._strategy_for(['/cpu:0', '/cpu:1'])  # the one multi_gpu_model uses too
RESULTS = {}


def build(lib, optimizer, batch_norm=False, strategy=None, input_shape=(10,)):
    """`make_model` in `strategy`'s scope (or on one device)."""
    context = strategy.scope() if strategy is not None else tf.distribute.get_strategy().scope()
    with context:
        return make_model(lib, optimizer, batch_norm, input_shape)


def max_difference(first, second):
    return float(max(np.abs(a - b).max() for a, b in zip(first, second)))


def scenario(function):
    try:
        RESULTS[function.__name__] = function()
    except Exception as error:  # reported to the test, which fails on it with the message
        RESULTS[function.__name__] = {'error': '%s: %s' % (type(error).__name__, error)}
    return function


def train(model, x, y, batch_size):
    history = model.fit(x, y, batch_size=batch_size, epochs=3, shuffle=False, verbose=0)
    return model.get_weights(), history.history


def compare(optimizer, n, batch_size, batch_norm=False):
    x, y = data(n)
    single, single_history = train(build(kernelkit, optimizer, batch_norm), x, y, batch_size)
    mirrored_model = build(kernelkit, optimizer, batch_norm, STRATEGY)
    mirrored, mirrored_history = train(mirrored_model, x, y, batch_size)
    oracle_model = build(tf_keras, optimizer, batch_norm, STRATEGY)
    oracle, oracle_history = train(oracle_model, x, y, batch_size)
    return {
        'vs_one_device': max_difference(single, mirrored),
        'vs_tf_keras': max_difference(oracle, mirrored),
        'loss': mirrored_history['loss'], 'tf_keras_loss': oracle_history['loss'],
        'one_device_loss': single_history['loss'],
        'acc': mirrored_history['acc'], 'tf_keras_acc': oracle_history['acc'],
        'evaluate': mirrored_model.evaluate(x, y, batch_size=batch_size, verbose=0),
        'tf_keras_evaluate': oracle_model.evaluate(x, y, batch_size=batch_size, verbose=0),
        'predict_vs_tf_keras': float(np.abs(mirrored_model.predict(x, batch_size=batch_size)
                                            - oracle_model.predict(x, batch_size=batch_size)).max()),
        'predict_shape': list(mirrored_model.predict(x, batch_size=batch_size).shape),
    }


@scenario
def momentum_even_batches():
    return compare('sgd', 256, 32)


@scenario
def adam_even_batches():
    return compare('adam', 256, 32)


@scenario
def rmsprop_even_batches():
    return compare('rmsprop', 256, 32)


@scenario
def adagrad_even_batches():
    return compare('adagrad', 256, 32)


@scenario
def dropout():
    """Dropout draws its masks per replica, so training cannot match one device mask for mask (tf_keras's
    cannot either); what must hold: the replicas stay in sync, the loss goes down, and inference (no
    dropout) gives the one-device outputs for the trained weights."""
    x, y = data(256)
    with STRATEGY.scope():
        model = make_model(kernelkit, 'adam', dropout=0.3)
    history = model.fit(x, y, batch_size=32, epochs=3, shuffle=False, verbose=0)
    replicas_apart = max(float(np.abs(np.asarray(a) - np.asarray(b)).max())
                         for w in model.weights for a, b in zip(w.values, w.values[1:]))
    single = make_model(kernelkit, 'adam', dropout=0.3)
    single.set_weights(model.get_weights())
    return {'replicas_apart': replicas_apart, 'loss': history.history['loss'],
            'predict_vs_one_device': float(np.abs(model.predict(x, batch_size=32) - single.predict(x)).max()),
            'evaluate': model.evaluate(x, y, batch_size=32, verbose=0),
            'one_device_evaluate': single.evaluate(x, y, batch_size=32, verbose=0)}


@scenario
def adam_uneven_batches():
    # 257 samples: the last batch holds one sample, so one replica gets an empty piece; batch 33 splits 17/16.
    result = compare('adam', 257, 32)
    result['batch_33'] = compare('adam', 200, 33)
    return result


@scenario
def batch_normalization():
    return compare('sgd', 256, 32, batch_norm=True)


@scenario
def batch_normalization_one_device():
    """How far kernelkit's and tf_keras's BatchNormalization differ without any strategy (the
    inference formula's rounding), to compare with the mirrored difference above."""
    x, y = data(256)
    ours, oracle = build(kernelkit, 'sgd', True), build(tf_keras, 'sgd', True)
    train(ours, x, y, 32)
    train(oracle, x, y, 32)
    return {'predict_vs_tf_keras': float(np.abs(ours.predict(x) - oracle.predict(x)).max())}


@scenario
def multi_gpu_model():
    import warnings
    x, y = data(256)
    template = build(kernelkit, 'adam')
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        parallel = multi_gpu_utils.multi_gpu_model(template, gpus=2)
    parallel.compile(kernelkit.optimizers.Adam(0.01), 'binary_crossentropy', metrics=['acc'])
    parallel.fit(x, y, batch_size=32, epochs=3, shuffle=False, verbose=0)
    reference, _ = train(build(kernelkit, 'adam'), x, y, 32)
    errors = {}
    for gpus in (3, [0], 1):
        try:
            multi_gpu_utils.multi_gpu_model(template, gpus=gpus)
        except ValueError as error:
            errors[str(gpus)] = str(error)
    migration = [w for w in caught if type(w.message).__name__ == 'KerasMigrationWarning']
    return {'weights': sorted({type(v).__name__ for v in parallel.weights}),
            'vs_one_device': max_difference(reference, parallel.get_weights()),
            'template_has_trained_weights': max_difference(reference, template.get_weights()),
            'warning': str(migration[0].message) if migration else None,
            'new_call': migration[0].message.new_call if migration else None,
            'errors': errors}


@scenario
def distributed_state():
    model = build(kernelkit, 'adam', strategy=STRATEGY)
    x, y = data(64)
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    slots = [v for slots in model.optimizer._slots.values() for v in slots.values()]
    kinds = lambda variables: sorted({type(v).__name__ for v in variables})  # noqa: E731
    return {'weights': kinds(model.weights), 'slots': kinds(slots),
            'iterations': [type(model.optimizer.iterations).__name__, int(model.optimizer.iterations.numpy())]}


@scenario
def deferred_build_in_scope():
    with STRATEGY.scope():
        model = kernelkit.models.Sequential([kernelkit.layers.Dense(8, activation='relu'),
                                             kernelkit.layers.Dense(1, activation='sigmoid')])
        model.compile('sgd', 'binary_crossentropy')
    x, y = data(64)
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    return {'weights': sorted({type(v).__name__ for v in model.weights})}


@scenario
def on_batch_methods():
    x, y = data(64)
    single, mirrored = build(kernelkit, 'sgd'), build(kernelkit, 'sgd', strategy=STRATEGY)
    logs = []
    for model in (single, mirrored):
        logs.append([model.train_on_batch(x[:32], y[:32]), model.train_on_batch(x[32:], y[32:]),
                     model.test_on_batch(x, y)])
    return {'logs_difference': max_difference(np.array(logs[0]), np.array(logs[1])),
            'weights_difference': max_difference(single.get_weights(), mirrored.get_weights()),
            'predict_on_batch_difference': float(np.abs(single.predict_on_batch(x)
                                                        - mirrored.predict_on_batch(x)).max())}


class _Batches(kernelkit.utils.Sequence):
    """Eight batches of 32 (module level, so worker processes can import it)."""

    def __init__(self, x, y):
        self.x, self.y = x, y

    def __len__(self):
        return 8

    def __getitem__(self, index):
        return self.x[index * 32:(index + 1) * 32], self.y[index * 32:(index + 1) * 32]


@scenario
def pipelines():
    """A Sequence with two worker threads, a generator and a tf.data dataset give the weights of the
    same batches fed as arrays on one device."""
    x, y = data(256)

    def generator():
        while True:
            for index in range(8):
                yield x[index * 32:(index + 1) * 32], y[index * 32:(index + 1) * 32]

    reference, _ = train(build(kernelkit, 'adam'), x, y, 32)
    differences = {}
    runs = {
        'sequence': lambda m: m.fit_generator(_Batches(x, y), epochs=3, workers=2, shuffle=False, verbose=0),
        'generator': lambda m: m.fit_generator(generator(), steps_per_epoch=8, epochs=3, verbose=0),
        'dataset': lambda m: m.fit(tf.data.Dataset.from_tensor_slices((x, y)).batch(32), epochs=3, verbose=0),
    }
    for name, run in runs.items():
        model = build(kernelkit, 'adam', strategy=STRATEGY)
        run(model)
        differences[name] = max_difference(reference, model.get_weights())
    model = build(kernelkit, 'adam', strategy=STRATEGY)
    model.fit(x, y, batch_size=32, epochs=1, verbose=0)
    differences['evaluate_generator'] = abs(model.evaluate_generator(_Batches(x, y))[0]
                                            - model.evaluate(x, y, batch_size=32, verbose=0)[0])
    differences['predict_generator'] = float(np.abs(model.predict_generator(_Batches(x, y))
                                                    - model.predict(x, batch_size=32)).max())
    return differences


@scenario
def one_device_and_default_strategies():
    """OneDeviceStrategy (on the second logical device) and the default strategy give the weights of a
    model compiled outside any scope."""
    x, y = data(256)
    reference, _ = train(build(kernelkit, 'adam'), x, y, 32)
    differences = {}
    for name, strategy in (('one_device', tf.distribute.OneDeviceStrategy('/cpu:1')),
                           ('default', tf.distribute.get_strategy())):
        model = build(kernelkit, 'adam', strategy=strategy)
        weights, _ = train(model, x, y, 32)
        differences[name] = max_difference(reference, weights)
    return differences


@scenario
def process_workers():
    """fit_generator with two worker processes under MirroredStrategy: the weights of one device."""
    x, y = data(256)
    reference, _ = train(build(kernelkit, 'adam'), x, y, 32)
    model = build(kernelkit, 'adam', strategy=STRATEGY)
    model.fit_generator(_Batches(x, y), epochs=3, workers=2, use_multiprocessing=True, shuffle=False, verbose=0)
    return {'vs_one_device': max_difference(reference, model.get_weights())}


@scenario
def saving():
    x, y = data(64)
    folder = tempfile.mkdtemp()
    model = build(kernelkit, 'adam', strategy=STRATEGY)
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    model.save(os.path.join(folder, 'mirrored.h5'))
    model.save_weights(os.path.join(folder, 'mirrored_weights.h5'))
    plain = kernelkit.models.load_model(os.path.join(folder, 'mirrored.h5'))
    other = build(kernelkit, 'adam')
    other.load_weights(os.path.join(folder, 'mirrored_weights.h5'))
    result = {'loaded_without_strategy': max_difference(model.get_weights(), plain.get_weights()),
              'weights_loaded_without_strategy': max_difference(model.get_weights(), other.get_weights()),
              'loaded_iterations': int(plain.optimizer.iterations.numpy())}
    plain.save(os.path.join(folder, 'plain.h5'))
    with STRATEGY.scope():
        again = kernelkit.models.load_model(os.path.join(folder, 'plain.h5'))
    result['loaded_under_strategy'] = sorted({type(v).__name__ for v in again.weights})
    reference = kernelkit.models.load_model(os.path.join(folder, 'plain.h5'))
    again.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
    reference.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
    result['continued_training'] = max_difference(again.get_weights(), reference.get_weights())
    checkpoint = os.path.join(folder, 'best.h5')
    model.fit(x, y, batch_size=16, epochs=2, verbose=0, validation_data=(x, y),
              callbacks=[kernelkit.callbacks.ModelCheckpoint(checkpoint, save_best_only=True)])
    result['checkpoint_loads'] = max_difference(model.get_weights(),
                                                kernelkit.models.load_model(checkpoint).get_weights()) < 1.
    return result


if __name__ == '__main__':
    with open(sys.argv[1], 'w') as handle:
        json.dump(RESULTS, handle, indent=1)
