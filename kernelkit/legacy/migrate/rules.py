"""The table's rules applied to source code: one `_src_*` function per rule type of `kernelkit.legacy.table`.

The counterpart of the run-time `interfaces._PREPROCESSORS`: the same table entry rewrites a call's source
here and converts a call's arguments there. Separate from the passes, which decide which calls an interface
applies to; a new rule type in the table needs one function here and one entry in `_SOURCE_RULES`.
"""
import libcst as cst

from kernelkit.legacy import table
from kernelkit.legacy.migrate.nodes import _code, _is_int_literal, _keyword, _literal, _tuple, _value_node
from kernelkit.legacy.migrate.notes import ERROR, WARNING


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
