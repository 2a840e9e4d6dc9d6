"""`layer_test`: checks a layer class end to end, as Keras 2's test helper did, optionally against an oracle.

The oracle is any other Keras 2 implementation of the same layer (the project's tests pass tf_keras's
class; kernelkit itself never imports it). With an oracle, the weights are copied across and the outputs
and gradients compared, so a layer is only "done" when it is numerically the same layer.
"""
import numpy as np
import tensorflow as tf


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


def layer_test(layer_cls, kwargs=None, input_shape=None, input_dtype=None, input_data=None,
               expected_output=None, expected_output_dtype=None, oracle=None, oracle_kwargs=None,
               check_training=True, atol=1e-5, grad_atol=1e-4, seed=0, custom_objects=None):
    """Tests a layer: shapes, config round trip, use in models, and agreement with an oracle.

    # Arguments
        layer_cls: the kernelkit layer class.
        kwargs: constructor arguments.
        input_shape: input shape with batch dimension (`None` entries get a small random size).
        input_dtype: input dtype (default `'float32'`).
        input_data: explicit input array (instead of `input_shape`).
        expected_output: array the output must equal (atol `atol`).
        expected_output_dtype: dtype the output must have.
        oracle: a factory for the same layer in another Keras 2 implementation (e.g. tf_keras's class).
        oracle_kwargs: constructor arguments for the oracle (default: `kwargs`).
        check_training: also compare outputs and gradients with `training=True` (only for layers whose
            training mode is deterministic).
        atol: tolerance for outputs.
        grad_atol: tolerance for gradients.
        seed: seed of the random input and the random output projection.
        custom_objects: dictionary of objects the layer's config refers to by name (e.g. the function of
            a `Lambda`), used while the layer and the model are rebuilt from their configs.

    # Returns
        The layer's output on the input data (numpy).

    # Raises
        AssertionError: when a check fails.
    """
    from kernelkit.engine.input_layer import Input
    from kernelkit.engine.sequential import Sequential
    from kernelkit.engine.training import Model
    from kernelkit.utils.generic_utils import CustomObjectScope
    kwargs = dict(kwargs or {})
    custom_objects = dict(custom_objects or {}, **{layer_cls.__name__: layer_cls})
    input_dtype = input_dtype or 'float32'
    if input_data is None:
        input_data = _random_input(input_shape, input_dtype, seed)
    else:
        input_data = np.asarray(input_data, dtype=input_dtype)
    input_shape = input_data.shape

    layer = layer_cls(**kwargs)
    x = Input(batch_shape=(None,) + input_shape[1:], dtype=input_dtype)
    y = layer(x)
    expected_shape = layer.compute_output_shape((None,) + input_shape[1:])
    symbolic_shape = tuple(y.shape.as_list())
    for declared, actual in zip(expected_shape, symbolic_shape):
        assert declared is None or actual is None or declared == actual, (
            'compute_output_shape %s disagrees with the traced shape %s' % (expected_shape, symbolic_shape))
    if expected_output_dtype is not None:
        assert y.dtype.name == expected_output_dtype, (y.dtype.name, expected_output_dtype)

    model = Model(x, y)
    actual_output = model.predict(input_data)
    concrete_shape = layer.compute_output_shape(input_shape)
    for declared, actual in zip(concrete_shape, actual_output.shape):
        assert declared is None or declared == actual, (
            'compute_output_shape %s disagrees with the real output shape %s'
            % (concrete_shape, actual_output.shape))
    if expected_output is not None:
        np.testing.assert_allclose(actual_output, expected_output, atol=atol, rtol=0)

    weights = layer.get_weights()
    layer.set_weights(weights)
    config = layer.get_config()
    with CustomObjectScope(custom_objects):
        recreated = layer_cls.from_config(config)
    assert recreated.get_config() == config, 'get_config/from_config does not round-trip'
    model_config = model.get_config()
    rebuilt = Model.from_config(model_config, custom_objects=custom_objects)
    rebuilt.set_weights(model.get_weights())
    np.testing.assert_allclose(rebuilt.predict(input_data), actual_output, atol=atol, rtol=0)

    sequential = Sequential()
    sequential.add(layer_cls(**dict(kwargs, batch_input_shape=(None,) + input_shape[1:])))
    sequential.layers[0].set_weights(weights)
    np.testing.assert_allclose(sequential.predict(input_data), actual_output, atol=atol, rtol=0)

    if oracle is not None:
        reference = oracle(**(oracle_kwargs if oracle_kwargs is not None else kwargs))
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
    return actual_output
