"""Writing a `ModelGraph` as Keras 2 code: `model_code(graph)`, behind `ModelGraph.code()`.

The code is text made from the description alone (no model is built): `Sequential().add(...)` for a plain
stack, the functional API otherwise, with only the imports it uses. It is separate from building because
it follows the same description into another form, and a reader of one need not read the other.

No widget library is needed here.
"""
import keyword
import re

from kernelkit.widgets.graph_build import first_layer_arguments, input_arguments
from kernelkit.widgets.graph_common import layer_class, takes_safe_mode
from kernelkit.widgets.params import (OPTIMIZERS, Expr, expression_namespace, format_value, is_merge_layer,
                                      layer_params)


def model_code(graph, package='kernelkit'):
    """Returns Keras 2 code that builds (and compiles, when set) the model a graph describes.

    A plain stack is written with `Sequential().add(...)`, anything else with the functional API.
    Layer names are written out, so running the code gives the same model config.

    # Arguments
        graph: a `ModelGraph`.
        package: the name to import from (`'kernelkit'`, or `'keras'` for code meant for Keras 2).

    # Returns
        The source code (a string) defining `model`.
    """
    imports_layers, imports_modules = set(), set()
    lines = []
    namespace_names = set(expression_namespace())
    modules = ('activations', 'backend', 'constraints', 'initializers', 'layers', 'losses', 'optimizers',
               'regularizers')

    def note_names(value):
        for item in _iter_exprs(value):
            for identifier in _identifiers(item.code):
                if identifier in modules:
                    imports_modules.add(identifier)
                elif identifier == 'K':
                    imports_modules.add('K')
                elif identifier in namespace_names and identifier not in ('keras', 'kernelkit'):
                    imports_layers.add(identifier)

    def call(node, extra=None):
        class_name = node['class_name']
        if node.get('config') is not None:
            config = dict(node['config'], name=node['name'])
            config.update(extra or {})
            if takes_safe_mode(layer_class(class_name)):  # e.g. a Lambda stored as bytecode
                imports_layers.add(class_name)
                return '%s.from_config(%r, safe_mode=False)' % (class_name, config)
            imports_modules.add('layers')
            return 'layers.deserialize(%r)' % ({'class_name': class_name, 'config': config},)
        imports_layers.add(class_name)
        note_names(node['kwargs'])
        return '%s(%s)' % (class_name, constructor_arguments(layer_class(class_name), node['kwargs'], extra,
                                                  node['name']))

    if graph.uses_sequential():
        first = graph.nodes[0]
        shape, batch_size, dtype, _sparse = input_arguments(first)
        lines.append('model = Sequential(name=%r)' % graph.name)
        for position, node in enumerate(graph.nodes[1:]):
            extra = first_layer_arguments(shape, batch_size, dtype) if position == 0 else {}
            lines.append('model.add(%s)' % call(node, extra))
        model_import = 'Sequential'
    else:
        variables = _variable_names(graph.names())
        for node in graph.nodes:
            name = node['name']
            if node['class_name'] == 'InputLayer':
                imports_layers.add('Input')
                shape, batch_size, dtype, sparse = input_arguments(node)
                arguments = (['batch_shape=%r' % ((batch_size,) + shape,)] if batch_size is not None
                             else ['shape=%r' % (shape,)])
                if dtype is not None:
                    arguments.append('dtype=%r' % (dtype,))
                if sparse:
                    arguments.append('sparse=True')
                arguments.append('name=%r' % name)
                lines.append('%s = Input(%s)' % (variables[name], ', '.join(arguments)))
                continue
            inbound = [variables[source] for source in graph.inbound_of(name)]
            cls = layer_class(node['class_name'])
            argument = ('[%s]' % ', '.join(inbound)) if is_merge_layer(cls) else ', '.join(inbound)
            lines.append('%s = %s(%s)' % (variables[name], call(node), argument))
        inputs = [variables[name] for name in graph.input_names()]
        outputs = [variables[name] for name in graph.output_names()]
        lines.append('model = Model(inputs=%s, outputs=%s, name=%r)'
                     % (_one_or_list(inputs), _one_or_list(outputs), graph.name))
        model_import = 'Model'
    if graph.compile_settings:
        settings = graph.compile_settings
        if settings.get('lr') is not None:
            imports_modules.add('optimizers')
            optimizer = 'optimizers.%s(lr=%r)' % (OPTIMIZERS[settings['optimizer']], settings['lr'])
        else:
            optimizer = repr(settings['optimizer'])
        lines.append('model.compile(optimizer=%s, loss=%r, metrics=%r)'
                     % (optimizer, settings['loss'], list(settings['metrics'])))
    header = ['from %s.models import %s' % (package, model_import)]
    layer_imports = sorted(imports_layers - {'Input'})
    if 'Input' in imports_layers:
        layer_imports = ['Input'] + layer_imports
    if layer_imports:
        header.append(_wrapped_import('from %s.layers import ' % package, layer_imports))
    plain_modules = sorted(imports_modules - {'K'})
    if plain_modules:
        header.append('from %s import %s' % (package, ', '.join(plain_modules)))
    if 'K' in imports_modules:
        header.append('from %s import backend as K' % package)
    return '\n'.join(header) + '\n\n' + '\n'.join(lines) + '\n'


def _iter_exprs(value):
    if isinstance(value, Expr):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            for found in _iter_exprs(item):
                yield found
    elif isinstance(value, dict):
        for item in value.values():
            for found in _iter_exprs(item):
                yield found


def _identifiers(code):
    import ast
    try:
        tree = ast.parse(code, mode='eval')
    except SyntaxError:
        return set()
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def constructor_arguments(cls, kwargs, extra, name):
    """Renders constructor arguments: required ones positionally, the others by keyword, then `name`.

    # Arguments
        cls: the layer class.
        kwargs: the node's arguments (literals or `Expr`).
        extra: further arguments, written with `repr` (e.g. a first layer's `input_shape`), or None.
        name: the layer name.

    # Returns
        The text between the parentheses of the constructor call.
    """
    positional, keywords, done = [], [], set()
    positional_ok = True
    for spec in layer_params(cls):
        if spec.name not in kwargs:
            positional_ok = positional_ok and not spec.required
            continue
        done.add(spec.name)
        value = kwargs[spec.name]
        text = format_value(value) if value is not None else 'None'
        if spec.required and positional_ok:
            positional.append(text)
        else:
            positional_ok = False
            keywords.append('%s=%s' % (spec.name, text))
    for key, value in kwargs.items():  # arguments outside the signature (base-layer keywords)
        if key not in done:
            keywords.append('%s=%s' % (key, format_value(value) if value is not None else 'None'))
    for key, value in (extra or {}).items():
        keywords.append('%s=%r' % (key, value))
    keywords.append('name=%r' % name)
    return ', '.join(positional + keywords)


def _variable_names(names):
    reserved = {'model', 'Model', 'Input', 'Sequential', 'layers', 'optimizers', 'K'}
    variables, used = {}, set()
    for name in names:
        variable = re.sub(r'\W', '_', name)
        if not variable or variable[0].isdigit():
            variable = '_' + variable
        if keyword.iskeyword(variable) or variable in reserved or variable[0].isupper():
            variable += '_'
        while variable in used:
            variable += '_'
        used.add(variable)
        variables[name] = variable
    return variables


def _one_or_list(items):
    return items[0] if len(items) == 1 else '[%s]' % ', '.join(items)


def _wrapped_import(prefix, names, width=110):
    line = prefix + ', '.join(names)
    if len(line) <= width:
        return line
    lines, current = [], prefix + '('
    for position, name in enumerate(names):
        piece = name + (', ' if position < len(names) - 1 else ')')
        if len(current) + len(piece) > width:
            lines.append(current.rstrip())
            current = ' ' * (len(prefix) + 1)
        current += piece
    lines.append(current)
    return '\n'.join(lines)
