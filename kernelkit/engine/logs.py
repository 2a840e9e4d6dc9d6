"""The logs dictionary handed to callbacks, which also answers to old metric names.

kernelkit logs each metric under the string the user gave (`metrics=['accuracy']` logs `accuracy` and
`val_accuracy`), as Keras 2.3+ and tf.keras do. Code written for Keras 2.0-2.2 reads other names: `acc`
for `'accuracy'`, `mean_squared_error` for `'mse'`, and so on. `Logs` is a plain `dict` holding only the
keys really logged, but when a key is missing, `logs[key]`, `logs.get(key)` and `key in logs` try the
key's aliases before giving up, so both spellings work.

A key is read as `<prefix><metric name>`, where the prefix is any mix of `val_`, `<output_name>_` and
`weighted_` (for example `val_dense_2_acc`). Only the metric name is swapped for its aliases; the prefix
is kept as it is. The metric name is the longest alias that ends the key after an underscore (or is the
whole key), so there is never more than one alias group to choose from.
"""
import functools

# Each group holds names of the same metric. Inside a group, the order is the priority order in which a
# missing key's alternatives are tried.
ALIAS_GROUPS = (
    ('acc', 'accuracy'),
    ('ce', 'crossentropy'),
    ('mse', 'MSE', 'mean_squared_error'),
    ('mae', 'MAE', 'mean_absolute_error'),
    ('mape', 'MAPE', 'mean_absolute_percentage_error'),
    ('msle', 'MSLE', 'mean_squared_logarithmic_error'),
    ('kld', 'KLD', 'kullback_leibler_divergence'),
    ('cosine', 'cosine_proximity'),
)

_GROUP_OF = {name: group for group in ALIAS_GROUPS for name in group}
# Longest first, so that the longest metric name ending a key is the one found.
_NAMES_LONGEST_FIRST = sorted(_GROUP_OF, key=len, reverse=True)


@functools.lru_cache(maxsize=2048)
def alias_candidates(key):
    """Lists the other keys under which the value logged for `key` may be stored.

    # Arguments
        key: a logs key such as `'val_acc'` or `'dense_2_mean_squared_error'`.

    # Returns
        A tuple of alternative keys in priority order (the key itself is not included). It is empty when
        the key does not end with a known metric name, or is not a string.

    # Example
    ```python
    alias_candidates('val_acc')   # ('val_accuracy',)
    alias_candidates('MSE')       # ('mse', 'mean_squared_error')
    alias_candidates('loss')      # ()
    ```
    """
    if not isinstance(key, str):
        return ()
    for name in _NAMES_LONGEST_FIRST:
        if key == name:
            prefix = ''
        elif key.endswith('_' + name):
            prefix = key[:-len(name)]
        else:
            continue
        return tuple(prefix + other for other in _GROUP_OF[name] if other != name)
    return ()


class Logs(dict):
    """A `dict` of logged values that also finds a value under an alias of its metric name.

    Iteration, `keys()`, `items()`, `len()`, `repr()`, `copy()` and JSON encoding see only the keys that
    were stored. Only reading by `logs[key]`, `logs.get(key)` and `key in logs` falls back to the aliases
    given by `alias_candidates(key)`, and only when `key` itself is missing. Writing, `pop` and
    `setdefault` always use the exact key.

    # Arguments
        Same as `dict`.

    # Example
    ```python
    logs = Logs(loss=0.3, val_accuracy=0.9)
    logs['val_acc']           # 0.9
    'val_acc' in logs         # True
    list(logs)                # ['loss', 'val_accuracy']
    ```
    """

    __slots__ = ()

    def resolve(self, key):
        """Finds the stored key that `key` stands for.

        # Arguments
            key: the key to look up.

        # Returns
            `key` itself when stored, else the first stored alias, else None.
        """
        if dict.__contains__(self, key):
            return key
        for candidate in alias_candidates(key):
            if dict.__contains__(self, candidate):
                return candidate
        return None

    def __missing__(self, key):
        # Called by dict.__getitem__ only when `key` itself is not stored.
        for candidate in alias_candidates(key):
            if dict.__contains__(self, candidate):
                return dict.__getitem__(self, candidate)
        tried = alias_candidates(key)
        message = '%r is not in the logs' % (key,)
        if tried:
            message += ' (also tried %s)' % ', '.join(repr(name) for name in tried)
        raise KeyError('%s. Available keys: %s' % (message, list(self.keys())))

    def get(self, key, default=None):
        """Returns the value of `key` or of its first stored alias, else `default`.

        # Arguments
            key: the key to look up.
            default: what to return when neither the key nor an alias is stored.

        # Returns
            The stored value, or `default`.
        """
        found = self.resolve(key)
        return default if found is None else dict.__getitem__(self, found)

    def __contains__(self, key):
        return self.resolve(key) is not None

    def copy(self):
        """Returns a shallow copy, itself a `Logs`."""
        return Logs(self)
