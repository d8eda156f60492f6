"""A Task's ``Credentials``: the role is assumed through STS (moto's server over real HTTP) and
the temporary credentials serve that Task's calls only. moto's GetCallerIdentity answers with
the identity of the access key that signed the request, which shows whose credentials a call used.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

import sfn_notebook as sfn

REGION = "us-east-1"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "*"}
    ],
}


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


@pytest.fixture(scope="module")
def role_arn(moto_url: str, session: Any) -> str:
    iam = session.client("iam", endpoint_url=moto_url)
    created = iam.create_role(RoleName="Target", AssumeRolePolicyDocument=json.dumps(TRUST))
    return str(created["Role"]["Arn"])


def _identity_machine(credentials: dict[str, Any] | None, jsonata: bool = False) -> dict[str, Any]:
    assumed: dict[str, Any] = {
        "Type": "Task",
        "Resource": "arn:aws:states:::aws-sdk:sts:getCallerIdentity",
        "Arguments" if jsonata else "Parameters": {},
        "Next": "Own",
    }
    if credentials is not None:
        assumed["Credentials"] = credentials
    if jsonata:
        assumed["Output"] = "{% $states.result.Arn %}"
    else:
        assumed["ResultSelector"] = {"Arn.$": "$.Arn"}
        assumed["ResultPath"] = "$.assumed"
    own: dict[str, Any] = {
        "Type": "Task",
        "Resource": "arn:aws:states:::aws-sdk:sts:getCallerIdentity",
        "Arguments" if jsonata else "Parameters": {},
        "End": True,
    }
    if jsonata:
        own["Output"] = "{% {'assumed': $states.input, 'own': $states.result.Arn} %}"
    else:
        own["ResultSelector"] = {"Arn.$": "$.Arn"}
        own["ResultPath"] = "$.own"
    machine: dict[str, Any] = {"StartAt": "Assumed", "States": {"Assumed": assumed, "Own": own}}
    if jsonata:
        machine["QueryLanguage"] = "JSONata"
    return machine


def test_role_arn_is_assumed_for_that_task_only(moto_url: str, session: Any, role_arn: str) -> None:
    ex = sfn.run(
        _identity_machine({"RoleArn": role_arn}),
        {},
        boto3_session=session,
        aws_endpoint_url=moto_url,
    )
    assert ex.status == "SUCCEEDED", (ex.error, ex.cause)
    assert ex.output["assumed"]["Arn"] == (
        "arn:aws:sts::123456789012:assumed-role/Target/sfn-notebook"
    )
    # The next Task, without Credentials, calls with the Runtime's own credentials.
    assert "assumed-role" not in ex.output["own"]["Arn"]
    scheduled = [e for e in ex.history if e["type"] == "TaskScheduled"]
    assert scheduled[0]["taskScheduledEventDetails"]["taskCredentials"] == {"roleArn": role_arn}
    assert "taskCredentials" not in scheduled[1]["taskScheduledEventDetails"]


def test_role_arn_path_and_jsonata_forms(moto_url: str, session: Any, role_arn: str) -> None:
    ex = sfn.run(
        _identity_machine({"RoleArn.$": "$.role"}),
        {"role": role_arn},
        boto3_session=session,
        aws_endpoint_url=moto_url,
    )
    assert ex.status == "SUCCEEDED", (ex.error, ex.cause)
    assert ex.output["assumed"]["Arn"].endswith("assumed-role/Target/sfn-notebook")

    ex = sfn.run(
        _identity_machine({"RoleArn": "{% $states.input.role %}"}, jsonata=True),
        {"role": role_arn},
        boto3_session=session,
        aws_endpoint_url=moto_url,
    )
    assert ex.status == "SUCCEEDED", (ex.error, ex.cause)
    assert ex.output["assumed"].endswith("assumed-role/Target/sfn-notebook")
    assert "assumed-role" not in ex.output["own"]


def test_role_arn_that_is_not_a_string_fails_the_execution(moto_url: str, session: Any) -> None:
    ex = sfn.run(
        _identity_machine({"RoleArn.$": "$.role"}),
        {"role": 5},
        boto3_session=session,
        aws_endpoint_url=moto_url,
    )
    assert ex.status == "FAILED"
    assert ex.error == "States.Runtime"
    assert "'Assumed'" in ex.cause and "Credentials.RoleArn" in ex.cause


def test_credentials_without_role_arn_is_a_validation_error() -> None:
    machine = _identity_machine({"Role": "x"})
    codes = [d.message for d in sfn.validate(machine)]
    assert any("RoleArn" in message for message in codes)
