"""kernelkit.initializers: values, statistics, fans, seeds and (de)serialization."""
import json

import numpy as np
import pytest
import tensorflow as tf
import tf_keras

from kernelkit import initializers

TRUNC_FACTOR = 0.87962566103423978  # std of a unit normal truncated to [-2, 2]
BIG = (200, 200)


@pytest.fixture(autouse=True)
def _fixed_global_seeds():
    # Unseeded draws still use the global generators; fixing them keeps the statistics
    # checks below deterministic.
    tf.random.set_seed(1234)
    np.random.seed(1234)


def test_deterministic_match_tf_keras():
    pairs = [(initializers.Zeros(), tf_keras.initializers.Zeros(), (3, 4)),
             (initializers.Ones(), tf_keras.initializers.Ones(), (2, 5, 3)),
             (initializers.Constant(3.5), tf_keras.initializers.Constant(3.5), (4, 2)),
             (initializers.Identity(gain=2.), tf_keras.initializers.Identity(gain=2.), (5, 5))]
    for ours, oracle, shape in pairs:
        value = ours(shape)
        assert isinstance(value, tf.Tensor)
        assert value.dtype == tf.float32
        np.testing.assert_allclose(value.numpy(), oracle(shape).numpy())


def test_dtype_argument():
    for init in [initializers.Zeros(), initializers.Ones(), initializers.Constant(2),
                 initializers.RandomNormal(), initializers.RandomUniform(),
                 initializers.TruncatedNormal(), initializers.glorot_uniform(),
                 initializers.he_normal(), initializers.Orthogonal(), initializers.Identity()]:
        assert init((4, 4), dtype='float64').dtype == tf.float64
        assert init(tf.TensorShape([4, 4]), dtype=tf.float16).dtype == tf.float16
        assert init((4, 4)).shape == (4, 4)


def test_random_normal_statistics():
    x = initializers.RandomNormal(mean=1., stddev=0.5)(BIG).numpy()
    assert x.shape == BIG
    np.testing.assert_allclose(x.mean(), 1., atol=0.01)
    np.testing.assert_allclose(x.std(), 0.5, rtol=0.02)
    assert np.abs(x - 1.).max() > 1.  # not truncated
    default = initializers.RandomNormal()(BIG).numpy()
    np.testing.assert_allclose(default.std(), 0.05, rtol=0.02)


def test_random_uniform_statistics():
    x = initializers.RandomUniform(minval=-0.3, maxval=0.9)(BIG).numpy()
    assert x.min() >= -0.3 and x.max() <= 0.9
    np.testing.assert_allclose(x.mean(), 0.3, atol=0.01)
    np.testing.assert_allclose(x.std(), 1.2 / np.sqrt(12), rtol=0.02)
    default = initializers.RandomUniform()(BIG).numpy()
    assert default.min() >= -0.05 and default.max() <= 0.05 and default.max() > 0.049


def test_truncated_normal_statistics():
    x = initializers.TruncatedNormal(mean=0.5, stddev=0.2)(BIG).numpy()
    assert np.abs(x - 0.5).max() <= 0.4 + 1e-6
    np.testing.assert_allclose(x.mean(), 0.5, atol=0.005)
    np.testing.assert_allclose(x.std(), 0.2 * TRUNC_FACTOR, rtol=0.02)


def _expected_fans(shape):
    if len(shape) == 2:
        return shape[0], shape[1]
    if len(shape) in (3, 4, 5):
        rf = int(np.prod(shape[:-2]))
        return shape[-2] * rf, shape[-1] * rf
    n = np.sqrt(np.prod(shape))
    return n, n


@pytest.mark.parametrize('shape', [(200, 300), (5, 32, 64), (3, 3, 64, 128), (3, 3, 3, 16, 32)])
def test_compute_fans_matches_tf_keras(shape):
    from tf_keras.src.initializers.initializers import _compute_fans as oracle
    assert initializers._compute_fans(shape) == oracle(shape) == _expected_fans(shape)


def test_compute_fans_other_ranks_keras22():
    # Keras 2.2: shapes that are neither 2D nor conv kernels use sqrt(prod(shape)).
    np.testing.assert_allclose(initializers._compute_fans((100,)), (10., 10.))
    np.testing.assert_allclose(initializers._compute_fans((2, 2, 2, 2, 2, 2)), (8., 8.))


FACTORIES = {  # name: (scale, mode, distribution)
    'glorot_uniform': (1., 'fan_avg', 'uniform'), 'glorot_normal': (1., 'fan_avg', 'normal'),
    'he_uniform': (2., 'fan_in', 'uniform'), 'he_normal': (2., 'fan_in', 'normal'),
    'lecun_uniform': (1., 'fan_in', 'uniform'), 'lecun_normal': (1., 'fan_in', 'normal')}


@pytest.mark.parametrize('name', sorted(FACTORIES))
@pytest.mark.parametrize('shape', [(200, 300), (3, 3, 64, 128), (5, 40, 80)])
def test_variance_scaling_statistics(name, shape):
    scale, mode, distribution = FACTORIES[name]
    init = getattr(initializers, name)()
    assert isinstance(init, initializers.VarianceScaling)
    assert init.get_config() == {'scale': scale, 'mode': mode, 'distribution': distribution,
                                 'seed': None}
    fan_in, fan_out = _expected_fans(shape)
    n = {'fan_in': fan_in, 'fan_out': fan_out, 'fan_avg': (fan_in + fan_out) / 2.}[mode]
    x = init(shape).numpy()
    assert x.shape == shape and x.dtype == np.float32
    np.testing.assert_allclose(x.mean(), 0., atol=0.01 * np.sqrt(scale / n) * 10)
    if distribution == 'uniform':
        limit = np.sqrt(3. * scale / n)
        assert np.abs(x).max() <= limit + 1e-7
        np.testing.assert_allclose(np.abs(x).max(), limit, rtol=0.01)
        np.testing.assert_allclose(x.std(), limit / np.sqrt(3.), rtol=0.02)
    else:
        # Keras 2.2.3+: stddev of the *truncated* draw is sqrt(scale / n).
        np.testing.assert_allclose(x.std(), np.sqrt(scale / n), rtol=0.02)
        assert np.abs(x).max() <= 2 * np.sqrt(scale / n) / TRUNC_FACTOR + 1e-6
    # tf_keras's class of the same name draws from the same distribution.
    oracle = getattr(tf_keras.initializers, name)()(shape).numpy()
    np.testing.assert_allclose(x.std(), oracle.std(), rtol=0.03)


def test_variance_scaling_fan_out_and_validation():
    x = initializers.VarianceScaling(scale=3., mode='fan_out', distribution='uniform')(
        (50, 400)).numpy()
    assert np.abs(x).max() <= np.sqrt(3. * 3. / 400) + 1e-7
    np.testing.assert_allclose(x.std(), np.sqrt(3. / 400), rtol=0.03)
    with pytest.raises(ValueError, match='scale'):
        initializers.VarianceScaling(scale=0.)
    with pytest.raises(ValueError, match='mode'):
        initializers.VarianceScaling(mode='fan_sideways')
    with pytest.raises(ValueError, match='distribution'):
        initializers.VarianceScaling(distribution='cauchy')


@pytest.mark.parametrize('make', [
    lambda s: initializers.RandomNormal(seed=s), lambda s: initializers.RandomUniform(seed=s),
    lambda s: initializers.TruncatedNormal(seed=s), lambda s: initializers.glorot_uniform(seed=s),
    lambda s: initializers.he_normal(seed=s), lambda s: initializers.Orthogonal(seed=s)])
def test_seed_reproducibility(make):
    a = make(1337)((30, 20)).numpy()
    np.testing.assert_array_equal(a, make(1337)((30, 20)).numpy())
    np.testing.assert_array_equal(a, make(1337)((30, 20)).numpy())
    init = make(1337)
    np.testing.assert_array_equal(init((30, 20)).numpy(), init((30, 20)).numpy())
    assert not np.allclose(a, make(7)((30, 20)).numpy())
    unseeded = make(None)
    assert not np.allclose(unseeded((30, 20)).numpy(), unseeded((30, 20)).numpy())


@pytest.mark.parametrize('shape,gain', [((300, 200), 1.), ((200, 300), 1.5), ((3, 3, 8, 16), 1.)])
def test_orthogonal(shape, gain):
    q = initializers.Orthogonal(gain=gain)(shape).numpy()
    assert q.shape == shape
    flat = q.reshape(-1, shape[-1]).astype('float64')
    if flat.shape[0] >= flat.shape[1]:
        np.testing.assert_allclose(flat.T @ flat, gain ** 2 * np.eye(flat.shape[1]), atol=1e-5)
    else:
        np.testing.assert_allclose(flat @ flat.T, gain ** 2 * np.eye(flat.shape[0]), atol=1e-5)
    with pytest.raises(ValueError, match='shape'):
        initializers.Orthogonal()((5,))


def test_identity_rejects_non_square():
    for shape in [(3, 4), (3,), (2, 2, 2)]:
        with pytest.raises(ValueError, match='2D square'):
            initializers.Identity()(shape)


def test_get_by_name():
    expected = {'zeros': initializers.Zeros, 'zero': initializers.Zeros,
                'Zeros': initializers.Zeros,
                'ones': initializers.Ones, 'one': initializers.Ones, 'Ones': initializers.Ones,
                'constant': initializers.Constant, 'normal': initializers.RandomNormal,
                'random_normal': initializers.RandomNormal,
                'uniform': initializers.RandomUniform,
                'random_uniform': initializers.RandomUniform,
                'truncated_normal': initializers.TruncatedNormal,
                'orthogonal': initializers.Orthogonal, 'identity': initializers.Identity,
                'VarianceScaling': initializers.VarianceScaling}
    for name, cls in expected.items():
        assert type(initializers.get(name)) is cls, name
    for name, (scale, mode, distribution) in FACTORIES.items():
        init = initializers.get(name)
        assert isinstance(init, initializers.VarianceScaling)
        assert (init.scale, init.mode, init.distribution) == (scale, mode, distribution)
    assert initializers.get('uniform').get_config() == {'minval': -0.05, 'maxval': 0.05,
                                                        'seed': None}
    assert initializers.get('orthogonal').gain == 1.0


def test_get_other_identifiers():
    init = initializers.Ones()
    assert initializers.get(init) is init

    def my_init(shape, dtype=None):
        return tf.ones(shape, dtype) * 7
    assert initializers.get(my_init) is my_init
    assert isinstance(initializers.get(initializers.Zeros), initializers.Zeros)
    assert initializers.deserialize('my_init', custom_objects={'my_init': my_init}) is my_init
    with pytest.raises(ValueError, match='initializer'):
        initializers.get(None)
    with pytest.raises(ValueError, match='initializer'):
        initializers.get(3)


def test_unknown_name_lists_known_names():
    with pytest.raises(ValueError) as info:
        initializers.get('glorot_unifrom')
    message = str(info.value)
    assert 'glorot_unifrom' in message
    for known in ['glorot_uniform', 'Zeros', 'VarianceScaling', 'orthogonal', 'he_normal']:
        assert known in message
    with pytest.raises(ValueError, match='Bogus'):
        initializers.deserialize({'class_name': 'Bogus', 'config': {}})


def test_serialize_keras22_form():
    assert initializers.serialize(initializers.glorot_uniform()) == {
        'class_name': 'VarianceScaling',
        'config': {'scale': 1.0, 'mode': 'fan_avg', 'distribution': 'uniform', 'seed': None}}
    assert initializers.serialize(initializers.Zeros()) == {'class_name': 'Zeros', 'config': {}}
    assert initializers.serialize(initializers.Ones()) == {'class_name': 'Ones', 'config': {}}
    assert initializers.serialize(initializers.Orthogonal()) == {
        'class_name': 'Orthogonal', 'config': {'gain': 1.0, 'seed': None}}
    assert initializers.serialize(initializers.RandomNormal(seed=3)) == {
        'class_name': 'RandomNormal', 'config': {'mean': 0., 'stddev': 0.05, 'seed': 3}}
    assert initializers.serialize(initializers.Constant(np.float32(2.0)))['config'] == {
        'value': 2.0}


@pytest.mark.parametrize('init', [
    initializers.Zeros(), initializers.Ones(), initializers.Constant(0.7),
    initializers.RandomNormal(0.1, 0.2, 5), initializers.RandomUniform(-1, 2, 6),
    initializers.TruncatedNormal(0., 1., 7), initializers.he_uniform(seed=8),
    initializers.VarianceScaling(2., 'fan_out', 'normal', 9), initializers.Orthogonal(1.3, 10),
    initializers.Identity(0.5)])
def test_round_trip(init):
    config = json.loads(json.dumps(initializers.serialize(init)))
    clone = initializers.deserialize(config)
    assert type(clone) is type(init)
    assert clone.get_config() == init.get_config()
    shape = (6, 6)
    np.testing.assert_allclose(clone(shape).numpy(), init(shape).numpy())


@pytest.mark.parametrize('oracle,name', [
    (tf_keras.initializers.GlorotUniform(seed=1), 'glorot_uniform'),
    (tf_keras.initializers.GlorotNormal(), 'glorot_normal'),
    (tf_keras.initializers.HeNormal(), 'he_normal'),
    (tf_keras.initializers.HeUniform(seed=4), 'he_uniform'),
    (tf_keras.initializers.LecunNormal(), 'lecun_normal'),
    (tf_keras.initializers.LecunUniform(), 'lecun_uniform')])
def test_deserialize_tf_keras_class_names(oracle, name):
    config = json.loads(json.dumps(tf_keras.initializers.serialize(oracle)))
    init = initializers.deserialize(config)
    assert isinstance(init, initializers.VarianceScaling)
    expected = getattr(initializers, name)(seed=oracle.get_config()['seed']).get_config()
    assert init.get_config() == expected


def test_deserialize_tf_keras_configs():
    cases = [(tf_keras.initializers.VarianceScaling(2., 'fan_out', 'truncated_normal', 3),
              {'scale': 2., 'mode': 'fan_out', 'distribution': 'normal', 'seed': 3}),
             (tf_keras.initializers.VarianceScaling(1., 'fan_in', 'uniform'),
              {'scale': 1., 'mode': 'fan_in', 'distribution': 'uniform', 'seed': None}),
             (tf_keras.initializers.RandomNormal(0.5, 0.1, 2),
              {'mean': 0.5, 'stddev': 0.1, 'seed': 2}),
             (tf_keras.initializers.RandomUniform(-0.2, 0.2),
              {'minval': -0.2, 'maxval': 0.2, 'seed': None}),
             (tf_keras.initializers.TruncatedNormal(0., 0.3),
              {'mean': 0., 'stddev': 0.3, 'seed': None}),
             (tf_keras.initializers.Orthogonal(gain=2.), {'gain': 2., 'seed': None}),
             (tf_keras.initializers.Constant(4.), {'value': 4.}),
             (tf_keras.initializers.Identity(), {'gain': 1.}),
             (tf_keras.initializers.Zeros(), {}), (tf_keras.initializers.Ones(), {})]
    for oracle, expected in cases:
        config = json.loads(json.dumps(tf_keras.initializers.serialize(oracle)))
        init = initializers.deserialize(config)
        assert type(init).__name__ == config['class_name']
        assert init.get_config() == expected
    # Old tf.keras configs may carry an unused dtype.
    init = initializers.deserialize({'class_name': 'Zeros', 'config': {'dtype': 'float32'}})
    assert isinstance(init, initializers.Zeros)


def test_untruncated_normal_from_tf_keras():
    init = initializers.VarianceScaling(2., 'fan_in', 'untruncated_normal')
    x = init(BIG).numpy()
    np.testing.assert_allclose(x.std(), np.sqrt(2. / 200), rtol=0.02)
    assert np.abs(x).max() > 2.5 * np.sqrt(2. / 200)


def test_default_dtype_follows_backend_floatx():
    from kernelkit import backend
    old = backend.floatx()
    backend.set_floatx('float64')
    try:
        assert initializers.Zeros()((2, 2)).dtype == tf.float64
        assert initializers.glorot_uniform()((2, 2)).dtype == tf.float64
        assert initializers.Orthogonal()((3, 2)).dtype == tf.float64
    finally:
        backend.set_floatx(old)
    assert initializers.Zeros()((2, 2)).dtype == tf.as_dtype(old)
