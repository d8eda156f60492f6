"""What the analysis functions accept, read into one shape: a list of :class:`Run`.

A *source* is any of:

* an :class:`~sfn_notebook.runtime.execution.Execution` (or a list of them);
* a ``Runtime`` (local, with or without a store) or a ``boto3.client("stepfunctions")``,
  narrowed with ``state_machine=`` (name or ARN), ``status=``, ``since=`` and ``until=``;
* a :class:`~sfn_notebook.store.Store` (the same filters);
* raw GetExecutionHistory events: a list of event dicts, a response dict with ``"events"``, or
  a mapping ``{execution ARN or label: events}`` for several executions.

Everything a run says about itself (status, start, stop, error, redrive count ...) is read from
its events when nothing better is at hand, so histories fetched from AWS analyse like local ones.

>>> import sfn_notebook as sfn
>>> ex = sfn.run({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
>>> [(r.status, r.event_count) for r in runs(ex)]
[('SUCCEEDED', 4)]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from sfn_notebook.errors import SfnNotebookError

Event = Mapping[str, Any]
_TERMINAL = {
    "ExecutionSucceeded": "SUCCEEDED",
    "ExecutionFailed": "FAILED",
    "ExecutionTimedOut": "TIMED_OUT",
    "ExecutionAborted": "ABORTED",
}


@dataclass
class Run:
    """One execution as the analysis functions see it; ``events()`` reads its history."""

    arn: str
    state_machine_arn: str | None
    name: str | None
    status: str
    start: datetime | None
    stop: datetime | None
    error: str | None = None
    cause: str | None = None
    redrive_count: int = 0
    input: str | None = None
    output: str | None = None
    event_count: int | None = None
    loader: Callable[[], list[Event]] = field(default=list, repr=False)
    # Execution logs of failed Lambda invocations (LogType Tail) by event id: local runs only.
    logs: Mapping[int, str] = field(default_factory=dict, repr=False)
    # A Distributed Map's child executions by map run ARN (History.map_runs): local runs only.
    map_runs: Mapping[str, Any] = field(default_factory=dict, repr=False)
    # The engine's stage record (engine.observe.StageLog) when the run kept one: local runs only.
    stages: Any = field(default=None, repr=False)

    def events(self) -> list[Event]:
        return self.loader()


def run_from_events(events: list[Event], arn: str, state_machine_arn: str | None = None) -> Run:
    """A :class:`Run` described by its events alone (as AWS returns them)."""
    events = sorted(events, key=lambda e: int(e["id"]))
    run = Run(arn, state_machine_arn, arn.rsplit(":", 1)[-1], "RUNNING", None, None)
    run.loader = lambda: events
    run.event_count = len(events)
    for event in events:
        kind = event["type"]
        details = _details(event)
        if kind == "ExecutionStarted":
            run.start = event["timestamp"]
            run.input = details.get("input")
        elif kind == "ExecutionRedriven":
            run.redrive_count += 1
            run.status, run.stop, run.output, run.error, run.cause = (
                "RUNNING",
                None,
                None,
                None,
                None,
            )
        elif kind in _TERMINAL:
            run.status = _TERMINAL[kind]
            run.stop = event["timestamp"]
            run.output = details.get("output")
            run.error, run.cause = details.get("error"), details.get("cause")
    return run


def _details(event: Event) -> Mapping[str, Any]:
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, Mapping):
            return value
    return {}


def _is_events(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and isinstance(value[0], Mapping)
        and "type" in value[0]
        and "id" in value[0]
    )


def runs(
    source: Any,
    *,
    state_machine: str | None = None,
    status: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[Run]:
    """Read any source (see the module docstring) into runs, oldest first."""
    from sfn_notebook.store.sqlite import Store

    if isinstance(source, Store):
        found = _store_runs(source, state_machine, status, since, until)
    elif hasattr(source, "history") and hasattr(source, "arn"):
        found = [_execution_run(source)]
    elif hasattr(source, "list_executions"):
        store = getattr(source, "store", None)
        if isinstance(store, Store):
            found = _store_runs(store, _arn_of(source, state_machine), status, since, until)
            found = _with_live(source, found)
        else:
            found = _client_runs(source, state_machine, status)
    elif isinstance(source, Mapping) and "events" in source:
        found = [run_from_events(list(source["events"]), "execution")]
    elif isinstance(source, Mapping):
        found = [run_from_events(list(events), str(arn)) for arn, events in source.items()]
    elif _is_events(source):
        found = [run_from_events(list(source), "execution")]
    elif isinstance(source, Iterable) and not isinstance(source, (str, bytes)):
        found = [r for item in source for r in runs(item)]
    else:
        raise SfnNotebookError(
            f"cannot analyse {type(source).__name__}: pass Execution objects, a Runtime, a Store, "
            "a boto3 Step Functions client, or GetExecutionHistory events"
        )
    return _filtered(found, state_machine, status, since, until)


def _filtered(
    found: list[Run],
    state_machine: str | None,
    status: str | None,
    since: datetime | None,
    until: datetime | None,
) -> list[Run]:
    def keep(run: Run) -> bool:
        if status is not None and run.status != status:
            return False
        if state_machine is not None and run.state_machine_arn is not None:
            machine = run.state_machine_arn
            if state_machine not in (machine, machine.rsplit(":", 1)[-1]):
                return False
        if since is not None and (run.start is None or run.start < since):
            return False
        return not (until is not None and (run.start is None or run.start >= until))

    return [run for run in found if keep(run)]


def _execution_run(execution: Any) -> Run:
    events = execution.history
    run = run_from_events(events, execution.arn, execution.state_machine_arn)
    run.loader = lambda: execution.history
    run.name = execution.name
    run.status = execution.status
    run.start = execution.start_date
    run.stop = execution.stop_date
    run.error, run.cause = execution.error, execution.cause
    run.output = execution.output_json
    logs = getattr(getattr(execution, "live_history", None), "task_logs", None)
    if logs is not None:
        run.logs = logs
    children = getattr(getattr(execution, "live_history", None), "map_runs", None)
    if children is not None:
        run.map_runs = children
    run.stages = getattr(execution, "stage_log", None)
    return run


def _arn_of(client: Any, state_machine: str | None) -> str | None:
    if state_machine is None or state_machine.startswith("arn:"):
        return state_machine
    for machine in _paged(client.list_state_machines, "stateMachines"):
        if machine["name"] == state_machine:
            return str(machine["stateMachineArn"])
    raise SfnNotebookError(f"no state machine named {state_machine!r}")


def _paged(call: Callable[..., Mapping[str, Any]], key: str, **kwargs: Any) -> list[Any]:
    items: list[Any] = []
    token = None
    while True:
        page = call(**kwargs, **({"nextToken": token} if token else {}))
        items.extend(page[key])
        token = page.get("nextToken")
        if not token:
            return items


def _client_runs(client: Any, state_machine: str | None, status: str | None) -> list[Run]:
    """A local Runtime without a store, or boto3: list executions, read their histories."""
    if state_machine is not None:
        machines = [_arn_of(client, state_machine)]
    else:
        machines = [
            m["stateMachineArn"] for m in _paged(client.list_state_machines, "stateMachines")
        ]
    found = []
    for machine in machines:
        kwargs: dict[str, Any] = {"stateMachineArn": machine}
        if status is not None:
            kwargs["statusFilter"] = status
        for item in _paged(client.list_executions, "executions", **kwargs):
            arn = item["executionArn"]
            if hasattr(client, "execution"):  # a local Runtime: its Execution objects
                found.append(_execution_run(client.execution(arn)))
                continue
            events = _paged(client.get_execution_history, "events", executionArn=arn)
            run = run_from_events(events, arn, machine)
            run.name = item.get("name", run.name)
            found.append(run)
    # ListExecutions is newest first; reverse it so runs that started in the same instant (the
    # virtual clock makes that common) keep the order they were started in.
    found.reverse()
    found.sort(key=lambda r: (r.start is None, r.start))
    return found


def _store_runs(
    store: Any,
    state_machine: str | None,
    status: str | None,
    since: datetime | None,
    until: datetime | None,
) -> list[Run]:
    if state_machine is not None and not state_machine.startswith("arn:"):
        names = {m["name"]: m["arn"] for m in store.state_machines()}
        state_machine = names.get(state_machine, f"arn:?:stateMachine:{state_machine}")
    rows = store.executions(
        state_machine_arn=state_machine, status=status, since=since, until=until
    )
    from sfn_notebook.runtime.ledger import StoredStageLog

    with_stages = store.stage_record_ids() if hasattr(store, "stage_record_ids") else set()
    found = []
    for row in rows:
        run = Run(
            row.arn,
            row.state_machine_arn,
            row.name,
            row.status,
            row.start,
            row.stop,
            row.error,
            row.cause,
            row.redrive_count,
            row.input,
            row.output,
            row.event_count,
        )
        run.loader = partial(store.events, row.id)
        run.store_id = row.id  # type: ignore[attr-defined]
        if row.id in with_stages:
            run.stages = StoredStageLog(partial(store.stage_record, row.id))
        found.append(run)
    return found


def _live_history(execution: Any) -> Callable[[], list[Event]]:
    """A loader reading ``execution``'s history each time it is called."""
    return lambda: execution.history


def _with_live(runtime: Any, found: list[Run]) -> list[Run]:
    """A stored runtime's running executions: read their events from memory (not yet flushed)."""
    for run in found:
        if run.status == "RUNNING":
            try:
                execution = runtime.execution(run.arn)
            except SfnNotebookError:
                continue
            run.loader = _live_history(execution)
    return found
