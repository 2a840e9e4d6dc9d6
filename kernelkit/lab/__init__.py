"""kernelkit's Jupyter server extension: the Keras 1 -> Keras 2 migrator behind two HTTP routes.

The JupyterLab extension (`labextension/`, npm package `kernelkit-lab`) calls these routes so that a migration
runs in the server process even while the notebook's kernel is busy training:

- `POST /kernelkit/migrate` with `{"code": "..."}` migrates one piece of source;
- `POST /kernelkit/migrate_notebook` with `{"cells": [{"id": ..., "source": ...}, ...]}` migrates several cells.

See `kernelkit.lab.handlers` for the answers. Enabled by `jupyter-config/server-config/kernelkit.json`
(installed into `etc/jupyter/jupyter_server_config.d/` by the wheel), or by hand with
`jupyter server extension enable --sys-prefix kernelkit.lab`.

Note: `kernelkit.lab` is a subpackage of `kernelkit`, so loading the extension runs `kernelkit/__init__.py`,
which imports TensorFlow once when the server starts. The routes themselves import nothing heavy.
"""

ROUTE_PREFIX = 'kernelkit'


def _jupyter_server_extension_points():
    """Tells Jupyter Server where the extension lives.

    # Returns
        A list with one dict, `{"module": "kernelkit.lab"}`.
    """
    return [{'module': 'kernelkit.lab'}]


def _load_jupyter_server_extension(server_app):
    """Registers the routes on the server's web application.

    # Arguments
        server_app: the running `jupyter_server.serverapp.ServerApp`.
    """
    from kernelkit.lab.handlers import setup_handlers
    setup_handlers(server_app.web_app, ROUTE_PREFIX)
    server_app.log.info('kernelkit.lab: migration routes at /%s/', ROUTE_PREFIX)


# Jupyter Server < 2 and notebook-style loaders look for this name.
load_jupyter_server_extension = _load_jupyter_server_extension
