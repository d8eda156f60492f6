"""Rules found wrong by running public sample state machines (the samples sweep).

Each test names the sample that showed the rule and states it as AWS has it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

import sfn_notebook as sfn
from sfn_notebook import Runtime
from sfn_notebook.engine.resources import TASK_TOKEN

# --- a .sync Task has a task token ---------------------------------------------------------------
# step-functions-workflows-collection/distributed-data-stream-aggregator/statemachine/
# data-extraction-child.asl.json passes "{% $states.context.Task.Token %}" to a child started with
# states:startExecution.sync:2; the child answers it with SendTaskSuccess. AWS issues the token
# for .sync Tasks too, and an answer ends the Task (LocalStack's AWS-recorded
# test_callback.py::test_sync_with_task_token: TaskSucceeded carries the SendTaskSuccess output).

CHILD_WAITS = {
    "StartAt": "Hold",
    "States": {
        "Hold": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "Parameters": {"FunctionName": "keep", "Payload": {"parent.$": "$.TaskToken"}},
            "End": True,
        }
    },
}


def parent(resource: str) -> dict[str, Any]:
    return {
        "StartAt": "StartExecution",
        "States": {
            "StartExecution": {
                "Type": "Task",
                "Resource": resource,
                "Parameters": {
                    "StateMachineArn.$": "$.StateMachineArn",
                    "Input": {"TaskToken.$": "$$.Task.Token"},
                },
                "End": True,
            }
        },
    }


@pytest.fixture
def rt() -> Iterator[Any]:
    runtime = Runtime(clock="virtual")
    runtime.parent_tokens = []

    @runtime.function("keep")
    def keep(event: Any, context: Any) -> dict[str, Any]:
        runtime.parent_tokens.append(event["parent"])
        return {}

    yield runtime
    runtime.close()


def wait_token(rt: Any, timeout: float = 10.0) -> str:
    end = time.monotonic() + timeout
    while not rt.parent_tokens:
        assert time.monotonic() < end, "the child never received the parent's token"
        time.sleep(0.005)
    return str(rt.parent_tokens[0])


@pytest.mark.parametrize(
    "resource",
    [
        "arn:aws:states:::states:startExecution.sync",
        "arn:aws:states:::states:startExecution.sync:2",
    ],
)
def test_sync_task_token_answer_ends_the_task(rt: Any, resource: str) -> None:
    child = rt.create_state_machine(name="child", definition=CHILD_WAITS)["stateMachineArn"]
    arn = rt.create_state_machine(name="parent", definition=parent(resource))["stateMachineArn"]
    ex = rt.start(arn, {"StateMachineArn": child})
    token = wait_token(rt)
    assert TASK_TOKEN.match(token)
    rt.send_task_success(taskToken=token, output=json.dumps("SQS_SEND_MESSAGE_AND_WAIT"))
    ex.wait(20)
    assert ex.status == "SUCCEEDED", ex.cause
    assert ex.output == "SQS_SEND_MESSAGE_AND_WAIT"
    types = [e["type"] for e in ex.history]
    assert types[2:8] == [
        "TaskScheduled",
        "TaskStarted",
        "TaskSubmitted",
        "TaskSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
    scheduled = json.loads(ex.history[2]["taskScheduledEventDetails"]["parameters"])
    assert scheduled["Input"]["TaskToken"] == token


def test_sync_task_token_failure_fails_the_task(rt: Any) -> None:
    child = rt.create_state_machine(name="child", definition=CHILD_WAITS)["stateMachineArn"]
    definition = parent("arn:aws:states:::states:startExecution.sync:2")
    arn = rt.create_state_machine(name="parent", definition=definition)["stateMachineArn"]
    ex = rt.start(arn, {"StateMachineArn": child})
    rt.send_task_failure(taskToken=wait_token(rt), error="Child.Gave.Up", cause="no data")
    ex.wait(20)
    assert ex.status == "FAILED"
    assert (ex.error, ex.cause) == ("Child.Gave.Up", "no data")
    assert "TaskFailed" in [e["type"] for e in ex.history]


def test_sync_task_without_answer_still_waits_for_the_child(rt: Any) -> None:
    child = rt.create_state_machine(
        name="child", definition={"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    )["stateMachineArn"]
    definition = parent("arn:aws:states:::states:startExecution.sync:2")
    arn = rt.create_state_machine(name="parent", definition=definition)["stateMachineArn"]
    ex = rt.start(arn, {"StateMachineArn": child}).wait(20)
    assert ex.status == "SUCCEEDED", ex.cause
    assert TASK_TOKEN.match(ex.output["Output"]["TaskToken"])  # the child got the token


def test_jsonata_task_token_in_a_mocked_sync_task() -> None:
    # data-extraction-child.asl.json's 'Get Data' state, mocked as in a MockConfigFile test.
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Get Data",
        "States": {
            "Get Data": {
                "Type": "Task",
                "Resource": "arn:aws:states:::states:startExecution.sync:2",
                "Arguments": {
                    "StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:c",
                    "Input": {"childTaskToken": "{% $states.context.Task.Token %}"},
                },
                "End": True,
            }
        },
    }
    mocks = {
        "StateMachines": {"m": {"TestCases": {"T": {"Get Data": "R"}}}},
        "MockedResponses": {"R": {"0": {"Return": {"resultCount": 1}}}},
    }
    ex = sfn.run(definition, {}, mocks=mocks, test_case="T", state_machine_name="m")
    assert ex.status == "SUCCEEDED", ex.cause
    scheduled = next(e for e in ex.history if e["type"] == "TaskScheduled")
    sent = json.loads(scheduled["taskScheduledEventDetails"]["parameters"])
    assert TASK_TOKEN.match(sent["Input"]["childTaskToken"])


def test_mocked_sync_task_not_run_here_has_a_token_too() -> None:
    definition = {
        "StartAt": "Job",
        "States": {
            "Job": {
                "Type": "Task",
                "Resource": "arn:aws:states:::eks:runJob.sync",
                "Parameters": {"token.$": "$$.Task.Token"},
                "End": True,
            }
        },
    }
    mocks = {
        "StateMachines": {"m": {"TestCases": {"T": {"Job": "R"}}}},
        "MockedResponses": {"R": {"0": {"Return": {"status": "done"}}}},
    }
    ex = sfn.run(definition, {}, mocks=mocks, test_case="T", state_machine_name="m")
    assert ex.status == "SUCCEEDED", ex.cause
    assert ex.output == {"status": "done"}
    scheduled = next(e for e in ex.history if e["type"] == "TaskScheduled")
    assert TASK_TOKEN.match(
        json.loads(scheduled["taskScheduledEventDetails"]["parameters"])["token"]
    )
