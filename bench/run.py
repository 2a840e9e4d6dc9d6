"""kernelkit beside tf_keras: training speed, first-fit time, predict latency and peak memory.

    make bench                          # every registered model, both frameworks
    python -m bench.run --models mnist_mlp --json bench/results/today.json

Each (framework, model) pair runs in a fresh subprocess (`bench.worker`), one after another so they do
not compete for the CPU. The table is Markdown, ready to paste into the README's Performance section.
Not part of the tests.
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import time

from bench import models
from bench.worker import FRAMEWORKS, RESULT_MARKER

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# (result key, row label, format, which way is better)
ROWS = (
    ('steady_steps_per_s', 'train steps/s, steady state', '%.1f', 'higher'),
    ('first_fit_s', 'first fit, 1 epoch with tracing (s)', '%.2f', 'lower'),
    ('predict_median_ms', 'predict 1 sample, median (ms)', '%.2f', 'lower'),
    ('predict_p90_ms', 'predict 1 sample, p90 (ms)', '%.2f', 'lower'),
    ('peak_rss_mib', 'peak RSS (MiB)', '%.0f', 'lower'),
    ('import_s', 'import time (s)', '%.2f', 'lower'),
)
ARROWS = {'higher': '↑', 'lower': '↓'}


def run_worker(framework, model, args):
    """Runs `bench.worker` in a fresh interpreter; returns its result dict (with 'error' on failure)."""
    cmd = [sys.executable, '-m', 'bench.worker', '--framework', framework, '--model', model,
           '--steady-epochs', str(args.steady_epochs), '--predict-calls', str(args.predict_calls),
           '--seed', str(args.seed)]
    if args.samples:
        cmd += ['--samples', str(args.samples)]
    if args.batch_size:
        cmd += ['--batch-size', str(args.batch_size)]
    env = dict(os.environ)
    env.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
    env['PYTHONPATH'] = os.pathsep.join(p for p in (REPO_ROOT, env.get('PYTHONPATH')) if p)
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                              timeout=args.timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return {'framework': framework, 'model': model,
                'error': 'timed out after %d s' % args.timeout}
    wall = time.perf_counter() - start
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(RESULT_MARKER):
            result = json.loads(line[len(RESULT_MARKER):])
            result['process_wall_s'] = wall
            if 'error' in result:
                result['stderr_tail'] = _error_tail(proc.stderr)
            return result
    return {'framework': framework, 'model': model,
            'error': 'worker exited with status %d and no result' % proc.returncode,
            'stderr_tail': _error_tail(proc.stderr)}


def format_table(model, results, frameworks):
    """One Markdown table for one model: a column per framework, then the ratio of the first two."""
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
    ratio = len(frameworks) == 2
    if ratio:
        header.append('%s / %s' % tuple(frameworks))
    rows = []
    for key, label, fmt, better in ROWS:
        row = ['%s %s' % (label, ARROWS[better])]
        values = []
        for fw in frameworks:
            value = ok.get(fw, {}).get(key)
            values.append(value)
            row.append(fmt % value if value is not None else 'failed')
        if ratio:
            a, b = values
            row.append(_ratio(a, b))
        rows.append(row)
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]

    def render(cells):
        out = [cells[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(cells[1:], widths[1:])]
        return '| ' + ' | '.join(out) + ' |'

    lines.append(render(header))
    lines.append('|' + '|'.join(['-' * (widths[0] + 2)]
                                + ['-' * (w + 1) + ':' for w in widths[1:]]) + '|')
    lines.extend(render(r) for r in rows)
    lines.append('')
    lines.append('↑ higher is better, ↓ lower is better. Steady state: median of %s one-epoch fit calls '
                 'after the first; predict: %s calls after warm-up; peak RSS: whole worker process.'
                 % (_common(ok, 'steady_epoch_s', len), _common(ok, 'predict_calls')))
    for fw in frameworks:
        r = results.get(fw, {})
        if 'error' in r:
            lines.append('')
            lines.append('%s failed on %s: %s' % (fw, model, r['error']))
            lines.extend('    ' + l for l in r.get('stderr_tail', []))
    return '\n'.join(lines)


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
    args = parser.parse_args(argv)

    names = args.models or models.names()
    for name in names:
        models.get(name)  # fail early on a typo
    all_results = {}
    failed = False
    for name in names:
        all_results[name] = {}
        for fw in args.frameworks:
            print('running %s on %s ...' % (name, fw), file=sys.stderr, flush=True)
            result = run_worker(fw, name, args)
            failed = failed or 'error' in result
            all_results[name][fw] = result

    print()
    print(describe_setup(all_results))
    for name in names:
        print()
        print(format_table(name, all_results[name], args.frameworks))
        ours = all_results[name].get('kernelkit', {})
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
            json.dump(all_results, f, indent=2)
        print('\nraw results written to %s' % args.json)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
