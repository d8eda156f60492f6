"""Bad input never escapes as a Python traceback: property tests over the Jupyter server routes
of the JupyterLab extension (``sfn_notebook/labext/handlers.py``), the HTTP face of the
``parse``/``validate`` properties in test_robustness.py.

A real Jupyter server with our extension gets random and hostile bodies: arbitrary bytes
(invalid JSON, invalid UTF-8), JSON of the wrong shape, any definition text (lone surrogates
included), mutated definitions with hostile state names, nesting past the JSON decoder's
recursion limit and bodies past the size cap. Each gets a JSON reply, a 4xx error with a
``message`` for a bad body, never a 500 or a traceback, within a time bound.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_robustness import JSON, ODD, SETTINGS, mutated

ROOT = Path(__file__).resolve().parents[1]
ROUTES = ("/sfn-notebook/api/validate", "/sfn-notebook/api/graph")
REQUEST_SECONDS = 10  # generous: a request is a few ms, the biggest body well under a second


class _Api:
    """A real Jupyter server with our extension, on 127.0.0.1, answering raw HTTP bodies."""

    def __init__(self, home: Path) -> None:
        import secrets
        import socket
        import subprocess
        import sys

        self.token = secrets.token_hex(16)
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        self._log = (home / "server.log").open("w")
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),  # this checkout's sfn_notebook, whatever is installed
            "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
            "JUPYTER_CONFIG_DIR": str(home / "config"),
        }
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "jupyter_server", "--no-browser", "--ip=127.0.0.1",
                f"--port={self.url.rsplit(':', 1)[1]}", f"--IdentityProvider.token={self.token}",
                f"--ServerApp.root_dir={home}", "--ServerApp.allow_root=True",
                "--ServerApp.jpserver_extensions=sfn_notebook.labext=True",
            ],
            env=env, stdout=self._log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.log_path = home / "server.log"

    def wait_ready(self, timeout: float = 60) -> None:
        import urllib.error

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                self.post(ROUTES[0], b'{"text": ""}')
                return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        raise RuntimeError(f"jupyter_server did not start:\n{self.log_path.read_text()[-3000:]}")

    def post(self, path: str, body: bytes) -> tuple[int, Any, float]:
        """(status, parsed JSON reply, seconds) for a raw body."""
        import urllib.error
        import urllib.request

        request = urllib.request.Request(
            self.url + path,
            data=body,
            method="POST",
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        start = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        seconds = time.monotonic() - start
        text = raw.decode("utf-8")
        assert "Traceback" not in text, text[-2000:]
        return status, json.loads(text), seconds

    def stop(self) -> None:
        self.process.terminate()  # only the server this fixture started
        try:
            self.process.wait(timeout=10)
        except Exception:
            self.process.kill()
            self.process.wait()
        self._log.close()


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Any:
    server = _Api(tmp_path_factory.mktemp("jupyter-api"))
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def _post_json(api: _Api, route: str, body: Any) -> tuple[int, Any]:
    """POST ``body`` as JSON text (lone surrogates travel as ``\\udXXX`` escapes, as from a
    browser) and check the answer is a JSON reply, not a 5xx, within the time bound."""
    return _post_raw(api, route, json.dumps(body).encode())


def _post_raw(api: _Api, route: str, body: bytes) -> tuple[int, Any]:
    status, reply, seconds = api.post(route, body)
    assert status < 500, (status, reply)
    assert seconds < REQUEST_SECONDS, seconds
    if status >= 400:
        assert isinstance(reply, dict) and isinstance(reply.get("message"), str), reply
    return status, reply


def _check_reply(route: str, reply: Any) -> None:
    assert isinstance(reply["diagnostics"], list) and isinstance(reply["states"], list)
    for diagnostic in reply["diagnostics"]:
        assert {"severity", "code", "message", "location"} <= diagnostic.keys()
    if route.endswith("/graph"):
        assert isinstance(reply["dot"], str) and isinstance(reply["title"], str)


ANY_TEXT = st.text(st.characters(blacklist_categories=()), max_size=200)  # surrogates included
HOSTILE_NAMES = st.sampled_from(
    ["\ud800", "a\udfffb", "<script>alert(1)</script>", "\x00", "a\\", '"', "\u202e", "}\n{"]
) | st.text(st.characters(blacklist_categories=()), min_size=1, max_size=30)


@settings(SETTINGS, max_examples=150)
@given(st.sampled_from(ROUTES), st.binary(max_size=500))
def test_routes_answer_any_bytes_with_json(api: _Api, route: str, body: bytes) -> None:
    status, reply = _post_raw(api, route, body)
    if status == 200:
        _check_reply(route, reply)


@settings(SETTINGS, max_examples=150)
@given(st.sampled_from(ROUTES), JSON | ODD)
def test_routes_refuse_bodies_of_the_wrong_shape(api: _Api, route: str, body: Any) -> None:
    status, reply = _post_json(api, route, body)
    good = isinstance(body, dict) and isinstance(body.get("text"), str)
    assert status == (200 if good else 400), (status, reply)


@settings(SETTINGS, max_examples=200)
@given(st.sampled_from(ROUTES), ANY_TEXT, JSON | ANY_TEXT)
def test_routes_answer_any_definition_text(api: _Api, route: str, text: str, title: Any) -> None:
    # Whatever the editor holds, the panel gets diagnostics back: never an HTTP error.
    status, reply = _post_json(api, route, {"text": text, "title": title})
    assert status == 200, reply
    _check_reply(route, reply)


@settings(SETTINGS, max_examples=150)
@given(st.sampled_from(ROUTES), mutated(), HOSTILE_NAMES, st.booleans())
def test_routes_answer_mutated_definitions(
    api: _Api, route: str, document: Any, name: str, as_yaml: bool
) -> None:
    if isinstance(document, dict) and isinstance(document.get("States"), dict):
        states = document["States"]
        if states:  # rename one state to something hostile (HTML, surrogates, control chars)
            first = next(iter(states))
            states[name] = states.pop(first)
            if document.get("StartAt") == first:
                document["StartAt"] = name
    if as_yaml:
        import yaml

        text = yaml.safe_dump(document, allow_unicode=False)
    else:
        text = json.dumps(document)
    status, reply = _post_json(api, route, {"text": text})
    assert status == 200, reply
    _check_reply(route, reply)


SURROGATE_NAMES = {
    "StartAt": "\ud800",
    "States": {
        "\ud800": {"Type": "Pass", "Next": "b\udfff"},
        "b\udfff": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.x", "IsNull": True, "Next": "?"}],
        },
    },
}


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"[" * 100_000 + b"]" * 100_000, 400),  # nesting past the JSON decoder's recursion limit
        (b'{"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", 400),
        (b'{"text": "\xff\xfe"}', 400),  # not UTF-8
        (b'{"text": "a", "text": 1}', 400),  # the last duplicate wins, as in JavaScript
        (b"", 400),
        (b"null", 400),
        (b'{"text": null}', 400),
        (json.dumps({"text": "[" * 100_000 + "]" * 100_000}).encode(), 200),  # deep definition
        (json.dumps({"text": "a:\n" + "  " * 2000 + "b"}).encode(), 200),
        (json.dumps({"text": "x" * (3 * 1024 * 1024)}).encode(), 413),  # past the size cap
        (b'{"text": "' + b"\\ud800" * 1000 + b'"}', 200),  # lone surrogates
        (json.dumps({"text": json.dumps(SURROGATE_NAMES)}).encode(), 200),
    ],
    ids=lambda value: value if isinstance(value, int) else None,
)
def test_routes_with_hostile_bodies(api: _Api, route: str, body: bytes, status: int) -> None:
    found, reply = _post_raw(api, route, body)
    assert found == status, reply
    if found == 200:
        _check_reply(route, reply)
