"""Task resources: what a Task state's ``Resource`` ARN resolves to, and the events it gives.

A :class:`ResourceRegistry` maps a Resource ARN to a :class:`TaskResource`. Two families exist on
AWS and here: a Lambda function ARN as the Resource (``LambdaFunction*`` events) and service
integrations ``arn:aws:states:::<service>:<action>[.sync|.waitForTaskToken]`` (``Task*`` events).
Resolvers register with :meth:`ResourceRegistry.resolver`; later layers (callbacks, activities,
boto3 services, mocks) plug in the same way.

Python functions serve Lambda: ``functions={"name" or ARN: callable(event, context)}``. A function
that raises fails the Task as Lambda reports it: the error is the exception's class name, the
cause Lambda's JSON (errorMessage, errorType, requestId, stackTrace).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import inspect
import json
import os
import re
import secrets
import traceback
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sfn_notebook.engine.tasklog import TaskLog, capture, decode_tail, tail_base64
from sfn_notebook.engine.workers import shared_pool
from sfn_notebook.errors import StatesError

LAMBDA_ARN = re.compile(
    r"^arn:(?P<partition>[\w-]+):lambda:(?P<region>[\w-]+):(?P<account>\d{12}):function:"
    r"(?P<name>[A-Za-z0-9_-]+)(?::(?P<qualifier>[\w$-]+))?$"
)
SERVICE_ARN = re.compile(
    r"^arn:(?P<partition>[\w-]+):states:[\w-]*:\d*:(?P<service>[\w-]+):(?P<action>.+)$"
)
PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

TaskFunction = Callable[..., Any]


class TaskFailure(StatesError):
    """A task's own failure (a function raised, a service answered an error): no prefix added.

    ``log`` is the function's execution log when it was invoked with ``LogType: Tail``: AWS's
    history has no place for it (the cause is Lambda's error payload), so the engine keeps it
    beside the history (``History.task_logs``).
    """

    log: str | None = None
    #: The error and cause are what a worker sent (SendTaskFailure), each possibly left out.
    sent: bool = False


class HeartbeatTimeout(Exception):
    """Raised by a resource whose worker missed its heartbeat (HeartbeatSeconds).

    AWS records it as a timeout (``States.Timeout``); Retry and Catch also match it by
    ``States.HeartbeatTimeout``.
    """


TASK_TOKEN = re.compile(r"^AQ[A-Za-z0-9_-]{86,}$")


def new_task_token() -> str:
    """An unguessable task token (``$$.Task.Token``), shaped like AWS's long opaque strings.

    >>> TASK_TOKEN.match(new_task_token()) is not None
    True
    """
    return "AQ" + secrets.token_urlsafe(96)


@dataclass
class TaskCall:
    """One invocation of a task resource."""

    state_name: str
    resource: str
    payload: Any  # the effective parameters / arguments
    timeout: float | None
    heartbeat: float | None
    context: Mapping[str, Any]  # the context object ($$)
    region: str
    account: str
    clock: Any
    token: str | None = None
    # Writes ``<prefix><suffix>`` (TaskSubmitted, ActivityStarted ...) to the history; call it on
    # the event loop's thread only.
    emit: Callable[[str, dict[str, Any] | None], None] | None = None
    # Set by a resource whose task token an execution on this loop is expected to answer (a
    # local child of startExecution.waitForTaskToken): waiting for it is then not external work.
    answerer: asyncio.Future[Any] | None = None
    # The Task's evaluated ``Credentials`` ({"RoleArn": ...}): the role its AWS calls assume.
    credentials: Mapping[str, Any] | None = None


class TaskResource:
    """A resolved Task resource.

    ``style`` is "lambda" (LambdaFunction* events), "task" (Task*) or "activity" (Activity*).
    ``needs_token`` puts a fresh ``$$.Task.Token`` in the context object of every attempt;
    ``reusable`` False resolves the resource again on every attempt (it may have gone away).
    """

    style = "task"
    resource_type = ""
    resource_name = ""
    needs_token = False
    reusable = True

    async def invoke(self, call: TaskCall) -> Any:
        raise NotImplementedError


Resolver = Callable[[str, "ResourceRegistry"], TaskResource | None]


@dataclass
class ResourceRegistry:
    """Resolves Resource ARNs. ``functions`` are the Python functions standing in for Lambda."""

    functions: dict[str, TaskFunction] = field(default_factory=dict)
    resolvers: list[Resolver] = field(default_factory=list)
    executor: concurrent.futures.Executor | None = None
    # Where S3 buckets live (a Distributed Map's ItemReader and ResultWriter read and write
    # through it): an ``engine.items.BucketStore``, set by the integrations layer.
    buckets: Any = None

    def __post_init__(self) -> None:
        if not self.resolvers:
            self.resolvers = list(DEFAULT_RESOLVERS)
        if self.executor is None:
            self.executor = shared_pool()

    def resolver(self, fn: Resolver) -> Resolver:
        """Register a resolver, tried before the built-in ones (usable as a decorator)."""
        self.resolvers.insert(0, fn)
        return fn

    def resolve(self, resource: str) -> TaskResource:
        for resolve in self.resolvers:
            found = resolve(resource, self)
            if found is not None:
                return found
        raise StatesError("States.Runtime", unrecognized(resource))

    def function(self, name_or_arn: str) -> TaskFunction | None:
        """The Python function registered under a name, an ARN, or the ARN's function name."""
        found = self.functions.get(name_or_arn)
        if found is not None:
            return found
        match = LAMBDA_ARN.match(name_or_arn)
        if match:
            return self.functions.get(match.group("name"))
        if ":" in name_or_arn:  # partial ARN "123456789012:function:name" or "name:alias"
            parts = name_or_arn.split(":")
            name = parts[2] if len(parts) >= 3 and parts[1] == "function" else parts[0]
            return self.functions.get(name)
        return None


def unrecognized(resource: str) -> str:
    """AWS's words for a Resource nothing serves, and what to do about it here.

    >>> unrecognized("arn:aws:states:::eks:runJob.sync").split(". ")[1]
    'The integration eks:runJob.sync is not run locally'
    """
    message = f"The resource provided {resource} is not recognized."
    match = SERVICE_ARN.match(resource)
    if match is None:
        return (
            f"{message} A Task's Resource is a Lambda function ARN (register a Python function "
            "under its name: functions= or @rt.function), an activity ARN, or "
            "arn:aws:states:::<service>:<action>."
        )
    service, action = match.group("service"), match.group("action")
    if service == "aws-sdk":
        return (
            f"{message} The AWS SDK has no API action {action!r} (aws-sdk:<service>:<apiAction>, "
            "with the service and action named as in the AWS SDK, e.g. aws-sdk:s3:getObject); "
            "a .sync pattern does not exist for aws-sdk integrations."
        )
    return (
        f"{message} The integration {service}:{action} is not run locally. Give the state a mock "
        "(a MockConfigFile test case, mocks=), call the same API as "
        f"arn:aws:states:::aws-sdk:{service}:{action.partition('.')[0]} against an endpoint "
        "that serves it (Runtime(aws_endpoint_url=...), %sfn runtime --aws-endpoint-url), or "
        "put a Python function behind lambda:invoke."
    )


# ------------------------------------------------------------------------------------------------
# Python functions as Lambda


LAMBDA_MAX_MILLIS = 900_000  # Lambda's longest timeout, 15 minutes


class LambdaContext:
    """The ``context`` argument a Python task function receives, shaped like Lambda's."""

    def __init__(self, function_name: str, arn: str, call: TaskCall) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = arn
        self.memory_limit_in_mb = 128
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"
        self._clock = call.clock
        self._deadline = (
            None if call.timeout is None else call.clock.now().timestamp() + call.timeout
        )

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds until TimeoutSeconds ends the Task (at most Lambda's 15 minutes)."""
        if self._deadline is None:
            return LAMBDA_MAX_MILLIS
        left = int((self._deadline - self._clock.now().timestamp()) * 1000)
        return min(max(left, 0), LAMBDA_MAX_MILLIS)

    def __repr__(self) -> str:
        return (
            f"LambdaContext(function_name={self.function_name!r}, "
            f"aws_request_id={self.aws_request_id!r})"
        )


def _invoker_frame(frame: traceback.FrameSummary) -> bool:
    """Frames of the machinery that calls a handler, which Lambda leaves out of stack traces.

    Lambda's runtime drops its bootstrap's frames and reports from the handler down. Here the
    bootstrap is this package, the standard library's thread pool and event loop, and the
    ``__call__`` of a callable object registered as the function (an adapter around a handler).
    """
    return (
        frame.filename.startswith(PACKAGE_DIR)
        or frame.filename.startswith(_STDLIB_DIR)
        or frame.name == "__call__"
    )


_STDLIB_DIR = os.path.dirname(os.__file__)


def lambda_error(exc: BaseException, request_id: str) -> tuple[str, dict[str, Any]]:
    """Lambda's error report for an exception raised by a handler."""
    frames = traceback.extract_tb(exc.__traceback__)
    while frames and _invoker_frame(frames[0]):
        frames.pop(0)
    name = type(exc).__name__
    report = {
        "errorMessage": str(exc),
        "errorType": name,
        "requestId": request_id,
        "stackTrace": traceback.format_list(frames),
    }
    return name, report


def exit_error(exc: SystemExit | KeyboardInterrupt, request_id: str) -> dict[str, Any]:
    """Lambda's report when a handler ends its runtime process (``sys.exit``, Ctrl-C's
    KeyboardInterrupt): the Lambda service, not the Python runtime, writes it, without a trace.

    >>> exit_error(SystemExit(3), "r-1")["errorMessage"]
    'RequestId: r-1 Error: Runtime exited with error: exit status 3'
    """
    if isinstance(exc, KeyboardInterrupt):
        # Python re-raises an uncaught KeyboardInterrupt as SIGINT on itself since 3.8.
        reason = "Runtime exited with error: signal: interrupt"
    else:
        code = exc.code
        # A message instead of a number exits with status 1; numbers keep their low byte.
        status = 0 if code is None else code & 0xFF if isinstance(code, int) else 1
        reason = (
            f"Runtime exited with error: exit status {status}"
            if status
            else "Runtime exited without providing a reason"
        )
    return {
        "errorType": "Runtime.ExitError",
        "errorMessage": f"RequestId: {request_id} Error: {reason}",
    }


async def call_function(
    fn: TaskFunction,
    event: Any,
    context: LambdaContext,
    call: TaskCall,
    registry: ResourceRegistry,
    log: TaskLog | None = None,
) -> Any:
    """Run a Python function (sync in the worker pool, async on the loop); errors as Lambda's.

    With a ``log`` (``LogType: Tail``) what the function prints and logs is copied to it.
    """
    loop = asyncio.get_running_loop()
    logged = contextlib.nullcontext() if log is None else capture(log)
    try:
        if inspect.iscoroutinefunction(fn):
            # On the loop: its ``asyncio.sleep`` is a timer like a Wait's, while its sockets and
            # threads are external work the virtual clock sees for itself.
            with logged:
                return await fn(event, context)
        with call.clock.external():
            if log is None:
                result = await loop.run_in_executor(registry.executor, _invoke, fn, event, context)
            else:
                result = await loop.run_in_executor(
                    registry.executor, _invoke_logged, fn, event, context, log
                )
        if inspect.isawaitable(result):
            with logged:
                return await result
        return result
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # a task function's failure is data, as Lambda reports it
        error, report = lambda_error(exc, context.aws_request_id)
        raise LambdaFailure(error, report) from None
    except (SystemExit, KeyboardInterrupt) as exc:
        # On Lambda these end the function's process, not Step Functions: here they must not
        # end the loop that runs every execution either.
        raise LambdaFailure("Runtime.ExitError", exit_error(exc, context.aws_request_id)) from None


def _invoke(fn: TaskFunction, event: Any, context: LambdaContext) -> Any:
    return fn(event, context)


def _invoke_logged(fn: TaskFunction, event: Any, context: LambdaContext, log: TaskLog) -> Any:
    # In the worker thread: the capture's context variable is this thread's.
    with capture(log):
        return fn(event, context)


class LambdaFailure(TaskFailure):
    """A function's failure; ``report`` is Lambda's error JSON, rendered per integration."""

    def __init__(self, error: str, report: dict[str, Any]) -> None:
        super().__init__(error, json.dumps(report))
        self.report = report


def payload_bytes(result: Any) -> bytes:
    """What Lambda's Python runtime sends back: bytes as they are, anything else as JSON.

    A result JSON cannot hold fails as Lambda's runtime fails it (``Runtime.MarshalError``), and
    so does a string UTF-8 cannot encode (an unpaired surrogate such as ``'\\udcff'``, which
    ``os.listdir`` returns for a file name that is not UTF-8): the runtime sends UTF-8.
    """
    if isinstance(result, bytes | bytearray):
        return bytes(result)
    try:
        text = json.dumps(result, allow_nan=False)
        if "\\ud" in text:  # beyond the BMP, or an unpaired surrogate: the latter fails here
            json.dumps(result, ensure_ascii=False).encode("utf-8")
        return text.encode("utf-8")
    except (TypeError, ValueError, RecursionError) as exc:
        report = {
            "errorMessage": f"Unable to marshal response: {exc}",
            "errorType": "Runtime.MarshalError",
            "requestId": str(uuid.uuid4()),
            "stackTrace": [],
        }
        raise LambdaFailure("Runtime.MarshalError", report) from None


def parse_payload(raw: bytes) -> Any:
    text = raw.decode("utf-8", "replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


class LambdaFunctionResource(TaskResource):
    """Resource = a Lambda function ARN: the function's return value is the result."""

    style = "lambda"

    def __init__(self, arn: str, fn: TaskFunction, name: str, registry: ResourceRegistry) -> None:
        self.arn = arn
        self.fn = fn
        self.name = name
        self.registry = registry

    async def invoke(self, call: TaskCall) -> Any:
        # Look the function up again: a notebook may have registered a new one under the name
        # since this resource was resolved (re-running the cell that defines it).
        fn = self.registry.function(self.arn) or self.fn
        context = LambdaContext(self.name, self.arn, call)
        try:
            result = await call_function(fn, call.payload, context, call, self.registry)
            raw = payload_bytes(result)
        except LambdaFailure as failure:
            # AWS renders the error JSON with spaces for function-ARN resources.
            raise TaskFailure(failure.error, json.dumps(failure.report)) from None
        return parse_payload(raw)


class LambdaInvokeResource(TaskResource):
    """``arn:aws:states:::lambda:invoke``: the result is Lambda's Invoke response."""

    resource_type = "lambda"

    def __init__(self, resource_name: str, registry: ResourceRegistry) -> None:
        self.resource_name = resource_name
        self.registry = registry

    async def invoke(self, call: TaskCall) -> Any:
        params = call.payload if isinstance(call.payload, dict) else {}
        name = params.get("FunctionName")
        fn = self.registry.function(name) if isinstance(name, str) else None
        if fn is None or not isinstance(name, str):
            raise TaskFailure("Lambda.ResourceNotFoundException", _not_found(name, call))
        match = LAMBDA_ARN.match(name)
        short = match.group("name") if match else name
        arn = (
            name
            if name.startswith("arn:")
            else (f"arn:aws:lambda:{call.region}:{call.account}:function:{short}")
        )
        context = LambdaContext(short, arn, call)
        # LogType Tail: Lambda returns the end of the invocation's log (nothing captured else).
        tail = params.get("LogType") == "Tail"
        log = TaskLog(context.aws_request_id, call.clock.now) if tail else None
        event = params.get("Payload")
        if event is None:
            # No (or a null) Payload invokes with an empty request body: Lambda's runtime hands
            # the function {} (AWS's TestState recordings show Content-Length 2 for an echo).
            event = {}
        elif isinstance(event, str):
            # A string Payload is the request body itself, JSON text Lambda parses.
            event = parse_payload(event.encode("utf-8"))
        try:
            result = await call_function(fn, event, context, call, self.registry, log)
            raw = payload_bytes(result)
        except LambdaFailure as failure:
            failed = TaskFailure(failure.error, json.dumps(failure.report, separators=(",", ":")))
            if log is not None:
                log.error(failure.report)
                # What the analysis and the views read: the tail Lambda would return.
                failed.log = decode_tail(tail_base64(log.finish()))
            raise failed from None
        log_result = None if log is None else tail_base64(log.finish())
        return invoke_response(parse_payload(raw), len(raw), context.aws_request_id, log_result)


def invoke_response(
    payload: Any, length: int, request_id: str, log_result: str | None = None
) -> dict[str, Any]:
    """Lambda's Invoke response as Step Functions returns it to the state.

    ``log_result`` (``LogType: Tail``) adds ``LogResult`` and its ``X-Amz-Log-Result`` header.
    """
    response = {
        "ExecutedVersion": "$LATEST",
        "Payload": payload,
        "SdkHttpMetadata": {
            "AllHttpHeaders": {
                "X-Amz-Executed-Version": ["$LATEST"],
                "x-amzn-Remapped-Content-Length": ["0"],
                "Connection": ["keep-alive"],
                "x-amzn-RequestId": [request_id],
                "Content-Length": [str(length)],
                "Date": [_http_date()],
                "X-Amzn-Trace-Id": [f"Root=1-{uuid.uuid4().hex[:8]}-{uuid.uuid4().hex[:24]}"],
                "Content-Type": ["application/json"],
            },
            "HttpHeaders": {
                "Connection": "keep-alive",
                "Content-Length": str(length),
                "Content-Type": "application/json",
                "Date": _http_date(),
                "X-Amz-Executed-Version": "$LATEST",
                "x-amzn-Remapped-Content-Length": "0",
                "x-amzn-RequestId": request_id,
                "X-Amzn-Trace-Id": f"Root=1-{uuid.uuid4().hex[:8]}-{uuid.uuid4().hex[:24]}",
            },
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": request_id},
        "StatusCode": 200,
    }
    if log_result is not None:
        # Step Functions serialises the SDK's InvokeResult with its properties in name order
        # and HttpHeaders case-insensitively sorted.
        response = {"ExecutedVersion": "$LATEST", "LogResult": log_result, **response}
        http = response["SdkHttpMetadata"]
        http["AllHttpHeaders"] = _after(
            http["AllHttpHeaders"], "X-Amz-Executed-Version", "X-Amz-Log-Result", [log_result]
        )
        http["HttpHeaders"] = _after(
            http["HttpHeaders"], "X-Amz-Executed-Version", "X-Amz-Log-Result", log_result
        )
    return response


def _after(headers: dict[str, Any], anchor: str, key: str, value: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, given in headers.items():
        out[name] = given
        if name == anchor:
            out[key] = value
    return out


def _http_date() -> str:
    from email.utils import formatdate

    return formatdate(usegmt=True)


def _resolve_lambda_arn(resource: str, registry: ResourceRegistry) -> TaskResource | None:
    match = LAMBDA_ARN.match(resource)
    if not match:
        return None
    fn = registry.function(resource)
    if fn is None:
        return _MissingFunction(resource)
    return LambdaFunctionResource(resource, fn, match.group("name"), registry)


class _MissingFunction(TaskResource):
    style = "lambda"

    def __init__(self, arn: str) -> None:
        self.arn = arn

    async def invoke(self, call: TaskCall) -> Any:
        raise TaskFailure("Lambda.ResourceNotFoundException", _not_found(self.arn, call))


def _not_found(name: Any, call: TaskCall) -> str:
    """Lambda's 404 as Step Functions quotes it (the SDK's message, request id included)."""
    arn = str(name)
    if not arn.startswith("arn:"):
        arn = f"arn:aws:lambda:{call.region}:{call.account}:function:{arn}"
    if arn.count(":") == 6:
        arn += ":$LATEST"
    return (
        f"Function not found: {arn} (Service: AWSLambda; Status Code: 404; Error Code: "
        f"ResourceNotFoundException; Request ID: {uuid.uuid4()}; Proxy: null)"
    )


def _resolve_lambda_invoke(resource: str, registry: ResourceRegistry) -> TaskResource | None:
    match = SERVICE_ARN.match(resource)
    if not match or match.group("service") != "lambda":
        return None
    action = match.group("action")
    if action.split(".")[0] != "invoke" or action.endswith(".waitForTaskToken"):
        return None
    return LambdaInvokeResource(action, registry)


DEFAULT_RESOLVERS: list[Resolver] = [_resolve_lambda_arn, _resolve_lambda_invoke]

AsyncTask = Callable[[TaskCall], Awaitable[Any]]
