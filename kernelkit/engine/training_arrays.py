"""Keras 2.2.4's `keras.engine.training_arrays`: `fit_loop`, `test_loop` and `predict_loop`.

In Keras 2.2.4 these ran a backend function `f` over the flat list `ins` (inputs, then targets, then
sample weights, then the learning phase). kernelkit has one training loop, `Model.fit`; these
functions split `ins` the same way and hand it to that loop, so code that called them gets the same
training. The function `f` they were given is not needed: the model's own step is used.
"""
from kernelkit.engine.data_adapter import batch_shuffle, make_batches, slice_arrays  # noqa: F401
from kernelkit.engine.training_utils import check_num_samples  # noqa: F401
from kernelkit.utils.generic_utils import to_list, unpack_singleton  # noqa: F401
from kernelkit.utils.progbar import Progbar  # noqa: F401


def _split(model, ins):
    """`ins` -> (inputs, targets, sample weights), by the model's input and output counts."""
    ins = list(ins)
    if ins and isinstance(ins[-1], (int, float)) and not hasattr(ins[-1], 'shape'):
        ins = ins[:-1]  # the learning phase value Keras 2.2.4 appended
    n_in = len(model.inputs)
    n_out = len(model.outputs)
    x, rest = ins[:n_in], ins[n_in:]
    y, weights = rest[:n_out], rest[n_out:2 * n_out]
    return unpack_singleton(x), (unpack_singleton(y) if y else None), (unpack_singleton(weights) if weights else None)


def fit_loop(model, f=None, ins=None, out_labels=None, batch_size=None, epochs=100, verbose=1, callbacks=None,
             val_f=None, val_ins=None, shuffle=True, callback_metrics=None, initial_epoch=0,
             steps_per_epoch=None, validation_steps=None):
    """Trains `model` on the flat list `ins`, as Keras 2.2.4's `fit_loop` did.

    # Arguments
        model: a compiled `Model`.
        f: the Keras 2.2.4 train function (not needed: the model's own step is used).
        ins: list `inputs + targets + sample_weights` (a trailing learning-phase value is ignored).
        out_labels, callback_metrics: not needed (the model names its logs).
        batch_size, epochs, verbose, callbacks, shuffle, initial_epoch, steps_per_epoch, validation_steps:
            as in `Model.fit`.
        val_f: not needed.
        val_ins: the validation list, split like `ins`.

    # Returns
        The `History` callback.

    # Raises
        ValueError: when `ins` is missing.
    """
    del f, out_labels, val_f, callback_metrics
    if ins is None:
        raise ValueError('fit_loop needs `ins`: the list of inputs, targets and sample weights.')
    x, y, weights = _split(model, ins)
    validation_data = None
    if val_ins:
        val_x, val_y, val_weights = _split(model, val_ins)
        validation_data = (val_x, val_y) if val_weights is None else (val_x, val_y, val_weights)
    return model.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=verbose, callbacks=callbacks,
                     validation_data=validation_data, shuffle=shuffle, sample_weight=weights,
                     initial_epoch=initial_epoch, steps_per_epoch=steps_per_epoch,
                     validation_steps=validation_steps)


def test_loop(model, f=None, ins=None, batch_size=None, verbose=0, steps=None):
    """Evaluates `model` on the flat list `ins`, as Keras 2.2.4's `test_loop` did.

    # Arguments
        model: a compiled `Model`.
        f: not needed (the model's own step is used).
        ins: list `inputs + targets + sample_weights`.
        batch_size, verbose, steps: as in `Model.evaluate`.

    # Returns
        The scalar loss, or the list of loss and metrics.
    """
    del f
    x, y, weights = _split(model, ins)
    return model.evaluate(x, y, batch_size=batch_size, verbose=verbose, sample_weight=weights, steps=steps)


def predict_loop(model, f=None, ins=None, batch_size=32, verbose=0, steps=None):
    """Predicts on the inputs in the list `ins`, as Keras 2.2.4's `predict_loop` did.

    # Arguments
        model: a `Model`.
        f: not needed (the model's own step is used).
        ins: list of input arrays.
        batch_size, verbose, steps: as in `Model.predict`.

    # Returns
        An array, or a list of arrays for several outputs.
    """
    del f
    x, _, _ = _split(model, ins)
    return model.predict(x, batch_size=batch_size, verbose=verbose, steps=steps)
