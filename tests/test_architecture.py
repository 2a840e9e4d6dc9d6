"""The layering rules of ARCHITECTURE.md, read from the source: module-level imports only (an import
inside a function is a deliberate, documented upward use)."""
import ast
import os

import pytest

ROOT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'kernelkit')
LIMIT = 800


def _modules():
    modules = {}
    for folder, _, files in os.walk(ROOT):
        for name in files:
            if name.endswith('.py'):
                path = os.path.join(folder, name)
                dotted = os.path.relpath(path, os.path.dirname(ROOT))[:-3].replace(os.sep, '.')
                modules[dotted[:-len('.__init__')] if dotted.endswith('.__init__') else dotted] = path
    return modules


MODULES = _modules()


def _module_level_imports(name, path):
    """The kernelkit modules `name` imports when it is imported (statements at module level, also
    inside module-level `if`/`try`). `from package import submodule` counts as importing the submodule."""
    package = name if path.endswith('__init__.py') else name.rsplit('.', 1)[0]
    found = set()

    def visit(statements):
        for node in statements:
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ''
                if node.level:
                    parts = package.split('.')
                    base = '.'.join(parts[:len(parts) - node.level + 1] + ([base] if base else []))
                for alias in node.names:
                    full = base + '.' + alias.name
                    found.add(full if full in MODULES else base)
            elif isinstance(node, (ast.If, ast.Try)):
                visit(node.body)
                visit(node.orelse)
                visit(getattr(node, 'finalbody', []))
                for handler in getattr(node, 'handlers', []):
                    visit(handler.body)

    with open(path) as handle:
        visit(ast.parse(handle.read()).body)
    return {module for module in found if module in MODULES and module != name}


GRAPH = {name: _module_level_imports(name, path) for name, path in MODULES.items()}


def _cycles():
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, components = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in GRAPH[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in GRAPH:
        if node not in index:
            visit(node)
    return components


def test_the_analysis_sees_the_imports():
    assert 'kernelkit.engine.training' in GRAPH['kernelkit.models']
    assert 'kernelkit.backend.config' in GRAPH['kernelkit.engine.base_layer']


def test_no_module_level_import_cycle():
    assert _cycles() == []


def test_the_backend_is_a_leaf():
    upward = {name: sorted(m for m in imports if not m.startswith(('kernelkit.backend', 'kernelkit._tensorflow')))
              for name, imports in GRAPH.items() if name.startswith('kernelkit.backend')}
    assert {name: found for name, found in upward.items() if found} == {}


@pytest.mark.parametrize('lower, forbidden', [
    ('kernelkit.engine', ('kernelkit.layers', 'kernelkit.callbacks', 'kernelkit.widgets', 'kernelkit.legacy')),
    ('kernelkit.layers', ('kernelkit.widgets', 'kernelkit.legacy', 'kernelkit.callbacks')),
])
def test_lower_layers_do_not_import_upper_ones(lower, forbidden):
    found = {name: sorted(m for m in imports if m.startswith(forbidden))
             for name, imports in GRAPH.items() if name.startswith(lower)}
    assert {name: modules for name, modules in found.items() if modules} == {}


def test_no_hidden_import_hooks():
    hooks = []
    for name, path in MODULES.items():
        with open(path) as handle:
            if '__import__(' in handle.read():
                hooks.append(name)
    assert hooks == []


def test_modules_stay_small():
    sizes = {}
    for name, path in MODULES.items():
        with open(path) as handle:
            sizes[name] = sum(1 for _ in handle)
    too_big = {name: size for name, size in sizes.items() if size > LIMIT}
    assert too_big == {}
