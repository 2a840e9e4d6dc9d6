"""A fuzzer for kernelkit's loaders: mutated configs (JSON, YAML, dicts) and mutated HDF5 files go through
`model_from_json`, `model_from_yaml`, `model_from_config`, `layers.deserialize`, `load_model` and
`load_weights` (plain, `by_name=True`, `by_name=True, skip_mismatch=True`).

The rule, checked per case: the input either loads correctly, or raises an error of the `ValueError`,
`TypeError`, `KeyError` or `OSError` family whose message names the file (for file loaders) and a layer,
weight, attribute or key of the input. Never a crash, a hang, a partial load (a failed `load_weights` must
leave the model's weights as they were) or code execution (stored Lambda bytecode and YAML tags must not
run without `safe_mode=False`). A byte flipped inside a checksummed (Fletcher-32) weight must never load.

"Loads correctly" means: for config loaders, a layer (a model for the model loaders) whose config
serializes again; for `load_model` and `load_weights`, weights equal to the arrays the file holds (read
independently with h5py), and for `by_name` loads, layers absent from the file keep their weights.

Cases run in worker subprocesses (`python tests/fuzz_loaders.py --worker DIR`, one JSON line per case on
stdin/stdout), so a segfault is counted as a crash and a case past its timeout as a hang. Everything is
deterministic for a given seed. Run `python tests/fuzz_loaders.py --cases 1000` (or `make fuzz`).
"""
import argparse
import json
import os
import random
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fuzz_mutators import (CONFIG_MUTATIONS, FILE_MUTATIONS, _decode, _layer_entries, _paths,  # noqa: E402
                           _weights_root, config_object, config_text, mutate_config, mutate_file)

HERE = os.path.dirname(os.path.abspath(__file__))
REAL_FILES = os.path.join(HERE, '..', '..', 'shared', 'keras-files', 'dl4j-test-resources')
# Real Keras 1/2 files used as extra seeds when the shared folder exists (read in place, never copied).
REAL_MODEL_FILES = ('weights/dense_tensorflow_1.h5', 'weights/conv2d_theano_2.h5', 'optimizers/adam.h5',
                    'weights/embedding_conv1d_flatten_tensorflow_2.h5', 'fullconfigs/cnn/cnn_batch_norm.h5',
                    'weights/bidirectional_lstm_tensorflow_1.h5')
REAL_CONFIG_FILES = ('configs/keras2/keras2_cnn_tf_config.json', 'configs/keras1/mlp_fapi_config.json',
                     'configs/keras1/lstm_tddense_config.json')
CONFIG_DRIVERS = ('model_from_json', 'model_from_yaml', 'model_from_config', 'layers.deserialize')
FILE_DRIVERS = ('load_model', 'load_weights', 'load_weights_by_name', 'load_weights_skip_mismatch')
DRIVERS = CONFIG_DRIVERS + FILE_DRIVERS
CLEAR_FAMILY = (ValueError, TypeError, KeyError, OSError)
OUTCOMES = ('loaded', 'clear_error', 'unclear_error', 'crash', 'hang', 'partial_load', 'wrong_load',
            'code_execution', 'harness_error')
BAD_OUTCOMES = OUTCOMES[2:]


# --------------------------------------------------------------------------------------------- the seeds
def build_seeds(directory):
    """Builds the kernelkit seed models and saves each as a model file, a weights file and a JSON config.

    # Returns
        `{name: {'model': path, 'weights': path, 'config': dict}}` (real Keras files added when present).
    """
    index = os.path.join(directory, 'seeds.json')
    if os.path.exists(index):
        with open(index) as handle:
            return json.load(handle)
    import tensorflow as tf
    import kernelkit as keras
    from kernelkit import layers as L
    rng = np.random.RandomState(0)
    tf.random.set_seed(0)

    def sequential_dense():
        return keras.models.Sequential([L.Dense(4, activation='relu', input_shape=(3,), name='hidden'),
                                        L.Dense(2, name='out')])

    def sequential_conv():
        return keras.models.Sequential([L.Conv2D(2, 3, input_shape=(6, 6, 1), name='conv'),
                                        L.BatchNormalization(name='norm'), L.Flatten(name='flat'),
                                        L.Dense(2, name='dense')])

    def sequential_lstm():
        return keras.models.Sequential([L.Embedding(10, 4, input_length=5, name='embed'), L.LSTM(3, name='lstm'),
                                        L.Dense(1, name='head')])

    def functional_shared():
        a, b = L.Input((4,), name='left'), L.Input((4,), name='right')
        shared = L.Dense(3, name='shared')
        merged = L.concatenate([shared(a), shared(b)], name='merge')
        return keras.models.Model([a, b], L.Dense(1, name='score')(merged), name='siamese')

    def nested():
        inner = keras.models.Sequential([L.Dense(3, input_shape=(4,), name='inner_dense')], name='inner')
        return keras.models.Sequential([inner, L.Dense(2, name='outer_dense')], name='outer')

    seeds = {}
    for name, build in (('dense', sequential_dense), ('conv', sequential_conv), ('lstm', sequential_lstm),
                        ('shared', functional_shared), ('nested', nested)):
        model = build()
        model.compile('adam', 'mse')
        inputs = [rng.rand(4, *tuple(i.shape[1:])).astype('float32') for i in model.inputs]
        if name == 'lstm':
            inputs = [rng.randint(0, 10, (4, 5))]
        model.train_on_batch(inputs, rng.rand(4, *tuple(model.outputs[0].shape[1:])).astype('float32'))
        paths = {'model': os.path.join(directory, name + '_model.h5'),
                 'weights': os.path.join(directory, name + '_weights.h5')}
        model.save(paths['model'])
        model.save_weights(paths['weights'])
        seeds[name] = dict(paths, config=json.loads(model.to_json()), real=False)
    if os.path.isdir(REAL_FILES):
        for relative in REAL_MODEL_FILES:
            path = os.path.join(REAL_FILES, relative)
            if os.path.exists(path):
                import h5py
                with h5py.File(path, 'r') as f:
                    config = json.loads(_decode(f.attrs['model_config']))
                seeds['real:' + relative] = {'model': path, 'config': config, 'real': True}
        for relative in REAL_CONFIG_FILES:
            path = os.path.join(REAL_FILES, relative)
            if os.path.exists(path):
                with open(path) as handle:
                    seeds['real:' + relative] = {'config': json.load(handle), 'real': True}
    with open(index + '.tmp', 'w') as handle:
        json.dump(seeds, handle)
    os.replace(index + '.tmp', index)
    return seeds


def generate_cases(seeds, count, seed=0):
    """A deterministic list of `count` cases (dicts) spread evenly over the drivers."""
    rng = random.Random(seed)
    config_seeds = sorted(seeds)
    model_seeds = sorted(n for n in seeds if 'model' in seeds[n])
    weight_seeds = sorted(n for n in seeds if 'weights' in seeds[n])
    file_mutations = FILE_MUTATIONS + ('flip_weight_byte', 'flip_weight_byte')
    cases = []
    for index in range(count):
        driver = DRIVERS[index % len(DRIVERS)]
        if driver in CONFIG_DRIVERS:
            case = {'seed': rng.choice(config_seeds), 'mutation': rng.choice(CONFIG_MUTATIONS)}
        elif driver == 'load_model':
            case = {'seed': rng.choice(model_seeds), 'mutation': rng.choice(file_mutations), 'file': 'model'}
        else:
            case = {'seed': rng.choice(weight_seeds), 'mutation': rng.choice(file_mutations),
                    'file': rng.choice(['weights', 'weights', 'model'])}
        case.update(id=index, driver=driver, rng=rng.randrange(2 ** 31))
        cases.append(case)
    return cases


# ------------------------------------------------------------------------------------------- the checker
_STOP_WORDS = {'config', 'name', 'True', 'False', 'None', 'float32', 'linear', 'zeros', 'ones', 'relu', 'valid',
               'channels_last', 'glorot_uniform', 'Sequential', 'Model'}


# Weight names a message may cite even when the input does not spell them (a config names no weights).
_WEIGHT_NAMES = ('kernel', 'bias', 'recurrent_kernel', 'gamma', 'beta', 'moving_mean', 'moving_variance',
                 'embeddings', 'depthwise_kernel', 'pointwise_kernel', 'alpha')


def vocabulary(*sources):
    """The names a clear message may cite: every key and string value of configs, every group, dataset and
    attribute name of HDF5 files."""
    words = set(_WEIGHT_NAMES)
    for source in sources:
        if isinstance(source, str) and os.path.exists(source):
            try:
                import h5py
                with h5py.File(source, 'r') as f:
                    def visit(name, obj):
                        words.update(name.split('/'))
                        words.update(obj.attrs.keys())
                    f.visititems(visit)
                    words.update(f.attrs.keys())
                    for attribute in ('model_config', 'training_config'):
                        if attribute in f.attrs:
                            try:
                                words |= vocabulary(json.loads(_decode(f.attrs[attribute])))
                            except ValueError:
                                pass
            except Exception:  # an unreadable file has no names
                pass
            continue
        for path, value in _paths(source):
            words.update(str(step) for step in path if isinstance(step, str))
            if isinstance(value, str):
                words.add(value)
    return {w for w in words if len(w) >= 2 and w not in _STOP_WORDS}


def is_clear(error, path=None, words=(), text_input=False):
    """Whether an exception follows the rule: the right family, and a message naming the file (when
    `path` is given) and one of `words` (a whole-file problem of an unreadable file, or a location in a
    text input, also counts)."""
    if not isinstance(error, CLEAR_FAMILY):
        return False
    message = str(error)
    if path is not None and path not in message:
        return False
    if any(word in message for word in words):
        return True
    if path is not None and 'HDF5' in message:
        return True
    return text_input and ('line' in message and ('column' in message or 'col' in message))


def check(call, verify, path=None, words=(), text_input=False, snapshot=None, marker=None):
    """Runs one loader call and classifies it.

    # Arguments
        call: the loader call (no arguments). verify: `verify(result)` returns `None` when the result
            is correct, else what is wrong. path: the file, for file loaders. words: see `is_clear`.
        snapshot: `(take, before)`: after an error, `take()` must still equal `before` (else a partial
            load). marker: a file whose existence means code from the input ran.

    # Returns
        `(outcome, detail)`, outcome one of `OUTCOMES`.
    """
    try:
        result = call()
    except BaseException as error:  # noqa: B902 - every exception is classified, none escapes
        if isinstance(error, KeyboardInterrupt):
            raise
        outcome = 'clear_error' if is_clear(error, path, words, text_input) else 'unclear_error'
        detail = '%s: %s' % (type(error).__name__, str(error)[:300])
        if snapshot is not None:
            take, before = snapshot
            if not all(np.array_equal(a, b) for a, b in zip(take(), before)):
                outcome = 'partial_load'
    else:
        problem = verify(result)
        outcome, detail = ('loaded', '') if problem is None else ('wrong_load', problem)
    if marker is not None and os.path.exists(marker):
        return 'code_execution', 'the input ran code: %s exists' % marker
    return outcome, detail


# ---------------------------------------------------------------------------------------------- oracles
def read_file_layers(path):
    """The saved layers of a weights or model file, read with h5py alone: `[(layer, [arrays])]`."""
    import h5py
    with h5py.File(path, 'r') as f:
        root = _weights_root(f)
        saved = []
        for name in np.atleast_1d(root.attrs['layer_names']):
            name = _decode(name)
            group = root[name]
            weight_names = np.atleast_1d(group.attrs['weight_names']) if 'weight_names' in group.attrs else []
            saved.append((name, [np.asarray(group[_decode(w)]) for w in weight_names]))
        return saved


def _equal(weight, array):
    try:
        return np.shape(weight) == np.shape(array) and np.array_equal(
            weight, np.asarray(array).astype(np.asarray(weight).dtype), equal_nan=True)
    except (TypeError, ValueError):
        return False


def verify_in_order(layers, path):
    """`None` when the layers hold the file's arrays, k-th saved layer with weights to k-th layer."""
    try:
        saved = [arrays for _, arrays in read_file_layers(path) if arrays]
    except Exception as error:
        return 'loaded, but h5py cannot read the weights (%s: %s)' % (type(error).__name__, error)
    layers = [layer for layer in layers if layer.weights]
    if len(saved) != len(layers):
        return 'loaded %d layers from a file with %d' % (len(layers), len(saved))
    for layer, arrays in zip(layers, saved):
        values = [w.numpy() for w in layer.weights]
        if len(values) != len(arrays) or not all(_equal(v, a) for v, a in zip(values, arrays)):
            return 'layer %s does not hold the saved arrays' % layer.name
    return None


def verify_by_name(layers, path, before, skip_mismatch):
    """`None` when each layer with a namesake in the file holds its arrays and the others kept `before`."""
    try:
        saved = dict(read_file_layers(path))
    except Exception as error:
        return 'loaded, but h5py cannot read the weights (%s: %s)' % (type(error).__name__, error)
    for layer, old in zip(layers, before):
        values = [w.numpy() for w in layer.weights]
        arrays = saved.get(layer.name)
        unchanged = all(np.array_equal(v, o) for v, o in zip(values, old))
        if arrays is None or not layer.weights:
            if not unchanged:
                return 'layer %s, absent from the file, changed' % layer.name
            continue
        fits = len(arrays) == len(values) and all(np.shape(a) == np.shape(v) for a, v in zip(arrays, values))
        if not fits and skip_mismatch:
            if not unchanged:
                return 'mismatched layer %s was not skipped' % layer.name
            continue
        if not all(_equal(v, a) for v, a in zip(values, arrays)) or not fits:
            return 'layer %s does not hold the saved arrays' % layer.name
    return None


# -------------------------------------------------------------------------------------------- the worker
class Runner(object):
    """Runs cases in this process (what a worker does): builds the seeds, keeps one target model per seed
    for `load_weights`, and classifies each case with `check`."""

    def __init__(self, directory):
        import kernelkit as keras
        self.keras = keras
        self.directory = directory
        self.seeds = build_seeds(directory)
        self.targets = {}

    def target(self, name):
        """The model `load_weights` cases load into, and its sentinel weights (unlike the file's)."""
        if name not in self.targets:
            model = self.keras.models.model_from_json(json.dumps(self.seeds[name]['config']))
            sentinel = [np.full(w.shape, -0.25 - i, w.dtype) for i, w in enumerate(model.get_weights())]
            self.targets[name] = (model, sentinel)
        model, sentinel = self.targets[name]
        model.set_weights(sentinel)
        return model

    def run(self, case):
        """Runs one case; returns `{'id', 'outcome', 'detail', 'flip'}`."""
        from kernelkit import layers as L
        from kernelkit.engine.saving import hdf5_format
        keras = self.keras
        rng = random.Random(case['rng'])
        workdir = tempfile.mkdtemp(dir=self.directory)
        marker = os.path.join(workdir, 'MARKER')
        seed = self.seeds[case['seed']]
        driver, facts = case['driver'], {'flip': False}
        try:
            if driver in CONFIG_DRIVERS:
                config = seed['config']
                if driver == 'layers.deserialize':
                    entries = _layer_entries(config) or [config]
                    config = rng.choice(entries)
                mutated = mutate_config(config, rng, case['mutation'], marker)
                words = vocabulary(config, config_object(mutated, marker))
                text = driver in ('model_from_json', 'model_from_yaml')

                def verify(result):
                    if not isinstance(result, L.Layer):
                        return 'returned %r, not a layer' % type(result).__name__
                    json.dumps(L.serialize(result), default=hdf5_format.json_default)
                    return None

                if driver == 'model_from_json':
                    payload = config_text(mutated, config, 'json', marker)
                    call = lambda: keras.models.model_from_json(payload)  # noqa: E731
                elif driver == 'model_from_yaml':
                    payload = config_text(mutated, config, 'yaml', marker)
                    call = lambda: keras.models.model_from_yaml(payload)  # noqa: E731
                elif driver == 'model_from_config':
                    call = lambda: keras.models.model_from_config(config_object(mutated, marker))  # noqa: E731
                else:
                    call = lambda: L.deserialize(config_object(mutated, marker))  # noqa: E731
                outcome, detail = check(call, verify, words=words, text_input=text, marker=marker)
            else:
                path = os.path.join(workdir, 'case.h5')
                shutil.copyfile(seed[case['file']], path)
                facts = mutate_file(path, rng, case['mutation'], marker, weights_only=driver != 'load_model')
                words = vocabulary(path, seed[case['file']], seed['config'])
                if driver == 'load_model':
                    def verify(result):
                        if not isinstance(result, keras.models.Model):
                            return 'returned %r, not a model' % type(result).__name__
                        return None if seed['real'] else verify_in_order(result.layers, path)
                    outcome, detail = check(lambda: keras.models.load_model(path), verify, path=path,
                                            words=words, marker=marker)
                else:
                    model = self.target(case['seed'])
                    before = [[w.numpy() for w in layer.weights] for layer in model.layers]
                    snapshot = (model.get_weights, model.get_weights())
                    by_name = driver != 'load_weights'
                    skip = driver == 'load_weights_skip_mismatch'
                    if by_name:
                        verify = lambda _: verify_by_name(model.layers, path, before, skip)  # noqa: E731
                    else:
                        verify = lambda _: verify_in_order(model.layers, path)  # noqa: E731
                    outcome, detail = check(lambda: model.load_weights(path, by_name=by_name, skip_mismatch=skip),
                                            verify, path=path, words=words, snapshot=snapshot, marker=marker)
            if facts.get('flip') and outcome == 'loaded':
                outcome, detail = 'wrong_load', 'a byte flipped in a checksummed weight was not detected'
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        return {'id': case['id'], 'outcome': outcome, 'detail': detail, 'flip': bool(facts.get('flip')),
                'detected': bool(facts.get('flip')) and outcome == 'clear_error'}


def worker_main(directory):
    """The worker loop: reads one JSON case per stdin line, writes one JSON result per stdout line."""
    import warnings
    protocol = os.fdopen(os.dup(1), 'w')
    os.dup2(2, 1)  # anything the loaders print goes to stderr, never into the protocol
    warnings.simplefilter('ignore')
    import logging
    logging.disable(logging.WARNING)
    runner = Runner(directory)
    protocol.write(json.dumps({'ready': sorted(runner.seeds), 'real': {n: s['real'] for n, s in
                                                                         runner.seeds.items()}}) + '\n')
    protocol.flush()
    for line in sys.stdin:
        case = json.loads(line)
        if case['driver'] == '_crash':
            os.abort()
        if case['driver'] == '_hang':
            time.sleep(3600)
        try:
            result = runner.run(case)
        except Exception as error:  # a bug of the fuzzer itself: counted, and shown, as such
            result = {'id': case['id'], 'outcome': 'harness_error', 'flip': False, 'detected': False,
                      'detail': '%s: %s' % (type(error).__name__, str(error)[:300])}
        protocol.write(json.dumps(result) + '\n')
        protocol.flush()


# -------------------------------------------------------------------------------------------- the parent
class Worker(object):
    """One worker subprocess; `ask(case, timeout)` returns its result, or a crash/hang result."""

    def __init__(self, directory, startup_timeout=300):
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL='3', CUDA_VISIBLE_DEVICES='',
                   PYTHONPATH=os.pathsep.join([os.path.dirname(HERE), os.environ.get('PYTHONPATH', '')]))
        self.process = subprocess.Popen([sys.executable, os.path.abspath(__file__), '--worker', directory],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, env=env)
        self.buffer = b''
        hello = self._read(startup_timeout)
        if hello is None:
            self.close()
            raise RuntimeError('The fuzz worker did not start within %d s.' % startup_timeout)
        self.seeds = hello['ready']
        self.real = hello['real']

    def _read(self, timeout):
        deadline = time.time() + timeout
        while b'\n' not in self.buffer:
            remaining = deadline - time.time()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([self.process.stdout], [], [], remaining)
            if ready:
                chunk = os.read(self.process.stdout.fileno(), 65536)
                if not chunk:  # the worker closed its end: it died
                    try:
                        self.process.wait(timeout=30)
                    except subprocess.TimeoutExpired:
                        pass
                    return None
                self.buffer += chunk
        line, self.buffer = self.buffer.split(b'\n', 1)
        return json.loads(line)

    def ask(self, case, timeout):
        """Runs `case`; a dead worker gives outcome 'crash', a case past `timeout` seconds 'hang'."""
        try:
            self.process.stdin.write((json.dumps(case) + '\n').encode('utf8'))
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            pass
        result = self._read(timeout)
        if result is not None:
            return result
        alive = self.process.poll() is None
        self.close()
        outcome = 'hang' if alive else 'crash'
        detail = 'no answer in %d s' % timeout if alive else 'worker died (exit %s)' % self.process.returncode
        return {'id': case['id'], 'outcome': outcome, 'detail': detail, 'flip': False, 'detected': False}

    def alive(self):
        return self.process.poll() is None

    def close(self):
        """Ends the worker process (it was started by this object)."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


def run_cases(cases=None, count=300, seed=0, workers=1, timeout=60, directory=None):
    """Runs fuzz cases in worker subprocesses.

    # Arguments
        cases: explicit cases (else `count` cases generated from `seed`).
        workers: how many worker processes. timeout: seconds per case before it counts as a hang.
        directory: where the seeds are built (a temporary folder by default).

    # Returns
        `(cases, results)`: results in case order.
    """
    own = directory is None
    directory = directory or tempfile.mkdtemp(prefix='kernelkit-fuzz-')
    try:
        first = Worker(directory)
        if cases is None:
            cases = generate_cases(_seed_kinds(directory),
                                   count, seed)
        pool = [first] + [Worker(directory) for _ in range(max(0, min(workers, len(cases)) - 1))]
        results, lock, pending = {}, threading.Lock(), list(reversed(cases))

        def serve(slot):
            while True:
                with lock:
                    if not pending:
                        return
                    case = pending.pop()
                if not pool[slot].alive():
                    pool[slot] = Worker(directory)
                result = pool[slot].ask(case, timeout)
                result.update(driver=case['driver'], seed=case.get('seed'), mutation=case.get('mutation'))
                results[case['id']] = result

        threads = [threading.Thread(target=serve, args=(i,)) for i in range(len(pool))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for worker in pool:
            worker.close()
        return cases, [results[c['id']] for c in cases]
    finally:
        if own:
            shutil.rmtree(directory, ignore_errors=True)


def _seed_kinds(directory):
    with open(os.path.join(directory, 'seeds.json')) as handle:
        return json.load(handle)


def summarize(results):
    """Counts per driver: `{driver: {outcome: n, 'cases': n, 'flips': n, 'detected': n}}` and a total."""
    table = {}
    for result in results:
        for key in (result['driver'], 'total'):
            row = table.setdefault(key, dict({o: 0 for o in OUTCOMES}, cases=0, flips=0, detected=0))
            row['cases'] += 1
            row[result['outcome']] += 1
            row['flips'] += result['flip']
            row['detected'] += result['detected']
    return table


def format_table(table):
    """The figures as a text table (one row per loader, then the total and the flip detections)."""
    columns = ('cases',) + OUTCOMES
    heads = ('cases', 'loaded ok', 'clear err', 'unclear', 'crashes', 'hangs', 'partial', 'wrong load', 'code run',
             'harness')
    lines = ['%-28s' % 'loader' + ''.join('%11s' % h for h in heads)]
    for driver in list(DRIVERS) + ['total']:
        if driver in table:
            lines.append('%-28s' % driver + ''.join('%11d' % table[driver][c] for c in columns))
    total = table.get('total', {'flips': 0, 'detected': 0})
    lines.append('flipped checksummed weight bytes detected: %d / %d' % (total['detected'], total['flips']))
    return '\n'.join(lines)


def bad_count(table):
    """How many cases broke the rule (an undetected flip is a wrong load)."""
    total = table.get('total', {})
    return sum(total.get(o, 0) for o in BAD_OUTCOMES)


def main(argv=None):
    """The command line: `python tests/fuzz_loaders.py [--cases N] [--seed S] [--workers W]`."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--worker', metavar='DIR', help=argparse.SUPPRESS)
    parser.add_argument('--cases', type=int, default=1000)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--timeout', type=int, default=60, help='seconds per case before it is a hang')
    parser.add_argument('--show', type=int, default=20, help='how many rule-breaking cases to print')
    args = parser.parse_args(argv)
    if args.worker:
        worker_main(args.worker)
        return 0
    start = time.time()
    _, results = run_cases(count=args.cases, seed=args.seed, workers=args.workers, timeout=args.timeout)
    table = summarize(results)
    print(format_table(table))
    bad = [r for r in results if r['outcome'] in BAD_OUTCOMES]
    for result in bad[:args.show]:
        print('BAD case %(id)d %(driver)s seed=%(seed)s mutation=%(mutation)s: %(outcome)s: %(detail)s' % result)
    print('%d cases in %.0f s (seed %d); %d broke the rule.' % (len(results), time.time() - start, args.seed, len(bad)))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
