"""The Jupyter server extension behind the JupyterLab extension in ``labextension/``.

It adds routes that run the Python core for the browser (see :mod:`.handlers`):
``POST /sfn-notebook/api/validate``, ``POST /sfn-notebook/api/graph`` and, for the editor's
completion, ``GET /sfn-notebook/api/catalog``. ``pip install``
enables it through ``etc/jupyter/jupyter_server_config.d/sfn_notebook.json``; by hand::

    jupyter server extension enable sfn_notebook.labext
"""

from __future__ import annotations

from typing import Any

# The graph output's MIME type is owned by the renderer; re-exported for the extension's users.
from sfn_notebook.render.dot import GRAPH_MIME_TYPE

__all__ = ["GRAPH_MIME_TYPE"]


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    """Tell jupyter_server which module to load (this one)."""
    return [{"module": "sfn_notebook.labext"}]


def _load_jupyter_server_extension(server_app: Any) -> None:
    """Add the routes; imported lazily so ``import sfn_notebook`` never needs jupyter_server."""
    from sfn_notebook.labext.handlers import setup_handlers

    setup_handlers(server_app.web_app)
    server_app.log.info(
        "sfn_notebook.labext: /sfn-notebook/api/{validate,graph,catalog} registered"
    )
