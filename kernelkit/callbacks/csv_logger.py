"""`CSVLogger`: streams epoch results to a CSV file."""
import collections
import collections.abc
import csv
import os
import warnings

import numpy as np

from kernelkit.callbacks import _monitoring
from kernelkit.callbacks.base import Callback


def _csv_value(value):
    """Strings and scalars are written as they are; other iterables as `"[a, b]"` (Keras 2 format)."""
    if isinstance(value, str):
        return value
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value
    if isinstance(value, collections.abc.Iterable):
        return '"[%s]"' % ', '.join(str(item) for item in value)
    return value


def _drop_incomplete_last_line(filename):
    """Truncates `filename` after its last line end when its last line is incomplete (a process killed while
    appending a row can leave one), so that the next appended row starts on a line of its own. Warns when it
    drops something."""
    with open(filename, 'rb+') as f:
        size = f.seek(0, os.SEEK_END)
        if size == 0:
            return
        f.seek(size - 1)
        if f.read(1) == b'\n':
            return
        end = size
        while end > 0:  # find the last line end, reading backwards in blocks
            start = max(0, end - 65536)
            f.seek(start)
            block = f.read(end - start)
            position = block.rfind(b'\n')
            if position >= 0:
                end = start + position + 1
                break
            end = start
        f.truncate(end)
    warnings.warn('CSVLogger: %s ended with an incomplete line (%d bytes, left by an interrupted write); it was '
                  'removed before appending.' % (filename, size - end), RuntimeWarning)


class CSVLogger(Callback):
    """Callback that streams epoch results to a csv file.

    Supports all values that can be represented as a string, including 1D iterables such as np.ndarray.
    The columns are `epoch` (counted from 0) followed by the logged keys in sorted order, fixed at the
    first epoch end; every row is flushed and synced to disk as it is written. When appending to a file whose
    last line is incomplete (a process killed in the middle of a row), that line is removed first, with a
    `RuntimeWarning`. When training was stopped early (for example
    in the middle of an epoch, so that validation did not run), missing values are written as `NA`.

    # Example
    ```python
    csv_logger = CSVLogger('training.log')
    model.fit(X_train, Y_train, callbacks=[csv_logger])
    ```

    # Arguments
        filename: filename of the csv file, e.g. 'run/log.csv'.
        separator: string used to separate elements in the csv file.
        append: True: append if file exists (useful for continuing training). False: overwrite existing
            file. When appending, the header is only written if the file is empty or new.

    # Raises
        KeyError: at an epoch end, if a column's key is missing from the logs while training goes on.
        IOError: at the start of training, if the file cannot be opened.
    """

    def __init__(self, filename, separator=',', append=False):
        super(CSVLogger, self).__init__()
        self.sep = separator
        self.filename = os.fspath(filename)
        self.append = append
        self.writer = None
        self.keys = None
        self.append_header = True
        self.csv_file = None

    def on_train_begin(self, logs=None):
        if self.append:
            if os.path.exists(self.filename):
                _drop_incomplete_last_line(self.filename)
                with open(self.filename, 'r') as existing:
                    self.append_header = not bool(len(existing.readline()))
            mode = 'a'
        else:
            mode = 'w'
        # newline='': the csv module writes its own '\r\n' line ends, which must not be translated.
        self.csv_file = open(self.filename, mode, newline='')

    def on_epoch_end(self, epoch, logs=None):
        logs = _monitoring.as_logs(logs)
        if self.keys is None:
            self.keys = sorted(logs.keys())
        if self.model.stop_training:
            # Training stops within this epoch: its logs may lack values (e.g. no validation ran).
            logs = {key: (logs[key] if key in logs else 'NA') for key in self.keys}
        if not self.writer:
            class Dialect(csv.excel):
                delimiter = self.sep

            self.writer = csv.DictWriter(self.csv_file, fieldnames=['epoch'] + self.keys, dialect=Dialect)
            if self.append_header:
                self.writer.writeheader()
        row = collections.OrderedDict({'epoch': epoch})
        row.update((key, _csv_value(logs[key])) for key in self.keys)
        self.writer.writerow(row)
        # Each row reaches the file (and the disk) before training goes on: a process killed later never
        # loses it, and a power cut loses at most the row being written.
        self.csv_file.flush()
        os.fsync(self.csv_file.fileno())

    def on_train_end(self, logs=None):
        if self.csv_file is not None:
            self.csv_file.close()
        self.writer = None
