"""Whole Keras 2 programs that lean on symbolic tensors, run end to end on small data.

Each test is a short program in the manner of the Keras 2 examples, the FAQ and the books of the time
(variational autoencoders, siamese networks, Grad-CAM, filter visualisation, style transfer, deep
dream), written afresh here on synthetic data or the 8x8 digits that ship with scikit-learn. Each one
checks that its objective moves the way the program means it to (training loss down, ascent loss up,
style loss down) and checks the intermediate facts such programs depend on (shapes, finite values).
"""
import warnings

import numpy as np
import pytest
from scipy.optimize import fmin_l_bfgs_b
from sklearn.datasets import load_digits

import kernelkit as keras
from kernelkit import backend as K
from kernelkit.layers import Conv2D, Dense, GlobalAveragePooling2D, Input, Lambda, Layer, MaxPooling2D
from kernelkit.models import Model


def _init(seed):
    return keras.initializers.glorot_uniform(seed=seed)


def _digits():
    """The 1797 scikit-learn digits, pixels scaled to [0, 1], with their labels."""
    digits = load_digits()
    return (digits.data / 16.).astype('float32'), digits.target


def _quiet_compile(model, *args, **kwargs):
    """compile(loss=None) warns that outputs have no loss, on purpose here."""
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', UserWarning)
        model.compile(*args, **kwargs)


# ---------------------------------------------------------------------------------------------------
# 1. A VAE whose compile loss closes over the encoder's z_mean and z_log_var.

def test_vae_with_a_closure_loss_trains_and_its_encoder_and_generator_predict():
    pixels, _ = _digits()
    train, held = pixels[:512], pixels[512:640]
    image_dim, hidden_dim, latent_dim = 64, 32, 2

    x = Input(shape=(image_dim,), name='pixels')
    h = Dense(hidden_dim, activation='relu', kernel_initializer=_init(1))(x)
    z_mean = Dense(latent_dim, kernel_initializer=_init(2), name='z_mean')(h)
    z_log_var = Dense(latent_dim, kernel_initializer=_init(3), name='z_log_var')(h)

    def draw(args):
        mean, log_var = args
        noise = K.random_normal(shape=(K.shape(mean)[0], latent_dim), mean=0., stddev=1.)
        return mean + K.exp(log_var / 2) * noise

    z = Lambda(draw, output_shape=(latent_dim,), name='z')([z_mean, z_log_var])
    to_hidden = Dense(hidden_dim, activation='relu', kernel_initializer=_init(4))
    to_pixels = Dense(image_dim, activation='sigmoid', kernel_initializer=_init(5))
    reconstruction = to_pixels(to_hidden(z))
    vae = Model(x, reconstruction)

    def vae_objective(x_true, x_rebuilt):
        rebuild = image_dim * keras.metrics.binary_crossentropy(x_true, x_rebuilt)
        divergence = -0.5 * K.sum(1 + z_log_var - K.square(z_mean) - K.exp(z_log_var), axis=-1)
        return rebuild + divergence

    vae.compile(optimizer=keras.optimizers.RMSprop(lr=0.003), loss=vae_objective)
    history = vae.fit(train, train, shuffle=True, epochs=6, batch_size=64, verbose=0,
                      validation_data=(held, held))
    losses = history.history['loss']
    assert all(np.isfinite(losses)) and np.isfinite(history.history['val_loss']).all()
    assert losses[-1] < 0.85 * losses[0], losses

    encoder = Model(x, z_mean)
    codes = encoder.predict(held, batch_size=64)
    assert codes.shape == (128, latent_dim) and np.isfinite(codes).all()
    # The encoder shares the VAE's weights: its output is the z_mean layer computed by hand.
    hidden = np.maximum(held @ vae.layers[1].get_weights()[0] + vae.layers[1].get_weights()[1], 0)
    kernel, bias = vae.get_layer('z_mean').get_weights()
    np.testing.assert_allclose(codes, hidden @ kernel + bias, rtol=1e-4, atol=1e-5)

    code_in = Input(shape=(latent_dim,))
    generator = Model(code_in, to_pixels(to_hidden(code_in)))
    grid = np.array([[a, b] for a in np.linspace(-2, 2, 4) for b in np.linspace(-2, 2, 4)], 'float32')
    images = generator.predict(grid)
    assert images.shape == (16, image_dim)
    assert np.isfinite(images).all() and (images > 0).all() and (images < 1).all()
    assert images.reshape(16, 8, 8).std(axis=0).mean() > 1e-3  # different codes, different images


# ---------------------------------------------------------------------------------------------------
# 2. A VAE whose objective is added by a loss layer, compiled with loss=None.

class VariationalObjective(Layer):
    """Adds the VAE objective of its inputs [pixels, reconstruction] as a loss; passes pixels on."""

    def __init__(self, mean, log_var, image_dim, **kwargs):
        self.is_placeholder = True
        self.mean, self.log_var, self.image_dim = mean, log_var, image_dim
        super(VariationalObjective, self).__init__(**kwargs)

    def objective(self, pixels, rebuilt):
        rebuild = self.image_dim * keras.metrics.binary_crossentropy(pixels, rebuilt)
        divergence = -0.5 * K.sum(1 + self.log_var - K.square(self.mean) - K.exp(self.log_var), axis=-1)
        return K.mean(rebuild + divergence)

    def call(self, inputs):
        pixels, rebuilt = inputs
        self.add_loss(self.objective(pixels, rebuilt), inputs=inputs)
        return pixels


def test_vae_with_a_loss_layer_fits_without_targets_and_validates():
    pixels, _ = _digits()
    train, held = pixels[:512], pixels[512:640]
    image_dim, latent_dim = 64, 2

    x = Input(batch_shape=(None, image_dim))
    h = Dense(24, activation='relu', kernel_initializer=_init(11))(x)
    z_mean = Dense(latent_dim, kernel_initializer=_init(12))(h)
    z_log_var = Dense(latent_dim, kernel_initializer=_init(13))(h)

    def draw(args):
        mean, log_var = args
        return mean + K.exp(0.5 * log_var) * K.random_normal(shape=(K.shape(mean)[0], latent_dim))

    z = Lambda(draw)([z_mean, z_log_var])
    decoded = Dense(image_dim, activation='sigmoid', kernel_initializer=_init(14))(
        Dense(24, activation='relu', kernel_initializer=_init(15))(z))
    passed = VariationalObjective(z_mean, z_log_var, image_dim, name='vae_objective')([x, decoded])
    vae = Model(x, passed)
    _quiet_compile(vae, optimizer=keras.optimizers.Adam(lr=0.003), loss=None)
    history = vae.fit(train, None, shuffle=True, epochs=6, batch_size=64, verbose=0,
                      validation_data=(held, None))
    losses, val_losses = history.history['loss'], history.history['val_loss']
    assert np.isfinite(losses).all() and np.isfinite(val_losses).all()
    assert losses[-1] < 0.85 * losses[0], losses
    assert val_losses[-1] < val_losses[0], val_losses
    # The loss layer's output is its first input, untouched.
    np.testing.assert_allclose(vae.predict(held[:5]), held[:5], rtol=1e-6)
    assert np.isfinite(vae.evaluate(held, None, verbose=0))


def test_model_add_loss_on_expressions_with_a_logged_tensor():
    rng = np.random.RandomState(7)
    data = (rng.randn(256, 3) @ rng.randn(3, 10)).astype('float32')  # rank-3 data in 10 dimensions

    x = Input(shape=(10,), name='signal')
    code = Dense(4, activation='relu', kernel_initializer=_init(21), name='code')(x)
    out = Dense(10, kernel_initializer=_init(22), name='rebuilt')(code)
    autoencoder = Model(x, out)
    autoencoder.add_loss(K.mean(K.square(out - x)))
    sparsity = 1e-3 * K.mean(K.sum(K.abs(code), axis=-1))
    autoencoder.add_loss(sparsity)
    assert len(autoencoder.losses) == 2
    _quiet_compile(autoencoder, optimizer=keras.optimizers.Adam(lr=0.01), loss=None)
    autoencoder.metrics_tensors.append(K.mean(code))
    autoencoder.metrics_names.append('mean_code')

    history = autoencoder.fit(data, None, batch_size=32, epochs=8, verbose=0)
    assert sorted(history.history) == ['loss', 'mean_code']
    losses = history.history['loss']
    assert losses[-1] < 0.6 * losses[0], losses
    assert np.isfinite(history.history['mean_code']).all()

    loss, mean_code = autoencoder.evaluate(data, None, batch_size=256, verbose=0)
    kernel, bias = autoencoder.get_layer('code').get_weights()
    codes = np.maximum(data @ kernel + bias, 0)
    kernel, bias = autoencoder.get_layer('rebuilt').get_weights()
    rebuilt = codes @ kernel + bias
    expected = np.mean((rebuilt - data) ** 2) + 1e-3 * np.mean(np.abs(codes).sum(axis=-1))
    np.testing.assert_allclose(loss, expected, rtol=1e-4)
    np.testing.assert_allclose(mean_code, codes.mean(), rtol=1e-4, atol=1e-6)


# ---------------------------------------------------------------------------------------------------
# 4. A siamese network trained with a contrastive loss on pairs of digits.

def _pairs(pixels, labels, rng, count):
    """`count` pairs of digit images, half of the same class (label 1), half of different classes."""
    by_class = [np.where(labels == c)[0] for c in range(10)]
    left, right, same = [], [], []
    for _ in range(count // 2):
        c = rng.randint(10)
        i, j = rng.choice(by_class[c], 2, replace=False)
        left.append(i), right.append(j), same.append(1.)
        d = (c + rng.randint(1, 10)) % 10
        left.append(rng.choice(by_class[c])), right.append(rng.choice(by_class[d])), same.append(0.)
    return pixels[left], pixels[right], np.array(same, 'float32')


def test_siamese_network_with_contrastive_loss_separates_pairs():
    pixels, labels = _digits()
    rng = np.random.RandomState(3)
    a_train, b_train, y_train = _pairs(pixels[:1200], labels[:1200], rng, 1200)
    a_test, b_test, y_test = _pairs(pixels[1200:], labels[1200:], rng, 400)

    base_in = Input(shape=(64,))
    embedded = Dense(32, activation='relu', kernel_initializer=_init(31))(base_in)
    embedded = Dense(16, kernel_initializer=_init(32))(embedded)
    base = Model(base_in, embedded, name='base')

    first, second = Input(shape=(64,)), Input(shape=(64,))
    left, right = base(first), base(second)

    def euclidean(vectors):
        u, v = vectors
        return K.sqrt(K.maximum(K.sum(K.square(u - v), axis=1, keepdims=True), K.epsilon()))

    distance = Lambda(euclidean, output_shape=lambda shapes: (shapes[0][0], 1))([left, right])
    assert K.int_shape(distance) == (None, 1)
    siamese = Model([first, second], distance)
    margin = 1.

    def contrastive(y_true, y_pred):
        return K.mean(y_true * K.square(y_pred) + (1 - y_true) * K.square(K.maximum(margin - y_pred, 0)))

    def pair_accuracy(y_true, y_pred):
        return K.mean(K.equal(y_true, K.cast(y_pred < 0.5, y_true.dtype)))

    siamese.compile(loss=contrastive, optimizer=keras.optimizers.RMSprop(lr=0.003),
                    metrics=[pair_accuracy])

    def accuracy(a, b, y):
        predicted = siamese.predict([a, b]).ravel()
        assert predicted.shape == y.shape and (predicted > 0).all()
        return np.mean((predicted < 0.5) == (y == 1))

    history = siamese.fit([a_train, b_train], y_train, batch_size=64, epochs=6, verbose=0,
                          validation_data=([a_test, b_test], y_test))
    losses = history.history['loss']
    assert losses[-1] < 0.7 * losses[0], losses
    assert history.history['pair_accuracy'][-1] > history.history['pair_accuracy'][0]
    assert accuracy(a_test, b_test, y_test) > 0.75
    # The shared base computes the same embedding on either side.
    one, two = Model([first, second], [left, right]).predict([a_test[:4], a_test[:4]])
    np.testing.assert_allclose(one, two, rtol=1e-6)


# ---------------------------------------------------------------------------------------------------
# 5. Grad-CAM on a small CNN trained briefly on the digits.

def _digit_cnn():
    image = Input(shape=(8, 8, 1), name='image')
    h = Conv2D(8, (3, 3), padding='same', activation='relu', kernel_initializer=_init(41))(image)
    h = Conv2D(16, (3, 3), activation='relu', kernel_initializer=_init(42), name='last_conv')(h)
    h = GlobalAveragePooling2D()(h)
    probs = Dense(10, activation='softmax', kernel_initializer=_init(43))(h)
    return Model(image, probs)


def test_grad_cam_heatmap_from_gradients_of_a_class_score():
    pixels, labels = _digits()
    images = pixels.reshape(-1, 8, 8, 1)
    onehot = keras.utils.to_categorical(labels, 10)
    model = _digit_cnn()
    model.compile(keras.optimizers.Adam(lr=0.03), 'categorical_crossentropy', metrics=['accuracy'])
    history = model.fit(images[:1000], onehot[:1000], batch_size=32, epochs=6, verbose=0)
    assert history.history['loss'][-1] < 0.6 * history.history['loss'][0], history.history['loss']
    assert history.history['acc'][-1] > 0.5

    sample = images[1500:1501]
    predicted = int(np.argmax(model.predict(sample)[0]))
    last_conv = model.get_layer('last_conv')
    class_score = model.output[:, predicted]
    grads = K.gradients(class_score, last_conv.output)[0]
    assert K.int_shape(grads) == K.int_shape(last_conv.output) == (None, 6, 6, 16)
    pooled = K.mean(grads, axis=(0, 1, 2))
    iterate = K.function([model.input], [pooled, last_conv.output[0]])
    pooled_value, conv_map = iterate([sample])
    assert pooled_value.shape == (16,) and conv_map.shape == (6, 6, 16)
    assert np.isfinite(pooled_value).all() and np.abs(pooled_value).sum() > 0

    # Through global average pooling and a softmax Dense, the score's gradient at the map is the same
    # at every position, and known in closed form.
    probs = model.predict(sample)[0]
    kernel = model.layers[-1].get_weights()[0]
    expected = probs[predicted] * (kernel[:, predicted] - kernel @ probs) / 36.
    np.testing.assert_allclose(pooled_value, expected, rtol=1e-3, atol=1e-7)

    heatmap = np.mean(conv_map * pooled_value, axis=-1)
    heatmap = np.maximum(heatmap, 0)
    if heatmap.max() > 0:
        heatmap /= heatmap.max()
    assert heatmap.shape == (6, 6) and (heatmap >= 0).all()
    assert heatmap.max() == pytest.approx(1.)  # the predicted class has evidence somewhere on the map
    assert np.isfinite(heatmap).all()


# ---------------------------------------------------------------------------------------------------
# 6. Visualising a filter by gradient ascent on the input image.

def test_filter_visualisation_by_gradient_ascent_raises_the_activation():
    image = Input(shape=(16, 16, 3))
    h = Conv2D(8, (3, 3), activation='relu', kernel_initializer=_init(51), name='conv_a')(image)
    h = Conv2D(8, (3, 3), activation='relu', kernel_initializer=_init(52), name='conv_b')(h)
    model = Model(image, h)
    layer = model.get_layer('conv_b')
    rng = np.random.RandomState(5)
    start = (rng.random_sample((1, 16, 16, 3)) * 0.2 + 0.4).astype('float32')

    # Pick a filter that the starting image actually fires, so the ascent has a gradient to follow.
    first_maps = model.predict(start)[0]
    f = int(np.argmax(first_maps.mean(axis=(0, 1))))
    assert first_maps[..., f].mean() > 0

    loss = K.mean(layer.output[:, :, :, f])
    grads = K.gradients(loss, model.input)[0]
    grads /= (K.sqrt(K.mean(K.square(grads))) + 1e-5)
    iterate = K.function([model.input], [loss, grads])

    img = start.copy()
    history = []
    for _ in range(20):
        loss_value, grads_value = iterate([img])
        assert grads_value.shape == img.shape and np.isfinite(grads_value).all()
        history.append(float(loss_value))
        img += 0.05 * grads_value
    assert history[0] == pytest.approx(first_maps[..., f].mean(), rel=1e-4)
    # The normalised gradient has (nearly: the 1e-5 guard) unit root mean square.
    assert 0.9 < np.sqrt(np.mean(grads_value ** 2)) <= 1.
    assert history[-1] > 1.5 * history[0], history
    assert sum(b >= a for a, b in zip(history, history[1:])) >= 17


# ---------------------------------------------------------------------------------------------------
# 7. Neural style transfer's loss on a small fixed conv net, minimised with L-BFGS.

def test_style_transfer_loss_decreases_under_lbfgs():
    rows = cols = 16
    rng = np.random.RandomState(9)
    grid = np.linspace(0, 1, rows, dtype='float32')
    content = np.stack([np.outer(grid, np.ones(cols)), np.outer(np.ones(rows), grid),
                        np.outer(grid, grid)], axis=-1)[None].astype('float32')
    stripes = (np.sin(np.arange(cols) * 1.7)[None, :, None] * np.ones((rows, 1, 3)))[None]
    style = (0.5 + 0.4 * stripes * rng.rand(1, 1, 1, 3)).astype('float32')

    base_image = K.variable(content)
    style_image = K.variable(style)
    combination_image = K.placeholder((1, rows, cols, 3), name='combination')
    input_tensor = K.concatenate([base_image, style_image, combination_image], axis=0)

    image = Input(tensor=input_tensor)
    h = Conv2D(8, (3, 3), padding='same', activation='relu', kernel_initializer=_init(61),
               name='block1_conv1')(image)
    h = Conv2D(8, (3, 3), padding='same', activation='relu', kernel_initializer=_init(62),
               name='block1_conv2')(h)
    h = MaxPooling2D((2, 2), name='block1_pool')(h)
    h = Conv2D(16, (3, 3), padding='same', activation='relu', kernel_initializer=_init(63),
               name='block2_conv1')(h)
    net = Model(image, h)
    assert K.int_shape(net.output) == (3, 8, 8, 16)
    outputs_dict = dict((layer.name, layer.output) for layer in net.layers)

    def gram_matrix(x):
        features = K.batch_flatten(K.permute_dimensions(x, (2, 0, 1)))
        return K.dot(features, K.transpose(features))

    def style_loss(style_features, combination_features):
        channels = K.int_shape(style_features)[-1]
        size = K.int_shape(style_features)[0] * K.int_shape(style_features)[1]
        difference = gram_matrix(style_features) - gram_matrix(combination_features)
        return K.sum(K.square(difference)) / (4. * (channels ** 2) * (size ** 2))

    def content_loss(base, combination):
        return K.sum(K.square(combination - base))

    def total_variation_loss(x):
        a = K.square(x[:, :rows - 1, :cols - 1, :] - x[:, 1:, :cols - 1, :])
        b = K.square(x[:, :rows - 1, :cols - 1, :] - x[:, :rows - 1, 1:, :])
        return K.sum(K.pow(a + b, 1.25))

    content_weight, style_weight, variation_weight = 0.02, 1.0, 0.1
    loss = K.variable(0.)  # the Keras 2.2 idiom: `+=` rebinds it to an expression
    features = outputs_dict['block2_conv1']
    loss += content_weight * content_loss(features[0, :, :, :], features[2, :, :, :])
    style_layers = ['block1_conv1', 'block1_conv2', 'block2_conv1']
    for name in style_layers:
        features = outputs_dict[name]
        loss += (style_weight / len(style_layers)) * style_loss(features[1, :, :, :], features[2, :, :, :])
    loss += variation_weight * total_variation_loss(combination_image)

    grads = K.gradients(loss, combination_image)
    assert K.int_shape(grads[0]) == (1, rows, cols, 3)
    f_outputs = K.function([combination_image], [loss] + grads)

    class Evaluator(object):
        """fmin_l_bfgs_b asks for the loss and the gradient separately: compute both once."""

        def __init__(self):
            self.loss_value = self.grad_values = None
            self.calls = 0

        def loss(self, flat):
            outs = f_outputs([flat.reshape((1, rows, cols, 3)).astype('float32')])
            self.loss_value = float(outs[0])
            self.grad_values = np.array(outs[1]).flatten().astype('float64')
            self.calls += 1
            return self.loss_value

        def grads(self, flat):
            values, self.loss_value, self.grad_values = self.grad_values, None, None
            return values

    evaluator = Evaluator()
    x = (content + 0.1 * rng.randn(*content.shape)).astype('float32')
    start_loss = evaluator.loss(x.flatten())
    assert np.isfinite(start_loss) and start_loss > 0
    assert np.isfinite(evaluator.grad_values).all() and np.abs(evaluator.grad_values).sum() > 0
    values = [start_loss]
    for _ in range(3):
        flat, min_val, _info = fmin_l_bfgs_b(evaluator.loss, x.flatten(), fprime=evaluator.grads,
                                             maxfun=10)
        x = flat.reshape((1, rows, cols, 3)).astype('float32')
        values.append(float(min_val))
    assert all(b <= a for a, b in zip(values, values[1:])), values
    assert values[-1] < 0.5 * values[0], values
    # The variables in the concatenated input are untouched: only the combination image moved.
    np.testing.assert_array_equal(K.get_value(base_image), content)


# ---------------------------------------------------------------------------------------------------
# 8. DeepDream: gradient ascent on the energy of a layer's activations, at two image sizes.

def test_deep_dream_ascent_raises_the_layer_energy():
    dream = Input(shape=(None, None, 3))
    h = Conv2D(8, (3, 3), padding='same', activation='relu', kernel_initializer=_init(71),
               name='mixed0')(dream)
    h = Conv2D(8, (3, 3), padding='same', activation='relu', kernel_initializer=_init(72),
               name='mixed1')(h)
    model = Model(dream, h)
    layer_dict = dict((layer.name, layer) for layer in model.layers)
    settings = {'mixed0': 0.5, 'mixed1': 1.0}

    loss = K.variable(0.)
    for name, coeff in settings.items():
        activation = layer_dict[name].output
        scaling = K.prod(K.cast(K.shape(activation), 'float32'))
        loss += coeff * K.sum(K.square(activation[:, 2:-2, 2:-2, :])) / scaling
    grads = K.gradients(loss, dream)[0]
    grads /= K.maximum(K.mean(K.abs(grads)), K.epsilon())
    fetch_loss_and_grads = K.function([dream], [loss, grads])

    def gradient_ascent(x, iterations, step):
        values = []
        for _ in range(iterations):
            loss_value, grad_values = fetch_loss_and_grads([x])
            assert grad_values.shape == x.shape and np.isfinite(grad_values).all()
            values.append(float(loss_value))
            x = x + step * grad_values
        return x, values

    rng = np.random.RandomState(13)
    image = (rng.random_sample((1, 12, 12, 3)) * 0.5 + 0.25).astype('float32')
    # The scaled energy, checked once from numpy on the layers' maps.
    maps = [Model(dream, layer_dict[name].output).predict(image) for name in ('mixed0', 'mixed1')]
    expected = sum(settings[name] * np.sum(m[:, 2:-2, 2:-2, :] ** 2) / m.size
                   for name, m in zip(('mixed0', 'mixed1'), maps))
    np.testing.assert_allclose(fetch_loss_and_grads([image])[0], expected, rtol=1e-4)

    for size in (12, 20):  # two octaves: the same function at another image size
        if image.shape[1] != size:
            image = np.kron(image, np.ones((1, 2, 2, 1), 'float32'))[:, :size, :size, :]
        image, values = gradient_ascent(image, iterations=10, step=0.01)
        assert values[-1] > 1.2 * values[0], (size, values)
        assert image.shape == (1, size, size, 3)


def test_a_variable_accumulates_symbolic_terms_with_plus_equals():
    # The Keras 2.2 style-transfer and deep-dream examples start from `loss = K.variable(0.)` and grow
    # it with `loss += term`; under Keras 2 (TensorFlow 1) that rebinds `loss` to `variable + term`.
    x = Input(shape=(3,))
    h = Dense(2, kernel_initializer='ones', bias_initializer='zeros')(x)
    loss = K.variable(0.)
    loss += K.sum(K.square(h))
    loss += 1.
    value, = K.function([x], [loss])([np.ones((1, 3), 'float32')])
    np.testing.assert_allclose(value, 2 * 3. ** 2 + 1., rtol=1e-6)


# ---------------------------------------------------------------------------------------------------
# Closure losses: a tensor from an unconnected graph is refused by name; every training entry point
# works with a loss that closes over the model's own tensors.

def test_a_loss_over_an_unconnected_models_tensor_names_the_unfed_input():
    x = Input(shape=(5,), name='features')
    out = Dense(2, kernel_initializer=_init(81))(Dense(4, kernel_initializer=_init(82))(x))
    model = Model(x, out)
    stranger = Input(shape=(5,), name='stranger_input')
    foreign = Dense(3)(stranger)
    Model(stranger, foreign)  # a second, unconnected model

    model.compile('sgd', lambda y_true, y_pred: K.mean(K.square(y_true - y_pred)) + K.mean(foreign))
    data, targets = np.ones((4, 5), 'float32'), np.zeros((4, 2), 'float32')
    before = model.get_weights()
    with pytest.raises(ValueError, match='stranger_input'):
        model.fit(data, targets, verbose=0)
    with pytest.raises(ValueError, match='stranger_input'):
        model.train_on_batch(data, targets)
    for old, new in zip(before, model.get_weights()):
        np.testing.assert_array_equal(old, new)

    loose = K.placeholder((None, 2), name='loose_placeholder')
    model.compile('sgd', lambda y_true, y_pred: K.mean(K.square(y_true - y_pred + loose)))
    with pytest.raises(ValueError, match='loose_placeholder'):
        model.evaluate(data, targets, verbose=0)


def test_closure_loss_through_fit_evaluate_and_batch_methods():
    rng = np.random.RandomState(17)
    data = rng.randn(128, 6).astype('float32')
    targets = (data[:, :2] * 2 - data[:, 2:4]).astype('float32')
    x = Input(shape=(6,))
    hidden = Dense(8, activation='tanh', kernel_initializer=_init(91), name='hidden')(x)
    out = Dense(2, kernel_initializer=_init(92), name='out')(hidden)
    model = Model(x, out)
    weight = 0.01

    def regularised(y_true, y_pred):
        return K.mean(K.square(y_true - y_pred), axis=-1) + weight * K.mean(K.square(hidden), axis=-1)

    def numpy_loss(batch, goal):
        kernel, bias = model.get_layer('hidden').get_weights()
        act = np.tanh(batch @ kernel + bias)
        kernel, bias = model.get_layer('out').get_weights()
        pred = act @ kernel + bias
        return np.mean(np.mean((goal - pred) ** 2, axis=-1) + weight * np.mean(act ** 2, axis=-1))

    model.compile(keras.optimizers.Adam(lr=0.01), loss=regularised)
    start = numpy_loss(data, targets)
    np.testing.assert_allclose(model.evaluate(data, targets, batch_size=128, verbose=0), start, rtol=1e-5)
    np.testing.assert_allclose(model.test_on_batch(data, targets), start, rtol=1e-5)
    first_step = model.train_on_batch(data, targets)
    np.testing.assert_allclose(first_step, start, rtol=1e-5)  # reported before the update
    assert numpy_loss(data, targets) < start
    history = model.fit(data, targets, batch_size=32, epochs=5, verbose=0)
    assert history.history['loss'][-1] < 0.7 * history.history['loss'][0], history.history['loss']
    end = model.evaluate(data, targets, batch_size=128, verbose=0)
    np.testing.assert_allclose(end, numpy_loss(data, targets), rtol=1e-5)
    assert end < 0.7 * start
