"""Distributed Map runs as pandas DataFrames: ``map_runs_frame`` and ``map_items_frame``.

A Distributed Map starts a *map run* (``MapRunStarted`` in the parent's history, with its
``mapRunArn``) that runs each item, or each ItemBatcher batch, as a *child execution* of its own.
Both functions take the sources the other frames take (see :mod:`sfn_notebook.analysis.sources`).
Local runs list their children from memory (``History.map_runs``); with a boto3 client each map
run is described with DescribeMapRun (its status and AWS's counts) and its children listed with
ListExecutions (``mapRunArn``) and, for failed ones, DescribeExecution (a ListExecutions that is
refused leaves the map run's row without child rows). A Store read on its own gives the children
its ``map_runs`` table kept (a store written before that table existed: rows without children).

>>> import sfn_notebook as sfn
>>> flow = {"StartAt": "M", "States": {"M": {"Type": "Map", "End": True,
...     "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
...         "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}}}
>>> ex = sfn.run(flow, [1, 2, 3])
>>> map_runs_frame(ex)[["state_name", "status", "children", "succeeded"]].to_dict("records")
[{'state_name': 'M', 'status': 'SUCCEEDED', 'children': 3, 'succeeded': 3}]
>>> map_items_frame(ex)[["index", "status"]].to_dict("list")
{'index': [0, 1, 2], 'status': ['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sfn_notebook.analysis.frames import _details, _pandas, normalise
from sfn_notebook.analysis.sources import Run, _paged, runs
from sfn_notebook.errors import SfnNotebookError

if TYPE_CHECKING:
    import pandas as pd

MAP_RUN_COLUMNS = (
    "execution_arn",
    "map_run_arn",
    "state_name",
    "status",
    "start",
    "stop",
    "duration",
    "error",
    "cause",
    "children",
    "items",
    "succeeded",
    "failed",
    "aborted",
    "running",
)
MAP_ITEM_COLUMNS = (
    "execution_arn",
    "map_run_arn",
    "state_name",
    "index",
    "child_execution",
    "status",
    "start",
    "stop",
    "duration",
    "error",
    "cause",
    "items",
)
_ENDS = {"MapRunSucceeded": "SUCCEEDED", "MapRunFailed": "FAILED", "MapRunAborted": "ABORTED"}
_COUNTED = ("succeeded", "failed", "aborted", "running")
_BUCKET = {"SUCCEEDED": "succeeded", "ABORTED": "aborted", "RUNNING": "running"}  # else failed


@dataclass
class _Child:
    index: int | None
    arn: str
    status: str
    start: datetime | None
    stop: datetime | None
    error: str | None = None
    cause: str | None = None
    items: int | None = 1


@dataclass
class _MapRun:
    execution_arn: str
    arn: str
    state_name: str | None
    start: datetime | None
    status: str = "RUNNING"
    stop: datetime | None = None
    error: str | None = None
    cause: str | None = None
    items: int | None = None  # AWS's item count (DescribeMapRun)
    counts: dict[str, int] | None = None  # AWS's child execution counts (DescribeMapRun)
    children: list[_Child] | None = field(default=None)  # None: not known


def _from_events(run: Run) -> list[_MapRun]:
    """The map runs a parent's history started, with how each ended."""
    from sfn_notebook.engine.placement import EventTree

    tree = EventTree()
    found: list[_MapRun] = []
    for event in sorted(run.events(), key=lambda e: int(e["id"])):
        visit = tree.add(event)
        kind = event["type"]
        details = _details(event)
        if kind == "MapRunStarted":
            name = visit.name if visit is not None else None
            found.append(_MapRun(run.arn, details.get("mapRunArn", ""), name, event["timestamp"]))
        elif kind in _ENDS:
            name = visit.name if visit is not None else None
            open_runs = [m for m in found if m.status == "RUNNING" and m.state_name == name]
            if open_runs:
                ended = open_runs[-1]
                ended.status, ended.stop = _ENDS[kind], event["timestamp"]
                ended.error, ended.cause = details.get("error"), details.get("cause")
    for map_run in found:
        if map_run.status == "RUNNING" and run.status != "RUNNING":
            # The execution ended around the map run (a sibling branch failed, or it was
            # stopped): AWS aborts the map run and its children.
            map_run.status, map_run.stop = "ABORTED", run.stop
    return found


def _local_children(map_run: _MapRun, logged: Any) -> None:
    prefix = map_run.arn.replace(":mapRun:", ":execution:", 1)
    map_run.children = [
        _Child(
            c.index,
            f"{prefix}:{c.name}",
            c.status,
            c.start,
            c.stop,
            c.error,
            c.cause,
            c.item_count,
        )
        for c in logged
    ]


def _stored_children(store: Any, run: Run) -> dict[str, list[Any]]:
    """The children of a stored execution's map runs (the store's ``map_runs`` table)."""
    from sfn_notebook.engine.maprun import MapRun

    store_id = getattr(run, "store_id", None)
    if store_id is None:
        return {}
    return {
        record["arn"]: MapRun.from_record(record).children for record in store.map_runs(store_id)
    }


def _remote_children(map_run: _MapRun, client: Any) -> None:
    """DescribeMapRun, ListExecutions by map run, DescribeExecution for failed children."""
    described = client.describe_map_run(mapRunArn=map_run.arn)
    map_run.status = described.get("status", map_run.status)
    map_run.start = described.get("startDate", map_run.start)
    map_run.stop = described.get("stopDate", map_run.stop)
    map_run.items = (described.get("itemCounts") or {}).get("total")
    counts = described.get("executionCounts")
    if counts:
        failed = sum(counts.get(key, 0) for key in ("failed", "timedOut"))
        map_run.counts = {
            "children": counts.get("total", 0),
            "succeeded": counts.get("succeeded", 0),
            "failed": failed,
            "aborted": counts.get("aborted", 0),
            "running": counts.get("running", 0) + counts.get("pending", 0),
        }
    try:
        listed = _paged(client.list_executions, "executions", mapRunArn=map_run.arn)
    except Exception as exc:  # botocore's ClientError: not imported, boto3 is optional
        if type(exc).__name__ != "ClientError":
            raise
        # Not allowed to list them, or a stand-in that can't (moto 5 answers a 500): the map
        # run keeps DescribeMapRun's counts, without rows for its children.
        return
    children = []
    for item in listed:
        child = _Child(
            None,
            item["executionArn"],
            item["status"],
            item.get("startDate"),
            item.get("stopDate"),
            items=item.get("itemCount"),
        )
        if child.status in ("FAILED", "TIMED_OUT"):
            failed = client.describe_execution(executionArn=child.arn)
            child.error, child.cause = failed.get("error"), failed.get("cause")
        children.append(child)
    children.sort(key=lambda c: (c.start is None, c.start))
    map_run.children = children


def _client_of(source: Any) -> Any:
    """What answers DescribeMapRun for a source: boto3, an ``aws.connect()`` connection (also
    a RemoteExecution's); None for local sources, whose children are in memory."""
    from sfn_notebook.runtime.runtime import Runtime

    if isinstance(source, Runtime):
        return None
    for candidate in (source, getattr(source, "aws", None)):
        if hasattr(candidate, "describe_map_run"):
            return candidate
    return None


def _map_runs(source: Any, filters: dict[str, Any]) -> list[_MapRun]:
    if isinstance(source, (list, tuple)) and source and hasattr(source[0], "arn"):
        return [m for item in source for m in _map_runs(item, filters)]  # each its own client
    from sfn_notebook.runtime.runtime import Runtime
    from sfn_notebook.store.sqlite import Store

    selected = runs(source, **filters)
    local = isinstance(source, Runtime)
    client = _client_of(source)
    found: list[_MapRun] = []
    for run in selected:
        logged = run.map_runs
        if not logged and isinstance(source, Store):
            logged = _stored_children(source, run)
        if not logged and local:
            try:
                live = getattr(source.execution(run.arn), "live_history", None)
            except SfnNotebookError:  # stored by an earlier session: events only
                live = None
            logged = getattr(live, "map_runs", None) or {}
        for map_run in _from_events(run):
            if map_run.arn in logged:
                _local_children(map_run, logged[map_run.arn])
            elif client is not None:
                _remote_children(map_run, client)
            found.append(map_run)
    return found


def map_runs_frame(
    source: Any,
    *,
    state_machine: str | None = None,
    status: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> pd.DataFrame:
    """One row per map run (a Distributed Map state's run), in the order they started.

    The filters select the parent executions, as for :func:`executions_frame`.

    ============== ==================== ==================================================
    column         dtype                meaning
    ============== ==================== ==================================================
    execution_arn  object (str)         the parent execution
    map_run_arn    object (str)         the map run (``MapRunStarted``'s ``mapRunArn``)
    state_name     object (str)         the Distributed Map state
    status         object (str)         RUNNING, SUCCEEDED, FAILED or ABORTED
    start, stop    datetime64[ns, UTC]  stop is NaT while running
    duration       timedelta64[ns]
    error, cause   object (str or None) ``MapRunFailed``'s (reading or writing failed)
    children       Int64                child executions started (<NA>: not known)
    items          Int64                items they processed (several per ItemBatcher batch)
    succeeded ...  Int64                child executions succeeded, failed (or timed out),
                                        aborted, running
    ============== ==================== ==================================================
    """
    pd = _pandas()
    filters = {"state_machine": state_machine, "status": status, "since": since, "until": until}
    records = []
    for map_run in _map_runs(source, filters):
        children = map_run.children
        counts: dict[str, int | None] = dict.fromkeys(("children", *_COUNTED))
        items = map_run.items
        if map_run.counts is not None:  # AWS's own numbers
            counts.update(map_run.counts)
        elif children is not None:
            statuses = [_BUCKET.get(child.status, "failed") for child in children]
            counts = {key: statuses.count(key) for key in _COUNTED}
            counts["children"] = len(children)
        if items is None and children is not None:
            items = sum(c.items or 0 for c in children)
        records.append(
            (
                map_run.execution_arn,
                map_run.arn,
                map_run.state_name,
                map_run.status,
                map_run.start,
                map_run.stop,
                map_run.error,
                map_run.cause,
                counts["children"],
                items,
                *(counts[key] for key in _COUNTED),
            )
        )
    names = [c for c in MAP_RUN_COLUMNS if c != "duration"]
    frame = pd.DataFrame.from_records(records, columns=names)
    text = ("execution_arn", "map_run_arn", "state_name", "status", "error", "cause")
    normalise(frame, text, ("start", "stop"))
    frame.insert(6, "duration", frame["stop"] - frame["start"])
    for column in ("children", "items", *_COUNTED):
        frame[column] = frame[column].astype("Int64")
    return frame


def map_items_frame(
    source: Any,
    *,
    state_machine: str | None = None,
    status: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> pd.DataFrame:
    """One row per child execution of every map run: an item, or an ItemBatcher batch.

    Rows are in item order within each map run (by start time for AWS, which doesn't say which
    item a child ran). The filters select the parent executions.

    =============== ==================== =================================================
    column          dtype                meaning
    =============== ==================== =================================================
    execution_arn   object (str)         the parent execution
    map_run_arn     object (str)
    state_name      object (str)         the Distributed Map state
    index           Int64                ``$$.Map.Item.Index`` (a batch's, with an
                                         ItemBatcher); <NA> for AWS
    child_execution object (str)         the child execution's ARN
    status          object (str)         SUCCEEDED, FAILED, TIMED_OUT, ABORTED, RUNNING
    start, stop     datetime64[ns, UTC]  stop is NaT while running
    duration        timedelta64[ns]
    error, cause    object (str or None) why the child failed
    items           Int64                items the child got (a batch's length)
    =============== ==================== =================================================
    """
    pd = _pandas()
    filters = {"state_machine": state_machine, "status": status, "since": since, "until": until}
    records = [
        (
            map_run.execution_arn,
            map_run.arn,
            map_run.state_name,
            child.index,
            child.arn,
            child.status,
            child.start,
            child.stop,
            child.error,
            child.cause,
            child.items,
        )
        for map_run in _map_runs(source, filters)
        for child in sorted(
            map_run.children or [], key=lambda c: -1 if c.index is None else c.index
        )
    ]
    names = [c for c in MAP_ITEM_COLUMNS if c != "duration"]
    frame = pd.DataFrame.from_records(records, columns=names)
    text = ("execution_arn", "map_run_arn", "state_name", "child_execution", "status")
    normalise(frame, (*text, "error", "cause"), ("start", "stop"))
    frame.insert(8, "duration", frame["stop"] - frame["start"])
    frame["index"] = frame["index"].astype("Int64")
    frame["items"] = frame["items"].astype("Int64")
    return frame
