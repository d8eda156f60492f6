"""The messages between the Python widgets and their browser front-end, typed on both sides.

``widgets/src/protocol.ts`` declares the same shapes as TypeScript interfaces (same names, same
fields); ``tests/test_widgets.py`` checks that the two files agree. Synced traits hold small,
bounded state (graph node statuses, the header, event counts); anything that grows with the run
(timeline rows, event pages, a state's payloads) travels as custom messages, as patches or as
replies to a request from the front-end.

Traits per widget ``kind``:

* ``graph``: ``svg`` (str), ``nodes`` (``dict[node id, NodeState]``), ``status`` (str),
  ``palette`` (``dict[status, [fill, border]]``), ``scope`` (:class:`Scope`, or ``{}`` for the
  whole run; the browser sets it), ``scopes`` (``list[ScopeChoice]``)
* ``timeline``: ``palette``, ``snapshot`` (the :class:`RowsUpdate` reset at construction); later
  rows arrive as :class:`RowsUpdate` patches
* ``events``: ``total`` (int), ``type_counts`` (``dict[str, int]``), ``status`` (str),
  ``states`` (``list[str]``, the state filter's choices), ``newest`` (``list[EventRow]``: the
  events added since the previous update, at most a page, so a table following the run needs no
  request while the kernel is busy)
* ``header``: ``header`` (:class:`~sfn_notebook.render.html.Header`), ``palette``
* ``maprun``: ``runs`` (``list[MapRunState]``), ``palette``; a click asks with a
  :class:`ChildRequest`, answered by a :class:`ChildReply`
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
    "ChildReply",
    "ChildRequest",
    "DebugRequest",
    "DetailsReply",
    "EventRow",
    "ExportReply",
    "ExportRequest",
    "Header",
    "HelloRequest",
    "InspectRequest",
    "InspectedVisit",
    "InspectionReply",
    "MapFailure",
    "MapRunState",
    "NodeState",
    "PageReply",
    "PageRequest",
    "RowsUpdate",
    "Scope",
    "ScopeChoice",
    "SelectRequest",
    "TimelineRow",
    "TravelRequest",
    "VisitChoice",
    "VisitDetails",
]


class NodeState(TypedDict):
    """A graph node's live state: its status; for Map states the iterations [succeeded, failed,
    running] and the subtitle that says so (``Map · 3 ok · 1 failed``)."""

    status: str
    counts: list[int] | None
    subtitle: str | None


class Scope(TypedDict):
    """The graph coloured for one iteration of Map ``state`` (or branch of a Parallel)."""

    state: str
    index: int


class ScopeChoice(TypedDict):
    """A Map or Parallel the scope selector offers: ``count`` iterations (branches) so far, and
    the indices of those that failed."""

    state: str
    type: str
    node: str
    count: int
    failed: list[int]


# -- browser → Python -----------------------------------------------------------------------------


class HelloRequest(TypedDict):
    """Sent by a view when it starts: the reply is a full :class:`RowsUpdate` (``reset``)."""

    type: Literal["hello"]


class SelectRequest(TypedDict):
    """A click on a graph node: the reply is a :class:`DetailsReply`."""

    type: Literal["select"]
    node: str


class PageRequest(TypedDict):
    """The event table asks for ``limit`` events from ``offset`` among those matching every
    filter given: ``types``, the ``state`` they are about, a ``text`` to search for. ``follow``
    asks for the last page instead of ``offset``; ``full`` for details never truncated."""

    type: Literal["page"]
    request: int
    offset: int
    limit: int
    types: list[str] | None
    state: str | None
    text: str
    follow: bool
    full: bool


class InspectRequest(TypedDict, total=False):
    """A click to inspect: a graph ``node``, a timeline ``row``, an ``event`` id, or a ``state``
    with a visit ``key`` and ``attempt`` (the picker). The reply is an :class:`InspectionReply`."""

    type: Literal["inspect"]
    request: int
    state: str
    node: str
    row: str
    event: int
    key: int
    attempt: int


class ExportRequest(TypedDict):
    """The graph's JSON button: the reply is an :class:`ExportReply`."""

    type: Literal["export"]


# -- Python → browser -----------------------------------------------------------------------------


class RowsUpdate(TypedDict):
    """Timeline rows that changed (all of them when ``reset``); ``end`` is the latest time (ms)."""

    type: Literal["rows"]
    reset: bool
    rows: list[TimelineRow]
    end: float | None
    status: str
    ticking: bool  # real clock, running: the browser advances ``end`` with wall time
    version: int  # the feed's version: an older reset never undoes a newer patch


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


# -- map runs (notebook/mapruns.py) ---------------------------------------------------------------


class MapFailure(TypedDict):
    """A failed child execution of a map run (``index`` -1 when AWS does not say)."""

    index: int
    name: str
    status: str
    error: str | None
    cause: str | None


class MapRunState(TypedDict):
    """One map run as the panel draws it: ``items`` by DescribeMapRun's itemCounts keys."""

    arn: str
    label: str
    status: str
    items: dict[str, int]
    children: int
    failures: list[MapFailure]
    more_failures: int
    remote: bool


class ChildRequest(TypedDict):
    """A click on a failure, or a child asked for by its index (``name``: its ARN on AWS)."""

    type: Literal["child"]
    map_run: str
    index: int
    name: str | None


class ChildReply(TypedDict):
    """A child execution's details and ``open``, the line that opens it, or ``opened``: its own
    view was opened below the panel (or ``problem``)."""

    type: Literal["child"]
    map_run: str
    index: int
    name: str | None
    status: str
    start: str | None
    stop: str | None
    error: str | None
    cause: str | None
    output: str | None
    items: int | None
    open: str | None
    opened: bool
    problem: str | None


class VisitChoice(TypedDict):
    """One entry of the inspector's visit picker."""

    key: int
    attempt: int
    label: str
    status: str


class InspectedVisit(TypedDict):
    """The picked visit: ``stages`` are ``[stage, label, indented JSON]`` in pipeline order."""

    key: int
    attempt: int
    label: str
    status: str
    recorded: bool
    note: str | None
    stages: list[list[str]]
    variables: str | None
    error: str | None
    cause: str | None
    log: str | None


class InspectionReply(TypedDict):
    """A state's visits (``total`` of them; ``visits`` may list fewer) and the ``selected`` one's
    stages; ``message`` says why there is nothing to show."""

    type: Literal["inspection"]
    request: int
    state: str
    state_type: str
    definition: str
    visits: list[VisitChoice]
    total: int
    selected: int
    current: InspectedVisit | None
    message: str | None


class ExportReply(TypedDict):
    """The execution as JSON text (DescribeExecution's fields and ``events``; for a graph of a
    definition alone, the definition) and the file name to save it under."""

    type: Literal["export"]
    filename: str
    json: str


class DebugRequest(TypedDict):
    """A debugger panel's button (step, resume, stop) or breakpoint toggle (``state``)."""

    type: Literal["debug"]
    action: str
    state: str | None


class TravelRequest(TypedDict):
    """The time-travel slider moved: show the execution at event ``event`` (0: live)."""

    type: Literal["travel"]
    event: int
