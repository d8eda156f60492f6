"""History and executions as pandas DataFrames: ``events_frame`` and ``executions_frame``.

Both accept any source (Execution objects, a Runtime with filters, a Store, a boto3 client, raw
GetExecutionHistory events; see :mod:`sfn_notebook.analysis.sources`). pandas is imported when a
function is called, never at import. Timestamps are timezone-aware (UTC) ``datetime64[ns, UTC]``;
durations are ``timedelta64[ns]``; missing values are ``None``/``NaT``/``<NA>``.

>>> import sfn_notebook as sfn
>>> ex = sfn.run({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 2, "End": True}}})
>>> events_frame(ex)[["id", "type", "state_name"]].to_dict("list")["type"]
['ExecutionStarted', 'WaitStateEntered', 'WaitStateExited', 'ExecutionSucceeded']
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sfn_notebook.analysis.sources import Run, runs

if TYPE_CHECKING:
    import pandas as pd

EVENT_COLUMNS = (
    "execution_arn",
    "id",
    "previous_event_id",
    "timestamp",
    "elapsed",
    "type",
    "state_name",
    "error",
    "cause",
)
_EVENT_TEXT = ("type", "state_name", "error", "cause")
EXECUTION_COLUMNS = (
    "execution_arn",
    "state_machine_arn",
    "state_machine",
    "name",
    "status",
    "start",
    "stop",
    "duration",
    "error",
    "cause",
    "redrive_count",
    "event_count",
    "input",
    "output",
)


def _pandas() -> Any:
    import pandas as pd

    return pd


def normalise(
    frame: Any,
    text: tuple[str, ...] = (),
    times: tuple[str, ...] = (),
    deltas: tuple[str, ...] = (),
) -> Any:
    """Give columns the documented dtypes whatever pandas inferred (and whichever pandas).

    Text is pandas' ``str`` dtype (missing values NaN) on pandas 3, ``object`` on pandas 2;
    times are ``datetime64[ns, UTC]``, durations ``timedelta64[ns]``.
    """
    pd = _pandas()
    pandas3 = int(pd.__version__.split(".")[0]) >= 3
    for column in text:
        if pandas3:
            frame[column] = frame[column].astype("str")
        else:
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    for column in times:
        frame[column] = pd.to_datetime(frame[column], utc=True).astype("datetime64[ns, UTC]")
    for column in deltas:
        frame[column] = pd.to_timedelta(frame[column]).astype("timedelta64[ns]")
    return frame


def in_seconds(frame: pd.DataFrame, digits: int = 3) -> pd.DataFrame:
    """A copy of ``frame`` whose durations read as seconds: each ``timedelta64`` column ``x``
    becomes a float column ``x_s`` (rounded to ``digits``) in the same place. For showing a
    frame; pandas prints a timedelta as ``0 days 00:00:00.718382``.

    >>> import pandas as pd
    >>> in_seconds(pd.DataFrame({"state": ["A"], "backoff": [pd.Timedelta("718.382ms")]}))
      state  backoff_s
    0     A      0.718
    """
    pd = _pandas()
    out = frame.copy()
    renames = {}
    for column in out.columns:
        if pd.api.types.is_timedelta64_dtype(out[column]):
            out[column] = (out[column].dt.total_seconds()).round(digits)
            renames[column] = f"{column}_s"
    return out.rename(columns=renames)


def events_frame(
    source: Any,
    *,
    include_data: bool = False,
    state_machine: str | None = None,
    status: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> pd.DataFrame:
    """One row per history event, ordered by execution then event id.

    ============== ======================== ================================================
    column         dtype                    meaning
    ============== ======================== ================================================
    execution_arn  category                 the execution (its ARN, or a label for raw events)
    id             int64                    the event id (1, 2, ...)
    previous_event_id int64                 AWS's ``previousEventId``
    timestamp      datetime64[ns, UTC]      when the event happened
    elapsed        timedelta64[ns]          since the execution's first event
    type           object (str)             ``TaskStateEntered``, ``LambdaFunctionFailed`` ...
    state_name     object (str or None)     the state the event belongs to (also for Task*,
                                            Map iteration and Map/Parallel end events)
    error, cause   object (str or None)     on failure events
    input, output  object (parsed JSON)     only with ``include_data=True``
    ============== ======================== ================================================

    >>> import sfn_notebook as sfn
    >>> ex = sfn.run({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
    >>> events_frame(ex, include_data=True)["output"].tolist()
    [None, None, {}, {}]
    """
    pd = _pandas()
    from sfn_notebook.engine.placement import EventTree
    from sfn_notebook.store.sqlite import Store

    store = source if isinstance(source, Store) else getattr(source, "store", None)
    selected = runs(source, state_machine=state_machine, status=status, since=since, until=until)
    if isinstance(store, Store) and all(hasattr(r, "store_id") for r in selected):
        return _store_events(pd, store, selected, include_data)
    columns: dict[str, list[Any]] = {name: [] for name in EVENT_COLUMNS if name != "elapsed"}
    data: dict[str, list[Any]] = {"input": [], "output": []}
    for run in selected:
        tree = EventTree()
        for event in sorted(run.events(), key=lambda e: int(e["id"])):
            details = _details(event)
            visit = tree.add(event)
            columns["execution_arn"].append(run.arn)
            columns["id"].append(int(event["id"]))
            columns["previous_event_id"].append(int(event.get("previousEventId") or 0))
            columns["timestamp"].append(event["timestamp"])
            columns["type"].append(event["type"])
            columns["state_name"].append(
                details.get("name") or (visit.name if visit is not None else None)
            )
            columns["error"].append(details.get("error"))
            columns["cause"].append(details.get("cause"))
            if include_data:
                data["input"].append(_parse(details.get("input")))
                data["output"].append(_parse(details.get("output")))
    frame = pd.DataFrame(columns, columns=[c for c in EVENT_COLUMNS if c != "elapsed"])
    frame["id"] = frame["id"].astype("int64")
    frame["previous_event_id"] = frame["previous_event_id"].astype("int64")
    frame["execution_arn"] = pd.Categorical(frame["execution_arn"], [r.arn for r in selected])
    normalise(frame, _EVENT_TEXT, ("timestamp",))
    first = frame.groupby("execution_arn", observed=True)["timestamp"].transform("min")
    frame.insert(4, "elapsed", frame["timestamp"] - first)
    if include_data:
        frame["input"], frame["output"] = data["input"], data["output"]
    return frame


def _details(event: Any) -> Any:
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, dict):
            return value
    return {}


def _parse(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def _store_events(pd: Any, store: Any, selected: list[Run], include_data: bool) -> Any:
    """The fast path: one SQL scan, columns cut from one object array with numpy."""
    import numpy as np

    ids = np.array([r.store_id for r in selected], dtype="int64")  # type: ignore[attr-defined]
    extra = ", body" if include_data else ""
    sql = (
        "SELECT execution_id, id, previous_id, timestamp_us, type, state_name, error, cause"
        f"{extra} FROM events"
    )
    total = store.query("SELECT COUNT(*) FROM executions")[0][0]
    params: tuple[Any, ...] = ()
    if len(selected) != total and len(selected) <= 30_000:  # SQLite's limit on parameters
        sql += f" WHERE execution_id IN ({','.join('?' * len(selected))})"
        params = tuple(int(i) for i in ids)
    rows = store.query(sql + " ORDER BY execution_id, id", params)
    width = 9 if include_data else 8
    table = np.array(rows, dtype=object) if rows else np.empty((0, width), dtype=object)
    execution_ids = table[:, 0].astype("int64")
    if len(selected) != total and len(selected) > 30_000:
        keep = np.isin(execution_ids, ids)
        table, execution_ids = table[keep], execution_ids[keep]
    order = np.argsort(ids)
    positions = order[np.searchsorted(ids, execution_ids, sorter=order)]
    starts = np.array([_us(r.start) for r in selected], dtype="int64")
    stamps = table[:, 3].astype("int64")
    frame = pd.DataFrame(
        {
            "execution_arn": pd.Categorical.from_codes(positions, [r.arn for r in selected]),
            "id": table[:, 1].astype("int64"),
            "previous_event_id": table[:, 2].astype("int64"),
            "timestamp": pd.to_datetime(stamps * 1000, unit="ns", utc=True),
            "elapsed": pd.to_timedelta((stamps - starts[positions]) * 1000, unit="ns"),
            "type": table[:, 4],
            "state_name": table[:, 5],
            "error": table[:, 6],
            "cause": table[:, 7],
        }
    )
    normalise(frame, _EVENT_TEXT)
    if include_data:
        bodies: list[Any] = [next(iter(json.loads(b).values()), {}) for b in table[:, 8]]
        details = [d if isinstance(d, dict) else {} for d in bodies]
        frame["input"] = [_parse(d.get("input")) for d in details]
        frame["output"] = [_parse(d.get("output")) for d in details]
    return frame


def _us(moment: datetime | None) -> int:
    from sfn_notebook.store.rows import to_us

    return 0 if moment is None else to_us(moment)


def executions_frame(
    source: Any,
    *,
    state_machine: str | None = None,
    status: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> pd.DataFrame:
    """One row per execution, oldest first.

    ================= ==================== ==============================================
    column            dtype                meaning
    ================= ==================== ==============================================
    execution_arn     object (str)         the execution's ARN (or label for raw events)
    state_machine_arn object (str or None)
    state_machine     object (str or None) the state machine's name
    name              object (str)         the execution's name
    status            object (str)         RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED
    start, stop       datetime64[ns, UTC]  NaT while running
    duration          timedelta64[ns]      stop - start (NaT while running)
    error, cause      object (str or None)
    redrive_count     int64                times the execution was redriven
    event_count       int64                history events
    input, output     object               parsed JSON (output None unless SUCCEEDED)
    ================= ==================== ==============================================

    >>> import sfn_notebook as sfn
    >>> ex = sfn.run({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}, {"x": 1})
    >>> executions_frame(ex)[["status", "event_count", "output"]].to_dict("records")
    [{'status': 'SUCCEEDED', 'event_count': 4, 'output': {'x': 1}}]
    """
    pd = _pandas()
    selected = runs(source, state_machine=state_machine, status=status, since=since, until=until)
    records = []
    for run in selected:
        count = run.event_count if run.event_count is not None else len(run.events())
        machine = run.state_machine_arn
        records.append(
            (
                run.arn,
                machine,
                machine.rsplit(":", 1)[-1] if machine else None,
                run.name,
                run.status,
                run.start,
                run.stop,
                run.error,
                run.cause,
                run.redrive_count,
                count,
                _parse(run.input),
                _parse(run.output),
            )
        )
    names = [c for c in EXECUTION_COLUMNS if c != "duration"]
    frame = pd.DataFrame.from_records(records, columns=names)
    text = (
        "execution_arn",
        "state_machine_arn",
        "state_machine",
        "name",
        "status",
        "error",
        "cause",
    )
    normalise(frame, text, ("start", "stop"))
    frame.insert(7, "duration", frame["stop"] - frame["start"])
    frame["redrive_count"] = frame["redrive_count"].astype("int64")
    frame["event_count"] = frame["event_count"].astype("int64")
    return frame
