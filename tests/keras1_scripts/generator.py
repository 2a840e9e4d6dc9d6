'''Keras 1.2 generator training: fit_generator(samples_per_epoch=, nb_epoch=, nb_val_samples=).'''
from __future__ import print_function
import numpy as np
np.random.seed(1337)

from keras.models import Sequential
from keras.layers import Dense, Flatten
from keras.preprocessing.image import ImageDataGenerator

X = np.random.rand(64, 4, 4, 1).astype('float32')
Y = np.random.randint(0, 2, (64, 1))

model = Sequential()
model.add(Flatten(input_shape=(4, 4, 1)))
model.add(Dense(8, activation='relu'))
model.add(Dense(1, activation='sigmoid'))
model.compile(loss='binary_crossentropy', optimizer='sgd')

datagen = ImageDataGenerator()
train_generator = datagen.flow(X, Y, batch_size=16)
validation_generator = datagen.flow(X, Y, batch_size=16)
history = model.fit_generator(train_generator, samples_per_epoch=64, nb_epoch=2,
                              validation_data=validation_generator, nb_val_samples=2, verbose=0)
loss = model.evaluate_generator(validation_generator, val_samples=2)
predictions = model.predict_generator(validation_generator, val_samples=2)
print('TRAINED', len(history.history['loss']), 'epochs, loss', loss, 'predictions', predictions.shape)
