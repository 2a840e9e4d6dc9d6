"""CIFAR-100: 50,000 32x32 colour training images of 100 fine (20 coarse) categories, plus 10,000 test
images."""
import os

import numpy as np

from kernelkit.backend import config as _config
from kernelkit.datasets.cifar import load_batch
from kernelkit.utils.data_utils import get_file

_ORIGIN = 'https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz'
_FILE_HASH = '85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7'


def load_data(label_mode='fine'):
    """Loads the CIFAR-100 dataset.

    The archive `cifar-100-python.tar.gz` is cached and extracted to `~/.keras/datasets/cifar-100-python`
    (or under `$KERAS_HOME`); an extracted folder already there is used as is.

    # Arguments
        label_mode: one of `'fine'` (100 classes) or `'coarse'` (20 super-classes).

    # Returns
        Tuple of Numpy arrays: `(x_train, y_train), (x_test, y_test)`; `x` arrays are uint8 images of shape
        `(num_samples, 32, 32, 3)` (channels last) and `y` arrays labels of shape `(num_samples, 1)`.

    # Raises
        ValueError: in case of invalid `label_mode`.
        kernelkit.utils.data_utils.DownloadError: if the data is not cached and cannot be downloaded.
    """
    if label_mode not in ('fine', 'coarse'):
        raise ValueError('label_mode must be one of "fine" "coarse"; received %r.' % (label_mode,))
    path = get_file('cifar-100-python', origin=_ORIGIN, untar=True, file_hash=_FILE_HASH)
    x_train, y_train = load_batch(os.path.join(path, 'train'), label_key=label_mode + '_labels')
    x_test, y_test = load_batch(os.path.join(path, 'test'), label_key=label_mode + '_labels')
    x_train, x_test = np.asarray(x_train, dtype='uint8'), np.asarray(x_test, dtype='uint8')
    y_train = np.reshape(y_train, (len(y_train), 1))
    y_test = np.reshape(y_test, (len(y_test), 1))
    if _config.image_data_format() == 'channels_last':
        x_train = x_train.transpose(0, 2, 3, 1)
        x_test = x_test.transpose(0, 2, 3, 1)
    return (x_train, y_train), (x_test, y_test)
