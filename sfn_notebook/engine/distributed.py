"""The Distributed Map's own parts: its map run, child executions and ItemBatcher.

A Distributed Map (``ProcessorConfig.Mode: DISTRIBUTED``) runs each item, or each batch of
items, as a child execution of a map run (engine/maprun.py) that DescribeMapRun shows and
UpdateMapRun changes; a redriven execution continues the map run its Map state left
unsuccessful. The Map state's runner (engine/mapstate.py) calls these.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from sfn_notebook.engine.fields import POSITIVE, NumberField
from sfn_notebook.engine.frame import Frame
from sfn_notebook.engine.history import MapChild, dumps
from sfn_notebook.engine.interpreter import Failure, Visit
from sfn_notebook.engine.maprun import MapRun
from sfn_notebook.engine.pipeline import JsonataValue, Payload, jsonata_states
from sfn_notebook.errors import StatesError


def start_map_run(
    frame: Frame,
    visit: Visit,
    name: str,
    label: str,
    settings: tuple[int | None, Any, Any],
    counts: tuple[int, int] | None,
    runs: list[MapRun],
) -> tuple[MapRun, dict[int, MapChild]]:
    """The map run a Distributed Map's visit runs (added to ``runs`` once started), and the
    children of the earlier attempt it continues by index (none for a new map run).

    ``settings`` are MaxConcurrency and the tolerated failures (count, percentage); ``counts``
    the items and children, when known before the items are read.
    """
    history = frame.execution.history
    # A redrive continues the map run this visit left unsuccessful (AWS redrives its failed
    # and aborted children under the same ARN; the succeeded ones keep their outputs).
    redriven = redriven_run(frame, visit)
    map_run_arn = redriven.arn if redriven else map_run_arn_for(frame, label)
    if redriven is not None:
        previous = {child.index: child for child in redriven.children}
        redriven.redrive(frame.execution.clock.now(), frame.execution.redrive_count)
        redriven.bind()
        runs.append(redriven)
        details = {"mapRunArn": map_run_arn, "redriveCount": redriven.redrive_count}
        history.add(frame.cursor, "MapRunRedriven", "mapRunRedrivenEventDetails", details)
        return redriven, previous
    limit, tolerated_count, tolerated_pct = settings
    # The map run as DescribeMapRun shows it and UpdateMapRun changes it.
    run = MapRun(
        map_run_arn,
        frame.execution.clock.now(),
        max_concurrency=limit or 0,
        tolerated_failure_count=int(tolerated_count or 0),
        tolerated_failure_percentage=float(tolerated_pct or 0),
        children=history.map_runs.setdefault(map_run_arn, []),
    )
    if counts is not None:
        run.total_items, run.total_children = counts
    run.key, run.attempt = run_key(frame, visit, name), frame.execution.redrive_count
    run.bind()
    runs.append(run)
    history.map_run_records[map_run_arn] = run
    history.add(
        frame.cursor,
        "MapRunStarted",
        "mapRunStartedEventDetails",
        {"mapRunArn": map_run_arn},
    )
    return run, {}


def run_failed(frame: Frame, error: StatesError, name: str) -> Failure:
    """``MapRunFailed`` with the error that ended the map run's reading or writing (AWS,
    recorded for States.ItemReaderFailed); the state fails with it, unprefixed."""
    details = {"error": error.error, "cause": error.cause}
    frame.execution.history.add(frame.cursor, "MapRunFailed", "mapRunFailedEventDetails", details)
    return Failure(error.error, error.cause, name)


def new_child(frame: Frame, index: int, item_input: Any, batched: bool) -> MapChild:
    """A child execution starting: its name is a UUID, as AWS names them."""
    ctx = frame.execution
    name = str(uuid.UUID(int=ctx.rng.getrandbits(128), version=4))
    count = 1
    if batched and isinstance(item_input, dict) and isinstance(item_input.get("Items"), list):
        count = len(item_input["Items"])
    return MapChild(index, name, "RUNNING", ctx.clock.now(), item_count=count)


def run_key(frame: Frame, visit: Visit, name: str) -> str | None:
    """The replay key of the visit that starts a map run. A first attempt computes no keys
    (engine/replay.py); on the execution's own line the key of a Map state's visit is its
    name and visit count there, known here too. In a branch or an inline iteration it is
    not (None: a redrive starts that map run afresh)."""
    if visit.key is not None:
        return visit.key
    if type(frame.variables) is dict:  # the execution's top-level line (engine/execution.py)
        return frame.visit_key(name)
    return None


def redriven_run(frame: Frame, visit: Visit) -> MapRun | None:
    """The map run a redriven execution continues: the one this visit (same key) started
    in the previous attempt, when it ended unsuccessfully (a Retry within this attempt
    starts a new map run)."""
    ctx = frame.execution
    if ctx.replay is None or visit.key is None:
        return None
    for run in reversed(ctx.history.map_run_records.values()):
        if run.key == visit.key:
            unsuccessful = run.status in ("FAILED", "ABORTED")
            return run if unsuccessful and run.attempt < ctx.redrive_count else None
    return None


def map_run_arn_for(frame: Frame, label: str) -> str:
    """A new map run's ARN: the state machine, the Map's Label (or name) and a UUID."""
    ctx = frame.execution
    return (
        f"arn:aws:states:{ctx.region}:{ctx.account}:mapRun:"
        f"{ctx.state_machine_name}/{label}:{uuid.UUID(int=ctx.rng.getrandbits(128), version=4)}"
    )


class Batcher:
    """ItemBatcher: MaxItemsPerBatch(Path), MaxInputBytesPerBatch(Path) and BatchInput."""

    def __init__(self, spec: Mapping[str, Any], jsonata: bool) -> None:
        self.max_items = NumberField(
            POSITIVE,
            "MaxItemsPerBatch",
            spec.get("MaxItemsPerBatch"),
            spec.get("MaxItemsPerBatchPath"),
        )
        self.max_bytes = NumberField(
            POSITIVE,
            "MaxInputBytesPerBatch",
            spec.get("MaxInputBytesPerBatch"),
            spec.get("MaxInputBytesPerBatchPath"),
        )
        raw = spec.get("BatchInput")
        self.jsonata = jsonata
        self.batch_input: JsonataValue | Payload | None = None
        if raw is not None:
            self.batch_input = (
                JsonataValue(raw, "BatchInput") if jsonata else Payload(raw, "BatchInput")
            )

    def settings(self, data: Any, scope: Any) -> tuple[int, int, Any]:
        """This visit's MaxItemsPerBatch, MaxInputBytesPerBatch (0: no limit) and BatchInput."""
        max_items = self.max_items.value(data, scope) or 0
        max_bytes = self.max_bytes.value(data, scope) or 0
        shared: Any = None
        if isinstance(self.batch_input, JsonataValue):
            shared = self.batch_input.apply(jsonata_states(data, scope), scope)
        elif self.batch_input is not None:
            shared = self.batch_input.apply(data, scope)
        return max_items, max_bytes, shared

    def batches(
        self, inputs: Iterable[Any], settings: tuple[int, int, Any]
    ) -> Iterator[dict[str, Any]]:
        """The inputs in batches, lazily."""
        max_items, max_bytes, shared = settings
        current: list[Any] = []
        size = 0
        for value in inputs:
            length = len(dumps(value).encode("utf-8"))
            full = (max_items and len(current) >= max_items) or (
                max_bytes and current and size + length > max_bytes
            )
            if full:
                yield self._wrap(current, shared)
                current, size = [], 0
            current.append(value)
            size += length
        if current:
            yield self._wrap(current, shared)

    @staticmethod
    def _wrap(batch: list[Any], shared: Any) -> dict[str, Any]:
        entry: dict[str, Any] = {}
        if shared is not None:
            entry["BatchInput"] = shared
        entry["Items"] = batch
        return entry
