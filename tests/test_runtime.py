"""The Runtime: boto3's Step Functions dialect, background executions, stop, concurrency."""

from __future__ import annotations

import json
import time

import pytest

import sfn_notebook as sfn
from sfn_notebook.runtime.runtime import (
    ExecutionAlreadyExists,
    ExecutionDoesNotExist,
    Runtime,
    StateMachineDoesNotExist,
)

WAIT_AND_MAP = {
    "StartAt": "W",
    "States": {
        "W": {"Type": "Wait", "Seconds": 30, "Next": "M"},
        "M": {
            "Type": "Map",
            "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
            "End": True,
        },
    },
}


@pytest.fixture
def rt() -> Runtime:
    runtime = Runtime(clock="virtual")
    yield runtime
    runtime.close()


def test_create_start_describe_history(rt: Runtime) -> None:
    arn = rt.create_state_machine(name="m", definition=json.dumps(WAIT_AND_MAP))["stateMachineArn"]
    assert arn == "arn:aws:states:us-east-1:123456789012:stateMachine:m"
    started = rt.start_execution(stateMachineArn=arn, name="e1", input="[1, 2]")
    ex = rt.execution(started["executionArn"]).wait(10)
    assert ex.status == "SUCCEEDED"
    described = rt.describe_execution(executionArn=ex.arn)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == [1, 2]
    assert described["input"] == "[1, 2]"
    page = rt.get_execution_history(executionArn=ex.arn, maxResults=3)
    assert [e["id"] for e in page["events"]] == [1, 2, 3]
    rest = rt.get_execution_history(executionArn=ex.arn, nextToken=page["nextToken"])
    assert rest["events"][0]["id"] == 4
    reverse = rt.get_execution_history(executionArn=ex.arn, reverseOrder=True)
    assert reverse["events"][0]["type"] == "ExecutionSucceeded"
    lean = rt.get_execution_history(executionArn=ex.arn, includeExecutionData=False)
    assert "input" not in lean["events"][0]["executionStartedEventDetails"]
    listed = rt.list_executions(stateMachineArn=arn, statusFilter="SUCCEEDED")
    assert [e["name"] for e in listed["executions"]] == ["e1"]
    with pytest.raises(ExecutionAlreadyExists):
        rt.start_execution(stateMachineArn=arn, name="e1")


def test_errors_have_aws_codes(rt: Runtime) -> None:
    with pytest.raises(StateMachineDoesNotExist) as missing:
        rt.describe_state_machine(
            stateMachineArn="arn:aws:states:us-east-1:123456789012:stateMachine:nope"
        )
    assert missing.value.code == "StateMachineDoesNotExist"
    with pytest.raises(ExecutionDoesNotExist):
        rt.describe_execution(executionArn="arn:aws:states:us-east-1:123456789012:execution:a:b")
    with pytest.raises(sfn.DefinitionError) as bad:
        rt.create_state_machine(name="bad", definition='{"StartAt": "A"}')
    assert bad.value.diagnostics


def test_versions_and_update(rt: Runtime) -> None:
    created = rt.create_state_machine(
        name="v",
        definition={"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": 1, "End": True}}},
        publish=True,
    )
    assert created["stateMachineVersionArn"].endswith(":v:1")
    updated = rt.update_state_machine(
        stateMachineArn=created["stateMachineArn"],
        definition={"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": 2, "End": True}}},
        publish=True,
    )
    assert updated["stateMachineVersionArn"].endswith(":v:2")
    assert rt.start("v").wait(5).output == 2


def test_stop_execution_aborts_a_waiting_execution() -> None:
    with Runtime(clock="real") as rt:
        rt.create_state_machine(
            name="slow",
            definition={
                "StartAt": "W",
                "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": True}},
            },
        )
        ex = rt.start("slow")
        time.sleep(0.1)
        began = time.perf_counter()
        rt.stop_execution(executionArn=ex.arn, error="Stop", cause="user")
        assert time.perf_counter() - began < 2
        assert ex.status == "ABORTED"
        kinds = [e["type"] for e in ex.history]
        assert kinds[-2:] == ["WaitStateAborted", "ExecutionAborted"]
        assert ex.history[-1]["executionAbortedEventDetails"] == {"error": "Stop", "cause": "user"}


def test_thousand_concurrent_executions_with_wait_and_map(rt: Runtime) -> None:
    arn = rt.create_state_machine(name="many", definition=json.dumps(WAIT_AND_MAP))[
        "stateMachineArn"
    ]
    runs = [rt.start(arn, [1, 2, 3]) for _ in range(1000)]
    for ex in runs:
        ex.wait(60)
    assert all(ex.status == "SUCCEEDED" for ex in runs)
    # 1 start + wait(2) + map(entered, started, 3 x 4, succeeded, exited) + end = 20 events
    assert {len(ex.history) for ex in runs} == {20}


def test_function_decorator_serves_lambda_tasks(rt: Runtime) -> None:
    @rt.function("Greet")
    def greet(event: dict[str, str], context: object) -> str:
        return f"hello {event['who']}"

    rt.create_state_machine(
        name="greet",
        definition={
            "StartAt": "T",
            "States": {
                "T": {
                    "Type": "Task",
                    "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Greet",
                    "End": True,
                }
            },
        },
    )
    assert rt.start("greet", {"who": "you"}).wait(10).output == "hello you"


def test_execution_repr_is_useful(rt: Runtime) -> None:
    rt.create_state_machine(
        name="r", definition={"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}
    )
    ex = rt.start("r", {"a": 1}, name="run-1").wait(5)
    assert repr(ex) == "<Execution name='run-1' status='SUCCEEDED' output={\"a\":1} events=4>"


def test_registering_a_function_again_replaces_it_for_later_runs(rt: Runtime) -> None:
    rt.create_state_machine(
        name="swap",
        definition={
            "StartAt": "T",
            "States": {
                "T": {
                    "Type": "Task",
                    "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
                    "End": True,
                }
            },
        },
    )
    rt.function("f")(lambda event, context: 1)
    assert rt.start("swap").wait(5).output == 1
    rt.function("f")(lambda event, context: 2)
    assert rt.start("swap").wait(5).output == 2


def test_stop_during_a_map_aborts_each_running_iteration() -> None:
    with Runtime(clock="real") as rt:
        rt.create_state_machine(
            name="map-wait",
            definition={
                "StartAt": "M",
                "States": {
                    "M": {
                        "Type": "Map",
                        "ItemProcessor": {
                            "StartAt": "W",
                            "States": {"W": {"Type": "Wait", "Seconds": 100, "End": True}},
                        },
                        "End": True,
                    }
                },
            },
        )
        ex = rt.start("map-wait", [1, 2])
        time.sleep(0.2)
        rt.stop_execution(executionArn=ex.arn)
        kinds = [e["type"] for e in ex.history]
        assert kinds.count("WaitStateAborted") == 2
        assert kinds.count("MapIterationAborted") == 2
        assert kinds[-2:] == ["MapStateAborted", "ExecutionAborted"]
