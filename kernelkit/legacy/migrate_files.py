"""The files of `kernelkit migrate`: how they are read, checked and written, so that the migrator never
corrupts one.

- Python files are read as bytes and decoded as Python does (PEP 263 coding cookie, UTF-8 byte order mark);
  the rewritten code is encoded back the same way, line endings (LF, CRLF, CR) and tabs untouched.
- Notebooks are strict UTF-8 JSON; only the `source` of the code cells that change changes, and the JSON layout
  of the file (indent, separators, escapes, newlines, trailing newline) is reproduced (`dump_like`).
- A file that cannot be decoded or parsed is reported as `file:line:col: ERROR: message` on stderr and left
  byte for byte as it is (nothing is opened for writing); the other files of the run are still migrated, and
  the exit status is 1 at the end. A migrated result that would not parse is never written.
- `--inplace` writes through a temporary file in the same folder, `fsync`, then `os.replace` (atomic on POSIX
  and Windows), keeps the file's mode bits, and keeps the original as `FILE.bak` (a hard link to the original,
  or a copy where links are not possible) unless `backup=False` (`--no-backup`). A file that changed on disk
  while it was migrated is not overwritten. A process killed at any moment leaves either the old or the new
  file, complete (and at worst a hidden `.FILE.kk<pid>@<host>.*.tmp` file beside it, removed by the next
  migration of that file).
"""
import difflib
import io
import json
import os
import re
import stat
import sys
import tokenize

import libcst as cst

from kernelkit.legacy.migrate import (ERROR, INFO, WARNING, MigrationError, Note, _check_output, _cst_message,
                                      _mask_magics, _migrate_modules, _python_error, _State, _unmask_magics,
                                      migrate_source)
from kernelkit.utils import atomic_files

_BOM = b'\xef\xbb\xbf'


# ------------------------------------------------------------------------------------------------- reading
def _byte_position(data, index):
    line_start = data.rfind(b'\n', 0, index) + 1
    return data.count(b'\n', 0, index) + 1, index - line_start + 1


def decode_python(data, path):
    """Decodes the bytes of a Python file as Python does.

    # Arguments
        data: the file's bytes.
        path: the name used in errors.

    # Returns
        `(text, encoding)`; `text.encode(encoding)` gives `data` back (`utf-8-sig` for a byte order mark).

    # Raises
        MigrationError: for an unknown or contradictory coding cookie, or bytes that are not in the encoding
            (with the line and column of the first bad byte).
    """
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        raise MigrationError(path, 1, 1, 'cannot read the file: %s' % error)
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError as error:
        line, column = _byte_position(data, error.start)
        raise MigrationError(path, line, column, 'cannot read the file: it is not valid %s (%s)'
                             % (encoding, error.reason))


def decode_notebook(data, path):
    """Decodes the bytes of a notebook (UTF-8, as nbformat writes it).

    # Returns
        `(text, bom)`: the text without a byte order mark, and whether the file had one.

    # Raises
        MigrationError: when the bytes are not UTF-8 (with the line and column of the first bad byte).
    """
    bom = data.startswith(_BOM)
    try:
        return data[len(_BOM) if bom else 0:].decode('utf-8'), bom
    except UnicodeDecodeError as error:
        line, column = _byte_position(data, error.start + (len(_BOM) if bom else 0))
        raise MigrationError(path, line, column, 'cannot read the notebook: it is not valid UTF-8 (%s)'
                             % error.reason)


def load_json(text, path):
    """`json.loads(text)`, raising `MigrationError` (with the line and column) for text that is not JSON."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise MigrationError(path, error.lineno, error.colno, 'cannot parse the notebook: invalid JSON: %s'
                             % error.msg)
    except (RecursionError, MemoryError):
        raise MigrationError(path, 1, 1, 'cannot parse the notebook: the JSON is nested too deeply')


# ------------------------------------------------------------------------------------------ the JSON layout
def _layouts(text):
    """The candidate `json.dumps` layouts of `text`, most likely first, and the frame around the JSON."""
    newline = '\r\n' if '\r\n' in text else '\n'
    plain = text.replace('\r\n', '\n')
    core = plain.strip()
    frame = (plain[:len(plain) - len(plain.lstrip())], plain[len(plain.rstrip()):], newline)
    match = re.search(r'\n([ \t]*)\S', core)
    if match is None:
        indent = None
    else:
        indent = len(match.group(1)) if set(match.group(1)) <= {' '} else match.group(1)
    ascii_only = core.isascii()
    items = [', ', ','] if indent is None else [',', ', ']
    layouts = [dict(indent=indent, separators=(item, key), ensure_ascii=ascii_only)
               for item in items for key in (': ', ':')]
    return layouts, frame, core


def _render(notebook, layout, frame):
    head, tail, newline = frame
    return (head + json.dumps(notebook, allow_nan=True, **layout) + tail).replace('\n', newline)


def find_layout(notebook, text):
    """The `json.dumps` layout that writes `notebook` as `text` exactly.

    # Arguments
        notebook: `json.loads(text)`.
        text: the notebook file's text (without a byte order mark).

    # Returns
        `(layout, exact)`: what `render_like` needs, and whether it reproduces `text` byte for byte (when it
        does not, e.g. for numbers written as `1e3` or a mix of escaped and plain characters, the layout has the
        indent, newlines and escapes the text has).
    """
    layouts, frame, _ = _layouts(text)
    for layout in layouts:
        if _render(notebook, layout, frame) == text:
            return (layout, frame), True
    return (layouts[0], frame), False


def render_like(notebook, layout):
    """The text of `notebook` in a layout from `find_layout`."""
    return _render(notebook, *layout)


# ------------------------------------------------------------------------------------------------ notebooks
def _cell_source(cell):
    """`(text, is_list)` of a notebook cell's source, or None when it is not a string or a list of strings."""
    source = cell.get('source', '')
    if isinstance(source, str):
        return source, False
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        return ''.join(source), True
    return None


def _notebook_cells(notebook, path):
    if not isinstance(notebook, dict):
        raise MigrationError(path, 1, 1, 'not a Jupyter notebook: the JSON holds a %s, not an object'
                             % type(notebook).__name__)
    cells = notebook.get('cells')
    if not isinstance(cells, list):
        detail = 'it is nbformat 3 (upgrade it with `jupyter nbconvert --to notebook`)' \
            if 'worksheets' in notebook else 'no "cells" list'
        raise MigrationError(path, 1, 1, 'not a Jupyter notebook (nbformat 4): %s' % detail)
    return cells


def _cell_problem(masked_text):
    """`(line, column, message)` when the (masked) code of a cell cannot be parsed, else None."""
    problem = _python_error(masked_text)
    if problem is None:
        try:
            cst.parse_module(masked_text)
        except cst.ParserSyntaxError as error:
            problem = error.editor_line, error.editor_column, _cst_message(error)
        except (RecursionError, MemoryError):
            problem = 1, 1, 'the code is nested too deeply for the migrator'
    return problem


def _skipped(message, line=0, column=0):
    return Note(line, column, ERROR, message + '; the cell is left as it is', skipped=True)


def migrate_notebook(text, path='<notebook>'):
    """Rewrites the code cells of a notebook (JSON text); only the `source` of the cells that change changes.

    Cell ids, metadata (of cells and of the notebook), outputs, attachments, IPython lines (`%magic`, `!cmd`,
    `x = !cmd`, `obj?`) and cells run by a cell magic (`%%`) are kept, and so is the JSON layout of the text
    (see `find_layout`). The cells are migrated together: an import in one cell is known in the next. A cell
    that cannot be parsed, or is not a well-formed cell, is reported (a `Note` with `skipped=True`, at its
    line and column) and left as it is.

    # Arguments
        text: the notebook file's text (a leading byte order mark is kept).
        path: the name used in the report and in errors.

    # Returns
        `(new_text, report, changed)`: the new text (`text` itself when no cell changes), a list of
        `(location, Note)` where `location` is `path#cellN` (or `path`), and a list of
        `(location, old_source, new_source)`.

    # Raises
        MigrationError: (a `ValueError`) when the text is not JSON or not an nbformat 4 notebook, or a cell is
            nested too deeply for the migrator.
    """
    bom = '\ufeff' if text.startswith('\ufeff') else ''
    body = text[len(bom):]
    notebook = load_json(body, path)
    report, changed, cells = [], [], []
    for number, cell in enumerate(_notebook_cells(notebook, path), start=1):
        location = '%s#cell%d' % (path, number)
        if not isinstance(cell, dict):
            report.append((location, _skipped('not a notebook cell (a %s)' % type(cell).__name__)))
            continue
        if cell.get('cell_type') != 'code':
            continue
        source = _cell_source(cell)
        if source is None:
            report.append((location, _skipped('"source" is not a string or a list of strings')))
            continue
        source_text, is_list = source
        if source_text.lstrip().startswith('%%'):
            continue
        masked_text, masked = _mask_magics(source_text)
        problem = _cell_problem(masked_text)
        if problem is not None:
            report.append((location, _skipped('cannot parse this cell: %s' % problem[2], *problem[:2])))
            continue
        cells.append((cell, location, is_list, source_text, masked_text, masked))
    notes = [[] for _ in cells]
    try:
        new_texts = _migrate_modules([c[4] for c in cells], _State(), notes)
    except RecursionError:
        raise MigrationError(path, 1, 1, 'a cell is nested too deeply for the migrator; nothing is rewritten')
    new_sources = []
    for (cell, location, is_list, source_text, masked_text, masked), new_text, cell_notes in zip(
            cells, new_texts, notes):
        try:
            _check_output(masked_text, new_text, location)
            new_text = _unmask_magics(new_text, masked)
        except MigrationError as error:
            report.append((location, _skipped(error.message, error.line, error.column)))
            continue
        except ValueError as error:
            report.append((location, _skipped(str(error))))
            continue
        report.extend((location, note) for note in sorted(cell_notes, key=lambda n: (n.line, n.column)))
        if new_text != source_text:
            changed.append((location, source_text, new_text))
            new_sources.append((cell, new_text.splitlines(True) if is_list else new_text))
    if not changed:
        return text, report, changed
    layout, exact = find_layout(notebook, body)
    for cell, new_source in new_sources:
        cell['source'] = new_source
    if not exact:
        report.append((path, Note(0, 0, WARNING, 'the JSON layout of this notebook could not be reproduced byte '
                                  'for byte; it is written with the indent, newlines and escapes it had')))
    return bom + render_like(notebook, layout), report, changed


# ------------------------------------------------------------------------------------------------- writing
def _unlink_quietly(path):
    try:
        os.unlink(path)
    except OSError:
        pass


def _temp_name(target):
    """A new temporary file beside `target` (see `kernelkit.utils.atomic_files`), after removing those that
    killed migrations of it left; returns `(fd, path)`."""
    directory, name = os.path.split(target)
    directory = directory or '.'
    atomic_files.remove_stale_temporaries(directory, name)
    temp = atomic_files.create_temporary(directory, name)
    return os.open(temp, os.O_WRONLY | os.O_TRUNC), temp


def _write_replace(target, data, mode, owner=None, times=None):
    """Writes `data` to a temporary file beside `target`, fsyncs it, gives it `mode` (and `owner`, `times`)
    and renames it onto `target`."""
    fd, temp = _temp_name(target)
    try:
        with os.fdopen(fd, 'wb') as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        if owner is not None and hasattr(os, 'chown'):
            try:
                os.chown(temp, *owner)
            except OSError:
                pass     # only the owner or root may give a file away; the mode bits are kept regardless
        if times is not None:
            os.utime(temp, ns=times)
        os.replace(temp, target)
    except BaseException:
        _unlink_quietly(temp)
        raise


def _backup(target, original, status):
    """Keeps the original as `target + '.bak'`: a hard link to it, or a copy (same bytes, mode and times)."""
    backup = target + '.bak'
    fd, temp = _temp_name(backup)
    os.close(fd)
    os.unlink(temp)
    try:
        os.link(target, temp)
    except OSError:
        _write_replace(backup, original, stat.S_IMODE(status.st_mode),
                       times=(status.st_atime_ns, status.st_mtime_ns))
        return
    try:
        os.replace(temp, backup)
    except BaseException:
        _unlink_quietly(temp)
        raise


def write_atomic(path, data, original=None, status=None, backup=True):
    """Replaces the contents of the file `path` by `data`, atomically.

    # Arguments
        path: an existing file (a symbolic link is followed: the file it points to is replaced).
        data: the new bytes.
        original: the bytes the caller read (kept as the backup when a hard link is not possible).
        status: the `os.stat` of the file when the caller read it: when the file changed since, nothing is
            written.
        backup: keep the original as `path + '.bak'` (replacing an older one).

    # Raises
        MigrationError: when the file changed since `status` or cannot be written (it is left as it was).
    """
    target = os.path.realpath(path)
    try:
        current = os.stat(target)
        if status is not None and (current.st_ino, current.st_size, current.st_mtime_ns) != (
                status.st_ino, status.st_size, status.st_mtime_ns):
            raise MigrationError(path, 0, 0, 'the file changed while it was migrated; it is left as it is (run '
                                 'the migrator again)')
        if backup:
            if original is None:
                with open(target, 'rb') as handle:
                    original = handle.read()
            _backup(target, original, current)
        _write_replace(target, data, stat.S_IMODE(current.st_mode), owner=(current.st_uid, current.st_gid))
    except OSError as error:
        raise MigrationError(path, 0, 0, 'cannot write the file: %s; it is left as it is' % error)
    atomic_files.fsync_directory(os.path.dirname(target) or '.')


# ---------------------------------------------------------------------------------------- the command line
def _files(paths):
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith('.') and d != '__pycache__')
                for name in sorted(files):
                    if name.endswith(('.py', '.ipynb')):
                        yield os.path.join(root, name)
        else:
            yield path


def _diff(old, new, a, b):
    return ''.join(difflib.unified_diff(old.splitlines(True), new.splitlines(True), 'a/' + a, 'b/' + b))


def migrate_bytes(data, path):
    """Migrates the bytes of one file (a notebook when `path` ends with `.ipynb`, else Python).

    # Returns
        `(new_data, report, diffs)`: the new bytes (`data` itself when nothing changes), a list of
        `(location, Note)` and the unified diff text.

    # Raises
        MigrationError: (a `ValueError`) when the file cannot be decoded or parsed, with the position.
    """
    if path.endswith('.ipynb'):
        text, bom = decode_notebook(data, path)
        new_text, report, changed = migrate_notebook(text, path)
        diffs = ''.join(_diff(old, new, loc, loc) for loc, old, new in changed)
        encode = lambda t: (_BOM if bom else b'') + t.encode('utf-8')
    else:
        text, encoding = decode_python(data, path)
        try:
            new_text, notes = migrate_source(text, path)
        except SyntaxError as error:
            raise MigrationError(path, error.lineno or 1, error.offset or 1, 'cannot parse the file: %s'
                                 % (error.msg or 'invalid syntax'))
        report = [(path, note) for note in notes]
        diffs = _diff(text, new_text, path, path)
        encode = lambda t: t.encode(encoding)
    if new_text == text:
        return data, report, ''
    try:
        return encode(new_text), report, diffs
    except UnicodeEncodeError as error:
        raise MigrationError(path, 0, 0, 'the migrated text cannot be written in the encoding of the file (%s); '
                             'it is left as it is' % error.reason)


def migrate_file(path, inplace=False, out=None, err=None, quiet=False, backup=True):
    """Migrates one file: writes its report to `err`, and its diff to `out` (or the new file, `inplace`).

    # Returns
        0, or 1 when the file or a notebook cell was left unmigrated (the reason is reported).

    # Raises
        MigrationError: when the file cannot be read, decoded, parsed or written (it is left as it was).
    """
    out, err = out or sys.stdout, err or sys.stderr
    try:
        with open(path, 'rb') as handle:
            status = os.fstat(handle.fileno())
            data = handle.read()
    except OSError as error:
        raise MigrationError(path, 0, 0, 'cannot read the file: %s' % error)
    new_data, report, diffs = migrate_bytes(data, path)
    for location, note in report:
        if not (quiet and note.level == INFO):
            err.write(note.format(location) + '\n')
    if new_data != data:
        if inplace:
            write_atomic(path, new_data, original=data, status=status, backup=backup)
        else:
            out.write(diffs)
    return 1 if any(note.skipped for _, note in report) else 0


def migrate_paths(paths, inplace=False, out=None, err=None, quiet=False, backup=True):
    """Migrates files and directories (`.py` and `.ipynb` files, directories walked in order).

    # Arguments
        paths: files and directories.
        inplace: rewrite the files (atomically, see `write_atomic`) instead of printing a unified diff.
        out, err: where the diffs and the report go (default: stdout and stderr).
        quiet: report only warnings and errors.
        backup: with `inplace`, keep each rewritten file's original as `FILE.bak`.

    # Returns
        The exit status: 0, or 1 when a file (or a notebook cell) could not be read, parsed or written; such a
        file is reported as `file:line:col: ERROR: message` and left byte for byte as it was, and the other
        files are still migrated.
    """
    err = err or sys.stderr
    exit_status = 0
    for path in _files(paths):
        try:
            exit_status |= migrate_file(path, inplace=inplace, out=out, err=err, quiet=quiet, backup=backup)
        except MigrationError as error:
            err.write('%s:%d:%d: %s: %s\n' % (path, error.line, error.column, ERROR, error.message))
            exit_status = 1
        except Exception as error:   # a migrator bug: nothing was written; the other files still run
            err.write('%s:0:0: %s: the migrator failed on this file (%s: %s); it is left as it is (please '
                      'report this bug)\n' % (path, ERROR, type(error).__name__, error))
            exit_status = 1
    return exit_status
