"""`multi_gpu_model`: Keras 2's data parallelism, run by TensorFlow 2's `MirroredStrategy`.

Keras 2.2 replicated the model on each GPU and merged the outputs on the CPU. On TensorFlow 2 the same
job is `tf.distribute.MirroredStrategy`: `multi_gpu_model(model, gpus=2)` returns a copy of `model`
built and compiled (when you compile it) in a strategy over those GPUs, with a `KerasMigrationWarning`
showing the `strategy.scope()` form. As in the Keras 2 FAQ, the template `model` is the one to save: the
copy writes its trained weights back into it after every `fit`, `fit_generator` and `train_on_batch`.
`cpu_merge` and `cpu_relocation` have nothing left to choose (the strategy places the variables).

The device helpers of Keras 2.2.4's module (`_get_available_devices`, `_normalize_device_name`) work, and
`clone_model` is `kernelkit.models.clone_model` (imported on first use: the models module is above this one).
`REPLICA_DEVICE_TYPE` is `'gpu'`; a test may set it to `'cpu'` to replicate on logical CPU devices.
"""
import functools

REPLICA_DEVICE_TYPE = 'gpu'
_SYNCED_METHODS = ('fit', 'fit_generator', 'train_on_batch')
_STRATEGIES = {}


def multi_gpu_model(model, gpus=None, cpu_merge=True, cpu_relocation=False):
    """Replicates a model on different GPUs (data parallelism), on `tf.distribute.MirroredStrategy`.

    # Arguments
        model: a Keras model instance (the template; it keeps the trained weights, save it rather than
            the returned model).
        gpus: integer >= 2 or list of integers, number of GPUs or list of GPU IDs (default: all GPUs).
        cpu_merge: kept for Keras 2 code; the strategy merges the results.
        cpu_relocation: kept for Keras 2 code; the strategy places the weights.

    # Returns
        A `Model` like `model`, whose weights are mirrored on the GPUs: compile it and train it as
        usual; each batch is split over the GPUs.

    # Raises
        ValueError: if `gpus` asks for fewer than 2 GPUs, or for GPUs this machine does not have (Keras
            2.2's messages).
    """
    del cpu_merge, cpu_relocation
    device_type = REPLICA_DEVICE_TYPE
    available = [_normalize_device_name(name) for name in _get_available_devices()]
    if not gpus:
        gpus = len([name for name in available if device_type in name])
    if isinstance(gpus, (list, tuple)):
        if len(gpus) <= 1:
            raise ValueError('For multi-gpu usage to be effective, call `multi_gpu_model` with `len(gpus) >= 2`. '
                             'Received: `gpus=%s`' % (gpus,))
        target_ids = list(gpus)
    else:
        if gpus <= 1:
            raise ValueError('For multi-gpu usage to be effective, call `multi_gpu_model` with `gpus >= 2`. '
                             'Received: `gpus=%d`' % gpus)
        target_ids = list(range(gpus))
    replica_devices = ['/%s:%d' % (device_type, i) for i in target_ids]
    target_devices = ['/cpu:0'] + replica_devices
    if any(device not in available for device in target_devices):
        raise ValueError('To call `multi_gpu_model` with `gpus=%s`, we expect the following devices to be '
                         'available: %s. However this machine only has: %s. Try reducing `gpus`.'
                         % (gpus, target_devices, available))
    from kernelkit.legacy import interfaces, table  # Keras 1/2 texts live in one table
    interfaces.emit(table.MULTI_GPU_MODEL % ', '.join(replica_devices),
                    new_call=table.MULTI_GPU_MODEL_CALL % (replica_devices,))
    from kernelkit import models
    strategy = _strategy_for(replica_devices)
    with strategy.scope():
        replicated = models.clone_model(model)
        replicated.set_weights(model.get_weights())
    for name in _SYNCED_METHODS:
        setattr(replicated, name, _writing_back(getattr(replicated, name), replicated, model))
    return replicated


def _strategy_for(devices):
    """One `MirroredStrategy` per device list, made on first use and kept: TensorFlow's collectives
    mix up two strategies over the same devices in one process, so calling `multi_gpu_model` again
    (re-running a notebook cell) must not make a second one.

    # Arguments
        devices: list of device names.

    # Returns
        A `tf.distribute.MirroredStrategy`.
    """
    import tensorflow as tf
    key = tuple(devices)
    if key not in _STRATEGIES:
        _STRATEGIES[key] = tf.distribute.MirroredStrategy(list(devices))
    return _STRATEGIES[key]


def _writing_back(method, replicated, template):
    """`method` of the replicated model, then its weights copied into the template."""
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        finally:
            template.set_weights(replicated.get_weights())
    return wrapper


def _get_available_devices():
    """The names of the devices TensorFlow can place operations on.

    # Returns
        A list of device names such as `'/device:CPU:0'` and `'/device:GPU:0'` (in TensorFlow 1, Keras
        2.2.4 listed the session's devices, with the same `device:TYPE:N` ending).
    """
    import tensorflow as tf
    return [device.name for device in tf.config.list_logical_devices()]


def _normalize_device_name(name):
    """Shortens a device name to `'/type:index'` in lower case, as Keras 2.2.4 compared them.

    # Arguments
        name: a device name, e.g. `'/job:localhost/replica:0/task:0/device:GPU:1'` or `'/device:CPU:0'`.

    # Returns
        The short name, e.g. `'/gpu:1'`.

    # Raises
        ValueError: if `name` does not end in `TYPE:INDEX`.
    """
    parts = str(name).lower().replace('/', '').split(':')
    if len(parts) < 2:
        raise ValueError('_normalize_device_name: %r is not a device name ending in TYPE:INDEX.' % (name,))
    return '/' + ':'.join(parts[-2:])


def __getattr__(name):
    if name == 'clone_model':
        from kernelkit import models
        try:
            return models.clone_model
        except AttributeError:
            raise AttributeError('clone_model: kernelkit.models has no `clone_model` in this version.')
    raise AttributeError("module 'kernelkit.utils.multi_gpu_utils' has no attribute %r" % (name,))
