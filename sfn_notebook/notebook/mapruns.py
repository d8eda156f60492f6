"""The live view of a Distributed Map's map runs: items by status, progress, failures, children.

:class:`MapRunPanel` is one more widget of an :class:`~sfn_notebook.notebook.widgets.ExecutionView`
(kind ``maprun``). A map run's children run in executions of their own, so the parent's history
says little while they progress: the panel reads the map runs themselves -- a local execution's
``History.map_run_records`` (:class:`~sfn_notebook.engine.maprun.MapRun`, also after a store
reopen), or DescribeMapRun and ListExecutions for one on AWS -- and, while one runs, looks again
every ``interval`` seconds. Each look sends at most one small trait update: counts and the latest
:data:`FAILURES_SHOWN` failures, never the children themselves. A click on a failure (or a child
asked for by its index) answers with that child's details and the line that opens it: ``%sfn
attach <arn>`` for a child on AWS, the map-items frame's row for a local one (whose events are not
kept, as AWS keeps a child's events in the child).

>>> import sfn_notebook as sfn
>>> flow = {"StartAt": "M", "States": {"M": {"Type": "Map", "End": True,
...     "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
...         "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}}}
>>> panel = MapRunPanel(sfn.run(flow, [1, 2, 3]))
>>> [(run["label"], run["status"], run["items"]["succeeded"]) for run in panel.runs]
[('M', 'SUCCEEDED', 3)]
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

import traitlets

from sfn_notebook.asl.parse import parse
from sfn_notebook.engine.history import dumps
from sfn_notebook.engine.maprun import COUNT_KEYS
from sfn_notebook.errors import SfnNotebookError
from sfn_notebook.notebook.feed import ExecutionFeed, _clip, _pretty
from sfn_notebook.notebook.feedwidget import INTERVAL, _FeedWidget
from sfn_notebook.notebook.protocol import ChildReply, MapFailure, MapRunState
from sfn_notebook.render.dot import palette

log = logging.getLogger(__name__)

FAILURES_SHOWN = 20  # failures listed per map run (the latest); the rest are counted
CAUSE_LIMIT = 2_000  # characters of a cause in the list (a click shows more)
LOOK_INTERVAL = 0.25  # seconds between two looks at a running local map run, at least
REMOTE_INTERVAL = 2.0  # seconds between two DescribeMapRun calls for one map run on AWS
_ITEM_KEYS = ("pending", "running", "succeeded", "failed", "timedOut", "aborted", "total")


class MapRunPanel(_FeedWidget):
    """The map runs of one execution, live: a progress bar, items by status, failures."""

    runs: Any = traitlets.List().tag(sync=True)
    palette = traitlets.Dict(palette()).tag(sync=True)

    def __init__(self, execution: Any = None, **kwargs: Any) -> None:
        self._execution = execution
        # Called with a clicked failed child's child_view() (ExecutionView opens it below).
        self.opener: Any = None
        self._remote: dict[str, tuple[float, MapRunState]] = {}
        self._again: threading.Timer | None = None
        self._again_lock = threading.Lock()
        self._interval = float(kwargs.get("interval", INTERVAL))
        self._pause = max(self._interval, LOOK_INTERVAL)
        super().__init__(execution, kind="maprun", **kwargs)

    # What the panel shows ----------------------------------------------------------------------

    def _update(self) -> None:
        started = time.perf_counter()
        runs = self.summaries()
        # A look at 100,000 children costs tens of ms: look again no sooner than ten times that,
        # so a panel never takes more than a tenth of a core from the run it watches.
        self._pause = max(self._interval, LOOK_INTERVAL, 10 * (time.perf_counter() - started))
        if runs != self.runs:
            self.runs = runs
        if any(run["status"] == "RUNNING" for run in runs):
            self._look_again()

    def summaries(self) -> list[MapRunState]:
        """Every map run of the execution, oldest first, as the browser draws it."""
        records = _records(self.feed)
        if records is not None:
            return [_local_state(run, self._labels()) for run in list(records.values())]
        client = _client(self._execution)
        if client is None:
            return []
        return [self._remote_state(client, arn, label) for arn, label in self._started()]

    def _labels(self) -> dict[str, str]:
        return dict(self._started())

    def _started(self) -> list[tuple[str, str]]:
        """(map run ARN, the Map state's name) from the parent's ``MapRunStarted`` events."""
        feed = self.feed
        with feed.lock:
            events = list(feed.events)
        found = []
        for event in events:
            if event["type"] == "MapRunStarted":
                details = event.get("mapRunStartedEventDetails") or {}
                name = _state_of(event, events)
                found.append((str(details.get("mapRunArn", "")), name))
        return found

    def _remote_state(self, client: Any, arn: str, label: str) -> MapRunState:
        cached = self._remote.get(arn)
        if cached is not None and (
            cached[1]["status"] != "RUNNING" or time.monotonic() - cached[0] < REMOTE_INTERVAL
        ):
            return cached[1]
        try:
            described = client.describe_map_run(mapRunArn=arn)
        except Exception as exc:  # the panel says so; the rest of the view goes on
            log.warning("DescribeMapRun %s: %s", arn, exc)
            described = {"status": "RUNNING" if cached is None else cached[1]["status"]}
        counts = described.get("itemCounts") or {}
        try:
            listed = client.list_executions(
                mapRunArn=arn, statusFilter="FAILED", maxResults=FAILURES_SHOWN
            ).get("executions", [])
        except Exception as exc:  # moto 5 answers ListExecutions by map run with a 500
            log.info("ListExecutions of map run %s: %s", arn, exc)
            listed = []
        failures: list[MapFailure] = [
            {
                "index": -1,
                "name": str(item["executionArn"]),
                "status": "FAILED",
                "error": None,
                "cause": None,
            }
            for item in listed
        ]
        state: MapRunState = {
            "arn": arn,
            "label": label,
            "status": str(described.get("status", "RUNNING")),
            "items": {key: int(counts.get(key, 0)) for key in _ITEM_KEYS},
            "children": int((described.get("executionCounts") or {}).get("total", 0)),
            "failures": failures,
            "more_failures": max(0, int(counts.get("failed", 0)) - len(failures)),
            "remote": True,
        }
        self._remote[arn] = (time.monotonic(), state)
        return state

    def _look_again(self) -> None:
        """Children progress without parent events: look again after ``interval`` seconds."""
        with self._again_lock:
            if self._again is not None:
                return
            self._again = threading.Timer(self._pause, self._again_due)
            self._again.daemon = True
            self._again.start()

    def _again_due(self) -> None:
        with self._again_lock:
            self._again = None
        self._throttle.poke()

    # A click: one child ------------------------------------------------------------------------

    def _on_child(self, content: Mapping[str, Any]) -> None:
        self.send(self.child(str(content.get("map_run", "")), content.get("index"), content))

    def child(
        self, map_run: str, index: Any, content: Mapping[str, Any] | None = None
    ) -> ChildReply:
        """The details of the child execution ``index`` of ``map_run`` (or ``name`` on AWS)."""
        records = _records(self.feed)
        name = str((content or {}).get("name") or "")
        if records is None:
            return self._remote_child(map_run, name)
        run = records.get(map_run)
        found = None
        if run is not None and isinstance(index, int):
            found = next((c for c in list(run.children) if c.index == index), None)
        if found is None:
            return _reply(
                map_run, index if isinstance(index, int) else -1, None, problem="no such child"
            )
        prefix = map_run.replace(":mapRun:", ":execution:", 1)
        arn = f"{prefix}:{found.name}"
        output = None if found.output is None else _clip(_pretty(found.output))
        opened = found.events is not None and self.opener is not None
        reply = _reply(
            map_run,
            found.index,
            arn,
            status=found.status,
            start=_iso(found.start),
            stop=_iso(found.stop),
            error=found.error,
            cause=_clip(found.cause),
            output=output,
            items=found.item_count,
            open=None
            if opened
            else f'sfn.analysis.map_items_frame(ex).query("index == {found.index}")',
            opened=opened,
        )
        if opened and self.opener is not None:
            self.opener(self.child_view(map_run, found))
        return reply

    def child_view(self, map_run: str, child: Any) -> dict[str, Any] | None:
        """What an ExecutionView of a failed local child whose events were kept is made of
        (``events``, ``definition``, ``name``); None for other children."""
        if child.events is None:
            return None
        definition = _processor(self.feed.definition, _label_of(map_run))
        prefix = map_run.replace(":mapRun:", ":execution:", 1).rsplit(":", 1)[0]
        name = f"{prefix.rsplit(':', 1)[-1]}:{child.name} (item {child.index})"
        return {"events": _framed(child), "definition": definition, "name": name}

    def _remote_child(self, map_run: str, name: str) -> ChildReply:
        client = _client(self._execution)
        if client is None or not name:
            return _reply(map_run, -1, None, problem="no such child")
        try:
            described = client.describe_execution(executionArn=name)
        except SfnNotebookError as exc:  # the AWS backend's errors name the call and the fix
            return _reply(map_run, -1, name, problem=str(exc))
        return _reply(
            map_run,
            -1,
            name,
            status=str(described.get("status", "")),
            start=_iso(described.get("startDate")),
            stop=_iso(described.get("stopDate")),
            error=described.get("error"),
            cause=_clip(described.get("cause")),
            output=_clip(described.get("output")),
            open=f"%sfn attach {name}",
        )

    def close(self) -> None:
        with self._again_lock:
            if self._again is not None:
                self._again.cancel()
                self._again = None
        super().close()


def has_map_runs(feed: ExecutionFeed) -> bool:
    """Whether an execution view needs a map-run panel: a Distributed Map in its definition or
    a map run in its history."""
    definition = feed.definition
    if definition is not None:
        for state in definition.walk():
            if getattr(state, "mode", None) == "DISTRIBUTED":
                return True
    return feed.type_counts.get("MapRunStarted", 0) > 0


def _records(feed: ExecutionFeed) -> Mapping[str, Any] | None:
    history = getattr(feed, "history", None)
    records = getattr(history, "map_run_records", None)
    return records if isinstance(records, Mapping) else None


def _client(execution: Any) -> Any:
    aws = getattr(execution, "aws", None)
    return aws if hasattr(aws, "describe_map_run") else None


def _local_state(run: Any, labels: Mapping[str, str]) -> MapRunState:
    items = dict.fromkeys(_ITEM_KEYS, 0)
    children = list(run.children)
    failed = []
    started = 0
    for child in children:  # one pass: DescribeMapRun's itemCounts, and the failures
        key = COUNT_KEYS.get(child.status, "running")
        items[key] += child.item_count
        started += child.item_count
        if key in ("failed", "timedOut"):
            failed.append(child)
    if run.total_items is not None and run.total_items > started:
        items["pending"] = run.total_items - started
    items["total"] = sum(items[k] for k in _ITEM_KEYS if k != "total")
    shown = failed[-FAILURES_SHOWN:]
    prefix = run.arn.replace(":mapRun:", ":execution:", 1)
    return {
        "arn": run.arn,
        "label": labels.get(run.arn) or _label_of(run.arn),
        "status": run.status,
        "items": items,
        "children": len(children),
        "failures": [
            {
                "index": c.index,
                "name": f"{prefix}:{c.name}",
                "status": c.status,
                "error": c.error,
                "cause": _short_cause(c.cause),
            }
            for c in reversed(shown)
        ],
        "more_failures": len(failed) - len(shown),
        "remote": False,
    }


def _framed(child: Any) -> list[dict[str, Any]]:
    """A failed child's kept state events between the ``ExecutionStarted`` and
    ``ExecutionFailed`` AWS's history of the child has (ids shifted by one for the start)."""
    started: dict[str, Any] = {
        "id": 1,
        "previousEventId": 0,
        "timestamp": child.start,
        "type": "ExecutionStarted",
        "executionStartedEventDetails": {
            "input": dumps(child.input),
            "inputDetails": {"truncated": False},
        },
    }
    events: list[dict[str, Any]] = [started]
    for event in child.events:
        shifted = dict(event)
        shifted["id"] = int(event["id"]) + 1
        shifted["previousEventId"] = int(event.get("previousEventId") or 0) + 1
        events.append(shifted)
    failed: dict[str, Any] = {"error": child.error or ""}
    if child.cause is not None:
        failed["cause"] = child.cause
    events.append(
        {
            "id": len(events) + 1,
            "previousEventId": len(events),
            "timestamp": child.stop or child.start,
            "type": "ExecutionFailed",
            "executionFailedEventDetails": failed,
        }
    )
    return events


def _processor(definition: Any, label: str) -> Any:
    """The ItemProcessor of the Distributed Map whose Label (or name) is ``label``."""
    if definition is None:
        return None
    for state in definition.walk():
        if getattr(state, "mode", None) == "DISTRIBUTED" and label in (
            getattr(state, "label", None),
            state.name,
        ):
            raw = state.raw.get("ItemProcessor") or state.raw.get("Iterator") or {}
            document = {k: v for k, v in raw.items() if k != "ProcessorConfig"}
            language = state.raw.get("QueryLanguage") or definition.query_language
            document.setdefault("QueryLanguage", language)
            try:  # the child's own machine: its graph uses the child's state names
                return parse(document)
            except SfnNotebookError:
                return None
    return None


def _short_cause(cause: str | None) -> str | None:
    """A cause for the failures list: a Lambda-shaped one's ``errorMessage`` (the child's
    details show it whole), else the cause itself, clipped."""
    if cause is None:
        return None
    if cause.startswith("{"):
        try:
            message = json.loads(cause).get("errorMessage")
        except (ValueError, AttributeError):
            message = None
        if isinstance(message, str):
            return message[:CAUSE_LIMIT]
    return cause[:CAUSE_LIMIT]


def _label_of(arn: str) -> str:
    """The Map's Label (or name) from its map run ARN: ``mapRun:<machine>/<label>:<id>``."""
    return arn.rsplit(":", 1)[0].rsplit("/", 1)[-1]


def _state_of(event: Mapping[str, Any], events: list[Any]) -> str:
    """The Map state whose visit started a map run: the latest MapStateEntered before it."""
    event_id = int(event["id"])
    for earlier in reversed(events[: event_id - 1]):
        if earlier["type"] == "MapStateEntered":
            details = earlier.get("stateEnteredEventDetails") or {}
            return str(details.get("name", ""))
    return ""


def _reply(
    map_run: str, index: int, name: str | None, problem: str | None = None, **found: Any
) -> ChildReply:
    reply: dict[str, Any] = {
        "type": "child",
        "map_run": map_run,
        "index": index,
        "name": name,
        "status": "",
        "start": None,
        "stop": None,
        "error": None,
        "cause": None,
        "output": None,
        "items": None,
        "open": None,
        "opened": False,
        "problem": problem,
    }
    reply.update(found)
    return cast(ChildReply, reply)


def _iso(moment: Any) -> str | None:
    if isinstance(moment, datetime):
        return moment.isoformat(timespec="milliseconds")
    return None if moment is None else str(moment)
