'''A Keras 1.2 convnet (mnist_cnn style): Convolution2D with nb_row/nb_col and border_mode.'''
from __future__ import print_function
import numpy as np
np.random.seed(1337)

from keras.models import Sequential
from keras.layers import Dense, Dropout, Activation, Flatten
from keras.layers import Convolution2D, MaxPooling2D
from keras.utils import np_utils
from keras import backend as K

batch_size = 16
nb_classes = 4
nb_epoch = 1
img_rows, img_cols = 8, 8
nb_filters = 4
pool_size = (2, 2)
kernel_size = (3, 3)

X_train = np.random.rand(48, img_rows, img_cols, 1).astype('float32')
if K.image_dim_ordering() == 'th':
    X_train = X_train.reshape(X_train.shape[0], 1, img_rows, img_cols)
    input_shape = (1, img_rows, img_cols)
else:
    input_shape = (img_rows, img_cols, 1)
Y_train = np_utils.to_categorical(np.random.randint(0, nb_classes, 48), nb_classes)

model = Sequential()
model.add(Convolution2D(nb_filters, kernel_size[0], kernel_size[1], border_mode='valid',
                        input_shape=input_shape))
model.add(Activation('relu'))
model.add(Convolution2D(nb_filters, 3, 3, border_mode='same', init='he_normal'))
model.add(Activation('relu'))
model.add(MaxPooling2D(pool_size=pool_size))
model.add(Dropout(0.25))
model.add(Flatten())
model.add(Dense(16))
model.add(Activation('relu'))
model.add(Dense(nb_classes))
model.add(Activation('softmax'))

model.compile(loss='categorical_crossentropy', optimizer='adadelta', metrics=['accuracy'])
history = model.fit(X_train, Y_train, batch_size=batch_size, nb_epoch=nb_epoch, verbose=0)
print('TRAINED', len(history.history['loss']), 'epochs, loss', history.history['loss'][-1])
