"""`ModelBuilder`: build and edit a Keras model with widgets, and get the code that builds it.

The builder edits a `ModelGraph` (a plain description: layer classes, arguments, edges) and derives the
model, each layer's output shape and parameter count, a diagram and Keras 2 code from it after every
edit. Everything the widgets do is also a method, so notebooks and tests can drive it from Python.
"""
import html

import ipywidgets as w

from kernelkit.widgets import _env, lab_bridge
from kernelkit.widgets.canvas import canvas_model, connect_nodes, disconnect_nodes, make_canvas
from kernelkit.widgets.graph import GraphError, ModelGraph, graph_svg, layer_class
from kernelkit.widgets.params import (LOSSES, METRICS, OPTIMIZERS, REQUIRED, format_value, layer_params, palette,
                                      parse_value)

_NONE_LABEL = 'None'


def _shell():
    return _env.get_ipython_shell()


def _label(value):
    return _NONE_LABEL if value is None else (value if isinstance(value, str) else repr(value))


class ModelBuilder(object):
    """A widget to build a Keras model visually: palette, layer list, argument forms, shapes, diagram, code.

    - The palette lists every layer class of `kernelkit.layers`; *Add* puts the chosen layer after the
      selected one, *Insert* before it.
    - The layer list shows each layer's output shape and parameter count; *Up*, *Down*, *Duplicate* and
      *Remove* act on the selected layer.
    - The form of the selected layer is generated from its `__init__` signature (drop-downs for
      activations, initializers, padding, data formats). *inputs* picks the layers it takes input from
      (none selected: the layer above), so branches and merges (`Add`, `Concatenate`, ...) can be built.
    - After every edit the model is derived again from the description. An invalid edit shows its error
      at the layer that caused it; `model` and `code()` keep the last valid model.
    - Compile settings (optimizer, learning rate, loss, metrics) apply to `model` and `code()`.
    - The canvas (on top, above the forms) draws the graph (needs anywidget): drag from a layer's bottom port onto
      another layer to connect them (`connect`), click a layer to edit its form, select an edge to
      disconnect it (`disconnect`); edges show their tensor shapes, invalid layers are red.

    # Arguments
        input_shape: shape of the input of a new, empty model (ignored with `graph`).
        name: name of the model.
        graph: a `ModelGraph` to start from.

    # Properties
        graph: the `ModelGraph` being edited.
        model: the last valid model (None before there is one).
        result: the `BuildResult` of the current description (shapes, parameters, errors).
        errors: `{layer name: message}` of the current description.
        widget: the ipywidgets container to display (displaying the builder shows it).

    # Example
    ```python
    builder = ModelBuilder(input_shape=(784,))
    builder.add('Dense', units=64, activation='relu')
    builder.add('Dense', units=10, activation='softmax')
    builder.set_compile('adam', loss='categorical_crossentropy', metrics=['accuracy'])
    builder              # shows the widget
    print(builder.code())
    ```
    """

    def __init__(self, input_shape=(784,), name='model', graph=None):
        if graph is None:
            graph = ModelGraph(name=name)
            graph.add('InputLayer', shape=tuple(input_shape))
        self.graph = graph
        self.result = None
        self._valid_graph = None
        self._valid_result = None
        self._updating = False
        self.message = ''
        self.selected = graph.names()[-1] if graph.nodes else None
        # The cell that made the builder (Insert code goes below it); opening the JupyterLab bridge now
        # lets the extension's handshake arrive before the first click.
        self._cell_id = lab_bridge._current_cell_id()
        lab_bridge.get_bridge()
        self._build_widgets()
        self._rebuild(refresh_form=True)

    @classmethod
    def from_model(cls, model):
        """Opens an existing `Sequential` or functional model in a builder.

        # Arguments
            model: a kernelkit model.

        # Returns
            A `ModelBuilder` whose `model` has the same config (and compile settings, when compiled with
            an optimizer name and a loss name).
        """
        return cls(graph=ModelGraph.from_model(model))

    # ------------------------------------------------------------------------------------ derived
    @property
    def model(self):
        return self._valid_result.model if self._valid_result is not None else None

    @property
    def errors(self):
        return dict(self.result.errors) if self.result is not None else {}

    @property
    def shapes(self):
        return dict(self.result.shapes)

    @property
    def params(self):
        return dict(self.result.params)

    @property
    def total_params(self):
        """Parameters of the last valid model."""
        return self._valid_result.total_params if self._valid_result is not None else 0

    def code(self, package='kernelkit'):
        """Keras 2 code that builds (and compiles) the last valid model; see `ModelGraph.code`."""
        if self._valid_graph is None:
            raise GraphError('There is no valid model yet: %s' % '; '.join(
                '%s: %s' % (name, message) for name, message in self.errors.items()))
        return self._valid_graph.code(package=package)

    def svg(self):
        """The diagram of the current description, as SVG text (layers with errors in red)."""
        return graph_svg(self.graph, self.result)

    def summary_rows(self):
        """`[(name, class name, output shape, parameters, inputs, error)]` of the current description."""
        rows = []
        for node in self.graph.nodes:
            name = node['name']
            rows.append((name, node['class_name'], self.result.shapes.get(name), self.result.params.get(name),
                         self.graph.inbound_of(name), self.result.errors.get(name)))
        return rows

    # -------------------------------------------------------------------------------------- edits
    def _edit(self, action, message='', select_result=False):
        try:
            value = action()
        except GraphError as error:
            self.message = 'Not done: %s' % error
            self._refresh_status()
            raise
        self.message = message
        if select_result:
            self.selected = value
        self._rebuild(refresh_form=True)
        return value

    def select(self, name):
        """Selects a layer (its form is shown)."""
        self.graph.index(name)
        self.selected = name
        self._field_error = ''
        self._refresh(refresh_form=True)

    def add(self, class_name, inbound=None, after=None, name=None, **kwargs):
        """Adds a layer after `after` (default: at the end) and selects it.

        # Arguments
            class_name: a layer class name (`'Dense'`, `'Conv2D'`, `'InputLayer'`, ...).
            inbound: None to take the previous layer's output, or a list of layer names.
            after: name of the layer to put it after (default: the last layer).
            name: the layer name (default: automatic).
            **kwargs: constructor arguments.

        # Returns
            The new layer's name.
        """
        index = None if after is None else self.graph.index(after) + 1
        return self._edit(lambda: self.graph.add(class_name, name=name, inbound=inbound, index=index, **kwargs),
                          'added %s' % class_name, select_result=True)

    def insert(self, index, class_name, inbound=None, name=None, **kwargs):
        """Inserts a layer before position `index` and selects it; returns its name."""
        return self._edit(lambda: self.graph.insert(index, class_name, name=name, inbound=inbound, **kwargs),
                          'inserted %s' % class_name, select_result=True)

    def remove(self, name):
        """Removes a layer (layers fed by it are fed by its inputs instead)."""
        position = self.graph.index(name)

        def action():
            self.graph.remove(name)
            return self.graph.nodes[max(position - 1, 0)]['name'] if self.graph.nodes else None
        self._edit(action, 'removed %s' % name, select_result=True)

    def duplicate(self, name):
        """Inserts a copy of a layer after it and selects it; returns its name."""
        return self._edit(lambda: self.graph.duplicate(name), 'duplicated %s' % name, select_result=True)

    def move_up(self, name):
        """Moves a layer one place up."""
        self._edit(lambda: self.graph.move_up(name), 'moved %s up' % name)

    def move_down(self, name):
        """Moves a layer one place down."""
        self._edit(lambda: self.graph.move_down(name), 'moved %s down' % name)

    def move(self, name, index):
        """Moves a layer to position `index`."""
        self._edit(lambda: self.graph.move(name, index), 'moved %s' % name)

    def set_params(self, name, **kwargs):
        """Changes constructor arguments of a layer (e.g. `set_params('dense_1', units=128)`)."""
        self._edit(lambda: self.graph.set_kwargs(name, **kwargs), 'changed %s' % name)

    def set_inputs(self, name, inbound):
        """Sets the layers a layer takes input from (None: the layer above it)."""
        self._edit(lambda: self.graph.set_inbound(name, inbound), 'rewired %s' % name)

    def rename(self, name, new_name):
        """Renames a layer."""
        def action():
            self.graph.rename(name, new_name)
            return new_name if self.selected == name else self.selected
        self._edit(action, 'renamed %s' % name, select_result=True)

    def connect(self, source, target):
        """Feeds `source` into `target` (what dragging between two canvas nodes does): a merge layer gains
        an input, any other layer has its input replaced; see `canvas.connect_nodes`.

        # Raises
            GraphError: for an unknown name or an edge that cannot be made (see `canvas.connect_nodes`).
        """
        replaced = []

        def rewire():
            replaced.extend(connect_nodes(self.graph, source, target))

        self._edit(rewire, 'connected %s to %s' % (source, target))
        if replaced:
            self.message = 'connected %s to %s (instead of %s)' % (source, target, ', '.join(replaced))
            self._refresh_status()

    def disconnect(self, source, target):
        """Removes `source` from the inputs of `target`; see `canvas.disconnect_nodes`."""
        self._edit(lambda: disconnect_nodes(self.graph, source, target),
                   'disconnected %s from %s' % (source, target))

    def set_outputs(self, outputs):
        """Sets the model outputs (None: the layers that feed no other layer)."""
        self._edit(lambda: self.graph.set_outputs(outputs), 'outputs set')

    def set_compile(self, optimizer='adam', lr=None, loss='categorical_crossentropy', metrics=None):
        """Chooses the compile settings (see `ModelGraph.set_compile`); `optimizer=None` for none."""
        self._edit(lambda: self.graph.set_compile(optimizer, lr=lr, loss=loss, metrics=metrics),
                   'compile settings changed')
        self._sync_compile_widgets()

    def insert_code_cell(self):
        """Puts `code()` into a new notebook cell below the builder's cell.

        With the `kernelkit-lab` JupyterLab extension the cell is created below the cell that displayed
        the builder; without it IPython's `set_next_input` is used (which front ends honour only for a
        cell being run), and the status line says to copy the code from the Code tab.

        # Returns
            The code.

        # Raises
            RuntimeError: outside IPython.
        """
        code = self.code()
        bridge = lab_bridge.get_bridge()
        if bridge is not None and (bridge.present or bridge.wait_for_frontend(timeout=0.5)):
            if bridge.insert_cell(code.rstrip('\n'), cell_id=self._cell_id):
                self.message = 'code inserted in a new cell below the builder'
                self._refresh_status()
                return code
        shell = _shell()
        if shell is None:
            raise RuntimeError('insert_code_cell needs IPython or Jupyter; use print(builder.code()) instead.')
        shell.set_next_input(code.rstrip('\n'), replace=False)
        self.message = ('code sent as the next cell; if no cell appears, copy it from the Code tab '
                        '(select it, Ctrl+C)')
        self._refresh_status()
        return code

    # ------------------------------------------------------------------------------------ derive
    def _rebuild(self, refresh_form=False):
        self.result = self.graph.build()
        if self.result.ok:
            self._valid_graph = self.graph.copy()
            self._valid_result = self.result
        if self.selected is not None and self.selected not in self.graph.names():
            self.selected = self.graph.names()[-1] if self.graph.nodes else None
        self._refresh(refresh_form=refresh_form)

    # ----------------------------------------------------------------------------------- widgets
    def _build_widgets(self):
        groups = palette()
        self.palette_group = w.Dropdown(options=list(groups), value='core' if 'core' in groups else None,
                                        description='palette', layout=w.Layout(width='250px'))
        self.palette_list = w.Select(options=groups.get(self.palette_group.value, []), rows=9,
                                     layout=w.Layout(width='250px'))
        self.add_button = w.Button(description='Add after', tooltip='Add the layer after the selected one',
                                   layout=w.Layout(width='122px'))
        self.insert_button = w.Button(description='Insert before', tooltip='Insert before the selected layer',
                                      layout=w.Layout(width='122px'))
        self.palette_group.observe(self._on_group, names='value')
        self.add_button.on_click(lambda _: self._ui(self._add_from_palette, after=True))
        self.insert_button.on_click(lambda _: self._ui(self._add_from_palette, after=False))

        self.layer_list = w.Select(options=[], rows=12, layout=w.Layout(width='430px'))
        self.layer_list.observe(self._on_select, names='value')
        self.up_button = w.Button(icon='arrow-up', tooltip='Move up', layout=w.Layout(width='44px'))
        self.down_button = w.Button(icon='arrow-down', tooltip='Move down', layout=w.Layout(width='44px'))
        self.duplicate_button = w.Button(description='Duplicate', layout=w.Layout(width='90px'))
        self.remove_button = w.Button(description='Remove', button_style='warning', layout=w.Layout(width='80px'))
        self.up_button.on_click(lambda _: self._ui(lambda: self.move_up(self.selected)))
        self.down_button.on_click(lambda _: self._ui(lambda: self.move_down(self.selected)))
        self.duplicate_button.on_click(lambda _: self._ui(lambda: self.duplicate(self.selected)))
        self.remove_button.on_click(lambda _: self._ui(lambda: self.remove(self.selected)))

        self.form = w.VBox([], layout=w.Layout(width='420px'))
        self.fields = {}
        self.form_error = w.HTML()
        self._field_error = ''
        self.summary = w.HTML()
        self.diagram = w.HTML(layout=w.Layout(overflow='auto', max_height='520px'))
        self.code_view = w.HTML()
        self.status = w.HTML()
        self.insert_code_button = w.Button(description='Code to new cell', icon='code',
                                           tooltip='Insert the code of this model into a new cell')
        self.insert_code_button.on_click(lambda _: self._ui(self.insert_code_cell))

        self.optimizer_field = w.Dropdown(options=[(_NONE_LABEL, None)] + [(name, name) for name in OPTIMIZERS],
                                          value=None, description='optimizer')
        self.lr_field = w.Text(value='', description='lr', placeholder='default',
                               continuous_update=False, layout=w.Layout(width='200px'))
        self.loss_field = w.Dropdown(options=LOSSES, value=LOSSES[0], description='loss')
        self.metrics_field = w.SelectMultiple(options=METRICS, value=(), description='metrics', rows=4)
        for field in (self.optimizer_field, self.lr_field, self.loss_field, self.metrics_field):
            field.observe(self._on_compile_change, names='value')
        self.outputs_field = w.SelectMultiple(options=[], value=(), description='outputs', rows=3,
                                              tooltip='None selected: layers feeding no other layer')
        self.outputs_field.observe(self._on_outputs_change, names='value')

        palette_box = w.VBox([w.HTML('<b>Layers</b>'), self.palette_group, self.palette_list,
                              w.HBox([self.add_button, self.insert_button])])
        list_box = w.VBox([w.HTML('<b>Model</b>'), self.layer_list,
                           w.HBox([self.up_button, self.down_button, self.duplicate_button, self.remove_button]),
                           self.outputs_field])
        form_box = w.VBox([w.HTML('<b>Selected layer</b>'), self.form, self.form_error])
        compile_box = w.VBox([w.HTML('<b>Compile</b>'), self.optimizer_field, self.lr_field, self.loss_field,
                              self.metrics_field])
        try:  # the graph canvas (anywidget); without anywidget the forms and the static diagram remain
            self.canvas = make_canvas(self)
            canvas_view = self.canvas
        except ImportError as error:
            self.canvas = None
            canvas_view = w.HTML('<i>%s</i>' % html.escape(str(error)))
        self.tabs = w.Tab(children=[self.summary, self.diagram, w.VBox([self.insert_code_button, self.code_view]),
                                    compile_box])
        for index, title in enumerate(['Summary', 'Diagram', 'Code', 'Compile']):
            self.tabs.set_title(index, title)
        self.widget = w.VBox([canvas_view, w.HBox([palette_box, list_box, form_box]), self.status, self.tabs])

    def _repr_mimebundle_(self, include=None, exclude=None):
        # The widget, plus a static summary and diagram for viewers without widgets (a saved notebook on
        # GitHub or nbviewer, nbconvert to HTML).
        self._cell_id = lab_bridge._current_cell_id() or self._cell_id  # the cell that shows it
        bundle = dict(self.widget._repr_mimebundle_(include=include, exclude=exclude) or {})
        bundle['text/html'] = self.summary.value + self.svg()
        bundle['text/plain'] = self._text_summary()
        return bundle

    def _text_summary(self):
        lines = ['ModelBuilder: %s' % self.graph.name]
        for name, class_name, shape, params, _inputs, error in self.summary_rows():
            lines.append('  %-20s %-20s %-20s %s' % (name, class_name, shape if shape is not None else '?',
                                                     error if error else params))
        lines.append('  total params: {:,}'.format(self.total_params))
        return '\n'.join(lines)

    def _ui(self, action, **kwargs):
        """Runs a button action; errors are shown in the status line instead of raised."""
        try:
            action(**kwargs)
        except (GraphError, RuntimeError, ValueError) as error:
            self.message = 'Not done: %s' % error
            self._refresh_status()

    def _add_from_palette(self, after=True):
        class_name = self.palette_list.value
        if class_name is None:
            raise GraphError('Choose a layer in the palette first.')
        if self.selected is None:
            self.add(class_name)
        elif after:
            self.add(class_name, after=self.selected)
        else:
            self.insert(self.graph.index(self.selected), class_name)

    def _on_group(self, change):
        self.palette_list.options = palette().get(change['new'], [])

    def _on_select(self, change):
        if self._updating or change['new'] is None:
            return
        self.selected = change['new']
        self._refresh(refresh_form=True)

    # ------------------------------------------------------------------------------------- forms
    def _make_field(self, spec, value):
        description = spec.name + (' *' if spec.required else '')
        style = {'description_width': '150px'}
        layout = w.Layout(width='400px')
        if spec.kind == 'choice':
            options = [(_label(choice), choice) for choice in spec.choices]
            if all(value is not choice and value != choice for choice in spec.choices):
                options.append((_label(value), value))
            field = w.Dropdown(options=options, value=value, description=description, style=style, layout=layout)
        elif spec.kind == 'bool' and isinstance(value, bool):
            field = w.Checkbox(value=value, description=description, style=style, layout=layout, indent=False)
        elif spec.kind == 'int' and type(value) is int:
            field = w.IntText(value=value, description=description, style=style, layout=layout)
        elif spec.kind == 'float' and isinstance(value, (int, float)) and not isinstance(value, bool):
            field = w.FloatText(value=float(value), description=description, style=style, layout=layout)
        elif spec.kind == 'str' and isinstance(value, str):
            field = w.Text(value=value, description=description, style=style, layout=layout,
                           continuous_update=False)
        else:
            field = w.Combobox(value=format_value(value), options=list(spec.suggestions), ensure_option=False,
                               description=description, style=style, layout=layout, continuous_update=False,
                               placeholder='None')
            field._kernelkit_literal = True
        field.observe(lambda change, name=spec.name: self._on_field(name, change), names='value')
        return field

    def _refresh_form(self):
        self.fields = {}
        name = self.selected
        if name is None:
            self.form.children = [w.HTML('<i>No layer selected.</i>')]
            return
        node = self.graph.node(name)
        cls = layer_class(node['class_name'])
        name_field = w.Text(value=name, description='name', continuous_update=False,
                            style={'description_width': '150px'}, layout=w.Layout(width='400px'))
        name_field.observe(lambda change: self._ui(lambda: self.rename(self.selected, change['new'])),
                           names='value')
        children = [w.HTML('<b>%s</b> <code>%s</code>' % (html.escape(node['class_name']), html.escape(name))),
                    name_field]
        if node['class_name'] != 'InputLayer':
            others = [other for other in self.graph.names() if other != name]
            inputs_field = w.SelectMultiple(options=others, value=tuple(node['inbound'] or ()), rows=4,
                                            description='inputs', style={'description_width': '150px'},
                                            layout=w.Layout(width='400px'))
            inputs_field.observe(self._on_inputs_change, names='value')
            children.append(inputs_field)
            children.append(w.HTML('<small style="color:#777">inputs: none selected = the layer above</small>'))
            self.fields['__inputs__'] = inputs_field
        if node.get('config') is not None:
            children.append(w.HTML('<small>This layer was loaded from a config that has no argument form; it '
                                   'is kept as it is.</small>'))
        else:
            for spec in layer_params(cls):
                value = node['kwargs'].get(spec.name, None if spec.default is REQUIRED else spec.default)
                field = self._make_field(spec, value)
                self.fields[spec.name] = field
                children.append(field)
        self.form.children = children

    def _on_field(self, name, change):
        if self._updating:
            return
        field = self.fields.get(name)
        value = change['new']
        if getattr(field, '_kernelkit_literal', False):
            try:
                value = parse_value(value)
            except SyntaxError as error:
                self._field_error = '%s: not valid Python (%s)' % (name, error)
                self._refresh_status()
                return
        self._field_error = ''
        self._ui(lambda: self.graph.set_kwargs(self.selected, **{name: value}))
        self._rebuild(refresh_form=False)

    def _on_inputs_change(self, change):
        if self._updating:
            return
        value = list(change['new']) or None
        self._ui(lambda: self.set_inputs(self.selected, value))

    def _on_outputs_change(self, change):
        if self._updating:
            return
        self._ui(lambda: self.set_outputs(list(change['new']) or None))

    def _on_compile_change(self, change):
        if self._updating:
            return
        lr_text = self.lr_field.value.strip()
        try:
            lr = float(lr_text) if lr_text else None
        except ValueError:
            self.message = 'Not done: the learning rate must be a number.'
            self._refresh_status()
            return
        self._ui(lambda: self.set_compile(self.optimizer_field.value, lr=lr, loss=self.loss_field.value,
                                          metrics=list(self.metrics_field.value)))

    def _sync_compile_widgets(self):
        settings = self.graph.compile_settings
        self._updating = True
        try:
            if settings is None:
                self.optimizer_field.value = None
            else:
                self.optimizer_field.value = settings['optimizer']
                self.lr_field.value = '' if settings.get('lr') is None else repr(settings['lr'])
                if settings['loss'] not in self.loss_field.options:
                    self.loss_field.options = list(self.loss_field.options) + [settings['loss']]
                self.loss_field.value = settings['loss']
                extra = [m for m in settings['metrics'] if m not in self.metrics_field.options]
                if extra:
                    self.metrics_field.options = list(self.metrics_field.options) + extra
                self.metrics_field.value = tuple(settings['metrics'])
        finally:
            self._updating = False

    # ----------------------------------------------------------------------------------- refresh
    def _row_label(self, name, class_name):
        shape = self.result.shapes.get(name)
        params = self.result.params.get(name)
        label = '%s · %s' % (name, class_name)
        if shape is not None:
            label += ' · %s · %s params' % (shape, '{:,}'.format(params or 0))
        if name in self.result.errors:
            label = '\u26a0 ' + label
        return label

    def _refresh(self, refresh_form=False):
        self._updating = True
        try:
            self.layer_list.options = [(self._row_label(node['name'], node['class_name']), node['name'])
                                       for node in self.graph.nodes]
            self.layer_list.value = self.selected
            names = self.graph.names()
            self.outputs_field.options = names
            self.outputs_field.value = tuple(o for o in (self.graph.outputs or ()) if o in names)
            if refresh_form:
                self._refresh_form()
            self.summary.value = self._summary_html()
            self.diagram.value = self.svg()
            if self.canvas is not None:
                self.canvas.graph = canvas_model(self.graph, self.result, self.selected)
            try:
                code = self.code()
            except GraphError as error:
                code = '# no valid model yet: %s' % error
            self.code_view.value = '<pre style="font-size:85%%">%s</pre>' % html.escape(code)
        finally:
            self._updating = False
        self._sync_compile_widgets()
        self._refresh_status()

    def _refresh_status(self):
        errors = self.result.errors if self.result is not None else {}
        parts = []
        if self.message:
            parts.append(html.escape(self.message))
        if errors:
            for name, message in errors.items():
                where = 'layer <code>%s</code>' % html.escape(name) if name else 'model'
                parts.append('<span style="color:#b00">\u26a0 %s: %s</span>' % (where, html.escape(message)))
            if self._valid_result is not None:
                parts.append('<span style="color:#777">(keeping the last valid model)</span>')
        elif self.model is not None:
            parts.append('model OK: {:,} parameters'.format(self.total_params))
        self.status.value = ' &nbsp; '.join(parts)
        field_error = self._field_error or errors.get(self.selected, '') if self.selected is not None else ''
        self.form_error.value = ('<span style="color:#b00">\u26a0 %s</span>' % html.escape(field_error)
                                 if field_error else '')

    def _summary_html(self):
        rows = ['<table style="font-family:monospace;font-size:90%"><tr><th style="text-align:left">layer</th>'
                '<th style="text-align:left">class</th><th>output shape</th><th>params</th>'
                '<th style="text-align:left">inputs</th></tr>']
        for name, class_name, shape, params, inbound, error in self.summary_rows():
            style = ' style="background:#fdd"' if error else ''
            rows.append('<tr%s><td style="text-align:left">%s</td><td style="text-align:left">%s</td><td>%s</td>'
                        '<td>%s</td><td style="text-align:left">%s</td></tr>'
                        % (style, html.escape(name), html.escape(class_name),
                           html.escape(str(shape)) if shape is not None else '?',
                           '{:,}'.format(params) if params is not None else '?', html.escape(', '.join(inbound))))
            if error:
                rows.append('<tr%s><td colspan="5" style="text-align:left;color:#b00">\u26a0 %s</td></tr>'
                            % (style, html.escape(error)))
        rows.append('</table>')
        total = self.result.total_params if self.result.model is not None else self.total_params
        rows.append('<p>Total params: {:,}</p>'.format(total))
        return ''.join(rows)
