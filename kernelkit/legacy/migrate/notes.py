"""The migration report and its error: `Note`, `MigrationError` and the levels `INFO`, `WARNING`, `ERROR`.

Separate because every other part of the migrator (the rules, the passes, `kernelkit.legacy.migrate_files`)
reports through them and none of them needs libcst.
"""
INFO, WARNING, ERROR = 'INFO', 'WARNING', 'ERROR'


class MigrationError(ValueError):
    """Code or a file the migrator leaves as it is, with the position of the reason.

    # Arguments
        path: the file (or `<string>`).
        line, column: 1-based position (0, 0 when there is none).
        message: what is wrong.
    """

    def __init__(self, path, line, column, message):
        super(MigrationError, self).__init__('%s:%d:%d: %s' % (path, line, column, message))
        self.path, self.line, self.column, self.message = path, line, column, message


class Note(object):
    """One line of the migration report.

    # Arguments
        line, column: the position (1-based; 0 when the note is about the whole file).
        level: `INFO`, `WARNING` or `ERROR`.
        message: the text.
        skipped: True when the code it is about (a notebook cell) was left unmigrated because it could not be
            read; the command line then exits with a non-zero status.
    """

    def __init__(self, line, column, level, message, skipped=False):
        self.line, self.column, self.level, self.message = line, column, level, message
        self.skipped = skipped

    def format(self, path):
        """`path:line:col: LEVEL: message`."""
        return '%s:%d:%d: %s: %s' % (path, self.line, self.column, self.level, self.message)

    def __str__(self):
        return self.format('<string>')

    def __repr__(self):
        return 'Note(%d, %d, %r, %r)' % (self.line, self.column, self.level, self.message)
