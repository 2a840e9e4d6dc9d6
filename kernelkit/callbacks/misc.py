"""Small general-purpose callbacks: `LambdaCallback`, `TerminateOnNaN` and `RemoteMonitor`."""
import json
import warnings

import numpy as np

from kernelkit.callbacks.base import Callback


def _ignore_epoch_or_batch(index, logs):
    """The default of a `LambdaCallback` epoch or batch hook: does nothing."""


def _ignore_train(logs):
    """The default of a `LambdaCallback` train hook: does nothing."""


class LambdaCallback(Callback):
    """Callback for creating simple, custom callbacks on-the-fly.

    This callback is constructed with anonymous functions that will be called at the appropriate time.
    Note that the callbacks expects positional arguments, as:

    - `on_epoch_begin` and `on_epoch_end` expect two positional arguments: `epoch`, `logs`
    - `on_batch_begin` and `on_batch_end` expect two positional arguments: `batch`, `logs`
    - `on_train_begin` and `on_train_end` expect one positional argument: `logs`

    # Arguments
        on_epoch_begin: called at the beginning of every epoch.
        on_epoch_end: called at the end of every epoch.
        on_batch_begin: called at the beginning of every batch.
        on_batch_end: called at the end of every batch.
        on_train_begin: called at the beginning of model training.
        on_train_end: called at the end of model training.
        **kwargs: set as attributes of the callback (for example other hooks, such as
            `on_test_begin`).

    # Raises
        Nothing itself; errors raised by the given functions propagate.

    # Example
    ```python
    # Print the batch number at the beginning of every batch.
    batch_print_callback = LambdaCallback(on_batch_begin=lambda batch, logs: print(batch))
    # Terminate some processes after having finished model training.
    cleanup_callback = LambdaCallback(on_train_end=lambda logs: [p.terminate() for p in processes
                                                                 if p.is_alive()])
    model.fit(..., callbacks=[batch_print_callback, cleanup_callback])
    ```
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_batch_begin=None, on_batch_end=None,
                 on_train_begin=None, on_train_end=None, **kwargs):
        super(LambdaCallback, self).__init__()
        self.__dict__.update(kwargs)
        self.on_epoch_begin = on_epoch_begin if on_epoch_begin is not None else _ignore_epoch_or_batch
        self.on_epoch_end = on_epoch_end if on_epoch_end is not None else _ignore_epoch_or_batch
        self.on_batch_begin = on_batch_begin if on_batch_begin is not None else _ignore_epoch_or_batch
        self.on_batch_end = on_batch_end if on_batch_end is not None else _ignore_epoch_or_batch
        self.on_train_begin = on_train_begin if on_train_begin is not None else _ignore_train
        self.on_train_end = on_train_end if on_train_end is not None else _ignore_train


class TerminateOnNaN(Callback):
    """Callback that terminates training when a NaN loss is encountered.

    At the end of every batch, if the batch's `loss` is NaN or infinite, it prints
    `Batch N: Invalid loss, terminating training` and sets `model.stop_training`, so `fit` stops after
    that batch (the epoch still ends, without validation).

    # Arguments
        None.

    # Raises
        Nothing.
    """

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get('loss')
        if loss is not None and (np.isnan(loss) or np.isinf(loss)):
            print('Batch %d: Invalid loss, terminating training' % (batch,))
            self.model.stop_training = True


class RemoteMonitor(Callback):
    """Callback used to stream events to a server.

    Requires the `requests` library. At the end of every epoch, it sends an HTTP POST request to
    `root + path` with the epoch index (counted from 0) and the epoch logs, as a JSON object
    `{'epoch': epoch, <log key>: <value>, ...}`. By default the object is sent as form data, JSON-encoded
    under the key `field`; with `send_as_json=True` it is the JSON body of the request (content type
    `application/json`). A server that cannot be reached gives a warning, not an error.

    # Arguments
        root: string; root url of the target server.
        path: string; path relative to `root` to which the events will be sent.
        field: string; JSON field under which the data will be stored. The field is used only if the
            payload is sent within a form (i.e. send_as_json is set to False).
        headers: dictionary; optional custom HTTP headers.
        send_as_json: boolean; whether the request should be sent as application/json.

    # Raises
        ImportError: at the end of an epoch, if `requests` is not installed.
    """

    def __init__(self, root='http://localhost:9000', path='/publish/epoch/end/', field='data', headers=None,
                 send_as_json=False):
        super(RemoteMonitor, self).__init__()
        self.root = root
        self.path = path
        self.field = field
        self.headers = headers
        self.send_as_json = send_as_json

    def on_epoch_end(self, epoch, logs=None):
        try:
            import requests
        except ImportError:
            raise ImportError('RemoteMonitor requires the `requests` library.')
        send = {'epoch': epoch}
        for key, value in (logs or {}).items():
            send[key] = value.item() if isinstance(value, (np.ndarray, np.generic)) else value
        try:
            if self.send_as_json:
                requests.post(self.root + self.path, json=send, headers=self.headers)
            else:
                requests.post(self.root + self.path, {self.field: json.dumps(send)}, headers=self.headers)
        except requests.exceptions.RequestException:
            warnings.warn('Warning: could not reach RemoteMonitor root server at ' + str(self.root))
