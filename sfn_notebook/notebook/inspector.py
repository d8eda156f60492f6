"""The widgets' state inspector: a click on a graph node, a timeline row or an event row asks
for a state's visits, and this answers with the one picked, stage by stage.

The front-end (``widgets/src/inspector.ts``) sends an :class:`~.protocol.InspectRequest` naming
what was clicked; :func:`inspection_reply` finds the state and visit it means, and replies with
the state's visits for the picker (labels only, at most :data:`PICKER_LIMIT`) and the chosen
visit's stages in full (each cut to :data:`~.eventquery.DETAIL_LIMIT` characters), from the same
:func:`~sfn_notebook.render.stages.visit_stages` reading that ``ex.inspect`` uses.

>>> import sfn_notebook as sfn
>>> from sfn_notebook.notebook.feed import ExecutionFeed
>>> ex = sfn.run({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": 1, "End": True}}},
...              record_stages=True)
>>> reply = inspection_reply(ExecutionFeed.of(ex), {"type": "inspect", "request": 1, "state": "P"})
>>> reply["state"], [s[0] for s in reply["current"]["stages"]][-2:]
('P', ['afterResultPath', 'output'])
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sfn_notebook.notebook.eventquery import DETAIL_LIMIT
from sfn_notebook.notebook.feed import ExecutionFeed
from sfn_notebook.notebook.protocol import InspectedVisit, InspectionReply, VisitChoice
from sfn_notebook.render.dot import node_id
from sfn_notebook.render.inspection import pretty
from sfn_notebook.render.stages import STAGE_LABELS, VisitStages, visit_stages
from sfn_notebook.render.visits import StateVisit

PICKER_LIMIT = 500  # visits listed in the picker; the one asked for is always among them


def inspection_reply(feed: ExecutionFeed, request: Mapping[str, Any]) -> InspectionReply:
    """The reply to one :class:`~.protocol.InspectRequest` (see the module's docstring)."""
    feed.refresh()
    with feed.lock:
        all_visits = list(feed.visits.values())
    state, key, attempt = _target(feed, all_visits, request)
    reply: InspectionReply = {
        "type": "inspection",
        "request": _int(request.get("request")) or 0,
        "state": state or "",
        "state_type": "",
        "definition": "",
        "visits": [],
        "total": 0,
        "selected": -1,
        "current": None,
        "message": None,
    }
    if state is None:
        reply["message"] = "No state for this row: pick a state's event or row."
        return reply
    found = _state(feed, state)
    if found is not None:
        reply["state_type"] = found.type
        reply["definition"] = json.dumps(dict(found.raw), indent=2, ensure_ascii=False)[
            :DETAIL_LIMIT
        ]
    visits = visit_stages(
        [v for v in all_visits if v.name == state], getattr(feed, "stages", None), state
    )
    reply["total"] = len(visits)
    if not visits:
        reply["message"] = "Not reached (yet) in this execution."
        return reply
    chosen = _choose(visits, key, attempt)
    shown = visits[:PICKER_LIMIT]
    if chosen >= PICKER_LIMIT:
        shown.append(visits[chosen])
    reply["state_type"] = reply["state_type"] or visits[0].type
    reply["visits"] = [_choice(v) for v in shown]
    reply["selected"] = min(chosen, len(shown) - 1)
    reply["current"] = _inspected(visits[chosen])
    return reply


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _target(
    feed: ExecutionFeed, visits: list[StateVisit], request: Mapping[str, Any]
) -> tuple[str | None, int | None, int | None]:
    """(state name, visit key, attempt) that a request means; a visit key alone names both."""
    key, attempt = _int(request.get("key")), _int(request.get("attempt"))
    by_key = {v.key: v for v in visits}
    state = request.get("state")
    if isinstance(state, str) and state:
        return state, key, attempt
    node = request.get("node")
    if isinstance(node, str) and node:
        found = _node_state(feed, visits, node)
        return found, None, None
    row = request.get("row")
    if isinstance(row, str) and row[:1] == "v" and row[1:].isdigit():
        visit = by_key.get(int(row[1:]))
        return (visit.name, visit.key, None) if visit else (None, None, None)
    if isinstance(row, str) and row[:1] == "i":
        # A Map iteration's row: the first state that ran in it.
        parent, _, index = row[1:].partition(".")
        inside = [
            v for v in visits if str(v.parent) == parent and v.path and str(v.path[-1][1]) == index
        ]
        first = min(inside, key=lambda v: v.key, default=None)
        return (first.name, first.key, None) if first else (None, None, None)
    event = _int(request.get("event"))
    if event is not None:
        with feed.lock:
            placed = feed.tracker.tree.visit_of(event)
        visit = by_key.get(placed.entered_id) if placed is not None else None
        return (visit.name, visit.key, None) if visit else (None, None, None)
    if key is not None and key in by_key:
        return by_key[key].name, key, attempt
    return None, None, None


def _node_state(feed: ExecutionFeed, visits: list[StateVisit], node: str) -> str | None:
    if feed.definition is not None:
        for state in feed.definition.walk():
            if node_id(state.pointer) == node:
                return state.name
    return next((v.name for v in visits if node_id(v.pointer or v.name) == node), None)


def _state(feed: ExecutionFeed, name: str) -> Any:
    if feed.definition is None:
        return None
    return next((s for s in feed.definition.walk() if s.name == name), None)


def _choose(visits: list[VisitStages], key: int | None, attempt: int | None) -> int:
    """The index of the visit asked for: its key and attempt, else its last attempt, else the
    latest visit (the one a user most likely wants while a run goes on)."""
    if key is not None:
        matching = [i for i, v in enumerate(visits) if v.key == key]
        exact = [i for i in matching if visits[i].attempt == attempt]
        if exact or matching:
            return (exact or matching)[-1]
    return len(visits) - 1


def _choice(visit: VisitStages) -> VisitChoice:
    return {
        "key": visit.key,
        "attempt": visit.attempt,
        "label": visit.label,
        "status": visit.status,
    }


def _clip(text: str) -> str:
    return text if len(text) <= DETAIL_LIMIT else text[:DETAIL_LIMIT] + "\n…"


def _inspected(visit: VisitStages) -> InspectedVisit:
    variables = visit.variables
    return {
        "key": visit.key,
        "attempt": visit.attempt,
        "label": visit.label,
        "status": visit.status,
        "recorded": visit.recorded,
        "note": visit.note,
        "stages": [
            [name, STAGE_LABELS.get(name, name), _clip(pretty(text, 0))]
            for name, text in visit.stages
            if name not in ("error", "variables")
        ],
        "variables": None if variables is None else _clip(pretty(json.dumps(variables), 0)),
        "error": visit.error,
        "cause": None if visit.cause is None else _clip(pretty(visit.cause, 0)),
        "log": None if visit.log is None else _clip(visit.log),
    }
