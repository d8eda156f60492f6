"""History events → state visits and their attempts: the one reading every view shares.

The graph colours, the retry timeline and the analysis layer's ``state_attempts_frame`` all need
the same answer to "what did each state do": when it was entered and left, how many times its
work was tried, how each try ended, and which Map iteration or Parallel branch it ran in. This
module gives that answer once, from AWS-shaped history events alone (local or AWS-hosted runs),
in pure Python. The records it returns (:class:`StateVisit`, :class:`Attempt`,
:class:`MapIteration`) are defined in :mod:`sfn_notebook.render.visits` and re-exported here.

How events are attributed: every event's ``previousEventId`` points at the previous event of its
own line of work (the execution, a Parallel branch, a Map iteration). A ``*StateEntered`` opens a
visit in the line of its predecessor; a predecessor of type ``ParallelStateStarted`` or
``MapIterationStarted`` opens a new line. Events without a state name (``TaskScheduled``,
``ParallelStateFailed`` ...) belong to the nearest open visit of the matching type up that chain;
AWS links a Parallel's or Map's closing events to the last event of one of its branches, which is
why the search walks *up* from the predecessor.

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


class _Lane:
    """A line of work: the execution, one Parallel branch or one Map iteration."""

    __slots__ = ("branch", "current", "iteration", "parent")

    def __init__(
        self, parent: _Visit | None = None, branch: int | None = None, iteration: int | None = None
    ) -> None:
        self.parent = parent
        self.branch = branch
        self.iteration = iteration
        self.current: _Visit | None = None


class _Visit:
    """The mutable visit the tracker builds; :meth:`freeze` gives the public record."""

    __slots__ = (
        "attempts",
        "branch_starts",
        "cause",
        "changed",
        "entered",
        "error",
        "exited",
        "exited_id",
        "input",
        "iterations",
        "key",
        "lane",
        "name",
        "open",
        "output",
        "status",
        "type",
    )

    def __init__(self, key: int, name: str, type_: str, lane: _Lane, entered: datetime) -> None:
        self.key = key
        self.name = name
        self.type = type_
        self.lane = lane
        self.entered = entered
        self.exited: datetime | None = None
        self.exited_id: int | None = None
        self.status = RUNNING
        self.open = True
        self.attempts: list[list[Any]] = []  # [started, ended, status, error, cause, log]
        self.iterations: dict[int, list[Any]] = {}  # index -> [started, ended, status]
        self.branch_starts = 0
        self.input: str | None = None
        self.output: str | None = None
        self.error: str | None = None
        self.cause: str | None = None
        self.changed = 0

    def descends_from(self, ancestor: _Visit) -> bool:
        lane: _Lane | None = self.lane
        while lane is not None and lane.parent is not None:
            if lane.parent is ancestor:
                return True
            lane = lane.parent.lane
        return False


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
        self._branch_of: dict[str, int] = {}
        if definition is not None:
            self._index(definition)
        self.root = _Lane()
        self._lane_of: dict[int, _Lane] = {0: self.root}
        self._owner: dict[int, _Visit] = {}
        self._visits: list[_Visit] = []
        self._attempt_starts: set[int] = set()
        self.seq = 0  # bumped on every change; visits remember the seq of their last change
        self.started: datetime | None = None
        self.ended: datetime | None = None
        self.last_timestamp: datetime | None = None
        self.status = RUNNING
        self.event_count = 0

    def _index(self, definition: Definition) -> None:
        for state in definition.walk():
            self.pointers.setdefault(state.name, state.pointer)
            if isinstance(state, FailState):
                self._fail_errors[state.name] = (state.error, state.cause)
            marker = state.pointer.rfind("/Branches/")
            if marker >= 0:
                rest = state.pointer[marker + len("/Branches/") :]
                self._branch_of[state.name] = int(rest.split("/", 1)[0])

    # Reading ------------------------------------------------------------------------------

    def visits(self) -> list[StateVisit]:
        """All visits so far, in entry order."""
        return [self._freeze(v) for v in self._visits]

    def visits_changed_after(self, seq: int) -> list[StateVisit]:
        """The visits that changed after ``seq`` (a value of :attr:`seq` read earlier)."""
        return [self._freeze(v) for v in self._visits if v.changed > seq]

    def _freeze(self, v: _Visit) -> StateVisit:
        path: list[tuple[str, int]] = []
        branch = iteration = None
        lane: _Lane | None = v.lane
        while lane is not None and lane.parent is not None:
            index = lane.branch if lane.branch is not None else lane.iteration
            path.append((lane.parent.name, index if index is not None else 0))
            if lane.branch is not None and branch is None:
                branch = lane.branch
            if lane.iteration is not None and iteration is None:
                iteration = lane.iteration
            lane = lane.parent.lane
        path.reverse()
        return StateVisit(
            key=v.key,
            name=v.name,
            type=v.type,
            pointer=self.pointers.get(v.name),
            entered=v.entered,
            exited=v.exited,
            status=v.status,
            attempts=tuple(
                Attempt(i, a[0], a[1], a[2], a[3], a[4], a[5]) for i, a in enumerate(v.attempts)
            ),
            parent=v.lane.parent.key if v.lane.parent is not None else None,
            path=tuple(path),
            parallel_branch=branch,
            map_iteration=iteration,
            input=v.input,
            output=v.output,
            error=v.error,
            cause=v.cause,
            iterations=tuple(
                MapIteration(i, it[0], it[1], it[2]) for i, it in sorted(v.iterations.items())
            ),
            exited_event_id=v.exited_id,
        )

    # Feeding ------------------------------------------------------------------------------

    def add(self, event: Mapping[str, Any]) -> None:
        """Take one event (in id order)."""
        event_id = int(event["id"])
        prev = int(event.get("previousEventId") or 0)
        type_ = str(event["type"])
        ts: datetime = event["timestamp"]
        self.event_count += 1
        self.last_timestamp = ts
        lane = self._lane_of.get(prev, self.root)
        self._lane_of[event_id] = lane
        handler = _HANDLERS.get(type_)
        if handler is not None:
            handler(self, event, event_id, prev, lane, ts)
        elif type_.endswith("StateEntered"):
            self._entered(event, event_id, prev, lane, ts, type_[: -len("StateEntered")])
        elif type_.endswith("StateExited"):
            self._exited(event, event_id, lane, ts)
        elif type_.endswith("StateAborted"):
            self._aborted(event_id, lane, type_[: -len("StateAborted")])
        elif type_ in _ATTEMPT_START:
            self._attempt_start(event_id, lane, ts, "Task", scheduled=type_ != "TaskSubmitted")
        elif type_ in _ATTEMPT_OK or type_ in _ATTEMPT_FAILED or type_ in _ATTEMPT_TIMED_OUT:
            self._task_outcome(event, event_id, lane, ts, type_)

    def _touch(self, visit: _Visit) -> None:
        self.seq += 1
        visit.changed = self.seq

    def _find(
        self, lane: _Lane | None, type_: str | None = None, name: str | None = None
    ) -> _Visit | None:
        """The nearest open visit (matching type/name) from ``lane`` up through its parents."""
        while lane is not None:
            for v in (lane.current, lane.parent):
                if (
                    v is not None
                    and v.open
                    and (type_ is None or v.type == type_)
                    and (name is None or v.name == name)
                ):
                    return v
            lane = lane.parent.lane if lane.parent is not None else None
        return None

    def _entered(
        self,
        event: Mapping[str, Any],
        event_id: int,
        prev: int,
        lane: _Lane,
        ts: datetime,
        type_: str,
    ) -> None:
        details = event.get("stateEnteredEventDetails") or {}
        name = str(details.get("name", ""))
        owner = self._owner.get(prev)
        if owner is not None and owner.type == "Parallel" and self._attempt_event(prev):
            # The first state of a branch links to ParallelStateStarted: a new line of work.
            branch = self._branch_of.get(name, owner.branch_starts)
            owner.branch_starts += 1
            lane = _Lane(parent=owner, branch=branch)
        visit = _Visit(event_id, name, type_, lane, ts)
        visit.input = details.get("input")
        lane.current = visit
        self._lane_of[event_id] = lane
        self._owner[event_id] = visit
        self._visits.append(visit)
        if type_ == "Fail":
            # A Fail state has no exit event: it fails the moment it is entered.
            visit.open = False
            visit.exited = ts
            visit.status = FAILED
            visit.error, visit.cause = self._fail_errors.get(name, (None, None))
        self._touch(visit)

    def _attempt_event(self, event_id: int) -> bool:
        return event_id in self._attempt_starts

    def _exited(self, event: Mapping[str, Any], event_id: int, lane: _Lane, ts: datetime) -> None:
        details = event.get("stateExitedEventDetails") or {}
        visit = self._find(lane, name=str(details.get("name", "")))
        if visit is None:
            return
        visit.open = False
        visit.exited = ts
        visit.exited_id = event_id
        visit.output = details.get("output")
        last = visit.attempts[-1] if visit.attempts else None
        if last is not None and last[2] in (FAILED, TIMED_OUT):
            visit.status = CAUGHT_ERROR
            visit.error, visit.cause = last[3], last[4]
        else:
            visit.status = SUCCEEDED
        self._close_children(visit, ts)
        self._lane_of[event_id] = visit.lane
        self._owner[event_id] = visit
        self._touch(visit)

    def _aborted(self, event_id: int, lane: _Lane, type_: str) -> None:
        visit = self._find(lane, type_=type_)
        if visit is None:
            return
        ts = self.last_timestamp
        # AWS also aborts the Task whose own failure ended its branch or iteration (TaskFailed,
        # then TaskStateAborted): that visit failed; the others were cancelled.
        status = FAILED if _last_failed(visit) else CANCELLED
        if visit.attempts and visit.attempts[-1][1] is None:
            visit.attempts[-1][1:3] = [ts, ABORTED]
        self._finish(visit, status, ts)
        self._lane_of[event_id] = visit.lane

    def _attempt_start(
        self, event_id: int, lane: _Lane, ts: datetime, type_: str, *, scheduled: bool = True
    ) -> None:
        visit = self._find(lane, type_=type_)
        if visit is None:
            return
        if scheduled or not visit.attempts or visit.attempts[-1][1] is not None:
            visit.attempts.append([ts, None, RUNNING, None, None, None])
        self._attempt_starts.add(event_id)
        self._lane_of[event_id] = visit.lane
        self._owner[event_id] = visit
        self._touch(visit)

    def _end_attempt(
        self,
        visit: _Visit,
        ts: datetime,
        status: str,
        error: str | None,
        cause: str | None,
        log: str | None = None,
    ) -> None:
        if not visit.attempts or visit.attempts[-1][1] is not None:
            visit.attempts.append([ts, None, RUNNING, None, None, None])
        visit.attempts[-1][1:] = [ts, status, error, cause, log]
        # The visit's error is its latest attempt's: a retry that succeeds clears it.
        visit.error, visit.cause = error, cause
        self._touch(visit)

    def _task_outcome(
        self, event: Mapping[str, Any], event_id: int, lane: _Lane, ts: datetime, type_: str
    ) -> None:
        visit = self._find(lane, type_="Task")
        if visit is None:
            return
        details = next((v for k, v in event.items() if k.endswith("EventDetails")), None) or {}
        if type_ in _ATTEMPT_OK:
            self._end_attempt(visit, ts, SUCCEEDED, None, None, _log_result(details))
        elif type_ in _ATTEMPT_TIMED_OUT:
            error = details.get("error") or "States.Timeout"
            self._end_attempt(visit, ts, TIMED_OUT, error, details.get("cause"))
        else:
            error, cause = details.get("error"), details.get("cause")
            self._end_attempt(visit, ts, FAILED, error, cause, self.logs.get(event_id))
        self._lane_of[event_id] = visit.lane
        self._owner[event_id] = visit

    def _finish(self, visit: _Visit, status: str, ts: datetime | None) -> None:
        visit.open = False
        visit.status = status
        if visit.exited is None:
            visit.exited = ts
        self._close_children(visit, ts)
        self._touch(visit)

    def _close_children(self, visit: _Visit, ts: datetime | None) -> None:
        """Close what is still open inside a finished Parallel/Map.

        A child whose last attempt failed failed; the others were cancelled (sibling branches
        and iterations that AWS stops when one of them fails).
        """
        if visit.type not in ("Parallel", "Map"):
            return
        for child in reversed(self._visits):
            if child.key <= visit.key:
                break
            if child.open and child.descends_from(visit):
                child.open = False
                child.status = FAILED if _last_failed(child) else CANCELLED
                if child.attempts and child.attempts[-1][1] is None:
                    child.attempts[-1][1:3] = [ts, ABORTED]
                child.exited = child.exited or ts
                self._touch(child)
        for iteration in visit.iterations.values():
            if iteration[1] is None:
                iteration[1:] = [ts, ABORTED]

    def _fail_inner(
        self, container: _Visit, prev: int, ts: datetime
    ) -> tuple[str | None, str | None]:
        """A Parallel/Map attempt failed: close what ran inside it, return the inner error."""
        culprit = self._find(self._lane_of.get(prev), None)
        if (
            culprit is not None
            and culprit is not container
            and culprit.descends_from(container)
            and (not culprit.attempts or _last_failed(culprit))
        ):
            # No attempt (a Pass or Choice that hit a runtime error) or a failed one: this is the
            # failure. A running attempt means the branch was merely cancelled.
            self._finish(culprit, FAILED, ts)
        self._close_children(container, ts)
        error = cause = None
        for child in reversed(self._visits):
            if child.key <= container.key:
                break
            if child.status == FAILED and child.descends_from(container) and child.error:
                error, cause = child.error, child.cause
                break
        return error, cause

    def _container_event(
        self, event: Mapping[str, Any], event_id: int, prev: int, lane: _Lane, ts: datetime
    ) -> None:
        type_ = str(event["type"])
        kind = "Parallel" if type_.startswith("Parallel") else "Map"
        visit = self._find(lane, type_=kind)
        if visit is None:
            return
        self._lane_of[event_id] = visit.lane
        self._owner[event_id] = visit
        if type_.endswith("StateStarted"):
            visit.branch_starts = 0
            self._attempt_start(event_id, lane, ts, kind)
        elif type_.endswith("StateSucceeded"):
            self._end_attempt(visit, ts, SUCCEEDED, None, None)
            self._close_children(visit, ts)
        elif type_.endswith("StateFailed"):
            error, cause = self._fail_inner(visit, prev, ts)
            self._end_attempt(visit, ts, FAILED, error, cause)

    def _iteration_event(
        self, event: Mapping[str, Any], event_id: int, prev: int, lane: _Lane, ts: datetime
    ) -> None:
        type_ = str(event["type"])
        details = next((v for k, v in event.items() if k.endswith("EventDetails")), None) or {}
        visit = self._find(lane, type_="Map", name=details.get("name"))
        if visit is None:
            return
        index = int(details.get("index", len(visit.iterations)))
        if type_ == "MapIterationStarted":
            self._lane_of[event_id] = _Lane(parent=visit, iteration=index)
            visit.iterations[index] = [ts, None, RUNNING]
        else:
            status = {"MapIterationSucceeded": SUCCEEDED, "MapIterationFailed": FAILED}.get(
                type_, ABORTED
            )
            iteration = visit.iterations.setdefault(index, [ts, None, RUNNING])
            iteration[1:] = [ts, status]
            culprit = self._find(self._lane_of.get(prev))
            if culprit is not None and culprit is not visit and culprit.descends_from(visit):
                if status == FAILED and culprit.status == RUNNING:
                    self._finish(culprit, FAILED, ts)
                elif status == ABORTED and culprit.open:
                    self._finish(culprit, CANCELLED, ts)
        self._touch(visit)

    def _execution_started(
        self, event: Mapping[str, Any], event_id: int, prev: int, lane: _Lane, ts: datetime
    ) -> None:
        self.started = ts
        self._lane_of[event_id] = self.root

    def _execution_ended(
        self, event: Mapping[str, Any], event_id: int, prev: int, lane: _Lane, ts: datetime
    ) -> None:
        type_ = str(event["type"])
        self.ended = ts
        self.status = _EXECUTION_STATUS[type_]
        details = next((v for k, v in event.items() if k.endswith("EventDetails")), None) or {}
        culprit = self._find(lane)
        for visit in self._visits:
            if not visit.open:
                continue
            if type_ == "ExecutionFailed" and (_last_failed(visit) or visit is culprit):
                if visit.error is None:
                    visit.error, visit.cause = details.get("error"), details.get("cause")
                self._finish(visit, FAILED, ts)
            else:
                if visit.attempts and visit.attempts[-1][1] is None:
                    visit.attempts[-1][1:3] = [ts, ABORTED]
                self._finish(visit, CANCELLED, ts)


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


def _last_failed(visit: _Visit) -> bool:
    return bool(visit.attempts) and visit.attempts[-1][2] in (FAILED, TIMED_OUT)


_EXECUTION_STATUS = {
    "ExecutionSucceeded": "SUCCEEDED",
    "ExecutionFailed": "FAILED",
    "ExecutionTimedOut": "TIMED_OUT",
    "ExecutionAborted": "ABORTED",
}

_HANDLERS: dict[str, Any] = {
    "ExecutionStarted": AttemptTracker._execution_started,
    **dict.fromkeys(_EXECUTION_STATUS, AttemptTracker._execution_ended),
    **dict.fromkeys(
        [f"{k}State{s}" for k in ("Parallel", "Map") for s in ("Started", "Succeeded", "Failed")],
        AttemptTracker._container_event,
    ),
    **dict.fromkeys(
        [f"MapIteration{s}" for s in ("Started", "Succeeded", "Failed", "Aborted")],
        AttemptTracker._iteration_event,
    ),
}
