"""Measures one framework on one benchmark model; meant to run in its own fresh process.

    python -m bench.worker --framework kernelkit --model mnist_mlp

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
FRAMEWORKS = ('kernelkit', 'tf_keras')


def import_framework(name):
    """Imports the Keras implementation under test and returns it (to be used as `keras`)."""
    if name == 'kernelkit':
        import kernelkit as keras
    elif name == 'tf_keras':
        import tf_keras as keras
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


def measure(framework, model_name, samples=None, batch_size=None, steady_epochs=3,
            predict_calls=200, predict_warmup=20, seed=1234):
    """Runs every measurement for one framework and one model; returns a JSON-able dict."""
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
    start = time.perf_counter()
    model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)
    first_fit_s = time.perf_counter() - start

    # (a) steady state: further one-epoch fit calls, everything already traced.
    epoch_s = []
    for _ in range(steady_epochs):
        start = time.perf_counter()
        model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)
        epoch_s.append(time.perf_counter() - start)
    steps_per_s = [steps / s for s in epoch_s]

    # (e) kernelkit on mnist_mlp: the price of the notebook's live-curves display. Its view is built and
    # fed exactly as in a notebook (no front end draws it here). Epochs are timed from their first to
    # their last batch, so the one-off setup of the view (reported apart) does not blur the per-batch cost.
    live = {}
    if framework == 'kernelkit' and model_name == 'mnist_mlp':
        live = _live_curves_cost(keras, model, x, y, batch_size, steps, steady_epochs)

    # (c) predict on one sample, after warm-up calls.
    one = x[:1]
    for _ in range(predict_warmup):
        model.predict(one, verbose=0)
    latencies_ms = []
    for _ in range(predict_calls):
        start = time.perf_counter()
        model.predict(one, verbose=0)
        latencies_ms.append((time.perf_counter() - start) * 1000.0)

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
        'live_curves_steps_per_s': live.get('live'),
        'plain_epoch_steps_per_s': live.get('plain'),
        'live_curves_setup_s': live.get('setup'),
        'predict_calls': predict_calls,
        'predict_median_ms': percentile(latencies_ms, 50),
        'predict_p90_ms': percentile(latencies_ms, 90),
        # (d) the high-water mark of the whole process: import, data, model, all of the above.
        'peak_rss_mib': rss_high_water_mib(),
        'python': platform.python_version(),
        'cpus': os.cpu_count(),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--framework', required=True, choices=FRAMEWORKS)
    parser.add_argument('--model', required=True)
    parser.add_argument('--samples', type=int, default=None)
    parser.add_argument('--batch-size', type=int, default=None)
    parser.add_argument('--steady-epochs', type=int, default=3)
    parser.add_argument('--predict-calls', type=int, default=200)
    parser.add_argument('--seed', type=int, default=1234)
    args = parser.parse_args(argv)
    try:
        result = measure(args.framework, args.model, samples=args.samples,
                         batch_size=args.batch_size, steady_epochs=args.steady_epochs,
                         predict_calls=args.predict_calls, seed=args.seed)
        status = 0
    except Exception as exc:  # reported to the parent, which prints it beside the table
        traceback.print_exc()
        result = {'framework': args.framework, 'model': args.model,
                  'error': '%s: %s' % (type(exc).__name__, exc)}
        status = 1
    sys.stdout.flush()
    print(RESULT_MARKER + json.dumps(result), flush=True)
    return status


if __name__ == '__main__':
    sys.exit(main())
