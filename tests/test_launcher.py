"""`python -m kernelkit.distribute`, the local launcher of multi-worker jobs, on tiny scripts without
TensorFlow (the real MultiWorkerMirroredStrategy jobs it starts are in tests/test_distribute.py)."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from kernelkit import distribute

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PRINT_TASK = """
import json, os
config = json.loads(os.environ['TF_CONFIG'])
print('index', config['task']['index'], 'of', json.dumps(config['cluster']['worker']))
"""

# Worker 1 fails with code 7 once worker 0 is running; worker 0 would sleep for a minute.
ONE_FAILS = """
import json, os, sys, time
index = json.loads(os.environ['TF_CONFIG'])['task']['index']
folder = sys.argv[1]
if index == 0:
    with open(os.path.join(folder, 'pid0'), 'w') as handle:
        handle.write(str(os.getpid()))
    time.sleep(60)
    sys.exit(0)
while not os.path.exists(os.path.join(folder, 'pid0')):
    time.sleep(0.01)
print('failing now')
sys.exit(7)
"""


def _launch(tmp_path, capsys, source, *args, workers=2):
    """Runs the launcher's command line in this process (a `python -m` would import TensorFlow first)."""
    script = tmp_path / 'script.py'
    script.write_text(source)
    code = distribute.main(['--workers', str(workers), str(script)] + list(args))
    return code, capsys.readouterr().out


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_each_worker_gets_its_task_index_in_one_cluster_and_its_output_is_prefixed(tmp_path, capsys):
    code, out = _launch(tmp_path, capsys, PRINT_TASK, workers=3)
    assert code == 0, out
    lines = sorted(out.splitlines())
    assert [line.split(' of ')[0] for line in lines] == ['[worker %d] index %d' % (i, i) for i in range(3)]
    clusters = {line.split(' of ')[1] for line in lines}
    assert len(clusters) == 1                                  # the same cluster for every worker
    addresses = json.loads(clusters.pop())
    assert len(addresses) == 3 and len(set(addresses)) == 3
    assert all(address.startswith('127.0.0.1:') for address in addresses)


def test_a_failing_worker_ends_the_job_with_its_code_and_the_others_are_killed(tmp_path, capsys):
    started = time.time()
    code, out = _launch(tmp_path, capsys, ONE_FAILS, str(tmp_path))
    assert code == 7
    assert time.time() - started < 30                          # not the 60 s worker 0 would sleep
    assert '[worker 1] failing now' in out
    assert not _alive(int((tmp_path / 'pid0').read_text()))


def test_ctrl_c_ends_every_worker(tmp_path):
    """The real command line (`python -m`), interrupted while its workers run."""
    script = tmp_path / 'script.py'
    script.write_text(ONE_FAILS.replace('sys.exit(7)', 'time.sleep(60)'))
    launcher = subprocess.Popen([sys.executable, '-m', 'kernelkit.distribute', str(script), str(tmp_path)],
                                cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 60
        while not (tmp_path / 'pid0').exists() and time.time() < deadline:
            time.sleep(0.05)
        launcher.send_signal(signal.SIGINT)
        assert launcher.wait(30) == 130
    finally:
        launcher.kill()
        launcher.wait()
    assert not _alive(int((tmp_path / 'pid0').read_text()))


def test_tf_config_and_free_ports():
    ports = distribute.free_ports(4)
    assert len(set(ports)) == 4
    assert json.loads(distribute.tf_config([1000, 1001], 1)) == {
        'cluster': {'worker': ['127.0.0.1:1000', '127.0.0.1:1001']}, 'task': {'type': 'worker', 'index': 1}}
    with pytest.raises(ValueError, match='at least one worker'):
        distribute.start_workers([sys.executable, '-c', 'pass'], 0)


def test_help(capsys):
    with pytest.raises(SystemExit) as exit_:
        distribute.main(['--help'])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert '--workers' in out and 'TF_CONFIG' in out


def test_output_that_is_not_utf8_is_forwarded_and_the_job_ends(tmp_path, capsys):
    """One bad byte must not stop the forwarding: the worker would block on its full pipe for ever."""
    source = ("import sys\n"
              "sys.stdout.buffer.write(b'bad \\xff byte\\n'); sys.stdout.flush()\n"
              "sys.stdout.write('x' * 200000 + '\\nlast line\\n')\n")
    code, out = _launch(tmp_path, capsys, source, '--timeout', '60', workers=1)
    assert code == 0
    assert '[worker 0] bad \ufffd byte' in out
    assert '[worker 0] last line' in out


def test_a_worker_killed_by_a_signal_gives_the_shells_exit_code(tmp_path, capsys):
    code, _ = _launch(tmp_path, capsys, 'import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n', workers=1)
    assert code == 128 + signal.SIGKILL
    assert distribute.exit_code(-15) == 143 and distribute.exit_code(3) == 3


def test_a_workers_prints_come_before_its_traceback(tmp_path, capsys):
    """The workers' stdout is unbuffered, so the lines keep their order across stdout and stderr."""
    code, out = _launch(tmp_path, capsys, "print('before the error')\nraise RuntimeError('boom')\n",
                        workers=1)
    assert code == 1
    assert out.index('[worker 0] before the error') < out.index('RuntimeError: boom')


def test_output_that_cannot_be_written_is_still_drained():
    """A closed output (`| head`) must not leave the worker blocked on its pipe."""
    import io
    import threading

    class Closed(io.StringIO):
        def write(self, text):
            raise BrokenPipeError()

    read, write = os.pipe()
    stream = os.fdopen(read, 'r')
    thread = threading.Thread(target=distribute._forward, args=(stream, '', Closed(), threading.Lock()))
    thread.start()
    with os.fdopen(write, 'w') as writer:
        writer.write('line\n' * 50000)   # several times a pipe's capacity: blocks unless drained
    thread.join(30)
    assert not thread.is_alive()
