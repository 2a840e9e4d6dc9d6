"""MNIST handwritten digits: 60,000 28x28 grayscale training images and 10,000 test images."""
import numpy as np

from kernelkit.utils.data_utils import get_file

_ORIGIN = 'https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz'
_FILE_HASH = '731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1'


def load_data(path='mnist.npz'):
    """Loads the MNIST dataset.

    The file is cached as `~/.keras/datasets/<path>` (or under `$KERAS_HOME`) and downloaded only when it
    is missing.

    # Arguments
        path: path where to cache the dataset locally (relative to `~/.keras/datasets`).

    # Returns
        Tuple of Numpy arrays: `(x_train, y_train), (x_test, y_test)`; `x` arrays are uint8 of shape
        `(num_samples, 28, 28)`, `y` arrays uint8 digit labels (0-9) of shape `(num_samples,)`.

    # Raises
        kernelkit.utils.data_utils.DownloadError: if the file is not cached and cannot be downloaded.
    """
    path = get_file(path, origin=_ORIGIN, file_hash=_FILE_HASH)
    with np.load(path, allow_pickle=False) as f:
        x_train, y_train = f['x_train'], f['y_train']
        x_test, y_test = f['x_test'], f['y_test']
    return (x_train, y_train), (x_test, y_test)
