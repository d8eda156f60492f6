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
from collections.abc import Iterable, Mapping
from typing import Any

import ipywidgets
import traitlets

from sfn_notebook.asl import model as m
from sfn_notebook.notebook.feed import ExecutionFeed
from sfn_notebook.notebook.feedwidget import INTERVAL, _FeedWidget
from sfn_notebook.notebook.protocol import ExportReply
from sfn_notebook.render.dot import palette
from sfn_notebook.render.svg import Graph, RenderError
from sfn_notebook.render.timeline import TimelineRow

log = logging.getLogger(__name__)


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

    def __init__(self, execution: Any = None, **kwargs: Any) -> None:
        self.execution = execution  # what the JSON button exports (None: a definition alone)
        super().__init__(execution, kind="graph", **kwargs)
        definition = self.feed.definition
        if definition is not None:
            try:
                self.svg = Graph(definition, title=self.feed.name, reserve=True).svg()
            except RenderError as exc:
                self.svg = ""
                log.warning("%s", exc)

    def _update(self) -> None:
        nodes = self.feed.nodes()
        status = self.feed.header()["status"]
        with self.hold_sync():
            self.nodes = nodes
            self.status = status

    def _on_select(self, content: Mapping[str, Any]) -> None:
        self.send(self.feed.details(str(content.get("node", ""))))

    def _on_export(self, _content: Mapping[str, Any]) -> None:
        self.send(export_reply(self.execution, self.feed))


class RetryTimeline(_FeedWidget):
    """A Gantt of state attempts: retries, backoff gaps, Map iterations as collapsible rows; a
    click on a row inspects that visit."""

    palette = traitlets.Dict(palette()).tag(sync=True)

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
    """The history events with a type filter; click a row to expand its JSON details and inspect
    the state visit it belongs to."""

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
        self._parts = [self.header, self.graph, self.timeline, self.events, self.map_runs]
        super().__init__(children=shown, **kwargs)
        self.add_class("sfn-execution-view")

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
