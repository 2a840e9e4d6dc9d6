"""Notebook tools for kernelkit: live training curves, the visual model builder, inline migration hints.

Everything here is imported lazily, on first use: `import kernelkit` never imports ipywidgets, bokeh,
matplotlib or IPython, and neither does `import kernelkit.widgets`.

- `LiveCurves`: callback with live curves, progress, ETA and a Stop button (text lines outside notebooks).
- `set_live_default(enabled)`: whether `fit(verbose=1)` in a notebook shows `LiveCurves` (default on; the
  environment variable `KERNELKIT_LIVE_CURVES=0` turns it off too).
- `default_progress_callback(verbose, params)`: what `fit` asks to pick its progress display.
- `plot_history(history)`: a static matplotlib figure of a `History`.
- `ModelBuilder`: build, edit and inspect a model with widgets; `builder.code()` gives Keras 2 code.
- `ModelGraph`: the plain graph description behind `ModelBuilder` (no widgets needed).
- `show_migration_warning`, `migrate_notebook`, `load_ipython_extension`: Keras 1 migration in notebooks
  (`%load_ext kernelkit` adds the magics; in a Jupyter kernel the migration cards are on from `import
  kernelkit`: `set_cards_default(False)` or `KERNELKIT_MIGRATION_CARDS=0` turns them off).
"""
import importlib
import sys

_LAZY = {
    'LiveCurves': 'kernelkit.widgets.live',
    'set_live_default': 'kernelkit.widgets.live',
    'live_default_enabled': 'kernelkit.widgets.live',
    'default_progress_callback': 'kernelkit.widgets.live',
    'plot_history': 'kernelkit.widgets.history_plot',
    'HistoryPlot': 'kernelkit.widgets.history_plot',
    'ModelBuilder': 'kernelkit.widgets.builder',
    'ModelGraph': 'kernelkit.widgets.graph',
    'GraphError': 'kernelkit.widgets.graph',
    'show_migration_warning': 'kernelkit.widgets.migration',
    'migration_bundle': 'kernelkit.widgets.migration',
    'migrate_notebook': 'kernelkit.widgets.migration',
    'MIGRATION_MIME_TYPE': 'kernelkit.widgets.migration',
    'set_cards_default': 'kernelkit.widgets.migration',
    'cards_default_enabled': 'kernelkit.widgets.migration',
}

__all__ = sorted(_LAZY) + ['load_ipython_extension', 'unload_ipython_extension']


def __getattr__(name):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError('module %r has no attribute %r' % (__name__, name))
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))


def install_default_cards():
    """Called by `import kernelkit`: in a Jupyter kernel, migration warnings become cards below the cell
    (unless turned off); elsewhere nothing happens and nothing is imported.

    # Returns
        Whether cards were installed.
    """
    if 'IPython' not in sys.modules:  # not in a kernel: stay cheap
        return False
    from kernelkit.widgets.migration import install_default_cards as install
    return install()


def load_ipython_extension(ipython):
    """Called by `%load_ext kernelkit`: shows Keras 1 migration warnings as cards below the cell and
    registers the magics `%%keras2`, `%keras2_cell` and `%migrate_notebook`.

    # Arguments
        ipython: the IPython shell.
    """
    from kernelkit.widgets.migration import load_ipython_extension as load
    load(ipython)


def unload_ipython_extension(ipython):
    """Called by `%unload_ext kernelkit`: restores the normal display of warnings.

    # Arguments
        ipython: the IPython shell.
    """
    from kernelkit.widgets.migration import unload_ipython_extension as unload
    unload(ipython)
