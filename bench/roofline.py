"""The machine's own limit: a same-run `tf.matmul` roofline, and the FLOP each model needs per train step.

    python -m bench.roofline            # prints `BENCH-RESULT {json}` with the matmul GFLOP/s

`bench.run` starts this in its own fresh process (before the models, one after another, so nothing else
competes for the CPU) and prints, under each model's table, the fraction of that roofline each framework
reaches: steps/s x FLOP per train step / matmul FLOP/s.

FLOP per train step are counted by hand from the layer shapes (`bench.models` declares each model's
forward multiply-adds with the helpers below): only Dense, Conv and LSTM matrix products count, 2 FLOP per
multiply-add, and a train step is estimated as 3x the forward pass (forward, plus the gradients with
respect to the inputs and to the weights, each about as costly as the forward pass). Element-wise work
(activations, BatchNormalization, pooling, the optimizer update) is left out, so the fractions are a
slight underestimate of the work done.
"""
import argparse
import json
import math
import sys
import time

from bench.worker import percentile, report_result

TRAIN_STEP_FORWARD_MULTIPLE = 3
FLOP_PER_MAC = 2


def dense_macs(inputs, units):
    """Multiply-adds of a Dense layer on one sample (one timestep): `inputs x units`."""
    return inputs * units


def conv2d_macs(output_hw, kernel_size, in_channels, filters):
    """Multiply-adds of a Conv2D on one sample: output positions x kernel area x in channels x filters.

    Arguments:
        output_hw: the output's (height, width).
        kernel_size: the square kernel's side.
        in_channels, filters: channels in and out.
    """
    return output_hw[0] * output_hw[1] * kernel_size * kernel_size * in_channels * filters


def lstm_macs(timesteps, input_dim, units):
    """Multiply-adds of an LSTM on one sample: per timestep, four gates of `(input_dim + units) x units`."""
    return timesteps * 4 * units * (input_dim + units)


def train_step_flop(forward_macs_per_sample, batch_size):
    """FLOP of one train step: batch x forward multiply-adds x 2 FLOP x 3 (forward + backward estimate)."""
    return batch_size * forward_macs_per_sample * FLOP_PER_MAC * TRAIN_STEP_FORWARD_MULTIPLE


def measure_matmul(size=2048, warmup=3, calls=15):
    """Median GFLOP/s of eager `tf.matmul` on two `size x size` float32 matrices, after warm-up calls.

    Arguments:
        size: the matrices' side (2048 by default: large enough to run at the kernel's best speed).
        warmup: calls made before timing (thread pools, allocations).
        calls: timed calls; their median is reported.

    Returns:
        A JSON-able dict with `matmul_gflop_per_s` and the settings.
    """
    import numpy as np
    import tensorflow as tf

    rng = np.random.RandomState(0)
    a = tf.constant(rng.rand(size, size).astype('float32'))
    b = tf.constant(rng.rand(size, size).astype('float32'))
    flop = FLOP_PER_MAC * size ** 3
    seconds = []
    for i in range(warmup + calls):
        start = time.perf_counter()
        tf.matmul(a, b).numpy()  # .numpy() waits for the result (on the CPU it shares the buffer)
        if i >= warmup:
            seconds.append(time.perf_counter() - start)
    median = percentile(seconds, 50)
    return {'matmul_size': size, 'matmul_calls': calls, 'matmul_median_s': median,
            'matmul_gflop_per_s': flop / median / 1e9, 'tensorflow_version': tf.__version__}


def format_roofline(matmul, forward_macs, batch_size, steps_per_s):
    """The `roofline` line printed under one model's table.

    Arguments:
        matmul: the result of `measure_matmul` (or a dict with 'error'); 'matmul_runs_gflop_per_s', when
            present, lists every measurement of the run it was picked from.
        forward_macs: the model's forward multiply-adds per sample.
        batch_size: the train batch size.
        steps_per_s: `{framework: train steps/s}` for the frameworks that ran.

    Returns:
        One Markdown paragraph.
    """
    flop = train_step_flop(forward_macs, batch_size)
    head = ('roofline: a train step is %.3g GFLOP (%s forward multiply-adds per sample x 2 FLOP x 3 for '
            'forward + backward, batch %d)' % (flop / 1e9, '{:,}'.format(forward_macs), batch_size))
    if 'error' in matmul:
        return head + '; the matmul measurement failed: %s' % matmul['error']
    roof = matmul['matmul_gflop_per_s'] * 1e9
    reached = ['%s %.1f%% (%.1f GFLOP/s)' % (fw, 100. * s * flop / roof, s * flop / 1e9)
               for fw, s in steps_per_s.items() if s is not None and not math.isnan(s)]
    runs = matmul.get('matmul_runs_gflop_per_s', [matmul['matmul_gflop_per_s']])
    measured = 'median of %d calls' % matmul['matmul_calls']
    if len(runs) > 1:
        measured += '; the faster of %s, measured at the start and the end of the run' % ' and '.join(
            '%.1f' % g for g in runs)
    return (head + '; same-run `tf.matmul` %dx%d float32: %.1f GFLOP/s (%s); reached: %s.'
            % (matmul['matmul_size'], matmul['matmul_size'], matmul['matmul_gflop_per_s'], measured,
               ', '.join(reached) or 'no framework ran'))


def main(argv=None):
    """Measures the matmul roofline and prints it as one `BENCH-RESULT` line; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--size', type=int, default=2048)
    parser.add_argument('--calls', type=int, default=15)
    args = parser.parse_args(argv)
    return report_result(lambda: measure_matmul(args.size, calls=args.calls),
                         {'framework': 'tensorflow', 'model': 'matmul'})


if __name__ == '__main__':
    sys.exit(main())
