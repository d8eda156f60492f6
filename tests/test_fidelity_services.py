"""Service integration failures as AWS reports them, from recordings beyond the public corpus
(LocalStack's AWS-validated snapshots under tests/aws/services/stepfunctions/v2/error_handling/).

The rule: Step Functions calls services through the AWS SDK for Java, which does not send a
member whose value is null. A required member that is null is therefore the service's own
validation error, and an optional one is simply absent.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

import sfn_notebook as sfn

REQUEST_ID = re.compile(r"Request ID: [0-9a-f-]{36}")


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(scope="module")
def session() -> Any:
    return boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )


def _run(resource: str, parameters: dict[str, Any], value: Any, url: str, session: Any) -> Any:
    definition = {
        "StartAt": "Call",
        "States": {
            "Call": {"Type": "Task", "Resource": resource, "Parameters": parameters, "End": True}
        },
    }
    return sfn.run(definition, {"value": value}, boto3_session=session, aws_endpoint_url=url)


def _failed(execution: Any) -> dict[str, Any]:
    (event,) = [e for e in execution.history if e["type"] == "TaskFailed"]
    return dict(event["taskFailedEventDetails"])


def test_null_required_member_is_dynamodbs_validation_error(moto_url: str, session: Any) -> None:
    # error_handling/test_task_service_dynamodb.snapshot.json, test_invalid_param
    client = session.client("dynamodb", endpoint_url=moto_url)
    client.create_table(
        TableName="fid-items",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    params = {"TableName": "fid-items", "Item.$": "$.value"}
    ex = _run("arn:aws:states:::dynamodb:putItem", params, None, moto_url, session)
    assert (ex.status, ex.error) == ("FAILED", "DynamoDB.AmazonDynamoDBException")
    assert REQUEST_ID.sub("Request ID: <id>", ex.cause) == (
        "1 validation error detected: Value null at 'item' failed to satisfy constraint: Member "
        "must not be null (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: "
        "ValidationException; Request ID: <id>; Proxy: null)"
    )
    assert _failed(ex)["resourceType"] == "dynamodb"
    # error_handling/test_aws_sdk.snapshot.json, test_dynamodb_invalid_param: SDK v2 wording.
    ex = _run("arn:aws:states:::aws-sdk:dynamodb:putItem", params, None, moto_url, session)
    assert (ex.status, ex.error) == ("FAILED", "DynamoDb.DynamoDbException")
    assert REQUEST_ID.sub("Request ID: <id>", ex.cause) == (
        "1 validation error detected: Value null at 'item' failed to satisfy constraint: Member "
        "must not be null (Service: DynamoDb, Status Code: 400, Request ID: <id>)"
    )


def test_null_message_body_is_sqs_missing_parameter(moto_url: str, session: Any) -> None:
    # error_handling/test_task_service_sqs.snapshot.json, test_send_message_empty_body
    queue = session.client("sqs", endpoint_url=moto_url).create_queue(QueueName="fid-q")
    params = {"QueueUrl": queue["QueueUrl"], "MessageBody.$": "$.value"}
    ex = _run("arn:aws:states:::sqs:sendMessage", params, None, moto_url, session)
    assert (ex.status, ex.error) == ("FAILED", "SQS.AmazonSQSException")
    assert REQUEST_ID.sub("Request ID: <id>", ex.cause) == (
        "The request must contain the parameter MessageBody. (Service: AmazonSQS; Status Code: "
        "400; Error Code: MissingParameter; Request ID: <id>; Proxy: null)"
    )
    # The event still shows the parameters as the state computed them, null included.
    (scheduled,) = [e for e in ex.history if e["type"] == "TaskScheduled"]
    assert '"MessageBody":null' in scheduled["taskScheduledEventDetails"]["parameters"]


def test_null_optional_member_is_not_sent(moto_url: str, session: Any) -> None:
    # error_handling/test_task_service_sfn.snapshot.json, test_start_execution_no_such_arn:
    # "Input": null goes unsent, so the call reaches the service, which names the missing machine.
    arn = "arn:aws:states:us-east-1:123456789012:stateMachine:fid-no-such-machine"
    params = {"StateMachineArn": arn, "Input.$": "$.value", "Name": "TestStartTarget"}
    ex = _run("arn:aws:states:::states:startExecution", params, None, moto_url, session)
    assert (ex.status, ex.error) == ("FAILED", "StepFunctions.StateMachineDoesNotExistException")
    assert ex.cause.startswith(f"State Machine Does Not Exist: '{arn}' (Service: AWSStepFunctions;")
