"""The data and messaging integrations as rows of the optimized table (messaging.py): what AWS
adds to putEvents, an entry EventBridge refused, and parameters that are not a JSON object."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

import sfn_notebook as sfn


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


def _put_events(entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "StartAt": "Put",
        "States": {
            "Put": {
                "Type": "Task",
                "Resource": "arn:aws:states:::events:putEvents",
                "Parameters": {"Entries": entries},
                "End": True,
            }
        },
    }


def test_put_events_and_a_refused_entry(moto_url: str, session: Any) -> None:
    entry = {"Source": "orders", "DetailType": "placed", "Detail": {"id": 1}}
    ex = sfn.run(
        _put_events([entry]),
        state_machine_name="events",
        boto3_session=session,
        aws_endpoint_url=moto_url,
    )
    assert ex.status == "SUCCEEDED", ex.cause
    assert ex.output["FailedEntryCount"] == 0
    assert "SdkHttpMetadata" not in ex.output  # putEvents has none, unlike the others

    # EventBridge refuses an entry without a DetailType: the call succeeds, the Task fails.
    ex = sfn.run(
        _put_events([{"Source": "orders", "Detail": {"id": 1}}]),
        boto3_session=session,
        aws_endpoint_url=moto_url,
    )
    assert ex.status == "FAILED"
    assert ex.error == "EventBridge.FailedEntry"
    assert '"FailedEntryCount":1' in ex.cause


def test_parameters_that_are_not_an_object() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Send",
        "States": {
            "Send": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage",
                "Arguments": "{% [1, 2] %}",
                "End": True,
            }
        },
    }
    ex = sfn.run(definition)
    assert ex.status == "FAILED"
    assert ex.error == "SQS.AmazonSQSException"
    assert ex.cause == "The parameters must be a JSON object, not [1,2]"
