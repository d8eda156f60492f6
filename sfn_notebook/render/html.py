"""The static picture of an execution: header, coloured graph, timeline and a compact event table.

This is what nbconvert, GitHub and consoles without a widget front-end show for an ``Execution``
(the ``text/html`` and ``image/svg+xml`` parts of its display). Everything that came from a user —
state names, payloads, error texts — goes through :func:`html.escape` or the DOT escaping.

>>> import sfn_notebook as sfn
>>> ex = sfn.run({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
>>> report = ExecutionReport(ex.history, name="demo")
>>> report.header["status"], report.header["done"], report.header["total"]
('SUCCEEDED', 1, 1)
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, TypedDict

from sfn_notebook.asl import model as m
from sfn_notebook.render.attempts import (
    RUNNING,
    AttemptTracker,
    StateVisit,
)
from sfn_notebook.render.dot import STATUS_COLOURS, graph_statuses, map_counts, normalise_status
from sfn_notebook.render.svg import Graph, RenderError
from sfn_notebook.render.timeline import format_ms, timeline_rows, timeline_svg


class Header(TypedDict):
    """The execution's headline (``Header`` in widgets/src/protocol.ts)."""

    name: str
    status: str
    duration: float | None  # ms from ExecutionStarted to the last event (or now, if ticking)
    done: int  # states whose visits have all finished
    total: int  # states in the definition (or seen so far, without one)
    events: int
    ticking: bool  # running on the real clock: the front-end may advance the duration itself


def progress(header: Header) -> str:
    """How far the states got: ``2 / 4 states done`` while running; once the execution has
    ended, states it never reached were not taken (``2 states run, 2 not taken``).

    >>> h = {"status": "SUCCEEDED", "done": 2, "total": 4}
    >>> progress(h), progress({**h, "status": "RUNNING"}), progress({**h, "done": 4})
    ('2 states run, 2 not taken', '2 / 4 states done', '4 states run')
    """
    done, total = header["done"], header["total"]
    if header["status"] in ("RUNNING", "NOT_STARTED", "PENDING_REDRIVE"):
        return f"{done} / {total} states done"
    run = f"{done} state{'' if done == 1 else 's'} run"
    return f"{run}, {total - done} not taken" if total > done else run


def header_of(tracker: AttemptTracker, visits: Sequence[StateVisit], name: str = "") -> Header:
    """The headline numbers from a tracker and its visits."""
    states: dict[str, bool] = {}
    for visit in visits:
        key = visit.pointer or visit.name
        states[key] = states.get(key, True) and visit.status != RUNNING
    total = len(tracker.definition.walk()) if tracker.definition is not None else len(states)
    duration = None
    if tracker.started is not None:
        end = tracker.ended or tracker.last_timestamp or tracker.started
        duration = round((end - tracker.started).total_seconds() * 1000, 3)
    return {
        "name": name,
        "status": tracker.status if tracker.started is not None else "NOT_STARTED",
        "duration": duration,
        "done": sum(states.values()),
        "total": total,
        "events": tracker.event_count,
        "ticking": False,
    }


def event_summary(event: Mapping[str, Any]) -> str:
    """The one detail worth a glance: a state name, an error, a resource, an index.

    >>> event_summary({"type": "TaskFailed", "taskFailedEventDetails": {"error": "E"}})
    'E'
    """
    details = next((v for k, v in event.items() if k.endswith("EventDetails")), None)
    if not isinstance(details, Mapping):
        return ""
    for key in ("name", "error", "resource"):
        if details.get(key):
            text = str(details[key])
            if key == "name" and "index" in details:
                text += f" #{details['index']}"
            return text
    if "length" in details:
        return f"{details['length']} items"
    return ""


def event_time(event: Mapping[str, Any], start: datetime | None) -> str:
    """An event's time as an offset from the start (``+1.5 s``), or ISO text without a start."""
    stamp = event.get("timestamp")
    if isinstance(stamp, datetime) and start is not None:
        return "+" + format_ms(round((stamp - start).total_seconds() * 1000, 3))
    return str(stamp)


class ExecutionReport:
    """Everything the static display needs, computed once from the events.

    ``events`` are GetExecutionHistory events; ``definition`` (optional) gives the graph and
    the states' pointers.
    """

    def __init__(
        self,
        events: Sequence[Mapping[str, Any]],
        definition: m.Definition | None = None,
        *,
        name: str = "",
    ) -> None:
        tracker = AttemptTracker(definition)
        for event in events:
            tracker.add(event)
        self.events = events
        self.definition = definition
        self.tracker = tracker
        self.visits = tracker.visits()
        self.rows = timeline_rows(self.visits, tracker.started)
        self.statuses = graph_statuses(self.visits)
        self.counts = map_counts(self.visits)
        self.header = header_of(tracker, self.visits, name)

    def graph(self) -> Graph | None:
        if self.definition is None:
            return None
        return Graph(self.definition, self.statuses, counts=self.counts, title=self.header["name"])

    def graph_svg(self) -> str | None:
        graph = self.graph()
        if graph is None:
            return None
        try:
            return graph.svg()
        except RenderError:
            return None

    def timeline_svg(self) -> str:
        return timeline_svg(self.rows, self.header["duration"])

    def text(self) -> str:
        h = self.header
        duration = format_ms(h["duration"]) if h["duration"] is not None else "-"
        return (
            f"<Execution {h['name']} {h['status']} in {duration}: "
            f"{progress(h)}, {h['events']} events>"
        )

    def html(self, max_events: int = 60, svg: str | None = None) -> str:
        """The whole static view as one HTML fragment (inline SVG, no scripts, no CDN)."""
        h = self.header
        colour = STATUS_COLOURS[normalise_status(h["status"])][1]
        duration = format_ms(h["duration"]) if h["duration"] is not None else "-"
        parts = [
            '<div class="sfn-execution" style="font-family:Helvetica,Arial,sans-serif;'
            'font-size:12px">',
            '<div class="sfn-header" style="display:flex;gap:14px;align-items:baseline;'
            'margin:4px 0 8px">',
            f"<strong>{html.escape(h['name'])}</strong>",
            f'<span style="color:{colour};font-weight:bold">{html.escape(h["status"])}</span>',
            f"<span>{html.escape(duration)}</span>",
            f"<span>{html.escape(progress(h))}</span>",
            f"<span>{h['events']} events</span>",
            "</div>",
        ]
        graph = svg if svg is not None else self.graph_svg()
        if graph is not None:
            parts.append(f'<div class="sfn-graph">{graph}</div>')
        if self.rows:
            parts.append(f'<div class="sfn-timeline">{self.timeline_svg()}</div>')
        parts.append(self.events_html(max_events))
        parts.append("</div>")
        return "".join(parts)

    def events_html(self, max_events: int = 60) -> str:
        """A compact event table: the first and last events when there are many."""
        events = list(self.events)
        start = self.tracker.started
        if len(events) > max_events:
            half = max_events // 2
            shown: list[Mapping[str, Any] | None] = [*events[:half], None, *events[-half:]]
        else:
            shown = list(events)
        rows = []
        for event in shown:
            if event is None:
                rows.append(
                    f'<tr><td colspan="4" style="color:#5f6b7a">… '
                    f"{len(events) - 2 * (max_events // 2)} more events</td></tr>"
                )
                continue
            details = next((v for k, v in event.items() if k.endswith("EventDetails")), None)
            title = html.escape(_short_json(details), quote=True) if details else ""
            rows.append(
                f'<tr title="{title}"><td>{int(event["id"])}</td>'
                f"<td>{html.escape(event_time(event, start))}</td>"
                f"<td>{html.escape(str(event['type']))}</td>"
                f"<td>{html.escape(event_summary(event))}</td></tr>"
            )
        return (
            '<table class="sfn-events" style="border-collapse:collapse;font-size:11px">'
            "<thead><tr><th>id</th><th>time</th><th>type</th><th>detail</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
        )


def _short_json(value: Any, limit: int = 400) -> str:
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"
