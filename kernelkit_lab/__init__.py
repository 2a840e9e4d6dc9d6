"""kernelkit's Jupyter server extension: the Keras 1 -> Keras 2 migrator behind two HTTP routes.

The JupyterLab / Notebook 7 extension (`labextension/`, npm package `kernelkit-lab`) calls these routes so that
a migration runs in the server process even while the notebook's kernel is busy training:

- `POST /kernelkit/migrate` with `{"code": "..."}` migrates one piece of source;
- `POST /kernelkit/migrate_notebook` with `{"cells": [{"id": ..., "source": ...}, ...]}` migrates several cells.

See `kernelkit_lab.handlers` for the answers. Enabled by `jupyter-config/server-config/kernelkit_lab.json`
(installed into `etc/jupyter/jupyter_server_config.d/` by the wheel), or by hand with
`jupyter server extension enable --sys-prefix kernelkit_lab`.

This is a top-level package on purpose: loading it imports nothing from `kernelkit`, so the Jupyter server
does not import TensorFlow (seconds, hundreds of MB) while it starts. The migrator (`kernelkit.legacy`, which
does import `kernelkit` and so TensorFlow) is imported on first use, in the worker thread that runs the
migration. To make the first click fast anyway, the extension also imports it in a background daemon thread
shortly after the server's event loop starts; set the environment variable `KERNELKIT_LAB_PRELOAD=0` to turn
that off (the migrator then loads on the first request).
"""
import os
import threading
import time

ROUTE_PREFIX = 'kernelkit'
PRELOAD_ENV = 'KERNELKIT_LAB_PRELOAD'
# Seconds after loading (counted once the event loop runs) before the background import starts: the server
# binds its port first.
PRELOAD_DELAY = 0.5


def _jupyter_server_extension_points():
    """Tells Jupyter Server where the extension lives.

    # Returns
        A list with one dict, `{"module": "kernelkit_lab"}`.
    """
    return [{'module': 'kernelkit_lab'}]


def preload_enabled(environ=None):
    """Whether the migrator is imported in the background after the server starts.

    # Arguments
        environ: the environment to read (default `os.environ`).

    # Returns
        False when `KERNELKIT_LAB_PRELOAD` is `0`, `false`, `no` or `off` (any case), True otherwise.
    """
    value = (os.environ if environ is None else environ).get(PRELOAD_ENV, '1')
    return value.strip().lower() not in ('0', 'false', 'no', 'off')


def _preload(log):
    started = time.monotonic()
    try:
        from kernelkit_lab.handlers import load_migrator
        load_migrator()
    except Exception as error:  # the first request imports it again and reports the error there
        log.warning('kernelkit_lab: could not preload the migrator (%s: %s); it loads on first use',
                    type(error).__name__, error)
        return
    log.info('kernelkit_lab: migrator loaded in the background in %.1f s', time.monotonic() - started)


def start_preload(log):
    """Starts importing the migrator in a background daemon thread.

    # Arguments
        log: a `logging.Logger` for the outcome.

    # Returns
        The started `threading.Thread`.
    """
    thread = threading.Thread(target=_preload, args=(log,), name='kernelkit_lab-preload', daemon=True)
    thread.start()
    return thread


def _load_jupyter_server_extension(server_app):
    """Registers the routes on the server's web application (and schedules the background preload).

    # Arguments
        server_app: the running `jupyter_server.serverapp.ServerApp` (its `web_app`, `log` and, for the
            preload, `io_loop` are used).
    """
    from kernelkit_lab.handlers import setup_handlers
    setup_handlers(server_app.web_app, ROUTE_PREFIX)
    loop = getattr(server_app, 'io_loop', None)
    if preload_enabled() and loop is not None:
        # Runs once the event loop does, after the server has bound its port; never during start-up.
        loop.call_later(PRELOAD_DELAY, start_preload, server_app.log)
    server_app.log.info('kernelkit_lab: migration routes at /%s/', ROUTE_PREFIX)


# Jupyter Server < 2 and notebook-style loaders look for this name.
load_jupyter_server_extension = _load_jupyter_server_extension
