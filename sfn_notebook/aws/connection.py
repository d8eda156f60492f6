"""``AwsRuntime``: the local Runtime's interface, served by AWS Step Functions through boto3.

The same method names, keyword arguments and response dictionaries as the local
:class:`~sfn_notebook.runtime.runtime.Runtime` (both speak boto3's ``stepfunctions`` dialect), so
code moves between the two by swapping the object. On top of the raw calls it returns
:class:`~sfn_notebook.aws.execution.RemoteExecution` objects that look like local
:class:`~sfn_notebook.runtime.execution.Execution` objects to the analysis and widget layers.

It talks to AWS, LocalStack or moto's server alike: configure it with a boto3 ``Session``, a
``profile``, a ``region`` or an ``endpoint_url``. Every call goes through one rate limiter (a
token bucket shared by the executions this object follows) and every failure is an
:class:`~sfn_notebook.aws.errors.AwsError` naming what to fix.

>>> aws = AwsRuntime(region="eu-west-1", endpoint_url="http://127.0.0.1:5000",
...                  credentials=("testing", "testing"))
>>> aws.region, aws.state_machine_arn("orders", account="123456789012")
('eu-west-1', 'arn:aws:states:eu-west-1:123456789012:stateMachine:orders')
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from sfn_notebook.aws.errors import AwsError, check_arn_region, translate
from sfn_notebook.errors import SfnNotebookError

if TYPE_CHECKING:
    import boto3

    from sfn_notebook.aws.deploy import Deployment
    from sfn_notebook.aws.execution import RemoteExecution
    from sfn_notebook.aws.importing import ImportReport

#: Calls per second one AwsRuntime allows itself. AWS refills its per-account buckets for
#: DescribeExecution and GetExecutionHistory at a few calls per second; a notebook should leave
#: most of that to the workloads sharing the account.
CALLS_PER_SECOND = 5.0
BURST = 20  # a deploy (a dozen calls) goes out at once


class RateLimiter:
    """A token bucket: ``acquire()`` blocks until a call may go out.

    >>> limiter = RateLimiter(rate=1000.0, burst=2)
    >>> limiter.acquire(); limiter.acquire(); limiter.waited >= 0
    True
    """

    def __init__(
        self,
        rate: float = CALLS_PER_SECOND,
        burst: int = BURST,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = rate
        self.burst = burst
        self._monotonic = monotonic
        self._tokens = float(burst)
        self._stamp = monotonic()
        self._lock = threading.Lock()
        self._idle = threading.Event()  # never set: its wait() is an interruptible sleep
        self.waited = 0.0  # seconds spent waiting for tokens, for the curious

    def acquire(self) -> None:
        if self.rate <= 0:
            return
        with self._lock:
            now = self._monotonic()
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            self._tokens -= 1
            delay = -self._tokens / self.rate if self._tokens < 0 else 0.0
        if delay > 0:
            self.waited += delay
            self._idle.wait(delay)


class AwsRuntime:
    """AWS Step Functions (or LocalStack, or moto's server) with the local Runtime's interface.

    ``session`` (a ``boto3.Session``), ``profile``, ``region`` and ``endpoint_url`` choose where
    calls go; ``client`` passes a ready ``stepfunctions`` client instead. ``credentials`` is an
    ``(access key, secret key[, session token])`` tuple for servers that accept any key (moto,
    LocalStack). ``calls_per_second``/``burst`` bound this object's API traffic;
    ``poll_interval`` (seconds, growing to ``max_poll_interval`` while nothing happens) paces
    :meth:`RemoteExecution.wait` and live following.

    Any boto3 ``stepfunctions`` operation is a method (``aws.list_state_machines()``,
    ``aws.start_execution(stateMachineArn=..., input=...)``) returning boto3's response.
    """

    def __init__(
        self,
        session: boto3.Session | None = None,
        *,
        profile: str | None = None,
        region: str | None = None,
        endpoint_url: str | None = None,
        client: Any = None,
        credentials: tuple[str, ...] | None = None,
        config: Any = None,
        calls_per_second: float = CALLS_PER_SECOND,
        burst: int = BURST,
        poll_interval: float = 1.0,
        max_poll_interval: float = 5.0,
    ) -> None:
        import boto3
        from botocore.config import Config

        self.profile = profile
        self.endpoint_url = endpoint_url
        self.poll_interval = poll_interval
        self.max_poll_interval = max_poll_interval
        self.limiter = RateLimiter(calls_per_second, burst)
        #: API calls made through this object, by operation name (``GetExecutionHistory`` ...).
        self.calls: Counter[str] = Counter()
        self._clients: dict[str, Any] = {}
        self._lock = threading.RLock()
        self._executions: dict[str, RemoteExecution] = {}
        self._identity: dict[str, str] | None = None
        #: Operations the server is known to lack (moto has no PublishStateMachineVersion):
        #: callers take another way round instead of calling them.
        self.unsupported: set[str] = set()
        self._config = config or Config(
            retries={"mode": "standard", "max_attempts": 5},
            user_agent_extra="sfn-notebook",
            connect_timeout=10,
            read_timeout=60,
        )
        where = {"profile": profile, "region": region, "endpoint_url": endpoint_url}
        try:
            if session is None:
                keys: dict[str, Any] = {}
                if credentials is not None:
                    keys = dict(
                        zip(
                            ("aws_access_key_id", "aws_secret_access_key", "aws_session_token"),
                            credentials,
                            strict=False,
                        )
                    )
                session = boto3.Session(profile_name=profile, region_name=region, **keys)
            self.session = session
            if client is not None:
                self._clients["stepfunctions"] = client
                self.region = client.meta.region_name
                self.endpoint_url = endpoint_url or _custom_endpoint(client)
            else:
                self.region = region or session.region_name
                self._clients["stepfunctions"] = self._make_client("stepfunctions")
        except Exception as exc:  # botocore: profile, region, config problems
            raise translate(
                exc, service="stepfunctions", operation="connect", where=where
            ) from None
        self.client = self._clients["stepfunctions"]

    # Clients and calls ------------------------------------------------------------------------

    @property
    def where(self) -> dict[str, Any]:
        return {"profile": self.profile, "region": self.region, "endpoint_url": self.endpoint_url}

    def _make_client(self, service: str) -> Any:
        return self.session.client(
            service,
            region_name=self.region,
            endpoint_url=self.endpoint_url,
            config=self._config,
        )

    def client_for(self, service: str) -> Any:
        """The boto3 client for another service (``lambda``, ``iam``, ``sts``), same settings."""
        with self._lock:
            found = self._clients.get(service)
            if found is None:
                try:
                    found = self._clients[service] = self._make_client(service)
                except Exception as exc:
                    raise translate(
                        exc, service=service, operation="connect", where=self.where
                    ) from None
            return found

    def call(
        self,
        method: str,
        *,
        service: str = "stepfunctions",
        resource: str | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Call a boto3 client method (``"describe_execution"``) under the rate limit.

        Failures raise :class:`~sfn_notebook.aws.errors.AwsError` subclasses (never botocore's).
        """
        client = self.client_for(service)
        operation = client.meta.method_to_api_mapping.get(method, method)
        self.limiter.acquire()
        self.calls[operation] += 1
        try:
            response: dict[str, Any] = getattr(client, method)(**kwargs)
        except Exception as exc:
            about = resource or _resource_of(kwargs)
            raise translate(
                exc, service=service, operation=operation, where=self.where, resource=about
            ) from None
        return response

    def __getattr__(self, name: str) -> Any:
        # boto3's dialect: any stepfunctions operation, rate limited, errors translated.
        clients = self.__dict__.get("_clients") or {}
        client = clients.get("stepfunctions")
        if client is None or name not in client.meta.method_to_api_mapping:
            raise AttributeError(name)

        def operation(**kwargs: Any) -> dict[str, Any]:
            return self.call(name, **kwargs)

        operation.__name__ = name
        operation.__doc__ = f"boto3 ``stepfunctions.{name}`` through this connection."
        return operation

    def __dir__(self) -> Iterable[str]:
        return sorted(set(super().__dir__()) | set(self.client.meta.method_to_api_mapping))

    # Identity -------------------------------------------------------------------------------

    def identity(self) -> dict[str, str]:
        """``{"account": ..., "arn": ...}`` of the caller (one STS call, remembered)."""
        if self._identity is None:
            found = self.call("get_caller_identity", service="sts")
            self._identity = {"account": str(found["Account"]), "arn": str(found["Arn"])}
        return self._identity

    @property
    def account(self) -> str:
        return self.identity()["account"]

    def state_machine_arn(self, name: str, *, account: str | None = None) -> str:
        """The ARN of a state machine called ``name`` here (an ARN is returned as it is)."""
        if name.startswith("arn:"):
            check_arn_region(name, self.region, "state machine ARN")
            return name
        return f"{self.arn_prefix('states', account)}:stateMachine:{name}"

    def arn_prefix(self, service: str, account: str | None = None) -> str:
        """``arn:<partition>:<service>:<region>:<account>`` for ARNs made here."""
        if account is None:
            account = self.account
        partition = self.session.get_partition_for_region(self.region)
        return f"arn:{partition}:{service}:{self.region}:{account}"

    # Executions -------------------------------------------------------------------------------

    def execution(self, execution_arn: str) -> RemoteExecution:
        """The :class:`RemoteExecution` for an ARN (one object per ARN, no call made)."""
        from sfn_notebook.aws.execution import RemoteExecution

        if not isinstance(execution_arn, str) or not execution_arn.startswith("arn:"):
            raise SfnNotebookError(f"not an execution ARN: {execution_arn!r}")
        check_arn_region(execution_arn, self.region, "execution ARN")
        with self._lock:
            found = self._executions.get(execution_arn)
            if found is None:
                found = self._executions[execution_arn] = RemoteExecution(self, execution_arn)
            return found

    def attach(self, execution_arn: str) -> RemoteExecution:
        """Follow an execution started elsewhere (console, CLI, another notebook) by its ARN.

        Checks at once that it exists and can be read (one DescribeExecution call).
        """
        if ":express:" in str(execution_arn):
            raise AwsError(
                f"{execution_arn} is an EXPRESS execution: AWS keeps no history for those "
                "(GetExecutionHistory and DescribeExecution refuse them). Fix: read its "
                "CloudWatch Logs, or run the workflow as STANDARD to follow it here."
            )
        execution = self.execution(execution_arn)
        execution.refresh()
        return execution

    def start(
        self,
        state_machine: str,
        input: Any = None,
        *,
        name: str | None = None,
        input_json: str | None = None,
    ) -> RemoteExecution:
        """Start an execution by state machine name or ARN (or alias/version ARN).

        ``input`` is a Python value (JSON-encoded here); ``input_json`` passes text as it is.
        The name defaults to a fresh UUID (moto's server would otherwise call it 'None').
        """
        arn = self.state_machine_arn(state_machine)
        text = input_json if input_json is not None else json.dumps({} if input is None else input)
        started = self.call(
            "start_execution", stateMachineArn=arn, input=text, name=name or str(uuid.uuid4())
        )
        execution = self.execution(started["executionArn"])
        execution._started(arn, started.get("startDate"), text)
        return execution

    def run(
        self,
        state_machine: str,
        input: Any = None,
        *,
        name: str | None = None,
        timeout: float | None = None,
    ) -> RemoteExecution:
        """Start an execution and wait for its end (or ``timeout`` seconds)."""
        return self.start(state_machine, input, name=name).wait(timeout)

    # Deploy and import (see their modules) ----------------------------------------------------

    def deploy(self, name: str, definition: Any = None, **options: Any) -> Deployment:
        """Create or update a state machine; see :func:`sfn_notebook.aws.deploy.deploy`."""
        from sfn_notebook.aws.deploy import deploy

        return deploy(self, name, definition, **options)

    def import_executions(self, into: Any, **options: Any) -> ImportReport:
        """Copy histories into a local store; see :func:`sfn_notebook.aws.importing`."""
        from sfn_notebook.aws.importing import import_executions

        return import_executions(into, aws=self, **options)

    def close(self) -> None:
        """Stop following every execution this object handed out."""
        with self._lock:
            executions = list(self._executions.values())
        for execution in executions:
            execution.stop_following()

    def __enter__(self) -> AwsRuntime:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        where = ", ".join(f"{k}={v!r}" for k, v in self.where.items() if v)
        return f"<AwsRuntime {where}>"


def _custom_endpoint(client: Any) -> str | None:
    url = str(client.meta.endpoint_url)
    return None if url.endswith(".amazonaws.com") or ".amazonaws.com." in url else url


def _resource_of(kwargs: Mapping[str, Any]) -> str | None:
    for key in (
        "executionArn",
        "stateMachineArn",
        "stateMachineAliasArn",
        "resourceArn",
        "FunctionName",
        "name",
    ):
        if isinstance(kwargs.get(key), str):
            return str(kwargs[key])
    return None


# The notebook's current connection ------------------------------------------------------------

_current: AwsRuntime | None = None
_current_lock = threading.Lock()


def connect(
    session: boto3.Session | None = None,
    *,
    profile: str | None = None,
    region: str | None = None,
    endpoint_url: str | None = None,
    **options: Any,
) -> AwsRuntime:
    """Make an :class:`AwsRuntime` and remember it as the current one (used by the magics).

    >>> aws = connect(region="us-east-1", endpoint_url="http://127.0.0.1:5000",
    ...               credentials=("testing", "testing"))
    >>> current() is aws
    True
    """
    global _current
    aws = AwsRuntime(session, profile=profile, region=region, endpoint_url=endpoint_url, **options)
    with _current_lock:
        _current = aws
    return aws


def use(aws: AwsRuntime | None) -> AwsRuntime | None:
    """Set (or with None, forget) the current connection; returns the previous one."""
    global _current
    with _current_lock:
        previous, _current = _current, aws
    return previous


def current() -> AwsRuntime:
    """The current connection; one from the environment (AWS_PROFILE, AWS_DEFAULT_REGION,
    AWS_ENDPOINT_URL ...) when none was made yet."""
    global _current
    with _current_lock:
        if _current is None:
            _current = AwsRuntime()
        return _current
