"""`ImageDataGenerator`: the configuration of real-time data augmentation and normalization.

The generator holds the augmentation settings, draws the random parameters of each transformation
(`get_random_transform`), applies them (`apply_transform`, through the functions of `transforms`),
normalizes (`standardize`, with the statistics computed by `fit`) and builds the batch iterators
(`flow`, `flow_from_directory`). It draws its random numbers from NumPy's global generator in the same
order as Keras 2.2, so a given seed gives the same parameters: `height_shift_range` moves images
vertically and `width_shift_range` horizontally, as documented.
"""
import numbers
import warnings

import numpy as np

from kernelkit.backend import config as _config
from kernelkit.preprocessing.image.conversions import _data_format
from kernelkit.preprocessing.image.iterators import DirectoryIterator, NumpyArrayIterator
from kernelkit.preprocessing.image.transforms import (_FILL_MODES, apply_affine_transform, apply_brightness_shift,
                                                      apply_channel_shift, flip_axis)


def _check_range(name, value):
    if isinstance(value, (numbers.Number, np.number)):
        if value < 0:
            raise ValueError('`%s` must be >= 0; received %r.' % (name, value))
        return
    try:
        values = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        values = None
    if values is None or values.ndim != 1 or values.size == 0:
        raise ValueError('`%s` must be a float, an int or a 1-D list of numbers; received %r.' % (name, value))


def _draw_shift(shift_range, size):
    if isinstance(shift_range, (numbers.Integral, np.integer)) and not isinstance(shift_range, bool) or \
            isinstance(shift_range, (list, tuple, np.ndarray)):
        shift = np.random.choice(shift_range)  # integer pixels (an int n gives -(n-1)..n-1) or a given list
        shift *= np.random.choice([-1, 1])
    else:
        shift = np.random.uniform(-shift_range, shift_range)
    if np.max(shift_range) < 1:  # fractions of the image size
        shift *= size
    return shift


class ImageDataGenerator(object):
    """Generate batches of tensor image data with real-time data augmentation.

    The data will be looped over (in batches).

    # Arguments
        featurewise_center: boolean. Set input mean to 0 over the dataset, feature-wise.
        samplewise_center: boolean. Set each sample mean to 0.
        featurewise_std_normalization: boolean. Divide inputs by std of the dataset, feature-wise.
        samplewise_std_normalization: boolean. Divide each input by its std.
        zca_whitening: boolean. Apply ZCA whitening.
        zca_epsilon: epsilon for ZCA whitening. Default is 1e-6.
        rotation_range: int. Degree range for random rotations.
        width_shift_range: float, 1-D array-like or int
            - float: fraction of total width, if < 1, or pixels if >= 1.
            - 1-D array-like: random elements from the array.
            - int: integer number of pixels from interval `(-width_shift_range, +width_shift_range)`.
            With `width_shift_range=2` possible values are integers `[-1, 0, +1]`, same as with
            `width_shift_range=[-1, 0, +1]`, while with `width_shift_range=1.0` possible values are floats
            in the interval `[-1.0, +1.0)`.
        height_shift_range: float, 1-D array-like or int, as `width_shift_range` for the height.
        brightness_range: tuple or list of two floats. Range for picking a brightness shift value from.
        shear_range: float. Shear intensity (shear angle in counter-clockwise direction in degrees).
        zoom_range: float or `[lower, upper]`. Range for random zoom. If a float,
            `[lower, upper] = [1 - zoom_range, 1 + zoom_range]`.
        channel_shift_range: float. Range for random channel shifts.
        fill_mode: one of `{"constant", "nearest", "reflect" or "wrap"}`. Default is `'nearest'`. Points
            outside the boundaries of the input are filled according to the given mode:
            - `'constant'`: kkkkkkkk|abcd|kkkkkkkk (cval=k)
            - `'nearest'`:  aaaaaaaa|abcd|dddddddd
            - `'reflect'`:  abcddcba|abcd|dcbaabcd
            - `'wrap'`:  abcdabcd|abcd|abcdabcd
        cval: float or int. Value used for points outside the boundaries when `fill_mode = "constant"`.
        horizontal_flip: boolean. Randomly flip inputs horizontally.
        vertical_flip: boolean. Randomly flip inputs vertically.
        rescale: rescaling factor. Defaults to None. If None or 0, no rescaling is applied, otherwise the
            data is multiplied by the value provided (after applying all other transformations).
        preprocessing_function: function applied on each input. The function runs after the image is
            resized and augmented. It takes one argument, one image (Numpy tensor with rank 3), and
            should output a Numpy tensor with the same shape.
        data_format: image data format, either `"channels_first"` or `"channels_last"`. It defaults to
            the `image_data_format` value found in your Keras config file at `~/.keras/keras.json`.
        validation_split: float. Fraction of images reserved for validation (strictly between 0 and 1).
        dtype: dtype to use for the generated arrays (default: the Keras `floatx`).
        interpolation_order: int, order of the spline interpolation of affine transforms (default 1).

    # Raises
        ValueError: for an invalid argument value.

    # Example
    ```python
    (x_train, y_train), (x_test, y_test) = cifar10.load_data()
    y_train = np_utils.to_categorical(y_train, num_classes)
    datagen = ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True,
                                 rotation_range=20, width_shift_range=0.2, height_shift_range=0.2,
                                 horizontal_flip=True)
    datagen.fit(x_train)
    model.fit_generator(datagen.flow(x_train, y_train, batch_size=32),
                        steps_per_epoch=len(x_train) / 32, epochs=epochs)
    ```
    """

    def __init__(self, featurewise_center=False, samplewise_center=False, featurewise_std_normalization=False,
                 samplewise_std_normalization=False, zca_whitening=False, zca_epsilon=1e-6, rotation_range=0,
                 width_shift_range=0., height_shift_range=0., brightness_range=None, shear_range=0.,
                 zoom_range=0., channel_shift_range=0., fill_mode='nearest', cval=0., horizontal_flip=False,
                 vertical_flip=False, rescale=None, preprocessing_function=None, data_format=None,
                 validation_split=0.0, dtype=None, interpolation_order=1):
        data_format = _data_format(data_format)
        self.featurewise_center = featurewise_center
        self.samplewise_center = samplewise_center
        self.featurewise_std_normalization = featurewise_std_normalization
        self.samplewise_std_normalization = samplewise_std_normalization
        self.zca_whitening = zca_whitening
        self.zca_epsilon = zca_epsilon
        self.rotation_range = rotation_range
        self.width_shift_range = width_shift_range
        self.height_shift_range = height_shift_range
        self.shear_range = shear_range
        self.channel_shift_range = channel_shift_range
        self.fill_mode = fill_mode
        self.cval = cval
        self.horizontal_flip = horizontal_flip
        self.vertical_flip = vertical_flip
        self.rescale = rescale
        self.preprocessing_function = preprocessing_function
        self.dtype = dtype or _config.floatx()
        self.interpolation_order = interpolation_order

        for name in ('rotation_range', 'shear_range', 'channel_shift_range'):
            if not isinstance(getattr(self, name), (numbers.Number, np.number)) or getattr(self, name) < 0:
                raise ValueError('`%s` must be a number >= 0; received %r.' % (name, getattr(self, name)))
        _check_range('width_shift_range', width_shift_range)
        _check_range('height_shift_range', height_shift_range)
        if fill_mode not in _FILL_MODES:
            raise ValueError('`fill_mode` must be one of "constant", "nearest", "reflect" or "wrap"; received %r.'
                             % (fill_mode,))
        if preprocessing_function is not None and not callable(preprocessing_function):
            raise ValueError('`preprocessing_function` must be a function; received %r.' % (preprocessing_function,))

        self.data_format = data_format
        if data_format == 'channels_first':
            self.channel_axis, self.row_axis, self.col_axis = 1, 2, 3
        else:
            self.channel_axis, self.row_axis, self.col_axis = 3, 1, 2
        if validation_split and not 0 < validation_split < 1:
            raise ValueError('`validation_split` must be strictly between 0 and 1. Received: %s' % validation_split)
        self._validation_split = validation_split

        self.mean = None
        self.std = None
        self.principal_components = None

        if isinstance(zoom_range, (numbers.Number, np.number)):
            self.zoom_range = [1 - zoom_range, 1 + zoom_range]
        elif (isinstance(zoom_range, (list, tuple, np.ndarray)) and len(zoom_range) == 2 and
              all(isinstance(v, (numbers.Number, np.number)) for v in zoom_range)):
            self.zoom_range = [zoom_range[0], zoom_range[1]]
        else:
            raise ValueError('`zoom_range` should be a float or a tuple or list of two floats. Received: %r'
                             % (zoom_range,))
        if zca_whitening:
            if not featurewise_center:
                self.featurewise_center = True
                warnings.warn('This ImageDataGenerator specifies `zca_whitening`, which overrides setting of '
                              '`featurewise_center`.')
            if featurewise_std_normalization:
                self.featurewise_std_normalization = False
                warnings.warn('This ImageDataGenerator specifies `zca_whitening` which overrides setting of '
                              '`featurewise_std_normalization`.')
        if featurewise_std_normalization and not featurewise_center:
            self.featurewise_center = True
            warnings.warn('This ImageDataGenerator specifies `featurewise_std_normalization`, which overrides '
                          'setting of `featurewise_center`.')
        if samplewise_std_normalization and not samplewise_center:
            self.samplewise_center = True
            warnings.warn('This ImageDataGenerator specifies `samplewise_std_normalization`, which overrides '
                          'setting of `samplewise_center`.')
        if brightness_range is not None:
            if (not isinstance(brightness_range, (tuple, list, np.ndarray)) or len(brightness_range) != 2):
                raise ValueError('`brightness_range should be tuple or list of two floats. Received: %r'
                                 % (brightness_range,))
        self.brightness_range = brightness_range

    @property
    def zca_whitening_matrix(self):
        """The ZCA whitening matrix computed by `fit` (the same array as `principal_components`)."""
        return self.principal_components

    def flow(self, x, y=None, batch_size=32, shuffle=True, sample_weight=None, seed=None, save_to_dir=None,
             save_prefix='', save_format='png', subset=None):
        """Takes data & label arrays, generates batches of augmented data.

        # Arguments
            x: input data. Numpy array of rank 4 or a tuple. If tuple, the first element should contain
                the images and the second element another numpy array or a list of numpy arrays that gets
                passed to the output without any modifications. Can be used to feed the model
                miscellaneous data along with the images. In case of grayscale data, the channels axis of
                the image array should have value 1, in case of RGB data 3, and RGBA data 4.
            y: labels.
            batch_size: int (default: 32).
            shuffle: boolean (default: True).
            sample_weight: sample weights.
            seed: int (default: None).
            save_to_dir: None or str (default: None). This allows you to optionally specify a directory
                to which to save the augmented pictures being generated (useful for visualizing what you
                are doing).
            save_prefix: str (default: `''`). Prefix to use for filenames of saved pictures (only relevant
                if `save_to_dir` is set).
            save_format: one of "png", "jpeg" (only relevant if `save_to_dir` is set). Default: "png".
            subset: subset of data (`"training"` or `"validation"`) if `validation_split` is set in
                `ImageDataGenerator`.

        # Returns
            An `Iterator` yielding tuples of `(x, y)` where `x` is a numpy array of image data (in the
            case of a single image input) or a list of numpy arrays (in the case with additional inputs)
            and `y` is a numpy array of corresponding labels. If `sample_weight` is not None, the yielded
            tuples are of the form `(x, y, sample_weight)`. If `y` is None, only the numpy array `x` is
            returned.

        # Raises
            ValueError: if the arrays are inconsistent or not images.
        """
        return NumpyArrayIterator(x, y, self, batch_size=batch_size, shuffle=shuffle, sample_weight=sample_weight,
                                  seed=seed, data_format=self.data_format, save_to_dir=save_to_dir,
                                  save_prefix=save_prefix, save_format=save_format, subset=subset,
                                  dtype=self.dtype)

    def flow_from_directory(self, directory, target_size=(256, 256), color_mode='rgb', classes=None,
                            class_mode='categorical', batch_size=32, shuffle=True, seed=None, save_to_dir=None,
                            save_prefix='', save_format='png', follow_links=False, subset=None,
                            interpolation='nearest'):
        """Takes the path to a directory & generates batches of augmented data.

        # Arguments
            directory: path to the target directory. It should contain one subdirectory per class. Any
                PNG, JPG, BMP, PPM or TIF images inside each of the subdirectories directory tree will be
                included in the generator.
            target_size: tuple of integers `(height, width)`, default: `(256, 256)`. The dimensions to
                which all images found will be resized.
            color_mode: one of "grayscale", "rgb", "rgba". Default: "rgb". Whether the images will be
                converted to have 1, 3, or 4 channels.
            classes: optional list of class subdirectories (e.g. `['dogs', 'cats']`). Default: None. If
                not provided, the list of classes will be automatically inferred from the subdirectory
                names/structure under `directory` (in alphanumeric order). The dictionary containing the
                mapping from class names to class indices can be obtained via the attribute
                `class_indices`.
            class_mode: one of "categorical", "binary", "sparse", "input", or None. Default:
                "categorical". Determines the type of label arrays that are returned: "categorical" gives
                2D one-hot encoded labels, "binary" 1D binary labels, "sparse" 1D integer labels, "input"
                images identical to input images (mainly used to work with autoencoders), None no labels
                (the generator will only yield batches of image data, which is useful to use with
                `model.predict_generator()`). Please note that in case of class_mode None, the data still
                needs to reside in a subdirectory of `directory` for it to work correctly.
            batch_size: size of the batches of data (default: 32).
            shuffle: whether to shuffle the data (default: True).
            seed: optional random seed for shuffling and transformations.
            save_to_dir: None or str (default: None). Optional directory to which to save the augmented
                pictures being generated.
            save_prefix: str. Prefix to use for filenames of saved pictures.
            save_format: one of "png", "jpeg". Default: "png".
            follow_links: whether to follow symlinks inside class subdirectories (default: False).
            subset: subset of data (`"training"` or `"validation"`) if `validation_split` is set in
                `ImageDataGenerator`.
            interpolation: interpolation method used to resample the image if the target size is
                different from that of the loaded image. Supported methods are `"nearest"`, `"bilinear"`,
                `"bicubic"`, `"lanczos"`, `"box"` and `"hamming"`. By default, `"nearest"` is used.

        # Returns
            A `DirectoryIterator` yielding tuples of `(x, y)` where `x` is a numpy array containing a
            batch of images with shape `(batch_size, *target_size, channels)` and `y` is a numpy array of
            corresponding labels.

        # Raises
            ValueError: for invalid arguments.
            IOError: if `directory` does not exist.
        """
        return DirectoryIterator(directory, self, target_size=target_size, color_mode=color_mode,
                                 classes=classes, class_mode=class_mode, data_format=self.data_format,
                                 batch_size=batch_size, shuffle=shuffle, seed=seed, save_to_dir=save_to_dir,
                                 save_prefix=save_prefix, save_format=save_format, follow_links=follow_links,
                                 subset=subset, interpolation=interpolation, dtype=self.dtype)

    def standardize(self, x):
        """Applies the normalization configuration to a batch of inputs.

        `x` is changed in place when possible (as in Keras 2); pass a copy to keep the original.

        # Arguments
            x: batch of inputs (or a single image) to be normalized.

        # Returns
            The inputs, normalized.
        """
        if self.preprocessing_function:
            x = self.preprocessing_function(x)
        if self.rescale:
            x *= self.rescale
        if self.samplewise_center:
            x -= np.mean(x, keepdims=True)
        if self.samplewise_std_normalization:
            x /= (np.std(x, keepdims=True) + _config.epsilon())

        if self.featurewise_center:
            if self.mean is not None:
                x -= self.mean
            else:
                warnings.warn('This ImageDataGenerator specifies `featurewise_center`, but it hasn\'t been fit '
                              'on any training data. Fit it first by calling `.fit(numpy_data)`.')
        if self.featurewise_std_normalization:
            if self.std is not None:
                x /= (self.std + _config.epsilon())
            else:
                warnings.warn('This ImageDataGenerator specifies `featurewise_std_normalization`, but it '
                              'hasn\'t been fit on any training data. Fit it first by calling '
                              '`.fit(numpy_data)`.')
        if self.zca_whitening:
            if self.principal_components is not None:
                flat = np.reshape(x, (-1, int(np.prod(x.shape[-3:]))))
                x = np.reshape(np.dot(flat, self.principal_components), x.shape)
            else:
                warnings.warn('This ImageDataGenerator specifies `zca_whitening`, but it hasn\'t been fit on any '
                              'training data. Fit it first by calling `.fit(numpy_data)`.')
        return x

    def get_random_transform(self, img_shape, seed=None):
        """Generates random parameters for a transformation.

        # Arguments
            img_shape: tuple of integers, the shape of the image that is transformed.
            seed: random seed (reseeds NumPy's global generator).

        # Returns
            A dictionary containing randomly chosen parameters describing the transformation: `theta`,
            `tx`, `ty`, `shear`, `zx`, `zy`, `flip_horizontal`, `flip_vertical`,
            `channel_shift_intensity`, `brightness`.
        """
        img_row_axis = self.row_axis - 1
        img_col_axis = self.col_axis - 1
        if seed is not None:
            np.random.seed(seed)

        theta = np.random.uniform(-self.rotation_range, self.rotation_range) if self.rotation_range else 0
        tx = _draw_shift(self.height_shift_range, img_shape[img_row_axis]) if self.height_shift_range else 0
        ty = _draw_shift(self.width_shift_range, img_shape[img_col_axis]) if self.width_shift_range else 0
        shear = np.random.uniform(-self.shear_range, self.shear_range) if self.shear_range else 0
        if self.zoom_range[0] == 1 and self.zoom_range[1] == 1:
            zx, zy = 1, 1
        else:
            zx, zy = np.random.uniform(self.zoom_range[0], self.zoom_range[1], 2)
        flip_horizontal = (np.random.random() < 0.5) * self.horizontal_flip
        flip_vertical = (np.random.random() < 0.5) * self.vertical_flip
        channel_shift_intensity = None
        if self.channel_shift_range != 0:
            channel_shift_intensity = np.random.uniform(-self.channel_shift_range, self.channel_shift_range)
        brightness = None
        if self.brightness_range is not None:
            brightness = np.random.uniform(self.brightness_range[0], self.brightness_range[1])
        return {'theta': theta, 'tx': tx, 'ty': ty, 'shear': shear, 'zx': zx, 'zy': zy,
                'flip_horizontal': flip_horizontal, 'flip_vertical': flip_vertical,
                'channel_shift_intensity': channel_shift_intensity, 'brightness': brightness}

    def apply_transform(self, x, transform_parameters):
        """Applies a transformation to an image according to given parameters.

        # Arguments
            x: 3D tensor, single image.
            transform_parameters: dictionary with string - parameter pairs describing the transformation.
                Currently, the following parameters from the dictionary are used:
                - `'theta'`: float. Rotation angle in degrees.
                - `'tx'`: float. Shift in the vertical (rows) direction, in pixels.
                - `'ty'`: float. Shift in the horizontal (columns) direction, in pixels.
                - `'shear'`: float. Shear angle in degrees.
                - `'zx'`: float. Zoom in the vertical direction.
                - `'zy'`: float. Zoom in the horizontal direction.
                - `'flip_horizontal'`: boolean. Horizontal flip.
                - `'flip_vertical'`: boolean. Vertical flip.
                - `'channel_shift_intensity'`: float. Channel shift intensity.
                - `'brightness'`: float. Brightness shift intensity.

        # Returns
            A transformed version of the input (same shape).

        # Raises
            ValueError: if `x` is not a single (rank 3) image.
        """
        x = np.asarray(x)
        if x.ndim != 3:
            raise ValueError('`apply_transform` works on a single image of rank 3; received shape %s.'
                             % (x.shape,))
        img_row_axis = self.row_axis - 1
        img_col_axis = self.col_axis - 1
        img_channel_axis = self.channel_axis - 1
        params = transform_parameters
        x = apply_affine_transform(x, params.get('theta', 0), params.get('tx', 0), params.get('ty', 0),
                                   params.get('shear', 0), params.get('zx', 1), params.get('zy', 1),
                                   row_axis=img_row_axis, col_axis=img_col_axis, channel_axis=img_channel_axis,
                                   fill_mode=self.fill_mode, cval=self.cval, order=self.interpolation_order)
        if params.get('channel_shift_intensity') is not None:
            x = apply_channel_shift(x, params['channel_shift_intensity'], img_channel_axis)
        if params.get('flip_horizontal', False):
            x = flip_axis(x, img_col_axis)
        if params.get('flip_vertical', False):
            x = flip_axis(x, img_row_axis)
        if params.get('brightness') is not None:
            if self.data_format == 'channels_first':
                x = np.moveaxis(apply_brightness_shift(np.moveaxis(x, 0, 2), params['brightness'], scale=False),
                                2, 0)
            else:
                x = apply_brightness_shift(x, params['brightness'], scale=False)
        return x

    def random_transform(self, x, seed=None):
        """Applies a random transformation to an image.

        # Arguments
            x: 3D tensor, single image.
            seed: random seed.

        # Returns
            A randomly transformed version of the input (same shape).
        """
        return self.apply_transform(x, self.get_random_transform(np.shape(x), seed))

    def fit(self, x, augment=False, rounds=1, seed=None):
        """Fits the data generator to some sample data.

        This computes the internal data stats related to the data-dependent transformations, based on an
        array of sample data. Only required if `featurewise_center` or `featurewise_std_normalization` or
        `zca_whitening` are set to True.

        `rescale` is applied to `x` first, so the statistics are those of the images that `standardize`
        centres and scales (it rescales before it normalizes). Keras 2.2.4 computed them on the unscaled
        data; this follows the fix of keras-preprocessing 1.1 (kept by tf.keras).

        # Arguments
            x: sample data. Should have rank 4. In case of grayscale data, the channels axis should have
                value 1, in case of RGB data, it should have value 3, and in case of RGBA data, it should
                have value 4.
            augment: boolean (default: False). Whether to fit on randomly augmented samples.
            rounds: int (default: 1). If using data augmentation (`augment=True`), this is how many
                augmentation passes over the data to use.
            seed: int (default: None). Random seed.

        # Returns
            None; the statistics are stored in `mean`, `std` and `principal_components`.

        # Raises
            ValueError: if `x` is not rank 4 or `rounds` is not a positive integer.
        """
        x = np.asarray(x, dtype=self.dtype)
        if x.ndim != 4:
            raise ValueError('Input to `.fit()` should have rank 4. Got array with shape: ' + str(x.shape))
        if not isinstance(rounds, numbers.Integral) or rounds < 1:
            raise ValueError('`rounds` must be a positive integer; received %r.' % (rounds,))
        if x.shape[self.channel_axis] not in (1, 3, 4):
            warnings.warn('Expected input to be images (as Numpy array) following the data format convention '
                          '"%s" (channels on axis %d), i.e. expected either 1, 3 or 4 channels on axis %d. '
                          'However, it was passed an array with shape %s (%d channels).'
                          % (self.data_format, self.channel_axis, self.channel_axis, x.shape,
                             x.shape[self.channel_axis]))
        if seed is not None:
            np.random.seed(seed)

        x = np.copy(x)
        if self.rescale:
            x *= self.rescale  # keras-preprocessing 1.1's fix: statistics of the rescaled images `standardize` sees
        if augment:
            augmented = np.zeros((rounds * x.shape[0],) + x.shape[1:], dtype=self.dtype)
            for r in range(rounds):
                for i in range(x.shape[0]):
                    augmented[i + r * x.shape[0]] = self.random_transform(x[i])
            x = augmented

        broadcast_shape = [1, 1, 1]
        broadcast_shape[self.channel_axis - 1] = x.shape[self.channel_axis]
        if self.featurewise_center:
            self.mean = np.reshape(np.mean(x, axis=(0, self.row_axis, self.col_axis)), broadcast_shape)
            x -= self.mean
        if self.featurewise_std_normalization:
            self.std = np.reshape(np.std(x, axis=(0, self.row_axis, self.col_axis)), broadcast_shape)
            x /= (self.std + _config.epsilon())
        if self.zca_whitening:
            flat = np.reshape(x, (x.shape[0], -1))
            sigma = np.dot(flat.T, flat) / flat.shape[0]
            u, s, _ = np.linalg.svd(sigma)
            s_inv = 1. / np.sqrt(s[np.newaxis] + self.zca_epsilon)
            self.principal_components = (u * s_inv).dot(u.T)
