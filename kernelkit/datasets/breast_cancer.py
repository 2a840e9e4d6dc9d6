"""Breast cancer Wisconsin diagnostic (offline): 569 samples of 30 numeric features computed from images of
breast masses, labelled malignant (0) or benign (1), from scikit-learn's bundled data."""
import numpy as np

from kernelkit.datasets import _bundled

CLASS_NAMES = ('malignant', 'benign')


def load_data(test_split=0.2, seed=113):
    """Loads the breast cancer Wisconsin dataset, without any download.

    # Arguments
        test_split: fraction of the data to reserve as test set.
        seed: random seed for shuffling the data before computing the test split.

    # Returns
        Tuple of Numpy arrays: `(x_train, y_train), (x_test, y_test)`; `x` arrays are float64 of shape
        `(num_samples, 30)`, `y` arrays int64 labels (0 malignant, 1 benign).

    # Raises
        ValueError: for a `test_split` outside `[0, 1)`.
        ImportError: if scikit-learn is not installed.
    """
    bunch = _bundled.sklearn_loader('load_breast_cancer')()
    x = np.asarray(bunch.data, dtype='float64')
    y = np.asarray(bunch.target).astype('int64')
    return _bundled.shuffle_and_split(x, y, test_split, seed)
