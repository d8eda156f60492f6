"""Questions across many runs: which state is slow, which fails and why, what changed.

>>> import sfn_notebook as sfn
>>> flow = {"StartAt": "W", "States": {"W": {"Type": "Wait", "SecondsPath": "$.s", "End": True}}}
>>> runs = [sfn.run(flow, {"s": s}) for s in (1, 2, 3, 10)]
>>> state_durations(runs).loc["W", ["count", "p50", "max"]].astype(str).tolist()
['4', '0 days 00:00:02.500000', '0 days 00:00:10']
>>> slowest_executions(runs, 1)["duration"].astype(str).tolist()
['0 days 00:00:10']
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sfn_notebook.analysis.attempts import state_attempts_frame, visits
from sfn_notebook.analysis.frames import executions_frame, normalise
from sfn_notebook.analysis.sources import runs
from sfn_notebook.errors import SfnNotebookError

if TYPE_CHECKING:
    import pandas as pd


def state_durations(
    source: Any,
    percentiles: Sequence[float] = (0.5, 0.9, 0.99),
    *,
    state_machine: str | None = None,
    status: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> pd.DataFrame:
    """Per state: how long its visits took, across every selected run.

    Indexed by ``state_name``; columns ``count`` (int64, finished visits), ``mean``, ``min``,
    ``p50``, ``p90``, ``p99`` (one per requested percentile) and ``max`` (timedelta64[ns]).
    Slowest state (by the highest percentile) first.
    """
    frame = state_attempts_frame(
        source, state_machine=state_machine, status=status, since=since, until=until
    )
    done = frame.dropna(subset=["duration"])
    grouped = done.groupby("state_name", sort=False)["duration"]
    table = grouped.agg(["count", "mean", "min"])
    for q in percentiles:
        table[f"p{round(q * 100):d}"] = grouped.quantile(q)
    table["max"] = grouped.max()
    table["count"] = table["count"].astype("int64")
    last = f"p{round(percentiles[-1] * 100):d}" if percentiles else "max"
    return table.sort_values(last, ascending=False)


def failure_rates(
    source: Any,
    *,
    state_machine: str | None = None,
    status: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> pd.DataFrame:
    """Failed tries by state and error, over every try of that state.

    Columns ``state_name``, ``error`` (object), ``failures`` and ``attempts`` (int64: failed
    tries with that error; all tries of the state), ``rate`` (float64, failures / attempts) and
    ``visits_failed`` (int64: visits that this error ended, uncaught). A try is one attempt of a
    Task (every retry counts), one run of a Map or Parallel, or one visit of other states.
    Most failures first.
    """
    import pandas as pd

    tries: dict[str, int] = {}
    failures: dict[tuple[str, str], list[int]] = {}
    for run in runs(source, state_machine=state_machine, status=status, since=since, until=until):
        for visit in visits(run):
            attempts = visit.attempts or ()
            tries[visit.name] = tries.get(visit.name, 0) + max(1, len(attempts))
            for attempt in attempts:
                if attempt.error is not None:
                    failures.setdefault((visit.name, attempt.error), [0, 0])[0] += 1
            if not attempts and visit.status == "FAILED" and visit.error is not None:
                failures.setdefault((visit.name, visit.error), [0, 0])[0] += 1
            if visit.status == "FAILED" and visit.error is not None:
                failures.setdefault((visit.name, visit.error), [0, 0])[1] += 1
    records = [
        (state, error, counts[0], tries.get(state, 0), counts[1])
        for (state, error), counts in failures.items()
    ]
    frame = pd.DataFrame.from_records(
        records, columns=["state_name", "error", "failures", "attempts", "visits_failed"]
    )
    frame.insert(4, "rate", frame["failures"] / frame["attempts"].clip(lower=1))
    for column in ("failures", "attempts", "visits_failed"):
        frame[column] = frame[column].astype("int64")
    return frame.sort_values(["failures", "state_name"], ascending=[False, True], ignore_index=True)


def slowest_executions(
    source: Any,
    n: int = 10,
    *,
    state_machine: str | None = None,
    status: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> pd.DataFrame:
    """The ``n`` finished executions that took longest: :func:`executions_frame` rows."""
    frame = executions_frame(
        source, state_machine=state_machine, status=status, since=since, until=until
    )
    return frame.dropna(subset=["duration"]).nlargest(n, "duration")


def compare_executions(a: Any, b: Any, source: Any = None) -> pd.DataFrame:
    """Two executions side by side, one row per state either visited (in order of first visit).

    ``a`` and ``b`` are Execution objects or event lists, or ARNs looked up in ``source``.
    Columns, for each side ``_a``/``_b``: ``visits`` (int64), ``status`` (of the last visit),
    ``duration`` (timedelta64[ns], all visits summed), ``output`` (parsed, last visit); then
    ``duration_diff`` (b - a) and ``same_output`` (bool).

    >>> import sfn_notebook as sfn
    >>> flow = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    >>> compare_executions(sfn.run(flow, 1), sfn.run(flow, 2))["same_output"].tolist()
    [False]
    """
    import pandas as pd

    sides = [_one(a, source), _one(b, source)]
    order: list[str] = []
    tables: list[dict[str, dict[str, Any]]] = []
    for run in sides:
        table: dict[str, dict[str, Any]] = {}
        for visit in visits(run):
            if visit.name not in order:
                order.append(visit.name)
            row = table.setdefault(
                visit.name, {"visits": 0, "status": None, "duration": pd.Timedelta(0)}
            )
            row["visits"] += 1
            row["status"] = visit.status
            if visit.duration is not None:
                row["duration"] += visit.duration
            row["output"] = _parse(visit.output)
        tables.append(table)
    columns: dict[str, list[Any]] = {}
    for suffix, table in zip(("a", "b"), tables, strict=True):
        columns[f"visits_{suffix}"] = [table.get(s, {}).get("visits", 0) for s in order]
        columns[f"status_{suffix}"] = [table.get(s, {}).get("status") for s in order]
        columns[f"duration_{suffix}"] = [table.get(s, {}).get("duration") for s in order]
        columns[f"output_{suffix}"] = [table.get(s, {}).get("output") for s in order]
    frame = pd.DataFrame(columns, index=pd.Index(order, name="state_name"))
    for suffix in ("a", "b"):
        frame[f"visits_{suffix}"] = frame[f"visits_{suffix}"].astype("int64")
        normalise(frame, (), (), (f"duration_{suffix}",))
    frame["duration_diff"] = frame["duration_b"] - frame["duration_a"]
    frame["same_output"] = [
        json.dumps(x, sort_keys=True) == json.dumps(y, sort_keys=True)
        for x, y in zip(frame["output_a"], frame["output_b"], strict=True)
    ]
    return frame


def _one(which: Any, source: Any) -> Any:
    if isinstance(which, str):
        if source is None:
            raise SfnNotebookError("compare_executions: pass source= to look ARNs up")
        found = [r for r in runs(source) if which in (r.arn, r.name)]
        if not found:
            raise SfnNotebookError(f"compare_executions: no execution {which!r} in the source")
        return found[0]
    found = runs(which)
    if len(found) != 1:
        raise SfnNotebookError(f"compare_executions: expected one execution, got {len(found)}")
    return found[0]


def _parse(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text
