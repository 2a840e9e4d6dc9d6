"""kill -9 while writing (issue 15, item 3): a few seeded kills of every writer through the kill matrix
(tests/kill_matrix.py; `make kill-matrix` runs 100 per writer), the writers' own safeguards (stale temporary
files removed, permissions kept, CSV rows synced and a partial last row repaired), what TensorFlow's record
reader guarantees for a truncated event file, and checks that the matrix's checkers do flag damaged files."""
import glob
import io
import os
import stat
import subprocess
import sys
import warnings

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kill_matrix as M  # noqa: E402
import kill_writers as W  # noqa: E402

import kernelkit as keras  # noqa: E402
from kernelkit.utils import atomic_files  # noqa: E402

KILLS = 4


@pytest.fixture(scope='module')
def matrix(tmp_path_factory):
    return {row['writer']: row for row in M.run_matrix(kills=KILLS, seed=11,
                                                        root=str(tmp_path_factory.mktemp('kills')))}


@pytest.mark.parametrize('name', list(W.WRITERS))
def test_a_killed_writer_leaves_the_previous_or_the_new_file(matrix, name):
    row = matrix[name]
    assert row['failures'] == [] and row['losses'] == 0, row['failures']
    assert row['kills'] == KILLS and row['intact'] == KILLS
    # What a kill leaves beside the file is hidden and named so that nothing takes it for the file itself
    # (no loader's or the migrator's extension); kernelkit's own HDF5 temporaries do not pile up.
    assert all(n.startswith('.') and not n.endswith(('.h5', '.csv', '.py', '.ipynb'))
               for n in row['stray_names']), row['stray_names']
    if name.startswith(('model.', 'ModelCheckpoint')):
        assert row['strays_max'] <= 1, row['stray_names']


def test_kills_land_inside_writes(matrix):
    assert sum(row['in_write'] for row in matrix.values()) >= len(matrix) // 2
    assert matrix['model.save']['in_write'] >= 1


def _model():
    model = keras.models.Sequential([keras.layers.Dense(3, input_shape=(4,))])
    model.compile(optimizer='sgd', loss='mse')
    return model


def _dead_pid():
    child = subprocess.Popen([sys.executable, '-c', 'pass'])
    child.wait()
    return child.pid


def test_a_save_removes_temporary_files_of_dead_writers_only(tmp_path):
    host = atomic_files.temporary_tag().split('@', 1)[1]
    dead = tmp_path / ('.m.h5.kk%d@%s.0123abcd.tmp' % (_dead_pid(), host))
    alive = tmp_path / ('.m.h5.kk%d@%s.0123abcd.tmp' % (os.getppid(), host))
    elsewhere = tmp_path / ('.m.h5.kk%d@another-host.0123abcd.tmp' % _dead_pid())
    other_file = tmp_path / ('.n.h5.kk%d@%s.0123abcd.tmp' % (_dead_pid(), host))
    for path in (dead, alive, elsewhere, other_file):
        path.write_bytes(b'half a file')
    model = _model()
    model.save(str(tmp_path / 'm.h5'))
    assert not dead.exists()
    assert alive.exists() and elsewhere.exists() and other_file.exists()
    assert sorted(os.listdir(tmp_path)) == sorted(['m.h5', alive.name, elsewhere.name, other_file.name])
    np.testing.assert_array_equal(keras.models.load_model(str(tmp_path / 'm.h5')).get_weights()[0],
                                  model.get_weights()[0])


def test_a_migration_removes_temporary_files_of_dead_migrations(tmp_path):
    from kernelkit.legacy import migrate_files
    host = atomic_files.temporary_tag().split('@', 1)[1]
    dead = tmp_path / ('.old.py.kk%d@%s.0123abcd.tmp' % (_dead_pid(), host))
    dead.write_bytes(b'half a file')
    script = tmp_path / 'old.py'
    script.write_text('from keras.layers import Dense\nDense(10, init="normal")\n')
    migrate_files.migrate_file(str(script), inplace=True, out=io.StringIO(), err=io.StringIO())
    assert "kernel_initializer" in script.read_text()
    assert sorted(os.listdir(tmp_path)) == ['old.py', 'old.py.bak']


def test_a_save_keeps_the_usual_permissions(tmp_path):
    umask = os.umask(0o022)
    try:
        path = str(tmp_path / 'w.h5')
        _model().save_weights(path)
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o644  # as h5py's own new file (not mkstemp's 0600)
        os.chmod(path, 0o640)
        _model().save(path)
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o640  # replacing a file keeps its mode
    finally:
        os.umask(umask)


def _fit_with_csv(path, epochs=1):
    model = _model()
    model.fit(np.zeros((4, 4)), np.zeros((4, 3)), epochs=epochs, verbose=0,
              callbacks=[keras.callbacks.CSVLogger(path, append=True)])


def test_csv_logger_appending_removes_a_partial_last_row(tmp_path):
    path = str(tmp_path / 'log.csv')
    with open(path, 'w', newline='') as f:
        f.write('epoch,loss\r\n0,0.5\r\n1,0.2')  # killed in the middle of the second row
    with pytest.warns(RuntimeWarning, match='incomplete line'):
        _fit_with_csv(path)
    with open(path, newline='') as f:
        lines = f.read().split('\r\n')
    assert lines[:2] == ['epoch,loss', '0,0.5']
    assert len(lines) == 4 and lines[2].startswith('0,') and lines[3] == ''
    with warnings.catch_warnings():
        warnings.simplefilter('error')  # a complete file is appended to without a warning
        _fit_with_csv(path)


def test_csv_logger_appending_to_a_partial_header_writes_the_header(tmp_path):
    path = str(tmp_path / 'log.csv')
    with open(path, 'w', newline='') as f:
        f.write('epo')
    with pytest.warns(RuntimeWarning, match='3 bytes'):
        _fit_with_csv(path)
    with open(path, newline='') as f:
        assert f.read().split('\r\n')[0] == 'epoch,loss'


def test_csv_logger_syncs_every_row(tmp_path, monkeypatch):
    synced = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, 'fsync', lambda fd: synced.append(fd) or real_fsync(fd))
    _fit_with_csv(str(tmp_path / 'log.csv'), epochs=3)
    assert len(synced) == 3


def _event_file(directory, steps=3):
    import tensorflow as tf
    writer = tf.summary.create_file_writer(str(directory))
    with writer.as_default():
        for step in range(steps):
            tf.summary.write('loss', tf.constant(step + 0.5), step=step)
    writer.close()
    return glob.glob(str(directory / 'events.out.tfevents.*'))[0]


def _record_ends(data):
    ends, offset = [], 0
    while offset < len(data):
        offset += 12 + int.from_bytes(data[offset:offset + 8], 'little') + 4  # length, its CRC, data, CRC
        ends.append(offset)
    return ends


def test_a_truncated_event_file_yields_only_its_complete_records(tmp_path):
    """TFRecord framing: length (8 bytes), masked CRC-32C of the length (4), data, masked CRC-32C of the
    data (4). Cut inside the 12-byte header, the reader stops cleanly; cut later, it reports DataLossError
    ('truncated record'); either way after yielding exactly the complete records, never a partial one."""
    path = _event_file(tmp_path)
    with open(path, 'rb') as f:
        data = f.read()
    ends = _record_ends(data)
    assert ends[-1] == len(data) and len(ends) == 4  # the file-version event and three scalars
    complete = W.logged_scalars(W.read_events(path)[0])
    assert complete == [(0, 0.5), (1, 1.5), (2, 2.5)]
    for cut in range(ends[-2] + 1, ends[-1]):
        with open(path, 'wb') as f:
            f.write(data[:cut])
        events, truncated = W.read_events(path)
        assert W.logged_scalars(events) == complete[:2], cut
        assert truncated == (cut - ends[-2] >= 12), cut
    flipped = bytearray(data)
    flipped[ends[-2] + 14] ^= 0x01  # one bit of the last record's data: its CRC no longer matches
    with open(path, 'wb') as f:
        f.write(bytes(flipped))
    events, truncated = W.read_events(path)
    assert truncated and W.logged_scalars(events) == complete[:2]


def test_the_hdf5_checker_flags_damaged_and_stale_files(tmp_path):
    writer = W.HDF5Writer('model.save', 'save')
    model = W.build_model()
    shapes = [w.shape for w in model.get_weights()]
    path = str(tmp_path / writer.filename)
    model.set_weights(W.version_weights(5, shapes))
    model.save(path)
    assert writer.check(str(tmp_path), {}, [('S', '5'), ('D', '5')])[0]
    assert writer.check(str(tmp_path), {'last': '4'}, [('S', '5')])[0]  # the version in flight
    assert not writer.check(str(tmp_path), {'last': '4'}, [])[0]  # not a version the markers allow
    with open(path, 'rb') as f:
        data = f.read()
    with open(path, 'wb') as f:
        f.write(data[:len(data) // 2])
    ok, detail = writer.check(str(tmp_path), {}, [('S', '5'), ('D', '5')])
    assert not ok and 'does not load' in detail


def test_the_csv_checker_flags_a_damaged_row(tmp_path):
    writer = W.CSVWriter()
    rows = ['epoch,k,loss', writer.row_text('7-0'), writer.row_text('8-1')]
    path = tmp_path / writer.filename
    path.write_bytes(('\r\n'.join(rows) + '\r\n').encode())
    assert writer.check(str(tmp_path), {}, [('S', '7-0'), ('D', '7-0'), ('S', '8-1')])[0]
    path.write_bytes(('\r\n'.join(rows[:2]) + '\r\n1,8\r\n').encode())  # a cut row, then a line end
    assert not writer.check(str(tmp_path), {}, [('S', '7-0'), ('D', '7-0'), ('S', '8-1')])[0]
    path.write_bytes(('\r\n'.join(rows[:2]) + '\r\n1,8').encode())  # the row being written, cut: allowed
    assert writer.check(str(tmp_path), {}, [('S', '7-0'), ('D', '7-0'), ('S', '8-1')])[0]
    assert not writer.check(str(tmp_path), {}, [('S', '7-0'), ('D', '7-0')])[0]  # ...only while in flight


def test_the_migrator_checker_wants_one_version_byte_for_byte(tmp_path):
    writer = W.WRITERS['migrate --inplace .py']
    path = tmp_path / writer.filename
    path.write_bytes(writer.content('n3'))
    assert writer.check(str(tmp_path), {'last': 'o3'}, [('S', 'n3')])[0]
    assert not writer.check(str(tmp_path), {'last': 'o4'}, [('S', 'n4')])[0]
    path.write_bytes(writer.content('n3')[:100])
    assert not writer.check(str(tmp_path), {'last': 'o3'}, [('S', 'n3')])[0]
