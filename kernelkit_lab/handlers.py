"""The HTTP handlers of the `kernelkit_lab` server extension.

`POST /kernelkit/migrate`, body `{"code": "..."}`, answers
`{"code": new_code, "changed": bool, "notes": [{"line", "column", "level", "message"}], "error": null}`;
when the code cannot be parsed, `{"code": <the code unchanged>, "changed": false, "notes": [],
"error": {"line", "column", "message"}}`.

`POST /kernelkit/migrate_notebook`, body `{"cells": [{"id": ..., "source": ...}, ...]}`, answers
`{"cells": [{"id", "code", "changed", "notes", "error"}, ...]}` in the same order. The cells are migrated
together, the way `kernelkit migrate` migrates a notebook file: an import in one cell is known in the next.
IPython magics (`%...`, `!...`) are left as they are; a cell starting with `%%` is left unchanged.

Both need an authenticated session (Jupyter Server's token or cookie) and run the migrator (libcst and the
table of `kernelkit.legacy`) in a worker thread, so the server stays responsive. This module imports nothing
from `kernelkit` at load time: the migrator is imported by `load_migrator()` on first use (importing
`kernelkit.legacy` runs `kernelkit/__init__.py`, which imports TensorFlow), in that worker thread or in the
background preload thread that `kernelkit_lab` starts after the server is up.
"""
import json

from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado import web
from tornado.ioloop import IOLoop

_MAX_CELLS = 2000


def load_migrator():
    """Imports the migrator (on first use; later calls are a dictionary look-up).

    # Returns
        The `kernelkit.legacy.migrate` module.

    # Raises
        ImportError: when `kernelkit` (or TensorFlow, which it imports) cannot be imported.
    """
    from kernelkit.legacy import migrate
    return migrate


def _note_dict(note):
    return {'line': note.line, 'column': note.column, 'level': note.level, 'message': note.message}


def parse_error(code):
    """Where `code` fails to parse, or None when it parses.

    # Arguments
        code: Python source (IPython magics already masked).

    # Returns
        `{"line", "column", "message"}` (1-based line and column) or None.
    """
    import ast
    import libcst as cst
    try:
        cst.parse_module(code)
    except cst.ParserSyntaxError as error:
        # Python's own parser names the position a user expects (libcst often points at the next token).
        try:
            ast.parse(code)
        except SyntaxError as python_error:
            if python_error.lineno:
                return {'line': python_error.lineno, 'column': python_error.offset or 1,
                        'message': python_error.msg or 'invalid syntax'}
        except (ValueError, RecursionError, MemoryError):
            pass
        return {'line': error.editor_line, 'column': error.editor_column,
                'message': str(error.message).strip() or 'invalid syntax'}
    return None


def migrate_cells(sources):
    """Migrates a list of cell sources together.

    # Arguments
        sources: list of Python source strings (IPython magics allowed).

    # Returns
        A list of dicts `{"code", "changed", "notes", "error"}`, one per source.

    # Raises
        TypeError: when a source is not a string.
    """
    migrate = load_migrator()
    results = [None] * len(sources)
    pending = []
    for index, source in enumerate(sources):
        if not isinstance(source, str):
            raise TypeError('cell %d: "source" must be a string, got %s' % (index, type(source).__name__))
        if source.lstrip().startswith('%%'):
            results[index] = {'code': source, 'changed': False, 'notes': [], 'error': None}
            continue
        masked, magics = migrate._mask_magics(source)
        error = parse_error(masked)
        if error is not None:
            results[index] = {'code': source, 'changed': False, 'notes': [], 'error': error}
            continue
        pending.append((index, source, masked, magics))
    if pending:
        notes = [[] for _ in pending]
        new_texts = migrate._migrate_modules([p[2] for p in pending], migrate._State(), notes)
        for (index, source, _, magics), new_text, cell_notes in zip(pending, new_texts, notes):
            new_text = migrate._unmask_magics(new_text, magics)
            ordered = sorted(cell_notes, key=lambda n: (n.line, n.column))
            results[index] = {'code': new_text, 'changed': new_text != source,
                              'notes': [_note_dict(n) for n in ordered], 'error': None}
    return results


class _MigrationHandler(APIHandler):
    """Shared body parsing for the migration routes."""

    def _body(self):
        try:
            body = json.loads(self.request.body or b'{}')
        except (ValueError, UnicodeDecodeError) as error:
            raise web.HTTPError(400, 'the request body is not JSON: %s' % error)
        if not isinstance(body, dict):
            raise web.HTTPError(400, 'the request body must be a JSON object')
        return body


class MigrateHandler(_MigrationHandler):
    """`POST /kernelkit/migrate`: migrates `{"code": "..."}`."""

    @web.authenticated
    async def post(self):
        """Answers `{"code", "changed", "notes", "error"}` (see the module docstring)."""
        code = self._body().get('code')
        if not isinstance(code, str):
            raise web.HTTPError(400, '"code" must be a string')
        result, = await IOLoop.current().run_in_executor(None, migrate_cells, [code])
        self.finish(json.dumps(result))


class MigrateNotebookHandler(_MigrationHandler):
    """`POST /kernelkit/migrate_notebook`: migrates `{"cells": [{"id", "source"}, ...]}`."""

    @web.authenticated
    async def post(self):
        """Answers `{"cells": [{"id", "code", "changed", "notes", "error"}, ...]}`."""
        cells = self._body().get('cells')
        if not isinstance(cells, list):
            raise web.HTTPError(400, '"cells" must be a list of {"id", "source"} objects')
        if len(cells) > _MAX_CELLS:
            raise web.HTTPError(400, '"cells": at most %d cells per request' % _MAX_CELLS)
        sources = []
        for index, cell in enumerate(cells):
            if not isinstance(cell, dict) or not isinstance(cell.get('source'), str):
                raise web.HTTPError(400, '"cells"[%d] must be an object with a string "source"' % index)
            sources.append(cell['source'])
        results = await IOLoop.current().run_in_executor(None, migrate_cells, sources)
        answer = [dict(result, id=cell.get('id')) for cell, result in zip(cells, results)]
        self.finish(json.dumps({'cells': answer}))


def setup_handlers(web_app, prefix='kernelkit'):
    """Adds the migration routes to a Jupyter Server web application.

    # Arguments
        web_app: the server's `tornado.web.Application`.
        prefix: the route prefix under the server's base URL.
    """
    base_url = web_app.settings.get('base_url', '/')
    web_app.add_handlers('.*$', [
        (url_path_join(base_url, prefix, 'migrate'), MigrateHandler),
        (url_path_join(base_url, prefix, 'migrate_notebook'), MigrateNotebookHandler),
    ])
