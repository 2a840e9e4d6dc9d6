"""Shared steps of the offline datasets that come from scikit-learn's bundled data."""
import numpy as np

from kernelkit.datasets import _sequences


def sklearn_loader(name):
    """Returns `sklearn.datasets.<name>`, importing scikit-learn only now.

    # Raises
        ImportError: if scikit-learn is not installed.
    """
    try:
        from sklearn import datasets
    except ImportError:
        raise ImportError('This built-in dataset uses the data bundled with scikit-learn: '
                          '`pip install scikit-learn`.')
    return getattr(datasets, name)


def shuffle_and_split(x, y, test_split, seed):
    """Shuffles `(x, y)` with `seed` and keeps the last `test_split` fraction as the test set.

    # Returns
        `(x_train, y_train), (x_test, y_test)`.

    # Raises
        ValueError: for a `test_split` outside `[0, 1)`.
    """
    _sequences.check_split(test_split)
    rng = np.random.RandomState(seed)
    indices = np.arange(len(x))
    rng.shuffle(indices)
    x, y = x[indices], y[indices]
    cut = int(len(x) * (1 - test_split))
    return (x[:cut], y[:cut]), (x[cut:], y[cut:])
