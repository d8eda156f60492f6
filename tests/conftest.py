"""Shared fixtures: moto's server over real HTTP, and the browser tests' beacon."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="module")
def server() -> Iterator[Any]:
    """moto's server on 127.0.0.1 with state machine execution on, reset for each module."""
    from sfn_notebook.aws import MotoServer

    with MotoServer() as running:
        running.reset()  # moto's state is per process: start from nothing
        yield running


@pytest.fixture(scope="module")
def role(server: Any) -> Any:
    return server.role()


@pytest.fixture
def aws(server: Any) -> Iterator[Any]:
    connection = server.connect(poll_interval=0.1, max_poll_interval=0.3, calls_per_second=200)
    yield connection
    connection.close()


class Beacon:
    """A local HTTP server that counts requests by path: a page that loads or navigates to
    anything under :attr:`url` shows up in :attr:`hits` (the browser tests' exfiltration probe)."""

    def __init__(self) -> None:
        import http.server
        import threading

        hits: list[str] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"beacon")

            def log_message(self, *args: Any) -> None:
                pass

        self.hits = hits
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def beacon() -> Iterator[Beacon]:
    server = Beacon()
    try:
        yield server
    finally:
        server.close()
