"""Where each history event belongs: its line of work and the state visit it is about.

AWS history events do not say which Map iteration or Parallel branch they come from; this module
works it out from the events alone, once, for every reader: redrive (:mod:`.replay`), the
attempts view and the analysis frames (:mod:`sfn_notebook.render.attempts`), the store and the
CLI. :class:`EventTree` reads events in id order and places each one on a :class:`Line` (the
execution, one Parallel branch, one Map iteration) and in a :class:`Visit` (one entry into a
state, from ``<Type>StateEntered`` to its exit, failure or abort).

The rule, from AWS's history semantics (see :mod:`.history` for how ``previousEventId`` is
written):

1. An event's ``previousEventId`` is the previous event of its own line, so an event belongs
   where its predecessor is. Lines inside a Map or Parallel that has ended are left: the state
   after a Map links to its last iteration's event.
2. A ``<Type>StateEntered`` linked to ``ParallelStateStarted`` opens a branch (numbered as in the
   definition, else by the branch that already ran that state, else in the order they start).
   ``MapIterationStarted`` opens iteration ``index`` of the Map it names.
3. ``Map``/``ParallelStateSucceeded``/``Failed`` link to the last event of one of the state's
   lines: they belong to the nearest open Map/Parallel above it. ``MapStateStarted`` after a
   failure is a retry: it starts the iterations afresh.
4. When a failing iteration or branch ends its siblings, every end event links to the failing
   event. ``MapIterationFailed``/``Aborted`` name their Map and index. A ``<Type>StateAborted``
   belongs to the iteration whose ``MapIteration*`` event came just before it, else to the
   failing event's own visit if that is a running ``<Type>`` state (a Task aborted after its own
   failure, or StopExecution's abort of the state it interrupted), else to the first running
   ``<Type>`` state in the failing Map/Parallel, depth first in branch order: the order AWS ends
   them in (the failing line first, then the others, each with what runs inside it).

Keys for redrive: a visit is ``<line key>/<state name>#<n>`` where ``n`` counts the earlier
visits to that state on that line; a Parallel's branches have the Parallel visit's key (state
names are unique in a definition); a Map iteration is ``<Map visit key>[<index>]``.

>>> tree = EventTree()
>>> for event in [
...     {"id": 1, "previousEventId": 0, "type": "ExecutionStarted"},
...     {"id": 2, "previousEventId": 0, "type": "ParallelStateEntered",
...      "stateEnteredEventDetails": {"name": "P"}},
...     {"id": 3, "previousEventId": 2, "type": "ParallelStateStarted"},
...     {"id": 4, "previousEventId": 3, "type": "PassStateEntered",
...      "stateEnteredEventDetails": {"name": "B"}},
... ]:
...     _ = tree.add(event)
>>> tree.visit_of(4).key, tree.line_of(4).path
('/P#0/B#0', (('P', 0),))
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from sfn_notebook.asl.model import Definition

_ENTERED = "StateEntered"
_EXITED = "StateExited"
_ABORTED = "StateAborted"
_STARTED = {"MapStateStarted": "Map", "ParallelStateStarted": "Parallel"}
_CLOSED = {
    "MapStateSucceeded": "Map",
    "MapStateFailed": "Map",
    "ParallelStateSucceeded": "Parallel",
    "ParallelStateFailed": "Parallel",
}
_ITERATION_END = {"MapIterationSucceeded", "MapIterationFailed", "MapIterationAborted"}
_SIBLING_END = {"MapIterationFailed", "MapIterationAborted"}


class Visit:
    """One entry into a state: where it happened, and how it ended (if it did)."""

    __slots__ = (
        "assigned",
        "children",
        "entered_id",
        "exited",
        "inherit",
        "inherited",
        "kind",
        "line",
        "name",
        "next",
        "open",
        "ordinal",
        "output",
        "running",
    )

    def __init__(self, line: Line, name: str, kind: str, ordinal: int, entered_id: int) -> None:
        self.line = line
        self.name = name
        self.kind = kind  # the state type: "Task", "Map", "Parallel" ...
        self.ordinal = ordinal
        self.entered_id = entered_id
        self.exited = False
        self.running = kind != "Fail"  # until it exits, fails (Map/Parallel) or is aborted
        self.output: str | None = None
        self.assigned: dict[str, str] | None = None
        self.next: str | None = None  # the state entered next on the same line, once known
        self.open = False  # a Map/Parallel between its Started event and its end
        self.children: dict[int, Line] = {}  # this attempt's iterations or branches, by index
        self.inherited: dict[int, Line] = {}  # redriven: the previous run's, by index
        self.inherit = False  # redriven: keep the previous run's lines at the next Started

    @property
    def key(self) -> str:
        return f"{self.line.key}/{self.name}#{self.ordinal}"

    @property
    def path(self) -> tuple[tuple[str, int], ...]:
        """The enclosing Parallel branches and Map iterations, outside in."""
        return self.line.path

    def child(self, index: int) -> Line:
        """Branch or iteration ``index`` of this Map/Parallel's current attempt."""
        found = self.children.get(index)
        if found is None:
            key = self.key if self.kind == "Parallel" else f"{self.key}[{index}]"
            found = self.children[index] = Line(key, self, index, self.inherited.get(index))
        return found

    def start(self) -> None:
        """A Map/Parallel attempt begins: a retry starts its iterations or branches afresh."""
        if not self.inherit:
            self.children = {}
            self.inherited = {}
        self.inherit = False
        self.open = self.running = True

    def lines(self) -> list[Line]:
        """The lines of every run of this visit: the previous run's, then this one's."""
        return list({**self.inherited, **self.children}.values())

    def descends_from(self, ancestor: Visit) -> bool:
        owner = self.line.owner
        while owner is not None:
            if owner is ancestor:
                return True
            owner = owner.line.owner
        return False


class Line:
    """One line of work: the execution, one Parallel branch or one Map iteration."""

    __slots__ = (
        "active",
        "completed",
        "ended",
        "exits",
        "index",
        "key",
        "last_exited",
        "owner",
        "visits",
    )

    def __init__(
        self,
        key: str,
        owner: Visit | None = None,
        index: int | None = None,
        earlier: Line | None = None,
    ) -> None:
        self.key = key
        self.owner = owner
        self.index = index  # the branch or iteration index
        # A redriven line continues the previous run's: the same visits and ordinals.
        self.visits: dict[tuple[str, int], Visit] = dict(earlier.visits) if earlier else {}
        self.exits: dict[str, int] = dict(earlier.exits) if earlier else {}
        self.last_exited: Visit | None = earlier.last_exited if earlier else None
        self.active: dict[str, Visit] = {}  # entered, not exited
        self.completed = False  # a Map iteration that succeeded
        self.ended = False  # a Map iteration that succeeded, failed or was aborted

    @property
    def path(self) -> tuple[tuple[str, int], ...]:
        """``(state name, branch or iteration index)`` of each enclosing line, outside in."""
        path = []
        line: Line = self
        while line.owner is not None:
            path.append((line.owner.name, line.index or 0))
            line = line.owner.line
        return tuple(reversed(path))

    @property
    def is_branch(self) -> bool:
        return self.owner is not None and self.owner.kind == "Parallel"

    def enter(self, name: str, kind: str, event_id: int) -> Visit:
        ordinal = self.exits.get(name, 0)
        visit = Visit(self, name, kind, ordinal, event_id)
        earlier = self.visits.get((name, ordinal))
        if earlier is not None and not earlier.exited:  # redriven: the same visit again
            visit.inherited = {**earlier.inherited, **earlier.children}
            visit.inherit = True
        self.visits[(name, ordinal)] = visit
        self.active[name] = visit
        last = self.last_exited
        if last is not None and last.next is None:
            last.next = name
        return visit

    def exit(self, visit: Visit, details: Mapping[str, Any]) -> None:
        visit.exited = True
        visit.open = visit.running = False
        visit.output = details.get("output")
        assigned = details.get("assignedVariables")
        if assigned:
            visit.assigned = dict(assigned)
        self.exits[visit.name] = self.exits.get(visit.name, 0) + 1
        self.last_exited = visit
        if self.active.get(visit.name) is visit:
            del self.active[visit.name]

    def output(self) -> str | None:
        return None if self.last_exited is None else self.last_exited.output


class EventTree:
    """Places events, fed in id order, on lines and in visits (see the module docstring).

    With ``definition``, Parallel branches are numbered as in the definition.

    >>> tree = EventTree()
    >>> tree.add({"id": 1, "previousEventId": 0, "type": "ExecutionStarted"}) is None
    True
    >>> tree.add({"id": 2, "previousEventId": 0, "type": "PassStateEntered",
    ...           "stateEnteredEventDetails": {"name": "A"}}).key
    '/A#0'
    """

    __slots__ = ("_branch_of", "_ctx", "_last", "root")

    def __init__(self, definition: Definition | None = None) -> None:
        self.root = Line("")
        # event id -> (line, visit, type, empty Map)
        self._ctx: dict[int, tuple[Line, Visit | None, str, bool]] = {
            0: (self.root, None, "", False)
        }
        self._last: tuple[str, int, Line | None] = ("", -1, None)  # the last event: type, link
        self._branch_of: dict[str, int] = {}
        if definition is not None:
            for state in definition.walk():
                marker = state.pointer.rfind("/Branches/")
                if marker >= 0:
                    rest = state.pointer[marker + len("/Branches/") :]
                    self._branch_of[state.name] = int(rest.split("/", 1)[0])

    def visit_of(self, event_id: int) -> Visit | None:
        """The visit an event placed earlier is about (the Map's for its iteration events)."""
        found = self._ctx.get(event_id)
        return None if found is None else found[1]

    def line_of(self, event_id: int) -> Line | None:
        """The line an event placed earlier happened on."""
        found = self._ctx.get(event_id)
        return None if found is None else found[0]

    def add(self, event: Mapping[str, Any]) -> Visit | None:
        """Place one event; returns the visit it is about (None for execution-level events)."""
        kind = str(event["type"])
        prev = int(event.get("previousEventId") or 0)
        line, visit, prev_type, empty = self._ctx.get(prev, self._ctx[0])
        iteration_line: Line | None = None
        if kind.endswith(_ENTERED):
            if prev_type == "ParallelStateStarted" and visit is not None:
                line = self._branch(visit, event)  # the first event of a branch
            else:
                line = _lift(line)
            details = event.get("stateEnteredEventDetails") or {}
            visit = line.enter(str(details.get("name")), kind[: -len(_ENTERED)], event["id"])
        elif kind.endswith(_EXITED):
            details = event.get("stateExitedEventDetails") or {}
            visit = _named(_lift(line), visit, details.get("name"))
            if visit is not None:
                line = visit.line
                line.exit(visit, details)
        elif kind.endswith(_ABORTED):
            visit = self._aborted(kind[: -len(_ABORTED)], prev, line, visit) or visit
            if visit is not None:
                line = visit.line
                visit.running = visit.open = False
        elif kind == "MapIterationStarted" or kind in _ITERATION_END:
            details = next((v for k, v in event.items() if k.endswith("EventDetails")), None)
            details = details or {}
            name, index = str(details.get("name")), int(details.get("index", 0))
            if kind == "MapIterationStarted":
                owner = visit if prev_type == "MapStateStarted" else None
                owner = owner or _map_above(_lift(line), name) or visit
                iteration_line = owner.child(index) if owner is not None else None
            else:
                iteration_line = self._iteration(line, name, index)
                if iteration_line is not None:
                    iteration_line.ended = True
                    iteration_line.completed = kind == "MapIterationSucceeded"
            if iteration_line is not None:
                line, visit = iteration_line, iteration_line.owner
        elif kind in _CLOSED:
            owner = _closing(_lift(line), visit, _CLOSED[kind], prev_type, empty)
            if owner is not None:
                owner.open = False
                owner.running = kind.endswith("Succeeded") and owner.running
                line, visit = owner.line, owner
        elif kind in _STARTED:
            container = _STARTED[kind]
            if visit is None or visit.kind != container or not prev_type.endswith(_ENTERED):
                # A retry: linked to the previous attempt's last event (its <Type>StateFailed, or
                # on AWS also the last event of one of its lines: a Fail state's entry).
                owner = visit if visit is not None and visit.kind == container else None
                visit = owner or _owner_of_kind(_lift(line), container) or visit
            if visit is not None:
                line = visit.line
                visit.start()
                details = event.get("mapStateStartedEventDetails") or {}
                empty = kind == "MapStateStarted" and details.get("length") == 0
        elif kind == "EvaluationFailed":
            details = event.get("evaluationFailedEventDetails") or {}
            visit = _named(_lift(line), None, details.get("state")) or visit
            if visit is not None:
                line = visit.line
        elif kind.startswith("Execution"):
            line, visit = self.root, None
        elif visit is None:
            line = _lift(line)
        self._ctx[event["id"]] = (line, visit, kind, empty)
        self._last = (kind, prev, iteration_line)
        return visit

    # Placing -------------------------------------------------------------------------------

    def _branch(self, parallel: Visit, event: Mapping[str, Any]) -> Line:
        name = str((event.get("stateEnteredEventDetails") or {}).get("name"))
        index = self._branch_of.get(name)
        if index is None:  # no definition: the branch that ran it before, else the next one
            index = next((i for i, b in parallel.inherited.items() if _ran(b, name)), None)
        if index is None:
            index = len(parallel.children)
            while index in parallel.children:
                index += 1
        return parallel.child(index)

    def _iteration(self, line: Line, name: str, index: int) -> Line | None:
        """The iteration a MapIterationSucceeded/Failed/Aborted event ends."""
        probe: Line = line
        while probe.owner is not None:  # linked to the iteration's own last event
            owner = probe.owner
            if owner.kind == "Map" and owner.name == name and owner.children.get(index) is probe:
                return probe
            probe = owner.line
        # Linked to a sibling's failure: the Map being ended, depth first in the failing state.
        for visit in _below(_scope(line)):
            if visit.kind == "Map" and visit.name == name:
                found = visit.children.get(index)
                if found is not None and not found.ended:
                    return found
        return None

    def _aborted(self, kind: str, prev: int, line: Line, visit: Visit | None) -> Visit | None:
        """The visit a ``<Type>StateAborted`` ends (rule 4 of the module docstring)."""
        last_type, last_prev, last_line = self._last
        if last_type in _SIBLING_END and last_prev == prev and last_line is not None:
            found = next((v for v in last_line.active.values() if v.kind == kind), None)
            if found is not None:
                return found
        if visit is not None and visit.kind == kind and visit.running:
            return visit
        for candidate in _below(_scope(line)):
            if candidate.kind == kind and candidate.running and not candidate.line.ended:
                return candidate
        return None


def _ran(line: Line, name: str) -> bool:
    return any(key[0] == name for key in line.visits)


def _lift(line: Line) -> Line:
    """Leave the branches and iterations of Map/Parallel states that have ended."""
    while line.owner is not None and not line.owner.open:
        line = line.owner.line
    return line


def _scope(line: Line) -> Visit | Line:
    """The Map/Parallel whose lines a failure on ``line`` ends (the execution if none)."""
    probe = line
    while probe.owner is not None:
        if probe.owner.open:
            return probe.owner
        probe = probe.owner.line
    return probe


def _below(scope: Visit | Line) -> Iterator[Visit]:
    """``scope`` (a visit) and every visit under way inside it, depth first in line order."""
    if isinstance(scope, Visit):
        yield scope
        lines = sorted(scope.children.items())
    else:
        lines = [(0, scope)]
    for _, line in lines:
        for visit in list(line.active.values()):
            yield from _below(visit)


def _named(line: Line, visit: Visit | None, name: Any) -> Visit | None:
    """The visit to ``name`` that is under way on ``line`` or an enclosing line."""
    if visit is not None and visit.name == name:
        return visit
    probe: Line | None = line
    while probe is not None:
        found = probe.active.get(str(name))
        if found is not None:
            return found
        probe = probe.owner.line if probe.owner is not None else None
    return visit


def _map_above(line: Line, name: str) -> Visit | None:
    """The open Map named ``name`` whose iteration ``line`` is (a worker's next iteration)."""
    probe = line.owner
    while probe is not None:
        if probe.kind == "Map" and probe.name == name and probe.open:
            return probe
        probe = probe.line.owner
    return None


def _owner_of_kind(line: Line, kind: str) -> Visit | None:
    probe = line.owner
    while probe is not None:
        if probe.kind == kind and probe.open:
            return probe
        probe = probe.line.owner
    return None


def _closing(
    line: Line, visit: Visit | None, kind: str, prev_type: str, empty: bool
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
    return _owner_of_kind(line, kind) or visit
