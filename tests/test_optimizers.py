"""Tests for kernelkit.optimizers: Keras 2.2 update rules, state layout, configs, TF2 contract."""
import numpy as np
import pytest

import kernelkit  # noqa: F401  (imports TensorFlow without Keras first)
import tensorflow as tf
import tf_keras

from kernelkit import optimizers

LEGACY = tf_keras.optimizers.legacy
SHAPES = [(3, 4), (4,)]
EPS = 1e-7


def _initial_values():
    rng = np.random.RandomState(0)
    return [rng.uniform(-1., 1., size=s).astype('float32') for s in SHAPES]


def _gradients(step):
    rng = np.random.RandomState(100 + step)
    return [rng.normal(0., 1.5, size=s).astype('float32') for s in SHAPES]


def _variables(values=None):
    return [tf.Variable(v) for v in (values or _initial_values())]


# (kernelkit optimizer factory, tf_keras legacy oracle factory)
CASES = {
    'sgd': (lambda: optimizers.SGD(lr=0.1),
            lambda: LEGACY.SGD(learning_rate=0.1)),
    'sgd_momentum': (lambda: optimizers.SGD(lr=0.1, momentum=0.9),
                     lambda: LEGACY.SGD(learning_rate=0.1, momentum=0.9)),
    'sgd_nesterov': (lambda: optimizers.SGD(lr=0.1, momentum=0.8, nesterov=True),
                     lambda: LEGACY.SGD(learning_rate=0.1, momentum=0.8, nesterov=True)),
    'sgd_decay': (lambda: optimizers.SGD(lr=0.1, momentum=0.5, decay=0.3),
                  lambda: LEGACY.SGD(learning_rate=0.1, momentum=0.5, decay=0.3)),
    'rmsprop': (lambda: optimizers.RMSprop(lr=0.01, epsilon=EPS),
                lambda: LEGACY.RMSprop(learning_rate=0.01, epsilon=EPS)),
    'rmsprop_decay': (lambda: optimizers.RMSprop(lr=0.01, rho=0.8, decay=0.2),
                      lambda: LEGACY.RMSprop(learning_rate=0.01, rho=0.8, decay=0.2, epsilon=EPS)),
    'adagrad': (lambda: optimizers.Adagrad(lr=0.1, epsilon=EPS),
                lambda: LEGACY.Adagrad(learning_rate=0.1, initial_accumulator_value=0.0,
                                       epsilon=EPS)),
    'adadelta': (lambda: optimizers.Adadelta(epsilon=EPS),
                 lambda: LEGACY.Adadelta(learning_rate=1.0, rho=0.95, epsilon=EPS)),
    'adadelta_custom': (lambda: optimizers.Adadelta(lr=0.5, rho=0.9, decay=0.1),
                        lambda: LEGACY.Adadelta(learning_rate=0.5, rho=0.9, decay=0.1, epsilon=EPS)),
    'adam': (lambda: optimizers.Adam(lr=0.05, epsilon=EPS),
             lambda: LEGACY.Adam(learning_rate=0.05, epsilon=EPS)),
    'adam_decay': (lambda: optimizers.Adam(lr=0.05, beta_1=0.8, beta_2=0.99, decay=0.25),
                   lambda: LEGACY.Adam(learning_rate=0.05, beta_1=0.8, beta_2=0.99, decay=0.25,
                                       epsilon=EPS)),
    'adam_amsgrad': (lambda: optimizers.Adam(lr=0.05, amsgrad=True),
                     lambda: LEGACY.Adam(learning_rate=0.05, amsgrad=True, epsilon=EPS)),
    'adamax': (lambda: optimizers.Adamax(lr=0.05, epsilon=EPS),
               lambda: LEGACY.Adamax(learning_rate=0.05, epsilon=EPS)),
    'adamax_decay': (lambda: optimizers.Adamax(decay=0.1),
                     lambda: LEGACY.Adamax(learning_rate=0.002, decay=0.1, epsilon=EPS)),
    'nadam': (lambda: optimizers.Nadam(lr=0.05, epsilon=EPS),
              lambda: LEGACY.Nadam(learning_rate=0.05, epsilon=EPS)),
    'nadam_schedule': (lambda: optimizers.Nadam(lr=0.5, schedule_decay=0.5),
                       lambda: LEGACY.Nadam(learning_rate=0.5, schedule_decay=0.5, epsilon=EPS)),
    'nadam_default': (lambda: optimizers.Nadam(),
                      # tf_keras's default rate is 0.001, Keras 2.2's 0.002.
                      lambda: LEGACY.Nadam(learning_rate=0.002, epsilon=EPS)),
    'clipnorm': (lambda: optimizers.SGD(lr=0.1, momentum=0.9, clipnorm=1.0),
                 lambda: LEGACY.SGD(learning_rate=0.1, momentum=0.9, global_clipnorm=1.0)),
    'clipnorm_adam': (lambda: optimizers.Adam(lr=0.05, clipnorm=2.0),
                      lambda: LEGACY.Adam(learning_rate=0.05, global_clipnorm=2.0, epsilon=EPS)),
    'clipvalue': (lambda: optimizers.SGD(lr=0.1, clipvalue=0.5),
                  lambda: LEGACY.SGD(learning_rate=0.1, clipvalue=0.5)),
    'clipvalue_rmsprop': (lambda: optimizers.RMSprop(lr=0.01, clipvalue=0.3),
                          lambda: LEGACY.RMSprop(learning_rate=0.01, clipvalue=0.3, epsilon=EPS)),
}


@pytest.mark.parametrize('case', sorted(CASES))
def test_three_steps_match_tf_keras_legacy(case):
    make_ours, make_oracle = CASES[case]
    ours, oracle = make_ours(), make_oracle()
    our_vars, oracle_vars = _variables(), _variables()
    for step in range(3):
        grads = _gradients(step)
        ours.apply_gradients([tf.constant(g) for g in grads], our_vars)
        oracle.apply_gradients(zip([tf.constant(g) for g in grads], oracle_vars))
        for i, (a, b) in enumerate(zip(our_vars, oracle_vars)):
            np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-5, rtol=1e-5,
                                       err_msg='%s step %d variable %d' % (case, step, i))
            assert not np.allclose(a.numpy(), _initial_values()[i])
        assert int(ours.iterations.numpy()) == step + 1


def _numpy_nadam(values, grads_per_step, lr=0.002, beta_1=0.9, beta_2=0.999, eps=1e-7,
                 schedule_decay=0.004):
    sd = schedule_decay
    """Keras 2.2 Nadam, written from the spec rules in float64."""
    params = [v.astype('float64') for v in values]
    ms = [np.zeros_like(p) for p in params]
    vs = [np.zeros_like(p) for p in params]
    m_schedule = 1.
    history = []
    for iteration, grads in enumerate(grads_per_step):
        t = iteration + 1
        mc_t = beta_1 * (1. - 0.5 * 0.96 ** (t * sd))
        mc_t1 = beta_1 * (1. - 0.5 * 0.96 ** ((t + 1) * sd))
        ms_new = m_schedule * mc_t
        ms_next = ms_new * mc_t1
        m_schedule = ms_new
        for i, g in enumerate(grads):
            g_prime = g / (1. - ms_new)
            ms[i] = beta_1 * ms[i] + (1. - beta_1) * g
            m_prime = ms[i] / (1. - ms_next)
            vs[i] = beta_2 * vs[i] + (1. - beta_2) * g ** 2
            v_prime = vs[i] / (1. - beta_2 ** t)
            m_bar = (1. - mc_t) * g_prime + mc_t1 * m_prime
            params[i] = params[i] - lr * m_bar / (np.sqrt(v_prime) + eps)
        history.append([p.copy() for p in params])
    return history


@pytest.mark.parametrize('kwargs', [{}, {'lr': 0.05, 'beta_1': 0.8, 'schedule_decay': 0.01},
                                    {'lr': 0.5, 'schedule_decay': 0.5}])
def test_nadam_matches_numpy_spec(kwargs):
    grads = [_gradients(s) for s in range(3)]
    expected = _numpy_nadam(_initial_values(), grads, **kwargs)
    opt = optimizers.Nadam(**kwargs)
    params = _variables()
    for step in range(3):
        opt.apply_gradients([tf.constant(g) for g in grads[step]], params)
        for ours, want in zip(params, expected[step]):
            np.testing.assert_allclose(ours.numpy(), want, atol=1e-5, rtol=1e-5)


def test_lr_change_takes_effect_in_tf_function_without_retracing():
    opt = optimizers.SGD(lr=0.1)
    param = tf.Variable([1.0, 2.0])
    opt.build([param])
    traces = []

    @tf.function
    def train_step(grad):
        traces.append(1)
        opt.apply_gradients([grad], [param])

    grad = tf.constant([1.0, 1.0])
    train_step(grad)
    np.testing.assert_allclose(param.numpy(), [0.9, 1.9], rtol=1e-6)
    lr_variable = opt.lr
    opt.lr = 0.5
    assert opt.lr is lr_variable
    assert opt.learning_rate is lr_variable
    np.testing.assert_allclose(float(opt.lr), 0.5)
    train_step(grad)
    np.testing.assert_allclose(param.numpy(), [0.4, 1.4], rtol=1e-6)
    opt.learning_rate.assign(0.25)
    train_step(grad)
    np.testing.assert_allclose(param.numpy(), [0.15, 1.15], rtol=1e-5)
    assert len(traces) == 1
    assert int(opt.iterations.numpy()) == 3
    assert opt.iterations.dtype == tf.int64


def test_other_hyper_parameters_are_assignable_variables():
    opt = optimizers.Adam()
    beta_1 = opt.beta_1
    opt.beta_1 = 0.5
    assert opt.beta_1 is beta_1 and isinstance(beta_1, tf.Variable)
    np.testing.assert_allclose(opt.get_config()['beta_1'], 0.5)
    for opt, names in [(optimizers.SGD(), ['lr', 'momentum', 'decay']),
                       (optimizers.RMSprop(), ['lr', 'rho', 'decay']),
                       (optimizers.Adagrad(), ['lr', 'decay']),
                       (optimizers.Adadelta(), ['lr', 'decay']),
                       (optimizers.Adamax(), ['lr', 'beta_1', 'beta_2', 'decay']),
                       (optimizers.Nadam(), ['lr', 'beta_1', 'beta_2'])]:
        for name in names:
            assert isinstance(getattr(opt, name), tf.Variable), (opt, name)
    assert optimizers.Adadelta(rho=0.9).rho == 0.9
    with pytest.raises(TypeError, match='lr'):
        optimizers.SGD().lr = 'fast'


def _weights_layout(opt, n_params):
    params = _variables()[:n_params]
    assert opt.weights == []
    opt.build(params)
    return params, [tuple(w.shape) for w in opt.weights]


def test_weights_order_and_count_follow_keras_2_2():
    s0, s1 = SHAPES
    layouts = {
        optimizers.SGD: [()] + [s0, s1],
        optimizers.RMSprop: [s0, s1],
        optimizers.Adagrad: [s0, s1],
        optimizers.Adadelta: [s0, s1, s0, s1],
        optimizers.Adam: [(), s0, s1, s0, s1, (1,), (1,)],
        optimizers.Adamax: [(), s0, s1, s0, s1],
        optimizers.Nadam: [(), s0, s1, s0, s1],
    }
    for cls, expected in layouts.items():
        _, shapes = _weights_layout(cls(), 2)
        assert shapes == expected, cls.__name__
    _, shapes = _weights_layout(optimizers.Adam(amsgrad=True), 2)
    assert shapes == [(), s0, s1, s0, s1, s0, s1]


def test_weights_content_is_in_keras_order_after_a_step():
    opt = optimizers.Adam(lr=0.01, amsgrad=True)
    params = _variables()
    grads = _gradients(0)
    opt.apply_gradients([tf.constant(g) for g in grads], params)
    values = opt.get_weights()
    assert values[0] == 1
    for i, g in enumerate(grads):
        np.testing.assert_allclose(values[1 + i], 0.1 * g, rtol=1e-5, atol=1e-7)  # ms
        np.testing.assert_allclose(values[3 + i], 0.001 * g ** 2, rtol=1e-4, atol=1e-8)  # vs
        np.testing.assert_allclose(values[5 + i], 0.001 * g ** 2, rtol=1e-4, atol=1e-8)  # vhats

    opt = optimizers.Adadelta()
    opt.apply_gradients([tf.constant(g) for g in grads], _variables())
    values = opt.get_weights()
    for i, g in enumerate(grads):
        np.testing.assert_allclose(values[i], 0.05 * g ** 2, rtol=1e-4, atol=1e-8)


def test_build_is_idempotent_and_adds_new_variables():
    opt = optimizers.SGD(momentum=0.9)
    a, b = _variables()
    opt.build([a])
    first = opt.weights
    opt.build([a])
    assert len(opt.weights) == 2 and opt.weights[1] is first[1]
    opt.build([a, b])
    assert [tuple(w.shape) for w in opt.weights] == [(), SHAPES[0], SHAPES[1]]
    assert opt.weights[1] is first[1]
    with pytest.raises(TypeError, match='tf.Variable'):
        opt.build([np.zeros(3)])


def test_apply_gradients_inside_tf_function_needs_build_first():
    opt = optimizers.Adam()
    param = tf.Variable([1.0, 2.0])

    @tf.function
    def step():
        opt.apply_gradients([tf.constant([1.0, 1.0])], [param])

    with pytest.raises(RuntimeError, match='build'):
        step()
    opt.build([param])
    step()
    step()
    assert int(opt.iterations.numpy()) == 2


def test_set_weights_roundtrip_and_validation_changes_nothing():
    opt = optimizers.Adam(lr=0.01)
    params = _variables()
    opt.apply_gradients([tf.constant(g) for g in _gradients(0)], params)
    before = opt.get_weights()
    bad_shape = [w + 1 for w in before]
    bad_shape[3] = np.zeros((2, 2), 'float32')
    with pytest.raises(ValueError, match=r'weight 3 .*\(3, 4\).*\(2, 2\)'):
        opt.set_weights(bad_shape)
    with pytest.raises(ValueError, match=r'\(6\).*\(7\)'):
        opt.set_weights(before[:-1])
    for now, then in zip(opt.get_weights(), before):
        np.testing.assert_array_equal(now, then)

    other = optimizers.Adam(lr=0.01)
    other_params = [tf.Variable(p.numpy()) for p in params]
    other.build(other_params)
    other.set_weights(before)
    for now, then in zip(other.get_weights(), before):
        np.testing.assert_array_equal(now, then)
    # Same state and same gradients: the next step must give identical weights.
    grads = [tf.constant(g) for g in _gradients(1)]
    opt.apply_gradients(grads, params)
    other.apply_gradients(grads, other_params)
    for mine, theirs in zip(params, other_params):
        np.testing.assert_allclose(theirs.numpy(), mine.numpy(), rtol=1e-6, atol=1e-7)
    assert int(other.iterations.numpy()) == 2

    with pytest.raises(ValueError, match='build'):
        optimizers.SGD().set_weights([np.array(0)])


def test_none_gradients_are_skipped_and_all_none_is_an_error():
    opt = optimizers.SGD(lr=0.1)
    a, b = _variables()
    opt.apply_gradients([None, tf.ones(SHAPES[1])], [a, b])
    np.testing.assert_array_equal(a.numpy(), _initial_values()[0])
    np.testing.assert_allclose(b.numpy(), _initial_values()[1] - 0.1, rtol=1e-6)
    with pytest.raises(ValueError, match='None'):
        opt.apply_gradients([None, None], [a, b])
    with pytest.raises(ValueError, match='aligned'):
        opt.apply_gradients([None], [a, b])


def test_indexed_slices_and_pairs():
    dense = optimizers.Adam(lr=0.1)
    sparse = optimizers.Adam(lr=0.1)
    p_dense = tf.Variable(np.ones((4, 2), 'float32'))
    p_sparse = tf.Variable(np.ones((4, 2), 'float32'))
    values = tf.constant([[1., 2.], [3., 4.]])
    slices = tf.IndexedSlices(values, tf.constant([0, 2]), tf.constant([4, 2]))
    dense.apply_gradients([tf.convert_to_tensor(slices)], [p_dense])
    sparse.apply_gradients(zip([slices], [p_sparse]))
    np.testing.assert_allclose(p_sparse.numpy(), p_dense.numpy())
    assert p_sparse.numpy()[1, 0] == 1.0 and p_sparse.numpy()[0, 0] < 1.0


def test_constraint_applied_to_new_value():
    opt = optimizers.SGD(lr=1.0)
    param = tf.Variable([0.5, -0.5], constraint=lambda x: tf.clip_by_value(x, 0., 1.))
    opt.apply_gradients([tf.constant([-2.0, 0.2])], [param])
    np.testing.assert_allclose(param.numpy(), [1.0, 0.0])


def test_clipnorm_is_global():
    opt = optimizers.SGD(lr=1.0, clipnorm=1.0)
    a, b = tf.Variable([0.0]), tf.Variable([0.0])
    opt.apply_gradients([tf.constant([3.0]), tf.constant([4.0])], [a, b])
    np.testing.assert_allclose([a.numpy()[0], b.numpy()[0]], [-0.6, -0.8], rtol=1e-6)
    small = optimizers.SGD(lr=1.0, clipnorm=10.0)
    small.apply_gradients([tf.constant([3.0]), tf.constant([4.0])], [a, b])
    np.testing.assert_allclose([a.numpy()[0], b.numpy()[0]], [-3.6, -4.8], rtol=1e-6)


DEFAULT_CONFIGS = {
    'SGD': {'lr': 0.01, 'momentum': 0.0, 'decay': 0.0, 'nesterov': False},
    'RMSprop': {'lr': 0.001, 'rho': 0.9, 'decay': 0.0, 'epsilon': 1e-7},
    'Adagrad': {'lr': 0.01, 'decay': 0.0, 'epsilon': 1e-7},
    'Adadelta': {'lr': 1.0, 'rho': 0.95, 'decay': 0.0, 'epsilon': 1e-7},
    'Adam': {'lr': 0.001, 'beta_1': 0.9, 'beta_2': 0.999, 'decay': 0.0, 'epsilon': 1e-7,
             'amsgrad': False},
    'Adamax': {'lr': 0.002, 'beta_1': 0.9, 'beta_2': 0.999, 'decay': 0.0, 'epsilon': 1e-7},
    'Nadam': {'lr': 0.002, 'beta_1': 0.9, 'beta_2': 0.999, 'epsilon': 1e-7,
              'schedule_decay': 0.004},
}


@pytest.mark.parametrize('name', sorted(DEFAULT_CONFIGS))
def test_default_configs_match_spec(name):
    opt = getattr(optimizers, name)()
    config = opt.get_config()
    expected = DEFAULT_CONFIGS[name]
    assert sorted(config) == sorted(expected)
    for key, value in expected.items():
        assert type(config[key]) is type(value), key
        python_floats = ('epsilon', 'schedule_decay') + (('rho',) if name == 'Adadelta' else ())
        if isinstance(value, float) and key not in python_floats:
            # Keras 2.2 read these back from float32 variables (Adadelta's rho is a python float).
            assert config[key] == float(np.float32(value)), key
        else:
            assert config[key] == value, key
    clone = optimizers.deserialize(optimizers.serialize(opt))
    assert type(clone) is type(opt) and clone.get_config() == config
    clone2 = type(opt).from_config(config)
    assert clone2.get_config() == config


def test_config_clip_arguments_only_when_set_and_roundtrip():
    assert 'clipnorm' not in optimizers.Adam().get_config()
    config = optimizers.Adam(lr=0.02, amsgrad=True, clipnorm=1.5, clipvalue=0.5).get_config()
    assert config['clipnorm'] == 1.5 and config['clipvalue'] == 0.5 and config['amsgrad'] is True
    clone = optimizers.Adam.from_config(config)
    assert clone.clipnorm == 1.5 and clone.clipvalue == 0.5 and clone.get_config() == config
    assert not hasattr(optimizers.SGD(), 'clipnorm')


def test_constructor_arguments():
    np.testing.assert_allclose(float(optimizers.Adam(learning_rate=0.3).lr), 0.3, rtol=1e-6)
    np.testing.assert_allclose(float(optimizers.SGD(0.2).lr), 0.2, rtol=1e-6)
    with pytest.raises(TypeError, match='not both'):
        optimizers.SGD(lr=0.1, learning_rate=0.2)
    with pytest.raises(TypeError, match='momentun'):
        optimizers.SGD(momentun=0.9)
    with pytest.raises(TypeError, match='decay'):
        optimizers.Nadam(decay=0.1)
    with pytest.raises(ValueError, match='lr'):
        optimizers.Adam(lr=-1.0)
    with pytest.raises(TypeError, match='beta_1'):
        optimizers.Adam(beta_1='high')


def test_get_serialize_deserialize():
    for name, cls in [('sgd', optimizers.SGD), ('RMSprop', optimizers.RMSprop),
                      ('adagrad', optimizers.Adagrad), ('Adadelta', optimizers.Adadelta),
                      ('ADAM', optimizers.Adam), ('adamax', optimizers.Adamax),
                      ('nadam', optimizers.Nadam)]:
        assert type(optimizers.get(name)) is cls
    assert optimizers.adam is optimizers.Adam and optimizers.sgd is optimizers.SGD
    assert optimizers.rmsprop is optimizers.RMSprop and optimizers.nadam is optimizers.Nadam
    opt = optimizers.SGD()
    assert optimizers.get(opt) is opt
    config = {'class_name': 'SGD', 'config': {'lr': 0.5, 'momentum': 0.9}}
    built = optimizers.get(config)
    assert config['class_name'] == 'SGD'  # not mutated
    np.testing.assert_allclose(float(built.momentum), 0.9, rtol=1e-6)
    assert optimizers.serialize(built)['class_name'] == 'SGD'
    with pytest.raises(ValueError, match='adamw.*adadelta.*sgd'):
        optimizers.get('adamw')
    with pytest.raises(ValueError, match='optimizer identifier'):
        optimizers.get(42)


def test_graph_api_raises_helpful_error():
    with pytest.raises(RuntimeError, match='apply_gradients.*GradientTape|GradientTape'):
        optimizers.Adam().get_updates(None, [])
    with pytest.raises(RuntimeError, match='GradientTape'):
        optimizers.SGD().get_gradients(None, [])


def test_custom_training_loop_with_gradient_tape():
    w = tf.Variable([[0.0], [0.0]])
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    y = tf.constant([[1.0], [2.0]])
    opt = optimizers.get('sgd')
    opt.lr = 0.05
    losses = []
    for _ in range(20):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - y))
        opt.apply_gradients(tape.gradient(loss, [w]), [w])
        losses.append(float(loss))
    assert losses[-1] < 0.1 * losses[0]


def test_custom_subclass_with_its_own_rule():
    class HalfStep(optimizers.Optimizer):
        _slot_names = ('last',)

        def __init__(self, lr=0.5, **kwargs):
            super(HalfStep, self).__init__(**kwargs)
            self.lr = lr  # first assignment creates the variable

        def _update(self, grad, param, slots, hyper):
            slots['last'].assign(grad)
            return param - hyper['lr'] * grad

    opt = HalfStep(clipvalue=1.0)
    assert isinstance(opt.lr, tf.Variable)
    param = tf.Variable([1.0, 1.0])
    opt.apply_gradients([tf.constant([3.0, 0.5])], [param])
    np.testing.assert_allclose(param.numpy(), [0.5, 0.75])
    np.testing.assert_allclose(opt.get_weights()[1], [1.0, 0.5])
    assert opt.get_config() == {'clipvalue': 1.0}
    assert not hasattr(optimizers.Nadam(), 'decay')
