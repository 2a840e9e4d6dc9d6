"""Earlier training runs of this kernel, for `LiveCurves` to overlay faintly under the current one.

A run is remembered when its training ends, with its per-epoch curves only (training and validation: a few
numbers per epoch, so memory stays small). A new run is compared with the earlier runs of the same notebook
cell (re-running a fit cell) or of the same model (another `fit` on it). At most `MAX_RUNS` runs are kept
in all, and at most `MAX_SHOWN` are drawn.
"""
import itertools
import weakref

MAX_RUNS = 20
MAX_SHOWN = 5

_counter = itertools.count(1)
_runs = []


class Run(object):
    """One finished run.

    # Properties
        number: its number in this kernel (1, 2, ...). label: `'run N'`.
        curves: `{metric: {'epoch': {'x', 'y'}, 'val': {'x', 'y'}}}`.
        cell_id: the notebook cell that ran it, or None. model: a weak reference to the model, or None.
    """

    def __init__(self, number, curves, cell_id, model):
        self.number = number
        self.label = 'run %d' % number
        self.curves = curves
        self.cell_id = cell_id
        self.model = weakref.ref(model) if model is not None else None

    def same_source(self, cell_id, model):
        """Whether this run came from the same cell or the same (still living) model."""
        if cell_id is not None and cell_id == self.cell_id:
            return True
        return model is not None and self.model is not None and self.model() is model


def next_number():
    """The number of the next run of this kernel."""
    return next(_counter)


def remember(number, store, cell_id, model):
    """Keeps a finished run's per-epoch curves (dropping the oldest run beyond `MAX_RUNS`).

    # Arguments
        number: from `next_number()`. store: its `CurveStore`. cell_id: its cell or None. model: its model.
    """
    curves = {name: {kind: store.data(name, kind) for kind in ('epoch', 'val')} for name in store.metrics}
    try:
        run = Run(number, curves, cell_id, model)
    except TypeError:  # a model that cannot be weakly referenced: compare by cell only
        run = Run(number, curves, cell_id, None)
    _runs.append(run)
    del _runs[:-MAX_RUNS]


def earlier(cell_id, model):
    """The earlier runs to overlay for a new run of `cell_id` / `model`, oldest first (at most `MAX_SHOWN`)."""
    return [run for run in _runs if run.same_source(cell_id, model)][-MAX_SHOWN:]


def forget_all():
    """Forgets every run and restarts the numbering (tests; a new kernel starts empty anyway)."""
    global _counter
    del _runs[:]
    _counter = itertools.count(1)
