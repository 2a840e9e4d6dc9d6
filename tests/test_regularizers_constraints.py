"""kernelkit.regularizers and kernelkit.constraints against tf_keras and numpy."""
import json

import numpy as np
import pytest
import tensorflow as tf
import tf_keras

from kernelkit import constraints
from kernelkit import regularizers

EPS = 1e-7


def _weights(shape, seed=0, scale=3.):
    return (np.random.RandomState(seed).randn(*shape) * scale).astype('float32')


# ---------------------------------------------------------------- regularizers

@pytest.mark.parametrize('l1,l2', [(0.01, 0.), (0., 0.0005), (0.3, 0.02), (0., 0.)])
def test_l1l2_value(l1, l2):
    x = _weights((7, 5))
    value = regularizers.L1L2(l1=l1, l2=l2)(tf.constant(x))
    assert isinstance(value, tf.Tensor) and value.shape == () and value.dtype == tf.float32
    np.testing.assert_allclose(value.numpy(), l1 * np.abs(x).sum() + l2 * np.square(x).sum(),
                               rtol=1e-5)
    oracle = tf_keras.regularizers.L1L2(l1=l1, l2=l2)(tf.constant(x))
    np.testing.assert_allclose(value.numpy(), np.asarray(oracle), rtol=1e-5)


def test_shortcut_functions():
    x = _weights((4, 6), seed=1)
    for ours, oracle, config in [
            (regularizers.l1(), tf_keras.regularizers.l1(), {'l1': 0.01, 'l2': 0.}),
            (regularizers.l2(0.2), tf_keras.regularizers.l2(0.2), {'l1': 0., 'l2': 0.2}),
            (regularizers.l1_l2(), tf_keras.regularizers.l1_l2(), {'l1': 0.01, 'l2': 0.01}),
            (regularizers.l1_l2(l1=0.1, l2=0.3), tf_keras.regularizers.l1_l2(l1=0.1, l2=0.3),
             {'l1': 0.1, 'l2': 0.3})]:
        assert type(ours) is regularizers.L1L2
        assert ours.get_config() == config
        np.testing.assert_allclose(ours(x).numpy(), oracle(tf.constant(x)).numpy(), rtol=1e-5)


def test_regularizer_float64_and_variable():
    x = _weights((3, 3), seed=2).astype('float64')
    value = regularizers.l2(0.5)(tf.Variable(x))
    assert value.dtype == tf.float64
    np.testing.assert_allclose(value.numpy(), 0.5 * np.square(x).sum(), rtol=1e-12)
    assert float(regularizers.Regularizer()(x)) == 0.


def test_regularizer_serialize_keras22_form():
    config = regularizers.serialize(regularizers.l2(0.0005))
    assert config == {'class_name': 'L1L2', 'config': {'l1': 0.0, 'l2': 0.0005}}
    assert type(config['config']['l1']) is float and type(config['config']['l2']) is float
    assert json.dumps(config) == '{"class_name": "L1L2", "config": {"l1": 0.0, "l2": 0.0005}}'
    assert regularizers.serialize(None) is None
    with pytest.raises(ValueError, match='l1'):
        regularizers.L1L2(l1='lots')


def test_regularizer_round_trip_and_get():
    reg = regularizers.l1_l2(l1=0.25, l2=0.125)
    clone = regularizers.deserialize(json.loads(json.dumps(regularizers.serialize(reg))))
    assert type(clone) is regularizers.L1L2 and clone.get_config() == reg.get_config()
    assert regularizers.get(None) is None
    assert regularizers.get(reg) is reg
    assert regularizers.get('l2').get_config() == {'l1': 0., 'l2': 0.01}
    assert regularizers.get('l1').get_config() == {'l1': 0.01, 'l2': 0.}
    assert regularizers.get('l1_l2').get_config() == {'l1': 0.01, 'l2': 0.01}
    assert regularizers.get('L1L2').get_config() == {'l1': 0., 'l2': 0.}
    assert regularizers.get({'class_name': 'L1L2', 'config': {'l1': 0.5, 'l2': 0.}}).l1 == 0.5

    def penalty(x):
        return tf.reduce_sum(x)
    assert regularizers.get(penalty) is penalty
    assert regularizers.deserialize('penalty', custom_objects={'penalty': penalty}) is penalty


def test_regularizer_deserialize_tf_keras():
    for oracle, expected in [(tf_keras.regularizers.L1(0.3), (0.3, 0.)),
                             (tf_keras.regularizers.L2(0.25), (0., 0.25)),
                             (tf_keras.regularizers.L1L2(0.5, 0.125), (0.5, 0.125))]:
        config = json.loads(json.dumps(tf_keras.regularizers.serialize(oracle)))
        reg = regularizers.deserialize(config)
        assert type(reg) is regularizers.L1L2
        np.testing.assert_allclose((reg.l1, reg.l2), expected, rtol=1e-6)


def test_regularizer_unknown_name():
    with pytest.raises(ValueError) as info:
        regularizers.get('l3')
    for known in ['l1', 'l2', 'l1_l2', 'L1L2']:
        assert known in str(info.value)
    with pytest.raises(ValueError, match='regularizer'):
        regularizers.get(0.01)


# ---------------------------------------------------------------- constraints

CONSTRAINT_CASES = [
    (lambda m: m.MaxNorm(), (6, 4)),
    (lambda m: m.MaxNorm(max_value=1.5, axis=1), (6, 4)),
    (lambda m: m.MaxNorm(max_value=3, axis=[0, 1, 2]), (3, 3, 2, 5)),
    (lambda m: m.NonNeg(), (6, 4)),
    (lambda m: m.UnitNorm(), (6, 4)),
    (lambda m: m.UnitNorm(axis=[0, 1]), (3, 3, 4)),
    (lambda m: m.MinMaxNorm(), (6, 4)),
    (lambda m: m.MinMaxNorm(min_value=2., max_value=4., rate=0.5, axis=1), (6, 4)),
]


@pytest.mark.parametrize('make,shape', CONSTRAINT_CASES)
def test_constraints_match_tf_keras(make, shape):
    for scale in (0.2, 3.):
        w = _weights(shape, seed=3, scale=scale)
        ours = make(constraints)(tf.constant(w))
        oracle = make(tf_keras.constraints)(tf.constant(w))
        assert isinstance(ours, tf.Tensor) and ours.shape == shape
        np.testing.assert_allclose(ours.numpy(), oracle.numpy(), rtol=1e-6, atol=1e-7)


def test_constraint_formulas_numpy():
    w = _weights((5, 3), seed=4).astype('float64')
    norms = np.sqrt(np.square(w).sum(axis=0, keepdims=True))
    np.testing.assert_allclose(constraints.MaxNorm(2.)(w).numpy(),
                               w * np.clip(norms, 0, 2.) / (EPS + norms), rtol=1e-12)
    np.testing.assert_allclose(constraints.UnitNorm()(w).numpy(), w / (EPS + norms), rtol=1e-12)
    desired = 0.3 * np.clip(norms, 1., 2.) + 0.7 * norms
    np.testing.assert_allclose(constraints.MinMaxNorm(1., 2., 0.3)(w).numpy(),
                               w * desired / (EPS + norms), rtol=1e-12)
    np.testing.assert_allclose(constraints.NonNeg()(w).numpy(), np.maximum(w, 0.))
    assert constraints.UnitNorm()(w).dtype == tf.float64
    # MaxNorm leaves small columns alone and caps large ones at max_value.
    capped = np.sqrt(np.square(constraints.MaxNorm(1.)(w).numpy()).sum(axis=0))
    np.testing.assert_allclose(capped, np.minimum(norms[0], 1.), rtol=1e-6)


def test_constraints_on_zeros_and_variables():
    zeros = np.zeros((3, 2), 'float32')
    for c in [constraints.MaxNorm(), constraints.UnitNorm(), constraints.MinMaxNorm()]:
        out = c(zeros).numpy()
        assert np.all(np.isfinite(out))
    v = tf.Variable(_weights((4, 4), seed=5))
    np.testing.assert_allclose(constraints.NonNeg()(v).numpy(), np.maximum(v.numpy(), 0.))
    w = _weights((2, 2))
    assert constraints.Constraint()(w) is w


def test_constraint_serialize_keras22_form():
    assert constraints.serialize(constraints.max_norm()) == {
        'class_name': 'MaxNorm', 'config': {'max_value': 2, 'axis': 0}}
    assert constraints.serialize(constraints.non_neg()) == {'class_name': 'NonNeg', 'config': {}}
    assert constraints.serialize(constraints.unit_norm(axis=1)) == {
        'class_name': 'UnitNorm', 'config': {'axis': 1}}
    assert constraints.serialize(constraints.min_max_norm()) == {
        'class_name': 'MinMaxNorm',
        'config': {'min_value': 0.0, 'max_value': 1.0, 'rate': 1.0, 'axis': 0}}
    assert constraints.serialize(None) is None


@pytest.mark.parametrize('make,shape', CONSTRAINT_CASES)
def test_constraint_round_trip(make, shape):
    c = make(constraints)
    clone = constraints.deserialize(json.loads(json.dumps(constraints.serialize(c))))
    assert type(clone) is type(c) and clone.get_config() == c.get_config()
    w = _weights(shape, seed=6)
    np.testing.assert_allclose(clone(w).numpy(), c(w).numpy())
    # Configs written by tf_keras load too.
    oracle = make(tf_keras.constraints)
    oracle_config = json.loads(json.dumps(tf_keras.constraints.serialize(oracle)))
    from_oracle = constraints.deserialize(oracle_config)
    assert type(from_oracle) is type(c) and from_oracle.get_config() == c.get_config()


def test_constraint_get():
    names = {'max_norm': constraints.MaxNorm, 'maxnorm': constraints.MaxNorm,
             'MaxNorm': constraints.MaxNorm, 'non_neg': constraints.NonNeg,
             'nonneg': constraints.NonNeg, 'NonNeg': constraints.NonNeg,
             'unit_norm': constraints.UnitNorm, 'unitnorm': constraints.UnitNorm,
             'min_max_norm': constraints.MinMaxNorm, 'MinMaxNorm': constraints.MinMaxNorm}
    for name, cls in names.items():
        assert type(constraints.get(name)) is cls, name
    assert constraints.get(None) is None
    c = constraints.UnitNorm()
    assert constraints.get(c) is c
    assert constraints.get({'class_name': 'MaxNorm', 'config': {'max_value': 5, 'axis': 1}}
                           ).get_config() == {'max_value': 5, 'axis': 1}

    def clip(w):
        return tf.clip_by_value(w, -1., 1.)
    assert constraints.get(clip) is clip
    assert constraints.deserialize('clip', custom_objects={'clip': clip}) is clip
    with pytest.raises(ValueError) as info:
        constraints.get('max_nrom')
    for known in ['max_norm', 'non_neg', 'unit_norm', 'min_max_norm', 'MaxNorm']:
        assert known in str(info.value)
    with pytest.raises(ValueError, match='constraint'):
        constraints.get(2)


def test_constraints_use_backend_epsilon():
    from kernelkit import backend
    w = _weights((4, 3), seed=7).astype('float64')
    norms = np.sqrt(np.square(w).sum(axis=0, keepdims=True))
    old = backend.epsilon()
    backend.set_epsilon(0.5)
    try:
        np.testing.assert_allclose(constraints.UnitNorm()(w).numpy(), w / (0.5 + norms),
                                   rtol=1e-12)
    finally:
        backend.set_epsilon(old)
    np.testing.assert_allclose(constraints.UnitNorm()(w).numpy(), w / (old + norms), rtol=1e-12)
