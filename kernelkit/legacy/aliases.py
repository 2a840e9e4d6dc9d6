"""`install_as_keras()`: `import keras` (and the Keras 1 and 2 module paths) resolves to kernelkit.

After `kernelkit.install_as_keras()` (or under `python -m kernelkit run script.py`), a script written for Keras 1
or 2 runs as written: `import keras`, `from keras.layers import Dense`, `from keras.layers.convolutional import
Convolution2D, MaxPooling2D`, `from keras.utils import np_utils`, `keras.objectives`, `import keras.backend as K`
all give kernelkit's objects.

How: a meta-path finder (first on `sys.meta_path`) answers every `keras` / `keras.*` import with an *alias
module*: a small module object whose attributes come from the kernelkit modules listed for that path in
`table.MODULE_PATHS` (or `kernelkit.<same path>` for the packages of `table.MODULE_PACKAGES`). The kernelkit
modules themselves are never renamed or modified; classes and functions are the very same objects, so
`keras.layers.Dense is kernelkit.layers.Dense`. Module state (the backend's image data format, the session)
lives in the kernelkit modules, so `keras.backend.set_image_data_format(...)` acts on kernelkit.
"""
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types

from kernelkit.legacy import table

KERAS_VERSION = '2.2.4'


def _public_names(module):
    names = getattr(module, '__all__', None)
    if names is None:
        names = [n for n in vars(module) if not n.startswith('_')]
    return list(names)


class AliasModule(types.ModuleType):
    """A `keras...` module whose attributes are those of one or more kernelkit modules (first match wins)."""

    def __init__(self, name, targets):
        super(AliasModule, self).__init__(name)
        self.__dict__['_kernelkit_targets'] = tuple(targets)
        names = []
        for target in targets:
            names += [n for n in _public_names(target) if n not in names]
        self.__dict__['__all__'] = names
        self.__dict__['__doc__'] = 'Keras module path `%s`, provided by %s.' % (
            name, ', '.join('`%s`' % t.__name__ for t in targets))

    def __getattr__(self, name):
        if name.startswith('__') and name.endswith('__'):
            raise AttributeError(name)
        for target in self.__dict__['_kernelkit_targets']:
            try:
                value = getattr(target, name)
            except AttributeError:
                continue
            if isinstance(value, types.ModuleType) and self.__name__ + '.' + name in table.MODULE_PATHS:
                # A submodule with a Keras path of its own (`keras.legacy.interfaces`): its alias.
                return importlib.import_module(self.__name__ + '.' + name)
            return value
        if name in table.MODULE_REEXPORTS:
            return reexported(name)
        raise AttributeError('module %r has no attribute %r' % (self.__name__, name))

    def __dir__(self):
        return sorted(set(self.__dict__) | set(self.__dict__['__all__']))


def reexported(name):
    """The object a Keras 2.2.4 module carried under `name` because it imported it (`table.MODULE_REEXPORTS`).

    # Arguments
        name: e.g. `'K'`, `'interfaces'`, `'has_arg'`.

    # Returns
        The kernelkit module or object.
    """
    module_name, _, attribute = table.MODULE_REEXPORTS[name].partition(':')
    module = importlib.import_module(module_name)
    return getattr(module, attribute) if attribute else module


def _import(name):
    """The module `name`, or None when there is no such module. An import error raised inside a module
    that exists is not hidden."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name is not None and not name.startswith(error.name):
            raise
        return None


def targets_for(fullname):
    """The kernelkit modules that provide the names of the Keras module path `fullname` (empty: none)."""
    if fullname in table.MODULE_PATHS:
        return [m for m in (_import(n) for n in table.MODULE_PATHS[fullname]) if m is not None]
    parts = fullname.split('.')
    if len(parts) >= 2 and parts[1] in table.MODULE_PACKAGES:
        module = _import('kernelkit.' + '.'.join(parts[1:]))
        if module is not None:
            return [module]
    return []


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, targets):
        self.targets = targets

    def create_module(self, spec):
        module = AliasModule(spec.name, self.targets)
        if spec.name == 'keras':
            module.__dict__['__version__'] = KERAS_VERSION
        return module

    def exec_module(self, module):
        if module.__name__ == 'keras.objectives':  # importing it warns, as kernelkit.objectives does
            import kernelkit.objectives  # noqa: F401


class KerasFinder(importlib.abc.MetaPathFinder):
    """Finds `keras` and `keras.*` as alias modules of kernelkit."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != 'keras' and not fullname.startswith('keras.'):
            return None
        if fullname in table.MODULE_MISSING:
            raise ImportError(table.MODULE_MISSING[fullname], name=fullname)
        targets = targets_for(fullname)
        if not targets:
            return None
        is_package = any(hasattr(t, '__path__') for t in targets) or fullname in ('keras', 'keras.layers')
        spec = importlib.machinery.ModuleSpec(fullname, _AliasLoader(targets), is_package=is_package)
        if is_package:
            spec.submodule_search_locations = []
        return spec


def installed():
    """Whether `install_as_keras()` is in effect."""
    return any(isinstance(finder, KerasFinder) for finder in sys.meta_path)


def install_as_keras():
    """Makes `import keras` and every Keras 1/2 module path give kernelkit (see the module docstring).

    Modules named `keras` or `keras.*` already imported (a real Keras) are removed from `sys.modules`, so later
    imports see kernelkit; objects already imported from them are not affected. Idempotent.

    # Returns
        The `keras` alias module.
    """
    if not installed():
        sys.meta_path.insert(0, KerasFinder())
    for name in list(sys.modules):
        if (name == 'keras' or name.startswith('keras.')) and not isinstance(sys.modules[name], AliasModule):
            del sys.modules[name]
    return importlib.import_module('keras')


def uninstall_as_keras():
    """Undoes `install_as_keras()` (removes the finder and the alias modules)."""
    sys.meta_path[:] = [finder for finder in sys.meta_path if not isinstance(finder, KerasFinder)]
    for name in list(sys.modules):
        if isinstance(sys.modules[name], AliasModule):
            del sys.modules[name]
