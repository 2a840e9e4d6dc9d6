"""What the real-browser tests share: a JupyterLab server of their own and Chromium pages on it.

`JupyterLab(base, deadline)` runs JupyterLab from this Python (the venv) on 127.0.0.1, on a free port, with a
random token, `root_dir` a temporary copy of notebooks/, and temporary Jupyter config, data, runtime,
settings, workspaces and IPython directories (extensions installed in the venv are found as usual);
`stop()` ends it, its kernels and anything they started; `JupyterLab(..., app='notebook')` runs Notebook 7
(`jupyter notebook`) the same way instead. `Notebook(context, lab, deadline, name, artifacts)`
is one notebook in its own page, with bounded waits that fail with the notebook's traceback, the browser
console errors and the server log; `Notebook7Page` is the same in Notebook 7's own notebook page.
`Deadline` bounds all the waits of one test together.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOTEBOOKS = os.path.join(REPO, 'notebooks')

CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                 '--disable-background-networking', '--disable-component-update', '--disable-sync',
                 '--disable-dev-shm-usage', '--disable-breakpad']


# ------------------------------------------------------------------------------------------ helpers
class Deadline(object):
    """The time left to the whole test; every wait takes the smaller of its own cap and what is left."""

    def __init__(self, seconds):
        self.budget = seconds
        self.end = time.monotonic() + seconds
        self.start = time.monotonic()

    def left(self):
        return self.end - time.monotonic()

    def seconds(self, cap):
        left = self.left()
        if left <= 0:
            pytest.fail('the browser test ran out of its %.0f s time budget' % self.budget)
        return max(0.1, min(cap, left))

    def ms(self, cap):
        return self.seconds(cap) * 1000.

    def elapsed(self):
        return time.monotonic() - self.start


def find_chromium():
    """The Chromium executable to drive, or None."""
    candidates = [os.environ.get('KERNELKIT_CHROMIUM'), 'chromium', 'chromium-browser',
                  '/usr/bin/chromium', '/usr/lib/chromium/chromium']
    for candidate in candidates:
        if not candidate:
            continue
        path = candidate if os.path.isabs(candidate) else shutil.which(candidate)
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def clear_outputs(path):
    """Removes the outputs and execution counts a notebook file may have been saved with."""
    import nbformat
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == 'code':
            cell.outputs = []
            cell.execution_count = None
    nbformat.write(notebook, path)


def write_json(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as handle:
        json.dump(data, handle)


# --------------------------------------------------------------------------------------- JupyterLab
class JupyterLab(object):
    """A JupyterLab server of our own: started from this Python, stopped and cleaned up by `stop()`."""

    APPS = ('lab', 'notebook')

    def __init__(self, base, deadline, extra_env=None, app='lab'):
        if app not in self.APPS:
            raise ValueError('JupyterLab: app must be one of %s, got %r' % (self.APPS, app))
        self.app = app
        self.extra_env = dict(extra_env or {})
        self.base = base
        self.deadline = deadline
        self.token = uuid.uuid4().hex
        self.root = os.path.join(base, 'notebooks')
        self.runtime = os.path.join(base, 'runtime')
        self.log_path = os.path.join(base, 'jupyterlab.log')
        self.process = None
        self.port = None
        self._log = None

    @property
    def url(self):
        return 'http://127.0.0.1:%d' % self.port

    def environment(self):
        env = dict(os.environ)
        config = os.path.join(self.base, 'jupyter-config')
        settings = os.path.join(config, 'lab', 'user-settings')
        env.update({
            'JUPYTER_CONFIG_DIR': config,
            'JUPYTER_DATA_DIR': os.path.join(self.base, 'jupyter-data'),
            'JUPYTER_RUNTIME_DIR': self.runtime,
            'JUPYTERLAB_SETTINGS_DIR': settings,
            'JUPYTERLAB_WORKSPACES_DIR': os.path.join(self.base, 'workspaces'),
            'IPYTHONDIR': os.path.join(self.base, 'ipython'),
            'JUPYTER_PLATFORM_DIRS': '1',
            'PYTHONPATH': os.pathsep.join([REPO] + [p for p in [os.environ.get('PYTHONPATH')] if p]),
            'TF_CPP_MIN_LOG_LEVEL': os.environ.get('TF_CPP_MIN_LOG_LEVEL', '2'),
            'CUDA_VISIBLE_DEVICES': '-1',
            'PYTHONUNBUFFERED': '1',
        })
        env.pop('KERNELKIT_LIVE_CURVES', None)
        env.update(self.extra_env)
        # No news, no update checks, no toasts asking about them: nothing reaches for the network.
        write_json(os.path.join(settings, '@jupyterlab', 'apputils-extension', 'notification.jupyterlab-settings'),
                   {'fetchNews': 'false', 'checkForUpdates': False})
        return env

    def start(self):
        shutil.copytree(NOTEBOOKS, self.root, ignore=shutil.ignore_patterns('.ipynb_checkpoints'))
        env = self.environment()
        for attempt in range(3):  # a port taken between choosing and binding it: choose another
            self.port = free_port()
            command = [sys.executable, '-m', 'jupyterlab' if self.app == 'lab' else 'notebook',
                       '--no-browser', '--ip=127.0.0.1',
                       '--port=%d' % self.port, '--ServerApp.port_retries=0', '--allow-root',
                       '--ServerApp.token=%s' % self.token, '--ServerApp.root_dir=%s' % self.root,
                       '--LabApp.workspaces_dir=%s' % os.path.join(self.base, 'workspaces'),
                       '--LabApp.user_settings_dir=%s' % env['JUPYTERLAB_SETTINGS_DIR'],
                       '--LabApp.news_url=None', '--LabApp.extension_manager=readonly',
                       '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate']
            if self.app == 'notebook':  # Notebook 7 reads its own settings; window.jupyterapp for the tests
                command += ['--JupyterNotebookApp.workspaces_dir=%s' % os.path.join(self.base, 'workspaces'),
                            '--JupyterNotebookApp.user_settings_dir=%s' % env['JUPYTERLAB_SETTINGS_DIR'],
                            '--JupyterNotebookApp.expose_app_in_browser=True']
            self._log = open(self.log_path, 'ab')
            self.process = subprocess.Popen(command, cwd=self.root, env=env, stdin=subprocess.DEVNULL,
                                            stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
            if self._wait_ready():
                return
            self._kill_server()
        pytest.fail('JupyterLab did not start:\n' + self.log_tail())

    def _wait_ready(self):
        limit = time.monotonic() + self.deadline.seconds(90)
        while time.monotonic() < limit:
            if self.process.poll() is not None:
                return False
            try:
                # Up, and knows its kernel specs (a notebook opened before asks which kernel to use).
                with urllib.request.urlopen(self.api_request('/api/kernelspecs'), timeout=5) as response:
                    if response.status == 200 and json.loads(response.read()).get('kernelspecs'):
                        return True
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.25)
        return False

    def api_request(self, path, method='GET'):
        return urllib.request.Request(self.url + path, method=method,
                                      headers={'Authorization': 'token %s' % self.token})

    def api(self, path, method='GET'):
        with urllib.request.urlopen(self.api_request(path, method), timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def kernel_state(self, notebook_path):
        """The execution state of the kernel of a notebook's session, or None when it has none."""
        try:
            sessions = self.api('/api/sessions') or []
        except (urllib.error.URLError, OSError, ValueError):
            return None
        for session in sessions:
            if session.get('path') == notebook_path and session.get('kernel'):
                return session['kernel'].get('execution_state')
        return None

    def shutdown_kernels(self):
        """Shuts down every running kernel (frees the CPU a finished part no longer needs)."""
        try:
            for kernel in self.api('/api/kernels') or []:
                self.api('/api/kernels/%s' % kernel['id'], method='DELETE')
        except (urllib.error.URLError, OSError, ValueError):
            pass

    def log_tail(self, lines=40):
        try:
            with open(self.log_path, 'rb') as handle:
                return b'\n'.join(handle.read().splitlines()[-lines:]).decode('utf-8', 'replace')
        except OSError:
            return '(no server log)'

    def _kill_server(self):
        process = self.process
        if process is None:
            return
        if process.poll() is None:
            for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
                try:
                    os.killpg(process.pid, sig)  # its own session: the server and what it started there
                except (ProcessLookupError, PermissionError):
                    break
                try:
                    process.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        if self._log is not None:
            self._log.close()
            self._log = None

    def _kill_leftover_kernels(self):
        """Kernels live in sessions of their own; any still alive is found by our runtime directory in
        its command line (their connection files are there) and killed by its pid."""
        me = os.getpid()
        for entry in os.listdir('/proc') if os.path.isdir('/proc') else []:
            if not entry.isdigit() or int(entry) == me:
                continue
            try:
                with open('/proc/%s/cmdline' % entry, 'rb') as handle:
                    cmdline = handle.read().decode('utf-8', 'replace')
            except OSError:
                continue
            if self.runtime in cmdline:
                try:
                    os.kill(int(entry), signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            try:  # the clean way: the server shuts its kernels down and exits
                self.api('/api/shutdown', method='POST')
                self.process.wait(timeout=10)
            except (urllib.error.URLError, OSError, ValueError, subprocess.TimeoutExpired):
                pass
        self._kill_server()
        self._kill_leftover_kernels()


# ------------------------------------------------------------------------------------------ browser
class Notebook(object):
    """One notebook opened in its own page of the browser."""

    def __init__(self, context, lab, deadline, name, artifacts):
        self.lab = lab
        self.deadline = deadline
        self.name = name
        self.artifacts = artifacts
        self.console_errors = []
        self.page = context.new_page()
        self.page.on('console', self._on_console)
        self.page.on('pageerror', lambda error: self.console_errors.append('page error: %s' % error))

    def _on_console(self, message):
        if message.type == 'error':
            self.console_errors.append(message.text[:500])

    def open(self):
        page = self.page
        page.goto('%s/lab/tree/%s?token=%s&reset' % (self.lab.url, self.name, self.lab.token),
                  timeout=self.deadline.ms(60), wait_until='domcontentloaded')
        page.locator('.jp-NotebookPanel').first.wait_for(timeout=self.deadline.ms(60))
        accept = page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-accept')
        indicator = page.locator('.jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status="idle"]')

        def kernel_ready():
            # A "Select Kernel" dialog (JupyterLab asks when it did not know the kernel spec yet when the
            # notebook opened): accept its choice, Python 3, as a person would.
            if accept.count() and accept.first.is_visible():
                accept.first.click(timeout=self.deadline.ms(10))
                return False
            return self.lab.kernel_state(self.name) == 'idle' and indicator.count() > 0
        self.wait_until('the kernel of the notebook to start', kernel_ready, cap=60, interval=0.25)

    def run_all_cells(self):
        """Run > Run All Cells, through the menu bar."""
        page = self.page
        page.locator('.lm-MenuBar-item').filter(has_text=re.compile(r'^\s*Run\s*$')).first.click(
            timeout=self.deadline.ms(20))
        page.locator('.lm-Menu-item[data-command="runmenu:run-all"], '
                     '.lm-Menu-item[data-command="notebook:run-all-cells"]').first.click(timeout=self.deadline.ms(20))

    def error_output(self):
        """The text of the first traceback shown in the notebook, or None."""
        errors = self.page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]')
        return errors.first.text_content() if errors.count() else None

    def wait_until(self, description, predicate, cap, interval=0.2):
        """Polls `predicate()` (a truthy result ends the wait) at most `cap` seconds; fails with
        `description` (and any traceback the notebook shows) when it never comes."""
        limit = time.monotonic() + self.deadline.seconds(cap)
        while True:
            result = predicate()
            if result:
                return result
            error = self.error_output()
            if error:
                self.fail('a cell raised while waiting for %s:\n%s' % (description, error))
            if time.monotonic() >= limit:
                self.fail('timed out after %.0f s waiting for %s' % (cap, description))
            self.page.wait_for_timeout(interval * 1000)

    def save_artifacts(self, tag):
        if not self.artifacts:
            return
        os.makedirs(self.artifacts, exist_ok=True)
        stem = os.path.join(self.artifacts, '%s-%s' % (os.path.splitext(self.name)[0], tag))
        try:
            self.page.screenshot(path=stem + '.png', full_page=True, timeout=10000)
            with open(stem + '.html', 'w') as handle:
                handle.write(self.page.content())
        except Exception:  # artifacts are a help, never a reason to fail
            pass

    def fail(self, message):
        self.save_artifacts('failure')
        details = [message]
        if self.console_errors:
            details.append('browser console errors:\n  ' + '\n  '.join(self.console_errors[-10:]))
        details.append('JupyterLab log (last lines):\n' + self.lab.log_tail(25))
        pytest.fail('%s: %s' % (self.name, '\n'.join(details)), pytrace=False)

    def close(self):
        try:
            self.page.close()
        except Exception:
            pass


class Notebook7Page(Notebook):
    """One notebook in Notebook 7's notebook page (`/notebooks/<name>`); the server must run `app='notebook'`.

    Also keeps every console error and uncaught page error with where it came from (`errors`: dicts with
    `text`, `url` and `stack`), so a test can tell an extension's errors from others.
    """

    def __init__(self, context, lab, deadline, name, artifacts):
        super(Notebook7Page, self).__init__(context, lab, deadline, name, artifacts)
        self.errors = []
        self.page.on('console', self._record_console)
        self.page.on('pageerror', lambda error: self.errors.append(
            {'text': str(error)[:1000], 'url': '', 'stack': (getattr(error, 'stack', '') or '')[:3000]}))

    def _record_console(self, message):
        if message.type == 'error':
            location = message.location or {}
            self.errors.append({'text': message.text[:1000], 'url': location.get('url', ''), 'stack': ''})

    def open(self):
        page = self.page
        page.goto('%s/notebooks/%s?token=%s' % (self.lab.url, self.name, self.lab.token),
                  timeout=self.deadline.ms(60), wait_until='domcontentloaded')
        page.locator('.jp-NotebookPanel').first.wait_for(timeout=self.deadline.ms(60))
        accept = page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-accept')

        def kernel_ready():
            if accept.count() and accept.first.is_visible():  # "Select Kernel": accept Python 3
                accept.first.click(timeout=self.deadline.ms(10))
                return False
            return self.lab.kernel_state(self.name) == 'idle'
        self.wait_until('the kernel of the notebook to start', kernel_ready, cap=60, interval=0.25)

    def errors_mentioning(self, *words):
        """The recorded errors whose text, source URL or stack names one of `words` (case-insensitive)."""
        words = [word.lower() for word in words]
        return [error for error in self.errors
                if any(word in ' '.join((error['text'], error['url'], error['stack'])).lower() for word in words)]


CHROMIUM_MISSING = ('Chromium not found (not on PATH as chromium/chromium-browser, nor /usr/bin/chromium, nor '
                    '$KERNELKIT_CHROMIUM); `sh scripts/install_browser.sh` installs Debian\'s chromium (as root).')


class BrowserSession(object):
    """JupyterLab and a headless Chromium for one test: `with BrowserSession(budget) as session:`.

    # Attributes
        lab: the `JupyterLab`; context: the Playwright browser context; deadline: the test's `Deadline`;
        timings: a dict the test fills (printed at the end); artifacts: where screenshots go (None: nowhere).
    """

    def __init__(self, budget, artifacts=None, extra_env=None, app='lab'):
        self.deadline = Deadline(budget)
        self.artifacts = artifacts or os.environ.get('KERNELKIT_BROWSER_ARTIFACTS') or None
        self.base = tempfile.mkdtemp(prefix='kernelkit-browser-')
        self.lab = JupyterLab(self.base, self.deadline, extra_env=extra_env, app=app)
        self.timings = {}
        self.context = self._playwright = None

    def __enter__(self):
        chromium = find_chromium()
        if chromium is None:
            pytest.skip(CHROMIUM_MISSING)
        from playwright.sync_api import sync_playwright  # a dev dependency: missing means a broken install
        try:
            started = time.monotonic()
            self.lab.start()
            self.timings['start JupyterLab' if self.lab.app == 'lab' else 'start Notebook 7'] = (
                time.monotonic() - started)
            started = time.monotonic()
            self._playwright = sync_playwright().start()
            self.context = self._playwright.chromium.launch_persistent_context(
                os.path.join(self.base, 'chromium-profile'), executable_path=chromium, headless=True,
                args=CHROMIUM_ARGS, viewport={'width': 1400, 'height': 1000}, timeout=self.deadline.ms(60))
            self.context.set_default_timeout(20000)
            self.timings['start Chromium'] = time.monotonic() - started
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc_info):
        for close in (lambda: self.context.close(), lambda: self._playwright.stop()):
            try:
                close()
            except Exception:
                pass
        self.lab.stop()
        if self.artifacts:
            try:
                os.makedirs(self.artifacts, exist_ok=True)
                shutil.copy(self.lab.log_path, os.path.join(self.artifacts, 'jupyterlab.log'))
            except OSError:
                pass
        shutil.rmtree(self.base, ignore_errors=True)
        self.timings['total'] = self.deadline.elapsed()
        print('browser test timings: ' + ', '.join(
            '%s: %s' % (key, '%.1f s' % value if isinstance(value, float) else value)
            for key, value in self.timings.items()))
        return False
