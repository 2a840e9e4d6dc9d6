"""A local launcher for multi-worker jobs: `python -m kernelkit.distribute --workers N script.py [ARGS...]`.

A `MultiWorkerMirroredStrategy` script reads its place in the job from the `TF_CONFIG` environment
variable: the cluster (the `host:port` of every worker) and its own task index. On several machines each
machine gets its own `TF_CONFIG` (written by hand, by a cluster manager, or by a launcher such as Ray
Train's `TensorflowTrainer`). This module does the same on one machine, to try a multi-worker script or to
test one: it starts N worker processes of the script, each with a `TF_CONFIG` for a cluster of N workers
at free ports of 127.0.0.1, forwards their output line by line prefixed with `[worker i]`, and waits.

When a worker fails, the others are stopped at once (they would otherwise wait for their lost peer) and
the job exits with that worker's exit code (128 + N for a worker ended by signal N, as a shell reports
it). Every worker is ended by the launcher, on Ctrl-C and SIGTERM too; processes that a worker starts
itself are that worker's to end. This is a top-level tool: the engine never imports it.
"""
import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

HOST = '127.0.0.1'
# How long a worker may take to end after SIGTERM before it is killed.
_TERMINATE_GRACE_S = 5.0
_POLL_S = 0.05


def free_ports(count, host=HOST):
    """`count` distinct TCP ports of `host` that are free now.

    # Arguments
        count: how many ports.
        host: the address to bind.

    # Returns
        A list of port numbers.
    """
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind((host, 0))        # all held open together, so the ports are distinct
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def tf_config(ports, index, host=HOST):
    """The `TF_CONFIG` of worker `index` in a cluster of workers at `host:port` for each port.

    # Arguments
        ports: the workers' ports, in task order.
        index: this worker's task index.
        host: the workers' address.

    # Returns
        The JSON string.
    """
    return json.dumps({'cluster': {'worker': ['%s:%d' % (host, port) for port in ports]},
                       'task': {'type': 'worker', 'index': index}})


def start_workers(command, workers, env=None, host=HOST, **popen_options):
    """Starts `workers` processes of `command`, each with the `TF_CONFIG` of its place in one cluster.

    # Arguments
        command: the command line (a list), the same for every worker.
        workers: how many workers (at least 1).
        env: the base environment (default: this process's).
        host: the workers' address.
        **popen_options: passed to `subprocess.Popen` (`stdout`, `stderr`, ...).

    # Returns
        The list of `subprocess.Popen` objects, in task order. The caller ends them (see `stop_workers`).

    # Raises
        ValueError: when `workers` is below 1.
    """
    if workers < 1:
        raise ValueError('A job needs at least one worker, got `workers=%r`.' % (workers,))
    ports = free_ports(workers, host)
    base = dict(os.environ if env is None else env)
    # A worker's stdout is a pipe, which Python buffers in blocks: its prints would come after its
    # traceback, or never, when it is ended after a peer failed.
    base.setdefault('PYTHONUNBUFFERED', '1')
    processes = []
    try:
        for index in range(workers):
            environment = dict(base, TF_CONFIG=tf_config(ports, index, host))
            processes.append(subprocess.Popen(command, env=environment, **popen_options))
    except BaseException:
        stop_workers(processes)
        raise
    return processes


def stop_workers(processes, grace=_TERMINATE_GRACE_S):
    """Ends every process still running: SIGTERM, then SIGKILL after `grace` seconds.

    # Arguments
        processes: `subprocess.Popen` objects.
        grace: seconds to wait after SIGTERM.
    """
    running = [process for process in processes if process.poll() is None]
    for process in running:
        process.send_signal(signal.SIGTERM)
    deadline = time.time() + grace
    for process in running:
        try:
            process.wait(max(0.0, deadline - time.time()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _forward(stream, prefix, output, lock):
    """Copies the lines of `stream` to `output`, each prefixed (one thread per worker).

    The stream is read to its end even when `output` fails (a closed pipe such as `| head`): a worker
    whose pipe is no longer read would block once the pipe is full, and the job would never end."""
    writable = True
    for line in iter(stream.readline, ''):
        if not writable:
            continue
        try:
            with lock:
                output.write(prefix + line if line.endswith('\n') else prefix + line + '\n')
                output.flush()
        except (OSError, ValueError):   # BrokenPipeError, or `output` closed
            writable = False
    stream.close()


def exit_code(returncode):
    """A process's exit status as a shell reports it: 128 + N for a process ended by signal N (a
    `subprocess` return code of -N), else the code itself."""
    return 128 - returncode if returncode < 0 else returncode


def supervise(processes, timeout=None):
    """Waits for the workers: returns when all succeeded, or as soon as one fails (then ends the others).

    # Arguments
        processes: the workers' `subprocess.Popen` objects.
        timeout: seconds after which the job is stopped as failed, or None.

    # Returns
        0 when every worker exited with 0; otherwise the first non-zero exit code, as `exit_code` gives it
        (137 for a worker killed by SIGKILL), or 124 on a timeout.
    """
    deadline = None if timeout is None else time.time() + timeout
    try:
        while True:
            codes = [process.poll() for process in processes]
            failed = [code for code in codes if code not in (None, 0)]
            if failed:
                return exit_code(failed[0])
            if all(code == 0 for code in codes):
                return 0
            if deadline is not None and time.time() > deadline:
                return 124
            time.sleep(_POLL_S)
    finally:
        stop_workers(processes)


def launch(command, workers, env=None, output=None, timeout=None):
    """Runs a multi-worker job of `command` on this machine, forwarding each worker's output.

    # Arguments
        command: the command line of a worker (a list).
        workers: how many workers.
        env: the base environment of the workers (default: this process's).
        output: where the prefixed lines go (default: `sys.stdout`).
        timeout: seconds after which the job is stopped as failed (exit code 124), or None.

    # Returns
        The job's exit code (see `supervise`).
    """
    output = output or sys.stdout
    lock = threading.Lock()
    # errors='replace': one byte that is not UTF-8 must not stop the forwarding of that worker's output.
    processes = start_workers(command, workers, env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, errors='replace', bufsize=1)
    threads = []
    try:
        for index, process in enumerate(processes):
            threads.append(threading.Thread(target=_forward, daemon=True,
                                            args=(process.stdout, '[worker %d] ' % index, output, lock)))
            threads[-1].start()
        return supervise(processes, timeout)   # ends every worker, also on KeyboardInterrupt
    finally:
        stop_workers(processes)   # also when an interrupt comes before `supervise` runs
        for thread in threads:    # the workers' last lines (their tracebacks) are written before returning
            thread.join(1.0)


def _exit_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)


def main(argv=None):
    """The command line: `python -m kernelkit.distribute --workers N script.py [ARGS...]`.

    # Arguments
        argv: the arguments (default: `sys.argv[1:]`).

    # Returns
        The job's exit code (130 after Ctrl-C).
    """
    parser = argparse.ArgumentParser(
        prog='python -m kernelkit.distribute',
        description='Run a MultiWorkerMirroredStrategy script as N local worker processes, each with the '
                    'TF_CONFIG of its place in a cluster on 127.0.0.1 (free ports). Output lines are prefixed '
                    'with [worker i]; when one worker fails the others are stopped and its exit code is returned.')
    parser.add_argument('--workers', type=int, default=2, help='how many worker processes (default 2)')
    parser.add_argument('--timeout', type=float, default=None,
                        help='seconds after which the job is stopped as failed (exit code 124)')
    parser.add_argument('script', help='the Python script each worker runs')
    parser.add_argument('args', nargs=argparse.REMAINDER, help="the script's arguments")
    options = parser.parse_args(argv)
    if options.workers < 1:
        parser.error('--workers must be at least 1')
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)   # so the workers are ended on SIGTERM too
    if previous is None:   # a handler installed from C: restore the default rather than fail
        previous = signal.SIG_DFL
    try:
        return launch([sys.executable, options.script] + options.args, options.workers, timeout=options.timeout)
    except KeyboardInterrupt:
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)


if __name__ == '__main__':
    sys.exit(main())
