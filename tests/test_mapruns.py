"""Map runs through the Runtime: describe_map_run, list_map_runs, update_map_run, in boto3's
shapes."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import botocore.session
import pytest

import sfn_notebook as sfn

FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:work"
_MODEL = botocore.session.get_session().get_service_model("stepfunctions")


def definition(
    max_concurrency: int = 0, batch: int = 0, tolerated: int = 0, **extra: Any
) -> dict[str, Any]:
    """A Distributed Map ``Map`` of one Lambda Task (``extra``: more fields of the Map)."""
    state: dict[str, Any] = {
        "Type": "Map",
        "Label": "Items",
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "Work",
            "States": {"Work": {"Type": "Task", "Resource": FUNCTION, "End": True}},
        },
        "End": True,
        **extra,
    }
    if max_concurrency:
        state["MaxConcurrency"] = max_concurrency
    if batch:
        state["ItemBatcher"] = {"MaxItemsPerBatch": batch}
    if tolerated:
        state["ToleratedFailureCount"] = tolerated
    return {"StartAt": "Map", "States": {"Map": state}}


class Gate:
    """A task function that holds each call until released, counting calls at once."""

    def __init__(self, fail: bool = False) -> None:
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.now = self.most = 0
        self.fail = fail

    def __call__(self, event: Any, context: Any) -> Any:
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
        try:
            assert self.release.wait(30)
        finally:
            with self.lock:
                self.now -= 1
        if self.fail:
            raise ValueError(f"refused {event}")
        return event


def wait_for(check: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def start(gate: Gate, items: list[Any], **kwargs: Any) -> tuple[sfn.Runtime, sfn.Execution, str]:
    rt = sfn.Runtime(functions={"work": gate})
    arn = rt.create_state_machine(name="m", definition=definition(**kwargs))["stateMachineArn"]
    ex = rt.start(arn, items)
    wait_for(lambda: bool(rt.list_map_runs(executionArn=ex.arn)["mapRuns"]))
    map_run = rt.list_map_runs(executionArn=ex.arn)["mapRuns"][0]["mapRunArn"]
    return rt, ex, map_run


def check_shape(value: Any, shape: Any, where: str = "") -> None:
    """``value`` is what botocore would parse for ``shape``: required members present, no
    others, each of the model's type."""
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(value, dict), where
        assert set(shape.required_members) <= set(value), (where, set(value))
        assert set(value) <= set(shape.members), (where, set(value) - set(shape.members))
        for name, member in value.items():
            check_shape(member, shape.members[name], f"{where}.{name}")
    elif kind == "list":
        assert isinstance(value, list), where
        for i, entry in enumerate(value):
            check_shape(entry, shape.member, f"{where}[{i}]")
    else:
        types = {
            "string": str,
            "integer": int,
            "long": int,
            "float": float,
            "timestamp": datetime,
            "boolean": bool,
        }
        assert isinstance(value, types[kind]), (where, value, kind)


def test_map_run_described_while_running_and_after_in_boto3_shapes() -> None:
    gate = Gate()
    rt, ex, map_run = start(gate, list(range(5)), max_concurrency=2, batch=2)
    with rt:
        wait_for(lambda: gate.now == 2)
        running = rt.describe_map_run(mapRunArn=map_run)
        check_shape(running, _MODEL.operation_model("DescribeMapRun").output_shape)
        assert running["status"] == "RUNNING" and "stopDate" not in running
        assert running["executionArn"] == ex.arn and running["maxConcurrency"] == 2
        # 5 items in batches of 2: 3 children, 2 of them running.
        assert running["itemCounts"]["running"] == 4 and running["itemCounts"]["pending"] == 1
        assert running["executionCounts"]["running"] == 2
        assert running["executionCounts"]["pending"] == 1
        assert running["executionCounts"]["total"] == 3 and running["itemCounts"]["total"] == 5
        gate.release.set()
        assert ex.wait(30).status == "SUCCEEDED"
        done = rt.describe_map_run(mapRunArn=map_run)
        check_shape(done, _MODEL.operation_model("DescribeMapRun").output_shape)
        assert done["status"] == "SUCCEEDED" and done["stopDate"] >= done["startDate"]
        assert done["itemCounts"]["succeeded"] == 5 and done["executionCounts"]["succeeded"] == 3
        assert done["itemCounts"]["pending"] == done["itemCounts"]["running"] == 0
        listed = rt.list_map_runs(executionArn=ex.arn)
        check_shape(listed, _MODEL.operation_model("ListMapRuns").output_shape)
        (entry,) = listed["mapRuns"]
        assert entry["stateMachineArn"].endswith(":stateMachine:m/Items")
        assert entry["stopDate"] == done["stopDate"]


def test_raising_max_concurrency_starts_more_children_at_once() -> None:
    gate = Gate()
    rt, ex, map_run = start(gate, list(range(6)), max_concurrency=1)
    with rt:
        wait_for(lambda: gate.now == 1)
        time.sleep(0.2)
        assert gate.now == 1  # the limit holds before the update
        rt.update_map_run(mapRunArn=map_run, maxConcurrency=4)
        wait_for(lambda: gate.now == 4)
        assert rt.describe_map_run(mapRunArn=map_run)["maxConcurrency"] == 4
        assert rt.describe_map_run(mapRunArn=map_run)["executionCounts"]["running"] == 4
        gate.release.set()
        assert ex.wait(30).output == list(range(6))
        assert gate.most == 4


def test_lowering_max_concurrency_holds_the_next_children_back() -> None:
    gate = Gate()
    rt, ex, map_run = start(gate, list(range(6)), max_concurrency=3)
    with rt:
        wait_for(lambda: gate.now == 3)
        rt.update_map_run(mapRunArn=map_run, maxConcurrency=1)
        gate.release.set()
        assert ex.wait(30).status == "SUCCEEDED"
    # The three already running finish; after them one child at a time.
    assert gate.most == 3


def test_tolerated_failures_raised_while_running_let_the_map_succeed() -> None:
    gate = Gate(fail=True)
    rt, ex, map_run = start(gate, list(range(3)), max_concurrency=1)
    with rt:
        wait_for(lambda: gate.now == 1)
        rt.update_map_run(mapRunArn=map_run, toleratedFailureCount=5)
        gate.release.set()
        assert ex.wait(30).status == "SUCCEEDED"
        described = rt.describe_map_run(mapRunArn=map_run)
        assert described["toleratedFailureCount"] == 5 and described["status"] == "SUCCEEDED"
        assert described["itemCounts"]["failed"] == 3


def test_tolerance_lowered_while_running_fails_the_map_run() -> None:
    gate = Gate(fail=True)
    rt, ex, map_run = start(gate, list(range(3)), max_concurrency=1, tolerated=5)
    with rt:
        wait_for(lambda: gate.now == 1)
        rt.update_map_run(mapRunArn=map_run, toleratedFailureCount=0)
        gate.release.set()
        done = ex.wait(30)
        # As the same Map with no tolerated failures ends: with the first child's error.
        assert (done.status, done.error) == ("FAILED", "ValueError")
        described = rt.describe_map_run(mapRunArn=map_run)
        assert described["status"] == "FAILED" and described["itemCounts"]["failed"] == 1


def test_a_stopped_execution_aborts_its_map_run() -> None:
    gate = Gate()
    rt, ex, map_run = start(gate, list(range(3)), max_concurrency=1)
    with rt:
        wait_for(lambda: gate.now == 1)
        rt.stop_execution(executionArn=ex.arn)
        described = rt.describe_map_run(mapRunArn=map_run)
        gate.release.set()
        assert described["status"] == "ABORTED" and "stopDate" in described
        assert described["itemCounts"]["aborted"] == 1
        assert described["itemCounts"]["pending"] == 2


def test_unknown_map_run_and_execution_are_aws_errors() -> None:
    with sfn.Runtime() as rt:
        unknown = "arn:aws:states:us-east-1:123456789012:mapRun:m/Items:0"
        with pytest.raises(rt.exceptions.ResourceNotFound):
            rt.describe_map_run(mapRunArn=unknown)
        with pytest.raises(rt.exceptions.ResourceNotFound):
            rt.update_map_run(mapRunArn=unknown, maxConcurrency=2)
        with pytest.raises(rt.exceptions.ExecutionDoesNotExist):
            rt.list_map_runs(executionArn="arn:aws:states:us-east-1:123456789012:execution:m:x")
        with pytest.raises(rt.exceptions.InvalidArn):
            rt.describe_map_run(mapRunArn="nope")
        with pytest.raises(rt.exceptions.ValidationException, match="toleratedFailurePercentage"):
            rt.update_map_run(mapRunArn=unknown, toleratedFailurePercentage=101.0)
        with pytest.raises(sfn.errors.ParamValidationError):
            rt.update_map_run(mapRunArn=unknown, maxConcurency=2)


def _keys(value: Any) -> Any:
    """The nested keys of a response (lists by their first entry)."""
    if isinstance(value, dict):
        return {k: _keys(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [_keys(value[0])] if value else []
    return None


def test_same_keys_and_counts_as_motos_server(aws: Any, role: str) -> None:
    """moto's server (its LocalStack-derived interpreter) answers the same calls for the same
    Distributed Map; the keys match, bar the optional redrive counts moto leaves out."""
    pass_through = {
        "StartAt": "Map",
        "States": {
            "Map": {
                "Type": "Map",
                "Label": "Items",
                "MaxConcurrency": 2,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "P",
                    "States": {"P": {"Type": "Pass", "End": True}},
                },
                "End": True,
            }
        },
    }
    client = aws.client
    remote_machine = client.create_state_machine(
        name="mapruns", definition=json.dumps(pass_through), roleArn=role
    )["stateMachineArn"]
    remote = client.start_execution(stateMachineArn=remote_machine, input="[1, 2, 3]")
    wait_for(
        lambda: (
            client.describe_execution(executionArn=remote["executionArn"])["status"] != "RUNNING"
        )
    )
    with sfn.Runtime() as rt:
        machine = rt.create_state_machine(name="mapruns", definition=pass_through)
        local = rt.start(machine["stateMachineArn"], [1, 2, 3]).wait(30)
        assert local.status == "SUCCEEDED"
        ours = rt.list_map_runs(executionArn=local.arn)
        theirs = client.list_map_runs(executionArn=remote["executionArn"])
        assert _keys(ours) == _keys(theirs)
        described = rt.describe_map_run(mapRunArn=ours["mapRuns"][0]["mapRunArn"])
        moto = client.describe_map_run(mapRunArn=theirs["mapRuns"][0]["mapRunArn"])
    redrive = {"failuresNotRedrivable", "pendingRedrive"}
    for counts in ("itemCounts", "executionCounts"):
        assert set(described[counts]) - set(moto[counts]) <= redrive
        assert set(moto[counts]) <= set(described[counts])
        # resultsWritten: AWS's reference counts the items a ResultWriter wrote (none here);
        # moto counts every succeeded child.
        same = set(moto[counts]) - {"resultsWritten"}
        assert {k: described[counts][k] for k in same} == {k: moto[counts][k] for k in same}
    assert set(_keys(described)) == set(_keys(moto))  # top level: the same members
    for key in ("status", "maxConcurrency", "toleratedFailureCount", "toleratedFailurePercentage"):
        assert described[key] == moto[key]
    assert ours["mapRuns"][0]["stateMachineArn"].endswith(":stateMachine:mapruns/Items")
    assert theirs["mapRuns"][0]["stateMachineArn"].endswith(":stateMachine:mapruns/Items")


def test_redrive_reruns_only_the_unsuccessful_children_of_the_same_map_run() -> None:
    calls: list[int] = []
    broken = {1, 3}

    def work(event: Any, context: Any) -> Any:
        calls.append(event)
        if event in broken:
            raise ValueError(f"refused {event}")
        return event * 10

    with sfn.Runtime(functions={"work": work}) as rt:
        arn = rt.create_state_machine(name="m", definition=definition(max_concurrency=2))[
            "stateMachineArn"
        ]
        ex = rt.start(arn, [0, 1, 2, 3, 4]).wait(30)
        assert ex.status == "FAILED"
        (first,) = rt.list_map_runs(executionArn=ex.arn)["mapRuns"]
        failed = rt.describe_map_run(mapRunArn=first["mapRunArn"])
        assert failed["status"] == "FAILED" and "redriveCount" not in failed
        kept = failed["itemCounts"]["succeeded"]
        broken.clear()
        calls.clear()
        rt.redrive_execution(executionArn=ex.arn)
        assert ex.wait(30).output == [0, 10, 20, 30, 40]
        # The children that succeeded are kept; the failed, aborted and never-started ones run.
        assert len(calls) == 5 - kept and {1, 3} <= set(calls)
        (same,) = rt.list_map_runs(executionArn=ex.arn)["mapRuns"]
        assert same["mapRunArn"] == first["mapRunArn"]
        described = rt.describe_map_run(mapRunArn=first["mapRunArn"])
        check_shape(described, _MODEL.operation_model("DescribeMapRun").output_shape)
        assert described["status"] == "SUCCEEDED" and described["redriveCount"] == 1
        assert described["redriveDate"] >= failed["stopDate"]
        assert described["itemCounts"]["succeeded"] == 5
        assert described["executionCounts"]["total"] == 5
        redriven = [e for e in ex.history if e["type"] == "MapRunRedriven"]
        assert redriven[0]["mapRunRedrivenEventDetails"] == {
            "mapRunArn": first["mapRunArn"],
            "redriveCount": 1,
        }


def test_update_map_run_on_a_map_reading_its_items(tmp_path: Any) -> None:
    """With an ItemReader the items are read as children start; the count is known at the end."""
    (tmp_path / "rows.csv").write_text("n\n" + "\n".join(str(i) for i in range(6)) + "\n")
    spec = definition(max_concurrency=1)
    spec["States"]["Map"]["ItemReader"] = {
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
        "Parameters": {"Bucket": "data", "Key": "rows.csv"},
    }
    gate = Gate()
    with sfn.Runtime(functions={"work": gate}, buckets={"data": tmp_path}) as rt:
        arn = rt.create_state_machine(name="m", definition=spec)["stateMachineArn"]
        ex = rt.start(arn, {})
        wait_for(lambda: gate.now == 1)
        map_run = rt.list_map_runs(executionArn=ex.arn)["mapRuns"][0]["mapRunArn"]
        rt.update_map_run(mapRunArn=map_run, maxConcurrency=3)
        wait_for(lambda: gate.now == 3)
        gate.release.set()
        assert ex.wait(30).status == "SUCCEEDED"
        counts = rt.describe_map_run(mapRunArn=map_run)["itemCounts"]
        assert (counts["succeeded"], counts["total"], counts["pending"]) == (6, 6, 0)
        assert gate.most == 3
