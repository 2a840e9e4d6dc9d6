"""The kill matrix: every kernelkit writer is killed with SIGKILL at random moments (seeded), and the file it
was rewriting must still load intact, as the previous version or the new one (issue 15, item 3).

    .venv/bin/python tests/kill_matrix.py [--kills 100] [--seed 0] [--writer NAME ...]

The writers and their checks are in tests/kill_writers.py. How a kill goes:
- a fork server (this file with `--fork-server`) imports kernelkit, TensorFlow, h5py and the migrator once,
  runs no TensorFlow op, and forks a child per kill, so a kill costs a fork, not a 3-4 s import;
- the child sets up its writer and rewrites the file in a loop, each time with a new version, reporting its
  progress on a FIFO (markers, see kill_writers.py);
- the parent reads the markers and kills the child with SIGKILL: three kills in four are aimed at a write
  (a random delay, up to 1.5 times the writes' mean duration, after the child said it starts one, or opens a
  file for writing), the others come at a random moment of the loop;
- once the child is gone, the parent checks the file (loads it, parses it, compares it with the versions
  the markers allow) and counts the temporary files left beside it.

Exits with status 1 when any check fails (a loss) and 2 when the harness itself failed.
"""
import argparse
import json
import os
import random
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kill_writers import WRITERS, HarnessError  # noqa: E402

AIMED_SHARE = 0.75
CHILD_TIMEOUT = 120.0  # seconds a child may take to report (its set-up includes TensorFlow's first ops)


# --- the fork server (a separate process) -----------------------------------------------------------------
def _child_main(request):
    """In a forked child: run the writer's loop, reporting markers on the request's FIFO, until killed."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    log = os.open(request['log'], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(log, 1)
    os.dup2(log, 2)
    fifo = os.open(request['fifo'], os.O_WRONLY)

    def emit(kind, version=''):
        os.write(fifo, ('%s %s\n' % (kind, version)).encode())

    status = 0
    try:
        emit('+')
        WRITERS[request['writer']].child(request['work'], request['k0'], emit, request['limit'])
        emit('X')
    except BaseException as error:  # reported to the parent, which stops the matrix
        import traceback
        traceback.print_exc()
        emit('E', ('%s: %s' % (type(error).__name__, error)).replace('\n', ' '))
        status = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)


def serve():
    """The fork server: preloads the libraries, then forks a child per JSON request read from stdin and
    answers with the child's process id. Children are reaped by the kernel (SIGCHLD ignored)."""
    import h5py  # noqa: F401
    import kernelkit  # noqa: F401
    import kernelkit.callbacks  # noqa: F401
    import kernelkit.legacy.migrate  # noqa: F401
    import tensorflow  # noqa: F401
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    sys.stdout.write('ready\n')
    sys.stdout.flush()
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child_main(request)
        sys.stdout.write('%d\n' % pid)
        sys.stdout.flush()


class ForkServer(object):
    """The parent's handle on the fork server process.

    # Arguments
        log: path of the file the server's (and its children's) output goes to.
    """

    def __init__(self, log):
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL='2')
        self.log = open(log, 'ab')
        self.process = subprocess.Popen([sys.executable, os.path.abspath(__file__), '--fork-server'],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, env=env)
        if self.process.stdout.readline().strip() != b'ready':
            raise HarnessError('the fork server did not start (see %s)' % log)

    def spawn(self, request):
        """Forks a child for `request` (a dict: writer, work, k0, limit, fifo, log); returns its pid."""
        self.process.stdin.write((json.dumps(request) + '\n').encode())
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        if not answer.strip().isdigit():
            raise HarnessError('the fork server stopped (answered %r)' % answer)
        return int(answer)

    def close(self):
        """Stops the server."""
        self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


# --- one child -------------------------------------------------------------------------------------------
class Timing(object):
    """Running means of a writer's write windows (aim marker to `D`) and loop periods (`D` to `D`)."""

    def __init__(self):
        self.window, self.windows = 0.0, 0
        self.period, self.periods = 0.0, 0

    def add(self, stamped, aim):
        last_aim, last_done = None, None
        for stamp, kind, _ in stamped:
            if kind == aim and last_aim is None:
                last_aim = stamp
            elif kind == 'D':
                if last_aim is not None:
                    self.window += stamp - last_aim
                    self.windows += 1
                if last_done is not None:
                    self.period += stamp - last_done
                    self.periods += 1
                last_aim, last_done = None, stamp

    def mean_window(self):
        return self.window / self.windows if self.windows else 0.005

    def mean_period(self):
        return self.period / self.periods if self.periods else 0.02


def _wait_gone(pid, timeout=30.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.002)
    raise HarnessError('process %d did not end after SIGKILL' % pid)


def run_child(server, writer, work, k0, rng, timing, kill=True, scratch=None):
    """Runs one child of `writer` and kills it (when `kill`); returns `(events, in_write)`, events being the
    `(kind, version)` markers it reported. With `kill=False` the child writes one version and exits."""
    fifo = os.path.join(scratch, 'child.fifo')
    if os.path.exists(fifo):
        os.remove(fifo)
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    pid = server.spawn({'writer': writer.name, 'work': work, 'k0': k0, 'limit': 0 if kill else 1,
                        'fifo': fifo, 'log': os.path.join(scratch, 'children.log')})
    aimed = rng.random() < AIMED_SHARE
    aim_at = rng.randint(1, 3)  # the aim marker to kill after
    delay = rng.uniform(0, 1.5 * timing.mean_window() if aimed else 4 * timing.mean_period())
    stamped, buffer, connected, killed, aims = [], b'', False, False, 0
    deadline = time.time() + CHILD_TIMEOUT
    try:
        while True:
            if time.time() > deadline:
                os.kill(pid, signal.SIGKILL)
                raise HarnessError('the %s child reported nothing for %d s' % (writer.name, CHILD_TIMEOUT))
            ready, _, _ = select.select([reader], [], [], 0.5)
            if not ready:
                continue
            data = os.read(reader, 65536)
            if not data:
                if connected:
                    break  # the child is gone: every writer of the FIFO closed it
                time.sleep(0.001)  # the child has not opened the FIFO yet
                continue
            connected = True
            buffer += data
            *lines, buffer = buffer.split(b'\n')
            for line in lines:
                kind, _, version = line.decode().partition(' ')
                stamped.append((time.time(), kind, version))
                if kind == 'E':
                    raise HarnessError('the %s child failed: %s' % (writer.name, version))
                if kill and not killed and ((aimed and kind == writer.aim) or (not aimed and kind == 'R')):
                    aims += 1
                    if not aimed or aims == aim_at:
                        if delay > 0:
                            time.sleep(delay)
                        os.kill(pid, signal.SIGKILL)
                        killed = True
        _wait_gone(pid)
    finally:
        os.close(reader)
        os.remove(fifo)
    if not kill and not any(kind == 'X' for _, kind, _ in stamped):
        raise HarnessError('the %s child ended without finishing its write' % writer.name)
    timing.add(stamped, writer.aim)
    events = [(kind, version) for _, kind, version in stamped if kind in 'SDhH']
    ops = [kind for kind, _ in events if kind in 'SD']
    return events, bool(ops) and ops[-1] == 'S'


# --- the matrix ------------------------------------------------------------------------------------------
def run_writer(server, writer, kills, seed, root):
    """Kills `writer` `kills` times; returns its row of the table (a dict)."""
    work = os.path.join(root, writer.name.replace(' ', '_').replace('(', '_').replace(')', ''))
    scratch = os.path.join(root, '.scratch')
    os.makedirs(work, exist_ok=True)
    os.makedirs(scratch, exist_ok=True)
    rng = random.Random('%s/%s' % (seed, writer.name))
    timing, state = Timing(), {}
    events, _ = run_child(server, writer, work, 0, rng, timing, kill=False, scratch=scratch)
    ok, detail = writer.check(work, state, events)
    if not ok:
        raise HarnessError('the first good %s file does not check: %s' % (writer.name, detail))
    row = {'writer': writer.name, 'kills': 0, 'intact': 0, 'losses': 0, 'in_write': 0, 'strays_left': 0,
           'strays_max': 0, 'stray_names': set(), 'failures': [], 'seconds': 0.0}
    started = time.time()
    for number in range(1, kills + 1):
        events, in_write = run_child(server, writer, work, number * 1000, rng, timing, scratch=scratch)
        ok, detail = writer.check(work, state, events)
        row['kills'] += 1
        row['in_write'] += in_write
        if ok:
            row['intact'] += 1
        else:
            row['losses'] += 1
            row['failures'].append('kill %d%s: %s' % (number, ' (in a write)' if in_write else '', detail))
        strays = writer.strays(work)
        row['strays_max'] = max(row['strays_max'], len(strays))
        row['stray_names'].update(strays)
    if hasattr(writer, 'final_check'):
        ok, detail = writer.final_check(work, state)
        if not ok:
            row['losses'] += 1
            row['failures'].append('final check: %s' % detail)
    row['strays_left'] = len(writer.strays(work))
    row['seconds'] = time.time() - started
    row['truncated_tails'] = state.get('truncated', 0)
    row['partial_lines'] = state.get('partial_lines', 0)
    row['mean_write_ms'] = 1000 * timing.mean_window()
    return row


def run_matrix(names=None, kills=100, seed=0, root=None, progress=None):
    """Runs the matrix for the writers `names` (all by default); returns the rows (dicts).

    # Arguments
        names: writer names (keys of `kill_writers.WRITERS`), or None for all.
        kills: kills per writer.
        seed: seed of the kill moments.
        root: folder for the files (a temporary one, removed afterwards, by default).
        progress: optional callable given each finished row.

    # Raises
        HarnessError: when the harness itself fails.
        KeyError: for an unknown writer name.
    """
    writers = [WRITERS[name] for name in (names or list(WRITERS))]
    own_root = root is None
    root = root or tempfile.mkdtemp(prefix='kernelkit-kill-')
    os.makedirs(root, exist_ok=True)
    server = ForkServer(os.path.join(root, 'server.log'))
    rows = []
    try:
        for writer in writers:
            rows.append(run_writer(server, writer, kills, seed, root))
            if progress:
                progress(rows[-1])
    finally:
        server.close()
        if own_root:
            shutil.rmtree(root, ignore_errors=True)
    return rows


def format_table(rows):
    """The table: writer | kills | intact | losses | stray temp files, and the kills that landed in a write."""
    lines = ['%-28s %6s %7s %7s %9s %20s' % ('writer', 'kills', 'intact', 'losses', 'in write', 'stray temp files'),
             '-' * 82]
    for row in rows:
        strays = '%d left (max %d)' % (row['strays_left'], row['strays_max'])
        lines.append('%-28s %6d %7d %7d %9d %20s' % (row['writer'], row['kills'], row['intact'], row['losses'],
                                                      row['in_write'], strays))
    total = {key: sum(row[key] for row in rows) for key in ('kills', 'intact', 'losses', 'in_write')}
    lines.append('-' * 82)
    lines.append('%-28s %6d %7d %7d %9d' % ('total', total['kills'], total['intact'], total['losses'],
                                             total['in_write']))
    return '\n'.join(lines)


def notes(rows):
    """Lines on what the table does not show: stray names, truncated TensorBoard tails, partial CSV lines,
    the writes' mean durations, and each failure."""
    lines = []
    for row in rows:
        extra = ['mean write %.1f ms' % row['mean_write_ms'], '%.0f s' % row['seconds']]
        if row['stray_names']:
            extra.append('temp names seen: %s' % ', '.join(sorted(row['stray_names'])[:3]))
        if row['truncated_tails']:
            extra.append('%d truncated last records, each reported by TFRecordDataset (DataLossError)'
                         % row['truncated_tails'])
        if row['partial_lines']:
            extra.append('%d partial last rows, removed by the next append' % row['partial_lines'])
        lines.append('%s: %s' % (row['writer'], '; '.join(extra)))
        lines.extend('  LOSS %s' % failure for failure in row['failures'])
    return '\n'.join(lines)


def _row_for_json(row):
    return dict(row, stray_names=sorted(row['stray_names']))


def run_lanes(names, kills, seed, keep, lanes):
    """Runs the writers in `lanes` parallel processes (each with its own fork server), writers dealt round
    robin; returns the rows in the writers' order. Each lane prints its progress lines as it goes.

    # Raises
        HarnessError: when a lane fails.
    """
    names = names or list(WRITERS)
    scratch = tempfile.mkdtemp(prefix='kernelkit-kill-lanes-')
    processes = []
    try:
        for lane in range(lanes):
            mine = names[lane::lanes]
            if not mine:
                continue
            output = os.path.join(scratch, 'lane%d.json' % lane)
            command = [sys.executable, os.path.abspath(__file__), '--kills', str(kills), '--seed', str(seed),
                       '--lanes', '1', '--json', output]
            if keep:
                command += ['--keep', os.path.join(keep, 'lane%d' % lane)]
            for name in mine:
                command += ['--writer', name]
            processes.append((subprocess.Popen(command), output))
        rows = {}
        failed = []
        for process, output in processes:
            if process.wait() == 2 or not os.path.exists(output):
                failed.append(output)
                continue
            with open(output) as f:
                rows.update((row['writer'], row) for row in json.load(f))
        if failed:
            raise HarnessError('%d lane(s) failed (their errors are above)' % len(failed))
        return [rows[name] for name in names]
    finally:
        for process, _ in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        shutil.rmtree(scratch, ignore_errors=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--kills', type=int, default=100, help='kills per writer')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--writer', action='append', choices=list(WRITERS), help='only this writer (repeatable)')
    parser.add_argument('--lanes', type=int, default=2, help='writers run in this many parallel processes')
    parser.add_argument('--keep', metavar='DIR', help='write the files under DIR and keep them')
    parser.add_argument('--json', metavar='FILE', help=argparse.SUPPRESS)  # a lane's rows, for its parent
    parser.add_argument('--fork-server', action='store_true', help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.fork_server:
        serve()
        return 0
    started = time.time()

    def progress(row):
        print('%s: %d kills, %d losses (%.0f s)' % (row['writer'], row['kills'], row['losses'], row['seconds']),
              flush=True)

    try:
        if options.lanes > 1:
            rows = run_lanes(options.writer, options.kills, options.seed, options.keep, options.lanes)
        else:
            rows = run_matrix(options.writer, options.kills, options.seed, options.keep, progress=progress)
    except HarnessError as error:
        print('kill matrix: harness error: %s' % error, file=sys.stderr)
        return 2
    if options.json:
        with open(options.json, 'w') as f:
            json.dump([_row_for_json(row) for row in rows], f)
        return 1 if any(row['losses'] for row in rows) else 0
    print()
    print(format_table(rows))
    print()
    print(notes(rows))
    print('\nseed %d, %d lane(s), %.0f s in all' % (options.seed, options.lanes, time.time() - started))
    return 1 if any(row['losses'] for row in rows) else 0


if __name__ == '__main__':
    sys.exit(main())
