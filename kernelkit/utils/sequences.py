"""`Sequence`, the base class of indexable datasets, and `iterate_sequence`, which reads one in the calling thread.

Separate from the enqueuers because a `Sequence` is a user-facing base class (`keras.utils.Sequence`, the
image and text iterators derive from it) that needs no workers; the enqueuers and `training_generator` share
its pass order and its `on_epoch_end` call from here. Imports only the standard library, like the enqueuers.
"""
import random


class Sequence(object):
    """Base object for fitting to a sequence of data, such as a dataset.

    Every `Sequence` must implement the `__getitem__` and the `__len__` methods. If you want to modify
    your dataset between epochs you may implement `on_epoch_end`. The method `__getitem__` should return
    a complete batch.

    # Notes

    `Sequence` are a safer way to do multiprocessing. This structure guarantees that the network will
    only train once on each sample per epoch which is not the case with generators. With
    `use_multiprocessing=True`, each worker process holds its own copy of the sequence (forked, or
    pickled where processes are spawned); `on_epoch_end` runs in the main process, and the workers are
    restarted after it so that they see its changes.

    # Examples

    ```python
    from skimage.io import imread
    from skimage.transform import resize
    import numpy as np

    # Here, `x_set` is list of path to the images
    # and `y_set` are the associated classes.

    class CIFAR10Sequence(Sequence):

        def __init__(self, x_set, y_set, batch_size):
            self.x, self.y = x_set, y_set
            self.batch_size = batch_size

        def __len__(self):
            return int(np.ceil(len(self.x) / float(self.batch_size)))

        def __getitem__(self, idx):
            batch_x = self.x[idx * self.batch_size:(idx + 1) * self.batch_size]
            batch_y = self.y[idx * self.batch_size:(idx + 1) * self.batch_size]

            return np.array([
                resize(imread(file_name), (200, 200))
                   for file_name in batch_x]), np.array(batch_y)
    ```
    """

    use_sequence_api = True

    def __getitem__(self, index):
        """Gets batch at position `index`.

        # Arguments
            index: position of the batch in the Sequence.

        # Returns
            A batch

        # Raises
            NotImplementedError: when the subclass does not implement it.
        """
        raise NotImplementedError('%s must implement `__getitem__(self, index)`, returning batch `index`.'
                                  % type(self).__name__)

    def __len__(self):
        """Number of batch in the Sequence.

        # Returns
            The number of batches in the Sequence.

        # Raises
            NotImplementedError: when the subclass does not implement it.
        """
        raise NotImplementedError('%s must implement `__len__(self)`, returning the number of batches.'
                                  % type(self).__name__)

    def on_epoch_end(self):
        """Method called at the end of every epoch.
        """
        pass

    def __iter__(self):
        """Create a generator that iterate over the Sequence."""
        for index in range(len(self)):
            yield self[index]


def _end_of_pass(sequence):
    on_epoch_end = getattr(sequence, 'on_epoch_end', None)
    if on_epoch_end is not None:
        on_epoch_end()


def _pass_order(sequence, shuffle, rng):
    length = len(sequence)
    if length <= 0:
        raise ValueError('The Sequence %r has length %d: it has no batches to give.' % (sequence, length))
    order = list(range(length))
    if shuffle:
        rng.shuffle(order)
    return order


def iterate_sequence(sequence, shuffle=False, rng=None):
    """Yields the batches of a `Sequence` forever, in the calling thread, pass after pass.

    Each pass visits every index once (in a new random order with `shuffle`); `on_epoch_end` is called
    as soon as the last batch of a pass has been built, as `OrderedEnqueuer` does.

    # Arguments
        sequence: a `Sequence`.
        shuffle: whether to shuffle the batch order of every pass.
        rng: a `random.Random` for the shuffling (default: one seeded from Python's `random`).

    # Yields
        The batches.
    """
    if shuffle and rng is None:
        rng = random.Random(random.getrandbits(64))
    while True:
        order = _pass_order(sequence, shuffle, rng)
        for position, index in enumerate(order):
            item = sequence[index]
            if position == len(order) - 1:
                _end_of_pass(sequence)
            yield item
