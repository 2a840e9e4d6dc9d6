"""The builder's graph canvas: graph -> canvas model, the automatic layout, and the commands from the browser
(connect, disconnect, select, remove) going through ModelBuilder to the one ModelGraph."""
import os
import subprocess
import sys

import numpy as np
import pytest

from kernelkit.widgets import canvas as canvas_module
from kernelkit.widgets.builder import ModelBuilder
from kernelkit.widgets.canvas import canvas_model, layout, node_label, shape_text
from kernelkit.widgets.graph import GraphError, ModelGraph

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_code(code):
    namespace = {}
    exec(compile(code, '<builder code>', 'exec'), namespace)
    return namespace['model']


def stack_builder():
    builder = ModelBuilder(input_shape=(8,))
    builder.add('Dense', units=16, activation='relu')
    builder.add('Dense', units=4)
    return builder


def send(builder, **content):
    """What a message from the browser does: ipywidgets hands it to the widget's on_msg callbacks."""
    builder.canvas._handle_custom_msg(content, [])
    return builder.canvas.status


def edges_of(model):
    return sorted((edge['source'], edge['target']) for edge in model['edges'])


def boxes_overlap(a, b, width, height):
    return a['x'] < b['x'] + width and b['x'] < a['x'] + width and a['y'] < b['y'] + height and b['y'] < a['y'] + height


# ------------------------------------------------------------------------------------------------ layout
def test_layout_layers_are_longest_paths_from_the_inputs():
    edges = [('in', 'a'), ('a', 'b'), ('b', 'c'), ('in', 'c')]
    positions = layout(['in', 'a', 'b', 'c'], edges)['positions']
    assert [positions[name]['layer'] for name in ('in', 'a', 'b', 'c')] == [0, 1, 2, 3]
    # top-down: every edge goes down, and a chain stays in one column
    for source, target in edges:
        assert positions[source]['y'] < positions[target]['y']
    assert len({positions[name]['x'] for name in positions}) == 1


def test_layout_orders_by_barycenter_and_never_overlaps():
    # Two inputs; layer 1 is listed crossed (b fed by in2 first): the barycenter order uncrosses it.
    names = ['in1', 'in2', 'b', 'a', 'merge']
    edges = [('in1', 'a'), ('in2', 'b'), ('a', 'merge'), ('b', 'merge')]
    placed = layout(names, edges, node_width=100, node_height=40)
    positions = placed['positions']
    assert positions['in1']['x'] < positions['in2']['x']
    assert positions['a']['x'] < positions['b']['x']
    assert [positions[name]['layer'] for name in names] == [0, 0, 1, 1, 2]
    assert positions['merge']['order'] == 0
    for first in names:
        for second in names:
            if first != second:
                assert not boxes_overlap(positions[first], positions[second], 100, 40)
    for name in names:  # everything inside the drawing
        assert 0 <= positions[name]['x'] and positions[name]['x'] + 100 <= placed['width']
        assert 0 <= positions[name]['y'] and positions[name]['y'] + 40 <= placed['height']


def test_layout_survives_cycles_and_rejects_duplicate_names():
    positions = layout(['a', 'b', 'c'], [('a', 'b'), ('b', 'c'), ('c', 'b'), ('x', 'a')])['positions']
    assert set(positions) == {'a', 'b', 'c'}
    assert positions['a']['layer'] == 0 and positions['b']['layer'] >= 1
    assert layout([], [])['positions'] == {}
    with pytest.raises(ValueError, match='unique'):
        layout(['a', 'a'], [])


# ---------------------------------------------------------------------------------------- canvas model
def test_canvas_model_nodes_edges_and_shapes_match_the_built_model():
    builder = stack_builder()
    model = builder.canvas.graph
    assert [node['name'] for node in model['nodes']] == builder.graph.names()
    assert edges_of(model) == [('dense_1', 'dense_2'), ('input_1', 'dense_1')]
    keras_model = builder.model
    for edge in model['edges']:
        expected = (None, 8) if edge['source'] == 'input_1' else keras_model.get_layer(edge['source']).output_shape
        assert edge['shape'] == shape_text(expected)
    by_name = {node['name']: node for node in model['nodes']}
    assert by_name['dense_1']['label'] == 'Dense(16, relu)'
    assert by_name['dense_1']['params'] == 8 * 16 + 16
    assert by_name['input_1']['is_input'] and by_name['dense_2']['is_output']
    assert by_name['dense_2']['selected'] and not by_name['dense_1']['selected']
    assert all(node['error'] is None for node in model['nodes'])
    assert shape_text((None, 16)) == '(None, 16)' and shape_text(None) == '?'


def test_an_invalid_layer_is_marked_with_its_error():
    graph = ModelGraph()
    graph.add('InputLayer', shape=(8,))
    graph.add('Dense', units=3)
    graph.add('Dense', units=5, inbound=['input_1', 'dense_1'])  # two inputs into a Dense
    result = graph.build()
    model = canvas_model(graph, result, selected='dense_2')
    node = [item for item in model['nodes'] if item['name'] == 'dense_2'][0]
    assert 'takes one input' in node['error']
    assert len(node['short_error']) <= canvas_module.ERROR_LIMIT
    assert node['shape'] == '?'
    # the edges into it still show the shapes they carry
    assert {(edge['source'], edge['shape']) for edge in model['edges'] if edge['target'] == 'dense_2'} == {
        ('input_1', '(None, 8)'), ('dense_1', '(None, 3)')}


def test_node_label_is_short():
    label = node_label({'class_name': 'Conv2D', 'kwargs': {'filters': 32, 'kernel_size': (3, 3),
                                                           'activation': 'relu', 'padding': 'same'}})
    assert label == 'Conv2D(32, (3, 3), relu)'
    long = node_label({'class_name': 'Reshape', 'kwargs': {'target_shape': tuple(range(40))}})
    assert len(long) == canvas_module.LABEL_LIMIT and long.endswith('\u2026')


# -------------------------------------------------------------------------------------------- commands
def test_connect_from_the_canvas_makes_a_merge_and_changes_the_code():
    builder = stack_builder()
    builder.add('Dense', units=4, inbound=['dense_1'])          # a branch: dense_3 beside dense_2
    builder.add('Add', inbound=['dense_2'])
    assert send(builder, type='connect', source='dense_3', target='add_1') == ''
    assert builder.graph.inbound_of('add_1') == ['dense_2', 'dense_3']
    assert ('dense_3', 'add_1') in edges_of(builder.canvas.graph)
    assert builder.errors == {}
    code = builder.code()
    assert "add_1 = Add(name='add_1')([dense_2, dense_3])" in code
    model = run_code(code)
    assert model.output_shape == (None, 4)
    x = np.random.RandomState(0).rand(2, 8).astype('float32')
    assert model.predict(x).shape == (2, 4)


def test_connect_onto_a_single_input_layer_replaces_its_input():
    builder = stack_builder()                                   # input_1 -> dense_1 -> dense_2
    builder.add('Dense', units=6, inbound=['input_1'])          # dense_3, a branch beside dense_1
    assert send(builder, type='connect', source='dense_3', target='dense_2') == ''
    assert builder.graph.inbound_of('dense_2') == ['dense_3']   # replaced, not a second input
    assert ('dense_1', 'dense_2') not in edges_of(builder.canvas.graph)
    assert builder.errors == {}
    assert 'instead of dense_1' in builder.message
    model = run_code(builder.code())
    assert model.get_layer('dense_2').input_shape == (None, 6)
    assert model.count_params() == 8 * 16 + 16 + 8 * 6 + 6 + 6 * 4 + 4


def test_connect_onto_a_merge_layer_adds_an_input_and_returns_nothing_replaced():
    builder = stack_builder()
    builder.add('Dense', units=4, inbound=['dense_1'])
    builder.add('Add', inbound=['dense_2'])
    assert canvas_module.connect_nodes(builder.graph, 'dense_3', 'add_1') == []
    assert builder.graph.inbound_of('add_1') == ['dense_2', 'dense_3']


def test_connect_reorders_layers_when_the_source_comes_later():
    graph = ModelGraph()
    graph.add('InputLayer', shape=(6,))
    graph.add('Concatenate', inbound=['input_1'])
    graph.add('Dense', units=2, inbound=['input_1'])
    canvas_module.connect_nodes(graph, 'dense_1', 'concatenate_1')
    assert graph.names().index('dense_1') < graph.names().index('concatenate_1')
    result = graph.build()
    assert result.errors == {} and result.shapes['concatenate_1'] == (None, 8)


def test_refused_connections_leave_the_graph_alone():
    builder = stack_builder()
    before = builder.code()
    assert 'cycle' in send(builder, type='connect', source='dense_2', target='dense_1')
    assert 'InputLayer' in send(builder, type='connect', source='dense_1', target='input_1')
    assert 'own output' in send(builder, type='connect', source='dense_1', target='dense_1')
    assert 'already' in send(builder, type='connect', source='dense_1', target='dense_2')
    assert 'Unknown canvas command' in send(builder, type='explode')
    assert 'needs' in send(builder, type='connect', source='dense_1')
    assert builder.code() == before
    assert builder.canvas.handle_command({'type': 'select', 'name': 'dense_1'}) is True
    assert builder.canvas.status == ''


def test_disconnect_select_and_remove_go_through_the_builder():
    builder = stack_builder()
    builder.add('Dense', units=3, inbound=['dense_1'])
    builder.add('Concatenate', inbound=['dense_2', 'dense_3'])
    assert builder.model.output_shape == (None, 7)
    send(builder, type='disconnect', source='dense_3', target='concatenate_1')
    assert ('dense_3', 'concatenate_1') not in edges_of(builder.canvas.graph)
    assert builder.graph.inbound_of('concatenate_1') == ['dense_2']
    assert 'does not take input' in send(builder, type='disconnect', source='dense_3', target='concatenate_1')

    send(builder, type='select', name='dense_1')
    assert builder.selected == 'dense_1'
    assert builder.fields['units'].value == 16                      # the form edits the selected layer
    assert [node['name'] for node in builder.canvas.graph['nodes'] if node['selected']] == ['dense_1']

    # a merge left with one input is marked on its node; the code keeps the last valid model
    node = [item for item in builder.canvas.graph['nodes'] if item['name'] == 'concatenate_1'][0]
    assert node['error'] and 'concatenate_1' in builder.errors

    send(builder, type='remove', name='concatenate_1')
    assert 'concatenate_1' not in builder.graph.names()
    assert 'concatenate_1' not in [node['name'] for node in builder.canvas.graph['nodes']]
    assert builder.errors == {}
    assert 'concatenate_1' not in builder.code()
    assert [tuple(shape) for shape in builder.model.output_shape] == [(None, 4), (None, 3)]


def test_form_edits_update_the_canvas():
    builder = stack_builder()
    builder.select('dense_1')
    builder.fields['units'].value = 7                                # typing in the form
    edge = [item for item in builder.canvas.graph['edges'] if item['source'] == 'dense_1'][0]
    assert edge['shape'] == '(None, 7)'
    builder.set_params('dense_2', units=0)                           # an invalid value shows on the node
    node = [item for item in builder.canvas.graph['nodes'] if item['name'] == 'dense_2'][0]
    assert node['error']
    builder.add('Dropout', rate=0.5)
    assert builder.canvas.graph['nodes'][-1]['label'] == 'Dropout(0.5)'
    assert ('dense_2', 'dropout_1') in edges_of(builder.canvas.graph)


def test_builder_connect_and_disconnect_methods():
    builder = stack_builder()
    builder.add('Add', inbound=['dense_2'])
    builder.add('Dense', units=4, inbound=['dense_1'], after='dense_1')
    builder.connect('dense_3', 'add_1')
    assert builder.graph.inbound_of('add_1') == ['dense_2', 'dense_3']
    builder.disconnect('dense_3', 'add_1')
    assert builder.graph.inbound_of('add_1') == ['dense_2']
    with pytest.raises(GraphError):
        builder.disconnect('dense_3', 'add_1')


def test_the_widget_ships_its_esm_and_css():
    builder = stack_builder()
    assert 'export default' in builder.canvas._esm and 'kk-port-out' in builder.canvas._esm
    assert '.kk-node-error' in builder.canvas._css
    assert builder.canvas in builder.widget.children


def test_importing_kernelkit_does_not_import_anywidget():
    code = ('import sys, kernelkit, kernelkit.widgets; import kernelkit.widgets.canvas; '
            'print("anywidget" in sys.modules)')
    output = subprocess.run([sys.executable, '-c', code], cwd=REPO, capture_output=True, text=True, timeout=120,
                            env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL='3'))
    assert output.returncode == 0, output.stderr
    assert output.stdout.strip().splitlines()[-1] == 'False'
