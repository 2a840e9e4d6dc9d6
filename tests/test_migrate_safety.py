"""The migrator never corrupts a file (issue 15, item 5): `kernelkit migrate --inplace` writes through a
temporary file and a rename and keeps a `.bak` (unless `--no-backup`), keeps mode bits; a file it cannot read
or parse is reported as `file:line:col: ERROR: message` and left byte for byte as it was; notebooks keep
their ids, metadata, outputs, attachments, magics and JSON layout. Then a fixed-seed set of fuzz cases
(tests/fuzz_migrate.py; `make fuzz-migrate` runs 1,000+), and checks that the fuzzer's checker itself flags
corruption, crashes and modified files. nbformat (a dependency of the notebook extras) is the oracle for
notebook files."""
import ast
import json
import os
import stat
import sys

import nbformat
import pytest

from kernelkit.legacy import migrate_files
from kernelkit.cli import main
from kernelkit.legacy.migrate import MigrationError, _mask_magics, _unmask_magics, migrate_source
from kernelkit.legacy.migrate_files import migrate_notebook, write_atomic

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fuzz_migrate as F  # noqa: E402

KERAS1 = 'from keras.layers import Dense\nmodel.add(Dense(output_dim=3, init="normal"))  # layer\n'
KERAS2 = 'from keras.layers import Dense\nmodel.add(Dense(units=3, kernel_initializer="normal"))  # layer\n'
OLD_TIME = 1_000_000_000


def _write(path, data, mode=0o644):
    path.write_bytes(data)
    os.chmod(path, mode)
    os.utime(path, ns=(OLD_TIME * 10 ** 9, OLD_TIME * 10 ** 9))
    return path


def _untouched(path, data):
    return path.read_bytes() == data and path.stat().st_mtime_ns == OLD_TIME * 10 ** 9


# ------------------------------------------------------------------------------------------- --inplace
def test_inplace_keeps_a_backup_and_the_mode_bits_and_leaves_no_temporary_file(tmp_path, capsys):
    script = _write(tmp_path / 'train.py', KERAS1.encode(), mode=0o751)
    assert main(['migrate', '--inplace', '--quiet', str(script)]) == 0
    assert script.read_text() == KERAS2
    assert stat.S_IMODE(script.stat().st_mode) == 0o751
    backup = tmp_path / 'train.py.bak'
    assert _untouched(backup, KERAS1.encode()) and stat.S_IMODE(backup.stat().st_mode) == 0o751
    assert sorted(os.listdir(tmp_path)) == ['train.py', 'train.py.bak']
    _write(script, KERAS1.replace('3', '4').encode())          # a second run replaces the older backup
    assert main(['migrate', '--inplace', '--quiet', str(script)]) == 0
    assert backup.read_text() == KERAS1.replace('3', '4')
    assert capsys.readouterr() == ('', '')


def test_no_backup_and_its_misuse(tmp_path, capsys):
    script = _write(tmp_path / 'train.py', KERAS1.encode())
    assert main(['migrate', '--inplace', '--no-backup', '-q', str(script)]) == 0
    assert script.read_text() == KERAS2 and os.listdir(tmp_path) == ['train.py']
    with pytest.raises(SystemExit) as exit_info:
        main(['migrate', '--no-backup', str(script)])
    assert exit_info.value.code == 2 and '--no-backup goes with --inplace' in capsys.readouterr().err


def test_a_symbolic_link_stays_a_link_to_the_migrated_file(tmp_path):
    real = _write(tmp_path / 'real.py', KERAS1.encode())
    link = tmp_path / 'link.py'
    link.symlink_to(real)
    assert main(['migrate', '--inplace', '-q', str(link)]) == 0
    assert link.is_symlink() and real.read_text() == KERAS2 and (tmp_path / 'real.py.bak').read_text() == KERAS1


def test_unparsable_and_undecodable_files_are_reported_with_their_position_and_left_alone(tmp_path, capsys):
    good = _write(tmp_path / 'a_good.py', KERAS1.encode())
    cases = {
        'broken.py': (b'x = 1\ndef f(:\n    pass\n', '2:7: ERROR: cannot parse the file: invalid syntax'),
        'python2.py': (b'print "hello"\n', '1:1: ERROR: cannot parse the file: Missing parentheses'),
        'latin.py': (b'x = 1\ny = "caf\xe9"\n', '2:9: ERROR: cannot read the file: it is not valid utf-8'),
        'cookie.py': (b'# coding: no-such-codec\nx = 1\n', '1:1: ERROR: cannot read the file: unknown encoding'),
        'nul.py': (b'x = 1\n\x00\n', '2:1: ERROR: cannot parse the file'),
        'bad.ipynb': (b'{"cells": [\n  {"cell_type": "code",,}]}\n', '2:24: ERROR: cannot parse the notebook: '
                                                                         'invalid JSON'),
        'latin.ipynb': (b'{"cells": [], "x": "\xe9"}', '1:21: ERROR: cannot read the notebook: it is not valid '
                                                         'UTF-8'),
        'list.ipynb': (b'[1, 2]', '1:1: ERROR: not a Jupyter notebook: the JSON holds a list'),
        'v3.ipynb': (b'{"worksheets": [], "nbformat": 3}', '1:1: ERROR: not a Jupyter notebook (nbformat 4): '
                                                           'it is nbformat 3'),
    }
    for name, (data, _) in cases.items():
        _write(tmp_path / name, data)
    assert main(['migrate', '--inplace', '-q', str(tmp_path)]) == 1
    err = capsys.readouterr().err
    for name, (data, expected) in cases.items():
        assert '%s:%s' % (tmp_path / name, expected) in err, (name, err)
        assert _untouched(tmp_path / name, data), name
    assert good.read_text() == KERAS2                                  # the other file is still migrated
    assert sorted(os.listdir(tmp_path)) == sorted(list(cases) + ['a_good.py', 'a_good.py.bak'])


def test_encodings_bom_and_line_endings_are_kept(tmp_path):
    files = {
        'bom.py': (b'\xef\xbb\xbf' + KERAS1.encode(), b'\xef\xbb\xbf' + KERAS2.encode()),
        'crlf.py': (KERAS1.replace('\n', '\r\n').encode(), KERAS2.replace('\n', '\r\n').encode()),
        'tabs.py': (b'if True:\n\tDense(output_dim=1)\n', b'if True:\n\tDense(units=1)\n'),
        'latin1.py': (b'# -*- coding: latin-1 -*-\nDense(output_dim=1, name="caf\xe9")\n',
                      b'# -*- coding: latin-1 -*-\nDense(units=1, name="caf\xe9")\n'),
    }
    for name, (old, _) in files.items():
        _write(tmp_path / name, old)
    assert main(['migrate', '--inplace', '--no-backup', '-q', str(tmp_path)]) == 0
    for name, (_, new) in files.items():
        assert (tmp_path / name).read_bytes() == new, name


def test_migrate_source_keeps_a_bom_and_names_the_syntax_error_position():
    assert migrate_source('\ufeffDense(output_dim=2)\n')[0] == '\ufeffDense(units=2)\n'
    with pytest.raises(SyntaxError) as info:
        migrate_source('a = 1\nb = (\n', 'f.py')
    assert (info.value.filename, info.value.lineno) == ('f.py', 2) and info.value.offset >= 1
    with pytest.raises(SyntaxError, match='nested too deeply'):
        migrate_source('y = ' + ' + '.join(['a'] * 5000) + '\n')


def test_a_failed_or_interrupted_write_leaves_the_file_and_no_temporary_file(tmp_path, monkeypatch, capsys):
    script = _write(tmp_path / 'train.py', KERAS1.encode())

    def refuse(source, target):
        raise OSError(28, 'No space left on device')

    monkeypatch.setattr(migrate_files.os, 'replace', refuse)
    assert main(['migrate', '--inplace', '--no-backup', '-q', str(script)]) == 1
    assert '%s:0:0: ERROR: cannot write the file: [Errno 28] No space left on device' % script in \
        capsys.readouterr().err

    def interrupt(source, target):
        raise KeyboardInterrupt

    monkeypatch.setattr(migrate_files.os, 'replace', interrupt)
    with pytest.raises(KeyboardInterrupt):
        main(['migrate', '--inplace', '--no-backup', '-q', str(script)])
    assert _untouched(script, KERAS1.encode()) and os.listdir(tmp_path) == ['train.py']


def test_a_file_changed_while_it_was_migrated_is_not_overwritten(tmp_path):
    script = _write(tmp_path / 'train.py', KERAS1.encode())
    status = os.stat(script)
    _write(script, b'# edited meanwhile\n' + KERAS1.encode())
    os.utime(script, ns=(status.st_mtime_ns + 10 ** 9,) * 2)
    with pytest.raises(MigrationError, match='changed while it was migrated'):
        write_atomic(str(script), KERAS2.encode(), status=status)
    assert script.read_bytes() == b'# edited meanwhile\n' + KERAS1.encode() and os.listdir(tmp_path) == ['train.py']


# --------------------------------------------------------------------------------------------- notebooks
def _notebook():
    """A notebook as nbformat writes it (sources as lists of lines)."""
    cells = [
        nbformat.v4.new_code_cell('%matplotlib inline\nfrom keras.layers import Dense, merge\n', id='first',
                                  metadata={'tags': ['setup']}),
        nbformat.v4.new_markdown_cell('Keras 1: `merge(mode="sum")` — é', id='text',
                                      attachments={'a.png': {'image/png': 'iVBORw0KGgo='}}),
        nbformat.v4.new_code_cell('!ls\ny = merge([a, b], mode="sum")\nfiles = !ls\nDense?\n', id='second',
                                  execution_count=3, outputs=[nbformat.v4.new_output(
                                      'stream', name='stdout', text='done\n')]),
        nbformat.v4.new_code_cell('%%time\nmerge([a, b], mode="sum")\n', id='magic'),
        nbformat.v4.new_code_cell('x = 1\n', id='plain', execution_count=1),
    ]
    notebook = nbformat.v4.new_notebook(cells=cells, metadata={'kernelspec': {'name': 'python3',
                                                                              'display_name': 'Python 3'}})
    return json.loads(nbformat.writes(notebook))


EXPECTED_SOURCES = {0: ['%matplotlib inline\n', 'from keras.layers import Dense, add\n'],
                    2: ['!ls\n', 'y = add([a, b])\n', 'files = !ls\n', 'Dense?\n']}


@pytest.mark.parametrize('layout', sorted(F.LAYOUTS))
def test_notebooks_keep_everything_but_the_code_of_changed_cells_and_their_layout(tmp_path, layout):
    notebook = _notebook()
    text = F.LAYOUTS[layout](notebook)
    if layout == 'nbformat':
        assert text == nbformat.writes(nbformat.from_dict(notebook)) + '\n'   # what nbformat.write puts in a file
    path = _write(tmp_path / 'nb.ipynb', text.encode('utf-8'))
    assert main(['migrate', '--inplace', '-q', str(path)]) == 0
    expected = json.loads(json.dumps(notebook))
    for index, source in EXPECTED_SOURCES.items():
        expected['cells'][index]['source'] = source
    assert path.read_bytes() == F.LAYOUTS[layout](expected).encode('utf-8')
    assert json.loads(path.read_text(encoding='utf-8')) == expected
    nbformat.validate(nbformat.reads(path.read_text(encoding='utf-8'), as_version=4))  # still valid nbformat
    assert (tmp_path / 'nb.ipynb.bak').read_bytes() == text.encode('utf-8')


def test_a_notebook_in_an_unreproducible_layout_is_written_in_its_indent_with_a_warning():
    text = json.dumps(_notebook(), indent=2).replace('"nbformat_minor": 5', '"nbformat_minor": 5e0')
    new_text, report, changed = migrate_notebook(text, 'nb.ipynb')
    assert len(changed) == 2 and json.loads(new_text)['nbformat_minor'] == 5
    assert new_text.split('\n')[1].startswith('  "')
    assert any(loc == 'nb.ipynb' and 'could not be reproduced byte for byte' in n.message for loc, n in report)


def test_an_unparsable_or_malformed_cell_is_reported_at_its_position_and_the_rest_migrated(tmp_path, capsys):
    notebook = _notebook()
    notebook['cells'].insert(1, nbformat.v4.new_code_cell('x = 1\ndef f(:\n', id='broken'))
    notebook['cells'].append({'cell_type': 'code', 'id': 'bad', 'metadata': {}, 'outputs': [], 'source': 7})
    notebook['cells'].append('not a cell')
    text = json.dumps(notebook, indent=1, ensure_ascii=False) + '\n'
    path = _write(tmp_path / 'nb.ipynb', text.encode('utf-8'))
    assert main(['migrate', '--inplace', '-q', str(path)]) == 1
    err = capsys.readouterr().err
    assert '%s#cell2:2:7: ERROR: cannot parse this cell: invalid syntax; the cell is left as it is' % path in err
    assert '%s#cell7:0:0: ERROR: "source" is not a string or a list of strings' % path in err
    assert '%s#cell8:0:0: ERROR: not a notebook cell (a str)' % path in err
    cells = json.loads(path.read_text(encoding='utf-8'))['cells']
    assert cells[1] == notebook['cells'][1] and cells[6:] == notebook['cells'][6:]
    assert cells[0]['source'] == EXPECTED_SOURCES[0]


def test_magic_masking_leaves_python_alone_and_refuses_to_lose_a_line():
    code = 'x = (a\n     % b)\n'
    assert _mask_magics(code) == (code, [])                  # a `%` continuing an expression is Python
    masked, magics = _mask_magics('!ls\nx = 1\n')
    assert masked.startswith('pass  # kernelkit-migrate: IPython magic') and _unmask_magics(masked, magics) == \
        '!ls\nx = 1\n'
    with pytest.raises(ValueError, match='would lose the IPython line'):
        _unmask_magics('x = 1\n', magics)


# ------------------------------------------------------------------------------------------------- fuzzing
FUZZ_CASES = 300


@pytest.fixture(scope='module')
def fuzz_run():
    cases, results = F.run_cases(count=FUZZ_CASES, seed=2024, huge_lines=60)
    return cases, results, F.summarize(results)


def test_every_fixed_seed_fuzz_case_follows_the_rule(fuzz_run):
    _, results, table = fuzz_run
    bad = ['case %(id)d %(kind)s %(mutations)s: %(outcome)s: %(detail)s' % r for r in results
           if r['outcome'] in F.BAD_OUTCOMES]
    assert not bad, '\n'.join(bad)
    assert table['total']['cases'] == FUZZ_CASES
    for kind in ('py', 'ipynb'):       # each kind was migrated, left unchanged and refused
        assert table[kind]['cases'] == FUZZ_CASES // 2
        assert min(table[kind][o] for o in ('migrated', 'unchanged', 'reported')) > 0, (kind, table[kind])
    assert table['ipynb']['skipped_cells'] > 0


def test_the_fuzz_cases_cover_every_mutation(fuzz_run):
    cases, _, _ = fuzz_run
    seen = {m for case in cases for m in case['mutations']}
    expected = set(F.TEXT_MUTATIONS + F.BYTE_MUTATIONS + F.STRUCTURE_MUTATIONS) | {
        'layout_' + name for name in F.LAYOUTS}
    assert expected <= seen, sorted(expected - seen)


def test_the_checker_flags_corrupted_outputs():
    assert F.check_python(b'\xef\xbb\xbfx = 1\n', b'x = 1\n') == ['the byte order mark changed',
                                                                  'the encoding changed: utf-8-sig -> utf-8']
    assert F.check_python(b'x = 1\n', b'x = (\n') == ['the input parsed and the output does not']
    assert F.check_python(b'x = 1\r\ny = 2\r\n', b'x = 1\r\ny = 2\n') == ["line endings ['crlf'] became "
                                                                          "['crlf', 'lf']"]
    old = _notebook()
    text = F.LAYOUTS['nbformat'](old).encode()
    for edit, message in [
            (lambda nb: nb['cells'][2].update(outputs=[]), 'cell 2 changed beyond its source'),
            (lambda nb: nb['cells'].pop(), 'the number of cells changed'),
            (lambda nb: nb['cells'][2].update(source=['y = 1\n']), 'cell 2 lost or changed IPython lines'),
            (lambda nb: nb['cells'][3].update(source=['%%time\n', 'add([a, b])\n']), 'cell 3 runs a cell magic'),
            (lambda nb: nb['cells'][4].update(source='x = 2\n'), 'cell 4: the type of its source changed'),
            (lambda nb: nb['metadata'].clear(), '"metadata" changed')]:
        new = json.loads(json.dumps(old))
        edit(new)
        assert any(message in p for p in F.check_notebook(text, F.LAYOUTS['nbformat'](new).encode())), message
    assert 'layout' in F.check_notebook(text, F.LAYOUTS['compact'](old).encode())[0]
    assert F.check_notebook(text, text[:-5])[0].startswith('the output is not UTF-8 JSON')


def test_the_runner_counts_crashes_modified_files_and_leftovers(tmp_path, monkeypatch):
    case = F.generate_cases(1, seed=3)[0]
    case.update(kind='py', data=KERAS1.encode(), backup=True, mode=0o644)
    assert F.run_case(case, str(tmp_path))['outcome'] == 'migrated'

    def crash(data, path):
        raise IndexError('list index out of range')

    def modify_then_report(data, path):
        with open(path, 'ab') as handle:
            handle.write(b'# half written\n')
        raise MigrationError(path, 1, 1, 'cannot parse the file: invalid syntax')

    def corrupt(data, path):
        return data + b'def (\n', [], ''

    for fake, outcome, detail in [(crash, 'crash', 'IndexError'),
                                  (modify_then_report, 'corrupted', 'a reported file was modified'),
                                  (corrupt, 'corrupted', 'the input parsed and the output does not')]:
        monkeypatch.setattr(migrate_files, 'migrate_bytes', fake)
        result = F.run_case(case, str(tmp_path))
        assert result['outcome'] == outcome and detail in result['detail'], result


@pytest.mark.parametrize('odd', F.ODD_CALLS, ids=[o[:40] for o in F.ODD_CALLS])
def test_every_unusual_keras1_call_is_migrated_or_reported(odd):
    code = F.SNIPPETS[1] + odd + '\n'     # `merge()` with no inputs used to raise a KeyError
    try:
        new_code, notes = migrate_source(code)
    except (SyntaxError, MigrationError):
        return
    ast.parse(new_code)                     # the input parsed, so the output must
    assert all(n.level in ('INFO', 'WARNING', 'ERROR') and n.line >= 1 for n in notes), notes
