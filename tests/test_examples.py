"""Keras 2 examples, written as their users wrote them, train on small synthetic data.

- `mnist_mlp.py` (784-512-512-10 with Dropout, RMSprop, categorical_crossentropy, accuracy).
- The "multi-input and multi-output models" example of the functional API guide, scaled down (Dense layers
  stand in for the Embedding/LSTM branch, a Lambda for `concatenate`).
"""
import contextlib
import io

import numpy as np

import kernelkit as keras  # noqa: F401  (imports TensorFlow without Keras first)
from kernelkit import backend as K
from kernelkit.layers import Dense, Dropout, Input, Lambda
from kernelkit.models import Model, Sequential
from kernelkit.optimizers import RMSprop


def _synthetic_digits(n, seed):
    """Synthetic 'MNIST': one fixed random 784-pixel prototype per class, plus noise, in [0, 1]."""
    prototypes = np.random.RandomState(99).uniform(0., 1., size=(10, 784))
    rng = np.random.RandomState(seed)
    labels = rng.randint(0, 10, size=n)
    x = np.clip(prototypes[labels] + rng.normal(0., 0.5, size=(n, 784)), 0., 1.).astype('float32')
    return x, np.eye(10, dtype='float32')[labels]


def test_mnist_mlp():
    num_classes = 10
    x_train, y_train = _synthetic_digits(384, seed=0)
    x_test, y_test = _synthetic_digits(96, seed=1)

    model = Sequential()
    model.add(Dense(512, activation='relu', input_shape=(784,)))
    model.add(Dropout(0.2))
    model.add(Dense(512, activation='relu'))
    model.add(Dropout(0.2))
    model.add(Dense(num_classes, activation='softmax'))

    lines = []
    model.summary(print_fn=lines.append)
    summary = '\n'.join(lines)
    assert 'Total params: 669,706' in summary
    assert 'Trainable params: 669,706' in summary

    model.compile(loss='categorical_crossentropy', optimizer=RMSprop(), metrics=['accuracy'])
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        history = model.fit(x_train, y_train, batch_size=128, epochs=3, verbose=1,
                            validation_data=(x_test, y_test))
    assert 'Train on 384 samples, validate on 96 samples' in out.getvalue()
    assert sorted(history.history) == ['accuracy', 'loss', 'val_accuracy', 'val_loss']
    assert history.history['acc'] == history.history['accuracy']  # Keras 2.2 code reads 'acc'
    losses = history.history['loss']
    assert losses[2] < losses[1] < losses[0]
    assert history.history['val_loss'][-1] < history.history['val_loss'][0]
    score = model.evaluate(x_test, y_test, verbose=0)
    assert len(score) == 2 and abs(score[0] - history.history['val_loss'][-1]) < 1e-5
    assert score[1] > 0.5  # far above chance (0.1) after three epochs


def test_multi_input_multi_output_model():
    rng = np.random.RandomState(2)
    n = 64
    headline_data = rng.normal(size=(n, 10)).astype('float32')
    additional_data = rng.normal(size=(n, 5)).astype('float32')
    labels = (headline_data[:, :3].sum(-1) + additional_data[:, 0] > 0).astype('float32')[:, None]

    main_input = Input(shape=(10,), name='main_input')
    encoded = Dense(8, activation='tanh', name='encoder')(main_input)
    auxiliary_output = Dense(1, activation='sigmoid', name='aux_output')(encoded)
    auxiliary_input = Input(shape=(5,), name='aux_input')
    x = Lambda(lambda t: K.concatenate(t, axis=-1), name='concatenate')([encoded, auxiliary_input])
    x = Dense(16, activation='relu')(x)
    x = Dense(16, activation='relu')(x)
    main_output = Dense(1, activation='sigmoid', name='main_output')(x)
    model = Model(inputs=[main_input, auxiliary_input], outputs=[main_output, auxiliary_output])

    model.compile(optimizer='rmsprop', loss='binary_crossentropy', loss_weights=[1., 0.2], metrics=['accuracy'])
    assert model.metrics_names == ['loss', 'main_output_loss', 'aux_output_loss', 'main_output_accuracy',
                                   'aux_output_accuracy']
    history = model.fit({'main_input': headline_data, 'aux_input': additional_data},
                        {'main_output': labels, 'aux_output': labels},
                        epochs=4, batch_size=16, validation_split=0.25, verbose=0)
    names = ['loss', 'main_output_loss', 'aux_output_loss', 'main_output_accuracy', 'aux_output_accuracy']
    assert sorted(history.history) == sorted(names + ['val_' + name for name in names])
    assert history.history['val_main_output_acc'] == history.history['val_main_output_accuracy']
    for total, main, aux in zip(history.history['loss'], history.history['main_output_loss'],
                                history.history['aux_output_loss']):
        assert abs(total - (main + 0.2 * aux)) < 1e-5
    assert history.history['loss'][-1] < history.history['loss'][0]

    main_pred, aux_pred = model.predict({'main_input': headline_data, 'aux_input': additional_data})
    assert main_pred.shape == aux_pred.shape == (n, 1)
    results = model.evaluate([headline_data, additional_data], [labels, labels], verbose=0)
    assert len(results) == 5
