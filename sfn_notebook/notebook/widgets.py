"""Live widgets for executions: ExecutionGraph, RetryTimeline, EventTable and ExecutionView.

They are anywidget widgets whose front-end (``widgets/src/*.ts``, built into
``static/widgets.js``) ships in the package, so they work offline in JupyterLab 4, Notebook 7 and
VS Code. Each follows its execution's history from whatever thread the runtime runs on, through
a shared :class:`~sfn_notebook.notebook.feed.ExecutionFeed`, and sends at most one message per
``interval`` seconds. Finished executions work the same way: the feed simply has all the events.

>>> import sfn_notebook as sfn
>>> ex = sfn.run({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
>>> ExecutionGraph(ex, definition=sfn.parse(
...     {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})).nodes
{'/States/A': {'status': 'SUCCEEDED', 'counts': None, 'subtitle': None}}
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import anywidget
import ipywidgets
import traitlets

from sfn_notebook.asl import model as m
from sfn_notebook.notebook.feed import ExecutionFeed, Throttle
from sfn_notebook.render.dot import palette
from sfn_notebook.render.svg import Graph, RenderError
from sfn_notebook.render.timeline import TimelineRow

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

    def close(self) -> None:
        self._throttle.cancel()
        super().close()


class ExecutionGraph(_FeedWidget):
    """The state machine's graph, nodes coloured by status as the execution runs.

    Click a state to see its definition, input, output, error and attempts; Map states count
    their iterations (succeeded, failed, running).
    """

    svg = traitlets.Unicode("").tag(sync=True)
    nodes = traitlets.Dict().tag(sync=True)
    status = traitlets.Unicode("").tag(sync=True)
    palette = traitlets.Dict(palette()).tag(sync=True)

    def __init__(self, execution: Any = None, **kwargs: Any) -> None:
        super().__init__(execution, kind="graph", **kwargs)
        definition = self.feed.definition
        if definition is not None:
            try:
                self.svg = Graph(definition, title=self.feed.name, reserve=True).svg()
            except RenderError as exc:
                self.svg = ""
                log.warning("%s", exc)

    _moment: dict[str, dict[str, Any]] | None = None  # a debugger's time travel, while on
    _marks: dict[str, str] = {}  # node id -> subtitle: the debugger's paused states

    def _update(self) -> None:
        nodes = self.feed.nodes() if self._moment is None else dict(self._moment)
        for node, mark in self._marks.items():
            # A paused state shows in progress (where the execution is), its subtitle says why.
            shown = nodes.get(node, {"status": "NOT_REACHED", "counts": None})
            status = "RUNNING" if shown["status"] == "NOT_REACHED" else shown["status"]
            nodes[node] = {**shown, "status": status, "subtitle": mark}

        status = self.feed.header()["status"]
        with self.hold_sync():
            self.nodes = nodes
            self.status = status

    def overlay(self, nodes: dict[str, dict[str, Any]] | None, marks: dict[str, str]) -> None:
        """What a debugger panel shows on the graph: the nodes of a past moment (None: live)
        and subtitles marking the paused states."""
        self._moment, self._marks = nodes, dict(marks)
        self.flush()

    def _on_select(self, content: Mapping[str, Any]) -> None:
        self.send(self.feed.details(str(content.get("node", ""))))


class RetryTimeline(_FeedWidget):
    """A Gantt of state attempts: retries, backoff gaps, Map iterations as collapsible rows."""

    palette = traitlets.Dict(palette()).tag(sync=True)
    # A debugger's time-travel moment, ms since the start (None: no cursor drawn).
    cursor = traitlets.Float(None, allow_none=True).tag(sync=True)

    def __init__(self, execution: Any = None, **kwargs: Any) -> None:
        self._sent = 0
        self._sent_end: float | None = None
        self._sent_status = ""
        super().__init__(execution, kind="timeline", **kwargs)

    def _update(self) -> None:
        feed = self.feed
        with feed.lock:
            version = feed.refresh()
            rows = feed.rows_after(self._sent)
            self._sent = version
            end = feed.end_ms()
            status = feed.tracker.status
            ticking = feed.ticking()
        # While ticking, ``end`` moves on its own in the browser: no message for that alone.
        if not rows and status == self._sent_status and (ticking or end == self._sent_end):
            return
        self._sent_end, self._sent_status = end, status
        self.send(
            {
                "type": "rows",
                "reset": False,
                "rows": rows,
                "end": end,
                "status": status,
                "ticking": ticking,
            }
        )

    def _on_hello(self, _content: Mapping[str, Any]) -> None:
        feed = self.feed
        with feed.lock:
            feed.refresh()
            rows = feed.rows_after(0)
            end = feed.end_ms()
            status = feed.tracker.status
            ticking = feed.ticking()
        self.send(
            {
                "type": "rows",
                "reset": True,
                "rows": rows,
                "end": end,
                "status": status,
                "ticking": ticking,
            }
        )

    @property
    def rows(self) -> list[TimelineRow]:
        """All rows as the browser has them after a reset."""
        with self.feed.lock:
            self.feed.refresh()
            return list(self.feed.rows_after(0))


class EventTable(_FeedWidget):
    """The history events with a type filter; click a row to expand its JSON details."""

    total = traitlets.Int(0).tag(sync=True)
    type_counts = traitlets.Dict().tag(sync=True)
    status = traitlets.Unicode("").tag(sync=True)

    def __init__(self, execution: Any = None, **kwargs: Any) -> None:
        super().__init__(execution, kind="events", **kwargs)

    def _update(self) -> None:
        feed = self.feed
        with feed.lock:
            total = len(feed.events)
            counts = dict(sorted(feed.type_counts.items()))
            status = feed.tracker.status if feed.tracker.started is not None else ""
        with self.hold_sync():
            self.total = total
            self.type_counts = counts
            self.status = status

    def _on_page(self, content: Mapping[str, Any]) -> None:
        types = content.get("types")
        total, rows = self.feed.page(
            int(content.get("offset", 0)),
            int(content.get("limit", 50)),
            [str(t) for t in types] if isinstance(types, list) else None,
        )
        self.send(
            {
                "type": "page",
                "request": int(content.get("request", 0)),
                "offset": int(content.get("offset", 0)),
                "total": total,
                "rows": rows,
            }
        )


class ExecutionHeader(_FeedWidget):
    """Name, status, duration and states done / total."""

    header = traitlets.Dict().tag(sync=True)
    palette = traitlets.Dict(palette()).tag(sync=True)

    def __init__(self, execution: Any = None, **kwargs: Any) -> None:
        super().__init__(execution, kind="header", **kwargs)

    def _update(self) -> None:
        header = dict(self.feed.header())
        if header["ticking"] and self.header.get("ticking") and _same_but_time(header, self.header):
            return  # the browser advances a ticking duration itself
        self.header = header


def _same_but_time(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return {k: v for k, v in a.items() if k != "duration"} == {
        k: v for k, v in b.items() if k != "duration"
    }


class ExecutionView(ipywidgets.VBox):  # type: ignore[misc]  # ipywidgets is untyped
    """Header, graph, retry timeline and event table of one execution, updating live.

    >>> import sfn_notebook as sfn
    >>> view = ExecutionView(sfn.run({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}))
    >>> view.header.header["status"]
    'SUCCEEDED'
    """

    def __init__(
        self,
        execution: Any = None,
        *,
        definition: m.Definition | None = None,
        events: Iterable[Mapping[str, Any]] | None = None,
        name: str | None = None,
        interval: float = INTERVAL,
        **kwargs: Any,
    ) -> None:
        feed = ExecutionFeed.of(execution, definition=definition, events=events, name=name)
        self.feed = feed
        self.header = ExecutionHeader(feed=feed, interval=interval)
        self.graph = ExecutionGraph(feed=feed, interval=interval)
        self.timeline = RetryTimeline(feed=feed, interval=interval)
        self.events = EventTable(feed=feed, interval=interval)
        parts = [self.header, self.timeline, self.events]
        if feed.definition is not None:
            parts.insert(1, self.graph)
        self.debugger = None
        if getattr(execution, "debugger", None) is not None:  # started with breakpoints
            from sfn_notebook.notebook.debugger import DebugPanel

            self.debugger = DebugPanel(execution, feed=feed, interval=interval)
            self.debugger.overlay = self._travel
            self.debugger.flush()
            parts.insert(2 if feed.definition is not None else 1, self.debugger)
        super().__init__(children=parts, **kwargs)
        self.add_class("sfn-execution-view")

    def _travel(
        self, nodes: dict[str, dict[str, Any]] | None, marks: dict[str, str], at: float | None
    ) -> None:
        """The debugger's moment on the graph (colours, paused marks) and timeline (cursor)."""
        self.graph.overlay(nodes, marks)
        self.timeline.cursor = at

    def _parts(self) -> list[Any]:
        parts = [self.header, self.graph, self.timeline, self.events]
        return parts if self.debugger is None else [*parts, self.debugger]

    def flush(self) -> None:
        for part in self._parts():
            part.flush()

    def close(self) -> None:
        for part in self._parts():
            part.close()
        super().close()
