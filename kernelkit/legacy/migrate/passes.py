"""The three libcst passes over a module: `_Bindings` (what the names refer to), `_Calls` (rewrites calls,
names and attributes) and `_Imports` (rewrites the imports), sharing a `_State`.

Separate from the entry points because the passes are the migrator's walk over the code, the part to read when
a call is not found or found wrongly; `kernelkit.legacy.migrate_merge` reuses `_Calls` for Keras 1 branches.
"""
import libcst as cst
from libcst.metadata import PositionProvider

from kernelkit.legacy import table
from kernelkit.legacy.migrate.nodes import (_Args, _Context, _FACTORIES, _FLOW_DEFAULT_BATCH, _FLOW_METHODS,
                                            _FUNCTIONS, _KERAS_ROOTS, _LAYERS, _MODEL, _MODEL_METHODS, _code,
                                            _dotted, _keyword, _literal, _normalize_module, _tuple, _value_node)
from kernelkit.legacy.migrate.notes import ERROR, INFO, WARNING, Note
from kernelkit.legacy.migrate.rules import _apply_interface


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
