"""The scikit-learn API for kernelkit models (Keras 2.2.4's `keras.wrappers.scikit_learn`).

`KerasClassifier` and `KerasRegressor` wrap a *build function* that returns a compiled model, so the model can be
used wherever scikit-learn expects an estimator: `clone`, `cross_val_score`, `GridSearchCV`, `Pipeline`.

```python
from kernelkit.wrappers.scikit_learn import KerasClassifier

def build(hidden=16):
    model = Sequential([Dense(hidden, activation='relu', input_shape=(4,)), Dense(3, activation='softmax')])
    model.compile('adam', 'categorical_crossentropy', metrics=['accuracy'])
    return model

clf = KerasClassifier(build, hidden=8, epochs=20, batch_size=16, verbose=0)
cross_val_score(clf, x, y, cv=3)
GridSearchCV(clf, {'hidden': [4, 8], 'epochs': [10, 20]}, cv=2).fit(x, y)
```

The keyword arguments given to the constructor (`sk_params`) go, by name, to whichever of the build function,
`Sequential.fit`, `predict`, `predict_proba` and `evaluate` accepts them.

This module does not import scikit-learn; only `__sklearn_tags__` (called by scikit-learn itself) does.

Differences from Keras 2.2.4, all needed by current scikit-learn (>= 1.6) or for correctness, none changing what a
2.2.4 script that worked gets:
- `get_params` returns a shallow copy of `sk_params` (2.2.4 deep-copied it, which makes `sklearn.base.clone`
  reject any list or dict parameter, as the clone would not hold the very objects it was given);
- `__sklearn_tags__`, `__sklearn_is_fitted__` and `_estimator_type` are defined (scikit-learn >= 1.6 requires
  tags for `cross_val_score` / `GridSearchCV`; a `Pipeline` asks whether its last step is fitted);
- the classifier's `predict` / `predict_proba` use the model's `predict` (2.2.4 called `Sequential.predict_classes`
  / `predict_proba`, so a functional `Model` failed there); `predict` of a single sigmoid output returns a 1-D
  array of labels (2.2.4 returned a column `(n, 1)`, which scikit-learn's metrics warn about);
- labels are one-hot encoded with `num_classes=n_classes_` (2.2.4 used `max(y) + 1`, so `score` failed on a test
  split that lacked the last class); one-hot targets are turned into class indices when the loss is
  `sparse_categorical_crossentropy` (2.2.4 passed them unchanged, which that loss rejects);
- `score` finds the accuracy under `acc` or `accuracy` (kernelkit names `metrics=['accuracy']` `accuracy`);
- the Keras 1 parameter `nb_epoch` is given to `fit` as `epochs`, with a warning (2.2.4 accepted it and then
  silently dropped it).
"""
import copy
import types
import warnings

import numpy as np

from kernelkit.engine.sequential import Sequential
from kernelkit.utils.generic_utils import has_arg, to_list
from kernelkit.utils.np_utils import to_categorical


__all__ = ['BaseWrapper', 'KerasClassifier', 'KerasRegressor']

# The model methods whose arguments may be given as `sk_params` (Keras 2.2.4 also listed
# `Sequential.predict_classes` / `predict_proba`, whose arguments are those of `predict`).
_MODEL_METHODS = ('fit', 'predict', 'evaluate')


def _loss_name(loss):
    return getattr(loss, '__name__', loss)


def _not_fitted(estimator, method):
    message = ('This %s instance is not fitted yet: call `fit` before `%s`.'
               % (type(estimator).__name__, method))
    try:
        from sklearn.exceptions import NotFittedError
    except ImportError:
        return AttributeError(message)
    return NotFittedError(message)


class BaseWrapper(object):
    """Base class of the scikit-learn wrappers: holds the build function and the `sk_params`.

    # Arguments
        build_fn: what builds the compiled model, called with the `sk_params` it accepts. One of:
            a function; an instance of a class with a `__call__` method; `None`, then the wrapper's own
            `__call__` method is used (define it in a subclass of `KerasClassifier` / `KerasRegressor`).
        **sk_params: parameters of the build function and of the model's `fit`, `predict`,
            `predict_proba` and `evaluate` (e.g. `epochs`, `batch_size`, `verbose`). Each method gets the ones
            its signature accepts; those given to `fit`, `predict`, ... directly take precedence.

    # Raises
        ValueError: if a parameter of `sk_params` is accepted by none of them.
    """

    _estimator_type = None

    def __init__(self, build_fn=None, **sk_params):
        self.build_fn = build_fn
        self.sk_params = sk_params
        self.check_params(sk_params)

    def _build_callable(self):
        """The callable that builds the model, and the callable whose signature lists its arguments."""
        if self.build_fn is None:
            return self.__call__, self.__call__
        if isinstance(self.build_fn, (types.FunctionType, types.MethodType)):
            return self.build_fn, self.build_fn
        if not callable(self.build_fn):
            raise TypeError('`build_fn` must be a function, an object with a `__call__` method, or None (then '
                            'the wrapper\'s `__call__` method builds the model); received %r.'
                            % (self.build_fn,))
        return self.build_fn, self.build_fn.__call__

    def check_params(self, params):
        """Checks that every parameter is accepted by the build function or by a model method.

        # Arguments
            params: dictionary of parameter name -> value.

        # Raises
            ValueError: naming the first parameter that is accepted by none of the build function and
                `Sequential.fit`, `predict`, `predict_classes`, `predict_proba` and `evaluate`.
        """
        legal_fns = [getattr(Sequential, name) for name in _MODEL_METHODS]
        legal_fns.append(self._build_callable()[1])
        for name in params:
            if name == 'nb_epoch':  # the Keras 1 name of `epochs`
                continue
            if not any(has_arg(fn, name) for fn in legal_fns):
                raise ValueError('%s is not a legal parameter: `%s` is an argument of neither the build function '
                                 '(`build_fn` of %s) nor `Sequential.fit`, `predict`, `predict_classes`, '
                                 '`predict_proba` or `evaluate`.' % (name, name, type(self).__name__))

    def get_params(self, **params):
        """Gets the parameters of this estimator (scikit-learn API).

        # Arguments
            **params: ignored; accepts scikit-learn's `deep=True/False` (the wrapper holds no nested
                estimators, so both give the same result).

        # Returns
            A new dictionary: the `sk_params` and `build_fn`. Its values are the very objects held (a shallow
            copy; Keras 2.2.4 deep-copied them, which `sklearn.base.clone` rejects for list parameters).
        """
        res = dict(self.sk_params)
        res.update({'build_fn': self.build_fn})
        return res

    def set_params(self, **params):
        """Sets the parameters of this estimator (scikit-learn API).

        # Arguments
            **params: `sk_params` to add or replace; `build_fn` replaces the build function (Keras 2.2.4
                rejected `build_fn` here, so `GridSearchCV` could not search over build functions).

        # Returns
            self.

        # Raises
            ValueError: for a parameter that no method accepts (see `check_params`).
        """
        params = dict(params)
        previous = self.build_fn
        self.build_fn = params.pop('build_fn', previous)
        try:
            self.check_params(params)
        except ValueError:
            self.build_fn = previous
            raise
        self.sk_params.update(params)
        return self

    def filter_sk_params(self, fn, override=None):
        """The `sk_params` that `fn` accepts as keyword arguments, updated with `override`.

        # Arguments
            fn: a callable.
            override: dictionary of values that take precedence (the keyword arguments of the call).

        # Returns
            A new dictionary of parameter name -> value.
        """
        override = override or {}
        res = {}
        for name, value in self.sk_params.items():
            if has_arg(fn, name):
                res.update({name: value})
        res.update(override)
        return res

    def _model(self, method):
        model = getattr(self, 'model', None)
        if model is None:
            raise _not_fitted(self, method)
        return model

    def _targets(self, y):
        """`y` in the form the model's loss expects: one-hot for `categorical_crossentropy`, class indices for
        `sparse_categorical_crossentropy`."""
        loss = _loss_name(self.model.loss)
        num_classes = getattr(self, 'n_classes_', None)
        if loss == 'categorical_crossentropy' and len(y.shape) != 2:
            y = to_categorical(y, num_classes=num_classes)
        elif loss == 'sparse_categorical_crossentropy' and len(y.shape) == 2 and y.shape[1] > 1:
            y = np.argmax(y, axis=-1)
        return y

    def fit(self, x, y, **kwargs):
        """Builds a new model with the build function and trains it on `(x, y)`.

        # Arguments
            x: array-like of shape `(n_samples, n_features)` (or whatever the model takes).
            y: array-like of targets.
            **kwargs: arguments of `Sequential.fit`; they take precedence over the `sk_params`.

        # Returns
            The `History` object of the training.

        # Raises
            TypeError: if `build_fn` is not callable.
            ValueError: if the build function does not return a compiled model.
        """
        build, signature_fn = self._build_callable()
        self.model = build(**self.filter_sk_params(signature_fn))
        if not hasattr(self.model, 'fit') or getattr(self.model, 'loss', None) is None:
            raise ValueError('The build function of %s must return a compiled model (call `model.compile(...)` '
                             'before returning it); it returned %r.' % (type(self).__name__, self.model))
        y = self._targets(np.asarray(y))
        fit_args = copy.deepcopy(self.filter_sk_params(Sequential.fit))
        if 'nb_epoch' in self.sk_params and 'epochs' not in fit_args and 'epochs' not in kwargs:
            warnings.warn('The `nb_epoch` parameter was renamed `epochs` in Keras 2; using `epochs=%r`.'
                          % (self.sk_params['nb_epoch'],), stacklevel=2)
            fit_args['epochs'] = self.sk_params['nb_epoch']
        fit_args.update(kwargs)
        return self.model.fit(x, y, **fit_args)

    def __sklearn_is_fitted__(self):
        """Whether `fit` has built the model (scikit-learn API; not in Keras 2.2.4).

        # Returns
            A boolean.
        """
        return getattr(self, 'model', None) is not None

    def __sklearn_tags__(self):
        """The estimator tags of scikit-learn >= 1.6 (not in Keras 2.2.4, which predates them).

        # Returns
            A `sklearn.utils.Tags`: estimator type `classifier` / `regressor` (None for the base class),
            targets required, training not deterministic.

        # Raises
            ImportError: if scikit-learn (>= 1.6) is not installed.
        """
        from sklearn.utils import ClassifierTags, RegressorTags, Tags, TargetTags
        kind = self._estimator_type
        return Tags(estimator_type=kind,
                    target_tags=TargetTags(required=kind is not None),
                    transformer_tags=None,
                    classifier_tags=ClassifierTags() if kind == 'classifier' else None,
                    regressor_tags=RegressorTags() if kind == 'regressor' else None,
                    non_deterministic=True)


class KerasClassifier(BaseWrapper):
    """Implementation of the scikit-learn classifier API for kernelkit models.

    The model's last layer gives one probability per class (softmax), or a single probability of the
    second class (sigmoid). Labels may be any sortable values (strings, integers), or a one-hot matrix.

    # Arguments
        build_fn: function (or object with `__call__`, or None for `self.__call__`) returning a compiled
            model; see `BaseWrapper`.
        **sk_params: see `BaseWrapper`.

    # Attributes (after `fit`)
        model: the trained model.
        classes_: the sorted class labels (`arange(n)` for one-hot targets).
        n_classes_: their number.
    """

    _estimator_type = 'classifier'

    def fit(self, x, y, sample_weight=None, **kwargs):
        """Builds and trains a model on `(x, y)`; stores `classes_` and `n_classes_`.

        Labels become indices into `classes_` (one-hot encoded when the loss is `categorical_crossentropy`).
        A one-hot `y` of shape `(n, k)` gives `classes_ = arange(k)` and is kept as is (turned into class
        indices when the loss is `sparse_categorical_crossentropy`).

        # Arguments
            x: array-like of shape `(n_samples, n_features)`.
            y: labels of shape `(n_samples,)` or `(n_samples, 1)`, or a one-hot matrix `(n_samples, n_classes)`.
            sample_weight: optional weights per sample.
            **kwargs: arguments of `Sequential.fit`; they take precedence over the `sk_params`.

        # Returns
            The `History` object of the training.

        # Raises
            ValueError: for a `y` of any other shape.
        """
        y = np.array(y)
        if len(y.shape) == 2 and y.shape[1] > 1:
            self.classes_ = np.arange(y.shape[1])
        elif (len(y.shape) == 2 and y.shape[1] == 1) or len(y.shape) == 1:
            self.classes_ = np.unique(y)
            y = np.searchsorted(self.classes_, y)
        else:
            raise ValueError('Invalid shape for y: %s (KerasClassifier.fit expects labels of shape (n_samples,) '
                             'or (n_samples, 1), or a one-hot matrix (n_samples, n_classes)).' % (y.shape,))
        self.n_classes_ = len(self.classes_)
        if sample_weight is not None:
            kwargs['sample_weight'] = sample_weight
        return super(KerasClassifier, self).fit(x, y, **kwargs)

    def predict_proba(self, x, **kwargs):
        """Returns class probability estimates for the given samples.

        # Arguments
            x: array-like of shape `(n_samples, n_features)`.
            **kwargs: arguments of `Sequential.predict` (`batch_size`, `verbose`, `steps`); they take
                precedence over the `sk_params`.

        # Returns
            An array of shape `(n_samples, n_classes)`, columns in the order of `classes_`. For a model with a
            single (sigmoid) output `p`, the two columns are `1 - p` and `p`. Warns when the model's outputs
            are not in `[0, 1]`.

        # Raises
            NotFittedError: before `fit` (an `AttributeError` without scikit-learn).
        """
        model = self._model('predict_proba')
        kwargs = self.filter_sk_params(Sequential.predict, kwargs)
        probs = np.asarray(model.predict(x, **kwargs))
        if probs.size and (probs.min() < 0. or probs.max() > 1.):
            warnings.warn('Network returning invalid probability values. The last layer might not normalize '
                          'predictions into probabilities (like softmax or sigmoid would).', stacklevel=2)
        if probs.ndim == 1:
            probs = probs[:, None]
        if probs.shape[1] == 1:  # binary: the first column is the probability of class 0
            probs = np.hstack([1 - probs, probs])
        return probs

    def predict(self, x, **kwargs):
        """Returns the predicted class labels of the given samples.

        # Arguments
            x: array-like of shape `(n_samples, n_features)`.
            **kwargs: arguments of `Sequential.predict`; they take precedence over the `sk_params`.

        # Returns
            An array of shape `(n_samples,)` of labels from `classes_`: the most probable class (softmax), or
            `classes_[1]` where the single sigmoid output exceeds 0.5.

        # Raises
            NotFittedError: before `fit` (an `AttributeError` without scikit-learn).
        """
        model = self._model('predict')
        kwargs = self.filter_sk_params(Sequential.predict, kwargs)
        proba = np.asarray(model.predict(x, **kwargs))
        if proba.ndim > 1 and proba.shape[-1] > 1:
            classes = proba.argmax(axis=-1)
        else:
            classes = (proba > 0.5).astype('int32').reshape(len(proba))
        return self.classes_[classes]

    def score(self, x, y, **kwargs):
        """Returns the mean accuracy on the given test data and labels, computed by the model's `evaluate`.

        # Arguments
            x: array-like of shape `(n_samples, n_features)`.
            y: true labels (values of `classes_`), or a one-hot matrix.
            **kwargs: arguments of `Sequential.evaluate` (`batch_size`, `verbose`, `sample_weight`, ...); they
                take precedence over the `sk_params`.

        # Returns
            The accuracy (the metric named `acc` or `accuracy`), a float.

        # Raises
            ValueError: if the model was compiled without an accuracy metric.
            NotFittedError: before `fit` (an `AttributeError` without scikit-learn).
        """
        model = self._model('score')
        y = np.searchsorted(self.classes_, np.asarray(y))
        kwargs = self.filter_sk_params(Sequential.evaluate, kwargs)
        y = self._targets(y)
        outputs = to_list(model.evaluate(x, y, **kwargs))
        for name, output in zip(model.metrics_names, outputs):
            if name in ('acc', 'accuracy'):
                return output
        raise ValueError('The model is not configured to compute accuracy. You should pass '
                         '`metrics=["accuracy"]` to the `model.compile()` method.')


class KerasRegressor(BaseWrapper):
    """Implementation of the scikit-learn regressor API for kernelkit models.

    # Arguments
        build_fn: function (or object with `__call__`, or None for `self.__call__`) returning a compiled
            model; see `BaseWrapper`.
        **sk_params: see `BaseWrapper`.

    # Attributes (after `fit`)
        model: the trained model.
    """

    _estimator_type = 'regressor'

    def predict(self, x, **kwargs):
        """Returns predictions for the given samples.

        # Arguments
            x: array-like of shape `(n_samples, n_features)`.
            **kwargs: arguments of `Sequential.predict`; they take precedence over the `sk_params`.

        # Returns
            The model's predictions with axes of size 1 removed (`(n_samples,)` for a single output).

        # Raises
            NotFittedError: before `fit` (an `AttributeError` without scikit-learn).
        """
        model = self._model('predict')
        kwargs = self.filter_sk_params(Sequential.predict, kwargs)
        return np.squeeze(model.predict(x, **kwargs))

    def score(self, x, y, **kwargs):
        """Returns the negative of the model's loss on the given data (greater is better, as scikit-learn wants).

        # Arguments
            x: array-like of shape `(n_samples, n_features)`.
            y: true targets.
            **kwargs: arguments of `Sequential.evaluate`; they take precedence over the `sk_params`.

        # Returns
            `-loss`, a float (the first value `evaluate` returns when the model has metrics).

        # Raises
            NotFittedError: before `fit` (an `AttributeError` without scikit-learn).
        """
        model = self._model('score')
        kwargs = self.filter_sk_params(Sequential.evaluate, kwargs)
        loss = model.evaluate(x, y, **kwargs)
        if isinstance(loss, list):
            return -loss[0]
        return -loss
