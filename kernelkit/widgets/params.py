"""What the model builder knows about layer arguments: the palette and one `ParamSpec` per argument.

Specs come from each layer's `__init__` signature and defaults; argument names pick the kind of field
(activations, initializers, padding and data formats get drop-downs). No widget library is imported here.

Argument values that are not plain literals (a regularizer object, the layer inside `TimeDistributed`, the
function of a `Lambda`) are kept as `Expr`: Python source text, evaluated in `expression_namespace()`
when the model is derived and written as it is into the generated code.
"""
import ast
import inspect
import sys
import types
import weakref

REQUIRED = object()  # the "default" of an argument without one

ACTIVATIONS = [None, 'relu', 'sigmoid', 'softmax', 'tanh', 'elu', 'selu', 'softplus', 'softsign', 'hard_sigmoid',
               'exponential', 'linear']
INITIALIZERS = ['glorot_uniform', 'glorot_normal', 'he_uniform', 'he_normal', 'lecun_uniform', 'lecun_normal',
                'zeros', 'ones', 'random_normal', 'random_uniform', 'truncated_normal', 'orthogonal', 'identity']
CONSTRAINTS = [None, 'max_norm', 'non_neg', 'unit_norm', 'min_max_norm']
REGULARIZER_SUGGESTIONS = ['regularizers.l2(0.01)', 'regularizers.l1(0.01)', 'regularizers.l1_l2(l1=0.01, l2=0.01)']
DATA_FORMATS = [None, 'channels_last', 'channels_first']
OPTIMIZERS = {'sgd': 'SGD', 'rmsprop': 'RMSprop', 'adagrad': 'Adagrad', 'adadelta': 'Adadelta', 'adam': 'Adam',
              'adamax': 'Adamax', 'nadam': 'Nadam'}
LOSSES = ['categorical_crossentropy', 'sparse_categorical_crossentropy', 'binary_crossentropy',
          'mean_squared_error', 'mean_absolute_error', 'mean_absolute_percentage_error',
          'mean_squared_logarithmic_error', 'squared_hinge', 'hinge', 'categorical_hinge', 'logcosh',
          'kullback_leibler_divergence', 'poisson', 'cosine_proximity']
METRICS = ['accuracy', 'binary_accuracy', 'categorical_accuracy', 'sparse_categorical_accuracy',
           'top_k_categorical_accuracy', 'mae', 'mse', 'mape', 'msle', 'cosine_proximity']

# Values given to arguments without a default when a layer is added from the palette.
REQUIRED_DEFAULTS = {
    'units': 32, 'filters': 32, 'kernel_size': 3, 'rate': 0.5, 'target_shape': (-1,), 'dims': (1,), 'n': 2,
    'input_dim': 1000, 'output_dim': 32, 'activation': 'relu', 'stddev': 0.1, 'axes': -1,
}
REQUIRED_EXPRESSIONS = {
    'function': 'lambda x: x', 'layer': 'Dense(32)', 'cell': 'SimpleRNNCell(32)', 'cells': '[SimpleRNNCell(32)]',
}

# Arguments that take an int or a tuple: always a literal field, whatever their default.
INT_OR_TUPLE = ('kernel_size', 'strides', 'pool_size', 'dilation_rate', 'size', 'cropping', 'padding')

# Classes in the registry that are not layers one can place in a graph.
NOT_IN_PALETTE = ('Layer', 'Wrapper', 'Model', 'Functional', 'Sequential')


class Expr(object):
    """A Python expression kept as source text (e.g. `regularizers.l2(0.01)` or `Dense(8)`).

    # Arguments
        code: the expression source.
    """

    __slots__ = ('code',)

    def __init__(self, code):
        self.code = str(code).strip()

    def __repr__(self):
        return self.code

    def __eq__(self, other):
        return isinstance(other, Expr) and other.code == self.code

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash(('Expr', self.code))

    def to_json(self):
        return {'__expr__': self.code}


# Functions made by evaluating an `Expr` (a Lambda's `lambda x: ...`), mapped to their source text, so a
# model built by the builder can be opened in a builder again with its functions as code.
_EXPR_SOURCES = weakref.WeakKeyDictionary()


def expression_source(function):
    """The `Expr` source a function was made from by the builder, or None."""
    try:
        return _EXPR_SOURCES.get(function)
    except TypeError:
        return None


def expression_namespace():
    """The names `Expr` code may use: the notebook's own names (`__main__`), then the kernelkit modules,
    `K`, and every layer class by name (these win over user names)."""
    import kernelkit
    from kernelkit import (activations, backend, constraints, initializers, layers, losses, optimizers,
                           regularizers)
    main = sys.modules.get('__main__')
    namespace = dict(vars(main)) if main is not None else {}
    namespace.update(kernelkit.layers.registry())
    namespace.update({'layers': layers, 'activations': activations, 'backend': backend, 'K': backend,
                      'constraints': constraints, 'initializers': initializers, 'regularizers': regularizers,
                      'optimizers': optimizers, 'losses': losses, 'keras': kernelkit, 'kernelkit': kernelkit})
    return namespace


def evaluate(value, namespace=None):
    """Evaluates `Expr`s (also inside lists, tuples and dicts); other values are returned as they are."""
    if isinstance(value, Expr):
        result = eval(compile(value.code, '<kernelkit builder>', 'eval'), namespace or expression_namespace())
        if isinstance(result, types.FunctionType):
            _EXPR_SOURCES[result] = value.code
        return result
    if isinstance(value, list):
        return [evaluate(item, namespace) for item in value]
    if isinstance(value, tuple):
        return tuple(evaluate(item, namespace) for item in value)
    if isinstance(value, dict):
        return {key: evaluate(item, namespace) for key, item in value.items()}
    return value


def parse_value(text):
    """Reads a form field: `''` is None, a Python literal is that literal, anything else is an `Expr`.

    # Raises
        SyntaxError: if `text` is not a valid Python expression.
    """
    text = text.strip()
    if not text:
        return None
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        compile(text, '<kernelkit builder>', 'eval')  # raises SyntaxError for bad code
        return Expr(text)


def format_value(value):
    """The text of a value in a form field or in generated code (the inverse of `parse_value`)."""
    if value is None:
        return ''
    return repr(value)


class ParamSpec(object):
    """One argument of a layer's `__init__`, and the field that edits it.

    # Properties
        name: the argument name.
        default: its default value, or `REQUIRED`.
        kind: `'choice'` (drop-down of `choices`), `'bool'`, `'int'`, `'float'`, `'str'` or `'literal'`
            (a text field holding a Python literal or expression; empty means None).
        choices: the allowed values of a `'choice'`.
        suggestions: example values offered for a `'literal'` field.
    """

    def __init__(self, name, default, kind, choices=None, suggestions=None):
        self.name = name
        self.default = default
        self.kind = kind
        self.choices = choices
        self.suggestions = suggestions or []

    @property
    def required(self):
        return self.default is REQUIRED

    def __repr__(self):
        default = 'REQUIRED' if self.required else repr(self.default)
        return 'ParamSpec(%r, default=%s, kind=%r)' % (self.name, default, self.kind)


def _choices_for(class_name, name, default):
    if name == 'activation' or name.endswith('_activation'):
        return list(ACTIVATIONS)
    if name.endswith('_initializer'):
        return list(INITIALIZERS)
    if name.endswith('_constraint'):
        return list(CONSTRAINTS)
    if name == 'padding':
        return ['valid', 'same', 'causal'] if class_name in ('Conv1D',) else ['valid', 'same']
    if name == 'data_format':
        return list(DATA_FORMATS)
    if name == 'merge_mode':
        return ['concat', 'sum', 'mul', 'ave', None]
    if name == 'interpolation':
        return ['nearest', 'bilinear']
    if name == 'implementation':
        return [1, 2]
    return None


def _spec(class_name, parameter):
    name, default = parameter.name, parameter.default
    default = REQUIRED if default is inspect.Parameter.empty else default
    choices = _choices_for(class_name, name, default)
    if choices is not None and (default is REQUIRED or default in choices):
        return ParamSpec(name, default, 'choice', choices=choices)
    if name.endswith('_regularizer'):
        return ParamSpec(name, default, 'literal', suggestions=REGULARIZER_SUGGESTIONS)
    if name in INT_OR_TUPLE:
        return ParamSpec(name, default, 'literal')
    example = REQUIRED_DEFAULTS.get(name) if default is REQUIRED else default
    if isinstance(example, bool):
        return ParamSpec(name, default, 'bool')
    if isinstance(example, int):
        return ParamSpec(name, default, 'int')
    if isinstance(example, float):
        return ParamSpec(name, default, 'float')
    if isinstance(example, str):
        return ParamSpec(name, default, 'str')
    suggestions = [REQUIRED_EXPRESSIONS[name]] if name in REQUIRED_EXPRESSIONS else []
    return ParamSpec(name, default, 'literal', suggestions=suggestions)


INPUT_PARAMS = [ParamSpec('shape', REQUIRED, 'literal'), ParamSpec('batch_size', None, 'literal'),
                ParamSpec('dtype', None, 'literal'), ParamSpec('sparse', False, 'bool')]


def layer_params(cls):
    """Returns the `ParamSpec`s of a layer class, in signature order.

    For `InputLayer` these are the arguments of `Input`: `shape`, `batch_size`, `dtype`, `sparse`.

    # Arguments
        cls: a layer class.

    # Returns
        A list of `ParamSpec`.
    """
    if cls.__name__ == 'InputLayer':
        return list(INPUT_PARAMS)
    specs = []
    for parameter in list(inspect.signature(cls.__init__).parameters.values())[1:]:
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        if parameter.name in ('weights', 'input_shape', 'batch_input_shape', 'batch_size', 'name', 'dtype'):
            continue  # base-layer arguments the builder sets itself
        specs.append(_spec(cls.__name__, parameter))
    return specs


def initial_kwargs(cls):
    """The arguments a layer gets when added from the palette: values for its required arguments."""
    kwargs = {}
    for spec in layer_params(cls):
        if not spec.required:
            continue
        if spec.name in REQUIRED_EXPRESSIONS:
            kwargs[spec.name] = Expr(REQUIRED_EXPRESSIONS[spec.name])
        elif spec.name in REQUIRED_DEFAULTS:
            kwargs[spec.name] = REQUIRED_DEFAULTS[spec.name]
        elif spec.name == 'shape':
            kwargs[spec.name] = (32,)
    return kwargs


def palette():
    """Every layer class of `kernelkit.layers` one can place in a graph, grouped by module.

    Aliases (`Convolution2D` for `Conv2D`, ...) appear once, under the class's own name.

    # Returns
        An ordered dict `{group: [class name, ...]}`; `InputLayer` is in the group `'input'`.
    """
    from kernelkit import layers
    groups = {}
    seen = set()
    for name, cls in sorted(layers.registry().items()):
        if name in NOT_IN_PALETTE or cls in seen or cls.__name__ != name:
            continue
        seen.add(cls)
        group = 'input' if name == 'InputLayer' else cls.__module__.rsplit('.', 1)[-1]
        groups.setdefault(group, []).append(name)
    ordered = {'input': groups.pop('input', [])}
    for group in sorted(groups):
        ordered[group] = groups[group]
    return ordered


def is_merge_layer(cls):
    """Whether a layer class takes a list of tensors (the merge layers)."""
    from kernelkit.layers.merge import _Merge
    return issubclass(cls, _Merge)
