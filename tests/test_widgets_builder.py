"""ModelBuilder: the palette, forms from signatures, edits through the widgets, derived models and code."""
import copy

import numpy as np
import pytest

import kernelkit as keras
from kernelkit import layers
from kernelkit.widgets import builder as builder_module
from kernelkit.widgets.builder import ModelBuilder
from kernelkit.widgets.graph import GraphError, ModelGraph
from kernelkit.widgets.params import NOT_IN_PALETTE, Expr, layer_params, palette


def run_code(code):
    namespace = {}
    exec(compile(code, '<builder code>', 'exec'), namespace)
    return namespace['model']


def without_bytecode(config):
    """A model config with each Lambda's marshalled function replaced by the code object it holds (marshal
    output is not byte-for-byte stable, the code object is)."""
    import base64
    import marshal
    config = copy.deepcopy(config)
    for layer in config['layers']:
        if layer['class_name'] == 'Lambda' and layer['config']['function_type'] == 'lambda':
            stored = layer['config']['function']
            layer['config']['function'] = marshal.loads(base64.b64decode(stored[0]))
    return config


def layer_configs(model):
    return [(layer['class_name'], layer['config']) for layer in model.get_config()['layers']]


def test_palette_lists_every_registered_layer_class_once():
    listed = [name for names in palette().values() for name in names]
    assert len(listed) == len(set(listed))
    registry = layers.registry()
    expected = {cls for name, cls in registry.items() if name not in NOT_IN_PALETTE}
    assert {registry[name] for name in listed} == expected
    assert 'InputLayer' in palette()['input']
    assert 'Concatenate' in palette()['merge']


def test_forms_come_from_signatures_with_dropdowns_for_known_choices():
    dense = {spec.name: spec for spec in layer_params(layers.Dense)}
    assert dense['units'].required and dense['units'].kind == 'int'
    assert dense['activation'].kind == 'choice' and 'relu' in dense['activation'].choices
    assert dense['kernel_initializer'].kind == 'choice' and dense['kernel_initializer'].default == 'glorot_uniform'
    assert dense['use_bias'].kind == 'bool'
    conv = {spec.name: spec for spec in layer_params(layers.Conv2D)}
    assert conv['padding'].choices == ['valid', 'same']
    assert conv['data_format'].choices == [None, 'channels_last', 'channels_first']
    assert 'causal' in {spec.name: spec for spec in layer_params(layers.Conv1D)}['padding'].choices

    builder = ModelBuilder(input_shape=(4,))
    for names in palette().values():  # every layer of the palette gets a form, one field per argument
        for class_name in names:
            name = builder.graph.add(class_name)
            builder.selected = name
            builder._refresh_form()
            specs = layer_params(layers.registry()[class_name])
            assert [spec.name for spec in specs] == [key for key in builder.fields if key != '__inputs__']
    dense_name = builder.graph.add('Dense')
    builder.selected = dense_name
    builder._refresh_form()
    assert type(builder.fields['activation']).__name__ == 'Dropdown'
    assert type(builder.fields['units']).__name__ == 'IntText'


def test_widget_edits_change_the_derived_model_config():
    builder = ModelBuilder(input_shape=(6,))
    builder.palette_group.value = 'core'
    builder.palette_list.value = 'Dense'
    builder.add_button.click()
    assert builder.selected == 'dense_1'
    builder.fields['units'].value = 5
    builder.fields['activation'].value = 'tanh'
    builder.fields['kernel_initializer'].value = 'he_normal'
    builder.fields['use_bias'].value = False
    builder.palette_list.value = 'Dropout'
    builder.add_button.click()
    builder.fields['rate'].value = 0.25
    (_, dense), (_, dropout) = layer_configs(builder.model)
    assert dense['units'] == 5 and dense['activation'] == 'tanh' and dense['use_bias'] is False
    assert dense['kernel_initializer'] == keras.initializers.serialize(keras.initializers.get('he_normal'))
    assert dropout['rate'] == 0.25
    assert builder.shapes == {'input_1': (None, 6), 'dense_1': (None, 5), 'dropout_1': (None, 5)}
    assert builder.params['dense_1'] == 6 * 5 and builder.total_params == 30
    assert builder.graph.node('dense_1')['kwargs'] == {'units': 5, 'activation': 'tanh',
                                                       'kernel_initializer': 'he_normal', 'use_bias': False}
    # A literal field takes Python: a regularizer expression.
    builder.select('dense_1')
    builder.fields['kernel_regularizer'].value = 'regularizers.l2(0.5)'
    dense = layer_configs(builder.model)[0][1]
    assert dense['kernel_regularizer'] == {'class_name': 'L1L2', 'config': {'l1': 0.0, 'l2': 0.5}}
    builder.fields['kernel_regularizer'].value = 'regularizers.l2(('
    assert 'not valid Python' in builder.form_error.value
    assert layer_configs(builder.model)[0][1]['kernel_regularizer']['config']['l2'] == 0.5


def test_insert_remove_duplicate_and_reorder_through_buttons():
    builder = ModelBuilder(input_shape=(3,))
    builder.add('Dense', units=4)
    builder.add('Dense', units=2)
    builder.select('dense_2')
    builder.palette_list.value = 'Activation'
    builder.insert_button.click()  # before dense_2
    assert builder.graph.names() == ['input_1', 'dense_1', 'activation_1', 'dense_2']
    builder.select('dense_1')
    builder.duplicate_button.click()
    assert builder.graph.names() == ['input_1', 'dense_1', 'dense_3', 'activation_1', 'dense_2']
    assert builder.shapes['dense_3'] == (None, 4) and builder.params['dense_3'] == 4 * 4 + 4
    builder.select('dense_2')
    builder.up_button.click()
    builder.up_button.click()
    assert builder.graph.names() == ['input_1', 'dense_1', 'dense_2', 'dense_3', 'activation_1']
    assert builder.shapes['dense_3'] == (None, 4) and builder.params['dense_3'] == 2 * 4 + 4
    builder.down_button.click()
    assert builder.graph.names()[3] == 'dense_2'
    builder.select('activation_1')
    builder.remove_button.click()
    assert builder.graph.names() == ['input_1', 'dense_1', 'dense_3', 'dense_2']
    assert [layer.name for layer in builder.model.layers] == ['dense_1', 'dense_3', 'dense_2']
    assert builder.model.output_shape == (None, 2)


def test_branches_and_merges_build_a_functional_model_and_its_code():
    builder = ModelBuilder(input_shape=(8,), name='two_towers')
    builder.add('Dense', units=4, activation='relu')
    builder.add('Dense', units=6, inbound=['input_1'])
    builder.add('Concatenate')
    assert 'concatenate_1' in builder.errors  # one input only: a merge needs two
    last_valid = builder.model  # two towers, two outputs: the graph before the Concatenate
    assert [layer.name for layer in last_valid.layers] == ['input_1', 'dense_1', 'dense_2']
    assert len(last_valid.outputs) == 2
    builder.fields['__inputs__'].value = ('dense_1', 'dense_2')
    builder.add('Dense', units=1, activation='sigmoid')
    assert builder.errors == {}
    model = builder.model
    assert type(model).__name__ == 'Model'
    assert builder.shapes['concatenate_1'] == (None, 10)
    assert builder.graph.inbound_of('dense_2') == ['input_1']
    code = builder.code()
    assert 'concatenate_1 = Concatenate(name=\'concatenate_1\')([dense_1, dense_2])' in code
    rebuilt = run_code(code)
    assert rebuilt.get_config() == model.get_config()
    x = np.random.rand(5, 8).astype('float32')
    assert rebuilt.predict(x).shape == (5, 1)
    svg = builder.svg()
    assert svg.count('class="node"') == 5 and svg.count('class="edge"') == 5


def test_code_runs_and_reproduces_config_and_compile_settings():
    builder = ModelBuilder(input_shape=(10,), name='classifier')
    builder.add('Dense', units=16, activation='relu', kernel_regularizer=Expr('regularizers.l2(0.01)'))
    builder.add('Dropout', rate=0.3)
    builder.add('Dense', units=3, activation='softmax')
    builder.optimizer_field.value = 'adam'
    builder.lr_field.value = '0.005'
    builder.loss_field.value = 'categorical_crossentropy'
    builder.metrics_field.value = ('accuracy',)
    assert builder.graph.compile_settings == {'optimizer': 'adam', 'lr': 0.005, 'loss': 'categorical_crossentropy',
                                              'metrics': ['accuracy']}
    code = builder.code()
    assert code.startswith('from kernelkit.models import Sequential\n')
    assert "model.compile(optimizer=optimizers.Adam(lr=0.005), loss='categorical_crossentropy'" in code
    assert "Dense(16, activation='relu', kernel_regularizer=regularizers.l2(0.01), input_shape=(10,)" in code
    rebuilt = run_code(code)
    model = builder.model
    assert rebuilt.get_config() == model.get_config()
    assert rebuilt.optimizer.get_config() == model.optimizer.get_config()
    assert rebuilt.loss == model.loss == 'categorical_crossentropy'
    x = np.random.rand(16, 10).astype('float32')
    y = np.eye(3, dtype='float32')[np.random.randint(0, 3, 16)]
    history = model.fit(x, y, epochs=1, verbose=0)
    assert set(history.history) == {'loss', 'accuracy'}
    assert 'from keras.models import Sequential' in builder.code(package='keras')


def test_invalid_edit_shows_error_at_the_layer_and_keeps_last_valid_model():
    builder = ModelBuilder(input_shape=(4, 4, 1))
    builder.add('Conv2D', filters=2, kernel_size=3)
    builder.add('Flatten')
    builder.add('Dense', units=2)
    valid_model, valid_code = builder.model, builder.code()
    builder.select('conv2d_1')
    builder.fields['kernel_size'].value = '(5, 5)'  # larger than the 4x4 input
    assert list(builder.errors) == ['conv2d_1']
    assert builder.model is valid_model and builder.code() == valid_code
    assert 'conv2d_1' in builder.status.value and 'last valid model' in builder.status.value
    assert '\u26a0' in builder.form_error.value
    assert 'background:#fdd' in builder.summary.value
    assert 'fill="#fdd"' in builder.svg()
    assert builder.shapes == {'input_1': (None, 4, 4, 1)}  # nothing after the failing layer is built
    builder.fields['kernel_size'].value = '(2, 2)'
    assert builder.errors == {} and builder.model is not valid_model
    assert builder.shapes['conv2d_1'] == (None, 3, 3, 2) and builder.shapes['dense_1'] == (None, 2)
    with pytest.raises(GraphError):
        builder.add('NoSuchLayer')
    assert 'Not done' in builder.status.value


def test_from_model_round_trips_sequential_with_compile():
    model = keras.Sequential(name='cnn')
    model.add(layers.Conv2D(4, (3, 3), padding='same', activation='relu', input_shape=(8, 8, 1)))
    model.add(layers.MaxPooling2D(pool_size=(2, 2)))
    model.add(layers.Flatten())
    model.add(layers.Dense(5, kernel_initializer='he_uniform',
                           kernel_constraint=keras.constraints.max_norm(2.), name='logits'))
    model.add(layers.Activation('softmax'))
    model.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])
    builder = ModelBuilder.from_model(model)
    assert builder.errors == {}
    assert builder.model.get_config() == model.get_config()
    assert builder.graph.node('logits')['kwargs']['kernel_initializer'] == 'he_uniform'
    assert builder.graph.compile_settings == {'optimizer': 'rmsprop', 'lr': None,
                                              'loss': 'categorical_crossentropy', 'metrics': ['accuracy']}
    assert builder.optimizer_field.value == 'rmsprop' and builder.metrics_field.value == ('accuracy',)
    rebuilt = run_code(builder.code())
    assert rebuilt.get_config() == model.get_config()
    builder.set_params('logits', units=7)
    assert builder.model.output_shape == (None, 7)


def test_from_model_round_trips_functional_with_wrappers_and_two_inputs():
    text = layers.Input(shape=(5, 3), name='text')
    extra = layers.Input(shape=(2,), name='extra')
    encoded = layers.Bidirectional(layers.LSTM(4), name='encoder')(text)
    per_step = layers.TimeDistributed(layers.Dense(2), name='per_step')(text)
    flat = layers.Flatten()(per_step)
    merged = layers.concatenate([encoded, flat, extra])
    out = layers.Dense(1, activation='sigmoid', name='out')(merged)
    aux = layers.Dense(2, name='aux')(encoded)
    model = keras.Model(inputs=[text, extra], outputs=[out, aux], name='multi')
    builder = ModelBuilder.from_model(model)
    assert builder.errors == {}
    assert builder.model.get_config() == model.get_config()
    assert isinstance(builder.graph.node('encoder')['kwargs']['layer'], Expr)
    rebuilt = run_code(builder.code())
    assert rebuilt.get_config() == model.get_config()
    graph = ModelGraph.from_dict(builder.graph.to_dict())
    assert graph.build().model.get_config() == model.get_config()


def test_lambda_layers_and_configs_without_arguments():
    builder = ModelBuilder(input_shape=(3,))
    builder.add('Lambda', function=Expr('lambda x: x * 2'))
    builder.add('Dense', units=1, kernel_initializer='ones', use_bias=False)
    assert builder.errors == {}
    code = builder.code()
    assert 'Lambda(lambda x: x * 2' in code
    x = np.ones((1, 3), dtype='float32')
    assert run_code(code).predict(x)[0, 0] == pytest.approx(6.0)
    # The builder's own lambdas come back as code when its model is opened again.
    reopened = ModelBuilder.from_model(builder.model)
    assert reopened.graph.node('lambda_1')['kwargs'] == {'function': Expr('lambda x: x * 2')}
    assert reopened.model.get_config() == builder.model.get_config()
    # A lambda written elsewhere has only bytecode: the layer keeps its full config.
    model = keras.Sequential([layers.Lambda(lambda t: t * 3, input_shape=(3,), name='triple')])
    loaded = ModelBuilder.from_model(model)
    assert loaded.graph.node('triple').get('config') is not None
    assert without_bytecode(loaded.model.get_config()) == without_bytecode(model.get_config())
    assert "Lambda.from_config({" in loaded.code()
    assert run_code(loaded.code()).predict(x)[0, 0] == pytest.approx(3.0)


def test_code_button_inserts_a_new_cell(monkeypatch):
    inserted = []

    class Shell(object):
        def set_next_input(self, text, replace=False):
            inserted.append((text, replace))

    monkeypatch.setattr(builder_module, '_shell', lambda: Shell())
    builder = ModelBuilder(input_shape=(2,))
    builder.add('Dense', units=1)
    builder.insert_code_button.click()
    assert inserted == [(builder.code().rstrip('\n'), False)]
    monkeypatch.setattr(builder_module, '_shell', lambda: None)
    builder.insert_code_button.click()  # outside IPython: a message, no exception
    assert 'needs IPython' in builder.status.value
