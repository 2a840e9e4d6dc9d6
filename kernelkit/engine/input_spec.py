"""`InputSpec`: what a layer accepts, checked before the layer is built or called."""
from kernelkit.engine import hints


class InputSpec:
    """Describes the rank, dtype and shape a layer expects of each input.

    # Arguments
        dtype: expected dtype name, or `None`.
        shape: expected full shape (tuple, `None` for free dimensions), or `None`.
        ndim: expected rank, or `None`.
        max_ndim: largest accepted rank, or `None`.
        min_ndim: smallest accepted rank, or `None`.
        axes: dictionary mapping axes to the size they must have, e.g. `{-1: 64}`.
    """

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None, axes=None):
        self.dtype = dtype
        self.shape = tuple(shape) if shape is not None else None
        self.ndim = len(shape) if shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.axes = dict(axes or {})

    def __repr__(self):
        fields = ['%s=%r' % (k, v) for k, v in sorted(vars(self).items()) if v not in (None, {})]
        return 'InputSpec(%s)' % ', '.join(fields)


def assert_input_compatibility(layer, input_specs, input_shapes):
    """Raises a `ValueError` naming the layer when inputs do not match its `input_spec`.

    # Arguments
        layer: the layer (for its name in messages).
        input_specs: list of `InputSpec` or `None` entries.
        input_shapes: list of input shapes (tuples, or `None` for unknown rank).

    # Raises
        ValueError: on a wrong number of inputs, a wrong rank, or a wrong size along a fixed axis.
    """
    if not input_specs:
        return
    if len(input_shapes) != len(input_specs):
        raise ValueError('Layer %s expects %d input(s), but it received %d input tensors.'
                         % (layer.name, len(input_specs), len(input_shapes)))
    for index, (spec, shape) in enumerate(zip(input_specs, input_shapes)):
        if spec is None or shape is None:
            continue
        where = 'Input %d of layer %s' % (index, layer.name)
        rank = len(shape)
        if spec.ndim is not None and rank != spec.ndim:
            raise ValueError(hints.with_hint(
                '%s is incompatible with the layer: expected ndim=%d, found ndim=%d (full shape received: %s).'
                % (where, spec.ndim, rank, shape), hints.layer_rank_hint(layer, spec.ndim, tuple(shape))))
        if spec.max_ndim is not None and rank > spec.max_ndim:
            raise ValueError('%s is incompatible with the layer: expected max_ndim=%d, found ndim=%d '
                             '(full shape received: %s).' % (where, spec.max_ndim, rank, shape))
        if spec.min_ndim is not None and rank < spec.min_ndim:
            raise ValueError('%s is incompatible with the layer: expected min_ndim=%d, found ndim=%d '
                             '(full shape received: %s).' % (where, spec.min_ndim, rank, shape))
        for axis, size in spec.axes.items():
            actual = shape[axis] if -rank <= axis < rank else None
            if size is not None and actual not in (size, None):
                raise ValueError('%s is incompatible with the layer: expected axis %d of the input '
                                 'shape to have value %d, but got shape %s.' % (where, axis, size, shape))
        if spec.shape is not None:
            for expected, actual in zip(spec.shape, shape):
                if expected is not None and actual is not None and expected != actual:
                    raise ValueError('%s is incompatible with the layer: expected shape=%s, found '
                                     'shape=%s.' % (where, spec.shape, shape))
