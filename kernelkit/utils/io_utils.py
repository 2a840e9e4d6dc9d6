"""Input/output helpers of Keras 2: `HDF5Matrix` (an HDF5 dataset used in place of a Numpy array),
`H5Dict`/`h5dict` (Keras 2.2.4's dict-like view of an HDF5 file, group or plain `dict`) and
`ask_to_proceed_with_overwrite`."""
import numbers
import os
import pickle

import numpy as np

# The only globals a pickle of numpy arrays, dtypes and numpy scalars needs (numpy 1 and 2 module names).
_NUMPY_PICKLE_GLOBALS = frozenset([
    ('numpy', 'ndarray'), ('numpy', 'dtype'), ('_codecs', 'encode'),  # encode: bytes in protocol 2 pickles
    ('numpy.core.multiarray', '_reconstruct'), ('numpy._core.multiarray', '_reconstruct'),
    ('numpy.core.multiarray', 'scalar'), ('numpy._core.multiarray', 'scalar')])


class _NumpyOnlyUnpickler(pickle.Unpickler):
    """An unpickler that builds numpy arrays, dtypes, numpy scalars and plain Python values (lists, dicts,
    strings, numbers) only: any other class or function named by the pickle is refused, so loading it
    cannot run code."""

    source = 'the pickled data'
    hint = ''

    def find_class(self, module, name):
        if (module, name) in _NUMPY_PICKLE_GLOBALS:
            return super(_NumpyOnlyUnpickler, self).find_class(module, name)
        raise ValueError('%s asks to construct the Python object %s.%s while unpickling; only numpy arrays and '
                         'plain values are read without opt-in, because unpickling other objects can run code '
                         'from the file.%s' % (self.source, module, name, self.hint))


def safe_unpickle(file, source, hint='', **kwargs):
    """Reads a pickle that may only hold numpy arrays, numpy scalars and plain Python values.

    # Arguments
        file: a binary file object, or the pickled `bytes`.
        source: how messages name the data (e.g. the file's path).
        hint: a sentence appended to the error, saying how to opt in to full unpickling.
        **kwargs: passed to `pickle.Unpickler` (e.g. `encoding='bytes'` for Python 2 pickles).

    # Returns
        The unpickled value.

    # Raises
        ValueError: if the pickle names any other class or function, or is not a valid pickle.
    """
    import io
    if isinstance(file, (bytes, bytearray)):
        file = io.BytesIO(file)
    unpickler = _NumpyOnlyUnpickler(file, **kwargs)
    unpickler.source = source
    unpickler.hint = (' ' + hint) if hint else ''
    try:
        return unpickler.load()
    except ValueError:
        raise
    except (pickle.UnpicklingError, EOFError, TypeError, AttributeError, IndexError, KeyError) as error:
        raise ValueError('%s is not a valid pickle of numpy data (%s: %s).' % (source, type(error).__name__, error))


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
        ValueError: if `start`/`end` do not describe a slice of the dataset, or if `dataset` is a group or
            holds objects (variable-length strings, references): those are refused, nothing is unpickled
            or evaluated.

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
        if not isinstance(self.data, h5py.Dataset):
            raise ValueError('HDF5Matrix needs a dataset; %r in the HDF5 file %s is a %s.'
                             % (dataset, datapath, type(self.data).__name__))
        if self.data.dtype.kind == 'O':
            raise ValueError('HDF5Matrix reads numeric datasets only; %r in the HDF5 file %s has dtype %s '
                             '(variable-length strings or object references), which it refuses. Read it with '
                             'h5py directly if you need it.' % (dataset, datapath, self.data.dtype))
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


def _is_numpy(value):
    return type(value).__module__ == np.__name__


def _is_string_list(value):
    return isinstance(value, list) and bool(value) and all(isinstance(v, (str, bytes, np.bytes_)) for v in value)


class H5Dict(object):
    """A dict-like wrapper around an HDF5 file or group, or around a plain `dict` (Keras 2.2.4).

    Keras 2.2.4 wrote models through it, so the same code could save to disk or into a dictionary (for
    pickling). Strings, numbers and lists of strings are attributes, Numpy arrays are datasets and
    sub-dictionaries are groups; reading a name that is absent creates a group (except in mode `'r'`).

    In a plain `dict` the layout is Keras 2.2.4's: groups are dicts flagged with `'_is_group': True`, and
    Numpy values are stored pickled with a `'_<name>_pickled': True` flag next to them.

    # Arguments
        path: a path to an HDF5 file (opened with `mode`, and closed by `close()`), an open `h5py.File` or
            `h5py.Group` (left open by `close()`), or a `dict`.
        mode: `'r'` (read only), `'a'` (read and write, default) or `'w'` (for a file: created or truncated;
            for a dict: cleared first); for a file any mode `h5py.File` accepts.

    # Raises
        ImportError: if h5py is needed and not installed.
        TypeError: if `path` is none of the accepted types.

    # Example
    ```python
    with H5Dict('model.h5', mode='w') as f:
        f['model_config'] = json_string
        f['model_weights']['dense_1']['kernel:0'] = kernel   # nested groups are created on access
    ```
    """

    def __init__(self, path, mode='a'):
        h5py = _h5py_or_none()
        self._is_file = False
        if h5py is not None and isinstance(path, h5py.Group):
            self.data = path
        elif isinstance(path, (str, os.PathLike)):
            if h5py is None:
                raise ImportError('H5Dict needs h5py to open the HDF5 file %s: `pip install h5py`.' % (path,))
            self.data = h5py.File(path, mode=mode)
            self._is_file = True
        elif isinstance(path, dict):
            self.data = path
            if mode == 'w':
                self.data.clear()
            if mode != 'r':
                self.data['_is_group'] = True  # tells a sub-group from user data that happens to be a dict
        else:
            raise TypeError('H5Dict requires an h5py Group, a path (str) or a dict as `path`. Received: %s.'
                            % type(path).__name__)
        self.read_only = mode == 'r'

    def _child(self, data):
        return H5Dict(data, mode='r' if self.read_only else 'a')

    def _missing(self, attr):
        if self.read_only:
            raise ValueError('Cannot create group %r in read only mode: the H5Dict has no entry of that name.'
                             % (attr,))

    def __setitem__(self, attr, val):
        if self.read_only:
            raise ValueError('Cannot set item %r in read only mode.' % (attr,))
        if isinstance(self.data, dict):
            if isinstance(attr, bytes):
                attr = attr.decode('utf-8')
            if _is_numpy(val):
                self.data[attr] = pickle.dumps(val)
                self.data['_%s_pickled' % attr] = True  # unpickled again by __getitem__
            else:
                self.data[attr] = val
            return
        if attr in self.data:
            raise KeyError('Cannot set attribute. Group with name "%s" exists.' % (attr,))
        if _is_numpy(val) and np.asarray(val).dtype.kind not in 'SUO':  # arrays and numpy scalars
            self.data.create_dataset(attr, data=val)
        elif _is_string_list(val):
            from kernelkit.engine.saving.hdf5_format import save_attributes_to_hdf5_group
            save_attributes_to_hdf5_group(self.data, attr, val)  # split in chunks when too large
        elif isinstance(val, bytes):
            self.data.attrs[attr] = np.bytes_(val)  # fixed-length bytes, read back as bytes (as with h5py 2)
        else:
            self.data.attrs[attr] = val

    def __getitem__(self, attr):
        if isinstance(self.data, dict):
            if isinstance(attr, bytes):
                attr = attr.decode('utf-8')
            if attr in self.data:
                val = self.data[attr]
                if isinstance(val, dict) and val.get('_is_group'):
                    return self._child(val)
                if self.data.get('_%s_pickled' % attr):  # numpy values only: nothing else is unpickled
                    return safe_unpickle(val, 'The pickled value %r of the H5Dict' % (attr,))
                return val
            self._missing(attr)
            group = {'_is_group': True}
            self.data[attr] = group
            return self._child(group)
        if attr in self.data.attrs:
            val = self.data.attrs[attr]
            if _is_numpy(val) and val.dtype.type == np.bytes_:
                val = val.tolist()
            return val
        if attr in self.data:
            val = self.data[attr]
            if isinstance(val, _h5py_or_none().Dataset):
                return np.asarray(val)
            return self._child(val)
        if '%s0' % attr in self.data.attrs:  # a list of strings written in chunks
            from kernelkit.engine.saving.hdf5_format import load_attributes_from_hdf5_group
            return load_attributes_from_hdf5_group(self.data, attr)
        self._missing(attr)
        return self._child(self.data.create_group(attr))

    def __contains__(self, key):
        if isinstance(self.data, dict):
            return key in self.data
        return key in self.data or key in self.data.attrs

    def get(self, key, default=None):
        """Returns the value of `key`, or `default` when it is absent (nothing is created).

        # Arguments
            key: the name.
            default: what to return for an absent name.

        # Returns
            The value (see `__getitem__`) or `default`.
        """
        if key in self:
            return self[key]
        return default

    def update(self, *args, **kwargs):
        """Sets several items, as `dict.update` does.

        # Arguments
            *args: at most one mapping (or iterable of key/value pairs).
            **kwargs: more items.

        # Raises
            ValueError: in read only mode.
        """
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def __len__(self):
        return len(self.data)

    def __iter__(self):
        return iter(self.data)

    def iter(self):
        """Returns an iterator over the names of the groups and datasets (the keys of a dict)."""
        return iter(self.data)

    def __getattr__(self, attr):
        # Anything else (`keys`, `attrs`, `create_group`, ...) is the wrapped object's; a returned object of
        # the wrapped type is wrapped again.
        if attr.startswith('__') or attr in ('data', 'read_only', '_is_file'):
            raise AttributeError(attr)
        found = getattr(self.data, attr)
        if not callable(found):
            return found

        def wrapped(*args, **kwargs):
            out = found(*args, **kwargs)
            return self._child(out) if isinstance(out, type(self.data)) else out

        return wrapped

    def close(self):
        """Flushes an HDF5 file, and closes it if this H5Dict opened it (a dict is left as is)."""
        h5py = _h5py_or_none()
        if h5py is not None and isinstance(self.data, h5py.Group) and self.data.id.valid:
            self.data.file.flush()
            if self._is_file:
                self.data.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __repr__(self):
        kind = 'dict' if isinstance(self.data, dict) else repr(self.data)
        return '<H5Dict over %s%s>' % (kind, ', read only' if self.read_only else '')


def _h5py_or_none():
    try:
        import h5py
    except ImportError:
        return None
    return h5py


h5dict = H5Dict
