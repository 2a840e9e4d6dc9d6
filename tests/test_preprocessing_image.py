"""`kernelkit.preprocessing.image` against tf_keras's `ImageDataGenerator` (the oracle) and numpy.

tf_keras keeps Keras 2.2's random draws, standardisation, iterators and directory listing, so those are
compared directly. Its affine transform differs from Keras 2.2 in one documented way: since 2020 it swaps
rows and columns (tf-keras issue #310: `height_shift_range` shifts horizontally). kernelkit keeps Keras
2.2's (row, column) convention, which equals tf_keras's building block `apply_affine_transform` called
with `row_axis=1, col_axis=0` on square images, and tf_keras's generator on transposed square images.
"""
import os
import warnings

import numpy as np
import pytest

from kernelkit.preprocessing import image as kimage

tf_image = pytest.importorskip('tf_keras.preprocessing.image')
PIL = pytest.importorskip('PIL.Image')

ALL_TRANSFORMS = dict(rotation_range=30, width_shift_range=0.2, height_shift_range=0.1, shear_range=10,
                      zoom_range=(0.8, 1.2), channel_shift_range=0.3, horizontal_flip=True, vertical_flip=True,
                      brightness_range=(0.5, 1.5), fill_mode='nearest')


def _both(**kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return kimage.ImageDataGenerator(**kwargs), tf_image.ImageDataGenerator(**kwargs)


def _images(n=5, h=6, w=6, c=3, seed=0, scale=255.):
    return (np.random.RandomState(seed).rand(n, h, w, c) * scale).astype('float32')


def _expected_transform(x, params, fill_mode='nearest', cval=0.):
    """Keras 2.2's transform of a channels-last square image, from tf_keras's building blocks."""
    y = tf_image.apply_affine_transform(x, params['theta'], params['tx'], params['ty'], params['shear'],
                                        params['zx'], params['zy'], row_axis=1, col_axis=0, channel_axis=2,
                                        fill_mode=fill_mode, cval=cval)
    if params['channel_shift_intensity'] is not None:
        y = tf_image.apply_channel_shift(y, params['channel_shift_intensity'], 2)
    if params['flip_horizontal']:
        y = y[:, ::-1]
    if params['flip_vertical']:
        y = y[::-1]
    if params['brightness'] is not None:
        y = tf_image.apply_brightness_shift(y, params['brightness'], False)
    return y


# ---------------------------------------------------------------------------------- random draws

@pytest.mark.parametrize('data_format', ['channels_last', 'channels_first'])
@pytest.mark.parametrize('shifts', [(0.2, 0.1), (3, 2), ([-2, 1, 4], [0.1, 0.3])])
def test_random_parameters_equal_the_oracle_for_a_seed(data_format, shifts):
    settings = dict(ALL_TRANSFORMS, width_shift_range=shifts[0], height_shift_range=shifts[1],
                    data_format=data_format)
    ours, oracle = _both(**settings)
    shape = (3, 7, 9) if data_format == 'channels_first' else (7, 9, 3)
    for seed in (0, 1, 42):
        got, want = ours.get_random_transform(shape, seed=seed), oracle.get_random_transform(shape, seed=seed)
        assert set(got) == set(want)
        for key in want:
            np.testing.assert_allclose(got[key], want[key], err_msg=key)
    np.random.seed(5)  # without a seed: the same stream as the oracle's
    first = ours.get_random_transform(shape)
    np.random.seed(5)
    assert first == pytest.approx(oracle.get_random_transform(shape))


# ---------------------------------------------------------------------------------- transformations

@pytest.mark.parametrize('fill_mode', ['nearest', 'constant', 'reflect', 'wrap'])
def test_affine_transform_matches_keras_2_2_convention(fill_mode):
    x = _images(1, 7, 7, 3)[0]
    params = dict(theta=23., tx=1.4, ty=-2.2, shear=12., zx=0.9, zy=1.15)
    got = kimage.apply_affine_transform(x, fill_mode=fill_mode, cval=7., **params)
    want = tf_image.apply_affine_transform(x, row_axis=1, col_axis=0, channel_axis=2, fill_mode=fill_mode,
                                           cval=7., **params)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-4)
    # tf_keras's generator works on the transposed image (its rows/columns swap)
    oracle = tf_image.ImageDataGenerator(fill_mode=fill_mode, cval=7.)
    ours = kimage.ImageDataGenerator(fill_mode=fill_mode, cval=7.)
    swapped = oracle.apply_transform(x.transpose(1, 0, 2), params).transpose(1, 0, 2)
    np.testing.assert_allclose(ours.apply_transform(x, params), swapped, rtol=1e-6, atol=1e-4)


def test_height_shift_moves_rows_and_width_shift_moves_columns():
    x = np.zeros((8, 6, 1), 'float32')
    x[0:2, 0:2, 0] = 1.
    gen = kimage.ImageDataGenerator(fill_mode='constant')
    down = gen.apply_transform(x, {'tx': -3, 'ty': 0})
    right = gen.apply_transform(x, {'tx': 0, 'ty': -2})
    np.testing.assert_array_equal(down[..., 0], np.pad(x[:5, :, 0], ((3, 0), (0, 0))))
    np.testing.assert_array_equal(right[..., 0], np.pad(x[:, :4, 0], ((0, 0), (2, 0))))
    # channels_first: the same movement
    gen_cf = kimage.ImageDataGenerator(fill_mode='constant', data_format='channels_first')
    down_cf = gen_cf.apply_transform(x.transpose(2, 0, 1), {'tx': -3})
    np.testing.assert_array_equal(down_cf[0], down[..., 0])


def test_random_transform_with_seed_matches_the_oracle_building_blocks():
    ours, oracle = _both(**ALL_TRANSFORMS)
    x = _images(1, 8, 8, 3)[0]
    for seed in (3, 11, 2024):
        params = oracle.get_random_transform(x.shape, seed=seed)
        got = ours.random_transform(x, seed=seed)
        np.testing.assert_allclose(got, _expected_transform(x, params), rtol=1e-5, atol=1e-3)
    assert not np.allclose(ours.random_transform(x, seed=3), x)


def test_flips_channel_shift_and_brightness_equal_the_oracle():
    ours, oracle = _both()
    x = _images(1, 5, 7, 3)[0]
    for params in ({'flip_horizontal': True}, {'flip_vertical': True}, {'channel_shift_intensity': 40.},
                   {'brightness': 1.4}, {'brightness': 0.6, 'flip_horizontal': True}):
        np.testing.assert_allclose(ours.apply_transform(x, params), oracle.apply_transform(x, params),
                                   rtol=1e-6, err_msg=str(params))
    wide = x * 3. - 200.  # out of 0-255: the value range is kept
    np.testing.assert_allclose(ours.apply_transform(wide, {'brightness': 1.3}),
                               oracle.apply_transform(wide, {'brightness': 1.3}), rtol=1e-5, atol=1e-3)


def test_module_level_random_functions_respect_axes():
    x = _images(1, 6, 6, 2)[0].transpose(2, 0, 1)  # channels first, the default of the random_* functions
    np.random.seed(0)
    got = kimage.random_shift(x, 0.3, 0.3)
    np.random.seed(0)
    hrg_w = np.random.uniform(-0.3, 0.3) * 6, np.random.uniform(-0.3, 0.3) * 6
    want = kimage.apply_affine_transform(x, tx=hrg_w[0], ty=hrg_w[1], row_axis=1, col_axis=2, channel_axis=0)
    np.testing.assert_allclose(got, want)
    for fn, arg in ((kimage.random_rotation, 20), (kimage.random_shear, 10), (kimage.random_zoom, (0.8, 1.2))):
        assert fn(x, arg).shape == x.shape
    assert kimage.random_channel_shift(x, 0.1).shape == x.shape


# ---------------------------------------------------------------------------------- standardize & fit

def test_standardize_after_featurewise_fit_matches_the_oracle():
    x = _images(6, 4, 4, 3)
    ours, oracle = _both(featurewise_center=True, featurewise_std_normalization=True)
    ours.fit(x)
    oracle.fit(x)
    np.testing.assert_allclose(ours.mean, oracle.mean, rtol=1e-6)
    np.testing.assert_allclose(ours.std, oracle.std, rtol=1e-6)
    np.testing.assert_allclose(ours.standardize(x.copy()), oracle.standardize(x.copy()), rtol=1e-5, atol=1e-5)


def test_fit_rescales_before_the_featurewise_statistics():
    """keras-preprocessing 1.1's fix (tf_keras keeps it): `fit` sees the images `standardize` sees."""
    x = _images(6, 4, 4, 3) * 255.
    ours, oracle = _both(featurewise_center=True, featurewise_std_normalization=True, rescale=1. / 255)
    ours.fit(x)
    oracle.fit(x)
    np.testing.assert_allclose(ours.mean, oracle.mean, rtol=1e-6)
    np.testing.assert_allclose(ours.std, oracle.std, rtol=1e-6)
    np.testing.assert_allclose(ours.mean.ravel(), (x / 255.).mean(axis=(0, 1, 2)), rtol=1e-5)
    standardized = ours.standardize(x.copy())
    np.testing.assert_allclose(standardized.mean(axis=(0, 1, 2)), 0., atol=1e-5)
    np.testing.assert_allclose(standardized.std(axis=(0, 1, 2)), 1., atol=1e-3)


def test_samplewise_rescale_and_preprocessing_function_match_the_oracle():
    x = _images(3, 4, 4, 3)
    settings = dict(samplewise_center=True, samplewise_std_normalization=True, rescale=1. / 255,
                    preprocessing_function=lambda image: image + 1.)
    ours, oracle = _both(**settings)
    for image in x:
        np.testing.assert_allclose(ours.standardize(image.copy()), oracle.standardize(image.copy()),
                                   rtol=1e-5, atol=1e-6)


def test_fit_with_augmentation_uses_the_seeded_transforms():
    x = _images(4, 5, 5, 1)
    ours, oracle = _both(featurewise_center=True, horizontal_flip=True, vertical_flip=True)
    ours.fit(x, augment=True, rounds=2, seed=7)
    oracle.fit(x, augment=True, rounds=2, seed=7)
    np.testing.assert_allclose(ours.mean, oracle.mean, rtol=1e-6)


def test_zca_whitening_is_keras_2_2_formula_and_whitens():
    rng = np.random.RandomState(1)
    x = rng.rand(64, 3, 3, 1).astype('float32') * 10
    with pytest.warns(UserWarning, match='zca_whitening'):
        ours = kimage.ImageDataGenerator(zca_whitening=True, zca_epsilon=1e-6)
    assert ours.featurewise_center
    ours.fit(x)
    flat = (x - x.mean(axis=(0, 1, 2), keepdims=True)).reshape(64, -1).astype('float64')
    sigma = flat.T.dot(flat) / 64
    u, s, _ = np.linalg.svd(sigma)
    want = (u * (1. / np.sqrt(s[np.newaxis] + 1e-6))).dot(u.T)
    np.testing.assert_allclose(ours.principal_components, want, rtol=1e-3, atol=1e-4)
    white = ours.standardize(x.copy()).reshape(64, -1).astype('float64')
    np.testing.assert_allclose(white.T.dot(white) / 64, np.eye(9), atol=1e-3)  # second moment about the mean
    # tf_keras's variant places epsilon differently; with tiny epsilon both whiten the same way
    ours, oracle = _both(zca_whitening=True, zca_epsilon=1e-12)
    ours.fit(x)
    oracle.fit(x)
    np.testing.assert_allclose(ours.standardize(x[:4].copy()), oracle.standardize(x[:4].copy()), atol=2e-3)


def test_standardize_warns_when_not_fitted():
    gen = kimage.ImageDataGenerator(featurewise_center=True)
    with pytest.warns(UserWarning, match='fit'):
        gen.standardize(_images(1, 3, 3, 3)[0])


# ---------------------------------------------------------------------------------- flow

def _batches(iterator, count):
    return [next(iterator) for _ in range(count)]


def test_flow_batches_and_order_match_the_oracle_with_shuffle_and_seed():
    x = _images(10, 4, 4, 3)
    y = np.arange(10)
    w = np.linspace(0.1, 1, 10)
    ours, oracle = _both(horizontal_flip=True, vertical_flip=True, rescale=1. / 255)
    got = _batches(ours.flow(x, y, batch_size=4, shuffle=True, seed=3, sample_weight=w), 7)
    want = _batches(oracle.flow(x, y, batch_size=4, shuffle=True, seed=3, sample_weight=w), 7)
    assert [len(b[1]) for b in got] == [4, 4, 2, 4, 4, 2, 4]
    for (gx, gy, gw), (wx, wy, ww) in zip(got, want):
        np.testing.assert_array_equal(gy, wy)
        np.testing.assert_allclose(gw, ww)
        np.testing.assert_allclose(gx, wx, rtol=1e-6)
    epoch_order = np.concatenate([b[1] for b in got[:3]])
    assert sorted(epoch_order) == list(range(10)) and list(epoch_order) != list(range(10))


def test_flow_as_sequence_matches_the_oracle():
    x = _images(9, 4, 4, 1)
    ours, oracle = _both(horizontal_flip=True)
    seq, ref = ours.flow(x, batch_size=4, seed=1), oracle.flow(x, batch_size=4, seed=1)
    assert len(seq) == len(ref) == 3
    for index in (0, 2, 1):
        np.testing.assert_allclose(seq[index], ref[index])
    np.random.seed(9)  # reshuffling at an epoch end draws from the global generator, as in Keras 2
    seq.on_epoch_end()
    np.random.seed(9)
    ref.on_epoch_end()
    np.testing.assert_array_equal(seq.index_array, ref.index_array)
    np.testing.assert_allclose(seq[0], ref[0])
    np.testing.assert_allclose(seq[-1], ref[2])
    with pytest.raises(ValueError, match='length 3'):
        seq[3]
    assert iter(seq) is seq


def test_flow_subset_and_extra_inputs_match_the_oracle():
    x = _images(10, 3, 3, 3)
    y = np.array([0, 1] * 5)
    misc = np.arange(10) * 10.
    ours, oracle = _both(validation_split=0.3)
    for subset in ('training', 'validation'):
        got = ours.flow((x, misc), y, batch_size=20, shuffle=False, subset=subset)[0]
        want = oracle.flow((x, misc), y, batch_size=20, shuffle=False, subset=subset)[0]
        np.testing.assert_allclose(got[0][0], want[0][0])
        np.testing.assert_allclose(got[0][1], want[0][1])
        np.testing.assert_array_equal(got[1], want[1])
    assert len(ours.flow(x, y, subset='validation')[0][1]) == 3


def test_flow_rejects_bad_input():
    gen = kimage.ImageDataGenerator()
    with pytest.raises(ValueError, match='rank 4'):
        gen.flow(np.zeros((4, 3, 3)))
    with pytest.raises(ValueError, match='same length'):
        gen.flow(np.zeros((4, 3, 3, 1)), np.zeros(3))
    with pytest.raises(ValueError, match='subset'):
        gen.flow(np.zeros((4, 3, 3, 1)), subset='test')
    with pytest.raises(ValueError, match='batch_size'):
        gen.flow(np.zeros((4, 3, 3, 1)), batch_size=0)
    with pytest.raises(ValueError, match='np.array'):
        gen.flow([np.zeros((3, 3, 1))] * 3)


def test_constructor_errors_name_the_argument():
    with pytest.raises(ValueError, match='data_format'):
        kimage.ImageDataGenerator(data_format='channels_middle')
    with pytest.raises(ValueError, match='zoom_range'):
        kimage.ImageDataGenerator(zoom_range=(0.5, 1, 2))
    with pytest.raises(ValueError, match='fill_mode'):
        kimage.ImageDataGenerator(fill_mode='mirrorball')
    with pytest.raises(ValueError, match='validation_split'):
        kimage.ImageDataGenerator(validation_split=1.5)
    with pytest.raises(ValueError, match='brightness_range'):
        kimage.ImageDataGenerator(brightness_range=0.5)
    with pytest.raises(ValueError, match='width_shift_range'):
        kimage.ImageDataGenerator(width_shift_range='wide')
    with pytest.raises(ValueError, match='rank 4'):
        kimage.ImageDataGenerator(featurewise_center=True).fit(np.zeros((3, 3, 3)))


# ---------------------------------------------------------------------------------- directories

@pytest.fixture
def image_folder(tmp_path):
    rng = np.random.RandomState(0)
    for label, count in (('cats', 3), ('dogs', 4)):
        os.makedirs(tmp_path / label / 'nested')
        for i in range(count):
            pixels = (rng.rand(6, 5, 3) * 255).astype('uint8')
            where = tmp_path / label / ('nested' if i == 0 else '') / ('img%d.png' % i)
            PIL.fromarray(pixels).save(str(where))
        (tmp_path / label / 'notes.txt').write_text('not an image')
    return str(tmp_path)


@pytest.mark.parametrize('class_mode', ['categorical', 'binary', 'sparse', 'input', None])
def test_flow_from_directory_matches_the_oracle(image_folder, class_mode, capsys):
    ours, oracle = _both(horizontal_flip=True, rescale=1. / 255)
    options = dict(target_size=(4, 3), class_mode=class_mode, batch_size=3, seed=2, interpolation='bilinear')
    got_it = ours.flow_from_directory(image_folder, **options)
    want_it = oracle.flow_from_directory(image_folder, **options)
    assert 'Found 7 images belonging to 2 classes.' in capsys.readouterr().out
    assert got_it.filenames == want_it.filenames
    assert got_it.class_indices == want_it.class_indices == {'cats': 0, 'dogs': 1}
    np.testing.assert_array_equal(got_it.classes, want_it.classes)
    for got, want in zip(_batches(got_it, 4), _batches(want_it, 4)):
        if class_mode is None:
            np.testing.assert_allclose(got, want, rtol=1e-6)
            assert got.shape[1:] == (4, 3, 3)
        else:
            np.testing.assert_allclose(got[0], want[0], rtol=1e-6)
            np.testing.assert_allclose(got[1], want[1], rtol=1e-6)


def test_flow_from_directory_subset_grayscale_and_classes(image_folder):
    ours, oracle = _both(validation_split=0.5)
    for subset in ('training', 'validation'):
        options = dict(target_size=(6, 5), color_mode='grayscale', classes=['dogs', 'cats'], subset=subset,
                       shuffle=False, batch_size=10, class_mode='sparse')
        got = ours.flow_from_directory(image_folder, **options)
        want = oracle.flow_from_directory(image_folder, **options)
        assert got.filenames == want.filenames
        assert got.class_indices == {'dogs': 0, 'cats': 1}
        np.testing.assert_allclose(got[0][0], want[0][0])
        assert got[0][0].shape[-1] == 1
        np.testing.assert_array_equal(got[0][1], want[0][1])
    with pytest.raises(ValueError, match='color'):
        ours.flow_from_directory(image_folder, color_mode='cmyk')
    with pytest.raises(ValueError, match='class_mode'):
        ours.flow_from_directory(image_folder, class_mode='multi')
    with pytest.raises(IOError, match='does not exist'):
        ours.flow_from_directory(os.path.join(image_folder, 'missing'))
    with pytest.raises(ValueError, match='birds'):
        ours.flow_from_directory(image_folder, classes=['cats', 'birds'])


# ---------------------------------------------------------------------------------- image files

def test_load_img_img_to_array_and_save_img_round_trip(tmp_path):
    pixels = (np.random.RandomState(3).rand(5, 4, 3) * 255).astype('uint8')
    path = str(tmp_path / 'a.png')
    kimage.save_img(path, pixels.astype('float32'), scale=False)
    img = kimage.load_img(path)
    assert img.size == (4, 5)
    np.testing.assert_array_equal(kimage.img_to_array(img), pixels.astype('float32'))
    np.testing.assert_array_equal(kimage.img_to_array(img, data_format='channels_first'),
                                  pixels.transpose(2, 0, 1))
    gray = kimage.load_img(path, color_mode='grayscale', target_size=(3, 2))
    assert kimage.img_to_array(gray).shape == (3, 2, 1)
    want = tf_image.img_to_array(tf_image.load_img(path, color_mode='grayscale', target_size=(3, 2)))
    np.testing.assert_array_equal(kimage.img_to_array(gray), want)
    with pytest.warns(UserWarning, match='grayscale is deprecated'):
        assert kimage.load_img(path, grayscale=True).mode == 'L'
    assert kimage.load_img(path, color_mode='rgba').mode == 'RGBA'
    with pytest.raises(ValueError, match='interpolation'):
        kimage.load_img(path, target_size=(2, 2), interpolation='magic')


def test_array_to_img_scaling_is_keras_2_2():
    x = np.array([[[0.25], [0.5]], [[1.0], [0.75]]], 'float32')
    np.testing.assert_array_equal(np.asarray(kimage.array_to_img(x)),
                                  (x[..., 0] / 1.0 * 255).astype('uint8'))  # no stretch of the minimum
    negative = x - 0.5
    shifted = negative - negative.min()  # shifted up only because it has negative values
    np.testing.assert_array_equal(np.asarray(kimage.array_to_img(negative)),
                                  (shifted[..., 0] / shifted.max() * 255).astype('uint8'))
    with pytest.raises(ValueError, match='rank 3'):
        kimage.array_to_img(np.zeros((2, 2)))
    with pytest.raises(ValueError, match='channel'):
        kimage.array_to_img(np.zeros((2, 2, 2)))
