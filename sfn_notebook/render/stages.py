"""Each state visit's data at every processing stage: what the state inspector shows.

The engine reports a state's data after each stage of its I/O pipeline to a stage observer
(:mod:`sfn_notebook.engine.observe`); an execution that records them keeps a
:class:`~sfn_notebook.engine.observe.StageLog` (``Execution.stage_log``). This module joins that
record with the visits the history tells of (:func:`~sfn_notebook.render.attempts.state_attempts`)
into one :class:`VisitStages` per visit and attempt: a Task retried twice gives three, one per
attempt, each with its own stages, error and captured function log; each Map iteration's visit of
a state is its own. Nothing is recomputed: the values are the engine's own, copied as JSON text
when they were reported. A Runtime with a SQLite store keeps each execution's record with its
outcome, so a reopened store can still inspect it. An execution that did not record its stages
(a script, or a run on AWS) still gives each visit's input and output, read from its history,
marked ``recorded=False``.

:func:`stage_visits` is the reusable entry point (the debugger shows a paused state's pending
input with it); ``Execution.inspect`` and ``%sfn inspect`` present its answer.

>>> import sfn_notebook as sfn
>>> ex = sfn.run({"StartAt": "P", "States": {"P": {"Type": "Pass", "InputPath": "$.a",
...     "ResultPath": "$.b", "End": True}}}, {"a": {"x": 1}}, record_stages=True)
>>> visit = stage_visits(ex, "P")[0]
>>> [name for name, _ in visit.stages]
['input', 'afterInputPath', 'afterParameters', 'result', 'afterResultPath', 'output']
>>> visit.text("afterInputPath"), visit.text("output")
('{"x":1}', '{"a":{"x":1},"b":{"x":1}}')
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sfn_notebook.asl.model import Definition
from sfn_notebook.engine.observe import Stage, StageLog
from sfn_notebook.errors import SfnNotebookError
from sfn_notebook.render.attempts import state_attempts
from sfn_notebook.render.visits import StateVisit

__all__ = ["STAGE_LABELS", "InspectError", "VisitStages", "stage_visits", "visit_stages"]

#: The stages' names as the AWS console's advanced view of state input and output labels them.
STAGE_LABELS: dict[str, str] = {
    "input": "Input",
    "afterInputPath": "After InputPath",
    "afterParameters": "After Parameters",
    "afterArguments": "After Arguments",
    "afterItemsPath": "After ItemsPath",
    "maxConcurrency": "MaxConcurrency",
    "toleratedFailureCount": "ToleratedFailureCount",
    "toleratedFailurePercentage": "ToleratedFailurePercentage",
    "afterItemSelector": "After ItemSelector",
    "afterItemBatcher": "After ItemBatcher",
    "result": "Result",
    "afterResultSelector": "After ResultSelector",
    "afterResultPath": "After ResultPath",
    "error": "Error",
    "variables": "Variables assigned",
    "output": "Output",
}

NOT_RECORDED = (
    "Stages were not recorded for this execution (record_stages=False, or it ran outside a "
    "notebook kernel): input and output are read from the history."
)
UNSEEN = (
    "No stages were recorded for this visit (it ran where nothing recorded, e.g. before a "
    "redrive in a Runtime that does not record): "
    "input and output are read from the history."
)
CAPPED = (
    "The stage record reached its cap (Limits.recorded_stages, {limit:,} bytes) before this "
    "visit: later stages were not kept; input and output are read from the history."
)


class InspectError(SfnNotebookError, LookupError):
    """A state or visit to inspect that the execution does not have."""

    code = "InspectError"


@dataclass(frozen=True)
class VisitStages:
    """One attempt of one visit to a state, with its data at each stage of the I/O pipeline.

    ``key`` is the id of the visit's ``<Type>StateEntered`` event; ``attempt`` counts retries
    (0 for the first try, AWS's ``RetryCount``) out of ``attempts``. ``stages`` are
    ``(stage, JSON text)`` in the order the engine ran them (names as in
    :mod:`sfn_notebook.engine.observe`; an attempt after the first starts with the visit's
    ``input`` again). ``recorded`` is False when the engine's stages were not kept and only the
    history's input and output are known (``note`` says why). ``log`` is the function's captured
    log (a Lambda Task with ``LogType: Tail``).
    """

    state: str
    type: str
    key: int
    attempt: int
    attempts: int
    status: str
    stages: tuple[tuple[str, str], ...]
    path: tuple[tuple[str, int], ...] = ()
    map_iteration: int | None = None
    entered: datetime | None = None
    exited: datetime | None = None
    log: str | None = None
    recorded: bool = True
    note: str | None = None
    error: str | None = None
    cause: str | None = None

    def text(self, stage: str) -> str | None:
        """The JSON text at ``stage`` (the last one of that name), or None."""
        for name, text in reversed(self.stages):
            if name == stage:
                return text
        return None

    def value(self, stage: str) -> Any:
        """The value at ``stage``, parsed (None when the visit has no such stage)."""
        text = self.text(stage)
        return None if text is None else json.loads(text)

    @property
    def variables(self) -> dict[str, Any] | None:
        """The variables the visit assigned (its own Assign, a Choice rule's or a catcher's)."""
        found: dict[str, Any] | None = None
        for name, text in self.stages:
            if name == "variables":
                value = json.loads(text)
                if isinstance(value, dict):
                    found = {**(found or {}), **value}
        return found

    @property
    def label(self) -> str:
        """A short name for the visit picker: where it ran, and which attempt."""
        parts = [f"event {self.key}"]
        parts += [f"{name}[{index}]" for name, index in self.path]
        if self.attempts > 1:
            parts.append(f"attempt {self.attempt + 1} of {self.attempts}")
        return " · ".join(parts)


def stage_visits(execution: Any, state: str | None = None) -> list[VisitStages]:
    """Every visit (and attempt) of an execution, or of its ``state``, with its stages.

    ``execution`` is an ``Execution`` (local, running or finished; its recorded stages are used
    when it has them) or anything with ``history`` and optionally ``definition`` and
    ``stage_log``. A visit still running has the stages it has reached: a state paused at a
    breakpoint shows the input it is about to work on.

    >>> import sfn_notebook as sfn
    >>> ex = sfn.run({"StartAt": "C", "States": {"C": {"Type": "Pass", "Result": 3,
    ...     "Assign": {"n": 1}, "End": True}}}, record_stages=True)
    >>> visit = stage_visits(ex, "C")[0]
    >>> visit.value("result"), visit.variables, visit.value("output")
    (3, {'n': 1}, 3)
    """
    history = getattr(execution, "live_history", None)
    logs = getattr(history, "task_logs", None)
    events = execution.history if hasattr(execution, "history") else list(execution)
    return visit_stages(
        state_attempts(events, getattr(execution, "definition", None), logs),
        getattr(execution, "stage_log", None),
        state,
    )


def visit_stages(
    visits: Iterable[StateVisit],
    log: StageLog | Iterable[Stage] | None,
    state: str | None = None,
) -> list[VisitStages]:
    """:func:`stage_visits` from visits already read (the widgets' feed has them) and a stage
    record (None: not recorded)."""
    recorded = list(log.stages() if isinstance(log, StageLog) else log or ())
    by_visit: dict[int, dict[int, list[Stage]]] = {}
    for stage in recorded:
        if stage.event_id is None or (state is not None and stage.state != state):
            continue
        by_visit.setdefault(stage.event_id, {}).setdefault(stage.retry_count, []).append(stage)
    capped = isinstance(log, StageLog) and log.full
    note = None
    if log is None:
        note = NOT_RECORDED
    elif capped:
        assert isinstance(log, StageLog)
        note = CAPPED.format(limit=log.limit or 0)
    out: list[VisitStages] = []
    for visit in sorted(visits, key=lambda v: v.key):
        if state is not None and visit.name != state:
            continue
        attempts = by_visit.get(visit.key)
        if attempts:
            out.extend(_attempts(visit, attempts))
        else:
            out.append(_from_history(visit, note or UNSEEN))
    return out


def _attempts(visit: StateVisit, attempts: Mapping[int, list[Stage]]) -> list[VisitStages]:
    numbers = sorted(set(attempts) | {a.number for a in visit.attempts})
    first = attempts.get(0) or attempts[min(attempts)]
    entry = next(((s.stage, s.text) for s in first if s.stage == "input"), None)
    out = []
    for number in numbers:
        stages = [(s.stage, s.text) for s in attempts.get(number, ())]
        if entry is not None and (not stages or stages[0][0] != "input"):
            stages.insert(0, entry)
        tried = next((a for a in visit.attempts if a.number == number), None)
        last = number == numbers[-1]
        status = visit.status if last or tried is None else tried.status
        error, cause = _failure(stages)
        if error is None and tried is not None:
            error, cause = tried.error, tried.cause
        if error is None and last:
            error, cause = visit.error, visit.cause
        out.append(
            VisitStages(
                state=visit.name,
                type=visit.type,
                key=visit.key,
                attempt=number,
                attempts=len(numbers),
                status=status,
                stages=tuple(stages),
                path=visit.path,
                map_iteration=visit.map_iteration,
                entered=visit.entered,
                exited=visit.exited if last else (tried.ended if tried else None),
                log=tried.log if tried is not None else None,
                error=error,
                cause=cause,
            )
        )
    return out


def _failure(stages: list[tuple[str, str]]) -> tuple[str | None, str | None]:
    for name, text in reversed(stages):
        if name == "error":
            value = json.loads(text)
            if isinstance(value, dict):
                return value.get("Error"), value.get("Cause")
    return None, None


def _from_history(visit: StateVisit, note: str | None) -> VisitStages:
    stages = [("input", visit.input)]
    if visit.output is not None:
        stages.append(("output", visit.output))
    last = visit.attempts[-1] if visit.attempts else None
    return VisitStages(
        state=visit.name,
        type=visit.type,
        key=visit.key,
        attempt=last.number if last else 0,
        attempts=1,
        status=visit.status,
        stages=tuple((n, t) for n, t in stages if t is not None),
        path=visit.path,
        map_iteration=visit.map_iteration,
        entered=visit.entered,
        exited=visit.exited,
        log=last.log if last else None,
        recorded=False,
        note=note,
        error=visit.error,
        cause=visit.cause,
    )


def find_visits(
    visits: list[VisitStages],
    state: str,
    definition: Definition | None,
    *,
    visit: int | None = None,
    map_iteration: int | None = None,
    attempt: int | None = None,
) -> list[VisitStages]:
    """The visits of ``state`` that ``Execution.inspect`` asked for; a state the definition lacks,
    or a visit the execution does not have, is an :class:`InspectError` naming it."""
    if definition is not None and state not in {s.name for s in definition.walk()}:
        names = sorted(s.name for s in definition.walk())
        raise InspectError(
            f"No state named {state!r} in this state machine (its states: {', '.join(names)})"
        )
    chosen = [
        v
        for v in visits
        if (map_iteration is None or v.map_iteration == map_iteration)
        and (attempt is None or v.attempt == attempt)
    ]
    if visit is not None:
        keys = sorted({v.key for v in chosen})
        if not -len(keys) <= visit < len(keys):
            raise InspectError(
                f"State {state!r} has {len(keys)} visit(s) here; visit={visit} is out of range"
            )
        chosen = [v for v in chosen if v.key == keys[visit]]
    return chosen
