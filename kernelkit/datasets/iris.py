"""Iris flowers (offline): 150 samples of 4 measurements (sepal length/width, petal length/width, in cm)
of 3 species, from scikit-learn's bundled data."""
import numpy as np

from kernelkit.datasets import _bundled

CLASS_NAMES = ('setosa', 'versicolor', 'virginica')
FEATURE_NAMES = ('sepal length (cm)', 'sepal width (cm)', 'petal length (cm)', 'petal width (cm)')


def load_data(test_split=0.2, seed=113):
    """Loads the Iris dataset, without any download.

    # Arguments
        test_split: fraction of the data to reserve as test set.
        seed: random seed for shuffling the data before computing the test split.

    # Returns
        Tuple of Numpy arrays: `(x_train, y_train), (x_test, y_test)`; `x` arrays are float64 of shape
        `(num_samples, 4)` (see `FEATURE_NAMES`), `y` arrays int64 class labels 0-2 (see `CLASS_NAMES`).

    # Raises
        ValueError: for a `test_split` outside `[0, 1)`.
        ImportError: if scikit-learn is not installed.
    """
    bunch = _bundled.sklearn_loader('load_iris')()
    x = np.asarray(bunch.data, dtype='float64')
    y = np.asarray(bunch.target).astype('int64')
    return _bundled.shuffle_and_split(x, y, test_split, seed)
