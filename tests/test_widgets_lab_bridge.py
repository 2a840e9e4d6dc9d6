"""The kernelkit.lab comm: training messages of a real `fit`, throttling, Stop from the front end (also in a
real Jupyter kernel), the builder's insert_cell with its fallback, and silence outside a kernel."""
import json
import os
import queue
import sys
import time
import types

import numpy as np
import pytest

import kernelkit as keras
from kernelkit import layers
from kernelkit.callbacks import LambdaCallback
from kernelkit.widgets import _env, lab_bridge
from kernelkit.widgets import builder as builder_module
from kernelkit.widgets.lab_bridge import LabBridge, LabStatus, TrainingReporter
from kernelkit.widgets.live import LiveCurves

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class FakeComm(object):
    """Records what the kernel sends; `deliver` plays a message from the front end."""

    def __init__(self, data):
        self.opened_with = data
        self.sent = []
        self.msg_callback = self.close_callback = None

    def on_msg(self, callback):
        self.msg_callback = callback

    def on_close(self, callback):
        self.close_callback = callback

    def send(self, data):
        self.sent.append(json.loads(json.dumps(data)))  # what really crosses the wire: JSON

    def deliver(self, data):
        self.msg_callback({'content': {'comm_id': 'x', 'data': data}})


class FakePump(object):
    """Front-end messages wait here until the kernel pumps, as they wait in a busy kernel's socket."""

    def __init__(self):
        self.waiting = []
        self.comm = None
        self.pumps = 0

    def pump(self):
        self.pumps += 1
        while self.waiting:
            self.comm.deliver(self.waiting.pop(0))


def make_bridge(answer_hello=True):
    pump = FakePump()

    def factory(data):
        pump.comm = FakeComm(data)
        return pump.comm

    bridge = LabBridge(comm_factory=factory, pump_factory=lambda: pump)
    bridge.open()
    if answer_hello:
        pump.comm.deliver({'type': 'hello', 'features': ['training', 'insert_cell']})
    return bridge, pump


def training(comm):
    return [m for m in comm.sent if m['type'] == 'training']


def small_model():
    model = keras.Sequential([layers.Dense(4, activation='relu', input_shape=(3,)), layers.Dense(1)])
    model.compile(optimizer='sgd', loss='mse', metrics=['mae'])
    return model


def data(samples=40):
    x = np.random.RandomState(0).rand(samples, 3).astype('float32')
    return x, x.sum(axis=1, keepdims=True)


def test_handshake_sets_present_and_a_closed_comm_stays_silent():
    bridge, pump = make_bridge(answer_hello=False)
    assert pump.comm.opened_with == {'type': 'hello'}
    assert bridge.usable and not bridge.present
    pump.comm.deliver({'type': 'hello', 'features': ['training']})
    assert bridge.present and bridge.features == ['training']
    pump.comm.close_callback({})  # a front end without the extension closes the comm
    assert bridge.closed and not bridge.present
    assert bridge.send({'type': 'training'}) is False and pump.comm.sent == []
    assert bridge.insert_cell('x = 1') is False


def test_a_failing_comm_factory_breaks_nothing_and_prints_nothing(capsys):
    def broken(data):
        raise RuntimeError('no comm here')
    bridge = LabBridge(comm_factory=broken)
    assert bridge.open() is False and bridge.closed
    assert bridge.send({'type': 'training'}) is False
    status = LabStatus(bridge=bridge)
    x, y = data()
    small_model().fit(x, y, batch_size=8, epochs=2, verbose=0, callbacks=[status])
    assert status.reporter is None
    assert capsys.readouterr() == ('', '')


def test_short_fit_sends_begin_progress_and_end_with_the_real_values():
    bridge, pump = make_bridge()
    x, y = data(40)
    history = small_model().fit(x, y, batch_size=8, epochs=3, validation_split=0.2, verbose=0,
                                callbacks=[LabStatus(min_interval=0, bridge=bridge)])
    messages = training(pump.comm)
    assert [m['phase'] for m in messages][0] == 'begin' and messages[-1]['phase'] == 'end'
    assert {m['phase'] for m in messages[1:-1]} == {'progress'}
    assert all(m['epochs'] == 3 and m['steps'] == 4 for m in messages)  # 32 training samples / 8
    batches = [m for m in messages if m['phase'] == 'progress' and 'val_loss' not in m['metrics']]
    assert [(m['epoch'], m['step']) for m in batches[:4]] == [(1, 1), (1, 2), (1, 3), (1, 4)]
    last = messages[-1]
    assert last['epoch'] == 3 and last['step'] == 4 and last['stopped'] is False and last['eta_s'] == 0
    assert last['metrics']['val_loss'] == pytest.approx(history.history['val_loss'][-1], rel=1e-5)
    assert last['metrics']['loss'] == pytest.approx(history.history['loss'][-1], rel=1e-5)
    assert last['loss'] is not None and 'batch' not in last['metrics'] and 'size' not in last['metrics']
    assert len({m['run'] for m in messages}) == 1
    assert pump.pumps >= 4  # the kernel looked for a Stop while it ran


def test_progress_is_throttled_but_begin_and_end_always_go():
    bridge, pump = make_bridge()
    now = [100.0]
    reporter = TrainingReporter(bridge, stop=lambda: None, min_interval=0.25, clock=lambda: now[0])
    reporter.begin({'epochs': 2, 'steps': 50})
    for epoch in range(2):
        reporter.epoch_begin(epoch)
        for step in range(50):
            now[0] += 0.01  # 100 batches a second
            reporter.batch_end({'loss': 1.0 / (step + 1)})
        reporter.epoch_end({'loss': 0.5})
    reporter.end()
    messages = training(pump.comm)
    states = [m['phase'] for m in messages]
    assert states[0] == 'begin' and states[-1] == 'end'
    progress = [m for m in messages if m['phase'] == 'progress']
    assert 3 <= len(progress) <= 1 + 1.0 * 4 + 1  # 1 s of training: at most 4 a second
    times = [100.0 + 0.01 * (50 * (m['epoch'] - 1) + m['step']) for m in progress]
    assert all(b - a >= 0.25 - 1e-9 for a, b in zip(times, times[1:]))
    halfway = progress[len(progress) // 2]
    done = 50 * (halfway['epoch'] - 1) + halfway['step']
    assert halfway['eta_s'] == pytest.approx(0.01 * (100 - done), abs=0.05)
    with pytest.raises(ValueError, match='min_interval'):
        TrainingReporter(bridge, stop=lambda: None, min_interval=-1)


def test_stop_from_the_front_end_ends_the_fit_after_the_current_batch():
    bridge, pump = make_bridge()
    seen = []

    def on_batch_end(batch, logs):
        seen.append(batch)
        if len(seen) == 6:  # the user clicks Stop; it waits until the kernel pumps
            run = training(pump.comm)[0]['run']
            pump.waiting.append({'type': 'stop', 'run': run})

    x, y = data(40)
    status = LabStatus(min_interval=0, bridge=bridge)
    history = small_model().fit(x, y, batch_size=4, epochs=30, verbose=0,
                                callbacks=[status, LambdaCallback(on_batch_end=on_batch_end)])
    assert len(history.epoch) == 1 and len(seen) == 7  # the click came at batch 6, read at batch 7
    end = training(pump.comm)[-1]
    assert end['phase'] == 'end' and end['stopped'] is True and end['stopping'] is True
    assert bridge._stop_handlers == {}
    pump.waiting.append({'type': 'stop'})  # a late Stop after the end changes nothing
    pump.pump()


def test_stop_for_another_run_is_ignored():
    bridge, pump = make_bridge()
    stops = []
    reporter = TrainingReporter(bridge, stop=lambda: stops.append(1))
    reporter.begin({'epochs': 1, 'steps': 3})
    pump.comm.deliver({'type': 'stop', 'run': 'someone-else'})
    assert stops == []
    pump.comm.deliver({'type': 'stop', 'run': reporter.run_id})
    assert stops == [1] and reporter.stopping


def test_live_curves_feed_the_status_bar_and_fit_adds_no_second_reporter(monkeypatch):
    bridge, pump = make_bridge()
    monkeypatch.setattr(lab_bridge, 'get_bridge', lambda: bridge)
    monkeypatch.setattr(_env, 'in_jupyter_kernel', lambda: True)
    monkeypatch.setitem(sys.modules, 'ipykernel', types.ModuleType('ipykernel'))
    monkeypatch.setattr(lab_bridge, 'DEFAULT_MIN_INTERVAL', 0)  # every batch looks for a Stop
    curves = LiveCurves(mode='text', print_fn=lambda line: None)
    x, y = data(40)

    def click(batch, logs):
        if batch == 2 and not curves.stop_requested:
            pump.waiting.append({'type': 'stop'})

    history = small_model().fit(x, y, batch_size=4, epochs=20, verbose=0,
                                callbacks=[curves, LambdaCallback(on_batch_end=click)])
    messages = training(pump.comm)
    assert [m['phase'] for m in messages].count('begin') == 1  # LiveCurves only, no LabStatus beside it
    assert messages[-1]['phase'] == 'end' and messages[-1]['stopped'] is True
    assert curves.stop_requested and len(history.epoch) == 1


def test_fit_in_a_kernel_attaches_the_status_callback_by_itself(monkeypatch):
    bridge, pump = make_bridge()
    monkeypatch.setattr(lab_bridge, 'get_bridge', lambda: bridge)
    monkeypatch.setattr(_env, 'in_jupyter_kernel', lambda: True)
    monkeypatch.setitem(sys.modules, 'ipykernel', types.ModuleType('ipykernel'))
    x, y = data(16)
    small_model().fit(x, y, batch_size=8, epochs=2, verbose=0)
    assert [m['phase'] for m in training(pump.comm)][::len(training(pump.comm)) - 1] == ['begin', 'end']
    monkeypatch.setenv(lab_bridge.ENV_VAR, '0')  # turned off
    before = len(pump.comm.sent)
    small_model().fit(x, y, batch_size=8, epochs=1, verbose=0)
    assert len(pump.comm.sent) == before


def test_nothing_happens_outside_a_kernel(monkeypatch, capsys):
    assert _env.get_kernel() is None  # pytest is no Jupyter kernel
    assert lab_bridge.get_bridge() is None
    assert lab_bridge.training_reporter(lambda: None) is None
    assert lab_bridge.auto_status_callback([]) is None
    monkeypatch.setattr(_env, 'get_ipython_shell', lambda: types.SimpleNamespace())  # terminal IPython
    assert lab_bridge.get_bridge() is None
    status = LabStatus()
    x, y = data(16)
    small_model().fit(x, y, batch_size=8, epochs=1, verbose=0, callbacks=[status])
    assert status.reporter is None and capsys.readouterr() == ('', '')


def test_builder_inserts_below_its_cell_through_the_extension(monkeypatch):
    bridge, pump = make_bridge()
    monkeypatch.setattr(lab_bridge, 'get_bridge', lambda: bridge)
    monkeypatch.setattr(lab_bridge, '_current_cell_id', lambda: 'cell-7')
    monkeypatch.setattr(builder_module, '_shell', lambda: pytest.fail('no set_next_input with the extension'))
    builder = builder_module.ModelBuilder(input_shape=(2,))
    builder.add('Dense', units=1)
    monkeypatch.setattr(lab_bridge, '_current_cell_id', lambda: None)  # the click is no cell execution
    builder.insert_code_button.click()
    inserts = [m for m in pump.comm.sent if m['type'] == 'insert_cell']
    assert inserts == [{'type': 'insert_cell', 'code': builder.code().rstrip('\n'), 'cell_id': 'cell-7'}]
    assert 'below the builder' in builder.status.value
    with pytest.raises(TypeError, match='code'):
        bridge.insert_cell(None)


def test_builder_without_the_extension_falls_back_to_set_next_input(monkeypatch):
    bridge, pump = make_bridge(answer_hello=False)
    pump.comm.close_callback({})  # JupyterLab without kernelkit-lab closes the unknown comm
    inserted = []
    monkeypatch.setattr(lab_bridge, 'get_bridge', lambda: bridge)
    monkeypatch.setattr(builder_module, '_shell', lambda: types.SimpleNamespace(
        set_next_input=lambda text, replace=False: inserted.append((text, replace))))
    builder = builder_module.ModelBuilder(input_shape=(2,))
    builder.add('Dense', units=1)
    builder.insert_code_button.click()
    assert inserted == [(builder.code().rstrip('\n'), False)]
    assert 'copy it from the Code tab' in builder.status.value
    assert [m for m in pump.comm.sent if m['type'] == 'insert_cell'] == []


KERNEL_CELL = '''
import numpy as np
import kernelkit as keras
model = keras.Sequential([keras.layers.Dense(8, activation='relu', input_shape=(3,)), keras.layers.Dense(1)])
model.compile(optimizer='sgd', loss='mse')
x = np.random.rand(400, 3).astype('float32')
history = model.fit(x, x.sum(axis=1, keepdims=True), batch_size=4, epochs=40, verbose=0)
print('RESULT ' + json.dumps({'epochs': len(history.epoch)}))
'''


def test_stop_message_reaches_a_busy_kernel_through_the_comm():
    from jupyter_client.manager import start_new_kernel
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL='3', KERNELKIT_LIVE_CURVES='0',
               PYTHONPATH=os.pathsep.join(p for p in (REPO_ROOT, os.environ.get('PYTHONPATH')) if p))
    manager, client = start_new_kernel(kernel_name='python3', cwd=REPO_ROOT, env=env, startup_timeout=120)
    try:
        cell = client.execute('import json\n' + KERNEL_CELL)
        comm_id, stopped_sent, messages, result = None, False, [], None
        deadline = time.time() + 240
        while time.time() < deadline and result is None:
            try:
                message = client.get_iopub_msg(timeout=1)
            except queue.Empty:
                continue
            kind, content = message['header']['msg_type'], message['content']
            if kind == 'comm_open' and content.get('target_name') == lab_bridge.TARGET_NAME:
                comm_id = content['comm_id']  # answer as the extension does
                client.shell_channel.send(client.session.msg('comm_msg', {
                    'comm_id': comm_id, 'data': {'type': 'hello', 'features': ['training']}}))
            elif kind == 'comm_msg' and content['comm_id'] == comm_id:
                data = content['data']
                messages.append((time.time(), data))
                if data['phase'] == 'progress' and data['epoch'] >= 2 and not stopped_sent:
                    client.shell_channel.send(client.session.msg('comm_msg', {
                        'comm_id': comm_id, 'data': {'type': 'stop', 'run': data['run']}}))
                    stopped_sent = True
            elif kind == 'stream' and message['parent_header'].get('msg_id') == cell and 'RESULT ' in content['text']:
                result = json.loads(content['text'].split('RESULT ', 1)[1])
            elif kind == 'error':
                pytest.fail('\n'.join(content['traceback']))
        assert stopped_sent and result is not None
        assert result['epochs'] < 40
        assert messages[0][1]['phase'] == 'begin' and messages[-1][1]['phase'] == 'end'
        assert messages[-1][1]['stopped'] is True
        progress = [t for t, m in messages if m['phase'] == 'progress']
        assert all(b - a >= 0.2 for a, b in zip(progress, progress[1:]))  # throttled (0.25 s, some jitter)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def test_the_kernel_bridge_is_shared_and_reopened_after_a_close(monkeypatch):
    kernel = object()
    opened = []

    def factory(data):
        opened.append(FakeComm(data))
        return opened[-1]

    monkeypatch.setattr(_env, 'get_kernel', lambda: kernel)
    monkeypatch.setattr(lab_bridge, '_create_comm', factory)
    monkeypatch.setattr(lab_bridge, '_bridge', None)
    first = lab_bridge.get_bridge()
    assert lab_bridge.get_bridge() is first and len(opened) == 1  # one comm per kernel
    opened[0].close_callback({})  # e.g. the page was loaded after the kernel opened its comm
    assert lab_bridge.get_bridge() is first and first.closed  # not at once: no comm storm
    monkeypatch.setattr(lab_bridge, 'REOPEN_AFTER', -1.0)
    second = lab_bridge.get_bridge()
    assert second is not first and second.usable and len(opened) == 2
