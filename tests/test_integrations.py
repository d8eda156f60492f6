"""AWS service integrations through boto3, against moto's server over real HTTP."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

import sfn_notebook as sfn
from sfn_notebook.runtime.runtime import Runtime

REGION = "us-east-1"


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
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )


@pytest.fixture
def clients(moto_url: str, session: Any) -> dict[str, Any]:
    return {
        name: session.client(name, endpoint_url=moto_url)
        for name in ("dynamodb", "sns", "sqs", "events")
    }


def table(clients: dict[str, Any], name: str) -> str:
    clients["dynamodb"].create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return name


SEED = {
    "Comment": "An event comes in; a function processes it; DynamoDB stores it; SNS tells.",
    "StartAt": "Transform",
    "States": {
        "Transform": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "transform", "Payload.$": "$"},
            "ResultSelector": {"order.$": "$.Payload"},
            "Next": "Store",
        },
        "Store": {
            "Type": "Task",
            "Resource": "arn:aws:states:::dynamodb:putItem",
            "Parameters": {
                "TableName": "orders",
                "Item": {
                    "id": {"S.$": "$.order.id"},
                    "total": {"N.$": "States.Format('{}', $.order.total)"},
                },
            },
            "ResultPath": "$.stored",
            "Next": "Notify",
        },
        "Notify": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sns:publish",
            "Parameters": {"TopicArn.$": "$$.Execution.Input.topic", "Message.$": "$.order"},
            "ResultPath": "$.published",
            "End": True,
        },
    },
}


def test_seed_example_python_dynamodb_sns(
    moto_url: str, session: Any, clients: dict[str, Any]
) -> None:
    table(clients, "orders")
    topic = clients["sns"].create_topic(Name="orders")["TopicArn"]
    queue = clients["sqs"].create_queue(QueueName="order-notifications")["QueueUrl"]
    queue_arn = clients["sqs"].get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    clients["sns"].subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={"RawMessageDelivery": "true"},
    )
    with Runtime(clock="virtual", boto3_session=session, aws_endpoint_url=moto_url) as rt:

        @rt.function("transform")
        def transform(event: Any, context: Any) -> dict[str, Any]:
            return {"id": event["orderId"], "total": sum(i["price"] for i in event["items"])}

        arn = rt.create_state_machine(name="seed", definition=SEED)["stateMachineArn"]
        event = {"orderId": "o-1", "items": [{"price": 3}, {"price": 4}], "topic": topic}
        ex = rt.start(arn, event).wait(30)
    assert ex.status == "SUCCEEDED", ex.cause
    item = clients["dynamodb"].get_item(TableName="orders", Key={"id": {"S": "o-1"}})["Item"]
    assert item == {"id": {"S": "o-1"}, "total": {"N": "7"}}
    messages = clients["sqs"].receive_message(QueueUrl=queue, WaitTimeSeconds=1)["Messages"]
    assert json.loads(messages[0]["Body"]) == {"id": "o-1", "total": 7}
    # Optimized integrations return AWS's result shapes.
    assert ex.output["stored"]["SdkHttpMetadata"]["HttpStatusCode"] == 200
    assert ex.output["stored"]["SdkResponseMetadata"]["RequestId"]
    assert ex.output["published"]["MessageId"]
    scheduled = [e["taskScheduledEventDetails"] for e in ex.history if e["type"] == "TaskScheduled"]
    assert [(s["resourceType"], s["resource"]) for s in scheduled] == [
        ("lambda", "invoke"),
        ("dynamodb", "putItem"),
        ("sns", "publish"),
    ]
    history = json.dumps(ex.history, default=str)
    assert "testing" not in history  # no credentials in the history


def test_aws_sdk_integration_names_and_shapes(
    moto_url: str, session: Any, clients: dict[str, Any]
) -> None:
    table(clients, "sdk")
    definition = {
        "StartAt": "Put",
        "States": {
            "Put": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:dynamodb:putItem",
                "Parameters": {"TableName": "sdk", "Item": {"id": {"S": "a"}}},
                "ResultPath": "$.put",
                "Next": "Get",
            },
            "Get": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:dynamodb:getItem",
                "Parameters": {"TableName": "sdk", "Key": {"id": {"S": "a"}}},
                "ResultPath": "$.got",
                "Next": "Missing",
            },
            "Missing": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:dynamodb:getItem",
                "Parameters": {"TableName": "no-such-table", "Key": {"id": {"S": "a"}}},
                "Catch": [
                    {
                        "ErrorEquals": ["DynamoDb.ResourceNotFoundException"],
                        "ResultPath": "$.error",
                        "Next": "Done",
                    }
                ],
                "End": True,
            },
            "Done": {"Type": "Succeed"},
        },
    }
    ex = sfn.run(definition, {}, boto3_session=session, aws_endpoint_url=moto_url)
    assert ex.status == "SUCCEEDED", ex.cause
    assert ex.output["put"] == {}  # aws-sdk results carry no HTTP metadata
    assert ex.output["got"] == {"Item": {"id": {"S": "a"}}}
    error = ex.output["error"]
    assert error["Error"] == "DynamoDb.ResourceNotFoundException"
    assert error["Cause"].startswith(
        "Requested resource not found (Service: DynamoDb, Status Code: 400"
    )
    scheduled = next(e for e in ex.history if e["type"] == "TaskScheduled")
    assert scheduled["taskScheduledEventDetails"]["resourceType"] == "aws-sdk:dynamodb"
    assert scheduled["taskScheduledEventDetails"]["resource"] == "putItem"


def test_aws_sdk_camel_case_api_and_sqs(
    moto_url: str, session: Any, clients: dict[str, Any]
) -> None:
    queue = clients["sqs"].create_queue(QueueName="camel")["QueueUrl"]
    definition = {
        "StartAt": "Send",
        "States": {
            "Send": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage",
                "Parameters": {"QueueUrl": queue, "MessageBody": {"hello": "world"}},
                "ResultSelector": {"id.$": "$.MessageId"},
                "ResultPath": "$.sent",
                "Next": "List",
            },
            "List": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:sfn:listStateMachines",
                "Parameters": {"MaxResults": 5},
                "ResultPath": "$.machines",
                "End": True,
            },
        },
    }
    ex = sfn.run(definition, {}, boto3_session=session, aws_endpoint_url=moto_url)
    assert ex.status == "SUCCEEDED", ex.cause
    body = clients["sqs"].receive_message(QueueUrl=queue)["Messages"][0]["Body"]
    assert json.loads(body) == {"hello": "world"}  # an object MessageBody is sent as JSON text
    assert "StateMachines" in ex.output["machines"]  # the SFN API's camelCase, PascalCased


def test_unreachable_endpoint_is_an_sdk_client_exception(session: Any) -> None:
    definition = {
        "StartAt": "Put",
        "States": {
            "Put": {
                "Type": "Task",
                "Resource": "arn:aws:states:::dynamodb:putItem",
                "Parameters": {"TableName": "t", "Item": {"id": {"S": "1"}}},
                "End": True,
            }
        },
    }
    ex = sfn.run(definition, boto3_session=session, aws_endpoint_url="http://127.0.0.1:9")
    assert (ex.status, ex.error) == ("FAILED", "DynamoDB.SdkClientException")
    assert ex.cause.startswith("Unable to execute HTTP request: Could not connect")
    assert "127.0.0.1:9" in ex.cause


def test_malformed_parameter_fails_the_task(moto_url: str, session: Any) -> None:
    definition = {
        "StartAt": "Put",
        "States": {
            "Put": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:dynamodb:putItem",
                "Parameters": {"TableName": "t", "Itemz": 1},
                "End": True,
            }
        },
    }
    ex = sfn.run(definition, boto3_session=session, aws_endpoint_url=moto_url)
    assert (ex.status, ex.error) == ("FAILED", "DynamoDb.DynamoDbException")
    assert 'Unknown parameter in input: "Itemz"' in ex.cause
    definition["States"]["Put"]["Resource"] = "arn:aws:states:::dynamodb:putItem"
    definition["States"]["Put"]["Parameters"] = {"TableName": "t", "Item": None}
    ex = sfn.run(definition, boto3_session=session, aws_endpoint_url=moto_url)
    assert (ex.status, ex.error) == ("FAILED", "DynamoDB.AmazonDynamoDBException")
    # A null member is not sent; DynamoDB then says it is missing (as recorded on AWS).
    assert "Value null at 'item' failed to satisfy constraint" in ex.cause


def test_bad_credentials_fail_the_task(moto_url: str, session: Any) -> None:
    definition = {
        "StartAt": "List",
        "States": {
            "List": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:dynamodb:listTables",
                "End": True,
            }
        },
    }
    _moto_auth(moto_url, "0")  # moto now checks every request's credentials
    try:
        ex = sfn.run(definition, boto3_session=session, aws_endpoint_url=moto_url)
    finally:
        _moto_auth(moto_url, "inf")
    assert (ex.status, ex.error) == ("FAILED", "DynamoDb.DynamoDbException")
    assert ex.cause.startswith("The security token included in the request is invalid.")
    assert "Status Code: 403" in ex.cause


def _moto_auth(url: str, count: str) -> None:
    request = urllib.request.Request(
        f"{url}/moto-api/reset-auth",
        data=count.encode(),
        method="POST",
        headers={"Content-Type": "text/plain"},
    )
    urllib.request.urlopen(request).read()


def test_events_put_events(moto_url: str, session: Any) -> None:
    definition = {
        "StartAt": "Put",
        "States": {
            "Put": {
                "Type": "Task",
                "Resource": "arn:aws:states:::events:putEvents",
                "Parameters": {
                    "Entries": [{"Source": "orders", "DetailType": "created", "Detail": {"id": 1}}]
                },
                "End": True,
            }
        },
    }
    ex = sfn.run(definition, boto3_session=session, aws_endpoint_url=moto_url)
    assert ex.status == "SUCCEEDED", ex.cause
    assert ex.output["FailedEntryCount"] == 0
    assert len(ex.output["Entries"]) == 1 and "SdkHttpMetadata" not in ex.output


CHILD = {
    "StartAt": "Work",
    "States": {
        "Work": {
            "Type": "Pass",
            "Parameters": {"doubled.$": "States.MathAdd($.n, $.n)"},
            "End": True,
        }
    },
}
BROKEN = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Broken", "Cause": "inside"}}}


def parent(pattern: str, target: str) -> dict[str, Any]:
    return {
        "StartAt": "Start",
        "States": {
            "Start": {
                "Type": "Task",
                "Resource": f"arn:aws:states:::states:startExecution{pattern}",
                "Parameters": {"StateMachineArn": target, "Input": {"n.$": "$.n"}, "Name": "child"},
                "End": True,
            }
        },
    }


@pytest.mark.parametrize("pattern", ["", ".sync", ".sync:2"])
def test_start_execution_runs_a_nested_local_execution(pattern: str) -> None:
    with Runtime(clock="virtual") as rt:
        child = rt.create_state_machine(name="child", definition=CHILD)["stateMachineArn"]
        arn = rt.create_state_machine(name="parent", definition=parent(pattern, child))[
            "stateMachineArn"
        ]
        ex = rt.start(arn, {"n": 21}).wait(10)
        assert ex.status == "SUCCEEDED", ex.cause
        nested = rt.execution(f"{child.replace(':stateMachine:', ':execution:')}:child").wait(10)
        assert nested.status == "SUCCEEDED"
        assert ex.output["ExecutionArn"] == nested.arn
        assert isinstance(ex.output["StartDate"], int)  # epoch milliseconds, as AWS's SDK v1
        types = [e["type"] for e in ex.history]
        if not pattern:
            assert "TaskSubmitted" not in types
            assert ex.output["SdkHttpMetadata"]["HttpStatusCode"] == 200
            return
        assert types[4:6] == ["TaskSubmitted", "TaskSucceeded"]
        assert ex.output["Status"] == "SUCCEEDED"
        if pattern == ".sync":
            assert ex.output["Output"] == '{"doubled":42}' and ex.output["Input"] == '{"n":21}'
        else:
            assert ex.output["Output"] == {"doubled": 42} and ex.output["Input"] == {"n": 21}


def test_failing_child_fails_the_sync_task() -> None:
    with Runtime(clock="virtual") as rt:
        child = rt.create_state_machine(name="broken", definition=BROKEN)["stateMachineArn"]
        arn = rt.create_state_machine(name="p", definition=parent(".sync", child))[
            "stateMachineArn"
        ]
        ex = rt.start(arn, {"n": 1}).wait(10)
        assert (ex.status, ex.error) == ("FAILED", "States.TaskFailed")
        cause = json.loads(ex.cause)
        assert (cause["Status"], cause["Error"], cause["Cause"]) == ("FAILED", "Broken", "inside")
        missing = rt.create_state_machine(
            name="q", definition=parent("", child.replace("broken", "absent"))
        )["stateMachineArn"]
        ex = rt.start(missing, {"n": 1}).wait(10)
        assert ex.error == "StepFunctions.StateMachineDoesNotExistException"
        assert "Service: AWSStepFunctions; Status Code: 400" in ex.cause
