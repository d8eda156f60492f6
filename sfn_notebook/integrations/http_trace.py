"""TestState's TRACE inspection data for HTTP Tasks: the request sent and the response got.

While :func:`trace` is active (TestState with ``inspectionLevel="TRACE"`` runs the state inside
it), every HTTP exchange of an ``http:invoke`` / ``apigateway:invoke`` Task is recorded, and
:func:`inspection` turns the last one into AWS's ``inspectionData.request`` (``protocol``,
``method``, ``url``, ``headers``, ``body``) and ``inspectionData.response`` (``protocol``,
``statusCode``, ``statusMessage``, ``headers``, ``body``), every value text as AWS gives it.
Headers that an EventBridge connection added (its API key, Authorization, header parameters)
are masked unless ``revealSecrets`` is true, as AWS does.

>>> with trace() as exchanges:
...     record("GET", "https://example.com/a", {"X-Key": "s3cret"}, None,
...            200, "OK", {"Content-Type": "text/plain"}, b"hi", frozenset({"X-Key"}))
>>> inspection(exchanges, reveal=False)["request"]["headers"]
'{"X-Key":"*****"}'
"""

from __future__ import annotations

import contextlib
import json
import urllib.parse
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from typing import Any

_EXCHANGES: ContextVar[list[dict[str, Any]] | None] = ContextVar("http_exchanges", default=None)
MASK = "*****"


@contextlib.contextmanager
def trace() -> Iterator[list[dict[str, Any]]]:
    """Record the HTTP exchanges of Tasks run inside (the context is inherited by the tasks an
    event loop started here creates)."""
    exchanges: list[dict[str, Any]] = []
    token = _EXCHANGES.set(exchanges)
    try:
        yield exchanges
    finally:
        _EXCHANGES.reset(token)


def record(
    method: str,
    url: str,
    headers: Mapping[str, str],
    data: bytes | None,
    status: int,
    reason: str,
    response_headers: Mapping[str, str],
    response_body: bytes,
    secret: frozenset[str] = frozenset(),
) -> None:
    """Keep one exchange when a trace is active (cheap no-op otherwise)."""
    exchanges = _EXCHANGES.get()
    if exchanges is None:
        return
    exchanges.append(
        {
            "method": method,
            "url": url,
            "headers": dict(headers),
            "body": data or b"",
            "status": status,
            "reason": reason,
            "response_headers": dict(response_headers),
            "response_body": response_body,
            "secret": secret,
        }
    )


def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def _headers(headers: Mapping[str, str], hidden: frozenset[str]) -> str:
    shown = {name: (MASK if name in hidden else value) for name, value in headers.items()}
    return json.dumps(shown, separators=(",", ":"), ensure_ascii=False)


def inspection(exchanges: list[dict[str, Any]], *, reveal: bool) -> dict[str, Any]:
    """``{"request": ..., "response": ...}`` of the last exchange ({} when there was none)."""
    if not exchanges:
        return {}
    last = exchanges[-1]
    hidden = frozenset() if reveal else last["secret"]
    return {
        "request": {
            "protocol": urllib.parse.urlsplit(last["url"]).scheme.upper() or "HTTPS",
            "method": last["method"],
            "url": last["url"],
            "headers": _headers(last["headers"], hidden),
            "body": _text(last["body"]),
        },
        "response": {
            "protocol": "HTTP/1.1",
            "statusCode": str(last["status"]),
            "statusMessage": last["reason"],
            "headers": _headers(last["response_headers"], frozenset()),
            "body": _text(last["response_body"]),
        },
    }
