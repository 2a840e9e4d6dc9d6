"""IPython lines in notebook cells: `_mask_magics` hides `%magic`, `!shell`, `x = !cmd` and `obj?` lines behind
`pass` markers so the migrator can parse the cell, and `_unmask_magics` puts them back.

Separate because it is text work that knows nothing of Keras: `kernelkit.legacy.migrate_files` (notebooks) and
`kernelkit_lab` (cells sent by JupyterLab) wrap the migrator with it.
"""
import re

import libcst as cst


_MAGIC = re.compile(r'^(\s*)([%!]|\?|\w+\s*=\s*[%!]|[\w.]+\?\??\s*$).*$')
_MARKER = 'pass  # kernelkit-migrate: IPython magic'


def _mask_magics(source):
    """Replaces the IPython lines of a cell (`%magic`, `!shell`, `x = !cmd`, `obj?`) by `pass` markers that
    Python parses. Returns `(masked, magics)` for `_unmask_magics`; code that parses as it is stays unmasked."""
    lines = source.split('\n')
    found = [index for index, line in enumerate(lines) if _MAGIC.match(line)]
    if not found:
        return source, []
    try:
        cst.parse_module(source)
        return source, []      # Python after all (a `%` continuing an expression, a line in a string)
    except (cst.ParserSyntaxError, RecursionError, MemoryError, ValueError):
        pass
    marker, suffix = _MARKER, 0
    while marker in source:    # a marker the cell does not hold already
        suffix += 1
        marker = '%s (%d)' % (_MARKER, suffix)
    masked = []
    for index in found:
        line = lines[index]
        masked.append((index, line, '%s %d' % (marker, index)))
        lines[index] = _MAGIC.match(line).group(1) + masked[-1][2]
    return '\n'.join(lines), masked


def _unmask_magics(source, masked):
    """Puts the masked lines back. Raises `ValueError` when a masked line went missing (the code must then be
    left as it was)."""
    lines = source.split('\n')
    for _, original, marker in masked:
        places = [i for i, line in enumerate(lines) if line.strip() == marker]
        if len(places) != 1:
            raise ValueError('the migration would lose the IPython line %r' % original)
        lines[places[0]] = original
    return '\n'.join(lines)
