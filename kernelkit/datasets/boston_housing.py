"""Boston housing price regression: 506 samples of 13 attributes of houses in the suburbs of Boston in the
1970s; targets are median values of the houses (in k$)."""
import numpy as np

from kernelkit.datasets import _sequences
from kernelkit.utils.data_utils import get_file

_ORIGIN = 'https://storage.googleapis.com/tensorflow/tf-keras-datasets/boston_housing.npz'
_FILE_HASH = 'f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5'


def load_data(path='boston_housing.npz', test_split=0.2, seed=113):
    """Loads the Boston Housing dataset.

    # Arguments
        path: path where to cache the dataset locally (relative to `~/.keras/datasets`).
        test_split: fraction of the data to reserve as test set.
        seed: random seed for shuffling the data before computing the test split.

    # Returns
        Tuple of Numpy arrays: `(x_train, y_train), (x_test, y_test)`.

    # Raises
        ValueError: for a `test_split` outside `[0, 1)`.
        kernelkit.utils.data_utils.DownloadError: if the file is not cached and cannot be downloaded.
    """
    _sequences.check_split(test_split)
    path = get_file(path, origin=_ORIGIN, file_hash=_FILE_HASH)
    with np.load(path, allow_pickle=False) as f:
        x, y = f['x'], f['y']
    rng = np.random.RandomState(seed)
    indices = np.arange(len(x))
    rng.shuffle(indices)
    x, y = x[indices], y[indices]
    cut = int(len(x) * (1 - test_split))
    return (np.array(x[:cut]), np.array(y[:cut])), (np.array(x[cut:]), np.array(y[cut:]))
