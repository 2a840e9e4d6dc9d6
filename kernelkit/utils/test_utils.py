"""Test helpers of Keras 2.2.4 (`keras.utils.test_utils`): `get_test_data`, `layer_test` and `keras_test`.

`layer_test` checks a layer class end to end, as Keras 2.2.4's helper did, and optionally against an
oracle: any other Keras 2 implementation of the same layer (the project's tests pass tf_keras's class;
kernelkit itself never imports it). With an oracle, the weights are copied across and the outputs and
gradients compared, so a layer is only "done" when it is numerically the same layer.
"""
import functools

import numpy as np
import tensorflow as tf

from kernelkit import backend as K
from kernelkit.utils.generic_utils import has_arg


def get_test_data(num_train=1000, num_test=500, input_shape=(10,), output_shape=(2,), classification=True,
                  num_classes=2):
    """Generates random data to train a model on (Keras 2.2.4's helper; draws from `np.random`).

    With `classification=True` the targets are integer labels in `[0, num_classes)`, drawn uniformly, and
    each input is drawn around its label: `normal(loc=label, scale=0.7)` (`output_shape` is ignored).
    Otherwise every sample gets a random centre `c` in `[0, 1)`; input and target are `normal(loc=c,
    scale=0.7)` of shapes `input_shape` and `output_shape`.

    # Arguments
        num_train: number of training samples.
        num_test: number of test samples.
        input_shape: shape of one input sample (a tuple).
        output_shape: shape of one target sample, for regression.
        classification: whether to make classification data (labels) or regression data.
        num_classes: number of classes, for classification.

    # Returns
        `(x_train, y_train), (x_test, y_test)`: inputs as float32 arrays of shape
        `(num_samples,) + input_shape`; labels as an int array of shape `(num_samples,)` or regression
        targets as float32 arrays of shape `(num_samples,) + output_shape`.

    # Raises
        ValueError: for negative sample counts or fewer than one class.
    """
    if num_train < 0 or num_test < 0:
        raise ValueError('get_test_data: `num_train` and `num_test` must be >= 0; received %r and %r.'
                         % (num_train, num_test))
    samples = num_train + num_test
    input_shape, output_shape = tuple(input_shape), tuple(output_shape)
    if classification:
        if num_classes < 1:
            raise ValueError('get_test_data: `num_classes` must be >= 1; received %r.' % (num_classes,))
        y = np.random.randint(0, num_classes, size=(samples,))
        centres = y.reshape((samples,) + (1,) * len(input_shape))
    else:
        centres = np.random.random((samples,))
        y = np.random.normal(loc=centres.reshape((samples,) + (1,) * len(output_shape)), scale=0.7,
                             size=(samples,) + output_shape).astype(np.float32)
        centres = centres.reshape((samples,) + (1,) * len(input_shape))
    x = np.random.normal(loc=centres, scale=0.7, size=(samples,) + input_shape).astype(np.float32)
    return (x[:num_train], y[:num_train]), (x[num_train:], y[num_train:])


def keras_test(func):
    """Decorator for test functions: clears the Keras session after the test (passed or failed).

    # Arguments
        func: the test function.

    # Returns
        The wrapped function.
    """
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        finally:
            K.clear_session()
    return wrapper


def _random_input(input_shape, input_dtype, seed):
    rng = np.random.RandomState(seed)
    shape = tuple(d if d is not None else rng.randint(2, 5) for d in input_shape)
    if np.dtype(input_dtype).kind in 'iu':
        return rng.randint(0, 10, size=shape).astype(input_dtype)
    return (rng.standard_normal(shape) * 2.).astype(input_dtype)


def _outputs_and_gradients(layer, data, training, cotangent_seed):
    """Runs the layer eagerly on `data` and returns `(outputs, d(inputs), d(weights))` of a random
    projection of the outputs, so every output element influences the gradients."""
    x = tf.Variable(data)
    with tf.GradientTape() as tape:
        y = layer(x, training=training)
        outputs = tf.nest.flatten(y)
        rng = np.random.RandomState(cotangent_seed)
        projection = tf.add_n([tf.reduce_sum(o * rng.standard_normal(o.shape).astype(o.dtype.as_numpy_dtype))
                               for o in outputs if o.dtype.is_floating])
    grads = tape.gradient(projection, [x] + list(layer.trainable_weights))
    grads = [None if g is None else tf.convert_to_tensor(g).numpy() for g in grads]
    return [o.numpy() for o in outputs], grads[0], grads[1:]


def _check_shape(expected, actual, what):
    for declared, real in zip(expected, actual):
        assert declared is None or real is None or declared == real, (
            'compute_output_shape %s disagrees with the %s %s' % (tuple(expected), what, tuple(actual)))


def _compare(actual, expected, atol, what, rtol=0):
    np.testing.assert_allclose(actual, expected, atol=atol, rtol=rtol, err_msg=what)


def layer_test(layer_cls, kwargs=None, input_shape=None, input_dtype=None, input_data=None,
               expected_output=None, expected_output_dtype=None, fixed_batch_size=False, oracle=None,
               oracle_kwargs=None, check_training=True, atol=1e-5, grad_atol=1e-4, seed=0, custom_objects=None):
    """Tests a layer with one input and one output, as Keras 2.2.4's `layer_test` did, plus an oracle.

    The checks, in order: `get_weights`/`set_weights` on the new layer (and construction from `weights=`
    when the constructor names it); the output dtype; `compute_output_shape` against the traced and the
    real output shapes in a functional `Model`; the output against `expected_output`; the layer's
    `get_config`/`from_config` round trip; the functional model's config round trip (same weights, same
    output); a training step when `call` takes `training`; the layer rebuilt from its config (with
    `batch_input_shape`) as first layer of a `Sequential` (same output), and that model's config round
    trip; with `oracle`, outputs and gradients against the oracle's.

    # Arguments
        layer_cls: the kernelkit layer class.
        kwargs: constructor arguments.
        input_shape: input shape with batch dimension (`None` entries get a small random size).
        input_dtype: input dtype (default `K.floatx()`, or the dtype of `input_data`).
        input_data: explicit input array (instead of `input_shape`).
        expected_output: array the output must equal (`rtol=1e-3`, `atol`).
        expected_output_dtype: dtype the output must have (default: the input dtype, when it is a float
            dtype; no check for integer inputs).
        fixed_batch_size: whether the functional model's `Input` has the batch size of `input_shape`.
        oracle: a factory for the same layer in another Keras 2 implementation (e.g. tf_keras's class).
        oracle_kwargs: constructor arguments for the oracle (default: `kwargs`).
        check_training: also compare outputs and gradients with the oracle with `training=True` (only for
            layers whose training mode is deterministic).
        atol: tolerance for outputs.
        grad_atol: tolerance for gradients.
        seed: seed of the random input and the random output projection.
        custom_objects: dictionary of objects the layer's config refers to by name (e.g. the function of
            a `Lambda`), used while the layer and the models are rebuilt from their configs.

    # Returns
        The layer's output on the input data (numpy), from the functional model.

    # Raises
        AssertionError: when a check fails.
        ValueError: if neither `input_shape` nor `input_data` is given.
    """
    from kernelkit.engine.input_layer import Input
    from kernelkit.engine.sequential import Sequential
    from kernelkit.engine.training import Model
    from kernelkit.utils.generic_utils import CustomObjectScope
    kwargs = dict(kwargs or {})
    custom_objects = dict(custom_objects or {}, **{layer_cls.__name__: layer_cls})
    if input_data is None:
        if input_shape is None:
            raise ValueError('layer_test needs `input_shape` or `input_data`.')
        input_dtype = input_dtype or K.floatx()
        input_data = _random_input(input_shape, input_dtype, seed)
    else:
        input_data = np.asarray(input_data, dtype=input_dtype)
        input_dtype = input_data.dtype.name
        input_shape = input_data.shape if input_shape is None else input_shape
    input_shape = tuple(input_shape)
    data_shape = input_data.shape
    if expected_output_dtype is None and np.dtype(input_dtype).kind == 'f':
        expected_output_dtype = np.dtype(input_dtype).name

    layer = layer_cls(**kwargs)
    weights = layer.get_weights()
    layer.set_weights(weights)
    if weights and has_arg(layer_cls.__init__, 'weights'):
        layer = layer_cls(**dict(kwargs, weights=weights))

    batch_shape = input_shape if fixed_batch_size else (None,) + input_shape[1:]
    x = Input(batch_shape=batch_shape, dtype=input_dtype)
    y = layer(x)
    if expected_output_dtype is not None:
        assert K.dtype(y) == expected_output_dtype, (
            'output dtype %s, expected %s' % (K.dtype(y), expected_output_dtype))
    _check_shape(layer.compute_output_shape(batch_shape), y.shape.as_list(), 'traced shape')

    model = Model(x, y)
    actual_output = model.predict(input_data)
    _check_shape(layer.compute_output_shape(data_shape), actual_output.shape, 'real output shape')
    if expected_output is not None:
        _compare(actual_output, expected_output, atol, 'output differs from expected_output', rtol=1e-3)

    weights = layer.get_weights()
    config = layer.get_config()
    with CustomObjectScope(custom_objects):
        recreated = layer_cls.from_config(config)
    assert recreated.get_config() == config, 'get_config/from_config does not round-trip'
    rebuilt = Model.from_config(model.get_config(), custom_objects=custom_objects)
    rebuilt.set_weights(model.get_weights())
    _compare(rebuilt.predict(input_data), actual_output, atol, 'the model rebuilt from its config differs')
    if has_arg(layer.call, 'training'):
        rebuilt.compile('rmsprop', 'mse')  # a training step on a copy (the layer's weights stay as they are)
        rebuilt.train_on_batch(input_data, actual_output)

    with CustomObjectScope(custom_objects):
        first = layer_cls.from_config(dict(config, batch_input_shape=input_shape))
    sequential = Sequential()
    sequential.add(first)
    first.set_weights(weights)
    sequential_output = sequential.predict(input_data)
    _check_shape(layer.compute_output_shape(data_shape), sequential_output.shape, 'Sequential output shape')
    _compare(sequential_output, actual_output, atol, 'the layer in a Sequential model differs')
    restored = Sequential.from_config(sequential.get_config(), custom_objects=custom_objects)
    restored.set_weights(sequential.get_weights())
    _compare(restored.predict(input_data), actual_output, atol, 'the Sequential rebuilt from its config differs')

    if oracle is not None:
        _compare_with_oracle(layer, weights, input_data, oracle(**(oracle_kwargs if oracle_kwargs is not None
                                                                   else kwargs)),
                             check_training, atol, grad_atol, seed)
    return actual_output


def _compare_with_oracle(layer, weights, input_data, reference, check_training, atol, grad_atol, seed):
    reference(tf.constant(input_data))
    assert len(reference.get_weights()) == len(weights), (
        'weight count differs from the oracle: %d vs %d' % (len(weights), len(reference.get_weights())))
    for ours, theirs in zip(weights, reference.get_weights()):
        assert ours.shape == theirs.shape, ('weight shapes differ from the oracle', ours.shape, theirs.shape)
    reference.set_weights(weights)
    for training in ((False, True) if check_training else (False,)):
        ours, our_dx, our_dw = _outputs_and_gradients(layer, input_data, training, seed + 1)
        theirs, their_dx, their_dw = _outputs_and_gradients(reference, input_data, training, seed + 1)
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a, b, atol=atol, rtol=0,
                                       err_msg='output differs from the oracle (training=%s)' % training)
        if their_dx is not None and input_data.dtype.kind == 'f':
            np.testing.assert_allclose(our_dx, their_dx, atol=grad_atol, rtol=0,
                                       err_msg='input gradient differs (training=%s)' % training)
        for a, b in zip(our_dw, their_dw):
            if b is not None:
                np.testing.assert_allclose(a, b, atol=grad_atol, rtol=0,
                                           err_msg='weight gradient differs (training=%s)' % training)
