"""The writers of the kill matrix (tests/kill_matrix.py): for each one, what a child process does in a loop
until it is killed, and how the parent checks the file left behind.

A child reports its progress as markers (`S v` before writing version `v`, `D v` once the write returned,
`W v` when it opens a file for writing in the target's folder, `h v`/`H v` around a write of the harness
itself, `R` when set up). From the markers the parent knows the last version whose write completed and the
version being written when the kill came: the file must be exactly one of those two.

Versions are deterministic from their number, so the parent recomputes what each one must contain:
- HDF5 writers: weight arrays drawn from `numpy.random.RandomState(k)`;
- CSVLogger: the row `epoch,k,k + 0.5`;
- TensorBoard: the scalar `loss = k + 0.5` at the child's epoch;
- the migrator: a Keras 1 source (or notebook) numbered `k`, and what `migrate_source` makes of it.
"""
import csv
import io
import json
import os
import sys

import numpy as np

EPOCHS_FOREVER = 10 ** 6
MAX_ITERATIONS = 900  # a child that was never killed stops here (a harness error)


class HarnessError(Exception):
    """The harness itself failed (a child crashed or never reported): not a verdict about a writer."""


# --- helpers shared by the writers ----------------------------------------------------------------------
def completed_and_in_flight(state, events):
    """From the markers of one child: `(last completed version, version in flight or None)`.

    Before the child completed anything, the last completed version is the one the previous check found
    (`state['last']`). Harness writes (`h`/`H`) count like the writer's own (`S`/`D`).
    """
    last, flight = state.get('last'), None
    for kind, version in events:
        if kind in ('S', 'h'):
            flight = version
        elif kind in ('D', 'H'):
            last, flight = version, None
    return last, flight


def stray_files(directory, keep):
    """Names in `directory` other than those in `keep` (and the harness's own folder), sorted."""
    if not os.path.isdir(directory):
        return []
    return sorted(name for name in os.listdir(directory) if name not in keep and name != 'harness')


def build_model():
    """The small model every HDF5 writer saves (about 4,000 weights, with Adam's slots once trained)."""
    import kernelkit as keras
    model = keras.models.Sequential([keras.layers.Dense(48, input_shape=(24,), activation='relu'),
                                     keras.layers.Dense(48), keras.layers.Dense(6)])
    model.compile(optimizer='adam', loss='mse')
    return model


def version_weights(k, shapes):
    """The weights of version `k`: arrays of the given shapes drawn from `RandomState(k)`."""
    rng = np.random.RandomState(int(k) % (2 ** 31))
    return [rng.uniform(-1, 1, shape).astype('float32') for shape in shapes]


def _training_data():
    return np.zeros((8, 24), dtype='float32'), np.zeros((8, 6), dtype='float32')


def _marker_callbacks(emit, on_epoch):
    """Two callbacks around the writer under test: the first calls `on_epoch(epoch, logs)` (which returns the
    version about to be written, or None) and emits `S`; the second emits `D` once the writer returned."""
    import kernelkit as keras
    pending = []

    class Before(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            emit('R')

        def on_epoch_end(self, epoch, logs=None):
            version = on_epoch(epoch, logs)
            if version is not None:
                pending.append(version)
                emit('S', version)

    class After(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            while pending:
                emit('D', pending.pop())

    return Before(), After()


# --- HDF5 writers ---------------------------------------------------------------------------------------
class HDF5Writer(object):
    """`model.save`, `model.save_weights` or `ModelCheckpoint` (with or without `save_best_only`) rewriting
    one file; the check loads it (`load_model`, or `load_weights` into a fresh model)."""

    aim = 'S'
    filename = 'model.h5'

    def __init__(self, name, how):
        self.name, self.how = name, how
        self._template = None

    def child(self, work, k0, emit, limit):
        model = build_model()
        shapes = [w.shape for w in model.get_weights()]
        path = os.path.join(work, self.filename)
        if self.how in ('save', 'save_weights'):
            emit('R')
            for k in range(k0, k0 + (limit or MAX_ITERATIONS)):
                model.set_weights(version_weights(k, shapes))
                emit('S', k)
                (model.save if self.how == 'save' else model.save_weights)(path)
                emit('D', k)
            return
        import kernelkit as keras
        best = [-np.inf]

        def on_epoch(epoch, logs):
            k = k0 + epoch
            if epoch >= MAX_ITERATIONS:
                raise HarnessError('the child was not killed')
            model.set_weights(version_weights(k, shapes))
            logs['score'] = float(k // 2)  # improves every other epoch
            if self.how == 'checkpoint_best':
                if logs['score'] <= best[0]:
                    return None
                best[0] = logs['score']
            return k

        before, after = _marker_callbacks(emit, on_epoch)
        checkpoint = keras.callbacks.ModelCheckpoint(path, monitor='score', mode='max',
                                                     save_best_only=self.how == 'checkpoint_best')
        x, y = _training_data()
        model.fit(x, y, batch_size=8, epochs=limit or EPOCHS_FOREVER, verbose=0,
                  callbacks=[before, checkpoint, after])

    def _loaded_weights(self, path):
        import kernelkit as keras
        if self.how == 'save_weights':
            if self._template is None:
                self._template = build_model()
            self._template.load_weights(path)
            return self._template.get_weights()
        return keras.models.load_model(path).get_weights()

    def check(self, work, state, events):
        """Returns `(intact, detail)`; on success `state['last']` becomes the version found."""
        last, flight = completed_and_in_flight(state, events)
        candidates = [v for v in (last, flight) if v is not None]
        path = os.path.join(work, self.filename)
        if not os.path.exists(path):
            return False, '%s is missing (expected version %s)' % (self.filename, candidates)
        try:
            weights = self._loaded_weights(path)
        except Exception as error:  # any failure to load is a loss
            return False, '%s does not load: %s: %s' % (self.filename, type(error).__name__, error)
        shapes = [w.shape for w in weights]
        for version in candidates:
            expected = version_weights(version, shapes)
            if all(np.array_equal(a, b) for a, b in zip(weights, expected)):
                state['last'] = version
                return True, 'version %s' % version
        return False, '%s loads but holds none of the versions %s' % (self.filename, candidates)

    def strays(self, work):
        return stray_files(work, {self.filename})


# --- CSVLogger ------------------------------------------------------------------------------------------
class CSVWriter(object):
    """`CSVLogger(append=True)`: every run of three epochs appends rows `epoch,k,loss` to one file. The check
    reads it back: the header, then every row complete and exactly the rows appended so far (the row being
    written when the kill came may be missing, or be there in full, or be a partial last line, which the
    next appending run must remove)."""

    aim = 'S'
    filename = 'log.csv'
    header = 'epoch,k,loss'

    name = 'CSVLogger(append)'

    def child(self, work, k0, emit, limit):
        import kernelkit as keras
        model = build_model()
        x, y = _training_data()
        counter = [k0]

        def on_epoch(epoch, logs):
            k = counter[0]
            counter[0] += 1
            logs['k'] = k
            logs['loss'] = k + 0.5
            return '%d-%d' % (k, epoch)

        runs = limit or MAX_ITERATIONS
        for _ in range(runs):
            before, after = _marker_callbacks(emit, on_epoch)
            logger = keras.callbacks.CSVLogger(os.path.join(work, self.filename), append=True)
            model.fit(x, y, batch_size=8, epochs=3, verbose=0, callbacks=[before, logger, after])

    @staticmethod
    def row_text(version):
        k, epoch = (int(part) for part in version.split('-'))
        return '%d,%d,%r' % (epoch, k, k + 0.5)

    def check(self, work, state, events):
        rows = list(state.get('rows', []))
        flight = None
        for kind, version in events:
            if kind == 'S':
                flight = version
            elif kind == 'D':
                rows.append(version)
                flight = None
        path = os.path.join(work, self.filename)
        with open(path, 'rb') as f:
            text = f.read().decode('utf-8')
        lines = text.split('\r\n')
        partial = lines.pop()  # '' when the file ends with a line end
        if not lines or lines[0] != self.header:
            return False, 'the header is %r, not %r' % (lines[:1], self.header)
        found = lines[1:]
        expected = [self.row_text(v) for v in rows]
        if flight and found == expected + [self.row_text(flight)]:
            rows.append(flight)
        elif found != expected:
            bad = next((i for i, (a, b) in enumerate(zip(found, expected)) if a != b), min(len(found), len(expected)))
            return False, 'row %d is %r, expected %r (%d rows found, %d expected)' % (
                bad + 1, found[bad:bad + 1], expected[bad:bad + 1], len(found), len(expected))
        if partial and not (flight and self.row_text(flight).startswith(partial)):
            return False, 'the file ends with a line that is no row being written: %r' % partial
        for row in csv.reader(io.StringIO('\r\n'.join(lines))):  # the csv module reads it, too
            if len(row) != 3:
                return False, 'the csv reader finds a row of %d fields: %r' % (len(row), row)
        state['rows'] = rows
        state['partial_lines'] = state.get('partial_lines', 0) + bool(partial)
        return True, '%d rows%s' % (len(rows), ', a partial last line' if partial else '')

    def strays(self, work):
        return stray_files(work, {self.filename})


# --- TensorBoard ----------------------------------------------------------------------------------------
def read_events(path):
    """Reads an event file with `tf.data.TFRecordDataset`: `(events, truncated)`, where `truncated` is True
    when TensorFlow reported a truncated (or corrupt) last record with `DataLossError` after the complete ones.
    """
    import tensorflow as tf
    from tensorflow.core.util import event_pb2
    events, truncated = [], False
    try:
        for record in tf.data.TFRecordDataset(path):
            events.append(event_pb2.Event.FromString(record.numpy()))
    except tf.errors.DataLossError:
        truncated = True
    return events, truncated


def logged_scalars(events, tag='loss'):
    """`[(step, value)]` of the scalar summaries named `tag`, in file order."""
    import tensorflow as tf
    found = []
    for event in events:
        for value in event.summary.value:
            if value.tag == tag:
                found.append((int(event.step), float(tf.make_ndarray(value.tensor))))
    return found


class TensorBoardWriter(object):
    """The `TensorBoard` callback (graph, weight histograms and scalars every epoch) writing one event file per
    child into a shared log folder. The check reads the killed child's file: every complete record parses,
    and the scalars are exactly those of the epochs written (plus, perhaps, the one in flight); a truncated
    last record must be reported by TensorFlow's reader, never parsed as data. Earlier files must stay as
    they were checked."""

    aim = 'S'
    name = 'TensorBoard'

    def child(self, work, k0, emit, limit):
        import kernelkit as keras
        model = build_model()
        x, y = _training_data()

        def on_epoch(epoch, logs):
            if epoch >= MAX_ITERATIONS:
                raise HarnessError('the child was not killed')
            logs['loss'] = k0 + epoch + 0.5
            return '%d-%d' % (k0 + epoch, epoch)

        before, after = _marker_callbacks(emit, on_epoch)
        board = keras.callbacks.TensorBoard(work, histogram_freq=1, write_graph=True)
        model.fit(x, y, batch_size=8, epochs=limit or EPOCHS_FOREVER, verbose=0, callbacks=[before, board, after])

    @staticmethod
    def _files(work):
        return sorted(name for name in os.listdir(work) if name.startswith('events.out.tfevents.'))

    def check(self, work, state, events):
        known = state.setdefault('files', {})
        new = [name for name in self._files(work) if name not in known]
        done = [v for kind, v in events if kind == 'D']
        flight = next((v for kind, v in reversed(events) if kind == 'S'), None)
        flight = flight if flight not in done else None
        expected = [(int(v.split('-')[1]), int(v.split('-')[0]) + 0.5) for v in done]
        if len(new) > 1:
            return False, 'the child wrote %d event files: %s' % (len(new), new)
        if not new:
            return (not done), 'no event file' + (' but %d epochs were written' % len(done) if done else '')
        try:
            records, truncated = read_events(os.path.join(work, new[0]))
        except Exception as error:
            return False, '%s does not read: %s: %s' % (new[0], type(error).__name__, error)
        scalars = logged_scalars(records)
        with_flight = expected + ([(int(flight.split('-')[1]), int(flight.split('-')[0]) + 0.5)] if flight else [])
        if scalars not in (expected, with_flight):
            return False, '%s holds the scalars %s, expected %s' % (new[0], scalars[-3:], expected[-3:])
        known[new[0]] = scalars
        state['truncated'] = state.get('truncated', 0) + truncated
        return True, '%d records, %d scalars%s' % (len(records), len(scalars), ', truncated tail' if truncated else '')

    def final_check(self, work, state):
        """Re-reads every event file: each must still hold the scalars found when it was checked."""
        for name, scalars in sorted(state.get('files', {}).items()):
            if logged_scalars(read_events(os.path.join(work, name))[0]) != scalars:
                return False, '%s changed after it was checked' % name
        return True, ''

    def strays(self, work):
        return [name for name in os.listdir(work) if not name.startswith('events.out.tfevents.')]


# --- the migrator ---------------------------------------------------------------------------------------
def keras1_source(k, layers=30):
    """A Keras 1 script numbered `k` that the migrator rewrites (Dense arguments, `nb_epoch`)."""
    lines = ['"""A Keras 1 script, version %d."""' % k, 'from keras.models import Sequential',
             'from keras.layers import Dense', '', 'model = Sequential()']
    lines += ["model.add(Dense(output_dim=%d, init='uniform', input_dim=%d))  # layer %d" % (k % 97 + i + 1, 8 + i, i)
              for i in range(layers)]
    lines += ["model.compile(loss='mse', optimizer='sgd')", 'model.fit(x, y, nb_epoch=%d, verbose=0)' % (k % 50 + 1)]
    return '\n'.join(lines) + '\n'


def keras1_notebook(k):
    """A notebook numbered `k`: a markdown cell, a code cell with a magic and outputs, the Keras 1 script."""
    source = keras1_source(k, layers=20)
    cells = [
        {'cell_type': 'markdown', 'id': 'intro-%d' % k, 'metadata': {}, 'source': ['# Version %d\n' % k]},
        {'cell_type': 'code', 'execution_count': 1, 'id': 'code-%d' % k, 'metadata': {'tags': ['k%d' % k]},
         'outputs': [{'name': 'stdout', 'output_type': 'stream', 'text': ['ran %d\n' % k]}],
         'source': ['%matplotlib inline\n'] + source.splitlines(True)},
    ]
    notebook = {'cells': cells, 'metadata': {'kernelspec': {'name': 'python3', 'display_name': 'Python 3',
                                                            'language': 'python'}},
                'nbformat': 4, 'nbformat_minor': 5}
    return json.dumps(notebook, indent=1) + '\n'


class MigrateWriter(object):
    """`kernelkit migrate --inplace PATH` (the command line's `main`) on a `.py` file or a notebook. Each
    round the harness first puts a fresh Keras 1 version in place (atomically, from its own folder), then
    the migrator rewrites it. The check: the file is byte for byte the old or the new source."""

    aim = 'W'

    def __init__(self, name, filename, make):
        self.name, self.filename, self.make = name, filename, make
        self._cache = {}

    def child(self, work, k0, emit, limit):
        from kernelkit import cli
        path = os.path.join(work, self.filename)
        directory = os.path.dirname(os.path.abspath(path))
        writing = [None]

        def audit(event, args):
            if event == 'open' and writing[0] is not None and isinstance(args[0], str) and \
                    isinstance(args[2], int) and args[2] & (os.O_WRONLY | os.O_RDWR) and \
                    os.path.dirname(os.path.abspath(args[0])) == directory:
                emit('W', writing[0])

        sys.addaudithook(audit)
        harness = os.path.join(work, 'harness')
        os.makedirs(harness, exist_ok=True)
        emit('R')
        for k in range(k0, k0 + (limit or MAX_ITERATIONS)):
            emit('h', 'o%d' % k)
            staging = os.path.join(harness, self.filename)
            with open(staging, 'w', encoding='utf-8') as f:
                f.write(self.make(k))
            os.replace(staging, path)
            emit('H', 'o%d' % k)
            emit('S', 'n%d' % k)
            writing[0] = 'n%d' % k
            status = cli.main(['migrate', '--inplace', '-q', path])
            writing[0] = None
            if status:
                raise HarnessError('the migrator returned %r on version %d' % (status, k))
            emit('D', 'n%d' % k)

    def content(self, version):
        """The bytes version `o<k>` (the Keras 1 source) or `n<k>` (its migration) must have."""
        if version not in self._cache:
            from kernelkit.legacy import migrate
            old = self.make(int(version[1:]))
            if version[0] == 'o':
                text = old
            elif self.filename.endswith('.ipynb'):
                text = migrate.migrate_notebook(old)[0]
            else:
                text = migrate.migrate_source(old)[0]
            self._cache[version] = text.encode('utf-8')
        return self._cache[version]

    def check(self, work, state, events):
        last, flight = completed_and_in_flight(state, events)
        candidates = [v for v in (last, flight) if v is not None]
        path = os.path.join(work, self.filename)
        if not os.path.exists(path):
            return False, '%s is missing (expected %s)' % (self.filename, candidates)
        with open(path, 'rb') as f:
            data = f.read()
        found = next((version for version in candidates if data == self.content(version)), None)
        if found is None:
            return False, '%s (%d bytes) is none of the versions %s (%s bytes)' % (
                self.filename, len(data), candidates, [len(self.content(v)) for v in candidates])
        # The backup (`FILE.bak`, when the migrator keeps one) must be the original of the last migration that
        # completed, or of the one the kill interrupted.
        completed, migrating = state.get('migrated'), None
        for kind, version in events:
            if kind == 'S':
                migrating = int(version[1:])
            elif kind == 'D':
                completed, migrating = int(version[1:]), None
        allowed = [n for n in (completed, migrating) if n is not None]
        backup = path + '.bak'
        if os.path.exists(backup):
            with open(backup, 'rb') as f:
                kept = f.read()
            holds = [n for n in allowed if kept == self.content('o%d' % n)]
            if not holds:
                return False, '%s.bak (%d bytes) is not the original of migration %s' % (
                    self.filename, len(kept), allowed)
            completed = holds[-1]  # an interrupted migration may have replaced the backup already
        state['last'], state['migrated'] = found, completed
        return True, 'version %s' % found

    def strays(self, work):
        return stray_files(work, {self.filename, self.filename + '.bak'})


WRITERS = {w.name: w for w in [
    HDF5Writer('model.save', 'save'),
    HDF5Writer('model.save_weights', 'save_weights'),
    HDF5Writer('ModelCheckpoint', 'checkpoint'),
    HDF5Writer('ModelCheckpoint(best_only)', 'checkpoint_best'),
    CSVWriter(),
    TensorBoardWriter(),
    MigrateWriter('migrate --inplace .py', 'script.py', keras1_source),
    MigrateWriter('migrate --inplace .ipynb', 'notebook.ipynb', keras1_notebook),
]}
