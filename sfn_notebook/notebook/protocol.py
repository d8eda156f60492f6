"""The messages between the Python widgets and their browser front-end, typed on both sides.

``widgets/src/protocol.ts`` declares the same shapes as TypeScript interfaces (same names, same
fields); ``tests/test_widgets.py`` checks that the two files agree. Synced traits hold small,
bounded state (graph node statuses, the header, event counts); anything that grows with the run
(timeline rows, event pages, a state's payloads) travels as custom messages, as patches or as
replies to a request from the front-end.

Traits per widget ``kind``:

* ``graph``: ``svg`` (str), ``nodes`` (``dict[node id, NodeState]``), ``status`` (str),
  ``palette`` (``dict[status, [fill, border]]``)
* ``timeline``: ``palette``; rows arrive as :class:`RowsUpdate`
* ``events``: ``total`` (int), ``type_counts`` (``dict[str, int]``), ``status`` (str)
* ``header``: ``header`` (:class:`~sfn_notebook.render.html.Header`), ``palette``
* ``debugger``: ``states``, ``breakpoints`` (lists of str), ``paused``, ``moment_info`` (dicts),
  ``events``, ``moment`` (int), ``status``, ``error`` (str); see notebook/debugger.py

>>> sorted(NodeState.__annotations__)
['counts', 'status', 'subtitle']
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

from sfn_notebook.render.html import Header
from sfn_notebook.render.timeline import TimelineRow

__all__ = [
    "DebugRequest",
    "DetailsReply",
    "EventRow",
    "Header",
    "HelloRequest",
    "NodeState",
    "PageReply",
    "PageRequest",
    "RowsUpdate",
    "SelectRequest",
    "TimelineRow",
    "TravelRequest",
    "VisitDetails",
]


class NodeState(TypedDict):
    """A graph node's live state: its status; for Map states the iterations [succeeded, failed,
    running] and the subtitle that says so (``Map · 3 ok · 1 failed``)."""

    status: str
    counts: list[int] | None
    subtitle: str | None


# -- browser → Python -----------------------------------------------------------------------------


class HelloRequest(TypedDict):
    """Sent by a view when it starts: the reply is a full :class:`RowsUpdate` (``reset``)."""

    type: Literal["hello"]


class SelectRequest(TypedDict):
    """A click on a graph node: the reply is a :class:`DetailsReply`."""

    type: Literal["select"]
    node: str


class PageRequest(TypedDict):
    """The event table asks for ``limit`` events from ``offset`` (only ``types``, if given)."""

    type: Literal["page"]
    request: int
    offset: int
    limit: int
    types: list[str] | None


# -- Python → browser -----------------------------------------------------------------------------


class RowsUpdate(TypedDict):
    """Timeline rows that changed (all of them when ``reset``); ``end`` is the latest time (ms)."""

    type: Literal["rows"]
    reset: bool
    rows: list[TimelineRow]
    end: float | None
    status: str
    ticking: bool  # real clock, running: the browser advances ``end`` with wall time


class VisitDetails(TypedDict):
    """One visit of a selected state; times are ms since the execution started."""

    key: int
    status: str
    entered: float | None
    exited: float | None
    input: str | None
    output: str | None
    error: str | None
    cause: str | None
    attempts: list[list[Any]]
    path: list[list[Any]]


class DetailsReply(TypedDict):
    """A selected state's definition and its latest visits (``more`` older ones not sent)."""

    type: Literal["details"]
    node: str
    name: str
    state_type: str
    definition: str
    visits: list[VisitDetails]
    more: int


class EventRow(TypedDict):
    """One history event for the table; ``details`` is its details object as indented JSON;
    ``log`` the decoded execution log of a Lambda invocation with ``LogType: Tail``."""

    id: int
    previous: int
    type: str
    time: str
    summary: str
    details: str
    truncated: bool
    log: str | None


class PageReply(TypedDict):
    """The answer to a :class:`PageRequest`; ``total`` counts the events that match the filter."""

    type: Literal["page"]
    request: int
    offset: int
    total: int
    rows: list[EventRow]


class DebugRequest(TypedDict):
    """A debugger panel's button (step, resume, stop) or breakpoint toggle (``state``)."""

    type: Literal["debug"]
    action: str
    state: str | None


class TravelRequest(TypedDict):
    """The time-travel slider moved: show the execution at event ``event`` (0: live)."""

    type: Literal["travel"]
    event: int
