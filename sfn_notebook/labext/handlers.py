"""Tornado handlers behind ``/sfn-notebook/api/*``: the Python core, served to the browser.

Both POST routes take ``{"text": <definition as JSON or YAML>, "title"?: str}`` and answer with
the replies typed in :mod:`sfn_notebook.labext.graph` (mirrored in labextension/src/api.ts).
``GET /sfn-notebook/api/catalog`` answers the editor's completion data
(:mod:`sfn_notebook.labext.catalog`, mirrored in labextension/src/catalog.ts).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado import web

from sfn_notebook.labext.catalog import catalog
from sfn_notebook.labext.graph import graph_reply, validate_reply

#: AWS rejects definitions over 1 MiB, which the reply reports as a diagnostic; a text over twice
#: that is not even looked at. JSON escapes take at most 6 bytes per character (``\u0000``).
MAX_TEXT = 2 * 1024 * 1024
MAX_BODY = 6 * MAX_TEXT + 4096


class _DefinitionHandler(APIHandler):
    """Shared request parsing; work runs in a thread so a big definition never stalls the server."""

    def _body(self) -> dict[str, Any]:
        if len(self.request.body or b"") > MAX_BODY:
            raise web.HTTPError(413, f"request body is larger than {MAX_BODY} bytes")
        try:
            body = json.loads(self.request.body or b"{}")
        except (ValueError, RecursionError):  # RecursionError: nesting deeper than json allows
            raise web.HTTPError(400, "body must be JSON") from None
        if not isinstance(body, dict) or not isinstance(body.get("text"), str):
            raise web.HTTPError(400, 'body must be {"text": "<definition>"}')
        if len(body["text"]) > MAX_TEXT:
            raise web.HTTPError(413, f"definition is larger than {MAX_TEXT} characters")
        title = body.get("title", "")
        body["title"] = title if isinstance(title, str) else ""
        return body


class ValidateHandler(_DefinitionHandler):
    """``POST /sfn-notebook/api/validate`` → ``{diagnostics, states}``."""

    @web.authenticated
    async def post(self) -> None:
        body = self._body()
        reply = await asyncio.get_running_loop().run_in_executor(None, validate_reply, body["text"])
        self.finish(json.dumps(reply))


class GraphHandler(_DefinitionHandler):
    """``POST /sfn-notebook/api/graph`` → ``{diagnostics, states, dot, title}``."""

    @web.authenticated
    async def post(self) -> None:
        body = self._body()
        reply = await asyncio.get_running_loop().run_in_executor(
            None, graph_reply, body["text"], body["title"]
        )
        self.finish(json.dumps(reply))


class CatalogHandler(APIHandler):
    """``GET /sfn-notebook/api/catalog`` → fields, intrinsics, JSONata extras, Resource ARNs."""

    @web.authenticated
    def get(self) -> None:
        self.finish(json.dumps(catalog()))


def setup_handlers(web_app: Any) -> None:
    """Register the routes under the server's base URL."""
    base = url_path_join(web_app.settings["base_url"], "sfn-notebook", "api")
    web_app.add_handlers(
        ".*$",
        [
            (url_path_join(base, "validate"), ValidateHandler),
            (url_path_join(base, "graph"), GraphHandler),
            (url_path_join(base, "catalog"), CatalogHandler),
        ],
    )
