"""Reaching AWS through boto3, and speaking about it as Step Functions does.

:class:`AwsConnection` makes (and caches) boto3 clients from a Session and/or an endpoint URL, so
the same workflow reaches AWS, LocalStack or moto. :func:`sdk_call` runs one API call in the
worker pool while the clock knows that work outside the loop is pending. The rest translates:

* Step Functions' names into boto3's (``aws-sdk:sfn:startExecution`` is boto3's
  ``stepfunctions.start_execution``), PascalCase parameters into the API's member names (the SFN
  API itself is camelCase), JSON values into strings where a member is a string (AWS serialises
  them), and responses back into PascalCase JSON;
* SDK exceptions into AWS's error names and causes: ``<Service>.<Exception>`` as the AWS SDK for
  Java names them (v2 for ``aws-sdk:*``, v1 for the optimized integrations), and
  ``<Service>.SdkClientException`` for failures before a response (no endpoint, no credentials).

Credentials live in the boto3 session only; nothing here writes them anywhere.

>>> sdk_service_name("DynamoDB"), sdk_service_name("Secrets Manager"), sdk_service_name("SFN")
('DynamoDb', 'SecretsManager', 'Sfn')
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import html
import json
import re
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

from sfn_notebook.engine.resources import TaskCall, TaskFailure

# Step Functions' service names that are not boto3's (after dropping boto3's hyphens).
_SFN_TO_BOTO = {
    "sfn": "stepfunctions",
    "states": "stepfunctions",
    "eventbridge": "events",
    "cloudwatchlogs": "logs",
    "elasticloadbalancingv2": "elbv2",
    "elasticloadbalancing": "elb",
    "cognitoidentityprovider": "cognito-idp",
    "cognitoidentity": "cognito-identity",
}


@dataclass(frozen=True)
class ErrorNaming:
    """How one family of integrations names SDK errors.

    ``prefix`` starts every error name; ``generic`` names errors the service does not model;
    ``label`` is the service as the cause quotes it; ``v1`` selects the AWS SDK for Java v1 cause
    format (optimized integrations) over v2's (``aws-sdk:*``).
    """

    prefix: str
    generic: str
    label: str
    v1: bool = False


def sdk_naming(service_id: str) -> ErrorNaming:
    """The AWS SDK v2 naming of a service (``aws-sdk:*`` integrations).

    >>> sdk_naming("S3").generic
    'S3Exception'
    """
    name = sdk_service_name(service_id)
    return ErrorNaming(name, f"{name}Exception", name)


def sdk_service_name(service_id: str) -> str:
    """A service id as the AWS SDK for Java v2 names its client (``DynamoDB`` -> ``DynamoDb``)."""
    words = re.sub(r"[^A-Za-z0-9]+", " ", service_id)
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", words)
    words = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", words)
    return "".join(word[:1].upper() + word[1:].lower() for word in words.split())


class AwsConnection:
    """boto3 clients for the integrations: from ``session`` (default: boto3's default chain),
    with ``endpoint_url`` (one URL, or ``{service: url}``) when AWS itself is not the target.

    ``explicit`` says the user asked for AWS: only then does a Lambda function that is not a
    registered Python function go to the real Lambda API. Clients use the session's region, or
    else the execution's.

    >>> AwsConnection(endpoint_url="http://127.0.0.1:5000").endpoint("dynamodb")
    'http://127.0.0.1:5000'
    """

    def __init__(
        self,
        session: Any = None,
        endpoint_url: str | Mapping[str, str] | None = None,
        config: Any = None,
        *,
        explicit: bool | None = None,
    ) -> None:
        self._session = session
        self._endpoint = endpoint_url
        self._config = config
        self.explicit = (
            (session is not None or endpoint_url is not None) if explicit is None else explicit
        )
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()
        # Connections with a role's temporary credentials (a Task's ``Credentials``), per role
        # ARN with the moment (epoch seconds) they stop being used.
        self._roles: dict[str, tuple[AwsConnection, float]] = {}

    def endpoint(self, service: str) -> str | None:
        if isinstance(self._endpoint, Mapping):
            return self._endpoint.get(service)
        return self._endpoint

    def credentials(self) -> Any:
        """The session's frozen credentials (None when there are none), to sign a request."""
        with self._lock:
            if self._session is None:
                import boto3

                self._session = boto3.session.Session()
            session = self._session
        found = session.get_credentials()
        return None if found is None else found.get_frozen_credentials()

    def for_call(self, call: TaskCall) -> AwsConnection:
        """The connection a Task's calls use: this one, or its ``Credentials`` role's."""
        role = (call.credentials or {}).get("RoleArn")
        return self if not role else self.assumed(str(role), call.region)

    def assumed(self, role_arn: str, region: str) -> AwsConnection:
        """A connection with ``role_arn``'s temporary credentials (STS AssumeRole through this
        connection's session and endpoint), kept until shortly before they expire.

        Blocking: call it from the worker pool.
        """
        with self._lock:
            found = self._roles.get(role_arn)
        if found is not None and found[1] > time.time():
            return found[0]
        import boto3

        # AWS does not document the session name Step Functions uses; ours says who assumed it.
        response = self.client("sts", region).assume_role(
            RoleArn=role_arn, RoleSessionName=ROLE_SESSION_NAME
        )
        given = response["Credentials"]
        session = boto3.session.Session(
            aws_access_key_id=given["AccessKeyId"],
            aws_secret_access_key=given["SecretAccessKey"],
            aws_session_token=given.get("SessionToken"),
            region_name=getattr(self._session, "region_name", None) or region,
        )
        connection = AwsConnection(session, self._endpoint, self._config, explicit=self.explicit)
        expiration = given.get("Expiration")
        until = (
            expiration.timestamp() - ROLE_REFRESH_SECONDS
            if isinstance(expiration, datetime)
            else time.time() + ROLE_REFRESH_SECONDS
        )
        with self._lock:
            self._roles[role_arn] = (connection, until)
        return connection

    def client(self, service: str, region: str) -> Any:
        """A cached client (clients are thread-safe; creating them is not, hence the lock)."""
        key = (service, region)
        with self._lock:
            found = self._clients.get(key)
            if found is None:
                import boto3
                from botocore.config import Config

                if self._session is None:
                    self._session = boto3.session.Session()
                config = self._config or Config(
                    retries={"total_max_attempts": 2, "mode": "standard"},
                    connect_timeout=5,
                    read_timeout=70,
                )
                found = self._session.client(
                    service,
                    region_name=self._session.region_name or region,
                    endpoint_url=self.endpoint(service),
                    config=config,
                )
                self._clients[key] = found
            return found


#: The RoleSessionName of the sessions assumed for a Task's ``Credentials``.
ROLE_SESSION_NAME = "sfn-notebook"
#: Assumed credentials are replaced this long before they expire.
ROLE_REFRESH_SECONDS = 300.0


@lru_cache(maxsize=1)
def _botocore_session() -> Any:
    import botocore.session

    return botocore.session.get_session()


@lru_cache(maxsize=1)
def _boto_names() -> dict[str, str]:
    names = {name.replace("-", ""): name for name in _botocore_session().get_available_services()}
    names.update(_SFN_TO_BOTO)
    return names


def boto_service(sfn_service: str) -> str | None:
    """boto3's name for a service as Step Functions' ARNs name it (None when unknown)."""
    return _boto_names().get(sfn_service.lower())


@lru_cache(maxsize=256)
def service_model(boto_name: str) -> Any:
    return _botocore_session().get_service_model(boto_name)


def operation_name(model: Any, action: str) -> str | None:
    """The API operation for a camelCase action (``putItem`` -> ``PutItem``), or None."""
    wanted = action.lower()
    for name in model.operation_names:
        if name.lower() == wanted:
            return str(name)
    return None


# ------------------------------------------------------------------------------------------------
# Values in and out


def to_boto(value: Any, shape: Any) -> Any:
    """Step Functions' parameters as boto3 wants them, following the input shape."""
    if shape is None or value is None:
        return value
    kind = shape.type_name
    if kind == "structure" and isinstance(value, Mapping):
        members = shape.members
        by_pascal = {_pascal(name): name for name in members}
        out = {}
        for key, item in value.items():
            if item is None:
                # The AWS SDK for Java leaves a null member unset: it is not sent at all, and a
                # required one is then the service's validation error (recorded on AWS:
                # DynamoDB putItem with "Item": null, SQS sendMessage with "MessageBody": null).
                continue
            # The AWS SDK for Java renames a member "Equals" to "EqualsValue".
            wanted = "Equals" if key == "EqualsValue" else key
            name = wanted if wanted in members else by_pascal.get(wanted, key)
            out[name] = to_boto(item, members.get(name))
        return out
    if kind == "list" and isinstance(value, list):
        return [to_boto(item, shape.member) for item in value]
    if kind == "map" and isinstance(value, Mapping):
        return {key: to_boto(item, shape.value) for key, item in value.items()}
    if kind == "string" and not isinstance(value, str):
        return json.dumps(value, separators=(",", ":"))  # AWS serialises JSON given for a string
    if kind == "blob":
        if isinstance(value, str):
            return value.encode("utf-8")
        if not isinstance(value, bytes | bytearray):
            return json.dumps(value, separators=(",", ":")).encode("utf-8")
    return value


def from_boto(value: Any, shape: Any) -> Any:
    """A boto3 response as Step Functions returns it: PascalCase members, JSON values only."""
    if isinstance(value, Mapping):
        if shape is not None and shape.type_name == "structure":
            members = shape.members
            return {
                _pascal(key): from_boto(item, members.get(key))
                for key, item in value.items()
                if key != "ResponseMetadata"
            }
        inner = shape.value if shape is not None and shape.type_name == "map" else None
        return {
            key: from_boto(item, inner) for key, item in value.items() if key != "ResponseMetadata"
        }
    if isinstance(value, list):
        inner = shape.member if shape is not None and shape.type_name == "list" else None
        return [from_boto(item, inner) for item in value]
    if isinstance(value, datetime):
        return iso_millis(value)
    if isinstance(value, bytes | bytearray):
        if shape is not None and shape.serialization.get("streaming"):
            # A streaming body (S3 GetObject's Body) comes back as its text, as AWS gives it.
            return bytes(value).decode("utf-8", "replace")
        return base64.b64encode(bytes(value)).decode("ascii")
    return plain(value)


def plain(value: Any) -> Any:
    """Decimals and other JSON-adjacent values as JSON numbers / strings."""
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, datetime):
        return iso_millis(value)
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if value is None or isinstance(value, bool | int | float | str):
        return value
    number = str(value)  # decimal.Decimal
    return int(number) if number.lstrip("-").isdigit() else float(number)


def iso_millis(moment: datetime) -> str:
    moment = moment.astimezone(timezone.utc) if moment.tzinfo else moment
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def epoch_millis(moment: datetime) -> int:
    """Timestamps as the optimized integrations (AWS SDK for Java v1) serialise them."""
    return int(moment.timestamp() * 1000)


def _pascal(name: str) -> str:
    return name[:1].upper() + name[1:]


_HEADER_NAMES = {
    "x-amzn-requestid": "x-amzn-RequestId",
    "x-amz-crc32": "x-amz-crc32",
    "x-amz-id-2": "x-amz-id-2",
    "x-amzn-trace-id": "X-Amzn-Trace-Id",
    "x-amz-executed-version": "X-Amz-Executed-Version",
    "x-amzn-remapped-content-length": "x-amzn-Remapped-Content-Length",
}


def sdk_metadata(response: Mapping[str, Any]) -> dict[str, Any]:
    """``SdkHttpMetadata`` and ``SdkResponseMetadata``, which optimized integrations add."""
    meta = response.get("ResponseMetadata") or {}
    headers = {}
    for name, value in (meta.get("HTTPHeaders") or {}).items():
        canonical = _HEADER_NAMES.get(name.lower()) or "-".join(
            p.capitalize() for p in name.split("-")
        )
        headers[canonical] = str(value)
    return {
        "SdkHttpMetadata": {
            "AllHttpHeaders": {name: [value] for name, value in headers.items()},
            "HttpHeaders": dict(sorted(headers.items(), key=lambda kv: kv[0].lower())),
            "HttpStatusCode": meta.get("HTTPStatusCode", 200),
        },
        "SdkResponseMetadata": {"RequestId": meta.get("RequestId", "")},
    }


# ------------------------------------------------------------------------------------------------
# Calls and their failures


async def sdk_call(
    connection: AwsConnection,
    service: str,
    method: str,
    params: Mapping[str, Any],
    call: TaskCall,
    naming: ErrorNaming,
    executor: Any = None,
) -> dict[str, Any]:
    """Run ``client.<method>(**params)`` in the worker pool; failures become TaskFailure."""
    loop = asyncio.get_running_loop()

    def run() -> dict[str, Any]:
        client = connection.for_call(call).client(service, call.region)
        response = dict(getattr(client, method)(**params))
        for key, value in response.items():
            if hasattr(value, "read"):  # a streaming body: read it here, off the event loop
                response[key] = value.read()
        return response

    try:
        with call.clock.external():
            return await loop.run_in_executor(executor, run)
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # every SDK failure is the Task's failure, named as AWS names it
        raise sdk_failure(exc, naming, service_model(service)) from None


def remaining(call: TaskCall, end: float | None) -> TaskCall:
    """``call`` with the time left until ``end`` (loop time) as its timeout: a Task that makes
    several calls keeps one deadline, the Task's, for all of them."""
    if end is None:
        return dataclasses.replace(call, timeout=None)
    left = end - asyncio.get_running_loop().time()
    return dataclasses.replace(call, timeout=max(left, 0.0))


def sdk_failure(exc: BaseException, naming: ErrorNaming, model: Any = None) -> TaskFailure:
    """The Task failure AWS reports for an exception from the SDK."""
    from botocore import exceptions as bex

    prefix = naming.prefix
    if isinstance(exc, bex.ClientError):
        error = exc.response.get("Error") or {}
        meta = exc.response.get("ResponseMetadata") or {}
        code = str(error.get("Code") or "")
        message = str(error.get("Message") or code)
        if message.lstrip().startswith("<"):
            # An XML error body the JSON parser could not read (moto answers some this way).
            found_code = re.search(r"<Code>(.*?)</Code>", message, re.S)
            found_message = re.search(r"<Message>(.*?)</Message>", message, re.S)
            code = html.unescape(found_code.group(1)) if found_code else code
            message = html.unescape(found_message.group(1)) if found_message else message
        modeled = _modeled_exception(model, code)
        name = f"{prefix}.{modeled}" if modeled else f"{prefix}.{naming.generic}"
        status = meta.get("HTTPStatusCode", 400)
        request_id = meta.get("RequestId", "")
        if naming.v1:
            cause = (
                f"{message} (Service: {naming.label}; Status Code: {status}; Error Code: {code}; "
                f"Request ID: {request_id}; Proxy: null)"
            )
        else:
            extended = f", Extended Request ID: {meta['HostId']}" if meta.get("HostId") else ""
            cause = (
                f"{message} (Service: {naming.label}, Status Code: {status}, "
                f"Request ID: {request_id}{extended})"
            )
        return TaskFailure(name, cause)
    if isinstance(exc, bex.ParamValidationError):
        # AWS validates on the server and answers with the service's generic exception.
        return TaskFailure(f"{prefix}.{naming.generic}", _validation_cause(exc, naming, model))
    if isinstance(exc, bex.NoCredentialsError | bex.PartialCredentialsError):
        return TaskFailure(f"{prefix}.SdkClientException", f"Unable to load credentials: {exc}")
    if isinstance(exc, bex.EndpointConnectionError | bex.ConnectionError | bex.HTTPClientError):
        return TaskFailure(f"{prefix}.SdkClientException", f"Unable to execute HTTP request: {exc}")
    if isinstance(exc, bex.BotoCoreError):
        return TaskFailure(f"{prefix}.SdkClientException", str(exc))
    return TaskFailure(f"{prefix}.SdkClientException", f"{type(exc).__name__}: {exc}")


def _validation_cause(exc: Exception, naming: ErrorNaming, model: Any) -> str:
    """The cause AWS reports for parameters its service refused before doing anything.

    A required member left out (or null, which the SDK does not send) is the service's own
    validation error; other mistakes keep botocore's report, the closest we can tell.
    """
    report = str(exc).splitlines()[1:]
    missing = [m.group(1) for line in report if (m := _MISSING.match(line))]
    if not missing or len(missing) < len(report):  # something else is wrong too
        return str(exc)
    if model is not None and model.metadata.get("awsQueryCompatible") is not None:
        # Services that began on the query protocol (SQS) keep its wording and code.
        message, code = f"The request must contain the parameter {missing[0]}.", "MissingParameter"
    else:
        # The wording every JSON-protocol service validates with (recorded for DynamoDB).
        count = len(missing)
        problems = "; ".join(
            f"Value null at '{_camel(name)}' failed to satisfy constraint: Member must not be null"
            for name in missing
        )
        message = f"{count} validation error{'s' if count > 1 else ''} detected: {problems}"
        # Query-protocol services (SNS) answer the same text under the code ValidationError.
        query = model is not None and model.metadata.get("protocol") == "query"
        code = "ValidationError" if query else "ValidationException"
    request_id = str(uuid.uuid4())
    if naming.v1:
        return (
            f"{message} (Service: {naming.label}; Status Code: 400; Error Code: {code}; "
            f"Request ID: {request_id}; Proxy: null)"
        )
    return f"{message} (Service: {naming.label}, Status Code: 400, Request ID: {request_id})"


_MISSING = re.compile(r'Missing required parameter in input: "([^"]+)"$')


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def _modeled_exception(model: Any, code: str) -> str | None:
    """The exception class the SDK has for an error code, with the "Exception" suffix."""
    if model is None or not code:
        return None
    short = code.rsplit(".", 1)[-1]
    for shape in model.error_shapes:
        names = {
            shape.name,
            shape.metadata.get("error", {}).get("code"),
            getattr(shape, "error_code", None),
        }
        if code in names or short in names:
            name = str(shape.name)
            return name if name.endswith("Exception") else f"{name}Exception"
    return None


def json_text(value: Any) -> str:
    """A JSON value as the string member AWS makes of it (strings stay as they are)."""
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
