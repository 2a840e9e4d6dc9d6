"""The kernelkit-lab extension in Notebook 7 (`jupyter notebook`), in a real browser (`browser_harness`).

Notebook 7 provides fewer tokens than JupyterLab (no `ILabShell`; the status bar may be missing), so the
extension takes those as optional. This test starts Notebook 7 on 127.0.0.1 with a token, opens a notebook with
a Keras 1 cell in Notebook 7's own notebook page and checks:

1. every kernelkit-lab plugin is activated (read from `window.jupyterapp`, which the harness exposes);
2. running the Keras 1 cell shows the migration card, and **Apply fix** turns the cell's text into the Keras 2
   call;
3. the "Keras 2" cell toolbar button migrates a cell that was never run (no card needed);
4. the browser console shows no error (logged or uncaught) that comes from kernelkit-lab.

Skips only without Chromium (as the other browser tests). Screenshots go to pytest's temporary folder for the
test (or `$KERNELKIT_BROWSER_ARTIFACTS`); none is committed.
"""
import os

import nbformat
import pytest

from browser_harness import BrowserSession, Notebook7Page

TIME_BUDGET = 90.
PLUGINS = ['kernelkit-lab:plugin', 'kernelkit-lab:migration-card', 'kernelkit-lab:training-status',
           'kernelkit-lab:insert-code']
EXTENSION_MISSING = ('the kernelkit-lab extension is not loaded in Notebook 7 (make test installs it: '
                     '`jupyter labextension list` should show kernelkit-lab); plugins found: %s')
NAME = 'kk_notebook7.ipynb'
CELLS = ['import kernelkit\nfrom kernelkit.layers import Dense',
         "layer = Dense(output_dim=3, init='normal')\nprint(layer.units)",
         'other = Dense(output_dim=2)']


def write_notebook(lab):
    notebook = nbformat.v4.new_notebook()
    notebook.metadata['kernelspec'] = {'name': 'python3', 'display_name': 'Python 3 (ipykernel)',
                                       'language': 'python'}
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    nbformat.write(notebook, os.path.join(lab.root, NAME))


def cell(page, index):
    return page.locator('.jp-Notebook .jp-Cell').nth(index)


def cell_text(page, index):
    """The source of cell `index` as its editor shows it."""
    return cell(page, index).locator('.cm-content').evaluate(
        "node => node.cmView ? node.cmView.view.state.doc.toString() : "
        "Array.from(node.querySelectorAll('.cm-line')).map(l => l.textContent).join('\\n')")


def run_cell(notebook, index):
    """Selects cell `index` and runs it (Shift+Enter); waits for its output prompt to show a number."""
    page = notebook.page
    cell(page, index).locator('.jp-InputPrompt').click()
    page.keyboard.press('Escape')
    page.keyboard.press('Shift+Enter')
    prompt = cell(page, index).locator('.jp-InputArea-prompt')
    notebook.wait_until('cell %d to run' % index, lambda: any(ch.isdigit() for ch in prompt.text_content() or '')
                        and notebook.lab.kernel_state(notebook.name) == 'idle', cap=60, interval=0.25)


def activated_plugins(page):
    return page.evaluate(
        "ids => { const app = window.jupyterapp; if (!app) { return null; } "
        "return ids.filter(id => app.hasPlugin(id) && app.isPluginActivated(id)); }", PLUGINS)


def check_plugins(notebook):
    found = notebook.wait_until('window.jupyterapp to list the kernelkit-lab plugins',
                                lambda: activated_plugins(notebook.page) == PLUGINS and PLUGINS, cap=20)
    assert found == PLUGINS


def check_apply_fix(notebook):
    page = notebook.page
    run_cell(notebook, 0)
    run_cell(notebook, 1)
    card = cell(page, 1).locator('.kk-migration-card')
    notebook.wait_until('the migration card under cell 2', lambda: card.count() > 0, cap=30)
    assert 'units=3' in card.first.text_content()  # the card shows the Keras 2 call
    original = cell_text(page, 1)
    card.locator('.kk-apply-fix').first.click()
    fixed = notebook.wait_until('Apply fix to change the cell',
                                lambda: cell_text(page, 1) != original and cell_text(page, 1), cap=15)
    assert fixed == "layer = Dense(units=3, kernel_initializer='normal')\nprint(layer.units)", fixed
    notebook.save_artifacts('apply-fix')


def check_toolbar_button(notebook):
    page = notebook.page
    target = cell(page, 2)
    target.locator('.jp-InputPrompt').click()
    button = target.locator('.jp-cell-toolbar [data-command="kernelkit:migrate-cell"]')
    button.first.wait_for(timeout=notebook.deadline.ms(15))
    button.first.click()
    notebook.wait_until('the Keras 2 button to migrate cell 3', lambda: cell_text(page, 2) == 'other = Dense(units=2)',
                        cap=15)
    notebook.save_artifacts('toolbar-button')


def test_extension_in_notebook7(tmp_path):
    artifacts = os.environ.get('KERNELKIT_BROWSER_ARTIFACTS') or str(tmp_path / 'screenshots')
    with BrowserSession(TIME_BUDGET, artifacts=artifacts, app='notebook') as session:
        write_notebook(session.lab)
        notebook = Notebook7Page(session.context, session.lab, session.deadline, NAME, artifacts)
        try:
            notebook.open()
            plugins = activated_plugins(notebook.page)
            if not plugins:
                pytest.fail(EXTENSION_MISSING % plugins, pytrace=False)
            session.timings['open the notebook'] = session.deadline.elapsed()
            for part in (check_plugins, check_apply_fix, check_toolbar_button):
                started = session.deadline.elapsed()
                part(notebook)
                session.timings[part.__name__] = session.deadline.elapsed() - started
            ours = notebook.errors_mentioning('kernelkit')
            assert not ours, 'browser console errors from kernelkit-lab:\n%s' % '\n'.join(
                '%(text)s (%(url)s)\n%(stack)s' % error for error in ours)
        finally:
            notebook.save_artifacts('end')
            notebook.close()
