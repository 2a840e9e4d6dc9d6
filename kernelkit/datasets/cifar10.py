"""CIFAR-10: 50,000 32x32 colour training images of 10 categories, plus 10,000 test images."""
import os

import numpy as np

from kernelkit.backend import config as _config
from kernelkit.datasets.cifar import load_batch
from kernelkit.utils.data_utils import get_file

_ORIGIN = 'https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz'
_FILE_HASH = '6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce'


def load_data():
    """Loads the CIFAR-10 dataset.

    The archive `cifar-10-python.tar.gz` is cached and extracted to `~/.keras/datasets/cifar-10-batches-py`
    (or under `$KERAS_HOME`); an extracted folder already there is used as is.

    # Returns
        Tuple of Numpy arrays: `(x_train, y_train), (x_test, y_test)`; `x` arrays are uint8 images of shape
        `(num_samples, 32, 32, 3)` (or `(num_samples, 3, 32, 32)` for the image data format
        `channels_first`), `y` arrays labels of shape `(num_samples, 1)` (uint8 for training, int64 for
        test, as in Keras 2).

    # Raises
        kernelkit.utils.data_utils.DownloadError: if the data is not cached and cannot be downloaded.
    """
    path = get_file('cifar-10-batches-py', origin=_ORIGIN, untar=True, file_hash=_FILE_HASH)
    parts = [load_batch(os.path.join(path, 'data_batch_%d' % i)) for i in range(1, 6)]
    x_train = np.concatenate([data for data, _ in parts]).astype('uint8')
    y_train = np.concatenate([np.asarray(labels) for _, labels in parts]).astype('uint8')
    x_test, y_test = load_batch(os.path.join(path, 'test_batch'))
    x_test = np.asarray(x_test, dtype='uint8')
    y_train = np.reshape(y_train, (len(y_train), 1))
    y_test = np.reshape(y_test, (len(y_test), 1))  # int64, as in Keras 2 (the test labels are a list)
    if _config.image_data_format() == 'channels_last':
        x_train = x_train.transpose(0, 2, 3, 1)
        x_test = x_test.transpose(0, 2, 3, 1)
    return (x_train, y_train), (x_test, y_test)
