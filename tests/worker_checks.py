"""Checks shared by the generator and enqueuer tests: nothing hangs, and no worker outlives an error."""
import multiprocessing
import threading
import time

TIMEOUT = 60


def call_with_timeout(function, timeout=TIMEOUT):
    """Runs `function` in a helper thread; fails the test if it has not returned after `timeout` seconds.
    Returns `(value, error)`."""
    outcome = {}

    def run():
        try:
            outcome['value'] = function()
        except BaseException as error:  # noqa: BLE001 - handed to the test
            outcome['error'] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), 'the call hung (still running after %d s)' % timeout
    return outcome.get('value'), outcome.get('error')


def assert_nothing_left(threads_before):
    """Fails unless every thread started since `threads_before` and every child process has ended."""
    deadline = time.time() + 5
    while time.time() < deadline and (set(threading.enumerate()) - threads_before
                                      or multiprocessing.active_children()):
        time.sleep(0.05)
    assert set(threading.enumerate()) - threads_before == set()
    assert multiprocessing.active_children() == []
