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


def thin(series, keep_recent):
    """Halves the resolution of the older points of `series`, in place.

    The newest `keep_recent` points are kept as they are; each pair of older points becomes one point at
    their mean x and mean y (an odd one out is kept). Repeated thinning makes old history coarser and
    coarser while the recent part stays sharp.

    # Arguments
        series: a `Series`.
        keep_recent: number of newest points left untouched.
    """
    cut = max(len(series) - keep_recent, 0)
    old_x, old_y = series.x[:cut], series.y[:cut]
    new_x, new_y = [], []
    for i in range(0, cut - 1, 2):
        new_x.append((old_x[i] + old_x[i + 1]) / 2.)
        new_y.append((old_y[i] + old_y[i + 1]) / 2.)
    if cut % 2:
        new_x.append(old_x[-1])
        new_y.append(old_y[-1])
    series.x[:cut] = new_x
    series.y[:cut] = new_y


class CurveStore(object):
    """Training curves of several metrics: per-batch training points and per-epoch training and validation.

    # Arguments
        metrics: list of metric names as logged for training (`'loss'`, `'acc'`, ...); the validation
            values are read under `'val_' + name`.
        max_batch_points: most per-batch points kept per metric; when exceeded, older points are thinned
            (see `thin`) so memory stays bounded on long runs.

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

    def add_batch_point(self, metric, x, y):
        """Appends a per-batch point.

        # Returns
            True when the series was thinned (its older points changed), False when the point was only
            appended.
        """
        series = self.series[metric]['batch']
        series.append(x, y)
        if len(series) > self.max_batch_points:
            thin(series, keep_recent=self.max_batch_points // 2)
            return True
        return False

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
