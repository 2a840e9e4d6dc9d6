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

The command line (`kernelkit migrate ...`) lives in `kernelkit.cli`. Files are read, checked and written by
`kernelkit.legacy.migrate_files` (atomically; never a corrupted file).
"""
import ast
import re

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from kernelkit.legacy import table

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


# ------------------------------------------------------------------------------------------------------------
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


# ------------------------------------------------------------------------------------------------------------
# The table's rules, applied to source (the counterpart of interfaces._PREPROCESSORS).

def _src_kernel_size(rule, c):
    positional, names = c.args.positional(), rule.names
    if c.args.star:
        return
    if len(positional) > len(names) + 1:
        c.note(ERROR, table.AT_MOST_POSITIONAL % (len(names) + 1))
        return
    dims = positional[1:]
    literal = all(_is_int_literal(a.value) for a in dims)
    if (len(positional) == 3 and (literal or c.keras1_name)
            and any(c.args.keyword(k) for k in ('padding', 'strides', 'data_format'))):
        c.note(ERROR, table.KERNEL_AND_STRIDES)
        return
    given = len(positional) - 1
    rest = [c.args.keyword(n) for n in names[max(given, 0):]]
    if not all(rest):
        return
    if given >= 1:
        if not (literal or c.keras1_name or rest):
            c.note(WARNING, '`%s` with %d positional arguments after `filters`: if they are integers, Keras 2 reads '
                            'them as the Keras 1 kernel dimensions (write `%s(filters, (rows, cols))`).'
                   % (c.name, given, c.name))
            return
        kernel = _tuple([a.value for a in dims] + [a.value for a in rest])
        c.args.replace(dims[0], dims[0].with_changes(value=kernel))
        for arg in dims[1:] + rest:
            c.args.remove(arg)
    elif given == 0:
        c.args.insert_after(positional[0], cst.Arg(value=_tuple([a.value for a in rest])))
        for arg in rest:
            c.args.remove(arg)
    else:
        c.args.replace(rest[0], _keyword('kernel_size', _tuple([a.value for a in rest])))
        for arg in rest[1:]:
            c.args.remove(arg)
    c.change('kernel size %s' % '/'.join(names))


def _src_drop(rule, c):
    positional = c.args.positional()
    if (rule.position is not None and len(positional) == rule.position + 1
            and (c.keras1_name or isinstance(positional[rule.position].value, cst.Tuple))):
        c.args.remove(positional[rule.position])
        c.change('positional %s removed' % rule.old)
    arg = c.args.keyword(rule.old)
    if arg is not None:
        c.args.remove(arg)
        if rule.notice:
            c.note(WARNING, rule.notice)
        else:
            c.change('%s removed' % rule.old)


def _src_split(rule, c):
    arg = c.args.keyword(rule.old)
    if arg is not None:
        first = c.args.rename(arg, rule.new[0])
        for name in reversed(rule.new[1:]):
            c.args.insert_after(first, _keyword(name, first.value.deep_clone()))
        c.change('%s -> %s' % (rule.old, '/'.join(rule.new)))


def _src_replace(rule, c):
    arg = c.args.keyword(rule.old)
    if arg is None:
        return
    ok, value = _literal(arg.value)
    if not ok:
        c.note(ERROR, '`%s=%s` cannot be converted automatically: Keras 2 has `%s=%r` for %r only. %s'
               % (rule.old, _code(arg.value), rule.new, rule.new_value, rule.value, rule.otherwise_notice))
    elif value == rule.value:
        c.args.replace(arg, _keyword(rule.new, _value_node(rule.new_value)).with_changes(comma=arg.comma))
        c.change('%s=%r -> %s=%r' % (rule.old, value, rule.new, rule.new_value))
    else:
        c.args.remove(arg)
        c.note(WARNING, rule.otherwise_notice)


def _src_input_shape(rule, c):
    dim = c.args.keyword('input_dim')
    if dim is None:
        return
    length = c.args.keyword('input_length')
    shape = _tuple([length.value if length is not None else cst.Name('None'), dim.value])
    c.args.replace(dim, _keyword('input_shape', shape).with_changes(comma=dim.comma))
    if length is not None:
        c.args.remove(length)
    c.change('input_dim -> input_shape')


def _padding_tuple(node, keys):
    if not isinstance(node, cst.Dict):
        return None
    values = {}
    for element in node.elements:
        if not isinstance(element, cst.DictElement):
            return None
        ok, key = _literal(element.key)
        if not ok or key not in keys:
            return None
        values[key] = element.value
    top, bottom, left, right = (values.get(k, cst.Integer('0')) for k in keys)
    return _tuple([_tuple([top, bottom]), _tuple([left, right])])


def _src_padding_dict(rule, c):
    arg = c.args.keyword('padding')
    positional = c.args.positional()
    if arg is None and len(positional) == 1:
        arg = positional[0]
    if arg is not None and isinstance(arg.value, cst.Dict):
        padding = _padding_tuple(arg.value, rule.keys)
        if padding is None:
            c.note(ERROR, rule.notice_keyword)
            return
        c.args.replace(arg, arg.with_changes(value=padding))
        c.change('padding dict -> ((top, bottom), (left, right))')


def _src_no_positional(rule, c):
    if c.args.positional():
        c.note(ERROR, rule.error)


def _src_reject(rule, c):
    arg = c.args.keyword(rule.old)
    if arg is None:
        return
    ok, value = _literal(arg.value)
    if ok and value == rule.allowed:
        c.args.remove(arg)
        c.change('%s=%r removed' % (rule.old, value))
    else:
        c.note(ERROR, rule.error)


def _src_steps_from_samples(rule, c):
    positional = c.args.positional()
    arg = c.args.keyword(rule.old)
    if arg is None or len(positional) >= 2:
        return
    generator = positional[0].value if positional else getattr(c.args.keyword(rule.generator), 'value', None)
    batch = c.transformer.batch_size_of(generator)
    samples = arg.value
    if batch is not None:
        ok, value = _literal(samples)
        batch_ok, batch_value = _literal(batch)
        if ok and batch_ok and isinstance(value, int) and isinstance(batch_value, int):
            steps = cst.Integer(str(value // batch_value))
        else:
            steps = cst.BinaryOperation(left=samples, operator=cst.FloorDivide(
                whitespace_before=cst.SimpleWhitespace(' '), whitespace_after=cst.SimpleWhitespace(' ')),
                right=batch)
        c.args.replace(arg, _keyword(rule.new, steps).with_changes(comma=arg.comma))
        c.change('%s -> %s (divided by the batch size %s)' % (rule.old, rule.new, _code(batch)))
    else:
        c.args.replace(arg, _keyword(rule.new, samples).with_changes(comma=arg.comma))
        c.note(WARNING, '`%s=%s` became `%s=%s`, as Keras 2 does for a generator without `batch_size`: Keras 2 '
                        'counts batches, not samples. Divide by the batch size of the generator if it yields '
                        'batches (manual review).' % (rule.old, _code(samples), rule.new, _code(samples)))


def _src_notice_if_any(rule, c):
    counts = [n for n in rule.names if n in ('val_samples', 'nb_val_samples') and c.args.keyword(n) is not None]
    for name in counts:
        arg = c.args.keyword(name)
        c.note(WARNING, '`%s=%s` counted samples; Keras 2 counts batches (`%s`), as Keras 2 renames it without '
                        'dividing: divide by the batch size (manual review).'
               % (name, _code(arg.value), 'steps' if name == 'val_samples' else 'validation_steps'))


def _src_shape_and_name_first(rule, c):
    positional = c.args.positional()
    if positional and isinstance(positional[0].value, (cst.Tuple, cst.List)):
        c.args.replace(positional[0], _keyword('shape', positional[0].value).with_changes(
            comma=positional[0].comma))
        if len(positional) > 1 and c.args.keyword('initializer') is None:
            c.args.replace(positional[1], _keyword('initializer', positional[1].value).with_changes(
                comma=positional[1].comma))
        c.change('Keras 1 positional (shape, initializer) -> keywords')


_SOURCE_RULES = {
    table.KernelSize: _src_kernel_size,
    table.Drop: _src_drop,
    table.Split: _src_split,
    table.Replace: _src_replace,
    table.InputShape: _src_input_shape,
    table.PaddingDict: _src_padding_dict,
    table.NoPositional: _src_no_positional,
    table.Reject: _src_reject,
    table.StepsFromSamples: _src_steps_from_samples,
    table.NoticeIfAny: _src_notice_if_any,
    table.ShapeAndNameFirst: _src_shape_and_name_first,
}


def _apply_interface(interface, c):
    """Applies one table entry to the call in `c` (the counterpart of `interfaces.convert_call`)."""
    for rule in interface.preprocess:
        _SOURCE_RULES[type(rule)](rule, c)
    allowed = interface.positional
    positional = c.args.positional()
    if allowed is not None and len(positional) > len(allowed) and not c.args.star:
        c.note(ERROR, table.TOO_MANY_POSITIONAL % (c.name, len(allowed), tuple(allowed),
                                                   '[%s]' % ', '.join(_code(a.value) for a in positional)))
    for rule in interface.values:
        arg = c.args.keyword(rule.old)
        if arg is None:
            continue
        ok, value = _literal(arg.value)
        if not ok:
            c.skip.add(rule.old)
            c.note(ERROR, '`%s=%s`: the value must be converted by hand (%s).' % (
                rule.old, _code(arg.value), ', '.join('%r -> %r' % kv for kv in rule.mapping.items())))
        elif isinstance(value, (str, int)) and value in rule.mapping:
            c.args.replace(arg, arg.with_changes(value=_value_node(rule.mapping[value], arg.value)))
    for rule in interface.renames:
        arg = c.args.keyword(rule.old)
        if arg is None or rule.old in c.skip:
            continue
        if c.args.keyword(rule.new) is not None:
            c.note(ERROR, table.BOTH_NAMES % (rule.new, rule.old, rule.new))
            continue
        c.args.rename(arg, rule.new)
        c.change(rule.notice or '%s -> %s' % (rule.old, rule.new))


# ------------------------------------------------------------------------------------------------------------
# Passes.

class _Bindings(cst.CSTVisitor):
    """Pass 1: what the names of the module refer to (imports from Keras, `.flow(...)` generators)."""

    def __init__(self, state):
        self.state = state

    def visit_Import(self, node):
        for alias in node.names:
            module = _normalize_module(_dotted(alias.name))
            if module.split('.')[0] == 'keras':
                if alias.asname is not None:
                    self.state.bindings[alias.asname.name.value] = module
                else:
                    self.state.bindings[module.split('.')[0]] = 'keras'
                    self.state.bindings.setdefault(_dotted(alias.name).split('.')[0], 'keras')

    def visit_ImportFrom(self, node):
        if node.module is None or node.relative:
            return
        module = _normalize_module(_dotted(node.module))
        if module.split('.')[0] != 'keras':
            if not isinstance(node.names, cst.ImportStar):
                for alias in node.names:
                    self.state.foreign.add((alias.asname.name if alias.asname else alias.name).value)
            return
        if isinstance(node.names, cst.ImportStar):
            self.state.star = True
            return
        for alias in node.names:
            local = (alias.asname.name if alias.asname else alias.name).value
            self.state.bindings[local] = module + '.' + alias.name.value

    def visit_FunctionDef(self, node):
        self.state.foreign.add(node.name.value)

    def visit_ClassDef(self, node):
        self.state.foreign.add(node.name.value)

    def visit_Assign(self, node):
        if len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            name = node.targets[0].target.value
            value = node.value
            if (isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute)
                    and value.func.attr.value in _FLOW_METHODS):
                batch = [a.value for a in value.args if a.keyword is not None and a.keyword.value == 'batch_size']
                self.state.generators[name] = batch[0] if batch else cst.Integer(_FLOW_DEFAULT_BATCH)


class _State(object):
    """What the passes share (across the cells of a notebook, too)."""

    def __init__(self):
        self.bindings = {}      # local name -> 'keras.layers.Convolution2D'
        self.foreign = set()    # names bound to something else
        self.star = False
        self.generators = {}    # name -> batch size expression
        self.needed = {}        # local imported name -> set of Keras 2 names its uses now need
        self.kept = set()       # local imported names still used as they are


class _Calls(cst.CSTTransformer):
    """Pass 2: rewrites calls, names and attributes."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, state, notes):
        super(_Calls, self).__init__()
        self.state, self.notes = state, notes
        self.not_expressions = set()

    # -- helpers --------------------------------------------------------------------------------------------
    def note(self, node, level, message):
        try:
            position = self.get_metadata(PositionProvider, node).start
            line, column = position.line, position.column + 1
        except KeyError:
            line, column = 0, 0
        self.notes.append(Note(line, column, level, message))

    def resolve_name(self, node):
        """`(qualified name, short name)` of a Name/Attribute; the module is None when not from Keras."""
        dotted = _dotted(node)
        if dotted is None:
            return None, (node.attr.value if isinstance(node, cst.Attribute) else None)
        head, _, rest = dotted.partition('.')
        short = dotted.rsplit('.', 1)[-1]
        if head in self.state.bindings:
            qualified = self.state.bindings[head] + ('.' + rest if rest else '')
            return qualified, qualified.rsplit('.', 1)[-1]
        if head in _KERAS_ROOTS:
            return 'keras' + ('.' + rest if rest else ''), short
        if not rest and head not in self.state.foreign:
            return '?.' + head, short   # a bare name from `import *`, an earlier cell, or nowhere
        return None, short

    def batch_size_of(self, generator):
        if generator is None:
            return None
        if isinstance(generator, cst.Name) and generator.value in self.state.generators:
            return self.state.generators[generator.value]
        if (isinstance(generator, cst.Call) and isinstance(generator.func, cst.Attribute)
                and generator.func.attr.value in _FLOW_METHODS):
            for arg in generator.args:
                if arg.keyword is not None and arg.keyword.value == 'batch_size':
                    return arg.value
            return cst.Integer(_FLOW_DEFAULT_BATCH)
        return None

    @staticmethod
    def keras_class(qualified, short):
        if qualified is None:
            return None
        module = qualified.rsplit('.', 1)[0]
        if module == '?' or module == 'keras' or module.startswith('keras.layers') or module.startswith('keras.'):
            return short
        return None

    def rename_callee(self, func, new):
        if isinstance(func, cst.Name):
            local = func.value
            if self.state.bindings.get(local, '').rsplit('.', 1)[-1] == local or local not in self.state.bindings:
                self.state.needed.setdefault(local, set()).add(new)
                return func.with_changes(value=new)
            return func   # an alias (`import ... as X`): the import is renamed instead
        return func.with_changes(attr=cst.Name(new))

    # -- names that are not expressions ---------------------------------------------------------------------
    def visit_Attribute(self, node):
        self.not_expressions.add(id(node.attr))

    def visit_Arg(self, node):
        if node.keyword is not None:
            self.not_expressions.add(id(node.keyword))

    def visit_ImportAlias(self, node):
        return False

    def visit_ImportFrom(self, node):
        return False

    def visit_Import(self, node):
        return False

    def visit_Param(self, node):
        self.not_expressions.add(id(node.name))

    def visit_FunctionDef(self, node):
        self.not_expressions.add(id(node.name))

    def visit_ClassDef(self, node):
        self.not_expressions.add(id(node.name))

    def leave_Name(self, original, updated):
        if id(original) in self.not_expressions:
            return updated
        qualified, short = self.resolve_name(original)
        if qualified is None:
            return updated
        new = self.one_to_one(qualified, short)
        if new is not None and new != short:
            self.note(original, INFO, '`%s` -> `%s`' % (short, new))
            return self.rename_callee(updated, new)
        return updated

    def leave_Attribute(self, original, updated):
        qualified, short = self.resolve_name(original)
        if qualified is None or qualified.startswith('?'):
            return updated
        if qualified in table.MODULE_RENAMES and qualified.count('.') == 1:   # keras.objectives -> keras.losses
            new = table.MODULE_RENAMES[qualified].rsplit('.', 1)[-1]
            self.note(original, INFO, '`%s` -> `%s`' % (qualified, table.MODULE_RENAMES[qualified]))
            return updated.with_changes(attr=cst.Name(new))
        new = self.one_to_one(qualified, short)
        if new is not None and new != short:
            self.note(original, INFO, '`%s` -> `%s`' % (short, new))
            return updated.with_changes(attr=cst.Name(new))
        return updated

    def one_to_one(self, qualified, short):
        """Keras 1 names with a same-shaped Keras 2 name (`Convolution2D` -> `Conv2D`, `l1l2` -> `l1_l2`)."""
        module = qualified.rsplit('.', 1)[0]
        if short in table.CLASS_RENAMES and short not in ('Container', 'Network') and (
                module == '?' or module.startswith('keras.layers') or module == 'keras'):
            return table.CLASS_RENAMES[short]
        for entry in table.FUNCTION_RENAMES:
            if entry.old == short and entry.old != entry.new and not entry.runtime and (
                    module == '?' or module == entry.module or module.startswith(entry.module + '.')):
                return entry.new
        return None

    # -- definitions ----------------------------------------------------------------------------------------
    def leave_FunctionDef(self, original, updated):
        new = table.METHOD_RENAMES.get(original.name.value)
        if new is not None:
            self.note(original, INFO, 'method `%s` renamed `%s` (Keras 2 name)' % (original.name.value, new))
            return updated.with_changes(name=cst.Name(new))
        return updated

    # -- comparisons: K.image_dim_ordering() == 'th' ----------------------------------------------------------
    def leave_Comparison(self, original, updated):
        left = updated.left
        if not (isinstance(left, cst.Call) and len(updated.comparisons) == 1):
            return updated
        qualified, short = self.resolve_name(left.func)
        entry = _FUNCTIONS.get(('keras.backend', short)) if qualified else None
        if entry is None or entry.old != 'image_dim_ordering' or not qualified.startswith(('keras.backend', '?')):
            return updated
        target = updated.comparisons[0]
        ok, value = _literal(target.comparator)
        if not ok or value not in entry.values:
            return updated
        self.note(original, INFO, '`%s() == %r` -> `%s() == %r`' % (entry.old, value, entry.new, entry.values[value]))
        new_left = left.with_changes(func=self.rename_callee(left.func, entry.new))
        return updated.with_changes(left=new_left, comparisons=[target.with_changes(
            comparator=_value_node(entry.values[value], target.comparator))])

    # -- calls ----------------------------------------------------------------------------------------------
    def leave_Call(self, original, updated):
        result = self.convert_call(original, updated)
        if isinstance(result, cst.Call):
            delta = len(_code(result.func)) - len(_code(original.func))
            if delta:
                result = _realign(result, delta)
        return result

    def convert_call(self, original, updated):
        qualified, short = self.resolve_name(original.func)
        if qualified and qualified.startswith('keras.initializations.'):
            self.note_initialization(original, qualified.rsplit('.', 1)[1])
            return updated
        func = original.func
        is_method = isinstance(func, cst.Attribute) and (qualified is None or not qualified.startswith('keras'))
        if is_method and short in _MODEL_METHODS:
            return self.convert_method(original, updated, _MODEL_METHODS[short])
        if is_method and short == 'add_weight':
            return self.convert_with(original, updated, table.LAYER_METHOD_INTERFACES[0], short, False)
        if is_method and short == 'compile':
            self.check_metrics(original, updated)
            return updated
        if is_method and short in table.METHOD_RENAMES:
            self.note(original, INFO, '`%s` renamed `%s`' % (short, table.METHOD_RENAMES[short]))
            return updated.with_changes(func=updated.func.with_changes(attr=cst.Name(table.METHOD_RENAMES[short])))
        name = self.keras_class(qualified, short)
        if name is None:
            return updated
        return self.convert_keras_call(original, updated, name, qualified)

    def note_initialization(self, node, name):
        """Keras 1 initializer functions have no one-line Keras 2 form: say what to write (they still run)."""
        if name in table.INITIALIZATIONS:
            default, replacement = table.INITIALIZATIONS[name]
            given = [a.value for a in node.args if a.keyword is not None and a.keyword.value == 'scale']
            given += [a.value for a in node.args[1:2] if a.keyword is None]
            new = replacement.format(scale=_code(given[0]) if given else default)
            self.note(node, WARNING, table.INITIALIZATION_CALL % (name, new, new))
        elif name == 'get':
            self.note(node, WARNING, table.INITIALIZATIONS_MODULE)
        else:
            self.note(node, ERROR, '`keras.initializations.%s` does not exist.' % name)

    def convert_keras_call(self, original, updated, name, qualified):
        module = qualified.rsplit('.', 1)[0]
        is_layer_module = module in ('?', 'keras') or module.startswith('keras.layers') or \
            module.startswith('keras.legacy')
        if is_layer_module and name in ('merge', 'Merge'):
            return self.convert_merge(original, updated, name)
        if is_layer_module and name in _FACTORIES:
            return self.convert_factory(original, updated, _FACTORIES[name])
        if is_layer_module and name == 'TimeDistributedDense':
            return self.convert_time_distributed_dense(original, updated)
        if is_layer_module and name in table.REMOVED:
            self.note(original, ERROR, table.REMOVED[name])
            self.state.kept.add(name)
            return updated
        if name in ('Model',) + _MODEL.keras1_names and (module in ('?', 'keras') or module.startswith(
                ('keras.models', 'keras.engine'))):
            return self.convert_with(original, updated, _MODEL, 'Model', False)
        canonical = table.CLASS_RENAMES.get(name, table.KERAS2_ALIASES.get(name, name))
        if is_layer_module and canonical in _LAYERS:
            return self.convert_with(original, updated, _LAYERS[canonical], canonical,
                                     name in table.CLASS_RENAMES)
        for (entry_module, old), entry in _FUNCTIONS.items():
            if old == name and (module == '?' or module == entry_module or module.startswith(entry_module + '.')):
                return self.convert_function(original, updated, entry)
        return updated

    def convert_with(self, original, updated, interface, name, keras1_name):
        c = _Context(self, original, updated, name, keras1_name)
        _apply_interface(interface, c)
        if not c.changes:
            return c.args.build(updated) if c.args.items != list(updated.args) else updated
        self.note(original, INFO, '`%s`: %s' % (name, '; '.join(c.changes)))
        return c.args.build(updated)

    def convert_method(self, original, updated, interface):
        olds = set(r.old for r in interface.renames) | set(
            getattr(r, 'old', None) for r in interface.preprocess if hasattr(r, 'old'))
        if not any(a.keyword is not None and a.keyword.value in olds for a in updated.args):
            return updated
        return self.convert_with(original, updated, interface, interface.name, True)

    def convert_function(self, original, updated, entry):
        c = _Args(updated)
        changed = []
        for old, new in entry.keywords.items():
            arg = c.keyword(old)
            if arg is not None and c.keyword(new) is None:
                ok, value = _literal(arg.value)
                if ok and isinstance(value, str) and value in entry.values:  # dim_ordering='th' -> 'channels_first'
                    renamed = arg.with_changes(value=_value_node(entry.values[value], arg.value))
                    c.replace(arg, renamed)
                    arg = renamed
                c.rename(arg, new)
                changed.append('%s -> %s' % (old, new))
        for old in entry.dropped:
            arg = c.keyword(old)
            if arg is not None:
                c.remove(arg)
                changed.append('%s dropped (no Keras 2 use)' % old)
        func = updated.func
        if entry.old == 'set_image_dim_ordering':
            positional = c.positional()
            ok, value = _literal(positional[0].value) if positional else (False, None)
            if ok and value in entry.values:
                c.replace(positional[0], positional[0].with_changes(
                    value=_value_node(entry.values[value], positional[0].value)))
                func = self.rename_callee(func, entry.new)
                changed.append('%s(%r) -> %s(%r)' % (entry.old, value, entry.new, entry.values[value]))
            else:
                self.note(original, INFO, '`%s` still works in Keras 2; `%s` is the Keras 2 name.'
                          % (entry.old, entry.new))
        if not changed:
            return updated
        self.note(original, INFO, '`%s`: %s' % (entry.old, '; '.join(changed)))
        return c.build(updated.with_changes(func=func))

    def check_metrics(self, original, updated):
        for arg in updated.args:
            if arg.keyword is not None and arg.keyword.value == 'metrics':
                ok, value = _literal(arg.value)
                values = value if ok and isinstance(value, (list, tuple)) else [value] if ok else []
                for metric in values:
                    if isinstance(metric, str) and metric in table.REMOVED_METRICS:
                        self.note(original, ERROR, table.REMOVED_METRICS[metric])

    # -- Keras 1 pieces with a different Keras 2 shape -------------------------------------------------------
    def _read_signature(self, updated, names):
        """The Keras 1 arguments of a call by name (positional ones mapped through `names`)."""
        values, positional = {}, 0
        for arg in updated.args:
            if arg.star:
                return None
            if arg.keyword is None:
                if positional >= len(names):
                    return None
                values[names[positional]] = arg
                positional += 1
            else:
                values[arg.keyword.value] = arg
        return values

    def convert_merge(self, original, updated, name):
        function = name == 'merge'
        names = table.MERGE_FUNCTION_ARGS if function else table.MERGE_LAYER_ARGS
        values = self._read_signature(updated, names)
        if values is None or (function and 'inputs' not in values):
            self.note(original, ERROR, 'this `%s` call cannot be read; use the Keras 2 merge layers.' % name)
            self.state.kept.add(name)
            return updated
        if not function and 'layers' in values:
            self.note(original, ERROR, table.MERGE_SEQUENTIAL % 'concatenate')
            self.state.kept.add(name)
            return updated
        mode = values.get('mode')
        ok, mode_value = _literal(mode.value) if mode is not None else (True, 'sum')
        if not ok or mode_value not in table.MERGE_MODES:
            self.note(original, ERROR, table.MERGE_CALLABLE % (_code(mode.value) if mode is not None else 'mode'))
            self.state.kept.add(name)
            return updated
        entry = table.MERGE_MODES[mode_value]
        new_args = []
        if function:
            new_args.append(values['inputs'].with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT))
        for new, old in entry.arguments.items():
            if old in values:
                ok, value = _literal(values[old].value)
                if not (ok and new in entry.defaults and value == entry.defaults[new]):
                    new_args.append(_keyword(new, values[old].value))
            elif entry.layer == 'Dot':  # Keras 1's default dot_axes=-1; Keras 2's Dot needs `axes`
                new_args.append(_keyword(new, cst.UnaryOperation(operator=cst.Minus(), expression=cst.Integer('1'))))
        for key, value in entry.fixed.items():
            new_args.append(_keyword(key, _value_node(value)))
        if 'name' in values:
            new_args.append(_keyword('name', values['name'].value))
        dropped = [k for k in ('output_shape', 'output_mask', 'arguments', 'node_indices', 'tensor_indices')
                   if k in values]
        target = entry.function if function else entry.layer
        arguments = _Args(updated)
        arguments.items = [arg.with_changes(comma=cst.MaybeSentinel.DEFAULT) for arg in new_args]
        call = arguments.build(updated.with_changes(func=self.rename_callee(updated.func, target)))
        self.note(original, INFO, '`%s(mode=%r)` -> `%s`%s' % (name, mode_value, target, (
            ' (%s dropped: not used by this mode)' % ', '.join(dropped)) if dropped else ''))
        return call

    def convert_factory(self, original, updated, entry):
        c = _Args(updated)
        arg = c.keyword(entry.old)
        if arg is not None:
            c.rename(arg, entry.new)
        call = c.build(updated.with_changes(func=self.rename_callee(updated.func, entry.target)))
        self.note(original, INFO, '`%s` -> `%s`%s' % (entry.name, entry.target,
                                                      ' with `%s`' % entry.new if arg is not None else ''))
        return self.convert_with(original, call, _LAYERS[entry.target], entry.target, True)

    def convert_time_distributed_dense(self, original, updated):
        wrapper, inner = table.TIME_DISTRIBUTED_DENSE
        c = _Args(updated)
        outer = []
        for key in ('name', 'batch_input_shape', 'input_shape', 'trainable', 'weights'):
            arg = c.keyword(key)
            if arg is not None:
                outer.append(_keyword(key, arg.value))
                c.remove(arg)
        dim, length = c.keyword('input_dim'), c.keyword('input_length')
        if dim is not None:
            outer.append(_keyword('input_shape', _tuple([length.value if length is not None else cst.Name('None'),
                                                         dim.value])))
        for arg in (dim, length):
            if arg is not None:
                c.remove(arg)
        inner_call = c.build(updated.with_changes(func=cst.Name(inner) if isinstance(updated.func, cst.Name)
                                                  else updated.func.with_changes(attr=cst.Name(inner))))
        inner_call = self.convert_with(original, inner_call, _LAYERS[inner], inner, True)
        if isinstance(updated.func, cst.Name):
            self.state.needed.setdefault(updated.func.value, set()).update((wrapper, inner))
            func = cst.Name(wrapper)
        else:
            func = updated.func.with_changes(attr=cst.Name(wrapper))
        call = cst.Call(func=func, args=[cst.Arg(inner_call)] + outer)
        self.note(original, INFO, '`TimeDistributedDense` -> `TimeDistributed(Dense(...))`')
        return _Args(call).build(call)


def _realign(call, delta):
    """Shifts the continuation lines of a call whose arguments are aligned with its opening parenthesis, after
    the callee's name changed length by `delta`."""
    if not isinstance(call.whitespace_before_args, cst.SimpleWhitespace):
        return call
    args = []
    for arg in call.args:
        comma = arg.comma
        if isinstance(comma, cst.Comma) and isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace):
            after = comma.whitespace_after
            indent = after.last_line.value
            if indent.strip() == '' and len(indent) + delta >= 0:
                comma = comma.with_changes(whitespace_after=after.with_changes(
                    last_line=cst.SimpleWhitespace(' ' * (len(indent) + delta))))
        args.append(arg.with_changes(comma=comma))
    return call.with_changes(args=args)


class _Imports(cst.CSTTransformer):
    """Pass 3: imports of renamed or replaced Keras names, and module renames."""

    def __init__(self, state, notes):
        super(_Imports, self).__init__()
        self.state, self.notes = state, notes

    def leave_Import(self, original, updated):
        names = []
        for alias in updated.names:
            module = _dotted(alias.name)
            keras_module = _normalize_module(module)
            if keras_module in table.MODULE_RENAMES:
                root = module.split('.')[0]
                new = root + table.MODULE_RENAMES[keras_module][len('keras'):]
                alias = alias.with_changes(name=cst.parse_expression(new))
            names.append(alias)
        return updated.with_changes(names=names)

    def leave_ImportFrom(self, original, updated):
        if updated.module is None or isinstance(updated.names, cst.ImportStar):
            return updated
        module = _dotted(updated.module)
        keras_module = _normalize_module(module)
        if keras_module.split('.')[0] != 'keras':
            return updated
        if keras_module in table.MODULE_RENAMES:
            new_module = module.replace(keras_module.split('.', 1)[1],
                                        table.MODULE_RENAMES[keras_module].split('.', 1)[1], 1) \
                if '.' in keras_module else module
            updated = updated.with_changes(module=cst.parse_expression(new_module))
        names, seen, replaced = [], set(), False
        for alias in updated.names:
            imported = alias.name.value if isinstance(alias.name, cst.Name) else _dotted(alias.name)
            local = alias.asname.name.value if alias.asname else imported
            if imported == 'objectives' and keras_module == 'keras':
                alias = alias.with_changes(name=cst.Name('losses'), asname=alias.asname or cst.AsName(
                    name=cst.Name('objectives')))
                names.append(alias)
                continue
            replacement = self.replacement(keras_module, imported, local)
            replaced = replaced or (imported in self.REPLACED and replacement != [imported])
            for new in replacement:
                key = (new, alias.asname.name.value if alias.asname and new == replacement[0] else None)
                if key in seen:
                    continue
                seen.add(key)
                asname = alias.asname if (alias.asname and len(replacement) == 1) else None
                names.append(cst.ImportAlias(name=cst.Name(new), asname=asname))
        if not names:
            return cst.RemoveFromParent()
        fixed = []
        same_count = len(names) == len(updated.names)
        for index, alias in enumerate(names):
            if same_count:
                comma = updated.names[index].comma
            else:
                comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(' ')) if index < len(names) - 1 \
                    else cst.MaybeSentinel.DEFAULT
            fixed.append(alias.with_changes(comma=comma))
        if self.unchanged(updated.names, fixed):
            return updated
        if replaced and keras_module.startswith('keras.layers.'):
            # Keras 2 `keras.layers` holds every layer; its submodules do not hold the replacements.
            updated = updated.with_changes(module=cst.parse_expression(module.split('.')[0] + '.layers'))
        return updated.with_changes(names=fixed)

    @staticmethod
    def unchanged(old, new):
        strip = lambda aliases: [(_code(a.name), _code(a.asname) if a.asname else None) for a in aliases]
        return strip(old) == strip(new)

    REPLACED = ('merge', 'Merge', 'TimeDistributedDense') + tuple(_FACTORIES)

    def replacement(self, module, imported, local):
        """The names an import of `imported` becomes."""
        if imported in table.CLASS_RENAMES and imported not in ('Container', 'Network'):
            return [table.CLASS_RENAMES[imported]]
        for entry in table.FUNCTION_RENAMES:
            if entry.old == imported and entry.old != entry.new and not entry.runtime and (
                    module == entry.module or module.startswith(entry.module + '.')):
                return [entry.new]
        if local in self.state.needed and (imported in self.REPLACED or imported in self.state.needed[local]):
            names = sorted(self.state.needed[local])
            return names + ([imported] if local in self.state.kept else [])
        return [imported]


# ------------------------------------------------------------------------------------------------------------
# Entry points.

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
