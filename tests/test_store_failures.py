"""The store when things go wrong: a bad row, a second writer, a kill right after wait(), odd paths.

Each test goes through the public API (``sfn.Runtime(store=...)``, ``Store``) and, where the
failure is between processes, through real processes.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import warnings

import pytest

import sfn_notebook as sfn
from sfn_notebook.engine.history import History
from sfn_notebook.store import Store, StoreError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = {**os.environ, "PYTHONPATH": ROOT}
LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:{}"
TASK = {
    "StartAt": "T",
    "States": {
        "T": {"Type": "Task", "Resource": LAMBDA.format("f"), "Next": "P"},
        "P": {"Type": "Pass", "End": True},
    },
}


def _history(rt: sfn.Runtime, arn: str) -> list[dict]:
    return rt.get_execution_history(executionArn=arn, maxResults=0)["events"]


# -- one bad row --------------------------------------------------------------------------------


def test_a_lone_surrogate_result_fails_its_execution_only(tmp_path):
    """A task result UTF-8 cannot encode is Lambda's Runtime.MarshalError; the others are kept."""
    path = tmp_path / "h.sqlite"

    def f(event, context):
        # What os.listdir returns for a file name that is not UTF-8.
        return "\udcff" if event["i"] == 4 else {"i": event["i"]}

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rt = sfn.Runtime(store=path, clock="virtual", functions={"f": f})
        arn = rt.create_state_machine(name="m", definition=TASK)["stateMachineArn"]
        executions = [rt.start(arn, {"i": i}, name=f"e{i}") for i in range(10)]
        live = {ex.arn: ex.wait(30).history for ex in executions}
        rt.close()  # clean: no exception, no warning
        assert rt.store is not None and rt.store.problems == []
    bad = executions[4]
    assert (bad.status, bad.error) == ("FAILED", "Runtime.MarshalError")
    cause = json.loads(bad.cause or "")
    assert cause["errorType"] == "Runtime.MarshalError"
    assert "surrogates not allowed" in cause["errorMessage"]
    with sfn.Runtime(store=path) as reopened:
        for ex in executions:
            described = reopened.describe_execution(executionArn=ex.arn)
            expected = "FAILED" if ex is bad else "SUCCEEDED"
            assert described["status"] == expected, described
            assert _history(reopened, ex.arn) == live[ex.arn]


def test_a_surrogate_made_inside_a_workflow_is_stored_and_read_back_equal(tmp_path):
    """Nothing refuses States.StringToJson('"\\udcff"'): the store writes it losslessly."""
    definition = {
        "StartAt": "P",
        "States": {
            "P": {"Type": "Pass", "Parameters": {"v.$": "States.StringToJson($.s)"}, "End": True}
        },
    }
    path = tmp_path / "h.sqlite"
    with warnings.catch_warnings(), sfn.Runtime(store=path, clock="virtual") as rt:
        warnings.simplefilter("error")
        arn = rt.create_state_machine(name="m", definition=definition)["stateMachineArn"]
        good = [rt.start(arn, {"s": '"fine"'}, name=f"g{i}") for i in range(4)]
        odd = rt.start(arn, {"s": '"\\udcff"'}, name="odd").wait(30)
        live = {ex.arn: ex.wait(30).history for ex in [*good, odd]}
        assert odd.status == "SUCCEEDED" and odd.output == {"v": "\udcff"}
    with sfn.Runtime(store=path) as reopened:
        for arn_, events in live.items():
            assert _history(reopened, arn_) == events
        assert reopened.execution(odd.arn).output == {"v": "\udcff"}


def test_unencodable_payloads_are_refused_where_they_enter(tmp_path):
    """Input, SendTaskSuccess output, any other Task result: as AWS treats invalid UTF-8 JSON."""
    callback = {
        "StartAt": "Wait",
        "States": {
            "Wait": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                "Parameters": {"FunctionName": "ask", "Payload": {"token.$": "$$.Task.Token"}},
                "End": True,
            }
        },
    }
    mocks = {
        "StateMachines": {"mocked": {"TestCases": {"Odd": {"Send": "Odd"}}}},
        "MockedResponses": {"Odd": {"0": {"Return": {"MessageId": "\udcff"}}}},
    }
    send = {
        "StartAt": "Send",
        "States": {
            "Send": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage",
                "Parameters": {"QueueUrl": "q", "MessageBody": "x"},
                "End": True,
            }
        },
    }
    tokens: list[str] = []
    functions = {"ask": lambda event, _: tokens.append(event["token"])}
    with (
        warnings.catch_warnings(),
        sfn.Runtime(store=tmp_path / "h.sqlite", mocks=mocks, functions=functions) as rt,
    ):
        warnings.simplefilter("error")
        arn = rt.create_state_machine(name="m", definition=PASS)["stateMachineArn"]
        for bad in ('{"name": "\udcff"}', '{"name": "\\udcff"}'):  # a character, an escape
            with pytest.raises(sfn.ExecutionInputError, match="unpaired surrogate"):
                rt.start_execution(stateMachineArn=arn, input=bad)
        with pytest.raises(sfn.ExecutionInputError, match="unpaired surrogate"):
            rt.start(arn, {"files": ["\udcff"]})
        waiting = rt.create_state_machine(name="w", definition=callback)["stateMachineArn"]
        ex = rt.start(waiting)
        deadline = time.monotonic() + 10
        while not tokens:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        (token,) = tokens
        for output in ('"\udcff"', '"\\udcff"'):
            with pytest.raises(sfn.SfnNotebookError, match="unpaired surrogate") as raised:
                rt.send_task_success(taskToken=token, output=output)
            assert raised.value.code == "InvalidOutput"
        rt.send_task_success(taskToken=token, output='"fine"')
        assert ex.wait(10).status == "SUCCEEDED"
        mocked = rt.create_state_machine(name="mocked", definition=send)["stateMachineArn"]
        started = rt.start_execution(stateMachineArn=f"{mocked}#Odd")
        odd = rt.execution(started["executionArn"]).wait(10)
        assert (odd.status, odd.error) == ("FAILED", "States.Runtime")
        assert "'sqs' returned a result that is not UTF-8 JSON" in (odd.cause or "")
        assert rt.store is not None and rt.store.problems == []


def _feed(store: Store, name: str, execution: sfn.Execution) -> int:
    """A finished execution's events, given to the store as the engine gives them."""
    execution_id = store.add_execution(
        arn=f"arn:aws:states:us-east-1:123456789012:execution:m:{name}",
        state_machine_arn="arn:aws:states:us-east-1:123456789012:stateMachine:m",
        name=name,
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


PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


def test_a_conflicting_event_is_reported_never_replaced(tmp_path):
    path = tmp_path / "h.sqlite"
    ex = sfn.run(PASS)
    with Store(path) as store:
        # Event 2 of the first execution (id 1) is already there, written by someone else.
        store._commit_now(
            "INSERT INTO events VALUES (1, 2, 1, 'PassStateEntered', ?, 0, '{}', NULL, NULL)",
            ("theirs",),
        )
        with pytest.warns(UserWarning, match="event 2 of execution #1"):
            one = _feed(store, "one", ex)
            two = _feed(store, "two", ex)
            store.flush()
        assert one == 1
        assert len(store.problems) == 1 and "UNIQUE" in store.problems[0]
        kept, other = store.events(one), store.events(two)
    assert other == ex.history  # the other execution lost nothing
    assert [e["id"] for e in kept] == [e["id"] for e in ex.history]
    assert kept[0] == ex.history[0] and kept[2:] == ex.history[2:]
    assert "stateEnteredEventDetails" not in kept[1]  # theirs, not replaced by ours


# -- a second writer ----------------------------------------------------------------------------

WRITER = """
import sys, time
import sfn_notebook as sfn
path = sys.argv[1]
rt = sfn.Runtime(store=path, clock="virtual")
PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
arn = rt.create_state_machine(name="m", definition=PASS)["stateMachineArn"]
for i in range(3):
    rt.start(arn, {"i": i}, name=f"a{i}").wait()
print("ready", flush=True)
if sys.stdin.readline().strip() == "go":
    for i in range(3, 6):
        rt.start(arn, {"i": i}, name=f"a{i}").wait()
    rt.close()
    print("done", flush=True)
else:
    time.sleep(60)
"""

INTRUDER = """
import socket
import sys
import time
import sfn_notebook as sfn
try:
    rt = sfn.Runtime(store=sys.argv[1], clock="virtual")
except sfn.SfnNotebookError as exc:
    print(type(exc).__name__, exc)
else:
    PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    arn = rt.create_state_machine(name="m", definition=PASS)["stateMachineArn"]
    for i in range(3):
        rt.start(arn, {"b": i}, name=f"b{i}").wait()
    rt.close()
    print("wrote")
"""


def _start_writer(path: str) -> subprocess.Popen[str]:
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, path],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    assert writer.stdout is not None
    assert writer.stdout.readline().strip() == "ready"
    return writer


def _intrude(path: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", INTRUDER, path],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_second_writer_is_refused_without_the_lock_file(tmp_path):
    path = str(tmp_path / "h.sqlite")
    writer = _start_writer(path)
    try:
        os.remove(path + ".lock")  # deleted, or a filesystem without advisory locks
        refused = _intrude(path)
        assert refused.startswith("StoreError"), refused
        assert f"in use by another writer (process {writer.pid} on this host" in refused
        assert path in refused
        out, _ = writer.communicate("go\n", timeout=60)
        assert out.strip() == "done"
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()
    with sfn.Runtime(store=path) as rt:
        arn = rt.list_state_machines()["stateMachines"][0]["stateMachineArn"]
        names = sorted(e["name"] for e in rt.list_executions(stateMachineArn=arn)["executions"])
        assert names == [f"a{i}" for i in range(6)]
        for item in rt.list_executions(stateMachineArn=arn)["executions"]:
            events = _history(rt, item["executionArn"])
            assert item["status"] == "SUCCEEDED"
            assert [e["type"] for e in events] == [
                "ExecutionStarted",
                "PassStateEntered",
                "PassStateExited",
                "ExecutionSucceeded",
            ]
            assert json.loads(events[0]["executionStartedEventDetails"]["input"]) == {
                "i": int(item["name"][1:])
            }


def test_a_killed_writers_lease_is_taken_over_at_once(tmp_path):
    path = str(tmp_path / "h.sqlite")
    writer = _start_writer(path)
    os.remove(path + ".lock")
    writer.kill()
    writer.wait(10)  # reaped: its process id no longer runs
    assert _intrude(path) == "wrote"
    with Store(path, readonly=True) as store:
        names = sorted(row.name for row in store.executions())
    assert names == ["a0", "a1", "a2", "b0", "b1", "b2"]


def test_a_writer_that_lost_its_lease_writes_nothing_more(tmp_path):
    path = tmp_path / "h.sqlite"
    with sfn.Runtime(store=path, clock="virtual") as rt:
        arn = rt.create_state_machine(name="m", definition=PASS)["stateMachineArn"]
        rt.start(arn, name="before").wait()
        other = sqlite3.connect(path)
        other.execute("UPDATE writer_lease SET owner = 'someone else', pid = 1")
        other.commit()
        other.close()
        with pytest.warns(UserWarning, match="lost the writer lease"):
            rt.start(arn, name="after").wait()
        with pytest.raises(StoreError, match="lost the writer lease"):
            rt.store.flush()  # type: ignore[union-attr]
    conn = sqlite3.connect(path)
    assert [r[0] for r in conn.execute("SELECT name FROM executions")] == ["before"]
    conn.close()


# -- wait() is durable --------------------------------------------------------------------------

WAIT_THEN_DIE = f"""
import socket
import sys
import time
import sfn_notebook as sfn
path, name = sys.argv[1], sys.argv[2]
rt = sfn.Runtime(store=path, clock="virtual", functions={{"f": lambda event, context: {{"ok": 1}}}})
arn = rt.create_state_machine(name="m", definition={TASK!r})["stateMachineArn"]
ex = rt.start(arn, {{}}, name=name).wait()
print(ex.status, flush=True)
sys.stdin.readline()  # killed here
"""


def test_what_wait_reported_survives_a_kill_right_after(tmp_path):
    path = str(tmp_path / "h.sqlite")
    for i in range(20):
        child = subprocess.Popen(
            [sys.executable, "-c", WAIT_THEN_DIE, path, f"e{i}"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=ENV,
        )
        try:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "SUCCEEDED"
            os.kill(child.pid, signal.SIGKILL)
        finally:
            child.kill()
            child.wait(10)
    with sfn.Runtime(store=path) as rt:
        arn = rt.list_state_machines()["stateMachines"][0]["stateMachineArn"]
        items = rt.list_executions(stateMachineArn=arn)["executions"]
        assert len(items) == 20
        assert {item["status"] for item in items} == {"SUCCEEDED"}, [
            rt.describe_execution(executionArn=item["executionArn"]).get("cause")
            for item in items
            if item["status"] != "SUCCEEDED"
        ]


# -- unusual paths --------------------------------------------------------------------------------


@pytest.mark.parametrize("readonly", [False, True])
def test_a_directory_as_the_path_is_refused_without_a_stray_lock_file(tmp_path, readonly):
    folder = tmp_path / "history"
    folder.mkdir()
    with pytest.raises(StoreError, match="is a directory; give the path of a file in it") as raised:
        Store(folder, readonly=readonly)
    assert str(folder) in str(raised.value)
    assert os.listdir(tmp_path) == ["history"]


@pytest.mark.parametrize("readonly", [False, True])
def test_a_device_as_the_path_is_refused(readonly):
    with pytest.raises(StoreError, match="/dev/null: not a regular file"):
        Store("/dev/null", readonly=readonly)
    assert not os.path.exists("/dev/null.lock")


def test_an_empty_file_read_only_is_not_a_store(tmp_path):
    (tmp_path / "empty.sqlite").write_bytes(b"")
    with pytest.raises(StoreError, match="not an sfn-notebook store \\(the file is empty\\)"):
        Store(tmp_path / "empty.sqlite", readonly=True)


SETPRIV_NOBODY = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
AS_NOBODY = """
import sys, warnings
import sfn_notebook as sfn
from sfn_notebook.store import Store
path = sys.argv[1]
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    with Store(path, readonly=True) as store:
        print("read", [row.status for row in store.executions()])
print("warning", *[str(w.message) for w in caught])
try:
    sfn.Runtime(store=path)
except sfn.SfnNotebookError as exc:
    print("write", type(exc).__name__, exc)
"""


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("setpriv") is None,
    reason="needs root and setpriv to run a process as nobody (root ignores directory modes)",
)
def test_a_store_in_a_read_only_directory(tmp_path):
    import tempfile

    folder = tempfile.mkdtemp()  # under /tmp: nobody can reach it, unlike pytest's tmp_path
    try:
        os.chmod(folder, 0o755)  # root's: read-only for nobody
        path = os.path.join(folder, "h.sqlite")
        with sfn.Runtime(store=path, clock="virtual") as rt:
            arn = rt.create_state_machine(name="m", definition=PASS)["stateMachineArn"]
            rt.start(arn).wait()
        os.chmod(path, 0o644)
        done = subprocess.run(
            [*SETPRIV_NOBODY, sys.executable, "-c", AS_NOBODY, path],
            capture_output=True,
            text=True,
            env=ENV,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        read, warning, write = done.stdout.strip().split("\n")
        assert read == "read ['SUCCEEDED']"
        assert "opened as immutable because its directory is read-only" in warning
        assert write.startswith(f"write StoreError {path}: cannot write its lock file {path}.lock")
        assert "Permission denied" in write and "readonly=True" in write
        assert sorted(os.listdir(folder)) == ["h.sqlite", "h.sqlite.lock"]  # nothing new
        # A writable directory, a read-only file: SQLite's own refusal, in words.
        os.chown(folder, 65534, 65534)
        os.chown(path + ".lock", 65534, 65534)
        done = subprocess.run(
            [*SETPRIV_NOBODY, sys.executable, "-c", AS_NOBODY, path],
            capture_output=True,
            text=True,
            env=ENV,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        write = done.stdout.strip().split("\n")[-1]
        assert write.startswith(f"write StoreError {path}: cannot write the store"), write
        assert "read-only" in write and "readonly=True" in write
    finally:
        shutil.rmtree(folder)


def _lease_row(path: str, pid: int, started: str, host: str, age: float) -> None:
    renewed = int((time.time() - age) * 1_000_000)
    conn = sqlite3.connect(path)
    conn.execute("DELETE FROM writer_lease")
    conn.execute(
        "INSERT INTO writer_lease VALUES ('other', ?, ?, ?, ?, ?)",
        (pid, started, host, renewed, renewed),
    )
    conn.commit()
    conn.close()


def test_the_lease_rule(tmp_path):
    """Held while its process runs and renews it; free when released, gone, reused or stale."""
    from sfn_notebook.store.lease import LEASE_SECONDS, _process_start

    path = str(tmp_path / "h.sqlite")
    Store(path).close()  # closing releases the lease: the next writer opens at once
    Store(path).close()
    here = socket.gethostname()
    alive = os.getppid()  # pytest's parent: running, and not us
    _lease_row(path, alive, _process_start(alive), here, 1.0)
    with pytest.raises(StoreError, match=f"process {alive} on this host, lease renewed 1 s ago"):
        Store(path)
    _lease_row(path, 1, "", "elsewhere", LEASE_SECONDS - 5)
    with pytest.raises(StoreError, match="process 1 on host 'elsewhere'"):
        Store(path)
    for case in [
        (alive, "1", here, 1.0),  # the id now belongs to a process that started at another time
        (2**22 + 7, "", here, 1.0),  # no such process
        (1, "", "elsewhere", LEASE_SECONDS + 1),  # not renewed for too long
    ]:
        _lease_row(path, *case)
        Store(path).close()


def test_a_batch_the_store_could_not_write_is_written_with_the_next(tmp_path):
    """The file locked by someone else (as a full disk would): nothing is lost meanwhile."""
    path = tmp_path / "h.sqlite"
    rt = sfn.Runtime(store=path, clock="virtual", functions={"f": lambda event, _: event})
    store = rt.store
    assert store is not None
    arn = rt.create_state_machine(name="m", definition=TASK)["stateMachineArn"]
    store._conn.execute("PRAGMA busy_timeout = 50")  # fail fast instead of waiting 10 s
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # holds the write lock
    with pytest.warns(UserWarning, match="database is locked"):
        first = rt.start(arn, {"n": 1}, name="first").wait(30)
    other.execute("ROLLBACK")
    other.close()
    with pytest.raises(StoreError, match=r"writing failed earlier: .*database is locked"):
        store.flush()  # reported once...
    second = rt.start(arn, {"n": 2}, name="second").wait(30)  # ...and written with the next
    live = {first.arn: first.history, second.arn: second.history}
    rt.close()
    with sfn.Runtime(store=path) as reopened:
        for arn_, events in live.items():
            assert reopened.describe_execution(executionArn=arn_)["status"] == "SUCCEEDED"
            assert _history(reopened, arn_) == events
