"""History events exactly as AWS's GetExecutionHistory returns them.

Every event has ``id``, ``previousEventId``, ``timestamp``, ``type`` and at most one
``<x>EventDetails`` object. ``previousEventId`` follows AWS: each branch of work (the execution,
a Parallel branch, a Map iteration worker) has a :class:`Cursor` whose ``source`` is the event the
next one links to. Most events move the cursor to themselves; a few (ExecutionStarted,
MapIterationSucceeded, MapStateSucceeded, ParallelStateSucceeded ...) leave it where it was, which
is why AWS links the first state's entry to event 0 and a Map's exit to its last iteration's
event rather than to MapStateSucceeded.

Listeners (the store, widgets, progress bars) get each event as it is added, through the
guarded dispatch of :mod:`sfn_notebook.engine.listeners`: a listener that raises is logged and
detached, and the execution is not affected.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any

from sfn_notebook.engine.listeners import Event, Listener, Listeners
from sfn_notebook.errors import StatesError
from sfn_notebook.limits import EVENT_LIMIT, PAYLOAD_LIMIT, Limits

__all__ = [  # the quotas are defined in sfn_notebook.limits and re-exported here
    "EVENT_LIMIT",
    "PAYLOAD_LIMIT",
    "Cursor",
    "Event",
    "EventLimitExceeded",
    "History",
    "Listener",
    "MapChild",
    "dumps",
    "payload",
]

_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)
# The same encoding made once: ``JSONEncoder.encode`` builds a C encoder on every call, which
# costs as much as encoding a small payload, and every state's output is encoded. Without the
# circular-reference check (``markers``) it keeps no state between calls; a circular value
# recurses until RecursionError and is then encoded again the checked way, for its ValueError.
_C_ENCODE = (
    None
    if c_make_encoder is None
    else c_make_encoder(
        None, _ENCODER.default, encode_basestring, None, ":", ",", False, False, False
    )
)


def dumps(value: Any) -> str:
    """JSON text as AWS writes payloads: compact, UTF-8 kept as is.

    >>> dumps({"a": [1, "é", None]})
    '{"a":[1,"é",null]}'
    """
    if _C_ENCODE is None:
        return _ENCODER.encode(value)
    try:
        return "".join(_C_ENCODE(value, 0))
    except RecursionError:
        return _ENCODER.encode(value)  # a circular value's ValueError, or RecursionError again


_SURROGATE = re.compile("[\ud800-\udfff]")


def unencodable(text: str) -> str | None:
    """Why JSON text is not valid UTF-8 JSON, or None when it is.

    A Python string can hold an unpaired UTF-16 surrogate (``os.listdir`` gives ``'\\udcff'``
    for a file name that is not UTF-8; ``json.loads`` gives one for ``"\\ud800"``). UTF-8 cannot
    encode it, so AWS never sees such text: payloads that carry one are refused where they enter
    (execution input, task results, SendTaskSuccess output), as AWS refuses invalid JSON text.

    >>> unencodable('{"a":"ok"}') is None, unencodable('"\\udcff"')
    (True, "an unpaired surrogate ('\\\\udcff') at character 1, which UTF-8 cannot encode")
    """
    if text.isascii():  # O(1) in CPython: the common case costs nothing
        return None
    found = _SURROGATE.search(text)
    if found is None:
        return None
    return (
        f"an unpaired surrogate ({found.group()!a}) at character {found.start()}, "
        "which UTF-8 cannot encode"
    )


def payload(text: str) -> tuple[str, dict[str, bool]]:
    """A payload and its ``*Details`` object; AWS truncates history payloads over the quota."""
    if len(text) > PAYLOAD_LIMIT and len(text.encode("utf-8")) > PAYLOAD_LIMIT:
        cut = text.encode("utf-8")[:PAYLOAD_LIMIT].decode("utf-8", "ignore")
        return cut, {"truncated": True}
    return text, {"truncated": False}


class Cursor:
    """Where the next event of one branch of work links to (its ``previousEventId``)."""

    __slots__ = ("last", "source")

    def __init__(self, source: int = 0) -> None:
        self.source = source
        self.last = source

    def child(self) -> Cursor:
        return Cursor(self.source)

    def integrate(self, other: Cursor) -> None:
        """After concurrent children: continue from the latest of their events."""
        self.source = max(self.source, other.source)
        self.last = max(self.last, other.last)


class EventLimitExceeded(StatesError):
    """The execution would pass the history quota (25,000 events for STANDARD)."""


@dataclass(slots=True)
class MapChild:
    """One child execution of a Distributed Map's map run (``History.map_runs``).

    AWS keeps these as executions of their own (ListExecutions with ``mapRunArn``); locally they
    are summarised here so the analysis frames and views can list them.
    """

    index: int  # the first item's index ($$.Map.Item.Index; a batch's first item)
    name: str
    status: str  # RUNNING, SUCCEEDED, FAILED or ABORTED
    start: datetime
    stop: datetime | None = None
    error: str | None = None
    cause: str | None = None
    item_count: int = 1  # the items the child got (a batch's length)
    output: Any = None  # a SUCCEEDED child's output, kept for a redrive of its map run
    # A failed child's own history events (the first few failures of a map run only), so a
    # view can open the child as AWS's console does; not stored.
    events: list[Event] | None = None
    input: Any = None  # that failed child's input (with ``events`` only)


class History:
    """The event list of one execution, thread-safe, with listeners.

    ``limit`` caps the events (None: no cap); ``limit_cause`` is the failure's cause text when
    the cap is reached.
    """

    def __init__(
        self,
        now: Callable[[], datetime],
        limit: int | None = EVENT_LIMIT,
        limit_cause: str | None = None,
    ) -> None:
        self.events: list[Event] = []
        # The execution logs (LogType Tail) of failed Lambda invocations, by the id of their
        # *Failed event: AWS's history has no field for them (a success carries its LogResult).
        self.task_logs: dict[int, str] = {}
        # A Distributed Map's child executions by map run ARN, in the order they started.
        self.map_runs: dict[str, list[MapChild]] = {}
        # The same map runs as DescribeMapRun shows them (engine.maprun.MapRun), by ARN.
        self.map_run_records: dict[str, Any] = {}
        self._now = now
        self._lock = threading.Lock()
        self._listeners = Listeners()
        self._limit = limit
        self._limit_cause = limit_cause
        self._note: dict[str, Any] | None = None  # for the next event (see note_next)

    @classmethod
    def for_execution(
        cls, now: Callable[[], datetime], state_machine_type: str, limits: Limits
    ) -> History:
        """The history of a new execution: AWS's 25,000-event quota for STANDARD, and
        ``limits.express_events`` for EXPRESS, whose events AWS does not keep but we do."""
        if state_machine_type == "STANDARD":
            return cls(now, EVENT_LIMIT)
        cause = (
            f"The execution reached sfn-notebook's limit of {limits.express_events} history "
            "events kept in memory for an EXPRESS execution (Limits.express_events)."
        )
        return cls(now, limits.express_events, cause)

    def note_next(self, note: dict[str, Any]) -> None:
        """Put ``note`` on the next event as our own ``sfnNotebookNote`` field: what a debugger
        changed while paused, or where a forked execution comes from (AWS has no event for
        either, so none is invented)."""
        with self._lock:
            self._note = note

    def listen(self, listener: Listener) -> None:
        """Call ``listener(event)`` for every event added from now on (on the adding thread);
        one that raises is logged and detached (see :mod:`sfn_notebook.engine.listeners`)."""
        self._listeners.add(listener)

    def unlisten(self, listener: Listener) -> None:
        self._listeners.remove(listener)

    def add(
        self,
        cursor: Cursor,
        type_: str,
        details_key: str | None = None,
        details: dict[str, Any] | None = None,
        *,
        advance: bool = True,
        force: bool = False,
        log: str | None = None,
    ) -> int:
        """Append an event; returns its id. ``force`` ignores the quota (terminal events).

        ``log`` goes to :attr:`task_logs` before listeners hear of the event.
        """
        with self._lock:
            events = self.events
            event_id = len(events) + 1
            limit = self._limit
            if limit is not None and event_id >= limit and not force:
                cause = self._limit_cause or (
                    f"The execution reached the maximum number of history events ({limit})."
                )
                raise EventLimitExceeded("States.Runtime", cause)
            # One dict display, keys in AWS's order: this runs for every event of every run.
            if details_key is None:
                event: Event = {
                    "timestamp": self._now(),
                    "type": type_,
                    "id": event_id,
                    "previousEventId": cursor.source,
                }
            else:
                event = {
                    "timestamp": self._now(),
                    "type": type_,
                    "id": event_id,
                    "previousEventId": cursor.source,
                    details_key: {} if details is None else details,
                }
            if self._note is not None:
                event["sfnNotebookNote"], self._note = self._note, None
            events.append(event)
            if log is not None:
                self.task_logs[event_id] = log
            cursor.last = event_id
            if advance:
                cursor.source = event_id
        self._listeners.dispatch(event)
        return event_id

    def __len__(self) -> int:
        return len(self.events)
