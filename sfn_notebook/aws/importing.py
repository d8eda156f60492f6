"""``import_executions``: copy finished executions' histories from AWS into a local SQLite store.

Once imported they analyse offline like local runs (``analysis.events_frame(store)``,
``sfn.Runtime(store=path)`` after reopening). Each execution costs one
DescribeStateMachineForExecution call (the exact definition it ran) and one GetExecutionHistory
call per 1,000 events; its input, output, error and cause come from its events. Executions
already in the store are skipped, so importing again only fetches what is new. Running
executions are skipped too (a store row cannot be completed later): import them once they end.

>>> ImportReport(["arn:1"], [], [], 12, 3, "h.sqlite")
Imported 1 execution (12 events, 3 API calls) into h.sqlite.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from sfn_notebook.aws.execution import TERMINAL_EVENTS, RemoteExecution
from sfn_notebook.engine.listeners import Listeners
from sfn_notebook.errors import SfnNotebookError

if TYPE_CHECKING:
    from sfn_notebook.aws.connection import AwsRuntime

Event = dict[str, Any]


@dataclass
class ImportReport:
    """What :func:`import_executions` did."""

    imported: list[str]
    skipped: list[str]  # already in the store
    running: list[str]  # not finished: not imported
    events: int
    calls: int
    store: str

    def __repr__(self) -> str:
        n = len(self.imported)
        text = (
            f"Imported {n} execution{'' if n == 1 else 's'} ({self.events} events, "
            f"{self.calls} API calls) into {self.store}."
        )
        if self.skipped:
            text += f" Skipped {len(self.skipped)} already there."
        if self.running:
            text += f" Left {len(self.running)} still running."
        return text


class _Replay:
    """A fetched history handed to ``Store.track`` as if it were happening now."""

    def __init__(self, events: list[Event]) -> None:
        self.events = events
        # The store keeps a local run's map runs; an imported one's stay on AWS (DescribeMapRun).
        self.map_run_records: dict[str, Any] = {}
        self._listeners = Listeners()

    def listen(self, listener: Any) -> None:
        self._listeners.add(listener)

    def play(self) -> None:
        for event in self.events:
            self._listeners.dispatch(event)


def _open_store(into: Any) -> tuple[Any, bool]:
    """(store, opened here) for a Store, a path, or a Runtime with a store."""
    from sfn_notebook.store.sqlite import Store

    if isinstance(into, Store):
        return into, False
    if isinstance(into, (str, os.PathLike)):
        return Store(into), True
    store = getattr(into, "store", None)
    if isinstance(store, Store):
        return store, False
    raise SfnNotebookError(
        f"cannot import into {type(into).__name__}: it keeps no store. Fix: pass a file path, a "
        "Store, or a Runtime opened with store='history.sqlite'"
    )


def _arns(
    aws: AwsRuntime,
    executions: Iterable[Any] | None,
    state_machine: str | None,
    status: str | None,
) -> list[tuple[str, datetime | None]]:
    """(ARN, start date when listing told it), oldest first."""
    if executions is not None:
        return [(e.arn if isinstance(e, RemoteExecution) else str(e), None) for e in executions]
    if state_machine is not None:
        machines = [aws.state_machine_arn(state_machine)]
    else:
        machines = [
            m["stateMachineArn"] for m in _paged(aws, "list_state_machines", "stateMachines")
        ]
    found = []
    for machine in machines:
        extra = {"statusFilter": status} if status else {}
        found.extend(_paged(aws, "list_executions", "executions", stateMachineArn=machine, **extra))
    found.sort(key=lambda item: item["startDate"])
    return [(item["executionArn"], item["startDate"]) for item in found]


def _within(start: datetime, since: datetime | None, until: datetime | None) -> bool:
    start = _aware(start)
    return (since is None or start >= _aware(since)) and (until is None or start < _aware(until))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def _paged(aws: AwsRuntime, method: str, key: str, **kwargs: Any) -> list[Any]:
    items: list[Any] = []
    token = None
    while True:
        page = aws.call(method, **kwargs, **({"nextToken": token} if token else {}))
        items.extend(page[key])
        token = page.get("nextToken")
        if not token:
            return items


def import_executions(
    into: Any,
    *,
    aws: AwsRuntime,
    executions: Iterable[Any] | None = None,
    state_machine: str | None = None,
    status: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
) -> ImportReport:
    """Copy remote executions (``executions``: ARNs or RemoteExecutions; else those of
    ``state_machine``, or of every state machine, filtered by ``status``, ``since`` and
    ``until`` on their start, at most ``limit``, newest kept) into ``into``: a store path, a
    ``Store``, or a ``Runtime`` with a store.

    >>> import_executions("h.sqlite", aws=aws, state_machine="orders")  # doctest: +SKIP
    Imported 3 executions (42 events, 5 API calls) into h.sqlite.
    """
    before = sum(aws.calls.values())
    store, opened = _open_store(into)
    imported: list[str] = []
    skipped: list[str] = []
    running: list[str] = []
    events_total = 0
    try:
        machines = {row["arn"] for row in store.state_machines()}
        candidates = []
        for arn, listed_start in _arns(aws, executions, state_machine, status):
            if store.execution(arn) is not None:
                skipped.append(arn)
            elif listed_start is None or _within(listed_start, since, until):
                candidates.append(arn)
        chosen: list[tuple[str, list[Event]]] = []
        for arn in reversed(candidates):  # newest first, so limit keeps the newest
            if limit is not None and len(chosen) >= limit:
                break
            history = aws.execution(arn).history
            if not history or history[0]["type"] != "ExecutionStarted":
                continue
            if not _within(history[0]["timestamp"], since, until):
                continue
            if history[-1]["type"] not in TERMINAL_EVENTS:
                running.append(arn)
                continue
            chosen.append((arn, history))
        for arn, history in reversed(chosen):
            _store_execution(aws, store, arn, history, machines)
            imported.append(arn)
            events_total += len(history)
        store.flush()
    finally:
        if opened:
            store.close()
    return ImportReport(
        imported, skipped, running, events_total, sum(aws.calls.values()) - before, store.path
    )


def _store_execution(
    aws: AwsRuntime, store: Any, arn: str, history: list[Event], machines: set[str]
) -> None:
    ran = aws.call("describe_state_machine_for_execution", executionArn=arn)
    machine_arn = str(ran["stateMachineArn"])
    started = history[0]
    details = started.get("executionStartedEventDetails") or {}
    machine_type = "EXPRESS" if ":express:" in arn else "STANDARD"
    role = details.get("roleArn") or ran.get("roleArn")
    if machine_arn not in machines:
        store.put_state_machine(
            arn=machine_arn,
            name=str(ran["name"]),
            type=machine_type,
            role_arn=str(role or ""),
            definition=str(ran["definition"]),
            revision_id=str(ran.get("revisionId") or "imported"),
            created=ran.get("updateDate") or started["timestamp"],
        )
        machines.add(machine_arn)
    execution_id = store.add_execution(
        arn=arn,
        state_machine_arn=machine_arn,
        name=arn.rsplit(":", 1)[-1],
        input=str(details.get("input") or "{}"),
        start=started["timestamp"],
        definition=str(ran["definition"]),
        type=machine_type,
        role_arn=role,
    )
    replay = _Replay(history)
    store.track(execution_id, replay)
    replay.play()
