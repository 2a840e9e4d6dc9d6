"""The Keras 1 -> Keras 2 source migrator (`kernelkit migrate`), driven by `kernelkit.legacy.table`.

`migrate_source(code)` rewrites Keras 1 code as Keras 2 code with libcst, so formatting and comments stay as they
were, and returns a report: one `Note` per change (INFO), per change to review (WARNING: the code was rewritten
but behaves differently or may need a value by hand) and per thing it could not convert (ERROR: the code still
needs a manual change). Running it twice changes nothing the second time.

What it rewrites, all from the table:
- every layer constructor of `table.LAYER_INTERFACES` (Keras 1 class names too): the same rules as the run-time
  interfaces (renames, value maps, positional kernel sizes, `input_dim` -> `input_shape`, ...), so the result is
  the call the run-time "Update your `X` call" warning suggests;
- `Model(input=, output=)`, `fit(nb_epoch=)`, the generator methods (`samples_per_epoch` is divided by the batch
  size when the generator is a visible `.flow(...)` call, else flagged for review);
- `merge`/`Merge` with every mode, `AtrousConvolution*`, `TimeDistributedDense`, and the imports of these names;
- Keras 1 Sequential branches (`Merge` of models as the first layer) -> the functional API (`migrate_merge`);
- `keras.objectives`, the Keras 1 regularizer/constraint names, `to_categorical(nb_classes=)`,
  `load_data(nb_words=)`, `K.image_dim_ordering() == 'th'`, `K.set_image_dim_ordering('th')`, and
  `get_output_shape_for` in custom layers.

The package, in the order the code runs:
- this module: the entry points (`migrate_source`, `migrate_notebook`, `migrate_paths`, `_migrate_modules`) and
  the checks of their input and output;
- `passes`: the libcst passes `_Bindings`, `_Calls`, `_Imports` and their shared `_State`;
- `rules`: the table's rules (`_src_*`) applied to one call;
- `nodes`: libcst node helpers and the table lookups;
- `notes`: `Note`, `MigrationError` and the levels; `magics`: IPython lines in notebook cells.

The command line (`kernelkit migrate ...`) lives in `kernelkit.cli`. Files are read, checked and written by
`kernelkit.legacy.migrate_files` (atomically; never a corrupted file).
"""
import ast

import libcst as cst
from libcst.metadata import MetadataWrapper

# Re-exported: kernelkit.legacy.migrate_files, kernelkit.legacy.migrate_merge and kernelkit_lab use these names
# from here.
from kernelkit.legacy.migrate.magics import _mask_magics, _unmask_magics  # noqa: F401
from kernelkit.legacy.migrate.nodes import _code, _literal  # noqa: F401
from kernelkit.legacy.migrate.notes import ERROR, INFO, WARNING, MigrationError, Note  # noqa: F401
from kernelkit.legacy.migrate.passes import _Bindings, _Calls, _Imports, _State


def _migrate_modules(codes, state, notes):
    """Migrates several pieces of code that share their names (the cells of a notebook, or one file).

    Returns the new codes; raises `cst.ParserSyntaxError` for code that cannot be parsed."""
    wrappers = [MetadataWrapper(cst.parse_module(code)) for code in codes]
    for wrapper in wrappers:
        wrapper.module.visit(_Bindings(state))
    from kernelkit.legacy.migrate_merge import rewrite_branches   # Keras 1 Sequential branches first
    wrappers = [MetadataWrapper(rewrite_branches(wrapper, state, cell_notes))
                for wrapper, cell_notes in zip(wrappers, notes)]
    converted = []
    for wrapper, cell_notes in zip(wrappers, notes):
        converted.append(wrapper.visit(_Calls(state, cell_notes)))
    return [module.visit(_Imports(state, None)).code for module in converted]


def _python_error(code):
    """`(line, column, message)` of the first error Python's own parser finds in `code`, or None.

    Python's parser names the position a user expects (libcst often points at the next token)."""
    try:
        ast.parse(code)
    except (SyntaxError, ValueError) as error:   # ValueError: null bytes, on the Pythons that raise it for them
        if getattr(error, 'lineno', None) is None and '\0' in code:
            index = code.find('\0')
            return code.count('\n', 0, index) + 1, index - code.rfind('\n', 0, index), 'a null byte'
        return error.lineno or 1, error.offset or 1, getattr(error, 'msg', None) or str(error) or 'invalid syntax'
    except (RecursionError, MemoryError):
        return 1, 1, 'the code is nested too deeply for the migrator to parse'
    return None


def _syntax_error(filename, code, line, column, message):
    lines = code.splitlines()
    text = lines[line - 1] if 0 < line <= len(lines) else ''
    return SyntaxError(message, (filename, line, column, text))


def _cst_message(error):
    return (str(error.message).strip().splitlines() or ['invalid syntax'])[0]


def _check_output(old, new, filename):
    """Raises `MigrationError` when the migrated code of code Python parses would not parse (a migrator bug:
    the caller must then keep the old code)."""
    if new != old:
        problem = _python_error(new)
        if problem is not None:
            raise MigrationError(filename, problem[0], problem[1], 'the migrated code would not parse (%s); it '
                                 'is left as it was (please report this migrator bug)' % problem[2])


def migrate_source(code, filename='<string>'):
    """Rewrites Keras 1 source code as Keras 2 code.

    # Arguments
        code: Python source text (a leading byte order mark is kept).
        filename: the name used in errors.

    # Returns
        `(new_code, notes)`: the rewritten source (equal to `code` when nothing is Keras 1) and a list of `Note`s,
        sorted by position.

    # Raises
        SyntaxError: when the code cannot be parsed (`lineno`, `offset` and `msg` say where and why).
        MigrationError: (a `ValueError`) when the code is nested too deeply for the migrator, or the result
            would not parse; nothing is rewritten then.
    """
    bom = '\ufeff' if code.startswith('\ufeff') else ''
    body = code[len(bom):]
    problem = _python_error(body)
    if problem is not None:
        raise _syntax_error(filename, body, *problem)
    notes = []
    try:
        new_code, = _migrate_modules([body], _State(), [notes])
    except cst.ParserSyntaxError as error:
        raise _syntax_error(filename, body, error.editor_line, error.editor_column, _cst_message(error))
    except RecursionError:
        raise MigrationError(filename, 1, 1, 'the code is nested too deeply for the migrator')
    _check_output(body, new_code, filename)
    return bom + new_code, sorted(notes, key=lambda n: (n.line, n.column))


def migrate_notebook(text, path='<notebook>'):
    """Rewrites the code cells of a notebook (JSON text); see `kernelkit.legacy.migrate_files.migrate_notebook`.

    # Returns
        `(new_text, report, changed)`: the new text, `[(location, Note)]`, `[(location, old, new)]`.

    # Raises
        MigrationError: (a `ValueError`) when the text is not JSON or not an nbformat 4 notebook.
    """
    from kernelkit.legacy.migrate_files import migrate_notebook as run
    return run(text, path)


def migrate_paths(paths, inplace=False, out=None, err=None, quiet=False, backup=True):
    """Migrates files and directories; prints diffs (or rewrites the files) and the report.

    See `kernelkit.legacy.migrate_files.migrate_paths` (where the files are read and written).

    # Returns
        The exit status: 0, or 1 when a file (or a notebook cell) could not be read, parsed or written.
    """
    from kernelkit.legacy.migrate_files import migrate_paths as run
    return run(paths, inplace=inplace, out=out, err=err, quiet=quiet, backup=backup)
