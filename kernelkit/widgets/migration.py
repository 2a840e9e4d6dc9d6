"""Keras 1 -> Keras 2 migration in notebooks: warning cards, `%%keras2`, `%keras2_cell`, `%migrate_notebook`.

In a Jupyter kernel, `import kernelkit` turns on the cards of point 1 by itself (turn that off with
`kernelkit.widgets.set_cards_default(False)` or `KERNELKIT_MIGRATION_CARDS=0`). `%load_ext kernelkit` (or
`kernelkit.widgets.load_ipython_extension(get_ipython())`) does three things:

1. Each `KerasMigrationWarning` raised while a cell runs is shown below the cell as a compact card: the
   old call as written on the user's line, its Keras 2 replacement and a one-line reason. A card is shown
   once per cell and call site: running the cell again does not repeat it. The display bundle carries
   `text/plain`, `text/html` and the structured `application/vnd.kernelkit.migration+json`. Outside a
   notebook (a terminal IPython) the same information is printed as one plain-text line.
2. `%%keras2` on the first line of a cell rewrites the cell with `kernelkit.legacy.migrate_source`, puts
   the Keras 2 code in place of the cell (`set_next_input(..., replace=True)`) and runs it.
   `%keras2_cell [N]` does the same for the last cell that raised migration warnings (or `In[N]`).
3. `%migrate_notebook path.ipynb [-o out.ipynb | --inplace]` rewrites every code cell of a notebook file.

The migrator itself lives in `kernelkit.legacy` and is imported only when a migration is asked for.
"""
import html
import json
import linecache
import os
import sys
import warnings

from kernelkit.widgets import _env

MIGRATION_MIME_TYPE = 'application/vnd.kernelkit.migration+json'
_MAGIC_PLACEHOLDER = 'pass  # kernelkit-magic-line-%d'
_UPDATE_WHY = 'Keras 1 argument names: Keras 2 renamed them (kernelkit converted the call this time).'


# ------------------------------------------------------------------------------------------- legacy
def _legacy():
    import kernelkit.legacy as legacy
    return legacy


def _migrate_source(code, filename='<cell>'):
    """Calls `kernelkit.legacy.migrate_source(code)` and returns `(new_code, report)`; `filename` names the
    source in the report when the migrator accepts it."""
    import inspect
    migrate = _legacy().migrate_source
    try:
        takes_filename = 'filename' in inspect.signature(migrate).parameters
    except (TypeError, ValueError):
        takes_filename = False
    return migrate(code, filename=filename) if takes_filename else migrate(code)


def _migration_warning_class():
    """Returns `kernelkit.legacy.KerasMigrationWarning`, or None while `kernelkit.legacy` is missing."""
    try:
        return _legacy().KerasMigrationWarning
    except (ImportError, AttributeError):
        return None


def is_migration_warning(message):
    """Whether a warning instance is a Keras 1 migration warning.

    Any warning with `old_call` and `new_call` attributes counts, so the check never imports
    `kernelkit.legacy`.
    """
    return (isinstance(message, Warning) and hasattr(message, 'old_call') and hasattr(message, 'new_call'))


def report_lines(report):
    """Turns a migration report (a string, a list of items, or an object) into a list of text lines."""
    if report is None:
        return []
    if isinstance(report, str):
        return [line for line in report.splitlines() if line.strip()]
    for attribute in ('changes', 'items', 'entries'):
        inner = getattr(report, attribute, None)
        if isinstance(inner, (list, tuple)):
            return [str(item) for item in inner]
    if isinstance(report, (list, tuple)):
        return [str(item) for item in report]
    return [line for line in str(report).splitlines() if line.strip()]


# -------------------------------------------------------------------------------------------- cards
def _first_line(text):
    text = str(text or '').strip()
    return text.splitlines()[0] if text else ''


def warning_record(message, filename=None, lineno=None, cell_id=None):
    """Collects what a card shows about one migration warning.

    # Arguments
        message: the `KerasMigrationWarning` instance.
        filename, lineno: where `warnings` says it was raised (used when the warning has none).
        cell_id: the notebook cell id of the running cell, when the front end sent one.

    # Returns
        A JSON-friendly dict: `old_call`, `new_call`, `why`, `filename`, `lineno`, `source_line`,
        `cell_id`, `category`, `message`.
    """
    filename = getattr(message, 'filename', None) or filename
    lineno = getattr(message, 'lineno', None) or lineno
    source_line = linecache.getline(filename, lineno).rstrip() if filename and lineno else ''
    text = _first_line(getattr(message, 'message', None) or (message.args[0] if message.args else message))
    why = getattr(message, 'reason', None) or getattr(message, 'why', None)
    if not why:
        new_call = getattr(message, 'new_call', None)
        why = _UPDATE_WHY if (new_call is not None and text.startswith('Update your')) else text
    old_call = message.old_call if message.old_call is not None else source_line.strip()
    return {
        'old_call': str(old_call or ''),
        'new_call': None if message.new_call is None else str(message.new_call),
        'why': _first_line(why),
        'filename': filename,
        'lineno': lineno,
        'source_line': source_line.strip(),
        'cell_id': cell_id,
        'category': type(message).__name__,
        'message': str(message),
    }


def format_text(record):
    """One plain-text line (plus the source line) describing a migration warning."""
    where = 'line %s' % record['lineno'] if record.get('lineno') else 'Keras 1 code'
    if record.get('new_call') is not None:
        text = '%s: Keras 1 call %s -> Keras 2: %s' % (where, record['old_call'], record['new_call'])
        if record.get('why'):
            text += '  (%s)' % record['why']
    else:
        text = '%s: %s' % (where, record.get('message') or record.get('why'))
    if record.get('source_line') and record['old_call'] not in record['source_line']:
        text += '\n    %s' % record['source_line']
    return text


def _code_html(record):
    source, old = record.get('source_line') or '', record['old_call']
    if source and old and old in source:
        before, _, after = source.partition(old)
        return ('<code>%s<mark style="background:#ffe08a">%s</mark>%s</code>'
                % (html.escape(before), html.escape(old), html.escape(after)))
    if source:
        return '<code>%s</code> <span style="color:#777">(%s)</span>' % (html.escape(source), html.escape(old))
    return '<code>%s</code>' % html.escape(old)


def format_html(record):
    """The HTML card for a migration warning."""
    where = 'line %s' % record['lineno'] if record.get('lineno') else ''
    why = ('<div style="color:#666">%s</div>' % html.escape(record['why'])) if record.get('why') else ''
    if record.get('new_call') is not None:
        replacement = '&#8594; <code style="color:#1b5e20">%s</code>' % html.escape(record['new_call'])
    else:
        replacement = html.escape(record.get('message') or '')
        why = ''
    return ('<div class="kernelkit-migration" style="border-left:4px solid #e0a800;background:#fff8e1;'
            'padding:4px 8px;margin:2px 0;font-size:90%%">'
            '<b>Keras 1 &#8594; 2</b> <span style="color:#777">%s</span><br>'
            '%s<br>%s%s'
            '<div style="color:#999;font-size:85%%">Fix the whole cell: put <code>%%%%keras2</code> on its '
            'first line and run it.</div></div>'
            % (where, _code_html(record), replacement, why))


def migration_bundle(message, filename=None, lineno=None, cell_id=None):
    """Returns the display bundle of one migration warning card.

    # Arguments
        message: the `KerasMigrationWarning`, or a record from `warning_record`.
        filename, lineno, cell_id: see `warning_record`.

    # Returns
        A dict with the keys `text/plain`, `text/html` and `application/vnd.kernelkit.migration+json`.
    """
    record = message if isinstance(message, dict) else warning_record(message, filename, lineno, cell_id)
    return {'text/plain': format_text(record), 'text/html': format_html(record),
            MIGRATION_MIME_TYPE: record}


def _current_cell_id():
    return _env.current_cell_id()


def _publish_notebook(bundle):
    from IPython.display import display
    display(bundle, raw=True)


def _print_text(bundle):
    sys.stderr.write('KerasMigrationWarning: %s\n' % bundle['text/plain'])


class MigrationDisplay(object):
    """Shows migration warnings as cards, once per cell and call site, and passes other warnings on.

    It is installed as `warnings.showwarning` by `install()` (done by `%load_ext kernelkit`).

    # Arguments
        publish: function taking a display bundle (default: a notebook display in a Jupyter kernel,
            a line on stderr elsewhere).
        showwarning: where non-migration warnings go (default: the `warnings.showwarning` in place
            when installed).

    # Properties
        shown: the keys `(cell, site, old_call)` already shown.
        last_warned_cell: the source of the last cell that raised a migration warning (for `%keras2_cell`).
    """

    def __init__(self, publish=None, showwarning=None):
        self.publish = publish
        self.showwarning_fallback = showwarning
        self.shown = set()
        self.current_cell_source = None
        self.last_warned_cell = None
        self._installed = False
        self._filter_category = None

    def _publisher(self):
        if self.publish is not None:
            return self.publish
        return _publish_notebook if _env.in_jupyter_kernel() else _print_text

    def key(self, record):
        """The de-duplication key of a card: the cell, the call site in it, and the old call."""
        cell = record.get('cell_id') or record.get('filename') or ''
        site = record.get('source_line') or record.get('lineno')
        return (cell, site, record['old_call'])

    def show(self, message, filename=None, lineno=None):
        """Shows one migration warning unless it was already shown for this cell and call site.

        # Returns
            True when a card (or text line) was published.
        """
        record = warning_record(message, filename, lineno, cell_id=_current_cell_id())
        key = self.key(record)
        if self.current_cell_source is not None:
            self.last_warned_cell = self.current_cell_source
        if key in self.shown:
            return False
        self.shown.add(key)
        self._publisher()(migration_bundle(record))
        return True

    def showwarning(self, message, category, filename, lineno, file=None, line=None):
        """A `warnings.showwarning` replacement: cards for migration warnings, the usual text otherwise."""
        if is_migration_warning(message):
            self.show(message, filename, lineno)
            return
        fallback = self.showwarning_fallback or warnings._showwarning_orig
        fallback(message, category, filename, lineno, file, line)

    # -------------------------------------------------------------------------------------- install
    def ensure_filter(self):
        """Makes every migration warning reach `showwarning` (de-duplication is done here, per cell)."""
        if self._filter_category is not None:
            return
        category = _migration_warning_class()
        if category is not None:
            warnings.filterwarnings('always', category=category)
            self._filter_category = category

    def install(self):
        """Becomes `warnings.showwarning`."""
        if self._installed:
            return
        if self.showwarning_fallback is None:
            self.showwarning_fallback = warnings.showwarning
        warnings.showwarning = self.showwarning
        self._installed = True
        self.ensure_filter()

    def uninstall(self):
        """Restores the previous `warnings.showwarning` (when it is still ours)."""
        if not self._installed:
            return
        if getattr(warnings.showwarning, '__self__', None) is self:
            warnings.showwarning = self.showwarning_fallback
        self._installed = False

    def pre_run_cell(self, info=None):
        """IPython `pre_run_cell` event: remembers the cell being run."""
        self.current_cell_source = getattr(info, 'raw_cell', None)
        if self._filter_category is None and 'kernelkit.legacy' in sys.modules:
            self.ensure_filter()


_display_hook = None


def get_display():
    """Returns the process-wide `MigrationDisplay` (created on first use, not installed)."""
    global _display_hook
    if _display_hook is None:
        _display_hook = MigrationDisplay()
    return _display_hook


def show_migration_warning(message, filename=None, lineno=None):
    """Shows a migration warning card now (through the process-wide display, with its de-duplication).

    # Arguments
        message: a `KerasMigrationWarning`.
        filename, lineno: where it was raised, when the warning does not say.

    # Returns
        True when shown, False when it had already been shown for this cell and call site.
    """
    return get_display().show(message, filename, lineno)


# ------------------------------------------------------------------------------------ rewriting code
def _mask_magics(code):
    """Replaces IPython-only lines (`%magic`, `!shell`) with placeholders the migrator can parse."""
    lines, saved = code.split('\n'), {}
    for index, line in enumerate(lines):
        stripped = line.lstrip()
        if stripped.startswith(('%', '!')):
            indent = line[:len(line) - len(stripped)]
            saved[index] = line
            lines[index] = indent + _MAGIC_PLACEHOLDER % index
    return '\n'.join(lines), saved


def _unmask_magics(code, saved):
    lines = code.split('\n')
    for index, line in enumerate(lines):
        stripped = line.strip()
        for original_index, original in saved.items():
            if stripped == _MAGIC_PLACEHOLDER % original_index:
                lines[index] = original
    return '\n'.join(lines)


def migrate_cell_source(code, filename='cell'):
    """Migrates the source of one notebook cell, leaving `%magic` and `!shell` lines as they are.

    # Arguments
        code: the cell source.
        filename: how the report names the cell.

    # Returns
        `(new_code, report)` as `kernelkit.legacy.migrate_source` returns them. A cell run by a cell
        magic (first line `%%...`) is returned unchanged with an empty report.
    """
    if code.lstrip().startswith('%%'):
        return code, None
    masked, saved = _mask_magics(code)
    new_code, report = _migrate_source(masked, filename=filename)
    return _unmask_magics(new_code, saved), report


class NotebookMigration(object):
    """What `migrate_notebook` did.

    # Properties
        source: the notebook read.
        output: the notebook written.
        cells: list of `(cell index, report lines)` for each code cell that changed.
        errors: list of `(cell index, error message)` for cells the migrator could not read.
    """

    def __init__(self, source, output):
        self.source = source
        self.output = output
        self.cells = []
        self.errors = []

    @property
    def changed(self):
        return len(self.cells)

    def __str__(self):
        lines = ['%s -> %s: %d cell(s) migrated' % (self.source, self.output, self.changed)]
        for index, report in self.cells:
            lines.append('  cell %d:' % index)
            lines.extend('    ' + line for line in (report or ['(rewritten)']))
        for index, error in self.errors:
            lines.append('  cell %d: not migrated: %s' % (index, error))
        return '\n'.join(lines)

    __repr__ = __str__


def migrate_notebook(path, output=None, inplace=False):
    """Rewrites every code cell of a notebook file from Keras 1 to Keras 2 code.

    Changed cells lose their (now stale) outputs and execution counts; everything else, including cell
    ids and metadata, is kept. Lines starting with `%` or `!` are left alone, and cells run by a cell
    magic are skipped.

    # Arguments
        path: the `.ipynb` file.
        output: where to write the result (default: `<name>_keras2.ipynb` beside it).
        inplace: overwrite `path` itself (then `output` must be None), atomically, keeping the original
            as `path + '.bak'`.

    # Returns
        A `NotebookMigration` report (its `str` lists the changes per cell).

    # Raises
        ValueError: if both `output` and `inplace` are given, or the file is not a notebook.
    """
    path = os.fspath(path)
    if inplace and output is not None:
        raise ValueError('Give either `output` or `inplace=True`, not both.')
    if inplace:
        output = path
    elif output is None:
        stem, _ = os.path.splitext(path)
        output = stem + '_keras2.ipynb'
    with open(path, encoding='utf-8') as handle:
        notebook = json.load(handle)
    if not isinstance(notebook, dict) or 'cells' not in notebook:
        raise ValueError('%s is not a Jupyter notebook (no "cells").' % path)
    result = NotebookMigration(path, output)
    for index, cell in enumerate(notebook['cells']):
        if cell.get('cell_type') != 'code':
            continue
        source = cell.get('source', '')
        code = ''.join(source) if isinstance(source, list) else source
        try:
            new_code, report = migrate_cell_source(code, filename='cell %d' % index)
        except SyntaxError as error:
            result.errors.append((index, 'syntax error: %s' % error))
            continue
        if new_code == code:
            continue
        cell['source'] = new_code.splitlines(True) if isinstance(source, list) else new_code
        cell['outputs'] = []
        cell['execution_count'] = None
        result.cells.append((index, report_lines(report)))
    data = (json.dumps(notebook, indent=1, ensure_ascii=False) + '\n').encode('utf-8')
    from kernelkit.legacy import migrate_files
    if inplace:  # as `kernelkit migrate --inplace`: temporary file, fsync, rename; the original kept as .bak
        migrate_files.write_atomic(path, data)
    else:
        tmp = output + '.kernelkit-tmp'
        with open(tmp, 'wb') as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, output)
    return result


# ------------------------------------------------------------------------------------------- magics
def _print_report(report):
    lines = report_lines(report)
    if lines:
        print('Keras 2 migration:')
        for line in lines:
            print('  ' + line)


def keras2_cell_magic(shell, line, cell):
    """`%%keras2 [--no-run]`: migrates the cell, puts the Keras 2 code in its place and runs it."""
    new_code, report = migrate_cell_source(cell)
    shell.set_next_input(new_code.rstrip('\n'), replace=True)
    _print_report(report)
    if '--no-run' not in line.split():
        shell.run_cell(new_code)
    return None


def _usage_error(message):
    from IPython.core.error import UsageError
    return UsageError(message)


def keras2_line_magic(shell, display, line):
    """`%keras2_cell [N]`: replaces this cell with the migrated code of cell N (default: the last cell
    that raised a migration warning)."""
    arg = line.strip()
    if arg:
        try:
            number = int(arg)
        except ValueError:
            raise _usage_error('%%keras2_cell takes an input number, e.g. `%%keras2_cell 3`; received %r.' % arg)
        history = shell.user_ns.get('In') or []
        if not 0 < number < len(history):
            raise _usage_error('There is no input cell number %d.' % number)
        source = history[number]
    else:
        source = display.last_warned_cell
        if source is None:
            raise _usage_error('No cell has raised a Keras 1 migration warning yet; give a cell number: '
                               '`%keras2_cell 3`.')
    new_code, report = migrate_cell_source(source)
    shell.set_next_input(new_code.rstrip('\n'), replace=True)
    _print_report(report)
    return None


def migrate_notebook_magic(line):
    """`%migrate_notebook path.ipynb [-o out.ipynb | --inplace]`."""
    import shlex
    args = shlex.split(line)
    inplace = '--inplace' in args
    args = [arg for arg in args if arg != '--inplace']
    output = None
    if '-o' in args:
        at = args.index('-o')
        if at + 1 >= len(args):
            raise _usage_error('-o needs a file name.')
        output = args[at + 1]
        del args[at:at + 2]
    if len(args) != 1:
        raise _usage_error('Usage: %migrate_notebook path.ipynb [-o out.ipynb | --inplace]')
    result = migrate_notebook(args[0], output=output, inplace=inplace)
    print(result)
    return None


CARDS_ENVIRONMENT_VARIABLE = 'KERNELKIT_MIGRATION_CARDS'
_cards_default = None  # None: follow the environment variable


def cards_default_enabled():
    """Whether a Jupyter kernel shows migration cards without `%load_ext kernelkit`.

    # Returns
        The value given to `set_cards_default`, else False when `KERNELKIT_MIGRATION_CARDS` is `0` (or
        `false`, `no`, `off`), else True.
    """
    if _cards_default is not None:
        return _cards_default
    value = os.environ.get(CARDS_ENVIRONMENT_VARIABLE, '1').strip().lower()
    return value not in ('0', 'false', 'no', 'off')


def install_cards(ipython):
    """Shows migration warnings as cards in this IPython shell (the part of `%load_ext kernelkit` without the
    magics). Idempotent.

    # Arguments
        ipython: the IPython shell.
    """
    display = get_display()
    display.install()
    if not getattr(display, '_events_registered', False):
        ipython.events.register('pre_run_cell', display.pre_run_cell)
        display._events_registered = True


def uninstall_cards(ipython):
    """Back to the usual display of warnings in this shell.

    # Arguments
        ipython: the IPython shell, or None.
    """
    display = get_display()
    display.uninstall()
    if ipython is not None and getattr(display, '_events_registered', False):
        try:
            ipython.events.unregister('pre_run_cell', display.pre_run_cell)
        except ValueError:
            pass
        display._events_registered = False


def install_default_cards():
    """What `import kernelkit` does in a Jupyter kernel: cards on, unless turned off by default.

    # Returns
        Whether cards were installed (False outside a Jupyter kernel or when the default is off).
    """
    if not _env.in_jupyter_kernel() or not cards_default_enabled():
        return False
    install_cards(_env.get_ipython_shell())
    return True


def set_cards_default(enabled):
    """Turns the migration cards of Jupyter kernels on or off (on by default; `KERNELKIT_MIGRATION_CARDS=0`
    turns them off for every kernel). Applies at once in a running kernel.

    # Arguments
        enabled: True to show cards, False for the usual warning text.
    """
    global _cards_default
    _cards_default = bool(enabled)
    shell = _env.get_ipython_shell() if _env.in_jupyter_kernel() else None
    if shell is None:
        return
    if _cards_default:
        install_cards(shell)
    else:
        uninstall_cards(shell)


def load_ipython_extension(ipython):
    """Installs the migration cards and registers `%%keras2`, `%keras2_cell` and `%migrate_notebook`.

    # Arguments
        ipython: the IPython shell.
    """
    install_cards(ipython)
    display = get_display()
    ipython.register_magic_function(lambda line, cell: keras2_cell_magic(ipython, line, cell),
                                    magic_kind='cell', magic_name='keras2')
    ipython.register_magic_function(lambda line: keras2_line_magic(ipython, display, line),
                                    magic_kind='line', magic_name='keras2_cell')
    ipython.register_magic_function(migrate_notebook_magic, magic_kind='line', magic_name='migrate_notebook')


def unload_ipython_extension(ipython):
    """Restores the usual display of warnings (the magics stay registered, as IPython has no way to
    remove them).

    # Arguments
        ipython: the IPython shell.
    """
    uninstall_cards(ipython)
