"""Input/output helpers of Keras 2: `HDF5Matrix` (an HDF5 dataset used in place of a Numpy array) and
`ask_to_proceed_with_overwrite`."""
import numbers

import numpy as np


class HDF5Matrix(object):
    """Representation of an HDF5 dataset to be used instead of a Numpy array.

    Rows are read from the file only when indexed, so datasets larger than memory can be passed to
    `fit` (with `shuffle='batch'`) or sliced by hand. Files are opened read-only and shared between
    instances that point at the same path.

    # Arguments
        datapath: string, path to an HDF5 file.
        dataset: string, name of the HDF5 dataset in the file specified in `datapath`.
        start: int, start of the wanted slice of the dataset (default 0).
        end: int, end of the wanted slice of the dataset (default: the dataset's length).
        normalizer: function called on the data read, before it is returned.

    # Returns
        An array-like HDF5 dataset, with `shape`, `ndim`, `dtype`, `size` and `len()`.

    # Raises
        ImportError: if h5py is not installed.
        IOError: if the file cannot be opened.
        KeyError: if the file has no dataset called `dataset`.
        ValueError: if `start`/`end` do not describe a slice of the dataset.

    # Example
    ```python
    x_train = HDF5Matrix('data.h5', 'images', end=1000)
    model.fit(x_train, y_train, shuffle='batch')
    ```
    """

    refs = {}

    def __init__(self, datapath, dataset, start=0, end=None, normalizer=None):
        try:
            import h5py
        except ImportError:
            raise ImportError('The use of HDF5Matrix requires HDF5 and h5py installed: `pip install h5py`.')
        handle = self.refs.get(datapath)
        if handle is None or not handle.id.valid:
            handle = h5py.File(datapath, 'r')
            self.refs[datapath] = handle
        if dataset not in handle:
            raise KeyError('The HDF5 file %s has no dataset named %r. It holds: %s.'
                           % (datapath, dataset, ', '.join(sorted(handle.keys())) or 'nothing'))
        self.data = handle[dataset]
        length = self.data.shape[0] if self.data.shape else 0
        if not self.data.shape:
            raise ValueError('HDF5Matrix needs a dataset with at least one dimension; %r is a scalar.'
                             % dataset)
        if end is None:
            end = length
        if not (isinstance(start, numbers.Integral) and isinstance(end, numbers.Integral)):
            raise ValueError('`start` and `end` must be integers; received start=%r, end=%r.' % (start, end))
        if not 0 <= start <= end <= length:
            raise ValueError('`start` and `end` must satisfy 0 <= start <= end <= %d (the length of dataset '
                             '%r); received start=%d, end=%d.' % (length, dataset, start, end))
        self.start = int(start)
        self.end = int(end)
        self.normalizer = normalizer

    def __len__(self):
        return self.end - self.start

    def _absolute(self, index):
        index = int(index)
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError('Index %d is out of range for an HDF5Matrix of length %d.' % (index, len(self)))
        return index + self.start

    def __getitem__(self, key):
        rest = ()
        if isinstance(key, tuple):
            key, rest = (key[0], key[1:]) if key else (slice(None), ())
        rows = self._rows(key)
        if rest:
            single_row = isinstance(key, (numbers.Integral, np.integer))
            rows = np.asarray(rows)[tuple(rest) if single_row else (slice(None),) + tuple(rest)]
        if self.normalizer is not None:
            return self.normalizer(rows)
        return rows

    def _rows(self, key):
        if isinstance(key, slice):
            start, stop, step = key.indices(len(self))
            if step == 1:
                return self.data[start + self.start:max(stop, start) + self.start]
            key = np.arange(start, stop, step)
        if isinstance(key, (numbers.Integral, np.integer)):
            return self.data[self._absolute(key)]
        key = np.asarray(key)
        if key.dtype == bool:
            if key.shape != (len(self),):
                raise IndexError('A boolean index for an HDF5Matrix must have shape (%d,); received %s.'
                                 % (len(self), key.shape))
            key = np.nonzero(key)[0]
        if key.ndim != 1 or (key.size and not np.issubdtype(key.dtype, np.integer)):
            raise IndexError('HDF5Matrix supports integer, slice, boolean-mask and 1-D integer-array indices; '
                             'received %r.' % (key,))
        if key.size == 0:
            return self.data[self.start:self.start]
        absolute = np.array([self._absolute(i) for i in key])
        # h5py reads increasing, unique positions only: read those, then put them in the asked order.
        unique, inverse = np.unique(absolute, return_inverse=True)
        return self.data[unique.tolist()][inverse]

    @property
    def shape(self):
        """The shape of the slice, as a tuple (rows first)."""
        return (self.end - self.start,) + tuple(self.data.shape[1:])

    @property
    def dtype(self):
        """The dtype of the dataset."""
        return self.data.dtype

    @property
    def ndim(self):
        """The number of dimensions of the dataset."""
        return self.data.ndim

    @property
    def size(self):
        """The number of elements in the slice."""
        return int(np.prod(self.shape))

    def __array__(self, dtype=None, copy=None):
        values = self[:]
        return np.asarray(values, dtype=dtype)

    def __repr__(self):
        return '<HDF5Matrix %r of %s, shape %s, dtype %s>' % (self.data.name, self.data.file.filename,
                                                              self.shape, self.dtype)


def ask_to_proceed_with_overwrite(filepath):
    """Asks the user whether to overwrite an existing file.

    # Arguments
        filepath: the path of the file that would be overwritten.

    # Returns
        `True` if the user answered yes, `False` for no.
    """
    answer = input('[WARNING] %s already exists - overwrite? [y/n]' % filepath)
    while answer.strip().lower() not in ('y', 'n'):
        answer = input('Enter "y" (overwrite) or "n" (cancel).')
    if answer.strip().lower() == 'n':
        return False
    print('[TIP] Next time specify overwrite=True!')
    return True
