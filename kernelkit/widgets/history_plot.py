"""Static plots of training curves with matplotlib: `plot_history(history)` and the PNG `LiveCurves` leaves.

Figures are made with matplotlib's object API and the Agg canvas, never through `pyplot`, so they do not
depend on (or change) the user's matplotlib backend and do not pile up in pyplot's figure list.
"""
import io

_TRAIN_COLOR = '#1f77b4'
_VAL_COLOR = '#ff7f0e'
_BATCH_COLOR = '#9ecae1'


def _new_figure(panels, figsize):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    columns = min(len(panels), 3) or 1
    rows = (len(panels) + columns - 1) // columns or 1
    if figsize is None:
        figsize = (4.2 * columns, 3.4 * rows)
    figure = Figure(figsize=figsize, dpi=100)
    FigureCanvasAgg(figure)
    axes = {}
    for index, name in enumerate(panels):
        axes[name] = figure.add_subplot(rows, columns, index + 1)
    return figure, axes


def _style(ax, name, log_scale):
    ax.set_title(name)
    ax.set_xlabel('epoch')
    if log_scale:
        ax.set_yscale('log')
    ax.grid(True, alpha=0.3)
    if ax.get_legend_handles_labels()[0]:  # below the axes, outside the plotting area
        ax.legend(fontsize='small', loc='upper center', bbox_to_anchor=(0.5, -0.2), ncol=3, frameon=False)


class HistoryPlot(object):
    """A matplotlib figure of training curves, one panel per metric, that shows itself in notebooks.

    # Properties
        figure: the `matplotlib.figure.Figure`.
        axes: `{metric name: matplotlib Axes}`.
    """

    def __init__(self, figure, axes):
        self.figure = figure
        self.axes = axes

    def png(self):
        """Returns the figure as PNG bytes."""
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format='png', bbox_inches='tight')
        return buffer.getvalue()

    def savefig(self, *args, **kwargs):
        """Saves the figure (arguments as `matplotlib.figure.Figure.savefig`)."""
        return self.figure.savefig(*args, **kwargs)

    def _repr_png_(self):
        return self.png()

    def __repr__(self):
        return '<HistoryPlot of %s>' % ', '.join(self.axes)


def _history_dict(history):
    values = getattr(history, 'history', history)
    if not hasattr(values, 'items'):
        raise TypeError('`history` must be a History object (returned by `fit`) or a dict of lists; '
                        'received %r.' % (history,))
    return values


def plot_history(history, metrics=None, log_scale=False, figsize=None):
    """Plots the training curves of a `History` (what `model.fit` returns): one panel per metric.

    Training and validation values of the same metric (`loss` and `val_loss`) share a panel.

    # Arguments
        history: a `History` object, or a dict mapping metric names to per-epoch values.
        metrics: list of metric names to plot (default: every training metric logged).
        log_scale: whether the y axes are logarithmic.
        figsize: `(width, height)` in inches (default: sized to the number of panels).

    # Returns
        A `HistoryPlot`; it displays as a PNG in a notebook, and its `figure` is the matplotlib figure.

    # Raises
        TypeError: if `history` is neither a History nor a dict.
        ValueError: if a requested metric was not logged, or nothing was logged.

    # Example
    ```python
    history = model.fit(x, y, validation_split=0.2, epochs=10)
    plot_history(history)              # or history.plot()
    ```
    """
    values = _history_dict(history)
    logged = list(values.keys())
    if metrics is None:
        metrics = [name for name in logged if not name.startswith('val_')]
        metrics += [name[4:] for name in logged if name.startswith('val_') and name[4:] not in metrics]
    else:
        metrics = [metrics] if isinstance(metrics, str) else list(metrics)
        for name in metrics:
            if name not in values and ('val_' + name) not in values:
                raise ValueError('%r was not logged; logged: %s.' % (name, logged))
    if not metrics:
        raise ValueError('Nothing to plot: the history is empty (did training run?).')
    epochs_of = getattr(history, 'epoch', None)
    figure, axes = _new_figure(metrics, figsize)
    for name in metrics:
        ax = axes[name]
        for key, label, color in ((name, 'training', _TRAIN_COLOR), ('val_' + name, 'validation', _VAL_COLOR)):
            if key not in values:
                continue
            series = [float(v) for v in values[key]]
            if epochs_of is not None and len(epochs_of) == len(series):
                xs = [e + 1 for e in epochs_of]
            else:
                xs = list(range(1, len(series) + 1))
            ax.plot(xs, series, marker='o', markersize=3, color=color, label=label)
        _style(ax, name, log_scale)
    figure.tight_layout()
    return HistoryPlot(figure, axes)


def plot_curve_store(store, log_scale=False, figsize=None, title=None):
    """Draws a `CurveStore` (the data of `LiveCurves`): per-batch, per-epoch and validation series.

    # Arguments
        store: a `CurveStore`.
        log_scale: whether the y axes are logarithmic.
        figsize: `(width, height)` in inches.
        title: optional title over the figure.

    # Returns
        A `HistoryPlot`.
    """
    figure, axes = _new_figure(store.metrics, figsize)
    for name in store.metrics:
        ax = axes[name]
        batch = store.series[name]['batch']
        if len(batch):
            ax.plot(batch.x, batch.y, color=_BATCH_COLOR, linewidth=1, label='training (batches)')
        for kind, label, color in (('epoch', 'training', _TRAIN_COLOR), ('val', 'validation', _VAL_COLOR)):
            series = store.series[name][kind]
            if len(series):
                ax.plot(series.x, series.y, marker='o', markersize=3, color=color, label=label)
        _style(ax, name, log_scale)
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return HistoryPlot(figure, axes)
