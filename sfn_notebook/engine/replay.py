"""Which state visit each history event belongs to, and what a redrive may skip.

AWS history events do not say which Map iteration or Parallel branch they come from; only
``previousEventId`` links tell, and a few events link across branches (a Map's end links to its
last iteration's event). :class:`EventTree` reads events in id order and places each one in a
*frame* (the execution, a Parallel state's branches, one Map iteration) and a *visit* (one entry
into a state, from ``<Type>StateEntered`` to ``<Type>StateExited``). State names are unique in a
definition (AWS rejects duplicates), so a Parallel state's branches can share one frame.

Visits and frames have keys that the engine can compute while it runs, without events:

* a visit: ``<frame key>/<state name>#<n>`` where ``n`` counts the earlier visits to that state
  in that frame (every earlier one has exited: a frame is one sequential line of work);
* a Parallel state's branches: the Parallel visit's key;
* a Map iteration: ``<Map visit key>[<index>]``.

A redrive (AWS's RedriveExecution) restarts the states that did not succeed.
:func:`replay_from_events` collects the visits that exited and the Map iterations that succeeded,
keyed as above; the engine skips those (taking their recorded output, assigned variables and
next state) and runs the rest.

>>> events = [
...     {"id": 1, "previousEventId": 0, "type": "ExecutionStarted"},
...     {"id": 2, "previousEventId": 0, "type": "PassStateEntered",
...      "stateEnteredEventDetails": {"name": "A", "input": "{}"}},
...     {"id": 3, "previousEventId": 2, "type": "PassStateExited",
...      "stateExitedEventDetails": {"name": "A", "output": "{\\"a\\":1}"}},
...     {"id": 4, "previousEventId": 3, "type": "TaskStateEntered",
...      "stateEnteredEventDetails": {"name": "B", "input": "{\\"a\\":1}"}},
...     {"id": 5, "previousEventId": 4, "type": "ExecutionFailed",
...      "executionFailedEventDetails": {"error": "X"}},
... ]
>>> replay = replay_from_events(events)
>>> replay.visits["/A#0"].output, replay.visits["/A#0"].next
('{"a":1}', 'B')
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

_ENTERED = "StateEntered"
_EXITED = "StateExited"
_STARTED = {"MapStateStarted": "Map", "ParallelStateStarted": "Parallel"}
_CLOSED = {
    "MapStateSucceeded": "Map",
    "MapStateFailed": "Map",
    "ParallelStateSucceeded": "Parallel",
    "ParallelStateFailed": "Parallel",
}


class Visit:
    """One entry into a state: where it happened, and how it ended (if it exited)."""

    __slots__ = (
        "assigned",
        "children",
        "entered_id",
        "exited",
        "frame",
        "inherit",
        "kind",
        "name",
        "next",
        "open",
        "ordinal",
        "output",
    )

    def __init__(self, frame: Frame, name: str, kind: str, ordinal: int, entered_id: int) -> None:
        self.frame = frame
        self.name = name
        self.kind = kind  # the state type: "Task", "Map", "Parallel" ...
        self.ordinal = ordinal
        self.entered_id = entered_id
        self.exited = False
        self.output: str | None = None
        self.assigned: dict[str, str] | None = None
        self.next: str | None = None  # the state entered next in the same frame, once known
        self.open = False  # a Map/Parallel between its Started event and its end
        self.children: dict[int, Frame] = {}  # Map: iteration index -> frame; Parallel: {0: frame}
        self.inherit = False  # redriven: keep the previous run's children at the next Started

    @property
    def key(self) -> str:
        return f"{self.frame.key}/{self.name}#{self.ordinal}"

    def child(self, index: int) -> Frame:
        found = self.children.get(index)
        if found is None:
            key = self.key if self.kind == "Parallel" else f"{self.key}[{index}]"
            found = self.children[index] = Frame(key, self, index)
        return found

    def start(self) -> None:
        """A Map/Parallel attempt begins: a retry starts its iterations or branches afresh."""
        if not self.inherit:
            self.children = {}
        self.inherit = False
        self.open = True


class Frame:
    """One line of work: the execution, a Parallel state's branches, or one Map iteration."""

    __slots__ = ("active", "completed", "exits", "index", "key", "last_exited", "owner", "visits")

    def __init__(self, key: str, owner: Visit | None = None, index: int | None = None) -> None:
        self.key = key
        self.owner = owner
        self.index = index  # the Map iteration index
        self.visits: dict[tuple[str, int], Visit] = {}
        self.active: dict[str, Visit] = {}  # entered, not exited
        self.exits: dict[str, int] = {}
        self.last_exited: Visit | None = None
        self.completed = False  # a Map iteration that succeeded

    def enter(self, name: str, kind: str, event_id: int) -> Visit:
        ordinal = self.exits.get(name, 0)
        visit = Visit(self, name, kind, ordinal, event_id)
        earlier = self.visits.get((name, ordinal))
        if earlier is not None and not earlier.exited:  # redriven: the same visit again
            visit.children = earlier.children
            visit.inherit = True
        self.visits[(name, ordinal)] = visit
        self.active[name] = visit
        last = self.last_exited
        if last is not None and last.next is None:
            last.next = name
        return visit

    def output(self) -> str | None:
        return None if self.last_exited is None else self.last_exited.output


class EventTree:
    """Places events, fed in id order, in frames and visits (see the module docstring).

    >>> tree = EventTree()
    >>> tree.add({"id": 1, "previousEventId": 0, "type": "ExecutionStarted"}) is None
    True
    >>> tree.add({"id": 2, "previousEventId": 0, "type": "PassStateEntered",
    ...           "stateEnteredEventDetails": {"name": "A"}}).key
    '/A#0'
    """

    __slots__ = ("_ctx", "root")

    def __init__(self) -> None:
        self.root = Frame("")
        # event id -> (frame, visit, type, empty Map)
        self._ctx: dict[int, tuple[Frame, Visit | None, str, bool]] = {
            0: (self.root, None, "", False)
        }

    def visit_of(self, event_id: int) -> Visit | None:
        found = self._ctx.get(event_id)
        return None if found is None else found[1]

    def frame_of(self, event_id: int) -> Frame | None:
        found = self._ctx.get(event_id)
        return None if found is None else found[0]

    def add(self, event: Mapping[str, Any]) -> Visit | None:
        """Place one event; returns the visit it belongs to (None for execution-level events)."""
        kind = event["type"]
        frame, visit, prev_type, empty = self._ctx.get(
            event.get("previousEventId") or 0, (self.root, None, "", False)
        )
        if kind.endswith(_ENTERED):
            if prev_type == "ParallelStateStarted" and visit is not None:
                frame = visit.child(0)  # the first event of a branch
            else:
                frame = _lift(frame)
            details = event.get("stateEnteredEventDetails") or {}
            visit = frame.enter(str(details.get("name")), kind[: -len(_ENTERED)], event["id"])
        elif kind.endswith(_EXITED):
            frame = _lift(frame)
            details = event.get("stateExitedEventDetails") or {}
            visit = _named(frame, visit, details.get("name"))
            if visit is not None:
                frame = visit.frame
                _exit(visit, details)
        elif kind == "MapIterationStarted":
            details = event.get("mapIterationStartedEventDetails") or {}
            if prev_type != "MapStateStarted" or visit is None:
                frame = _lift(frame)
                visit = frame.owner
            if visit is not None:
                frame = visit.child(int(details.get("index", 0)))
            visit = None
        elif kind in _CLOSED:
            owner = _closing(_lift(frame), visit, _CLOSED[kind], prev_type, empty)
            if owner is not None:
                owner.open = False
                frame, visit = owner.frame, owner
        elif kind in _STARTED:
            if not prev_type.endswith(_ENTERED):  # a retry: the previous attempt's last event
                frame = _lift(frame)
                owner = visit if visit is not None and visit.kind == _STARTED[kind] else None
                visit = owner or _owner_of_kind(frame, _STARTED[kind]) or visit
            if visit is not None:
                frame = visit.frame
                visit.start()
                details = event.get("mapStateStartedEventDetails") or {}
                empty = kind == "MapStateStarted" and details.get("length") == 0
        elif kind == "MapIterationSucceeded":
            frame.completed = True
        elif kind == "EvaluationFailed":
            details = event.get("evaluationFailedEventDetails") or {}
            visit = _named(_lift(frame), None, details.get("state")) or visit
            if visit is not None:
                frame = visit.frame
        elif kind.startswith("Execution"):
            frame, visit = self.root, None
        else:
            frame = _lift(frame) if visit is None else frame
        self._ctx[event["id"]] = (frame, visit, kind, empty)
        return visit


def _lift(frame: Frame) -> Frame:
    """Leave the branches and iterations of Map/Parallel states that have ended."""
    while frame.owner is not None and not frame.owner.open:
        frame = frame.owner.frame
    return frame


def _named(frame: Frame, visit: Visit | None, name: Any) -> Visit | None:
    """The visit to ``name`` that is under way in ``frame`` or an enclosing frame."""
    if visit is not None and visit.name == name:
        return visit
    probe: Frame | None = frame
    while probe is not None:
        found = probe.active.get(str(name))
        if found is not None:
            return found
        probe = probe.owner.frame if probe.owner is not None else None
    return visit


def _owner_of_kind(frame: Frame, kind: str) -> Visit | None:
    probe = frame.owner
    while probe is not None:
        if probe.kind == kind and probe.open:
            return probe
        probe = probe.frame.owner
    return None


def _closing(
    frame: Frame, visit: Visit | None, kind: str, prev_type: str, empty: bool
) -> Visit | None:
    """The Map/Parallel visit a Succeeded/Failed event ends.

    It links to its last child event, except when no child ran: a Map over no items, a
    distributed Map (its map run's events), or a failure while the state itself was evaluated.
    A child Map/Parallel cancelled half-way (its sibling failed) never ends, so a Started event
    of a state nested inside does not make that state the one ending.
    """
    own_event = empty or prev_type == "EvaluationFailed" or prev_type.startswith("MapRun")
    if own_event and visit is not None and visit.kind == kind and visit.open:
        return visit
    return _owner_of_kind(frame, kind) or visit


def _exit(visit: Visit, details: Mapping[str, Any]) -> None:
    frame = visit.frame
    visit.exited = True
    visit.open = False
    visit.output = details.get("output")
    assigned = details.get("assignedVariables")
    if assigned:
        visit.assigned = dict(assigned)
    frame.exits[visit.name] = frame.exits.get(visit.name, 0) + 1
    frame.last_exited = visit
    if frame.active.get(visit.name) is visit:
        del frame.active[visit.name]


# Redrive -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Replayed:
    """A visit that exited: its output (JSON text), assigned variables and the next state."""

    output: str
    assigned: Mapping[str, str] | None = None  # name -> value as JSON text, as events show them
    next: str | None = None  # None: not known from the events; the state's own Next decides

    def value(self) -> Any:
        return json.loads(self.output)

    def variables(self) -> dict[str, Any]:
        return {name: json.loads(text) for name, text in (self.assigned or {}).items()}


@dataclass
class Replay:
    """What a redriven execution skips: exited visits and succeeded Map iterations, by key.

    The engine pops entries as it uses them, so a retry of a redriven Map or Parallel state runs
    its iterations and branches afresh.
    """

    visits: dict[str, Replayed] = field(default_factory=dict)
    iterations: dict[str, str] = field(default_factory=dict)  # Map iteration key -> output text

    def __bool__(self) -> bool:
        return bool(self.visits or self.iterations)


def replay_from_events(events: Iterable[Mapping[str, Any]]) -> Replay:
    """The work a redrive keeps: every visit that exited and every Map iteration that succeeded,
    outside the states that are restarted as a whole (a visit that exited is kept whole)."""
    tree = EventTree()
    for event in events:
        tree.add(event)
    replay = Replay()
    _collect(tree.root, replay)
    return replay


def _collect(frame: Frame, replay: Replay) -> None:
    for visit in frame.visits.values():
        if visit.exited:
            if visit.output is not None:
                replay.visits[visit.key] = Replayed(visit.output, visit.assigned, visit.next)
            continue
        for child in visit.children.values():
            output = child.output()
            if child.completed and output is not None:
                replay.iterations[child.key] = output
            else:
                _collect(child, replay)
