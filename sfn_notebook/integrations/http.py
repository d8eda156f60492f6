"""The HTTP Task (``arn:aws:states:::http:invoke``): real HTTP through urllib3, as AWS sends it.

Parameters are AWS's: ``ApiEndpoint``, ``Method``, ``Headers``, ``QueryParameters``,
``RequestBody``, ``Transform`` (``RequestBodyEncoding: URL_ENCODED`` with
``RequestEncodingOptions.ArrayFormat`` INDICES (the default), BRACKETS, REPEAT or COMMA) and
``Authentication.ConnectionArn``: an EventBridge connection read with DescribeConnection and its
Secrets Manager secret (API key, basic, OAuth client credentials) from AWS, LocalStack or moto,
whose ``InvocationHttpParameters`` are merged into the request (the connection's values win).
Locally ``Authentication`` may be left out to call an endpoint without credentials.

The result is ``{"Headers", "ResponseBody", "StatusCode", "StatusText"}`` (a JSON body parsed);
a response outside 2xx fails the Task with ``States.Http.StatusCode.<code>`` and the response as
the cause; a connection failure or the 60-second limit with ``States.Http.Socket``.

>>> encode_form({"a": [1, 2], "b": {"c": True}}, "BRACKETS")
'a%5B%5D=1&a%5B%5D=2&b%5Bc%5D=true'
"""

from __future__ import annotations

import asyncio
import base64
import json
import urllib.parse
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from sfn_notebook.engine.history import dumps
from sfn_notebook.engine.resources import ResourceRegistry, TaskCall, TaskFailure
from sfn_notebook.integrations import http_trace
from sfn_notebook.integrations.aws import ErrorNaming, remaining
from sfn_notebook.integrations.services import V1_NAMING, Services, _ServiceResource

HTTP_TIMEOUT = 60.0  # AWS ends an HTTP Task's request after 60 seconds (States.Http.Socket)
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD")
ARRAY_FORMATS = ("INDICES", "BRACKETS", "REPEAT", "COMMA")


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"))


def _pairs(key: str, value: Any, array_format: str) -> list[tuple[str, str]]:
    if isinstance(value, Mapping):
        out: list[tuple[str, str]] = []
        for name, item in value.items():
            out += _pairs(f"{key}[{name}]", item, array_format)
        return out
    if isinstance(value, list):
        if array_format == "COMMA":
            return [(key, ",".join(_scalar(item) for item in value))]
        out = []
        for index, item in enumerate(value):
            name = {
                "INDICES": f"{key}[{index}]",
                "BRACKETS": f"{key}[]",
                "REPEAT": key,
            }[array_format]
            out += _pairs(name, item, array_format)
        return out
    return [(key, _scalar(value))]


def encode_form(body: Mapping[str, Any], array_format: str = "INDICES") -> str:
    """A JSON object as ``application/x-www-form-urlencoded`` text, arrays in ``array_format``.

    >>> encode_form({"array": ["a", "b"]}), encode_form({"array": ["a", "b"]}, "COMMA")
    ('array%5B0%5D=a&array%5B1%5D=b', 'array=a%2Cb')
    """
    pairs: list[tuple[str, str]] = []
    for key, value in body.items():
        pairs += _pairs(str(key), value, array_format)
    return urllib.parse.urlencode(pairs)


class HttpInvoke(_ServiceResource):
    """``http:invoke``; the connection's credentials are looked up at every call."""

    naming = ErrorNaming("States.Http", "Socket", "Http")

    def __init__(self, services: Services, registry: ResourceRegistry) -> None:
        super().__init__(services, registry)
        self.resource_type, self.resource_name = "http", "invoke"

    async def work(self, call: TaskCall) -> Any:
        loop = asyncio.get_running_loop()
        end = None if call.timeout is None else loop.time() + call.timeout
        params = call.payload if isinstance(call.payload, dict) else {}
        url = params.get("ApiEndpoint")
        method = str(params.get("Method") or "").upper()
        if not isinstance(url, str) or not url:
            raise TaskFailure("States.Runtime", "The HTTP Task needs an ApiEndpoint (a URL)")
        if method not in METHODS:
            raise TaskFailure(
                "States.Runtime",
                f"The HTTP Task's Method must be one of {', '.join(METHODS)}, not {method!r}",
            )
        headers = {str(k): _scalar(v) for k, v in (params.get("Headers") or {}).items()}
        query = {str(k): v for k, v in (params.get("QueryParameters") or {}).items()}
        body = params.get("RequestBody")
        auth = params.get("Authentication")
        connection = auth.get("ConnectionArn") if isinstance(auth, Mapping) else None
        secret: frozenset[str] = frozenset()
        if connection:
            before = dict(headers)
            extra = await self._authenticate(str(connection), headers, query, call, end)
            # What the connection put in the headers stays out of TestState's TRACE data.
            secret = frozenset(k for k, v in headers.items() if before.get(k) != v)
            if extra and isinstance(body, Mapping | type(None)):
                body = {**(body or {}), **extra}  # the connection's BodyParameters
        data = self._body(body, params.get("Transform"), headers)
        headers.setdefault("User-Agent", f"Amazon|StepFunctions|HttpInvoke|{call.region}")
        if query:
            pairs = [
                (key, _scalar(item))
                for key, value in query.items()
                for item in (value if isinstance(value, list) else [value])
            ]
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(pairs)
        response = await self._send(method, url, headers, data, remaining(call, end), secret)
        if not 200 <= int(response["StatusCode"]) < 300:
            raise TaskFailure(f"States.Http.StatusCode.{response['StatusCode']}", dumps(response))
        return response

    @staticmethod
    def _body(body: Any, transform: Any, headers: dict[str, str]) -> bytes | None:
        if body is None:
            return None
        lower = {key.lower() for key in headers}
        encoding = transform.get("RequestBodyEncoding") if isinstance(transform, Mapping) else None
        if encoding == "URL_ENCODED":
            options = transform.get("RequestEncodingOptions") or {}
            array_format = str(options.get("ArrayFormat") or "INDICES").upper()
            if array_format not in ARRAY_FORMATS or not isinstance(body, Mapping):
                raise TaskFailure(
                    "States.Runtime",
                    "URL_ENCODED needs a JSON object RequestBody and an ArrayFormat of "
                    f"{', '.join(ARRAY_FORMATS)}",
                )
            if "content-type" not in lower:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            return encode_form(body, array_format).encode("utf-8")
        if isinstance(body, str):
            return body.encode("utf-8")
        if "content-type" not in lower:
            headers["Content-Type"] = "application/json; charset=UTF-8"
        return json.dumps(body, separators=(",", ":")).encode("utf-8")

    async def _send(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        data: bytes | None,
        call: TaskCall,
        secret: frozenset[str] = frozenset(),
    ) -> dict[str, Any]:
        import urllib3

        def request() -> Any:
            return _pool().request(
                method,
                url,
                body=data,
                headers=headers,
                redirect=False,
                retries=False,
                timeout=urllib3.Timeout(total=HTTP_TIMEOUT),
            )

        loop = asyncio.get_running_loop()
        try:
            # Real I/O: virtual time must not leap past it.
            with call.clock.external():
                answer = await loop.run_in_executor(self.registry.executor, request)
        except urllib3.exceptions.HTTPError as exc:
            raise TaskFailure("States.Http.Socket", f"{type(exc).__name__}: {exc}") from None
        http_trace.record(
            method,
            url,
            headers,
            data,
            answer.status,
            answer.reason or "",
            answer.headers,
            answer.data,
            secret,
        )
        return _response(answer)

    async def _authenticate(
        self,
        arn: str,
        headers: dict[str, str],
        query: dict[str, Any],
        call: TaskCall,
        end: float | None,
    ) -> dict[str, Any]:
        """Add an EventBridge connection's credentials and InvocationHttpParameters to the
        request's headers and query; returns its body parameters."""
        events = V1_NAMING["events"]
        described = await self.call_api(
            "events",
            "DescribeConnection",
            {"Name": arn.rsplit("/", 2)[-2]},
            remaining(call, end),
            events,
        )
        secret: dict[str, Any] = {}
        if described.get("SecretArn"):
            found = await self.call_api(
                "secretsmanager",
                "GetSecretValue",
                {"SecretId": described["SecretArn"]},
                remaining(call, end),
                ErrorNaming(
                    "SecretsManager", "AWSSecretsManagerException", "AWSSecretsManager", True
                ),
            )
            try:
                secret = json.loads(found.get("SecretString") or "{}")
            except ValueError:
                secret = {}
        given = described.get("AuthParameters") or {}
        kind = described.get("AuthorizationType")
        flat = _flatten(secret)
        if kind == "API_KEY":
            key = given.get("ApiKeyAuthParameters") or {}
            name = key.get("ApiKeyName") or flat.get("apikeyname")
            value = flat.get("apikeyvalue") or key.get("ApiKeyValue")
            if name:
                headers[str(name)] = str(value or "")
        elif kind == "BASIC":
            basic = given.get("BasicAuthParameters") or {}
            user = flat.get("username") or basic.get("Username") or ""
            password = flat.get("password") or basic.get("Password") or ""
            token = base64.b64encode(f"{user}:{password}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        elif kind == "OAUTH_CLIENT_CREDENTIALS":
            token = await self._oauth(given, flat, remaining(call, end))
            headers["Authorization"] = f"Bearer {token}"
        http_params = given.get("InvocationHttpParameters") or {}
        for item in http_params.get("HeaderParameters") or []:
            headers[str(item.get("Key"))] = str(item.get("Value", ""))
        for item in http_params.get("QueryStringParameters") or []:
            query[str(item.get("Key"))] = str(item.get("Value", ""))
        return {
            str(item.get("Key")): item.get("Value", "")
            for item in http_params.get("BodyParameters") or []
        }

    async def _oauth(self, given: Mapping[str, Any], flat: dict[str, Any], call: TaskCall) -> str:
        """OAuth client credentials: ask the authorization endpoint for an access token."""
        oauth = given.get("OAuthParameters") or {}
        client = oauth.get("ClientParameters") or {}
        client_id = flat.get("clientid") or client.get("ClientID") or ""
        client_secret = flat.get("clientsecret") or client.get("ClientSecret") or ""
        endpoint = oauth.get("AuthorizationEndpoint") or flat.get("authorizationendpoint")
        method = str(oauth.get("HttpMethod") or flat.get("httpmethod") or "POST").upper()
        form: dict[str, Any] = {"grant_type": "client_credentials"}
        headers = {
            "Authorization": "Basic "
            + base64.b64encode(f"{client_id}:{client_secret}".encode()).decode(),
            "Content-Type": "application/x-www-form-urlencoded",
        }
        extra = oauth.get("OAuthHttpParameters") or {}
        for item in extra.get("BodyParameters") or []:
            form[str(item.get("Key"))] = item.get("Value", "")
        for item in extra.get("HeaderParameters") or []:
            headers[str(item.get("Key"))] = str(item.get("Value", ""))
        if not endpoint:
            raise TaskFailure("States.Runtime", "The OAuth connection has no AuthorizationEndpoint")
        answer = await self._send(
            method, str(endpoint), headers, encode_form(form).encode("utf-8"), call
        )
        token = (
            answer["ResponseBody"].get("access_token")
            if isinstance(answer["ResponseBody"], Mapping)
            else None
        )
        if not 200 <= int(answer["StatusCode"]) < 300 or not token:
            raise TaskFailure(
                "Events.ConnectionAuthorizationFailed",
                f"The OAuth authorization endpoint answered {answer['StatusCode']}: "
                f"{dumps(answer['ResponseBody'])}",
            )
        return str(token)


def _flatten(value: Any, out: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every string in a connection secret under its key, lower case without ``_``: moto and
    AWS spell the same field differently (``client_i_d``, ``client_id``)."""
    out = {} if out is None else out
    if isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(item, Mapping | list):
                _flatten(item, out)
            else:
                out.setdefault(str(key).replace("_", "").lower(), item)
    elif isinstance(value, list):
        for item in value:
            _flatten(item, out)
    return out


_POOL: Any = None


def _pool() -> Any:
    global _POOL
    if _POOL is None:
        import urllib3

        _POOL = urllib3.PoolManager(num_pools=16, maxsize=8)
    return _POOL


def _response(answer: Any) -> dict[str, Any]:
    """The Task's result: headers as lists of values, a JSON body parsed, the status as text."""
    headers: dict[str, list[str]] = {}
    for name, value in answer.headers.items():
        headers.setdefault(name, []).append(value)
    text = answer.data.decode("utf-8", "replace")
    body: Any = text
    content_type = (answer.headers.get("Content-Type") or "").lower()
    if "json" in content_type and text:
        try:
            body = json.loads(text)
        except ValueError:
            body = text
    try:
        status_text = HTTPStatus(answer.status).phrase
    except ValueError:
        status_text = answer.reason or ""
    return {
        "Headers": headers,
        "ResponseBody": body,
        "StatusCode": str(answer.status),
        "StatusText": status_text,
    }


class ApiGatewayInvoke(HttpInvoke):
    """``apigateway:invoke``: a call to an API Gateway stage, as Step Functions builds it.

    ``ApiEndpoint`` is the API's host (``<id>.execute-api.<region>.amazonaws.com``, called over
    HTTPS; a full ``http(s)://`` URL is used as it is, for a local stand-in), then ``Stage`` and
    ``Path``; ``Headers`` and ``QueryParameters`` map names to lists of values; ``AuthType``
    ``IAM_ROLE`` (and ``RESOURCE_POLICY``) signs the request with Signature Version 4 for
    ``execute-api`` using the Runtime's boto3 credentials. A status outside 2xx fails the Task
    with ``ApiGateway.<status>``, a failure without a response with ``ApiGateway.Socket``.
    """

    def __init__(self, services: Services, registry: ResourceRegistry) -> None:
        super().__init__(services, registry)
        self.resource_type, self.resource_name = "apigateway", "invoke"

    async def work(self, call: TaskCall) -> Any:
        params = call.payload if isinstance(call.payload, dict) else {}
        host = str(params.get("ApiEndpoint") or "")
        method = str(params.get("Method") or "").upper()
        if not host or method not in METHODS:
            raise TaskFailure(
                "States.Runtime",
                f"apigateway:invoke needs an ApiEndpoint and a Method ({', '.join(METHODS)})",
            )
        base = host if host.startswith(("http://", "https://")) else f"https://{host}"
        parts = [str(params[key]).strip("/") for key in ("Stage", "Path") if params.get(key)]
        url = "/".join([base.rstrip("/"), *parts])
        query = params.get("QueryParameters") or {}
        if query:
            pairs = [
                (str(key), _scalar(item))
                for key, values in query.items()
                for item in (values if isinstance(values, list) else [values])
            ]
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(pairs)
        headers = {
            str(key): ",".join(_scalar(v) for v in (value if isinstance(value, list) else [value]))
            for key, value in (params.get("Headers") or {}).items()
        }
        data = self._body(params.get("RequestBody"), None, headers)
        secret: frozenset[str] = frozenset()
        if params.get("AuthType") in ("IAM_ROLE", "RESOURCE_POLICY"):
            # Signing may first assume the Task's Credentials role (an STS call): off the loop.
            headers = await asyncio.get_running_loop().run_in_executor(
                self.registry.executor, self._signed, method, url, headers, data, call
            )
            secret = frozenset({"Authorization", "X-Amz-Security-Token"})
        try:
            response = await self._send(method, url, headers, data, call, secret)
        except TaskFailure as failure:
            raise TaskFailure("ApiGateway.Socket", failure.cause) from None
        status = int(response["StatusCode"])
        response["StatusCode"] = status  # a number here, unlike the HTTP Task's
        if not 200 <= status < 300:
            raise TaskFailure(f"ApiGateway.{status}", dumps(response))
        return response

    def _signed(
        self, method: str, url: str, headers: dict[str, str], data: bytes | None, call: TaskCall
    ) -> dict[str, str]:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest

        credentials = self.services.aws.for_call(call).credentials()
        if credentials is None:
            raise TaskFailure(
                "ApiGateway.SdkClientException", "Unable to load credentials to sign the request"
            )
        request = AWSRequest(method=method, url=url, data=data or b"", headers=headers)
        SigV4Auth(credentials, "execute-api", call.region).add_auth(request)
        return dict(request.headers.items())
