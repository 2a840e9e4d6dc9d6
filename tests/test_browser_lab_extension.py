"""The kernelkit JupyterLab extension in a real browser (JupyterLab + the system Chromium, `browser_harness`).

Five parts share one server and one browser; each runs even when an earlier one failed:

1. A Keras 1 cell shows a migration card; **Apply fix** puts the Keras 2 call in the cell; running it again
   shows no card; undo brings the old text back.
2. **Migrate notebook** on a three-cell Keras 1 notebook gives cells that run with no warning.
3. On the builder canvas, dragging from one node's port to another adds an edge, the error mark goes, and
   `builder.code()` has the new connection.
4. **Insert code** in the builder creates a new cell below the builder's cell holding `builder.code()`.
5. While `fit` runs, the status bar shows epoch, step and loss; its Stop ends the fit early.

Skips only without Chromium (as the other browser test). Screenshots of every part go to pytest's temporary
folder for the test (or `$KERNELKIT_BROWSER_ARTIFACTS`); none is committed.
"""
import contextlib
import os
import re
import time

import nbformat
import pytest

from browser_harness import BrowserSession, Notebook

TIME_BUDGET = 300.
EXTENSION_MISSING = ('the kernelkit JupyterLab extension is not installed in this environment (make test installs '
                     'it: `jupyter labextension list` should show kernelkit-lab)')


def write_notebook(lab, name, cells):
    notebook = nbformat.v4.new_notebook()
    notebook.metadata['kernelspec'] = {'name': 'python3', 'display_name': 'Python 3 (ipykernel)',
                                       'language': 'python'}
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    nbformat.write(notebook, os.path.join(lab.root, name))


def cell_text(page, index):
    """The source of code cell `index` as the editor shows it."""
    return page.locator('.jp-Notebook .jp-Cell').nth(index).locator('.cm-content').evaluate(
        "node => node.cmView ? node.cmView.view.state.doc.toString() : "
        "Array.from(node.querySelectorAll('.cm-line')).map(l => l.textContent).join('\\n')")


def run_cell(notebook, index):
    """Selects cell `index` and runs it (Shift+Enter), then waits for the kernel to be idle again."""
    page = notebook.page
    cell = page.locator('.jp-Notebook .jp-Cell').nth(index)
    cell.locator('.jp-InputPrompt').click()
    page.keyboard.press('Escape')
    page.keyboard.press('Shift+Enter')
    busy = page.locator('.jp-Notebook-ExecutionIndicator[data-status="busy"]')
    notebook.wait_until('cell %d to run' % index, lambda: notebook.lab.kernel_state(notebook.name) == 'idle'
                        and not busy.count(), cap=60, interval=0.3)


@contextlib.contextmanager
def running_notebook(session, name, artifacts):
    """Opens notebook `name` in its own page and runs all its cells; closes the page and the kernels after."""
    notebook = Notebook(session.context, session.lab, session.deadline, name, artifacts)
    try:
        notebook.open()
        notebook.run_all_cells()
        yield notebook
    finally:
        notebook.save_artifacts('end')
        notebook.close()
        session.lab.shutdown_kernels()


def all_cells_ran(page):
    prompts = page.locator('.jp-CodeCell .jp-InputArea-prompt').all_text_contents()
    return bool(prompts) and all(re.search(r'\[\d+\]', prompt) for prompt in prompts)


def check_apply_fix(session, artifacts):
    name = 'kk_ext_apply_fix.ipynb'
    write_notebook(session.lab, name, ['import kernelkit\nfrom kernelkit.layers import Dense',
                                       "layer = Dense(output_dim=3, init='normal')\nprint(layer.units)"])
    with running_notebook(session, name, artifacts) as notebook:
        page = notebook.page
        card = page.locator('.jp-Cell').nth(1).locator('.kk-migration-card')
        notebook.wait_until('the migration card under cell 2', lambda: card.count() > 0, cap=60)
        original = cell_text(page, 1)
        card.locator('.kk-apply-fix').first.click()
        fixed = notebook.wait_until('Apply fix to change the cell', lambda: cell_text(page, 1) != original
                                    and cell_text(page, 1), cap=15)
        # The migrator rewrites the call as written (the user's quotes and variables stay).
        assert fixed.splitlines()[0] == "layer = Dense(units=3, kernel_initializer='normal')", fixed
        run_cell(notebook, 1)
        outputs = page.locator('.jp-Cell').nth(1).locator('.jp-OutputArea-output')
        notebook.wait_until('the re-run output', lambda: '3' in ''.join(outputs.all_text_contents()), cap=30)
        assert page.locator('.jp-Cell').nth(1).locator('.kk-migration-card').count() == 0
        notebook.save_artifacts('apply-fix')
        page.locator('.jp-Cell').nth(1).locator('.cm-content').click()
        page.keyboard.press('Control+z')
        notebook.wait_until('undo to restore the Keras 1 text', lambda: cell_text(page, 1) == original, cap=10)


def check_migrate_notebook(session, artifacts):
    name = 'kk_ext_migrate_notebook.ipynb'
    write_notebook(session.lab, name, [
        'import numpy as np\nfrom kernelkit.models import Sequential\nfrom kernelkit.layers import Dense',
        "model = Sequential()\nmodel.add(Dense(output_dim=4, input_dim=3, init='uniform'))\n"
        "model.add(Dense(output_dim=1))\nmodel.compile('sgd', 'mse')",
        'model.fit(np.ones((8, 3)), np.ones((8, 1)), nb_epoch=1, verbose=0)\nprint("FIT_DONE")'])
    with running_notebook(session, name, artifacts) as notebook:
        page = notebook.page
        notebook.wait_until('the cells to run', lambda: all_cells_ran(page), cap=60)
        button = page.locator('.kk-migrate-notebook')
        notebook.wait_until('a card with Migrate notebook', lambda: button.count() > 0, cap=30)
        button.first.click()
        accept = page.locator('.jp-Dialog .jp-mod-accept')
        accept.first.wait_for(timeout=session.deadline.ms(20))
        assert 'output_dim' in page.locator('.jp-Dialog').first.text_content()  # the diff is shown
        accept.first.click()
        notebook.wait_until('the cells to be rewritten', lambda: 'output_dim' not in cell_text(page, 1)
                            and 'nb_epoch' not in cell_text(page, 2), cap=20)
        page.locator('.jp-NotebookPanel').first.click()
        notebook.run_all_cells()
        done = page.locator('.jp-OutputArea-output').filter(has_text='FIT_DONE')

        def rerun_finished():
            return (done.count() > 0 and session.lab.kernel_state(name) == 'idle'
                    and page.locator('.jp-Cell').nth(2).locator('.kk-migration-card').count() == 0)
        notebook.wait_until('the migrated notebook to run', rerun_finished, cap=60)
        notebook.save_artifacts('migrate-notebook')
        assert page.locator('.kk-migration-card').count() == 0, 'a card after migration'
        stderr = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
        assert stderr.count() == 0, stderr.all_text_contents()


BUILDER_CELL = '\n'.join([
    'from kernelkit.widgets import ModelBuilder',
    'builder = ModelBuilder(input_shape=(8,))',
    "builder.add('Dense', units=16, activation='relu')",
    "builder.add('Dense', units=4)",
    "builder.add('Dense', units=4, inbound=['dense_1'])",
    "builder.add('Add', inbound=['dense_2'])",
    'builder',
])


def check_canvas_and_insert(session, artifacts):
    name = 'kk_ext_canvas.ipynb'
    write_notebook(session.lab, name, [BUILDER_CELL, 'print("CODE:" + builder.code())'])
    with running_notebook(session, name, artifacts) as notebook:
        page = notebook.page
        page.locator('.kk-node[data-name="add_1"]').wait_for(timeout=session.deadline.ms(60))
        assert page.locator('.kk-node-error[data-name="add_1"]').count() == 1  # Add with one input
        edges_before = page.locator('.kk-edge').count()
        port = page.locator('.kk-node[data-name="dense_3"] .kk-port-out')
        port.scroll_into_view_if_needed()
        start = port.bounding_box()
        target = page.locator('.kk-node[data-name="add_1"] .kk-node-box').bounding_box()
        page.mouse.move(start['x'] + start['width'] / 2, start['y'] + start['height'] / 2)
        page.mouse.down()
        page.mouse.move(target['x'] + target['width'] / 2, target['y'] + target['height'] / 2, steps=8)
        page.mouse.up()
        page.locator('.kk-edge[data-source="dense_3"][data-target="add_1"]').wait_for(
            timeout=session.deadline.ms(20))
        assert page.locator('.kk-edge').count() == edges_before + 1
        notebook.wait_until('the error mark to go', lambda: page.locator('.kk-node-error').count() == 0, cap=10)
        shapes = page.locator('.kk-edge-shape[data-source="dense_3"][data-target="add_1"]').all_text_contents()
        assert shapes == ['(None, 4)'], shapes
        notebook.save_artifacts('canvas')
        run_cell(notebook, 1)
        code = page.locator('.jp-Cell').nth(1).locator('.jp-OutputArea-output').filter(has_text='CODE:')
        notebook.wait_until('builder.code() output', lambda: code.count() > 0, cap=30)
        assert re.search(r'Add\(.*\)\(\[dense_2, dense_3\]\)', code.first.text_content()), code.first.text_content()

        # Insert code: a new cell right below the builder's cell, holding builder.code().
        cells_before = page.locator('.jp-Notebook .jp-Cell').count()
        builder_output = page.locator('.jp-Cell').nth(0)
        builder_output.locator('.lm-TabBar-tab').filter(has_text=re.compile(r'^\s*Code\s*$')).first.click()
        builder_output.get_by_role('button', name='Code to new cell').first.click()
        notebook.wait_until('a new cell', lambda: page.locator('.jp-Notebook .jp-Cell').count() == cells_before + 1,
                            cap=20)
        inserted = cell_text(page, 1)
        assert 'Add()' in inserted or 'Add(' in inserted, inserted
        assert 'dense_3' in inserted, inserted
        notebook.save_artifacts('insert-code')


TRAIN_CELL = '\n'.join([
    'import time, numpy as np, kernelkit as keras',
    'from kernelkit.callbacks import LambdaCallback',
    'model = keras.Sequential([keras.layers.Dense(8, activation="relu", input_shape=(4,)), keras.layers.Dense(1)])',
    'model.compile("adam", "mse")',
    'slow = LambdaCallback(on_batch_end=lambda batch, logs: time.sleep(0.05))',
    'history = model.fit(np.random.rand(160, 4), np.random.rand(160, 1), batch_size=16, epochs=60, verbose=0,',
    '                    callbacks=[slow])',
    'print("EPOCHS_RUN=%d" % len(history.epoch))',
])


def check_status_bar(session, artifacts):
    name = 'kk_ext_status.ipynb'
    write_notebook(session.lab, name, [TRAIN_CELL])
    with running_notebook(session, name, artifacts) as notebook:
        page = notebook.page
        status = page.locator('.kk-training-status')

        def progress():
            texts = status.all_text_contents()
            text = ' '.join(texts)
            return text if re.search(r'epoch \d+/60', text) and re.search(r'loss \d', text) else None
        shown = notebook.wait_until('training progress in the status bar', progress, cap=60)
        notebook.save_artifacts('status-bar')
        assert re.search(r'step \d+/10', shown), shown
        page.locator('.kk-training-stop').first.click()
        report = page.locator('.jp-OutputArea-output').filter(has_text='EPOCHS_RUN=')
        notebook.wait_until('fit to end after Stop', lambda: report.count() > 0, cap=45)
        ran = int(re.search(r'EPOCHS_RUN=(\d+)', report.first.text_content()).group(1))
        assert ran < 60, 'Stop did not end the fit early (%d epochs)' % ran


def extension_installed():
    import subprocess
    import sys
    listing = subprocess.run([sys.executable, '-m', 'jupyter', 'labextension', 'list'], capture_output=True,
                             text=True, timeout=120)
    text = listing.stdout + listing.stderr
    return 'kernelkit-lab' in text and 'enabled' in text.split('kernelkit-lab', 1)[1].splitlines()[0]


def test_lab_extension_in_a_real_browser(tmp_path):
    if not extension_installed():
        pytest.fail(EXTENSION_MISSING)
    artifacts = os.environ.get('KERNELKIT_BROWSER_ARTIFACTS') or str(tmp_path / 'screenshots')
    failures = []
    with BrowserSession(TIME_BUDGET, artifacts=artifacts) as session:
        for part in (check_apply_fix, check_migrate_notebook, check_canvas_and_insert, check_status_bar):
            started = time.monotonic()
            try:
                part(session, artifacts)
            except pytest.fail.Exception as error:
                failures.append('%s: %s' % (part.__name__, error))
            except Exception as error:
                failures.append('%s: %s: %s\nJupyterLab log (last lines):\n%s' % (
                    part.__name__, type(error).__name__, error, session.lab.log_tail(15)))
            session.timings[part.__name__] = time.monotonic() - started
    if failures:
        pytest.fail('\n\n'.join(failures), pytrace=False)
