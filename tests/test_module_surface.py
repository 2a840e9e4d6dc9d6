"""The whole Keras 2.2.4 module surface, walked from the manifest generated from its source.

`../shared/reference/keras-2.2.4-api.txt` lists every module path of Keras 2.2.4 with the names defined
or re-exported at its top level (`*.x` entries stand for `from .x import *`), and a private line of
underscore names. After `install_as_keras()` every path must import as `keras.<path>` and every name
must resolve there; for the modules kernelkit documents, the same names resolve on `kernelkit.<path>`,
except the helper modules Keras 2 merely imported at module level (`K`, `interfaces`, ...), which only
the `keras.*` aliases carry. Of the private line, the helpers of `keras.engine.*`, `keras.utils.*`, `keras.models`,
`keras.layers.*`, `keras.datasets.*` and `keras.preprocessing.*` (what outside code imports) must
resolve; the others (TensorFlow 1 session internals of the backend) are counted. The walk runs in a subprocess, so the `keras` alias never meets the real
Keras 3 that TensorFlow installs beside it in this process.
"""
import json
import os
import subprocess
import sys

import pytest

MANIFEST = os.path.join(os.path.dirname(__file__), '..', '..', 'shared', 'reference', 'keras-2.2.4-api.txt')
# The CNTK and Theano backends are out of scope (the issue excludes them; the manifest lists none).
EXCLUDED_PREFIXES = ('keras.backend.cntk_backend', 'keras.backend.theano_backend')

WALKER = r'''
import importlib, json, sys, warnings
warnings.simplefilter('ignore')
import kernelkit
from kernelkit.legacy import table
manifest = json.loads(sys.argv[1])
kernelkit.install_as_keras()
PRIVATE_REQUIRED = ('keras.engine', 'keras.utils', 'keras.models', 'keras.layers', 'keras.datasets',
                    'keras.preprocessing', 'keras.initializers')
result = {'modules': 0, 'names': 0, 'private': 0, 'required_private': 0, 'kernelkit_names': 0,
          'failures': []}
for path, (names, private) in sorted(manifest.items()):
    try:
        module = importlib.import_module(path)
    except Exception as error:
        result['failures'].append('import %s: %r' % (path, error))
        continue
    result['modules'] += 1
    for name in names + private:
        try:
            getattr(module, name)
        except Exception as error:
            if name not in private or path.startswith(PRIVATE_REQUIRED):
                result['failures'].append('%s.%s: %r' % (path, name, error))
            continue
        result['private' if name in private else 'names'] += 1
        if name in private and path.startswith(PRIVATE_REQUIRED):
            result['required_private'] += 1
    kernelkit_path = 'kernelkit' + path[len('keras'):]
    try:
        own = importlib.import_module(kernelkit_path)
    except ImportError:
        own = None  # a Keras path that kernelkit serves only through its alias (e.g. keras.engine.topology)
    if own is not None and path in table.DOCUMENTED_MODULES:
        for name in names:
            if name in table.MODULE_REEXPORTS:
                continue
            if hasattr(own, name):
                result['kernelkit_names'] += 1
            else:
                result['failures'].append('%s.%s (kernelkit path)' % (kernelkit_path, name))
print(json.dumps(result))
'''


def _parse_manifest():
    modules = {}
    current = None
    with open(MANIFEST) as handle:
        for line in handle:
            if not line.strip() or line.startswith('#'):
                continue
            if line.startswith('    private:'):
                modules[current][1].extend(line.split(':', 1)[1].split())
                continue
            path, names = line.split(':', 1)
            current = path.strip()
            modules[current] = (names.split(), [])
    return modules


def _star_target(path, relative, packages):
    """`from <relative> import *` inside module `path`: the absolute module it names."""
    dots = len(relative) - len(relative.lstrip('.'))
    base = path.split('.')
    if path not in packages:  # a plain module: `.x` is relative to its package
        base = base[:-1]
    base = base[:len(base) - (dots - 1)] if dots > 1 else base
    return '.'.join(base + [relative.lstrip('.')])


def expanded_manifest():
    """Every module path -> (public names with `*` entries expanded, private names)."""
    raw = _parse_manifest()
    packages = {p for p in raw if any(q.startswith(p + '.') for q in raw)}

    def public(path, seen=()):
        names = []
        for entry in raw[path][0]:
            if entry.startswith('*'):
                target = _star_target(path, entry[1:], packages)
                assert target in raw, 'the manifest names an unknown module %s (in %s)' % (target, path)
                names += [n for n in public(target, seen + (path,)) if not n.startswith('_')]
            else:
                names.append(entry)
        return sorted(set(names))

    return {path: (public(path), raw[path][1]) for path in raw
            if not path.startswith(EXCLUDED_PREFIXES)}


@pytest.fixture(scope='module')
def manifest():
    if not os.path.exists(MANIFEST):
        pytest.skip('the Keras 2.2.4 manifest (../shared/reference) is not here')
    return expanded_manifest()


def test_star_entries_expand_to_the_modules_they_import(manifest):
    layers, _ = manifest['keras.layers']
    assert {'Dense', 'Conv2D', 'LSTM', 'MaxoutDense', 'CuDNNLSTM', 'Bidirectional'} <= set(layers)
    assert 'mean_squared_error' in manifest['keras.objectives'][0]
    assert 'MobileNetV2' in manifest['keras.applications.mobilenetv2'][0]


def test_every_module_and_name_of_keras_2_2_4_resolves(manifest):
    done = subprocess.run([sys.executable, '-c', WALKER, json.dumps(manifest)], capture_output=True,
                          text=True, timeout=600, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL='3'))
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    public = sum(len(names) for names, _ in manifest.values())
    private = sum(len(names) for _, names in manifest.values())
    print('\nKeras 2.2.4 surface: %d/%d modules, %d/%d public names, %d/%d private names, '
          '%d names on kernelkit.* paths' % (result['modules'], len(manifest), result['names'], public,
                                            result['private'], private, result['kernelkit_names']))
    assert result['failures'] == []
    assert result['modules'] == len(manifest)
    assert result['names'] == public
