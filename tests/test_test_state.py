"""TestState: one state, once, with AWS's response shape and inspection data."""

from __future__ import annotations

import json
from typing import Any

import pytest

import sfn_notebook as sfn
from sfn_notebook.integrations.teststate import TestStateValidationError, check_mock_result
from sfn_notebook.runtime.runtime import Runtime

ROLE = "arn:aws:iam::123456789012:role/test"
TASK = {
    "Type": "Task",
    "Resource": "arn:aws:states:::lambda:invoke",
    "InputPath": "$.order",
    "Parameters": {"FunctionName": "price", "Payload": {"items.$": "$.items"}},
    "ResultSelector": {"total.$": "$.Payload.total"},
    "ResultPath": "$.priced",
    "Next": "Ship",
}
ORDER = {"order": {"id": "o-1", "items": [2, 3]}, "customer": "c-9"}


@pytest.fixture
def rt() -> Any:
    runtime = Runtime(clock="virtual")

    @runtime.function("price")
    def price(event: Any, context: Any) -> dict[str, Any]:
        if not event["items"]:
            raise ValueError("empty order")
        return {"total": sum(event["items"])}

    yield runtime
    runtime.close()


def parsed(data: dict[str, str]) -> dict[str, Any]:
    return {key: json.loads(value) for key, value in data.items()}


def test_task_stages_in_inspection_data(rt: Runtime) -> None:
    response = rt.test_state(
        definition=json.dumps(TASK),
        roleArn=ROLE,
        input=json.dumps(ORDER),
        inspectionLevel="DEBUG",
    )
    assert response["status"] == "SUCCEEDED"
    assert response["nextState"] == "Ship"
    assert json.loads(response["output"]) == {**ORDER, "priced": {"total": 5}}
    stages = parsed(response["inspectionData"])
    assert stages["input"] == ORDER
    assert stages["afterInputPath"] == ORDER["order"]
    assert stages["afterParameters"] == {"FunctionName": "price", "Payload": {"items": [2, 3]}}
    assert stages["result"]["Payload"] == {"total": 5}
    assert stages["result"]["StatusCode"] == 200
    assert stages["afterResultSelector"] == {"total": 5}
    assert stages["afterResultPath"] == {**ORDER, "priced": {"total": 5}}
    info = rt.test_state(definition=TASK, roleArn=ROLE, input=json.dumps(ORDER))
    assert "inspectionData" not in info and info["status"] == "SUCCEEDED"


def test_retriable_caught_and_failed(rt: Runtime) -> None:
    failing = {
        **TASK,
        "Retry": [
            {"ErrorEquals": ["States.Timeout"]},
            {
                "ErrorEquals": ["ValueError"],
                "IntervalSeconds": 3,
                "BackoffRate": 2,
                "MaxAttempts": 2,
            },
        ],
        "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Apologise"}],
    }
    empty = json.dumps({"order": {"items": []}})
    retriable = rt.test_state(
        definition=failing, roleArn=ROLE, input=empty, inspectionLevel="DEBUG"
    )
    assert retriable["status"] == "RETRIABLE"
    assert retriable["error"] == "ValueError"
    assert json.loads(retriable["cause"])["errorMessage"] == "empty order"
    assert retriable["inspectionData"]["errorDetails"] == {
        "retryBackoffIntervalSeconds": 3,
        "retryIndex": 1,
    }
    assert "output" not in retriable
    second = rt.test_state(
        definition=failing,
        roleArn=ROLE,
        input=empty,
        inspectionLevel="DEBUG",
        stateConfiguration={"retrierRetryCount": 1},
    )
    assert second["inspectionData"]["errorDetails"]["retryBackoffIntervalSeconds"] == 6
    caught = rt.test_state(
        definition=failing,
        roleArn=ROLE,
        input=empty,
        inspectionLevel="DEBUG",
        stateConfiguration={"retrierRetryCount": 2},
    )
    assert caught["status"] == "CAUGHT_ERROR"
    assert caught["nextState"] == "Apologise"
    assert caught["inspectionData"]["errorDetails"] == {"catchIndex": 0}
    assert json.loads(caught["output"])["error"]["Error"] == "ValueError"
    failed = rt.test_state(definition=TASK, roleArn=ROLE, input=empty)
    assert (failed["status"], failed["error"]) == ("FAILED", "ValueError")
    assert "nextState" not in failed


def test_mocked_task_and_field_validation(rt: Runtime) -> None:
    definition = {
        "Type": "Task",
        "Resource": "arn:aws:states:::aws-sdk:dynamodb:getItem",
        "Parameters": {"TableName": "t", "Key": {"id": {"S": "1"}}},
        "ResultSelector": {"item.$": "$.Item"},
        "End": True,
    }
    mock = {"result": json.dumps({"Item": {"id": {"S": "1"}}})}
    response = rt.test_state(definition=definition, mock=mock, inspectionLevel="TRACE")
    assert json.loads(response["output"]) == {"item": {"id": {"S": "1"}}}
    assert json.loads(response["inspectionData"]["result"]) == {"Item": {"id": {"S": "1"}}}
    wrong = {"result": json.dumps({"Item": []}), "fieldValidationMode": "STRICT"}
    with pytest.raises(TestStateValidationError) as error:
        rt.test_state(definition=definition, mock=wrong)
    assert str(error.value) == "Mock result schema validation error: Field 'Item' must be an object"
    unchecked = rt.test_state(definition=definition, mock={**wrong, "fieldValidationMode": "NONE"})
    assert unchecked["status"] == "SUCCEEDED"
    thrown = rt.test_state(
        definition=definition,
        mock={"errorOutput": {"error": "DynamoDb.ResourceNotFoundException", "cause": "no t"}},
    )
    assert (thrown["status"], thrown["error"], thrown["cause"]) == (
        "FAILED",
        "DynamoDb.ResourceNotFoundException",
        "no t",
    )


def test_mock_result_schema_checks() -> None:
    start = "arn:aws:states:::states:startExecution"
    with pytest.raises(TestStateValidationError, match="Required field 'ExecutionArn'"):
        check_mock_result(start, {"executionArn": "x", "StartDate": "d"}, strict=True)
    check_mock_result(start, {"StartDate": "d"}, strict=False)  # PRESENT: only what is there
    with pytest.raises(TestStateValidationError, match="Field 'StartDate' must be a string"):
        check_mock_result(start, {"ExecutionArn": "x", "StartDate": 1}, strict=True)
    events = "arn:aws:states:::events:putEvents"
    with pytest.raises(TestStateValidationError, match="Field 'EventId' must be a string"):
        check_mock_result(events, {"Entries": [{"EventId": "a"}, {"EventId": 2}]}, strict=True)
    check_mock_result("arn:aws:states:::lambda:invoke", {"Payload": {"any": "json"}}, strict=True)


def test_other_state_types(rt: Runtime) -> None:
    choice = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.value", "NumericGreaterThan": 20, "Next": "Big"}],
        "Default": "Small",
    }
    picked = rt.test_state(definition=choice, input='{"value": 22}', inspectionLevel="DEBUG")
    assert (picked["status"], picked["nextState"]) == ("SUCCEEDED", "Big")
    assert set(picked["inspectionData"]) == {"input", "afterInputPath"}
    fail = {"Type": "Fail", "Error": "SomeFailure", "Cause": "because"}
    failed = rt.test_state(definition=fail)
    assert (failed["status"], failed["error"], failed["cause"]) == (
        "FAILED",
        "SomeFailure",
        "because",
    )
    wait = {"Type": "Wait", "Seconds": 3600, "Next": "Later"}
    assert rt.test_state(definition=wait)["nextState"] == "Later"
    with_result = {"Type": "Pass", "Result": {"r": 1}, "ResultPath": "$.x", "End": True}
    stages = rt.test_state(definition=with_result, input='{"a": 0}', inspectionLevel="DEBUG")
    assert set(stages["inspectionData"]) == {
        "input",
        "result",
        "afterResultSelector",
        "afterResultPath",
    }
    variables = {
        "Type": "Pass",
        "QueryLanguage": "JSONata",
        "Assign": {"doubled": "{% $states.input.n * $k %}"},
        "Output": "{% $k %}",
        "End": True,
    }
    assigned = rt.test_state(
        definition=variables, input='{"n": 4}', variables='{"k": 3}', inspectionLevel="DEBUG"
    )
    assert assigned["output"] == "3"
    assert json.loads(assigned["inspectionData"]["variables"]) == {"k": 3, "doubled": 12}


def test_a_state_of_a_whole_definition(rt: Runtime) -> None:
    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Next": "B"},
            "B": {"Type": "Pass", "Parameters": {"b.$": "$.a"}, "End": True},
        },
    }
    response = rt.test_state(definition=definition, stateName="B", input='{"a": 1}')
    assert response["output"] == '{"b":1}'
    assert "nextState" not in response


def test_requests_aws_refuses(rt: Runtime) -> None:
    with pytest.raises(TestStateValidationError, match="RoleArn must be specified"):
        rt.test_state(definition=TASK)
    with pytest.raises(TestStateValidationError, match="State type 'Pass' is not supported"):
        rt.test_state(definition={"Type": "Pass", "End": True}, mock={"result": "{}"})
    with pytest.raises(TestStateValidationError, match="only one of the following"):
        rt.test_state(
            definition=TASK, mock={"result": "{}", "errorOutput": {"error": "E", "cause": "c"}}
        )
    with pytest.raises(TestStateValidationError, match="valid JSON"):
        rt.test_state(definition=TASK, mock={"result": "{not json"})
    parallel = {
        "Type": "Parallel",
        "Branches": [
            {"StartAt": p, "States": {p: {"Type": "Pass", "End": True}}} for p in ("P", "Q")
        ],
        "End": True,
    }
    with pytest.raises(sfn.DefinitionError, match="does not support Map or Parallel"):
        rt.test_state(definition=parallel)
    with pytest.raises(TestStateValidationError, match="same number of items"):
        rt.test_state(definition=parallel, mock={"result": "[1]"})
    mocked = rt.test_state(definition=parallel, mock={"result": "[1, 2]"})
    assert mocked["output"] == "[1,2]"


def test_module_level_test_state() -> None:
    response = sfn.test_state(
        {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
            "End": True,
        },
        input='{"x": 2}',
        functions={"f": lambda event, context: event["x"] * 10},
    )
    assert response["status"] == "SUCCEEDED"
    assert response["output"] == "20"
    assert response["inspectionData"]["result"] == "20"


def test_mocked_callback_task_has_a_token(rt: Runtime) -> None:
    definition = {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}},
        "End": True,
    }
    with pytest.raises(TestStateValidationError, match="only when a mock is specified"):
        rt.test_state(definition=definition, roleArn=ROLE)
    response = rt.test_state(
        definition=definition, mock={"result": '{"approved": true}'}, inspectionLevel="DEBUG"
    )
    assert response["output"] == '{"approved":true}'
    sent = json.loads(response["inspectionData"]["afterParameters"])
    assert sent["MessageBody"]["token"].startswith("AQ")
