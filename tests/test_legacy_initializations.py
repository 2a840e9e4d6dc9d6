"""Keras 1's `keras.initializations` functions: they run (computed as Keras 1 did), warn with the Keras 2
call, and the migrator points at each call (oracle: the Keras 1 formulas, in numpy)."""
import subprocess
import sys
import warnings

import numpy as np
import pytest

from kernelkit import backend as K
from kernelkit.legacy import KerasMigrationWarning, migrate_source

with warnings.catch_warnings():
    warnings.simplefilter('ignore')
    from kernelkit.legacy import initializations


def _call(function, *args, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        value = function(*args, **kwargs)
    return K.get_value(value), [str(w.message) for w in caught if issubclass(w.category, KerasMigrationWarning)]


@pytest.mark.parametrize('name, shape, dim_ordering, bound', [
    ('glorot_uniform', (300, 200), 'th', np.sqrt(6. / 500)),
    ('he_uniform', (300, 200), 'th', np.sqrt(6. / 300)),
    ('lecun_uniform', (300, 200), 'th', np.sqrt(3. / 300)),
    # A 'th' kernel (out, in, rows, cols): fan_in = in * rows * cols; a 'tf' kernel (rows, cols, in, out).
    ('glorot_uniform', (64, 16, 3, 3), 'th', np.sqrt(6. / (16 * 9 + 64 * 9))),
    ('he_uniform', (3, 3, 16, 64), 'tf', np.sqrt(6. / (16 * 9))),
])
def test_uniform_families_follow_keras_1_fans(name, shape, dim_ordering, bound):
    value, messages = _call(getattr(initializations, name), shape, dim_ordering=dim_ordering)
    assert value.shape == shape and np.abs(value).max() <= bound
    assert np.abs(value).max() > 0.98 * bound  # the whole range is used
    assert abs(value.std() - bound / np.sqrt(3)) < 0.03 * bound
    assert messages == ['`initializations.%s(shape, ...)` is Keras 1; in Keras 2 write '
                        '`K.variable(initializers.%s()(shape))`, or `self.add_weight(shape=shape, '
                        'initializer=initializers.%s())` inside a layer.' % (name, name, name)]


@pytest.mark.parametrize('name, kwargs, std', [
    ('normal', {'scale': 0.01}, 0.01),
    ('glorot_normal', {}, np.sqrt(2. / 700)),
    ('he_normal', {}, np.sqrt(2. / 400)),
])
def test_normal_families_are_plain_normals(name, kwargs, std):
    value, _ = _call(getattr(initializations, name), (400, 300), **kwargs)
    assert abs(value.std() - std) < 0.03 * std and abs(value.mean()) < 0.05 * std
    assert np.abs(value).max() > 3 * std  # not truncated at 2 std, as Keras 2's truncated normal would be


def test_constant_orthogonal_identity_and_names():
    zero, messages = _call(initializations.zero, (2, 3), name='bias')
    assert np.array_equal(zero, np.zeros((2, 3))) and 'initializers.Zeros()' in messages[0]
    one, _ = _call(initializations.one, (4,))
    assert np.array_equal(one, np.ones(4))
    q, _ = _call(initializations.orthogonal, (5, 5), scale=2.0)
    np.testing.assert_allclose(q.T @ q, 4.0 * np.eye(5), atol=1e-5)
    eye, messages = _call(initializations.identity, (3, 3), scale=0.5)
    np.testing.assert_array_equal(eye, 0.5 * np.eye(3))
    assert 'initializers.Identity(gain=0.5)' in messages[0]
    with pytest.raises(ValueError, match='2D square'):
        initializations.identity((3, 4))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        variable = initializations.normal((2,), name='W')
    assert variable.name.startswith('W')


def test_get_by_name_and_unknown_names():
    assert initializations.get('glorot_uniform') is initializations.glorot_uniform
    assert initializations.get(initializations.zero) is initializations.zero
    with pytest.raises(ValueError, match="Invalid initialization: 'glorot_uniforn'. Keras 1 knew "):
        initializations.get('glorot_uniforn')


def test_keras_1_custom_layer_with_initializations_runs_and_warns_on_import():
    script = '''
import warnings, numpy as np
warnings.simplefilter('always')
import kernelkit
kernelkit.install_as_keras()
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter('always')
    from keras import initializations
    from keras.engine.topology import Layer
    from keras.models import Sequential

    class Scale(Layer):
        def build(self, input_shape):
            self.W = initializations.get('one')((input_shape[1],), name='{}_W'.format(self.name))
            self.trainable_weights = [self.W]
            self.built = True
        def call(self, x, mask=None):
            return x * self.W
        def get_output_shape_for(self, input_shape):
            return input_shape
    model = Sequential([Scale(input_shape=(3,))])
    print(model.predict(np.array([[1., 2., 3.]])).tolist(), len(model.trainable_weights))
print(sorted(set(str(w.message)[:40] for w in caught if type(w.message).__name__ == 'KerasMigrationWarning')))
'''
    done = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.strip().splitlines()
    assert lines[-2] == '[[1.0, 2.0, 3.0]] 1'
    assert "'`initializations.one(shape, ...)` is Ker'" in lines[-1]
    assert "'`keras.initializations` is the Keras 1 m'" in lines[-1]


def test_migrator_points_at_each_call_and_keeps_the_code_running():
    code = ('from keras import initializations\n'
            'w = initializations.normal((3, 2), scale=0.01)\n'
            'f = initializations.get("glorot_uniform")\n'
            'z = initializations.nonsense((2,))\n')
    new, notes = migrate_source(code)
    assert new == code  # no one-line Keras 2 form exists; the module keeps running under kernelkit
    texts = [(n.line, n.level, n.message) for n in notes]
    assert (2, 'WARNING', '`initializations.normal(shape, ...)` is Keras 1; in Keras 2 write '
            '`K.variable(initializers.RandomNormal(stddev=0.01)(shape))`, or `self.add_weight(shape=shape, '
            'initializer=initializers.RandomNormal(stddev=0.01))` inside a layer.') in texts
    assert any(line == 3 and level == 'WARNING' and 'keras.initializers' in text for line, level, text in texts)
    assert (4, 'ERROR', '`keras.initializations.nonsense` does not exist.') in texts
