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

import json
import logging
import time
from collections.abc import Iterable, Mapping
from typing import Any

import ipywidgets
import traitlets

from sfn_notebook.asl import model as m
from sfn_notebook.notebook.eventquery import query, state_names, tail
from sfn_notebook.notebook.feed import ExecutionFeed
from sfn_notebook.notebook.feedwidget import INTERVAL, _FeedWidget
from sfn_notebook.notebook.protocol import ExportReply
from sfn_notebook.notebook.scope import scope_choices, scoped_nodes
from sfn_notebook.render.dot import palette
from sfn_notebook.render.svg import Graph, RenderError
from sfn_notebook.render.timeline import TimelineRow

log = logging.getLogger(__name__)

#: Seconds after a timeline is made during which each patch repeats every change since its
#: snapshot: its view may render (and start listening) after the first patches went out.
BACKFILL = 1.5
TAIL = 50  # events pushed to the event table per update: its page size


class ExecutionGraph(_FeedWidget):
    """The state machine's graph, nodes coloured by status as the execution runs.

    Click a state to inspect it: each visit and attempt, its data after each processing stage,
    error, variables and function log (:mod:`sfn_notebook.notebook.inspector`; a ``select``
    message still answers with the older summary, :meth:`ExecutionFeed.details`). Map states
    count their iterations (succeeded, failed, running).
    """

    svg = traitlets.Unicode("").tag(sync=True)
    nodes = traitlets.Dict().tag(sync=True)
    status = traitlets.Unicode("").tag(sync=True)
    palette = traitlets.Dict(palette()).tag(sync=True)
    #: ``{"state": "Each", "index": 3}`` colours the graph for that Map iteration (or Parallel
    #: branch) alone; ``{}`` for the whole run. The selector above the graph sets it too.
    scope = traitlets.Dict().tag(sync=True)
    #: The Maps and Parallels a scope can pick (``ScopeChoice``), with their counts so far.
    scopes: traitlets.List[dict[str, Any]] = traitlets.List().tag(sync=True)

    def __init__(self, execution: Any = None, **kwargs: Any) -> None:
        self.execution = execution  # what the JSON button exports (None: a definition alone)
        super().__init__(execution, kind="graph", **kwargs)
        self.observe(lambda _change: self.flush(), names="scope")
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
        nodes = scoped_nodes(self.feed, self.scope) if self._moment is None else dict(self._moment)
        for node, mark in self._marks.items():
            # A paused state shows in progress (where the execution is), its subtitle says why.
            shown = nodes.get(node, {"status": "NOT_REACHED", "counts": None})
            status = "RUNNING" if shown["status"] == "NOT_REACHED" else shown["status"]
            nodes[node] = {**shown, "status": status, "subtitle": mark}

        status = self.feed.header()["status"]
        choices = scope_choices(self.feed)
        with self.hold_sync():
            self.nodes = nodes
            self.status = status
            if choices != self.scopes:
                self.scopes = choices

    def overlay(self, nodes: dict[str, dict[str, Any]] | None, marks: dict[str, str]) -> None:
        """What a debugger panel shows on the graph: the nodes of a past moment (None: live)
        and subtitles marking the paused states."""
        self._moment, self._marks = nodes, dict(marks)
        self.flush()

    def _on_select(self, content: Mapping[str, Any]) -> None:
        self.send(self.feed.details(str(content.get("node", ""))))

    def _on_export(self, _content: Mapping[str, Any]) -> None:
        self.send(export_reply(self.execution, self.feed))


class RetryTimeline(_FeedWidget):
    """A Gantt of state attempts: retries, backoff gaps, Map iterations as collapsible rows; a
    click on a row inspects that visit.

    The rows at construction go in the ``snapshot`` trait (trait updates reach the browser's
    model even before a view exists, and while the kernel is busy); later changes go as
    ``RowsUpdate`` patches. A view that renders after some patches went out would miss them, so
    for :data:`BACKFILL` seconds each patch repeats every change since the snapshot. A view asks
    for a full ``reset`` too (``hello``), answered whenever the kernel is free to read it.
    """

    palette = traitlets.Dict(palette()).tag(sync=True)
    snapshot = traitlets.Dict().tag(sync=True)
    # A debugger's time-travel moment, ms since the start (None: no cursor drawn).
    cursor = traitlets.Float(None, allow_none=True).tag(sync=True)

    def __init__(self, execution: Any = None, **kwargs: Any) -> None:
        self._sent = 0
        self._sent_end: float | None = None
        self._sent_status = ""
        self._base: int | None = None  # the snapshot's version
        self._backfill_until = 0.0
        super().__init__(execution, kind="timeline", **kwargs)

    def _message(self, reset: bool, since: int) -> dict[str, Any]:
        feed = self.feed
        with feed.lock:
            version = feed.refresh()
            return {
                "type": "rows",
                "reset": reset,
                "rows": feed.rows_after(since),
                "end": feed.end_ms(),
                "status": feed.tracker.status,
                "ticking": feed.ticking(),
                "version": version,
            }

    def _update(self) -> None:
        if self._base is None:
            message = self._message(True, 0)
            self._base = self._sent = message["version"]
            self._sent_end, self._sent_status = message["end"], message["status"]
            self._backfill_until = time.monotonic() + BACKFILL
            self.snapshot = message
            return
        backfill = time.monotonic() < self._backfill_until
        message = self._message(False, self._base if backfill else self._sent)
        fresh = message["version"] != self._sent
        self._sent = message["version"]
        end, status, ticking = message["end"], message["status"], message["ticking"]
        # While ticking, ``end`` moves on its own in the browser: no message for that alone.
        news = fresh and bool(message["rows"])
        if not news and status == self._sent_status and (ticking or end == self._sent_end):
            return
        self._sent_end, self._sent_status = end, status
        self.send(message)

    def _on_hello(self, _content: Mapping[str, Any]) -> None:
        self.send(self._message(True, 0))

    @property
    def rows(self) -> list[TimelineRow]:
        """All rows as the browser has them after a reset."""
        with self.feed.lock:
            self.feed.refresh()
            return list(self.feed.rows_after(0))


class EventTable(_FeedWidget):
    """The history events, filtered by type, by state and by search text; click a row to expand
    its JSON details and inspect the state visit it belongs to."""

    total = traitlets.Int(0).tag(sync=True)
    type_counts = traitlets.Dict().tag(sync=True)
    status = traitlets.Unicode("").tag(sync=True)
    #: The state filter's choices (the definition's states, else those entered so far).
    states: traitlets.List[str] = traitlets.List().tag(sync=True)
    #: The events added since the previous update (at most a page; ``EventRow``): a table that
    #: follows the run shows them without asking, so it keeps up while the kernel is busy.
    newest: traitlets.List[dict[str, Any]] = traitlets.List().tag(sync=True)

    def __init__(self, execution: Any = None, **kwargs: Any) -> None:
        self._tail_sent = 0  # the newest event id sent in ``newest``
        super().__init__(execution, kind="events", **kwargs)

    def _update(self) -> None:
        feed = self.feed
        with feed.lock:
            total = len(feed.events)
            counts = dict(sorted(feed.type_counts.items()))
            status = feed.tracker.status if feed.tracker.started is not None else ""
            newest: list[Any] | None = None
            if total > self._tail_sent:
                total, newest = tail(feed, self._tail_sent, TAIL)
                self._tail_sent = total
        states = state_names(feed)
        with self.hold_sync():  # one message: the counts and the events they count
            self.total = total
            self.type_counts = counts
            self.status = status
            if states != self.states:
                self.states = states
            if newest is not None:
                self.newest = newest

    def _on_page(self, content: Mapping[str, Any]) -> None:
        types = content.get("types")
        found = query(
            self.feed,
            int(content.get("offset", 0)),
            int(content.get("limit", 50)),
            types=[str(t) for t in types] if isinstance(types, list) else None,
            state=str(content.get("state") or "") or None,
            text=str(content.get("text") or ""),
            follow=bool(content.get("follow")),
            full=bool(content.get("full")),
        )
        self.send(
            {
                "type": "page",
                "request": int(content.get("request", 0)),
                "offset": found.offset,
                "total": found.total,
                "rows": found.rows,
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


def export_reply(execution: Any, feed: ExecutionFeed) -> ExportReply:
    """The JSON button's answer: the execution's export, or the events the feed was given, or
    (a graph of a definition alone) the definition."""
    from sfn_notebook.render.export import execution_json, export_filename

    if execution is not None:
        filename, text = export_filename(execution), execution_json(execution)
        return {"type": "export", "filename": filename, "json": text}
    with feed.lock:
        events = list(feed.events)
    if events:
        return {"type": "export", "filename": export_filename(feed), "json": execution_json(events)}
    raw = getattr(feed.definition, "raw", None)
    text = json.dumps(raw, indent=2, ensure_ascii=False) + "\n" if raw is not None else "{}\n"
    filename = export_filename(feed).removesuffix(".json") + ".asl.json"
    return {"type": "export", "filename": filename, "json": text}


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
        self.interval = interval
        self.header = ExecutionHeader(feed=feed, interval=interval)
        self.graph = ExecutionGraph(execution, feed=feed, interval=interval)
        self.timeline = RetryTimeline(feed=feed, interval=interval)
        self.events = EventTable(feed=feed, interval=interval)
        parts: list[_FeedWidget] = [self.header, self.timeline, self.events]
        if feed.definition is not None:
            parts.insert(1, self.graph)
        # A Distributed Map's map runs: progress, failures, children (notebook/mapruns.py).
        from sfn_notebook.notebook.mapruns import MapRunPanel, has_map_runs

        self.map_runs: MapRunPanel | None = None
        shown: list[Any] = list(parts)
        if has_map_runs(feed):
            self.map_runs = MapRunPanel(execution, feed=feed, interval=interval)
            self.child_output = ipywidgets.Output()  # a clicked failed child's own view
            self.map_runs.opener = self._open_child
            at = shown.index(self.timeline)
            shown[at:at] = [self.map_runs, self.child_output]
        # An execution started with breakpoints: Step / Continue / Stop, time travel.
        self.debugger = None
        if getattr(execution, "debugger", None) is not None:
            from sfn_notebook.notebook.debugger import DebugPanel

            self.debugger = DebugPanel(execution, feed=feed, interval=interval)
            self.debugger.overlay = self._travel
            self.debugger.flush()
            shown.insert(2 if feed.definition is not None else 1, self.debugger)
        self._parts = [
            self.header, self.graph, self.timeline, self.events, self.map_runs, self.debugger
        ]  # fmt: skip
        super().__init__(children=shown, **kwargs)
        self.add_class("sfn-execution-view")

    def _travel(
        self, nodes: dict[str, dict[str, Any]] | None, marks: dict[str, str], at: float | None
    ) -> None:
        """The debugger's moment on the graph (colours, paused marks) and timeline (cursor)."""
        self.graph.overlay(nodes, marks)
        self.timeline.cursor = at

    def _open_child(self, parts: dict[str, Any] | None) -> None:
        """Show a clicked failed child's own view under the map-run panel."""
        if parts is None:
            return
        from IPython.display import display

        self.child_output.clear_output()
        with self.child_output:
            display(ExecutionView(**parts, interval=self.interval))  # type: ignore[no-untyped-call]

    def flush(self) -> None:
        for part in self._parts:
            if part is not None:
                part.flush()

    def close(self) -> None:
        for part in self._parts:
            if part is not None:
                part.close()
        super().close()
