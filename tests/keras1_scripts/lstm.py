'''A Keras 1.2 LSTM text classifier (imdb_lstm style): dropout_W/dropout_U and consume_less.'''
from __future__ import print_function
import numpy as np
np.random.seed(1337)

from keras.preprocessing import sequence
from keras.models import Sequential
from keras.layers import Dense, Embedding
from keras.layers import LSTM

max_features = 50
maxlen = 10
batch_size = 16

X_train = [list(np.random.randint(1, max_features, np.random.randint(3, 15))) for _ in range(48)]
y_train = np.random.randint(0, 2, 48)
X_train = sequence.pad_sequences(X_train, maxlen=maxlen)

model = Sequential()
model.add(Embedding(max_features, 16, dropout=0.2, input_length=maxlen))
model.add(LSTM(16, dropout_W=0.2, dropout_U=0.2, consume_less='gpu'))
model.add(Dense(1, activation='sigmoid'))

model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
history = model.fit(X_train, y_train, batch_size=batch_size, nb_epoch=2, verbose=0)
print('TRAINED', len(history.history['loss']), 'epochs, loss', history.history['loss'][-1])
