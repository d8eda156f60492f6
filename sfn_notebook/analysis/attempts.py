"""State visits, their attempts and retries as DataFrames: the data behind the retry timeline.

Events are read into visits by :func:`sfn_notebook.render.attempts.state_attempts`, the one
reading that the graph, the timeline and these frames share.

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
>>> state_attempts_frame(ex)[["state_name", "attempts", "status"]].to_dict("records")
[{'state_name': 'T', 'attempts': 3, 'status': 'SUCCEEDED'}]
>>> retries_frame(ex)[["attempt", "error", "backoff"]].astype(str).to_dict("list")["backoff"]
['0 days 00:00:02', '0 days 00:00:04']
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sfn_notebook.analysis.frames import normalise
from sfn_notebook.analysis.sources import Run, runs

if TYPE_CHECKING:
    import pandas as pd

    from sfn_notebook.render.attempts import StateVisit

ATTEMPT_COLUMNS = (
    "execution_arn",
    "state_name",
    "state_type",
    "path",
    "map_iteration",
    "parallel_branch",
    "entered",
    "exited",
    "duration",
    "attempts",
    "retries",
    "status",
    "error",
    "cause",
    "log",
)
RETRY_COLUMNS = (
    "execution_arn",
    "state_name",
    "path",
    "map_iteration",
    "attempt",
    "error",
    "cause",
    "failed_at",
    "retried_at",
    "backoff",
)


def visits(run: Run, definition: Any = None) -> list[StateVisit]:
    """The state visits of one run (the shared reading in ``render.attempts``)."""
    from sfn_notebook.render.attempts import state_attempts

    return state_attempts(run.events(), definition, run.logs)


def path_text(path: Iterable[tuple[str, int]]) -> str:
    """The frames' ``path`` column: enclosing branches/iterations, outermost first.

    >>> path_text([("Par", 1), ("M", 3)])
    'Par[1]/M[3]'
    """
    return "/".join(f"{name}[{index}]" for name, index in path)


def state_attempts_frame(
    source: Any,
    *,
    definition: Any = None,
    state_machine: str | None = None,
    status: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> pd.DataFrame:
    """One row per state visit (a state entered once per loop pass or Map iteration).

    =============== ===================== =================================================
    column          dtype                 meaning
    =============== ===================== =================================================
    execution_arn   object (str)
    state_name      object (str)
    state_type      object (str)          Task, Pass, Map, Parallel ...
    path            object (str)          enclosing branches/iterations: ``"Par[1]/M[3]"``
    map_iteration   Int64                 innermost Map iteration index (<NA> outside one)
    parallel_branch Int64                 innermost Parallel branch index (<NA> outside)
    entered, exited datetime64[ns, UTC]   NaT while running
    duration        timedelta64[ns]
    attempts        int64                 tries of the work (1 when the state never retries)
    retries         int64                 attempts - 1
    status          object (str)          SUCCEEDED, FAILED, CAUGHT_ERROR, CANCELLED, RUNNING
    error, cause    object (str or None)  the failure that ended the visit or its last try
    log             object (str or None)  the last try's Lambda execution log, decoded, when
                                          it was a ``lambda:invoke`` with ``LogType: Tail``
                                          (from its ``LogResult``; a failed try's only for a
                                          local run, as AWS's history does not keep it)
    =============== ===================== =================================================

    ``definition`` (a parsed Definition) numbers Parallel branches as in the definition.
    """
    import pandas as pd

    records = []
    for run in runs(source, state_machine=state_machine, status=status, since=since, until=until):
        for visit in visits(run, definition):
            tries = max(1, len(visit.attempts))
            records.append(
                (
                    run.arn,
                    visit.name,
                    visit.type,
                    path_text(visit.path),
                    visit.map_iteration,
                    visit.parallel_branch,
                    visit.entered,
                    visit.exited,
                    tries,
                    tries - 1,
                    visit.status,
                    visit.error,
                    visit.cause,
                    visit.attempts[-1].log if visit.attempts else None,
                )
            )
    names = [c for c in ATTEMPT_COLUMNS if c != "duration"]
    frame = pd.DataFrame.from_records(records, columns=names)
    for column in ("map_iteration", "parallel_branch"):
        frame[column] = frame[column].astype("Int64")
    text = ("execution_arn", "state_name", "state_type", "path", "status", "error", "cause", "log")
    normalise(frame, text, ("entered", "exited"))
    frame.insert(8, "duration", frame["exited"] - frame["entered"])
    frame["attempts"] = frame["attempts"].astype("int64")
    frame["retries"] = frame["retries"].astype("int64")
    return frame


def retries_frame(
    source: Any,
    *,
    definition: Any = None,
    state_machine: str | None = None,
    status: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> pd.DataFrame:
    """One row per retry: a try that failed and the next try of the same state visit.

    ============= ==================== ===================================================
    column        dtype                meaning
    ============= ==================== ===================================================
    execution_arn object (str)
    state_name    object (str)
    path          object (str)         enclosing branches/iterations, as in state_attempts
    map_iteration Int64
    attempt       int64                the retry's number (1 for the first retry)
    error, cause  object (str or None) why the previous try failed
    failed_at     datetime64[ns, UTC]  when the previous try ended
    retried_at    datetime64[ns, UTC]  when this try started
    backoff       timedelta64[ns]      retried_at - failed_at: the Retry's wait
    ============= ==================== ===================================================
    """
    import pandas as pd

    records = []
    for run in runs(source, state_machine=state_machine, status=status, since=since, until=until):
        for visit in visits(run, definition):
            for before, after in zip(visit.attempts, visit.attempts[1:], strict=False):
                records.append(
                    (
                        run.arn,
                        visit.name,
                        path_text(visit.path),
                        visit.map_iteration,
                        after.number,
                        before.error,
                        before.cause,
                        before.ended,
                        after.started,
                    )
                )
    names = [c for c in RETRY_COLUMNS if c != "backoff"]
    frame = pd.DataFrame.from_records(records, columns=names)
    frame["map_iteration"] = frame["map_iteration"].astype("Int64")
    frame["attempt"] = frame["attempt"].astype("int64")
    text = ("execution_arn", "state_name", "path", "error", "cause")
    normalise(frame, text, ("failed_at", "retried_at"))
    frame["backoff"] = frame["retried_at"] - frame["failed_at"]
    return frame
