"""The text progress bar printed by `fit` (Keras 2.2 format)."""
import numbers
import sys
import time

import numpy as np


def _dynamic_display_supported():
    """Tells whether the bar can be redrawn in place with a carriage return."""
    stdout = sys.stdout
    is_tty = hasattr(stdout, 'isatty') and stdout.isatty()
    return bool(is_tty or 'ipykernel' in sys.modules)


def _format_eta(seconds):
    """Formats a remaining time as Keras 2.2 does: `5s`, `1:05` or `1:01:05`."""
    if seconds > 3600:
        return '%d:%02d:%02d' % (seconds // 3600, (seconds % 3600) // 60, seconds % 60)
    if seconds > 60:
        return '%d:%02d' % (seconds // 60, seconds % 60)
    return '%ds' % seconds


def _format_time_per_unit(seconds):
    """Formats the time per unit shown at the end of the bar: ` 2s/step`, ` 15ms/step`, ` 80us/step`."""
    if seconds >= 1:
        return ' %.0fs/step' % seconds
    if seconds >= 1e-3:
        return ' %.0fms/step' % (seconds * 1e3)
    return ' %.0fus/step' % (seconds * 1e6)


class Progbar(object):
    """Displays a progress bar.

    Non-stateful values are averaged over the units seen (each value is weighted by how far `current`
    moved since the previous update); stateful ones are shown as last given.

    # Arguments
        target: total number of steps (or samples) expected, or None if unknown.
        width: width of the bar on screen, in characters.
        verbose: verbosity mode, 0 (silent), 1 (live bar) or 2 (one line when the target is reached).
        interval: minimum time in seconds between two redraws of the live bar.
        stateful_metrics: iterable of names of values that must be shown as given, not averaged.

    # Raises
        ValueError: if an argument is out of range.
        TypeError: if an argument has the wrong type.
    """

    def __init__(self, target, width=30, verbose=1, interval=0.05, stateful_metrics=None):
        if target is not None and (isinstance(target, bool) or not isinstance(target, numbers.Real)
                                   or target < 0):
            raise ValueError('`target` must be None or a non-negative number, got %r.' % (target,))
        if isinstance(width, bool) or not isinstance(width, numbers.Integral) or width < 1:
            raise ValueError('`width` must be a positive integer, got %r.' % (width,))
        if verbose not in (0, 1, 2):
            raise ValueError('`verbose` must be 0, 1 or 2, got %r.' % (verbose,))
        if not isinstance(interval, numbers.Real) or interval < 0:
            raise ValueError('`interval` must be a non-negative number, got %r.' % (interval,))
        if isinstance(stateful_metrics, str):
            raise TypeError('`stateful_metrics` must be an iterable of metric names, not a string '
                            '(got %r); wrap it in a list.' % (stateful_metrics,))
        self.target = target
        self.width = int(width)
        self.verbose = verbose
        self.interval = interval
        self.stateful_metrics = set(stateful_metrics or ())
        self._dynamic_display = _dynamic_display_supported()
        self._total_width = 0
        self._seen_so_far = 0
        self._values = {}  # name -> [weighted sum, weight]; dicts keep the order names first came in
        self._start = time.time()
        self._last_update = 0

    def update(self, current, values=None):
        """Updates the progress bar.

        # Arguments
            current: index of the current step (or number of samples seen so far).
            values: list of `(name, value_for_last_step)` tuples. A name listed in `stateful_metrics` is
                shown as given; any other is averaged over the units seen.
        """
        step = current - self._seen_so_far
        totals = self._values
        for name, value in values or ():
            if name in self.stateful_metrics:
                totals[name] = [value, 1]
            else:
                entry = totals.get(name)
                if entry is None:
                    totals[name] = [value * step, step]
                else:
                    entry[0] += value * step
                    entry[1] += step
        self._seen_so_far = current
        if not self.verbose:
            return

        now = time.time()
        finished = self.target is None or current >= self.target
        if self.verbose == 1:
            if not finished and now - self._last_update < self.interval:
                return  # the cheap path taken by most batches
            self._draw_bar(current, now)
        elif finished:
            self._write_summary_line(now)
        self._last_update = now

    def add(self, n, values=None):
        """Moves the progress bar forward by `n` units.

        # Arguments
            n: number of units (steps or samples) just completed.
            values: as in `update`.
        """
        self.update(self._seen_so_far + n, values)

    def _average(self, name):
        """Returns the displayed (averaged) value for `name`."""
        total, weight = self._values[name]
        return np.mean(total / max(1, weight))

    def _bar_text(self, current):
        """Builds `' 32/100 [========>.....................]'` (or `'     32/Unknown'`)."""
        if self.target is None:
            return '%7d/Unknown' % current
        digits = len('%d' % self.target) if self.target >= 1 else 1
        bar = ('%' + str(digits) + 'd/%d [') % (current, self.target)
        progress = float(current) / self.target if self.target else 1.0
        filled = int(self.width * progress)
        if filled > 0:
            bar += '=' * (filled - 1)
            bar += '>' if current < self.target else '='
        bar += '.' * (self.width - filled)
        return bar + ']'

    def _draw_bar(self, current, now):
        """Writes the live bar (verbose 1), redrawing the current line when the display allows it."""
        previous_width = self._total_width
        bar = self._bar_text(current)
        time_per_unit = (now - self._start) / current if current else 0
        if self.target is not None and current < self.target:
            info = ' - ETA: %s' % _format_eta(time_per_unit * (self.target - current))
        else:
            info = ' - %.0fs' % (now - self._start) + _format_time_per_unit(time_per_unit)
        for name in self._values:
            average = self._average(name)
            info += (' - %s: %.4f' if abs(average) > 1e-3 else ' - %s: %.4e') % (name, average)
        self._total_width = len(bar) + len(info)
        if previous_width > self._total_width:
            info += ' ' * (previous_width - self._total_width)  # wipe the tail of a longer old line
        if self.target is not None and current >= self.target:
            info += '\n'
        start = '\r' if self._dynamic_display else '\n'
        sys.stdout.write(start + bar + info)
        sys.stdout.flush()

    def _write_summary_line(self, now):
        """Writes the single line of verbose 2: ` - 0s - loss: 0.6931 - acc: 0.5000`."""
        info = ' - %.0fs' % (now - self._start)
        for name in self._values:
            average = self._average(name)
            # Keras 2.2 compares the value itself here, not its absolute value.
            info += (' - %s: %.4f' if average > 1e-3 else ' - %s: %.4e') % (name, average)
        sys.stdout.write(info + '\n')
        sys.stdout.flush()
