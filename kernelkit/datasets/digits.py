"""Handwritten digits (offline): 1,797 8x8 grayscale images of the digits 0-9, from scikit-learn's bundled
copy of the UCI ML hand-written digits dataset. Pixel values range from 0 to 16."""
import numpy as np

from kernelkit.datasets import _bundled


def load_data(test_split=0.2, seed=113):
    """Loads the 8x8 digits dataset, without any download.

    # Arguments
        test_split: fraction of the data to reserve as test set.
        seed: random seed for shuffling the data before computing the test split.

    # Returns
        Tuple of Numpy arrays: `(x_train, y_train), (x_test, y_test)`; `x` arrays are uint8 images of shape
        `(num_samples, 8, 8)` with values 0-16, `y` arrays uint8 digit labels (0-9), as MNIST's.

    # Raises
        ValueError: for a `test_split` outside `[0, 1)`.
        ImportError: if scikit-learn is not installed.
    """
    bunch = _bundled.sklearn_loader('load_digits')()
    x = np.asarray(bunch.images).astype('uint8')
    y = np.asarray(bunch.target).astype('uint8')
    return _bundled.shuffle_and_split(x, y, test_split, seed)
