"""Tests for kernelkit.backend convolution, pooling, bias_add and locally-connected ops.

A small numpy correlation is the oracle for convolutions and pooling; tf_keras.backend is the oracle
for transposed and locally-connected convolutions. Both data formats are checked.
"""
import itertools

import numpy as np
import pytest
import tensorflow as tf

from kernelkit import backend as K

RNG = np.random.RandomState(7)


def rand(*shape):
    return RNG.uniform(-1, 1, size=shape).astype('float32')


def close(a, b, tol=1e-4):
    np.testing.assert_allclose(K.eval(a), K.eval(b), rtol=tol, atol=tol)


@pytest.fixture(scope='module')
def kb():
    import tf_keras
    return tf_keras.backend


def to_first(x):
    """channels_last -> channels_first."""
    return np.moveaxis(x, -1, 1)


def pads(size, k, stride, dilation, padding):
    ek = (k - 1) * dilation + 1
    if padding == 'valid':
        return (size - ek) // stride + 1, 0
    out = -(-size // stride)
    return out, max((out - 1) * stride + ek - size, 0) // 2


def np_conv(x, k, strides, padding, dilation):
    """channels_last N-d correlation; x (b, *spatial, cin), k (*ks, cin, cout)."""
    rank = x.ndim - 2
    geometry = [pads(x.shape[1 + i], k.shape[i], strides[i], dilation[i], padding)
                for i in range(rank)]
    out = np.zeros((x.shape[0],) + tuple(g[0] for g in geometry) + (k.shape[-1],), 'float64')
    for pos in itertools.product(*[range(g[0]) for g in geometry]):
        for kpos in itertools.product(*[range(s) for s in k.shape[:rank]]):
            src = [pos[i] * strides[i] - geometry[i][1] + kpos[i] * dilation[i]
                   for i in range(rank)]
            if all(0 <= s < x.shape[1 + i] for i, s in enumerate(src)):
                out[(slice(None),) + pos] += x[(slice(None),) + tuple(src)].dot(k[kpos])
    return out


def np_pool(x, pool, strides, padding, mode):
    rank = x.ndim - 2
    geometry = [pads(x.shape[1 + i], pool[i], strides[i], 1, padding) for i in range(rank)]
    out = np.zeros((x.shape[0],) + tuple(g[0] for g in geometry) + (x.shape[-1],))
    for pos in itertools.product(*[range(g[0]) for g in geometry]):
        window = tuple(slice(max(p * s - g[1], 0), p * s - g[1] + k)
                       for p, s, g, k in zip(pos, strides, geometry, pool))
        values = x[(slice(None),) + window + (slice(None),)]
        values = values.reshape(x.shape[0], -1, x.shape[-1])
        out[(slice(None),) + pos] = values.max(1) if mode == 'max' else values.mean(1)
    return out


def depthwise_as_full(dk):
    """A depthwise kernel (*ks, cin, mult) as an ordinary kernel (*ks, cin, cin * mult)."""
    cin, mult = dk.shape[-2:]
    full = np.zeros(dk.shape[:-2] + (cin, cin * mult), 'float32')
    for c in range(cin):
        full[..., c, c * mult:(c + 1) * mult] = dk[..., c, :]
    return full


@pytest.mark.parametrize('padding,strides,dilation', [('valid', 1, 1), ('same', 2, 1),
                                                      ('same', 1, 2), ('causal', 1, 2),
                                                      ('valid', 3, 1)])
@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
def test_conv1d(padding, strides, dilation, data_format):
    if padding == 'causal' and data_format == 'channels_first':
        with pytest.raises(ValueError, match='causal'):
            K.conv1d(rand(2, 3, 7), rand(3, 3, 4), padding='causal', data_format=data_format)
        return
    x, k = rand(2, 7, 3), rand(3, 3, 4)
    if padding == 'causal':
        xp = np.pad(x, ((0, 0), (dilation * 2, 0), (0, 0)))
        expected = np_conv(xp, k, (strides,), 'valid', (dilation,))
    else:
        expected = np_conv(x, k, (strides,), padding, (dilation,))
    if data_format == 'channels_first':
        x, expected = to_first(x), to_first(expected)
    got = K.conv1d(x, k, strides=strides, padding=padding, data_format=data_format,
                   dilation_rate=dilation)
    close(got, expected)


@pytest.mark.parametrize('padding,strides,dilation', [('valid', (1, 1), (1, 1)),
                                                      ('same', (2, 1), (1, 1)),
                                                      ('valid', (1, 1), (2, 1)),
                                                      ('same', (1, 1), (2, 2))])
@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
def test_conv2d(padding, strides, dilation, data_format):
    x, k = rand(2, 6, 5, 3), rand(3, 2, 3, 4)
    expected = np_conv(x, k, strides, padding, dilation)
    if data_format == 'channels_first':
        x, expected = to_first(x), to_first(expected)
    got = K.conv2d(x, k, strides=strides, padding=padding, data_format=data_format,
                   dilation_rate=dilation)
    close(got, expected)


def test_conv2d_uses_image_data_format_and_checks_arguments():
    x, k = rand(1, 2, 5, 5), rand(3, 3, 2, 1)
    K.set_image_data_format('channels_first')
    try:
        got = K.conv2d(x, k)
    finally:
        K.set_image_data_format('channels_last')
    close(got, to_first(np_conv(np.moveaxis(x, 1, -1), k, (1, 1), 'valid', (1, 1))))
    with pytest.raises(ValueError, match='padding'):
        K.conv2d(x, k, padding='full')
    with pytest.raises(ValueError, match='data_format'):
        K.conv2d(x, k, data_format='NCHW')
    with pytest.raises(ValueError, match='4D'):
        K.conv2d(rand(2, 5, 5), k)


@pytest.mark.parametrize('padding,strides', [('valid', (1, 1, 1)), ('same', (2, 1, 2))])
@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
def test_conv3d(padding, strides, data_format):
    x, k = rand(1, 4, 5, 4, 2), rand(2, 3, 2, 2, 3)
    expected = np_conv(x, k, strides, padding, (1, 1, 1))
    if data_format == 'channels_first':
        x, expected = to_first(x), to_first(expected)
    close(K.conv3d(x, k, strides=strides, padding=padding, data_format=data_format), expected)


@pytest.mark.parametrize('padding', ['valid', 'same'])
@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
def test_conv2d_transpose(kb, padding, data_format):
    x, k = rand(2, 3, 4, 3), rand(3, 3, 5, 3)  # kernel: (rows, cols, filters, in_channels)
    out_hw = (7, 9) if padding == 'valid' else (6, 8)
    out_shape = (2,) + out_hw + (5,)
    if data_format == 'channels_first':
        x, out_shape = to_first(x), (2, 5) + out_hw
    got = K.conv2d_transpose(x, k, out_shape, strides=(2, 2), padding=padding,
                             data_format=data_format)
    want = kb.conv2d_transpose(tf.constant(x), tf.constant(k), out_shape, strides=(2, 2),
                               padding=padding, data_format=data_format)
    assert K.int_shape(got) == out_shape
    close(got, want)
    # The transposed convolution is the adjoint of the convolution: <conv(y), x> == <y, convT(x)>.
    y = rand(*out_shape)
    lhs = np.sum(K.eval(K.conv2d(y, k, strides=(2, 2), padding=padding,
                                 data_format=data_format)) * x)
    np.testing.assert_allclose(lhs, np.sum(K.eval(got) * y), rtol=1e-4)


def test_conv2d_transpose_unknown_batch():
    k = rand(2, 2, 3, 2)

    @tf.function(input_signature=[tf.TensorSpec([None, 3, 3, 2])])
    def f(x):
        return K.conv2d_transpose(x, k, (None, 6, 6, 3), strides=(2, 2))
    assert f(tf.zeros((4, 3, 3, 2))).shape == (4, 6, 6, 3)


@pytest.mark.parametrize('padding', ['valid', 'same'])
@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
def test_conv3d_transpose(padding, data_format):
    x, k = rand(1, 2, 3, 2, 2), rand(2, 2, 2, 3, 2)  # kernel: (d, h, w, filters, in_channels)
    spatial = (4, 6, 4)
    out_shape = (1,) + spatial + (3,)
    if data_format == 'channels_first':
        x, out_shape = to_first(x), (1, 3) + spatial
    got = K.conv3d_transpose(x, k, out_shape, strides=(2, 2, 2), padding=padding,
                             data_format=data_format)
    assert K.int_shape(got) == out_shape
    # tf_keras has no conv3d_transpose; check the adjoint identity against conv3d instead.
    y = rand(*out_shape)
    conv = K.eval(K.conv3d(y, k, strides=(2, 2, 2), padding=padding, data_format=data_format))
    np.testing.assert_allclose(np.sum(conv * x), np.sum(K.eval(got) * y), rtol=1e-4)


@pytest.mark.parametrize('padding,strides,dilation', [('valid', (1, 1), (1, 1)),
                                                      ('same', (2, 2), (1, 1)),
                                                      ('same', (1, 1), (2, 2))])
@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
def test_depthwise_and_separable_conv2d(padding, strides, dilation, data_format):
    x, dk, pk = rand(2, 6, 5, 3), rand(3, 2, 3, 2), rand(1, 1, 6, 4)
    depthwise = np_conv(x, depthwise_as_full(dk), strides, padding, dilation)
    separable = np_conv(depthwise.astype('float32'), pk, (1, 1), 'valid', (1, 1))
    if data_format == 'channels_first':
        x, depthwise, separable = to_first(x), to_first(depthwise), to_first(separable)
    kwargs = dict(strides=strides, padding=padding, data_format=data_format,
                  dilation_rate=dilation)
    close(K.depthwise_conv2d(x, dk, **kwargs), depthwise)
    close(K.separable_conv2d(x, dk, pk, **kwargs), separable)


@pytest.mark.parametrize('padding,strides,dilation', [('valid', 1, 1), ('same', 2, 1),
                                                      ('same', 1, 2)])
@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
def test_separable_conv1d(padding, strides, dilation, data_format):
    x, dk, pk = rand(2, 7, 3), rand(3, 3, 2), rand(1, 6, 4)
    depthwise = np_conv(x, depthwise_as_full(dk), (strides,), padding, (dilation,))
    expected = np_conv(depthwise.astype('float32'), pk, (1,), 'valid', (1,))
    if data_format == 'channels_first':
        x, expected = to_first(x), to_first(expected)
    close(K.separable_conv1d(x, dk, pk, strides=strides, padding=padding,
                             data_format=data_format, dilation_rate=dilation), expected)


@pytest.mark.parametrize('mode', ['max', 'avg'])
@pytest.mark.parametrize('padding,pool,strides', [('valid', (2, 2), (2, 2)),
                                                  ('same', (3, 2), (2, 1)),
                                                  ('valid', (2, 3), (1, 1))])
@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
def test_pool2d(mode, padding, pool, strides, data_format):
    x = rand(2, 5, 6, 3)
    expected = np_pool(x, pool, strides, padding, mode)
    if data_format == 'channels_first':
        x, expected = to_first(x), to_first(expected)
    close(K.pool2d(x, pool, strides=strides, padding=padding, data_format=data_format,
                   pool_mode=mode), expected)


@pytest.mark.parametrize('mode', ['max', 'avg'])
@pytest.mark.parametrize('padding', ['valid', 'same'])
@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
def test_pool3d(mode, padding, data_format):
    x = rand(1, 5, 4, 3, 2)
    expected = np_pool(x, (2, 2, 2), (2, 2, 2), padding, mode)
    if data_format == 'channels_first':
        x, expected = to_first(x), to_first(expected)
    close(K.pool3d(x, (2, 2, 2), (2, 2, 2), padding, data_format, mode), expected)


def test_pool_errors():
    with pytest.raises(ValueError, match='pool_mode'):
        K.pool2d(rand(1, 4, 4, 1), (2, 2), pool_mode='sum')
    with pytest.raises(ValueError, match='pool_size'):
        K.pool2d(rand(1, 4, 4, 1), (2, 2, 2))


@pytest.mark.parametrize('rank', [2, 3, 4, 5])
@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
def test_bias_add(kb, rank, data_format):
    shape = (2, 3, 4, 5, 6)[:rank]
    x = rand(*shape)
    channels = shape[-1] if data_format == 'channels_last' or rank == 2 else shape[1]
    b = rand(channels)
    bshape = [1] * rank
    bshape[-1 if data_format == 'channels_last' or rank == 2 else 1] = channels
    close(K.bias_add(x, b, data_format), x + b.reshape(bshape))
    if rank >= 3:  # a full bias in channels_last order (spatial..., channels)
        spatial = shape[1:-1] if data_format == 'channels_last' else shape[2:]
        full = rand(*(spatial + (channels,)))
        want = kb.bias_add(tf.constant(x), tf.constant(full), data_format)
        close(K.bias_add(x, full, data_format), want)
        # Keras 2 reshapes (does not transpose) the bias for channels_first
        expected = x + (full[None] if data_format == 'channels_last' else
                        full.reshape((channels,) + spatial)[None])
        close(K.bias_add(x, full, data_format), expected)
    with pytest.raises(ValueError, match='bias dimensions'):
        K.bias_add(rand(2, 3, 4, 5), rand(3, 4))


@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
def test_local_conv1d(kb, data_format):
    x, kernel = rand(2, 7, 3), rand(3, 3 * 3, 4)  # kernel_size 3, strides 2 -> 3 positions
    expected = np.stack([x[:, 2 * i:2 * i + 3].reshape(2, -1).dot(kernel[i]) for i in range(3)],
                        axis=1)
    if data_format == 'channels_first':
        # channels_first patches are flattened as (channels, width)
        xf = to_first(x)
        expected = np.stack([xf[:, :, 2 * i:2 * i + 3].reshape(2, -1).dot(kernel[i])
                             for i in range(3)], axis=2)
        x = xf
    got = K.local_conv1d(x, kernel, (3,), (2,), data_format)
    close(got, expected)
    close(got, kb.local_conv1d(tf.constant(x), tf.constant(kernel), (3,), (2,), data_format))


@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
def test_local_conv2d(kb, data_format):
    x = rand(2, 5, 4, 3)
    if data_format == 'channels_first':
        x = to_first(x)
    kernel = rand(2 * 3, 2 * 2 * 3, 4)  # output (2, 3), kernel (2, 2), strides (2, 1)
    got = K.local_conv2d(x, kernel, (2, 2), (2, 1), (2, 3), data_format)
    want = kb.local_conv2d(tf.constant(x), tf.constant(kernel), (2, 2), (2, 1), (2, 3),
                           data_format)
    assert K.int_shape(got) == ((2, 2, 3, 4) if data_format == 'channels_last' else (2, 4, 2, 3))
    close(got, want)
