"""Fashion-MNIST: 60,000 28x28 grayscale images of 10 fashion categories, plus 10,000 test images."""
import gzip
import os

import numpy as np

from kernelkit.utils.data_utils import get_file

_BASE = 'https://storage.googleapis.com/tensorflow/tf-keras-datasets/'
_FILES = ['train-labels-idx1-ubyte.gz', 'train-images-idx3-ubyte.gz',
          't10k-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz']


def _read_labels(path):
    with gzip.open(path, 'rb') as handle:
        return np.frombuffer(handle.read(), np.uint8, offset=8)


def _read_images(path, count):
    with gzip.open(path, 'rb') as handle:
        return np.frombuffer(handle.read(), np.uint8, offset=16).reshape(count, 28, 28)


def load_data():
    """Loads the Fashion-MNIST dataset.

    The four IDX files (gzip-compressed) are cached in `~/.keras/datasets/fashion-mnist/` (or under
    `$KERAS_HOME`) and downloaded only when missing.

    # Returns
        Tuple of Numpy arrays: `(x_train, y_train), (x_test, y_test)`; `x` arrays are uint8 of shape
        `(num_samples, 28, 28)`, `y` arrays uint8 labels (0-9).

    # Raises
        kernelkit.utils.data_utils.DownloadError: if a file is not cached and cannot be downloaded.
        ValueError: if a file does not hold as many images as labels.
    """
    dirname = os.path.join('datasets', 'fashion-mnist')
    paths = [get_file(fname, origin=_BASE + fname, cache_subdir=dirname) for fname in _FILES]
    y_train = _read_labels(paths[0])
    x_train = _read_images(paths[1], len(y_train))
    y_test = _read_labels(paths[2])
    x_test = _read_images(paths[3], len(y_test))
    return (x_train, y_train), (x_test, y_test)
