"""The migrator's pass for Keras 1 Sequential branches: a `Merge` of models as the first layer of a `Sequential`.

Keras 1 (and Keras 2.0-2.1, with a warning) built a model from branch models like this:

    model = Sequential()
    model.add(Merge([left, right], mode='concat'))
    model.add(Dense(1))

Keras 2 writes it with the functional API; this pass rewrites the statements in place:

    model_output = concatenate([left.output, right.output])
    model_output = Dense(1)(model_output)
    model = Model([left.input, right.input], model_output)

`model = Sequential([Merge([...]), Dense(1)])` is rewritten the same way. The `Model` call comes right after the last
`model.add(...)`; statements in between that do not use `model` stay where they are. The pattern is only rewritten
when it can be read for sure (branches that are names, a literal mode of `table.MERGE_MODES`, no `node_indices` /
`tensor_indices`, plain imports of `Sequential` and `Merge`, every `model.add` in the same block); otherwise the
code is left as it is and the main pass reports the `Merge` call (it still runs on kernelkit, with a warning).

`rewrite_branches(wrapper, state, notes)` runs between the migrator's binding pass and its call pass (see
`kernelkit.legacy.migrate._migrate_modules`); the call pass then converts the Keras 1 arguments of the layers.
"""
import libcst as cst
from libcst.metadata import PositionProvider

from kernelkit.legacy import table
from kernelkit.legacy.migrate import _code, _literal

_INFO, _ERROR = 'INFO', 'ERROR'


def _is_dotted(node):
    return isinstance(node, cst.Name) or (isinstance(node, cst.Attribute) and _is_dotted(node.value))


def _single_call(statement):
    """`(target name or None, call)` for `x = f(...)` / `f(...)` statement lines, else `(None, None)`."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None, None
    small = statement.body[0]
    if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name) \
            and isinstance(small.value, cst.Call):
        return small.targets[0].target.value, small.value
    if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
        return None, small.value
    if isinstance(small, cst.Return) and isinstance(small.value, cst.Call):
        return '', small.value   # `return Sequential([...])`
    return None, None


class _Uses(cst.CSTVisitor):
    def __init__(self, name):
        self.name, self.found = name, False

    def visit_Name(self, node):
        if node.value == self.name:
            self.found = True


def _uses(node, name):
    visitor = _Uses(name)
    node.visit(visitor)
    return visitor.found


class _Branches(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, state, notes):
        super(_Branches, self).__init__()
        self.state, self.notes = state, notes

    # -- helpers ---------------------------------------------------------------------------------------------
    def note(self, node, level, message):
        from kernelkit.legacy.migrate import _Calls
        _Calls.note(self, node, level, message)

    def resolve_keras(self, func):
        from kernelkit.legacy.migrate import _Calls
        return _Calls.resolve_name(self, func)

    def is_keras(self, func, short_name):
        qualified, short = self.resolve_keras(func)
        return qualified is not None and short == short_name and qualified.split('.')[0] in ('keras', '?')

    def callee(self, func, new):
        """`func` renamed `new` (`Merge` -> `concatenate`, `Sequential` -> `Model`), recording the import it needs;
        `None` when the name is an alias (`import ... as X`), which this pass leaves alone."""
        if isinstance(func, cst.Attribute):
            return func.with_changes(attr=cst.Name(new))
        local = func.value
        bound = self.state.bindings.get(local)
        if bound is None:
            return cst.Name(new)        # `import *`, or an earlier cell
        if bound.rsplit('.', 1)[-1] != local:
            return None
        self._pending.append((local, new))
        return cst.Name(new)

    def merge_of_models(self, call):
        """The pieces of `Merge([a, b], mode=...)` when it can be rewritten: `(branches, values)`, else None."""
        if not (isinstance(call, cst.Call) and self.is_keras(call.func, 'Merge')):
            return None
        values, positional = {}, 0
        for arg in call.args:
            if arg.star:
                return None
            if arg.keyword is None:
                if positional >= len(table.MERGE_LAYER_ARGS):
                    return None
                values[table.MERGE_LAYER_ARGS[positional]] = arg.value
                positional += 1
            else:
                values[arg.keyword.value] = arg.value
        layers = values.get('layers')
        if not isinstance(layers, (cst.List, cst.Tuple)) or len(layers.elements) < 2:
            return None
        branches = [element.value for element in layers.elements]
        if not all(isinstance(e, cst.Element) for e in layers.elements) or not all(map(_is_dotted, branches)):
            return None
        if 'node_indices' in values or 'tensor_indices' in values:
            return None
        ok, mode = _literal(values['mode']) if 'mode' in values else (True, 'sum')
        if not ok or not isinstance(mode, str) or mode not in table.MERGE_MODES:
            return None
        values['mode_value'] = mode
        return branches, values

    def merged_expression(self, call, branches, values):
        entry = table.MERGE_MODES[values['mode_value']]
        func = self.callee(call.func, entry.function)
        if func is None:
            return None
        parts = ['[%s]' % ', '.join('%s.output' % _code(b) for b in branches)]
        for new, old in entry.arguments.items():
            if old in values:
                ok, value = _literal(values[old])
                if not (ok and new in entry.defaults and value == entry.defaults[new]):
                    parts.append('%s=%s' % (new, _code(values[old])))
            elif entry.layer == 'Dot':   # Keras 1's default dot_axes=-1; Keras 2's `dot` needs `axes`
                parts.append('%s=-1' % new)
        parts += ['%s=%r' % item for item in entry.fixed.items()]
        if 'name' in values:
            parts.append('name=%s' % _code(values['name']))
        return '%s(%s)' % (_code(func), ', '.join(parts))

    # -- blocks ----------------------------------------------------------------------------------------------
    def leave_Module(self, original, updated):
        return updated.with_changes(body=self.rewrite_block(original.body, list(updated.body)))

    def leave_IndentedBlock(self, original, updated):
        return updated.with_changes(body=self.rewrite_block(original.body, list(updated.body)))

    def rewrite_block(self, originals, body):
        index = 0
        while index < len(body):
            result = self.rewrite_at(originals, body, index)
            if result is None:
                index += 1
            else:
                body, originals, index = result
        return body

    def rewrite_at(self, originals, body, index):
        """Rewrites the pattern starting at `body[index]` (a `name = Sequential(...)` line); returns the new
        `(body, originals, next index)`, or None when there is nothing to rewrite there."""
        name, call = _single_call(body[index])
        if name is None or not self.is_keras(call.func, 'Sequential'):
            return None
        returned = name == ''
        name = name or 'model'
        self._pending = []
        layers_arg = [a for a in call.args if (a.keyword is None and not a.star) or
                      (a.keyword is not None and a.keyword.value == 'layers')]
        model_name = [a.value for a in call.args if a.keyword is not None and a.keyword.value == 'name']
        replaced = {}   # index in body -> list of new statement codes
        if layers_arg:
            stack = layers_arg[0].value
            if not isinstance(stack, cst.List) or not stack.elements:
                return None
            first = self.merge_of_models(stack.elements[0].value)
            if first is None:
                return None
            layers = [element.value for element in stack.elements[1:]]
            merge_call, last = stack.elements[0].value, index
            replaced[index] = None
        elif returned:
            return None
        else:
            adds, last = [], None
            for position in range(index + 1, len(body)):
                _, add = _single_call(body[position])
                if (add is not None and isinstance(add.func, cst.Attribute) and isinstance(add.func.value, cst.Name)
                        and add.func.value.value == name and add.func.attr.value == 'add' and len(add.args) == 1
                        and add.args[0].keyword is None and not add.args[0].star):
                    adds.append((position, add.args[0].value))
                    last = position
                elif _uses(body[position], name):
                    break
            if not adds:
                return None
            first = self.merge_of_models(adds[0][1])
            if first is None:
                return None
            later = [s for s in body[last + 1:] if _uses(s, name) and '%s.add(' % name in _code(s)]
            if later:
                self.note(originals[index], _ERROR, 'the Keras 1 branches of `%s` are not all added in one block: '
                          'rewrite the model with the functional API by hand (%s)'
                          % (name, table.MERGE_SEQUENTIAL % table.MERGE_MODES[first[1]['mode_value']].function))
                return None
            merge_call = adds[0][1]
            layers = [layer for _, layer in adds[1:]]
            replaced[index] = None
            for position, _ in adds:
                replaced[position] = None
        branches, values = first
        merged = self.merged_expression(merge_call, branches, values)
        model_func = self.callee(call.func, 'Model')
        if merged is None or model_func is None:
            self.note(originals[index], _ERROR, 'the Keras 1 branches of `%s` use an aliased import: rewrite the '
                      'model with the functional API by hand.' % name)
            return None
        output = '%s_output' % name
        codes = ['%s = %s\n' % (output, merged)]
        codes += ['%s = %s(%s)\n' % (output, _code(layer), output) for layer in layers]
        inputs = '[%s]' % ', '.join('%s.input' % _code(b) for b in branches)
        extra = ', name=%s' % _code(model_name[0]) if model_name else ''
        codes.append('%s %s(%s, %s%s)\n' % ('return' if returned else name + ' =', _code(model_func), inputs, output,
                                              extra))
        for local, new in self._pending:
            needed = self.state.needed.setdefault(local, set())
            needed.add(new)
            if new == 'Model':
                needed.add(local)   # `Sequential` stays imported (the branches may use it)
        self.note(originals[index], _INFO, 'Keras 1 Sequential branches of `%s` (`Merge(mode=%r)` of %s) -> the '
                  'functional API: `%s`, then `%s = %s(%s, %s)`'
                  % (name, values['mode_value'], ', '.join(_code(b) for b in branches), merged, name,
                     _code(model_func), inputs, output))
        return self.splice(originals, body, index, replaced, codes)

    @staticmethod
    def splice(originals, body, index, replaced, codes):
        """Removes the `replaced` statements, putting `codes` in: the merge at the first add (or at the Sequential
        line), one line per following add, the `Model` line after the last one."""
        positions = sorted(replaced)
        slots = positions[1:] if len(positions) > 1 else positions
        statements = [cst.parse_statement(code) for code in codes]
        placed = {}
        if len(positions) == 1:
            placed[positions[0]] = statements
        else:   # slots: one per add; the Model line goes with the last add
            for slot, statement in zip(slots, statements[:-1]):
                placed[slot] = [statement]
            placed[slots[-1]] = placed[slots[-1]] + [statements[-1]]
        new_body, new_originals, carried = [], [], None
        for position, statement in enumerate(body):
            if position not in replaced:
                if carried is not None:
                    statement = statement.with_changes(leading_lines=list(carried) + list(statement.leading_lines))
                    carried = None
                new_body.append(statement)
                new_originals.append(originals[position])
                continue
            if position not in placed:   # the `Sequential()` line: its comments go to the next statement
                carried = list(carried or []) + list(statement.leading_lines)
                continue
            for number, new in enumerate(placed[position]):
                if number == 0:
                    leading = list(carried or []) + list(statement.leading_lines)
                    new = new.with_changes(leading_lines=leading, trailing_whitespace=statement.trailing_whitespace)
                    carried = None
                new_body.append(new)
                new_originals.append(originals[position])
        next_index = index + 1
        return new_body, new_originals, next_index


def rewrite_branches(wrapper, state, notes):
    """Rewrites the Keras 1 Sequential branches of a module (see the module docstring).

    # Arguments
        wrapper: the `libcst.metadata.MetadataWrapper` of the module.
        state: the migrator's shared `_State` (bindings, and the imports the rewrite needs).
        notes: the list the report notes are appended to.

    # Returns
        The new module.
    """
    return wrapper.visit(_Branches(state, notes))
