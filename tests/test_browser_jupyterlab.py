"""The notebook experience in a real browser: JupyterLab driven by Playwright with the system Chromium.

One test, in two parts that share one JupyterLab server and one browser (`browser_harness.BrowserSession`):

1. Live training curves: a notebook made for the test trains a tiny model for `EPOCHS` epochs (slowed
   down by a per-batch sleep) with `LiveCurves`; the test sees the epoch counter and the plotted points
   grow while `fit` runs, checks the plot really renders and the log-scale toggle works, clicks *Stop*
   and reads, from the next cell, that training ended early.
2. The visual model builder: the test runs a copy of `notebooks/11_visual_model_builder.ipynb`, picks
   `Dense` in the palette of the first builder, presses *Add after* and sees the new row, with its
   output shape, in the layer list and in the summary table.

Isolation: JupyterLab runs from this Python (the venv) on 127.0.0.1, on a free port, with a random
token, `root_dir` a temporary copy of notebooks/, and temporary Jupyter config, data, runtime,
settings, workspaces and IPython directories. Chromium gets a fresh profile. Everything is stopped and
removed at the end, also on failure.

Time: every wait is bounded, and all of them together by `TIME_BUDGET` seconds (stopping and cleaning
up add 30 s at most); a passing run takes about 20 s on two cores.

Skips only when no Chromium executable can be found (`scripts/install_browser.sh` installs Debian's
`chromium`; the environment variable `KERNELKIT_CHROMIUM` may name another executable). Set
`KERNELKIT_BROWSER_ARTIFACTS=/some/dir` to keep screenshots, page HTML and the server log of a run.
"""
import os
import re
import time

import pytest

from browser_harness import BrowserSession, Notebook, clear_outputs

BUILDER_NOTEBOOK = '11_visual_model_builder.ipynb'
LIVE_NOTEBOOK = 'kernelkit_browser_test_live_curves.ipynb'

TIME_BUDGET = 140.  # seconds for the whole test, all waits included (stopping and cleaning up: 30 s more at most)
EPOCHS = 60         # with the per-batch sleep below, about 35 s of training if Stop is never clicked
BATCH_SLEEP = 0.05
STEPS_PER_EPOCH = 10

def write_live_notebook(path):
    """A small notebook: tiny data, a `fit` of `EPOCHS` epochs slowed down per batch, `LiveCurves`."""
    import nbformat
    setup = '\n'.join([
        'import time',
        'import numpy as np',
        'import kernelkit as keras',
        'from kernelkit.callbacks import LambdaCallback',
        'from kernelkit.widgets import LiveCurves',
        '',
        'EPOCHS = %d' % EPOCHS,
        'rng = np.random.RandomState(0)',
        'x = rng.rand(%d, 4).astype("float32")' % (16 * STEPS_PER_EPOCH),
        'y = (x.sum(axis=1, keepdims=True) > 2).astype("float32")',
        'model = keras.Sequential()',
        'model.add(keras.layers.Dense(8, activation="relu", input_shape=(4,)))',
        'model.add(keras.layers.Dense(1, activation="sigmoid"))',
        'model.compile(optimizer="adam", loss="binary_crossentropy")',
        '# Slows training down so that a person (or this test) has time to click Stop.',
        'slow = LambdaCallback(on_batch_end=lambda batch, logs: time.sleep(%r))' % BATCH_SLEEP,
    ])
    train = '\n'.join([
        'curves = LiveCurves()',
        'history = model.fit(x, y, batch_size=16, epochs=EPOCHS, verbose=0, callbacks=[curves, slow])',
    ])
    report = '\n'.join([
        "print('EPOCHS_RUN=%d/%d' % (len(history.epoch), EPOCHS))",
        "print('STOPPED_AT=%r' % (curves.stopped_at,))",
    ])
    notebook = nbformat.v4.new_notebook()
    notebook.metadata['kernelspec'] = {'name': 'python3', 'display_name': 'Python 3 (ipykernel)',
                                       'language': 'python'}
    notebook.cells = [nbformat.v4.new_markdown_cell('# LiveCurves in a real browser (test notebook)'),
                      nbformat.v4.new_code_cell(setup), nbformat.v4.new_code_cell(train),
                      nbformat.v4.new_code_cell(report)]
    nbformat.write(notebook, path)


# Reads the BokehJS documents of the page: the number of points in every data source, and for every
# figure whether it is shown and whether its y axis is logarithmic. None when BokehJS is not loaded.
BOKEH_STATE_JS = """() => {
  const B = window.Bokeh;
  if (!B || !B.documents) return null;
  let points = 0;
  const figures = [];
  for (const doc of B.documents) {
    for (const model of doc.all_models) {
      const data = model.data;
      if (data && data.x != null && data.x.length !== undefined) points += data.x.length;
      if (model.y_scale != null && model.x_range != null) {
        const scale = model.y_scale;
        const kind = scale.type || (scale.constructor && scale.constructor.__name__) || '';
        figures.push({visible: !!model.visible, log: String(kind).indexOf('Log') >= 0});
      }
    }
  }
  return {points: points, figures: figures};
}"""

STATUS_RE = re.compile(r'epoch (\d+)/(\d+) \u00b7 step (\d+)/(\d+)')


def live_status(notebook):
    """`(epoch, step, steps)` as shown by the LiveCurves status line, or None."""
    # textContent, not innerText: a cell scrolled out of view is not laid out (content-visibility).
    texts = notebook.page.locator('.jp-OutputArea-output .widget-html-content').all_text_contents()
    for text in texts:
        match = STATUS_RE.search(text)
        if match:
            return int(match.group(1)), int(match.group(3)), int(match.group(4))
    return None


def live_status_after(notebook, epoch_step):
    """The status, when it shows a later `(epoch, step)` than `epoch_step`; else None."""
    status = live_status(notebook)
    return status if status is not None and status[:2] > tuple(epoch_step) else None


def bokeh_state(notebook):
    return notebook.page.evaluate(BOKEH_STATE_JS)


def scales_match(state, log_scale):
    """Whether exactly the figures of the chosen scale are shown."""
    if not state or not state['figures']:
        return False
    return all(figure['visible'] == (figure['log'] == log_scale) for figure in state['figures'])


# ---------------------------------------------------------------------------------------- the parts
def check_live_curves(context, lab, deadline, artifacts, timings):
    """Part 1: curves grow while `fit` runs; Stop ends training early. Returns the problems found
    that did not stop the check (the plot not rendering, the log-scale toggle not working)."""
    problems = []
    write_live_notebook(os.path.join(lab.root, LIVE_NOTEBOOK))
    notebook = Notebook(context, lab, deadline, LIVE_NOTEBOOK, artifacts)
    try:
        started = time.monotonic()
        notebook.open()
        timings['live: open notebook, kernel idle'] = time.monotonic() - started
        notebook.run_all_cells()

        page = notebook.page
        stop = page.locator('.jp-OutputArea-output button.widget-button').filter(
            has_text=re.compile(r'^\s*Stop\s*$')).first
        started = time.monotonic()
        notebook.wait_until('the LiveCurves widget (its Stop button)', lambda: stop.count() > 0, cap=90)
        stop.scroll_into_view_if_needed(timeout=deadline.ms(10))  # shows the whole widget: its plot renders
        first = notebook.wait_until('the LiveCurves status line to show a step',
                                    lambda: live_status_after(notebook, (1, 0)), cap=30)
        timings['live: run until the widget shows training'] = time.monotonic() - started
        bokeh_first = bokeh_state(notebook)

        # The epoch counter (and step) moves on while training runs ...
        second = notebook.wait_until('the LiveCurves status line to move on',
                                     lambda: live_status_after(notebook, first[:2]), cap=15)
        # ... and so do the plotted points, in BokehJS, in the page.
        if bokeh_first is None:
            problems.append('the live plot did not render: BokehJS is not loaded in the page (window.Bokeh '
                            'is undefined), so the jupyter_bokeh widget shows an error instead of the '
                            'curves. Console errors: %s' % (notebook.console_errors[-3:],))
        else:
            limit = time.monotonic() + deadline.seconds(10)
            bokeh_second = bokeh_state(notebook)
            while bokeh_second['points'] <= bokeh_first['points'] and time.monotonic() < limit:
                page.wait_for_timeout(250)
                bokeh_second = bokeh_state(notebook)
            if bokeh_second['points'] <= bokeh_first['points']:
                problems.append('the plotted points did not increase while training ran (%d, then %d)'
                                % (bokeh_first['points'], bokeh_second['points']))
            if not page.locator('.jp-OutputArea-output canvas').count():
                problems.append('the live plot has no canvas in the page')
        widget_errors = page.locator('.jp-OutputArea-output .jupyter-widgets-error-widget').count()
        if widget_errors:
            problems.append('%d widget(s) in the output show a JavaScript error' % widget_errors)

        # The log-scale toggle shows exactly the log (then again the linear) version of every panel.
        if bokeh_first is not None:
            toggle = page.locator('.jp-OutputArea-output .widget-toggle-button').filter(has_text='log scale').first
            if not scales_match(bokeh_state(notebook), log_scale=False):
                problems.append('before any click, the live plot does not show only the linear-scale panels: %s'
                                % bokeh_state(notebook)['figures'])
            for log_scale in (True, False):
                toggle.click(timeout=deadline.ms(10))
                limit = time.monotonic() + deadline.seconds(5)
                while not scales_match(bokeh_state(notebook), log_scale) and time.monotonic() < limit:
                    page.wait_for_timeout(200)
                if not scales_match(bokeh_state(notebook), log_scale):
                    problems.append('after a click on "log scale" (%s), the plot does not show only the %s '
                                    'panels: %s' % ('on' if log_scale else 'off', 'log' if log_scale else 'linear',
                                                    bokeh_state(notebook)['figures']))
                    break

        status = live_status(notebook)
        if status is None or not stop.count() or stop.is_disabled():
            notebook.fail('training ended (%s) before Stop could be clicked; the widget was seen at epoch %d '
                          'and %d' % (status, first[0], second[0]))
        clicked_at = status
        stop.click(timeout=deadline.ms(10))
        started = time.monotonic()
        # The cell after `fit` runs once training has ended, and prints how many epochs ran.
        report = page.locator('.jp-OutputArea-output').filter(has_text='EPOCHS_RUN=').first
        notebook.wait_until('the cell after fit to print EPOCHS_RUN (training did not stop?)',
                            lambda: report.count() > 0, cap=45)
        timings['live: Stop click to the next cell output'] = time.monotonic() - started
        text = report.text_content()
        match = re.search(r'EPOCHS_RUN=(\d+)/(\d+)', text)
        assert match, text
        ran, requested = int(match.group(1)), int(match.group(2))
        assert requested == EPOCHS, text
        if not ran < requested:
            notebook.fail('Stop was clicked at epoch %d of %d, but fit ran all %d epochs' % (
                clicked_at[0], EPOCHS, ran))
        # Stop takes effect after the batch running when the click arrives: within an epoch or two of it.
        assert clicked_at[0] <= ran <= clicked_at[0] + 2, (clicked_at, text)
        assert 'STOPPED_AT=None' not in text, 'LiveCurves did not record the Stop click: %s' % text
        # The widget stays after training, still interactive (its PNG fallback rides in the same display
        # bundle, for saved notebooks; JupyterLab shows the widget while the kernel lives).
        toggle = page.locator('.jp-OutputArea-output .widget-toggle-button').filter(has_text='log scale')
        if not toggle.count() or toggle.first.is_disabled():
            problems.append('after training, the live widget is gone or its log-scale toggle is disabled')
        elif bokeh_first is not None:
            toggle.first.click(timeout=deadline.ms(10))
            limit = time.monotonic() + deadline.seconds(5)
            while not scales_match(bokeh_state(notebook), True) and time.monotonic() < limit:
                page.wait_for_timeout(200)
            if not scales_match(bokeh_state(notebook), True):
                problems.append('after training, the log-scale toggle no longer switches the plots')
        timings['live: epochs run after Stop'] = '%d of %d (Stop clicked at epoch %d)' % (ran, EPOCHS, clicked_at[0])
        if problems:
            notebook.save_artifacts('problems')
    except Exception:
        notebook.save_artifacts('failure')
        raise
    finally:
        notebook.close()
        lab.shutdown_kernels()
    return problems


def check_model_builder(context, lab, deadline, artifacts, timings):
    """Part 2: in the builder notebook, add a Dense layer from the palette and see its shape."""
    clear_outputs(os.path.join(lab.root, BUILDER_NOTEBOOK))  # only what this run computes is on the page
    notebook = Notebook(context, lab, deadline, BUILDER_NOTEBOOK, artifacts)
    try:
        started = time.monotonic()
        notebook.open()
        timings['builder: open notebook, kernel idle'] = time.monotonic() - started
        notebook.run_all_cells()
        page = notebook.page
        started = time.monotonic()

        def all_cells_ran():
            prompts = page.locator('.jp-CodeCell .jp-InputArea-prompt').all_text_contents()
            return prompts and all(re.search(r'\[\d+\]', prompt) for prompt in prompts)
        notebook.wait_until('every cell of %s to run' % BUILDER_NOTEBOOK, all_cells_ran, cap=90, interval=0.5)
        timings['builder: run all cells'] = time.monotonic() - started

        # The first builder of the notebook: the first output holding a palette drop-down.
        builder = page.locator('.jp-OutputArea-output').filter(
            has=page.locator('.widget-dropdown').filter(has=page.locator('label', has_text='palette'))).first
        builder.wait_for(timeout=deadline.ms(20))
        group = builder.locator('.widget-dropdown').filter(has=page.locator('label', has_text='palette')).locator(
            'select').first
        palette_list = builder.locator('.widget-select select').filter(
            has=page.locator('option[value="Dense"]')).first
        # The layer list: its options read "name · class · shape · N params".
        layer_list = builder.locator('.widget-select select').filter(
            has=page.locator('option[value*=" \u00b7 "]')).first

        def layer_rows():
            return layer_list.locator('option').evaluate_all('options => options.map(o => o.value)')
        before = layer_rows()
        assert before, 'the builder shows no layers'
        last = before[-1]
        input_dim = int(re.search(r'\(None, (\d+)\)', last).group(1))
        started = time.monotonic()
        layer_list.select_option(value=last, timeout=deadline.ms(10))  # select the last layer ...
        group.select_option(value='core', timeout=deadline.ms(10))     # ... pick core > Dense ...
        palette_list.select_option(value='Dense', timeout=deadline.ms(10))
        builder.get_by_role('button', name='Add after', exact=True).click(timeout=deadline.ms(10))  # ... Add

        def new_rows():
            rows = layer_rows()
            added = [row for row in rows if row not in before]
            return added if len(rows) == len(before) + 1 and added else None
        added = notebook.wait_until('a new row in the layer list', new_rows, cap=20)
        timings['builder: click Add to new row'] = time.monotonic() - started
        row = added[0]
        units = 32  # what a Dense added from the palette gets (kernelkit.widgets.params.REQUIRED_DEFAULTS)
        expected = '\u00b7 Dense \u00b7 (None, %d) \u00b7 %d params' % (units, input_dim * units + units)
        assert expected in row, 'new row %r, expected it to contain %r; rows: %r' % (row, expected, layer_rows())
        assert layer_rows().index(row) == len(before), 'the new layer is not after the selected (last) one'
        name = row.split(' \u00b7 ')[0]
        # The summary table (the Summary tab, shown first) has the new layer with its output shape.
        table_row = builder.locator('table tr').filter(has=page.locator('td', has_text=re.compile(
            r'^\s*%s\s*$' % re.escape(name)))).first
        table_row.wait_for(timeout=deadline.ms(10))
        cells = [cell.strip() for cell in table_row.locator('td').all_text_contents()]
        assert cells[:4] == [name, 'Dense', '(None, %d)' % units, str(input_dim * units + units)], cells
        timings['builder: new layer'] = row
    except Exception:
        notebook.save_artifacts('failure')
        raise
    finally:
        notebook.close()
        lab.shutdown_kernels()


# ----------------------------------------------------------------------------------------------- test
def test_notebook_experience_in_jupyterlab():
    failures = []
    with BrowserSession(TIME_BUDGET) as session:
        # Both parts run, even when the first fails, so one run reports everything.
        for part in (check_live_curves, check_model_builder):
            try:
                problems = part(session.context, session.lab, session.deadline, session.artifacts, session.timings)
                failures.extend('%s: %s' % (part.__name__, problem) for problem in problems or ())
            except pytest.fail.Exception as error:  # its message has the details already
                failures.append('%s: %s' % (part.__name__, error))
            except Exception as error:  # an assertion, a Playwright TimeoutError, ...
                failures.append('%s: %s: %s\nJupyterLab log (last lines):\n%s' % (
                    part.__name__, type(error).__name__, error, session.lab.log_tail(15)))
    if failures:
        pytest.fail('\n\n'.join(failures), pytrace=False)
