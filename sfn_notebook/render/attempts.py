"""History events → state visits and their attempts: the one reading every view shares.

The graph colours, the retry timeline and the analysis layer's ``state_attempts_frame`` all need
the same answer to "what did each state do": when it was entered and left, how many times its
work was tried, how each try ended, and which Map iteration or Parallel branch it ran in. This
module gives that answer once, from AWS-shaped history events alone (local or AWS-hosted runs),
in pure Python. The records it returns (:class:`StateVisit`, :class:`Attempt`,
:class:`MapIteration`) are defined in :mod:`sfn_notebook.render.visits` and re-exported here.

Which visit, Parallel branch and Map iteration each event belongs to is
:class:`sfn_notebook.engine.placement.EventTree`'s answer, the one redrive uses too; this module
adds what the views need on top: timestamps, attempts and how each visit ended.

>>> import sfn_notebook as sfn
>>> ex = sfn.run({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "W"},
...               "W": {"Type": "Wait", "Seconds": 5, "End": True}}})
>>> [(v.name, v.status, v.duration.total_seconds()) for v in state_attempts(ex.history)]
[('A', 'SUCCEEDED', 0.0), ('W', 'SUCCEEDED', 5.0)]
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sfn_notebook.asl.model import Definition, FailState
from sfn_notebook.engine.placement import EventTree, Line, Visit
from sfn_notebook.engine.tasklog import decode_tail
from sfn_notebook.render.visits import (
    ABORTED,
    CANCELLED,
    CAUGHT_ERROR,
    FAILED,
    NOT_REACHED,
    RUNNING,
    SUCCEEDED,
    TIMED_OUT,
    Attempt,
    MapIteration,
    StateVisit,
)

__all__ = [
    "ABORTED",
    "CANCELLED",
    "CAUGHT_ERROR",
    "FAILED",
    "NOT_REACHED",
    "RUNNING",
    "SUCCEEDED",
    "TIMED_OUT",
    "Attempt",
    "AttemptTracker",
    "MapIteration",
    "StateVisit",
    "event_log",
    "state_attempts",
]

_TASK_PREFIXES = ("Task", "LambdaFunction", "Activity")
_ATTEMPT_START = {f"{p}Scheduled" for p in _TASK_PREFIXES} | {"TaskSubmitted"}
_ATTEMPT_OK = {f"{p}Succeeded" for p in _TASK_PREFIXES}
_ATTEMPT_FAILED = {f"{p}Failed" for p in _TASK_PREFIXES} | {
    "LambdaFunctionStartFailed",
    "LambdaFunctionScheduleFailed",
    "TaskStartFailed",
    "TaskSubmitFailed",
    "ActivityScheduleFailed",
}
_ATTEMPT_TIMED_OUT = {f"{p}TimedOut" for p in _TASK_PREFIXES}


def state_attempts(
    events: Iterable[Mapping[str, Any]],
    definition: Definition | None = None,
    logs: Mapping[int, str] | None = None,
) -> list[StateVisit]:
    """Every state visit of an execution, in the order the states were entered.

    ``events`` are GetExecutionHistory events (any order of arrival is fine as long as ids are
    increasing). With ``definition`` each visit also gets its state's JSON ``pointer``, Parallel
    branches are numbered as in the definition, and Fail states report their static error.
    ``logs`` are the execution logs a local run kept for failed Lambda invocations
    (``History.task_logs``, by event id); a success's log is read from its ``LogResult``.

    >>> import sfn_notebook as sfn
    >>> def flaky(event, context):
    ...     flaky.calls = getattr(flaky, "calls", 0) + 1
    ...     if flaky.calls < 3:
    ...         raise ValueError("not yet")
    ...     return "ok"
    >>> ex = sfn.run({"StartAt": "T", "States": {"T": {"Type": "Task", "End": True,
    ...     "Resource": "arn:aws:lambda:us-east-1:123456789012:function:flaky",
    ...     "Retry": [{"ErrorEquals": ["ValueError"], "IntervalSeconds": 2}]}}},
    ...     functions={"flaky": flaky})
    >>> [(a.number, a.status, a.error) for a in state_attempts(ex.history)[0].attempts]
    [(0, 'FAILED', 'ValueError'), (1, 'FAILED', 'ValueError'), (2, 'SUCCEEDED', None)]
    """
    tracker = AttemptTracker(definition, logs)
    for event in events:
        tracker.add(event)
    return tracker.visits()


class _Record:
    """What the tracker knows of one visit; :meth:`AttemptTracker._freeze` gives the record."""

    __slots__ = (
        "attempts",
        "cause",
        "changed",
        "entered",
        "error",
        "exited",
        "exited_id",
        "input",
        "iterations",
        "open",
        "output",
        "status",
        "visit",
    )

    def __init__(self, visit: Visit, entered: datetime, input_: str | None) -> None:
        self.visit = visit
        self.entered = entered
        self.input = input_
        self.exited: datetime | None = None
        self.exited_id: int | None = None
        self.status = RUNNING
        self.open = True
        self.attempts: list[list[Any]] = []  # [started, ended, status, error, cause, log]
        self.iterations: dict[int, list[Any]] = {}  # index -> [started, ended, status]
        self.output: str | None = None
        self.error: str | None = None
        self.cause: str | None = None
        self.changed = 0

    @property
    def last_failed(self) -> bool:
        return bool(self.attempts) and self.attempts[-1][2] in (FAILED, TIMED_OUT)

    def abort_attempt(self, ts: datetime | None) -> None:
        if self.attempts and self.attempts[-1][1] is None:
            self.attempts[-1][1:3] = [ts, ABORTED]


class AttemptTracker:
    """Incremental :func:`state_attempts`: feed events one at a time, read visits any time.

    Live views use it from a history listener; :meth:`visits_changed_after` lets them send only
    what changed since their last update.

    >>> tracker = AttemptTracker()
    >>> tracker.add({"id": 1, "previousEventId": 0, "type": "ExecutionStarted",
    ...              "timestamp": datetime(2024, 1, 1)})
    >>> tracker.add({"id": 2, "previousEventId": 0, "type": "PassStateEntered",
    ...              "timestamp": datetime(2024, 1, 1), "stateEnteredEventDetails": {"name": "A"}})
    >>> [(v.name, v.status) for v in tracker.visits()]
    [('A', 'RUNNING')]
    """

    def __init__(
        self, definition: Definition | None = None, logs: Mapping[int, str] | None = None
    ) -> None:
        self.definition = definition
        self.logs: Mapping[int, str] = logs if logs is not None else {}
        self.pointers: dict[str, str] = {}
        self._fail_errors: dict[str, tuple[str | None, str | None]] = {}
        for state in definition.walk() if definition is not None else ():
            self.pointers.setdefault(state.name, state.pointer)
            if isinstance(state, FailState):
                self._fail_errors[state.name] = (state.error, state.cause)
        self.tree = EventTree(definition)
        self._records: list[_Record] = []
        self._by_visit: dict[int, _Record] = {}  # entered event id -> record
        self.seq = 0  # bumped on every change; visits remember the seq of their last change
        self.started: datetime | None = None
        self.ended: datetime | None = None
        self.last_timestamp: datetime | None = None
        self.status = RUNNING
        self.event_count = 0

    # Reading ------------------------------------------------------------------------------

    def visits(self) -> list[StateVisit]:
        """All visits so far, in entry order."""
        return [self._freeze(r) for r in self._records]

    def visits_changed_after(self, seq: int) -> list[StateVisit]:
        """The visits that changed after ``seq`` (a value of :attr:`seq` read earlier)."""
        return [self._freeze(r) for r in self._records if r.changed > seq]

    def _freeze(self, r: _Record) -> StateVisit:
        visit = r.visit
        branch = iteration = None
        line: Line = visit.line
        while line.owner is not None:
            if line.is_branch and branch is None:
                branch = line.index
            if not line.is_branch and iteration is None:
                iteration = line.index
            line = line.owner.line
        owner = visit.line.owner
        return StateVisit(
            key=visit.entered_id,
            name=visit.name,
            type=visit.kind,
            pointer=self.pointers.get(visit.name),
            entered=r.entered,
            exited=r.exited,
            status=r.status,
            attempts=tuple(
                Attempt(i, a[0], a[1], a[2], a[3], a[4], a[5]) for i, a in enumerate(r.attempts)
            ),
            parent=owner.entered_id if owner is not None else None,
            path=visit.path,
            parallel_branch=branch,
            map_iteration=iteration,
            input=r.input,
            output=r.output,
            error=r.error,
            cause=r.cause,
            iterations=tuple(
                MapIteration(i, it[0], it[1], it[2]) for i, it in sorted(r.iterations.items())
            ),
            exited_event_id=r.exited_id,
        )

    # Feeding ------------------------------------------------------------------------------

    def add(self, event: Mapping[str, Any]) -> None:
        """Take one event (in id order)."""
        event_id = int(event["id"])
        type_ = str(event["type"])
        ts: datetime = event["timestamp"]
        self.event_count += 1
        self.last_timestamp = ts
        visit = self.tree.add(event)
        if type_.endswith("StateEntered") and visit is not None:
            self._entered(event, visit, ts)
            return
        record = self._by_visit.get(visit.entered_id) if visit is not None else None
        details = next((v for k, v in event.items() if k.endswith("EventDetails")), None) or {}
        if type_ == "ExecutionStarted":
            self.started = ts
        elif type_ in _EXECUTION_STATUS:
            self._execution_ended(type_, details, int(event.get("previousEventId") or 0), ts)
        elif record is None:
            return
        elif type_.endswith("StateExited"):
            self._exited(record, event_id, details, ts)
        elif type_.endswith("StateAborted"):
            if record.open:
                record.abort_attempt(ts)
                self._finish(record, FAILED if record.last_failed else CANCELLED, ts)
        elif type_.startswith("MapIteration"):
            self._iteration(record, event, details, ts)
        elif type_ in _CONTAINER:
            self._container(record, type_, int(event.get("previousEventId") or 0), ts)
        elif record.visit.kind != "Task":
            return
        elif type_ in _ATTEMPT_START:
            if type_ != "TaskSubmitted" or not record.attempts or record.attempts[-1][1]:
                record.attempts.append([ts, None, RUNNING, None, None, None])
            self._touch(record)
        elif type_ in _ATTEMPT_OK:
            self._end_attempt(record, ts, SUCCEEDED, None, None, _log_result(details))
        elif type_ in _ATTEMPT_TIMED_OUT:
            error = details.get("error") or "States.Timeout"
            self._end_attempt(record, ts, TIMED_OUT, error, details.get("cause"))
        elif type_ in _ATTEMPT_FAILED:
            error, cause = details.get("error"), details.get("cause")
            self._end_attempt(record, ts, FAILED, error, cause, self.logs.get(event_id))

    def _touch(self, record: _Record) -> None:
        self.seq += 1
        record.changed = self.seq

    def _entered(self, event: Mapping[str, Any], visit: Visit, ts: datetime) -> None:
        details = event.get("stateEnteredEventDetails") or {}
        record = _Record(visit, ts, details.get("input"))
        self._by_visit[visit.entered_id] = record
        self._records.append(record)
        if visit.kind == "Fail":
            # A Fail state has no exit event: it fails the moment it is entered.
            record.open = False
            record.exited = ts
            record.status = FAILED
            record.error, record.cause = self._fail_errors.get(visit.name, (None, None))
        self._touch(record)

    def _exited(
        self, record: _Record, event_id: int, details: Mapping[str, Any], ts: datetime
    ) -> None:
        record.exited = ts
        record.exited_id = event_id
        record.output = details.get("output")
        if record.last_failed:  # the state failed and a Catch took over
            self._finish(record, CAUGHT_ERROR, ts)
            record.error, record.cause = record.attempts[-1][3], record.attempts[-1][4]
        else:
            self._finish(record, SUCCEEDED, ts)

    def _end_attempt(
        self,
        record: _Record,
        ts: datetime,
        status: str,
        error: str | None,
        cause: str | None,
        log: str | None = None,
    ) -> None:
        if not record.attempts or record.attempts[-1][1] is not None:
            record.attempts.append([ts, None, RUNNING, None, None, None])
        record.attempts[-1][1:] = [ts, status, error, cause, log]
        # The visit's error is its latest attempt's: a retry that succeeds clears it.
        record.error, record.cause = error, cause
        self._touch(record)

    def _finish(self, record: _Record, status: str, ts: datetime | None) -> None:
        record.open = False
        record.status = status
        if record.exited is None:
            record.exited = ts
        self._close_inside(record, ts)
        self._touch(record)

    def _inside(self, record: _Record) -> list[_Record]:
        """The visits that ran inside a Map/Parallel visit (entered after it, so found last)."""
        found = []
        for child in reversed(self._records):
            if child is record:
                break
            if child.visit.descends_from(record.visit):
                found.append(child)
        return found

    def _close_inside(self, record: _Record, ts: datetime | None) -> None:
        """Close what is still open inside a finished Parallel/Map.

        A child whose last attempt failed failed; the others were cancelled (sibling branches
        and iterations that AWS stops when one of them fails).
        """
        if record.visit.kind not in ("Parallel", "Map"):
            return
        for child in self._inside(record):
            if child.open:
                child.abort_attempt(ts)
                self._finish(child, FAILED if child.last_failed else CANCELLED, ts)
        for iteration in record.iterations.values():
            if iteration[1] is None:
                iteration[1:] = [ts, ABORTED]

    def _close_line(self, line: Line, ts: datetime) -> None:
        """Close what is still open on a Map iteration that failed or was aborted."""
        for visit in list(line.active.values()):
            child = self._by_visit.get(visit.entered_id)
            if child is not None and child.open:
                child.abort_attempt(ts)
                self._finish(child, FAILED if child.last_failed else CANCELLED, ts)

    def _container(self, record: _Record, type_: str, prev: int, ts: datetime) -> None:
        if type_.endswith("StateStarted"):
            if record.attempts and record.attempts[-1][1] is None:
                # A retry: AWS writes no <Type>StateFailed between attempts, the new Started
                # links to the event that failed the previous one.
                self._failed(record, prev, ts)
            record.attempts.append([ts, None, RUNNING, None, None, None])
            self._touch(record)
        elif type_.endswith("StateSucceeded"):
            self._end_attempt(record, ts, SUCCEEDED, None, None)
            self._close_inside(record, ts)
        else:
            self._failed(record, prev, ts)

    def _failed(self, record: _Record, prev: int, ts: datetime) -> None:
        """A Map/Parallel attempt failed at event ``prev``."""
        # The failing event's own visit failed, unless a running attempt was cut short.
        culprit = self._record_of(prev)
        if (
            culprit is not None
            and culprit.open
            and culprit.visit.descends_from(record.visit)
            and (not culprit.attempts or culprit.last_failed)
        ):
            self._finish(culprit, FAILED, ts)
        self._close_inside(record, ts)
        failed = (c for c in self._inside(record) if c.status == FAILED and c.error)
        child = next(failed, None)
        error, cause = (child.error, child.cause) if child is not None else (None, None)
        self._end_attempt(record, ts, FAILED, error, cause)

    def _iteration(
        self, record: _Record, event: Mapping[str, Any], details: Mapping[str, Any], ts: datetime
    ) -> None:
        type_ = str(event["type"])
        index = int(details.get("index", len(record.iterations)))
        if type_ == "MapIterationStarted":
            record.iterations[index] = [ts, None, RUNNING]
        else:
            status = _ITERATION_STATUS[type_]
            iteration = record.iterations.setdefault(index, [ts, None, RUNNING])
            iteration[1:] = [ts, status]
            line = self.tree.line_of(int(event["id"]))
            culprit = self._record_of(int(event.get("previousEventId") or 0))
            if line is not None and status != SUCCEEDED:
                # The state whose failure ended the iteration failed; the rest were cancelled.
                if (
                    status == FAILED
                    and culprit is not None
                    and culprit.open
                    and _on(culprit.visit, line)
                ):
                    self._finish(culprit, FAILED, ts)
                self._close_line(line, ts)
        self._touch(record)

    def _record_of(self, event_id: int) -> _Record | None:
        visit = self.tree.visit_of(event_id)
        return None if visit is None else self._by_visit.get(visit.entered_id)

    def _execution_ended(
        self, type_: str, details: Mapping[str, Any], prev: int, ts: datetime
    ) -> None:
        self.ended = ts
        self.status = _EXECUTION_STATUS[type_]
        culprit = self._record_of(prev)
        for record in self._records:
            if not record.open:
                continue
            if type_ == "ExecutionFailed" and (record.last_failed or record is culprit):
                if record.error is None:
                    record.error, record.cause = details.get("error"), details.get("cause")
                self._finish(record, FAILED, ts)
            else:
                record.abort_attempt(ts)
                self._finish(record, CANCELLED, ts)


def _on(visit: Visit, line: Line) -> bool:
    """Whether ``visit`` ran on ``line`` or inside a state that did."""
    probe: Line = visit.line
    while probe is not line:
        if probe.owner is None:
            return False
        probe = probe.owner.line
    return True


def event_log(event: Mapping[str, Any], logs: Mapping[int, str] | None = None) -> str | None:
    """The Lambda execution log (``LogType: Tail``) an event carries, decoded: the
    ``LogResult`` in a ``TaskSucceeded`` output, or ``logs[event id]`` for a failure."""
    type_ = str(event.get("type", ""))
    if type_ in _ATTEMPT_FAILED:
        return logs.get(int(event["id"])) if logs else None
    if type_ not in _ATTEMPT_OK:
        return None
    details = next((v for k, v in event.items() if k.endswith("EventDetails")), None) or {}
    return _log_result(details)


def _log_result(details: Mapping[str, Any]) -> str | None:
    output = details.get("output")
    if not isinstance(output, str) or '"LogResult"' not in output:
        return None  # the common case costs one substring search
    try:
        value = json.loads(output)
    except ValueError:
        return None
    return decode_tail(value.get("LogResult")) if isinstance(value, dict) else None


_EXECUTION_STATUS = {
    "ExecutionSucceeded": "SUCCEEDED",
    "ExecutionFailed": "FAILED",
    "ExecutionTimedOut": "TIMED_OUT",
    "ExecutionAborted": "ABORTED",
}

_CONTAINER = {
    f"{k}State{s}" for k in ("Parallel", "Map") for s in ("Started", "Succeeded", "Failed")
}
_ITERATION_STATUS = {
    "MapIterationSucceeded": SUCCEEDED,
    "MapIterationFailed": FAILED,
    "MapIterationAborted": ABORTED,
}
