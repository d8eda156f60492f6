"""The SQLite store on its own: schema, migrations, refusing foreign files, events round trip."""

from __future__ import annotations

import sqlite3

import pytest

import sfn_notebook as sfn
from sfn_notebook.engine.history import History
from sfn_notebook.store import SCHEMA_VERSION, Store, StoreError, migrate
from sfn_notebook.store.schema import APPLICATION_ID

FLOW = {
    "StartAt": "A",
    "States": {
        "A": {"Type": "Pass", "Result": {"x": 1}, "ResultPath": "$.a", "Next": "M"},
        "M": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}},
            "End": True,
        },
    },
}


def _replay_into(store: Store, execution: sfn.Execution, arn: str) -> int:
    """Feed a finished execution's events to the store as the engine would."""
    execution_id = store.add_execution(
        arn=arn,
        state_machine_arn="arn:aws:states:us-east-1:123456789012:stateMachine:m",
        name=arn.rsplit(":", 1)[-1],
        input="{}",
        start=execution.start_date,
        definition="{}",
    )
    history = History(lambda: execution.start_date)
    store.track(execution_id, history)
    for event in execution.history:
        history.events.append(event)
        for listener in history._listeners:
            listener(event)
    return execution_id


def test_events_round_trip_exactly(tmp_path):
    ex = sfn.run(FLOW, {"items": [1, 2, 3]})
    with Store(tmp_path / "h.sqlite") as store:
        execution_id = _replay_into(store, ex, "arn:aws:states:us-east-1:1:execution:m:e1")
        assert store.events(execution_id) == ex.history
        (row,) = store.executions()
        assert (row.status, row.event_count, row.stop) == (
            "SUCCEEDED",
            len(ex.history),
            ex.stop_date,
        )
        names = store.query(
            "SELECT state_name FROM events "
            "WHERE type IN ('MapStateSucceeded', 'MapIterationStarted')"
        )
        assert {n for (n,) in names} == {"M"}
        assert store.check() == "ok"


def test_schema_is_recorded_and_file_marked(tmp_path):
    with Store(tmp_path / "h.sqlite") as store:
        versions = store.query("SELECT version, description FROM schema_migrations")
        assert [v for v, _ in versions] == list(range(1, SCHEMA_VERSION + 1))
        assert store.query("PRAGMA application_id")[0][0] == APPLICATION_ID
        assert store.query("PRAGMA journal_mode")[0][0] == "wal"


def test_store_written_by_an_older_schema_is_migrated(tmp_path):
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, str(path), target=1) == 1
    conn.execute(
        "INSERT INTO executions (id, arn, state_machine_arn, name, status, input, error, start_us, "
        "stop_us, event_count) VALUES (1, 'arn:x:execution:m:e', 'arn:x:stateMachine:m', 'e', "
        "'FAILED', '{}', 'Boom', 1700000000000000, 1700000001000000, 2)"
    )
    conn.executemany(
        "INSERT INTO events VALUES (1, ?, ?, ?, NULL, ?, ?)",
        [
            (1, 0, "ExecutionStarted", 1700000000000000, '{"executionStartedEventDetails":{}}'),
            (
                2,
                1,
                "ExecutionFailed",
                1700000001000000,
                '{"executionFailedEventDetails":{"error":"Boom","cause":"why"}}',
            ),
        ],
    )
    conn.close()
    with Store(path) as store:
        assert store.query("SELECT MAX(version) FROM schema_migrations")[0][0] == SCHEMA_VERSION
        (row,) = store.executions()
        assert (row.status, row.error, row.redrive_count, row.type) == (
            "FAILED",
            "Boom",
            0,
            "STANDARD",
        )
        assert store.query("SELECT error, cause FROM events WHERE id = 2") == [("Boom", "why")]
        assert [e["type"] for e in store.events(row.id)] == ["ExecutionStarted", "ExecutionFailed"]


def test_corrupt_file_is_refused_with_its_name(tmp_path):
    path = tmp_path / "broken.sqlite"
    path.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StoreError, match=r"broken\.sqlite") as raised:
        Store(path)
    assert "not an sfn-notebook store" in str(raised.value)
    assert not isinstance(raised.value.__cause__, sqlite3.Error)


def test_damaged_store_is_refused_with_its_name(tmp_path):
    path = tmp_path / "damaged.sqlite"
    Store(path).close()
    data = bytearray(path.read_bytes())
    data[100:4000] = b"\xff" * 3900  # the schema page
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError, match=r"damaged\.sqlite"):
        Store(path)


def test_foreign_database_is_refused(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE customers (id INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match=r"other\.db: not an sfn-notebook store"):
        Store(path)


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "new.sqlite"
    with Store(path) as store:
        store._commit_now("INSERT INTO schema_migrations VALUES (99, 'future', 'x')", ())
    with pytest.raises(StoreError, match="newer sfn-notebook"):
        Store(path)


def test_one_writer_at_a_time_readers_any_time(tmp_path):
    path = tmp_path / "h.sqlite"
    ex = sfn.run(FLOW, {"items": [1]})
    with Store(path) as store:
        _replay_into(store, ex, "arn:aws:states:us-east-1:1:execution:m:e1")
        with pytest.raises(StoreError, match="already open"):
            Store(path)
        store.flush()
        reader = Store(path, readonly=True)
        assert [r.status for r in reader.executions()] == ["SUCCEEDED"]
        reader.close()
    with pytest.raises(StoreError, match="no such store"):
        Store(tmp_path / "missing.sqlite", readonly=True)


def test_recover_marks_running_executions_interrupted(tmp_path):
    path = tmp_path / "h.sqlite"
    ex = sfn.run(FLOW, {"items": [1, 2]})
    with Store(path) as store:
        execution_id = store.add_execution(
            arn="arn:aws:states:us-east-1:1:execution:m:e1",
            state_machine_arn="arn:aws:states:us-east-1:1:stateMachine:m",
            name="e1",
            input="{}",
            start=ex.start_date,
            definition="{}",
        )
        history = History(lambda: ex.start_date)
        store.track(execution_id, history)
        for event in ex.history[:6]:  # stopped inside the Map
            history.events.append(event)
            for listener in history._listeners:
                listener(event)
    with Store(path) as store:
        assert store.recover(ex.stop_date) == ["arn:aws:states:us-east-1:1:execution:m:e1"]
        (row,) = store.executions()
        assert (row.status, row.error, row.event_count) == ("FAILED", "SfnNotebook.Interrupted", 7)
        assert "in state 'M' after event #6 (MapIterationStarted)" in row.cause
        events = store.events(row.id)
        assert events[-1]["type"] == "ExecutionFailed"
        assert events[-1]["previousEventId"] == 6
        assert store.recover(ex.stop_date) == []
