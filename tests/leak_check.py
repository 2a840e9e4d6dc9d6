"""Resource leaks over many `fit` calls with `Sequence` workers (issue 15, item 6): `make leaks`.

Runs `--fits` consecutive `model.fit(sequence, workers=2)` calls with worker threads, then with worker
processes (`use_multiprocessing=True`), and prints for each: the Python threads, the OS threads of this
process, the child processes and the resident memory (RSS) before the first fit and after the last one,
and the RSS slope per fit (a least-squares line through the RSS after each fit). Two warm-up fits come
first, so TensorFlow's one-time allocations (thread pools, the traced step) are not counted.

Exits with status 1 when the thread or process counts do not come back to where they started, or when
the RSS grows by more than `--max-slope-kib` KiB per fit.

    python tests/leak_check.py --fits 100
"""
import argparse
import gc
import os
import sys
import threading

import numpy as np
import psutil

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')

import kernelkit as keras  # noqa: E402

BATCH, STEPS = 16, 8


class Batches(keras.utils.Sequence):
    """`STEPS` batches of random data (fixed per index), with a little work in `__getitem__`."""

    def __len__(self):
        return STEPS

    def __getitem__(self, index):
        rng = np.random.RandomState(index)
        x = rng.randn(BATCH, 20).astype('float32')
        return x, (x.sum(axis=1, keepdims=True) > 0).astype('float32')


def build_model():
    """A small compiled classifier."""
    model = keras.models.Sequential([keras.layers.Dense(32, activation='relu', input_shape=(20,)),
                                     keras.layers.Dense(1, activation='sigmoid')])
    model.compile('adam', 'binary_crossentropy', metrics=['accuracy'])
    return model


def snapshot():
    """The counts that must stay flat: Python threads, OS threads, child processes, RSS (bytes)."""
    gc.collect()
    process = psutil.Process()
    return {'python_threads': threading.active_count(), 'os_threads': process.num_threads(),
            'processes': len(process.children(recursive=True)), 'rss': process.memory_info().rss}


def measure(fits, use_multiprocessing, model=None, warmup=2):
    """Runs `fits` consecutive `fit` calls reading a `Sequence` with 2 workers.

    # Arguments
        fits: number of measured `fit` calls (at least 2).
        use_multiprocessing: worker processes if True, else worker threads.
        model: the model to train (default: `build_model()`).
        warmup: `fit` calls run before the first measurement.

    # Returns
        A dict: `start` and `end` (each a `snapshot()`), `rss` (the RSS after each fit, bytes) and
        `slope_kib` (the RSS slope per fit, KiB).

    # Raises
        ValueError: if `fits` is below 2.
    """
    if fits < 2:
        raise ValueError('`fits` must be at least 2 to fit a slope, got %r.' % (fits,))
    model = model or build_model()
    sequence = Batches()

    def one_fit():
        model.fit(sequence, epochs=1, workers=2, use_multiprocessing=use_multiprocessing, verbose=0)

    for _ in range(warmup):
        one_fit()
    start = snapshot()
    rss = []
    for _ in range(fits):
        one_fit()
        rss.append(snapshot()['rss'])
    end = snapshot()
    slope = np.polyfit(np.arange(fits), np.asarray(rss, dtype='float64') / 1024., 1)[0]
    return {'start': start, 'end': end, 'rss': rss, 'slope_kib': float(slope)}


def problems(result, max_slope_kib):
    """What is not flat in a `measure` result: a list of sentences (empty when all is well)."""
    found = []
    for key in ('python_threads', 'os_threads', 'processes'):
        if result['end'][key] > result['start'][key]:
            found.append('%s grew from %d to %d' % (key, result['start'][key], result['end'][key]))
    if result['slope_kib'] > max_slope_kib:
        found.append('RSS grows by %.1f KiB per fit (more than %.1f)' % (result['slope_kib'], max_slope_kib))
    return found


def main(argv=None):
    """Runs the measurements and prints the figures; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--fits', type=int, default=100, help='fit calls per worker kind (default 100)')
    parser.add_argument('--max-slope-kib', type=float, default=64., help='largest RSS slope accepted, KiB/fit')
    args = parser.parse_args(argv)
    status = 0
    print('%d consecutive fit calls per row, a Sequence of %d batches read by 2 workers (after 2 warm-up fits)'
          % (args.fits, STEPS))
    print('%-10s %-17s %-17s %-13s %-23s %s' % ('workers', 'python threads', 'OS threads', 'processes',
                                                 'RSS MiB', 'RSS slope'))
    for name, use_multiprocessing in (('threads', False), ('processes', True)):
        result = measure(args.fits, use_multiprocessing)
        start, end = result['start'], result['end']
        print('%-10s %-17s %-17s %-13s %-23s %+.1f KiB/fit' % (
            name, '%d -> %d' % (start['python_threads'], end['python_threads']),
            '%d -> %d' % (start['os_threads'], end['os_threads']),
            '%d -> %d' % (start['processes'], end['processes']),
            '%.1f -> %.1f' % (start['rss'] / 2. ** 20, end['rss'] / 2. ** 20), result['slope_kib']))
        for problem in problems(result, args.max_slope_kib):
            print('  LEAK (%s): %s' % (name, problem))
            status = 1
    print('result: %s' % ('flat' if status == 0 else 'LEAKS FOUND'))
    return status


if __name__ == '__main__':
    sys.exit(main())
