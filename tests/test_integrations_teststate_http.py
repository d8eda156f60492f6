"""TestState on the newer integrations: TRACE shows an HTTP Task's request and response (the
connection's secrets masked unless ``revealSecrets``), mocks answer Bedrock, and a Task's
``Credentials`` role is assumed through STS (moto's server) for the tested call too."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from sfn_notebook.runtime.runtime import Runtime

REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/test"


@pytest.fixture(scope="module")
def api_url() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            size = int(self.headers.get("Content-Length") or 0)
            echoed = json.dumps({"got": json.loads(self.rfile.read(size) or b"null")}).encode()
            self.send_response(201)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(echoed)))
            self.end_headers()
            self.wfile.write(echoed)

        def log_message(self, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


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
def rt(session: Any, moto_url: str) -> Iterator[Runtime]:
    runtime = Runtime(clock="virtual", boto3_session=session, aws_endpoint_url=moto_url)
    yield runtime
    runtime.close()


def _connection(session: Any, moto_url: str) -> str:
    events = session.client("events", endpoint_url=moto_url)
    created = events.create_connection(
        Name="orders-trace",
        AuthorizationType="API_KEY",
        AuthParameters={"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "k-9"}},
    )
    return str(created["ConnectionArn"])


def test_trace_shows_the_http_request_and_response(
    rt: Runtime, api_url: str, session: Any, moto_url: str
) -> None:
    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::http:invoke",
        "Parameters": {
            "ApiEndpoint": f"{api_url}/orders",
            "Method": "POST",
            "Headers": {"X-Tenant": "acme"},
            "Authentication": {"ConnectionArn": _connection(session, moto_url)},
            "RequestBody": {"n.$": "$.n"},
        },
        "End": True,
    }
    traced = rt.test_state(
        definition=state, roleArn=ROLE, input='{"n": 3}', inspectionLevel="TRACE"
    )
    assert traced["status"] == "SUCCEEDED", traced
    data = traced["inspectionData"]
    request, response = data["request"], data["response"]
    assert (request["method"], request["url"]) == ("POST", f"{api_url}/orders")
    assert request["protocol"] == "HTTP"
    assert json.loads(request["body"]) == {"n": 3}
    headers = json.loads(request["headers"])
    assert headers["X-Tenant"] == "acme"
    assert headers["x-api-key"] == "*****"  # the connection's secret stays hidden
    assert "k-9" not in json.dumps(traced)
    assert (response["statusCode"], response["statusMessage"]) == ("201", "Created")
    assert json.loads(response["body"]) == {"got": {"n": 3}}
    assert "application/json" in response["headers"]

    revealed = rt.test_state(
        definition=state,
        roleArn=ROLE,
        input='{"n": 3}',
        inspectionLevel="TRACE",
        revealSecrets=True,
    )
    assert json.loads(revealed["inspectionData"]["request"]["headers"])["x-api-key"] == "k-9"

    debug = rt.test_state(definition=state, roleArn=ROLE, input='{"n": 3}', inspectionLevel="DEBUG")
    assert "request" not in debug["inspectionData"]
    assert "response" not in debug["inspectionData"]


def test_mocked_bedrock_task(rt: Runtime) -> None:
    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::bedrock:invokeModel",
        "Parameters": {"ModelId": "m", "Input": {"S3Uri": "s3://b/prompt.json"}},
        "ResultSelector": {"text.$": "$.Body.completion"},
        "End": True,
    }
    mock = {"result": json.dumps({"Body": {"completion": "hi"}, "ContentType": "x"})}
    response = rt.test_state(definition=state, mock=mock, inspectionLevel="DEBUG")
    assert response["status"] == "SUCCEEDED", response
    assert json.loads(response["output"]) == {"text": "hi"}
    assert json.loads(response["inspectionData"]["afterParameters"])["Input"] == {
        "S3Uri": "s3://b/prompt.json"
    }


def test_credentials_role_is_assumed_in_test_state(
    rt: Runtime, session: Any, moto_url: str
) -> None:
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "*"}],
    }
    iam = session.client("iam", endpoint_url=moto_url)
    role = iam.create_role(RoleName="Tested", AssumeRolePolicyDocument=json.dumps(trust))
    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::aws-sdk:sts:getCallerIdentity",
        "Parameters": {},
        "Credentials": {"RoleArn": role["Role"]["Arn"]},
        "End": True,
    }
    response = rt.test_state(definition=state, roleArn=ROLE)
    assert response["status"] == "SUCCEEDED", response
    assert json.loads(response["output"])["Arn"].endswith("assumed-role/Tested/sfn-notebook")
