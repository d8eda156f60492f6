"""The store's SQLite schema and its migrations, recorded in ``schema_migrations``.

Each migration is a version number, a description and a step (SQL text, or a function of the
connection when data must be rewritten). :func:`migrate` applies the missing ones in order, each
in its own transaction, so a store written by an older sfn-notebook opens in a newer one.

The file is marked as ours with ``PRAGMA application_id`` so that another program's SQLite
database is refused instead of being written into.

>>> import sqlite3
>>> conn = sqlite3.connect(":memory:", isolation_level=None)
>>> migrate(conn, ":memory:")
5
>>> [row[0] for row in conn.execute("SELECT version FROM schema_migrations")]
[1, 2, 3, 4, 5]
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import datetime, timezone

from sfn_notebook.errors import SfnNotebookError

APPLICATION_ID = 0x53464E42  # "SFNB"


class StoreError(SfnNotebookError):
    """The store file cannot be used: not a database, not ours, corrupt, or from a newer version.

    The message always names the file.
    """

    code = "StoreError"


_V1 = """
CREATE TABLE state_machines (
    arn TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    role_arn TEXT NOT NULL,
    definition TEXT NOT NULL,
    revision_id TEXT NOT NULL,
    created_us INTEGER NOT NULL,
    updated_us INTEGER
);
CREATE TABLE state_machine_versions (
    state_machine_arn TEXT NOT NULL,
    version INTEGER NOT NULL,
    definition TEXT NOT NULL,
    description TEXT,
    created_us INTEGER NOT NULL,
    PRIMARY KEY (state_machine_arn, version)
);
CREATE TABLE executions (
    id INTEGER PRIMARY KEY,
    arn TEXT NOT NULL UNIQUE,
    state_machine_arn TEXT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    input TEXT NOT NULL,
    output TEXT,
    error TEXT,
    cause TEXT,
    start_us INTEGER NOT NULL,
    stop_us INTEGER,
    event_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX executions_by_machine ON executions (state_machine_arn, start_us);
-- One row per history event: the indexed columns plus the rest of AWS's event as JSON
-- (``{"<x>EventDetails": {...}}``). Clustered by (execution, id); secondary indexes on type or
-- state name would triple the cost of every insert, and scans answer those questions fast.
CREATE TABLE events (
    execution_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    previous_id INTEGER NOT NULL,
    type TEXT NOT NULL,
    state_name TEXT,
    timestamp_us INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (execution_id, id)
) WITHOUT ROWID;
"""

_V2 = """
ALTER TABLE executions ADD COLUMN type TEXT NOT NULL DEFAULT 'STANDARD';
ALTER TABLE executions ADD COLUMN role_arn TEXT;
ALTER TABLE executions ADD COLUMN definition_id INTEGER;
ALTER TABLE executions ADD COLUMN redrive_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE executions ADD COLUMN redrive_us INTEGER;
CREATE INDEX executions_by_status ON executions (status);
CREATE TABLE definitions (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    text TEXT NOT NULL
);
ALTER TABLE events ADD COLUMN error TEXT;
ALTER TABLE events ADD COLUMN cause TEXT;
CREATE TABLE task_tokens (
    token TEXT PRIMARY KEY,
    execution_id INTEGER NOT NULL,
    state_name TEXT NOT NULL,
    event_id INTEGER NOT NULL,
    created_us INTEGER NOT NULL,
    heartbeat_seconds INTEGER,
    timeout_seconds INTEGER
);
CREATE INDEX task_tokens_by_execution ON task_tokens (execution_id);
"""

# The writer lease (store/lease.py): at most one row, the process allowed to write the file.
_V3 = """
CREATE TABLE writer_lease (
    owner TEXT NOT NULL,
    pid INTEGER NOT NULL,
    process_start TEXT NOT NULL,
    host TEXT NOT NULL,
    taken_us INTEGER NOT NULL,
    renewed_us INTEGER NOT NULL
);
"""

# A Distributed Map's map runs (DescribeMapRun, ListMapRuns after a reopen): one row per map run,
# the run and its child executions as JSON (engine.maprun.MapRun.to_record), rewritten as it
# changes (started, ended, redriven).
_V4 = """
CREATE TABLE map_runs (
    arn TEXT PRIMARY KEY,
    execution_id INTEGER NOT NULL,
    started_us INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX map_runs_by_execution ON map_runs (execution_id, started_us);
"""

# The state inspector's stage records (engine/observe.py StageLog), one row per execution that
# recorded them, written when the execution ends: a reopened store can still inspect its runs.
_V5 = """
CREATE TABLE stage_records (
    execution_id INTEGER PRIMARY KEY,
    stages TEXT NOT NULL,
    dropped INTEGER NOT NULL,
    limit_bytes INTEGER
);
"""


def _script(conn: sqlite3.Connection, sql: str) -> None:
    # Not executescript(): it commits first, and a migration must be one transaction.
    for statement in sql.split(";\n"):
        if statement.strip():
            conn.execute(statement)


def _v2_backfill(conn: sqlite3.Connection) -> None:
    """Version 1 kept errors only inside the event JSON: copy them to the new columns."""
    _script(conn, _V2)
    rows = conn.execute(
        "SELECT execution_id, id, body FROM events WHERE body LIKE '%\"error\"%'"
    ).fetchall()
    updates = [
        (details.get("error"), details.get("cause"), execution_id, event_id)
        for execution_id, event_id, body in rows
        for details in json.loads(body).values()
        if isinstance(details, dict) and "error" in details
    ]
    conn.executemany(
        "UPDATE events SET error = ?, cause = ? WHERE execution_id = ? AND id = ?", updates
    )


Step = Callable[[sqlite3.Connection], None]

MIGRATIONS: list[tuple[int, str, Step]] = [
    (1, "state machines, versions, executions, history events", lambda c: _script(c, _V1)),
    (2, "redrive, execution definitions, event errors, task tokens", _v2_backfill),
    (3, "the writer lease", lambda c: _script(c, _V3)),
    (4, "map runs", lambda c: _script(c, _V4)),
    (5, "the state inspector's stage records", lambda c: _script(c, _V5)),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]


def schema_version(conn: sqlite3.Connection, path: str) -> int:
    """The version a store file is at (0: empty file); refuses files that are not stores."""
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: not an sfn-notebook store ({exc})") from None
    if not tables and app_id == 0:
        return 0
    if app_id != APPLICATION_ID or "schema_migrations" not in tables:
        raise StoreError(
            f"{path}: not an sfn-notebook store (an SQLite database written by another program)"
        )
    row = conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
    return int(row[0] or 0)


def migrate(conn: sqlite3.Connection, path: str, target: int = SCHEMA_VERSION) -> int:
    """Bring the store to ``target`` (default: the latest version); returns the version reached.

    ``conn`` must be in autocommit mode (``isolation_level=None``).
    """
    version = schema_version(conn, path)
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path}: written by a newer sfn-notebook (store schema {version}; this version "
            f"reads up to {SCHEMA_VERSION})"
        )
    if version == 0:
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            "version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
    for number, description, step in MIGRATIONS:
        if number <= version or number > target:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have applied it meanwhile (two openers of a new file).
            done = conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0]
            if done is not None and done >= number:
                conn.execute("ROLLBACK")
                version = number
                continue
            step(conn)
            conn.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                (number, description, datetime.now(timezone.utc).isoformat()),
            )
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        version = number
    return version


def read_version(conn: sqlite3.Connection, path: str) -> int:
    """The version of a store opened read-only, which cannot be migrated: it must be current."""
    version = schema_version(conn, path)
    if version > SCHEMA_VERSION:
        raise StoreError(f"{path}: written by a newer sfn-notebook (store schema {version})")
    if version == 0:
        raise StoreError(f"{path}: not an sfn-notebook store (the file is empty)")
    if version < SCHEMA_VERSION:
        raise StoreError(
            f"{path}: written by an older sfn-notebook (store schema {version}); open it for "
            "writing once (sfn.Runtime(store=...)) to migrate it"
        )
    return version


def describe(exc: sqlite3.Error) -> str:
    """An SQLite error in words about the store (the caller adds the file's name)."""
    text = str(exc)
    if "not a database" in text:
        return f"not an sfn-notebook store (the file is not an SQLite database: {text})"
    if "readonly database" in text:
        return (
            f"cannot write the store ({text}: the file or its directory is read-only); open it "
            "read-only (Store(path, readonly=True)) or copy it somewhere writable"
        )
    if "malformed" in text:
        return f"the store is corrupt ({text}); restore a copy or start a new file"
    return text
