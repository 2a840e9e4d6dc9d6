"""`multi_gpu_model`: kept for Keras 2 code, which it points to TensorFlow 2's data parallelism.

The device helpers of Keras 2.2.4's module (`_get_available_devices`, `_normalize_device_name`) work, and
`clone_model` is `kernelkit.models.clone_model` (imported on first use: the models module is above this one).
"""

_ADVICE = (
    '`multi_gpu_model` (Keras 2 data parallelism by model replication) is not available in kernelkit, '
    'which runs on TensorFlow 2. Use `tf.distribute.MirroredStrategy` instead: build and compile the '
    'model inside its scope, then train it as usual, e.g.\n\n'
    '    import tensorflow as tf\n'
    '    strategy = tf.distribute.MirroredStrategy()\n'
    '    with strategy.scope():\n'
    '        model = build_model()\n'
    '        model.compile(optimizer, loss)\n'
    '    model.fit(x, y, batch_size=per_gpu_batch_size * strategy.num_replicas_in_sync)\n\n'
    'On a single GPU (or CPU), just use `model` directly.')


def multi_gpu_model(model, gpus=None, cpu_merge=True, cpu_relocation=False):
    """Replicates a model on different GPUs (Keras 2 API; not available on TensorFlow 2).

    Always raises: TensorFlow 2 replaces this function with `tf.distribute.MirroredStrategy`. The error
    message shows how to port the code.

    # Arguments
        model: a Keras model instance.
        gpus: integer >= 2 or list of integers, number of GPUs or list of GPU IDs.
        cpu_merge: boolean, whether to merge the model weights under the CPU scope.
        cpu_relocation: boolean, whether to create the model's weights under the CPU scope.

    # Returns
        Never returns.

    # Raises
        ValueError: if `gpus` asks for fewer than 2 GPUs (as in Keras 2).
        NotImplementedError: otherwise, with instructions for `tf.distribute.MirroredStrategy`.
    """
    if gpus is not None:
        count = len(gpus) if isinstance(gpus, (list, tuple)) else gpus
        if not isinstance(count, int) or count <= 1:
            raise ValueError('For multi-gpu usage to be effective, call `multi_gpu_model` with `gpus >= 2`. '
                             'Received: `gpus=%r`. ' % (gpus,) + _ADVICE)
    raise NotImplementedError(_ADVICE)


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
