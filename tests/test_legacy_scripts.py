"""Keras 1.2-style scripts (`tests/keras1_scripts/`) run unmodified and train; migrated, they run with no
migration warning, and the migrated calls are the Keras 2 calls the run-time warnings suggested.

`python -m kernelkit run` is tested in a fresh interpreter per script; the comparison with the migrator runs the
scripts in this process (with `install_as_keras()`, undone afterwards).
"""
import ast
import os
import runpy
import subprocess
import sys
import warnings

import numpy as np
import pytest

from kernelkit.legacy import KerasMigrationWarning, migrate_source
from kernelkit.legacy.aliases import install_as_keras, uninstall_as_keras
from kernelkit.engine.training import Model

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(HERE)
SCRIPTS_DIR = os.path.join(HERE, 'keras1_scripts')
SCRIPTS = ['mlp', 'cnn', 'lstm', 'functional', 'generator']


def _needs(name):
    if name == 'generator' and not hasattr(Model, 'fit_generator'):
        pytest.skip('the engine has no Model.fit_generator yet')


@pytest.mark.parametrize('name', SCRIPTS)
def test_script_runs_unmodified_with_python_m_kernelkit_run(name):
    _needs(name)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL='2',
               PYTHONPATH=os.pathsep.join(p for p in (REPO_ROOT, os.environ.get('PYTHONPATH')) if p))
    proc = subprocess.run([sys.executable, '-m', 'kernelkit', 'run', os.path.join(SCRIPTS_DIR, name + '.py')],
                          cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'TRAINED' in proc.stdout
    assert 'KerasMigrationWarning' in proc.stderr


@pytest.fixture
def as_keras():
    install_as_keras()
    try:
        yield
    finally:
        uninstall_as_keras()


def _run(path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        namespace = runpy.run_path(path, run_name='__main__')
    return namespace, [w.message for w in caught if issubclass(w.category, KerasMigrationWarning)]


def _canonical(value):
    if isinstance(value, (str, bool, int, float, type(None))):
        return value
    if isinstance(value, (tuple, list)):
        return tuple(_canonical(v) for v in value)
    if isinstance(value, np.ndarray):
        return ('array', value.shape)
    return type(value).__name__


def _migrated_calls(source, namespace):
    """`{name: [(args, kwargs), ...]}` of the calls in `source`, evaluated in the script's final namespace."""
    calls = {}
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, 'attr', None)

        def value(expression):
            return _canonical(eval(compile(ast.Expression(expression), '<migrated>', 'eval'), namespace))
        try:
            args = tuple(value(a) for a in node.args)
            kwargs = {k.arg: value(k.value) for k in node.keywords}
        except Exception:  # an expression that only makes sense where it stood
            continue
        calls.setdefault(name, []).append((args, kwargs))
    return calls


@pytest.mark.parametrize('name', SCRIPTS)
def test_migrated_script_matches_the_runtime_suggestions_and_runs_without_warnings(name, as_keras, tmp_path,
                                                                                   capsys):
    _needs(name)
    path = os.path.join(SCRIPTS_DIR, name + '.py')
    with open(path) as f:
        source = f.read()
    _, runtime = _run(path)
    assert runtime, 'the Keras 1 script should need conversions'
    migrated, notes = migrate_source(source, path)
    assert migrated != source and not [n for n in notes if n.level == 'ERROR']
    migrated_path = tmp_path / (name + '_keras2.py')
    migrated_path.write_text(migrated)
    namespace, leftovers = _run(str(migrated_path))
    assert leftovers == [], [str(w) for w in leftovers]
    assert 'TRAINED' in capsys.readouterr().out
    calls = _migrated_calls(migrated, namespace)
    suggested = [w for w in runtime if w.arguments is not None]
    assert suggested
    for warning in suggested:
        call_name = warning.new_call.split('(')[0]
        args, kwargs = warning.arguments
        expected = (_canonical(tuple(args)), {k: _canonical(v) for k, v in kwargs.items()})
        assert expected in calls.get(call_name, []), (warning.new_call, calls.get(call_name))
    assert migrate_source(migrated)[0] == migrated
