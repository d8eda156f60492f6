"""Stored rows as Python values, and the read side of the store (a mixin of :class:`Store`).

Timestamps are stored as integer microseconds since the epoch (UTC); events as their indexed
columns plus the rest of AWS's event as JSON. :func:`event_from_row` rebuilds the event exactly.

>>> from datetime import datetime, timezone
>>> from_us(to_us(datetime(2024, 1, 1, tzinfo=timezone.utc)))
datetime.datetime(2024, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sfn_notebook.engine.history import Event, History
from sfn_notebook.engine.placement import EventTree

UTC = timezone.utc
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
US = timedelta(microseconds=1)


def to_us(moment: datetime) -> int:
    """A datetime as integer microseconds since the epoch (naive means UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - EPOCH) // US


def from_us(micros: int | None) -> datetime | None:
    return None if micros is None else EPOCH + timedelta(microseconds=micros)


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


@dataclass
class ExecutionRow:
    """One stored execution, as the ``executions`` table holds it."""

    id: int
    arn: str
    state_machine_arn: str
    name: str
    status: str
    input: str
    output: str | None
    error: str | None
    cause: str | None
    start: datetime
    stop: datetime | None
    event_count: int
    type: str
    role_arn: str | None
    redrive_count: int
    redrive_date: datetime | None
    definition_id: int | None


EXECUTION_COLUMNS = (
    "id, arn, state_machine_arn, name, status, input, output, error, cause, start_us, stop_us, "
    "event_count, type, role_arn, redrive_count, redrive_us, definition_id"
)


def execution_row(row: tuple[Any, ...]) -> ExecutionRow:
    values = list(row)
    values[9] = from_us(values[9])
    values[10] = from_us(values[10])
    values[15] = from_us(values[15])
    return ExecutionRow(*values)


def event_from_row(
    event_id: int, previous_id: int, type_: str, timestamp_us: int, body: str
) -> Event:
    """Rebuild AWS's event (same keys, same order as the engine writes them)."""
    event: Event = {
        "timestamp": EPOCH + timedelta(microseconds=timestamp_us),
        "type": type_,
        "id": event_id,
        "previousEventId": previous_id,
    }
    if body != "{}":
        event.update(json.loads(body))
    return event


class Reader:
    """Queries on a store; the class using it provides :meth:`query` and :meth:`_sql`."""

    def query(self, sql: str, params: tuple[Any, ...] | Mapping[str, Any] = ()) -> list[Any]:
        raise NotImplementedError

    def _sql(self) -> AbstractContextManager[sqlite3.Connection]:
        """The store's connection, held under its lock (reads that must not flush first)."""
        raise NotImplementedError

    def state_machines(self) -> list[dict[str, Any]]:
        """Stored state machines, oldest first, as dicts of the table's columns."""
        rows = self.query(
            "SELECT arn, name, type, role_arn, definition, revision_id, created_us, updated_us "
            "FROM state_machines ORDER BY created_us, arn"
        )
        keys = ("arn", "name", "type", "role_arn", "definition", "revision_id")
        return [
            {
                **dict(zip(keys, row[:6], strict=True)),
                "created": from_us(row[6]),
                "updated": from_us(row[7]),
            }
            for row in rows
        ]

    def versions(self, arn: str) -> list[dict[str, Any]]:
        rows = self.query(
            "SELECT version, definition, description, created_us FROM state_machine_versions "
            "WHERE state_machine_arn = ? ORDER BY version",
            (arn,),
        )
        return [
            {"version": r[0], "definition": r[1], "description": r[2], "created": from_us(r[3])}
            for r in rows
        ]

    def executions(
        self,
        *,
        state_machine_arn: str | None = None,
        status: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[ExecutionRow]:
        """Stored executions, oldest first, optionally filtered."""
        where, params = filters(state_machine_arn, status, since, until)
        rows = self.query(
            f"SELECT {EXECUTION_COLUMNS} FROM executions{where} ORDER BY start_us, id", params
        )
        return [execution_row(row) for row in rows]

    def execution(self, arn: str) -> ExecutionRow | None:
        rows = self.query(f"SELECT {EXECUTION_COLUMNS} FROM executions WHERE arn = ?", (arn,))
        return execution_row(rows[0]) if rows else None

    def definition(self, definition_id: int) -> str | None:
        rows = self.query("SELECT text FROM definitions WHERE id = ?", (definition_id,))
        return rows[0][0] if rows else None

    def events(self, execution_id: int) -> list[Event]:
        """An execution's history, as GetExecutionHistory returns it."""
        rows = self.query(
            "SELECT id, previous_id, type, timestamp_us, body FROM events "
            "WHERE execution_id = ? ORDER BY id",
            (execution_id,),
        )
        return [event_from_row(*row) for row in rows]

    def map_runs(self, execution_id: int) -> list[dict[str, Any]]:
        """The map runs an execution started, in the order they started, as
        ``MapRun.to_record`` made them."""
        rows = self.query(
            "SELECT body FROM map_runs WHERE execution_id = ? ORDER BY started_us, arn",
            (execution_id,),
        )
        return [json.loads(body) for (body,) in rows]

    def stage_record(self, execution_id: int) -> tuple[str, int, int | None] | None:
        """An execution's stage record for the state inspector: (JSON text, stages dropped,
        limit), or None when it kept none (see ``StageLog.to_json``)."""
        rows = self.query(
            "SELECT stages, dropped, limit_bytes FROM stage_records WHERE execution_id = ?",
            (execution_id,),
        )
        return (rows[0][0], int(rows[0][1]), rows[0][2]) if rows else None

    def stage_record_ids(self) -> set[int]:
        """The executions that have a stage record."""
        return {int(row[0]) for row in self.query("SELECT execution_id FROM stage_records")}

    def task_tokens(self, execution_id: int | None = None) -> list[dict[str, Any]]:
        """Pending task tokens: token, execution_id, state_name, event_id, created."""
        sql = "SELECT token, execution_id, state_name, event_id, created_us FROM task_tokens"
        params: tuple[Any, ...] = ()
        if execution_id is not None:
            sql += " WHERE execution_id = ?"
            params = (execution_id,)
        with self._sql() as conn:
            rows = conn.execute(sql, params).fetchall()
        keys = ("token", "execution_id", "state_name", "event_id", "created")
        return [dict(zip(keys, (*r[:4], from_us(r[4])), strict=True)) for r in rows]


def filters(
    state_machine_arn: str | None,
    status: str | None,
    since: datetime | None,
    until: datetime | None,
) -> tuple[str, tuple[Any, ...]]:
    clauses: list[str] = []
    params: list[Any] = []
    if state_machine_arn is not None:
        clauses.append("state_machine_arn = ?")
        params.append(state_machine_arn)
    if status is not None:
        clauses.append("status = ?")
        params.append(status)
    if since is not None:
        clauses.append("start_us >= ?")
        params.append(to_us(since))
    if until is not None:
        clauses.append("start_us < ?")
        params.append(to_us(until))
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), tuple(params)


_UNENCODABLE = re.compile("[\ud800-\udfff]")
_LINKED_ACROSS = frozenset(
    f"{kind}State{what}"
    for kind in ("Map", "Parallel")
    for what in ("Started", "Succeeded", "Failed")
)


def storable(value: Any) -> Any:
    """A string with each character UTF-8 cannot encode written as its JSON escape ``\\uXXXX``.

    Such a character can only sit inside a JSON string literal, so JSON text keeps its value.
    """
    if not isinstance(value, str):
        return value
    return _UNENCODABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", value)


class EventNames:
    """The state names of one execution's events, as they are written.

    Most events name their state or follow one that does (a Task's events follow its entry).
    A Map's or Parallel's start and end events link into their iterations or branches, and the
    states a failing sibling aborts link to its failure; for those the event tree is consulted,
    fed lazily from the execution's history.
    """

    __slots__ = ("by_id", "fed", "history", "tree")

    def __init__(self, history: History | None) -> None:
        self.by_id: dict[int, str | None] = {}
        self.history = history
        self.tree: EventTree | None = None
        self.fed = 0

    def of(self, event: Event) -> str | None:
        kind = event["type"]
        if kind == "EvaluationFailed":
            details = event.get("evaluationFailedEventDetails") or {}
            return details.get("state")
        linked_across = kind in _LINKED_ACROSS or kind.endswith("StateAborted")
        if not linked_across or self.history is None:
            return self.by_id.get(event["previousEventId"])
        if self.tree is None:
            self.tree = EventTree()
        events = self.history.events
        target = event["id"]
        while self.fed < target and self.fed < len(events):
            self.tree.add(events[self.fed])
            self.fed += 1
        visit = self.tree.visit_of(target)
        return None if visit is None else visit.name


def interrupted_cause(events: list[Event]) -> str:
    tree = EventTree()
    state = None
    for event in events:
        visit = tree.add(event)
        if visit is not None:
            state = visit.name
    where = f"in state '{state}'" if state else "before its first state"
    last = f" after event #{events[-1]['id']} ({events[-1]['type']})" if events else ""
    return (
        f"The process running this execution stopped {where}{last}. "
        "Redrive the execution to run the states that did not succeed."
    )
