"""Reading the CIFAR "python version" batch files (pickled dictionaries)."""
import pickle

import numpy as np


def load_batch(fpath, label_key='labels'):
    """Parses one CIFAR batch file.

    # Arguments
        fpath: path of the file to parse.
        label_key: key of the label data in the stored dictionary (`'labels'` for CIFAR-10,
            `'fine_labels'` or `'coarse_labels'` for CIFAR-100).

    # Returns
        A tuple `(data, labels)`: uint8 images of shape `(num_samples, 3, 32, 32)` and a list of labels.

    # Raises
        ValueError: if the file has no `label_key` entry.
    """
    with open(fpath, 'rb') as handle:
        stored = pickle.load(handle, encoding='bytes')
    stored = {(key.decode('utf8') if isinstance(key, bytes) else key): value for key, value in stored.items()}
    if label_key not in stored:
        raise ValueError('The CIFAR batch %s has no %r entry (it has %s).' % (fpath, label_key, sorted(stored)))
    data = np.asarray(stored['data'])
    return data.reshape(data.shape[0], 3, 32, 32), stored[label_key]
