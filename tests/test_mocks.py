"""Mocked Tasks in Step Functions Local's MockConfigFile format."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest

import sfn_notebook as sfn
from sfn_notebook.integrations import MockConfig, MockConfigError, MockTestCaseNotFound
from sfn_notebook.runtime.runtime import Runtime

CONFIG = {
    "StateMachines": {
        "Orders": {
            "TestCases": {
                "RetryPath": {"Charge": "MockedLambdaRetry"},
                "HappyPath": {"Charge": "MockedLambdaSuccess", "Queue": "MockedSQSSuccess"},
                "HybridPath": {"Queue": "MockedSQSFailure"},
            }
        }
    },
    "MockedResponses": {
        "MockedLambdaRetry": {
            "0-1": {"Throw": {"Error": "Lambda.ResourceNotReadyException", "Cause": "not ready"}},
            "2": {"Return": {"StatusCode": 200, "Payload": {"charged": True}}},
        },
        "MockedLambdaSuccess": {"0": {"Return": {"StatusCode": 200, "Payload": {"ok": 1}}}},
        "MockedSQSSuccess": {"0": {"Return": {"MessageId": "m-1", "MD5OfMessageBody": "x"}}},
        "MockedSQSFailure": {"0": {"Throw": {"Error": "SQS.QueueDoesNotExist", "Cause": "gone"}}},
    },
}

DEFINITION = {
    "StartAt": "Charge",
    "States": {
        "Charge": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "charge", "Payload.$": "$"},
            "ResultSelector": {"charge.$": "$.Payload"},
            "Retry": [
                {
                    "ErrorEquals": ["Lambda.ResourceNotReadyException"],
                    "IntervalSeconds": 2,
                    "MaxAttempts": 3,
                }
            ],
            "Next": "Queue",
        },
        "Queue": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage",
            "Parameters": {"QueueUrl": "https://sqs.example/q", "MessageBody.$": "$"},
            "ResultPath": "$.queued",
            "End": True,
        },
    },
}


def test_throw_twice_then_return_drives_retry_to_success(tmp_path: Path) -> None:
    config_file = tmp_path / "MockConfigFile.json"
    config_file.write_text(json.dumps(CONFIG))
    definition = json.loads(json.dumps(DEFINITION))
    definition["States"]["Charge"]["End"] = True
    del definition["States"]["Charge"]["Next"]
    del definition["States"]["Queue"]
    ex = sfn.run(definition, {"order": 1}, mocks=config_file, test_case="RetryPath")
    assert ex.status == "SUCCEEDED", ex.cause
    assert ex.output == {"charge": {"charged": True}}
    attempts = [e["type"] for e in ex.history if e["type"].startswith("Task")]
    assert attempts == [
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskFailed",
        "TaskScheduled",
        "TaskStarted",
        "TaskFailed",
        "TaskScheduled",
        "TaskStarted",
        "TaskSucceeded",
        "TaskStateExited",
    ]
    failed = [e["taskFailedEventDetails"] for e in ex.history if e["type"] == "TaskFailed"]
    assert failed[0] == {
        "resourceType": "lambda",
        "resource": "invoke",
        "error": "Lambda.ResourceNotReadyException",
        "cause": "not ready",
    }
    scheduled = [e for e in ex.history if e["type"] == "TaskScheduled"]
    gaps = [
        (b["timestamp"] - a["timestamp"]).total_seconds() for a, b in itertools.pairwise(scheduled)
    ]
    assert gaps == [2.0, 4.0]  # the retrier's backoff, on virtual time


def test_test_case_from_the_state_machine_arn_and_unmocked_states() -> None:
    # AWS calls go to a closed local port, so the unmocked SQS call fails fast and offline.
    rt = Runtime(clock="virtual", mocks=CONFIG, aws_endpoint_url="http://127.0.0.1:9")
    try:
        calls = []
        rt.function("charge")(lambda event, context: calls.append(event) or {"real": True})
        arn = rt.create_state_machine(name="Orders", definition=DEFINITION)["stateMachineArn"]
        happy = rt.start_execution(stateMachineArn=f"{arn}#HappyPath", input='{"o": 1}')
        ex = rt.execution(happy["executionArn"]).wait(10)
        assert ex.status == "SUCCEEDED", ex.cause
        assert ex.output["charge"] == {"ok": 1}
        assert ex.output["queued"] == {"MessageId": "m-1", "MD5OfMessageBody": "x"}
        assert calls == []  # the mocked state never called the function
        assert ex.state_machine_arn == arn
        # HybridPath mocks only Queue: Charge calls the registered Python function.
        hybrid = rt.start_execution(stateMachineArn=arn, input='{"o": 2}', test_case="HybridPath")
        ex = rt.execution(hybrid["executionArn"]).wait(10)
        assert (ex.status, ex.error, ex.cause) == ("FAILED", "SQS.QueueDoesNotExist", "gone")
        assert calls == [{"o": 2}]
        # Without a test case nothing is mocked: the real SQS endpoint is not there.
        plain = rt.start_execution(stateMachineArn=arn, input='{"o": 3}')
        ex = rt.execution(plain["executionArn"]).wait(30)
        assert (ex.status, ex.error) == ("FAILED", "SQS.SdkClientException")
        with pytest.raises(MockTestCaseNotFound) as missing:
            rt.start_execution(stateMachineArn=f"{arn}#NoSuchCase")
        assert missing.value.code == "InvalidName"
    finally:
        rt.close()


def test_mocked_resources_need_not_exist() -> None:
    config = {
        "StateMachines": {"m": {"TestCases": {"t": {"A": "R", "B": "W"}}}},
        "MockedResponses": {
            "R": {"0": {"Return": {"from": "mock"}}},
            "W": {"0": {"Return": "answered"}},
        },
    }
    definition = {
        "StartAt": "A",
        "States": {
            "A": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:missing",
                "Next": "B",
            },
            "B": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": "q", "MessageBody": {"t.$": "$$.Task.Token"}},
                "End": True,
            },
        },
    }
    ex = sfn.run(definition, mocks=config, test_case="t")
    assert ex.status == "SUCCEEDED", ex.cause
    assert ex.output == "answered"
    types = [e["type"] for e in ex.history]
    assert "LambdaFunctionSucceeded" in types and "TaskSucceeded" in types
    scheduled = next(e for e in ex.history if e["type"] == "TaskScheduled")
    assert json.loads(scheduled["taskScheduledEventDetails"]["parameters"])["MessageBody"]["t"]


def test_exhausted_responses_repeat_the_last() -> None:
    case = MockConfig.load(CONFIG).test_case("Orders", "HappyPath")
    kinds = [case.next_response("Charge").value["Payload"] for _ in range(3)]
    assert kinds == [{"ok": 1}] * 3
    assert case.next_response("Unmocked") is None


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "JSON object"),
        ({"StateMachines": {"m": {}}}, "TestCases"),
        ({"StateMachines": {"m": {"TestCases": {"t": {"A": "Nope"}}}}}, "does not define"),
        ({"MockedResponses": {"R": {"1": {"Return": 1}}}}, "without gaps"),
        ({"MockedResponses": {"R": {"x": {"Return": 1}}}}, "invocation number"),
        ({"MockedResponses": {"R": {"0": {"Result": 1}}}}, "Return or Throw"),
        ({"MockedResponses": {"R": {"0": {"Throw": {"Cause": "c"}}}}}, "needs an Error"),
    ],
)
def test_malformed_configurations_are_reported(document: Any, message: str) -> None:
    with pytest.raises(MockConfigError) as error:
        MockConfig.load(document)
    assert message in str(error.value)


def test_config_from_json_text_and_missing_file(tmp_path: Path) -> None:
    assert MockConfig.load(json.dumps(CONFIG)).machines["Orders"]["HappyPath"]
    with pytest.raises(MockConfigError):
        MockConfig.load(tmp_path / "missing.json")
    with pytest.raises(MockTestCaseNotFound):
        sfn.run(DEFINITION, test_case="HappyPath")  # a test case needs mocks=
