"""Measures one framework on one benchmark model; meant to run in its own fresh process.

    python -m bench.worker --framework kernelkit --model mnist_mlp
    python -m bench.worker --framework tf_keras --model mnist_mlp --strategy mirrored

`--strategy mirrored` builds and compiles the model in a `tf.distribute.MirroredStrategy` over two logical
CPU devices (configured before anything else in the process) and measures training only.

Prints one line `BENCH-RESULT {json}` on stdout (anything else on stdout or stderr is the frameworks'
own chatter). `bench.run` starts this once per (framework, model) pair and reads that line.
"""
import argparse
import json
import math
import os
import platform
import resource
import sys
import time
import traceback

RESULT_MARKER = 'BENCH-RESULT '
FRAMEWORKS = ('kernelkit', 'tf_keras', 'keras3')
STRATEGIES = ('default', 'mirrored')


def import_framework(name):
    """Imports the Keras implementation under test and returns it (to be used as `keras`).

    Arguments:
        name: one of `FRAMEWORKS`; `keras3` is Keras 3 on its TensorFlow backend.

    Raises:
        ValueError: for an unknown name.
    """
    if name == 'kernelkit':
        import kernelkit as keras
    elif name == 'tf_keras':
        import tf_keras as keras
    elif name == 'keras3':
        os.environ['KERAS_BACKEND'] = 'tensorflow'  # bench.run sets it too; this keeps the worker alone right
        import keras
    else:
        raise ValueError('Unknown framework %r; known: %s' % (name, ', '.join(FRAMEWORKS)))
    return keras


def rss_high_water_mib():
    """This process's peak resident set size so far, in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes.
    return peak / (1024.0 * 1024.0) if sys.platform == 'darwin' else peak / 1024.0


def percentile(values, q):
    """The q-th percentile (0..100) of `values`, linear interpolation between order statistics."""
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    lo, hi = int(math.floor(pos)), int(math.ceil(pos))
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def take(x, n):
    """`n` samples of `x`, one array or a list of arrays (one per model input): the first `n`, with the
    data repeated from its start when it holds fewer (imdb_lstm has 640 samples; predict uses 1024)."""
    import numpy as np
    if isinstance(x, list):
        return [take(a, n) for a in x]
    return x[:n] if len(x) >= n else np.resize(x, (n,) + x.shape[1:])


def timed_calls(call, calls, warmup):
    """Times `call()` `calls` times after `warmup` untimed calls; returns the list of seconds."""
    for _ in range(warmup):
        call()
    seconds = []
    for _ in range(calls):
        start = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - start)
    return seconds


def configure_two_cpu_devices(tf):
    """Splits the physical CPU into two logical devices; must run before TensorFlow initialises them."""
    cpu = tf.config.list_physical_devices('CPU')[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()])
    return [d.name for d in tf.config.list_logical_devices('CPU')]


def _live_curves_cost(keras, model, x, y, batch_size, steps, epochs):
    """Steps/s inside epochs with and without `LiveCurves`, and the seconds its view takes to set up."""
    import contextlib
    import io
    from kernelkit.widgets import LiveCurves

    class Clock(keras.callbacks.Callback):
        """Placed first, it sees the start of training and of each epoch; a second one placed last sees
        each epoch's end after every other callback, so the display's own work falls inside."""
        def __init__(self, first, log):
            super(Clock, self).__init__()
            self.first, self.log = first, log

        def on_train_begin(self, logs=None):
            if self.first:
                self.log['train'] = time.perf_counter()

        def on_epoch_begin(self, epoch, logs=None):
            if not self.first:
                self.log['setup'] = self.log.get('setup', time.perf_counter() - self.log['train'])
                self.log['epoch'] = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            if not self.first:
                self.log.setdefault('durations', []).append(time.perf_counter() - self.log['epoch'])

    def run(extra):
        log = {}
        with contextlib.redirect_stdout(io.StringIO()):
            model.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=0,
                      callbacks=[Clock(True, log)] + extra + [Clock(False, log)])
        return log

    run([LiveCurves(mode='widget', final_image=False)])  # imports bokeh and ipywidgets once
    plain, live = run([]), run([LiveCurves(mode='widget', final_image=False)])
    return {'plain': percentile([steps / d for d in plain['durations']], 50),
            'live': percentile([steps / d for d in live['durations']], 50),
            'setup': live['setup'] - plain['setup']}


def measure_mirrored(framework, model_name, samples=None, batch_size=None, steady_epochs=3, seed=1234):
    """Train steps/s with the model built and compiled in a MirroredStrategy over two logical CPUs.

    Arguments:
        framework, model_name: what to measure.
        samples, batch_size: override the model's defaults; the batch is the global one (split in two).
        steady_epochs: one-epoch fit calls after the first; their median gives steps/s.
        seed: for the data and TensorFlow's random seed.

    Returns:
        A JSON-able dict (`steady_steps_per_s`, `first_fit_s`, the devices used).
    """
    import tensorflow as tf
    devices = configure_two_cpu_devices(tf)  # before the framework touches a device
    from bench import models

    spec = models.get(model_name)
    samples = samples or spec.samples
    batch_size = batch_size or spec.batch_size
    x, y = spec.make_data(samples, seed)
    steps = int(math.ceil(samples / float(batch_size)))
    keras = import_framework(framework)
    tf.random.set_seed(seed)
    strategy = tf.distribute.MirroredStrategy(devices)
    with strategy.scope():
        model = spec.build(keras)
    fit = lambda: model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)
    first_fit_s = timed_calls(fit, 1, 0)[0]
    epoch_s = timed_calls(fit, steady_epochs, 0)
    return {
        'framework': framework,
        'framework_version': getattr(keras, '__version__', '?'),
        'tensorflow_version': tf.__version__,
        'model': model_name,
        'strategy': 'mirrored',
        'devices': devices,
        'replicas': strategy.num_replicas_in_sync,
        'samples': samples,
        'batch_size': batch_size,
        'steps_per_epoch': steps,
        'first_fit_s': first_fit_s,
        'steady_epoch_s': epoch_s,
        'steady_steps_per_s': percentile([steps / s for s in epoch_s], 50),
    }


def measure(framework, model_name, samples=None, batch_size=None, steady_epochs=3,
            predict_calls=200, predict_warmup=20, seed=1234):
    """Runs every measurement for one framework and one model; returns a JSON-able dict.

    Arguments:
        framework, model_name: what to measure.
        samples, batch_size: override the model's defaults.
        steady_epochs: one-epoch fit (and evaluate) calls after the first; their median gives steps/s.
        predict_calls: timed single-sample predict calls (a tenth of them at 32 samples, a fortieth, at
            least 3, at 1024: those calls are longer).
        predict_warmup: untimed single-sample predict calls first.
        seed: for the data and TensorFlow's random seed.

    Returns:
        A JSON-able dict, one key per figure.
    """
    from bench import models

    spec = models.get(model_name)
    samples = samples or spec.samples
    batch_size = batch_size or spec.batch_size
    x, y = spec.make_data(samples, seed)
    steps = int(math.ceil(samples / float(batch_size)))

    start = time.perf_counter()
    keras = import_framework(framework)
    import_s = time.perf_counter() - start
    tf = sys.modules['tensorflow']
    tf.random.set_seed(seed)

    start = time.perf_counter()
    model = spec.build(keras)
    build_s = time.perf_counter() - start

    # (b) the first fit call: one epoch, including tracing of the training step.
    fit = lambda: model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)
    first_fit_s = timed_calls(fit, 1, 0)[0]

    # (a) steady state: further one-epoch fit calls, everything already traced.
    epoch_s = timed_calls(fit, steady_epochs, 0)
    steps_per_s = [steps / s for s in epoch_s]

    # (f) evaluate, steady state as for fit: the first (tracing) call is not timed.
    evaluate = lambda: model.evaluate(x, y, batch_size=batch_size, verbose=0)
    evaluate_s = timed_calls(evaluate, steady_epochs, 1)

    # (e) kernelkit on mnist_mlp: the price of the notebook's live-curves display. Its view is built and
    # fed exactly as in a notebook (no front end draws it here). Epochs are timed from their first to
    # their last batch, so the one-off setup of the view (reported apart) does not blur the per-batch cost.
    live = {}
    if framework == 'kernelkit' and model_name == 'mnist_mlp':
        live = _live_curves_cost(keras, model, x, y, batch_size, steps, steady_epochs)

    # (c) predict: one `model.predict(x[:n])` call as a user makes it (default batch size), after warm-up.
    predict = {}
    for n, calls, warmup in ((1, predict_calls, predict_warmup),
                             (32, max(3, predict_calls // 10), 2),
                             (1024, max(3, predict_calls // 40), 1)):
        part = take(x, n)
        predict[n] = [1000.0 * s for s in
                      timed_calls(lambda: model.predict(part, verbose=0), calls, warmup)]

    return {
        'framework': framework,
        'framework_version': getattr(keras, '__version__', '?'),
        'tensorflow_version': tf.__version__,
        'model': model_name,
        'samples': samples,
        'batch_size': batch_size,
        'steps_per_epoch': steps,
        'import_s': import_s,
        'build_s': build_s,
        'first_fit_s': first_fit_s,
        'steady_epoch_s': epoch_s,
        'steady_steps_per_s': percentile(steps_per_s, 50),
        'evaluate_s': evaluate_s,
        'evaluate_steps_per_s': percentile([steps / s for s in evaluate_s], 50),
        'live_curves_steps_per_s': live.get('live'),
        'plain_epoch_steps_per_s': live.get('plain'),
        'live_curves_setup_s': live.get('setup'),
        'predict_calls': predict_calls,
        'predict_median_ms': percentile(predict[1], 50),
        'predict_p90_ms': percentile(predict[1], 90),
        'predict_32_median_ms': percentile(predict[32], 50),
        'predict_1024_median_ms': percentile(predict[1024], 50),
        # (d) the high-water mark of the whole process: import, data, model, all of the above.
        'peak_rss_mib': rss_high_water_mib(),
        'python': platform.python_version(),
        'cpus': os.cpu_count(),
    }


def report_result(compute, identity):
    """Runs `compute()` and prints its dict (or the error) as the one `BENCH-RESULT` line.

    Arguments:
        compute: a function returning a JSON-able dict.
        identity: the keys that name the measurement, reported with an error.

    Returns:
        The process exit status: 0, or 1 when `compute` raised.
    """
    try:
        result = compute()
        status = 0
    except Exception as exc:  # reported to the parent, which prints it beside the table
        traceback.print_exc()
        result = dict(identity, error='%s: %s' % (type(exc).__name__, exc))
        status = 1
    sys.stdout.flush()
    print(RESULT_MARKER + json.dumps(result), flush=True)
    return status


def main(argv=None):
    """Parses the command line, measures, and prints the result line; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--framework', required=True, choices=FRAMEWORKS)
    parser.add_argument('--model', required=True)
    parser.add_argument('--samples', type=int, default=None)
    parser.add_argument('--batch-size', type=int, default=None)
    parser.add_argument('--steady-epochs', type=int, default=3)
    parser.add_argument('--predict-calls', type=int, default=200)
    parser.add_argument('--seed', type=int, default=1234)
    parser.add_argument('--strategy', choices=STRATEGIES, default='default')
    args = parser.parse_args(argv)
    sizes = dict(samples=args.samples, batch_size=args.batch_size, steady_epochs=args.steady_epochs,
                 seed=args.seed)
    if args.strategy == 'mirrored':
        compute = lambda: measure_mirrored(args.framework, args.model, **sizes)
    else:
        compute = lambda: measure(args.framework, args.model, predict_calls=args.predict_calls, **sizes)
    return report_result(compute, {'framework': args.framework, 'model': args.model,
                                   'strategy': args.strategy})


if __name__ == '__main__':
    sys.exit(main())
