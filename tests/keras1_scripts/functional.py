'''A Keras 1.2 functional model: merge() with several modes and Model(input=, output=).'''
from __future__ import print_function
import numpy as np
np.random.seed(1337)

from keras.layers import Input, Dense, merge
from keras.models import Model

a = Input(shape=(8,), name='a')
b = Input(shape=(8,), name='b')
x = Dense(16, activation='relu')(a)
y = Dense(16, activation='relu')(b)
summed = merge([x, y], mode='sum')
joined = merge([summed, x, y], mode='concat', concat_axis=-1)
similarity = merge([x, y], mode='cos', dot_axes=1)
hidden = Dense(8, activation='tanh')(joined)
both = merge([hidden, similarity], mode='concat')
output = Dense(1, activation='sigmoid', name='out')(both)

model = Model(input=[a, b], output=output)
model.compile(optimizer='rmsprop', loss='binary_crossentropy')
data_a = np.random.rand(64, 8).astype('float32')
data_b = np.random.rand(64, 8).astype('float32')
labels = np.random.randint(0, 2, (64, 1))
history = model.fit([data_a, data_b], labels, nb_epoch=2, batch_size=16, verbose=0)
print('TRAINED', len(history.history['loss']), 'epochs, loss', history.history['loss'][-1])
