"""Time travel: an execution as it stood at any event of its history.

:func:`moment` replays the events up to the chosen one through the same reading the graph and
the timeline use (:func:`~sfn_notebook.render.attempts.state_attempts`), so each state's status
then is the colour the graph had then; the variables in scope come from the ``assignedVariables``
of the states that had exited (:func:`~sfn_notebook.engine.replay.variables_at`). It reads only
events, so it works for local, stored and AWS executions alike.

>>> import sfn_notebook as sfn
>>> flow = {"StartAt": "A", "States": {
...     "A": {"Type": "Pass", "Assign": {"n": 1}, "Next": "B"},
...     "B": {"Type": "Fail", "Error": "Oops"}}}
>>> ex = sfn.run(flow)
>>> then = moment(ex.history, 3)
>>> then.event_type, then.state, then.statuses, then.variables
('PassStateExited', 'A', {'A': 'SUCCEEDED'}, {'n': 1})
>>> moment(ex.history, -1).statuses
{'A': 'SUCCEEDED', 'B': 'FAILED'}
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sfn_notebook.engine.placement import EventTree
from sfn_notebook.engine.replay import variables_at
from sfn_notebook.errors import SfnNotebookError
from sfn_notebook.render.attempts import state_attempts
from sfn_notebook.render.dot import graph_statuses


@dataclass(frozen=True)
class Moment:
    """The execution at one event: ``statuses`` by state name (RUNNING, SUCCEEDED, FAILED,
    CAUGHT_ERROR, CANCELLED), the event's own ``state`` (None for execution events), that
    visit's ``input`` and ``output`` (parsed; None when not known yet), and the ``variables`` in
    scope of its line of work then."""

    event_id: int
    event_type: str
    event: Mapping[str, Any] = field(repr=False)
    statuses: dict[str, str]
    state: str | None
    input: Any
    output: Any
    variables: dict[str, Any]


def moment(events: Sequence[Mapping[str, Any]], event_id: int) -> Moment:
    """The execution as it stood once event ``event_id`` happened (negative: from the end)."""
    if isinstance(event_id, bool) or not isinstance(event_id, int):
        raise SfnNotebookError(f"time travel: an event id (int), not {event_id!r}")
    count = len(events)
    chosen = event_id + count + 1 if event_id < 0 else event_id
    if not 1 <= chosen <= count:
        raise SfnNotebookError(f"time travel: no event {event_id} (the history has {count})")
    prefix = list(events[:chosen])
    event = prefix[-1]
    visits = state_attempts(prefix, None)
    statuses = graph_statuses(visits)
    tree = EventTree()
    for each in prefix:
        tree.add(each)
    placed = tree.visit_of(chosen)
    state = input_value = output = None
    if placed is not None:
        state = placed.name
        visit = next((v for v in visits if v.key == placed.entered_id), None)
        if visit is not None:
            input_value, output = _parse(visit.input), _parse(visit.output)
    return Moment(
        chosen,
        str(event["type"]),
        event,
        statuses,
        state,
        input_value,
        output,
        variables_at(prefix, chosen),
    )


def _parse(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text
