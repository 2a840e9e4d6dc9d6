"""Wrappers that let kernelkit models be used by other libraries (Keras 2's `keras.wrappers`).

`kernelkit.wrappers.scikit_learn` holds `KerasClassifier` and `KerasRegressor`, scikit-learn estimators
around a function that builds a compiled model. Importing it does not import scikit-learn.
"""
from kernelkit.wrappers import scikit_learn  # noqa: F401
