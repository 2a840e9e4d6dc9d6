"""Reading the CIFAR "python version" batch files (pickled dictionaries), without running code from them."""
import numpy as np

from kernelkit.datasets import _safe_files


def load_batch(fpath, label_key='labels', allow_pickle=False):
    """Parses one CIFAR batch file.

    # Arguments
        fpath: path of the file to parse.
        label_key: key of the label data in the stored dictionary (`'labels'` for CIFAR-10,
            `'fine_labels'` or `'coarse_labels'` for CIFAR-100).
        allow_pickle: `True` to unpickle the file with no restriction (only for a file you trust). By
            default it is read by an unpickler that builds numpy arrays and plain values only.

    # Returns
        A tuple `(data, labels)`: uint8 images of shape `(num_samples, 3, 32, 32)` and a list of labels.

    # Raises
        ValueError: if the file has no `label_key` entry, is not a dictionary, or names any Python object
            other than numpy arrays and plain values (without `allow_pickle`).
    """
    stored = _safe_files.load_pickle(fpath, allow_pickle=allow_pickle, encoding='bytes')
    if not isinstance(stored, dict):
        raise ValueError('The CIFAR batch %s holds a %s, not a dictionary.' % (fpath, type(stored).__name__))
    stored = {(key.decode('utf8') if isinstance(key, bytes) else key): value for key, value in stored.items()}
    if label_key not in stored:
        raise ValueError('The CIFAR batch %s has no %r entry (it has %s).' % (fpath, label_key, sorted(stored)))
    data = np.asarray(stored['data'])
    return data.reshape(data.shape[0], 3, 32, 32), stored[label_key]
