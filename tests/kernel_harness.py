"""A real Jupyter kernel for tests: started with jupyter_client, fed cells, its outputs collected.

The kernel runs as JupyterLab would run it: outside pytest's marker, so ipykernel forwards what C++ code
writes to file descriptor 2 as stderr output, and with the cell id JupyterLab sends in each request's
metadata. Output that arrives after the cell went idle (the fd watcher thread lags) is collected too.
"""
import os
import queue
import time

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STRAGGLERS = 3.0


class CellResult(object):
    """What one cell produced: `stdout`, `stderr` (texts), `error` (traceback text or None), `displays`
    (the data dicts of display_data / execute_result messages)."""

    def __init__(self):
        self.stdout, self.stderr, self.error, self.displays = '', '', None, []

    def mime(self, mime_type):
        """The payloads of `mime_type` among the displays."""
        return [data[mime_type] for data in self.displays if mime_type in data]


class Kernel(object):
    """`with Kernel(env_overrides) as kernel: result = kernel.run(code, cell_id='c1')`.

    `stragglers`: seconds to keep listening after the cell went idle (what C++ code writes to file
    descriptor 2 may come that late; Python's own output never does).
    """

    def __init__(self, env_overrides=None, stragglers=STRAGGLERS):
        self.env_overrides = dict(env_overrides or {})
        self.stragglers = stragglers
        self.manager = self.client = None

    def __enter__(self):
        jupyter_client = pytest.importorskip('jupyter_client')
        env = {k: v for k, v in os.environ.items() if k not in ('TF_CPP_MIN_LOG_LEVEL', 'PYTEST_CURRENT_TEST',
                                                                'KERNELKIT_MIGRATION_CARDS')}
        env['PYTHONPATH'] = os.pathsep.join([REPO] + [p for p in [os.environ.get('PYTHONPATH')] if p])
        env.update(self.env_overrides)
        self.manager = jupyter_client.KernelManager(kernel_name='python3')
        self.manager.start_kernel(env=env, cwd=REPO)
        self.client = self.manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=90)
        return self

    def __exit__(self, *exc_info):
        if self.client is not None:
            self.client.stop_channels()
        if self.manager is not None:
            self.manager.shutdown_kernel(now=True)
        return False

    def run(self, code, cell_id=None, timeout=120):
        """Executes `code` (with JupyterLab's `cellId` metadata when given) and returns a `CellResult`."""
        content = dict(code=code, silent=False, store_history=True, user_expressions={}, allow_stdin=False,
                       stop_on_error=True)
        message = self.client.session.msg('execute_request', content,
                                          metadata={'cellId': cell_id} if cell_id else {})
        self.client.shell_channel.send(message)
        msg_id = message['header']['msg_id']
        result, out, err = CellResult(), [], []
        idle_at, deadline = None, time.monotonic() + timeout
        while True:
            if time.monotonic() > deadline:
                pytest.fail('the kernel did not finish the cell in %d s' % timeout)
            if idle_at is not None and time.monotonic() - idle_at > self.stragglers:
                break
            try:
                reply = self.client.get_iopub_msg(timeout=0.5)
            except queue.Empty:
                continue
            if reply['parent_header'].get('msg_id') != msg_id:
                continue
            kind, body = reply['msg_type'], reply['content']
            if kind == 'stream':
                (err if body['name'] == 'stderr' else out).append(body['text'])
            elif kind in ('display_data', 'execute_result'):
                result.displays.append(body['data'])
            elif kind == 'error':
                result.error = '\n'.join(body['traceback'])
            elif kind == 'status' and body['execution_state'] == 'idle':
                idle_at = time.monotonic()
        result.stdout, result.stderr = ''.join(out), ''.join(err)
        return result
