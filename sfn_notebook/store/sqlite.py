"""The SQLite store: state machines, executions and their history events, on disk.

One :class:`Store` owns a file. It is a *listener* of history events (the engine knows nothing
of it): :meth:`Store.track` subscribes to an execution's history, events are queued as they
happen and written in batches, one transaction each. A batch is committed

* before every Task is invoked (:meth:`Store.boundary`, the runtime's ``on_task`` hook): the
  engine waits for this commit, so a crash never loses an event that a side effect depended on;
* at each execution's end: its terminal event wakes the writer thread, which commits at once
  while the engine goes on (``flush()`` or ``close()`` waits for it);
* when someone waits for an execution (``Execution.wait()`` on a stored Runtime returns once its
  terminal events are committed, so what ``wait()`` reported survives a kill right after it);
* otherwise every ``flush_interval`` seconds, by that writer thread.

The file is in WAL mode with ``synchronous=NORMAL``: a committed batch survives the process
being killed (not necessarily a power cut; pass ``synchronous="FULL"`` for that). One process
writes a store at a time: a lock file, ``<path>.lock``, says which, and the database itself holds
a writer lease (:mod:`sfn_notebook.store.lease`) that refuses a second writer when the lock file
is gone or not honoured. Readers such as the CLI open it read-only at any time
(:mod:`sfn_notebook.store.opening`).

One bad row never costs other executions their events, and a batch the store as a whole could
not write (a full disk) is tried again with the next one. Events are inserted, never replaced: a
conflict is reported, not overwritten. When a batch fails on a row (a value SQLite cannot bind,
a conflicting event) it is rolled back and written again statement by statement in one
transaction: every other row is kept, the bad one is reported (a warning, and
:attr:`Store.problems`) and the batch's transaction is never left open. A string UTF-8 cannot
encode (an unpaired surrogate, which the Runtime refuses where payloads enter but a workflow can
still make, e.g. ``States.StringToJson('"\\udcff"')``) is written with the character as a JSON
escape, ``\\udcff``: the events read back equal, and JSON text columns parse to the same values.

>>> import tempfile, os
>>> store = Store(os.path.join(tempfile.mkdtemp(), "h.sqlite"))
>>> store.executions()
[]
>>> store.close()
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import sqlite3
import threading
import warnings
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from sfn_notebook.engine.history import Event, History
from sfn_notebook.engine.observe import StageLog
from sfn_notebook.store.lease import Lease, LeaseLost
from sfn_notebook.store.opening import check_path, connect, connect_readonly, take_lock_file
from sfn_notebook.store.rows import (
    EPOCH,
    US,
    EventNames,
    Reader,
    dumps,
    interrupted_cause,
    storable,
    to_us,
)
from sfn_notebook.store.schema import StoreError, describe, migrate, read_version

_ENCODE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
_BASE_KEYS = frozenset({"timestamp", "type", "id", "previousEventId"})
TERMINAL_EVENTS = {
    "ExecutionSucceeded": "SUCCEEDED",
    "ExecutionFailed": "FAILED",
    "ExecutionTimedOut": "TIMED_OUT",
    "ExecutionAborted": "ABORTED",
}
INTERRUPTED = "SfnNotebook.Interrupted"
# Events after which a map run is written again (see Store._map_runs_changed).
_MAP_RUN_EVENTS = frozenset({"MapRunStarted", "MapRunRedriven", *TERMINAL_EVENTS})
_SET_OUTCOME = (
    "UPDATE executions SET status = ?, output = ?, error = ?, cause = ?, stop_us = ?, "
    "event_count = ? WHERE id = ?"
)
_INSERT_EVENT = (
    "INSERT INTO events (execution_id, id, previous_id, type, state_name, timestamp_us, body, "
    "error, cause) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
# A row SQLite refuses (a constraint) or a value it cannot bind: that row's problem, not the
# store's. Anything else (disk full, a lost lease, corruption) fails the whole batch.
_ROW_ERRORS = (
    sqlite3.IntegrityError,
    sqlite3.InterfaceError,
    sqlite3.ProgrammingError,
    ValueError,  # UnicodeEncodeError among them
    TypeError,
    OverflowError,
)
_OPEN_STORES: dict[str, Store] = {}  # real path -> the store writing it in this process


class Store(Reader):
    """A store file opened for writing (or ``readonly=True`` for reading only)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        readonly: bool = False,
        flush_interval: float = 0.2,
        synchronous: str = "NORMAL",
    ) -> None:
        self.path = os.fspath(path)
        self.readonly = readonly
        self._lock = threading.RLock()  # the connection
        self._ids = threading.Lock()  # id allocation: never waits for a commit in progress
        self._events: collections.deque[tuple[int, Event]] = collections.deque()
        self._ops: collections.deque[tuple[str, tuple[Any, ...]]] = collections.deque()
        self._names: dict[int, EventNames] = {}
        self._histories: dict[int, History] = {}
        self._stage_logs: dict[int, StageLog | None] = {}
        self._unsettled: set[int] = set()  # executions whose end is queued, not yet committed
        self._retry: tuple[list[Any], list[tuple[Any, ...]], dict[int, int]] | None = None
        self._failure: BaseException | None = None
        self._closed = threading.Event()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._lock_file: Any = None
        #: Rows that could not be written as they were (each also a warning), oldest first.
        self.problems: list[str] = []
        self._real = check_path(self.path, writing=not readonly)
        self._lease = Lease(self.path)
        if readonly:
            self._conn = connect_readonly(self.path, self._real)
            try:
                self._guard(lambda: read_version(self._conn, self.path))()
            except BaseException:
                self._conn.close()
                raise
        else:
            self._take_lock()
            try:
                self._conn = connect(self.path, self.path)
                try:
                    self._guard(lambda: self._setup(synchronous))()
                except BaseException:
                    self._conn.close()
                    raise
            except BaseException:
                self._release_lock()
                raise
            self._next_id: int = self._scalar("SELECT COALESCE(MAX(id), 0) FROM executions") + 1
            self._definition_ids: dict[str, int] = {}
            self._next_definition: int = (
                self._scalar("SELECT COALESCE(MAX(id), 0) FROM definitions") + 1
            )
            _OPEN_STORES[self._real] = self
            self._thread = threading.Thread(
                target=self._flush_periodically,
                args=(flush_interval,),
                daemon=True,
                name=f"sfn-store {os.path.basename(self.path)}",
            )
            self._thread.start()

    # Opening -----------------------------------------------------------------------------------

    def _setup(self, synchronous: str) -> None:
        conn = self._conn
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StoreError(f"{self.path}: cannot use WAL mode (journal mode is {mode})")
        conn.execute(f"PRAGMA synchronous={synchronous}")
        migrate(conn, self.path)
        self._lease.take(conn)

    def _take_lock(self) -> None:
        other = _OPEN_STORES.get(self._real)
        if other is not None and not other._closed.is_set():
            raise StoreError(
                f"{self.path}: already open for writing in this process (by another Runtime); "
                "close that one first (rt.close())"
            )
        self._lock_file = take_lock_file(self.path, self._real)

    def _release_lock(self) -> None:
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None

    def _guard(self, fn: Any) -> Any:
        """Run ``fn`` with SQLite errors turned into :class:`StoreError` naming the file."""

        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except StoreError:
                raise
            except sqlite3.Error as exc:
                raise StoreError(f"{self.path}: {describe(exc)}") from None

        return guarded

    @contextlib.contextmanager
    def _sql(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                yield self._conn
            except sqlite3.Error as exc:
                with contextlib.suppress(sqlite3.Error):
                    if self._conn.in_transaction:
                        self._conn.execute("ROLLBACK")
                raise StoreError(f"{self.path}: {describe(exc)}") from None

    def _scalar(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        with self._sql() as conn:
            row = conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def close(self) -> None:
        """Write what is queued and close the file (idempotent).

        Raises StoreError only when the store as a whole failed (disk full, lease lost); a row
        that could not be written is in :attr:`problems`.
        """
        if self._closed.is_set():
            return
        try:
            if not self.readonly:
                self._stopping.set()
                self._wake.set()
                self._thread.join(timeout=30)
                self.flush()
        finally:
            with self._lock:
                self._closed.set()
                with contextlib.suppress(sqlite3.Error):
                    if self._conn.in_transaction:
                        self._conn.execute("ROLLBACK")
                    self._lease.release(self._conn)
                self._conn.close()
            if _OPEN_STORES.get(self._real) is self:
                del _OPEN_STORES[self._real]
            self._release_lock()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def check(self) -> str:
        """``PRAGMA integrity_check``: ``"ok"`` or SQLite's list of problems."""
        rows = self._guard(lambda: self._conn.execute("PRAGMA integrity_check").fetchall())()
        return "\n".join(str(row[0]) for row in rows)

    # Reading -----------------------------------------------------------------------------------

    def query(self, sql: str, params: tuple[Any, ...] | Mapping[str, Any] = ()) -> list[Any]:
        """Run a read-only SQL query on the store (after writing what is queued)."""
        self.flush()
        with self._sql() as conn:
            return conn.execute(sql, params).fetchall()

    # Writing -----------------------------------------------------------------------------------

    def _write(self, sql: str, params: tuple[Any, ...] = ()) -> None:
        """Queue a statement for the next batch."""
        self._ops.append((sql, params))

    def _commit_now(self, sql: str, params: tuple[Any, ...]) -> None:
        self._write(sql, params)
        self.flush()

    def put_state_machine(
        self,
        *,
        arn: str,
        name: str,
        type: str,
        role_arn: str,
        definition: str,
        revision_id: str,
        created: datetime,
        updated: datetime | None = None,
    ) -> None:
        """Create or replace a state machine (committed at once)."""
        self._commit_now(
            "INSERT OR REPLACE INTO state_machines VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                arn,
                name,
                type,
                role_arn,
                definition,
                revision_id,
                to_us(created),
                None if updated is None else to_us(updated),
            ),
        )

    def put_version(
        self, arn: str, number: int, definition: str, description: str | None, created: datetime
    ) -> None:
        self._commit_now(
            "INSERT OR REPLACE INTO state_machine_versions VALUES (?, ?, ?, ?, ?)",
            (arn, number, definition, description, to_us(created)),
        )

    def delete_version(self, arn: str, number: int) -> None:
        """Forget one published version of a state machine."""
        self._commit_now(
            "DELETE FROM state_machine_versions WHERE state_machine_arn = ? AND version = ?",
            (arn, number),
        )

    def delete_state_machine(self, arn: str) -> None:
        """Forget a state machine and its versions; its executions stay readable."""
        self._write("DELETE FROM state_machine_versions WHERE state_machine_arn = ?", (arn,))
        self._commit_now("DELETE FROM state_machines WHERE arn = ?", (arn,))

    def add_execution(
        self,
        *,
        arn: str,
        state_machine_arn: str,
        name: str,
        input: str,
        start: datetime,
        definition: str,
        type: str = "STANDARD",
        role_arn: str | None = None,
    ) -> int:
        """Queue a new RUNNING execution; returns its id for :meth:`track`."""
        with self._ids:
            execution_id = self._next_id
            self._next_id += 1
            definition_id = self._definition_id(definition)
        self._write(
            "INSERT INTO executions (id, arn, state_machine_arn, name, status, input, start_us, "
            "type, role_arn, definition_id) VALUES (?, ?, ?, ?, 'RUNNING', ?, ?, ?, ?, ?)",
            (
                execution_id,
                arn,
                state_machine_arn,
                name,
                input,
                to_us(start),
                type,
                role_arn,
                definition_id,
            ),
        )
        return execution_id

    def _definition_id(self, text: str) -> int:
        found = self._definition_ids.get(text)
        if found is not None:
            return found
        import hashlib

        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        found = self._scalar("SELECT id FROM definitions WHERE sha256 = ?", (digest,))
        if found is None:
            found = self._next_definition
            self._next_definition += 1
            self._write("INSERT INTO definitions VALUES (?, ?, ?)", (found, digest, text))
        self._definition_ids[text] = found
        return int(found)

    def track(self, execution_id: int, history: History, stages: StageLog | None = None) -> None:
        """Persist every event ``history`` gets from now on; the execution's row follows them.
        ``stages`` (the state inspector's record) is written with the execution's outcome."""
        if execution_id in self._histories:
            self._stage_logs[execution_id] = stages
            return
        self._histories[execution_id] = history
        self._stage_logs[execution_id] = stages
        append = self._events.append

        def listener(event: Event) -> None:
            append((execution_id, event))
            kind = event["type"]
            if kind in _MAP_RUN_EVENTS:
                self._map_runs_changed(execution_id, history, event)
            if kind in TERMINAL_EVENTS or kind == "ExecutionRedriven":
                if kind != "ExecutionRedriven":
                    self._write_stages(execution_id)
                self._on_status(execution_id, event)

        history.listen(listener)

    def _map_runs_changed(self, execution_id: int, history: History, event: Event) -> None:
        """Keep the map runs DescribeMapRun shows: the one started or redriven, or at the
        execution's end all of them (their children and counts are final by then)."""
        records = history.map_run_records
        if event["type"] in TERMINAL_EVENTS:
            runs = list(records.values())
        else:
            details = next((v for k, v in event.items() if k.endswith("EventDetails")), None)
            found = records.get(str((details or {}).get("mapRunArn")))
            runs = [] if found is None else [found]
        for run in runs:
            self._write(
                "INSERT OR REPLACE INTO map_runs (arn, execution_id, started_us, body) "
                "VALUES (?, ?, ?, ?)",
                (run.arn, execution_id, to_us(run.start), storable(dumps(run.to_record()))),
            )

    def _write_stages(self, execution_id: int) -> None:
        log = self._stage_logs.get(execution_id)
        if log is None or not len(log):
            return
        self._write(
            "INSERT OR REPLACE INTO stage_records VALUES (?, ?, ?, ?)",
            (execution_id, log.to_json(), log.dropped, log.limit),
        )

    def _on_status(self, execution_id: int, event: Event) -> None:
        kind = event["type"]
        details = next((v for k, v in event.items() if k.endswith("EventDetails")), None) or {}
        if kind == "ExecutionRedriven":
            self._write(
                "UPDATE executions SET status = 'RUNNING', output = NULL, error = NULL, "
                "cause = NULL, stop_us = NULL, redrive_count = ?, redrive_us = ? WHERE id = ?",
                (details.get("redriveCount", 0), to_us(event["timestamp"]), execution_id),
            )
            return
        self._unsettled.add(execution_id)  # until the statement below is committed
        self._write(
            _SET_OUTCOME,
            (
                TERMINAL_EVENTS[kind],
                details.get("output"),
                details.get("error"),
                details.get("cause"),
                to_us(event["timestamp"]),
                event["id"],
                execution_id,
            ),
        )
        self._write("DELETE FROM task_tokens WHERE execution_id = ?", (execution_id,))
        self._wake.set()  # the boundary at the execution's end: the writer commits at once

    def settle(self, execution_id: int) -> None:
        """Return once an ended execution's outcome is committed (``Execution.wait()``).

        Nothing to do when the writer thread already committed it (the usual case); otherwise
        this commits what is queued. A failure to write is a warning here, raised by the next
        :meth:`flush` or :meth:`close`.
        """
        if execution_id in self._unsettled:
            self.flush(quiet=True)

    def boundary(self, state_name: str | None = None) -> None:
        """The durable boundary before a Task is invoked (the engine's ``on_task`` hook)."""
        self.flush(quiet=True)

    def flush(self, *, quiet: bool = False) -> None:
        """Commit everything queued, in one transaction.

        ``quiet`` (the engine's hooks, the writer thread, ``wait()``) keeps a failure for the
        next caller instead of raising it inside a running execution.
        """
        if self._failure is not None and not quiet:
            failure, self._failure = self._failure, None
            raise StoreError(f"{self.path}: writing failed earlier: {failure}")
        if self.readonly:
            return
        try:
            # Take the lock even with nothing queued: the writer thread may be committing a batch
            # it already took, and flush() promises that batch is on disk when it returns.
            with self._sql() as conn:
                if self._closed.is_set() or not self._lease.held:  # closed, or taken over
                    self._events.clear()  # an abandoned execution's events: nowhere to go
                    self._ops.clear()
                    return
                retry = self._retry
                if not self._events and not self._ops and not retry and not self._lease.due():
                    return
                ops = [self._ops.popleft() for _ in range(len(self._ops))]
                batch = [self._events.popleft() for _ in range(len(self._events))]
                rows, counts = self._event_rows(batch)
                if retry:  # a batch the store as a whole failed to write (a full disk): first
                    ops, rows = retry[0] + ops, retry[1] + rows
                    counts = {**retry[2], **counts}
                self._retry = None
                try:
                    try:
                        self._commit(conn, ops, rows, counts, careful=False)
                    except _ROW_ERRORS:
                        # One row spoilt the batch (rolled back): write it again row by row.
                        self._commit(conn, ops, rows, counts, careful=True)
                except LeaseLost:
                    raise
                except (StoreError, sqlite3.Error):
                    self._retry = (ops, rows, counts)  # kept for the next flush
                    raise
        except (StoreError, sqlite3.Error) as exc:
            if not quiet:
                raise
            if self._failure is None:
                warnings.warn(f"sfn-notebook store {self.path}: {exc}", stacklevel=2)
            self._failure = exc

    def _commit(
        self,
        conn: sqlite3.Connection,
        ops: list[tuple[str, tuple[Any, ...]]],
        rows: list[tuple[Any, ...]],
        counts: dict[int, int],
        *,
        careful: bool,
    ) -> None:
        """One transaction: the queued statements, the events, the event counts.

        ``careful`` runs each statement on its own, so a bad row is reported and skipped (a
        failed statement changes nothing) instead of failing the others. Whatever happens, the
        transaction is committed or rolled back before this returns.
        """
        conn.execute("BEGIN IMMEDIATE")
        try:
            self._lease.confirm(conn)
            if careful:
                for sql, params in ops:
                    self._execute_row(conn, sql, params)
                for row in rows:
                    self._execute_row(conn, _INSERT_EVENT, row)
            else:
                for sql, params in ops:
                    conn.execute(sql, params)
                conn.executemany(_INSERT_EVENT, rows)
            conn.executemany(
                "UPDATE executions SET event_count = MAX(event_count, ?) WHERE id = ?",
                [(count, execution_id) for execution_id, count in counts.items()],
            )
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        for sql, params in ops:
            if sql is _SET_OUTCOME:
                self._unsettled.discard(params[-1])

    def _execute_row(self, conn: sqlite3.Connection, sql: str, params: tuple[Any, ...]) -> None:
        try:
            try:
                conn.execute(sql, params)
            except UnicodeEncodeError:
                conn.execute(sql, tuple(storable(value) for value in params))
        except _ROW_ERRORS as exc:
            what = sql.split("(", maxsplit=1)[0].strip()
            if sql is _INSERT_EVENT:
                what = f"event {params[1]} of execution #{params[0]} ({params[3]})"
            self._problem(f"{what} was not written: {exc}")

    def _problem(self, text: str) -> None:
        self.problems.append(text)
        warnings.warn(f"sfn-notebook store {self.path}: {text}", stacklevel=2)

    def _event_rows(
        self, batch: list[tuple[int, Event]]
    ) -> tuple[list[tuple[Any, ...]], dict[int, int]]:
        rows = []
        counts: dict[int, int] = {}
        all_names = self._names
        encode = _ENCODE
        for execution_id, event in batch:
            names = all_names.get(execution_id)
            if names is None:
                names = all_names[execution_id] = EventNames(self._histories.get(execution_id))
            event_id = event["id"]
            kind = event["type"]
            name = error = cause = None
            try:
                if len(event) == 5:  # the engine's shape: the four base keys, then one details
                    key, details = next(reversed(event.items()))
                    body = f'{{"{key}":{encode(details)}}}'
                    name = details.get("name")
                    error = details.get("error")
                    cause = details.get("cause")
                elif len(event) == 4:
                    body = "{}"
                else:
                    rest = {k: v for k, v in event.items() if k not in _BASE_KEYS}
                    body = encode(rest)
                    for value in rest.values():
                        if isinstance(value, dict):
                            name = value.get("name")
                            error, cause = value.get("error"), value.get("cause")
            except (TypeError, ValueError, RecursionError) as exc:  # not JSON: report, go on
                self._problem(
                    f"event {event_id} of execution #{execution_id} ({kind}) was not written: {exc}"
                )
                continue
            if name is None and not kind.startswith("Execution"):
                name = names.of(event)
            names.by_id[event_id] = name
            stamp = event["timestamp"]
            rows.append(
                (
                    execution_id,
                    event_id,
                    event["previousEventId"],
                    kind,
                    name,
                    (stamp - EPOCH) // US if stamp.tzinfo is not None else to_us(stamp),
                    body,
                    error,
                    cause,
                )
            )
            counts[execution_id] = event_id
            if kind in TERMINAL_EVENTS:
                del all_names[execution_id]
        return rows, counts

    def _flush_periodically(self, interval: float) -> None:
        """The writer thread: commits at each execution's end, and every ``interval`` seconds."""
        while not self._stopping.is_set():
            self._wake.wait(interval)
            self._wake.clear()
            if self._events or self._ops or self._lease.due():  # the lease is renewed idle too
                self.flush(quiet=True)

    # Task tokens -------------------------------------------------------------------------------

    def put_task_token(
        self,
        token: str,
        execution_id: int,
        state_name: str,
        event_id: int,
        created: datetime,
        heartbeat_seconds: int | None = None,
        timeout_seconds: int | None = None,
    ) -> None:
        """Remember a task token awaiting SendTaskSuccess/Failure (written with the next batch)."""
        self._write(
            "INSERT OR REPLACE INTO task_tokens VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                token,
                execution_id,
                state_name,
                event_id,
                to_us(created),
                heartbeat_seconds,
                timeout_seconds,
            ),
        )

    def delete_task_token(self, token: str) -> None:
        self._write("DELETE FROM task_tokens WHERE token = ?", (token,))

    # Recovery ----------------------------------------------------------------------------------

    def recover(self, now: datetime) -> list[str]:
        """Mark executions left RUNNING by a process that died as FAILED; returns their ARNs.

        Each gets an ``ExecutionFailed`` event with error ``SfnNotebook.Interrupted`` and a cause
        naming the state it was in, and can be redriven. One whose terminal event was written
        (the process stopped before its status was) gets the status that event says.
        """
        interrupted = []
        for row in self.executions(status="RUNNING"):
            events = self.events(row.id)
            last = events[-1] if events else None
            if last is not None and last["type"] in TERMINAL_EVENTS:
                self._on_status(row.id, last)
                continue
            cause = interrupted_cause(events)
            event_id = (last["id"] if last else 0) + 1
            details = {"error": INTERRUPTED, "cause": cause}
            body = dumps({"executionFailedEventDetails": details})
            stamp = to_us(now)
            self._write(
                "INSERT INTO events (execution_id, id, previous_id, type, state_name, "
                "timestamp_us, body, error, cause) VALUES (?, ?, ?, 'ExecutionFailed', NULL, ?, "
                "?, ?, ?)",
                (row.id, event_id, event_id - 1, stamp, body, INTERRUPTED, cause),
            )
            self._write(
                "UPDATE executions SET status = 'FAILED', error = ?, cause = ?, stop_us = ?, "
                "event_count = ? WHERE id = ?",
                (INTERRUPTED, cause, stamp, event_id, row.id),
            )
            self._write("DELETE FROM task_tokens WHERE execution_id = ?", (row.id,))
            interrupted.append(row.arn)
        self.flush()
        return interrupted
