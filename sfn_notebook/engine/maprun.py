"""A Distributed Map's map run: its settings, changeable while it runs, and its counts.

AWS keeps a map run as a resource of its own (DescribeMapRun, ListMapRuns, UpdateMapRun). Here a
:class:`MapRun` is kept in the parent execution's ``History.map_run_records`` by ARN; the map
runner consults it before starting each child execution (MaxConcurrency) and when one fails
(the tolerated failures), so :meth:`MapRun.update` takes effect while the run is going.

>>> from datetime import datetime, timezone
>>> run = MapRun("arn:aws:states:us-east-1:123456789012:mapRun:m/Map:1", datetime.now(timezone.utc))
>>> run.update(max_concurrency=3)
>>> run.max_concurrency, run.describe_counts()["executionCounts"]["total"]
(3, 0)
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sfn_notebook.engine.history import MapChild

# The most child executions AWS runs at once in one map run.
MAX_CHILDREN = 10_000
# The failed children of one map run whose own history events are kept (MapChild.events).
KEPT_CHILD_HISTORIES = 100


@dataclass(eq=False)
class MapRun:
    """One map run. The settings are AWS's DescribeMapRun fields (0 for "not given")."""

    arn: str
    start: datetime
    max_concurrency: int = 0
    tolerated_failure_count: int = 0
    tolerated_failure_percentage: float = 0.0
    status: str = "RUNNING"  # RUNNING, SUCCEEDED, FAILED or ABORTED
    stop: datetime | None = None
    children: list[MapChild] = field(default_factory=list)
    total_items: int | None = None  # None while an ItemReader is still reading
    total_children: int | None = None
    results_written: int = 0
    key: str | None = None  # the Map state's visit (a redrive finds its map run by it)
    redrive_count: int = 0
    attempt: int = 0  # the parent execution's redrive count when the run last started
    redrive_date: datetime | None = None
    # Children holding a concurrency slot (the runner's loop thread only).
    busy: int = 0
    exhausted: bool = False  # every item has been handed out
    _loop: asyncio.AbstractEventLoop | None = None
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # The runner's side (its loop thread) -------------------------------------------------------

    def bind(self) -> None:
        """Remember the running loop, for updates coming from other threads."""
        self._loop = asyncio.get_running_loop()

    def notify(self) -> None:
        """Wake everything waiting for a change (loop thread)."""
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def changed(self) -> None:
        """Wait for the next change: an update, a slot freed, the items handed out."""
        await self._changed.wait()

    async def slot(self) -> None:
        """Wait until one more child may run under the current MaxConcurrency."""
        while self.max_concurrency and self.busy >= self.max_concurrency:
            await self.changed()
        self.busy += 1

    def release(self) -> None:
        self.busy -= 1
        self.notify()

    def tolerance(self, total: int) -> int | None:
        """How many failed children the run tolerates now; None: none (fail fast)."""
        count, percentage = self.tolerated_failure_count, self.tolerated_failure_percentage
        if not (count or percentage):
            return None
        return max(count, math.floor(total * percentage / 100))

    def redrive(self, now: datetime, attempt: int) -> None:
        """The parent execution was redriven: the run continues under its ARN."""
        self.status, self.stop, self.attempt = "RUNNING", None, attempt
        self.redrive_count += 1
        self.redrive_date = now
        self.exhausted, self.busy, self.results_written = False, 0, 0

    def end(self, status: str, now: datetime) -> None:
        if self.status == "RUNNING":
            self.status, self.stop = status, now

    # The API's side (any thread) ---------------------------------------------------------------

    def update(
        self,
        max_concurrency: int | None = None,
        tolerated_failure_count: int | None = None,
        tolerated_failure_percentage: float | None = None,
    ) -> None:
        """UpdateMapRun: change the settings; a running map run follows them from its next
        child (a raised MaxConcurrency starts more children at once)."""
        with self._lock:
            if max_concurrency is not None:
                self.max_concurrency = max_concurrency
            if tolerated_failure_count is not None:
                self.tolerated_failure_count = tolerated_failure_count
            if tolerated_failure_percentage is not None:
                self.tolerated_failure_percentage = float(tolerated_failure_percentage)
        loop = self._loop
        if loop is not None and not loop.is_closed():
            # RuntimeError: the loop closed meanwhile, so nothing is waiting.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self.notify)

    def describe_counts(self) -> dict[str, dict[str, int]]:
        """DescribeMapRun's ``itemCounts`` and ``executionCounts``: children by status; the
        items of a child are its batch's length. Items not handed out yet are ``pending``
        (unknown, so not counted, while an ItemReader is still reading)."""
        children = list(self.children)
        items = _counts(children, lambda c: c.item_count)
        executions = _counts(children, lambda c: 1)
        started_items = sum(c.item_count for c in children)
        if self.total_items is not None and self.total_items > started_items:
            items["pending"] = self.total_items - started_items
        if self.total_children is not None and self.total_children > len(children):
            executions["pending"] = self.total_children - len(children)
        items["resultsWritten"] = self.results_written
        written = sum(1 for c in children if c.status in ("SUCCEEDED", "FAILED"))
        executions["resultsWritten"] = written if self.results_written else 0
        for counts in (items, executions):
            counts["total"] = (
                sum(counts[k] for k in ("pending", "running", "succeeded", "failed", "aborted"))
                + counts["timedOut"]
            )
        return {"itemCounts": items, "executionCounts": executions}

    # Keeping it (the store) ---------------------------------------------------------------------

    def to_record(self) -> dict[str, Any]:
        """The map run as plain JSON data, its children (with their outputs, which a redrive
        of the map run keeps) included; :meth:`from_record` makes it again."""
        return {
            "arn": self.arn,
            "start": self.start.isoformat(),
            "stop": None if self.stop is None else self.stop.isoformat(),
            "status": self.status,
            "max_concurrency": self.max_concurrency,
            "tolerated_failure_count": self.tolerated_failure_count,
            "tolerated_failure_percentage": self.tolerated_failure_percentage,
            "total_items": self.total_items,
            "total_children": self.total_children,
            "results_written": self.results_written,
            "key": self.key,
            "redrive_count": self.redrive_count,
            "attempt": self.attempt,
            "redrive_date": None if self.redrive_date is None else self.redrive_date.isoformat(),
            "children": [_child_record(child) for child in list(self.children)],
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> MapRun:
        """The map run :meth:`to_record` described (it runs no more: ``exhausted``)."""
        run = cls(record["arn"], _moment(record["start"]))
        for name in (
            "status",
            "max_concurrency",
            "tolerated_failure_count",
            "tolerated_failure_percentage",
            "total_items",
            "total_children",
            "results_written",
            "key",
            "redrive_count",
            "attempt",
        ):
            setattr(run, name, record[name])
        run.stop = _moment(record["stop"])
        run.redrive_date = _moment(record["redrive_date"])
        run.children = [
            MapChild(**{**child, "start": _moment(child["start"]), "stop": _moment(child["stop"])})
            for child in record["children"]
        ]
        run.exhausted = True
        return run


def _child_record(child: MapChild) -> dict[str, Any]:
    return {
        "index": child.index,
        "name": child.name,
        "status": child.status,
        "start": child.start.isoformat(),
        "stop": None if child.stop is None else child.stop.isoformat(),
        "error": child.error,
        "cause": child.cause,
        "item_count": child.item_count,
        "output": child.output,
    }


def _moment(text: Any) -> Any:
    return None if text is None else datetime.fromisoformat(text)


# A child execution's status -> its key in DescribeMapRun's itemCounts / executionCounts; any
# other status counts as running. The notebook's map-run panel counts with it too.
COUNT_KEYS = {
    "RUNNING": "running",
    "SUCCEEDED": "succeeded",
    "FAILED": "failed",
    "TIMED_OUT": "timedOut",
    "ABORTED": "aborted",
}


def _counts(children: list[MapChild], weight: Any) -> dict[str, int]:
    counts = dict.fromkeys(
        (
            "pending",
            "running",
            "succeeded",
            "failed",
            "timedOut",
            "aborted",
            "total",
            "resultsWritten",
            "failuresNotRedrivable",
            "pendingRedrive",
        ),
        0,
    )
    for child in children:
        counts[COUNT_KEYS.get(child.status, "running")] += weight(child)
    return counts
