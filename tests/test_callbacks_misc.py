"""CSVLogger, LambdaCallback, TerminateOnNaN and RemoteMonitor, against Keras 2.2.4 semantics, with tiny models
trained by `fit`. RemoteMonitor posts to an HTTP server the test runs on 127.0.0.1."""
import csv
import http.server
import json
import socket
import sys
import threading
import urllib.parse

import numpy as np
import pytest

from kernelkit.callbacks import (CSVLogger, LambdaCallback, ReduceLROnPlateau, RemoteMonitor, TerminateOnNaN)
from kernelkit.layers import Dense
from kernelkit.models import Sequential
from kernelkit.optimizers import SGD

RNG = np.random.RandomState(0)
X = RNG.rand(16, 3).astype('float32')
Y = X.dot(np.array([[1.], [-2.], [0.5]], 'float32')) + 0.3


def make_model(metrics=None):
    model = Sequential([Dense(1, input_shape=(3,))])
    model.compile(SGD(lr=0.1), 'mse', metrics=metrics)
    return model


def fit(callbacks, epochs=2, model=None, x=X, y=Y, **kwargs):
    model = model or make_model()
    history = model.fit(x, y, batch_size=8, epochs=epochs, verbose=0, shuffle=False, callbacks=callbacks,
                        **kwargs)
    return model, history


def scripted(values, key):
    """Logs `values[epoch]` under `key` at each epoch end (placed before the callback under test)."""
    return LambdaCallback(on_epoch_end=lambda epoch, logs: logs.__setitem__(key, values[epoch]))


def read(path):
    with open(path, newline='') as f:
        return f.read()


def rows(path, delimiter=','):
    with open(path, newline='') as f:
        return list(csv.reader(f, delimiter=delimiter))


# --- CSVLogger -----------------------------------------------------------------------------------------

def test_csv_exact_content(tmp_path):
    path = str(tmp_path / 'log.csv')
    _, history = fit([CSVLogger(path)], validation_split=0.25)
    h = history.history
    assert read(path) == ('epoch,loss,val_loss\r\n'
                          '0,%r,%r\r\n1,%r,%r\r\n' % (h['loss'][0], h['val_loss'][0], h['loss'][1], h['val_loss'][1]))


def test_csv_columns_sorted_with_metrics_and_lr(tmp_path):
    path = str(tmp_path / 'log.csv')
    model = make_model(metrics=['mae'])
    _, history = fit([ReduceLROnPlateau(monitor='loss'), CSVLogger(path, separator=';')], model=model, epochs=1)
    assert rows(path, ';') == [['epoch', 'loss', 'lr', 'mae'],
                    ['0', repr(history.history['loss'][0]), '0.1', repr(history.history['mae'][0])]]


def test_csv_append(tmp_path):
    path = str(tmp_path / 'log.csv')
    model, first = fit([CSVLogger(path, append=True)], epochs=1)  # a new file gets its header
    _, second = fit([CSVLogger(path, append=True)], epochs=2, model=model)
    assert read(path) == 'epoch,loss\r\n0,%r\r\n0,%r\r\n1,%r\r\n' % (
        first.history['loss'][0], second.history['loss'][0], second.history['loss'][1])
    fit([CSVLogger(path)], epochs=1, model=model)  # append=False overwrites
    assert read(path).count('\r\n') == 2


def test_csv_append_to_an_empty_file_writes_the_header(tmp_path):
    path = tmp_path / 'log.csv'
    path.write_text('')
    _, history = fit([CSVLogger(path, append=True)], epochs=1)
    assert read(str(path)) == 'epoch,loss\r\n0,%r\r\n' % history.history['loss'][0]


def test_csv_na_when_training_stops_mid_epoch(tmp_path):
    path = str(tmp_path / 'log.csv')
    state = {}
    stopper = LambdaCallback(on_epoch_begin=lambda epoch, logs: state.update(epoch=epoch),
                             on_batch_end=lambda batch, logs: setattr(model, 'stop_training', state['epoch'] == 1))
    model = make_model()
    _, history = fit([stopper, CSVLogger(path)], epochs=3, model=model, validation_split=0.25)
    h = history.history
    assert history.epoch == [0, 1] and len(h['val_loss']) == 1  # no validation in the stopped epoch
    assert read(path) == 'epoch,loss,val_loss\r\n0,%r,%r\r\n1,%r,NA\r\n' % (h['loss'][0], h['val_loss'][0],
                                                                           h['loss'][1])


def test_csv_iterables_and_zero_dim_arrays(tmp_path):
    path = str(tmp_path / 'log.csv')
    fit([scripted([[1, 2]], 'pair'), scripted([np.array(3.5)], 'scalar'), scripted(['text'], 'word'),
         CSVLogger(path)], epochs=1)
    table = rows(path)
    assert table[0] == ['epoch', 'loss', 'pair', 'scalar', 'word']
    assert table[1][2:] == ['"[1, 2]"', '3.5', 'text']


def test_csv_is_flushed_every_epoch(tmp_path):
    path = str(tmp_path / 'log.csv')
    seen = []
    peek = LambdaCallback(on_epoch_begin=lambda epoch, logs: seen.append(read(path).count('\r\n')))
    fit([CSVLogger(path), peek], epochs=3)
    assert seen == [0, 2, 3]


def test_csv_missing_key_while_training_goes_on_raises(tmp_path):
    first_epoch_only = LambdaCallback(
        on_epoch_end=lambda epoch, logs: logs.__setitem__('extra', 1.0) if epoch == 0 else None)
    logger = CSVLogger(str(tmp_path / 'log.csv'))
    with pytest.raises(KeyError, match='extra'):
        fit([first_epoch_only, logger], epochs=2)
    logger.on_train_end()


# --- LambdaCallback ------------------------------------------------------------------------------------

def test_lambda_callback_hooks_in_fit():
    events = []
    callback = LambdaCallback(
        on_train_begin=lambda l: events.append(('train_begin',)),
        on_epoch_begin=lambda e, l: events.append(('epoch_begin', e)),
        on_batch_begin=lambda b, l: events.append(('batch_begin', b, l['size'])),
        on_batch_end=lambda b, l: events.append(('batch_end', b, 'loss' in l)),
        on_epoch_end=lambda e, l: events.append(('epoch_end', e, sorted(l))),
        on_train_end=lambda l: events.append(('train_end',)),
        owner='me')
    fit([callback], epochs=2, x=X[:12], y=Y[:12])
    epoch = lambda e: [('epoch_begin', e), ('batch_begin', 0, 8), ('batch_end', 0, True), ('batch_begin', 1, 4),
                       ('batch_end', 1, True), ('epoch_end', e, ['loss'])]
    assert events == [('train_begin',)] + epoch(0) + epoch(1) + [('train_end',)]
    assert callback.owner == 'me'


def test_lambda_callback_missing_hooks_do_nothing():
    ends = []
    callback = LambdaCallback(on_train_end=lambda logs: ends.append(dict(logs)))
    callback.on_epoch_begin(0, {})
    callback.on_batch_end(0, {})
    fit([callback], epochs=1)
    assert ends == [{}]


# --- TerminateOnNaN ------------------------------------------------------------------------------------

def test_terminate_on_nan(capsys):
    x = X.copy()
    x[0, 0] = np.nan
    batches = []
    counter = LambdaCallback(on_batch_end=lambda batch, logs: batches.append(batch))
    _, history = fit([TerminateOnNaN(), counter], epochs=3, x=x)
    assert batches == [0] and history.epoch == [0]
    assert np.isnan(history.history['loss'][0])
    assert capsys.readouterr().out == 'Batch 0: Invalid loss, terminating training\n'


def test_terminate_on_inf_in_a_later_batch(capsys):
    y = Y.copy()
    y[12] = np.inf  # in the second batch of 8
    batches = []
    counter = LambdaCallback(on_batch_end=lambda batch, logs: batches.append(batch))
    _, history = fit([TerminateOnNaN(), counter], epochs=3, y=y)
    assert batches == [0, 1] and history.epoch == [0]
    assert capsys.readouterr().out == 'Batch 1: Invalid loss, terminating training\n'


def test_terminate_on_nan_leaves_finite_training_alone(capsys):
    _, history = fit([TerminateOnNaN()], epochs=2)
    assert history.epoch == [0, 1] and capsys.readouterr().out == ''


# --- RemoteMonitor -------------------------------------------------------------------------------------

class _Recorder(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
        self.server.received.append({'path': self.path, 'headers': dict(self.headers), 'body': body})
        self.send_response(200)
        self.send_header('Content-Length', '0')
        self.end_headers()

    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture
def server():
    httpd = http.server.HTTPServer(('127.0.0.1', 0), _Recorder)
    httpd.received = []
    httpd.timeout = 5
    thread = threading.Thread(target=httpd.serve_forever, kwargs={'poll_interval': 0.05}, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)
        assert not thread.is_alive()


def root_of(httpd):
    return 'http://127.0.0.1:%d' % httpd.server_address[1]


def test_remote_monitor_posts_form_data(server):
    monitor = RemoteMonitor(root=root_of(server), headers={'X-Token': 'abc'})
    _, history = fit([scripted([np.float32(0.5), np.float32(0.25)], 'np_value'), monitor],
                     validation_split=0.25)
    assert len(server.received) == 2
    for epoch, request in enumerate(server.received):
        assert request['path'] == '/publish/epoch/end/'
        assert request['headers']['Content-Type'] == 'application/x-www-form-urlencoded'
        assert request['headers']['X-Token'] == 'abc'
        form = urllib.parse.parse_qs(request['body'].decode())
        assert list(form) == ['data']
        payload = json.loads(form['data'][0])
        assert payload == {'epoch': epoch, 'loss': history.history['loss'][epoch],
                           'val_loss': history.history['val_loss'][epoch], 'np_value': [0.5, 0.25][epoch]}


def test_remote_monitor_send_as_json_with_custom_path_and_field(server):
    monitor = RemoteMonitor(root=root_of(server), path='/events', field='ignored', send_as_json=True)
    _, history = fit([scripted([np.array(2.0)], 'array'), monitor], epochs=1)
    (request,) = server.received
    assert request['path'] == '/events'
    assert request['headers']['Content-Type'] == 'application/json'
    assert json.loads(request['body']) == {'epoch': 0, 'loss': history.history['loss'][0], 'array': 2.0}


def test_remote_monitor_unreachable_server_warns():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    root = 'http://127.0.0.1:%d' % port
    with pytest.warns(UserWarning, match='Warning: could not reach RemoteMonitor root server at ' + root):
        _, history = fit([RemoteMonitor(root=root)], epochs=1)
    assert history.epoch == [0]


def test_remote_monitor_without_requests(monkeypatch):
    monkeypatch.setitem(sys.modules, 'requests', None)
    with pytest.raises(ImportError, match='RemoteMonitor requires the `requests` library.'):
        fit([RemoteMonitor()], epochs=1)


def test_remote_monitor_defaults():
    monitor = RemoteMonitor()
    assert (monitor.root, monitor.path, monitor.field, monitor.headers, monitor.send_as_json) == (
        'http://localhost:9000', '/publish/epoch/end/', 'data', None, False)
