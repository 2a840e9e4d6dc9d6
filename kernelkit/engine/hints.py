"""Errors that teach: the fix for the classic beginner mistakes, added to Keras 2's own messages.

Keras 2's error texts stay as they were (books and forums quote them); where one of the mistakes below is
recognised, a line starting with `Hint:` is appended that says, in plain words, what to write instead. The
checks run where Keras 2 already checked the data (before any state changes), so they cost nothing on data
that is right. Three mistakes do not fail in Keras 2 but silently train badly; they give a `TrainingHint`
warning instead: a softmax over one unit (always 1), `binary_crossentropy` on a softmax over several classes,
and raw 0-255 pixel values.
"""
import warnings

import numpy as np

HINT = '\nHint: '


class TrainingHint(UserWarning):
    """A likely mistake in how a model is set up or fed, which does not stop training (a `UserWarning`)."""


def with_hint(message, hint):
    """`message`, plus `\\nHint: <hint>` when there is a hint."""
    return message + HINT + hint if hint else message


COMPILE_FIRST = ('`compile` chooses how the model learns; run it once before `fit`, `evaluate` or '
                 '`train_on_batch`, e.g. `model.compile(optimizer=\'adam\', loss=\'categorical_crossentropy\', '
                 'metrics=[\'accuracy\'])`.')
UNBUILT_SUMMARY = ('the model does not know the shape of its input yet, so it cannot list the output shapes. Give '
                   'the first layer `input_shape`, e.g. `Dense(32, input_shape=(784,))` for 784 features per '
                   'sample, or call `model.build((None, 784))`.')


LENGTHS = ('`x` has %d samples and `y` has %d: they must describe the same samples, one target per sample. '
           'Check that both come from the same split (`x_train` with `y_train`, `x_test` with `y_test`).')


def _layer_of_input(name):
    """The layer a Sequential model's generated input (`dense_1_input`) feeds, else the input's own name."""
    return name[:-len('_input')] if name.endswith('_input') else name


def _matches(expected, actual):
    return len(expected) == len(actual) and all(e is None or e == a for e, a in zip(expected, actual))


def input_rank_hint(name, array_shape, expected_shape):
    """Hint for input data of the wrong rank (missing batch axis, missing channel axis).

    # Arguments
        name: the model input's name. array_shape: the data's shape. expected_shape: the input's shape,
            batch axis included.

    # Returns
        The hint text, or `''`.
    """
    features = tuple(expected_shape[1:])
    if _matches(features, tuple(array_shape)):
        return ('this looks like one sample without the batch axis. Models take a batch of samples: write '
                '`x[None]` or `np.expand_dims(x, 0)` to pass a batch of one.')
    if len(expected_shape) == 4 and len(array_shape) == 3:
        if _matches(features[:2], array_shape[1:]) and features[2] is not None:
            return ('images need a channel axis: %d samples of %s should be shaped %s. Write '
                    '`x = x.reshape((-1,) + %s)` or `x = np.expand_dims(x, -1)`.'
                    % (array_shape[0], tuple(array_shape[1:]), (array_shape[0],) + features, features))
        if _matches(features[1:], array_shape[1:]) and features[0] is not None:
            return ('images need a channel axis (here first, `channels_first`): write `x = np.expand_dims(x, 1)`.')
    return ''


def input_size_hint(name, original_shape, expected_shape):
    """Hint for input data whose sizes differ from what the model was built for.

    # Arguments
        name: the model input's name. original_shape: the data's shape as given (before a 1-D array became a
            column). expected_shape: the input's shape, batch axis included.

    # Returns
        The hint text, or `''`.
    """
    features = tuple(expected_shape[1:])
    if len(original_shape) == 1 and _matches(features, tuple(original_shape)):
        return ('this looks like one sample without the batch axis. Models take a batch of samples: write '
                '`x[None]` or `np.expand_dims(x, 0)` to pass a batch of one.')
    if len(expected_shape) == 2 and len(original_shape) == 2:
        return ('layer `%s` was built for %s features per sample, but each row of your data has %d. Check '
                'which columns you pass, or build the first layer with `input_shape=(%d,)`.'
                % (_layer_of_input(name), expected_shape[1], original_shape[1], original_shape[1]))
    return ''


def _looks_one_hot(y):
    if y.ndim != 2 or y.shape[1] < 2 or not y.size:
        return False
    sample = y[:1000]
    return bool(np.all((sample == 0) | (sample == 1)) and np.all(sample.sum(axis=1) == 1))


def target_shape_hint(output_name, y, output_shape):
    """Hint for targets whose shape differs from the model output's.

    # Arguments
        output_name: the output layer's name. y: the target array. output_shape: the output's shape.

    # Returns
        The hint text, or `''`.
    """
    output_shape = tuple(output_shape)
    if len(output_shape) > 2 and y.ndim == 2:
        return ('the last layer `%s` outputs %s per sample: a `Dense` layer after `Conv2D` (or another layer '
                'that keeps the spatial axes) works on every position separately. Add `Flatten()` (or '
                '`GlobalAveragePooling2D()`) before the `Dense` layers.' % (output_name, output_shape[1:]))
    if len(output_shape) == 2 and _looks_one_hot(y) and output_shape[1] not in (None, y.shape[1]):
        return ('the last layer `%s` has %d units, but the labels are one-hot with %d classes. Make the last '
                'layer `Dense(%d, ...)`, or check `num_classes` in `to_categorical`.'
                % (output_name, output_shape[1], y.shape[1], y.shape[1]))
    return ''


SPARSE_ONE_HOT = ('these targets look one-hot encoded (%d columns of 0s and 1s). Use '
                  '`loss=\'categorical_crossentropy\'` with them, or pass the integer classes `y.argmax(axis=1)` '
                  'to `sparse_categorical_crossentropy`.')


def sparse_target_hint(y):
    """Hint for one-hot targets given to `sparse_categorical_crossentropy` (`''` when they are not one-hot)."""
    return SPARSE_ONE_HOT % y.shape[1] if _looks_one_hot(y) else ''


def string_data_error(what, name, array):
    """The error for data holding strings (labels such as `'cat'`), or `None` when it does not.

    # Arguments
        what: `'input'` or `'target'`. name: the input or output name. array: the data as given.

    # Returns
        A `ValueError`, or `None`.
    """
    values = np.asarray(array)
    if values.dtype.kind not in 'USO' or not values.size:
        return None
    first = values.ravel()[0]
    if not isinstance(first, (str, bytes, np.str_, np.bytes_)):
        return None
    examples = ', '.join(repr(str(v)) for v in list(dict.fromkeys(values.ravel()[:50].tolist()))[:3])
    if what == 'target':
        hint = ('the labels are strings (%s, ...). Encode them as integers first, e.g. `classes, y_int = '
                'np.unique(y, return_inverse=True)`, then use `to_categorical(y_int)` with '
                '`categorical_crossentropy` (or `y_int` itself with `sparse_categorical_crossentropy`).' % examples)
    else:
        hint = ('the input holds strings (%s, ...); models take numbers. Turn text into integer sequences with '
                '`keras.preprocessing.text.Tokenizer`, or categories into integers with `np.unique(x, '
                'return_inverse=True)`.' % examples)
    return ValueError(with_hint('Error when checking %s: could not convert the strings in `%s` to numbers.'
                                % (what, name), hint))


def layer_rank_hint(layer, expected_ndim, shape):
    """Hint for a convolution or pooling layer given inputs one axis short (images without channels).

    # Arguments
        layer: the layer. expected_ndim: the rank it expects. shape: the shape it was given.

    # Returns
        The hint text, or `''`.
    """
    kind = type(layer).__name__
    if len(shape) != expected_ndim - 1 or not ('Conv' in kind or 'Pool' in kind):
        return ''
    spatial = tuple(shape[1:])
    wanted = spatial + (1,)
    return ('`%s` expects each sample to have a channel axis, e.g. %s for grayscale images; it got %s. Build '
            'it with `input_shape=%s` and reshape the data: `x = x.reshape((-1,) + %s)` or '
            '`x = np.expand_dims(x, -1)`.' % (kind, wanted, spatial, wanted, wanted))


# ---------------------------------------------------------------------------------------------- warnings

def _output_layer(model, index):
    history = getattr(model.outputs[index], '_keras_history', None)
    return history[0] if history else None


def check_compile(model, specs):
    """Warns (`TrainingHint`) about a softmax over one unit and `binary_crossentropy` on a multi-class
    softmax, for each output of a compiled graph model.

    # Arguments
        model: the model. specs: its compile `OutputSpec`s.
    """
    from kernelkit import activations, losses
    if not getattr(model, '_is_graph_network', False):
        return
    for index, spec in enumerate(specs):
        layer = _output_layer(model, index)
        if layer is None or getattr(layer, 'activation', None) is not activations.softmax:
            continue
        units = model.outputs[index].shape[-1]
        if units == 1:
            warnings.warn('Layer `%s` applies softmax over a single unit: its output is always 1.0, so the '
                          'model cannot learn. For a yes/no output use `activation=\'sigmoid\'` (with '
                          '`binary_crossentropy`).' % layer.name, TrainingHint, stacklevel=3)
        elif units is not None and units > 2 and spec.loss_fn is losses.binary_crossentropy:
            warnings.warn('`binary_crossentropy` with a softmax over %d classes (layer `%s`) treats every class '
                          'as a separate yes/no question, and its accuracy is not the accuracy of the '
                          'predicted class. For one class per sample use `loss=\'categorical_crossentropy\'`.'
                          % (units, layer.name), TrainingHint, stacklevel=3)


def check_input_scale(model, inputs):
    """Warns once per model (`TrainingHint`) when image-like inputs hold raw 0-255 pixel values.

    It fires only for whole-number data from 0 up to a maximum between 26 and 255, in arrays of images
    (3 axes or more) or of type uint8: ordinary features never look like that.

    # Arguments
        model: the model being trained. inputs: the list of input arrays.
    """
    if getattr(model, '_scale_hint_shown', False):
        return
    for array in inputs:
        if array is None or array.dtype.kind not in 'fiu' or not array.size:
            continue
        if array.ndim < 3 and array.dtype != np.uint8:
            continue
        sample = array[:256]
        low, high = float(sample.min()), float(sample.max())
        if low >= 0 and 25 < high <= 255 and np.all(np.mod(sample, 1) == 0):
            model._scale_hint_shown = True
            warnings.warn('The input values go from %g up to %g: raw pixel values? Networks train much better on '
                          'inputs scaled to about 0-1: try `x = x / 255.0` (and the same for the test data).'
                          % (low, high), TrainingHint, stacklevel=4)
            return
