"""The base of every execution widget: one feed, throttled flushes, messages from the browser.

:mod:`sfn_notebook.notebook.widgets` and :mod:`sfn_notebook.notebook.mapruns` build on it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from sfn_notebook.asl import model as m
from sfn_notebook.notebook.feed import ExecutionFeed, Throttle

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
INTERVAL = 0.1  # seconds between two messages of one widget: at most 10 a second


class _FeedWidget(anywidget.AnyWidget):
    """A widget drawing one execution's feed; subclasses say what a flush sends."""

    _esm = STATIC / "widgets.js"
    _css = STATIC / "widgets.css"
    kind = traitlets.Unicode("").tag(sync=True)

    def __init__(
        self,
        execution: Any = None,
        *,
        definition: m.Definition | None = None,
        events: Iterable[Mapping[str, Any]] | None = None,
        name: str | None = None,
        feed: ExecutionFeed | None = None,
        interval: float = INTERVAL,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.feed = feed or ExecutionFeed.of(
            execution, definition=definition, events=events, name=name
        )
        self._flush_lock = threading.Lock()
        self._throttle = Throttle(self.flush, interval)
        self.on_msg(self._on_message)
        self.flush()
        self.feed.subscribe(self._throttle)

    def flush(self) -> None:
        """Send what changed since the last flush (the throttle calls this; tests may too)."""
        with self._flush_lock:
            try:
                self._update()
            except Exception:
                # A flush runs on a timer thread: a bug must not kill it silently or loudly.
                log.exception("sfn-notebook widget update failed")

    def _update(self) -> None:
        raise NotImplementedError

    def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        handler = getattr(self, f"_on_{content.get('type')}", None)
        if handler is not None:
            handler(content)

    def _on_inspect(self, content: Mapping[str, Any]) -> None:
        """A click on a state, row or event: the state inspector's reply (notebook/inspector.py)."""
        from sfn_notebook.notebook.inspector import inspection_reply

        self.send(inspection_reply(self.feed, content))

    def close(self) -> None:
        self._throttle.cancel()
        super().close()
