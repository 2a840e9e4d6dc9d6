"""No code from a file runs without opt-in (issue 15, item 7).

Every path that can turn file contents into Python objects is fed a crafted input whose code, if it ran,
would write a marker file: Lambda bytecode through every deserialization entry point, Lambda functions
named by a file, YAML with Python tags, pickles inside dataset files and `H5Dict` states, `HDF5Matrix`
datasets, and names of non-public objects in every `deserialize`. Each is refused with an error saying how
to opt in, the marker stays absent, and (where there is one) the opt-in loads it.
"""
import json
import os
import pickle
import warnings

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')

import h5py  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import kernelkit as keras  # noqa: E402
from kernelkit import (activations, constraints, initializers, layers, losses, metrics, optimizers,  # noqa: E402
                       regularizers)
from kernelkit.datasets import boston_housing, cifar, imdb, mnist, reuters  # noqa: E402
from kernelkit.engine import saving  # noqa: E402
from kernelkit.layers import Lambda  # noqa: E402
from kernelkit.utils import generic_utils, io_utils  # noqa: E402

X = np.arange(6, dtype='float32').reshape(2, 3)


def marking_lambda(marker):
    """A lambda that writes `marker` whenever it runs (its path is a default, so it travels in the bytecode)."""
    return lambda x, path=marker: (open(path, 'w').write('ran'), x * 2.0)[1]


class Payload(object):
    """Pickles to a call that writes the marker file when unpickled."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return exec, ("open(%r, 'w').write('ran')" % self.marker,)


@pytest.fixture
def marker(tmp_path):
    return str(tmp_path / 'code_ran.txt')


def lambda_model(marker):
    return keras.models.Sequential([Lambda(marking_lambda(marker), input_shape=(3,), name='lam')])


def functional_lambda_model(marker):
    inputs = keras.layers.Input((3,))
    return keras.models.Model(inputs, Lambda(marking_lambda(marker), name='lam')(inputs))


# ---------------------------------------------------------------------------------------- Lambda bytecode

def bytecode_paths(marker, tmp_path):
    """Every entry point that can deserialize a Lambda, as (name, call) pairs; each builds the layer (and
    the model, which calls the function) from a config holding the marking lambda's bytecode."""
    model = lambda_model(marker)
    functional = functional_lambda_model(marker)
    os.remove(marker)  # building the models above ran the function once
    layer_config = model.layers[0].get_config()
    entry = {'class_name': 'Lambda', 'config': layer_config}
    path = str(tmp_path / 'lambda.h5')
    model.save(path)
    return [
        ('Lambda.from_config', lambda: Lambda.from_config(layer_config)),
        ('layers.deserialize', lambda: layers.deserialize(entry)),
        ('Sequential.from_config', lambda: keras.models.Sequential.from_config(model.get_config())),
        ('Model.from_config', lambda: keras.models.Model.from_config(functional.get_config())),
        ('model_from_config', lambda: keras.models.model_from_config(json.loads(model.to_json()))),
        ('model_from_json', lambda: keras.models.model_from_json(model.to_json())),
        ('model_from_yaml', lambda: keras.models.model_from_yaml(model.to_yaml())),
        ('load_model', lambda: keras.models.load_model(path)),
        ('unpickle_model over the file', lambda: saving.unpickle_model(io_utils.H5Dict(path, mode='r'))),
        ('Keras 1 Merge with a lambda mode', lambda: layers.deserialize({'class_name': 'Merge', 'config': {
            'name': 'merge_1', 'mode': layer_config['function'], 'mode_type': 'lambda'}})),
    ]


def test_every_path_refuses_lambda_bytecode_by_default(marker, tmp_path):
    for name, call in bytecode_paths(marker, tmp_path):
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            with pytest.raises(ValueError, match='safe_mode=False') as info:
                call()
        assert 'bytecode' in str(info.value), name
        assert not os.path.exists(marker), '%s ran the stored lambda' % name


def test_safe_mode_false_is_the_opt_in(marker, tmp_path):
    model = lambda_model(marker)
    expected = model.predict(X)
    path = str(tmp_path / 'lambda.h5')
    model.save(path)
    os.remove(marker)
    loaded = keras.models.load_model(path, safe_mode=False)
    assert os.path.exists(marker)  # the opted-in lambda is the real one: it runs
    np.testing.assert_allclose(loaded.predict(X), expected)
    for load in (lambda: keras.models.model_from_json(model.to_json(), safe_mode=False),
                 lambda: keras.models.model_from_yaml(model.to_yaml(), safe_mode=False),
                 lambda: Lambda.from_config(model.layers[0].get_config(), safe_mode=False),
                 lambda: saving.unpickle_model(io_utils.H5Dict(path, mode='r'), safe_mode=False)):
        assert load() is not None
    # the opt-in does not leak past the call that was given it
    with pytest.raises(ValueError, match='safe_mode=False'):
        layers.deserialize({'class_name': 'Lambda', 'config': model.layers[0].get_config()})


def test_clone_model_and_pickled_states_are_not_files(marker):
    """A clone's config comes from a live layer of this process, and a `pickle_model` state from `pickle`
    (which already runs code when it is loaded): both keep Keras 2.2.4's behaviour."""
    for model in (lambda_model(marker), functional_lambda_model(marker)):
        clone = keras.models.clone_model(model)
        np.testing.assert_allclose(clone.predict(X), model.predict(X))
        state = pickle.loads(pickle.dumps(saving.pickle_model(model)))
        np.testing.assert_allclose(saving.unpickle_model(state).predict(X), model.predict(X))


# ------------------------------------------------------------------------------------ Lambda functions by name

def named_function_config(name, **extra):
    config = {'name': 'named', 'function': name, 'function_type': 'function', 'output_shape': None,
              'output_shape_type': 'raw', 'arguments': {}}
    config.update(extra)
    return config


def test_a_function_named_by_its_module_resolves_only_with_opt_in():
    config = named_function_config('system', module='os', arguments={'command': 'exit 0'})
    with pytest.raises(ValueError, match='safe_mode=False') as info:
        Lambda.from_config(dict(config))
    assert "'system'" in str(info.value) and "'os'" in str(info.value)
    with pytest.raises(ValueError, match='safe_mode=False'):
        Lambda.from_config(named_function_config('eval', module='builtins'))
    # the opt-in: names from the module the file says (tf_keras's `module` key), for trusted files
    assert Lambda.from_config(named_function_config('dumps', module='json'), safe_mode=False).function \
        is json.dumps


@pytest.mark.parametrize('name', ['func_load', 'func_dump', 'np', 'sys', 'inspect', 'types', 'tf', 'K',
                                  'Dense', '_load_function', 'serialize_arguments', 'open', 'exec',
                                  '__import__', 'set_value', 'set_floatx', 'clear_session', 'print_tensor',
                                  'function', 'eval', 'update', 'set_learning_phase', 'os.system',
                                  'kernelkit.backend.abs'])
def test_names_of_other_objects_do_not_resolve(name):
    for safe_mode in (True, False):
        with pytest.raises(ValueError, match='custom_objects'):
            Lambda.from_config(named_function_config(name), safe_mode=safe_mode)


def test_registered_and_kernelkit_functions_resolve():
    def doubled(x):
        return x * 2.0
    config = named_function_config('doubled')
    assert Lambda.from_config(dict(config), custom_objects={'doubled': doubled}).function is doubled
    with generic_utils.CustomObjectScope({'doubled': doubled}):
        assert Lambda.from_config(dict(config)).function is doubled
        assert keras.layers.deserialize({'class_name': 'Lambda', 'config': dict(config)}).function is doubled
    generic_utils.get_custom_objects()['doubled'] = doubled
    try:
        assert Lambda.from_config(dict(config)).function is doubled
    finally:
        del generic_utils.get_custom_objects()['doubled']
    with pytest.raises(ValueError, match="Unknown function 'doubled'"):
        Lambda.from_config(dict(config))
    # a registered object wins over a kernelkit function of the same name
    assert Lambda.from_config(named_function_config('relu'), custom_objects={'relu': doubled}).function is doubled
    assert Lambda.from_config(named_function_config('relu')).function is activations.relu
    assert Lambda.from_config(named_function_config('abs')).function is keras.backend.abs
    # a model with a Lambda of a backend function round-trips, computing the same thing
    model = keras.models.Sequential([Lambda(keras.backend.square, input_shape=(3,))])
    np.testing.assert_allclose(keras.models.model_from_json(model.to_json()).predict(X), X ** 2)


# ----------------------------------------------------------------------------------------------------- YAML

@pytest.mark.parametrize('tag', [
    '!!python/object/apply:builtins.exec ["open(%r, \'w\').write(\'ran\')"]',
    '!!python/object/new:builtins.exec ["open(%r, \'w\').write(\'ran\')"]',
    '!!python/object:kernelkit.layers.Dense {marker: %r}',
    '!!python/name:builtins.exec %r'])
def test_model_from_yaml_never_constructs_python_objects(marker, tag):
    text = 'class_name: Sequential\nconfig:\n  name: %s\n  layers: []\n' % (tag % marker)
    with pytest.raises(ValueError):
        keras.models.model_from_yaml(text)
    with pytest.raises(ValueError):
        keras.models.model_from_yaml(tag % marker)
    assert not os.path.exists(marker)


def test_model_from_yaml_still_reads_models():
    model = keras.models.Sequential([keras.layers.Dense(2, input_shape=(3,))])
    assert keras.models.model_from_yaml(model.to_yaml()).get_config() == model.get_config()


# ------------------------------------------------------------------------------------------ dataset files

def object_array(items):
    array = np.empty(len(items), dtype=object)
    array[:] = items
    return array


def serve(monkeypatch, module, path):
    """Points the loader's cache at `path` (no network)."""
    monkeypatch.setattr(module, 'get_file', lambda *args, **kwargs: path)


def imdb_like(path, x):
    labels = np.array([0, 1, 0], dtype='int64')
    np.savez(path, x_train=x, y_train=labels, x_test=x, y_test=labels)


def reuters_like(path, x):
    np.savez(path, x=x, y=np.array([3, 1, 2], dtype='int64'))


@pytest.mark.parametrize('module, write', [(imdb, imdb_like), (reuters, reuters_like)])
def test_sequence_datasets_refuse_pickled_objects(monkeypatch, tmp_path, marker, module, write):
    path = str(tmp_path / 'crafted.npz')
    write(path, object_array([[1, 2], Payload(marker), [3]]))
    serve(monkeypatch, module, path)
    with pytest.raises(ValueError, match='allow_pickle=True') as info:
        module.load_data()
    assert 'builtins.exec' in str(info.value) and path in str(info.value)
    assert not os.path.exists(marker)
    with pytest.raises(Exception):  # the opt-in unpickles everything: the payload runs (then the data is bad)
        module.load_data(allow_pickle=True)
    assert os.path.exists(marker)


@pytest.mark.parametrize('module, write', [(imdb, imdb_like), (reuters, reuters_like)])
def test_sequence_datasets_still_read_lists_of_word_indices(monkeypatch, tmp_path, module, write):
    path = str(tmp_path / 'plain.npz')
    write(path, object_array([[1, 2, 5], [4], [3, 3, 2, 1]]))
    serve(monkeypatch, module, path)
    safe = module.load_data(seed=1)
    trusted = module.load_data(seed=1, allow_pickle=True)
    for part, expected in zip(safe, trusted):
        assert [list(x) for x in part[0]] == [list(x) for x in expected[0]]
        np.testing.assert_array_equal(part[1], expected[1])
    kept = list(safe[0][0]) + ([] if module is imdb else list(safe[1][0]))
    assert sorted(len(x) for x in kept) == [2, 4, 5]  # each list, after the start character


@pytest.mark.parametrize('module, keys', [(mnist, ('x_train', 'y_train', 'x_test', 'y_test')),
                                          (boston_housing, ('x', 'y'))])
def test_numeric_datasets_never_unpickle(monkeypatch, tmp_path, marker, module, keys):
    path = str(tmp_path / 'crafted.npz')
    np.savez(path, **{key: object_array([Payload(marker)]) for key in keys})
    serve(monkeypatch, module, path)
    with pytest.raises(ValueError, match='allow_pickle'):
        module.load_data()
    assert not os.path.exists(marker)


def test_cifar_batches_refuse_pickled_objects(tmp_path, marker):
    path = str(tmp_path / 'data_batch_1')
    with open(path, 'wb') as f:
        pickle.dump({b'data': np.zeros((1, 3072), 'uint8'), b'labels': [Payload(marker)]}, f, protocol=2)
    with pytest.raises(ValueError, match='allow_pickle=True'):
        cifar.load_batch(path)
    assert not os.path.exists(marker)
    cifar.load_batch(path, allow_pickle=True)
    assert os.path.exists(marker)


def test_cifar_batches_still_read(tmp_path):
    data = np.random.RandomState(0).randint(0, 256, (4, 3072)).astype('uint8')
    path = str(tmp_path / 'test_batch')
    with open(path, 'wb') as f:  # the real files are Python 2 pickles (protocol 2, bytes keys)
        pickle.dump({b'batch_label': b'testing batch 1 of 1', b'labels': [3, 1, 4, 1], b'data': data,
                     b'filenames': [b'a.png'] * 4}, f, protocol=2)
    images, labels = cifar.load_batch(path)
    np.testing.assert_array_equal(images, data.reshape(4, 3, 32, 32))
    assert labels == [3, 1, 4, 1]


# ------------------------------------------------------------------------------------ HDF5Matrix and H5Dict

def test_hdf5_matrix_refuses_object_datasets_and_groups(tmp_path):
    path = str(tmp_path / 'data.h5')
    with h5py.File(path, 'w') as f:
        f.create_dataset('strings', data=np.array(['a', 'bc'], dtype=object), dtype=h5py.string_dtype())
        f.create_dataset('refs', data=np.array([f.ref] * 2, dtype=h5py.ref_dtype))
        f.create_group('group')
        f['x'] = np.arange(8, dtype='float32').reshape(4, 2)
    for name in ('strings', 'refs'):
        with pytest.raises(ValueError, match='numeric datasets only') as info:
            io_utils.HDF5Matrix(path, name)
        assert name in str(info.value) and path in str(info.value)
    with pytest.raises(ValueError, match='is a Group'):
        io_utils.HDF5Matrix(path, 'group')
    np.testing.assert_array_equal(io_utils.HDF5Matrix(path, 'x')[1:3], [[2, 3], [4, 5]])


def test_hdf5_matrix_returns_pickle_bytes_without_unpickling_them(tmp_path, marker):
    path = str(tmp_path / 'opaque.h5')
    blob = pickle.dumps(Payload(marker))
    with h5py.File(path, 'w') as f:
        f['x'] = np.array([np.void(blob)] * 2)
    rows = io_utils.HDF5Matrix(path, 'x')[:]
    assert rows[0].tobytes() == blob
    assert not os.path.exists(marker)


def test_h5dict_over_a_dict_unpickles_numpy_values_only(marker):
    stored = {'_is_group': True, 'w': pickle.dumps(np.arange(3.)), '_w_pickled': True,
              's': pickle.dumps(np.float32(2.5)), '_s_pickled': True,
              'evil': pickle.dumps(Payload(marker)), '_evil_pickled': True}
    view = io_utils.H5Dict(stored, mode='r')
    np.testing.assert_array_equal(view['w'], np.arange(3.))
    assert view['s'] == np.float32(2.5)
    with pytest.raises(ValueError, match="'evil'"):
        view['evil']
    assert not os.path.exists(marker)
    writable = io_utils.H5Dict({})
    writable['a'] = np.ones((2, 2), 'float16')
    np.testing.assert_array_equal(writable['a'], np.ones((2, 2), 'float16'))


# ------------------------------------------------------------------------------ names in every deserialize

MODULE_TABLES = [(activations, activations._ACTIVATIONS, activations.get),
                 (initializers, initializers._MODULE_OBJECTS, initializers.get),
                 (regularizers, regularizers._MODULE_OBJECTS, regularizers.get),
                 (constraints, constraints._MODULE_OBJECTS, constraints.get),
                 (losses, losses._LOSSES, losses.get),
                 (metrics, metrics._METRICS, metrics.get),
                 (optimizers, optimizers._OPTIMIZERS, optimizers.get),
                 (layers, layers.registry(), layers.deserialize)]


def _keras1_layer_name(value):
    """Layer classes, and the Keras 1 layer names that kernelkit/legacy converts (`AtrousConv1D`, `Merge`)."""
    return isinstance(value, type) or getattr(value, '__module__', '').startswith('kernelkit.legacy')


def unlisted_names(module, table):
    """The module-level names of `module` that are not entries of its table (imports, helpers, privates),
    plus dotted paths and the names of dangerous built-ins."""
    names = [name for name, value in vars(module).items() if name not in table and name.lower() not in table
             and not (module is layers and _keras1_layer_name(value))]
    return names + ['os.system', 'builtins.eval', 'exec', '__import__', 'open', '%s.%s' % (
        module.__name__, sorted(table)[0])]


@pytest.mark.parametrize('module, table, get', MODULE_TABLES, ids=lambda v: getattr(v, '__name__', ''))
def test_deserialize_resolves_only_the_modules_table_and_registered_objects(module, table, get):
    for name in unlisted_names(module, table):
        with pytest.raises(ValueError, match='Unknown|custom_objects'):
            get({'class_name': name, 'config': {}})
        if get is not layers.deserialize:
            with pytest.raises(ValueError, match='Unknown|custom_objects'):
                get(name)


@pytest.mark.parametrize('module, table, get', MODULE_TABLES, ids=lambda v: getattr(v, '__name__', ''))
def test_registered_names_resolve_in_every_deserialize(module, table, get):
    class Custom(object):
        def __init__(self, **kwargs):
            self.kwargs = kwargs

        @classmethod
        def from_config(cls, config):
            return cls(**config)
    entry = {'class_name': 'MyCustomThing', 'config': {'a': 1}}
    assert isinstance(get(entry, custom_objects={'MyCustomThing': Custom}) if get is layers.deserialize
                      else module.deserialize(entry, custom_objects={'MyCustomThing': Custom}), Custom)
    with generic_utils.custom_object_scope({'MyCustomThing': Custom}):
        assert isinstance(get(entry), Custom)
