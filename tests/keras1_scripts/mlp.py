'''A Keras 1.2 multilayer perceptron, as Keras 1 examples wrote it (random data, a few seconds).'''
from __future__ import print_function
import numpy as np
np.random.seed(1337)  # for reproducibility

from keras.models import Sequential
from keras.layers.core import Dense, Dropout, Activation
from keras.optimizers import RMSprop
from keras.regularizers import l2
from keras.utils import np_utils

batch_size = 16
nb_classes = 3
nb_epoch = 2

X_train = np.random.rand(96, 20).astype('float32')
y_train = np.random.randint(0, nb_classes, 96)
Y_train = np_utils.to_categorical(y_train, nb_classes)

model = Sequential()
model.add(Dense(output_dim=32, input_dim=20, init='glorot_uniform'))
model.add(Activation('relu'))
model.add(Dropout(p=0.2))
model.add(Dense(nb_classes, W_regularizer=l2(0.01), bias=True))
model.add(Activation('softmax'))

model.compile(loss='categorical_crossentropy', optimizer=RMSprop(), metrics=['accuracy'])
history = model.fit(X_train, Y_train, batch_size=batch_size, nb_epoch=nb_epoch, verbose=0,
                    validation_split=0.25)
score = model.evaluate(X_train, Y_train, verbose=0)
print('TRAINED', len(history.history['loss']), 'epochs, test score:', score[0])
