"""The `kernelkit_lab` Jupyter server extension: `/kernelkit/migrate` and `/kernelkit/migrate_notebook`.

Runs a real Jupyter Server in the test process with pytest-jupyter's `jp_fetch` fixture; the oracle for the
migrated code is `kernelkit.legacy.migrate_source` itself (the routes must answer exactly what it gives).
Loading the extension must not import TensorFlow: checked in a fresh Python, with a stub server app.
"""
import json
import os
import subprocess
import sys
import textwrap

import pytest
import tornado.httpclient

from kernelkit.legacy import migrate_source

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
pytest_plugins = ['pytest_jupyter.jupyter_server']

KERAS1 = 'from kernelkit.layers import Dense\nlayer = Dense(output_dim=3)\n'


@pytest.fixture
def jp_server_config():
    return {'ServerApp': {'jpserver_extensions': {'kernelkit_lab': True}}}


async def _post(jp_fetch, route, body):
    response = await jp_fetch('kernelkit', route, method='POST', body=json.dumps(body))
    assert response.code == 200
    return json.loads(response.body.decode('utf-8'))


def test_extension_points():
    import kernelkit_lab
    assert kernelkit_lab._jupyter_server_extension_points() == [{'module': 'kernelkit_lab'}]


async def test_migrate_rewrites_keras1_code(jp_fetch):
    answer = await _post(jp_fetch, 'migrate', {'code': KERAS1})
    expected_code, expected_notes = migrate_source(KERAS1)
    assert answer['error'] is None
    assert answer['changed'] is True
    assert answer['code'] == expected_code == 'from kernelkit.layers import Dense\nlayer = Dense(units=3)\n'
    assert answer['notes'] == [{'line': n.line, 'column': n.column, 'level': n.level, 'message': n.message}
                               for n in expected_notes]
    assert answer['notes'][0]['line'] == 2


async def test_migrate_leaves_keras2_code_alone(jp_fetch):
    code = 'from kernelkit.layers import Dense\nDense(units=3)\n'
    answer = await _post(jp_fetch, 'migrate', {'code': code})
    assert answer == {'code': code, 'changed': False, 'notes': [], 'error': None}


async def test_migrate_reports_the_parse_error_position(jp_fetch):
    code = 'from kernelkit.layers import Dense\nx = Dense(output_dim=3\ny = 1\n'
    answer = await _post(jp_fetch, 'migrate', {'code': code})
    assert answer['code'] == code
    assert answer['changed'] is False
    error = answer['error']
    assert set(error) == {'line', 'column', 'message'}
    assert error['line'] == 2 and error['column'] == 10  # Python's position: the '(' never closed
    assert error['message']


async def test_migrate_keeps_ipython_magics(jp_fetch):
    code = '%matplotlib inline\n!ls\nfrom kernelkit.layers import Dense\nDense(output_dim=3)\n'
    answer = await _post(jp_fetch, 'migrate', {'code': code})
    assert answer['error'] is None
    assert answer['code'] == '%matplotlib inline\n!ls\nfrom kernelkit.layers import Dense\nDense(units=3)\n'


async def test_migrate_notebook_answers_per_cell(jp_fetch):
    cells = [
        {'id': 'a', 'source': 'from kernelkit.layers import Dense, Convolution2D'},
        {'id': 'b', 'source': 'model.add(Dense(output_dim=3))\nmodel.fit(x, y, nb_epoch=2)'},
        {'id': 'c', 'source': 'print("nothing to do")'},
        {'id': 'd', 'source': 'def broken(:\n    pass'},
        {'id': 'e', 'source': '%%time\nDense(output_dim=3)'},
    ]
    answer = await _post(jp_fetch, 'migrate_notebook', {'cells': cells})
    by_id = {cell['id']: cell for cell in answer['cells']}
    assert [cell['id'] for cell in answer['cells']] == ['a', 'b', 'c', 'd', 'e']
    assert by_id['b']['changed'] is True
    assert by_id['b']['code'] == 'model.add(Dense(units=3))\nmodel.fit(x, y, epochs=2)'
    assert {note['line'] for note in by_id['b']['notes']} == {1, 2}
    assert by_id['c'] == {'id': 'c', 'code': 'print("nothing to do")', 'changed': False, 'notes': [],
                          'error': None}
    assert by_id['d']['changed'] is False and by_id['d']['code'] == cells[3]['source']
    assert by_id['d']['error']['line'] == 1
    assert by_id['e']['changed'] is False and by_id['e']['error'] is None


@pytest.mark.parametrize('route, body, expected', [
    ('migrate', {'code': 3}, '"code" must be a string'),
    ('migrate', [1, 2], 'must be a JSON object'),
    ('migrate_notebook', {'cells': 'x'}, '"cells" must be a list'),
    ('migrate_notebook', {'cells': [{'id': 'a'}]}, '"cells"[0] must be an object with a string "source"'),
])
async def test_bad_requests_are_400_with_a_reason(jp_fetch, route, body, expected):
    with pytest.raises(tornado.httpclient.HTTPClientError) as info:
        await jp_fetch('kernelkit', route, method='POST', body=json.dumps(body))
    assert info.value.code == 400
    assert expected in json.loads(info.value.response.body.decode('utf-8'))['message']


async def test_routes_need_authentication(jp_fetch, jp_serverapp, jp_base_url, http_server_client):
    url = '%skernelkit/migrate' % jp_base_url
    with pytest.raises(tornado.httpclient.HTTPClientError) as info:
        await http_server_client.fetch(url, method='POST', body=json.dumps({'code': 'x = 1'}),
                                       headers={'Authorization': ''})
    assert info.value.code in (401, 403)


# A fresh Python loads the extension with a stub server app; it prints what was imported right after the load,
# then runs what the extension scheduled on the event loop (the background preload) and prints it again.
LOAD_PROBE = textwrap.dedent("""
    import json, logging, sys
    import kernelkit_lab

    class Loop(object):
        def __init__(self):
            self.calls = []
        def call_later(self, delay, callback, *args):
            self.calls.append((delay, callback, args))

    class WebApp(object):
        settings = {'base_url': '/'}
        def __init__(self):
            self.routes = []
        def add_handlers(self, host, handlers):
            self.routes.extend(pattern for pattern, _ in handlers)

    class App(object):
        log = logging.getLogger('stub')
        web_app = WebApp()
        io_loop = Loop()

    app = App()
    kernelkit_lab._load_jupyter_server_extension(app)
    report = {'routes': app.web_app.routes, 'scheduled': len(app.io_loop.calls),
              'after_load': sorted(m for m in ('tensorflow', 'kernelkit', 'kernelkit.legacy') if m in sys.modules)}
    if app.io_loop.calls and '--run-scheduled' in sys.argv:
        delay, callback, args = app.io_loop.calls[0]
        report['delay'] = delay
        callback(*args).join(240)
        report['after_preload'] = sorted(m for m in ('tensorflow', 'kernelkit.legacy.migrate') if m in sys.modules)
    print('REPORT=' + json.dumps(report))
""")


def _probe(*args, **env):
    environ = dict(os.environ, PYTHONPATH=os.pathsep.join([REPO] + [p for p in [os.environ.get('PYTHONPATH')] if p]),
                   TF_CPP_MIN_LOG_LEVEL='2', CUDA_VISIBLE_DEVICES='-1')
    environ.pop('KERNELKIT_LAB_PRELOAD', None)
    environ.update(env)
    done = subprocess.run([sys.executable, '-c', LOAD_PROBE] + list(args), capture_output=True, text=True,
                          timeout=300, env=environ, cwd=REPO)
    assert done.returncode == 0, done.stderr[-3000:]
    line = [l for l in done.stdout.splitlines() if l.startswith('REPORT=')]
    assert line, done.stdout + done.stderr[-3000:]
    return json.loads(line[0][len('REPORT='):])


def test_loading_the_extension_does_not_import_tensorflow():
    report = _probe('--run-scheduled')
    assert report['routes'] == ['/kernelkit/migrate', '/kernelkit/migrate_notebook']
    assert report['after_load'] == [], 'imported while the server starts: %s' % report['after_load']
    # The preload runs later, from the event loop, in a thread; it does import the migrator (and TensorFlow).
    assert report['scheduled'] == 1 and report['delay'] > 0
    assert report['after_preload'] == ['kernelkit.legacy.migrate', 'tensorflow']


def test_preload_can_be_turned_off():
    report = _probe(KERNELKIT_LAB_PRELOAD='0')
    assert report['scheduled'] == 0 and report['after_load'] == []


@pytest.mark.parametrize('value, expected', [(None, True), ('1', True), ('0', False), ('off', False),
                                             (' False ', False), ('no', False), ('yes', True)])
def test_preload_enabled_reads_the_environment(value, expected):
    import kernelkit_lab
    environ = {} if value is None else {'KERNELKIT_LAB_PRELOAD': value}
    assert kernelkit_lab.preload_enabled(environ) is expected
