"""LiveCurves: curve data from real `fit` runs, the Stop button, bounded memory, the final image, the text
fallback, the notebook default, and (in a real Jupyter kernel) a Stop click that arrives mid-epoch."""
import json
import os
import queue
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import kernelkit as keras
from kernelkit import layers
from kernelkit.callbacks import LambdaCallback
from kernelkit.widgets import _env, live
from kernelkit.widgets._curvedata import CurveStore, Series, thin
from kernelkit.widgets.history_plot import plot_history
from kernelkit.widgets.live import LiveCurves, default_progress_callback, set_live_default

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PNG_MAGIC = b'\x89PNG\r\n\x1a\n'


def small_model():
    model = keras.Sequential([layers.Dense(4, activation='relu', input_shape=(3,)), layers.Dense(1)])
    model.compile(optimizer='sgd', loss='mse', metrics=['mae'])
    return model


def data(samples=64):
    x = np.random.rand(samples, 3).astype('float32')
    return x, x.sum(axis=1, keepdims=True)


@pytest.fixture
def displayed(monkeypatch):
    """Records what LiveCurves would display in a notebook: the widget, then the final bundle."""
    shown = []
    monkeypatch.setattr(live, '_display', lambda obj: shown.append(('display', obj)) or 'handle')
    monkeypatch.setattr(live, '_update_display', lambda handle, bundle: shown.append(('update', bundle)))
    return shown


@pytest.fixture(autouse=True)
def live_default_reset():
    set_live_default(None)
    yield
    set_live_default(None)


def test_importing_kernelkit_and_its_widgets_loads_no_notebook_library():
    code = textwrap.dedent('''
        import json, sys
        import kernelkit
        import kernelkit.widgets
        from kernelkit.widgets import LiveCurves, default_progress_callback, set_live_default
        assert default_progress_callback(1, {}) is None   # not in a notebook
        heavy = ('IPython', 'ipykernel', 'ipywidgets', 'bokeh', 'jupyter_bokeh', 'matplotlib')
        print('LOADED ' + json.dumps(sorted(n for n in sys.modules if n.split('.')[0] in heavy)))
    ''')
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL='2',
               PYTHONPATH=os.pathsep.join(p for p in (REPO_ROOT, os.environ.get('PYTHONPATH')) if p))
    proc = subprocess.run([sys.executable, '-c', code], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                          timeout=300, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr[-3000:]
    loaded = json.loads([line for line in proc.stdout.splitlines() if line.startswith('LOADED ')][-1][7:])
    assert loaded == []


def test_curves_hold_the_logged_values_and_end_as_widget_plus_image(displayed):
    model = small_model()
    x, y = data()
    curves = LiveCurves(mode='widget', update_interval=0)
    history = model.fit(x, y, batch_size=8, epochs=3, validation_split=0.25, verbose=0, callbacks=[curves])
    assert curves.store.metrics == ['loss', 'mae']
    sources = curves.view.sources
    for metric in ('loss', 'mae'):
        assert sources[metric]['epoch'].data['y'] == pytest.approx(history.history[metric])
        assert sources[metric]['val'].data['y'] == pytest.approx(history.history['val_' + metric])
        assert sources[metric]['epoch'].data['x'] == [1.0, 2.0, 3.0]
        assert curves.store.data(metric, 'epoch') == dict(sources[metric]['epoch'].data)
    batch = sources['loss']['batch'].data
    assert len(batch['x']) == 3 * 6  # 48 training samples in batches of 8, one point per batch here
    assert batch['x'][:2] == pytest.approx([1 / 6., 2 / 6.]) and batch['x'][-1] == pytest.approx(3.0)
    assert displayed[0] == ('display', curves.view.widget)
    kind, bundle = displayed[-1]
    # The same display keeps the live widget (interactive while the kernel lives) and gains the PNG that a
    # saved notebook and nbval show.
    assert kind == 'update' and set(bundle) == {'application/vnd.jupyter.widget-view+json', 'image/png',
                                                'text/plain'}
    assert bundle['application/vnd.jupyter.widget-view+json']['model_id'] == curves.view.widget.model_id
    assert curves.view.log_toggle.disabled is False and curves.view.widget.comm is not None  # not closed
    assert curves.final_png.startswith(PNG_MAGIC) and len(curves.final_png) > 5000
    assert 'done: epoch 3/3' in bundle['text/plain']
    assert 'loss: train %.4f val %.4f' % (history.history['loss'][-1], history.history['val_loss'][-1]) \
        in bundle['text/plain']
    name, last_batch, train, val, best = curves.latest_values()[0]
    assert (name, train, val) == ('loss', history.history['loss'][-1], history.history['val_loss'][-1])
    assert best == min(history.history['val_loss'])
    assert curves.view.progress.value == curves.view.progress.max == 18


def test_updates_are_throttled_into_mean_points(displayed, monkeypatch):
    clock = [0.]
    monkeypatch.setattr(live.time, 'time', lambda: clock[0])
    curves = LiveCurves(mode='widget', update_interval=10.)
    curves.set_model(small_model())
    curves.set_params({'epochs': 1, 'steps': None, 'samples': 40, 'batch_size': 10, 'metrics': ['loss']})
    curves.on_train_begin()
    curves.on_epoch_begin(0)
    for batch, (value, now) in enumerate([(4., 11.), (2., 12.), (6., 13.), (1., 25.)]):
        clock[0] = now
        curves.on_batch_end(batch, {'loss': value, 'size': 10})
    # Updates at t=11 (batch 0 alone) and t=25 (batches 1-3 averaged).
    assert curves.view.sources['loss']['batch'].data == {'x': [0.25, 1.0], 'y': [4.0, 3.0]}


def test_stop_button_stops_mid_epoch_with_history_and_curves_consistent(displayed):
    model = small_model()
    x, y = data(64)
    curves = LiveCurves(mode='widget', update_interval=0)
    seen = []

    def click_after_11_batches(batch, logs):
        seen.append(batch)
        if len(seen) == 11:
            curves.stop_button.click()

    stopper = LambdaCallback(on_batch_end=click_after_11_batches)
    history = model.fit(x, y, batch_size=8, epochs=5, validation_split=0.25, verbose=0,
                        callbacks=[curves, stopper])
    assert len(seen) == 11  # 6 batches in epoch 0, then 5 in epoch 1: no batch ran after the click
    assert curves.stopped_at == (1, 5) and model.stop_training
    assert history.epoch == [0, 1]
    assert len(history.history['loss']) == 2 and len(history.history['val_loss']) == 1
    loss = curves.view.sources['loss']
    assert loss['epoch'].data['y'] == pytest.approx(history.history['loss'])
    assert loss['val'].data['y'] == pytest.approx(history.history['val_loss'])
    assert loss['epoch'].data['x'] == pytest.approx([1.0, 1 + 5 / 6.])
    assert curves.stop_button.disabled
    assert 'stopped: epoch 2/5 \u00b7 step 5/6' in displayed[-1][1]['text/plain']


def test_thinning_keeps_per_batch_memory_bounded():
    store = CurveStore(['loss'], max_batch_points=100)
    changes = set()
    for step in range(10000):
        changes.add(store.add_batch_point('loss', step, float(step)))
        assert len(store.series['loss']['batch']) <= 100
    assert changes == {'pending', 'appended', 'thinned'}
    series = store.series['loss']['batch']
    assert 50 <= len(series) <= 100 and store.stride('loss') == 128
    assert series.x == sorted(series.x)
    assert series.x[0] < 200 and series.x[-1] > 9700  # the whole run is drawn, evenly
    assert series.x == series.y  # points are means of neighbours, so they stay on the y = x line
    gaps = np.diff(series.x)
    assert gaps.max() <= 2 * gaps.min()
    odd = Series()
    for value in range(5):
        odd.append(value, value)
    thin(odd)
    assert odd.x == [0.5, 2.5, 4.0]


def test_long_run_through_fit_keeps_source_and_store_bounded_and_equal(displayed):
    model = small_model()
    x, y = data(256)
    curves = LiveCurves(mode='widget', update_interval=0, max_batch_points=16)
    model.fit(x, y, batch_size=4, epochs=2, verbose=0, callbacks=[curves])
    batch = curves.view.sources['loss']['batch'].data
    assert 8 <= len(batch['x']) <= 16
    assert curves.store.data('loss', 'batch') == {'x': list(batch['x']), 'y': list(batch['y'])}
    # 128 batches (64 per epoch) in at most 16 points: 8 batches per point now; the points span the run.
    window = curves.store.stride('loss') / 64.
    assert window == 8 / 64. and batch['x'][0] <= window and batch['x'][-1] >= 2.0 - 2 * window


def test_log_scale_toggle_switches_the_visible_plots(displayed):
    curves = LiveCurves(mode='widget', log_scale=True)
    small_model().fit(*data(16), batch_size=8, epochs=1, verbose=0, callbacks=[curves])
    view = curves.view
    assert view.log_toggle.value and all(f.visible for f in view.log_figures)
    assert not any(f.visible for f in view.linear_figures)
    view.log_toggle.value = False
    assert all(f.visible for f in view.linear_figures) and not any(f.visible for f in view.log_figures)
    assert view.log_figures[0].y_scale.__class__.__name__ == 'LogScale'


def test_text_fallback_outside_notebooks_prints_one_line_per_epoch():
    lines = []
    curves = LiveCurves(print_fn=lines.append)  # mode 'auto': this process is not a Jupyter kernel
    history = small_model().fit(*data(32), batch_size=8, epochs=2, validation_split=0.25, verbose=0,
                                callbacks=[curves])
    assert curves.active_mode == 'text' and curves.view is None
    assert len(lines) == 2 and lines[0].startswith('Epoch 1/2 - ')
    assert 'val_loss: %.4f' % history.history['val_loss'][1] in lines[1]
    assert curves.store.data('loss', 'epoch')['y'] == pytest.approx(history.history['loss'])


def test_default_progress_callback_follows_setting_environment_and_notebook(monkeypatch):
    assert default_progress_callback(1, {}) is None  # not in a kernel
    monkeypatch.setattr(_env, 'in_jupyter_kernel', lambda: True)
    assert isinstance(default_progress_callback(1, {}), LiveCurves)
    assert default_progress_callback(2, {}) is None and default_progress_callback(0, {}) is None
    set_live_default(False)
    assert default_progress_callback(1, {}) is None
    set_live_default(None)
    monkeypatch.setenv('KERNELKIT_LIVE_CURVES', '0')
    assert default_progress_callback(1, {}) is None
    monkeypatch.setenv('KERNELKIT_LIVE_CURVES', '1')
    monkeypatch.setattr(_env, 'live_widgets_available', lambda: False)
    assert default_progress_callback(1, {}) is None
    with pytest.raises(TypeError):
        set_live_default('no')
    assert LiveCurves.replaces_progress_bar


def test_plot_history_draws_training_and_validation_per_metric():
    history = small_model().fit(*data(32), batch_size=8, epochs=3, validation_split=0.25, verbose=0)
    plot = plot_history(history, log_scale=True)
    assert list(plot.axes) == ['loss', 'mae']
    lines = plot.axes['loss'].get_lines()
    assert [line.get_label() for line in lines] == ['training', 'validation']
    assert list(lines[0].get_ydata()) == pytest.approx(history.history['loss'])
    assert list(lines[1].get_xdata()) == [1, 2, 3]
    assert plot.axes['mae'].get_yscale() == 'log'
    assert plot._repr_png_().startswith(PNG_MAGIC)
    with pytest.raises(ValueError):
        plot_history(history, metrics=['acc'])


KERNEL_CELL = '''
import json, numpy as np, kernelkit as keras
from kernelkit.widgets import LiveCurves
model = keras.Sequential([keras.layers.Dense(4, input_shape=(3,)), keras.layers.Dense(1)])
model.compile('sgd', 'mse')
x = np.random.rand(2000, 3).astype('float32'); y = x.sum(1, keepdims=True)
curves = LiveCurves(update_interval=0.05)
history = model.fit(x, y, batch_size=4, epochs=40, verbose=0, callbacks=[curves])
print('RESULT ' + json.dumps({'epochs': history.epoch, 'stopped_at': curves.stopped_at, 'mode': curves.active_mode,
      'consistent': curves.store.data('loss', 'epoch')['y'] == history.history['loss']}))
'''


def test_stop_click_reaches_a_busy_kernel_and_queued_cells_still_run():
    from jupyter_client.manager import start_new_kernel
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL='3',
               PYTHONPATH=os.pathsep.join(p for p in (REPO_ROOT, os.environ.get('PYTHONPATH')) if p))
    manager, client = start_new_kernel(kernel_name='python3', cwd=REPO_ROOT, env=env, startup_timeout=120)
    try:
        training = client.execute(KERNEL_CELL)
        stop_comm, clicked, queued, result, image, queued_output = None, False, None, None, None, False
        deadline = time.time() + 240
        while time.time() < deadline and not (result and image is not None and queued_output):
            try:
                message = client.get_iopub_msg(timeout=1)
            except queue.Empty:
                continue
            kind, content = message['header']['msg_type'], message['content']
            parent = message['parent_header'].get('msg_id')
            if kind == 'comm_open':
                state = content['data'].get('state', {})
                if state.get('_model_name') == 'ButtonModel' and state.get('description') == 'Stop':
                    stop_comm = content['comm_id']
            elif kind == 'comm_msg' and stop_comm and not clicked and content['comm_id'] != stop_comm:
                time.sleep(1.0)  # training is running: widgets are being updated
                queued = client.execute("print('QUEUED CELL RAN')")
                client.shell_channel.send(client.session.msg('comm_msg', {
                    'comm_id': stop_comm, 'data': {'method': 'custom', 'content': {'event': 'click'}}}))
                clicked = True
            elif kind == 'update_display_data' and parent == training:
                image = content['data']
            elif kind == 'stream' and parent == training and 'RESULT ' in content['text']:
                result = json.loads(content['text'].split('RESULT ', 1)[1])
            elif kind == 'stream' and parent == queued and 'QUEUED CELL RAN' in content['text']:
                queued_output = True
            elif kind == 'error':
                pytest.fail('\n'.join(content['traceback']))
        assert clicked and result is not None
        assert result['mode'] == 'widget' and result['consistent']
        assert result['stopped_at'] is not None and len(result['epochs']) < 40  # stopped long before the end
        assert image is not None and 'image/png' in image and 'stopped: ' in image['text/plain']
        assert queued_output  # the cell sent while training ran afterwards, not lost
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
