"""boto3's contract: the Runtime refuses the parameters a boto3 client refuses, with the same
message, and its AWS-coded errors are ClientErrors reachable as ``rt.exceptions.<Code>``.

The oracle is a real boto3 client: it validates parameters before sending anything, so these
calls never reach the network."""

from __future__ import annotations

import json
from typing import Any

import boto3
import botocore.exceptions
import pytest

import sfn_notebook as sfn
from sfn_notebook.errors import ParamValidationError

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:m"


@pytest.fixture(scope="module")
def client() -> Any:
    return boto3.client(
        "stepfunctions",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        endpoint_url="http://127.0.0.1:9",  # never reached: validation comes first
    )


@pytest.fixture
def rt() -> Any:
    runtime = sfn.Runtime(clock="virtual")
    runtime.create_state_machine(name="m", definition=PASS)
    yield runtime
    runtime.close()


REFUSED = [
    ("list_executions", {"stateMachineArn": ARN, "statusFIlter": "FAILED"}),
    ("list_executions", {"stateMachineArn": ARN, "maxResults": "3"}),
    ("start_execution", {"stateMachineArn": ARN, "input": {"x": 1}}),
    ("start_execution", {"input": "{}"}),
    ("describe_execution", {}),
    ("describe_execution", {"executionArn": ARN, "extra": 1, "more": 2}),
    ("get_execution_history", {"executionArn": ARN, "reverseOrder": "yes"}),
    ("stop_execution", {"executionArn": ARN, "errror": "E"}),
    ("send_task_success", {"taskToken": "t"}),
    ("send_task_failure", {"taskToken": "t", "error": 5}),
    ("create_state_machine", {"name": "x", "definition": "{}", "roleArn": "r", "publish": 1}),
    ("update_state_machine", {"stateMachineArn": ARN, "definiton": "{}"}),
    ("describe_state_machine", {"stateMachineArn": ARN, "arn": ARN}),
    ("list_state_machines", {"maxResult": 5}),
    ("redrive_execution", {"executionARN": ARN}),
    ("create_activity", {"nmae": "a"}),
    ("test_state", {"definition": "{}", "inspection_level": "DEBUG"}),
]


@pytest.mark.parametrize(("method", "params"), REFUSED)
def test_refused_as_boto3_refuses(rt: Any, client: Any, method: str, params: Any) -> None:
    with pytest.raises(botocore.exceptions.ParamValidationError) as theirs:
        getattr(client, method)(**params)
    with pytest.raises(ParamValidationError) as ours:
        getattr(rt, method)(**params)
    assert str(ours.value) == str(theirs.value)
    assert isinstance(ours.value, botocore.exceptions.ParamValidationError)
    assert isinstance(ours.value, sfn.SfnNotebookError)


def test_misspelled_status_filter_no_longer_lists_everything(rt: Any) -> None:
    rt.start(ARN).wait(10)
    with pytest.raises(ParamValidationError) as caught:
        rt.list_executions(stateMachineArn=ARN, statusFIlter="FAILED")
    assert str(caught.value) == (
        'Parameter validation failed:\nUnknown parameter in input: "statusFIlter", must be '
        "one of: stateMachineArn, statusFilter, maxResults, nextToken, mapRunArn, redriveFilter"
    )
    assert rt.list_executions(stateMachineArn=ARN, statusFilter="FAILED")["executions"] == []


def test_local_conveniences_are_kept(rt: Any) -> None:
    # A dict definition, the default role, None for "not given", test_case and timeout.
    made = rt.create_state_machine(name="d", definition=PASS, publish=True, tags=[])
    rt.update_state_machine(stateMachineArn=made["stateMachineArn"], definition=PASS, roleArn=None)
    started = rt.start_execution(stateMachineArn=ARN, name=None, input=None, test_case=None)
    assert rt.execution(started["executionArn"]).wait(10).status == "SUCCEEDED"
    activity = rt.create_activity(name="a")["activityArn"]
    assert rt.get_activity_task(activityArn=activity, timeout=0.01) == {}
    assert rt.test_state(definition={"Type": "Pass", "End": True}, input='{"a":1}')["output"]
    with pytest.raises(TypeError, match="keyword"):
        rt.describe_execution(started["executionArn"])


def test_versions_paginate(rt: Any) -> None:
    for i in range(3):  # each a new definition: an unchanged one would republish the same version
        changed = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": i, "End": True}}}
        rt.update_state_machine(stateMachineArn=ARN, definition=json.dumps(changed), publish=True)
    first = rt.list_state_machine_versions(stateMachineArn=ARN, maxResults=2)
    assert [v["stateMachineVersionArn"][-1] for v in first["stateMachineVersions"]] == ["3", "2"]
    rest = rt.list_state_machine_versions(stateMachineArn=ARN, nextToken=first["nextToken"])
    assert [v["stateMachineVersionArn"][-1] for v in rest["stateMachineVersions"]] == ["1"]


def test_coded_errors_are_client_errors_in_rt_exceptions(rt: Any, client: Any) -> None:
    missing = ARN.replace("stateMachine:m", "execution:m:nope")
    with pytest.raises(rt.exceptions.ExecutionDoesNotExist) as caught:
        rt.describe_execution(executionArn=missing)
    error = caught.value
    assert isinstance(error, botocore.exceptions.ClientError)
    assert isinstance(error, rt.exceptions.ClientError)
    assert error.response["Error"] == {
        "Code": "ExecutionDoesNotExist",
        "Message": f"Execution Does Not Exist: '{missing}'",
    }
    with pytest.raises(rt.exceptions.StateMachineDoesNotExist):
        rt.describe_state_machine(stateMachineArn=ARN + "x")
    with pytest.raises(rt.exceptions.InvalidArn):
        rt.describe_activity(activityArn="nope")
    with pytest.raises(rt.exceptions.InvalidArn):
        rt.describe_execution(executionArn="nope")
    with pytest.raises(rt.exceptions.InvalidToken):
        rt.send_task_success(taskToken="bad", output="{}")
    with pytest.raises(rt.exceptions.ValidationException):
        rt.list_executions(stateMachineArn=ARN, statusFilter="NOPE")
    with pytest.raises(rt.exceptions.InvalidDefinition):
        rt.create_state_machine(name="bad", definition={"StartAt": "X", "States": {}})
    with pytest.raises(rt.exceptions.ExecutionNotRedrivable):
        ex = rt.start(ARN).wait(10)
        rt.redrive_execution(executionArn=ex.arn)
    # Every code a boto3 client offers is there, and nothing else is.
    theirs = {name for name in dir(client.exceptions) if not name.startswith("_")}
    assert theirs <= set(dir(rt.exceptions))
    for code in theirs - {"ClientError", "from_code"}:
        assert getattr(rt.exceptions, code).code == code
        assert rt.exceptions.from_code(code) is getattr(rt.exceptions, code)
    assert rt.exceptions.from_code("NoSuchCode") is rt.exceptions.ClientError
    with pytest.raises(AttributeError):
        _ = rt.exceptions.NoSuchCode
