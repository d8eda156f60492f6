"""Map runs kept in a SQLite store: DescribeMapRun, ListMapRuns, the map-run frames and a redrive
of a map run still work after the Runtime is closed and the store opened again."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from test_mapruns import definition

import sfn_notebook as sfn
from sfn_notebook.analysis.maprun import map_items_frame, map_runs_frame
from sfn_notebook.store import Store


def work(event: Any, context: Any) -> Any:
    if event == 2:
        raise ValueError("two is refused")
    return event * 10


def test_map_runs_are_described_and_listed_after_a_reopen(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    with sfn.Runtime(store=path, clock="virtual", functions={"work": work}) as rt:
        arn = rt.create_state_machine(
            name="m", definition=definition(ToleratedFailureCount=1, MaxConcurrency=2)
        )["stateMachineArn"]
        ex = rt.start(arn, [0, 1, 2, 3]).wait(30)
        assert ex.status == "SUCCEEDED"
        listed = rt.list_map_runs(executionArn=ex.arn)
        map_run = listed["mapRuns"][0]["mapRunArn"]
        described = rt.describe_map_run(mapRunArn=map_run)
        runs = map_runs_frame(ex).to_dict("records")
        items = map_items_frame(ex).to_dict("records")
    with sfn.Runtime(store=path, clock="virtual") as again:
        assert again.list_map_runs(executionArn=ex.arn) == listed
        assert again.describe_map_run(mapRunArn=map_run) == described
        reopened = again.execution(ex.arn)
        assert map_runs_frame(reopened).to_dict("records") == runs
        assert map_items_frame(reopened).to_dict("records") == items
    with Store(path, readonly=True) as store:  # the file alone, as the CLI reads it
        assert map_items_frame(store).to_dict("records") == items
        assert map_runs_frame(store).to_dict("records") == runs
    assert described["itemCounts"]["failed"] == 1
    assert described["itemCounts"]["succeeded"] == 3
    assert (described["maxConcurrency"], described["toleratedFailureCount"]) == (2, 1)
    failed = [row for row in items if row["status"] == "FAILED"]
    assert [(row["index"], row["error"]) for row in failed] == [(2, "ValueError")]


def test_a_map_run_failed_before_the_reopen_is_redriven_after_it(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    with sfn.Runtime(store=path, clock="virtual", functions={"work": work}) as rt:
        arn = rt.create_state_machine(name="m", definition=definition(MaxConcurrency=1))[
            "stateMachineArn"
        ]
        ex = rt.start(arn, [0, 1, 2, 3]).wait(30)
        assert ex.status == "FAILED"
        (first,) = rt.list_map_runs(executionArn=ex.arn)["mapRuns"]
        before = rt.describe_map_run(mapRunArn=first["mapRunArn"])
    assert before["status"] == "FAILED"
    assert before["itemCounts"]["succeeded"] == 2
    calls: list[Any] = []

    def fixed(event: Any, context: Any) -> Any:
        calls.append(event)
        return event * 10

    with sfn.Runtime(store=path, clock="virtual", functions={"work": fixed}) as again:
        again.redrive_execution(executionArn=ex.arn)
        redriven = again.execution(ex.arn).wait(30)
        assert redriven.output == [0, 10, 20, 30]
        # The two children that succeeded before the reopen keep their outputs.
        assert sorted(calls) == [2, 3]
        (same,) = again.list_map_runs(executionArn=ex.arn)["mapRuns"]
        assert same["mapRunArn"] == first["mapRunArn"]
        after = again.describe_map_run(mapRunArn=first["mapRunArn"])
        assert (after["status"], after["redriveCount"]) == ("SUCCEEDED", 1)
        assert after["itemCounts"]["succeeded"] == 4
    with sfn.Runtime(store=path, clock="virtual") as third:
        kept = third.describe_map_run(mapRunArn=first["mapRunArn"])
        assert (kept["status"], kept["redriveCount"]) == ("SUCCEEDED", 1)


def test_a_map_run_of_a_stopped_execution_reads_back_aborted(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    waiting = definition()
    waiting["States"]["Map"]["ItemProcessor"]["States"] = {
        "Work": {"Type": "Wait", "Seconds": 3600, "End": True}
    }
    with sfn.Runtime(store=path, clock="real") as rt:
        arn = rt.create_state_machine(name="m", definition=waiting)["stateMachineArn"]
        ex = rt.start(arn, [1, 2])
        for _ in range(200):
            if rt.list_map_runs(executionArn=ex.arn)["mapRuns"]:
                break
            ex.wait(0.02)
        rt.stop_execution(executionArn=ex.arn)
        assert ex.wait(30).status == "ABORTED"
        map_run = rt.list_map_runs(executionArn=ex.arn)["mapRuns"][0]["mapRunArn"]
        before = rt.describe_map_run(mapRunArn=map_run)
    with sfn.Runtime(store=path, clock="virtual") as again:
        described = again.describe_map_run(mapRunArn=map_run)
        assert described == before
        assert described["status"] == "ABORTED"
        assert described["itemCounts"]["running"] == 0


def test_the_store_keeps_one_row_per_map_run(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    with sfn.Runtime(store=path, clock="virtual", functions={"work": work}) as rt:
        arn = rt.create_state_machine(name="m", definition=definition(ToleratedFailureCount=1))[
            "stateMachineArn"
        ]
        for _ in range(2):
            rt.start(arn, [0, 1, 2]).wait(30)
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT COUNT(*), COUNT(DISTINCT execution_id) FROM map_runs")
        assert rows.fetchone() == (2, 2)


_DIES = """
import os, sys, time
import sfn_notebook as sfn
spec = {spec!r}
rt = sfn.Runtime(store=sys.argv[1], clock="real")
arn = rt.create_state_machine(name="m", definition=spec)["stateMachineArn"]
ex = rt.start(arn, [1, 2, 3])
deadline = time.monotonic() + 20
while not rt.list_map_runs(executionArn=ex.arn)["mapRuns"] and time.monotonic() < deadline:
    time.sleep(0.01)
print(ex.arn, flush=True)
rt.store.flush()
os._exit(0)  # the kernel dies with the map run going
"""


def test_a_map_run_going_when_the_process_died_reads_back_aborted(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    path = tmp_path / "history.sqlite"
    waiting = definition()
    waiting["States"]["Map"]["ItemProcessor"]["States"] = {
        "Work": {"Type": "Wait", "Seconds": 3600, "End": True}
    }
    env = {**os.environ, "PYTHONPATH": str(Path(sfn.__file__).parent.parent)}
    done = subprocess.run(
        [sys.executable, "-c", _DIES.format(spec=waiting), str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=True,
    )
    execution_arn = done.stdout.split()[-1]
    with sfn.Runtime(store=path, clock="virtual") as again:
        execution = again.describe_execution(executionArn=execution_arn)
        assert (execution["status"], execution["error"]) == ("FAILED", "SfnNotebook.Interrupted")
        (listed,) = again.list_map_runs(executionArn=execution_arn)["mapRuns"]
        described = again.describe_map_run(mapRunArn=listed["mapRunArn"])
        assert described["status"] == "ABORTED"
        assert described["stopDate"] == execution["stopDate"]
