"""`multi_gpu_model`: kept for Keras 2 code, which it points to TensorFlow 2's data parallelism."""

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
