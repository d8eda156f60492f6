"""Runtime(store=...): persisting, reopening in a fresh process, surviving SIGKILL, the CLI."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

import sfn_notebook as sfn
from sfn_notebook import analysis, cli
from sfn_notebook.store import StoreError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:{}"
FLOW = {
    "StartAt": "Double",
    "States": {
        "Double": {"Type": "Task", "Resource": LAMBDA.format("double"), "Next": "Branch"},
        "Branch": {
            "Type": "Choice",
            "Choices": [{"Variable": "$", "NumericGreaterThan": 100, "Next": "Big"}],
            "Default": "Small",
        },
        "Big": {"Type": "Fail", "Error": "TooBig", "Cause": "over 100"},
        "Small": {
            "Type": "Pass",
            "Parameters": {"items.$": "States.ArrayRange(0, $, 25)"},
            "Next": "Each",
        },
        "Each": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}},
            "End": True,
        },
    },
}


def _python(code: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": ROOT}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )


def test_200_executions_reopen_in_a_fresh_process(tmp_path):
    path = str(tmp_path / "history.sqlite")
    counts = {}
    with sfn.Runtime(store=path, clock="virtual", functions={"double": lambda e, c: e * 2}) as rt:
        arn = rt.create_state_machine(name="double", definition=json.dumps(FLOW))["stateMachineArn"]
        runs = [rt.start(arn, n) for n in range(200)]
        for ex in runs:
            ex.wait(30)
            counts[ex.arn] = len(ex.history)
        statuses = {ex.status for ex in runs}
    assert statuses == {"SUCCEEDED", "FAILED"}
    out = _python(
        """
        import json, sys
        import sfn_notebook as sfn
        from sfn_notebook import analysis
        with sfn.Runtime(store=sys.argv[1], clock="virtual") as rt:
            frame = analysis.executions_frame(rt)
            events = analysis.events_frame(rt)
            arn = rt.list_state_machines()["stateMachines"][0]["stateMachineArn"]
            listed = rt.list_executions(stateMachineArn=arn, maxResults=1000)["executions"]
            one = listed[0]["executionArn"]
            print(json.dumps({
                "rows": len(frame),
                "counts": dict(zip(frame["execution_arn"], frame["event_count"].tolist())),
                "per_execution": events.groupby("execution_arn", observed=True).size().to_dict(),
                "listed": len(listed),
                "one": one,
                "described": rt.describe_execution(executionArn=one)["status"],
                "history": len(rt.get_execution_history(executionArn=one, maxResults=0)["events"]),
                "failed": sorted(set(frame.loc[frame["status"] == "FAILED", "error"])),
            }))
        """,
        path,
    )
    assert out.returncode == 0, out.stderr
    found = json.loads(out.stdout)
    assert found["rows"] == 200 and found["listed"] == 200
    assert found["counts"] == counts
    assert found["per_execution"] == counts
    assert found["history"] == counts[found["one"]]
    assert found["failed"] == ["TooBig"]
    assert found["described"] in ("SUCCEEDED", "FAILED")


CHILD = """
import os, sys, time
import sfn_notebook as sfn
path, calls = sys.argv[1], sys.argv[2]

def step(event, context):
    with open(calls, "a") as f:
        f.write(context.function_name if hasattr(context, "function_name") else "?")
        f.write(" " + event["step"] + "\\n")
    if event["step"] == "T3":
        time.sleep(60)  # killed here
    return {"step": event["step"], "done": True}

flow = {"StartAt": "T1", "States": {
    s: {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:step",
        "Parameters": {"step": s}, "ResultPath": f"$.{s}",
        **({"Next": n} if n else {"End": True})}
    for s, n in [("T1", "T2"), ("T2", "W"), ("T3", "T4"), ("T4", None)]
} | {"W": {"Type": "Wait", "Seconds": 1, "Next": "T3"}}}
rt = sfn.Runtime(store=path, clock="real", functions={"step": step})
arn = rt.create_state_machine(name="steps", definition=flow)["stateMachineArn"]
rt.start(arn, {}, name="killed")
time.sleep(120)
"""


def test_sigkill_mid_run_then_reopen_and_redrive(tmp_path):
    path = str(tmp_path / "history.sqlite")
    calls = tmp_path / "calls.txt"
    calls.write_text("")
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, path, str(calls)], env={**os.environ, "PYTHONPATH": ROOT}
    )
    try:
        deadline = time.monotonic() + 60
        while "T3" not in calls.read_text():
            assert time.monotonic() < deadline, "the child never reached T3"
            assert child.poll() is None, "the child died"
            time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    invoked = []

    def step(event, context):
        invoked.append(event["step"])
        with open(calls, "a") as f:
            f.write(f"parent {event['step']}\n")
        return {"step": event["step"], "done": True}

    with sfn.Runtime(store=path, clock="virtual", functions={"step": step}) as rt:
        arn = rt.list_state_machines()["stateMachines"][0]["stateMachineArn"]
        (item,) = rt.list_executions(stateMachineArn=arn)["executions"]
        described = rt.describe_execution(executionArn=item["executionArn"])
        assert described["status"] == "FAILED"
        assert described["error"] == "SfnNotebook.Interrupted"
        assert "in state 'T3'" in described["cause"]
        assert described["redriveStatus"] == "REDRIVABLE"
        events = rt.get_execution_history(executionArn=item["executionArn"], maxResults=0)["events"]
        types = [e["type"] for e in events]
        # Every event up to the last Task boundary (T3 scheduled, before it was invoked).
        boundary = [i for i, e in enumerate(events) if e["type"] == "LambdaFunctionScheduled"][2]
        assert types[: boundary + 1] == [
            "ExecutionStarted",
            *[
                "TaskStateEntered",
                "LambdaFunctionScheduled",
                "LambdaFunctionStarted",
                "LambdaFunctionSucceeded",
                "TaskStateExited",
            ]
            * 2,
            "WaitStateEntered",
            "WaitStateExited",
            "TaskStateEntered",
            "LambdaFunctionScheduled",
        ]
        assert types[-1] == "ExecutionFailed"
        assert [e["id"] for e in events] == list(range(1, len(events) + 1))
        rt.redrive_execution(executionArn=item["executionArn"])
        ex = rt.execution(item["executionArn"]).wait(30)
        assert ex.status == "SUCCEEDED", (ex.error, ex.cause)
        assert set(ex.output) == {"T1", "T2", "T3", "T4"}
        assert invoked == ["T3", "T4"]
    lines = calls.read_text().split("\n")
    assert sum(line.endswith(" T1") for line in lines) == 1
    assert sum(line.endswith(" T2") for line in lines) == 1
    with sfn.Runtime(store=path) as rt:
        arn = rt.list_state_machines()["stateMachines"][0]["stateMachineArn"]
        (item,) = rt.list_executions(stateMachineArn=arn)["executions"]
        assert item["status"] == "SUCCEEDED" and item["redriveCount"] == 1


def test_reopened_runtime_keeps_machines_versions_and_redrives(tmp_path):
    path = tmp_path / "h.sqlite"
    failing = {"on": True}

    def work(event, context):
        if failing["on"]:
            raise ValueError("not today")
        return "ok"

    flow = {
        "StartAt": "W",
        "States": {"W": {"Type": "Task", "Resource": LAMBDA.format("work"), "End": True}},
    }
    with sfn.Runtime(store=path, clock="virtual", functions={"work": work}) as rt:
        arn = rt.create_state_machine(name="work", definition=json.dumps(flow), publish=True)[
            "stateMachineArn"
        ]
        ex = rt.start(arn, {"a": 1}, name="first").wait(10)
        assert ex.status == "FAILED"
        history = ex.history
    failing["on"] = False
    with sfn.Runtime(store=path, clock="virtual", functions={"work": work}) as rt:
        assert [m["name"] for m in rt.list_state_machines()["stateMachines"]] == ["work"]
        assert len(rt.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"]) == 1
        again = rt.execution(ex.arn)
        assert again.status == "FAILED" and again.input == {"a": 1}
        assert again.history == history
        with pytest.raises(StoreError, match="already open"):
            sfn.Runtime(store=path)
        rt.redrive_execution(executionArn=ex.arn)
        assert again.wait(10).status == "SUCCEEDED"
        assert rt.start(arn, {}, name="second").wait(10).status == "SUCCEEDED"
    with sfn.Runtime(store=path) as rt:
        frame = analysis.executions_frame(rt)
        assert frame["name"].tolist() == ["first", "second"]
        assert frame["redrive_count"].tolist() == [1, 0]
        assert frame["status"].tolist() == ["SUCCEEDED", "SUCCEEDED"]


def test_runtime_refuses_a_corrupt_store_naming_it(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("just some text\n" * 200)
    with pytest.raises(StoreError, match=r"notes\.txt"):
        sfn.Runtime(store=path)


def test_cli_executions_and_history(tmp_path, capsys):
    path = str(tmp_path / "h.sqlite")
    with sfn.Runtime(store=path, clock="virtual", functions={"double": lambda e, c: e * 2}) as rt:
        arn = rt.create_state_machine(name="double", definition=json.dumps(FLOW))["stateMachineArn"]
        for n in (1, 2, 300):
            rt.start(arn, n, name=f"run-{n}").wait(10)
    assert cli.main(["executions", "--store", path]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == [
        "name",
        "state",
        "machine",
        "status",
        "started",
        "seconds",
        "events",
        "error",
    ]
    assert [line.split()[0] for line in table[1:]] == ["run-300", "run-2", "run-1"]
    assert (
        cli.main(
            [
                "executions",
                "--store",
                path,
                "--state-machine",
                "double",
                "--status",
                "FAILED",
                "--format",
                "json",
            ]
        )
        == 0
    )
    listed = json.loads(capsys.readouterr().out)["executions"]
    assert [(e["name"], e["error"]) for e in listed] == [("run-300", "TooBig")]
    assert cli.main(["history", "run-2", "--store", path, "--format", "json"]) == 0
    events = json.loads(capsys.readouterr().out)["events"]
    assert events[0]["type"] == "ExecutionStarted" and events[-1]["type"] == "ExecutionSucceeded"
    assert cli.main(["history", listed[0]["executionArn"], "--store", path, "--format", "csv"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[0] == "id,previous,timestamp,type,state,error,cause"
    assert rows[-1].split(",")[3:6] == ["ExecutionFailed", "", "TooBig"]
    assert any(",LambdaFunctionScheduled,Double," in row for row in rows)
    assert cli.main(["history", "nope", "--store", path]) == 2
    assert "no execution 'nope'" in capsys.readouterr().err
