"""The Keras 1 -> Keras 2 table: everything kernelkit knows about Keras 1, as data.

This module holds no behaviour. Four interpreters read it, so they can never disagree:

- `kernelkit.legacy.interfaces` applies it to constructor and method calls at run time (and emits the Keras 2
  warnings and errors);
- `kernelkit.legacy.configs` applies the same entries to Keras 1 model configs (JSON, HDF5 `model_config`);
- `kernelkit.legacy.weights` applies `WEIGHTS` to Keras 1 weight arrays;
- `kernelkit.legacy.migrate` applies it to source code.

Layout of the table:

- `Interface` entries (`LAYER_INTERFACES`, `MODEL_INTERFACES`, `LAYER_METHOD_INTERFACES`): what one Keras 2
  constructor or method accepts from Keras 1. An entry runs, in this order (the order of Keras 2.2's
  `generate_legacy_interface`): its `preprocess` rules, the positional-argument check, its `values` maps (keyed
  by the *old* name), then its `renames` (each renamed keyword moves to the end of the keywords). When
  anything counted as converted, the "Update your `X` call to the Keras 2 API" warning follows.
- The rule kinds below (`Rename`, `Values`, `KernelSize`, ...) are the vocabulary of those entries.
- `CLASS_RENAMES`, `FACTORIES`, `MERGE_MODES`, `DEPRECATED_LAYERS`, `REMOVED`, `REMOVED_METRICS`,
  `CONFIG_OBJECTS`, `FUNCTION_RENAMES`, `MODULE_RENAMES`: the other Keras 1 names and what became of them.
- `WEIGHTS`: how Keras 1 weight arrays map onto each Keras 2 layer.

Facts and message texts follow the Keras 2.2 behaviour reference (sections 1, 2 and 4).
"""
from dataclasses import dataclass, field


# ------------------------------------------------------------------------------------------------------------
# Rule kinds.


@dataclass(frozen=True)
class Rename:
    """Keyword `old` becomes `new`.

    `counts`: whether it triggers the "Update your ..." warning. `notice`: a warning of its own instead (the
    `fit(nb_epoch=)` case). Passing both names raises the Keras 2 "both the legacy ... and the Keras 2 keyword
    argument" TypeError.
    """
    old: str
    new: str
    counts: bool = True
    notice: str = None


@dataclass(frozen=True)
class Values:
    """Value conversion for keyword `old` (before its rename); values not in `mapping` pass unchanged."""
    old: str
    mapping: dict = field(hash=False)


@dataclass(frozen=True)
class KernelSize:
    """Keras 1 positional kernel dimensions: `(filters, r, c)` -> `(filters, (r, c))`, and the keywords
    `names` (`nb_row`, `nb_col` / `kernel_dim1..3`) folded into `kernel_size`, as Keras 2.2's conv interfaces did."""
    names: tuple


@dataclass(frozen=True)
class Drop:
    """Keyword `old` is removed. When `position` is set, a positional argument at that index (the last one,
    and a tuple) is removed too. `counts`: part of the "Update" warning (but never shown in its signature);
    `notice`: a separate warning."""
    old: str
    counts: bool = True
    notice: str = None
    position: int = None


@dataclass(frozen=True)
class Split:
    """Keyword `old` becomes every keyword of `new`, with the same value."""
    old: str
    new: tuple


@dataclass(frozen=True)
class Replace:
    """Keyword `old` with value `value` becomes `new=new_value`; with any other value it is dropped with
    `otherwise_notice`."""
    old: str
    value: object
    new: str
    new_value: object
    otherwise_notice: str


@dataclass(frozen=True)
class InputShape:
    """`input_dim` (and optional `input_length`) becomes `input_shape=(input_length or None, input_dim)`."""
    notice: str = None


@dataclass(frozen=True)
class PaddingDict:
    """A `padding` dict with keys top_pad/bottom_pad/left_pad/right_pad becomes `((top, bottom), (left, right))`
    (keyword or single positional). Not counted as a conversion; it warns `notice_keyword` or
    `notice_positional`."""
    keys: tuple
    notice_keyword: str
    notice_positional: str


@dataclass(frozen=True)
class NoPositional:
    """Any positional argument raises TypeError(`error`)."""
    error: str


@dataclass(frozen=True)
class Reject:
    """Keyword `old` is dropped (counted) when equal to `allowed`; any other value raises TypeError(`error`)."""
    old: str
    allowed: object
    error: str


@dataclass(frozen=True)
class StepsFromSamples:
    """`samples_per_epoch` (keyword, with fewer than 2 positional arguments) becomes
    `steps_per_epoch = samples_per_epoch // generator.batch_size` when the generator has a `batch_size`,
    else `samples_per_epoch` unchanged, as Keras 2.2's generator-method interface did."""
    old: str = 'samples_per_epoch'
    new: str = 'steps_per_epoch'
    generator: str = 'generator'


@dataclass(frozen=True)
class NoticeIfAny:
    """Warns `notice` when any keyword of `names` is still present (after the rules before it)."""
    names: tuple
    notice: str


@dataclass(frozen=True)
class ShapeAndNameFirst:
    """`Layer.add_weight`: a first positional tuple/list moves to `shape=`, then a string right after it moves
    to `name=` (Keras 2 semantics; no warning)."""


@dataclass(frozen=True)
class OldUpdatesOrder:
    """`Optimizer.get_updates`: Keras 1's positional `(params, constraints, loss)` (or `(params, constraints)`
    with `loss=`) becomes `(loss=, params=)`; a `constraints` keyword is dropped. No warning (Keras 2.2 converted silently)."""
    error: str


@dataclass(frozen=True)
class Interface:
    """What one Keras 2 constructor (`kind='class'`) or method (`kind='method'`) accepts from Keras 1.

    `positional`: the positional names allowed after preprocessing (None: not checked). `keras1_names`: the
    Keras 1 class names of the same class. `warn`: whether conversions produce the "Update your" warning.
    """
    name: str
    positional: tuple = None
    preprocess: tuple = ()
    values: tuple = ()
    renames: tuple = ()
    keras1_names: tuple = ()
    kind: str = 'class'
    warn: bool = True


# ------------------------------------------------------------------------------------------------------------
# Messages (Keras 2.2 texts, spec sections 1 and 2).

UPDATE_MESSAGE = 'Update your `%s` call to the Keras 2 API: %s'
TOO_MANY_POSITIONAL = ('`%s` can accept only %d positional arguments %s, but you passed the following positional '
                       'arguments: %s')
BOTH_NAMES = ('For the `%s` argument, the layer received both the legacy keyword argument `%s` and the Keras 2 '
              'keyword argument `%s`. Stick to the latter!')
KERNEL_AND_STRIDES = ('It seems that you are using the Keras 2 and you are passing both `kernel_size` and '
                      '`strides` as integer positional arguments. For safety reasons, this is disallowed. Pass '
                      '`strides` as a keyword argument instead.')
AT_MOST_POSITIONAL = 'Layer can receive at most %d positional arguments.'
RECURRENT_INPUT_DIM = ('The `input_dim` and `input_length` arguments in recurrent layers are deprecated. Use '
                       '`input_shape` instead.')
FORGET_BIAS_IGNORED = ('The `forget_bias_init` argument has been ignored. Use `unit_forget_bias=True` instead to '
                       'initialize with ones.')
EMBEDDING_DROPOUT = ('The `dropout` argument is no longer support in `Embedding`. You can apply a '
                     '`keras.layers.SpatialDropout1D` layer right after the `Embedding` layer to get the same '
                     'behavior.')
PADDING_DICT_KEYWORD = ('The `padding` argument in the Keras 2 API no longeraccepts dict types. You can now input '
                        'argument as: `padding=(top_pad, bottom_pad, left_pad, right_pad)`.')
PADDING_DICT_POSITIONAL = ('The `padding` argument in the Keras 2 API no longeraccepts dict types. You can now '
                           'input argument as: `padding=((top_pad, bottom_pad), (left_pad, right_pad))`')
BATCHNORM_POSITIONAL = ('The `BatchNormalization` layer does not accept positional arguments. Use keyword '
                        'arguments instead.')
BATCHNORM_MODE = ('The `mode` argument of `BatchNormalization` no longer exists. `mode=1` and `mode=2` are no '
                  'longer supported.')
NB_EPOCH = 'The `nb_epoch` argument in `fit` has been renamed `epochs`.'
GENERATOR_SEMANTICS = ('The semantics of the Keras 2 argument `steps_per_epoch` is not the same as the Keras 1 '
                       'argument `samples_per_epoch`. `steps_per_epoch` is the number of batches to draw from the '
                       'generator at each epoch. Basically steps_per_epoch = samples_per_epoch/batch_size. '
                       'Similarly `nb_val_samples`->`validation_steps` and `val_samples`->`steps` arguments have '
                       'changed. Update your method calls accordingly.')
ATROUS = ('The `%s` layer  has been deprecated. Use instead the `%s` layer with the `dilation_rate` argument.')
MAXOUT_DENSE = 'The `MaxoutDense` layer is deprecated and will be removed after 06/2017.'
HIGHWAY = 'The `Highway` layer is deprecated and will be removed after 06/2017.'
HIGHWAY_TRANSFORM_BIAS = '`transform_bias` argument is deprecated and has been removed.'
MERGE_LAYER = ('The `Merge` layer is deprecated and will be removed after 08/2017. Use instead layers from '
               '`keras.layers.merge`, e.g. `add`, `concatenate`, etc.')
MERGE_FUNCTION = ('The `merge` function is deprecated and will be removed after 08/2017. Use instead layers from '
                  '`keras.layers.merge`, e.g. `sum`, `concatenate`, etc.')
FUNCTION_SHIM = '`%s` is the Keras 1 name of `%s`; Keras 2 only has `%s`.'
FUNCTION_ARGUMENTS = 'Update your `%s` call to the Keras 2 API: `%s`'
OBJECTIVES_MODULE = ('The `keras.objectives` module was renamed `keras.losses` in Keras 2; import the same '
                     'functions from `keras.losses`.')
MULTI_GPU_MODEL = ('`multi_gpu_model` is deprecated: on TensorFlow 2, build and compile the model inside a '
                   '`tf.distribute.MirroredStrategy` scope and train it as usual. kernelkit did that for you '
                   'on %s.')
MULTI_GPU_MODEL_CALL = ('strategy = tf.distribute.MirroredStrategy(%s)\n'
                        'with strategy.scope():\n'
                        '    model = build_model()  # then compile and fit it as usual')
GET_OUTPUT_SHAPE_FOR = ('`%s` defines the Keras 1 method `get_output_shape_for`; Keras 2 calls it '
                        '`compute_output_shape`. Rename the method (kernelkit uses it meanwhile).')
KERAS1_CONFIG = ('This model config was written by Keras 1; kernelkit converted it to Keras 2 (%s). Save the '
                 'model again to store it in the Keras 2 format.')

# ------------------------------------------------------------------------------------------------------------
# Shared pieces of the layer entries.

DIM_ORDERING = Values('dim_ordering', {'tf': 'channels_last', 'th': 'channels_first', 'default': None})
CONSUME_LESS = Values('consume_less', {'cpu': 0, 'mem': 1, 'gpu': 2})
INPUT_DTYPE = Rename('input_dtype', 'dtype', counts=False)   # Keras 2's base Layer accepted it silently


def _renames(*pairs):
    return tuple(Rename(old, new) for old, new in pairs) + (INPUT_DTYPE,)


_DENSE_LIKE = (('init', 'kernel_initializer'), ('W_regularizer', 'kernel_regularizer'),
               ('b_regularizer', 'bias_regularizer'), ('W_constraint', 'kernel_constraint'),
               ('b_constraint', 'bias_constraint'), ('bias', 'use_bias'))
_CONV1D = (('nb_filter', 'filters'), ('filter_length', 'kernel_size'), ('subsample_length', 'strides'),
           ('border_mode', 'padding')) + _DENSE_LIKE
_CONV2D = (('nb_filter', 'filters'), ('subsample', 'strides'), ('border_mode', 'padding'),
           ('dim_ordering', 'data_format')) + _DENSE_LIKE
_SEPARABLE = (('nb_filter', 'filters'), ('subsample', 'strides'), ('border_mode', 'padding'),
              ('dim_ordering', 'data_format'), ('b_regularizer', 'bias_regularizer'),
              ('b_constraint', 'bias_constraint'), ('bias', 'use_bias'))
_RECURRENT = (('output_dim', 'units'), ('init', 'kernel_initializer'), ('inner_init', 'recurrent_initializer'),
              ('inner_activation', 'recurrent_activation'), ('W_regularizer', 'kernel_regularizer'),
              ('b_regularizer', 'bias_regularizer'), ('U_regularizer', 'recurrent_regularizer'),
              ('dropout_W', 'dropout'), ('dropout_U', 'recurrent_dropout'), ('consume_less', 'implementation'))
_CONVLSTM = (('nb_filter', 'filters'), ('subsample', 'strides'), ('border_mode', 'padding'),
             ('dim_ordering', 'data_format'), ('init', 'kernel_initializer'),
             ('inner_init', 'recurrent_initializer'), ('W_regularizer', 'kernel_regularizer'),
             ('U_regularizer', 'recurrent_regularizer'), ('b_regularizer', 'bias_regularizer'),
             ('inner_activation', 'recurrent_activation'), ('dropout_W', 'dropout'),
             ('dropout_U', 'recurrent_dropout'), ('bias', 'use_bias'))
_FORGET_BIAS = Replace('forget_bias_init', 'one', 'unit_forget_bias', True, FORGET_BIAS_IGNORED)
_KERNEL_2D = KernelSize(('nb_row', 'nb_col'))
_KERNEL_3D = KernelSize(('kernel_dim1', 'kernel_dim2', 'kernel_dim3'))
_POOL_1D = (('pool_length', 'pool_size'), ('stride', 'strides'), ('border_mode', 'padding'))
_POOL_ND = (('border_mode', 'padding'), ('dim_ordering', 'data_format'))
_DATA_FORMAT = (('dim_ordering', 'data_format'),)


def _layer(name, positional, renames=(), values=(), preprocess=(), keras1_names=()):
    return Interface(name, positional=positional, preprocess=preprocess, values=values,
                     renames=_renames(*renames), keras1_names=keras1_names)


# ------------------------------------------------------------------------------------------------------------
# Layer constructors: each entry lists the Keras 2 positional arguments, renames and value conversions
# of one layer, as `keras.legacy.interfaces` of Keras 2.2 declared them.

LAYER_INTERFACES = (
    _layer('Dense', ('units',), (('output_dim', 'units'),) + _DENSE_LIKE),
    _layer('Dropout', ('rate', 'noise_shape', 'seed'), (('p', 'rate'),)),
    _layer('SpatialDropout1D', ('rate',), (('p', 'rate'),)),
    _layer('SpatialDropout2D', ('rate',), (('p', 'rate'),) + _DATA_FORMAT, (DIM_ORDERING,)),
    _layer('SpatialDropout3D', ('rate',), (('p', 'rate'),) + _DATA_FORMAT, (DIM_ORDERING,)),
    _layer('Embedding', ('input_dim', 'output_dim'),
           (('init', 'embeddings_initializer'), ('W_regularizer', 'embeddings_regularizer'),
            ('W_constraint', 'embeddings_constraint')),
           preprocess=(Drop('dropout', counts=False, notice=EMBEDDING_DROPOUT),)),
    _layer('SimpleRNN', ('units',), _RECURRENT, (CONSUME_LESS,),
           (_FORGET_BIAS, InputShape(RECURRENT_INPUT_DIM))),
    _layer('GRU', ('units',), _RECURRENT, (CONSUME_LESS,), (_FORGET_BIAS, InputShape(RECURRENT_INPUT_DIM))),
    _layer('LSTM', ('units',), _RECURRENT, (CONSUME_LESS,), (_FORGET_BIAS, InputShape(RECURRENT_INPUT_DIM))),
    _layer('Conv1D', ('filters', 'kernel_size'), _CONV1D, preprocess=(InputShape(),),
           keras1_names=('Convolution1D',)),
    _layer('LocallyConnected1D', ('filters', 'kernel_size'), _CONV1D, preprocess=(InputShape(),)),
    _layer('Conv2D', ('filters', 'kernel_size'), _CONV2D, (DIM_ORDERING,), (_KERNEL_2D,),
           keras1_names=('Convolution2D',)),
    _layer('LocallyConnected2D', ('filters', 'kernel_size'), _CONV2D, (DIM_ORDERING,), (_KERNEL_2D,)),
    _layer('Conv2DTranspose', ('filters', 'kernel_size'), _CONV2D, (DIM_ORDERING,),
           (Drop('output_shape', position=3), _KERNEL_2D),
           keras1_names=('Deconvolution2D', 'Deconv2D', 'Convolution2DTranspose')),
    _layer('SeparableConv2D', ('filters', 'kernel_size'), _SEPARABLE, (DIM_ORDERING,),
           (Split('init', ('depthwise_initializer', 'pointwise_initializer')), _KERNEL_2D),
           keras1_names=('SeparableConvolution2D',)),
    _layer('Conv3D', ('filters', 'kernel_size'), _CONV2D, (DIM_ORDERING,), (_KERNEL_3D,),
           keras1_names=('Convolution3D',)),
    _layer('ConvLSTM2D', ('filters', 'kernel_size'), _CONVLSTM, (DIM_ORDERING,), (_FORGET_BIAS, _KERNEL_2D)),
    _layer('MaxPooling1D', ('pool_size', 'strides', 'padding'), _POOL_1D),
    _layer('AveragePooling1D', ('pool_size', 'strides', 'padding'), _POOL_1D),
    _layer('MaxPooling2D', ('pool_size', 'strides', 'padding'), _POOL_ND, (DIM_ORDERING,)),
    _layer('AveragePooling2D', ('pool_size', 'strides', 'padding'), _POOL_ND, (DIM_ORDERING,)),
    _layer('MaxPooling3D', ('pool_size', 'strides', 'padding'), _POOL_ND, (DIM_ORDERING,)),
    _layer('AveragePooling3D', ('pool_size', 'strides', 'padding'), _POOL_ND, (DIM_ORDERING,)),
    _layer('GlobalMaxPooling2D', None, _DATA_FORMAT, (DIM_ORDERING,)),
    _layer('GlobalAveragePooling2D', None, _DATA_FORMAT, (DIM_ORDERING,)),
    _layer('GlobalMaxPooling3D', None, _DATA_FORMAT, (DIM_ORDERING,)),
    _layer('GlobalAveragePooling3D', None, _DATA_FORMAT, (DIM_ORDERING,)),
    _layer('UpSampling1D', ('size',), (('length', 'size'),)),
    _layer('UpSampling2D', ('size',), _DATA_FORMAT, (DIM_ORDERING,)),
    _layer('UpSampling3D', ('size',), _DATA_FORMAT, (DIM_ORDERING,)),
    _layer('ZeroPadding2D', ('padding',), _DATA_FORMAT, (DIM_ORDERING,),
           (PaddingDict(('top_pad', 'bottom_pad', 'left_pad', 'right_pad'), PADDING_DICT_KEYWORD,
                        PADDING_DICT_POSITIONAL),)),
    _layer('ZeroPadding3D', ('padding',), _DATA_FORMAT, (DIM_ORDERING,)),
    _layer('Cropping2D', ('cropping',), _DATA_FORMAT, (DIM_ORDERING,)),
    _layer('Cropping3D', ('cropping',), _DATA_FORMAT, (DIM_ORDERING,)),
    _layer('BatchNormalization', (), (('beta_init', 'beta_initializer'), ('gamma_init', 'gamma_initializer')),
           preprocess=(NoPositional(BATCHNORM_POSITIONAL), Reject('mode', 0, BATCHNORM_MODE))),
    _layer('GaussianNoise', ('stddev',), (('sigma', 'stddev'),)),
    _layer('GaussianDropout', ('rate',), (('p', 'rate'),)),
    _layer('PReLU', ('alpha_initializer',), (('init', 'alpha_initializer'),)),
    _layer('Lambda', ('function', 'output_shape')),
    _layer('InputLayer', None, (('input_dtype', 'dtype'),)),
    # Every other layer: the base class still takes Keras 1's `input_dtype` (silently, as in Keras 2).
    Interface('Layer', renames=(INPUT_DTYPE,), warn=False),
)

GET_UPDATES_ARGUMENTS = '`get_update` call received more arguments than expected.'

# Optimizer methods.
OPTIMIZER_METHOD_INTERFACES = (
    Interface('get_updates', preprocess=(OldUpdatesOrder(GET_UPDATES_ARGUMENTS),), kind='method', warn=False),
)

# Layer methods.
LAYER_METHOD_INTERFACES = (
    Interface('add_weight', preprocess=(ShapeAndNameFirst(),), kind='method', warn=False),
)

# ------------------------------------------------------------------------------------------------------------
# Model constructor and methods (`Model(input=, output=)`, `fit(nb_epoch=)`, the generator methods'
# `samples_per_epoch`, `nb_val_samples`, `nb_worker`, `pickle_safe`, ...).

_GENERATOR_RENAMES = tuple(Rename(old, new) for old, new in (
    ('samples_per_epoch', 'steps_per_epoch'), ('val_samples', 'steps'), ('nb_epoch', 'epochs'),
    ('nb_val_samples', 'validation_steps'), ('nb_worker', 'workers'), ('pickle_safe', 'use_multiprocessing'),
    ('max_q_size', 'max_queue_size')))
_GENERATOR_PREPROCESS = (StepsFromSamples(),
                         NoticeIfAny(('samples_per_epoch', 'val_samples', 'nb_epoch', 'nb_val_samples',
                                      'nb_worker'), GENERATOR_SEMANTICS))


def _generator_method(name):
    return Interface(name, positional=('generator', 'steps_per_epoch', 'epochs'),
                     preprocess=_GENERATOR_PREPROCESS, renames=_GENERATOR_RENAMES, kind='method')


MODEL_INTERFACES = (
    Interface('Model', renames=(Rename('input', 'inputs'), Rename('output', 'outputs')),
              keras1_names=('Container', 'Network')),
    Interface('fit', renames=(Rename('nb_epoch', 'epochs', counts=False, notice=NB_EPOCH),), kind='method',
              warn=False),
    _generator_method('fit_generator'),
    _generator_method('evaluate_generator'),
    _generator_method('predict_generator'),
)

# Methods a Keras 1 custom layer defines under their Keras 1 name: {Keras 1 name: Keras 2 name}.
METHOD_RENAMES = {'get_output_shape_for': 'compute_output_shape'}

# ------------------------------------------------------------------------------------------------------------
# Class names: Keras 1 names that Keras 2 still accepted (with a warning) as the same classes.

# Keras 1 class name -> Keras 2 class (Keras 2 kept these as aliases of the same class).
CLASS_RENAMES = {
    'Convolution1D': 'Conv1D', 'Convolution2D': 'Conv2D', 'Convolution3D': 'Conv3D',
    'SeparableConvolution1D': 'SeparableConv1D', 'SeparableConvolution2D': 'SeparableConv2D',
    'Deconvolution2D': 'Conv2DTranspose', 'Deconv2D': 'Conv2DTranspose', 'Convolution2DTranspose': 'Conv2DTranspose',
    'Deconvolution3D': 'Conv3DTranspose', 'Deconv3D': 'Conv3DTranspose',
    'Container': 'Model', 'Network': 'Model',
}


@dataclass(frozen=True)
class Factory:
    """A Keras 1 class that became a Keras 2 class with one argument renamed (`old` -> `new`, default
    `default`); calling it warns `notice` and then builds `target` (whose own entry may warn again)."""
    name: str
    target: str
    old: str
    new: str
    default: object
    notice: str


FACTORIES = (
    Factory('AtrousConvolution1D', 'Conv1D', 'atrous_rate', 'dilation_rate', 1,
            ATROUS % ('AtrousConvolution1D', 'Conv1D')),
    Factory('AtrousConvolution2D', 'Conv2D', 'atrous_rate', 'dilation_rate', 1,
            ATROUS % ('AtrousConvolution2D', 'Conv2D')),
    Factory('AtrousConv1D', 'Conv1D', 'atrous_rate', 'dilation_rate', 1, ATROUS % ('AtrousConvolution1D', 'Conv1D')),
    Factory('AtrousConv2D', 'Conv2D', 'atrous_rate', 'dilation_rate', 1, ATROUS % ('AtrousConvolution2D', 'Conv2D')),
)


@dataclass(frozen=True)
class MergeMode:
    """One Keras 1 `Merge`/`merge` mode: the Keras 2 layer class and function, the Keras 1 arguments that become
    Keras 2 arguments (`{keras2: keras1}`), fixed Keras 2 arguments, and the Keras 2 defaults (left out when the
    Keras 1 value equals them)."""
    layer: str
    function: str
    arguments: dict = field(default_factory=dict, hash=False)
    fixed: dict = field(default_factory=dict, hash=False)
    defaults: dict = field(default_factory=dict, hash=False)


MERGE_MODES = {
    'sum': MergeMode('Add', 'add'),
    'mul': MergeMode('Multiply', 'multiply'),
    'concat': MergeMode('Concatenate', 'concatenate', {'axis': 'concat_axis'}, defaults={'axis': -1}),
    'ave': MergeMode('Average', 'average'),
    'max': MergeMode('Maximum', 'maximum'),
    'dot': MergeMode('Dot', 'dot', {'axes': 'dot_axes'}),
    'cos': MergeMode('Dot', 'dot', {'axes': 'dot_axes'}, {'normalize': True}),
}
# The Keras 1 Merge/merge signature: (layers/inputs, mode='sum', concat_axis=-1, dot_axes=-1, output_shape=None,
# output_mask=None, arguments=None, node_indices=None, tensor_indices=None, name=None).
MERGE_DEFAULTS = {'mode': 'sum', 'concat_axis': -1, 'dot_axes': -1, 'output_shape': None, 'output_mask': None,
                  'arguments': None, 'node_indices': None, 'tensor_indices': None, 'name': None}
MERGE_CALLABLE = ('A callable `mode` has no Keras 2 merge layer: write `Lambda(%s, output_shape=...)` on the list of '
                  'inputs instead.')
MERGE_BRANCHES = ('A `Merge` of models (Keras 1 Sequential branches) is written with the functional API in Keras 2: '
                  '`merged = %s`, then each following layer on the tensor (`x = Dense(...)(merged)`), and '
                  '`model = Model([%s], x)`.')
MERGE_SEQUENTIAL = ('`Merge` of models inside a `Sequential` model (Keras 1 branches) has no Keras 2 equivalent: '
                    'build the model with the functional API, e.g. `%s([left.output, right.output])` and '
                    '`Model([left.input, right.input], ...)`.')

DEPRECATED_LAYERS = {'MaxoutDense': MAXOUT_DENSE, 'Highway': HIGHWAY}

# Removed in Keras 2.0: using the name raises, with what to write instead.
REMOVED = {
    'TimeDistributedDense': ('`TimeDistributedDense` was removed in Keras 2.0. Use `TimeDistributed(Dense(...))` '
                             'instead, or simply `Dense(...)`, which in Keras 2 applies to the last axis of N-D '
                             'inputs.'),
    'SReLU': ('`SReLU` was removed in Keras 2.0 (it moved to keras-contrib). Use `PReLU()` or `LeakyReLU()`, or '
              'write the S-shaped ReLU as a custom layer.'),
    'ParametricSoftplus': ('`ParametricSoftplus` was removed in Keras 2.0 (it moved to keras-contrib). Use '
                           '`Activation("softplus")`, or a custom layer with trainable `alpha` and `beta` computing '
                           '`alpha * K.softplus(beta * x)`.'),
}
_REMOVED_METRIC = ('`%s` was removed in Keras 2.0: it was computed per batch, which is misleading for a global '
                   'metric. Compute it on the whole validation set instead, e.g. in a callback with '
                   'scikit-learn\'s `sklearn.metrics.%s`.')
REMOVED_METRICS = {
    'precision': _REMOVED_METRIC % ('precision', 'precision_score'),
    'recall': _REMOVED_METRIC % ('recall', 'recall_score'),
    'fbeta_score': _REMOVED_METRIC % ('fbeta_score', 'fbeta_score'),
    'fmeasure': _REMOVED_METRIC % ('fmeasure', 'f1_score'),
    'fscore': _REMOVED_METRIC % ('fscore', 'f1_score'),
    'f1score': _REMOVED_METRIC % ('f1score', 'f1_score'),
    'matthews_correlation': _REMOVED_METRIC % ('matthews_correlation', 'matthews_corrcoef'),
}

# ------------------------------------------------------------------------------------------------------------
# Keras 1 objects inside configs: `{'name': <Keras 1 class>, ...}` -> `{'class_name': ..., 'config': {...}}`.


@dataclass(frozen=True)
class ConfigObject:
    """A Keras 1 serialized regularizer/constraint: the Keras 2 class and its `{keras2_key: keras1_key}`."""
    class_name: str
    keys: dict = field(hash=False)


CONFIG_OBJECTS = {
    'L1L2Regularizer': ConfigObject('L1L2', {'l1': 'l1', 'l2': 'l2'}),
    'WeightRegularizer': ConfigObject('L1L2', {'l1': 'l1', 'l2': 'l2'}),
    'ActivityRegularizer': ConfigObject('L1L2', {'l1': 'l1', 'l2': 'l2'}),
    'MaxNorm': ConfigObject('MaxNorm', {'max_value': 'm', 'axis': 'axis'}),
    'NonNeg': ConfigObject('NonNeg', {}),
    'UnitNorm': ConfigObject('UnitNorm', {'axis': 'axis'}),
    'MinMaxNorm': ConfigObject('MinMaxNorm', {'min_value': 'low', 'max_value': 'high', 'rate': 'rate',
                                              'axis': 'axis'}),
}
# Config keys of a Keras 1 layer that only restate the input shape, dropped unless the layer is the first of a
# Sequential model without `batch_input_shape` (Keras 1 stored them on every Dense/recurrent/Conv1D layer).
SHAPE_ONLY_KEYS = {'Dense': ('input_dim',), 'SimpleRNN': ('input_dim', 'input_length'),
                   'GRU': ('input_dim', 'input_length'), 'LSTM': ('input_dim', 'input_length'),
                   'Conv1D': ('input_dim', 'input_length'), 'LocallyConnected1D': ('input_dim', 'input_length'),
                   'TimeDistributedDense': ('input_dim', 'input_length'), 'MaxoutDense': ('input_dim',),
                   'Highway': ('input_dim',)}
# Keras 1 config keys that Keras 2 ignores for that class anyway (dropped silently from configs; a call with them
# still gets Keras 2's own warning): SimpleRNN has no `implementation` in Keras 2.
CONFIG_IGNORED_KEYS = {'SimpleRNN': ('consume_less',)}
# Keras 2 aliases of the same classes (`MaxPool2D is MaxPooling2D`), for the source migrator.
KERAS2_ALIASES = {
    'MaxPool1D': 'MaxPooling1D', 'MaxPool2D': 'MaxPooling2D', 'MaxPool3D': 'MaxPooling3D',
    'AvgPool1D': 'AveragePooling1D', 'AvgPool2D': 'AveragePooling2D', 'AvgPool3D': 'AveragePooling3D',
    'GlobalMaxPool2D': 'GlobalMaxPooling2D', 'GlobalMaxPool3D': 'GlobalMaxPooling3D',
    'GlobalAvgPool2D': 'GlobalAveragePooling2D', 'GlobalAvgPool3D': 'GlobalAveragePooling3D',
}
# Keras 1 signatures of Merge/merge (to read positional arguments).
MERGE_LAYER_ARGS = ('layers', 'mode', 'concat_axis', 'dot_axes', 'output_shape', 'output_mask', 'arguments',
                    'node_indices', 'tensor_indices', 'name')
MERGE_FUNCTION_ARGS = ('inputs', 'mode', 'concat_axis', 'dot_axes', 'output_shape', 'output_mask', 'arguments',
                       'name')
# Keras 1 TimeDistributedDense in a config becomes TimeDistributed(Dense(...)) (same weights).
TIME_DISTRIBUTED_DENSE = ('TimeDistributed', 'Dense')

# ------------------------------------------------------------------------------------------------------------
# Functions and modules (for the runtime aliases and the migrator).


@dataclass(frozen=True)
class FunctionRename:
    """`module.old(...)` became `module.new(...)`; `values` maps argument literals ('th' -> 'channels_first');
    `keywords` renames keyword arguments; `runtime`: whether the Keras 2 API itself still accepts the old form
    (otherwise kernelkit adds the old name to the module, warning `FUNCTION_SHIM`, when it is a plain rename);
    `dropped`: Keras 1 keyword arguments that Keras 2 has no use for (removed, with the warning)."""
    module: str
    old: str
    new: str
    values: dict = field(default_factory=dict, hash=False)
    keywords: dict = field(default_factory=dict, hash=False)
    runtime: bool = False
    dropped: tuple = ()


_ORDERING_VALUES = {'th': 'channels_first', 'tf': 'channels_last'}
# Keras 1's backend took `dim_ordering` ('th', 'tf' or 'default'); Keras 2's takes `data_format`.
_DIM_ORDERING_VALUES = {'th': 'channels_first', 'tf': 'channels_last', 'default': None}
_CONV_KEYWORDS = {'border_mode': 'padding', 'dim_ordering': 'data_format', 'filter_dilation': 'dilation_rate'}
_SHAPE_HINTS = ('image_shape', 'volume_shape', 'filter_shape')  # Keras 1 (Theano) hints, meaningless in Keras 2
FUNCTION_RENAMES = (
    FunctionRename('keras.backend', 'image_dim_ordering', 'image_data_format', _ORDERING_VALUES, runtime=True),
    FunctionRename('keras.backend', 'set_image_dim_ordering', 'set_image_data_format', _ORDERING_VALUES,
                   runtime=True),
    FunctionRename('keras.regularizers', 'l1l2', 'l1_l2'),
    FunctionRename('keras.regularizers', 'activity_l1', 'l1'),
    FunctionRename('keras.regularizers', 'activity_l2', 'l2'),
    FunctionRename('keras.regularizers', 'activity_l1l2', 'l1_l2'),
    FunctionRename('keras.regularizers', 'WeightRegularizer', 'L1L2'),
    FunctionRename('keras.regularizers', 'ActivityRegularizer', 'L1L2'),
    FunctionRename('keras.regularizers', 'L1L2Regularizer', 'L1L2'),
    FunctionRename('keras.constraints', 'maxnorm', 'max_norm', keywords={'m': 'max_value'}),
    FunctionRename('keras.constraints', 'MaxNorm', 'MaxNorm', keywords={'m': 'max_value'}),
    FunctionRename('keras.utils.np_utils', 'to_categorical', 'to_categorical', keywords={'nb_classes': 'num_classes'}),
    FunctionRename('keras.utils', 'to_categorical', 'to_categorical', keywords={'nb_classes': 'num_classes'}),
    FunctionRename('keras.datasets', 'load_data', 'load_data', keywords={'nb_words': 'num_words'}, runtime=True),
    # The backend functions whose arguments Keras 2 renamed (Keras 1.2 -> 2.0).
    FunctionRename('keras.backend', 'random_normal', 'random_normal', keywords={'std': 'stddev'}),
    FunctionRename('keras.backend', 'truncated_normal', 'truncated_normal', keywords={'std': 'stddev'}),
    FunctionRename('keras.backend', 'random_uniform', 'random_uniform', keywords={'low': 'minval', 'high': 'maxval'}),
    FunctionRename('keras.backend', 'conv1d', 'conv1d', keywords={'stride': 'strides', 'border_mode': 'padding'},
                   dropped=_SHAPE_HINTS),
    FunctionRename('keras.backend', 'conv2d', 'conv2d', _DIM_ORDERING_VALUES, _CONV_KEYWORDS, dropped=_SHAPE_HINTS),
    FunctionRename('keras.backend', 'conv3d', 'conv3d', _DIM_ORDERING_VALUES, _CONV_KEYWORDS, dropped=_SHAPE_HINTS),
    FunctionRename('keras.backend', 'deconv2d', 'conv2d_transpose', _DIM_ORDERING_VALUES, _CONV_KEYWORDS,
                   dropped=_SHAPE_HINTS),
    FunctionRename('keras.backend', 'separable_conv2d', 'separable_conv2d', _DIM_ORDERING_VALUES, _CONV_KEYWORDS),
    FunctionRename('keras.backend', 'pool2d', 'pool2d', _DIM_ORDERING_VALUES, _CONV_KEYWORDS),
    FunctionRename('keras.backend', 'pool3d', 'pool3d', _DIM_ORDERING_VALUES, _CONV_KEYWORDS),
    FunctionRename('keras.backend', 'resize_images', 'resize_images', _DIM_ORDERING_VALUES,
                   {'dim_ordering': 'data_format'}),
    FunctionRename('keras.backend', 'resize_volumes', 'resize_volumes', _DIM_ORDERING_VALUES,
                   {'dim_ordering': 'data_format'}),
    FunctionRename('keras.backend', 'spatial_2d_padding', 'spatial_2d_padding', _DIM_ORDERING_VALUES,
                   {'dim_ordering': 'data_format'}),
    FunctionRename('keras.backend', 'spatial_3d_padding', 'spatial_3d_padding', _DIM_ORDERING_VALUES,
                   {'dim_ordering': 'data_format'}),
)

# Keras 1's `keras.initializations`: functions `f(shape, [scale,] name=None, dim_ordering='th')` returning a
# variable. Name -> (default `scale` or None, the Keras 2 initializer that replaces it, `{scale}` filled in).
INITIALIZATIONS = {
    'uniform': (0.05, 'initializers.RandomUniform(-{scale}, {scale})'),
    'normal': (0.05, 'initializers.RandomNormal(stddev={scale})'),
    'lecun_uniform': (None, 'initializers.lecun_uniform()'),
    'glorot_normal': (None, 'initializers.glorot_normal()'),
    'glorot_uniform': (None, 'initializers.glorot_uniform()'),
    'he_normal': (None, 'initializers.he_normal()'),
    'he_uniform': (None, 'initializers.he_uniform()'),
    'orthogonal': (1.1, 'initializers.Orthogonal(gain={scale})'),
    'identity': (1, 'initializers.Identity(gain={scale})'),
    'zero': (None, 'initializers.Zeros()'),
    'one': (None, 'initializers.Ones()'),
}
INITIALIZATIONS_MODULE = ('`keras.initializations` is the Keras 1 module of initializer functions; Keras 2 has '
                          'initializer objects in `keras.initializers`. Inside a layer write '
                          '`self.add_weight(shape=..., initializer=\'glorot_uniform\')`.')
INITIALIZATION_CALL = ('`initializations.%s(shape, ...)` is Keras 1; in Keras 2 write `K.variable(%s(shape))`, or '
                       '`self.add_weight(shape=shape, initializer=%s)` inside a layer.')

# Keras 1 module -> Keras 2 module.
MODULE_RENAMES = {
    'keras.objectives': 'keras.losses',
    'keras.engine.topology': 'keras.engine',
}

# Module paths of Keras 1 and 2 -> the kernelkit modules that provide their names (first match wins for a name;
# every `keras.layers.*` module also sees the whole `kernelkit.layers` namespace, as Keras 1 scripts import
# pooling layers from `keras.layers.convolutional` and so on).
MODULE_PATHS = {
    'keras': ('kernelkit',),
    'keras.layers': ('kernelkit.layers',),
    'keras.layers.core': ('kernelkit.layers.core', 'kernelkit.layers'),
    'keras.layers.convolutional': ('kernelkit.layers.convolutional', 'kernelkit.layers.convolutional_reshaping',
                                   'kernelkit.layers.pooling', 'kernelkit.layers'),
    'keras.layers.convolutional_recurrent': ('kernelkit.layers.convolutional_recurrent', 'kernelkit.layers'),
    'keras.layers.pooling': ('kernelkit.layers.pooling', 'kernelkit.layers'),
    'keras.layers.recurrent': ('kernelkit.layers.recurrent', 'kernelkit.layers.recurrent_cells', 'kernelkit.layers'),
    'keras.layers.embeddings': ('kernelkit.layers.embeddings', 'kernelkit.layers'),
    'keras.layers.normalization': ('kernelkit.layers.normalization', 'kernelkit.layers'),
    'keras.layers.advanced_activations': ('kernelkit.layers.advanced_activations', 'kernelkit.layers'),
    'keras.layers.noise': ('kernelkit.layers.noise', 'kernelkit.layers'),
    'keras.layers.wrappers': ('kernelkit.layers.wrappers', 'kernelkit.layers'),
    'keras.layers.merge': ('kernelkit.layers.merge', 'kernelkit.layers'),
    'keras.layers.local': ('kernelkit.layers.local', 'kernelkit.layers'),
    'keras.models': ('kernelkit.models',),
    'keras.optimizers': ('kernelkit.optimizers',),
    'keras.losses': ('kernelkit.losses',),
    'keras.objectives': ('kernelkit.objectives',),
    'keras.initializations': ('kernelkit.legacy.initializations',),
    'keras.metrics': ('kernelkit.metrics',),
    'keras.callbacks': ('kernelkit.callbacks',),
    'keras.activations': ('kernelkit.activations',),
    'keras.initializers': ('kernelkit.initializers',),
    'keras.regularizers': ('kernelkit.regularizers',),
    'keras.constraints': ('kernelkit.constraints',),
    'keras.backend': ('kernelkit.backend', 'kernelkit.legacy.tf1_session'),
    'keras.backend.tensorflow_backend': ('kernelkit.backend', 'kernelkit.legacy.tf1_session'),
    'keras.backend.common': ('kernelkit.backend', 'kernelkit.legacy.tf1_session'),
    'keras.engine': ('kernelkit.engine', 'kernelkit.engine.base_layer', 'kernelkit.engine.input_layer',
                     'kernelkit.engine.input_spec', 'kernelkit.engine.training', 'kernelkit.engine.network'),
    'keras.engine.topology': ('kernelkit.engine.base_layer', 'kernelkit.engine.input_layer',
                              'kernelkit.engine.input_spec', 'kernelkit.engine.network', 'kernelkit.engine',
                              'kernelkit.engine.saving'),  # 2.0-2.1 kept the weight-file functions here
    'keras.engine.base_layer': ('kernelkit.engine.base_layer', 'kernelkit.engine.input_spec'),
    'keras.engine.input_layer': ('kernelkit.engine.input_layer',),
    'keras.engine.training': ('kernelkit.engine.training', 'kernelkit.engine.training_utils'),
    'keras.engine.training_arrays': ('kernelkit.engine.training_arrays', 'kernelkit.engine.training_utils'),
    'keras.engine.training_utils': ('kernelkit.engine.training_utils',),
    'keras.layers.cudnn_recurrent': ('kernelkit.layers.cudnn_recurrent', 'kernelkit.layers'),
    'keras.engine.network': ('kernelkit.engine.network',),
    'keras.engine.sequential': ('kernelkit.engine.sequential',),
    'keras.engine.saving': ('kernelkit.engine.saving',),
    'keras.legacy': ('kernelkit.legacy',),
    'keras.legacy.layers': ('kernelkit.legacy.layers',),
    'keras.legacy.interfaces': ('kernelkit.legacy.decorators', 'kernelkit.legacy.interfaces'),
}
# Packages under which any `keras.<pkg>.<module>` maps to `kernelkit.<pkg>.<module>` when that exists.
MODULE_PACKAGES = ('utils', 'preprocessing', 'datasets', 'callbacks', 'engine', 'layers', 'backend', 'legacy',
                   'applications', 'wrappers')

# Names that Keras 2.2.4 modules carry only because they imported them at module level (`from .. import
# backend as K`, `from ..legacy import interfaces`, `from ..utils.generic_utils import has_arg`, ...). Old
# code imports them from there (`from keras.layers.core import K`), so every `keras.*` alias falls back
# to this map: name -> 'module' or 'module:attribute'. They mean the same object in every module.
MODULE_REEXPORTS = {
    'K': 'kernelkit.backend',
    'backend': 'kernelkit.backend',
    'activations': 'kernelkit.activations',
    'initializers': 'kernelkit.initializers',
    'regularizers': 'kernelkit.regularizers',
    'constraints': 'kernelkit.constraints',
    'optimizers': 'kernelkit.optimizers',
    'losses': 'kernelkit.losses',
    'metrics_module': 'kernelkit.metrics',
    'cbks': 'kernelkit.callbacks',
    'layer_module': 'kernelkit.layers',
    'layers': 'kernelkit.layers',
    'models': 'kernelkit.models',
    'utils': 'kernelkit.utils',
    'network': 'kernelkit.engine.network',
    'saving': 'kernelkit.engine.saving',
    'training_arrays': 'kernelkit.engine.training_arrays',
    'training_generator': 'kernelkit.engine.training_generator',
    'recurrent': 'kernelkit.layers.recurrent',
    'interfaces': 'kernelkit.legacy.decorators',
    'conv_utils': 'kernelkit.utils.conv_utils',
    'image': 'kernelkit.preprocessing.image',
    'sequence': 'kernelkit.preprocessing.sequence',
    'text': 'kernelkit.preprocessing.text',
    'Layer': 'kernelkit.engine.base_layer:Layer',
    'Node': 'kernelkit.backend.symbolic:Node',
    'Input': 'kernelkit.engine.input_layer:Input',
    'InputLayer': 'kernelkit.engine.input_layer:InputLayer',
    'Model': 'kernelkit.engine.training:Model',
    'Sequential': 'kernelkit.engine.sequential:Sequential',
    'Recurrent': 'kernelkit.legacy.layers:Recurrent',
    'ConvRecurrent2D': 'kernelkit.legacy.layers:ConvRecurrent2D',
    'Lambda': 'kernelkit.layers.core:Lambda',
    'concatenate': 'kernelkit.layers.merge:concatenate',
    'Progbar': 'kernelkit.utils.progbar:Progbar',
    'Function': 'kernelkit.backend.symbolic.function:Function',  # what `K.function` returns
    'has_arg': 'kernelkit.utils.generic_utils:has_arg',
    'to_list': 'kernelkit.utils.generic_utils:to_list',
    'unpack_singleton': 'kernelkit.utils.generic_utils:unpack_singleton',
    'object_list_uid': 'kernelkit.utils.generic_utils:object_list_uid',
    'is_all_none': 'kernelkit.utils.generic_utils:is_all_none',
    'func_dump': 'kernelkit.utils.generic_utils:func_dump',
    'func_load': 'kernelkit.utils.generic_utils:func_load',
    'transpose_shape': 'kernelkit.utils.generic_utils:transpose_shape',
    'slice_arrays': 'kernelkit.utils.generic_utils:slice_arrays',
    'serialize_keras_object': 'kernelkit.utils.generic_utils:serialize_keras_object',
    'deserialize_keras_object': 'kernelkit.utils.generic_utils:deserialize_keras_object',
    'to_categorical': 'kernelkit.utils.np_utils:to_categorical',
    'count_params': 'kernelkit.utils.layer_utils:count_params',
    'get_source_inputs': 'kernelkit.utils.layer_utils:get_source_inputs',
    'print_layer_summary': 'kernelkit.utils.layer_utils:print_summary',
    'ask_to_proceed_with_overwrite': 'kernelkit.utils.io_utils:ask_to_proceed_with_overwrite',
    'h5dict': 'kernelkit.utils.io_utils:h5dict',
    'standardize_input_data': 'kernelkit.engine.training_utils:standardize_input_data',
    'keras_modules_injection': 'kernelkit.applications.imagenet_utils:keras_modules_injection',
    'py_all': 'builtins:all',
    'py_any': 'builtins:any',
    'py_slice': 'builtins:slice',
    'py_sum': 'builtins:sum',
}

# The Keras 2 modules whose public names kernelkit itself carries at the same path (`kernelkit.<path>`):
# the documented ones. The others (`keras.engine.*`, `keras.legacy.*`, the backend's implementation
# modules) exist for old imports and are served through the `keras.*` aliases.
DOCUMENTED_MODULES = frozenset([
    'keras', 'keras.activations', 'keras.callbacks', 'keras.constraints', 'keras.initializers', 'keras.losses',
    'keras.metrics', 'keras.models', 'keras.optimizers', 'keras.regularizers', 'keras.backend',
    'keras.layers', 'keras.preprocessing', 'keras.preprocessing.image', 'keras.preprocessing.sequence',
    'keras.preprocessing.text', 'keras.utils', 'keras.utils.conv_utils', 'keras.utils.data_utils',
    'keras.utils.generic_utils', 'keras.utils.io_utils', 'keras.utils.layer_utils', 'keras.utils.np_utils',
    'keras.utils.test_utils', 'keras.utils.vis_utils', 'keras.utils.multi_gpu_utils', 'keras.datasets',
    'keras.datasets.boston_housing', 'keras.datasets.cifar10', 'keras.datasets.cifar100',
    'keras.datasets.fashion_mnist', 'keras.datasets.imdb', 'keras.datasets.mnist', 'keras.datasets.reuters',
    'keras.applications', 'keras.wrappers.scikit_learn',
])
MODULE_MISSING = {}

# ------------------------------------------------------------------------------------------------------------
# Keras 1 weights: how a Keras 1 layer's saved arrays become the Keras 2 layer's (gates concatenated,
# kernels transposed, ...). Tests are on the class name of the *target* (Keras 2) layer.


@dataclass(frozen=True)
class GateConcat:
    """Keras 1 stored `gates` gates, each as `per_gate` arrays (W, U, b) in `file_order`; Keras 2 concatenates
    each kind along the last axis in `target_order`. Applies when there are exactly `gates * per_gate` arrays.
    Then, for a `channels_first` target, kernel and recurrent kernel are transposed by `channels_first_axes`."""
    file_order: str
    target_order: str
    per_gate: int = 3
    channels_first_axes: tuple = None


@dataclass(frozen=True)
class Transpose:
    """Transposes the kernel (array 0) by `axes` when the target layer's `data_format` is `data_format`."""
    data_format: str
    axes: tuple


@dataclass(frozen=True)
class Conv1DKernel:
    """Keras 1.2 stored Conv1D kernels as (length, 1, input_dim, filters), Keras 1.1 as
    (filters, input_dim, length, 1), which `keras11_axes` turns into the 1.2 layout; Keras 2 takes
    `w[:, 0, :, :]`."""
    keras11_axes: tuple = (2, 3, 1, 0)


@dataclass(frozen=True)
class Wrapped:
    """A wrapper: `split` halves go to `parts` (Bidirectional), or all arrays go to the one inner layer."""
    parts: tuple


@dataclass(frozen=True)
class Nested:
    """A nested model: arrays are all trainable weights of all sublayers, then all non-trainable weights."""


WEIGHTS = {
    'LSTM': (GateConcat('icfo', 'ifco'),),
    'GRU': (GateConcat('zrh', 'zrh'),),
    'ConvLSTM2D': (GateConcat('icfo', 'ifco', channels_first_axes=(2, 3, 1, 0)),),
    'Conv1D': (Conv1DKernel(),),
    'Conv2D': (Transpose('channels_first', (2, 3, 1, 0)),),
    'Conv2DTranspose': (Transpose('channels_last', (0, 1, 3, 2)), Transpose('channels_first', (2, 3, 0, 1))),
    'Conv3D': (Transpose('channels_first', (2, 3, 4, 1, 0)),),
    'Bidirectional': (Wrapped(('forward_layer', 'backward_layer')),),
    'TimeDistributed': (Wrapped(('layer',)),),
    'Model': (Nested(),),
    'Sequential': (Nested(),),
    # SimpleRNN, Dense, Embedding, PReLU, LocallyConnected*, SeparableConv2D, BatchNormalization (gamma, beta,
    # running mean, running "std" that held the variance), MaxoutDense, Highway: same layout as Keras 2.
}
