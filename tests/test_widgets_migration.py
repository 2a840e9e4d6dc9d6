"""Keras 1 migration in notebooks: warning cards, their de-duplication, and the %%keras2 / %keras2_cell /
%migrate_notebook magics.

The cards are driven by the real `kernelkit.legacy.KerasMigrationWarning`, raised by a real Keras 1 call
(`Dense(output_dim=...)`) in an IPython shell. The magics use a stand-in for `migrate_source` (a plain
string rewrite defined below), so these tests check the notebook plumbing, not the migrator.
"""
import json
import warnings

import pytest
from IPython.core.interactiveshell import InteractiveShell

import kernelkit.widgets
from kernelkit.legacy import KerasMigrationWarning
from kernelkit.widgets import _env, migration
from kernelkit.widgets.migration import MIGRATION_MIME_TYPE

KERAS1_CELL = "from kernelkit.layers import Dense\nlayer = Dense(output_dim=10, input_dim=3)\n"


def stand_in_migrate_source(code, filename='<string>'):
    """Rewrites the two Keras 1 spellings these tests use; reports one line per change."""
    report = []
    for old, new in (('output_dim=', 'units='), ('nb_epoch=', 'epochs=')):
        for number, line in enumerate(code.split('\n'), 1):
            if old in line:
                report.append('line %d: %s -> %s' % (number, old[:-1], new[:-1]))
        code = code.replace(old, new)
    return code, report


@pytest.fixture
def shell(monkeypatch):
    """A fresh IPython shell with the extension loaded; cards are recorded in `shell.cards`."""
    monkeypatch.setattr(migration, '_display_hook', None)
    monkeypatch.setattr(migration, '_migrate_source', stand_in_migrate_source)
    InteractiveShell.clear_instance()
    ipython = InteractiveShell.instance()
    ipython.cards = []
    ipython.next_inputs = []
    migration.get_display().publish = ipython.cards.append
    ipython.set_next_input = lambda text, replace=False: ipython.next_inputs.append((text, replace))
    kernelkit.widgets.load_ipython_extension(ipython)
    yield ipython
    kernelkit.widgets.unload_ipython_extension(ipython)
    InteractiveShell.clear_instance()


def test_a_keras1_call_shows_one_card_with_the_structured_bundle(shell):
    result = shell.run_cell(KERAS1_CELL)
    assert result.success
    assert len(shell.cards) == 1
    bundle = shell.cards[0]
    assert set(bundle) == {'text/plain', 'text/html', MIGRATION_MIME_TYPE}
    record = bundle[MIGRATION_MIME_TYPE]
    assert record['old_call'] == 'Dense(output_dim=10, input_dim=3)'  # as written on the user's line
    assert record['new_call'].startswith('Dense(') and 'units=10' in record['new_call']
    assert record['lineno'] == 2 and record['source_line'] == 'layer = Dense(output_dim=10, input_dim=3)'
    assert record['category'] == 'KerasMigrationWarning' and record['why']
    json.dumps(record)  # the MIME payload is plain JSON
    assert '<mark' in bundle['text/html'] and 'Dense(output_dim=10, input_dim=3)' in bundle['text/html']
    assert 'units=10' in bundle['text/html'] and '%%keras2' in bundle['text/html']
    assert bundle['text/plain'].startswith('line 2: Keras 1 call Dense(output_dim=10, input_dim=3) -> Keras 2:')
    assert shell.user_ns['layer'].units == 10  # the call itself still works


def test_cards_are_shown_once_per_cell_and_call_site(shell, monkeypatch):
    cell_id = ['cell-a']
    monkeypatch.setattr(migration, '_current_cell_id', lambda: cell_id[0])
    shell.run_cell(KERAS1_CELL)
    shell.run_cell(KERAS1_CELL)  # the same cell again: nothing new
    assert len(shell.cards) == 1
    shell.run_cell(KERAS1_CELL + "other = Dense(output_dim=4, input_dim=2)\n")  # a new call site in it
    assert len(shell.cards) == 2 and shell.cards[1][MIGRATION_MIME_TYPE]['lineno'] == 3
    shell.run_cell("\n\n" + KERAS1_CELL)  # lines moved: the same call sites, still no repeat
    assert len(shell.cards) == 2
    cell_id[0] = 'cell-b'  # the same code in another cell gets its own card
    shell.run_cell(KERAS1_CELL)
    assert len(shell.cards) == 3 and shell.cards[2][MIGRATION_MIME_TYPE]['cell_id'] == 'cell-b'


def test_other_warnings_keep_their_usual_display(shell):
    seen = []
    display = migration.get_display()
    display.showwarning_fallback = lambda *args: seen.append(args)
    shell.run_cell("import warnings\nwarnings.warn('plain user warning')")
    assert len(seen) == 1 and str(seen[0][0]) == 'plain user warning'
    assert shell.cards == []


def test_plain_text_outside_notebooks_and_display_bundle_in_a_kernel(shell, monkeypatch, capsys):
    display = migration.get_display()
    display.publish = None  # the default publisher: this shell is not a Jupyter kernel
    shell.run_cell(KERAS1_CELL)
    err = capsys.readouterr().err
    assert err.count('KerasMigrationWarning: line 2: Keras 1 call Dense(output_dim=10, input_dim=3)') == 1
    published = []
    monkeypatch.setattr(_env, 'in_jupyter_kernel', lambda: True)
    monkeypatch.setattr(shell.display_pub, 'publish', lambda data, **kwargs: published.append(data))
    shell.run_cell(KERAS1_CELL.replace('output_dim=10', 'output_dim=11'))
    assert len(published) == 1 and MIGRATION_MIME_TYPE in published[0] and 'text/html' in published[0]


def test_notices_without_a_replacement_show_their_message(shell):
    warning = KerasMigrationWarning('`Merge` is deprecated; use the functional merge layers.',
                                    old_call='Merge([a, b])', new_call=None, filename='<cell>', lineno=4)
    migration.show_migration_warning(warning)
    record = shell.cards[0][MIGRATION_MIME_TYPE]
    assert record['new_call'] is None
    assert shell.cards[0]['text/plain'] == 'line 4: `Merge` is deprecated; use the functional merge layers.'
    assert 'functional merge layers' in shell.cards[0]['text/html']


def test_keras2_cell_magic_rewrites_the_cell_in_place_and_runs_it(shell):
    result = shell.run_cell("%%keras2\nfrom kernelkit.layers import Dense\nd = Dense(output_dim=6, input_dim=2)\n")
    assert result.success
    assert shell.next_inputs == [("from kernelkit.layers import Dense\nd = Dense(units=6, input_dim=2)", True)]
    assert shell.user_ns['d'].units == 6
    assert shell.cards == []  # the migrated code raises no migration warning
    shell.run_cell("%%keras2 --no-run\ne = Dense(output_dim=7, input_dim=2)\n")
    assert 'e' not in shell.user_ns and shell.next_inputs[-1] == ('e = Dense(units=7, input_dim=2)', True)


def test_keras2_cell_line_magic_fixes_the_last_warned_cell_or_a_numbered_one(shell):
    shell.run_cell(KERAS1_CELL, store_history=True)
    shell.run_cell("x = 1", store_history=True)
    shell.run_cell("%keras2_cell")
    assert shell.next_inputs[-1] == ("from kernelkit.layers import Dense\nlayer = Dense(units=10, input_dim=3)",
                                     True)
    shell.run_cell("%keras2_cell 1")
    assert shell.next_inputs[-1][0].endswith('Dense(units=10, input_dim=3)')
    result = shell.run_cell("%keras2_cell 99")
    assert not result.success and 'no input cell number 99' in str(result.error_in_exec)


def test_migrate_notebook_rewrites_code_cells_and_keeps_the_rest(shell, tmp_path, capsys):
    notebook = {
        'nbformat': 4, 'nbformat_minor': 5, 'metadata': {'kernelspec': {'name': 'python3'}},
        'cells': [
            {'cell_type': 'markdown', 'id': 'md', 'metadata': {}, 'source': ['Uses output_dim= in prose']},
            {'cell_type': 'code', 'id': 'c1', 'metadata': {'tags': ['keep']}, 'execution_count': 3,
             'outputs': [{'output_type': 'stream', 'name': 'stdout', 'text': ['old\n']}],
             'source': ['%matplotlib inline\n', 'model.add(Dense(output_dim=10))\n', '!ls output_dim=1\n',
                        'model.fit(x, y, nb_epoch=2)']},
            {'cell_type': 'code', 'id': 'c2', 'metadata': {}, 'execution_count': 4, 'outputs': [],
             'source': 'print(1)'},
            {'cell_type': 'code', 'id': 'c3', 'metadata': {}, 'execution_count': None, 'outputs': [],
             'source': ['%%bash\n', 'echo output_dim=3']},
        ]}
    path = tmp_path / 'old.ipynb'
    path.write_text(json.dumps(notebook))
    result = migration.migrate_notebook(str(path))
    assert result.output == str(tmp_path / 'old_keras2.ipynb') and result.changed == 1
    assert result.cells == [(1, ['line 2: output_dim -> units', 'line 4: nb_epoch -> epochs'])]
    new = json.loads((tmp_path / 'old_keras2.ipynb').read_text())
    cell = new['cells'][1]
    assert ''.join(cell['source']) == ('%matplotlib inline\nmodel.add(Dense(units=10))\n!ls output_dim=1\n'
                                       'model.fit(x, y, epochs=2)')
    assert cell['outputs'] == [] and cell['execution_count'] is None and cell['metadata'] == {'tags': ['keep']}
    assert new['cells'][0] == notebook['cells'][0] and new['cells'][2] == notebook['cells'][2]
    assert new['cells'][3] == notebook['cells'][3]  # cell magics are not Python
    assert json.loads(path.read_text()) == notebook  # the original is untouched
    shell.run_cell('%%migrate_notebook %s --inplace' % path)
    assert 'old.ipynb -> %s: 1 cell(s) migrated' % path in capsys.readouterr().out
    assert 'units=10' in ''.join(json.loads(path.read_text())['cells'][1]['source'])
    assert json.loads((tmp_path / 'old.ipynb.bak').read_text()) == notebook  # --inplace keeps the original
    assert sorted(p.name for p in tmp_path.iterdir()) == ['old.ipynb', 'old.ipynb.bak', 'old_keras2.ipynb']


def test_unload_restores_warnings_display(shell):
    display = migration.get_display()
    assert warnings.showwarning == display.showwarning
    kernelkit.widgets.unload_ipython_extension(shell)
    assert warnings.showwarning != display.showwarning
    with pytest.warns(KerasMigrationWarning, match='Update your `Dense` call'):  # a plain warning again
        shell.run_cell(KERAS1_CELL)
    assert shell.cards == []


def test_keras2_magic_with_the_real_migrator(monkeypatch):
    """The one test that goes through `kernelkit.legacy.migrate_source` itself (the interface, not its rules)."""
    monkeypatch.setattr(migration, '_display_hook', None)
    InteractiveShell.clear_instance()
    ipython = InteractiveShell.instance()
    next_inputs = []
    ipython.set_next_input = lambda text, replace=False: next_inputs.append((text, replace))
    kernelkit.widgets.load_ipython_extension(ipython)
    try:
        result = ipython.run_cell("%%keras2\nfrom kernelkit.layers import Dense\n"
                                  "d = Dense(output_dim=5, input_dim=2)\n")
        assert result.success and ipython.user_ns['d'].units == 5
        (text, replace), = next_inputs
        assert replace and 'output_dim' not in text and 'units=5' in text
    finally:
        kernelkit.widgets.unload_ipython_extension(ipython)
        InteractiveShell.clear_instance()
