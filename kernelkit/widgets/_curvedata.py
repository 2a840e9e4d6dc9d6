"""The numbers behind the live curves: one set of series per metric, with bounded per-batch memory.

Plain Python (no plotting library), so that tests and the static image read the same data the live
widget shows.

The x axis counts epochs: the end of epoch `e` (0-based) is at `x = e + 1`, and a batch point sits at
`x = e + steps_done / steps_per_epoch`.
"""

SERIES = ('batch', 'epoch', 'val')


class Series(object):
    """An ordered list of `(x, y)` points.

    # Properties
        x: list of floats.
        y: list of floats.
    """

    __slots__ = ('x', 'y')

    def __init__(self):
        self.x = []
        self.y = []

    def append(self, x, y):
        self.x.append(float(x))
        self.y.append(float(y))

    def __len__(self):
        return len(self.x)

    def as_dict(self):
        """Returns `{'x': [...], 'y': [...]}` (copies)."""
        return {'x': list(self.x), 'y': list(self.y)}


def thin(series):
    """Halves the resolution of `series` in place: each pair of points becomes one point at their mean x and
    mean y (an odd last point is kept as it is).

    # Arguments
        series: a `Series`.
    """
    xs, ys = series.x, series.y
    new_x = [(xs[i] + xs[i + 1]) / 2. for i in range(0, len(xs) - 1, 2)]
    new_y = [(ys[i] + ys[i + 1]) / 2. for i in range(0, len(ys) - 1, 2)]
    if len(xs) % 2:
        new_x.append(xs[-1])
        new_y.append(ys[-1])
    series.x[:] = new_x
    series.y[:] = new_y


class _Pending(object):
    """Per-batch points waiting to be merged into one point of the current stride."""

    __slots__ = ('stride', 'count', 'sum_x', 'sum_y')

    def __init__(self):
        self.stride, self.count, self.sum_x, self.sum_y = 1, 0, 0., 0.


class CurveStore(object):
    """Training curves of several metrics: per-batch training points and per-epoch training and validation.

    # Arguments
        metrics: list of metric names as logged for training (`'loss'`, `'acc'`, ...); the validation
            values are read under `'val_' + name`.
        max_batch_points: most per-batch points kept per metric. When a series would grow beyond it, every
            pair of its points is merged into one (their means) and from then on twice as many incoming
            points make one stored point: memory stays bounded on long runs while the whole run keeps an
            even resolution.

    # Properties
        metrics: the metric names, in panel order.
        series: `{metric: {'batch': Series, 'epoch': Series, 'val': Series}}`.
    """

    def __init__(self, metrics, max_batch_points=1000):
        if max_batch_points < 4:
            raise ValueError('`max_batch_points` must be at least 4, got %r.' % (max_batch_points,))
        self.metrics = list(metrics)
        self.max_batch_points = int(max_batch_points)
        self.series = {name: {kind: Series() for kind in SERIES} for name in self.metrics}
        self._pending = {name: _Pending() for name in self.metrics}

    def stride(self, metric):
        """How many incoming per-batch points make one stored point now (1, then 2, 4, ... after thinning)."""
        return self._pending[metric].stride

    def add_batch_point(self, metric, x, y):
        """Adds a per-batch point.

        # Returns
            `'pending'` when the point waits to be merged with the next ones (nothing new to draw),
            `'appended'` when one point was appended to the series, `'thinned'` when the whole series
            was rewritten (its older points changed).
        """
        pending = self._pending[metric]
        pending.count += 1
        pending.sum_x += float(x)
        pending.sum_y += float(y)
        if pending.count < pending.stride:
            return 'pending'
        series = self.series[metric]['batch']
        series.append(pending.sum_x / pending.count, pending.sum_y / pending.count)
        pending.count, pending.sum_x, pending.sum_y = 0, 0., 0.
        if len(series) > self.max_batch_points:
            thin(series)
            pending.stride *= 2
            return 'thinned'
        return 'appended'

    def add_epoch_point(self, metric, x, y, validation=False):
        """Appends a per-epoch point (training, or validation when `validation` is True)."""
        self.series[metric]['val' if validation else 'epoch'].append(x, y)

    def data(self, metric, kind):
        """Returns `{'x': [...], 'y': [...]}` for one series (`kind` in 'batch', 'epoch', 'val')."""
        return self.series[metric][kind].as_dict()

    def latest(self, metric, kind):
        """Returns the last y value of a series, or None when it is empty."""
        values = self.series[metric][kind].y
        return values[-1] if values else None


def smooth(values, factor):
    """Exponential moving average of a list (TensorBoard's smoothing, bias-corrected at the start).

    # Arguments
        values: list of floats.
        factor: in [0, 1); 0 returns the values unchanged, 0.9 smooths strongly.

    # Returns
        A new list of the same length.

    # Raises
        ValueError: for a factor outside [0, 1).
    """
    if not 0. <= factor < 1.:
        raise ValueError('The smoothing factor must be in [0, 1), got %r.' % (factor,))
    smoothed, average, weight = [], 0., 0.
    for value in values:
        average = factor * average + (1. - factor) * value
        weight = factor * weight + (1. - factor)
        smoothed.append(average / weight)
    return smoothed
