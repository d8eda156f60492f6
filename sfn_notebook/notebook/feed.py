"""One live reading of an execution's history, shared by its widgets, and update coalescing.

An :class:`ExecutionFeed` listens to an execution's History (events arrive on the runtime's
thread), keeps the events and an :class:`~sfn_notebook.render.attempts.AttemptTracker`, and folds
the tracker's changes into what the widgets draw: node statuses, Map counts, timeline rows, the
header. Each widget owns a :class:`Throttle`; the feed only *pokes* it, and the widget sends at
most one message per interval (0.1 s by default), so a 10,000-event run costs a handful of
messages, not 10,000.

>>> import sfn_notebook as sfn
>>> ex = sfn.run({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
>>> feed = ExecutionFeed.of(ex)
>>> feed.header()["status"], len(feed.events)
('SUCCEEDED', 4)
"""

from __future__ import annotations

import json
import threading
import time
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from sfn_notebook.asl import model as m
from sfn_notebook.notebook.eventquery import DETAIL_LIMIT, query
from sfn_notebook.render.attempts import (
    FAILED,
    RUNNING,
    SUCCEEDED,
    AttemptTracker,
    StateVisit,
)
from sfn_notebook.render.dot import STATUS_RANK, map_subtitle, node_id
from sfn_notebook.render.html import Header
from sfn_notebook.render.timeline import TimelineRow, iteration_row, row_parent, visit_row


class Throttle:
    """Call ``action`` soon after :meth:`poke`, but never more often than every ``interval`` s.

    The first poke after a quiet spell runs at once (on a timer thread); pokes during the interval
    are merged into one trailing call. Safe to poke from any thread.
    """

    def __init__(self, action: Callable[[], None], interval: float = 0.1) -> None:
        self.action = action
        self.interval = interval
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._last = 0.0

    def poke(self) -> None:
        with self._lock:
            if self._timer is not None:
                return
            # Monotonic wall time on purpose: this paces messages to a browser, not the workflow.
            delay = max(0.0, self._last + self.interval - time.monotonic())
            self._timer = threading.Timer(delay, self._run)
            self._timer.daemon = True
            self._timer.start()

    def _run(self) -> None:
        with self._lock:
            self._timer = None
            self._last = time.monotonic()
        self.action()

    def cancel(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None


_FEEDS: weakref.WeakKeyDictionary[Any, ExecutionFeed] = weakref.WeakKeyDictionary()


class ExecutionFeed:
    """Events, visits and the derived drawing state of one execution (thread-safe)."""

    def __init__(self, definition: m.Definition | None = None, name: str = "") -> None:
        self.definition = definition
        self.name = name
        self.lock = threading.RLock()
        self.tracker = AttemptTracker(definition)
        self.events: list[Mapping[str, Any]] = []
        self.type_counts: Counter[str] = Counter()
        self._early: dict[int, Mapping[str, Any]] = {}
        self._subscribers: weakref.WeakSet[Throttle] = weakref.WeakSet()
        self._folded = 0  # the tracker seq already folded into the fields below
        self.version = 0
        self.visits: dict[int, StateVisit] = {}
        self.rows: dict[str, TimelineRow] = {}
        self.row_version: dict[str, int] = {}
        self._status_of: dict[int, tuple[str, str]] = {}  # visit key -> (state key, status)
        self._counts: dict[str, Counter[str]] = {}  # state key -> visit statuses
        self._map_counts: dict[int, tuple[str, int, int, int]] = {}
        self._pointers: dict[str, str] = {}
        self.clock: Any = None  # the live execution's clock, when there is one
        self.history: Any = None  # the live execution's History (its map runs), when there is one
        self.logs: Mapping[int, str] = {}  # failed Lambda invocations' logs (History.task_logs)
        self.stages: Any = None  # the execution's StageLog, when it records one (the inspector)

    # Construction -----------------------------------------------------------------------------

    @classmethod
    def of(
        cls,
        execution: Any = None,
        *,
        definition: m.Definition | None = None,
        events: Iterable[Mapping[str, Any]] | None = None,
        name: str | None = None,
    ) -> ExecutionFeed:
        """The feed for an ``Execution`` (live when it has a listenable History), for plain
        ``events``, or an empty one for a definition alone. Feeds of live executions are shared.
        """
        if definition is None and execution is not None:
            definition = getattr(execution, "definition", None)
        if name is None:
            name = str(getattr(execution, "name", "") or "")
        history = _live_history(execution)
        if history is not None:
            cached = _FEEDS.get(history)
            if cached is not None and cached.definition is definition:
                return cached
            feed = cls(definition, name)
            feed.clock = getattr(execution, "clock", None)
            feed.history = history
            feed.stages = getattr(execution, "stage_log", None)
            logs = getattr(history, "task_logs", None)
            if logs is not None:  # the live mapping: failures add to it as they happen
                feed.logs = feed.tracker.logs = logs
            history.listen(feed.add)
            for event in list(history.events):
                feed.add(event)
            if cached is None:
                _FEEDS[history] = feed
            return feed
        feed = cls(definition, name)
        feed.stages = getattr(execution, "stage_log", None)
        if events is None and execution is not None:
            events = getattr(execution, "history", None)
        for event in events or ():
            feed.add(event)
        return feed

    def subscribe(self, throttle: Throttle) -> None:
        self._subscribers.add(throttle)

    # Feeding (any thread) ---------------------------------------------------------------------

    def add(self, event: Mapping[str, Any]) -> None:
        """Take an event; events are applied in id order, duplicates ignored."""
        with self.lock:
            event_id = int(event["id"])
            expected = len(self.events) + 1
            if event_id < expected:
                return
            if event_id > expected:
                self._early[event_id] = event
                return
            self._take(event)
            while len(self.events) + 1 in self._early:
                self._take(self._early.pop(len(self.events) + 1))
        for throttle in list(self._subscribers):
            throttle.poke()

    def _take(self, event: Mapping[str, Any]) -> None:
        self.events.append(event)
        self.type_counts[str(event["type"])] += 1
        self.tracker.add(event)

    # Derived state (call with or without the lock held) ---------------------------------------

    def refresh(self) -> int:
        """Fold the tracker's changes into rows, statuses and counts; returns :attr:`version`."""
        with self.lock:
            if self.tracker.seq == self._folded:
                return self.version
            changed = self.tracker.visits_changed_after(self._folded)
            self._folded = self.tracker.seq
            self.version += 1
            t0 = self.tracker.started
            for visit in changed:
                self.visits[visit.key] = visit
                self._fold_status(visit)
                if t0 is None:
                    continue
                container = self.visits.get(visit.parent) if visit.parent is not None else None
                parent = row_parent(visit, container.type if container is not None else None)
                self._set_row(visit_row(visit, parent, t0))
                for iteration in visit.iterations:
                    self._set_row(iteration_row(visit, iteration, t0))
            return self.version

    def _fold_status(self, visit: StateVisit) -> None:
        key = visit.pointer or visit.name
        if visit.pointer:
            self._pointers[key] = visit.pointer
        old = self._status_of.get(visit.key)
        if old is not None:
            self._counts[old[0]][old[1]] -= 1
        self._status_of[visit.key] = (key, visit.status)
        self._counts.setdefault(key, Counter())[visit.status] += 1
        # A Distributed Map's children are not iterations in this history: its map-run panel
        # counts them (notebook/mapruns.py), the node does not claim "0 ok".
        if visit.type == "Map" and not self._distributed(visit.pointer):
            ok = sum(it.status == SUCCEEDED for it in visit.iterations)
            bad = sum(it.status == FAILED for it in visit.iterations)
            running = sum(it.status == RUNNING for it in visit.iterations)
            self._map_counts[visit.key] = (key, ok, bad, running)

    def _distributed(self, pointer: str | None) -> bool:
        if self.definition is None or not pointer:
            return False
        state = next((s for s in self.definition.walk() if s.pointer == pointer), None)
        return getattr(state, "mode", None) == "DISTRIBUTED"

    def _set_row(self, row: TimelineRow) -> None:
        if self.rows.get(row["key"]) != row:
            self.rows[row["key"]] = row
            self.row_version[row["key"]] = self.version

    def rows_after(self, version: int) -> list[TimelineRow]:
        """Timeline rows that changed after ``version`` (0: all of them)."""
        with self.lock:
            return [self.rows[k] for k, v in self.row_version.items() if v > version]

    def statuses(self) -> dict[str, str]:
        """State key (pointer or name) → the most telling status of its visits."""
        with self.lock:
            found = {}
            for key, counts in self._counts.items():
                live = [s for s, n in counts.items() if n > 0]
                if live:
                    found[key] = max(live, key=lambda s: STATUS_RANK.get(s, 0))
            return found

    def map_counts(self) -> dict[str, tuple[int, int, int]]:
        with self.lock:
            summed: dict[str, tuple[int, int, int]] = {}
            for key, ok, bad, running in self._map_counts.values():
                a, b, c = summed.get(key, (0, 0, 0))
                summed[key] = (a + ok, b + bad, c + running)
            return summed

    def nodes(self) -> dict[str, dict[str, Any]]:
        """Graph node id → ``NodeState`` (see notebook/protocol.py)."""
        self.refresh()
        counts = self.map_counts()
        return {
            node_id(self._pointers.get(key, key)): {
                "status": status,
                "counts": list(counts[key]) if key in counts else None,
                "subtitle": map_subtitle(counts[key]) if key in counts else None,
            }
            for key, status in sorted(self.statuses().items())
        }

    def ticking(self) -> bool:
        """Running on the real clock: time passes between events, views may show it passing."""
        clock = self.clock
        return (
            clock is not None
            and not getattr(clock, "virtual", True)
            and self.tracker.started is not None
            and self.tracker.ended is None
        )

    def header(self) -> Header:
        """Status, duration and states done / total."""
        self.refresh()
        with self.lock:
            tracker = self.tracker
            duration = self.end_ms()
            done = sum(1 for c in self._counts.values() if c[RUNNING] <= 0)
            total = (
                len(self.definition.walk()) if self.definition is not None else len(self._counts)
            )
            return {
                "name": self.name,
                "status": tracker.status if tracker.started is not None else "NOT_STARTED",
                "duration": duration,
                "done": done,
                "total": total,
                "events": len(self.events),
                "ticking": self.ticking(),
            }

    def end_ms(self) -> float | None:
        """Where the time axis ends: the last event, or now while ticking (ms since start)."""
        with self.lock:
            tracker = self.tracker
            if tracker.started is None:
                return None
            end = tracker.ended or tracker.last_timestamp or tracker.started
            if self.ticking():
                end = max(end, self.clock.now())
            return round((end - tracker.started).total_seconds() * 1000, 3)

    # Replies to the browser -------------------------------------------------------------------

    def page(self, offset: int, limit: int, types: list[str] | None) -> tuple[int, list[Any]]:
        """(matching total, event rows) for the event table (:func:`.eventquery.query` has the
        state and text filters too)."""
        found = query(self, offset, limit, types=types)
        return found.total, found.rows

    def details(self, node: str, limit: int = 5) -> dict[str, Any]:
        """A state's definition and latest visits, for a click on its graph node."""
        self.refresh()
        state = self._state_for(node)
        with self.lock:
            t0 = self.tracker.started
            visits = [v for v in self.visits.values() if node_id(v.pointer or v.name) == node]
        visits.sort(key=lambda v: v.key)
        shown = visits[-limit:]

        def ms(moment: datetime | None) -> float | None:
            if moment is None or t0 is None:
                return None
            return round((moment - t0).total_seconds() * 1000, 3)

        return {
            "type": "details",
            "node": node,
            "name": state.name if state is not None else (visits[0].name if visits else node),
            "state_type": state.type if state is not None else (visits[0].type if visits else ""),
            "definition": _pretty(dict(state.raw))[:DETAIL_LIMIT] if state is not None else "",
            "visits": [
                {
                    "key": v.key,
                    "status": v.status,
                    "entered": ms(v.entered),
                    "exited": ms(v.exited),
                    "input": _clip(_pretty_text(v.input)),
                    "output": _clip(_pretty_text(v.output)),
                    "error": v.error,
                    "cause": _clip(v.cause),
                    "attempts": [
                        [ms(a.started), ms(a.ended), a.status, a.error] for a in v.attempts
                    ],
                    "path": [list(p) for p in v.path],
                }
                for v in reversed(shown)
            ],
            "more": len(visits) - len(shown),
        }

    def _state_for(self, node: str) -> m.State | None:
        if self.definition is None:
            return None
        return next((s for s in self.definition.walk() if node_id(s.pointer) == node), None)


def _live_history(execution: Any) -> Any:
    """An execution's listenable history (``.events`` and ``.listen``), local or remote."""
    history = getattr(execution, "live_history", None)
    return history if callable(getattr(history, "listen", None)) else None


def _pretty(value: Any) -> str:
    return json.dumps(value, indent=2, default=str, ensure_ascii=False)


def _pretty_text(text: str | None) -> str | None:
    if text is None or len(text) > DETAIL_LIMIT:
        return text
    try:
        return _pretty(json.loads(text))
    except ValueError:
        return text


def _clip(text: str | None) -> str | None:
    if text is None or len(text) <= DETAIL_LIMIT:
        return text
    return text[:DETAIL_LIMIT] + "…"
