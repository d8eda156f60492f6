"""The records :func:`~sfn_notebook.render.attempts.state_attempts` returns: one
:class:`StateVisit` per entry into a state, its :class:`Attempt` list and, for Map states, its
:class:`MapIteration` list. Plain frozen data, shared by the graph, the timeline and the analysis
layer's DataFrames.

>>> from datetime import datetime
>>> a = Attempt(0, datetime(2024, 1, 1, 0, 0, 0), datetime(2024, 1, 1, 0, 0, 2), "FAILED", "E")
>>> a.duration.total_seconds()
2.0
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# Visit statuses; the graph colours states by these.
RUNNING = "RUNNING"
SUCCEEDED = "SUCCEEDED"
FAILED = "FAILED"
CAUGHT_ERROR = "CAUGHT_ERROR"
CANCELLED = "CANCELLED"
NOT_REACHED = "NOT_REACHED"

# Attempt statuses (plus RUNNING and SUCCEEDED/FAILED above).
TIMED_OUT = "TIMED_OUT"
ABORTED = "ABORTED"


@dataclass(frozen=True)
class Attempt:
    """One try of a Task's work, or one run of a Parallel's branches / a Map's iterations.

    ``number`` is 0 for the first try and counts retries after it (AWS's ``RetryCount``).
    ``ended`` is None while the attempt runs. ``log`` is the end of a ``lambda:invoke`` with
    ``LogType: Tail``: the decoded ``LogResult`` of a success, or for a local run's failure the
    log the engine kept beside the history.
    """

    number: int
    started: datetime
    ended: datetime | None
    status: str  # RUNNING | SUCCEEDED | FAILED | TIMED_OUT | ABORTED
    error: str | None = None
    cause: str | None = None
    log: str | None = None  # a Lambda invocation's execution log (LogType Tail), decoded

    @property
    def duration(self) -> timedelta | None:
        return None if self.ended is None else self.ended - self.started


@dataclass(frozen=True)
class MapIteration:
    """One Map iteration, from ``MapIterationStarted`` to its outcome event."""

    index: int
    started: datetime
    ended: datetime | None
    status: str  # RUNNING | SUCCEEDED | FAILED | ABORTED


@dataclass(frozen=True)
class StateVisit:
    """One entry into a state, up to its exit (or the failure that ended it).

    ``key`` is the id of the ``*StateEntered`` event and identifies the visit. ``path`` lists the
    enclosing Parallel branches and Map iterations from the outside in, as
    ``(state name, branch or iteration index)``; ``parallel_branch`` and ``map_iteration`` are the
    innermost of each. ``attempts`` are the tries of a Task, Parallel or Map (empty for the other
    types, which AWS never retries). ``status`` is RUNNING, SUCCEEDED, FAILED, CAUGHT_ERROR (the
    state failed and a Catch took over) or CANCELLED (stopped before it finished, e.g. a sibling
    branch failed or the execution was aborted). ``input``/``output`` are the JSON texts from the
    history; ``error``/``cause`` the failure that ended the visit, when one did.
    """

    key: int
    name: str
    type: str
    pointer: str | None
    entered: datetime
    exited: datetime | None
    status: str
    attempts: tuple[Attempt, ...] = ()
    parent: int | None = None
    path: tuple[tuple[str, int], ...] = ()
    parallel_branch: int | None = None
    map_iteration: int | None = None
    input: str | None = None
    output: str | None = None
    error: str | None = None
    cause: str | None = None
    iterations: tuple[MapIteration, ...] = ()
    exited_event_id: int | None = None

    @property
    def duration(self) -> timedelta | None:
        return None if self.exited is None else self.exited - self.entered

    @property
    def retries(self) -> int:
        return max(0, len(self.attempts) - 1)

    @property
    def depth(self) -> int:
        return len(self.path)
