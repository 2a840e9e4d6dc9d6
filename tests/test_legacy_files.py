"""Keras 1 files: configs and weights load through the Keras 1 table.

Two kinds of tests:
- synthetic Keras 1 weight files, written here in the Keras 1.2.2 layout (per-gate LSTM/GRU arrays, Theano
  ordered kernels, ...) from known Keras 2 weights: loading them must give back exactly those weights, so every
  conversion is applied exactly once (nested wrappers and models included);
- the real Keras 1.2.2 files of `../shared/keras-files` (skipped with a reason when that folder is absent):
  `weights/*_1.h5` predict what an independent numpy implementation of the Keras 1 layers computes from the raw
  Keras 1 arrays, the Keras 1 example models reproduce their stored predictions, and every Keras 1 JSON config
  builds.
"""
import glob
import json
import os
import warnings

import h5py
import numpy as np
import pytest

import kernelkit as keras
from kernelkit import layers
from kernelkit.legacy import KerasMigrationWarning, table
from kernelkit.legacy.configs import convert_config
from kernelkit.models import Model, Sequential

ROOT = os.path.join(os.path.dirname(__file__), '..', '..', 'shared', 'keras-files')
DATA = os.path.join(ROOT, 'dl4j-test-resources')
needs_files = pytest.mark.skipif(not os.path.isdir(DATA), reason='../shared/keras-files is not present')


def _quiet(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return function(*args, **kwargs)


# ------------------------------------------------------------------------------------------------------------
# Synthetic Keras 1 weight files.

def _write_keras1_weights(path, layer_arrays):
    """A Keras 1 `save_weights` file: root `layer_names`, no `keras_version`, no `backend`."""
    with h5py.File(path, 'w') as f:
        f.attrs['layer_names'] = np.array([name.encode() for name, _ in layer_arrays])
        for name, arrays in layer_arrays:
            group = f.create_group(name)
            names = ['%s_param_%d' % (name, i) for i in range(len(arrays))]
            group.attrs['weight_names'] = np.array([n.encode() for n in names])
            for n, a in zip(names, arrays):
                group.create_dataset(n, data=a)


def _randomize(model):
    for layer in model.layers:
        layer.set_weights([np.random.rand(*w.shape).astype('float32') for w in layer.get_weights()])


def _lstm_keras1(kernel, recurrent, bias):
    """Keras 2 LSTM weights (gates i, f, c, o) as Keras 1's 12 arrays (W, U, b for i, c, f, o)."""
    split = [np.split(a, 4, axis=-1) for a in (kernel, recurrent, bias)]
    return [split[kind][gate] for gate in (0, 2, 1, 3) for kind in range(3)]


def _gru_keras1(kernel, recurrent, bias):
    split = [np.split(a, 3, axis=-1) for a in (kernel, recurrent, bias)]
    return [split[kind][gate] for gate in range(3) for kind in range(3)]


def _th(kernel):
    """A Keras 2 (rows, cols, in, out) kernel as Keras 1 'th' stored it: (out, in, rows, cols)."""
    return np.transpose(kernel, (3, 2, 0, 1))


def _check_round_trip(tmp_path, model, keras1_layers):
    expected = [w.copy() for w in model.get_weights()]
    path = str(tmp_path / 'keras1.h5')
    _write_keras1_weights(path, keras1_layers)
    for layer in model.layers:
        layer.set_weights([np.zeros_like(w) for w in layer.get_weights()])
    model.load_weights(path)
    for ours, theirs in zip(model.get_weights(), expected):
        np.testing.assert_array_equal(ours, theirs)


def test_lstm_gru_simple_rnn_gate_order(tmp_path):
    model = Sequential([layers.LSTM(3, input_shape=(4, 2), return_sequences=True),
                        layers.GRU(2, return_sequences=True), layers.SimpleRNN(2)])
    _randomize(model)
    lstm, gru, rnn = model.layers
    _check_round_trip(tmp_path, model, [('lstm_1', _lstm_keras1(*lstm.get_weights())),
                                        ('gru_1', _gru_keras1(*gru.get_weights())),
                                        ('simplernn_1', rnn.get_weights())])


def test_convolution_kernels_tf_and_th(tmp_path):
    model = Sequential([layers.Conv2D(3, (2, 3), input_shape=(2, 6, 6), data_format='channels_first'),
                        layers.Conv2D(2, (3, 2), data_format='channels_first'),
                        layers.Permute((2, 3, 1)), layers.Conv2D(2, (1, 2)),
                        layers.Conv2DTranspose(3, (2, 2)), layers.Reshape((3, 4, 3)),
                        layers.Conv2DTranspose(2, (2, 3), data_format='channels_first')])
    _randomize(model)
    conv_th, conv_th2, _, conv_tf, deconv_tf, _, deconv_th = model.layers
    k = [l.get_weights() for l in (conv_th, conv_th2, conv_tf, deconv_tf, deconv_th)]
    _check_round_trip(tmp_path, model, [
        ('convolution2d_1', [_th(k[0][0]), k[0][1]]),
        ('convolution2d_2', [_th(k[1][0]), k[1][1]]),
        ('convolution2d_3', k[2]),                                            # 'tf': unchanged
        ('deconvolution2d_1', [np.transpose(k[3][0], (0, 1, 3, 2)), k[3][1]]),   # (rows, cols, in, out)
        ('deconvolution2d_2', [np.transpose(k[4][0], (2, 3, 0, 1)), k[4][1]])])  # 'th': (in, out, rows, cols)


def test_conv1d_keras_1_2_and_1_1_layouts_and_conv3d_th(tmp_path):
    model = Sequential([layers.Conv1D(4, 3, input_shape=(10, 2)), layers.Conv1D(3, 3),
                        layers.Reshape((3, 3, 2, 1)),
                        layers.Conv3D(2, (1, 2, 1), data_format='channels_first')])
    _randomize(model)
    a, b, _, c = model.layers
    (ka, ba), (kb, bb), (kc, bc) = a.get_weights(), b.get_weights(), c.get_weights()
    _check_round_trip(tmp_path, model, [
        ('convolution1d_1', [ka[:, None, :, :], ba]),                                 # Keras 1.2
        ('convolution1d_2', [np.transpose(kb[:, None, :, :], (3, 2, 0, 1)), bb]),    # Keras 1.1
        ('convolution3d_1', [np.transpose(kc, (4, 3, 0, 1, 2)), bc])])


def test_wrappers_and_nested_models_are_converted_exactly_once(tmp_path):
    inner = Sequential([layers.LSTM(3, input_shape=(5, 4), return_sequences=True),
                        layers.BatchNormalization()], name='inner')
    x = layers.Input((5, 4))
    y = inner(x)
    y = layers.Bidirectional(layers.GRU(2, return_sequences=True))(y)
    y = layers.Reshape((5, 1, 2, 2))(y)
    y = layers.TimeDistributed(layers.Conv2D(2, (1, 2), data_format='channels_first'))(y)
    model = Model(x, y)
    _randomize(inner)
    _randomize(model)
    lstm, bn = inner.layers
    bidirectional, distributed = model.layers[2], model.layers[4]
    forward, backward = bidirectional.forward_layer.get_weights(), bidirectional.backward_layer.get_weights()
    kernel, bias = distributed.layer.get_weights()
    gamma, beta, mean, variance = bn.get_weights()
    _check_round_trip(tmp_path, model, [
        ('input_1', []),
        ('inner', _lstm_keras1(*lstm.get_weights()) + [gamma, beta, mean, variance]),
        ('bidirectional_1', _gru_keras1(*forward) + _gru_keras1(*backward)),
        ('reshape_1', []),
        ('timedistributed_1', [_th(kernel), bias])])


def test_conv_lstm_2d_tf_and_th(tmp_path):
    model = Sequential([layers.ConvLSTM2D(2, (2, 2), input_shape=(3, 5, 5, 1), return_sequences=True),
                        layers.Reshape((3, 2, 4, 4)),
                        layers.ConvLSTM2D(2, (1, 2), data_format='channels_first')])
    _randomize(model)

    def per_gate(kernel, recurrent, bias, th):
        split = [np.split(a, 4, axis=-1) for a in (kernel, recurrent, bias)]
        out = []
        for gate in (0, 2, 1, 3):
            out += [_th(split[0][gate]) if th else split[0][gate], _th(split[1][gate]) if th else split[1][gate],
                    split[2][gate]]
        return out

    first, _, second = model.layers
    _check_round_trip(tmp_path, model, [('convlstm2d_1', per_gate(*first.get_weights(), th=False)),
                                        ('convlstm2d_2', per_gate(*second.get_weights(), th=True))])


# ------------------------------------------------------------------------------------------------------------
# Keras 1 configs (no files needed).

def test_keras1_objects_and_layers_in_configs():
    config = {'class_name': 'Sequential', 'config': [
        {'class_name': 'Dense', 'config': {
            'name': 'dense_1', 'output_dim': 4, 'input_dim': 3, 'init': 'uniform', 'activation': 'relu',
            'W_regularizer': {'name': 'L1L2Regularizer', 'l1': 0.0, 'l2': 0.01}, 'b_regularizer': None,
            'activity_regularizer': {'name': 'ActivityRegularizer', 'l1': 0.1, 'l2': 0.0},
            'W_constraint': {'name': 'MaxNorm', 'm': 2.0, 'axis': 0},
            'b_constraint': {'name': 'MinMaxNorm', 'low': 0.0, 'high': 1.0, 'rate': 1.0, 'axis': 0},
            'bias': True, 'trainable': True, 'input_dtype': 'float32', 'batch_input_shape': [None, 3]}},
        {'class_name': 'Reshape', 'config': {'name': 'r', 'target_shape': [2, 2], 'trainable': True}},
        {'class_name': 'AtrousConvolution1D', 'config': {'name': 'a', 'nb_filter': 2, 'filter_length': 2,
                                                          'atrous_rate': 2, 'border_mode': 'same',
                                                          'input_dim': None, 'input_length': None}},
        {'class_name': 'TimeDistributedDense', 'config': {'name': 'tdd', 'output_dim': 3, 'input_dim': 2,
                                                           'input_length': None, 'init': 'glorot_uniform'}},
        {'class_name': 'BatchNormalization', 'config': {'name': 'bn', 'mode': 0, 'axis': -1, 'epsilon': 1e-3,
                                                         'momentum': 0.99, 'beta_regularizer': None,
                                                         'gamma_regularizer': None}}]}
    converted, changes = convert_config(config)
    assert changes and convert_config(converted)[1] == []   # idempotent: a Keras 2 config is left alone
    entries = converted['config']
    assert [e['class_name'] for e in entries] == ['Dense', 'Reshape', 'Conv1D', 'TimeDistributed',
                                                  'BatchNormalization']
    dense = entries[0]['config']
    assert dense['kernel_regularizer'] == {'class_name': 'L1L2', 'config': {'l1': 0.0, 'l2': 0.01}}
    assert dense['kernel_constraint'] == {'class_name': 'MaxNorm', 'config': {'max_value': 2.0, 'axis': 0}}
    assert entries[2]['config']['dilation_rate'] == 2 and entries[3]['config']['layer']['class_name'] == 'Dense'
    with pytest.warns(KerasMigrationWarning, match='written by Keras 1'):
        model = keras.models.model_from_config(config)
    first = model.layers[0]
    assert first.kernel_regularizer.l2 == pytest.approx(0.01) and first.activity_regularizer.l1 == pytest.approx(0.1)
    assert first.kernel_constraint.max_value == 2.0 and first.bias_constraint.max_value == 1.0
    assert model.output_shape == (None, 2, 3)


def test_keras1_merge_configs_every_mode():
    for mode, entry in table.MERGE_MODES.items():
        config = {'class_name': 'Model', 'config': {
            'name': 'm', 'input_layers': [['a', 0, 0], ['b', 0, 0]], 'output_layers': [['merge_1', 0, 0]],
            'layers': [
                {'name': 'a', 'class_name': 'InputLayer', 'inbound_nodes': [],
                 'config': {'batch_input_shape': [None, 3], 'input_dtype': 'float32', 'sparse': False, 'name': 'a'}},
                {'name': 'b', 'class_name': 'InputLayer', 'inbound_nodes': [],
                 'config': {'batch_input_shape': [None, 3], 'input_dtype': 'float32', 'sparse': False, 'name': 'b'}},
                {'name': 'merge_1', 'class_name': 'Merge', 'inbound_nodes': [[['a', 0, 0], ['b', 0, 0]]],
                 'config': {'name': 'merge_1', 'mode': mode, 'concat_axis': -1, 'dot_axes': -1,
                            'output_shape': None, 'output_shape_type': 'raw', 'output_mask': None,
                            'output_mask_type': 'raw', 'mode_type': 'raw', 'arguments': {}}}]}}
        model = _quiet(keras.models.model_from_config, config)
        assert type(model.layers[-1]).__name__ == entry.layer


def test_keras1_config_errors():
    with pytest.raises(TypeError, match='mode=1` and `mode=2` are no longer supported'):
        _quiet(layers.deserialize, {'class_name': 'BatchNormalization', 'config': {'mode': 2, 'name': 'bn'}})
    for name in ('SReLU', 'ParametricSoftplus'):
        with pytest.raises(ValueError, match='Unknown layer: %s. `%s` was removed' % (name, name)):
            layers.deserialize({'class_name': name, 'config': {'name': 'x'}})
    with pytest.raises(ValueError, match='EigenvalueRegularizer'):
        layers.deserialize({'class_name': 'Dense', 'config': {'output_dim': 2, 'W_regularizer': {
            'name': 'EigenvalueRegularizer', 'k': 1}}})


# ------------------------------------------------------------------------------------------------------------
# The real Keras 1.2.2 files.

def _act(name, x):
    return {'linear': lambda v: v, 'tanh': np.tanh, 'relu': lambda v: np.maximum(v, 0),
            'sigmoid': lambda v: 1 / (1 + np.exp(-v)), 'hard_sigmoid': lambda v: np.clip(0.2 * v + 0.5, 0, 1),
            'softmax': lambda v: np.exp(v) / np.exp(v).sum(-1, keepdims=True)}[name](x)


def _keras1_recurrent(kind, config, arrays, x):
    """Keras 1.2.2 SimpleRNN/LSTM (consume_less='cpu') on x (batch, time, features), from the raw arrays."""
    act, inner = config.get('activation', 'tanh'), config.get('inner_activation', 'hard_sigmoid')
    steps = range(x.shape[1])[::-1] if config.get('go_backwards') else range(x.shape[1])
    h = np.zeros((x.shape[0], arrays[1].shape[0]))
    c = np.zeros_like(h)
    outputs = []
    for t in steps:
        xt = x[:, t]
        if kind == 'SimpleRNN':
            W, U, b = arrays
            h = _act(act, xt @ W + h @ U + b)
        else:
            (Wi, Ui, bi, Wc, Uc, bc, Wf, Uf, bf, Wo, Uo, bo) = arrays
            i = _act(inner, xt @ Wi + h @ Ui + bi)
            f = _act(inner, xt @ Wf + h @ Uf + bf)
            c = f * c + i * _act(act, xt @ Wc + h @ Uc + bc)
            o = _act(inner, xt @ Wo + h @ Uo + bo)
            h = o * _act(act, c)
        outputs.append(h)
    return np.stack(outputs, 1) if config.get('return_sequences') else h


def _keras1_forward(entries, weights, x):
    """Runs a Keras 1 Sequential config in numpy with the Keras 1 arrays of each layer (TF correlation)."""
    for entry in entries:
        kind, config = entry['class_name'], entry['config']
        arrays = weights.get(config['name'], [])
        if kind == 'Dense':
            x = _act(config['activation'], x @ arrays[0] + arrays[1])
        elif kind == 'Reshape':
            x = x.reshape((x.shape[0],) + tuple(config['target_shape']))
        elif kind == 'Flatten':
            x = x.reshape(x.shape[0], -1)
        elif kind == 'BatchNormalization':
            gamma, beta, mean, var = arrays
            x = (x - mean) / np.sqrt(var + config['epsilon']) * gamma + beta
        elif kind == 'Convolution2D':
            assert config['dim_ordering'] == 'tf' and config['border_mode'] == 'valid'
            W, b = arrays
            rows, cols = W.shape[:2]
            out = np.zeros((x.shape[0], x.shape[1] - rows + 1, x.shape[2] - cols + 1, W.shape[3]))
            for i in range(out.shape[1]):
                for j in range(out.shape[2]):
                    out[:, i, j] = np.tensordot(x[:, i:i + rows, j:j + cols], W, axes=3)
            x = _act(config['activation'], out + b)
        elif kind == 'Convolution1D':
            assert config['border_mode'] == 'valid'
            W, b = arrays
            length = W.shape[0]
            out = np.stack([np.tensordot(x[:, t:t + length], W[:, 0], axes=2)
                            for t in range(x.shape[1] - length + 1)], 1)
            x = _act(config['activation'], out + b)
        elif kind == 'Embedding':
            x = arrays[0][x.astype(int)]
        elif kind in ('LSTM', 'SimpleRNN'):
            x = _keras1_recurrent(kind, config, arrays, x)
        elif kind == 'Bidirectional':
            inner = config['layer']
            half = len(arrays) // 2
            forward = _keras1_recurrent(inner['class_name'], inner['config'], arrays[:half], x)
            backward = _keras1_recurrent(inner['class_name'], dict(inner['config'], go_backwards=True),
                                         arrays[half:], x)
            if inner['config'].get('return_sequences'):
                backward = backward[:, ::-1]
            assert config['merge_mode'] == 'concat'
            x = np.concatenate([forward, backward], -1)
        else:
            raise NotImplementedError(kind)
    return x


def _keras1_weight_files():
    if not os.path.isdir(DATA):
        return []
    return sorted(os.path.basename(p) for p in glob.glob(os.path.join(DATA, 'weights', '*_1.h5')))


@needs_files
@pytest.mark.parametrize('name', _keras1_weight_files())
def test_keras1_weight_files_predict_like_keras1(name):
    path = os.path.join(DATA, 'weights', name)
    with h5py.File(path, 'r') as f:
        config = json.loads(f.attrs['model_config'])
        group = f['model_weights']
        weights = {n.decode(): [np.asarray(group[n.decode()][w.decode()]) for w in
                                group[n.decode()].attrs['weight_names']] for n in group.attrs['layer_names']}
    if any(entry['class_name'] == 'Lambda' for entry in config['config']):
        # A Python 2 lambda stored as bytecode: refused in safe mode, and a clear error when opted in.
        with pytest.raises(ValueError, match='safe_mode=False'):
            keras.models.load_model(path, compile=False)
        with pytest.raises(ValueError, match='bytecode of another Python version'):
            keras.models.load_model(path, compile=False, safe_mode=False)
        return
    with pytest.warns(KerasMigrationWarning, match='written by Keras 1'):
        model = keras.models.load_model(path, compile=False)
    shape = tuple(config['config'][0]['config']['batch_input_shape'][1:])
    if config['config'][0]['class_name'] == 'Embedding':
        x = np.random.randint(0, config['config'][0]['config']['input_dim'], (3,) + shape).astype('float32')
    else:
        x = np.random.rand(*((3,) + shape)).astype('float32')
    np.testing.assert_allclose(model.predict(x), _keras1_forward(config['config'], weights, x.astype('float64')),
                               rtol=1e-5, atol=1e-5)


@needs_files
@pytest.mark.parametrize('kind', ['tf', 'th'])
def test_keras1_example_models_reproduce_their_predictions(kind):
    stem = os.path.join(DATA, 'examples', 'simple_lstm', 'simple_lstm_%s_keras_1' % kind)
    with h5py.File(stem + '_inputs_and_outputs.h5', 'r') as f:
        x = np.asarray(f['inputs/lstm_input_1'])
        expected = np.asarray(f['predictions/dense_1'])
    model = _quiet(keras.models.load_model, stem + '_model.h5')     # compiled from the Keras 1 training config
    assert model.optimizer.__class__.__name__ == 'RMSprop'
    np.testing.assert_allclose(model.predict(x), expected, atol=1e-5, rtol=1e-5)
    with open(stem + '_config.json') as f:
        rebuilt = _quiet(keras.models.model_from_json, f.read())
    rebuilt.load_weights(stem + '_weights.h5')
    np.testing.assert_allclose(rebuilt.predict(x), expected, atol=1e-5, rtol=1e-5)


def _keras1_configs():
    if not os.path.isdir(DATA):
        return []
    paths = glob.glob(os.path.join(DATA, 'configs', 'keras1', '*.json'))
    paths += glob.glob(os.path.join(DATA, 'examples', '*', '*keras_1*config.json'))
    return sorted(os.path.relpath(p, DATA) for p in paths)


@needs_files
@pytest.mark.parametrize('path', _keras1_configs())
def test_keras1_json_configs_build(path):
    with open(os.path.join(DATA, path)) as f:
        text = f.read()
    config = json.loads(text)
    with pytest.warns(KerasMigrationWarning, match='written by Keras 1'):
        model = keras.models.model_from_json(text)
    entries = config['config'] if isinstance(config['config'], list) else config['config']['layers']
    keras1_names = [e['class_name'] for e in entries if e['class_name'] != 'InputLayer']
    ours = [type(l).__name__ for l in model.layers if type(l).__name__ != 'InputLayer']
    assert len(ours) == len(keras1_names)
    for theirs, mine in zip(keras1_names, ours):
        expected = table.CLASS_RENAMES.get(theirs, theirs)
        expected = {'TimeDistributedDense': 'TimeDistributed'}.get(expected, expected)
        assert mine == expected or (theirs == 'Merge' and mine in {m.layer for m in table.MERGE_MODES.values()})
    last = entries[-1]['config']
    if 'output_dim' in last:
        assert model.outputs[0].shape[-1] == last['output_dim']
    # the Keras 2 config of the result is plain Keras 2: it reloads without any conversion
    assert convert_config({'class_name': type(model).__name__, 'config': model.get_config()})[1] == []
