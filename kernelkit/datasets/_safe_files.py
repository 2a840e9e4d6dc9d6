"""Reading the datasets' cached files without running code from them.

The IMDB and Reuters `.npz` files hold object arrays (lists of word indices), which numpy stores as
pickles, and the CIFAR batches are pickled dictionaries. Both are read here by an unpickler that builds
numpy arrays and plain Python values only (`kernelkit.utils.io_utils.safe_unpickle`): a file that asks
for any other object is refused with an error, unless the caller passed `allow_pickle=True`.
"""
import pickle

import numpy as np

from kernelkit.utils.io_utils import safe_unpickle

_HINT = 'If you trust the file, pass `allow_pickle=True` to the loader.'


def load_npz(path, keys, allow_pickle=False):
    """Reads arrays from an `.npz` file; object arrays are unpickled safely unless `allow_pickle`.

    # Arguments
        path: the `.npz` file.
        keys: the names of the arrays to read.
        allow_pickle: `True` to let numpy unpickle object arrays with no restriction (only for files you
            trust: a pickle can run code when it is loaded).

    # Returns
        The list of arrays, in the order of `keys`.

    # Raises
        ValueError: if the file lacks one of `keys`, is not an `.npz` file, or an object array names a
            Python object other than numpy arrays and plain values (and `allow_pickle` is false).
    """
    try:
        archive = np.load(path, allow_pickle=bool(allow_pickle))
    except (OSError, ValueError) as error:
        raise ValueError('The dataset file %s could not be read as an .npz archive (%s).' % (path, error))
    if not hasattr(archive, 'files'):
        raise ValueError('The dataset file %s is a single .npy array, not an .npz archive.' % (path,))
    with archive:
        arrays = []
        for key in keys:
            if key not in archive.files:
                raise ValueError('The dataset file %s has no array %r (it has %s).'
                                 % (path, key, ', '.join(archive.files) or 'none'))
            arrays.append(archive[key] if allow_pickle else _read_member(archive, path, key))
        return arrays


def _read_member(archive, path, key):
    """One array of an open archive; an object array is read by the numpy-only unpickler."""
    with archive.zip.open(key + '.npy') as member:
        version = np.lib.format.read_magic(member)
        read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else \
            np.lib.format.read_array_header_2_0
        shape, fortran_order, dtype = read_header(member)
        if not dtype.hasobject:
            return archive[key]
        source = 'The array %r of the dataset file %s' % (key, path)
        array = safe_unpickle(member, source, hint=_HINT, encoding='latin1')
    if not isinstance(array, np.ndarray) or array.shape != tuple(shape):
        raise ValueError('%s does not hold the object array of shape %s its header declares.'
                         % (source, tuple(shape)))
    return array


def load_pickle(fpath, allow_pickle=False, **kwargs):
    """Reads a pickled file that may only hold numpy arrays and plain values, unless `allow_pickle`.

    # Arguments
        fpath: the file.
        allow_pickle: `True` to unpickle with no restriction (only for files you trust).
        **kwargs: passed to the unpickler (e.g. `encoding='bytes'`).

    # Returns
        The unpickled value.

    # Raises
        ValueError: if the pickle names any other Python object (and `allow_pickle` is false), or is not
            a valid pickle.
    """
    with open(fpath, 'rb') as handle:
        if allow_pickle:
            return pickle.load(handle, **kwargs)
        return safe_unpickle(handle, 'The dataset file %s' % (fpath,), hint=_HINT, **kwargs)
