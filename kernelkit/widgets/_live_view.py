"""The notebook view of `LiveCurves`: bokeh plots inside ipywidgets, updated by streaming new points.

Imported only when a live widget is really drawn (it imports ipywidgets, bokeh and jupyter_bokeh).

Every panel owns three `ColumnDataSource`s (per-batch training, per-epoch training, per-epoch validation),
plus faint fixed lines for the earlier runs of the same cell or model (a toggle hides them). Legends sit
below the plotting area.
New points are sent with `ColumnDataSource.stream`, so the browser receives only the appended rows and
the plot is never rebuilt. Each panel is drawn twice, once with a linear and once with a log y axis, on the
same sources; the log-scale toggle only switches which of the two is visible.
"""
import html

import ipywidgets
from bokeh.layouts import column, row
from bokeh.models import ColumnDataSource, HoverTool
from bokeh.plotting import figure
from jupyter_bokeh import BokehModel

from kernelkit.widgets._curvedata import SERIES

_STYLE = {
    'batch': dict(color='#9ecae1', line_width=1, legend_label='training (batches)'),
    'epoch': dict(color='#1f77b4', line_width=2, legend_label='training'),
    'val': dict(color='#ff7f0e', line_width=2, legend_label='validation'),
}


def _load_bokeh_javascript():
    """Puts BokehJS into the page, inline: jupyter_bokeh's views need it, and the default loader would
    fetch it from a CDN, which offline classrooms cannot reach. It is loaded with every live view, so a
    reloaded page or a re-run cell still finds it."""
    from bokeh.io import output_notebook
    from bokeh.resources import Resources
    output_notebook(resources=Resources(mode='inline', components=['bokeh']), hide_banner=True)


_EARLIER_COLORS = ('#7f7f7f', '#8c564b', '#9467bd', '#bcbd22', '#17becf')


def _panel(name, sources, log_scale, width, height, earlier_runs=()):
    """One metric's figure; returns `(figure, renderers of the earlier runs)`."""
    fig = figure(title=name, width=width, height=height, x_axis_label='epoch',
                 y_axis_type='log' if log_scale else 'linear', tools='pan,wheel_zoom,box_zoom,reset,save')
    earlier = []
    for index, run in enumerate(earlier_runs):
        color = _EARLIER_COLORS[index % len(_EARLIER_COLORS)]
        curves = run.curves.get(name, {})
        for kind, dash in (('epoch', 'solid'), ('val', 'dashed')):
            data = curves.get(kind) or {'x': [], 'y': []}
            if data['x']:
                earlier.append(fig.line(data['x'], data['y'], color=color, alpha=0.35, line_width=1.5,
                                        line_dash=dash, legend_label=run.label))
    for kind in SERIES:
        style = dict(_STYLE[kind])
        fig.line('x', 'y', source=sources[kind], **style)
        if kind != 'batch':
            fig.scatter('x', 'y', source=sources[kind], color=style['color'], size=5)
    fig.add_tools(HoverTool(tooltips=[('epoch', '@x{0.00}'), (name, '@y{0.0000}')]))
    legend = fig.legend[0]
    legend.click_policy = 'hide'
    legend.label_text_font_size = '8pt'
    legend.orientation = 'horizontal'
    legend.spacing, legend.padding, legend.margin = 4, 2, 2
    fig.add_layout(legend, 'below')  # outside the plotting area: it never hides the curves
    return fig, earlier


class LiveView(object):
    """Widgets and plots of one training run.

    # Arguments
        metrics: panel names, in order.
        on_stop: called with no argument when the Stop button is clicked (None: no button).
        log_scale: initial state of the log-scale toggle.
        width, height: size of one panel in pixels.

    # Properties
        widget: the top-level ipywidget to display.
        sources: `{metric: {'batch'|'epoch'|'val': ColumnDataSource}}`.
        stop_button, log_toggle, progress, status, values: the individual widgets.
    """

    def __init__(self, metrics, on_stop=None, log_scale=False, width=330, height=240, earlier_runs=(),
                 on_smooth=None):
        self.metrics = list(metrics)
        self.sources = {name: {kind: ColumnDataSource(data={'x': [], 'y': []}) for kind in SERIES}
                        for name in self.metrics}
        self.linear_figures, self.log_figures, self.earlier_renderers = [], [], []
        for name in self.metrics:
            for figures, log in ((self.linear_figures, False), (self.log_figures, True)):
                fig, earlier = _panel(name, self.sources[name], log, width, height + 30, earlier_runs)
                figures.append(fig)
                self.earlier_renderers.extend(earlier)
        # One column per panel holds both versions; only one of them is visible at a time.
        for linear, log in zip(self.linear_figures, self.log_figures):
            linear.visible, log.visible = not log_scale, bool(log_scale)  # before the view is sent
        cells = [column(linear, log) for linear, log in zip(self.linear_figures, self.log_figures)]
        rows = [row(*cells[i:i + 3]) for i in range(0, len(cells), 3)]
        _load_bokeh_javascript()
        self.plots = BokehModel(column(*rows))
        self.progress = ipywidgets.IntProgress(value=0, min=0, max=1, description='',
                                               layout=ipywidgets.Layout(width='280px'))
        self.status = ipywidgets.HTML(value='waiting for the first batch')
        self.stop_button = ipywidgets.Button(description='Stop', icon='stop', button_style='danger',
                                             tooltip='Stop training after the current batch',
                                             layout=ipywidgets.Layout(width='90px'))
        self.log_toggle = ipywidgets.ToggleButton(value=bool(log_scale), description='log scale',
                                                  tooltip='Logarithmic y axes',
                                                  layout=ipywidgets.Layout(width='100px'))
        self.values = ipywidgets.HTML(value='')
        self.earlier_toggle = ipywidgets.ToggleButton(
            value=True, description='earlier runs (%d)' % len(earlier_runs),
            tooltip='Show the earlier runs of this cell or model, faintly', layout=ipywidgets.Layout(width='150px'))
        self.earlier_toggle.observe(lambda change: self.show_earlier_runs(change['new']), names='value')
        if not earlier_runs:
            self.earlier_toggle.layout.display = 'none'
        self.smooth_toggle = ipywidgets.ToggleButton(value=False, description='smooth batches',
                                                     tooltip='Exponential moving average of the per-batch curve',
                                                     layout=ipywidgets.Layout(width='130px'))
        if on_smooth is not None:
            self.smooth_toggle.observe(lambda change: on_smooth(change['new']), names='value')
        if on_stop is not None:
            self.stop_button.on_click(lambda _button: on_stop())
        else:
            self.stop_button.layout.display = 'none'
        self.log_toggle.observe(lambda change: self.set_log_scale(change['new']), names='value')
        self.set_log_scale(log_scale)
        header = ipywidgets.HBox([self.progress, self.status])
        controls = ipywidgets.HBox([self.stop_button, self.log_toggle, self.smooth_toggle, self.earlier_toggle])
        self.widget = ipywidgets.VBox([header, controls, self.plots, self.values])

    # ------------------------------------------------------------------------------------------- plots
    @property
    def log_scale(self):
        return bool(self.log_toggle.value)

    def set_log_scale(self, log_scale):
        """Shows the log-y (True) or linear-y (False) version of every panel."""
        log_scale = bool(log_scale)
        if self.log_toggle.value != log_scale:
            self.log_toggle.value = log_scale  # calls back here through the observer
            return
        for linear, log in zip(self.linear_figures, self.log_figures):
            linear.visible = not log_scale
            log.visible = log_scale

    def show_earlier_runs(self, visible):
        """Shows (True) or hides the faint curves of earlier runs."""
        for renderer in self.earlier_renderers:
            renderer.visible = bool(visible)

    def stream(self, metric, kind, x, y):
        """Appends the points `x`, `y` (lists) to one series."""
        self.sources[metric][kind].stream({'x': list(x), 'y': list(y)})

    def replace(self, metric, kind, data):
        """Replaces all the points of one series (after thinning)."""
        self.sources[metric][kind].data = {'x': list(data['x']), 'y': list(data['y'])}

    # ------------------------------------------------------------------------------------------ status
    def set_progress(self, value, total, text):
        self.progress.max = max(int(total), 1)
        self.progress.value = min(int(value), self.progress.max)
        self.status.value = '<span style="font-family: monospace; padding-left: 8px">%s</span>' % (
            html.escape(text))

    def set_values(self, rows):
        """Shows the table of latest values: `rows` is a list of `(metric, batch, train, val, best)`."""
        def cell(value):
            return '' if value is None else '%.4g' % value
        lines = ['<table style="font-family: monospace; font-size: 90%"><tr><th style="text-align:left">'
                 'metric</th><th>last batches</th><th>epoch train</th><th>epoch val</th><th>best val</th></tr>']
        for name, batch, train, val, best in rows:
            lines.append('<tr><td style="text-align:left">%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td>'
                         '</tr>' % (html.escape(name), cell(batch), cell(train), cell(val), cell(best)))
        lines.append('</table>')
        self.values.value = ''.join(lines)

    def widget_bundle(self):
        """The widget's display data (`application/vnd.jupyter.widget-view+json` and `text/plain`)."""
        return self.widget._repr_mimebundle_()

    def finish(self, text):
        """Marks the run as over: hides the Stop button and shows `text`."""
        self.stop_button.disabled = True
        self.stop_button.layout.display = 'none'
        self.status.value = '<span style="font-family: monospace; padding-left: 8px">%s</span>' % (
            html.escape(text))

    def close(self):
        """Closes the widgets (the bokeh wrapper closes itself when garbage-collected)."""
        for widget in (self.progress, self.status, self.stop_button, self.log_toggle, self.smooth_toggle,
                       self.earlier_toggle, self.values, self.widget):
            widget.close()
