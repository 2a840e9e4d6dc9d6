"""libcst node helpers and the table lookups the migrator's rules and passes share.

Separate from the rules and the passes because both build and read nodes the same way: `_Args` edits the
arguments of one call in place, keeping positions, comments and line breaks; `_Context` is one call being
converted. `kernelkit.legacy.migrate_merge` uses `_code` and `_literal` too.
"""
import ast

import libcst as cst

from kernelkit.legacy import table

# Names the migrator knows.
_LAYERS = {interface.name: interface for interface in table.LAYER_INTERFACES if interface.name != 'Layer'}
_MODEL_METHODS = {interface.name: interface for interface in table.MODEL_INTERFACES if interface.kind == 'method'}
_MODEL = [interface for interface in table.MODEL_INTERFACES if interface.kind == 'class'][0]
_FACTORIES = {entry.name: entry for entry in table.FACTORIES}
_FUNCTIONS = {(entry.module, entry.old): entry for entry in table.FUNCTION_RENAMES}
_KERAS_ROOTS = ('keras', 'kernelkit')
_FLOW_METHODS = ('flow', 'flow_from_directory', 'flow_from_dataframe')
_FLOW_DEFAULT_BATCH = '32'


def _code(node):
    return cst.Module(body=[]).code_for_node(node)


def _literal(node):
    """`(True, value)` when the expression is a Python literal, else `(False, None)`."""
    try:
        return True, ast.literal_eval(_code(node).strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False, None


def _is_int_literal(node):
    ok, value = _literal(node)
    return ok and isinstance(value, int) and not isinstance(value, bool)


def _value_node(value, like=None):
    """A literal node for `value`, in the quote style of `like` when both are strings."""
    if isinstance(value, str) and isinstance(like, cst.SimpleString):
        quote = like.value[-1]
        if quote in '"\'' and quote not in value and '\\' not in value:
            return cst.SimpleString(quote + value + quote)
    return cst.parse_expression(repr(value))


def _tuple(nodes):
    elements = []
    for index, node in enumerate(nodes):
        comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(' ')) if index < len(nodes) - 1 \
            else cst.MaybeSentinel.DEFAULT
        elements.append(cst.Element(node, comma=comma))
    return cst.Tuple(elements)


def _keyword(name, value):
    return cst.Arg(value=value, keyword=cst.Name(name),
                   equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(''),
                                         whitespace_after=cst.SimpleWhitespace('')))


def _dotted(node):
    """`a.b.c` for a Name/Attribute chain, else None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _dotted(node.value)
        return None if base is None else base + '.' + node.attr.value
    return None


def _normalize_module(module):
    if module == 'kernelkit' or module.startswith('kernelkit.'):
        return 'keras' + module[len('kernelkit'):]
    return module


class _Args(object):
    """The arguments of one call, edited in place (positions, comments and line breaks are kept)."""

    def __init__(self, call):
        self.items = list(call.args)
        self.trailing = self.items[-1].comma if self.items else cst.MaybeSentinel.DEFAULT
        self.star = any(a.star for a in self.items)

    def positional(self):
        return [a for a in self.items if a.keyword is None and not a.star]

    def keyword(self, name):
        for arg in self.items:
            if arg.keyword is not None and arg.keyword.value == name:
                return arg
        return None

    def keywords(self):
        return [a.keyword.value for a in self.items if a.keyword is not None]

    def replace(self, old, new):
        self.items[self.items.index(old)] = new
        return new

    def remove(self, arg):
        index = self.items.index(arg)
        self.items.pop(index)
        comma = arg.comma
        if 0 < index < len(self.items) + 1 and isinstance(comma, cst.Comma) and isinstance(
                comma.whitespace_after, cst.ParenthesizedWhitespace) and not isinstance(
                getattr(self.items[index - 1].comma, 'whitespace_after', None), cst.ParenthesizedWhitespace):
            # the removed argument ended its line (a comment, a line break): the previous one ends it now
            if index < len(self.items):
                self.items[index - 1] = self.items[index - 1].with_changes(comma=comma)

    def insert_after(self, reference, new):
        self.items.insert(self.items.index(reference) + 1, new)

    def append(self, new):
        position = len(self.items)
        for index, arg in enumerate(self.items):  # keywords go before any **kwargs
            if arg.star == '**':
                position = index
                break
        self.items.insert(position, new)

    def rename(self, arg, new_name):
        return self.replace(arg, arg.with_changes(keyword=cst.Name(new_name)))

    def build(self, call):
        items = []
        for index, arg in enumerate(self.items):
            last = index == len(self.items) - 1
            if last:
                arg = arg.with_changes(comma=self.trailing)
            elif arg.comma is cst.MaybeSentinel.DEFAULT or arg.comma is None:
                arg = arg.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(' ')))
            items.append(arg)
        return call.with_changes(args=items)


class _Context(object):
    """One call being converted: its arguments, and the notes about it."""

    def __init__(self, transformer, original, call, name, keras1_name):
        self.transformer, self.original, self.call = transformer, original, call
        self.name, self.keras1_name = name, keras1_name
        self.args = _Args(call)
        self.changes, self.skip = [], set()

    def note(self, level, message):
        self.transformer.note(self.original, level, message)

    def change(self, text):
        self.changes.append(text)
