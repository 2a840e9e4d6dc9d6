"""Diabetes regression (offline): 442 patients, 10 baseline variables (age, sex, body mass index, average
blood pressure and six blood serum measurements, each mean-centred and scaled), target a quantitative
measure of disease progression one year after baseline; from scikit-learn's bundled data."""
import numpy as np

from kernelkit.datasets import _bundled


def load_data(test_split=0.2, seed=113):
    """Loads the diabetes regression dataset, without any download.

    # Arguments
        test_split: fraction of the data to reserve as test set.
        seed: random seed for shuffling the data before computing the test split.

    # Returns
        Tuple of Numpy arrays: `(x_train, y_train), (x_test, y_test)`; `x` arrays are float64 of shape
        `(num_samples, 10)`, `y` arrays float64 targets (25 to 346).

    # Raises
        ValueError: for a `test_split` outside `[0, 1)`.
        ImportError: if scikit-learn is not installed.
    """
    bunch = _bundled.sklearn_loader('load_diabetes')()
    x = np.asarray(bunch.data, dtype='float64')
    y = np.asarray(bunch.target, dtype='float64')
    return _bundled.shuffle_and_split(x, y, test_split, seed)
