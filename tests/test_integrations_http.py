"""The HTTP Task (``arn:aws:states:::http:invoke``) against a local HTTP server started by the
test, with EventBridge connections (API key, basic, OAuth client credentials) from moto."""

from __future__ import annotations

import base64
import json
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

import sfn_notebook as sfn

REGION = "us-east-1"


class Api:
    """A local HTTP API: records each request; answers by path."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                size = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(size).decode() if size else ""
                url = urllib.parse.urlsplit(self.path)
                seen = {
                    "method": self.command,
                    "path": url.path,
                    "query": url.query,
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "body": body,
                }
                outer.requests.append(seen)
                status, payload, kind = outer.answer(seen)
                data = payload.encode()
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("X-Request-Count", str(len(outer.requests)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

            def log_message(self, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, seen: dict[str, Any]) -> tuple[int, str, str]:
        if seen["path"] == "/missing":
            return 404, json.dumps({"message": "no such order"}), "application/json"
        if seen["path"] == "/text":
            return 200, "plain words", "text/plain"
        if seen["path"] == "/oauth/token":
            expected = base64.b64encode(b"client-1:s3cret").decode()
            if seen["headers"].get("authorization") != f"Basic {expected}":
                return 401, "{}", "application/json"
            form = urllib.parse.parse_qs(seen["body"])
            assert form["grant_type"] == ["client_credentials"]
            return (
                200,
                json.dumps({"access_token": "tok-42", "token_type": "bearer"}),
                "application/json",
            )
        return 200, json.dumps({"ok": True, "path": seen["path"]}), "application/json"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def api() -> Iterator[Api]:
    server = Api()
    yield server
    server.close()


def http_task(parameters: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:states:::http:invoke",
                "Parameters": parameters,
                "End": True,
                **extra,
            }
        },
    }


def test_get_with_query_and_headers_returns_aws_response_shape(api: Api) -> None:
    definition = http_task(
        {
            "ApiEndpoint.$": "States.Format('{}/orders/{}', $.base, $.id)",
            "Method": "GET",
            "Headers": {"X-Trace": "abc"},
            "QueryParameters": {"expand": "lines", "page": "2"},
        }
    )
    ex = sfn.run(definition, {"base": api.url, "id": "o-1"})
    assert ex.status == "SUCCEEDED", ex.cause
    seen = api.requests[0]
    assert (seen["method"], seen["path"]) == ("GET", "/orders/o-1")
    assert urllib.parse.parse_qs(seen["query"]) == {"expand": ["lines"], "page": ["2"]}
    assert seen["headers"]["x-trace"] == "abc"
    assert seen["headers"]["user-agent"] == "Amazon|StepFunctions|HttpInvoke|us-east-1"
    assert ex.output["StatusCode"] == "200" and ex.output["StatusText"] == "OK"
    assert ex.output["ResponseBody"] == {"ok": True, "path": "/orders/o-1"}
    assert ex.output["Headers"]["X-Request-Count"] == ["1"]
    scheduled = next(e for e in ex.history if e["type"] == "TaskScheduled")
    assert scheduled["taskScheduledEventDetails"]["resourceType"] == "http"
    assert scheduled["taskScheduledEventDetails"]["resource"] == "invoke"

    ex = sfn.run(http_task({"ApiEndpoint": f"{api.url}/text", "Method": "GET"}))
    assert ex.output["ResponseBody"] == "plain words"  # not JSON: the text as it came


def test_json_body(api: Api) -> None:
    params = {"ApiEndpoint": f"{api.url}/orders", "Method": "POST", "RequestBody": {"n.$": "$.n"}}
    ex = sfn.run(http_task(params), {"n": 3})
    assert ex.status == "SUCCEEDED", ex.cause
    seen = api.requests[0]
    assert json.loads(seen["body"]) == {"n": 3}
    assert seen["headers"]["content-type"].startswith("application/json")


@pytest.mark.parametrize(
    ("array_format", "expected"),
    [
        (None, "tags[0]=a&tags[1]=b&user[name]=Ann&user[admin]=true&n=1"),
        ("INDICES", "tags[0]=a&tags[1]=b&user[name]=Ann&user[admin]=true&n=1"),
        ("BRACKETS", "tags[]=a&tags[]=b&user[name]=Ann&user[admin]=true&n=1"),
        ("REPEAT", "tags=a&tags=b&user[name]=Ann&user[admin]=true&n=1"),
        ("COMMA", "tags=a,b&user[name]=Ann&user[admin]=true&n=1"),
    ],
)
def test_url_encoded_bodies(api: Api, array_format: str | None, expected: str) -> None:
    transform: dict[str, Any] = {"RequestBodyEncoding": "URL_ENCODED"}
    if array_format:
        transform["RequestEncodingOptions"] = {"ArrayFormat": array_format}
    params = {
        "ApiEndpoint": f"{api.url}/form",
        "Method": "POST",
        "RequestBody": {"tags": ["a", "b"], "user": {"name": "Ann", "admin": True}, "n": 1},
        "Transform": transform,
    }
    ex = sfn.run(http_task(params))
    assert ex.status == "SUCCEEDED", ex.cause
    seen = api.requests[0]
    assert urllib.parse.unquote(seen["body"]) == expected
    assert seen["headers"]["content-type"] == "application/x-www-form-urlencoded"


def test_http_failures_have_aws_error_names(api: Api) -> None:
    definition = http_task(
        {"ApiEndpoint": f"{api.url}/missing", "Method": "GET"},
        Catch=[{"ErrorEquals": ["States.Http.StatusCode.404"], "Next": "Gone"}],
    )
    definition["States"]["Call"].pop("End")
    definition["States"]["Call"]["Next"] = "Gone"
    definition["States"]["Gone"] = {"Type": "Pass", "End": True}
    ex = sfn.run(definition)
    assert ex.status == "SUCCEEDED", ex.cause
    assert ex.output["Error"] == "States.Http.StatusCode.404"
    cause = json.loads(ex.output["Cause"])
    assert cause["StatusCode"] == "404" and cause["ResponseBody"] == {"message": "no such order"}

    api.close()  # nothing listens any more
    ex = sfn.run(http_task({"ApiEndpoint": f"{api.url}/x", "Method": "GET"}))
    assert (ex.status, ex.error) == ("FAILED", "States.Http.Socket")

    ex = sfn.run(http_task({"ApiEndpoint": f"{api.url}/x", "Method": "FETCH"}))
    assert (ex.status, ex.error) == ("FAILED", "States.Runtime")
    assert "Method" in ex.cause


# ------------------------------------------------------------------------------------------------
# Authentication through EventBridge connections (moto)


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


def _connection(session: Any, url: str, name: str, kind: str, params: dict[str, Any]) -> str:
    events = session.client("events", endpoint_url=url)
    return str(
        events.create_connection(Name=name, AuthorizationType=kind, AuthParameters=params)[
            "ConnectionArn"
        ]
    )


def _call(api: Api, arn: str, session: Any, moto_url: str, **params: Any) -> Any:
    definition = http_task(
        {
            "ApiEndpoint": f"{api.url}/orders",
            "Method": "POST",
            "Authentication": {"ConnectionArn": arn},
            "RequestBody": {"n": 1},
            **params,
        }
    )
    return sfn.run(definition, boto3_session=session, aws_endpoint_url=moto_url)


def test_api_key_connection_and_invocation_parameters(
    api: Api, session: Any, moto_url: str
) -> None:
    arn = _connection(
        session,
        moto_url,
        "orders-key",
        "API_KEY",
        {
            "ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "k-123"},
            "InvocationHttpParameters": {
                "HeaderParameters": [{"Key": "X-Tenant", "Value": "acme", "IsValueSecret": False}],
                "QueryStringParameters": [{"Key": "region", "Value": "eu", "IsValueSecret": False}],
                "BodyParameters": [{"Key": "source", "Value": "sfn", "IsValueSecret": False}],
            },
        },
    )
    ex = _call(api, arn, session, moto_url, Headers={"X-Tenant": "mine"})
    assert ex.status == "SUCCEEDED", ex.cause
    seen = api.requests[0]
    assert seen["headers"]["x-api-key"] == "k-123"
    assert seen["headers"]["x-tenant"] == "acme"  # the connection's value wins
    assert urllib.parse.parse_qs(seen["query"]) == {"region": ["eu"]}
    assert json.loads(seen["body"]) == {"n": 1, "source": "sfn"}
    assert "k-123" not in json.dumps(ex.history, default=str)  # no secret in the history


def test_basic_connection(api: Api, session: Any, moto_url: str) -> None:
    arn = _connection(
        session,
        moto_url,
        "orders-basic",
        "BASIC",
        {"BasicAuthParameters": {"Username": "ann", "Password": "pw"}},
    )
    ex = _call(api, arn, session, moto_url)
    assert ex.status == "SUCCEEDED", ex.cause
    token = base64.b64encode(b"ann:pw").decode()
    assert api.requests[0]["headers"]["authorization"] == f"Basic {token}"


def test_oauth_client_credentials_connection(api: Api, session: Any, moto_url: str) -> None:
    def oauth(secret: str) -> dict[str, Any]:
        return {
            "OAuthParameters": {
                "ClientParameters": {"ClientID": "client-1", "ClientSecret": secret},
                "AuthorizationEndpoint": f"{api.url}/oauth/token",
                "HttpMethod": "POST",
            }
        }

    arn = _connection(
        session, moto_url, "orders-oauth", "OAUTH_CLIENT_CREDENTIALS", oauth("s3cret")
    )
    ex = _call(api, arn, session, moto_url)
    assert ex.status == "SUCCEEDED", ex.cause
    token_request, call = api.requests
    assert token_request["path"] == "/oauth/token"
    assert call["headers"]["authorization"] == "Bearer tok-42"

    arn = _connection(session, moto_url, "orders-bad", "OAUTH_CLIENT_CREDENTIALS", oauth("wrong"))
    ex = _call(api, arn, session, moto_url)
    assert (ex.status, ex.error) == ("FAILED", "Events.ConnectionAuthorizationFailed")


def test_api_gateway_invoke(api: Api, session: Any) -> None:
    params = {
        "ApiEndpoint": api.url,  # a local stand-in for <id>.execute-api.<region>.amazonaws.com
        "Method": "POST",
        "Stage": "prod",
        "Path": "orders/o-1",
        "Headers": {"X-Trace": ["abc"]},
        "QueryParameters": {"expand": ["lines", "tax"]},
        "RequestBody": {"n": 1},
        "AuthType": "IAM_ROLE",
    }
    ex = sfn.run(
        {
            "StartAt": "Call",
            "States": {
                "Call": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::apigateway:invoke",
                    "Parameters": params,
                    "End": True,
                }
            },
        },
        boto3_session=session,
    )
    assert ex.status == "SUCCEEDED", ex.cause
    seen = api.requests[0]
    assert (seen["method"], seen["path"]) == ("POST", "/prod/orders/o-1")
    assert urllib.parse.parse_qs(seen["query"]) == {"expand": ["lines", "tax"]}
    assert seen["headers"]["x-trace"] == "abc" and json.loads(seen["body"]) == {"n": 1}
    authorization = seen["headers"]["authorization"]
    assert authorization.startswith("AWS4-HMAC-SHA256 Credential=testing/")
    assert "/us-east-1/execute-api/aws4_request" in authorization
    assert ex.output["StatusCode"] == 200 and ex.output["ResponseBody"]["ok"] is True

    params = {"ApiEndpoint": api.url, "Method": "GET", "Path": "missing"}
    definition = {
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:states:::apigateway:invoke",
                "Parameters": params,
                "End": True,
            }
        },
    }
    ex = sfn.run(definition)
    assert (ex.status, ex.error) == ("FAILED", "ApiGateway.404")
    assert json.loads(ex.cause)["ResponseBody"] == {"message": "no such order"}
