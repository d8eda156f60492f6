"""Widgets over a mock comm, for the unit tests of notebook/: what a widget sends to the browser
and what the browser sends back, without a kernel or a front-end.

Not a test module; import what you use, and the autouse fixture with it::

    from widget_comm import customs, from_browser, mock_comm  # noqa: F401 - the autouse fixture
"""

from __future__ import annotations

import time
from typing import Any

import comm
import pytest


class MockComm(comm.base_comm.BaseComm):
    """Records what a widget would send to the browser."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.sent: list[tuple[float, str, dict[str, Any]]] = []
        super().__init__(*args, **kwargs)

    def publish_msg(self, msg_type: str, data: Any = None, *args: Any, **keys: Any) -> None:
        self.sent.append((time.monotonic(), msg_type, data or {}))


@pytest.fixture(autouse=True)
def mock_comm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(comm, "create_comm", MockComm)


def messages(widget: Any) -> list[dict[str, Any]]:
    """What a widget sent after opening its comm (trait updates and custom messages)."""
    return [data for _, kind, data in widget.comm.sent if kind == "comm_msg"]


def customs(widget: Any) -> list[dict[str, Any]]:
    """The custom messages a widget sent, in order."""
    return [m["content"] for m in messages(widget) if m.get("method") == "custom"]


def from_browser(widget: Any, content: dict[str, Any]) -> None:
    """A custom message from the front-end, as ``model.send(content)`` delivers it."""
    widget._handle_msg(
        {"content": {"data": {"method": "custom", "content": content}}, "buffers": []}
    )


def wait_for(predicate: Any, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.01)
