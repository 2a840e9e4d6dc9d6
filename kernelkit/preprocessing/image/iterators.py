"""Batch iterators over images: `Iterator`, `NumpyArrayIterator` (arrays) and `DirectoryIterator` (folders).

Each iterator is a Keras `Sequence` (indexable, with `on_epoch_end`) and also a Python iterator that loops
forever. They own the sample order, the seeding and the batch assembly; what happens to each image is
delegated to the `ImageDataGenerator` they are given (`get_random_transform`, `apply_transform`,
`standardize`), so this module does not import the generator. With a `seed`, NumPy's global generator is
reseeded with `seed + number_of_batches_seen` before every batch, as in Keras 2.2.
"""
import numbers
import os
import threading
import warnings

import numpy as np

from kernelkit.backend import config as _config
from kernelkit.preprocessing.image.conversions import (_COLOR_MODES, _data_format, _pil_interpolation,
                                                       array_to_img, img_to_array, load_img)
from kernelkit.utils.data_utils import Sequence as _SequenceBase

_WHITE_LIST_FORMATS = ('png', 'jpg', 'jpeg', 'bmp', 'ppm', 'tif', 'tiff')
_CLASS_MODES = ('categorical', 'binary', 'sparse', 'input', None)


class _BatchIterator(_SequenceBase):
    """Base class for image data iterators: a Keras `Sequence` that is also a Python iterator.

    Indexing (`iterator[i]`) gives batch `i` of the current epoch order; `next(iterator)` walks through
    the batches forever, reshuffling at the start of every pass. With a `seed`, NumPy's global generator
    is reseeded with `seed + number_of_batches_seen` before every batch, as in Keras 2.2, so shuffling
    and augmentation are reproducible.

    Subclasses implement `_get_batches_of_transformed_samples(index_array)`.

    # Arguments
        n: integer, total number of samples in the dataset to loop over.
        batch_size: integer, size of a batch.
        shuffle: boolean, whether to shuffle the data between epochs.
        seed: random seeding for data shuffling and transformations.

    # Raises
        ValueError: if `batch_size` is not a positive integer.
    """

    def __init__(self, n, batch_size, shuffle, seed):
        if not isinstance(batch_size, numbers.Integral) or batch_size < 1:
            raise ValueError('`batch_size` must be a positive integer; received %r.' % (batch_size,))
        self.n = int(n)
        self.batch_size = int(batch_size)
        self.seed = seed
        self.shuffle = shuffle
        self.batch_index = 0
        self.total_batches_seen = 0
        self.lock = threading.Lock()
        self.index_array = None
        self.index_generator = self._flow_index()

    def _set_index_array(self):
        self.index_array = np.arange(self.n)
        if self.shuffle:
            self.index_array = np.random.permutation(self.n)

    def __getitem__(self, idx):
        length = len(self)
        if not isinstance(idx, numbers.Integral):
            raise TypeError('Batch index must be an integer; received %r.' % (idx,))
        if idx < 0:
            idx += length
        if not 0 <= idx < length:
            raise ValueError('Asked to retrieve element {idx}, but the Sequence has length {length}'
                             .format(idx=idx, length=length))
        if self.seed is not None:
            np.random.seed(self.seed + self.total_batches_seen)
        self.total_batches_seen += 1
        if self.index_array is None:
            self._set_index_array()
        index_array = self.index_array[self.batch_size * idx:self.batch_size * (idx + 1)]
        return self._get_batches_of_transformed_samples(index_array)

    def __len__(self):
        return (self.n + self.batch_size - 1) // self.batch_size

    def on_epoch_end(self):
        """Reshuffles the sample order (when `shuffle=True`); called at the end of every epoch.

        The new order is drawn from NumPy's global generator (not reseeded), as in Keras 2.
        """
        self._set_index_array()

    def reset(self):
        """Restarts the iteration at the first batch of a new pass."""
        self.batch_index = 0

    def _flow_index(self):
        self.reset()
        while True:
            if self.seed is not None:
                np.random.seed(self.seed + self.total_batches_seen)
            if self.batch_index == 0:
                self._set_index_array()
            current_index = (self.batch_index * self.batch_size) % self.n if self.n else 0
            if self.n > current_index + self.batch_size:
                self.batch_index += 1
            else:
                self.batch_index = 0
            self.total_batches_seen += 1
            yield self.index_array[current_index:current_index + self.batch_size]

    def __iter__(self):
        return self

    def __next__(self):
        return self.next()

    def next(self):
        """Returns the next batch.

        # Returns
            The next batch, as `_get_batches_of_transformed_samples` builds it.
        """
        with self.lock:  # only the index bookkeeping is locked; transformations may run in parallel
            index_array = next(self.index_generator)
        return self._get_batches_of_transformed_samples(index_array)

    def _get_batches_of_transformed_samples(self, index_array):
        """Gets a batch of transformed samples.

        # Arguments
            index_array: array of sample indices to include in the batch.

        # Returns
            A batch of transformed samples.
        """
        raise NotImplementedError


Iterator = _BatchIterator  # the Keras 2 name


def _save_batch(batch_x, index_array, data_format, save_to_dir, save_prefix, save_format, hash_high):
    for i, j in enumerate(index_array):
        img = array_to_img(batch_x[i], data_format, scale=True)
        fname = '{prefix}_{index}_{hash}.{format}'.format(prefix=save_prefix, index=j,
                                                          hash=np.random.randint(hash_high), format=save_format)
        img.save(os.path.join(save_to_dir, fname))


class NumpyArrayIterator(_BatchIterator):
    """Iterator yielding data from a Numpy array.

    # Arguments
        x: Numpy array of input data, or a tuple `(images, misc)` where `misc` is another array or a list
            of arrays passed through to the output without any modifications.
        y: Numpy array of targets data.
        image_data_generator: instance of `ImageDataGenerator` to use for random transformations and
            normalization.
        batch_size: integer, size of a batch.
        shuffle: boolean, whether to shuffle the data between epochs.
        sample_weight: Numpy array of sample weights.
        seed: random seed for data shuffling.
        data_format: string, one of `channels_first`, `channels_last`.
        save_to_dir: optional directory where to save the pictures being yielded, in a viewable format.
            This is useful for visualizing the random transformations being applied, for debugging.
        save_prefix: string prefix to use for saving sample images (if `save_to_dir` is set).
        save_format: format to use for saving sample images (if `save_to_dir` is set).
        subset: subset of data (`'training'` or `'validation'`) if `validation_split` is set in
            `ImageDataGenerator`.
        dtype: dtype of the image batches (default: the Keras `floatx`).

    # Raises
        ValueError: if the arrays differ in length, `x` is not rank 4, or `subset` is invalid.
    """

    def __init__(self, x, y, image_data_generator, batch_size=32, shuffle=False, sample_weight=None,
                 seed=None, data_format=None, save_to_dir=None, save_prefix='', save_format='png',
                 subset=None, dtype=None):
        self.dtype = dtype or _config.floatx()
        if isinstance(x, (tuple, list)):
            if len(x) != 2:
                raise ValueError('When `x` is a tuple or list it must be `(images, misc)`, with `misc` an array or '
                                 'a list of arrays passed through unchanged; received a sequence of %d items. To '
                                 'pass a list of images, stack them first: `np.array(images)`.' % len(x))
            misc = x[1]
            x_misc = [np.asarray(item) for item in misc] if isinstance(misc, list) else [np.asarray(misc)]
            x = x[0]
            for item in x_misc:
                if len(x) != len(item):
                    raise ValueError('All of the arrays in `x` should have the same length. Found a pair with: '
                                     'len(x[0]) = %s, len(x[?]) = %s' % (len(x), len(item)))
        else:
            x_misc = []
        if y is not None and len(x) != len(y):
            raise ValueError('`x` (images tensor) and `y` (labels) should have the same length. Found: '
                             'x.shape = %s, y.shape = %s' % (np.asarray(x).shape, np.asarray(y).shape))
        if sample_weight is not None and len(x) != len(sample_weight):
            raise ValueError('`x` (images tensor) and `sample_weight` should have the same length. Found: '
                             'x.shape = %s, sample_weight.shape = %s'
                             % (np.asarray(x).shape, np.asarray(sample_weight).shape))
        if subset is not None:
            if subset not in ('training', 'validation'):
                raise ValueError('Invalid subset name: %r; expected "training" or "validation".' % (subset,))
            split_idx = int(len(x) * image_data_generator._validation_split)
            part = slice(None, split_idx) if subset == 'validation' else slice(split_idx, None)
            x = x[part]
            x_misc = [np.asarray(item[part]) for item in x_misc]
            if y is not None:
                y = y[part]
            if sample_weight is not None:
                sample_weight = sample_weight[part]
        data_format = _data_format(data_format)
        self.x = np.asarray(x, dtype=self.dtype)
        self.x_misc = x_misc
        if self.x.ndim != 4:
            raise ValueError('Input data in `NumpyArrayIterator` should have rank 4. You passed an array with '
                             'shape %s' % (self.x.shape,))
        channels_axis = 3 if data_format == 'channels_last' else 1
        if self.x.shape[channels_axis] not in (1, 3, 4):
            warnings.warn('NumpyArrayIterator is set to use the data format convention "%s" (channels on axis '
                          '%d), i.e. expected either 1, 3, or 4 channels on axis %d. However, it was passed an '
                          'array with shape %s (%d channels).'
                          % (data_format, channels_axis, channels_axis, self.x.shape,
                             self.x.shape[channels_axis]))
        self.y = np.asarray(y) if y is not None else None
        self.sample_weight = np.asarray(sample_weight) if sample_weight is not None else None
        self.image_data_generator = image_data_generator
        self.data_format = data_format
        self.save_to_dir = save_to_dir
        self.save_prefix = save_prefix
        self.save_format = save_format
        super(NumpyArrayIterator, self).__init__(self.x.shape[0], batch_size, shuffle, seed)

    def _get_batches_of_transformed_samples(self, index_array):
        generator = self.image_data_generator
        batch_x = np.zeros((len(index_array),) + self.x.shape[1:], dtype=self.dtype)
        for i, j in enumerate(index_array):
            x = self.x[j]
            params = generator.get_random_transform(x.shape)
            x = generator.apply_transform(x.astype(self.dtype), params)
            batch_x[i] = generator.standardize(x)
        if self.save_to_dir:
            _save_batch(batch_x, index_array, self.data_format, self.save_to_dir, self.save_prefix,
                        self.save_format, 10 ** 4)
        misc = [item[index_array] for item in self.x_misc]
        output = (batch_x if not misc else [batch_x] + misc,)
        if self.y is None:
            return output[0]
        output += (self.y[index_array],)
        if self.sample_weight is not None:
            output += (self.sample_weight[index_array],)
        return output


def _iter_valid_files(directory, white_list_formats, follow_links):
    """Yields `(root, filename)` for the image files under `directory`, in sorted order."""
    for root, _, files in sorted(os.walk(directory, followlinks=follow_links), key=lambda entry: entry[0]):
        for fname in sorted(files):
            if fname.lower().endswith('.tiff'):
                warnings.warn('Using \'.tiff\' files with multiple bands will cause distortion. '
                              'Please verify your output.')
            if fname.lower().endswith(tuple('.' + extension for extension in white_list_formats)):
                yield root, fname


def _list_valid_filenames_in_directory(directory, white_list_formats, split, class_indices, follow_links):
    """Lists the image files of one class folder, as `(class_indices, paths relative to the parent)`."""
    dirname = os.path.basename(directory)
    valid_files = list(_iter_valid_files(directory, white_list_formats, follow_links))
    if split:
        num_files = len(valid_files)
        valid_files = valid_files[int(split[0] * num_files):int(split[1] * num_files)]
    classes, filenames = [], []
    for root, fname in valid_files:
        classes.append(class_indices[dirname])
        filenames.append(os.path.join(dirname, os.path.relpath(os.path.join(root, fname), directory)))
    return classes, filenames


class DirectoryIterator(_BatchIterator):
    """Iterator capable of reading images from a directory on disk.

    # Arguments
        directory: path to the directory to read images from. Each subdirectory in this directory is
            considered to contain images from one class, or alternatively you could specify class
            subdirectories via the `classes` argument.
        image_data_generator: instance of `ImageDataGenerator` to use for random transformations and
            normalization.
        target_size: tuple of integers, dimensions to resize input images to.
        color_mode: one of `'rgb'`, `'rgba'`, `'grayscale'`. Color mode to read images.
        classes: optional list of strings, names of subdirectories containing images from each class
            (e.g. `['dogs', 'cats']`). It is computed automatically if not set.
        class_mode: mode for yielding the targets: `'binary'` (binary targets, for two classes),
            `'categorical'` (one-hot targets), `'sparse'` (integer targets), `'input'` (targets are images
            identical to input images, mainly used to work with autoencoders), `None` (no targets).
        batch_size: integer, size of a batch.
        shuffle: boolean, whether to shuffle the data between epochs.
        seed: random seed for data shuffling.
        data_format: string, one of `channels_first`, `channels_last`.
        save_to_dir: optional directory where to save the pictures being yielded, in a viewable format.
        save_prefix: string prefix to use for saving sample images (if `save_to_dir` is set).
        save_format: format to use for saving sample images (if `save_to_dir` is set).
        follow_links: whether to follow symlinks inside class subdirectories.
        subset: subset of data (`'training'` or `'validation'`) if `validation_split` is set in
            `ImageDataGenerator`.
        interpolation: interpolation method used to resample the image if the target size is different
            from that of the loaded image (`'nearest'`, `'bilinear'`, `'bicubic'`, `'lanczos'`, `'box'`,
            `'hamming'`).
        dtype: dtype of the image batches (default: the Keras `floatx`).

    # Raises
        ValueError: for an invalid `color_mode`, `class_mode`, `subset` or `interpolation`, or a missing
            class folder.
        IOError: if `directory` does not exist.
    """

    def __init__(self, directory, image_data_generator, target_size=(256, 256), color_mode='rgb',
                 classes=None, class_mode='categorical', batch_size=32, shuffle=True, seed=None,
                 data_format=None, save_to_dir=None, save_prefix='', save_format='png', follow_links=False,
                 subset=None, interpolation='nearest', dtype=None):
        data_format = _data_format(data_format)
        if not os.path.isdir(directory):
            raise IOError('`directory` %r does not exist or is not a folder. It should hold one subfolder of '
                          'images per class.' % (directory,))
        self.directory = directory
        self.image_data_generator = image_data_generator
        self.target_size = tuple(int(v) for v in target_size)
        if len(self.target_size) != 2:
            raise ValueError('`target_size` must be a tuple (height, width); received %r.' % (target_size,))
        if color_mode not in _COLOR_MODES:
            raise ValueError('Invalid color mode: %r; expected "rgb", "rgba", or "grayscale".' % (color_mode,))
        if color_mode == 'rgba' and save_format in ('jpeg', 'jpg'):
            warnings.warn('The JPG format does not support RGBA images, converting to RGB.')
            color_mode = 'rgb'
        self.color_mode = color_mode
        self.data_format = data_format
        self.dtype = dtype or _config.floatx()
        channels = {'rgba': 4, 'rgb': 3, 'grayscale': 1}[color_mode]
        self.image_shape = (self.target_size + (channels,) if data_format == 'channels_last'
                            else (channels,) + self.target_size)
        if class_mode not in _CLASS_MODES:
            raise ValueError('Invalid class_mode: %r; expected one of "categorical", "binary", "sparse", '
                             '"input" or None.' % (class_mode,))
        self.class_mode = class_mode
        self.save_to_dir = save_to_dir
        self.save_prefix = save_prefix
        self.save_format = save_format
        _pil_interpolation(interpolation)  # fails early for an unknown method
        self.interpolation = interpolation

        if subset is not None:
            validation_split = image_data_generator._validation_split
            if subset == 'validation':
                split = (0, validation_split)
            elif subset == 'training':
                split = (validation_split, 1)
            else:
                raise ValueError('Invalid subset name: %r; expected "training" or "validation".' % (subset,))
        else:
            split = None
        self.subset = subset

        if not classes:
            classes = [name for name in sorted(os.listdir(directory))
                       if os.path.isdir(os.path.join(directory, name))]
        else:
            missing = [name for name in classes if not os.path.isdir(os.path.join(directory, name))]
            if missing:
                raise ValueError('`classes` names folders that are not in %s: %s.' % (directory, missing))
        self.num_classes = len(classes)
        self.class_indices = dict(zip(classes, range(len(classes))))

        labels, self.filenames = [], []
        for subdir in classes:
            found_classes, found_files = _list_valid_filenames_in_directory(
                os.path.join(directory, subdir), _WHITE_LIST_FORMATS, split, self.class_indices, follow_links)
            labels += found_classes
            self.filenames += found_files
        self.samples = len(self.filenames)
        self.classes = np.array(labels, dtype='int32')
        print('Found %d images belonging to %d classes.' % (self.samples, self.num_classes))
        super(DirectoryIterator, self).__init__(self.samples, batch_size, shuffle, seed)

    @property
    def filepaths(self):
        """The absolute-or-relative paths of the images, as found (`directory` joined to `filenames`)."""
        return [os.path.join(self.directory, fname) for fname in self.filenames]

    @property
    def labels(self):
        """The class index of every image, in `filenames` order."""
        return self.classes

    def _get_batches_of_transformed_samples(self, index_array):
        generator = self.image_data_generator
        batch_x = np.zeros((len(index_array),) + self.image_shape, dtype=self.dtype)
        for i, j in enumerate(index_array):
            img = load_img(os.path.join(self.directory, self.filenames[j]), color_mode=self.color_mode,
                           target_size=self.target_size, interpolation=self.interpolation)
            x = img_to_array(img, data_format=self.data_format, dtype=self.dtype)
            if hasattr(img, 'close'):
                img.close()
            params = generator.get_random_transform(x.shape)
            x = generator.apply_transform(x, params)
            batch_x[i] = generator.standardize(x)
        if self.save_to_dir:
            _save_batch(batch_x, index_array, self.data_format, self.save_to_dir, self.save_prefix,
                        self.save_format, 10 ** 7)
        if self.class_mode == 'input':
            batch_y = batch_x.copy()
        elif self.class_mode == 'sparse':
            batch_y = self.classes[index_array]
        elif self.class_mode == 'binary':
            batch_y = self.classes[index_array].astype(self.dtype)
        elif self.class_mode == 'categorical':
            batch_y = np.zeros((len(batch_x), self.num_classes), dtype=self.dtype)
            batch_y[np.arange(len(batch_x)), self.classes[index_array]] = 1.
        else:
            return batch_x
        return batch_x, batch_y
