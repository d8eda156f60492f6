"""What a redrive may skip: the visits that exited and the Map iterations that succeeded.

A redrive (AWS's RedriveExecution) restarts the states that did not succeed.
:func:`replay_from_events` places the execution's events (:class:`~.placement.EventTree`, which
also defines the keys: ``<line key>/<state name>#<n>``, a Map iteration ``<Map visit
key>[<index>]``) and collects the visits that exited and the Map iterations that succeeded; the
engine computes the same keys while it runs, skips those (taking their recorded output, assigned
variables and next state) and runs the rest.

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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sfn_notebook.engine.debug import NOTE
from sfn_notebook.engine.placement import EventTree, Line

if TYPE_CHECKING:
    from sfn_notebook.engine.frame import Frame

__all__ = [
    "EventTree",
    "Replay",
    "Replayed",
    "fork_from_events",
    "replay_from_events",
    "variables_at",
]


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
    # A fork: the visit it begins with -> (its input as JSON text, variables to set there).
    starts: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.visits or self.iterations or self.starts)

    def start(self, key: str, frame: Frame, data: Any, text: str) -> tuple[Any, str]:
        """The input of visit ``key``: a fork's recorded (or edited) one when it begins there,
        with the fork's variables set in its scope; else ``data`` and ``text`` unchanged."""
        begin = self.starts.pop(key, None)
        if begin is None:
            return data, text
        start_text, variables = begin
        if variables:
            frame.variables.update(variables)
            frame.variable_sizes = None  # measured again at the next Assign
        return json.loads(start_text), start_text


def replay_from_events(events: Iterable[Mapping[str, Any]]) -> Replay:
    """The work a redrive keeps: every visit that exited and every Map iteration that succeeded,
    outside the states that are restarted as a whole (a visit that exited is kept whole)."""
    tree = EventTree()
    for event in events:
        tree.add(event)
    replay = Replay()
    _collect(tree.root, replay)
    return replay


def _collect(line: Line, replay: Replay) -> None:
    for visit in line.visits.values():
        if visit.exited:
            if visit.output is not None:
                replay.visits[visit.key] = Replayed(visit.output, visit.assigned, visit.next)
            continue
        for child in visit.lines():
            output = child.output()
            if child.completed and output is not None:
                replay.iterations[child.key] = output
            else:
                _collect(child, replay)


# Fork and time travel ----------------------------------------------------------------------------


def _tree(events: Iterable[Mapping[str, Any]], until: int) -> EventTree:
    tree = EventTree()
    for event in events:
        if int(event["id"]) > until:
            break
        tree.add(event)
    return tree


def fork_from_events(
    events: Sequence[Mapping[str, Any]],
    entered_id: int,
    input_text: str | None = None,
    variables: Mapping[str, Any] | None = None,
) -> tuple[Replay, str]:
    """What a fork from the state visit entered at event ``entered_id`` keeps, and its key.

    The fork replays the execution as it stood just before that event: the visits that had
    exited and the Map iterations that had succeeded are kept (their outputs and assigned
    variables, without events), every other line of work runs again from where it was, and the
    chosen visit begins with its recorded input (or ``input_text``) and ``variables`` set.

    >>> events = [
    ...     {"id": 1, "previousEventId": 0, "type": "ExecutionStarted"},
    ...     {"id": 2, "previousEventId": 0, "type": "PassStateEntered",
    ...      "stateEnteredEventDetails": {"name": "A", "input": "{}"}},
    ...     {"id": 3, "previousEventId": 2, "type": "PassStateExited",
    ...      "stateExitedEventDetails": {"name": "A", "output": "1",
    ...                                  "assignedVariables": {"x": "7"}}},
    ...     {"id": 4, "previousEventId": 3, "type": "TaskStateEntered",
    ...      "stateEnteredEventDetails": {"name": "B", "input": "1"}},
    ... ]
    >>> replay, key = fork_from_events(events, 4)
    >>> key, sorted(replay.visits), replay.starts[key]
    ('/B#0', ['/A#0'], ('1', {'x': 7}))
    """
    entered = next((e for e in events if int(e["id"]) == entered_id), None)
    details = None if entered is None else entered.get("stateEnteredEventDetails")
    if entered is None or not str(entered["type"]).endswith("StateEntered") or not details:
        raise ValueError(f"event {entered_id} is not a state's entry (<Type>StateEntered)")
    tree = _tree(events, entered_id)
    visit = tree.visit_of(entered_id)
    assert visit is not None
    replay = Replay()
    _collect(_tree(events, entered_id - 1).root, replay)
    text = input_text if input_text is not None else str(details.get("input", "{}"))
    # The variables in scope then (debugger edits included), and the caller's changes.
    scope = {**variables_at(events, entered_id), **(variables or {})}
    replay.starts[visit.key] = (text, scope)
    return replay, visit.key


def variables_at(events: Sequence[Mapping[str, Any]], event_id: int) -> dict[str, Any]:
    """The variables in scope of the line of work of event ``event_id``, as they stood when it
    happened: what the states that had exited assigned, on that line and the lines enclosing it
    (an inner line's own variables hide outer ones, as AWS scopes them).

    >>> events = [
    ...     {"id": 1, "previousEventId": 0, "type": "ExecutionStarted"},
    ...     {"id": 2, "previousEventId": 0, "type": "PassStateEntered",
    ...      "stateEnteredEventDetails": {"name": "A", "input": "{}"}},
    ...     {"id": 3, "previousEventId": 2, "type": "PassStateExited",
    ...      "stateExitedEventDetails": {"name": "A", "output": "{}",
    ...                                  "assignedVariables": {"x": "7"}}},
    ...     {"id": 4, "previousEventId": 3, "type": "PassStateEntered",
    ...      "stateEnteredEventDetails": {"name": "B", "input": "{}"}},
    ... ]
    >>> variables_at(events, 2), variables_at(events, 4)
    ({}, {'x': 7})
    """
    tree = EventTree()
    placed: list[tuple[Mapping[str, Any], Line | None]] = []
    for event in events:
        if int(event["id"]) > event_id:
            break
        tree.add(event)
        placed.append((event, tree.line_of(int(event["id"]))))
    chain: set[int] = set()
    probe: Line | None = tree.line_of(event_id) or tree.root
    while probe is not None:
        chain.add(id(probe))
        probe = probe.owner.line if probe.owner is not None else None
    # In time order: an outer line waits while its inner lines run, so this is scope order too.
    scope: dict[str, Any] = {}
    for event, line in placed:
        if line is None or id(line) not in chain:
            continue
        details = event.get("stateExitedEventDetails")
        if details is not None and details.get("assignedVariables"):
            scope.update({k: json.loads(v) for k, v in details["assignedVariables"].items()})
        edit = (event.get(NOTE) or {}).get("debuggerEdit") or {}
        for name, change in (edit.get("variables") or {}).items():
            scope[name] = json.loads(change["after"])
    return scope
