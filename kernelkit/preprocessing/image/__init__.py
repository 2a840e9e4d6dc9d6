"""Utilities for real-time data augmentation on image data (Keras 2.2's `keras.preprocessing.image`).

The module is a package of four parts, each usable alone; this file re-exports all of them, so
`kernelkit.preprocessing.image.X` works for every name Keras 2.2 had here:
- `conversions`: `load_img`, `save_img`, `array_to_img`, `img_to_array`, `list_pictures` (Pillow);
- `transforms`: `apply_affine_transform`, the `random_*` transforms, channel and brightness shifts,
  `flip_axis` (SciPy);
- `iterators`: `Iterator`, `NumpyArrayIterator`, `DirectoryIterator`;
- `generator`: `ImageDataGenerator`.
Each imports only the parts listed before it (no cycles).

`ImageDataGenerator` draws random transformations with NumPy's global random generator in the same
order as Keras 2.2, so a given seed gives the same parameters. Affine transformations are computed by
`scipy.ndimage.affine_transform`, one channel at a time, with the transformation expressed in
(row, column) coordinates: `height_shift_range` moves images vertically and `width_shift_range`
horizontally, as documented. Images are read and written with Pillow. SciPy and Pillow are imported only
when a function needs them.

Differences from Keras 2.2.4, on purpose:
- affine transforms turn around the true image centre (`(size - 1) / 2`), not half a pixel beyond it;
- brightness shifts keep the value range of the image (Keras 2.2.4 rescaled the result to 0-255).
"""
from kernelkit.preprocessing.image.conversions import (  # noqa: F401
    _COLOR_MODES, _data_format, _pil, _pil_interpolation, array_to_img, img_to_array, list_pictures, load_img,
    save_img)
from kernelkit.preprocessing.image.transforms import (  # noqa: F401
    _FILL_MODES, _enhance_brightness, _ndimage, apply_affine_transform, apply_brightness_shift,
    apply_channel_shift, flip_axis, random_brightness, random_channel_shift, random_rotation, random_shear,
    random_shift, random_zoom, transform_matrix_offset_center)
from kernelkit.preprocessing.image.iterators import (  # noqa: F401
    _CLASS_MODES, _WHITE_LIST_FORMATS, DirectoryIterator, Iterator, NumpyArrayIterator, _BatchIterator,
    _iter_valid_files, _list_valid_filenames_in_directory, _save_batch, _SequenceBase)
from kernelkit.preprocessing.image.generator import (  # noqa: F401
    ImageDataGenerator, _check_range, _draw_shift)
