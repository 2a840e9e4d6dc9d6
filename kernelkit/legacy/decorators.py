"""Keras 2's `keras.legacy.interfaces` module, rebuilt from kernelkit's Keras 1 table.

Keras 2.2.4 converted Keras 1 arguments with decorators on each layer's `__init__` (`legacy_dense_support`,
`legacy_conv2d_support`, ...), built by `generate_legacy_interface`, with "args preprocessors" for the cases a
rename cannot express. Custom layers of that era used them too:

    class MyDense(Dense):
        @interfaces.legacy_dense_support
        def __init__(self, units, **kwargs):
            ...

kernelkit converts with one table (`kernelkit.legacy.table`) instead, so here every decorator and
preprocessor is a thin view of a table entry: `legacy_dense_support` converts exactly as `Dense(...)` does,
with the same warnings. `generate_legacy_interface` builds an ad-hoc table entry from Keras 2's arguments.

Keras 2's preprocessors take and return the positional arguments *including* `self` (`args[0]`), and return
`(args, kwargs, converted)`, `converted` being a list of `(old_name, new_name)`; those here do the same.
"""
from kernelkit.legacy import interfaces, table

__all__ = ['generate_legacy_interface', 'generate_legacy_method_interface', 'raise_duplicate_arg_error']


def _entry(name):
    for entries in (table.LAYER_INTERFACES, table.LAYER_METHOD_INTERFACES, table.MODEL_INTERFACES,
                    table.OPTIMIZER_METHOD_INTERFACES):
        for interface in entries:
            if interface.name == name:
                return interface
    raise KeyError(name)


def raise_duplicate_arg_error(old_arg, new_arg):
    """Raises Keras 2's error for a call given both a Keras 1 keyword and its Keras 2 name.

    # Arguments
        old_arg: the Keras 1 keyword (e.g. `'output_dim'`).
        new_arg: the Keras 2 keyword (e.g. `'units'`).

    # Raises
        TypeError: always.
    """
    raise TypeError(table.BOTH_NAMES % (new_arg, old_arg, new_arg))


def _as_hook(preprocessor):
    """Adapts a Keras 2 preprocessor `(args with self, kwargs) -> (args, kwargs, converted)` to the
    `(self, args, kwargs)` hook of `interfaces.wrap_function`."""
    def hook(self, args, kwargs):
        new_args, kwargs, converted = preprocessor((self,) + tuple(args), kwargs)
        return tuple(new_args)[1:], kwargs, list(converted or ())
    return hook


def generate_legacy_interface(allowed_positional_args=None, conversions=None, preprocessor=None,
                              value_conversions=None, object_type='class'):
    """Builds a decorator that converts Keras 1 arguments of a constructor or method (Keras 2's API).

    # Arguments
        allowed_positional_args: names of the positional arguments allowed after conversion, or `None` for
            no check.
        conversions: list of `(old_keyword, new_keyword)` renames.
        preprocessor: optional function `(args, kwargs) -> (args, kwargs, converted)` run first; `args`
            includes `self`; `converted` lists `(old, new)` names it changed.
        value_conversions: `{keyword: {old_value: new_value}}`, applied before the renames.
        object_type: `'class'` (messages name the object's class: decorate `__init__`) or `'method'`
            (messages name the method).

    # Returns
        A decorator. The decorated function warns "Update your `X` call to the Keras 2 API: ..." when it
        converted anything, and raises Keras 2's errors for too many positional arguments or for an old and
        a new keyword given together.

    # Raises
        ValueError: if `object_type` is neither `'class'` nor `'method'`.
    """
    if object_type not in ('class', 'method'):
        raise ValueError('generate_legacy_interface: `object_type` must be "class" or "method", got %r.'
                         % (object_type,))
    interface = table.Interface(
        'generated',
        positional=None if allowed_positional_args is None else tuple(allowed_positional_args),
        values=tuple(table.Values(key, dict(mapping)) for key, mapping in (value_conversions or {}).items()),
        renames=tuple(table.Rename(old, new) for old, new in (conversions or ())),
        kind=object_type)
    hook = None if preprocessor is None else _as_hook(preprocessor)

    def legacy_support(function):
        return interfaces.wrap_function(function, interface, hook)
    return legacy_support


def generate_legacy_method_interface(allowed_positional_args=None, conversions=None, preprocessor=None,
                                     value_conversions=None):
    """`generate_legacy_interface(..., object_type='method')`.

    # Arguments
        allowed_positional_args, conversions, preprocessor, value_conversions: as in
            `generate_legacy_interface`.

    # Returns
        A decorator for methods.
    """
    return generate_legacy_interface(allowed_positional_args, conversions, preprocessor, value_conversions,
                                     object_type='method')


def _table_decorator(entry_name, object_type, doc_name):
    interface = _entry(entry_name)
    if interface.kind != object_type:
        interface = table.Interface(interface.name, interface.positional, interface.preprocess, interface.values,
                                    interface.renames, interface.keras1_names, object_type, interface.warn)

    def legacy_support(function):
        return interfaces.wrap_function(function, interface)
    legacy_support.__name__ = legacy_support.__qualname__ = doc_name
    legacy_support.__doc__ = (
        'Decorator converting Keras 1 arguments as `%s` does (Keras 2.2.4\'s `%s`, from kernelkit\'s table).\n\n'
        '# Arguments\n    function: the `__init__` or method to decorate.\n\n'
        '# Returns\n    The converting function (warns "Update your ... call to the Keras 2 API").\n'
        % (entry_name, doc_name))
    return legacy_support


def _table_preprocessor(entry_name, doc_name):
    interface = _entry(entry_name)

    def preprocessor(args, kwargs):
        args = tuple(args)
        conversion = interfaces.Conversion(args[1:], kwargs)
        interfaces.apply_preprocessors(interface, conversion)
        for notice in conversion.notices:
            interfaces.emit(notice)
        return [args[0]] + list(conversion.args), conversion.kwargs, list(conversion.changes)
    preprocessor.__name__ = preprocessor.__qualname__ = doc_name
    preprocessor.__doc__ = (
        'Keras 2.2.4\'s `%s`: the Keras 1 argument forms `%s` accepts, rewritten.\n\n'
        '# Arguments\n    args: positional arguments, `self` first.\n    kwargs: keyword arguments.\n\n'
        '# Returns\n    `(args, kwargs, converted)`, `converted` listing `(old, new)` names.\n\n'
        '# Raises\n    TypeError, ValueError: the Keras 2 errors for forms that cannot be converted.\n'
        % (doc_name, entry_name))
    return preprocessor


# Keras 2.2.4 decorator name -> (table entry whose conversions it applies, how messages name the call).
_DECORATORS = {
    'legacy_dense_support': ('Dense', 'class'),
    'legacy_dropout_support': ('Dropout', 'class'),
    'legacy_embedding_support': ('Embedding', 'class'),
    'legacy_pooling1d_support': ('MaxPooling1D', 'class'),
    'legacy_pooling2d_support': ('MaxPooling2D', 'class'),
    'legacy_pooling3d_support': ('MaxPooling3D', 'class'),
    'legacy_global_pooling_support': ('GlobalMaxPooling2D', 'class'),
    'legacy_conv1d_support': ('Conv1D', 'class'),
    'legacy_conv2d_support': ('Conv2D', 'class'),
    'legacy_conv3d_support': ('Conv3D', 'class'),
    'legacy_deconv2d_support': ('Conv2DTranspose', 'class'),
    'legacy_separable_conv2d_support': ('SeparableConv2D', 'class'),
    'legacy_convlstm2d_support': ('ConvLSTM2D', 'class'),
    'legacy_recurrent_support': ('LSTM', 'class'),
    'legacy_batchnorm_support': ('BatchNormalization', 'class'),
    'legacy_gaussiannoise_support': ('GaussianNoise', 'class'),
    'legacy_gaussiandropout_support': ('GaussianDropout', 'class'),
    'legacy_prelu_support': ('PReLU', 'class'),
    'legacy_lambda_support': ('Lambda', 'class'),
    'legacy_input_support': ('InputLayer', 'class'),
    'legacy_spatialdropout1d_support': ('SpatialDropout1D', 'class'),
    'legacy_spatialdropoutNd_support': ('SpatialDropout2D', 'class'),
    'legacy_upsampling1d_support': ('UpSampling1D', 'class'),
    'legacy_upsampling2d_support': ('UpSampling2D', 'class'),
    'legacy_upsampling3d_support': ('UpSampling3D', 'class'),
    'legacy_zeropadding2d_support': ('ZeroPadding2D', 'class'),
    'legacy_zeropadding3d_support': ('ZeroPadding3D', 'class'),
    'legacy_cropping2d_support': ('Cropping2D', 'class'),
    'legacy_cropping3d_support': ('Cropping3D', 'class'),
    'legacy_model_constructor_support': ('Model', 'class'),
    'legacy_generator_methods_support': ('fit_generator', 'method'),
    'legacy_add_weight_support': ('add_weight', 'method'),
    'legacy_get_updates_support': ('get_updates', 'method'),
}

# Keras 2.2.4 preprocessor name -> the table entry whose `preprocess` rules it applies.
_PREPROCESSOR_ENTRIES = {
    'conv1d_args_preprocessor': 'Conv1D',
    'conv2d_args_preprocessor': 'Conv2D',
    'conv3d_args_preprocessor': 'Conv3D',
    'deconv2d_args_preprocessor': 'Conv2DTranspose',
    'separable_conv2d_args_preprocessor': 'SeparableConv2D',
    'convlstm2d_args_preprocessor': 'ConvLSTM2D',
    'recurrent_args_preprocessor': 'LSTM',
    'batchnorm_args_preprocessor': 'BatchNormalization',
    'zeropadding2d_args_preprocessor': 'ZeroPadding2D',
    'embedding_kwargs_preprocessor': 'Embedding',
    'generator_methods_args_preprocessor': 'fit_generator',
    'add_weight_args_preprocessing': 'add_weight',
    'get_updates_arg_preprocessing': 'get_updates',
}

for _name, (_entry_name, _kind) in _DECORATORS.items():
    globals()[_name] = _table_decorator(_entry_name, _kind, _name)
    __all__.append(_name)
for _name, _entry_name in _PREPROCESSOR_ENTRIES.items():
    globals()[_name] = _table_preprocessor(_entry_name, _name)
    __all__.append(_name)
del _name, _entry_name, _kind
