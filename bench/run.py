"""kernelkit beside tf_keras and Keras 3: training and evaluate speed, first-fit time, predict latency, memory.

    make bench                          # every registered model, every framework
    python -m bench.run --models mnist_mlp --frameworks kernelkit keras3 --json bench/results/today.json

Each (framework, model) pair runs in a fresh subprocess (`bench.worker`), one after another so they do
not compete for the CPU; so do the matmul roofline (`bench.roofline`) and, for mnist_mlp, the
MirroredStrategy runs over two logical CPU devices. The tables are Markdown, ready to paste into the
README's Performance section. Not part of the tests.
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import time

from bench import models
from bench.roofline import format_roofline
from bench.worker import FRAMEWORKS, RESULT_MARKER

OURS = 'kernelkit'
# The models and frameworks measured again under MirroredStrategy on two logical CPU devices (issue 13).
MIRRORED_MODELS = ('mnist_mlp',)
MIRRORED_FRAMEWORKS = ('kernelkit', 'tf_keras')

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# (result key, row label, format, which way is better)
ROWS = (
    ('steady_steps_per_s', 'train steps/s, steady state', '%.1f', 'higher'),
    ('evaluate_steps_per_s', 'evaluate steps/s, steady state', '%.1f', 'higher'),
    ('first_fit_s', 'first fit, 1 epoch with tracing (s)', '%.2f', 'lower'),
    ('predict_median_ms', 'predict 1 sample, median (ms)', '%.2f', 'lower'),
    ('predict_p90_ms', 'predict 1 sample, p90 (ms)', '%.2f', 'lower'),
    ('predict_32_median_ms', 'predict 32 samples, median (ms)', '%.2f', 'lower'),
    ('predict_1024_median_ms', 'predict 1024 samples, median (ms)', '%.1f', 'lower'),
    ('peak_rss_mib', 'peak RSS (MiB)', '%.0f', 'lower'),
    ('import_s', 'import time (s)', '%.2f', 'lower'),
)
ARROWS = {'higher': '↑', 'lower': '↓'}


def run_worker(framework, model, args, strategy='default'):
    """Runs `bench.worker` in a fresh interpreter; returns its result dict (with 'error' on failure).

    Arguments:
        framework, model: what to measure.
        args: the parsed command line (sizes, seed, timeout).
        strategy: 'default', or 'mirrored' for MirroredStrategy on two logical CPU devices.
    """
    cmd = ['bench.worker', '--framework', framework, '--model', model, '--strategy', strategy,
           '--steady-epochs', str(args.steady_epochs), '--predict-calls', str(args.predict_calls),
           '--seed', str(args.seed)]
    if args.samples:
        cmd += ['--samples', str(args.samples)]
    if args.batch_size:
        cmd += ['--batch-size', str(args.batch_size)]
    return run_module(cmd, {'framework': framework, 'model': model, 'strategy': strategy}, args.timeout)


def run_module(module_and_args, identity, timeout):
    """Runs `python -m module args...` in a fresh interpreter and reads its `BENCH-RESULT` line.

    Arguments:
        module_and_args: the module name, then its arguments.
        identity: the keys naming the measurement, reported with an error.
        timeout: seconds before the process is stopped.

    Returns:
        The result dict, with 'process_wall_s'; with 'error' (and 'stderr_tail') on failure.
    """
    cmd = [sys.executable, '-m'] + list(module_and_args)
    env = dict(os.environ)
    env.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
    env['KERAS_BACKEND'] = 'tensorflow'  # Keras 3's worker; kernelkit and tf_keras do not read it
    env['PYTHONPATH'] = os.pathsep.join(p for p in (REPO_ROOT, env.get('PYTHONPATH')) if p)
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return dict(identity, error='timed out after %d s' % timeout)
    wall = time.perf_counter() - start
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(RESULT_MARKER):
            result = json.loads(line[len(RESULT_MARKER):])
            result['process_wall_s'] = wall
            if 'error' in result:
                result['stderr_tail'] = _error_tail(proc.stderr)
            return result
    return dict(identity, error='worker exited with status %d and no result' % proc.returncode,
                stderr_tail=_error_tail(proc.stderr))


def format_table(model, results, frameworks):
    """One Markdown table for one model: a column per framework, then kernelkit / the best of the others.

    Arguments:
        model: the model's name.
        results: `{framework: result dict}`.
        frameworks: the column order.

    Returns:
        The table, its footnote and any failure, as Markdown text.
    """
    ok = {fw: r for fw, r in results.items() if 'error' not in r}
    any_ok = next(iter(ok.values()), None)
    lines = []
    if any_ok:
        lines.append('### %s: %d samples, batch %d, %d steps/epoch'
                     % (model, any_ok['samples'], any_ok['batch_size'], any_ok['steps_per_epoch']))
    else:
        lines.append('### %s' % model)
    lines.append('')
    header = ['metric'] + list(frameworks)
    others = [fw for fw in frameworks if fw != OURS]
    ratio = OURS in frameworks and bool(others)
    if ratio:
        header.append('%s / best of %s' % (OURS, ', '.join(others)))
    rows = []
    for key, label, fmt, better in ROWS:
        row = ['%s %s' % (label, ARROWS[better])]
        values = {}
        for fw in frameworks:
            value = ok.get(fw, {}).get(key)
            values[fw] = value
            row.append(fmt % value if value is not None else 'failed')
        if ratio:
            rivals = [values[fw] for fw in others if values[fw] is not None]
            best = (max if better == 'higher' else min)(rivals) if rivals else None
            row.append(_ratio(values[OURS], best))
        rows.append(row)
    lines.extend(markdown_table(header, rows))
    lines.append('')
    lines.append('↑ higher is better, ↓ lower is better. Steady state: median of %s one-epoch fit (and '
                 'evaluate) calls after the first; predict: one `model.predict(x[:n])` call (default batch '
                 'size 32), median of %s calls at n = 1 (a tenth as many at 32, a fortieth at 1024) after '
                 'warm-up; peak RSS: whole worker process.'
                 % (_common(ok, 'steady_epoch_s', len), _common(ok, 'predict_calls')))
    for fw in frameworks:
        r = results.get(fw, {})
        if 'error' in r:
            lines.append('')
            lines.append('%s failed on %s: %s' % (fw, model, r['error']))
            lines.extend('    ' + l for l in r.get('stderr_tail', []))
    return '\n'.join(lines)


def markdown_table(header, rows):
    """Markdown table lines, columns padded; the first column left-aligned, the others right-aligned."""
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]

    def render(cells):
        out = [cells[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(cells[1:], widths[1:])]
        return '| ' + ' | '.join(out) + ' |'

    return ([render(header),
             '|' + '|'.join(['-' * (widths[0] + 2)] + ['-' * (w + 1) + ':' for w in widths[1:]]) + '|']
            + [render(r) for r in rows])


def format_mirrored(model, default, mirrored):
    """The MirroredStrategy table for one model: default-strategy and mirrored train steps/s.

    Arguments:
        model: the model's name.
        default: `{framework: result}` of the main (default-strategy) runs.
        mirrored: `{framework: result}` of the mirrored runs.

    Returns:
        Markdown text.
    """
    lines = ['#### %s under `tf.distribute.MirroredStrategy`, 2 logical CPU devices' % model, '']
    rows = []
    failures = []
    for fw, result in mirrored.items():
        plain = default.get(fw, {}).get('steady_steps_per_s')
        spread = result.get('steady_steps_per_s')
        rows.append([fw, '%.1f' % plain if plain is not None else 'failed',
                     '%.1f' % spread if spread is not None else 'failed', _ratio(spread, plain)])
        if 'error' in result:
            failures += ['', '%s failed under MirroredStrategy: %s' % (fw, result['error'])]
            failures += ['    ' + l for l in result.get('stderr_tail', [])]
    lines.extend(markdown_table(['framework', 'default strategy, train steps/s ↑',
                                 'MirroredStrategy, train steps/s ↑', 'mirrored / default'], rows))
    lines.append('')
    lines.append('The model is built and compiled in `strategy.scope()`; the global batch (%s) is split '
                 'across the two replicas, which share the same two cores.'
                 % _common({k: v for k, v in mirrored.items() if 'error' not in v}, 'batch_size'))
    return '\n'.join(lines + failures)


def best_matmul(runs):
    """The faster of the matmul measurements made at the start and at the end of the run.

    On a shared machine the other jobs only ever slow the matmul down, so the faster figure is the closer
    one to the machine's limit. Returns that result, with every run's GFLOP/s added under
    'matmul_runs_gflop_per_s' (or the first error when none succeeded).
    """
    ok = [r for r in runs if 'error' not in r]
    if not ok:
        return runs[0]
    best = dict(max(ok, key=lambda r: r['matmul_gflop_per_s']))
    best['matmul_runs_gflop_per_s'] = [r['matmul_gflop_per_s'] for r in ok]
    return best


def _ratio(a, b):
    """a / b with three significant digits, e.g. '1.19x' or '0.00471x'; '-' when undefined."""
    if a is None or not b:
        return '-'
    return '%.3gx' % (a / b)


def _common(results, key, transform=lambda v: v):
    values = {transform(r[key]) for r in results.values() if key in r}
    return str(values.pop()) if len(values) == 1 else 'N'


def _error_tail(stderr, limit=20):
    """The traceback at the end of a worker's stderr (or its last lines), without TF's log noise."""
    lines = stderr.rstrip().splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith('Traceback')]
    if starts:
        lines = lines[starts[-1]:]
    return lines[-limit:]


def describe_setup(all_results):
    """One line naming the versions and machine the numbers come from."""
    versions = {}
    tf_version = '?'
    for results in all_results.values():
        for fw, r in results.items():
            if 'error' not in r:
                versions[fw] = r['framework_version']
                tf_version = r['tensorflow_version']
    parts = ['%s %s' % (fw, v) for fw, v in versions.items()]
    parts.append('TensorFlow %s' % tf_version)
    parts.append('Python %s' % platform.python_version())
    parts.append('%s, %d CPUs' % (platform.machine(), os.cpu_count() or 0))
    return ' | '.join(parts)


def main(argv=None):
    """Runs every measurement, prints the Markdown report; returns 1 when anything failed, else 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--models', nargs='+', default=None, metavar='NAME',
                        help='benchmark models to run (default: all; known: %s)'
                             % ', '.join(models.names()))
    parser.add_argument('--frameworks', nargs='+', default=list(FRAMEWORKS), choices=FRAMEWORKS)
    parser.add_argument('--samples', type=int, default=None,
                        help='synthetic samples per model (default: per model, 6000 for mnist_mlp)')
    parser.add_argument('--batch-size', type=int, default=None)
    parser.add_argument('--steady-epochs', type=int, default=3,
                        help='one-epoch fits after the first; the median gives steps/s')
    parser.add_argument('--predict-calls', type=int, default=200)
    parser.add_argument('--seed', type=int, default=1234)
    parser.add_argument('--timeout', type=int, default=900, help='seconds per worker')
    parser.add_argument('--json', default=None, metavar='PATH', help='also write raw results here')
    parser.add_argument('--no-mirrored', action='store_true',
                        help='skip the MirroredStrategy runs (%s on %s)'
                             % (', '.join(MIRRORED_MODELS), ', '.join(MIRRORED_FRAMEWORKS)))
    args = parser.parse_args(argv)

    names = args.models or models.names()
    for name in names:
        models.get(name)  # fail early on a typo
    print('running the matmul roofline ...', file=sys.stderr, flush=True)
    matmul_runs = [run_module(['bench.roofline'], {'model': 'matmul'}, args.timeout)]
    failed = 'error' in matmul_runs[0]
    all_results = {}
    mirrored = {}
    for name in names:
        all_results[name] = {}
        for fw in args.frameworks:
            print('running %s on %s ...' % (name, fw), file=sys.stderr, flush=True)
            result = run_worker(fw, name, args)
            failed = failed or 'error' in result
            all_results[name][fw] = result
        if args.no_mirrored or name not in MIRRORED_MODELS:
            continue
        mirrored[name] = {}
        for fw in (fw for fw in args.frameworks if fw in MIRRORED_FRAMEWORKS):
            print('running %s on %s under MirroredStrategy ...' % (name, fw), file=sys.stderr, flush=True)
            result = run_worker(fw, name, args, strategy='mirrored')
            failed = failed or 'error' in result
            mirrored[name][fw] = result
    print('running the matmul roofline again ...', file=sys.stderr, flush=True)
    matmul_runs.append(run_module(['bench.roofline'], {'model': 'matmul'}, args.timeout))
    failed = failed or 'error' in matmul_runs[-1]
    matmul = best_matmul(matmul_runs)

    print()
    print(describe_setup(all_results))
    for name in names:
        print()
        print(format_table(name, all_results[name], args.frameworks))
        spec = models.get(name)
        ran = {fw: r for fw, r in all_results[name].items() if 'error' not in r}
        batch = next((r['batch_size'] for r in ran.values()), args.batch_size or spec.batch_size)
        print()
        print(format_roofline(matmul, spec.forward_macs, batch,
                              {fw: r['steady_steps_per_s'] for fw, r in ran.items()}))
        if mirrored.get(name):
            print()
            print(format_mirrored(name, all_results[name], mirrored[name]))
        ours = all_results[name].get(OURS, {})
        if ours.get('live_curves_steps_per_s'):
            live, plain = ours['live_curves_steps_per_s'], ours['plain_epoch_steps_per_s']
            change = 100. * (1. - live / plain)
            print('\nkernelkit with the live-curves callback: %.1f steps/s within epochs against %.1f with '
                  'verbose=0 (%.1f%% %s), plus %.2f s to set up the view once per fit.'
                  % (live, plain, abs(change), 'slower' if change >= 0 else 'faster',
                     ours['live_curves_setup_s']))
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, 'w') as f:
            json.dump({'models': all_results, 'matmul': matmul_runs, 'mirrored': mirrored}, f, indent=2)
        print('\nraw results written to %s' % args.json)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
