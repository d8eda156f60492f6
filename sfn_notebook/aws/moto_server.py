"""moto's server on 127.0.0.1, set up to stand in for AWS Step Functions in notebooks and tests.

:class:`MotoServer` starts ``moto.server.ThreadedMotoServer`` in this process and turns on what
a Step Functions stand-in needs:

* executions that really run (moto's ASL interpreter, ``stepfunctions.execute_state_machine``,
  set through the server's ``/moto-api/config`` route);
* JSONata states, by plugging ``jsonatapy`` into moto's stubbed JSONata bridge;
* GetExecutionHistory paged as AWS pages it (``maxResults``, ``reverseOrder``, ``nextToken``);
  moto returns the whole history whatever is asked, so incremental reading could not be
  measured against it otherwise;
* Lambda functions whose zip holds Python run in a subprocess of this Python (moto runs them
  only in Docker), so packaged task functions work end to end.

The last three patch moto's classes in this process (and set ``MOTO_PORT``, which moto's
interpreter uses to call Lambda); they are what the options switch off, and ``stop()`` undoes
them. moto keeps its state per process, so two servers in one process share their resources.
moto is a development dependency (``pip install 'sfn-notebook[dev]'``).

>>> with MotoServer() as server:                       # doctest: +SKIP
...     aws = server.connect()
...     aws.list_state_machines()["stateMachines"]
[]
"""

from __future__ import annotations

import base64
import io
import json
import logging
import os
import subprocess
import sys
import tempfile
import urllib.request
import zipfile
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sfn_notebook.errors import SfnNotebookError

if TYPE_CHECKING:
    from sfn_notebook.aws.connection import AwsRuntime

ACCOUNT = "123456789012"  # moto's default account
#: Step Functions operations moto 5 answers with a 500 (NotImplementedError).
MOTO_LACKS = frozenset(
    {"PublishStateMachineVersion", "ListStateMachineVersions", "ValidateStateMachineDefinition"}
)
_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": ["states.amazonaws.com", "lambda.amazonaws.com"]},
            "Action": "sts:AssumeRole",
        }
    ],
}


class MotoServer:
    """moto's server in a background thread on 127.0.0.1 (``port=0``: a free port)."""

    def __init__(
        self,
        *,
        port: int = 0,
        region: str = "us-east-1",
        execute: bool = True,
        jsonata: bool = True,
        aws_pagination: bool = True,
        python_lambdas: bool = True,
    ) -> None:
        self.port = port
        self.region = region
        self.options = {
            "execute": execute,
            "jsonata": jsonata,
            "aws_pagination": aws_pagination,
            "python_lambdas": python_lambdas,
        }
        self._server: Any = None
        self._undo: list[Callable[[], None]] = []

    def start(self) -> MotoServer:
        try:
            from moto.server import ThreadedMotoServer
        except ImportError as exc:
            raise SfnNotebookError(
                f"moto's server is not installed ({exc}). Fix: pip install 'moto[server]' "
                "(or 'sfn-notebook[dev]')"
            ) from None
        from moto.core.config import default_user_config

        # The server logs every request to stderr, and moto's interpreter logs every failed
        # state at ERROR; in a notebook those lines land in whatever cell runs next. Failures
        # are in the execution's history anyway.
        self._undo.append(_quiet("werkzeug", logging.ERROR))
        self._undo.append(_quiet("moto.stepfunctions.parser", logging.CRITICAL))
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self._server.start()
        self.port = int(self._server.get_host_and_port()[1])
        previous_port = os.environ.get("MOTO_PORT")
        os.environ["MOTO_PORT"] = str(self.port)  # where moto's interpreter sends Lambda calls
        self._undo.append(lambda: _set_env("MOTO_PORT", previous_port))
        if self.options["execute"]:
            previous = default_user_config["stepfunctions"]  # moto always sets it
            self._post("/moto-api/config", {"stepfunctions": {"execute_state_machine": True}})
            self._undo.append(lambda: default_user_config.update({"stepfunctions": previous}))
        if self.options["jsonata"]:
            self._undo.append(patch_jsonata())
        self._undo.append(patch_history_pagination(self.options["aws_pagination"]))
        if self.options["python_lambdas"]:
            self._undo.append(patch_python_lambdas())
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _post(self, path: str, body: Any) -> Any:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read().decode()
        return json.loads(text) if text.strip().startswith(("{", "[")) else text

    def connect(self, **options: Any) -> AwsRuntime:
        """An :class:`~sfn_notebook.aws.connection.AwsRuntime` for this server (any key works)."""
        from sfn_notebook.aws.connection import AwsRuntime

        options.setdefault("credentials", ("testing", "testing"))
        options.setdefault("region", self.region)
        aws = AwsRuntime(endpoint_url=self.url, **options)
        aws.unsupported |= MOTO_LACKS
        return aws

    def role(self, name: str = "sfn-notebook") -> str:
        """The ARN of an IAM role Step Functions and Lambda may assume (created if missing)."""
        aws = self.connect()
        iam = aws.client_for("iam")
        try:
            return str(iam.get_role(RoleName=name)["Role"]["Arn"])
        except iam.exceptions.NoSuchEntityException:
            created = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(_TRUST))
            return str(created["Role"]["Arn"])

    def reset(self) -> None:
        """Forget every resource (state machines, executions, functions, roles)."""
        self._post("/moto-api/reset", b"")
        if self.options["execute"]:
            self._post("/moto-api/config", {"stepfunctions": {"execute_state_machine": True}})

    def stop(self) -> None:
        """Stop the server and leave moto (patches, config, MOTO_PORT) as it was found."""
        if self._server is not None:
            self._server.stop()
            self._server = None
        while self._undo:
            self._undo.pop()()

    def __enter__(self) -> MotoServer:
        return self.start() if self._server is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<MotoServer {self.url if self._server is not None else 'stopped'}>"


# Patches of moto (this process only); each returns what undoes it ----------------------------


def _quiet(logger: str, level: int) -> Callable[[], None]:
    found = logging.getLogger(logger)
    previous = found.level
    found.setLevel(max(level, previous))
    return lambda: found.setLevel(previous)


def _set_env(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


def patch_jsonata() -> Callable[[], None]:
    """Evaluate moto's JSONata expressions with jsonatapy (moto stubs its Java bridge)."""
    import jsonatapy
    import moto.stepfunctions.parser.asl.jsonata.jsonata as bridge

    def evaluate(expression: str) -> Any:
        # moto passes fully bound expressions; the timeout keeps a runaway recursion finite.
        return jsonatapy.compile(expression).evaluate(None, timeout=10_000)

    previous = bridge._eval_jsonata
    bridge._eval_jsonata = evaluate
    return lambda: setattr(bridge, "_eval_jsonata", previous)


def patch_history_pagination(enabled: bool = True) -> Callable[[], None]:
    """Make moto's GetExecutionHistory honour maxResults, reverseOrder and nextToken as AWS does:
    a page of at most ``maxResults`` (default 100) and a token only when more events exist.
    ``enabled=False`` puts moto's own (everything, always) back."""
    from moto.core.responses import ActionResult
    from moto.stepfunctions.exceptions import InvalidToken
    from moto.stepfunctions.responses import StepFunctionResponse

    installed = StepFunctionResponse.get_execution_history
    original = getattr(installed, "_sfn_notebook_original", None)

    def undo() -> None:
        StepFunctionResponse.get_execution_history = installed  # type: ignore[method-assign]

    if not enabled:
        if original is not None:
            StepFunctionResponse.get_execution_history = original  # type: ignore[method-assign]
        return undo
    if original is not None:
        return undo

    def get_execution_history(self: Any) -> Any:
        arn = self._get_param("executionArn")
        events = list(self.stepfunction_backend.get_execution_history(arn)["events"])
        reverse = bool(self._get_param("reverseOrder"))
        size = int(self._get_param("maxResults") or 100)
        token = self._get_param("nextToken")
        events.sort(key=lambda e: int(e["id"]), reverse=reverse)
        if token:
            try:
                mark = json.loads(base64.b64decode(token))
                after, direction = int(mark["after"]), bool(mark["reverse"])
            except (ValueError, KeyError, TypeError):
                raise InvalidToken() from None
            if direction != reverse:
                raise InvalidToken("reverseOrder changed")
            events = [e for e in events if (e["id"] < after if reverse else e["id"] > after)]
        if self._get_param("includeExecutionData") is False:
            events = [_without_data(e) for e in events]
        page: dict[str, Any] = {"events": events[:size]}
        if len(events) > size:
            mark = {"after": int(events[size - 1]["id"]), "reverse": reverse}
            page["nextToken"] = base64.b64encode(json.dumps(mark).encode()).decode()
        return ActionResult(page)

    get_execution_history._sfn_notebook_original = installed  # type: ignore[attr-defined]
    StepFunctionResponse.get_execution_history = get_execution_history  # type: ignore[method-assign]
    return undo


def _without_data(event: dict[str, Any]) -> dict[str, Any]:
    data = ("input", "output", "inputDetails", "outputDetails", "parameters")
    return {
        k: {kk: vv for kk, vv in v.items() if kk not in data} if k.endswith("Details") else v
        for k, v in event.items()
    }


_RUNNER = """
import importlib, json, sys, traceback, uuid
handler, out, name, timeout = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
class Context:
    function_name = name
    function_version = "$LATEST"
    aws_request_id = str(uuid.uuid4())
    memory_limit_in_mb = 128
    def get_remaining_time_in_millis(self):
        return timeout * 1000
event = json.load(sys.stdin)
try:
    module, _, attr = handler.rpartition(".")
    result = {"ok": getattr(importlib.import_module(module), attr)(event, Context())}
except Exception as exc:
    frames = traceback.extract_tb(exc.__traceback__)[1:]
    result = {"error": {"errorMessage": str(exc), "errorType": type(exc).__name__,
                        "stackTrace": traceback.format_list(frames)}}
with open(out, "w") as f:
    json.dump(result, f)
"""


def patch_python_lambdas() -> Callable[[], None]:
    """Run Python Lambda functions from their zip in a subprocess instead of Docker."""
    from moto.awslambda.models import LambdaFunction

    installed = LambdaFunction._invoke_lambda

    def undo() -> None:
        LambdaFunction._invoke_lambda = installed  # type: ignore[method-assign]

    if getattr(installed, "_sfn_notebook", False):
        return undo

    def invoke(self: Any, event: Any = None) -> tuple[str, bool, str]:
        payload = event if isinstance(event, str) else json.dumps({} if event is None else event)
        timeout = int(self.timeout or 3)
        with tempfile.TemporaryDirectory(prefix="sfn-lambda-") as folder:
            with zipfile.ZipFile(io.BytesIO(self.code_bytes)) as archive:
                archive.extractall(folder)
            out = os.path.join(folder, ".result.json")
            env = {
                **os.environ,
                "PYTHONPATH": folder,
                "AWS_LAMBDA_FUNCTION_NAME": self.function_name,
                "AWS_REGION": self.region,
                "AWS_ENDPOINT_URL": f"http://127.0.0.1:{os.environ.get('MOTO_PORT', '5000')}",
                **(self.environment_vars or {}),
            }
            try:
                done = subprocess.run(
                    [
                        sys.executable,
                        "-c",
                        _RUNNER,
                        self.handler,
                        out,
                        self.function_name,
                        str(timeout),
                    ],
                    input=payload,
                    capture_output=True,
                    text=True,
                    cwd=folder,
                    env=env,
                    timeout=timeout,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                error = {
                    "errorMessage": f"Task timed out after {timeout:.2f} seconds",
                    "errorType": "Sandbox.Timedout",
                }
                return json.dumps(error), True, ""
            logs = done.stdout + done.stderr
            if not os.path.exists(out):
                error = {"errorMessage": logs.strip()[-2000:], "errorType": "Runtime.ExitError"}
                return json.dumps(error), True, logs
            with open(out) as f:
                result = json.load(f)
        if "error" in result:
            return json.dumps(result["error"]), True, logs
        return json.dumps(result["ok"]), False, logs

    invoke._sfn_notebook = True  # type: ignore[attr-defined]
    LambdaFunction._invoke_lambda = invoke  # type: ignore[method-assign]
    return undo
