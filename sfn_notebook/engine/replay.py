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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sfn_notebook.engine.placement import EventTree, Line

__all__ = ["EventTree", "Replay", "Replayed", "replay_from_events"]


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
